//! `bookshop build`: render the site into a fresh folder and swap it in.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;

use crate::content::Drafts;
use crate::output::Staging;
use crate::preview;
use crate::render::{self, Output};
use crate::site::Site;

/// What a build did, for the summary line.
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

/// Builds the site at `root` into `output`; on any error `output` is left as it was.
/// Drafts are skipped unless `drafts` includes them.
pub fn run(root: &Path, output: &Path, drafts: Drafts) -> Result<Summary> {
    let started = Instant::now();
    let site = Site::load(root, drafts)?;
    for warning in &site.config.warnings {
        eprintln!("warning: {warning}");
    }
    let summary = write(&site, output, false)?;
    summary.report(output, started);
    Ok(summary)
}

impl Summary {
    /// The build's one line (`bench/run.py` reads it): what went where, how fast.
    pub fn report(&self, output: &Path, started: Instant) {
        eprintln!(
            "Built {} books, {} pages into {} in {} ms{}",
            self.books,
            self.pages,
            output.display(),
            started.elapsed().as_millis(),
            self.drafts_note()
        );
    }

    /// What became of the drafts, for the end of the summary line: empty when there are none.
    pub fn drafts_note(&self) -> String {
        drafts_note(self.drafts, self.draft_count)
    }
}

/// Writes a loaded site into `output` as a whole: every file into a fresh folder, then
/// swapped in. On any error `output` is left as it was. With `preview` (`bookshop watch`),
/// every page carries the preview script ([`preview`]).
pub fn write(site: &Site, output: &Path, preview: bool) -> Result<Summary> {
    let staging = Staging::new(output)?;
    let pages = render::render_site(&site.config, &site.books, &site.tera, &site.assets, &|rel, out| match out {
        Output::Text(text) if preview && rel.ends_with(".html") => staging.write(rel, preview::inject(text).as_bytes()),
        Output::Text(text) => staging.write(rel, text.as_bytes()),
        Output::Copy(from) => staging.copy(from, rel),
        Output::Bytes(bytes) => staging.write(rel, bytes),
    })?;
    if preview {
        staging.write(preview::SCRIPT, preview::SCRIPT_SOURCE.as_bytes())?;
    }
    staging.commit()?;
    Ok(Summary { books: site.books.len(), pages, drafts: site.drafts, draft_count: site.draft_count })
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
