//! What the shop's pages and its worker must agree on, defined once here: the endpoint's path,
//! the price list's path and version, the order limits, and the sentences both sides say.
//!
//! The worker uses these constants directly. The pages get them from the generator as one
//! value, [`PageContract`]: templates receive it as `shop` and `base.html` prints it into
//! `<body data-shop="…">` as JSON, where the theme's JavaScript reads it (docs/themes.md). So
//! the cart's quantity cap, the price-list version it accepts and the path it posts to are the
//! worker's own, and a change here reaches both with no copy to forget.

use serde::Serialize;

use crate::book_id::MAX_ID_LEN;
use crate::order::{OrderError, MAX_LINES, MAX_QUANTITY};
use crate::price_list::PRICE_LIST_VERSION;

/// The one dynamic path of the shop: `POST` an order here to get a PaymentIntent.
pub const ENDPOINT: &str = "/api/payment-intent";

/// Where the price list's manifest is served, site-relative (the generator writes it, the worker
/// reads it from its own static assets, the pages fetch it); it says where the shards are
/// ([`crate::price_list`]).
pub const PRICE_LIST_PATH: &str = "/catalog.json";

/// What the checkout and order pages say when the site was built without a publishable key.
pub const CHECKOUT_NOT_CONFIGURED: &str = "Checkout is not configured: set the Stripe publishable key \
     (stripe_publishable_key in content/site.toml or STRIPE_PUBLISHABLE_KEY at build time)";

/// What the endpoint says (503 `stripe_not_configured`) when the worker has no secret key.
pub const PAYMENTS_NOT_CONFIGURED: &str = "Payments are not set up on this shop yet: the Stripe secret key is missing.";

/// Everything the pages' scripts need to agree with the worker, as templates and scripts see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageContract {
    /// [`ENDPOINT`].
    pub endpoint: &'static str,
    /// [`PRICE_LIST_PATH`].
    pub price_list: &'static str,
    /// [`PRICE_LIST_VERSION`]: a page refuses a price list of another version.
    pub price_list_version: u32,
    /// [`MAX_QUANTITY`]: the most copies of one book the cart holds.
    pub max_quantity: u64,
    /// [`MAX_LINES`]: the most different books in one order.
    pub max_lines: usize,
    /// [`MAX_ID_LEN`]: a stored cart line with a longer id is no book.
    pub max_id_len: usize,
    /// Sentences the pages say that the worker (or another page) says too.
    pub texts: PageTexts,
}

/// The shared sentences of [`PageContract`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageTexts {
    /// [`CHECKOUT_NOT_CONFIGURED`].
    pub checkout_not_configured: &'static str,
    /// The endpoint's `mixed_currencies` message, which the cart says before sending.
    pub mixed_currencies: String,
}

impl PageContract {
    /// The contract of this build of the shop.
    pub fn current() -> PageContract {
        PageContract {
            endpoint: ENDPOINT,
            price_list: PRICE_LIST_PATH,
            price_list_version: PRICE_LIST_VERSION,
            max_quantity: MAX_QUANTITY,
            max_lines: MAX_LINES,
            max_id_len: MAX_ID_LEN,
            texts: PageTexts {
                checkout_not_configured: CHECKOUT_NOT_CONFIGURED,
                mixed_currencies: OrderError::MixedCurrencies { index: 0 }.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_get_the_workers_values_as_one_json_object() {
        let json = serde_json::to_string(&PageContract::current()).expect("serializes");
        let mixed = OrderError::MixedCurrencies { index: 0 }.to_string();
        let expected = format!(
            concat!(
                r#"{{"endpoint":"{}","price_list":"{}","price_list_version":{},"max_quantity":{},"#,
                r#""max_lines":{},"max_id_len":{},"texts":{{"checkout_not_configured":"{}","mixed_currencies":"{}"}}}}"#
            ),
            ENDPOINT,
            PRICE_LIST_PATH,
            PRICE_LIST_VERSION,
            MAX_QUANTITY,
            MAX_LINES,
            MAX_ID_LEN,
            CHECKOUT_NOT_CONFIGURED,
            mixed
        );
        assert_eq!(json, expected);
    }
}
