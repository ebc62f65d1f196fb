//! CryptoCloud (`specs/cryptocloud.yaml`): its eight operations under `/cryptocloud`, its
//! errors, and its postbacks.
//!
//! What the sandbox decides where the docs are silent: every fiat currency is at par with USD;
//! an invoice is in USDT_TRC20 unless `add_fields.cryptocurrency` names another; fees are zero;
//! invoices are `test_mode` ones. Postbacks go out only when an invoice becomes paid or
//! overpaid ("only successful payments are notified", more-pages.md 1.6).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, TimeDelta, Utc};
use cryptocloud::types;
use cryptocloud::types::{
    Balance, BalanceResponse, CancelResult, CommissionSide, CreatedInvoice, CryptoCurrencyCode,
    Currency, ErrorResponse, FiatCurrency, FullCurrencyCode, Invoice as InvoiceView,
    InvoiceCancelRequest, InvoiceCancelResponse, InvoiceCreateRequest, InvoiceCreateResponse,
    InvoiceInfoRequest, InvoiceInfoResponse, InvoiceListRequest, InvoiceListResponse,
    InvoiceStatus, InvoiceUuid, Network, Postback, PostbackStatus, Project,
    StaticWallet as StaticWalletView, StaticWalletCreateRequest, StaticWalletCreateResponse,
    Statistics, StatisticsAmount, StatisticsCount, StatisticsRequest, StatisticsResponse,
    WalletCurrency, Withdrawal, WithdrawalCreateRequest, WithdrawalCreateResponse,
    WithdrawalInResult, WithdrawalStatus,
};
use invoice_primitives::{Amount, MaybeText, Timestamp};
use invoice_webhooks::Secret;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use subtle::ConstantTimeEq;

use crate::config::PostbackFormat;
use crate::core::app::{minutes, App, ChangeError};
use crate::core::deliveries::{Acceptance, Outgoing, Payload};
use crate::core::imitation::Imitation;
use crate::core::json::{Answer, Json};
use crate::core::pages::payment_page_url;
use crate::core::state::{self, Invoice, Lifecycle};
use crate::provider::{documented, parse_spec};
use crate::Provider;

/// CryptoCloud's imitation.
#[derive(Debug)]
pub struct CryptoCloud;

impl Imitation for CryptoCloud {
    fn provider(&self) -> Provider {
        Provider::CryptoCloud
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

    /// A postback is signed afresh for every attempt: its token is valid five minutes from
    /// signing and "issued afresh for each notification".
    fn sign_attempt(
        &self,
        app: &App,
        data: &serde_json::Value,
    ) -> Option<(http::HeaderMap, Vec<u8>)> {
        let data = PostbackData::deserialize(data).ok()?;
        let postback: Postback = serde_json::from_str(&data.postback).ok()?;
        let signer = invoice_webhooks::cryptocloud::Signer::new(Secret::new(
            app.config.cryptocloud.secret_key.clone(),
        ));
        Some(match data.format {
            // The token signs the invoice id, not the body: nulls are added after.
            PostbackFormat::Json => {
                let delivery = signer.sign(&postback);
                let body = crate::core::nulls::fill::<Postback>(delivery.body);
                (delivery.headers, body)
            }
            // A form leaves out what is null.
            PostbackFormat::Form => {
                let delivery = signer.sign_form(&postback);
                (delivery.headers, delivery.body)
            }
        })
    }
}

/// A postback as kept until each attempt signs it: the postback as CryptoCloud writes it, and
/// the project's format.
#[derive(Serialize, Deserialize)]
struct PostbackData {
    postback: String,
    format: PostbackFormat,
}

/// `specs/cryptocloud.yaml`, parsed once.
fn spec() -> &'static serde_json::Value {
    static SPEC: OnceLock<serde_json::Value> = OnceLock::new();
    SPEC.get_or_init(|| parse_spec(include_str!("../../specs/cryptocloud.yaml")))
}

documented!(spec => [
    InvoiceCreateResponse, InvoiceListResponse, InvoiceInfoResponse, InvoiceCancelResponse,
    BalanceResponse, StatisticsResponse, StaticWalletCreateResponse,
    WithdrawalCreateResponse, Postback,
]);

/// A static wallet, kept as a record of kind [`STATIC_WALLET`].
#[derive(Clone, Debug, Serialize, Deserialize)]
struct StaticWallet {
    uuid: String,
    currency: String,
    address: String,
}

const STATIC_WALLET: &str = "static_wallet";

/// A withdrawal, kept as a record of kind [`WITHDRAWAL`].
#[derive(Clone, Debug, Serialize, Deserialize)]
struct WithdrawalRecord {
    currency: String,
    #[serde(with = "state::exact")]
    amount: Decimal,
    at: DateTime<Utc>,
}

const WITHDRAWAL: &str = "withdrawal";

fn withdrawals(store: &state::Store) -> impl Iterator<Item = WithdrawalRecord> + '_ {
    store
        .records(Provider::CryptoCloud, WITHDRAWAL)
        .filter_map(|v| WithdrawalRecord::deserialize(v).ok())
}

/// Waits before each postback retry. CryptoCloud documents no retries (more-pages.md 1.6:
/// "Retries, expected response code, source IPs: not documented"); the sandbox retries four
/// times, after 1, 5, 15 and 60 minutes, so a receiver's retry handling can be tested.
const RETRY_MINUTES: [i64; 4] = [1, 5, 15, 60];

/// How long an invoice waits for payment unless `add_fields.time_to_pay` says otherwise: 24
/// hours, as the create page's example (created 12:00, expiry 12:00 next day).
const DEFAULT_TIME_TO_PAY: TimeDelta = TimeDelta::hours(24);

/// The least time between two withdrawals (the withdrawal page's 12 seconds).
const WITHDRAWAL_INTERVAL: TimeDelta = TimeDelta::seconds(12);

/// CryptoCloud's own data about an invoice.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Detail {
    pub order_id: Option<String>,
    pub email: Option<String>,
    pub fiat_currency: FiatCurrency,
    #[serde(with = "state::exact")]
    pub amount_in_fiat: Decimal,
    /// The payment cryptocurrency (`USDT_TRC20` unless chosen at creation).
    pub crypto: CryptoCurrencyCode,
    /// Whether it was chosen at creation: only then does the API show the address.
    pub crypto_chosen: bool,
}

/// The status CryptoCloud shows for an invoice.
fn status(invoice: &Invoice) -> InvoiceStatus {
    match invoice.lifecycle {
        Lifecycle::Open => InvoiceStatus::Created,
        Lifecycle::Partial => InvoiceStatus::Partial,
        Lifecycle::Paid => InvoiceStatus::Paid,
        Lifecycle::Overpaid => InvoiceStatus::Overpaid,
        // "After the expiration time, the invoice status will change to canceled if payment
        // has not been received" (invoice-info page): an invoice paid in part stays `partial`
        // (the sandbox README says why).
        Lifecycle::Expired if !invoice.payments.is_empty() => InvoiceStatus::Partial,
        Lifecycle::Expired | Lifecycle::Failed | Lifecycle::Canceled => InvoiceStatus::Canceled,
    }
}

fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/v2/invoice/create", post(create_invoice))
        .route("/v2/invoice/merchant/list", post(list_invoices))
        .route("/v2/invoice/merchant/info", post(get_invoices))
        .route("/v2/invoice/merchant/canceled", post(cancel_invoice))
        .route("/v2/merchant/wallet/balance/all", post(get_balance))
        .route("/v2/invoice/merchant/statistics", post(get_statistics))
        .route("/v2/invoice/static/create", post(create_static_wallet))
        .route("/v2/invoice/api/out/create", post(create_withdrawal))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "validate_error", "Not found") })
}

type Reply<T> = Result<Answer<T>, Response>;

/// The error envelope of validation errors: `{"status": "error", "result": {key: message}}`.
fn error(status: StatusCode, key: &str, message: &str) -> Response {
    let mut result = serde_json::Map::new();
    result.insert(key.to_owned(), message.into());
    let body = ErrorResponse {
        detail: None,
        result,
        status: Some("error".into()),
    };
    (status, Json(body)).into_response()
}

fn validation(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "validate_error", message)
}

/// Checks `Authorization: Token <key>`: no token at all gets the authorization page's 400,
/// a wrong one the 401 `detail` a forged JWT gets.
fn authenticate(headers: &HeaderMap, key: &str) -> Result<(), Response> {
    let token = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Token "))
        .ok_or_else(|| {
            error(
                StatusCode::BAD_REQUEST,
                "authorization",
                "Unauthorized request.",
            )
        })?;
    if bool::from(token.as_bytes().ct_eq(key.as_bytes())) {
        Ok(())
    } else {
        let body = ErrorResponse {
            detail: Some("Signature verification failed".into()),
            ..ErrorResponse::default()
        };
        Err((StatusCode::UNAUTHORIZED, Json(body)).into_response())
    }
}

/// Reads the body (capped), expires what is due, and checks the key.
async fn begin(
    app: &Arc<App>,
    headers: &HeaderMap,
    body: Body,
    key: &str,
) -> Result<Vec<u8>, Response> {
    let body = app.read_body(body).await.map_err(|_| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "validate_error",
            "Request body too large",
        )
    })?;
    authenticate(headers, key)?;
    app.expire_due();
    Ok(body.to_vec())
}

/// A JSON body as `T`: another content type, malformed JSON or a field of the wrong type is
/// a validation error naming the problem.
fn parse<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, Response> {
    if !crate::app::is_json(headers) {
        return Err(validation("Content-Type must be application/json"));
    }
    serde_json::from_slice(body).map_err(|e| {
        let text = e.to_string();
        // The cancel page's own message for a missing `uuid`.
        if text.contains("missing field `uuid`") {
            validation("uuid is required")
        } else {
            validation(&format!("Invalid request: {text}"))
        }
    })
}

fn detail(invoice: &Invoice) -> Option<Detail> {
    invoice.detail()
}

/// The identifier with its prefix, as the sandbox keys invoices (`INV-…`).
fn full_id(id: &str) -> String {
    format!(
        "{}{}",
        cryptocloud::invoice_id::PREFIX,
        cryptocloud::invoice_id::bare(id)
    )
}

async fn create_invoice(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<InvoiceCreateResponse> {
    let config = &app.config.cryptocloud;
    let body = begin(&app, &headers, body, &config.api_key).await?;
    let request: InvoiceCreateRequest = parse(&headers, &body)?;
    if !bool::from(request.shop_id.as_bytes().ct_eq(config.shop_id.as_bytes())) {
        return Err(validation("Project not found: check shop_id"));
    }
    let amount_in_fiat = request.amount.get();
    if !state::acceptable_amount(amount_in_fiat) {
        return Err(validation(&format!(
            "amount must be greater than 0 and at most {}",
            state::MAX_AMOUNT
        )));
    }
    let fiat_currency = request.currency.clone().unwrap_or(FiatCurrency::Usd);
    // The create page lists the currencies an invoice is created in ("Available currencies
    // for conversion: USD, UZS, …, EUR, GBP") and the payment currencies; any other is refused
    // with the error envelope's `validate_error` (more-pages.md 1.0).
    if !fiat_currency.is_known() {
        return Err(validation(&format!(
            "currency {fiat_currency} is not available for conversion"
        )));
    }
    let add_fields = request.add_fields.clone().unwrap_or_default();
    if let Some(code) = add_fields.cryptocurrency.as_ref().filter(|c| !c.is_known()) {
        return Err(validation(&format!(
            "cryptocurrency {code} is not available"
        )));
    }
    let (crypto, crypto_chosen) = match add_fields.cryptocurrency {
        Some(code) => (code, true),
        None => (CryptoCurrencyCode::UsdtTrc20, false),
    };
    let time_to_pay = add_fields
        .time_to_pay
        .map(|t| {
            TimeDelta::hours(t.hours.map_or(0, |h| h.get().min(24 * 365)))
                + TimeDelta::minutes(t.minutes.map_or(0, |m| m.get().min(60 * 24 * 365)))
        })
        .filter(|span| *span > TimeDelta::zero())
        .unwrap_or(DEFAULT_TIME_TO_PAY);

    let now = app.clock.now();
    let invoice = {
        let mut store = app.store();
        let serial = store.next_unique();
        // A bijection of the serial (the multiplier is prime to 36), so ids look random.
        let id = format!(
            "INV-{}",
            state::base36(serial.wrapping_mul(2_654_435_761) % 36u64.pow(8), 8)
        );
        let amount = state::convert(amount_in_fiat, "USD", crypto.as_str());
        if amount <= Decimal::ZERO {
            return Err(validation("amount is too small for the payment currency"));
        }
        let invoice = Invoice {
            provider: Provider::CryptoCloud,
            address: state::address(crypto.as_str(), &id),
            id,
            amount,
            pay_currency: crypto.as_str().to_owned(),
            created: now,
            expires: now + time_to_pay,
            payments: Vec::new(),
            lifecycle: Lifecycle::Open,
            finished: None,
            quoted: Some(format!("{amount_in_fiat} {fiat_currency}")),
            title: request
                .order_id
                .as_ref()
                .map_or_else(|| config.project_name.clone(), |o| format!("Order {o}")),
            reference: None,
            detail: serde_json::to_value(Detail {
                order_id: request.order_id.clone(),
                email: request.email.clone(),
                fiat_currency: fiat_currency.clone(),
                amount_in_fiat,
                crypto: crypto.clone(),
                crypto_chosen,
            })
            .unwrap_or_default(),
        };
        store.insert(invoice.clone());
        invoice
    };
    let view = view(&app, &invoice, View::Info);
    Ok(Answer(InvoiceCreateResponse {
        status: "success".into(),
        result: CreatedInvoice {
            address: view.address,
            amount: view.amount,
            amount_in_fiat: view.amount_in_fiat,
            amount_usd: view.amount_usd,
            created: view.created,
            currency: view.currency,
            expiry_date: view.expiry_date,
            fee: view.fee,
            fee_usd: view.fee_usd,
            fiat_currency,
            invoice_id: None,
            is_email_required: false,
            link: view.link.unwrap_or_default(),
            project: view.project,
            service_fee: view.service_fee,
            service_fee_usd: view.service_fee_usd,
            side_commission: CommissionSide::Client,
            side_commission_cc: CommissionSide::Client,
            status: InvoiceStatus::Created,
            test_mode: true,
            type_payments: "crypto".into(),
            uuid: view.uuid,
        },
    }))
}

async fn list_invoices(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<InvoiceListResponse> {
    let body = begin(&app, &headers, body, &app.config.cryptocloud.api_key).await?;
    let request: InvoiceListRequest = parse(&headers, &body)?;
    // `limit` is the number of the last record (end index), not a count: the spec's rule.
    request.validate().map_err(|e| validation(&e))?;
    let (start, end) = (request.start.get(), request.end.get());
    let store = app.store();
    let mut period: Vec<&Invoice> = store
        .of(Provider::CryptoCloud)
        .filter(|i| (start..=end).contains(&i.created.date_naive()))
        .collect();
    // Newest first, as a dashboard lists them.
    period.reverse();
    let offset = usize::try_from(request.offset.get()).unwrap_or(usize::MAX);
    let limit = usize::try_from(request.limit.get()).unwrap_or(usize::MAX);
    let result = period
        .iter()
        .skip(offset)
        .take(limit.saturating_sub(offset))
        .map(|i| view(&app, i, View::List))
        .collect();
    Ok(Answer(InvoiceListResponse {
        all_count: period.len() as i64,
        result,
        status: "success".into(),
    }))
}

async fn get_invoices(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<InvoiceInfoResponse> {
    let body = begin(&app, &headers, body, &app.config.cryptocloud.api_key).await?;
    let request: InvoiceInfoRequest = parse(&headers, &body)?;
    let store = app.store();
    let result = request
        .uuids
        .iter()
        .filter_map(|uuid| store.get(Provider::CryptoCloud, &full_id(uuid)))
        .map(|i| view(&app, i, View::Info))
        .collect();
    Ok(Answer(InvoiceInfoResponse {
        result,
        status: "success".into(),
    }))
}

async fn cancel_invoice(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<InvoiceCancelResponse> {
    let body = begin(&app, &headers, body, &app.config.cryptocloud.api_key).await?;
    let request: InvoiceCancelRequest = parse(&headers, &body)?;
    let id = full_id(&request.uuid);
    app.change(Provider::CryptoCloud, &id, |invoice, _| {
        if invoice.lifecycle != Lifecycle::Open {
            return Err(ChangeError::Conflict(String::new()));
        }
        invoice.lifecycle = Lifecycle::Canceled;
        Ok(false)
    })
    .map_err(|e| match e {
        ChangeError::NotFound(_) => validation("Invoice not found"),
        // The page's words for any status but `created`.
        _ => validation("Invoice is not created"),
    })?;
    Ok(Answer(InvoiceCancelResponse {
        result: CancelResult::Array(vec!["ok".into()]),
        status: "success".into(),
    }))
}

async fn get_balance(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<BalanceResponse> {
    begin(&app, &headers, body, &app.config.cryptocloud.api_key).await?;
    let balances = balances(&app);
    let result = balances
        .into_iter()
        .map(|(code, balance)| {
            let usd = (balance * state::usd_rate(&code)).round_dp(2);
            Balance {
                available_balance: Amount::new(balance),
                available_balance_usd: Amount::new(usd),
                balance_crypto: Amount::new(balance),
                balance_usd: Amount::new(usd),
                currency: wallet_currency(&code),
            }
        })
        .collect();
    Ok(Answer(BalanceResponse {
        result,
        status: "success".into(),
    }))
}

/// What each currency holds: every payment received, less withdrawals; the usual coins are
/// listed even when empty.
fn balances(app: &App) -> Vec<(String, Decimal)> {
    let mut out: Vec<(String, Decimal)> = ["USDT_TRC20", "BTC", "ETH", "LTC"]
        .iter()
        .map(|c| ((*c).to_owned(), Decimal::ZERO))
        .collect();
    let store = app.store();
    let mut add = |code: &str, amount: Decimal| match out.iter_mut().find(|(c, _)| c == code) {
        Some((_, total)) => *total += amount,
        None => out.push((code.to_owned(), amount)),
    };
    for invoice in store.of(Provider::CryptoCloud) {
        add(&invoice.pay_currency, invoice.paid());
    }
    for withdrawal in withdrawals(&store) {
        add(&withdrawal.currency, -withdrawal.amount);
    }
    out
}

async fn get_statistics(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<StatisticsResponse> {
    let body = begin(&app, &headers, body, &app.config.cryptocloud.api_key).await?;
    let request: StatisticsRequest = parse(&headers, &body)?;
    request.validate().map_err(|e| validation(&e))?;
    let (start, end) = (request.start.get(), request.end.get());
    let mut count = [0i64; 5];
    let mut sum = [Decimal::ZERO; 5];
    let store = app.store();
    for invoice in store
        .of(Provider::CryptoCloud)
        .filter(|i| (start..=end).contains(&i.created.date_naive()))
    {
        let bucket = match status(invoice) {
            InvoiceStatus::Paid => 1,
            InvoiceStatus::Overpaid => 2,
            InvoiceStatus::Partial => 3,
            InvoiceStatus::Canceled => 4,
            _ => 0,
        };
        count[bucket] += 1;
        sum[bucket] += detail(invoice).map_or(Decimal::ZERO, |d| d.amount_in_fiat);
    }
    let amount = |d: Decimal| Amount::new(d);
    Ok(Answer(StatisticsResponse {
        status: "success".into(),
        result: Statistics {
            count: StatisticsCount {
                all: count.iter().sum(),
                created: count[0],
                paid: count[1],
                overpaid: count[2],
                partial: count[3],
                canceled: count[4],
            },
            amount: StatisticsAmount {
                all: amount(sum.iter().copied().sum()),
                created: amount(sum[0]),
                paid: amount(sum[1]),
                overpaid: amount(sum[2]),
                partial: amount(sum[3]),
                canceled: amount(sum[4]),
            },
        },
    }))
}

async fn create_static_wallet(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<StaticWalletCreateResponse> {
    let config = &app.config.cryptocloud;
    let body = begin(&app, &headers, body, &config.api_key).await?;
    let request: StaticWalletCreateRequest = parse(&headers, &body)?;
    if !bool::from(request.shop_id.as_bytes().ct_eq(config.shop_id.as_bytes())) {
        return Err(validation("Project not found: check shop_id"));
    }
    if request.identify.trim().is_empty() {
        return Err(validation("identify is required"));
    }
    let wallet = {
        let mut store = app.store();
        let serial = store.next_unique();
        let uuid = state::txid("static-wallet", serial)[..32].to_ascii_uppercase();
        let code = request.currency.as_str().to_owned();
        let wallet = StaticWallet {
            address: state::address(&code, &uuid),
            uuid,
            currency: code,
        };
        store.add_record(
            Provider::CryptoCloud,
            STATIC_WALLET,
            serde_json::to_value(&wallet).unwrap_or_default(),
        );
        wallet
    };
    Ok(Answer(StaticWalletCreateResponse {
        status: "success".into(),
        result: StaticWalletView {
            address: wallet.address,
            currency: wallet_currency(&wallet.currency),
            uuid: wallet.uuid,
        },
    }))
}

async fn create_withdrawal(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<WithdrawalCreateResponse> {
    // Only the withdrawal key opens this one; the project's API key is refused.
    let body = begin(&app, &headers, body, &app.config.cryptocloud.withdrawal_key).await?;
    let request: WithdrawalCreateRequest = parse(&headers, &body)?;
    let refuse = |key: &str, message: &str| error(StatusCode::BAD_REQUEST, key, message);
    if !request.currency_code.is_known() {
        return Err(refuse(
            "currency_code",
            "Unsupported or invalid currency code",
        ));
    }
    let code = request.currency_code.as_str().to_owned();
    if request.to_address.trim().is_empty() {
        return Err(refuse("network", "Invalid recipient address format"));
    }
    let amount = request.amount.get();
    let available = balances(&app)
        .into_iter()
        .find(|(c, _)| *c == code)
        .map_or(Decimal::ZERO, |(_, b)| b);
    if amount <= Decimal::ZERO || amount > available {
        return Err(refuse(
            "uncorrected_amount",
            &format!("Amount is too small, too large or malformed (available: {available} {code})"),
        ));
    }
    let now = app.clock.now();
    let mut store = app.store();
    if withdrawals(&store)
        .last()
        .is_some_and(|w| now - w.at < WITHDRAWAL_INTERVAL)
    {
        return Err(refuse("rate_limit", "Request limit per minute exceeded"));
    }
    let record = WithdrawalRecord {
        currency: code,
        amount,
        at: now,
    };
    store.add_record(
        Provider::CryptoCloud,
        WITHDRAWAL,
        serde_json::to_value(&record).unwrap_or_default(),
    );
    let serial = store.next_unique();
    Ok(Answer(WithdrawalCreateResponse::Result(
        WithdrawalInResult {
            status: "success".into(),
            result: Withdrawal {
                amount: request.amount,
                currency: request.currency_code,
                invoice_id: format!(
                    "INV-{}",
                    state::base36(serial.wrapping_mul(2_654_435_761) % 36u64.pow(8), 8)
                ),
                status: WithdrawalStatus::Created,
            },
        },
    )))
}

/// The two shapes of an invoice: the list's carries `tx_list` and `type`, which information
/// responses lack.
#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    List,
    Info,
}

/// An invoice as the list and information endpoints show it.
fn view(app: &App, invoice: &Invoice, shape: View) -> InvoiceView {
    let d = detail(invoice).unwrap_or(Detail {
        order_id: None,
        email: None,
        fiat_currency: FiatCurrency::Usd,
        amount_in_fiat: Decimal::ZERO,
        crypto: CryptoCurrencyCode::UsdtTrc20,
        crypto_chosen: false,
    });
    let rate = state::usd_rate(&invoice.pay_currency);
    let usd = |crypto: Decimal| Amount::new((crypto * rate).round_dp(2));
    let paid = invoice.paid();
    let link = payment_page_url(&app.root_url, Provider::CryptoCloud, &invoice.id);
    let zero = Amount::new(Decimal::ZERO);
    InvoiceView {
        address: if d.crypto_chosen {
            invoice.address.clone()
        } else {
            String::new()
        },
        amount: Amount::new(invoice.amount),
        amount_in_crypto: d.crypto_chosen.then(|| Amount::new(invoice.amount)),
        amount_in_fiat: Amount::new(d.amount_in_fiat),
        amount_paid: Some(Amount::new(paid)),
        amount_paid_usd: Some(usd(paid)),
        amount_to_pay: Some(Amount::new(invoice.amount)),
        amount_to_pay_usd: Some(Amount::new(d.amount_in_fiat)),
        amount_usd: Amount::new(d.amount_in_fiat),
        created: timestamp(invoice.created),
        currency: currency(&d.crypto),
        date_finished: invoice.finished.map(timestamp),
        expiry_date: timestamp(invoice.expires),
        fee: zero,
        fee_usd: zero,
        fiat_currency: Some(d.fiat_currency.clone()),
        is_email_required: false,
        link: Some(link.clone()),
        order_id: d.order_id,
        pay_url: Some(MaybeText::from(link.clone())),
        phone: Some(String::new()),
        project: Project {
            fail: link.clone(),
            id: app.config.cryptocloud.project_id,
            logo: MaybeText::from(None),
            name: app.config.cryptocloud.project_name.clone(),
            success: link,
        },
        received: Amount::new(paid),
        received_usd: usd(paid),
        service_fee: zero,
        service_fee_usd: zero,
        side_commission: CommissionSide::Client,
        side_commission_cc: CommissionSide::Client,
        status: status(invoice),
        test_mode: true,
        to_surcharge: Amount::new(invoice.remaining()),
        to_surcharge_usd: usd(invoice.remaining()),
        tx_list: (shape == View::List).then(|| {
            invoice
                .payments
                .iter()
                .map(|p| serde_json::Value::String(p.txid.clone()))
                .collect()
        }),
        type_: (shape == View::List).then(|| "up".to_owned()),
        type_payments: Some("crypto".into()),
        user_email: Some(d.email.clone().unwrap_or_default()),
        uuid: InvoiceUuid(invoice.id.clone()),
    }
}

fn timestamp(t: DateTime<Utc>) -> Timestamp {
    Timestamp::from(t)
}

/// What the sandbox knows of a payment currency: coin, name, network, ids.
struct Coin {
    short: String,
    name: String,
    network: String,
    network_name: String,
    id: i64,
    stablecoin: bool,
}

fn coin(code: &str) -> Coin {
    let c =
        |short: &str, name: &str, network: &str, network_name: &str, id: i64, stable: bool| Coin {
            short: short.into(),
            name: name.into(),
            network: network.into(),
            network_name: network_name.into(),
            id,
            stablecoin: stable,
        };
    match code {
        "USDT_TRC20" => c("USDT", "Tether", "TRC20", "Tron", 4, true),
        "USDC_TRC20" => c("USDC", "USD Coin", "TRC20", "Tron", 10, true),
        "TUSD_TRC20" => c("TUSD", "TrueUSD", "TRC20", "Tron", 11, true),
        "USDT_ERC20" => c("USDT", "Tether", "ERC20", "Ethereum", 5, true),
        "USDC_ERC20" => c("USDC", "USD Coin", "ERC20", "Ethereum", 12, true),
        "TUSD_ERC20" => c("TUSD", "TrueUSD", "ERC20", "Ethereum", 13, true),
        "BTC" => c("BTC", "Bitcoin", "BTC", "Bitcoin", 1, false),
        "LTC" => c("LTC", "Litecoin", "LTC", "Litecoin", 2, false),
        "ETH" => c("ETH", "Ethereum", "ERC20", "Ethereum", 3, false),
        other => {
            let short = other.split('_').next().unwrap_or(other);
            let network = other.split('_').nth(1).unwrap_or(short);
            c(short, short, network, network, 99, false)
        }
    }
}

fn icon(kind: &str, short: &str) -> String {
    format!(
        "https://cdn.cryptocloud.plus/currency/icons/{kind}/{}.svg",
        short.to_ascii_lowercase()
    )
}

fn network(coin: &Coin) -> Network {
    Network {
        code: coin.network.clone(),
        fullname: coin.network_name.clone(),
        icon: format!(
            "https://cdn.cryptocloud.plus/currency/crypto/{}.svg",
            coin.network
        ),
        id: coin.id,
    }
}

/// An invoice's currency object.
fn currency(code: &CryptoCurrencyCode) -> Currency {
    let coin = coin(code.as_str());
    Currency {
        code: coin.short.clone(),
        fullcode: code.clone(),
        icon_base: icon("main", &coin.short),
        icon_network: format!(
            "https://cdn.cryptocloud.plus/icons-currency/{}.svg",
            code.as_str().replace('_', "-")
        ),
        icon_qr: icon("stroke", &coin.short),
        id: coin.id,
        is_email_required: false,
        name: coin.name.clone(),
        network: network(&coin),
        order: coin.id,
        stablecoin: coin.stablecoin,
    }
}

/// A currency as the balance and static-wallet endpoints describe it.
fn wallet_currency(code: &str) -> WalletCurrency {
    let coin = coin(code);
    WalletCurrency {
        code: FullCurrencyCode::from(code),
        enable: true,
        icon_base: icon("main", &coin.short),
        icon_network: MaybeText::from(format!(
            "https://cdn.cryptocloud.plus/icons-currency/{}.svg",
            code.replace('_', "-")
        )),
        icon_qr: icon("stroke", &coin.short),
        id: coin.id,
        is_email_required: false,
        name: coin.name.clone(),
        obj_network: network(&coin),
        order: coin.id,
        short_code: coin.short,
        stablecoin: coin.stablecoin,
    }
}

/// The postback for this change, if CryptoCloud sends one: only when the invoice becomes paid
/// or overpaid, to the project's notification URL.
fn notification(
    app: &App,
    invoice: &Invoice,
    before: Lifecycle,
    new_payment: bool,
) -> Option<Outgoing> {
    let config = &app.config.cryptocloud;
    let url = config.postback_url.clone()?;
    if !invoice.lifecycle.is_paid() || (before == invoice.lifecycle && !new_payment) {
        return None;
    }
    let d = detail(invoice)?;
    let postback = Postback {
        amount_crypto: Some(Amount::new(invoice.paid())),
        currency: Some(d.crypto.clone()),
        invoice_id: cryptocloud::invoice_id::bare(&invoice.id).to_owned(),
        invoice_info: Some(view(app, invoice, View::Info)),
        order_id: d.order_id.clone(),
        status: PostbackStatus::Success,
        // Replaced by a fresh token on every attempt.
        token: String::new(),
    };
    Some(Outgoing {
        url,
        event: status(invoice).as_str().to_owned(),
        payload: Payload::PerAttempt {
            data: serde_json::to_value(PostbackData {
                postback: String::from_utf8(invoice_primitives::wire::to_vec(&postback).ok()?)
                    .ok()?,
                format: config.postback_format,
            })
            .ok()?,
        },
        retry_delays: RETRY_MINUTES.iter().map(|m| minutes(*m)).collect(),
        acceptance: Acceptance::Status200,
    })
}
