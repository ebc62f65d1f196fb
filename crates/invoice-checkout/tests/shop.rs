//! The example shop (`examples/shop`), end to end for every provider: an order through the
//! shop's HTTP API → paid through the sandbox's control API → the shop shows it credited once,
//! with the exact amount → the notification sent again → still credited once.
//!
//! Nothing waits on the clock: each wait is for what the shop shows, with a generous bound.

#[path = "../examples/shop/shop.rs"]
mod shop;

use invoice_checkout::{Decimal, Provider};
use serde_json::{json, Value};

#[path = "support/guard.rs"]
mod guard;
use guard::{eventually, GUARD};

/// The shop served on 127.0.0.1 against the sandbox, as `--sandbox` runs it.
struct Running {
    shop_url: String,
    sandbox: invoice_sandbox::SandboxHandle,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn start(provider: Provider) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind the shop");
    let shop_url = format!("http://{}", listener.local_addr().expect("an address"));
    let (sandbox, checkout) = shop::sandbox_checkout(provider, &shop_url)
        .await
        .expect("the sandbox starts");
    let app = shop::Shop::new(checkout, "test").router();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Running {
        shop_url,
        sandbox,
        server,
    }
}

/// A plain HTTP client; reqwest needs the process's TLS provider installed first.
fn http() -> reqwest::Client {
    invoice_primitives::transport::install_tls_provider();
    reqwest::Client::new()
}

/// A request's JSON answer, which must have `expected` status.
async fn call(request: reqwest::RequestBuilder, expected: u16) -> Value {
    let response = tokio::time::timeout(GUARD, request.send())
        .await
        .expect("an answer within the guard time")
        .expect("an answer");
    let status = response.status();
    let json: Value = response.json().await.expect("a JSON answer");
    assert_eq!(status.as_u16(), expected, "{json}");
    json
}

fn decimal(value: &Value) -> Decimal {
    value
        .as_str()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("a decimal as text: {value}"))
}

/// The order's one credit: exactly the 49.90 asked (the sandbox charges USD at par).
fn assert_credited_once(order: &Value) {
    let credits = order["credits"].as_array().expect("a list of credits");
    assert_eq!(credits.len(), 1, "{order}");
    assert_eq!(
        decimal(&credits[0]["amount"]),
        Decimal::new(4990, 2),
        "{order}"
    );
    assert!(credits[0]["currency"]
        .as_str()
        .is_some_and(|c| !c.is_empty()));
    assert_eq!(order["state"], "paid", "{order}");
}

async fn order_is_credited_once(provider: Provider) {
    let running = start(provider).await;
    let http = http();
    let shop = &running.shop_url;

    let created = call(
        http.post(format!("{shop}/orders"))
            .json(&json!({ "amount": "49.90", "currency": "USD" })),
        201,
    )
    .await;
    let order_id = created["order_id"]
        .as_str()
        .expect("an order id")
        .to_owned();
    let invoice_id = created["invoice_id"]
        .as_str()
        .expect("an invoice id")
        .to_owned();
    let link = created["payment_url"].as_str().expect("a payment link");
    assert!(link.ends_with(&invoice_id), "{created}");
    assert_eq!(created["state"], "awaiting_payment");

    let control = |path: String| running.sandbox.control_url(&path);
    let pay = format!("{}/invoices/{invoice_id}/pay", provider.name());
    call(
        http.post(control(pay)).json(&json!({ "kind": "full" })),
        200,
    )
    .await;

    let order_url = format!("{shop}/orders/{order_id}");
    let order = eventually("the order credited", || async {
        let order = call(http.get(&order_url), 200).await;
        (!order["credits"].as_array()?.is_empty()).then_some(order)
    })
    .await;
    assert_credited_once(&order);

    // Every notification about the invoice again: duplicates, acknowledged and ignored.
    let log = call(http.get(control("deliveries".into())), 200).await;
    let ids: Vec<u64> = log
        .as_array()
        .expect("the delivery log")
        .iter()
        .filter(|d| d["invoice_id"] == invoice_id.as_str())
        .map(|d| d["id"].as_u64().expect("a delivery id"))
        .collect();
    assert!(!ids.is_empty(), "{log}");
    for id in &ids {
        let resend = format!("deliveries/{id}/resend");
        call(http.post(control(resend)).json(&json!({})), 200).await;
    }
    // Every original and every copy received, in whatever order they arrive: one of each pair
    // acted on, the other a duplicate.
    let sent = ids.len() as u64;
    let order = eventually("every delivery and its copy received", || async {
        let order = call(http.get(&order_url), 200).await;
        (order["notifications"].as_u64()? >= 2 * sent).then_some(order)
    })
    .await;
    assert_eq!(order["duplicates"].as_u64(), Some(sent), "{order}");
    assert_credited_once(&order);
}

#[tokio::test]
async fn cryptocloud_order_is_credited_once() {
    order_is_credited_once(Provider::CryptoCloud).await;
}

#[tokio::test]
async fn cryptoprocessing_order_is_credited_once() {
    order_is_credited_once(Provider::Cryptoprocessing).await;
}

#[tokio::test]
async fn apiforcrypto_order_is_credited_once() {
    order_is_credited_once(Provider::ApiForCrypto).await;
}
