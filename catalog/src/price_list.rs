//! The price list (`public/catalog.json`): what the generator writes and the worker prices from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::{Amount, Currency};

/// The format version written into every price list; bumped on incompatible changes.
pub const PRICE_LIST_VERSION: u32 = 1;

/// Every book on sale, keyed by id, with its exact price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    /// Always [`PRICE_LIST_VERSION`] for lists this code writes.
    pub version: u32,
    /// The shop's own origin (`https://books.example`), exactly as a browser on its pages
    /// sends it in `Origin`, made by the generator from `base_url`: the worker takes orders
    /// from this origin (and `ALLOWED_ORIGINS`), never from whatever `Host` a request names.
    pub origin: String,
    /// The currencies used, with their decimals, so a browser can format amounts exactly.
    pub currencies: BTreeMap<String, CurrencyEntry>,
    /// The books by id (their file name without `.md`).
    pub books: BTreeMap<String, PriceListEntry>,
}

/// How a browser formats one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyEntry {
    /// Digits after the decimal point (0 for JPY).
    pub decimals: u32,
}

/// One book as the cart and the worker see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceListEntry {
    /// The book's title.
    pub title: String,
    /// The book's author.
    pub author: String,
    /// Unit price in minor units.
    pub amount: Amount,
    /// The price's currency.
    pub currency: Currency,
    /// False when sold out: shown, never sold.
    pub available: bool,
    /// The book's page, site-relative.
    #[serde(default)]
    pub url: String,
    /// The book's cover image, site-relative.
    #[serde(default)]
    pub cover: String,
}

impl PriceList {
    /// A price list of the shop at `origin` with the given books; the currency table is
    /// derived from them.
    pub fn new(origin: impl Into<String>, books: BTreeMap<String, PriceListEntry>) -> PriceList {
        let currencies = books
            .values()
            .map(|book| {
                let entry = CurrencyEntry { decimals: book.currency.decimals() };
                (book.currency.code().to_owned(), entry)
            })
            .collect();
        PriceList { version: PRICE_LIST_VERSION, origin: origin.into(), currencies, books }
    }

    /// The entry for a book id, if it is in the list.
    pub fn get(&self, id: &str) -> Option<&PriceListEntry> {
        self.books.get(id)
    }
}
