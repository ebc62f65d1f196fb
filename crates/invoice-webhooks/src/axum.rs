//! axum integration (feature `axum`): an extractor that verifies a delivery, and the answer
//! the providers expect.
//!
//! [`Webhook<V>`] reads the body, takes the verifier `V` from the router's state
//! ([`FromRef`]) and verifies; a refused delivery is answered with its
//! [`Rejection::status`] and [`Rejection::code`] as a short text body, never a secret. A
//! handler that got a [`Webhook`] answers [`Ack`]: HTTP 200 with the body `OK`.
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

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
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
    /// The body could not be read (too large, or the connection failed).
    Body(BytesRejection),
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
            Self::Body(rejection) => rejection.into_response(),
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
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(WebhookRejection::Body)?;
        verifier
            .verify(&headers, &body)
            .map(Webhook)
            .map_err(WebhookRejection::Rejected)
    }
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
