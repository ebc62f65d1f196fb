//! Credentials never show: not in the `Debug` of clients, settings or credentials, not in
//! credential errors, not in any `ApiError` a failing call produces (`Display` and `Debug`),
//! and the headers that carry them are marked sensitive, so that reqwest's and http's own
//! `Debug` of a request hides them too.
//!
//! The credentials are real-looking and each contains a marker (`SeCrEt`), so that a leak of
//! any part of one is caught, not only of the whole.

mod server;
mod support;

use std::time::Duration;

use invoice_primitives::{
    ApiError, Authenticate, Config, CredentialError, HeaderToken, HmacBodySignature, NoAuth,
    RetryPolicy, Scheme, Secret,
};
use server::{http_client, refused_addr, Canned, TestServer};

use apiforcrypto::types as afc;
use cryptocloud::types as cc;
use cryptoprocessing::types as cp;

/// The generated crates' credentials: CryptoCloud's API key in a header, Cryptoprocessing's
/// key and HMAC signature, apiforcrypto's none.
use apiforcrypto::Credentials as AfcCredentials;
use cryptocloud::Credentials as CcCredentials;
use cryptoprocessing::Credentials as CpCredentials;

const CC_KEY: &str = "cc_live_SeCrEt_7Hq2xZ9wLk4Pm8Rt3Vb6Nc1Yd5Fg0Js";
const CP_KEY: &str = "cp_key_SeCrEt_Q2hhbmdlTWVJblByb2R1Y3Rpb24";
const CP_SECRET: &str = "cp_secret_SeCrEt_9f8e7d6c5b4a39281706f5e4";

/// Every piece of every credential that must never show.
const MARKERS: [&str; 4] = ["SeCrEt", CC_KEY, CP_KEY, CP_SECRET];

/// Fails if `text` shows any credential.
fn assert_hidden(what: &str, text: &str) {
    for marker in MARKERS {
        assert!(
            !text.contains(marker),
            "{what} shows a credential ({marker}):\n{text}"
        );
        // Nor a recognisable part of one.
        let tail = &marker[marker.len().saturating_sub(12)..];
        assert!(
            !text.contains(tail),
            "{what} shows part of a credential:\n{text}"
        );
    }
}

/// Checks `Display`, `Debug` and `{:#?}` of a value.
fn assert_all_hidden<T: std::fmt::Debug + std::fmt::Display>(what: &str, value: &T) {
    assert_hidden(&format!("{what} (Display)"), &value.to_string());
    assert_hidden(&format!("{what} (Debug)"), &format!("{value:?}"));
    assert_hidden(&format!("{what} (pretty Debug)"), &format!("{value:#?}"));
}

/// Time allowed for a call to the server that never answers; calls that get an answer have
/// the default (30 s), which they never come near.
const TIMEOUT: Duration = Duration::from_millis(50);

fn settings<A: Authenticate>(auth: A) -> Config<A> {
    Config::new(auth).with_retry(RetryPolicy::none())
}

fn cc_client(base_url: &str) -> cryptocloud::Client {
    let auth = CcCredentials::new(CC_KEY).expect("key");
    cryptocloud::Client::new_with_client(base_url, http_client(), settings(auth))
        .expect("a valid base URL")
}

fn cp_client(base_url: &str) -> cryptoprocessing::Client {
    let auth = CpCredentials::new(CP_KEY, CP_SECRET).expect("keys");
    cryptoprocessing::Client::new_with_client(base_url, http_client(), settings(auth))
        .expect("a valid base URL")
}

/// Clients that give up after [`TIMEOUT`].
fn impatient_clients(base_url: &str) -> (cryptocloud::Client, cryptoprocessing::Client) {
    let token = CcCredentials::new(CC_KEY).expect("key");
    let hmac = CpCredentials::new(CP_KEY, CP_SECRET).expect("keys");
    (
        cryptocloud::Client::new_with_client(
            base_url,
            http_client(),
            settings(token).with_timeout(TIMEOUT),
        )
        .expect("a valid base URL"),
        cryptoprocessing::Client::new_with_client(
            base_url,
            http_client(),
            settings(hmac).with_timeout(TIMEOUT),
        )
        .expect("a valid base URL"),
    )
}

fn afc_client(base_url: &str) -> apiforcrypto::Client {
    apiforcrypto::Client::new_with_client(base_url, http_client(), settings(AfcCredentials::new()))
        .expect("a valid base URL")
}

// ---------------------------------------------------------------------------------------------

#[test]
fn clients_settings_and_credentials_hide_secrets() {
    let token = CcCredentials::new(CC_KEY).expect("key");
    let hmac = CpCredentials::new(CP_KEY, CP_SECRET).expect("keys");
    // The generic runtime schemes the generated credentials wrap.
    let header_token =
        HeaderToken::new("authorization", "Token ", "the API key", CC_KEY).expect("key");
    let hmac_signature =
        HmacBodySignature::new("x-key", "x-signature", CP_KEY, CP_SECRET).expect("keys");
    let texts = [
        (
            "cryptocloud::Credentials",
            format!("{token:?}"),
            format!("{token:#?}"),
        ),
        (
            "cryptoprocessing::Credentials",
            format!("{hmac:?}"),
            format!("{hmac:#?}"),
        ),
        (
            "HeaderToken",
            format!("{header_token:?}"),
            format!("{header_token:#?}"),
        ),
        (
            "HmacBodySignature",
            format!("{hmac_signature:?}"),
            format!("{hmac_signature:#?}"),
        ),
        (
            "cryptocloud::Config",
            format!("{:?}", cryptocloud::Config::new(token.clone())),
            format!("{:#?}", cryptocloud::Config::new(token.clone())),
        ),
        (
            "cryptoprocessing::Config",
            format!("{:?}", cryptoprocessing::Config::new(hmac.clone())),
            format!("{:#?}", cryptoprocessing::Config::new(hmac.clone())),
        ),
        (
            "Config<HeaderToken>, Config<HmacBodySignature>",
            format!("{:?}", Config::new(header_token.clone())),
            format!("{:#?}", Config::new(hmac_signature.clone())),
        ),
        (
            "cryptocloud::Client",
            format!("{:?}", cc_client(cryptocloud::BASE_URL)),
            format!("{:#?}", cc_client(cryptocloud::BASE_URL)),
        ),
        (
            "cryptoprocessing::Client",
            format!("{:?}", cp_client(cryptoprocessing::BASE_URL)),
            format!("{:#?}", cp_client(cryptoprocessing::BASE_URL)),
        ),
        (
            "apiforcrypto::Client",
            format!("{:?}", afc_client(apiforcrypto::BASE_URL)),
            format!("{:#?}", afc_client(apiforcrypto::BASE_URL)),
        ),
        (
            "Client::new (its own reqwest client)",
            format!(
                "{:?}",
                cryptocloud::Client::new(
                    cryptocloud::BASE_URL,
                    cryptocloud::Config::new(token.clone())
                )
                .expect("a valid base URL")
            ),
            format!(
                "{:#?}",
                cryptoprocessing::Client::new(
                    cryptoprocessing::BASE_URL,
                    cryptoprocessing::Config::new(hmac.clone())
                )
                .expect("a valid base URL")
            ),
        ),
        (
            "Client::with_credentials",
            format!(
                "{:?}",
                cryptocloud::Client::with_credentials(cryptocloud::BASE_URL, token.clone())
                    .expect("a valid base URL")
            ),
            format!(
                "{:#?}",
                cryptoprocessing::Client::with_credentials(
                    cryptoprocessing::BASE_URL,
                    hmac.clone()
                )
                .expect("a valid base URL")
            ),
        ),
        (
            "an operation's builder (holds the client)",
            format!("{:?}", cc_client(cryptocloud::BASE_URL).list_invoices()),
            format!(
                "{:#?}",
                cp_client(cryptoprocessing::BASE_URL).create_invoice()
            ),
        ),
    ];
    for (what, debug, pretty) in &texts {
        assert_hidden(what, debug);
        assert_hidden(what, pretty);
        if !what.starts_with("apiforcrypto") {
            assert!(
                debug.contains("***"),
                "{what}: the secret is not shown as ***: {debug}"
            );
        }
    }
    let secret = Secret::new(CP_SECRET);
    assert_all_hidden("Secret", &secret);
    assert_eq!(secret.expose(), CP_SECRET);
}

/// A credential that cannot be used is refused without being quoted.
#[test]
fn credential_errors_hide_secrets() {
    let bad = [
        format!("{CC_KEY}\n"),
        format!("{CC_KEY}\r\nX-Injected: 1"),
        format!("\u{7f}{CC_KEY}"),
        format!("{CC_KEY}\0"),
    ];
    let mut errors: Vec<(String, CredentialError)> = Vec::new();
    for value in &bad {
        errors.push((
            "cryptocloud::Credentials key".into(),
            CcCredentials::new(value.clone()).unwrap_err(),
        ));
        errors.push((
            "cryptoprocessing::Credentials key".into(),
            CpCredentials::new(value.clone(), CP_SECRET).unwrap_err(),
        ));
        errors.push((
            "HeaderToken token".into(),
            HeaderToken::new("authorization", "Bearer ", "the token", value.clone()).unwrap_err(),
        ));
        errors.push((
            "HmacBodySignature key".into(),
            HmacBodySignature::new("x-key", "x-signature", value.clone(), CP_SECRET).unwrap_err(),
        ));
        // The secret only keys the HMAC and never goes in a header: any bytes are accepted.
        assert!(CpCredentials::new(CP_KEY, value.clone()).is_ok());
        assert!(HmacBodySignature::new("x-key", "x-signature", CP_KEY, value.clone()).is_ok());
    }
    for (what, error) in &errors {
        assert_all_hidden(what, error);
        assert!(
            error.to_string().contains("not allowed in an HTTP header"),
            "{what}: {error}"
        );
    }
    for (what, error) in [
        ("empty key", CcCredentials::new("").unwrap_err()),
        ("blank key", CcCredentials::new(" \t ").unwrap_err()),
        (
            "empty HMAC key",
            CpCredentials::new("", CP_SECRET).unwrap_err(),
        ),
        ("empty secret", CpCredentials::new(CP_KEY, "").unwrap_err()),
    ] {
        assert_all_hidden(what, &error);
        assert!(error.to_string().ends_with("is empty"), "{what}: {error}");
    }
}

// ---------------------------------------------------------------------------------------------

/// Checks an error of a failing call, and returns its variant's name for the table.
fn check_error<E: std::fmt::Debug>(what: &str, error: &ApiError<E>) -> &'static str {
    assert_all_hidden(what, error);
    match error {
        ApiError::InvalidRequest(_) => "InvalidRequest",
        ApiError::Transport(_) => "Transport",
        ApiError::Provider { .. } => "Provider",
        ApiError::UnexpectedStatus { .. } => "UnexpectedStatus",
        ApiError::InvalidResponse { .. } => "InvalidResponse",
        _ => "other",
    }
}

/// Every kind of failure of an authenticated call: refused before sending, a documented error
/// answer (401, 403), an undocumented one, an undecodable body, a refused connection, a
/// timeout. None shows a credential in `Display` or `Debug`.
#[tokio::test]
async fn errors_of_failing_calls_hide_secrets() {
    let mut kinds = std::collections::BTreeSet::new();
    let list = |start: &str, end: &str| cc::InvoiceListRequest::builder().start(start).end(end);
    let cp_body = || {
        serde_json::from_str::<cp::InvoiceCreateRequest>(
            r#"{"timer": false, "title": "t", "foreign_id": "f", "currency": "EUR", "amount": 1}"#,
        )
        .expect("request")
    };

    for (status, body, content_type) in [
        (
            401,
            r#"{"detail": "Signature verification failed"}"#,
            "application/json",
        ),
        (
            400,
            r#"{"status": "error", "result": {"validate_error": "x"}}"#,
            "application/json",
        ),
        (
            403,
            r#"{"error": "Bad header signature", "code": "bad_header_signature"}"#,
            "application/json",
        ),
        (502, "<html>502 Bad Gateway</html>", "text/html"),
        (200, "<html>not JSON</html>", "text/html"),
        (
            200,
            r#"{"status": "success", "result": [{"uuid": 1}], "all_count": 1}"#,
            "application/json",
        ),
    ] {
        let server = TestServer::always(Canned::new(status, content_type, body)).await;
        let what = format!("cryptocloud list, HTTP {status} {body}");
        let error = cc_client(&server.url())
            .list_invoices()
            .body(list("01.01.2024", "31.01.2024"))
            .send()
            .await
            .expect_err(&what);
        kinds.insert(check_error(&what, &error));
        let what = format!("cryptoprocessing create, HTTP {status} {body}");
        let error = cp_client(&server.url())
            .create_invoice()
            .body(cp_body())
            .send()
            .await
            .expect_err(&what);
        kinds.insert(check_error(&what, &error));
        // The server did receive the credentials: the errors hide them, they were sent.
        let requests = server.requests();
        assert!(requests[0]
            .header("authorization")
            .is_some_and(|v| v.contains(CC_KEY)));
        assert_eq!(requests[1].header("x-processing-key"), Some(CP_KEY));
    }

    // Refused before sending.
    let server = TestServer::always(Canned::json(200, "{}")).await;
    let error = cc_client(&server.url())
        .list_invoices()
        .body(list("02.01.2024", "01.01.2024"))
        .send()
        .await
        .expect_err("start after end");
    kinds.insert(check_error("refused before sending", &error));

    // No connection.
    let (_socket, refused) = refused_addr();
    let base = format!("http://{refused}");
    let error = cc_client(&base)
        .list_invoices()
        .body(list("01.01.2024", "31.01.2024"))
        .send()
        .await
        .expect_err("refused");
    kinds.insert(check_error("cryptocloud, connection refused", &error));
    let error = cp_client(&base)
        .create_invoice()
        .body(cp_body())
        .send()
        .await
        .expect_err("refused");
    kinds.insert(check_error("cryptoprocessing, connection refused", &error));

    // No answer.
    let server = TestServer::hanging().await;
    let (cc, cp) = impatient_clients(&server.url());
    let error = cc
        .create_invoice()
        .body(
            cc::InvoiceCreateRequest::builder()
                .shop_id("shop")
                .amount("1"),
        )
        .send()
        .await
        .expect_err("timeout");
    assert!(matches!(&error, ApiError::Transport(e) if e.is_timeout()));
    kinds.insert(check_error("cryptocloud, timeout", &error));
    let error = cp
        .create_invoice()
        .body(cp_body())
        .send()
        .await
        .expect_err("timeout");
    kinds.insert(check_error("cryptoprocessing, timeout", &error));

    // apiforcrypto has no credentials; its errors are checked for the others' all the same.
    let server = TestServer::always(Canned::json(500, r#"{"error": "x"}"#)).await;
    let error = afc_client(&server.url())
        .create_invoice()
        .wallet_id("w")
        .body(
            serde_json::from_str::<afc::InvoiceCreateRequest>(
                r#"{"blockchain": "bitcoin", "symbol": "BTC", "value": 1, "expiry": 15, "confirmations": 1}"#,
            )
            .expect("request"),
        )
        .send()
        .await
        .expect_err("500");
    kinds.insert(check_error("apiforcrypto, HTTP 500", &error));

    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "InvalidRequest",
            "InvalidResponse",
            "Provider",
            "Transport",
            "UnexpectedStatus"
        ],
        "every kind of error was checked"
    );
}

// ---------------------------------------------------------------------------------------------

/// A request as the generated clients build it, before it is authenticated.
fn request() -> reqwest::Request {
    reqwest::Client::new()
        .post("https://api.example.test/v2/invoice/create")
        .header("accept", "application/json")
        .json(&serde_json::json!({"amount": 1}))
        .build()
        .expect("request")
}

/// The headers carrying a credential are marked sensitive, so that `Debug` of the request or
/// its headers (reqwest's, http's) prints `Sensitive` instead; the signature, which reveals
/// nothing of the secret, is not.
#[test]
fn credential_headers_are_sensitive() {
    let mut r = request();
    CcCredentials::new(CC_KEY)
        .expect("key")
        .authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    let value = &r.headers()[CcCredentials::HEADER];
    assert!(value.is_sensitive());
    assert_eq!(value.to_str().expect("ASCII"), format!("Token {CC_KEY}"));
    assert_hidden(
        "reqwest::Request (cryptocloud::Credentials)",
        &format!("{r:?}"),
    );
    assert_hidden(
        "HeaderMap (cryptocloud::Credentials)",
        &format!("{:?}", r.headers()),
    );

    let mut r = request();
    let hmac = CpCredentials::new(CP_KEY, CP_SECRET).expect("keys");
    hmac.authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    let key = &r.headers()[CpCredentials::KEY_HEADER];
    assert!(key.is_sensitive());
    assert_eq!(key.to_str().expect("ASCII"), CP_KEY);
    let signature = &r.headers()[CpCredentials::SIGNATURE_HEADER];
    assert!(!signature.is_sensitive());
    assert_eq!(signature.len(), 128);
    let body = r.body().and_then(reqwest::Body::as_bytes).expect("a body");
    assert_eq!(signature.to_str().expect("ASCII"), hmac.sign(body));
    assert_hidden(
        "reqwest::Request (cryptoprocessing::Credentials)",
        &format!("{r:?}"),
    );

    // The generic schemes mark their credential headers the same way.
    let mut r = request();
    HeaderToken::new("x-api-token", "", "the token", CC_KEY)
        .expect("token")
        .authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    assert!(r.headers()["x-api-token"].is_sensitive());
    assert_hidden("reqwest::Request (HeaderToken)", &format!("{r:?}"));
    let mut r = request();
    HmacBodySignature::new("x-key", "x-signature", CP_KEY, CP_SECRET)
        .expect("keys")
        .authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    assert!(r.headers()["x-key"].is_sensitive());
    assert!(!r.headers()["x-signature"].is_sensitive());
    assert_hidden("reqwest::Request (HmacBodySignature)", &format!("{r:?}"));

    // Authenticating twice (a caller's retry, say) replaces, never duplicates.
    let auth = CcCredentials::new(CC_KEY).expect("key");
    let mut r = request();
    auth.authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    auth.authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    assert_eq!(r.headers().get_all("authorization").iter().count(), 1);
    let mut r = request();
    hmac.authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    hmac.authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    assert_eq!(
        r.headers()
            .get_all(CpCredentials::SIGNATURE_HEADER)
            .iter()
            .count(),
        1
    );
    assert_eq!(
        r.headers()
            .get_all(CpCredentials::KEY_HEADER)
            .iter()
            .count(),
        1
    );

    // No credentials (apiforcrypto's, and the generic `NoAuth`) add nothing.
    let mut r = request();
    let before = r.headers().clone();
    AfcCredentials::new()
        .authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    NoAuth
        .authenticate(&mut r, Scheme::Default)
        .expect("authenticated");
    assert_eq!(r.headers(), &before);
}

/// This binary pins no snapshot.
#[test]
fn no_unreferenced_secrets_snapshots() {
    support::assert_no_stale_snapshots("secrets__", &Default::default());
}
