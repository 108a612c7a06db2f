//! The search index behind the box on every page, written with the site and read by the
//! theme's `search.js` with no server: a shopper downloads only the parts a query needs.
//!
//! - `/search/index.json`, the manifest (revalidated): the shard lists below, the field
//!   weights and the letters folding spells out. Its URL is [`MANIFEST_URL`], handed to the
//!   page as `site.search_index`.
//! - Term shards, `/search/x/n<i>.<hash>.json` (title, author, tags, ISBN: what ranks first)
//!   and `/search/x/w<i>.<hash>.json` (the words of the descriptions). All terms of a tier,
//!   sorted (as JavaScript compares strings), are cut into shards of about [`NAMES_SHARD`] or
//!   [`WORDS_SHARD`] bytes; the manifest lists each shard's first term, so a prefix is looked
//!   up in the one or two shards that can hold it. A shard maps each term to its postings:
//!   `{"cafe":[field, count, gap, gap, …, field, count, …]}`, book numbers delta-coded.
//! - The books table, `/search/x/b<i>.<hash>.json`: [`BOOKS_PER_CHUNK`] books a file, a book
//!   being `[id, title, author, price, url, cover, available]`; a result fetches only the
//!   chunks of the books it shows. A book's number is its place in catalog order.
//!
//! Shards are named after their bytes and cached for a year (`_headers`); an edited book
//! changes the files it touches, and the watcher writes only those. Text is folded
//! ([`fold`]) the same way on both sides, so `cafe` finds `Café`.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Result;

use pulldown_cmark::{Event, Parser};
use rayon::prelude::*;
use serde::Serialize;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::content::Book;
use crate::listing::{self, TagView};
use crate::render::{Output, Renderer, Write};

/// The manifest's URL: fixed, so pages need not change when the index does.
pub const MANIFEST_URL: &str = "/search/index.json";
/// The folder of the fingerprinted index files, cached as immutable (`_headers`).
pub const FILES_URL: &str = "/search/x/";
/// The search page (the box's `action`): every topic and the pages of titles A–Z
/// ([`TITLES_URL`]), so the box leads somewhere useful without JavaScript; with it, a query's
/// full results.
pub const PAGE_URL: &str = "/search/";
/// The format of the manifest and shards.
pub const VERSION: u32 = 1;
/// Books a table chunk holds: a result list of 8 fetches at most 8 chunks.
pub const BOOKS_PER_CHUNK: usize = 64;
/// Target size of a shard of the names tier, in bytes before compression.
pub const NAMES_SHARD: usize = 48 * 1024;
/// Target size of a shard of the descriptions' words, in bytes before compression.
pub const WORDS_SHARD: usize = 96 * 1024;
/// Longest term indexed, in bytes: longer runs are noise (hashes, URLs).
const MAX_TERM: usize = 40;

/// Where a term was found; its number is its code in the postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// The title.
    Title = 0,
    /// The author.
    Author = 1,
    /// A tag.
    Tag = 2,
    /// The ISBN, as its digits.
    Isbn = 3,
    /// The description's words.
    Description = 4,
}

/// Each field's weight, by code: a match in the title or author ranks first, then tags and
/// ISBN, then the description. A whole-word match counts twice a prefix's (in `search.js`).
pub const WEIGHTS: [u32; 5] = [10, 8, 4, 4, 1];

/// Letters that Unicode's compatibility decomposition keeps whole, spelled as a shopper
/// without them types them. Applied after lowercasing; sent to the page in the manifest.
pub const FOLDS: [(char, &str); 9] =
    [('ß', "ss"), ('æ', "ae"), ('œ', "oe"), ('ø', "o"), ('ł', "l"), ('đ', "d"), ('ð', "d"), ('þ', "th"), ('ı', "i")];

/// Text as the index keeps it: lowercase, compatibility-decomposed (NFKD), combining marks
/// dropped, [`FOLDS`] spelled out. `search.js` does the same with `toLowerCase`,
/// `normalize('NFKD')` and `\p{M}`.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let bare: String = text.to_lowercase().nfkd().filter(|c| !is_combining_mark(*c)).collect();
    let mut folded = String::with_capacity(bare.len());
    for c in bare.to_lowercase().chars() {
        match FOLDS.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => folded.push_str(to),
            None => folded.push(c),
        }
    }
    folded
}

/// The terms of a text: folded, then cut at every character that is not a letter or digit;
/// a hyphen between digits is dropped first, so an ISBN is one term (`9781732265172`).
pub fn terms(text: &str) -> Vec<String> {
    split(&folded(text)).map(str::to_owned).collect()
}

/// Text folded, hyphens between digits dropped: what [`split`] cuts into terms.
fn folded(text: &str) -> String {
    let folded = fold(text);
    if folded.contains('-') {
        join_digits(&folded)
    } else {
        folded
    }
}

/// The terms of folded text.
fn split(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty() && t.len() <= MAX_TERM)
}

/// `978-1-73` → `978173`: hyphens between digits dropped.
fn join_digits(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut joined = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_digits =
            i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !(c == '-' && between_digits) {
            joined.push(c);
        }
    }
    joined
}

/// The words a reader sees in a markdown description (no link targets, no markup).
fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(&t);
            text.push(' ');
        }
    }
    text
}

/// One book's terms by field, each term once per field.
fn book_terms(book: &Book) -> anyhow::Result<Vec<(String, Field)>> {
    let mut found: Vec<(String, Field)> = Vec::new();
    let mut add = |text: &str, field: Field| {
        let text = folded(text);
        let mut seen: Vec<&str> = split(&text).collect();
        seen.sort_unstable();
        seen.dedup();
        found.extend(seen.into_iter().map(|t| (t.to_owned(), field)));
    };
    add(&book.title, Field::Title);
    add(&book.author, Field::Author);
    for tag in &book.tags {
        add(tag, Field::Tag);
    }
    if let Some(isbn) = &book.isbn {
        add(isbn, Field::Isbn);
    }
    add(&plain_text(&book.description()?), Field::Description);
    found.sort_unstable();
    found.dedup();
    Ok(found)
}

/// Books whose words are read at once, before they are numbered.
const TERMS_BATCH: usize = 2048;

/// The site's search index, as files: site-relative path → contents.
pub struct Index {
    /// The manifest first, then every file whose bytes are new: all of them, unless the
    /// cache kept the last build ([`Cache::incremental`]).
    pub files: Vec<(String, String)>,
}

/// The manifest (`/search/index.json`).
#[derive(Serialize)]
struct Manifest {
    version: u32,
    books: usize,
    per_chunk: usize,
    /// The books table, chunk by chunk.
    chunks: Vec<String>,
    /// The names tier: [first term, file] per shard.
    names: Vec<(String, String)>,
    /// The descriptions' words: [first term, file] per shard.
    words: Vec<(String, String)>,
    weights: [u32; 5],
    fold: std::collections::BTreeMap<char, &'static str>,
}

/// What one build leaves for the next, so that a rebuild after an edit reads again only the
/// books that changed. Kept with the site in memory ([`crate::site::Site::search`]); whoever
/// replaces a book in the site says so with [`Cache::forget`].
#[derive(Default)]
pub struct Cache {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Each book's terms by book id, each a number in `terms` and its field packed in one
    /// `u32` ([`pack`]): four bytes a term, at 100,000 books tens of megabytes less.
    books: ById<Arc<[u32]>>,
    /// The terms the books forgotten since the last build had: what their edits changed.
    forgotten: ById<Arc<[u32]>>,
    /// The terms of books read ahead of the build that indexes them ([`Cache::read_ahead`]).
    read: ById<Arc<[u32]>>,
    /// Every term seen, by number; grows only.
    terms: Vec<Box<str>>,
    /// Each term's number.
    numbers: HashMap<Box<str>, u32>,
    /// Whether the last build's postings and shards are kept (the watcher), so the next
    /// build writes only what changed; a one-off build does not keep them (tens of
    /// megabytes at 100,000 books).
    incremental: bool,
    /// The last build, when kept.
    last: Option<index::Built>,
    /// Index files and pages of titles the last build stopped using, when it knew (it had
    /// a last build).
    stale: Option<Vec<String>>,
    /// Every title A–Z, kept by the watcher and patched with each edit: sorting 100,000
    /// folded titles again was tens of milliseconds.
    titles: Option<Titles>,
    /// The pages of titles the last build wrote (site-relative files), each with a
    /// fingerprint of what it shows: a page whose fingerprint is the same is not rendered
    /// again (at 100,000 books the pages are megabytes, and an edit changes one or two).
    title_pages: HashMap<String, u64>,
    /// A fingerprint of what the search page showed when last written.
    search_page: Option<u64>,
    /// A fingerprint of the letters every page of titles links, when last written.
    letters: Option<u64>,
}

/// A map by book id, hashed with FNV-1a: ids are short, and every rebuild looks up all
/// 100,000 of a large shop (SipHash was a tenth of a rebuild).
type ById<V> = HashMap<String, V, std::hash::BuildHasherDefault<catalog::digest::Fnv1a>>;

/// A term's number and its field in one `u32`: the field in the low bits.
const FIELD_BITS: u32 = 3;
const FIELD_MASK: u32 = (1 << FIELD_BITS) - 1;

fn pack(term: u32, field: Field) -> u32 {
    (term << FIELD_BITS) | field as u32
}

impl State {
    fn number(&mut self, term: String) -> u32 {
        if let Some(&n) = self.numbers.get(term.as_str()) {
            return n;
        }
        let n = self.terms.len() as u32;
        self.terms.push(term.clone().into_boxed_str());
        self.numbers.insert(term.into_boxed_str(), n);
        n
    }
}

impl Cache {
    /// A cache that keeps each build's postings and shards, for the watcher: a build after
    /// an edit then costs what the edit changed.
    pub fn incremental() -> Cache {
        Cache { state: Mutex::new(State { incremental: true, ..State::default() }) }
    }

    /// The book with this id changed or went: its terms are read again at the next build.
    pub fn forget(&self, id: &str) {
        if let Ok(mut state) = self.state.lock() {
            state.read.remove(id);
            if let Some(terms) = state.books.remove(id) {
                state.forgotten.entry(id.to_owned()).or_insert(terms);
            }
        }
    }

    /// Reads the terms of these books (forgotten, as they are now) for a later build: their
    /// files are read while they are the books the site holds. A build put off after an
    /// edit (the watcher's) would read them later, when the file may be broken or newer.
    pub fn read_ahead<'b>(&self, books: impl IntoIterator<Item = &'b Book>) -> anyhow::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for book in books {
            let numbered: Arc<[u32]> = book_terms(book)?.into_iter().map(|(t, f)| pack(state.number(t), f)).collect();
            state.read.insert(book.id.clone(), numbered);
        }
        Ok(())
    }

    /// Forgets everything but whether to keep builds: the next build reads every book and
    /// writes every file (after a failed rebuild, whose books were put back).
    pub fn reset(&self) {
        if let Ok(mut state) = self.state.lock() {
            *state = State { incremental: state.incremental, ..State::default() };
        }
    }

    /// The index files (site-relative) the last build stopped using, or `None` when it
    /// cannot tell (it had no build before it): then [`stale`] finds them in the output.
    pub fn take_stale(&self) -> Option<Vec<String>> {
        self.state.lock().ok()?.stale.take()
    }
}

impl Index {
    /// Builds the index of these books, in catalog order (a book's number is its place).
    pub fn build(books: &[Book]) -> anyhow::Result<Index> {
        Ok(Index::build_with(books, &Cache::default())?.0)
    }

    /// As [`Index::build`], reading only the books the `cache` does not know. Also says
    /// which books it read again or lost (by id), unless it read them all.
    pub fn build_with(books: &[Book], cache: &Cache) -> anyhow::Result<(Index, Option<Vec<String>>)> {
        let mut guard = cache.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let state = &mut *guard;
        // With its number: an edit's books are found in one pass over 100,000.
        let missing: Vec<(usize, &Book)> =
            books.iter().enumerate().filter(|(_, b)| !state.books.contains_key(&b.id)).collect();
        // Descriptions are read again from their files (a catalog never holds them all), and
        // a batch at a time is held as words before they are numbered: 100,000 books' words
        // at once would be hundreds of megabytes.
        let ahead = std::mem::take(&mut state.read);
        let (ready, unread): (Vec<_>, Vec<_>) = missing.iter().partition(|(_, b)| ahead.contains_key(&b.id));
        for (_, book) in ready {
            state.books.insert(book.id.clone(), ahead[&book.id].clone());
        }
        for batch in unread.chunks(TERMS_BATCH) {
            let read: Vec<Vec<(String, Field)>> =
                batch.par_iter().map(|(_, b)| book_terms(b)).collect::<anyhow::Result<_>>()?;
            for ((_, book), terms) in batch.iter().zip(read) {
                let numbered: Arc<[u32]> = terms.into_iter().map(|(t, f)| pack(state.number(t), f)).collect();
                state.books.insert(book.id.clone(), numbered);
            }
        }
        if state.books.len() > books.len() {
            let ids: std::collections::HashSet<&str> = books.iter().map(|b| b.id.as_str()).collect();
            state.books.retain(|id, _| ids.contains(id.as_str()));
        }
        // The books read again, by number, with the terms they had: an edit's whole change,
        // unless a book is new (then the build compares every term's postings).
        let forgotten = std::mem::take(&mut state.forgotten);
        let changed = (missing.len() < books.len()).then(|| {
            let mut ids: Vec<String> =
                forgotten.keys().cloned().chain(missing.iter().map(|(_, b)| b.id.clone())).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        });
        let edits: Option<index::Edits> = if missing.len() <= forgotten.len() {
            missing.iter().map(|(n, b)| forgotten.get(&b.id).map(|old| (*n, old.clone()))).collect()
        } else {
            None
        };
        let last = if state.incremental { state.last.take() } else { None };
        // A one-off build hands each book's terms over as its postings are counted, so the two
        // copies of every term of every book are never held at once (the build's peak).
        let incremental = state.incremental;
        let mut terms_of = |id: &str| if incremental { state.books.get(id).cloned() } else { state.books.remove(id) };
        let (made, built) = index::build(books, &state.terms, &mut terms_of, last, edits, incremental);
        if state.incremental {
            state.last = Some(built);
        }
        state.stale = made.stale;
        let manifest = Manifest {
            version: VERSION,
            books: books.len(),
            per_chunk: BOOKS_PER_CHUNK,
            chunks: made.chunks,
            names: made.names,
            words: made.words,
            weights: WEIGHTS,
            fold: FOLDS.into_iter().collect(),
        };
        let manifest = serde_json::to_string(&manifest).unwrap_or_default();
        let mut files = made.files;
        files.insert(0, (MANIFEST_URL.trim_start_matches('/').to_owned(), manifest));
        Ok((Index { files }, changed))
    }
}

/// How JavaScript orders strings (by UTF-16 code unit), so the page's comparisons agree.
fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A chunk of the books table: `[id, title, author, price, url, cover, available]` each.
fn table(books: &[Book]) -> String {
    let rows: Vec<_> = books
        .iter()
        .map(|b| {
            (
                &b.id,
                &b.title,
                &b.author,
                b.currency.display(b.amount),
                b.url(),
                crate::render::price_list_cover(b),
                u8::from(b.available),
            )
        })
        .collect();
    serde_json::to_string(&rows).unwrap_or_default()
}

/// A group of the A–Z list of titles, which has a page of its own ([`TITLES_URL`]`<key>/`):
/// a page of every book at 100,000 books would be megabytes, and so would its rendering.
#[derive(Serialize)]
pub struct Letter<'a> {
    /// `A`…`Z`, `0–9`, or `…` for titles in other scripts.
    pub letter: String,
    /// Its page's heading: `Titles A`, `Titles 0–9`, `Titles in other scripts`.
    pub heading: String,
    /// Its page: `/search/titles/a/`, `/search/titles/digits/`, `/search/titles/other/`.
    pub url: String,
    /// Its books, A–Z.
    pub books: Vec<Entry<'a>>,
}

/// A letter as the pages' A–Z navigation links it: without its books, so that a page's
/// context holds only the books it shows.
#[derive(Serialize, Hash)]
struct LetterLink {
    letter: String,
    url: String,
}

/// A book on a page of titles.
#[derive(Serialize)]
pub struct Entry<'a> {
    /// The title.
    pub title: &'a str,
    /// The author.
    pub author: &'a str,
    /// Its page.
    pub url: String,
}

/// The folder of the A–Z pages of titles, one per first letter.
pub const TITLES_URL: &str = "/search/titles/";

/// The group a title is listed under: its first letter or digit, folded (digits, then A–Z,
/// then titles in other scripts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Initial {
    Digit,
    Letter(char),
    Other,
}

impl Initial {
    fn of(folded: &str) -> Initial {
        match folded.chars().find(|c| c.is_alphanumeric()) {
            Some(c) if c.is_ascii_digit() => Initial::Digit,
            Some(c) if c.is_ascii_alphabetic() => Initial::Letter(c.to_ascii_uppercase()),
            _ => Initial::Other,
        }
    }

    fn link(self) -> LetterLink {
        let (letter, page) = match self {
            Initial::Digit => ("0–9".to_owned(), "digits".to_owned()),
            Initial::Letter(c) => (c.to_string(), c.to_ascii_lowercase().to_string()),
            Initial::Other => ("…".to_owned(), "other".to_owned()),
        };
        LetterLink { letter, url: format!("{TITLES_URL}{page}/") }
    }
}

/// A book as the pages of titles list it, in their order: by initial, folded title, id.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Title {
    initial: Initial,
    key: Box<str>,
    id: Box<str>,
    title: Box<str>,
    author: Box<str>,
}

impl Title {
    fn of(book: &Book) -> Title {
        let key = fold(&book.title);
        Title {
            initial: Initial::of(&key),
            key: key.into(),
            id: book.id.as_str().into(),
            title: book.title.as_str().into(),
            author: book.author.as_str().into(),
        }
    }
}

/// Every book's title A–Z ([`Title`]'s order).
struct Titles(Vec<Title>);

impl Titles {
    fn of(books: &[Book]) -> Titles {
        let mut titles: Vec<Title> = books.iter().map(Title::of).collect();
        titles.sort_unstable();
        Titles(titles)
    }

    /// Takes out the titles of the books with these ids and puts in those of `books` that
    /// have them now: the initials whose lists changed.
    fn patch(&mut self, ids: &[String], books: &[Book]) -> Vec<Initial> {
        let mut touched = Vec::new();
        self.0.retain(|t| {
            let gone = ids.binary_search_by(|id| id.as_str().cmp(&t.id)).is_ok();
            if gone {
                touched.push(t.initial);
            }
            !gone
        });
        for book in books.iter().filter(|b| ids.binary_search(&b.id).is_ok()) {
            let title = Title::of(book);
            touched.push(title.initial);
            let at = self.0.partition_point(|t| *t < title);
            self.0.insert(at, title);
        }
        touched.sort_unstable();
        touched.dedup();
        touched
    }

    /// The initials titles have, in order.
    fn initials(&self) -> Vec<Initial> {
        let mut initials: Vec<Initial> = Vec::new();
        for title in &self.0 {
            if initials.last() != Some(&title.initial) {
                initials.push(title.initial);
            }
        }
        initials
    }

    /// The group of titles under `initial`.
    fn letter(&self, initial: Initial) -> Letter<'_> {
        let from = self.0.partition_point(|t| t.initial < initial);
        let to = from + self.0[from..].partition_point(|t| t.initial == initial);
        let LetterLink { letter, url } = initial.link();
        let heading =
            if initial == Initial::Other { "Titles in other scripts".to_owned() } else { format!("Titles {letter}") };
        let books = self.0[from..to]
            .iter()
            .map(|t| Entry { title: &t.title, author: &t.author, url: crate::content::book_url(&t.id) })
            .collect();
        Letter { letter, heading, url, books }
    }
}

/// Every book A–Z by folded title, grouped by first letter (digits, then A–Z, then others).
#[cfg(test)]
fn a_to_z(books: &[Book]) -> Vec<(String, String, Vec<String>)> {
    let titles = Titles::of(books);
    let letters = titles.initials().into_iter().map(|i| titles.letter(i));
    letters.map(|l| (l.letter, l.url, l.books.iter().map(|b| b.title.to_owned()).collect())).collect()
}

/// The search page's template, optional: a theme without it gets no page (the index is
/// written all the same). It also makes the pages of titles, given `letter`.
pub const TEMPLATE: &str = "search.html";

/// Writes the index and, when the theme has [`TEMPLATE`], the search page (`letters`, the A–Z
/// pages of titles, and `tags`, every tag's list: these) and each page of titles
/// (`letters`, and `letter` with its books). Each page is written again only when what it
/// shows changed. Returns the number of pages the site has.
pub fn write(
    renderer: &Renderer<'_>,
    books: &[Book],
    tags: &[TagView<'_>],
    cache: &Cache,
    write: &Write<'_>,
) -> Result<usize> {
    let (index, changed) = Index::build_with(books, cache)?;
    for (rel, text) in index.files {
        write(&rel, Output::Text(text))?;
    }
    if !renderer.has(TEMPLATE) {
        return Ok(0);
    }
    let mut guard = cache.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let state = &mut *guard;
    let (titles, touched) = match (state.titles.take(), changed) {
        (Some(mut titles), Some(ids)) => {
            let touched = titles.patch(&ids, books);
            (titles, Some(touched))
        }
        _ => (Titles::of(books), None),
    };
    let initials = titles.initials();
    let links: Vec<LetterLink> = initials.iter().map(|i| i.link()).collect();
    let links_shown = fingerprint(&links);
    let page_shown = fingerprint(&(links_shown, tags));
    if state.search_page != Some(page_shown) {
        let html = renderer.page(TEMPLATE, PAGE_URL, &|c| {
            c.insert("letters", &links);
            c.insert("tags", tags);
        })?;
        write(&listing::file_of(PAGE_URL), Output::Text(html))?;
    }
    // Every page links every letter: when one came or went, all are looked at.
    let looked_at: Vec<Initial> = match touched {
        Some(touched) if state.letters == Some(links_shown) => {
            touched.into_iter().filter(|i| initials.contains(i)).collect()
        }
        _ => initials.clone(),
    };
    // One page at a time: each page's context is a copy of its books.
    for &initial in &looked_at {
        let letter = titles.letter(initial);
        let file = listing::file_of(&letter.url);
        let shown = fingerprint(&(
            links_shown,
            &letter.heading,
            letter.books.iter().map(|b| (b.title, b.author, &b.url)).collect::<Vec<_>>(),
        ));
        if state.title_pages.get(&file) != Some(&shown) {
            let html = renderer.page(TEMPLATE, &letter.url, &|c| {
                c.insert("letters", &links);
                c.insert("letter", &letter);
            })?;
            write(&file, Output::Text(html))?;
        }
        state.title_pages.insert(file, shown);
    }
    // A letter no title starts with any more: its page goes with the index's stale files.
    let files: Vec<String> = links.iter().map(|l| listing::file_of(&l.url)).collect();
    let gone: Vec<String> = state.title_pages.keys().filter(|f| !files.contains(f)).cloned().collect();
    for file in &gone {
        state.title_pages.remove(file);
    }
    if let Some(stale) = state.stale.as_mut() {
        stale.extend(gone);
    }
    state.search_page = Some(page_shown);
    state.letters = Some(links_shown);
    if state.incremental {
        state.titles = Some(titles);
    }
    Ok(1 + initials.len())
}

/// What a page shows, as one number.
fn fingerprint(shown: &impl Hash) -> u64 {
    let mut hash = catalog::digest::Fnv1a::default();
    shown.hash(&mut hash);
    hash.finish()
}

/// The index files and pages of titles in `output` that `written` (site-relative paths of a
/// rebuild) no longer has: an edit renames the shards whose bytes it changed, and may leave
/// a letter without titles. (Only after a build the cache knows nothing of, so one that
/// wrote every page of titles: see [`write`].)
pub fn stale(output: &Path, written: &[&str]) -> Vec<String> {
    let listed = |dir: &str, file: &str| -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(output.join(dir)) else { return Vec::new() };
        entries.filter_map(|e| e.ok()).map(|e| format!("{dir}/{}{file}", e.file_name().to_string_lossy())).collect()
    };
    let mut stale = listed(FILES_URL.trim_matches('/'), "");
    stale.extend(listed(TITLES_URL.trim_matches('/'), "/index.html"));
    stale.retain(|rel| !written.contains(&rel.as_str()));
    stale.sort();
    stale
}

mod index;
#[cfg(test)]
mod tests;
