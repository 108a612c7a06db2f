//! What `bookshop watch` adds to the site it writes, and `bookshop build` never does: a
//! script on every page that shows the site's problems as a banner (file, line, message,
//! fix) until they are fixed, and reloads the page after each rebuild, read from a status
//! file the watcher rewrites after every try.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::output;

/// The script, site-relative.
pub const SCRIPT: &str = "_bookshop/preview.js";
/// The watcher's status, site-relative: `{"build": …, "problems": [...]}`.
pub const STATUS: &str = "_bookshop/status.json";

/// The script's source.
pub const SCRIPT_SOURCE: &str = include_str!("preview.js");

/// The page with the preview script in its `<head>` (or at its end, for a page without one).
pub fn inject(html: String) -> String {
    let tag = "<script src=\"/_bookshop/preview.js\" defer></script>";
    let mut page = html;
    // In place: a list page's buffer has room for the tag, so only its body moves, within
    // memory already touched (a copy of the page was a fresh 45 KB at 100,000 books).
    match page.find("</head>") {
        Some(at) => page.insert_str(at, tag),
        None => page.push_str(tag),
    }
    page
}

/// What the preview script reads.
#[derive(Debug, Serialize)]
pub struct Status<'a> {
    /// Changes when a rebuild wrote the site: open pages reload.
    pub build: u64,
    /// What is broken now; the site shows the last good version meanwhile.
    pub problems: Vec<Problem<'a>>,
}

/// One problem, as the banner shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Problem<'a> {
    /// The file, as the command line prints it.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The 1-based line.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: &'a str,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
}

impl<'a> Problem<'a> {
    /// A file's problem.
    pub fn of(d: &'a Diagnostic) -> Problem<'a> {
        Problem { file: d.path.display().to_string(), line: d.line, message: &d.message, help: d.help.as_deref() }
    }
}

/// Writes the status file into the site at `output` (atomically, only when it changed).
pub fn write_status(output: &Path, status: &Status<'_>) -> Result<()> {
    let json = serde_json::to_string(status)?;
    output::write_if_changed(output, STATUS, json.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_at_the_end_of_the_head() {
        let page = inject("<html><head><title>x</title></head><body></body></html>".to_owned());
        assert_eq!(
            page,
            "<html><head><title>x</title><script src=\"/_bookshop/preview.js\" defer></script></head><body></body></html>"
        );
        assert_eq!(inject("gone".to_owned()), "gone<script src=\"/_bookshop/preview.js\" defer></script>");
    }

    #[test]
    fn a_problem_is_shown_with_its_place_and_fix() {
        let d = Diagnostic::new(Path::new("content/books/a.md"), "price `1.999` has more than 2 decimals")
            .at(4, None)
            .help("write it as 1.99");
        let status = Status { build: 7, problems: vec![Problem::of(&d)] };
        assert_eq!(
            serde_json::to_string(&status).expect("json"),
            r#"{"build":7,"problems":[{"file":"content/books/a.md","line":4,"message":"price `1.999` has more than 2 decimals","help":"write it as 1.99"}]}"#
        );
    }
}
