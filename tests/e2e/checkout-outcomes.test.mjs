// Every outcome real Stripe produces, through the Stripe.js double, in Chromium on the real pages
// under `wrangler dev`: a voucher to pay later (OXXO, Boleto, Konbini, Multibanco), a payment
// still processing, a retried Pay of a payment that already went through, Stripe's developer
// errors, a confirmation page whose Stripe.js refuses its key, and an amount changed while the
// Payment Element is still updating. localstripe cannot produce the first two: stripe-outcomes.mjs
// makes them up for the payment methods it adds to the double.
//
// The shop reaches localstripe through a small proxy that keeps Stripe's Idempotency-Key
// promise (localstripe ignores the header), so "a second Pay makes no second payment" is
// measured as Stripe would have it.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  ARTIFACTS_DIR,
  SHOP_START_TIMEOUT_MS,
  availableBooks,
  countPaymentIntents,
  getCatalog,
  launchChromium,
  startLocalstripe,
  startShop,
  stripeGet,
  stripePost,
  PAYMENT_INTENT_PATH,
  shopperPage,
} from './harness.mjs';
import { PROCESSING, VOUCHERS, stripeOutcomes } from './stripe-outcomes.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };
const EMAIL = 'reader@example.com';
const ORDER_URL = /\/order\/(index\.html)?\?/;
const OUR_WORDS = 'The payment could not be completed, and nothing was charged. Please try again; if it happens again, reload the page.';

/**
 * Stripe's idempotency in front of localstripe: a POST with an Idempotency-Key seen before gets
 * the first answer again instead of reaching localstripe. → { url, stop() }
 */
async function idempotentProxy(target) {
  const seen = new Map();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const key = req.method === 'POST' ? req.headers['idempotency-key'] : undefined;
    let answer = key && seen.get(`${req.url} ${key}`);
    if (!answer) {
      const headers = { ...req.headers };
      delete headers.host;
      delete headers['content-length'];
      const upstream = await fetch(target + req.url, {
        method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      answer = { status: upstream.status, type: upstream.headers.get('content-type') || 'application/json', body: Buffer.from(await upstream.arrayBuffer()) };
      if (key) seen.set(`${req.url} ${key}`, answer);
    }
    res.writeHead(answer.status, { 'content-type': answer.type });
    res.end(answer.body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) };
}

/** How often the page asked Stripe.js for the PaymentIntent. */
const retrievals = (page) => page.evaluate(() => window.__stripeDouble.calls.filter((c) => c.name === 'retrievePaymentIntent').length);

/**
 * Jumps the page's clock 30 s at a time (the longest wait between two checks) until `done()`.
 * A jump made before the page has set its next timer (its last check still in flight) fires
 * nothing; the next one does, so the checks the page makes do not depend on the jumps' timing.
 */
async function advanceUntil(page, done, jumps = 80) {
  for (let i = 0; i < jumps; i += 1) {
    if (await done()) return;
    const n = await retrievals(page);
    await page.clock.fastForward(30_000);
    await page.waitForFunction((k) => window.__stripeDouble.calls.filter((c) => c.name === 'retrievePaymentIntent').length > k, n, { timeout: 1000 }).catch(() => {});
  }
  assert.fail(`still not done after ${jumps} jumps of 30 s`);
}

/** Waits until `selector`'s text is `text` exactly; fails with what the page shows. */
async function waitForExactText(page, selector, text, timeout = 15_000) {
  try {
    await page.waitForFunction(([s, t]) => document.querySelector(s)?.textContent.trim() === t, [selector, text], { timeout });
  } catch {
    const actual = await page.$eval(selector, (el) => el.textContent.trim()).catch(() => '(no such element)');
    assert.fail(`${selector}: expected ${JSON.stringify(text)}, page shows ${JSON.stringify(actual)} (at ${page.url()})`);
  }
}

describe('checkout outcomes real Stripe produces', () => {
  let stripe;
  let proxy;
  let shop;
  let browser;
  let books;

  before(async () => {
    browser = await launchChromium();
    stripe = await startLocalstripe();
    proxy = await idempotentProxy(stripe.url);
    shop = await startShop({ stripeBase: proxy.url });
    books = availableBooks(await getCatalog(shop.url));
  }, HOOK);

  after(async () => {
    await browser?.close();
    await shop?.stop();
    await proxy?.stop();
    await stripe?.stop();
  });

  /** A fresh context with the double (and `outcomes`); screenshot on failure; always closed. */
  async function withPage(name, fn, { outcomes, double } = {}) {
    await shopperPage(browser, `outcomes-${name}`, fn, { stripeBase: stripe.url, outcomes, double });
  }

  /** The cart page with `items`, fields filled, the Payment Element on `method`. */
  async function checkout(page, items, method = 'pm_card_visa') {
    if (!page.url().startsWith(shop.url)) await page.goto(`${shop.url}/`);
    await page.evaluate((cart) => localStorage.setItem('bookshop.cart', JSON.stringify({ items: cart })), items);
    await page.goto(`${shop.url}/cart/`);
    await page.getByLabel('Email for the receipt').fill(EMAIL);
    await page.getByLabel('Full name').fill('Ada Reader');
    await page.getByLabel('Country').selectOption('US');
    await page.getByLabel('Street address').fill('1 Infinite Loop');
    await page.getByLabel('City').fill('Cupertino');
    await page.locator('#ship-state').fill('CA');
    await page.locator('#ship-postal').fill('95014');
    await page.waitForSelector('#payment-element select[name="double-payment-method"]');
    await page.selectOption('#payment-element select[name="double-payment-method"]', method);
    await page.waitForFunction(() => !document.querySelector('#pay').disabled);
  }

  for (const [method, , field, details] of VOUCHERS) {
    it(`a ${field} voucher is shown with its number, due date and link, and the order is kept`, async () => {
      await withPage(method, async ({ page, posts }) => {
        const book = books[0];
        await checkout(page, { [book.id]: 1 }, method);
        await Promise.all([page.waitForURL(ORDER_URL), page.click('#pay')]);
        await page.waitForSelector('#order-status[data-status="requires_action"]');
        const id = (await page.textContent('#order-id')).trim();
        const voucher = details(id, 0);

        await waitForExactText(page, '#order-heading', 'Pay your voucher to complete the order');
        assert.equal((await page.textContent('#order-detail')).trim(),
          'Your order is kept for you, and nothing has been charged yet. Pay the voucher below before it expires; Stripe emails the receipt once it is paid. If it expires unpaid, nothing is charged.');
        assert.ok(await page.isVisible('#order-voucher'), 'the voucher is shown');
        assert.equal(await page.getAttribute('#order-voucher-link', 'href'), voucher.hosted_voucher_url);
        const facts = await page.$$eval('#order-voucher-facts > div', (rows) => rows.map((r) => [r.querySelector('dt').textContent, r.querySelector('dd').textContent]));
        const number = { display_oxxo_details: ['OXXO reference', voucher.number], boleto_display_details: ['Boleto number', voucher.number], multibanco_display_details: ['Multibanco entity and reference', `${voucher.entity} ${voucher.reference}`] }[field];
        assert.deepEqual(facts.map(([term]) => term), [...(number ? [number[0]] : []), 'Pay by']);
        if (number) assert.deepEqual(facts[0], number);
        assert.match(facts.at(-1)[1], /\d{4}/, `a due date: ${facts.at(-1)[1]}`);
        assert.ok(!(await page.isVisible('#order-message')), 'no error note');

        // The order is kept: the cart, and the attempt (so paying again is the same PaymentIntent).
        const kept = await page.evaluate(() => [localStorage.getItem('bookshop.cart'), sessionStorage.getItem('bookshop.attempt')]);
        assert.deepEqual(JSON.parse(kept[0]).items, { [book.id]: 1 }, 'the cart is kept until the voucher is paid');
        assert.ok(kept[1], 'the attempt is kept while the voucher waits');
        await page.screenshot({ path: join(ARTIFACTS_DIR, `outcomes-${method}.png`), fullPage: true });

        if (method !== 'pm_voucher_oxxo') return;
        // Pay again from the cart (the shopper came back): no second payment for the same order.
        const count = await countPaymentIntents(stripe.url);
        await checkout(page, { [book.id]: 1 }, method);
        await Promise.all([page.waitForURL(ORDER_URL), page.click('#pay')]);
        await page.waitForSelector('#order-status[data-status="requires_action"]');
        assert.equal((await page.textContent('#order-id')).trim(), id, 'the same PaymentIntent');
        assert.equal(posts.length, 2);
        assert.equal(posts[1].attempt, posts[0].attempt, 'the same attempt');
        assert.equal(await countPaymentIntents(stripe.url), count, 'no second PaymentIntent');
      }, { outcomes: stripeOutcomes() });
    });
  }

  /** Pays a book by bank debit, under a clock the test moves; → the id of the PaymentIntent, processing. */
  async function payIntoProcessing(page, context) {
    await context.clock.install();
    await checkout(page, { [books[0].id]: 1 }, PROCESSING);
    await Promise.all([page.waitForURL(ORDER_URL), page.click('#pay')]);
    await page.waitForSelector('#order-status[data-status="processing"]');
    return (await page.textContent('#order-id')).trim();
  }

  it('processing is checked with backoff for minutes until it succeeds', async () => {
    const outcomes = stripeOutcomes({ processingChecks: 12 }); // past the 30 s the page used to give up after
    await withPage('processing', async ({ page, context }) => {
      const id = await payIntoProcessing(page, context);
      await waitForExactText(page, '#order-heading', 'Your payment is processing');
      assert.equal((await page.textContent('#order-detail')).trim(),
        'Your bank is still confirming it. This page keeps checking for a few minutes, and you may close it: Stripe emails the receipt once the payment is through.');
      await advanceUntil(page, async () => (await page.getAttribute('#order-status', 'data-status')) !== 'processing');
      await page.waitForSelector('#order-status[data-status="succeeded"]');
      await waitForExactText(page, '#order-heading', 'Thank you — payment received');
      assert.equal(outcomes.checks(id), 13, 'checked until Stripe said succeeded');
    }, { outcomes });
  });

  it('a network blip while processing is checked is not the end of the checks', async () => {
    const outcomes = stripeOutcomes({ processingChecks: 6 });
    await withPage('processing-blip', async ({ page, context }) => {
      const id = await payIntoProcessing(page, context);
      // The third and fourth checks never reach Stripe: the connection drops.
      let retrieval = 0;
      await page.route((url) => url.pathname.startsWith('/v1/payment_intents/'), (route) => {
        retrieval += 1;
        return retrieval === 2 || retrieval === 3 ? route.abort('internetdisconnected') : route.fallback();
      });
      await advanceUntil(page, async () => {
        assert.equal((await page.textContent('#order-heading')).trim(), 'Your payment is processing', 'a blip changes nothing shown');
        return retrieval >= 4;
      });
      await advanceUntil(page, async () => (await page.getAttribute('#order-status', 'data-status')) !== 'processing');
      await waitForExactText(page, '#order-heading', 'Thank you — payment received');
      assert.equal(outcomes.checks(id), 7, 'every check that reached Stripe counted, until it said succeeded');
    }, { outcomes });
  });

  it('processing for more than ten minutes: the page says it stopped checking and what happens next', async () => {
    const outcomes = stripeOutcomes({ processingChecks: Infinity });
    await withPage('processing-forever', async ({ page, context }) => {
      const id = await payIntoProcessing(page, context);
      await advanceUntil(page, async () => (await page.textContent('#order-heading')).trim() !== 'Your payment is processing');
      await waitForExactText(page, '#order-heading', 'Your payment is still processing');
      assert.equal((await page.textContent('#order-detail')).trim(),
        'Your bank has not confirmed it yet, and this page has stopped checking. Some payment methods take a few days. Stripe emails the receipt once the payment is through; reload this page to check again.');
      // At once, then after 2, 4, 8, 16 s, then every 30 s until 10 minutes have passed: 24 checks.
      assert.equal(outcomes.checks(id), 24);
      assert.equal(await retrievals(page), 24);
    }, { outcomes });
  });

  it('a retried Pay whose PaymentIntent already succeeded goes to the confirmation, not a failure', async () => {
    await withPage('unexpected-state', async ({ page }) => {
      const book = books[0];
      // A PaymentIntent for this cart that went through already (the redirect was lost).
      const made = await stripePost(stripe.url, '/v1/payment_intents', { amount: book.amount, currency: book.currency, payment_method: 'pm_card_visa', confirm: 'true' });
      assert.equal(made.body.status, 'succeeded', JSON.stringify(made.body));
      await checkout(page, { [book.id]: 1 });
      await page.route(`**${PAYMENT_INTENT_PATH}`, (route) => route.fulfill({
        status: 200, contentType: 'application/json',
        body: JSON.stringify({ clientSecret: made.body.client_secret, paymentIntent: made.body.id, amount: book.amount, currency: book.currency }),
      }));
      await Promise.all([page.waitForURL(ORDER_URL), page.click('#pay')]);
      await page.waitForSelector('#order-status[data-status="succeeded"]');
      assert.equal((await page.textContent('#order-id')).trim(), made.body.id);
      await waitForExactText(page, '#order-heading', 'Thank you — payment received');
      const calls = await page.evaluate(() => window.__stripeDouble.calls.map((c) => c.name));
      assert.ok(!calls.includes('confirmPayment.ok'), 'Stripe did not confirm it a second time');
    });
  });

  it('Stripe\'s developer errors are not shown to shoppers: a tampered client secret gets our own words', async () => {
    await withPage('developer-error', async ({ page }) => {
      const book = books[0];
      const made = await stripePost(stripe.url, '/v1/payment_intents', { amount: book.amount, currency: book.currency });
      await checkout(page, { [book.id]: 1 });
      await page.route(`**${PAYMENT_INTENT_PATH}`, (route) => route.fulfill({
        status: 200, contentType: 'application/json',
        body: JSON.stringify({ clientSecret: `${made.body.id}_secret_tampered`, paymentIntent: made.body.id, amount: book.amount, currency: book.currency }),
      }));
      await page.click('#pay');
      await waitForExactText(page, '#payment-message', OUR_WORDS);
      const error = await page.evaluate(() => window.__stripeDouble.calls.find((c) => c.name === 'confirmPayment.error').detail);
      assert.equal(error.type, 'invalid_request_error');
      assert.match(error.message, /client_secret/, 'Stripe said something for developers');
      await page.waitForFunction(() => !document.querySelector('#pay').disabled);
    });
  });

  it('a declined card still gets Stripe\'s words for shoppers (card_error)', async () => {
    await withPage('card-error', async ({ page }) => {
      await checkout(page, { [books[0].id]: 1 }, 'pm_card_chargeCustomerFail');
      await page.click('#pay');
      await waitForExactText(page, '#payment-message', 'Your card was declined.');
    });
  });

  for (const [what, change, expected] of [
    ['a key Stripe.js refuses', (html) => html.replace(/data-publishable-key="[^"]*"/, 'data-publishable-key="not-a-key"'),
      'The payment service could not start on this page, so your payment cannot be shown here. If you paid, Stripe emails your receipt; the shop can look the payment up for you.'],
    ['no Stripe.js', (html) => html.replace(/<script src="https:\/\/js\.stripe\.com[^"]*"[^>]*><\/script>/, ''),
      'Stripe could not be reached to look up your payment. Check your connection and reload this page. If you paid, Stripe emails your receipt.'],
  ]) {
    it(`the confirmation page with ${what} says so instead of "Checking your payment…" for ever`, async () => {
      await withPage(`order-${what.replace(/\W+/g, '-')}`, async ({ page }) => {
        await page.route('**/order/**', async (route) => {
          const res = await route.fetch();
          route.fulfill({ response: res, body: change(await res.text()) });
        });
        await page.goto(`${shop.url}/order/?payment_intent=pi_123&payment_intent_client_secret=pi_123_secret_abc&redirect_status=succeeded`);
        await waitForExactText(page, '#order-heading', 'We could not check your payment');
        assert.equal((await page.textContent('#order-message')).trim(), expected);
        assert.ok(await page.isVisible('#order-message'));
      });
    });
  }

  it('Pay waits for the Payment Element to take a changed amount (update-end) before submitting', async () => {
    await withPage('update-end', async ({ page, record }) => {
      const book = books[0];
      await checkout(page, { [book.id]: 1 });
      // Two copies, and Pay at once, while Stripe is still taking the new amount.
      await page.fill(`#cart-lines [data-line-id="${book.id}"] input.qty`, '2');
      await page.press(`#cart-lines [data-line-id="${book.id}"] input.qty`, 'Tab');
      // The double's calls, kept across the redirect to the confirmation page.
      await page.evaluate(() => {
        const calls = window.__stripeDouble.calls;
        const push = calls.push.bind(calls);
        calls.push = (...added) => {
          const n = push(...added);
          sessionStorage.setItem('double-calls', JSON.stringify(calls.map((c) => c.name)));
          return n;
        };
      });
      await Promise.all([page.waitForURL(ORDER_URL), page.click('#pay')]);
      await page.waitForSelector('#order-status[data-status="succeeded"]');
      const calls = await page.evaluate(() => JSON.parse(sessionStorage.getItem('double-calls')));
      const submitted = calls.indexOf('elements.submit');
      assert.ok(calls.indexOf('elements.update-end') >= 0 && calls.indexOf('elements.update-end') < submitted, `update-end before submit: ${calls.join(', ')}`);
      assert.equal(record.confirms.length, 1);
      const paid = await stripeGet(stripe.url, `/v1/payment_intents/${record.confirms[0].id}`);
      assert.equal(paid.body.amount, 2 * book.amount, 'the new amount was paid');
    }, { double: { updateDelayMs: 1500 } });
  });
});
