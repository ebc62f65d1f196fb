//! Cryptoprocessing by CoinsPaid (`specs/cryptoprocessing.yaml`): its five operations under
//! `/cryptoprocessing`, the key and signature checks, its errors, and its invoice callbacks.
//!
//! What the sandbox decides where the docs are silent: an invoice without `timer` expires
//! after 24 hours; the customer pays in `sender_currency` if given, else in `currency` if it
//! is a coin, else in the coin they choose (control API `pay` with `coin`; [`DEFAULT_COIN`]
//! until they do); fees are zero; a cancelled invoice becomes `failed` (the cancel page's
//! error text implies it); `amount` and `currency` are required (EUR is not assumed).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::TimeDelta;
use cryptoprocessing::types;
use cryptoprocessing::types::{
    Account, AccountListResponse, CallbackCryptoAddress, CallbackTransaction, CallbackType,
    CancelInvoiceResponse, Confirmations, Currency, CurrencyListRequest, CurrencyListResponse,
    CurrencyReceived, CurrencySent, CurrencyType, EmptyRequest, EndUserReference, ErrorCode,
    ErrorDetails, ErrorResponse, ForeignId, Invoice as InvoiceView, InvoiceCallback,
    InvoiceCreateRequest, InvoiceCreateResponse, InvoiceStatus, TransactionKind, TransactionType,
};
use cryptoprocessing::Credentials;
use invoice_primitives::auth::BodyMac;
use invoice_primitives::{StringAmount, UnixTime};
use invoice_webhooks::Secret;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use subtle::ConstantTimeEq;

use crate::core::app::{minutes, App, ChangeError};
use crate::core::deliveries::{Acceptance, Outgoing, Payload};
use crate::core::imitation::Imitation;
use crate::core::json::{Answer, Json};
use crate::core::nulls;
use crate::core::pages::payment_page_url;
use crate::core::state::{self, Invoice, Lifecycle};
use crate::provider::{documented, parse_spec};
use crate::Provider;

/// Cryptoprocessing's imitation.
#[derive(Debug)]
pub struct Cryptoprocessing;

impl Imitation for Cryptoprocessing {
    fn provider(&self) -> Provider {
        Provider::Cryptoprocessing
    }

    fn router(&self) -> Router<Arc<App>> {
        router()
    }

    fn status(&self, invoice: &Invoice) -> String {
        status(invoice.lifecycle).as_str().to_owned()
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

    fn coin_choices(&self, invoice: &Invoice) -> Option<Vec<&'static str>> {
        coin_choices(invoice)
    }

    fn choose_coin(&self, invoice: &mut Invoice, coin: &str) -> Result<(), ChangeError> {
        choose_coin(invoice, coin)
    }
}

/// `specs/cryptoprocessing.yaml`, parsed once.
fn spec() -> &'static serde_json::Value {
    static SPEC: OnceLock<serde_json::Value> = OnceLock::new();
    SPEC.get_or_init(|| parse_spec(include_str!("../../specs/cryptoprocessing.yaml")))
}

documented!(spec => [
    InvoiceCreateResponse, CancelInvoiceResponse, CurrencyListResponse,
    AccountListResponse, InvoiceCallback,
]);

/// Waits before each retry, in minutes: the current callbacks page's schedule, "12 retries
/// after the first attempt, each relative to the previous one" (more-pages.md 2.4).
const RETRY_MINUTES: [i64; 12] = [1, 5, 15, 30, 60, 90, 120, 180, 240, 240, 240, 240];

/// `timer: true`: "the invoice expires 15 minutes after it is created".
const TIMER: TimeDelta = TimeDelta::minutes(15);
/// Without a timer (the docs give no limit; their mempool example runs about 24 hours).
const NO_TIMER: TimeDelta = TimeDelta::hours(24);

/// The currencies of the sandbox account: (id, type, code, minimum amount).
const CURRENCIES: [(i64, &str, &str, &str); 6] = [
    (1, "crypto", "BTC", "0.00010000"),
    (2, "crypto", "ETH", "0.00100000"),
    (3, "crypto", "LTC", "0.01000000"),
    (4, "crypto", "USDTT", "1.00000000"),
    (5, "fiat", "EUR", "10.00000000"),
    (6, "fiat", "USD", "10.00000000"),
];

/// The coin a customer pays a fiat invoice in until they choose another: Tether on Tron, which
/// the sandbox quotes at par with every fiat currency, so the amount to pay reads as asked.
pub const DEFAULT_COIN: &str = "USDTT";

/// The account's currency `code`: its type (`crypto` or `fiat`) and minimum amount.
fn account_currency(code: &str) -> Option<(&'static str, Decimal)> {
    CURRENCIES
        .iter()
        .find(|(_, _, c, _)| *c == code)
        .map(|(_, kind, _, minimum)| (*kind, minimum.parse().unwrap_or_default()))
}

/// Whether `code` is a coin of the account, which a customer can pay in.
fn is_coin(code: &str) -> bool {
    account_currency(code).is_some_and(|(kind, _)| kind == "crypto")
}

/// Cryptoprocessing's own data about an invoice.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Detail {
    pub foreign_id: String,
    pub end_user_reference: Option<String>,
    /// The currency the merchant receives.
    pub currency: String,
    /// The invoice amount, in `currency`.
    #[serde(with = "state::exact")]
    pub amount: Decimal,
    pub sender_currency: Option<String>,
    pub timer: bool,
    pub numeric_id: i64,
    pub address_id: i64,
}

/// The status Cryptoprocessing shows for a lifecycle.
fn status(lifecycle: Lifecycle) -> InvoiceStatus {
    match lifecycle {
        Lifecycle::Open => InvoiceStatus::Created,
        // "One callback per status change; partial payments (installments) produce one per
        // part": a part payment leaves the invoice `pending`.
        Lifecycle::Partial => InvoiceStatus::Pending,
        Lifecycle::Paid | Lifecycle::Overpaid => InvoiceStatus::Confirmed,
        Lifecycle::Expired | Lifecycle::Failed | Lifecycle::Canceled => InvoiceStatus::Failed,
    }
}

fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v2/invoices/create", post(create_invoice))
        .route(
            "/api/v2/invoices/{foreign_id}/cancel/",
            post(cancel_invoice),
        )
        .route("/api/v2/ping", get(ping))
        .route("/api/v2/currencies/list", post(list_currencies))
        .route("/api/v2/accounts/list", post(list_accounts))
        // "No key header, or a request URL that is not valid" (the errors page).
        .fallback(|| async { forbidden(ErrorCode::RequiredHeaderKey, "No key header") })
}

type Reply<T> = Result<Answer<T>, Response>;

/// One of the errors page's flat errors, with 403.
fn forbidden(code: ErrorCode, message: &str) -> Response {
    flat(StatusCode::FORBIDDEN, code, message)
}

fn flat(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = ErrorResponse {
        code: Some(code),
        error: Some(message.into()),
        errors: None,
    };
    (status, Json(body)).into_response()
}

fn bad_content_format() -> Response {
    flat(
        StatusCode::BAD_REQUEST,
        ErrorCode::BadContentFormat,
        "Bad content format",
    )
}

/// A validation error: `{"errors": {field: message}}`, 400.
fn validation(field: &str, message: &str) -> Response {
    let mut extra = std::collections::HashMap::new();
    extra.insert(field.to_owned(), message.to_owned());
    let body = ErrorResponse {
        code: None,
        error: None,
        errors: Some(ErrorDetails {
            code: None,
            error: None,
            extra,
        }),
    };
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// Checks `X-Processing-Key` and `X-Processing-Signature`, the lowercase hex HMAC-SHA512 of
/// the exact bytes received, keyed with the secret: the headers the generated client sends,
/// the MAC the runtime computes (compared in constant time).
fn authenticate(app: &App, headers: &HeaderMap, body: &[u8]) -> Result<(), Response> {
    let config = &app.config.cryptoprocessing;
    let key = headers
        .get(Credentials::KEY_HEADER)
        .ok_or_else(|| forbidden(ErrorCode::RequiredHeaderKey, "No key header"))?;
    if !bool::from(key.as_bytes().ct_eq(config.api_key.as_bytes())) {
        return Err(forbidden(ErrorCode::BadHeaderKey, "Bad key header"));
    }
    let signature = headers
        .get(Credentials::SIGNATURE_HEADER)
        .ok_or_else(|| forbidden(ErrorCode::RequiredHeaderSignature, "No signature header"))?;
    let bad_signature = || forbidden(ErrorCode::BadHeaderSignature, "Bad signature header");
    let signature = hex::decode(signature.as_bytes()).map_err(|_| bad_signature())?;
    if BodyMac::new(config.secret_key.as_bytes()).verify(body, &signature) {
        Ok(())
    } else {
        Err(bad_signature())
    }
}

/// Reads the body (capped), checks key and signature, expires what is due.
async fn begin(app: &Arc<App>, headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Response> {
    let body = app
        .read_body(body)
        .await
        .map_err(|_| bad_content_format())?;
    authenticate(app, headers, &body)?;
    app.expire_due();
    Ok(body.to_vec())
}

/// A JSON body as `T`: not JSON (or not sent as JSON) is `bad_content_format`; JSON that `T`
/// refuses is a validation error on the field named.
fn parse<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, Response> {
    if !crate::app::is_json(headers) {
        return Err(bad_content_format());
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| bad_content_format())?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let message = e.inner().to_string();
        let path = e.path().to_string();
        let field = if path == "." {
            // A missing or unknown field is reported at the root; its name is in backticks.
            message.split('`').nth(1).unwrap_or("request").to_owned()
        } else {
            path
        };
        validation(&field, &message)
    })
}

fn detail(invoice: &Invoice) -> Option<Detail> {
    invoice.detail()
}

/// Amounts are decimal strings with eight decimals (`"106.75000000"`).
fn eight(amount: Decimal) -> StringAmount {
    let mut amount = amount.round_dp(8);
    amount.rescale(8);
    StringAmount::new(amount)
}

async fn create_invoice(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<InvoiceCreateResponse> {
    let body = begin(&app, &headers, body).await?;
    let request: InvoiceCreateRequest = parse(&headers, &body)?;
    request.validate().map_err(|e| {
        let field = e.split('`').nth(1).unwrap_or("request").to_owned();
        validation(&field, &e)
    })?;
    let amount = request
        .amount
        .map(|a| a.get())
        .ok_or_else(|| validation("amount", "The amount field is required."))?;
    if !state::acceptable_amount(amount) {
        return Err(validation(
            "amount",
            &format!(
                "The amount must be greater than 0 and at most {}.",
                state::MAX_AMOUNT
            ),
        ));
    }
    let currency = request
        .currency
        .clone()
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| validation("currency", "The currency field is required."))?;
    // "Currency you want to receive deposits in. For a list of all available currencies, see
    // Supported currencies": one of the account's, and at least its minimum (the errors page's
    // "The amount is too small. The minimum amount is 10.00 EUR.").
    let (kind, minimum) = account_currency(&currency)
        .ok_or_else(|| validation("currency", "The selected currency is invalid."))?;
    if amount < minimum {
        let shown = if kind == "fiat" {
            format!("{minimum:.2}")
        } else {
            minimum.normalize().to_string()
        };
        return Err(validation(
            "amount",
            &format!("The amount is too small. The minimum amount is {shown} {currency}."),
        ));
    }
    if let Some(coin) = request.sender_currency.as_ref().filter(|c| !is_coin(c)) {
        return Err(validation(
            "sender_currency",
            &format!("The selected sender currency {coin} is invalid."),
        ));
    }
    let foreign_id: String = request.foreign_id.to_string();
    // The currency paid is always a coin ("`currency_sent`: coin paid", more-pages.md 2.4).
    let pay_currency = match &request.sender_currency {
        Some(coin) => coin.clone(),
        None if kind == "crypto" => currency.clone(),
        None => DEFAULT_COIN.to_owned(),
    };
    let pay_amount = state::convert(amount, &currency, &pay_currency);
    if pay_amount <= Decimal::ZERO {
        return Err(validation(
            "amount",
            &format!("The amount is too small to be paid in {pay_currency}."),
        ));
    }
    let now = app.clock.now();
    let invoice = {
        let mut store = app.store();
        if store
            .by_reference(Provider::Cryptoprocessing, &foreign_id)
            .is_some()
        {
            // The retry key: a second invoice with the same `foreign_id` is refused.
            return Err(validation(
                "foreign_id",
                "The foreign id has already been taken.",
            ));
        }
        let serial = store.next_serial();
        // Six or seven digits, like the docs' ids (`826900`), different from run to run.
        let numeric_id = 100_000 + (store.id_seed() % 800_000) as i64 + serial as i64;
        let id = numeric_id.to_string();
        let quoted = (pay_currency != currency).then(|| format!("{amount} {currency}"));
        let invoice = Invoice {
            provider: Provider::Cryptoprocessing,
            address: state::address(&pay_currency, &id),
            amount: pay_amount,
            pay_currency,
            id,
            created: now,
            expires: now + if request.timer { TIMER } else { NO_TIMER },
            payments: Vec::new(),
            lifecycle: Lifecycle::Open,
            finished: None,
            quoted,
            title: request.title.to_string(),
            // The retry key, looked up on every create and cancel.
            reference: Some(foreign_id.clone()),
            detail: serde_json::to_value(Detail {
                foreign_id,
                end_user_reference: request.end_user_reference.clone(),
                currency,
                amount,
                sender_currency: request.sender_currency.clone(),
                timer: request.timer,
                numeric_id,
                address_id: 386_000 + serial as i64,
            })
            .unwrap_or_default(),
        };
        store.insert(invoice.clone());
        invoice
    };
    Ok(Answer(InvoiceCreateResponse {
        data: view(&app, &invoice),
    }))
}

/// The coins the customer may choose from for `invoice`, if its coin is not fixed yet: no
/// `sender_currency`, nothing paid, still open.
fn coin_choices(invoice: &Invoice) -> Option<Vec<&'static str>> {
    let d = detail(invoice)?;
    let open = d.sender_currency.is_none()
        && invoice.payments.is_empty()
        && !invoice.lifecycle.is_final()
        && !is_coin(&d.currency);
    open.then(|| {
        CURRENCIES
            .iter()
            .filter(|(_, kind, _, _)| *kind == "crypto")
            .map(|(_, _, code, _)| *code)
            .collect()
    })
}

/// The customer's choice of coin for `invoice`, before they pay: only while its coin is not
/// fixed (no `sender_currency`) and nothing is paid, and only a coin of the account.
fn choose_coin(invoice: &mut Invoice, coin: &str) -> Result<(), ChangeError> {
    if !is_coin(coin) {
        return Err(ChangeError::BadRequest(format!(
            "{coin} is not a coin of the account"
        )));
    }
    let id = invoice.id.clone();
    let Some(d) = detail(invoice) else {
        return Err(ChangeError::NotFound(format!(
            "no cryptoprocessing invoice {id}"
        )));
    };
    if invoice.pay_currency == coin {
        return Ok(());
    }
    if d.sender_currency.is_some() || !invoice.payments.is_empty() || invoice.lifecycle.is_final() {
        return Err(ChangeError::Conflict(format!(
            "invoice {id} is to be paid in {}: its coin is fixed",
            invoice.pay_currency
        )));
    }
    invoice.amount = state::convert(d.amount, &d.currency, coin);
    invoice.address = state::address(coin, &id);
    invoice.pay_currency = coin.to_owned();
    Ok(())
}

/// An invoice as the create response shows it.
fn view(app: &App, invoice: &Invoice) -> InvoiceView {
    let d = detail(invoice);
    let d = d.as_ref();
    let fixed = d.is_some_and(|d| d.sender_currency.is_some());
    let timer = d.is_some_and(|d| d.timer);
    InvoiceView {
        // `null` until a coin is fixed.
        address: fixed.then(|| invoice.address.clone()),
        amount: eight(d.map_or(invoice.amount, |d| d.amount)),
        currency: d.map_or_else(|| invoice.pay_currency.clone(), |d| d.currency.clone()),
        end_user_reference: d
            .and_then(|d| d.end_user_reference.clone())
            .map(EndUserReference::String),
        fixed_at: fixed.then(|| UnixTime::from(invoice.created)),
        foreign_id: d.map(|d| d.foreign_id.clone()).unwrap_or_default(),
        id: d.map_or(0, |d| d.numeric_id),
        release_at: timer.then(|| UnixTime::from(invoice.expires)),
        seconds_left: timer.then(|| (invoice.expires - app.clock.now()).num_seconds().max(0)),
        sender_amount: fixed.then(|| eight(invoice.amount)),
        sender_currency: d.and_then(|d| d.sender_currency.clone()),
        status: status(invoice.lifecycle),
        title: invoice.title.clone(),
        url: payment_page_url(&app.root_url, Provider::Cryptoprocessing, &invoice.id),
    }
}

async fn cancel_invoice(
    State(app): State<Arc<App>>,
    Path(foreign_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Reply<CancelInvoiceResponse> {
    let body = begin(&app, &headers, body).await?;
    let _: EmptyRequest = parse(&headers, &body)?;
    let id = app
        .store()
        .by_reference(Provider::Cryptoprocessing, &foreign_id)
        .map(|i| i.id.clone())
        .ok_or_else(|| validation("foreign_id", "The selected foreign id is invalid."))?;
    app.change(Provider::Cryptoprocessing, &id, |invoice, _| {
        // Allowed while created, pending or processing; refused once confirmed or failed.
        if invoice.lifecycle.is_final() {
            return Err(ChangeError::Conflict(String::new()));
        }
        invoice.lifecycle = Lifecycle::Canceled;
        Ok(false)
    })
    .map_err(|_| {
        let body = ErrorResponse {
            code: None,
            error: None,
            errors: Some(ErrorDetails {
                code: Some(ErrorCode::InvalidInvoiceState),
                error: Some("Invoice cannot be failed in its current state.".into()),
                extra: Default::default(),
            }),
        };
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    })?;
    // The current code sample's answer.
    Ok(Answer(CancelInvoiceResponse::Array(Vec::new())))
}

/// Unauthenticated: the only call without key or signature.
async fn ping() -> &'static str {
    "OK"
}

async fn list_currencies(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<CurrencyListResponse> {
    let body = begin(&app, &headers, body).await?;
    let request: CurrencyListRequest = parse(&headers, &body)?;
    // Every sandbox currency is enabled: `visible: false` (the disabled ones) lists none.
    let data = if request.visible == Some(false) {
        Vec::new()
    } else {
        CURRENCIES
            .iter()
            .map(|(id, kind, code, minimum)| Currency {
                currency: (*code).to_owned(),
                deposit_fee_percent: "0.000000".parse().unwrap_or_default(),
                id: *id,
                minimum_amount: minimum.parse().unwrap_or_default(),
                precision: None,
                type_: CurrencyType::from(*kind),
                withdrawal_fee_percent: "0.025000".parse().unwrap_or_default(),
            })
            .collect()
    };
    Ok(Answer(CurrencyListResponse { data }))
}

async fn list_accounts(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Reply<AccountListResponse> {
    let body = begin(&app, &headers, body).await?;
    let _: EmptyRequest = parse(&headers, &body)?;
    let mut balances: Vec<(String, String, Decimal)> = CURRENCIES
        .iter()
        .map(|(_, kind, code, _)| ((*code).to_owned(), (*kind).to_owned(), Decimal::ZERO))
        .collect();
    let store = app.store();
    // A failed invoice's payments are refunded ("If they paid less, they will receive a full
    // refund", create page), so they are not on the balance.
    let kept = store
        .of(Provider::Cryptoprocessing)
        .filter(|i| status(i.lifecycle) != InvoiceStatus::Failed);
    for invoice in kept {
        let Some(d) = detail(invoice) else { continue };
        let received = state::convert(invoice.paid(), &invoice.pay_currency, &d.currency);
        match balances.iter_mut().find(|(code, _, _)| *code == d.currency) {
            Some((_, _, total)) => *total += received,
            None => balances.push((d.currency.clone(), "fiat".into(), received)),
        }
    }
    let data = balances
        .into_iter()
        .map(|(currency, kind, balance)| Account {
            balance: eight(balance),
            currency,
            type_: CurrencyType::from(kind),
        })
        .collect();
    Ok(Answer(AccountListResponse { data }))
}

/// The callback for this change, if one goes out: on every status change and every payment,
/// to the account's callback URL, signed with the secret key.
fn notification(
    app: &App,
    invoice: &Invoice,
    before: Lifecycle,
    new_payment: bool,
) -> Option<Outgoing> {
    let config = &app.config.cryptoprocessing;
    let url = config.callback_url.clone()?;
    let new_status = status(invoice.lifecycle);
    if status(before) == new_status && !new_payment {
        return None;
    }
    let d = detail(invoice)?;
    let error = match invoice.lifecycle {
        Lifecycle::Expired if invoice.payments.is_empty() => "Timer expired. User not paid.",
        Lifecycle::Expired => "Timer expired. User paid less than requested.",
        Lifecycle::Failed => "Payment failed.",
        Lifecycle::Canceled => "Invoice cancelled.",
        _ => "",
    };
    let callback = InvoiceCallback {
        crypto_address: Some(CallbackCryptoAddress {
            address: Some(invoice.address.clone()),
            convert_to: (d.currency != invoice.pay_currency).then(|| d.currency.clone()),
            currency: Some(invoice.pay_currency.clone()),
            id: Some(d.address_id),
            tag: None,
        }),
        currency_received: Some(CurrencyReceived {
            amount: Some(eight(state::convert(
                invoice.paid(),
                &invoice.pay_currency,
                &d.currency,
            ))),
            amount_minus_fee: None,
            currency: Some(d.currency.clone()),
        }),
        currency_sent: Some(CurrencySent {
            amount: Some(eight(invoice.amount)),
            currency: Some(invoice.pay_currency.clone()),
            remaining_amount: Some(eight(invoice.remaining())),
        }),
        end_user_reference: d.end_user_reference.clone().map(EndUserReference::String),
        error: Some(error.into()),
        expires_at: Some(UnixTime::from(invoice.expires)),
        fees: Some(Vec::new()),
        fixed_at: Some(UnixTime::from(invoice.created)),
        foreign_id: Some(ForeignId::String(d.foreign_id.clone())),
        id: d.numeric_id,
        status: new_status.clone(),
        transactions: Some(
            invoice
                .payments
                .iter()
                .map(|p| CallbackTransaction {
                    address: Some(invoice.address.clone()),
                    amount: Some(eight(p.amount)),
                    confirmations: Some(Confirmations::String("1".into())),
                    currency: Some(invoice.pay_currency.clone()),
                    id: Some(p.id),
                    riskscore: None,
                    tag: None,
                    transaction_type: Some(TransactionType::Blockchain),
                    txid: Some(p.txid.clone()),
                    type_: Some(TransactionKind::Deposit),
                })
                .collect(),
        ),
        type_: CallbackType::Invoice,
    };
    let signer =
        invoice_webhooks::cryptoprocessing::Signer::new(Secret::new(config.secret_key.clone()))
            .with_api_key(Secret::new(config.api_key.clone()));
    let body = invoice_primitives::wire::to_vec(&callback).ok()?;
    Some(Outgoing {
        url,
        event: new_status.as_str().to_owned(),
        payload: {
            let delivery = signer.sign_body(nulls::fill::<InvoiceCallback>(body));
            Payload::fixed(&delivery.headers, delivery.body)
        },
        retry_delays: RETRY_MINUTES.iter().map(|m| minutes(*m)).collect(),
        acceptance: Acceptance::Status200,
    })
}
