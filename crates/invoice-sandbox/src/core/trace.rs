//! What the sandbox records through `tracing`, all with target `invoice_sandbox` (the binary
//! prints it on standard error, filtered by `RUST_LOG`):
//!
//! | name | kind, level | fields |
//! | --- | --- | --- |
//! | `request` | span, `INFO` | `method`, `path` (the route's template, `/_sandbox/api/{provider}/invoices/{id}`; `unmatched` when no route matched) |
//! | `answered` | event, `INFO` | `status`, `duration_ms` |
//! | `delivery` | span, `INFO` | `delivery` (its id in the log), `provider`, `invoice`, `event`, `url` (without query or user info), `resend_of` |
//! | `attempt` | event, `INFO` (`WARN` when it gave up) | `attempt`, `status` (when answered), `accepted`, `duration_ms`, then `wait_s` (sandbox time) before the next or `gave_up` |
//! | `body` | event, `TRACE` | `direction` (`callback`, `answer`), `body` ([`Redacted`]: credential members such as a `token` or a `secret_key` withheld) |
//!
//! Never recorded: headers (API keys, signatures), request bodies, a callback URL's query, and
//! bodies above `TRACE`.

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use chrono::TimeDelta;
use invoice_primitives::trace::Redacted;
use tracing::{Instrument, Level, Span};

use crate::core::app::App;

/// The target of every span and event of the sandbox.
const TARGET: &str = "invoice_sandbox";

/// The `request` span around every request, and its `answered` event (an axum middleware).
pub async fn requests(request: Request, next: Next) -> Response {
    let span = tracing::info_span!(
        target: TARGET,
        "request",
        method = %request.method(),
        path = request
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", MatchedPath::as_str),
    );
    // Timed only when recorded.
    let started = (!span.is_disabled()).then(Instant::now);
    let response = next.run(request).instrument(span.clone()).await;
    if let Some(started) = started {
        let _entered = span.enter();
        tracing::info!(
            name: "answered",
            target: TARGET,
            status = response.status().as_u16(),
            duration_ms = millis(started.elapsed()),
            "answered"
        );
    }
    response
}

/// The `delivery` span of delivery `id` of the log.
pub fn delivery(app: &App, id: u64) -> Span {
    if !tracing::enabled!(target: TARGET, Level::INFO) {
        return Span::none();
    }
    let store = app.store();
    let Some(record) = store.delivery(id) else {
        return Span::none();
    };
    tracing::info_span!(
        target: TARGET,
        "delivery",
        delivery = id,
        provider = %record.provider,
        invoice = %record.invoice_id,
        event = %record.event,
        url = %shown_url(&record.url),
        resend_of = record.resend_of,
    )
}

/// `body` of a callback about to be sent.
pub fn callback_body(body: &[u8]) {
    tracing::trace!(name: "body", target: TARGET, direction = "callback", body = %Redacted(body), "body");
}

/// `attempt` for attempt `number`: the receiver's `status` and `answer` (if it answered),
/// whether it `accepted`, and the wait before the next attempt (`None`: no more attempts).
pub fn attempt(
    number: usize,
    status: Option<u16>,
    answer: &str,
    accepted: bool,
    elapsed: Duration,
    next_in: Option<TimeDelta>,
) {
    let duration_ms = millis(elapsed);
    match next_in {
        _ if accepted => tracing::info!(
            name: "attempt", target: TARGET, attempt = number, status, accepted, duration_ms, "delivered"
        ),
        Some(wait) => tracing::info!(
            name: "attempt",
            target: TARGET,
            attempt = number,
            status,
            accepted,
            duration_ms,
            wait_s = wait.num_milliseconds() as f64 / 1000.0,
            "not accepted, retrying"
        ),
        None => tracing::warn!(
            name: "attempt",
            target: TARGET,
            attempt = number,
            status,
            accepted,
            duration_ms,
            gave_up = true,
            "not accepted, gave up"
        ),
    }
    // The answer (or reqwest's error, which names the URL with its query) only at TRACE.
    tracing::trace!(
        name: "body",
        target: TARGET,
        direction = "answer",
        body = %Redacted(answer.as_bytes()),
        "body"
    );
}

fn millis(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1000.0
}

/// A callback URL as recorded: scheme, host, port and path; a query or user info may hold a
/// receiver's secret.
fn shown_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.to_string()
        }
        Err(_) => "<not a URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_query_or_user_info() {
        assert_eq!(
            shown_url("https://me:pw@shop.example:8443/hooks/cc?key=s3cr3t#x"),
            "https://shop.example:8443/hooks/cc"
        );
        assert_eq!(shown_url("not a url"), "<not a URL>");
    }
}
