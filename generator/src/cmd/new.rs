//! `bookshop new "Title" [--id ID]`: a new book file, a draft, with every field explained.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use catalog::book_id;

use crate::layout::Layout;
use crate::slug;

/// Writes `content/books/<id>.md` and returns its path. Never overwrites. The id is
/// `id` when given, else made from the title (transliterated, shortened at a word);
/// either way it follows the catalog's id rule.
pub fn run(layout: &Layout, title: &str, id: Option<&str>) -> Result<PathBuf> {
    let id = id_for(title, id)?;
    let dir = layout.books();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{id}.md"));
    let text = template(title);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {} (does it exist already?)", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("{}", created(&path));
    Ok(path)
}

/// The id of the new book: the editor's, checked, or one made from the title.
pub fn id_for(title: &str, id: Option<&str>) -> Result<String> {
    if let Some(id) = id {
        book_id::check(id).map_err(|e| anyhow!("the id `{id}` {e}"))?;
        return Ok(id.to_owned());
    }
    let id = slug::book_id_from_title(title);
    if id.is_empty() {
        bail!(
            "the title `{title}` has no letters or digits to make a book id of\n  help: choose the id with --id, \
             e.g. bookshop new \"{title}\" --id my-book ({})",
            book_id::ALLOWED
        );
    }
    Ok(id)
}

/// What `new` says once the file is written.
pub fn created(path: &Path) -> String {
    format!(
        "Created {} as a draft: fill in the author and price, set `draft = false` to publish, then run `bookshop check`",
        path.display()
    )
}

fn template(title: &str) -> String {
    let title = title.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"+++
# The book's title, as on its cover.
title = "{title}"
# Who wrote it.
author = ""
# The price in major units, quoted, with at most the currency's decimals ("23.00"; "2300" for JPY).
price = "0.00"
# Lowercase ISO 4217 code; leave out to use the currency of content/site.toml.
# currency = "usd"
# A cover image (jpg, png, webp) beside this file; leave out to get a drawn cover.
# cover = "my-book.jpg"
# ISBN-10 or ISBN-13; its check digit is verified.
# isbn = "978-1-7322651-7-2"
# Publication date.
# published = 2020-05-26
# Tags, each gets its own page.
tags = []
# Lower comes first in the catalog; books with the same weight sort by title.
weight = 0
# A draft is never built nor sold. Set to false to publish.
draft = true
# false shows the book as sold out; it is never sold.
available = true
+++
A first paragraph that sells the book: it is also the summary on the catalog page.

Then anything in Markdown: *emphasis*, [links](https://example.com), lists, tables and footnotes.
"#
    )
}
