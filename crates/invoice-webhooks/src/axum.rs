//! axum integration (feature `axum`): an extractor that verifies a delivery, and the answer
//! the providers expect.
//!
//! [`Webhook<V>`] takes the verifier `V` from the router's state ([`FromRef`]), reads the body
//! up to the verifier's cap ([`Verify::max_body`], 64 KiB unless set with `with_max_body`)
//! and verifies; a refused delivery is answered with its [`Rejection::status`] and
//! [`Rejection::code`] as a short text body, never a secret. A body over the cap is answered
//! 413 `body_too_large` as soon as its `Content-Length`, or the bytes read so far, exceed the
//! cap: it is never buffered whole. The cap replaces axum's [`DefaultBodyLimit`] for this
//! extractor. A handler that got a [`Webhook`] answers [`Ack`]: HTTP 200 with the body `OK`.
//!
//! [`DefaultBodyLimit`]: axum::extract::DefaultBodyLimit
//!
//! ```
//! use axum::routing::post;
//! use axum::Router;
//! use invoice_webhooks::axum::{Ack, Webhook};
//! use invoice_webhooks::{cryptocloud, Secret};
//!
//! async fn postback(Webhook(verified): Webhook<cryptocloud::Verifier>) -> Ack {
//!     // Deduplicate by verified.dedup_key(), then act on verified.postback.
//!     Ack
//! }
//!
//! let verifier = cryptocloud::Verifier::new(Secret::new("project secret"));
//! let app: Router = Router::new()
//!     .route("/webhooks/cryptocloud", post(postback))
//!     .with_state(verifier);
//! ```
//!
//! To log refusals, take `Result<Webhook<V>, WebhookRejection>` instead and answer the
//! rejection yourself (it implements [`IntoResponse`]).

use std::fmt;
use std::pin::Pin;

use axum::body::{Body, HttpBody};
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::{Rejection, Verified, Verify, ACK_BODY};

/// A delivery that passed the verifier `V`'s check. `V` comes from the router's state.
pub struct Webhook<V: Verify>(pub Verified<V::Event>);

impl<V: Verify> fmt::Debug for Webhook<V>
where
    V::Event: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Webhook").field(&self.0).finish()
    }
}

/// CryptoCloud postbacks.
pub type CryptoCloud = Webhook<crate::cryptocloud::Verifier>;
/// Cryptoprocessing invoice callbacks.
pub type Cryptoprocessing = Webhook<crate::cryptoprocessing::Verifier>;
/// apiforcrypto invoice notifications.
pub type Apiforcrypto = Webhook<crate::apiforcrypto::Verifier>;

/// Why [`Webhook`] refused a request.
#[derive(Debug)]
pub enum WebhookRejection {
    /// The body could not be read (the connection failed): answered 400 `unreadable_body`.
    /// A body over the cap is [`Rejected`](Self::Rejected) with
    /// [`Rejection::BodyTooLarge`].
    Body(axum::Error),
    /// The verifier refused the delivery.
    Rejected(Rejection),
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Body(rejection) => write!(f, "body not read: {rejection}"),
            Self::Rejected(rejection) => rejection.fmt(f),
        }
    }
}

impl std::error::Error for WebhookRejection {}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        match self {
            Self::Body(_) => (
                StatusCode::BAD_REQUEST,
                [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                "unreadable_body",
            )
                .into_response(),
            Self::Rejected(rejection) => (
                rejection.status(),
                [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                rejection.code(),
            )
                .into_response(),
        }
    }
}

impl<S, V> FromRequest<S> for Webhook<V>
where
    S: Send + Sync,
    V: Verify + FromRef<S> + Send,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = V::from_ref(state);
        let (parts, body) = request.into_parts();
        let body = read_body(&parts.headers, body, verifier.max_body()).await?;
        let headers = parts.headers;
        verifier
            .verify(&headers, &body)
            .map(Webhook)
            .map_err(WebhookRejection::Rejected)
    }
}

/// The body's bytes, refusing (before reading any) a `Content-Length` over `limit`, and
/// stopping as soon as the bytes read exceed it.
async fn read_body(
    headers: &axum::http::HeaderMap,
    mut body: Body,
    limit: usize,
) -> Result<Vec<u8>, WebhookRejection> {
    let too_large = || WebhookRejection::Rejected(Rejection::BodyTooLarge { limit });
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<u64>().ok());
    if let Some(declared) = declared {
        if declared > limit as u64 {
            return Err(too_large());
        }
    }
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large());
    }
    let capacity = declared.map_or(0, |n| n as usize);
    let mut bytes = Vec::with_capacity(capacity);
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(WebhookRejection::Body)?;
        if let Ok(data) = frame.into_data() {
            if data.len() > limit - bytes.len() {
                return Err(too_large());
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

/// The answer to a verified delivery: HTTP 200 with the body `OK` (what apiforcrypto waits
/// for; CryptoCloud and Cryptoprocessing need only the 200).
#[derive(Clone, Copy, Debug, Default)]
pub struct Ack;

impl IntoResponse for Ack {
    fn into_response(self) -> Response {
        (
            StatusCode::OK,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            ACK_BODY,
        )
            .into_response()
    }
}
