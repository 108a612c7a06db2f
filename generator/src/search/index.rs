//! Building the index's files from each book's terms, and, for the watcher, building them
//! again after an edit at the cost of what the edit changed: the postings of the terms the
//! edited books gained or lost, the shards holding those terms, the table chunks holding
//! those books. What a full build would write is the rule: shards are cut by the lengths of
//! their terms' entries the same way in both, and a shard is kept only when it would get
//! the same terms with the same postings, so its bytes and name are the last build's.

use std::sync::Arc;

use rayon::prelude::*;

use super::{js_order, FIELD_BITS, FIELD_MASK, FILES_URL, NAMES_SHARD, WORDS_SHARD};
use crate::content::Book;
use crate::escape::decimal;

/// By field, the numbers of the books (ascending) that have a term there.
pub(super) type Postings = [Vec<u32>; 5];

/// What the last build wrote, kept by the watcher so the next one writes only what changed.
pub(super) struct Built {
    /// Each book's id, by number (its place in catalog order).
    ids: Vec<String>,
    /// By term number.
    postings: Vec<Postings>,
    /// The names tier (title, author, tags, ISBN) and the descriptions' words.
    tiers: [Tier; 2],
    /// The books table's files, chunk by chunk.
    chunks: Vec<String>,
}

/// One tier of the index: its terms in order and how they were cut.
#[derive(Default)]
struct Tier {
    /// Term numbers, sorted as JavaScript compares the terms.
    sorted: Vec<u32>,
    /// By term number, the length of its entry in a shard (`"term":[…]`); 0 when not in the tier.
    lens: Vec<u32>,
    /// The shards, in order.
    shards: Vec<Shard>,
}

/// A shard as written: its first and last term (numbers), how many terms, its URL.
#[derive(Clone, PartialEq, Eq)]
struct Shard {
    first: u32,
    last: u32,
    count: usize,
    url: String,
}

/// The tiers: a stem for file names, the fields they hold, and their shards' target size.
const TIERS: [(&str, std::ops::Range<usize>, usize); 2] = [("n", 0..4, NAMES_SHARD), ("w", 4..5, WORDS_SHARD)];

/// What a build of the index made.
pub(super) struct Made {
    /// The files whose bytes are new (all of them without a last build): URL, text.
    pub files: Vec<(String, String)>,
    /// The manifest's lists: chunks, names shards, words shards ([first term, URL]).
    pub chunks: Vec<String>,
    pub names: Vec<(String, String)>,
    pub words: Vec<(String, String)>,
    /// Files of the last build that this one no longer has; `None` without a last build.
    pub stale: Option<Vec<String>>,
}

/// The changed books of an edit: each one's number and the terms it had (packed).
pub(super) type Edits = Vec<(usize, Arc<[u32]>)>;

/// Builds the index of `books` from their packed terms (`terms_of`), reusing `last` when
/// given: `edits` are the books whose terms may have changed since, with their old terms.
/// Returns what it made and, with `keep`, the whole state for the next build.
pub(super) fn build(
    books: &[Book],
    terms: &[Box<str>],
    terms_of: &mut dyn FnMut(&str) -> Option<Arc<[u32]>>,
    last: Option<Built>,
    edits: Option<Edits>,
    keep: bool,
) -> (Made, Built) {
    let moved = match (&last, &edits) {
        (Some(last), Some(_)) => moved_within(&last.ids, books),
        _ => None,
    };
    let (mut built, dirty, changed_books) = match (last, edits, moved) {
        // The same books, in the same places but a few that changed places among
        // themselves (a new title or weight): each edit's terms swapped in place, and the
        // postings of the moved books' terms renumbered between the first and last place.
        (Some(mut last), Some(edits), Some(moved)) => {
            let mut dirty = vec![false; terms.len()];
            last.postings.resize_with(terms.len(), Postings::default);
            let mut changed = Vec::new();
            for (number, old) in edits.iter().filter(|(n, _)| !moved.contains(n)) {
                let new = terms_of(&books[*number].id).unwrap_or_default();
                update_postings(&mut last.postings, *number as u32, old, &new, &mut dirty);
                changed.push(*number);
            }
            if !moved.is_empty() {
                let mut had = Vec::new();
                let mut has = Vec::new();
                for n in moved.clone() {
                    let new = terms_of(&books[n].id).unwrap_or_default();
                    // An unedited book's terms are the ones it had.
                    match edits.iter().find(|(m, _)| *m == n) {
                        Some((_, old)) => had.extend_from_slice(old),
                        None => had.extend_from_slice(&new),
                    }
                    has.extend(new.iter().map(|&packed| (packed, n as u32)));
                }
                renumber(&mut last.postings, moved.start as u32..moved.end as u32, had, has, &mut dirty);
                for n in moved.clone() {
                    last.ids[n].clone_from(&books[n].id);
                }
                changed.extend(moved);
            }
            (last, dirty, Some(changed))
        }
        // Books added or gone: postings counted again, and compared term by term.
        (last, _, _) => {
            let postings = all_postings(books, terms.len(), terms_of);
            let dirty: Vec<bool> = match &last {
                Some(l) => (0..terms.len()).map(|t| l.postings.get(t) != Some(&postings[t])).collect(),
                None => vec![true; terms.len()],
            };
            let mut built = last.unwrap_or_else(|| Built {
                ids: Vec::new(),
                postings: Vec::new(),
                tiers: Default::default(),
                chunks: Vec::new(),
            });
            built.postings = postings;
            (built, dirty, None)
        }
    };
    let mut files = Vec::new();
    let mut stale = Vec::new();
    let mut lists = Vec::new();
    for (tier, (stem, fields, target)) in built.tiers.iter_mut().zip(TIERS) {
        tier.update(terms, &built.postings, fields.clone(), &dirty);
        let (shards, list) = tier.cut(terms, &built.postings, stem, fields, target, &dirty, &mut files);
        stale.extend(tier.shards.iter().filter(|s| !shards.contains(s)).map(|s| s.url.clone()));
        tier.shards = shards;
        lists.push(list);
    }
    if !keep {
        // Not needed again: freed before the books table is made (a one-off build's peak).
        built.postings = Vec::new();
    }
    let chunks = chunks(books, &built, changed_books.as_deref(), &mut files);
    stale.extend(built.chunks.iter().filter(|url| !chunks.contains(url)).cloned());
    let had_last = !built.ids.is_empty() || !built.chunks.is_empty();
    built.chunks = chunks.clone();
    if changed_books.is_none() && keep {
        built.ids = books.iter().map(|b| b.id.clone()).collect();
    }
    let words = lists.pop().unwrap_or_default();
    let names = lists.pop().unwrap_or_default();
    let stale = had_last.then(|| stale.into_iter().map(|url| url.trim_start_matches('/').to_owned()).collect());
    (Made { files, chunks, names, words, stale }, built)
}

/// Every term's postings, from every book's terms.
fn all_postings(books: &[Book], terms: usize, terms_of: &mut dyn FnMut(&str) -> Option<Arc<[u32]>>) -> Vec<Postings> {
    let mut postings: Vec<Postings> = vec![Default::default(); terms];
    for (number, book) in books.iter().enumerate() {
        for &packed in terms_of(&book.id).as_deref().unwrap_or_default() {
            let (term, field) = (packed >> FIELD_BITS, packed & FIELD_MASK);
            postings[term as usize][field as usize].push(number as u32);
        }
    }
    postings
}

/// Where `books` differ from the last build's `ids` when they are the same books, some of
/// them in other places: the places from the first to the last that changed (empty when
/// none did). `None` when a book came or went.
fn moved_within(ids: &[String], books: &[Book]) -> Option<std::ops::Range<usize>> {
    if ids.len() != books.len() {
        return None;
    }
    let differs = |(id, book): (&String, &Book)| *id != book.id;
    let Some(first) = ids.iter().zip(books).position(differs) else { return Some(0..0) };
    let last = ids.len() - ids.iter().rev().zip(books.iter().rev()).position(differs).unwrap_or(0);
    let mut before: Vec<&str> = ids[first..last].iter().map(String::as_str).collect();
    let mut after: Vec<&str> = books[first..last].iter().map(|b| b.id.as_str()).collect();
    before.sort_unstable();
    after.sort_unstable();
    (before == after).then_some(first..last)
}

/// The books numbered in `range` changed places among themselves: `had` are the terms they
/// had (packed), `has` each term they have now with the book's new number. Every posting
/// of theirs is taken out of the terms they had and put in those they have, and the terms
/// whose postings changed marked dirty. Postings outside the range keep their numbers.
fn renumber(
    postings: &mut [Postings],
    range: std::ops::Range<u32>,
    mut had: Vec<u32>,
    mut has: Vec<(u32, u32)>,
    dirty: &mut [bool],
) {
    has.sort_unstable();
    had.extend(has.iter().map(|&(packed, _)| packed));
    had.sort_unstable();
    had.dedup();
    for packed in had {
        let (term, field) = ((packed >> FIELD_BITS) as usize, (packed & FIELD_MASK) as usize);
        let from = has.partition_point(|&(p, _)| p < packed);
        let to = has.partition_point(|&(p, _)| p <= packed);
        let books = &mut postings[term][field];
        let (a, b) = (books.partition_point(|&n| n < range.start), books.partition_point(|&n| n < range.end));
        let now = has[from..to].iter().map(|&(_, n)| n);
        if books[a..b].iter().copied().ne(now.clone()) {
            books.splice(a..b, now);
            dirty[term] = true;
        }
    }
}

/// Book `number` had the terms `old` and has `new` (both packed): its postings follow, and
/// the terms it gained or lost are marked dirty.
fn update_postings(postings: &mut [Postings], number: u32, old: &[u32], new: &[u32], dirty: &mut [bool]) {
    let (mut old, mut new) = (old.to_vec(), new.to_vec());
    old.sort_unstable();
    new.sort_unstable();
    let gone = old.iter().filter(|p| new.binary_search(p).is_err()).map(|p| (*p, false));
    let came = new.iter().filter(|p| old.binary_search(p).is_err()).map(|p| (*p, true));
    for (packed, add) in gone.chain(came) {
        let (term, field) = ((packed >> FIELD_BITS) as usize, (packed & FIELD_MASK) as usize);
        let books = &mut postings[term][field];
        match (books.binary_search(&number), add) {
            (Err(at), true) => books.insert(at, number),
            (Ok(at), false) => {
                books.remove(at);
            }
            _ => {}
        }
        dirty[term] = true;
    }
}

impl Tier {
    /// Puts the dirty terms in or out of the tier, in order, with their entries' new lengths.
    fn update(&mut self, terms: &[Box<str>], postings: &[Postings], fields: std::ops::Range<usize>, dirty: &[bool]) {
        self.lens.resize(terms.len(), 0);
        let fresh = self.sorted.is_empty();
        for (t, _) in dirty.iter().enumerate().filter(|(_, d)| **d) {
            let p = &postings[t][fields.clone()];
            let within = p.iter().any(|b| !b.is_empty());
            self.lens[t] = if within { entry_len(&terms[t], p) as u32 } else { 0 };
            if fresh {
                if within {
                    self.sorted.push(t as u32);
                }
                continue;
            }
            match (self.sorted.binary_search_by(|&x| js_order(&terms[x as usize], &terms[t])), within) {
                (Err(at), true) => self.sorted.insert(at, t as u32),
                (Ok(at), false) => {
                    self.sorted.remove(at);
                }
                _ => {}
            }
        }
        if fresh {
            self.sorted.sort_unstable_by(|&a, &b| js_order(&terms[a as usize], &terms[b as usize]));
        }
    }

    /// Cuts the tier into shards of about `target` bytes, as a full build does, writing
    /// only the shards that are not the last build's. Returns them and the manifest's list.
    #[allow(clippy::too_many_arguments)]
    fn cut(
        &self,
        terms: &[Box<str>],
        postings: &[Postings],
        stem: &str,
        fields: std::ops::Range<usize>,
        target: usize,
        dirty: &[bool],
        files: &mut Vec<(String, String)>,
    ) -> (Vec<Shard>, Vec<(String, String)>) {
        // Where each shard starts and ends in `sorted`, its length, and the last build's URL
        // when it is the same.
        let mut cuts: Vec<(std::ops::RangeInclusive<usize>, usize, Option<String>)> = Vec::new();
        let mut start = 0;
        let mut len = 0;
        for (i, &t) in self.sorted.iter().enumerate() {
            // `{` or `,`, then the entry; a shard ends once it reaches the target.
            len += 1 + self.lens[t as usize] as usize;
            if len < target && i + 1 < self.sorted.len() {
                continue;
            }
            let range = &self.sorted[start..=i];
            let kept = self.shards.get(cuts.len()).filter(|s| {
                s.first == range[0]
                    && s.last == t
                    && s.count == range.len()
                    && !range.iter().any(|&t| dirty[t as usize])
            });
            cuts.push((start..=i, len, kept.map(|s| s.url.clone())));
            start = i + 1;
            len = 0;
        }
        // The new shards' text on every core: after a move, megabytes of them.
        let texts: Vec<Option<String>> = cuts
            .par_iter()
            .map(|(range, len, kept)| {
                kept.is_none().then(|| {
                    let mut text = String::with_capacity(len + 1);
                    for &t in &self.sorted[range.clone()] {
                        text.push(if text.is_empty() { '{' } else { ',' });
                        push_entry(&mut text, &terms[t as usize], &postings[t as usize][fields.clone()], fields.start);
                    }
                    text.push('}');
                    debug_assert_eq!(text.len(), len + 1, "a shard's counted length is its written length");
                    text
                })
            })
            .collect();
        let mut shards = Vec::with_capacity(cuts.len());
        let mut list = Vec::with_capacity(cuts.len());
        for ((range, _, kept), text) in cuts.into_iter().zip(texts) {
            let (first, last) = (self.sorted[*range.start()], self.sorted[*range.end()]);
            let url = match (kept, text) {
                (Some(url), _) => url,
                (None, text) => named(&format!("{stem}{}", shards.len()), text.unwrap_or_default(), files),
            };
            list.push((terms[first as usize].to_string(), url.clone()));
            shards.push(Shard { first, last, count: range.count(), url });
        }
        (shards, list)
    }
}

/// The books table's chunks: those holding a changed book (every one without `changed`, or
/// with another book in a place than the last build) written again.
fn chunks(books: &[Book], last: &Built, changed: Option<&[usize]>, files: &mut Vec<(String, String)>) -> Vec<String> {
    let per = super::BOOKS_PER_CHUNK;
    let kept = |i: usize| {
        let range = i * per..(i + 1) * per;
        let same = changed.is_some_and(|changed| !changed.iter().any(|n| range.contains(n)));
        last.chunks.get(i).filter(|_| same)
    };
    // On every core: a book that came or went changes every chunk after its place.
    let texts: Vec<Option<String>> =
        books.par_chunks(per).enumerate().map(|(i, chunk)| kept(i).is_none().then(|| super::table(chunk))).collect();
    let chunks = texts.into_iter().enumerate().map(|(i, text)| match (kept(i), text) {
        (Some(url), _) => url.clone(),
        (None, text) => named(&format!("b{i}"), text.unwrap_or_default(), files),
    });
    chunks.collect()
}

/// Stores `text` as `/search/x/<stem>.<hash>.json` and returns that URL.
pub(super) fn named(stem: &str, text: String, files: &mut Vec<(String, String)>) -> String {
    let url = format!("{FILES_URL}{stem}.{:08x}.json", crc32fast::hash(text.as_bytes()));
    files.push((url.trim_start_matches('/').to_owned(), text));
    url
}

/// A term's entry in a shard: `"cafe":[field, count, gap, gap, …, field, count, …]`, the
/// fields' codes from `first_code`.
fn push_entry(text: &mut String, term: &str, fields: &[Vec<u32>], first_code: usize) {
    // A term is letters and digits only: nothing in it needs escaping in JSON.
    text.push('"');
    text.push_str(term);
    text.push_str("\":[");
    let mut sep = "";
    for (code, books) in fields.iter().enumerate().filter(|(_, b)| !b.is_empty()) {
        text.push_str(sep);
        decimal(text, (first_code + code) as u64);
        text.push(',');
        decimal(text, books.len() as u64);
        let mut previous = 0;
        for &n in books {
            text.push(',');
            decimal(text, u64::from(n - previous));
            previous = n;
        }
        sep = ",";
    }
    text.push(']');
}

/// The length [`push_entry`] gives, counted without writing it: how shards are cut.
fn entry_len(term: &str, fields: &[Vec<u32>]) -> usize {
    let mut len = term.len() + 5; // "", :, [ and ]
    let mut sep = 0;
    for books in fields.iter().filter(|b| !b.is_empty()) {
        len += sep + 2 + digits(books.len() as u32); // the code is one digit
        let mut previous = 0;
        for &n in books {
            len += 1 + digits(n - previous);
            previous = n;
        }
        sep = 1;
    }
    len
}

fn digits(n: u32) -> usize {
    n.checked_ilog10().unwrap_or(0) as usize + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entrys_counted_length_is_its_written_length() {
        for fields in [vec![vec![0], vec![], vec![3, 12, 1000]], vec![vec![], vec![], vec![], vec![9, 10, 99, 100]]] {
            let mut text = String::new();
            push_entry(&mut text, "cafe", &fields, 0);
            assert_eq!(entry_len("cafe", &fields), text.len(), "{text}");
        }
    }
}
