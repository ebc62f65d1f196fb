//! [`RedisTokenStore`]: the replay guard's records in Redis, shared by every instance that
//! receives postbacks (feature `redis`).
//!
//! Behind a load balancer, each postback reaches one of several instances. With a store per
//! instance ([`MemoryTokenStore`](super::MemoryTokenStore)), a token accepted by one instance
//! could be replayed with another body on the next; with one Redis for all, every instance
//! knows every token accepted.
//!
//! One round trip per verification, atomic on the server: a Lua script records the body's
//! digest under the token's digest unless the token is recorded already, and else returns
//! the digest recorded. Redis runs a script without interleaving any other command, so two
//! instances verifying the same token at the same moment cannot both record it. (`SET ... NX
//! GET` would do the same but needs Redis 7; a plain `SET NX` cannot tell a redelivery of the
//! same body from a replay without a second, separate `GET`.)
//!
//! - Key: [`DEFAULT_KEY_PREFIX`] (or [`with_key_prefix`](RedisTokenStoreBuilder::with_key_prefix))
//!   followed by the token's SHA-256 in hex ([`Fingerprint`](super::Fingerprint)); value: the
//!   body's SHA-256 in hex. Neither the token nor the body is sent to Redis.
//! - Expiry: the token's remaining lifetime as the verifier counts it (its `exp` plus the
//!   allowed clock skew), plus [`DEFAULT_EXPIRY_MARGIN`] for the skew between the instances'
//!   clocks: an instance whose clock runs late still accepts a token the others consider
//!   expired, and its record must still be there.
//! - Fails closed: Redis unreachable, failing, or slower than [`DEFAULT_TIMEOUT`] (or
//!   [`with_timeout`](RedisTokenStoreBuilder::with_timeout)) answers
//!   [`StoreUnavailable`], which the verifier turns into
//!   [`Rejection::ReplayGuardUnavailable`](crate::Rejection::ReplayGuardUnavailable), HTTP 503:
//!   never an acceptance. The connection is re-established in the background; once Redis
//!   answers again, so does the store.
//!
//! The records are as durable as the Redis that holds them: a Redis restarted without
//! persistence (or evicting keys under memory pressure) forgets the tokens of the last
//! minutes, one of which could then be replayed with another body until it expires. Run it
//! with `appendonly yes` and `maxmemory-policy noeviction` (a full Redis then refuses to
//! record, which fails closed), and keep
//! [`require_invoice_claim`](super::Verifier::require_invoice_claim) and
//! [`verify_and_confirm`](super::Verifier::verify_and_confirm) as further defences.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisError, Script};

use super::{AsyncTokenStore, StoreUnavailable, TokenUse};

/// How long a verification waits for Redis by default: 500 ms. A healthy Redis answers in
/// well under a millisecond on a local network; waiting longer only holds the request (and
/// the provider's connection) while Redis is in trouble. The postback is then refused with
/// HTTP 503, to be sent again.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);

/// How long a record outlives its token by default: 60 seconds, the verifier's default clock
/// skew ([`DEFAULT_LEEWAY`](super::DEFAULT_LEEWAY)), for the skew between instances.
pub const DEFAULT_EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// The prefix of the keys by default; the token's digest follows it.
pub const DEFAULT_KEY_PREFIX: &str = "invoice-webhooks:cryptocloud:token:";

/// The longest expiry given to a record: about 35 years, well within what Redis accepts (a
/// token valid that long is refused by the verifier's default maximum lifetime anyway).
const MAX_TTL_MS: u64 = 1 << 40;

/// Records `ARGV[1]` (the body's digest) under `KEYS[1]` (the token's digest) for `ARGV[2]`
/// milliseconds unless the key exists; returns nil when it recorded, else the value recorded.
static FIRST_USE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local recorded = redis.call('GET', KEYS[1])
if recorded then return recorded end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
",
    )
});

/// A replay guard's [`AsyncTokenStore`] in Redis, shared by every instance receiving
/// postbacks; use it with [`Verifier::verify_once`](super::Verifier::verify_once).
///
/// Not a (blocking) [`TokenStore`](super::TokenStore): a request to Redis would block an
/// async runtime's worker thread for up to the timeout.
///
/// Cheap to clone: clones share one multiplexed connection. `Debug` shows Redis' address and
/// database, never the URL's password.
///
/// ```no_run
/// # async fn run(headers: &http::HeaderMap, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// use invoice_webhooks::cryptocloud::{RedisTokenStore, Verifier};
/// use invoice_webhooks::Secret;
///
/// let tokens = RedisTokenStore::connect("redis://:password@redis.internal:6379/0").await?;
/// let verifier = Verifier::new(Secret::new("project secret"));
/// let verified = verifier.verify_once(headers, body, &tokens).await?; // 503 if Redis is down
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisTokenStore {
    connection: ConnectionManager,
    address: Arc<str>,
    key_prefix: Arc<str>,
    timeout: Duration,
    expiry_margin: Duration,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("address", &self.address)
            .field("key_prefix", &self.key_prefix)
            .field("timeout", &self.timeout)
            .field("expiry_margin", &self.expiry_margin)
            .finish_non_exhaustive()
    }
}

impl RedisTokenStore {
    /// Connects to the Redis at `url` (`redis://[:password@]host[:port][/database]`) with the
    /// defaults: [`DEFAULT_TIMEOUT`], [`DEFAULT_EXPIRY_MARGIN`], [`DEFAULT_KEY_PREFIX`]. Fails
    /// if the URL does not parse or Redis does not answer within the timeout, so that a
    /// misconfiguration shows at start; later failures are per verification
    /// ([`StoreUnavailable`]). Must be called within a tokio runtime.
    pub async fn connect(url: &str) -> Result<Self, RedisStoreError> {
        Self::builder(url).connect().await
    }

    /// A store for the Redis at `url`, with other settings than the defaults.
    pub fn builder(url: impl Into<String>) -> RedisTokenStoreBuilder {
        RedisTokenStoreBuilder {
            url: url.into(),
            timeout: DEFAULT_TIMEOUT,
            expiry_margin: DEFAULT_EXPIRY_MARGIN,
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
        }
    }

    /// The key a token's record is kept under: the prefix and the token's digest in hex.
    pub fn key(&self, token_use: &TokenUse) -> String {
        format!("{}{}", self.key_prefix, token_use.token().to_hex())
    }

    /// How long a record is kept: the token's remaining lifetime (`expires_at - now`) plus
    /// the expiry margin, in milliseconds (at least 1).
    fn ttl_ms(&self, token_use: &TokenUse) -> u64 {
        let remaining = token_use
            .expires_at()
            .duration_since(token_use.now())
            .unwrap_or(Duration::ZERO);
        let ttl = remaining.saturating_add(self.expiry_margin).as_millis();
        u64::try_from(ttl).unwrap_or(u64::MAX).clamp(1, MAX_TTL_MS)
    }
}

impl AsyncTokenStore for RedisTokenStore {
    async fn first_use(&self, token_use: &TokenUse) -> Result<bool, StoreUnavailable> {
        let body = token_use.body().to_hex();
        let mut invocation = FIRST_USE.key(self.key(token_use));
        invocation.arg(&body).arg(self.ttl_ms(token_use));
        let mut connection = self.connection.clone();
        let answer = tokio::time::timeout(
            self.timeout,
            invocation.invoke_async::<Option<String>>(&mut connection),
        )
        .await;
        let too_slow = || {
            StoreUnavailable::new(format!(
                "no answer from Redis at {} within {} ms",
                self.address,
                self.timeout.as_millis()
            ))
        };
        match answer {
            Ok(Ok(None)) => Ok(true),
            Ok(Ok(Some(recorded))) => Ok(recorded == body),
            // The connection's own response timeout (the same) may fire first.
            Ok(Err(error)) if error.is_timeout() => Err(too_slow()),
            Ok(Err(error)) => Err(StoreUnavailable::new(format!(
                "Redis at {}: {}",
                self.address,
                describe(&error)
            ))),
            Err(_) => Err(too_slow()),
        }
    }
}

/// The settings of a [`RedisTokenStore`], before it connects. `Debug` does not show the URL.
pub struct RedisTokenStoreBuilder {
    url: String,
    timeout: Duration,
    expiry_margin: Duration,
    key_prefix: String,
}

impl fmt::Debug for RedisTokenStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStoreBuilder")
            .field("address", &address(&self.url))
            .field("key_prefix", &self.key_prefix)
            .field("timeout", &self.timeout)
            .field("expiry_margin", &self.expiry_margin)
            .finish_non_exhaustive()
    }
}

impl RedisTokenStoreBuilder {
    /// How long a verification (or connecting, in [`connect`](Self::connect)) waits for Redis
    /// before the postback is refused with HTTP 503 ([`DEFAULT_TIMEOUT`] unless set).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long a record outlives its token ([`DEFAULT_EXPIRY_MARGIN`] unless set): at least
    /// the largest difference between the clocks of the instances.
    pub fn with_expiry_margin(mut self, margin: Duration) -> Self {
        self.expiry_margin = margin;
        self
    }

    /// The prefix of the keys ([`DEFAULT_KEY_PREFIX`] unless set), to keep them apart from
    /// other data in the same Redis database.
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Connects, waiting at most the timeout for Redis' first answer (see
    /// [`RedisTokenStore::connect`]). Must be called within a tokio runtime.
    pub async fn connect(self) -> Result<RedisTokenStore, RedisStoreError> {
        let address = address(&self.url);
        let failed = |reason: String| RedisStoreError {
            address: address.clone(),
            reason,
        };
        let client = Client::open(self.url.as_str()).map_err(|e| failed(describe(&e)))?;
        // Each attempt bounded by the timeout; a few retries, spaced less than the timeout
        // apart, so that a verification waiting for a reconnection can still be answered.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(3)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(self.timeout);
        let connecting = ConnectionManager::new_with_config(client, config);
        let connection = match tokio::time::timeout(self.timeout, connecting).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(error)) => return Err(failed(describe(&error))),
            Err(_) => {
                return Err(failed(format!(
                    "no answer within {} ms",
                    self.timeout.as_millis()
                )))
            }
        };
        Ok(RedisTokenStore {
            connection,
            address: address.into(),
            key_prefix: self.key_prefix.into(),
            timeout: self.timeout,
            expiry_margin: self.expiry_margin,
        })
    }
}

/// Why a [`RedisTokenStore`] could not be set up: the URL does not parse, or Redis did not
/// answer. Shows Redis' address, never the URL's password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedisStoreError {
    address: String,
    reason: String,
}

impl RedisStoreError {
    /// Redis' address and database (`127.0.0.1:6379/0`), as far as the URL could be read.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// What failed.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for RedisStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Redis at {} cannot serve as the token store: {}",
            self.address, self.reason
        )
    }
}

impl std::error::Error for RedisStoreError {}

/// Redis' address and database as parsed from `url` (`host:port/db`), without the user name,
/// password or query: what a log may show. The URL itself is never shown, even when it does
/// not parse (a password could make it unparsable).
fn address(url: &str) -> String {
    match Client::open(url) {
        Ok(client) => {
            let info = client.get_connection_info();
            format!("{}/{}", info.addr(), info.redis_settings().db())
        }
        Err(_) => "(an unparsable URL)".to_owned(),
    }
}

/// A Redis error in words of this crate's choosing: its category, the server's error code
/// (`READONLY`, `WRONGPASS`, `OOM`) or the I/O error's kind, never the error's detail text.
fn describe(error: &RedisError) -> String {
    if error.is_connection_refusal() {
        return "connection refused".to_owned();
    }
    if error.is_timeout() {
        return "timed out".to_owned();
    }
    if error.is_connection_dropped() {
        return "connection lost".to_owned();
    }
    let io = std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<std::io::Error>())
        .map(|io| format!("{:?}", io.kind()));
    let code = error.code().map(str::to_owned).or(io);
    match (error.category(), code) {
        ("", Some(code)) => code,
        (category, Some(code)) => format!("{category} ({code})"),
        (category, None) => category.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_never_shows_the_password() {
        let url = "redis://user:s3cret-pass@redis.internal:6380/2";
        assert_eq!(address(url), "redis.internal:6380/2");
        assert_eq!(address("redis://:s3cret@10.0.0.5"), "10.0.0.5:6379/0");
        // Unparsable, perhaps because of the password: nothing of it is shown.
        for bad in [
            "redis://:s3cret/@host:x",
            "not a url s3cret",
            "redis://:s3c?ret@",
        ] {
            assert!(!address(bad).contains("s3c"), "{bad}: {}", address(bad));
        }
        let builder = RedisTokenStore::builder(url).with_key_prefix("shop:");
        let shown = format!("{builder:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("user"),
            "{shown}"
        );
        assert!(shown.contains("redis.internal:6380/2"), "{shown}");
    }

    #[tokio::test]
    async fn a_bad_url_is_refused_without_showing_it() {
        let error = RedisTokenStore::connect("redis://:s3cret@host:notaport")
            .await
            .unwrap_err();
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
