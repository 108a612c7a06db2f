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
  let stripe = null;
  let elements = null;
  let synced = { amount: 0, currency: '' };
  let blocked = ''; // why the payment form cannot be used, if it cannot

  const block = (text) => {
    blocked = text;
    C.messages.standing('stripe', text);
  };
  if (!key) {
    block(B.shop.texts.checkout_not_configured);
  } else if (typeof window.Stripe !== 'function') {
    block('The payment form could not load (Stripe.js did not arrive). Check your connection and reload the page.');
  } else {
    try {
      stripe = window.Stripe(key);
    } catch (error) {
      block(`The payment form could not start: ${error.message}`);
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

  /** Mounts the Payment Element for `order`, or updates it to the order's amount and currency. */
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
        elements.create('payment').mount('#payment-element');
        if (C.$('express-checkout')) express(elements);
      } else if (synced.currency === order.currency) {
        elements.update({ amount: order.amount });
      } else {
        elements.update({ amount: order.amount, currency: order.currency });
      }
      synced = { amount: order.amount, currency: order.currency };
    } catch (error) {
      block(`The payment form could not start: ${error.message}`);
    }
  };
  document.addEventListener('bookshop:order', (event) => sync(event.detail));

  C.stripe = {
    /** Why the payment form cannot be used ('' when it can). */
    blocked: () => blocked,
    /** Whether the Payment Element is mounted. */
    ready: () => Boolean(elements),
    /** Validates the Payment Element's fields: → {error} or {}. */
    submit: () => elements.submit(),
    /** Confirms the PaymentIntent with Stripe; only comes back when it did not go through. */
    confirm: (clientSecret, confirmParams) => stripe.confirmPayment({ elements, clientSecret, confirmParams }),
  };
})();
