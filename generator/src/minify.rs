//! Comments and indentation out of the theme's JavaScript and CSS as they are published.
//!
//! The theme's scripts carry JSDoc types for `tsc --checkJs` (`make lint`) and comments for
//! the next reader; a shopper's browser needs neither, and on the cart page they were about
//! a fifth of the bytes. This is deliberately less than a minifier: every line break between
//! tokens is kept (so automatic semicolon insertion reads the code as before, and an error's
//! line still points somewhere near), and no token is renamed, joined or reordered. Only
//! comments, indentation, trailing blanks and empty lines go; strings, template literals and
//! regular expressions are copied byte for byte. A file this lexer cannot follow to its end
//! (an unterminated string, comment or regular expression) is published untouched.

/// `source` without comments, indentation, trailing blanks and empty lines; `None` if it
/// cannot be followed to its end.
pub fn javascript(source: &str) -> Option<String> {
    let b = source.as_bytes();
    let mut out = Out::with_capacity(b.len());
    let mut i = 0;
    // Whether a `/` here starts a regular expression rather than a division: after an
    // operator, an opening bracket, `,` `;` `}` or a keyword such as `return`; not after a
    // name, a number, a string or a closing `)` `]`.
    let mut regex_may_start = true;
    // For each `${` of a template literal being read, the `{` opened inside it: a `}` at
    // zero ends the substitution and the template goes on.
    let mut substitutions: Vec<usize> = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = i + 2 + source[i + 2..].find("*/")? + 2;
                // A comment holding a line break counts as one for semicolon insertion.
                if source[i..end].contains('\n') {
                    out.newline();
                } else {
                    out.blank(b' ');
                }
                i = end;
            }
            b'\'' | b'"' => {
                let end = string_end(b, i)?;
                out.code(&b[i..end]);
                i = end;
                regex_may_start = false;
            }
            // A template literal opens, or goes on after the `}` that ends a substitution.
            b'`' | b'}' if c == b'`' || substitutions.last() == Some(&0) => {
                if c == b'}' {
                    substitutions.pop();
                }
                let (end, closed) = template_part(b, i + 1)?;
                out.code(&b[i..end]);
                i = end;
                if !closed {
                    substitutions.push(0);
                }
                regex_may_start = !closed;
            }
            b'/' if regex_may_start => {
                let end = regex_end(b, i)?;
                out.code(&b[i..end]);
                i = end;
                regex_may_start = false;
            }
            b'\n' => {
                out.newline();
                i += 1;
            }
            b' ' | b'\t' | b'\r' => {
                out.blank(c);
                i += 1;
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80) {
                    i += 1;
                }
                let word = &b[start..i];
                out.code(word);
                regex_may_start = KEYWORDS_BEFORE_AN_EXPRESSION.contains(&word);
            }
            _ => {
                match c {
                    b'{' => {
                        if let Some(open) = substitutions.last_mut() {
                            *open += 1;
                        }
                    }
                    b'}' => {
                        if let Some(open) = substitutions.last_mut() {
                            *open -= 1;
                        }
                    }
                    _ => {}
                }
                out.code(&[c]);
                regex_may_start = !matches!(c, b')' | b']');
                i += 1;
            }
        }
    }
    if !substitutions.is_empty() {
        return None;
    }
    out.finish()
}

/// `source` (CSS) without comments, indentation, trailing blanks and empty lines; `None` if
/// it cannot be followed to its end.
pub fn css(source: &str) -> Option<String> {
    let b = source.as_bytes();
    let mut out = Out::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = i + 2 + source[i + 2..].find("*/")? + 2;
            }
            b'\'' | b'"' => {
                let end = string_end(b, i)?;
                out.code(&b[i..end]);
                i = end;
            }
            b'\n' => {
                out.newline();
                i += 1;
            }
            c @ (b' ' | b'\t' | b'\r') => {
                out.blank(c);
                i += 1;
            }
            c => {
                out.code(&[c]);
                i += 1;
            }
        }
    }
    out.finish()
}

/// Words after which an expression, so possibly a regular expression, comes.
const KEYWORDS_BEFORE_AN_EXPRESSION: [&[u8]; 14] = [
    b"return",
    b"typeof",
    b"instanceof",
    b"in",
    b"of",
    b"new",
    b"delete",
    b"void",
    b"throw",
    b"case",
    b"do",
    b"else",
    b"yield",
    b"await",
];

/// The end (past the closing quote) of the string literal opening at `start`.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let quote = b[start];
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Reads a template literal's text from `from` to its closing backtick (true) or to the
/// `${` of a substitution (false); returns the index past it.
fn template_part(b: &[u8], from: usize) -> Option<(usize, bool)> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'`' => return Some((i + 1, true)),
            b'$' if b.get(i + 1) == Some(&b'{') => return Some((i + 2, false)),
            _ => i += 1,
        }
    }
    None
}

/// The end (past its flags) of the regular expression literal opening at `start`.
fn regex_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let mut in_class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            b'[' => {
                in_class = true;
                i += 1;
            }
            b']' => {
                in_class = false;
                i += 1;
            }
            b'/' if !in_class => {
                i += 1;
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                return Some(i);
            }
            _ => i += 1,
        }
    }
    None
}

/// The output, a line at a time: blanks are held back until something follows them on the
/// line, so indentation, trailing blanks and empty lines never reach it.
struct Out {
    bytes: Vec<u8>,
    /// Blanks seen since the last token of this line.
    blanks: Vec<u8>,
    /// Whether this line has a token yet.
    line_started: bool,
}

impl Out {
    fn with_capacity(n: usize) -> Out {
        Out { bytes: Vec::with_capacity(n), blanks: Vec::new(), line_started: false }
    }

    /// A token (a string, template or regular expression whole, line breaks inside it too):
    /// the blanks before it are kept, unless it starts its line.
    fn code(&mut self, token: &[u8]) {
        if self.line_started {
            self.bytes.append(&mut self.blanks);
        }
        self.blanks.clear();
        self.bytes.extend_from_slice(token);
        self.line_started = true;
    }

    fn blank(&mut self, c: u8) {
        self.blanks.push(c);
    }

    fn newline(&mut self) {
        self.blanks.clear();
        if self.line_started {
            self.bytes.push(b'\n');
            self.line_started = false;
        }
    }

    fn finish(self) -> Option<String> {
        // Only whole comments and ASCII blanks were left out, so the bytes are still UTF-8.
        String::from_utf8(self.bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(source: &str) -> String {
        javascript(source).expect("followed to its end")
    }

    #[test]
    fn comments_indentation_and_empty_lines_go() {
        let source = "/** @param {string} a */\nconst f = (a) => {\n    // why\n    return a; /* inline */ \n\n};\n";
        assert_eq!(js(source), "const f = (a) => {\nreturn a;\n};\n");
    }

    #[test]
    fn strings_templates_and_regular_expressions_are_copied_as_they_are() {
        assert_eq!(js("const a = '// not a comment';\n"), "const a = '// not a comment';\n");
        assert_eq!(js("const a = \"/* nor */\";\n"), "const a = \"/* nor */\";\n");
        assert_eq!(js("const a = 'it\\'s // fine';\n"), "const a = 'it\\'s // fine';\n");
        // A template's lines and indentation are its text.
        let template = "const t = `line one\n    // two\n  ${a + `in ${b}`} /* three */`;\n";
        assert_eq!(js(template), template);
        assert_eq!(js("x = `${ {a: 1}.a }// after`; // gone\n"), "x = `${ {a: 1}.a }// after`;\n");
        assert_eq!(js("s.replace(/\\/\\/|[/*]/g, '') // gone\n"), "s.replace(/\\/\\/|[/*]/g, '')\n");
        assert_eq!(js("if (x) return /[\"']/.test(y);\n"), "if (x) return /[\"']/.test(y);\n");
    }

    #[test]
    fn a_slash_after_a_value_is_a_division() {
        assert_eq!(js("const r = a / b / c; // gone\n"), "const r = a / b / c;\n");
        assert_eq!(js("const r = (a + 1) / 2 /* gone */;\n"), "const r = (a + 1) / 2  ;\n");
        assert_eq!(js("const r = x[0] / 2; // gone\n"), "const r = x[0] / 2;\n");
    }

    #[test]
    fn a_comment_across_lines_still_breaks_the_line() {
        // `return` then a line break returns undefined; the comment must not join them.
        assert_eq!(js("return /*\n*/ x;\n"), "return\nx;\n");
    }

    #[test]
    fn what_cannot_be_followed_is_left_alone() {
        assert_eq!(javascript("const a = 'open\n"), None);
        assert_eq!(javascript("/* open"), None);
        assert_eq!(javascript("const t = `open ${a"), None);
        assert_eq!(javascript("const r = /open\n"), None);
    }

    #[test]
    fn non_ascii_text_survives() {
        assert_eq!(js("const a = 'Café — ¥';\n// é\nconst é = 1;\n"), "const a = 'Café — ¥';\nconst é = 1;\n");
    }

    #[test]
    fn css_loses_comments_and_indentation_only() {
        let source = "/* the shop */\n.a {\n  color: red; /* why */\n  background: url(\"/*x*/.png\");\n}\n\n";
        assert_eq!(css(source).as_deref(), Some(".a {\ncolor: red;\nbackground: url(\"/*x*/.png\");\n}\n"));
    }
}
