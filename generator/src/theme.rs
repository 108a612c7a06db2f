//! Finding a theme's templates and static files, with the site's own files winning.
//!
//! The theme is `themes/<name>/` in the site's folder; the default theme is also built into
//! the binary (`build.rs` embeds the repository's `themes/default/`), so a site that has
//! only `content/` builds with it. The site's `templates/` and `static/` override either
//! one file at a time.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;
use crate::layout::{self, Layout};

mod built_in {
    include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));
}

/// The theme `site.toml` names by default, and the one built into the binary.
pub const DEFAULT: &str = "default";

/// The pages every theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &["index.html", "book.html", "cart.html", "order.html", "404.html"];

/// Where one file of a theme comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file in the site's folder (a theme's, or an override).
    File(PathBuf),
    /// A file of the default theme built into the binary: its path under `themes/default/`.
    BuiltIn(&'static str, &'static [u8]),
}

impl Source {
    /// Its bytes.
    pub fn read(&self) -> std::io::Result<Cow<'static, [u8]>> {
        match self {
            Source::File(path) => std::fs::read(path).map(Cow::Owned),
            Source::BuiltIn(_, bytes) => Ok(Cow::Borrowed(bytes)),
        }
    }

    /// Its text, which must be UTF-8.
    pub fn read_to_string(&self) -> std::io::Result<String> {
        match self {
            Source::File(path) => std::fs::read_to_string(path),
            Source::BuiltIn(_, bytes) => {
                String::from_utf8(bytes.to_vec()).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            }
        }
    }

    /// The path that names it in messages: the file, or where the built-in one comes from.
    pub fn path(&self) -> PathBuf {
        match self {
            Source::File(path) => path.clone(),
            Source::BuiltIn(rel, _) => Path::new("(built in)").join(layout::THEMES).join(DEFAULT).join(rel),
        }
    }
}

/// A theme resolved against a site: for each name, the file that wins.
#[derive(Debug)]
pub struct Theme {
    /// Template name (`book.html`) → file.
    pub templates: BTreeMap<String, Source>,
    /// Static path relative to `static/` (`shop.css`) → file.
    pub statics: BTreeMap<String, Source>,
}

impl Theme {
    /// Looks up `themes/<name>/` in the site (the built-in copy for `default` when the
    /// site has none), then the site's `templates/` and `static/`.
    pub fn resolve(layout: &Layout, name: &str) -> Result<Theme, Diagnostic> {
        let mut theme = Theme { templates: BTreeMap::new(), statics: BTreeMap::new() };
        let theme_dir = layout.theme(name);
        if theme_dir.is_dir() {
            theme.collect(&theme_dir.join(layout::TEMPLATES), &theme_dir.join(layout::STATIC));
        } else if name == DEFAULT {
            theme.built_in();
        } else {
            return Err(Diagnostic::new(
                &layout.settings(),
                format!("theme `{name}` not found at {}", theme_dir.display()),
            )
            .help(format!(
                "set `theme` in site.toml to a folder under {}/, or leave it out for the built-in `{DEFAULT}`",
                layout::THEMES
            )));
        }
        // Later layers win: the theme first, then the site's own overrides.
        theme.collect(&layout.templates(), &layout.statics());
        Ok(theme)
    }

    fn built_in(&mut self) {
        for (rel, bytes) in built_in::FILES {
            let source = Source::BuiltIn(rel, bytes);
            if let Some(name) = rel.strip_prefix(layout::TEMPLATES).and_then(|r| r.strip_prefix('/')) {
                self.templates.insert(name.to_owned(), source);
            } else if let Some(name) = rel.strip_prefix(layout::STATIC).and_then(|r| r.strip_prefix('/')) {
                self.statics.insert(name.to_owned(), source);
            }
        }
    }

    fn collect(&mut self, templates: &Path, statics: &Path) {
        collect(templates, &mut self.templates);
        collect(statics, &mut self.statics);
    }
}

fn collect(dir: &Path, into: &mut BTreeMap<String, Source>) {
    if !dir.is_dir() {
        return;
    }
    for entry in WalkDir::new(dir).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        if let Ok(rel) = entry.path().strip_prefix(dir) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            into.insert(rel, Source::File(entry.into_path()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's `themes/default/`, the source of truth.
    fn repository_theme() -> Theme {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        Theme::resolve(&Layout::new(root), DEFAULT).expect("the repository has the default theme")
    }

    #[test]
    fn the_built_in_theme_is_exactly_the_repositorys_default_theme() {
        let mut built_in = Theme { templates: BTreeMap::new(), statics: BTreeMap::new() };
        built_in.built_in();
        let on_disk = repository_theme();
        let bytes = |files: &BTreeMap<String, Source>| -> Vec<(String, Vec<u8>)> {
            files.iter().map(|(name, source)| (name.clone(), source.read().expect("reads").into_owned())).collect()
        };
        assert_eq!(bytes(&built_in.templates), bytes(&on_disk.templates));
        assert_eq!(bytes(&built_in.statics), bytes(&on_disk.statics));
        assert_eq!(
            built_in::FILES.len(),
            built_in.templates.len() + built_in.statics.len(),
            "every file is a template or a static file"
        );
        for required in REQUIRED_TEMPLATES {
            assert!(built_in.templates.contains_key(*required), "{required}");
        }
    }

    #[test]
    fn a_site_without_themes_gets_the_built_in_default_and_overrides_it_file_by_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("templates")).expect("mkdir");
        std::fs::write(dir.path().join("templates/404.html"), "lost").expect("write");
        let theme = Theme::resolve(&Layout::new(dir.path()), DEFAULT).expect("built in");
        assert_eq!(theme.templates["404.html"], Source::File(dir.path().join("templates/404.html")));
        assert!(matches!(theme.templates["book.html"], Source::BuiltIn("templates/book.html", _)));
        assert_eq!(theme.templates["book.html"].path(), Path::new("(built in)/themes/default/templates/book.html"));
        assert!(matches!(theme.statics["shop.css"], Source::BuiltIn("static/shop.css", _)));

        let other = Theme::resolve(&Layout::new(dir.path()), "fancy").expect_err("no such theme");
        assert_eq!(
            other.to_string(),
            format!(
                "{}: theme `fancy` not found at {}\n  help: set `theme` in site.toml to a folder under themes/, or leave it out for the built-in `default`",
                dir.path().join("content/site.toml").display(),
                dir.path().join("themes/fancy").display()
            )
        );
    }
}
