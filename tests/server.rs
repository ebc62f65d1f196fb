//! A canned HTTP server on 127.0.0.1 for the tests that go through the generated clients.
//!
//! [`TestServer::start`] binds a listener on `127.0.0.1:0` before it returns, so the address is
//! usable at once (connections queue in the kernel until the spawned task accepts them): no
//! sleeping, no retrying. Every request is recorded (method, path, query, headers, body bytes)
//! in arrival order, so a test can assert what went over the wire, or that nothing did.
//!
//! Included with `mod server;` by each test binary that needs it; not every binary uses every
//! helper.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use invoice_primitives::transport::Authenticate;
use invoice_primitives::{Config, HmacAuth, NoAuth, RetryPolicy, TokenAuth};

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    /// The path, without the query.
    pub path: String,
    /// The raw query string (after `?`), if any.
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The body as UTF-8 text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The answer the server gives on one path: status, `Content-Type` and body bytes.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Canned {
    /// A JSON answer.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "application/json", body)
    }

    /// An HTML answer (a proxy's error page, say).
    pub fn html(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "text/html; charset=utf-8", body)
    }

    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type,
            body: body.into(),
        }
    }
}

#[derive(Clone)]
struct Shared {
    routes: Arc<HashMap<String, Canned>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

/// A running server. The task runs until the test's runtime shuts down.
pub struct TestServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl TestServer {
    /// Starts a server answering each `(path, canned)` pair, whatever the method; any other
    /// path gets a plain-text 599 (a status no spec documents), and is recorded all the same.
    pub async fn start<P: Into<String>>(routes: impl IntoIterator<Item = (P, Canned)>) -> Self {
        let routes: HashMap<String, Canned> =
            routes.into_iter().map(|(p, c)| (p.into(), c)).collect();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            routes: Arc::new(routes),
            requests: Arc::clone(&requests),
        };
        let app = Router::new().fallback(answer).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("test server");
        });
        Self { addr, requests }
    }

    /// A server that answers every path with the same canned response.
    pub async fn always(canned: Canned) -> Self {
        Self::start([("*", canned)]).await
    }

    /// `http://127.0.0.1:PORT`, the base URL to give a generated client.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("requests lock").clone()
    }

    /// How many requests arrived so far.
    pub fn request_count(&self) -> usize {
        self.requests.lock().expect("requests lock").len()
    }
}

/// The reqwest client the tests give the generated clients: like `Client::new`'s, but never
/// through a proxy from the environment (the server is on 127.0.0.1).
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

/// Client settings for tests: test credentials and no retries, so every call is exactly one
/// request and nothing waits.
fn config<A: Authenticate>(auth: A) -> Config<A> {
    Config::new(auth).with_retry(RetryPolicy::none())
}

/// A CryptoCloud client for `base_url` (`server.url()`).
pub fn cryptocloud_client(base_url: &str) -> cryptocloud::Client {
    let auth = TokenAuth::new("test-api-key").expect("test key");
    cryptocloud::Client::new_with_client(base_url, http_client(), config(auth))
}

/// A Cryptoprocessing client for `base_url` (`server.url()`).
pub fn cryptoprocessing_client(base_url: &str) -> cryptoprocessing::Client {
    let auth = HmacAuth::new("test-api-key", "test-secret").expect("test keys");
    cryptoprocessing::Client::new_with_client(base_url, http_client(), config(auth))
}

/// An apiforcrypto client for `base_url` (`server.url()`).
pub fn apiforcrypto_client(base_url: &str) -> apiforcrypto::Client {
    apiforcrypto::Client::new_with_client(base_url, http_client(), config(NoAuth))
}

async fn answer(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, usize::MAX)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    shared
        .requests
        .lock()
        .expect("requests lock")
        .push(Recorded {
            method: parts.method,
            path: path.clone(),
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
        });
    let canned = shared
        .routes
        .get(&path)
        .or_else(|| shared.routes.get("*"))
        .cloned()
        .unwrap_or_else(|| Canned::new(599, "text/plain", format!("no canned answer for {path}")));
    Response::builder()
        .status(StatusCode::from_u16(canned.status).expect("valid status"))
        .header(header::CONTENT_TYPE, canned.content_type)
        .body(Body::from(canned.body))
        .expect("response")
}
