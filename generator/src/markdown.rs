//! Book descriptions: CommonMark with tables, footnotes and strikethrough, headings with anchors.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders markdown to HTML. Headings get an `id` from their text (unless given one with
/// `{#id}`), so a reader can link to a section. An image's `src` is replaced by what
/// `image_url` gives for it (the copied file's URL), if anything. Table columns are aligned
/// with classes (`align-right`), not the inline styles the shop's CSP would block.
pub fn to_html(markdown: &str, image_url: &dyn Fn(&str) -> Option<String>) -> String {
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, options()).collect();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Image { dest_url, .. }) = &mut events[i] {
            if let Some(url) = image_url(dest_url) {
                *dest_url = CowStr::from(url);
            }
        }
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let text: String = events[i + 1..]
                .iter()
                .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(slugify(&text)));
            }
        }
        i += 1;
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    if out.contains(" style=\"text-align: ") {
        // Only a table cell can hold this text: in text the writer escapes `<` as `&lt;`
        // (raw HTML written so is converted too, which the CSP would block anyway).
        for align in ["left", "center", "right"] {
            for cell in ["th", "td"] {
                out = out.replace(
                    &format!("<{cell} style=\"text-align: {align}\">"),
                    &format!("<{cell} class=\"align-{align}\">"),
                );
            }
        }
    }
    out
}

/// Every image's `src` in a description, with the byte offset of the image, in order.
pub fn image_sources(markdown: &str) -> Vec<(String, usize)> {
    if !markdown.contains("![") {
        return Vec::new(); // the parser's time is saved for the books without images
    }
    Parser::new_ext(markdown, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Image { dest_url, .. }) => Some((dest_url.into_string(), range.start)),
            _ => None,
        })
        .collect()
}

/// Raw HTML in a description that the shop's Content-Security-Policy stops browsers from
/// running or applying (`script-src 'self'`, `style-src 'self'`, no inline anything): what it
/// is, and its byte offset. Markdown itself never needs any of it.
pub fn blocked_html(markdown: &str) -> Vec<(&'static str, usize)> {
    if !markdown.contains('<') {
        return Vec::new();
    }
    Parser::new_ext(markdown, options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                // Quoted attribute values are text, not markup: left out.
                let mut quote = None;
                let html: String = html
                    .chars()
                    .filter(|&c| match quote {
                        Some(q) if c == q => {
                            quote = None;
                            false
                        }
                        Some(_) => false,
                        None if c == '"' || c == '\'' => {
                            quote = Some(c);
                            true
                        }
                        None => true,
                    })
                    .collect::<String>()
                    .to_ascii_lowercase();
                let attribute = |name: &str| {
                    html.match_indices(name).any(|(at, _)| at > 0 && html.as_bytes()[at - 1].is_ascii_whitespace())
                };
                let handler = html.match_indices(" on").any(|(at, _)| {
                    let rest = &html[at + 3..];
                    let name = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
                    name > 0 && rest[name..].trim_start().starts_with('=')
                });
                if html.contains("<script") {
                    Some(("a <script> element", range.start))
                } else if html.contains("<style") {
                    Some(("a <style> element", range.start))
                } else if attribute("style=") || attribute("style =") {
                    Some(("a style attribute", range.start))
                } else if handler {
                    Some(("an event handler attribute (onclick=…)", range.start))
                } else {
                    None
                }
            }
            _ => None,
        })
        .collect()
}

/// The longest summary, in characters: enough for a listing card and a search result.
pub const SUMMARY_MAX: usize = 200;

/// The first paragraph as plain text, for listings and `<meta name="description">`, cut at
/// a word boundary after at most [`SUMMARY_MAX`] characters.
pub fn summary(markdown: &str) -> String {
    shorten(first_paragraph_text(markdown), SUMMARY_MAX)
}

/// The first paragraph's text, read from as little of the description as gives the same
/// answer as reading all of it (the parser reads a whole document's blocks before its first
/// event, and the first paragraph is usually the first few hundred bytes). Blocks are decided
/// line by line, so a prefix that ends at a blank line and holds a whole paragraph holds the
/// first one as the full text does, unless a link or footnote defined further down could
/// change its text: with any `]:` the whole description is read.
fn first_paragraph_text(markdown: &str) -> String {
    if !markdown.contains("]:") {
        let bytes = markdown.as_bytes();
        let mut from = 256;
        while from < bytes.len() / 2 {
            let Some(blank) = bytes[from..].windows(2).position(|w| w == b"\n\n") else { break };
            let cut = from + blank + 2;
            if let Some(text) = paragraph_in(&markdown[..cut]) {
                return text;
            }
            from = cut * 2;
        }
    }
    paragraph_in(markdown).unwrap_or_default()
}

/// The text of the first paragraph that has any, once it ends (or is long enough for any
/// summary); `None` when no paragraph with text ends in `markdown`.
fn paragraph_in(markdown: &str) -> Option<String> {
    let mut text = String::new();
    let mut in_paragraph = false;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) => in_paragraph = true,
            Event::End(TagEnd::Paragraph) if !text.is_empty() => return Some(text),
            Event::End(TagEnd::Paragraph) => in_paragraph = false,
            Event::Text(t) | Event::Code(t) if in_paragraph => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_paragraph => text.push(' '),
            _ => {}
        }
        if text.len() > SUMMARY_MAX * 4 {
            return Some(text); // far enough: the cut in `shorten` needs no more
        }
    }
    None
}

fn shorten(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some((end, _)) => {
            let cut = text[..end].rfind(' ').unwrap_or(end);
            format!("{}…", text[..cut].trim_end_matches([',', ';', ':', ' ']))
        }
    }
}

/// A URL-safe id: lowercase ASCII letters and digits joined by single hyphens.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_footnotes_strikethrough_and_anchors_render() {
        let html =
            to_html("## The Pay Off\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ new[^1]\n\n[^1]: A note.\n", &|_| {
                None
            });
        assert!(html.contains("<h2 id=\"the-pay-off\">"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
    }

    #[test]
    fn table_columns_are_aligned_by_class_not_inline_style() {
        let html = to_html("| Edition | Price | Year |\n|:---|---:|:---:|\n| First | 23.00 | 2020 |\n", &|_| None);
        assert_eq!(
            html,
            "<table><thead><tr><th class=\"align-left\">Edition</th><th class=\"align-right\">Price</th><th class=\"align-center\">Year</th></tr></thead><tbody>\n\
<tr><td class=\"align-left\">First</td><td class=\"align-right\">23.00</td><td class=\"align-center\">2020</td></tr>\n\
</tbody></table>\n"
        );
        let code = to_html("`<td style=\"text-align: left\">`\n", &|_| None);
        assert_eq!(code, "<p><code>&lt;td style=\"text-align: left\"&gt;</code></p>\n");
    }

    #[test]
    fn images_are_found_with_their_place_and_their_src_rewritten() {
        let text = "Intro.\n\n![The author](photo.jpg \"Hamming\")\n\n![ref][r]\n\n[r]: img/b.png\n";
        assert_eq!(image_sources(text), vec![("photo.jpg".to_owned(), 8), ("img/b.png".to_owned(), 44)]);
        let html = to_html(text, &|src| (src == "photo.jpg").then(|| "/books/x/photo.jpg".to_owned()));
        assert!(html.contains("<img src=\"/books/x/photo.jpg\" alt=\"The author\" title=\"Hamming\" />"), "{html}");
        assert!(html.contains("<img src=\"img/b.png\" alt=\"ref\" />"), "{html}");
    }

    #[test]
    fn the_summary_is_the_first_paragraph() {
        assert_eq!(summary("# Title\n\nFirst *para*\ngraph.\n\nSecond."), "First para graph.");
    }

    #[test]
    fn the_summary_from_a_prefix_is_the_summary_from_the_whole() {
        let long = "word ".repeat(80);
        let cases = [
            format!("{long}\n\nSecond.\n"),
            format!("## Heading\n\n{long}\n\nMore.\n\n{long}"),
            format!("```\n{long}\n\n{long}\n```\n\nAfter the code.\n\n{long}"),
            format!("<!--\n{long}\n\n{long}\n-->\n\nAfter the comment.\n\n{long}"),
            format!("- {long}\n- b\n\n- c\n\n{long}\n\n{long}"),
            format!("[{long}][ref] text\n\n{long}\n\n{long}\n\n[ref]: https://example.com\n"),
            format!("Note[^1] {long}\n\n{long}\n\n{long}\n\n[^1]: A note.\n"),
            format!("{long}\r\n\r\n{long}\r\n"),
            format!("| a | b |\n| --- | --- |\n| {long} | 2 |\n\n{long}\n\n{long}"),
            format!("{long}\n===\n\nReal paragraph.\n\n{long}\n\n{long}"),
            "é".repeat(300) + "\n\n" + &"ü".repeat(300),
        ];
        for case in &cases {
            assert_eq!(first_paragraph_text(case), paragraph_in(case).unwrap_or_default(), "{case}");
        }
    }

    #[test]
    fn html_the_csp_blocks_is_found_where_it_is() {
        let found = |md: &str| blocked_html(md).into_iter().map(|(what, _)| what).collect::<Vec<_>>();
        assert_eq!(found("A <span style=\"color:red\">red</span> word."), ["a style attribute"]);
        assert_eq!(found("<div>\n<script>alert(1)</script>\n</div>\n"), ["a <script> element"]);
        assert_eq!(found("<style>p{}</style>\n"), ["a <style> element"]);
        assert_eq!(found("<img src=\"a.png\" onerror=\"x()\">"), ["an event handler attribute (onclick=…)"]);
        assert!(found("Plain *markdown*, <b>bold</b>, <abbr title=\"on style=\">x</abbr> and `<script>` as code.")
            .is_empty());
        let offset = blocked_html("Line one.\n\nA <span style=\"x\">b</span>.")[0].1;
        assert_eq!(offset, 13);
    }

    #[test]
    fn slugs_are_plain() {
        assert_eq!(
            slugify("The Making of Prince of Persia: Journals 1985–1993"),
            "the-making-of-prince-of-persia-journals-1985-1993"
        );
    }
}
