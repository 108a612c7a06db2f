#!/usr/bin/env python3
"""`bookshop watch` after each kind of single-book edit an editor makes, on a shop of
bench/gen_shop.py: the watcher's own figures, min and median. Its `Rebuilt … in N ms` line
(open pages reload then); and when the edit moved many list pages, which are written after
it, its `Caught up: … in N ms` line too: the whole is the two together.

    bench/watch_edits.py SHOP [--repeat 3] [--bookshop target/release/bookshop] [--only KIND,…]

Each edit is made and then undone, on a different book each time, so the shop ends as it
started. The undo is measured too (the same kind of edit), but for a new book's (a deletion)
and a deletion's (a new book).
"""
import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def replace(pattern, new):
    return lambda text: re.sub(pattern, new, text, count=1, flags=re.M)


# kind → how the book's text is changed (None: the file is deleted / created).
EDITS = {
    "price": replace(r'^price = "(\d+)\.', r'price = "9\1.'),
    "description": lambda text: text + "\nOne more sentence.\n",
    "available": replace(r"^\+\+\+\n", "+++\navailable = false\n"),
    # One of its two tags swapped for another the shop has.
    "tags": lambda text: re.sub(r'^tags = \["(\w+)"', lambda m: 'tags = ["' + other_tag(text, m[1]) + '"', text,
                                count=1, flags=re.M),
    # A typo fixed in the title's last word: the book moves a place or two, if at all.
    "title": replace(r'^(title = ".*) (\d+)"$', r'\1x \2"'),
    # One heavier: the book sinks past the ~1,000 books of the next weight (~40 catalog pages).
    "weight": lambda text: re.sub(r"^weight = (\d+)$", lambda m: f"weight = {int(m[1]) + 1}", text, count=1, flags=re.M),
    "draft": replace(r"^\+\+\+\n", "+++\ndraft = true\n"),
    "new": None,
    "delete": None,
}


def other_tag(text, tag):
    shown = re.search(r"^tags = (.*)$", text, flags=re.M)[1]
    return next(t for t in ("essays", "games", "history", "design") if f'"{t}"' not in shown)


class Watcher:
    def __init__(self, bookshop, shop, out, echo=False):
        self.echo = echo
        self.proc = subprocess.Popen([bookshop, "--root", shop, "watch", "--output", out],
                                     stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.proc.stderr], daemon=True).start()
        self.wait_for("Watching")

    def wait_for(self, prefix):
        while True:
            line = self.lines.get(timeout=900)
            if self.echo:
                print("  |", line.rstrip(), flush=True)
            if line.startswith(prefix):
                return line
            if line.startswith("error"):
                sys.exit(f"bookshop watch: {line}")

    def rebuilt(self):
        """(ms to the reload, ms until every page is written, the line)."""
        line = self.wait_for("Rebuilt")
        ms = int(re.search(r"in (\d+) ms", line).group(1))
        whole = ms
        if "follow" in line:
            caught = self.wait_for("Caught up")
            whole += int(re.search(r"in (\d+) ms", caught).group(1))
            line = line.strip() + " | " + caught.strip()
        time.sleep(0.3)  # the next save is a separate rebuild
        return ms, whole, line.strip()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def edit(watcher, books, kind, book, verbose):
    """Makes the edit and undoes it: two rebuild times."""
    path = os.path.join(books, book)
    times = []
    if kind in ("new", "delete"):
        text = open(path).read()
        extra = os.path.join(books, "zz-" + book)
        steps = [(extra, text), (extra, None)] if kind == "new" else [(path, None), (path, text)]
    else:
        text = open(path).read()
        changed = EDITS[kind](text)
        assert changed != text, (kind, book)
        steps = [(path, changed), (path, text)]
    for target, content in steps:
        if content is None:
            os.remove(target)
        else:
            with open(target, "w") as f:
                f.write(content)
        ms, whole, line = watcher.rebuilt()
        if verbose:
            print(f"  {kind}: {line}", flush=True)
        times.append((ms, whole))
    # A new book's and a deleted book's undo are the other kind: each counts for its own.
    return times if kind not in ("new", "delete") else times[:1]


def measure(bookshop, shop, out, kinds=tuple(EDITS), repeat=3, verbose=False, echo=False, report=print):
    """Each kind of edit `repeat` times (and its undo) under one watcher: kind → [(ms to the
    reload, ms until every page is written)]."""
    books = os.path.join(shop, "content", "books")
    names = sorted(n for n in os.listdir(books) if n.endswith(".md") and not n.startswith("zz-"))
    watcher = Watcher(bookshop, shop, out, echo)
    results = {}
    try:
        for k, kind in enumerate(kinds):
            times = []
            for r in range(repeat):
                book = names[(k * 7919 + r * 104729) % len(names)]
                times += edit(watcher, books, kind, book, verbose)
            results[kind] = times
            reload, whole = [t for t, _ in times], [w for _, w in times]
            report(f"{kind:12} min {min(reload):5} ms  median {statistics.median(reload):7.1f} ms  "
                   f"({', '.join(map(str, reload))})"
                   + (f"; every page written: median {statistics.median(whole):.0f} ms" if whole != reload else ""))
    finally:
        watcher.stop()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("shop")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bookshop", default=os.path.join(REPO, "target", "release", "bookshop"))
    parser.add_argument("--out", default=None, help="output folder (default SHOP/public)")
    parser.add_argument("--only", default=",".join(EDITS))
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--echo", action="store_true", help="print every line the watcher prints")
    args = parser.parse_args()
    out = args.out or os.path.join(args.shop, "public")
    measure(args.bookshop, args.shop, out, args.only.split(","), args.repeat, args.verbose, args.echo,
            report=lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()
