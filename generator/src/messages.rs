//! The helpers that word and place editor messages: where in a file a problem is
//! (`line_col`, `line_of_key`), and what was probably meant (`did_you_mean`,
//! `currency_help`, both from one `closest` by edit distance).

use catalog::Currency;

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The 1-based line within `text` (front matter, `site.toml`) where `key` is set, for
/// errors found after parsing.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| matches!(rest.trim_start().chars().next(), Some('=' | ':')))
        })
        .map(|i| i + 1)
}

/// For serde's "unknown field `prise`" messages: "did you mean `price`?", or the keys
/// `owner` ("a book", "site.toml") may have when none is close.
pub fn did_you_mean(message: &str, known: &[&str], owner: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    let field = &rest[..rest.find('`')?];
    Some(match closest(field, known.iter().copied()) {
        Some(key) => format!("did you mean `{key}`?"),
        None => format!("the keys {owner} may have are: {}", known.join(", ")),
    })
}

/// "did you mean" for a currency code, or the list of supported ones.
pub fn currency_help(code: &str) -> String {
    match closest(&code.to_ascii_lowercase(), Currency::codes()) {
        Some(known) => format!("did you mean `{known}`? Currencies are lowercase ISO 4217 codes"),
        None => format!(
            "use a lowercase ISO 4217 code Stripe settles in: {}",
            Currency::codes().collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The known word nearest to a mistyped one, within two edits (the first of equals).
pub fn closest<'k>(word: &str, known: impl Iterator<Item = &'k str>) -> Option<&'k str> {
    known
        .map(|k| (edit_distance(word, k), k))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Levenshtein distance, for "did you mean" hints on short identifiers.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab\nçd", usize::MAX), (2, 3), "columns count characters, past the end is the end");
    }

    #[test]
    fn keys_are_found_by_line() {
        assert_eq!(line_of_key("title = 1\n  price = \"2\"\n", "price"), Some(2));
        assert_eq!(line_of_key("title: 1\nprices: 2\n", "price"), None);
    }

    #[test]
    fn an_unknown_key_gets_the_nearest_or_the_list() {
        let keys = &["title", "price"];
        assert_eq!(
            did_you_mean("unknown field `prise`, expected …", keys, "a book").as_deref(),
            Some("did you mean `price`?")
        );
        assert_eq!(
            did_you_mean("unknown field `colour`", keys, "site.toml").as_deref(),
            Some("the keys site.toml may have are: title, price")
        );
        assert_eq!(did_you_mean("invalid type: integer", keys, "a book"), None);
    }

    #[test]
    fn a_mistyped_currency_gets_a_suggestion_or_the_list() {
        assert_eq!(currency_help("usdd"), "did you mean `usd`? Currencies are lowercase ISO 4217 codes");
        assert_eq!(currency_help("USD"), "did you mean `usd`? Currencies are lowercase ISO 4217 codes");
        assert!(currency_help("zzzzzz").starts_with("use a lowercase ISO 4217 code Stripe settles in: usd, eur, gbp, "));
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("prise", "price"), 1);
        assert_eq!(edit_distance("usdd", "usd"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
