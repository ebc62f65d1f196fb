//! The README's webhook examples compile: each ```rust,ignore block of its "Receiving
//! webhooks" section stands, line for line, in a function below (compiled, and run against the
//! spec's examples) or, for the signers' example, in tests/signing.rs; and
//! `readme_webhook_examples_are_compiled` checks that the README has not drifted from them.
//! (They are `ignore` blocks so that the workspace's own README check, which compiles the
//! ```rust blocks with the clients' dependencies only, leaves them alone.)

#![cfg(feature = "axum")]
#![allow(dead_code)]

mod common;

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use invoice_webhooks::{HeaderMap, Rejection, Secret};

/// The CryptoCloud example: replay guard, and the provider's record.
async fn cryptocloud_confirmed_example(
    headers: &HeaderMap,
    body: &[u8],
    project_secret: &str,
    client: &::cryptocloud::Client,
    seen: &mut HashSet<String>,
) -> Result<(), invoice_webhooks::cryptocloud::ConfirmError> {
    use invoice_webhooks::cryptocloud::{self, MemoryTokenStore};
    use invoice_webhooks::Secret;

    // The secret key of the project's settings; JSON and form-encoded postbacks are both read.
    // With the replay guard, a token authenticates one body only.
    let verifier = cryptocloud::Verifier::new(Secret::new(project_secret))
        .with_replay_guard(MemoryTokenStore::new());
    // HS256 only; `exp` checked: 60 s of skew, at most 5 minutes ahead. Body: 64 KiB at most.
    // Then the invoice is fetched with the API client, and must agree with the postback.
    let confirmed = verifier.verify_and_confirm(headers, body, client).await?;
    if seen.insert(confirmed.dedup_key().to_string()) {
        let invoice = &confirmed.invoice; // the provider's record: act on its status and amount
        println!(
            "{} {}: {} {}",
            invoice.uuid, invoice.status, invoice.amount, invoice.currency.fullcode
        );
    }
    Ok(())
}

fn cryptoprocessing_example(
    headers: &HeaderMap,
    body: &[u8],
    secret_key: &str,
    api_key: &str,
    credited: &mut HashSet<String>,
) -> Result<(), Rejection> {
    use invoice_webhooks::cryptoprocessing::{self, InvoiceStatus};
    use invoice_webhooks::Secret;

    let verifier = cryptoprocessing::Verifier::new(Secret::new(secret_key));
    let verifier = verifier.with_api_key(Secret::new(api_key)); // optional: X-Processing-Key too
    let verified = verifier.verify(headers, body)?; // HMAC-SHA512 of the exact body bytes
    if verified.callback.status == InvoiceStatus::Confirmed {
        // A payment shows up in several callbacks: credit each transaction once.
        for key in verified.transaction_keys() {
            if credited.insert(key.to_string()) {
                println!("credit {key} of invoice {}", verified.callback.id);
            }
        }
    }
    Ok(())
}

async fn apiforcrypto_example(headers: &HeaderMap, body: &[u8]) -> Result<(), Rejection> {
    async fn stored_key(_invoice: &str) -> Option<Secret> {
        Some(Secret::new("my-secret-for-this-invoice"))
    }
    use invoice_webhooks::apiforcrypto::Delivery;

    let delivery = Delivery::read(headers, body)?; // reads `id` and `secret_key`, nothing else
    let stored = stored_key(delivery.invoice_id()).await; // the key the invoice was created with
    let verified = delivery.verify(stored.as_ref())?; // constant time; unknown invoice refused
    let callback = &verified.callback;
    println!("{} is {}", callback.id, callback.status); // then store verified.dedup_key()
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
    let mut seen = HashSet::new();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = ::cryptocloud::Client::with_credentials(
            &url,
            ::cryptocloud::Credentials::new("api-key").unwrap(),
        );
        cryptocloud_confirmed_example(&json_headers(), &body, secret, &client, &mut seen)
            .await
            .unwrap();
    });
    assert_eq!(seen.len(), 1);

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
    let mut credited = HashSet::new();
    cryptoprocessing_example(&headers, &body, "s", "k", &mut credited).unwrap();
    cryptoprocessing_example(&headers, &body, "s", "k", &mut credited).unwrap();
    assert_eq!(credited.len(), 1);

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
    runtime
        .block_on(apiforcrypto_example(&json_headers(), &body))
        .unwrap();
    let _ = axum_example(secret);
}

#[test]
fn readme_webhook_examples_are_compiled() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(root).unwrap();
    let section = readme
        .split("\n## Receiving webhooks\n")
        .nth(1)
        .expect("README has a \"Receiving webhooks\" section");
    let section = section.split("\n## ").next().unwrap();
    // The signers' example ("Testing your integration") is compiled by tests/signing.rs,
    // which needs feature `signing`; the text is checked here whatever the features.
    let this: Vec<&str> = include_str!("readme.rs")
        .lines()
        .chain(include_str!("signing.rs").lines())
        .map(str::trim)
        .collect();
    let mut blocks = 0;
    for block in section.split("```rust,ignore\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        assert!(
            this.windows(lines.len()).any(|w| w == lines.as_slice()),
            "README webhook example not compiled by crates/invoice-webhooks/tests/readme.rs:\n{block}"
        );
        blocks += 1;
    }
    assert_eq!(
        blocks, 5,
        "one example per provider, axum, and the signers (tests/signing.rs)"
    );
}
