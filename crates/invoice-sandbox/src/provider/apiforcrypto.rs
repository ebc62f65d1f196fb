//! apiforcrypto (`specs/apiforcrypto.yaml`): its three operations under `/apiforcrypto`, its
//! errors, and its notifications to each invoice's `url_callback`.
//!
//! No authentication is documented: the wallet id in the path is what names the merchant.
//! Error bodies are documented only as JSON objects; the sandbox writes `{"message": ...}`.
//! A malformed request has no documented status: the sandbox answers 400. Fiat currencies are
//! at par with USD; `url_callback` gets a notification on every status change and payment,
//! resent once a (sandbox) minute up to `attempts_callback` times until it answers 200 `OK`.

use std::sync::Arc;

use apiforcrypto::types;
use apiforcrypto::types::{
    ErrorResponse, FiatAmount, Invoice as InvoiceView, InvoiceCallback, InvoiceCreateRequest,
    InvoiceData, InvoiceStatus, Wallet, WalletAccount, WalletType,
};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, TimeDelta, Utc};
use invoice_primitives::{Amount, Secret, StringAmount};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

use crate::core::app::{minutes, App};
use crate::core::deliveries::{Acceptance, Outgoing, Payload};
use crate::core::imitation::Imitation;
use crate::core::json::{Answer, Json};
use crate::core::nulls;
use crate::core::pages::payment_page_url;
use crate::core::state::{self, Invoice, Lifecycle};
use crate::provider::{documented, parse_spec};
use crate::Provider;

/// apiforcrypto's imitation.
#[derive(Debug)]
pub struct ApiForCrypto;

impl Imitation for ApiForCrypto {
    fn provider(&self) -> Provider {
        Provider::ApiForCrypto
    }

    fn router(&self) -> Router<Arc<App>> {
        router()
    }

    fn status(&self, invoice: &Invoice) -> String {
        status(invoice).as_str().to_owned()
    }

    fn notification(
        &self,
        app: &App,
        invoice: &Invoice,
        before: Lifecycle,
        new_payment: bool,
    ) -> Option<Outgoing> {
        notification(app, invoice, before, new_payment)
    }
}

/// `specs/apiforcrypto.yaml`, parsed once.
fn spec() -> &'static serde_json::Value {
    static SPEC: OnceLock<serde_json::Value> = OnceLock::new();
    SPEC.get_or_init(|| parse_spec(include_str!("../../specs/apiforcrypto.yaml")))
}

documented!(spec => [Invoice, Wallet, InvoiceCallback]);

/// The coins and tokens a sandbox wallet takes: (blockchain, symbol, contract, decimals).
const CURRENCIES: [(&str, &str, Option<&str>, &str); 6] = [
    ("bitcoin", "BTC", None, "8"),
    ("ethereum", "ETH", None, "18"),
    (
        "ethereum",
        "USDT",
        Some("0xdac17f958d2ee523a2206206994597c13d831ec7"),
        "6",
    ),
    ("tron", "TRX", None, "6"),
    (
        "tron",
        "USDT",
        Some("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
        "6",
    ),
    ("litecoin", "LTC", None, "8"),
];

/// The most resends `attempts_callback` may ask for.
const MAX_ATTEMPTS_CALLBACK: i64 = 20;

/// apiforcrypto's own data about an invoice.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Detail {
    pub wallet_id: String,
    pub blockchain: String,
    pub symbol: String,
    pub contract_address: Option<String>,
    pub fiat_currency: Option<FiatAmount>,
    /// Confirmations that make a payment complete.
    pub confirmations: i64,
    /// Sent back only in notifications.
    pub secret_key: Option<Secret>,
    pub data: Option<InvoiceData>,
}

/// The status apiforcrypto shows for an invoice.
fn status(invoice: &Invoice) -> InvoiceStatus {
    match invoice.lifecycle {
        Lifecycle::Open => InvoiceStatus::NotPaid,
        Lifecycle::Partial => InvoiceStatus::PartiallyPaid,
        Lifecycle::Paid | Lifecycle::Overpaid => InvoiceStatus::Paid,
        // An unpaid invoice "simply expires": it stays as it was, no longer active.
        Lifecycle::Expired | Lifecycle::Failed | Lifecycle::Canceled
            if invoice.payments.is_empty() =>
        {
            InvoiceStatus::NotPaid
        }
        Lifecycle::Expired | Lifecycle::Failed | Lifecycle::Canceled => {
            InvoiceStatus::PartiallyPaid
        }
    }
}

fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/wallets/{wallet_id}/invoices", post(create_invoice))
        .route("/api/v1/wallets/invoices/{uuid}", get(get_invoice))
        .route("/api/v1/wallets/{wallet_id}", get(get_wallet))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "Not found") })
}

type Reply<T> = Result<Answer<T>, Response>;

fn error(status: StatusCode, message: &str) -> Response {
    let mut body = serde_json::Map::new();
    body.insert("message".into(), message.into());
    (status, Json(ErrorResponse(body))).into_response()
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}

fn parse<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, Response> {
    if !crate::app::is_json(headers) {
        return Err(bad_request("Content-Type must be application/json"));
    }
    serde_json::from_slice(body).map_err(|e| bad_request(&format!("Invalid request: {e}")))
}

fn detail(invoice: &Invoice) -> Option<Detail> {
    invoice.detail()
}

fn wallet_exists(app: &App, wallet_id: &str) -> bool {
    app.config
        .apiforcrypto
        .wallet_ids
        .iter()
        .any(|w| w == wallet_id)
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A UUID-shaped id (version 4 layout) made from the serial.
fn uuid(serial: u64) -> String {
    let h = state::txid("apiforcrypto-invoice", serial);
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

async fn create_invoice(
    State(app): State<Arc<App>>,
    Path(wallet_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Reply<InvoiceView> {
    let body = app
        .read_body(body)
        .await
        .map_err(|_| error(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large"))?;
    app.expire_due();
    if !wallet_exists(&app, &wallet_id) {
        return Err(error(StatusCode::NOT_FOUND, "Wallet not found"));
    }
    let request: InvoiceCreateRequest = parse(&headers, &body)?;
    request.validate().map_err(|e| bad_request(&e))?;
    let Some((blockchain, symbol, contract, _)) = CURRENCIES.iter().find(|(b, s, _, _)| {
        b.eq_ignore_ascii_case(&request.blockchain) && s.eq_ignore_ascii_case(&request.symbol)
    }) else {
        return Err(error(StatusCode::FORBIDDEN, "Currency is not active"));
    };
    let value = match (request.value, &request.fiat_currency) {
        (Some(value), _) => value.get(),
        (None, Some(fiat)) => {
            let fiat_value = fiat.value.map_or(Decimal::ZERO, |v| v.get());
            // A markup (or discount) of -100 % to +1000 %: beyond that it is a typo.
            let percent = fiat.percent.unwrap_or(0);
            if !(-100..=1000).contains(&percent) {
                return Err(bad_request(
                    "fiatCurrency.percent must be from -100 to 1000",
                ));
            }
            if !state::acceptable_amount(fiat_value) {
                return Err(bad_request(&format!(
                    "fiatCurrency.value must be above 0 and at most {}",
                    state::MAX_AMOUNT
                )));
            }
            let markup = Decimal::ONE + Decimal::from(percent) / Decimal::ONE_HUNDRED;
            state::convert(fiat_value * markup, "USD", symbol)
        }
        (None, None) => Decimal::ZERO,
    };
    if !state::acceptable_amount(value) {
        return Err(bad_request(&format!(
            "The invoice amount must be above 0 and at most {}",
            state::MAX_AMOUNT
        )));
    }
    let now = app.clock.now();
    let invoice = {
        let mut store = app.store();
        let serial = store.next_unique();
        let id = uuid(serial);
        let invoice = Invoice {
            provider: Provider::ApiForCrypto,
            address: state::address(if *blockchain == "tron" { "TRX" } else { symbol }, &id),
            id,
            amount: value,
            pay_currency: (*symbol).to_owned(),
            created: now,
            expires: now + TimeDelta::minutes(request.expiry.get()),
            payments: Vec::new(),
            lifecycle: Lifecycle::Open,
            finished: None,
            quoted: request.fiat_currency.as_ref().and_then(|f| {
                let value = f.value?;
                Some(format!(
                    "{value} {}",
                    f.currency.as_deref().unwrap_or("USD")
                ))
            }),
            title: request
                .data
                .as_ref()
                .and_then(|d| d.title.clone().or_else(|| d.order_id.clone()))
                .unwrap_or_else(|| "Invoice".into()),
            reference: None,
            detail: serde_json::to_value(Detail {
                wallet_id,
                blockchain: (*blockchain).to_owned(),
                symbol: (*symbol).to_owned(),
                contract_address: contract.map(str::to_owned),
                fiat_currency: request.fiat_currency.clone(),
                confirmations: request.confirmations.get(),
                secret_key: request.secret_key.clone(),
                data: request.data.clone(),
            })
            .unwrap_or_default(),
        };
        store.insert(invoice.clone());
        invoice
    };
    let mut view = view(&invoice);
    view.url_pay = Some(payment_page_url(
        &app.root_url,
        Provider::ApiForCrypto,
        &invoice.id,
    ));
    Ok(Answer(view))
}

async fn get_invoice(State(app): State<Arc<App>>, Path(uuid): Path<String>) -> Reply<InvoiceView> {
    app.expire_due();
    let store = app.store();
    let invoice = store
        .get(Provider::ApiForCrypto, &uuid)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Invoice not found"))?;
    Ok(Answer(view(invoice)))
}

async fn get_wallet(State(app): State<Arc<App>>, Path(wallet_id): Path<String>) -> Reply<Wallet> {
    app.expire_due();
    if !wallet_exists(&app, &wallet_id) {
        return Err(error(StatusCode::NOT_FOUND, "Wallet not found"));
    }
    let store = app.store();
    let mut total = Decimal::ZERO;
    let accounts = CURRENCIES
        .iter()
        .map(|(blockchain, symbol, contract, decimals)| {
            let balance: Decimal = store
                .of(Provider::ApiForCrypto)
                .filter(|i| {
                    detail(i).is_some_and(|d| {
                        d.wallet_id == wallet_id
                            && d.blockchain == *blockchain
                            && d.symbol == *symbol
                    })
                })
                .map(Invoice::paid)
                .sum();
            let rate = state::usd_rate(symbol);
            let fiat = cents(balance * rate);
            total += fiat;
            WalletAccount {
                active: true,
                blockchain: (*blockchain).to_owned(),
                contract_address: contract.map(str::to_owned),
                currency: (*symbol).to_owned(),
                decimal: (*decimals).to_owned(),
                decimal_balance: StringAmount::new(balance),
                fiat_balance: StringAmount::new(fiat),
                fiat_currency: "USD".into(),
                rate: StringAmount::new(cents(rate)),
                symbol: (*symbol).to_owned(),
            }
        })
        .collect();
    Ok(Answer(Wallet {
        accounts,
        // The sum of the accounts' fiat balances (the spec's example's reading).
        balance: StringAmount::new(total),
        created: time(app.clock.now() - TimeDelta::days(30)),
        id: wallet_id,
        name: app.config.apiforcrypto.wallet_name.clone(),
        type_: WalletType::Invoice,
    }))
}

/// A fiat amount, written with two decimals (`"1250.50"`).
fn cents(amount: Decimal) -> Decimal {
    let mut amount = amount.round_dp(2);
    amount.rescale(2);
    amount
}

/// The invoice's public information: not its wallet id, secret key or `url_callback`.
fn view(invoice: &Invoice) -> InvoiceView {
    let d = detail(invoice);
    let d = d.as_ref();
    let data = d.and_then(|d| d.data.clone()).map(|mut data| {
        data.url_callback = None;
        data
    });
    InvoiceView {
        active: !invoice.lifecycle.is_final(),
        address: invoice.address.clone(),
        blockchain: d.map(|d| d.blockchain.clone()).unwrap_or_default(),
        confirmations: confirmations(invoice),
        contract_address: d.and_then(|d| d.contract_address.clone()),
        created: time(invoice.created),
        data,
        expiry: time(invoice.expires),
        fiat_currency: d.and_then(|d| d.fiat_currency.clone()),
        id: invoice.id.clone(),
        status: status(invoice),
        symbol: invoice.pay_currency.clone(),
        txs: Some(invoice.payments.iter().map(|p| p.txid.clone()).collect()),
        url_pay: None,
        value: Amount::new(invoice.amount),
    }
}

/// A sandbox payment arrives with the confirmations it needs.
fn confirmations(invoice: &Invoice) -> i64 {
    if invoice.payments.is_empty() {
        0
    } else {
        detail(invoice).map_or(1, |d| d.confirmations.max(1))
    }
}

/// The notification for this change, if one goes out: to the invoice's `url_callback`, on a
/// status change or a payment, with the invoice's `secret_key`.
fn notification(
    app: &App,
    invoice: &Invoice,
    before: Lifecycle,
    new_payment: bool,
) -> Option<Outgoing> {
    let d = detail(invoice)?;
    let data = d.data.clone()?;
    let url = data.url_callback.clone()?;
    let before_status = status(&Invoice {
        lifecycle: before,
        ..invoice.clone()
    });
    let new_status = status(invoice);
    if before_status == new_status && !new_payment {
        return None;
    }
    let view = view(invoice);
    let callback = InvoiceCallback {
        active: Some(view.active),
        address: Some(view.address),
        blockchain: Some(view.blockchain),
        confirmations: Some(view.confirmations),
        contract_address: view.contract_address,
        created: Some(view.created),
        data: Some(data.clone()),
        expiry: Some(view.expiry),
        fiat_currency: view.fiat_currency,
        id: view.id,
        secret_key: None,
        status: new_status.clone(),
        symbol: Some(view.symbol),
        txs: view.txs,
        value: Some(view.value),
        extra: serde_json::Map::new(),
    };
    // The notification carries its key in the body, not a signature over it: nulls can be
    // added after signing.
    let payload = match &d.secret_key {
        Some(key) => {
            let mut delivery =
                invoice_webhooks::apiforcrypto::Signer::new(key.clone()).sign(&callback);
            delivery.body = nulls::fill::<InvoiceCallback>(delivery.body);
            Payload::fixed(&delivery.headers, delivery.body)
        }
        None => Payload::json(nulls::fill::<InvoiceCallback>(
            invoice_primitives::wire::to_vec(&callback).ok()?,
        )),
    };
    let resends = data
        .attempts_callback
        .unwrap_or(i64::from(app.config.apiforcrypto.default_attempts_callback))
        .clamp(0, MAX_ATTEMPTS_CALLBACK);
    Some(Outgoing {
        url,
        event: new_status.as_str().to_owned(),
        payload,
        // "Resent once a minute until your server answers HTTP 200 "OK"".
        retry_delays: (0..resends).map(|_| minutes(1)).collect(),
        acceptance: Acceptance::Status200BodyOk,
    })
}
