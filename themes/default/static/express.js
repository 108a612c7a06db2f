/* Express checkout: Stripe's Express Checkout Element (Apple Pay, Google Pay, Link: what the
   Stripe Dashboard enables and the shopper's browser offers) on a book page ("Buy now", one copy
   of that book, the cart left as it is) and on the cart (the cart's order). The same
   deferred-intent flow and endpoint as the card form: the wallet sheet gives the email and the
   shipping address; on confirm the page posts only which books and how many, the worker prices
   them from its own price list and creates the PaymentIntent, Stripe.js confirms it and
   redirects to /order/. The amount given to Stripe.js here is only what the sheet shows: a
   PaymentIntent for another amount (prices changed since the page was built) is never
   confirmed. The box (#express) stays hidden until Stripe says a wallet is available. */
(() => {
  'use strict';
  const B = window.Bookshop;
  const root = document.getElementById('express');
  const out = document.getElementById('express-message');
  if (!B || !root || !out) return;
  const key = root.dataset.publishableKey || '';
  if (!key || typeof window.Stripe !== 'function') return; // the card form says what is missing

  const NETWORK = 'We could not reach the payment service, and nothing was charged. Check your connection and try again.';
  const OUTAGE = 'Payments are not available right now, and nothing was charged. Please try again in a moment.';
  // The shop has one price per book, shipping included: the sheet shows it as free shipping.
  /** @type {import('@stripe/stripe-js').ShippingRate[]} */
  const SHIPPING = [{ id: 'included', displayName: 'Shipping included', amount: 0 }];

  /** @typedef {{id: string, quantity: number, title: string, amount: number, currency: string}} Line */
  /** @typedef {{lines: Line[], amount: number, currency: string}} Order */

  /** What this page sells: one copy of the book (book page), or the cart's order (cart page). @returns {Order} */
  const orderNow = () => {
    if (root.dataset.express === 'cart') {
      const C = B.checkout;
      return C && C.lines ? C.lines.order() : { lines: [], amount: 0, currency: '' };
    }
    const amount = Number(root.dataset.amount);
    const currency = root.dataset.currency || '';
    const line = { id: root.dataset.bookId || '', quantity: 1, title: root.dataset.title || '', amount, currency };
    return { lines: [line], amount, currency };
  };

  /** @type {import('@stripe/stripe-js').Stripe} */
  let stripe;
  try {
    stripe = window.Stripe(key);
  } catch (_) {
    return; // a bad key: the card form (cart) says so; a book page simply offers no wallet
  }
  /** @type {import('@stripe/stripe-js').StripeElements | null} */
  let elements = null;
  let synced = { amount: 0, currency: '' };
  let wallets = false; // whether Stripe offers the shopper any button
  let paying = false;

  const say = (/** @type {string} */ text) => {
    if (out.textContent !== text) out.textContent = text;
  };
  const show = () => {
    root.hidden = !wallets || !synced.amount;
  };

  /** Mounts the element for `order`, or brings it to the order's amount and currency. @param {Order} order */
  const sync = (order) => {
    if (paying || !order.amount || (order.amount === synced.amount && order.currency === synced.currency)) {
      if (!order.amount) synced = { amount: 0, currency: '' };
      return show();
    }
    if (!elements) {
      const dark = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches;
      elements = stripe.elements({ mode: 'payment', amount: order.amount, currency: order.currency, appearance: { theme: dark ? 'night' : 'stripe' } });
      const element = elements.create('expressCheckout', { buttonHeight: 44, buttonType: { applePay: 'buy', googlePay: 'buy' } });
      element.on('ready', (event) => {
        wallets = Boolean(event.availablePaymentMethods);
        show();
      });
      element.on('click', (event) => {
        say('');
        if (paying || !orderNow().amount) return event.reject();
        // Within a second, as Stripe requires: the sheet asks for what a paper parcel needs.
        event.resolve({ emailRequired: true, shippingAddressRequired: true, shippingRates: SHIPPING });
      });
      element.on('confirm', (event) => {
        pay(event).catch(() => {
          fail(event, 'Something went wrong, and nothing was charged. Please try again.');
        });
      });
      element.mount('#express-checkout');
    } else {
      elements.update({ amount: order.amount, currency: order.currency });
    }
    synced = { amount: order.amount, currency: order.currency };
    show();
  };

  /**
   * Tells the wallet sheet and the page that the payment did not go through.
   * @param {import('@stripe/stripe-js').StripeExpressCheckoutElementConfirmEvent} event
   * @param {string} text
   */
  const fail = (event, text) => {
    paying = false;
    event.paymentFailed({ reason: 'fail', message: text });
    say(text);
  };

  /** A fresh id for this payment, so a retry of the same request makes no second PaymentIntent. */
  const attemptId = () => {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
  };

  /** @param {import('@stripe/stripe-js').StripeExpressCheckoutElementConfirmEvent} event */
  const pay = async (event) => {
    if (!elements || paying) return;
    paying = true;
    const order = orderNow();
    const { error: submitError } = await elements.submit();
    if (submitError) return fail(event, submitError.message || 'Please check the payment details.');
    const items = order.lines.map(({ id, quantity }) => ({ id, quantity }));
    let res;
    try {
      res = await fetch(B.shop.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ items, attempt: attemptId() }),
      });
    } catch (_) {
      return fail(event, NETWORK);
    }
    /** @type {any} */
    let data = null;
    try {
      data = await res.json();
    } catch (_) { /* not JSON: a proxy or an outage */ }
    if (!res.ok) {
      const message = data && data.error && typeof data.error.message === 'string' ? data.error.message : '';
      return fail(event, message ? (res.status >= 500 ? `${message.replace(/\.?$/, '.')} Nothing was charged.` : message) : OUTAGE);
    }
    if (!data || typeof data.clientSecret !== 'string') return fail(event, OUTAGE);
    if (data.amount !== order.amount || data.currency !== order.currency) {
      // The worker priced it otherwise (a new price list): never charge a total the shopper has not seen.
      return fail(event, `Prices have changed since this page loaded; the total is now ${B.money(data.amount, data.currency)}. Please reload the page.`);
    }
    const email = (event.billingDetails && event.billingDetails.email) || '';
    const to = event.shippingAddress;
    const shipping = to && to.address.line1
      ? {
        name: to.name,
        address: { line1: to.address.line1, line2: to.address.line2 || '', city: to.address.city, state: to.address.state, postal_code: to.address.postal_code, country: to.address.country },
      }
      : undefined;
    try {
      // For the confirmation page, in this tab only. A book page's "Buy now" leaves the cart as it is.
      sessionStorage.setItem(B.keys.lastOrder, JSON.stringify({
        paymentIntent: data.paymentIntent, amount: data.amount, currency: data.currency, lines: order.lines,
        email, shipping, keepCart: root.dataset.express !== 'cart',
      }));
    } catch (_) { /* the confirmation then shows the payment without its lines */ }
    const { error } = await stripe.confirmPayment({
      elements,
      clientSecret: data.clientSecret,
      confirmParams: { return_url: `${location.origin}/order/`, ...(email ? { receipt_email: email } : {}), ...(shipping ? { shipping } : {}) },
    });
    // Stripe only comes back here when the payment did not go through; otherwise it redirects.
    // Only card and validation errors are written for shoppers; any other is our own plain words.
    if (error) fail(event, (error.type === 'card_error' || error.type === 'validation_error') && error.message ? error.message : 'The payment did not go through, and nothing was charged. Please try again.');
  };

  if (root.dataset.express === 'cart') {
    document.addEventListener('bookshop:order', (event) => sync(/** @type {CustomEvent<Order>} */ (event).detail));
  }
  sync(orderNow());
  window.addEventListener('pageshow', (event) => {
    // Back from a wallet's or bank's redirect: the page comes back as it was left.
    if (event.persisted) paying = false;
  });
})();
