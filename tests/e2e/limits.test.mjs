// The limit on new checkouts per client (wrangler.toml's [[ratelimits]] PAYMENT_INTENTS, run by
// `wrangler dev`'s simulation of Cloudflare's Rate Limiting binding): a script starting one
// PaymentIntent after another is refused with 429 once past it, and Stripe sees none of those;
// a shopper, retries and double clicks included, never meets it. Clients are told apart by
// `CF-Connecting-IP`, the address Cloudflare gives the worker.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  REPO_ROOT,
  SHOP_START_TIMEOUT_MS,
  availableBooks,
  clientIp,
  countPaymentIntents,
  getCatalog,
  postOrder,
  startLocalstripe,
  startShop,
} from './harness.mjs';

/** The limit and period the shop is deployed with. */
function configuredLimit() {
  const table = readFileSync(join(REPO_ROOT, 'wrangler.toml'), 'utf8').split('[[ratelimits]]')[1] ?? '';
  const match = table.match(/simple\s*=\s*\{\s*limit\s*=\s*(\d+)\s*,\s*period\s*=\s*(\d+)\s*\}/);
  assert.ok(match, `wrangler.toml has a [[ratelimits]] table with simple = { limit, period }: ${table}`);
  return { limit: Number(match[1]), period: Number(match[2]) };
}

describe('new checkouts per client are limited', () => {
  const { limit, period } = configuredLimit();
  let stripe;
  let shop;
  let books;

  before(async () => {
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url });
    books = availableBooks(await getCatalog(shop.url));
  }, { timeout: SHOP_START_TIMEOUT_MS + 60_000 });

  after(async () => {
    await shop?.stop();
    await stripe?.stop();
  });

  const order = (attempt, quantity = 1) => ({ items: [{ id: books[0].id, quantity }], attempt });

  it('a shopper who pays, double-clicks, changes the cart and retries a declined card never meets it', async () => {
    const me = { 'CF-Connecting-IP': clientIp() };
    const session = [
      order('shopper-1'), order('shopper-1'), // Pay, and a double click
      order('shopper-2', 2), // the cart changed
      order('shopper-3', 2), order('shopper-3', 2), order('shopper-3', 2), // a declined card, Pay again, a network retry
      order('shopper-4', 2), // another card
    ];
    for (const body of session) {
      const res = await postOrder(shop.url, body, { headers: me });
      assert.equal(res.status, 200, `${body.attempt}: ${res.text}`);
    }
  });

  it(`a burst of new checkouts from one client gets ${limit} through, then 429 with Retry-After, and Stripe sees only those`, async () => {
    const script = { 'CF-Connecting-IP': clientIp() };
    const before = await countPaymentIntents(stripe.url);
    const answers = [];
    for (let i = 0; i < limit + 20; i += 1) {
      answers.push(await postOrder(shop.url, order(`burst-${i}`), { headers: script }));
    }
    const ok = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 429);
    assert.equal(ok.length, limit, `statuses: ${answers.map((r) => r.status).join(' ')}`);
    assert.equal(refused.length, 20);
    assert.deepEqual(answers.slice(0, limit).map((r) => r.status), Array(limit).fill(200), 'the first ones pass');
    for (const r of refused) {
      assert.equal(r.headers.get('retry-after'), String(period));
      assert.match(r.headers.get('content-type'), /application\/json/);
      assert.equal(r.json.error.code, 'rate_limited');
      assert.match(r.json.error.message, /nothing was charged/);
    }
    assert.equal(await countPaymentIntents(stripe.url), before + limit, 'a refused checkout makes no PaymentIntent');

    // Its retry of an attempt already let through is still answered (it carries the same
    // idempotency key, so real Stripe answers it with the same PaymentIntent; localstripe
    // ignores the key, the fault suite's stand-in proves it).
    const retry = await postOrder(shop.url, order('burst-2'), { headers: script });
    assert.equal(retry.status, 200, retry.text);
    // And another client is not held back by it.
    const other = await postOrder(shop.url, order('someone-else'));
    assert.equal(other.status, 200, other.text);
  });
});
