// Browser: Debian's Chromium (headless, through playwright-core) drives the real pages served by
// `wrangler dev`: catalog → cart → checkout → pay → confirmation, with localstripe as Stripe and
// tests/e2e/stripe-double.js standing in for Stripe.js (it cannot load offline).
// Screenshots go to $E2E_ARTIFACTS_DIR (default /tmp/bookshop-e2e), never into the repo.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  ARTIFACTS_DIR,
  REPO_ROOT,
  SHOP_START_TIMEOUT_MS,
  availableBooks,
  formatMinor,
  getCatalog,
  installStripeDouble,
  launchChromium,
  startLocalstripe,
  startShop,
  stripeGet,
} from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };
const CART_KEY = 'bookshop.cart';
const EMAIL = 'reader@example.com';

/** Waits until `selector`'s text matches `re`; fails with what the page actually shows. */
async function waitForText(page, selector, re, timeout = 10_000) {
  try {
    await page.waitForFunction(
      ([s, src, flags]) => {
        const el = document.querySelector(s);
        return !!el && new RegExp(src, flags).test(el.textContent);
      },
      [selector, re.source, re.flags],
      { timeout },
    );
  } catch {
    const actual = await page.$eval(selector, (el) => el.textContent).catch(() => '(no such element)');
    throw new Error(`${selector}: expected text matching ${re}, page shows ${JSON.stringify(actual)} (at ${page.url()})`);
  }
  return (await page.textContent(selector)).trim();
}

const countRe = (n) => new RegExp(`(^|\\D)${n}(\\D|$)`);
const amountRe = (s) => new RegExp(s.replace(/\./g, '\\.'));

describe('the shop in a browser', () => {
  let stripe;
  let shop;
  let browser;
  let catalog;
  let books;
  let axeSource;
  const fmt = (amount) => formatMinor(amount, books[0].currency, catalog);

  before(async () => {
    axeSource = readFileSync(join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
    browser = await launchChromium();
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url });
    catalog = await getCatalog(shop.url);
    books = availableBooks(catalog);
    assert.ok(books.length >= 2, 'the browser tests need two available books in one currency');
  }, HOOK);

  after(async () => {
    await browser?.close();
    await shop?.stop();
    await stripe?.stop();
  });

  /** A fresh browser context with the Stripe double; screenshots on failure; always closed. */
  async function withPage(name, fn) {
    const context = await browser.newContext({ bypassCSP: true, locale: 'en-US', viewport: { width: 1200, height: 900 } });
    const record = await installStripeDouble(context, { stripeBase: stripe.url });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors = [];
    const consoleErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    try {
      await fn({ page, record, pageErrors });
      assert.deepEqual(pageErrors, [], 'no uncaught error in the pages');
      assert.deepEqual(record.blocked, [], 'no request leaves the machine except Stripe.js (served by the double)');
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}-failure.png`), fullPage: true }).catch(() => {});
      if (consoleErrors.length) e.message += `\nbrowser console errors:\n  ${consoleErrors.join('\n  ')}`;
      if (record.apiCalls.length) e.message += `\nStripe API calls: ${JSON.stringify(record.apiCalls)}`;
      throw e;
    } finally {
      await context.close();
    }
  }

  async function putInCart(page, items) {
    await page.goto(`${shop.url}/`);
    await page.evaluate(([key, value]) => localStorage.setItem(key, JSON.stringify(value)), [CART_KEY, { items }]);
  }

  async function waitForPaymentElement(page) {
    await page.waitForSelector('#payment-element select[name="double-payment-method"]', { state: 'visible' });
  }

  it('catalog → cart → pay → confirmation, and Stripe has the payment', async () => {
    await withPage('pay', async ({ page, record }) => {
      await page.goto(`${shop.url}/`);
      // The first available book the catalog page offers.
      const onPage = await page.$$eval('article.book[data-book-id]', (els) => els.map((e) => e.dataset.bookId));
      const book = books.find((b) => onPage.includes(b.id));
      assert.ok(book, `no available book of catalog.json on the catalog page (page has ${onPage.join(', ')})`);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'pay-1-catalog.png'), fullPage: true });

      await page.click(`article.book[data-book-id="${book.id}"] button.add-to-cart[data-book-id="${book.id}"]`);
      await waitForText(page, '#cart-count', countRe(1));
      const stored = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), CART_KEY);
      assert.deepEqual(stored?.items, { [book.id]: 1 }, `localStorage ${CART_KEY}`);

      await page.goto(`${shop.url}/cart/`);
      const line = page.locator(`#cart-lines [data-line-id="${book.id}"]`);
      await line.waitFor();
      assert.equal(await line.locator('input.qty').inputValue(), '1');
      await waitForText(page, '#cart-total', amountRe(fmt(book.amount)));
      assert.ok(!(await page.isVisible('#cart-empty')), '#cart-empty is hidden when the cart has a line');

      await page.fill('#email', EMAIL);
      await waitForPaymentElement(page);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'pay-2-cart.png'), fullPage: true });

      await Promise.all([page.waitForURL(/\/order\/(index\.html)?\?/, { timeout: 30_000 }), page.click('#pay')]);
      const redirected = new URL(page.url());
      assert.equal(redirected.searchParams.get('redirect_status'), 'succeeded');

      await page.waitForSelector('#order-status[data-status="succeeded"]');
      const id = (await page.textContent('#order-id')).trim();
      assert.match(id, /^pi_[A-Za-z0-9]+$/);
      assert.equal(id, redirected.searchParams.get('payment_intent'));
      await waitForText(page, '#order-amount', amountRe(fmt(book.amount)));
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'pay-3-order.png'), fullPage: true });

      // What Stripe (localstripe) has.
      const pi = await stripeGet(stripe.url, `/v1/payment_intents/${id}`);
      assert.equal(pi.status, 200);
      assert.equal(pi.body.status, 'succeeded');
      assert.equal(pi.body.amount, book.amount);
      assert.equal(pi.body.currency, book.currency);

      // What the page gave Stripe.js at confirmation.
      assert.equal(record.confirms.length, 1, 'one confirmation');
      const params = record.confirms[0].params;
      assert.equal(params.receipt_email, EMAIL, 'the receipt email is given at confirmation');
      assert.ok(params.return_url?.startsWith(`${shop.url}/order/`), `return_url ${params.return_url}`);
      assert.match(params.key, /^pk_test_/, 'the page uses the publishable key given at build time');

      // A paid order empties the cart.
      await page.waitForFunction(
        (k) => Object.keys(JSON.parse(localStorage.getItem(k) || '{"items":{}}').items || {}).length === 0,
        CART_KEY,
        { timeout: 5_000 },
      ).catch(() => assert.fail('the cart is still full after a successful payment'));
    });
  });

  it('the cart adds, changes quantities, removes and totals from the price list', async () => {
    await withPage('cart', async ({ page }) => {
      const [a, b] = books;
      await page.goto(`${shop.url}/`);
      await page.click(`button.add-to-cart[data-book-id="${a.id}"]`);
      await waitForText(page, '#cart-count', countRe(1));
      await page.click(`button.add-to-cart[data-book-id="${b.id}"]`);
      await waitForText(page, '#cart-count', countRe(2));
      await page.click(`button.add-to-cart[data-book-id="${b.id}"]`);
      await waitForText(page, '#cart-count', countRe(3));

      await page.goto(`${shop.url}/cart/`);
      await page.locator(`#cart-lines [data-line-id]`).first().waitFor();
      assert.equal(await page.locator('#cart-lines [data-line-id]').count(), 2);
      assert.equal(await page.inputValue(`#cart-lines [data-line-id="${b.id}"] input.qty`), '2');
      await waitForText(page, '#cart-total', amountRe(fmt(a.amount + 2 * b.amount)));

      await page.fill(`#cart-lines [data-line-id="${a.id}"] input.qty`, '3');
      await page.press(`#cart-lines [data-line-id="${a.id}"] input.qty`, 'Tab');
      await waitForText(page, '#cart-total', amountRe(fmt(3 * a.amount + 2 * b.amount)));
      await waitForText(page, '#cart-count', countRe(5));
      const stored = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), CART_KEY);
      assert.deepEqual(stored.items, { [a.id]: 3, [b.id]: 2 });

      await page.click(`#cart-lines [data-line-id="${b.id}"] button.remove`);
      await page.locator(`#cart-lines [data-line-id="${b.id}"]`).waitFor({ state: 'detached' });
      await waitForText(page, '#cart-total', amountRe(fmt(3 * a.amount)));
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'cart-1-edited.png'), fullPage: true });

      await page.click(`#cart-lines [data-line-id="${a.id}"] button.remove`);
      await page.waitForSelector('#cart-empty', { state: 'visible' });
      await waitForText(page, '#cart-count', countRe(0)).catch(async () => {
        // An empty count may also be shown as nothing at all.
        assert.match((await page.textContent('#cart-count')).trim(), /^0?$/);
      });

      // The cart survives a reload (it lives in localStorage).
      await page.reload();
      await page.waitForSelector('#cart-empty', { state: 'visible' });
    });
  });

  it('a declined card says so, keeps the cart, and another card then pays', async () => {
    await withPage('decline', async ({ page, record }) => {
      const book = books[0];
      await putInCart(page, { [book.id]: 1 });
      await page.goto(`${shop.url}/cart/`);
      await page.locator(`#cart-lines [data-line-id="${book.id}"]`).waitFor();
      await page.fill('#email', EMAIL);
      await waitForPaymentElement(page);
      await page.selectOption('#payment-element select[name="double-payment-method"]', 'pm_card_chargeCustomerFail');
      await page.click('#pay');

      await waitForText(page, '#payment-message', /declined/i, 20_000);
      await page.waitForFunction(() => !document.querySelector('#pay').disabled, null, { timeout: 5_000 })
        .catch(() => assert.fail('#pay stays disabled after a decline'));
      assert.match(new URL(page.url()).pathname, /^\/cart\/?/);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'decline-1.png'), fullPage: true });

      assert.equal(record.confirms.length, 1);
      const pi = await stripeGet(stripe.url, `/v1/payment_intents/${record.confirms[0].id}`);
      assert.equal(pi.body.status, 'requires_payment_method');
      assert.equal(pi.body.last_payment_error?.code, 'card_declined');
      assert.equal(pi.body.amount, book.amount);
      const stored = await page.evaluate((k) => JSON.parse(localStorage.getItem(k)), CART_KEY);
      assert.deepEqual(stored.items, { [book.id]: 1 }, 'a declined payment keeps the cart');

      // Another card goes through. (localstripe ignores Idempotency-Key, so the retry may get a
      // new PaymentIntent here where Stripe would hand back the same one.)
      await page.selectOption('#payment-element select[name="double-payment-method"]', 'pm_card_visa');
      await Promise.all([page.waitForURL(/\/order\/(index\.html)?\?/, { timeout: 30_000 }), page.click('#pay')]);
      await page.waitForSelector('#order-status[data-status="succeeded"]');
      assert.equal(record.confirms.length, 2);
      const paid = await stripeGet(stripe.url, `/v1/payment_intents/${record.confirms[1].id}`);
      assert.equal(paid.body.status, 'succeeded');
      assert.equal(paid.body.amount, book.amount);
    });
  });

  it('the pages have no serious accessibility violations (axe-core, WCAG 2 A/AA)', async () => {
    await withPage('axe', async ({ page }) => {
      const problems = [];
      const check = async (label) => {
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(() =>
          // eslint-disable-next-line no-undef
          axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
        );
        for (const v of result.violations) {
          if (v.impact === 'serious' || v.impact === 'critical') {
            problems.push(`${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
          }
        }
      };
      await page.goto(`${shop.url}/`);
      await check('/');
      await page.goto(`${shop.url}/books/${books[0].id}/`);
      await check(`/books/${books[0].id}/`);
      await page.goto(`${shop.url}/cart/`);
      await check('/cart/ (empty)');
      await putInCart(page, { [books[0].id]: 1 });
      await page.goto(`${shop.url}/cart/`);
      await waitForPaymentElement(page);
      await check('/cart/ (with a line)');
      await page.goto(`${shop.url}/order/`);
      await check('/order/ (no payment)');
      assert.deepEqual(problems, []);
    });
  });
});
