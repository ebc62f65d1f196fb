//! CryptoCloud behind the checkout: an order becomes `create_invoice`, a status is
//! `get_invoices`, and a postback is verified and confirmed with the provider's own record
//! (`verify_and_confirm`), as the README's "Receiving webhooks" recommends.

use cryptocloud::invoice_id;
use cryptocloud::types::{Invoice, InvoiceCreateRequest, InvoiceInfoRequest};
use http::HeaderMap;
use invoice_webhooks::cryptocloud::{ConfirmError, MemoryTokenStore, Verifier};
use invoice_webhooks::Secret;

use crate::{
    CheckoutError, CreatedInvoice, Event, InvoiceStatus, Money, Order, Provider, ProviderCreated,
    ProviderEvent, ProviderInvoice,
};

/// What a checkout needs for CryptoCloud besides its client: the shop invoices are created
/// for, and the verifier of its postbacks.
#[derive(Clone, Debug)]
pub struct CryptoCloudSettings {
    shop_id: String,
    verifier: Verifier,
}

impl CryptoCloudSettings {
    /// The environment variable [`Checkout::from_env`](crate::Checkout::from_env) reads the
    /// shop id from.
    pub const SHOP_ID_ENV: &'static str = "CRYPTOCLOUD_SHOP_ID";
    /// The environment variable [`Checkout::from_env`](crate::Checkout::from_env) reads the
    /// project's secret key from (the one that signs postbacks, not the API key).
    pub const SECRET_ENV: &'static str = "CRYPTOCLOUD_SECRET";

    /// For the shop `shop_id`, checking postbacks with the project's `secret` key and a replay
    /// guard in memory ([`MemoryTokenStore`]: a token authenticates one body only).
    pub fn new(shop_id: impl Into<String>, secret: Secret) -> Self {
        Self {
            shop_id: shop_id.into(),
            verifier: Verifier::new(secret).with_replay_guard(MemoryTokenStore::new()),
        }
    }

    /// Another postback verifier: a replay guard shared by several processes, another clock
    /// skew, `require_invoice_claim`.
    pub fn with_verifier(mut self, verifier: Verifier) -> Self {
        self.verifier = verifier;
        self
    }

    /// The shop id.
    pub fn shop_id(&self) -> &str {
        &self.shop_id
    }
}

/// The CryptoCloud client with its settings.
#[derive(Clone, Debug)]
pub(crate) struct CryptoCloud {
    pub(crate) client: cryptocloud::Client,
    pub(crate) settings: CryptoCloudSettings,
}

const PROVIDER: Provider = Provider::CryptoCloud;

impl CryptoCloud {
    /// Success and failure URLs are not sent: CryptoCloud takes them from the project's
    /// settings, not per invoice.
    pub(crate) async fn create(&self, order: &Order) -> Result<CreatedInvoice, CheckoutError> {
        let mut request = InvoiceCreateRequest::builder()
            .shop_id(self.settings.shop_id.as_str())
            .amount(order.amount)
            .currency(order.currency.as_str())
            .order_id(order.order_id.as_str());
        if let Some(email) = order.email.as_deref() {
            request = request.email(email);
        }
        let created = self
            .client
            .create_invoice()
            .body(request)
            .send()
            .await?
            .into_inner()
            .result;
        Ok(CreatedInvoice {
            provider: PROVIDER,
            invoice_id: created.uuid.to_string(),
            payment_url: Some(created.link.clone()),
            expires_at: Some(created.expiry_date.get()),
            secret_key: None,
            raw: ProviderCreated::CryptoCloud(Box::new(created)),
        })
    }

    pub(crate) async fn status(&self, id: &str) -> Result<InvoiceStatus, CheckoutError> {
        let found = self
            .client
            .get_invoices()
            .body(InvoiceInfoRequest::builder().uuids(vec![id.to_owned()]))
            .send()
            .await?
            .into_inner()
            .result;
        // Unknown identifiers are left out of the answer rather than refused.
        let invoice = found
            .into_iter()
            .find(|invoice| invoice_id::same(&invoice.uuid, id))
            .ok_or_else(|| CheckoutError::NotFound {
                provider: PROVIDER,
                invoice_id: id.to_owned(),
            })?;
        let [asked, paid, due] = amounts(&invoice);
        Ok(InvoiceStatus {
            provider: PROVIDER,
            invoice_id: invoice.uuid.to_string(),
            order_id: invoice.order_id.clone(),
            lifecycle: invoice.status.lifecycle(),
            asked: Some(asked),
            paid: Some(paid),
            due: Some(due),
            raw: ProviderInvoice::CryptoCloud(Box::new(invoice)),
        })
    }

    /// The postback's fields are unsigned: what the event says comes from the invoice as the
    /// provider confirms it.
    pub(crate) async fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Event, CheckoutError> {
        let confirmed = self
            .settings
            .verifier
            .verify_and_confirm(headers, body, &self.client)
            .await
            .map_err(|error| match error {
                ConfirmError::Api(error) => error.into(),
                ConfirmError::Rejected(rejection) => CheckoutError::Rejected {
                    provider: PROVIDER,
                    rejection,
                },
                other => CheckoutError::Unverified {
                    provider: PROVIDER,
                    status: other.status(),
                    reason: other.to_string(),
                },
            })?;
        let invoice = &confirmed.invoice;
        let [_, paid, _] = amounts(invoice);
        Ok(Event {
            provider: PROVIDER,
            invoice_id: invoice.uuid.to_string(),
            order_id: invoice
                .order_id
                .clone()
                .or_else(|| confirmed.event.postback.order_id.clone()),
            lifecycle: invoice.status.lifecycle(),
            paid: Some(paid),
            dedup_key: confirmed.dedup_key(),
            provider_event: ProviderEvent::CryptoCloud(Box::new(confirmed)),
        })
    }
}

/// What the invoice asks, what reached the balance, and what is left to pay, in its coin.
fn amounts(invoice: &Invoice) -> [Money; 3] {
    let coin = invoice.currency.fullcode.as_str();
    [invoice.amount, invoice.received, invoice.to_surcharge].map(|a| Money::new(a.get(), coin))
}
