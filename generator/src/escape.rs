//! Escaping text for HTML and XML (pages, SVG covers, feeds): the five characters that matter
//! in text and quoted attributes. `/` is left alone, so URLs read as written.

/// `& < > " '` as entities.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
