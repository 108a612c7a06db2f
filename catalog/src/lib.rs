//! The shop's shared core: the book id rule, exact money, the price list, order pricing and
//! the contract between the pages and the worker ([`contract`]).
//!
//! Used by the generator (which writes the price list) and by the worker (which prices
//! orders from it), so a price is computed in exactly one place. No floats anywhere:
//! amounts are integers in a currency's minor unit from parsing to Stripe.

pub mod book_id;
pub mod contract;
pub mod digest;
pub mod money;
pub mod order;
pub mod price_list;

pub use book_id::{BookIdError, MAX_ID_LEN};
pub use contract::{PageContract, ENDPOINT, PRICE_LIST_PATH};
pub use money::{Amount, Currency, PriceError};
pub use order::{price_order, shards_needed, Line, OrderError, PricedLine, PricedOrder, MAX_LINES, MAX_QUANTITY};
pub use price_list::{Manifest, PriceList, PriceListEntry, Shard, PRICE_LIST_VERSION};

/// The Stripe API version the worker pins (`Stripe-Version`). Stripe.js is loaded from the
/// URL of the same release train ([`STRIPE_JS_URL`]), so the page and the worker agree.
pub const STRIPE_API_VERSION: &str = "2025-11-17.clover";

/// Stripe.js of the release train of [`STRIPE_API_VERSION`]. Always loaded from Stripe.
pub const STRIPE_JS_URL: &str = "https://js.stripe.com/clover/stripe.js";
