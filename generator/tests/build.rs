//! The generator on small real sites built in temporary folders, with the shop's own theme.

use std::fs;
use std::path::{Path, PathBuf};

use generator::cmd;
use generator::content::Drafts;
use generator::layout::Layout;
use tempfile::TempDir;

mod common;

/// A site with the repository's default theme and the given books.
struct Site {
    dir: TempDir,
}

impl Site {
    fn new() -> Site {
        let site = Site::bare();
        common::copy_default_theme(site.root());
        site
    }

    /// A site with only `content/`: no `themes/`, no overrides.
    fn bare() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(dir.path().join("content/books")).expect("books dir");
        let site = Site { dir };
        site.write(
            "content/site.toml",
            "title = \"Test Press\"\nbase_url = \"https://books.example\"\ncurrency = \"usd\"\n",
        );
        site
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) {
        common::write(self.root(), rel, text);
    }

    fn book(&self, id: &str, front: &str) {
        self.write(&format!("content/books/{id}.md"), &format!("+++\n{front}+++\nA *fine* book.\n"));
    }

    fn output(&self) -> PathBuf {
        self.root().join("public")
    }

    fn build(&self) -> anyhow::Result<generator::site::Summary> {
        cmd::build::run(&Layout::new(self.root()), &self.output(), &common::options(Drafts::Skip))
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.output().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Runs the real `bookshop` in the site's folder: whether it succeeded, and what it
    /// printed, with the file count and milliseconds of its summary line written as `N`.
    fn run(&self, args: &[&str]) -> (bool, String) {
        self.run_with(args, |command| command.current_dir(self.root()).env_remove("STRIPE_PUBLISHABLE_KEY"))
    }

    /// As [`Site::run`], with `setup` choosing the folder and environment.
    fn run_with(
        &self,
        args: &[&str],
        setup: impl FnOnce(&mut std::process::Command) -> &mut std::process::Command,
    ) -> (bool, String) {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bookshop"));
        let out = setup(command.args(args)).output().expect("bookshop runs");
        let stderr = String::from_utf8(out.stderr).expect("UTF-8");
        let lines: Vec<String> = stderr
            .lines()
            .map(|line| match line.split_once(" in ").filter(|_| line.starts_with("Built ")) {
                Some((head, tail)) => {
                    let rest = tail.split_once(" ms").map_or("", |(_, rest)| rest);
                    // The file count changes with every theme file; a test of its own pins it.
                    let head = match head.split_once(" files into ") {
                        Some((counts, place)) => {
                            format!("{} N files into {place}", counts.rsplit_once(' ').map_or(counts, |(c, _)| c))
                        }
                        None => head.to_owned(),
                    };
                    format!("{head} in N ms{rest}")
                }
                None => line.to_owned(),
            })
            .collect();
        (out.status.success(), lines.join("\n"))
    }

    /// Asserts that `bookshop check` fails saying exactly `problem` (its `error:` and
    /// `help:` lines), then the count line.
    fn check_fails_with(&self, problem: &str) {
        assert_eq!(self.run(&["check"]), (false, format!("{problem}\n1 problem found; nothing was written")));
    }

    /// The error text of a failed build.
    fn error(&self) -> String {
        let err = self.build().expect_err("the build should fail");
        format!("{err:#}")
    }
}

const HAMMING: &str = "title = \"The Art of Doing Science and Engineering\"\nauthor = \"Richard Hamming\"\nprice = \"23.00\"\nisbn = \"978-1-7322651-7-2\"\nweight = 1\n";

#[test]
fn a_valid_site_has_every_page_and_the_price_list() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.book("yen-book", "title = \"Yen\"\nauthor = \"A\"\nprice = \"2300\"\ncurrency = \"jpy\"\nweight = 2\n");
    site.book("gone", "title = \"Gone\"\nauthor = \"B\"\nprice = \"10.00\"\navailable = false\nweight = 3\n");
    site.book("secret", "title = \"Draft\"\nauthor = \"C\"\nprice = \"10.00\"\ndraft = true\n");
    let summary = site.build().expect("builds");
    assert_eq!(summary.books, 3);

    for page in ["index.html", "cart/index.html", "order/index.html", "404.html", "books/art-of-doing/index.html"] {
        assert!(site.output().join(page).is_file(), "{page} is written");
    }
    let index = site.read("index.html");
    assert!(index.contains("The Art of Doing Science and Engineering"));
    assert!(index.contains("$23.00"));
    assert!(index.contains("¥2,300"));
    assert!(!index.contains("Draft"), "drafts are never built");

    let book = site.read("books/art-of-doing/index.html");
    assert!(book.contains("<em>fine</em>"), "the description is rendered markdown");
    assert!(book.contains("978-1-7322651-7-2"));
    assert!(book.contains("<link rel=\"canonical\" href=\"https://books.example/books/art-of-doing/\">"), "{book}");
    assert!(book.contains("<meta property=\"og:title\" content=\"The Art of Doing Science and Engineering\">"));
    let ld_start = book.find("<script type=\"application/ld+json\">").expect("JSON-LD") + 35;
    let ld: serde_json::Value =
        serde_json::from_str(&book[ld_start..ld_start + book[ld_start..].find("</script>").expect("end")])
            .expect("valid JSON-LD");
    assert_eq!(ld["@type"], "Book");
    assert_eq!(ld["offers"]["price"], "23.00");
    assert_eq!(ld["offers"]["priceCurrency"], "USD");
    assert_eq!(ld["isbn"], "9781732265172");
    let drawn = generator::cover::draw("art-of-doing", "The Art of Doing Science and Engineering", "Richard Hamming");
    assert!(
        book.contains(&format!("<div class=\"cover cover-drawn\">{drawn}</div>")),
        "a cover is drawn into its page"
    );
    assert!(!site.output().join("covers").exists(), "not a file per book");
    assert!(!site.output().join("books/secret").exists());

    let prices: serde_json::Value = common::price_list(&site.output());
    assert_eq!(prices["version"], 2);
    assert_eq!(prices["origin"], "https://books.example", "base_url's origin, for the worker");
    assert_eq!(prices["books"]["art-of-doing"]["amount"], 2300);
    assert_eq!(prices["books"]["art-of-doing"]["currency"], "usd");
    assert_eq!(prices["books"]["yen-book"]["amount"], 2300);
    assert_eq!(prices["currencies"]["jpy"]["decimals"], 0);
    assert_eq!(prices["books"]["gone"]["available"], false);
    assert!(prices["books"].get("secret").is_none(), "drafts are never sold");
}

#[test]
fn every_page_has_the_search_box_and_the_search_page_leads_to_every_book_without_javascript() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.book("cafe", "title = \"Café Society\"\nauthor = \"Zoë Writer\"\nprice = \"9.00\"\ntags = [\"food\"]\n");
    site.book("carte", "title = \"Carte Blanche\"\nauthor = \"B\"\nprice = \"9.00\"\n");
    site.book("secret", "title = \"Draft\"\nauthor = \"C\"\nprice = \"10.00\"\ndraft = true\n");
    site.build().expect("builds");
    let pages = ["index.html", "cart/index.html", "books/cafe/index.html", "404.html", "search/index.html"];
    for page in pages.into_iter().chain(["search/titles/c/index.html"]) {
        let html = site.read(page);
        assert!(
            html.contains(r#"<form class="site-search" role="search" action="/search/" method="get" data-index="/search/index.json">"#),
            "{page} has the search box"
        );
        assert!(html.contains("/assets/search."), "{page} loads the search script");
    }
    let page = site.read("search/index.html");
    assert!(
        page.contains(r#"<h2>Titles A to Z</h2>
<nav class="az-nav" aria-label="Titles by first letter"><ul><li><a href="/search/titles/c/">C</a></li><li><a href="/search/titles/t/">T</a></li></ul></nav>"#),
        "a page for each first letter: {page}"
    );
    assert!(page.contains(r#"<a href="/tags/food/">food</a>"#), "and every topic");
    let c = site.read("search/titles/c/index.html");
    assert!(c.contains(r#"<li><strong aria-current="page">C</strong></li><li><a href="/search/titles/t/">T</a></li>"#));
    let (cafe, carte) = (c.find(r#"<a href="/books/cafe/">Café Society</a>"#), c.find(r#"<a href="/books/carte/">"#));
    assert!(cafe.expect("Café listed") < carte.expect("Carte listed"), "A–Z by title, accents folded");
    assert!(!c.contains("art-of-doing"), "only its letter's titles");
    assert!(site.read("search/titles/t/index.html").contains(r#"<a href="/books/art-of-doing/">"#));
    assert!(!page.contains("Draft") && !site.output().join("search/titles/d").exists(), "drafts are never listed");

    let manifest: serde_json::Value = serde_json::from_str(&site.read("search/index.json")).expect("json");
    assert_eq!(manifest["books"], 3, "drafts are never indexed");
    let names = site.read(manifest["names"][0][1].as_str().expect("a shard").trim_start_matches('/'));
    assert!(names.contains(r#""cafe":[0,1,"#) && names.contains(r#""zoe":[1,1,"#), "folded: {names}");
    assert!(site.read("_headers").contains("/search/x/*\n  Cache-Control: public, max-age=31536000, immutable\n"));
}

/// A valid 3×5 PNG: signature, IHDR, IDAT of a blank image, IEND.
fn tiny_png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0, 0, 0, 0]); // CRC: size probing does not check it
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&3u32.to_be_bytes());
    ihdr.extend_from_slice(&5u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IEND", &[]);
    png
}

/// A JPEG cover of `width` × `height` pixels: smooth gradients, as a photo.
fn photo(width: u32, height: u32) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 96])
    });
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .expect("a JPEG");
    bytes
}

/// The files under `assets/covers/` whose names start with `prefix`, sorted.
fn cover_files(site: &Site, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(site.output().join("assets/covers"))
        .map(|dir| dir.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.retain(|n| n.starts_with(prefix));
    names.sort();
    names
}

/// The one line of `html` that contains `needle`, trimmed.
fn line_with<'a>(html: &'a str, needle: &str) -> &'a str {
    html.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle} in {html}")).trim()
}

#[test]
fn an_editors_cover_is_served_resized_in_webp_and_jpeg_never_whole_to_a_card() {
    let site = Site::new();
    let original = photo(1000, 1500);
    fs::write(site.root().join("content/books/art.jpg"), &original).expect("write");
    site.book("art-of-doing", &format!("{HAMMING}cover = \"art.jpg\"\n"));
    site.build().expect("builds");
    let files = cover_files(&site, "art-of-doing.");
    assert_eq!(files.len(), 4, "two widths, two formats: {files:?}");
    let hash = files[0].split('.').nth(1).expect("a hash").to_owned();
    let url = |width: u32, ext: &str| format!("/assets/covers/art-of-doing.{hash}.{width}.{ext}");
    assert_eq!(
        files,
        ["360.jpg", "360.webp", "720.jpg", "720.webp"].map(|f| format!("art-of-doing.{hash}.{f}")),
        "named by the hash of their source"
    );
    for (file, format, size) in [
        ("360.webp", image::ImageFormat::WebP, (360, 540)),
        ("360.jpg", image::ImageFormat::Jpeg, (360, 540)),
        ("720.webp", image::ImageFormat::WebP, (720, 1080)),
        ("720.jpg", image::ImageFormat::Jpeg, (720, 1080)),
    ] {
        let bytes = fs::read(site.output().join(format!("assets/covers/art-of-doing.{hash}.{file}"))).expect(file);
        let image = image::load_from_memory_with_format(&bytes, format).expect(file);
        assert_eq!((image.width(), image.height()), size, "{file}");
    }
    let sizes = "(min-width: 40rem) 18rem, (min-width: 30rem) 30vw, 45vw";
    assert_eq!(
        line_with(&site.read("index.html"), "<picture>"),
        format!(
            "<picture><source type=\"image/webp\" srcset=\"{} 360w, {} 720w\" sizes=\"{sizes}\"><img class=\"cover\" \
src=\"{}\" srcset=\"{} 360w, {} 720w\" sizes=\"{sizes}\" width=\"720\" height=\"1080\" alt=\"\" decoding=\"async\"></picture>",
            url(360, "webp"),
            url(720, "webp"),
            url(360, "jpg"),
            url(360, "jpg"),
            url(720, "jpg")
        )
    );
    let book = site.read("books/art-of-doing/index.html");
    let sizes = "(min-width: 48rem) 22rem, 20rem";
    assert_eq!(
        line_with(&book, "<picture>"),
        format!(
            "<picture><source type=\"image/webp\" srcset=\"{} 360w, {} 720w\" sizes=\"{sizes}\"><img class=\"cover\" \
src=\"{}\" srcset=\"{} 360w, {} 720w\" sizes=\"{sizes}\" width=\"720\" height=\"1080\" alt=\"Cover of The Art of Doing \
Science and Engineering\"></picture>",
            url(360, "webp"),
            url(720, "webp"),
            url(720, "jpg"),
            url(360, "jpg"),
            url(720, "jpg")
        )
    );
    let og: Vec<&str> = book.lines().filter(|l| l.starts_with("<meta property=\"og:image")).collect();
    assert_eq!(
        og,
        [
            format!("<meta property=\"og:image\" content=\"https://books.example{}\">", url(720, "jpg")).as_str(),
            "<meta property=\"og:image:type\" content=\"image/jpeg\">",
            "<meta property=\"og:image:width\" content=\"720\">",
            "<meta property=\"og:image:height\" content=\"1080\">",
        ]
    );
    let prices: serde_json::Value = common::price_list(&site.output());
    assert_eq!(prices["books"]["art-of-doing"]["cover"], url(360, "webp"), "the cart's thumbnail is the smallest");
    assert!(!site.output().join("covers/art-of-doing.svg").exists(), "no drawn cover when there is one");
    assert!(!site.output().join("covers").exists(), "the original is not published");
    let card = fs::metadata(site.output().join(&url(360, "webp")[1..])).expect("card image").len();
    assert!(
        card * 10 < original.len() as u64,
        "a card's image, {card} bytes, against the original's {}",
        original.len()
    );
    let headers = site.read("_headers");
    assert!(headers.contains("/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n"), "{headers}");
}

#[test]
fn a_drawn_cover_links_a_share_image_of_its_palette() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.build().expect("builds");
    let book = site.read("books/art-of-doing/index.html");
    let share = generator::cover::share_file(generator::cover::palette_of("art-of-doing"));
    let og: Vec<&str> = book.lines().filter(|l| l.starts_with("<meta property=\"og:image")).collect();
    assert_eq!(
        og,
        [
            format!("<meta property=\"og:image\" content=\"https://books.example/{share}\">").as_str(),
            "<meta property=\"og:image:type\" content=\"image/png\">",
            "<meta property=\"og:image:width\" content=\"1200\">",
            "<meta property=\"og:image:height\" content=\"630\">",
        ]
    );
    let png = fs::read(site.output().join(&share)).expect("the share image is written");
    let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png).expect("a PNG");
    assert_eq!((image.width(), image.height()), (1200, 630));
    let shares = cover_files(&site, "share-");
    assert_eq!(shares.len(), generator::cover::PALETTE_COUNT, "one per palette, however many books: {shares:?}");
    let drawn = generator::cover::draw("art-of-doing", "The Art of Doing Science and Engineering", "Richard Hamming");
    assert_eq!(
        line_with(&site.read("index.html"), "cover-drawn"),
        format!("<div class=\"cover cover-drawn\" aria-hidden=\"true\">{drawn}</div>"),
        "a card's drawn cover is in the page, beside the title it repeats"
    );
    let prices: serde_json::Value = common::price_list(&site.output());
    assert_eq!(prices["books"]["art-of-doing"]["cover"], "", "no file: the cart shows a plain cover");
    let ld = site.read("books/art-of-doing/index.html");
    assert!(ld.contains(&format!("\"image\":\"https://books.example/{share}\"")), "JSON-LD points at a raster");
}

#[test]
fn a_second_build_decodes_no_cover() {
    let site = Site::new();
    fs::write(site.root().join("content/books/art.jpg"), photo(400, 600)).expect("write");
    site.book("art-of-doing", &format!("{HAMMING}cover = \"art.jpg\"\n"));
    let first = site.build().expect("builds");
    assert_eq!((first.covers_made, first.covers_cached), (1, 0));
    assert!(site.root().join(".bookshop-cache/covers/index").is_file(), "the cache is beside content/");
    let files = cover_files(&site, "art-of-doing.");
    let second = site.build().expect("builds");
    assert_eq!((second.covers_made, second.covers_cached), (0, 1), "nothing decoded");
    assert_eq!(cover_files(&site, "art-of-doing."), files, "the same files");
    assert_eq!(
        site.run(&["build"]),
        (true, "Built 1 book, 7 pages, N files into public in N ms (covers: 0 made, 1 from the cache)".to_owned())
    );
    fs::write(site.root().join("content/books/art.jpg"), photo(400, 601)).expect("write");
    let third = site.build().expect("builds");
    assert_eq!((third.covers_made, third.covers_cached), (1, 0), "a changed image is made again");
    assert_ne!(cover_files(&site, "art-of-doing."), files, "under new names");
}

#[test]
fn every_bad_cover_is_reported_at_once_naming_its_file() {
    let site = Site::new();
    let whole = photo(100, 150);
    fs::write(site.root().join("content/books/cut.jpg"), &whole[..whole.len() / 2]).expect("write");
    let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bomb.extend_from_slice(&[0, 0, 0x4e, 0x20, 0, 0, 0x4e, 0x20, 8, 6, 0, 0, 0, 0, 0, 0, 0]);
    fs::write(site.root().join("content/books/bomb.png"), bomb).expect("write");
    fs::write(site.root().join("content/books/art.png"), b"not a png").expect("write");
    site.book("a-cut", &format!("{HAMMING}cover = \"cut.jpg\"\n"));
    site.book("b-bomb", &format!("{HAMMING}cover = \"bomb.png\"\n"));
    site.book("c-text", &format!("{HAMMING}cover = \"art.png\"\n"));
    assert_eq!(
        site.run(&["check"]),
        (
            false,
            "error: content/books/a-cut.md:7: cover `content/books/cut.jpg` is cut short: the JPEG ends before its image does
  help: the file was not copied or downloaded whole: copy it again from where it came from
error: content/books/b-bomb.md:7: cover `content/books/bomb.png` is 20000 × 20000 pixels (400 megapixels), over the 40 megapixels a cover may have
  help: export it at most 1440 pixels wide: a cover is shown at most 720 pixels wide
error: content/books/c-text.md:7: cover `content/books/art.png` is not a JPEG, PNG or WebP image
  help: export it again as JPEG, PNG or WebP
3 problems found; nothing was written"
                .to_owned()
        )
    );
}

#[test]
fn the_catalog_is_paginated_and_each_tag_has_its_list() {
    let site = Site::new();
    site.write("content/site.toml", "title = \"T\"\nper_page = 2\n");
    for i in 1..=5 {
        let tags = if i % 2 == 0 { "[\"Open Source\", \"essays\"]" } else { "[\"open source\"]" };
        site.book(
            &format!("book-{i}"),
            &format!("title = \"Book {i}\"\nauthor = \"A\"\nprice = \"1.00\"\nweight = {i}\ntags = {tags}\n"),
        );
    }
    assert_eq!(
        site.build().expect("builds").pages,
        5 + 3 + 3 + 1 + 3 + 1 + 1,
        "books, catalog pages, tag pages, 3 fixed pages, the search page, the titles in B"
    );
    assert!(site.read("index.html").contains("Book 1") && !site.read("index.html").contains("Book 3"));
    assert!(site.read("page/2/index.html").contains("Book 3"));
    assert!(site.read("page/3/index.html").contains("Book 5"));
    assert!(!site.output().join("page/4").exists());
    // `Open Source` and `open source` are one tag; its list is paginated too.
    assert!(site.read("tags/open-source/index.html").contains("Book 1"));
    assert!(site.read("tags/open-source/page/3/index.html").contains("Book 5"));
    assert!(site.read("tags/essays/index.html").contains("Book 2"));
    let page2 = site.read("page/2/index.html");
    assert!(page2.contains("rel=\"prev\" href=\"/\"") && page2.contains("rel=\"next\" href=\"/page/3/\""), "{page2}");
    assert!(site.read("tags/essays/index.html").contains("Books on essays"));
}

/// The fingerprinted URL `asset(path="shop.css")` gives, read from a page that prints it.
fn shop_css_url(site: &Site) -> String {
    site.build().expect("builds");
    site.read("404.html").trim().to_owned()
}

#[test]
fn static_files_are_fingerprinted_when_and_only_when_they_change() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("templates/404.html", "{{ asset(path=\"shop.css\") }}");
    let first = shop_css_url(&site);
    assert!(first.starts_with("/assets/shop.") && first.ends_with(".css"), "{first}");
    let served = fs::read(site.output().join(first.trim_start_matches('/'))).expect("the fingerprinted file exists");
    let source = fs::read_to_string(site.root().join("themes/default/static/shop.css")).expect("theme css");
    assert_eq!(served, generator::minify::css(&source).expect("the theme's CSS is read to its end").into_bytes());
    assert!(site.output().join("static/shop.css").is_file(), "the plain name stays for themes that use it");

    site.book("another", "title = \"Another\"\nauthor = \"B\"\nprice = \"2.00\"\n");
    assert_eq!(shop_css_url(&site), first, "new content, same css: same name");
    site.write("static/shop.css", "body { color: teal }");
    let changed = shop_css_url(&site);
    assert_ne!(changed, first, "new bytes, new name");
    site.write("static/shop.css", "body { color: teal }");
    assert_eq!(shop_css_url(&site), changed, "same bytes again, same name");

    assert!(site.read("_headers").contains("/assets/*\n  Cache-Control: public, max-age=31536000, immutable"));
    site.write("templates/404.html", "{{ asset(path=\"nope.css\") }}");
    assert_eq!(
        site.run(&["check"]),
        (
            false,
            "cannot render /404.html with template 404.html\n  reason: Failed to render '404.html'\n  \
reason: Function call 'asset' failed\n  reason: asset(path=\"nope.css\"): no such file in the theme's or the site's static/"
                .to_owned()
        )
    );
}

#[test]
fn search_engines_and_feed_readers_get_absolute_urls() {
    let site = Site::new();
    site.book("art-of-doing", &format!("{HAMMING}published = 2020-05-26\n"));
    site.book("b-and-c", "title = \"Tom & Jerry\"\nauthor = \"A\"\nprice = \"1.00\"\n");
    site.build().expect("builds");
    let sitemap = site.read("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://books.example/books/art-of-doing/</loc><lastmod>2020-05-26</lastmod>"),
        "{sitemap}"
    );
    assert!(site.read("robots.txt").contains("Sitemap: https://books.example/sitemap.xml"));
    let atom = site.read("atom.xml");
    assert!(atom.contains("<title>Tom &amp; Jerry</title>"), "{atom}");
    assert!(atom.contains("<updated>2020-05-26T00:00:00Z</updated>"));
    let first_entry = atom.find("<entry>").expect("entries");
    assert!(atom[first_entry..].starts_with("<entry>\n    <title>The Art of Doing"), "newest first: {atom}");
}

#[test]
fn the_checkout_page_loads_stripe_js_from_stripe_only_when_configured() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.build().expect("builds");
    let cart = site.read("cart/index.html");
    assert!(!cart.contains("js.stripe.com"), "no key, no Stripe.js");
    assert!(cart.contains("not configured"), "the page says what to configure");

    site.write("content/site.toml", "title = \"T\"\nstripe_publishable_key = \"pk_test_abc\"\n");
    site.build().expect("builds");
    let cart = site.read("cart/index.html");
    assert!(cart.contains(catalog::STRIPE_JS_URL));
    assert!(cart.contains("pk_test_abc"));
}

/// The pages of a one-book site (with a tag, so a tag page too), each with whether it loads Stripe.js.
fn stripe_js_on(site: &Site) -> Vec<(&'static str, bool)> {
    let tag = "tags/science/index.html";
    [
        "index.html",
        tag,
        "books/art-of-doing/index.html",
        "cart/index.html",
        "order/index.html",
        "search/index.html",
        "404.html",
    ]
    .into_iter()
    .map(|page| {
        let html = site.read(page);
        let tags = html.matches("js.stripe.com").count();
        assert!(tags <= 1, "{page} loads Stripe.js {tags} times");
        // Deferred: it never blocks the page, and runs before our scripts that use it.
        let loads = html.contains(&format!("<script src=\"{}\" defer></script>", catalog::STRIPE_JS_URL));
        assert_eq!(loads, tags == 1, "{page}: Stripe.js is loaded only with defer");
        (page, loads)
    })
    .collect()
}

#[test]
fn stripe_js_is_on_every_page_by_default_deferred() {
    let site = Site::new();
    site.book("art-of-doing", &format!("{HAMMING}tags = [\"science\"]\n"));
    site.write("content/site.toml", "title = \"T\"\nstripe_publishable_key = \"pk_test_abc\"\n");
    site.build().expect("builds");
    for (page, loads) in stripe_js_on(&site) {
        assert!(loads, "{page} loads Stripe.js, for Stripe's fraud signals");
    }
    let book = site.read("books/art-of-doing/index.html");
    assert!(book.contains("id=\"express\""), "a book page offers express checkout");
    assert!(site.read("cart/index.html").contains("id=\"express-checkout\""), "so does the cart");
}

#[test]
fn stripe_js_can_be_kept_to_the_checkout_pages() {
    let site = Site::new();
    site.book("art-of-doing", &format!("{HAMMING}tags = [\"science\"]\n"));
    site.write(
        "content/site.toml",
        "title = \"T\"\nstripe_publishable_key = \"pk_test_abc\"\n\n[checkout]\nstripe_js = \"checkout_pages\"\n",
    );
    site.build().expect("builds");
    let loading: Vec<&str> =
        stripe_js_on(&site).into_iter().filter(|(_, loads)| *loads).map(|(page, _)| page).collect();
    assert_eq!(loading, ["cart/index.html", "order/index.html"]);
    let book = site.read("books/art-of-doing/index.html");
    assert!(!book.contains("id=\"express\"") && !book.contains("express."), "no Buy now without Stripe.js");

    // Without a key no page loads it, whatever the switch says.
    site.write("content/site.toml", "title = \"T\"\n");
    site.build().expect("builds");
    assert!(stripe_js_on(&site).iter().all(|(_, loads)| !loads));
}

#[test]
fn an_unknown_stripe_js_choice_is_refused_with_the_choices() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/site.toml", "title = \"T\"\n\n[checkout]\nstripe_js = \"everywhere\"\n");
    site.check_fails_with(
        "error: content/site.toml:4: `stripe_js = \"everywhere\"` in [checkout] is not a choice\n  \
help: write stripe_js = \"every_page\" (the default: Stripe's fraud signals from every page) or \
stripe_js = \"checkout_pages\" (Stripe.js only on the cart and order pages, no \"Buy now\" on book pages)",
    );
}

/// The JSON a page carries in `<body data-shop="…">`, unescaped.
fn shop_of(page: &str) -> serde_json::Value {
    let start = page.find("<body data-shop=\"").expect("a data-shop attribute on <body>") + "<body data-shop=\"".len();
    let attribute = &page[start..start + page[start..].find('"').expect("closed")];
    let json = attribute.replace("&quot;", "\"").replace("&#x27;", "'").replace("&lt;", "<").replace("&gt;", ">");
    serde_json::from_str(&json.replace("&amp;", "&")).expect("the attribute is JSON")
}

#[test]
fn every_page_carries_the_workers_contract_for_its_scripts() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.build().expect("builds");
    let contract = serde_json::to_value(catalog::PageContract::current()).expect("serializes");
    for page in ["index.html", "books/art-of-doing/index.html", "cart/index.html", "order/index.html", "404.html"] {
        assert_eq!(shop_of(&site.read(page)), contract, "{page}");
    }
    // The cart's cap is the worker's (it was 10 in cart.js while the worker took 99).
    assert_eq!(contract["max_quantity"], catalog::MAX_QUANTITY);
    assert_eq!(contract["endpoint"], catalog::ENDPOINT);
}

#[test]
fn without_a_publishable_key_the_cart_says_catalogs_words() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.build().expect("builds");
    let expected = format!(
        "<div id=\"payment-message\" role=\"alert\" aria-live=\"polite\" tabindex=\"-1\">{}</div>",
        catalog::contract::CHECKOUT_NOT_CONFIGURED
    );
    assert!(site.read("cart/index.html").contains(&expected));
}

#[test]
fn a_secret_key_in_the_site_settings_is_refused() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/site.toml", "title = \"T\"\nstripe_publishable_key = \"sk_test_oops\"\n");
    site.check_fails_with(
        "error: content/site.toml: the Stripe publishable key must start with `pk_`\n  \
help: use the publishable key (pk_test_… or pk_live_…); the secret key (sk_…) belongs only in .dev.vars or \
`wrangler secret put STRIPE_SECRET_KEY`",
    );
    site.error();
    assert!(!site.output().exists());
}

#[test]
fn yaml_front_matter_builds_the_same_book() {
    let toml = Site::new();
    toml.book("art-of-doing", HAMMING);
    toml.build().expect("builds");
    let yaml = Site::new();
    yaml.write(
        "content/books/art-of-doing.md",
        "---\ntitle: The Art of Doing Science and Engineering\nauthor: Richard Hamming\nprice: \"23.00\"\nisbn: 978-1-7322651-7-2\nweight: 1\n---\nA *fine* book.\n",
    );
    yaml.build().expect("builds");
    assert_eq!(common::price_list_files(&toml.output()), common::price_list_files(&yaml.output()));
    assert_eq!(toml.read("books/art-of-doing/index.html"), yaml.read("books/art-of-doing/index.html"));
}

/// Each mistake an editor makes: (file text, exactly what `bookshop check` says of it).
#[test]
fn each_broken_book_is_reported_with_its_file_line_and_fix() {
    let cases: &[(&str, &str)] = &[
        (
            "+++\ntitle = \"T\"\nauthor = \"A\"\n+++\n",
            "error: content/books/bad.md:1: missing `price`\n  help: add `price = \"23.00\"` to the front matter",
        ),
        (
            "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = 23.999\n+++\n",
            "error: content/books/bad.md:4: price `23.999` has more than 2 decimals, the most USD has: round it to \"23.99\" or \"24.00\"",
        ),
        (
            "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = \"23.00\"\ncurrency = \"usdd\"\n+++\n",
            "error: content/books/bad.md:5: unsupported currency `usdd`\n  \
help: did you mean `usd`? Currencies are lowercase ISO 4217 codes",
        ),
        (
            "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = \"0.20\"\n+++\n",
            "error: content/books/bad.md:4: price $0.20 is below Stripe's minimum charge of $0.50\n  \
help: Stripe refuses smaller card payments in this currency; raise the price",
        ),
        (
            "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = \"1000000.00\"\n+++\n",
            "error: content/books/bad.md:4: price `1000000.00` is above Stripe's maximum charge of $999,999.99\n  \
help: Stripe refuses larger card payments; check the number of digits",
        ),
        (
            "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = \"1.00\"\nisbn = \"978-1-7322651-7-3\"\n+++\n",
            "error: content/books/bad.md:5: ISBN `978-1-7322651-7-3` has a wrong check digit\n  \
help: copy the ISBN from the book's copyright page, or remove `isbn`",
        ),
        (
            "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = \"1.00\"\ncover = \"nope.jpg\"\n+++\n",
            "error: content/books/bad.md:5: cover file `content/books/nope.jpg` does not exist\n  \
help: put the image beside the book file, or remove `cover` to get a drawn cover",
        ),
        (
            "+++\ntitle = \"T\"\nprise = \"1.00\"\n+++\n",
            "error: content/books/bad.md:3:1: unknown field `prise`, expected one of `title`, `author`, `price`, `currency`, \
`cover`, `isbn`, `published`, `tags`, `weight`, `draft`, `available`\n  help: did you mean `price`?",
        ),
        (
            "+++\ntitle = \"T\"\nauthor = \"A\"\n",
            "error: content/books/bad.md:1:1: the front matter opened with `+++` on line 1 is never closed\n  \
help: add a line with only `+++` after the last key",
        ),
        (
            "",
            "error: content/books/bad.md: the file is empty\n  \
help: start it with front matter; `bookshop new \"Title\"` writes a complete example",
        ),
        (
            "title = \"T\"\n",
            "error: content/books/bad.md:1:1: the file does not start with front matter\n  \
help: the first line must be `+++` (TOML) or `---` (YAML), and the same line must close it",
        ),
        (
            "---\ntitle: T\nauthor: A\nprice: \"2300.5\"\ncurrency: jpy\n---\n",
            "error: content/books/bad.md:4: price `2300.5` has decimals, but JPY has no minor unit: write a whole number like \"2300\"",
        ),
    ];
    for (text, expected) in cases {
        let site = Site::new();
        site.book("good", HAMMING);
        site.write("content/books/bad.md", text);
        assert_eq!(
            site.run(&["check"]),
            (false, format!("{expected}\n1 problem found; nothing was written")),
            "{text:?}"
        );
    }
}

#[test]
fn two_books_with_one_id_name_both_files() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/books/reissues/art-of-doing.md", &format!("+++\n{HAMMING}+++\nAgain.\n"));
    site.check_fails_with(
        "error: content/books/reissues/art-of-doing.md: duplicate book id `art-of-doing`: content/books/art-of-doing.md has it too\n  \
help: book ids come from file names; rename one of the files",
    );
}

#[test]
fn site_and_theme_mistakes_are_reported() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/books/Bad Name.md", &format!("+++\n{HAMMING}+++\n"));
    site.check_fails_with(
        "error: content/books/Bad Name.md: the file name `Bad Name` cannot be a book id: it has `B`; \
a book id has only lowercase letters a-z, digits and hyphens\n  help: rename the file to bad-name.md",
    );

    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/site.toml", "title = \"T\"\nper_page = 0\n");
    site.check_fails_with(
        "error: content/site.toml: `per_page` must be at least 1\n  \
help: the catalog shows this many books a page, e.g. per_page = 24",
    );

    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/site.toml", "title = \"T\"\ncurency = \"usd\"\n");
    site.check_fails_with(
        "error: content/site.toml:2:1: unknown field `curency`, expected one of `title`, `description`, `base_url`, \
`currency`, `theme`, `stripe_publishable_key`, `per_page`, `lang`, `max_files`, `max_file_mib`, `checkout`\n  help: did you mean `currency`?",
    );
    // Nothing near: the list of keys is site.toml's (it once said "the keys a book may have").
    site.write("content/site.toml", "title = \"T\"\ncolour = \"red\"\n");
    site.check_fails_with(
        "error: content/site.toml:2:1: unknown field `colour`, expected one of `title`, `description`, `base_url`, \
`currency`, `theme`, `stripe_publishable_key`, `per_page`, `lang`, `max_files`, `max_file_mib`, `checkout`\n  \
help: the keys site.toml may have are: title, description, base_url, currency, theme, stripe_publishable_key, per_page, \
lang, max_files, max_file_mib, checkout",
    );

    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    fs::remove_file(site.root().join("themes/default/templates/order.html")).expect("remove");
    site.check_fails_with(
        "error: templates: the theme has no `order.html`\n  \
help: add it to the theme's templates/ folder or the site's templates/ folder",
    );
}

#[test]
fn invalid_utf8_is_reported_with_its_line() {
    let site = Site::new();
    let mut bytes = b"+++\ntitle = \"T\"\nauthor = \"".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"\"\n+++\n");
    fs::write(site.root().join("content/books/bad.md"), bytes).expect("write");
    site.check_fails_with(
        "error: content/books/bad.md:3:11: the file is not valid UTF-8\n  \
help: save the file as UTF-8 (most editors have an encoding option in the save dialog)",
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let site = Site::new();
    site.book("one", "title = \"T\"\nauthor = \"A\"\n");
    site.book("two", "title = \"T\"\nprice = \"1.00\"\n");
    assert_eq!(
        site.run(&["check"]),
        (
            false,
            "error: content/books/one.md:1: missing `price`\n  help: add `price = \"23.00\"` to the front matter\n\
error: content/books/two.md:1: missing `author`\n  help: add `author = \"Richard Hamming\"` to the front matter\n\
2 problems found; nothing was written"
                .to_owned()
        )
    );
    assert!(!site.output().exists(), "check writes nothing");
}

#[test]
fn a_failed_build_leaves_the_last_good_site_untouched() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.build().expect("builds");
    let before = common::price_list_files(&site.output());
    site.book("broken", "title = \"T\"\n");
    site.error();
    assert_eq!(common::price_list_files(&site.output()), before);
    assert!(site.output().join("books/art-of-doing/index.html").is_file());
    assert_eq!(common::entries_named(site.root(), "staging"), Vec::<String>::new(), "no staging folder is left behind");
}

#[test]
fn a_rebuild_keeps_the_output_folder_and_drops_stale_files() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.build().expect("builds");
    let folder = fs::metadata(site.output()).expect("output").ino();
    fs::write(site.output().join("stale.html"), "old").expect("write");
    site.build().expect("rebuilds");
    assert_eq!(fs::metadata(site.output()).expect("output").ino(), folder, "a server watching it keeps serving");
    assert!(!site.output().join("stale.html").exists());
    assert!(site.output().join("books/art-of-doing/index.html").is_file());
}

#[test]
fn a_site_template_overrides_the_themes() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("templates/404.html", "{% extends \"base.html\" %}{% block content %}Lost in the stacks{% endblock %}");
    site.write("static/shop.css", "body { color: red }");
    site.build().expect("builds");
    assert!(site.read("404.html").contains("Lost in the stacks"));
    assert_eq!(site.read("static/shop.css"), "body { color: red }");
}

#[test]
fn a_site_with_only_content_builds_with_the_built_in_theme() {
    let site = Site::bare();
    site.book("art-of-doing", HAMMING);
    assert!(!site.root().join("themes").exists());
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let root = site.root().display().to_string();
    let (ok, printed) = site.run_with(&["--root", &root, "build"], |command| {
        command.current_dir(elsewhere.path()).env_remove("STRIPE_PUBLISHABLE_KEY")
    });
    assert_eq!(
        (ok, printed),
        (true, format!("Built 1 book, 7 pages, N files into {}/public in N ms", site.root().display()))
    );
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes/default");
    let source = fs::read_to_string(theme.join("static/shop.css")).expect("theme css");
    assert_eq!(site.read("static/shop.css"), generator::minify::css(&source).expect("read to its end"));
    assert!(site.read("books/art-of-doing/index.html").contains("The Art of Doing Science and Engineering"));

    // The site's own files override the built-in theme's one at a time.
    site.write("templates/404.html", "{% extends \"base.html\" %}{% block content %}Lost in the stacks{% endblock %}");
    site.write("static/shop.css", "body { color: red }");
    site.build().expect("builds");
    assert!(site.read("404.html").contains("Lost in the stacks"));
    assert!(site.read("index.html").contains("The Art of Doing"), "the other templates are the built-in ones");
    assert_eq!(site.read("static/shop.css"), "body { color: red }");
    let source = fs::read_to_string(theme.join("static/cart.js")).expect("theme js");
    assert_eq!(site.read("static/cart.js"), generator::minify::javascript(&source).expect("read to its end"));
}

#[test]
fn a_theme_the_site_does_not_have_is_an_error_that_names_the_built_in_one() {
    let site = Site::bare();
    site.book("art-of-doing", HAMMING);
    site.write("content/site.toml", "title = \"T\"\ntheme = \"fancy\"\n");
    assert_eq!(
        site.run(&["check"]),
        (
            false,
            "error: content/site.toml: theme `fancy` not found at themes/fancy\n  \
help: set `theme` in site.toml to a folder under themes/, or leave it out for the built-in `default`\n\
1 problem found; nothing was written"
                .to_owned()
        )
    );
}

#[test]
fn the_publishable_key_from_the_environment_wins_over_the_site_settings() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/site.toml", "title = \"T\"\nstripe_publishable_key = \"pk_test_file\"\n");
    let (ok, _) = site.run_with(&["build"], |command| {
        command.current_dir(site.root()).env("STRIPE_PUBLISHABLE_KEY", "pk_test_environment")
    });
    assert!(ok);
    let cart = site.read("cart/index.html");
    assert!(cart.contains("pk_test_environment") && !cart.contains("pk_test_file"), "{cart}");
    // The library reads no environment: what the command line hands in is all it knows.
    site.build().expect("builds");
    assert!(site.read("cart/index.html").contains("pk_test_file"));
    let options =
        generator::site::Options { publishable_key: Some("pk_test_handed_in".into()), ..common::options(Drafts::Skip) };
    cmd::build::run(&Layout::new(site.root()), &site.output(), &options).expect("builds");
    assert!(site.read("cart/index.html").contains("pk_test_handed_in"));
}

#[test]
fn a_broken_template_names_its_file() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("templates/404.html", "{% if %}");
    // The site's own file, which overrides the theme's, is the one named, with Tera's place.
    site.check_fails_with(
        "error: templates/404.html: Failed to parse '404.html'\n  \
reason:  --> 1:7\n  |\n1 | {% if %}\n  |       ^---\n  |\n  = expected a value that can be negated",
    );
}

#[test]
fn new_writes_a_documented_draft_that_checks_once_filled_in() {
    let site = Site::new();
    let path = cmd::new::run(&Layout::new(site.root()), "The Pragmatic Bookseller", None).expect("writes");
    assert!(path.ends_with("content/books/the-pragmatic-bookseller.md"));
    let text = fs::read_to_string(&path).expect("read");
    assert!(text.contains("draft = true"));
    assert!(cmd::new::run(&Layout::new(site.root()), "The Pragmatic Bookseller", None).is_err(), "never overwrites");
    cmd::check::run(&Layout::new(site.root()), &common::options(Drafts::Skip))
        .expect("a draft does not break the site");
    let filled = text
        .replace("author = \"\"", "author = \"Me\"")
        .replace("\"0.00\"", "\"12.00\"")
        .replace("draft = true", "draft = false");
    fs::write(&path, filled).expect("write");
    site.build().expect("builds");
    assert!(common::price_list(&site.output())["books"].get("the-pragmatic-bookseller").is_some());
}

#[test]
fn a_title_cannot_end_the_json_ld_script() {
    let site = Site::new();
    site.book(
        "tricky",
        "title = \"</script><script>alert(1)</script> & more\"\nauthor = \"A <b>Writer</b>\"\nprice = \"10.00\"\n",
    );
    site.build().expect("builds");
    let page = site.read("books/tricky/index.html");
    let ld_start = page.find("<script type=\"application/ld+json\">").expect("JSON-LD") + 35;
    let ld_text = &page[ld_start..ld_start + page[ld_start..].find("</script>").expect("end")];
    assert!(!ld_text.contains('<') && !ld_text.contains('&'), "{ld_text}");
    let ld: serde_json::Value = serde_json::from_str(ld_text).expect("valid JSON-LD");
    assert_eq!(ld["name"], "</script><script>alert(1)</script> & more");
    assert_eq!(ld["author"]["name"], "A <b>Writer</b>");
}

const DRAFT: &str = "title = \"Unfinished\"\nauthor = \"D\"\nprice = \"9.00\"\ndraft = true\n";

#[test]
fn check_and_build_say_how_many_drafts_they_skipped() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.book("yen-book", "title = \"Yen\"\nauthor = \"A\"\nprice = \"2300\"\ncurrency = \"jpy\"\n");
    site.book("unfinished", DRAFT);
    assert_eq!(
        site.run(&["check"]),
        (true, "2 books, no problems found (1 draft skipped; --drafts checks it too)".to_owned())
    );
    assert_eq!(
        site.run(&["build"]),
        (
            true,
            "Built 2 books, 9 pages, N files into public in N ms (1 draft skipped; --drafts previews it)".to_owned()
        )
    );
    assert!(!site.output().join("books/unfinished").exists());
    let prices: serde_json::Value = common::price_list(&site.output());
    assert!(prices["books"].get("unfinished").is_none(), "a normal build never sells a draft");

    site.book("second-draft", DRAFT);
    assert_eq!(
        site.run(&["check", "--drafts"]),
        (true, "4 books, no problems found (2 drafts checked too)".to_owned())
    );
}

#[test]
fn build_with_drafts_previews_them_and_says_so() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.book("unfinished", DRAFT);
    assert_eq!(
        site.run(&["build", "--drafts"]),
        (
            true,
            "Built 2 books, 9 pages, N files into public in N ms (1 draft included: a preview, never deploy it)"
                .to_owned()
        )
    );
    assert!(site.read("books/unfinished/index.html").contains("Unfinished"));
    assert!(site.read("index.html").contains("Unfinished"));
}

#[test]
fn a_build_for_localhost_warns_that_its_links_point_there() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/site.toml", "title = \"T\"\n# where the shop lives\nbase_url = \"http://localhost:8787/\"\n");
    let (ok, printed) = site.run(&["build"]);
    assert!(ok, "a warning, not an error: {printed}");
    assert_eq!(
        printed,
        "warning: content/site.toml:3: base_url is http://localhost:8787: canonical links, the sitemap, the feed and robots.txt point to this machine\n  \
help: fine for a local preview; before deploying, set base_url to the shop's public address, e.g. base_url = \"https://books.example.com\"\n\
Built 1 book, 7 pages, N files into public in N ms"
    );
    site.write("content/site.toml", "title = \"T\"\nbase_url = \"https://books.example\"\n");
    assert_eq!(site.run(&["build"]), (true, "Built 1 book, 7 pages, N files into public in N ms".to_owned()));
}

#[test]
fn the_price_list_carries_base_urls_origin_as_a_browser_writes_it() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/site.toml", "title = \"T\"\nbase_url = \"HTTPS://Books.Example:443/shop/\"\n");
    site.build().expect("builds");
    let prices: serde_json::Value = common::price_list(&site.output());
    assert_eq!(prices["origin"], "https://books.example");
}

#[test]
fn a_base_url_without_an_http_address_is_refused_with_its_line() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.write("content/site.toml", "title = \"T\"\nbase_url = \"books.example\"\n");
    site.check_fails_with(
        "error: content/site.toml:2: base_url `books.example` is not an http:// or https:// address\n  \
help: set base_url to the shop's public address, e.g. base_url = \"https://books.example.com\"",
    );
}

#[test]
fn the_pages_language_comes_from_the_site_settings() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    site.build().expect("builds");
    assert!(site.read("index.html").starts_with("<!doctype html>\n<html lang=\"en\">"), "en by default");
    site.write("content/site.toml", "title = \"T\"\nlang = \"de-CH\"\n");
    site.build().expect("builds");
    assert!(site.read("books/art-of-doing/index.html").contains("<html lang=\"de-CH\">"));
    site.write("content/site.toml", "title = \"T\"\nlang = \"german\"\n");
    assert_eq!(
        site.run(&["build"]),
        (
            false,
            "error: content/site.toml:2: `lang = \"german\"` is not a language tag\n  \
help: use a BCP 47 tag such as \"en\", \"en-GB\", \"de\" or \"pt-BR\": the language of the shop's pages\n\
1 problem found; nothing was written"
                .to_owned()
        )
    );
}

#[test]
fn the_publication_date_is_shown_in_words() {
    let site = Site::new();
    site.book("art-of-doing", &format!("{HAMMING}published = 2020-05-26\n"));
    site.build().expect("builds");
    let page = site.read("books/art-of-doing/index.html");
    assert!(page.contains("<dd><time datetime=\"2020-05-26\">26 May 2020</time></dd>"), "{page}");
}

#[test]
fn an_image_beside_the_book_is_copied_with_its_page() {
    let site = Site::new();
    fs::write(site.root().join("content/books/hamming portrait.png"), tiny_png()).expect("write");
    site.write(
        "content/books/art-of-doing.md",
        &format!("+++\n{HAMMING}+++\nA *fine* book.\n\n![The author](hamming%20portrait.png)\n"),
    );
    site.build().expect("builds");
    assert_eq!(fs::read(site.output().join("books/art-of-doing/hamming portrait.png")).expect("copied"), tiny_png());
    let page = site.read("books/art-of-doing/index.html");
    assert!(
        page.contains("<p><img src=\"/books/art-of-doing/hamming%20portrait.png\" alt=\"The author\" /></p>"),
        "{page}"
    );
}

#[test]
fn a_missing_or_remote_image_in_a_description_is_refused_with_why() {
    let site = Site::new();
    site.write(
        "content/books/art-of-doing.md",
        &format!(
            "+++\n{HAMMING}+++\nA *fine* book.\n\n![The author](photo.jpg)\n\nSee ![the cover](https://example.com/cover.jpg).\n\n![Notes](notes.pdf)\n"
        ),
    );
    assert_eq!(
        site.run(&["check"]),
        (
            false,
            "error: content/books/art-of-doing.md:10: image file `content/books/photo.jpg` does not exist\n  \
help: put the image beside the book file (the path is relative to it), or remove the image\n\
error: content/books/art-of-doing.md:12: image `https://example.com/cover.jpg` is on another site: the shop's Content-Security-Policy (img-src 'self') stops browsers from loading it\n  \
help: download the image, put the file beside the book and write its file name, e.g. ![The author](photo.jpg); it is then copied with the site\n\
error: content/books/art-of-doing.md:14: image `notes.pdf` is not an image this shop can show\n  \
help: use one of: jpg, jpeg, png, webp, svg\n\
3 problems found; nothing was written"
                .to_owned()
        )
    );
}

#[test]
fn table_column_alignment_survives_the_content_security_policy() {
    let site = Site::new();
    site.write(
        "content/books/art-of-doing.md",
        &format!("+++\n{HAMMING}+++\n| Edition | Price |\n|:--|--:|\n| First | 23.00 |\n"),
    );
    site.build().expect("builds");
    let page = site.read("books/art-of-doing/index.html");
    assert!(page.contains("<th class=\"align-left\">Edition</th><th class=\"align-right\">Price</th>"), "{page}");
    assert!(!page.contains(" style="), "the CSP (style-src 'self') would drop an inline style: {page}");
    let css = site.read("static/shop.css");
    assert!(css.contains(".prose .align-right { text-align: right;"), "the theme aligns the classes");
}

/// A test that `bookshop check` on a book file with one slip prints exactly these lines.
macro_rules! slip {
    ($name:ident, $text:expr, $expected:expr) => {
        #[test]
        fn $name() {
            let site = Site::new();
            site.write("content/books/slip.md", $text);
            let expected = format!("{}\n1 problem found; nothing was written", $expected);
            assert_eq!(site.run(&["check"]), (false, expected));
        }
    };
}

slip!(
    curly_quotes_around_a_toml_price,
    "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = “23.00”\n+++\n",
    "error: content/books/slip.md:4:9: the value of `price` is in curly quotes (“ ”), which are not quotes to TOML\n  \
help: type straight quotes: price = \"23.00\""
);
slip!(
    curly_quotes_around_a_yaml_price,
    "---\ntitle: T\nauthor: A\nprice: “23.00”\n---\n",
    "error: content/books/slip.md:4:8: the value of `price` is in curly quotes (“ ”), which are not quotes to YAML\n  \
help: type straight quotes: price: \"23.00\""
);
slip!(
    a_tab_in_yaml,
    "---\ntitle: T\nauthor: A\nprice: \"1.00\"\ntags:\n\t- science\n---\n",
    "error: content/books/slip.md:6:1: a tab character in the front matter\n  \
help: YAML indents with spaces only: replace the tab with spaces"
);
slip!(
    an_unquoted_colon_in_a_yaml_title,
    "---\ntitle: The Making of Prince of Persia: Journals\nauthor: A\nprice: \"1.00\"\n---\n",
    "error: content/books/slip.md:2:38: the value of `title` has a colon, which YAML reads as the start of another key\n  \
help: put the value in quotes: title: 'The Making of Prince of Persia: Journals'"
);
slip!(
    an_unquoted_isbn_in_toml,
    "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = \"1.00\"\nisbn = 978-1-7322651-7-2\n+++\n",
    "error: content/books/slip.md:5:8: the value of `isbn` must be in quotes\n  \
help: write isbn = \"978-1-7322651-7-2\""
);
slip!(
    a_date_toml_cannot_read,
    "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = \"1.00\"\npublished = 2020-5-26\n+++\n",
    "error: content/books/slip.md:5:13: `2020-5-26` is not a date TOML can read\n  \
help: write it as year-month-day, with two-digit month and day: published = 2020-05-26"
);
slip!(
    an_unquoted_title_in_toml,
    "+++\ntitle = The Art of Doing\nauthor = \"A\"\nprice = \"1.00\"\n+++\n",
    "error: content/books/slip.md:2:9: the value of `title` must be in quotes\n  \
help: write title = \"The Art of Doing\""
);
slip!(
    a_quote_inside_a_quoted_toml_title,
    "+++\ntitle = \"The \"Best\" Book\"\nauthor = \"A\"\nprice = \"1.00\"\n+++\n",
    "error: content/books/slip.md:2:15: the value of `title` has a `\"` inside its quotes, which ends the value early\n  \
help: put the value in single quotes: title = 'The \"Best\" Book'"
);
slip!(
    a_quote_inside_a_quoted_yaml_title,
    "---\ntitle: \"The \"Best\" Book\"\nauthor: A\nprice: \"1.00\"\n---\n",
    "error: content/books/slip.md:2:14: the value of `title` has a `\"` inside its quotes, which ends the value early\n  \
help: put the value in single quotes: title: 'The \"Best\" Book'"
);
slip!(
    yaml_tags_without_brackets,
    "---\ntitle: T\nauthor: A\nprice: \"1.00\"\ntags: science, history\n---\n",
    "error: content/books/slip.md:5:7: `tags` must be a list, not `science, history`\n  \
help: write the tags in brackets: tags: [science, history]"
);
slip!(
    toml_tags_without_brackets,
    "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = \"1.00\"\ntags = \"science, history\"\n+++\n",
    "error: content/books/slip.md:5:8: `tags` must be a list, not `\"science, history\"`\n  \
help: write the tags in brackets: tags = [\"science\", \"history\"]"
);
slip!(
    available_no_in_yaml,
    "---\ntitle: T\nauthor: A\nprice: \"1.00\"\navailable: no\n---\n",
    "error: content/books/slip.md:5:12: `available` must be true or false, not `no`\n  \
help: write available: false (without quotes)"
);
slip!(
    available_no_in_toml,
    "+++\ntitle = \"T\"\nauthor = \"A\"\nprice = \"1.00\"\navailable = no\n+++\n",
    "error: content/books/slip.md:5:13: `available` must be true or false, not `no`\n  \
help: write available = false (without quotes)"
);

#[test]
fn a_site_over_the_deployments_file_limits_is_refused_and_the_last_good_one_kept() {
    let site = Site::bare();
    fs::write(site.root().join("content/books/art.jpg"), photo(400, 600)).expect("cover");
    site.book("art-of-doing", &format!("{HAMMING}cover = \"art.jpg\"\n"));
    site.book("drawn", "title = \"Drawn\"\nauthor = \"A\"\nprice = \"5.00\"\n");
    let on_disk = |site: &Site| {
        let files = walkdir::WalkDir::new(site.output()).into_iter().filter_map(Result::ok);
        files.filter(|e| e.file_type().is_file()).count()
    };
    let files = site.build().expect("builds").files;
    assert_eq!(files, on_disk(&site), "the summary counts every file written, made covers too");
    // A second build takes the covers from the image cache (hard links): they count the same.
    let again = site.build().expect("builds");
    assert_eq!((again.covers_cached, again.files), (1, on_disk(&site)), "cached covers are counted");
    let before = common::price_list_files(&site.output());

    site.write(
        "content/site.toml",
        &format!("title = \"Test Press\"\nbase_url = \"https://books.example\"\nmax_files = {}\n", files - 1),
    );
    let (ok, said) = site.run(&["build"]);
    assert!(!ok);
    assert_eq!(
        said,
        format!(
            "error: content/site.toml: the site is {files} files, over the {} one Cloudflare deployment may have (`max_files`)\n  help: on the Workers Paid plan set max_files = 100000 in site.toml; past that, serve cover images from R2 (README: \"How big a shop fits\")\n1 problem found; nothing was written",
            files - 1
        )
    );
    assert_eq!(common::price_list_files(&site.output()), before, "the last good site stays");

    // A file over the size limit: a 1 MiB limit and a picture in a description just over it.
    site.write("content/site.toml", "title = \"Test Press\"\nbase_url = \"https://books.example\"\nmax_file_mib = 1\n");
    let mut png = tiny_png();
    png.resize(1_200_000, 0); // bytes after the image's end: a big file, a valid header
    fs::write(site.root().join("content/books/big.png"), png).expect("cover");
    site.write(
        "content/books/another.md",
        "+++\ntitle = \"Another\"\nauthor = \"A\"\nprice = \"5.00\"\n+++\n![The author](big.png)\n",
    );
    let (ok, said) = site.run(&["build"]);
    assert!(!ok);
    assert_eq!(
        said,
        "error: content/site.toml: books/another/big.png is 1.1 MiB, over the 1 MiB a file of a Cloudflare deployment may be (`max_file_mib`)\n  help: make the file smaller (a picture: export it smaller) or serve it from R2\n1 problem found; nothing was written"
    );
}

#[test]
fn the_deployment_limits_must_be_at_least_one() {
    let site = Site::bare();
    site.write("content/site.toml", "title = \"Test Press\"\nmax_files = 0\n");
    site.check_fails_with("error: content/site.toml:2: `max_files` must be at least 1\n  help: leave it out for the free plan's 20000 files of at most 25 MiB, or set your plan's limit");
}

#[test]
fn descriptions_are_read_when_rendered_and_a_file_changed_since_loading_is_not_built() {
    let site = Site::new();
    site.book("art-of-doing", HAMMING);
    let loaded = generator::site::Site::load(&Layout::new(site.root()), &common::options(Drafts::Skip)).expect("loads");
    assert_eq!(loaded.books[0].description().expect("the description"), "A *fine* book.\n");
    // Edited between loading (where it was checked) and rendering: never rendered half-checked.
    site.write("content/books/art-of-doing.md", &format!("+++\n{HAMMING}+++\nA *finer* book.\n"));
    let error = loaded.write(&site.output(), false).expect_err("stale");
    assert_eq!(
        format!("{error:#}"),
        format!(
            "{} changed while the site was being built; build again",
            site.root().join("content/books/art-of-doing.md").display()
        )
    );
    assert!(!site.output().exists(), "nothing was written");
}

#[test]
fn a_shop_of_ten_thousand_books_fits_one_free_deployment() {
    let site = Site::bare();
    let tags = ["science", "history", "poetry", "design", "economics", "games"];
    for i in 0..10_000 {
        let tag = tags[i % tags.len()];
        site.book(
            &format!("book-{i:05}"),
            &format!("title = \"Book {i}\"\nauthor = \"Writer {}\"\nprice = \"9.99\"\ntags = [\"{tag}\"]\n", i % 97),
        );
    }
    // The free plan's limits are the default: the build succeeds, and so would the deployment.
    let summary = site.build().expect("a 10,000-book shop builds within the free plan's limits");
    assert_eq!(summary.books, 10_000);
    assert!(summary.files < 20_000, "{} files", summary.files);
    // The price list in 128 shards: an order reads one of some 80 books, not all 10,000.
    let prices = common::price_list(&site.output());
    assert_eq!(
        (prices["shards"]["count"].as_u64(), prices["books"].as_object().map(|b| b.len())),
        (Some(128), Some(10_000))
    );
    println!("10,000 books: {} files, {} pages", summary.files, summary.pages);
}

#[test]
fn html_in_a_description_that_the_csp_would_block_is_refused_at_its_line() {
    let site = Site::new();
    site.write(
        "content/books/styled.md",
        "+++\ntitle = \"Styled\"\nauthor = \"A\"\nprice = \"10.00\"\n+++\nFirst line.\n\nA <span style=\"color: red\">red</span> word.\n",
    );
    site.check_fails_with(
        "error: content/books/styled.md:8: the description has a style attribute, which the shop's \
Content-Security-Policy stops browsers from running or applying\n  \
help: write it in markdown, or give the element a class and style that class in the theme's CSS (static/shop.css)",
    );
}
