//! The running sandbox: configuration, clock and state shared by every request, the router
//! that puts the providers, pages and control API under one server, and the operations that
//! change an invoice (and so send its callbacks).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::Router;
use chrono::TimeDelta;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tokio::task::{AbortHandle, JoinHandle};

use crate::config::Config;
use crate::core::clock::Clock;
use crate::core::deliveries::{self, Outgoing};
use crate::core::imitation::{Imitation, Table};
use crate::core::state::{self, Invoice, Lifecycle, Payment, Store};
use crate::core::storage::Storage;
use crate::core::{control, pages, trace};
use crate::Provider;

/// What every handler shares.
#[derive(Debug)]
pub struct App {
    pub config: Config,
    pub clock: Clock,
    /// `http://127.0.0.1:PORT`, for the links the sandbox hands out.
    pub root_url: String,
    /// The providers' imitations, one per provider.
    imitations: Table,
    store: Mutex<Store>,
    /// The database of `--state`, if the sandbox keeps its state.
    storage: Option<Storage>,
    /// Sends callbacks: no redirects followed, no proxy.
    pub http: reqwest::Client,
    deliveries: Mutex<Vec<AbortHandle>>,
}

impl App {
    /// The sandbox of `config`: with [`Config::state`], what the database holds (and the
    /// clock where it left off); otherwise empty.
    pub fn new(config: Config, root_url: String, imitations: Table) -> std::io::Result<Self> {
        // reqwest is built with rustls but no provider of its own: install the workspace's
        // (deliveries to an `https` URL need it, and reqwest panics without one).
        invoice_primitives::transport::install_tls_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("invoice-sandbox/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(std::io::Error::other)?;
        let (storage, store, clock) = match &config.state {
            Some(path) => {
                let (storage, restored) = Storage::open(path)?;
                let clock =
                    Clock::resumed(config.time_scale, restored.clock_offset_us.unwrap_or(0));
                (Some(storage), restored.store, clock)
            }
            None => (None, Store::new(false), Clock::new(config.time_scale)),
        };
        Ok(Self {
            clock,
            config,
            root_url,
            imitations,
            store: Mutex::new(store),
            storage,
            http,
            deliveries: Mutex::new(Vec::new()),
        })
    }

    /// The imitation of `provider`.
    pub fn imitation(&self, provider: Provider) -> &'static dyn Imitation {
        self.imitations
            .iter()
            .copied()
            .find(|i| i.provider() == provider)
            .unwrap_or_else(|| panic!("the table of imitations has no row for {provider}"))
    }

    /// The status `invoice`'s provider shows for it.
    pub fn status(&self, invoice: &Invoice) -> String {
        self.imitation(invoice.provider).status(invoice)
    }

    /// Waits until every change made so far is kept (at once without a database): what a
    /// request changed is durable before it is answered.
    pub async fn persist(&self) -> Result<(), String> {
        let Some(storage) = &self.storage else {
            return Ok(());
        };
        let seq = {
            let mut store = self.store();
            storage.send(&mut store, self.clock.offset_us())?
        };
        storage.durable(seq).await
    }

    /// Starts every delivery still pending (after a restart), each at its next attempt.
    pub fn resume_deliveries(self: &Arc<Self>) {
        let pending: Vec<u64> = self
            .store()
            .deliveries()
            .iter()
            .filter(|d| d.state == deliveries::DeliveryState::Pending)
            .map(|d| d.id)
            .collect();
        for id in pending {
            deliveries::start(self, id);
        }
    }

    /// Closes the database once what was sent is written; the handle joins its writer.
    pub fn close_storage(&self) -> Option<std::thread::JoinHandle<()>> {
        self.storage.as_ref().and_then(Storage::close)
    }

    /// The state. Never held across an `.await`.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long one delivery attempt may take.
    pub fn delivery_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.config.delivery_timeout_secs)
    }

    /// Keeps a delivery task's handle, so reset and shutdown can stop it.
    pub fn track_delivery(&self, task: AbortHandle) {
        let mut tasks = self.deliveries.lock().unwrap_or_else(|e| e.into_inner());
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }

    /// Stops every delivery still running.
    pub fn abort_deliveries(&self) {
        let tasks = std::mem::take(&mut *self.deliveries.lock().unwrap_or_else(|e| e.into_inner()));
        for task in tasks {
            task.abort();
        }
    }

    /// Forgets every invoice, wallet, withdrawal and delivery; stops pending deliveries.
    pub fn reset(&self) {
        self.abort_deliveries();
        self.store().clear();
    }

    /// Reads a request body, refusing one over the configured cap.
    pub async fn read_body(&self, body: Body) -> Result<Bytes, BodyTooLarge> {
        axum::body::to_bytes(body, self.config.max_body_bytes)
            .await
            .map_err(|_| BodyTooLarge)
    }

    /// Expires every open invoice whose time is up (and sends what that notifies).
    pub fn expire_due(self: &Arc<Self>) {
        let now = self.clock.now();
        let due: Vec<(Provider, String)> = self
            .store()
            .invoices()
            .iter()
            .filter(|i| !i.lifecycle.is_final() && i.expires <= now)
            .map(|i| (i.provider, i.id.clone()))
            .collect();
        for (provider, id) in due {
            let _ = self.change(provider, &id, |invoice, now| {
                if invoice.lifecycle.is_final() || invoice.expires > now {
                    return Err(ChangeError::Conflict("no longer due".into()));
                }
                invoice.lifecycle = Lifecycle::Expired;
                Ok(false)
            });
        }
    }

    /// Records a payment of `kind` (or of exactly `amount`).
    pub fn pay(
        self: &Arc<Self>,
        provider: Provider,
        id: &str,
        kind: PayKind,
        amount: Option<Decimal>,
    ) -> Result<Changed, ChangeError> {
        self.expire_due();
        self.change(provider, id, |invoice, _| {
            if invoice.lifecycle.is_final() {
                return Err(ChangeError::Conflict(format!(
                    "invoice {} is {}: it takes no more payments",
                    invoice.id,
                    lifecycle_word(invoice.lifecycle)
                )));
            }
            let remaining = invoice.remaining();
            let amount = match (kind, amount) {
                (_, Some(amount)) => amount,
                (PayKind::Full, None) => remaining,
                (PayKind::Part, None) => (remaining / Decimal::TWO).round_dp(8),
                (PayKind::Over, None) => remaining + (invoice.amount / Decimal::TEN).round_dp(8),
            };
            if !state::acceptable_amount(amount) {
                return Err(ChangeError::BadRequest(format!(
                    "the amount must be greater than zero and at most {}",
                    state::MAX_AMOUNT
                )));
            }
            let number = invoice.payments.len() as u64 + 1;
            invoice.payments.push(Payment {
                id: tx_number(&invoice.id, number),
                txid: state::txid(&invoice.id, number),
                amount,
            });
            let paid = invoice.paid();
            invoice.lifecycle = if paid < invoice.amount {
                Lifecycle::Partial
            } else if paid == invoice.amount {
                Lifecycle::Paid
            } else {
                Lifecycle::Overpaid
            };
            Ok(true)
        })
    }

    /// Expires an open invoice now, whatever its expiry time.
    pub fn expire(self: &Arc<Self>, provider: Provider, id: &str) -> Result<Changed, ChangeError> {
        self.finish(provider, id, Lifecycle::Expired)
    }

    /// Fails an open invoice (a payment that did not go through).
    pub fn fail(self: &Arc<Self>, provider: Provider, id: &str) -> Result<Changed, ChangeError> {
        self.finish(provider, id, Lifecycle::Failed)
    }

    fn finish(
        self: &Arc<Self>,
        provider: Provider,
        id: &str,
        to: Lifecycle,
    ) -> Result<Changed, ChangeError> {
        self.change(provider, id, |invoice, _| {
            if invoice.lifecycle.is_final() {
                return Err(ChangeError::Conflict(format!(
                    "invoice {} is already {}",
                    invoice.id,
                    lifecycle_word(invoice.lifecycle)
                )));
            }
            invoice.lifecycle = to;
            Ok(false)
        })
    }

    /// Changes one invoice with `change` (which says whether it added a payment), then sends
    /// the callback the provider sends for that change, if any. The store is locked while the
    /// change and the delivery record are made, never while anything is sent.
    pub fn change(
        self: &Arc<Self>,
        provider: Provider,
        id: &str,
        change: impl FnOnce(&mut Invoice, chrono::DateTime<chrono::Utc>) -> Result<bool, ChangeError>,
    ) -> Result<Changed, ChangeError> {
        let now = self.clock.now();
        let (changed, delivery) = {
            let mut store = self.store();
            let invoice = store
                .get_mut(provider, id)
                .ok_or_else(|| ChangeError::NotFound(format!("no {provider} invoice {id}")))?;
            let before = invoice.lifecycle;
            let new_payment = change(invoice, now)?;
            if invoice.lifecycle.is_final() && invoice.finished.is_none() {
                invoice.finished = Some(now);
            }
            let invoice = invoice.clone();
            let outgoing = self.notification(&invoice, before, new_payment);
            let delivery =
                outgoing.map(|o| deliveries::record(self, &mut store, &invoice, o, None, now));
            (
                Changed {
                    provider,
                    invoice_id: invoice.id.clone(),
                    lifecycle: invoice.lifecycle,
                    status: self.status(&invoice),
                    paid: invoice.paid(),
                    delivery,
                },
                delivery,
            )
        };
        if let Some(delivery) = delivery {
            deliveries::start(self, delivery);
        }
        Ok(changed)
    }

    /// The callback the provider sends for this change of `invoice`, if any.
    fn notification(
        &self,
        invoice: &Invoice,
        before: Lifecycle,
        new_payment: bool,
    ) -> Option<Outgoing> {
        self.imitation(invoice.provider)
            .notification(self, invoice, before, new_payment)
    }

    /// The customer's choice of `coin` for an invoice whose provider lets them choose.
    pub fn choose_coin(
        self: &Arc<Self>,
        provider: Provider,
        id: &str,
        coin: &str,
    ) -> Result<(), ChangeError> {
        let imitation = self.imitation(provider);
        self.change(provider, id, |invoice, _| {
            imitation.choose_coin(invoice, coin).map(|()| false)
        })
        .map(drop)
    }
}

/// A word for a lifecycle, for people.
pub fn lifecycle_word(lifecycle: Lifecycle) -> &'static str {
    match lifecycle {
        Lifecycle::Open => "waiting for payment",
        Lifecycle::Partial => "partly paid",
        Lifecycle::Paid => "paid",
        Lifecycle::Overpaid => "overpaid",
        Lifecycle::Expired => "expired",
        Lifecycle::Failed => "failed",
        Lifecycle::Canceled => "canceled",
    }
}

/// A transaction number, unique enough for one sandbox run.
fn tx_number(invoice_id: &str, n: u64) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{invoice_id}:{n}"));
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(&digest[..4]);
    i64::from(u32::from_be_bytes(bytes) % 900_000_000) + 100_000_000
}

/// How much a payment pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayKind {
    /// What is left to pay.
    Full,
    /// Half of what is left.
    Part,
    /// What is left plus a tenth of the invoice.
    Over,
}

/// The result of a change, as the control API reports it.
#[derive(Clone, Debug)]
pub struct Changed {
    pub provider: Provider,
    pub invoice_id: String,
    pub lifecycle: Lifecycle,
    /// The status the provider's API now shows.
    pub status: String,
    pub paid: Decimal,
    /// The delivery this change started, if the provider notifies it.
    pub delivery: Option<u64>,
}

/// Why a change was refused.
#[derive(Clone, Debug)]
pub enum ChangeError {
    NotFound(String),
    Conflict(String),
    BadRequest(String),
}

/// A request body over the cap.
#[derive(Clone, Copy, Debug)]
pub struct BodyTooLarge;

/// The whole sandbox as one router: each provider's API under `/<slug>`, the pages and the
/// control API.
pub fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for imitation in app.imitations {
        router = router.nest(
            &format!("/{}", imitation.provider().slug()),
            imitation.router(),
        );
    }
    router
        .merge(pages::router())
        .merge(control::router())
        // Every answer waits until what its request changed is kept (with `--state`).
        .layer(axum::middleware::from_fn_with_state(app.clone(), durable))
        // After every route is added: a layer wraps the routes there are.
        .layer(axum::middleware::from_fn(trace::requests))
        .with_state(app)
}

/// Answers once what the request changed is kept; 503 if it could not be.
async fn durable(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let response = next.run(request).await;
    match app.persist().await {
        Ok(()) => response,
        Err(error) => (http::StatusCode::SERVICE_UNAVAILABLE, error).into_response(),
    }
}

/// Expires invoices as sandbox time passes: checks a few times a second, and at once when
/// time is advanced.
pub fn spawn_expiry_watch(app: Arc<App>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut jumps = app.clock.jumps();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                changed = jumps.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
            app.expire_due();
            let _ = app.persist().await;
        }
    })
}

/// A span of sandbox time in minutes.
pub fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

/// Whether a request says its body is JSON (`Content-Type: application/json`, any parameters):
/// each provider refuses anything else with its own documented error.
pub fn is_json(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        })
}
