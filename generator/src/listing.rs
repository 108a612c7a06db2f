//! Lists of books cut into pages: the catalog (`/`, `/page/2/`, …) and one list per tag
//! (`/tags/<slug>/`, `/tags/<slug>/page/2/`, …). A shop of 10,000 books is never one page.
//! Tag slugs are [`slug::tag_slug`]'s, in every script; URLs carry them percent-encoded,
//! files under `public/` as written.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::content::Book;
use crate::diagnostic::Diagnostic;
use crate::front_matter;
use crate::slug;

/// Where a page of a list sits among its siblings (`paginator` in templates).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Paginator {
    /// 1-based number of this page.
    pub number: usize,
    /// How many pages the list has.
    pub total_pages: usize,
    /// The previous page's URL, if any.
    pub previous: Option<String>,
    /// The next page's URL, if any.
    pub next: Option<String>,
    /// Books in the whole list.
    pub total_books: usize,
}

/// A tag and the books that carry it.
#[derive(Debug)]
pub struct Tag<'a> {
    /// As an editor first wrote it.
    pub name: &'a str,
    /// Its list's URL, `/tags/<slug>/`.
    pub url: String,
    /// Its books, as indices into the catalog, in catalog order.
    pub books: Vec<usize>,
}

/// The URL of page `n` of the list at `base` (`/` or `/tags/x/`).
pub fn page_url(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_owned()
    } else {
        format!("{base}page/{n}/")
    }
}

/// The pages of a list of `total` items, `per_page` a page: (range of items, paginator).
pub fn paginate(base: &str, total: usize, per_page: usize) -> Vec<(std::ops::Range<usize>, Paginator)> {
    let total_pages = total.div_ceil(per_page).max(1);
    (1..=total_pages).map(|number| page_of(base, total, per_page, number)).collect()
}

/// Page `number` of a list of `total` items, `per_page` a page: (range of items, paginator).
fn page_of(base: &str, total: usize, per_page: usize, number: usize) -> (std::ops::Range<usize>, Paginator) {
    let total_pages = total.div_ceil(per_page).max(1);
    let start = (number - 1) * per_page;
    let range = start..(start + per_page).min(total);
    let paginator = Paginator {
        number,
        total_pages,
        previous: (number > 1).then(|| page_url(base, number - 1)),
        next: (number < total_pages).then(|| page_url(base, number + 1)),
        total_books: total,
    };
    (range, paginator)
}

/// The URL of a tag's list, percent-encoded (`/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/`).
pub fn tag_url(name: &str) -> String {
    format!("/tags/{}/", slug::url_segment(&slug::tag_slug(name)))
}

/// The file of the list page at `url`, site-relative (`tags/日本語/page/2/index.html`).
pub fn file_of(url: &str) -> String {
    format!("{}index.html", slug::decode_url_path(url).trim_start_matches('/'))
}

/// Each tag's slug, made once per spelling: a shop has a few hundred tags on 100,000 books.
#[derive(Default)]
struct Slugs<'a>(std::collections::HashMap<&'a str, String>);

impl<'a> Slugs<'a> {
    fn of(&mut self, name: &'a str) -> &str {
        self.0.entry(name).or_insert_with(|| slug::tag_slug(name))
    }
}

/// Tags that would get no page (no letters, digits or symbols) or share one by accident
/// (one slug, different spellings: `Sci-Fi` and `Sci.Fi`), each named with its file.
pub fn tag_problems(books: &[Book]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    // slug → (the first spelling, as written, and its file), and each spelling reported.
    let mut first: BTreeMap<String, (&str, &Path)> = BTreeMap::new();
    let mut reported: Vec<(String, String)> = Vec::new();
    let mut slugs = Slugs::default();
    for book in books {
        for name in &book.tags {
            let slug = slugs.of(name).to_owned();
            if slug.is_empty() {
                problems.push(
                    Diagnostic::new(&book.path, format!("the tag `{name}` has no letters or digits to name its page"))
                        .at_line(tags_line(&book.path))
                        .help("write the tag in words, or remove it"),
                );
                continue;
            }
            match first.entry(slug) {
                Entry::Vacant(e) => {
                    e.insert((name, &book.path));
                }
                Entry::Occupied(e) => {
                    let (other, other_path) = *e.get();
                    if name == other {
                        continue;
                    }
                    let spelling = slug::tag_spelling(name);
                    let pair = (e.key().clone(), spelling.clone());
                    if spelling == slug::tag_spelling(other) || reported.contains(&pair) {
                        continue;
                    }
                    problems.push(
                        Diagnostic::new(
                            &book.path,
                            format!(
                                "the tag `{name}` would share the page {} with the tag `{other}` of {}",
                                slug::decode_url_path(&tag_url(name)),
                                other_path.display()
                            ),
                        )
                        .at_line(tags_line(&book.path))
                        .help(
                            "spell them the same if they are one topic; if not, tell them apart by a letter or digit",
                        ),
                    );
                    reported.push(pair);
                }
            }
        }
    }
    problems
}

/// The line of `tags` in a book file, for a tag's problem (read again: only on error).
fn tags_line(path: &Path) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let split = front_matter::split(&text).ok()?;
    crate::messages::line_of_key(split.front, "tags").map(|line| line + split.front_line - 1)
}

/// Every tag with its books, by slug (so `Open Source` and `open source` are one tag).
pub fn tags(books: &[Book]) -> Vec<Tag<'_>> {
    let mut slugs = Slugs::default();
    for name in books.iter().flat_map(|b| &b.tags) {
        slugs.of(name);
    }
    let slugs = slugs.0;
    let mut by_slug: BTreeMap<&str, Tag<'_>> = BTreeMap::new();
    for (index, book) in books.iter().enumerate() {
        for name in &book.tags {
            let Some(slug) = slugs.get(name.as_str()).filter(|s| !s.is_empty()) else { continue };
            let tag = by_slug.entry(slug).or_insert_with(|| Tag { name, url: tag_url(name), books: Vec::new() });
            if tag.books.last() != Some(&index) {
                tag.books.push(index);
            }
        }
    }
    by_slug.into_values().collect()
}

/// A tag as templates see it (`tag` on a tag's list).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TagView<'a> {
    /// As an editor first wrote it.
    pub name: &'a str,
    /// Its list's URL.
    pub url: String,
}

/// One page of the catalog or of a tag's list, before rendering: which books it shows.
#[derive(Debug)]
pub struct ListPage<'a> {
    /// The page's URL (`/`, `/page/2/`, `/tags/x/`, …).
    pub url: String,
    /// The tag, on a tag's list.
    pub tag: Option<TagView<'a>>,
    /// Its books, as indices into the catalog, in order.
    pub books: Vec<usize>,
    /// Where it sits in its list.
    pub paginator: Paginator,
}

impl ListPage<'_> {
    /// The page's file, site-relative (`index.html`, `tags/x/page/2/index.html`).
    pub fn file(&self) -> String {
        file_of(&self.url)
    }
}

/// Every page of the catalog, then of each tag's list.
pub fn pages(books: &[Book], per_page: usize) -> Vec<ListPage<'_>> {
    let mut lists: Vec<(Option<TagView<'_>>, Vec<usize>)> = vec![(None, (0..books.len()).collect())];
    for tag in tags(books) {
        lists.push((Some(TagView { name: tag.name, url: tag.url }), tag.books));
    }
    let mut pages = Vec::new();
    for (tag, members) in lists {
        let base = tag.as_ref().map_or("/", |t| t.url.as_str());
        for (range, paginator) in paginate(base, members.len(), per_page) {
            pages.push(ListPage {
                url: page_url(base, paginator.number),
                tag: tag.clone(),
                books: members[range].to_vec(),
                paginator,
            });
        }
    }
    pages
}

/// Every tag's first spelling and books (indices, in catalog order), by slug: what
/// [`pages_showing`] finds a book's lists in. Right while no book moves, comes or goes and
/// no book's tags change (the watcher makes it again after such an edit).
pub struct TagIndex(HashMap<String, (String, Vec<usize>)>);

impl TagIndex {
    /// The tags of these books, as [`tags`] finds them.
    pub fn new(books: &[Book]) -> TagIndex {
        TagIndex(tags(books).into_iter().map(|t| (slug::tag_slug(t.name), (t.name.to_owned(), t.books))).collect())
    }
}

/// The pages of [`pages`] that show the book at `index`: its catalog page and its page of
/// each of its tags' lists, found in `tags` without making every list (what the watcher
/// re-renders after an edit that moves the book nowhere).
pub fn pages_showing<'a>(books: &[Book], tags: &'a TagIndex, per_page: usize, index: usize) -> Vec<ListPage<'a>> {
    let (range, paginator) = page_of("/", books.len(), per_page, index / per_page + 1);
    let mut pages =
        vec![ListPage { url: page_url("/", paginator.number), tag: None, books: range.collect(), paginator }];
    // In the order of their slugs, as `pages` lists them.
    let mut wanted: Vec<String> = books[index].tags.iter().map(|t| slug::tag_slug(t)).collect();
    wanted.sort();
    wanted.dedup();
    for (name, members) in wanted.iter().filter_map(|slug| tags.0.get(slug)) {
        let url = tag_url(name);
        let at = members.iter().position(|&i| i == index).unwrap_or_default();
        let (range, paginator) = page_of(&url, members.len(), per_page, at / per_page + 1);
        pages.push(ListPage {
            url: page_url(&url, paginator.number),
            tag: Some(TagView { name, url: url.clone() }),
            books: members[range].to_vec(),
            paginator,
        });
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_showing_a_book_are_those_every_list_has_for_it() {
        let tags = [&["a", "B"][..], &["b"], &[], &["A", "c"], &["c", "a"]];
        let books: Vec<Book> = (0..40)
            .map(|i| {
                let id = format!("book-{i:02}");
                Book {
                    path: Path::new("content/books").join(format!("{id}.md")),
                    id,
                    title: format!("Title {i}"),
                    author: "A".to_owned(),
                    amount: 100,
                    currency: catalog::Currency::from_code("usd").expect("currency"),
                    cover: None,
                    isbn: None,
                    published: None,
                    tags: tags[i % tags.len()].iter().map(|t| (*t).to_owned()).collect(),
                    weight: 0,
                    available: true,
                    draft: false,
                    body: crate::content::Body { at: 0, digest: 0 },
                    images: Vec::new(),
                    summary: String::new(),
                }
            })
            .collect();
        let all = pages(&books, 3);
        let index_of_tags = TagIndex::new(&books);
        for index in 0..books.len() {
            let showing = pages_showing(&books, &index_of_tags, 3, index);
            let expected: Vec<&ListPage<'_>> = all.iter().filter(|p| p.books.contains(&index)).collect();
            assert_eq!(showing.len(), expected.len(), "book {index}");
            for (page, other) in showing.iter().zip(expected) {
                assert_eq!(
                    (&page.url, &page.tag, &page.books, &page.paginator),
                    (&other.url, &other.tag, &other.books, &other.paginator),
                    "book {index}"
                );
            }
        }
    }

    #[test]
    fn lists_are_cut_into_linked_pages() {
        let pages = paginate("/", 50, 24);
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0].0, 0..24);
        assert_eq!(pages[2].0, 48..50);
        assert_eq!(pages[0].1.previous, None);
        assert_eq!(pages[0].1.next.as_deref(), Some("/page/2/"));
        assert_eq!(pages[1].1.previous.as_deref(), Some("/"));
        assert_eq!(pages[2].1.next, None);
        assert_eq!(paginate("/tags/x/", 0, 24).len(), 1, "an empty list still has its page");
    }
}
