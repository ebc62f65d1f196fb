//! [`Event`]: a verified notification, in provider-neutral terms.

use invoice_primitives::Lifecycle;
use invoice_webhooks::DedupKey;

use crate::{Money, Provider};

/// A notification that passed its provider's checks ([`Checkout::verify`](crate::Checkout::verify)).
///
/// Deduplicate by [`dedup_key`](Self::dedup_key): store it with the effect of the event, in
/// the same transaction, under a unique constraint, and answer a delivery whose key is stored
/// 200 without acting again.
///
/// What to credit: once [`lifecycle`](Self::lifecycle) [`is_paid`](Lifecycle::is_paid),
/// [`paid`](Self::paid) is what the provider reports as paid to the invoice in all; keep the
/// total credited per invoice and credit only what exceeds it. Per provider (the README's
/// "Receiving webhooks"):
///
/// | provider | `paid` | from |
/// | --- | --- | --- |
/// | CryptoCloud | `received` of the invoice as the provider confirms it, in `currency.fullcode` | the confirmation look-up, not the postback's unsigned fields |
/// | Cryptoprocessing | the sum of the callback's `transactions`, "the payments made to the invoice so far", in their coin | the signed callback; the docs' current example lists only the last part, so record each payment once with [`ProviderEvent::Cryptoprocessing`]'s `payments()` if you credit per payment |
/// | apiforcrypto | `value` once `PAID`, in `symbol`; otherwise not reported | the notification (`txs` holds only hashes, so an overpayment is not seen) |
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Event {
    /// Who sent it.
    pub provider: Provider,
    /// The invoice's id, as [`CreatedInvoice::invoice_id`](crate::CreatedInvoice::invoice_id)
    /// gave it.
    pub invoice_id: String,
    /// The merchant's order id, where reported (Cryptoprocessing's `foreign_id`).
    pub order_id: Option<String>,
    /// Where the invoice is now.
    pub lifecycle: Lifecycle,
    /// What was paid to the invoice so far, and in which coin, where reported.
    pub paid: Option<Money>,
    /// Equal for every delivery of the same notification, different when something new is
    /// reported.
    pub dedup_key: DedupKey,
    pub(crate) provider_event: ProviderEvent,
}

impl Event {
    /// The provider's own event, as the verifier typed it.
    pub fn provider_event(&self) -> &ProviderEvent {
        &self.provider_event
    }
}

/// A verified notification as each provider's verifier types it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ProviderEvent {
    /// The postback, with the invoice as CryptoCloud confirmed it.
    CryptoCloud(Box<invoice_webhooks::cryptocloud::Confirmed>),
    /// The callback.
    Cryptoprocessing(Box<invoice_webhooks::cryptoprocessing::Event>),
    /// The notification (its `secret_key` cleared).
    ApiForCrypto(Box<invoice_webhooks::apiforcrypto::Event>),
}
