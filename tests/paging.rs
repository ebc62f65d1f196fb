//! `cryptocloud_ext::ClientExt` against servers on 127.0.0.1 that model the documented
//! endpoints.
//!
//! The list server implements exactly the documented reading of `POST
//! /v2/invoice/merchant/list` over N invoices: `offset` is the index of the first record (from
//! 0), `limit` the number of the last one (from 1, inclusive), at most 100 records per
//! response (a window wider than 100, or `limit <= offset`, is answered with the documented
//! validation error, HTTP 400), `all_count` is N. `list_all` must yield every invoice once, in
//! order, with exactly the expected windows and no request beyond the end.
//!
//! `list_all` holds at most one page in memory: it is a stream of pages (one request per page,
//! made only when the previous page has been consumed) flattened into a stream of invoices.
//! That is a property of its implementation, not checked here; the benchmark measures it.
//!
//! The information server answers `POST /v2/invoice/merchant/info` with the invoices it knows
//! among those asked, in reversed order, each with its `INV-` identifier, whichever form was
//! asked. `get_many` must send at most 100 identifiers per request, each identifier once, and
//! give the invoices in the order asked.

mod server;
mod support;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use cryptocloud_ext::{ClientExt, Lookup, MAX_IDS, MAX_PAGE};
use futures::StreamExt;
use invoice_primitives::{ApiError, DayMonthYear};
use serde_json::{json, Value};
use server::{config, http_client, Canned, Recorded, Reply, TestServer};

const START: &str = "01.01.2024";
const END: &str = "31.01.2024";

fn day(text: &str) -> DayMonthYear {
    DayMonthYear::from_str(text).expect("a date")
}

fn client(server: &TestServer) -> cryptocloud::Client {
    let credentials = cryptocloud::Credentials::new("paging-test-key").expect("key");
    cryptocloud::Client::new_with_client(&server.url(), http_client(), config(credentials))
        .expect("a valid base URL")
}

/// The identifier of invoice `i` without its prefix: 8 characters like the documented ones.
fn bare_id(i: usize) -> String {
    format!("P{i:07}")
}

/// `n` invoices made from the documented list example, each with its own identifier, amount,
/// order and creation time.
fn invoices(n: usize) -> Vec<Value> {
    let example = support::response_example(
        "specs/cryptocloud.yaml",
        "list_invoices",
        "200",
        "documented",
    );
    let template = example["result"][0].clone();
    (0..n)
        .map(|i| {
            let mut invoice = template.clone();
            invoice["uuid"] = json!(format!("INV-{}", bare_id(i)));
            invoice["order_id"] = json!(format!("order-{i}"));
            invoice["amount"] = json!(format!("{}.{:02}", 10 + i, i % 100)
                .parse::<f64>()
                .expect("number"));
            invoice["created"] = json!(format!(
                "2024-01-{:02} {:02}:{:02}:00.000000",
                1 + i / 1440 % 28,
                i / 60 % 24,
                i % 60
            ));
            invoice
        })
        .collect()
}

/// The documented validation error.
fn validation_error(message: &str) -> Canned {
    Canned::json(
        400,
        json!({"status": "error", "result": {"validate_error": message}}).to_string(),
    )
}

/// The list endpoint as documented, over `invoices`, reporting `all_count`.
fn list_window(invoices: &[Value], all_count: usize, request: &Recorded) -> Canned {
    let body = request.body_json();
    for field in ["start", "end"] {
        if !body[field].is_string() {
            return validation_error(&format!("{field} is required"));
        }
    }
    let number = |field: &str, default: i64| body.get(field).map_or(Some(default), Value::as_i64);
    let (Some(offset), Some(limit)) = (number("offset", 0), number("limit", 10)) else {
        return validation_error("offset and limit must be integers");
    };
    if offset < 0 || limit <= offset || limit - offset > 100 {
        return validation_error("Invalid offset or limit");
    }
    let (first, last) = (offset as usize, limit as usize);
    let records: Vec<Value> = invoices
        .iter()
        .skip(first)
        .take(last - first)
        .cloned()
        .collect();
    Canned::json(
        200,
        json!({"status": "success", "result": records, "all_count": all_count}).to_string(),
    )
}

/// The (offset, limit) windows a list server was asked for, in order.
fn windows(server: &TestServer) -> Vec<(i64, i64)> {
    server
        .requests()
        .iter()
        .map(|r| {
            assert_eq!(r.path, "/v2/invoice/merchant/list");
            let body = r.body_json();
            assert_eq!(body["start"], START);
            assert_eq!(body["end"], END);
            (
                body["offset"].as_i64().expect("offset"),
                body["limit"].as_i64().expect("limit"),
            )
        })
        .collect()
}

/// What a walk yielded: the identifiers and order numbers of the invoices, then the error
/// that ended it, if any.
struct Walk {
    ids: Vec<String>,
    orders: Vec<String>,
    error: Option<ApiError<cryptocloud::types::ErrorResponse>>,
}

async fn walk_all(server: &TestServer, page_size: usize) -> Walk {
    let client = client(server);
    let stream = client.list_all(day(START), day(END), page_size);
    let items: Vec<_> = tokio::time::timeout(Duration::from_secs(30), stream.collect::<Vec<_>>())
        .await
        .expect("the walk ends");
    let mut walk = Walk {
        ids: Vec::new(),
        orders: Vec::new(),
        error: None,
    };
    for (n, item) in items.into_iter().enumerate() {
        assert!(walk.error.is_none(), "item {n} after the error");
        match item {
            Ok(invoice) => {
                walk.ids.push(invoice.uuid.to_string());
                walk.orders.push(invoice.order_id.expect("order_id"));
            }
            Err(e) => walk.error = Some(e),
        }
    }
    walk
}

fn expected_ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("INV-{}", bare_id(i))).collect()
}

// ---------------------------------------------------------------------------------------------
// The model itself.

/// The helpers' limits are the documented ones, taken from the spec: at most 100 records per
/// list window, at most 100 identifiers per information request.
#[test]
fn limits_are_the_documented_ones() {
    assert_eq!(MAX_PAGE, 100);
    assert_eq!(
        cryptocloud::types::InvoiceListRequest::MAX_WINDOW,
        MAX_PAGE as i64
    );
    assert_eq!(MAX_IDS, 100);
    // The request type takes exactly MAX_IDS identifiers, and refuses one more.
    let ids = |n: usize| (0..n).map(bare_id).collect::<Vec<_>>();
    assert!(invoice_primitives::BoundedVec::<String, 1, 100>::new(ids(MAX_IDS)).is_ok());
    let request = |n: usize| -> Result<cryptocloud::types::InvoiceInfoRequest, _> {
        cryptocloud::types::InvoiceInfoRequest::builder()
            .uuids(ids(n))
            .try_into()
    };
    assert!(request(MAX_IDS).is_ok());
    assert!(request(MAX_IDS + 1).is_err());
}

/// The server follows the documented example: `offset=10, limit=20` is the 11th to the 20th
/// record; the limit of 100 applies to `limit - offset`.
#[tokio::test]
async fn list_model_follows_the_documentation() {
    let all = invoices(250);
    let request = |offset: i64, limit: i64| Recorded {
        method: axum::http::Method::POST,
        path: "/v2/invoice/merchant/list".into(),
        query: None,
        headers: Default::default(),
        body: json!({"start": START, "end": END, "offset": offset, "limit": limit})
            .to_string()
            .into_bytes(),
    };
    let ids = |canned: Canned| -> Vec<String> {
        assert_eq!(canned.status, 200);
        let body: Value = serde_json::from_slice(&canned.body).expect("JSON");
        assert_eq!(body["all_count"], 250);
        body["result"]
            .as_array()
            .expect("result")
            .iter()
            .map(|i| i["uuid"].as_str().expect("uuid").to_owned())
            .collect()
    };
    assert_eq!(
        ids(list_window(&all, 250, &request(10, 20))),
        expected_ids(10..20)
    );
    assert_eq!(
        ids(list_window(&all, 250, &request(200, 300))),
        expected_ids(200..250)
    );
    assert_eq!(
        ids(list_window(&all, 250, &request(150, 250))),
        expected_ids(150..250)
    );
    assert_eq!(
        ids(list_window(&all, 250, &request(300, 400))),
        expected_ids(0..0)
    );
    for (offset, limit) in [(0, 101), (10, 10), (10, 5)] {
        let canned = list_window(&all, 250, &request(offset, limit));
        assert_eq!(canned.status, 400, "{offset}, {limit}");
        let body: Value = serde_json::from_slice(&canned.body).expect("JSON");
        assert!(body["result"]["validate_error"].is_string());
    }
}

// ---------------------------------------------------------------------------------------------
// list_all

/// Every invoice once, in order, with exactly the expected windows, for several sizes of the
/// period and of the page (0 is taken as 1, more than 100 as 100).
#[tokio::test]
async fn list_all_reads_every_invoice_once_in_order() {
    for n in [0, 1, 7, 99, 100, 101, 250] {
        let all = Arc::new(invoices(n));
        for page in [100, 7, 1000, 0] {
            if page <= 1 && n > 7 {
                continue; // a request per invoice: shown on small periods only
            }
            let records = Arc::clone(&all);
            let server =
                TestServer::handler(move |_, r: &Recorded| list_window(&records, n, r)).await;
            let walk = walk_all(&server, page).await;
            let case = format!("n = {n}, page size {page}");
            assert!(walk.error.is_none(), "{case}: {:?}", walk.error);
            assert_eq!(walk.ids, expected_ids(0..n), "{case}");
            let orders: Vec<String> = (0..n).map(|i| format!("order-{i}")).collect();
            assert_eq!(walk.orders, orders, "{case}");

            let step = page.clamp(1, MAX_PAGE) as i64;
            let mut expected = vec![(0, step)];
            while (expected.last().expect("a window").1 as usize) < n {
                let offset = expected.last().expect("a window").1;
                expected.push((offset, offset + step));
            }
            assert_eq!(windows(&server), expected, "{case}");
        }
    }
}

/// The walk advances by the records actually received, not by the window asked for, so it
/// reads every invoice once even from a server that reads `limit` the other way (a count: up
/// to `min(limit, 100)` records from `offset`) or ignores it (10 records, the documented
/// default, whatever is asked).
#[tokio::test]
async fn list_all_survives_other_readings_of_limit() {
    let all = Arc::new(invoices(250));
    for (reading, page) in [
        ("count", 7),
        ("count", 100),
        ("ignored", 7),
        ("ignored", 100),
    ] {
        let records = Arc::clone(&all);
        let server = TestServer::handler(move |_, r: &Recorded| {
            let body = r.body_json();
            let offset = body["offset"].as_u64().expect("offset") as usize;
            let limit = body["limit"].as_u64().expect("limit") as usize;
            let count = if reading == "count" {
                limit.min(100)
            } else {
                10
            };
            let page: Vec<Value> = records.iter().skip(offset).take(count).cloned().collect();
            Canned::json(
                200,
                json!({"status": "success", "result": page, "all_count": 250}).to_string(),
            )
        })
        .await;
        let walk = walk_all(&server, page).await;
        let case = format!("limit read as {reading}, page size {page}");
        assert!(walk.error.is_none(), "{case}");
        assert_eq!(walk.ids, expected_ids(0..250), "{case}");
        // Each window starts where the records received so far end, and none is past the end.
        let windows = windows(&server);
        assert!(
            windows.iter().all(|&(offset, _)| offset < 250),
            "{case}: {windows:?}"
        );
        assert!(
            windows
                .iter()
                .all(|&(offset, limit)| limit - offset == page as i64),
            "{case}: {windows:?}"
        );
    }
}

/// A period that ends before it starts is refused before anything is sent: the stream yields
/// that one error and ends.
#[tokio::test]
async fn list_all_refuses_a_reversed_period() {
    let server = TestServer::handler(|_, r: &Recorded| list_window(&[], 0, r)).await;
    let client = client(&server);
    let items: Vec<_> = client
        .list_all(day("02.01.2024"), day("01.01.2024"), 100)
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(
        matches!(&items[0], Err(ApiError::InvalidRequest(m)) if m.contains("after `end`")),
        "{items:?}"
    );
    assert_eq!(server.request_count(), 0);
}

/// `all_count` shrinks while the walk goes on (invoices left the period): the walk stops as
/// soon as it has read as many as the last answer says there are.
#[tokio::test]
async fn list_all_stops_when_all_count_shrinks() {
    let all = Arc::new(invoices(250));
    let records = Arc::clone(&all);
    let server = TestServer::handler(move |n, r: &Recorded| {
        let count = if n == 0 { 250 } else { 150 };
        list_window(&records[..count], count, r)
    })
    .await;
    let walk = walk_all(&server, 100).await;
    assert!(walk.error.is_none());
    assert_eq!(walk.ids, expected_ids(0..150));
    assert_eq!(windows(&server), [(0, 100), (100, 200)]);
}

/// `all_count` says 250, but the records end at 120: a short page does not end the walk, the
/// empty one after it does.
#[tokio::test]
async fn list_all_stops_at_an_empty_page() {
    let all = Arc::new(invoices(120));
    let records = Arc::clone(&all);
    let server = TestServer::handler(move |_, r: &Recorded| list_window(&records, 250, r)).await;
    let walk = walk_all(&server, 100).await;
    assert!(walk.error.is_none());
    assert_eq!(walk.ids, expected_ids(0..120));
    assert_eq!(windows(&server), [(0, 100), (100, 200), (120, 220)]);

    // An empty first page ends it at once, whatever all_count says.
    let server = TestServer::handler(|_, r: &Recorded| list_window(&[], 250, r)).await;
    let walk = walk_all(&server, 100).await;
    assert!(walk.ids.is_empty() && walk.error.is_none());
    assert_eq!(windows(&server), [(0, 100)]);
}

/// An error on the third page: the stream yields the first two pages, then the error, then
/// ends; nothing is asked after the error.
#[tokio::test]
async fn list_all_ends_after_an_error() {
    let all = Arc::new(invoices(250));
    let records = Arc::clone(&all);
    let server = TestServer::handler(move |n, r: &Recorded| {
        if n == 2 {
            Canned::html(502, "<html>502 Bad Gateway</html>")
        } else {
            list_window(&records, 250, r)
        }
    })
    .await;
    let walk = walk_all(&server, 100).await;
    assert_eq!(walk.ids, expected_ids(0..200));
    match walk.error {
        Some(ApiError::UnexpectedStatus { status, .. }) => assert_eq!(status.as_u16(), 502),
        other => panic!("expected the 502, got {other:?}"),
    }
    assert_eq!(windows(&server), [(0, 100), (100, 200), (200, 300)]);

    // A documented error (the validation error) ends it the same way.
    let server = TestServer::handler(|_, _: &Recorded| validation_error("Invalid dates")).await;
    let walk = walk_all(&server, 100).await;
    assert!(walk.ids.is_empty());
    assert_eq!(
        walk.error.and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(400)
    );
    assert_eq!(server.request_count(), 1);
}

// ---------------------------------------------------------------------------------------------
// get_many

/// The information endpoint over `known` (bare identifiers): the invoices asked for that it
/// knows, in reversed order, each with its `INV-` identifier; at most 100 identifiers.
fn info_answer(known: &[Value], request: &Recorded) -> Canned {
    let asked: Vec<String> = request.body_json()["uuids"]
        .as_array()
        .expect("uuids")
        .iter()
        .map(|id| id.as_str().expect("a string").to_owned())
        .collect();
    if asked.is_empty() || asked.len() > 100 {
        return validation_error("uuids: from 1 to 100");
    }
    let mut result: Vec<Value> = asked
        .iter()
        .filter_map(|id| {
            let bare = id.strip_prefix("INV-").unwrap_or(id);
            known
                .iter()
                .find(|invoice| invoice["uuid"] == format!("INV-{bare}"))
                .cloned()
        })
        .collect();
    result.reverse();
    Canned::json(
        200,
        json!({"status": "success", "result": result}).to_string(),
    )
}

/// 250 different identifiers (invoices 0 to 249; 240 to 249 unknown to the server), even ones
/// as `INV-XXXXXXXX`, odd ones bare, with 30 repetitions mixed in, in either form.
fn asked_ids() -> (Vec<String>, Vec<String>) {
    let form = |i: usize, prefixed: bool| {
        if prefixed {
            format!("INV-{}", bare_id(i))
        } else {
            bare_id(i)
        }
    };
    let mut asked = Vec::new();
    let mut distinct = Vec::new();
    for i in 0..250 {
        asked.push(form(i, i % 2 == 0));
        distinct.push(form(i, i % 2 == 0));
        if i % 8 == 7 {
            // An earlier identifier again, in the other form, then in the same form.
            let j = i - 5;
            asked.push(form(j, j % 2 != 0));
            asked.push(form(j, j % 2 == 0));
        }
    }
    (asked, distinct)
}

async fn look_up(server: &TestServer, ids: Vec<String>, concurrency: usize) -> Lookup {
    let client = client(server);
    tokio::time::timeout(Duration::from_secs(30), client.get_many(ids, concurrency))
        .await
        .expect("get_many ends")
        .expect("get_many succeeds")
}

#[tokio::test]
async fn get_many_batches_dedupes_and_keeps_the_order_asked() {
    let known = Arc::new(invoices(240));
    let (asked, distinct) = asked_ids();
    assert!(asked.len() > 250 && distinct.len() == 250);

    let mut results = Vec::new();
    for concurrency in [1, 4] {
        let records = Arc::clone(&known);
        let server = TestServer::handler(move |_, r: &Recorded| info_answer(&records, r)).await;
        let lookup = look_up(&server, asked.clone(), concurrency).await;

        // Requests: the distinct identifiers as first given, 100 at a time.
        let mut bodies: Vec<Value> = server.requests().iter().map(Recorded::body_json).collect();
        for r in server.requests() {
            assert_eq!(r.path, "/v2/invoice/merchant/info");
        }
        // With several in flight they may arrive in any order.
        bodies.sort_by_key(|b| b["uuids"][0].as_str().map(str::to_owned));
        let expected: Vec<Value> = distinct
            .chunks(100)
            .map(|chunk| json!({ "uuids": chunk }))
            .collect();
        let mut expected_sorted = expected.clone();
        expected_sorted.sort_by_key(|b| b["uuids"][0].as_str().map(str::to_owned));
        assert_eq!(bodies, expected_sorted, "concurrency {concurrency}");
        if concurrency == 1 {
            // One at a time: in order.
            let in_order: Vec<Value> = server.requests().iter().map(Recorded::body_json).collect();
            assert_eq!(in_order, expected);
        }

        // Found: in the order first asked, each once, with its own data.
        let found: Vec<String> = lookup.found.iter().map(|i| i.uuid.to_string()).collect();
        assert_eq!(found, expected_ids(0..240), "concurrency {concurrency}");
        let orders: Vec<String> = lookup
            .found
            .iter()
            .map(|i| i.order_id.clone().expect("order_id"))
            .collect();
        assert_eq!(
            orders,
            (0..240).map(|i| format!("order-{i}")).collect::<Vec<_>>()
        );
        // Missing: as given.
        assert_eq!(
            lookup.missing,
            distinct[240..].to_vec(),
            "concurrency {concurrency}"
        );
        results.push((found, lookup.missing));
    }
    assert_eq!(results[0], results[1], "concurrency 1 and 4 differ");
}

/// With a concurrency of 4, the three batches are in flight together: the server answers
/// none until all three have arrived (then in whatever order it likes).
#[tokio::test]
async fn get_many_sends_batches_concurrently() {
    let known = Arc::new(invoices(240));
    let (asked, distinct) = asked_ids();
    let barrier = Arc::new(tokio::sync::Barrier::new(3));
    let records = Arc::clone(&known);
    let server = TestServer::handler(move |_, r: &Recorded| {
        Reply::Gated(Arc::clone(&barrier), info_answer(&records, r))
    })
    .await;
    let lookup = look_up(&server, asked, 4).await;
    assert_eq!(server.request_count(), 3);
    let found: Vec<String> = lookup.found.iter().map(|i| i.uuid.to_string()).collect();
    assert_eq!(found, expected_ids(0..240));
    assert_eq!(lookup.missing, distinct[240..].to_vec());
}

#[tokio::test]
async fn get_many_edge_cases() {
    let known = Arc::new(invoices(5));
    let records = Arc::clone(&known);
    let server = TestServer::handler(move |_, r: &Recorded| info_answer(&records, r)).await;

    // Nothing asked: nothing sent.
    let lookup = look_up(&server, Vec::<String>::new(), 4).await;
    assert!(lookup.found.is_empty() && lookup.missing.is_empty());
    assert_eq!(server.request_count(), 0);

    // Exactly 100, then 101 distinct identifiers: one request, then two (100 + 1).
    let ids = |n: usize| (0..n).map(bare_id).collect::<Vec<_>>();
    look_up(&server, ids(100), 4).await;
    look_up(&server, ids(101), 4).await;
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| r.body_json()["uuids"].as_array().expect("uuids").len())
        .collect();
    let mut tail = sizes[1..].to_vec();
    tail.sort_unstable();
    assert_eq!((sizes[0], tail), (100, vec![1, 100]));

    // The same invoice in both forms: asked once, found once, in the form of the first ask.
    let before = server.request_count();
    let lookup = look_up(
        &server,
        vec![
            "P0000003".to_owned(),
            "INV-P0000003".to_owned(),
            "nope".to_owned(),
        ],
        1,
    )
    .await;
    assert_eq!(server.request_count(), before + 1);
    assert_eq!(
        server.requests().last().expect("a request").body_json(),
        json!({"uuids": ["P0000003", "nope"]})
    );
    let found: Vec<String> = lookup.found.iter().map(|i| i.uuid.to_string()).collect();
    assert_eq!(found, ["INV-P0000003"]);
    assert_eq!(lookup.missing, ["nope"]);
}

/// A failing batch fails the whole look-up, with the provider's error.
#[tokio::test]
async fn get_many_fails_with_a_failing_batch() {
    let known = Arc::new(invoices(250));
    let records = Arc::clone(&known);
    let server = TestServer::handler(move |_, r: &Recorded| {
        let first = r.body_json()["uuids"][0].clone();
        if first == json!(bare_id(100)) || first == json!(format!("INV-{}", bare_id(100))) {
            Canned::json(
                401,
                json!({"detail": "Signature verification failed"}).to_string(),
            )
        } else {
            info_answer(&records, r)
        }
    })
    .await;
    let client = client(&server);
    let ids: Vec<String> = (0..250).map(bare_id).collect();
    let error = client
        .get_many(ids, 1)
        .await
        .expect_err("the second batch fails");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        error
            .provider_error()
            .and_then(|e| e.detail.clone())
            .as_deref(),
        Some("Signature verification failed")
    );
    // Concurrency 1: the batch after the failing one is never sent.
    assert_eq!(server.request_count(), 2);
}

// ---------------------------------------------------------------------------------------------

/// This binary pins no snapshot.
#[test]
fn no_unreferenced_paging_snapshots() {
    support::assert_no_stale_snapshots("paging__", &Default::default());
}
