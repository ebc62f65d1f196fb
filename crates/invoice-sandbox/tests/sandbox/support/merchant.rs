//! A merchant for the payment scenarios: a webhook receiver on 127.0.0.1 that takes each
//! provider's deliveries exactly as the README's "Receiving webhooks" recommends, and the
//! books it keeps (orders keyed by order id, each credit made once under its key). It can be
//! told to fail, for the delivery patterns: down before reading a delivery, or crashed between
//! verifying one and storing it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use invoice_webhooks::apiforcrypto::{self, Delivery};
use invoice_webhooks::cryptoprocessing::{self, CallbackType};
use invoice_webhooks::signing::SignedDelivery;
use invoice_webhooks::tooling::{Changes, Keys, Tooling};
use invoice_webhooks::{cryptocloud, Secret, ACK_BODY};
use rust_decimal::Decimal;

/// An exact amount in a currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: String,
}

/// One order in the books.
#[derive(Clone, Debug, Default)]
pub struct Order {
    /// What was credited, by the key that makes each credit happen once.
    pub credits: BTreeMap<String, Money>,
    /// Payments on record but not credited: Cryptoprocessing's, until the invoice is confirmed
    /// (and for good, if it fails).
    pub uncredited: BTreeMap<String, Money>,
    /// Cryptoprocessing: a callback said `confirmed`.
    pub confirmed: bool,
    /// The dedup keys of the notifications stored.
    pub notifications: BTreeSet<String>,
    /// The provider's status each stored delivery reported, in the order they were stored.
    pub stored: Vec<String>,
}

impl Order {
    /// The total credited, if anything was.
    pub fn credited(&self) -> Option<Money> {
        total(self.credits.values())
    }

    /// Every payment on record, credited or not.
    pub fn on_record(&self) -> Option<Money> {
        total(self.credits.values().chain(self.uncredited.values()))
    }

    /// CryptoCloud: `total` is what the provider received for the invoice `key` so far; only
    /// what exceeds the total already credited is credited.
    fn credit_total(&mut self, key: String, total: Money) {
        let before = self.credits.get(&key).map_or(Decimal::ZERO, |m| m.amount);
        if total.amount > before {
            self.credits.insert(key, total);
        }
    }

    /// apiforcrypto: `money` credited once under `key`.
    fn credit_once(&mut self, key: String, money: Money) {
        self.credits.entry(key).or_insert(money);
    }

    /// Cryptoprocessing: a payment recorded once, credited at once if the invoice is confirmed.
    fn record_payment(&mut self, key: String, money: Money) {
        if self.credits.contains_key(&key) || self.uncredited.contains_key(&key) {
            return;
        }
        if self.confirmed {
            self.credits.insert(key, money);
        } else {
            self.uncredited.insert(key, money);
        }
    }

    /// Cryptoprocessing: the invoice is paid; every payment recorded for it is credited.
    fn confirm(&mut self) {
        self.confirmed = true;
        self.credits.append(&mut self.uncredited);
    }
}

/// The sum of amounts of one currency (mixed currencies are a failure of the test).
fn total<'a>(amounts: impl Iterator<Item = &'a Money>) -> Option<Money> {
    amounts.cloned().reduce(|sum, money| {
        assert_eq!(sum.currency, money.currency, "one currency per order");
        Money {
            amount: sum.amount + money.amount,
            currency: sum.currency,
        }
    })
}

/// How the merchant's server fails, for one order.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Answers 500 to the first `n` requests about the order without reading them: down.
    Down(usize),
    /// Verifies the first `n` deliveries about the order, then answers 500 without storing
    /// them: a crash between verifying and storing.
    Crash(usize),
}

/// What the merchant did with one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handled {
    Down,
    Crashed,
    Stored,
    /// Verified, but not about an invoice: answered 200, nothing stored.
    Ignored,
    /// Refused, with the rejection's code.
    Refused(&'static str),
}

/// The merchant: its books, its keys and its receiver.
pub struct Merchant {
    /// `http://127.0.0.1:PORT`: each provider's deliveries go to `/<provider slug>`.
    pub url: String,
    books: Mutex<BTreeMap<String, Order>>,
    faults: Mutex<HashMap<String, (Fault, usize)>>,
    handled: Mutex<Vec<(String, Handled)>>,
    cryptocloud: OnceLock<(cryptocloud::Verifier, ::cryptocloud::Client)>,
    cryptoprocessing: OnceLock<cryptoprocessing::Verifier>,
    /// apiforcrypto: the `secret_key` each invoice was created with, by invoice id.
    apiforcrypto_keys: Mutex<HashMap<String, Secret>>,
    server: OnceLock<tokio::task::AbortHandle>,
}

impl Drop for Merchant {
    fn drop(&mut self) {
        if let Some(server) = self.server.get() {
            server.abort();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Merchant {
    /// Listens on 127.0.0.1:0. The providers' verifiers come later, once the sandbox they
    /// check (and which needs this URL first) is running.
    pub async fn start() -> Arc<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the merchant's receiver");
        let merchant = Arc::new(Self {
            url: format!("http://{}", listener.local_addr().expect("its address")),
            books: Mutex::default(),
            faults: Mutex::default(),
            handled: Mutex::default(),
            cryptocloud: OnceLock::new(),
            cryptoprocessing: OnceLock::new(),
            apiforcrypto_keys: Mutex::default(),
            server: OnceLock::new(),
        });
        // The server holds the merchant weakly, so that dropping the merchant stops it.
        let app = Router::new()
            .route("/cryptocloud", post(cryptocloud_postback))
            .route("/cryptoprocessing", post(cryptoprocessing_callback))
            .route("/apiforcrypto", post(apiforcrypto_notification))
            .with_state(Arc::downgrade(&merchant));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let _ = merchant.server.set(server.abort_handle());
        merchant
    }

    /// Where a provider's deliveries go.
    pub fn endpoint(&self, provider: invoice_sandbox::Provider) -> String {
        format!("{}/{}", self.url, provider.slug())
    }

    /// A sandbox that sends CryptoCloud's postbacks and Cryptoprocessing's callbacks here
    /// (apiforcrypto's go to each invoice's own `url_callback`).
    pub async fn sandbox(&self) -> invoice_sandbox::SandboxHandle {
        use invoice_sandbox::Provider;
        let mut config = invoice_sandbox::Config::default();
        config.cryptocloud.postback_url = Some(self.endpoint(Provider::CryptoCloud));
        config.cryptoprocessing.callback_url = Some(self.endpoint(Provider::Cryptoprocessing));
        invoice_sandbox::Sandbox::start(config)
            .await
            .expect("the sandbox starts")
    }

    /// POSTs a delivery to the receiver for `provider`; the answer's status.
    pub async fn deliver(
        &self,
        provider: invoice_sandbox::Provider,
        delivery: SignedDelivery,
    ) -> u16 {
        super::http_client()
            .post(self.endpoint(provider))
            .headers(delivery.headers)
            .body(delivery.body)
            .send()
            .await
            .expect("the merchant answers")
            .status()
            .as_u16()
    }

    /// The README's CryptoCloud receiver: the replay guard, and the API client to confirm with.
    pub fn receive_cryptocloud(&self, project_secret: &str, client: ::cryptocloud::Client) {
        let verifier = cryptocloud::Verifier::new(Secret::new(project_secret))
            .with_replay_guard(cryptocloud::MemoryTokenStore::new());
        assert!(self.cryptocloud.set((verifier, client)).is_ok(), "set once");
    }

    /// The README's Cryptoprocessing receiver, with the API key checked too.
    pub fn receive_cryptoprocessing(&self, secret_key: &str, api_key: &str) {
        let verifier = cryptoprocessing::Verifier::new(Secret::new(secret_key))
            .with_api_key(Secret::new(api_key));
        assert!(self.cryptoprocessing.set(verifier).is_ok(), "set once");
    }

    /// apiforcrypto: stores the key an invoice was created with.
    pub fn keep_key(&self, invoice_id: &str, key: Secret) {
        lock(&self.apiforcrypto_keys).insert(invoice_id.to_owned(), key);
    }

    /// Makes the server fail for `order`, as `fault` says.
    pub fn fail(&self, order: &str, fault: Fault) {
        lock(&self.faults).insert(order.to_owned(), (fault, 0));
    }

    /// The order as the books hold it.
    pub fn order(&self, order: &str) -> Order {
        lock(&self.books).get(order).cloned().unwrap_or_default()
    }

    /// What was done with each request about `order`, in order.
    pub fn handled(&self, order: &str) -> Vec<Handled> {
        lock(&self.handled)
            .iter()
            .filter(|(o, _)| o == order)
            .map(|(_, h)| h.clone())
            .collect()
    }

    fn note(&self, order: &str, handled: Handled) {
        lock(&self.handled).push((order.to_owned(), handled));
    }

    /// Whether the fault `matches` for `order` uses up one more failure.
    fn fails(&self, order: &str, matches: fn(Fault) -> Option<usize>) -> bool {
        let mut faults = lock(&self.faults);
        match faults.get_mut(order) {
            Some((fault, used)) if matches(*fault).is_some_and(|n| *used < n) => {
                *used += 1;
                true
            }
            _ => false,
        }
    }

    /// A request before anything reads it: 500 while the server is down for its order.
    fn down(&self, order: Option<&str>) -> Option<(StatusCode, String)> {
        let order = order?;
        let down = |fault| match fault {
            Fault::Down(n) => Some(n),
            Fault::Crash(_) => None,
        };
        self.fails(order, down).then(|| {
            self.note(order, Handled::Down);
            (StatusCode::INTERNAL_SERVER_ERROR, "down".to_owned())
        })
    }

    fn refused(
        &self,
        order: Option<&str>,
        status: StatusCode,
        code: &'static str,
    ) -> (StatusCode, String) {
        self.note(order.unwrap_or(""), Handled::Refused(code));
        (status, code.to_owned())
    }

    /// Stores a verified delivery's effect on `order`, all of it in one step (a database
    /// transaction), then answers 200 `OK`; or crashes first, storing nothing.
    fn store(&self, order: &str, effect: impl FnOnce(&mut Order)) -> (StatusCode, String) {
        let crash = |fault| match fault {
            Fault::Crash(n) => Some(n),
            Fault::Down(_) => None,
        };
        if self.fails(order, crash) {
            self.note(order, Handled::Crashed);
            return (StatusCode::INTERNAL_SERVER_ERROR, "crashed".to_owned());
        }
        effect(lock(&self.books).entry(order.to_owned()).or_default());
        self.note(order, Handled::Stored);
        (StatusCode::OK, ACK_BODY.to_owned())
    }
}

/// `event` (a provider's notification, as JSON) signed by `tooling` with `keys`, as the
/// provider signs it.
pub fn signed(tooling: &dyn Tooling, keys: &Keys, event: &serde_json::Value) -> SignedDelivery {
    tooling
        .sign(keys, &event.to_string(), Changes::default())
        .expect("the event signs")
}

/// The order a delivery is about, read without verifying it: only to choose a fault.
fn peek_order(body: &[u8], path: &[&str]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let found = path.iter().try_fold(&value, |v, key| v.get(key))?;
    match found {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The merchant and the order a delivery is about (read without verifying it, at `path`), or
/// the answer when the receiver is closed or down for that order.
fn admit(
    merchant: &Weak<Merchant>,
    body: &[u8],
    path: &[&str],
) -> Result<(Arc<Merchant>, Option<String>), (StatusCode, String)> {
    let Some(merchant) = merchant.upgrade() else {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "closed".to_owned()));
    };
    let peeked = peek_order(body, path);
    match merchant.down(peeked.as_deref()) {
        Some(down) => Err(down),
        None => Ok((merchant, peeked)),
    }
}

/// CryptoCloud: verify and confirm with the API; credit the record's `received`, the invoice's
/// total, by its increase.
async fn cryptocloud_postback(
    State(merchant): State<Weak<Merchant>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let (merchant, peeked) = match admit(&merchant, &body, &["order_id"]) {
        Ok(admitted) => admitted,
        Err(answer) => return answer,
    };
    let (verifier, client) = merchant.cryptocloud.get().expect("a CryptoCloud receiver");
    let confirmed = match verifier.verify_and_confirm(&headers, &body, client).await {
        Ok(confirmed) => confirmed,
        Err(e) => return merchant.refused(peeked.as_deref(), e.status(), e.code()),
    };
    let invoice = &confirmed.invoice;
    let order = invoice
        .order_id
        .clone()
        .unwrap_or_else(|| invoice.uuid.to_string());
    merchant.store(&order, |o| {
        o.notifications.insert(confirmed.dedup_key().to_string());
        o.stored.push(invoice.status.as_str().to_owned());
        let received = Money {
            amount: invoice.received.get(),
            currency: invoice.currency.fullcode.as_str().to_owned(),
        };
        o.credit_total(invoice.uuid.to_string(), received);
    })
}

/// Cryptoprocessing: record every payment once, whatever the callback's status; credit them
/// all once a callback says `confirmed`.
async fn cryptoprocessing_callback(
    State(merchant): State<Weak<Merchant>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let (merchant, peeked) = match admit(&merchant, &body, &["foreign_id"]) {
        Ok(admitted) => admitted,
        Err(answer) => return answer,
    };
    let verifier = merchant
        .cryptoprocessing
        .get()
        .expect("a Cryptoprocessing receiver");
    let verified = match verifier.verify(&headers, &body) {
        Ok(verified) => verified,
        Err(e) => return merchant.refused(peeked.as_deref(), e.status(), e.code()),
    };
    let callback = &verified.callback;
    let order = callback
        .foreign_id
        .as_ref()
        .map_or_else(|| callback.id.to_string(), ToString::to_string);
    if callback.type_ != CallbackType::Invoice {
        merchant.note(&order, Handled::Ignored);
        return (StatusCode::OK, ACK_BODY.to_owned());
    }
    merchant.store(&order, |o| {
        o.notifications.insert(verified.dedup_key().to_string());
        o.stored.push(callback.status.as_str().to_owned());
        for (key, transaction) in verified.payments() {
            if let (Some(amount), Some(currency)) = (transaction.amount, &transaction.currency) {
                let money = Money {
                    amount: amount.get(),
                    currency: currency.clone(),
                };
                o.record_payment(key.to_string(), money);
            }
        }
        if callback.status == cryptoprocessing::InvoiceStatus::Confirmed {
            o.confirm();
        }
    })
}

/// apiforcrypto: the stored key; credit `value` once per invoice when it is `PAID`.
async fn apiforcrypto_notification(
    State(merchant): State<Weak<Merchant>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let (merchant, peeked) = match admit(&merchant, &body, &["data", "order_id"]) {
        Ok(admitted) => admitted,
        Err(answer) => return answer,
    };
    let verified = Delivery::read(&headers, &body).and_then(|delivery| {
        let stored = lock(&merchant.apiforcrypto_keys)
            .get(delivery.invoice_id())
            .cloned();
        delivery.verify(stored.as_ref())
    });
    let verified = match verified {
        Ok(verified) => verified,
        Err(e) => return merchant.refused(peeked.as_deref(), e.status(), e.code()),
    };
    let callback = &verified.callback;
    let order = callback
        .data
        .as_ref()
        .and_then(|d| d.order_id.clone())
        .unwrap_or_else(|| callback.id.clone());
    merchant.store(&order, |o| {
        o.notifications.insert(verified.dedup_key().to_string());
        o.stored.push(callback.status.as_str().to_owned());
        if callback.status == apiforcrypto::InvoiceStatus::Paid {
            if let (Some(value), Some(symbol)) = (callback.value, &callback.symbol) {
                let money = Money {
                    amount: value.get(),
                    currency: symbol.clone(),
                };
                o.credit_once(callback.id.clone(), money);
            }
        }
    })
}
