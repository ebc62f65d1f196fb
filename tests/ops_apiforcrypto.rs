//! apiforcrypto's wallet info (`get_wallet`, more-pages.md 3.3), through the generated client
//! against recording servers on 127.0.0.1.
//!
//! The exact request (method, path, no query, the exact header set with `user-agent`, no
//! body), the decoding of every example of the spec's 200 response (walked here, so an example
//! added there is sent through the client too), the documented errors (404, 500: provider
//! errors), an HTML body (an invalid response that keeps its status), a status the spec does not
//! list (unexpected), how retries treat it (a read: sent again after a 503, not after a 404),
//! and path parameters that would address another endpoint, refused before anything is sent.
//! The recorded request is pinned in `ops_apiforcrypto__wire.snap`.

mod server;
mod support;

use std::collections::{BTreeMap, BTreeSet};

use invoice_primitives::{ApiError, Config, Response};
use openapiv3::ReferenceOr;
use serde_json::Value;
use server::{config, fast_retry, Canned, Recorded, Reply, TestServer};
use xtask::spec::Spec;

use apiforcrypto::types as afc;

const SPEC: &str = "specs/apiforcrypto.yaml";
const USER_AGENT: &str = concat!("apiforcrypto/", env!("CARGO_PKG_VERSION"));
/// more-pages.md 3.0: the documented wallet id.
const WALLET: &str = "417ee4f0-bb55-471c-8195-2e1087e775e9";
const WALLET_PATH: &str = "/api/v1/wallets/417ee4f0-bb55-471c-8195-2e1087e775e9";

const HTML_404: &str = "<html><body><h1>404 Not Found</h1>nginx</body></html>";
const HTML_502: &str = "<html><body>502 Bad Gateway</body></html>";

type Outcome = Result<Response<afc::Wallet>, ApiError<afc::ErrorResponse>>;

async fn get_wallet(client: &apiforcrypto::Client) -> Outcome {
    client.get_wallet().wallet_id(WALLET).send().await
}

/// A client as `Client::new` builds it (its own HTTP client, which sets `User-Agent`), without
/// retries, so every call is exactly one request.
fn apiforcrypto_client(base_url: &str) -> apiforcrypto::Client {
    apiforcrypto::Client::new(base_url, config(apiforcrypto::Credentials::new()))
        .expect("a valid base URL")
}

/// A client that resends as the default policy does, with delays of a few milliseconds.
fn retrying_client(base_url: &str) -> apiforcrypto::Client {
    let config = Config::new(apiforcrypto::Credentials::new()).with_retry(fast_retry(3));
    apiforcrypto::Client::new(base_url, config).expect("a valid base URL")
}

/// Every example of `get_wallet`'s 200 response, by name, in spec order.
fn wallet_examples() -> Vec<(String, Value)> {
    let spec = Spec::load(&xtask::workspace_root(), SPEC).expect("spec loads");
    let op = spec
        .api
        .operations()
        .map(|(_, _, op)| op)
        .find(|op| op.operation_id.as_deref() == Some("get_wallet"))
        .expect("get_wallet in the spec");
    let ok = op
        .responses
        .responses
        .get(&openapiv3::StatusCode::Code(200))
        .expect("a 200 response");
    let ReferenceOr::Item(ok) = ok else {
        panic!("an inline 200 response")
    };
    ok.content["application/json"]
        .examples
        .iter()
        .map(|(name, example)| {
            let example = example.as_item().expect("an inline example");
            (name.clone(), example.value.clone().expect("a value"))
        })
        .collect()
}

/// JSON equality with numbers compared by value and `null` equal to a missing member.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().all(|k| {
                same_json(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                )
            })
        }
        _ => a == b,
    }
}

/// The one request `get_wallet` sends: `GET`, the wallet's path, no query, no body, and
/// exactly these headers (no credentials: none are documented).
fn assert_wallet_request(case: &str, server: &TestServer, r: &Recorded, path: &str) {
    assert_eq!(r.method.as_str(), "GET", "{case}: method");
    assert_eq!(r.path, path, "{case}: path");
    assert_eq!(r.query, None, "{case}: query");
    let expected: BTreeMap<String, String> = [
        ("accept", "application/json".to_owned()),
        ("host", server.addr().to_string()),
        ("user-agent", USER_AGENT.to_owned()),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v))
    .collect();
    assert_eq!(r.header_set(), expected, "{case}: the header set");
    assert!(
        r.body.is_empty(),
        "{case}: a body was sent: {}",
        r.body_text()
    );
}

/// One recorded request as the snapshot shows it, the port hidden.
fn render(r: &Recorded) -> String {
    let mut out = format!("{} {}\n", r.method, r.path);
    for (name, value) in r.header_list() {
        let value = match name.as_str() {
            "host" => value
                .rsplit_once(':')
                .map_or(value.clone(), |(h, _)| format!("{h}:<port>")),
            _ => value,
        };
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push_str(if r.body.is_empty() {
        "(no body)\n"
    } else {
        "(a body)\n"
    });
    out
}

fn expect_err(outcome: Outcome) -> ApiError<afc::ErrorResponse> {
    match outcome {
        Ok(response) => panic!("expected an error, got {:?}", response.into_inner()),
        Err(err) => err,
    }
}

// ---------------------------------------------------------------------------------------------
// The request and the documented answers.

/// Each example of the spec's 200 response, served and decoded: the typed wallet writes back
/// the same JSON, and the request is exactly the documented call.
#[tokio::test]
async fn wire_format_and_every_example_decodes() {
    let examples = wallet_examples();
    assert_eq!(
        examples.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["invoice_wallet", "private_wallet"]
    );
    for (name, example) in &examples {
        let server =
            TestServer::start([(WALLET_PATH, Canned::json(200, example.to_string()))]).await;
        let client = apiforcrypto_client(&server.url());
        let response = get_wallet(&client)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(response.status(), 200, "{name}");
        let wallet = response.into_inner();
        let back = serde_json::to_value(&wallet).expect("serializes");
        assert!(
            same_json(example, &back),
            "{name}: writes back differently\n example: {example}\n    back: {back}"
        );
        let requests = server.requests();
        assert_eq!(requests.len(), 1, "{name}: one request");
        assert_wallet_request(name, &server, &requests[0], WALLET_PATH);
        if name == "invoice_wallet" {
            insta::assert_snapshot!("wire", render(&requests[0]));
        }
    }

    // The typed reading of the first example: amounts exact and as written, the coin account
    // without a contract address.
    let wallet: afc::Wallet = serde_json::from_value(examples[0].1.clone()).expect("decodes");
    assert_eq!(wallet.type_, afc::WalletType::Invoice);
    assert_eq!(wallet.balance.to_string(), "1540.25");
    let [token, coin] = wallet.accounts.as_slice() else {
        panic!("two accounts: {:?}", wallet.accounts)
    };
    assert_eq!(
        token.contract_address.as_deref(),
        Some("0xdac17f958d2ee523a2206206994597c13d831ec7")
    );
    assert_eq!(token.decimal_balance.to_string(), "1250.500000");
    assert_eq!(coin.contract_address, None);
    assert_eq!(coin.rate.to_string(), "57950.00");
    assert!(coin.active);
    // The second: a `PRIVATE` wallet whose coin writes an empty contract address.
    let wallet: afc::Wallet = serde_json::from_value(examples[1].1.clone()).expect("decodes");
    assert_eq!(wallet.type_, afc::WalletType::Private);
    assert_eq!(wallet.accounts[0].contract_address.as_deref(), Some(""));
    assert!(!wallet.accounts[0].active);
}

/// A wallet type and fields the spec does not know: kept, not refused; a decimal given as a
/// JSON number is read exactly; a malformed one names its field.
#[tokio::test]
async fn unknown_values_and_malformed_amounts() {
    let body = r#"{"id":"w","created":"c","type":"MERCHANT","name":"n","balance":12.5,"accounts":[{"blockchain":"tron","currency":"TRX","symbol":"TRX","decimal":"6","decimal_balance":"1","rate":"0.12","fiat_balance":"0.12","fiat_currency":"USD","active":true,"network_fee":"1"}],"owner":"x"}"#;
    let server = TestServer::start([(WALLET_PATH, Canned::json(200, body))]).await;
    let wallet = get_wallet(&apiforcrypto_client(&server.url()))
        .await
        .expect("unknown values are no error")
        .into_inner();
    assert!(
        matches!(&wallet.type_, afc::WalletType::Unknown(t) if t == "MERCHANT"),
        "{:?}",
        wallet.type_
    );
    assert_eq!(wallet.type_.to_string(), "MERCHANT");
    assert_eq!(wallet.balance.to_string(), "12.5");

    let body = r#"{"id":"w","created":"c","type":"INVOICE","name":"n","balance":"1","accounts":[{"blockchain":"tron","currency":"TRX","symbol":"TRX","decimal":"6","decimal_balance":"1.2.3","rate":"0.12","fiat_balance":"0.12","fiat_currency":"USD","active":true}]}"#;
    let server = TestServer::start([(WALLET_PATH, Canned::json(200, body))]).await;
    let err = expect_err(get_wallet(&apiforcrypto_client(&server.url())).await);
    assert!(
        matches!(&err, ApiError::InvalidResponse { status, path, .. }
            if *status == 200 && path == "accounts[0].decimal_balance"),
        "{err:?}"
    );
}

/// 404 (wallet not found) and 500 are documented, with JSON bodies of no documented shape:
/// provider errors, every field kept, the raw body as sent.
#[tokio::test]
async fn documented_errors_are_provider_errors() {
    for (status, body) in [
        (404, r#"{"detail":"Wallet not found"}"#),
        (500, r#"{"message":"Internal Server Error"}"#),
    ] {
        let server = TestServer::start([(WALLET_PATH, Canned::json(status, body))]).await;
        let err = expect_err(get_wallet(&apiforcrypto_client(&server.url())).await);
        assert!(
            matches!(&err, ApiError::Provider { .. }),
            "{status}: {err:?}"
        );
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.body(), Some(body.as_bytes()));
        let expected: Value = serde_json::from_str(body).expect("JSON");
        let parsed = err.provider_error().expect("a JSON object is the shape");
        assert_eq!(serde_json::to_value(parsed).expect("serializes"), expected);
        assert!(
            err.headers()
                .is_some_and(|h| h.contains_key("content-type")),
            "{status}: headers kept"
        );
        assert_eq!(
            server.request_count(),
            1,
            "{status}: no retry without a policy"
        );
    }
}

/// An HTML page where JSON was expected: an invalid response that keeps its status and the
/// page, whether the status is a success or a documented error.
#[tokio::test]
async fn html_is_an_invalid_response() {
    for (status, page) in [(200, HTML_502), (404, HTML_404)] {
        let server = TestServer::start([(WALLET_PATH, Canned::html(status, page))]).await;
        let err = expect_err(get_wallet(&apiforcrypto_client(&server.url())).await);
        assert!(
            matches!(&err, ApiError::InvalidResponse { .. }),
            "{status}: {err:?}"
        );
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.body(), Some(page.as_bytes()));
    }
}

/// Statuses the spec does not list for wallet info (403 is documented for create only; a
/// proxy's 502 page): unexpected, with status and body kept.
#[tokio::test]
async fn undocumented_status_is_unexpected() {
    for canned in [
        Canned::json(403, r#"{"message":"forbidden"}"#),
        Canned::html(502, HTML_502),
        Canned::json(401, r#"{"detail":"no"}"#),
    ] {
        let (status, body) = (canned.status, canned.body.clone());
        let server = TestServer::start([(WALLET_PATH, canned)]).await;
        let err = expect_err(get_wallet(&apiforcrypto_client(&server.url())).await);
        assert!(
            matches!(&err, ApiError::UnexpectedStatus { .. }),
            "{status}: {err:?}"
        );
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.body(), Some(body.as_slice()));
    }
}

// ---------------------------------------------------------------------------------------------
// Retries.

/// Wallet info only reads: it is one of `READ_ONLY_OPERATIONS`, sent again after a 503 (the
/// same request), and not after a documented 404.
#[tokio::test]
async fn a_read_is_resent_after_503_not_after_404() {
    assert!(
        apiforcrypto::READ_ONLY_OPERATIONS.contains(&"get_wallet"),
        "{:?}",
        apiforcrypto::READ_ONLY_OPERATIONS
    );
    let (_, example) = wallet_examples().remove(0);
    let server = TestServer::scripted(vec![
        Reply::Send(Canned::html(503, HTML_502)),
        Reply::Send(Canned::json(200, example.to_string())),
    ])
    .await;
    let wallet = get_wallet(&retrying_client(&server.url()))
        .await
        .expect("the second attempt succeeds")
        .into_inner();
    assert_eq!(wallet.id, WALLET);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "sent again after the 503");
    for r in &requests {
        assert_wallet_request("resent", &server, r, WALLET_PATH);
    }

    let server = TestServer::always(Canned::json(404, r#"{"detail":"Wallet not found"}"#)).await;
    let err = expect_err(get_wallet(&retrying_client(&server.url())).await);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(server.request_count(), 1, "a 404 is not resent");

    // Every attempt a 500: as many requests as the policy allows, then the provider's error.
    let server = TestServer::always(Canned::json(500, r#"{"message":"boom"}"#)).await;
    let err = expect_err(get_wallet(&retrying_client(&server.url())).await);
    assert!(matches!(&err, ApiError::Provider { .. }), "{err:?}");
    assert_eq!(server.request_count(), 3, "three attempts");
}

// ---------------------------------------------------------------------------------------------
// Path parameters.

/// A wallet id that URL parsing would resolve into another endpoint (`..` to the parent path),
/// an empty one, or none at all, is refused unsent, naming `wallet_id`; any other text is
/// percent-encoded into its one segment.
#[tokio::test]
async fn path_parameter_refusals() {
    let server = TestServer::always(Canned::json(404, "{}")).await;
    let client = apiforcrypto_client(&server.url());
    for wallet_id in ["..", ".", ""] {
        let err = client
            .get_wallet()
            .wallet_id(wallet_id)
            .send()
            .await
            .expect_err("refused");
        assert!(err.is_invalid_request(), "{wallet_id:?}: {err}");
        assert!(
            err.to_string().contains("`wallet_id`"),
            "{wallet_id:?}: {err}"
        );
    }
    let err = client.get_wallet().send().await.expect_err("refused");
    assert!(err.is_invalid_request(), "no wallet_id: {err}");
    assert!(err.to_string().contains("`wallet_id`"), "{err}");
    assert_eq!(server.request_count(), 0, "nothing was sent");

    // Controls: text that is no dot segment is sent, encoded into one segment.
    for wallet_id in ["...", "a/b?c#d", r"..\x"] {
        let _ = client.get_wallet().wallet_id(wallet_id).send().await;
    }
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/wallets/...",
            "/api/v1/wallets/a%2Fb%3Fc%23d",
            "/api/v1/wallets/..%5Cx",
        ]
    );
}

// ---------------------------------------------------------------------------------------------

/// No snapshot file of this test binary is left over.
#[test]
fn no_unreferenced_snapshots() {
    let expected: BTreeSet<String> = ["ops_apiforcrypto__wire.snap".to_owned()].into();
    support::assert_no_stale_snapshots("ops_apiforcrypto__", &expected);
}
