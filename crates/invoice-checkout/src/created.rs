//! [`CreatedInvoice`]: what [`Checkout::create`](crate::Checkout::create) answers.

use chrono::{DateTime, Utc};
use invoice_webhooks::Secret;

use crate::Provider;

/// An invoice the provider created: where to send the customer, and until when.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CreatedInvoice {
    /// Who created it.
    pub provider: Provider,
    /// The provider's id of the invoice, as [`Checkout::status`](crate::Checkout::status) takes
    /// it and [`Event::invoice_id`](crate::Event::invoice_id) reports it: CryptoCloud's
    /// `INV-XXXXXXXX`, Cryptoprocessing's number, apiforcrypto's UUID.
    pub invoice_id: String,
    /// The payment page to send the customer to (CryptoCloud's `link`, Cryptoprocessing's
    /// `url`, apiforcrypto's `url_pay`); `None` only if apiforcrypto's answer lacks `url_pay`.
    pub payment_url: Option<String>,
    /// When the invoice expires, where the provider says: CryptoCloud's `expiry_date`;
    /// apiforcrypto's `expiry` when it reads as an RFC 3339 time (its format is not
    /// documented); Cryptoprocessing's create answer gives none.
    pub expires_at: Option<DateTime<Utc>>,
    pub(crate) secret_key: Option<Secret>,
    pub(crate) raw: ProviderCreated,
}

impl CreatedInvoice {
    /// The provider's own answer, as its client typed it.
    pub fn raw(&self) -> &ProviderCreated {
        &self.raw
    }

    /// apiforcrypto's `secret_key` for this invoice, which the checkout made and keeps in its
    /// [`KeyStore`](crate::KeyStore); `None` for the other providers.
    pub fn secret_key(&self) -> Option<&Secret> {
        self.secret_key.as_ref()
    }
}

/// A created invoice as each provider's client types it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ProviderCreated {
    /// CryptoCloud's `result`.
    CryptoCloud(Box<cryptocloud::types::CreatedInvoice>),
    /// Cryptoprocessing's `data`.
    Cryptoprocessing(Box<cryptoprocessing::types::Invoice>),
    /// apiforcrypto's invoice.
    ApiForCrypto(Box<apiforcrypto::types::Invoice>),
}
