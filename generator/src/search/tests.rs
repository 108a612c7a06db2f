use catalog::Currency;
use serde_json::Value;

use super::*;

/// A book whose file holds only its description, in a folder of its own.
fn book(id: &str, title: &str, author: &str, tags: &[&str], body: &str) -> Book {
    static FILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("bookshop-search-tests-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut book = Book {
        id: id.to_owned(),
        path: dir.join(format!("{id}.md")),
        title: title.to_owned(),
        author: author.to_owned(),
        amount: 2300,
        currency: Currency::from_code("usd").expect("usd"),
        cover: None,
        isbn: None,
        published: None,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        weight: 0,
        available: true,
        draft: false,
        body: crate::content::Body { at: 0, digest: 0 },
        images: Vec::new(),
        summary: String::new(),
    };
    set_body(&mut book, body);
    book
}

/// Writes a new description into the book's file.
fn set_body(book: &mut Book, body: &str) {
    std::fs::write(&book.path, body).expect("write the book");
    book.body = crate::content::Body { at: 0, digest: catalog::digest::fnv1a(body.as_bytes()) };
}

fn file<'a>(index: &'a Index, url: &str) -> &'a str {
    let rel = url.trim_start_matches('/');
    &index.files.iter().find(|(path, _)| path == rel).unwrap_or_else(|| panic!("no file {rel}")).1
}

fn manifest(index: &Index) -> Value {
    serde_json::from_str(file(index, MANIFEST_URL)).expect("the manifest is JSON")
}

/// What `search.js` reads for a term: (field, book number) pairs, from the shard whose range
/// holds it.
fn postings(index: &Index, tier: &str, term: &str) -> Vec<(u64, u64)> {
    let manifest = manifest(index);
    let shards = manifest[tier].as_array().expect("a shard list");
    let at = shards.iter().rposition(|s| js_order(s[0].as_str().unwrap_or_default(), term).is_le()).unwrap_or_default();
    let shard: Value = serde_json::from_str(file(index, shards[at][1].as_str().unwrap_or_default())).expect("JSON");
    let Some(list) = shard[term].as_array() else { return Vec::new() };
    let numbers: Vec<u64> = list.iter().filter_map(Value::as_u64).collect();
    let mut found = Vec::new();
    let mut k = 0;
    while k < numbers.len() {
        let (field, count) = (numbers[k], numbers[k + 1]);
        k += 2;
        let mut book = 0;
        for _ in 0..count {
            book += numbers[k];
            k += 1;
            found.push((field, book));
        }
    }
    found
}

#[test]
fn case_and_accents_are_folded_as_a_shopper_types() {
    assert_eq!(fold("Café"), "cafe");
    assert_eq!(fold("CAFÉ CRÈME"), "cafe creme");
    assert_eq!(fold("Straße"), "strasse");
    assert_eq!(fold("Ærø Łódź"), "aero lodz");
    assert_eq!(fold("ﬁne Ⅸ"), "fine ix", "compatibility forms are spelled out");
    assert_eq!(fold("Ἀθῆναι"), "αθηναι");
    assert_eq!(fold("吾輩は猫である"), "吾輩は猫てある", "only marks go: the dakuten of で");
}

#[test]
fn text_is_cut_into_terms_and_an_isbn_is_one() {
    assert_eq!(
        terms("The Art of Doing Science & Engineering"),
        ["the", "art", "of", "doing", "science", "engineering"]
    );
    assert_eq!(terms("978-1-7322651-7-2"), ["9781732265172"]);
    assert_eq!(terms("1-56619-909-X"), ["156619909", "x"]);
    assert_eq!(terms("self-published, 1990s"), ["self", "published", "1990s"]);
    assert_eq!(terms(&"x".repeat(MAX_TERM + 1)), Vec::<String>::new(), "too long to be a word");
}

#[test]
fn a_description_is_indexed_by_the_words_a_reader_sees() {
    let text = plain_text("A [link](https://example.com/hidden) and `code` and *emphasis*.\n\n## Heading");
    assert_eq!(terms(&text), ["a", "link", "and", "code", "and", "emphasis", "heading"]);
}

#[test]
fn each_term_is_found_in_its_field_for_its_books() {
    let books = [
        book("cafe", "Café Society", "Ann Author", &["Food"], "About coffee."),
        book("other", "Coffee", "Café Owner", &[], "A society of people."),
    ];
    let mut with_isbn = book("isbn", "Numbers", "N. N.", &[], "");
    with_isbn.isbn = Some("978-1-7322651-7-2".into());
    let books = [books[0].clone(), books[1].clone(), with_isbn];
    let index = Index::build(&books).expect("index");
    assert_eq!(postings(&index, "names", "cafe"), [(0, 0), (1, 1)], "title of book 0, author of book 1");
    assert_eq!(postings(&index, "names", "society"), [(0, 0)]);
    assert_eq!(postings(&index, "words", "society"), [(4, 1)]);
    assert_eq!(postings(&index, "names", "food"), [(2, 0)]);
    assert_eq!(postings(&index, "names", "9781732265172"), [(3, 2)]);
    assert_eq!(postings(&index, "words", "cafe"), []);
    let m = manifest(&index);
    assert_eq!(m["version"], 1);
    assert_eq!(m["weights"], serde_json::json!(WEIGHTS));
    assert_eq!(m["fold"]["ß"], "ss");
    let table: Value = serde_json::from_str(file(&index, m["chunks"][0].as_str().unwrap_or_default())).expect("JSON");
    assert_eq!(
        table[0],
        // A drawn cover has no file: no cover URL, and the page shows a plain one.
        serde_json::json!(["cafe", "Café Society", "Ann Author", "$23.00", "/books/cafe/", "", 1])
    );
}

#[test]
fn a_large_tier_is_cut_into_sorted_shards_each_term_in_one() {
    let words: Vec<String> = (0..6000).map(|i| format!("word{i:05}")).collect();
    let books: Vec<Book> =
        (0..40).map(|i| book(&format!("b{i}"), &format!("Title {i}"), "A. Author", &[], &words.join(" "))).collect();
    let index = Index::build(&books).expect("index");
    let m = manifest(&index);
    let shards = m["words"].as_array().expect("shards");
    assert!(shards.len() > 1, "a large tier spans several shards");
    let firsts: Vec<&str> = shards.iter().filter_map(|s| s[0].as_str()).collect();
    assert!(firsts.windows(2).all(|w| js_order(w[0], w[1]).is_lt()), "shards are in order");
    let mut seen = 0;
    for shard in shards {
        let text = file(&index, shard[1].as_str().unwrap_or_default());
        assert!(text.len() < WORDS_SHARD * 2, "a shard stays near its target");
        seen += serde_json::from_str::<serde_json::Map<String, Value>>(text).expect("JSON").len();
    }
    assert_eq!(seen, 6000, "every term is in exactly one shard");
    assert_eq!(postings(&index, "words", "word04321").len(), 40);
}

#[test]
fn the_index_is_named_by_its_bytes_and_follows_an_edit() {
    let mut books = vec![book("a", "Alpha", "X", &[], "one"), book("b", "Beta", "Y", &[], "two")];
    let before = Index::build(&books).expect("index");
    assert_eq!(Index::build(&books).expect("index").files, before.files, "the same books make the same files");
    books[1].title = "Gamma".into();
    let after = Index::build(&books).expect("index");
    let changed: Vec<&str> =
        after.files.iter().filter(|f| !before.files.contains(f)).map(|(path, _)| path.as_str()).collect();
    assert!(changed.contains(&"search/index.json"));
    assert!(changed.iter().any(|p| p.starts_with("search/x/n0.")), "the names shard: {changed:?}");
    assert!(changed.iter().any(|p| p.starts_with("search/x/b0.")), "the books chunk: {changed:?}");
    assert!(!changed.iter().any(|p| p.starts_with("search/x/w")), "the words did not change: {changed:?}");
}

#[test]
fn the_search_page_lists_every_book_a_to_z_by_letter() {
    let books = [
        book("z", "Zebra", "A", &[], ""),
        book("e", "Éclair", "A", &[], ""),
        book("a", "apple", "A", &[], ""),
        book("n", "1984", "A", &[], ""),
        book("j", "吾輩は猫である", "A", &[], ""),
        // A title that starts with a mark is listed under its first letter, among the others.
        book("q", "'Salem's Lot", "A", &[], ""),
        book("r", "Rebecca", "A", &[], ""),
        book("s", "Sabriel", "A", &[], ""),
    ];
    let letters = a_to_z(&books);
    let shown: Vec<(&str, Vec<&str>)> =
        letters.iter().map(|l| (l.0.as_str(), l.2.iter().map(String::as_str).collect())).collect();
    assert_eq!(
        shown,
        [
            ("0–9", vec!["1984"]),
            ("A", vec!["apple"]),
            ("E", vec!["Éclair"]),
            ("R", vec!["Rebecca"]),
            ("S", vec!["'Salem's Lot", "Sabriel"]),
            ("Z", vec!["Zebra"]),
            ("…", vec!["吾輩は猫である"])
        ]
    );
    let pages: Vec<&str> = letters.iter().map(|l| l.1.as_str()).collect();
    assert_eq!(
        pages,
        [
            "/search/titles/digits/",
            "/search/titles/a/",
            "/search/titles/e/",
            "/search/titles/r/",
            "/search/titles/s/",
            "/search/titles/z/",
            "/search/titles/other/"
        ]
    );
}

/// Figures for a shop of 10,000 books of synthetic text (as bench/gen_shop.py makes), printed;
/// only correctness is asserted. `cargo test -p generator --release -- --nocapture ten_thousand`
#[test]
fn ten_thousand_books_index_figures() {
    use std::io::Write as _;
    const WORDS: &str = "book press idea progress science engineering history craft software open source \
        maintenance design journal code learning research theory practice library reader author edition \
        chapter signal system network invention laboratory computer future method question answer problem";
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut seed = 42_u64;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    let mut pick = |n: usize| (0..n).map(|_| words[next(words.len())]).collect::<Vec<_>>().join(" ");
    let books: Vec<Book> = (0..10_000)
        .map(|i| {
            let title = format!("{} {i}", pick(3));
            book(&format!("book-{i:06}"), &title, &pick(2), &["science"], &pick(350))
        })
        .collect();
    let started = std::time::Instant::now();
    let index = Index::build(&books).expect("index");
    let took = started.elapsed();
    let gz = |text: &str| {
        let mut out = std::process::Command::new("gzip")
            .arg("-9c")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("gzip");
        out.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
        out.wait_with_output().expect("gzip").stdout.len()
    };
    let total: usize = index.files.iter().map(|(_, t)| t.len()).sum();
    let total_gz: usize = index.files.iter().map(|(_, t)| gz(t)).sum();
    let m = manifest(&index);
    let first_names = file(&index, m["names"][0][1].as_str().unwrap_or_default());
    let first_words = file(&index, m["words"][0][1].as_str().unwrap_or_default());
    let chunk = file(&index, m["chunks"][0].as_str().unwrap_or_default());
    println!(
        "10,000 books: {} files, {total} B ({total_gz} B gzipped), built in {took:?}; manifest {} B gz, \
         a names shard {} B gz, a words shard {} B gz, a books chunk {} B gz",
        index.files.len(),
        gz(file(&index, MANIFEST_URL)),
        gz(first_names),
        gz(first_words),
        gz(chunk)
    );
    assert_eq!(m["books"], 10_000);
    assert_eq!(m["chunks"].as_array().map(Vec::len), Some(10_000_usize.div_ceil(BOOKS_PER_CHUNK)));
    assert!(index.files.len() < 500, "tens or hundreds of files, not one per book or term");
    assert_eq!(postings(&index, "names", "science").iter().filter(|(f, _)| *f == Field::Tag as u64).count(), 10_000);
}

#[test]
fn a_rebuild_from_the_cache_reads_only_forgotten_books_and_matches_a_fresh_build() {
    let mut books = vec![book("a", "Alpha", "X", &[], "one"), book("b", "Beta", "Y", &[], "two")];
    let cache = Cache::default();
    assert_eq!(Index::build_with(&books, &cache).expect("index").0.files, Index::build(&books).expect("index").files);
    set_body(&mut books[1], "three");
    books.push(book("c", "Gamma", "Z", &[], "four"));
    cache.forget("b");
    assert_eq!(
        Index::build_with(&books, &cache).expect("index").0.files,
        Index::build(&books).expect("index").files,
        "b read again, c read"
    );
    books.remove(0);
    assert_eq!(
        Index::build_with(&books, &cache).expect("index").0.files,
        Index::build(&books).expect("index").files,
        "a gone"
    );
}

/// The index files a folder holds after each build's new files are written and its stale
/// ones removed, as the watcher does.
fn apply(folder: &mut std::collections::BTreeMap<String, String>, books: &[Book], cache: &Cache) {
    let (index, _) = Index::build_with(books, cache).expect("index");
    let stale = cache.take_stale();
    match stale {
        Some(stale) => {
            for rel in stale {
                assert!(folder.remove(&rel).is_some(), "{rel} was written before it is stale");
            }
        }
        None => folder.clear(),
    }
    folder.extend(index.files);
}

fn fresh(books: &[Book]) -> std::collections::BTreeMap<String, String> {
    Index::build(books).expect("index").files.into_iter().collect()
}

#[test]
fn after_each_edit_the_kept_index_writes_what_a_fresh_build_would_have() {
    // Enough books, with words of their own, for several shards in each tier.
    let word = |i: usize| format!("w{}x{}", i * 7919 % 100_003, i % 7);
    let mut books: Vec<Book> = (0..3000)
        .map(|i| {
            let body = format!("{} {} {} common words here", word(i), word(i + 1), word(i * 3));
            book(&format!("b{i:04}"), &format!("Title {} {}", word(i), i), "Some Author", &["science"], &body)
        })
        .collect();
    let cache = Cache::incremental();
    let mut folder = std::collections::BTreeMap::new();
    apply(&mut folder, &books, &cache);
    assert_eq!(folder, fresh(&books));
    assert!(manifest(&Index::build(&books).expect("index"))["names"].as_array().map_or(0, Vec::len) > 2);
    let written_before = folder.len();

    // A description: its words come and go.
    set_body(&mut books[10], "entirely new vocabulary zebra");
    cache.forget("b0010");
    let (index, changed) = Index::build_with(&books, &cache).expect("index");
    assert_eq!(changed, Some(vec!["b0010".to_owned()]), "the book read again");
    assert!(index.files.len() < written_before / 4, "{} of {written_before} files written", index.files.len());
    let stale = cache.take_stale().expect("the files it replaced");
    for rel in stale {
        folder.remove(&rel);
    }
    folder.extend(index.files);
    assert_eq!(folder, fresh(&books), "a description");
    assert_eq!(postings(&Index::build(&books).expect("index"), "words", "zebra"), [(4, 10)]);

    // A title, an author, tags, in place.
    books[20].title = "A Wholly Different Title".to_owned();
    cache.forget("b0020");
    apply(&mut folder, &books, &cache);
    assert_eq!(folder, fresh(&books), "a title");
    books[30].author = "Another Writer".to_owned();
    books[30].tags = vec!["history".to_owned(), "games".to_owned()];
    books[2999].tags = Vec::new();
    cache.forget("b0030");
    cache.forget("b2999");
    apply(&mut folder, &books, &cache);
    assert_eq!(folder, fresh(&books), "an author and tags");

    // A book moved, one gone, one new: every number after them changes.
    books.swap(5, 500);
    cache.forget("b0005");
    cache.forget("b0500");
    apply(&mut folder, &books, &cache);
    assert_eq!(folder, fresh(&books), "moved");
    // A new title that moves its book three places, saved with a new description of a book
    // it passes and a new title of one outside them: only the chunks and shards of their
    // terms are written again.
    let mut retitled = books.remove(100);
    retitled.title = "Quite Another Name".to_owned();
    books.insert(103, retitled);
    set_body(&mut books[101], "words nobody else has");
    books[2000].title = "Far Away".to_owned();
    for id in [&books[103].id, &books[101].id, &books[2000].id] {
        cache.forget(id);
    }
    let (index, changed) = Index::build_with(&books, &cache).expect("index");
    assert_eq!(changed.map(|ids| ids.len()), Some(3));
    assert!(index.files.len() < written_before / 4, "{} of {written_before} files written", index.files.len());
    for rel in cache.take_stale().expect("the files it replaced") {
        folder.remove(&rel);
    }
    folder.extend(index.files);
    assert_eq!(folder, fresh(&books), "a move, an edit among the moved books and one outside");
    let gone = books.remove(40);
    cache.forget(&gone.id);
    books.insert(7, book("new", "New Book", "New Author", &["new"], "fresh words"));
    apply(&mut folder, &books, &cache);
    assert_eq!(folder, fresh(&books), "one gone, one new");

    // After a reset, everything is written again.
    cache.reset();
    let (index, changed) = Index::build_with(&books, &cache).expect("index");
    assert_eq!(changed, None, "every book read");
    assert_eq!(cache.take_stale(), None);
    assert_eq!(index.files.into_iter().collect::<std::collections::BTreeMap<_, _>>(), fresh(&books));
}
