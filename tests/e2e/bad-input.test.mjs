// Integration: the bad-input corpus (bad-input.json) against the real worker under `wrangler dev`,
// with localstripe as Stripe. Every case must get exactly the status, error code and param the
// corpus expects, in the one JSON error shape, never a 5xx, and none may reach Stripe: localstripe
// holds as many PaymentIntents after the corpus as before (none), and the worker logs no Stripe call.
//
// A case (one per line of bad-input.json):
//   {name, method? (POST), path? (/api/payment-intent), headers? ({name: value | null to leave it
//    out | [values]}; Content-Type defaults to application/json), body? | bodyHex?,
//    transfer? ('chunked' | {contentLength: N}), expect: {status, code, param?, headers?,
//    absentHeaders?, noBody?}}
// `param: null` means the error has no param. A body is a string or a generator:
//   {repeat: s, times: n, sep?}   s repeated n times ("{i}" in s becomes the index)
//   {concat: [part, …]}           parts joined
//   {padTo: n, body: part, fill}  part padded at the end with `fill` to exactly n bytes
// Placeholders in strings: {{book0}} {{book1}} {{book2}} (available books of the catalog),
// {{BOOK0}} (book0 in upper case), {{origin}} (the shop's own origin), {{port}} (its port).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  HERE,
  SHOP_START_TIMEOUT_MS,
  availableBooks,
  countPaymentIntents,
  getCatalog,
  rawRequest,
  startLocalstripe,
  startShop,
  workerLogLines,
  PAYMENT_INTENT_PATH,
} from './harness.mjs';

const HOOK = { timeout: SHOP_START_TIMEOUT_MS + 60_000 };
const CORPUS_FILE = join(HERE, 'bad-input.json');

/** The corpus, checked for shape so a typo in the data file fails loudly rather than passing. */
export function loadCorpus(file = CORPUS_FILE) {
  const cases = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(Array.isArray(cases), `${file}: a JSON array of cases`);
  const names = new Set();
  const known = new Set(['name', 'method', 'path', 'headers', 'body', 'bodyHex', 'transfer', 'expect', 'why']);
  for (const [i, c] of cases.entries()) {
    const where = `${file}: case ${i} (${c?.name})`;
    assert.equal(typeof c.name, 'string', `${where}: a name`);
    assert.ok(!names.has(c.name), `${where}: duplicate name`);
    names.add(c.name);
    for (const k of Object.keys(c)) assert.ok(known.has(k), `${where}: unknown key ${k}`);
    assert.ok(Number.isInteger(c.expect?.status), `${where}: expect.status`);
    assert.ok(c.expect.noBody || typeof c.expect.code === 'string', `${where}: expect.code`);
    assert.ok(!(c.body !== undefined && c.bodyHex !== undefined), `${where}: body or bodyHex, not both`);
  }
  return cases;
}

/** Replaces the placeholders in one string. */
function fill(text, vars) {
  return text.replace(/\{\{(\w+)\}\}/g, (m, name) => {
    if (!(name in vars)) throw new Error(`bad-input.json: unknown placeholder ${m}`);
    return vars[name];
  });
}

/** Expands a body spec (see the top of this file) to a string. */
export function expandBody(spec, vars) {
  if (spec === undefined || spec === null) return undefined;
  if (typeof spec === 'string') return fill(spec, vars);
  if (typeof spec.repeat === 'string') {
    const one = fill(spec.repeat, vars);
    return Array.from({ length: spec.times }, (_, i) => one.replaceAll('{i}', String(i))).join(spec.sep ?? '');
  }
  if (Array.isArray(spec.concat)) return spec.concat.map((p) => expandBody(p, vars)).join('');
  if (spec.padTo !== undefined) {
    const text = expandBody(spec.body, vars);
    const pad = spec.padTo - Buffer.byteLength(text);
    if (pad < 0) throw new Error(`bad-input.json: body already longer than padTo ${spec.padTo}`);
    return text + (spec.fill ?? ' ').repeat(pad);
  }
  throw new Error(`bad-input.json: unknown body spec ${JSON.stringify(spec).slice(0, 100)}`);
}

/** The request a case describes. */
function requestOf(c, vars) {
  const headers = { 'Content-Type': 'application/json' };
  for (const [k, v] of Object.entries(c.headers || {})) {
    const key = Object.keys(headers).find((h) => h.toLowerCase() === k.toLowerCase()) ?? k;
    headers[key] = v === null ? null : Array.isArray(v) ? v.map((x) => fill(x, vars)) : fill(v, vars);
  }
  const body = c.bodyHex !== undefined ? Buffer.from(c.bodyHex, 'hex') : expandBody(c.body, vars);
  return { method: c.method || 'POST', path: fill(c.path || PAYMENT_INTENT_PATH, vars), headers, body, transfer: c.transfer };
}

/** Compares one answer with the case's expectation; returns the list of differences (empty: as expected). */
function differences(c, res) {
  const e = c.expect;
  const out = [];
  if (res.status >= 500) out.push(`a ${res.status}: the worker must never answer bad input with a 5xx`);
  if (res.status !== e.status) out.push(`status ${res.status}, expected ${e.status}`);
  for (const [k, v] of Object.entries(e.headers || {})) {
    if (res.headers.get(k) !== v) out.push(`header ${k}: ${JSON.stringify(res.headers.get(k))}, expected ${JSON.stringify(v)}`);
  }
  for (const k of e.absentHeaders || []) {
    if (res.headers.has(k)) out.push(`header ${k} must be absent, got ${JSON.stringify(res.headers.get(k))}`);
  }
  if (!/^application\/json\b/.test(res.headers.get('content-type') || '')) {
    out.push(`Content-Type ${JSON.stringify(res.headers.get('content-type'))}, expected application/json`);
  }
  if (res.headers.get('cache-control') !== 'no-store') out.push('an API answer must be Cache-Control: no-store');
  if (e.noBody) {
    if (res.text !== '') out.push(`a body on a HEAD answer: ${res.text.slice(0, 100)}`);
    return out;
  }
  const err = res.json?.error;
  if (!res.json || typeof err !== 'object' || err === null) return [...out, `not the JSON error shape: ${res.text.slice(0, 200)}`];
  const extraTop = Object.keys(res.json).filter((k) => k !== 'error');
  if (extraTop.length) out.push(`unexpected top-level keys ${extraTop.join(', ')}`);
  const extra = Object.keys(err).filter((k) => !['code', 'message', 'param'].includes(k));
  if (extra.length) out.push(`unexpected error keys ${extra.join(', ')}`);
  if (typeof err.message !== 'string' || err.message.length === 0) out.push('error.message must be a non-empty string');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
  else if (/[\u0000-\u001f\u007f<>\u202e]/.test(err.message)) out.push(`error.message echoes unsafe characters: ${JSON.stringify(err.message)}`);
  if (err.code !== e.code) out.push(`code ${JSON.stringify(err.code)}, expected ${JSON.stringify(e.code)}`);
  if ('param' in e) {
    const want = e.param === null ? undefined : e.param;
    if (err.param !== want) out.push(`param ${JSON.stringify(err.param)}, expected ${want === undefined ? 'none' : JSON.stringify(want)}`);
  }
  return out;
}

describe('the bad-input corpus against the live endpoint (wrangler dev + localstripe)', () => {
  const cases = loadCorpus();
  let stripe;
  let shop;
  let vars;
  let intentsBefore;
  let logBefore;
  const results = []; // {name, ok, got}

  before(async () => {
    stripe = await startLocalstripe();
    shop = await startShop({ stripeBase: stripe.url });
    const books = availableBooks(await getCatalog(shop.url));
    assert.ok(books.length >= 3, 'the corpus names three available books of one currency');
    const url = new URL(shop.url);
    vars = { book0: books[0].id, book1: books[1].id, book2: books[2].id, BOOK0: books[0].id.toUpperCase(), origin: url.origin, port: url.port };
    intentsBefore = await countPaymentIntents(stripe.url);
    logBefore = workerLogLines(shop.logFile).length;
  }, HOOK);

  after(async () => {
    const ok = results.filter((r) => r.ok).length;
    console.log(`bad-input corpus: ${cases.length} cases, ${ok} as expected`);
    for (const r of results.filter((x) => !x.ok)) console.log(`  not as expected: ${r.name}: ${r.got}`);
    await shop?.stop();
    await stripe?.stop();
  });

  it(`has at least 60 cases, each well-formed (${cases.length})`, () => {
    assert.ok(cases.length >= 60, `${cases.length} cases`);
  });

  /**
   * After each case the shop must still answer the next request: a case can break the connection
   * it came on, or the dev server's proxy (see README.md). An empty order is the probe; when it
   * fails, wait (up to a minute) for the shop to recover so the next case is judged on its own.
   */
  async function nextRequestProblem() {
    const probe = () => rawRequest(shop.url, { path: PAYMENT_INTENT_PATH, headers: { 'Content-Type': 'application/json' }, body: '{"items":[]}', timeoutMs: 10_000 });
    let problem;
    try {
      const res = await probe();
      if (res.status !== 400 || res.json?.error?.code !== 'empty_order') problem = `the next request got ${res.status} ${res.text.slice(0, 120)}`;
    } catch (e) {
      problem = `the next request got no answer (${e.message})`;
    }
    if (problem) {
      for (let i = 0; i < 60; i += 1) {
        try {
          if ((await probe()).status === 400) break;
        } catch {
          /* still down */
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    return problem;
  }

  for (const c of cases) {
    it(c.name, { timeout: 120_000 }, async () => {
      let res;
      try {
        res = await rawRequest(shop.url, requestOf(c, vars));
      } catch (e) {
        const after = await nextRequestProblem();
        results.push({ name: c.name, ok: false, got: e.message + (after ? `; ${after}` : '') });
        throw e;
      }
      const diff = differences(c, res);
      const after = await nextRequestProblem();
      if (after) diff.push(after);
      const got = `${res.status} ${res.json?.error?.code ?? ''} ${res.json?.error?.param ?? ''}`.trim();
      results.push({ name: c.name, ok: diff.length === 0, got: `${got} (${diff.join('; ')})` });
      assert.deepEqual(diff, [], `${c.name}\n  answer: ${res.status} ${res.text.slice(0, 300)}`);
    });
  }

  it('none of the corpus reached Stripe', async () => {
    assert.equal(await countPaymentIntents(stripe.url), intentsBefore, 'localstripe holds a new PaymentIntent');
    // The worker's own account of it: one log line per request, and no Stripe call in any.
    await new Promise((r) => setTimeout(r, 500)); // let wrangler flush its output to the log
    const lines = workerLogLines(shop.logFile).slice(logBefore);
    const called = lines.filter((l) => l.stripe_attempts > 0 || l.payment_intent);
    assert.deepEqual(called, [], 'a corpus request was sent to Stripe');
    const fivexx = lines.filter((l) => l.status >= 500);
    assert.deepEqual(fivexx, [], 'the worker logged a 5xx');
  });
});
