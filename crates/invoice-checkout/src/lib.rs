//! One checkout over CryptoCloud, Cryptoprocessing and apiforcrypto: create an invoice, look it
//! up, and verify its notifications in terms every provider shares, the provider chosen by
//! configuration.
//!
//! ```no_run
//! # async fn example() -> Result<(), invoice_checkout::CheckoutError> {
//! use invoice_checkout::{ApiforcryptoOrder, Checkout, Decimal, Lifecycle, Order};
//!
//! // INVOICE_PROVIDER=cryptocloud|cryptoprocessing|apiforcrypto, and that provider's keys.
//! let checkout = Checkout::from_env()?;
//! let order = Order::new(Decimal::new(4990, 2), "USD", "ORDER-1001")
//!     .success_url("https://shop.example/paid")
//!     .failure_url("https://shop.example/failed")
//!     .email("customer@shop.example")
//!     .apiforcrypto(ApiforcryptoOrder::new("ethereum", "USDT")); // only apiforcrypto needs it
//! let invoice = checkout.create(&order).await?;
//! println!("pay at {:?} before {:?}", invoice.payment_url, invoice.expires_at);
//!
//! // In the webhook handler: the request's headers and exact body bytes.
//! # let (headers, body) = (invoice_checkout::HeaderMap::new(), Vec::<u8>::new());
//! match checkout.verify(&headers, &body).await {
//!     Ok(event) if event.lifecycle.is_paid() => {
//!         println!("{:?} paid {:?} ({})", event.order_id, event.paid, event.dedup_key);
//!     }
//!     Ok(event) => println!("{} is {}", event.invoice_id, event.lifecycle),
//!     Err(error) => println!("answer {}: {error}", error.webhook_status()),
//! }
//!
//! // Where the provider has a look-up (not Cryptoprocessing: `CheckoutError::NotOffered`).
//! let status = checkout.status(&invoice.invoice_id).await?;
//! if status.lifecycle == Lifecycle::PartlyPaid {
//!     println!("{:?} of {:?} paid, {:?} due", status.paid, status.asked, status.due);
//! }
//! # Ok(()) }
//! ```
//!
//! # When to use it, and when a provider's own client
//!
//! Use the checkout when the application should not care which provider takes the money:
//! one code path, the provider a deployment setting. Each answer keeps the provider's own typed
//! value ([`CreatedInvoice::raw`], [`InvoiceStatus::raw`], [`Event::provider_event`]), and each
//! error the provider's own error ([`ProviderError`], [`Rejection`]). Use a provider's client
//! (crates `cryptocloud`, `cryptoprocessing`, `apiforcrypto`) for what only that provider has:
//! listing, cancelling, balances, statistics, withdrawals, static wallets.
//!
//! # The lifecycle
//!
//! Each provider's statuses map to one [`Lifecycle`]; the mapping is declared in the specs
//! next to each status enum (`x-lifecycle`, with the documentation's words for each value) and
//! generated into the clients (`InvoiceStatus::lifecycle()` and the like). This crate's README
//! has the table. Beyond the status, the checkout reads two facts the statuses do not carry:
//! an apiforcrypto invoice no longer `active` is expired (with or without a part paid), and a
//! Cryptoprocessing invoice `confirmed` with payments above its amount is overpaid.

mod apiforcrypto;
mod checkout;
mod created;
mod cryptocloud;
mod cryptoprocessing;
mod env;
mod error;
mod event;
mod keys;
mod money;
mod order;
mod provider;
mod status;

pub use apiforcrypto::ApiforcryptoSettings;
pub use checkout::Checkout;
pub use created::{CreatedInvoice, ProviderCreated};
pub use cryptocloud::CryptoCloudSettings;
pub use cryptoprocessing::CryptoprocessingSettings;
pub use error::{CheckoutError, ProviderError};
pub use event::{Event, ProviderEvent};
pub use keys::{KeyStore, MemoryKeys};
pub use money::Money;
pub use order::{ApiforcryptoOrder, CryptoprocessingOrder, Order};
pub use provider::{Provider, UnknownProvider};
pub use status::{InvoiceStatus, ProviderInvoice};

pub use invoice_primitives::{Decimal, Lifecycle};
pub use invoice_webhooks::{DedupKey, HeaderMap, Rejection, Secret};
