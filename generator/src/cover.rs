//! A typographic SVG cover for a book without a cover image: the title set large on a
//! colour field picked from the book's id, the author below, a motif that differs per book.

use std::fmt::Write;

use crate::escape::xml;

/// The drawn cover's size (2:3, a trade paperback).
pub const WIDTH: u32 = 400;
/// The drawn cover's height.
pub const HEIGHT: u32 = 600;

/// Ink and paper pairs with enough contrast for large text (WCAG AA at 3:1 and above).
const PALETTES: &[(&str, &str, &str)] = &[
    // (background, text, accent)
    ("#1d3557", "#f1faee", "#e63946"),
    ("#f4efe6", "#1b1b1b", "#c0392b"),
    ("#264653", "#fefae0", "#e9c46a"),
    ("#3d0c11", "#fbeee0", "#d4a373"),
    ("#e9edc9", "#283618", "#bc6c25"),
    ("#0b132b", "#f2e9e4", "#5bc0be"),
    ("#fff3b0", "#2b2d42", "#d62828"),
    ("#2d3a3a", "#f0ead2", "#a3b18a"),
];

/// Breaks text into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// The SVG document for a book's cover.
pub fn draw(id: &str, title: &str, author: &str) -> String {
    // Stable across runs and machines, so a cover never changes unless its book does.
    let h = catalog::digest::fnv1a(id.as_bytes());
    let (paper, ink, accent) = PALETTES[(h % PALETTES.len() as u64) as usize];
    // A title's main part is set large; a subtitle after ':' smaller.
    let (main, subtitle) = match title.split_once(':') {
        Some((main, sub)) => (main.trim(), Some(sub.trim())),
        None => (title, None),
    };
    let main_lines = wrap(main, 14);
    let size = if main_lines.len() > 4 { 30 } else { 38 };
    let mut svg = String::with_capacity(2048);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{}">"#,
        xml(&format!("{title}, by {author}"))
    );
    let _ = write!(svg, r#"<rect width="{WIDTH}" height="{HEIGHT}" fill="{paper}"/>"#);
    // The motif: one of four figures, placed by the hash, in the accent colour.
    // It stays between the title block and the author line (y 400..500).
    let x = 60 + (h >> 8) % 280;
    let y = 420 + (h >> 16) % 30;
    match (h >> 24) % 4 {
        0 => {
            let _ = write!(svg, r#"<circle cx="{x}" cy="{y}" r="48" fill="{accent}" opacity=".9"/>"#);
        }
        1 => {
            let _ = write!(
                svg,
                r#"<rect x="0" y="{y}" width="{WIDTH}" height="20" fill="{accent}"/><rect x="0" y="{}" width="{WIDTH}" height="6" fill="{accent}"/>"#,
                y + 30
            );
        }
        2 => {
            let _ = write!(svg, r#"<path d="M32 500 L{x} {} L368 500 Z" fill="{accent}" opacity=".85"/>"#, y - 40);
        }
        _ => {
            for i in 0..6 {
                let _ = write!(
                    svg,
                    r#"<circle cx="{}" cy="{y}" r="14" fill="none" stroke="{accent}" stroke-width="4"/>"#,
                    60 + i * 56
                );
            }
        }
    }
    let _ = write!(
        svg,
        r#"<rect x="32" y="32" width="{}" height="{}" fill="none" stroke="{ink}" stroke-width="2" opacity=".5"/>"#,
        WIDTH - 64,
        HEIGHT - 64
    );
    let serif = "Georgia,'Times New Roman',serif";
    let mut ty = 110;
    for line in &main_lines {
        let _ = write!(
            svg,
            r#"<text x="56" y="{ty}" font-family="{serif}" font-size="{size}" font-weight="700" fill="{ink}">{}</text>"#,
            xml(line)
        );
        ty += size + 8;
    }
    if let Some(sub) = subtitle {
        ty += 6;
        for line in wrap(sub, 28).iter().take(3) {
            let _ = write!(
                svg,
                r#"<text x="56" y="{ty}" font-family="{serif}" font-size="19" font-style="italic" fill="{ink}">{}</text>"#,
                xml(line)
            );
            ty += 26;
        }
    }
    let _ = write!(
        svg,
        r#"<text x="56" y="{}" font-family="system-ui,-apple-system,'Segoe UI',sans-serif" font-size="18" letter-spacing="2" fill="{ink}">{}</text></svg>"#,
        HEIGHT - 60,
        xml(&author.to_uppercase())
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_escape_text_and_differ_per_book() {
        let a = draw("a", "Tom & <Jerry>", "Me");
        assert!(a.contains("Tom &amp; &lt;Jerry&gt;"));
        assert!(a.starts_with("<svg") && a.ends_with("</svg>"));
        assert_ne!(draw("art-of-doing", "T", "A"), draw("working-in-public", "T", "A"));
    }

    #[test]
    fn titles_wrap_at_spaces() {
        assert_eq!(wrap("The Art of Doing Science", 14), vec!["The Art of", "Doing Science"]);
    }
}
