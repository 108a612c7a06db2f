// wrangler.toml as `wrangler dev` is given it by `make dev` (tools/dev.mjs) and the tests
// (tests/e2e/harness.mjs): without its `[build]` table, the caller having built already.
//
// With a custom build, wrangler 4.x never reloads its asset manifest when files appear in or
// leave the assets folder (its BundlerController re-emits the bundle on an asset change only
// for bundles it made itself), and it runs the build a second time as its watcher of
// `watch_dir` starts (a second build for nothing, and a reload when it ends; a request caught by
// a reload can be left unanswered: tests/e2e/README.md).

import { join } from 'node:path';

/** `text` (a wrangler.toml in `repo`) without `[build]`, its paths absolute, assets from `publicDir`. */
export function withoutBuild(text, repo, publicDir, madeBy) {
  const out = [];
  let table = '';
  for (const line of text.split('\n')) {
    const header = line.match(/^\s*\[+([^\]]+)\]+/);
    if (header) table = header[1].trim();
    if (table === 'build') continue;
    if (table === '' && /^main\s*=/.test(line)) {
      const main = line.match(/=\s*"([^"]+)"/)[1];
      out.push(`main = ${JSON.stringify(join(repo, main))}`);
    } else if (table === 'assets' && /^directory\s*=/.test(line)) {
      out.push(`directory = ${JSON.stringify(publicDir)}`);
    } else {
      out.push(line);
    }
  }
  return `# Made by ${madeBy} from ${join(repo, 'wrangler.toml')}; edit that file.\n${out.join('\n')}`;
}
