#!/usr/bin/env python3
"""The worker under `wrangler dev` against a Stripe stand-in that answers at once: requests per
second and latency of POST /api/payment-intent, beside a static asset (the floor workerd sets)
and the JavaScript baseline in bench/js-baseline/ (Stripe's official client). Prints a table.

    bench/edge.py [--seconds 5]
"""
import argparse
import gzip
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WRANGLER = os.path.join(REPO, "node_modules", ".bin", "wrangler")
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


def wrk(url, seconds, post):
    script = None
    if post:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(f'wrk.method = "POST"\nwrk.body = \'{BODY}\'\nwrk.headers["Content-Type"] = "application/json"\n')
        script.close()
    cmd = ["wrk", "-t2", "-c4", f"-d{seconds}s", "--latency", url] + (["-s", script.name] if script else [])
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, ms("50"), ms("99"), int(non2xx.group(1)) if non2xx else 0


def bundle_kib(config_dir):
    out = tempfile.mkdtemp(prefix="bundle-")
    subprocess.run([WRANGLER, "deploy", "--dry-run", "--outdir", out], cwd=config_dir, check=True, capture_output=True)
    total = sum(len(gzip.compress(open(os.path.join(out, f), "rb").read(), 9))
                for f in os.listdir(out) if os.path.isfile(os.path.join(out, f)) and not f.endswith((".map", ".md")))
    shutil.rmtree(out, ignore_errors=True)
    return total / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
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
        rows = [
            ("static asset (/static/shop.css)", wrk(f"{ours_url}/static/shop.css", args.seconds, False)),
            ("ours: POST /api/payment-intent (Rust → WASM)", wrk(f"{ours_url}/api/payment-intent", args.seconds, True)),
            ("baseline: same endpoint in JS with `stripe`", wrk(f"{js_url}/api/payment-intent", args.seconds, True)),
        ]
        floor = rows[0][1][1]
        print(f"wrk -t2 -c4 -d{args.seconds}s against wrangler dev, Stripe stand-in answering at once\n")
        print("| what | requests/s | p50 | p99 | overhead over static p50 | non-2xx |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, (rps, p50, p99, bad) in rows:
            print(f"| {name} | {rps:,.0f} | {p50:.2f} ms | {p99:.2f} ms | {p50 - floor:+.2f} ms | {bad} |")
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
