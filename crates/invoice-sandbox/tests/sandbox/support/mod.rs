//! What the sandbox's tests share: a merchant's receiver on 127.0.0.1:0 (and, in `merchant`,
//! one that verifies and keeps books), the generated clients, control-API calls, sandbox time
//! and the delivery log, and waiting for an event with a generous upper bound (a failure
//! guard, never a pacing sleep).

pub mod merchant;
pub mod spec;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, TimeDelta, Utc};
use invoice_sandbox::{Provider, SandboxHandle};
use serde_json::json;
use tokio::sync::mpsc;

/// The longest any single expected event may take before the test fails.
pub const GUARD: Duration = Duration::from_secs(30);

/// A request the receiver got.
#[derive(Debug)]
pub struct Delivery {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// How the receiver answers.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    /// 200 `OK`.
    Ok,
    /// 500 to the first `n` requests, then 200 `OK`.
    FailFirst(usize),
    /// Never answers.
    Hang,
}

/// A merchant's webhook receiver on 127.0.0.1:0, recording every request.
pub struct Receiver {
    pub url: String,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Receiver {
    pub async fn start(answer: Answer) -> Self {
        let (tx, deliveries) = mpsc::unbounded_channel();
        let seen = Arc::new(AtomicUsize::new(0));
        let handler = move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            let seen = seen.clone();
            async move {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                let _ = tx.send(Delivery {
                    headers,
                    body: body.to_vec(),
                });
                match answer {
                    Answer::Ok => (StatusCode::OK, "OK"),
                    Answer::FailFirst(k) if n < k => (StatusCode::INTERNAL_SERVER_ERROR, "not yet"),
                    Answer::FailFirst(_) => (StatusCode::OK, "OK"),
                    Answer::Hang => std::future::pending().await,
                }
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a receiver");
        let addr = listener.local_addr().expect("its address");
        let app = Router::new().route("/hook", post(handler));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://{addr}/hook"),
            deliveries,
            server,
        }
    }

    /// The next request, failing the test if none comes within [`GUARD`].
    pub async fn next(&mut self) -> Delivery {
        tokio::time::timeout(GUARD, self.deliveries.recv())
            .await
            .expect("a delivery within the guard time")
            .expect("the receiver is running")
    }

    /// A request already received, if any (no waiting).
    pub fn try_next(&mut self) -> Option<Delivery> {
        self.deliveries.try_recv().ok()
    }
}

/// A control-API call: POST with a JSON body (or GET without one); the JSON answer.
pub async fn control(
    sandbox: &SandboxHandle,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let http = http_client();
    let url = sandbox.control_url(path);
    let request = match body {
        Some(body) => http.post(url).json(&body),
        None => http.get(url),
    };
    let response = tokio::time::timeout(GUARD, request.send())
        .await
        .expect("the control API answers within the guard time")
        .expect("the control API answers");
    let status = response.status().as_u16();
    let json = response.json().await.expect("a JSON answer");
    (status, json)
}

/// A plain HTTP client; reqwest needs the process's TLS provider installed first. One per
/// thread (each test's runtime has its own), since building one costs far more than a request
/// to the sandbox.
pub fn http_client() -> reqwest::Client {
    thread_local! {
        static CLIENT: reqwest::Client = {
            invoice_primitives::transport::install_tls_provider();
            reqwest::Client::new()
        };
    }
    CLIENT.with(Clone::clone)
}

/// Waits until `check` returns `Some`, re-checking every few milliseconds; fails the test
/// after [`GUARD`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + GUARD;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The delivery log.
pub async fn deliveries(sandbox: &SandboxHandle) -> Vec<serde_json::Value> {
    let (status, log) = control(sandbox, "deliveries", None).await;
    assert_eq!(status, 200);
    log.as_array().cloned().expect("a list")
}

/// The delivery log of one invoice, oldest first.
pub async fn deliveries_of(sandbox: &SandboxHandle, invoice_id: &str) -> Vec<serde_json::Value> {
    deliveries(sandbox)
        .await
        .into_iter()
        .filter(|d| d["invoice_id"] == invoice_id)
        .collect()
}

/// Sandbox time now.
pub async fn sandbox_now(sandbox: &SandboxHandle) -> DateTime<Utc> {
    let (status, time) = control(sandbox, "time", None).await;
    assert_eq!(status, 200);
    serde_json::from_value(time["now"].clone()).expect("a time")
}

/// Moves sandbox time on by `span` (rounded up to a whole second).
pub async fn advance(sandbox: &SandboxHandle, span: TimeDelta) {
    let seconds = (span + TimeDelta::milliseconds(999)).num_seconds().max(1);
    let (status, answer) =
        control(sandbox, "time/advance", Some(json!({ "seconds": seconds }))).await;
    assert_eq!(status, 200, "{answer}");
}

/// Waits until every delivery of `invoice_id` has been attempted at least once, so that what the
/// test does next comes after it.
pub async fn attempted(sandbox: &SandboxHandle, invoice_id: &str) -> Vec<serde_json::Value> {
    eventually(
        &format!("every delivery of {invoice_id} attempted"),
        || async {
            let log = deliveries_of(sandbox, invoice_id).await;
            let tried =
                |d: &serde_json::Value| d["attempts"].as_array().is_some_and(|a| !a.is_empty());
            log.iter().all(tried).then_some(log)
        },
    )
    .await
}

/// Waits until every delivery of `invoice_id` is accepted, moving sandbox time to the next
/// retry whenever every delivery not yet accepted waits for one (none is in flight): a refused
/// delivery is retried on the provider's schedule without waiting for it, and in a known
/// order. A delivery the sandbox gave up on is an error, with what the receiver answered.
/// (Deliveries are logged before the call that causes them answers, so none is missed.)
pub async fn settled(
    sandbox: &SandboxHandle,
    invoice_id: &str,
) -> Result<Vec<serde_json::Value>, String> {
    eventually(
        &format!("the deliveries of {invoice_id} accepted"),
        || async {
            let log = deliveries_of(sandbox, invoice_id).await;
            if let Some(given_up) = log.iter().find(|d| d["state"] == "gave_up") {
                return Some(Err(format!(
                    "delivery {} was given up: {}",
                    given_up["id"], given_up["attempts"]
                )));
            }
            let waiting: Vec<DateTime<Utc>> = log
                .iter()
                .filter(|d| d["state"] == "pending")
                .map(|d| serde_json::from_value(d["next_attempt_at"].clone()).ok())
                .collect::<Option<_>>()?;
            if waiting.is_empty() {
                return Some(Ok(log));
            }
            let now = sandbox_now(sandbox).await;
            if let Some(next) = waiting
                .iter()
                .min()
                .filter(|_| waiting.iter().all(|due| *due > now))
            {
                advance(sandbox, *next - now).await;
            }
            None
        },
    )
    .await
}

/// A CryptoCloud client for the sandbox, with its API and withdrawal keys.
pub fn cryptocloud_client(sandbox: &SandboxHandle) -> cryptocloud::Client {
    let config = &sandbox.config().cryptocloud;
    let credentials = cryptocloud::Credentials::new(config.api_key.clone())
        .and_then(|c| c.with_withdrawal_key(config.withdrawal_key.clone()))
        .expect("the default keys are valid");
    cryptocloud::Client::with_credentials(&sandbox.base_url(Provider::CryptoCloud), credentials)
        .expect("a valid base URL")
}

/// A Cryptoprocessing client for the sandbox, signing with its keys.
pub fn cryptoprocessing_client(sandbox: &SandboxHandle) -> cryptoprocessing::Client {
    let config = &sandbox.config().cryptoprocessing;
    let credentials =
        cryptoprocessing::Credentials::new(config.api_key.clone(), config.secret_key.clone())
            .expect("the default keys are valid");
    cryptoprocessing::Client::with_credentials(
        &sandbox.base_url(Provider::Cryptoprocessing),
        credentials,
    )
    .expect("a valid base URL")
}

/// An apiforcrypto client for the sandbox (no credentials, as documented).
pub fn apiforcrypto_client(sandbox: &SandboxHandle) -> apiforcrypto::Client {
    apiforcrypto::Client::with_credentials(
        &sandbox.base_url(Provider::ApiForCrypto),
        apiforcrypto::Credentials::new(),
    )
    .expect("a valid base URL")
}

/// The Cryptoprocessing invoice the tests create: 100 EUR for `order` (its `foreign_id`),
/// without a timer.
pub fn cryptoprocessing_request(
    order: &str,
) -> cryptoprocessing::types::builder::InvoiceCreateRequest {
    cryptoprocessing::types::InvoiceCreateRequest::builder()
        .timer(false)
        .title("Scenario")
        .currency("EUR")
        .amount("100")
        .foreign_id(order)
}

/// The apiforcrypto invoice the tests create: 0.01 BTC for `order`, wanting `confirmations`,
/// signed with `key`, notifying `merchant` (up to five attempts).
pub fn apiforcrypto_request(
    merchant: &merchant::Merchant,
    order: &str,
    confirmations: i64,
    key: &invoice_webhooks::Secret,
) -> apiforcrypto::types::builder::InvoiceCreateRequest {
    apiforcrypto::types::InvoiceCreateRequest::builder()
        .blockchain("bitcoin")
        .symbol("BTC")
        .value("0.01")
        .expiry(40)
        .confirmations(confirmations)
        .secret_key(key.clone())
        .data(
            apiforcrypto::types::InvoiceData::builder()
                .order_id(order.to_owned())
                .url_callback(merchant.endpoint(Provider::ApiForCrypto))
                .attempts_callback(5),
        )
}

/// A Cryptoprocessing invoice of [`cryptoprocessing_request`]; its id.
pub async fn cryptoprocessing_invoice(sandbox: &SandboxHandle, order: &str) -> String {
    cryptoprocessing_client(sandbox)
        .create_invoice()
        .body(cryptoprocessing_request(order))
        .send()
        .await
        .expect("created")
        .into_inner()
        .data
        .id
        .to_string()
}

/// An apiforcrypto invoice of [`apiforcrypto_request`], with a fresh secret key that the
/// merchant keeps; its id and the key.
pub async fn apiforcrypto_invoice(
    sandbox: &SandboxHandle,
    merchant: &merchant::Merchant,
    order: &str,
    confirmations: i64,
) -> (String, invoice_webhooks::Secret) {
    let wallet = sandbox.config().apiforcrypto.wallet_ids[0].clone();
    let key = invoice_webhooks::apiforcrypto::generate_secret_key();
    let created = apiforcrypto_client(sandbox)
        .create_invoice()
        .wallet_id(wallet.as_str())
        .body(apiforcrypto_request(merchant, order, confirmations, &key))
        .send()
        .await
        .expect("created")
        .into_inner();
    merchant.keep_key(&created.id, key.clone());
    (created.id, key)
}
