//! Every answer and callback of the sandbox as the docs show it: each has every property of
//! each documented example of that answer or callback (a property the docs show as `null` is
//! sent as `null`, not left out), and fits the spec's schema. The answers are read as raw JSON,
//! not through the generated types, which would not tell an absent property from a `null` one.

use crate::support;

use std::collections::BTreeSet;

use invoice_primitives::auth::BodyMac;
use invoice_sandbox::{Config, Provider, Sandbox, SandboxHandle};
use serde_json::{json, Value};
use support::spec::{Examples, Spec};
use support::{control, http_client, Answer, Receiver};

/// The problems found so far, reported all at once at the end (each once, though several
/// answers and examples may show it).
#[derive(Default)]
struct Findings(BTreeSet<String>);

impl Findings {
    fn check(&mut self, spec: &Spec, schema: &str, answer: &Value) {
        self.0.extend(spec.problems(schema, Examples::Each, answer));
    }

    fn check_one_of(&mut self, spec: &Spec, schema: &str, answer: &Value) {
        self.0
            .extend(spec.problems(schema, Examples::Alternatives, answer));
    }

    fn assert_none(self) {
        let all: Vec<String> = self.0.into_iter().collect();
        assert!(all.is_empty(), "\n{}", all.join("\n"));
    }
}

/// A JSON POST; the status and the answer.
async fn post(url: String, headers: &[(&str, String)], body: &Value) -> (u16, Value) {
    let body = serde_json::to_vec(body).expect("JSON");
    let mut request = http_client()
        .post(url)
        .header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    answer(
        request
            .body(body)
            .send()
            .await
            .expect("the sandbox answers"),
    )
    .await
}

async fn get(url: String) -> (u16, Value) {
    answer(
        http_client()
            .get(url)
            .send()
            .await
            .expect("the sandbox answers"),
    )
    .await
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, json)
}

fn json_body(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("a JSON callback")
}

#[tokio::test]
async fn cryptocloud_answers_and_postbacks_have_every_documented_property() {
    let spec = Spec::load("cryptocloud");
    let mut findings = Findings::default();
    let mut receiver = Receiver::start(Answer::Ok).await;
    let mut config = Config::default();
    config.cryptocloud.postback_url = Some(receiver.url.clone());
    let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
    let keys = sandbox.config().cryptocloud.clone();
    let base = sandbox.base_url(Provider::CryptoCloud);
    let auth = [("authorization", format!("Token {}", keys.api_key))];
    let call = |path: &str, body: Value| {
        let url = format!("{base}{path}");
        let auth = &auth;
        async move { post(url, auth, &body).await }
    };

    // With an `order_id`, as the documented invoices have one.
    let create =
        json!({"shop_id": keys.shop_id, "amount": 100, "currency": "USD", "order_id": "1111"});
    let (status, created) = call("/v2/invoice/create", create.clone()).await;
    assert_eq!(status, 200, "{created}");
    findings.check(&spec, "InvoiceCreateResponse", &created);
    let uuid = created["result"]["uuid"]
        .as_str()
        .expect("a uuid")
        .to_owned();

    // Paid, so the postback and the records show a finished invoice too.
    let (status, _) = control(
        &sandbox,
        &format!("cryptocloud/invoices/{uuid}/pay"),
        Some(json!({"kind": "full"})),
    )
    .await;
    assert_eq!(status, 200);
    let postback = receiver.next().await;
    findings.check(&spec, "Postback", &json_body(&postback.body));

    let (_, open) = call("/v2/invoice/create", create.clone()).await;
    let open_uuid = open["result"]["uuid"].as_str().expect("a uuid").to_owned();

    let today = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .format("%d.%m.%Y")
        .to_string();
    let (status, list) = call(
        "/v2/invoice/merchant/list",
        json!({"start": today, "end": today, "offset": 0, "limit": 10}),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    findings.check(&spec, "InvoiceListResponse", &list);
    let (status, info) = call(
        "/v2/invoice/merchant/info",
        json!({"uuids": [uuid, open_uuid]}),
    )
    .await;
    assert_eq!(status, 200, "{info}");
    findings.check(&spec, "InvoiceInfoResponse", &info);
    let (status, canceled) =
        call("/v2/invoice/merchant/canceled", json!({"uuid": open_uuid})).await;
    assert_eq!(status, 200, "{canceled}");
    findings.check(&spec, "InvoiceCancelResponse", &canceled);

    let (status, balance) = call("/v2/merchant/wallet/balance/all", json!({})).await;
    assert_eq!(status, 200, "{balance}");
    findings.check(&spec, "BalanceResponse", &balance);
    let (status, statistics) = call(
        "/v2/invoice/merchant/statistics",
        json!({"start": today, "end": today}),
    )
    .await;
    assert_eq!(status, 200, "{statistics}");
    findings.check(&spec, "StatisticsResponse", &statistics);
    let (status, wallet) = call(
        "/v2/invoice/static/create",
        json!({"shop_id": keys.shop_id, "currency": "BTC", "identify": "customer-7"}),
    )
    .await;
    assert_eq!(status, 200, "{wallet}");
    findings.check(&spec, "StaticWalletCreateResponse", &wallet);
    let (status, withdrawal) = post(
        format!("{base}/v2/invoice/api/out/create"),
        &[("authorization", format!("Token {}", keys.withdrawal_key))],
        &json!({"currency_code": "USDT_TRC20", "to_address": "TXYZ", "amount": 10}),
    )
    .await;
    assert_eq!(status, 200, "{withdrawal}");
    findings.check(&spec, "WithdrawalCreateResponse", &withdrawal);

    let (status, refused) = call(
        "/v2/invoice/create",
        json!({"shop_id": keys.shop_id, "amount": 100, "currency": "XYZ"}),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    findings.check_one_of(&spec, "ErrorResponse", &refused);
    findings.assert_none();
}

/// Cryptoprocessing's request signature: hex HMAC-SHA512 of the body with the secret.
fn signed(sandbox: &SandboxHandle, body: &[u8]) -> [(&'static str, String); 2] {
    let keys = &sandbox.config().cryptoprocessing;
    let signature = BodyMac::new(keys.secret_key.as_bytes()).hex(body);
    [
        ("x-processing-key", keys.api_key.clone()),
        ("x-processing-signature", signature),
    ]
}

#[tokio::test]
async fn cryptoprocessing_answers_and_callbacks_have_every_documented_property() {
    let spec = Spec::load("cryptoprocessing");
    let mut findings = Findings::default();
    let mut receiver = Receiver::start(Answer::Ok).await;
    let mut config = Config::default();
    config.cryptoprocessing.callback_url = Some(receiver.url.clone());
    let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
    let base = sandbox.base_url(Provider::Cryptoprocessing);
    let call = |path: String, body: Value| {
        let bytes = serde_json::to_vec(&body).expect("JSON");
        let headers = signed(&sandbox, &bytes);
        let url = format!("{base}{path}");
        async move { post(url, &headers, &body).await }
    };

    let create = |foreign_id: &str, timer: bool| {
        json!({"timer": timer, "title": "Invoice Title", "currency": "EUR", "amount": "106.75",
               "foreign_id": foreign_id, "end_user_reference": "12345"})
    };
    let (status, created) = call("/api/v2/invoices/create".into(), create("doc-1", false)).await;
    assert_eq!(status, 200, "{created}");
    findings.check(&spec, "InvoiceCreateResponse", &created);
    let (status, timed) = call("/api/v2/invoices/create".into(), create("doc-2", true)).await;
    assert_eq!(status, 200, "{timed}");
    findings.check(&spec, "InvoiceCreateResponse", &timed);

    // A part, then the rest: a `pending` and a `confirmed` callback.
    let id = created["data"]["id"].to_string();
    for kind in ["part", "full"] {
        let (status, _) = control(
            &sandbox,
            &format!("cryptoprocessing/invoices/{id}/pay"),
            Some(json!({"kind": kind})),
        )
        .await;
        assert_eq!(status, 200);
        let callback = receiver.next().await;
        findings.check(&spec, "InvoiceCallback", &json_body(&callback.body));
    }
    let (status, canceled) = call("/api/v2/invoices/doc-2/cancel/".into(), json!({})).await;
    assert_eq!(status, 200, "{canceled}");
    findings.check(&spec, "CancelInvoiceResponse", &canceled);
    let failed = receiver.next().await;
    findings.check(&spec, "InvoiceCallback", &json_body(&failed.body));

    let (status, currencies) = call("/api/v2/currencies/list".into(), json!({})).await;
    assert_eq!(status, 200, "{currencies}");
    findings.check(&spec, "CurrencyListResponse", &currencies);
    let (status, accounts) = call("/api/v2/accounts/list".into(), json!({})).await;
    assert_eq!(status, 200, "{accounts}");
    findings.check(&spec, "AccountListResponse", &accounts);
    findings.assert_none();
}

#[tokio::test]
async fn apiforcrypto_answers_and_callbacks_have_every_documented_property() {
    let spec = Spec::load("apiforcrypto");
    let mut findings = Findings::default();
    let mut receiver = Receiver::start(Answer::Ok).await;
    let sandbox = Sandbox::start(Config::default())
        .await
        .expect("the sandbox starts");
    let base = sandbox.base_url(Provider::ApiForCrypto);
    let wallet = sandbox.config().apiforcrypto.wallet_ids[0].clone();

    let (status, created) = post(
        format!("{base}/api/v1/wallets/{wallet}/invoices"),
        &[],
        &json!({
            "blockchain": "ethereum", "symbol": "USDT",
            "fiatCurrency": {"currency": "USD", "value": 100, "percent": 2},
            "expiry": 30, "confirmations": 3,
            "secret_key": invoice_webhooks::apiforcrypto::generate_secret_key(),
            "data": {"order_id": "ORDER-1001", "title": "Order 1001",
                     "url_callback": receiver.url, "attempts_callback": 2}
        }),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    findings.check(&spec, "Invoice", &created);
    let uuid = created["id"].as_str().expect("an id").to_owned();
    let (status, _) = control(
        &sandbox,
        &format!("apiforcrypto/invoices/{uuid}/pay"),
        Some(json!({"kind": "full"})),
    )
    .await;
    assert_eq!(status, 200);
    let callback = receiver.next().await;
    findings.check(&spec, "InvoiceCallback", &json_body(&callback.body));

    let (status, invoice) = get(format!("{base}/api/v1/wallets/invoices/{uuid}")).await;
    assert_eq!(status, 200, "{invoice}");
    findings.check(&spec, "Invoice", &invoice);
    let (status, wallet) = get(format!("{base}/api/v1/wallets/{wallet}")).await;
    assert_eq!(status, 200, "{wallet}");
    findings.check(&spec, "Wallet", &wallet);
    findings.assert_none();
}
