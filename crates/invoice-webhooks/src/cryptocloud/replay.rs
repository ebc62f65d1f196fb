//! The replay guard: tokens already accepted, so that none authenticates a second, different
//! postback.
//!
//! A CryptoCloud token signs its claims, not the body. A token that names no invoice (the
//! docs' own example token has only `id` and `exp`) can be lifted from one postback and put on
//! another invoice's body, and it verifies until it expires. The guard remembers, for each
//! accepted token, a digest of the body it came with, until the token expires: the same token
//! with another body is refused ([`Rejection::ReplayedToken`](crate::Rejection::ReplayedToken)),
//! while the same token with the same bytes (a redelivery of the same postback, which must not
//! be lost) passes, and is then deduplicated like any redelivery.
//!
//! Only digests are stored: the SHA-256 of the token and of the body ([`Fingerprint`]), never
//! the token itself.
//!
//! A store that cannot answer ([`StoreUnavailable`]) makes the verifier refuse the postback
//! with [`Rejection::ReplayGuardUnavailable`](crate::Rejection::ReplayGuardUnavailable), HTTP
//! 503: whether the token was already used is unknown, and an authentic postback refused now
//! can be sent again, while a replay let through cannot be undone.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

/// The SHA-256 digest of a token or a body: what a [`TokenStore`] keys by, so that no token is
/// ever stored or logged. `Debug` and `Display` show it as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// The digest's 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The digest as 64 lowercase hex digits, for a text column.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.to_hex())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// One accepted use of a token, as a [`TokenStore`] records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenUse {
    pub(crate) token: Fingerprint,
    pub(crate) body: Fingerprint,
    pub(crate) now: SystemTime,
    pub(crate) expires_at: SystemTime,
}

impl TokenUse {
    /// The digest of the token: the key.
    pub fn token(&self) -> &Fingerprint {
        &self.token
    }

    /// The digest of the body bytes the token came with.
    pub fn body(&self) -> &Fingerprint {
        &self.body
    }

    /// The time of the check, by the verifier's clock.
    pub fn now(&self) -> SystemTime {
        self.now
    }

    /// When the verifier stops accepting the token (`exp` plus the allowed clock skew): the
    /// record can be dropped after this, as the token is refused as expired anyway.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

/// Why a [`TokenStore`] could not answer (unreachable, too slow, failing): the verifier
/// refuses the postback with
/// [`Rejection::ReplayGuardUnavailable`](crate::Rejection::ReplayGuardUnavailable) (HTTP 503),
/// never accepts it unchecked.
///
/// Its reason is shown in the rejection and in logs: it never holds a token, a password or a
/// connection URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreUnavailable(String);

impl StoreUnavailable {
    /// Why the store could not answer (`no answer within 500 ms`), for the logs. Put no
    /// secret in it: no token, no password, no connection URL.
    pub fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }

    /// The reason.
    pub fn reason(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StoreUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the token store did not answer: {}", self.0)
    }
}

impl std::error::Error for StoreUnavailable {}

/// Where the tokens already accepted are remembered: [`MemoryTokenStore`] in one process;
/// when several processes receive postbacks, one store they all reach: `RedisTokenStore`
/// (feature `redis`, an [`AsyncTokenStore`]), or an implementation over the application's
/// database.
///
/// A database implementation: a table keyed by the token's digest, holding the body's digest
/// and `expires_at`; insert the row unless the key exists, then answer whether the stored body
/// digest is this one; delete rows past `expires_at` now and then. If the store cannot
/// answer, answer [`StoreUnavailable`], never `Ok(true)`: an authentic postback refused now
/// can be sent again, a replay let through cannot be undone.
pub trait TokenStore: Send + Sync {
    /// Records `token_use` unless its token is already recorded, and answers whether the
    /// postback may proceed: `Ok(true)` if the token was not recorded, or was recorded with
    /// the same body; `Ok(false)` if it was recorded with another body (a replay);
    /// [`StoreUnavailable`] if the store cannot tell.
    fn first_use(&self, token_use: &TokenUse) -> Result<bool, StoreUnavailable>;
}

impl<T: TokenStore + ?Sized> TokenStore for Arc<T> {
    fn first_use(&self, token_use: &TokenUse) -> Result<bool, StoreUnavailable> {
        (**self).first_use(token_use)
    }
}

/// A [`TokenStore`] whose lookup is asynchronous (a database or Redis client), for
/// [`Verifier::verify_once`](super::Verifier::verify_once). The contract is
/// [`TokenStore::first_use`]'s.
pub trait AsyncTokenStore: Send + Sync {
    /// As [`TokenStore::first_use`].
    fn first_use(
        &self,
        token_use: &TokenUse,
    ) -> impl Future<Output = Result<bool, StoreUnavailable>> + Send;
}

/// Entries kept before the first sweep of expired ones.
const FIRST_SWEEP: usize = 1024;

/// A [`TokenStore`] in this process's memory, for a single receiving process.
///
/// Memory stays bounded: a record is dropped once its token has expired (swept whenever the
/// number of records doubles since the last sweep, so the cost per postback stays constant),
/// and only tokens that passed every other check are recorded, so a sender without the
/// project's secret cannot add any. With the verifier's maximum token lifetime (about 6
/// minutes by default) it holds at most the postbacks of the last few minutes.
///
/// Cheap to share: wrap it in an [`Arc`] to use one store from several verifiers.
#[derive(Default)]
pub struct MemoryTokenStore {
    inner: Mutex<Records>,
}

#[derive(Default)]
struct Records {
    /// Token digest -> (body digest, expiry).
    map: HashMap<Fingerprint, (Fingerprint, SystemTime)>,
    /// The size at which the next sweep happens.
    sweep_at: usize,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many tokens are recorded (expired ones not swept yet included).
    pub fn len(&self) -> usize {
        self.records().map.len()
    }

    /// Whether no token is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every record whose token expired before `now`.
    pub fn sweep(&self, now: SystemTime) {
        let mut records = self.records();
        records.map.retain(|_, (_, expires_at)| *expires_at > now);
        records.sweep_at = (records.map.len() * 2).max(FIRST_SWEEP);
    }

    fn records(&self) -> std::sync::MutexGuard<'_, Records> {
        // A panic while holding the lock leaves the map consistent (every operation on it is
        // one call), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTokenStore")
            .field("len", &self.len())
            .finish()
    }
}

impl TokenStore for MemoryTokenStore {
    /// Never [`StoreUnavailable`].
    fn first_use(&self, token_use: &TokenUse) -> Result<bool, StoreUnavailable> {
        let mut records = self.records();
        if records.map.len() >= records.sweep_at.max(FIRST_SWEEP) {
            let now = token_use.now;
            records.map.retain(|_, (_, expires_at)| *expires_at > now);
            records.sweep_at = (records.map.len() * 2).max(FIRST_SWEEP);
        }
        match records.map.get(&token_use.token) {
            Some((body, expires_at)) if *expires_at > token_use.now => Ok(*body == token_use.body),
            _ => {
                records
                    .map
                    .insert(token_use.token, (token_use.body, token_use.expires_at));
                Ok(true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn token_use(token: &str, body: &str, now: u64, expires_at: u64) -> TokenUse {
        TokenUse {
            token: Fingerprint::of(token.as_bytes()),
            body: Fingerprint::of(body.as_bytes()),
            now: UNIX_EPOCH + Duration::from_secs(now),
            expires_at: UNIX_EPOCH + Duration::from_secs(expires_at),
        }
    }

    #[test]
    fn a_token_authenticates_one_body() {
        let store = MemoryTokenStore::new();
        assert_eq!(store.first_use(&token_use("t", "a", 0, 100)), Ok(true));
        assert_eq!(
            store.first_use(&token_use("t", "a", 1, 100)),
            Ok(true),
            "a redelivery"
        );
        assert_eq!(
            store.first_use(&token_use("t", "b", 2, 100)),
            Ok(false),
            "a replay"
        );
        assert_eq!(store.first_use(&token_use("u", "b", 2, 100)), Ok(true));
        // Once expired, the record no longer counts (the verifier refuses the token anyway).
        assert_eq!(store.first_use(&token_use("t", "b", 100, 200)), Ok(true));
    }

    #[test]
    fn expired_records_are_swept() {
        let store = MemoryTokenStore::new();
        for i in 0..FIRST_SWEEP {
            assert_eq!(
                store.first_use(&token_use(&i.to_string(), "a", 0, 10)),
                Ok(true)
            );
        }
        assert_eq!(store.len(), FIRST_SWEEP);
        // The next record triggers a sweep: every earlier one has expired.
        assert_eq!(store.first_use(&token_use("new", "a", 20, 30)), Ok(true));
        assert_eq!(store.len(), 1);
        store.sweep(UNIX_EPOCH + Duration::from_secs(30));
        assert!(store.is_empty());
    }

    #[test]
    fn fingerprints_show_hex_only() {
        let f = Fingerprint::of(b"secret token");
        assert_eq!(f.to_hex().len(), 64);
        assert!(!format!("{f:?}").contains("secret"));
    }
}
