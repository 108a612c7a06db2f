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
    let (paper, ink, accent) = PALETTES[palette_of(id)];
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
}
