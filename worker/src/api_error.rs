//! The endpoint's one error shape: `{"error": {"code", "message", "param"}}` with a status.

use serde::Serialize;

/// An error answer. Messages are for shoppers and never carry secrets or upstream bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable, machine-readable code (`unknown_item`).
    pub code: &'static str,
    /// What went wrong, in words a shopper understands.
    pub message: String,
    /// The request field at fault (`items[0].id`), when there is one.
    pub param: Option<String>,
}

/// Also in `worker/guard.mjs`; the e2e panic test checks both say the same.
const INTERNAL_ERROR_MESSAGE: &str = "Something went wrong on our side and nothing was charged. Please try again.";

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<&'a str>,
}

impl ApiError {
    /// A new error without a param.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), param: None }
    }

    /// Something failed inside the worker itself (`worker/guard.mjs` answers a panic with the
    /// same body). No payment was confirmed: confirmation happens in the page, after this.
    pub fn internal() -> ApiError {
        ApiError::new(500, "internal_error", INTERNAL_ERROR_MESSAGE)
    }

    /// Names the request field at fault.
    pub fn param(mut self, param: impl Into<String>) -> ApiError {
        self.param = Some(param.into());
        self
    }

    /// The JSON body.
    pub fn to_json(&self) -> String {
        let body = Body { error: Inner { code: self.code, message: &self.message, param: self.param.as_deref() } };
        serde_json::to_string(&body).unwrap_or_else(|_| r#"{"error":{"code":"internal","message":"error"}}"#.to_owned())
    }
}

impl From<catalog::OrderError> for ApiError {
    fn from(e: catalog::OrderError) -> ApiError {
        ApiError::new(400, e.code(), e.to_string()).param(e.param())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_one_json_shape() {
        let json = ApiError::new(400, "unknown_item", "No book `x`.").param("items[0].id").to_json();
        assert_eq!(json, r#"{"error":{"code":"unknown_item","message":"No book `x`.","param":"items[0].id"}}"#);
        let json = ApiError::new(503, "stripe_not_configured", "Not set up.").to_json();
        assert!(!json.contains("param"));
    }

    #[test]
    fn an_internal_error_is_a_500_in_the_same_shape_without_a_param() {
        let error = ApiError::internal();
        assert_eq!(error.status, 500);
        let json: serde_json::Value = serde_json::from_str(&error.to_json()).unwrap();
        assert_eq!(json["error"]["code"], "internal_error");
        assert!(json["error"]["message"].as_str().unwrap().contains("nothing was charged"));
        assert!(json["error"].get("param").is_none());
    }
}
