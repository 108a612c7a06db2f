//! `content/site.toml`: the shop's name, address, currency, theme and publishable key.

use std::path::{Path, PathBuf};

use catalog::Currency;
use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::messages::{currency_help, did_you_mean, line_col, line_of_key};

/// The site's settings, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// `site.toml` itself, for the problems a whole site has.
    pub path: PathBuf,
    /// The shop's name.
    pub title: String,
    /// One line about the shop, for the catalog and search engines.
    pub description: String,
    /// The public address, without a trailing slash.
    pub base_url: String,
    /// `base_url`'s origin as browsers write it in `Origin` (`https://books.example`): the
    /// price list carries it to the worker, which takes orders from pages there.
    pub origin: String,
    /// The default currency of books that name none.
    pub currency: Currency,
    /// The theme folder under `themes/`.
    pub theme: String,
    /// Stripe's publishable key (`pk_…`), or empty when checkout is not configured.
    pub publishable_key: String,
    /// Books per catalog or tag page.
    pub per_page: usize,
    /// The language of the shop's pages, a BCP 47 tag (`en`, `de-CH`), for `<html lang>`.
    pub lang: String,
    /// What is fine for a local preview but wrong for a deployed shop (`base_url` on localhost).
    pub warnings: Vec<Diagnostic>,
    /// The most files a deployment may have (Workers Static Assets: 20,000 on the free plan).
    pub max_files: usize,
    /// The largest file a deployment may have, in MiB (Workers Static Assets: 25).
    pub max_file_mib: u64,
    /// Which pages load Stripe.js (`[checkout] stripe_js`).
    pub stripe_js: StripeJs,
}

/// Which pages load Stripe.js: `[checkout] stripe_js` in `site.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StripeJs {
    /// Every page (the default), as Stripe asks: its fraud signals come from how shoppers
    /// browse, not only from the payment form.
    EveryPage,
    /// Only the pages that take a payment or show one (the cart and the order page), for a
    /// shop that must not have Stripe see its visitors browse. Book pages then have no
    /// express checkout ("Buy now"), which needs Stripe.js.
    CheckoutPages,
}

impl StripeJs {
    /// The spellings `site.toml` takes, in the order the help lists them.
    const CHOICES: [(&'static str, StripeJs); 2] =
        [("every_page", StripeJs::EveryPage), ("checkout_pages", StripeJs::CheckoutPages)];

    fn parse(value: &str) -> Option<StripeJs> {
        StripeJs::CHOICES.iter().find(|(name, _)| *name == value).map(|(_, choice)| *choice)
    }
}

/// `[checkout]` in `site.toml`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCheckout {
    stripe_js: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_base_url")]
    base_url: String,
    #[serde(default = "default_currency")]
    currency: String,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default)]
    stripe_publishable_key: String,
    #[serde(default = "default_per_page")]
    per_page: usize,
    #[serde(default = "default_lang")]
    lang: String,
    #[serde(default = "default_max_files")]
    max_files: usize,
    #[serde(default = "default_max_file_mib")]
    max_file_mib: u64,
    #[serde(default)]
    checkout: RawCheckout,
}

const KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "currency",
    "theme",
    "stripe_publishable_key",
    "per_page",
    "lang",
    "max_files",
    "max_file_mib",
    "checkout",
];

/// The keys of `[checkout]`.
const CHECKOUT_KEYS: &[&str] = &["stripe_js"];

/// The name of the `[table]` that the byte `offset` of a TOML text is in (None: the top level).
fn table_at(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    let header = before.lines().rev().map(str::trim).find(|l| l.starts_with('['))?;
    Some(header.trim_start_matches('[').split(']').next().unwrap_or_default().trim())
}

/// Cloudflare Workers Static Assets on the free plan: files per deployment, MiB per file.
const FREE_PLAN_FILES: usize = 20_000;
const FREE_PLAN_FILE_MIB: u64 = 25;

fn default_max_files() -> usize {
    FREE_PLAN_FILES
}

fn default_max_file_mib() -> u64 {
    FREE_PLAN_FILE_MIB
}

fn default_lang() -> String {
    "en".to_owned()
}

fn default_base_url() -> String {
    "http://localhost:8787".to_owned()
}

fn default_currency() -> String {
    "usd".to_owned()
}

fn default_per_page() -> usize {
    24
}

fn default_theme() -> String {
    crate::theme::DEFAULT.to_owned()
}

impl Config {
    /// Reads `site.toml`. `publishable_key_env` (from `STRIPE_PUBLISHABLE_KEY`) wins over the file.
    pub fn load(path: &Path, publishable_key_env: Option<String>) -> Result<Config, Diagnostic> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::new(path, format!("cannot read the site settings: {e}")))?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(&text, s.start)).unzip();
            let mut d = Diagnostic::new(path, e.message().to_owned());
            d.line = line;
            d.column = column;
            // A key under `[checkout]` is one of that table's, not of the file's top level.
            let in_checkout = e.span().is_some_and(|span| table_at(&text, span.start) == Some("checkout"));
            let (known, owner) = if in_checkout { (CHECKOUT_KEYS, "[checkout]") } else { (KEYS, "site.toml") };
            match did_you_mean(e.message(), known, owner) {
                Some(help) => d.help(help),
                None => d,
            }
        })?;
        let currency = Currency::from_code(&raw.currency).ok_or_else(|| {
            Diagnostic::new(path, format!("unsupported currency `{}`", raw.currency)).help(currency_help(&raw.currency))
        })?;
        let publishable_key = publishable_key_env.unwrap_or(raw.stripe_publishable_key);
        if !publishable_key.is_empty() && !publishable_key.starts_with("pk_") {
            // A secret key here would be published to every visitor: refuse loudly.
            return Err(Diagnostic::new(path, "the Stripe publishable key must start with `pk_`")
                .help("use the publishable key (pk_test_… or pk_live_…); the secret key (sk_…) belongs only in .dev.vars or `wrangler secret put STRIPE_SECRET_KEY`"));
        }
        if raw.per_page == 0 {
            return Err(Diagnostic::new(path, "`per_page` must be at least 1")
                .help("the catalog shows this many books a page, e.g. per_page = 24"));
        }
        if raw.max_files == 0 || raw.max_file_mib == 0 {
            let key = if raw.max_files == 0 { "max_files" } else { "max_file_mib" };
            return Err(Diagnostic::new(path, format!("`{key}` must be at least 1"))
                .at_line(line_of_key(&text, key))
                .help(format!("leave it out for the free plan's {FREE_PLAN_FILES} files of at most {FREE_PLAN_FILE_MIB} MiB, or set your plan's limit")));
        }
        if !is_language_tag(&raw.lang) {
            return Err(Diagnostic::new(path, format!("`lang = \"{}\"` is not a language tag", raw.lang))
                .at_line(line_of_key(&text, "lang"))
                .help(
                    "use a BCP 47 tag such as \"en\", \"en-GB\", \"de\" or \"pt-BR\": the language of the shop's pages",
                ));
        }
        let stripe_js = match raw.checkout.stripe_js.as_deref() {
            None => StripeJs::EveryPage,
            Some(value) => StripeJs::parse(value).ok_or_else(|| {
                Diagnostic::new(path, format!("`stripe_js = \"{value}\"` in [checkout] is not a choice"))
                    .at_line(line_of_key(&text, "stripe_js"))
                    .help("write stripe_js = \"every_page\" (the default: Stripe's fraud signals from every page) or stripe_js = \"checkout_pages\" (Stripe.js only on the cart and order pages, no \"Buy now\" on book pages)")
            })?,
        };
        let base_url = raw.base_url.trim_end_matches('/').to_owned();
        let origin = origin_of(&base_url).map_err(|problem| {
            Diagnostic::new(path, format!("base_url `{base_url}` {problem}"))
                .at_line(line_of_key(&text, "base_url"))
                .help("set base_url to the shop's public address, e.g. base_url = \"https://books.example.com\"")
        })?;
        let mut warnings = Vec::new();
        if is_local(&base_url) {
            warnings.push(
                Diagnostic::new(
                    path,
                    format!(
                        "base_url is {base_url}: canonical links, the sitemap, the feed and robots.txt point to this machine"
                    ),
                )
                .at_line(line_of_key(&text, "base_url"))
                .help("fine for a local preview; before deploying, set base_url to the shop's public address, e.g. base_url = \"https://books.example.com\""),
            );
        }
        Ok(Config {
            path: path.to_owned(),
            title: raw.title,
            description: raw.description,
            base_url,
            origin,
            currency,
            theme: raw.theme,
            publishable_key,
            per_page: raw.per_page,
            lang: raw.lang,
            warnings,
            max_files: raw.max_files,
            max_file_mib: raw.max_file_mib,
            stripe_js,
        })
    }
}

/// A BCP 47-looking tag: a 2–3 letter language, then subtags of 1–8 letters or digits
/// (`en`, `en-GB`, `zh-Hant-TW`, `es-419`). Registry membership is not checked.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The origin of an http(s) URL as a browser serializes it for `Origin`: scheme and host in
/// lower case, the port only when it is not the scheme's default. The worker compares it
/// byte for byte, so it is made here, once. A host outside ASCII is refused rather than
/// converted: browsers send its punycode form, and the editor should see which one is meant.
fn origin_of(url: &str) -> Result<String, &'static str> {
    let (scheme, rest) = url.split_once("://").ok_or("is not an http:// or https:// address")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return Err("is not an http:// or https:// address"),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("has a user name in it");
    }
    let (host, port) = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => (&authority[..colon], Some(&authority[colon + 1..])),
        _ => (authority, None),
    };
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => !v6.is_empty() && v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.'),
        None => !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
    };
    if !host_ok {
        return Err("needs a host name in ASCII (write an international name in its xn-- form)");
    }
    let port = match port {
        None | Some("") => None,
        Some(p) => Some(p.parse::<u16>().map_err(|_| "has a port that is not a number")?),
    };
    let host = host.to_ascii_lowercase();
    Ok(match port {
        Some(p) if p != default_port => format!("{scheme}://{host}:{p}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// Whether a URL's host is this machine (`localhost`, `127.0.0.1`, `[::1]`, `0.0.0.0`).
fn is_local(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    }
    .to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "::1"
        || host == "0.0.0.0"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_look_like_bcp_47() {
        for good in ["en", "de-CH", "zh-Hant-TW", "es-419", "fil"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in ["", "english", "en_GB", "e", "en-", "en-toolongsubtag"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn a_key_is_placed_in_its_table() {
        let text = "title = \"T\"\n[checkout]\nstripejs = \"x\"\n";
        assert_eq!(table_at(text, 3), None);
        assert_eq!(table_at(text, text.find("stripejs").unwrap_or_default()), Some("checkout"));
    }

    #[test]
    fn a_mistyped_checkout_key_is_matched_against_checkouts_keys() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("site.toml");
        std::fs::write(&path, "title = \"T\"\n[checkout]\nstripejs = \"every_page\"\n").expect("write");
        let problem = Config::load(&path, None).expect_err("an unknown key");
        assert_eq!(problem.help.as_deref(), Some("did you mean `stripe_js`?"));
        assert_eq!(problem.line, Some(3));
    }

    #[test]
    fn the_origin_is_what_a_browser_sends() {
        let cases = [
            ("https://books.example", "https://books.example"),
            ("https://books.example/shop", "https://books.example"),
            ("HTTPS://Books.Example:443", "https://books.example"),
            ("http://books.example:80/", "http://books.example"),
            ("http://localhost:8787", "http://localhost:8787"),
            ("http://[::1]:8787", "http://[::1]:8787"),
            ("https://books.example:8443?x#y", "https://books.example:8443"),
        ];
        for (url, origin) in cases {
            assert_eq!(origin_of(url).as_deref(), Ok(origin), "{url}");
        }
        for bad in [
            "books.example",
            "ftp://books.example",
            "https://",
            "https://bücher.example",
            "https://a@b.example",
            "https://b.example:x",
        ] {
            assert!(origin_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_addresses_are_told_apart() {
        for local in ["http://localhost:8787", "http://127.0.0.1", "http://[::1]:8787/", "http://shop.localhost"] {
            assert!(is_local(local), "{local}");
        }
        for public in ["https://books.example.com", "https://localhost-books.example", ""] {
            assert!(!is_local(public), "{public}");
        }
    }
}
