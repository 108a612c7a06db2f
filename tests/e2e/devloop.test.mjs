// The editor's loop, as an editor lives it: `make dev` (tools/dev.mjs: `bookshop watch` beside
// `wrangler dev`) on a copy of the shop's content, files saved while it runs, and what a browser
// and the checkout then get from the shop. Every wait is bounded; the figures (save → the
// watcher's line → served) are printed, never asserted.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO_ROOT, getCatalog, launchChromium, postOrder, shopFetch, startDev, startLocalstripe } from './harness.mjs';

const WAIT_MS = 20_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let stripe;
let dev;
let root;
const figures = [];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'bookshop-devloop-'));
  cpSync(join(REPO_ROOT, 'content'), join(root, 'content'), { recursive: true });
  cpSync(join(REPO_ROOT, 'themes'), join(root, 'themes'), { recursive: true });
  stripe = await startLocalstripe();
  dev = await startDev({ root, stripeBase: stripe.url });
});

after(async () => {
  await dev?.stop();
  await stripe?.stop();
  if (figures.length) {
    console.log('editor loop under make dev (ms):');
    for (const f of figures) console.log(`  ${f.what.padEnd(44)} watcher line ${String(f.line).padStart(5)}   served ${String(f.served).padStart(5)}`);
  }
});

function book({ title, price = '7.00', tags = ['devloop'], extra = '' }) {
  return `+++\ntitle = "${title}"\nauthor = "E. Ditor"\nprice = "${price}"\ntags = ${JSON.stringify(tags)}\n${extra}+++\nA book saved while the shop runs.\n`;
}

const bookPath = (id) => join(root, 'content/books', `${id}.md`);

/** The watcher's rebuild lines so far (a rebuild, or a try that failed). */
const watcherLines = () => dev.log().split('\n').filter((l) => /^\[site\]\s+(Rebuilt|Kept the last good site)/.test(l)).length;

/** Polls `probe` until it returns truthy; fails with `what` after WAIT_MS. → ms taken */
async function eventually(what, probe) {
  const started = Date.now();
  let last;
  while (Date.now() - started < WAIT_MS) {
    try {
      last = await probe();
      if (last) return Date.now() - started;
    } catch (e) {
      last = e.message;
    }
    await sleep(100);
  }
  assert.fail(`${what}: not so after ${WAIT_MS} ms (last: ${JSON.stringify(last)})\n--- make dev ---\n${dev.log().split('\n').slice(-30).join('\n')}`);
}

/** Runs `edit`, waits for the watcher's next line, then until `served` holds; records both times. */
async function afterSave(what, edit, served) {
  const before = watcherLines();
  const started = Date.now();
  edit();
  await eventually(`${what}: the watcher's line`, () => watcherLines() > before);
  const line = Date.now() - started;
  await eventually(what, served);
  figures.push({ what, line, served: Date.now() - started });
}

const status = async (path) => (await shopFetch(dev.url, path)).status;
const priceList = () => getCatalog(dev.url);
// As the preview's own pages order: from its address, which base_url does not name.
const order = (id, quantity = 1) => postOrder(dev.url, { items: [{ id, quantity }] }, { headers: { Origin: dev.url } });

describe('make dev serves what the editor saved', () => {
  test("the preview's own pages may order, at 127.0.0.1 or localhost; another origin may not", async () => {
    const port = new URL(dev.url).port;
    const items = { items: [{ id: 'no-such-book', quantity: 1 }] };
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const res = await postOrder(dev.url, items, { headers: { Origin: origin } });
      assert.equal(res.json?.error?.code, 'unknown_item', `${origin}: ${res.text}`);
    }
    const foreign = await postOrder(dev.url, items, { headers: { Origin: 'http://127.0.0.1:1' } });
    assert.equal(foreign.json?.error?.code, 'forbidden_origin', foreign.text);
  });

  test("a new book's page (its cover drawn in it) and tag page answer 200 and it can be bought", async () => {
    assert.equal(await status('/books/new-book/'), 404);
    await afterSave(
      'a new book',
      () => writeFileSync(bookPath('new-book'), book({ title: 'A New Book', tags: ['devloop'] })),
      async () => (await status('/books/new-book/')) === 200,
    );
    assert.equal(await status('/tags/devloop/'), 200);
    assert.match((await shopFetch(dev.url, '/books/new-book/')).text, /<div class="cover cover-drawn"><svg /, 'its drawn cover');
    assert.equal((await priceList()).books['new-book'].amount, 700);
    const sold = await order('new-book', 2);
    assert.equal(sold.status, 200, sold.text);
    assert.equal(sold.json.amount, 1400);
  });

  test('a price change is charged at the new price', async () => {
    await afterSave(
      'a new price',
      () => writeFileSync(bookPath('new-book'), book({ title: 'A New Book', price: '12.34' })),
      async () => (await order('new-book')).json?.amount === 1234,
    );
    assert.match((await shopFetch(dev.url, '/books/new-book/')).text, /\$12\.34/);
  });

  test('a book made unavailable is refused', async () => {
    await afterSave(
      'sold out',
      () => writeFileSync(bookPath('new-book'), book({ title: 'A New Book', price: '12.34', extra: 'available = false\n' })),
      async () => (await order('new-book')).json?.error?.code === 'item_unavailable',
    );
    assert.equal((await priceList()).books['new-book'].available, false);
  });

  test("an unpublished book's page answers 404 and it leaves the price list", async () => {
    await afterSave(
      'unpublished (draft = true)',
      () => writeFileSync(bookPath('new-book'), book({ title: 'A New Book', extra: 'draft = true\n' })),
      async () => (await status('/books/new-book/')) === 404,
    );
    assert.equal((await priceList()).books['new-book'], undefined);
    assert.equal(await status('/tags/devloop/'), 404, 'the tag had no other book');
    assert.equal((await order('new-book')).json.error.code, 'unknown_item');
  });

  test("a renamed book's old URL is gone and the new one is served", async () => {
    await afterSave(
      'a renamed book',
      () => renameSync(bookPath('making-of-prince-of-persia'), bookPath('prince-of-persia')),
      async () => (await status('/books/prince-of-persia/')) === 200,
    );
    assert.equal(await status('/books/making-of-prince-of-persia/'), 404);
    assert.equal((await priceList()).books['making-of-prince-of-persia'], undefined);
    assert.equal((await order('prince-of-persia')).status, 200);
  });

  test('a templates/ folder created after start takes effect', async () => {
    const theme = readFileSync(join(root, 'themes/default/templates/book.html'), 'utf8');
    await afterSave(
      'templates/ created',
      () => {
        mkdirSync(join(root, 'templates'));
        writeFileSync(join(root, 'templates/book.html'), theme.replace('</article>', '<p id="devloop-override">Signed copies</p></article>'));
      },
      async () => (await shopFetch(dev.url, '/books/prince-of-persia/')).text.includes('devloop-override'),
    );
  });

  test('a CSS override created and edited after start keeps every page styled', async () => {
    const css = readFileSync(join(root, 'themes/default/static/shop.css'), 'utf8');
    const stylesheet = async () => {
      const page = await shopFetch(dev.url, '/');
      const href = page.text.match(/<link rel="stylesheet" href="([^"]+)"/)[1];
      const res = await shopFetch(dev.url, href);
      return { href, status: res.status, type: res.headers.get('content-type'), text: res.text };
    };
    for (const version of ['v1', 'v2']) {
      await afterSave(
        `static/shop.css ${version}`,
        () => {
          mkdirSync(join(root, 'static'), { recursive: true });
          writeFileSync(join(root, 'static/shop.css'), `${css}\n.devloop-${version} { color: red; }\n`);
        },
        async () => {
          const s = await stylesheet();
          return s.status === 200 && s.text.includes(`.devloop-${version}`);
        },
      );
      const s = await stylesheet();
      assert.match(s.type, /text\/css/);
      assert.match(s.href, /^\/assets\/shop\.[0-9a-f]+\.css$/);
    }
  });
});

describe('problems show where the editor looks', () => {
  test('a broken book shows a banner on every page until fixed, and open pages reload', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort('blockedbyclient'));
      await page.goto(`${dev.url}/`);
      const broken = book({ title: 'Broken', extra: 'currency = "usdd"\n' });
      await afterSave(
        'a broken book',
        () => writeFileSync(bookPath('broken'), broken),
        async () => (await page.locator('#bookshop-problems').count()) === 1,
      );
      const banner = await page.locator('#bookshop-problems').innerText();
      assert.match(banner, /1 problem/);
      assert.match(banner, /^content\/books\/broken\.md:6: unsupported currency `usdd`$/m);
      assert.match(banner, /^help: did you mean `usd`\?/m);
      assert.equal(await page.getAttribute('#bookshop-problems', 'role'), 'alert');
      // Every page, not only the one that was open.
      await page.goto(`${dev.url}/books/prince-of-persia/`);
      await page.locator('#bookshop-problems').waitFor({ timeout: WAIT_MS });
      assert.equal(await status('/books/broken/'), 404, 'a broken book is not published');
      await page.screenshot({ path: join(process.env.E2E_ARTIFACTS_DIR || join(tmpdir(), 'bookshop-e2e'), 'devloop-banner.png') });

      await page.evaluate(() => {
        window.devloopMarker = true;
      });
      await afterSave(
        'the broken book fixed',
        () => writeFileSync(bookPath('broken'), book({ title: 'Broken' })),
        async () => (await page.evaluate(() => window.devloopMarker === undefined && document.readyState === 'complete')),
      );
      assert.equal(await page.locator('#bookshop-problems').count(), 0, 'the banner is gone');
      assert.equal(await status('/books/broken/'), 200);
    } finally {
      await browser.close();
    }
  });

  test("the shop's own pages never carry the preview in a build for deploy", () => {
    const out = mkdtempSync(join(tmpdir(), 'bookshop-devloop-build-'));
    execFileSync(join(REPO_ROOT, 'target/release/bookshop'), ['--root', root, 'build', '--output', out], { stdio: 'pipe' });
    const pages = files(out).filter((f) => f.endsWith('.html'));
    assert.ok(pages.length > 5);
    for (const f of pages) assert.ok(!readFileSync(join(out, f), 'utf8').includes('_bookshop'), f);
  });
});

describe('nothing is lost', () => {
  test('a rename saved with a typo in another book ends as a fresh full build, byte for byte', async () => {
    const typo = bookPath('working-in-public');
    const good = readFileSync(typo, 'utf8');
    const pageBefore = (await shopFetch(dev.url, '/books/working-in-public/')).text;
    await afterSave(
      'a rename and a typo at once',
      () => {
        renameSync(bookPath('prince-of-persia'), bookPath('persia'));
        writeFileSync(typo, good.replace(/price = "[^"]+"/, 'price = "abc"'));
      },
      async () => (await status('/books/persia/')) === 200,
    );
    assert.equal(await status('/books/prince-of-persia/'), 404, 'the rename is applied at once');
    assert.equal((await shopFetch(dev.url, '/books/working-in-public/')).text, pageBefore, 'the broken book keeps its last good page');
    assert.match(dev.log(), /Still broken: 1 book file/);

    await afterSave(
      'the typo fixed',
      () => writeFileSync(typo, good),
      async () => !dev.log().split('\n').slice(-3).some((l) => l.includes('Still broken')),
    );
    assert.equal((await priceList()).books['prince-of-persia'], undefined, 'the old id is not sellable');

    const fresh = mkdtempSync(join(tmpdir(), 'bookshop-devloop-fresh-'));
    execFileSync(join(REPO_ROOT, 'target/release/bookshop'), ['--root', root, 'build', '--output', fresh], { stdio: 'pipe' });
    const served = join(root, 'public');
    // The watcher's pages differ from a build's by the preview script alone.
    const preview = '<script src="/_bookshop/preview.js" defer></script>';
    const ours = files(served).filter((f) => !f.startsWith('_bookshop/'));
    assert.deepEqual(ours, files(fresh));
    for (const f of ours) {
      const a = readFileSync(join(served, f));
      const b = readFileSync(join(fresh, f));
      const same = f.endsWith('.html') ? a.toString('utf8').replace(preview, '') === b.toString('utf8') : a.equals(b);
      assert.ok(same, `${f} is not what a full build writes`);
    }
  });
});

/** Every file under `dir`, site-relative, sorted. */
function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('closing the terminal', () => {
  test('a hangup stops make dev and all it started: the port is free again', async () => {
    // The processes started for this shop: its folder is on their command lines.
    const underRoot = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(root);
          } catch {
            return false;
          }
        });
    assert.ok(underRoot().length >= 3, 'make dev, the watcher and wrangler run');
    process.kill(dev.pid, 'SIGHUP');
    await eventually('make dev and all it started gone, the port closed', async () => {
      const up = await fetch(dev.url, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
      return !up && underRoot().length === 0;
    });
  });
});
