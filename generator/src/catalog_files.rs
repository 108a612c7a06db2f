//! The files every book is in: the price list (`catalog.json`) and the sitemap. Each is
//! kept as one fragment per book, so that after an edit the watcher formats only the books
//! that changed and joins the rest (formatting 100,000 entries each time was most of a
//! rebuild), and writes a file only when one of its fragments changed. A full build makes
//! the same fragments and joins them the same way, so both write the same bytes.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result};
use catalog::price_list::{CurrencyEntry, PriceListEntry, PRICE_LIST_VERSION};
use rayon::prelude::*;

use crate::config::Config;
use crate::content::Book;
use crate::escape;
use crate::feeds;
use crate::render;

/// Each book's fragments, by id.
#[derive(Default)]
pub struct CatalogFiles {
    /// `"id":{…}`, the book's entry in the price list.
    prices: BTreeMap<String, String>,
    /// `  <url>…</url>\n`, the book's line in the sitemap.
    urls: HashMap<String, String>,
}

/// Which of the files a change touched.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Touched {
    /// The price list.
    pub prices: bool,
    /// The sitemap.
    pub sitemap: bool,
}

impl CatalogFiles {
    /// The fragments of every book.
    pub fn new(config: &Config, books: &[Book]) -> Result<CatalogFiles> {
        let made: Vec<(String, String, String)> = books
            .par_iter()
            .map(|book| Ok((book.id.clone(), price_part(book)?, url_part(config, book))))
            .collect::<Result<_>>()?;
        let mut files = CatalogFiles { prices: BTreeMap::new(), urls: HashMap::with_capacity(made.len()) };
        for (id, price, url) in made {
            files.prices.insert(id.clone(), price);
            files.urls.insert(id, url);
        }
        Ok(files)
    }

    /// Puts in the fragments of books that changed: `old` went, `new` came (an edited book
    /// is in both). `moved`: a book changed place in catalog order (the sitemap's order) or
    /// its tags (the sitemap lists each tag's page). Says which files must be written again.
    pub fn update(&mut self, config: &Config, old: &[&Book], new: &[&Book], moved: bool) -> Result<Touched> {
        let mut touched = Touched { prices: false, sitemap: moved };
        for book in old {
            if !new.iter().any(|n| n.id == book.id) {
                touched.prices |= self.prices.remove(&book.id).is_some();
                touched.sitemap |= self.urls.remove(&book.id).is_some();
            }
        }
        for book in new {
            let price = price_part(book)?;
            if self.prices.get(&book.id) != Some(&price) {
                self.prices.insert(book.id.clone(), price);
                touched.prices = true;
            }
            let url = url_part(config, book);
            if self.urls.get(&book.id) != Some(&url) {
                self.urls.insert(book.id.clone(), url);
                touched.sitemap = true;
            }
        }
        Ok(touched)
    }

    /// `catalog.json`: exactly what serde_json writes for [`catalog::PriceList`].
    pub fn price_list(&self, config: &Config, books: &[Book]) -> String {
        let currencies: BTreeMap<&str, CurrencyEntry> =
            books.iter().map(|b| (b.currency.code(), CurrencyEntry { decimals: b.currency.decimals() })).collect();
        let size: usize = self.prices.values().map(|p| p.len() + 1).sum();
        let mut json = String::with_capacity(size + 128);
        json.push_str(&format!("{{\"version\":{PRICE_LIST_VERSION},\"origin\":"));
        json.push_str(&serde_json::to_string(&config.origin).unwrap_or_default());
        json.push_str(",\"currencies\":");
        json.push_str(&serde_json::to_string(&currencies).unwrap_or_default());
        json.push_str(",\"books\":{");
        for (i, part) in self.prices.values().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(part);
        }
        json.push_str("}}");
        json
    }

    /// The sitemap's files (`sitemap.xml`, and the files it indexes in a shop too big for one):
    /// the catalog, each book in catalog order, each tag's list.
    pub fn sitemaps(&self, config: &Config, books: &[Book]) -> Vec<(String, String)> {
        let base = escape::xml(&config.base_url);
        let home = format!("  <url><loc>{base}/</loc></url>\n");
        let tags: Vec<String> = crate::listing::tags(books)
            .iter()
            .map(|tag| format!("  <url><loc>{base}{}</loc></url>\n", tag.url))
            .collect();
        let mut lines: Vec<&str> = Vec::with_capacity(books.len() + tags.len() + 1);
        lines.push(&home);
        lines.extend(books.iter().filter_map(|book| self.urls.get(&book.id)).map(String::as_str));
        lines.extend(tags.iter().map(String::as_str));
        feeds::sitemap_files(&config.base_url, &lines, feeds::SITEMAP_MAX_URLS)
    }

    /// The ids of the books it has fragments of.
    #[cfg(test)]
    fn ids(&self) -> std::collections::BTreeSet<&str> {
        self.prices.keys().map(String::as_str).collect()
    }
}

/// A book's part of the price list: `"id":{…}`.
fn price_part(book: &Book) -> Result<String> {
    let entry = PriceListEntry {
        title: book.title.clone(),
        author: book.author.clone(),
        amount: book.amount,
        currency: book.currency,
        available: book.available,
        url: book.url(),
        cover: render::price_list_cover(book),
    };
    let id = serde_json::to_string(&book.id).context("cannot write the price list")?;
    let entry = serde_json::to_string(&entry).context("cannot write the price list")?;
    Ok(format!("{id}:{entry}"))
}

/// A book's line in the sitemap.
fn url_part(config: &Config, book: &Book) -> String {
    let mut line = format!("  <url><loc>{}{}</loc>", escape::xml(&config.base_url), book.url());
    if let Some(date) = &book.published {
        line.push_str(&format!("<lastmod>{date}</lastmod>"));
    }
    line.push_str("</url>\n");
    line
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use catalog::price_list::PriceList;
    use catalog::Currency;

    use super::*;
    use crate::content::Body;

    fn book(id: &str, title: &str, amount: u64, currency: &str) -> Book {
        Book {
            id: id.to_owned(),
            path: Path::new("content/books").join(format!("{id}.md")),
            title: title.to_owned(),
            author: "A \"Quoted\" Writer".to_owned(),
            amount,
            currency: Currency::from_code(currency).expect("currency"),
            cover: None,
            isbn: None,
            published: Some("2020-05-26".to_owned()),
            tags: vec!["science".to_owned()],
            weight: 0,
            available: true,
            draft: false,
            body: Body { at: 0, digest: 0 },
            images: Vec::new(),
            summary: String::new(),
        }
    }

    /// What serde_json writes for the whole list, the format the worker reads.
    fn serde_price_list(books: &[Book]) -> String {
        let entries = books
            .iter()
            .map(|b| {
                let entry = PriceListEntry {
                    title: b.title.clone(),
                    author: b.author.clone(),
                    amount: b.amount,
                    currency: b.currency,
                    available: b.available,
                    url: b.url(),
                    cover: render::price_list_cover(b),
                };
                (b.id.clone(), entry)
            })
            .collect();
        serde_json::to_string(&PriceList::new("https://books.example", entries)).expect("json")
    }

    fn config() -> Config {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("site.toml");
        std::fs::write(&path, "title = \"T\"\nbase_url = \"https://books.example\"\n").expect("write");
        Config::load(&path, None).expect("config")
    }

    #[test]
    fn the_joined_price_list_is_byte_for_byte_serde_jsons() {
        let books = [book("b-book", "Bé «2»", 2300, "usd"), book("a-book", "Ā", 500, "jpy"), book("c", "C", 1, "eur")];
        let files = CatalogFiles::new(&config(), &books).expect("fragments");
        assert_eq!(files.price_list(&config(), &books), serde_price_list(&books));
        let parsed: PriceList =
            serde_json::from_str(&files.price_list(&config(), &books)).expect("the worker reads it");
        assert_eq!(parsed.books.len(), 3);
        assert_eq!(parsed.origin, "https://books.example");
        assert_eq!(files.ids().into_iter().collect::<Vec<_>>(), ["a-book", "b-book", "c"]);
    }

    #[test]
    fn an_update_says_which_files_changed() {
        let config = config();
        let mut books = vec![book("a", "A", 100, "usd"), book("b", "B", 200, "usd")];
        let mut files = CatalogFiles::new(&config, &books).expect("fragments");
        // A description edit: neither file.
        let same = books[0].clone();
        assert_eq!(files.update(&config, &[&books[0]], &[&same], false).expect("update"), Touched::default());
        // A new price: the price list only.
        let mut repriced = books[0].clone();
        repriced.amount = 150;
        let touched = files.update(&config, &[&books[0]], &[&repriced], false).expect("update");
        assert_eq!(touched, Touched { prices: true, sitemap: false });
        books[0] = repriced;
        assert_eq!(files.price_list(&config, &books), serde_price_list(&books));
        // A book gone: both.
        let gone = books.remove(1);
        assert_eq!(
            files.update(&config, &[&gone], &[], true).expect("update"),
            Touched { prices: true, sitemap: true }
        );
        assert_eq!(files.price_list(&config, &books), serde_price_list(&books));
        // A new title that moves a book in catalog order: the sitemap's order.
        let mut retitled = books[0].clone();
        retitled.title = "Z".to_owned();
        assert!(files.update(&config, &[&books[0]], &[&retitled], true).expect("update").sitemap);
        // One that keeps its place: only the price list (it has titles).
        retitled.title = "Y".to_owned();
        assert_eq!(
            files.update(&config, &[&books[0]], &[&retitled], false).expect("update"),
            Touched { prices: true, sitemap: false }
        );
    }
}
