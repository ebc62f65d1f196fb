//! The axum extractor, driven with `tower::ServiceExt::oneshot`: a verified delivery reaches
//! the handler and is answered 200 `OK`; a refused one never reaches it and is answered with
//! its status and reason code, no secret.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::FromRef;
use axum::http::{Request, StatusCode};
use axum::routing::post;
use axum::Router;
use common::*;
use invoice_webhooks::axum::{Ack, Webhook, WebhookRejection};
use invoice_webhooks::{apiforcrypto, cryptoprocessing, Secret};
use tower::ServiceExt as _;

const SECRET: &str = "callback-secret";

#[derive(Clone)]
struct State {
    cryptoprocessing: cryptoprocessing::Verifier,
    apiforcrypto: apiforcrypto::Verifier,
    handled: Arc<AtomicUsize>,
}

impl FromRef<State> for cryptoprocessing::Verifier {
    fn from_ref(state: &State) -> Self {
        state.cryptoprocessing.clone()
    }
}

impl FromRef<State> for apiforcrypto::Verifier {
    fn from_ref(state: &State) -> Self {
        state.apiforcrypto.clone()
    }
}

fn app(handled: Arc<AtomicUsize>) -> Router {
    async fn callback(
        axum::extract::State(state): axum::extract::State<State>,
        Webhook(verified): Webhook<cryptoprocessing::Verifier>,
    ) -> Ack {
        assert_eq!(verified.callback.id, 9482);
        state.handled.fetch_add(1, Ordering::SeqCst);
        Ack
    }
    async fn notification(
        delivery: Result<invoice_webhooks::axum::Apiforcrypto, WebhookRejection>,
    ) -> Result<Ack, WebhookRejection> {
        // A handler that sees refusals, to log them.
        let Webhook(verified) = delivery?;
        assert_eq!(verified.callback.status.as_str(), "PAID");
        Ok(Ack)
    }
    let state = State {
        cryptoprocessing: cryptoprocessing::Verifier::new(Secret::new(SECRET)),
        apiforcrypto: apiforcrypto::Verifier::new(|id: &str| {
            (id == "f4ae3bd1-a031-4b4c-84cb-96a425aab4c8")
                .then(|| Secret::new("my-secret-for-this-invoice"))
        }),
        handled,
    };
    Router::new()
        .route("/cryptoprocessing", post(callback))
        .route("/apiforcrypto", post(notification))
        .with_state(state)
}

async fn send(
    app: Router,
    uri: &str,
    signature: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, String) {
    let mut request = Request::post(uri).header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("x-processing-signature", signature);
    }
    let response = app
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

fn callback_body() -> Vec<u8> {
    let value = webhook_example(
        "cryptoprocessing.yaml",
        "invoice",
        "application/json",
        "confirmed",
    );
    serde_json::to_vec(&value).unwrap()
}

#[tokio::test]
async fn verified_callback_is_acknowledged() {
    let handled = Arc::new(AtomicUsize::new(0));
    let body = callback_body();
    let signature = hmac_sha512_hex(SECRET.as_bytes(), &body);
    let (status, text) = send(
        app(handled.clone()),
        "/cryptoprocessing",
        Some(&signature),
        body,
    )
    .await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "OK"));
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn refused_callback_never_reaches_the_handler() {
    let handled = Arc::new(AtomicUsize::new(0));
    let body = callback_body();
    let signature = hmac_sha512_hex(b"wrong secret", &body);
    let (status, text) = send(
        app(handled.clone()),
        "/cryptoprocessing",
        Some(&signature),
        body.clone(),
    )
    .await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::UNAUTHORIZED, "bad_signature")
    );
    let (status, text) = send(app(handled.clone()), "/cryptoprocessing", None, body).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::UNAUTHORIZED, "missing_signature")
    );
    assert_eq!(handled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn apiforcrypto_gets_ok_and_refusals_their_code() {
    let value = webhook_example(
        "apiforcrypto.yaml",
        "invoice_status",
        "application/json",
        "paid",
    );
    let body = serde_json::to_vec(&value).unwrap();
    let (status, text) = send(app(Arc::default()), "/apiforcrypto", None, body).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "OK"));

    let mut forged = value.clone();
    forged["secret_key"] = "guess".into();
    let body = serde_json::to_vec(&forged).unwrap();
    let (status, text) = send(app(Arc::default()), "/apiforcrypto", None, body).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::UNAUTHORIZED, "bad_secret_key")
    );

    let (status, text) = send(app(Arc::default()), "/apiforcrypto", None, b"{".to_vec()).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::BAD_REQUEST, "malformed_body")
    );
}
