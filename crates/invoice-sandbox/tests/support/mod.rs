//! What the sandbox's tests share: a merchant's receiver on 127.0.0.1:0, control-API calls,
//! and waiting for an event with a generous upper bound (a failure guard, never a pacing
//! sleep).

#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use invoice_sandbox::SandboxHandle;
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

/// A plain HTTP client; reqwest needs the process's TLS provider installed first.
pub fn http_client() -> reqwest::Client {
    invoice_primitives::transport::install_tls_provider();
    reqwest::Client::new()
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
