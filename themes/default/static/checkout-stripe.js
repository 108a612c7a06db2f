/* Stripe's Payment Element in deferred-intent mode: mounted once the order has an amount, then
   kept in step with the order's amount and currency. The only part that talks to Stripe.js;
   card data stays inside Stripe's iframe. */
(() => {
  'use strict';
  const B = window.Bookshop;
  const C = B && B.checkout;
  if (!C) return;
  const { form } = C;

  const key = form.dataset.publishableKey || '';
  /** @type {import('@stripe/stripe-js').Stripe | null} */
  let stripe = null;
  /** @type {import('@stripe/stripe-js').StripeElements | null} */
  let elements = null;
  let synced = { amount: 0, currency: '' };
  let blocked = ''; // why the payment form cannot be used, if it cannot
  // elements.update() finishes later ("update-end"): Pay waits for it, so Stripe never
  // submits an amount the page no longer shows.
  let updated = Promise.resolve();
  /** @type {() => void} */
  let updateEnded = () => {};
  let updating = 0; // updates not yet ended: each fires its own "update-end"

  /** @param {string} text */
  const block = (text) => {
    blocked = text;
    C.messages.standing('stripe', text);
  };
  /** @param {unknown} error */
  const cannotStart = (error) => block(`The payment form could not start: ${error instanceof Error ? error.message : String(error)}`);
  if (!key) {
    block(B.shop.texts.checkout_not_configured);
  } else if (typeof window.Stripe !== 'function') {
    block('The payment form could not load (Stripe.js did not arrive). Check your connection and reload the page.');
  } else {
    try {
      stripe = window.Stripe(key);
    } catch (error) {
      cannotStart(error);
    }
  }

  // Express checkout in the same group, so it follows the order's amount: shown once Stripe has
  // a wallet button; its confirm event goes to checkout-pay.js.
  const express = (/** @type {import('@stripe/stripe-js').StripeElements} */ group) => {
    const element = group.create('expressCheckout', { buttonHeight: 44 });
    element.on('ready', (e) => { C.$('express').hidden = !e.availablePaymentMethods; });
    element.on('click', (e) => (C.messages.problem() ? e.reject() : e.resolve(B.sheet)));
    element.on('confirm', (e) => document.dispatchEvent(new CustomEvent('bookshop:express', { detail: e })));
    element.mount('#express-checkout');
  };

  /** Mounts the Payment Element for `order`, or updates it to the order's amount and currency. @param {Bookshop.Order} order */
  const sync = (order) => {
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
        elements.on('update-end', () => {
          updating = Math.max(0, updating - 1);
          if (!updating) updateEnded();
        });
        elements.create('payment').mount('#payment-element');
        if (C.$('express-checkout')) express(elements);
      } else {
        if (!updating) updated = new Promise((resolve) => { updateEnded = resolve; });
        updating += 1;
        elements.update(synced.currency === order.currency
          ? { amount: order.amount }
          : { amount: order.amount, currency: order.currency });
      }
      synced = { amount: order.amount, currency: order.currency };
    } catch (error) {
      cannotStart(error);
    }
  };
  document.addEventListener('bookshop:order', (event) => sync(/** @type {CustomEvent<Bookshop.Order>} */ (event).detail));

  /** The mounted Elements group (Pay is only usable once it is). */
  const mounted = () => {
    if (!stripe || !elements) throw new Error('The payment form is not ready.');
    return { stripe, elements };
  };

  C.stripe = {
    /** Why the payment form cannot be used ('' when it can). */
    blocked: () => blocked,
    /** Whether the Payment Element is mounted. */
    ready: () => Boolean(elements),
    /** Validates the Payment Element's fields, once its last update is done: → {error} or {}. */
    submit: async () => {
      await updated;
      return mounted().elements.submit();
    },
    /** Confirms the PaymentIntent with Stripe; only comes back when it did not go through. */
    confirm: (clientSecret, confirmParams) => {
      const { stripe: s, elements: e } = mounted();
      return s.confirmPayment({ elements: e, clientSecret, confirmParams });
    },
  };
})();
