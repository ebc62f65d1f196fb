//! How a generated client sends a request: credentials, signing, timeout and retries.
//!
//! Each generated `Client` carries a [`Config`] (progenitor's inner type) and implements
//! `ClientHooks::exec` by calling [`exec`] (code written by `cargo xtask regen`, not by hand).
//! [`exec`] runs once per call, after the request's body is serialized, so a signature covers
//! exactly the bytes that go on the wire. It reads each response body to the end inside the
//! attempt, so the timeout and the retries cover the whole response, and an error keeps the
//! body whatever the status.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::RETRY_AFTER;
use reqwest::{Request, Response, StatusCode};

use crate::auth::Authenticate;

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
}

impl<A: Authenticate> Config<A> {
    /// The credentials, with the default retry policy and the HTTP client's timeout.
    pub fn new(auth: A) -> Self {
        Self {
            auth,
            timeout: None,
            retry: RetryPolicy::default(),
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

impl<A: Authenticate> From<A> for Config<A> {
    fn from(auth: A) -> Self {
        Self::new(auth)
    }
}

/// What the generated code tells [`exec`] about the call.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Call {
    /// The operation only reads, so it may be resent after it reached the provider.
    pub read_only: bool,
}

/// Headers progenitor adds that no provider documents.
const UNDOCUMENTED_HEADERS: [&str; 1] = ["api-version"];

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

/// Reads `response`'s body to the end and gives back an equal response with the body in
/// memory (and in its extensions, as [`BufferedBody`]).
async fn buffer(response: Response) -> reqwest::Result<Response> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    let mut buffered = http::Response::new(body.clone());
    *buffered.status_mut() = status;
    *buffered.version_mut() = version;
    *buffered.headers_mut() = headers;
    buffered.extensions_mut().insert(BufferedBody(body));
    Ok(Response::from(buffered))
}

/// Sends `request` for a generated client: strips undocumented headers, authenticates, sets the timeout, reads the whole response, and retries as [`RetryPolicy`]
/// allows.
#[doc(hidden)]
pub async fn exec<A: Authenticate>(
    config: &Config<A>,
    client: &reqwest::Client,
    mut request: Request,
    call: Call,
) -> reqwest::Result<Response> {
    for name in UNDOCUMENTED_HEADERS {
        request.headers_mut().remove(name);
    }
    if let Some(timeout) = config.timeout {
        *request.timeout_mut() = Some(timeout);
    }
    collapse_slashes(&mut request);
    config.auth.authenticate(&mut request);

    let policy = &config.retry;
    let mut attempt = 1;
    loop {
        // A request whose body cannot be copied is sent once.
        let retry_copy = (attempt < policy.max_attempts)
            .then(|| request.try_clone())
            .flatten();
        let outcome = match client.execute(request).await {
            Ok(response) => buffer(response).await,
            Err(e) => Err(e),
        };
        let Some(next) = retry_copy else {
            return outcome;
        };
        let wait = match &outcome {
            Ok(response) if call.read_only && is_retryable_status(response.status()) => {
                Some(retry_after(response))
            }
            // The request never left: safe to resend whatever the operation.
            Err(e) if e.is_connect() => Some(None),
            // It may have reached the provider: only reads are resent. Nothing is decoded
            // here, so a decode error is a body broken off (or garbled) on the way.
            Err(e)
                if call.read_only
                    && (e.is_timeout() || e.is_request() || e.is_body() || e.is_decode()) =>
            {
                Some(None)
            }
            _ => None,
        };
        let Some(retry_after) = wait else {
            return outcome;
        };
        tokio::time::sleep(policy.delay(attempt, retry_after, fastrand::f64())).await;
        request = next;
        attempt += 1;
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
