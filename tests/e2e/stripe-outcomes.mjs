// Outcomes real Stripe produces that localstripe cannot, made up by the tests' Stripe API (the
// harness's stripePublicApi) for the payment methods listed here, which the Stripe.js double
// offers in its select when a test installs it with `outcomes`:
//  - a voucher to pay later (OXXO, Boleto, Konbini, Multibanco): the PaymentIntent stays
//    `requires_action` with the voucher's `next_action` display details, as Stripe's API shapes them;
//  - a payment the bank is still confirming: `processing` for `processingChecks` retrievals
//    (Infinity: for ever), then `succeeded`.
// The PaymentIntent itself (amount, currency, client secret) is localstripe's; only its status
// and next_action are overlaid, and only for PaymentIntents confirmed with these methods.

const DAY = 24 * 60 * 60;

/** The voucher methods: [payment method, label, next_action field, details for a PaymentIntent id]. */
export const VOUCHERS = [
  ['pm_voucher_oxxo', 'OXXO (voucher)', 'display_oxxo_details', (id, now) => ({
    expires_after: now + 3 * DAY, hosted_voucher_url: `https://payments.stripe.com/oxxo/voucher/test_${id}`, number: '12345678901234657890123456789012',
  })],
  ['pm_voucher_boleto', 'Boleto (voucher)', 'boleto_display_details', (id, now) => ({
    expires_at: now + 3 * DAY, hosted_voucher_url: `https://payments.stripe.com/boleto/voucher/test_${id}`,
    number: '01010101010101010101010101010101010101010101010', pdf: `https://payments.stripe.com/boleto/voucher/test_${id}/pdf`,
  })],
  ['pm_voucher_konbini', 'Konbini (voucher)', 'konbini_display_details', (id, now) => ({
    expires_at: now + 3 * DAY, hosted_voucher_url: `https://payments.stripe.com/konbini/voucher/test_${id}`,
    stores: { familymart: { confirmation_number: '11111111111', payment_code: '123456' }, lawson: null, ministop: null, seicomart: null },
  })],
  ['pm_voucher_multibanco', 'Multibanco (voucher)', 'multibanco_display_details', (id, now) => ({
    entity: '12345', expires_at: now + 7 * DAY, hosted_voucher_url: `https://payments.stripe.com/multibanco/voucher/test_${id}`, reference: '123 456 789',
  })],
];
export const PROCESSING = 'pm_processing';

/** → { methods (for the double), confirm(id, pm, pi), retrieve(id, pi) } */
export function stripeOutcomes({ processingChecks = 3 } = {}) {
  const overlays = new Map(); // PaymentIntent id → { status, next_action, checks }
  const now = () => Math.floor(Date.now() / 1000);
  const view = (pi, o) => ({ ...pi, status: o.status, next_action: o.next_action });
  return {
    methods: [...VOUCHERS.map(([id, label]) => ({ id, label })), { id: PROCESSING, label: 'Bank debit (processing)' }],
    /** The PaymentIntent as Stripe answers its confirmation with `pm`, or null when localstripe should confirm. */
    confirm(id, pm, pi) {
      const voucher = VOUCHERS.find(([method]) => method === pm);
      if (voucher) {
        const [, , field, details] = voucher;
        overlays.set(id, { status: 'requires_action', next_action: { type: field, [field]: details(id, now()) } });
      } else if (pm === PROCESSING) {
        overlays.set(id, { status: 'processing', next_action: null, checks: 0 });
      } else {
        return null;
      }
      return view(pi, overlays.get(id));
    },
    /** The PaymentIntent as Stripe answers a retrieval (one more check of a processing payment). */
    retrieve(id, pi) {
      const o = overlays.get(id);
      if (!o) return pi;
      if (o.status === 'processing') {
        o.checks += 1;
        if (o.checks > processingChecks) o.status = 'succeeded';
      }
      return view(pi, o);
    },
    /** How often a PaymentIntent was retrieved while processing. */
    checks: (id) => overlays.get(id)?.checks ?? 0,
  };
}
