//! Reading an order posted to the endpoint ([`catalog::ENDPOINT`]): headers, size, and the
//! JSON order's shape, checked field by field so every error names its `param`. Only ids and
//! quantities are read; anything else the browser sends (an `amount`, a `price`) is ignored.
//!
//! This module checks shapes and types only: that `items` is a list of objects with a string
//! `id` and a whole-number `quantity`. The order's rules (how many lines, how many copies,
//! which ids) are `catalog::price_order`'s alone, so each rule has one home and one message.
//! The two limits here protect the parser itself, not the order: [`MAX_BODY`] and [`MAX_TOKEN`].

use catalog::{Line, OrderError};
use serde_json::Value;

use crate::api_error::ApiError;

/// The largest request body read, in bytes: bounds the parser's work and memory (and so the
/// number of lines `price_order` is ever handed). Not an order rule.
pub const MAX_BODY: usize = 16 * 1024;

/// The longest attempt token accepted. Bounded as a book id is (both go into the
/// idempotency key, whose limit at Stripe is 255, and into log lines).
pub const MAX_TOKEN: usize = catalog::MAX_ID_LEN;

/// A validated order request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    /// The lines, ids and quantities only.
    pub lines: Vec<Line>,
    /// The client's id for this payment attempt: retries with it reuse one PaymentIntent.
    pub attempt: Option<String>,
}

/// 415 unless the body is declared as JSON.
pub fn check_content_type(content_type: Option<&str>) -> Result<(), ApiError> {
    let media = content_type.and_then(|c| c.split(';').next()).map(|m| m.trim().to_ascii_lowercase());
    if media.as_deref() == Some("application/json") {
        Ok(())
    } else {
        Err(ApiError::new(415, "unsupported_media_type", "Send the order as application/json."))
    }
}

/// The error for a body over [`MAX_BODY`].
pub fn too_large() -> ApiError {
    ApiError::new(413, "request_too_large", format!("The request body is over {} KiB.", MAX_BODY / 1024))
}

/// A `Content-Length` that is not a number of bytes.
pub fn bad_length() -> ApiError {
    ApiError::new(400, "invalid_request", "The Content-Length header is not a number of bytes.")
}

fn invalid(message: impl Into<String>, param: impl Into<String>) -> ApiError {
    ApiError::new(400, "invalid_request", message).param(param)
}

/// A short token of letters, digits, `-` and `_` (an attempt): safe in an idempotency key
/// and in logs.
pub fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_TOKEN
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Parses the body and checks its shape; the order's rules are `catalog::price_order`'s.
pub fn parse(body: &[u8]) -> Result<OrderRequest, ApiError> {
    if body.len() > MAX_BODY {
        return Err(too_large());
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            400,
            "invalid_json",
            format!("The body is not valid JSON (line {}, column {}).", e.line(), e.column()),
        )
    })?;
    let object = value
        .as_object()
        .ok_or_else(|| ApiError::new(400, "invalid_request", "The body must be a JSON object with `items`."))?;
    let items = match object.get("items") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("`items` must be a list.", "items")),
        None => return Err(invalid("`items` is required.", "items")),
    };
    let mut lines = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let param = |field: &str| format!("items[{index}]{field}");
        let item = item
            .as_object()
            .ok_or_else(|| invalid("Each item must be an object with `id` and `quantity`.", param("")))?;
        let id = match item.get("id") {
            Some(Value::String(id)) => id.clone(),
            Some(_) => return Err(invalid("`id` must be a string.", param(".id"))),
            None => return Err(invalid("`id` is required.", param(".id"))),
        };
        let quantity = match item.get("quantity") {
            None => return Err(invalid("`quantity` is required.", param(".quantity"))),
            Some(value) => value.as_u64(),
        }
        // Not a whole number at all (1.5, -1, "1"): the quantity rule's own error and words.
        .ok_or_else(|| ApiError::from(OrderError::InvalidQuantity { index }))?;
        lines.push(Line { id, quantity });
    }
    let attempt = match object.get("attempt") {
        None | Some(Value::Null) => None,
        Some(Value::String(a)) if is_token(a) => Some(a.clone()),
        Some(_) => {
            return Err(invalid(
                format!("`attempt` must be a token of up to {MAX_TOKEN} letters, digits, '-' or '_'."),
                "attempt",
            ))
        }
    };
    Ok(OrderRequest { lines, attempt })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use catalog::{price_order, Currency, PriceList, PriceListEntry};

    use super::*;

    fn code_and_param(body: &str) -> (u16, &'static str, Option<String>) {
        let e = parse(body.as_bytes()).expect_err(body);
        (e.status, e.code, e.param)
    }

    fn prices() -> PriceList {
        let usd = Currency::from_code("usd").expect("supported");
        let entry = PriceListEntry {
            title: "A".into(),
            author: "B".into(),
            amount: 2300,
            currency: usd,
            available: true,
            url: String::new(),
            cover: String::new(),
        };
        PriceList::new("https://books.example", BTreeMap::from([("a".to_owned(), entry)]))
    }

    /// What the endpoint answers a body: the parser's error, or `price_order`'s.
    fn answer(body: &str) -> Result<u64, ApiError> {
        let request = parse(body.as_bytes())?;
        Ok(price_order(&prices(), &request.lines)?.amount)
    }

    #[test]
    fn a_valid_order_keeps_only_ids_and_quantities() {
        let req =
            parse(br#"{"items":[{"id":"working-in-public","quantity":2,"price":1}],"amount":1,"attempt":"a1_b-2"}"#)
                .expect("valid");
        assert_eq!(req.lines, vec![Line { id: "working-in-public".into(), quantity: 2 }]);
        assert_eq!(req.attempt.as_deref(), Some("a1_b-2"));
    }

    #[test]
    fn json_content_type_is_required() {
        assert!(check_content_type(Some("application/json")).is_ok());
        assert!(check_content_type(Some("Application/JSON; charset=utf-8")).is_ok());
        for bad in [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("application/jsonx")] {
            assert_eq!(check_content_type(bad).expect_err("415").status, 415);
        }
    }

    #[test]
    fn each_malformed_body_names_its_field() {
        let p = |s: &str| Some(s.to_owned());
        let cases = [
            ("", (400, "invalid_json", None)),
            ("{", (400, "invalid_json", None)),
            ("[]", (400, "invalid_request", None)),
            ("{}", (400, "invalid_request", p("items"))),
            (r#"{"items":{}}"#, (400, "invalid_request", p("items"))),
            (r#"{"items":[1]}"#, (400, "invalid_request", p("items[0]"))),
            (r#"{"items":[{"quantity":1}]}"#, (400, "invalid_request", p("items[0].id"))),
            (r#"{"items":[{"id":7,"quantity":1}]}"#, (400, "invalid_request", p("items[0].id"))),
            (r#"{"items":[{"id":"a"}]}"#, (400, "invalid_request", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":-1}]}"#, (400, "invalid_quantity", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":1.5}]}"#, (400, "invalid_quantity", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":"1"}]}"#, (400, "invalid_quantity", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":1}],"attempt":"has space"}"#, (400, "invalid_request", p("attempt"))),
            (r#"{"items":[{"id":"a","quantity":1}],"attempt":5}"#, (400, "invalid_request", p("attempt"))),
            // 51 lines, none an object: the shape is wrong before any rule is asked.
            (&format!(r#"{{"items":[{}]}}"#, vec!["1"; 51].join(",")), (400, "invalid_request", p("items[0]"))),
        ];
        for (body, expected) in cases {
            assert_eq!(code_and_param(body), expected, "{body}");
        }
    }

    #[test]
    fn the_order_rules_are_price_orders_and_so_are_their_words() {
        use catalog::MAX_QUANTITY;
        let order = |items: &str| format!(r#"{{"items":[{items}]}}"#);
        let one = |id: &str, quantity: &str| order(&format!(r#"{{"id":"{id}","quantity":{quantity}}}"#));
        let many: Vec<String> = (0..=catalog::MAX_LINES).map(|i| format!(r#"{{"id":"b{i}","quantity":1}}"#)).collect();
        let cases = [
            (order(""), OrderError::Empty),
            (order(&many.join(",")), OrderError::TooManyLines(catalog::MAX_LINES + 1)),
            (one("a", "0"), OrderError::InvalidQuantity { index: 0 }),
            (one("a", &(MAX_QUANTITY + 1).to_string()), OrderError::InvalidQuantity { index: 0 }),
            (one("a", "1.5"), OrderError::InvalidQuantity { index: 0 }),
            (one("../x", "1"), OrderError::NotAnId { index: 0 }),
            (one("nope", "1"), OrderError::UnknownItem { index: 0, id: "nope".into() }),
        ];
        for (body, rule) in cases {
            // Status, code, param and message: catalog's error, as the endpoint answers it.
            assert_eq!(answer(&body), Err(ApiError::from(rule)), "{body}");
        }
        assert_eq!(answer(&one("a", &MAX_QUANTITY.to_string())), Ok(2300 * MAX_QUANTITY));
    }

    #[test]
    fn oversized_bodies_are_refused_before_parsing() {
        let huge = vec![b' '; MAX_BODY + 1];
        assert_eq!(parse(&huge).expect_err("413").status, 413);
    }
}

/// Who is calling, by the browser's `Origin` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// No `Origin` (a server, a script) or the shop's own origin: no CORS needed.
    SameOrigin,
    /// An origin listed in `ALLOWED_ORIGINS`: answered with CORS headers.
    Listed,
    /// Any other origin, `null`, or an empty `Origin:` (no browser sends one): 403.
    Foreign,
}

/// Classifies `origin` against the shop's configured origin (`site`: the price list's, made
/// from `base_url`) and the comma-separated `allowed` list, byte for byte, as browsers
/// serialize origins. Never against the request's own URL: its host is the `Host` header,
/// which the client chooses.
pub fn caller(origin: Option<&str>, site: &str, allowed: &str) -> Caller {
    let listed = |o: &str| allowed.split(',').map(str::trim).any(|a| a == o);
    match origin {
        None => Caller::SameOrigin,
        Some("") => Caller::Foreign,
        Some(o) if o == site => Caller::SameOrigin,
        Some(o) if listed(o) => Caller::Listed,
        Some(_) => Caller::Foreign,
    }
}

/// The error for a browser on another origin.
pub fn foreign_origin() -> ApiError {
    ApiError::new(403, "forbidden_origin", "Orders are only taken from the shop's own pages.")
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    const SITE: &str = "https://books.example";

    #[test]
    fn the_configured_origin_and_listed_ones_may_call() {
        let allowed = "https://press.example, https://other.example";
        assert_eq!(caller(None, SITE, allowed), Caller::SameOrigin, "a server sends no Origin");
        assert_eq!(caller(Some(SITE), SITE, allowed), Caller::SameOrigin);
        assert_eq!(caller(Some("https://other.example"), SITE, allowed), Caller::Listed);
        assert_eq!(caller(Some("https://press.example"), SITE, allowed), Caller::Listed);
    }

    #[test]
    fn any_other_origin_is_foreign() {
        let allowed = "https://press.example,";
        for origin in [
            "https://evil.example",
            "null",
            "",
            "https://books.example/",
            "HTTPS://books.example",
            "https://books.example:443",
            "http://books.example",
            "https://press.example.evil.example",
        ] {
            assert_eq!(caller(Some(origin), SITE, allowed), Caller::Foreign, "{origin:?}");
        }
    }

    #[test]
    fn an_empty_origin_is_never_the_shops_nor_listed() {
        // A price list without an origin, an empty list entry: neither lets "" through.
        assert_eq!(caller(Some(""), "", ""), Caller::Foreign);
        assert_eq!(caller(Some(""), SITE, " , "), Caller::Foreign);
    }
}
