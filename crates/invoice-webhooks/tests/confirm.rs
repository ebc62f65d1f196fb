//! `verify_and_confirm` against a real HTTP server on 127.0.0.1 standing in for CryptoCloud's
//! invoice-information endpoint: the generated client asks for the postback's invoice, and the
//! provider's record is returned when it agrees with the postback (status, currency, order;
//! never the amounts), refused with the field that disagrees when it does not; a failed call
//! keeps the client's error.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap as AxumHeaders, StatusCode};
use axum::routing::post;
use axum::Router;
use common::*;
use invoice_webhooks::cryptocloud::{ConfirmError, Postback, Signer, Verifier};
use invoice_webhooks::{Rejection, Secret};
use serde_json::{json, Value};

const SECRET: &str = "example-project-secret";
const API_KEY: &str = "test-api-key";

/// What the stand-in server answers, and what it was asked.
#[derive(Default)]
struct Provider {
    answer: Mutex<(u16, Value)>,
    asked: Mutex<Vec<(Option<String>, Value)>>,
}

async fn info(
    State(provider): State<Arc<Provider>>,
    headers: AxumHeaders,
    body: Bytes,
) -> (
    StatusCode,
    [(axum::http::HeaderName, &'static str); 1],
    String,
) {
    let body: Value = serde_json::from_slice(&body).unwrap();
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned());
    provider.asked.lock().unwrap().push((auth, body));
    let (status, answer) = provider.answer.lock().unwrap().clone();
    (
        StatusCode::from_u16(status).unwrap(),
        [(CONTENT_TYPE, "application/json")],
        answer.to_string(),
    )
}

/// A server on 127.0.0.1 and a client for it (no retries).
async fn start() -> (Arc<Provider>, cryptocloud::Client) {
    let provider = Arc::new(Provider::default());
    let app = Router::new()
        .route("/v2/invoice/merchant/info", post(info))
        .with_state(provider.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let config = cryptocloud::Config::new(cryptocloud::Credentials::new(API_KEY).unwrap())
        .with_retry(cryptocloud::RetryPolicy::none());
    (
        provider,
        cryptocloud::Client::new(&url, config).expect("a valid base URL"),
    )
}

/// The `paid` example's invoice, as the information endpoint returns it.
fn invoice() -> Value {
    webhook_example("cryptocloud.yaml", "postback", "application/json", "paid")["invoice_info"]
        .clone()
}

fn answer(invoices: Vec<Value>) -> (u16, Value) {
    (200, json!({"status": "success", "result": invoices}))
}

fn with(field: &str, value: Value) -> Value {
    let mut invoice = invoice();
    invoice[field] = value;
    invoice
}

/// The `paid` postback, signed now (`exp` 5 minutes ahead, an `invoice_id` claim).
fn delivery() -> invoice_webhooks::signing::SignedDelivery {
    let postback: Postback = serde_json::from_value(webhook_example(
        "cryptocloud.yaml",
        "postback",
        "application/json",
        "paid",
    ))
    .unwrap();
    Signer::new(Secret::new(SECRET)).sign(&postback)
}

fn verifier() -> Verifier {
    Verifier::new(Secret::new(SECRET))
}

#[tokio::test]
async fn an_agreeing_record_confirms_and_is_returned() {
    let (provider, client) = start().await;
    // Another invoice in the answer is ignored.
    *provider.answer.lock().unwrap() = answer(vec![
        with("uuid", json!("INV-OTHER123")),
        with("amount", json!("0.0001130")),
    ]);
    let delivery = delivery();
    let verifier = verifier();
    let future = verifier.verify_and_confirm(&delivery.headers, &delivery.body, &client);
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&future);
    let confirmed = future.await.unwrap();
    assert_eq!(confirmed.invoice.uuid.as_str(), "INV-89UX09KA");
    assert_eq!(confirmed.invoice.status.as_str(), "paid");
    assert_eq!(confirmed.invoice.amount.to_string(), "0.0001130");
    assert_eq!(confirmed.event.postback.invoice_id, "89UX09KA");
    assert_eq!(
        confirmed.dedup_key().as_str(),
        confirmed.event.dedup_key().as_str(),
        "the postback's invoice_info agrees with the provider"
    );

    // Asked once, for the invoice's INV- identifier, with the API key (not the secret).
    let asked = provider.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].0.as_deref(), Some("Token test-api-key"));
    assert_eq!(asked[0].1, json!({"uuids": ["INV-89UX09KA"]}));
}

#[tokio::test]
async fn an_overpaid_invoice_is_confirmed_whatever_its_amounts() {
    // `amount_crypto` is the "paid amount in the coin", the record's `amount` the amount
    // asked: they differ when the invoice is overpaid, and neither refuses the postback.
    let (provider, client) = start().await;
    let mut overpaid = with("status", json!("overpaid"));
    overpaid["amount"] = json!(0.0001);
    overpaid["received"] = json!(0.000112);
    *provider.answer.lock().unwrap() = answer(vec![overpaid]);
    let delivery = delivery();
    let confirmed = verifier()
        .verify_and_confirm(&delivery.headers, &delivery.body, &client)
        .await
        .unwrap();
    assert_eq!(
        confirmed
            .event
            .postback
            .amount_crypto
            .map(|a| a.to_string()),
        Some("0.000113".into())
    );
    assert_eq!(confirmed.invoice.status.as_str(), "overpaid");
    assert_eq!(confirmed.invoice.amount.to_string(), "0.0001");
    assert_eq!(confirmed.invoice.received.to_string(), "0.000112");
}

#[tokio::test]
async fn disagreements_are_refused_with_their_field() {
    let (provider, client) = start().await;
    let cases: Vec<(&str, (u16, Value))> = vec![
        ("no invoice", answer(vec![])),
        (
            "only another invoice",
            answer(vec![with("uuid", json!("INV-OTHER123"))]),
        ),
        (
            "not paid yet",
            answer(vec![with("status", json!("created"))]),
        ),
        (
            "partly paid",
            answer(vec![with("status", json!("partial"))]),
        ),
        ("canceled", answer(vec![with("status", json!("canceled"))])),
        ("another currency", {
            let mut invoice = invoice();
            invoice["currency"]["fullcode"] = json!("USDT_TRC20");
            answer(vec![invoice])
        }),
        (
            "another order",
            answer(vec![with("order_id", json!("ORDER_1"))]),
        ),
        ("no order", {
            let mut invoice = invoice();
            invoice.as_object_mut().unwrap().remove("order_id");
            answer(vec![invoice])
        }),
    ];
    let mut table = String::new();
    for (name, reply) in cases {
        *provider.answer.lock().unwrap() = reply;
        let delivery = delivery();
        let error = verifier()
            .verify_and_confirm(&delivery.headers, &delivery.body, &client)
            .await
            .expect_err(name);
        let rejection = error.rejection().expect(name);
        assert!(rejection.is_authentication_failure(), "{name}");
        table.push_str(&format!(
            "{name:<22} {:<22} {} {error}\n",
            error.code(),
            error.status().as_u16()
        ));
    }
    insta::assert_snapshot!("confirm_refusals", table);
}

#[tokio::test]
async fn a_failed_call_keeps_the_clients_error() {
    let (provider, client) = start().await;
    *provider.answer.lock().unwrap() = (
        401,
        json!({"status": "error", "result": {"authorization": "Invalid token"}}),
    );
    let delivery = delivery();
    let error = verifier()
        .verify_and_confirm(&delivery.headers, &delivery.body, &client)
        .await
        .unwrap_err();
    assert_eq!(
        (error.status().as_u16(), error.code()),
        (503, "confirmation_unavailable")
    );
    match &error {
        ConfirmError::Api(api) => assert_eq!(api.status().map(|s| s.as_u16()), Some(401)),
        other => panic!("{other:?}"),
    }
    assert!(std::error::Error::source(&error).is_some());

    // An answer that is not the documented shape.
    *provider.answer.lock().unwrap() = (200, json!({"unexpected": true}));
    let error = verifier()
        .verify_and_confirm(&delivery.headers, &delivery.body, &client)
        .await
        .unwrap_err();
    assert!(matches!(error, ConfirmError::Api(_)), "{error:?}");
}

#[tokio::test]
async fn a_refused_postback_is_not_looked_up() {
    let (provider, client) = start().await;
    *provider.answer.lock().unwrap() = answer(vec![invoice()]);
    let mut delivery = delivery();
    delivery.body = paid_with_forged_token();
    let error = verifier()
        .verify_and_confirm(&delivery.headers, &delivery.body, &client)
        .await
        .unwrap_err();
    assert_eq!(error.rejection(), Some(&Rejection::BadToken));
    assert_eq!((error.status().as_u16(), error.code()), (401, "bad_token"));
    assert!(provider.asked.lock().unwrap().is_empty());
}

/// The `paid` postback with a token signed with another secret.
fn paid_with_forged_token() -> Vec<u8> {
    let mut body = webhook_example("cryptocloud.yaml", "postback", "application/json", "paid");
    body["token"] = json!(hs256(
        HS256_HEADER,
        r#"{"invoice_id":"89UX09KA","exp":99999999999}"#,
        b"guess"
    ));
    serde_json::to_vec(&body).unwrap()
}
