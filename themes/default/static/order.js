/* The confirmation page, Stripe's return_url: asks Stripe how the PaymentIntent named in the
   query string ended, and shows that. The cart is emptied only once the payment succeeded. */
(() => {
  'use strict';
  const B = window.Bookshop;
  const root = document.getElementById('order');
  if (!B || !root) return;

  const $ = (id) => document.getElementById(id);
  const box = $('order-status');
  const heading = $('order-heading');
  const detail = $('order-detail');
  const message = $('order-message');

  const cartLink = () => {
    const a = document.createElement('a');
    a.href = '/cart/';
    a.textContent = 'Return to your cart';
    return a;
  };
  const tell = (title, ...text) => {
    heading.textContent = title;
    detail.replaceChildren(...text);
  };
  const note = (text) => {
    message.textContent = text;
    message.hidden = false;
  };

  const STATUS = {
    succeeded: ['Thank you — payment received', 'Your order is confirmed. Stripe emails the receipt to the address you gave.'],
    processing: ['Your payment is processing', 'Your bank is still confirming it. The receipt comes by email once it is through; this page checks again in a moment.'],
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

  let last = null;
  try {
    last = JSON.parse(sessionStorage.getItem(B.keys.lastOrder));
  } catch (_) { /* none */ }

  const stripe = window.Stripe(key);
  const check = async (round) => {
    let result;
    try {
      result = await stripe.retrievePaymentIntent(secret);
    } catch (error) {
      result = { error };
    }
    const pi = result && result.paymentIntent;
    if (!pi) {
      tell('We could not check your payment');
      note((result && result.error && result.error.message) || 'Stripe does not know this payment. If you paid, Stripe emails your receipt.');
      return;
    }
    const decimals = await B.catalog().then(
      (c) => (B.has(c.currencies, pi.currency) ? c.currencies[pi.currency].decimals : undefined),
      () => undefined,
    );
    const fmt = (minor, currency) => B.money(minor, currency, currency === pi.currency ? decimals : undefined);

    box.dataset.status = pi.status;
    const [title, text, link] = STATUS[pi.status] || [`Payment status: ${String(pi.status).replace(/_/g, ' ')}`, 'If anything looks wrong, contact the shop with the reference below. ', cartLink];
    tell(title, text, ...(link ? [link()] : []));

    const paid = fmt(pi.amount, pi.currency);
    const code = String(pi.currency).toUpperCase();
    $('order-amount').textContent = paid.includes(code) ? paid : `${paid} ${code}`; // "$23.00 USD": which dollars
    $('order-id').querySelector('code').textContent = pi.id;
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
        country = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'region' }).of(a.country);
      } catch (_) { /* the code, then */ }
      $('order-address').replaceChildren(...[ship.name, a.line1, a.line2, region, country]
        .filter(Boolean).flatMap((part, i) => (i ? [document.createElement('br'), part] : [part])));
      $('order-shipping').hidden = false;
    }

    // A book page's "Buy now" bought that book alone: the cart is left as it was.
    if (pi.status === 'succeeded' && !(last && last.paymentIntent === pi.id && last.keepCart)) B.clear();
    // A PaymentIntent waiting for another card is retried with the same attempt; any other is done with.
    if (pi.status !== 'requires_payment_method') {
      try {
        sessionStorage.removeItem(B.keys.attempt);
      } catch (_) { /* nothing kept */ }
    }
    if (pi.status === 'processing' && round < 10) setTimeout(() => check(round + 1), 3000);
  };
  check(0);
})();
