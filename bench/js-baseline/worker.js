// The baseline for `make bench`: the same endpoint as our Rust worker, written the way most
// people would, in JavaScript with Stripe's official client. Not shipped; measured beside ours.
// Like ours it logs one JSON line per request, whatever the answer: logging is part of the job.
import Stripe from 'stripe';

const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

// The price list as ours reads it: the manifest, then only the shards an order's ids are in
// (catalog/src/price_list.rs: FNV-1a 32 of the id modulo the shard count), each fetched once
// per isolate (ours also revalidates each by ETag on every order).
let manifest = null;
const shards = new Map();
const shardOf = (id, count) => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return hash % count;
};
const asset = async (env, request, path) => (await env.ASSETS.fetch(new URL(path, request.url))).json();

export default {
  async fetch(request, env) {
    const started = Date.now();
    const url = new URL(request.url);
    if (url.pathname !== '/api/payment-intent') return env.ASSETS.fetch(request);
    const log = { route: url.pathname, status: 200, items: 0, stripe_attempts: 0 };
    const fail = (status, code, message, param, headers) => {
      log.status = status;
      log.code = code;
      return json({ error: { code, message, param } }, status, headers);
    };
    const response = await handle(request, env, log, fail);
    log.latency_ms = Date.now() - started;
    console.log(JSON.stringify(log));
    return response;
  },
};

async function handle(request, env, log, fail) {
  if (request.method !== 'POST') return fail(405, 'method_not_allowed', 'Use POST.', undefined, { Allow: 'POST' });
  if (!(request.headers.get('Content-Type') || '').startsWith('application/json')) {
    return fail(415, 'unsupported_media_type', 'Send JSON.');
  }
  let body;
  try {
    body = await request.json();
  } catch {
    return fail(400, 'invalid_json', 'The body is not valid JSON.');
  }
  const items = Array.isArray(body && body.items) ? body.items : null;
  if (!items || items.length === 0) return fail(400, 'empty_order', 'The cart is empty.', 'items');
  log.items = items.length;
  manifest ??= await asset(env, request, '/catalog.json');
  const ids = items.map((item) => String(item && item.id));
  const wanted = [...new Set(ids.map((id) => shardOf(id, manifest.shards.count)))];
  await Promise.all(wanted.filter((n) => !shards.has(n)).map(async (n) => {
    shards.set(n, await asset(env, request, manifest.shards.path.replace('{shard}', String(n))));
  }));
  let amount = 0;
  let currency = null;
  for (const [i, item] of items.entries()) {
    const shard = shards.get(shardOf(ids[i], manifest.shards.count));
    const book = Object.hasOwn(shard.books, ids[i]) ? shard.books[ids[i]] : undefined;
    if (!book) return fail(400, 'unknown_item', 'No such book.', `items[${i}].id`);
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > 99) {
      return fail(400, 'invalid_quantity', 'Bad quantity.', `items[${i}].quantity`);
    }
    if (currency && book.currency !== currency) return fail(400, 'mixed_currencies', 'One currency.', `items[${i}]`);
    currency = book.currency;
    amount += book.amount * item.quantity;
  }
  log.amount = amount;
  log.currency = currency;
  const base = new URL(env.STRIPE_API_BASE || 'https://api.stripe.com');
  const stripe = new Stripe(env.STRIPE_SECRET_KEY, {
    httpClient: Stripe.createFetchHttpClient(),
    host: base.hostname,
    port: base.port || (base.protocol === 'https:' ? 443 : 80),
    protocol: base.protocol.replace(':', ''),
    maxNetworkRetries: 2,
    timeout: 10000,
  });
  try {
    log.stripe_attempts = 1;
    const pi = await stripe.paymentIntents.create(
      { amount, currency, metadata: { order: items.map((l) => `${l.id}:${l.quantity}`).join(', ') } },
      body.attempt ? { idempotencyKey: `bookshop-${body.attempt}` } : undefined,
    );
    log.payment_intent = pi.id;
    log.stripe_request_id = pi.lastResponse?.requestId;
    return json({ clientSecret: pi.client_secret, paymentIntent: pi.id, amount: pi.amount, currency: pi.currency });
  } catch {
    return fail(502, 'stripe_error', 'The payment provider could not take this payment.');
  }
}
