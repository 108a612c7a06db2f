//! `bookshop watch`: build once, then rebuild on every change to the site's files, as
//! Zola's and Hugo's `serve` do, without serving (`wrangler dev` serves the output). A
//! changed book rewrites only what shows it; a template, static file or `site.toml`
//! rebuilds everything. A broken file leaves the output as it was.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::cmd::build;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::incremental::{self, Engine, Rebuilt};
use crate::layout::{self, Layout};
use crate::messages::count;
use crate::preview::{self, Problem, Status};
use crate::site::Options;

/// An editor's save is often several events (write, rename, chmod): wait this long after
/// the last one before rebuilding.
const QUIET: Duration = Duration::from_millis(50);

/// Owed list pages are written this many at a time, a change looked for in between (about
/// 60 ms of work on two cores).
const CATCH_UP_BATCH: usize = 512;

/// Builds the site at `layout` into `output`, then rebuilds on each change until stopped.
/// Drafts are skipped unless the options include them. The pages carry the preview script:
/// problems show on every page, pages reload after a rebuild.
pub fn run(layout: &Layout, output: &Path, options: &Options) -> Result<()> {
    let root = layout.root();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .context("cannot watch the site's files")?;
    // Events name absolute paths; they are turned back into `root.join(...)`, the paths
    // the site's errors and books use.
    let absolute = std::fs::canonicalize(if root.as_os_str().is_empty() { Path::new(".") } else { root })
        .with_context(|| format!("cannot find {}", root.display()))?;
    // The root itself, not recursively (it holds public/ and target/): a watched folder
    // created later (a theme override's templates/, say) shows up there.
    watcher
        .watch(&absolute, RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", absolute.display()))?;
    let mut watching = Vec::new();
    watch_new_folders(&mut watcher, &absolute, &mut watching)?;
    let mut status = Announcer { output, build: 0 };
    let mut engine = start(layout, output, options, &mut status);
    let mut last_failure = None;
    // The last rebuild's problems (books kept as last built): shown again after catching up.
    let mut problems: Vec<Diagnostic> = Vec::new();
    // Changes seen while catching up, not rebuilt yet.
    let mut early = Vec::new();
    eprintln!("Watching {} for changes; Ctrl-C stops", layout::SOURCES.join("/, ") + "/");
    while let Some(changed) = next_changes(&rx, &absolute, root, std::mem::take(&mut early)) {
        watch_new_folders(&mut watcher, &absolute, &mut watching)?;
        let started = Instant::now();
        let result = match engine.as_mut() {
            Some(engine) => engine.rebuild(&changed),
            // The last try failed: the whole site is loaded again.
            None => {
                engine = start(layout, output, options, &mut status);
                continue;
            }
        };
        let ms = started.elapsed().as_millis();
        if result.is_ok() {
            last_failure = None;
        }
        match result {
            Ok(Some(rebuilt)) => {
                let owed = engine.as_ref().map_or((0, false), Engine::owed);
                report(&rebuilt, ms, owed);
                problems = rebuilt.problems;
                status.written(problems.iter().map(Problem::of).collect());
            }
            Ok(None) => {}
            Err(error) => {
                // A save is often two batches of events (a tool's temporary file, then the
                // rename): the same failure twice in a row is said once.
                let text = error.to_string();
                if last_failure.as_ref() != Some(&text) {
                    eprintln!("{text}");
                    eprintln!("Kept the last good site in {}; save the file again once fixed", output.display());
                    status.failed(&error);
                }
                last_failure = Some(text);
                // What is owed waits for the next rebuild that succeeds: the banner stays.
                continue;
            }
        }
        if let Some(engine) = engine.as_mut().filter(|e| e.owes()) {
            match catch_up(engine, layout, &rx, &absolute, root) {
                Ok(paths) => early = paths,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    eprintln!("Some list pages or the search index are behind; save a file again to retry");
                    status.failed(&error);
                    continue;
                }
            }
            // Open pages that books moved on show where they are now.
            if !engine.owes() {
                status.written(problems.iter().map(Problem::of).collect());
            }
        }
    }
    Ok(())
}

/// Writes what the last rebuilds owed ([`crate::incremental::OWE_OVER`]): the search index, then
/// the list pages a batch at a time, until none is left or a change comes that matters.
/// Returns its paths, rebuilt next; what is left stays owed and is caught up after.
fn catch_up(
    engine: &mut Engine,
    layout: &Layout,
    rx: &Receiver<notify::Result<notify::Event>>,
    absolute: &Path,
    root: &Path,
) -> Result<Vec<PathBuf>> {
    let started = Instant::now();
    let (mut pages, mut search) = (0, false);
    loop {
        // A batch at least each time: a stream of events never stalls it.
        let done = engine.catch_up(CATCH_UP_BATCH)?;
        pages += done.pages;
        search |= done.search;
        let mut early = Vec::new();
        while let Ok(event) = rx.try_recv() {
            early.extend(changed_paths(event, absolute, root));
        }
        // Not the output's lock file, written beside it with each batch, nor a swap file.
        if !incremental::matters(layout, &early) {
            early.clear();
        }
        if !engine.owes() {
            eprintln!("Caught up: {} in {} ms", owed_text(pages, search), started.elapsed().as_millis());
            return Ok(early);
        }
        if !early.is_empty() {
            return Ok(early);
        }
    }
}

/// Adds a recursive watch on each of [`layout::SOURCES`] that exists and is not watched yet.
fn watch_new_folders(watcher: &mut impl Watcher, absolute: &Path, watching: &mut Vec<&'static str>) -> Result<()> {
    for dir in &layout::SOURCES {
        let path = absolute.join(dir);
        if !watching.contains(dir) && path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", path.display()))?;
            watching.push(dir);
        }
    }
    Ok(())
}

/// The first full build; `None` (after saying why) when the site has a problem.
fn start(layout: &Layout, output: &Path, options: &Options, status: &mut Announcer<'_>) -> Option<Engine> {
    let started = Instant::now();
    match Engine::preview(layout, output, options) {
        Ok((engine, summary)) => {
            build::report(&summary, output, started);
            status.written(Vec::new());
            Some(engine)
        }
        Err(error) => {
            eprintln!("{error}");
            eprintln!("Nothing was built; save a file again once fixed");
            status.failed(&error);
            None
        }
    }
}

/// What open preview pages read (`_bookshop/status.json`): the last build written, which
/// they reload on, and what is broken now.
struct Announcer<'a> {
    output: &'a Path,
    build: u64,
}

impl Announcer<'_> {
    /// The site was written (`problems`: of the books left out): pages reload.
    fn written(&mut self, problems: Vec<Problem<'_>>) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        self.build = now.map_or(self.build + 1, |d| d.as_millis() as u64);
        write_status(self.output, &Status { build: self.build, problems });
    }

    /// Nothing was written: the site's problems, or the error as one; pages stay.
    fn failed(&self, error: &anyhow::Error) {
        let diagnostics: Vec<Diagnostic> = match error.downcast_ref::<Diagnostics>() {
            Some(found) => found.0.clone(),
            None => vec![Diagnostic::new(self.output, format!("{error:#}"))],
        };
        let problems: Vec<Problem<'_>> = diagnostics.iter().map(Problem::of).collect();
        write_status(self.output, &Status { build: self.build, problems });
    }
}

fn write_status(output: &Path, status: &Status<'_>) {
    if let Err(e) = preview::write_status(output, status) {
        eprintln!("cannot write the preview's status: {e:#}");
    }
}

/// Waits for a change (unless `early` holds some), then for [`QUIET`] without one: every
/// path changed meanwhile.
/// `None` when the watcher is gone.
fn next_changes(
    rx: &Receiver<notify::Result<notify::Event>>,
    absolute: &Path,
    root: &Path,
    early: Vec<PathBuf>,
) -> Option<Vec<PathBuf>> {
    let mut paths = early;
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

/// What a rebuild left owed, or caught up on, in words.
fn owed_text(pages: usize, search: bool) -> String {
    let moved = count(pages, "list page") + " that books moved on";
    match (pages, search) {
        (0, _) => "the search index".to_owned(),
        (_, true) => format!("the search index and {moved}"),
        (_, false) => moved,
    }
}

/// One line per rebuild: what changed, what was written, what follows, how long it took.
fn report(rebuilt: &Rebuilt, ms: u128, (owed, search): (usize, bool)) {
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
            let owed = if owed > 0 || search { format!("; {} follow", owed_text(owed, search)) } else { String::new() };
            eprintln!(
                "Rebuilt {what}: {} written ({}), {} removed in {ms} ms{owed}",
                count(rebuilt.written.len(), "file"),
                count(pages, "page"),
                rebuilt.removed.len()
            );
        }
    }
    if !rebuilt.problems.is_empty() {
        for problem in &rebuilt.problems {
            eprintln!("error: {problem}");
        }
        let files = rebuilt.problems.iter().map(|p| &p.path).collect::<std::collections::BTreeSet<_>>().len();
        eprintln!("Still broken: {}, kept as last built until fixed", count(files, "book file"));
    }
}
