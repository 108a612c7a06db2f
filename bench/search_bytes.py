#!/usr/bin/env python3
"""What the search index costs a built shop and a shopper: `bench/run.py` reports it.

    bench/search_bytes.py PUBLIC_DIR [QUERY ...]

Prints the index's size (files, bytes, gzipped) and, for each query, the bytes a shopper's
browser downloads: up to the first result (the manifest, the names shards and the books
chunks of the first results, which search.js shows first) and in all (the descriptions' shards
and their books too). It follows themes/default/static/search.js's choice of files, not a
browser's timing.
"""
import gzip
import json
import os
import re
import sys
import unicodedata

PANEL = 8  # results search.js shows under the box


def gz(path):
    with open(path, "rb") as f:
        return len(gzip.compress(f.read(), 9))


def index_size(public):
    """(files, raw bytes, gzipped bytes) of /search/index.json and /search/x/*."""
    paths = [os.path.join(public, "search", "index.json")]
    shards = os.path.join(public, "search", "x")
    paths += [os.path.join(shards, n) for n in sorted(os.listdir(shards))]
    return len(paths), sum(os.path.getsize(p) for p in paths), sum(gz(p) for p in paths)


def terms(text, folds):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.category(c).startswith("M")).lower()
    text = "".join(folds.get(c, c) for c in text)
    text = re.sub(r"(\d)-(?=\d)", r"\1", text)
    return [t for t in re.findall(r"[^\W_]+", text) if len(t) <= 40]


def shards_for(tier, t, most):
    i = 0
    while i + 1 < len(tier) and tier[i + 1][0] <= t:
        i += 1
    urls = [tier[i][1]]
    i += 1
    while i < len(tier) and len(urls) < most and tier[i][0].startswith(t):
        urls.append(tier[i][1])
        i += 1
    return urls


def query_bytes(public, query):
    """(bytes gzipped to the first result, bytes gzipped in all, results) for one query."""
    load = lambda url: json.load(open(os.path.join(public, url.lstrip("/"))))
    manifest = load("/search/index.json")
    fetched = {"/search/index.json"}
    first_fetched = None
    scores = None
    for words in (False, True):
        scores = None
        for t in dict.fromkeys(terms(query, manifest["fold"])):
            found = {}
            for tier, prefix, most in (("names", True, 4), ("words", len(t) > 2, 2)):
                if tier == "words" and not words:
                    continue
                for url in shards_for(manifest[tier], t, most):
                    fetched.add(url)
                    shard = load(url)
                    for term in (shard if prefix else [t]):
                        p = shard.get(term)
                        if not p or not term.startswith(t):
                            continue
                        k = 0
                        while k < len(p):
                            w = manifest["weights"][p[k]] * (2 if term == t else 1)
                            n, book, k = p[k + 1], 0, k + 2
                            for _ in range(n):
                                book += p[k]
                                k += 1
                                found[book] = max(found.get(book, 0), w)
            scores = found if scores is None else {b: s + found[b] for b, s in scores.items() if b in found}
        ranked = sorted((scores or {}).items(), key=lambda bs: (-bs[1], bs[0]))
        for book, _ in ranked[:PANEL]:
            fetched.add(manifest["chunks"][book // manifest["per_chunk"]])
        if ranked and first_fetched is None:
            first_fetched = set(fetched)
    size = lambda urls: sum(gz(os.path.join(public, u.lstrip("/"))) for u in urls)
    return size(first_fetched or fetched), size(fetched), len(scores or {})


if __name__ == "__main__":
    public = sys.argv[1]
    files, raw, packed = index_size(public)
    print(f"index: {files} files, {raw:,} B, {packed:,} B gzipped")
    for q in sys.argv[2:] or ["progress"]:
        first, total, n = query_bytes(public, q)
        print(f"{q!r}: {n} results; {first:,} B gzipped to the first result, {total:,} B in all")
