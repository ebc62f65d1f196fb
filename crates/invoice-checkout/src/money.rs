//! [`Money`]: an exact amount and the currency the provider named for it.

use std::fmt;

use invoice_primitives::Decimal;

/// An exact amount in a currency, the currency as the provider writes it (`USDT_TRC20`, `BTC`,
/// `EUR`): providers name coins their own way, so it is kept as text, not mapped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// The amount, exact (never through `f64`).
    pub amount: Decimal,
    /// The currency, as the provider wrote it.
    pub currency: String,
}

impl Money {
    /// `amount` of `currency`.
    pub fn new(amount: Decimal, currency: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into(),
        }
    }
}

impl fmt::Display for Money {
    /// `100.50 USDT_TRC20`: every digit the provider gave.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}
