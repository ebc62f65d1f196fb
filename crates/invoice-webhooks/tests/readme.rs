//! The README's webhook examples compile: each ```rust,ignore block of this crate's README
//! stands, line for line, in a function below (compiled, and run against the spec's examples)
//! or, for the signers' example, in tests/signing.rs, and for the example of several instances,
//! in tests/redis_store.rs (run against a redis-server); and
//! `readme_webhook_examples_are_compiled` checks that the README has not drifted from them.
//! The workspace README's "Receiving webhooks" example (axum) is the one below too; the
//! workspace's tests/readme.rs checks that, since the .crate has no workspace README. (They are
//! `ignore` blocks so that the workspace's own README check, which compiles the ```rust blocks
//! with the clients' dependencies only, leaves them alone.)

#![cfg(feature = "axum")]
#![allow(dead_code)]

mod common;

use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use ::cryptocloud::Amount;
use ::cryptoprocessing::StringAmount;
use invoice_webhooks::{HeaderMap, Rejection, Secret};

/// The CryptoCloud example: replay guard, and the provider's record.
async fn cryptocloud_confirmed_example(
    headers: &HeaderMap,
    body: &[u8],
    project_secret: &str,
    client: &::cryptocloud::Client,
    credited: &mut HashMap<String, Amount>,
) -> Result<(), invoice_webhooks::cryptocloud::ConfirmError> {
    use invoice_webhooks::cryptocloud::{self, MemoryTokenStore};
    use invoice_webhooks::Secret;

    // The secret key of the project's settings; JSON and form-encoded postbacks are both read.
    // With the replay guard, a token authenticates one body only.
    let verifier = cryptocloud::Verifier::new(Secret::new(project_secret))
        .with_replay_guard(MemoryTokenStore::new());
    // HS256 only; `exp` checked: 60 s of skew, at most 5 minutes ahead. Body: 64 KiB at most.
    // Then the invoice is fetched with the API client: status, currency and order must agree.
    let confirmed = verifier.verify_and_confirm(headers, body, client).await?;
    // Credit the provider's record: `received`, what reached the balance, in the invoice's coin.
    // It is the invoice's total so far: credit only what exceeds the total already credited.
    let invoice = &confirmed.invoice;
    let before = credited.get(&*invoice.uuid).copied().unwrap_or_default();
    if invoice.received > before {
        let amount = invoice.received.get() - before.get(); // in invoice.currency.fullcode
        println!("credit {amount} to order {:?}", invoice.order_id);
        credited.insert(invoice.uuid.to_string(), invoice.received);
    }
    Ok(())
}

fn cryptoprocessing_example(
    headers: &HeaderMap,
    body: &[u8],
    secret_key: &str,
    api_key: &str,
    payments: &mut HashMap<String, (i64, Option<StringAmount>)>,
    confirmed: &mut HashSet<i64>,
) -> Result<(), Rejection> {
    use invoice_webhooks::cryptoprocessing::{self, InvoiceStatus};
    use invoice_webhooks::Secret;

    let verifier = cryptoprocessing::Verifier::new(Secret::new(secret_key));
    let verifier = verifier.with_api_key(Secret::new(api_key)); // optional: X-Processing-Key too
    let verified = verifier.verify(headers, body)?; // HMAC-SHA512 of the exact body bytes
    let invoice = verified.callback.id;
    // Each payment once, from whichever callback lists it first, whatever that callback's status.
    for (key, transaction) in verified.payments() {
        let payment = (invoice, transaction.amount);
        payments.entry(key.to_string()).or_insert(payment);
    }
    // Paid once a callback says so: credit every payment recorded for the invoice, before or after.
    if verified.callback.status == InvoiceStatus::Confirmed {
        confirmed.insert(invoice);
    }
    Ok(())
}

async fn apiforcrypto_example(
    headers: &HeaderMap,
    body: &[u8],
    credited: &mut HashSet<String>,
) -> Result<(), Rejection> {
    async fn stored_key(_invoice: &str) -> Option<Secret> {
        Some(Secret::new("my-secret-for-this-invoice"))
    }
    use invoice_webhooks::apiforcrypto::{Delivery, InvoiceStatus};

    let delivery = Delivery::read(headers, body)?; // reads `id` and `secret_key`, nothing else
    let stored = stored_key(delivery.invoice_id()).await; // the key the invoice was created with
    let verified = delivery.verify(stored.as_ref())?; // constant time; unknown invoice refused
    let callback = &verified.callback;
    // Credited once per invoice, when it is PAID: its `value` in its `symbol`.
    if callback.status == InvoiceStatus::Paid && credited.insert(callback.id.clone()) {
        println!("credit {:?} {:?}", callback.value, callback.symbol); // once per invoice
    }
    Ok(()) // then answer HTTP 200 with the body `OK`, or the notification comes again
}

fn axum_example(project_secret: &str) -> axum::Router {
    use axum::{routing::post, Router};
    use invoice_webhooks::axum::{Ack, Webhook};
    use invoice_webhooks::{cryptocloud, Secret};

    async fn postback(Webhook(verified): Webhook<cryptocloud::Verifier>) -> Ack {
        println!("{}", verified.dedup_key()); // refused deliveries never get here: 4xx + reason
        Ack // 200 `OK`
    }
    let verifier = cryptocloud::Verifier::new(Secret::new(project_secret));
    Router::new()
        .route("/webhooks/cryptocloud", post(postback))
        .with_state(verifier)
}

#[test]
fn readme_examples_run() {
    use common::*;
    let secret = "example-project-secret";
    let mut postback = webhook_example("cryptocloud.yaml", "postback", "application/json", "paid");
    // A token that is valid now.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = format!(r#"{{"id":13,"exp":{}}}"#, now + 300);
    postback["token"] = hs256(HS256_HEADER, &claims, secret.as_bytes()).into();
    let body = serde_json::to_vec(&postback).unwrap();
    // A stand-in for the invoice-information endpoint, answering with the postback's invoice.
    let invoice = postback["invoice_info"].clone();
    let invoice_received = invoice["received"].to_string();
    let app = axum::Router::new().route(
        "/v2/invoice/merchant/info",
        axum::routing::post(move || {
            let answer = serde_json::json!({"status": "success", "result": [invoice]});
            async move { ([("content-type", "application/json")], answer.to_string()) }
        }),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut credited = HashMap::new();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = ::cryptocloud::Client::with_credentials(
            &url,
            ::cryptocloud::Credentials::new("api-key").unwrap(),
        )
        .expect("a valid base URL");
        for _ in 0..2 {
            cryptocloud_confirmed_example(&json_headers(), &body, secret, &client, &mut credited)
                .await
                .unwrap();
        }
    });
    let received = invoice_received.as_str();
    assert_eq!(
        credited
            .values()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        [received],
        "credited once, with the record's `received`"
    );

    let body = serde_json::to_vec(&webhook_example(
        "cryptoprocessing.yaml",
        "invoice",
        "application/json",
        "confirmed",
    ))
    .unwrap();
    let signature = hmac_sha512_hex(b"s", &body);
    let headers = headers(&[
        ("x-processing-signature", &signature),
        ("x-processing-key", "k"),
    ]);
    let (mut payments, mut confirmed) = (HashMap::new(), HashSet::new());
    cryptoprocessing_example(&headers, &body, "s", "k", &mut payments, &mut confirmed).unwrap();
    cryptoprocessing_example(&headers, &body, "s", "k", &mut payments, &mut confirmed).unwrap();
    assert_eq!((payments.len(), confirmed.len()), (1, 1));

    let body = serde_json::to_vec(&webhook_example(
        "apiforcrypto.yaml",
        "invoice_status",
        "application/json",
        "paid",
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut credited = HashSet::new();
    for _ in 0..2 {
        runtime
            .block_on(apiforcrypto_example(&json_headers(), &body, &mut credited))
            .unwrap();
    }
    assert_eq!(credited.len(), 1);
    let _ = axum_example(secret);
}

#[test]
fn readme_webhook_examples_are_compiled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let own = std::fs::read_to_string(dir.join("README.md")).unwrap();
    // The signers' example ("Testing your integration") is compiled by tests/signing.rs,
    // which needs feature `signing`, and the example of several instances runs in
    // tests/redis_store.rs, with feature `redis`; the text is checked here whatever the
    // features.
    let this: Vec<&str> = include_str!("readme.rs")
        .lines()
        .chain(include_str!("signing.rs").lines())
        .chain(include_str!("redis_store.rs").lines())
        .map(str::trim)
        .collect();
    let mut blocks = 0;
    for block in own.split("```rust,ignore\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        assert!(
            this.windows(lines.len()).any(|w| w == lines.as_slice()),
            "README.md: webhook example not compiled by tests/readme.rs:\n{block}"
        );
        blocks += 1;
    }
    assert_eq!(
        blocks, 6,
        "README.md: one example per provider, several instances (tests/redis_store.rs), axum, \
         and the signers (tests/signing.rs)"
    );
}
