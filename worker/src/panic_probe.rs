//! Test builds only (`--features panic-probe`, never in a deployed worker): a request with
//! `X-Panic-Probe` fails on purpose, so the tests can prove that a panic or an error inside
//! the worker still answers the API's 500 JSON and that the next request is served.

use std::time::Duration;

use worker::{Delay, Request, Result};

/// `now`: panic before any await; `later`: panic after one; `error`: return an `Err`.
pub(crate) async fn fail_on_request(req: &Request) -> Result<()> {
    match req.headers().get("X-Panic-Probe")?.as_deref() {
        Some("now") => panic!("panic probe: now"),
        Some("later") => {
            Delay::from(Duration::from_millis(1)).await;
            panic!("panic probe: later")
        }
        Some("error") => Err(worker::Error::RustError("panic probe: error".into())),
        _ => Ok(()),
    }
}
