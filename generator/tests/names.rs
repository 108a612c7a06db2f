//! Names an editor gives things, and what the shop makes of them: book file names (the
//! id rule, `.md` and `.markdown` in any case), `bookshop new`'s ids, and tag pages in
//! every script. Each is the same for `build`, `check` and `watch`.

use std::fs;
use std::path::{Path, PathBuf};

use generator::cmd;
use generator::content::Drafts;
use generator::incremental::Engine;
use generator::layout::Layout;
use tempfile::TempDir;

mod common;

struct Site {
    dir: TempDir,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        common::copy_default_theme(dir.path());
        fs::create_dir_all(dir.path().join("content/books")).expect("books dir");
        common::write(
            dir.path(),
            "content/site.toml",
            "title = \"Test Press\"\nbase_url = \"https://books.example\"\ncurrency = \"usd\"\n",
        );
        Site { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content/books/<file>` with `extra` front matter after a title, author and price.
    fn book(&self, file: &str, title: &str, extra: &str) {
        common::write(
            self.root(),
            &format!("content/books/{file}"),
            &format!("+++\ntitle = \"{title}\"\nauthor = \"A\"\nprice = \"10.00\"\n{extra}+++\nA fine book.\n"),
        );
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

    /// What `check` and `build` both say of a broken site, with the temporary root cut off
    /// the paths so the message can be compared whole.
    fn errors(&self) -> String {
        let check = format!(
            "{:#}",
            cmd::check::run(&Layout::new(self.root()), &common::options(Drafts::Skip)).expect_err("check should fail")
        );
        let build = format!("{:#}", self.build().expect_err("the build should fail"));
        assert_eq!(check, build, "check and build report the same");
        assert_eq!(common::entries_named(self.root(), "staging"), Vec::<String>::new(), "nothing half-written");
        check.replace(&format!("{}/", self.root().display()), "")
    }
}

const LONG_TITLE: &str = "Working in Public: The Making and Maintenance of Open Source Software";
const LONG_NAME: &str = "working-in-public-the-making-and-maintenance-of-open-source-software";
const SHORTENED: &str = "working-in-public-the-making-and-maintenance-of-open-source";

#[test]
fn a_file_name_longer_than_an_id_is_an_error_that_says_how_to_rename_it() {
    let site = Site::new();
    site.book(&format!("{LONG_NAME}.md"), LONG_TITLE, "");
    assert_eq!(
        site.errors(),
        format!(
            "error: content/books/{LONG_NAME}.md: the file name `{LONG_NAME}` cannot be a book id: it is 68 \
             characters long; the most a book id can have is 64\n  help: rename the file to {SHORTENED}.md\n\
             1 problem found; nothing was written"
        )
    );
}

#[test]
fn a_file_name_in_capitals_is_an_error_that_says_how_to_rename_it() {
    let site = Site::new();
    site.book("Café Society.MD", "Café Society", "");
    assert_eq!(
        site.errors(),
        "error: content/books/Café Society.MD: the file name `Café Society` cannot be a book id: it has `C`; a \
         book id has only lowercase letters a-z, digits and hyphens\n  help: rename the file to cafe-society.md\n\
         1 problem found; nothing was written"
    );
}

#[test]
fn md_and_markdown_files_in_any_case_are_books_for_build_and_check() {
    let site = Site::new();
    for (file, title) in [("one.md", "One"), ("two.markdown", "Two"), ("three.MD", "Three"), ("four.Markdown", "Four")]
    {
        site.book(file, title, "");
    }
    cmd::check::run(&Layout::new(site.root()), &common::options(Drafts::Skip)).expect("checks");
    site.build().expect("builds");
    let catalog: serde_json::Value = common::price_list(&site.output());
    let mut ids: Vec<&str> = catalog["books"].as_object().expect("books").keys().map(String::as_str).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["four", "one", "three", "two"]);
    for id in ids {
        assert!(site.output().join(format!("books/{id}/index.html")).is_file(), "{id}");
    }

    // A mistake in a `.markdown` or `.MD` file is found, not skipped.
    common::write(site.root(), "content/books/two.markdown", "+++\ntitle = \"Two\"\n+++\n");
    common::write(site.root(), "content/books/three.MD", "+++\ntitle = \"Three\"\nauthor = \"A\"\n+++\n");
    assert_eq!(
        site.errors(),
        "error: content/books/three.MD:1: missing `price`\n  help: add `price = \"23.00\"` to the front matter\n\
         error: content/books/two.markdown:1: missing `author`\n  help: add `author = \"Richard Hamming\"` to the \
         front matter\nerror: content/books/two.markdown:1: missing `price`\n  help: add `price = \"23.00\"` to the \
         front matter\n3 problems found; nothing was written"
    );
}

#[test]
fn a_book_as_md_and_as_markdown_is_one_id_twice() {
    let site = Site::new();
    site.book("kokoro.md", "Kokoro", "");
    site.book("kokoro.markdown", "Kokoro", "");
    assert_eq!(
        site.errors(),
        "error: content/books/kokoro.md: duplicate book id `kokoro`: content/books/kokoro.markdown has it too\n  \
         help: book ids come from file names; rename one of the files\n1 problem found; nothing was written"
    );
}

#[test]
fn the_watcher_publishes_markdown_files_as_the_build_does() {
    let site = Site::new();
    site.book("one.md", "One", "");
    let (mut engine, _) =
        Engine::start(&Layout::new(site.root()), &site.output(), &common::options(Drafts::Skip)).expect("first build");
    for (file, id) in [("two.markdown", "two"), ("three.MD", "three")] {
        site.book(file, id, "");
        let rebuilt = engine.rebuild(&[site.root().join("content/books").join(file)]).expect("rebuilds");
        assert!(rebuilt.is_some(), "{file} is a book file");
        assert!(site.read(&format!("books/{id}/index.html")).contains("A fine book."), "{file}");
    }
    let fresh = site.root().join("fresh");
    cmd::build::run(&Layout::new(site.root()), &fresh, &common::options(Drafts::Skip)).expect("full build");
    assert_eq!(common::price_list_files(&site.output()), common::price_list_files(&fresh));
}

#[test]
fn tags_in_any_script_and_c_beside_cpp_each_get_their_own_working_page() {
    let site = Site::new();
    common::write(
        site.root(),
        "content/site.toml",
        "title = \"T\"\nbase_url = \"https://books.example\"\nper_page = 1\n",
    );
    site.book("kokoro.md", "Kokoro", "tags = [\"日本語\", \"🙂\"]\nweight = 1\n");
    site.book("yukiguni.md", "Yukiguni", "tags = [\"日本語\"]\nweight = 2\n");
    site.book("k-and-r.md", "The C Programming Language", "tags = [\"C\"]\n");
    site.book("stroustrup.md", "The C++ Programming Language", "tags = [\"C++\"]\n");
    site.build().expect("builds");

    let japanese = "/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E/";
    let smile = "/tags/%F0%9F%99%82/";
    let kokoro = site.read("books/kokoro/index.html");
    assert!(kokoro.contains(&format!("href=\"{japanese}\"")) && kokoro.contains(&format!("href=\"{smile}\"")));
    // Pages sit where a server finds those URLs: in folders named as the tags are written.
    let first = site.read("tags/日本語/index.html");
    assert!(first.contains("Kokoro") && !first.contains("Yukiguni"), "{first}");
    assert!(first.contains(&format!("rel=\"next\" href=\"{japanese}page/2/\"")), "{first}");
    assert!(site.read("tags/日本語/page/2/index.html").contains("Yukiguni"));
    assert!(site.read("tags/🙂/index.html").contains("Kokoro"));
    let c = site.read("tags/c/index.html");
    let cpp = site.read("tags/c-plus-plus/index.html");
    assert!(c.contains("The C Programming") && !c.contains("The C++ Programming"), "{c}");
    assert!(cpp.contains("The C++ Programming") && !cpp.contains("The C Programming"), "{cpp}");

    let sitemap = site.read("sitemap.xml");
    for url in ["/tags/c/", "/tags/c-plus-plus/", japanese, smile] {
        assert!(sitemap.contains(&format!("<url><loc>https://books.example{url}</loc></url>")), "{url}: {sitemap}");
    }
}

#[test]
fn two_spellings_that_would_share_a_tag_page_are_an_error_naming_both() {
    let site = Site::new();
    site.book("a.md", "A", "tags = [\"Sci-Fi\"]\n");
    site.book("b.md", "B", "tags = [\"Sci.Fi\", \"sci fi\"]\n");
    assert_eq!(
        site.errors(),
        "error: content/books/b.md:5: the tag `Sci.Fi` would share the page /tags/sci-fi/ with the tag `Sci-Fi` \
         of content/books/a.md\n  help: spell them the same if they are one topic; if not, tell them apart by a \
         letter or digit\n1 problem found; nothing was written"
    );
}

#[test]
fn the_watcher_refuses_a_tag_spelling_that_build_refuses() {
    let site = Site::new();
    site.book("a.md", "A", "tags = [\"Sci-Fi\"]\n");
    let (mut engine, _) =
        Engine::start(&Layout::new(site.root()), &site.output(), &common::options(Drafts::Skip)).expect("first build");
    let catalog = common::price_list_files(&site.output());
    site.book("b.md", "B", "tags = [\"Sci.Fi\"]\n");
    let error = engine.rebuild(&[site.root().join("content/books/b.md")]).expect_err("refused");
    assert_eq!(
        format!("{error:#}").replace(&format!("{}/", site.root().display()), ""),
        "error: content/books/b.md:5: the tag `Sci.Fi` would share the page /tags/sci-fi/ with the tag `Sci-Fi` \
         of content/books/a.md\n  help: spell them the same if they are one topic; if not, tell them apart by a \
         letter or digit\n1 problem found; nothing was written"
    );
    assert_eq!(common::price_list_files(&site.output()), catalog, "the last good site stays");
    site.book("b.md", "B", "tags = [\"sci fi\"]\n");
    engine.rebuild(&[site.root().join("content/books/b.md")]).expect("a fixed spelling rebuilds");
    assert!(site.read("tags/sci-fi/index.html").contains(">B<"));
}

#[test]
fn a_tag_with_nothing_to_name_its_page_is_an_error() {
    let site = Site::new();
    site.book("a.md", "A", "tags = [\"essays\", \"!!!\"]\n");
    assert_eq!(
        site.errors(),
        "error: content/books/a.md:5: the tag `!!!` has no letters or digits to name its page\n  help: write the \
         tag in words, or remove it\n1 problem found; nothing was written"
    );
}

#[test]
fn new_makes_ids_of_accented_long_and_japanese_titles() {
    let site = Site::new();
    let new = |title: &str| cmd::new::run(&Layout::new(site.root()), title, None).expect("writes");
    let file = |id: &str| site.root().join(format!("content/books/{id}.md"));
    assert_eq!(new("Café"), file("cafe"));
    assert_eq!(new(LONG_TITLE), file(SHORTENED));
    assert_eq!(new("吾輩は猫である"), file("wu-bei-hamao-dearu"));
    let text = fs::read_to_string(file(SHORTENED)).expect("read");
    assert!(text.contains(&format!("title = \"{LONG_TITLE}\"")), "{text}");
    cmd::check::run(&Layout::new(site.root()), &common::options(Drafts::Skip)).expect("drafts do not break the site");
}

#[test]
fn new_takes_an_id_and_holds_it_to_the_id_rule() {
    let site = Site::new();
    let path = cmd::new::run(&Layout::new(site.root()), "吾輩は猫である", Some("i-am-a-cat")).expect("writes");
    assert_eq!(path, site.root().join("content/books/i-am-a-cat.md"));
    let error = cmd::new::run(&Layout::new(site.root()), "Kokoro", Some("Kokoro")).expect_err("capitals");
    assert_eq!(
        error.to_string(),
        "the id `Kokoro` has `K`; a book id has only lowercase letters a-z, digits and hyphens"
    );
    let error = cmd::new::run(&Layout::new(site.root()), "Kokoro", Some(&"k".repeat(65))).expect_err("too long");
    assert_eq!(
        error.to_string(),
        format!("the id `{}` is 65 characters long; the most a book id can have is 64", "k".repeat(65))
    );
    assert!(!site.root().join("content/books/Kokoro.md").exists());
}

#[test]
fn new_asks_for_an_id_when_the_title_has_nothing_to_make_one_of() {
    let site = Site::new();
    let error = cmd::new::run(&Layout::new(site.root()), "?!", None).expect_err("no id");
    assert_eq!(
        error.to_string(),
        "the title `?!` has no letters or digits to make a book id of\n  help: choose the id with --id, e.g. \
         bookshop new \"?!\" --id my-book (lowercase letters a-z, digits and hyphens)"
    );
}

#[test]
fn new_says_the_book_is_a_draft() {
    assert_eq!(
        cmd::new::created(Path::new("content/books/cafe.md")),
        "Created content/books/cafe.md as a draft: fill in the author and price, set `draft = false` to publish, \
         then run `bookshop check`"
    );
}
