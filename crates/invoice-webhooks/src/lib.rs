//! Receiving the webhooks of CryptoCloud, Cryptoprocessing and apiforcrypto: check that a
//! delivery is authentic, then parse it into the generated clients' types.
//!
//! Each provider has a verifier that takes the raw body bytes and the request headers (a
//! [`HeaderMap`], the `http` crate's type that reqwest, axum and hyper use, re-exported here so
//! no other dependency is needed) and returns a
//! [`Verified`] event or a [`Rejection`] saying why the delivery was refused:
//!
//! | provider | authenticity | verifier |
//! | --- | --- | --- |
//! | CryptoCloud | `token`, an HS256 JWT signed with the project's secret, valid 5 minutes | [`cryptocloud::Verifier`] |
//! | Cryptoprocessing | `X-Processing-Signature`, hex HMAC-SHA512 of the raw body | [`cryptoprocessing::Verifier`] |
//! | apiforcrypto | `secret_key` in the body, the key stored for that invoice | [`apiforcrypto::Verifier`] |
//!
//! Every verifier first refuses a body larger than its cap ([`DEFAULT_MAX_BODY`], 64 KiB,
//! unless set with `with_max_body`) with [`Rejection::BodyTooLarge`] (HTTP 413), before
//! anything reads it. Nothing is parsed into the typed event before the authenticity check passes: a verifier
//! reads only what the check needs (CryptoCloud's `token`, apiforcrypto's invoice id and
//! `secret_key`; Cryptoprocessing's check needs only the raw bytes). Secrets, MACs and keys are
//! compared in constant time, never with `==`.
//!
//! # Duplicates
//!
//! Every provider may deliver the same notification more than once (retries until the
//! receiver answers 200, or deliberately). Each event has a [`dedup_key`](cryptocloud::Event::dedup_key):
//! the same notification always gives the same key, and a notification that reports
//! something new (another status, another transaction) gives another. Record the key in the
//! same transaction as the effect of the event (for example a unique column), and answer 200
//! to a delivery whose key is already recorded, without acting on it again.
//!
//! # What to answer
//!
//! A verified delivery is answered with HTTP 200 (apiforcrypto wants the body `OK`, which is
//! fine for the others too: [`ACK_BODY`]); a rejected one with a 4xx
//! ([`Rejection::status`]) and a short reason ([`Rejection::code`]) that never contains a
//! secret. With the `axum` feature, the `axum` module does both.
//!
//! # Testing
//!
//! With the `signing` feature, each provider module has a `Signer` that builds the delivery the
//! provider would send, from a typed event, signed like the provider's: the `signing` module
//! describes them; the `tooling` module puts each provider's verifier and signer behind one
//! trait, for command-line tools (`listen`, `trigger`). [`apiforcrypto::generate_secret_key`]
//! makes the random per-invoice key apiforcrypto notifications are checked with (no feature
//! needed).
//!
//! # Tracing
//!
//! Every verification is one `tracing` event with target `invoice_webhooks`: `accepted`
//! (`INFO`, with `provider` and the event's `dedup_key`) or `rejected` (`WARN`, with
//! `provider`, the rejection's `code` and the `status` to answer with); a confirmation that
//! refuses a verified postback is a `rejected` event of its own. Never a secret, key,
//! signature, token or body. No subscriber is installed here: the application chooses one.

// docs.rs (`--cfg docsrs`, nightly): each feature-gated item marked with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::fmt;
use std::ops::Deref;

pub mod apiforcrypto;
#[cfg(feature = "axum")]
pub mod axum;
pub mod cryptocloud;
pub mod cryptoprocessing;
mod rejection;
mod request_checks;
#[cfg(feature = "signing")]
pub mod signing;
#[cfg(feature = "signing")]
pub mod tooling;
mod trace;

pub use http::HeaderMap;
pub use invoice_primitives::Secret;
pub use rejection::Rejection;

/// The body of the answer to a verified delivery: `OK`, with HTTP 200. apiforcrypto resends a
/// notification until it gets exactly this; CryptoCloud and Cryptoprocessing only need the
/// 200.
pub const ACK_BODY: &str = "OK";

/// The largest body a verifier accepts unless told otherwise (`with_max_body` on each
/// verifier): 64 KiB.
///
/// The largest documented delivery is under 2 KB (a CryptoCloud postback with its
/// `invoice_info`; a Cryptoprocessing callback with transactions is about 1 KB, each further
/// transaction some 400 bytes), so 64 KiB leaves room for a callback listing a hundred
/// payments while refusing, before any parsing or MAC, a body big enough to cost memory or
/// CPU. A larger body is refused with [`Rejection::BodyTooLarge`] (HTTP 413).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024;

/// An event whose delivery passed its provider's authenticity check.
///
/// Only the verifiers of this crate make one, so a function that takes a `Verified<E>` cannot
/// be handed an unchecked payload. It dereferences to the event.
#[derive(Clone)]
pub struct Verified<E> {
    event: E,
}

impl<E> Verified<E> {
    pub(crate) fn new(event: E) -> Self {
        Self { event }
    }

    /// The event.
    pub fn event(&self) -> &E {
        &self.event
    }

    /// The event, unwrapped.
    pub fn into_event(self) -> E {
        self.event
    }
}

impl<E> Deref for Verified<E> {
    type Target = E;

    fn deref(&self) -> &E {
        &self.event
    }
}

impl<E: fmt::Debug> fmt::Debug for Verified<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Verified").field(&self.event).finish()
    }
}

/// A provider's verifier, for code generic over providers (such as the
/// `axum` module's extractor).
pub trait Verify {
    /// What a verified delivery holds.
    type Event;

    /// Checks a delivery: `headers` are the request's, `body` its exact bytes.
    fn verify(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Verified<Self::Event>, Rejection>;

    /// The largest body, in bytes, [`verify`](Self::verify) accepts ([`DEFAULT_MAX_BODY`]
    /// unless the verifier was given another cap): a receiver need not read more than this
    /// before refusing (the `axum` extractor stops there).
    fn max_body(&self) -> usize {
        DEFAULT_MAX_BODY
    }
}

/// A key that identifies one notification, for deduplication: equal for every delivery of
/// the same notification, different for notifications that report something different.
///
/// Its text is stable across versions of this crate: the provider's name and the identifying
/// values as a JSON array (`["cryptocloud","89UX09KA","success","paid"]`), so no two
/// different notifications share a key whatever their values contain. Store it as text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DedupKey(String);

impl DedupKey {
    fn new<'a>(parts: impl IntoIterator<Item = &'a str>) -> Self {
        let parts: Vec<&str> = parts.into_iter().collect();
        Self(serde_json::to_string(&parts).expect("strings serialize"))
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<DedupKey> for String {
    fn from(key: DedupKey) -> Self {
        key.0
    }
}
