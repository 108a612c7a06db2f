//! The one rule for a book id: the file name of `content/books/<id>.md`, the book's URL
//! segment, the price list's key, and what the cart sends to the worker.
//!
//! `bookshop new`, `check`, `build` and `watch` and the worker's request parser all ask
//! [`check`], so a book the generator lists is a book the worker sells. An id is 1 to
//! [`MAX_ID_LEN`] characters, each a lowercase ASCII letter, a digit or a hyphen: safe in
//! a file name on every system, in a URL without escaping, in an idempotency key and in
//! a log line.

use std::fmt;

/// The longest book id, in characters (all ASCII, so also in bytes).
pub const MAX_ID_LEN: usize = 64;

/// What an id may be made of, in words, for messages to editors.
pub const ALLOWED: &str = "lowercase letters a-z, digits and hyphens";

/// Whether `c` may appear in a book id.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

/// Why a text is not a book id. Its `Display` completes "the id `…` …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookIdError {
    /// Nothing at all.
    Empty,
    /// Longer than [`MAX_ID_LEN`] characters.
    TooLong {
        /// Its length in characters.
        len: usize,
    },
    /// Has a character outside [`is_id_char`] (the first such one).
    Character(char),
}

impl fmt::Display for BookIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BookIdError::Empty => write!(f, "is empty"),
            BookIdError::TooLong { len } => {
                write!(f, "is {len} characters long; the most a book id can have is {MAX_ID_LEN}")
            }
            BookIdError::Character(c) => write!(f, "has `{c}`; a book id has only {ALLOWED}"),
        }
    }
}

impl std::error::Error for BookIdError {}

/// Checks `id` against the rule.
pub fn check(id: &str) -> Result<(), BookIdError> {
    if id.is_empty() {
        return Err(BookIdError::Empty);
    }
    if let Some(c) = id.chars().find(|c| !is_id_char(*c)) {
        return Err(BookIdError::Character(c));
    }
    if id.len() > MAX_ID_LEN {
        return Err(BookIdError::TooLong { len: id.len() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_of_64_characters_is_valid_and_of_65_is_not() {
        let at_limit = "a".repeat(64);
        assert_eq!(check(&at_limit), Ok(()));
        assert_eq!(check(&format!("{at_limit}b")), Err(BookIdError::TooLong { len: 65 }));
        assert_eq!(
            BookIdError::TooLong { len: 65 }.to_string(),
            "is 65 characters long; the most a book id can have is 64"
        );
    }

    #[test]
    fn only_lowercase_letters_digits_and_hyphens_make_an_id() {
        for good in ["working-in-public", "1984", "a", "-odd-but-valid-"] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        assert_eq!(check(""), Err(BookIdError::Empty));
        assert_eq!(check("Working"), Err(BookIdError::Character('W')));
        assert_eq!(check("working_in_public"), Err(BookIdError::Character('_')));
        assert_eq!(check("café"), Err(BookIdError::Character('é')));
        assert_eq!(check("../x"), Err(BookIdError::Character('.')));
        assert_eq!(
            BookIdError::Character('_').to_string(),
            "has `_`; a book id has only lowercase letters a-z, digits and hyphens"
        );
    }
}
