// Shared harness of the end-to-end tests: starts localstripe (a stateful Stripe stand-in) and the
// whole shop under `wrangler dev` (workerd running the real worker and the real built site), and
// gives the tests small clients for both. Everything runs on 127.0.0.1; nothing leaves the machine.
//
// Every process is spawned in its own process group (detached) and stopped by killing the group,
// so no workerd is left behind, even when a test file crashes (see the exit hook at the bottom).

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { withoutBuild } from '../../tools/wrangler-config.mjs';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '../..');
export const LOCALSTRIPE_BIN = join(REPO_ROOT, '.venv/bin/localstripe');
export const WRANGLER_BIN = join(REPO_ROOT, 'node_modules/.bin/wrangler');
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const STRIPE_DOUBLE_JS = join(HERE, 'stripe-double.js');

/** The endpoint's path (catalog/src/contract.rs; the tests call it as shoppers do). */
export const PAYMENT_INTENT_PATH = '/api/payment-intent';

/** The key the tests use against localstripe (it accepts any `sk_…`). */
export const TEST_SECRET_KEY = 'sk_test_localstripe';
export const TEST_PUBLISHABLE_KEY = 'pk_test_localstripe';

/** Where logs and screenshots go (never committed). */
export const ARTIFACTS_DIR = process.env.E2E_ARTIFACTS_DIR || join(tmpdir(), 'bookshop-e2e');
mkdirSync(ARTIFACTS_DIR, { recursive: true });

/** How long the shop may take to come up: the first `wrangler dev` builds the Rust worker. */
export const SHOP_START_TIMEOUT_MS = Number(process.env.E2E_SHOP_TIMEOUT_MS || 240_000);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Fails loudly (never skips) when a tool the tests need is missing. */
export function requireFile(path, howToGetIt) {
  if (!existsSync(path)) {
    throw new Error(`e2e: ${path} is missing. ${howToGetIt}`);
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

function tail(file, lines = 60) {
  try {
    const text = readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch (e) {
    return `(no log at ${file}: ${e.message})`;
  }
}

const running = new Set(); // children still alive, killed on exit

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Spawns `cmd args` detached (its own process group), stdout+stderr into `logFile`.
 * Returns { child, exited, stop() } where `exited` resolves with the exit code.
 */
function spawnLogged(name, cmd, args, { cwd = REPO_ROOT, env = process.env } = {}) {
  const logFile = join(ARTIFACTS_DIR, `${name}-${Date.now()}-${process.pid}.log`);
  const log = createWriteStream(logFile);
  log.write(`$ ${cmd} ${args.join(' ')}\n(cwd ${cwd})\n\n`);
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  running.add(child);
  let exitCode;
  const exited = new Promise((r) => {
    child.on('exit', (code, signal) => {
      exitCode = code ?? signal;
      running.delete(child);
      r(exitCode);
    });
    child.on('error', (err) => {
      log.write(`\nspawn error: ${err.message}\n`);
      running.delete(child);
      exitCode = 'spawn-error';
      r(exitCode);
    });
  });
  const stop = async () => {
    if (exitCode !== undefined) return;
    killGroup(child, 'SIGTERM');
    const gone = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!gone) {
      killGroup(child, 'SIGKILL');
      await Promise.race([exited, sleep(2000)]);
    }
    // workerd and friends share the group; make sure none outlives its parent.
    killGroup(child, 'SIGKILL');
  };
  return { child, exited, stop, logFile, hasExited: () => exitCode !== undefined, exitCode: () => exitCode };
}

/**
 * Polls `probe()` (resolves truthy when ready) until `timeoutMs`; fails early if `proc` exits.
 */
async function waitUntil(what, probe, { timeoutMs, proc, intervalMs = 250 }) {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'not ready';
  while (Date.now() < deadline) {
    if (proc?.hasExited()) {
      throw new Error(
        `e2e: ${what} exited (code ${proc.exitCode()}) before it was ready.\n` +
          `--- last lines of ${proc.logFile} ---\n${tail(proc.logFile)}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = e.cause?.code || e.message;
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `e2e: ${what} not ready after ${timeoutMs} ms (last: ${lastError}).\n` +
      (proc ? `--- last lines of ${proc.logFile} ---\n${tail(proc.logFile)}` : ''),
  );
}

/** Starts localstripe on a free port with an empty store. → { url, port, logFile, stop() } */
export async function startLocalstripe() {
  requireFile(
    LOCALSTRIPE_BIN,
    'Create the venv and install it: python3 -m venv .venv && .venv/bin/pip install localstripe (make test does this).',
  );
  const port = await freePort();
  const proc = spawnLogged('localstripe', LOCALSTRIPE_BIN, ['--port', String(port), '--from-scratch'], {
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(
    `localstripe on ${url}`,
    async () => {
      const res = await fetch(`${url}/v1/payment_intents?limit=1`, {
        headers: { Authorization: `Bearer ${TEST_SECRET_KEY}` },
        signal: AbortSignal.timeout(2000),
      });
      return res.status === 200;
    },
    { timeoutMs: 30_000, proc },
  );
  return { url, port, logFile: proc.logFile, stop: proc.stop };
}

/**
 * Starts the shop with `wrangler dev` from the repo root (its build command builds the site and the
 * worker first). Values are passed only when given, so a test can start a shop without a secret.
 * The developer's .dev.vars / .env never leak in: an empty env file is passed instead.
 * `script` runs another entry than wrangler.toml's `main` (the panic-probe build); `publicDir`
 * serves other static assets than the built `public/` (a copy with a broken price list).
 * → { url, port, logFile, stop() }
 */
export async function startShop({
  stripeBase,
  secretKey = TEST_SECRET_KEY,
  publishableKey = TEST_PUBLISHABLE_KEY,
  timeoutMs = SHOP_START_TIMEOUT_MS,
  cwd = REPO_ROOT,
  vars = {},
  script,
  publicDir = join(cwd, 'public'),
} = {}) {
  requireFile(WRANGLER_BIN, 'Run `npm ci` in the repo root (make test does this).');
  requireFile(join(cwd, 'wrangler.toml'), 'The shop has no wrangler.toml yet.');
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const scratch = await mkdtemp(join(tmpdir(), 'bookshop-e2e-wrangler-'));
  const emptyEnvFile = join(scratch, 'empty.env');
  writeFileSync(emptyEnvFile, '');

  const env = {
    ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_COLOR: '1', FORCE_COLOR: '0',
  };
  delete env.STRIPE_SECRET_KEY;
  delete env.STRIPE_API_BASE;
  if (publishableKey) env.STRIPE_PUBLISHABLE_KEY = publishableKey;
  else delete env.STRIPE_PUBLISHABLE_KEY;
  // What wrangler.toml's [build] runs, done here before wrangler starts, which then runs from a
  // copy without [build] (tools/wrangler-config.mjs: with it, a second build reloads the worker
  // after "Ready", and a page's request caught by that reload was never answered).
  try {
    execFileSync('make', ['--no-print-directory', 'build'], { cwd, env, stdio: 'pipe' });
  } catch (e) {
    throw new Error(`make build failed before starting the shop:\n${String(e.stderr || e.stdout || e.message).slice(-4000)}`);
  }
  const config = join(scratch, 'wrangler.toml');
  writeFileSync(config, withoutBuild(readFileSync(join(cwd, 'wrangler.toml'), 'utf8'), cwd, publicDir, 'tests/e2e/harness.mjs'));

  const args = [
    'dev',
    ...(script ? [script] : []),
    '--config', config,
    '--port', String(port),
    '--ip', '127.0.0.1',
    '--inspector-port', String(inspectorPort),
    '--persist-to', join(scratch, 'state'),
    '--env-file', emptyEnvFile,
    '--show-interactive-dev-session=false',
  ];
  if (stripeBase) args.push('--var', `STRIPE_API_BASE:${stripeBase}`);
  if (secretKey) args.push('--var', `STRIPE_SECRET_KEY:${secretKey}`);
  // The worker takes orders from base_url's origin (carried by the price list) and
  // ALLOWED_ORIGINS. The pages under test are at this run's own address, on a random port:
  // list exactly that one, for this process only (a `--var` is never deployed).
  const url = `http://127.0.0.1:${port}`;
  const allowed = [url, vars.ALLOWED_ORIGINS].filter(Boolean).join(',');
  for (const [name, value] of Object.entries({ ...vars, ALLOWED_ORIGINS: allowed })) args.push('--var', `${name}:${value}`);

  const proc = spawnLogged('wrangler', WRANGLER_BIN, args, { cwd, env });
  try {
    await waitUntil(
      `wrangler dev on ${url}`,
      async () => {
        const res = await fetch(`${url}/catalog.json`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        return res.status === 200;
      },
      { timeoutMs, proc, intervalMs: 1000 },
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { url, port, logFile: proc.logFile, stop: proc.stop };
}

/**
 * Starts `make dev`'s shop (tools/dev.mjs: `bookshop watch` beside `wrangler dev`) on the site at
 * `root`, as an editor runs it; its secret key comes from `root/.dev.vars`, written here.
 * Needs `make build` done (the worker and target/release/bookshop). → { url, pid, logFile, log(), stop() }
 */
export async function startDev({ root, stripeBase, timeoutMs = SHOP_START_TIMEOUT_MS, drafts = false }) {
  requireFile(join(REPO_ROOT, 'target/release/bookshop'), 'Run `make build` first (make e2e does).');
  requireFile(join(REPO_ROOT, 'worker/build/index.js'), 'Run `make build` first (make e2e does).');
  writeFileSync(join(root, '.dev.vars'), `STRIPE_SECRET_KEY=${TEST_SECRET_KEY}\n`);
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const args = [
    join(REPO_ROOT, 'tools/dev.mjs'), '--root', root, '--port', String(port),
    ...(stripeBase ? ['--stripe-api-base', stripeBase] : []),
    ...(drafts ? ['--drafts'] : []),
    '--', '--ip', '127.0.0.1', '--inspector-port', String(inspectorPort), '--show-interactive-dev-session=false',
  ];
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.STRIPE_SECRET_KEY;
  delete env.STRIPE_PUBLISHABLE_KEY;
  const proc = spawnLogged('dev', process.execPath, args, { env });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      `make dev on ${url}`,
      async () => {
        const res = await fetch(`${url}/catalog.json`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        return res.status === 200;
      },
      { timeoutMs, proc, intervalMs: 500 },
    );
  } catch (e) {
    await proc.stop();
    throw e;
  }
  const log = () => readFileSync(proc.logFile, 'utf8');
  return { url, pid: proc.child.pid, logFile: proc.logFile, log, stop: proc.stop };
}

/** Form encoding as Stripe's API wants it: nested objects as `a[b][c]=v`, arrays as `a[0]=v`. */
export function formEncode(obj) {
  const params = new URLSearchParams();
  const add = (prefix, value) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) value.forEach((v, i) => add(`${prefix}[${i}]`, v));
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) add(`${prefix}[${k}]`, v);
    else params.append(prefix, String(value));
  };
  for (const [k, v] of Object.entries(obj || {})) add(k, v);
  return params.toString();
}

async function stripeCall(base, method, path, form) {
  const res = await fetch(base + path, {
    method,
    headers: {
      Authorization: `Bearer ${TEST_SECRET_KEY}`,
      ...(form !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: form !== undefined ? (typeof form === 'string' ? form : formEncode(form)) : undefined,
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** GET from localstripe with the secret key. → { status, body } */
export const stripeGet = (base, path) => stripeCall(base, 'GET', path);
/** POST a form to localstripe with the secret key. → { status, body } */
export const stripePost = (base, path, form = {}) => stripeCall(base, 'POST', path, form);

/**
 * Calls the shop. Every body is checked for secrets before it is returned.
 * → { status, headers, text, json }
 */
export async function shopFetch(shopUrl, path, init = {}) {
  const res = await fetch(shopUrl + path, { redirect: 'manual', ...init });
  const text = await res.text();
  assertNoSecrets(text, `${init.method || 'GET'} ${path}`);
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

let clients = 0;
/**
 * A client address of its own, as Cloudflare's `CF-Connecting-IP` gives the worker (an IPv6
 * documentation address; `wrangler dev` passes the header through). The worker limits new
 * checkouts per address (wrangler.toml's [[ratelimits]]), so each test order comes from its own
 * shopper unless a test means one client to send many.
 */
export function clientIp() {
  clients += 1;
  return `2001:db8::${process.pid.toString(16)}:${clients.toString(16)}`;
}

/** POST a JSON order (or any body) to the endpoint, from a client of its own (`headers` may name one). */
export function postOrder(shopUrl, body, { contentType = 'application/json', headers = {} } = {}) {
  return shopFetch(shopUrl, PAYMENT_INTENT_PATH, {
    method: 'POST',
    headers: { 'Content-Type': contentType, 'CF-Connecting-IP': clientIp(), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/**
 * One HTTP/1.1 request with full control over what goes on the wire, for what `fetch` will not
 * send: no Content-Type at all, two of them, a Content-Length that lies, a chunked body, HEAD.
 *  - `headers`: values `null`/`undefined` are left out; an array sends the header once per value.
 *  - `body`: string or Buffer (default none).
 *  - `transfer`: undefined (Content-Length = body size), 'chunked' (no Content-Length, 1 KiB
 *    chunks), or {contentLength: N} (declares N whatever the body is).
 * Each request has its own connection (Connection: close), so a lie cannot spill into the next.
 * → { status, headers, text, json }; the body is checked for secrets like shopFetch's.
 */
export function rawRequest(baseUrl, { method = 'POST', path = '/', headers = {}, body, transfer, timeoutMs = 30_000 } = {}) {
  const url = new URL(baseUrl);
  const buf = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const sent = { Connection: 'close' };
  for (const [k, v] of Object.entries(headers)) if (v !== null && v !== undefined) sent[k] = v;
  if (transfer === 'chunked') sent['Transfer-Encoding'] = 'chunked';
  else if (transfer?.contentLength !== undefined) sent['Content-Length'] = String(transfer.contentLength);
  else if (buf.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method)) sent['Content-Length'] = String(buf.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: sent, agent: false },
      (res) => {
        answered = true;
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            assertNoSecrets(text, `${method} ${path}`);
          } catch (e) {
            return reject(e);
          }
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, headers: new Headers(Object.entries(res.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))), text, json });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`e2e: no answer to ${method} ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    // A server may answer (413) and close before it has read all we send: that is not an error.
    req.on('error', (e) => {
      if (!answered || !['EPIPE', 'ECONNRESET'].includes(e.code)) {
        clearTimeout(timer);
        reject(e);
      }
    });
    if (transfer === 'chunked') {
      for (let i = 0; i < buf.length; i += 1024) req.write(buf.subarray(i, i + 1024));
    } else if (buf.length > 0) {
      req.write(buf);
    }
    req.end();
  });
}

/**
 * How many PaymentIntents localstripe holds. Fails if there are more than one page of them; the
 * tests that count start from an empty localstripe and stay far below 100. (localstripe takes any
 * `limit`, unlike Stripe's 100: the load run passes a large one.)
 */
export async function countPaymentIntents(stripeBase, { limit = 100 } = {}) {
  const list = await stripeGet(stripeBase, `/v1/payment_intents?limit=${limit}`);
  if (list.status !== 200 || !Array.isArray(list.body?.data)) {
    throw new Error(`e2e: cannot list localstripe's PaymentIntents (${list.status}): ${JSON.stringify(list.body).slice(0, 300)}`);
  }
  if (list.body.has_more) throw new Error(`e2e: more than ${limit} PaymentIntents in localstripe; count them another way`);
  return list.body.data.length;
}

/**
 * The worker's structured log lines (one JSON object per request, with a `route`) in a
 * `wrangler dev` log, oldest first.
 */
export function workerLogLines(logFile) {
  const lines = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line);
      if (v && typeof v === 'object' && 'route' in v) lines.push(v);
    } catch {
      /* not ours */
    }
  }
  return lines;
}

/** No secret key, and no stack trace, in anything the shop says. */
export function assertNoSecrets(text, where) {
  for (const bad of ['sk_test', 'sk_live', 'rk_test', 'rk_live', TEST_SECRET_KEY]) {
    if (text.includes(bad)) throw new Error(`e2e: ${where}: response body contains "${bad}":\n${text.slice(0, 500)}`);
  }
  if (/panicked at|RuntimeError: unreachable|\bat [\w$.]+ \(.*:\d+:\d+\)/.test(text)) {
    throw new Error(`e2e: ${where}: response body looks like a stack trace:\n${text.slice(0, 500)}`);
  }
}

/**
 * The whole price list as served: GET /catalog.json (the manifest) and every shard it names →
 * the manifest with `books`, all shards' books. (The pages and the worker read only the shards
 * they need; the tests want every book.)
 */
export async function getCatalog(shopUrl) {
  const res = await shopFetch(shopUrl, '/catalog.json');
  const count = res.json?.shards?.count;
  if (res.status !== 200 || !Number.isInteger(count)) throw new Error(`e2e: bad /catalog.json (${res.status}): ${res.text.slice(0, 300)}`);
  const shards = await Promise.all(Array.from({ length: count }, async (_, n) => {
    const path = res.json.shards.path.replace('{shard}', String(n));
    const shard = await shopFetch(shopUrl, path);
    if (shard.status !== 200 || shard.json?.shard !== n || !shard.json.books) throw new Error(`e2e: bad ${path} (${shard.status}): ${shard.text.slice(0, 300)}`);
    return shard.json.books;
  }));
  return { ...res.json, books: Object.assign({}, ...shards) };
}

/** Available books of the price list as [{id, ...book}], all in the currency of the first one. */
export function availableBooks(catalog) {
  const books = Object.entries(catalog.books)
    .filter(([, b]) => b.available !== false)
    .map(([id, b]) => ({ id, ...b }));
  if (books.length === 0) throw new Error('e2e: the catalog has no available book');
  const currency = books[0].currency;
  return books.filter((b) => b.currency === currency);
}

/** "23.00" for 2300 usd, "2300" for 2300 jpy: the number a page must show for an amount. */
export function formatMinor(amount, currency, catalog) {
  const decimals = catalog?.currencies?.[currency]?.decimals ?? 2;
  if (decimals === 0) return String(amount);
  const s = String(amount).padStart(decimals + 1, '0');
  return `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

/**
 * The PaymentIntent metadata the worker sends for these order lines (`[[id, quantity], …]`),
 * exactly as `payment_intent_params` in worker/src/stripe.rs writes it: `copies`, the number of
 * books, and `order`, the lines by book id as `id:quantity` joined by `, ` (a longer order
 * continues in `order_2`, `order_3`, … at 500 characters; these tests' orders fit in one).
 */
export function orderMetadata(lines) {
  const byId = [...lines].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return {
    copies: String(lines.reduce((n, [, quantity]) => n + quantity, 0)),
    order: byId.map(([id, quantity]) => `${id}:${quantity}`).join(', '),
  };
}

// ---------------------------------------------------------------------------------------------
// The browser side: Stripe.js double + Stripe's publishable-key API emulated over localstripe.
// ---------------------------------------------------------------------------------------------

function corsHeaders(request) {
  const origin = request.headers().origin;
  return {
    'access-control-allow-origin': origin || '*',
    'access-control-allow-headers': 'Content-Type, Accept, Authorization, Stripe-Version',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'content-type': 'application/json',
  };
}

function stripeError(status, message, extra = {}) {
  return { status, body: { error: { type: 'invalid_request_error', message, ...extra } } };
}

/**
 * What Stripe does for Stripe.js with a publishable key and a client secret, done over localstripe
 * with the secret key (localstripe accepts neither a `pk_` key nor `payment_method` on confirm):
 *  POST /v1/payment_intents/{id}/confirm  key, client_secret, payment_method, return_url, receipt_email, …
 *  GET  /v1/payment_intents/{id}?key=…&client_secret=…
 */
async function stripePublicApi(stripeBase, method, url, form, log, outcomes) {
  const m = url.pathname.match(/^\/v1\/payment_intents\/(pi_[A-Za-z0-9]+)(\/confirm)?$/);
  if (!m) return stripeError(404, `Unrecognized request URL (${method}: ${url.pathname}) [stripe double]`);
  const [, id, confirm] = m;
  const key = form.get('key');
  const clientSecret = form.get('client_secret');
  if (!key || !key.startsWith('pk_')) return stripeError(401, 'Invalid API Key provided: a publishable key is required');
  const found = await stripeGet(stripeBase, `/v1/payment_intents/${id}`);
  if (found.status !== 200) return { status: found.status, body: found.body };
  if (clientSecret !== found.body.client_secret) {
    return stripeError(400, `The client_secret provided does not match the client_secret associated with the PaymentIntent.`, { code: 'payment_intent_invalid_parameter', param: 'client_secret' });
  }
  if (method === 'GET' && !confirm) {
    return { status: 200, body: outcomes ? outcomes.retrieve(id, publicView(found.body)) : publicView(found.body) };
  }
  if (method !== 'POST' || !confirm) return stripeError(405, 'Method not allowed [stripe double]');

  const params = Object.fromEntries(form.entries());
  log.push({ id, params });
  const pm = form.get('payment_method');
  const made = outcomes?.confirm(id, pm, publicView(found.body));
  if (made) return { status: 200, body: made };
  // Stripe's answer to confirming a PaymentIntent that is past it (localstripe says only 400).
  if (['succeeded', 'processing', 'requires_capture', 'canceled'].includes(found.body.status)) {
    return stripeError(400, `You cannot confirm this PaymentIntent because it has a status of ${found.body.status}.`, {
      code: 'payment_intent_unexpected_state', payment_intent: publicView(found.body),
    });
  }
  if (pm) {
    const upd = await stripePost(stripeBase, `/v1/payment_intents/${id}`, { payment_method: pm });
    if (upd.status !== 200) return { status: upd.status, body: upd.body };
  }
  const res = await stripePost(stripeBase, `/v1/payment_intents/${id}/confirm`, {});
  if (res.status === 200) return { status: 200, body: publicView(res.body) };
  const error = { ...(res.body?.error || { message: 'confirm failed' }) };
  if (res.status === 402) {
    error.type = 'card_error';
    error.decline_code = error.decline_code || 'generic_decline';
    const after = await stripeGet(stripeBase, `/v1/payment_intents/${id}`);
    if (after.status === 200) error.payment_intent = publicView(after.body);
  }
  return { status: res.status, body: { error } };
}

function publicView(pi) {
  const { id, object, amount, currency, status, client_secret, created, livemode, last_payment_error, next_action, payment_method } = pi;
  return { id, object, amount, currency, status, client_secret, created, livemode, last_payment_error, next_action, payment_method };
}

/**
 * Installs, on a Playwright BrowserContext, everything the pages need from the outside world:
 *  - https://js.stripe.com/** is answered with tests/e2e/stripe-double.js (the shipped page loads
 *    Stripe's real script; it cannot load offline);
 *  - window.STRIPE_DOUBLE = { api } tells the double where "Stripe's API" is;
 *  - requests to that API are answered by stripePublicApi() above over localstripe;
 *  - any other request leaving 127.0.0.1 is aborted and recorded in `blocked`;
 *  - `outcomes` (stripe-outcomes.mjs) adds payment methods whose outcome localstripe cannot give.
 * → { confirms, blocked, served } for assertions.
 */
export async function installStripeDouble(context, { stripeBase, api = stripeBase, outcomes } = {}) {
  requireFile(STRIPE_DOUBLE_JS, 'tests/e2e/stripe-double.js is part of the tests.');
  const doubleJs = readFileSync(STRIPE_DOUBLE_JS, 'utf8');
  const record = { confirms: [], blocked: [], served: [], apiCalls: [] };
  const apiOrigin = new URL(api).origin;

  await context.addInitScript((cfg) => {
    window.STRIPE_DOUBLE = cfg;
  }, { api, methods: outcomes?.methods || [] });

  await context.route(
    () => true,
    async (route) => {
      const request = route.request();
      const url = new URL(request.url());
      if (url.origin === 'https://js.stripe.com') {
        record.served.push(url.href);
        return route.fulfill({
          status: 200,
          headers: { 'content-type': 'application/javascript; charset=utf-8', 'access-control-allow-origin': '*' },
          body: doubleJs,
        });
      }
      if (url.origin === apiOrigin) {
        if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: corsHeaders(request), body: '' });
        const form =
          request.method() === 'POST' ? new URLSearchParams(request.postData() || '') : url.searchParams;
        let out;
        try {
          out = await stripePublicApi(stripeBase, request.method(), url, form, record.confirms, outcomes);
        } catch (e) {
          out = stripeError(500, `stripe double adapter failed: ${e.message}`);
        }
        record.apiCalls.push({ method: request.method(), path: url.pathname, status: out.status });
        return route.fulfill({ status: out.status, headers: corsHeaders(request), body: JSON.stringify(out.body) });
      }
      if (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.protocol === 'data:' || url.protocol === 'blob:') {
        return route.continue();
      }
      record.blocked.push(`${request.method()} ${url.href}`);
      return route.abort('blockedbyclient');
    },
  );
  return record;
}

/**
 * One shopper's browser session through the Stripe.js double: a fresh context (the CSP bypassed,
 * as the double talks to localstripe), an address of its own for the worker's rate limit, and,
 * when `fn` fails, a screenshot in ARTIFACTS_DIR and what the browser and "Stripe" saw added to
 * the message. Passes `fn` { page, context, record, posts (bodies POSTed to the endpoint),
 * consoleErrors }. After `fn`, no page error and no request off the machine are allowed.
 * `double`: extra window.STRIPE_DOUBLE settings; `api`, `outcomes`: as installStripeDouble's;
 * `options`: browser.newContext's.
 */
export async function shopperPage(browser, name, fn, { stripeBase, api, outcomes, double, options = {} }) {
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-US', viewport: { width: 1200, height: 900 }, ...options });
  const record = await installStripeDouble(context, { stripeBase, ...(api ? { api } : {}), outcomes });
  if (double) await context.addInitScript((extra) => Object.assign(window.STRIPE_DOUBLE, extra), double);
  // Each test is one shopper at an address of its own (the worker limits new checkouts per
  // address, and a suite as a whole starts more than one shopper would).
  const ip = clientIp();
  await context.route(`**${PAYMENT_INTENT_PATH}`, (route) =>
    route.fallback({ headers: { ...route.request().headers(), 'cf-connecting-ip': ip } }),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors = [];
  const consoleErrors = [];
  const posts = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === PAYMENT_INTENT_PATH) posts.push(JSON.parse(r.postData() || 'null'));
  });
  try {
    await fn({ page, context, record, posts, consoleErrors });
    assert.deepEqual(pageErrors, [], 'no uncaught error in the pages');
    assert.deepEqual(record.blocked, [], 'no request leaves the machine except Stripe.js (served by the double)');
  } catch (e) {
    await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}-failure.png`), fullPage: true }).catch(() => {});
    if (consoleErrors.length) e.message += `\nbrowser console errors:\n  ${consoleErrors.join('\n  ')}`;
    if (record.apiCalls.length) e.message += `\nStripe API calls: ${JSON.stringify(record.apiCalls)}`;
    const trace = await page.evaluate(() => window.__stripeDouble?.calls.map((c) => c.name)).catch(() => null);
    if (trace) e.message += `\nStripe double calls: ${trace.join(', ')}`;
    throw e;
  } finally {
    await context.close();
  }
}

let axeSource;
/** axe-core's serious and critical WCAG 2 A/AA violations on the page as it is now, each a line. */
export async function axeProblems(page, label) {
  axeSource ??= readFileSync(join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

/** Launches Debian's Chromium headless through playwright-core. */
export async function launchChromium() {
  requireFile(CHROMIUM_BIN, 'Install it: apt-get install chromium (make test does this).');
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

// Kill whatever is still running when the test process ends, however it ends.
function killAll() {
  for (const child of running) killGroup(child, 'SIGKILL');
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[sig]);
  });
}
