//! [`Checkout`]: one type over the three providers' clients, the provider chosen when it is
//! built.

use http::HeaderMap;

use crate::apiforcrypto::Apiforcrypto;
use crate::cryptocloud::CryptoCloud;
use crate::cryptoprocessing::Cryptoprocessing;
use crate::{
    ApiforcryptoSettings, CheckoutError, CreatedInvoice, CryptoCloudSettings,
    CryptoprocessingSettings, Event, InvoiceStatus, Order, Provider,
};

/// Creates invoices, looks them up and verifies their notifications with one provider, in
/// terms every provider shares ([`Order`], [`CreatedInvoice`], [`InvoiceStatus`], [`Event`],
/// [`Lifecycle`](crate::Lifecycle)); each answer keeps the provider's own typed value.
///
/// Which provider is configuration, not a type: [`from_env`](Self::from_env) reads it from
/// `INVOICE_PROVIDER`, and the application holds a `Checkout` whichever it is. Cheap to clone
/// (the clients share their connections).
#[derive(Clone, Debug)]
pub struct Checkout {
    backend: Backend,
}

#[derive(Clone, Debug)]
enum Backend {
    CryptoCloud(CryptoCloud),
    Cryptoprocessing(Cryptoprocessing),
    ApiForCrypto(Apiforcrypto),
}

impl Checkout {
    /// A checkout on CryptoCloud.
    pub fn cryptocloud(client: cryptocloud::Client, settings: CryptoCloudSettings) -> Self {
        Self {
            backend: Backend::CryptoCloud(CryptoCloud { client, settings }),
        }
    }

    /// A checkout on Cryptoprocessing.
    pub fn cryptoprocessing(
        client: cryptoprocessing::Client,
        settings: CryptoprocessingSettings,
    ) -> Self {
        Self {
            backend: Backend::Cryptoprocessing(Cryptoprocessing { client, settings }),
        }
    }

    /// A checkout on apiforcrypto.
    pub fn apiforcrypto(client: apiforcrypto::Client, settings: ApiforcryptoSettings) -> Self {
        Self {
            backend: Backend::ApiForCrypto(Apiforcrypto { client, settings }),
        }
    }

    /// The provider this checkout uses.
    pub fn provider(&self) -> Provider {
        match &self.backend {
            Backend::CryptoCloud(_) => Provider::CryptoCloud,
            Backend::Cryptoprocessing(_) => Provider::Cryptoprocessing,
            Backend::ApiForCrypto(_) => Provider::ApiForCrypto,
        }
    }

    /// Creates an invoice for `order`. Whatever the provider needs and the order lacks is
    /// refused before anything is sent ([`CheckoutError::InvalidOrder`]); so is whatever the
    /// provider's client checks (its documented limits and rules, as
    /// [`CheckoutError::Api`]).
    ///
    /// Never resent after it may have reached the provider (the clients' retry policy).
    /// Cryptoprocessing refuses a second invoice with the same `foreign_id` (the order id,
    /// unless [`CryptoprocessingOrder::foreign_id`](crate::CryptoprocessingOrder::foreign_id)
    /// says otherwise), so sending the same order again cannot bill twice there; CryptoCloud
    /// and apiforcrypto keep the order id on the invoice but do not refuse a second one.
    pub async fn create(&self, order: &Order) -> Result<CreatedInvoice, CheckoutError> {
        order
            .check_common()
            .map_err(|reason| CheckoutError::InvalidOrder {
                provider: self.provider(),
                reason,
            })?;
        match &self.backend {
            Backend::CryptoCloud(p) => p.create(order).await,
            Backend::Cryptoprocessing(p) => p.create(order).await,
            Backend::ApiForCrypto(p) => p.create(order).await,
        }
    }

    /// Looks the invoice up with the provider: its lifecycle state and amounts. Cryptoprocessing
    /// documents no look-up: [`CheckoutError::NotOffered`] (its invoices are known from their
    /// callbacks, [`verify`](Self::verify)).
    pub async fn status(&self, invoice_id: &str) -> Result<InvoiceStatus, CheckoutError> {
        match &self.backend {
            Backend::CryptoCloud(p) => p.status(invoice_id).await,
            Backend::Cryptoprocessing(_) => Err(CheckoutError::NotOffered {
                provider: Provider::Cryptoprocessing,
                operation: "status",
            }),
            Backend::ApiForCrypto(p) => p.status(invoice_id).await,
        }
    }

    /// Checks a notification (`headers` as received, `body` its exact bytes) with the
    /// provider's verifier, and for CryptoCloud confirms it with the provider's record of the
    /// invoice, as the workspace README's "Receiving webhooks" recommends. Answer a verified
    /// one 200 `OK` once its effect is stored, and an error with
    /// [`CheckoutError::webhook_status`].
    pub async fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, CheckoutError> {
        match &self.backend {
            Backend::CryptoCloud(p) => p.verify(headers, body).await,
            Backend::Cryptoprocessing(p) => p.verify(headers, body),
            Backend::ApiForCrypto(p) => p.verify(headers, body),
        }
    }

    /// A checkout configured from the environment: the provider from `INVOICE_PROVIDER`
    /// (`cryptocloud`, `cryptoprocessing` or `apiforcrypto`), its client from the client's own
    /// `from_env`, and what the checkout needs besides:
    ///
    /// | provider | variables |
    /// | --- | --- |
    /// | CryptoCloud | `CRYPTOCLOUD_API_KEY` (and `CRYPTOCLOUD_BASE_URL`), `CRYPTOCLOUD_SHOP_ID`, `CRYPTOCLOUD_SECRET` (the project's secret key, which signs postbacks) |
    /// | Cryptoprocessing | `CRYPTOPROCESSING_API_KEY`, `CRYPTOPROCESSING_SECRET` (and `CRYPTOPROCESSING_BASE_URL`); callbacks are checked with both |
    /// | apiforcrypto | `APIFORCRYPTO_WALLET_ID`, optionally `APIFORCRYPTO_CALLBACK_URL` (and `APIFORCRYPTO_BASE_URL`) |
    ///
    /// `cargo run -p invoice-sandbox` prints these for the local sandbox. A missing variable is
    /// a [`CheckoutError::Config`] naming it.
    pub fn from_env() -> Result<Self, CheckoutError> {
        crate::env::from_env()
    }
}
