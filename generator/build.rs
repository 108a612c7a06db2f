//! Embeds the repository's default theme (`themes/default/**`) in the `bookshop` binary, as
//! mdBook embeds its own: writes `$OUT_DIR/default_theme.rs`, one `include_bytes!` per file,
//! so a file added to or removed from the folder needs no other change. The folder stays
//! the source of truth; `theme.rs` tests that the binary holds exactly its files.

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let theme = manifest.join("../themes/default");
    // A folder: cargo reruns this when any file under it changes, appears or goes.
    println!("cargo:rerun-if-changed={}", theme.display());
    let mut files = Vec::new();
    collect(&theme, &theme, &mut files);
    files.sort();
    let mut code = String::from("/// The default theme's files: path under `themes/default/`, bytes.\n");
    code.push_str("pub(crate) const FILES: &[(&str, &[u8])] = &[\n");
    for (rel, path) in &files {
        code.push_str(&format!("    ({rel:?}, include_bytes!({:?})),\n", path.display().to_string()));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("default_theme.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

/// Every file under `dir`, as (path relative to `base` with `/`, absolute path).
fn collect(base: &Path, dir: &Path, into: &mut Vec<(String, PathBuf)>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display())).path();
        if path.is_dir() {
            collect(base, &path, into);
        } else {
            let rel = path.strip_prefix(base).expect("under base").to_string_lossy().replace('\\', "/");
            let absolute = fs::canonicalize(&path).unwrap_or_else(|e| panic!("cannot find {}: {e}", path.display()));
            into.push((rel, absolute));
        }
    }
}
