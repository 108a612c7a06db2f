//! The watch loop's engine. After one full build the site stays in memory; a change to a
//! book file re-reads only that file, re-renders only its page and the list pages whose
//! books changed, and writes only the files whose bytes changed, each atomically, so a
//! server keeps serving the output throughout. Settings, templates and static files are
//! read by every page: a change to them rebuilds the whole site. An edit that moves books
//! onto hundreds of list pages writes those, and the search index, after the rest
//! ([`Engine::catch_up`]): what an editor looks at after a save comes first.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result};
use rayon::prelude::*;

use catalog::digest::Fnv1a;

use crate::catalog_files::CatalogFiles;
use crate::content::{self, Book, COVER_EXTENSIONS};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::feeds;
use crate::layout::{Layout, Place};
use crate::listing::{self, Edit, ListPage, TagIndex, TagView};
use crate::output::{self, Lock};
use crate::preview;
use crate::render::{self, Output, Renderer};
use crate::search;
use crate::site::{Options, Site, Summary};
use crate::slug;

/// What a set of changed paths asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// These book files were edited, added or deleted.
    Books(Vec<PathBuf>),
    /// Settings, a template, a static file or a cover image (this one) changed: rebuild
    /// everything.
    Site(PathBuf),
    /// Nothing the site is made from (an editor's swap or backup file, say).
    Nothing,
}

/// Sorts changed paths (as `layout.root().join(...)`) into what they ask for.
pub fn classify(layout: &Layout, paths: &[PathBuf]) -> Change {
    let mut books = Vec::new();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        // Editors' swap, backup and lock files (`.x.md.swp`, `x.md~`, `.#x.md`, vim's `4913`).
        if name.starts_with('.') || name.ends_with('~') || name == "4913" {
            continue;
        }
        let ext = path.extension().map(|x| x.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        match layout.place_of(path) {
            Place::Books if content::is_book_file(path) => books.push(path.clone()),
            // A cover image, or a folder moved in, whose books send no events of their own.
            Place::Books if COVER_EXTENSIONS.contains(&ext.as_str()) || path.is_dir() => {
                return Change::Site(path.clone())
            }
            Place::Look => return Change::Site(path.clone()),
            Place::Books | Place::Outside => {}
        }
    }
    books.sort();
    books.dedup();
    if books.is_empty() {
        Change::Nothing
    } else {
        Change::Books(books)
    }
}

/// Whether a change to these paths asks for a rebuild: what [`classify`] finds, or a
/// folder of books that went (its books go with it, with no event of their own).
pub fn matters(layout: &Layout, paths: &[PathBuf]) -> bool {
    let gone_folder = |p: &PathBuf| p.extension().is_none() && !p.exists() && layout.place_of(p) == Place::Books;
    paths.iter().any(gone_folder) || classify(layout, paths) != Change::Nothing
}

/// What a rebuild did, for its report line.
#[derive(Debug, Default)]
pub struct Rebuilt {
    /// The changed files that caused it.
    pub changed: Vec<PathBuf>,
    /// Files written because their bytes changed, site-relative.
    pub written: Vec<String>,
    /// Files removed, site-relative.
    pub removed: Vec<String>,
    /// The whole site was rebuilt (and swapped in); `written` is then empty.
    pub full: Option<Summary>,
    /// Why some changed books were left out: each keeps its last good version meanwhile.
    pub problems: Vec<Diagnostic>,
}

/// A site built once into `output`, kept in memory for rebuilds.
pub struct Engine {
    layout: Layout,
    output: PathBuf,
    /// What the command line handed in, for every full rebuild.
    options: Options,
    site: Site,
    /// Each list page's URL and a fingerprint of what it showed when last rendered.
    lists: HashMap<String, u64>,
    /// Each tag's books, kept up to date: an edit's list pages are found in it.
    tags: TagIndex,
    /// The feed's books as last written, newest first.
    feed: Vec<Book>,
    /// The price list's and the sitemap's fragments, one per book.
    catalog_files: CatalogFiles,
    /// Changes a failed rebuild did not apply (a rename saved together with a broken book,
    /// say): tried again with the next change, so none is ever dropped.
    pending: Vec<PathBuf>,
    /// List pages an edit changed only by moving its books ([`ListPage::moved_only`]),
    /// left to [`Engine::catch_up`] because there were many: URL → (tag slug, number).
    owed: BTreeMap<String, (Option<String>, usize)>,
    /// The search index (and its pages) are owed too: after an edit that owes list pages,
    /// or moves books in a large shop ([`SEARCH_OWED_OVER`]). Renumbering books in the index
    /// is then most of a rebuild (a new book at the middle of 100,000 rewrites most of its
    /// files). The index written stays whole until then: it names only files that are there.
    search_owed: bool,
    /// When to owe: more moved list pages than `.0`, more books than `.1` ([`OWE_OVER`],
    /// [`SEARCH_OWED_OVER`] but in tests).
    owe_over: (usize, usize),
    /// Pages carry the preview script.
    preview: bool,
}

/// An edit that moves more list pages than this leaves them owed, with the search index, to
/// be written after the pages that show the edit: a book added to the middle of 100,000
/// moves thousands (over 100 MB of HTML, most of a second), and the editor waits only for
/// the few that show it. As Hugo's server renders first the pages open in a browser.
pub const OWE_OVER: usize = 256;

/// In a shop of more books than this, an edit that moves books in the catalog (one added,
/// removed, or moved by its title or weight) owes the search index: renumbering them is
/// tens of milliseconds at 20,000 books, hundreds at 100,000.
pub const SEARCH_OWED_OVER: usize = 20_000;

/// What [`Engine::catch_up`] wrote.
#[derive(Debug, Default)]
pub struct CaughtUp {
    /// Owed list pages rendered (those whose bytes changed were written).
    pub pages: usize,
    /// The search index was written.
    pub search: bool,
}

impl Engine {
    /// Loads the site at `layout` and builds all of it into `output` (drafts too if the
    /// options include them, and in every rebuild).
    pub fn start(layout: &Layout, output: &Path, options: &Options) -> Result<(Engine, Summary)> {
        Engine::start_with(layout, output, options, false)
    }

    /// As [`Engine::start`], for `bookshop watch`: every page written carries the preview
    /// script ([`crate::preview`]) that shows problems and reloads after each rebuild.
    pub fn preview(layout: &Layout, output: &Path, options: &Options) -> Result<(Engine, Summary)> {
        Engine::start_with(layout, output, options, true)
    }

    fn start_with(layout: &Layout, output: &Path, options: &Options, preview: bool) -> Result<(Engine, Summary)> {
        let mut site = Site::load(layout, options)?;
        // The search index's postings and shards kept, so that a rebuild writes only the
        // shards and table chunks an edit changed.
        site.search = search::Cache::incremental();
        let summary = site.write(output, preview)?;
        let catalog_files = CatalogFiles::new(&site.config, &site.books)?;
        let tags = TagIndex::new(&site.books);
        let feed = feeds::newest(&site.books).into_iter().cloned().collect();
        let mut engine = Engine {
            layout: layout.clone(),
            output: output.to_owned(),
            options: options.clone(),
            site,
            lists: HashMap::new(),
            tags,
            feed,
            catalog_files,
            pending: Vec::new(),
            owed: BTreeMap::new(),
            search_owed: false,
            owe_over: (OWE_OVER, SEARCH_OWED_OVER),
            preview,
        };
        engine.lists = engine.fingerprint_lists();
        Ok((engine, summary))
    }

    /// Rebuilds what `changed` (as `root.join(...)`) asks for; `None` when it changes nothing
    /// the site is made from. A broken book keeps its last good version on the site and is
    /// tried again with every later change until it loads ([`Rebuilt::problems`] says why);
    /// the other changes of its batch are applied. When nothing could be applied (every
    /// changed book is broken, or a template or `site.toml` is), nothing is written, the
    /// site in memory stays the last good one, and the paths are kept for the next rebuild.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Option<Rebuilt>> {
        let mut paths = std::mem::take(&mut self.pending);
        paths.extend_from_slice(changed);
        paths.sort();
        paths.dedup();
        let result = self.apply(&paths);
        if result.is_err() {
            self.pending = paths;
        }
        result
    }

    /// The changes owed by failed rebuilds: retried with the next change.
    pub fn pending(&self) -> &[PathBuf] {
        &self.pending
    }

    fn apply(&mut self, paths: &[PathBuf]) -> Result<Option<Rebuilt>> {
        // A folder moved out of the books takes its books with it, with no event for each.
        let mut paths = paths.to_vec();
        let gone: Vec<PathBuf> = paths.iter().filter(|p| p.extension().is_none() && !p.exists()).cloned().collect();
        for folder in gone {
            paths.extend(self.site.books.iter().filter(|b| b.path.starts_with(&folder)).map(|b| b.path.clone()));
        }
        match classify(&self.layout, &paths) {
            Change::Nothing => Ok(None),
            Change::Site(path) => {
                let mut rebuilt = self.rebuild_all()?;
                rebuilt.changed.push(path);
                Ok(Some(rebuilt))
            }
            Change::Books(books) => self.rebuild_books(&books).map(Some),
        }
    }

    /// Loads and builds the whole site again.
    pub fn rebuild_all(&mut self) -> Result<Rebuilt> {
        let (engine, summary) = Engine::start_with(&self.layout, &self.output, &self.options, self.preview)?;
        *self = engine;
        Ok(Rebuilt { full: Some(summary), ..Rebuilt::default() })
    }

    /// Re-reads these book files (a missing one was deleted) and writes what they change.
    /// Broken files are left out and kept for the next rebuild; when all of them are
    /// broken, this fails and writes nothing.
    pub fn rebuild_books(&mut self, paths: &[PathBuf]) -> Result<Rebuilt> {
        let (loaded, problems) = self.load(paths);
        if loaded.is_empty() {
            return Err(Diagnostics(problems).into());
        }
        let broken: Vec<PathBuf> =
            paths.iter().filter(|p| !loaded.iter().any(|(done, _)| done == *p)).cloned().collect();
        let places: Vec<Option<usize>> = loaded.iter().map(|(path, _)| place_of(&self.site.books, path)).collect();
        let previous = swap_in(&mut self.site.books, loaded);
        // A tag is checked against every book's, as `bookshop check` does; unless no changed
        // book has a tag that could be a problem (the site's tags were fine before:
        // scanning 100,000 books is not).
        let changed = previous.iter().filter_map(|(path, _)| place_of(&self.site.books, path));
        let suspect = self.tags.may_have_problems(changed.flat_map(|i| &self.site.books[i].tags).map(String::as_str));
        let tag_problems = if suspect { listing::tag_problems(&self.site.books) } else { Vec::new() };
        if !tag_problems.is_empty() {
            swap_in(&mut self.site.books, previous);
            return Err(Diagnostics(tag_problems).into());
        }
        match self.render_changes(&previous, &places) {
            Ok(files) => {
                let Files { write, remove, lists, owed, search_owed, gone_lists, tags, feed } = files;
                // A failed write leaves index files unwritten that the search cache counts
                // as written: it starts again from nothing.
                let mut rebuilt = self.write(write, remove).inspect_err(|_| self.site.search.reset())?;
                // Only once written: a failed write leaves the list pages to render again.
                for (url, _) in &lists {
                    self.owed.remove(url);
                }
                self.lists.extend(lists);
                for url in gone_lists {
                    self.lists.remove(&url);
                    self.owed.remove(&url);
                }
                self.owed.extend(owed);
                self.search_owed = search_owed;
                self.tags = tags;
                if let Some(feed) = feed {
                    self.feed = feed;
                }
                rebuilt.changed = paths.iter().filter(|p| !broken.contains(p)).cloned().collect();
                rebuilt.problems = problems;
                self.pending = broken;
                Ok(rebuilt)
            }
            Err(e) => {
                // Put the last good books back: the next rebuild starts from them.
                swap_in(&mut self.site.books, previous);
                // The index read the books that were put back: it reads them all again.
                self.site.search.reset();
                if let Ok(fragments) = CatalogFiles::new(&self.site.config, &self.site.books) {
                    self.catalog_files = fragments;
                }
                Err(e)
            }
        }
    }

    /// Each path's book (`None` for a deleted file or a draft), leaving out the files that
    /// have a problem, and every problem they have.
    fn load(&self, paths: &[PathBuf]) -> (Vec<(PathBuf, Option<Book>)>, Vec<Diagnostic>) {
        let mut loaded = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            if !path.is_file() {
                loaded.push((path.clone(), None));
                continue;
            }
            match content::load_book(path, &self.site.config, self.site.drafts, &self.site.covers) {
                Ok(book) => loaded.push((path.clone(), book)),
                Err(mut found) => problems.append(&mut found),
            }
        }
        // Ids are file names: a new file may take one that another folder's file has.
        let mut duplicates = Vec::new();
        for (i, (path, book)) in loaded.iter().enumerate() {
            let Some(book) = book else { continue };
            let other_loaded = loaded[..i].iter().filter_map(|(p, b)| b.as_ref().map(|b| (p, b)));
            let kept =
                self.site.books.iter().filter(|b| b.id == book.id && !paths.contains(&b.path)).map(|b| (&b.path, b));
            if let Some((first, _)) = kept.chain(other_loaded).find(|(_, other)| other.id == book.id) {
                problems.push(
                    Diagnostic::new(path, format!("duplicate book id `{}`: {} has it too", book.id, first.display()))
                        .help("book ids come from file names; rename one of the files"),
                );
                duplicates.push(i);
            }
        }
        for i in duplicates.into_iter().rev() {
            loaded.remove(i);
        }
        // Only a hint for the next build: not a problem when it cannot be written.
        let _ = self.site.covers.save();
        (loaded, problems)
    }

    /// Renders, in memory, every file the swapped-in books change; `previous` holds the
    /// books they replaced, `places` where those were in the catalog.
    fn render_changes(&mut self, previous: &[(PathBuf, Option<Book>)], places: &[Option<usize>]) -> Result<Files> {
        let site = &self.site;
        let renderer = Renderer::new(&site.config, &site.tera);
        let collected = Collected::new(self.preview);
        let collect = |rel: &str, out: Output<'_>| collected.add(rel, out);
        let mut remove = Vec::new();
        let (mut olds, mut news) = (Vec::new(), Vec::new());
        let mut edit = Edit { before: site.books.len(), gone: Vec::new(), came: Vec::new() };
        for ((path, old), was) in previous.iter().zip(places) {
            let place = place_of(&site.books, path);
            let new = place.map(|i| &site.books[i]);
            if old.as_ref() == new {
                continue;
            }
            edit.gone.extend(was.zip(old.as_ref()));
            edit.came.extend(place);
            olds.extend(old.as_ref());
            news.extend(new);
            for changed in old.iter().chain(new) {
                site.search.forget(&changed.id);
            }
            if let Some(book) = new {
                renderer.book(book, &collect)?;
            }
            if let Some(old) = old {
                let kept = new.map(render::book_files).unwrap_or_default();
                for file in render::book_files(old) {
                    if !kept.contains(&file) {
                        remove.push(file);
                    }
                }
            }
        }
        edit.before = edit.before + edit.gone.len() - edit.came.len();
        edit.gone.sort_by_key(|&(i, _)| i);
        edit.came.sort();
        let tags = self.tags.after(&site.books, &edit);
        let (pages, gone_lists) =
            listing::pages_changed_by(&site.books, &self.tags, &tags, &edit, site.config.per_page);
        let fingerprints = fingerprints(&site.books, &pages);
        let stale: Vec<&ListPage<'_>> = pages
            .iter()
            .zip(&fingerprints)
            .filter(|(p, fp)| self.lists.get(&p.url) != Some(fp))
            .map(|(p, _)| p)
            .collect();
        // Many pages that only moved are owed (the others, and pages owed before that show
        // this edit, are written now); a few are written with the rest.
        let owe = stale.iter().filter(|p| p.moved_only).count() > self.owe_over.0;
        let (now, owed): (Vec<&ListPage<'_>>, Vec<&ListPage<'_>>) =
            stale.into_iter().partition(|p| !owe || !p.moved_only);
        renderer.lists(&site.books, &now, &collect)?;
        // The price list's shards and the sitemap only when a fragment of theirs changed: a
        // description edit writes neither (the sitemap is megabytes at 100,000 books); a new
        // price, the book's shard (and the manifest, written only if its bytes changed). The
        // sitemap lists each tag's list too: it changes when a tag comes or goes.
        let tags_came_or_went = !tags.same_tags(&self.tags);
        let views = tags.views();
        let touched = self.catalog_files.update(&site.config, &olds, &news, tags_came_or_went)?;
        if !touched.shards.is_empty() {
            self.catalog_files.write_price_list(&site.config, &site.books, touched.shards, &collect)?;
        }
        remove.extend(touched.gone);
        if touched.sitemap {
            let sitemaps = self.catalog_files.sitemaps(&site.config, views.iter().map(|t| t.url.as_str()));
            // Files an index that shrank (or became one file) no longer names: numbered from 1.
            let parts = sitemaps.len().saturating_sub(1);
            let gone = (parts + 1..).map(feeds::sitemap_part).take_while(|part| self.output.join(part).is_file());
            remove.extend(gone);
            for (file, xml) in sitemaps {
                collect(&file, Output::Text(xml))?;
            }
        }
        let shown: Vec<&Book> = self.feed.iter().collect();
        let feed = if feeds::changes(&shown, &olds, &news) {
            let newest = feeds::newest(&site.books);
            collect("atom.xml", Output::Text(feeds::atom_of(&site.config, &newest)))?;
            Some(newest.into_iter().cloned().collect())
        } else {
            None
        };
        // The index numbers books by catalog place: in a large shop, renumbering those an
        // edit moved is most of a rebuild (hundreds of milliseconds at 100,000 books).
        let owe_search = owe || (edit.moves_books() && site.books.len() > self.owe_over.1);
        let (search_write, search_remove) = if owe_search {
            // Read now, while their files are what was loaded.
            site.search.read_ahead(news.iter().copied())?;
            (Vec::new(), Vec::new())
        } else {
            self.search_files(&renderer, &views)?
        };
        // An owed page keeps the fingerprint of what its file shows.
        let owed: BTreeMap<String, (Option<String>, usize)> = owed
            .into_iter()
            .map(|p| (p.url.clone(), (p.tag.as_ref().map(|t| slug::tag_slug(t.name)), p.paginator.number)))
            .collect();
        let lists: Vec<(String, u64)> =
            pages.iter().map(|p| p.url.clone()).zip(fingerprints).filter(|(url, _)| !owed.contains_key(url)).collect();
        remove.extend(gone_lists.iter().map(|url| listing::file_of(url)));
        drop(pages);
        let mut write = collected.into_files();
        write.extend(search_write);
        remove.extend(search_remove);
        Ok(Files { write, remove, lists, owed, search_owed: owe_search, gone_lists, tags, feed })
    }

    /// The search index and its pages as they are now, to write; and the files of theirs to
    /// remove. The index's files are named by their bytes: those an edit renamed go. The
    /// index knows which, unless it was built whole again: then they are looked for.
    fn search_files(&self, renderer: &Renderer<'_>, views: &[TagView<'_>]) -> Result<(Vec<Rendered>, Vec<String>)> {
        let collected = Collected::new(self.preview);
        search::write(renderer, &self.site.books, views, &self.site.search, &|rel, out| collected.add(rel, out))?;
        let write = collected.into_files();
        let remove = match self.site.search.take_stale() {
            Some(stale) => stale,
            None => search::stale(&self.output, &write.iter().map(|(rel, _)| rel.as_str()).collect::<Vec<_>>()),
        };
        Ok((write, remove))
    }

    /// Owes moved list pages when more than `pages` moved, and the search index when books
    /// moved in a catalog of more than `books` ([`OWE_OVER`] and [`SEARCH_OWED_OVER`]
    /// otherwise): small shops in tests.
    pub fn owe_over(&mut self, pages: usize, books: usize) {
        self.owe_over = (pages, books);
    }

    /// How many list pages are owed, and whether the search index is: [`Engine::catch_up`]
    /// writes them.
    pub fn owed(&self) -> (usize, bool) {
        (self.owed.len(), self.search_owed)
    }

    /// Whether anything is owed.
    pub fn owes(&self) -> bool {
        self.search_owed || !self.owed.is_empty()
    }

    /// Writes the search index if owed; else renders up to `most` owed list pages as they
    /// are now and writes those whose bytes changed. A watcher calls it between changes
    /// until nothing is owed.
    pub fn catch_up(&mut self, most: usize) -> Result<CaughtUp> {
        let site = &self.site;
        let renderer = Renderer::new(&site.config, &site.tera);
        if self.search_owed {
            let (write, remove) =
                self.search_files(&renderer, &self.tags.views()).inspect_err(|_| site.search.reset())?;
            self.write(write, remove).inspect_err(|_| self.site.search.reset())?;
            self.search_owed = false;
            return Ok(CaughtUp { pages: 0, search: true });
        }
        let per_page = site.config.per_page;
        let urls: Vec<String> = self.owed.keys().take(most).cloned().collect();
        // A page a later edit took away from its list is gone, not owed.
        let pages: Vec<ListPage<'_>> = urls
            .iter()
            .filter_map(|url| {
                let (slug, number) = &self.owed[url];
                self.tags.page(slug.as_deref(), *number, site.books.len(), per_page)
            })
            .collect();
        let collected = Collected::new(self.preview);
        renderer.lists(&site.books, &pages.iter().collect::<Vec<_>>(), &|rel, out| collected.add(rel, out))?;
        let fingerprints = fingerprints(&site.books, &pages);
        let lists: Vec<(String, u64)> = pages.iter().map(|p| p.url.clone()).zip(fingerprints).collect();
        let rendered = pages.len();
        drop(pages);
        self.write(collected.into_files(), Vec::new())?;
        self.lists.extend(lists);
        for url in urls {
            self.owed.remove(&url);
        }
        Ok(CaughtUp { pages: rendered, search: false })
    }

    /// Writes the files whose bytes changed and removes the others, one writer at a time.
    fn write(&self, write: Vec<(String, Vec<u8>)>, remove: Vec<String>) -> Result<Rebuilt> {
        let _lock = Lock::acquire(&self.output)?;
        let mut rebuilt = Rebuilt::default();
        let named_by_bytes = search::FILES_URL.trim_start_matches('/');
        // On every core: a book that came or went shifts thousands of list pages in a large shop.
        let written: Vec<Option<String>> = write
            .into_par_iter()
            .map(|(rel, bytes)| {
                // A file named by a digest of its bytes that is there already holds them (files
                // are renamed into place whole): not read again to be compared.
                if rel.starts_with(named_by_bytes) && self.output.join(&rel).is_file() {
                    return Ok(None);
                }
                Ok(output::write_if_changed(&self.output, &rel, &bytes)?.then_some(rel))
            })
            .collect::<Result<_>>()?;
        rebuilt.written = written.into_iter().flatten().collect();
        for rel in remove {
            if output::remove(&self.output, &rel)? {
                rebuilt.removed.push(rel);
            }
        }
        Ok(rebuilt)
    }

    fn fingerprint_lists(&self) -> HashMap<String, u64> {
        let pages = listing::pages(&self.site.books, self.site.config.per_page);
        let fingerprints = fingerprints(&self.site.books, &pages);
        pages.into_iter().map(|p| p.url).zip(fingerprints).collect()
    }
}

/// What a rebuild rendered: files to write (site-relative path, bytes) and to remove;
/// once they are written, the fingerprints of the list pages it looked at, the list
/// pages that went, the tags and the feed.
struct Files {
    write: Vec<(String, Vec<u8>)>,
    remove: Vec<String>,
    lists: Vec<(String, u64)>,
    /// The pages left owed, as [`Engine::owed`] keeps them.
    owed: BTreeMap<String, (Option<String>, usize)>,
    /// The search index was left owed.
    search_owed: bool,
    gone_lists: Vec<String>,
    tags: TagIndex,
    /// The feed's books, when it was written again.
    feed: Option<Vec<Book>>,
}

/// A file rendered in memory: its site-relative path and bytes.
type Rendered = (String, Vec<u8>);

/// Files rendered in memory, to be written together: pages get the preview script.
struct Collected {
    preview: bool,
    files: Mutex<Vec<Rendered>>,
}

impl Collected {
    fn new(preview: bool) -> Collected {
        Collected { preview, files: Mutex::default() }
    }

    fn into_files(self) -> Vec<Rendered> {
        self.files.into_inner().unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self, rel: &str, out: Output<'_>) -> Result<()> {
        let bytes = match out {
            Output::Text(text) if self.preview && rel.ends_with(".html") => preview::inject(text).into_bytes(),
            Output::Text(text) => text.into_bytes(),
            Output::Bytes(bytes) => bytes.to_vec(),
            Output::Copy(from) | Output::Cached(from) => {
                std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?
            }
        };
        self.files.lock().unwrap_or_else(PoisonError::into_inner).push((rel.to_owned(), bytes));
        Ok(())
    }
}

/// Where the book read from `path` is in `books`. Its id (the file's stem) is compared
/// first: comparing 100,000 paths component by component was tens of milliseconds.
fn place_of(books: &[Book], path: &Path) -> Option<usize> {
    let stem = path.file_stem()?;
    books.iter().position(|b| b.id.as_str() == stem && b.path == path)
}

/// Puts each book in the catalog in place of the one read from the same file (`None`
/// removes it), keeping catalog order. Returns what it replaced, in the same shape, so
/// that swapping that in undoes it.
fn swap_in(books: &mut Vec<Book>, changes: Vec<(PathBuf, Option<Book>)>) -> Vec<(PathBuf, Option<Book>)> {
    let mut previous = Vec::with_capacity(changes.len());
    for (path, book) in changes {
        let old = match (place_of(books, &path), book) {
            // In place: an edit that keeps the book between its neighbours needs no move.
            (Some(i), Some(book)) if fits(books, i, &book) => Some(std::mem::replace(&mut books[i], book)),
            (place, book) => {
                let old = place.map(|i| books.remove(i));
                if let Some(book) = book {
                    insert_sorted(books, book);
                }
                old
            }
        };
        previous.push((path, old));
    }
    previous
}

/// Whether `book` can take place `i` of the sorted `books` and keep them sorted.
fn fits(books: &[Book], i: usize, book: &Book) -> bool {
    let after_previous = i == 0 || content::catalog_order(&books[i - 1], book).is_le();
    let before_next = books.get(i + 1).is_none_or(|next| content::catalog_order(book, next).is_le());
    after_previous && before_next
}

/// Puts `book` in its place among the sorted `books` (sorting all again was tens of
/// milliseconds at 100,000 books).
fn insert_sorted(books: &mut Vec<Book>, book: Book) {
    let at = books.partition_point(|b| content::catalog_order(b, &book).is_lt());
    books.insert(at, book);
}

/// What each list page shows, as one number: its place, its tag and its books' versions.
fn fingerprints(books: &[Book], pages: &[ListPage<'_>]) -> Vec<u64> {
    pages
        .iter()
        .map(|page| {
            let mut h = Fnv1a::default();
            page.url.hash(&mut h);
            page.tag.hash(&mut h);
            page.paginator.hash(&mut h);
            for &i in &page.books {
                // Its id (the file's name) and the digest of its whole file: between them,
                // they change with anything a list shows of the book.
                books[i].id.hash(&mut h);
                h.write_u64(books[i].body.digest);
            }
            h.finish()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_sorted_by_what_they_touch() {
        let root = &Layout::new("/shop");
        let p = |s: &str| root.root().join(s);
        assert_eq!(classify(root, &[p("content/books/a.md")]), Change::Books(vec![p("content/books/a.md")]));
        for book in ["content/books/a.markdown", "content/books/a.MD", "content/books/a.Markdown"] {
            assert_eq!(classify(root, &[p(book)]), Change::Books(vec![p(book)]), "{book}");
        }
        let template = p("themes/default/templates/book.html");
        assert_eq!(classify(root, &[p("content/books/a.md"), template.clone()]), Change::Site(template));
        assert_eq!(classify(root, &[p("content/site.toml")]), Change::Site(p("content/site.toml")));
        assert_eq!(classify(root, &[p("content/books/a.jpg")]), Change::Site(p("content/books/a.jpg")));
        for junk in [
            "content/books/.a.md.swp",
            "content/books/a.md~",
            "content/books/4913",
            "content/books/.#a.md",
            "content/books/sedX1",
        ] {
            assert_eq!(classify(root, &[p(junk)]), Change::Nothing, "{junk}");
        }
        assert_eq!(classify(root, &[p("public/index.html")]), Change::Nothing);
    }
}
