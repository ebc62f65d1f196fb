//! The confirming steps the sandbox does not produce itself (its README: confirmations are not
//! modelled), delivered as the provider documents them, through the payment matrix's receiving
//! path (tests/sandbox/scenarios.rs): a payment seen in the mempool or in a block is kept on record but
//! not credited, and the same payment is credited exactly once when the invoice is paid.
//!
//! Each test pays an invoice in the sandbox while the merchant is down, so that the sandbox's
//! paid notification waits for its retry; meanwhile the confirming notifications of the same
//! payment (the sandbox's own body with the earlier status, signed as the provider signs) reach
//! the merchant first; then the retry arrives.
//!
//! CryptoCloud has no such step: it notifies "only successful payments" (more-pages.md 1.6).

use crate::support;

use invoice_sandbox::{Config, Provider, Sandbox};
use invoice_webhooks::tooling::Keys;
use invoice_webhooks::{apiforcrypto, cryptoprocessing, Secret};
use serde_json::{json, Value};
use support::merchant::{signed, Fault, Handled, Merchant};
use support::{attempted, control, settled};

/// The body of the sandbox's first delivery about `invoice_id`, as JSON.
async fn first_body(sandbox: &invoice_sandbox::SandboxHandle, invoice_id: &str) -> Value {
    let log = attempted(sandbox, invoice_id).await;
    let body = log[0]["body"].as_str().expect("a logged body");
    serde_json::from_str(body).expect("a JSON body")
}

#[tokio::test]
async fn cryptoprocessing_a_payment_in_the_mempool_is_credited_once_confirmed() {
    let merchant = Merchant::start().await;
    let sandbox = merchant.sandbox().await;
    let keys = sandbox.config().cryptoprocessing.clone();
    merchant.receive_cryptoprocessing(&keys.secret_key, &keys.api_key);
    let signing = Keys::new(Secret::new(keys.secret_key.clone()))
        .with_api_key(Secret::new(keys.api_key.clone()));

    let order = "cp-mempool";
    let id = support::cryptoprocessing_invoice(&sandbox, order).await;
    merchant.fail(order, Fault::Down(1));
    let (status, answer) = control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{id}/pay"),
        Some(json!({"kind": "full"})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");

    // The same payment, in the mempool: "Transaction in the mempool", status `processing`
    // (more-pages.md 2.4, the documented cases).
    let mut processing = first_body(&sandbox, &id).await;
    assert_eq!(processing["status"], "confirmed");
    processing["status"] = json!("processing");
    let delivery = signed(&cryptoprocessing::TOOLING, &signing, &processing);
    let status = merchant.deliver(Provider::Cryptoprocessing, delivery).await;
    assert_eq!(status, 200);
    let books = merchant.order(order);
    assert!(books.credited().is_none(), "not credited yet: {books:?}");
    let on_record = books.on_record().expect("the payment is on record");

    // The confirmed callback's retry: the payment recorded in the mempool, credited once.
    settled(&sandbox, &id).await.expect("delivered");
    let books = merchant.order(order);
    let credited = books.credited().expect("credited once confirmed");
    assert_eq!(credited, on_record, "the same payment, once");
    assert_eq!(books.credits.len(), 1, "{books:?}");
    assert_eq!(books.stored, ["processing", "confirmed"]);
    assert_eq!(
        merchant.handled(order),
        [Handled::Down, Handled::Stored, Handled::Stored]
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn apiforcrypto_a_payment_in_the_mempool_and_in_a_block_is_credited_once_paid() {
    let merchant = Merchant::start().await;
    let sandbox = Sandbox::start(Config::default())
        .await
        .expect("the sandbox starts");
    let order = "afc-confirming";
    let (id, key) = support::apiforcrypto_invoice(&sandbox, &merchant, order, 3).await;
    merchant.fail(order, Fault::Down(1));
    let (status, answer) = control(
        &sandbox,
        &format!("apiforcrypto/invoices/{id}/pay"),
        Some(json!({"kind": "full"})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");

    // The same payment in the mempool, then in a block short of the confirmations asked
    // ("Can take the values \"PAID\", \"NOT_PAID\", \"IN_MEMPOOL\", \"PARTIALLY_PAID\",
    // \"IN_BLOCK\"", apiforcrypto-invoices.txt).
    let paid = first_body(&sandbox, &id).await;
    assert_eq!(paid["status"], "PAID");
    for step in ["IN_MEMPOOL", "IN_BLOCK"] {
        let mut event = paid.clone();
        event["status"] = json!(step);
        let delivery = signed(&apiforcrypto::TOOLING, &Keys::new(key.clone()), &event);
        let status = merchant.deliver(Provider::ApiForCrypto, delivery).await;
        assert_eq!(status, 200, "{step}");
        let books = merchant.order(order);
        assert!(
            books.credited().is_none(),
            "{step}: not credited: {books:?}"
        );
    }

    // The PAID notification's retry: credited once, with the invoice's value.
    settled(&sandbox, &id).await.expect("delivered");
    let books = merchant.order(order);
    let credited = books.credited().expect("credited once paid");
    assert_eq!(credited.amount.to_string(), "0.01");
    assert_eq!(credited.currency, "BTC");
    assert_eq!(books.credits.len(), 1, "{books:?}");
    assert_eq!(books.stored, ["IN_MEMPOOL", "IN_BLOCK", "PAID"]);
    sandbox.shutdown().await;
}
