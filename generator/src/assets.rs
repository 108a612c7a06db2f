//! Fingerprinted static files: `static/shop.css` is also written as
//! `assets/shop.3f2a9c1d.css`, whose name changes when and only when its bytes do, so a CDN
//! and browsers may keep it for a year. Templates ask for it with `{{ asset(path="shop.css") }}`.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::Diagnostic;
use crate::minify;
use crate::theme::Theme;

/// Every static file of the theme (site overrides applied) with its fingerprinted name.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    /// By path under `static/` (`shop.css`).
    pub files: BTreeMap<String, Asset>,
}

/// One static file, read once.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its fingerprinted URL, `/assets/shop.3f2a9c1d.css`.
    pub url: String,
}

fn fingerprint(bytes: &[u8]) -> String {
    // Stable across runs and machines; a collision would only cost a stale cache.
    let h = catalog::digest::fnv1a(bytes);
    format!("{:08x}", (h >> 32) as u32 ^ h as u32)
}

/// `dir/name.ext` → `dir/name.<hash>.ext`.
fn hashed_name(rel: &str, hash: &str) -> String {
    let (dir, file) = rel.rsplit_once('/').map_or(("", rel), |(d, f)| (d, f));
    let file = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{file}.{hash}"),
    };
    if dir.is_empty() {
        file
    } else {
        format!("{dir}/{file}")
    }
}

/// A static file's bytes as the site serves them: scripts and style sheets without their
/// comments and indentation ([`minify`]), any other file as it is.
fn published(rel: &str, bytes: Vec<u8>) -> Vec<u8> {
    let minify: fn(&str) -> Option<String> = match rel.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js" | "mjs") => minify::javascript,
        Some("css") => minify::css,
        _ => return bytes,
    };
    match std::str::from_utf8(&bytes).ok().and_then(minify) {
        Some(text) => text.into_bytes(),
        None => bytes,
    }
}

impl Assets {
    /// Reads and fingerprints the theme's static files.
    pub fn load(theme: &Theme) -> Result<Assets, Vec<Diagnostic>> {
        let mut files = BTreeMap::new();
        let mut problems = Vec::new();
        for (rel, source) in &theme.statics {
            match source.read() {
                Ok(bytes) => {
                    let bytes = published(rel, bytes.into_owned());
                    let url = format!("/assets/{}", hashed_name(rel, &fingerprint(&bytes)));
                    files.insert(rel.clone(), Asset { bytes, url });
                }
                Err(e) => problems.push(Diagnostic::new(&source.path(), format!("cannot read the static file: {e}"))),
            }
        }
        if problems.is_empty() {
            Ok(Assets { files })
        } else {
            Err(problems)
        }
    }

    /// The Tera function `asset(path="shop.css")` → `/assets/shop.3f2a9c1d.css`.
    pub fn tera_function(&self) -> impl tera::Function {
        let urls: HashMap<String, String> =
            self.files.iter().map(|(rel, asset)| (rel.clone(), asset.url.clone())).collect();
        move |args: &HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
            let path = args
                .get("path")
                .and_then(tera::Value::as_str)
                .ok_or_else(|| tera::Error::msg("asset() needs path=\"file\", e.g. asset(path=\"shop.css\")"))?;
            urls.get(path.trim_start_matches('/')).map(|url| tera::Value::String(url.clone())).ok_or_else(|| {
                tera::Error::msg(format!("asset(path=\"{path}\"): no such file in the theme's or the site's static/"))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_follow_the_bytes() {
        assert_eq!(fingerprint(b"body{}"), fingerprint(b"body{}"));
        assert_ne!(fingerprint(b"body{}"), fingerprint(b"body{ }"));
        assert_eq!(fingerprint(b"x").len(), 8);
        assert_eq!(hashed_name("shop.css", "ab12cd34"), "shop.ab12cd34.css");
        assert_eq!(hashed_name("img/logo.svg", "ab12cd34"), "img/logo.ab12cd34.svg");
        assert_eq!(hashed_name("LICENSE", "ab12cd34"), "LICENSE.ab12cd34");
    }
}
