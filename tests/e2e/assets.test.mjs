// The theme's scripts as the site publishes them (generator/src/minify.rs: comments and
// indentation out) are the same programs as their sources: TypeScript's own parser reads both,
// and the two syntax trees, printed without comments, are identical. Prints the bytes saved.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import ts from 'typescript';

import { REPO_ROOT, requireFile } from './harness.mjs';

const BOOKSHOP = join(REPO_ROOT, 'target/release/bookshop');
const STATIC = join(REPO_ROOT, 'themes/default/static');

/** The program `text` parses to, printed by TypeScript without comments or our formatting. */
const program = (name, text) => {
  const file = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  assert.deepEqual(file.parseDiagnostics.map((d) => d.messageText), [], `${name} parses`);
  return ts.createPrinter({ removeComments: true }).printFile(file);
};

describe('published scripts', () => {
  let out;
  before(() => {
    requireFile(BOOKSHOP, 'make bookshop');
    out = mkdtempSync(join(tmpdir(), 'bookshop-assets-'));
    execFileSync(BOOKSHOP, ['--root', REPO_ROOT, 'build', '--output', out], { stdio: 'pipe' });
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('are the same programs as the theme sources, with fewer bytes', () => {
    const published = readdirSync(join(out, 'assets'));
    const scripts = readdirSync(STATIC).filter((name) => name.endsWith('.js'));
    assert.ok(scripts.length >= 8, 'the theme has its scripts');
    let before = 0;
    let afterBytes = 0;
    for (const name of scripts) {
      const stem = name.slice(0, -'.js'.length);
      const match = published.filter((file) => new RegExp(`^${stem}\\.[0-9a-f]{8}\\.js$`).test(file));
      assert.equal(match.length, 1, `${name} is published once under a fingerprinted name`);
      const source = readFileSync(join(STATIC, name), 'utf8');
      const shipped = readFileSync(join(out, 'assets', match[0]), 'utf8');
      assert.ok(shipped.length < source.length, `${name} lost its comments`);
      assert.ok(!/^\s*\/\//m.test(shipped) && !shipped.includes('/**'), `${name} has no comment left`);
      assert.equal(program(match[0], shipped), program(name, source), `${name} is the same program`);
      before += gzipSync(source).length;
      afterBytes += gzipSync(shipped).length;
    }
    console.log(`theme scripts gzipped: ${before} B as written, ${afterBytes} B as published`);
  });
});
