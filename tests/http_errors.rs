//! Error responses through the generated clients, against a real HTTP server on 127.0.0.1.
//!
//! Each case starts an httpmock server (the crate the generated `*-httpmock` mocks are built
//! on) that answers one path with exact bytes, calls an operation with `.send()` and checks
//! the [`ApiError`] it gets: the variant, `status()`, `headers()`, `body()` (the exact bytes the
//! server sent), the documented shape where there is one, and a `Display` that quotes a bounded
//! part of the body. The outcomes of each group are pinned in one snapshot
//! (`http_errors__<group>.snap`).

mod server;
mod support;

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};

use httpmock::MockServer;
use invoice_primitives::{ApiError, Response};
use server::{apiforcrypto_client, cryptocloud_client, cryptoprocessing_client};

use apiforcrypto::types as afc;
use cryptocloud::types as cc;
use cryptoprocessing::types as cp;

const CC_CREATE: &str = "/v2/invoice/create";
const CC_LIST: &str = "/v2/invoice/merchant/list";
const CP_CREATE: &str = "/api/v2/invoices/create";
const AFC_WALLET: &str = "w-1";
const AFC_CREATE: &str = "/api/v1/wallets/w-1/invoices";
const AFC_UUID: &str = "f4ae3bd1-a031-4b4c-84cb-96a425aab4c8";
const AFC_GET: &str = "/api/v1/wallets/invoices/f4ae3bd1-a031-4b4c-84cb-96a425aab4c8";

const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";

/// A server that answers `path` (any method) with `status`, `Content-Type: content_type` and
/// exactly `body`; other paths get httpmock's 404.
async fn serve(path: &str, status: u16, content_type: &str, body: impl AsRef<[u8]>) -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path(path);
            then.status(status)
                .header("content-type", content_type)
                .body(body.as_ref());
        })
        .await;
    server
}

const HTML_400: &str = "<html><body><h1>400 Bad Request</h1>nginx</body></html>";
const HTML_502: &str = "<html><body>502 Bad Gateway</body></html>";

// ---------------------------------------------------------------------------------------------
// Calls, one per operation, with a valid request.

async fn cc_create(
    server: &MockServer,
) -> Result<Response<cc::InvoiceCreateResponse>, ApiError<cc::ErrorResponse>> {
    let client = cryptocloud_client(&server.base_url());
    client
        .create_invoice()
        .body(
            cc::InvoiceCreateRequest::builder()
                .shop_id("shop-1")
                .amount("100.5"),
        )
        .send()
        .await
}

async fn cc_list(
    server: &MockServer,
) -> Result<Response<cc::InvoiceListResponse>, ApiError<cc::ErrorResponse>> {
    let client = cryptocloud_client(&server.base_url());
    client
        .list_invoices()
        .body(
            cc::InvoiceListRequest::builder()
                .start("01.01.2024")
                .end("31.01.2024"),
        )
        .send()
        .await
}

async fn cp_create(
    server: &MockServer,
) -> Result<Response<cp::InvoiceCreateResponse>, ApiError<cp::ErrorResponse>> {
    let client = cryptoprocessing_client(&server.base_url());
    client
        .create_invoice()
        .body(
            cp::InvoiceCreateRequest::builder()
                .timer(false)
                .title("Invoice Title")
                .foreign_id("user_196")
                .currency("EUR")
                .amount("106.75"),
        )
        .send()
        .await
}

async fn afc_create(
    server: &MockServer,
) -> Result<Response<afc::Invoice>, ApiError<afc::ErrorResponse>> {
    let client = apiforcrypto_client(&server.base_url());
    client
        .create_invoice()
        .wallet_id(AFC_WALLET)
        .body(
            afc::InvoiceCreateRequest::builder()
                .blockchain("ethereum")
                .symbol("USDT")
                .value("1.5")
                .expiry(30)
                .confirmations(1),
        )
        .send()
        .await
}

async fn afc_get(
    server: &MockServer,
) -> Result<Response<afc::Invoice>, ApiError<afc::ErrorResponse>> {
    let client = apiforcrypto_client(&server.base_url());
    client.get_invoice().uuid(AFC_UUID).send().await
}

// ---------------------------------------------------------------------------------------------
// Checks shared by every error, and the outcome table.

/// The error, or a panic naming what came back instead.
fn expect_err<T: Debug, E: Debug>(result: Result<T, ApiError<E>>) -> ApiError<E> {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(e) => e,
    }
}

/// What every error must do: `status()` and `body()` as sent, `headers()` whenever there was
/// a response (with the server's `Content-Type`), a `Display` that does not panic, names the
/// status, quotes the start of the body and stays bounded.
fn check_common<E: Debug>(err: &ApiError<E>, status: Option<u16>, body: Option<&[u8]>) {
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        status,
        "status() of {err:?}"
    );
    assert_eq!(err.body(), body, "body() of {err:?}");
    match err {
        ApiError::Transport(_) | ApiError::InvalidRequest(_) => {
            assert!(err.headers().is_none(), "headers() of {err:?}")
        }
        _ => assert!(
            err.headers()
                .is_some_and(|h| h.contains_key("content-type")),
            "headers() of {err:?}"
        ),
    }
    let shown = catch_unwind(AssertUnwindSafe(|| err.to_string()))
        .unwrap_or_else(|_| panic!("Display panicked for {err:?}"));
    if let Some(status) = status {
        assert!(
            shown.contains(&format!("HTTP {status}")),
            "Display names the status: {shown}"
        );
    }
    if let Some(body) = body {
        let text = String::from_utf8_lossy(body);
        let start: String = text.chars().take(40).collect();
        assert!(
            shown.contains(&start),
            "Display quotes the body's start {start:?}: {shown}"
        );
        // At most 300 characters of the body, plus the message around it.
        assert!(
            shown.chars().count() <= 300 + 400,
            "Display is bounded: {} chars",
            shown.chars().count()
        );
    }
}

/// One line of the outcome table: the variant and its fields, `status()`, `body()` and the
/// `Display` text (long bodies shortened in the table only).
fn describe<E: Debug>(name: &str, err: &ApiError<E>) -> String {
    fn short(bytes: &[u8]) -> String {
        if bytes.is_empty() {
            return "(empty)".to_owned();
        }
        let text = String::from_utf8_lossy(bytes);
        match text.char_indices().nth(100) {
            Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], bytes.len()),
            None => text.into_owned(),
        }
    }
    let variant = match err {
        ApiError::InvalidRequest(message) => format!("InvalidRequest({message})"),
        ApiError::Transport(e) => format!(
            "Transport(is_connect={}, is_timeout={})",
            e.is_connect(),
            e.is_timeout()
        ),
        ApiError::Provider { status, body, .. } => format!(
            "Provider {{ status: {}, parsed: {:?}, mismatch: {:?} }}",
            status.as_u16(),
            body.parsed(),
            body.mismatch()
        ),
        ApiError::UnexpectedStatus { status, .. } => {
            format!("UnexpectedStatus {{ status: {} }}", status.as_u16())
        }
        ApiError::InvalidResponse {
            status,
            path,
            message,
            ..
        } => format!(
            "InvalidResponse {{ status: {}, path: {path:?}, message: {message:?} }}",
            status.as_u16()
        ),
        other => format!("(a variant this test does not know: {other:?})"),
    };
    // Trailing whitespace (an empty quoted body) is not kept in a snapshot line.
    let mut shown = err.to_string().trim_end().to_owned();
    if let Some((cut, _)) = shown.char_indices().nth(400) {
        shown.truncate(cut);
        shown.push_str("…(cut in this table)");
    }
    let content_type = err.headers().map_or("None".to_owned(), |h| {
        h.get("content-type")
            .map_or("(none)".to_owned(), |v| format!("{v:?}"))
    });
    format!(
        "## {name}\n   {variant}\n   status(): {:?}\n   headers() content-type: {content_type}\n   \
         body(): {}\n   Display: {shown}\n\n",
        err.status().map(|s| s.as_u16()),
        err.body().map_or("None".to_owned(), short),
    )
}

fn table_of(entries: &[String]) -> String {
    entries.concat()
}

// ---------------------------------------------------------------------------------------------
// CryptoCloud.

#[tokio::test]
async fn cryptocloud_errors() {
    let mut table = Vec::new();

    // 400: a validation error, in the documented shape.
    let body = r#"{"status":"error","result":{"validate_error":"Invoice is not created"}}"#;
    // The mock answers only the request as it must be sent: method, path, no query, headers
    // and JSON body.
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method("POST")
                .path(CC_CREATE)
                .query_param_count(".*", ".*", 0)
                .header("content-type", "application/json")
                .header("authorization", "Token test-api-key")
                .json_body(serde_json::json!({"shop_id": "shop-1", "amount": 100.5}));
            then.status(400).header("content-type", JSON).body(body);
        })
        .await;
    let err = expect_err(cc_create(&server).await);
    check_common(&err, Some(400), Some(body.as_bytes()));
    match &err {
        ApiError::Provider {
            status,
            headers,
            body: error_body,
        } => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(headers["content-type"], "application/json");
            assert_eq!(error_body.raw(), body, "raw() is the exact bytes");
            let parsed = error_body.parsed().expect("documented shape");
            assert_eq!(parsed.status.as_deref(), Some("error"));
            assert_eq!(parsed.result["validate_error"], "Invoice is not created");
            assert_eq!(parsed.detail, None);
        }
        other => panic!("expected Provider, got {other:?}"),
    }
    assert!(err.provider_error().is_some());
    // Exactly the one request, as sent.
    mock.assert_calls_async(1).await;
    table.push(describe("create_invoice: 400 validation error", &err));

    // 401: an authentication error.
    let body = r#"{"detail":"Signature verification failed"}"#;
    let server = serve(CC_LIST, 401, JSON, body).await;
    let err = expect_err(cc_list(&server).await);
    check_common(&err, Some(401), Some(body.as_bytes()));
    let parsed = err.provider_error().expect("documented shape");
    assert_eq!(
        parsed.detail.as_deref(),
        Some("Signature verification failed")
    );
    assert!(parsed.result.is_empty() && parsed.status.is_none());
    table.push(describe("list_invoices: 401 authentication error", &err));

    // 400 whose JSON has another shape: still a provider error, raw kept, mismatch said.
    let body = r#"{"status":"error","result":"amount must be positive"}"#;
    let server = serve(CC_CREATE, 400, JSON, body).await;
    let err = expect_err(cc_create(&server).await);
    check_common(&err, Some(400), Some(body.as_bytes()));
    match &err {
        ApiError::Provider { body: b, .. } => {
            assert!(b.parsed().is_none());
            assert!(b.mismatch().is_some_and(|m| m.contains("invalid type")));
            assert_eq!(b.raw(), body);
        }
        other => panic!("expected Provider, got {other:?}"),
    }
    table.push(describe("create_invoice: 400 with `result` a string", &err));

    // 401 with a trailing newline after the JSON, as many servers send it.
    let body = "{\"detail\":\"Invalid header padding\"}\n";
    let server = serve(CC_LIST, 401, JSON, body).await;
    let err = expect_err(cc_list(&server).await);
    // The error body keeps the JSON value's text: the newline after it is not part of it.
    check_common(&err, Some(401), Some(body.trim_end().as_bytes()));
    table.push(describe("list_invoices: 401 with a trailing newline", &err));

    // An HTML page with a documented error status (a proxy in front of the API).
    let server = serve(CC_LIST, 400, HTML, HTML_400).await;
    let err = expect_err(cc_list(&server).await);
    check_common(&err, Some(400), Some(HTML_400.as_bytes()));
    match &err {
        ApiError::InvalidResponse {
            status,
            headers,
            path,
            message,
            body,
        } => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(headers["content-type"], "text/html; charset=utf-8");
            assert_eq!(path, ".");
            assert!(message.contains("not JSON"), "{message}");
            assert_eq!(body, HTML_400.as_bytes());
        }
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
    table.push(describe("list_invoices: HTML page with status 400", &err));

    // An empty body with a documented error status.
    let server = serve(CC_CREATE, 401, JSON, "").await;
    let err = expect_err(cc_create(&server).await);
    check_common(&err, Some(401), Some(b""));
    assert!(matches!(&err, ApiError::InvalidResponse { path, .. } if path == "."));
    table.push(describe("create_invoice: 401 with an empty body", &err));

    // A status the spec does not list.
    let server = serve(CC_CREATE, 502, HTML, HTML_502).await;
    let err = expect_err(cc_create(&server).await);
    check_common(&err, Some(502), Some(HTML_502.as_bytes()));
    match &err {
        ApiError::UnexpectedStatus {
            status,
            headers,
            body,
        } => {
            assert_eq!(status.as_u16(), 502);
            assert_eq!(headers["content-type"], "text/html; charset=utf-8");
            assert_eq!(body, HTML_502.as_bytes());
        }
        other => panic!("expected UnexpectedStatus, got {other:?}"),
    }
    table.push(describe(
        "create_invoice: HTML 502 (status not in the spec)",
        &err,
    ));

    // A success status the spec does not list: an error too, but `is_success()` says so.
    let created = serde_json::json!({"status": "success"}).to_string();
    let server = serve(CC_CREATE, 201, JSON, created.clone()).await;
    let err = expect_err(cc_create(&server).await);
    check_common(&err, Some(201), Some(created.as_bytes()));
    assert!(err.status().is_some_and(|s| s.is_success()));
    table.push(describe(
        "create_invoice: 201 (a success the spec does not list)",
        &err,
    ));

    // 200 whose amount is malformed: the path names the field.
    let mut invoices = support::response_example(
        "specs/cryptocloud.yaml",
        "list_invoices",
        "200",
        "documented",
    );
    invoices["result"][0]["amount"] = serde_json::json!("1.000.5");
    let body = invoices.to_string();
    let server = serve(CC_LIST, 200, JSON, body.clone()).await;
    let err = expect_err(cc_list(&server).await);
    check_common(&err, Some(200), Some(body.as_bytes()));
    match &err {
        ApiError::InvalidResponse {
            status,
            headers,
            path,
            message,
            ..
        } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(headers["content-type"], "application/json");
            assert_eq!(path, "result[0].amount");
            assert!(message.contains("invalid amount \"1.000.5\""), "{message}");
        }
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
    table.push(describe("list_invoices: 200 with a malformed amount", &err));

    // 200 whose integer field is a string.
    let body = r#"{"status":"success","result":[],"all_count":"many"}"#;
    let server = serve(CC_LIST, 200, JSON, body).await;
    let err = expect_err(cc_list(&server).await);
    check_common(&err, Some(200), Some(body.as_bytes()));
    assert!(matches!(&err, ApiError::InvalidResponse { path, .. } if path == "all_count"));
    table.push(describe("list_invoices: 200 with all_count a string", &err));

    // 200, the documented example with an unknown status: a success.
    let mut invoices = support::response_example(
        "specs/cryptocloud.yaml",
        "list_invoices",
        "200",
        "documented",
    );
    invoices["result"][0]["status"] = serde_json::json!("refunded");
    let server = serve(CC_LIST, 200, JSON, invoices.to_string()).await;
    let list = cc_list(&server)
        .await
        .expect("an unknown status is no error");
    assert_eq!(list.status().as_u16(), 200);
    assert_eq!(list.headers()["content-type"], "application/json");
    assert!(
        matches!(&list.result[0].status, cc::InvoiceStatus::Unknown(s) if s == "refunded"),
        "{:?}",
        list.result[0].status
    );

    insta::assert_snapshot!("cryptocloud", table_of(&table));
}

// ---------------------------------------------------------------------------------------------
// Cryptoprocessing.

#[tokio::test]
async fn cryptoprocessing_errors() {
    let mut table = Vec::new();

    // 403: a documented error code.
    let body = r#"{"error":"Bad header signature","code":"bad_header_signature"}"#;
    let server = serve(CP_CREATE, 403, JSON, body).await;
    let err = expect_err(cp_create(&server).await);
    check_common(&err, Some(403), Some(body.as_bytes()));
    let parsed = err.provider_error().expect("documented shape");
    assert_eq!(parsed.code, Some(cp::ErrorCode::BadHeaderSignature));
    assert_eq!(parsed.error.as_deref(), Some("Bad header signature"));
    assert!(matches!(&err, ApiError::Provider { status, .. } if status.as_u16() == 403));
    table.push(describe("403 bad_header_signature", &err));

    // 403: a code this version does not know.
    let body = r#"{"error":"Too many requests","code":"rate_limited"}"#;
    let server = serve(CP_CREATE, 403, JSON, body).await;
    let err = expect_err(cp_create(&server).await);
    check_common(&err, Some(403), Some(body.as_bytes()));
    let parsed = err.provider_error().expect("documented shape");
    assert!(
        matches!(&parsed.code, Some(cp::ErrorCode::Unknown(c)) if c == "rate_limited"),
        "{parsed:?}"
    );
    table.push(describe("403 unknown code rate_limited", &err));

    // 400: validation errors by field.
    let body = r#"{"errors":{"foreign_id":"The foreign id has already been taken."}}"#;
    let server = serve(CP_CREATE, 400, JSON, body).await;
    let err = expect_err(cp_create(&server).await);
    check_common(&err, Some(400), Some(body.as_bytes()));
    let parsed = err.provider_error().expect("documented shape");
    assert_eq!(
        parsed
            .errors
            .as_ref()
            .and_then(|e| e.extra.get("foreign_id"))
            .map(String::as_str),
        Some("The foreign id has already been taken.")
    );
    assert_eq!(parsed.code, None);
    table.push(describe("400 validation errors", &err));

    // 400: validation errors as lists (a common framework form): raw kept, shape refused.
    let body = r#"{"errors":{"foreign_id":["The foreign id has already been taken."]}}"#;
    let server = serve(CP_CREATE, 400, JSON, body).await;
    let err = expect_err(cp_create(&server).await);
    check_common(&err, Some(400), Some(body.as_bytes()));
    assert!(err.provider_error().is_none());
    match &err {
        ApiError::Provider { body: b, .. } => {
            assert_eq!(b.raw(), body);
            assert!(b
                .mismatch()
                .is_some_and(|m| m.contains("invalid type: sequence")));
        }
        other => panic!("expected Provider, got {other:?}"),
    }
    table.push(describe("400 validation errors as lists", &err));

    // 200 whose amount is malformed (the docs' own example amount).
    let body = r#"{"data":{"id":127,"url":"https://wallet.example/i/1","foreign_id":"user_196","address":"2N2x","title":"Invoice 171","status":"created","currency":"EUR","amount":"0.106.75000000"}}"#;
    let server = serve(CP_CREATE, 200, JSON, body).await;
    let err = expect_err(cp_create(&server).await);
    check_common(&err, Some(200), Some(body.as_bytes()));
    match &err {
        ApiError::InvalidResponse {
            status,
            headers,
            path,
            message,
            body: b,
        } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(headers["content-type"], "application/json");
            assert_eq!(path, "data.amount");
            assert!(message.contains("\"0.106.75000000\""), "{message}");
            assert_eq!(b, body.as_bytes());
        }
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
    table.push(describe("200 with a malformed amount", &err));

    // 200 with an HTML body.
    let server = serve(CP_CREATE, 200, HTML, HTML_502).await;
    let err = expect_err(cp_create(&server).await);
    check_common(&err, Some(200), Some(HTML_502.as_bytes()));
    assert!(matches!(&err, ApiError::InvalidResponse { path, .. } if path == "."));
    table.push(describe("200 with an HTML body", &err));

    // 200 with a status this version does not know: a success.
    let body = r#"{"data":{"id":127,"url":"https://wallet.example/i/1","foreign_id":"user_196","address":"2N2x","title":"Invoice 171","status":"refunded","currency":"EUR","amount":"106.75000000"}}"#;
    let server = serve(CP_CREATE, 200, JSON, body).await;
    let invoice = cp_create(&server)
        .await
        .expect("an unknown status is no error");
    assert_eq!(invoice.status().as_u16(), 200);
    assert!(
        matches!(&invoice.data.status, cp::InvoiceStatus::Unknown(s) if s == "refunded"),
        "{:?}",
        invoice.data.status
    );
    assert_eq!(invoice.data.amount.get().to_string(), "106.75000000");

    insta::assert_snapshot!("cryptoprocessing", table_of(&table));
}

// ---------------------------------------------------------------------------------------------
// apiforcrypto.

#[tokio::test]
async fn apiforcrypto_errors() {
    let mut table = Vec::new();

    // 404 on create: the error shape is undocumented, so any JSON object is the "shape".
    let body = r#"{"detail":"Wallet not found","wallet_id":"w-1"}"#;
    let server = serve(AFC_CREATE, 404, JSON, body).await;
    let err = expect_err(afc_create(&server).await);
    check_common(&err, Some(404), Some(body.as_bytes()));
    let parsed = err.provider_error().expect("a JSON object");
    assert_eq!(parsed.0["detail"], "Wallet not found");
    table.push(describe("create_invoice: 404 with a JSON object", &err));

    // 500 on get.
    let body = r#"{"message":"boom"}"#;
    let server = serve(AFC_GET, 500, JSON, body).await;
    let err = expect_err(afc_get(&server).await);
    check_common(&err, Some(500), Some(body.as_bytes()));
    let parsed = err.provider_error().expect("a JSON object");
    assert_eq!(parsed.0.get("message"), Some(&serde_json::json!("boom")));
    table.push(describe("get_invoice: 500 {\"message\":\"boom\"}", &err));

    // 404 whose JSON is not an object: a provider error, raw kept, no shape.
    let body = r#""Not Found""#;
    let server = serve(AFC_GET, 404, JSON, body).await;
    let err = expect_err(afc_get(&server).await);
    check_common(&err, Some(404), Some(body.as_bytes()));
    assert!(err.provider_error().is_none());
    assert!(matches!(&err, ApiError::Provider { body: b, .. } if b.raw() == body));
    table.push(describe("get_invoice: 404 with a JSON string", &err));

    // 403 on get: documented for create only.
    let body = r#"{"message":"forbidden"}"#;
    let server = serve(AFC_GET, 403, JSON, body).await;
    let err = expect_err(afc_get(&server).await);
    check_common(&err, Some(403), Some(body.as_bytes()));
    assert!(matches!(&err, ApiError::UnexpectedStatus { .. }));
    table.push(describe(
        "get_invoice: 403 (documented for create only)",
        &err,
    ));

    // A long, partly non-UTF-8 502 page: Display quotes a bounded, lossy prefix.
    let mut page = b"<html><body>".to_vec();
    page.extend_from_slice(&[0xff, 0xfe, b' ']);
    page.extend(std::iter::repeat_n(b'x', 10_000));
    page.extend_from_slice(b"</body></html>");
    let server = serve(AFC_GET, 502, HTML, page.clone()).await;
    let err = expect_err(afc_get(&server).await);
    check_common(&err, Some(502), Some(&page));
    let shown = err.to_string();
    assert!(shown.contains('\u{fffd}'), "lossy text: {shown}");
    assert!(shown.ends_with('…'), "cut: {shown}");
    table.push(describe("get_invoice: 10 kB non-UTF-8 502 page", &err));

    // 200 with an unknown status: a success.
    let body = r#"{"id":"f4ae3bd1-a031-4b4c-84cb-96a425aab4c8","blockchain":"bitcoin","symbol":"BTC","address":"bc1q","active":false,"value":0.0015,"created":"2024-05-01T12:00:00Z","expiry":"2024-05-01T12:15:00Z","status":"REFUNDED","confirmations":2}"#;
    let server = serve(AFC_GET, 200, JSON, body).await;
    let invoice = afc_get(&server)
        .await
        .expect("an unknown status is no error");
    assert_eq!(invoice.status().as_u16(), 200);
    let invoice = invoice.into_inner();
    assert!(
        matches!(&invoice.status, afc::InvoiceStatus::Unknown(s) if s == "REFUNDED"),
        "{:?}",
        invoice.status
    );
    assert_eq!(invoice.value.get().to_string(), "0.0015");

    // 200 echoing a value beyond a request limit: still readable.
    let body = r#"{"id":"x","blockchain":"bitcoin","symbol":"BTC","address":"bc1q","active":false,"value":0.0015,"created":"c","expiry":"e","status":"PAID","confirmations":2,"data":{"attempts_callback":50}}"#;
    let server = serve(AFC_GET, 200, JSON, body).await;
    let invoice = afc_get(&server)
        .await
        .expect("an echoed setting is no error")
        .into_inner();
    assert_eq!(invoice.data.and_then(|d| d.attempts_callback), Some(50));

    // 200 with a malformed amount: the field is named.
    let body = r#"{"id":"x","blockchain":"bitcoin","symbol":"BTC","address":"bc1q","active":false,"value":"0.00.15","created":"c","expiry":"e","status":"PAID","confirmations":2}"#;
    let server = serve(AFC_GET, 200, JSON, body).await;
    let err = expect_err(afc_get(&server).await);
    check_common(&err, Some(200), Some(body.as_bytes()));
    assert!(matches!(&err, ApiError::InvalidResponse { path, .. } if path == "value"));
    table.push(describe("get_invoice: 200 with a malformed value", &err));

    insta::assert_snapshot!("apiforcrypto", table_of(&table));
}

/// No server at the address: a transport error, with no status and no body.
#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    // A port that was just free: bind, note it, close it.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let client = cryptocloud_client(&format!("http://{addr}"));
    let err = expect_err(
        client
            .create_invoice()
            .body(cc::InvoiceCreateRequest::builder().shop_id("s").amount("1"))
            .send()
            .await,
    );
    check_common(&err, None, None);
    match &err {
        ApiError::Transport(e) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected Transport, got {other:?}"),
    }
    // The cause is shown, not only where the request went.
    let shown = err.to_string();
    assert!(shown.starts_with("transport error: "), "{shown}");
    assert!(
        shown.to_ascii_lowercase().contains("connection refused"),
        "{shown}"
    );
}

/// No snapshot file of this test binary is left over from a group no longer tested.
#[test]
fn no_unreferenced_http_errors_snapshots() {
    let expected: BTreeSet<String> = ["cryptocloud", "cryptoprocessing", "apiforcrypto"]
        .iter()
        .map(|name| format!("http_errors__{name}.snap"))
        .collect();
    support::assert_no_stale_snapshots("http_errors__", &expected);
}

/// A client refuses a base URL that is not an absolute http(s) URL when it is built, saying
/// why, whichever constructor builds it (not later, as reqwest's bare "builder error").
#[test]
fn a_base_url_that_is_not_a_url_is_refused_when_the_client_is_built() {
    let config = || cryptocloud::Config::new(cryptocloud::Credentials::new("key").unwrap());
    let err = cryptocloud::Client::new("not a url", config())
        .map(drop)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#""not a url" is not a base URL: relative URL without a base"#
    );
    let credentials = cryptocloud::Credentials::new("key").unwrap();
    assert!(cryptocloud::Client::with_credentials("ftp://example.com", credentials).is_err());
    let http = reqwest::Client::new();
    assert!(cryptocloud::Client::new_with_client("", http, config()).is_err());
    assert!(cryptocloud::Client::new("http://127.0.0.1:8089/cryptocloud", config()).is_ok());
}

/// `from_env` refuses a base URL variable that holds no URL, naming it (apiforcrypto's, which
/// needs no credential; no other test of this binary reads it).
#[test]
fn from_env_refuses_a_base_url_variable_that_is_not_a_url() {
    std::env::set_var(apiforcrypto::Client::BASE_URL_ENV, "api.apiforcrypto.com");
    let err = apiforcrypto::Client::from_env().map(drop).unwrap_err();
    std::env::remove_var(apiforcrypto::Client::BASE_URL_ENV);
    assert_eq!(
        err.to_string(),
        r#"APIFORCRYPTO_BASE_URL: "api.apiforcrypto.com" is not a base URL: relative URL without a base"#
    );
}
