/* The cart, kept in localStorage under "bookshop.cart" as {"items":{"<book id>":<quantity>}}.
   Runs on every page: the header count and the "Add to cart" buttons. Shares a few helpers
   with the checkout-*.js and order.js as window.Bookshop. Money is integer minor units throughout. */
(() => {
  'use strict';
  // What the pages agree on with the worker (the endpoint, the price list, the limits, shared
  // sentences), defined once in the catalog crate: base.html prints it as <body data-shop>.
  const shop = JSON.parse(document.body.dataset.shop || 'null');
  if (!shop) throw new Error('bookshop: <body> has no data-shop; the theme\'s base.html must print {{ shop | json_encode }} there (docs/themes.md)');
  // Where the pages keep things: the cart (every tab), the current payment attempt and the
  // last order (this tab; checkout-pay.js writes them, order.js reads them).
  const keys = { cart: 'bookshop.cart', attempt: 'bookshop.attempt', lastOrder: 'bookshop.lastOrder' };
  const KEY = keys.cart;
  const MAX = shop.max_quantity; // copies of one book per order: the worker's own limit
  /** @type {Bookshop.Cart | null} */
  let memory = null; // when storage is off (private mode, blocked), the cart lives for this page

  /** A cart with only ids and quantities the shop sells. @param {unknown} raw @returns {Bookshop.Cart} */
  const clean = (raw) => {
    /** @type {Record<string, number>} */
    const items = Object.create(null);
    const given = /** @type {{items?: unknown} | null} */ (raw);
    const source = given && typeof given === 'object' && given.items && typeof given.items === 'object' ? given.items : {};
    for (const [id, qty] of Object.entries(source)) {
      const n = Math.floor(Number(qty));
      if (id && id.length <= shop.max_id_len && n >= 1) items[id] = Math.min(n, MAX);
    }
    return { items };
  };

  const read = () => {
    try {
      const text = localStorage.getItem(KEY);
      return clean(text ? JSON.parse(text) : null);
    } catch (_) {
      return clean(memory);
    }
  };

  const count = (cart = read()) => Object.values(cart.items).reduce((sum, n) => sum + n, 0);

  const showCount = (cart = read()) => {
    const el = document.getElementById('cart-count');
    if (el) el.textContent = String(count(cart));
  };

  /** @param {Bookshop.Cart} cart */
  const write = (cart) => {
    memory = clean(cart);
    try {
      localStorage.setItem(KEY, JSON.stringify(memory));
    } catch (_) { /* storage full or off: keep the in-memory cart */ }
    showCount(memory);
    return memory;
  };

  /** Adds up to n copies (never past MAX); returns how many were added. @param {string} id */
  const add = (id, n = 1) => {
    const cart = read();
    const before = cart.items[id] || 0;
    cart.items[id] = Math.min(before + n, MAX);
    write(cart);
    return cart.items[id] - before;
  };

  /** @param {string} id @param {number} qty */
  const setQty = (id, qty) => {
    const cart = read();
    cart.items[id] = Math.max(1, Math.min(MAX, Math.floor(qty)));
    return write(cart);
  };

  /** @param {string} id */
  const remove = (id) => {
    const cart = read();
    delete cart.items[id];
    return write(cart);
  };

  const clear = () => write({ items: {} });

  /** 2300, 2 → "23.00"; 2300, 0 → "2300": exact, no floating point. @param {number} minor @param {number} decimals */
  const toDecimal = (minor, decimals) => {
    const digits = String(minor).padStart(decimals + 1, '0');
    return decimals > 0 ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits;
  };

  /**
   * Formats integer minor units for people; `decimals` from the price list (guessed from Intl if absent).
   * @param {number} minor @param {string} currency @param {number} [decimals]
   */
  const money = (minor, currency, decimals) => {
    const code = String(currency).toUpperCase();
    let digits = decimals;
    try {
      if (!Number.isInteger(digits)) {
        digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
      }
      // A decimal string is formatted exactly (Intl.NumberFormat v3), never through a float.
      return new Intl.NumberFormat(undefined, {
        style: 'currency', currency: code, minimumFractionDigits: digits, maximumFractionDigits: digits,
      }).format(/** @type {Intl.StringNumericLiteral} */ (toDecimal(minor, /** @type {number} */ (digits))));
    } catch (_) {
      return `${toDecimal(minor, typeof digits === 'number' && Number.isInteger(digits) ? digits : 2)} ${code}`;
    }
  };

  /**
   * The shard a book id is in, of `count`: FNV-1a (32-bit) over its bytes, modulo `count`.
   * catalog::price_list::shard_of in Rust is the rule; book ids are ASCII, so each char code
   * is a byte (tests/e2e/shards.test.mjs runs this function over a built shop).
   * @param {string} id @param {number} count
   */
  const shardOf = (id, count) => {
    let hash = 0x811c9dc5;
    for (let i = 0; i < id.length; i += 1) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193) >>> 0;
    return hash % count;
  };

  /** GET a JSON file of the site, revalidated (so a new deploy's prices show at once). @param {string} url */
  const getJson = (url) => fetch(url, { cache: 'no-cache', headers: { Accept: 'application/json' } })
    .then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.json();
    });

  /** @type {Promise<Bookshop.Manifest> | null} */
  let manifest = null;
  /** @type {Map<number, Promise<Bookshop.Shard>>} */
  const shards = new Map();
  /**
   * The price list of the books `ids` names: the manifest (shop.price_list), then only the
   * shards those ids are in, at once. Each file is fetched once per page (`fresh`: again); a
   * failed read is tried once more, fresh.
   * @param {string[]} [ids] @param {boolean} [fresh] @returns {Promise<Bookshop.PriceList>}
   */
  const catalog = (ids = [], fresh = false) => {
    if (fresh) {
      manifest = null;
      shards.clear();
    }
    const got = manifest || getJson(shop.price_list).then((data) => {
      const scheme = data && data.shards;
      if (!data || data.version !== shop.price_list_version || !data.currencies || !scheme || !(scheme.count > 0)) throw new Error('unexpected price list');
      return /** @type {Bookshop.Manifest} */ (data);
    });
    manifest = got;
    return got.then((list) => {
      const count = list.shards.count;
      const wanted = [...new Set(ids.map((id) => shardOf(id, count)))];
      return Promise.all(wanted.map((n) => {
        let one = shards.get(n);
        if (!one) {
          one = getJson(list.shards.path.replace('{shard}', String(n))).then((data) => {
            if (!data || data.shard !== n || data.count !== count || !data.books) throw new Error('unexpected price list shard');
            return /** @type {Bookshop.Shard} */ (data);
          });
          shards.set(n, one);
        }
        return one;
      })).then((held) => {
        /** @type {Record<string, Bookshop.PriceListBook>} */
        const books = {};
        for (const shard of held) {
          for (const id of ids) if (has(shard.books, id)) books[id] = shard.books[id];
        }
        return { version: list.version, origin: list.origin, currencies: list.currencies, books };
      });
    }).catch((error) => {
      // Nothing half-read is kept. Once more from scratch: a deploy between reading the
      // manifest and a shard gives a shard of another count.
      manifest = null;
      shards.clear();
      if (!fresh) return catalog(ids, true);
      throw error;
    });
  };

  /** @param {object | null | undefined} object @param {string} key */
  const has = (object, key) => Object.prototype.hasOwnProperty.call(object || {}, key);

  /** Says `text` through the page's polite live region. @param {string} text */
  const announce = (text) => {
    const region = document.getElementById('cart-announce');
    if (!region) return;
    region.textContent = '';
    setTimeout(() => { region.textContent = text; }, 60); // a change, so repeats are read too
  };

  /** @type {WeakMap<HTMLButtonElement, ReturnType<typeof setTimeout>>} */
  const timers = new WeakMap();
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element && event.target.closest('button.add-to-cart');
    if (!(button instanceof HTMLButtonElement) || button.disabled || !button.dataset.bookId) return;
    const id = button.dataset.bookId;
    const title = button.dataset.title || 'The book';
    const added = add(id, 1);
    const qty = read().items[id];
    announce(added
      ? `Added “${title}” to your cart (${qty} ${qty === 1 ? 'copy' : 'copies'}). Cart: ${count()} items.`
      : `Your cart already holds ${MAX} copies of “${title}”, the most one order can take.`);
    if (!timers.has(button)) button.dataset.label = button.textContent;
    clearTimeout(timers.get(button));
    button.textContent = added ? 'Added' : 'Limit reached';
    button.classList.add('is-added');
    const link = document.getElementById('cart-link');
    if (link) {
      link.classList.remove('bump');
      void link.offsetWidth; // restart the animation
      link.classList.add('bump');
    }
    timers.set(button, setTimeout(() => {
      button.textContent = button.dataset.label || '';
      button.classList.remove('is-added');
      timers.delete(button);
    }, 1600));
  });

  // Other tabs, and pages restored from the back/forward cache, see the current cart.
  window.addEventListener('storage', (event) => {
    if (event.key === KEY || event.key === null) {
      showCount();
      document.dispatchEvent(new CustomEvent('bookshop:cart'));
    }
  });
  window.addEventListener('pageshow', () => showCount());
  showCount();

  // What an express checkout's wallet sheet asks for; the price includes shipping.
  const sheet = { emailRequired: true, shippingAddressRequired: true, shippingRates: [{ id: 'included', displayName: 'Shipping included', amount: 0 }] };

  window.Bookshop = { shop, keys, sheet, read, write, add, setQty, remove, clear, count, showCount, toDecimal, money, shardOf, catalog, has, announce };
})();
