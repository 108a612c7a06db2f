// Search in the browser: `make dev`'s shop (tools/dev.mjs: `bookshop watch` beside `wrangler dev`,
// serving the real `_headers`, so the shipped Content-Security-Policy applies) on a copy of
// content/ and themes/ with one more book, `Café Society`, whose accents the shopper never types.
// Typing shows ranked results, the keys move through them, a result goes into the cart, the box
// leads to the search page and its pages of titles A–Z without JavaScript, axe-core finds nothing
// serious, and our own JS+CSS on any page stays within the budget. Figures (what a query
// downloads) are printed.

import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { ARTIFACTS_DIR, REPO_ROOT, SHOP_START_TIMEOUT_MS, axeProblems, launchChromium, startDev } from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };
const CART_KEY = 'bookshop.cart';
const PAGE_WEIGHT_BUDGET = 20 * 1024; // bytes, gzipped: our own JS+CSS on any page, the index excluded
const CAFE = {
  id: 'cafe-society',
  title: 'Café Society',
  text: `+++
title = "Café Society"
author = "Zoë Brontë"
price = "12.00"
tags = ["food", "history"]
+++
How the coffee house made modern science: a history of talk, newspapers and engineering.
`,
};

describe('search in a browser', () => {
  let dev;
  let browser;

  before(async () => {
    const root = mkdtempSync(join(tmpdir(), 'bookshop-search-'));
    cpSync(join(REPO_ROOT, 'content'), join(root, 'content'), { recursive: true });
    cpSync(join(REPO_ROOT, 'themes'), join(root, 'themes'), { recursive: true });
    writeFileSync(join(root, 'content/books', `${CAFE.id}.md`), CAFE.text);
    browser = await launchChromium();
    dev = await startDev({ root });
  }, HOOK);

  after(async () => {
    await browser?.close();
    await dev?.stop();
  });

  /** A fresh context under the site's own CSP; external requests refused; screenshots on failure. */
  async function withPage(name, fn, options = {}) {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 }, reducedMotion: 'reduce', ...options });
    await context.route((url) => !url.href.startsWith(dev.url), (route) => route.abort('blockedbyclient'));
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors = [];
    const consoleErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    try {
      await fn({ page, consoleErrors });
      assert.deepEqual(pageErrors, [], 'no uncaught error in the pages');
      const refused = consoleErrors.filter((t) => /Content Security Policy|Refused to/i.test(t));
      assert.deepEqual(refused, [], 'nothing is refused by the CSP');
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS_DIR, `search-${name}-failure.png`), fullPage: true }).catch(() => {});
      if (consoleErrors.length) e.message += `\nbrowser console errors:\n  ${consoleErrors.join('\n  ')}`;
      throw e;
    } finally {
      await context.close();
    }
  }

  /** Types `query` into the header's box as a shopper does, and waits for its results. */
  async function type(page, query) {
    await page.fill('#search-q', '');
    await page.locator('#search-q').pressSequentially(query, { delay: 30 });
    await page.waitForFunction((q) => document.getElementById('search-status').textContent.includes(`“${q}”`), query);
  }

  const titles = (page) => page.$$eval('#search-list .search-title', (els) => els.map((e) => e.textContent));


  it('typing shows results as you type, accents and case folded: `cafe` finds `Café`', async () => {
    await withPage('type', async ({ page }) => {
      const fetched = [];
      page.on('response', async (r) => {
        if (new URL(r.url()).pathname.startsWith('/search/')) fetched.push([new URL(r.url()).pathname, gzipSync(await r.body()).length]);
      });
      const res = await page.goto(`${dev.url}/`);
      assert.match(res.headers()['content-security-policy'] || '', /connect-src 'self'/, 'served with the shop’s CSP');
      await type(page, 'cafe');
      assert.equal((await titles(page))[0], CAFE.title);
      assert.equal(await page.isVisible('#search-panel'), true);
      const hit = page.locator('#search-list .search-hit').first();
      assert.equal(await hit.locator('.search-author').textContent(), 'Zoë Brontë');
      assert.equal(await hit.locator('.search-price').textContent(), '$12.00');
      // Its cover is drawn (no file): a plain cover in the result.
      assert.equal(await hit.locator('.search-cover').count(), 1);
      assert.match(await page.textContent('#search-status'), /^1 book found for “cafe”\./);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'search-results-1200.png') });
      await type(page, 'BRONTE');
      assert.deepEqual(await titles(page), [CAFE.title], 'an author, in capitals, without its diaeresis');
      await type(page, 'zzqx');
      assert.equal(await page.textContent('#search-status'), 'No books match “zzqx”.');
      const bytes = fetched.reduce((n, [, gz]) => n + gz, 0);
      console.log(`index downloaded for three queries: ${fetched.length} files, ${bytes} B gzipped (${fetched.map(([p]) => p).join(', ')})`);
    });
  });

  it('results are ranked: a title or an author before a word of a description', async () => {
    await withPage('rank', async ({ page }) => {
      await page.goto(`${dev.url}/`);
      // "science" is in Hamming's title and only in the description of Café Society.
      await type(page, 'science');
      await page.waitForFunction(() => document.querySelectorAll('#search-list .search-hit').length >= 2);
      const found = await titles(page);
      assert.match(found[0], /^The Art of Doing Science and Engineering/);
      assert.ok(found.includes(CAFE.title), `the description's match is listed too: ${found}`);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'search-results-375.png') });
      await type(page, 'hist cof');
      assert.deepEqual(await titles(page), [CAFE.title], 'every word must match; the last one as a prefix');
    }, { viewport: { width: 375, height: 800 } });
  });

  it('the keyboard moves through the results: ↓ ↑ Escape, Enter follows a result', async () => {
    await withPage('keys', async ({ page }) => {
      await page.goto(`${dev.url}/`);
      await type(page, 'science');
      await page.waitForFunction(() => document.querySelectorAll('#search-list .search-hit').length >= 2);
      const focused = () => page.evaluate(() => document.activeElement.id || document.activeElement.textContent);
      await page.keyboard.press('ArrowDown');
      assert.match(await focused(), /The Art of Doing Science/);
      await page.keyboard.press('ArrowDown');
      assert.match(await focused(), /Café Society/);
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowUp');
      assert.equal(await focused(), 'search-q', 'back in the box');
      await page.keyboard.press('Escape');
      assert.equal(await page.isVisible('#search-panel'), false, 'Escape closes the results');
      assert.equal(await focused(), 'search-q');
      await type(page, 'cafe');
      await page.keyboard.press('ArrowDown');
      await Promise.all([page.waitForURL(`**/books/${CAFE.id}/`), page.keyboard.press('Enter')]);
    });
  });

  it('a result goes into the cart: the same cart, the header count follows', async () => {
    await withPage('cart', async ({ page }) => {
      await page.goto(`${dev.url}/`);
      await type(page, 'cafe');
      await page.click('#search-list .search-hit .add-to-cart');
      await page.waitForFunction(() => document.getElementById('cart-count').textContent === '1');
      const cart = await page.evaluate((key) => JSON.parse(localStorage.getItem(key)), CART_KEY);
      assert.deepEqual(cart, { items: { [CAFE.id]: 1 } });
      await page.waitForFunction(() => /Added “Café Society” to your cart/.test(document.getElementById('cart-announce').textContent));
      await page.goto(`${dev.url}/cart/`);
      assert.equal(await page.textContent('#cart-count'), '1');
    });
  });

  it('Enter goes to the search page, which lists the query’s results', async () => {
    await withPage('page', async ({ page }) => {
      await page.goto(`${dev.url}/`);
      await page.fill('#search-q', 'science');
      await Promise.all([page.waitForURL('**/search/?q=science'), page.keyboard.press('Enter')]);
      await page.waitForSelector('#search-page-results .search-hit');
      assert.match(await page.textContent('#search-page-status'), /^2 books found for “science”\./);
      assert.equal(await page.isVisible('#search-browse'), false);
    });
  });

  it('without JavaScript the box leads to every topic and, a page for each first letter, every book A–Z', async () => {
    await withPage('no-js', async ({ page }) => {
      await page.goto(`${dev.url}/`);
      await page.fill('#search-q', 'cafe');
      await Promise.all([page.waitForURL('**/search/?q=cafe'), page.keyboard.press('Enter')]);
      assert.match(await page.textContent('#search-page-status'), /Every book, A to Z by title/);
      assert.ok(await page.isVisible('.search-tags a[href="/tags/food/"]'), 'topics link to their lists');
      await Promise.all([page.waitForURL('**/search/titles/c/'), page.click('.az-nav a[href="/search/titles/c/"]')]);
      assert.equal(await page.textContent('.az-nav [aria-current="page"]'), 'C');
      const links = await page.$$eval('.az a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
      assert.deepEqual(links.find(([t]) => t === CAFE.title), [CAFE.title, `/books/${CAFE.id}/`]);
      assert.ok(links.every(([t]) => t.normalize('NFKD').toLowerCase().startsWith('c')), 'only titles in C');
    }, { javaScriptEnabled: false });
  });

  it('no serious accessibility violations with results open, and on the search page (axe-core)', async () => {
    await withPage('axe', async ({ page }) => {
      const problems = [];
      await page.goto(`${dev.url}/`);
      await type(page, 'science');
      await page.waitForFunction(() => document.querySelectorAll('#search-list .search-hit').length >= 2);
      problems.push(...(await axeProblems(page, '/ (results open)')));
      await page.goto(`${dev.url}/search/`);
      problems.push(...(await axeProblems(page, '/search/')));
      await page.goto(`${dev.url}/search/titles/c/`);
      problems.push(...(await axeProblems(page, '/search/titles/c/')));
      await page.goto(`${dev.url}/search/?q=cafe`);
      await page.waitForSelector('#search-page-results .search-hit');
      problems.push(...(await axeProblems(page, '/search/?q=cafe')));
      assert.deepEqual(problems, []);
    }, { bypassCSP: true }); // axe-core is injected inline
    await withPage('axe-dark', async ({ page }) => {
      await page.goto(`${dev.url}/`);
      await type(page, 'cafe');
      assert.deepEqual(await axeProblems(page, '/ (results open, dark)'), []);
    }, { colorScheme: 'dark', bypassCSP: true });
  });

  it(`page weight: our JS+CSS on every kind of page stays under ${PAGE_WEIGHT_BUDGET / 1024} KB gzipped, the index excluded`, async () => {
    await withPage('weight', async ({ page }) => {
      for (const path of ['/', `/books/${CAFE.id}/`, '/search/', '/cart/']) {
        const ours = new Map();
        const listen = (r) => {
          const url = new URL(r.url());
          if (url.origin === dev.url && url.pathname.startsWith('/assets/') && /\.(js|css)$/.test(url.pathname)) ours.set(url.pathname, r.body());
        };
        page.on('response', listen);
        await page.goto(`${dev.url}${path}`); // the load event comes after every deferred script
        page.off('response', listen);
        const sizes = [];
        for (const [name, body] of ours) sizes.push([name, gzipSync(await body).length]);
        assert.ok(sizes.some(([name]) => /^\/assets\/search\.[0-9a-f]{8}\.js$/.test(name)), `search.js loads on ${path}`);
        const gzipped = sizes.reduce((n, [, gz]) => n + gz, 0);
        console.log(`page weight ${path}: ${gzipped} B gzipped (${sizes.map(([name, gz]) => `${name} ${gz} B`).join(', ')})`);
        assert.ok(gzipped < PAGE_WEIGHT_BUDGET, `our JS+CSS on ${path} is ${gzipped} B gzipped, over ${PAGE_WEIGHT_BUDGET}`);
      }
    });
  });
});
