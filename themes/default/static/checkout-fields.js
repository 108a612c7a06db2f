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

  const email = $('email');
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

  let summary = ''; // what the message area says about the fields, while it may say it

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
  const recheck = (input) => {
    mark(input, problemOf(input));
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
    for (const input of [state, postal]) if (input.hasAttribute('aria-invalid')) recheck(input);
  };
  country.addEventListener('change', applyCountry);
  form.addEventListener('input', (event) => {
    if (FIELDS.includes(event.target) && event.target.hasAttribute('aria-invalid')) recheck(event.target);
  });
  form.addEventListener('focusout', (event) => {
    if (FIELDS.includes(event.target) && event.target.value.trim()) recheck(event.target);
  });
  applyCountry();

  C.fields = {
    /** Checks every field; says what is wrong and focuses the first wrong one. → true when all are fine. */
    check() {
      summary = '';
      const bad = FIELDS.filter((input) => mark(input, problemOf(input)));
      if (!bad.length) return true;
      const names = bad.map((input) => form.querySelector(`label[for="${input.id}"]`).textContent.replace(/\s*\(optional\)/, '').trim());
      summary = bad.length === 1 ? `Please check “${names[0]}” above.` : `Please check these ${bad.length} fields above: ${names.join(', ')}.`;
      C.messages.say(summary);
      bad[0].focus();
      return false;
    },
    /** The receipt email, trimmed. */
    email: () => email.value.trim(),
    /** Stripe's `shipping`: {name, address: {line1, line2, city, state, postal_code, country}}, blanks left out. */
    shipping() {
      const address = { country: country.value };
      for (const [key, id] of [['line1', 'ship-line1'], ['line2', 'ship-line2'], ['city', 'ship-city'], ['state', 'ship-state'], ['postal_code', 'ship-postal']]) {
        const value = $(id).value.trim();
        if (value) address[key] = value;
      }
      return { name: $('ship-name').value.trim(), address };
    },
  };
})();
