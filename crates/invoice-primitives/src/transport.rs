//! How a generated client sends a request: credentials, signing, timeout and retries.
//!
//! Each generated `Client` carries a [`Config`] (progenitor's inner type) and implements
//! `ClientHooks::exec` by calling [`exec`] (code written by `cargo xtask regen`, not by hand).
//! [`exec`] runs once per call, after the request's body is serialized, so a signature covers
//! exactly the bytes that go on the wire. It reads each response body to the end inside the
//! attempt, so the timeout and the retries cover the whole response, and an error keeps the
//! body whatever the status.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::RETRY_AFTER;
use reqwest::{Request, Response, StatusCode};
use tracing::Level;

use crate::auth::{Authenticate, Scheme};
use crate::error::ApiError;
use crate::trace::{self, Reason, Redacted, Tracer};

/// When and how a call is sent again.
///
/// Only operations that read (every `GET`, and those the spec marks `x-read-only`) are resent
/// after a response or a failure that may have reached the provider; every other operation is
/// resent only when the connection itself could not be made, so it never reaches the provider
/// twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 turns retries off.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// Upper bound of any delay, `Retry-After` included.
    pub max_delay: Duration,
    /// Randomize each delay between half and all of its value, so that clients that failed
    /// together do not retry together.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, 250 ms then 500 ms (jittered), never more than 10 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The delay before retry number `retry` (1 for the first), honouring `Retry-After`;
    /// `random` is a number in `[0, 1)` used for jitter.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, random: f64) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let delay = self.base_delay.saturating_mul(factor).min(self.max_delay);
        if self.jitter {
            delay.mul_f64(0.5 + random.clamp(0.0, 1.0) / 2.0)
        } else {
            delay
        }
    }
}

/// Statuses after which a read is resent: rate limiting and server-side failures.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `Retry-After` as a delay: seconds, or an HTTP date (a date already past is no delay).
pub(crate) fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// A generated client's settings: credentials, per-attempt timeout, retry policy.
///
/// Clones share the record of when each paced operation was last sent (see
/// [`Operation::min_interval`]), as clients of one account do.
#[derive(Debug, Clone)]
pub struct Config<A> {
    /// The credentials.
    pub auth: A,
    /// Time allowed for one attempt, from connecting to the end of the response body; `None`
    /// leaves it to the `reqwest::Client` (the generated `Client::new` gives it 30 s to
    /// connect and 30 s in all).
    pub timeout: Option<Duration>,
    /// When a call is sent again.
    pub retry: RetryPolicy,
    pacer: Arc<Pacer>,
}

impl<A: Authenticate> Config<A> {
    /// The credentials, with the default retry policy and the HTTP client's timeout.
    ///
    /// With the `rustls` feature, also makes sure a TLS provider is installed
    /// ([`install_tls_provider`]), before the generated `Client::new` builds its HTTP client.
    pub fn new(auth: A) -> Self {
        install_tls_provider();
        Self {
            auth,
            timeout: None,
            retry: RetryPolicy::default(),
            pacer: Arc::default(),
        }
    }

    /// Sets the time allowed for one attempt, overriding the HTTP client's.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the retry policy ([`RetryPolicy::none`] turns retries off).
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

/// With the `rustls` feature (the generated crates' default): installs rustls's `ring`
/// provider as the process's default TLS provider, unless one is installed already. Without
/// the feature it does nothing.
///
/// reqwest is built with rustls but without a provider of its own (its `rustls` feature would
/// compile aws-lc-rs), so it takes the process default, and panics when building a client if
/// there is none. [`Config::new`] calls this, so clients built by the generated crates are
/// always covered; call it yourself before building another `reqwest::Client` first (one
/// given to `Client::new_with_client`, say), or install a provider of your choice before.
/// Calling it again is cheap.
pub fn install_tls_provider() {
    #[cfg(feature = "rustls")]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one in between: either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

impl<A: Authenticate> From<A> for Config<A> {
    fn from(auth: A) -> Self {
        Self::new(auth)
    }
}

/// What the spec says of one operation that the transport needs; the generated crates list
/// theirs in `OPERATIONS`.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The spec's `operationId`.
    pub id: &'static str,
    /// It only reads (`GET`, or `x-read-only`), so it may be resent after it reached the
    /// provider.
    pub read_only: bool,
    /// Which credentials it takes (the spec's `security`).
    pub scheme: Scheme,
    /// The least time between two calls the provider allows (`x-min-interval-seconds`): a
    /// client refuses, before sending, a call that comes sooner after the last one it sent.
    pub min_interval: Option<Duration>,
}

impl Operation {
    /// An operation with the API's default credentials, neither read-only nor paced.
    pub const fn new(id: &'static str) -> Self {
        Self {
            id,
            read_only: false,
            scheme: Scheme::Default,
            min_interval: None,
        }
    }
}

/// When each paced operation was last sent by a client (and its clones).
#[derive(Debug, Default)]
struct Pacer(Mutex<HashMap<&'static str, Instant>>);

impl Pacer {
    /// Records a call of `operation` now, or says how long is left before one is allowed.
    fn admit(&self, operation: &Operation, now: Instant) -> Result<(), String> {
        let Some(interval) = operation.min_interval else {
            return Ok(());
        };
        let mut last = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&sent) = last.get(operation.id) {
            let elapsed = now.saturating_duration_since(sent);
            if elapsed < interval {
                return Err(format!(
                    "`{}` may be sent at most once every {} s: the last was sent {:.1} s ago, \
                     try again in {:.1} s",
                    operation.id,
                    interval.as_secs_f64(),
                    elapsed.as_secs_f64(),
                    (interval - elapsed).as_secs_f64()
                ));
            }
        }
        last.insert(operation.id, now);
        Ok(())
    }
}

/// A base URL ending in `/` meets a path starting with `/`: `http://host//v2/...` would be
/// another resource to a strict server. No documented path has an empty segment.
fn collapse_slashes(request: &mut Request) {
    let path = request.url().path();
    if path.contains("//") {
        let mut collapsed = String::with_capacity(path.len());
        for c in path.chars() {
            if !(c == '/' && collapsed.ends_with('/')) {
                collapsed.push(c);
            }
        }
        request.url_mut().set_path(&collapsed);
    }
}

/// A response body read to the end by [`exec`], kept in the response's extensions so that an
/// error for an undocumented status can keep it without another `await`.
#[derive(Debug, Clone)]
pub(crate) struct BufferedBody(pub(crate) Bytes);

/// The most [`buffer`] reserves from a response's `Content-Length` before the bytes arrive.
const PRESIZE_LIMIT: u64 = 4 << 20;

/// Reads `response`'s body to the end and keeps it in the response's extensions, as
/// [`BufferedBody`]. The response itself (status, headers, URL) stays as it came: nothing is
/// copied, and its body stream is left empty. It borrows the response rather than taking it,
/// so that the future holds no second copy of it.
async fn buffer(response: &mut Response) -> reqwest::Result<()> {
    let body = match response.chunk().await? {
        None => Bytes::new(),
        Some(first) => match response.chunk().await? {
            // The usual case for a small answer: one chunk, kept as it is.
            None => first,
            Some(second) => {
                // Sized from `Content-Length`, which the server chooses: capped, so a false
                // one cannot make us reserve more than a few pages' worth up front.
                let announced = response.content_length().unwrap_or(0).min(PRESIZE_LIMIT);
                let mut body = bytes::BytesMut::with_capacity(
                    (announced as usize).max(first.len() + second.len()),
                );
                body.extend_from_slice(&first);
                body.extend_from_slice(&second);
                while let Some(chunk) = response.chunk().await? {
                    body.extend_from_slice(&chunk);
                }
                body.freeze()
            }
        },
    };
    response.extensions_mut().insert(BufferedBody(body));
    Ok(())
}

/// Makes `request` ready to send for a generated client (its `pre` hook, once per call, after
/// the body is final): sets the timeout, authenticates with the operation's scheme, and paces
/// the operation. A call that cannot be authenticated or comes too soon is refused here,
/// before anything is sent.
#[doc(hidden)]
pub fn prepare<A: Authenticate, E>(
    config: &Config<A>,
    request: &mut Request,
    operation: &Operation,
) -> Result<(), ApiError<E>> {
    if let Some(timeout) = config.timeout {
        *request.timeout_mut() = Some(timeout);
    }
    collapse_slashes(request);
    config
        .auth
        .authenticate(request, operation.scheme)
        .map_err(|e| ApiError::InvalidRequest(format!("`{}`: {e}", operation.id)))?;
    config
        .pacer
        .admit(operation, Instant::now())
        .map_err(ApiError::InvalidRequest)
}

/// Sends a prepared `request` for a generated client: reads the whole response, and retries
/// as [`RetryPolicy`] allows. Each attempt, its outcome and each retry decision are recorded
/// through `T`, the crate's callsites ([`trace`](crate::trace)), in the current span: the
/// generated `send()` calls this inside its `send` span.
///
/// A plain function returning an `async move` block rather than an `async fn`: an `async fn`
/// keeps each argument twice in its future (the argument and the local it is moved into), and
/// the request is 264 bytes. Every call's future holds this one, so its size is paid per
/// request in flight.
#[doc(hidden)]
#[allow(clippy::manual_async_fn)] // on purpose: see above
pub fn exec<'a, A: Authenticate, T: Tracer>(
    config: &'a Config<A>,
    client: &'a reqwest::Client,
    mut request: Request,
    operation: Operation,
) -> impl Future<Output = reqwest::Result<Response>> + 'a {
    let span = trace::current::<T>();
    async move {
        let policy = &config.retry;
        // Attempts are timed, and bodies written out, only for a subscriber that wants them.
        let timed = T::enabled(Level::DEBUG);
        let bodies = T::enabled(Level::TRACE);
        if bodies {
            let body = request.body().and_then(reqwest::Body::as_bytes);
            span.in_scope(|| T::body("request", None, &Redacted(body.unwrap_or_default())));
        }
        let mut attempt = 1;
        loop {
            span.record("attempt", attempt);
            let started = timed.then(Instant::now);
            // A request whose body cannot be copied is sent once.
            let retry_copy = (attempt < policy.max_attempts)
                .then(|| request.try_clone())
                .flatten();
            // The response is read where it lies, not moved into a second local.
            let mut outcome = client.execute(request).await;
            if let Ok(response) = &mut outcome {
                if let Err(e) = buffer(response).await {
                    outcome = Err(e);
                }
            }
            if let Some(started) = started {
                span.in_scope(|| trace::attempt::<T>(attempt, &outcome, started.elapsed()));
            }
            if let (true, Ok(response)) = (bodies, &outcome) {
                let body = response.extensions().get::<BufferedBody>();
                let body = Redacted(body.map_or(&[][..], |b| &b.0));
                let status = Some(response.status().as_u16());
                span.in_scope(|| T::body("response", status, &body));
            }
            let Some(next) = retry_copy else {
                let why = if attempt < policy.max_attempts {
                    "the body cannot be sent again"
                } else {
                    "last attempt"
                };
                span.in_scope(|| not_retried::<T>(attempt, &outcome, why));
                return outcome;
            };
            let wait = match &outcome {
                Ok(response) if operation.read_only && is_retryable_status(response.status()) => {
                    Some(retry_after(response))
                }
                // The request never left: safe to resend whatever the operation.
                Err(e) if e.is_connect() => Some(None),
                // It may have reached the provider: only reads are resent. Nothing is decoded
                // here, so a decode error is a body broken off (or garbled) on the way.
                Err(e)
                    if operation.read_only
                        && (e.is_timeout() || e.is_request() || e.is_body() || e.is_decode()) =>
                {
                    Some(None)
                }
                _ => None,
            };
            let Some(retry_after) = wait else {
                let why = if operation.read_only {
                    "not a transient failure"
                } else {
                    "a write that may have reached the provider"
                };
                span.in_scope(|| not_retried::<T>(attempt, &outcome, why));
                return outcome;
            };
            let delay = policy.delay(attempt, retry_after, fastrand::f64());
            let wait_ms = delay.as_secs_f64() * 1000.0;
            span.in_scope(|| T::retrying(attempt, &Reason(&outcome), wait_ms));
            tokio::time::sleep(delay).await;
            request = next;
            attempt += 1;
        }
    }
}

/// `no retry` for a failure that is not resent: a transport error, 429 or a 5xx (any other
/// answer is final, not a failure).
fn not_retried<T: Tracer>(attempt: u32, outcome: &reqwest::Result<Response>, why: &'static str) {
    let failure = match outcome {
        Ok(response) => is_retryable_status(response.status()),
        Err(_) => true,
    };
    if failure && T::enabled(Level::DEBUG) {
        T::not_retried(attempt, &Reason(outcome), why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_bounded_and_jittered() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            jitter: false,
        };
        let delays: Vec<_> = (1..=6)
            .map(|n| policy.delay(n, None, 0.0).as_millis())
            .collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        let jittered = RetryPolicy {
            jitter: true,
            ..policy.clone()
        };
        assert_eq!(jittered.delay(2, None, 0.0), Duration::from_millis(100));
        let top = jittered.delay(2, None, 0.999_999);
        assert!(
            top < Duration::from_millis(200) && top > Duration::from_micros(199_990),
            "{top:?}"
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3)), 0.0),
            Duration::from_secs(1)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_millis(5)), 0.0),
            Duration::from_millis(5)
        );
        assert_eq!(
            policy.delay(u32::MAX, None, 0.0),
            Duration::from_millis(1000)
        );
    }

    #[test]
    fn paced_operations_are_refused_until_their_interval_has_passed() {
        let pacer = Pacer::default();
        let paced = Operation {
            min_interval: Some(Duration::from_secs(12)),
            ..Operation::new("create_withdrawal")
        };
        let start = Instant::now();
        assert_eq!(pacer.admit(&paced, start), Ok(()));
        let error = pacer
            .admit(&paced, start + Duration::from_millis(3_200))
            .unwrap_err();
        assert_eq!(
            error,
            "`create_withdrawal` may be sent at most once every 12 s: the last was sent 3.2 s \
             ago, try again in 8.8 s"
        );
        // A refused call does not count as sent; one at the interval is admitted.
        assert_eq!(pacer.admit(&paced, start + Duration::from_secs(12)), Ok(()));
        assert!(pacer
            .admit(&paced, start + Duration::from_secs(13))
            .is_err());
        // Other operations are never paced.
        let other = Operation::new("create_invoice");
        assert_eq!(pacer.admit(&other, start), Ok(()));
        assert_eq!(pacer.admit(&other, start), Ok(()));
    }

    #[test]
    fn retryable_statuses() {
        for code in [429, 500, 502, 503, 504] {
            assert!(
                is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
        for code in [200, 400, 401, 403, 404, 409, 422] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(code).unwrap()),
                "{code}"
            );
        }
    }
}
