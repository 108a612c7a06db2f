//! `bookshop build`: render the site into a fresh folder and swap it in.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;

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
}

/// Builds the site at `root` into `output`; on any error `output` is left as it was.
pub fn run(root: &Path, output: &Path) -> Result<Summary> {
    let started = Instant::now();
    let site = Site::load(root)?;
    let summary = write(&site, output, false)?;
    summary.report(output, started);
    Ok(summary)
}

impl Summary {
    /// The build's one line (`bench/run.py` reads it): what went where, how fast.
    pub fn report(&self, output: &Path, started: Instant) {
        eprintln!(
            "Built {} books, {} pages into {} in {} ms",
            self.books,
            self.pages,
            output.display(),
            started.elapsed().as_millis()
        );
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
    Ok(Summary { books: site.books.len(), pages })
}
