//! A site loaded and checked as a whole: settings, books and theme.

use std::path::{Path, PathBuf};

use tera::Tera;

use crate::assets::Assets;
use crate::config::Config;
use crate::content::{self, Book};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::render;
use crate::theme::Theme;

/// Everything needed to render, all of it valid.
pub struct Site {
    /// The site's root folder.
    pub root: PathBuf,
    /// `content/site.toml`.
    pub config: Config,
    /// Books on sale or sold out (drafts left out), in catalog order.
    pub books: Vec<Book>,
    /// The resolved theme.
    pub theme: Theme,
    /// The theme's templates, compiled.
    pub tera: Tera,
    /// The static files, fingerprinted.
    pub assets: Assets,
}

impl Site {
    /// Loads and checks the site at `root`, reporting every problem at once.
    pub fn load(root: &Path) -> Result<Site, Diagnostics> {
        let publishable_key = std::env::var("STRIPE_PUBLISHABLE_KEY").ok().filter(|k| !k.is_empty());
        let config =
            Config::load(&root.join("content/site.toml"), publishable_key).map_err(|d| Diagnostics(vec![d]))?;
        let books_dir = root.join("content/books");
        let mut problems: Vec<Diagnostic> = Vec::new();
        let books = if books_dir.is_dir() {
            let (books, mut found) = content::load_books(&books_dir, &config);
            problems.append(&mut found);
            books
        } else {
            problems.push(
                Diagnostic::new(&books_dir, "the books folder is missing")
                    .help("create content/books/ and add a book with `bookshop new \"Title\"`"),
            );
            Vec::new()
        };
        let theme = Theme::resolve(root, &config.theme);
        let assets = match &theme {
            Ok(theme) => Assets::load(theme).map_err(|mut found| problems.append(&mut found)).unwrap_or_default(),
            Err(_) => Assets::default(),
        };
        let tera = match &theme {
            Ok(theme) => render::compile(theme, &assets).map_err(|mut found| problems.append(&mut found)).ok(),
            Err(d) => {
                problems.push(d.clone());
                None
            }
        };
        match (theme, tera) {
            (Ok(theme), Some(tera)) if problems.is_empty() => {
                Ok(Site { root: root.to_owned(), config, books, theme, tera, assets })
            }
            _ => Err(Diagnostics(problems)),
        }
    }
}
