/* The receipt email and the shipping address: plain fields, checked here (the form is
   novalidate) with a message next to each, then given to Stripe at confirmation as
   receipt_email and shipping. Errors show once Pay was pressed or a filled field is left, and
   clear as soon as the field is fixed. */
(() => {
  'use strict';
  const B = window.Bookshop;
  const C = B && B.checkout;
  if (!C) return;
  const { form, $ } = C;

  /** @param {string} id */
  const input = (id) => $(id, HTMLInputElement);
  const email = input('email');
  const country = $('ship-country', HTMLSelectElement);
  const state = input('ship-state');
  const postal = input('ship-postal');
  const FIELDS = ['email', 'ship-name', 'ship-line1', 'ship-city', 'ship-state', 'ship-postal'].map(input);
  /** @param {string} id */
  const text = (id) => $(id).textContent || '';
  /** @param {string} s */
  const lower = (s) => (/^[A-Z]{2}/.test(s) ? s : s.charAt(0).toLowerCase() + s.slice(1)); // "ZIP code" stays
  /** @type {Record<string, () => string>} */
  const MISSING = {
    email: () => 'Enter your email address: the receipt goes there.',
    'ship-name': () => 'Enter the name of the person the books go to.',
    'ship-line1': () => 'Enter the street address.',
    'ship-city': () => 'Enter the city or town.',
    'ship-state': () => `Enter the ${lower(text('ship-state-label'))}.`,
    'ship-postal': () => `Enter the ${lower(text('ship-postal-label'))}.`,
  };
  // [region label, postal code label, region required]; elsewhere an optional "Region" and "Postal code".
  /** @type {Record<string, [string, string, number?]>} */
  const ADDRESS = { US: ['State', 'ZIP code', 1], CA: ['Province', 'Postal code', 1], AU: ['State', 'Postcode', 1], GB: ['County', 'Postcode'], IE: ['County', 'Eircode'] };
  // Addresses there have no postal code (or one that is rarely used).
  const NO_POSTCODE = new Set('AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GQ GY HK IE JM KI KM KN LC ML MO MR MW NR NU PA QA RW SB SC SL SO SR SS ST TD TG TK TL TO TT TV UG VU YE ZW'.split(' '));

  let summary = ''; // what the message area says about the fields, while it may say it

  /** @param {HTMLInputElement} field */
  const problemOf = (field) => {
    const value = field.value.trim();
    if (!value) return field.required ? MISSING[field.id]() : '';
    if (field === email && (field.validity.typeMismatch || !/^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(value))) {
      return 'Enter an email address like name@example.com.';
    }
    if (field === postal && country.value === 'US' && !/^\d{5}(-?\d{4})?$/.test(value)) return 'Enter a 5-digit ZIP code, like 94103.';
    return '';
  };
  /** @param {HTMLInputElement} field @param {string} why */
  const mark = (field, why) => {
    const out = $(`${field.id}-error`);
    if (out.textContent !== why) out.textContent = why;
    if (why) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
    return why;
  };
  /** @param {HTMLInputElement} field */
  const recheck = (field) => {
    mark(field, problemOf(field));
    if (summary && !FIELDS.some((f) => f.hasAttribute('aria-invalid'))) {
      C.messages.retract(summary);
      summary = '';
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
    for (const field of [state, postal]) if (field.hasAttribute('aria-invalid')) recheck(field);
  };
  /** One of the checked fields, if the event is about one. @param {Event} event */
  const fieldOf = (event) => FIELDS.find((field) => field === event.target);
  country.addEventListener('change', applyCountry);
  form.addEventListener('input', (event) => {
    const field = fieldOf(event);
    if (field && field.hasAttribute('aria-invalid')) recheck(field);
  });
  form.addEventListener('focusout', (event) => {
    const field = fieldOf(event);
    if (field && field.value.trim()) recheck(field);
  });
  applyCountry();

  C.fields = {
    /** Checks every field; says what is wrong and focuses the first wrong one. → true when all are fine. */
    check() {
      summary = '';
      const bad = FIELDS.filter((field) => mark(field, problemOf(field)));
      if (!bad.length) return true;
      const names = bad.map((field) => (form.querySelector(`label[for="${field.id}"]`)?.textContent || field.id).replace(/\s*\(optional\)/, '').trim());
      summary = bad.length === 1 ? `Please check “${names[0]}” above.` : `Please check these ${bad.length} fields above: ${names.join(', ')}.`;
      C.messages.say(summary);
      bad[0].focus();
      return false;
    },
    /** The receipt email, trimmed. */
    email: () => email.value.trim(),
    /**
     * Stripe's `shipping`: {name, address: {line1, line2, city, state, postal_code, country}},
     * optional blanks left out. Stripe requires line1 (check() made sure it is filled).
     */
    shipping() {
      /** @type {import('@stripe/stripe-js').ConfirmPaymentData['shipping'] & {}} */
      const shipping = { name: input('ship-name').value.trim(), address: { country: country.value, line1: input('ship-line1').value.trim() } };
      for (const [key, id] of /** @type {const} */ ([['line2', 'ship-line2'], ['city', 'ship-city'], ['state', 'ship-state'], ['postal_code', 'ship-postal']])) {
        const value = input(id).value.trim();
        if (value) shipping.address[key] = value;
      }
      return shipping;
    },
  };
})();
