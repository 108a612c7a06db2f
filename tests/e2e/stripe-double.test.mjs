// The Stripe.js test double itself, against localstripe, on a bare page of our own (no shop):
// when browser.test.mjs fails, this says whether the double or the shop is to blame.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { ARTIFACTS_DIR, installStripeDouble, launchChromium, startLocalstripe, stripeGet, stripePost } from './harness.mjs';

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>double</title>
<script src="https://js.stripe.com/clover/stripe.js"></script></head><body>
<form id="f"><div id="payment-element"></div><button id="pay">Pay</button></form>
<p id="msg"></p>
<script>
  const q = new URLSearchParams(location.search);
  const stripe = Stripe('pk_test_double');
  window.run = async ({ deferred, redirect }) => {
    const clientSecret = q.get('cs');
    const elements = deferred
      ? stripe.elements({ mode: 'payment', amount: Number(q.get('amount')), currency: 'usd' })
      : stripe.elements({ clientSecret });
    const pe = elements.create('payment');
    const ready = new Promise((r) => pe.on('ready', r));
    pe.mount('#payment-element');
    await ready;
    return { elements, clientSecret };
  };
  document.getElementById('f').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const { elements, clientSecret } = window.ctx;
    if (window.ctx.deferred) {
      const { error } = await elements.submit();
      if (error) { document.getElementById('msg').textContent = error.message; return; }
    }
    const { error, paymentIntent } = await stripe.confirmPayment({
      elements, clientSecret,
      confirmParams: Object.assign({ return_url: location.origin + '/done', receipt_email: 'reader@example.com' }, window.ctx.confirmParams),
      redirect: window.ctx.redirect,
    });
    document.getElementById('msg').textContent = error ? error.type + ': ' + error.message : 'ok ' + paymentIntent.status;
  });
</script></body></html>`;

const DONE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>done</title>
<script src="https://js.stripe.com/clover/stripe.js"></script></head><body><p id="st"></p><script>
  const q = new URLSearchParams(location.search);
  Stripe('pk_test_double').retrievePaymentIntent(q.get('payment_intent_client_secret')).then(({ paymentIntent, error }) => {
    const st = document.getElementById('st');
    st.textContent = error ? 'error' : paymentIntent.id + ' ' + paymentIntent.status + ' ' + paymentIntent.amount;
    st.dataset.done = '1';
  });
</script></body></html>`;

describe('Stripe.js test double over localstripe', () => {
  let stripe;
  let server;
  let origin;
  let browser;

  before(async () => {
    stripe = await startLocalstripe();
    server = createServer((req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(path === '/done' ? DONE : PAGE);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${server.address().port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r()));
    await stripe?.stop();
  });

  async function newPi(amount) {
    const res = await stripePost(stripe.url, '/v1/payment_intents', { amount, currency: 'usd' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  async function openPage(pi, ctx) {
    const context = await browser.newContext({ bypassCSP: true });
    const record = await installStripeDouble(context, { stripeBase: stripe.url });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/?cs=${encodeURIComponent(pi.client_secret)}&amount=${pi.amount}`);
    await page.evaluate(async (c) => {
      const { elements, clientSecret } = await window.run(c);
      window.ctx = { ...c, elements, clientSecret };
    }, ctx);
    return { context, page, record, errors };
  }

  it('mounts a labelled select of test cards', async () => {
    const pi = await newPi(1200);
    const { context, page, errors } = await openPage(pi, { deferred: false });
    const select = page.getByLabel('Test card (Stripe double)');
    assert.equal(await select.inputValue(), 'pm_card_visa');
    const values = await page.$$eval('select[name="double-payment-method"] option', (os) => os.map((o) => o.value));
    assert.deepEqual(values, ['pm_card_visa', 'pm_card_chargeCustomerFail']);
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const deferred of [false, true]) {
    it(`pays and redirects to return_url (${deferred ? 'deferred intent' : 'elements with clientSecret'})`, async () => {
      const pi = await newPi(2300);
      const { context, page, record, errors } = await openPage(pi, { deferred });
      await Promise.all([page.waitForURL(/\/done\?/), page.click('#pay')]);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('payment_intent'), pi.id);
      assert.equal(url.searchParams.get('payment_intent_client_secret'), pi.client_secret);
      assert.equal(url.searchParams.get('redirect_status'), 'succeeded');
      await page.waitForSelector('#st[data-done]');
      assert.equal(await page.textContent('#st'), `${pi.id} succeeded 2300`);
      const after = await stripeGet(stripe.url, `/v1/payment_intents/${pi.id}`);
      assert.equal(after.body.status, 'succeeded');
      assert.equal(record.confirms.length, 1);
      assert.equal(record.confirms[0].params.receipt_email, 'reader@example.com');
      assert.equal(record.confirms[0].params.key, 'pk_test_double');
      assert.deepEqual(errors, []);
      await page.screenshot({ path: `${ARTIFACTS_DIR}/double-paid-${deferred}.png` });
      await context.close();
    });
  }

  it('resolves a decline as a card_error like Stripe.js', async () => {
    const pi = await newPi(900);
    const { context, page } = await openPage(pi, { deferred: true });
    await page.selectOption('select[name="double-payment-method"]', 'pm_card_chargeCustomerFail');
    await page.click('#pay');
    await page.waitForFunction(() => document.getElementById('msg').textContent !== '');
    assert.equal(await page.textContent('#msg'), 'card_error: Your card was declined.');
    const after = await stripeGet(stripe.url, `/v1/payment_intents/${pi.id}`);
    assert.equal(after.body.status, 'requires_payment_method');
    assert.equal(after.body.last_payment_error.code, 'card_declined');
    await context.close();
  });

  it('sends shipping with the confirmation as Stripe.js does, form-encoded, where the tests see it', async () => {
    const pi = await newPi(2300);
    const shipping = {
      name: 'Ada Lovelace',
      address: { line1: '12 St James’s Square', line2: 'Flat 3', city: 'London', postal_code: 'SW1Y 4JH', country: 'GB' },
    };
    const { context, page, record, errors } = await openPage(pi, { deferred: true, confirmParams: { shipping } });
    await Promise.all([page.waitForURL(/\/done\?/), page.click('#pay')]);
    assert.equal(record.confirms.length, 1);
    const p = record.confirms[0].params;
    assert.equal(p['shipping[name]'], 'Ada Lovelace');
    assert.equal(p['shipping[address][line1]'], '12 St James’s Square');
    assert.equal(p['shipping[address][line2]'], 'Flat 3');
    assert.equal(p['shipping[address][city]'], 'London');
    assert.equal(p['shipping[address][postal_code]'], 'SW1Y 4JH');
    assert.equal(p['shipping[address][country]'], 'GB');
    assert.equal(p.receipt_email, 'reader@example.com');
    const after = await stripeGet(stripe.url, `/v1/payment_intents/${pi.id}`);
    assert.equal(after.body.status, 'succeeded', 'localstripe is not sent shipping, so it still pays');
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const [what, confirmParams, param] of [
    ['shipping without a name', { shipping: { address: { line1: '1 Main St', country: 'US' } } }, 'shipping[name]'],
    ['shipping without an address', { shipping: { name: 'Ada' } }, 'shipping[address]'],
    ['a shipping key Stripe does not know', { shipping: { name: 'Ada', address: { line1: '1 Main St', zip: '10001' } } }, 'shipping[address][zip]'],
    ['an invalid receipt_email', { receipt_email: 'not an email' }, 'receipt_email'],
  ]) {
    it(`refuses ${what} as Stripe's API does, and confirms nothing`, async () => {
      const pi = await newPi(900);
      const { context, page, record } = await openPage(pi, { deferred: true, confirmParams });
      await page.click('#pay');
      await page.waitForFunction(() => document.getElementById('msg').textContent !== '');
      assert.match(await page.textContent('#msg'), /^invalid_request_error: /);
      const error = await page.evaluate(() => window.__stripeDouble.calls.find((c) => c.name === 'confirmPayment.error').detail);
      assert.equal(error.param, param);
      assert.equal(record.confirms.length, 0);
      const after = await stripeGet(stripe.url, `/v1/payment_intents/${pi.id}`);
      assert.equal(after.body.status, 'requires_payment_method');
      await context.close();
    });
  }

  it('refuses a wrong client secret', async () => {
    const pi = await newPi(900);
    const forged = { ...pi, client_secret: `${pi.id}_secret_forged` };
    const { context, page } = await openPage(forged, { deferred: false });
    await page.click('#pay');
    await page.waitForFunction(() => document.getElementById('msg').textContent !== '');
    assert.match(await page.textContent('#msg'), /^invalid_request_error: .*client_secret/);
    const after = await stripeGet(stripe.url, `/v1/payment_intents/${pi.id}`);
    assert.equal(after.body.status, 'requires_payment_method');
    await context.close();
  });

  it('insists on elements.submit() before confirmPayment in deferred mode, as Stripe.js does', async () => {
    const pi = await newPi(900);
    const { context, page } = await openPage(pi, { deferred: true });
    const message = await page.evaluate(async () => {
      try {
        await Stripe('pk_test_double').confirmPayment({
          elements: window.ctx.elements,
          clientSecret: window.ctx.clientSecret,
          confirmParams: { return_url: location.href },
        });
        return 'resolved';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    });
    assert.match(message, /^IntegrationError: elements.submit\(\) must be called/);
    await context.close();
  });

  for (const [what, call, expected] of [
    ['elements() with an option name the typings do not have', () => Stripe('pk_test_double').elements({ mode: 'payment', amount: 900, currency: 'usd', paymentMethodType: ['card'] }),
      'IntegrationError: Unrecognized elements() parameter: paymentMethodType is not a recognized parameter.'],
    ['elements() with an amount that is not an integer', () => Stripe('pk_test_double').elements({ mode: 'payment', amount: 9.5, currency: 'usd' }),
      'IntegrationError: Invalid value for elements(): amount should be a positive integer. You specified: 9.5.'],
    ['elements.update() with a name only elements() takes', () => Stripe('pk_test_double').elements({ mode: 'payment', amount: 900, currency: 'usd' }).update({ clientSecret: 'pi_1_secret_2' }),
      'IntegrationError: Unrecognized elements.update() parameter: clientSecret is not a recognized parameter.'],
    ['Stripe() with an option it does not take', () => Stripe('pk_test_double', { apiKey: 'x' }),
      'IntegrationError: Unrecognized Stripe() parameter: apiKey is not a recognized parameter.'],
    ['a key that is not a publishable key', () => Stripe('not-a-key'),
      'IntegrationError: Invalid API Key provided: not-a-key. Stripe() takes a publishable key (pk_test_… or pk_live_…).'],
  ]) {
    it(`throws at once on ${what}, as the typings refuse it`, async () => {
      const pi = await newPi(900);
      const { context, page } = await openPage(pi, { deferred: false });
      const message = await page.evaluate(`(() => { try { (${call})(); return 'no error'; } catch (e) { return e.name + ': ' + e.message; } })()`);
      assert.equal(message, expected);
      await context.close();
    });
  }

  it('refuses a confirmPayment option name the typings do not have, and confirms nothing', async () => {
    const pi = await newPi(900);
    const { context, page, record } = await openPage(pi, { deferred: false });
    const message = await page.evaluate(async () => {
      try {
        await Stripe('pk_test_double').confirmPayment({
          elements: window.ctx.elements, clientSecret: window.ctx.clientSecret,
          confirmParams: { return_url: location.href, shipping_address: { line1: '1 Main St' } },
        });
        return 'resolved';
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    });
    assert.equal(message, 'IntegrationError: Unrecognized confirmParams parameter: shipping_address is not a recognized parameter.');
    assert.equal(record.confirms.length, 0);
    await context.close();
  });

  it('updates Elements asynchronously: the amount applies at "update-end", and submit() before it is refused', async () => {
    const pi = await newPi(900);
    const { context, page } = await openPage(pi, { deferred: true });
    const seen = await page.evaluate(async () => {
      const { elements } = window.ctx;
      const ended = new Promise((resolve) => elements.on('update-end', resolve));
      const returned = elements.update({ amount: 1800 });
      const during = elements._options.amount;
      const early = await elements.submit().then(() => 'submitted', (e) => `${e.name}: ${e.message}`);
      await returned;
      await ended;
      return { promise: returned instanceof Promise, during, after: elements._options.amount, early, later: await elements.submit() };
    });
    assert.deepEqual(seen, {
      promise: true,
      during: 900,
      after: 1800,
      early: 'IntegrationError: elements.submit() was called before elements.update() finished (wait for "update-end").',
      later: {},
    });
    await context.close();
  });

  it('throws on an empty publishable key, as Stripe.js does', async () => {
    const pi = await newPi(900);
    const { context, page } = await openPage(pi, { deferred: false });
    const message = await page.evaluate(() => {
      try {
        Stripe('');
        return 'no error';
      } catch (e) {
        return e.name;
      }
    });
    assert.equal(message, 'IntegrationError');
    await context.close();
  });
});
