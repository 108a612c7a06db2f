//! Escaping text for HTML and XML (pages, SVG covers, feeds): the five characters that matter
//! in text and quoted attributes. `/` is left alone, so URLs read as written.

/// `& < > " '` as entities.
pub fn xml(text: &str) -> String {
    replace_ascii(text, |byte| match byte {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    })
}

/// `text` with each ASCII byte that `with` names replaced by what it gives. Most text has
/// nothing to replace: the runs between those bytes are copied whole, and since the bytes
/// are ASCII every cut falls on a character boundary.
pub fn replace_ascii(text: &str, with: impl Fn(u8) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        if let Some(replacement) = with(byte).filter(|_| byte.is_ascii()) {
            out.push_str(&text[start..i]);
            out.push_str(replacement);
            start = i + 1;
        }
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
