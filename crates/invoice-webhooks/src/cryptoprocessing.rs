//! Cryptoprocessing (CoinsPaid) invoice callbacks.
//!
//! Callbacks are signed like the API's requests: `X-Processing-Signature` is the hex
//! HMAC-SHA512 of the raw body keyed with the secret key, and `X-Processing-Key` carries the
//! API key. [`Verifier::verify`] checks the signature over the exact bytes received (upper- or
//! lowercase hex, compared in constant time), optionally the API key, and only then parses the
//! body into the generated [`InvoiceCallback`] type, which accepts the documented
//! inconsistencies (`foreign_id` and `confirmations` as text or number, `error` as `""` or
//! `null`).
//!
//! The same callback URL also receives callbacks of other kinds (deposits, withdrawals,
//! exchanges): dispatch on `callback.type_` ([`CallbackType`]); a body of another kind parses
//! as far as it has an `id`, a `type` and a `status`.
//!
//! The same callback may arrive more than once, and one invoice gets a callback per status:
//! deduplicate callbacks with [`Event::dedup_key`], record each payment once with
//! [`Event::payments`], and credit an invoice's payments once it is `confirmed` (see
//! [`Event`]).
//!
//! ```
//! use invoice_webhooks::{cryptoprocessing, Secret};
//!
//! let verifier = cryptoprocessing::Verifier::new(Secret::new("secret key"))
//!     .with_api_key(Secret::new("api key"));
//! # let (headers, body) = (http::HeaderMap::new(), b"{}");
//! if let Ok(verified) = verifier.verify(&headers, body) {
//!     println!("invoice {} is {}", verified.callback.id, verified.callback.status);
//! }
//! ```

use std::fmt;

use http::HeaderMap;
use invoice_primitives::auth::BodyMac;

pub use ::cryptoprocessing::types::{
    CallbackTransaction, CallbackType, Confirmations, ForeignId, InvoiceCallback, InvoiceStatus,
};

use crate::request_checks::{check_size, malformed, require_json, same_secret};
use crate::{trace, DedupKey, Rejection, Secret, Verified, Verify, DEFAULT_MAX_BODY};

#[cfg(feature = "signing")]
mod signer;
#[cfg(feature = "signing")]
pub use signer::Signer;
#[cfg(feature = "signing")]
mod tooling;
#[cfg(feature = "signing")]
pub use tooling::{CryptoprocessingTooling, TOOLING};

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = cryptoprocessing::Credentials::SIGNATURE_HEADER;
/// The header carrying the API key.
pub const API_KEY_HEADER: &str = cryptoprocessing::Credentials::KEY_HEADER;

/// Length of an HMAC-SHA512, in bytes.
const MAC_LEN: usize = 64;

/// Checks Cryptoprocessing callbacks with the secret key (and, optionally, the API key).
///
/// What is checked against what: `X-Processing-Signature` against the HMAC-SHA512 of the
/// exact body bytes keyed with the secret key, and (with [`with_api_key`](Self::with_api_key))
/// `X-Processing-Key` against the API key: "Headers `X-Processing-Key` (your API key) and
/// `X-Processing-Signature` (hex HMAC-SHA512 of the raw body with your secret)"
/// (more-pages.md 2.4). The signature covers the whole body, so every field of the callback,
/// its amounts included, is the provider's own; there is nothing left to compare it with
/// (Cryptoprocessing has no invoice-information call).
///
/// `Debug` does not show the keys.
#[derive(Clone)]
pub struct Verifier {
    secret: Secret,
    api_key: Option<Secret>,
    max_body: usize,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secret", &"***")
            .field("checks_api_key", &self.api_key.is_some())
            .field("max_body", &self.max_body)
            .finish()
    }
}

impl Verifier {
    /// A verifier for callbacks signed with `secret`, the secret key of the account. With an
    /// empty secret every delivery is refused with [`Rejection::NoSecret`].
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            api_key: None,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// The largest body accepted, in bytes ([`DEFAULT_MAX_BODY`], 64 KiB, unless set); a
    /// larger one is refused with [`Rejection::BodyTooLarge`] before its MAC is computed.
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Also require `X-Processing-Key` to be `api_key` (compared in constant time).
    pub fn with_api_key(mut self, api_key: Secret) -> Self {
        self.api_key = Some(api_key);
        self
    }

    /// Checks a callback: `headers` are the request's, `body` its exact bytes.
    ///
    /// A `Content-Type` other than JSON is refused; none at all is accepted (the docs do not
    /// name one). A body over the cap is refused first; then the signature is checked before
    /// anything else of the body is read.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Verified<Event>, Rejection> {
        trace::verdict(self.check(headers, body))
    }

    /// [`verify`](Self::verify), without recording the outcome.
    fn check(&self, headers: &HeaderMap, body: &[u8]) -> Result<Verified<Event>, Rejection> {
        check_size(body, self.max_body)?;
        if self.secret.expose().is_empty() {
            return Err(Rejection::NoSecret);
        }
        require_json(headers)?;
        let signature = signature(headers)?;
        // Constant time.
        if !BodyMac::new(self.secret.expose().as_bytes()).verify(body, &signature) {
            return Err(Rejection::BadSignature);
        }
        if let Some(expected) = &self.api_key {
            let given = single(headers, API_KEY_HEADER)
                .map_err(|()| Rejection::BadApiKey)?
                .ok_or(Rejection::MissingApiKey)?;
            if !same_secret(given.as_bytes(), expected.expose().as_bytes()) {
                return Err(Rejection::BadApiKey);
            }
        }
        let callback: InvoiceCallback = serde_json::from_slice(body).map_err(malformed)?;
        Ok(Verified::new(Event { callback }))
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

/// The value of a header that may appear at most once: `Err` if it appears more than once.
fn single<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h http::HeaderValue>, ()> {
    let mut values = headers.get_all(name).iter();
    let first = values.next();
    match values.next() {
        Some(_) => Err(()),
        None => Ok(first),
    }
}

/// The MAC of `X-Processing-Signature`: 128 hex digits, either case, surrounding spaces
/// ignored.
fn signature(headers: &HeaderMap) -> Result<Vec<u8>, Rejection> {
    let value = single(headers, SIGNATURE_HEADER)
        .map_err(|()| Rejection::MalformedSignature)?
        .ok_or(Rejection::MissingSignature)?;
    let text = value
        .to_str()
        .map_err(|_| Rejection::MalformedSignature)?
        .trim();
    if text.is_empty() {
        return Err(Rejection::EmptySignature);
    }
    match hex::decode(text) {
        Ok(mac) if mac.len() == MAC_LEN => Ok(mac),
        _ => Err(Rejection::MalformedSignature),
    }
}

/// A verified invoice callback.
///
/// What to credit, from the docs (more-pages.md 2.2 and 2.4): "One callback per status change;
/// partial payments (installments) produce one per part", and the docs' examples disagree on
/// whether the `confirmed` callback lists every payment of the invoice (the 2020 one does) or
/// only the last part's (the current one, `remaining_amount` still `0.01`). An invoice fails
/// "if the customer underpays (transaction confirmed, invoice failed)", and "Mismatched amounts
/// trigger a refund e-mail to the customer (full refund if under, difference if over)". So:
///
/// - record each payment once, from whichever callback lists it first, whatever that
///   callback's status ([`payments`](Self::payments): one key per transaction);
/// - once a callback says `confirmed`, credit the invoice with every payment recorded for it,
///   each once, and a payment recorded after that (an earlier callback arriving late) on
///   arrival: each transaction's `amount`, in its `currency`, the coin paid;
/// - a `failed` invoice is not credited, with or without payments; of an overpaid one, the
///   difference over `currency_sent.amount` (the amount asked, in the coin) may go back to
///   the customer.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Event {
    /// The callback.
    pub callback: InvoiceCallback,
}

impl Event {
    /// The key to deduplicate callbacks by: the callback's `id`, its `status`, and the ids of
    /// its transactions (sorted). The same callback delivered twice has the same key; the next
    /// status of the invoice, or a new payment to it, has another.
    pub fn dedup_key(&self) -> DedupKey {
        let id = self.callback.id.to_string();
        let mut transactions: Vec<String> = self
            .callback
            .transactions
            .iter()
            .flatten()
            .map(transaction_id)
            .collect();
        transactions.sort();
        let mut parts = vec!["cryptoprocessing", &id, self.callback.status.as_str()];
        parts.extend(transactions.iter().map(String::as_str));
        DedupKey::new(parts)
    }

    /// One key per transaction, to credit each payment once: a transaction appears again in
    /// later callbacks (with more confirmations, or a new status). Keyed by the transaction's
    /// `id`, or by its `txid` when it has none.
    pub fn transaction_keys(&self) -> Vec<DedupKey> {
        self.payments().map(|(key, _)| key).collect()
    }

    /// The callback's transactions, each with its key ([`transaction_keys`](Self::transaction_keys)):
    /// record each payment once, with its `amount` and `currency`.
    pub fn payments(&self) -> impl Iterator<Item = (DedupKey, &CallbackTransaction)> {
        self.callback.transactions.iter().flatten().map(|tx| {
            (
                DedupKey::new(["cryptoprocessing-transaction", &transaction_id(tx)]),
                tx,
            )
        })
    }
}

fn transaction_id(tx: &CallbackTransaction) -> String {
    match (&tx.id, &tx.txid) {
        (Some(id), _) => id.to_string(),
        (None, Some(txid)) => format!("txid:{txid}"),
        (None, None) => String::new(),
    }
}

/// The number of confirmations, whichever form it was sent in (`"0"` or `3`); `None` for text
/// that is not a number.
pub fn confirmation_count(confirmations: &Confirmations) -> Option<u64> {
    match confirmations {
        Confirmations::Int64(n) => u64::try_from(*n).ok(),
        Confirmations::String(text) => text.trim().parse().ok(),
    }
}
