#!/usr/bin/env python3
"""The worker under `wrangler dev` against a Stripe stand-in that answers at once: requests per
second and latency of POST /api/payment-intent, beside a static asset (the floor workerd sets)
and the JavaScript baseline in bench/js-baseline/ (Stripe's official client). Prints a table.

    bench/edge.py [--seconds 4] [--rounds 3]
"""
import argparse
import gzip
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WRANGLER = os.path.join(REPO, "node_modules", ".bin", "wrangler")
EMPTY_ORDER = '{"items":[]}'
BODY = '{"items":[{"id":"working-in-public","quantity":2},{"id":"art-of-doing-science-and-engineering","quantity":1}]}'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=240):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    sys.exit(f"{url} did not come up")


def start_wrangler(config_dir, stripe_base, log):
    port = free_port()
    cmd = [WRANGLER, "dev", "--port", str(port), "--ip", "127.0.0.1", "--inspector-port", str(free_port()),
           "--var", f"STRIPE_API_BASE:{stripe_base}", "--var", "STRIPE_SECRET_KEY:sk_test_bench",
           "--show-interactive-dev-session=false", "--persist-to", tempfile.mkdtemp(prefix="wrangler-bench-")]
    proc = subprocess.Popen(cmd, cwd=config_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "CI": "1"})
    wait_for(f"http://127.0.0.1:{port}/catalog.json")
    return proc, f"http://127.0.0.1:{port}"


def wrk(url, seconds, body, conns):
    script = None
    if body:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        # Each request from its own client (an IPv6 documentation address): one client meets
        # the limit of new checkouts (wrangler.toml's [[ratelimits]]) after 10 a minute.
        script.write(
            "local n = 0\n"
            "request = function()\n"
            "  n = n + 1\n"
            "  local headers = {[\"Content-Type\"] = \"application/json\", "
            "[\"CF-Connecting-IP\"] = string.format(\"2001:db8::%x\", n)}\n"
            f"  return wrk.format(\"POST\", nil, headers, '{body}')\n"
            "end\n"
        )
        script.close()
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", url] + (["-s", script.name] if script else [])
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))

    def ms(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "count": count, "p50": ms("50"), "p99": ms("99"), "bad": int(non2xx.group(1)) if non2xx else 0}


def workerd_of(wrangler_pid):
    """The workerd process a `wrangler dev` started: its CPU time is what a request costs."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,comm="], capture_output=True, text=True).stdout
    children = {}
    for line in out.splitlines():
        pid, ppid, comm = line.split(None, 2)
        children.setdefault(int(ppid), []).append((int(pid), comm.strip()))
    todo = [wrangler_pid]
    while todo:
        for pid, comm in children.get(todo.pop(), []):
            if comm == "workerd":
                return pid
            todo.append(pid)
    return None


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url, seconds, body, conns, workerd):
    before = cpu_seconds(workerd)
    result = wrk(url, seconds, body, conns)
    result["cpu_ms"] = (cpu_seconds(workerd) - before) * 1000 / max(result["count"], 1)
    return result


def bundle_kib(config_dir):
    out = tempfile.mkdtemp(prefix="bundle-")
    subprocess.run([WRANGLER, "deploy", "--dry-run", "--outdir", out], cwd=config_dir, check=True, capture_output=True)
    total = sum(len(gzip.compress(open(os.path.join(out, f), "rb").read(), 9))
                for f in os.listdir(out) if os.path.isfile(os.path.join(out, f)) and not f.endswith((".map", ".md")))
    shutil.rmtree(out, ignore_errors=True)
    return total / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    stripe_port = free_port()
    stand_in = subprocess.Popen(["node", os.path.join(REPO, "bench", "stripe-instant.mjs"), str(stripe_port)],
                                start_new_session=True)
    stripe_base = f"http://127.0.0.1:{stripe_port}"
    log = open(os.path.join(tempfile.gettempdir(), "bench-wrangler.log"), "w")
    procs = [stand_in]
    try:
        ours, ours_url = start_wrangler(REPO, stripe_base, log)
        procs.append(ours)
        js, js_url = start_wrangler(os.path.join(REPO, "bench", "js-baseline"), stripe_base, log)
        procs.append(js)
        targets = {
            "static": (f"{ours_url}/static/shop.css", None, workerd_of(ours.pid)),
            "ours": (f"{ours_url}/api/payment-intent", BODY, workerd_of(ours.pid)),
            "js": (f"{js_url}/api/payment-intent", BODY, workerd_of(js.pid)),
            "ours400": (f"{ours_url}/api/payment-intent", EMPTY_ORDER, workerd_of(ours.pid)),
            "js400": (f"{js_url}/api/payment-intent", EMPTY_ORDER, workerd_of(js.pid)),
        }
        for url, body, _ in targets.values():  # warm: first isolate, price list, JIT
            wrk(url, 2, body, 1)
        # Rounds interleave the three, so a noisy moment on this shared machine hits all alike;
        # medians over rounds. One connection: latency without queueing (the overhead figure);
        # four: throughput.
        samples = {(name, conns): [] for name in targets for conns in (1, 4)}
        for _ in range(args.rounds):
            for conns in (1, 4):
                for name, (url, body, workerd) in targets.items():
                    samples[(name, conns)].append(measure(url, args.seconds, body, conns, workerd))
        med = lambda name, conns, key: statistics.median(s[key] for s in samples[(name, conns)])
        labels = {
            "static": "static asset (/static/shop.css)",
            "ours": "ours: POST /api/payment-intent (Rust → WASM)",
            "js": "baseline: same endpoint in JS with `stripe`",
            "ours400": "ours, an empty order: 400, no Stripe call",
            "js400": "baseline, an empty order: 400, no Stripe call",
        }
        print(f"wrk -t1 against wrangler dev, Stripe stand-in answering at once; {args.rounds} interleaved rounds of "
              f"{args.seconds} s, medians. workerd CPU = the CPU time of that wrangler's workerd per request.\n")
        print("| what | p50, 1 conn | p99, 1 conn | overhead over static p50 | req/s, 4 conns | p50, 4 conns "
              "| workerd CPU per request | unexpected status |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        floor = med("static", 1, "p50")
        for name, label in labels.items():
            runs = [s for conns in (1, 4) for s in samples[(name, conns)]]
            # wrk counts non-2xx answers: every empty order must be one (a 400).
            bad = sum(s["count"] - s["bad"] if name.endswith("400") else s["bad"] for s in runs)
            print(f"| {label} | {med(name, 1, 'p50'):.2f} ms | {med(name, 1, 'p99'):.2f} ms | "
                  f"{med(name, 1, 'p50') - floor:+.2f} ms | {med(name, 4, 'rps'):,.0f} | {med(name, 4, 'p50'):.2f} ms | "
                  f"{med(name, 1, 'cpu_ms'):.2f} ms | {bad} |")
        print()
        print("| bundle (`wrangler deploy --dry-run`, gzipped) | KiB |")
        print("| --- | ---: |")
        print(f"| ours (WASM + JS glue) | {bundle_kib(REPO):.1f} |")
        print(f"| baseline (JS + `stripe`) | {bundle_kib(os.path.join(REPO, 'bench', 'js-baseline')):.1f} |")
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, 15)
            except ProcessLookupError:
                pass


if __name__ == "__main__":
    main()
