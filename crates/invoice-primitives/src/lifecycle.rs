//! [`Lifecycle`]: where an invoice is in its life, in terms every provider's statuses map to.
//!
//! Providers name their statuses each their own way (`partial`, `pending`, `PARTIALLY_PAID`).
//! Each spec says, next to a status enum, which state each of its values means, quoting the
//! provider's documentation (`x-lifecycle`); the generated clients give every such enum a
//! `lifecycle()` method from it. A value a provider adds later is [`Lifecycle::Unknown`],
//! never a guess.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where an invoice is in its life, whichever provider issued it.
///
/// The states are those the providers' documentation distinguishes; a provider that does not
/// tell two of them apart maps both to one (each spec's `x-lifecycle` says which, and why).
/// Written as snake case text (`awaiting_payment`) by `Display` and serde.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lifecycle {
    /// Created; nothing paid yet.
    AwaitingPayment,
    /// Paid in part; the rest may still come.
    PartlyPaid,
    /// A payment is on the network, waiting for the confirmations that make it count.
    Confirming,
    /// Paid in full.
    Paid,
    /// Paid more than was asked.
    Overpaid,
    /// Its time ran out with nothing paid.
    Expired,
    /// Its time ran out after part of it was paid.
    ExpiredPartlyPaid,
    /// Cancelled with nothing paid: by the merchant, or by the provider at its expiry where
    /// the provider gives both the same status.
    Cancelled,
    /// The provider gave up on it: unpaid, underpaid or unconfirmed in time, as that
    /// provider's failed status covers.
    Failed,
    /// A status this version does not know: nothing is assumed about it.
    Unknown,
}

impl Lifecycle {
    /// Every state, in the order an invoice may go through them, [`Unknown`](Self::Unknown)
    /// last.
    pub const ALL: [Lifecycle; 10] = [
        Lifecycle::AwaitingPayment,
        Lifecycle::PartlyPaid,
        Lifecycle::Confirming,
        Lifecycle::Paid,
        Lifecycle::Overpaid,
        Lifecycle::Expired,
        Lifecycle::ExpiredPartlyPaid,
        Lifecycle::Cancelled,
        Lifecycle::Failed,
        Lifecycle::Unknown,
    ];

    /// The state's name in snake case, as the specs' `x-lifecycle` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::AwaitingPayment => "awaiting_payment",
            Lifecycle::PartlyPaid => "partly_paid",
            Lifecycle::Confirming => "confirming",
            Lifecycle::Paid => "paid",
            Lifecycle::Overpaid => "overpaid",
            Lifecycle::Expired => "expired",
            Lifecycle::ExpiredPartlyPaid => "expired_partly_paid",
            Lifecycle::Cancelled => "cancelled",
            Lifecycle::Failed => "failed",
            Lifecycle::Unknown => "unknown",
        }
    }

    /// Paid in full: [`Paid`](Self::Paid) or [`Overpaid`](Self::Overpaid).
    pub fn is_paid(self) -> bool {
        matches!(self, Lifecycle::Paid | Lifecycle::Overpaid)
    }

    /// Nothing more will happen to the invoice: paid in full, expired, cancelled or failed.
    /// [`Unknown`](Self::Unknown) is not final: nothing is assumed about it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Lifecycle::Paid
                | Lifecycle::Overpaid
                | Lifecycle::Expired
                | Lifecycle::ExpiredPartlyPaid
                | Lifecycle::Cancelled
                | Lifecycle::Failed
        )
    }
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Text that names no [`Lifecycle`] state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownState(String);

impl fmt::Display for UnknownState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a lifecycle state", self.0)
    }
}

impl std::error::Error for UnknownState {}

impl FromStr for Lifecycle {
    type Err = UnknownState;

    /// The state [`as_str`](Lifecycle::as_str) names; other text is an error rather than
    /// [`Unknown`](Lifecycle::Unknown), which stands for a provider's unknown status, not for
    /// a typo.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Lifecycle::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
            .ok_or_else(|| UnknownState(text.to_owned()))
    }
}

impl Serialize for Lifecycle {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Lifecycle {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_from_its_name() {
        for state in Lifecycle::ALL {
            assert_eq!(state.as_str().parse::<Lifecycle>(), Ok(state));
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{state}\""));
            assert_eq!(serde_json::from_str::<Lifecycle>(&json).unwrap(), state);
        }
        assert!("Paid".parse::<Lifecycle>().is_err());
    }

    #[test]
    fn unknown_is_neither_paid_nor_final() {
        assert!(!Lifecycle::Unknown.is_paid() && !Lifecycle::Unknown.is_final());
        assert!(Lifecycle::Overpaid.is_paid() && Lifecycle::Overpaid.is_final());
        assert!(!Lifecycle::PartlyPaid.is_final() && !Lifecycle::Confirming.is_final());
        assert!(Lifecycle::ExpiredPartlyPaid.is_final() && !Lifecycle::ExpiredPartlyPaid.is_paid());
    }
}
