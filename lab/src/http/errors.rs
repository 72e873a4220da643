//! Every error answer of the APIs is JSON, `{"error": {"code", "message"}}` (with `"target"`,
//! the field at fault, when there is one), like the answers the handlers build themselves:
//! [`json_errors`] rewrites the answers the HTTP layers produce on their own (axum's
//! rejections of a path, query or body, 404/405 without a handler, the body limit), and
//! [`size_limits`] answers 414 and 431 before the request reaches a handler. Bad input is
//! echoed only as an [`excerpt`]: bounded and escaped.

use super::limits::{MAX_HEADER_BYTES, MAX_URI_BYTES};
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Characters of bad input echoed in an error message, at most.
const MAX_ECHO_CHARS: usize = 40;
/// Characters of a parser's or an HTTP layer's own error text kept, at most (it may quote
/// the request).
pub const MAX_QUOTING_TEXT_CHARS: usize = 300;
/// Bytes of a non-JSON error body read to build the JSON one.
const MAX_LAYER_TEXT_BYTES: usize = 4096;

/// `s` cut to `max` characters, every character that is not printable ASCII escaped (so a
/// log or terminal shows exactly what was sent), with the full length when cut.
pub fn bounded(s: &str, max: usize) -> String {
    let total = s.chars().count();
    let shown: String = s.chars().take(max).flat_map(char::escape_default).collect();
    if total > max {
        format!("{shown}… ({total} characters)")
    } else {
        shown
    }
}

/// A bounded, escaped excerpt of bad input, for error messages: at most 40 characters.
pub fn excerpt(s: &str) -> String {
    bounded(s, MAX_ECHO_CHARS)
}

/// The error body: `{"error": {"code", "message"}}`, with `"target"` when a field is named.
pub fn error_body(code: &str, message: &str, target: Option<&str>) -> Value {
    let mut e = json!({ "code": code, "message": message });
    if let Some(t) = target {
        e["target"] = json!(t);
    }
    json!({ "error": e })
}

/// The error code of a status: its reason phrase without spaces (`MethodNotAllowed`).
pub fn status_code_name(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("Error")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .collect()
}

/// An error answer with `status`, its code name and `message`.
pub fn error_response(status: StatusCode, message: &str) -> Response {
    (status, Json(error_body(&status_code_name(status), message, None))).into_response()
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Middleware: an error answer that is not JSON (an HTTP layer's own: an extractor's
/// rejection, the body limit, a route without the method) becomes JSON with the same status;
/// its text, bounded and escaped, becomes the message.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&res) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let text = to_bytes(body, MAX_LAYER_TEXT_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        bounded(&text, MAX_QUOTING_TEXT_CHARS)
    };
    let body = error_body(&status_code_name(status), &message, None).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(body))
}

/// Middleware: 414 for a request target longer than [`MAX_URI_BYTES`], 431 for a request line
/// and headers larger than [`MAX_HEADER_BYTES`] (as JSON; hyper refuses still larger header
/// blocks itself, see [`super::limits::HYPER_MAX_HEADER_BYTES`]).
pub async fn size_limits(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return error_response(
            StatusCode::URI_TOO_LONG,
            &format!("the request target is {target} bytes; at most {MAX_URI_BYTES} are answered"),
        );
    }
    // The request line (method, target, version) and each header line with its separators.
    let head = req.method().as_str().len()
        + target
        + 12
        + req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>();
    if head > MAX_HEADER_BYTES {
        return error_response(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            &format!("the request line and headers are {head} bytes; at most {MAX_HEADER_BYTES} are answered"),
        );
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_bounded_escaped_and_says_how_long_the_input_was() {
        assert_eq!(excerpt("AS64300"), "AS64300");
        let long = "9".repeat(10_000);
        let e = excerpt(&long);
        assert!(e.starts_with(&"9".repeat(40)), "{e}");
        assert!(e.ends_with("… (10000 characters)"), "{e}");
        assert!(e.len() < 80, "{e}");
        assert_eq!(excerpt("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
    }

    #[test]
    fn status_codes_are_named_by_their_reason_phrase() {
        assert_eq!(status_code_name(StatusCode::METHOD_NOT_ALLOWED), "MethodNotAllowed");
        assert_eq!(status_code_name(StatusCode::URI_TOO_LONG), "URITooLong");
        assert_eq!(status_code_name(StatusCode::NOT_FOUND), "NotFound");
    }

    #[test]
    fn an_error_body_names_its_target_only_when_given() {
        assert_eq!(
            error_body("NotFound", "no such route", None),
            json!({"error": {"code": "NotFound", "message": "no such route"}})
        );
        assert_eq!(
            error_body("InvalidRequestContent", "bad", Some("limit"))["error"]["target"],
            "limit"
        );
    }
}
