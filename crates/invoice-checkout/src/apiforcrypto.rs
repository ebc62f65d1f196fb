//! apiforcrypto behind the checkout: an order becomes `create_invoice` in the checkout's wallet
//! with a fresh `secret_key`, a status is `get_invoice`, and a notification is checked against
//! the key its invoice was created with.

use std::fmt;
use std::sync::Arc;

use apiforcrypto::types::{FiatAmount, InvoiceCreateRequest, InvoiceData, InvoiceStatus as Status};
use chrono::{DateTime, Utc};
use http::{HeaderMap, StatusCode};
use invoice_primitives::{Amount, Decimal, Lifecycle};
use invoice_webhooks::apiforcrypto::{generate_secret_key, Delivery};

use crate::{
    CheckoutError, CreatedInvoice, Event, InvoiceStatus, KeyStore, MemoryKeys, Money, Order,
    Provider, ProviderCreated, ProviderEvent, ProviderInvoice,
};

/// What a checkout needs for apiforcrypto besides its client: the wallet invoices are created
/// in, where notifications go, the invoices' expiry and confirmations, and where each
/// invoice's `secret_key` is kept.
#[derive(Clone)]
pub struct ApiforcryptoSettings {
    wallet_id: String,
    callback_url: Option<String>,
    expiry_minutes: i64,
    confirmations: i64,
    keys: Arc<dyn KeyStore>,
}

impl fmt::Debug for ApiforcryptoSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiforcryptoSettings")
            .field("wallet_id", &self.wallet_id)
            .field("callback_url", &self.callback_url)
            .field("expiry_minutes", &self.expiry_minutes)
            .field("confirmations", &self.confirmations)
            .finish_non_exhaustive()
    }
}

impl ApiforcryptoSettings {
    /// The environment variable [`Checkout::from_env`](crate::Checkout::from_env) reads the
    /// wallet id from.
    pub const WALLET_ID_ENV: &'static str = "APIFORCRYPTO_WALLET_ID";
    /// The environment variable [`Checkout::from_env`](crate::Checkout::from_env) reads the
    /// notification URL from, if set.
    pub const CALLBACK_URL_ENV: &'static str = "APIFORCRYPTO_CALLBACK_URL";
    /// The invoices' default expiry: 30 minutes (the docs allow 15 to 40).
    pub const DEFAULT_EXPIRY_MINUTES: i64 = 30;
    /// The invoices' default confirmations: 3.
    pub const DEFAULT_CONFIRMATIONS: i64 = 3;

    /// Invoices in the wallet `wallet_id`, without notifications (see
    /// [`with_callback_url`](Self::with_callback_url)), expiring after
    /// [`DEFAULT_EXPIRY_MINUTES`](Self::DEFAULT_EXPIRY_MINUTES), paid after
    /// [`DEFAULT_CONFIRMATIONS`](Self::DEFAULT_CONFIRMATIONS), their keys kept in memory
    /// ([`MemoryKeys`]).
    pub fn new(wallet_id: impl Into<String>) -> Self {
        Self {
            wallet_id: wallet_id.into(),
            callback_url: None,
            expiry_minutes: Self::DEFAULT_EXPIRY_MINUTES,
            confirmations: Self::DEFAULT_CONFIRMATIONS,
            keys: Arc::new(MemoryKeys::new()),
        }
    }

    /// Where apiforcrypto sends each invoice's notifications (its `data.url_callback`).
    pub fn with_callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Minutes an invoice waits for payment (`expiry`, 15 to 40).
    pub fn with_expiry_minutes(mut self, minutes: i64) -> Self {
        self.expiry_minutes = minutes;
        self
    }

    /// Network confirmations after which an invoice is paid (`confirmations`).
    pub fn with_confirmations(mut self, confirmations: i64) -> Self {
        self.confirmations = confirmations;
        self
    }

    /// Where each invoice's `secret_key` is kept (your database, to verify notifications after
    /// a restart).
    pub fn with_key_store(mut self, keys: impl KeyStore + 'static) -> Self {
        self.keys = Arc::new(keys);
        self
    }

    /// The wallet id.
    pub fn wallet_id(&self) -> &str {
        &self.wallet_id
    }
}

/// The apiforcrypto client with its settings.
#[derive(Clone, Debug)]
pub(crate) struct Apiforcrypto {
    pub(crate) client: apiforcrypto::Client,
    pub(crate) settings: ApiforcryptoSettings,
}

const PROVIDER: Provider = Provider::ApiForCrypto;

impl Apiforcrypto {
    /// The e-mail is not sent: apiforcrypto's invoice has no field for it.
    pub(crate) async fn create(&self, order: &Order) -> Result<CreatedInvoice, CheckoutError> {
        let invalid = |reason: &str| CheckoutError::InvalidOrder {
            provider: PROVIDER,
            reason: reason.to_owned(),
        };
        let extras = order.apiforcrypto.as_ref().ok_or_else(|| {
            invalid(
                "apiforcrypto needs the blockchain and the coin to be paid in: \
                 Order::apiforcrypto(ApiforcryptoOrder::new(\"ethereum\", \"USDT\"))",
            )
        })?;
        if extras.blockchain.trim().is_empty() || extras.symbol.trim().is_empty() {
            return Err(invalid("the blockchain and the coin must not be empty"));
        }
        if self.settings.wallet_id.trim().is_empty() {
            return Err(invalid(&format!(
                "no wallet id ({})",
                ApiforcryptoSettings::WALLET_ID_ENV
            )));
        }
        let key = generate_secret_key();
        let mut data = InvoiceData::builder().order_id(order.order_id.as_str());
        if let Some(url) = &self.settings.callback_url {
            data = data.url_callback(url.as_str());
        }
        if let Some(url) = order.success_url.as_deref() {
            data = data.url_success(url);
        }
        if let Some(url) = order.failure_url.as_deref() {
            data = data.url_failed(url);
        }
        let request = InvoiceCreateRequest::builder()
            .blockchain(extras.blockchain.as_str())
            .symbol(extras.symbol.as_str())
            .fiat_currency(
                FiatAmount::builder()
                    .currency(order.currency.as_str())
                    .value(order.amount),
            )
            .expiry(self.settings.expiry_minutes)
            .confirmations(self.settings.confirmations)
            .secret_key(key.clone())
            .data(data);
        let created = self
            .client
            .create_invoice()
            .wallet_id(self.settings.wallet_id.as_str())
            .body(request)
            .send()
            .await?
            .into_inner();
        self.settings.keys.remember(&created.id, key.clone());
        Ok(CreatedInvoice {
            provider: PROVIDER,
            invoice_id: created.id.clone(),
            payment_url: created.url_pay.clone(),
            expires_at: time(&created.expiry),
            secret_key: Some(key),
            raw: ProviderCreated::ApiForCrypto(Box::new(created)),
        })
    }

    pub(crate) async fn status(&self, id: &str) -> Result<InvoiceStatus, CheckoutError> {
        let invoice = match self.client.get_invoice().uuid(id).send().await {
            Ok(invoice) => invoice.into_inner(),
            // Documented: "404 - Invoice not found".
            Err(error) if error.status() == Some(StatusCode::NOT_FOUND) => {
                return Err(CheckoutError::NotFound {
                    provider: PROVIDER,
                    invoice_id: id.to_owned(),
                })
            }
            Err(error) => return Err(error.into()),
        };
        let paid = paid(&invoice.status, Some(invoice.value), Some(&invoice.symbol));
        Ok(InvoiceStatus {
            provider: PROVIDER,
            invoice_id: invoice.id.clone(),
            order_id: invoice.data.as_ref().and_then(|d| d.order_id.clone()),
            lifecycle: lifecycle(&invoice.status, Some(invoice.active)),
            asked: Some(Money::new(invoice.value.get(), invoice.symbol.as_str())),
            due: paid
                .as_ref()
                .map(|paid| Money::new(Decimal::ZERO, paid.currency.as_str())),
            paid,
            raw: ProviderInvoice::ApiForCrypto(Box::new(invoice)),
        })
    }

    /// The notification is read just enough to find its invoice's key, checked against it,
    /// and only then parsed.
    pub(crate) fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, CheckoutError> {
        let rejected = |rejection| CheckoutError::Rejected {
            provider: PROVIDER,
            rejection,
        };
        let delivery = Delivery::read(headers, body).map_err(rejected)?;
        let key = self.settings.keys.secret_key(delivery.invoice_id());
        let event = delivery
            .verify(key.as_ref())
            .map_err(rejected)?
            .into_event();
        let callback = &event.callback;
        Ok(Event {
            provider: PROVIDER,
            invoice_id: callback.id.clone(),
            order_id: callback.data.as_ref().and_then(|d| d.order_id.clone()),
            lifecycle: lifecycle(&callback.status, callback.active),
            paid: paid(&callback.status, callback.value, callback.symbol.as_deref()),
            dedup_key: event.dedup_key(),
            provider_event: ProviderEvent::ApiForCrypto(Box::new(event)),
        })
    }
}

/// The status's lifecycle, and an expiry the status does not show: past its `expiry` an
/// invoice "will be considered unpaid" and "becomes invalid", but no expired status is listed,
/// so an invoice no longer `active` that is `NOT_PAID` expired with nothing paid, and one
/// `PARTIALLY_PAID` expired after a part (specs/apiforcrypto.yaml, `x-lifecycle` of
/// `NOT_PAID`).
fn lifecycle(status: &Status, active: Option<bool>) -> Lifecycle {
    match (status.lifecycle(), active) {
        (Lifecycle::AwaitingPayment, Some(false)) => Lifecycle::Expired,
        (Lifecycle::PartlyPaid, Some(false)) => Lifecycle::ExpiredPartlyPaid,
        (state, _) => state,
    }
}

/// `PAID` means the invoice's `value` was paid ("Number of network confirmations after which
/// the invoice will be considered paid"); no field says how much was paid before that, or
/// beyond it.
fn paid(status: &Status, value: Option<Amount>, symbol: Option<&str>) -> Option<Money> {
    match status {
        Status::Paid => Some(Money::new(value?.get(), symbol?)),
        _ => None,
    }
}

/// `expiry` as a time, if it is written as RFC 3339 (the docs give no format).
fn time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invoice_no_longer_active_expired_with_what_it_had() {
        let state = |status: &str, active| lifecycle(&Status::from(status), active);
        assert_eq!(state("NOT_PAID", Some(true)), Lifecycle::AwaitingPayment);
        assert_eq!(state("NOT_PAID", None), Lifecycle::AwaitingPayment);
        assert_eq!(state("NOT_PAID", Some(false)), Lifecycle::Expired);
        assert_eq!(
            state("PARTIALLY_PAID", Some(false)),
            Lifecycle::ExpiredPartlyPaid
        );
        assert_eq!(state("PAID", Some(false)), Lifecycle::Paid);
        assert_eq!(state("REFUNDED", Some(false)), Lifecycle::Unknown);
    }

    #[test]
    fn expiry_is_read_only_when_it_is_rfc_3339() {
        assert_eq!(
            time("2026-01-01T10:20:04Z").map(|t| t.to_rfc3339()),
            Some("2026-01-01T10:20:04+00:00".to_owned())
        );
        assert_eq!(time("01.01.2026 10:20"), None);
    }
}
