#!/usr/bin/env python3
"""`make bench`: the generator against Hugo on the same synthetic shop, and the worker's size.

Prints a table and rewrites BENCHMARKS.md. Numbers only: nothing here passes or fails.

    bench/run.py [--sizes 1000,10000] [--runs 3]
"""
import argparse
import datetime
import gzip
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOKSHOP = os.path.join(REPO, "target", "release", "bookshop")


def timed(cmd, cwd=None):
    """Runs cmd under /usr/bin/time -v: (wall s, cpu s, peak MB)."""
    out = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    field = lambda name: re.search(rf"{name}: (.*)", out.stderr).group(1)
    wall = field(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\)").split(":")
    wall_s = float(wall[-1]) + 60 * float(wall[-2]) + (3600 * float(wall[-3]) if len(wall) > 2 else 0)
    cpu_s = float(field("User time \\(seconds\\)")) + float(field("System time \\(seconds\\)"))
    peak_mb = int(field("Maximum resident set size \\(kbytes\\)")) / 1024
    return wall_s, cpu_s, peak_mb


def median_of(runs, cmd, cwd=None, before=None):
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(timed(cmd, cwd))
    return tuple(statistics.median(s[i] for s in samples) for i in range(3))


def bench_generators(sizes, runs):
    rows = []
    for n in sizes:
        for where, base in (("tmpfs", "/dev/shm"), ("disk", os.path.join(REPO, "target"))):
            work = tempfile.mkdtemp(prefix=f"bench-{n}-", dir=base)
            subprocess.run([sys.executable, os.path.join(REPO, "bench", "gen_shop.py"), str(n), work], check=True)
            shop, hugo = os.path.join(work, "shop"), os.path.join(work, "hugo")
            ours_out, hugo_out = os.path.join(work, "out-ours"), os.path.join(work, "out-hugo")
            clear = lambda path: (lambda: shutil.rmtree(path, ignore_errors=True))
            ours = median_of(runs, [BOOKSHOP, "--root", shop, "build", "--output", ours_out], before=clear(ours_out))
            theirs = median_of(runs, ["hugo", "--quiet", "-d", hugo_out], cwd=hugo, before=clear(hugo_out))
            # One book edited, the site rebuilt over the previous output (what `make dev` does on save).
            book = os.path.join(shop, "content", "books", "book-000001.md")
            edit = lambda: open(book, "a").write("\nOne more sentence.\n")
            rebuild = median_of(runs, [BOOKSHOP, "--root", shop, "build", "--output", ours_out], before=edit)
            rows.append((n, where, ours, theirs, rebuild))
            shutil.rmtree(work, ignore_errors=True)
            print(f"  {n:>7} books, {where:5}: ours {ours[0]:.2f} s, Hugo {theirs[0]:.2f} s, rebuild {rebuild[0]:.2f} s", flush=True)
    return rows


def worker_size():
    out = tempfile.mkdtemp(prefix="bundle-")
    subprocess.run([os.path.join(REPO, "node_modules", ".bin", "wrangler"), "deploy", "--dry-run", "--outdir", out],
                   cwd=REPO, check=True, capture_output=True)
    sizes = {}
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        if os.path.isfile(path) and not name.endswith(".map"):
            data = open(path, "rb").read()
            sizes[name] = (len(data), len(gzip.compress(data, 9)))
    shutil.rmtree(out, ignore_errors=True)
    return sizes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    hugo_version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    print(f"generator vs Hugo {hugo_version}, median of {args.runs}:")
    rows = bench_generators(sizes, args.runs)
    bundle = worker_size()

    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {datetime.date.today()}: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.platform()}. Hugo {hugo_version} (Debian). Median of {args.runs} runs; a synthetic shop "
        "from `bench/gen_shop.py` (~350 words of markdown per book, a table in every fifth, tags, prices), "
        "the same files built by both, Hugo with equivalent templates (a catalog listing and a page per book). "
        "Ours also writes a drawn SVG cover per book, the price list, sitemap, feed and headers.",
        "",
        "## Generator",
        "",
        "| books | output | ours wall | ours CPU | ours peak | pages/s | Hugo wall | Hugo CPU | Hugo peak | ours/Hugo | rebuild after one edit |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, where, ours, theirs, rebuild in rows:
        pages = n + 4
        lines.append(
            f"| {n:,} | {where} | {ours[0]:.2f} s | {ours[1]:.2f} s | {ours[2]:.0f} MB | {pages / ours[0]:,.0f} | "
            f"{theirs[0]:.2f} s | {theirs[1]:.2f} s | {theirs[2]:.0f} MB | {ours[0] / theirs[0]:.2f} | {rebuild[0]:.2f} s |"
        )
    lines += [
        "",
        "The rebuild is a full build over the previous output (the watch loop of `make dev` rebuilds the whole "
        "site; there is no incremental build yet).",
        "",
        "## Worker bundle (`wrangler deploy --dry-run`)",
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
    load = os.path.join(REPO, "bench", "load.sh")
    if os.path.exists(load):
        lines += ["## Endpoint under load", "", "`bench/load.sh` (wrk against `wrangler dev` + localstripe):", "", "```"]
        result = subprocess.run(["bash", load], cwd=REPO, capture_output=True, text=True)
        lines += [result.stdout.strip() or result.stderr.strip()[-2000:], "```", ""]
    with open(os.path.join(REPO, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
