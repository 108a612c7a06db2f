//! The shop's one dynamic part: `POST` an order to [`catalog::ENDPOINT`], get a PaymentIntent.
//!
//! The worker is a thin shell ([`edge`], WASM only) around plain functions that test
//! natively: [`request`] reads and validates the order, `catalog` prices it from the
//! deployment's own price list, [`stripe`] speaks Stripe's API, [`api_error`] shapes errors.

pub mod api_error;
pub mod limit;
pub mod request;
pub mod stripe;

#[cfg(target_arch = "wasm32")]
mod edge;
#[cfg(all(target_arch = "wasm32", feature = "panic-probe"))]
mod panic_probe;
