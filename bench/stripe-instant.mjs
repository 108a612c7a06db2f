// A Stripe stand-in that answers at once, for `make bench`: creating a PaymentIntent costs
// nothing here, so the figures measure the workers, not the Stripe double.
//     node bench/stripe-instant.mjs PORT
import http from 'node:http';

let n = 0;
http
  .createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const id = `pi_bench${(++n).toString(36).padStart(8, '0')}`;
      const pi = {
        id, object: 'payment_intent', client_secret: `${id}_secret_bench`,
        amount: Number(form.get('amount')), currency: form.get('currency'), status: 'requires_payment_method',
      };
      res.writeHead(200, { 'Content-Type': 'application/json', 'Request-Id': `req_${n}` });
      res.end(JSON.stringify(pi));
    });
  })
  .listen(Number(process.argv[2] || 12111), '127.0.0.1');
