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
use crate::listing;
use crate::markdown;
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
    currency: &'static str,
    publishable_key: &'a str,
    stripe_js: &'static str,
    endpoint: &'static str,
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
    tags: &'a [String],
    tag_links: Vec<TagLink<'a>>,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    json_ld: Option<String>,
}

/// A tag as templates see it (`tag` on a tag's list).
#[derive(Serialize)]
struct TagView<'a> {
    name: &'a str,
    url: String,
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
    for (name, path) in &theme.templates {
        match std::fs::read_to_string(path) {
            Ok(text) => sources.push((name.clone(), text)),
            Err(e) => problems.push(Diagnostic::new(path, format!("cannot read the template: {e}"))),
        }
    }
    for required in REQUIRED_TEMPLATES {
        if !theme.templates.contains_key(*required) {
            problems.push(
                Diagnostic::new(std::path::Path::new("templates"), format!("the theme has no `{required}`"))
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
            .map_or_else(|| std::path::PathBuf::from("templates"), |(_, path)| path.clone());
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
fn cover_of(book: &Book) -> (String, u32, u32) {
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
        tags: &book.tags,
        tag_links: book.tags.iter().map(|name| TagLink { name, url: listing::tag_url(name) }).collect(),
        summary: &book.summary,
        description_html,
        json_ld: None,
    }
}

/// The price list for these books.
pub fn price_list(books: &[Book]) -> PriceList {
    let entries: BTreeMap<String, PriceListEntry> = books
        .iter()
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

/// Renders every page and file of the site, handing each to `write(path, bytes)`.
pub fn render_site(
    config: &Config,
    books: &[Book],
    tera: &Tera,
    assets: &Assets,
    write: &(dyn Fn(&str, Output<'_>) -> Result<()> + Sync),
) -> Result<usize> {
    let site = SiteView {
        title: &config.title,
        description: &config.description,
        base_url: &config.base_url,
        currency: config.currency.code(),
        publishable_key: &config.publishable_key,
        stripe_js: STRIPE_JS_URL,
        endpoint: ENDPOINT,
    };
    let base = {
        let mut context = Context::new();
        context.insert("site", &site);
        context
    };
    let page = |template: &str, url: &str, extra: &dyn Fn(&mut Context)| -> Result<String> {
        let mut context = base.clone();
        context.insert("page_url", url);
        extra(&mut context);
        tera.render(template, &context)
            .map_err(|e| anyhow!("{}", error_chain(&e)))
            .with_context(|| format!("cannot render {url} with template {template}"))
    };

    let mut pages = 0;
    // The catalog and each tag: `index.html` with `books` (this page's), `paginator`, and for
    // a tag list `tag` ({name, url}). Views are made once and shared by every list.
    let views: Vec<BookView<'_>> = books.iter().map(|b| view(b, None)).collect();
    let mut lists: Vec<(Option<TagView<'_>>, Vec<&BookView<'_>>)> = vec![(None, views.iter().collect())];
    for tag in listing::tags(books) {
        let members = tag.books.iter().map(|&i| &views[i]).collect();
        lists.push((Some(TagView { name: tag.name, url: tag.url }), members));
    }
    let list_pages: Vec<_> = lists
        .iter()
        .flat_map(|(tag, members)| {
            let base = tag.as_ref().map_or("/", |t| t.url.as_str());
            listing::paginate(base, members.len(), config.per_page)
                .into_iter()
                .map(move |(range, paginator)| (tag, &members[range], paginator, base))
        })
        .collect();
    list_pages.par_iter().try_for_each(|(tag, members, paginator, base)| -> Result<()> {
        let url = listing::page_url(base, paginator.number);
        let html = page("index.html", &url, &|c| {
            c.insert("books", members);
            c.insert("paginator", paginator);
            if let Some(tag) = tag {
                c.insert("tag", tag);
            }
        })?;
        write(&format!("{}index.html", url.trim_start_matches('/')), Output::Text(html))
    })?;
    pages += list_pages.len();
    // Book pages are independent: render and write them on every core. Each page's context
    // holds only its own book, never the catalog.
    books.par_iter().try_for_each(|book| -> Result<()> {
        let url = book.url();
        let mut one = view(book, Some(markdown::to_html(&book.body)));
        one.json_ld = Some(structured::book_json_ld(config, book, &one.cover_url));
        write(
            &format!("books/{}/index.html", book.id),
            Output::Text(page("book.html", &url, &|c| c.insert("book", &one))?),
        )?;
        match &book.cover {
            Some(cover) => write(cover_of(book).0.trim_start_matches('/'), Output::Copy(&cover.path)),
            None => write(
                &format!("covers/{}.svg", book.id),
                Output::Text(cover::draw(&book.id, &book.title, &book.author)),
            ),
        }
    })?;
    pages += books.len();
    for (template, url, file) in [
        ("cart.html", "/cart/", "cart/index.html"),
        ("order.html", "/order/", "order/index.html"),
        ("404.html", "/404.html", "404.html"),
    ] {
        write(file, Output::Text(page(template, url, &|_| {})?))?;
        pages += 1;
    }
    let prices = serde_json::to_string(&price_list(books)).context("cannot write the price list")?;
    write("catalog.json", Output::Text(prices))?;
    write("_headers", Output::Text(headers::render()))?;
    write("sitemap.xml", Output::Text(feeds::sitemap(config, books)))?;
    write("robots.txt", Output::Text(feeds::robots(config)))?;
    write("atom.xml", Output::Text(feeds::atom(config, books)))?;
    // Each static file twice, from the bytes read once: fingerprinted for `asset()` (cached
    // for a year), and under its own name for themes that link it directly (cached briefly).
    for (rel, asset) in &assets.files {
        write(asset.url.trim_start_matches('/'), Output::Bytes(&asset.bytes))?;
        write(&format!("static/{rel}"), Output::Bytes(&asset.bytes))?;
    }
    Ok(pages)
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
