//! `bookshop build`: render the site into a fresh folder and swap it in.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;

use crate::layout::Layout;
use crate::site::{Options, Site, Summary};

/// Builds the site at `layout` into `output`; on any error `output` is left as it was.
pub fn run(layout: &Layout, output: &Path, options: &Options) -> Result<Summary> {
    let started = Instant::now();
    let site = Site::load(layout, options)?;
    for warning in &site.config.warnings {
        eprintln!("warning: {warning}");
    }
    let summary = site.write(output, false)?;
    report(&summary, output, started);
    Ok(summary)
}

/// The build's one line (`bench/run.py` reads it): what went where, how fast.
pub fn report(summary: &Summary, output: &Path, started: Instant) {
    eprintln!(
        "Built {}, {}, {} into {} in {} ms{}{}",
        crate::messages::count(summary.books, "book"),
        crate::messages::count(summary.pages, "page"),
        crate::messages::count(summary.files, "file"),
        output.display(),
        started.elapsed().as_millis(),
        summary.drafts_note(),
        summary.covers_note()
    );
}
