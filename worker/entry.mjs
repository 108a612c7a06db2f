// The worker's entry (wrangler.toml `main`): worker-build's module, guarded (see guard.mjs).
import Shop from './build/index.js';
import { guard } from './guard.mjs';

export default guard(Shop);
