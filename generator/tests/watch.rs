//! The watch loop's engine on small real sites: driven as a library, so no test waits on
//! file-system events. Each rebuild is checked against a fresh full build, byte for byte.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use generator::cmd;
use generator::content::Drafts;
use generator::incremental::{Engine, Rebuilt};
use generator::layout::Layout;
use tempfile::TempDir;

mod common;
use common::write;

/// A site of `n` books with the repository's default theme, 3 books a page, built once.
struct Shop {
    dir: TempDir,
    engine: Engine,
}

impl Shop {
    fn new(n: usize) -> Shop {
        let dir = tempfile::tempdir().expect("temp dir");
        common::copy_default_theme(dir.path());
        write(
            dir.path(),
            "content/site.toml",
            "title = \"Watch Press\"\nbase_url = \"https://books.example\"\nper_page = 3\n",
        );
        for i in 0..n {
            let tag = ["science", "history"][i % 2];
            write(dir.path(), &format!("content/books/book-{i}.md"), &book(&format!("Book {i}"), "10.00", tag, i));
        }
        let (engine, _) =
            Engine::start(&Layout::new(dir.path()), &dir.path().join("public"), &common::options(Drafts::Skip))
                .expect("first build");
        Shop { dir, engine }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn book_path(&self, id: &str) -> PathBuf {
        self.root().join(format!("content/books/{id}.md"))
    }

    /// Writes a book file and rebuilds as the watch loop would on its event.
    fn save(&mut self, id: &str, text: &str) -> anyhow::Result<Rebuilt> {
        let path = self.book_path(id);
        fs::write(&path, text).expect("write book");
        self.engine.rebuild(&[path]).map(|r| r.expect("a book change rebuilds"))
    }

    fn delete(&mut self, id: &str) -> Rebuilt {
        let path = self.book_path(id);
        fs::remove_file(&path).expect("delete book");
        self.engine.rebuild(&[path]).expect("rebuilds").expect("a book change rebuilds")
    }

    /// Every file of the output, by site-relative path.
    fn output(&self) -> BTreeMap<String, Vec<u8>> {
        tree(&self.root().join("public"))
    }

    /// What `bookshop build` makes of the same files now.
    fn fresh_build(&self) -> BTreeMap<String, Vec<u8>> {
        let out = self.root().join("fresh");
        cmd::build::run(&Layout::new(self.root()), &out, &common::options(Drafts::Skip)).expect("full build");
        let files = tree(&out);
        fs::remove_dir_all(&out).expect("clean");
        files
    }

    fn assert_same_as_a_full_build(&self) {
        let (ours, fresh) = (self.output(), self.fresh_build());
        assert_eq!(ours.keys().collect::<Vec<_>>(), fresh.keys().collect::<Vec<_>>(), "the same files");
        for (rel, bytes) in &ours {
            assert!(bytes == &fresh[rel], "{rel} differs from a full build");
        }
    }
}

fn book(title: &str, price: &str, tag: &str, weight: usize) -> String {
    format!(
        "+++\ntitle = \"{title}\"\nauthor = \"A. Writer\"\nprice = \"{price}\"\ntags = [\"{tag}\"]\nweight = {weight}\n+++\nThe first paragraph.\n\nMore about it.\n"
    )
}

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("prefix").to_string_lossy().into_owned();
            (rel, fs::read(e.path()).expect("read"))
        })
        .collect()
}

fn sorted(mut files: Vec<String>) -> Vec<String> {
    files.sort();
    files
}

/// Whether a file is the search index's: named by its bytes, so checked apart from the pages.
fn is_index(rel: &str) -> bool {
    rel == "search/index.json" || rel.starts_with("search/x/")
}

/// The files of a rebuild but the search index's, sorted.
fn site_files(files: &[String]) -> Vec<String> {
    sorted(files.iter().filter(|f| !is_index(f)).cloned().collect())
}

/// The search index's files of a rebuild, without their fingerprints (`search/x/b0`), sorted.
fn index_files(files: &[String]) -> Vec<String> {
    sorted(files.iter().filter(|f| is_index(f)).map(|f| f.split('.').next().unwrap_or(f).to_owned()).collect())
}

#[test]
fn editing_a_books_description_rewrites_only_its_page() {
    let mut shop = Shop::new(10);
    let shop_root = shop.root().to_owned();
    let inode = |rel: &str| std::os::unix::fs::MetadataExt::ino(&fs::metadata(shop_root.join(rel)).expect("file"));
    let untouched = inode("public/books/book-1/index.html");
    let text = book("Book 4", "10.00", "science", 4).replace("More about it.", "Much more about it.");
    let rebuilt = shop.save("book-4", &text).expect("rebuilds");
    assert_eq!(site_files(&rebuilt.written), ["books/book-4/index.html"]);
    assert_eq!(index_files(&rebuilt.written), ["search/index", "search/x/w0"], "a new word: the words' shard");
    assert_eq!(index_files(&rebuilt.removed), ["search/x/w0"], "the shard it replaced");
    assert_eq!(inode("public/books/book-1/index.html"), untouched, "other files are not even replaced");
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_new_price_rewrites_the_book_the_lists_that_show_it_and_its_price_list_shard() {
    let mut shop = Shop::new(10);
    let rebuilt = shop.save("book-4", &book("Book 4", "12.50", "science", 4)).expect("rebuilds");
    // Book 4 is 5th in the catalog (page 2) and 3rd of the science books (page 1).
    assert_eq!(
        site_files(&rebuilt.written),
        ["books/book-4/index.html", "catalog/0.json", "page/2/index.html", "tags/science/index.html"]
    );
    assert_eq!(index_files(&rebuilt.written), ["search/index", "search/x/b0"], "the price in the books table");
    assert_eq!(index_files(&rebuilt.removed), ["search/x/b0"]);
    assert!(fs::read_to_string(shop.root().join("public/page/2/index.html")).expect("page").contains("$12.50"));
    shop.assert_same_as_a_full_build();
    assert_eq!(
        common::entries_named(shop.root(), ".write-"),
        Vec::<String>::new(),
        "each file was written beside the site, then moved in"
    );
}

#[test]
fn a_new_price_writes_only_its_books_price_list_shard_and_a_new_shard_count_all_of_them() {
    // 129 books: two shards of the price list.
    let mut shop = Shop::new(129);
    let shard_of = |id: &str, count| format!("catalog/{}.json", catalog::price_list::shard_of(id, count));
    let price_files = |files: &[String]| -> Vec<String> {
        sorted(files.iter().filter(|f| f.starts_with("catalog")).cloned().collect())
    };
    let rebuilt = shop.save("book-4", &book("Book 4", "12.50", "science", 4)).expect("rebuilds");
    assert_eq!(price_files(&rebuilt.written), [shard_of("book-4", 2)], "the manifest is the same");
    // 128 books: one shard; the manifest says so, and the second shard goes.
    let rebuilt = shop.delete("book-128");
    assert_eq!(price_files(&rebuilt.written), ["catalog.json", "catalog/0.json"]);
    assert_eq!(price_files(&rebuilt.removed), ["catalog/1.json"]);
    shop.assert_same_as_a_full_build();
    // 129 again: both shards.
    let rebuilt = shop.save("book-128", &book("Book 128", "10.00", "science", 128)).expect("rebuilds");
    assert_eq!(price_files(&rebuilt.written), ["catalog.json", "catalog/0.json", "catalog/1.json"]);
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_book_that_moves_in_the_catalog_moves_on_every_list_it_is_on() {
    let mut shop = Shop::new(10);
    shop.save("book-9", &book("Book 9", "10.00", "history", 0)).expect("rebuilds");
    let first = fs::read_to_string(shop.root().join("public/index.html")).expect("catalog");
    assert!(first.contains("Book 9"), "weight 0 puts it first");
    shop.assert_same_as_a_full_build();
    shop.save("book-9", &book("Book 9", "10.00", "science", 0)).expect("a new tag");
    shop.assert_same_as_a_full_build();
}

#[test]
fn books_can_be_added_deleted_and_made_drafts() {
    let mut shop = Shop::new(7);
    let added = shop.save("new-book", &book("A New Book", "5.00", "poetry", 2)).expect("adds");
    assert!(added.written.contains(&"books/new-book/index.html".to_owned()));
    assert!(added.written.contains(&"tags/poetry/index.html".to_owned()));
    shop.assert_same_as_a_full_build();

    let deleted = shop.delete("new-book");
    assert_eq!(
        site_files(&deleted.removed),
        ["books/new-book/index.html", "search/titles/a/index.html", "tags/poetry/index.html"],
        "its page (its drawn cover in it), the list of a tag no other book has and the titles in A"
    );
    assert!(!shop.root().join("public/books/new-book").exists(), "the empty folder goes too");
    shop.assert_same_as_a_full_build();

    // Seven books, three a page: the last catalog page goes with the seventh book.
    shop.delete("book-6");
    assert!(!shop.root().join("public/page/3").exists());
    shop.assert_same_as_a_full_build();

    let draft = book("Book 2", "10.00", "science", 2).replace("+++\ntitle", "+++\ndraft = true\ntitle");
    shop.save("book-2", &draft).expect("a draft is left out");
    assert!(!shop.root().join("public/books/book-2").exists());
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_broken_edit_leaves_the_output_as_it_was_and_says_where() {
    let mut shop = Shop::new(5);
    let before = shop.output();
    let error = shop.save("book-3", &book("Book 3", "10.999", "science", 3)).expect_err("a bad price");
    let message = format!("{error:#}").replace(&format!("{}/", shop.root().display()), "");
    assert_eq!(
        message,
        "error: content/books/book-3.md:4: price `10.999` has more than 2 decimals, the most USD has: round it to \
\"10.99\" or \"11.00\"\n1 problem found; nothing was written"
    );
    assert!(shop.output() == before, "the output is untouched");

    // Fixed, it builds; the books in memory were the last good ones meanwhile.
    shop.save("book-3", &book("Book 3", "11.00", "science", 3)).expect("fixed");
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_second_file_with_a_books_id_is_refused() {
    let mut shop = Shop::new(3);
    let path = shop.root().join("content/books/more/book-1.md");
    write(shop.root(), "content/books/more/book-1.md", &book("Copy", "1.00", "science", 1));
    let error = shop.engine.rebuild(&[path]).expect_err("a duplicate id");
    assert!(format!("{error:#}").contains("duplicate book id `book-1`"), "{error:#}");
}

#[test]
fn a_template_change_rebuilds_everything() {
    let mut shop = Shop::new(3);
    let template = shop.root().join("templates/404.html");
    write(shop.root(), "templates/404.html", "gone");
    let rebuilt = shop.engine.rebuild(&[template]).expect("rebuilds").expect("a template rebuilds");
    assert_eq!(rebuilt.full.expect("a full build").books, 3);
    assert_eq!(fs::read_to_string(shop.root().join("public/404.html")).expect("404"), "gone");
    shop.assert_same_as_a_full_build();
    // And books rebuild one by one again after it.
    shop.save("book-0", &book("Book 0", "3.00", "science", 0)).expect("rebuilds");
    shop.assert_same_as_a_full_build();
}

#[test]
fn an_editors_swap_file_changes_nothing() {
    let mut shop = Shop::new(2);
    let swap = shop.root().join("content/books/.book-0.md.swp");
    fs::write(&swap, "junk").expect("write");
    assert!(shop.engine.rebuild(&[swap]).expect("fine").is_none());
}

#[test]
fn a_folder_of_books_moved_in_or_out_brings_or_takes_its_books() {
    let mut shop = Shop::new(3);
    let outside = tempfile::tempdir().expect("temp dir");
    write(outside.path(), "more/extra.md", &book("Extra", "4.00", "science", 9));
    let folder = shop.book_path("more").with_extension("");
    fs::rename(outside.path().join("more"), &folder).expect("move in");
    let rebuilt = shop.engine.rebuild(std::slice::from_ref(&folder)).expect("rebuilds").expect("a folder rebuilds");
    assert_eq!(rebuilt.full.expect("a full build").books, 4);
    shop.assert_same_as_a_full_build();

    fs::rename(&folder, outside.path().join("more")).expect("move out");
    let rebuilt = shop.engine.rebuild(&[folder]).expect("rebuilds").expect("its books go");
    assert!(rebuilt.removed.contains(&"books/extra/index.html".to_owned()), "{:?}", rebuilt.removed);
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_tools_temporary_file_beside_the_books_changes_nothing() {
    let mut shop = Shop::new(2);
    let temp = shop.root().join("content/books/sedAb12Cd");
    fs::write(&temp, "half an edit").expect("write");
    assert!(shop.engine.rebuild(std::slice::from_ref(&temp)).expect("fine").is_none());
    fs::remove_file(&temp).expect("gone");
    assert!(shop.engine.rebuild(&[temp]).expect("fine").is_none());
}

#[test]
fn a_rename_saved_with_a_broken_book_is_applied_and_the_book_kept_until_fixed() {
    let mut shop = Shop::new(4);
    let (old, new, typo) = (shop.book_path("book-1"), shop.book_path("renamed"), shop.book_path("book-2"));
    let book_2_page = fs::read(shop.root().join("public/books/book-2/index.html")).expect("page");
    fs::rename(&old, &new).expect("rename");
    fs::write(&typo, book("Book 2", "10.999", "science", 2)).expect("a typo");
    // One batch of events, as the watcher delivers a rename and a save in the same moment.
    let rebuilt = shop.engine.rebuild(&[new.clone(), old.clone(), typo.clone()]).expect("rebuilds").expect("changes");
    assert!(rebuilt.removed.contains(&"books/book-1/index.html".to_owned()), "{:?}", rebuilt.removed);
    assert!(rebuilt.written.contains(&"books/renamed/index.html".to_owned()), "{:?}", rebuilt.written);
    let problems: Vec<String> = rebuilt.problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with(&format!("{}:4: price `10.999`", typo.display())), "{problems:?}");
    assert_eq!(shop.engine.pending(), std::slice::from_ref(&typo), "the broken book is owed");
    assert_eq!(fs::read(shop.root().join("public/books/book-2/index.html")).expect("page"), book_2_page);
    assert!(common::price_list(&shop.root().join("public"))["books"].get("book-1").is_none());

    // Another book's save retries it: still broken, still reported, still kept.
    let again = shop.save("book-0", &book("Book 0", "9.00", "science", 0)).expect("rebuilds");
    assert_eq!(again.problems.len(), 1);
    assert!(again.written.contains(&"books/book-0/index.html".to_owned()));

    fs::write(&typo, book("Book 2", "10.00", "science", 2)).expect("fixed");
    let fixed = shop.engine.rebuild(std::slice::from_ref(&typo)).expect("rebuilds").expect("changes");
    assert!(fixed.problems.is_empty());
    assert!(shop.engine.pending().is_empty());
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_rename_saved_with_only_broken_books_is_not_forgotten() {
    let mut shop = Shop::new(3);
    let (old, new) = (shop.book_path("book-1"), shop.book_path("renamed"));
    fs::rename(&old, &new).expect("rename");
    fs::write(&new, book("Book 1", "1,00", "science", 1)).expect("and broken in the same save");
    shop.engine.rebuild(&[old.clone(), new.clone()]).expect("the old id goes").expect("changes");
    assert!(!shop.root().join("public/books/book-1").exists(), "a deleted file is never broken");
    fs::write(&new, book("Book 1", "1.00", "science", 1)).expect("fixed");
    shop.engine.rebuild(std::slice::from_ref(&new)).expect("rebuilds");
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_broken_template_then_a_book_edit_still_rebuilds_everything_once_fixed() {
    let mut shop = Shop::new(3);
    let template = shop.root().join("templates/404.html");
    write(shop.root(), "templates/404.html", "{% if %}");
    shop.engine.rebuild(std::slice::from_ref(&template)).expect_err("a template that does not compile");
    write(shop.root(), "templates/404.html", "gone");
    // The next event is a book's; the template change is still owed.
    let rebuilt = shop.save("book-0", &book("Book 0", "3.00", "science", 0)).expect("rebuilds");
    assert!(rebuilt.full.is_some(), "the whole site, for the template");
    assert_eq!(fs::read_to_string(shop.root().join("public/404.html")).expect("404"), "gone");
    shop.assert_same_as_a_full_build();
}

#[test]
fn only_the_watchers_preview_carries_the_preview_script() {
    let mut shop = Shop::new(3);
    let preview = shop.root().join("preview");
    let (mut engine, _) =
        Engine::preview(&Layout::new(shop.root()), &preview, &common::options(Drafts::Skip)).expect("first build");
    let tag = "<script src=\"/_bookshop/preview.js\" defer></script></head>";
    let pages = |dir: &Path| tree(dir).into_iter().filter(|(rel, _)| rel.ends_with(".html")).collect::<Vec<_>>();
    assert!(pages(&preview).len() > 5);
    for (rel, bytes) in pages(&preview) {
        assert!(String::from_utf8_lossy(&bytes).contains(tag), "{rel} has the preview script");
    }
    assert!(preview.join("_bookshop/preview.js").is_file());
    // A rebuilt page keeps it; a build for deploy never has it.
    let path = shop.book_path("book-1");
    fs::write(&path, book("Book 1", "2.00", "science", 1)).expect("save");
    engine.rebuild(std::slice::from_ref(&path)).expect("rebuilds");
    assert!(fs::read_to_string(preview.join("books/book-1/index.html")).expect("page").contains(tag));
    shop.engine.rebuild(&[path]).expect("rebuilds");
    let built = shop.fresh_build();
    assert!(built.keys().all(|rel| !rel.starts_with("_bookshop")), "no preview file in a build");
    assert!(built.values().all(|bytes| !String::from_utf8_lossy(bytes).contains("_bookshop")));
}

#[test]
fn watching_with_drafts_previews_a_draft_and_its_edits() {
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_default_theme(dir.path());
    write(dir.path(), "content/site.toml", "title = \"Watch Press\"\n");
    let draft =
        |title: &str| format!("+++\ntitle = \"{title}\"\nauthor = \"A\"\nprice = \"9.00\"\ndraft = true\n+++\nSoon.\n");
    write(dir.path(), "content/books/soon.md", &draft("Soon"));
    let out = dir.path().join("public");
    let (mut engine, summary) =
        Engine::start(&Layout::new(dir.path()), &out, &common::options(Drafts::Include)).expect("first build");
    assert_eq!(
        (summary.books, summary.drafts_note()),
        (1, " (1 draft included: a preview, never deploy it)".to_owned())
    );
    let path = dir.path().join("content/books/soon.md");
    fs::write(&path, draft("Sooner")).expect("edit");
    let rebuilt = engine.rebuild(std::slice::from_ref(&path)).expect("rebuilds").expect("a book change");
    assert!(rebuilt.written.contains(&"books/soon/index.html".to_owned()), "{:?}", rebuilt.written);
    assert!(fs::read_to_string(out.join("books/soon/index.html")).expect("page").contains("Sooner"));

    let (_, summary) =
        Engine::start(&Layout::new(dir.path()), &dir.path().join("skipped"), &common::options(Drafts::Skip))
            .expect("build");
    assert_eq!((summary.books, summary.drafts_note()), (0, " (1 draft skipped; --drafts previews it)".to_owned()));
}

#[test]
fn an_edited_book_brings_its_description_images_and_drops_them_when_they_go() {
    let mut shop = Shop::new(4);
    fs::write(shop.root().join("content/books/author.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
        .expect("image");
    let with_image = book("Book 2", "10.00", "science", 2).replace("More about it.", "![The author](author.svg)");
    let rebuilt = shop.save("book-2", &with_image).expect("rebuilds");
    assert_eq!(site_files(&rebuilt.written), ["books/book-2/author.svg", "books/book-2/index.html"]);
    shop.assert_same_as_a_full_build();

    let image = shop.root().join("content/books/author.svg");
    fs::write(&image, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"2\"/>").expect("image");
    let rebuilt = shop.engine.rebuild(std::slice::from_ref(&image)).expect("rebuilds").expect("an image rebuilds");
    assert!(rebuilt.full.is_some(), "an image beside the books rebuilds the site");
    shop.assert_same_as_a_full_build();

    let rebuilt = shop.save("book-2", &book("Book 2", "10.00", "science", 2)).expect("rebuilds");
    assert_eq!(site_files(&rebuilt.removed), ["books/book-2/author.svg"]);
    shop.assert_same_as_a_full_build();

    fs::remove_file(&image).expect("remove");
    let broken = shop.save("book-2", &with_image).expect_err("a missing image is an error");
    assert_eq!(
        broken.to_string(),
        format!(
            "error: {}:10: image file `{}` does not exist\n  help: put the image beside the book file (the path is relative to it), or remove the image\n1 problem found; nothing was written",
            shop.book_path("book-2").display(),
            image.display()
        )
    );
}

/// A small JPEG, its pixels depending on `shade`.
fn jpeg(shade: u8) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(40, 60, |x, y| image::Rgb([shade, (x * 6) as u8, (y * 4) as u8]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageRgb8(pixels)
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
        .expect("a JPEG");
    bytes
}

#[test]
fn an_edited_cover_writes_its_new_files_and_removes_the_old() {
    let mut shop = Shop::new(4);
    fs::write(shop.root().join("content/books/a.jpg"), jpeg(10)).expect("write");
    fs::write(shop.root().join("content/books/b.jpg"), jpeg(200)).expect("write");
    let with =
        |cover: &str| book("Book 1", "10.00", "science", 1).replace("weight", &format!("cover = \"{cover}\"\nweight"));
    let cover_files = |files: &[String]| -> Vec<String> {
        sorted(files.iter().filter(|f| f.contains("covers/book-1")).cloned().collect())
    };

    let first = shop.save("book-1", &with("a.jpg")).expect("a cover");
    let a = cover_files(&first.written);
    assert_eq!(a.len(), 2, "one width (the image is 40 px wide), two formats: {a:?}");
    assert_eq!(cover_files(&first.removed), Vec::<String>::new(), "a drawn cover is no file");
    shop.assert_same_as_a_full_build();

    let second = shop.save("book-1", &with("b.jpg")).expect("another cover");
    assert_eq!(cover_files(&second.removed), a, "the old image's files go");
    let b = cover_files(&second.written);
    assert_eq!(b.len(), 2);
    assert!(b.iter().all(|f| !a.contains(f)), "new names: {b:?}");
    shop.assert_same_as_a_full_build();

    let third = shop.save("book-1", &book("Book 1", "10.00", "science", 1)).expect("no cover");
    assert_eq!(cover_files(&third.removed), b);
    assert_eq!(cover_files(&third.written), Vec::<String>::new(), "drawn into its page");
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_title_under_a_new_letter_gets_its_page_and_the_last_title_under_a_letter_takes_it_away() {
    let mut shop = Shop::new(4);
    let rebuilt = shop.save("book-2", &book("Zebras", "10.00", "science", 2)).expect("rebuilds");
    let pages = |files: &[String]| sorted(files.iter().filter(|f| f.starts_with("search/")).cloned().collect());
    let written = ["search/index.html", "search/titles/b/index.html", "search/titles/z/index.html"];
    assert_eq!(pages(&rebuilt.written).iter().filter(|f| !is_index(f)).collect::<Vec<_>>(), written);
    shop.assert_same_as_a_full_build();
    let rebuilt = shop.save("book-2", &book("Book 2", "10.00", "science", 2)).expect("rebuilds");
    assert!(rebuilt.removed.contains(&"search/titles/z/index.html".to_owned()), "{:?}", rebuilt.removed);
    shop.assert_same_as_a_full_build();
}

#[test]
fn edits_of_a_title_tags_and_description_write_what_a_full_build_would() {
    let mut shop = Shop::new(30);
    // A title that keeps the book's place (weight first): its page, its lists, the price
    // list, the books table and the names' shard; not the sitemap.
    let rebuilt = shop.save("book-7", &book("Book Seven Renamed", "10.00", "history", 7)).expect("rebuilds");
    assert!(!rebuilt.written.contains(&"sitemap.xml".to_owned()), "{:?}", rebuilt.written);
    assert!(rebuilt.written.contains(&"search/titles/b/index.html".to_owned()), "the page of titles in B");
    shop.assert_same_as_a_full_build();
    // A new word in the description, then it gone.
    let text = book("Book Seven Renamed", "10.00", "history", 7).replace("More about it.", "Zebras, quietly.");
    shop.save("book-7", &text).expect("rebuilds");
    shop.assert_same_as_a_full_build();
    shop.save("book-7", &book("Book Seven Renamed", "10.00", "history", 7)).expect("rebuilds");
    shop.assert_same_as_a_full_build();
    // Tags: the lists it leaves and joins, every page after it on them.
    shop.save("book-7", &book("Book Seven Renamed", "10.00", "science", 7)).expect("rebuilds");
    shop.assert_same_as_a_full_build();
    shop.save("book-12", &book("Book 12", "10.00", "poetry", 12)).expect("rebuilds");
    shop.assert_same_as_a_full_build();
    // Two books in one save, one of them moving.
    fs::write(shop.book_path("book-3"), book("Book 3", "11.00", "science", 3)).expect("write");
    fs::write(shop.book_path("book-20"), book("Book 20", "10.00", "science", 1)).expect("write");
    let paths = [shop.book_path("book-3"), shop.book_path("book-20")];
    shop.engine.rebuild(&paths).expect("rebuilds").expect("a book change rebuilds");
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_tags_edit_rewrites_the_first_page_of_each_list_and_the_pages_from_the_books_place_on() {
    // 31 books, 3 a page: 16 on science (6 pages), 15 on history (5 pages).
    let mut shop = Shop::new(31);
    let rebuilt = shop.save("book-27", &book("Book 27", "10.00", "science", 27)).expect("rebuilds");
    let tag_pages: Vec<String> = site_files(&rebuilt.written).into_iter().filter(|f| f.starts_with("tags/")).collect();
    // History loses its 14th book (page 5), science gains a 15th (page 5, pushing one to
    // page 6); each first page says how many books its list has. Pages 2 to 4 stay.
    assert_eq!(
        tag_pages,
        [
            "tags/history/index.html",
            "tags/history/page/5/index.html",
            "tags/science/index.html",
            "tags/science/page/5/index.html",
            "tags/science/page/6/index.html"
        ]
    );
    let second = fs::read_to_string(shop.root().join("public/tags/science/page/2/index.html")).expect("page");
    assert!(!second.contains("17 books"), "the count is on the first page only");
    assert!(fs::read_to_string(shop.root().join("public/tags/science/index.html")).expect("page").contains("17 books"));
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_book_sold_out_and_a_title_that_moves_it_one_place_write_what_a_full_build_would() {
    let mut shop = Shop::new(12);
    let sold_out = book("Book 5", "10.00", "history", 5).replace("+++\ntitle", "+++\navailable = false\ntitle");
    let rebuilt = shop.save("book-5", &sold_out).expect("rebuilds");
    assert!(rebuilt.written.iter().any(|f| f.starts_with("catalog/")), "its price-list shard: {:?}", rebuilt.written);
    shop.assert_same_as_a_full_build();
    // Books 5 and 6 of one weight, 6th and 7th in the catalog (pages 2 and 3): a title
    // after book 6's swaps them, and rewrites those two catalog pages and no other.
    shop.save("book-5", &book("Book 5", "10.00", "history", 5)).expect("rebuilds");
    shop.save("book-6", &book("Book 6", "10.00", "science", 5)).expect("rebuilds");
    let rebuilt = shop.save("book-5", &book("Book 7", "10.00", "history", 5)).expect("rebuilds");
    let pages: Vec<String> = site_files(&rebuilt.written).into_iter().filter(|f| f.ends_with(".html")).collect();
    assert_eq!(
        pages,
        [
            "books/book-5/index.html",
            "page/2/index.html",
            "page/3/index.html",
            "search/titles/b/index.html",
            "tags/history/index.html"
        ],
        "its page, the two catalog pages, the titles under B and its place on history's list"
    );
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_newly_published_book_enters_the_feed_and_an_edit_of_a_book_outside_it_leaves_it() {
    let mut shop = Shop::new(30);
    // Without dates the feed is the first 20 titles: "Book 9" is not among them.
    let rebuilt = shop.save("book-9", &book("Book 9", "11.00", "science", 9)).expect("rebuilds");
    assert!(!rebuilt.written.contains(&"atom.xml".to_owned()));
    shop.assert_same_as_a_full_build();
    let dated = book("Book 9", "11.00", "science", 9).replace("+++\ntitle", "+++\npublished = 2030-01-01\ntitle");
    let rebuilt = shop.save("book-9", &dated).expect("rebuilds");
    assert!(rebuilt.written.contains(&"atom.xml".to_owned()));
    shop.assert_same_as_a_full_build();
    shop.delete("book-9");
    shop.assert_same_as_a_full_build();
}

#[test]
fn two_books_saved_together_with_one_tag_spelled_two_ways_are_refused() {
    let mut shop = Shop::new(4);
    fs::write(shop.book_path("book-1"), book("Book 1", "10.00", "Sci-Fi", 1)).expect("write");
    fs::write(shop.book_path("book-2"), book("Book 2", "10.00", "Sci.Fi", 2)).expect("write");
    let paths = [shop.book_path("book-1"), shop.book_path("book-2")];
    let error = shop.engine.rebuild(&paths).expect_err("one page for two tags");
    assert!(error.to_string().contains("would share the page /tags/sci-fi/"), "{error}");
    assert!(!shop.root().join("public/tags/sci-fi").exists(), "nothing was written");
}

#[test]
fn a_new_book_leaves_the_pages_of_titles_it_is_not_on_in_place() {
    let mut shop = Shop::new(6);
    shop.save("book-1", &book("Atlas", "10.00", "history", 1)).expect("rebuilds");
    let a = shop.root().join("public/search/titles/a/index.html");
    let before = fs::read_to_string(&a).expect("the page of titles under A");
    // A new book under B: the page of A shows what it showed, is not made again, and stays.
    let rebuilt = shop.save("book-new", &book("Book New", "10.00", "science", 9)).expect("rebuilds");
    assert!(site_files(&rebuilt.written).contains(&"search/titles/b/index.html".to_owned()));
    assert_eq!(fs::read_to_string(&a).expect("the page of titles under A stays"), before);
    shop.assert_same_as_a_full_build();
}

/// Catches up on everything the last rebuilds owed, a few pages at a time.
fn catch_up(shop: &mut Shop) {
    while shop.engine.owes() {
        shop.engine.catch_up(4).expect("catches up");
    }
}

#[test]
fn a_book_that_moves_hundreds_of_list_pages_writes_the_pages_that_show_it_first_and_the_rest_after() {
    // 60 books, 3 a page: a book added at the front moves every catalog page (20) and
    // every page of its tag's list (10), more than the 16 this shop owes over.
    let mut shop = Shop::new(60);
    shop.engine.owe_over(16, usize::MAX);
    let before = shop.output();
    let added = shop.save("aardvark", &book("Aardvark", "5.00", "science", 0)).expect("adds");
    let (owed, search) = shop.engine.owed();
    assert!(owed > 16 && search, "{owed} list pages owed, the search index too");
    let written = site_files(&added.written);
    for page in ["books/aardvark/index.html", "index.html", "tags/science/index.html"] {
        assert!(written.contains(&page.to_owned()), "{page} is written with the edit: {written:?}");
    }
    assert!(!written.contains(&"page/2/index.html".to_owned()), "page 2 only moved: {written:?}");
    assert!(written.contains(&"page/21/index.html".to_owned()), "a page the list gained is new: {written:?}");
    assert!(written.len() < 12, "only the pages that show the book or count the books: {written:?}");
    // Meanwhile the other pages and the whole search index are as they were: a shopper's
    // search finds the index's files, and a moved page is a place off, not broken.
    let now = shop.output();
    for (rel, bytes) in &before {
        if !added.written.contains(rel) {
            assert!(now.get(rel) == Some(bytes), "{rel} is kept until caught up");
        }
    }
    assert!(added.written.iter().all(|f| !f.starts_with("search/")), "{:?}", added.written);

    catch_up(&mut shop);
    shop.assert_same_as_a_full_build();

    // A second edit before the first is caught up: the owed pages are written as they are by
    // then. (Deleting the book after it would put every moved page back as it was.)
    shop.save("aardvark-1", &book("Aardvark One", "5.00", "science", 0)).expect("adds");
    shop.engine.catch_up(4).expect("writes the search index");
    shop.engine.catch_up(4).expect("writes a batch of pages");
    shop.delete("book-30");
    assert!(shop.engine.owed().0 > 0, "the pages between the two books are still owed");
    catch_up(&mut shop);
    shop.assert_same_as_a_full_build();

    // Added, then taken away before any catching up: the moved pages are back where they were.
    shop.save("aardvark-2", &book("Aardvark Two", "5.00", "history", 0)).expect("adds");
    assert!(shop.engine.owes());
    // An edit that owes nothing writes the owed search index with its own change.
    let retitled = shop.save("book-5", &book("Book Five", "10.00", "history", 5)).expect("edits");
    assert!(retitled.written.iter().any(|f| f == "search/index.json"), "{:?}", retitled.written);
    assert!(shop.engine.owed() > (0, false), "the list pages stay owed");
    shop.delete("aardvark-2");
    catch_up(&mut shop);
    shop.assert_same_as_a_full_build();
}

#[test]
fn an_edit_that_moves_few_list_pages_writes_them_all_at_once() {
    let mut shop = Shop::new(60);
    let added = shop.save("aardvark", &book("Aardvark", "5.00", "science", 0)).expect("adds");
    assert!(!shop.engine.owes(), "20 catalog pages and 10 of a tag are written with the edit");
    assert!(
        added.written.contains(&"page/20/index.html".to_owned())
            && added.written.contains(&"search/index.json".to_owned())
    );
    shop.assert_same_as_a_full_build();
}

#[test]
fn in_a_large_shop_an_edit_that_moves_books_writes_the_search_index_after() {
    // As if over incremental::SEARCH_OWED_OVER books.
    let mut shop = Shop::new(30);
    shop.engine.owe_over(usize::MAX, 20);
    let description = book("Book 7", "10.00", "history", 7).replace("More about it.", "A zebra.");
    let edited = shop.save("book-7", &description).expect("edits");
    assert!(!shop.engine.owes() && edited.written.iter().any(|f| f.starts_with("search/x/")), "no book moved");
    let moved = shop.save("book-7", &book("Book 7", "10.00", "history", 70)).expect("moves");
    assert_eq!(shop.engine.owed(), (0, true), "the list pages are written; the index is owed");
    assert!(moved.written.iter().all(|f| !f.starts_with("search/")), "{:?}", moved.written);
    catch_up(&mut shop);
    shop.assert_same_as_a_full_build();
}

#[test]
fn a_book_broken_while_the_search_index_is_owed_keeps_its_last_version_and_other_saves_go_on() {
    let mut shop = Shop::new(30);
    shop.engine.owe_over(usize::MAX, 20);
    let moved = book("Book 7", "10.00", "history", 70);
    shop.save("book-7", &moved).expect("moves");
    assert!(shop.engine.owes());
    shop.save("book-7", &moved.replace("10.00", "ten")).expect_err("a broken price");
    // Its words were read with the edit: the index owed does not need its file now.
    let described = book("Book 8", "10.00", "science", 8).replace("More about it.", "A walrus.");
    shop.save("book-8", &described).expect("another book's edit is applied");
    shop.save("book-7", &moved).expect("fixed");
    catch_up(&mut shop);
    shop.assert_same_as_a_full_build();
}
