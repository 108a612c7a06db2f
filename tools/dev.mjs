#!/usr/bin/env node
// `make dev`: the whole shop on one port while an editor works on it.
//
// - `bookshop watch` builds the site and rebuilds what each save touches (its pages carry
//   a preview script: problems as a banner, a reload after each rebuild);
// - `wrangler dev` serves public/ and runs the worker, from a copy of wrangler.toml without
//   `[build]` (tools/wrangler-config.mjs says why: with it, a new book's page stayed 404 and
//   an unpublished one 500 until a restart). Without `[build]` it reloads on every change;
//   `wrangler deploy` still reads wrangler.toml and builds everything fresh;
// - the worker's Rust sources are watched here and rebuilt with `make worker`; wrangler
//   reloads when worker/build changes.
//
// Usage: node tools/dev.mjs [--root DIR] [--port N] [--stripe-api-base URL] [--drafts] [-- wrangler args]

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { withoutBuild } from './wrangler-config.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts, positionals: wranglerArgs } = parseArgs({
  allowPositionals: true,
  options: {
    root: { type: 'string', default: REPO },
    port: { type: 'string', default: '8787' },
    'stripe-api-base': { type: 'string' },
    drafts: { type: 'boolean', default: false },
  },
});
const ROOT = resolve(opts.root);
const PUBLIC = join(ROOT, 'public');
/** What `make worker` builds from; a change rebuilds the worker. */
const WORKER_SOURCES = ['catalog/src', 'worker/src', 'catalog/Cargo.toml', 'worker/Cargo.toml', 'Cargo.lock'];

const tty = process.stdout.isTTY;
const paint = (code, text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const say = (who, line) => process.stdout.write(`${who} ${line}\n`);
const SITE = paint('36', '[site]  ');
const WORKER = paint('35', '[worker]');
const SHOP = paint('32', '[shop]  ');

/**
 * The worker takes orders from base_url's origin and wrangler.toml's ALLOWED_ORIGINS. This
 * preview is at http://localhost:PORT or http://127.0.0.1:PORT, whatever base_url says: list
 * those two, beside wrangler.toml's own, for this `wrangler dev` only. A `--var` lives as long
 * as the process; `wrangler deploy` reads wrangler.toml alone, so no deployed shop takes
 * orders from a local page.
 */
function devOrigins(toml, port) {
  const configured = toml.match(/^\s*ALLOWED_ORIGINS\s*=\s*"([^"]*)"/m)?.[1] ?? '';
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`, configured].filter(Boolean).join(',');
}

const children = new Set();

/** Runs `cmd args` in its own process group; each output line goes to `onLine`. */
function run(cmd, args, { cwd = REPO, env = process.env, onLine }) {
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) onLine(line);
    });
    stream.on('end', () => rest && onLine(rest));
  }
  return child;
}

function stopAll(code) {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  setTimeout(() => process.exit(code), 300).unref();
}
process.on('SIGINT', () => stopAll(130));
process.on('SIGTERM', () => stopAll(143));
// A closed terminal: the children run in groups of their own, so they would outlive it and
// hold the port.
process.on('SIGHUP', () => stopAll(129));

// wrangler's own noise, offline and per request: the per-request lines of static files
// that answered (the watcher's lines would drown in them), the `Request.cf` fetch (turned
// off below) and the interactive hot keys.
const QUIET_WRANGLER = [
  /^\[wrangler:info\] (GET|HEAD) (?!\/api\/)\S* [23]\d\d /,
  /Reloading local server|Parsed \d+ valid header rules|update available/,
  /^[\s─]*$/,
];

function startWrangler() {
  const config = join(ROOT, '.wrangler', 'dev', 'wrangler.toml');
  mkdirSync(dirname(config), { recursive: true });
  writeFileSync(config, withoutBuild(readFileSync(join(REPO, 'wrangler.toml'), 'utf8'), REPO, PUBLIC, 'tools/dev.mjs for `make dev`'));
  const args = ['dev', '--config', config, '--port', opts.port, '--persist-to', join(ROOT, '.wrangler', 'state')];
  // Secrets come from .dev.vars beside the site, as wrangler itself would read them.
  const devVars = join(ROOT, '.dev.vars');
  if (existsSync(devVars)) args.push('--env-file', devVars);
  if (opts['stripe-api-base']) args.push('--var', `STRIPE_API_BASE:${opts['stripe-api-base']}`);
  args.push('--var', `ALLOWED_ORIGINS:${devOrigins(readFileSync(join(REPO, 'wrangler.toml'), 'utf8'), opts.port)}`);
  args.push(...wranglerArgs);
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' };
  const wrangler = run(join(REPO, 'node_modules/.bin/wrangler'), args, {
    env,
    onLine: (line) => {
      if (QUIET_WRANGLER.some((re) => re.test(line))) return;
      const ready = line.match(/Ready on (http\S+)/);
      process.stdout.write(`${line}\n`);
      if (ready) {
        say(SHOP, paint('1', `${ready[1]}: save a book, a template or a static file and open pages reload. Ctrl-C stops.`));
      }
    },
  });
  wrangler.on('exit', (code) => {
    say(SHOP, `wrangler dev stopped (${code ?? 'signal'})`);
    stopAll(code || 1);
  });
}

/** Rebuilds the worker when its sources change: one build at a time, one more if saved meanwhile. */
function watchWorker() {
  let building = false;
  let again = null;
  let timer = null;
  const build = (why) => {
    if (building) {
      again = why;
      return;
    }
    building = true;
    const started = Date.now();
    say(WORKER, `${why} changed: rebuilding the worker…`);
    const make = run('make', ['--no-print-directory', 'worker'], {
      onLine: (line) => /error|warning/i.test(line) && say(WORKER, line),
    });
    make.on('exit', (code) => {
      say(WORKER, code === 0 ? `rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s` : `build failed (${code}); the last good worker keeps running`);
      building = false;
      if (again) {
        const next = again;
        again = null;
        build(next);
      }
    });
  };
  for (const source of WORKER_SOURCES) {
    const path = join(REPO, source);
    if (!existsSync(path)) continue;
    watch(path, { recursive: true }, (_event, name) => {
      clearTimeout(timer);
      timer = setTimeout(() => build(name ? join(source, name) : source), 200);
    });
  }
}

// The site first: wrangler needs public/ to exist, and its first build must be there. Run
// from the site's folder, the watcher names files as the editor sees them (content/books/…).
const watchArgs = ['watch', ...(opts.drafts ? ['--drafts'] : [])];
let started = false;
const watcher = run(join(REPO, 'target/release/bookshop'), watchArgs, {
  cwd: ROOT,
  onLine: (line) => {
    say(SITE, line);
    if (!started && line.startsWith('Watching ')) {
      started = true;
      mkdirSync(PUBLIC, { recursive: true });
      startWrangler();
      watchWorker();
    }
  },
});
watcher.on('exit', (code) => {
  say(SITE, `bookshop watch stopped (${code ?? 'signal'})`);
  stopAll(code || 1);
});
