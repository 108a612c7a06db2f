//! Pricing an order from the price list: the one place an order's total is computed.

use std::fmt;

use crate::book_id;
use crate::money::{Amount, Currency};
use crate::price_list::{Manifest, PriceList};

/// The most lines one order may have (and so one Stripe PaymentIntent describes).
pub const MAX_LINES: usize = 50;

/// The most copies of one book in one order.
pub const MAX_QUANTITY: u64 = 99;

/// What the shopper asked for: a book id and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The book id.
    pub id: String,
    /// Copies, 1..=[`MAX_QUANTITY`].
    pub quantity: u64,
}

/// One priced line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    /// The book id.
    pub id: String,
    /// Copies.
    pub quantity: u64,
    /// Unit price from the price list, in minor units.
    pub unit_amount: Amount,
}

/// An order priced from the price list, within Stripe's limits for its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedOrder {
    /// The lines in the order given.
    pub lines: Vec<PricedLine>,
    /// The total in minor units.
    pub amount: Amount,
    /// The one currency of every line.
    pub currency: Currency,
}

/// Why an order cannot be priced. Each names the request field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderError {
    /// No lines.
    Empty,
    /// More than [`MAX_LINES`] lines.
    TooManyLines(usize),
    /// The same book on two lines.
    DuplicateItem { index: usize, id: String },
    /// A quantity outside 1..=[`MAX_QUANTITY`].
    InvalidQuantity { index: usize },
    /// Text that no book id can be ([`book_id::check`]), so no book: not repeated back.
    NotAnId { index: usize },
    /// A book that is not in the price list.
    UnknownItem { index: usize, id: String },
    /// A sold-out book.
    Unavailable { index: usize, id: String },
    /// A line in another currency than the first line's.
    MixedCurrencies { index: usize },
    /// The total is under Stripe's minimum charge.
    BelowMinimum { amount: Amount, minimum: Amount, currency: Currency },
    /// The total is over Stripe's maximum charge.
    AboveMaximum { currency: Currency },
}

impl OrderError {
    /// The stable error code the endpoint returns.
    pub fn code(&self) -> &'static str {
        match self {
            OrderError::Empty => "empty_order",
            OrderError::TooManyLines(_) => "too_many_items",
            OrderError::DuplicateItem { .. } => "duplicate_item",
            OrderError::InvalidQuantity { .. } => "invalid_quantity",
            OrderError::NotAnId { .. } | OrderError::UnknownItem { .. } => "unknown_item",
            OrderError::Unavailable { .. } => "item_unavailable",
            OrderError::MixedCurrencies { .. } => "mixed_currencies",
            OrderError::BelowMinimum { .. } => "amount_too_small",
            OrderError::AboveMaximum { .. } => "amount_too_large",
        }
    }

    /// The request field at fault, as `items[2].quantity`.
    pub fn param(&self) -> String {
        match self {
            OrderError::Empty | OrderError::TooManyLines(_) => "items".to_owned(),
            OrderError::DuplicateItem { index, .. }
            | OrderError::UnknownItem { index, .. }
            | OrderError::Unavailable { index, .. } => format!("items[{index}].id"),
            OrderError::NotAnId { index } => format!("items[{index}].id"),
            OrderError::InvalidQuantity { index } => format!("items[{index}].quantity"),
            OrderError::MixedCurrencies { index } => format!("items[{index}]"),
            OrderError::BelowMinimum { .. } | OrderError::AboveMaximum { .. } => "items".to_owned(),
        }
    }
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::Empty => f.write_str("The cart is empty."),
            OrderError::TooManyLines(n) => {
                write!(f, "An order can hold at most {MAX_LINES} different books; this one has {n}.")
            }
            OrderError::DuplicateItem { id, .. } => {
                write!(f, "The book `{id}` appears twice; send one line per book with its quantity.")
            }
            OrderError::InvalidQuantity { .. } => {
                write!(f, "Quantity must be a whole number from 1 to {MAX_QUANTITY}.")
            }
            OrderError::NotAnId { .. } => f.write_str("No such book is for sale here."),
            OrderError::UnknownItem { id, .. } => write!(f, "No book `{id}` is for sale here."),
            OrderError::Unavailable { id, .. } => write!(f, "The book `{id}` is sold out."),
            OrderError::MixedCurrencies { .. } => {
                f.write_str("Books priced in different currencies cannot be paid together.")
            }
            OrderError::BelowMinimum { minimum, currency, .. } => {
                write!(f, "The total is below the minimum card payment of {}.", currency.display(*minimum))
            }
            OrderError::AboveMaximum { currency } => {
                write!(f, "The total is above the maximum card payment of {}.", currency.display(currency.maximum()))
            }
        }
    }
}

impl std::error::Error for OrderError {}

/// The price list's shards [`price_order`] looks `lines` up in: those of its book ids; none
/// for an order it refuses before looking any book up (no lines, or over [`MAX_LINES`]), so a
/// request of hundreds of lines costs no more reads than one of 50.
/// In ascending order, each once.
pub fn shards_needed(manifest: &Manifest, lines: &[Line]) -> Vec<u32> {
    if lines.len() > MAX_LINES {
        return Vec::new();
    }
    let mut shards: Vec<u32> =
        lines.iter().filter(|l| book_id::check(&l.id).is_ok()).map(|l| manifest.shard_of(&l.id)).collect();
    shards.sort_unstable();
    shards.dedup();
    shards
}

/// Prices `lines` from `prices`. The browser's idea of a price never enters here.
///
/// Every rule an order obeys is checked here and nowhere else (the worker's request parser
/// only checks that the body has the right shape), each line in turn: its id, then whether
/// the book came earlier, its quantity, the book itself; then the total.
pub fn price_order(prices: &PriceList, lines: &[Line]) -> Result<PricedOrder, OrderError> {
    if lines.is_empty() {
        return Err(OrderError::Empty);
    }
    if lines.len() > MAX_LINES {
        return Err(OrderError::TooManyLines(lines.len()));
    }
    let mut currency: Option<Currency> = None;
    let mut amount: Amount = 0;
    let mut priced = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        if book_id::check(&line.id).is_err() {
            return Err(OrderError::NotAnId { index });
        }
        if lines[..index].iter().any(|earlier| earlier.id == line.id) {
            return Err(OrderError::DuplicateItem { index, id: line.id.clone() });
        }
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(OrderError::InvalidQuantity { index });
        }
        let book = prices.get(&line.id).ok_or_else(|| OrderError::UnknownItem { index, id: line.id.clone() })?;
        if !book.available {
            return Err(OrderError::Unavailable { index, id: line.id.clone() });
        }
        match currency {
            Some(c) if c != book.currency => return Err(OrderError::MixedCurrencies { index }),
            _ => currency = Some(book.currency),
        }
        // Bounded: at most MAX_LINES lines × MAX_QUANTITY copies × an 8-digit price, far from
        // u64::MAX.
        amount = book
            .amount
            .checked_mul(line.quantity)
            .and_then(|line_total| amount.checked_add(line_total))
            .ok_or(OrderError::AboveMaximum { currency: book.currency })?;
        priced.push(PricedLine { id: line.id.clone(), quantity: line.quantity, unit_amount: book.amount });
    }
    let currency = currency.ok_or(OrderError::Empty)?;
    if amount < currency.minimum() {
        return Err(OrderError::BelowMinimum { amount, minimum: currency.minimum(), currency });
    }
    if amount > currency.maximum() {
        return Err(OrderError::AboveMaximum { currency });
    }
    Ok(PricedOrder { lines: priced, amount, currency })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::price_list::PriceListEntry;

    fn book(amount: Amount, currency: &str, available: bool) -> PriceListEntry {
        PriceListEntry {
            title: "A Book".into(),
            author: "An Author".into(),
            amount,
            currency: Currency::from_code(currency).expect("supported"),
            available,
            url: String::new(),
            cover: String::new(),
        }
    }

    fn prices() -> PriceList {
        let mut books = BTreeMap::new();
        books.insert("hamming".to_owned(), book(2300, "usd", true));
        books.insert("mechner".to_owned(), book(2500, "usd", true));
        books.insert("eghbal".to_owned(), book(2800, "usd", true));
        books.insert("sold-out".to_owned(), book(1000, "usd", false));
        books.insert("yen".to_owned(), book(2300, "jpy", true));
        books.insert("cheap".to_owned(), book(10, "usd", true));
        books.insert("dear".to_owned(), book(99_999_999, "usd", true));
        PriceList::new("https://books.example", books)
    }

    fn line(id: &str, quantity: u64) -> Line {
        Line { id: id.to_owned(), quantity }
    }

    #[test]
    fn an_order_is_priced_from_the_price_list() {
        let order = price_order(&prices(), &[line("hamming", 1), line("mechner", 2)]).expect("valid");
        assert_eq!(order.amount, 2300 + 2 * 2500);
        assert_eq!(order.currency.code(), "usd");
        assert_eq!(order.lines[1], PricedLine { id: "mechner".into(), quantity: 2, unit_amount: 2500 });
    }

    #[test]
    fn a_yen_order_is_in_whole_yen() {
        let order = price_order(&prices(), &[line("yen", 3)]).expect("valid");
        assert_eq!((order.amount, order.currency.code()), (6900, "jpy"));
    }

    #[test]
    fn each_bad_order_names_its_field() {
        let cases: Vec<(Vec<Line>, &str, &str)> = vec![
            (vec![], "empty_order", "items"),
            (vec![line("nope", 1)], "unknown_item", "items[0].id"),
            (vec![line("hamming", 1), line("sold-out", 1)], "item_unavailable", "items[1].id"),
            (vec![line("hamming", 0)], "invalid_quantity", "items[0].quantity"),
            (vec![line("hamming", MAX_QUANTITY + 1)], "invalid_quantity", "items[0].quantity"),
            (vec![line("hamming", 1), line("hamming", 2)], "duplicate_item", "items[1].id"),
            (vec![line("hamming", 1), line("yen", 1)], "mixed_currencies", "items[1]"),
            (vec![line("cheap", 1)], "amount_too_small", "items"),
            (vec![line("dear", 2)], "amount_too_large", "items"),
            (vec![line("hamming", 1), line("Hamming", 1)], "unknown_item", "items[1].id"),
            (vec![line("../x", 0)], "unknown_item", "items[0].id"),
            (vec![line("", 1)], "unknown_item", "items[0].id"),
        ];
        for (lines, code, param) in cases {
            let err = price_order(&prices(), &lines).expect_err(code);
            assert_eq!((err.code(), err.param().as_str()), (code, param), "{lines:?}");
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn each_rule_says_one_sentence_and_text_that_is_no_id_is_not_repeated() {
        let message = |lines: &[Line]| price_order(&prices(), lines).expect_err("refused").to_string();
        assert_eq!(message(&[]), "The cart is empty.");
        assert_eq!(message(&[line("nope", 1)]), "No book `nope` is for sale here.");
        assert_eq!(message(&[line("<b>", 1), line("<b>", 1)]), "No such book is for sale here.");
        assert_eq!(message(&[line("sold-out", 1)]), "The book `sold-out` is sold out.");
        assert_eq!(message(&[line("hamming", MAX_QUANTITY + 1)]), "Quantity must be a whole number from 1 to 99.");
        assert_eq!(
            message(&[line("hamming", 1), line("hamming", 1)]),
            "The book `hamming` appears twice; send one line per book with its quantity."
        );
        assert_eq!(
            message(&[line("hamming", 1), line("yen", 1)]),
            "Books priced in different currencies cannot be paid together."
        );
        assert_eq!(message(&[line("cheap", 1)]), "The total is below the minimum card payment of $0.50.");
        let many: Vec<Line> = (0..=MAX_LINES).map(|i| line(&format!("b{i}"), 1)).collect();
        assert_eq!(message(&many), "An order can hold at most 50 different books; this one has 51.");
    }

    #[test]
    fn more_than_fifty_lines_is_refused() {
        let lines: Vec<Line> = (0..=MAX_LINES).map(|i| line(&format!("b{i}"), 1)).collect();
        assert_eq!(price_order(&prices(), &lines), Err(OrderError::TooManyLines(51)));
    }

    #[test]
    fn an_order_needs_the_shards_of_its_book_ids_only() {
        let manifest = Manifest::new("https://books.example", [], 128);
        let lines =
            [line("working-in-public", 1), line("art-of-doing-science-and-engineering", 2), line("Not An Id", 1)];
        assert_eq!(shards_needed(&manifest, &lines), [54, 107]);
        let too_many: Vec<Line> = (0..=MAX_LINES).map(|i| line(&format!("b{i}"), 1)).collect();
        assert_eq!(shards_needed(&manifest, &too_many), Vec::<u32>::new(), "refused before any lookup");
    }
}
