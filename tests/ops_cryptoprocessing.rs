//! The Cryptoprocessing operations beyond invoice creation (more-pages.md section 2): cancel an
//! invoice, ping, the currencies list and the balances, through the generated client against a
//! recording server on 127.0.0.1.
//!
//! For each operation: the exact request (method, path, the whole header set, the body bytes:
//! `{}` for the calls without fields), the signature recomputed here with `hmac`/`sha2` over the
//! bytes the server received (never with the client's code), the decoding of every documented
//! response, the error paths (every documented error body is `ApiError::Provider` with the typed
//! body; an HTML page is `InvalidResponse` with its status; a status the docs do not list is
//! `UnexpectedStatus`), the retry class (the reads are resent after a 503, the cancellation is
//! sent once), and arguments refused before anything is sent.

mod server;

use std::collections::BTreeMap;

use hmac::{Hmac, Mac};
use invoice_primitives::ApiError;
use serde_json::{json, Value};
use server::{config, fast_retry, Canned, Recorded, Reply, TestServer};
use sha2::Sha512;

use cryptoprocessing::types as cp;

const API_KEY: &str = "pk_test_ops_0f9e8d7c6b5a";
const SECRET: &str = "sk_test_ops_S3cr3t";
const USER_AGENT: &str = concat!("cryptoprocessing/", env!("CARGO_PKG_VERSION"));

const CANCEL_PATH: &str = "/api/v2/invoices/test_foreign_id_0344/cancel/";
const PING_PATH: &str = "/api/v2/ping";
const CURRENCIES_PATH: &str = "/api/v2/currencies/list";
const ACCOUNTS_PATH: &str = "/api/v2/accounts/list";

// The documented bodies (more-pages.md 2.1, 2.3, 2.5, 2.6, 2.7), written out here rather than
// read from the spec, so that the spec is checked against the docs too.
const CANCEL_OK_ARRAY: &str = "[]";
const CANCEL_INVALID_STATE: &str = r#"{
  "errors": {
    "error": "Invoice cannot be failed in its current state.",
    "code": "invalid_invoice_state"
  }
}"#;
const BAD_CONTENT_FORMAT: &str = r#"{"error":"Bad content format", "code":"bad_content_format"}"#;
const FORBIDDEN: [(&str, cp::ErrorCode); 4] = [
    (
        r#"{"error": "Bad signature header", "code": "bad_header_signature"}"#,
        cp::ErrorCode::BadHeaderSignature,
    ),
    (
        r#"{"error": "No signature header", "code": "required_header_signature"}"#,
        cp::ErrorCode::RequiredHeaderSignature,
    ),
    (
        r#"{"error": "Bad key header", "code": "bad_header_key"}"#,
        cp::ErrorCode::BadHeaderKey,
    ),
    (
        r#"{"error": "No key header", "code": "required_header_key"}"#,
        cp::ErrorCode::RequiredHeaderKey,
    ),
];
const VALIDATION: &str = r#"{"errors":{"foreign_id":"The foreign id has already been taken."}}"#;
const CURRENCIES: &str = r#"{
  "data": [
    {
      "id": 1,
      "type": "crypto",
      "currency": "BTC",
      "minimum_amount": "0.00010000",
      "deposit_fee_percent": "0.000000",
      "withdrawal_fee_percent": "0.025000"
    }
  ]
}"#;
const ACCOUNTS: &str = r#"{"data": [{"currency": "EUR", "type": "fiat", "balance": "5973.97568920"}, {"currency": "BTC", "type": "crypto", "balance": "0.00000000"}]}"#;
/// The LT example's form of a balance: a JSON number.
const ACCOUNTS_LT: &str = r#"{"data": [{"currency": "BTC", "type": "crypto", "balance": 0}]}"#;
const HTML: &str = "<html><body><h1>502 Bad Gateway</h1></body></html>";

// ---------------------------------------------------------------------------------------------
// Helpers.

/// The server's own signature: lowercase hex HMAC-SHA512 of the bytes received.
fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// A client as users build it (`Client::new`: its HTTP client sends the crate's
/// `User-Agent`), without retries.
fn client(base_url: &str) -> cryptoprocessing::Client {
    let credentials = cryptoprocessing::Credentials::new(API_KEY, SECRET).expect("keys");
    cryptoprocessing::Client::new(base_url, config(credentials)).expect("a valid base URL")
}

/// The same with the default retry policy's shape: 3 attempts, delays of milliseconds.
fn retrying_client(base_url: &str) -> cryptoprocessing::Client {
    let credentials = cryptoprocessing::Credentials::new(API_KEY, SECRET).expect("keys");
    cryptoprocessing::Client::new(base_url, config(credentials).with_retry(fast_retry(3)))
        .expect("a valid base URL")
}

/// The one request the server received.
fn only_request(server: &TestServer) -> Recorded {
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    requests.into_iter().next().unwrap()
}

/// Asserts a signed POST: method, path, no query, the exact header set (the signature the
/// HMAC of the exact bytes received) and the exact body bytes.
fn assert_signed_post(server: &TestServer, r: &Recorded, path: &str, body: &str) {
    assert_eq!(r.method.as_str(), "POST", "{path}: method");
    assert_eq!(r.path, path);
    assert_eq!(r.query, None, "{path}: query");
    assert_eq!(r.body_text(), body, "{path}: the exact body bytes");
    let signature = hmac_hex(SECRET, &r.body);
    let expected: BTreeMap<String, String> = [
        ("accept", "application/json"),
        ("content-length", &body.len().to_string()),
        ("content-type", "application/json"),
        ("host", &server.addr().to_string()),
        ("user-agent", USER_AGENT),
        ("x-processing-key", API_KEY),
        ("x-processing-signature", &signature),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(r.header_set(), expected, "{path}: the header set");
}

fn provider_error<E: std::fmt::Debug>(err: &ApiError<E>) -> (u16, &E) {
    match err {
        ApiError::Provider { status, body, .. } => (
            status.as_u16(),
            body.parsed()
                .unwrap_or_else(|| panic!("documented shape not parsed: {err:?}")),
        ),
        other => panic!("expected Provider, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Wire formats and documented responses.

#[tokio::test]
async fn cancel_invoice_sends_a_signed_empty_object_to_the_foreign_id_path() {
    let server = TestServer::start([(CANCEL_PATH, Canned::json(200, CANCEL_OK_ARRAY))]).await;
    let cancelled = client(&server.url())
        .cancel_invoice()
        .foreign_id("test_foreign_id_0344")
        .send()
        .await
        .expect("cancelled");
    assert_eq!(cancelled.status().as_u16(), 200);
    assert!(matches!(cancelled.into_inner(), cp::CancelInvoiceResponse::Array(a) if a.is_empty()));
    let r = only_request(&server);
    assert_signed_post(&server, &r, CANCEL_PATH, "{}");
    // The signature of `{}`, computed independently.
    assert_eq!(
        r.header("x-processing-signature"),
        Some(hmac_hex(SECRET, b"{}").as_str())
    );

    // The body given explicitly is the same `{}`.
    let server = TestServer::start([(CANCEL_PATH, Canned::json(200, CANCEL_OK_ARRAY))]).await;
    client(&server.url())
        .cancel_invoice()
        .foreign_id("test_foreign_id_0344")
        .body(cp::EmptyRequest {})
        .send()
        .await
        .expect("cancelled");
    assert_signed_post(&server, &only_request(&server), CANCEL_PATH, "{}");
}

#[tokio::test]
async fn cancel_invoice_accepts_both_documented_results() {
    for (body, expected) in [
        ("[]", cp::CancelInvoiceResponse::Array(vec![])),
        (r#""OK""#, cp::CancelInvoiceResponse::String("OK".into())),
    ] {
        let server = TestServer::start([(CANCEL_PATH, Canned::json(200, body))]).await;
        let got = client(&server.url())
            .cancel_invoice()
            .foreign_id("test_foreign_id_0344")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{body}: {e}"))
            .into_inner();
        assert_eq!(
            serde_json::to_value(&got).unwrap(),
            serde_json::to_value(&expected).unwrap(),
            "{body}"
        );
    }
}

#[tokio::test]
async fn cancel_invoice_path_parameter_is_one_encoded_segment() {
    let path = "/api/v2/invoices/a%2Fb%20c/cancel/";
    let server = TestServer::start([(path, Canned::json(200, "[]"))]).await;
    client(&server.url())
        .cancel_invoice()
        .foreign_id("a/b c")
        .send()
        .await
        .expect("cancelled");
    assert_signed_post(&server, &only_request(&server), path, "{}");
}

#[tokio::test]
async fn ping_is_an_unsigned_get_without_body() {
    let server = TestServer::start([(PING_PATH, Canned::json(200, r#""OK""#))]).await;
    let pong = client(&server.url()).ping().send().await.expect("pong");
    assert_eq!(pong.status().as_u16(), 200);
    let r = only_request(&server);
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(r.path, PING_PATH);
    assert_eq!(r.query, None);
    assert!(r.body.is_empty(), "a body was sent: {}", r.body_text());
    // The one call without authentication: no X-Processing-Key, no X-Processing-Signature.
    // The answer is documented as the text `OK`, not JSON: reqwest's own `Accept: */*`.
    let expected: BTreeMap<String, String> = [
        ("accept", "*/*"),
        ("host", server.addr().to_string().as_str()),
        ("user-agent", USER_AGENT),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(r.header_set(), expected, "ping: the header set");
    assert!(r.header("x-processing-key").is_none());
    assert!(r.header("x-processing-signature").is_none());
}

/// The documented body is the bare text `OK`, not JSON: the answer is declared without content,
/// so any body with a 200 says the API is reachable.
#[tokio::test]
async fn ping_answered_with_bare_text_ok_is_reachable() {
    for (content_type, body) in [
        ("text/plain", "OK"),
        ("application/json", r#""OK""#),
        ("text/html", ""),
    ] {
        let server = TestServer::start([(PING_PATH, Canned::new(200, content_type, body))]).await;
        let pong = client(&server.url()).ping().send().await.expect("pong");
        assert_eq!(pong.status().as_u16(), 200, "{content_type}");
    }
}

#[tokio::test]
async fn list_currencies_sends_the_documented_body_and_decodes_the_documented_answer() {
    let server = TestServer::start([(CURRENCIES_PATH, Canned::json(200, CURRENCIES))]).await;
    let body = cp::CurrencyListRequest::builder().visible(true);
    let listed = client(&server.url())
        .list_currencies()
        .body(body)
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert_signed_post(
        &server,
        &only_request(&server),
        CURRENCIES_PATH,
        r#"{"visible":true}"#,
    );
    assert_eq!(listed.data.len(), 1);
    let btc = &listed.data[0];
    assert_eq!(btc.id, 1);
    assert_eq!(btc.type_, cp::CurrencyType::Crypto);
    assert_eq!(btc.currency, "BTC");
    // Decimal strings keep their scale.
    assert_eq!(btc.minimum_amount.to_string(), "0.00010000");
    assert_eq!(btc.deposit_fee_percent.to_string(), "0.000000");
    assert_eq!(btc.withdrawal_fee_percent.to_string(), "0.025000");
    assert_eq!(btc.precision, None, "absent from the current example");
    assert_eq!(
        serde_json::to_value(&listed).unwrap(),
        serde_json::from_str::<Value>(CURRENCIES).unwrap(),
        "written back as received"
    );

    // Without a body set: `{}`, and `visible` false is sent as such.
    let server = TestServer::start([(CURRENCIES_PATH, Canned::json(200, CURRENCIES))]).await;
    let c = client(&server.url());
    c.list_currencies().send().await.expect("listed");
    c.list_currencies()
        .body(cp::CurrencyListRequest::builder().visible(false))
        .send()
        .await
        .expect("listed");
    let requests = server.requests();
    assert_signed_post(&server, &requests[0], CURRENCIES_PATH, "{}");
    assert_signed_post(
        &server,
        &requests[1],
        CURRENCIES_PATH,
        r#"{"visible":false}"#,
    );

    // `precision`, as the older examples carry it.
    let older = r#"{"data":[{"id":2,"type":"fiat","currency":"EUR","minimum_amount":"10.00000000","deposit_fee_percent":"0.000000","withdrawal_fee_percent":"0.000000","precision":2}]}"#;
    let server = TestServer::start([(CURRENCIES_PATH, Canned::json(200, older))]).await;
    let listed = client(&server.url())
        .list_currencies()
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(listed.data[0].precision, Some(2));
    assert_eq!(listed.data[0].type_, cp::CurrencyType::Fiat);
}

#[tokio::test]
async fn list_accounts_sends_a_signed_empty_object_and_reads_both_balance_forms() {
    let server = TestServer::start([(ACCOUNTS_PATH, Canned::json(200, ACCOUNTS))]).await;
    let accounts = client(&server.url())
        .list_accounts()
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert_signed_post(&server, &only_request(&server), ACCOUNTS_PATH, "{}");
    assert_eq!(accounts.data.len(), 2);
    assert_eq!(accounts.data[0].balance.to_string(), "5973.97568920");
    assert_eq!(accounts.data[0].type_, cp::CurrencyType::Fiat);
    assert_eq!(accounts.data[1].balance.to_string(), "0.00000000");
    assert_eq!(accounts.data[1].currency, "BTC");

    // The LT example's number form is read exactly (and written back as a string).
    let server = TestServer::start([(ACCOUNTS_PATH, Canned::json(200, ACCOUNTS_LT))]).await;
    let accounts = client(&server.url())
        .list_accounts()
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert!(accounts.data[0].balance.get().is_zero());
    assert_eq!(
        serde_json::to_value(accounts.data[0].balance).unwrap(),
        json!("0")
    );

    // A malformed balance is an error naming the field, never zero.
    let bad = r#"{"data": [{"currency": "BTC", "type": "crypto", "balance": "0.1.2"}]}"#;
    let server = TestServer::start([(ACCOUNTS_PATH, Canned::json(200, bad))]).await;
    match client(&server.url())
        .list_accounts()
        .send()
        .await
        .unwrap_err()
    {
        ApiError::InvalidResponse { status, path, .. } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(path, "data[0].balance");
        }
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
}

#[test]
fn reads_and_writes_are_classified() {
    for read in ["ping", "list_currencies", "list_accounts"] {
        assert!(
            cryptoprocessing::READ_ONLY_OPERATIONS.contains(&read),
            "{read}"
        );
    }
    for write in ["create_invoice", "cancel_invoice"] {
        assert!(
            !cryptoprocessing::READ_ONLY_OPERATIONS.contains(&write),
            "{write}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Errors.

#[derive(Clone, Copy, Debug)]
enum Op {
    Cancel,
    Currencies,
    Accounts,
}

impl Op {
    const SIGNED: [Op; 3] = [Op::Cancel, Op::Currencies, Op::Accounts];

    fn path(self) -> &'static str {
        match self {
            Op::Cancel => CANCEL_PATH,
            Op::Currencies => CURRENCIES_PATH,
            Op::Accounts => ACCOUNTS_PATH,
        }
    }

    /// Calls the operation; the result is reduced to the error, if any.
    async fn call(self, c: &cryptoprocessing::Client) -> Result<(), ApiError<cp::ErrorResponse>> {
        match self {
            Op::Cancel => c
                .cancel_invoice()
                .foreign_id("test_foreign_id_0344")
                .send()
                .await
                .map(drop),
            Op::Currencies => c.list_currencies().send().await.map(drop),
            Op::Accounts => c.list_accounts().send().await.map(drop),
        }
    }

    async fn against(self, canned: Canned) -> (TestServer, ApiError<cp::ErrorResponse>) {
        let server = TestServer::start([(self.path(), canned)]).await;
        let err = self
            .call(&client(&server.url()))
            .await
            .expect_err("an error status");
        (server, err)
    }
}

#[tokio::test]
async fn every_documented_error_body_is_a_typed_provider_error() {
    for op in Op::SIGNED {
        // 400: the flat shape.
        let (_, err) = op.against(Canned::json(400, BAD_CONTENT_FORMAT)).await;
        let (status, parsed) = provider_error(&err);
        assert_eq!(status, 400, "{op:?}");
        assert_eq!(parsed.code, Some(cp::ErrorCode::BadContentFormat), "{op:?}");
        assert_eq!(parsed.error.as_deref(), Some("Bad content format"));
        assert!(parsed.errors.is_none());
        assert_eq!(err.body(), Some(BAD_CONTENT_FORMAT.as_bytes()));

        // 400: the validation shape, messages by field.
        let (_, err) = op.against(Canned::json(400, VALIDATION)).await;
        let (_, parsed) = provider_error(&err);
        let errors = parsed.errors.as_ref().expect("errors");
        assert_eq!(
            errors.extra.get("foreign_id").map(String::as_str),
            Some("The foreign id has already been taken.")
        );
        assert_eq!(errors.code, None);
        assert_eq!(parsed.code, None);

        // 403: the four documented bodies.
        for (body, code) in FORBIDDEN {
            let (server, err) = op.against(Canned::json(403, body)).await;
            let (status, parsed) = provider_error(&err);
            assert_eq!(status, 403, "{op:?} {body}");
            assert_eq!(parsed.code.as_ref(), Some(&code), "{op:?} {body}");
            assert_eq!(server.request_count(), 1, "an error status is not resent");
        }
    }

    // 400: the cancel page's nested shape, its code typed.
    let (_, err) = Op::Cancel
        .against(Canned::json(400, CANCEL_INVALID_STATE))
        .await;
    let (status, parsed) = provider_error(&err);
    assert_eq!(status, 400);
    assert_eq!(parsed.code, None);
    let errors = parsed.errors.as_ref().expect("errors");
    assert_eq!(errors.code, Some(cp::ErrorCode::InvalidInvoiceState));
    assert_eq!(
        errors.error.as_deref(),
        Some("Invoice cannot be failed in its current state.")
    );
    assert!(errors.extra.is_empty());
}

#[tokio::test]
async fn error_bodies_of_another_shape_html_and_undocumented_statuses() {
    for op in Op::SIGNED {
        // A JSON error body of another shape: still the provider's error, with the mismatch.
        let other = r#"{"errors":{"foreign_id":["taken"]}}"#;
        let (_, err) = op.against(Canned::json(400, other)).await;
        match &err {
            ApiError::Provider { status, body, .. } => {
                assert_eq!(status.as_u16(), 400);
                assert!(body.parsed().is_none());
                assert!(body.mismatch().is_some(), "{op:?}");
                assert_eq!(body.raw(), other);
            }
            other => panic!("{op:?}: expected Provider, got {other:?}"),
        }

        // HTML under a documented status: not the provider's JSON, an invalid response.
        let (_, err) = op.against(Canned::html(403, HTML)).await;
        match &err {
            ApiError::InvalidResponse { status, body, .. } => {
                assert_eq!(status.as_u16(), 403, "{op:?}");
                assert_eq!(body, HTML.as_bytes());
            }
            other => panic!("{op:?}: expected InvalidResponse, got {other:?}"),
        }

        // A status the docs do not list: unexpected, body kept.
        for (status, canned) in [
            (404, Canned::json(404, r#"{"message":"Not Found"}"#)),
            (502, Canned::html(502, HTML)),
        ] {
            let (_, err) = op.against(canned).await;
            match &err {
                ApiError::UnexpectedStatus { status: s, .. } => {
                    assert_eq!(s.as_u16(), status, "{op:?}")
                }
                other => panic!("{op:?}: expected UnexpectedStatus, got {other:?}"),
            }
        }
    }

    // Ping documents no error at all: every other status is unexpected.
    let server = TestServer::start([(PING_PATH, Canned::json(403, FORBIDDEN[2].0))]).await;
    match client(&server.url()).ping().send().await.unwrap_err() {
        ApiError::UnexpectedStatus { status, body, .. } => {
            assert_eq!(status.as_u16(), 403);
            assert_eq!(body, FORBIDDEN[2].0.as_bytes());
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Retries.

#[tokio::test]
async fn reads_are_resent_after_503_with_the_same_signed_bytes() {
    let unavailable = || Reply::Send(Canned::json(503, r#"{"message":"unavailable"}"#));
    // ping
    let server = TestServer::scripted(vec![
        unavailable(),
        Reply::Send(Canned::json(200, r#""OK""#)),
    ])
    .await;
    retrying_client(&server.url())
        .ping()
        .send()
        .await
        .expect("the second attempt");
    assert_eq!(server.request_count(), 2, "ping");
    // list_currencies and list_accounts
    for (op, answer) in [(Op::Currencies, CURRENCIES), (Op::Accounts, ACCOUNTS)] {
        let server =
            TestServer::scripted(vec![unavailable(), Reply::Send(Canned::json(200, answer))]).await;
        op.call(&retrying_client(&server.url()))
            .await
            .unwrap_or_else(|e| panic!("{op:?}: {e}"));
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "{op:?}");
        for r in &requests {
            assert_signed_post(&server, r, op.path(), "{}");
        }
    }
}

#[tokio::test]
async fn cancel_is_sent_exactly_once_after_503() {
    let server = TestServer::scripted(vec![
        Reply::Send(Canned::json(503, r#"{"message":"unavailable"}"#)),
        Reply::Send(Canned::json(200, "[]")),
    ])
    .await;
    let err = Op::Cancel
        .call(&retrying_client(&server.url()))
        .await
        .expect_err("not resent");
    assert!(
        matches!(&err, ApiError::UnexpectedStatus { status, .. } if status.as_u16() == 503),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 1, "a write is never resent");
}

// ---------------------------------------------------------------------------------------------
// Refused before sending.

#[tokio::test]
async fn cancel_arguments_that_would_leave_the_endpoint_are_refused_before_sending() {
    let server = TestServer::always(Canned::json(200, "[]")).await;
    let c = client(&server.url());
    for foreign_id in ["", ".", ".."] {
        let err = c
            .cancel_invoice()
            .foreign_id(foreign_id)
            .send()
            .await
            .expect_err(foreign_id);
        match &err {
            ApiError::InvalidRequest(why) => assert!(why.contains("foreign_id"), "{why}"),
            other => panic!("{foreign_id:?}: expected InvalidRequest, got {other:?}"),
        }
    }
    // `foreign_id` is required.
    let err = c.cancel_invoice().send().await.expect_err("no foreign_id");
    assert!(
        matches!(&err, ApiError::InvalidRequest(why) if why.contains("foreign_id")),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 0, "nothing was sent");
}

#[tokio::test]
async fn unknown_codes_and_values_are_kept() {
    // An error code this version does not know, at either level.
    let body = r#"{"errors":{"error":"Invoice is locked.","code":"invoice_locked"}}"#;
    let (_, err) = Op::Cancel.against(Canned::json(400, body)).await;
    let (_, parsed) = provider_error(&err);
    let code = parsed.errors.as_ref().unwrap().code.as_ref().unwrap();
    assert!(
        matches!(code, cp::ErrorCode::Unknown(c) if c == "invoice_locked"),
        "{code:?}"
    );
    // A currency type this version does not know.
    let body = r#"{"data":[{"currency":"XAU","type":"metal","balance":"1.5"}]}"#;
    let server = TestServer::start([(ACCOUNTS_PATH, Canned::json(200, body))]).await;
    let accounts = client(&server.url())
        .list_accounts()
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert!(matches!(&accounts.data[0].type_, cp::CurrencyType::Unknown(t) if t == "metal"));
}
