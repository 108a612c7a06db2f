//! A typographic SVG cover for a book without a cover image: the title set large on a
//! colour field picked from the book's id, the author below, a motif that differs per book.

use crate::escape::xml_into;

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

/// The SVG document for a book's cover. Pushed piece by piece: a list page draws a cover for
/// each of its books, and `write!` was most of a cover's cost.
pub fn draw(id: &str, title: &str, author: &str) -> String {
    // Stable across runs and machines, so a cover never changes unless its book does.
    let h = catalog::digest::fnv1a(id.as_bytes());
    let (paper, ink, accent) = PALETTES[palette_of(id)];
    // A title's main part is set large; a subtitle after ':' smaller.
    let (main, subtitle) = match title.split_once(':') {
        Some((main, sub)) => (main.trim(), Some(sub.trim())),
        None => (title, None),
    };
    let main_lines = wrap(main, 14);
    let size: u64 = if main_lines.len() > 4 { 30 } else { 38 };
    let (width, height) = (u64::from(WIDTH), u64::from(HEIGHT));
    let mut svg = String::with_capacity(2048);
    let s = &mut svg;
    push(s, &[r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#]);
    crate::escape::decimal(s, width);
    s.push(' ');
    crate::escape::decimal(s, height);
    s.push_str(r#"" width=""#);
    crate::escape::decimal(s, width);
    s.push_str(r#"" height=""#);
    crate::escape::decimal(s, height);
    s.push_str(r#"" role="img" aria-label=""#);
    xml_into(s, title);
    s.push_str(", by ");
    xml_into(s, author);
    s.push_str(r#""><rect width=""#);
    crate::escape::decimal(s, width);
    s.push_str(r#"" height=""#);
    crate::escape::decimal(s, height);
    push(s, &[r#"" fill=""#, paper, r#""/>"#]);
    // The motif: one of four figures, placed by the hash, in the accent colour.
    // It stays between the title block and the author line (y 400..500).
    let x = 60 + (h >> 8) % 280;
    let y = 420 + (h >> 16) % 30;
    match (h >> 24) % 4 {
        0 => {
            s.push_str(r#"<circle cx=""#);
            crate::escape::decimal(s, x);
            s.push_str(r#"" cy=""#);
            crate::escape::decimal(s, y);
            push(s, &[r#"" r="48" fill=""#, accent, r#"" opacity=".9"/>"#]);
        }
        1 => {
            for (top, tall) in [(y, "20"), (y + 30, "6")] {
                s.push_str(r#"<rect x="0" y=""#);
                crate::escape::decimal(s, top);
                s.push_str(r#"" width=""#);
                crate::escape::decimal(s, width);
                push(s, &[r#"" height=""#, tall, r#"" fill=""#, accent, r#""/>"#]);
            }
        }
        2 => {
            s.push_str(r#"<path d="M32 500 L"#);
            crate::escape::decimal(s, x);
            s.push(' ');
            crate::escape::decimal(s, y - 40);
            push(s, &[r#" L368 500 Z" fill=""#, accent, r#"" opacity=".85"/>"#]);
        }
        _ => {
            for i in 0..6 {
                s.push_str(r#"<circle cx=""#);
                crate::escape::decimal(s, 60 + i * 56);
                s.push_str(r#"" cy=""#);
                crate::escape::decimal(s, y);
                push(s, &[r#"" r="14" fill="none" stroke=""#, accent, r#"" stroke-width="4"/>"#]);
            }
        }
    }
    s.push_str(r#"<rect x="32" y="32" width=""#);
    crate::escape::decimal(s, width - 64);
    s.push_str(r#"" height=""#);
    crate::escape::decimal(s, height - 64);
    push(s, &[r#"" fill="none" stroke=""#, ink, r#"" stroke-width="2" opacity=".5"/>"#]);
    let serif = "Georgia,'Times New Roman',serif";
    let mut ty = 110;
    for line in &main_lines {
        s.push_str(r#"<text x="56" y=""#);
        crate::escape::decimal(s, ty);
        push(s, &[r#"" font-family=""#, serif, r#"" font-size=""#]);
        crate::escape::decimal(s, size);
        push(s, &[r#"" font-weight="700" fill=""#, ink, r#"">"#]);
        xml_into(s, line);
        s.push_str("</text>");
        ty += size + 8;
    }
    if let Some(sub) = subtitle {
        ty += 6;
        for line in wrap(sub, 28).iter().take(3) {
            s.push_str(r#"<text x="56" y=""#);
            crate::escape::decimal(s, ty);
            push(s, &[r#"" font-family=""#, serif, r#"" font-size="19" font-style="italic" fill=""#, ink, r#"">"#]);
            xml_into(s, line);
            s.push_str("</text>");
            ty += 26;
        }
    }
    s.push_str(r#"<text x="56" y=""#);
    crate::escape::decimal(s, height - 60);
    push(
        s,
        &[
            r#"" font-family="system-ui,-apple-system,'Segoe UI',sans-serif" font-size="18" letter-spacing="2" fill=""#,
            ink,
            r#"">"#,
        ],
    );
    xml_into(s, &author.to_uppercase());
    s.push_str("</text></svg>");
    svg
}

fn push(svg: &mut String, pieces: &[&str]) {
    for piece in pieces {
        svg.push_str(piece);
    }
}

/// How many palettes drawn covers are in, so how many link-preview images a site has.
pub const PALETTE_COUNT: usize = PALETTES.len();

/// The palette of a book's drawn cover.
pub fn palette_of(id: &str) -> usize {
    (catalog::digest::fnv1a(id.as_bytes()) % PALETTES.len() as u64) as usize
}

/// The link-preview image's size: the 1.91:1 of large previews on the social networks.
pub const SHARE_WIDTH: u32 = 1200;
/// The link-preview image's height.
pub const SHARE_HEIGHT: u32 = 630;
/// Bumped when [`share_png`] draws differently: the files' names change with it.
const SHARE_DRAWING: u32 = 1;

/// The link-preview image (`og:image`) of books with a drawn cover in `palette`,
/// site-relative. Social networks show no SVG, and a raster image per book would be a file
/// per book; so there is one per palette, in the colours of the book's cover: its paper, its
/// frame and an accent figure, without text (the preview prints `og:title` beside it).
pub fn share_file(palette: usize) -> String {
    let (paper, ink, accent) = PALETTES[palette];
    let hash = catalog::digest::fnv1a(format!("{SHARE_DRAWING}{paper}{ink}{accent}").as_bytes());
    format!("{}/share-{palette}.{:08x}.png", crate::imageproc::FOLDER, hash as u32)
}

/// The PNG of [`share_file`]: drawn with plain pixels, no rasterizer needed.
pub fn share_png(palette: usize) -> Vec<u8> {
    let rgb = |hex: &str| {
        let n = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
        [(n >> 16) as u8, (n >> 8) as u8, n as u8]
    };
    let (paper, ink, accent) = PALETTES[palette];
    let (paper, ink, accent) = (rgb(paper), rgb(ink), rgb(accent));
    // The drawn cover's frame is ink at half opacity on the paper.
    let frame: [u8; 3] = std::array::from_fn(|i| ((u16::from(paper[i]) + u16::from(ink[i])) / 2) as u8);
    let (w, h) = (SHARE_WIDTH as i64, SHARE_HEIGHT as i64);
    let image = image::RgbImage::from_fn(SHARE_WIDTH, SHARE_HEIGHT, |x, y| {
        let (x, y) = (i64::from(x), i64::from(y));
        let (dx, dy) = (x - 860, y - 280);
        let on_frame = |inset: i64| {
            let inside = x >= inset && y >= inset && x < w - inset && y < h - inset;
            let core = x >= inset + 3 && y >= inset + 3 && x < w - inset - 3 && y < h - inset - 3;
            inside && !core
        };
        let pixel = if on_frame(40) {
            frame
        } else if dx * dx + dy * dy <= 150 * 150 || (430..456).contains(&y) || (470..480).contains(&y) {
            accent
        } else {
            paper
        };
        image::Rgb(pixel)
    });
    let mut png = Vec::new();
    // Writing into memory fails only when out of memory.
    let _ = image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png);
    png
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
    fn each_palette_has_one_share_image_of_the_size_previews_use() {
        let files: std::collections::BTreeSet<String> = (0..PALETTE_COUNT).map(share_file).collect();
        assert_eq!(files.len(), PALETTE_COUNT);
        assert_eq!(share_file(0), "assets/covers/share-0.87e15fe9.png");
        let png = share_png(0);
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png).expect("a PNG");
        assert_eq!((image.width(), image.height()), (1200, 630));
        assert_eq!(image.to_rgb8().get_pixel(10, 10).0, [0x1d, 0x35, 0x57], "the palette's paper");
        assert_eq!(image.to_rgb8().get_pixel(600, 440).0, [0xe6, 0x39, 0x46], "its accent");
        assert!(palette_of("art-of-doing") < PALETTE_COUNT);
    }

    #[test]
    fn titles_wrap_at_spaces() {
        assert_eq!(wrap("The Art of Doing Science", 14), vec!["The Art of", "Doing Science"]);
    }

    #[test]
    fn covers_are_drawn_as_before_byte_for_byte() {
        // Drawn by the `write!` version this one replaced: each motif, a subtitle, escapes.
        let drawn = [
            (
                (
                    "book-054539",
                    "Tom & <Jerry>: the \"true\" story of it all, told at last in full, at long last, by all",
                    "O'Brien & Sons",
                ),
                r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 600" width="400" height="600" role="img" aria-label="Tom &amp; &lt;Jerry&gt;: the &quot;true&quot; story of it all, told at last in full, at long last, by all, by O&#39;Brien &amp; Sons"><rect width="400" height="600" fill="#3d0c11"/><rect x="0" y="422" width="400" height="20" fill="#d4a373"/><rect x="0" y="452" width="400" height="6" fill="#d4a373"/><rect x="32" y="32" width="336" height="536" fill="none" stroke="#fbeee0" stroke-width="2" opacity=".5"/><text x="56" y="110" font-family="Georgia,'Times New Roman',serif" font-size="38" font-weight="700" fill="#fbeee0">Tom &amp; &lt;Jerry&gt;</text><text x="56" y="162" font-family="Georgia,'Times New Roman',serif" font-size="19" font-style="italic" fill="#fbeee0">the &quot;true&quot; story of it all,</text><text x="56" y="188" font-family="Georgia,'Times New Roman',serif" font-size="19" font-style="italic" fill="#fbeee0">told at last in full, at</text><text x="56" y="214" font-family="Georgia,'Times New Roman',serif" font-size="19" font-style="italic" fill="#fbeee0">long last, by all</text><text x="56" y="540" font-family="system-ui,-apple-system,'Segoe UI',sans-serif" font-size="18" letter-spacing="2" fill="#fbeee0">O&#39;BRIEN &amp; SONS</text></svg>"##,
            ),
            (
                ("book-095803", "T", "A"),
                r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 600" width="400" height="600" role="img" aria-label="T, by A"><rect width="400" height="600" fill="#1d3557"/><path d="M32 500 L88 393 L368 500 Z" fill="#e63946" opacity=".85"/><rect x="32" y="32" width="336" height="536" fill="none" stroke="#f1faee" stroke-width="2" opacity=".5"/><text x="56" y="110" font-family="Georgia,'Times New Roman',serif" font-size="38" font-weight="700" fill="#f1faee">T</text><text x="56" y="540" font-family="system-ui,-apple-system,'Segoe UI',sans-serif" font-size="18" letter-spacing="2" fill="#f1faee">A</text></svg>"##,
            ),
            (
                (
                    "book-003551",
                    "The Art of Doing Science and Engineering is a very long main title: Learning to Learn",
                    "Richard Hamming",
                ),
                r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 600" width="400" height="600" role="img" aria-label="The Art of Doing Science and Engineering is a very long main title: Learning to Learn, by Richard Hamming"><rect width="400" height="600" fill="#f4efe6"/><circle cx="60" cy="425" r="14" fill="none" stroke="#c0392b" stroke-width="4"/><circle cx="116" cy="425" r="14" fill="none" stroke="#c0392b" stroke-width="4"/><circle cx="172" cy="425" r="14" fill="none" stroke="#c0392b" stroke-width="4"/><circle cx="228" cy="425" r="14" fill="none" stroke="#c0392b" stroke-width="4"/><circle cx="284" cy="425" r="14" fill="none" stroke="#c0392b" stroke-width="4"/><circle cx="340" cy="425" r="14" fill="none" stroke="#c0392b" stroke-width="4"/><rect x="32" y="32" width="336" height="536" fill="none" stroke="#1b1b1b" stroke-width="2" opacity=".5"/><text x="56" y="110" font-family="Georgia,'Times New Roman',serif" font-size="30" font-weight="700" fill="#1b1b1b">The Art of</text><text x="56" y="148" font-family="Georgia,'Times New Roman',serif" font-size="30" font-weight="700" fill="#1b1b1b">Doing Science</text><text x="56" y="186" font-family="Georgia,'Times New Roman',serif" font-size="30" font-weight="700" fill="#1b1b1b">and</text><text x="56" y="224" font-family="Georgia,'Times New Roman',serif" font-size="30" font-weight="700" fill="#1b1b1b">Engineering is</text><text x="56" y="262" font-family="Georgia,'Times New Roman',serif" font-size="30" font-weight="700" fill="#1b1b1b">a very long</text><text x="56" y="300" font-family="Georgia,'Times New Roman',serif" font-size="30" font-weight="700" fill="#1b1b1b">main title</text><text x="56" y="344" font-family="Georgia,'Times New Roman',serif" font-size="19" font-style="italic" fill="#1b1b1b">Learning to Learn</text><text x="56" y="540" font-family="system-ui,-apple-system,'Segoe UI',sans-serif" font-size="18" letter-spacing="2" fill="#1b1b1b">RICHARD HAMMING</text></svg>"##,
            ),
            (
                ("book-005114", "Short", "Me"),
                r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 600" width="400" height="600" role="img" aria-label="Short, by Me"><rect width="400" height="600" fill="#1d3557"/><circle cx="263" cy="447" r="48" fill="#e63946" opacity=".9"/><rect x="32" y="32" width="336" height="536" fill="none" stroke="#f1faee" stroke-width="2" opacity=".5"/><text x="56" y="110" font-family="Georgia,'Times New Roman',serif" font-size="38" font-weight="700" fill="#f1faee">Short</text><text x="56" y="540" font-family="system-ui,-apple-system,'Segoe UI',sans-serif" font-size="18" letter-spacing="2" fill="#f1faee">ME</text></svg>"##,
            ),
        ];
        for ((id, title, author), svg) in drawn {
            assert_eq!(draw(id, title, author), svg, "{id}");
        }
    }
}
