// Load on POST /api/payment-intent with wrk, and the size of the deployable bundle.
//
//   bench/load.sh [SECONDS] [CONNECTIONS]      (defaults 10 and 4; `make bench` runs it)
//
// Starts localstripe and the shop under `wrangler dev` (tests/e2e/harness.mjs), then runs two wrk
// processes at once for SECONDS, CONNECTIONS connections each (bench/load.lua):
//   valid    random carts of the catalog's books, each a new PaymentIntent: every answer 200;
//   invalid  a rotation of bad requests: every answer a 4xx in the JSON error shape.
// Prints requests/s and p50/p90/p99 latency of each, fails (exit 1) on any unexpected status,
// socket error or PaymentIntent count that is not the valid mix's 200s, then builds the bundle
// with `wrangler deploy --dry-run --outdir` (offline) and prints its gzipped size. The figures
// go to $BENCH_OUT/load.json (default target/bench/). No figure is ever compared with a threshold.
//
// The exports are shared with tests/e2e/load.test.mjs, which runs a short version of the same.

import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import {
  REPO_ROOT,
  TEST_PUBLISHABLE_KEY,
  WRANGLER_BIN,
  availableBooks,
  countPaymentIntents,
  getCatalog,
  requireFile,
  startLocalstripe,
  startShop,
  workerLogLines,
} from '../tests/e2e/harness.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const WRK_BIN = process.env.WRK_BIN || '/usr/bin/wrk';
export const LOAD_LUA = join(HERE, 'load.lua');

/** Runs `cmd args`, collecting its output; rejects on a non-zero exit or after `timeoutMs`. */
function run(cmd, args, { env = process.env, cwd = REPO_ROOT, timeoutMs }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      reject(new Error(`${cmd} ${args.join(' ')}: no end after ${timeoutMs} ms\n${out.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${out.slice(-3000)}`));
    });
  });
}

/** One wrk run of `mix` ('valid' | 'invalid') → the RESULT object of load.lua. */
export async function runWrk({ shopUrl, mix, books, seconds, connections }) {
  requireFile(WRK_BIN, 'Install it: apt-get install wrk.');
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '20s', '-s', LOAD_LUA, `${shopUrl}/api/payment-intent`];
  const out = await run(WRK_BIN, args, {
    env: { ...process.env, MIX: mix, BOOKS: books.join(',') },
    timeoutMs: (seconds + 60) * 1000,
  });
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk (${mix}) printed no RESULT line:\n${out}`);
  return { ...JSON.parse(line.slice('RESULT '.length)), wrk: out.trim() };
}

/** Both mixes at once. → { valid, invalid } */
export async function runLoad({ shopUrl, books, seconds = 10, connections = 4 }) {
  const [valid, invalid] = await Promise.all([
    runWrk({ shopUrl, mix: 'valid', books, seconds, connections }),
    runWrk({ shopUrl, mix: 'invalid', books, seconds, connections }),
  ]);
  return { valid, invalid };
}

/** What went wrong in a run, as sentences (empty: nothing). */
export function loadProblems(result) {
  const problems = [];
  for (const mix of ['valid', 'invalid']) {
    const r = result[mix];
    if (r.requests === 0) problems.push(`${mix}: no request completed`);
    if (r.unexpected > 0) problems.push(`${mix}: ${r.unexpected} unexpected answers (${JSON.stringify(r.statuses)})`);
    if (r.bad_shape > 0) problems.push(`${mix}: ${r.bad_shape} answers not in the JSON error shape`);
    const errors = Object.entries(r.errors).filter(([, n]) => n > 0);
    if (errors.length) problems.push(`${mix}: socket errors ${errors.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  return problems;
}

/**
 * Waits until wrangler has written the worker's log lines for every request of the run (the count
 * stops growing), then → the lines after the first `from`.
 */
export async function settledLogLines(logFile, from) {
  let last = -1;
  for (let i = 0; i < 50; i += 1) {
    const lines = workerLogLines(logFile);
    if (lines.length === last) return lines.slice(from);
    last = lines.length;
    await new Promise((r) => setTimeout(r, 200));
  }
  return workerLogLines(logFile).slice(from);
}

/**
 * Who reached Stripe. `created`: PaymentIntents localstripe gained; `lines`: the worker's log lines
 * of the run. wrk stops mid-flight, so up to `connections` valid requests finish unseen by it.
 */
export function accountingProblems({ result, created, lines, connections }) {
  const problems = [];
  const ok = result.valid.statuses['200'] || 0;
  const logged200 = lines.filter((l) => l.status === 200 && l.payment_intent).length;
  if (created !== logged200) problems.push(`localstripe gained ${created} PaymentIntents, the worker logged ${logged200} created`);
  if (created < ok || created > ok + connections) problems.push(`localstripe gained ${created} PaymentIntents for ${ok} answers 200 (+ at most ${connections} cut short)`);
  const leaked = lines.filter((l) => l.status !== 200 && l.stripe_attempts > 0);
  if (leaked.length) problems.push(`${leaked.length} refused requests called Stripe: ${JSON.stringify(leaked[0])}`);
  const fivexx = lines.filter((l) => l.status >= 500);
  if (fivexx.length) problems.push(`the worker logged ${fivexx.length} answers 5xx: ${JSON.stringify(fivexx[0])}`);
  return problems;
}

/** One line per mix: requests, requests/s, latency. */
export function formatLoad(result, { seconds, connections }) {
  return ['valid', 'invalid'].map((mix) => {
    const r = result[mix];
    const statuses = Object.entries(r.statuses).map(([s, n]) => `${s}×${n}`).join(' ');
    return `load ${mix.padEnd(7)} ${connections} conns ${seconds} s: ${r.requests} requests, ${r.rps.toFixed(1)} req/s, ` +
      `p50 ${r.p50_ms.toFixed(1)} ms, p90 ${r.p90_ms.toFixed(1)} ms, p99 ${r.p99_ms.toFixed(1)} ms, max ${r.max_ms.toFixed(1)} ms; ` +
      `statuses ${statuses}; unexpected ${r.unexpected}`;
  });
}

/**
 * `wrangler deploy --dry-run --outdir <tmp>`: the bundle that would be uploaded, built offline.
 * → { files: [{name, bytes, gzip}], bytes, gzip, wrangler: "Total Upload: … / gzip: …" }
 */
export async function bundleSize() {
  requireFile(WRANGLER_BIN, 'Run `npm ci` in the repo root (make test does this).');
  const outdir = await mkdtemp(join(tmpdir(), 'bookshop-bundle-'));
  try {
    const env = { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0', STRIPE_PUBLISHABLE_KEY: TEST_PUBLISHABLE_KEY };
    delete env.STRIPE_SECRET_KEY;
    const out = await run(WRANGLER_BIN, ['deploy', '--dry-run', '--outdir', outdir], { env, timeoutMs: 600_000 });
    const files = [];
    const walk = (dir) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else {
          const data = readFileSync(path);
          files.push({ name: relative(outdir, path), bytes: data.length, gzip: gzipSync(data, { level: 9 }).length });
        }
      }
    };
    walk(outdir);
    // What is uploaded: the entry module and the WASM (not the source map or wrangler's README).
    const uploaded = files.filter((f) => /\.(m?js|wasm)$/.test(f.name));
    const upload = out.match(/Total Upload:[^\n]*/)?.[0]?.trim();
    return {
      files: uploaded,
      bytes: uploaded.reduce((s, f) => s + f.bytes, 0),
      gzip: uploaded.reduce((s, f) => s + f.gzip, 0),
      wrangler: upload,
      output: out,
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

export function formatBundle(b) {
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  return [
    `bundle (wrangler deploy --dry-run): ${kib(b.bytes)}, gzip ${kib(b.gzip)}` + (b.wrangler ? ` (wrangler: ${b.wrangler})` : ''),
    ...b.files.map((f) => `  ${f.name}: ${kib(f.bytes)}, gzip ${kib(f.gzip)}`),
  ];
}

async function main() {
  const seconds = Number(process.argv[2] || process.env.LOAD_SECONDS || 10);
  const connections = Number(process.argv[3] || process.env.LOAD_CONNECTIONS || 4);
  const outDir = resolve(process.env.BENCH_OUT || join(REPO_ROOT, 'target/bench'));
  const stripe = await startLocalstripe();
  let shop;
  let failed = false;
  const report = { date: new Date().toISOString(), seconds, connections };
  try {
    shop = await startShop({ stripeBase: stripe.url });
    const books = availableBooks(await getCatalog(shop.url)).map((b) => b.id);
    const before = await countPaymentIntents(stripe.url, { limit: 1_000_000 });
    const logFrom = workerLogLines(shop.logFile).length;
    const result = await runLoad({ shopUrl: shop.url, books, seconds, connections });
    for (const line of formatLoad(result, { seconds, connections })) console.log(line);
    const lines = await settledLogLines(shop.logFile, logFrom);
    const created = (await countPaymentIntents(stripe.url, { limit: 1_000_000 })) - before;
    const problems = [...loadProblems(result), ...accountingProblems({ result, created, lines, connections })];
    for (const p of problems) console.log(`UNEXPECTED: ${p}`);
    failed = problems.length > 0;
    report.load = { valid: { ...result.valid, wrk: undefined }, invalid: { ...result.invalid, wrk: undefined }, paymentIntents: created, problems };
  } finally {
    await shop?.stop();
    await stripe.stop();
  }
  const bundle = await bundleSize();
  for (const line of formatBundle(bundle)) console.log(line);
  report.bundle = { ...bundle, output: undefined };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'load.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`figures written to ${relative(process.cwd(), join(outDir, 'load.json')) || join(outDir, 'load.json')}`);
  process.exit(failed ? 1 : 0);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e.stack || e.message);
    process.exit(1);
  });
}
