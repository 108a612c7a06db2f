// The price list's shards, on a built shop of 8: the page's own cart.js (as `bookshop build`
// publishes it, taken from the built cart page) hashes every book id to the shard the generator
// put it in (catalog::price_list::shard_of is the rule; the page repeats it), and its catalog()
// fetches the manifest and only the shards of the ids asked for (the script in a bare VM
// context: no browser); then the real worker under `wrangler dev` prices an order whose books
// are in three shards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import vm from 'node:vm';

import { REPO_ROOT, SHOP_START_TIMEOUT_MS, postOrder, startLocalstripe, startShop, stripeGet } from './harness.mjs';

const BOOKS = 700; // 8 shards: 700 / 128 rounded up to a power of two
const WORDS = ['signal', 'press', 'atlas', 'code', 'river', 'q', 'x9', 'long-title-of-a-book'];
/** Book i: its id and its price in cents. @param {number} i */
const bookOf = (i) => ({ id: `${WORDS[i % WORDS.length]}-${i * 7919}`, amount: 100 * (1 + (i % 50)) });

let dir;
let out;

/** The built site's file at a site-relative URL path. @param {string} path */
const served = (path) => readFileSync(join(out, decodeURIComponent(path.replace(/^\//, ''))), 'utf8');

/** The cart page's cart.js run in a fresh context whose fetch reads the built site; → {Bookshop, fetched}. */
function cartPage() {
  const html = served('/cart/index.html');
  const shop = /<body data-shop="([^"]*)"/.exec(html)?.[1];
  const src = /<script src="(\/assets\/cart\.[0-9a-f]+\.js)"/.exec(html)?.[1];
  assert.ok(shop && src, 'the cart page has data-shop and its cart.js');
  const unescaped = shop.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  /** @type {string[]} */
  const fetched = [];
  const context = {
    document: {
      body: { dataset: { shop: unescaped } },
      getElementById: () => null,
      addEventListener: () => {},
      dispatchEvent: () => {},
    },
    localStorage: { getItem: () => null, setItem: () => {} },
    CustomEvent: class {},
    addEventListener: () => {},
    fetch: async (url, init) => {
      fetched.push(url);
      assert.equal(init?.cache, 'no-cache', 'each file is revalidated');
      const text = served(url);
      return { ok: true, status: 200, json: async () => JSON.parse(text) };
    },
  };
  context.window = context;
  vm.runInNewContext(served(src), context, { filename: src });
  return { Bookshop: context.window.Bookshop, fetched };
}

// Both suites read one built shop.
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'shards-e2e-'));
  out = join(dir, 'public');
  mkdirSync(join(dir, 'content/books'), { recursive: true });
  writeFileSync(join(dir, 'content/site.toml'), 'title = "Shards"\nbase_url = "https://books.example"\n');
  for (let i = 0; i < BOOKS; i += 1) {
    const { id, amount } = bookOf(i);
    writeFileSync(join(dir, 'content/books', `${id}.md`), `+++\ntitle = "Book ${i}"\nauthor = "A"\nprice = "${amount / 100}.00"\n+++\nText.\n`);
  }
  execFileSync(join(REPO_ROOT, 'target/release/bookshop'), ['--root', dir, 'build', '--output', out], { stdio: 'pipe' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('the price list in shards, as the cart page reads it', () => {
  it('the page hashes every book id to the shard the generator put it in', () => {
    const { Bookshop } = cartPage();
    const manifest = JSON.parse(served('/catalog.json'));
    assert.equal(manifest.shards.count, 8);
    let seen = 0;
    for (let n = 0; n < manifest.shards.count; n += 1) {
      const shard = JSON.parse(served(manifest.shards.path.replace('{shard}', String(n))));
      assert.deepEqual([shard.shard, shard.count], [n, 8]);
      for (const id of Object.keys(shard.books)) {
        assert.equal(Bookshop.shardOf(id, manifest.shards.count), n, id);
        seen += 1;
      }
    }
    assert.equal(seen, BOOKS);
  });

  it('catalog(ids) reads the manifest and only the shards of those ids', async () => {
    const { Bookshop, fetched } = cartPage();
    const manifest = JSON.parse(served('/catalog.json'));
    const shardOf = (id) => manifest.shards.path.replace('{shard}', String(Bookshop.shardOf(id, 8)));
    const [a, b] = ['signal-0', 'code-23757'];
    const list = await Bookshop.catalog([a, b, 'no-such-book']);
    assert.deepEqual(Object.keys(list.books).sort(), [a, b].sort());
    assert.equal(list.books[a].title, 'Book 0');
    assert.deepEqual(list.currencies, manifest.currencies);
    assert.deepEqual(fetched.sort(), ['/catalog.json', ...new Set([shardOf(a), shardOf(b), shardOf('no-such-book')])].sort());
    // Read once per page: asking again fetches nothing new; `fresh` fetches again.
    await Bookshop.catalog([a]);
    assert.equal(fetched.length, new Set(fetched).size);
    const before = fetched.length;
    await Bookshop.catalog([], true);
    assert.deepEqual(fetched.slice(before), ['/catalog.json'], 'no ids: the manifest only (the currencies)');
  });
});

describe('the worker prices an order from the shards of its books', () => {
  let stripe;
  let shop;

  before(async () => {
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url, publicDir: out });
  }, { timeout: SHOP_START_TIMEOUT_MS + 60_000 });

  after(async () => {
    await shop?.stop();
    await stripe?.stop();
  });

  it('an order of books in three shards is priced from all three; an unknown id is unknown_item', async () => {
    // The first books of three different shards, as the generator wrote them.
    const manifest = JSON.parse(served('/catalog.json'));
    const shardOfId = new Map();
    for (let n = 0; n < manifest.shards.count; n += 1) {
      const shard = JSON.parse(served(manifest.shards.path.replace('{shard}', String(n))));
      for (const id of Object.keys(shard.books)) shardOfId.set(id, n);
    }
    const picked = [];
    for (let i = 0; picked.length < 3; i += 1) {
      if (!picked.some((b) => shardOfId.get(b.id) === shardOfId.get(bookOf(i).id))) picked.push(bookOf(i));
    }
    const items = picked.map((b, i) => ({ id: b.id, quantity: i + 1 }));
    const res = await postOrder(shop.url, { items });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.amount, picked.reduce((sum, b, i) => sum + b.amount * (i + 1), 0));
    const pi = await stripeGet(stripe.url, `/v1/payment_intents/${res.json.paymentIntent}`);
    assert.equal(pi.body.amount, res.json.amount);

    const unknown = await postOrder(shop.url, { items: [items[0], { id: 'no-such-book', quantity: 1 }] });
    assert.equal(unknown.status, 400, unknown.text);
    assert.deepEqual([unknown.json.error.code, unknown.json.error.param], ['unknown_item', 'items[1].id']);
  });
});
