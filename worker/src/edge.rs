//! The Workers runtime shell: routing, reading the request, the price list from the
//! deployment's own static assets, and `fetch` to Stripe. Every decision is made by the
//! plain functions of the other modules; this file only moves bytes.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use catalog::{price_order, PriceList, PricedOrder, ENDPOINT, PRICE_LIST_PATH};
use futures_util::future::{select, Either};
use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys::ReadableStreamDefaultReader;
use worker::{
    console_log, event, AbortController, Context, Date, Delay, Env, Fetch, Headers, Method, Request, RequestInit,
    Response, Result,
};

use crate::api_error::ApiError;
use crate::limit::{self, Admitted};
use crate::request::{self, Caller, MAX_BODY};
use crate::stripe::{self, Failure, Outcome, PaymentIntent};

const DEFAULT_STRIPE_API_BASE: &str = "https://api.stripe.com";

thread_local! {
    // The price list, parsed once per isolate and its ETag: each order revalidates it
    // (`If-None-Match`, a 304 from the deployment's own assets), so an isolate never sells
    // from a stale list, as it would under `wrangler dev` when the watcher rewrites it.
    static PRICES: RefCell<Option<(String, Rc<PriceList>)>> = const { RefCell::new(None) };
    // The idempotency keys this isolate let past the rate limiter: their retries are free.
    static ADMITTED: RefCell<Admitted> = RefCell::new(Admitted::default());
}

/// What one request did, logged as one JSON line. Never an email, address or key.
#[derive(Default, Serialize)]
struct LogLine {
    route: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    items: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_intent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stripe_request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stripe_failure: Option<String>,
    stripe_attempts: u32,
    latency_ms: u64,
    /// What failed inside the worker, on a 500.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The log line of a panic: where, and what it said; never the request.
#[derive(Serialize)]
struct PanicLine<'a> {
    panic: &'a str,
    message: &'a str,
}

/// A panic aborts the WASM instance (worker-build's shim then starts a fresh one). Log it as
/// one JSON line, without the request, so it can be found and fixed; then tell the JS guard
/// (`worker/guard.mjs`) so the requests in flight still answer 500 JSON.
#[event(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let line = serde_json::to_string(&PanicLine { panic: &place, message: &info.to_string() });
        worker::console_error!("{}", line.unwrap_or_default());
        let notify = js_sys::Reflect::get(&js_sys::global(), &"__shopPanicked".into());
        if let Ok(notify) = notify.and_then(|f| f.dyn_into::<js_sys::Function>()) {
            let _ = notify.call0(&JsValue::UNDEFINED);
        }
    }));
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    match serve(req, env, &path).await {
        Ok(response) => Ok(response),
        // workers-rs would answer a bare "INTERNAL SERVER ERROR"; keep the API's shape.
        Err(failure) => {
            let error = ApiError::internal();
            let line = LogLine {
                route: path,
                status: error.status,
                code: Some(error.code),
                error: Some(failure.to_string()),
                ..LogLine::default()
            };
            worker::console_error!("{}", serde_json::to_string(&line).unwrap_or_default());
            json_response(error.status, error.to_json())
        }
    }
}

async fn serve(req: Request, env: Env, path: &str) -> Result<Response> {
    let started = Date::now().as_millis();
    if !path.starts_with("/api/") {
        // Only /api/* runs the worker first; anything else is a static asset.
        return env.assets("ASSETS")?.fetch_request(req).await;
    }
    #[cfg(feature = "panic-probe")]
    crate::panic_probe::fail_on_request(&req).await?;
    let mut log = LogLine { route: path.to_owned(), ..LogLine::default() };
    let origin = req.headers().get("Origin").ok().flatten();
    let mut caller = Caller::SameOrigin;
    let result = if path == ENDPOINT {
        // The price list carries the shop's configured origin (from site.toml's base_url), so
        // it is read before the origin is judged; orders are priced from the same copy.
        match price_list(&env).await {
            Err(error) => Err(error),
            Ok(prices) => {
                let allowed = env.var("ALLOWED_ORIGINS").map(|v| v.to_string()).unwrap_or_default();
                caller = request::caller(origin.as_deref(), &prices.origin, &allowed);
                match (caller, req.method()) {
                    (Caller::Foreign, _) => Err(request::foreign_origin()),
                    (Caller::Listed, Method::Options) => return preflight(origin.as_deref().unwrap_or_default()),
                    _ => payment_intent(req, &env, &prices, &mut log).await,
                }
            }
        }
    } else {
        Err(not_found())
    };
    let response = match result {
        Ok(created) => json_response(200, serde_json::to_string(&created)?),
        Err(error) => {
            log.code = Some(error.code);
            let mut response = json_response(error.status, error.to_json());
            let extra = match error.status {
                405 => Some(("Allow", "POST".to_owned())),
                429 => Some(("Retry-After", limit::PERIOD_SECONDS.to_string())),
                _ => None,
            };
            if let Some((name, value)) = extra {
                response = response.and_then(|r| {
                    r.headers().set(name, &value)?;
                    Ok(r)
                });
            }
            response
        }
    }?;
    if let (Caller::Listed, Some(origin)) = (caller, origin) {
        response.headers().set("Access-Control-Allow-Origin", &origin)?;
        response.headers().set("Vary", "Origin")?;
    }
    log.status = response.status_code();
    log.latency_ms = Date::now().as_millis().saturating_sub(started);
    if let Ok(line) = serde_json::to_string(&log) {
        console_log!("{line}");
    }
    Ok(response)
}

/// The CORS preflight answer for a listed origin.
fn preflight(origin: &str) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Access-Control-Allow-Origin", origin)?;
    headers.set("Access-Control-Allow-Methods", "POST")?;
    headers.set("Access-Control-Allow-Headers", "Content-Type")?;
    headers.set("Access-Control-Max-Age", "86400")?;
    headers.set("Vary", "Origin")?;
    Ok(Response::empty()?.with_status(204).with_headers(headers))
}

fn not_found() -> ApiError {
    ApiError::new(404, "not_found", "No such endpoint.")
}

fn json_response(status: u16, text: String) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    headers.set("X-Content-Type-Options", "nosniff")?;
    Ok(Response::ok(text)?.with_status(status).with_headers(headers))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    client_secret: String,
    payment_intent: String,
    amount: u64,
    currency: String,
}

async fn payment_intent(
    mut req: Request,
    env: &Env,
    prices: &PriceList,
    log: &mut LogLine,
) -> std::result::Result<Created, ApiError> {
    if req.method() != Method::Post {
        return Err(ApiError::new(405, "method_not_allowed", "Use POST."));
    }
    // Cloudflare's own header: the client's address, which the client cannot set.
    let client = req.headers().get("CF-Connecting-IP").ok().flatten();
    let content_type = req.headers().get("Content-Type").ok().flatten();
    request::check_content_type(content_type.as_deref())?;
    let body = read_body(&mut req).await?;
    let order_request = request::parse(&body)?;
    log.items = order_request.lines.len();

    let order = price_order(prices, &order_request.lines)?;
    log.amount = Some(order.amount);
    log.currency = Some(order.currency.code());

    let secret = env.secret("STRIPE_SECRET_KEY").map(|s| s.to_string()).unwrap_or_default();
    if !stripe::is_secret_key(&secret) {
        return Err(ApiError::new(503, "stripe_not_configured", catalog::contract::PAYMENTS_NOT_CONFIGURED));
    }
    let base = env
        .var("STRIPE_API_BASE")
        .map(|v| v.to_string())
        .ok()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| DEFAULT_STRIPE_API_BASE.to_owned());
    let attempt = order_request.attempt.unwrap_or_else(random_token);
    let key = stripe::idempotency_key(&attempt, &order);
    admit(env, client.as_deref(), &key).await?;
    let pi = create_payment_intent(&base, &secret, &key, &order, log).await.map_err(|f| {
        log.stripe_failure = Some(format!("{f:?}"));
        f.to_api_error()
    })?;
    log.payment_intent = Some(pi.id.clone());
    Ok(Created { client_secret: pi.client_secret, payment_intent: pi.id, amount: pi.amount, currency: pi.currency })
}

/// Lets a new checkout attempt through the rate limiter ([`limit`]), or answers 429. A
/// retry of an attempt let through before (the same idempotency key) is not counted again.
/// Without the binding (a config that dropped it), nothing is limited.
async fn admit(env: &Env, client: Option<&str>, key: &str) -> std::result::Result<(), ApiError> {
    if ADMITTED.with(|a| a.borrow().contains(key)) {
        return Ok(());
    }
    if let Ok(limiter) = env.rate_limiter(limit::BINDING) {
        let outcome = limiter.limit(client.unwrap_or("unknown").to_owned()).await;
        // A limiter that cannot answer lets the shopper through: checkout beats the limit.
        if outcome.is_ok_and(|o| !o.success) {
            return Err(limit::rate_limited());
        }
    }
    ADMITTED.with(|a| a.borrow_mut().insert(key));
    Ok(())
}

/// Reads at most [`MAX_BODY`] bytes. A longer body is refused: by its declared
/// `Content-Length` before any of it is read; sent chunked, once read to its end (Cloudflare
/// caps a request body at 100 MB), copying nothing past the limit into the WASM: a body left
/// half read breaks the connection for the next request, someone else's (a 503 under
/// `wrangler dev`).
async fn read_body(req: &mut Request) -> std::result::Result<Vec<u8>, ApiError> {
    let declared = match req.headers().get("Content-Length").ok().flatten() {
        Some(length) => Some(length.trim().parse::<usize>().map_err(|_| request::bad_length())?),
        None => None,
    };
    if declared.is_some_and(|l| l > MAX_BODY) {
        return Err(request::too_large());
    }
    let unreadable = || ApiError::new(400, "invalid_request", "The request body could not be read.");
    if declared.is_some() {
        // Framed by its Content-Length (checked above): one read, no stream to walk.
        return req.bytes().await.map_err(|_| unreadable());
    }
    let Some(stream) = req.inner().body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut body = Vec::new();
    let mut seen = 0usize;
    loop {
        let read = JsFuture::from(reader.read()).await.map_err(|_| unreadable())?;
        if Reflect::get(&read, &"done".into()).map_or(true, |done| done.is_truthy()) {
            break;
        }
        let chunk: Uint8Array =
            Reflect::get(&read, &"value".into()).ok().and_then(|value| value.dyn_into().ok()).ok_or_else(unreadable)?;
        let start = seen;
        seen = seen.saturating_add(chunk.length() as usize);
        if seen <= MAX_BODY {
            body.resize(seen, 0);
            chunk.copy_to(&mut body[start..]);
        }
    }
    if seen > MAX_BODY {
        return Err(request::too_large());
    }
    Ok(body)
}

async fn price_list(env: &Env) -> std::result::Result<Rc<PriceList>, ApiError> {
    let unavailable =
        || ApiError::new(503, "catalog_unavailable", "The price list could not be read. Please try again.");
    let cached = PRICES.with(|p| p.borrow().clone());
    let headers = Headers::new();
    if let Some((etag, _)) = &cached {
        headers.set("If-None-Match", etag).map_err(|_| unavailable())?;
    }
    let mut init = RequestInit::new();
    init.with_headers(headers);
    let assets = env.assets("ASSETS").map_err(|_| unavailable())?;
    let url = format!("https://assets.local{PRICE_LIST_PATH}");
    let mut response = assets.fetch(url, Some(init)).await.map_err(|_| unavailable())?;
    match (response.status_code(), cached) {
        (304, Some((_, prices))) => return Ok(prices),
        (200, _) => {}
        _ => return Err(unavailable()),
    }
    let etag = response.headers().get("ETag").ok().flatten();
    let text = response.text().await.map_err(|_| unavailable())?;
    let prices: Rc<PriceList> = Rc::new(serde_json::from_str(&text).map_err(|_| unavailable())?);
    if prices.version != catalog::PRICE_LIST_VERSION {
        return Err(unavailable());
    }
    if let Some(etag) = etag {
        PRICES.with(|p| *p.borrow_mut() = Some((etag, prices.clone())));
    }
    Ok(prices)
}

/// Creates the PaymentIntent, retrying what Stripe says is worth retrying, with one
/// idempotency key throughout so a retry can never make a second PaymentIntent.
async fn create_payment_intent(
    base: &str,
    secret: &str,
    key: &str,
    order: &PricedOrder,
    log: &mut LogLine,
) -> std::result::Result<PaymentIntent, Failure> {
    let url = format!("{}/v1/payment_intents", base.trim_end_matches('/'));
    let body = stripe::form_encode(&stripe::payment_intent_params(order));
    let mut last = Failure::Unavailable { status: None };
    for n in 1..=stripe::MAX_ATTEMPTS {
        if n > 1 {
            let jitter = (js_sys::Math::random() * 1000.0) as u32;
            Delay::from(Duration::from_millis(u64::from(stripe::backoff_ms(n - 1, jitter)))).await;
        }
        log.stripe_attempts = n;
        let outcome = call(&url, secret, key, &body, order, log).await;
        match outcome {
            Outcome::Created(pi) => return Ok(pi),
            Outcome::Fail(f) => return Err(f),
            Outcome::Retry(f) => last = f,
        }
    }
    Err(last)
}

async fn call(url: &str, secret: &str, key: &str, body: &str, order: &PricedOrder, log: &mut LogLine) -> Outcome {
    let request = (|| -> Result<Request> {
        let headers = Headers::new();
        headers.set("Authorization", &format!("Bearer {secret}"))?;
        headers.set("Content-Type", "application/x-www-form-urlencoded")?;
        headers.set("Stripe-Version", stripe::API_VERSION)?;
        headers.set("Idempotency-Key", key)?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
        Request::new_with_init(url, &init)
    })();
    let Ok(request) = request else {
        return Outcome::Fail(Failure::Unavailable { status: None });
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let sent = Box::pin(fetch.send_with_signal(&signal));
    let timeout = Box::pin(Delay::from(Duration::from_millis(u64::from(stripe::CALL_TIMEOUT_MS))));
    let mut response = match select(sent, timeout).await {
        Either::Left((Ok(response), _)) => response,
        Either::Left((Err(_), _)) => return Outcome::Retry(Failure::Unavailable { status: None }),
        Either::Right(_) => {
            controller.abort();
            return Outcome::Retry(Failure::Timeout);
        }
    };
    log.stripe_request_id = response.headers().get("Request-Id").ok().flatten();
    let should_retry = response.headers().get("Stripe-Should-Retry").ok().flatten();
    let status = response.status_code();
    let text = response.text().await.unwrap_or_default();
    stripe::interpret(status, should_retry.as_deref(), &text, order)
}

/// A one-off attempt id when the page sent none (only scripts without a cart do that).
fn random_token() -> String {
    let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("srv-{:016x}", (a << 32) | b)
}
