//! Rendering the site with Tera: each page gets the site settings and only what it shows.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context as _, Result};
use catalog::{PriceList, PriceListEntry, STRIPE_JS_URL};
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::assets::Assets;
use crate::config::Config;
use crate::content::Book;
use crate::cover;
use crate::diagnostic::Diagnostic;
use crate::feeds;
use crate::headers;
use crate::layout;
use crate::listing::{self, ListPage};
use crate::markdown;
use crate::search;
use crate::site::Site;
use crate::structured;
use crate::theme::{Theme, REQUIRED_TEMPLATES};

/// The endpoint the checkout page calls (served by the worker).
pub const ENDPOINT: &str = "/api/payment-intent";

/// What every template receives as `site`.
#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    lang: &'a str,
    currency: &'static str,
    publishable_key: &'a str,
    stripe_js: &'static str,
    endpoint: &'static str,
    search_index: &'static str,
    search_page: &'static str,
}

/// A book as templates see it (documented in docs/themes.md).
#[derive(Serialize)]
struct BookView<'a> {
    id: &'a str,
    title: &'a str,
    author: &'a str,
    url: String,
    cover_url: String,
    cover_width: u32,
    cover_height: u32,
    price: String,
    price_display: String,
    amount: u64,
    currency: &'static str,
    available: bool,
    isbn: Option<&'a str>,
    published: Option<&'a str>,
    published_display: Option<String>,
    tags: &'a [String],
    tag_links: Vec<TagLink<'a>>,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    json_ld: Option<String>,
}

/// A link to a tag's list, on a book (`tag_links`).
#[derive(Serialize)]
struct TagLink<'a> {
    name: &'a str,
    url: String,
}

/// Compiles the theme's templates once. Errors name the template file.
pub fn compile(theme: &Theme, assets: &Assets) -> Result<Tera, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut sources = Vec::new();
    for (name, source) in &theme.templates {
        match source.read_to_string() {
            Ok(text) => sources.push((name.clone(), text)),
            Err(e) => problems.push(Diagnostic::new(&source.path(), format!("cannot read the template: {e}"))),
        }
    }
    for required in REQUIRED_TEMPLATES {
        if !theme.templates.contains_key(*required) {
            problems.push(
                Diagnostic::new(std::path::Path::new(layout::TEMPLATES), format!("the theme has no `{required}`"))
                    .help("add it to the theme's templates/ folder or the site's templates/ folder"),
            );
        }
    }
    let mut tera = Tera::default();
    tera.register_function("asset", assets.tera_function());
    // `/` stays as written in URLs; everything that matters in HTML is escaped.
    tera.set_escape_fn(crate::escape::xml);
    tera.autoescape_on(vec![".html", ".xml"]);
    if let Err(e) = tera.add_raw_templates(sources) {
        // Tera names the template ('404.html'); report the file that won the lookup for it.
        let message = e.to_string();
        let path = theme
            .templates
            .iter()
            .find(|(name, _)| message.contains(&format!("'{name}'")))
            .map_or_else(|| std::path::PathBuf::from(layout::TEMPLATES), |(_, source)| source.path());
        problems.push(Diagnostic::new(&path, error_chain(&e)));
    }
    if problems.is_empty() {
        Ok(tera)
    } else {
        Err(problems)
    }
}

/// Tera's error with every cause, which is where it says the line and what is wrong.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str("\n  reason: ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Where a book's cover ends up in the site, and its size.
pub(crate) fn cover_of(book: &Book) -> (String, u32, u32) {
    match &book.cover {
        Some(cover) => {
            let name = cover.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (format!("/covers/{}-{name}", book.id), cover.width, cover.height)
        }
        None => (format!("/covers/{}.svg", book.id), cover::WIDTH, cover::HEIGHT),
    }
}

fn view<'a>(book: &'a Book, description_html: Option<String>) -> BookView<'a> {
    let (cover_url, cover_width, cover_height) = cover_of(book);
    BookView {
        id: &book.id,
        title: &book.title,
        author: &book.author,
        url: book.url(),
        cover_url,
        cover_width,
        cover_height,
        price: book.currency.to_decimal(book.amount),
        price_display: book.currency.display(book.amount),
        amount: book.amount,
        currency: book.currency.code(),
        available: book.available,
        isbn: book.isbn.as_deref(),
        published: book.published.as_deref(),
        published_display: book.published.as_deref().map(date_in_words),
        tags: &book.tags,
        tag_links: book.tags.iter().map(|name| TagLink { name, url: listing::tag_url(name) }).collect(),
        summary: &book.summary,
        description_html,
        json_ld: None,
    }
}

/// `2020-05-26` → `26 May 2020`: a date no reader misreads, whatever their country's order.
fn date_in_words(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut parts = date.splitn(3, '-');
    let (year, month, day) = (parts.next(), parts.next(), parts.next());
    match (year, month.and_then(|m| m.parse::<usize>().ok()), day.and_then(|d| d.parse::<u32>().ok())) {
        (Some(year), Some(month @ 1..=12), Some(day)) => format!("{day} {} {year}", MONTHS[month - 1]),
        _ => date.to_owned(),
    }
}

/// The price list for these books.
pub fn price_list(books: &[Book]) -> PriceList {
    // Sorted by id as references first: the map then takes its entries already in order,
    // where sorting the entries themselves would move every one of them several times.
    let mut by_id: Vec<&Book> = books.iter().collect();
    by_id.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    let entries: BTreeMap<String, PriceListEntry> = by_id
        .into_iter()
        .map(|book| {
            let entry = PriceListEntry {
                title: book.title.clone(),
                author: book.author.clone(),
                amount: book.amount,
                currency: book.currency,
                available: book.available,
                url: book.url(),
                cover: cover_of(book).0,
            };
            (book.id.clone(), entry)
        })
        .collect();
    PriceList::new(entries)
}

/// Where every rendered file goes: `write(site-relative path, content)`, from any thread.
pub type Write<'w> = dyn Fn(&str, Output<'_>) -> Result<()> + Sync + 'w;

/// Renders pages with the site's settings. Made once per build, shared by every thread.
pub struct Renderer<'a> {
    config: &'a Config,
    tera: &'a Tera,
    /// `site`, which every page gets.
    base: Context,
}

impl<'a> Renderer<'a> {
    /// A renderer for this site's settings and templates.
    pub fn new(config: &'a Config, tera: &'a Tera) -> Renderer<'a> {
        let site = SiteView {
            title: &config.title,
            description: &config.description,
            base_url: &config.base_url,
            lang: &config.lang,
            currency: config.currency.code(),
            publishable_key: &config.publishable_key,
            stripe_js: STRIPE_JS_URL,
            endpoint: ENDPOINT,
            search_index: search::MANIFEST_URL,
            search_page: search::PAGE_URL,
        };
        let mut base = Context::new();
        base.insert("site", &site);
        Renderer { config, tera, base }
    }

    /// Whether the theme has this template (optional ones, such as `search.html`).
    pub(crate) fn has(&self, template: &str) -> bool {
        self.tera.get_template_names().any(|name| name == template)
    }

    pub(crate) fn page(&self, template: &str, url: &str, extra: &dyn Fn(&mut Context)) -> Result<String> {
        let mut context = self.base.clone();
        context.insert("page_url", url);
        extra(&mut context);
        self.tera
            .render(template, &context)
            .map_err(|e| anyhow!("{}", error_chain(&e)))
            .with_context(|| format!("cannot render {url} with template {template}"))
    }

    /// The given pages of the catalog and tag lists (`index.html` with `books`, `paginator`,
    /// and on a tag's list `tag`), on every core. Each book's view is made once, however
    /// many lists show it.
    pub fn lists(&self, books: &[Book], pages: &[&ListPage<'_>], write: &Write<'_>) -> Result<()> {
        let mut views: Vec<Option<BookView<'_>>> = Vec::new();
        views.resize_with(books.len(), || None);
        for &i in pages.iter().flat_map(|p| &p.books) {
            if views[i].is_none() {
                views[i] = Some(view(&books[i], None));
            }
        }
        pages.par_iter().try_for_each(|list| -> Result<()> {
            let members: Vec<&BookView<'_>> = list.books.iter().filter_map(|&i| views[i].as_ref()).collect();
            let html = self.page("index.html", &list.url, &|c| {
                c.insert("books", &members);
                c.insert("paginator", &list.paginator);
                if let Some(tag) = &list.tag {
                    c.insert("tag", tag);
                }
            })?;
            write(&list.file(), Output::Text(html))
        })
    }

    /// A book's page and its cover. The page's context holds only its own book, never the catalog.
    pub fn book(&self, book: &Book, write: &Write<'_>) -> Result<()> {
        let url = book.url();
        let image_url = |src: &str| book.images.iter().find(|i| i.src == src).map(|i| format!("/{}", i.file(&book.id)));
        let mut one = view(book, Some(markdown::to_html(&book.body, &image_url)));
        one.json_ld = Some(structured::book_json_ld(self.config, book, &one.cover_url));
        write(&book_file(book), Output::Text(self.page("book.html", &url, &|c| c.insert("book", &one))?))?;
        for image in &book.images {
            write(&image.file(&book.id), Output::Copy(&image.path))?;
        }
        match &book.cover {
            Some(cover) => write(&cover_file(book), Output::Copy(&cover.path)),
            None => write(&cover_file(book), Output::Text(cover::draw(&book.id, &book.title, &book.author))),
        }
    }

    /// The pages that show no book: the cart, the order confirmation and 404.
    pub fn fixed_pages(&self, write: &Write<'_>) -> Result<()> {
        for (template, url, file) in FIXED_PAGES {
            write(file, Output::Text(self.page(template, url, &|_| {})?))?;
        }
        Ok(())
    }
}

/// The pages without books: (template, URL, file).
const FIXED_PAGES: [(&str, &str, &str); 3] = [
    ("cart.html", "/cart/", "cart/index.html"),
    ("order.html", "/order/", "order/index.html"),
    ("404.html", "/404.html", "404.html"),
];

/// A book's page, site-relative.
pub fn book_file(book: &Book) -> String {
    format!("books/{}/index.html", book.id)
}

/// Every file a book's page brings, site-relative: the page, its cover and the images of
/// its description.
pub fn book_files(book: &Book) -> Vec<String> {
    let mut files = vec![book_file(book), cover_file(book)];
    files.extend(book.images.iter().map(|i| i.file(&book.id)));
    files
}

/// A book's cover, site-relative.
pub fn cover_file(book: &Book) -> String {
    cover_of(book).0.trim_start_matches('/').to_owned()
}

/// The files made from the whole catalog: the price list, the sitemap and the feed.
pub fn catalog_files(config: &Config, books: &[Book], write: &Write<'_>) -> Result<()> {
    let prices = serde_json::to_string(&price_list(books)).context("cannot write the price list")?;
    write("catalog.json", Output::Text(prices))?;
    write("sitemap.xml", Output::Text(feeds::sitemap(config, books)))?;
    write("atom.xml", Output::Text(feeds::atom(config, books)))
}

/// Renders every page and file of the site, handing each to `write(path, bytes)`.
/// Returns the number of HTML pages.
pub fn render_site(site: &Site, write: &Write<'_>) -> Result<usize> {
    let Site { config, books, tera, assets, search: terms, .. } = site;
    let renderer = Renderer::new(config, tera);
    let lists = listing::pages(books, config.per_page);
    renderer.lists(books, &lists.iter().collect::<Vec<_>>(), write)?;
    // Book pages are independent: render and write them on every core.
    books.par_iter().try_for_each(|book| renderer.book(book, write))?;
    renderer.fixed_pages(write)?;
    catalog_files(config, books, write)?;
    let search_pages = search::write(&renderer, books, terms, write)?;
    write("_headers", Output::Text(headers::render()))?;
    write("robots.txt", Output::Text(feeds::robots(config)))?;
    // Each static file twice, from the bytes read once: fingerprinted for `asset()` (cached
    // for a year), and under its own name for themes that link it directly (cached briefly).
    for (rel, asset) in &assets.files {
        write(asset.url.trim_start_matches('/'), Output::Bytes(&asset.bytes))?;
        write(&format!("static/{rel}"), Output::Bytes(&asset.bytes))?;
    }
    Ok(lists.len() + books.len() + FIXED_PAGES.len() + search_pages)
}

/// One file of the site: rendered text, or a file copied as is.
pub enum Output<'a> {
    /// Rendered content.
    Text(String),
    /// A file to copy.
    Copy(&'a std::path::Path),
    /// Bytes already read.
    Bytes(&'a [u8]),
}
