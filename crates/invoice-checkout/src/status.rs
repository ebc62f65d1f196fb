//! [`InvoiceStatus`]: what [`Checkout::status`](crate::Checkout::status) answers.

use invoice_primitives::Lifecycle;

use crate::{Money, Provider};

/// An invoice as the provider's look-up reports it: its lifecycle state and its amounts.
///
/// Each amount is in the currency the provider counts it in, and is `None` where the provider
/// does not report it:
///
/// | provider | `asked` | `paid` | `due` |
/// | --- | --- | --- | --- |
/// | CryptoCloud | `amount` | `received` ("credited to the balance") | `to_surcharge` ("remaining to be paid") |
/// | apiforcrypto | `value` | `value` once `PAID`; otherwise not reported | zero once `PAID`; otherwise not reported |
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct InvoiceStatus {
    /// Who was asked.
    pub provider: Provider,
    /// The invoice's id.
    pub invoice_id: String,
    /// The merchant's order id, where the provider reports it.
    pub order_id: Option<String>,
    /// Where the invoice is.
    pub lifecycle: Lifecycle,
    /// What the invoice asks, in the coin it is paid in.
    pub asked: Option<Money>,
    /// What was paid so far.
    pub paid: Option<Money>,
    /// What is still to pay.
    pub due: Option<Money>,
    pub(crate) raw: ProviderInvoice,
}

impl InvoiceStatus {
    /// The provider's own record, as its client typed it.
    pub fn raw(&self) -> &ProviderInvoice {
        &self.raw
    }
}

/// An invoice as each provider's look-up types it (Cryptoprocessing has none).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ProviderInvoice {
    /// From CryptoCloud's invoice information (`get_invoices`).
    CryptoCloud(Box<cryptocloud::types::Invoice>),
    /// From apiforcrypto's `get_invoice`.
    ApiForCrypto(Box<apiforcrypto::types::Invoice>),
}
