//! Lists of books cut into pages: the catalog (`/`, `/page/2/`, …) and one list per tag
//! (`/tags/<slug>/`, `/tags/<slug>/page/2/`, …). A shop of 10,000 books is never one page.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::content::Book;
use crate::markdown::slugify;

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
    (1..=total_pages)
        .map(|number| {
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
        })
        .collect()
}

/// The URL of a tag's list.
pub fn tag_url(name: &str) -> String {
    format!("/tags/{}/", slugify(name))
}

/// Every tag with its books, by slug (so `Open Source` and `open source` are one tag).
pub fn tags(books: &[Book]) -> Vec<Tag<'_>> {
    let mut by_slug: BTreeMap<String, Tag<'_>> = BTreeMap::new();
    for (index, book) in books.iter().enumerate() {
        for name in &book.tags {
            let slug = slugify(name);
            if slug.is_empty() {
                continue;
            }
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
        format!("{}index.html", self.url.trim_start_matches('/'))
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

#[cfg(test)]
mod tests {
    use super::*;

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
