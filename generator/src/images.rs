//! Images in book descriptions. The shop's Content-Security-Policy lets pages load images
//! only from the shop itself (`img-src 'self'`), so the rule is the covers' rule: an image
//! is a file beside the book, copied with the site under the book's own folder
//! (`/books/<id>/<file name>`), and the description's `src` is rewritten to it. An image on
//! another site would be blocked by every browser: it is refused with a message instead.

use std::path::{Path, PathBuf};

use crate::content::COVER_EXTENSIONS;
use crate::diagnostic::Diagnostic;
use crate::markdown;

/// A local image of a description, found and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The `src` as written in the markdown.
    pub src: String,
    /// The image file.
    pub path: PathBuf,
    /// Its file name, which is its name in the book's folder of the site.
    pub name: String,
}

impl Image {
    /// Where it is copied, site-relative: `books/<id>/<name>`.
    pub fn file(&self, book_id: &str) -> String {
        format!("books/{book_id}/{}", self.name)
    }
}

/// The images of the description of the book at `book`, whose body starts on the file's
/// 1-based line `body_line`. Every image that cannot be shown is a problem in `problems`.
pub fn find(book: &Path, body: &str, body_line: usize, problems: &mut Vec<Diagnostic>) -> Vec<Image> {
    let mut images: Vec<Image> = Vec::new();
    let folder = book.parent().unwrap_or(Path::new("."));
    for (src, offset) in markdown::image_sources(body) {
        let line = body_line + body[..offset].matches('\n').count();
        let at = |message: String| Diagnostic::new(book, message).at_line(Some(line));
        if src.starts_with("data:") || src.starts_with('/') || images.iter().any(|i| i.src == src) {
            // Inline data and site paths (`/static/…`) are the shop's own: left as written.
            continue;
        }
        if is_remote(&src) {
            problems.push(
                at(format!(
                    "image `{src}` is on another site: the shop's Content-Security-Policy (img-src 'self') stops browsers from loading it"
                ))
                .help("download the image, put the file beside the book and write its file name, e.g. ![The author](photo.jpg); it is then copied with the site"),
            );
            continue;
        }
        let relative = percent_decode(&src);
        let path = folder.join(&relative);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let ext = path.extension().map(|x| x.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if !COVER_EXTENSIONS.contains(&ext.as_str()) {
            problems.push(
                at(format!("image `{src}` is not an image this shop can show"))
                    .help(format!("use one of: {}", COVER_EXTENSIONS.join(", "))),
            );
        } else if !path.is_file() {
            problems.push(
                at(format!("image file `{}` does not exist", path.display()))
                    .help("put the image beside the book file (the path is relative to it), or remove the image"),
            );
        } else if let Some(other) = images.iter().find(|i| i.name == name) {
            problems.push(
                at(format!("images `{}` and `{src}` would both be copied as `{name}`", other.src))
                    .help("give one of the files another name"),
            );
        } else {
            images.push(Image { src, path, name });
        }
    }
    images
}

/// `https://…`, `//host/…`, or any other scheme (`ftp:`, `file:`): not a file of the shop.
fn is_remote(src: &str) -> bool {
    src.starts_with("//") || src.split_once(':').is_some_and(|(scheme, _)| !scheme.contains('/'))
}

/// `my%20photo.jpg` → `my photo.jpg`: a markdown link's path as the file is named.
fn percent_decode(src: &str) -> String {
    let bytes = src.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
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
    fn remote_sources_are_told_from_files() {
        for remote in ["https://example.com/a.jpg", "http://x/a.png", "//cdn.example/a.png", "ftp://x/a.png"] {
            assert!(is_remote(remote), "{remote}");
        }
        for local in ["a.jpg", "img/a.jpg", "../shared/a.jpg", "photos/2020:05.jpg"] {
            assert!(!is_remote(local), "{local}");
        }
        assert_eq!(percent_decode("my%20photo.jpg"), "my photo.jpg");
        assert_eq!(percent_decode("100%.jpg"), "100%.jpg");
    }
}
