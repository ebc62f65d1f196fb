//! The control API for tests, JSON under `/_sandbox/api/`:
//!
//! | call | does |
//! | --- | --- |
//! | `GET config` | the configuration in use |
//! | `POST reset` | forgets every invoice and delivery |
//! | `GET time`, `POST time/advance` `{"seconds": n}` or `{"minutes": n}` | sandbox time |
//! | `GET invoices`, `GET {provider}/invoices/{id}` | invoices as the sandbox holds them |
//! | `POST {provider}/invoices/{id}/pay` `{"kind": "full"\|"part"\|"over", "amount": "1.5", "coin": "BTC"}` | a payment (`coin`: the customer's choice, where the provider lets them choose) |
//! | `POST {provider}/invoices/{id}/expire`, `.../fail` | ends an open invoice |
//! | `GET deliveries`, `GET deliveries/{id}` | the delivery log |
//! | `POST deliveries/{id}/resend` | sends a delivery again (a duplicate) |

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, TimeDelta, Utc};
use invoice_primitives::StringAmount;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::core::app::{App, ChangeError, Changed, PayKind};
use crate::core::deliveries::{self, DeliveryRecord};
use crate::core::json::Json;
use crate::core::pages::payment_page_url;
use crate::core::state::{Invoice, Lifecycle};
use crate::Provider;

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/_sandbox/api/config", get(config))
        .route("/_sandbox/api/reset", post(reset))
        .route("/_sandbox/api/time", get(time))
        .route("/_sandbox/api/time/advance", post(advance))
        .route("/_sandbox/api/invoices", get(invoices))
        .route("/_sandbox/api/{provider}/invoices/{id}", get(invoice))
        .route("/_sandbox/api/{provider}/invoices/{id}/pay", post(pay))
        .route(
            "/_sandbox/api/{provider}/invoices/{id}/expire",
            post(expire),
        )
        .route("/_sandbox/api/{provider}/invoices/{id}/fail", post(fail))
        .route("/_sandbox/api/deliveries", get(deliveries))
        .route("/_sandbox/api/deliveries/{id}", get(delivery))
        .route("/_sandbox/api/deliveries/{id}/resend", post(resend))
        .fallback(|| async { problem(StatusCode::NOT_FOUND, "no such control call") })
}

fn problem(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn change_error(error: ChangeError) -> Response {
    match error {
        ChangeError::NotFound(m) => problem(StatusCode::NOT_FOUND, &m),
        ChangeError::Conflict(m) => problem(StatusCode::CONFLICT, &m),
        ChangeError::BadRequest(m) => problem(StatusCode::BAD_REQUEST, &m),
    }
}

fn provider(name: &str) -> Result<Provider, Response> {
    name.parse()
        .map_err(|e: crate::UnknownProvider| problem(StatusCode::NOT_FOUND, &e.to_string()))
}

/// A JSON body, or the default when there is none; a body that does not parse is a 400.
fn body_or_default<T: Default + serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| problem(StatusCode::BAD_REQUEST, &format!("invalid JSON: {e}")))
}

async fn config(State(app): State<Arc<App>>) -> Json<crate::Config> {
    Json(app.config.clone())
}

async fn reset(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    app.reset();
    Json(json!({ "reset": true }))
}

#[derive(Serialize)]
struct Time {
    now: DateTime<Utc>,
    time_scale: f64,
}

async fn time(State(app): State<Arc<App>>) -> Json<Time> {
    Json(Time {
        now: app.clock.now(),
        time_scale: app.config.time_scale,
    })
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    #[serde(default)]
    seconds: i64,
    #[serde(default)]
    minutes: i64,
}

async fn advance(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    let advance: Advance = match body_or_default(&body) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let span = TimeDelta::try_seconds(advance.seconds)
        .zip(TimeDelta::try_minutes(advance.minutes))
        .and_then(|(s, m)| s.checked_add(&m))
        .filter(|span| *span >= TimeDelta::zero() && *span <= TimeDelta::days(3650));
    let Some(span) = span else {
        return problem(
            StatusCode::BAD_REQUEST,
            "advance by 0 to 3650 days, never back",
        );
    };
    if !app.clock.advance(span) {
        return problem(
            StatusCode::BAD_REQUEST,
            "sandbox time moves at most a century in all",
        );
    }
    app.store().clock_moved();
    // Whatever expired is expired before this answers, so a test can read it at once.
    app.expire_due();
    Json(Time {
        now: app.clock.now(),
        time_scale: app.config.time_scale,
    })
    .into_response()
}

/// An invoice as the control API shows it.
#[derive(Serialize)]
struct InvoiceSummary {
    provider: Provider,
    id: String,
    /// The status the provider's API shows.
    status: String,
    lifecycle: Lifecycle,
    title: String,
    amount: StringAmount,
    paid: StringAmount,
    remaining: StringAmount,
    currency: String,
    address: String,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
    payment_page: String,
}

fn summary(app: &App, invoice: &Invoice) -> InvoiceSummary {
    InvoiceSummary {
        provider: invoice.provider,
        id: invoice.id.clone(),
        status: app.status(invoice),
        lifecycle: invoice.lifecycle,
        title: invoice.title.clone(),
        amount: StringAmount::new(invoice.amount),
        paid: StringAmount::new(invoice.paid()),
        remaining: StringAmount::new(invoice.remaining()),
        currency: invoice.pay_currency.clone(),
        address: invoice.address.clone(),
        created: invoice.created,
        expires: invoice.expires,
        payment_page: payment_page_url(&app.root_url, invoice.provider, &invoice.id),
    }
}

async fn invoices(State(app): State<Arc<App>>) -> Json<Vec<InvoiceSummary>> {
    app.expire_due();
    let store = app.store();
    Json(store.invoices().iter().map(|i| summary(&app, i)).collect())
}

async fn invoice(
    State(app): State<Arc<App>>,
    Path((name, id)): Path<(String, String)>,
) -> Response {
    let provider = match provider(&name) {
        Ok(p) => p,
        Err(r) => return r,
    };
    app.expire_due();
    let store = app.store();
    match store.get(provider, &id) {
        Some(invoice) => Json(summary(&app, invoice)).into_response(),
        None => problem(
            StatusCode::NOT_FOUND,
            &format!("no {provider} invoice {id}"),
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pay {
    #[serde(default = "full")]
    kind: PayKind,
    /// Exactly this much, in the invoice's payment currency (text or number, read exactly).
    amount: Option<StringAmount>,
    /// The coin the customer pays in, where they choose it (an invoice whose provider lets
    /// them, while its coin is not fixed): chosen before the payment, so `amount` is in it.
    coin: Option<String>,
}

fn full() -> PayKind {
    PayKind::Full
}

impl Default for Pay {
    fn default() -> Self {
        Self {
            kind: PayKind::Full,
            amount: None,
            coin: None,
        }
    }
}

fn changed(result: Result<Changed, ChangeError>) -> Response {
    match result {
        Ok(changed) => Json(json!({
            "provider": changed.provider,
            "invoice_id": changed.invoice_id,
            "lifecycle": changed.lifecycle,
            "status": changed.status,
            "paid": StringAmount::new(changed.paid),
            "delivery": changed.delivery,
        }))
        .into_response(),
        Err(e) => change_error(e),
    }
}

async fn pay(
    State(app): State<Arc<App>>,
    Path((name, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let provider = match provider(&name) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let pay: Pay = match body_or_default(&body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Some(coin) = &pay.coin {
        if let Err(e) = app.choose_coin(provider, &id, coin) {
            return change_error(e);
        }
    }
    changed(app.pay(provider, &id, pay.kind, pay.amount.map(StringAmount::get)))
}

async fn expire(State(app): State<Arc<App>>, Path((name, id)): Path<(String, String)>) -> Response {
    match provider(&name) {
        Ok(provider) => changed(app.expire(provider, &id)),
        Err(r) => r,
    }
}

async fn fail(State(app): State<Arc<App>>, Path((name, id)): Path<(String, String)>) -> Response {
    match provider(&name) {
        Ok(provider) => changed(app.fail(provider, &id)),
        Err(r) => r,
    }
}

async fn deliveries(State(app): State<Arc<App>>) -> Json<Vec<DeliveryRecord>> {
    Json(app.store().deliveries().to_vec())
}

async fn delivery(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let found = id
        .parse::<u64>()
        .ok()
        .and_then(|id| app.store().delivery(id).cloned());
    match found {
        Some(d) => Json(d).into_response(),
        None => problem(StatusCode::NOT_FOUND, &format!("no delivery {id}")),
    }
}

async fn resend(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match id
        .parse::<u64>()
        .ok()
        .and_then(|id| deliveries::resend(&app, id))
    {
        Some(new_id) => Json(json!({ "delivery": new_id, "resend_of": id })).into_response(),
        None => problem(StatusCode::NOT_FOUND, &format!("no delivery {id}")),
    }
}
