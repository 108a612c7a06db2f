/* "Buy now" on a book page: Stripe's Express Checkout Element (Apple Pay, Google Pay, Link: what
   the Dashboard enables and the browser offers) for one copy of this book; the cart is left as it
   is. The cart's own wallet buttons are in checkout-stripe.js and checkout-pay.js. The same
   deferred-intent flow and endpoint: the wallet sheet gives the email and shipping address, the
   page posts only which book, the worker prices it from its price list, Stripe.js confirms and
   redirects to /order/. The box stays hidden until Stripe has a button to show. */
(() => {
  'use strict';
  const B = window.Bookshop;
  const box = document.getElementById('express');
  const out = document.getElementById('express-message');
  if (!B || !box || !out || typeof window.Stripe !== 'function') return;
  const d = box.dataset;
  const line = { id: d.bookId || '', quantity: 1, title: d.title || '', amount: Number(d.amount), currency: d.currency || '' };

  /** @type {import('@stripe/stripe-js').Stripe} */
  let stripe;
  try {
    stripe = window.Stripe(d.publishableKey || '');
  } catch (_) {
    return; // no usable key: no wallet
  }
  // The amount is what the sheet shows; the worker decides what is charged (checked below).
  const elements = stripe.elements({ mode: 'payment', amount: line.amount, currency: line.currency });
  const element = elements.create('expressCheckout', { buttonHeight: 44, buttonType: { applePay: 'buy', googlePay: 'buy' } });
  let paying = false;

  /**
   * @param {import('@stripe/stripe-js').StripeExpressCheckoutElementConfirmEvent} sheet
   * @param {string} text
   */
  const fail = (sheet, text) => {
    paying = false;
    sheet.paymentFailed({ reason: 'fail', message: text });
    out.textContent = text;
  };

  /** @param {import('@stripe/stripe-js').StripeExpressCheckoutElementConfirmEvent} sheet */
  const pay = async (sheet) => {
    const { error: invalid } = await elements.submit();
    if (invalid) return fail(sheet, invalid.message || 'Please check the payment details.');
    const bytes = crypto.getRandomValues(new Uint8Array(18)); // this payment's attempt: a retry makes no second PaymentIntent
    const attempt = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
    /** @type {any} */
    let data = null;
    let status = 0;
    try {
      const res = await fetch(B.shop.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ items: [{ id: line.id, quantity: 1 }], attempt }),
      });
      status = res.status;
      data = await res.json();
    } catch (_) { /* no answer, or not JSON: said below */ }
    if (!data || typeof data.clientSecret !== 'string') {
      // The endpoint's messages are written for shoppers.
      const said = data && data.error && data.error.message;
      return fail(sheet, said ? (status >= 500 ? `${said.replace(/\.?$/, '.')} Nothing was charged.` : said) : 'Payments are not available right now, and nothing was charged. Please try again in a moment.');
    }
    if (data.amount !== line.amount || data.currency !== line.currency) {
      // Prices changed since this page was built: never charge a price the shopper has not seen.
      return fail(sheet, `Prices have changed since this page loaded; this book is now ${B.money(data.amount, data.currency)}. Please reload the page.`);
    }
    const email = (sheet.billingDetails && sheet.billingDetails.email) || '';
    const to = sheet.shippingAddress;
    const shipping = to ? { name: to.name, address: { ...to.address, line2: to.address.line2 || '' } } : undefined;
    try {
      // For the confirmation page, in this tab only; keepCart: the cart was not bought.
      sessionStorage.setItem(B.keys.lastOrder, JSON.stringify({
        paymentIntent: data.paymentIntent, amount: data.amount, currency: data.currency, lines: [line], email, shipping, keepCart: true,
      }));
    } catch (_) { /* the confirmation then shows the payment without its lines */ }
    const { error } = await stripe.confirmPayment({
      elements,
      clientSecret: data.clientSecret,
      confirmParams: { return_url: `${location.origin}/order/`, ...(email && { receipt_email: email }), ...(shipping && { shipping }) },
    });
    // Stripe only comes back here when the payment did not go through; otherwise it redirects.
    // Only card and validation errors are written for shoppers.
    const words = error && (error.type === 'card_error' || error.type === 'validation_error') && error.message;
    if (error) fail(sheet, words || 'The payment did not go through, and nothing was charged. Please try again.');
  };

  element.on('ready', (event) => {
    box.hidden = !event.availablePaymentMethods;
  });
  element.on('click', (event) => {
    out.textContent = '';
    if (paying) return event.reject();
    event.resolve(B.sheet); // within a second, as Stripe requires
  });
  element.on('confirm', (sheet) => {
    paying = true;
    pay(sheet).catch(() => fail(sheet, 'Something went wrong, and nothing was charged. Please try again.'));
  });
  element.mount('#express-checkout');
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) paying = false; // back from a redirect: the page as it was left
  });
})();
