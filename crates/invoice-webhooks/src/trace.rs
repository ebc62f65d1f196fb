//! What the verifiers record through `tracing`, all with target `invoice_webhooks`: one event
//! per verification (and a `rejected` one when CryptoCloud's confirmation refuses a verified
//! postback),
//!
//! | name | level | fields |
//! | --- | --- | --- |
//! | `accepted` | `INFO` | `provider`, `dedup_key` (the event's [`DedupKey`]) |
//! | `rejected` | `WARN` | `provider`, `code` ([`Rejection::code`]), `status` ([`Rejection::status`]) |
//!
//! Never a secret, key, signature, token or body: a dedup key holds the provider's identifiers
//! and statuses only, and a rejection is recorded by its code, not by its message (which may
//! quote a sanitized value the sender chose).

use crate::{DedupKey, Rejection, Verified};

/// The target of every event of this crate.
const TARGET: &str = "invoice_webhooks";

/// A provider's verified event: its name and its dedup key.
pub(crate) trait Keyed {
    /// The provider's name, as the generated crate's.
    const PROVIDER: &'static str;

    fn key(&self) -> DedupKey;
}

impl Keyed for crate::cryptocloud::Event {
    const PROVIDER: &'static str = "cryptocloud";

    fn key(&self) -> DedupKey {
        self.dedup_key()
    }
}

impl Keyed for crate::cryptoprocessing::Event {
    const PROVIDER: &'static str = "cryptoprocessing";

    fn key(&self) -> DedupKey {
        self.dedup_key()
    }
}

impl Keyed for crate::apiforcrypto::Event {
    const PROVIDER: &'static str = "apiforcrypto";

    fn key(&self) -> DedupKey {
        self.dedup_key()
    }
}

/// Records a verification's outcome, and hands it back. The key is made only when a
/// subscriber wants the event.
pub(crate) fn verdict<E: Keyed>(
    outcome: Result<Verified<E>, Rejection>,
) -> Result<Verified<E>, Rejection> {
    match &outcome {
        Ok(verified) => tracing::info!(
            name: "accepted",
            target: TARGET,
            provider = E::PROVIDER,
            dedup_key = %verified.key(),
            "delivery accepted"
        ),
        Err(rejection) => rejected::<E>(rejection),
    }
    outcome
}

/// Records a rejection of a delivery of `E`'s provider.
pub(crate) fn rejected<E: Keyed>(rejection: &Rejection) {
    tracing::warn!(
        name: "rejected",
        target: TARGET,
        provider = E::PROVIDER,
        code = rejection.code(),
        status = rejection.status().as_u16(),
        "delivery rejected"
    );
}
