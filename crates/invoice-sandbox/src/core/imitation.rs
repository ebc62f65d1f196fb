//! The seam: what the core asks of a provider's imitation. One implementation per provider
//! (`src/provider/`), one row each in the table (`src/providers.rs`).

use std::sync::Arc;

use axum::Router;

use crate::core::app::{App, ChangeError};
use crate::core::deliveries::Outgoing;
use crate::core::state::{Invoice, Lifecycle};
use crate::Provider;

/// One provider's imitation. Its own data about an invoice is [`Invoice::detail`], which it
/// writes and reads; the core only stores it.
pub trait Imitation: Send + Sync + std::fmt::Debug {
    /// The provider it imitates: its API is served under `/<slug>`.
    fn provider(&self) -> Provider;

    /// Its API's routes, relative to `/<slug>`, with a fallback for any other path (its own
    /// documented error).
    fn router(&self) -> Router<Arc<App>>;

    /// The status its API shows for `invoice`.
    fn status(&self, invoice: &Invoice) -> String;

    /// The callback it sends because `invoice` changed from `before` (with a new payment or
    /// not), if it sends one.
    fn notification(
        &self,
        app: &App,
        invoice: &Invoice,
        before: Lifecycle,
        new_payment: bool,
    ) -> Option<Outgoing>;

    /// One attempt of a delivery it signs afresh each time
    /// ([`Payload::PerAttempt`](crate::core::deliveries::Payload::PerAttempt)): the headers
    /// and body to send, or `None` if `data` is not what it wrote.
    fn sign_attempt(
        &self,
        app: &App,
        data: &serde_json::Value,
    ) -> Option<(http::HeaderMap, Vec<u8>)> {
        let _ = (app, data);
        None
    }

    /// The coins the customer may choose from to pay `invoice`, while its coin is not fixed.
    fn coin_choices(&self, invoice: &Invoice) -> Option<Vec<&'static str>> {
        let _ = invoice;
        None
    }

    /// The customer's choice of `coin` for `invoice`, before paying it.
    fn choose_coin(&self, invoice: &mut Invoice, coin: &str) -> Result<(), ChangeError> {
        let _ = (invoice, coin);
        Err(ChangeError::BadRequest(format!(
            "a {} invoice offers no choice of coin here",
            self.provider()
        )))
    }
}

/// The imitations the sandbox serves, one per provider.
pub type Table = &'static [&'static dyn Imitation];
