//! `bookshop check`: report every problem of the site, write nothing.

use std::path::Path;

use anyhow::Result;

use crate::render;
use crate::site::Site;

/// Loads the site and renders every page in memory, so template errors show too.
pub fn run(root: &Path) -> Result<()> {
    let site = Site::load(root)?;
    render::render_site(&site.config, &site.books, &site.tera, &site.assets, &|_, _| Ok(()))?;
    eprintln!("{} books, no problems found", site.books.len());
    Ok(())
}
