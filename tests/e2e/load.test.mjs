// Integration under load: a short run of bench/load.sh's wrk mixes against `wrangler dev` +
// localstripe. It asserts correctness only (every valid order 200, every bad request a 4xx in the
// JSON error shape, no socket error, one PaymentIntent per 200 the worker logged, no refused
// request that called Stripe, no 5xx in the worker's log) and
// prints the figures; it never compares a timing with anything. Then the deployable bundle is
// built offline with `wrangler deploy --dry-run --outdir` and its gzipped size printed.
// LOAD_TEST_SECONDS (default 3) and LOAD_TEST_CONNECTIONS (default 2) size the run.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { accountingProblems, bundleSize, formatBundle, formatLoad, loadProblems, runLoad, settledLogLines } from '../../bench/load.mjs';
import {
  SHOP_START_TIMEOUT_MS,
  availableBooks,
  countPaymentIntents,
  getCatalog,
  startLocalstripe,
  startShop,
  workerLogLines,
} from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };
const SECONDS = Number(process.env.LOAD_TEST_SECONDS || 3);
const CONNECTIONS = Number(process.env.LOAD_TEST_CONNECTIONS || 2);
/** Cloudflare's limit for a Worker on the Free plan, after compression. */
const FREE_PLAN_GZIP_LIMIT = 3 * 1024 * 1024;

describe('the endpoint under concurrent valid and invalid requests', () => {
  let stripe;
  let shop;
  let books;

  before(async () => {
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url });
    books = availableBooks(await getCatalog(shop.url)).map((b) => b.id);
  }, HOOK);

  after(async () => {
    await shop?.stop();
    await stripe?.stop();
  });

  it(`answers every request as designed (wrk, ${SECONDS} s, ${CONNECTIONS}+${CONNECTIONS} connections)`, { timeout: (SECONDS + 120) * 1000 }, async () => {
    const before = await countPaymentIntents(stripe.url, { limit: 1_000_000 });
    const logFrom = workerLogLines(shop.logFile).length;
    const result = await runLoad({ shopUrl: shop.url, books, seconds: SECONDS, connections: CONNECTIONS });
    for (const line of formatLoad(result, { seconds: SECONDS, connections: CONNECTIONS })) console.log(line);
    assert.deepEqual(loadProblems(result), [], `${result.valid.wrk}\n${result.invalid.wrk}`);
    const lines = await settledLogLines(shop.logFile, logFrom);
    const created = (await countPaymentIntents(stripe.url, { limit: 1_000_000 })) - before;
    console.log(`load: ${created} PaymentIntents created, ${lines.length} requests logged by the worker`);
    assert.deepEqual(accountingProblems({ result, created, lines, connections: CONNECTIONS }), []);
  });
});

describe('the deployable bundle', () => {
  it('builds offline with `wrangler deploy --dry-run` and fits the Free plan', { timeout: 600_000 }, async () => {
    const bundle = await bundleSize();
    for (const line of formatBundle(bundle)) console.log(line);
    assert.ok(bundle.files.some((f) => f.name.endsWith('.wasm')), `a .wasm module in the bundle: ${bundle.files.map((f) => f.name).join(', ')}`);
    assert.ok(bundle.files.some((f) => /\.m?js$/.test(f.name)), 'a JavaScript entry in the bundle');
    assert.ok(bundle.gzip < FREE_PLAN_GZIP_LIMIT, `gzip ${bundle.gzip} bytes: over the 3 MiB Free plan limit`);
  });
});
