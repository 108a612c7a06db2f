// Integration: the real worker under `wrangler dev` against a small Stripe stand-in that records what
// it is sent and fails on demand, for what localstripe cannot do: check the request the worker makes
// (auth, Stripe-Version, Idempotency-Key, only amount/currency/metadata) and how Stripe's failures
// (429, 5xx, garbage, a dropped connection, a hang, a rejected key) reach the shopper.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';

import { SHOP_START_TIMEOUT_MS, TEST_SECRET_KEY, availableBooks, getCatalog, postOrder, startShop } from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };

/** A Stripe stand-in: answers POST /v1/payment_intents according to `mode`, records every request. */
function startFakeStripe() {
  const state = { mode: 'ok', requests: [], seq: 0, hung: [] };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      state.requests.push({ method: req.method, url: req.url, headers: req.headers, raw, form });
      const json = (status, body, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake', ...headers });
        res.end(JSON.stringify(body));
      };
      switch (state.mode) {
        case 'ok': {
          state.seq += 1;
          const id = `pi_fake${String(state.seq).padStart(6, '0')}`;
          return json(200, {
            id,
            object: 'payment_intent',
            amount: Number(form.get('amount')),
            currency: form.get('currency'),
            client_secret: `${id}_secret_fakefakefake`,
            status: 'requires_payment_method',
            metadata: {},
            livemode: false,
          });
        }
        case '500':
          return json(500, { error: { type: 'api_error', message: 'An unknown error occurred' } });
        case '503':
          return json(503, { error: { type: 'api_error', message: 'Service unavailable' } });
        case '429':
          return json(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } }, { 'retry-after': '1' });
        case '401':
          return json(401, { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${TEST_SECRET_KEY}` } });
        case '400':
          return json(400, { error: { type: 'invalid_request_error', code: 'amount_too_small', param: 'amount', message: `Amount must be at least $0.50 usd (key ${TEST_SECRET_KEY})` } });
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
          return json(500, { error: { message: `unknown mode ${state.mode}` } });
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
  assert.ok(!/Invalid API Key|api_error|request-id|req_fake/.test(res.text), `Stripe's own words leak: ${res.text}`);
}

describe('the worker against a fault-injecting Stripe stand-in', () => {
  let fake;
  let shop;
  let books;

  before(async () => {
    fake = await startFakeStripe();
    shop = await startShop({ stripeBase: fake.url });
    books = availableBooks(await getCatalog(shop.url));
  }, HOOK);

  after(async () => {
    await shop?.stop();
    await fake?.stop();
  });

  beforeEach(() => {
    fake.state.mode = 'ok';
    fake.state.requests.length = 0;
  });

  it('sends Stripe a form with only amount, currency and metadata, with the secret key and a pinned version', async () => {
    const [a, b] = books;
    const res = await postOrder(shop.url, { items: [{ id: a.id, quantity: 1 }, { id: b.id, quantity: 2 }], attempt: 'att-shape' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.paymentIntent, 'pi_fake000001');
    assert.equal(res.json.clientSecret, 'pi_fake000001_secret_fakefakefake');
    assert.equal(fake.state.requests.length, 1, 'exactly one call to Stripe');
    const [r] = fake.state.requests;
    assert.equal(r.method, 'POST');
    assert.equal(new URL(r.url, 'http://x').pathname, '/v1/payment_intents');
    assert.equal(r.headers.authorization, `Bearer ${TEST_SECRET_KEY}`);
    assert.match(r.headers['content-type'] || '', /^application\/x-www-form-urlencoded/);
    assert.match(r.headers['stripe-version'] || '', /^\d{4}-\d{2}-\d{2}(\.\w+)?$/, 'a pinned Stripe-Version');
    assert.ok((r.headers['idempotency-key'] || '').length >= 8, 'an Idempotency-Key');
    assert.ok(r.headers['idempotency-key'].length <= 255, 'Stripe limits Idempotency-Key to 255 characters');
    assert.equal(r.form.get('amount'), String(a.amount + 2 * b.amount));
    assert.equal(r.form.get('currency'), a.currency);
    const keys = [...r.form.keys()];
    const extra = keys.filter((k) => !['amount', 'currency'].includes(k) && !/^metadata\[[^\]]+\]$/.test(k));
    assert.deepEqual(extra, [], `only amount, currency, metadata[…] (sent: ${keys.join(', ')})`);
  });

  it('derives the Idempotency-Key from the attempt and the order', async () => {
    const [a, b] = books;
    const order = (attempt, qty = 1) => ({ items: [{ id: a.id, quantity: qty }, { id: b.id, quantity: 1 }], attempt });
    for (const body of [order('att-1'), order('att-1'), order('att-1', 2), order('att-2')]) {
      const res = await postOrder(shop.url, body);
      assert.equal(res.status, 200, res.text);
    }
    const keys = fake.state.requests.map((r) => r.headers['idempotency-key']);
    assert.equal(keys.length, 4);
    assert.equal(keys[0], keys[1], 'a double click (same attempt, same order) reuses the key');
    assert.notEqual(keys[0], keys[2], 'a changed order gets a new key');
    assert.notEqual(keys[0], keys[3], 'a new attempt gets a new key');
    assert.ok(!keys.some((k) => k.includes(TEST_SECRET_KEY)));
  });

  const failures = [
    ['500', [502, 503]],
    ['503', [502, 503]],
    ['429', [502, 503]],
    ['garbage', [502]],
    ['not-a-pi', [502]],
    ['reset', [502, 503]],
    ['401', [502, 503]],
    ['400', [400, 502]],
  ];
  for (const [mode, statuses] of failures) {
    it(`maps a Stripe ${mode} to ${statuses.join(' or ')} without leaking Stripe's reply`, async () => {
      fake.state.mode = mode;
      const res = await postOrder(shop.url, { items: [{ id: books[0].id, quantity: 1 }] });
      assert.ok(statuses.includes(res.status), `got ${res.status}: ${res.text}`);
      assertErrorShape(res);
      assert.ok(fake.state.requests.length >= 1 && fake.state.requests.length <= 3, `retries are bounded (${fake.state.requests.length} calls)`);
    });
  }

  it('gives up on a Stripe that never answers with 504', { timeout: 90_000 }, async () => {
    fake.state.mode = 'hang';
    const started = Date.now();
    const res = await postOrder(shop.url, { items: [{ id: books[0].id, quantity: 1 }] });
    const took = Date.now() - started;
    assert.equal(res.status, 504, `got ${res.status} after ${took} ms: ${res.text}`);
    assertErrorShape(res);
  });
});
