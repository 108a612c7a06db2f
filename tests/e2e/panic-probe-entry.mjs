// The entry of the panic-probe worker (tests only): the same guard as worker/entry.mjs around a
// build of the worker with the `panic-probe` feature (`make e2e` builds it into target/).
import Shop from '../../target/panic-probe/build/index.js';
import { guard } from '../../worker/guard.mjs';

export default guard(Shop);
