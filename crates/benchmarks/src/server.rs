//! The in-process HTTP server the clients talk to: axum on 127.0.0.1, on its own thread with
//! its own single-threaded runtime, whose allocations are not counted (see `alloc.rs`).
//!
//! It answers:
//! - CryptoCloud list: the documented example, or (once [`Server::set_period`] was called) the
//!   window `offset..limit` of a period of N generated invoices, with `all_count = N`;
//! - CryptoCloud info: the generated invoices with the identifiers asked for;
//! - Cryptoprocessing create and apiforcrypto get: their documented examples.
//!
//! Generated invoices are rendered once, when the server starts, so serving a page is copying
//! prerendered bytes; the rendering is neither timed nor counted.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Router;
use serde::Deserialize;

use crate::alloc;
use crate::fixtures::{info_body, list_body, Examples, InvoiceFactory};

pub const CC_LIST: &str = "/v2/invoice/merchant/list";
pub const CC_INFO: &str = "/v2/invoice/merchant/info";
pub const CP_CREATE: &str = "/api/v2/invoices/create";
pub const AF_GET_PREFIX: &str = "/api/v1/wallets/invoices/";

/// Most records one list window may ask for.
const MAX_WINDOW: usize = 100;
/// `period` value meaning "answer the list endpoint with the documented example".
const DOCUMENTED: usize = usize::MAX;

/// A request as received, kept while recording.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

struct Shared {
    cc_list: Bytes,
    cp_create: Bytes,
    af_get: Bytes,
    invoices: Vec<Bytes>,
    index: HashMap<String, usize>,
    period: AtomicUsize,
    requests: AtomicUsize,
    recording: Mutex<Option<Vec<Recorded>>>,
}

pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Server {
    /// Starts the server with `invoices` generated invoices available.
    pub fn start(examples: &Examples, invoices: usize) -> Server {
        let documented = |v: &serde_json::Value| Bytes::from(serde_json::to_vec(v).unwrap());
        let cc_list = documented(&examples.cc_list_response);
        let cp_create = documented(&examples.cp_create_response);
        let af_get = documented(&examples.af_get_response);
        let factory = InvoiceFactory::new(examples);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                alloc::untracked_thread();
                let rendered: Vec<Bytes> = (0..invoices)
                    .map(|i| Bytes::from(factory.json(i)))
                    .collect();
                let index = (0..invoices)
                    .map(|i| (crate::fixtures::invoice_id(i), i))
                    .collect();
                let shared = Arc::new(Shared {
                    cc_list,
                    cp_create,
                    af_get,
                    invoices: rendered,
                    index,
                    period: AtomicUsize::new(DOCUMENTED),
                    requests: AtomicUsize::new(0),
                    recording: Mutex::new(None),
                });
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(async move {
                    // A deep accept queue: section 3's flood opens 10 000 connections at once.
                    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
                    socket
                        .bind(([127, 0, 0, 1], 0).into())
                        .expect("bind 127.0.0.1:0");
                    let listener = socket.listen(4096).expect("listen");
                    let addr = listener.local_addr().expect("local addr");
                    tx.send((addr, Arc::clone(&shared)))
                        .expect("report address");
                    let app = Router::new().fallback(answer).with_state(shared);
                    axum::serve(listener, app).await.expect("server");
                });
            })
            .expect("spawn server thread");
        let (addr, shared) = rx.recv().expect("server started");
        Server { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The list endpoint serves a period of `n` generated invoices from now on.
    pub fn set_period(&self, n: usize) {
        assert!(
            n <= self.shared.invoices.len(),
            "server has too few invoices"
        );
        self.shared.period.store(n, Relaxed);
    }

    /// The list endpoint answers with the documented example from now on.
    pub fn set_documented(&self) {
        self.shared.period.store(DOCUMENTED, Relaxed);
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Relaxed)
    }

    /// Starts keeping every request.
    pub fn record(&self) {
        *self.shared.recording.lock().unwrap() = Some(Vec::new());
    }

    /// The requests kept since [`Server::record`]; stops keeping them.
    pub fn take_recorded(&self) -> Vec<Recorded> {
        self.shared
            .recording
            .lock()
            .unwrap()
            .take()
            .unwrap_or_default()
    }

    /// The prerendered JSON of generated invoice `i`.
    pub fn invoice(&self, i: usize) -> &[u8] {
        &self.shared.invoices[i]
    }
}

#[derive(Deserialize)]
struct Window {
    #[serde(default)]
    offset: usize,
    #[serde(default = "ten")]
    limit: usize,
}

fn ten() -> usize {
    10
}

#[derive(Deserialize)]
struct Uuids {
    uuids: Vec<String>,
}

async fn answer(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    shared.requests.fetch_add(1, Relaxed);
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let body = match to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(_) => return status(StatusCode::BAD_REQUEST, "unreadable body"),
    };
    if let Some(kept) = shared.recording.lock().unwrap().as_mut() {
        kept.push(Recorded {
            path: path.clone(),
            headers: parts.headers.clone(),
            body: body.clone(),
        });
    }
    match path.as_str() {
        CC_LIST => {
            let period = shared.period.load(Relaxed);
            if period == DOCUMENTED {
                return json(shared.cc_list.clone());
            }
            let Ok(window) = serde_json::from_slice::<Window>(&body) else {
                return status(StatusCode::BAD_REQUEST, "bad window");
            };
            // offset: index of the first record (from 0); limit: number of the last (from 1).
            if window.limit < window.offset || window.limit - window.offset > MAX_WINDOW {
                return status(StatusCode::BAD_REQUEST, "window over 100 records");
            }
            let (from, to) = (window.offset.min(period), window.limit.min(period));
            let page = list_body(shared.invoices[from..to].iter().map(|b| &b[..]), period);
            json(Bytes::from(page))
        }
        CC_INFO => {
            let Ok(request) = serde_json::from_slice::<Uuids>(&body) else {
                return status(StatusCode::BAD_REQUEST, "bad uuids");
            };
            if request.uuids.is_empty() || request.uuids.len() > MAX_WINDOW {
                return status(StatusCode::BAD_REQUEST, "1 to 100 uuids");
            }
            let found = request.uuids.iter().filter_map(|id| {
                let id = id.strip_prefix("INV-").unwrap_or(id);
                let i = *shared.index.get(&format!("INV-{id}"))?;
                Some(&shared.invoices[i][..])
            });
            json(Bytes::from(info_body(found)))
        }
        CP_CREATE => json(shared.cp_create.clone()),
        p if p.starts_with(AF_GET_PREFIX) => json(shared.af_get.clone()),
        _ => status(StatusCode::NOT_FOUND, "no such path"),
    }
}

fn json(body: Bytes) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("valid response")
}

fn status(code: StatusCode, message: &'static str) -> Response {
    Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(message))
        .expect("valid response")
}
