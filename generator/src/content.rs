//! Loading `content/books/**/*.md` (and `*.markdown`) into validated books, collecting
//! every problem.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use catalog::book_id::{self, BookIdError};
use catalog::{Amount, Currency};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{currency_help, Config};
use crate::diagnostic::Diagnostic;
use crate::front_matter::{self, did_you_mean, line_of_key, Format, SplitError, BOOK_KEYS};
use crate::images::{self, Image};
use crate::markdown;
use crate::slips::{self, Slip};
use crate::slug;

/// A book ready to render and sell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    /// The file name without its extension: the book's URL segment and price-list key.
    pub id: String,
    /// The book file.
    pub path: PathBuf,
    /// The title.
    pub title: String,
    /// The author.
    pub author: String,
    /// Unit price in minor units.
    pub amount: Amount,
    /// The price's currency.
    pub currency: Currency,
    /// The editor's cover image, if any.
    pub cover: Option<Cover>,
    /// ISBN as written, its check digit verified.
    pub isbn: Option<String>,
    /// `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Tags as written.
    pub tags: Vec<String>,
    /// Sort key; lower first.
    pub weight: i64,
    /// False: shown as sold out, never sold.
    pub available: bool,
    /// `draft = true`: only ever built with [`Drafts::Include`], a preview.
    pub draft: bool,
    /// The markdown description.
    pub body: String,
    /// The local images of the description, copied with the book's page.
    pub images: Vec<Image>,
    /// The description's first paragraph as plain text (listings, feeds, meta tags).
    pub summary: String,
}

impl Book {
    /// The book's page, site-relative: `/books/<id>/`.
    pub fn url(&self) -> String {
        format!("/books/{}/", self.id)
    }
}

/// An editor's cover image and its size in pixels, for `<img width height>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    /// The image file.
    pub path: PathBuf,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// The extensions of book files, matched in any case (`.md`, `.MD`, `.markdown`).
pub const BOOK_EXTENSIONS: &[&str] = &["md", "markdown"];

/// Whether `path` names a book file: the one test `build`, `check` and `watch` share, so
/// a file one of them publishes is never skipped by another.
pub fn is_book_file(path: &Path) -> bool {
    path.extension().is_some_and(|x| BOOK_EXTENSIONS.iter().any(|ext| x.eq_ignore_ascii_case(ext)))
}

/// Cover image formats a browser shows and the generator copies as is.
pub const COVER_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "svg"];

/// What happens to books with `draft = true`. Every real build skips them (they are never
/// sold); `--drafts` previews them as if they were published.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Drafts {
    /// Checked, then left out of the site and the price list.
    #[default]
    Skip,
    /// Built like any other book: a preview, never to be deployed.
    Include,
}

/// The books of a folder, and what could not be loaded.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Valid books, in catalog order.
    pub books: Vec<Book>,
    /// A problem for every file that is not valid.
    pub problems: Vec<Diagnostic>,
    /// Books with `draft = true`: skipped, or included with [`Drafts::Include`].
    pub drafts: usize,
}

/// Loads every book under `dir`, sorted by weight then title. Drafts are checked, and left
/// out unless `drafts` includes them.
pub fn load_books(dir: &Path, config: &Config, drafts: Drafts) -> Loaded {
    let mut books = Vec::new();
    let mut problems = Vec::new();
    let mut draft_count = 0;
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut files: Vec<PathBuf> = WalkDir::new(dir)
        .into_iter()
        .filter_map(|entry| match entry {
            Ok(e) => Some(e),
            Err(e) => {
                problems.push(Diagnostic::new(dir, format!("cannot read the folder: {e}")));
                None
            }
        })
        .filter(|e| e.file_type().is_file() && is_book_file(e.path()))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    // Reading and parsing is per file: spread it over every core, then check ids in order.
    let loaded: Vec<_> = files
        .into_par_iter()
        .map(|path| {
            let book = load_book(&path, config, drafts);
            (path, book)
        })
        .collect();
    for (path, book) in loaded {
        match book {
            Ok(Some(book)) => {
                draft_count += usize::from(book.draft);
                if let Some(first) = seen.get(&book.id) {
                    problems.push(
                        Diagnostic::new(
                            &path,
                            format!("duplicate book id `{}`: {} has it too", book.id, first.display()),
                        )
                        .help("book ids come from file names; rename one of the files"),
                    );
                    continue;
                }
                seen.insert(book.id.clone(), path);
                books.push(book);
            }
            Ok(None) => draft_count += 1,
            Err(mut errors) => problems.append(&mut errors),
        }
    }
    sort(&mut books);
    Loaded { books, problems, drafts: draft_count }
}

/// Catalog order: by weight, then title, then file (so ties keep one order however the
/// books were loaded).
pub fn sort(books: &mut [Book]) {
    books.sort_by(catalog_order);
}

/// How two books compare in catalog order.
pub fn catalog_order(a: &Book, b: &Book) -> std::cmp::Ordering {
    a.weight.cmp(&b.weight).then_with(|| a.title.cmp(&b.title)).then_with(|| a.path.cmp(&b.path))
}

/// Loads one book file: `Ok(None)` for a draft that `drafts` skips, or every problem it has.
pub fn load_book(path: &Path, config: &Config, drafts: Drafts) -> Result<Option<Book>, Vec<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| vec![Diagnostic::new(path, format!("cannot read the file: {e}"))])?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) =
            front_matter::line_col(&String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]), usize::MAX);
        vec![Diagnostic::new(path, "the file is not valid UTF-8")
            .at(line, Some(column))
            .help("save the file as UTF-8 (most editors have an encoding option in the save dialog)")]
    })?;
    let split = front_matter::split(&text).map_err(|e| vec![split_problem(path, e)])?;
    let in_file = |slip: Slip| {
        Diagnostic::new(path, slip.message).at(slip.line + split.front_line - 1, slip.column).help(slip.help)
    };
    let curly = slips::curly_quotes(split.format, split.front);
    if !curly.is_empty() {
        return Err(curly.into_iter().map(in_file).collect());
    }
    let raw = front_matter::parse(split.format, split.front).map_err(|e| {
        if let Some(slip) = slips::explain(split.format, split.front, &e) {
            return vec![in_file(slip)];
        }
        let mut d = Diagnostic::new(path, e.message.clone());
        if let Some((line, column)) = e.position {
            d = d.at(line + split.front_line - 1, Some(column));
        }
        vec![match did_you_mean(&e.message, BOOK_KEYS) {
            Some(help) => d.help(help),
            None => d,
        }]
    })?;
    if raw.draft && drafts == Drafts::Skip {
        return Ok(None);
    }
    let line = |key: &str| line_of_key(split.front, key).map(|l| l + split.front_line - 1);
    let at = |key: &str, message: String| Diagnostic::new(path, message).at_line(line(key));
    let mut problems = Vec::new();

    let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if let Err(e) = book_id::check(&id) {
        problems.push(id_problem(path, &id, &e));
    }
    let mut required = |key: &str, value: Option<String>, example: &str| match value {
        Some(v) if !v.trim().is_empty() => v,
        _ => {
            problems.push(
                Diagnostic::new(path, format!("missing `{key}`"))
                    .at_line(line(key).or(Some(split.front_line - 1)))
                    .help(format!("add `{}` to the front matter", example_for(split.format, key, example))),
            );
            String::new()
        }
    };
    let title = required("title", raw.title, "The Art of Doing Science and Engineering");
    let author = required("author", raw.author, "Richard Hamming");
    let price = required("price", raw.price.map(|p| p.0), "23.00");

    let currency = match &raw.currency {
        None => Some(config.currency),
        Some(code) => {
            let found = Currency::from_code(code);
            if found.is_none() {
                problems.push(at("currency", format!("unsupported currency `{code}`")).help(currency_help(code)));
            }
            found
        }
    };
    let mut amount = 0;
    if let (Some(currency), false) = (currency, price.is_empty()) {
        match currency.parse_price(&price) {
            Ok(a) if a < currency.minimum() => problems.push(
                at(
                    "price",
                    format!(
                        "price {} is below Stripe's minimum charge of {}",
                        currency.display(a),
                        currency.display(currency.minimum())
                    ),
                )
                .help("Stripe refuses smaller card payments in this currency; raise the price"),
            ),
            Ok(a) if a > currency.maximum() => problems.push(
                at(
                    "price",
                    format!(
                        "price `{price}` is above Stripe's maximum charge of {}",
                        currency.display(currency.maximum())
                    ),
                )
                .help("Stripe refuses larger card payments; check the number of digits"),
            ),
            Ok(a) => amount = a,
            Err(e) => problems.push(at("price", e.to_string())),
        }
    }

    let cover = raw.cover.as_deref().and_then(|name| {
        let file = path.parent().unwrap_or(Path::new(".")).join(name);
        let ext = file.extension().map(|x| x.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        if !COVER_EXTENSIONS.contains(&ext.as_str()) {
            problems.push(
                at("cover", format!("cover `{name}` is not an image this shop can show"))
                    .help(format!("use one of: {}", COVER_EXTENSIONS.join(", "))),
            );
            None
        } else if !file.is_file() {
            problems.push(
                at("cover", format!("cover file `{}` does not exist", file.display()))
                    .help("put the image beside the book file, or remove `cover` to get a drawn cover"),
            );
            None
        } else {
            match imagesize::size(&file) {
                Ok(size) => Some(Cover {
                    path: file,
                    width: u32::try_from(size.width).unwrap_or(u32::MAX),
                    height: u32::try_from(size.height).unwrap_or(u32::MAX),
                }),
                Err(e) => {
                    problems.push(
                        at("cover", format!("cover `{}` cannot be read as an image: {e}", file.display()))
                            .help("export it again as JPEG, PNG or WebP"),
                    );
                    None
                }
            }
        }
    });
    let isbn = raw.isbn.as_deref().and_then(|isbn| match normalize_isbn(isbn) {
        // Shown as the editor wrote it (hyphens help readers); only the digits are checked.
        Ok(_) => Some(isbn.trim().to_owned()),
        Err(why) => {
            problems.push(
                at("isbn", format!("ISBN `{isbn}` {why}"))
                    .help("copy the ISBN from the book's copyright page, or remove `isbn`"),
            );
            None
        }
    });
    let published = raw.published.map(|d| d.0).and_then(|d| {
        if is_date(&d) {
            Some(d)
        } else {
            problems
                .push(at("published", format!("`{d}` is not a date")).help("write it as YYYY-MM-DD, e.g. 2020-05-26"));
            None
        }
    });
    let images = images::find(path, split.body, split.body_line, &mut problems);

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Some(Book {
        id,
        path: path.to_owned(),
        title: title.trim().to_owned(),
        author: author.trim().to_owned(),
        amount,
        currency: currency.unwrap_or(config.currency),
        cover,
        isbn,
        published,
        tags: raw.tags,
        weight: raw.weight,
        available: raw.available.unwrap_or(true),
        draft: raw.draft,
        summary: markdown::summary(split.body),
        body: split.body.to_owned(),
        images,
    }))
}

/// A file whose name breaks the id rule, and the name to give it instead.
fn id_problem(path: &Path, id: &str, error: &BookIdError) -> Diagnostic {
    let d = Diagnostic::new(path, format!("the file name `{id}` cannot be a book id: it {error}"));
    let ext = path.extension().map(|x| x.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    match slug::book_id_from_title(id) {
        better if better.is_empty() => {
            d.help(format!("rename the file with {}, e.g. working-in-public.{ext}", book_id::ALLOWED))
        }
        better => d.help(format!("rename the file to {better}.{ext}")),
    }
}

fn example_for(format: Format, key: &str, value: &str) -> String {
    match format {
        Format::Toml => format!("{key} = \"{value}\""),
        Format::Yaml => format!("{key}: \"{value}\""),
    }
}

fn split_problem(path: &Path, error: SplitError) -> Diagnostic {
    match error {
        SplitError::Empty => Diagnostic::new(path, "the file is empty")
            .help("start it with front matter; `bookshop new \"Title\"` writes a complete example"),
        SplitError::NoFence => Diagnostic::new(path, "the file does not start with front matter")
            .at(1, Some(1))
            .help("the first line must be `+++` (TOML) or `---` (YAML), and the same line must close it"),
        SplitError::Unclosed(format) => {
            let fence = if format == Format::Toml { "+++" } else { "---" };
            Diagnostic::new(path, format!("the front matter opened with `{fence}` on line 1 is never closed"))
                .at(1, Some(1))
                .help(format!("add a line with only `{fence}` after the last key"))
        }
    }
}

/// Checks an ISBN-10 or ISBN-13 checksum; returns its digits without hyphens or spaces.
pub fn normalize_isbn(text: &str) -> Result<String, &'static str> {
    let isbn: String = text.chars().filter(|c| *c != '-' && *c != ' ').collect::<String>().to_ascii_uppercase();
    let digit = |c: u8| u32::from(c - b'0');
    let ok = match isbn.len() {
        13 if isbn.bytes().all(|b| b.is_ascii_digit()) => {
            let sum: u32 = isbn.bytes().enumerate().map(|(i, b)| digit(b) * if i % 2 == 0 { 1 } else { 3 }).sum();
            sum.is_multiple_of(10)
        }
        10 if isbn.bytes().take(9).all(|b| b.is_ascii_digit())
            && isbn.bytes().last().is_some_and(|b| b.is_ascii_digit() || b == b'X') =>
        {
            let sum: u32 =
                isbn.bytes().enumerate().map(|(i, b)| (10 - i as u32) * if b == b'X' { 10 } else { digit(b) }).sum();
            sum.is_multiple_of(11)
        }
        _ => return Err("is not 10 or 13 digits"),
    };
    if ok {
        Ok(isbn)
    } else {
        Err("has a wrong check digit")
    }
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let num = |s: &str, len: usize, max: u32| {
        s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) && s.parse::<u32>().is_ok_and(|n| n >= 1 && n <= max)
    };
    parts.len() == 3 && num(parts[0], 4, 9999) && num(parts[1], 2, 12) && num(parts[2], 2, 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn_checksums_are_checked() {
        assert_eq!(normalize_isbn("978-1-7322651-7-2"), Ok("9781732265172".into()));
        assert_eq!(normalize_isbn("0-306-40615-2"), Ok("0306406152".into()));
        assert_eq!(normalize_isbn("080442957X"), Ok("080442957X".into()));
        assert_eq!(normalize_isbn("978-1-7322651-7-3"), Err("has a wrong check digit"));
        assert_eq!(normalize_isbn("12345"), Err("is not 10 or 13 digits"));
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_date("2020-05-26"));
        assert!(!is_date("2020-13-01"));
        assert!(!is_date("26/05/2020"));
    }
}
