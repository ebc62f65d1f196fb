//! The sandbox's in-memory state: invoices (one model for the three providers, with each
//! provider's own request data beside it), static wallets, withdrawals and the delivery log.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::callbacks::DeliveryRecord;
use crate::Provider;

/// Where an invoice is in its life, whatever the provider calls it. Each provider module
/// maps it to its own status names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Waiting for payment.
    Open,
    /// Paid in part; still waiting for the rest.
    Partial,
    /// Paid exactly.
    Paid,
    /// Paid more than asked.
    Overpaid,
    /// Its time ran out before it was paid in full.
    Expired,
    /// Failed by the control API (a payment that did not go through).
    Failed,
    /// Canceled by the merchant through the API.
    Canceled,
}

impl Lifecycle {
    /// Whether nothing can happen to the invoice any more.
    pub fn is_final(self) -> bool {
        !matches!(self, Lifecycle::Open | Lifecycle::Partial)
    }

    /// Whether it was paid in full.
    pub fn is_paid(self) -> bool {
        matches!(self, Lifecycle::Paid | Lifecycle::Overpaid)
    }
}

/// One payment to an invoice.
#[derive(Clone, Debug)]
pub struct Payment {
    /// The payment's transaction id (a number, for providers that give one).
    pub id: i64,
    /// Its hash on the (imaginary) network.
    pub txid: String,
    /// The amount, in the invoice's payment currency.
    pub amount: Decimal,
}

/// An invoice of any provider.
#[derive(Clone, Debug)]
pub struct Invoice {
    pub provider: Provider,
    /// The identifier the provider's API and the payment page use (`INV-…`, a number, a UUID).
    pub id: String,
    /// The amount to pay, in `pay_currency`.
    pub amount: Decimal,
    /// The currency the customer pays in (what the page shows).
    pub pay_currency: String,
    /// The address the customer pays to.
    pub address: String,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub payments: Vec<Payment>,
    pub lifecycle: Lifecycle,
    /// When it became final.
    pub finished: Option<DateTime<Utc>>,
    /// What the payment page shows as its title.
    pub title: String,
    /// The amount as the merchant asked for it, when that is another currency
    /// (`49.90 USD`), for the payment page.
    pub quoted: Option<String>,
    /// The provider's own data about it.
    pub detail: Detail,
}

impl Invoice {
    /// The total paid so far.
    pub fn paid(&self) -> Decimal {
        self.payments.iter().map(|p| p.amount).sum()
    }

    /// What is left to pay (zero once paid in full).
    pub fn remaining(&self) -> Decimal {
        (self.amount - self.paid()).max(Decimal::ZERO)
    }
}

/// Each provider's own data about an invoice.
#[derive(Clone, Debug)]
pub enum Detail {
    CryptoCloud(crate::cryptocloud::Detail),
    Cryptoprocessing(crate::cryptoprocessing::Detail),
    ApiForCrypto(Box<crate::apiforcrypto::Detail>),
}

/// A CryptoCloud static wallet.
#[derive(Clone, Debug)]
pub struct StaticWallet {
    pub uuid: String,
    pub currency: String,
    pub address: String,
}

/// A CryptoCloud withdrawal.
#[derive(Clone, Debug)]
pub struct Withdrawal {
    pub currency: String,
    pub amount: Decimal,
    pub at: DateTime<Utc>,
}

/// Everything the sandbox holds.
#[derive(Debug)]
pub struct Store {
    /// In creation order.
    pub invoices: Vec<Invoice>,
    index: HashMap<(Provider, String), usize>,
    /// Counts everything numbered: invoice ids, transaction ids, wallet ids.
    pub serial: u64,
    /// Mixed into every id, so two runs (or a run after a reset) do not hand out the same
    /// ids to a merchant whose database remembers the last run's.
    pub id_seed: u64,
    pub static_wallets: Vec<StaticWallet>,
    pub withdrawals: Vec<Withdrawal>,
    /// The delivery log, oldest first.
    pub deliveries: Vec<DeliveryRecord>,
}

impl Default for Store {
    fn default() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Self {
            invoices: Vec::new(),
            index: HashMap::new(),
            serial: 0,
            id_seed: now.as_secs() ^ u64::from(now.subsec_nanos()),
            static_wallets: Vec::new(),
            withdrawals: Vec::new(),
            deliveries: Vec::new(),
        }
    }
}

impl Store {
    /// A fresh number.
    pub fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// A fresh number unique to this run: the serial offset by the run's seed.
    pub fn next_unique(&mut self) -> u64 {
        self.next_serial().wrapping_add(self.id_seed)
    }

    pub fn insert(&mut self, invoice: Invoice) {
        self.index
            .insert((invoice.provider, invoice.id.clone()), self.invoices.len());
        self.invoices.push(invoice);
    }

    pub fn get(&self, provider: Provider, id: &str) -> Option<&Invoice> {
        let at = *self.index.get(&(provider, id.to_owned()))?;
        self.invoices.get(at)
    }

    pub fn get_mut(&mut self, provider: Provider, id: &str) -> Option<&mut Invoice> {
        let at = *self.index.get(&(provider, id.to_owned()))?;
        self.invoices.get_mut(at)
    }

    /// The invoices of one provider, in creation order.
    pub fn of(&self, provider: Provider) -> impl Iterator<Item = &Invoice> {
        self.invoices.iter().filter(move |i| i.provider == provider)
    }
}

/// A text id from a number, in base 36 upper case, `width` characters (left-padded with `0`).
pub fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// A transaction hash for payment `n` of invoice `invoice_id` (64 hex digits, made up).
pub fn txid(invoice_id: &str, n: u64) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!("sandbox-tx:{invoice_id}:{n}")))
}

/// A made-up address in `currency`'s network for invoice `seed`.
pub fn address(currency: &str, seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = hex::encode(Sha256::digest(format!("sandbox-address:{currency}:{seed}")));
    let coin = currency.split('_').next().unwrap_or(currency);
    let network = currency.split('_').nth(1).unwrap_or("");
    match (coin, network) {
        ("BTC", _) => format!("bc1q{}", &digest[..38]),
        ("LTC", _) => format!("ltc1q{}", &digest[..38]),
        // USDTT: Cryptoprocessing's Tether on Tron.
        (_, "TRC20") | ("TRX" | "USDTT", _) => format!("T{}", &digest[..33]),
        _ => format!("0x{}", &digest[..40]),
    }
}

/// The sandbox's exchange rate of a currency into USD. Every fiat currency is quoted at par
/// with USD (the sandbox has no market); coins at round numbers.
pub fn usd_rate(currency: &str) -> Decimal {
    let coin = currency.split('_').next().unwrap_or(currency);
    match coin.to_ascii_uppercase().as_str() {
        "BTC" => Decimal::from(50_000),
        "ETH" => Decimal::from(2_500),
        "LTC" => Decimal::from(80),
        "BNB" => Decimal::from(600),
        "SOL" => Decimal::from(150),
        "TON" => Decimal::from(5),
        "TRX" => Decimal::new(1, 1),
        _ => Decimal::ONE,
    }
}

/// `amount` of `from` in `to`, at [`usd_rate`], to 8 decimals.
pub fn convert(amount: Decimal, from: &str, to: &str) -> Decimal {
    amount
        .checked_mul(usd_rate(from))
        .and_then(|usd| usd.checked_div(usd_rate(to)))
        .map_or(Decimal::MAX, |d| d.round_dp(8).normalize())
}

/// The largest amount the sandbox takes, in any currency: far above any real invoice, and
/// far enough below `Decimal`'s limit that no sum or conversion of amounts can overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xa4c6_8000, 0x0003_8d7e, 0, false, 0);

/// Whether `amount` is one the sandbox takes: above zero, at most [`MAX_AMOUNT`].
pub fn acceptable_amount(amount: Decimal) -> bool {
    amount > Decimal::ZERO && amount <= MAX_AMOUNT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_amount_is_a_quadrillion_and_conversions_of_it_do_not_overflow() {
        assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000_000i64));
        assert!(acceptable_amount(MAX_AMOUNT) && !acceptable_amount(MAX_AMOUNT + Decimal::ONE));
        assert!(!acceptable_amount(Decimal::ZERO));
        assert_eq!(
            convert(MAX_AMOUNT, "BTC", "USD").to_string(),
            "50000000000000000000"
        );
        assert_eq!(
            convert(Decimal::from(100), "USD", "BTC").to_string(),
            "0.002"
        );
    }
}
