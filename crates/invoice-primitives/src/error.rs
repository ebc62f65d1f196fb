//! Errors that keep what the provider said.
//!
//! progenitor's `Error<E>` loses information a payment engineer needs in a log: a documented
//! error response keeps only its decoded body, and a body that fails to decode keeps its bytes
//! but not its HTTP status. Two pieces fix that:
//!
//! - [`ErrorBody<T>`] replaces each provider's error schema (wired by `cargo xtask regen`):
//!   it keeps the raw JSON text of the body and, when it matches, the documented shape `T`.
//!   Any JSON is accepted, so a documented error status never fails to decode.
//! - [`SendExt::checked`] turns the result of a generated `send()` into
//!   `Result<T, ApiError<T>>`, where every error that came from a response carries its status
//!   and raw body, and a body that does not fit the documented type names the field
//!   (`result[0].amount`). The status of an undecodable body comes from [`record_status`],
//!   the post hook each generated client calls.

use std::cell::Cell;
use std::fmt;
use std::future::Future;

use progenitor_client::{Error as ClientError, ResponseValue};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

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
/// Every error that came from a response keeps its HTTP status and raw body
/// ([`status`](Self::status), [`body`](Self::body)) for logging. `E` is the documented shape
/// of the provider's error bodies.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiError<E> {
    /// Refused before anything was sent: an argument breaks a documented limit or rule (a
    /// length, a range, `start` after `end`, ...). The message names the field.
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
        /// The HTTP status, when the client recorded it (see [`record_status`]).
        status: Option<StatusCode>,
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
            Self::Provider { status, .. } | Self::UnexpectedStatus { status, .. } => Some(*status),
            Self::InvalidResponse { status, .. } => *status,
            Self::Transport(e) => e.status(),
            Self::InvalidRequest(_) => None,
        }
    }

    /// The raw body of the response this error came from, if any.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Self::Provider { body, .. } => Some(body.raw().as_bytes()),
            Self::UnexpectedStatus { body, .. } | Self::InvalidResponse { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The documented error body, when the provider sent one that matches.
    pub fn provider_error(&self) -> Option<&E> {
        match self {
            Self::Provider { body, .. } => body.parsed(),
            _ => None,
        }
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
            Self::Transport(e) => write!(f, "transport error: {e}"),
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
            } => {
                match status {
                    Some(status) => write!(f, "invalid response (HTTP {status})")?,
                    None => write!(f, "invalid response")?,
                }
                write!(f, " at `{path}`: {message}; body: {}", quote_body(body))
            }
        }
    }
}

impl<E: fmt::Debug> std::error::Error for ApiError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(e) => Some(e),
            _ => None,
        }
    }
}

tokio::task_local! {
    /// The status of the last response received inside a [`SendExt::checked`] call.
    static LAST_STATUS: Cell<Option<StatusCode>>;
}

/// Post hook of the generated clients (given the client's config, unused here): notes the
/// response status for [`SendExt::checked`], which needs it when a body cannot be decoded.
/// Outside `checked` it does nothing.
pub fn record_status<C: ?Sized>(_config: &C, result: &reqwest::Result<reqwest::Response>) {
    if let Ok(response) = result {
        let _ = LAST_STATUS.try_with(|slot| slot.set(Some(response.status())));
    }
}

/// `.checked()` on the future a generated `send()` returns.
pub trait SendExt<T, E>: Sized {
    /// Awaits the call and converts its outcome: the success body, or an [`ApiError`] that
    /// keeps the status and raw body of whatever the provider answered.
    ///
    /// ```ignore
    /// let invoices = client.list_invoices().body(request).send().checked().await?;
    /// ```
    fn checked(self) -> impl Future<Output = Result<T, ApiError<E>>> + Send
    where
        Self: Send;
}

impl<F, T, E> SendExt<T, E> for F
where
    F: Future<Output = Result<ResponseValue<T>, ClientError<ErrorBody<E>>>> + Send,
    T: DeserializeOwned + Send,
    E: Send,
{
    async fn checked(self) -> Result<T, ApiError<E>> {
        let (result, status) = LAST_STATUS
            .scope(Cell::new(None), async move {
                let result = self.await;
                (result, LAST_STATUS.with(Cell::get))
            })
            .await;
        match result {
            Ok(response) => Ok(response.into_inner()),
            Err(error) => Err(convert::<T, E>(error, status).await),
        }
    }
}

async fn convert<T: DeserializeOwned, E>(
    error: ClientError<ErrorBody<E>>,
    status: Option<StatusCode>,
) -> ApiError<E> {
    match error {
        ClientError::InvalidRequest(message) => ApiError::InvalidRequest(message),
        ClientError::CommunicationError(e)
        | ClientError::InvalidUpgrade(e)
        | ClientError::ResponseBodyError(e) => ApiError::Transport(e),
        ClientError::ErrorResponse(response) => ApiError::Provider {
            status: response.status(),
            headers: Box::new(response.headers().clone()),
            body: Box::new(response.into_inner()),
        },
        ClientError::InvalidResponsePayload(body, error) => {
            let is_error_status = status.is_some_and(|s| !s.is_success());
            let (path, message) = if is_error_status {
                // An error status whose body is not JSON (error bodies accept any JSON).
                (".".to_owned(), format!("error body is not JSON: {error}"))
            } else {
                locate::<T>(&body, &error)
            };
            ApiError::InvalidResponse {
                status,
                path,
                message,
                body: body.to_vec(),
            }
        }
        ClientError::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = Box::new(response.headers().clone());
            match response.bytes().await {
                Ok(body) => ApiError::UnexpectedStatus {
                    status,
                    headers,
                    body: body.to_vec(),
                },
                Err(e) => ApiError::Transport(e),
            }
        }
        // The pre-send rules (`crate::rules`) are the only hooks that refuse a request.
        ClientError::Custom(message) => ApiError::InvalidRequest(message),
    }
}

/// Decodes `body` again, tracking the path, to say which field failed.
fn locate<T: DeserializeOwned>(body: &[u8], error: &serde_json::Error) -> (String, String) {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Err(e) => (e.path().to_string(), e.inner().to_string()),
        // Cannot happen for the same bytes; keep the original error all the same.
        Ok(_) => (".".to_owned(), error.to_string()),
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
    }

    #[test]
    fn locate_names_the_failing_field() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            data: Inner,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            id: i64,
        }
        let body = br#"{"data": {"id": "not a number"}}"#;
        let error = serde_json::from_slice::<Outer>(body).unwrap_err();
        let (path, message) = locate::<Outer>(body, &error);
        assert_eq!(path, "data.id");
        assert!(message.contains("invalid type"), "{message}");
    }
}
