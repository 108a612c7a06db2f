// eslint (flat config) for the shop's JavaScript, beside tsc's type check (tsconfig.json): the
// recommended rules. The theme's scripts are classic browser scripts (no modules, no build
// step); the tests and tools are Node ES modules; the Stripe.js double runs in the page.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/', 'public/', 'target/', 'worker/build/', 'fuzz/', '.wrangler/', '.venv/', 'docs/', 'bench/'] },
  js.configs.recommended,
  {
    // `catch (_)` and `_`-named arguments say "deliberately unused".
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }] },
  },
  {
    files: ['themes/**/*.js', 'tests/e2e/stripe-double.js', 'generator/src/preview.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // Browser tests hand functions to page.evaluate: those run in the page.
    files: ['tests/e2e/*.test.mjs', 'tests/e2e/harness.mjs'],
    languageOptions: { globals: { ...globals.browser, ...globals.node, Stripe: 'readonly' } },
  },
];
