//! What the fixture-site tests share: a site folder with the repository's default theme,
//! files written into it, and what a build left beside it.

use std::fs;
use std::path::Path;

/// Copies the repository's default theme into `root/themes/default`.
pub(crate) fn copy_default_theme(root: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes/default");
    let to = root.join("themes/default");
    for entry in walkdir::WalkDir::new(&from).into_iter().filter_map(Result::ok) {
        let target = to.join(entry.path().strip_prefix(&from).expect("prefix"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Writes `text` to `root/rel`, creating its folders.
pub(crate) fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

/// The names of entries directly in `root` that contain `needle` (a build's temporary files).
pub(crate) fn entries_named(root: &Path, needle: &str) -> Vec<String> {
    fs::read_dir(root)
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(needle))
        .collect()
}

/// What the command line would hand in: `--drafts` or not, and no publishable key from the
/// environment, whatever the shell running the tests exports.
pub(crate) fn options(drafts: generator::content::Drafts) -> generator::site::Options {
    generator::site::Options { drafts, publishable_key: None }
}
