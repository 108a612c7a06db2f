// Integration: a panic (or an error) inside the worker still answers the API's JSON error shape,
// every request in flight when the WASM instance aborts gets an answer, and the next request is
// served by a fresh instance. The trigger lives in a test-only build (`--features panic-probe`,
// worker/src/panic_probe.rs); the deployed worker has none, which the last test checks.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  HERE,
  REPO_ROOT,
  SHOP_START_TIMEOUT_MS,
  availableBooks,
  getCatalog,
  postOrder,
  requireFile,
  startShop,
} from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };
const PROBE_BUILD = join(REPO_ROOT, 'target/panic-probe/build/index.js');

/** The message the worker's Rust side gives `internal_error` (worker/src/api_error.rs). */
function rustInternalMessage() {
  const src = readFileSync(join(REPO_ROOT, 'worker/src/api_error.rs'), 'utf8');
  const m = src.match(/INTERNAL_ERROR_MESSAGE: &str =\s*"([^"]+)"/);
  if (!m) throw new Error('e2e: INTERNAL_ERROR_MESSAGE not found in worker/src/api_error.rs');
  return m[1];
}

/** A Stripe that takes every request and never answers: keeps a request in flight. */
function startSilentStripe() {
  const held = [];
  const server = createServer((req, res) => held.push(res));
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        held,
        stop: () => {
          for (const res of held) res.destroy();
          server.close();
        },
      }),
    );
  });
}

const probe = (shopUrl, how, body = { items: [] }) => postOrder(shopUrl, body, { headers: { 'X-Panic-Probe': how } });

function assertInternalError(res, what) {
  assert.equal(res.status, 500, `${what}: status`);
  assert.match(res.headers.get('content-type') || '', /^application\/json/, `${what}: content type`);
  assert.deepEqual(res.json, { error: { code: 'internal_error', message: rustInternalMessage() } }, `${what}: body`);
}

describe('a panic inside the worker', () => {
  let stripe;
  let shop;
  let order;

  before(async () => {
    requireFile(PROBE_BUILD, 'Build the panic-probe worker: `make target/panic-probe/build/index.js` (make e2e does).');
    stripe = await startSilentStripe();
    shop = await startShop({ stripeBase: stripe.url, script: join(HERE, 'panic-probe-entry.mjs') });
    const [book] = availableBooks(await getCatalog(shop.url));
    order = { items: [{ id: book.id, quantity: 1 }], attempt: 'panic-test-0001' };
  }, HOOK);

  after(async () => {
    await shop?.stop();
    stripe?.stop();
  });

  it('before its first await answers 500 JSON, and the next request is served', async () => {
    assertInternalError(await probe(shop.url, 'now'), 'panic now');
    const next = await probe(shop.url, 'none');
    assert.equal(next.status, 400);
    assert.equal(next.json?.error?.code, 'empty_order');
  });

  it('after an await answers 500 JSON, and the next request is served', async () => {
    assertInternalError(await probe(shop.url, 'later'), 'panic later');
    const next = await probe(shop.url, 'none');
    assert.equal(next.json?.error?.code, 'empty_order');
  });

  it('an error returned by the handler answers the same 500 JSON (not workers-rs\' plain text)', async () => {
    assertInternalError(await probe(shop.url, 'error'), 'error');
  });

  it('answers every request in flight when the instance aborts, at once', async () => {
    const heldBefore = stripe.held.length;
    const waiting = postOrder(shop.url, order);
    // Wait until that request is inside the worker, waiting on Stripe.
    const deadline = Date.now() + 10_000;
    while (stripe.held.length === heldBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(stripe.held.length, heldBefore + 1, 'the order reached the silent Stripe');
    const started = Date.now();
    assertInternalError(await probe(shop.url, 'later'), 'the panicking request');
    assertInternalError(await waiting, 'the request in flight');
    // Not the 3 × 10 s Stripe timeouts: the abort answered it.
    assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
  });

  it('is logged as one JSON line with the place, without the request', async () => {
    const panicLines = () =>
      readFileSync(shop.logFile, 'utf8')
        .split('\n')
        .map((l) => l.match(/(\{"panic":".*\})/)?.[1])
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    // wrangler's output reaches the log file a little after the answers.
    const deadline = Date.now() + 5_000;
    while (panicLines().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const lines = panicLines();
    assert.equal(lines.length, 3, 'one line per panic (now, later, in flight)');
    for (const line of lines) {
      assert.match(line.panic, /^worker\/src\/panic_probe\.rs:\d+$/);
      assert.match(line.message, /panic probe: (now|later)/);
      assert.doesNotMatch(JSON.stringify(line), /items|quantity|sk_test/);
    }
  });

  it('the deployed worker has no probe in it', () => {
    const wasm = readFileSync(join(REPO_ROOT, 'worker/build/index_bg.wasm'));
    assert.ok(wasm.length > 0);
    assert.equal(wasm.includes('X-Panic-Probe'), false, 'X-Panic-Probe in worker/build/index_bg.wasm');
    assert.equal(wasm.includes('panic probe'), false, 'panic probe in worker/build/index_bg.wasm');
  });
});
