//! Rendering the site with Tera: each page gets the site settings and only what it shows.

use anyhow::{anyhow, Context as _, Result};
use catalog::{PageContract, STRIPE_JS_URL};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Map, Tera, Value};

use crate::assets::Assets;
use crate::catalog_files::CatalogFiles;
use crate::config::{Config, StripeJs};
use crate::content::Book;
use crate::cover;
use crate::diagnostic::Diagnostic;
use crate::feeds;
use crate::headers;
use crate::imageproc::{Format, Variant};
use crate::layout;
use crate::listing::{self, ListPage};
use crate::markdown;
use crate::search;
use crate::site::Site;
use crate::structured;
use crate::theme::{Theme, REQUIRED_TEMPLATES};

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
    /// Whether every page loads Stripe.js (`[checkout] stripe_js = "every_page"`), or only
    /// the pages that take a payment (base.html's `stripe_js` block, which they override).
    stripe_js_every_page: bool,
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
    #[serde(flatten)]
    cover: CoverView,
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
    /// A drawn cover's SVG, to put in the page as it is: no file per book, so a large shop
    /// stays within a deployment's file limit. Absent for an editor's cover. Drawn for each
    /// page that shows it, never kept for the whole catalog (1.5 KB a book).
    #[serde(skip_serializing_if = "Option::is_none")]
    cover_svg: Option<String>,
    /// Whether the cover is drawn (`cover_svg`): what templates test, since tera escapes a
    /// string it tests, and a card's SVG is 1.5 KB (a fifth of a list page's rendering).
    cover_drawn: bool,
}

/// A book on a list page (`books`): its view, shared by every list it is on, and its drawn
/// cover's SVG (`cover_svg`), drawn for this page and moved in, not copied (1.5 KB).
fn card(view: &BookView<'_>, cover_svg: Option<String>) -> Result<Value> {
    let mut card = tera::to_value(view)?;
    if let (Value::Object(fields), Some(svg)) = (&mut card, cover_svg) {
        fields.insert("cover_svg".to_owned(), Value::String(svg));
    }
    Ok(card)
}

/// The SVG of a book's drawn cover; `None` for a book with a cover file.
fn drawn_cover(book: &Book) -> Option<String> {
    book.cover.is_none().then(|| cover::draw(&book.id, &book.title, &book.author))
}

/// A book's cover as templates see it: fields of the book (documented in docs/themes.md).
#[derive(Serialize)]
struct CoverView {
    /// The largest image every browser shows (the book page's `src`).
    cover_url: String,
    cover_width: u32,
    cover_height: u32,
    cover_type: &'static str,
    /// The smallest such image (a catalog card's `src`).
    cover_small_url: String,
    /// `srcset` of the images every browser shows; absent for an SVG.
    cover_srcset: Option<String>,
    /// `srcset` of the WebP images, for `<source type="image/webp">`; absent for an SVG.
    cover_webp_srcset: Option<String>,
    /// The link-preview image (`og:image`): a raster every social network accepts.
    og_image: OgImage,
}

/// `og:image` and its size.
#[derive(Serialize)]
struct OgImage {
    url: String,
    width: u32,
    height: u32,
    #[serde(rename = "type")]
    mime: &'static str,
}

/// `url 360w, url 720w`.
fn srcset<'v>(variants: impl Iterator<Item = &'v Variant>) -> Option<String> {
    let list: Vec<String> = variants.map(|v| format!("{} {}w", v.url(), v.width)).collect();
    (!list.is_empty()).then(|| list.join(", "))
}

/// The site-wide link-preview image in the colours of the book's drawn cover.
fn share_image(id: &str) -> OgImage {
    OgImage {
        url: format!("/{}", cover::share_file(cover::palette_of(id))),
        width: cover::SHARE_WIDTH,
        height: cover::SHARE_HEIGHT,
        mime: Format::Png.mime(),
    }
}

fn cover_view(book: &Book) -> CoverView {
    let Some(cover) = &book.cover else {
        let og_image = share_image(&book.id);
        return CoverView {
            cover_small_url: og_image.url.clone(),
            cover_url: og_image.url.clone(),
            cover_width: cover::WIDTH,
            cover_height: cover::HEIGHT,
            cover_type: Format::Svg.mime(),
            cover_srcset: None,
            cover_webp_srcset: None,
            og_image,
        };
    };
    let fallbacks: Vec<&Variant> = cover.fallbacks().collect();
    let (small, large) = (fallbacks[0], fallbacks[fallbacks.len() - 1]);
    let raster = large.format != Format::Svg;
    CoverView {
        cover_url: large.url(),
        cover_width: large.width,
        cover_height: large.height,
        cover_type: large.format.mime(),
        cover_small_url: small.url(),
        cover_srcset: srcset(cover.fallbacks()).filter(|_| raster),
        cover_webp_srcset: srcset(cover.in_format(Format::Webp)),
        og_image: if raster {
            OgImage { url: large.url(), width: large.width, height: large.height, mime: large.format.mime() }
        } else {
            share_image(&book.id)
        },
    }
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

fn view<'a>(book: &'a Book, description_html: Option<String>) -> BookView<'a> {
    BookView {
        id: &book.id,
        title: &book.title,
        author: &book.author,
        url: book.url(),
        cover: cover_view(book),
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
        cover_svg: None,
        cover_drawn: book.cover.is_none(),
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

/// Where every rendered file goes: `write(site-relative path, content)`, from any thread.
pub type Write<'w> = dyn Fn(&str, Output<'_>) -> Result<()> + Sync + 'w;

/// Renders pages with the site's settings. Made once per build, shared by every thread.
pub struct Renderer<'a> {
    config: &'a Config,
    tera: &'a Tera,
    /// `site` and `shop`, which every page gets.
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
            stripe_js_every_page: config.stripe_js == StripeJs::EveryPage,
            search_index: search::MANIFEST_URL,
            search_page: search::PAGE_URL,
        };
        let mut base = Context::new();
        base.insert("site", &site);
        // What the pages' scripts share with the worker: `base.html` prints it as `data-shop`.
        base.insert("shop", &PageContract::current());
        Renderer { config, tera, base }
    }

    /// Whether the theme has this template (optional ones, such as `search.html`).
    pub(crate) fn has(&self, template: &str) -> bool {
        self.tera.get_template_names().any(|name| name == template)
    }

    pub(crate) fn page(&self, template: &str, url: &str, extra: &dyn Fn(&mut Context)) -> Result<String> {
        let mut context = self.base.clone();
        extra(&mut context);
        self.render(template, url, context, 0)
    }

    /// `template` with `context` and `page_url`, into a buffer of `capacity` bytes: a list
    /// page grown from Tera's 2 KB by doubling was copied four times, each time into memory
    /// not yet touched.
    fn render(&self, template: &str, url: &str, mut context: Context, capacity: usize) -> Result<String> {
        context.insert("page_url", url);
        let mut out = Vec::with_capacity(capacity.max(2000));
        self.tera
            .render_to(template, &context, &mut out)
            .map_err(|e| anyhow!("{}", error_chain(&e)))
            .with_context(|| format!("cannot render {url} with template {template}"))?;
        String::from_utf8(out).with_context(|| format!("{url} is not UTF-8"))
    }

    /// The given pages of the catalog and tag lists (`index.html` with `books`, `paginator`,
    /// and on a tag's list `tag`), on every core. Each book's view is made once, however
    /// many lists show it.
    pub fn lists(&self, books: &[Book], pages: &[&ListPage<'_>], write: &Write<'_>) -> Result<()> {
        // Each shown book's view once, by its place: only those of these pages (a rebuild
        // renders a few of 100,000 books' lists; a slot for every book was most of its time).
        // By book, its view's place in `views` (u32::MAX: not shown): four bytes a book.
        let mut slot = vec![u32::MAX; books.len()];
        // Sized once: grown by doubling, 100,000 views would briefly be held twice.
        let most = pages.iter().map(|p| p.books.len()).sum::<usize>().min(books.len());
        let mut views: Vec<BookView<'_>> = Vec::with_capacity(most);
        for &i in pages.iter().flat_map(|p| &p.books) {
            if slot[i] == u32::MAX {
                slot[i] = views.len() as u32;
                views.push(view(&books[i], None));
            }
        }
        let largest = AtomicUsize::new(0);
        pages.par_iter().try_for_each(|list| -> Result<()> {
            let mut members = Vec::with_capacity(list.books.len());
            for &i in &list.books {
                let Some(book) = views.get(slot[i] as usize) else { continue };
                members.push(card(book, drawn_cover(&books[i]))?);
            }
            let mut values = Map::new();
            values.insert("books".to_owned(), Value::Array(members));
            values.insert("paginator".to_owned(), tera::to_value(&list.paginator)?);
            if let Some(tag) = &list.tag {
                values.insert("tag".to_owned(), tera::to_value(tag)?);
            }
            // Moved in as they are: `Context::insert` would copy the cards once more.
            let mut context = self.base.clone();
            context.extend(Context::from_value(Value::Object(values))?);
            // Room for the largest list page so far and what the watcher adds to its head.
            let html = self.render("index.html", &list.url, context, largest.load(Ordering::Relaxed))?;
            largest.fetch_max(html.len() + LIST_PAGE_SLACK, Ordering::Relaxed);
            write(&list.file(), Output::Text(html))
        })
    }

    /// A book's page and its cover's files. The page's context holds only its own book, never the catalog.
    pub fn book(&self, book: &Book, write: &Write<'_>) -> Result<()> {
        let url = book.url();
        let image_url = |src: &str| book.images.iter().find(|i| i.src == src).map(|i| format!("/{}", i.file(&book.id)));
        let mut one = view(book, Some(markdown::to_html(&book.description()?, &image_url)));
        one.json_ld = Some(structured::book_json_ld(self.config, book, &one.cover.cover_url));
        one.cover_svg = drawn_cover(book);
        write(&book_file(book), Output::Text(self.page("book.html", &url, &|c| c.insert("book", &one))?))?;
        for image in &book.images {
            write(&image.file(&book.id), Output::Copy(&image.path))?;
        }
        // A drawn cover is drawn into the pages that show it; an editor's has its files.
        let variants = book.cover.iter().flat_map(|cover| &cover.variants);
        variants.into_iter().try_for_each(|v| match v.format {
            Format::Svg => write(&v.file, Output::Copy(&v.source)),
            _ => write(&v.file, Output::Cached(&v.source)),
        })
    }

    /// The pages that show no book: the cart, the order confirmation and 404.
    pub fn fixed_pages(&self, write: &Write<'_>) -> Result<()> {
        for (template, url, file) in FIXED_PAGES {
            write(file, Output::Text(self.page(template, url, &|_| {})?))?;
        }
        Ok(())
    }
}

/// Bytes a list page's buffer has beyond the largest page so far: room for the preview
/// script's tag ([`crate::preview::inject`]) and a page a little longer than the others.
const LIST_PAGE_SLACK: usize = 1024;

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

/// Every file a book's page brings, site-relative: the page, its cover's files and the
/// images of its description.
pub fn book_files(book: &Book) -> Vec<String> {
    let mut files = vec![book_file(book)];
    files.extend(cover_files(book));
    files.extend(book.images.iter().map(|i| i.file(&book.id)));
    files
}

/// A book's cover files, site-relative: each processed image of an editor's cover (a
/// drawn cover is in its pages, not a file).
pub fn cover_files(book: &Book) -> Vec<String> {
    match &book.cover {
        Some(cover) => cover.variants.iter().map(|v| v.file.clone()).collect(),
        None => Vec::new(),
    }
}

/// The price list's `cover` (the cart's thumbnail): the smallest image of an editor's
/// cover; empty for a drawn one, which has no file (the cart shows a plain cover).
pub(crate) fn price_list_cover(book: &Book) -> String {
    match &book.cover {
        Some(cover) => cover.variants.first().map(Variant::url).unwrap_or_default(),
        None => String::new(),
    }
}

/// The files made from the whole catalog and its `tags`: the price list, the sitemap and the feed.
pub fn catalog_files(config: &Config, books: &[Book], tags: &[listing::TagView<'_>], write: &Write<'_>) -> Result<()> {
    let files = CatalogFiles::new(config, books)?;
    files.write_price_list(config, books, 0..files.count(), write)?;
    for (file, xml) in files.sitemaps(config, tags.iter().map(|t| t.url.as_str())) {
        write(&file, Output::Text(xml))?;
    }
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
    // Listed once for the sitemap and the search page: every book's tags, slugged.
    let tags = listing::tag_views(books);
    catalog_files(config, books, &tags, write)?;
    let search_pages = search::write(&renderer, books, &tags, terms, write)?;
    write("_headers", Output::Text(headers::render()))?;
    write("robots.txt", Output::Text(feeds::robots(config)))?;
    // The link-preview images of drawn covers: one per palette, not one per book.
    for palette in 0..cover::PALETTE_COUNT {
        write(&cover::share_file(palette), Output::Bytes(&cover::share_png(palette)))?;
    }
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
    /// A file of the image cache, which never changes in place: linked where possible.
    Cached(&'a std::path::Path),
    /// Bytes already read.
    Bytes(&'a [u8]),
}
