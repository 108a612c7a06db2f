//! Speaking Stripe's REST API: the PaymentIntent we ask for, form-encoded as Stripe
//! expects, the idempotency key, the retry policy and what its answers mean for ours.

use catalog::{PricedLine, PricedOrder, STRIPE_API_VERSION};
use serde::Deserialize;

use crate::api_error::ApiError;

/// `Stripe-Version` sent with every call, so an account upgrade never changes our requests.
pub const API_VERSION: &str = STRIPE_API_VERSION;

/// How long one call to Stripe may take.
pub const CALL_TIMEOUT_MS: u32 = 10_000;

/// Calls per request at most (the first and its retries).
pub const MAX_ATTEMPTS: u32 = 3;

/// Stripe's metadata limits: values up to 500 characters, at most 50 keys.
const METADATA_VALUE_MAX: usize = 500;
const METADATA_KEYS_MAX: usize = 50;

/// The PaymentIntent create parameters for a priced order: amount, currency and the order
/// lines as metadata (`order`, `order_2`, … each within Stripe's 500-character limit).
pub fn payment_intent_params(order: &PricedOrder) -> Vec<(String, String)> {
    let mut params = vec![
        ("amount".to_owned(), order.amount.to_string()),
        ("currency".to_owned(), order.currency.code().to_owned()),
    ];
    let copies: u64 = order.lines.iter().map(|l| l.quantity).sum();
    params.push(("metadata[copies]".to_owned(), copies.to_string()));
    // Lines as `id:quantity`, split at line boundaries so no value passes 500 characters.
    let mut chunks: Vec<String> = vec![String::new()];
    for line in lines_by_id(order) {
        let entry = format!("{}:{}", line.id, line.quantity);
        let current = chunks.last_mut().filter(|c| c.chars().count() + entry.chars().count() + 2 <= METADATA_VALUE_MAX);
        match current {
            Some(chunk) if !chunk.is_empty() => {
                chunk.push_str(", ");
                chunk.push_str(&entry);
            }
            Some(chunk) => chunk.push_str(&entry),
            None => chunks.push(entry),
        }
    }
    for (i, chunk) in chunks.into_iter().enumerate().take(METADATA_KEYS_MAX - 1) {
        let key = if i == 0 { "metadata[order]".to_owned() } else { format!("metadata[order_{}]", i + 1) };
        params.push((key, chunk));
    }
    params
}

/// `application/x-www-form-urlencoded`, as Stripe reads it (`metadata[order]=…`).
pub fn form_encode(params: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, key, true);
        out.push('=');
        encode_into(&mut out, value, false);
    }
    out
}

fn encode_into(out: &mut String, text: &str, is_key: bool) {
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b'[' | b']' if is_key => out.push(char::from(b)),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
}

/// The `Idempotency-Key`: the client's attempt id plus a digest of the order. A retry or a
/// double click of the same attempt and cart gets the same PaymentIntent from Stripe; a
/// changed cart under the same attempt gets a new key rather than Stripe's idempotency error.
pub fn idempotency_key(attempt: &str, order: &PricedOrder) -> String {
    let mut order_text = Vec::with_capacity(order.lines.len() * 32);
    for line in lines_by_id(order) {
        order_text.extend_from_slice(line.id.as_bytes());
        order_text.extend_from_slice(&line.quantity.to_le_bytes());
        order_text.extend_from_slice(&line.unit_amount.to_le_bytes());
    }
    order_text.extend_from_slice(order.currency.code().as_bytes());
    let h = catalog::digest::fnv1a(&order_text);
    format!("bookshop-{attempt}-{h:016x}")
}

/// The order's lines by book id: the same cart in any line order is one request to Stripe
/// (the same key and the same parameters, which Stripe compares under one key).
fn lines_by_id(order: &PricedOrder) -> Vec<&PricedLine> {
    let mut lines: Vec<&PricedLine> = order.lines.iter().collect();
    lines.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    lines
}

/// The parts of a created PaymentIntent the page needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentIntent {
    /// `pi_…`.
    pub id: String,
    /// `pi_…_secret_…`, handed to Stripe.js to confirm.
    pub client_secret: String,
    /// What Stripe will charge, minor units.
    pub amount: u64,
    /// Lowercase currency.
    pub currency: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: StripeErrorDetail,
}

#[derive(Deserialize)]
struct StripeErrorDetail {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    code: String,
}

/// What one call to Stripe came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Created, and it is the PaymentIntent we asked for.
    Created(PaymentIntent),
    /// Worth calling again with the same idempotency key.
    Retry(Failure),
    /// Final: no retry will help.
    Fail(Failure),
}

/// Why Stripe did not give us a PaymentIntent; turned into our answer by [`Failure::to_api_error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Stripe refused the request (4xx): a bad key, or parameters it does not take.
    Rejected {
        /// HTTP status.
        status: u16,
        /// Stripe's error type (`invalid_request_error`) and code, for the log.
        kind: String,
    },
    /// Stripe failed or was unreachable (5xx, 429, 409, network).
    Unavailable {
        /// HTTP status, none for a network error.
        status: Option<u16>,
    },
    /// No answer in time.
    Timeout,
    /// A 2xx we cannot read, or a PaymentIntent for another amount than we asked.
    Garbled,
}

impl Failure {
    /// Our answer to the browser: safe words, no upstream body, no key.
    pub fn to_api_error(&self) -> ApiError {
        match self {
            Failure::Rejected { .. } | Failure::Garbled => ApiError::new(
                502,
                "stripe_error",
                "The payment provider could not take this payment. Please try again later.",
            ),
            Failure::Unavailable { .. } => ApiError::new(
                503,
                "stripe_unavailable",
                "The payment provider is unavailable. Please try again in a minute.",
            ),
            Failure::Timeout => {
                ApiError::new(504, "stripe_timeout", "The payment provider did not answer in time. Please try again.")
            }
        }
    }
}

/// Reads Stripe's answer to a create call. `should_retry` is the `Stripe-Should-Retry`
/// header, which wins over the status when present.
pub fn interpret(status: u16, should_retry: Option<&str>, body: &str, asked: &PricedOrder) -> Outcome {
    if (200..300).contains(&status) {
        return match serde_json::from_str::<PaymentIntent>(body) {
            Ok(pi) if pi.amount == asked.amount && pi.currency == asked.currency.code() && pi.id.starts_with("pi_") => {
                Outcome::Created(pi)
            }
            _ => Outcome::Fail(Failure::Garbled),
        };
    }
    let retryable = match should_retry {
        Some("true") => true,
        Some("false") => false,
        _ => matches!(status, 409 | 429) || status >= 500,
    };
    if retryable {
        return Outcome::Retry(Failure::Unavailable { status: Some(status) });
    }
    if status >= 500 {
        return Outcome::Fail(Failure::Unavailable { status: Some(status) });
    }
    let kind = serde_json::from_str::<ErrorBody>(body)
        .map(|b| format!("{}/{}", b.error.kind, b.error.code))
        .unwrap_or_else(|_| "unreadable".to_owned());
    Outcome::Fail(Failure::Rejected { status, kind })
}

/// Milliseconds to wait before retry number `retry` (1-based): exponential from 250 ms,
/// capped at 2 s, with `jitter` (0..=1000, from the caller's randomness) spreading up to half.
pub fn backoff_ms(retry: u32, jitter: u32) -> u32 {
    let base = 250u32.saturating_mul(1 << retry.saturating_sub(1).min(3)).min(2_000);
    base - base / 2 * jitter.min(1000) / 1000
}

/// True if `key` looks like a Stripe secret or restricted key.
pub fn is_secret_key(key: &str) -> bool {
    (key.starts_with("sk_") || key.starts_with("rk_"))
        && key.len() > 8
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use catalog::{price_order, Currency, Line, PriceList, PriceListEntry};

    use super::*;

    fn order(lines: &[(&str, u64)]) -> PricedOrder {
        let mut books = BTreeMap::new();
        for (id, _) in lines {
            books.insert(
                (*id).to_owned(),
                PriceListEntry {
                    title: "T".into(),
                    author: "A".into(),
                    amount: 2300,
                    currency: Currency::from_code("usd").expect("usd"),
                    available: true,
                    url: String::new(),
                    cover: String::new(),
                },
            );
        }
        let lines: Vec<Line> = lines.iter().map(|(id, q)| Line { id: (*id).to_owned(), quantity: *q }).collect();
        price_order(&PriceList::new("https://books.example", books), &lines).expect("valid order")
    }

    #[test]
    fn the_payment_intent_carries_amount_currency_and_lines() {
        let body = form_encode(&payment_intent_params(&order(&[("working-in-public", 2), ("hamming", 1)])));
        assert_eq!(
            body,
            "amount=6900&currency=usd&metadata[copies]=3&metadata[order]=hamming%3A1%2C%20working-in-public%3A2"
        );
    }

    #[test]
    fn the_same_cart_in_another_line_order_is_the_same_request_to_stripe() {
        let one = order(&[("working-in-public", 2), ("hamming", 1)]);
        let other = order(&[("hamming", 1), ("working-in-public", 2)]);
        assert_eq!(idempotency_key("t1", &one), idempotency_key("t1", &other));
        assert_eq!(payment_intent_params(&one), payment_intent_params(&other), "Stripe compares them under one key");
    }

    #[test]
    fn metadata_stays_within_stripes_limits_however_large_the_order() {
        let ids: Vec<String> =
            (0..50).map(|i| format!("{i:02}-{}", "a-very-long-book-identifier-x".repeat(2))).collect();
        let lines: Vec<(&str, u64)> = ids.iter().map(|id| (id.as_str(), 1)).collect();
        let params = payment_intent_params(&order(&lines));
        let metadata: Vec<_> = params.iter().filter(|(k, _)| k.starts_with("metadata[")).collect();
        assert!(metadata.len() <= 50);
        assert!(metadata.iter().all(|(k, v)| k.len() - 10 <= 40 && v.chars().count() <= 500));
        let all: String = metadata.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(", ");
        assert!(ids.iter().all(|id| all.contains(&format!("{id}:1"))), "every line is recorded");
    }

    #[test]
    fn the_idempotency_key_follows_the_attempt_and_the_cart() {
        let a = order(&[("x", 1)]);
        let b = order(&[("x", 2)]);
        assert_eq!(idempotency_key("t1", &a), idempotency_key("t1", &a));
        assert_ne!(idempotency_key("t1", &a), idempotency_key("t2", &a));
        assert_ne!(idempotency_key("t1", &a), idempotency_key("t1", &b));
        assert!(idempotency_key("t1", &a).len() <= 255);
    }

    #[test]
    fn stripe_answers_are_interpreted() {
        let asked = order(&[("x", 1)]);
        let ok = r#"{"id":"pi_1","client_secret":"pi_1_secret_2","amount":2300,"currency":"usd","status":"requires_payment_method"}"#;
        assert!(matches!(interpret(200, None, ok, &asked), Outcome::Created(pi) if pi.id == "pi_1"));
        let wrong_amount = ok.replace("2300", "1");
        assert_eq!(interpret(200, None, &wrong_amount, &asked), Outcome::Fail(Failure::Garbled));
        assert_eq!(interpret(200, None, "<html>", &asked), Outcome::Fail(Failure::Garbled));
        assert!(matches!(interpret(500, None, "", &asked), Outcome::Retry(_)));
        assert!(matches!(interpret(429, None, "", &asked), Outcome::Retry(_)));
        assert!(matches!(interpret(409, None, "", &asked), Outcome::Retry(_)));
        assert!(matches!(interpret(500, Some("false"), "", &asked), Outcome::Fail(Failure::Unavailable { .. })));
        assert!(matches!(interpret(400, Some("true"), "", &asked), Outcome::Retry(_)));
        let bad_key = r#"{"error":{"type":"invalid_request_error","code":"api_key_invalid","message":"Invalid API Key provided: sk_test_***"}}"#;
        let failure = match interpret(401, None, bad_key, &asked) {
            Outcome::Fail(f) => f,
            other => panic!("{other:?}"),
        };
        assert_eq!(failure, Failure::Rejected { status: 401, kind: "invalid_request_error/api_key_invalid".into() });
        let answer = failure.to_api_error();
        assert_eq!((answer.status, answer.code), (502, "stripe_error"));
        assert!(!answer.to_json().contains("sk_"));
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        assert_eq!(backoff_ms(1, 0), 250);
        assert_eq!(backoff_ms(2, 0), 500);
        assert_eq!(backoff_ms(9, 0), 2000);
        assert_eq!(backoff_ms(1, 1000), 125);
    }

    #[test]
    fn secret_keys_are_recognised() {
        assert!(is_secret_key("sk_test_localstripe"));
        assert!(!is_secret_key("pk_test_123456789"));
        assert!(!is_secret_key(""));
        assert!(!is_secret_key("sk_test_ with space"));
    }
}
