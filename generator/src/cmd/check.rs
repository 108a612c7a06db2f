//! `bookshop check`: report every problem of the site, write nothing.

use anyhow::Result;

use crate::content::Drafts;
use crate::layout::Layout;
use crate::render;
use crate::site::{Options, Site};

/// Loads the site and renders every page in memory, so template errors show too. Drafts
/// are only checked as far as their front matter, unless the options include them.
pub fn run(layout: &Layout, options: &Options) -> Result<()> {
    let site = Site::load(layout, options)?;
    render::render_site(&site, &|_, _| Ok(()))?;
    eprintln!("{} books, no problems found{}", site.books.len(), drafts_note(site.drafts, site.draft_count));
    Ok(())
}

/// ` (1 draft skipped; --drafts checks it too)`, ` (2 drafts checked too)`, or nothing.
fn drafts_note(drafts: Drafts, count: usize) -> String {
    let n = format!("{count} draft{}", if count == 1 { "" } else { "s" });
    match (count, drafts) {
        (0, _) => String::new(),
        (_, Drafts::Skip) => format!(" ({n} skipped; --drafts checks {} too)", if count == 1 { "it" } else { "them" }),
        (_, Drafts::Include) => format!(" ({n} checked too)"),
    }
}
