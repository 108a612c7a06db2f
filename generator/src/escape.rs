//! Escaping text for HTML and XML (pages, SVG covers, feeds): the five characters that matter
//! in text and quoted attributes. `/` is left alone, so URLs read as written. Also numbers in
//! decimal, for text made a piece at a time (covers, the search index's shards).

/// `& < > " '` as entities.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    xml_into(&mut out, text);
    out
}

/// [`xml`] onto the end of `out`, with no string of its own.
pub fn xml_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    // Eight bytes at a time to the next of the five: a drawn cover's SVG, escaped by every
    // `{% if book.cover_svg %}` of a list page, has a quote every dozen bytes or so.
    while let Some(at) = next_special(bytes, start) {
        out.push_str(&text[start..at]);
        out.push_str(match bytes[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        start = at + 1;
    }
    out.push_str(&text[start..]);
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each zero byte of `word`; exact for the lowest zero byte (a borrow can
/// only mark bytes above a real zero), which is all [`next_special`] reads.
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The place of the first of `& < > " '` in `bytes` from `from` on.
fn next_special(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let found =
            [b'&', b'<', b'>', b'"', b'\''].iter().fold(0, |m, &c| m | zero_bytes(word ^ (ONES * u64::from(c))));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at.min(bytes.len())..].iter().position(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')).map(|i| at + i)
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

/// Appends `n` in decimal: covers and the search index's shards are mostly numbers, and
/// `write!` was several times slower.
pub fn decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_format_writes_them() {
        for n in [0, 7, 10, 99, 100, 1_234_567_890, u64::MAX] {
            let mut out = String::from("x");
            decimal(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn the_five_characters_become_entities_and_the_rest_stays() {
        assert_eq!(xml(""), "");
        assert_eq!(xml("plain / text"), "plain / text");
        assert_eq!(xml("Tom & \"Jerry\" <é's>"), "Tom &amp; &quot;Jerry&quot; &lt;é&#39;s&gt;");
        assert_eq!(xml("&&"), "&amp;&amp;");
        assert_eq!(xml("ünïcode…"), "ünïcode…");
    }

    #[test]
    fn the_word_at_a_time_scan_escapes_as_the_plain_one_does() {
        let plain = |text: &str| {
            replace_ascii(text, |byte| match byte {
                b'&' => Some("&amp;"),
                b'<' => Some("&lt;"),
                b'>' => Some("&gt;"),
                b'"' => Some("&quot;"),
                b'\'' => Some("&#39;"),
                _ => None,
            })
        };
        // Every place in and across words, bytes next to the five (and above 0x80) included.
        let alphabet = ["a", "&", "<", ">", "\"", "'", "%", "=", "?", "@", "é", "\u{0}", "\u{7f}", "日"];
        let mut seed = 7u64;
        for len in 0..40 {
            for _ in 0..50 {
                let text: String = (0..len)
                    .map(|_| {
                        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                        alphabet[(seed >> 33) as usize % alphabet.len()]
                    })
                    .collect();
                assert_eq!(xml(&text), plain(&text), "{text:?}");
            }
        }
    }
}
