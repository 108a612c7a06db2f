//! The price list: what the generator writes and the worker prices from, as two kinds of file.
//!
//! - The manifest, `public/catalog.json` ([`Manifest`]): the version, the shop's origin, the
//!   currencies and the shard scheme: how many shards and where each one is. No books.
//! - The shards, `public/catalog/<n>.json` ([`Shard`]): each holds the books whose id hashes to
//!   `n` ([`shard_of`]).
//!
//! A reader fetches the manifest, then only the shards of the ids it needs: the worker those
//! of one order, the cart those of its lines. The whole list is megabytes (1.7 MB at 10,000
//! books, 19 MB at 100,000, past Cloudflare's 25 MiB per file at about 130,000); a shard stays
//! about [`BOOKS_PER_SHARD`] books (some 15 KB) at any size, so pricing an order costs the same
//! CPU in a shop of 100 books as in one of 100,000.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::{Amount, Currency};

/// The format version written into every manifest; bumped on incompatible changes. 2: the
/// books moved from `catalog.json` into shards.
pub const PRICE_LIST_VERSION: u32 = 2;

/// The most books a shard holds on average: the shard count is the smallest power of two
/// that keeps the average at or under it ([`shard_count`]). A shard of 128 books is some 15 KB
/// of JSON, parsed in well under a millisecond; at 10,000 books that makes 128 files.
pub const BOOKS_PER_SHARD: usize = 128;

/// Where shard `n` is, site-relative, with `{shard}` standing for `n`. Written into the
/// manifest ([`Shards::path`]), where the worker and the pages read it.
pub const SHARD_PATH: &str = "/catalog/{shard}.json";

/// The manifest: everything about the price list but its books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`PRICE_LIST_VERSION`] for lists this code writes.
    pub version: u32,
    /// The shop's own origin (`https://books.example`), exactly as a browser on its pages
    /// sends it in `Origin`, made by the generator from `base_url`: the worker takes orders
    /// from this origin (and `ALLOWED_ORIGINS`), never from whatever `Host` a request names.
    pub origin: String,
    /// The currencies used, with their decimals, so a browser can format amounts exactly.
    pub currencies: BTreeMap<String, CurrencyEntry>,
    /// How the books are split into shards.
    pub shards: Shards,
}

/// The shard scheme of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shards {
    /// How many shards there are: a power of two, at least 1 ([`shard_count`]).
    pub count: u32,
    /// Where each is, site-relative: [`SHARD_PATH`], `{shard}` standing for its number.
    pub path: String,
}

/// One shard: the books whose id hashes to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Its number, `0..count`.
    pub shard: u32,
    /// The shard count it was made for: a reader whose manifest says another count (read
    /// while the watcher was rewriting both) has a shard of another scheme, not a missing book.
    pub count: u32,
    /// Its books by id (their file name without `.md`).
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

/// The books an order is priced from (all of them, or only those its ids name, gathered from
/// their shards by [`Manifest::price_list`]) and the shop's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceList {
    /// The shop's own origin: [`Manifest::origin`].
    pub origin: String,
    /// The books by id.
    pub books: BTreeMap<String, PriceListEntry>,
}

impl PriceList {
    /// A price list of the shop at `origin` with the given books.
    pub fn new(origin: impl Into<String>, books: BTreeMap<String, PriceListEntry>) -> PriceList {
        PriceList { origin: origin.into(), books }
    }

    /// The entry for a book id, if it is in the list.
    pub fn get(&self, id: &str) -> Option<&PriceListEntry> {
        self.books.get(id)
    }
}

/// The shard a book id is in, of `count` shards: FNV-1a (32-bit) over the id's UTF-8 bytes,
/// modulo `count`. Ids are ASCII (`book_id`), so the cart's JavaScript (`shardOf` in
/// `cart.js`) hashes the same bytes from char codes; a test runs it over a built shop.
pub fn shard_of(id: &str, count: u32) -> u32 {
    fnv1a_32(id.as_bytes()).checked_rem(count).unwrap_or(0)
}

/// FNV-1a, 32-bit: a few lines in any language, and spreads short ids evenly.
fn fnv1a_32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, b| (h ^ u32::from(*b)).wrapping_mul(0x0100_0193))
}

/// How many shards a list of `books` books has: the smallest power of two that keeps the
/// average at or under [`BOOKS_PER_SHARD`]; 1 for a shop of up to 128 books.
pub fn shard_count(books: usize) -> u32 {
    let needed = books.div_ceil(BOOKS_PER_SHARD).max(1).next_power_of_two();
    u32::try_from(needed).unwrap_or(1 << 31)
}

/// Where shard `n` is under `path` ([`Shards::path`]), site-relative.
pub fn shard_path(path: &str, n: u32) -> String {
    path.replace("{shard}", &n.to_string())
}

impl Manifest {
    /// The manifest of the shop at `origin` selling in `currencies`, its books split among
    /// `count` shards at [`SHARD_PATH`].
    pub fn new(origin: impl Into<String>, currencies: impl IntoIterator<Item = Currency>, count: u32) -> Manifest {
        let currencies =
            currencies.into_iter().map(|c| (c.code().to_owned(), CurrencyEntry { decimals: c.decimals() })).collect();
        Manifest {
            version: PRICE_LIST_VERSION,
            origin: origin.into(),
            currencies,
            shards: Shards { count, path: SHARD_PATH.to_owned() },
        }
    }

    /// Whether this code can read the list it describes: its version, a power-of-two shard
    /// count, and a site-relative shard path naming the shard.
    pub fn is_readable(&self) -> bool {
        self.version == PRICE_LIST_VERSION
            && self.shards.count.is_power_of_two()
            && self.shards.path.starts_with('/')
            && self.shards.path.contains("{shard}")
    }

    /// The shard `id` is in.
    pub fn shard_of(&self, id: &str) -> u32 {
        shard_of(id, self.shards.count)
    }

    /// Where shard `n` is, site-relative.
    pub fn shard_path(&self, n: u32) -> String {
        shard_path(&self.shards.path, n)
    }

    /// Whether `shard` is shard `n` of this manifest's scheme.
    pub fn holds(&self, n: u32, shard: &Shard) -> bool {
        shard.shard == n && shard.count == self.shards.count
    }

    /// The price list of the books `ids` name, each looked up in its own shard among
    /// `shards` (`(number, shard)`); an id in none of them is not in the list.
    pub fn price_list<'a>(&self, shards: &[(u32, &Shard)], ids: impl IntoIterator<Item = &'a str>) -> PriceList {
        let mut books = BTreeMap::new();
        for id in ids {
            let n = self.shard_of(id);
            if let Some(book) = shards.iter().find(|(m, _)| *m == n).and_then(|(_, shard)| shard.books.get(id)) {
                books.insert(id.to_owned(), book.clone());
            }
        }
        PriceList { origin: self.origin.clone(), books }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(amount: Amount) -> PriceListEntry {
        PriceListEntry {
            title: "T".into(),
            author: "A".into(),
            amount,
            currency: Currency::from_code("usd").expect("usd"),
            available: true,
            url: String::new(),
            cover: String::new(),
        }
    }

    #[test]
    fn the_shard_hash_is_the_published_fnv1a_32() {
        // The FNV reference's test vectors.
        assert_eq!(fnv1a_32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a_32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a_32(b"foobar"), 0xbf9c_f968);
        // Book ids, pinned: cart.js computes these too (tests/e2e/shards.test.mjs).
        assert_eq!(shard_of("working-in-public", 128), 54);
        assert_eq!(shard_of("art-of-doing-science-and-engineering", 128), 107);
        assert_eq!(shard_of("1984", 2), 1);
        assert_eq!(shard_of("anything", 1), 0);
        assert_eq!(shard_of("anything", 0), 0, "no shards is no panic");
    }

    #[test]
    fn shards_average_at_most_128_books_in_a_power_of_two() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(1), 1);
        assert_eq!(shard_count(128), 1);
        assert_eq!(shard_count(129), 2);
        assert_eq!(shard_count(10_000), 128);
        assert_eq!(shard_count(100_000), 1024);
        assert_eq!(shard_count(usize::MAX), 1 << 31);
    }

    #[test]
    fn a_manifest_prices_only_the_ids_asked_for_from_their_shards() {
        let manifest = Manifest::new("https://books.example", [Currency::from_code("usd").expect("usd")], 4);
        assert!(manifest.is_readable());
        assert_eq!(manifest.shard_path(3), "/catalog/3.json");
        let ids = ["a", "b", "c", "d", "e", "f"];
        let mut shards: Vec<Shard> = (0..4).map(|n| Shard { shard: n, count: 4, books: BTreeMap::new() }).collect();
        for (i, id) in ids.iter().enumerate() {
            let n = manifest.shard_of(id) as usize;
            shards[n].books.insert((*id).to_owned(), entry(100 + i as u64));
        }
        let of_b = manifest.shard_of("b");
        let held = [(of_b, &shards[of_b as usize])];
        assert!(manifest.holds(of_b, held[0].1));
        let list = manifest.price_list(&held, ["b", "zzz"]);
        assert_eq!(list.origin, "https://books.example");
        assert_eq!(list.books.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(list.get("b").map(|b| b.amount), Some(101));
        // A shard of another scheme is not the one this manifest means.
        assert!(!manifest.holds(of_b, &Shard { shard: of_b, count: 8, books: BTreeMap::new() }));
    }

    #[test]
    fn a_manifest_of_another_version_or_a_broken_scheme_is_unreadable() {
        let good = Manifest::new("https://books.example", [], 2);
        let mut old = good.clone();
        old.version = 1;
        let mut three = good.clone();
        three.shards.count = 3;
        let mut zero = good.clone();
        zero.shards.count = 0;
        let mut elsewhere = good.clone();
        elsewhere.shards.path = "https://elsewhere.example/{shard}.json".to_owned();
        for bad in [old, three, zero, elsewhere] {
            assert!(!bad.is_readable(), "{bad:?}");
        }
    }

    #[test]
    fn the_manifest_and_a_shard_round_trip_through_json() {
        let yen = Currency::from_code("jpy").expect("jpy");
        let manifest = Manifest::new("https://books.example", [yen], 1);
        let json = serde_json::to_string(&manifest).expect("serializes");
        assert_eq!(
            json,
            r#"{"version":2,"origin":"https://books.example","currencies":{"jpy":{"decimals":0}},"shards":{"count":1,"path":"/catalog/{shard}.json"}}"#
        );
        assert_eq!(serde_json::from_str::<Manifest>(&json).expect("parses"), manifest);
        let shard = Shard { shard: 0, count: 1, books: BTreeMap::from([("a".to_owned(), entry(2300))]) };
        let json = serde_json::to_string(&shard).expect("serializes");
        assert_eq!(serde_json::from_str::<Shard>(&json).expect("parses"), shard);
    }
}
