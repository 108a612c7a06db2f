//! A site loaded and checked as a whole (settings, books and theme), and written as a whole.

use std::path::Path;

use anyhow::Result;
use tera::Tera;

use crate::assets::Assets;
use crate::config::Config;
use crate::content::{self, Book, Drafts};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::imageproc::Covers;
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
    /// The processed covers' cache, which rebuilds keep using.
    pub covers: Covers,
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
    /// Files written, pages included.
    pub files: usize,
    /// Whether drafts were skipped or built.
    pub drafts: Drafts,
    /// How many books are drafts.
    pub draft_count: usize,
    /// Editor covers decoded, resized and encoded by this build.
    pub covers_made: usize,
    /// Editor covers found in the cache, unchanged since a build made them.
    pub covers_cached: usize,
}

impl Site {
    /// Loads and checks the site laid out at `layout`, reporting every problem at once.
    pub fn load(layout: &Layout, options: &Options) -> Result<Site, Diagnostics> {
        let config =
            Config::load(&layout.settings(), options.publishable_key.clone()).map_err(|d| Diagnostics(vec![d]))?;
        let books_dir = layout.books();
        let mut problems: Vec<Diagnostic> = Vec::new();
        let mut draft_count = 0;
        let covers = Covers::open(&layout.cover_cache());
        let books = if books_dir.is_dir() {
            let mut loaded = content::load_books(&books_dir, &config, options.drafts, &covers);
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
        // Only a hint for the next build (it would read the covers again): not a problem.
        let _ = covers.save();
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
                covers,
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
            Output::Cached(from) => staging.link(from, rel),
            Output::Bytes(bytes) => staging.write(rel, bytes),
        })?;
        if preview {
            staging.write(preview::SCRIPT, preview::SCRIPT_SOURCE.as_bytes())?;
        }
        let (files, largest) = staging.files();
        if !preview {
            // A site `wrangler deploy` would refuse is refused here, before it replaces the last good one.
            self.check_deploy_limits(files, &largest)?;
        }
        staging.commit()?;
        Ok(Summary {
            books: self.books.len(),
            pages,
            files,
            drafts: self.drafts,
            draft_count: self.draft_count,
            covers_made: self.covers.decoded(),
            covers_cached: self.covers.cached(),
        })
    }

    /// Cloudflare's limits for one deployment's static assets, as `site.toml` sets them.
    fn check_deploy_limits(&self, files: usize, (size, path): &(u64, String)) -> Result<(), Diagnostics> {
        let settings = &self.config.path;
        let mut problems = Vec::new();
        if files > self.config.max_files {
            problems.push(
                Diagnostic::new(
                    settings,
                    format!(
                        "the site is {files} files, over the {} one Cloudflare deployment may have (`max_files`)",
                        self.config.max_files
                    ),
                )
                .help("on the Workers Paid plan set max_files = 100000 in site.toml; past that, serve cover images from R2 (README: \"How big a shop fits\")"),
            );
        }
        let mib = self.config.max_file_mib;
        if *size > mib * 1024 * 1024 {
            problems.push(
                Diagnostic::new(
                    settings,
                    format!(
                        "{path} is {}.{} MiB, over the {mib} MiB a file of a Cloudflare deployment may be (`max_file_mib`)",
                        size / (1024 * 1024),
                        size % (1024 * 1024) * 10 / (1024 * 1024)
                    ),
                )
                .help("make the file smaller (a picture: export it smaller) or serve it from R2"),
            );
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(problems))
        }
    }
}

impl Summary {
    /// What became of the drafts, for the end of the summary line: empty when there are none.
    pub fn drafts_note(&self) -> String {
        drafts_note(self.drafts, self.draft_count)
    }

    /// What became of the editors' covers, for the end of the summary line: empty without
    /// any. ` (covers: 2 made, 10 from the cache)`.
    pub fn covers_note(&self) -> String {
        match (self.covers_made, self.covers_cached) {
            (0, 0) => String::new(),
            (made, cached) => format!(" (covers: {made} made, {cached} from the cache)"),
        }
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
