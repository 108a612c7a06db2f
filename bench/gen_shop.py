#!/usr/bin/env python3
"""A deterministic synthetic shop of N books, for `make bench`.

Writes the same books twice: as a bookshop site (content/ + the default theme) and as a
Hugo site with equivalent templates (a catalog listing and a page per book).

    bench/gen_shop.py N OUT_DIR [--covers]

--covers gives every book of the bookshop site an editor's JPEG cover: bench/cover.jpg (1000 ×
1500, 258 KiB, the size publishers send), each copy made distinct by a JPEG comment naming its
book, so every cover is a different file to the generator's cache, as in a real shop.
"""
import os
import random
import shutil
import sys

WORDS = (
    "book press idea progress science engineering history craft software open source maintenance "
    "design journal code learning research theory practice library reader author edition chapter "
    "signal system network invention laboratory computer future method question answer problem "
    "structure pattern language community economics market attention creator public private work"
).split()
TAGS = ["science", "engineering", "history", "software", "economics", "design", "biography",
        "essays", "games", "mathematics", "physics", "culture"]


def sentence(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    # Emphasis and a link now and then, as editors write.
    i = rng.randrange(n)
    words[i] = f"*{words[i]}*"
    if rng.random() < 0.3:
        j = rng.randrange(n)
        words[j] = f"[{words[j].strip('*')}](https://example.com/{rng.randrange(1000)})"
    return " ".join(words) + "."


def paragraph(rng, sentences=5):
    return " ".join(sentence(rng, rng.randrange(8, 16)) for _ in range(sentences))


def body(rng, index):
    parts = [paragraph(rng), f"## {sentence(rng, 4)[:-1]}", paragraph(rng),
             "\n".join(f"- {sentence(rng, 6)}" for _ in range(5)),
             f"### {sentence(rng, 3)[:-1]}", paragraph(rng, 4)]
    if index % 5 == 0:
        rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randrange(1, 500)} | {rng.choice(WORDS)} |" for _ in range(5))
        parts.append(f"| Part | Pages | Theme |\n| --- | --- | --- |\n{rows}")
    parts.append(paragraph(rng, 4))
    parts.append(paragraph(rng, 3))
    return "\n\n".join(parts) + "\n"


def cover_bytes(base, i):
    """bench/cover.jpg with a comment segment (COM) after its start marker: the same pixels,
    distinct bytes."""
    text = f"cover of book {i}".encode()
    return base[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + base[2:]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n, out = int(args[0]), args[1]
    covers = "--covers" in sys.argv
    rng = random.Random(42)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shop, hugo = os.path.join(out, "shop"), os.path.join(out, "hugo")
    for d in (shop, hugo):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(shop, "content", "books"))
    os.makedirs(os.path.join(hugo, "content", "books"))
    shutil.copytree(os.path.join(repo, "themes"), os.path.join(shop, "themes"))
    with open(os.path.join(shop, "content", "site.toml"), "w") as f:
        # A shop measured, not deployed: past 10,000 books it has more files than one Cloudflare
        # deployment may (BENCHMARKS.md counts them).
        f.write('title = "Bench Press"\ndescription = "A synthetic shop."\nbase_url = "https://bench.example"\n'
                'max_files = 10000000\n')
    base_cover = open(os.path.join(repo, "bench", "cover.jpg"), "rb").read() if covers else None
    for i in range(n):
        rng_book = random.Random(i)
        title = sentence(rng_book, rng_book.randrange(2, 6))[:-1].replace("*", "").split("](")[0].replace("[", "")
        front = (
            f'title = "{title} {i}"\nauthor = "{rng_book.choice(WORDS).capitalize()} {rng_book.choice(WORDS).capitalize()}"\n'
            f'price = "{rng_book.randrange(5, 80)}.{rng_book.randrange(0, 100):02d}"\n'
            f'published = 20{rng_book.randrange(10, 25)}-{rng_book.randrange(1, 13):02d}-{rng_book.randrange(1, 29):02d}\n'
            f'tags = {rng_book.sample(TAGS, 2)!r}\nweight = {rng_book.randrange(0, 100)}\n'
        ).replace("'", '"')
        text = f"+++\n{front}+++\n{body(rng_book, i)}"
        name = f"book-{i:06d}.md"
        for site in (shop, hugo):
            with open(os.path.join(site, "content", "books", name), "w") as f:
                if covers and site == shop:
                    f.write(text.replace("+++\n", f'+++\ncover = "book-{i:06d}.jpg"\n', 1))
                else:
                    f.write(text)
        if covers:
            with open(os.path.join(shop, "content", "books", f"book-{i:06d}.jpg"), "wb") as f:
                f.write(cover_bytes(base_cover, i))
    write_hugo_site(hugo)


def write_hugo_site(hugo):
    files = {
        "hugo.toml": 'baseURL = "https://bench.example/"\ntitle = "Bench Press"\n'
                     'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]\n'
                     '[markup.goldmark.extensions]\n  table = true\n  strikethrough = true\n  footnote = true\n',
        "layouts/_default/baseof.html": '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
                                        '<link rel="stylesheet" href="/static/shop.css"></head><body><header><a href="/">{{ site.Title }}</a>'
                                        '</header><main>{{ block "main" . }}{{ end }}</main></body></html>',
        "layouts/_default/list.html": '{{ define "main" }}<ul class="books">{{ range (where site.RegularPages "Section" "books").ByWeight }}'
                                      '<li class="book"><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.author }} ${{ .Params.price }}'
                                      '<p>{{ .Summary | plainify }}</p></li>{{ end }}</ul>{{ end }}',
        "layouts/_default/single.html": '{{ define "main" }}<article class="book"><h1>{{ .Title }}</h1><p>by {{ .Params.author }}</p>'
                                        '<p>${{ .Params.price }}</p>{{ .Content }}</article>{{ end }}',
    }
    for rel, text in files.items():
        path = os.path.join(hugo, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
