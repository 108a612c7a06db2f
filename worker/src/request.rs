//! Reading `POST /api/payment-intent`: headers, size, and the JSON order, checked field by
//! field so every error names its `param`. Only ids and quantities are read; anything
//! else the browser sends (an `amount`, a `price`) is ignored.

use catalog::{book_id, Line, MAX_LINES, MAX_QUANTITY};
use serde_json::Value;

use crate::api_error::ApiError;

/// The largest request body read, in bytes.
pub const MAX_BODY: usize = 16 * 1024;

/// The longest attempt token accepted. Bounded as a book id is (both go into the
/// idempotency key, whose limit at Stripe is 255, and into log lines); book ids themselves
/// are checked by [`catalog::book_id`], the rule the generator names files by.
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

/// Parses and validates the body.
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
    if items.is_empty() {
        return Err(ApiError::new(400, "empty_order", "The cart is empty.").param("items"));
    }
    if items.len() > MAX_LINES {
        return Err(ApiError::new(
            400,
            "too_many_items",
            format!("An order can hold at most {MAX_LINES} different books."),
        )
        .param("items"));
    }
    let mut lines = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let param = |field: &str| format!("items[{index}]{field}");
        let item = item
            .as_object()
            .ok_or_else(|| invalid("Each item must be an object with `id` and `quantity`.", param("")))?;
        let id = match item.get("id") {
            // The generator names no book otherwise, so no such book is for sale.
            Some(Value::String(id)) if book_id::check(id).is_ok() => id.clone(),
            Some(Value::String(_)) => {
                return Err(ApiError::new(400, "unknown_item", "No such book is for sale here.").param(param(".id")))
            }
            Some(_) => return Err(invalid("`id` must be a string.", param(".id"))),
            None => return Err(invalid("`id` is required.", param(".id"))),
        };
        let quantity = match item.get("quantity") {
            Some(Value::Number(n)) => n.as_u64().filter(|q| (1..=MAX_QUANTITY).contains(q)),
            None => return Err(invalid("`quantity` is required.", param(".quantity"))),
            Some(_) => None,
        }
        .ok_or_else(|| {
            ApiError::new(400, "invalid_quantity", format!("Quantity must be a whole number from 1 to {MAX_QUANTITY}."))
                .param(param(".quantity"))
        })?;
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
    use super::*;

    fn code_and_param(body: &str) -> (u16, &'static str, Option<String>) {
        let e = parse(body.as_bytes()).expect_err(body);
        (e.status, e.code, e.param)
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
    fn every_id_the_generator_accepts_is_read_and_no_other() {
        let order = |id: &str| format!(r#"{{"items":[{{"id":"{id}","quantity":1}}]}}"#);
        // The id `bookshop new` makes of "Working in Public: The Making and Maintenance of
        // Open Source Software", cut at a word to fit (see the generator's tests).
        let longest = "working-in-public-the-making-and-maintenance-of-open-source";
        for id in [longest, &"a".repeat(catalog::MAX_ID_LEN), "1984", "-"] {
            assert_eq!(catalog::book_id::check(id), Ok(()), "the generator accepts {id}");
            let req = parse(order(id).as_bytes()).unwrap_or_else(|e| panic!("{id}: {e:?}"));
            assert_eq!(req.lines[0].id, id);
        }
        for id in [&"a".repeat(catalog::MAX_ID_LEN + 1), "Working", "a_b", "café", ""] {
            assert!(catalog::book_id::check(id).is_err(), "the generator refuses {id}");
            assert_eq!(code_and_param(&order(id)), (400, "unknown_item", Some("items[0].id".into())), "{id}");
        }
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
            (r#"{"items":[]}"#, (400, "empty_order", p("items"))),
            (r#"{"items":[1]}"#, (400, "invalid_request", p("items[0]"))),
            (r#"{"items":[{"quantity":1}]}"#, (400, "invalid_request", p("items[0].id"))),
            (r#"{"items":[{"id":7,"quantity":1}]}"#, (400, "invalid_request", p("items[0].id"))),
            (r#"{"items":[{"id":"../x","quantity":1}]}"#, (400, "unknown_item", p("items[0].id"))),
            (r#"{"items":[{"id":"a"}]}"#, (400, "invalid_request", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":0}]}"#, (400, "invalid_quantity", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":-1}]}"#, (400, "invalid_quantity", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":1.5}]}"#, (400, "invalid_quantity", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":"1"}]}"#, (400, "invalid_quantity", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":100}]}"#, (400, "invalid_quantity", p("items[0].quantity"))),
            (r#"{"items":[{"id":"a","quantity":1}],"attempt":"has space"}"#, (400, "invalid_request", p("attempt"))),
            (r#"{"items":[{"id":"a","quantity":1}],"attempt":5}"#, (400, "invalid_request", p("attempt"))),
        ];
        for (body, expected) in cases {
            assert_eq!(code_and_param(body), expected, "{body}");
        }
    }

    #[test]
    fn more_than_fifty_lines_and_oversized_bodies_are_refused() {
        let items: Vec<String> = (0..51).map(|i| format!(r#"{{"id":"b{i}","quantity":1}}"#)).collect();
        let body = format!(r#"{{"items":[{}]}}"#, items.join(","));
        assert_eq!(code_and_param(&body).1, "too_many_items");
        let huge = vec![b' '; MAX_BODY + 1];
        assert_eq!(parse(&huge).expect_err("413").status, 413);
    }
}

/// Who is calling, by the browser's `Origin` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// No `Origin` (a server or a same-origin GET) or the shop's own origin: no CORS needed.
    SameOrigin,
    /// An origin listed in `ALLOWED_ORIGINS`: answered with CORS headers.
    Listed,
    /// Any other origin: 403.
    Foreign,
}

/// Classifies `origin` against the shop's own origin and the comma-separated `allowed` list.
pub fn caller(origin: Option<&str>, own: &str, allowed: &str) -> Caller {
    match origin {
        None => Caller::SameOrigin,
        Some(o) if o == own => Caller::SameOrigin,
        Some(o) if allowed.split(',').map(str::trim).any(|a| !a.is_empty() && a == o) => Caller::Listed,
        Some(_) => Caller::Foreign,
    }
}

/// `scheme://host[:port]` of a serialized URL, without the URL parser (whose Unicode
/// tables would double the WASM): the origin ends at the first `/` after `://`.
pub fn origin_of(url: &str) -> &str {
    let host = url.find("://").map_or(0, |i| i + 3);
    url[host..].find('/').map_or(url, |end| &url[..host + end])
}

/// The error for a browser on another origin.
pub fn foreign_origin() -> ApiError {
    ApiError::new(403, "forbidden_origin", "Orders are only taken from the shop's own pages.")
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    #[test]
    fn only_the_shops_own_or_listed_origins_may_call() {
        let own = "https://books.example";
        let allowed = "https://press.example, https://other.example";
        assert_eq!(caller(None, own, allowed), Caller::SameOrigin);
        assert_eq!(caller(Some(own), own, allowed), Caller::SameOrigin);
        assert_eq!(caller(Some("https://other.example"), own, allowed), Caller::Listed);
        assert_eq!(caller(Some("https://evil.example"), own, allowed), Caller::Foreign);
        assert_eq!(caller(Some("null"), own, ""), Caller::Foreign);
        assert_eq!(caller(Some(""), own, ""), Caller::Foreign, "an empty list allows nothing");
    }

    #[test]
    fn the_origin_is_cut_from_the_url() {
        assert_eq!(origin_of("https://books.example/api/payment-intent?x=1"), "https://books.example");
        assert_eq!(origin_of("http://127.0.0.1:8787/api/payment-intent"), "http://127.0.0.1:8787");
        assert_eq!(origin_of("http://127.0.0.1:8787"), "http://127.0.0.1:8787");
    }
}
