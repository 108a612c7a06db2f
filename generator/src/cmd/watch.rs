//! `bookshop watch`: build once, then rebuild on every change to the site's files, as
//! Zola's and Hugo's `serve` do, without serving (`wrangler dev` serves the output). A
//! changed book rewrites only what shows it; a template, static file or `site.toml`
//! rebuilds everything. A broken file leaves the output as it was.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::content::Drafts;
use crate::incremental::{Engine, Rebuilt};

/// An editor's save is often several events (write, rename, chmod): wait this long after
/// the last one before rebuilding.
const QUIET: Duration = Duration::from_millis(50);

/// The folders under the root whose files the site is made from.
const WATCHED: &[&str] = &["content", "themes", "templates", "static"];

/// Builds the site at `root` into `output`, then rebuilds on each change until stopped.
/// Drafts are skipped unless `drafts` includes them.
pub fn run(root: &Path, output: &Path, drafts: Drafts) -> Result<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .context("cannot watch the site's files")?;
    // Events name absolute paths; they are turned back into `root.join(...)`, the paths
    // the site's errors and books use.
    let absolute = std::fs::canonicalize(if root.as_os_str().is_empty() { Path::new(".") } else { root })
        .with_context(|| format!("cannot find {}", root.display()))?;
    for dir in WATCHED {
        let path = absolute.join(dir);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
        }
    }
    let mut engine = start(root, output, drafts);
    eprintln!("Watching {} for changes; Ctrl-C stops", WATCHED.join("/, ") + "/");
    while let Some(changed) = next_changes(&rx, &absolute, root) {
        let started = Instant::now();
        let result = match engine.as_mut() {
            Some(engine) => engine.rebuild(&changed),
            // The last try failed: the whole site is loaded again.
            None => match start(root, output, drafts) {
                Some(fresh) => {
                    engine = Some(fresh);
                    continue;
                }
                None => continue,
            },
        };
        let ms = started.elapsed().as_millis();
        match result {
            Ok(Some(rebuilt)) => report(&rebuilt, ms),
            Ok(None) => {}
            Err(error) => {
                eprintln!("{error}");
                eprintln!("Kept the last good site in {}; save the file again once fixed", output.display());
            }
        }
    }
    Ok(())
}

/// The first full build; `None` (after saying why) when the site has a problem.
fn start(root: &Path, output: &Path, drafts: Drafts) -> Option<Engine> {
    let started = Instant::now();
    match Engine::start(root, output, drafts) {
        Ok((engine, summary)) => {
            summary.report(output, started);
            Some(engine)
        }
        Err(error) => {
            eprintln!("{error}");
            eprintln!("Nothing was built; save a file again once fixed");
            None
        }
    }
}

/// Waits for a change, then for [`QUIET`] without one: every path changed meanwhile.
/// `None` when the watcher is gone.
fn next_changes(rx: &Receiver<notify::Result<notify::Event>>, absolute: &Path, root: &Path) -> Option<Vec<PathBuf>> {
    let mut paths = Vec::new();
    while paths.is_empty() {
        paths = changed_paths(rx.recv().ok()?, absolute, root);
    }
    loop {
        match rx.recv_timeout(QUIET) {
            Ok(event) => paths.extend(changed_paths(event, absolute, root)),
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    paths.sort();
    paths.dedup();
    Some(paths)
}

/// The paths an event changed, as `root.join(...)`.
fn changed_paths(event: notify::Result<notify::Event>, absolute: &Path, root: &Path) -> Vec<PathBuf> {
    match event {
        // Reads (open, close without writing) change nothing.
        Ok(event) if matches!(event.kind, EventKind::Access(_)) => Vec::new(),
        Ok(event) => event
            .paths
            .into_iter()
            .map(|p| match p.strip_prefix(absolute) {
                Ok(rel) => root.join(rel),
                Err(_) => p,
            })
            .collect(),
        Err(e) => {
            eprintln!("watching: {e}");
            Vec::new()
        }
    }
}

/// One line per rebuild: what changed, what was written, how long it took.
fn report(rebuilt: &Rebuilt, ms: u128) {
    let changed = &rebuilt.changed;
    let mut what: Vec<String> = changed.iter().take(3).map(|p| p.display().to_string()).collect();
    if changed.len() > 3 {
        what.push(format!("and {} more", changed.len() - 3));
    }
    let what = what.join(", ");
    match &rebuilt.full {
        Some(summary) => {
            eprintln!(
                "Rebuilt everything ({what} changed): {} books, {} pages in {ms} ms{}",
                summary.books,
                summary.pages,
                summary.drafts_note()
            )
        }
        None => {
            let pages = rebuilt.written.iter().filter(|f| f.ends_with(".html")).count();
            eprintln!(
                "Rebuilt {what}: {} written ({}), {} removed in {ms} ms",
                count(rebuilt.written.len(), "file"),
                count(pages, "page"),
                rebuilt.removed.len()
            );
        }
    }
}

/// `1 file`, `3 files`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}
