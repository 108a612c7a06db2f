/* Pay: the fields are checked, Stripe's fields are submitted, the shop's endpoint creates the
   PaymentIntent from its own price list (this page only says which books and how many), then
   Stripe.js confirms it and redirects to the order page. Every failure on the way ends in words
   for the shopper and a Pay button that works again. */
(() => {
  'use strict';
  const B = window.Bookshop;
  const C = B && B.checkout;
  if (!C) return;
  const { form } = C;

  const pay = C.$('pay', HTMLButtonElement);
  const list = C.$('cart-lines');
  const NETWORK = 'We could not reach the payment service, and nothing was charged. Check your connection and try again.';
  const OUTAGE = 'Payments are not available right now, and nothing was charged. Please try again in a moment.';

  // PaymentIntent statuses past paying: the confirmation page says how the payment stands.
  const DONE = new Set(['succeeded', 'processing', 'requires_capture']);

  /**
   * Goes to the confirmation page as Stripe's own redirect would.
   * @param {string} id @param {string} clientSecret @param {string} status
   */
  const showOrder = (id, clientSecret, status) => {
    const url = new URL('/order/', location.origin);
    url.searchParams.set('payment_intent', id);
    url.searchParams.set('payment_intent_client_secret', clientSecret);
    url.searchParams.set('redirect_status', status === 'succeeded' ? 'succeeded' : 'pending');
    location.assign(url.href);
  };

  let paying = false;
  // The same cart retried (a decline, a network error, a reload, a voucher not paid yet) keeps
  // its attempt id, so the endpoint hands back the same PaymentIntent rather than making a
  // second one.
  /** @type {{cart: string, id: string} | null} */
  let attempt = null;
  try {
    attempt = JSON.parse(sessionStorage.getItem(B.keys.attempt) || 'null');
  } catch (_) { /* none yet */ }

  /** @param {{id: string, quantity: number}[]} items */
  const attemptFor = (items) => {
    const cart = JSON.stringify(items);
    if (!attempt || attempt.cart !== cart || !/^[A-Za-z0-9_-]{16,32}$/.test(attempt.id)) {
      const bytes = crypto.getRandomValues(new Uint8Array(18));
      const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_'); // 24 chars
      attempt = { cart, id };
      try {
        sessionStorage.setItem(B.keys.attempt, JSON.stringify(attempt));
      } catch (_) { /* kept for this page */ }
    }
    return attempt.id;
  };

  /** Pay's state and label from the order, unless a payment is under way. */
  const refresh = () => {
    if (paying) return;
    const order = C.lines.order();
    pay.disabled = Boolean(C.messages.problem()) || !order.amount || !C.stripe.ready();
    pay.textContent = order.amount ? `Pay ${C.lines.fmt(order.amount, order.currency)}` : 'Pay';
  };

  /** @param {boolean} on */
  const busy = (on) => {
    paying = on;
    list.inert = on;
    pay.classList.toggle('is-busy', on);
    if (on) {
      pay.disabled = true;
      pay.textContent = 'Paying…';
    } else {
      refresh();
    }
  };
  /** @typedef {import('@stripe/stripe-js').StripeExpressCheckoutElementConfirmEvent} Sheet */
  /** @type {Sheet | null} an express checkout's, while it pays */
  let wallet = null;
  /** @param {string} text */
  const fail = (text) => {
    busy(false);
    C.messages.say(text);
    if (wallet) wallet.paymentFailed({ reason: 'fail', message: text });
    wallet = null;
    // Pay was disabled under the focus while paying, which drops it to <body>: bring it to the
    // words that say what happened, so keyboard and screen-reader users land on them.
    C.$('payment-message').focus();
  };

  /**
   * Words for a shopper from what the endpoint answered (its messages are written for shoppers).
   * @param {number} status
   * @param {{error?: {code?: string, message?: string}} | null} data
   */
  const endpointError = (status, data) => {
    const error = (data && data.error) || {};
    if (error.code === 'unknown_item' || error.code === 'item_unavailable') {
      attempt = null;
      C.lines.reload(); // the line is flagged and left out once the new price list is in
      return 'A book in your cart is no longer for sale. It is marked in your cart and left out: check the total and pay again.';
    }
    if (typeof error.message === 'string' && error.message) {
      return status >= 500 ? `${error.message.replace(/\.?$/, '.')} Nothing was charged.` : error.message;
    }
    if (status === 429) return 'Too many payment attempts in a short time. Please wait a minute and try again.';
    return status >= 500 ? OUTAGE : 'The shop could not take this order. Please reload the page and try again.';
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (paying || pay.disabled || !C.stripe.ready()) return; // a double click is one attempt
    if (C.fields.check()) place(C.fields.email(), C.fields.shipping());
  });

  // Express checkout (checkout-stripe.js): the wallet sheet gave the email and the address.
  document.addEventListener('bookshop:express', (event) => {
    const sheet = /** @type {CustomEvent<Sheet>} */ (event).detail;
    if (paying) return sheet.paymentFailed({ reason: 'fail' });
    wallet = sheet;
    const to = sheet.shippingAddress;
    place((sheet.billingDetails && sheet.billingDetails.email) || '', to && { name: to.name, address: { ...to.address, line2: to.address.line2 || '' } });
  });

  /**
   * Creates the PaymentIntent for the cart's order and confirms it: `receipt` and `shipping` go to Stripe.
   * @param {string} receipt @param {import('@stripe/stripe-js').ConfirmPaymentData['shipping']} shipping
   */
  const place = async (receipt, shipping) => {
    const snapshot = C.lines.order();
    busy(true);
    C.messages.say('');
    try {
      const { error: submitError } = await C.stripe.submit();
      if (submitError) return fail(C.messages.fromStripe(submitError));
      const items = snapshot.lines.map(({ id, quantity }) => ({ id, quantity }));
      let res;
      try {
        res = await fetch(B.shop.endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ items, attempt: attemptFor(items) }),
        });
      } catch (_) {
        return fail(NETWORK);
      }
      /** @type {{clientSecret?: string, paymentIntent?: string, amount?: number, currency?: string, error?: {code?: string, message?: string}} | null} */
      let data = null;
      try {
        data = await res.json();
      } catch (_) { /* not JSON: a proxy or an outage */ }
      if (!res.ok) return fail(endpointError(res.status, data));
      if (!data || typeof data.clientSecret !== 'string' || typeof data.amount !== 'number' || typeof data.currency !== 'string') return fail(OUTAGE);
      if (data.amount !== snapshot.amount || data.currency !== snapshot.currency) {
        // Prices changed since this page loaded: never charge a total the shopper has not seen.
        attempt = null;
        await C.lines.reload();
        return fail(`Prices have changed since this page loaded; the total is now ${C.lines.fmt(data.amount, data.currency)}. Please check your cart and pay again.`);
      }
      try {
        // For the confirmation page, in this tab only: Stripe.js does not hand these back to it.
        sessionStorage.setItem(B.keys.lastOrder, JSON.stringify({
          paymentIntent: data.paymentIntent, amount: data.amount, currency: data.currency, lines: snapshot.lines,
          email: receipt, shipping,
        }));
      } catch (_) { /* the confirmation then shows the payment without its lines */ }
      const { error } = await C.stripe.confirm(data.clientSecret, {
        return_url: `${location.origin}/order/`, receipt_email: receipt, shipping,
      });
      // Stripe only comes back here when the payment did not go through; otherwise it redirects.
      if (!error) return;
      // A retried Pay of a PaymentIntent that already went through (paid in another tab, or the
      // redirect was lost) is Stripe's payment_intent_unexpected_state: show it, as Stripe would have.
      const done = error.code === 'payment_intent_unexpected_state' && error.payment_intent;
      if (done && DONE.has(done.status)) return showOrder(done.id, data.clientSecret, done.status);
      fail(C.messages.fromStripe(error));
    } catch (_) {
      fail('Something went wrong, and nothing was charged. Please try again.');
    }
  };

  document.addEventListener('bookshop:order', refresh);
  window.addEventListener('pageshow', (event) => {
    // Back from Stripe's redirect (3-D Secure, a bank page): the page comes back as it was left.
    if (event.persisted) busy(false);
  });
  refresh();
})();
