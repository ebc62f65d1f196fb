//! Delivering callbacks: each on its own background task, each attempt bounded by the delivery
//! timeout, retried on the provider's schedule in sandbox time, every attempt in the log.
//! A receiver that hangs or refuses holds up nothing but its own delivery.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::core::app::App;
use crate::core::state::{Invoice, Store};
use crate::core::trace;
use crate::Provider;

/// The most of a receiver's answer the log keeps.
const MAX_LOGGED_RESPONSE: usize = 2048;

/// What is sent, ready to be signed for each attempt.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    /// Signed once (an HMAC of the body, a key in it): every attempt sends the same bytes.
    Fixed {
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Signed afresh for every attempt by the provider's imitation
    /// ([`Imitation::sign_attempt`](crate::core::imitation::Imitation::sign_attempt)), as a
    /// token valid a few minutes from signing must be.
    PerAttempt { data: serde_json::Value },
}

impl Default for Payload {
    fn default() -> Self {
        Payload::Fixed {
            headers: Vec::new(),
            body: String::new(),
        }
    }
}

impl Payload {
    /// A delivery signed once: these headers and body on every attempt.
    pub fn fixed(headers: &http::HeaderMap, body: Vec<u8>) -> Self {
        Payload::Fixed {
            headers: headers
                .iter()
                .filter_map(|(name, value)| {
                    Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
                })
                .collect(),
            body: String::from_utf8(body)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        }
    }

    /// JSON sent as is, with nothing to sign it with.
    pub fn json(body: Vec<u8>) -> Self {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        Payload::fixed(&headers, body)
    }

    /// The request of one attempt: headers and body.
    fn request(&self, app: &App, provider: Provider) -> (http::HeaderMap, Vec<u8>) {
        match self {
            Payload::Fixed { headers, body } => {
                let headers = headers
                    .iter()
                    .filter_map(|(name, value)| {
                        Some((
                            http::HeaderName::from_bytes(name.as_bytes()).ok()?,
                            http::HeaderValue::from_str(value).ok()?,
                        ))
                    })
                    .collect();
                (headers, body.clone().into_bytes())
            }
            Payload::PerAttempt { data } => app
                .imitation(provider)
                .sign_attempt(app, data)
                .unwrap_or_default(),
        }
    }
}

/// When the provider counts a delivery as received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    /// HTTP 200.
    #[default]
    Status200,
    /// HTTP 200 with the body `OK`.
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

/// A callback a provider's imitation asks to deliver.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Outgoing {
    pub url: String,
    /// What it reports (the provider's status), for the log.
    pub event: String,
    pub payload: Payload,
    /// The waits, in sandbox time, before each retry (after the first attempt).
    #[serde(with = "seconds")]
    pub retry_delays: Vec<TimeDelta>,
    pub acceptance: Acceptance,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub id: u64,
    pub provider: Provider,
    pub invoice_id: String,
    pub event: String,
    pub url: String,
    pub content_type: String,
    /// The body as first signed (a token signed per attempt changes on each).
    pub body: String,
    /// The delivery this one re-sends, if it is a re-send.
    pub resend_of: Option<u64>,
    pub state: DeliveryState,
    pub max_attempts: usize,
    pub attempts: Vec<Attempt>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created: DateTime<Utc>,
    /// What is sent: kept in the database beside the record, never shown in the log.
    #[serde(skip)]
    pub outgoing: Outgoing,
}

/// Adds a delivery of `outgoing` to the log; [`start`] then sends it.
pub fn record(
    app: &App,
    store: &mut Store,
    invoice: &Invoice,
    outgoing: Outgoing,
    resend_of: Option<u64>,
    now: DateTime<Utc>,
) -> u64 {
    record_for(
        app,
        store,
        invoice.provider,
        &invoice.id,
        outgoing,
        resend_of,
        now,
    )
}

fn record_for(
    app: &App,
    store: &mut Store,
    provider: Provider,
    invoice_id: &str,
    outgoing: Outgoing,
    resend_of: Option<u64>,
    now: DateTime<Utc>,
) -> u64 {
    let id = store.next_delivery_id();
    let (headers, body) = outgoing.payload.request(app, provider);
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    store.add_delivery(DeliveryRecord {
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
        let original = store.delivery(id)?.clone();
        record_for(
            app,
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

/// Starts delivery `id` on a background task: its next attempt when it is due, and the
/// retries after it (a delivery kept in a database resumes where it stopped).
pub fn start(app: &Arc<App>, id: u64) {
    let task = tokio::spawn(run(app.clone(), id).instrument(trace::delivery(app, id)));
    app.track_delivery(task.abort_handle());
}

async fn run(app: Arc<App>, id: u64) {
    let Some((provider, outgoing, made, mut due)) = app.store().delivery(id).map(|d| {
        (
            d.provider,
            d.outgoing.clone(),
            d.attempts.len(),
            d.next_attempt_at,
        )
    }) else {
        return;
    };
    // A callback reports a change: it is not sent before the change is kept.
    if app.persist().await.is_err() {
        return;
    }
    let attempts = outgoing.retry_delays.len() + 1;
    for number in made + 1..=attempts {
        let Some(next) = due else { return };
        app.clock.sleep_until(next).await;
        let at = app.clock.now();
        let (headers, body) = outgoing.payload.request(&app, provider);
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
        // Kept before the next wait, so a restart neither repeats nor skips this attempt.
        let _ = app.persist().await;
        if accepted {
            return;
        }
    }
}

fn update(app: &App, id: u64, f: impl FnOnce(&mut DeliveryRecord)) {
    if let Some(d) = app.store().delivery_mut(id) {
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

/// Waits written as whole seconds of sandbox time.
mod seconds {
    use chrono::TimeDelta;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        delays: &[TimeDelta],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let seconds: Vec<i64> = delays.iter().map(TimeDelta::num_seconds).collect();
        seconds.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<TimeDelta>, D::Error> {
        let seconds = Vec::<i64>::deserialize(deserializer)?;
        Ok(seconds
            .into_iter()
            .filter_map(TimeDelta::try_seconds)
            .collect())
    }
}
