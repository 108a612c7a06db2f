//! The commonest slips in front matter, told in plain words. A parser says where it
//! stopped and what it expected ("invalid float, expected `nan`"); an editor needs to
//! hear what they typed ("`available` must be true or false, not `no`") and the line
//! that fixes it. Each rule looks at the key and value of the line the parser stopped on.

use crate::front_matter::{Format, ParseError};

/// A slip found in the front matter: its 1-based line within the front matter, and the
/// words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    /// 1-based line within the front matter.
    pub line: usize,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What was typed.
    pub message: String,
    /// The line that fixes it.
    pub help: String,
}

/// Curly quotes typed for straight ones (a word processor's or a phone's "smart quotes"):
/// no parser reads them as quotes.
pub fn curly_quotes(format: Format, front: &str) -> Vec<Slip> {
    front
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let (key, value) = key_value(format, line)?;
            if !value.starts_with(['“', '”', '„', '‘', '’']) {
                return None;
            }
            let straight: String = value
                .chars()
                .map(|c| match c {
                    '“' | '”' | '„' => '"',
                    '‘' | '’' => '\'',
                    c => c,
                })
                .collect();
            Some(Slip {
                line: i + 1,
                column: line.find(value).map(|at| line[..at].chars().count() + 1),
                message: format!(
                    "the value of `{key}` is in curly quotes (“ ”), which are not quotes to {}",
                    name(format)
                ),
                help: format!("type straight quotes: {}", assign(format, key, &straight)),
            })
        })
        .collect()
}

/// Plain words for a parse error, when it is one of the common slips.
pub fn explain(format: Format, front: &str, error: &ParseError) -> Option<Slip> {
    let (line, column) = error.position?;
    let text = front.lines().nth(line.checked_sub(1)?)?;
    let slip = |message: String, help: String| Some(Slip { line, column: Some(column), message, help });
    let message = error.message.as_str();
    if format == Format::Yaml && text.contains('\t') {
        return slip(
            "a tab character in the front matter".to_owned(),
            "YAML indents with spaces only: replace the tab with spaces".to_owned(),
        );
    }
    let (key, value) = key_value(format, text)?;
    let unquoted = !value.starts_with(['"', '\'']);
    match key {
        "tags" if !value.starts_with('[') => {
            let tags: Vec<&str> =
                value.trim_matches(['"', '\'']).split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
            let list = match format {
                Format::Toml => tags.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", "),
                Format::Yaml => tags.join(", "),
            };
            return slip(
                format!("`tags` must be a list, not `{value}`"),
                format!("write the tags in brackets: {}", assign(format, key, &format!("[{list}]"))),
            );
        }
        "available" | "draft" => {
            let word = value.trim_matches(['"', '\'']).to_ascii_lowercase();
            let meant = match word.as_str() {
                "no" | "n" | "off" | "false" => "false",
                "yes" | "y" | "on" | "true" => "true",
                _ => return None,
            };
            return slip(
                format!("`{key}` must be true or false, not `{value}`"),
                format!("write {} (without quotes)", assign(format, key, meant)),
            );
        }
        _ => {}
    }
    if format == Format::Yaml
        && message.starts_with("mapping values are not allowed")
        && unquoted
        && value.contains(": ")
    {
        return slip(
            format!("the value of `{key}` has a colon, which YAML reads as the start of another key"),
            format!("put the value in quotes: {}", assign(format, key, &quoted(format, value))),
        );
    }
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        if inner.contains('"') && !inner.contains("\\\"") {
            return slip(
                format!("the value of `{key}` has a `\"` inside its quotes, which ends the value early"),
                format!("put the value in single quotes: {}", assign(format, key, &quoted(format, inner))),
            );
        }
    }
    if format == Format::Toml && unquoted {
        return match key {
            "published" => slip(
                format!("`{value}` is not a date TOML can read"),
                format!("write it as year-month-day, with two-digit month and day: {key} = 2020-05-26"),
            ),
            "title" | "author" | "price" | "currency" | "cover" | "isbn" => slip(
                format!("the value of `{key}` must be in quotes"),
                format!("write {}", assign(format, key, &format!("\"{}\"", value.replace('"', "\\\"")))),
            ),
            _ => None,
        };
    }
    None
}

/// `key` and its value as written (comments and trailing spaces cut), from one line.
fn key_value(format: Format, line: &str) -> Option<(&str, &str)> {
    let sep = if format == Format::Toml { '=' } else { ':' };
    let (key, value) = line.split_once(sep)?;
    let key = key.trim();
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let value = match value.find(" #") {
        Some(comment) if !value.trim_start().starts_with(['"', '\'']) => &value[..comment],
        _ => value,
    };
    Some((key, value.trim()))
}

/// A value quoted so its `"` and `:` are kept: single quotes, which neither format
/// escapes within.
fn quoted(format: Format, value: &str) -> String {
    match (format, value.contains('\'')) {
        (_, false) => format!("'{value}'"),
        (Format::Toml, true) => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
        (Format::Yaml, true) => format!("'{}'", value.replace('\'', "''")),
    }
}

fn assign(format: Format, key: &str, value: &str) -> String {
    match format {
        Format::Toml => format!("{key} = {value}"),
        Format::Yaml => format!("{key}: {value}"),
    }
}

fn name(format: Format) -> &'static str {
    match format {
        Format::Toml => "TOML",
        Format::Yaml => "YAML",
    }
}
