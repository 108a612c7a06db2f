/* The checkout's one message area, #payment-message (an alert). Two kinds of words share it:
   standing problems, which keep Pay from being used until they change (each set by the part
   that knows it: "stripe" for the payment form, "order" for the cart's lines), and passing
   words (a field summary, a payment error), shown until the next ones.
   First of the checkout parts, loaded in this order by cart.html: messages, stripe, lines,
   fields, pay. Each adds itself to window.Bookshop.checkout. */
(() => {
  'use strict';
  const B = window.Bookshop;
  const out = document.getElementById('payment-message');
  const form = document.getElementById('checkout-form');
  if (!B || !out || !(form instanceof HTMLFormElement)) return;

  const standing = { stripe: '', order: '' }; // in order of precedence
  let shown = ''; // the standing problem last said
  const problem = () => standing.stripe || standing.order;

  // The element #id (of `type`): a theme that drops one gets an error naming it, not a null later.
  /** @template {HTMLElement} [T=HTMLElement] @param {string} id @param {new () => T} [type] @returns {T} */
  const $ = (id, type) => {
    const el = document.getElementById(id);
    if (!el || (type && !(el instanceof type))) throw new Error(`bookshop: no #${id} on the cart page`);
    return /** @type {T} */ (el);
  };

  // Stripe writes only card_error and validation_error messages for shoppers; other types are
  // developer text (invalid_request_error, api_error…), so the shopper gets ours.
  /** @param {import('@stripe/stripe-js').StripeError | undefined} error */
  const fromStripe = (error) => (error && (error.type === 'card_error' || error.type === 'validation_error') && error.message
    ? error.message
    : 'The payment could not be completed, and nothing was charged. Please try again; if it happens again, reload the page.');
  /** @param {string} text */
  const say = (text) => {
    if (out.textContent !== text) out.textContent = text;
  };

  // What every other checkout script starts from: loaded first, it is the cart page's check.
  // The other parts (stripe, lines, fields) are added by their own scripts, in load order.
  B.checkout = /** @type {Bookshop.Checkout} */ (/** @type {Partial<Bookshop.Checkout>} */ ({
    /** The checkout form. */
    form,
    $,
    messages: {
      /** Why Pay cannot be used now ('' when it can). */
      problem,
      /** Sets what `source` knows keeps Pay from being used ('' for nothing); says it when that changes. */
      standing(source, text) {
        standing[source] = text;
        const now = problem();
        if (now !== shown) say(now);
        shown = now;
      },
      /** Says passing words ('' to clear). */
      say,
      /** Takes `text` back if it is still shown, and says the standing problem again. */
      retract(text) {
        if (text && out.textContent === text) say(problem());
      },
      fromStripe,
    },
  }));
})();
