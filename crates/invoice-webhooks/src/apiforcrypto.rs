//! apiforcrypto invoice notifications.
//!
//! apiforcrypto POSTs a notification to an invoice's `url_callback` when its status changes.
//! The only proof of origin is the `secret_key` the merchant chose when creating the invoice:
//! it is sent back only in these notifications. A receiver compares it, in constant time, with
//! the key it stored for that invoice. Use a distinct, random `secret_key` per invoice
//! ([`generate_secret_key`] makes one): without one a notification cannot be verified.
//!
//! So the body must be read before it is verified, but only minimally: [`Delivery::read`]
//! splits it into raw fields and takes the invoice `id` and `secret_key`, nothing typed. With
//! the stored key, [`Delivery::verify`] compares and only then parses the body into the
//! generated [`InvoiceCallback`] type (unknown fields kept in its `extra`). [`Verifier`] does
//! both with a lookup ([`SecretKeys`]) from invoice id to stored key; use [`Delivery`] directly
//! when the lookup is asynchronous (a database):
//!
//! ```
//! use invoice_webhooks::apiforcrypto::Delivery;
//! use invoice_webhooks::{Rejection, Secret};
//!
//! # async fn stored_key(_invoice: &str) -> Option<Secret> { None }
//! async fn receive(headers: &http::HeaderMap, body: &[u8]) -> Result<(), Rejection> {
//!     let delivery = Delivery::read(headers, body)?;
//!     let expected = stored_key(delivery.invoice_id()).await;
//!     let verified = delivery.verify(expected.as_ref())?;
//!     println!("invoice {} is {}", verified.callback.id, verified.callback.status);
//!     Ok(()) // answer HTTP 200 with the body `OK`, or the notification is sent again
//! }
//! ```
//!
//! Notifications are resent every minute until the receiver answers HTTP 200 `OK`: deduplicate
//! them with [`Event::dedup_key`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http::HeaderMap;

pub use ::apiforcrypto::types::{InvoiceCallback, InvoiceStatus};

use crate::request_checks::{check_size, malformed, require_json, same_secret, Fields};
use crate::{trace, DedupKey, Rejection, Secret, Verified, Verify, DEFAULT_MAX_BODY};

#[cfg(feature = "signing")]
mod signer;
#[cfg(feature = "signing")]
pub use signer::Signer;
#[cfg(feature = "signing")]
mod tooling;
#[cfg(feature = "signing")]
pub use tooling::{ApiforcryptoTooling, TOOLING};

/// Bytes of randomness in a key from [`generate_secret_key`]: 32 (256 bits).
pub const SECRET_KEY_BYTES: usize = 32;

/// A new `secret_key` for an invoice: 32 bytes (256 bits) from the operating system's random
/// number generator, written as base64url without padding (43 characters of `A`–`Z`, `a`–`z`,
/// `0`–`9`, `-` and `_`, safe in JSON, URLs and headers).
///
/// Give each invoice its own key: send it as the create request's `secret_key`, and store it
/// with the invoice to verify its notifications (see [`Verifier`]). `Debug` and `Display` of
/// the returned [`Secret`] show `***`; [`Secret::expose`] gives the text.
///
/// ```
/// let key = invoice_webhooks::apiforcrypto::generate_secret_key();
/// assert_eq!(key.expose().len(), 43);
/// assert_ne!(key, invoice_webhooks::apiforcrypto::generate_secret_key());
/// ```
///
/// # Panics
///
/// If the operating system cannot provide random bytes (the `getrandom` crate's
/// `getrandom::fill` fails), which on the supported platforms does not happen once the system
/// has booted; no key is made from anything weaker.
pub fn generate_secret_key() -> Secret {
    let mut bytes = [0u8; SECRET_KEY_BYTES];
    if let Err(error) = getrandom::fill(&mut bytes) {
        panic!("the operating system's random number generator failed: {error}");
    }
    Secret::new(URL_SAFE_NO_PAD.encode(bytes))
}

/// Where the verifier finds the key stored for an invoice: `None` if the invoice is not known
/// (or was created without a key).
///
/// Implemented for closures `Fn(&str) -> Option<Secret>` and for maps from invoice id to key.
pub trait SecretKeys: Send + Sync {
    /// The key stored for the invoice `invoice_id` (its UUID).
    fn secret_key(&self, invoice_id: &str) -> Option<Secret>;
}

impl<F> SecretKeys for F
where
    F: Fn(&str) -> Option<Secret> + Send + Sync,
{
    fn secret_key(&self, invoice_id: &str) -> Option<Secret> {
        self(invoice_id)
    }
}

impl<S: std::hash::BuildHasher + Send + Sync> SecretKeys for HashMap<String, Secret, S> {
    fn secret_key(&self, invoice_id: &str) -> Option<Secret> {
        self.get(invoice_id).cloned()
    }
}

impl SecretKeys for BTreeMap<String, Secret> {
    fn secret_key(&self, invoice_id: &str) -> Option<Secret> {
        self.get(invoice_id).cloned()
    }
}

/// Checks apiforcrypto notifications against the keys stored for their invoices.
///
/// What is checked against what: the body's `secret_key` against the key stored for the
/// body's invoice `id` ("This key will be used to verify responses from our server regarding
/// any changes in the invoice status", apiforcrypto-invoices.txt). That is all the docs offer:
/// nothing signs the body, so the key vouches for the sender, and the fields beside it are
/// taken as sent.
///
/// Cheap to clone (the lookup is shared).
#[derive(Clone)]
pub struct Verifier {
    keys: Arc<dyn SecretKeys>,
    max_body: usize,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier that finds each invoice's key with `keys`.
    pub fn new(keys: impl SecretKeys + 'static) -> Self {
        Self {
            keys: Arc::new(keys),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// The largest body accepted, in bytes ([`DEFAULT_MAX_BODY`], 64 KiB, unless set); a
    /// larger one is refused with [`Rejection::BodyTooLarge`] before it is read.
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Checks a notification: `headers` are the request's, `body` its exact bytes.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Verified<Event>, Rejection> {
        let delivery = Delivery::read_limited(headers, body, self.max_body)?;
        let expected = self.keys.secret_key(delivery.invoice_id());
        delivery.verify(expected.as_ref())
    }
}

impl Verify for Verifier {
    type Event = Event;

    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Verified<Event>, Rejection> {
        Verifier::verify(self, headers, body)
    }

    fn max_body(&self) -> usize {
        self.max_body
    }
}

/// A notification read just enough to find its invoice's key, not yet verified.
///
/// `Debug` shows the invoice id only.
pub struct Delivery {
    fields: Fields,
    invoice_id: String,
    secret_key: String,
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("invoice_id", &self.invoice_id)
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// Reads the invoice `id` and `secret_key` of a notification, and nothing else.
    ///
    /// A body over [`DEFAULT_MAX_BODY`] (64 KiB) is refused first, with
    /// [`Rejection::BodyTooLarge`] ([`read_limited`](Self::read_limited) takes another cap). A
    /// `Content-Type` other than JSON is refused; none at all is accepted.
    pub fn read(headers: &HeaderMap, body: &[u8]) -> Result<Self, Rejection> {
        Self::read_limited(headers, body, DEFAULT_MAX_BODY)
    }

    /// As [`read`](Self::read), refusing a body over `max_body` bytes.
    pub fn read_limited(
        headers: &HeaderMap,
        body: &[u8],
        max_body: usize,
    ) -> Result<Self, Rejection> {
        Self::parse(headers, body, max_body).inspect_err(trace::rejected::<Event>)
    }

    /// [`read_limited`](Self::read_limited), without recording a rejection.
    fn parse(headers: &HeaderMap, body: &[u8], max_body: usize) -> Result<Self, Rejection> {
        check_size(body, max_body)?;
        require_json(headers)?;
        let fields = Fields::parse(body)?;
        let invoice_id = match fields.get("id") {
            None => return Err(Rejection::MalformedBody("no invoice `id`".into())),
            Some(raw) => serde_json::from_str::<String>(raw.get())
                .map_err(|_| Rejection::MalformedBody("the invoice `id` is not a string".into()))?,
        };
        let secret_key = match fields.get("secret_key") {
            None => return Err(Rejection::MissingSecretKey),
            Some(raw) => serde_json::from_str::<String>(raw.get())
                .map_err(|_| Rejection::MalformedBody("`secret_key` is not a string".into()))?,
        };
        if secret_key.is_empty() {
            return Err(Rejection::EmptySecretKey);
        }
        Ok(Self {
            fields,
            invoice_id,
            secret_key,
        })
    }

    /// The invoice's id (UUID), to look its key up with. Not verified yet.
    pub fn invoice_id(&self) -> &str {
        &self.invoice_id
    }

    /// Compares `secret_key` with `expected`, the key stored for [`invoice_id`](Self::invoice_id)
    /// (`None` if there is none), in constant time; then parses the notification.
    ///
    /// The event's `secret_key` is cleared, so that it cannot reach a log through `Debug`; every
    /// other field, unknown ones included, is kept.
    pub fn verify(self, expected: Option<&Secret>) -> Result<Verified<Event>, Rejection> {
        trace::verdict(self.check(expected))
    }

    /// [`verify`](Self::verify), without recording the outcome.
    fn check(self, expected: Option<&Secret>) -> Result<Verified<Event>, Rejection> {
        let expected = expected.ok_or(Rejection::UnknownInvoice)?;
        if expected.expose().is_empty() {
            return Err(Rejection::NoSecret);
        }
        if !same_secret(self.secret_key.as_bytes(), expected.expose().as_bytes()) {
            return Err(Rejection::BadSecretKey);
        }
        let mut fields = self.fields;
        fields.remove("secret_key");
        // Amounts stay exact although `InvoiceCallback` keeps unknown members through
        // `#[serde(flatten)]`: serde reads named fields straight from serde_json, and buffers
        // (as `f64`, for numbers) only the members that land in `extra`.
        let callback: InvoiceCallback =
            serde_json::from_str(&fields.to_json()).map_err(malformed)?;
        Ok(Verified::new(Event { callback }))
    }
}

/// A verified notification.
///
/// What to credit: when `status` is `PAID`, the invoice's `value` ("The final amount for
/// payment in the blockchain currency or token currency") in its `symbol`, once per invoice
/// (keyed by its `id`), not once per [`dedup_key`](Self::dedup_key): notifications go out on
/// every change of the invoice, and two `PAID` ones listing other `txs` are two keys for one
/// payment. No field says how much was paid (`txs` holds only the "Hash of each transaction"),
/// so an overpayment is not seen; `PARTIALLY_PAID` is not credited.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Event {
    /// The notification, its `secret_key` cleared.
    pub callback: InvoiceCallback,
}

impl Event {
    /// The key to deduplicate notifications by: the invoice id, its `status`, and the hashes of
    /// its transactions (sorted). A resent notification has the same key; the next status, or
    /// a new transaction, another.
    pub fn dedup_key(&self) -> DedupKey {
        let mut txs: Vec<&str> = self
            .callback
            .txs
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        txs.sort_unstable();
        let mut parts = vec![
            "apiforcrypto",
            self.callback.id.as_str(),
            self.callback.status.as_str(),
        ];
        parts.extend(txs);
        DedupKey::new(parts)
    }
}
