//! API errors: a status and `{"error": {"code", "message", "target"}}` (the shape every error
//! answer of the API has, see [`crate::http::errors`]); `target` names the field at fault.

use crate::http::errors::status_code_name;
use crate::http::{error_body, excerpt};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use route_server::runtime::RuntimeError;

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong and how to fix it.
    pub message: String,
    /// The request field at fault (`limit`, `asn`, ...), if one is.
    pub target: Option<&'static str>,
}

impl ApiError {
    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            target: None,
        }
    }

    /// 400 naming the field `target`.
    pub fn bad_field(target: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            target: Some(target),
            ..ApiError::bad_request(message)
        }
    }

    /// `status` with `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            target: None,
        }
    }
}

impl From<RuntimeError> for ApiError {
    fn from(e: RuntimeError) -> Self {
        match e {
            // The name comes from the request: echo a bounded, escaped excerpt only.
            RuntimeError::UnknownSession(name) => ApiError::new(
                StatusCode::NOT_FOUND,
                format!("no session named `{}`; GET /sessions lists them", excerpt(&name)),
            ),
            RuntimeError::BadRequest(m) | RuntimeError::Config(m) => ApiError::bad_request(m),
            RuntimeError::Io(m) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, m),
            e @ RuntimeError::Stopped => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = error_body(&status_code_name(self.status), &self.message, self.target);
        (self.status, Json(body)).into_response()
    }
}
