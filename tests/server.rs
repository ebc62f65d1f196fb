//! A canned HTTP server on 127.0.0.1 for the tests that go through the generated clients.
//!
//! [`TestServer::start`] binds a listener on `127.0.0.1:0` before it returns, so the address is
//! usable at once (connections queue in the kernel until the spawned task accepts them): no
//! sleeping, no retrying. Every request is recorded (method, path, query, headers, body bytes)
//! in arrival order, so a test can assert what went over the wire, or that nothing did.
//!
//! Besides fixed answers per path ([`TestServer::start`]), a server can answer from a closure
//! that sees each request and its number ([`TestServer::handler`]): a script of answers per
//! request number ([`TestServer::scripted`]), a model of an endpoint's semantics, or
//! [`Reply::Hang`], a request that is never answered (for timeouts). [`Dns`] is a resolver
//! that counts the connections a client opens, and can send each to a different address (to
//! make a connection fail, then succeed), with [`refused_addr`] an address where connections
//! are refused.
//!
//! Included with `mod server;` by each test binary that needs it; not every binary uses every
//! helper.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use invoice_primitives::{Authenticate, Config, RetryPolicy};

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

    /// The body as JSON (panics if it is not).
    pub fn body_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("request body is not JSON ({e}): {}", self.body_text()))
    }

    /// Every header as (lowercase name, value), sorted by name; a repeated header gives one
    /// entry per value, in arrival order.
    pub fn header_list(&self) -> Vec<(String, String)> {
        let mut names: Vec<&HeaderName> = self.headers.keys().collect();
        names.sort_by_key(|n| n.as_str());
        names
            .into_iter()
            .flat_map(|name| {
                self.headers.get_all(name).iter().map(move |value| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
            })
            .collect()
    }

    /// Every header as name -> value (panics if a header came more than once).
    pub fn header_set(&self) -> BTreeMap<String, String> {
        let list = self.header_list();
        let set: BTreeMap<String, String> = list.iter().cloned().collect();
        assert_eq!(set.len(), list.len(), "a header came twice: {list:?}");
        set
    }

    /// One header's value as text, if it came.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The answer the server gives on one path: status, `Content-Type`, other headers and body
/// bytes.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Headers besides `Content-Type` (`Retry-After`, say).
    pub headers: Vec<(&'static str, String)>,
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
            headers: Vec::new(),
        }
    }

    /// The same answer with one more header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// What a [`TestServer::handler`] closure answers to one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// This response.
    Send(Canned),
    /// No response ever: the request stays open until the client gives up.
    Hang,
    /// This response once `barrier` lets the request through: requests that share a barrier
    /// of `n` are answered together, when `n` of them are in flight at once.
    Gated(Arc<tokio::sync::Barrier>, Canned),
}

impl From<Canned> for Reply {
    fn from(canned: Canned) -> Self {
        Self::Send(canned)
    }
}

/// A closure answering each request, given its number (0 for the first the server received)
/// and the request as recorded.
pub type Handler = Arc<dyn Fn(usize, &Recorded) -> Reply + Send + Sync>;

enum Responder {
    /// A canned answer per path (`*` for any other path).
    Routes(HashMap<String, Canned>),
    Handler(Handler),
}

#[derive(Clone)]
struct Shared {
    responder: Arc<Responder>,
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
        Self::serve(Responder::Routes(routes)).await
    }

    /// A server that answers every path with the same canned response.
    pub async fn always(canned: Canned) -> Self {
        Self::start([("*", canned)]).await
    }

    /// A server that answers each request with what `handler` returns for it, given the
    /// request's number (from 0) and the request as recorded (recorded before `handler` runs).
    pub async fn handler<R: Into<Reply>>(
        handler: impl Fn(usize, &Recorded) -> R + Send + Sync + 'static,
    ) -> Self {
        Self::serve(Responder::Handler(Arc::new(move |n, r| {
            handler(n, r).into()
        })))
        .await
    }

    /// A server that answers request number `n` with `script[n]`, and every request after the
    /// script's end with its last entry, whatever the path.
    pub async fn scripted(script: Vec<Reply>) -> Self {
        assert!(!script.is_empty(), "an empty script");
        Self::handler(move |n, _| script[n.min(script.len() - 1)].clone()).await
    }

    /// A server that never answers (every request hangs until the client gives up).
    pub async fn hanging() -> Self {
        Self::scripted(vec![Reply::Hang]).await
    }

    async fn serve(responder: Responder) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            responder: Arc::new(responder),
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

/// A reqwest client like [`http_client`] that resolves every host name through `dns`.
pub fn http_client_with_dns(dns: &Arc<Dns>) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .dns_resolver(Arc::clone(dns))
        .build()
        .expect("reqwest client")
}

/// Client settings for tests: test credentials and no retries, so every call is exactly one
/// request and nothing waits.
pub fn config<A: Authenticate>(auth: A) -> Config<A> {
    Config::new(auth).with_retry(RetryPolicy::none())
}

/// A retry policy with `max_attempts` and delays of a few milliseconds (1 ms, doubled, at most
/// 5 ms, also for `Retry-After`), so that retry tests count attempts without waiting.
pub fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        jitter: true,
    }
}

/// A resolver that answers each lookup (one per new connection) with the next address of
/// its list, the last one for every lookup beyond the list, and counts the lookups. With a
/// URL that names a host and no port (`http://provider.test`), the address's port is used.
pub struct Dns {
    answers: Vec<SocketAddr>,
    lookups: AtomicUsize,
}

impl Dns {
    pub fn new(answers: Vec<SocketAddr>) -> Arc<Self> {
        assert!(!answers.is_empty(), "a resolver with no answers");
        Arc::new(Self {
            answers,
            lookups: AtomicUsize::new(0),
        })
    }

    /// Lookups so far: the connections the client tried to open.
    pub fn lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }
}

impl reqwest::dns::Resolve for Dns {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let n = self.lookups.fetch_add(1, Ordering::SeqCst);
        let addr = self.answers[n.min(self.answers.len() - 1)];
        Box::pin(async move {
            let addrs: reqwest::dns::Addrs = Box::new(std::iter::once(addr));
            Ok(addrs)
        })
    }
}

/// An address where every connection is refused, for as long as the returned socket lives:
/// a socket bound to a port of 127.0.0.1 that does not listen (so no one else can take the
/// port meanwhile).
pub fn refused_addr() -> (tokio::net::TcpSocket, SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind 127.0.0.1:0");
    let addr = socket.local_addr().expect("local addr");
    (socket, addr)
}

/// A CryptoCloud client for `base_url` (`server.url()`).
pub fn cryptocloud_client(base_url: &str) -> cryptocloud::Client {
    let credentials = cryptocloud::Credentials::new("test-api-key").expect("test key");
    cryptocloud::Client::new_with_client(base_url, http_client(), config(credentials))
        .expect("a valid base URL")
}

/// A Cryptoprocessing client for `base_url` (`server.url()`).
pub fn cryptoprocessing_client(base_url: &str) -> cryptoprocessing::Client {
    let credentials =
        cryptoprocessing::Credentials::new("test-api-key", "test-secret").expect("test keys");
    cryptoprocessing::Client::new_with_client(base_url, http_client(), config(credentials))
        .expect("a valid base URL")
}

/// An apiforcrypto client for `base_url` (`server.url()`).
pub fn apiforcrypto_client(base_url: &str) -> apiforcrypto::Client {
    let credentials = apiforcrypto::Credentials::new();
    apiforcrypto::Client::new_with_client(base_url, http_client(), config(credentials))
        .expect("a valid base URL")
}

async fn answer(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, usize::MAX)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let recorded = Recorded {
        method: parts.method,
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
    };
    let number = {
        let mut requests = shared.requests.lock().expect("requests lock");
        requests.push(recorded.clone());
        requests.len() - 1
    };
    let reply = match &*shared.responder {
        Responder::Routes(routes) => Reply::Send(
            routes
                .get(&path)
                .or_else(|| routes.get("*"))
                .cloned()
                .unwrap_or_else(|| {
                    Canned::new(599, "text/plain", format!("no canned answer for {path}"))
                }),
        ),
        Responder::Handler(handler) => handler(number, &recorded),
    };
    let canned = match reply {
        Reply::Send(canned) => canned,
        Reply::Hang => std::future::pending().await,
        Reply::Gated(barrier, canned) => {
            barrier.wait().await;
            canned
        }
    };
    let mut response = Response::builder()
        .status(StatusCode::from_u16(canned.status).expect("valid status"))
        .header(header::CONTENT_TYPE, canned.content_type);
    for (name, value) in &canned.headers {
        response = response.header(*name, HeaderValue::from_str(value).expect("header value"));
    }
    response.body(Body::from(canned.body)).expect("response")
}
