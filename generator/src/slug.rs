//! Names made from an editor's words: the id `bookshop new` gives a title (also the file
//! name suggested when one breaks the id rule), and a tag's slug and URL.
//!
//! Book ids are ASCII by [`catalog::book_id`]'s rule, so a title is transliterated
//! (`Café` → `cafe`). Tag slugs keep every script as written (`日本語`, `🙂`); their URLs are
//! percent-encoded. Symbols that tell tags apart are spelled out (`C++` → `c-plus-plus`,
//! `C#` → `c-sharp`), so `C` and `C++` get a page each.

use catalog::book_id::{self, MAX_ID_LEN};

/// The id for a book titled `title`: transliterated to ASCII, lowercased, its words joined
/// by hyphens and cut after the last whole word that fits in [`MAX_ID_LEN`]. Empty when
/// the title has nothing to make an id of.
pub fn book_id_from_title(title: &str) -> String {
    let ascii = deunicode::deunicode_with_tofu(title, " ").replace('\'', "");
    let mut id = String::new();
    for word in ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let gap = usize::from(!id.is_empty());
        if id.len() + gap + word.len() > MAX_ID_LEN {
            if id.is_empty() {
                // One word longer than an id: nothing better than to cut it.
                id.push_str(&word[..MAX_ID_LEN]);
            }
            break;
        }
        if gap == 1 {
            id.push('-');
        }
        id.push_str(&word.to_ascii_lowercase());
    }
    debug_assert!(id.is_empty() || book_id::check(&id).is_ok(), "{id}");
    id
}

/// Symbols that make a tag a different topic, spelled out in its slug.
const SYMBOL_WORDS: &[(char, &str)] = &[('+', "plus"), ('#', "sharp"), ('&', "and")];

/// A tag's slug: its words lowercased, in any script, joined by hyphens. Spaces,
/// punctuation and invisible characters only separate words; `+`, `#` and `&` are words.
/// Empty when the tag has no letters, digits or symbols.
pub fn tag_slug(name: &str) -> String {
    words(name, separates_words)
}

/// A tag as written, but for case, spaces, hyphens and underscores, and symbols spelled
/// out: `Open Source`, `open-source` and `OPEN_SOURCE` are one tag, and `Rock & Roll` is
/// `rock and roll`. Two tags with one slug and different spellings (`Sci-Fi`, `Sci.Fi`)
/// would share a page by accident: the site reports them.
pub fn tag_spelling(name: &str) -> String {
    words(name, |c| c.is_whitespace() || c == '-' || c == '_')
}

/// `text` lowercased, as words split where `separates` says, joined by hyphens, with the
/// symbols of [`SYMBOL_WORDS`] as words of their own.
fn words(text: &str, separates: fn(char) -> bool) -> String {
    fn push(out: &mut String, part: &str, gap: &mut bool) {
        if *gap && !out.is_empty() {
            out.push('-');
        }
        *gap = false;
        out.push_str(part);
    }
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if let Some((_, word)) = SYMBOL_WORDS.iter().find(|(symbol, _)| *symbol == c) {
            gap = true;
            push(&mut out, word, &mut gap);
            gap = true;
        } else if separates(c) {
            gap = true;
        } else {
            push(&mut out, c.encode_utf8(&mut [0; 4]), &mut gap);
        }
    }
    out
}

/// Whether `c` only separates words in a tag: white space, ASCII punctuation, and the
/// punctuation and invisible formatting characters of Latin-1, General Punctuation, CJK
/// and fullwidth forms. Letters, digits, marks and symbols (emoji, `©`) are kept, and so
/// is the zero-width joiner inside emoji such as 👩‍💻.
fn separates_words(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_alphanumeric();
    }
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{a1}' | '\u{a7}' | '\u{ab}' | '\u{ad}' | '\u{b6}' | '\u{b7}' | '\u{bb}' | '\u{bf}'
                | '\u{200b}' | '\u{200e}'..='\u{2027}' | '\u{202a}'..='\u{205e}' | '\u{2060}'..='\u{206f}'
                | '\u{3001}'..='\u{3004}' | '\u{3008}'..='\u{3011}' | '\u{3014}'..='\u{301f}' | '\u{30fb}'
                | '\u{feff}' | '\u{ff01}'..='\u{ff0f}' | '\u{ff1a}'..='\u{ff20}' | '\u{ff3b}'..='\u{ff40}'
                | '\u{ff5b}'..='\u{ff65}'
        )
}

/// `text` as one URL path segment: ASCII letters, digits and `-` as they are, every other
/// byte of its UTF-8 percent-encoded (RFC 3986), as browsers and sitemaps expect.
pub fn url_segment(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// The text of a URL path made by [`url_segment`]s: each `%XX` back to its byte.
pub fn decode_url_path(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_are_transliterated_not_dropped() {
        assert_eq!(book_id_from_title("Café"), "cafe");
        assert_eq!(book_id_from_title("Les Misérables"), "les-miserables");
        assert_eq!(book_id_from_title("Don’t Make Me Think"), "dont-make-me-think");
    }

    #[test]
    fn a_long_title_is_cut_at_a_word_boundary_within_the_id_limit() {
        let title = "Working in Public: The Making and Maintenance of Open Source Software";
        assert_eq!(book_id_from_title(title), "working-in-public-the-making-and-maintenance-of-open-source");
        assert_eq!(book_id_from_title(&"x".repeat(100)), "x".repeat(MAX_ID_LEN));
    }

    #[test]
    fn a_japanese_title_gets_a_transliterated_id() {
        let id = book_id_from_title("吾輩は猫である");
        assert_eq!(id, "wu-bei-hamao-dearu");
        assert_eq!(book_id::check(&id), Ok(()));
    }

    #[test]
    fn a_title_of_only_punctuation_gives_no_id() {
        assert_eq!(book_id_from_title("?!… —"), "");
    }

    #[test]
    fn tag_slugs_keep_every_script_and_spell_out_symbols() {
        assert_eq!(tag_slug("Open Source"), "open-source");
        assert_eq!(tag_slug(" open-source "), "open-source");
        assert_eq!(tag_slug("日本語"), "日本語");
        assert_eq!(tag_slug("🙂"), "🙂");
        assert_eq!(tag_slug("Ελληνικά βιβλία"), "ελληνικά-βιβλία");
        assert_eq!(tag_slug("C"), "c");
        assert_eq!(tag_slug("C++"), "c-plus-plus");
        assert_eq!(tag_slug("C#"), "c-sharp");
        assert_eq!(tag_slug("R&D"), "r-and-d");
        assert_eq!(tag_slug("「小説」、短編"), "小説-短編");
        assert_eq!(tag_slug("👩\u{200d}💻"), "👩\u{200d}💻");
        assert_eq!(tag_slug("—!?"), "");
    }

    #[test]
    fn spellings_tell_apart_what_slugs_merge_by_accident() {
        assert_eq!(tag_spelling("Open Source"), tag_spelling("open-source"));
        assert_eq!(tag_spelling("Rock & Roll"), tag_spelling("rock and roll"));
        assert_ne!(tag_spelling("Sci-Fi"), tag_spelling("Sci.Fi"));
        assert_eq!(tag_slug("Sci-Fi"), tag_slug("Sci.Fi"));
    }

    #[test]
    fn urls_are_percent_encoded_and_decode_back() {
        assert_eq!(url_segment("open-source"), "open-source");
        assert_eq!(url_segment("日本語"), "%E6%97%A5%E6%9C%AC%E8%AA%9E");
        assert_eq!(url_segment("🙂"), "%F0%9F%99%82");
        assert_eq!(decode_url_path("/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/page/2/"), "/tags/日本語/page/2/");
    }
}
