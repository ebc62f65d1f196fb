//! CryptoCloud's operations beyond invoice creation, list and look-up (more-pages.md section 1):
//! `cancel_invoice`, `get_balance`, `get_statistics`, `create_static_wallet` and
//! `create_withdrawal`, through the generated client against recording servers on 127.0.0.1.
//!
//! For each operation: the exact request (method, path, no query, the exact header set with
//! `user-agent`, the body bytes), the decoding of every documented success example, every
//! documented error body (a provider error with its typed body), an HTML body (an invalid
//! response that keeps its status), a status the spec does not list, how retries treat it (the
//! two reads are sent again after a 503, the three writes exactly once), and the documented
//! limits and rules, refused before anything is sent. The withdrawal takes its own key: the
//! project's API key is never sent with it, the withdrawal key never with anything else, and a
//! client refuses a withdrawal without that key, or within 12 s of its last one.
//!
//! The examples come from `specs/cryptocloud.yaml` (walked here, so an example added there is
//! sent through the client too); the recorded requests are pinned in
//! `ops_cryptocloud__wire.snap`, the API key and the withdrawal key redacted.

mod server;
mod support;

use std::collections::{BTreeMap, BTreeSet};

use invoice_primitives::{ApiError, RetryPolicy};
use openapiv3::{OpenAPI, ReferenceOr, StatusCode};
use serde_json::Value;
use server::{fast_retry, Canned, Recorded, Reply, TestServer};
use xtask::spec::Spec;

use cryptocloud::types as cc;

const SPEC: &str = "specs/cryptocloud.yaml";
/// Real-looking keys (neither is real), so that the snapshot shows what is hidden.
const API_KEY: &str = "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MTM0NX0.aW52b2ljZS1rZXktZm9yLXRlc3Rz";
const WITHDRAWAL_KEY: &str = "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6OTg3Nn0.d2l0aGRyYXdhbC1rZXktdGVzdHM";
const USER_AGENT: &str = concat!("cryptocloud/", env!("CARGO_PKG_VERSION"));

const HTML_400: &str = "<html><body><h1>400 Bad Request</h1>nginx</body></html>";
const HTML_502: &str = "<html><body>502 Bad Gateway</body></html>";

/// The documented request examples, as the client is given them.
/// more-pages.md 1.1, the curl example's `-d`.
const CANCEL_DOC: &str = r#"{"uuid":"INV-XXXXXXXX"}"#;
/// more-pages.md 1.3, the curl example's `-d`.
const STATISTICS_DOC: &str = r#"{"start":"01.01.2023","end":"31.01.2023"}"#;
/// more-pages.md 1.4, the curl example's `-d`.
const STATIC_WALLET_DOC: &str =
    r#"{"shop_id": "<SHOP ID>", "currency": "BTC", "identify": "F4jSjfpwf4t"}"#;
/// more-pages.md 1.5 shows no request body: the spec's example built from the older table.
const WITHDRAWAL_DOC: &str = r#"{"currency_code": "BTC", "to_address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "amount": 0.05}"#;

// ---------------------------------------------------------------------------------------------
// The five operations, called the same way.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Cancel,
    Balance,
    Statistics,
    StaticWallet,
    Withdrawal,
}

const ALL: [Op; 5] = [
    Op::Cancel,
    Op::Balance,
    Op::Statistics,
    Op::StaticWallet,
    Op::Withdrawal,
];
const READS: [Op; 2] = [Op::Balance, Op::Statistics];
const WRITES: [Op; 3] = [Op::Cancel, Op::StaticWallet, Op::Withdrawal];

/// A call's outcome: the decoded body as JSON with the status, or the error.
type Outcome = Result<(u16, Value), ApiError<cc::ErrorResponse>>;

impl Op {
    fn id(self) -> &'static str {
        match self {
            Op::Cancel => "cancel_invoice",
            Op::Balance => "get_balance",
            Op::Statistics => "get_statistics",
            Op::StaticWallet => "create_static_wallet",
            Op::Withdrawal => "create_withdrawal",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Op::Cancel => "/v2/invoice/merchant/canceled",
            Op::Balance => "/v2/merchant/wallet/balance/all",
            Op::Statistics => "/v2/invoice/merchant/statistics",
            Op::StaticWallet => "/v2/invoice/static/create",
            Op::Withdrawal => "/v2/invoice/api/out/create",
        }
    }

    /// The documented request body (text as the docs give it) and the exact bytes the client
    /// sends for it (fields in declaration order, no spaces); `None` for the body-less balance.
    fn body(self) -> Option<(&'static str, &'static str)> {
        match self {
            Op::Cancel => Some((CANCEL_DOC, CANCEL_DOC)),
            Op::Balance => None,
            Op::Statistics => Some((
                STATISTICS_DOC,
                r#"{"end":"31.01.2023","start":"01.01.2023"}"#,
            )),
            Op::StaticWallet => Some((
                STATIC_WALLET_DOC,
                r#"{"currency":"BTC","identify":"F4jSjfpwf4t","shop_id":"<SHOP ID>"}"#,
            )),
            Op::Withdrawal => Some((
                WITHDRAWAL_DOC,
                r#"{"amount":0.05,"currency_code":"BTC","to_address":"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"}"#,
            )),
        }
    }

    /// The key the operation must be sent with.
    fn key(self) -> &'static str {
        match self {
            Op::Withdrawal => WITHDRAWAL_KEY,
            _ => API_KEY,
        }
    }

    /// Sends the operation with its documented request.
    async fn call(self, client: &cryptocloud::Client) -> Outcome {
        fn done<T: serde::Serialize>(
            result: Result<invoice_primitives::Response<T>, ApiError<cc::ErrorResponse>>,
        ) -> Outcome {
            result.map(|response| {
                let status = response.status().as_u16();
                let value = wire_value(&response.into_inner()).expect("serializes");
                (status, value)
            })
        }
        match self {
            Op::Cancel => done(
                client
                    .cancel_invoice()
                    .body(typed::<cc::InvoiceCancelRequest>(CANCEL_DOC))
                    .send()
                    .await,
            ),
            Op::Balance => done(client.get_balance().send().await),
            Op::Statistics => done(
                client
                    .get_statistics()
                    .body(typed::<cc::StatisticsRequest>(STATISTICS_DOC))
                    .send()
                    .await,
            ),
            Op::StaticWallet => done(
                client
                    .create_static_wallet()
                    .body(typed::<cc::StaticWalletCreateRequest>(STATIC_WALLET_DOC))
                    .send()
                    .await,
            ),
            Op::Withdrawal => done(
                client
                    .create_withdrawal()
                    .body(typed::<cc::WithdrawalCreateRequest>(WITHDRAWAL_DOC))
                    .send()
                    .await,
            ),
        }
    }
}

/// `value` as the provider writes it (amounts as JSON numbers), read into a `Value`.
fn wire_value<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<Value> {
    serde_json::from_slice(&invoice_primitives::wire::to_vec(value)?)
}

fn typed<T: serde::de::DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Both keys.
fn credentials() -> cryptocloud::Credentials {
    cryptocloud::Credentials::new(API_KEY)
        .expect("API key")
        .with_withdrawal_key(WITHDRAWAL_KEY)
        .expect("withdrawal key")
}

/// A new client (so that no withdrawal of another call paces this one), built as users build
/// it: `Client::new`, whose HTTP client names the crate in `User-Agent`.
fn client_with(
    url: &str,
    credentials: cryptocloud::Credentials,
    retry: RetryPolicy,
) -> cryptocloud::Client {
    cryptocloud::Client::new(url, cryptocloud::Config::new(credentials).with_retry(retry))
        .expect("a valid base URL")
}

fn client(url: &str) -> cryptocloud::Client {
    client_with(url, credentials(), RetryPolicy::none())
}

/// One call of `op` on a new client against a server that answers `canned` to everything.
async fn call_once(op: Op, canned: Canned) -> (Outcome, Vec<Recorded>) {
    let server = TestServer::always(canned).await;
    let outcome = op.call(&client(&server.url())).await;
    (outcome, server.requests())
}

// ---------------------------------------------------------------------------------------------
// The spec's examples.

fn spec() -> OpenAPI {
    Spec::load(&xtask::workspace_root(), SPEC)
        .expect("spec loads")
        .api
}

/// The operation's documented examples per response status (`200`, `400`, `401`), with the
/// shared response components resolved: status -> [(name, value)].
fn examples(api: &OpenAPI, op: Op) -> BTreeMap<u16, Vec<(String, Value)>> {
    let operation = api
        .operations()
        .find(|(_, _, o)| o.operation_id.as_deref() == Some(op.id()))
        .map(|(_, _, o)| o)
        .unwrap_or_else(|| panic!("{}: not in the spec", op.id()));
    let mut out = BTreeMap::new();
    for (status, response) in &operation.responses.responses {
        let StatusCode::Code(code) = status else {
            panic!("{}: a status range", op.id())
        };
        let response = match response {
            ReferenceOr::Item(r) => r,
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/responses/")
                    .expect("a response component");
                api.components.as_ref().expect("components").responses[name]
                    .as_item()
                    .expect("inline component")
            }
        };
        let media = &response.content["application/json"];
        let named = media
            .examples
            .iter()
            .map(|(name, ex)| {
                let ex = ex.as_item().expect("inline example");
                (name.clone(), ex.value.clone().expect("a value"))
            })
            .collect();
        out.insert(*code, named);
    }
    out
}

/// The operation's documented success example `name`, as the server sends it.
fn success(api: &OpenAPI, op: Op, name: &str) -> Canned {
    let value = examples(api, op)[&200]
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("{}: no 200 example {name}", op.id()));
    Canned::json(200, value.to_string())
}

/// JSON equality with numbers compared by exact decimal value (`100` equals `100.0`).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let parse = |n: &serde_json::Number| {
                n.to_string()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap_or_else(|e| panic!("{n}: {e}"))
            };
            parse(x) == parse(y)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------------------------
// The wire format.

/// The exact header set of `op`'s request: `host` always, `content-type` and `content-length`
/// when it has a body, the key it takes (never the other one), `accept` and `user-agent`.
fn expected_headers(server: &TestServer, op: Op, r: &Recorded) -> BTreeMap<String, String> {
    let mut set = BTreeMap::from([
        ("accept".to_owned(), "application/json".to_owned()),
        ("authorization".to_owned(), format!("Token {}", op.key())),
        ("host".to_owned(), server.addr().to_string()),
        ("user-agent".to_owned(), USER_AGENT.to_owned()),
    ]);
    if op.body().is_some() {
        set.insert("content-type".into(), "application/json".into());
        set.insert("content-length".into(), r.body.len().to_string());
    }
    set
}

/// One recorded request as the snapshot shows it: keys redacted, the port hidden.
fn render(case: &str, r: &Recorded) -> String {
    let mut out = format!("## {case}\n{} {}", r.method, r.path);
    if let Some(q) = &r.query {
        out.push_str(&format!("?{q}"));
    }
    out.push('\n');
    for (name, mut value) in r.header_list() {
        value = value
            .replace(API_KEY, "<API KEY>")
            .replace(WITHDRAWAL_KEY, "<WITHDRAWAL KEY>");
        if name == "host" {
            value = value
                .rsplit_once(':')
                .map_or(value.clone(), |(h, _)| format!("{h}:<port>"));
        }
        out.push_str(&format!("{name}: {value}\n"));
    }
    if r.body.is_empty() {
        out.push_str("(no body)\n");
    } else {
        out.push_str(&format!("\n{}\n", r.body_text()));
    }
    out
}

#[tokio::test]
async fn wire_format_of_each_operation() {
    let api = spec();
    let routes: Vec<(String, Canned)> = ALL
        .iter()
        .map(|&op| (op.path().to_owned(), success(&api, op, "documented")))
        .collect();
    let server = TestServer::start(routes).await;
    // One client for all five: a withdrawal is the only paced call, and it is sent once.
    let client = client(&server.url());
    for op in ALL {
        let (status, _) = op
            .call(&client)
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", op.id()));
        assert_eq!(status, 200, "{}", op.id());
    }
    let requests = server.requests();
    assert_eq!(requests.len(), ALL.len(), "one request per call");
    let mut snapshot = String::new();
    for (op, r) in ALL.into_iter().zip(&requests) {
        let case = op.id();
        assert_eq!(r.method.as_str(), "POST", "{case}: method");
        assert_eq!(r.path, op.path(), "{case}: path");
        assert_eq!(r.query, None, "{case}: query");
        assert_eq!(
            r.header_set(),
            expected_headers(&server, op, r),
            "{case}: the header set"
        );
        match op.body() {
            None => assert!(r.body.is_empty(), "{case}: a body: {}", r.body_text()),
            Some((documented, exact)) => {
                let doc: Value = serde_json::from_str(documented).expect("JSON");
                assert!(
                    same_json(&r.body_json(), &doc),
                    "{case}: not the documented body: {}",
                    r.body_text()
                );
                assert_eq!(r.body_text(), exact, "{case}: the exact bytes");
            }
        }
        snapshot.push_str(&render(case, r));
        snapshot.push('\n');
    }
    insta::assert_snapshot!("wire", snapshot);
}

/// The withdrawal key goes with withdrawals only, the API key with everything else; without a
/// withdrawal key a withdrawal is refused before sending, and the API key is never sent in its
/// place.
#[tokio::test]
async fn withdrawal_key_is_used_for_withdrawals_only() {
    let api = spec();
    // Without the withdrawal key: every other operation works, the withdrawal is not sent.
    let only_api_key = cryptocloud::Credentials::new(API_KEY).expect("API key");
    for op in ALL {
        let server = TestServer::always(success(&api, op, "documented")).await;
        let client = client_with(&server.url(), only_api_key.clone(), RetryPolicy::none());
        let outcome = op.call(&client).await;
        if op == Op::Withdrawal {
            let err = outcome.expect_err("refused");
            let ApiError::InvalidRequest(message) = &err else {
                panic!("expected InvalidRequest, got {err:?}");
            };
            assert!(message.contains("withdrawal_key"), "{message}");
            assert!(!message.contains(API_KEY), "{message}");
            assert_eq!(server.request_count(), 0, "nothing sent");
        } else {
            outcome.unwrap_or_else(|e| panic!("{}: {e:?}", op.id()));
            let r = &server.requests()[0];
            assert_eq!(
                r.header("authorization"),
                Some(format!("Token {API_KEY}").as_str())
            );
        }
    }
    // With it, the withdrawal carries it and nothing else does.
    for op in ALL {
        let server = TestServer::always(success(&api, op, "documented")).await;
        op.call(&client(&server.url())).await.expect("sent");
        let sent = server.requests()[0]
            .header("authorization")
            .map(str::to_owned);
        assert_eq!(sent, Some(format!("Token {}", op.key())), "{}", op.id());
    }
    // A withdrawal key is checked like the API key: no empty one, no doubled prefix.
    for bad in ["", "Token abc", " abc"] {
        let refused = cryptocloud::Credentials::new(API_KEY)
            .expect("API key")
            .with_withdrawal_key(bad);
        assert!(refused.is_err(), "{bad:?} accepted");
    }
}

/// At most one withdrawal every 12 s from one client (and its clones): the second is refused
/// before sending, whatever the first one's outcome; another client is not held back.
#[tokio::test]
async fn withdrawals_are_spaced_by_twelve_seconds() {
    let api = spec();
    let server = TestServer::always(success(&api, Op::Withdrawal, "documented")).await;
    let client = client(&server.url());
    Op::Withdrawal
        .call(&client)
        .await
        .expect("first withdrawal");
    for second in [client.clone(), client] {
        let err = Op::Withdrawal.call(&second).await.expect_err("refused");
        let ApiError::InvalidRequest(message) = &err else {
            panic!("expected InvalidRequest, got {err:?}");
        };
        assert!(message.contains("at most once every 12 s"), "{message}");
    }
    assert_eq!(
        server.request_count(),
        1,
        "the refused withdrawals were not sent"
    );
    // Other operations are not paced, and another client has its own clock.
    let other = self::client(&server.url());
    Op::Withdrawal
        .call(&other)
        .await
        .expect("another client's withdrawal");
    assert_eq!(server.request_count(), 2);

    // A withdrawal the provider refused counts too: it reached the provider.
    let server = TestServer::always(Canned::json(
        400,
        r#"{"status":"error","result":{"rate_limit":"Request limit per minute exceeded"}}"#,
    ))
    .await;
    let client = self::client(&server.url());
    let first = Op::Withdrawal
        .call(&client)
        .await
        .expect_err("refused by the provider");
    assert!(matches!(first, ApiError::Provider { .. }), "{first:?}");
    let second = Op::Withdrawal
        .call(&client)
        .await
        .expect_err("refused before sending");
    assert!(second.is_invalid_request(), "{second:?}");
    assert_eq!(server.request_count(), 1);
}

// ---------------------------------------------------------------------------------------------
// Responses.

/// Every documented success example decodes, and its typed form serializes back to it.
#[tokio::test]
async fn every_documented_success_decodes() {
    let api = spec();
    let mut seen = 0;
    for op in ALL {
        for (name, value) in &examples(&api, op)[&200] {
            let (outcome, requests) = call_once(op, Canned::json(200, value.to_string())).await;
            let (status, back) = outcome.unwrap_or_else(|e| panic!("{} {name}: {e:?}", op.id()));
            assert_eq!((status, requests.len()), (200, 1), "{} {name}", op.id());
            assert!(
                same_json(&back, value),
                "{} {name}: decoded differently\n doc {value}\n got {back}",
                op.id()
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 9, "the documented success examples");
}

/// The typed forms of the documented successes, field by field.
#[tokio::test]
async fn documented_successes_have_the_documented_values() {
    let api = spec();
    let decode = |op: Op, name: &str| {
        let Canned { body, .. } = success(&api, op, name);
        String::from_utf8(body).expect("utf-8")
    };

    // Cancel: `["ok"]` (older page) and `"ok"` (newer page), each kept in its form.
    let older: cc::InvoiceCancelResponse = typed(&decode(Op::Cancel, "documented"));
    assert!(matches!(&older.result, cc::CancelResult::Array(v) if v == &["ok"]));
    let newer: cc::InvoiceCancelResponse = typed(&decode(Op::Cancel, "newer_table"));
    assert!(matches!(&newer.result, cc::CancelResult::String(s) if s == "ok"));
    assert_eq!(
        invoice_primitives::wire::to_string(&newer).unwrap(),
        r#"{"result":"ok","status":"success"}"#
    );

    // Balance: the balance-style currency object (`code` is the full code).
    let balance: cc::BalanceResponse = typed(&decode(Op::Balance, "documented"));
    let [entry] = &balance.result[..] else {
        panic!("one entry: {balance:?}")
    };
    assert_eq!(entry.currency.code, cc::FullCurrencyCode::UsdtTrc20);
    assert_eq!(entry.currency.short_code, "USDT");
    assert_eq!(entry.currency.obj_network.code, "TRC20");
    assert!(entry.currency.enable && entry.currency.stablecoin);
    assert_eq!(
        entry.currency.icon_network.get(),
        Some("https://cdn.cryptocloud.plus/icons-currency/USDT-TRC20.svg")
    );
    assert_eq!(entry.available_balance_usd.to_string(), "0.0");
    let newer: cc::BalanceResponse = typed(&decode(Op::Balance, "newer_table"));
    assert_eq!(newer.result[0].balance_crypto.to_string(), "10.0");

    // Statistics: whole counts, exact sums (a whole `0` among the sums too).
    let stats: cc::StatisticsResponse = typed(&decode(Op::Statistics, "documented"));
    let count = &stats.result.count;
    assert_eq!(
        (
            count.all,
            count.created,
            count.paid,
            count.overpaid,
            count.partial,
            count.canceled
        ),
        (59, 41, 16, 1, 1, 0)
    );
    assert_eq!(stats.result.amount.all.to_string(), "4683.83");
    assert_eq!(stats.result.amount.canceled.to_string(), "0");
    let newer: cc::StatisticsResponse = typed(&decode(Op::Statistics, "newer_table"));
    assert_eq!(newer.result.amount.canceled.to_string(), "213674.277983");

    // Static wallet: "None" as the network icon is no value, and is written back as "None".
    let wallet: cc::StaticWalletCreateResponse = typed(&decode(Op::StaticWallet, "documented"));
    assert_eq!(wallet.result.currency.code, cc::FullCurrencyCode::Eth);
    assert!(wallet.result.currency.icon_network.is_none());
    assert_eq!(wallet.result.uuid, "1K0NFXT9E1X3VOY07VY1LRV8XGMLQNQX");
    assert_eq!(
        wallet.result.address,
        "0xe3dE8434c928fe43012b0e8Fc6b1A928b0F1C492"
    );
    let back = wire_value(&wallet).unwrap();
    assert_eq!(back["result"]["currency"]["icon_network"], "None");

    // Withdrawal: under `data` (older page) or `result` (newer page).
    let older: cc::WithdrawalCreateResponse = typed(&decode(Op::Withdrawal, "documented"));
    let cc::WithdrawalCreateResponse::Data(older) = older else {
        panic!("the `data` envelope: {older:?}")
    };
    assert_eq!(older.data.invoice_id, "INV-XXXXXXXX");
    assert_eq!(older.data.status, cc::WithdrawalStatus::Created);
    assert_eq!(older.data.currency, cc::FullCurrencyCode::Btc);
    assert_eq!(older.data.amount.to_string(), "0.05");
    let newer: cc::WithdrawalCreateResponse = typed(&decode(Op::Withdrawal, "newer_table"));
    let cc::WithdrawalCreateResponse::Result(newer) = newer else {
        panic!("the `result` envelope: {newer:?}")
    };
    assert_eq!(newer.result.amount.to_string(), "0.0029");
    assert_eq!(newer.result.currency, cc::FullCurrencyCode::Eth);

    // Codes and statuses the docs do not list are kept, not refused.
    let mut unknown =
        serde_json::from_str::<Value>(&decode(Op::Withdrawal, "newer_table")).unwrap();
    unknown["result"]["status"] = "completed".into();
    unknown["result"]["currency"] = "USDT_POLYGON".into();
    let parsed: cc::WithdrawalCreateResponse = serde_json::from_value(unknown.clone()).unwrap();
    let cc::WithdrawalCreateResponse::Result(parsed) = &parsed else {
        panic!("{parsed:?}")
    };
    assert_eq!(
        parsed.result.status,
        cc::WithdrawalStatus::Unknown("completed".into())
    );
    assert_eq!(parsed.result.currency.to_string(), "USDT_POLYGON");
    assert!(same_json(&wire_value(&parsed).unwrap(), &unknown));
}

/// Every documented error body of every operation: a provider error with that status, the raw
/// body kept, and the typed body as documented.
#[tokio::test]
async fn every_documented_error_is_a_provider_error() {
    let api = spec();
    let mut seen = BTreeSet::new();
    for op in ALL {
        let statuses = examples(&api, op);
        assert_eq!(
            statuses.keys().copied().collect::<Vec<_>>(),
            [200, 400, 401],
            "{}: the documented statuses",
            op.id()
        );
        for (&status, named) in statuses.iter().filter(|(s, _)| **s != 200) {
            assert!(!named.is_empty(), "{} {status}: no example", op.id());
            for (name, value) in named {
                let body = value.to_string();
                let (outcome, requests) = call_once(op, Canned::json(status, body.clone())).await;
                assert_eq!(requests.len(), 1);
                let err = outcome.expect_err("an error status");
                let case = format!("{} {status} {name}", op.id());
                let ApiError::Provider {
                    status: got,
                    body: b,
                    ..
                } = &err
                else {
                    panic!("{case}: expected Provider, got {err:?}");
                };
                assert_eq!(got.as_u16(), status, "{case}");
                assert_eq!(b.raw(), body, "{case}: raw body");
                let parsed = b
                    .parsed()
                    .unwrap_or_else(|| panic!("{case}: {:?}", b.mismatch()));
                assert!(
                    same_json(&wire_value(&parsed).unwrap(), value),
                    "{case}: typed differently: {parsed:?}"
                );
                // The documented keys, typed.
                match (value.get("detail"), value.get("result")) {
                    (Some(detail), None) => {
                        assert_eq!(parsed.detail.as_deref(), detail.as_str(), "{case}");
                        assert!(parsed.result.is_empty() && parsed.status.is_none());
                    }
                    (None, Some(result)) => {
                        assert_eq!(parsed.status.as_deref(), Some("error"), "{case}");
                        let (key, message) = result.as_object().unwrap().iter().next().unwrap();
                        assert_eq!(&parsed.result[key.as_str()], message, "{case}");
                        let key: cc::ErrorKey = key.parse().unwrap();
                        assert!(!matches!(key, cc::ErrorKey::Unknown(_)), "{case}: {key:?}");
                    }
                    other => panic!("{case}: an undocumented shape {other:?}"),
                }
                seen.insert(format!("{} {status} {name}", op.id()));
            }
        }
    }
    // cancel: 3 + 2 (401); balance, statistics, static wallet: 2 + 2 each; withdrawal: 6 + 2.
    assert_eq!(seen.len(), 5 + 3 * 4 + 8, "{seen:#?}");
}

/// An error body of another JSON shape is still a provider error, with the reason it does not
/// fit; an HTML body is an invalid response that keeps its status; a status the spec does not
/// list is an unexpected status.
#[tokio::test]
async fn other_bodies_and_statuses() {
    for op in ALL {
        let id = op.id();

        let body = r#"{"status":"error","result":"amount must be positive"}"#;
        let (outcome, _) = call_once(op, Canned::json(400, body)).await;
        match outcome.expect_err("400") {
            ApiError::Provider {
                status, body: b, ..
            } => {
                assert_eq!(status.as_u16(), 400, "{id}");
                assert!(b.parsed().is_none(), "{id}");
                assert!(
                    b.mismatch().is_some_and(|m| m.contains("invalid type")),
                    "{id}"
                );
                assert_eq!(b.raw(), body, "{id}");
            }
            other => panic!("{id}: expected Provider, got {other:?}"),
        }

        for status in [200, 400] {
            let (outcome, _) = call_once(op, Canned::html(status, HTML_400)).await;
            match outcome.expect_err("HTML") {
                ApiError::InvalidResponse {
                    status: got,
                    path,
                    message,
                    body,
                    ..
                } => {
                    assert_eq!(got.as_u16(), status, "{id}");
                    assert_eq!(path, ".", "{id}");
                    // A success body is read as its type, an error body as JSON first.
                    let why = if status == 200 {
                        "expected value"
                    } else {
                        "not JSON"
                    };
                    assert!(message.contains(why), "{id}: {message}");
                    assert_eq!(body, HTML_400.as_bytes(), "{id}");
                }
                other => panic!("{id} {status}: expected InvalidResponse, got {other:?}"),
            }
        }

        for (status, canned) in [
            (502, Canned::html(502, HTML_502)),
            (404, Canned::json(404, r#"{"detail":"Not found."}"#)),
        ] {
            let body = canned.body.clone();
            let (outcome, _) = call_once(op, canned).await;
            match outcome.expect_err("undocumented status") {
                ApiError::UnexpectedStatus {
                    status: got,
                    body: b,
                    ..
                } => {
                    assert_eq!(got.as_u16(), status, "{id}");
                    assert_eq!(b, body, "{id}");
                }
                other => panic!("{id} {status}: expected UnexpectedStatus, got {other:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Retries.

/// The two reads are sent again after a 503 (the same request), the three writes exactly once.
#[tokio::test]
async fn reads_are_resent_after_503_and_writes_never() {
    let api = spec();
    let read_only: BTreeSet<&str> = cryptocloud::READ_ONLY_OPERATIONS.iter().copied().collect();
    for op in ALL {
        assert_eq!(
            read_only.contains(op.id()),
            READS.contains(&op),
            "{}",
            op.id()
        );
    }
    for op in ALL {
        let script = vec![
            Reply::Send(Canned::json(503, r#"{"detail":"busy"}"#)),
            Reply::Send(success(&api, op, "documented")),
        ];
        let server = TestServer::scripted(script).await;
        let client = client_with(&server.url(), credentials(), fast_retry(3));
        let outcome = op.call(&client).await;
        let requests = server.requests();
        if READS.contains(&op) {
            let (status, _) = outcome.unwrap_or_else(|e| panic!("{}: {e:?}", op.id()));
            assert_eq!(status, 200);
            assert_eq!(requests.len(), 2, "{}: resent once", op.id());
            assert_eq!(
                requests[0].body,
                requests[1].body,
                "{}: the same body",
                op.id()
            );
            assert_eq!(
                requests[0].header_list(),
                requests[1].header_list(),
                "{}: the same headers",
                op.id()
            );
        } else {
            assert!(WRITES.contains(&op));
            match outcome.expect_err("not resent") {
                ApiError::UnexpectedStatus { status, .. } => assert_eq!(status.as_u16(), 503),
                other => panic!("{}: expected UnexpectedStatus, got {other:?}", op.id()),
            }
            assert_eq!(requests.len(), 1, "{}: sent exactly once", op.id());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Refused before sending.

/// Documented limits and rules, and missing or malformed fields: refused with a message naming
/// the field, and nothing reaches the server.
#[tokio::test]
async fn refused_before_sending() {
    let server = TestServer::always(Canned::json(200, "{}")).await;
    let client = client(&server.url());
    let mut refusals = Vec::new();
    let mut check = |case: &str, err: ApiError<cc::ErrorResponse>, names: &[&str]| {
        let ApiError::InvalidRequest(message) = &err else {
            panic!("{case}: expected InvalidRequest, got {err:?}");
        };
        for name in names {
            assert!(
                message.contains(name),
                "{case}: {message:?} does not name {name}"
            );
        }
        refusals.push(format!("{case}: {message}"));
    };

    // Statistics: `end` before `start` (the newer page's rule), dates not `dd.mm.yyyy`.
    let err = client
        .get_statistics()
        .body(
            cc::StatisticsRequest::builder()
                .start("31.01.2023")
                .end("01.01.2023"),
        )
        .send()
        .await
        .expect_err("end before start");
    check("statistics: end before start", err, &["start", "end"]);
    for bad in ["2023-01-01", "32.01.2023", "01.01.23"] {
        let err = client
            .get_statistics()
            .body(
                cc::StatisticsRequest::builder()
                    .start(bad)
                    .end("31.01.2023"),
            )
            .send()
            .await
            .expect_err("not a date");
        check(&format!("statistics: start {bad:?}"), err, &["start"]);
    }
    let err = client
        .get_statistics()
        .body(cc::StatisticsRequest::builder().start("01.01.2023"))
        .send()
        .await
        .expect_err("no end");
    check("statistics: no end", err, &["end"]);

    // Cancel: `uuid` is required.
    let err = client
        .cancel_invoice()
        .body(cc::InvoiceCancelRequest::builder())
        .send()
        .await
        .expect_err("no uuid");
    check("cancel: no uuid", err, &["uuid"]);
    let err = client.cancel_invoice().send().await.expect_err("no body");
    check("cancel: no body", err, &["uuid"]);

    // Static wallet: `shop_id`, `currency` and `identify` are required.
    let wallet = || cc::StaticWalletCreateRequest::builder();
    for (missing, request) in [
        (
            "currency",
            wallet().shop_id("xBAivfPIbskwuEWj").identify("F4jSjfpwf4t"),
        ),
        (
            "identify",
            wallet().shop_id("xBAivfPIbskwuEWj").currency("BTC"),
        ),
        ("shop_id", wallet().currency("BTC").identify("F4jSjfpwf4t")),
    ] {
        let err = client
            .create_static_wallet()
            .body(request)
            .send()
            .await
            .expect_err("a field missing");
        check(&format!("static wallet: no {missing}"), err, &[missing]);
    }

    // Withdrawal: every field required; the amount an exact decimal.
    let err = client
        .create_withdrawal()
        .body(
            cc::WithdrawalCreateRequest::builder()
                .currency_code("BTC")
                .to_address("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        )
        .send()
        .await
        .expect_err("no amount");
    check("withdrawal: no amount", err, &["amount"]);
    let err = client
        .create_withdrawal()
        .body(
            cc::WithdrawalCreateRequest::builder()
                .currency_code("BTC")
                .to_address("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
                .amount("0.0.5"),
        )
        .send()
        .await
        .expect_err("malformed amount");
    check("withdrawal: amount 0.0.5", err, &["amount"]);

    assert_eq!(server.request_count(), 0, "nothing was sent");
    insta::assert_snapshot!("refusals", refusals.join("\n"));
}

/// No snapshot of this test binary is left over from a test that no longer writes it.
#[test]
fn no_unreferenced_snapshots() {
    let expected = ["wire", "refusals"]
        .iter()
        .map(|name| format!("ops_cryptocloud__{name}.snap"))
        .collect();
    support::assert_no_stale_snapshots("ops_cryptocloud__", &expected);
}
