// The globals the theme's scripts share (tsconfig.json checks themes/default/static/*.js
// against them). Kept here, not in static/, because everything in static/ is published.
// The page's Stripe.js (its <script src="https://js.stripe.com/clover/stripe.js"> tag) is
// `window.Stripe`, declared by @stripe/stripe-js itself (optional: the script may not arrive).
import type { ClickResolveDetails, ConfirmPaymentData, StripeError } from '@stripe/stripe-js';

declare global {
  interface Window {
    Bookshop: Bookshop.Shared;
  }

  /** search.js's index (generator/src/search.rs writes it). */
  namespace Search {
    /** The manifest: shard tiers as [first term, url] pairs, weights, book chunks. */
    interface Manifest {
      fold: Record<string, string>;
      names: [string, string][];
      words: [string, string][];
      weights: number[];
      chunks: string[];
      per_chunk: number;
    }
    /** A shard: term → postings ([weight index, count, book deltas…]…). */
    type Shard = Record<string, number[]>;
    /** A book of a chunk: [id, title, author, price, url, cover, available]. */
    type Hit = [string, string, string, string, string, string, boolean];
  }

  namespace Bookshop {
    /** What the pages agree on with the worker: <body data-shop>, from the catalog crate. */
    interface Contract {
      endpoint: string;
      price_list: string;
      price_list_version: number;
      max_quantity: number;
      max_id_len: number;
      texts: Record<string, string>;
    }
    interface Cart {
      items: Record<string, number>;
    }
    interface PriceListBook {
      title: string;
      author: string;
      amount: number;
      currency: string;
      available?: boolean;
      url: string;
      cover?: string;
    }
    /** /catalog.json: all of the price list but its books (catalog/src/price_list.rs). */
    interface Manifest {
      version: number;
      origin: string;
      currencies: Record<string, { decimals: number }>;
      /** `path` names shard n with `{shard}` standing for n. */
      shards: { count: number; path: string };
    }
    /** One shard: the books whose id hashes to it (Shared.shardOf). */
    interface Shard {
      shard: number;
      count: number;
      books: Record<string, PriceListBook>;
    }
    /** What Shared.catalog gives: the manifest's fields and the books asked for. */
    interface PriceList {
      version: number;
      origin: string;
      books: Record<string, PriceListBook>;
      currencies: Record<string, { decimals: number }>;
    }
    /** A voucher's part of a PaymentIntent's next_action (display_oxxo_details, boleto_display_details, …). */
    interface VoucherDetails {
      hosted_voucher_url?: string | null;
      number?: string | null;
      entity?: string | null;
      reference?: string | null;
      expires_at?: number | null;
      expires_after?: number | null;
    }
    /** What the confirmation page shows of a voucher. */
    interface Voucher {
      label: string;
      number: string;
      url: string;
      due: number;
    }
    /** A line Pay buys. */
    interface Line {
      id: string;
      quantity: number;
      title: string;
      amount: number;
      currency: string;
    }
    interface Order {
      lines: Line[];
      amount: number;
      currency: string;
    }
    /** cart.js's helpers, on every page. */
    interface Shared {
      shop: Contract;
      keys: { cart: string; attempt: string; lastOrder: string };
      read(): Cart;
      write(cart: Cart): Cart;
      add(id: string, n?: number): number;
      setQty(id: string, qty: number): Cart;
      remove(id: string): Cart;
      clear(): Cart;
      count(cart?: Cart): number;
      showCount(cart?: Cart): void;
      toDecimal(minor: number, decimals: number): string;
      money(minor: number, currency: string, decimals?: number): string;
      /** The shard of the price list a book id is in, of `count`. */
      shardOf(id: string, count: number): number;
      /** The price list of the books `ids` names (none: the currencies only). */
      catalog(ids?: string[], fresh?: boolean): Promise<PriceList>;
      has(object: object | null | undefined, key: string): boolean;
      announce(text: string): void;
      /** What an express checkout's wallet sheet asks for (its click event's resolve). */
      sheet: ClickResolveDetails;
      checkout?: Checkout;
    }
    /** The checkout parts (checkout-*.js), each added by its own script. */
    interface Checkout {
      form: HTMLFormElement;
      $<T extends HTMLElement = HTMLElement>(id: string, type?: new () => T): T;
      messages: Messages;
      // Added by checkout-stripe.js, -lines.js and -fields.js, loaded in this order before -pay.js.
      stripe: StripePart;
      lines: Lines;
      fields: Fields;
    }
    /** checkout-stripe.js: the only part that talks to Stripe.js. */
    interface StripePart {
      blocked(): string;
      ready(): boolean;
      submit(): Promise<{ error?: StripeError }>;
      confirm(clientSecret: string, confirmParams: ConfirmPaymentData): Promise<{ error: StripeError }>;
    }
    interface Messages {
      problem(): string;
      standing(source: 'stripe' | 'order', text: string): void;
      say(text: string): void;
      retract(text: string): void;
      fromStripe(error: StripeError | undefined): string;
    }
    interface Lines {
      order(): Order;
      fmt(minor: number, currency: string): string;
      reload(): Promise<void>;
    }
    interface Fields {
      check(): boolean;
      email(): string;
      shipping(): NonNullable<ConfirmPaymentData['shipping']>;
    }
  }
}
