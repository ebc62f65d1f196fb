//! The other half of "every payment kept": through the same receiving path as the payment
//! matrix (tests/sandbox/scenarios.rs, the README's "Receiving webhooks"), a notice that is forged,
//! replayed onto another invoice, tampered with, or about an invoice the provider does not show
//! as paid is refused with its reason, and nothing is credited. Each case quotes the doc it
//! relies on.
//!
//! The notices are built as an attacker (or a confused provider) would: the spec's example
//! event with this test's invoice in it, signed with the wrong secret or the right one, and
//! POSTed to the merchant's receiver on 127.0.0.1 next to the sandbox's own deliveries.

use crate::support;

use std::sync::Arc;

use invoice_sandbox::{Provider, SandboxHandle};
use invoice_webhooks::tooling::{Keys, Tooling};
use invoice_webhooks::{apiforcrypto, cryptocloud, cryptoprocessing, Secret};
use serde_json::{json, Value};
use support::merchant::{signed, Handled, Merchant};
use support::{attempted, control, http_client, settled};

/// A merchant and the sandbox that delivers to it.
async fn shop() -> (Arc<Merchant>, SandboxHandle) {
    let merchant = Merchant::start().await;
    let sandbox = merchant.sandbox().await;
    let keys = sandbox.config().clone();
    merchant.receive_cryptocloud(
        &keys.cryptocloud.secret_key,
        support::cryptocloud_client(&sandbox),
    );
    merchant.receive_cryptoprocessing(
        &keys.cryptoprocessing.secret_key,
        &keys.cryptoprocessing.api_key,
    );
    (merchant, sandbox)
}

/// The first example event of a provider's tooling (the spec's), as JSON to edit.
fn example(tooling: &dyn Tooling) -> Value {
    serde_json::from_str(tooling.examples()[0].1).expect("the example is JSON")
}

/// The merchant refused `order`'s last request with `code` and credited nothing for it.
fn refused_uncredited(merchant: &Merchant, order: &str, code: &str, doc: &str) {
    let handled = merchant.handled(order);
    assert!(
        matches!(handled.last(), Some(Handled::Refused(refused)) if *refused == code),
        "{order}: refused with {code}, got {handled:?} ({doc})"
    );
    let books = merchant.order(order);
    assert!(
        books.credited().is_none() && books.notifications.is_empty(),
        "{order}: nothing credited or stored, got {books:?} ({doc})"
    );
}

async fn cryptocloud_invoice(sandbox: &SandboxHandle, order: &str) -> String {
    let shop_id = sandbox.config().cryptocloud.shop_id.clone();
    support::cryptocloud_client(sandbox)
        .create_invoice()
        .body(
            ::cryptocloud::types::InvoiceCreateRequest::builder()
                .shop_id(shop_id)
                .amount("100")
                .currency("USD")
                .order_id(order),
        )
        .send()
        .await
        .expect("created")
        .into_inner()
        .result
        .uuid
        .to_string()
}

/// A CryptoCloud postback about `uuid` (`INV-…`) of `order`, from the spec's example.
fn postback(uuid: &str, order: &str) -> Value {
    let mut event = example(&cryptocloud::TOOLING);
    event["invoice_id"] = json!(uuid.trim_start_matches("INV-"));
    event["order_id"] = json!(order);
    event["currency"] = json!("USDT_TRC20");
    event
}

#[tokio::test]
async fn cryptocloud_forged_replayed_and_unpaid_postbacks_are_refused() {
    let (merchant, sandbox) = shop().await;
    let secret = sandbox.config().cryptocloud.secret_key.clone();
    let right = Keys::new(Secret::new(secret.clone()));

    // Forged: a postback for an unpaid invoice, its token signed with another secret.
    let order = "cc-forged";
    let uuid = cryptocloud_invoice(&sandbox, order).await;
    let forged = signed(
        &cryptocloud::TOOLING,
        &Keys::new(Secret::new("not-the-project-secret")),
        &postback(&uuid, order),
    );
    assert_eq!(merchant.deliver(Provider::CryptoCloud, forged).await, 401);
    refused_uncredited(
        &merchant,
        order,
        "bad_token",
        "more-pages.md 1.6: a JWT signed HS256 with the project's SECRET KEY",
    );

    // Authentic, but the provider does not show the invoice as paid.
    let order = "cc-unpaid";
    let uuid = cryptocloud_invoice(&sandbox, order).await;
    let unpaid = signed(&cryptocloud::TOOLING, &right, &postback(&uuid, order));
    assert_eq!(merchant.deliver(Provider::CryptoCloud, unpaid).await, 401);
    refused_uncredited(
        &merchant,
        order,
        "confirmation_mismatch",
        "more-pages.md 1.6: \"after an invoice is confirmed (paid) the system POSTs\"; the \
         invoice information endpoint says `created`",
    );

    // Replayed: a token that names no invoice (as the docs' example token), accepted once with
    // the postback of a paid invoice, then lifted onto an unpaid invoice's postback.
    let paid_order = "cc-paid";
    let paid = cryptocloud_invoice(&sandbox, paid_order).await;
    let (status, answer) = control(
        &sandbox,
        &format!("cryptocloud/invoices/{paid}/pay"),
        Some(json!({"kind": "full"})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    attempted(&sandbox, &paid).await;
    settled(&sandbox, &paid).await.expect("delivered");
    let signer = cryptocloud::Signer::new(Secret::new(secret)).without_invoice_claim();
    let token = signer.token(paid.trim_start_matches("INV-"));
    let mut first = postback(&paid, paid_order);
    first["token"] = json!(token);
    let mut again = http_client()
        .post(merchant.endpoint(Provider::CryptoCloud))
        .header("content-type", "application/json")
        .body(first.to_string())
        .send()
        .await
        .expect("answered");
    assert_eq!(again.status().as_u16(), 200, "{:?}", again.text().await);
    let order = "cc-replayed";
    let victim = cryptocloud_invoice(&sandbox, order).await;
    let mut lifted = postback(&victim, order);
    lifted["token"] = json!(token);
    again = http_client()
        .post(merchant.endpoint(Provider::CryptoCloud))
        .header("content-type", "application/json")
        .body(lifted.to_string())
        .send()
        .await
        .expect("answered");
    assert_eq!(again.status().as_u16(), 401);
    refused_uncredited(
        &merchant,
        order,
        "replayed_token",
        "more-pages.md 1.6: \"a new token per notification\"; the token signs its claims, not \
         the body",
    );
    // The paid invoice: credited once, with what the provider received.
    let books = merchant.order(paid_order);
    let credited = books.credited().expect("the paid invoice is credited");
    assert_eq!(credited.amount.to_string(), "100");
    assert_eq!(credited.currency, "USDT_TRC20");
    sandbox.shutdown().await;
}

/// A `confirmed` callback about invoice `id` of `order`, from the spec's example.
fn callback(id: &str, order: &str) -> Value {
    let mut event = example(&cryptoprocessing::TOOLING);
    event["id"] = json!(id.parse::<i64>().expect("a numeric id"));
    event["foreign_id"] = json!(order);
    event["status"] = json!("confirmed");
    event
}

#[tokio::test]
async fn cryptoprocessing_forged_tampered_and_keyless_callbacks_are_refused() {
    let (merchant, sandbox) = shop().await;
    let config = sandbox.config().cryptoprocessing.clone();
    let right = Keys::new(Secret::new(config.secret_key.clone()))
        .with_api_key(Secret::new(config.api_key.clone()));

    // Forged: signed with another secret key.
    let order = "cp-forged";
    let id = support::cryptoprocessing_invoice(&sandbox, order).await;
    let forged_keys = Keys::new(Secret::new("not-the-secret-key"))
        .with_api_key(Secret::new(config.api_key.clone()));
    let forged = signed(
        &cryptoprocessing::TOOLING,
        &forged_keys,
        &callback(&id, order),
    );
    assert_eq!(
        merchant.deliver(Provider::Cryptoprocessing, forged).await,
        401
    );
    refused_uncredited(
        &merchant,
        order,
        "bad_signature",
        "more-pages.md 2.4: X-Processing-Signature, \"hex HMAC-SHA512 of the raw body with your \
         secret\"; \"The receiver must verify the signature\"",
    );

    // Tampered: signed, then the amount changed.
    let order = "cp-tampered";
    let id = support::cryptoprocessing_invoice(&sandbox, order).await;
    let mut tampered = signed(&cryptoprocessing::TOOLING, &right, &callback(&id, order));
    let body = String::from_utf8(tampered.body).expect("utf-8");
    let changed = body.replace("\"0.02000000\"", "\"2.00000000\"");
    assert_ne!(changed, body);
    tampered.body = changed.into_bytes();
    assert_eq!(
        merchant.deliver(Provider::Cryptoprocessing, tampered).await,
        401
    );
    refused_uncredited(
        &merchant,
        order,
        "bad_signature",
        "more-pages.md 2.4: the HMAC covers \"the raw body\"",
    );

    // Without the merchant's API key, which every callback carries.
    let order = "cp-keyless";
    let id = support::cryptoprocessing_invoice(&sandbox, order).await;
    let keyless = signed(
        &cryptoprocessing::TOOLING,
        &Keys::new(Secret::new(config.secret_key.clone())),
        &callback(&id, order),
    );
    assert_eq!(
        merchant.deliver(Provider::Cryptoprocessing, keyless).await,
        401
    );
    refused_uncredited(
        &merchant,
        order,
        "missing_api_key",
        "more-pages.md 2.4: \"Headers `X-Processing-Key` (your API key) and \
         `X-Processing-Signature`\"",
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn apiforcrypto_notifications_without_the_invoices_key_are_refused() {
    let (merchant, sandbox) = shop().await;
    let order = "afc-forged";
    let (id, _) = support::apiforcrypto_invoice(&sandbox, &merchant, order, 1).await;

    // A PAID notice for the invoice with a key that is not the one it was created with.
    let mut event = example(&apiforcrypto::TOOLING);
    event["id"] = json!(id);
    event["data"] = json!({"order_id": order});
    let forged = signed(
        &apiforcrypto::TOOLING,
        &Keys::new(apiforcrypto::generate_secret_key()),
        &event,
    );
    assert_eq!(merchant.deliver(Provider::ApiForCrypto, forged).await, 401);
    refused_uncredited(
        &merchant,
        order,
        "bad_secret_key",
        "apiforcrypto-invoices.txt: the secret key \"will be used to verify responses from our \
         server regarding any changes in the invoice status, ensuring the response is \
         authentic\"",
    );

    // A PAID notice for an invoice the merchant never created.
    let order = "afc-unknown";
    let mut event = example(&apiforcrypto::TOOLING);
    event["id"] = json!("00000000-0000-4000-8000-000000000000");
    event["data"] = json!({"order_id": order});
    let unknown = signed(
        &apiforcrypto::TOOLING,
        &Keys::new(apiforcrypto::generate_secret_key()),
        &event,
    );
    assert_eq!(merchant.deliver(Provider::ApiForCrypto, unknown).await, 401);
    refused_uncredited(
        &merchant,
        order,
        "unknown_invoice",
        "the key is per invoice: a notice about an invoice with no stored key cannot be checked",
    );
    sandbox.shutdown().await;
}
