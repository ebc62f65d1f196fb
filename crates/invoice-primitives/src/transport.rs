//! How a generated client sends a request: credentials, signing, timeout and retries.
//!
//! Each generated `Client` carries a [`Config`] (progenitor's inner type) and implements
//! progenitor's `ClientHooks::exec` by calling [`exec`] (code written by `cargo xtask regen`,
//! not by hand). [`exec`] runs once per call, after the request's body is serialized, so a
//! signature covers exactly the bytes that go on the wire.

use std::fmt;
use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, RETRY_AFTER};
use reqwest::{Request, Response, StatusCode};
use sha2::Sha512;

/// A credential that is never shown: `Debug` and `Display` print `***`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for the code that must use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Written as the plain string: a secret that must travel (apiforcrypto's per-invoice
/// `secret_key`) is still never shown by `Debug`.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A credential that cannot be used: empty, or not valid in an HTTP header, or an
/// environment variable that is not set. Never contains the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialError(String);

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CredentialError {}

fn credential(what: &str, value: String) -> Result<Secret, CredentialError> {
    if value.trim().is_empty() {
        return Err(CredentialError(format!("{what} is empty")));
    }
    if HeaderValue::from_str(&value).is_err() {
        return Err(CredentialError(format!(
            "{what} contains characters that are not allowed in an HTTP header"
        )));
    }
    Ok(Secret(value))
}

fn from_env(variable: &str) -> Result<String, CredentialError> {
    std::env::var(variable).map_err(|_| CredentialError(format!("{variable} is not set")))
}

/// How a request is authenticated: headers added to the request about to be sent.
pub trait Authenticate: fmt::Debug + Send + Sync {
    /// Adds the credentials to `request`, whose body is final.
    fn authenticate(&self, request: &mut Request);
}

/// No credentials (apiforcrypto: the wallet id in the path identifies the merchant).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

impl Authenticate for NoAuth {
    fn authenticate(&self, _: &mut Request) {}
}

/// CryptoCloud: `Authorization: Token <API KEY>`.
#[derive(Debug, Clone)]
pub struct TokenAuth {
    api_key: Secret,
}

impl TokenAuth {
    /// The variable [`TokenAuth::from_env`] reads.
    pub const ENV: &'static str = "CRYPTOCLOUD_API_KEY";

    /// From the project's API key.
    pub fn new(api_key: impl Into<String>) -> Result<Self, CredentialError> {
        let api_key = credential("the API key", api_key.into())?;
        Ok(Self {
            api_key: Secret::new(format!("Token {}", api_key.expose())),
        })
    }

    /// From `CRYPTOCLOUD_API_KEY`.
    pub fn from_env() -> Result<Self, CredentialError> {
        Self::new(from_env(Self::ENV)?)
    }
}

impl Authenticate for TokenAuth {
    fn authenticate(&self, request: &mut Request) {
        let mut value =
            HeaderValue::from_str(self.api_key.expose()).expect("checked by TokenAuth::new");
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
    }
}

/// Cryptoprocessing: `X-Processing-Key: <API KEY>` and `X-Processing-Signature`, the lowercase
/// hex HMAC-SHA512 of the exact body bytes keyed with the secret key.
#[derive(Debug, Clone)]
pub struct HmacAuth {
    api_key: Secret,
    secret: Secret,
}

impl HmacAuth {
    /// The variables [`HmacAuth::from_env`] reads: the API key, then the secret key.
    pub const ENV: [&'static str; 2] = ["CRYPTOPROCESSING_API_KEY", "CRYPTOPROCESSING_SECRET"];

    /// The header carrying the API key.
    pub const KEY_HEADER: &'static str = "x-processing-key";
    /// The header carrying the signature.
    pub const SIGNATURE_HEADER: &'static str = "x-processing-signature";

    /// From the API key and the secret key of the merchant account.
    pub fn new(
        api_key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Result<Self, CredentialError> {
        Ok(Self {
            api_key: credential("the API key", api_key.into())?,
            // The secret only keys the HMAC; it never goes in a header.
            secret: match secret.into() {
                secret if secret.trim().is_empty() => {
                    return Err(CredentialError("the secret key is empty".to_owned()))
                }
                secret => Secret(secret),
            },
        })
    }

    /// From `CRYPTOPROCESSING_API_KEY` and `CRYPTOPROCESSING_SECRET`.
    pub fn from_env() -> Result<Self, CredentialError> {
        Self::new(from_env(Self::ENV[0])?, from_env(Self::ENV[1])?)
    }

    /// The signature of `body`: lowercase hex HMAC-SHA512 keyed with the secret key.
    pub fn sign(&self, body: &[u8]) -> String {
        hmac_sha512_hex(self.secret.expose().as_bytes(), body)
    }
}

/// Lowercase hex HMAC-SHA512 of `message` under `key`.
pub fn hmac_sha512_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

impl Authenticate for HmacAuth {
    fn authenticate(&self, request: &mut Request) {
        // A GET has no body: the signature of no bytes.
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .unwrap_or_default();
        let signature = self.sign(body);
        let mut key = HeaderValue::from_str(self.api_key.expose()).expect("checked by new");
        key.set_sensitive(true);
        let signature = HeaderValue::from_str(&signature).expect("hex is a valid header");
        let headers = request.headers_mut();
        headers.insert(HeaderName::from_static(Self::KEY_HEADER), key);
        headers.insert(HeaderName::from_static(Self::SIGNATURE_HEADER), signature);
    }
}

/// When and how a call is sent again.
///
/// Only operations that read (CryptoCloud list and info, apiforcrypto get) are resent after a
/// response or a failure that may have reached the provider; creating an invoice is resent
/// only when the connection itself could not be made, so it never reaches the provider twice.
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
pub fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// `Retry-After` as a delay: seconds, or an HTTP date (a date already past is no delay).
pub fn retry_after(response: &Response) -> Option<Duration> {
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

/// A generated client's settings: credentials, per-request timeout, retry policy.
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

/// Sends `request` for a generated client: strips undocumented headers, authenticates, sets
/// the timeout, and retries as [`RetryPolicy`] allows. `read_only` says whether the operation
/// only reads (the generated code knows from the spec).
pub async fn exec<A: Authenticate>(
    config: &Config<A>,
    client: &reqwest::Client,
    mut request: Request,
    read_only: bool,
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
        let outcome = client.execute(request).await;
        let Some(next) = retry_copy else {
            return outcome;
        };
        let wait = match &outcome {
            Ok(response) if read_only && is_retryable_status(response.status()) => {
                Some(retry_after(response))
            }
            Err(e) if e.is_connect() => Some(None),
            Err(e) if read_only && (e.is_timeout() || e.is_request()) => Some(None),
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
    fn documented_signature_test_vector() {
        let auth = HmacAuth::new("key", "AbCdEfG123456").unwrap();
        assert_eq!(
            auth.sign(br#"{"currency":"BTC","foreign_id":"123456"}"#),
            "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba5\
             5b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec"
        );
    }

    #[test]
    fn secrets_are_not_shown() {
        let token = TokenAuth::new("tok-SECRET-123").unwrap();
        let hmac = HmacAuth::new("key-SECRET-456", "sig-SECRET-789").unwrap();
        let config = Config::new(hmac.clone());
        for text in [
            format!("{token:?}"),
            format!("{hmac:?}"),
            format!("{config:?}"),
            format!("{:#?}", Config::new(token)),
        ] {
            assert!(!text.contains("SECRET"), "{text}");
            assert!(text.contains("***"), "{text}");
        }
        let error = TokenAuth::new("bad\nSECRET").unwrap_err().to_string();
        assert!(!error.contains("SECRET"), "{error}");
        assert_eq!(
            HmacAuth::new("k", " ").unwrap_err().to_string(),
            "the secret key is empty"
        );
        assert_eq!(
            HmacAuth::new(" ", "s").unwrap_err().to_string(),
            "the API key is empty"
        );
        // The secret only keys the HMAC: any bytes will do.
        assert!(HmacAuth::new("k", "line\nbreak").is_ok());
    }

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
