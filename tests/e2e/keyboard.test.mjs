// Browser: a purchase by keyboard alone (issue 11, §5). Chromium presses Tab, Shift+Tab, Enter,
// arrow keys and types, from the catalog to the confirmation page: no click, no scripted submit.
// At every stop focus must be on an element (never <body>) and visibly marked (:focus-visible
// with an outline); after an error focus is on the words that say it; after a quantity change it
// stays in the quantity input. Same shop, localstripe and Stripe.js double as browser.test.mjs.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  SHOP_START_TIMEOUT_MS,
  availableBooks,
  formatMinor,
  getCatalog,
  launchChromium,
  startLocalstripe,
  startShop,
  stripeGet,
  shopperPage,
} from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };
const MAX_TABS = 200; // more stops than any page of the test shop has

/** What has focus now: a description for messages, and whether it shows (outline not none). */
function focusState(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return { lost: true, what: String(el?.nodeName) };
    const style = getComputedStyle(el);
    // The catalog's title links draw their ring on ::after (the whole card is the target).
    const after = getComputedStyle(el, '::after');
    const ring = (s) => s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const what = `${el.nodeName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${(el.textContent || el.value || '').trim().slice(0, 40)}"`;
    return { lost: false, what, visible: el.matches(':focus-visible') && (ring(style) || ring(after)), id: el.id };
  });
}

/** Fails unless focus is on an element and visibly marked. → the focus state. */
async function assertFocusVisible(page, step) {
  const state = await focusState(page);
  assert.ok(!state.lost, `${step}: focus was lost (document.activeElement is ${state.what})`);
  assert.ok(state.visible, `${step}: the focused ${state.what} shows no focus ring`);
  return state;
}

/**
 * Presses Tab (or Shift+Tab) until `matches(el)` holds for the focused element, checking focus
 * at each stop. → the number of presses.
 */
async function tabTo(page, step, matches, { back = false, arg } = {}) {
  for (let presses = 1; presses <= MAX_TABS; presses += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    await assertFocusVisible(page, `${step} (press ${presses})`);
    if (await page.evaluate(matches, arg)) return presses;
  }
  throw new Error(`${step}: not reached in ${MAX_TABS} presses of ${back ? 'Shift+Tab' : 'Tab'}`);
}

/** Replaces the focused input's text by typing, as a shopper would. */
async function retype(page, text) {
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

describe('a purchase by keyboard alone', () => {
  let stripe;
  let shop;
  let browser;
  let catalog;
  let books;

  before(async () => {
    browser = await launchChromium();
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url });
    catalog = await getCatalog(shop.url);
    books = availableBooks(catalog);
  }, HOOK);

  after(async () => {
    await browser?.close();
    await shop?.stop();
    await stripe?.stop();
  });

  it('from the catalog to the confirmation, focus always visible and never lost', async () => {
    await shopperPage(browser, 'keyboard', async ({ page }) => {
    // The catalog: Tab to the first available book's "Add to cart", Enter.
    await page.goto(`${shop.url}/`);
    const book = await page.$eval('article.book button.add-to-cart:not([disabled])', (b) => b.dataset.bookId);
    const entry = books.find((b) => b.id === book);
    assert.ok(entry, `${book} is in the price list`);
    const fmt = (amount) => formatMinor(amount, entry.currency, catalog);
    await tabTo(page, 'catalog → Add to cart', (id) => document.activeElement.matches(`button.add-to-cart[data-book-id="${id}"]`), { arg: book });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('cart-count').textContent.trim() === '1');
    await assertFocusVisible(page, 'after Add to cart');

    // To the cart by its link in the header (behind us: Shift+Tab).
    await tabTo(page, 'catalog → the cart link', () => document.activeElement.id === 'cart-link', { back: true });
    await Promise.all([page.waitForURL(/\/cart\/$/), page.keyboard.press('Enter')]);
    await page.locator(`#cart-lines [data-line-id="${book}"]`).waitFor();
    await page.waitForSelector('#payment-element select[name="double-payment-method"]', { state: 'visible' });
    await page.waitForFunction(() => !document.getElementById('pay').disabled);

    // Pay with a required field left empty: focus goes to it, and it is described by its error.
    await tabTo(page, 'cart → email', () => document.activeElement.id === 'email');
    await page.keyboard.type('reader@example.com');
    await tabTo(page, 'cart → Pay (fields empty)', () => document.activeElement.id === 'pay');
    await page.keyboard.press('Enter');
    const missing = await assertFocusVisible(page, 'after Pay with empty fields');
    assert.equal(missing.id, 'ship-name', 'focus moves to the first field to fix');
    const described = await page.evaluate(() => {
      const el = document.activeElement;
      return {
        invalid: el.getAttribute('aria-invalid'),
        errors: (el.getAttribute('aria-describedby') || '').split(/\s+/).map((id) => document.getElementById(id)?.textContent.trim()).filter(Boolean),
      };
    });
    assert.equal(described.invalid, 'true');
    assert.ok(described.errors.length > 0, 'the field is described by its error message');

    // The address, typed; the country stays the default (United States).
    await page.keyboard.type('Ada Reader');
    await tabTo(page, '→ Street address', () => document.activeElement.id === 'ship-line1');
    await page.keyboard.type('1 Infinite Loop');
    await tabTo(page, '→ City', () => document.activeElement.id === 'ship-city');
    await page.keyboard.type('Cupertino');
    await page.keyboard.press('Tab');
    await page.keyboard.type('CA');
    await page.keyboard.press('Tab');
    await page.keyboard.type('95014');
    assert.equal((await assertFocusVisible(page, 'ZIP code')).id, 'ship-postal');

    // A card the double declines: its "Payment Element" is a select; ArrowDown picks the decline.
    await tabTo(page, '→ the payment method', () => document.activeElement.name === 'double-payment-method');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.inputValue('#payment-element select'), 'pm_card_chargeCustomerFail');
    await tabTo(page, '→ Pay', () => document.activeElement.id === 'pay');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /declined/i.test(document.getElementById('payment-message').textContent));
    const declined = await assertFocusVisible(page, 'after the decline');
    assert.equal(declined.id, 'payment-message', 'focus moves to the message that says what happened');

    // Back to the quantity: two copies, typed; focus stays in the input as the total changes.
    await tabTo(page, '→ the quantity', () => document.activeElement.matches('#cart-lines input.qty'), { back: true });
    await retype(page, '2');
    await page.waitForFunction((t) => document.getElementById('cart-total').textContent.includes(t), fmt(2 * entry.amount));
    assert.ok((await page.evaluate(() => document.activeElement.matches('#cart-lines input.qty'))), 'focus stays on the quantity after typing');
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction((t) => document.getElementById('cart-total').textContent.includes(t), fmt(3 * entry.amount));
    await assertFocusVisible(page, 'after ArrowUp on the quantity');
    assert.ok((await page.evaluate(() => document.activeElement.matches('#cart-lines input.qty'))), 'focus stays on the quantity after ArrowUp');

    // A card that pays, then Pay: the confirmation page.
    await tabTo(page, '→ the payment method again', () => document.activeElement.name === 'double-payment-method');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.inputValue('#payment-element select'), 'pm_card_visa');
    await tabTo(page, '→ Pay again', () => document.activeElement.id === 'pay');
    await page.waitForFunction(() => /3/.test(document.getElementById('cart-count').textContent));
    await Promise.all([page.waitForURL(/\/order\/(index\.html)?\?/, { timeout: 30_000 }), page.keyboard.press('Enter')]);
    await page.waitForSelector('#order-status[data-status="succeeded"]');
    const id = (await page.textContent('#order-id')).trim();
    assert.match(id, /^pi_[A-Za-z0-9]+$/);
    assert.match(await page.textContent('#order-amount'), new RegExp(fmt(3 * entry.amount).replace(/\./g, '\\.')));
    const pi = await stripeGet(stripe.url, `/v1/payment_intents/${id}`);
    assert.equal(pi.body.status, 'succeeded');
    assert.equal(pi.body.amount, 3 * entry.amount);
    // The confirmation is reachable by keyboard too: the first Tab lands on a visible element.
    await page.keyboard.press('Tab');
    await assertFocusVisible(page, 'the confirmation page');
    }, { stripeBase: stripe.url });
  });
});
