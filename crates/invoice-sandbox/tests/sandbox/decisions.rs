//! What the sandbox decided where the docs are silent or disagree (its README quotes them):
//! a CryptoCloud invoice partly paid at its expiry stays `partial`, and a Cryptoprocessing
//! invoice that failed (its payments refunded) adds nothing to the account's balance.

use crate::support;

use invoice_primitives::auth::BodyMac;
use invoice_sandbox::{Config, Provider, Sandbox};
use serde_json::{json, Value};
use support::{control, http_client};

#[tokio::test]
async fn a_cryptocloud_invoice_partly_paid_at_expiry_stays_partial() {
    let sandbox = Sandbox::start(Config::default())
        .await
        .expect("the sandbox starts");
    let keys = sandbox.config().cryptocloud.clone();
    let base = sandbox.base_url(Provider::CryptoCloud);
    let call = |path: &str, body: Value| {
        let request = http_client()
            .post(format!("{base}{path}"))
            .header("authorization", format!("Token {}", keys.api_key))
            .json(&body);
        async move {
            let response = request.send().await.expect("the sandbox answers");
            response.json::<Value>().await.expect("JSON")
        }
    };
    let mut uuids = Vec::new();
    for _ in 0..2 {
        let created = call(
            "/v2/invoice/create",
            json!({"shop_id": keys.shop_id, "amount": 100}),
        )
        .await;
        uuids.push(
            created["result"]["uuid"]
                .as_str()
                .expect("a uuid")
                .to_owned(),
        );
    }
    control(
        &sandbox,
        &format!("cryptocloud/invoices/{}/pay", uuids[0]),
        Some(json!({"kind": "part"})),
    )
    .await;
    for uuid in &uuids {
        control(
            &sandbox,
            &format!("cryptocloud/invoices/{uuid}/expire"),
            Some(json!({})),
        )
        .await;
    }
    let info = call("/v2/invoice/merchant/info", json!({"uuids": uuids})).await;
    let statuses: Vec<&str> = info["result"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| i["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["partial", "canceled"]);
    // It takes no more payments: its time is over.
    let (status, _) = control(
        &sandbox,
        &format!("cryptocloud/invoices/{}/pay", uuids[0]),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn a_failed_cryptoprocessing_invoice_adds_nothing_to_the_balance() {
    let sandbox = Sandbox::start(Config::default())
        .await
        .expect("the sandbox starts");
    let keys = sandbox.config().cryptoprocessing.clone();
    let base = sandbox.base_url(Provider::Cryptoprocessing);
    let call = |path: &str, body: Value| {
        let bytes = serde_json::to_vec(&body).expect("JSON");
        let signature = BodyMac::new(keys.secret_key.as_bytes()).hex(&bytes);
        let request = http_client()
            .post(format!("{base}{path}"))
            .header("content-type", "application/json")
            .header("x-processing-key", &keys.api_key)
            .header("x-processing-signature", signature)
            .body(bytes);
        async move {
            let response = request.send().await.expect("the sandbox answers");
            response.json::<Value>().await.expect("JSON")
        }
    };
    let mut ids = Vec::new();
    for foreign_id in ["kept", "refunded"] {
        let created = call(
            "/api/v2/invoices/create",
            json!({"timer": false, "title": "t", "currency": "EUR", "amount": "100",
                   "foreign_id": foreign_id}),
        )
        .await;
        ids.push(created["data"]["id"].to_string());
    }
    control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{}/pay", ids[0]),
        Some(json!({"kind": "full"})),
    )
    .await;
    control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{}/pay", ids[1]),
        Some(json!({"kind": "part"})),
    )
    .await;
    control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{}/expire", ids[1]),
        Some(json!({})),
    )
    .await;
    let accounts = call("/api/v2/accounts/list", json!({})).await;
    let eur = accounts["data"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|a| a["currency"] == "EUR")
        .expect("an EUR account");
    assert_eq!(eur["balance"], "100.00000000");
}
