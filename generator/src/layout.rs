//! Where a site keeps its files: the one place the folder names are spelled. Every other
//! module asks a [`Layout`] for a path, so renaming a folder is a change here only.

use std::path::{Path, PathBuf};

/// The site's content, under the root: settings and books.
pub const CONTENT: &str = "content";
/// The book files (and their covers and images), under the root.
pub const BOOKS: &str = "content/books";
/// The site's settings, under the root.
pub const SETTINGS: &str = "content/site.toml";
/// Themes, one folder each (`themes/<name>/`), under the root.
pub const THEMES: &str = "themes";
/// Templates: a theme's own, or the site's overrides at the root.
pub const TEMPLATES: &str = "templates";
/// Static files: a theme's own, or the site's overrides at the root.
pub const STATIC: &str = "static";
/// Processed images kept between builds, under the root: never part of the site, safe to
/// delete, to be left out of version control ([`crate::imageproc`]).
pub const CACHE: &str = ".bookshop-cache";
/// Where the site is written unless told otherwise, under the root.
pub const OUTPUT: &str = "public";

/// The folders under the root whose files the site is made from (what `watch` watches).
pub const SOURCES: [&str; 4] = [CONTENT, THEMES, TEMPLATES, STATIC];

/// A site's folder and the paths of its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The site at `root`; an empty path is the current folder, and paths then read
    /// `content/books/x.md` rather than `./content/books/x.md`.
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }

    /// The site's folder, as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `content/books/`.
    pub fn books(&self) -> PathBuf {
        self.root.join(BOOKS)
    }

    /// `content/site.toml`.
    pub fn settings(&self) -> PathBuf {
        self.root.join(SETTINGS)
    }

    /// `themes/<name>/`.
    pub fn theme(&self, name: &str) -> PathBuf {
        self.root.join(THEMES).join(name)
    }

    /// The site's own `templates/` (overrides of the theme's).
    pub fn templates(&self) -> PathBuf {
        self.root.join(TEMPLATES)
    }

    /// The site's own `static/` (overrides of the theme's).
    pub fn statics(&self) -> PathBuf {
        self.root.join(STATIC)
    }

    /// `.bookshop-cache/covers/`, the processed covers ([`crate::imageproc`]).
    pub fn cover_cache(&self) -> PathBuf {
        self.root.join(CACHE).join("covers")
    }

    /// `public/`, the default output.
    pub fn output(&self) -> PathBuf {
        self.root.join(OUTPUT)
    }

    /// What a changed file (as `root.join(...)`) is to the site, judged by where it lives.
    pub fn place_of(&self, path: &Path) -> Place {
        let Ok(rel) = path.strip_prefix(&self.root) else { return Place::Outside };
        if rel.starts_with(BOOKS) {
            Place::Books
        } else if rel == Path::new(SETTINGS) || [THEMES, TEMPLATES, STATIC].iter().any(|dir| rel.starts_with(dir)) {
            Place::Look
        } else {
            Place::Outside
        }
    }
}

/// Where a file lives in a site, for deciding what its change rebuilds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Under `content/books/`: a book file, a cover, an image.
    Books,
    /// Settings, a theme or an override: read by every page.
    Look,
    /// Anything else (the output, `target/`, the root's own files).
    Outside,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_of_a_site_is_under_its_root() {
        let site = Layout::new("/shop");
        assert_eq!(site.books(), Path::new("/shop/content/books"));
        assert_eq!(site.settings(), Path::new("/shop/content/site.toml"));
        assert_eq!(site.theme("default"), Path::new("/shop/themes/default"));
        assert_eq!(site.templates(), Path::new("/shop/templates"));
        assert_eq!(site.statics(), Path::new("/shop/static"));
        assert_eq!(site.output(), Path::new("/shop/public"));
        assert_eq!(site.cover_cache(), Path::new("/shop/.bookshop-cache/covers"));
        assert_eq!(Layout::new("").books(), Path::new("content/books"), "no ./ in messages");
    }

    #[test]
    fn files_are_placed_by_their_folder() {
        let site = Layout::new("/shop");
        let place = |rel: &str| site.place_of(&Path::new("/shop").join(rel));
        assert_eq!(place("content/books/a.md"), Place::Books);
        assert_eq!(place("content/site.toml"), Place::Look);
        assert_eq!(place("themes/default/templates/book.html"), Place::Look);
        assert_eq!(place("templates/book.html"), Place::Look);
        assert_eq!(place("static/shop.css"), Place::Look);
        assert_eq!(place("content/notes.txt"), Place::Outside);
        assert_eq!(place("public/index.html"), Place::Outside);
        assert_eq!(site.place_of(Path::new("/elsewhere/content/books/a.md")), Place::Outside);
    }
}
