//! The Workers runtime shell: routing, reading the request, the price list (its manifest and
//! the shards an order needs) from the deployment's own static assets, and `fetch` to Stripe.
//! Every decision is made by the plain functions of the other modules; this file only moves
//! bytes.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use catalog::{price_order, shards_needed, Line, Manifest, PriceList, PricedOrder, Shard, ENDPOINT, PRICE_LIST_PATH};
use futures_util::future::{select, Either};
use js_sys::{Reflect, Uint8Array};
use serde::Serialize;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys::ReadableStreamDefaultReader;
use worker::{
    console_log, event, AbortController, Context, Date, Delay, Env, Fetch, Fetcher, Headers, Method, Request,
    RequestInit, Response, Result,
};

use crate::api_error::ApiError;
use crate::limit::{self, Admitted};
use crate::request::{self, Caller, MAX_BODY};
use crate::stripe::{self, Failure, Outcome, PaymentIntent};

const DEFAULT_STRIPE_API_BASE: &str = "https://api.stripe.com";

/// The most price-list shards an isolate keeps parsed (some 15 KB of JSON each): past it, one
/// is dropped for each new one, so a huge catalog never fills the isolate's 128 MB.
const CACHED_SHARDS: usize = 256;

/// A file of the price list, parsed, and its ETag.
type Cached<T> = (String, Rc<T>);

thread_local! {
    // The price list's manifest and the shards orders needed, each parsed once per isolate
    // and kept with its ETag: each order revalidates what it reads (`If-None-Match`, a 304
    // from the deployment's own assets), so an isolate never sells from a stale list, as it
    // would under `wrangler dev` when the watcher rewrites one.
    static MANIFEST: RefCell<Option<Cached<Manifest>>> = const { RefCell::new(None) };
    static SHARDS: RefCell<Vec<(u32, Cached<Shard>)>> = const { RefCell::new(Vec::new()) };
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
        // The price list's manifest carries the shop's configured origin (from site.toml's
        // base_url), so it is read before the origin is judged; orders are priced by it.
        let read = match env.assets("ASSETS") {
            Ok(assets) => manifest(&assets).await.map(|m| (assets, m)),
            Err(_) => Err(catalog_unavailable()),
        };
        match read {
            Err(error) => Err(error),
            Ok((assets, manifest)) => {
                let allowed = env.var("ALLOWED_ORIGINS").map(|v| v.to_string()).unwrap_or_default();
                caller = request::caller(origin.as_deref(), &manifest.origin, &allowed);
                match (caller, req.method()) {
                    (Caller::Foreign, _) => Err(request::foreign_origin()),
                    (Caller::Listed, Method::Options) => return preflight(origin.as_deref().unwrap_or_default()),
                    _ => payment_intent(req, &env, &assets, &manifest, &mut log).await,
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
    assets: &Fetcher,
    manifest: &Manifest,
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

    let prices = price_list(assets, manifest, &order_request.lines).await?;
    let order = price_order(&prices, &order_request.lines)?;
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

fn catalog_unavailable() -> ApiError {
    ApiError::new(503, "catalog_unavailable", "The price list could not be read. Please try again.")
}

/// The price list's manifest, revalidated.
async fn manifest(assets: &Fetcher) -> std::result::Result<Rc<Manifest>, ApiError> {
    let cached = MANIFEST.with(|m| m.borrow().clone());
    let manifest = match revalidate(assets, PRICE_LIST_PATH, cached.as_ref().map(|(etag, _)| etag.as_str())).await {
        Some(Fetched::NotModified) => cached.map(|(_, manifest)| manifest),
        Some(Fetched::Fresh { etag, text }) => serde_json::from_str::<Manifest>(&text).ok().map(|manifest| {
            let manifest = Rc::new(manifest);
            if let Some(etag) = etag {
                MANIFEST.with(|m| *m.borrow_mut() = Some((etag, manifest.clone())));
            }
            manifest
        }),
        None => None,
    };
    manifest.filter(|m| m.is_readable()).ok_or_else(catalog_unavailable)
}

/// The books `lines` names, from their shards only (read at once, each revalidated): what
/// [`price_order`] prices the order from. An id in none is not in it: `unknown_item`.
async fn price_list(assets: &Fetcher, manifest: &Manifest, lines: &[Line]) -> std::result::Result<PriceList, ApiError> {
    let wanted = shards_needed(manifest, lines);
    let read = all(wanted.iter().map(|n| shard(assets, manifest, *n)).collect()).await;
    let shards: Vec<Rc<Shard>> = read.into_iter().collect::<Option<_>>().ok_or_else(catalog_unavailable)?;
    let held: Vec<(u32, &Shard)> = wanted.iter().copied().zip(shards.iter().map(Rc::as_ref)).collect();
    Ok(manifest.price_list(&held, lines.iter().map(|l| l.id.as_str())))
}

/// Shard `n` of the price list, revalidated; none if it cannot be read or is of another
/// scheme than `manifest` (read while the watcher rewrote both: the order is retried).
async fn shard(assets: &Fetcher, manifest: &Manifest, n: u32) -> Option<Rc<Shard>> {
    let cached = SHARDS.with(|s| s.borrow().iter().find(|(m, _)| *m == n).map(|(_, c)| c.clone()));
    let shard =
        match revalidate(assets, &manifest.shard_path(n), cached.as_ref().map(|(etag, _)| etag.as_str())).await? {
            Fetched::NotModified => cached.map(|(_, shard)| shard)?,
            Fetched::Fresh { etag, text } => {
                let shard = Rc::new(serde_json::from_str::<Shard>(&text).ok()?);
                if let Some(etag) = etag {
                    SHARDS.with(|s| {
                        let mut shards = s.borrow_mut();
                        shards.retain(|(m, _)| *m != n);
                        if shards.len() >= CACHED_SHARDS {
                            shards.remove(0);
                        }
                        shards.push((n, (etag, shard.clone())));
                    });
                }
                shard
            }
        };
    manifest.holds(n, &shard).then_some(shard)
}

/// Runs `futures` at once; their outputs in order. (futures-util's `join_all` did the same for
/// 3 KiB more of gzipped WASM.)
async fn all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(outputs.drain(..).flatten().collect())
        }
    })
    .await
}

/// What revalidating a file of the deployment's own static assets gave.
enum Fetched {
    /// 304: the copy whose ETag was sent is current.
    NotModified,
    /// 200: the file, and its ETag if it has one.
    Fresh { etag: Option<String>, text: String },
}

/// GETs `path` from the deployment's own static assets, `If-None-Match: etag` when there is a
/// copy; none on any other answer.
async fn revalidate(assets: &Fetcher, path: &str, etag: Option<&str>) -> Option<Fetched> {
    let headers = Headers::new();
    if let Some(etag) = etag {
        headers.set("If-None-Match", etag).ok()?;
    }
    let mut init = RequestInit::new();
    init.with_headers(headers);
    let mut response = assets.fetch(format!("https://assets.local{path}"), Some(init)).await.ok()?;
    match (response.status_code(), etag) {
        (304, Some(_)) => Some(Fetched::NotModified),
        (200, _) => {
            let etag = response.headers().get("ETag").ok().flatten();
            Some(Fetched::Fresh { etag, text: response.text().await.ok()? })
        }
        _ => None,
    }
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
