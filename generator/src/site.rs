//! A site loaded and checked as a whole (settings, books and theme), and written as a whole.

use std::path::Path;

use anyhow::Result;
use tera::Tera;

use crate::assets::Assets;
use crate::config::Config;
use crate::content::{self, Book, Drafts};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::layout::{self, Layout};
use crate::listing;
use crate::output::Staging;
use crate::preview;
use crate::render::{self, Output};
use crate::search;
use crate::theme::Theme;

/// What the command line hands the library besides the site's files: its flags and
/// environment, read there and nowhere else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Whether drafts are skipped (every real build) or built (a preview).
    pub drafts: Drafts,
    /// Stripe's publishable key from the environment (`STRIPE_PUBLISHABLE_KEY`): wins over
    /// `site.toml`'s.
    pub publishable_key: Option<String>,
}

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
    /// Each book's search terms from the last build, for the next.
    pub search: search::Cache,
}

/// What a build wrote, for the summary line.
#[derive(Debug)]
pub struct Summary {
    /// Books in the catalog.
    pub books: usize,
    /// HTML pages written.
    pub pages: usize,
    /// Whether drafts were skipped or built.
    pub drafts: Drafts,
    /// How many books are drafts.
    pub draft_count: usize,
}

impl Site {
    /// Loads and checks the site laid out at `layout`, reporting every problem at once.
    pub fn load(layout: &Layout, options: &Options) -> Result<Site, Diagnostics> {
        let config =
            Config::load(&layout.settings(), options.publishable_key.clone()).map_err(|d| Diagnostics(vec![d]))?;
        let books_dir = layout.books();
        let mut problems: Vec<Diagnostic> = Vec::new();
        let mut draft_count = 0;
        let books = if books_dir.is_dir() {
            let mut loaded = content::load_books(&books_dir, &config, options.drafts);
            problems.append(&mut loaded.problems);
            problems.append(&mut listing::tag_problems(&loaded.books));
            draft_count = loaded.drafts;
            loaded.books
        } else {
            problems.push(
                Diagnostic::new(&books_dir, "the books folder is missing")
                    .help(format!("create {}/ and add a book with `bookshop new \"Title\"`", layout::BOOKS)),
            );
            Vec::new()
        };
        let (assets, tera) = match Theme::resolve(layout, &config.theme) {
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
            Some(tera) if problems.is_empty() => Ok(Site {
                config,
                books,
                drafts: options.drafts,
                draft_count,
                tera,
                assets,
                search: search::Cache::default(),
            }),
            _ => Err(Diagnostics(problems)),
        }
    }

    /// Writes the site into `output` as a whole: every file into a fresh folder, then
    /// swapped in. On any error `output` is left as it was. With `preview` (`bookshop
    /// watch`), every page carries the preview script ([`preview`]).
    pub fn write(&self, output: &Path, preview: bool) -> Result<Summary> {
        let staging = Staging::new(output)?;
        let pages = render::render_site(self, &|rel, out| match out {
            Output::Text(text) if preview && rel.ends_with(".html") => {
                staging.write(rel, preview::inject(text).as_bytes())
            }
            Output::Text(text) => staging.write(rel, text.as_bytes()),
            Output::Copy(from) => staging.copy(from, rel),
            Output::Bytes(bytes) => staging.write(rel, bytes),
        })?;
        if preview {
            staging.write(preview::SCRIPT, preview::SCRIPT_SOURCE.as_bytes())?;
        }
        staging.commit()?;
        Ok(Summary { books: self.books.len(), pages, drafts: self.drafts, draft_count: self.draft_count })
    }
}

impl Summary {
    /// What became of the drafts, for the end of the summary line: empty when there are none.
    pub fn drafts_note(&self) -> String {
        drafts_note(self.drafts, self.draft_count)
    }
}

/// ` (1 draft skipped; --drafts previews it)`, ` (2 drafts included: a preview, never deploy it)`,
/// or nothing without drafts.
pub fn drafts_note(drafts: Drafts, count: usize) -> String {
    let n = format!("{count} draft{}", if count == 1 { "" } else { "s" });
    match (count, drafts) {
        (0, _) => String::new(),
        (_, Drafts::Skip) => format!(" ({n} skipped; --drafts previews {})", if count == 1 { "it" } else { "them" }),
        (_, Drafts::Include) => format!(" ({n} included: a preview, never deploy it)"),
    }
}
