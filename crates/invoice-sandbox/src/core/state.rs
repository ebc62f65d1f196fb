//! The sandbox's state: invoices (one model for every provider, with each provider's own
//! data beside it as JSON), the records a provider keeps besides invoices, and the delivery
//! log. Every change is marked here, so that with `--state` the next commit writes exactly
//! what changed ([`crate::core::storage`]).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::core::deliveries::DeliveryRecord;
use crate::Provider;

/// Where an invoice is in its life, whatever the provider calls it. Each provider's
/// imitation maps it to its own status names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Payment {
    /// The payment's transaction id (a number, for providers that give one).
    pub id: i64,
    /// Its hash on the (imaginary) network.
    pub txid: String,
    /// The amount, in the invoice's payment currency.
    #[serde(with = "exact")]
    pub amount: Decimal,
}

/// An invoice of any provider.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Invoice {
    pub provider: Provider,
    /// The identifier the provider's API and the payment page use (`INV-…`, a number, a UUID).
    pub id: String,
    /// The amount to pay, in `pay_currency`.
    #[serde(with = "exact")]
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
    /// The merchant's own reference for it, when the provider refuses a second invoice with
    /// the same one (an order id used as a retry key): looked up by [`Store::by_reference`].
    #[serde(default)]
    pub reference: Option<String>,
    /// The provider's own data about it, as its imitation wrote it ([`Invoice::detail`]).
    pub detail: serde_json::Value,
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

    /// The provider's own data about it, as `D` (`None`: not a `D`).
    pub fn detail<D: DeserializeOwned>(&self) -> Option<D> {
        D::deserialize(&self.detail).ok()
    }
}

/// A record a provider keeps besides invoices (a static wallet, a withdrawal), as its
/// imitation wrote it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    pub provider: Provider,
    /// What it is, in the provider's words (`withdrawal`).
    pub kind: String,
    pub value: serde_json::Value,
}

/// The numbers the store hands out and keeps across restarts.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Counters {
    /// Counts everything numbered: invoice ids, transaction ids, wallet ids.
    pub serial: u64,
    /// Mixed into every id, so two runs (or a run after a reset) do not hand out the same
    /// ids to a merchant whose database remembers the last run's.
    pub id_seed: u64,
}

impl Counters {
    fn fresh() -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Self {
            serial: 0,
            id_seed: now.as_secs() ^ u64::from(now.subsec_nanos()),
        }
    }
}

/// What changed since the last commit, by position: invoices and records by their index,
/// deliveries by id.
#[derive(Debug, Default)]
pub struct Changes {
    /// Everything before was forgotten (a reset).
    pub cleared: bool,
    pub invoices: BTreeSet<usize>,
    pub records: BTreeSet<usize>,
    pub deliveries: BTreeSet<u64>,
    /// The counters or the clock moved.
    pub meta: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.cleared
            && !self.meta
            && self.invoices.is_empty()
            && self.records.is_empty()
            && self.deliveries.is_empty()
    }
}

/// Everything the sandbox holds.
#[derive(Debug)]
pub struct Store {
    /// In creation order.
    invoices: Vec<Invoice>,
    index: HashMap<(Provider, String), usize>,
    /// Invoices by [`Invoice::reference`].
    references: HashMap<(Provider, String), usize>,
    counters: Counters,
    /// In the order they were made.
    records: Vec<Record>,
    /// The delivery log, oldest first; a delivery's id is its position plus one.
    deliveries: Vec<DeliveryRecord>,
    /// Marked only when the store is kept in a database.
    changes: Option<Changes>,
}

impl Store {
    /// An empty store; `tracked`: mark every change for the database.
    pub fn new(tracked: bool) -> Self {
        Self {
            invoices: Vec::new(),
            index: HashMap::new(),
            references: HashMap::new(),
            counters: Counters::fresh(),
            records: Vec::new(),
            deliveries: Vec::new(),
            changes: tracked.then(Changes::default),
        }
    }

    /// A store as a database kept it.
    pub fn restored(
        counters: Counters,
        invoices: Vec<Invoice>,
        records: Vec<Record>,
        deliveries: Vec<DeliveryRecord>,
    ) -> Self {
        let index = invoices
            .iter()
            .enumerate()
            .map(|(at, i)| ((i.provider, i.id.clone()), at))
            .collect();
        let references = invoices
            .iter()
            .enumerate()
            .filter_map(|(at, i)| Some(((i.provider, i.reference.clone()?), at)))
            .collect();
        Self {
            invoices,
            index,
            references,
            counters,
            records,
            deliveries,
            changes: Some(Changes::default()),
        }
    }

    /// Forgets everything (new id seed too).
    pub fn clear(&mut self) {
        let tracked = self.changes.is_some();
        *self = Store::new(tracked);
        if let Some(changes) = &mut self.changes {
            changes.cleared = true;
            changes.meta = true;
        }
    }

    /// What changed since the last call (nothing when not tracked).
    pub fn take_changes(&mut self) -> Changes {
        self.changes
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    fn mark(&mut self, f: impl FnOnce(&mut Changes)) {
        if let Some(changes) = &mut self.changes {
            f(changes);
        }
    }

    /// Marks the clock as moved, so the next commit keeps it.
    pub fn clock_moved(&mut self) {
        self.mark(|c| c.meta = true);
    }

    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// A fresh number.
    pub fn next_serial(&mut self) -> u64 {
        self.counters.serial += 1;
        self.mark(|c| c.meta = true);
        self.counters.serial
    }

    /// A fresh number unique to this run: the serial offset by the run's seed.
    pub fn next_unique(&mut self) -> u64 {
        self.next_serial().wrapping_add(self.counters.id_seed)
    }

    /// The run's seed, mixed into ids.
    pub fn id_seed(&self) -> u64 {
        self.counters.id_seed
    }

    pub fn insert(&mut self, invoice: Invoice) {
        let at = self.invoices.len();
        self.index
            .insert((invoice.provider, invoice.id.clone()), at);
        if let Some(reference) = &invoice.reference {
            self.references
                .entry((invoice.provider, reference.clone()))
                .or_insert(at);
        }
        self.invoices.push(invoice);
        self.mark(|c| {
            c.invoices.insert(at);
        });
    }

    pub fn get(&self, provider: Provider, id: &str) -> Option<&Invoice> {
        let at = *self.index.get(&(provider, id.to_owned()))?;
        self.invoices.get(at)
    }

    /// The invoice of `provider` with the merchant's `reference` (the first, if several).
    pub fn by_reference(&self, provider: Provider, reference: &str) -> Option<&Invoice> {
        let at = *self.references.get(&(provider, reference.to_owned()))?;
        self.invoices.get(at)
    }

    /// The invoice, to change (marked changed).
    pub fn get_mut(&mut self, provider: Provider, id: &str) -> Option<&mut Invoice> {
        let at = *self.index.get(&(provider, id.to_owned()))?;
        self.mark(|c| {
            c.invoices.insert(at);
        });
        self.invoices.get_mut(at)
    }

    /// Every invoice, in creation order.
    pub fn invoices(&self) -> &[Invoice] {
        &self.invoices
    }

    /// The invoices of one provider, in creation order.
    pub fn of(&self, provider: Provider) -> impl Iterator<Item = &Invoice> {
        self.invoices.iter().filter(move |i| i.provider == provider)
    }

    /// Keeps a provider's record of `kind`.
    pub fn add_record(&mut self, provider: Provider, kind: &str, value: serde_json::Value) {
        let at = self.records.len();
        self.records.push(Record {
            provider,
            kind: kind.to_owned(),
            value,
        });
        self.mark(|c| {
            c.records.insert(at);
        });
    }

    /// A provider's records of `kind`, oldest first.
    pub fn records<'a>(
        &'a self,
        provider: Provider,
        kind: &'a str,
    ) -> impl Iterator<Item = &'a serde_json::Value> + 'a {
        self.records
            .iter()
            .filter(move |r| r.provider == provider && r.kind == kind)
            .map(|r| &r.value)
    }

    /// The record at position `at`, for the database.
    pub fn record_at(&self, at: usize) -> Option<&Record> {
        self.records.get(at)
    }

    /// The invoice at position `at`, for the database.
    pub fn invoice_at(&self, at: usize) -> Option<&Invoice> {
        self.invoices.get(at)
    }

    /// The delivery log, oldest first.
    pub fn deliveries(&self) -> &[DeliveryRecord] {
        &self.deliveries
    }

    /// The id the next delivery gets.
    pub fn next_delivery_id(&self) -> u64 {
        self.deliveries.len() as u64 + 1
    }

    /// Adds a delivery (its id [`Store::next_delivery_id`]).
    pub fn add_delivery(&mut self, delivery: DeliveryRecord) {
        let id = delivery.id;
        self.deliveries.push(delivery);
        self.mark(|c| {
            c.deliveries.insert(id);
        });
    }

    pub fn delivery(&self, id: u64) -> Option<&DeliveryRecord> {
        let at = usize::try_from(id.checked_sub(1)?).ok()?;
        self.deliveries.get(at)
    }

    /// The delivery, to change (marked changed).
    pub fn delivery_mut(&mut self, id: u64) -> Option<&mut DeliveryRecord> {
        let at = usize::try_from(id.checked_sub(1)?).ok()?;
        if at < self.deliveries.len() {
            self.mark(|c| {
                c.deliveries.insert(id);
            });
        }
        self.deliveries.get_mut(at)
    }
}

/// Amounts written as their exact text (`"0.00200000"`), read back digit for digit.
pub mod exact {
    use invoice_primitives::StringAmount;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(amount: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        StringAmount::new(*amount).serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        StringAmount::deserialize(deserializer).map(StringAmount::get)
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
        // USDTT: Tether on Tron, under one provider's code for it.
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
