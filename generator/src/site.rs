//! A site loaded and checked as a whole: settings, books and theme.

use std::path::Path;

use tera::Tera;

use crate::assets::Assets;
use crate::config::Config;
use crate::content::{self, Book, Drafts};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::listing;
use crate::render;
use crate::theme::Theme;

/// Everything needed to render, all of it valid.
pub struct Site {
    /// `content/site.toml`.
    pub config: Config,
    /// Books on sale or sold out (drafts left out unless included), in catalog order.
    pub books: Vec<Book>,
    /// Whether drafts are among `books` (a preview) or were skipped.
    pub drafts: Drafts,
    /// How many books are drafts: skipped, or included in `books`.
    pub draft_count: usize,
    /// The theme's templates, compiled.
    pub tera: Tera,
    /// The static files, fingerprinted.
    pub assets: Assets,
}

impl Site {
    /// Loads and checks the site at `root`, reporting every problem at once. Drafts are
    /// skipped unless `drafts` includes them.
    pub fn load(root: &Path, drafts: Drafts) -> Result<Site, Diagnostics> {
        let publishable_key = std::env::var("STRIPE_PUBLISHABLE_KEY").ok().filter(|k| !k.is_empty());
        let config =
            Config::load(&root.join("content/site.toml"), publishable_key).map_err(|d| Diagnostics(vec![d]))?;
        let books_dir = root.join("content/books");
        let mut problems: Vec<Diagnostic> = Vec::new();
        let mut draft_count = 0;
        let books = if books_dir.is_dir() {
            let mut loaded = content::load_books(&books_dir, &config, drafts);
            problems.append(&mut loaded.problems);
            problems.append(&mut listing::tag_problems(&loaded.books));
            draft_count = loaded.drafts;
            loaded.books
        } else {
            problems.push(
                Diagnostic::new(&books_dir, "the books folder is missing")
                    .help("create content/books/ and add a book with `bookshop new \"Title\"`"),
            );
            Vec::new()
        };
        let (assets, tera) = match Theme::resolve(root, &config.theme) {
            Ok(theme) => {
                let assets = Assets::load(&theme).map_err(|mut found| problems.append(&mut found)).unwrap_or_default();
                let tera = render::compile(&theme, &assets).map_err(|mut found| problems.append(&mut found)).ok();
                (assets, tera)
            }
            Err(d) => {
                problems.push(d);
                (Assets::default(), None)
            }
        };
        match tera {
            Some(tera) if problems.is_empty() => Ok(Site { config, books, drafts, draft_count, tera, assets }),
            _ => Err(Diagnostics(problems)),
        }
    }
}
