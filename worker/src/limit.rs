//! How many new checkouts one client may start: Cloudflare's Rate Limiting binding
//! (`[[ratelimits]]` `PAYMENT_INTENTS` in wrangler.toml) counts new PaymentIntents per
//! client IP, so a script cannot make thousands of them (the card-testing pattern Stripe
//! warns about). A retry of an attempt already let through is free: it carries the same
//! idempotency key, so Stripe answers it with the same PaymentIntent and makes none.

use std::collections::VecDeque;

use crate::api_error::ApiError;

/// The binding's name in wrangler.toml.
pub const BINDING: &str = "PAYMENT_INTENTS";

/// The binding's period, sent as `Retry-After` (a test holds wrangler.toml to it).
pub const PERIOD_SECONDS: u32 = 60;

/// How many admitted idempotency keys an isolate remembers, oldest forgotten first.
const REMEMBERED: usize = 1024;

/// The 429 a client over the limit gets.
pub fn rate_limited() -> ApiError {
    ApiError::new(
        429,
        "rate_limited",
        "Too many checkout attempts from your network in the last minute; nothing was charged. Please wait a minute and try again.",
    )
}

/// The idempotency keys this isolate let through lately: their retries skip the limiter.
#[derive(Default)]
pub struct Admitted {
    digests: VecDeque<u64>,
}

impl Admitted {
    /// Whether `key` was let through before.
    pub fn contains(&self, key: &str) -> bool {
        self.digests.contains(&catalog::digest::fnv1a(key.as_bytes()))
    }

    /// Remembers that `key` was let through.
    pub fn insert(&mut self, key: &str) {
        let digest = catalog::digest::fnv1a(key.as_bytes());
        if self.digests.contains(&digest) {
            return;
        }
        if self.digests.len() == REMEMBERED {
            self.digests.pop_front();
        }
        self.digests.push_back(digest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_of_an_admitted_attempt_is_recognised_and_memory_is_bounded() {
        let mut admitted = Admitted::default();
        assert!(!admitted.contains("bookshop-a-1"));
        admitted.insert("bookshop-a-1");
        admitted.insert("bookshop-a-1");
        assert!(admitted.contains("bookshop-a-1"));
        for i in 0..REMEMBERED {
            admitted.insert(&format!("bookshop-b-{i}"));
        }
        assert!(!admitted.contains("bookshop-a-1"), "the oldest is forgotten first");
        assert_eq!(admitted.digests.len(), REMEMBERED);
    }

    #[test]
    fn wrangler_toml_limits_payment_intents_per_the_period_the_worker_announces() {
        let config = include_str!("../../wrangler.toml");
        let table = config.split("[[ratelimits]]").nth(1).expect("a [[ratelimits]] table");
        assert!(table.contains(&format!("name = \"{BINDING}\"")), "{table}");
        assert!(table.contains(&format!("period = {PERIOD_SECONDS}")), "Retry-After must match: {table}");
    }

    #[test]
    fn the_answer_is_429_rate_limited() {
        let error = rate_limited();
        assert_eq!((error.status, error.code), (429, "rate_limited"));
    }
}
