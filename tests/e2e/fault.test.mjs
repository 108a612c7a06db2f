// Integration: the real worker under `wrangler dev` against a small Stripe stand-in that records what
// it is sent and fails on demand, for what localstripe cannot do: check the request the worker makes
// (auth, Stripe-Version, Idempotency-Key, only amount/currency/metadata) and that Stripe's failures
// (429, 409, 5xx, Stripe-Should-Retry, garbage, a dropped connection, a hang, a rejected key) get
// exactly the designed retry policy (worker/src/stripe.rs) and the designed answer:
//   - at most MAX_ATTEMPTS = 3 calls, all with the same Idempotency-Key, body and Stripe-Version;
//   - retried: a network error, 409, 429, 5xx; `Stripe-Should-Retry: true|false` wins either way;
//   - backoff before retry n: 250·2^(n-1) ms capped at 2 s, minus up to half of it as jitter;
//   - a 10 s timeout per call;
//   - the end: 200 as soon as one call succeeds (one PaymentIntent), 503 stripe_unavailable after
//     retryable failures (or a 5xx Stripe says not to retry), 502 stripe_error for a 4xx or a 2xx
//     that is not our PaymentIntent, 504 stripe_timeout when the last call timed out.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';

import {
  REPO_ROOT,
  SHOP_START_TIMEOUT_MS,
  TEST_SECRET_KEY,
  availableBooks,
  getCatalog,
  orderMetadata,
  postOrder,
  startShop,
  workerLogLines,
} from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };

// The policy under test, as worker/src/stripe.rs states it.
const MAX_ATTEMPTS = 3;
const CALL_TIMEOUT_MS = 10_000;
/** The least wait before retry n (1-based): the backoff with the most jitter. */
const minBackoffMs = (n) => Math.min(250 * 2 ** Math.min(n - 1, 3), 2000) / 2;

/** The pinned Stripe-Version, read from the one place the Rust code defines it. */
function pinnedStripeVersion() {
  const src = readFileSync(join(REPO_ROOT, 'catalog/src/lib.rs'), 'utf8');
  const m = src.match(/STRIPE_API_VERSION:\s*&str\s*=\s*"([^"]+)"/);
  if (!m) throw new Error('e2e: STRIPE_API_VERSION not found in catalog/src/lib.rs');
  return m[1];
}

/**
 * A Stripe stand-in: answers POST /v1/payment_intents by a plan of modes (one per request, then
 * `fallback`), records every request with its arrival time, and keeps Stripe's idempotency: a
 * key it has answered with a PaymentIntent gets the same one again.
 */
function startFakeStripe() {
  const state = { plan: [], fallback: 'ok', requests: [], seq: 0, created: new Map(), hung: [] };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      const mode = state.plan.length ? state.plan.shift() : state.fallback;
      state.requests.push({ at: Date.now(), mode, method: req.method, url: req.url, headers: req.headers, raw, form });
      const json = (status, body, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake', ...headers });
        res.end(JSON.stringify(body));
      };
      const apiError = (status, headers = {}) =>
        json(status, { error: { type: 'api_error', message: `An unknown error occurred (${status})` } }, headers);
      const paymentIntent = (amount) => {
        const key = req.headers['idempotency-key'];
        if (key && state.created.has(key)) return json(200, state.created.get(key), { 'idempotent-replayed': 'true' });
        state.seq += 1;
        const id = `pi_fake${String(state.seq).padStart(6, '0')}`;
        const pi = {
          id,
          object: 'payment_intent',
          amount,
          currency: form.get('currency'),
          client_secret: `${id}_secret_fakefakefake`,
          status: 'requires_payment_method',
          metadata: {},
          livemode: false,
        };
        if (key) state.created.set(key, pi);
        return json(200, pi);
      };
      switch (mode) {
        case 'ok':
          return paymentIntent(Number(form.get('amount')));
        case 'wrong-amount':
          return json(200, { id: 'pi_wrong', object: 'payment_intent', amount: 1, currency: form.get('currency'), client_secret: 'pi_wrong_secret_x' });
        case '500':
        case '502':
        case '503':
          return apiError(Number(mode));
        case '500-should-retry-false':
          return apiError(500, { 'stripe-should-retry': 'false' });
        case '409':
          return json(409, { error: { type: 'idempotency_error', message: 'There is currently another in-progress request using this Idempotent Key.' } });
        case '429':
          return json(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } }, { 'retry-after': '1' });
        case '429-should-retry-false':
          return json(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } }, { 'stripe-should-retry': 'false' });
        case '400-should-retry-true':
          return json(400, { error: { type: 'invalid_request_error', message: 'Try again' } }, { 'stripe-should-retry': 'true' });
        case '401':
          return json(401, { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${TEST_SECRET_KEY}` } });
        case '400':
          return json(400, { error: { type: 'invalid_request_error', code: 'amount_too_small', param: 'amount', message: `Amount must be at least $0.50 usd (key ${TEST_SECRET_KEY})` } });
        case '404':
          return json(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (POST: ${req.url})` } });
        case 'garbage':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<html>502 Bad Gateway from some proxy</html>');
        case 'not-a-pi':
          return json(200, { object: 'list', data: [] });
        case 'reset':
          return req.socket.destroy();
        case 'hang':
          state.hung.push(res);
          return undefined; // never answers
        default:
          return json(500, { error: { message: `unknown mode ${mode}` } });
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        state,
        stop: () =>
          new Promise((r) => {
            for (const res of state.hung) res.destroy();
            server.closeAllConnections?.();
            server.close(r);
          }),
      });
    });
  });
}

function assertErrorShape(res) {
  assert.match(res.headers.get('content-type') || '', /application\/json/, 'errors are JSON');
  assert.equal(typeof res.json?.error?.code, 'string', res.text);
  assert.equal(typeof res.json?.error?.message, 'string', res.text);
  assert.ok(!/Invalid API Key|api_error|request-id|req_fake|amount_too_small|Bad Gateway|rate_limit/.test(res.text), `Stripe's own words leak: ${res.text}`);
}

/** The worker's log line for the latest request, waiting for wrangler to write it. */
async function lastLogLine(logFile, countBefore, mine = () => true) {
  for (let i = 0; i < 40; i += 1) {
    // wrangler may still be writing an earlier test's lines: only a line of this request counts.
    const lines = workerLogLines(logFile).slice(countBefore).filter(mine);
    if (lines.length) return lines.at(-1);
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

// case → the stand-in's plan (then `fallback`) → the attempts and the final answer designed for it.
const FAULTS = [
  { name: '500, 500, 500 (a 4th call would succeed)', plan: ['500', '500', '500'], attempts: 3, status: 503, code: 'stripe_unavailable' },
  { name: '502 every time', fallback: '502', attempts: 3, status: 503, code: 'stripe_unavailable' },
  { name: '503 every time', fallback: '503', attempts: 3, status: 503, code: 'stripe_unavailable' },
  { name: '429 every time', fallback: '429', attempts: 3, status: 503, code: 'stripe_unavailable' },
  { name: '409 every time', fallback: '409', attempts: 3, status: 503, code: 'stripe_unavailable' },
  { name: 'connection reset every time', fallback: 'reset', attempts: 3, status: 503, code: 'stripe_unavailable' },
  { name: '500 + Stripe-Should-Retry: false', fallback: '500-should-retry-false', attempts: 1, status: 503, code: 'stripe_unavailable' },
  { name: '429 + Stripe-Should-Retry: false', fallback: '429-should-retry-false', attempts: 1, status: 502, code: 'stripe_error' },
  { name: '400 + Stripe-Should-Retry: true', fallback: '400-should-retry-true', attempts: 3, status: 503, code: 'stripe_unavailable' },
  { name: '401 (a rejected key)', fallback: '401', attempts: 1, status: 502, code: 'stripe_error' },
  { name: '400 (invalid parameters)', fallback: '400', attempts: 1, status: 502, code: 'stripe_error' },
  { name: '404 (a wrong API base)', fallback: '404', attempts: 1, status: 502, code: 'stripe_error' },
  { name: '200 with an HTML body', fallback: 'garbage', attempts: 1, status: 502, code: 'stripe_error' },
  { name: '200 with JSON that is not a PaymentIntent', fallback: 'not-a-pi', attempts: 1, status: 502, code: 'stripe_error' },
  { name: '200 with a PaymentIntent for another amount', fallback: 'wrong-amount', attempts: 1, status: 502, code: 'stripe_error' },
  { name: '500 then 200', plan: ['500'], attempts: 2, status: 200 },
  { name: '429, 503 then 200', plan: ['429', '503'], attempts: 3, status: 200 },
  { name: 'connection reset then 200', plan: ['reset'], attempts: 2, status: 200 },
  { name: '409 then 200', plan: ['409'], attempts: 2, status: 200 },
  { name: 'hang then 200', plan: ['hang'], attempts: 2, status: 200, slow: true },
  { name: 'hang every time', fallback: 'hang', attempts: 3, status: 504, code: 'stripe_timeout', slow: true },
];

describe('the worker against a fault-injecting Stripe stand-in', () => {
  let fake;
  let shop;
  let books;
  const version = pinnedStripeVersion();
  const table = [];

  before(async () => {
    fake = await startFakeStripe();
    shop = await startShop({ stripeBase: fake.url });
    books = availableBooks(await getCatalog(shop.url));
  }, HOOK);

  after(async () => {
    if (table.length) {
      const w = Math.max(...table.map((r) => r.name.length));
      console.log(`fault table (stand-in behaviour → calls to Stripe → our answer), MAX_ATTEMPTS ${MAX_ATTEMPTS}, timeout ${CALL_TIMEOUT_MS / 1000} s`);
      for (const r of table) console.log(`  ${r.name.padEnd(w)}  → ${r.attempts} call${r.attempts === 1 ? ' ' : 's'} → ${r.answer.padEnd(23)}${r.gaps.length ? ` (retried after ${r.gaps.join(', ')} ms)` : ''}${r.ok ? '' : '   (NOT AS DESIGNED)'}`);
    }
    await shop?.stop();
    await fake?.stop();
  });

  beforeEach(() => {
    fake.state.plan = [];
    fake.state.fallback = 'ok';
    fake.state.requests.length = 0;
  });

  it('sends Stripe a form with only amount, currency and metadata, with the secret key and the pinned version', async () => {
    const [a, b] = books;
    const res = await postOrder(shop.url, { items: [{ id: a.id, quantity: 1 }, { id: b.id, quantity: 2 }], attempt: 'att-shape' });
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.paymentIntent, /^pi_fake\d{6}$/);
    assert.equal(res.json.clientSecret, `${res.json.paymentIntent}_secret_fakefakefake`);
    assert.equal(fake.state.requests.length, 1, 'exactly one call to Stripe');
    const [r] = fake.state.requests;
    assert.equal(r.method, 'POST');
    assert.equal(new URL(r.url, 'http://x').pathname, '/v1/payment_intents');
    assert.equal(r.headers.authorization, `Bearer ${TEST_SECRET_KEY}`);
    assert.match(r.headers['content-type'] || '', /^application\/x-www-form-urlencoded/);
    assert.equal(r.headers['stripe-version'], version, 'the pinned Stripe-Version');
    assert.ok((r.headers['idempotency-key'] || '').length >= 8, 'an Idempotency-Key');
    assert.ok(r.headers['idempotency-key'].length <= 255, 'Stripe limits Idempotency-Key to 255 characters');
    assert.equal(r.form.get('amount'), String(a.amount + 2 * b.amount));
    assert.equal(r.form.get('currency'), a.currency);
    // The whole parameter list, in order: nothing else (localstripe refuses what it does not know).
    const metadata = orderMetadata([[a.id, 1], [b.id, 2]]);
    assert.deepEqual([...r.form], [
      ['amount', String(a.amount + 2 * b.amount)],
      ['currency', a.currency],
      ['metadata[copies]', metadata.copies],
      ['metadata[order]', metadata.order],
    ]);
  });

  it('derives the Idempotency-Key from the attempt and the order', async () => {
    const [a, b] = books;
    const order = (attempt, qty = 1) => ({ items: [{ id: a.id, quantity: qty }, { id: b.id, quantity: 1 }], attempt });
    const swapped = { items: [...order('att-1').items].reverse(), attempt: 'att-1' };
    const answers = [];
    for (const body of [order('att-1'), order('att-1'), order('att-1', 2), order('att-2'), swapped]) {
      const res = await postOrder(shop.url, body);
      assert.equal(res.status, 200, res.text);
      answers.push(res.json.paymentIntent);
    }
    const keys = fake.state.requests.map((r) => r.headers['idempotency-key']);
    assert.equal(keys.length, 5);
    assert.equal(keys[4], keys[0], 'the same cart with its lines in another order is the same attempt');
    assert.equal(fake.state.requests[4].raw, fake.state.requests[0].raw, 'with the same parameters, which Stripe compares');
    assert.equal(keys[0], keys[1], 'a double click (same attempt, same order) reuses the key');
    assert.equal(answers[0], answers[1], 'so Stripe answers it with the same PaymentIntent');
    assert.notEqual(keys[0], keys[2], 'a changed order gets a new key');
    assert.notEqual(keys[0], keys[3], 'a new attempt gets a new key');
    assert.ok(!keys.some((k) => k.includes(TEST_SECRET_KEY)));
  });

  for (const f of FAULTS) {
    const wait = f.slow ? MAX_ATTEMPTS * CALL_TIMEOUT_MS + 30_000 : 30_000;
    it(`Stripe ${f.name} → ${f.attempts} call(s), then ${f.status} ${f.code ?? ''}`.trim(), { timeout: wait }, async () => {
      fake.state.plan = [...(f.plan || [])];
      fake.state.fallback = f.fallback || 'ok';
      const createdBefore = fake.state.seq;
      const logCount = workerLogLines(shop.logFile).length;
      const res = await postOrder(shop.url, { items: [{ id: books[0].id, quantity: 1 }], attempt: `fault-${table.length}` });
      const reqs = fake.state.requests;
      const gaps = reqs.slice(1).map((r, i) => r.at - reqs[i].at);
      const row = { name: f.name, attempts: reqs.length, gaps, answer: `${res.status} ${res.json?.error?.code ?? res.json?.paymentIntent ?? ''}`, ok: false };
      table.push(row);

      assert.equal(res.status, f.status, `final answer: ${res.status} ${res.text}`);
      assert.equal(reqs.length, f.attempts, `calls to Stripe: ${reqs.map((r) => r.mode).join(', ')}`);
      const keys = new Set(reqs.map((r) => r.headers['idempotency-key']));
      assert.equal(keys.size, 1, `one Idempotency-Key for every call: ${[...keys].join(', ')}`);
      assert.ok([...keys][0]?.length >= 8, 'an Idempotency-Key');
      for (const r of reqs) {
        assert.equal(r.headers['stripe-version'], version, 'every call carries the pinned Stripe-Version');
        assert.equal(r.headers.authorization, `Bearer ${TEST_SECRET_KEY}`);
        assert.equal(r.raw, reqs[0].raw, 'every call sends the same parameters');
      }
      // Backoff (lower bounds only: a busy machine can only make the gaps longer).
      for (let n = 1; n < reqs.length; n += 1) {
        const gap = reqs[n].at - reqs[n - 1].at;
        const least = minBackoffMs(n) + (reqs[n - 1].mode === 'hang' ? CALL_TIMEOUT_MS - 250 : 0);
        assert.ok(gap >= least - 20, `retry ${n} came ${gap} ms after the call before it (at least ${least} ms by design)`);
      }
      if (f.status === 200) {
        assert.equal(fake.state.seq - createdBefore, 1, 'exactly one PaymentIntent was created');
        assert.equal(res.json.paymentIntent, `pi_fake${String(fake.state.seq).padStart(6, '0')}`);
        assert.equal(res.json.amount, books[0].amount);
      } else {
        assert.equal(res.json?.error?.code, f.code, res.text);
        assertErrorShape(res);
        assert.equal(fake.state.seq, createdBefore, 'no PaymentIntent was created');
      }
      // The fault orders are one book; the tests before them ordered two.
      const log = await lastLogLine(shop.logFile, logCount, (line) => line.items === 1);
      assert.ok(log, 'the worker logged the request');
      assert.equal(log.status, f.status, `log: ${JSON.stringify(log)}`);
      assert.equal(log.stripe_attempts, f.attempts, `log: ${JSON.stringify(log)}`);
      row.ok = true;
    });
  }

  it('never logs a secret or Stripe\'s words', () => {
    for (const line of workerLogLines(shop.logFile)) {
      const text = JSON.stringify(line);
      assert.ok(!text.includes(TEST_SECRET_KEY) && !/Invalid API Key|sk_test|sk_live/.test(text), `log line: ${text}`);
    }
  });
});
