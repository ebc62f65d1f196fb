//! Errors that keep what the provider said.
//!
//! Every generated `send()` returns `Result<Response<T>, ApiError<E>>`: one error type, where
//! every error that came from a response carries its HTTP status, headers and raw body, a body
//! that does not fit its documented type names the field (`result[0].amount`), and a request
//! refused before sending names the field and the reason. `E` is the documented shape of the
//! operation's error bodies; [`ErrorBody<E>`] keeps the raw JSON text beside it, so an error
//! body of another shape is still the provider's error.

use std::fmt;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::response::Response;
use crate::transport::BufferedBody;

/// An error response body: the provider's raw JSON text, and its documented shape when it
/// matches one.
#[derive(Clone)]
pub struct ErrorBody<T> {
    raw: Box<RawValue>,
    parsed: Result<T, String>,
}

impl<T> ErrorBody<T> {
    /// The body exactly as the provider sent it (JSON text).
    pub fn raw(&self) -> &str {
        self.raw.get()
    }

    /// The body in its documented shape, if it has one.
    pub fn parsed(&self) -> Option<&T> {
        self.parsed.as_ref().ok()
    }

    /// Why the body does not fit the documented shape, if it does not.
    pub fn mismatch(&self) -> Option<&str> {
        self.parsed.as_ref().err().map(String::as_str)
    }
}

impl<T: DeserializeOwned> ErrorBody<T> {
    /// Reads a body from JSON text; `None` if it is not JSON at all.
    pub fn from_json(text: &str) -> Option<Self> {
        let raw = RawValue::from_string(text.trim().to_owned()).ok()?;
        Some(Self::from_raw(raw))
    }

    fn from_raw(raw: Box<RawValue>) -> Self {
        let parsed = serde_json::from_str(raw.get()).map_err(|e| e.to_string());
        Self { raw, parsed }
    }
}

impl<T> ErrorBody<T> {
    /// A body already decoded from `raw` (its JSON text).
    pub(crate) fn decoded(raw: &[u8], parsed: T) -> Option<Self> {
        let raw = RawValue::from_string(String::from_utf8(raw.to_vec()).ok()?.trim().to_owned());
        Some(Self {
            raw: raw.ok()?,
            parsed: Ok(parsed),
        })
    }

    /// A JSON body that does not fit the documented shape, and why; `None` if `raw` is not
    /// JSON at all.
    pub(crate) fn mismatched(raw: &[u8], why: String) -> Option<Self> {
        let text = std::str::from_utf8(raw).ok()?.trim();
        let raw = RawValue::from_string(text.to_owned()).ok()?;
        Some(Self {
            raw,
            parsed: Err(why),
        })
    }
}

impl<T: fmt::Debug> fmt::Debug for ErrorBody<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.parsed {
            Ok(parsed) => f.debug_tuple("ErrorBody").field(parsed).finish(),
            Err(mismatch) => f
                .debug_struct("ErrorBody")
                .field("raw", &self.raw.get())
                .field("mismatch", mismatch)
                .finish(),
        }
    }
}

impl<T: PartialEq> PartialEq for ErrorBody<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw.get() == other.raw.get()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for ErrorBody<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde_json hands over the value's text as it was sent.
        Box::<RawValue>::deserialize(deserializer).map(Self::from_raw)
    }
}

impl<T> Serialize for ErrorBody<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

/// Everything that can go wrong with a call, each kind keeping what is known of it.
///
/// Every error that came from a response keeps its HTTP status, headers and raw body
/// ([`status`](Self::status), [`headers`](Self::headers), [`body`](Self::body)) for logging.
/// `E` is the documented shape of the provider's error bodies.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiError<E> {
    /// Refused before anything was sent: an argument breaks a documented limit or rule (a
    /// length, a range, `start` after `end`, ...). The message names the field and the reason.
    InvalidRequest(String),
    /// No usable response: connection, TLS or timeout failure, or the body could not be read.
    Transport(reqwest::Error),
    /// The provider answered with a documented error status.
    Provider {
        /// The HTTP status.
        status: StatusCode,
        /// The response headers.
        headers: Box<HeaderMap>,
        /// The body: its JSON text as sent (less surrounding whitespace), and its documented
        /// shape when it matches.
        body: Box<ErrorBody<E>>,
    },
    /// The provider answered with a status the documentation does not list (a proxy's 502
    /// page, say). Check `status.is_success()` before treating it as a failure.
    UnexpectedStatus {
        /// The HTTP status.
        status: StatusCode,
        /// The response headers.
        headers: Box<HeaderMap>,
        /// The body as received.
        body: Vec<u8>,
    },
    /// The response body does not fit its documented type (an HTML page where JSON was
    /// expected, a malformed amount, a missing field).
    InvalidResponse {
        /// The HTTP status.
        status: StatusCode,
        /// The response headers.
        headers: Box<HeaderMap>,
        /// Where in the body decoding failed, e.g. `data.amount` (`.` for the whole body).
        path: String,
        /// Why it failed.
        message: String,
        /// The body as received.
        body: Vec<u8>,
    },
}

impl<E> ApiError<E> {
    /// The HTTP status of the response this error came from, if any.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Provider { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::InvalidResponse { status, .. } => Some(*status),
            Self::Transport(e) => e.status(),
            Self::InvalidRequest(_) => None,
        }
    }

    /// The headers of the response this error came from, if any.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Self::Provider { headers, .. }
            | Self::UnexpectedStatus { headers, .. }
            | Self::InvalidResponse { headers, .. } => Some(headers),
            Self::Transport(_) | Self::InvalidRequest(_) => None,
        }
    }

    /// The raw body of the response this error came from, if any.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Self::Provider { body, .. } => Some(body.raw().as_bytes()),
            Self::UnexpectedStatus { body, .. } | Self::InvalidResponse { body, .. } => Some(body),
            Self::Transport(_) | Self::InvalidRequest(_) => None,
        }
    }

    /// The documented error body, when the provider sent one that matches.
    pub fn provider_error(&self) -> Option<&E> {
        match self {
            Self::Provider { body, .. } => body.parsed(),
            _ => None,
        }
    }

    /// Whether the request was refused before anything was sent.
    pub fn is_invalid_request(&self) -> bool {
        matches!(self, Self::InvalidRequest(_))
    }

    /// The generated code's name for a documented error status whose body decoded.
    #[doc(hidden)]
    #[allow(non_snake_case)]
    pub fn ErrorResponse(response: Response<E>) -> Self {
        let (value, status, headers, raw) = response.into_parts();
        let raw = raw.unwrap_or_default();
        match ErrorBody::decoded(&raw, value) {
            Some(body) => Self::Provider {
                status,
                headers: Box::new(headers),
                body: Box::new(body),
            },
            // Decoded from JSON, so the raw text is JSON; kept whole all the same.
            None => Self::UnexpectedStatus {
                status,
                headers: Box::new(headers),
                body: raw.to_vec(),
            },
        }
    }

    /// The generated code's name for a status the spec does not document.
    #[doc(hidden)]
    #[allow(non_snake_case)]
    pub fn UnexpectedResponse(response: reqwest::Response) -> Self {
        let body = response
            .extensions()
            .get::<BufferedBody>()
            .map_or_else(Bytes::new, |b| b.0.clone());
        Self::UnexpectedStatus {
            status: response.status(),
            headers: Box::new(response.headers().clone()),
            body: body.to_vec(),
        }
    }
}

impl<E> From<reqwest::Error> for ApiError<E> {
    fn from(error: reqwest::Error) -> Self {
        if error.is_builder() {
            // reqwest refused to build the request (a URL that does not parse, say).
            return Self::InvalidRequest(format!(
                "the request cannot be built: {}",
                with_causes(&error)
            ));
        }
        Self::Transport(error)
    }
}

impl<E> From<reqwest::header::InvalidHeaderValue> for ApiError<E> {
    fn from(error: reqwest::header::InvalidHeaderValue) -> Self {
        Self::InvalidRequest(format!("a header value is not valid: {error}"))
    }
}

/// How much of a body an error message quotes; the whole body stays in the error.
const QUOTED_BODY: usize = 300;

fn quote_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(QUOTED_BODY) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRequest(message) => write!(f, "invalid request, not sent: {message}"),
            Self::Transport(e) => write!(f, "transport error: {}", with_causes(e)),
            Self::Provider { status, body, .. } => {
                write!(
                    f,
                    "provider error (HTTP {status}): {}",
                    quote_body(body.raw().as_bytes())
                )
            }
            Self::UnexpectedStatus { status, body, .. } => {
                write!(f, "unexpected HTTP {status}: {}", quote_body(body))
            }
            Self::InvalidResponse {
                status,
                path,
                message,
                body,
                ..
            } => write!(
                f,
                "invalid response (HTTP {status}) at `{path}`: {message}; body: {}",
                quote_body(body)
            ),
        }
    }
}

/// An error and its causes, `outer: inner: innermost`: reqwest's own message ("error sending
/// request for url ...") says only where, its sources say why ("Connection refused", a
/// timeout, a certificate). A cause whose text the message already holds is not repeated.
fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let shown = cause.to_string();
        if !shown.is_empty() && !text.contains(&shown) {
            text.push_str(": ");
            text.push_str(&shown);
        }
        source = cause.source();
    }
    text
}

impl<E: fmt::Debug> std::error::Error for ApiError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Documented {
        error: String,
        code: String,
    }

    #[test]
    fn error_body_keeps_raw_text_and_documented_shape() {
        let text = r#"{"error": "Bad content format", "code": "bad_content_format", "x": 1}"#;
        let body: ErrorBody<Documented> = serde_json::from_str(text).unwrap();
        assert_eq!(body.raw(), text);
        assert_eq!(body.parsed().unwrap().code, "bad_content_format");
        assert_eq!(serde_json::to_string(&body).unwrap(), text);
    }

    #[test]
    fn error_body_accepts_json_of_another_shape() {
        let body: ErrorBody<Documented> = serde_json::from_str(r#"{"message": "down"}"#).unwrap();
        assert!(body.parsed().is_none());
        assert!(body.mismatch().unwrap().contains("missing field"));
        assert_eq!(body.raw(), r#"{"message": "down"}"#);
        let text = format!("{body:?}");
        assert!(text.contains("down") && text.contains("mismatch"), "{text}");
        assert!(ErrorBody::<Documented>::mismatched(b"<html>", "x".into()).is_none());
    }

    #[test]
    fn error_body_from_value_and_text() {
        let value = serde_json::json!({"error": "e", "code": "c"});
        let body: ErrorBody<Documented> = serde_json::from_value(value).unwrap();
        assert_eq!(body.parsed().unwrap().error, "e");
        assert!(ErrorBody::<Documented>::from_json("<html>502</html>").is_none());
    }

    #[test]
    fn display_quotes_a_bounded_part_of_the_body() {
        let error: ApiError<()> = ApiError::UnexpectedStatus {
            status: StatusCode::BAD_GATEWAY,
            headers: Box::default(),
            body: "x".repeat(1000).into_bytes(),
        };
        let text = error.to_string();
        assert!(text.starts_with("unexpected HTTP 502 Bad Gateway: xxx"));
        assert!(text.chars().count() < 400, "{}", text.len());
        assert_eq!(error.body().unwrap().len(), 1000);
        assert_eq!(error.status(), Some(StatusCode::BAD_GATEWAY));
        assert!(error.headers().is_some());
    }
}
