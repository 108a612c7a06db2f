// Express checkout in a browser: Stripe's Express Checkout Element (the double's fake wallet,
// tests/e2e/stripe-double.js) on a book page ("Buy now") and on the cart, through the real worker
// under `wrangler dev` and localstripe: the wallet's email and address reach Stripe at
// confirmation, the worker charges the price list's amount, the confirmation page shows it and
// the pi_ id. On the cart the wallet shares the Payment Element's Elements group (its amount
// follows the cart). Also: Stripe.js on every page, and the headers the pages are served with.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  SHOP_START_TIMEOUT_MS,
  availableBooks,
  formatMinor,
  getCatalog,
  launchChromium,
  orderMetadata,
  startLocalstripe,
  startShop,
  stripeGet,
  PAYMENT_INTENT_PATH,
  shopperPage,
} from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };
const CART_KEY = 'bookshop.cart';
// What the fake wallet hands over (window.STRIPE_DOUBLE.wallet).
const WALLET = {
  name: 'Wren Wallet',
  email: 'wren@wallet.example',
  phone: '+15555550123',
  address: { line1: '12 Express Lane', line2: 'Flat 3', city: 'Boston', state: 'MA', postal_code: '02110', country: 'US' },
};
const EXPRESS_BUTTON = '#express:not([hidden]) button[name="double-express"]';

describe('express checkout', () => {
  let stripe;
  let shop;
  let browser;
  let catalog;
  let books;
  const fmt = (amount) => formatMinor(amount, books[0].currency, catalog);
  const amountRe = (s) => new RegExp(s.replace(/[.$]/g, '\\$&'));

  before(async () => {
    browser = await launchChromium();
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url });
    catalog = await getCatalog(shop.url);
    books = availableBooks(catalog);
    assert.ok(books.length >= 2, 'these tests need two available books in one currency');
  }, HOOK);

  after(async () => {
    await browser?.close();
    await shop?.stop();
    await stripe?.stop();
  });

  /** A fresh context with the Stripe double and its wallet (`wallet: false` for none); always closed. */
  async function withPage(name, fn, { wallet = WALLET } = {}) {
    await shopperPage(browser, `express-${name}`, fn, { stripeBase: stripe.url, double: { wallet } });
  }

  async function setCart(page, items) {
    await page.goto(`${shop.url}/`);
    await page.evaluate(([key, value]) => localStorage.setItem(key, JSON.stringify(value)), [CART_KEY, { items }]);
  }
  const cartItems = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) || '{"items":{}}').items, CART_KEY);

  /** Presses the wallet's button and waits for the confirmation page to say the payment succeeded. */
  async function buyWithWallet(page) {
    await Promise.all([page.waitForURL(/\/order\/(index\.html)?\?/, { timeout: 30_000 }), page.click(EXPRESS_BUTTON)]);
    await page.waitForSelector('#order-status[data-status="succeeded"]');
    return new URL(page.url());
  }

  /** The confirmation page and Stripe agree: the amount, the order's lines, the wallet's email and address. */
  async function assertPaid(page, record, url, amount, lines) {
    const id = (await page.textContent('#order-id')).trim();
    assert.match(id, /^pi_[A-Za-z0-9]+$/);
    assert.equal(id, url.searchParams.get('payment_intent'));
    assert.match(await page.textContent('#order-amount'), amountRe(fmt(amount)));
    assert.equal((await page.textContent('#order-email')).trim(), WALLET.email);
    const address = await page.textContent('#order-address');
    for (const part of [WALLET.name, WALLET.address.line1, WALLET.address.city]) assert.ok(address.includes(part), `${part} in ${address}`);

    const pi = await stripeGet(stripe.url, `/v1/payment_intents/${id}`);
    assert.equal(pi.body.status, 'succeeded');
    assert.equal(pi.body.amount, amount, 'the worker charged the price list amount');
    assert.deepEqual(pi.body.metadata, orderMetadata(lines));

    assert.equal(record.confirms.length, 1, 'one confirmation');
    const { params } = record.confirms[0];
    assert.equal(params.payment_method, 'pm_card_visa', "the wallet's payment method");
    // The double's wallet gives its email and address only when the page asks for them (resolve()).
    assert.equal(params.receipt_email, WALLET.email, "the wallet's email is the receipt email");
    assert.deepEqual(
      Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith('shipping['))),
      {
        'shipping[name]': WALLET.name,
        'shipping[address][line1]': WALLET.address.line1,
        'shipping[address][line2]': WALLET.address.line2,
        'shipping[address][city]': WALLET.address.city,
        'shipping[address][state]': WALLET.address.state,
        'shipping[address][postal_code]': WALLET.address.postal_code,
        'shipping[address][country]': WALLET.address.country,
      },
      "the wallet sheet's shipping address is given at confirmation",
    );
    assert.ok(params.return_url?.startsWith(`${shop.url}/order/`), `return_url ${params.return_url}`);
  }

  it('Buy now on a book page pays for one copy at the price list amount and leaves the cart alone', async () => {
    await withPage('book', async ({ page, record }) => {
      const [a, b] = books;
      await setCart(page, { [b.id]: 2 });
      await page.goto(`${shop.url}/books/${a.id}/`);
      await page.waitForSelector(EXPRESS_BUTTON);
      assert.equal((await page.textContent('#express-heading')).trim(), 'Buy now');
      const url = await buyWithWallet(page);
      assert.equal(url.searchParams.get('redirect_status'), 'succeeded');
      await assertPaid(page, record, url, a.amount, [[a.id, 1]]);
      const bought = (await page.locator('#order-lines li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.equal(bought.length, 1);
      assert.ok(bought[0].startsWith(`1 × ${a.title}`), JSON.stringify(bought));
      assert.deepEqual(await cartItems(page), { [b.id]: 2 }, 'the cart is as it was');
    });
  });

  it("express checkout on the cart pays for the cart's order and empties the cart", async () => {
    await withPage('cart', async ({ page, record }) => {
      const [a, b] = books;
      await setCart(page, { [a.id]: 2, [b.id]: 1 });
      await page.goto(`${shop.url}/cart/`);
      await page.waitForSelector(EXPRESS_BUTTON);
      // The card form's method would be declined: the wallet's is the one that pays.
      await page.selectOption('#payment-element select[name="double-payment-method"]', 'pm_card_chargeCustomerFail');
      const total = 2 * a.amount + b.amount;
      const url = await buyWithWallet(page);
      await assertPaid(page, record, url, total, [[a.id, 2], [b.id, 1]]);
      await page.waitForFunction((k) => Object.keys(JSON.parse(localStorage.getItem(k) || '{"items":{}}').items).length === 0, CART_KEY, { timeout: 5_000 })
        .catch(() => assert.fail('the cart is still full after a successful payment'));
    });
  });

  it('a page that shows another price than the price list is never charged: the worker prices', async () => {
    await withPage('tampered', async ({ page, record, context }) => {
      const [a] = books;
      // The book page as a stale or tampered copy would have it: one cent.
      await context.route(`${shop.url}/books/${a.id}/`, async (route) => {
        const res = await route.fetch();
        const html = (await res.text()).replace(`data-amount="${a.amount}"`, 'data-amount="1"');
        assert.ok(html.includes('data-amount="1"'), 'the book page carries its amount for the wallet sheet');
        await route.fulfill({ response: res, body: html });
      });
      await page.goto(`${shop.url}/books/${a.id}/`);
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === PAYMENT_INTENT_PATH);
      await page.click(EXPRESS_BUTTON);
      const created = await (await answered).json();
      await page.waitForFunction(() => /Prices have changed/.test(document.getElementById('express-message').textContent));
      assert.equal(created.amount, a.amount, 'the worker priced the book from its price list');
      const pi = await stripeGet(stripe.url, `/v1/payment_intents/${created.paymentIntent}`);
      assert.equal(pi.body.amount, a.amount);
      assert.notEqual(pi.body.status, 'succeeded');
      assert.equal(record.confirms.length, 0, 'nothing was confirmed');
      const failed = await page.evaluate(() => window.__stripeDouble.calls.filter((c) => c.name === 'expressCheckout.paymentFailed').length);
      assert.equal(failed, 1, 'the wallet sheet is told the payment failed');
      assert.match(page.url(), new RegExp(`/books/${a.id}/$`));
    });
  });

  it('without a wallet to offer, no express checkout shows; Stripe.js is on every page, deferred', async () => {
    await withPage('no-wallet', async ({ page, record }) => {
      const [a] = books;
      for (const path of ['/', `/books/${a.id}/`, '/search/', '/cart/', '/order/']) {
        await page.goto(`${shop.url}${path}`);
        const tags = await page.$$eval('script[src^="https://js.stripe.com/"]', (els) => els.map((e) => ({ defer: e.defer, async: e.async })));
        assert.deepEqual(tags, [{ defer: true, async: false }], `${path}: Stripe.js once, deferred`);
      }
      assert.ok(record.served.length >= 5, 'Stripe.js was requested on each page');
      await page.goto(`${shop.url}/books/${a.id}/`);
      await page.waitForFunction(() => window.__stripeDouble?.calls.some((c) => c.name === 'mount'));
      await page.waitForTimeout(200); // the ready event
      assert.equal(await page.isVisible('#express'), false, 'no wallet, no Buy now');
      assert.equal(await page.isVisible(`button.add-to-cart[data-book-id="${a.id}"]`), true);
    }, { wallet: false });
  });

  it("the pages are served with Stripe's CSP sources and a payment permission for each of its frame origins", async () => {
    const res = await fetch(`${shop.url}/`);
    const csp = res.headers.get('content-security-policy') || '';
    const permissions = res.headers.get('permissions-policy') || '';
    const frames = (csp.split(';').map((d) => d.trim().split(' ')).find(([name]) => name === 'frame-src') || []).slice(1);
    assert.ok(frames.includes('https://*.js.stripe.com'), csp);
    for (const origin of frames) assert.ok(permissions.includes(`"${origin}"`), `payment allows ${origin}: ${permissions}`);
  });
});
