//! The rules a book's front matter follows, one small validator each on [`RawBook`].
//! A validator says what is wrong and how to fix it ([`Invalid`]); the loader
//! ([`crate::content::load_book`]) places it in the file. The price's rules (decimals,
//! Stripe's minimum and maximum) are `catalog`'s, which the worker prices orders by too.

use std::path::{Path, PathBuf};

use catalog::{Amount, Currency, PriceError};

use crate::content::COVER_EXTENSIONS;
use crate::front_matter::{Format, RawBook};
use crate::messages::currency_help;

/// A value of the front matter that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The key it is under, which places it on its line.
    pub key: &'static str,
    /// The key is not there at all: the problem is placed at the opening fence.
    pub missing: bool,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Invalid {
    pub(crate) fn new(key: &'static str, message: impl Into<String>) -> Invalid {
        Invalid { key, missing: false, message: message.into(), help: None }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Invalid {
        self.help = Some(help.into());
        self
    }

    /// A required key left out or empty, with the line that adds it in this format.
    fn missing(key: &'static str, format: Format, example: &str) -> Invalid {
        let line = match format {
            Format::Toml => format!("{key} = \"{example}\""),
            Format::Yaml => format!("{key}: \"{example}\""),
        };
        Invalid { key, missing: true, message: format!("missing `{key}`"), help: None }
            .help(format!("add `{line}` to the front matter"))
    }
}

/// `value` when it has more than spaces, else a missing key.
fn required(key: &'static str, value: Option<&str>, format: Format, example: &str) -> Result<String, Invalid> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v.to_owned()),
        _ => Err(Invalid::missing(key, format, example)),
    }
}

impl RawBook {
    /// The title, required, trimmed.
    pub fn valid_title(&self, format: Format) -> Result<String, Invalid> {
        required("title", self.title.as_deref(), format, "The Art of Doing Science and Engineering")
            .map(|t| t.trim().to_owned())
    }

    /// The author, required, trimmed.
    pub fn valid_author(&self, format: Format) -> Result<String, Invalid> {
        required("author", self.author.as_deref(), format, "Richard Hamming").map(|a| a.trim().to_owned())
    }

    /// The price as written, required; [`unit_amount`] reads it in its currency.
    pub fn valid_price(&self, format: Format) -> Result<String, Invalid> {
        required("price", self.price.as_ref().map(|p| p.0.as_str()), format, "23.00")
    }

    /// The book's currency: its own, which Stripe must settle in, or the site's.
    pub fn valid_currency(&self, site: Currency) -> Result<Currency, Invalid> {
        let Some(code) = &self.currency else { return Ok(site) };
        Currency::from_code(code)
            .ok_or_else(|| Invalid::new("currency", format!("unsupported currency `{code}`")).help(currency_help(code)))
    }

    /// The cover image beside the book file at `book`; `None` without one (a cover is then
    /// drawn). Its bytes are checked when it is processed ([`crate::imageproc`]).
    pub fn valid_cover(&self, book: &Path) -> Result<Option<PathBuf>, Invalid> {
        let Some(name) = &self.cover else { return Ok(None) };
        let file = book.parent().unwrap_or(Path::new(".")).join(name);
        let ext = file.extension().map(|x| x.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if !COVER_EXTENSIONS.contains(&ext.as_str()) {
            return Err(Invalid::new("cover", format!("cover `{name}` is not an image this shop can show"))
                .help(format!("use one of: {}", COVER_EXTENSIONS.join(", "))));
        }
        if !file.is_file() {
            return Err(Invalid::new("cover", format!("cover file `{}` does not exist", file.display()))
                .help("put the image beside the book file, or remove `cover` to get a drawn cover"));
        }
        Ok(Some(file))
    }

    /// The ISBN as written (hyphens help readers), its check digit verified.
    pub fn valid_isbn(&self) -> Result<Option<String>, Invalid> {
        let Some(isbn) = &self.isbn else { return Ok(None) };
        match normalize_isbn(isbn) {
            Ok(_) => Ok(Some(isbn.trim().to_owned())),
            Err(why) => Err(Invalid::new("isbn", format!("ISBN `{isbn}` {why}"))
                .help("copy the ISBN from the book's copyright page, or remove `isbn`")),
        }
    }

    /// The publication date, `YYYY-MM-DD`.
    pub fn valid_published(&self) -> Result<Option<String>, Invalid> {
        let Some(date) = &self.published else { return Ok(None) };
        if is_date(&date.0) {
            Ok(Some(date.0.clone()))
        } else {
            Err(Invalid::new("published", format!("`{}` is not a date", date.0))
                .help("write it as YYYY-MM-DD, e.g. 2020-05-26"))
        }
    }
}

/// A price in minor units: exact in its currency, and one Stripe can charge (`catalog`'s rules).
pub fn unit_amount(price: &str, currency: Currency) -> Result<Amount, Invalid> {
    currency.parse_unit_price(price).map_err(|e| {
        let help = match e {
            PriceError::BelowMinimum { .. } => {
                Some("Stripe refuses smaller card payments in this currency; raise the price")
            }
            PriceError::AboveMaximum { .. } => Some("Stripe refuses larger card payments; check the number of digits"),
            _ => None,
        };
        Invalid { key: "price", missing: false, message: e.to_string(), help: help.map(str::to_owned) }
    })
}

/// Checks an ISBN-10 or ISBN-13 checksum; returns its digits without hyphens or spaces.
pub fn normalize_isbn(text: &str) -> Result<String, &'static str> {
    let isbn: String = text.chars().filter(|c| *c != '-' && *c != ' ').collect::<String>().to_ascii_uppercase();
    let digit = |c: u8| u32::from(c - b'0');
    let ok = match isbn.len() {
        13 if isbn.bytes().all(|b| b.is_ascii_digit()) => {
            let sum: u32 = isbn.bytes().enumerate().map(|(i, b)| digit(b) * if i % 2 == 0 { 1 } else { 3 }).sum();
            sum.is_multiple_of(10)
        }
        10 if isbn.bytes().take(9).all(|b| b.is_ascii_digit())
            && isbn.bytes().last().is_some_and(|b| b.is_ascii_digit() || b == b'X') =>
        {
            let sum: u32 =
                isbn.bytes().enumerate().map(|(i, b)| (10 - i as u32) * if b == b'X' { 10 } else { digit(b) }).sum();
            sum.is_multiple_of(11)
        }
        _ => return Err("is not 10 or 13 digits"),
    };
    if ok {
        Ok(isbn)
    } else {
        Err("has a wrong check digit")
    }
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let num = |s: &str, len: usize, max: u32| {
        s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<u32>().is_ok_and(|n| n >= 1 && n <= max)
    };
    parts.len() == 3 && num(parts[0], 4, 9999) && num(parts[1], 2, 12) && num(parts[2], 2, 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front_matter::{parse, DateText, PriceText};

    fn usd() -> Currency {
        Currency::from_code("usd").expect("usd")
    }

    fn invalid(key: &'static str, message: &str, help: &str) -> Invalid {
        Invalid { key, missing: false, message: message.to_owned(), help: Some(help.to_owned()) }
    }

    #[test]
    fn a_missing_title_says_how_to_add_it_in_the_files_format() {
        let none = RawBook::default();
        let toml = Invalid {
            key: "title",
            missing: true,
            message: "missing `title`".into(),
            help: Some("add `title = \"The Art of Doing Science and Engineering\"` to the front matter".into()),
        };
        assert_eq!(none.valid_title(Format::Toml), Err(toml));
        let blank = RawBook { title: Some("  ".into()), ..RawBook::default() };
        assert_eq!(
            blank.valid_title(Format::Yaml).unwrap_err().help.as_deref(),
            Some("add `title: \"The Art of Doing Science and Engineering\"` to the front matter")
        );
        let titled = RawBook { title: Some(" Hamming ".into()), ..RawBook::default() };
        assert_eq!(titled.valid_title(Format::Toml), Ok("Hamming".into()));
    }

    #[test]
    fn a_missing_author_says_how_to_add_it() {
        let err = RawBook::default().valid_author(Format::Toml).unwrap_err();
        assert_eq!(
            (err.message.as_str(), err.help.as_deref()),
            ("missing `author`", Some("add `author = \"Richard Hamming\"` to the front matter"))
        );
    }

    #[test]
    fn a_missing_price_says_how_to_add_it() {
        let err = RawBook::default().valid_price(Format::Yaml).unwrap_err();
        assert_eq!(
            (err.message.as_str(), err.help.as_deref()),
            ("missing `price`", Some("add `price: \"23.00\"` to the front matter"))
        );
        let priced = RawBook { price: Some(PriceText("23.00".into())), ..RawBook::default() };
        assert_eq!(priced.valid_price(Format::Toml), Ok("23.00".into()));
    }

    #[test]
    fn the_currency_is_the_books_or_the_sites() {
        assert_eq!(RawBook::default().valid_currency(usd()), Ok(usd()));
        let yen = RawBook { currency: Some("jpy".into()), ..RawBook::default() };
        assert_eq!(yen.valid_currency(usd()).map(Currency::code), Ok("jpy"));
        let typo = RawBook { currency: Some("usdd".into()), ..RawBook::default() };
        assert_eq!(
            typo.valid_currency(usd()),
            Err(invalid(
                "currency",
                "unsupported currency `usdd`",
                "did you mean `usd`? Currencies are lowercase ISO 4217 codes"
            ))
        );
    }

    #[test]
    fn a_price_follows_the_catalogs_rules_with_help_for_stripes_limits() {
        assert_eq!(unit_amount("23.00", usd()), Ok(2300));
        assert_eq!(
            unit_amount("0.20", usd()),
            Err(invalid(
                "price",
                "price $0.20 is below Stripe's minimum charge of $0.50",
                "Stripe refuses smaller card payments in this currency; raise the price"
            ))
        );
        assert_eq!(
            unit_amount("1000000.00", usd()),
            Err(invalid(
                "price",
                "price `1000000.00` is above Stripe's maximum charge of $999,999.99",
                "Stripe refuses larger card payments; check the number of digits"
            ))
        );
        let decimals = unit_amount("23.999", usd()).unwrap_err();
        assert_eq!(
            decimals.message,
            "price `23.999` has more than 2 decimals, the most USD has: round it to \"23.99\" or \"24.00\""
        );
        assert_eq!(decimals.help, None);
    }

    #[test]
    fn a_cover_must_be_an_image_file_beside_the_book() {
        let dir = tempfile::tempdir().expect("temp dir");
        let book = dir.path().join("a.md");
        let cover = |name: &str| RawBook { cover: Some(name.into()), ..RawBook::default() }.valid_cover(&book);
        assert_eq!(RawBook::default().valid_cover(&book), Ok(None));
        assert_eq!(
            cover("a.pdf"),
            Err(invalid(
                "cover",
                "cover `a.pdf` is not an image this shop can show",
                "use one of: jpg, jpeg, png, webp, svg"
            ))
        );
        let missing = dir.path().join("a.jpg");
        assert_eq!(
            cover("a.jpg"),
            Err(invalid(
                "cover",
                &format!("cover file `{}` does not exist", missing.display()),
                "put the image beside the book file, or remove `cover` to get a drawn cover"
            ))
        );
        std::fs::write(dir.path().join("a.jpg"), b"not a jpeg").expect("write");
        assert_eq!(cover("a.jpg"), Ok(Some(dir.path().join("a.jpg"))), "its bytes are checked when it is processed");
    }

    #[test]
    fn an_isbn_has_a_valid_check_digit() {
        let isbn = |text: &str| RawBook { isbn: Some(text.into()), ..RawBook::default() }.valid_isbn();
        assert_eq!(isbn(" 978-1-7322651-7-2 "), Ok(Some("978-1-7322651-7-2".into())), "kept as written, trimmed");
        assert_eq!(
            isbn("978-1-7322651-7-3"),
            Err(invalid(
                "isbn",
                "ISBN `978-1-7322651-7-3` has a wrong check digit",
                "copy the ISBN from the book's copyright page, or remove `isbn`"
            ))
        );
        assert_eq!(normalize_isbn("0-306-40615-2"), Ok("0306406152".into()));
        assert_eq!(normalize_isbn("080442957X"), Ok("080442957X".into()));
        assert_eq!(normalize_isbn("12345"), Err("is not 10 or 13 digits"));
    }

    #[test]
    fn a_publication_date_is_year_month_day() {
        let date =
            |text: &str| RawBook { published: Some(DateText(text.into())), ..RawBook::default() }.valid_published();
        assert_eq!(date("2020-05-26"), Ok(Some("2020-05-26".into())));
        assert_eq!(
            date("2020-13-01"),
            Err(invalid("published", "`2020-13-01` is not a date", "write it as YYYY-MM-DD, e.g. 2020-05-26"))
        );
        assert!(!is_date("26/05/2020"));
        let parsed = parse(Format::Yaml, "published: 2020-05-26\n").expect("parses");
        assert_eq!(parsed.valid_published(), Ok(Some("2020-05-26".into())));
    }
}
