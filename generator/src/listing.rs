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
    /// Books in the whole list, on its first page only: a book added or removed then
    /// rewrites that page and those after its place, not every page of the list (a tag's
    /// list is hundreds of pages in a large shop).
    pub total_books: Option<usize>,
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
        total_books: (number == 1).then_some(total),
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

/// Every tag as [`tags`] lists them, without its books.
pub fn tag_views(books: &[Book]) -> Vec<TagView<'_>> {
    tags(books).into_iter().map(|t| TagView { name: t.name, url: t.url }).collect()
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
    /// Shows none of the places an edit touched and is not its list's first page: it
    /// changed only because books moved up or down a place. An editor looks at the other
    /// pages after a save; the watcher may write these after them (a book added to a
    /// large shop moves thousands). Always false in a full build.
    pub moved_only: bool,
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
                moved_only: false,
            });
        }
    }
    pages
}

/// Where books left and joined the catalog in one edit. The books it did not touch keep
/// their order in every list, so a list can differ only between the first and the last
/// place touched, and after them too when its length changed.
pub struct Edit<'b> {
    /// How many books the catalog had before.
    pub before: usize,
    /// Each changed book's place before the edit and what it was then, by place.
    pub gone: Vec<(usize, &'b Book)>,
    /// Each changed book's place after the edit, in order.
    pub came: Vec<usize>,
}

impl Edit<'_> {
    /// Whether books changed places in the catalog (one came, went or moved): the books
    /// after them are numbered anew.
    pub fn moves_books(&self) -> bool {
        self.gone.iter().map(|&(i, _)| i).ne(self.came.iter().copied())
    }
}

/// How many pages a list of `len` books has: the catalog one even when empty, a tag's list
/// none (it goes with its last book).
fn page_count(len: usize, per_page: usize, tag: bool) -> usize {
    if tag && len == 0 {
        0
    } else {
        len.div_ceil(per_page).max(1)
    }
}

/// Every tag's first spelling and books (indices, in catalog order), by slug: what the
/// watcher finds an edit's list pages in without making every list.
#[derive(Clone)]
pub struct TagIndex(HashMap<String, (String, Vec<usize>)>);

impl TagIndex {
    /// The tags of these books, as [`tags`] finds them.
    pub fn new(books: &[Book]) -> TagIndex {
        TagIndex(tags(books).into_iter().map(|t| (slug::tag_slug(t.name), (t.name.to_owned(), t.books))).collect())
    }

    /// The index of `books` after `edit`, made from this one (of the books before it) in
    /// time with the tags of the changed books, not with the catalog.
    pub fn after(&self, books: &[Book], edit: &Edit<'_>) -> TagIndex {
        let mut index = self.clone();
        let tags = &mut index.0;
        let mut touched = Vec::new();
        for &(i, old) in &edit.gone {
            for slug in slugs_of(old) {
                if let Some((_, members)) = tags.get_mut(&slug) {
                    if let Ok(at) = members.binary_search(&i) {
                        members.remove(at);
                    }
                }
                touched.push(slug);
            }
        }
        if edit.moves_books() {
            let new_place = unchanged_places(edit);
            for (_, members) in tags.values_mut() {
                for i in members.iter_mut() {
                    *i = new_place[*i] as usize;
                }
            }
        }
        for &j in &edit.came {
            for slug in slugs_of(&books[j]) {
                let (_, members) = tags.entry(slug.clone()).or_default();
                members.insert(members.partition_point(|&k| k < j), j);
                touched.push(slug);
            }
        }
        // A tag is named as its first book spells it, and goes with its last book.
        for slug in touched {
            match tags.get_mut(&slug) {
                Some((_, members)) if members.is_empty() => {
                    tags.remove(&slug);
                }
                Some((name, members)) => {
                    let first = books[members[0]].tags.iter().find(|t| slug::tag_slug(t) == slug);
                    *name = first.cloned().unwrap_or_default();
                }
                None => {}
            }
        }
        index
    }

    /// Every tag as [`tags`] lists them (by slug), without its books.
    pub fn views(&self) -> Vec<TagView<'_>> {
        let mut slugs: Vec<(&String, &String)> = self.0.iter().map(|(slug, (name, _))| (slug, name)).collect();
        slugs.sort_unstable();
        slugs.into_iter().map(|(_, name)| TagView { name, url: tag_url(name) }).collect()
    }

    /// Page `number` of the list of the tag with `slug` (of the catalog, for `None`), as it
    /// is now; `None` if the list has no such page.
    pub fn page(&self, slug: Option<&str>, number: usize, catalog: usize, per_page: usize) -> Option<ListPage<'_>> {
        let (tag, base, total) = match slug {
            None => (None, "/".to_owned(), catalog),
            Some(slug) => {
                let (name, members) = self.0.get(slug)?;
                (Some(TagView { name, url: tag_url(name) }), tag_url(name), members.len())
            }
        };
        if number == 0 || number > page_count(total, per_page, tag.is_some()) {
            return None;
        }
        let (range, paginator) = page_of(&base, total, per_page, number);
        let books = match slug {
            None => range.collect(),
            Some(slug) => self.0[slug].1[range].to_vec(),
        };
        Some(ListPage { url: page_url(&base, number), tag, books, paginator, moved_only: false })
    }

    /// Whether both have the same tags (whatever their books).
    pub fn same_tags(&self, other: &TagIndex) -> bool {
        self.0.len() == other.0.len() && self.0.keys().all(|slug| other.0.contains_key(slug))
    }

    /// Whether these tags (of the books an edit changed) could be a problem for
    /// [`tag_problems`]: one has no slug, or is spelled other than its slug's first
    /// spelling here or among them. Cheap: an edit's tags are checked against the whole
    /// site only then.
    pub fn may_have_problems<'a>(&self, tags: impl Iterator<Item = &'a str>) -> bool {
        let mut spelled: HashMap<String, &'a str> = HashMap::new();
        tags.into_iter().any(|tag| {
            let slug = slug::tag_slug(tag);
            let first = self.0.get(&slug).map(|(name, _)| name.as_str());
            let other = first.or_else(|| spelled.get(&slug).copied()).filter(|other| *other != tag);
            let clash = other.is_some_and(|other| slug::tag_spelling(other) != slug::tag_spelling(tag));
            spelled.entry(slug.clone()).or_insert(tag);
            slug.is_empty() || clash
        })
    }
}

/// A book's tags' slugs, each once.
fn slugs_of(book: &Book) -> Vec<String> {
    let mut slugs: Vec<String> = book.tags.iter().map(|t| slug::tag_slug(t)).filter(|s| !s.is_empty()).collect();
    slugs.sort();
    slugs.dedup();
    slugs
}

/// By place before `edit`, where each book it did not touch is after it (`u32::MAX` for
/// those it did): they keep their order and fill the places the changed books left free.
fn unchanged_places(edit: &Edit<'_>) -> Vec<u32> {
    let mut places = vec![u32::MAX; edit.before];
    let (mut gone, mut came) = (edit.gone.iter().map(|&(i, _)| i).peekable(), edit.came.iter().peekable());
    let mut next = 0;
    for (i, place) in places.iter_mut().enumerate() {
        if gone.next_if_eq(&i).is_some() {
            continue;
        }
        while came.next_if_eq(&&next).is_some() {
            next += 1;
        }
        *place = next as u32;
        next += 1;
    }
    places
}

/// The list pages `edit` may have changed, of the catalog and of each tag its books had or
/// have (every other page shows what it showed), and the URLs of the pages it made go.
/// `before` and `after` are the tags before and after the edit ([`TagIndex::after`]).
pub fn pages_changed_by<'t>(
    books: &[Book],
    before: &TagIndex,
    after: &'t TagIndex,
    edit: &Edit<'_>,
    per_page: usize,
) -> (Vec<ListPage<'t>>, Vec<String>) {
    let mut changes = ListChanges { per_page, pages: Vec::new(), gone: Vec::new() };
    let places = edit.gone.iter().map(|&(i, _)| i).chain(edit.came.iter().copied());
    changes.list("/", None, (edit.before, books.len()), places, |range| range.collect());
    let mut slugs: Vec<String> =
        edit.gone.iter().map(|&(_, b)| b).chain(edit.came.iter().map(|&j| &books[j])).flat_map(slugs_of).collect();
    slugs.sort();
    slugs.dedup();
    for slug in &slugs {
        let (old_name, old) = before.0.get(slug).map_or(("", &[][..]), |(n, m)| (n.as_str(), m.as_slice()));
        let (name, new) = after.0.get(slug).map_or(("", &[][..]), |(n, m)| (n.as_str(), m.as_slice()));
        let old_ranks = edit.gone.iter().filter_map(|(i, _)| old.binary_search(i).ok());
        let new_ranks = edit.came.iter().filter_map(|j| new.binary_search(j).ok());
        // Every page shows the tag's name: a new first spelling changes them all.
        let renamed = (!old.is_empty() && !new.is_empty() && old_name != name).then_some(0);
        let url = tag_url(if name.is_empty() { old_name } else { name });
        let tag = TagView { name, url: url.clone() };
        let ranks = old_ranks.chain(new_ranks).chain(renamed).chain(renamed.map(|_| new.len().max(1) - 1));
        changes.list(&url, Some(tag), (old.len(), new.len()), ranks, |range| new[range].to_vec());
    }
    (changes.pages, changes.gone)
}

/// [`pages_changed_by`]'s pages, list by list.
struct ListChanges<'t> {
    per_page: usize,
    pages: Vec<ListPage<'t>>,
    gone: Vec<String>,
}

impl<'t> ListChanges<'t> {
    /// The pages of the list at `base`, `(before, now)` books long, that can differ after
    /// an edit of the books at `ranks` (their places in the list before and after it);
    /// `members` gives the books in a range of the list now.
    fn list(
        &mut self,
        base: &str,
        tag: Option<TagView<'t>>,
        (before, now): (usize, usize),
        ranks: impl Iterator<Item = usize>,
        members: impl Fn(std::ops::Range<usize>) -> Vec<usize>,
    ) {
        let ranks: Vec<usize> = ranks.collect();
        let (Some(&lo), Some(&hi)) = (ranks.iter().min(), ranks.iter().max()) else { return };
        let count = |len: usize| page_count(len, self.per_page, tag.is_some());
        // Pages after a book that came or went shift. Every paginator says how many pages
        // there are, the first one how many books.
        let (first, last) = match (before == now, count(before) == count(now)) {
            (true, _) => (lo / self.per_page + 1, hi / self.per_page + 1),
            (false, true) => (lo / self.per_page + 1, count(now)),
            (false, false) => (1, count(now)),
        };
        let first_page = (before != now && first > 1).then_some(1);
        for number in first_page.into_iter().chain(first..=last.min(count(now))) {
            let (range, paginator) = page_of(base, now, self.per_page, number);
            // A page the list did not have before is new, not moved: written with the edit.
            let moved_only =
                number > 1 && number <= count(before) && !ranks.iter().any(|r| r / self.per_page + 1 == number);
            self.pages.push(ListPage {
                url: page_url(base, number),
                tag: tag.clone(),
                books: members(range),
                paginator,
                moved_only,
            });
        }
        self.gone.extend((count(now) + 1..=count(before)).map(|number| page_url(base, number)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(i: usize, weight: i64, tags: &[&str]) -> Book {
        let id = format!("book-{i:02}");
        Book {
            path: Path::new("content/books").join(format!("{id}.md")),
            id,
            title: format!("Title {i:02}"),
            author: "A".to_owned(),
            amount: 100,
            currency: catalog::Currency::from_code("usd").expect("currency"),
            cover: None,
            isbn: None,
            published: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            weight,
            available: true,
            draft: false,
            body: crate::content::Body { at: 0, digest: 0 },
            images: Vec::new(),
            summary: String::new(),
        }
    }

    /// What a page shows: its URL, tag, books (by id) and paginator.
    fn shown(books: &[Book], page: &ListPage<'_>) -> (String, Option<(String, String)>, Vec<String>, Paginator) {
        let ids = page.books.iter().map(|&i| books[i].id.clone()).collect();
        let tag = page.tag.as_ref().map(|t| (t.name.to_owned(), t.url.clone()));
        (page.url.clone(), tag, ids, page.paginator.clone())
    }

    /// Applies `changes` (a book's number and its new version, or none) to a catalog and
    /// checks that the pages found changed are exactly those that differ from before.
    fn check_edit(before: &[Book], changes: &[(usize, Option<Book>)]) {
        let per_page = 3;
        let mut after: Vec<Book> = before.to_vec();
        let mut gone = Vec::new();
        for (i, new) in changes {
            let id = format!("book-{i:02}");
            if let Some(place) = before.iter().position(|b| b.id == id) {
                gone.push((place, &before[place]));
            }
            after.retain(|b| b.id != id);
            after.extend(new.clone());
        }
        crate::content::sort(&mut after);
        let came: Vec<usize> = changes
            .iter()
            .filter_map(|(i, _)| after.iter().position(|b| b.id == format!("book-{i:02}")))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        gone.sort_by_key(|&(i, _)| i);
        let edit = Edit { before: before.len(), gone, came };
        let old_index = TagIndex::new(before);
        let new_index = old_index.after(&after, &edit);
        let mut expected_index: Vec<_> = TagIndex::new(&after).0.into_iter().collect();
        let mut index: Vec<_> = new_index.0.clone().into_iter().collect();
        expected_index.sort();
        index.sort();
        assert_eq!(index, expected_index, "the tags after {changes:?}");
        assert_eq!(new_index.views(), tag_views(&after), "the tags after {changes:?}, as listed");

        let (found, gone_urls) = pages_changed_by(&after, &old_index, &new_index, &edit, per_page);
        let old_pages: HashMap<String, _> =
            pages(before, per_page).iter().map(|p| (p.url.clone(), shown(before, p))).collect();
        let new_pages: Vec<_> = pages(&after, per_page).iter().map(|p| shown(&after, p)).collect();
        let found: Vec<_> = found.iter().map(|p| shown(&after, p)).collect();
        for page in &found {
            assert!(new_pages.contains(page), "{page:?} is a page of the lists after {changes:?}");
        }
        for page in &new_pages {
            if old_pages.get(&page.0) != Some(page) {
                assert!(found.contains(page), "{page:?} changed with {changes:?}");
            }
        }
        let mut expected_gone: Vec<&String> =
            old_pages.keys().filter(|url| !new_pages.iter().any(|p| &&p.0 == url)).collect();
        expected_gone.sort();
        let mut gone_urls: Vec<&String> = gone_urls.iter().collect();
        gone_urls.sort();
        assert_eq!(gone_urls, expected_gone, "{changes:?}");
    }

    #[test]
    fn the_pages_an_edit_changes_are_found_without_making_every_list() {
        let tags = [&["a", "B"][..], &["b"], &[], &["A", "c"], &["c", "a"]];
        let books: Vec<Book> = (0..40).map(|i| book(i, 0, tags[i % tags.len()])).collect();
        let edits: Vec<Vec<(usize, Option<Book>)>> = vec![
            vec![(7, Some(book(7, 0, &["a", "B"])))],
            vec![(7, Some(book(7, 0, &["c"])))],
            vec![(7, Some(book(7, 0, &["c", "new"])))],
            vec![(7, Some(book(7, 1, &["a", "B"])))],
            vec![(39, Some(book(39, -1, &["c", "a"])))],
            vec![(3, None)],
            vec![(38, None)],
            vec![(41, Some(book(41, 0, &["b"])))],
            vec![(41, Some(book(41, -1, &["only"])))],
            vec![(2, None), (41, Some(book(41, 0, &["a"]))), (30, Some(book(30, -2, &["b", "c"])))],
        ];
        for changes in &edits {
            check_edit(&books, changes);
        }
        // A tag's only book leaves it, and it is named after the first book that has it.
        let mut renamed = books.clone();
        renamed[20].tags = vec!["lonely".to_owned()];
        renamed[1].tags = vec!["Lonely".to_owned()];
        check_edit(&renamed, &[(20, Some(book(20, 0, &[])))]);
        check_edit(&renamed, &[(1, Some(book(1, 0, &[])))]);
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
        assert_eq!(pages.iter().map(|p| p.1.total_books).collect::<Vec<_>>(), [Some(50), None, None]);
        assert_eq!(paginate("/tags/x/", 0, 24).len(), 1, "an empty list still has its page");
    }
}
