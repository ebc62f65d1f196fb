//! [`Order`]: what the customer is asked to pay, in terms every provider takes, with each
//! provider's own extras beside it.

use invoice_primitives::Decimal;

/// An invoice to create: a fiat amount and its currency, the merchant's order id, where to send
/// the customer afterwards and, optionally, the customer's e-mail; plus what only one provider
/// needs ([`ApiforcryptoOrder`], [`CryptoprocessingOrder`]).
///
/// What each provider takes from it:
///
/// | field | CryptoCloud | Cryptoprocessing | apiforcrypto |
/// | --- | --- | --- | --- |
/// | amount, currency | `amount`, `currency` (a fiat code it lists) | `amount`, `currency` | `fiatCurrency.value`, `fiatCurrency.currency` |
/// | order id | `order_id` | `foreign_id` (unless [`CryptoprocessingOrder::foreign_id`]) | `data.order_id` |
/// | success, failure URLs | not per invoice: the project's settings | `url_success`, `url_failed` (HTTPS, a domain name) | `data.url_success`, `data.url_failed` |
/// | e-mail | `email` | `email_user` | not taken |
///
/// Whatever a provider needs and the order lacks is refused before anything is sent
/// ([`CheckoutError::InvalidOrder`](crate::CheckoutError::InvalidOrder)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Order {
    /// The amount, in `currency`; exact.
    pub amount: Decimal,
    /// The fiat currency of the amount (`USD`, `EUR`).
    pub currency: String,
    /// The merchant's own order id.
    pub order_id: String,
    /// Where the customer goes after paying.
    pub success_url: Option<String>,
    /// Where the customer goes when the payment fails.
    pub failure_url: Option<String>,
    /// The customer's e-mail address.
    pub email: Option<String>,
    /// What apiforcrypto needs besides (required for apiforcrypto, ignored by the others).
    pub apiforcrypto: Option<ApiforcryptoOrder>,
    /// Cryptoprocessing's own settings of the invoice (ignored by the others).
    pub cryptoprocessing: Option<CryptoprocessingOrder>,
}

impl Order {
    /// An order of `amount` in the fiat `currency` (`USD`, `EUR`), under the merchant's own
    /// `order_id`.
    pub fn new(amount: Decimal, currency: impl Into<String>, order_id: impl Into<String>) -> Self {
        Self {
            amount,
            currency: currency.into(),
            order_id: order_id.into(),
            success_url: None,
            failure_url: None,
            email: None,
            apiforcrypto: None,
            cryptoprocessing: None,
        }
    }

    /// Where the customer goes after paying.
    pub fn success_url(mut self, url: impl Into<String>) -> Self {
        self.success_url = Some(url.into());
        self
    }

    /// Where the customer goes when the payment fails.
    pub fn failure_url(mut self, url: impl Into<String>) -> Self {
        self.failure_url = Some(url.into());
        self
    }

    /// The customer's e-mail address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// What apiforcrypto needs besides: the chain and coin to be paid in. Required for
    /// apiforcrypto, ignored by the others.
    pub fn apiforcrypto(mut self, extras: ApiforcryptoOrder) -> Self {
        self.apiforcrypto = Some(extras);
        self
    }

    /// Cryptoprocessing's own settings of the invoice; without them the defaults of
    /// [`CryptoprocessingOrder::new`]. Ignored by the others.
    pub fn cryptoprocessing(mut self, extras: CryptoprocessingOrder) -> Self {
        self.cryptoprocessing = Some(extras);
        self
    }

    /// What every provider needs: an amount above zero, a currency and an order id.
    pub(crate) fn check_common(&self) -> Result<(), String> {
        if self.amount <= Decimal::ZERO {
            return Err(format!(
                "the amount must be above zero, not {}",
                self.amount
            ));
        }
        if self.currency.trim().is_empty() {
            return Err("the currency is empty".into());
        }
        if self.order_id.trim().is_empty() {
            return Err("the order id is empty".into());
        }
        Ok(())
    }
}

/// What apiforcrypto needs and the other providers do not: the blockchain and the coin or token
/// the invoice is paid in (`ethereum`, `USDT`). The wallet is the checkout's
/// ([`ApiforcryptoSettings`](crate::ApiforcryptoSettings)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiforcryptoOrder {
    /// The blockchain (`ethereum`).
    pub blockchain: String,
    /// The coin or token symbol (`USDT`).
    pub symbol: String,
}

impl ApiforcryptoOrder {
    /// Paid on `blockchain` in `symbol` (the create request's `blockchain` and `symbol`).
    pub fn new(blockchain: impl Into<String>, symbol: impl Into<String>) -> Self {
        Self {
            blockchain: blockchain.into(),
            symbol: symbol.into(),
        }
    }
}

/// Cryptoprocessing's own settings of an invoice.
///
/// Its `foreign_id` is "unique per merchant: a second invoice with the same `foreign_id` is
/// refused". The order id is sent as the `foreign_id` unless one is given here: to invoice the
/// same order again (after a failed or expired invoice), give each attempt its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CryptoprocessingOrder {
    /// The `foreign_id` to send instead of the order id.
    pub foreign_id: Option<String>,
    /// The title the customer sees, instead of `Order <order id>`.
    pub title: Option<String>,
    /// Whether the invoice expires 15 minutes after it is created.
    pub timer: bool,
    /// Whether the invoice may be paid in parts until it expires.
    pub partial_payments: bool,
}

impl CryptoprocessingOrder {
    /// The defaults: the order id as `foreign_id`, the title `Order <order id>`, no timer, and
    /// a standard invoice (paid in one go).
    pub fn new() -> Self {
        Self::default()
    }

    /// The `foreign_id` to send instead of the order id (at most 255 characters, no personal
    /// data).
    pub fn foreign_id(mut self, foreign_id: impl Into<String>) -> Self {
        self.foreign_id = Some(foreign_id.into());
        self
    }

    /// The title the customer sees (1 to 50 characters).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// `timer: true`: "the invoice will expire in 15 minutes after it is created".
    pub fn timer(mut self, timer: bool) -> Self {
        self.timer = timer;
        self
    }

    /// `type: good_until_expired`: the invoice may be paid in parts until it expires.
    pub fn partial_payments(mut self, allowed: bool) -> Self {
        self.partial_payments = allowed;
        self
    }
}
