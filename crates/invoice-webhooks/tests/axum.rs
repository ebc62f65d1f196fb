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
use futures::StreamExt as _;
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

/// A router whose Cryptoprocessing verifier takes bodies of at most `cap` bytes.
fn capped(cap: usize, handled: Arc<AtomicUsize>) -> Router {
    async fn callback(
        axum::extract::State(handled): axum::extract::State<Arc<AtomicUsize>>,
        Webhook(_): Webhook<cryptoprocessing::Verifier>,
    ) -> Ack {
        handled.fetch_add(1, Ordering::SeqCst);
        Ack
    }
    #[derive(Clone)]
    struct Capped(cryptoprocessing::Verifier, Arc<AtomicUsize>);
    impl FromRef<Capped> for cryptoprocessing::Verifier {
        fn from_ref(state: &Capped) -> Self {
            state.0.clone()
        }
    }
    impl FromRef<Capped> for Arc<AtomicUsize> {
        fn from_ref(state: &Capped) -> Self {
            state.1.clone()
        }
    }
    let verifier = cryptoprocessing::Verifier::new(Secret::new(SECRET)).with_max_body(cap);
    Router::new()
        .route("/cryptoprocessing", post(callback))
        .with_state(Capped(verifier, handled))
}

#[tokio::test]
async fn a_body_over_the_cap_is_answered_413_before_verifying() {
    let body = callback_body();
    let signature = hmac_sha512_hex(SECRET.as_bytes(), &body);
    let handled = Arc::new(AtomicUsize::new(0));
    // At the cap: verified.
    let (status, _) = send(
        capped(body.len(), handled.clone()),
        "/cryptoprocessing",
        Some(&signature),
        body.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // A byte under the body's size: refused, though correctly signed.
    let (status, text) = send(
        capped(body.len() - 1, handled.clone()),
        "/cryptoprocessing",
        Some(&signature),
        body.clone(),
    )
    .await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
    // A declared Content-Length over the cap is refused without reading the body.
    let request = Request::post("/cryptoprocessing")
        .header("content-type", "application/json")
        .header("content-length", "1000000")
        .header("x-processing-signature", &signature)
        .body(Body::from(body.clone()))
        .unwrap();
    let response = capped(body.len(), handled.clone())
        .oneshot(request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_streamed_body_over_the_default_cap_is_cut_off() {
    let handled = Arc::new(AtomicUsize::new(0));
    // No Content-Length and no size hint: the size is known only as the chunks arrive. 70
    // chunks of 1 KiB, over the 64 KiB default; reading stops once the cap is passed.
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let chunks = futures::stream::iter(0..70).map(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b' '; 1024]))
    });
    let request = Request::post("/cryptoprocessing")
        .header("content-type", "application/json")
        .header("x-processing-signature", "00")
        .body(Body::from_stream(chunks))
        .unwrap();
    let response = app(handled.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let text = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(text, "body_too_large");
    assert_eq!(handled.load(Ordering::SeqCst), 0);
    let pulled = pulled.load(Ordering::SeqCst);
    assert!((65..70).contains(&pulled), "{pulled} chunks read");
}
