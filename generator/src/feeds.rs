//! What search engines and feed readers read: `sitemap.xml`, `robots.txt` and an Atom feed
//! of the newest books, all with absolute URLs from `base_url`.

use std::fmt::Write;

use crate::config::Config;
use crate::content::Book;
use crate::escape;

/// Books in the feed, newest first.
const FEED_LENGTH: usize = 20;

/// The sitemap's first lines; [`crate::catalog_files`] writes its entries: the catalog, each
/// book and each tag's list.
pub const SITEMAP_HEAD: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
/// The sitemap's last line.
pub const SITEMAP_TAIL: &str = "</urlset>\n";

/// Crawlers may read everything but the API, and learn where the sitemap is.
pub fn robots(config: &Config) -> String {
    format!(
        "User-agent: *\nDisallow: /api/\nDisallow: /cart/\nDisallow: /order/\n\nSitemap: {}/sitemap.xml\n",
        config.base_url
    )
}

/// An Atom feed of the newest books (by `published`; books without a date come last).
pub fn atom(config: &Config, books: &[Book]) -> String {
    atom_of(config, &newest(books))
}

/// How two books compare in the feed: newest first, then by title.
pub fn newer(a: &Book, b: &Book) -> std::cmp::Ordering {
    b.published.cmp(&a.published).then_with(|| a.title.cmp(&b.title))
}

/// The feed's books, newest first.
pub fn newest(books: &[Book]) -> Vec<&Book> {
    // The newest few of all the books: picked in one pass, then only they are sorted. The
    // catalog position breaks ties, so the pick is the one a stable sort of all would give.
    let newer = |(i, a): &(usize, &Book), (j, b): &(usize, &Book)| newer(a, b).then(i.cmp(j));
    let mut newest: Vec<(usize, &Book)> = books.iter().enumerate().collect();
    if newest.len() > FEED_LENGTH {
        newest.select_nth_unstable_by(FEED_LENGTH, newer);
        newest.truncate(FEED_LENGTH);
    }
    newest.sort_unstable_by(newer);
    newest.into_iter().map(|(_, book)| book).collect()
}

/// Whether an edit that replaced the books `old` with `new` can change a feed of `shown`
/// ([`newest`]'s books of the catalog before it): only if a book it changed was in the
/// feed or now ranks among it. Picking the newest of 100,000 books is not free.
pub fn changes(shown: &[&Book], old: &[&Book], new: &[&Book]) -> bool {
    let in_feed = |book: &&Book| shown.iter().any(|s| s.id == book.id);
    let enters = |book: &&Book| shown.len() < FEED_LENGTH || shown.last().is_some_and(|last| newer(book, last).is_le());
    old.iter().chain(new).any(in_feed) || new.iter().any(enters)
}

/// An Atom feed of these books, newest first.
pub fn atom_of(config: &Config, newest: &[&Book]) -> String {
    let updated = newest.iter().filter_map(|b| b.published.as_deref()).max().unwrap_or("1970-01-01");
    let base = escape::xml(&config.base_url);
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(xml, "  <title>{}</title>", escape::xml(&config.title));
    let _ = writeln!(xml, "  <subtitle>{}</subtitle>", escape::xml(&config.description));
    let _ = writeln!(xml, "  <link href=\"{base}/atom.xml\" rel=\"self\"/>\n  <link href=\"{base}/\"/>");
    let _ = writeln!(xml, "  <id>{base}/</id>\n  <updated>{updated}T00:00:00Z</updated>");
    for book in newest.iter() {
        let url = format!("{base}{}", book.url());
        let date = book.published.as_deref().unwrap_or(updated);
        let _ = writeln!(
            xml,
            "  <entry>\n    <title>{}</title>\n    <author><name>{}</name></author>\n    <link href=\"{url}\"/>\n    <id>{url}</id>\n    <updated>{date}T00:00:00Z</updated>\n    <summary>{}</summary>\n  </entry>",
            escape::xml(&book.title),
            escape::xml(&book.author),
            escape::xml(&book.summary),
        );
    }
    xml.push_str("</feed>\n");
    xml
}
