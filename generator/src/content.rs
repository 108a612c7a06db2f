//! Loading `content/books/**/*.md` (and `*.markdown`) into validated books, collecting
//! every problem.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use catalog::book_id::{self, BookIdError};
use catalog::{Amount, Currency};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::front_matter::{self, Format, RawBook, Split, SplitError, BOOK_KEYS};
pub use crate::imageproc::Cover;
use crate::imageproc::Covers;
use crate::images::{self, Image};
use crate::markdown;
use crate::messages::{did_you_mean, line_col, line_of_key};
use crate::slips::{self, Slip};
use crate::slug;
use crate::validate::{self, Invalid};

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
    /// The editor's cover image, processed ([`crate::imageproc`]), if any.
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
    /// Where the markdown description is: read again when its page is rendered, so a
    /// catalog of 100,000 books never holds every description at once.
    pub body: Body,
    /// The local images of the description, copied with the book's page.
    pub images: Vec<Image>,
    /// The description's first paragraph as plain text (listings, feeds, meta tags).
    pub summary: String,
}

/// A description left in its file: where it starts, and a digest of the whole file, which
/// tells when the file changed after it was loaded (and checked), and stands for every
/// field of the book where a rebuild asks whether a book changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Body {
    /// The byte where the description starts.
    pub at: usize,
    /// [`catalog::digest::fnv1a`] of the whole file.
    pub digest: u64,
}

impl Book {
    /// The markdown description, read from the book's file; an error when the file is no
    /// longer what was loaded and checked (edited during a build: the watcher rebuilds it).
    pub fn description(&self) -> anyhow::Result<String> {
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| anyhow::anyhow!("cannot read {} again: {e}", self.path.display()))?;
        match text.get(self.body.at..) {
            Some(body) if catalog::digest::fnv1a(text.as_bytes()) == self.body.digest => Ok(body.to_owned()),
            _ => Err(anyhow::anyhow!("{} changed while the site was being built; build again", self.path.display())),
        }
    }

    /// The book's page, site-relative: `/books/<id>/`.
    pub fn url(&self) -> String {
        book_url(&self.id)
    }
}

/// The page of the book with this id, site-relative: `/books/<id>/`.
pub fn book_url(id: &str) -> String {
    format!("/books/{id}/")
}

/// The extensions of book files, matched in any case (`.md`, `.MD`, `.markdown`).
pub const BOOK_EXTENSIONS: &[&str] = &["md", "markdown"];

/// Whether `path` names a book file: the one test `build`, `check` and `watch` share, so
/// a file one of them publishes is never skipped by another.
pub fn is_book_file(path: &Path) -> bool {
    path.extension().is_some_and(|x| BOOK_EXTENSIONS.iter().any(|ext| x.eq_ignore_ascii_case(ext)))
}

/// Image formats a browser shows: a description's images are copied as is, a cover is
/// processed ([`crate::imageproc`]).
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

/// Loads every book under `dir`, sorted by weight then title, their covers processed
/// through the cache `covers`. Drafts are checked, and left out unless `drafts` includes them.
pub fn load_books(dir: &Path, config: &Config, drafts: Drafts, covers: &Covers) -> Loaded {
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
            let book = load_book(&path, config, drafts, covers);
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

/// Loads one book file, its cover processed through the cache `covers`: `Ok(None)` for a
/// draft that `drafts` skips, or every problem it has.
pub fn load_book(
    path: &Path,
    config: &Config,
    drafts: Drafts,
    covers: &Covers,
) -> Result<Option<Book>, Vec<Diagnostic>> {
    let text = read_text(path).map_err(|d| vec![d])?;
    let split = front_matter::split(&text).map_err(|e| vec![split_problem(path, e)])?;
    let mut file = BookFile { path, split: &split, problems: Vec::new() };
    let raw = file.parse()?;
    if raw.draft && drafts == Drafts::Skip {
        return Ok(None);
    }
    let id = book_id_of(path).map_err(|d| file.problems.push(d)).unwrap_or_default();
    let title = file.take(raw.valid_title(split.format));
    let author = file.take(raw.valid_author(split.format));
    let price = file.take(raw.valid_price(split.format));
    let currency = file.take(raw.valid_currency(config.currency));
    let amount = match (price, currency) {
        (Some(price), Some(currency)) => file.take(validate::unit_amount(&price, currency)),
        _ => None,
    };
    let cover = file.take(raw.valid_cover(path)).flatten().and_then(|image| {
        file.take(covers.process(&id, &image).map_err(|e| Invalid::new("cover", e.message).help(e.help)))
    });
    let isbn = file.take(raw.valid_isbn()).flatten();
    let published = file.take(raw.valid_published()).flatten();
    let mut problems = file.problems;
    let images = images::find(path, split.body, split.body_line, &mut problems);
    for (what, offset) in markdown::blocked_html(split.body) {
        let line = split.body_line + split.body[..offset].matches('\n').count();
        problems.push(
            Diagnostic::new(path, format!("the description has {what}, which the shop's Content-Security-Policy stops browsers from running or applying"))
                .at_line(Some(line))
                .help("write it in markdown, or give the element a class and style that class in the theme's CSS (static/shop.css)"),
        );
    }
    match (title, author, amount, currency) {
        (Some(title), Some(author), Some(amount), Some(currency)) if problems.is_empty() => Ok(Some(Book {
            id,
            path: path.to_owned(),
            title,
            author,
            amount,
            currency,
            cover,
            isbn,
            published,
            tags: raw.tags,
            weight: raw.weight,
            available: raw.available.unwrap_or(true),
            draft: raw.draft,
            summary: markdown::summary(split.body),
            body: Body { at: text.len() - split.body.len(), digest: catalog::digest::fnv1a(text.as_bytes()) },
            images,
        })),
        _ => Err(problems),
    }
}

/// A book file's text, which must be UTF-8.
fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::new(path, format!("cannot read the file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]).into_owned();
        let (line, column) = line_col(&valid, usize::MAX);
        Diagnostic::new(path, "the file is not valid UTF-8")
            .at(line, Some(column))
            .help("save the file as UTF-8 (most editors have an encoding option in the save dialog)")
    })
}

/// The book's id, its file name, when it follows the catalog's id rule.
fn book_id_of(path: &Path) -> Result<String, Diagnostic> {
    let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    match book_id::check(&id) {
        Ok(()) => Ok(id),
        Err(e) => Err(id_problem(path, &id, &e)),
    }
}

/// A book file split at its fences: places what its front matter's validators find.
struct BookFile<'a> {
    path: &'a Path,
    split: &'a Split<'a>,
    /// What the validators found, in the order they ran.
    problems: Vec<Diagnostic>,
}

impl BookFile<'_> {
    /// The front matter read into its type: the commonest slips in plain words, else the
    /// parser's message, placed in the file.
    fn parse(&self) -> Result<RawBook, Vec<Diagnostic>> {
        let Split { format, front, .. } = *self.split;
        let curly = slips::curly_quotes(format, front);
        if !curly.is_empty() {
            return Err(curly.into_iter().map(|slip| self.slip(slip)).collect());
        }
        front_matter::parse(format, front).map_err(|e| {
            if let Some(slip) = slips::explain(format, front, &e) {
                return vec![self.slip(slip)];
            }
            let mut d = Diagnostic::new(self.path, e.message.clone());
            if let Some((line, column)) = e.position {
                d = d.at(self.file_line(line), Some(column));
            }
            vec![match did_you_mean(&e.message, BOOK_KEYS, "a book") {
                Some(help) => d.help(help),
                None => d,
            }]
        })
    }

    /// A line of the front matter as a line of the file.
    fn file_line(&self, front_line: usize) -> usize {
        front_line + self.split.front_line - 1
    }

    fn slip(&self, slip: Slip) -> Diagnostic {
        Diagnostic::new(self.path, slip.message).at(self.file_line(slip.line), slip.column).help(slip.help)
    }

    /// The value, or `None` after adding the problem, placed on its key's line (a missing
    /// key on the opening fence).
    fn take<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        let invalid = match result {
            Ok(value) => return Some(value),
            Err(invalid) => invalid,
        };
        let mut line = line_of_key(self.split.front, invalid.key).map(|l| self.file_line(l));
        if invalid.missing {
            line = line.or(Some(self.split.front_line - 1));
        }
        let d = Diagnostic::new(self.path, invalid.message).at_line(line);
        self.problems.push(match invalid.help {
            Some(help) => d.help(help),
            None => d,
        });
        None
    }
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
