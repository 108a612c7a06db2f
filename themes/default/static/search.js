/* Search as you type, from the static index the generator writes (generator/src/search.rs
   says its format): the manifest, then only the shards and book chunks a query needs.
   Results are links with "Add to cart" buttons that cart.js already handles. Keys: ↓ from the
   box into the results, ↑/↓ between them, Escape back to the box. Without JavaScript the form
   goes to the search page, which lists every book. */

// Types of the index: tools/types/theme.d.ts (Search).
(() => {
  'use strict';
  const form = document.querySelector('form.site-search');
  if (!(form instanceof HTMLFormElement) || !window.fetch) return;
  const input = form.elements.namedItem('q');
  /** @param {string} id */
  const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const panel = byId('search-panel');
  const list = byId('search-list');
  const status = byId('search-status');
  if (!(input instanceof HTMLInputElement) || !panel || !list || !status) return;
  const PANEL = 8; // results under the box; the search page shows up to PAGE
  const PAGE = 48;

  /** @type {Map<string, Promise<unknown>>} */
  const files = new Map();
  /**
   * A file of the index, fetched once (JSON of the shape the caller names).
   * @template T @param {string} url @returns {Promise<T>}
   */
  const get = (url) => {
    if (!files.has(url)) {
      files.set(url, fetch(url).then((res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return res.json();
      }).catch((error) => {
        files.delete(url);
        throw error;
      }));
    }
    return /** @type {Promise<T>} */ (files.get(url));
  };
  /** @type {Search.Manifest} */
  let manifest;
  /** @type {RegExp | null} */
  let folds = null;
  /** @returns {Promise<Search.Manifest>} */
  const load = () => get(form.dataset.index || '').then((/** @type {Search.Manifest} */ m) => {
    manifest = m;
    folds = folds || new RegExp(`[${Object.keys(m.fold).join('')}]`, 'g');
    return m;
  });

  // As generator/src/search.rs folds and cuts: so `cafe` finds `Café`.
  /** @param {string} text */
  const terms = (text) => (text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
    .replace(/** @type {RegExp} */ (folds), (c) => manifest.fold[c]).replace(/(\d)-(?=\d)/g, '$1')
    .match(/[\p{Alpha}\p{N}]+/gu) || []).filter((t) => t.length <= 40);

  /** The shards of `tier` that can hold terms starting with `t`, at most `max`. @param {[string, string][]} tier @param {string} t @param {number} max */
  const shardsFor = (tier, t, max) => {
    let i = 0;
    while (i + 1 < tier.length && tier[i + 1][0] <= t) i++;
    const urls = [tier[i][1]];
    while (++i < tier.length && urls.length < max && tier[i][0].startsWith(t)) urls.push(tier[i][1]);
    return urls;
  };

  /**
   * Each book's best weight for term `t` in `tier` (whole words count twice) into `found`.
   * @param {'names' | 'words'} tier @param {string} t @param {boolean} prefix @param {number} max @param {Map<number, number>} found
   */
  const match = async (tier, t, prefix, max, found) => {
    for (const shard of await Promise.all(shardsFor(manifest[tier], t, max).map((url) => /** @type {Promise<Search.Shard>} */ (get(url))))) {
      for (const term of prefix ? Object.keys(shard) : [t]) {
        const p = shard[term];
        if (!p || !term.startsWith(t)) continue;
        for (let k = 0; k < p.length;) {
          const w = manifest.weights[p[k++]] * (term === t ? 2 : 1);
          let n = p[k++];
          let book = 0;
          while (n--) {
            book += p[k++];
            if (!((found.get(book) ?? -Infinity) >= w)) found.set(book, w);
          }
        }
      }
    }
  };

  /** Books matching every term of `query`, best first: [[book, score]…]. `words`: the
      descriptions too (prefixes of 3 letters or more; shorter terms as whole words). */
  /** @param {string} query @param {boolean} words @returns {Promise<[number, number][]>} */
  const search = async (query, words) => {
    await load();
    /** @type {Map<number, number> | null} */
    let scores = null;
    for (const t of [...new Set(terms(query))].slice(0, 6)) {
      /** @type {Map<number, number>} */
      const found = new Map();
      await match('names', t, true, 4, found);
      if (words) await match('words', t, t.length > 2, 2, found);
      if (!scores) scores = found;
      else for (const [book, s] of scores) found.has(book) ? scores.set(book, s + (found.get(book) || 0)) : scores.delete(book);
    }
    return scores ? [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]) : [];
  };

  /**
   * An element with properties and children.
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag @param {Partial<HTMLElementTagNameMap[K]>} props @param {(string | Node)[]} children
   */
  const el = (tag, props, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  /** One result: cover, title, author, price, and the button cart.js handles. @param {Search.Hit} book */
  const hit = ([id, title, author, price, url, cover, available]) => {
    const button = el('button', { type: 'button', className: 'add-to-cart', disabled: !available }, available ? 'Add to cart' : 'Sold out');
    Object.assign(button.dataset, { bookId: id, title });
    return el('li', { className: 'search-hit' },
      // A drawn cover has no file (it is drawn into the book's pages): a plain one here.
      cover ? el('img', { src: cover, alt: '', width: 40, height: 60, loading: 'lazy' }) : el('span', { className: 'search-cover' }),
      el('a', { href: url, className: 'search-link' }, el('span', { className: 'search-title' }, title), ' ',
        el('span', { className: 'search-author' }, author)),
      el('span', { className: 'search-price' }, price), button);
  };

  /** Renders the first `limit` results into `into`. @param {[number, number][]} results @param {number} limit @param {HTMLElement} into */
  const show = async (results, limit, into) => {
    const rows = await Promise.all(results.slice(0, limit).map(([book]) =>
      get(manifest.chunks[Math.floor(book / manifest.per_chunk)]).then((/** @type {Search.Hit[]} */ chunk) => chunk[book % manifest.per_chunk])));
    into.replaceChildren(...rows.map(hit));
  };

  /** @param {number} n @param {string} query */
  const said = (n, query) => (n ? `${n} book${n === 1 ? '' : 's'} found for “${query}”.` : `No books match “${query}”.`);

  let asked = 0;
  const run = async () => {
    const query = input.value.trim();
    const mine = ++asked;
    if (!query) {
      panel.hidden = true;
      status.textContent = '';
      return;
    }
    try {
      // Titles, authors, tags and ISBNs first (small shards), then the descriptions too.
      for (const words of [false, true]) {
        const results = await search(query, words);
        if (mine !== asked) return;
        // No names matched yet, or the shopper is already among the results: wait, keep them.
        if (!words && !results.length) continue;
        if (words && panel.contains(document.activeElement)) return;
        await show(results, PANEL, list);
        if (mine !== asked) return;
        if (results.length > PANEL) {
          const all = new URL(form.action);
          all.searchParams.set('q', query);
          list.append(el('li', { className: 'search-more' }, el('a', { href: all.href, className: 'search-link' }, `All ${results.length} results`)));
        }
        panel.hidden = false;
        status.textContent = `${said(results.length, query)}${results.length ? ' Down arrow to browse them.' : ''}`;
      }
    } catch (_) {
      if (mine === asked) status.textContent = 'Search is unavailable just now: press Enter to browse every book.';
    }
  };

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 80);
  });
  input.addEventListener('focus', () => load().catch(() => {}), { once: true });

  const links = () => [...panel.querySelectorAll('a.search-link')].map((a) => /** @type {HTMLElement} */ (a));
  form.addEventListener('keydown', (event) => {
    const all = links();
    const at = all.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    if (event.key === 'Escape' && !panel.hidden) {
      panel.hidden = true;
      input.focus();
      event.preventDefault();
    } else if (event.key === 'ArrowDown' && !panel.hidden && all.length) {
      all[Math.min(at + 1, all.length - 1)].focus();
      event.preventDefault();
    } else if (event.key === 'ArrowUp' && at >= 0) {
      (at ? all[at - 1] : input).focus();
      event.preventDefault();
    }
  });
  document.addEventListener('click', (event) => {
    if (!(event.target instanceof Node) || !form.contains(event.target)) panel.hidden = true;
  });
  // An add from a result tells the cart page too (cart.js's own event for a change elsewhere).
  panel.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('.add-to-cart')) document.dispatchEvent(new CustomEvent('bookshop:cart'));
  });

  // The search page with a query (the box's Enter): every result up to PAGE, in the page.
  const page = document.getElementById('search-page-results');
  const query = new URLSearchParams(location.search).get('q');
  if (page && query) {
    input.value = query;
    search(query, true).then(async (results) => {
      await show(results, PAGE, page);
      page.hidden = false;
      byId('search-browse').hidden = true;
      byId('search-page-status').textContent = said(results.length, query)
        + (results.length > PAGE ? ` The first ${PAGE} are shown: add a word to narrow them.` : '');
    }).catch(() => {});
  }
})();
