//! Fiat and coin kept apart, and the currencies each provider's docs list: a Cryptoprocessing
//! callback reports the coin paid and its address, never the invoice's fiat currency; the
//! customer's choice of coin; the currencies each provider refuses, with its documented error.

use crate::support;

use invoice_primitives::auth::BodyMac;
use invoice_sandbox::{Config, Provider, Sandbox, SandboxHandle};
use serde_json::{json, Value};
use support::{control, http_client, Answer, Receiver};

/// A signed Cryptoprocessing call: the status and the JSON answer.
async fn cryptoprocessing(sandbox: &SandboxHandle, path: &str, body: Value) -> (u16, Value) {
    let keys = &sandbox.config().cryptoprocessing;
    let bytes = serde_json::to_vec(&body).expect("JSON");
    let signature = BodyMac::new(keys.secret_key.as_bytes()).hex(&bytes);
    let response = http_client()
        .post(format!(
            "{}{path}",
            sandbox.base_url(Provider::Cryptoprocessing)
        ))
        .header("content-type", "application/json")
        .header("x-processing-key", &keys.api_key)
        .header("x-processing-signature", signature)
        .body(bytes)
        .send()
        .await
        .expect("the sandbox answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

fn eur_invoice(foreign_id: &str, amount: &str) -> Value {
    json!({"timer": false, "title": "Invoice Title", "currency": "EUR", "amount": amount,
           "foreign_id": foreign_id})
}

async fn callback(receiver: &mut Receiver) -> Value {
    serde_json::from_slice(&receiver.next().await.body).expect("a JSON callback")
}

#[tokio::test]
async fn a_fiat_invoice_is_paid_in_a_coin_the_customer_chooses() {
    let mut receiver = Receiver::start(Answer::Ok).await;
    let mut config = Config::default();
    config.cryptoprocessing.callback_url = Some(receiver.url.clone());
    let sandbox = Sandbox::start(config).await.expect("the sandbox starts");

    // Not chosen: the default coin, USDTT, at par; the address is Tron's.
    let (status, created) = cryptoprocessing(
        &sandbox,
        "/api/v2/invoices/create",
        eur_invoice("a", "106.75"),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["id"].to_string();
    control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{id}/pay"),
        Some(json!({})),
    )
    .await;
    let paid = callback(&mut receiver).await;
    assert_eq!(paid["status"], "confirmed");
    assert_eq!(paid["crypto_address"]["currency"], "USDTT");
    assert_eq!(paid["crypto_address"]["convert_to"], "EUR");
    assert!(paid["crypto_address"]["address"]
        .as_str()
        .is_some_and(|a| a.starts_with('T')));
    assert_eq!(paid["currency_sent"]["currency"], "USDTT");
    assert_eq!(paid["currency_received"]["currency"], "EUR");
    assert_eq!(paid["currency_received"]["amount"], "106.75000000");
    assert_eq!(paid["transactions"][0]["currency"], "USDTT");

    // Chosen: Bitcoin, at the sandbox's 50,000 a coin.
    let (_, created) =
        cryptoprocessing(&sandbox, "/api/v2/invoices/create", eur_invoice("b", "100")).await;
    let id = created["data"]["id"].to_string();
    let (status, answer) = control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{id}/pay"),
        Some(json!({"coin": "BTC"})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let paid = callback(&mut receiver).await;
    assert_eq!(paid["crypto_address"]["currency"], "BTC");
    assert!(paid["crypto_address"]["address"]
        .as_str()
        .is_some_and(|a| a.starts_with("bc1")));
    assert_eq!(paid["currency_sent"]["currency"], "BTC");
    assert_eq!(paid["currency_sent"]["amount"], "0.00200000");
    assert_eq!(paid["currency_received"]["amount"], "100.00000000");

    // Once paid, or when `sender_currency` fixed it, the coin is not chosen again; a fiat
    // currency is no coin.
    let (status, _) = control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{id}/pay"),
        Some(json!({"coin": "ETH"})),
    )
    .await;
    assert_eq!(status, 409);
    let (_, created) =
        cryptoprocessing(&sandbox, "/api/v2/invoices/create", eur_invoice("c", "100")).await;
    let id = created["data"]["id"].to_string();
    let (status, _) = control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{id}/pay"),
        Some(json!({"coin": "USD"})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_payment_page_offers_the_coins_of_a_fiat_invoice() {
    let sandbox = Sandbox::start(Config::default())
        .await
        .expect("the sandbox starts");
    let (_, created) =
        cryptoprocessing(&sandbox, "/api/v2/invoices/create", eur_invoice("p", "100")).await;
    let id = created["data"]["id"].to_string();
    let page = sandbox.payment_page(Provider::Cryptoprocessing, &id);
    let html = http_client()
        .get(&page)
        .send()
        .await
        .expect("the page")
        .text()
        .await
        .expect("HTML");
    assert!(html.contains("id=\"choose-coin\"") && html.contains("<option>BTC</option>"));
    let chosen = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
        .post(&page)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("action=coin&coin=ETH")
        .send()
        .await
        .expect("the page answers");
    assert_eq!(chosen.status().as_u16(), 303);
    let (_, invoice) = control(&sandbox, &format!("cryptoprocessing/invoices/{id}"), None).await;
    assert_eq!(invoice["currency"], "ETH");
    assert_eq!(invoice["amount"], "0.04");
}

#[tokio::test]
async fn currencies_the_docs_do_not_list_are_refused_with_the_documented_errors() {
    let sandbox = Sandbox::start(Config::default())
        .await
        .expect("the sandbox starts");
    let keys = sandbox.config().cryptocloud.clone();
    let create = |body: Value| {
        let url = format!(
            "{}/v2/invoice/create",
            sandbox.base_url(Provider::CryptoCloud)
        );
        let key = format!("Token {}", keys.api_key);
        async move {
            let response = http_client()
                .post(url)
                .header("authorization", key)
                .json(&body)
                .send()
                .await
                .expect("the sandbox answers");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    // CryptoCloud: "Available currencies for conversion: USD, UZS, …, EUR, GBP".
    let (status, refused) =
        create(json!({"shop_id": keys.shop_id, "amount": 100, "currency": "XYZ"})).await;
    assert_eq!(status, 400);
    assert_eq!(refused["status"], "error");
    assert!(refused["result"]["validate_error"].is_string(), "{refused}");
    let (status, refused) = create(json!({"shop_id": keys.shop_id, "amount": 100,
                                          "add_fields": {"cryptocurrency": "DOGE"}}))
    .await;
    assert_eq!(status, 400);
    assert!(refused["result"]["validate_error"].is_string(), "{refused}");
    let (status, _) =
        create(json!({"shop_id": keys.shop_id, "amount": 100, "currency": "GBP"})).await;
    assert_eq!(status, 200);

    // Cryptoprocessing: one of the account's currencies, at least its minimum; the errors
    // page's `{"errors": {field: message}}`.
    let mut unknown = eur_invoice("x", "100");
    unknown["currency"] = json!("XYZ");
    let (status, refused) = cryptoprocessing(&sandbox, "/api/v2/invoices/create", unknown).await;
    assert_eq!(status, 400);
    assert!(refused["errors"]["currency"].is_string(), "{refused}");
    let (status, refused) = cryptoprocessing(
        &sandbox,
        "/api/v2/invoices/create",
        eur_invoice("y", "9.99"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused,
        json!({"errors": {"amount": "The amount is too small. The minimum amount is 10.00 EUR."}})
    );
    let mut fiat_sender = eur_invoice("z", "100");
    fiat_sender["sender_currency"] = json!("USD");
    let (status, refused) =
        cryptoprocessing(&sandbox, "/api/v2/invoices/create", fiat_sender).await;
    assert_eq!(status, 400);
    assert!(
        refused["errors"]["sender_currency"].is_string(),
        "{refused}"
    );
}
