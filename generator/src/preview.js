// Only in the pages `bookshop watch` writes (never in `bookshop build`'s): shows what is
// broken in the site as a banner on every page, and reloads the page after each rebuild.
// The watcher rewrites /_bookshop/status.json after every try: {"build", "problems"}.
(() => {
  const STATUS = '/_bookshop/status.json';
  const POLL_MS = 400;
  let seen = null;
  let banner = null;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // Styles through the CSSOM: the shop's CSP allows no inline style attribute.
  function styled(tag, css, text) {
    const el = document.createElement(tag);
    Object.assign(el.style, css);
    if (text) el.textContent = text;
    return el;
  }

  function show(problems) {
    banner?.remove();
    banner = null;
    if (!problems.length) return;
    banner = styled('div', {
      position: 'fixed', top: '0', left: '0', right: '0', zIndex: '2147483647', maxHeight: '50vh',
      overflow: 'auto', background: '#7a1212', color: '#fff', font: '14px/1.45 ui-monospace, monospace',
      padding: '0.75rem 1rem', boxShadow: '0 2px 8px rgba(0,0,0,.4)',
    });
    banner.id = 'bookshop-problems';
    banner.setAttribute('role', 'alert');
    const n = problems.length;
    banner.append(styled('strong', { display: 'block', marginBottom: '0.4rem' },
      `${n} problem${n === 1 ? '' : 's'}: the preview shows the last good version until fixed (bookshop watch)`));
    for (const p of problems) {
      const item = styled('div', { marginTop: '0.35rem' });
      item.append(styled('div', {}, `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`));
      if (p.help) item.append(styled('div', { paddingLeft: '2ch', opacity: '0.9' }, `help: ${p.help}`));
      banner.append(item);
    }
    document.body.append(banner);
  }

  // wrangler dev picks up new files a moment after they are written: wait until this page
  // answers (or is gone for good, as an unpublished book's) before reloading.
  async function reload() {
    for (let i = 0; i < 20; i += 1) {
      const res = await fetch(location.href, { method: 'HEAD', cache: 'no-store' }).catch(() => null);
      if (res?.ok) break;
      await sleep(150);
    }
    location.reload();
  }

  async function poll() {
    for (;;) {
      try {
        const res = await fetch(STATUS, { cache: 'no-store' });
        if (res.ok) {
          const status = await res.json();
          if (seen === null) seen = status.build;
          if (status.build !== seen) {
            await reload();
            return;
          }
          show(status.problems || []);
        }
      } catch {
        // The dev server is restarting; try again.
      }
      await sleep(POLL_MS);
    }
  }

  poll();
})();
