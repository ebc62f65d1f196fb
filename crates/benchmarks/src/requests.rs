//! Section 3, request overhead: each generated client against a bare `reqwest::Client` +
//! `serde_json` call sending the same request (same method, path, body bytes and headers) to
//! the same in-process server, sequentially and 64 in flight; and the Cryptoprocessing signing
//! cost.

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use futures::StreamExt;
use invoice_primitives::auth::hmac_sha512_hex;
use reqwest::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};
use tokio::runtime::Runtime;

use crate::callgrind;
use crate::fixtures::Examples;
use crate::floor::{FloorAfInvoice, FloorCpCreateResponse, FloorListResponse};
use crate::harness::{self, Entry, Measured, Settings};
use crate::report::{self, Table};
use crate::server::{Server, AF_GET_PREFIX, CC_LIST, CP_CREATE};

/// Requests kept in flight in the concurrent mode.
pub const IN_FLIGHT: usize = 64;
/// Issue 24's bound on instructions per request, generated ÷ bare reqwest.
const TARGET: f64 = 1.03;
/// The per-attempt timeout `Config` sets, given to the floor's requests too.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The `User-Agent` each generated client sends, `<crate>/<version>`; `same_requests` checks
/// the floors send the same.
const CC_USER_AGENT: &str = cryptocloud::USER_AGENT;
const CP_USER_AGENT: &str = cryptoprocessing::USER_AGENT;
const AF_USER_AGENT: &str = apiforcrypto::USER_AGENT;
const TOKEN: &str = "bench-api-key";
pub(crate) const CP_KEY: &str = "bench-processing-key";
pub(crate) const CP_SECRET: &str = "bench-processing-secret";

/// The three generated clients and the bare one, all pointed at `server`.
pub struct Clients {
    pub base: String,
    pub cc: cryptocloud::Client,
    pub cp: cryptoprocessing::Client,
    pub af: apiforcrypto::Client,
    pub bare: reqwest::Client,
    cc_request: cryptocloud::types::InvoiceListRequest,
    cc_request_json: serde_json::Value,
    cp_request: cryptoprocessing::types::InvoiceCreateRequest,
    cp_request_json: serde_json::Value,
    af_uuid: String,
}

impl Clients {
    pub fn new(server: &Server, examples: &Examples) -> Self {
        Self::with_base(server.url(), examples)
    }

    /// The clients, pointed at a server at `base`.
    pub fn with_base(base: String, examples: &Examples) -> Self {
        // The bare client is built with the generated ones' TLS setup (rustls on `ring`, which
        // `Config::new` installs); make sure it is there whatever the order below.
        invoice_primitives::transport::install_tls_provider();
        Self {
            cc: cryptocloud::Client::with_credentials(
                &base,
                cryptocloud::Credentials::new(TOKEN).unwrap(),
            )
            .expect("a valid base URL"),
            cp: cryptoprocessing::Client::with_credentials(
                &base,
                cryptoprocessing::Credentials::new(CP_KEY, CP_SECRET).unwrap(),
            )
            .expect("a valid base URL"),
            af: apiforcrypto::Client::with_credentials(&base, apiforcrypto::Credentials::new())
                .expect("a valid base URL"),
            bare: reqwest::Client::new(),
            cc_request: serde_json::from_value(examples.cc_list_request.clone()).unwrap(),
            cc_request_json: examples.cc_list_request.clone(),
            cp_request: serde_json::from_value(examples.cp_create_request.clone()).unwrap(),
            cp_request_json: examples.cp_create_request.clone(),
            af_uuid: examples.af_uuid.clone(),
            base,
        }
    }

    /// `n` requests of one operation (`cc`: CryptoCloud list, `cp`: Cryptoprocessing create,
    /// `af`: apiforcrypto get), `in_flight` at a time, by the generated client or the floor
    /// (for profilers).
    pub async fn profile(&self, generated: bool, operation: &str, n: u64, in_flight: usize) {
        futures::stream::iter(0..n)
            .map(|_| async move {
                match (operation, generated) {
                    ("cp", true) => self.cp_generated().await,
                    ("cp", false) => self.cp_floor().await,
                    ("af", true) => self.af_generated().await,
                    ("af", false) => self.af_floor().await,
                    (_, true) => self.cc_generated().await,
                    (_, false) => self.cc_floor().await,
                }
            })
            .buffer_unordered(in_flight.max(1))
            .collect::<()>()
            .await;
    }

    async fn cc_generated(&self) {
        let page = self
            .cc
            .list_invoices()
            .body(self.cc_request.clone())
            .send()
            .await
            .expect("cryptocloud list")
            .into_inner();
        black_box(page);
    }

    async fn cc_floor(&self) {
        let bytes = floor_fetch(
            cc_headers(self.bare.post(format!("{}{CC_LIST}", self.base)))
                .json(&self.cc_request_json),
        )
        .await;
        black_box(serde_json::from_slice::<FloorListResponse>(&bytes).expect("decode"));
    }

    async fn cp_generated(&self) {
        let created = self
            .cp
            .create_invoice()
            .body(self.cp_request.clone())
            .send()
            .await
            .expect("cryptoprocessing create")
            .into_inner();
        black_box(created);
    }

    async fn cp_floor(&self) {
        let body = serde_json::to_vec(&self.cp_request_json).expect("serialize");
        let signature = hmac_sha512_hex(CP_SECRET.as_bytes(), &body);
        let bytes = floor_fetch(
            self.bare
                .post(format!("{}{CP_CREATE}", self.base))
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/json")
                .header(USER_AGENT, CP_USER_AGENT)
                .header(cryptoprocessing::Credentials::KEY_HEADER, CP_KEY)
                .header(cryptoprocessing::Credentials::SIGNATURE_HEADER, signature)
                .body(body),
        )
        .await;
        black_box(serde_json::from_slice::<FloorCpCreateResponse>(&bytes).expect("decode"));
    }

    async fn af_generated(&self) {
        let invoice = self
            .af
            .get_invoice()
            .uuid(self.af_uuid.as_str())
            .send()
            .await
            .expect("apiforcrypto get")
            .into_inner();
        black_box(invoice);
    }

    async fn af_floor(&self) {
        let bytes = floor_fetch(
            self.bare
                .get(format!("{}{AF_GET_PREFIX}{}", self.base, self.af_uuid))
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, AF_USER_AGENT),
        )
        .await;
        black_box(serde_json::from_slice::<FloorAfInvoice>(&bytes).expect("decode"));
    }
}

/// The headers the generated CryptoCloud client sends beside the body's: `Accept`, its
/// `User-Agent` and the API key. Every floor request to CryptoCloud starts from these.
pub fn cc_headers(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request
        .header(ACCEPT, "application/json")
        .header(USER_AGENT, CC_USER_AGENT)
        .header(
            cryptocloud::Credentials::HEADER,
            format!("{}{TOKEN}", cryptocloud::Credentials::PREFIX),
        )
}

/// Sends a floor request the way every floor does: a timeout, a success status, the body.
async fn floor_fetch(request: reqwest::RequestBuilder) -> impl std::ops::Deref<Target = [u8]> {
    let response = request.timeout(TIMEOUT).send().await.expect("send");
    let response = response.error_for_status().expect("status");
    response.bytes().await.expect("body")
}

fn sequential<'a, F, Fut>(rt: &'a Runtime, name: &str, call: F) -> Entry<'a>
where
    F: Fn() -> Fut + 'a,
    Fut: Future<Output = ()>,
{
    Entry::new(name, move |n| {
        rt.block_on(async {
            let start = Instant::now();
            for _ in 0..n {
                call().await;
            }
            start.elapsed()
        })
    })
}

fn concurrent<'a, F, Fut>(rt: &'a Runtime, name: &str, call: F) -> Entry<'a>
where
    F: Fn() -> Fut + 'a,
    Fut: Future<Output = ()>,
{
    Entry::new(name, move |n| {
        rt.block_on(async {
            let start = Instant::now();
            futures::stream::iter(0..n)
                .map(|_| call())
                .buffer_unordered(IN_FLIGHT)
                .collect::<()>()
                .await;
            start.elapsed()
        })
    })
}

/// Sends one request through each generated client and its floor with the server recording,
/// and says whether each pair sent the same thing.
pub fn same_requests(rt: &Runtime, server: &Server, c: &Clients) -> Vec<String> {
    let mut notes = Vec::new();
    for name in ["cryptocloud", "cryptoprocessing", "apiforcrypto"] {
        server.record();
        rt.block_on(async {
            match name {
                "cryptocloud" => {
                    c.cc_generated().await;
                    c.cc_floor().await;
                }
                "cryptoprocessing" => {
                    c.cp_generated().await;
                    c.cp_floor().await;
                }
                _ => {
                    c.af_generated().await;
                    c.af_floor().await;
                }
            }
        });
        let kept = server.take_recorded();
        assert_eq!(kept.len(), 2, "{name}: one request each");
        let (g, f) = (&kept[0], &kept[1]);
        let mut differences = Vec::new();
        if g.path != f.path {
            differences.push(format!("path {} vs {}", g.path, f.path));
        }
        if g.body != f.body {
            differences.push(format!(
                "body {:?} vs {:?}",
                String::from_utf8_lossy(&g.body),
                String::from_utf8_lossy(&f.body)
            ));
        }
        let names: std::collections::BTreeSet<&str> = g
            .headers
            .keys()
            .chain(f.headers.keys())
            .map(|h| h.as_str())
            .collect();
        for h in names {
            if g.headers.get_all(h).iter().ne(f.headers.get_all(h).iter()) {
                differences.push(format!(
                    "header {h}: {:?} vs {:?}",
                    g.headers.get_all(h).iter().collect::<Vec<_>>(),
                    f.headers.get_all(h).iter().collect::<Vec<_>>()
                ));
            }
        }
        notes.push(if differences.is_empty() {
            format!(
                "`{name}`: the floor sent the same path, body bytes and headers \
                 ({} headers, {}-byte body).",
                g.headers.len(),
                g.body.len()
            )
        } else {
            format!(
                "`{name}`: the floor's request differs: {}.",
                differences.join("; ")
            )
        });
    }
    notes
}

pub fn run(
    settings: Settings,
    rt: &Runtime,
    server: &Server,
    examples: &Examples,
    count_instructions: bool,
) -> String {
    server.set_documented();
    let c = Clients::new(server, examples);
    let notes = same_requests(rt, server, &c);

    let mut table = Table::new(&[
        "client, operation",
        "mode",
        "floor req/s",
        "generated req/s",
        "time ÷ floor",
    ]);
    let mut time_ratios: Vec<(String, f64)> = Vec::new();
    let mut row = |client: &str, mode: &str, m: &[Measured]| {
        time_ratios.push((format!("{client} {mode}"), m[1].ratio.median));
        table.row(vec![
            client.to_owned(),
            mode.to_owned(),
            format!("{:.0}", 1.0 / m[0].per_op.median),
            format!("{:.0}", 1.0 / m[1].per_op.median),
            harness::ratio(&m[1].ratio),
        ]);
    };
    let cc = "`cryptocloud` list_invoices (POST, token)";
    let cp = "`cryptoprocessing` create_invoice (POST, HMAC-signed)";
    let af = "`apiforcrypto` get_invoice (GET)";
    let seq = "sequential";
    let con = &format!("{IN_FLIGHT} in flight");
    let m = harness::compare(
        settings,
        vec![
            sequential(rt, "floor", || c.cc_floor()),
            sequential(rt, "generated", || c.cc_generated()),
        ],
    );
    row(cc, seq, &m);
    let m = harness::compare(
        settings,
        vec![
            concurrent(rt, "floor", || c.cc_floor()),
            concurrent(rt, "generated", || c.cc_generated()),
        ],
    );
    row(cc, con, &m);
    let m = harness::compare(
        settings,
        vec![
            sequential(rt, "floor", || c.cp_floor()),
            sequential(rt, "generated", || c.cp_generated()),
        ],
    );
    let cp_seq_time = m[1].per_op.median;
    row(cp, seq, &m);
    let m = harness::compare(
        settings,
        vec![
            concurrent(rt, "floor", || c.cp_floor()),
            concurrent(rt, "generated", || c.cp_generated()),
        ],
    );
    row(cp, con, &m);
    let m = harness::compare(
        settings,
        vec![
            sequential(rt, "floor", || c.af_floor()),
            sequential(rt, "generated", || c.af_generated()),
        ],
    );
    row(af, seq, &m);
    let m = harness::compare(
        settings,
        vec![
            concurrent(rt, "floor", || c.af_floor()),
            concurrent(rt, "generated", || c.af_generated()),
        ],
    );
    row(af, con, &m);

    // Signing: the body the client sends for the documented create request.
    let body = serde_json::to_vec(&c.cp_request).expect("serialize");
    let credentials = cryptoprocessing::Credentials::new(CP_KEY, CP_SECRET).unwrap();
    let m = harness::compare(
        settings,
        vec![
            Entry::timed("floor: SHA-512 of the body (no key, no hex)", || {
                black_box(ring::digest::digest(
                    &ring::digest::SHA512,
                    black_box(&body),
                ));
            }),
            Entry::timed("`Credentials::sign` (HMAC-SHA512, lowercase hex)", || {
                black_box(credentials.sign(black_box(&body)));
            }),
        ],
    );
    let mut signing = Table::new(&[
        "signing the documented create body",
        "time",
        "time ÷ floor",
        "share of one sequential generated request",
    ]);
    for x in &m {
        signing.row(vec![
            x.name.clone(),
            harness::time(x.per_op.median),
            harness::ratio(&x.ratio),
            format!("{:.1}%", 100.0 * x.per_op.median / cp_seq_time),
        ]);
    }
    let instructions = if count_instructions {
        let mut counts = Table::new(&[
            "instructions per request (callgrind)",
            "mode",
            "floor",
            "generated",
            "generated ÷ floor",
            "target ≤ 1.03×",
        ]);
        let modes = [
            ("sequential", 1, 500),
            (&*format!("{IN_FLIGHT} in flight"), IN_FLIGHT, 2000),
        ];
        for (operation, label) in [("cc", cc), ("cp", cp), ("af", af)] {
            let mut ratios = Vec::new();
            for &(mode, in_flight, requests) in &modes {
                let in_flight = in_flight.to_string();
                let args = ["--operation", operation, "--in-flight", &in_flight];
                let (floor, generated) = std::thread::scope(|scope| {
                    let floor = scope.spawn(|| {
                        callgrind::per_iteration("profile-requests", "floor", requests, &args)
                    });
                    let generated =
                        callgrind::per_iteration("profile-requests", "generated", requests, &args);
                    (floor.join().expect("callgrind thread"), generated)
                });
                match (floor, generated) {
                    (Some(f), Some(g)) => {
                        ratios.push((mode, g / f, g, f));
                        counts.row(vec![
                            label.to_owned(),
                            format!("{mode} ({requests} requests)"),
                            callgrind::count(f),
                            callgrind::count(g),
                            format!("**{:.3}×**", g / f),
                            if g / f <= TARGET {
                                "met"
                            } else {
                                "**not met**"
                            }
                            .into(),
                        ])
                    }
                    _ => counts.row(vec![
                        label.to_owned(),
                        mode.to_owned(),
                        "callgrind failed".into(),
                        "—".into(),
                        "—".into(),
                        "—".into(),
                    ]),
                }
            }
            // The target is in instructions, which do not move with the machine's load; the
            // time ratios of the table above are shown beside them.
            let times: Vec<f64> = time_ratios
                .iter()
                .filter(|(name, _)| name.starts_with(label))
                .map(|(_, r)| *r)
                .collect();
            let times = match times[..] {
                [sequential, concurrent] => format!(
                    "; in wall time {sequential:.2}× sequential, {concurrent:.2}× {IN_FLIGHT} in flight"
                ),
                _ => String::new(),
            };
            if ratios.len() == modes.len() {
                report::target(
                    format!(
                        "request overhead ≤ 1.03× the bare reqwest call in instructions per \
                         request (callgrind), sequential and {IN_FLIGHT} in flight: {label}"
                    ),
                    ratios
                        .iter()
                        .map(|(mode, ratio, g, f)| {
                            format!(
                                "{ratio:.3}× {mode} ({} against {})",
                                callgrind::count(*g),
                                callgrind::count(*f)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                        + &times,
                    ratios.iter().all(|(_, ratio, _, _)| *ratio <= TARGET),
                );
            }
        }
        format!(
            "Instructions (client and server threads together; they do not move with the \
             machine's load, unlike the times above). Each count is the difference between a \
             run with the requests and one without, divided by the requests; {IN_FLIGHT} in \
             flight opens {IN_FLIGHT} connections, which both sides pay alike:\n\n{}",
            counts.render()
        )
    } else {
        "Instructions per request: not counted (no valgrind, or --quick).\n".into()
    };
    format!(
        "### 3. Request overhead (in-process axum server on 127.0.0.1, documented answers)\n\n\
         Client: one single-threaded tokio runtime; server: another, on its own thread. The \
         floor is a bare `reqwest::Client` sending the same request and decoding the same answer \
         into a hand-written `f64`/`String` struct with `serde_json`. Checked before \
         measuring:\n\n{}\n\n{}\n{}\n{}",
        notes
            .iter()
            .map(|n| format!("- {n}"))
            .collect::<Vec<_>>()
            .join("\n"),
        table.render(),
        instructions,
        signing.render()
    )
}
