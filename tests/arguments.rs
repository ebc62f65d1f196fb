//! Documented argument limits are refused before anything is sent.
//!
//! Each refused call goes through the generated client and `.send()` against a recording server
//! on 127.0.0.1, which must have received no request at all; valid calls at the limits (the
//! controls) each send exactly one. The refusal must be `ApiError::InvalidRequest`, and its
//! message must name the field and the limit. All messages are pinned in
//! `arguments__refusals.snap`.
//!
//! Optional bounded fields (`pause`) take a plain integer through the builders like required
//! ones, and are refused there with the field named; the same limit is checked where a caller
//! builds the `BoundedInt` itself, and when a request is read from JSON; all three are shown.
//! `data.attempts_callback` is a plain integer (`data` is part of responses too) checked by the
//! rules the request type's `validate()` runs when the builder is converted. Path parameters
//! (`PathSegment`) refuse values that would address another endpoint.

mod server;
mod support;

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::str::FromStr;

use invoice_primitives::{ApiError, BoundedInt, BoundedVec, DayMonthYear, PathSegment};
use serde::de::DeserializeOwned;
use serde_json::json;
use server::{
    apiforcrypto_client, cryptocloud_client, cryptoprocessing_client, Canned, TestServer,
};

use apiforcrypto::types as afc;
use cryptocloud::types as cc;
use cryptoprocessing::types as cp;

/// The outcome table, one entry per refused call or value.
#[derive(Default)]
struct Table(String);

impl Table {
    /// Records a refusal after checking it names `field` and mentions `limit`.
    fn refused(&mut self, case: &str, field: &str, limit: &str, message: &str) {
        assert!(
            message.contains(field),
            "{case}: the refusal does not name `{field}`: {message}"
        );
        assert!(
            message.contains(limit),
            "{case}: the refusal does not give the limit ({limit:?}): {message}"
        );
        self.0
            .push_str(&format!("## {case}\n   refused: {message}\n\n"));
    }
}

/// The message of an `InvalidRequest`, after checking the server received nothing.
fn refusal<T: Debug, E: Debug>(
    case: &str,
    server: &TestServer,
    result: Result<T, ApiError<E>>,
) -> String {
    assert_eq!(
        server.request_count(),
        0,
        "{case}: a refused call reached the server: {:?}",
        server.requests()
    );
    match result {
        Err(err @ ApiError::InvalidRequest(_)) => {
            assert_eq!(err.status(), None);
            assert_eq!(err.body(), None);
            err.to_string()
        }
        other => panic!("{case}: expected InvalidRequest, got {other:?}"),
    }
}

/// A control call: it succeeds and sends exactly one more request.
fn sent<T: Debug, E: Debug>(
    case: &str,
    server: &TestServer,
    before: usize,
    result: Result<T, ApiError<E>>,
) {
    if let Err(e) = result {
        panic!("{case}: a valid call failed: {e}");
    }
    assert_eq!(server.request_count(), before + 1, "{case}: one request");
}

/// Reads a request type from JSON as a server or a config file would, naming the failing path.
fn from_json<T: DeserializeOwned + Debug>(value: serde_json::Value) -> String {
    let text = value.to_string();
    let de = &mut serde_json::Deserializer::from_str(&text);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => panic!("expected {text} to be refused, got {v:?}"),
        Err(e) => {
            // Without serde_json's ` at line L column C`: the path says where.
            let message = e.inner().to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            format!("from JSON: error at `{}`: {message}", e.path())
        }
    }
}

fn example(spec: &str, operation_id: &str, name: &str) -> String {
    support::response_example(spec, operation_id, "200", name).to_string()
}

// ---------------------------------------------------------------------------------------------

fn uuids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("INV-{i:08}")).collect()
}

fn list(start: &str, end: &str) -> cc::builder::InvoiceListRequest {
    cc::InvoiceListRequest::builder().start(start).end(end)
}

async fn cryptocloud_refusals(table: &mut Table) {
    let cc_spec = "specs/cryptocloud.yaml";
    let server = TestServer::start([
        (
            "/v2/invoice/merchant/info",
            Canned::json(200, example(cc_spec, "get_invoices", "documented")),
        ),
        (
            "/v2/invoice/merchant/list",
            Canned::json(200, example(cc_spec, "list_invoices", "documented")),
        ),
        (
            "/v2/invoice/create",
            Canned::json(200, example(cc_spec, "create_invoice", "documented")),
        ),
    ])
    .await;
    let client = cryptocloud_client(&server.url());
    let info = |ids: Vec<String>| {
        client
            .get_invoices()
            .body(cc::InvoiceInfoRequest::builder().uuids(ids))
    };

    for (case, n) in [
        ("cryptocloud get_invoices: 0 uuids", 0),
        ("cryptocloud get_invoices: 101 uuids", 101),
    ] {
        let message = refusal(case, &server, info(uuids(n)).send().await);
        table.refused(case, "`uuids`", "must be from 1 to 100", &message);
    }

    let calls = [
        (
            "cryptocloud list_invoices: offset -1",
            "`offset`",
            "must be at least 0",
            list("01.01.2024", "31.01.2024").offset(-1),
        ),
        (
            "cryptocloud list_invoices: limit -5",
            "`limit`",
            "must be at least 0",
            list("01.01.2024", "31.01.2024").limit(-5),
        ),
        (
            "cryptocloud list_invoices: limit - offset = 101",
            "`limit` - `offset`",
            "exceeds 100",
            list("01.01.2024", "31.01.2024").offset(100).limit(201),
        ),
        (
            "cryptocloud list_invoices: limit 101 with the default offset",
            "`limit` - `offset`",
            "exceeds 100",
            list("01.01.2024", "31.01.2024").limit(101),
        ),
        (
            "cryptocloud list_invoices: limit = offset",
            "`limit` (10) must be greater than `offset` (10)",
            "the number of the last record",
            list("01.01.2024", "31.01.2024").offset(10).limit(10),
        ),
        (
            "cryptocloud list_invoices: limit < offset",
            "`limit` (5) must be greater than `offset` (10)",
            "greater than",
            list("01.01.2024", "31.01.2024").offset(10).limit(5),
        ),
        (
            "cryptocloud list_invoices: start after end",
            "`start` (01.02.2024) is after `end` (31.01.2024)",
            "after",
            list("01.02.2024", "31.01.2024"),
        ),
        (
            "cryptocloud list_invoices: start \"1.1.2024\"",
            "`start`",
            "expected DD.MM.YYYY",
            list("1.1.2024", "31.01.2024"),
        ),
        (
            "cryptocloud list_invoices: end \"2024-01-31\"",
            "`end`",
            "expected DD.MM.YYYY",
            list("01.01.2024", "2024-01-31"),
        ),
        (
            "cryptocloud list_invoices: end 30.02.2024 (no such day)",
            "`end`",
            "a real calendar date",
            list("01.01.2024", "30.02.2024"),
        ),
        (
            "cryptocloud list_invoices: no end",
            "`end`",
            "is required",
            cc::InvoiceListRequest::builder().start("01.01.2024"),
        ),
    ];
    for (case, field, limit, body) in calls {
        let result = client.list_invoices().body(body).send().await;
        let message = refusal(case, &server, result);
        table.refused(case, field, limit, &message);
    }

    // A struct literal instead of the builder: the rule on the body still applies.
    let literal = cc::InvoiceListRequest {
        start: "01.01.2024".parse().expect("date"),
        end: "31.01.2024".parse().expect("date"),
        offset: BoundedInt::new(0).expect("0"),
        limit: BoundedInt::new(500).expect("500"),
    };
    let case = "cryptocloud list_invoices: struct literal, limit 500";
    let message = refusal(
        case,
        &server,
        client.list_invoices().body(literal).send().await,
    );
    table.refused(case, "`limit` - `offset`", "exceeds 100", &message);

    let case = "cryptocloud create_invoice: amount \"1.2.3\"";
    let result = client
        .create_invoice()
        .body(
            cc::InvoiceCreateRequest::builder()
                .shop_id("shop")
                .amount("1.2.3"),
        )
        .send()
        .await;
    let message = refusal(case, &server, result);
    table.refused(case, "`amount`", "expected a decimal number", &message);

    // Controls, at the limits: each sends one request.
    let mut count = 0;
    let result = info(uuids(100)).send().await;
    sent("100 uuids", &server, count, result);
    count += 1;
    let result = info(uuids(1)).send().await;
    sent("1 uuid", &server, count, result);
    count += 1;
    let body = list("31.01.2024", "31.01.2024").offset(100).limit(200);
    let result = client.list_invoices().body(body).send().await;
    sent("limit - offset = 100, start = end", &server, count, result);
    count += 1;
    let result = client
        .create_invoice()
        .body(
            cc::InvoiceCreateRequest::builder()
                .shop_id("shop")
                .amount("100.5"),
        )
        .send()
        .await;
    sent("create", &server, count, result);
    let request = &server.requests()[0];
    assert_eq!(request.path, "/v2/invoice/merchant/info");
    let sent_uuids: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON body");
    assert_eq!(sent_uuids["uuids"].as_array().map(Vec::len), Some(100));
}

// ---------------------------------------------------------------------------------------------

/// A valid request without an amount: `value` and `fiatCurrency` left unset.
fn afc_request_without_amount() -> afc::builder::InvoiceCreateRequest {
    afc::InvoiceCreateRequest::builder()
        .blockchain("ethereum")
        .symbol("USDT")
        .expiry(30)
        .confirmations(1)
}

fn afc_request() -> afc::builder::InvoiceCreateRequest {
    afc_request_without_amount().value("1.5")
}

async fn apiforcrypto_refusals(table: &mut Table) {
    let server = TestServer::start([(
        "/api/v1/wallets/w-1/invoices",
        Canned::json(
            200,
            example("specs/apiforcrypto.yaml", "create_invoice", "constructed"),
        ),
    )])
    .await;
    let client = apiforcrypto_client(&server.url());

    let calls = [
        (
            "apiforcrypto create_invoice: expiry 14",
            "`expiry`",
            "must be from 15 to 40",
            afc_request().expiry(14),
        ),
        (
            "apiforcrypto create_invoice: expiry 41",
            "`expiry`",
            "must be from 15 to 40",
            afc_request().expiry(41),
        ),
        (
            "apiforcrypto create_invoice: confirmations -1",
            "`confirmations`",
            "must be at least 0",
            afc_request().confirmations(-1),
        ),
        (
            "apiforcrypto create_invoice: no amount at all",
            "one of `value`, `fiatCurrency.value`",
            "is required",
            afc_request_without_amount(),
        ),
        (
            "apiforcrypto create_invoice: fiatCurrency without value",
            "one of `value`, `fiatCurrency.value`",
            "is required",
            afc_request_without_amount().fiat_currency(afc::FiatAmount {
                currency: Some("USD".to_owned()),
                value: None,
                percent: Some(2),
            }),
        ),
        (
            "apiforcrypto create_invoice: pause 9",
            "`pause`",
            "must be at least 10",
            afc_request().pause(9),
        ),
        (
            "apiforcrypto create_invoice: value \"1,5\"",
            "`value`",
            "expected a decimal number",
            afc_request().value("1,5"),
        ),
        (
            "apiforcrypto create_invoice: data.url_success without scheme",
            "`data.url_success`",
            "is not a URL starting with http:// or https://",
            afc_request().data(afc::InvoiceData {
                url_success: Some("shop.example.com/success".to_owned()),
                ..Default::default()
            }),
        ),
        (
            "apiforcrypto create_invoice: data.attempts_callback 21",
            "`data.attempts_callback`",
            "must be from 0 to 20",
            afc_request().data(afc::InvoiceData {
                attempts_callback: Some(21),
                ..Default::default()
            }),
        ),
        (
            "apiforcrypto create_invoice: data.attempts_callback -1",
            "`data.attempts_callback`",
            "must be from 0 to 20",
            afc_request().data(afc::InvoiceData {
                attempts_callback: Some(-1),
                ..Default::default()
            }),
        ),
        (
            "apiforcrypto create_invoice: data.url_failed ftp://",
            "`data.url_failed`",
            "must start with http:// or https://",
            afc_request().data(afc::InvoiceData {
                url_failed: Some("ftp://shop.example.com/failed".to_owned()),
                ..Default::default()
            }),
        ),
    ];
    for (case, field, limit, body) in calls {
        let result = client
            .create_invoice()
            .wallet_id("w-1")
            .body(body)
            .send()
            .await;
        let message = refusal(case, &server, result);
        table.refused(case, field, limit, &message);
    }

    // An optional bounded field is refused by the builder, above (the message names the field);
    // also where the caller builds the `BoundedInt` itself (the message has the limit but
    // cannot know the field), and when the request is read from JSON (the path names the field).
    let typed = BoundedInt::<10, { i64::MAX }>::try_from(9_i64)
        .expect_err("out of range")
        .to_string();
    let json = from_json::<afc::InvoiceCreateRequest>(json!({
        "blockchain": "ethereum", "symbol": "USDT", "value": 1, "expiry": 30,
        "confirmations": 1, "pause": 9
    }));
    table.refused(
        "apiforcrypto pause 9",
        "pause",
        "must be at least 10",
        &format!("BoundedInt::<10, {{ i64::MAX }}>::try_from(9): {typed}\n   {json}"),
    );

    // Controls, at the limits.
    for (case, body) in [
        ("expiry 15, pause 10", afc_request().expiry(15).pause(10)),
        (
            "pause 10 as a BoundedInt",
            afc_request().pause(BoundedInt::<10, { i64::MAX }>::new(10).expect("10")),
        ),
        (
            "expiry 40, attempts_callback 20, http:// URL",
            afc_request().expiry(40).data(afc::InvoiceData {
                attempts_callback: Some(20),
                url_success: Some("http://shop.example.com/success".to_owned()),
                ..Default::default()
            }),
        ),
        (
            "amount in fiat only",
            afc_request_without_amount().fiat_currency(afc::FiatAmount {
                currency: Some("USD".to_owned()),
                value: Some("100".parse().expect("amount")),
                percent: None,
            }),
        ),
    ] {
        let before = server.request_count();
        let result = client
            .create_invoice()
            .wallet_id("w-1")
            .body(body)
            .send()
            .await;
        sent(case, &server, before, result);
    }
    apiforcrypto_path_refusals(table).await;
}

/// Path parameters: a value that URL resolution would turn into another path (`.`, `..`), or
/// that would leave an empty segment, is refused before sending.
async fn apiforcrypto_path_refusals(table: &mut Table) {
    let afc_spec = "specs/apiforcrypto.yaml";
    let server = TestServer::start([
        (
            "/api/v1/wallets/invoices/...",
            Canned::json(200, example(afc_spec, "get_invoice", "constructed")),
        ),
        (
            "/api/v1/wallets/invoices/..%5C..%5Cx",
            Canned::json(200, example(afc_spec, "get_invoice", "constructed")),
        ),
        (
            "/api/v1/wallets/w.1/invoices",
            Canned::json(200, example(afc_spec, "create_invoice", "constructed")),
        ),
    ])
    .await;
    let client = apiforcrypto_client(&server.url());
    for (case, uuid, limit) in [
        (
            "apiforcrypto get_invoice: uuid \"..\"",
            "..",
            "must not be `.` or `..`",
        ),
        (
            "apiforcrypto get_invoice: uuid \".\"",
            ".",
            "must not be `.` or `..`",
        ),
        (
            "apiforcrypto get_invoice: uuid \"\"",
            "",
            "must not be empty",
        ),
    ] {
        let result = client.get_invoice().uuid(uuid).send().await;
        let message = refusal(case, &server, result);
        table.refused(case, "`uuid`", limit, &message);
    }
    let case = "apiforcrypto get_invoice: no uuid";
    let message = refusal(case, &server, client.get_invoice().send().await);
    table.refused(case, "`uuid`", "is required", &message);
    let case = "apiforcrypto create_invoice: wallet_id \"..\"";
    let result = client
        .create_invoice()
        .wallet_id("..")
        .body(afc_request())
        .send()
        .await;
    let message = refusal(case, &server, result);
    table.refused(
        case,
        "`wallet_id`",
        "would address another endpoint",
        &message,
    );
    let case = "apiforcrypto create_invoice: no wallet_id";
    let result = client.create_invoice().body(afc_request()).send().await;
    let message = refusal(case, &server, result);
    table.refused(case, "`wallet_id`", "is required", &message);

    // Controls: dots that are not a dot segment, given as text or as a `PathSegment`.
    let result = client.get_invoice().uuid("...").send().await;
    sent("uuid \"...\"", &server, 0, result);
    let segment = PathSegment::new("w.1").expect("a path segment");
    let result = client
        .create_invoice()
        .wallet_id(segment)
        .body(afc_request())
        .send()
        .await;
    sent("wallet_id \"w.1\"", &server, 1, result);
    // A backslash, which URL parsing reads as `/`, stays inside its segment (encoded).
    let result = client.get_invoice().uuid(r"..\..\x").send().await;
    sent("uuid \"..\\..\\x\"", &server, 2, result);
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/wallets/invoices/...",
            "/api/v1/wallets/w.1/invoices",
            "/api/v1/wallets/invoices/..%5C..%5Cx",
        ]
    );
}

// ---------------------------------------------------------------------------------------------

fn cp_request() -> cp::builder::InvoiceCreateRequest {
    cp::InvoiceCreateRequest::builder()
        .timer(false)
        .title("Invoice Title")
        .foreign_id("user_196")
        .currency("EUR")
        .amount("106.75")
}

async fn cryptoprocessing_refusals(table: &mut Table) {
    let server = TestServer::start([(
        "/api/v2/invoices/create",
        Canned::json(
            200,
            example(
                "specs/cryptoprocessing.yaml",
                "create_invoice",
                "documented",
            ),
        ),
    )])
    .await;
    let client = cryptoprocessing_client(&server.url());

    let calls = [
        (
            "cryptoprocessing create_invoice: title \"\"",
            "`title`",
            "shorter than 1",
            cp_request().title(""),
        ),
        (
            "cryptoprocessing create_invoice: title of 51 characters",
            "`title`",
            "longer than 50",
            cp_request().title("t".repeat(51)),
        ),
        (
            "cryptoprocessing create_invoice: foreign_id of 256 characters",
            "`foreign_id`",
            "longer than 255",
            cp_request().foreign_id("f".repeat(256)),
        ),
        (
            "cryptoprocessing create_invoice: no title",
            "`title`",
            "is required",
            cp::InvoiceCreateRequest::builder()
                .timer(false)
                .foreign_id("user_196"),
        ),
        (
            "cryptoprocessing create_invoice: sender_type without sender_data",
            "`sender_data`",
            "`sender_type`",
            cp_request().sender_type(cp::SenderType::Natural),
        ),
        (
            "cryptoprocessing create_invoice: url_success http://",
            "`url_success`",
            "must start with https://",
            cp_request().url_success("http://shop.example.com/success"),
        ),
        (
            "cryptoprocessing create_invoice: url_success with an IP host",
            "`url_success`",
            "must name a domain, not an IP address",
            cp_request().url_success("https://10.0.0.1/success"),
        ),
        (
            "cryptoprocessing create_invoice: url_failed with an IPv6 host",
            "`url_failed`",
            "must name a domain, not an IP address",
            cp_request().url_failed("https://[::1]/failed"),
        ),
        (
            "cryptoprocessing create_invoice: url_failed not a URL",
            "`url_failed`",
            "is not a URL",
            cp_request().url_failed("/failed"),
        ),
    ];
    for (case, field, limit, body) in calls {
        let result = client.create_invoice().body(body).send().await;
        let message = refusal(case, &server, result);
        table.refused(case, field, limit, &message);
    }

    // Controls, at the limits: 50 characters (not bytes) of title, 255 of foreign_id.
    for (case, body) in [
        (
            "title of 50 two-byte characters, foreign_id of 255",
            cp_request()
                .title("é".repeat(50))
                .foreign_id("f".repeat(255)),
        ),
        (
            "sender_type with sender_data, https URLs on a domain",
            cp_request()
                .sender_type(cp::SenderType::Natural)
                .sender_data(cp::SenderData::default())
                .url_success("https://shop.example.com/success")
                .url_failed("https://shop.example.com/failed"),
        ),
    ] {
        let before = server.request_count();
        let result = client.create_invoice().body(body).send().await;
        sent(case, &server, before, result);
    }
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn documented_limits_are_refused_before_sending() {
    let mut table = Table::default();
    cryptocloud_refusals(&mut table).await;
    apiforcrypto_refusals(&mut table).await;
    cryptoprocessing_refusals(&mut table).await;
    insta::assert_snapshot!("refusals", table.0);
}

/// The bounded types refuse out-of-range values when built directly, with the limit.
#[test]
fn bounded_types_refuse_when_constructed() {
    let cases: [(&str, String); 9] = [
        (
            "BoundedInt::<15, 40>::new(41)",
            BoundedInt::<15, 40>::new(41).unwrap_err().to_string(),
        ),
        (
            "BoundedInt::<15, 40>::new(14)",
            BoundedInt::<15, 40>::new(14).unwrap_err().to_string(),
        ),
        (
            "BoundedInt::<0, 20>::try_from(u64::MAX)",
            BoundedInt::<0, 20>::try_from(u64::MAX)
                .unwrap_err()
                .to_string(),
        ),
        (
            "BoundedInt::<10, { i64::MAX }>::new(9)",
            BoundedInt::<10, { i64::MAX }>::new(9)
                .unwrap_err()
                .to_string(),
        ),
        (
            "BoundedVec::<String, 1, 100>::new(vec![])",
            BoundedVec::<String, 1, 100>::new(vec![])
                .unwrap_err()
                .to_string(),
        ),
        (
            "BoundedVec::<String, 1, 100>::new(101 items)",
            BoundedVec::<String, 1, 100>::new(uuids(101))
                .unwrap_err()
                .to_string(),
        ),
        (
            "DayMonthYear::from_str(\"1.1.2024\")",
            DayMonthYear::from_str("1.1.2024").unwrap_err().to_string(),
        ),
        (
            "cp::InvoiceCreateRequestTitle::try_from(51 chars)",
            cp::InvoiceCreateRequestTitle::try_from("t".repeat(51))
                .unwrap_err()
                .to_string(),
        ),
        (
            "cc::InvoiceInfoRequest from JSON {\"uuids\": []}",
            from_json::<cc::InvoiceInfoRequest>(json!({"uuids": []})),
        ),
    ];
    let mut text = String::new();
    for (what, message) in &cases {
        text.push_str(&format!("{what}\n   {message}\n"));
    }
    assert!(cases[0].1.contains("41") && cases[0].1.contains("from 15 to 40"));
    assert!(cases[4].1.contains("from 1 to 100"));
    assert!(cases[8].1.contains("`uuids`"), "{}", cases[8].1);
    assert!(BoundedInt::<15, 40>::new(15).is_ok() && BoundedInt::<15, 40>::new(40).is_ok());
    insta::assert_snapshot!("constructed", text);
}

/// No snapshot file of this test binary is left over.
#[test]
fn no_unreferenced_arguments_snapshots() {
    let expected: BTreeSet<String> = ["refusals", "constructed"]
        .iter()
        .map(|name| format!("arguments__{name}.snap"))
        .collect();
    support::assert_no_stale_snapshots("arguments__", &expected);
}
