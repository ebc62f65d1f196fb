//! What goes over the wire: every operation, sent through its generated client with the
//! provider's documented example, as a recording server on 127.0.0.1 receives it.
//!
//! For each request the test asserts the method, the path, the query, the exact set of
//! headers (every header that arrives, name and value: nothing missing, nothing extra, no
//! `api-version`), and the body: as JSON equal to the documented example (numbers compared by
//! value), and byte for byte against our own serialization, which is deterministic (fields in
//! declaration order, no spaces). The Cryptoprocessing server checks `X-Processing-Signature`
//! with its own HMAC-SHA512 of the bytes it received (the `hmac` and `sha2` crates directly,
//! not the client's code), and that computation is checked against the documented test vector.
//!
//! Each provider's recorded requests are pinned in `wire__<provider>.snap` (secrets replaced
//! by `<redacted>` there only, the port by `<port>`), so that a reviewer sees the wire format.
//!
//! Also here: a base URL with a path prefix, a caller's own `reqwest::Client`, the `from_env`
//! constructors (in a child process of this test binary, so that no test changes this
//! process's environment), and percent-encoding of path parameters.

mod server;
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use hmac::{Hmac, Mac};
use serde_json::Value;
use server::{config, Canned, Recorded, TestServer};
use sha2::Sha512;

use apiforcrypto::types as afc;
use cryptocloud::types as cc;
use cryptoprocessing::types as cp;

/// Real-looking credentials (none is real), so that the snapshot shows what would be hidden.
const CC_API_KEY: &str = "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MTM0NX0.c2VjcmV0LWtleS1mb3ItdGVzdHM";
const CP_API_KEY: &str = "pk_live_5f1c0a9e7b3d4c2a8e6f0b1d9c7a5e3f";
const CP_SECRET: &str = "sk_live_Q2hhbmdlTWVJblByb2R1Y3Rpb24hIQ";

/// The `User-Agent` each client sends: `<crate>/<version>` (the generated crates share this
/// package's workspace version).
const CC_USER_AGENT: &str = concat!("cryptocloud/", env!("CARGO_PKG_VERSION"));
const CP_USER_AGENT: &str = concat!("cryptoprocessing/", env!("CARGO_PKG_VERSION"));
const AFC_USER_AGENT: &str = concat!("apiforcrypto/", env!("CARGO_PKG_VERSION"));

// ---------------------------------------------------------------------------------------------
// The documented examples, as the provider pages give them.

/// cryptocloud-invoice-create.txt, the curl example's `-d`.
const CC_CREATE_DOC: &str = r#"{"amount": 100, "shop_id": "xBAivfPIbskwuEWj", "currency": "USD"}"#;
/// cryptocloud-invoice-list.txt, the curl example's `-d`.
const CC_LIST_DOC: &str = r#"{"start":"01.01.2023","end":"31.01.2023","offset":0,"limit":10}"#;
/// cryptocloud-invoice-info.txt, the curl example's `-d`.
const CC_INFO_DOC: &str = r#"{"uuids":["INV-XXXXXXXX","INV-YYYYYYYY"]}"#;
/// cryptoprocessing-invoices-create.txt, the raw HTTP example's body, with the page's two
/// defects corrected as the spec does: `"sender_type": natural` is not JSON (quoted here), and
/// `email_user` reads "[email protected]", the page's e-mail obfuscation.
const CP_CREATE_DOC: &str = r#"{
"timer": false,
"title": "Invoice Title",
"currency": "EUR",
"amount": 106.75,
"foreign_id": "user_196",
"end_user_reference": "12345",
"url_success": "https://example.com/success",
"url_failed": "https://example.com/failed",
"email_user": "customer@example.com",
"sender_type": "natural",
"sender_data": {
"first_name": "Friedrich",
"last_name": "Müller",
"date_of_birth": "1995-08-17"
}
}"#;
/// apiforcrypto-invoices.txt gives no request body (the page's examples were not captured):
/// the spec's examples constructed from the parameter table, in fiat and in cryptocurrency.
const AFC_CREATE_FIAT: &str = r#"{
  "blockchain": "ethereum",
  "symbol": "USDT",
  "fiatCurrency": {"currency": "USD", "value": 100, "percent": 2},
  "expiry": 30,
  "confirmations": 3,
  "pause": 60,
  "secret_key": "my-secret-for-this-invoice",
  "data": {
    "order_id": "ORDER-1001",
    "title": "Order 1001",
    "description": "Two coffees",
    "url_callback": "https://shop.example.com/callbacks/apiforcrypto",
    "attempts_callback": 5,
    "url_success": "https://shop.example.com/success",
    "url_failed": "https://shop.example.com/failed",
    "user_data": "customer 42"
  }
}"#;
const AFC_CREATE_CRYPTO: &str = r#"{"blockchain": "bitcoin", "symbol": "BTC", "value": 0.0015, "fiatCurrency": {"currency": "EUR"}, "expiry": 15, "confirmations": 1}"#;
/// apiforcrypto-invoices.txt, the get-invoice curl example's UUID.
const AFC_UUID: &str = "f4ae3bd1-a031-4b4c-84cb-96a425aab4c8";
/// The page writes `{wallet id}` and gives no example.
const AFC_WALLET: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

/// beyond-the-pages.md: the documented signing test vector.
const VECTOR_SECRET: &str = "AbCdEfG123456";
const VECTOR_BODY: &str = r#"{"currency":"BTC","foreign_id":"123456"}"#;
const VECTOR_SIGNATURE: &str = "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba5\
                                5b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec";

// ---------------------------------------------------------------------------------------------
// Helpers.

/// The server's own signature check: lowercase hex HMAC-SHA512 of `body` keyed with `secret`.
fn server_hmac(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

fn typed<T: serde::de::DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn example(spec: &str, operation_id: &str, name: &str) -> String {
    support::response_example(spec, operation_id, "200", name).to_string()
}

/// JSON equality with numbers compared by value (`100` equals `100.0`, `106.75` equals
/// `106.750`).
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

/// The headers a request must carry, besides the listed ones: `host` always, and
/// `content-length` when it has a body.
fn expected_headers(
    server: &TestServer,
    r: &Recorded,
    own: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let mut set: BTreeMap<String, String> = own
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    set.insert("host".into(), server.addr().to_string());
    if !r.body.is_empty() {
        set.insert("content-length".into(), r.body.len().to_string());
    }
    set
}

/// Asserts everything about one recorded request.
#[allow(clippy::too_many_arguments)]
fn assert_request(
    case: &str,
    server: &TestServer,
    r: &Recorded,
    method: &str,
    path: &str,
    query: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) {
    assert_eq!(r.method.as_str(), method, "{case}: method");
    assert_eq!(r.path, path, "{case}: path");
    assert_eq!(r.query.as_deref(), query, "{case}: query");
    assert_eq!(
        r.header_set(),
        expected_headers(server, r, headers),
        "{case}: the header set"
    );
    assert!(
        r.header("api-version").is_none(),
        "{case}: api-version sent"
    );
    match body {
        None => assert!(
            r.body.is_empty(),
            "{case}: a body was sent: {}",
            r.body_text()
        ),
        Some((documented, exact)) => {
            let sent = r.body_json();
            assert!(
                same_json(&sent, &json(documented)),
                "{case}: the body is not the documented example:\n sent {sent}\n  doc {documented}"
            );
            assert_eq!(r.body_text(), exact, "{case}: the exact bytes");
        }
    }
}

/// One recorded request as the snapshot shows it: secrets redacted, the port hidden.
fn render(case: &str, r: &Recorded, secrets: &[&str]) -> String {
    let mut out = format!("## {case}\n{} {}", r.method, r.path);
    if let Some(q) = &r.query {
        out.push_str(&format!("?{q}"));
    }
    out.push('\n');
    for (name, value) in r.header_list() {
        let mut value = value;
        for secret in secrets {
            value = value.replace(secret, "<redacted>");
        }
        if name == "host" {
            value = value
                .rsplit_once(':')
                .map_or(value.clone(), |(h, _)| format!("{h}:<port>"));
        }
        if name == cryptoprocessing::Credentials::SIGNATURE_HEADER {
            value = format!(
                "<{} lowercase hex digits, checked by the server>",
                value.len()
            );
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

fn cc_client(base_url: &str) -> cryptocloud::Client {
    let credentials = cryptocloud::Credentials::new(CC_API_KEY).expect("key");
    // `Client::new`, as users build it: its HTTP client names the crate in `User-Agent`.
    cryptocloud::Client::new(base_url, config(credentials)).expect("a valid base URL")
}

fn cp_client(base_url: &str, secret: &str) -> cryptoprocessing::Client {
    let credentials = cryptoprocessing::Credentials::new(CP_API_KEY, secret).expect("keys");
    // `Client::new`, as users build it: its HTTP client names the crate in `User-Agent`.
    cryptoprocessing::Client::new(base_url, config(credentials)).expect("a valid base URL")
}

fn afc_client(base_url: &str) -> apiforcrypto::Client {
    let credentials = apiforcrypto::Credentials::new();
    // `Client::new`, as users build it: its HTTP client names the crate in `User-Agent`.
    apiforcrypto::Client::new(base_url, config(credentials)).expect("a valid base URL")
}

/// A Cryptoprocessing server that checks the key and the signature as the provider does:
/// 403 `bad_header_key` / `bad_header_signature` (or `required_header_*` when absent), else the
/// documented 200.
async fn verifying_cryptoprocessing_server() -> TestServer {
    let created = example(
        "specs/cryptoprocessing.yaml",
        "create_invoice",
        "documented",
    );
    TestServer::handler(move |_, r: &Recorded| {
        let refuse = |error: &str, code: &str| {
            Canned::json(403, format!(r#"{{"error": "{error}", "code": "{code}"}}"#))
        };
        match (
            r.header("x-processing-key"),
            r.header("x-processing-signature"),
        ) {
            (None, _) => refuse("Required key header", "required_header_key"),
            (_, None) => refuse("Required signature header", "required_header_signature"),
            (Some(key), _) if key != CP_API_KEY => refuse("Bad key header", "bad_header_key"),
            (_, Some(sig)) if sig != server_hmac(CP_SECRET, &r.body) => {
                refuse("Bad header signature", "bad_header_signature")
            }
            _ => Canned::json(200, created.clone()),
        }
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// The signature check itself.

/// The server's HMAC (independent of the client's code) gives the documented test vector, and
/// so does the client's.
#[test]
fn documented_signature_vector() {
    assert_eq!(
        server_hmac(VECTOR_SECRET, VECTOR_BODY.as_bytes()),
        VECTOR_SIGNATURE
    );
    let credentials = cryptoprocessing::Credentials::new("any-key", VECTOR_SECRET).expect("keys");
    assert_eq!(credentials.sign(VECTOR_BODY.as_bytes()), VECTOR_SIGNATURE);
    // One byte more (a space) is another signature: the exact bytes are signed.
    assert_ne!(
        server_hmac(
            VECTOR_SECRET,
            br#"{"currency": "BTC","foreign_id":"123456"}"#
        ),
        VECTOR_SIGNATURE
    );
}

// ---------------------------------------------------------------------------------------------
// Every operation, with its documented example.

#[tokio::test]
async fn cryptocloud_wire_format() {
    let spec = "specs/cryptocloud.yaml";
    let server = TestServer::start([
        (
            "/v2/invoice/create",
            Canned::json(200, example(spec, "create_invoice", "documented")),
        ),
        (
            "/v2/invoice/merchant/list",
            Canned::json(200, example(spec, "list_invoices", "documented")),
        ),
        (
            "/v2/invoice/merchant/info",
            Canned::json(200, example(spec, "get_invoices", "documented")),
        ),
    ])
    .await;
    let client = cc_client(&server.url());

    let create: cc::InvoiceCreateRequest = typed(CC_CREATE_DOC);
    let created = client
        .create_invoice()
        .body(create.clone())
        .send()
        .await
        .expect("create");
    assert_eq!(created.result.uuid.to_string(), "INV-XXXXXXXX");
    client
        .create_invoice()
        .locale(cc::Locale::En)
        .body(create)
        .send()
        .await
        .expect("create with locale");
    let list = client
        .list_invoices()
        .body(typed::<cc::InvoiceListRequest>(CC_LIST_DOC))
        .send()
        .await
        .expect("list");
    assert_eq!(list.all_count, 100);
    client
        .get_invoices()
        .body(typed::<cc::InvoiceInfoRequest>(CC_INFO_DOC))
        .send()
        .await
        .expect("info");

    let requests = server.requests();
    assert_eq!(requests.len(), 4, "one request per call");
    let token = format!("Token {CC_API_KEY}");
    let headers = [
        ("accept", "application/json"),
        ("authorization", token.as_str()),
        ("content-type", "application/json"),
        ("user-agent", CC_USER_AGENT),
    ];
    let create_exact = r#"{"amount":100,"currency":"USD","shop_id":"xBAivfPIbskwuEWj"}"#;
    let cases = [
        (
            "create_invoice (curl example)",
            "/v2/invoice/create",
            None,
            (CC_CREATE_DOC, create_exact),
        ),
        (
            "create_invoice with locale=en",
            "/v2/invoice/create",
            Some("locale=en"),
            (CC_CREATE_DOC, create_exact),
        ),
        (
            "list_invoices (curl example)",
            "/v2/invoice/merchant/list",
            None,
            (
                CC_LIST_DOC,
                r#"{"end":"31.01.2023","limit":10,"offset":0,"start":"01.01.2023"}"#,
            ),
        ),
        (
            "get_invoices (curl example)",
            "/v2/invoice/merchant/info",
            None,
            // The documented bytes exactly: one field, no spaces.
            (CC_INFO_DOC, CC_INFO_DOC),
        ),
    ];
    let mut snapshot = String::new();
    for ((case, path, query, body), r) in cases.into_iter().zip(&requests) {
        assert_request(case, &server, r, "POST", path, query, &headers, Some(body));
        snapshot.push_str(&render(case, r, &[CC_API_KEY]));
        snapshot.push('\n');
    }
    insta::assert_snapshot!("cryptocloud", snapshot);
}

#[tokio::test]
async fn cryptoprocessing_wire_format_and_server_checked_signature() {
    let server = verifying_cryptoprocessing_server().await;
    let client = cp_client(&server.url(), CP_SECRET);
    let request: cp::InvoiceCreateRequest = typed(CP_CREATE_DOC);
    let created = client
        .create_invoice()
        .body(request.clone())
        .send()
        .await
        .expect("the server accepted the signature");
    assert_eq!(created.data.foreign_id, "user_196");

    // Control: a client with another secret is refused by the same server, so its check is
    // real.
    let wrong = cp_client(&server.url(), "sk_live_not-the-right-secret");
    let refused = wrong
        .create_invoice()
        .body(request)
        .send()
        .await
        .expect_err("a wrong signature is refused");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(
        refused.provider_error().and_then(|e| e.code.clone()),
        Some(cp::ErrorCode::BadHeaderSignature)
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let r = &requests[0];
    let signature = server_hmac(CP_SECRET, &r.body);
    assert_eq!(signature.len(), 128);
    assert!(signature
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    let exact = concat!(
        r#"{"amount":106.75,"currency":"EUR","email_user":"customer@example.com","#,
        r#""end_user_reference":"12345","foreign_id":"user_196","#,
        r#""sender_data":{"date_of_birth":"1995-08-17","first_name":"Friedrich","last_name":"Müller"},"#,
        r#""sender_type":"natural","timer":false,"title":"Invoice Title","#,
        r#""url_failed":"https://example.com/failed","url_success":"https://example.com/success"}"#
    );
    assert_request(
        "create_invoice (documented example)",
        &server,
        r,
        "POST",
        "/api/v2/invoices/create",
        None,
        &[
            ("accept", "application/json"),
            ("content-type", "application/json"),
            ("user-agent", CP_USER_AGENT),
            ("x-processing-key", CP_API_KEY),
            ("x-processing-signature", &signature),
        ],
        Some((CP_CREATE_DOC, exact)),
    );
    // The signature covers the UTF-8 bytes of `Müller` as sent, not an escaped form.
    assert!(r.body_text().contains("Müller"));
    let snapshot = render(
        "create_invoice (documented example, corrected to valid JSON)",
        r,
        &[CP_API_KEY, CP_SECRET],
    );
    insta::assert_snapshot!("cryptoprocessing", snapshot);
}

#[tokio::test]
async fn apiforcrypto_wire_format() {
    let spec = "specs/apiforcrypto.yaml";
    let create_path = format!("/api/v1/wallets/{AFC_WALLET}/invoices");
    let get_path = format!("/api/v1/wallets/invoices/{AFC_UUID}");
    let server = TestServer::start([
        (
            create_path.clone(),
            Canned::json(200, example(spec, "create_invoice", "constructed")),
        ),
        (
            get_path.clone(),
            Canned::json(200, example(spec, "get_invoice", "constructed")),
        ),
    ])
    .await;
    let client = afc_client(&server.url());
    for body in [AFC_CREATE_FIAT, AFC_CREATE_CRYPTO] {
        client
            .create_invoice()
            .wallet_id(AFC_WALLET)
            .body(typed::<afc::InvoiceCreateRequest>(body))
            .send()
            .await
            .expect("create");
    }
    let invoice = client
        .get_invoice()
        .uuid(AFC_UUID)
        .send()
        .await
        .expect("get");
    assert_eq!(invoice.id, AFC_UUID);

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let post_headers = [
        ("accept", "application/json"),
        ("content-type", "application/json"),
        ("user-agent", AFC_USER_AGENT),
    ];
    let fiat_exact = concat!(
        r#"{"blockchain":"ethereum","confirmations":3,"data":{"attempts_callback":5,"#,
        r#""description":"Two coffees","#,
        r#""order_id":"ORDER-1001","title":"Order 1001","#,
        r#""url_callback":"https://shop.example.com/callbacks/apiforcrypto","#,
        r#""url_failed":"https://shop.example.com/failed","#,
        r#""url_success":"https://shop.example.com/success","user_data":"customer 42"},"#,
        r#""expiry":30,"fiatCurrency":{"currency":"USD","percent":2,"value":100},"#,
        r#""pause":60,"secret_key":"my-secret-for-this-invoice","symbol":"USDT"}"#
    );
    let crypto_exact = concat!(
        r#"{"blockchain":"bitcoin","confirmations":1,"expiry":15,"#,
        r#""fiatCurrency":{"currency":"EUR"},"symbol":"BTC","value":0.0015}"#
    );
    let mut snapshot = String::new();
    for (case, body, r) in [
        (
            "create_invoice (fiat)",
            (AFC_CREATE_FIAT, fiat_exact),
            &requests[0],
        ),
        (
            "create_invoice (crypto)",
            (AFC_CREATE_CRYPTO, crypto_exact),
            &requests[1],
        ),
    ] {
        assert_request(
            case,
            &server,
            r,
            "POST",
            &create_path,
            None,
            &post_headers,
            Some(body),
        );
        snapshot.push_str(&render(case, r, &[]));
        snapshot.push('\n');
    }
    let case = "get_invoice (curl example)";
    assert_request(
        case,
        &server,
        &requests[2],
        "GET",
        &get_path,
        None,
        &[
            ("accept", "application/json"),
            ("user-agent", AFC_USER_AGENT),
        ],
        None,
    );
    snapshot.push_str(&render(case, &requests[2], &[]));
    insta::assert_snapshot!("apiforcrypto", snapshot);
}

// ---------------------------------------------------------------------------------------------
// Base URLs, the caller's reqwest client, path parameters.

/// The documented base URLs, and a base URL with a path prefix: the operation's path is
/// appended to it.
#[tokio::test]
async fn base_url_with_a_path_prefix() {
    assert_eq!(cryptocloud::BASE_URL, "https://api.cryptocloud.plus");
    assert_eq!(
        cryptoprocessing::BASE_URL,
        "https://app.cryptoprocessing.com"
    );
    assert_eq!(
        cryptoprocessing::SANDBOX_URL,
        "https://app.sandbox.cryptoprocessing.com"
    );
    assert_eq!(apiforcrypto::BASE_URL, "https://api.apiforcrypto.com");

    let server = verifying_cryptoprocessing_server().await;
    let base = format!("{}/prefix", server.url());
    cc_client(&base)
        .create_invoice()
        .body(typed::<cc::InvoiceCreateRequest>(CC_CREATE_DOC))
        .send()
        .await
        .expect_err("the server answers CryptoCloud with a Cryptoprocessing 403");
    cp_client(&base, CP_SECRET)
        .create_invoice()
        .body(typed::<cp::InvoiceCreateRequest>(CP_CREATE_DOC))
        .send()
        .await
        .expect("signed request under a prefix");
    afc_client(&format!("{}/a/b", server.url()))
        .get_invoice()
        .uuid(AFC_UUID)
        .send()
        .await
        .expect_err("no apiforcrypto answer here");
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/prefix/v2/invoice/create".to_owned(),
            "/prefix/api/v2/invoices/create".to_owned(),
            format!("/a/b/api/v1/wallets/invoices/{AFC_UUID}"),
        ]
    );
}

/// `new_with_client` uses the caller's client: its default headers arrive, but never replace
/// the credentials.
#[tokio::test]
async fn callers_reqwest_client_is_used() {
    let server = TestServer::always(Canned::json(
        200,
        example("specs/cryptocloud.yaml", "get_invoices", "documented"),
    ))
    .await;
    let mut defaults = reqwest::header::HeaderMap::new();
    defaults.insert("x-test", "1".parse().expect("value"));
    defaults.insert(
        reqwest::header::AUTHORIZATION,
        "Token not-the-configured-key".parse().expect("value"),
    );
    let http = reqwest::Client::builder()
        .no_proxy()
        .default_headers(defaults)
        .build()
        .expect("client");
    let credentials = cryptocloud::Credentials::new(CC_API_KEY).expect("key");
    let client = cryptocloud::Client::new_with_client(&server.url(), http, config(credentials))
        .expect("a valid base URL");
    client
        .get_invoices()
        .body(typed::<cc::InvoiceInfoRequest>(CC_INFO_DOC))
        .send()
        .await
        .expect("info");
    let r = &server.requests()[0];
    assert_eq!(r.header("x-test"), Some("1"));
    let token = format!("Token {CC_API_KEY}");
    assert_eq!(r.header("authorization"), Some(token.as_str()));
    assert_eq!(r.headers.get_all("authorization").iter().count(), 1);
    // The caller's client names no agent, so none is sent: only `Client::new` names the crate.
    assert_eq!(r.header("user-agent"), None);
}

/// A caller's client that names itself keeps its `User-Agent`: the crate's is set only on the
/// HTTP client `Client::new` builds.
#[tokio::test]
async fn callers_user_agent_is_kept() {
    let server = TestServer::always(Canned::json(
        200,
        example("specs/cryptocloud.yaml", "get_invoices", "documented"),
    ))
    .await;
    let http = reqwest::Client::builder()
        .no_proxy()
        .user_agent("my-shop/2.1")
        .build()
        .expect("client");
    let credentials = cryptocloud::Credentials::new(CC_API_KEY).expect("key");
    let client = cryptocloud::Client::new_with_client(&server.url(), http, config(credentials))
        .expect("a valid base URL");
    client
        .get_invoices()
        .body(typed::<cc::InvoiceInfoRequest>(CC_INFO_DOC))
        .send()
        .await
        .expect("info");
    let r = &server.requests()[0];
    assert_eq!(r.headers.get_all("user-agent").iter().count(), 1);
    assert_eq!(r.header("user-agent"), Some("my-shop/2.1"));
}

/// Path parameters are percent-encoded, so an identifier cannot add path segments or a query.
#[tokio::test]
async fn path_parameters_are_encoded() {
    let server = TestServer::always(Canned::json(404, "{}")).await;
    let client = afc_client(&server.url());
    let _ = client
        .create_invoice()
        .wallet_id("my wallet/1?x=#")
        .body(typed::<afc::InvoiceCreateRequest>(AFC_CREATE_CRYPTO))
        .send()
        .await;
    let _ = client.get_invoice().uuid("a/b?c").send().await;
    // Segments that URL parsing would resolve (`..` to the parent path) are refused unsent.
    for uuid in ["..", ".", ""] {
        let refused = client
            .get_invoice()
            .uuid(uuid)
            .send()
            .await
            .expect_err("refused");
        assert!(refused.is_invalid_request(), "{uuid:?}: {refused}");
        assert!(
            refused.to_string().contains("`uuid`"),
            "{uuid:?}: {refused}"
        );
    }
    let seen: Vec<(String, Option<String>)> = server
        .requests()
        .into_iter()
        .map(|r| (r.path, r.query))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "/api/v1/wallets/my%20wallet%2F1%3Fx=%23/invoices".to_owned(),
                None
            ),
            ("/api/v1/wallets/invoices/a%2Fb%3Fc".to_owned(), None),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Credentials from the environment.

/// The variables `from_env` reads are set for a child process only: this test binary, run
/// again with `--exact from_env_in_child` (ignored otherwise), with them unset, set, empty or
/// blank. No test changes this process's environment. In the `set` run the base URLs name a
/// server of this process, which checks what the child's `Client::from_env` clients send.
#[test]
fn from_env_reads_the_documented_variables() {
    assert_eq!(cryptocloud::Credentials::API_KEY_ENV, "CRYPTOCLOUD_API_KEY");
    assert_eq!(
        cryptoprocessing::Credentials::API_KEY_ENV,
        "CRYPTOPROCESSING_API_KEY"
    );
    assert_eq!(
        cryptoprocessing::Credentials::SECRET_ENV,
        "CRYPTOPROCESSING_SECRET"
    );
    assert_eq!(cryptocloud::Client::BASE_URL_ENV, "CRYPTOCLOUD_BASE_URL");
    assert_eq!(
        cryptoprocessing::Client::BASE_URL_ENV,
        "CRYPTOPROCESSING_BASE_URL"
    );
    assert_eq!(apiforcrypto::Client::BASE_URL_ENV, "APIFORCRYPTO_BASE_URL");
    let exe = std::env::current_exe().expect("test binary");
    let run = |vars: &[(&str, &str)], mode: &str| {
        let mut command = Command::new(&exe);
        command.args([
            "--exact",
            "from_env_in_child",
            "--ignored",
            "--test-threads=1",
        ]);
        for name in ENV_VARS {
            command.env_remove(name);
        }
        // `Client::from_env` builds its own reqwest client, which honours proxy variables:
        // the server is on 127.0.0.1.
        for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
            command.env_remove(name);
        }
        command.envs(vars.iter().copied()).env(CHILD_MODE, mode);
        let output = command.output().expect("run the child");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "child ({mode}) failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(&[], "unset");
    run(&[(ENV_VARS[1], CP_API_KEY)], "secret-unset");
    run(
        &[
            (ENV_VARS[0], ""),
            (ENV_VARS[1], CP_API_KEY),
            (ENV_VARS[2], " "),
        ],
        "empty",
    );
    run(
        &[
            (ENV_VARS[0], CC_API_KEY),
            (ENV_VARS[1], CP_API_KEY),
            (ENV_VARS[2], CP_SECRET),
            (ENV_VARS[3], ""),
            (ENV_VARS[4], " "),
            (ENV_VARS[5], "\t"),
        ],
        "blank-url",
    );

    // The server runs on this runtime's worker threads while the child runs.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(verifying_cryptoprocessing_server());
    let url = server.url();
    let afc_url = format!("{url}/afc");
    run(
        &[
            (ENV_VARS[0], CC_API_KEY),
            (ENV_VARS[1], CP_API_KEY),
            (ENV_VARS[2], CP_SECRET),
            (ENV_VARS[3], &url),
            (ENV_VARS[4], &url),
            (ENV_VARS[5], &afc_url),
            (CHILD_URL, &url),
        ],
        "set",
    );
    let requests = server.requests();
    let seen: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    let afc_path = format!("/afc/api/v1/wallets/invoices/{AFC_UUID}");
    assert_eq!(
        seen,
        [
            ("POST", "/api/v2/invoices/create"),
            ("POST", "/v2/invoice/merchant/info"),
            ("GET", afc_path.as_str()),
        ],
        "one request per call, each to the base URL from the environment"
    );
    let (cp, cc, afc) = (&requests[0], &requests[1], &requests[2]);
    assert_eq!(cp.header("x-processing-key"), Some(CP_API_KEY));
    assert_eq!(
        cp.header("x-processing-signature"),
        Some(server_hmac(CP_SECRET, &cp.body).as_str())
    );
    assert_eq!(cp.header("user-agent"), Some(CP_USER_AGENT));
    let token = format!("Token {CC_API_KEY}");
    assert_eq!(cc.header("authorization"), Some(token.as_str()));
    assert_eq!(cc.header("user-agent"), Some(CC_USER_AGENT));
    assert_eq!(afc.header("user-agent"), Some(AFC_USER_AGENT));
    for r in [cc, afc] {
        assert!(r.header("x-processing-key").is_none());
        assert!(r.header("x-processing-signature").is_none());
    }
    assert!(cp.header("authorization").is_none() && afc.header("authorization").is_none());
}

/// Every variable the `from_env` constructors read.
const ENV_VARS: [&str; 6] = [
    "CRYPTOCLOUD_API_KEY",
    "CRYPTOPROCESSING_API_KEY",
    "CRYPTOPROCESSING_SECRET",
    "CRYPTOCLOUD_BASE_URL",
    "CRYPTOPROCESSING_BASE_URL",
    "APIFORCRYPTO_BASE_URL",
];
const CHILD_MODE: &str = "WIRE_TEST_FROM_ENV_MODE";
/// The parent's server, in the `set` run.
const CHILD_URL: &str = "WIRE_TEST_FROM_ENV_URL";

/// Run only by [`from_env_reads_the_documented_variables`], in a child process.
#[tokio::test]
#[ignore = "run in a child process by from_env_reads_the_documented_variables"]
async fn from_env_in_child() {
    // One trait, re-exported by each crate.
    use cryptocloud::ClientInfo as _;

    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let cc_credentials = cryptocloud::Credentials::from_env();
    let cp_credentials = cryptoprocessing::Credentials::from_env();
    let cc = cryptocloud::Client::from_env();
    let cp = cryptoprocessing::Client::from_env();
    // No credentials to read: never fails.
    let afc = apiforcrypto::Client::from_env().expect("apiforcrypto from_env");
    assert!(apiforcrypto::Credentials::from_env().is_ok());
    fn error<T>(result: Result<T, invoice_primitives::CredentialError>) -> String {
        match result {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }
    match mode.as_str() {
        "unset" => {
            for cc_error in [error(cc_credentials), error(cc)] {
                assert_eq!(cc_error, "CRYPTOCLOUD_API_KEY is not set");
            }
            for cp_error in [error(cp_credentials), error(cp)] {
                assert_eq!(cp_error, "CRYPTOPROCESSING_API_KEY is not set");
            }
            assert_eq!(afc.baseurl(), apiforcrypto::BASE_URL);
        }
        "secret-unset" => {
            assert!(cc_credentials.is_err() && cc.is_err());
            for cp_error in [error(cp_credentials), error(cp)] {
                assert_eq!(cp_error, "CRYPTOPROCESSING_SECRET is not set");
            }
        }
        "empty" => {
            for cc_error in [error(cc_credentials), error(cc)] {
                assert_eq!(cc_error, "the API key is empty");
            }
            for cp_error in [error(cp_credentials), error(cp)] {
                assert_eq!(cp_error, "the secret key is empty");
            }
        }
        "blank-url" => {
            assert!(cc_credentials.is_ok() && cp_credentials.is_ok());
            // An empty or blank base URL variable is as if unset: the documented server.
            assert_eq!(cc.expect("cc").baseurl(), cryptocloud::BASE_URL);
            assert_eq!(cp.expect("cp").baseurl(), cryptoprocessing::BASE_URL);
            assert_eq!(afc.baseurl(), apiforcrypto::BASE_URL);
        }
        "set" => {
            let url = std::env::var(CHILD_URL).expect("the parent's server");
            let (cc, cp) = (cc.expect("cc"), cp.expect("cp"));
            assert_eq!(cc.baseurl(), url);
            assert_eq!(cp.baseurl(), url);
            assert_eq!(afc.baseurl(), format!("{url}/afc"));
            let created = cp
                .create_invoice()
                .body(typed::<cp::InvoiceCreateRequest>(CP_CREATE_DOC))
                .send()
                .await
                .expect("the key and secret from the environment sign correctly");
            assert_eq!(created.status(), 200);
            // The parent's server answers 403 to anything but a signed Cryptoprocessing
            // request: never resent, so the parent sees one request per call.
            let refused = cc
                .get_invoices()
                .body(typed::<cc::InvoiceInfoRequest>(CC_INFO_DOC))
                .send()
                .await
                .expect_err("the parent's server refuses CryptoCloud");
            assert_eq!(refused.status().map(|s| s.as_u16()), Some(403));
            let refused = afc
                .get_invoice()
                .uuid(AFC_UUID)
                .send()
                .await
                .expect_err("the parent's server refuses apiforcrypto");
            assert_eq!(refused.status().map(|s| s.as_u16()), Some(403));
        }
        other => panic!("unknown mode {other}"),
    }
}

// ---------------------------------------------------------------------------------------------

/// No snapshot file of this test binary is left over.
#[test]
fn no_unreferenced_wire_snapshots() {
    let expected: BTreeSet<String> = ["cryptocloud", "cryptoprocessing", "apiforcrypto"]
        .iter()
        .map(|name| format!("wire__{name}.snap"))
        .collect();
    support::assert_no_stale_snapshots("wire__", &expected);
}
