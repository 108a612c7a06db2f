/* The cart page's lines: one per book in the cart, priced from the price list, with quantity
   inputs and Remove buttons, and the total. Whenever the order changes it fires
   "bookshop:order" on the document with {lines, amount, currency}: what Pay would buy (the
   available books, in one currency). */
(() => {
  'use strict';
  const B = window.Bookshop;
  const C = B && B.checkout;
  if (!C) return;
  const { form, $ } = C;

  const list = $('cart-lines'); // inert while a payment is under way (checkout-pay.js)
  const status = $('cart-status');
  const empty = $('cart-empty');
  const checkout = $('checkout');
  const total = $('cart-total');
  const MAX = B.shop.max_quantity;

  /** @type {Bookshop.PriceList | null} */
  let prices = null; // the price list of the cart's books, once loaded
  /** @type {Bookshop.Order} */
  let order = { lines: [], amount: 0, currency: '' };

  /**
   * An element with attributes (false and null left out, true as a bare attribute) and children.
   * @param {string} tag @param {Record<string, string | number | boolean | null>} attrs @param {(string | Node)[]} children
   */
  const h = (tag, attrs, ...children) => {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value !== false && value != null) el.setAttribute(name, value === true ? '' : String(value));
    }
    el.append(...children);
    return el;
  };
  /** @param {number} minor @param {string} currency */
  const fmt = (minor, currency) => {
    const info = prices && B.has(prices.currencies, currency) ? prices.currencies[currency] : null;
    return B.money(minor, currency, info ? info.decimals : undefined);
  };
  /** @param {string} id */
  const bookOf = (id) => (prices && B.has(prices.books, id) ? prices.books[id] : null);

  /** Recomputes totals from the cart without rebuilding the list (keeps focus and typing). */
  const update = () => {
    const cart = B.read();
    /** @type {Map<string, number>} */
    const sums = new Map();
    /** @type {Bookshop.Line[]} */
    const buy = [];
    for (const li of list.querySelectorAll('li[data-line-id]')) {
      const id = /** @type {HTMLElement} */ (li).dataset.lineId || '';
      const qty = cart.items[id];
      const book = bookOf(id);
      const out = /** @type {HTMLElement} */ (li.querySelector('.line-total'));
      if (!qty) {
        li.remove();
      } else if (!book || book.available === false) {
        out.textContent = 'Not included';
      } else {
        const input = /** @type {HTMLInputElement} */ (li.querySelector('input.qty'));
        if (document.activeElement !== input && Number(input.value) !== qty) input.value = String(qty);
        const amount = book.amount * qty;
        out.textContent = fmt(amount, book.currency);
        buy.push({ id, quantity: qty, title: book.title, amount: book.amount, currency: book.currency });
        sums.set(book.currency, (sums.get(book.currency) || 0) + amount);
      }
    }
    const hasLines = Boolean(list.querySelector('[data-line-id]'));
    const currencies = [...sums.keys()];
    empty.hidden = hasLines;
    checkout.hidden = !hasLines && !C.stripe.blocked();
    order = currencies.length === 1
      ? { lines: buy, amount: sums.get(currencies[0]) || 0, currency: currencies[0] }
      : { lines: buy, amount: 0, currency: '' };
    total.textContent = currencies.length
      ? currencies.map((c) => fmt(sums.get(c) || 0, c)).join(' + ')
      : fmt(0, form.dataset.currency || 'usd');
    C.messages.standing('order',
      (currencies.length > 1 ? `${B.shop.texts.mixed_currencies} Remove the ones in one currency, pay, then buy them separately.` : '')
      || (hasLines && !buy.length ? 'Nothing in your cart can be bought right now.' : ''));
    document.dispatchEvent(new CustomEvent('bookshop:order', { detail: order }));
  };

  /** Draws one line per book in the cart. */
  const build = () => {
    const cart = B.read();
    list.replaceChildren(...Object.keys(cart.items).map((id, i) => {
      const book = bookOf(id);
      const issue = !book ? 'No longer sold here, so it is left out of your order.'
        : book.available === false ? 'Sold out, so it is left out of your order.' : '';
      const titleId = `line-${i}-title`;
      const qtyId = `line-${i}-qty`;
      return h('li', { class: 'line', 'data-line-id': id, 'data-problem': issue ? (book ? 'unavailable' : 'unknown') : null },
        // A drawn cover has no file (it is drawn into the book's pages): a plain one here.
        book?.cover ? h('img', { class: 'line-cover', src: book.cover, alt: '', width: 60, height: 90, loading: 'lazy' }) : h('span', { class: 'line-cover' }),
        h('div', { class: 'line-info' },
          book ? h('a', { class: 'line-title', id: titleId, href: book.url }, book.title) : h('span', { class: 'line-title', id: titleId }, id),
          book ? h('span', { class: 'line-author' }, book.author) : '',
          book ? h('span', { class: 'unit-price' }, `${fmt(book.amount, book.currency)} each`) : '',
          issue ? h('span', { class: 'line-problem' }, issue) : ''),
        h('div', { class: 'line-qty' },
          h('label', { for: qtyId }, 'Quantity'),
          h('input', {
            id: qtyId, class: 'qty', type: 'number', min: 1, max: MAX, step: 1, inputmode: 'numeric',
            value: cart.items[id], 'aria-describedby': titleId, disabled: Boolean(issue),
          })),
        h('span', { class: 'line-total' }),
        h('button', { type: 'button', class: 'remove', 'aria-describedby': titleId }, 'Remove'));
    }));
    update();
  };

  /** Loads the cart's books from the price list (`fresh`: revalidated now) and draws the lines. */
  /** @param {boolean} fresh */
  const load = (fresh) => B.catalog(Object.keys(B.read().items), fresh).then((data) => {
    prices = data;
    status.hidden = true;
    build();
  }, () => {
    status.textContent = 'The price list could not be loaded. Check your connection and reload the page.';
    status.classList.add('notice');
    empty.hidden = Boolean(Object.keys(B.read().items).length);
  });

  /** The book id of the line `el` is in. @param {Element} el */
  const lineOf = (el) => /** @type {HTMLElement} */ (el.closest('[data-line-id]')).dataset.lineId || '';
  /** The element an event is about, when it is `selector` or inside one. @param {Event} event @param {string} selector */
  const hit = (event, selector) => (event.target instanceof Element ? event.target.closest(selector) : null);

  list.addEventListener('input', (event) => {
    const input = /** @type {HTMLInputElement | null} */ (hit(event, 'input.qty'));
    const n = input ? Number(input.value) : NaN;
    if (!input || list.inert || !Number.isInteger(n) || n < 1 || n > MAX) return;
    B.setQty(lineOf(input), n);
    update();
  });

  list.addEventListener('change', (event) => {
    const input = /** @type {HTMLInputElement | null} */ (hit(event, 'input.qty'));
    if (!input || list.inert) return;
    const id = lineOf(input);
    const n = Math.round(Number(input.value));
    const qty = input.value === '' || !Number.isFinite(n) ? B.read().items[id] || 1 : Math.min(MAX, Math.max(1, n));
    input.value = String(qty);
    B.setQty(id, qty);
    update();
  });

  list.addEventListener('click', (event) => {
    const button = hit(event, 'button.remove');
    const li = button && button.closest('li[data-line-id]');
    if (!(li instanceof HTMLElement) || list.inert) return;
    const title = li.querySelector('.line-title')?.textContent || '';
    const next = li.nextElementSibling || li.previousElementSibling;
    B.remove(li.dataset.lineId || '');
    li.remove();
    update();
    /** @type {HTMLElement} */ ((next && next.querySelector('button.remove')) || $('cart-heading')).focus();
    B.announce(`Removed “${title}” from your cart.`);
  });

  // Another tab changed the cart; or the page came back from Stripe's redirect (3-D Secure,
  // a bank page) as it was left.
  // Either may bring books whose price-list shards this page has not read yet: load them
  // (the shards already read are not fetched again).
  document.addEventListener('bookshop:cart', () => {
    if (!list.inert && prices) load(false);
  });
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && prices) load(false);
  });

  C.lines = {
    /** What Pay buys now: {lines: [{id, quantity, title, amount, currency}], amount, currency}. */
    order: () => order,
    /** Formats minor units with the price list's decimals. */
    fmt,
    /** Reloads the price list and redraws the lines: → a promise, settled once drawn. */
    reload: () => load(true),
  };
  load(false);
})();
