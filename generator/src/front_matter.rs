//! Splitting a book file into front matter and body, and reading the front matter as
//! TOML (`+++`, as Zola) or YAML (`---`, as Hugo and Jekyll) into one schema.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// The front matter's format, told by its fence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `+++` lines.
    Toml,
    /// Between `---` lines.
    Yaml,
}

/// A book file cut in two.
#[derive(Debug)]
pub struct Split<'a> {
    /// The front matter's format.
    pub format: Format,
    /// The text between the fences.
    pub front: &'a str,
    /// The 1-based line of the file where `front` starts.
    pub front_line: usize,
    /// The markdown after the closing fence.
    pub body: &'a str,
    /// The 1-based line of the file where `body` starts.
    pub body_line: usize,
}

/// Why a file could not be split; each carries a 1-based line.
#[derive(Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The file has nothing in it.
    Empty,
    /// The first line is not `+++` or `---`.
    NoFence,
    /// The opening fence is never closed.
    Unclosed(Format),
}

/// Cuts `text` at its fences. A byte-order mark and `\r\n` line ends are accepted.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let first_end = text.find('\n').unwrap_or(text.len());
    let (format, fence) = match text[..first_end].trim_end() {
        "+++" => (Format::Toml, "+++"),
        "---" => (Format::Yaml, "---"),
        _ => return Err(SplitError::NoFence),
    };
    let front_start = (first_end + 1).min(text.len());
    let mut offset = front_start;
    for (i, line) in text[front_start..].split_inclusive('\n').enumerate() {
        if line.trim_end() == fence {
            return Ok(Split {
                format,
                front: &text[front_start..offset],
                front_line: 2,
                body: &text[offset + line.len()..],
                body_line: i + 3,
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unclosed(format))
}

/// The front matter as written, before validation. Unknown keys are refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBook {
    /// Required.
    pub title: Option<String>,
    /// Required.
    pub author: Option<String>,
    /// Required: major units, exact decimal.
    pub price: Option<PriceText>,
    /// Defaults to the site's.
    pub currency: Option<String>,
    /// An image file beside the book file.
    pub cover: Option<String>,
    /// ISBN-10 or ISBN-13, hyphens allowed.
    pub isbn: Option<String>,
    /// `YYYY-MM-DD`.
    pub published: Option<DateText>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Lower sorts first.
    #[serde(default)]
    pub weight: i64,
    /// Drafts are never built nor sold.
    #[serde(default)]
    pub draft: bool,
    /// False shows the book as sold out.
    pub available: Option<bool>,
}

/// Every key a book may have, for "did you mean".
pub const BOOK_KEYS: &[&str] =
    &["title", "author", "price", "currency", "cover", "isbn", "published", "tags", "weight", "draft", "available"];

/// A price as the editor wrote it. A quoted `"23.00"` is kept as is; a bare number is
/// taken by its shortest decimal form (`23.5` → `"23.5"`), never by float arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceText(pub String);

impl<'de> Deserialize<'de> for PriceText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PriceText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a price like \"23.00\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PriceText, E> {
                Ok(PriceText(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PriceText, E> {
                Ok(PriceText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PriceText, E> {
                Ok(PriceText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<PriceText, E> {
                // Rust prints the shortest text that reads back as the same f64: what was typed.
                Ok(PriceText(v.to_string()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A date as text: a TOML date (`2020-05-26`) or a YAML/quoted string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateText(pub String);

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DateText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date like 2020-05-26")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateText, E> {
                Ok(DateText(v.to_owned()))
            }
            // toml hands dates over as a one-entry map holding the date's text.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DateText, A::Error> {
                let (_, text): (String, String) = map.next_entry()?.ok_or_else(|| de::Error::custom("empty date"))?;
                Ok(DateText(text))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A front-matter parse failure, placed in the front matter's own lines.
#[derive(Debug)]
pub struct ParseError {
    /// What the parser said, without its own position suffix.
    pub message: String,
    /// 1-based line and column within the front matter.
    pub position: Option<(usize, usize)>,
}

/// Reads front matter of either format into [`RawBook`].
pub fn parse(format: Format, front: &str) -> Result<RawBook, ParseError> {
    match format {
        Format::Toml => toml::from_str(front).map_err(|e| ParseError {
            message: e.message().trim_end().to_owned(),
            position: e.span().map(|s| crate::messages::line_col(front, s.start)),
        }),
        Format::Yaml if front.trim().is_empty() => Ok(RawBook::default()),
        Format::Yaml => serde_yaml_ng::from_str(front).map_err(|e| {
            let message = e.to_string();
            let message = match message.find(" at line ") {
                Some(i) => message[..i].to_owned(),
                None => message,
            };
            ParseError { message, position: e.location().map(|l| (l.line(), l.column())) }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_yaml_front_matter_split_the_same_way() {
        let toml = split("+++\ntitle = \"A\"\n+++\nBody\n").expect("splits");
        assert_eq!((toml.format, toml.front, toml.body), (Format::Toml, "title = \"A\"\n", "Body\n"));
        assert_eq!(toml.body_line, 4);
        let yaml = split("---\r\ntitle: A\r\n---\r\nBody").expect("splits");
        assert_eq!((yaml.format, yaml.front, yaml.body), (Format::Yaml, "title: A\r\n", "Body"));
    }

    #[test]
    fn broken_files_are_told_apart() {
        assert_eq!(split("").unwrap_err(), SplitError::Empty);
        assert_eq!(split("  \n").unwrap_err(), SplitError::Empty);
        assert_eq!(split("title = 1\n").unwrap_err(), SplitError::NoFence);
        assert_eq!(split("+++\ntitle = 1\n").unwrap_err(), SplitError::Unclosed(Format::Toml));
    }

    #[test]
    fn prices_keep_the_digits_the_editor_typed() {
        let raw = parse(Format::Toml, "price = 23.999\n").expect("parses");
        assert_eq!(raw.price, Some(PriceText("23.999".into())));
        let raw = parse(Format::Yaml, "price: 23.50\n").expect("parses");
        assert_eq!(raw.price, Some(PriceText("23.5".into())));
        let raw = parse(Format::Toml, "price = \"23.00\"\n").expect("parses");
        assert_eq!(raw.price, Some(PriceText("23.00".into())));
    }

    #[test]
    fn dates_read_from_toml_and_yaml() {
        let raw = parse(Format::Toml, "published = 2020-05-26\n").expect("parses");
        assert_eq!(raw.published, Some(DateText("2020-05-26".into())));
        let raw = parse(Format::Yaml, "published: 2020-05-26\n").expect("parses");
        assert_eq!(raw.published, Some(DateText("2020-05-26".into())));
    }

    #[test]
    fn unknown_keys_are_placed_and_get_a_suggestion() {
        let err = parse(Format::Toml, "title = \"A\"\nprise = \"1\"\n").unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(2));
        assert_eq!(
            crate::messages::did_you_mean(&err.message, BOOK_KEYS, "a book").as_deref(),
            Some("did you mean `price`?")
        );
        let err = parse(Format::Yaml, "title: A\nprise: 1\n").unwrap_err();
        assert_eq!(err.position.map(|p| p.0), Some(2));
        assert!(err.message.starts_with("unknown field `prise`"), "{}", err.message);
    }
}
