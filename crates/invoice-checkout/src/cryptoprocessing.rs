//! Cryptoprocessing behind the checkout: an order becomes `create_invoice`, and a callback is
//! checked by its signature. There is no status: the provider documents no invoice look-up.

use cryptoprocessing::types::{CallbackType, InvoiceCallback, InvoiceCreateRequest, InvoiceType};
use http::HeaderMap;
use invoice_primitives::{Decimal, Lifecycle};
use invoice_webhooks::cryptoprocessing::Verifier;
use invoice_webhooks::Secret;

use crate::{
    CheckoutError, CreatedInvoice, CryptoprocessingOrder, Event, Money, Order, Provider,
    ProviderCreated, ProviderEvent,
};

/// What a checkout needs for Cryptoprocessing besides its client: the verifier of its
/// callbacks.
#[derive(Clone, Debug)]
pub struct CryptoprocessingSettings {
    verifier: Verifier,
}

impl CryptoprocessingSettings {
    /// Checking callbacks' `X-Processing-Signature` with the account's `secret_key` (the one
    /// the client signs requests with).
    pub fn new(secret_key: Secret) -> Self {
        Self {
            verifier: Verifier::new(secret_key),
        }
    }

    /// Also requiring callbacks' `X-Processing-Key` to be `api_key`.
    pub fn with_api_key(mut self, api_key: Secret) -> Self {
        self.verifier = self.verifier.with_api_key(api_key);
        self
    }

    /// Another callback verifier (another body cap, say).
    pub fn with_verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = verifier;
        self
    }
}

/// The Cryptoprocessing client with its settings.
#[derive(Clone, Debug)]
pub(crate) struct Cryptoprocessing {
    pub(crate) client: cryptoprocessing::Client,
    pub(crate) settings: CryptoprocessingSettings,
}

const PROVIDER: Provider = Provider::Cryptoprocessing;

/// The longest `title` the provider takes.
const MAX_TITLE: usize = 50;

impl Cryptoprocessing {
    pub(crate) async fn create(&self, order: &Order) -> Result<CreatedInvoice, CheckoutError> {
        let defaults = CryptoprocessingOrder::default();
        let extras = order.cryptoprocessing.as_ref().unwrap_or(&defaults);
        // The default title is ours, so it is cut to fit; a title given is sent as given (and
        // refused before sending if it is too long).
        let title: String = match &extras.title {
            Some(title) => title.clone(),
            None => format!("Order {}", order.order_id)
                .chars()
                .take(MAX_TITLE)
                .collect(),
        };
        let foreign_id = extras
            .foreign_id
            .as_deref()
            .unwrap_or(order.order_id.as_str());
        let mut request = InvoiceCreateRequest::builder()
            .timer(extras.timer)
            .title(title)
            .foreign_id(foreign_id)
            .currency(order.currency.as_str())
            .amount(order.amount);
        if extras.partial_payments {
            request = request.type_(InvoiceType::GoodUntilExpired);
        }
        if let Some(url) = order.success_url.as_deref() {
            request = request.url_success(url);
        }
        if let Some(url) = order.failure_url.as_deref() {
            request = request.url_failed(url);
        }
        if let Some(email) = order.email.as_deref() {
            request = request.email_user(email);
        }
        let created = self
            .client
            .create_invoice()
            .body(request)
            .send()
            .await?
            .into_inner()
            .data;
        Ok(CreatedInvoice {
            provider: PROVIDER,
            invoice_id: created.id.to_string(),
            payment_url: Some(created.url.clone()),
            expires_at: None,
            secret_key: None,
            raw: ProviderCreated::Cryptoprocessing(Box::new(created)),
        })
    }

    /// The callback is signed whole, so every field of it is the provider's word.
    pub(crate) fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, CheckoutError> {
        let verified = self
            .settings
            .verifier
            .verify(headers, body)
            .map_err(|rejection| CheckoutError::Rejected {
                provider: PROVIDER,
                rejection,
            })?;
        let event = verified.into_event();
        let callback = &event.callback;
        if callback.type_ != CallbackType::Invoice {
            return Err(CheckoutError::NotAnInvoice {
                provider: PROVIDER,
                kind: callback.type_.to_string(),
            });
        }
        let paid = paid(callback);
        Ok(Event {
            provider: PROVIDER,
            invoice_id: callback.id.to_string(),
            order_id: callback.foreign_id.as_ref().map(ToString::to_string),
            lifecycle: lifecycle(callback, paid.as_ref()),
            paid,
            dedup_key: event.dedup_key(),
            provider_event: ProviderEvent::Cryptoprocessing(Box::new(event)),
        })
    }
}

/// The sum of the callback's `transactions` ("the payments made to the invoice so far"), in
/// their coin; nothing when a payment lacks its amount or the payments are in several coins.
/// No transactions is zero, in the coin of `currency_sent`.
fn paid(callback: &InvoiceCallback) -> Option<Money> {
    let transactions = callback.transactions.as_deref().unwrap_or_default();
    let mut coin = callback
        .currency_sent
        .as_ref()
        .and_then(|sent| sent.currency.as_deref());
    let mut total = Decimal::ZERO;
    for transaction in transactions {
        let currency = transaction.currency.as_deref()?;
        if coin.is_some_and(|seen| seen != currency) {
            return None;
        }
        coin = Some(currency);
        total = total.checked_add(transaction.amount?.get())?;
    }
    Some(Money::new(total, coin?))
}

/// The status's lifecycle, and `overpaid` for a `confirmed` invoice whose payments exceed what
/// it asked (`currency_sent.amount`, "Amount to send"), which the status alone does not tell:
/// "If they paid more, the customer will get instructions on how to be refunded the
/// difference".
fn lifecycle(callback: &InvoiceCallback, paid: Option<&Money>) -> Lifecycle {
    let state = callback.status.lifecycle();
    let asked = callback
        .currency_sent
        .as_ref()
        .and_then(|sent| Some((sent.amount?.get(), sent.currency.as_deref()?)));
    match (state, asked, paid) {
        (Lifecycle::Paid, Some((asked, coin)), Some(paid))
            if paid.currency == coin && paid.amount > asked =>
        {
            Lifecycle::Overpaid
        }
        _ => state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callback(status: &str, sent: &str, transactions: &[&str]) -> InvoiceCallback {
        let transactions: Vec<_> = transactions
            .iter()
            .map(|amount| serde_json::json!({"currency": "BTC", "amount": amount}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": 588, "type": "invoice", "status": status,
            "currency_sent": {"currency": "BTC", "amount": sent, "remaining_amount": "0.00000000"},
            "transactions": transactions,
        }))
        .expect("a callback")
    }

    #[test]
    fn paid_is_the_sum_of_the_payments_and_more_than_asked_is_overpaid() {
        let two_parts = callback("confirmed", "0.02000000", &["0.01000000", "0.01000000"]);
        let total = paid(&two_parts).expect("reported");
        assert_eq!(total.to_string(), "0.02000000 BTC");
        assert_eq!(lifecycle(&two_parts, Some(&total)), Lifecycle::Paid);

        let over = callback("confirmed", "0.02000000", &["0.01000000", "0.01500000"]);
        let total = paid(&over).expect("reported");
        assert_eq!(lifecycle(&over, Some(&total)), Lifecycle::Overpaid);

        // The docs' current "successful payment" lists only the last part: paid, not more.
        let last_part = callback("confirmed", "0.02000000", &["0.01000000"]);
        let total = paid(&last_part).expect("reported");
        assert_eq!(lifecycle(&last_part, Some(&total)), Lifecycle::Paid);

        // Nothing paid yet is zero in the coin asked; `pending` with more is not overpaid.
        let none = callback("failed", "0.02000000", &[]);
        assert_eq!(paid(&none).expect("reported").to_string(), "0 BTC");
        let pending = callback("pending", "0.02000000", &["0.03000000"]);
        assert_eq!(
            lifecycle(&pending, paid(&pending).as_ref()),
            Lifecycle::PartlyPaid
        );
    }
}
