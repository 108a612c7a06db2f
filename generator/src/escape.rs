//! Escaping text for HTML and XML (pages, SVG covers, feeds): the five characters that matter
//! in text and quoted attributes. `/` is left alone, so URLs read as written.

/// `& < > " '` as entities.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // Most text has nothing to escape: copy the runs between special bytes whole. They
    // are ASCII, so every cut falls on a character boundary.
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_characters_become_entities_and_the_rest_stays() {
        assert_eq!(xml(""), "");
        assert_eq!(xml("plain / text"), "plain / text");
        assert_eq!(xml("Tom & \"Jerry\" <é's>"), "Tom &amp; &quot;Jerry&quot; &lt;é&#39;s&gt;");
        assert_eq!(xml("&&"), "&amp;&amp;");
        assert_eq!(xml("ünïcode…"), "ünïcode…");
    }
}
