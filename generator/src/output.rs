//! Writing the site atomically: everything goes into a fresh folder beside the output,
//! which replaces the output only when the whole build succeeded. A failed or interrupted
//! build leaves the previous site exactly as it was.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{Context, Result};

/// A site being written. Dropped without [`Staging::commit`], it removes itself.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
    /// Files written so far (pages are written on every core).
    files: AtomicUsize,
    /// The largest file written so far: bytes and site-relative path.
    largest: Mutex<(u64, String)>,
    _lock: Lock,
}

/// One writer at a time for an output folder (`bookshop build` run by `wrangler dev` while
/// `bookshop watch` runs, say): an advisory lock on a file beside it, released on drop.
pub struct Lock {
    _file: fs::File,
}

impl Lock {
    /// Waits until no other bookshop process writes into `target`.
    pub fn acquire(target: &Path) -> Result<Lock> {
        let (parent, name) = beside(target);
        fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let path = parent.join(format!(".{name}.lock"));
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(Lock { _file: file })
    }
}

/// The folder holding `target` and `target`'s own name.
fn beside(target: &Path) -> (PathBuf, String) {
    let name =
        target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| crate::layout::OUTPUT.into());
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    (parent.to_owned(), name)
}

/// Writes one file of a site being served, unless it already holds exactly these bytes.
/// The bytes go to a temporary file beside the output folder (the same file system, never
/// in the folder a server watches), renamed over the old one, so a server never sees half
/// a file. Returns whether the file was written.
pub fn write_if_changed(output: &Path, rel: &str, bytes: &[u8]) -> Result<bool> {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let path = output.join(rel);
    if holds(&path, bytes) {
        return Ok(false);
    }
    let (beside, name) = beside(output);
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    let temp = beside.join(format!(".{name}.write-{}-{n}", std::process::id()));
    fs::write(&temp, bytes).with_context(|| format!("cannot write {}", temp.display()))?;
    let mut moved = fs::rename(&temp, &path);
    // Its folder is made only when it is missing (a new tag's list, say): checking it for
    // each of thousands of list pages was two system calls a page.
    if moved.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        let parent = path.parent().unwrap_or(output);
        moved = fs::create_dir_all(parent).and_then(|()| fs::rename(&temp, &path));
    }
    if let Err(e) = moved {
        let _ = fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot move {} to {}", temp.display(), path.display()));
    }
    Ok(true)
}

/// Whether the file at `path` holds exactly `bytes`. Its size is compared first, then its
/// bytes a block at a time up to the first difference: a list page a new book shifted is
/// rarely read past its first block, never whole into memory of its own.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    let Ok(mut file) = fs::File::open(path) else { return false };
    if !file.metadata().is_ok_and(|m| m.len() == bytes.len() as u64) {
        return false;
    }
    let mut block = [0u8; 16 * 1024];
    let mut rest = bytes;
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(n) if n <= rest.len() && block[..n] == rest[..n] => rest = &rest[n..],
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            _ => return false,
        }
    }
}

/// Removes one file of a site being served, and the folders it leaves empty. Returns
/// whether there was a file.
pub fn remove(output: &Path, rel: &str) -> Result<bool> {
    let path = output.join(rel);
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
    let mut dir = path.parent();
    while let Some(d) = dir.filter(|d| *d != output && d.starts_with(output)) {
        if fs::remove_dir(d).is_err() {
            break; // not empty: other files live there
        }
        dir = d.parent();
    }
    Ok(true)
}

impl Staging {
    /// Starts a fresh folder next to `target` (same file system, so the swap is a rename).
    pub fn new(target: &Path) -> Result<Staging> {
        let lock = Lock::acquire(target)?;
        let (parent, name) = beside(target);
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging {
            dir,
            target: target.to_owned(),
            committed: false,
            files: AtomicUsize::new(0),
            largest: Mutex::new((0, String::new())),
            _lock: lock,
        })
    }

    /// Writes one file at a site-relative path, creating folders as needed.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        self.count(rel, bytes.len() as u64);
        Ok(())
    }

    /// Counts a file written and keeps the largest.
    fn count(&self, rel: &str, size: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        let mut largest = self.largest.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if size > largest.0 {
            *largest = (size, rel.to_owned());
        }
    }

    /// How many files were written, and the largest (bytes, site-relative path).
    pub fn files(&self) -> (usize, (u64, String)) {
        let largest = self.largest.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        (self.files.load(Ordering::Relaxed), largest)
    }

    /// Copies a file into the site.
    pub fn copy(&self, from: &Path, rel: &str) -> Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let size =
            fs::copy(from, &path).with_context(|| format!("cannot copy {} to {}", from.display(), path.display()))?;
        self.count(rel, size);
        Ok(())
    }

    /// Puts a file that never changes in place (one of the image cache's) into the site: a
    /// hard link, which costs no copy, or a copy where the two folders are on different
    /// file systems.
    pub fn link(&self, from: &Path, rel: &str) -> Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let size = match fs::hard_link(from, &path) {
            Ok(()) => fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?.len(),
            Err(_) => fs::copy(from, &path)
                .with_context(|| format!("cannot copy {} to {}", from.display(), path.display()))?,
        };
        // Counted like any other file: a deployment's limits do not care how it got there.
        self.count(rel, size);
        Ok(())
    }

    /// Puts the new site in place of the old one. When the output folder exists, the folder
    /// itself stays and its entries are swapped one rename each: a server watching it (as
    /// `wrangler dev` does) keeps serving, where replacing the folder would leave it serving
    /// errors. Everything is written before the swap begins, so only the swap's few renames
    /// separate the old site from the new.
    pub fn commit(mut self) -> Result<()> {
        if !self.target.is_dir() {
            fs::rename(&self.dir, &self.target)
                .with_context(|| format!("cannot move the new site to {}", self.target.display()))?;
            self.committed = true;
            return Ok(());
        }
        let old = self.dir.with_extension("old");
        fs::create_dir(&old).with_context(|| format!("cannot create {}", old.display()))?;
        let entries = |dir: &Path| -> Result<Vec<std::ffi::OsString>> {
            let listing = fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
            Ok(listing.filter_map(|e| e.ok().map(|e| e.file_name())).collect())
        };
        // Old entries the new site does not have go first, then each new entry replaces its old one.
        let new_entries = entries(&self.dir)?;
        for name in entries(&self.target)? {
            if !new_entries.contains(&name) {
                move_entry(&self.target.join(&name), &old.join(&name))?;
            }
        }
        for name in &new_entries {
            let current = self.target.join(name);
            if current.symlink_metadata().is_ok() {
                move_entry(&current, &old.join(name))?;
            }
            move_entry(&self.dir.join(name), &current)?;
        }
        self.committed = true;
        let _ = fs::remove_dir(&self.dir);
        let _ = fs::remove_dir_all(&old);
        Ok(())
    }
}

fn move_entry(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).with_context(|| format!("cannot move {} to {}", from.display(), to.display()))
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_written_only_when_its_bytes_change_and_its_folder_is_made_when_missing() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let output = dir.path().join("public");
        fs::create_dir(&output).expect("the output folder");
        let rel = "tags/new/page/2/index.html";
        let read = || fs::read(output.join(rel)).expect("the file");
        assert!(write_if_changed(&output, rel, b"first").expect("written"));
        assert_eq!(read(), b"first");
        assert!(!write_if_changed(&output, rel, b"first").expect("unchanged"));
        // The same size, one byte different; then longer, shorter, and empty.
        for bytes in [&b"firsT"[..], b"first and more", b"f", b""] {
            assert!(write_if_changed(&output, rel, bytes).expect("written"), "{bytes:?}");
            assert_eq!(read(), bytes);
        }
        // Larger than a block of the comparison, differing only in its last byte.
        let mut big = vec![b'x'; 40_000];
        assert!(write_if_changed(&output, rel, &big).expect("written"));
        assert!(!write_if_changed(&output, rel, &big).expect("unchanged"));
        big[39_999] = b'y';
        assert!(write_if_changed(&output, rel, &big).expect("written"));
        assert_eq!(read(), big);
        // No temporary file is left beside the output.
        let left: Vec<_> = fs::read_dir(dir.path()).expect("listed").filter_map(|e| e.ok()).collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
