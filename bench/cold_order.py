#!/usr/bin/env python3
"""The CPU an isolate's first order costs: the worker under `wrangler dev` (workerd) serving a
built site, a Stripe stand-in that answers at once. Per run, a fresh `wrangler dev`; a request to
an unknown /api/ path first (loads the WASM, reads no price list), then orders of one book each.
CPU is workerd's, all threads, from /proc/<pid>/task/*/schedstat (nanoseconds; /proc's stat
counts in 10 ms ticks, too coarse for one request). It includes workerd's own routing and asset
serving, which a warm order shows alone. Prints a table; JS baseline with --js.

    bench/cold_order.py PUBLIC_DIR [--runs 3] [--orders 3] [--js]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from edge import REPO, WRANGLER, free_port, wait_for, workerd_of  # noqa: E402


def cpu_ns(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def post(url, body, ip):
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json", "CF-Connecting-IP": ip})
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status
    except urllib.error.HTTPError as e:
        return e.code


def config(public, js):
    """A wrangler config serving `public`: the repo's without [build], or the JS baseline's."""
    sys_dir = tempfile.mkdtemp(prefix="cold-order-")
    if js:
        base = os.path.join(REPO, "bench", "js-baseline")
        text = open(os.path.join(base, "wrangler.toml")).read()
        text = text.replace('main = "', f'main = "{base}/')
    else:
        text = subprocess.run(
            ["node", "--input-type=module", "-e",
             "import { withoutBuild } from './tools/wrangler-config.mjs'; import { readFileSync } from 'node:fs';"
             f"process.stdout.write(withoutBuild(readFileSync('wrangler.toml', 'utf8'), {json.dumps(REPO)}, "
             f"{json.dumps(public)}, 'bench/cold_order.py'))"],
            cwd=REPO, capture_output=True, text=True, check=True).stdout
    lines = []
    table = ""
    for line in text.split("\n"):
        if line.startswith("["):
            table = line.strip("[] ")
        if table == "assets" and line.startswith("directory"):
            line = f"directory = {json.dumps(public)}"
        lines.append(line)
    path = os.path.join(sys_dir, "wrangler.toml")
    open(path, "w").write("\n".join(lines))
    return path


def run_once(conf, stripe_base, book, orders):
    port = free_port()
    cmd = [WRANGLER, "dev", "--config", conf, "--port", str(port), "--ip", "127.0.0.1",
           "--inspector-port", str(free_port()), "--var", f"STRIPE_API_BASE:{stripe_base}",
           "--var", "STRIPE_SECRET_KEY:sk_test_bench", "--show-interactive-dev-session=false",
           "--persist-to", tempfile.mkdtemp(prefix="wrangler-cold-")]
    log = open(os.path.join(tempfile.gettempdir(), "cold-order-wrangler.log"), "a")
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "CI": "1"})
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/robots.txt")
        workerd = workerd_of(proc.pid)
        time.sleep(1)
        figures = []
        body = json.dumps({"items": [{"id": book, "quantity": 1}]})
        steps = [("load", f"{url}/api/nothing", "{}")] + [(f"order {i + 1}", f"{url}/api/payment-intent", body)
                                                          for i in range(orders)]
        for i, (name, target, data) in enumerate(steps):
            before = cpu_ns(workerd)
            status = post(target, data, f"2001:db8::{i + 1:x}")
            figures.append((name, status, (cpu_ns(workerd) - before) / 1e6))
            time.sleep(0.3)
        return figures
    finally:
        os.killpg(proc.pid, 15)
        proc.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("public")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--orders", type=int, default=3)
    parser.add_argument("--js", action="store_true", help="the JS baseline (bench/js-baseline) instead")
    args = parser.parse_args()
    public = os.path.abspath(args.public)
    manifest = json.load(open(os.path.join(public, "catalog.json")))
    if "books" in manifest:
        book = sorted(manifest["books"])[0]
    else:
        shard = json.load(open(os.path.join(public, manifest["shards"]["path"].lstrip("/").replace("{shard}", "0"))))
        book = sorted(shard["books"])[0]
    stripe_port = free_port()
    stand_in = subprocess.Popen(["node", os.path.join(REPO, "bench", "stripe-instant.mjs"), str(stripe_port)],
                                start_new_session=True)
    try:
        conf = config(public, args.js)
        runs = [run_once(conf, f"http://127.0.0.1:{stripe_port}", book, args.orders) for _ in range(args.runs)]
    finally:
        os.killpg(stand_in.pid, 15)
    print(f"workerd CPU per request, ms ({args.runs} fresh `wrangler dev`, {public}, book {book}):\n")
    print("| request | status | " + " | ".join(f"run {i + 1}" for i in range(args.runs)) + " | median |")
    print("| --- | --- | " + " | ".join("---:" for _ in range(args.runs)) + " | ---: |")
    for i, (name, status, _) in enumerate(runs[0]):
        cpu = [run[i][2] for run in runs]
        print(f"| {name} | {status} | " + " | ".join(f"{c:.1f}" for c in cpu) + f" | {statistics.median(cpu):.1f} |")


if __name__ == "__main__":
    main()
