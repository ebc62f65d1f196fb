//! [`Provider`]: which of the three providers a checkout talks to.

use std::fmt;
use std::str::FromStr;

/// One of the providers a [`Checkout`](crate::Checkout) can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// CryptoCloud (crate `cryptocloud`).
    CryptoCloud,
    /// Cryptoprocessing by CoinsPaid (crate `cryptoprocessing`).
    Cryptoprocessing,
    /// apiforcrypto (crate `apiforcrypto`).
    ApiForCrypto,
}

impl Provider {
    /// Every provider.
    pub const ALL: [Provider; 3] = [
        Provider::CryptoCloud,
        Provider::Cryptoprocessing,
        Provider::ApiForCrypto,
    ];

    /// The environment variable [`Checkout::from_env`](crate::Checkout::from_env) reads the
    /// provider from.
    pub const ENV: &'static str = "INVOICE_PROVIDER";

    /// The provider's name as configuration writes it: `cryptocloud`, `cryptoprocessing` or
    /// `apiforcrypto`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::CryptoCloud => "cryptocloud",
            Provider::Cryptoprocessing => "cryptoprocessing",
            Provider::ApiForCrypto => "apiforcrypto",
        }
    }

    /// Whether the provider documents a call that reads an invoice, so that
    /// [`Checkout::status`](crate::Checkout::status) can ask it. Cryptoprocessing documents
    /// none: its invoices are known from their callbacks only.
    pub fn offers_status(self) -> bool {
        !matches!(self, Provider::Cryptoprocessing)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A provider name that is none of `cryptocloud`, `cryptoprocessing` and `apiforcrypto`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProvider(pub String);

impl fmt::Display for UnknownProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown provider `{}` (expected cryptocloud, cryptoprocessing or apiforcrypto)",
            self.0
        )
    }
}

impl std::error::Error for UnknownProvider {}

impl FromStr for Provider {
    type Err = UnknownProvider;

    /// The provider [`name`](Provider::name) names, in any case, spaces around it ignored.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let name = text.trim();
        Provider::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownProvider(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_others_are_refused() {
        for provider in Provider::ALL {
            assert_eq!(provider.name().parse(), Ok(provider));
        }
        assert_eq!(" CryptoCloud ".parse(), Ok(Provider::CryptoCloud));
        let error = "coinbase".parse::<Provider>().unwrap_err().to_string();
        assert!(error.contains("`coinbase`"), "{error}");
    }
}
