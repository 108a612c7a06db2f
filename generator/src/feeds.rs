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

/// The most URLs one sitemap file may list (the sitemap protocol, sitemaps.org, which search
/// engines hold to): a shop with more gets `sitemap.xml` as an index of files of at most this many.
pub const SITEMAP_MAX_URLS: usize = 50_000;

/// The sitemap's files, from its `<url>` lines in order: `sitemap.xml` alone while they fit
/// in one file (at most `max`), else `sitemap.xml` as an index of `sitemap-1.xml`,
/// `sitemap-2.xml`, … These sit at the site's root because a sitemap may list only the URLs
/// under its own folder.
pub fn sitemap_files(base_url: &str, lines: &[&str], max: usize) -> Vec<(String, String)> {
    let file = |lines: &[&str]| {
        let mut xml = String::with_capacity(lines.iter().map(|l| l.len()).sum::<usize>() + 128);
        xml.push_str(SITEMAP_HEAD);
        lines.iter().for_each(|line| xml.push_str(line));
        xml.push_str(SITEMAP_TAIL);
        xml
    };
    if lines.len() <= max {
        return vec![("sitemap.xml".to_owned(), file(lines))];
    }
    let base = escape::xml(base_url);
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut files = vec![];
    for (i, part) in lines.chunks(max.max(1)).enumerate() {
        let name = sitemap_part(i + 1);
        let _ = writeln!(index, "  <sitemap><loc>{base}/{name}</loc></sitemap>");
        files.push((name, file(part)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".to_owned(), index));
    files
}

/// The name of the `n`th file (from 1) of a sitemap index.
pub fn sitemap_part(n: usize) -> String {
    format!("sitemap-{n}.xml")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: [&str; 5] =
        ["  <url>a</url>\n", "  <url>b</url>\n", "  <url>c</url>\n", "  <url>d</url>\n", "  <url>e</url>\n"];

    #[test]
    fn a_sitemap_that_fits_one_file_is_that_file() {
        let files = sitemap_files("https://books.example", &LINES, 5);
        assert_eq!(files, [("sitemap.xml".to_owned(), format!("{SITEMAP_HEAD}{}{SITEMAP_TAIL}", LINES.concat()))]);
    }

    #[test]
    fn a_sitemap_over_the_limit_is_an_index_of_files_at_the_root() {
        let files = sitemap_files("https://books.example/a&b", &LINES, 2);
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml"]);
        assert_eq!(
            files[0].1,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n  \
<sitemap><loc>https://books.example/a&amp;b/sitemap-1.xml</loc></sitemap>\n  \
<sitemap><loc>https://books.example/a&amp;b/sitemap-2.xml</loc></sitemap>\n  \
<sitemap><loc>https://books.example/a&amp;b/sitemap-3.xml</loc></sitemap>\n</sitemapindex>\n"
        );
        // Every line once, in order, at most two a file.
        let parts: Vec<String> = files[1..].iter().map(|(_, xml)| xml.clone()).collect();
        assert_eq!(parts[0], format!("{SITEMAP_HEAD}{}{}{SITEMAP_TAIL}", LINES[0], LINES[1]));
        assert_eq!(parts[1], format!("{SITEMAP_HEAD}{}{}{SITEMAP_TAIL}", LINES[2], LINES[3]));
        assert_eq!(parts[2], format!("{SITEMAP_HEAD}{}{SITEMAP_TAIL}", LINES[4]));
    }
}
