// Integration: the real worker under `wrangler dev` (workerd) serving the real built site, with
// localstripe as Stripe. The contract is the README's endpoint section (README.md, "The endpoint":
// POST /api/payment-intent).

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  REPO_ROOT,
  SHOP_START_TIMEOUT_MS,
  TEST_SECRET_KEY,
  availableBooks,
  clientIp,
  getCatalog,
  orderMetadata,
  postOrder,
  rawRequest,
  shopFetch,
  startLocalstripe,
  startShop,
  stripeGet,
  stripePost,
} from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };
// An origin the shop lists in ALLOWED_ORIGINS: it gets CORS headers and a preflight.
const LISTED_ORIGIN = 'https://press.example';

/** The one error shape: {"error": {"code", "message", "param"?}}. */
function assertError(res, status, code) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  assert.match(res.headers.get('content-type') || '', /application\/json/, 'errors are JSON');
  assert.ok(res.json && typeof res.json.error === 'object', `error body: ${res.text}`);
  assert.equal(typeof res.json.error.code, 'string', `error.code: ${res.text}`);
  assert.equal(typeof res.json.error.message, 'string', `error.message: ${res.text}`);
  assert.ok(res.json.error.message.length > 0, 'error.message is not empty');
  if (code) assert.equal(res.json.error.code, code, res.text);
}

describe('POST /api/payment-intent, shop configured with localstripe', () => {
  let stripe;
  let shop;
  let catalog;
  let books; // available, one currency

  before(async () => {
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url, vars: { ALLOWED_ORIGINS: LISTED_ORIGIN } });
    catalog = await getCatalog(shop.url);
    books = availableBooks(catalog);
    assert.ok(books.length >= 2, 'the e2e tests need at least two available books in one currency');
  }, HOOK);

  after(async () => {
    await shop?.stop();
    await stripe?.stop();
  });

  it('the price list is versioned, in shards and in minor units', () => {
    assert.equal(catalog.version, 2);
    assert.ok(catalog.shards.count >= 1 && Number.isInteger(Math.log2(catalog.shards.count)), 'a power of two');
    for (const b of books) {
      assert.ok(Number.isInteger(b.amount) && b.amount > 0, `${b.id}: amount ${b.amount}`);
      assert.match(b.currency, /^[a-z]{3}$/);
    }
  });

  it('prices a valid order from the catalog and creates the PaymentIntent in Stripe', async () => {
    const [a, b] = books;
    const res = await postOrder(shop.url, {
      items: [
        { id: a.id, quantity: 1 },
        { id: b.id, quantity: 2 },
      ],
      attempt: `e2e-${Date.now()}`,
    });
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') || '', /application\/json/);
    const expected = a.amount + 2 * b.amount;
    assert.match(res.json.paymentIntent, /^pi_/);
    assert.ok(res.json.clientSecret.startsWith(`${res.json.paymentIntent}_secret_`), res.text);
    assert.equal(res.json.amount, expected);
    assert.equal(res.json.currency, a.currency);

    const pi = await stripeGet(stripe.url, `/v1/payment_intents/${res.json.paymentIntent}`);
    assert.equal(pi.status, 200, JSON.stringify(pi.body));
    assert.equal(pi.body.amount, expected);
    assert.equal(pi.body.currency, a.currency);
    assert.equal(pi.body.client_secret, res.json.clientSecret);
    assert.equal(pi.body.status, 'requires_payment_method');
    const md = pi.body.metadata;
    assert.deepEqual(md, orderMetadata([[a.id, 1], [b.id, 2]]), 'the order lines, as the worker writes them');
    // Stripe's metadata limits: ≤ 50 keys, keys ≤ 40 chars, values ≤ 500 chars.
    assert.ok(Object.keys(md).length <= 50);
    for (const [k, v] of Object.entries(md)) {
      assert.ok(k.length <= 40, `metadata key too long: ${k}`);
      assert.ok(String(v).length <= 500, `metadata value too long: ${k}`);
    }
  });

  it('charges the catalog price whatever amount or price the request carries', async () => {
    const [a] = books;
    const res = await postOrder(shop.url, {
      items: [{ id: a.id, quantity: 1, price: 1, amount: 1, currency: 'jpy' }],
      amount: 1,
      currency: 'jpy',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.amount, a.amount);
    assert.equal(res.json.currency, a.currency);
    const pi = await stripeGet(stripe.url, `/v1/payment_intents/${res.json.paymentIntent}`);
    assert.equal(pi.body.amount, a.amount);
    assert.equal(pi.body.currency, a.currency);
  });

  it('rejects an unknown book with unknown_item at items[0].id', async () => {
    const res = await postOrder(shop.url, { items: [{ id: 'no-such-book-e2e', quantity: 1 }] });
    assertError(res, 400, 'unknown_item');
    assert.equal(res.json.error.param, 'items[0].id');
  });

  it('names the failing line of a longer order', async () => {
    const res = await postOrder(shop.url, {
      items: [
        { id: books[0].id, quantity: 1 },
        { id: 'no-such-book-e2e', quantity: 1 },
      ],
    });
    assertError(res, 400, 'unknown_item');
    assert.equal(res.json.error.param, 'items[1].id');
  });

  it('rejects an empty order', async () => {
    assertError(await postOrder(shop.url, { items: [] }), 400);
  });

  it('rejects a missing items list', async () => {
    assertError(await postOrder(shop.url, {}), 400);
  });

  for (const quantity of [0, -1, 1.5, '2', null]) {
    it(`rejects quantity ${JSON.stringify(quantity)}`, async () => {
      const res = await postOrder(shop.url, { items: [{ id: books[0].id, quantity }] });
      assertError(res, 400);
    });
  }

  it('rejects malformed JSON', async () => {
    assertError(await postOrder(shop.url, '{"items": [{"id": '), 400);
  });

  it('rejects a body that is not JSON content (415)', async () => {
    const body = JSON.stringify({ items: [{ id: books[0].id, quantity: 1 }] });
    assertError(await postOrder(shop.url, body, { contentType: 'text/plain' }), 415);
    assertError(await postOrder(shop.url, body, { contentType: 'application/x-www-form-urlencoded' }), 415);
  });

  it('accepts application/json with a charset', async () => {
    const res = await postOrder(shop.url, { items: [{ id: books[0].id, quantity: 1 }] }, {
      contentType: 'application/json; charset=utf-8',
    });
    assert.equal(res.status, 200, res.text);
  });

  it('rejects a body over 16 KiB (413)', async () => {
    const body = JSON.stringify({ items: [{ id: books[0].id, quantity: 1 }], attempt: 'x'.repeat(17 * 1024) });
    assertError(await postOrder(shop.url, body), 413);
  });

  it('answers GET with 405 and Allow: POST', async () => {
    const res = await shopFetch(shop.url, '/api/payment-intent');
    assertError(res, 405);
    assert.match(res.headers.get('allow') || '', /\bPOST\b/);
  });

  it('refuses a foreign origin (403) and accepts its own', async () => {
    const order = { items: [{ id: books[0].id, quantity: 1 }] };
    const foreign = await postOrder(shop.url, order, { headers: { Origin: 'https://evil.example' } });
    assertError(foreign, 403, 'forbidden_origin');
    // The shop's own origin is base_url's (site.toml), carried by the price list.
    assert.equal(catalog.origin, 'http://localhost:8787', "content/site.toml's base_url, as a browser writes it");
    const own = await postOrder(shop.url, order, { headers: { Origin: catalog.origin } });
    assert.equal(own.status, 200, own.text);
    assert.equal(own.headers.get('access-control-allow-origin'), null, 'the shop itself needs no CORS');
  });

  it("takes the shop's origin from its configuration, never from the Host header", async () => {
    const order = JSON.stringify({ items: [{ id: books[0].id, quantity: 1 }] });
    const send = (headers) =>
      rawRequest(shop.url, {
        path: '/api/payment-intent',
        headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': clientIp(), ...headers },
        body: order,
      });
    // A page on evil.example naming its own host: the request URL's origin is then
    // http://evil.example, which the worker once took for the shop's own.
    for (const host of ['evil.example', `evil.example:${shop.port}`]) {
      const spoofed = await send({ Host: host, Origin: `http://${host}` });
      assertError(spoofed, 403, 'forbidden_origin');
      assert.equal(spoofed.headers.get('access-control-allow-origin'), null);
    }
    // The configured origin is accepted whatever Host says.
    const own = await send({ Host: 'evil.example', Origin: catalog.origin });
    assert.equal(own.status, 200, own.text);
  });

  it('refuses Origin: null and answers a request without Origin (a server) as before', async () => {
    const order = { items: [{ id: books[0].id, quantity: 1 }] };
    assertError(await postOrder(shop.url, order, { headers: { Origin: 'null' } }), 403, 'forbidden_origin');
    const server = await postOrder(shop.url, order);
    assert.equal(server.status, 200, server.text);
    assert.equal(server.headers.get('access-control-allow-origin'), null);
  });

  it('an empty Origin header never reaches the worker under workerd: answered as no Origin', async () => {
    // Measured: workerd (wrangler dev, and bare Miniflare with a plain JS worker) drops a header
    // whose value is empty before the worker runs, so `Origin:` cannot be told from no Origin
    // here; the worker refuses an empty one it does see (request.rs's unit tests). Either way it
    // buys nothing: a script can leave Origin out, and no browser sends it empty.
    const res = await rawRequest(shop.url, {
      path: '/api/payment-intent',
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': clientIp(), Origin: '' },
      body: JSON.stringify({ items: [{ id: 'no-such-book-e2e', quantity: 1 }] }),
    });
    // The order's own error, as without Origin. Should a later workerd pass the empty header
    // on, this becomes 403 forbidden_origin (the worker's rule): expect that then.
    assertError(res, 400, 'unknown_item');
  });

  it('answers a listed origin with CORS headers and a correct preflight, and nobody else', async () => {
    const preflight = await fetch(`${shop.url}/api/payment-intent`, {
      method: 'OPTIONS',
      headers: { Origin: LISTED_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), LISTED_ORIGIN);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'POST');
    assert.match(preflight.headers.get('access-control-allow-headers'), /content-type/i);
    assert.match(preflight.headers.get('vary') || '', /origin/i);

    const order = { items: [{ id: books[0].id, quantity: 1 }] };
    const listed = await postOrder(shop.url, order, { headers: { Origin: LISTED_ORIGIN } });
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.headers.get('access-control-allow-origin'), LISTED_ORIGIN);
    // This run's own address (random port) is listed by the harness, as `make dev` lists its own.
    const local = await postOrder(shop.url, order, { headers: { Origin: shop.url } });
    assert.equal(local.status, 200, local.text);
    assert.equal(local.headers.get('access-control-allow-origin'), shop.url);

    const own = await postOrder(shop.url, order, { headers: { Origin: catalog.origin } });
    assert.equal(own.headers.get('access-control-allow-origin'), null, 'the shop itself needs no CORS');
    const foreignPreflight = await fetch(`${shop.url}/api/payment-intent`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(foreignPreflight.status, 403);
    assert.equal(foreignPreflight.headers.get('access-control-allow-origin'), null);
  });

  it('makes a PaymentIntent that localstripe can confirm with a test card', async () => {
    const [a, b] = books;
    const res = await postOrder(shop.url, { items: [{ id: a.id, quantity: 2 }, { id: b.id, quantity: 1 }] });
    assert.equal(res.status, 200, res.text);
    const id = res.json.paymentIntent;

    // localstripe quirk: confirm with payment_method answers 500 "Not implemented";
    // the payment method is set by an update first, then confirm takes no parameters.
    const direct = await stripePost(stripe.url, `/v1/payment_intents/${id}/confirm`, { payment_method: 'pm_card_visa' });
    assert.equal(direct.status, 500, `localstripe changed: confirm with payment_method now answers ${direct.status}`);

    const upd = await stripePost(stripe.url, `/v1/payment_intents/${id}`, { payment_method: 'pm_card_visa' });
    assert.equal(upd.status, 200, JSON.stringify(upd.body));
    assert.equal(upd.body.status, 'requires_confirmation');
    const conf = await stripePost(stripe.url, `/v1/payment_intents/${id}/confirm`, {});
    assert.equal(conf.status, 200, JSON.stringify(conf.body));

    const pi = await stripeGet(stripe.url, `/v1/payment_intents/${id}`);
    assert.equal(pi.body.status, 'succeeded');
    assert.equal(pi.body.amount, 2 * a.amount + b.amount);
  });

  it('a declining card leaves the PaymentIntent unpaid', async () => {
    const res = await postOrder(shop.url, { items: [{ id: books[0].id, quantity: 1 }] });
    assert.equal(res.status, 200, res.text);
    const id = res.json.paymentIntent;
    await stripePost(stripe.url, `/v1/payment_intents/${id}`, { payment_method: 'pm_card_chargeCustomerFail' });
    const conf = await stripePost(stripe.url, `/v1/payment_intents/${id}/confirm`, {});
    assert.equal(conf.status, 402);
    assert.equal(conf.body.error.code, 'card_declined');
    const pi = await stripeGet(stripe.url, `/v1/payment_intents/${id}`);
    assert.equal(pi.body.status, 'requires_payment_method');
  });

  it('serves the site and the price list without any secret in them', async () => {
    for (const path of ['/', '/cart/', '/order/', '/catalog.json', '/catalog/0.json']) {
      const res = await shopFetch(shop.url, path); // shopFetch fails on a secret in the body
      assert.equal(res.status, 200, `${path}: ${res.status}`);
    }
    const book = await shopFetch(shop.url, `/books/${books[0].id}/`);
    assert.equal(book.status, 200);
    assert.ok(!book.text.includes(TEST_SECRET_KEY));
  });
});

describe('POST /api/payment-intent, shop without a Stripe secret key', () => {
  let stripe;
  let shop;
  let books;

  before(async () => {
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url, secretKey: null });
    books = availableBooks(await getCatalog(shop.url));
  }, HOOK);

  after(async () => {
    await shop?.stop();
    await stripe?.stop();
  });

  it('answers 503 stripe_not_configured and creates nothing', async () => {
    const res = await postOrder(shop.url, { items: [{ id: books[0].id, quantity: 1 }] });
    assertError(res, 503, 'stripe_not_configured');
    const list = await stripeGet(stripe.url, '/v1/payment_intents');
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, 0, 'no PaymentIntent was created');
  });

  it('still validates the order first or says what to configure, never a secret', async () => {
    const res = await postOrder(shop.url, { items: [{ id: 'no-such-book-e2e', quantity: 1 }] });
    assert.ok([400, 503].includes(res.status), res.text);
  });

  it('still serves the shop', async () => {
    for (const path of ['/', '/cart/', '/catalog.json', '/catalog/0.json']) {
      const res = await shopFetch(shop.url, path);
      assert.equal(res.status, 200, `${path}: ${res.status}`);
    }
  });
});

describe('POST /api/payment-intent, a price-list shard that cannot be read', () => {
  let stripe;
  let shop;
  let dir;
  let id;

  before(async () => {
    // The built site (the first suite's shop built it) with its one shard garbled.
    dir = mkdtempSync(join(tmpdir(), 'bookshop-e2e-broken-'));
    cpSync(join(REPO_ROOT, 'public'), dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'catalog.json'), 'utf8'));
    assert.equal(manifest.shards.count, 1, 'the repo\'s shop has one shard');
    id = Object.keys(JSON.parse(readFileSync(join(dir, 'catalog/0.json'), 'utf8')).books)[0];
    writeFileSync(join(dir, 'catalog/0.json'), '{"shard":0,"count":1,"books":{');
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url, publicDir: dir });
  }, HOOK);

  after(async () => {
    await shop?.stop();
    await stripe?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 catalog_unavailable, creates nothing, and still answers what needs no shard', async () => {
    const res = await postOrder(shop.url, { items: [{ id, quantity: 1 }] });
    assertError(res, 503, 'catalog_unavailable');
    const list = await stripeGet(stripe.url, '/v1/payment_intents');
    assert.equal(list.body.data.length, 0, 'no PaymentIntent was created');
    assertError(await postOrder(shop.url, { items: [] }), 400, 'empty_order');
  });
});
