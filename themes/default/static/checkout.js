/* The cart page: lines priced from /catalog.json, then Stripe's Payment Element in
   deferred-intent mode. The shop's endpoint creates the PaymentIntent from its own price
   list; this page only says which books and how many. Card data stays inside Stripe's iframe. */
(() => {
  'use strict';
  const B = window.Bookshop;
  const form = document.getElementById('checkout-form');
  if (!B || !form) return;

  const $ = (id) => document.getElementById(id);
  const lines = $('cart-lines');
  const status = $('cart-status');
  const empty = $('cart-empty');
  const checkout = $('checkout');
  const total = $('cart-total');
  const pay = $('pay');
  const message = $('payment-message');
  const email = $('email');
  const key = form.dataset.publishableKey || '';
  const endpoint = form.dataset.endpoint || '/api/payment-intent';
  const ATTEMPT = 'bookshop.attempt';
  const NETWORK = 'We could not reach the payment service, and nothing was charged. Check your connection and try again.';
  const OUTAGE = 'Payments are not available right now, and nothing was charged. Please try again in a moment.';

  let prices = null; // catalog.json
  let order = { lines: [], amount: 0, currency: '' }; // what Pay buys: available books, one currency
  let problem = ''; // why Pay cannot be used now, shown in #payment-message
  let stripe = null;
  let elements = null;
  let synced = { amount: 0, currency: '' };
  let paying = false;
  let blocked = '';

  if (!key) {
    blocked = 'Checkout is not configured: set the Stripe publishable key (stripe_publishable_key in content/site.toml or STRIPE_PUBLISHABLE_KEY at build time)';
  } else if (typeof window.Stripe !== 'function') {
    blocked = 'The payment form could not load (Stripe.js did not arrive). Check your connection and reload the page.';
  } else {
    try {
      stripe = window.Stripe(key);
    } catch (error) {
      blocked = `The payment form could not start: ${error.message}`;
    }
  }

  const h = (tag, attrs, ...children) => {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value !== false && value != null) el.setAttribute(name, value === true ? '' : String(value));
    }
    el.append(...children);
    return el;
  };
  const fmt = (minor, currency) => {
    const info = prices && B.has(prices.currencies, currency) ? prices.currencies[currency] : null;
    return B.money(minor, currency, info ? info.decimals : undefined);
  };
  const bookOf = (id) => (prices && B.has(prices.books, id) ? prices.books[id] : null);
  const say = (text) => {
    if (message.textContent !== text) message.textContent = text;
  };

  const syncElements = () => {
    if (!stripe || !order.amount || (synced.amount === order.amount && synced.currency === order.currency)) return;
    try {
      if (!elements) {
        const dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
        elements = stripe.elements({
          mode: 'payment',
          amount: order.amount,
          currency: order.currency,
          appearance: {
            theme: dark ? 'night' : 'stripe',
            variables: { colorPrimary: dark ? '#fdba74' : '#9a3412', borderRadius: '6px', fontFamily: 'system-ui, sans-serif' },
          },
        });
        elements.create('payment').mount('#payment-element');
      } else if (synced.currency === order.currency) {
        elements.update({ amount: order.amount });
      } else {
        elements.update({ amount: order.amount, currency: order.currency });
      }
      synced = { amount: order.amount, currency: order.currency };
    } catch (error) {
      blocked = `The payment form could not start: ${error.message}`;
    }
  };

  const refreshPay = () => {
    if (paying) return;
    pay.disabled = Boolean(problem) || !order.amount || !elements;
    pay.textContent = order.amount ? `Pay ${fmt(order.amount, order.currency)}` : 'Pay';
  };

  /** Recomputes totals from the cart without rebuilding the list (keeps focus and typing). */
  const update = () => {
    const cart = B.read();
    const sums = new Map();
    const buy = [];
    for (const li of lines.querySelectorAll('[data-line-id]')) {
      const id = li.dataset.lineId;
      const qty = cart.items[id];
      const book = bookOf(id);
      const out = li.querySelector('.line-total');
      if (!qty) {
        li.remove();
      } else if (!book || book.available === false) {
        out.textContent = 'Not included';
      } else {
        const input = li.querySelector('.qty');
        if (document.activeElement !== input && Number(input.value) !== qty) input.value = String(qty);
        const amount = book.amount * qty;
        out.textContent = fmt(amount, book.currency);
        buy.push({ id, quantity: qty, title: book.title, amount: book.amount, currency: book.currency });
        sums.set(book.currency, (sums.get(book.currency) || 0) + amount);
      }
    }
    const hasLines = Boolean(lines.querySelector('[data-line-id]'));
    const currencies = [...sums.keys()];
    empty.hidden = hasLines;
    checkout.hidden = !hasLines && !blocked;
    order = currencies.length === 1
      ? { lines: buy, amount: sums.get(currencies[0]), currency: currencies[0] }
      : { lines: buy, amount: 0, currency: '' };
    total.textContent = currencies.length
      ? currencies.map((c) => fmt(sums.get(c), c)).join(' + ')
      : fmt(0, form.dataset.currency || 'usd');
    syncElements();
    const now = blocked
      || (currencies.length > 1 ? 'Books priced in different currencies cannot be paid together: remove the ones in one currency, pay, then buy them separately.' : '')
      || (hasLines && !buy.length ? 'Nothing in your cart can be bought right now.' : '');
    if (now !== problem) say(now);
    problem = now;
    refreshPay();
  };

  /** Draws one line per book in the cart. */
  const build = () => {
    const cart = B.read();
    lines.replaceChildren(...Object.keys(cart.items).map((id, i) => {
      const book = bookOf(id);
      const issue = !book ? 'No longer sold here, so it is left out of your order.'
        : book.available === false ? 'Sold out, so it is left out of your order.' : '';
      const titleId = `line-${i}-title`;
      const qtyId = `line-${i}-qty`;
      return h('li', { class: 'line', 'data-line-id': id, 'data-problem': issue ? (book ? 'unavailable' : 'unknown') : null },
        book ? h('img', { class: 'line-cover', src: book.cover, alt: '', width: 60, height: 90, loading: 'lazy' }) : h('span', { class: 'line-cover' }),
        h('div', { class: 'line-info' },
          book ? h('a', { class: 'line-title', id: titleId, href: book.url }, book.title) : h('span', { class: 'line-title', id: titleId }, id),
          book ? h('span', { class: 'line-author' }, book.author) : '',
          book ? h('span', { class: 'unit-price' }, `${fmt(book.amount, book.currency)} each`) : '',
          issue ? h('span', { class: 'line-problem' }, issue) : ''),
        h('div', { class: 'line-qty' },
          h('label', { for: qtyId }, 'Quantity'),
          h('input', {
            id: qtyId, class: 'qty', type: 'number', min: 1, max: B.MAX, step: 1, inputmode: 'numeric',
            value: cart.items[id], 'aria-describedby': titleId, disabled: Boolean(issue),
          })),
        h('span', { class: 'line-total' }),
        h('button', { type: 'button', class: 'remove', 'aria-describedby': titleId }, 'Remove'));
    }));
    update();
  };

  const load = (fresh) => B.catalog(fresh).then((data) => {
    prices = data;
    status.hidden = true;
    build();
  }, () => {
    status.textContent = 'The price list could not be loaded. Check your connection and reload the page.';
    status.classList.add('notice');
    empty.hidden = Boolean(Object.keys(B.read().items).length);
  });

  const lineOf = (el) => el.closest('[data-line-id]');

  lines.addEventListener('input', (event) => {
    const input = event.target.closest('.qty');
    const n = input ? Number(input.value) : NaN;
    if (paying || !Number.isInteger(n) || n < 1 || n > B.MAX) return;
    B.setQty(lineOf(input).dataset.lineId, n);
    update();
  });

  lines.addEventListener('change', (event) => {
    const input = event.target.closest('.qty');
    if (!input || paying) return;
    const id = lineOf(input).dataset.lineId;
    const n = Math.round(Number(input.value));
    const qty = input.value === '' || !Number.isFinite(n) ? B.read().items[id] || 1 : Math.min(B.MAX, Math.max(1, n));
    input.value = String(qty);
    B.setQty(id, qty);
    update();
  });

  lines.addEventListener('click', (event) => {
    const button = event.target.closest('button.remove');
    if (!button || paying) return;
    const li = lineOf(button);
    const title = li.querySelector('.line-title').textContent;
    const next = li.nextElementSibling || li.previousElementSibling;
    B.remove(li.dataset.lineId);
    li.remove();
    update();
    (next ? next.querySelector('.remove') : $('cart-heading')).focus();
    B.announce(`Removed “${title}” from your cart.`);
  });

  // Receipt email and shipping address: plain fields, checked here (the form is novalidate) with a
  // message next to each, then given to Stripe at confirmation as receipt_email and shipping.
  const country = $('ship-country');
  const state = $('ship-state');
  const postal = $('ship-postal');
  const FIELDS = ['email', 'ship-name', 'ship-line1', 'ship-city', 'ship-state', 'ship-postal'].map($);
  const text = (id) => $(id).textContent;
  const lower = (s) => (/^[A-Z]{2}/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1)); // "ZIP code" stays
  const MISSING = {
    email: () => 'Enter your email address: the receipt goes there.',
    'ship-name': () => 'Enter the name of the person the books go to.',
    'ship-line1': () => 'Enter the street address.',
    'ship-city': () => 'Enter the city or town.',
    'ship-state': () => `Enter the ${lower(text('ship-state-label'))}.`,
    'ship-postal': () => `Enter the ${lower(text('ship-postal-label'))}.`,
  };
  // [region label, postal code label, region required]; elsewhere an optional "Region" and "Postal code".
  const ADDRESS = { US: ['State', 'ZIP code', 1], CA: ['Province', 'Postal code', 1], AU: ['State', 'Postcode', 1], GB: ['County', 'Postcode'], IE: ['County', 'Eircode'] };
  // Addresses there have no postal code (or one that is rarely used).
  const NO_POSTCODE = new Set('AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GQ GY HK IE JM KI KM KN LC ML MO MR MW NR NU PA QA RW SB SC SL SO SR SS ST TD TG TK TL TO TT TV UG VU YE ZW'.split(' '));

  const problemOf = (input) => {
    const value = input.value.trim();
    if (!value) return input.required ? MISSING[input.id]() : '';
    if (input === email && (input.validity.typeMismatch || !/^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(value))) {
      return 'Enter an email address like name@example.com.';
    }
    if (input === postal && country.value === 'US' && !/^\d{5}(-?\d{4})?$/.test(value)) return 'Enter a 5-digit ZIP code, like 94103.';
    return '';
  };
  const mark = (input, why) => {
    const out = $(`${input.id}-error`);
    if (out.textContent !== why) out.textContent = why;
    if (why) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return why;
  };
  let summary = ''; // what #payment-message says about the fields, while it says it
  const recheck = (input) => {
    mark(input, problemOf(input));
    if (summary && message.textContent === summary && !FIELDS.some((f) => f.hasAttribute('aria-invalid'))) {
      summary = '';
      say(problem);
    }
  };
  const applyCountry = () => {
    const [region, code, needed] = ADDRESS[country.value] || [];
    state.required = Boolean(needed);
    postal.required = !NO_POSTCODE.has(country.value);
    $('ship-state-label').textContent = region || 'Region';
    $('ship-postal-label').textContent = code || 'Postal code';
    $('ship-state-optional').hidden = state.required;
    $('ship-postal-optional').hidden = postal.required;
    for (const input of [state, postal]) if (input.hasAttribute('aria-invalid')) recheck(input);
  };
  country.addEventListener('change', applyCountry);
  // Errors show once Pay was pressed or a filled field is left, and clear as soon as it is fixed.
  form.addEventListener('input', (event) => {
    if (FIELDS.includes(event.target) && event.target.hasAttribute('aria-invalid')) recheck(event.target);
  });
  form.addEventListener('focusout', (event) => {
    if (FIELDS.includes(event.target) && event.target.value.trim()) recheck(event.target);
  });
  applyCountry();

  /** Checks every field; says what is wrong and focuses the first wrong one. → true when all are fine. */
  const fieldsOk = () => {
    const bad = FIELDS.filter((input) => mark(input, problemOf(input)));
    if (!bad.length) return true;
    const names = bad.map((input) => form.querySelector(`label[for="${input.id}"]`).textContent.replace(/\s*\(optional\)/, '').trim());
    summary = bad.length === 1 ? `Please check “${names[0]}” above.` : `Please check these ${bad.length} fields above: ${names.join(', ')}.`;
    say(summary);
    bad[0].focus();
    return false;
  };

  /** Stripe's `shipping`: {name, address: {line1, line2, city, state, postal_code, country}}, blanks left out. */
  const shippingOf = () => {
    const address = { country: country.value };
    for (const [key, id] of [['line1', 'ship-line1'], ['line2', 'ship-line2'], ['city', 'ship-city'], ['state', 'ship-state'], ['postal_code', 'ship-postal']]) {
      const value = $(id).value.trim();
      if (value) address[key] = value;
    }
    return { name: $('ship-name').value.trim(), address };
  };

  /** Words for a shopper from what the endpoint answered (its messages are written for shoppers). */
  const endpointError = (status, data) => {
    const error = (data && data.error) || {};
    if (error.code === 'unknown_item' || error.code === 'item_unavailable') {
      attempt = null;
      load(true); // the line is flagged and left out once the new price list is in
      return 'A book in your cart is no longer for sale. It is marked in your cart and left out: check the total and pay again.';
    }
    if (typeof error.message === 'string' && error.message) {
      return status >= 500 ? `${error.message.replace(/\.?$/, '.')} Nothing was charged.` : error.message;
    }
    if (status === 429) return 'Too many payment attempts in a short time. Please wait a minute and try again.';
    return status >= 500 ? OUTAGE : 'The shop could not take this order. Please reload the page and try again.';
  };

  // The same cart retried (a decline, a network error, a reload) keeps its attempt id, so the
  // endpoint hands back the same PaymentIntent rather than making a second one.
  let attempt = null;
  try {
    attempt = JSON.parse(sessionStorage.getItem(ATTEMPT));
  } catch (_) { /* none yet */ }
  const attemptFor = (items) => {
    const cart = JSON.stringify(items);
    if (!attempt || attempt.cart !== cart || !/^[A-Za-z0-9_-]{16,32}$/.test(attempt.id)) {
      const bytes = crypto.getRandomValues(new Uint8Array(18));
      const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_'); // 24 chars
      attempt = { cart, id };
      try {
        sessionStorage.setItem(ATTEMPT, JSON.stringify(attempt));
      } catch (_) { /* kept for this page */ }
    }
    return attempt.id;
  };

  const busy = (on) => {
    paying = on;
    lines.inert = on;
    pay.classList.toggle('is-busy', on);
    if (on) {
      pay.disabled = true;
      pay.textContent = 'Paying…';
    } else {
      refreshPay();
    }
  };
  const fail = (text) => {
    busy(false);
    say(text);
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (paying || pay.disabled || !elements) return; // a double click is one attempt
    summary = '';
    if (!fieldsOk()) return;
    const snapshot = order;
    const receipt = email.value.trim();
    const shipping = shippingOf();
    busy(true);
    say('');
    try {
      const { error: submitError } = await elements.submit();
      if (submitError) return fail(submitError.message);
      const items = snapshot.lines.map(({ id, quantity }) => ({ id, quantity }));
      let res;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ items, attempt: attemptFor(items) }),
        });
      } catch (_) {
        return fail(NETWORK);
      }
      let data = null;
      try {
        data = await res.json();
      } catch (_) { /* not JSON: a proxy or an outage */ }
      if (!res.ok) return fail(endpointError(res.status, data));
      if (!data || typeof data.clientSecret !== 'string') return fail(OUTAGE);
      if (data.amount !== snapshot.amount || data.currency !== snapshot.currency) {
        // Prices changed since this page loaded: never charge a total the shopper has not seen.
        attempt = null;
        await load(true);
        return fail(`Prices have changed since this page loaded; the total is now ${fmt(data.amount, data.currency)}. Please check your cart and pay again.`);
      }
      try {
        // For the confirmation page, in this tab only: Stripe.js does not hand these back to it.
        sessionStorage.setItem('bookshop.lastOrder', JSON.stringify({
          paymentIntent: data.paymentIntent, amount: data.amount, currency: data.currency, lines: snapshot.lines,
          email: receipt, shipping,
        }));
      } catch (_) { /* the confirmation then shows the payment without its lines */ }
      const { error } = await stripe.confirmPayment({
        elements,
        clientSecret: data.clientSecret,
        confirmParams: { return_url: `${location.origin}/order/`, receipt_email: receipt, shipping },
      });
      // Stripe only comes back here when the payment did not go through; otherwise it redirects.
      if (error) fail(error.message || 'The payment did not go through. Please try again.');
    } catch (error) {
      fail((error && error.message) || 'Something went wrong. Please try again.');
    }
  });

  document.addEventListener('bookshop:cart', () => {
    if (!paying && prices) build();
  });
  window.addEventListener('pageshow', (event) => {
    // Back from Stripe's redirect (3-D Secure, a bank page): the page comes back as it was left.
    if (event.persisted) {
      busy(false);
      if (prices) build();
    }
  });

  refreshPay();
  load(false);
})();
