//! Finding a theme's templates and static files, with the site's own files winning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;

/// The pages every theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &["index.html", "book.html", "cart.html", "order.html", "404.html"];

/// A theme resolved against a site: for each name, the file that wins.
#[derive(Debug)]
pub struct Theme {
    /// Template name (`book.html`) → file.
    pub templates: BTreeMap<String, PathBuf>,
    /// Static path relative to `static/` (`shop.css`) → file.
    pub statics: BTreeMap<String, PathBuf>,
}

impl Theme {
    /// Looks up `themes/<name>/` under `root`, then the site's `templates/` and `static/`.
    pub fn resolve(root: &Path, name: &str) -> Result<Theme, Diagnostic> {
        let theme_dir = root.join("themes").join(name);
        if !theme_dir.is_dir() {
            return Err(Diagnostic::new(
                &root.join("content/site.toml"),
                format!("theme `{name}` not found at {}", theme_dir.display()),
            )
            .help("set `theme` in site.toml to a folder under themes/ (the shop ships `default`)"));
        }
        let mut templates = BTreeMap::new();
        let mut statics = BTreeMap::new();
        // Later layers win: the theme first, then the site's own overrides.
        for base in [theme_dir.as_path(), root] {
            collect(&base.join("templates"), &mut templates);
            collect(&base.join("static"), &mut statics);
        }
        Ok(Theme { templates, statics })
    }
}

fn collect(dir: &Path, into: &mut BTreeMap<String, PathBuf>) {
    if !dir.is_dir() {
        return;
    }
    for entry in WalkDir::new(dir).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        if let Ok(rel) = entry.path().strip_prefix(dir) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            into.insert(rel, entry.into_path());
        }
    }
}
