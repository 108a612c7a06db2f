//! The shop's shared core: exact money, the price list and order pricing.
//!
//! Used by the generator (which writes the price list) and by the worker (which prices
//! orders from it), so a price is computed in exactly one place. No floats anywhere:
//! amounts are integers in a currency's minor unit from parsing to Stripe.

pub mod money;
pub mod order;
pub mod price_list;

pub use money::{Amount, Currency, PriceError};
pub use order::{price_order, Line, OrderError, PricedLine, PricedOrder, MAX_LINES, MAX_QUANTITY};
pub use price_list::{PriceList, PriceListEntry, PRICE_LIST_VERSION};
