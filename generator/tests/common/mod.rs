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

/// The price list a build wrote into `output`, as its files: the manifest and each shard, by
/// path, as text.
pub(crate) fn price_list_files(output: &Path) -> std::collections::BTreeMap<String, String> {
    let manifest = fs::read_to_string(output.join("catalog.json")).expect("catalog.json");
    let parsed: catalog::Manifest = serde_json::from_str(&manifest).expect("a manifest");
    let mut files = std::collections::BTreeMap::from([("catalog.json".to_owned(), manifest)]);
    for n in 0..parsed.shards.count {
        let rel = parsed.shard_path(n).trim_start_matches('/').to_owned();
        let text = fs::read_to_string(output.join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        files.insert(rel, text);
    }
    files
}

/// The price list a build wrote into `output`, whole: the manifest with `"books"`, every
/// shard's books, each checked to be in the shard its id hashes to.
pub(crate) fn price_list(output: &Path) -> serde_json::Value {
    let files = price_list_files(output);
    let mut whole: serde_json::Value = serde_json::from_str(&files["catalog.json"]).expect("json");
    let count = whole["shards"]["count"].as_u64().expect("a count") as u32;
    let mut books = serde_json::Map::new();
    for (rel, text) in files.iter().filter(|(rel, _)| *rel != "catalog.json") {
        let shard: serde_json::Value = serde_json::from_str(text).expect("json");
        let n = shard["shard"].as_u64().expect("its number") as u32;
        assert_eq!(rel, &format!("catalog/{n}.json"));
        for (id, book) in shard["books"].as_object().expect("books") {
            assert_eq!(catalog::price_list::shard_of(id, count), n, "{id} is in the shard its id hashes to");
            books.insert(id.clone(), book.clone());
        }
    }
    whole["books"] = serde_json::Value::Object(books);
    whole
}
