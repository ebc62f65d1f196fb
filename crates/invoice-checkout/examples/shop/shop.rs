//! The shop, written once on [`Checkout`]: its routes, its in-memory store of orders and
//! notifications, and the sandbox it can run against. `main.rs` serves it; `tests/shop.rs`
//! drives the same code over HTTP.
//!
//! - `POST /orders` `{"amount": "49.90", "currency": "USD"}`: creates the invoice, answers
//!   201 with the order, its payment link among it.
//! - `GET /orders/{id}`: the order: its state, what was credited, how many notifications came.
//! - `POST /webhooks/{provider}`: a notification, verified by [`Checkout::verify`]; answered
//!   200 `OK` only once its effect is stored, else with the refusal's status.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use invoice_checkout::{
    ApiforcryptoOrder, ApiforcryptoSettings, Checkout, CryptoCloudSettings,
    CryptoprocessingSettings, Decimal, Event, Lifecycle, Money, Order, Provider, Secret,
};
use invoice_sandbox::{Config, Sandbox, SandboxHandle};
use serde::Deserialize;
use serde_json::{json, Value};

/// The shop's state: one checkout and the store, shared by every request.
#[derive(Clone)]
pub struct Shop {
    checkout: Checkout,
    store: Arc<Mutex<Store>>,
    /// Part of every order id, so that ids stay unique across restarts (Cryptoprocessing's
    /// `foreign_id` must be unique per merchant).
    run_id: String,
}

/// What a database would hold: the orders, and every notification's dedup key acted on.
#[derive(Default)]
struct Store {
    next_order: u64,
    orders: HashMap<String, StoredOrder>,
    acted_on: HashSet<String>,
}

struct StoredOrder {
    provider: Provider,
    amount: Decimal,
    currency: String,
    invoice_id: String,
    payment_url: Option<String>,
    lifecycle: Lifecycle,
    /// Each credit, in the coin the provider counted it in: one per order, unless a later
    /// notification reports more paid than already credited.
    credits: Vec<Money>,
    /// Authentic notifications received, duplicates included.
    notifications: u64,
    duplicates: u64,
}

/// The body of `POST /orders`; amounts as text, so that they stay exact.
#[derive(Deserialize)]
struct NewOrder {
    amount: String,
    currency: String,
    email: Option<String>,
    /// apiforcrypto's chain and coin; Ethereum USDT unless given.
    blockchain: Option<String>,
    symbol: Option<String>,
}

impl Shop {
    /// A shop taking payments through `checkout`, its order ids prefixed with `run_id`.
    pub fn new(checkout: Checkout, run_id: impl Into<String>) -> Self {
        Self {
            checkout,
            store: Arc::default(),
            run_id: run_id.into(),
        }
    }

    /// The shop's routes.
    pub fn router(self) -> Router {
        Router::new()
            .route("/orders", post(create_order))
            .route("/orders/{id}", get(show_order))
            .route("/webhooks/{provider}", post(receive_webhook))
            .with_state(self)
    }
}

async fn create_order(State(shop): State<Shop>, body: Bytes) -> Response {
    let request: NewOrder = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return refuse(StatusCode::BAD_REQUEST, error),
    };
    let amount: Decimal = match request.amount.parse() {
        Ok(amount) => amount,
        Err(error) => return refuse(StatusCode::BAD_REQUEST, error),
    };
    let order_id = {
        let mut store = shop.store.lock().expect("not poisoned");
        store.next_order += 1;
        format!("ORDER-{}-{}", shop.run_id, store.next_order)
    };
    let blockchain = request.blockchain.unwrap_or_else(|| "ethereum".into());
    let symbol = request.symbol.unwrap_or_else(|| "USDT".into());
    let mut order = Order::new(amount, &request.currency, &order_id)
        .apiforcrypto(ApiforcryptoOrder::new(blockchain, symbol));
    if let Some(email) = request.email {
        order = order.email(email);
    }
    let invoice = match shop.checkout.create(&order).await {
        Ok(invoice) => invoice,
        Err(error) => return refuse(StatusCode::BAD_GATEWAY, error),
    };
    let stored = StoredOrder {
        provider: invoice.provider,
        amount,
        currency: request.currency,
        invoice_id: invoice.invoice_id,
        payment_url: invoice.payment_url,
        lifecycle: Lifecycle::AwaitingPayment,
        credits: Vec::new(),
        notifications: 0,
        duplicates: 0,
    };
    let answer = order_json(&order_id, &stored);
    let mut store = shop.store.lock().expect("not poisoned");
    store.orders.insert(order_id, stored);
    (StatusCode::CREATED, Json(answer)).into_response()
}

async fn show_order(State(shop): State<Shop>, Path(order_id): Path<String>) -> Response {
    let store = shop.store.lock().expect("not poisoned");
    match store.orders.get(&order_id) {
        Some(order) => Json(order_json(&order_id, order)).into_response(),
        None => refuse(StatusCode::NOT_FOUND, format!("no order `{order_id}`")),
    }
}

async fn receive_webhook(
    State(shop): State<Shop>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if provider != shop.checkout.provider().name() {
        return refuse(StatusCode::NOT_FOUND, format!("no webhook `{provider}`"));
    }
    match shop.checkout.verify(&headers, &body).await {
        Ok(event) => match shop.store.lock().expect("not poisoned").record(&event) {
            Ok(()) => (StatusCode::OK, "OK").into_response(),
            // Not acknowledged, so that the provider sends it again once the order exists.
            Err(reason) => refuse(StatusCode::UNPROCESSABLE_ENTITY, reason),
        },
        Err(error) => refuse(error.webhook_status(), error),
    }
}

impl Store {
    /// Acts on a verified event once per dedup key; credits a paid order what the provider
    /// reports paid beyond what is already credited, so that neither a duplicate nor a second
    /// notification about the same payment credits twice.
    fn record(&mut self, event: &Event) -> Result<(), String> {
        // Not every provider echoes the order id; every one names the invoice.
        let order = match event.order_id.as_deref() {
            Some(order_id) => self.orders.get_mut(order_id),
            None => self
                .orders
                .values_mut()
                .find(|o| o.invoice_id == event.invoice_id),
        }
        .ok_or_else(|| format!("no order for invoice `{}`", event.invoice_id))?;
        order.notifications += 1;
        if !self.acted_on.insert(event.dedup_key.to_string()) {
            order.duplicates += 1;
            return Ok(());
        }
        order.lifecycle = event.lifecycle;
        let Some(paid) = event.paid.as_ref().filter(|_| event.lifecycle.is_paid()) else {
            return Ok(());
        };
        let credited: Decimal = order.credits.iter().map(|c| c.amount).sum();
        if paid.amount > credited {
            order
                .credits
                .push(Money::new(paid.amount - credited, &paid.currency));
        }
        Ok(())
    }
}

fn order_json(order_id: &str, order: &StoredOrder) -> Value {
    let credits: Vec<Value> = order
        .credits
        .iter()
        .map(|c| json!({ "amount": c.amount.to_string(), "currency": c.currency }))
        .collect();
    json!({
        "order_id": order_id,
        "provider": order.provider.name(),
        "amount": order.amount.to_string(),
        "currency": order.currency,
        "invoice_id": order.invoice_id,
        "payment_url": order.payment_url,
        "state": order.lifecycle.as_str(),
        "credits": credits,
        "notifications": order.notifications,
        "duplicates": order.duplicates,
    })
}

fn refuse(status: StatusCode, reason: impl std::fmt::Display) -> Response {
    (status, Json(json!({ "error": reason.to_string() }))).into_response()
}

/// The sandbox in-process on a free port, its notifications for `provider` sent to the shop
/// at `shop_url`, and a checkout on it.
pub async fn sandbox_checkout(
    provider: Provider,
    shop_url: &str,
) -> std::io::Result<(SandboxHandle, Checkout)> {
    let webhook = format!("{shop_url}/webhooks/{}", provider.name());
    // A free port: the shop's tests run side by side.
    let mut config = Config {
        port: 0,
        ..Config::default()
    };
    config.cryptocloud.postback_url = Some(webhook.clone());
    config.cryptoprocessing.callback_url = Some(webhook.clone());
    let sandbox = Sandbox::start(config).await?;
    let config = sandbox.config();
    let checkout = match provider {
        Provider::CryptoCloud => {
            let keys = &config.cryptocloud;
            let credentials = cryptocloud::Credentials::new(keys.api_key.clone())
                .expect("the sandbox's key is valid");
            Checkout::cryptocloud(
                cryptocloud::Client::with_credentials(
                    &sandbox.base_url(invoice_sandbox::Provider::CryptoCloud),
                    credentials,
                )
                .expect("a valid base URL"),
                CryptoCloudSettings::new(
                    keys.shop_id.clone(),
                    Secret::new(keys.secret_key.clone()),
                ),
            )
        }
        Provider::Cryptoprocessing => {
            let keys = &config.cryptoprocessing;
            let credentials =
                cryptoprocessing::Credentials::new(keys.api_key.clone(), keys.secret_key.clone())
                    .expect("the sandbox's keys are valid");
            Checkout::cryptoprocessing(
                cryptoprocessing::Client::with_credentials(
                    &sandbox.base_url(invoice_sandbox::Provider::Cryptoprocessing),
                    credentials,
                )
                .expect("a valid base URL"),
                CryptoprocessingSettings::new(Secret::new(keys.secret_key.clone()))
                    .with_api_key(Secret::new(keys.api_key.clone())),
            )
        }
        Provider::ApiForCrypto => Checkout::apiforcrypto(
            apiforcrypto::Client::with_credentials(
                &sandbox.base_url(invoice_sandbox::Provider::ApiForCrypto),
                apiforcrypto::Credentials::new(),
            )
            .expect("a valid base URL"),
            // apiforcrypto takes the callback URL per invoice, not from the account.
            ApiforcryptoSettings::new(config.apiforcrypto.wallet_ids[0].clone())
                .with_callback_url(webhook),
        ),
    };
    Ok((sandbox, checkout))
}
