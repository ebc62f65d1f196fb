//! Delivering callbacks: each on its own background task, each attempt bounded by the delivery
//! timeout, retried on the provider's schedule in sandbox time, every attempt in the log.
//! A receiver that hangs or refuses holds up nothing but its own delivery.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use invoice_webhooks::signing::SignedDelivery;
use invoice_webhooks::Secret;
use serde::Serialize;
use tracing::Instrument;

use crate::app::App;
use crate::config::PostbackFormat;
use crate::state::{Invoice, Store};
use crate::{trace, Provider};

/// The most of a receiver's answer the log keeps.
const MAX_LOGGED_RESPONSE: usize = 2048;

/// What is sent, ready to be signed for each attempt.
#[derive(Clone, Debug)]
pub enum Payload {
    /// A CryptoCloud postback: signed afresh for every attempt, since its token is valid
    /// five minutes from signing and "issued afresh for each notification".
    CryptoCloud {
        postback: Box<cryptocloud::types::Postback>,
        format: PostbackFormat,
        secret: Secret,
    },
    /// A delivery signed once (Cryptoprocessing's HMAC, apiforcrypto's `secret_key`): every
    /// attempt sends the same bytes.
    Signed(SignedDelivery),
    /// JSON sent as is: an apiforcrypto notification of an invoice created without a
    /// `secret_key` (nothing to sign it with).
    Json(Vec<u8>),
}

impl Payload {
    /// The request of one attempt: method, headers and body.
    fn request(&self) -> (http::HeaderMap, Vec<u8>) {
        match self {
            Payload::CryptoCloud {
                postback,
                format,
                secret,
            } => {
                let signer = invoice_webhooks::cryptocloud::Signer::new(secret.clone());
                match format {
                    // The token signs the invoice id, not the body: nulls are added after.
                    PostbackFormat::Json => {
                        let delivery = signer.sign(postback);
                        let body =
                            crate::nulls::fill::<cryptocloud::types::Postback>(delivery.body);
                        (delivery.headers, body)
                    }
                    // A form leaves out what is null.
                    PostbackFormat::Form => {
                        let delivery = signer.sign_form(postback);
                        (delivery.headers, delivery.body)
                    }
                }
            }
            Payload::Signed(delivery) => (delivery.headers.clone(), delivery.body.clone()),
            Payload::Json(body) => {
                let mut headers = http::HeaderMap::new();
                headers.insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                (headers, body.clone())
            }
        }
    }
}

/// When the provider counts a delivery as received.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    /// HTTP 200.
    Status200,
    /// HTTP 200 with the body `OK` (apiforcrypto).
    Status200BodyOk,
}

impl Acceptance {
    fn accepts(self, status: u16, body: &str) -> bool {
        match self {
            Acceptance::Status200 => status == 200,
            Acceptance::Status200BodyOk => status == 200 && body.trim() == "OK",
        }
    }
}

/// A callback a provider module asks to deliver.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub url: String,
    /// What it reports (the provider's status), for the log.
    pub event: String,
    pub payload: Payload,
    /// The waits, in sandbox time, before each retry (after the first attempt).
    pub retry_delays: Vec<TimeDelta>,
    pub acceptance: Acceptance,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Attempts remain.
    Pending,
    /// The receiver accepted it.
    Delivered,
    /// Every attempt failed.
    GaveUp,
}

/// One attempt.
#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    /// 1 for the first.
    pub number: usize,
    /// Sandbox time it was made.
    pub at: DateTime<Utc>,
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// The start of its answer, or what went wrong.
    pub response: String,
    pub accepted: bool,
}

/// A delivery in the log.
#[derive(Clone, Debug, Serialize)]
pub struct DeliveryRecord {
    pub id: u64,
    pub provider: Provider,
    pub invoice_id: String,
    pub event: String,
    pub url: String,
    pub content_type: String,
    /// The body as first signed (a CryptoCloud token changes on each attempt).
    pub body: String,
    /// The delivery this one re-sends, if it is a re-send.
    pub resend_of: Option<u64>,
    pub state: DeliveryState,
    pub max_attempts: usize,
    pub attempts: Vec<Attempt>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    #[serde(skip)]
    outgoing: Outgoing,
}

/// Adds a delivery of `outgoing` to the log; [`start`] then sends it.
pub fn record(
    store: &mut Store,
    invoice: &Invoice,
    outgoing: Outgoing,
    resend_of: Option<u64>,
    now: DateTime<Utc>,
) -> u64 {
    record_for(
        store,
        invoice.provider,
        &invoice.id,
        outgoing,
        resend_of,
        now,
    )
}

fn record_for(
    store: &mut Store,
    provider: Provider,
    invoice_id: &str,
    outgoing: Outgoing,
    resend_of: Option<u64>,
    now: DateTime<Utc>,
) -> u64 {
    let id = store.deliveries.len() as u64 + 1;
    let (headers, body) = outgoing.payload.request();
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    store.deliveries.push(DeliveryRecord {
        id,
        provider,
        invoice_id: invoice_id.to_owned(),
        event: outgoing.event.clone(),
        url: outgoing.url.clone(),
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
        resend_of,
        state: DeliveryState::Pending,
        max_attempts: outgoing.retry_delays.len() + 1,
        attempts: Vec::new(),
        next_attempt_at: Some(now),
        created: now,
        outgoing,
    });
    id
}

/// Sends delivery `id` again, as a new delivery with its own retries: the same event, so a
/// receiver's de-duplication recognises it.
pub fn resend(app: &Arc<App>, id: u64) -> Option<u64> {
    let now = app.clock.now();
    let new_id = {
        let mut store = app.store();
        let original = store.deliveries.iter().find(|d| d.id == id)?.clone();
        record_for(
            &mut store,
            original.provider,
            &original.invoice_id,
            original.outgoing,
            Some(id),
            now,
        )
    };
    start(app, new_id);
    Some(new_id)
}

/// Starts delivery `id` on a background task.
pub fn start(app: &Arc<App>, id: u64) {
    let task = tokio::spawn(run(app.clone(), id).instrument(trace::delivery(app, id)));
    app.track_delivery(task.abort_handle());
}

async fn run(app: Arc<App>, id: u64) {
    let Some(outgoing) = app
        .store()
        .deliveries
        .iter()
        .find(|d| d.id == id)
        .map(|d| d.outgoing.clone())
    else {
        return;
    };
    let attempts = outgoing.retry_delays.len() + 1;
    let mut due = None;
    for number in 1..=attempts {
        if let Some(due) = due {
            app.clock.sleep_until(due).await;
        }
        let at = app.clock.now();
        let (headers, body) = outgoing.payload.request();
        trace::callback_body(&body);
        let started = Instant::now();
        let (status, response) = send(&app, &outgoing.url, headers, body).await;
        let accepted = status.is_some_and(|s| outgoing.acceptance.accepts(s, &response));
        // The next attempt's time is fixed in the same step that logs this one, so whoever
        // reads the log and then advances time moves past it.
        due = match outgoing.retry_delays.get(number - 1) {
            Some(delay) if !accepted => Some(app.clock.now() + *delay),
            _ => None,
        };
        let next_in = outgoing.retry_delays.get(number - 1).filter(|_| !accepted);
        trace::attempt(
            number,
            status,
            &response,
            accepted,
            started.elapsed(),
            next_in.copied(),
        );
        update(&app, id, |d| {
            d.attempts.push(Attempt {
                number,
                at,
                status,
                response,
                accepted,
            });
            d.next_attempt_at = due;
            if accepted {
                d.state = DeliveryState::Delivered;
            } else if due.is_none() {
                d.state = DeliveryState::GaveUp;
            }
        });
        if accepted {
            return;
        }
    }
}

fn update(app: &App, id: u64, f: impl FnOnce(&mut DeliveryRecord)) {
    if let Some(d) = app.store().deliveries.iter_mut().find(|d| d.id == id) {
        f(d);
    }
}

/// One attempt: the receiver's status and the start of its answer, or why there was none.
async fn send(
    app: &App,
    url: &str,
    headers: http::HeaderMap,
    body: Vec<u8>,
) -> (Option<u16>, String) {
    let attempt = async {
        let mut response = app
            .http
            .post(url)
            .headers(headers)
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let mut text = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            text.extend_from_slice(&chunk);
            if text.len() >= MAX_LOGGED_RESPONSE {
                text.truncate(MAX_LOGGED_RESPONSE);
                break;
            }
        }
        Ok::<_, reqwest::Error>((status, String::from_utf8_lossy(&text).into_owned()))
    };
    match tokio::time::timeout(app.delivery_timeout(), attempt).await {
        Ok(Ok((status, text))) => (Some(status), text),
        Ok(Err(error)) => (None, format!("error: {error}")),
        Err(_) => (
            None,
            format!("timed out after {} s", app.config.delivery_timeout_secs),
        ),
    }
}
