//! The files every book is in: the price list (the manifest `catalog.json` and its shards,
//! `catalog/<n>.json`; `catalog::price_list` says why) and the sitemap. Each is kept as one
//! fragment per book, the price list's sorted by shard, so that after an edit the watcher
//! formats only the books that changed and joins only their shards (formatting 100,000
//! entries each time was most of a rebuild), and writes a file only when one of its fragments
//! changed. A full build makes the same fragments and joins them the same way, so both write
//! the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use catalog::price_list::{self, Manifest, PriceListEntry};
use catalog::PRICE_LIST_PATH;
use rayon::prelude::*;

use crate::config::Config;
use crate::content::Book;
use crate::escape;
use crate::feeds;
use crate::render::{self, Output, Write};

/// Each book's fragments, by id.
pub struct CatalogFiles {
    /// Per shard, `"id":{…}`, each of its books' entries; as many as
    /// [`price_list::shard_count`] says for the books there are.
    shards: Vec<BTreeMap<String, String>>,
    /// `  <url>…</url>\n`, the book's line in the sitemap, by id: the sitemap lists books in
    /// the order of their ids, which no edit but a new or deleted book changes (in catalog
    /// order, a new title or weight rewrote megabytes at 100,000 books).
    urls: BTreeMap<String, String>,
}

/// Which of the files a change touched.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Touched {
    /// The price list's shards to write again (each one when the shard count changed; the
    /// manifest with them).
    pub shards: BTreeSet<u32>,
    /// Shard files of a larger count that no longer exist, site-relative.
    pub gone: Vec<String>,
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
        let count = price_list::shard_count(made.len());
        let mut files = CatalogFiles { shards: (0..count).map(|_| BTreeMap::new()).collect(), urls: BTreeMap::new() };
        for (id, price, url) in made {
            files.shard_mut(&id).insert(id.clone(), price);
            files.urls.insert(id, url);
        }
        Ok(files)
    }

    /// Puts in the fragments of books that changed: `old` went, `new` came (an edited book
    /// is in both). `tags_changed`: a tag came or went (the sitemap lists each tag's page).
    /// Says which files must be written again.
    pub fn update(&mut self, config: &Config, old: &[&Book], new: &[&Book], tags_changed: bool) -> Result<Touched> {
        let mut touched = Touched { sitemap: tags_changed, ..Touched::default() };
        for book in old {
            if !new.iter().any(|n| n.id == book.id) {
                if self.shard_mut(&book.id).remove(&book.id).is_some() {
                    touched.shards.insert(self.shard_of(&book.id));
                }
                touched.sitemap |= self.urls.remove(&book.id).is_some();
            }
        }
        for book in new {
            let price = price_part(book)?;
            if self.shard_mut(&book.id).get(&book.id) != Some(&price) {
                self.shard_mut(&book.id).insert(book.id.clone(), price);
                touched.shards.insert(self.shard_of(&book.id));
            }
            let url = url_part(config, book);
            if self.urls.get(&book.id) != Some(&url) {
                self.urls.insert(book.id.clone(), url);
                touched.sitemap = true;
            }
        }
        let before = self.count();
        let count = price_list::shard_count(self.shards.iter().map(BTreeMap::len).sum());
        if count != before {
            // Past a power of two every book moves: a new count, all shards anew.
            let all: Vec<(String, String)> = std::mem::take(&mut self.shards).into_iter().flatten().collect();
            self.shards = (0..count).map(|_| BTreeMap::new()).collect();
            for (id, price) in all {
                self.shard_mut(&id).insert(id, price);
            }
            touched.shards = (0..count).collect();
            touched.gone = (count..before).map(shard_file).collect();
        }
        Ok(touched)
    }

    /// Writes the price list: the manifest and each shard in `shards`, one at a time (a
    /// shard's text is dropped before the next is made).
    pub fn write_price_list(
        &self,
        config: &Config,
        books: &[Book],
        shards: impl IntoIterator<Item = u32>,
        write: &Write<'_>,
    ) -> Result<()> {
        write(PRICE_LIST_PATH.trim_start_matches('/'), Output::Text(self.manifest(config, books)?))?;
        for n in shards {
            write(&shard_file(n), Output::Text(self.shard(n)))?;
        }
        Ok(())
    }

    /// How many shards the price list has.
    pub fn count(&self) -> u32 {
        u32::try_from(self.shards.len()).unwrap_or(u32::MAX)
    }

    /// `catalog.json`: the manifest, as serde_json writes [`Manifest`].
    fn manifest(&self, config: &Config, books: &[Book]) -> Result<String> {
        let manifest = Manifest::new(config.origin.clone(), books.iter().map(|b| b.currency), self.count());
        serde_json::to_string(&manifest).context("cannot write the price list")
    }

    /// Shard `n`: exactly what serde_json writes for [`catalog::Shard`].
    fn shard(&self, n: u32) -> String {
        let Some(parts) = self.shards.get(n as usize) else {
            return String::new();
        };
        let size: usize = parts.values().map(|p| p.len() + 1).sum();
        let mut json = String::with_capacity(size + 64);
        json.push_str(&format!("{{\"shard\":{n},\"count\":{},\"books\":{{", self.count()));
        for (i, part) in parts.values().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(part);
        }
        json.push_str("}}");
        json
    }

    fn shard_of(&self, id: &str) -> u32 {
        price_list::shard_of(id, self.count())
    }

    fn shard_mut(&mut self, id: &str) -> &mut BTreeMap<String, String> {
        // In range: `shards` is never empty (shard_count ≥ 1) and shard_of < its length.
        let n = self.shard_of(id) as usize;
        &mut self.shards[n]
    }

    /// The sitemap's files (`sitemap.xml`, and the files it indexes in a shop too big for one):
    /// the catalog, each book by id, each tag's list (`tag_urls`, as [`crate::listing::tags`]
    /// orders them).
    pub fn sitemaps<'u>(&self, config: &Config, tag_urls: impl Iterator<Item = &'u str>) -> Vec<(String, String)> {
        let base = escape::xml(&config.base_url);
        let home = format!("  <url><loc>{base}/</loc></url>\n");
        let tags: Vec<String> = tag_urls.map(|url| format!("  <url><loc>{base}{url}</loc></url>\n")).collect();
        let mut lines: Vec<&str> = Vec::with_capacity(self.urls.len() + tags.len() + 1);
        lines.push(&home);
        lines.extend(self.urls.values().map(String::as_str));
        lines.extend(tags.iter().map(String::as_str));
        feeds::sitemap_files(&config.base_url, &lines, feeds::SITEMAP_MAX_URLS)
    }

    /// The ids of the books it has fragments of.
    #[cfg(test)]
    fn ids(&self) -> BTreeSet<&str> {
        self.shards.iter().flat_map(BTreeMap::keys).map(String::as_str).collect()
    }
}

/// Where shard `n` is written, relative to the output folder.
fn shard_file(n: u32) -> String {
    price_list::shard_path(price_list::SHARD_PATH, n).trim_start_matches('/').to_owned()
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

    use std::sync::Mutex;

    use catalog::price_list::Shard;
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

    fn entry(b: &Book) -> PriceListEntry {
        PriceListEntry {
            title: b.title.clone(),
            author: b.author.clone(),
            amount: b.amount,
            currency: b.currency,
            available: b.available,
            url: b.url(),
            cover: render::price_list_cover(b),
        }
    }

    /// What serde_json writes for the whole list, the format the worker and the cart read:
    /// file → text.
    fn serde_price_list(books: &[Book]) -> BTreeMap<String, String> {
        let count = price_list::shard_count(books.len());
        let manifest = Manifest::new("https://books.example", books.iter().map(|b| b.currency), count);
        let mut files = BTreeMap::from([("catalog.json".to_owned(), serde_json::to_string(&manifest).expect("json"))]);
        for n in 0..count {
            let books = books
                .iter()
                .filter(|b| price_list::shard_of(&b.id, count) == n)
                .map(|b| (b.id.clone(), entry(b)))
                .collect();
            files.insert(shard_file(n), serde_json::to_string(&Shard { shard: n, count, books }).expect("json"));
        }
        files
    }

    /// What `write_price_list` writes of `shards`: file → text.
    fn written(
        files: &CatalogFiles,
        books: &[Book],
        shards: impl IntoIterator<Item = u32>,
    ) -> BTreeMap<String, String> {
        let out = Mutex::new(BTreeMap::new());
        let write = |rel: &str, output: Output<'_>| -> Result<()> {
            let Output::Text(text) = output else { panic!("{rel} is text") };
            out.lock().expect("lock").insert(rel.to_owned(), text);
            Ok(())
        };
        files.write_price_list(&config(), books, shards, &write).expect("written");
        out.into_inner().expect("lock")
    }

    fn config() -> Config {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("site.toml");
        std::fs::write(&path, "title = \"T\"\nbase_url = \"https://books.example\"\n").expect("write");
        Config::load(&path, None).expect("config")
    }

    fn many(n: usize) -> Vec<Book> {
        (0..n).map(|i| book(&format!("book-{i}"), &format!("Book {i}"), 100 + i as u64, "usd")).collect()
    }

    #[test]
    fn the_joined_price_list_is_byte_for_byte_serde_jsons() {
        let books = [book("b-book", "Bé «2»", 2300, "usd"), book("a-book", "Ā", 500, "jpy"), book("c", "C", 1, "eur")];
        let files = CatalogFiles::new(&config(), &books).expect("fragments");
        assert_eq!(files.count(), 1);
        let written = written(&files, &books, 0..files.count());
        assert_eq!(written, serde_price_list(&books));
        let shard: Shard = serde_json::from_str(&written["catalog/0.json"]).expect("the worker reads it");
        assert_eq!(shard.books.len(), 3);
        let manifest: Manifest = serde_json::from_str(&written["catalog.json"]).expect("the worker reads it");
        assert_eq!(manifest.origin, "https://books.example");
        assert_eq!(files.ids().into_iter().collect::<Vec<_>>(), ["a-book", "b-book", "c"]);
    }

    #[test]
    fn a_larger_list_is_split_into_shards_each_book_in_the_one_its_id_hashes_to() {
        let books = many(300);
        let files = CatalogFiles::new(&config(), &books).expect("fragments");
        assert_eq!(files.count(), 4);
        let written = written(&files, &books, 0..files.count());
        assert_eq!(written, serde_price_list(&books));
        let held: usize =
            (0..4).map(|n| serde_json::from_str::<Shard>(&written[&shard_file(n)]).expect("shard").books.len()).sum();
        assert_eq!(held, 300);
    }

    #[test]
    fn an_update_says_which_files_changed() {
        let config = config();
        let mut books = vec![book("a", "A", 100, "usd"), book("b", "B", 200, "usd")];
        let mut files = CatalogFiles::new(&config, &books).expect("fragments");
        // A description edit: neither file.
        let same = books[0].clone();
        assert_eq!(files.update(&config, &[&books[0]], &[&same], false).expect("update"), Touched::default());
        // A new price: the book's shard only.
        let mut repriced = books[0].clone();
        repriced.amount = 150;
        let touched = files.update(&config, &[&books[0]], &[&repriced], false).expect("update");
        assert_eq!(touched, Touched { shards: BTreeSet::from([0]), ..Touched::default() });
        books[0] = repriced;
        assert_eq!(written(&files, &books, touched.shards), serde_price_list(&books));
        // A book gone: both.
        let gone = books.remove(1);
        assert_eq!(
            files.update(&config, &[&gone], &[], false).expect("update"),
            Touched { shards: BTreeSet::from([0]), gone: Vec::new(), sitemap: true }
        );
        assert_eq!(written(&files, &books, [0]), serde_price_list(&books));
        // A new title, which may move the book in catalog order: only the price list (it has
        // titles); the sitemap lists books by id.
        let mut retitled = books[0].clone();
        retitled.title = "Z".to_owned();
        assert_eq!(
            files.update(&config, &[&books[0]], &[&retitled], false).expect("update"),
            Touched { shards: BTreeSet::from([0]), ..Touched::default() }
        );
        // A tag that came or went: the sitemap.
        assert!(files.update(&config, &[&retitled], &[&retitled], true).expect("update").sitemap);
    }

    #[test]
    fn an_edit_rewrites_one_shard_and_a_new_shard_count_rewrites_them_all() {
        let config = config();
        let mut books = many(256);
        let mut files = CatalogFiles::new(&config, &books).expect("fragments");
        assert_eq!(files.count(), 2);
        let mut repriced = books[7].clone();
        repriced.amount += 1;
        let touched = files.update(&config, &[&books[7]], &[&repriced], false).expect("update");
        assert_eq!(touched.shards, BTreeSet::from([price_list::shard_of(&books[7].id, 2)]));
        books[7] = repriced;
        // The 257th book: four shards, every one written.
        let new = book("book-256", "New", 999, "usd");
        let touched = files.update(&config, &[], &[&new], false).expect("update");
        assert_eq!(touched.shards, (0..4).collect());
        books.push(new);
        assert_eq!(written(&files, &books, touched.shards), serde_price_list(&books));
        // And back: shards 2 and 3 go.
        let gone = books.pop().expect("a book");
        let touched = files.update(&config, &[&gone], &[], false).expect("update");
        assert_eq!(
            (touched.shards, touched.gone),
            ((0..2).collect(), vec!["catalog/2.json".to_owned(), "catalog/3.json".to_owned()])
        );
        assert_eq!(written(&files, &books, 0..2), serde_price_list(&books));
    }
}
