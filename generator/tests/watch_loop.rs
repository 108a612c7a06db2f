//! The `bookshop watch` process on real file-system events: the loop between saves, which
//! tests/watch.rs (the engine driven as a library) cannot see.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

// Shared with the build tests, most of it not needed here.
#[allow(dead_code)]
mod common;
use common::write;

/// Long enough for a debug build of a few hundred pages on a busy machine.
const WAIT: Duration = Duration::from_secs(120);

struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watcher {
    fn start(root: &Path) -> Watcher {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bookshop"))
            .args(["--root", &root.to_string_lossy(), "watch"])
            .env_remove("STRIPE_PUBLISHABLE_KEY")
            .stderr(Stdio::piped())
            .spawn()
            .expect("bookshop watch runs");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut watcher = Watcher { child, lines, seen: Vec::new() };
        watcher.until(|line| line.starts_with("Watching"));
        watcher
    }

    /// Reads lines until one satisfies `done`; returns it.
    fn until(&mut self, done: impl Fn(&str) -> bool) -> String {
        loop {
            let line =
                self.lines.recv_timeout(WAIT).unwrap_or_else(|_| panic!("no line in time; saw {:#?}", self.seen));
            self.seen.push(line.clone());
            if done(&line) {
                return line;
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn book(title: &str, tag: &str, weight: usize) -> String {
    format!("+++\ntitle = \"{title}\"\nauthor = \"A. Writer\"\nprice = \"10.00\"\ntags = [\"{tag}\"]\nweight = {weight}\n+++\nAbout it.\n")
}

/// Every file under `dir` but the watcher's own, HTML without the preview script.
fn site(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let tag = "<script src=\"/_bookshop/preview.js\" defer></script>";
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).expect("prefix").to_string_lossy().into_owned();
            let bytes = fs::read(e.path()).expect("read");
            let bytes = match rel.ends_with(".html") {
                true => String::from_utf8(bytes).expect("UTF-8").replacen(tag, "", 1).into_bytes(),
                false => bytes,
            };
            (!rel.starts_with("_bookshop/")).then_some((rel, bytes))
        })
        .collect()
}

#[test]
fn saves_that_move_hundreds_of_list_pages_reload_first_and_end_as_a_full_build() {
    // 300 books, one a page: a book saved at the front moves every catalog page and every
    // page of its tag, more than the watcher writes before the reload (incremental::OWE_OVER).
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    common::copy_default_theme(root);
    write(root, "content/site.toml", "title = \"Loop Press\"\nbase_url = \"https://books.example\"\nper_page = 1\n");
    for i in 0..300 {
        write(
            root,
            &format!("content/books/book-{i}.md"),
            &book(&format!("Book {i}"), ["science", "history"][i % 2], i + 1),
        );
    }
    let mut watcher = Watcher::start(root);

    write(root, "content/books/aardvark.md", &book("Aardvark", "science", 0));
    let first = watcher.until(|line| line.starts_with("Rebuilt"));
    assert!(
        first.contains("; the search index and") && first.ends_with("list pages that books moved on follow"),
        "{first}"
    );
    // Saved straight away: it may come while the first is caught up, which then stops for it.
    write(root, "content/books/aardvark-2.md", &book("Aardvark Two", "history", 0));
    let second = watcher.until(|line| line.starts_with("Rebuilt") && line.contains("aardvark-2"));
    assert!(second.contains("follow"), "{second}");
    let caught = watcher.until(|line| line.starts_with("Caught up"));
    assert!(caught.contains("list pages that books moved on"), "{caught}");

    let built = Command::new(env!("CARGO_BIN_EXE_bookshop"))
        .args(["--root", &root.to_string_lossy(), "build", "--output", &root.join("fresh").to_string_lossy()])
        .env_remove("STRIPE_PUBLISHABLE_KEY")
        .output()
        .expect("bookshop build runs");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let (ours, fresh) = (site(&root.join("public")), site(&root.join("fresh")));
    assert_eq!(ours.keys().collect::<Vec<_>>(), fresh.keys().collect::<Vec<_>>(), "the same files");
    for (rel, bytes) in &ours {
        assert!(bytes == &fresh[rel], "{rel} differs from a full build; the watcher said {:#?}", watcher.seen);
    }
}
