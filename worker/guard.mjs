// Whatever happens inside the WASM, the API answers in its own JSON error shape.
//
// A Rust panic aborts the WASM instance (panic = "abort"): the request it was serving would
// get workerd's bare 500, and a panic after an `await` would leave it with no answer at all.
// The panic hook (worker/src/edge.rs) calls `globalThis.__shopPanicked` before the abort;
// every request in flight in this isolate then answers 500 `internal_error`, and the next
// request gets a fresh instance (worker-build's shim reinitialises it).

import { WorkerEntrypoint } from 'cloudflare:workers';

const inFlight = new Set();

globalThis.__shopPanicked = () => {
  for (const fail of inFlight) fail();
};

const INTERNAL_ERROR = JSON.stringify({
  error: {
    code: 'internal_error',
    message: 'Something went wrong on our side and nothing was charged. Please try again.',
  },
});

function internalError() {
  return new Response(INTERNAL_ERROR, {
    status: 500,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

/** The entrypoint class `Inner` (worker-build's), with every failure answered as JSON. */
export function guard(Inner) {
  return class Guarded extends WorkerEntrypoint {
    async fetch(request) {
      let fail;
      const failed = new Promise((resolve) => {
        fail = resolve;
      });
      inFlight.add(fail);
      try {
        const served = new Inner(this.ctx, this.env).fetch(request);
        return await Promise.race([served, failed.then(internalError)]);
      } catch (error) {
        // An `Err` returned by the Rust handler, or the trap of a panic before its first await.
        const route = new URL(request.url).pathname;
        console.error(JSON.stringify({ route, status: 500, code: 'internal_error', error: String(error?.message ?? error) }));
        return internalError();
      } finally {
        inFlight.delete(fail);
      }
    }
  };
}
