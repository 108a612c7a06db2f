/* The confirmation page, Stripe's return_url: asks Stripe how the PaymentIntent named in the
   query string ended, and shows that. The cart is emptied only once the payment succeeded. */
(() => {
  'use strict';
  const B = window.Bookshop;
  const root = document.getElementById('order');
  if (!B || !root) return;

  /** @param {string} id */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const box = $('order-status');
  const heading = $('order-heading');
  const detail = $('order-detail');
  const message = $('order-message');
  const lang = document.documentElement.lang || 'en';

  const cartLink = () => {
    const a = document.createElement('a');
    a.href = '/cart/';
    a.textContent = 'Return to your cart';
    return a;
  };
  /** @param {string} title @param {(string | Node)[]} text */
  const tell = (title, ...text) => {
    heading.textContent = title;
    detail.replaceChildren(...text);
  };
  /** @param {string} text */
  const note = (text) => {
    message.textContent = text;
    message.hidden = false;
  };

  /** @type {Record<string, [string, string, (() => HTMLAnchorElement)?]>} */
  const STATUS = {
    succeeded: ['Thank you — payment received', 'Your order is confirmed. Stripe emails the receipt to the address you gave.'],
    processing: ['Your payment is processing', 'Your bank is still confirming it. This page keeps checking for a few minutes, and you may close it: Stripe emails the receipt once the payment is through.'],
    requires_payment_method: ['Your payment was not completed', 'The payment was declined or cancelled, and nothing was charged. Your cart is as you left it. ', cartLink],
    requires_action: ['Your payment needs one more step', 'The bank’s check was not finished, and nothing was charged yet. ', cartLink],
    canceled: ['This payment was cancelled', 'Nothing was charged. ', cartLink],
  };

  const secret = new URLSearchParams(location.search).get('payment_intent_client_secret');
  const key = root.dataset.publishableKey;
  if (!secret) {
    tell('No order to show');
    note('This page shows a payment once checkout is done, and its address names none. If you have just paid, your receipt is on its way by email.');
    return;
  }
  if (!key || typeof window.Stripe !== 'function') {
    tell('We could not check your payment');
    note(key
      ? 'Stripe could not be reached to look up your payment. Check your connection and reload this page. If you paid, Stripe emails your receipt.'
      : B.shop.texts.checkout_not_configured);
    return;
  }

  /** @type {{paymentIntent?: string, lines?: Bookshop.Line[], email?: string, shipping?: import('@stripe/stripe-js').ConfirmPaymentData['shipping'], keepCart?: boolean} | null} */
  let last = null;
  try {
    last = JSON.parse(sessionStorage.getItem(B.keys.lastOrder) || 'null');
  } catch (_) { /* none */ }

  // The next_action of a voucher payment, in Stripe's API (@stripe/stripe-js does not type
  // these): [field, what its number is called, where the number is].
  /** @type {[string, string, (d: Bookshop.VoucherDetails) => string][]} */
  const VOUCHERS = [
    ['display_oxxo_details', 'OXXO reference', (d) => d.number || ''],
    ['boleto_display_details', 'Boleto number', (d) => d.number || ''],
    ['konbini_display_details', '', () => ''], // a number per store chain: the voucher page has them
    ['multibanco_display_details', 'Multibanco entity and reference', (d) => (d.entity && d.reference ? `${d.entity} ${d.reference}` : '')],
  ];
  /** @param {import('@stripe/stripe-js').PaymentIntent} pi @returns {Bookshop.Voucher | null} */
  const voucherOf = (pi) => {
    const action = /** @type {Record<string, Bookshop.VoucherDetails | undefined> | null} */ (/** @type {unknown} */ (pi.next_action));
    if (pi.status !== 'requires_action' || !action) return null;
    for (const [field, label, number] of VOUCHERS) {
      const d = action[field];
      if (d) return { label, number: number(d), url: d.hosted_voucher_url || '', due: d.expires_at || d.expires_after || 0 };
    }
    return null;
  };

  /** @type {import('@stripe/stripe-js').Stripe} */
  let stripe;
  try {
    stripe = window.Stripe(key);
  } catch (_) {
    // A key Stripe.js refuses: the shop's setup, not the shopper's payment, is wrong.
    tell('We could not check your payment');
    note('The payment service could not start on this page, so your payment cannot be shown here. If you paid, Stripe emails your receipt; the shop can look the payment up for you.');
    return;
  }

  /** Shows the voucher a cash or bank-transfer method hands out (OXXO, Boleto, Konbini, Multibanco). @param {Bookshop.Voucher} voucher */
  const showVoucher = (voucher) => {
    const facts = $('order-voucher-facts');
    /** @param {string} term @param {string} value */
    const fact = (term, value) => {
      const row = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = term;
      dd.textContent = value;
      row.append(dt, dd);
      return row;
    };
    const rows = [];
    if (voucher.number) rows.push(fact(voucher.label, voucher.number));
    if (voucher.due) {
      rows.push(fact('Pay by', new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(voucher.due * 1000))));
    }
    facts.replaceChildren(...rows);
    const link = /** @type {HTMLAnchorElement} */ ($('order-voucher-link'));
    link.hidden = !voucher.url;
    if (voucher.url) link.href = voucher.url;
    $('order-voucher').hidden = false;
  };

  // Processing (a bank debit, a wallet's bank): checked again after 2 s, doubling to at most
  // 30 s between checks, for 10 minutes; after that the page says plainly that it stopped.
  const POLL = { first: 2000, most: 30000, total: 10 * 60 * 1000 };
  let waited = 0;

  /** @param {number} delay the wait before this check (ms) */
  const check = async (delay) => {
    /** @type {{paymentIntent?: import('@stripe/stripe-js').PaymentIntent, error?: unknown}} */
    let result;
    try {
      result = await stripe.retrievePaymentIntent(secret);
    } catch (error) {
      result = { error };
    }
    const pi = result.paymentIntent;
    // A blip while checking a payment already shown as processing: what is shown still
    // stands, and the next check comes on time.
    if (!pi && delay) return again(delay);
    if (!pi) {
      // Stripe's words here are for developers (a wrong client secret, an unknown payment).
      tell('We could not check your payment');
      note('Stripe could not find this payment, or could not be reached. Reload this page to try again. If you paid, Stripe emails your receipt.');
      return;
    }
    const decimals = await B.catalog().then(
      (c) => (B.has(c.currencies, pi.currency) ? c.currencies[pi.currency].decimals : undefined),
      () => undefined,
    );
    /** @param {number} minor @param {string} currency */
    const fmt = (minor, currency) => B.money(minor, currency, currency === pi.currency ? decimals : undefined);

    box.dataset.status = pi.status;
    const voucher = voucherOf(pi);
    const [title, text, link] = voucher
      ? ['Pay your voucher to complete the order', 'Your order is kept for you, and nothing has been charged yet. Pay the voucher below before it expires; Stripe emails the receipt once it is paid. If it expires unpaid, nothing is charged.']
      : STATUS[pi.status] || [`Payment status: ${String(pi.status).replace(/_/g, ' ')}`, 'If anything looks wrong, contact the shop with the reference below. ', cartLink];
    tell(title, text, ...(link ? [link()] : []));
    if (voucher) showVoucher(voucher);

    const paid = fmt(pi.amount, pi.currency);
    const code = String(pi.currency).toUpperCase();
    $('order-amount').textContent = paid.includes(code) ? paid : `${paid} ${code}`; // "$23.00 USD": which dollars
    /** @type {HTMLElement} */ ($('order-id').querySelector('code')).textContent = pi.id;
    $('order-summary').hidden = false;
    if (last && last.paymentIntent === pi.id && Array.isArray(last.lines) && last.lines.length) {
      $('order-lines').replaceChildren(...last.lines.map((line) => {
        const li = document.createElement('li');
        const what = document.createElement('span');
        const sum = document.createElement('span');
        what.textContent = `${line.quantity} × ${line.title}`;
        sum.textContent = fmt(line.amount * line.quantity, line.currency);
        li.append(what, sum);
        return li;
      }));
      $('order-bought').hidden = false;
    }
    if (last && last.paymentIntent === pi.id && typeof last.email === 'string' && last.email) {
      $('order-email').textContent = last.email;
      $('order-email-row').hidden = false;
    }
    const ship = last && last.paymentIntent === pi.id && last.shipping;
    if (ship && ship.address) {
      const a = ship.address;
      const region = [a.city, a.state, a.postal_code].filter(Boolean).join(', ');
      let country = a.country;
      try {
        country = new Intl.DisplayNames([lang], { type: 'region' }).of(a.country || '') || a.country;
      } catch (_) { /* the code, then */ }
      /** @type {string[]} */
      const parts = [];
      for (const part of [ship.name, a.line1, a.line2, region, country]) if (part) parts.push(part);
      $('order-address').replaceChildren(...parts.flatMap((part, i) => (i ? [document.createElement('br'), part] : [part])));
      $('order-shipping').hidden = false;
    }

    // A book page's "Buy now" bought that book alone: the cart is left as it was.
    if (pi.status === 'succeeded' && !(last && last.paymentIntent === pi.id && last.keepCart)) B.clear();
    // A PaymentIntent waiting for another card, a voucher or the bank's check is paid again
    // with the same attempt (so the same PaymentIntent: a voucher paid later never pays twice);
    // any other is done with.
    if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_action') {
      try {
        sessionStorage.removeItem(B.keys.attempt);
      } catch (_) { /* nothing kept */ }
    }
    if (pi.status === 'processing') again(delay);
  };

  /** Checks again after the next wait, or says checking stopped. @param {number} delay the wait just done (ms) */
  const again = (delay) => {
    waited += delay;
    if (waited < POLL.total) {
      const next = delay ? Math.min(delay * 2, POLL.most) : POLL.first;
      setTimeout(() => check(next), next);
    } else {
      tell('Your payment is still processing', 'Your bank has not confirmed it yet, and this page has stopped checking. Some payment methods take a few days. Stripe emails the receipt once the payment is through; reload this page to check again.');
    }
  };
  check(0);
})();
