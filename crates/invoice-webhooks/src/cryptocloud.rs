//! CryptoCloud postbacks.
//!
//! CryptoCloud POSTs a postback to the project's notification URL after an invoice is paid,
//! as JSON or as `application/x-www-form-urlencoded` (the project's setting). Its `token`
//! field is the signature: a JWT signed with HS256 using the project's secret key, valid for 5
//! minutes, issued afresh for each notification.
//!
//! [`Verifier::verify`] reads only `token` from the body, checks it (HS256 only: `none` and
//! every other algorithm are refused; the signature; a numeric `exp`, not past beyond the
//! allowed clock skew; `nbf` if present), and only then parses the whole body into the
//! generated [`Postback`] type. Last, if a claim of the token names an invoice, it must be the
//! body's `invoice_id` (see [`Claims::invoice_claims`]). A body over 64 KiB
//! ([`DEFAULT_MAX_BODY`]) is refused before anything reads it, and a token whose `exp` lies
//! more than 5 minutes (plus the clock skew) ahead is refused.
//!
//! The token signs its claims, not the body. Three defences against a token lifted onto
//! another postback: [`Verifier::require_invoice_claim`] (the token must name the invoice),
//! [`Verifier::with_replay_guard`] (a token authenticates one body only, [`MemoryTokenStore`]
//! or a [`TokenStore`] of your own; for several instances, [`Verifier::verify_once`] with a
//! store they share, such as `RedisTokenStore` of feature `redis`), and
//! [`Verifier::verify_and_confirm`] (the provider's own record of the invoice, fetched with
//! the generated client, must agree, and is returned as the truth to act on).
//!
//! ```
//! use invoice_webhooks::{cryptocloud, Secret};
//!
//! let verifier = cryptocloud::Verifier::new(Secret::new("project secret"));
//! # let (headers, body) = (http::HeaderMap::new(), b"{}");
//! match verifier.verify(&headers, body) {
//!     Ok(verified) => {
//!         let postback = &verified.postback;
//!         println!("invoice {} reported paid", postback.invoice_id);
//!         // Its amounts are unsigned: credit the record `verified.confirm(&client)` returns,
//!         // and record verified.dedup_key() with the effect, skipping it if already recorded.
//!     }
//!     Err(rejection) => println!("refused: {rejection}"), // answer rejection.status()
//! }
//! ```

use cryptocloud::invoice_id::{self, bare};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http::HeaderMap;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

pub use ::cryptocloud::types::{CryptoCurrencyCode, Invoice, Postback, PostbackStatus};

use crate::request_checks::{
    check_size, encoding_of, malformed, media_type, shown, Encoding, Fields,
};
use crate::{trace, DedupKey, Rejection, Secret, Verified, Verify, DEFAULT_MAX_BODY};

mod confirm;
mod replay;
pub use confirm::{ConfirmError, Confirmed};
pub use replay::{
    AsyncTokenStore, Fingerprint, MemoryTokenStore, StoreUnavailable, TokenStore, TokenUse,
};

#[cfg(feature = "redis")]
mod redis_store;
#[cfg(feature = "redis")]
pub use redis_store::{
    RedisStoreError, RedisTokenStore, RedisTokenStoreBuilder, DEFAULT_EXPIRY_MARGIN,
    DEFAULT_KEY_PREFIX, DEFAULT_TIMEOUT,
};

#[cfg(feature = "signing")]
mod signer;
#[cfg(feature = "signing")]
pub use signer::{Signer, DEFAULT_VALIDITY, INVOICE_CLAIM};
#[cfg(feature = "signing")]
mod tooling;
#[cfg(feature = "signing")]
pub use tooling::{CryptoCloudTooling, TOOLING};

/// Clock skew allowed by default when checking `exp` and `nbf`: 60 seconds.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// How far ahead of the verifier's clock a token's `exp` may lie by default: 5 minutes, the
/// documented lifetime of CryptoCloud's tokens (the clock skew, [`DEFAULT_LEEWAY`], is added).
pub const DEFAULT_MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The only JWT algorithm accepted.
const ALGORITHM: &str = "HS256";

/// Claims that may name the postback's invoice, in the order they are checked.
const INVOICE_CLAIMS: [&str; 3] = ["invoice_id", "uuid", "id"];

/// Checks CryptoCloud postbacks with the project's secret key.
///
/// What is checked against what: the `token`'s HS256 signature against the project's secret
/// key, and its `exp` against the clock ("a JWT signed HS256 with the project's SECRET KEY ...
/// valid 5 minutes", more-pages.md 1.6); each of its claims that names an invoice against the
/// body's `invoice_id` ("the invoice UUID is added to it", under a claim the docs do not
/// name). Nothing else of the body: the token signs its claims, not the body, so the
/// postback's `amount_crypto`, `currency`, `order_id` and `invoice_info` are the sender's word.
/// [`verify_and_confirm`](Self::verify_and_confirm) checks them against the provider's
/// record, and returns that record to act on.
///
/// Cheap to clone (the clock is shared). `Debug` does not show the secret.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    empty_secret: bool,
    leeway: Duration,
    max_token_lifetime: Duration,
    max_body: usize,
    require_invoice_claim: bool,
    replay_guard: Option<Arc<dyn TokenStore>>,
    clock: Arc<dyn Fn() -> SystemTime + Send + Sync>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secret", &"***")
            .field("leeway", &self.leeway)
            .field("max_token_lifetime", &self.max_token_lifetime)
            .field("max_body", &self.max_body)
            .field("require_invoice_claim", &self.require_invoice_claim)
            .field("replay_guard", &self.replay_guard.is_some())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for tokens signed with `secret`, the secret key of the project's settings.
    /// With an empty secret every delivery is refused with [`Rejection::NoSecret`].
    pub fn new(secret: Secret) -> Self {
        Self {
            key: DecodingKey::from_secret(secret.expose().as_bytes()),
            empty_secret: secret.expose().is_empty(),
            leeway: DEFAULT_LEEWAY,
            max_token_lifetime: DEFAULT_MAX_TOKEN_LIFETIME,
            max_body: DEFAULT_MAX_BODY,
            require_invoice_claim: false,
            replay_guard: None,
            clock: Arc::new(SystemTime::now),
        }
    }

    /// The largest body accepted, in bytes ([`DEFAULT_MAX_BODY`], 64 KiB, unless set); a
    /// larger one is refused with [`Rejection::BodyTooLarge`] before anything reads it.
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// How far ahead of the verifier's clock a token's `exp` may lie, the clock skew
    /// ([`with_leeway`](Self::with_leeway)) added ([`DEFAULT_MAX_TOKEN_LIFETIME`], 5 minutes,
    /// unless set). A token valid for longer is refused with
    /// [`Rejection::TokenLifetimeTooLong`]: CryptoCloud's tokens are valid 5 minutes, and one
    /// valid for hours could be replayed for hours. Measured from the verifier's clock rather
    /// than from `iat`, which the docs' token does not carry.
    pub fn with_max_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_token_lifetime = lifetime;
        self
    }

    /// Refuses a token that names no invoice ([`Rejection::MissingInvoiceClaim`]): none of
    /// the claims [`Claims::invoice_claims`] reads holds a string. Such a token (the docs'
    /// example token is one) can be replayed onto another invoice's postback while it is
    /// valid; use this once your project's tokens are known to carry the invoice.
    pub fn require_invoice_claim(mut self) -> Self {
        self.require_invoice_claim = true;
        self
    }

    /// Remembers the tokens accepted in `store`, so that a token already accepted with one
    /// body is refused with another ([`Rejection::ReplayedToken`]); the same body again (a
    /// redelivery) passes. Only digests are stored ([`Fingerprint`]). [`MemoryTokenStore`]
    /// serves one process; for several, a store they share: an [`AsyncTokenStore`] with
    /// [`verify_once`](Self::verify_once) (`RedisTokenStore`, feature `redis`), or a
    /// [`TokenStore`] over a database. The store is consulted last, once every other check
    /// passed; a store that cannot answer makes it [`Rejection::ReplayGuardUnavailable`].
    pub fn with_replay_guard(mut self, store: impl TokenStore + 'static) -> Self {
        self.replay_guard = Some(Arc::new(store));
        self
    }

    /// Clock skew allowed between CryptoCloud and this server when checking `exp` and `nbf`
    /// ([`DEFAULT_LEEWAY`] unless set).
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The clock [`verify`](Self::verify) reads the time from (the system clock unless set);
    /// for tests, or a server whose clock is known to be off.
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks a postback delivered now (by the verifier's clock): `headers` are the request's
    /// (`Content-Type` says JSON or form), `body` its exact bytes.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Verified<Event>, Rejection> {
        self.verify_at(headers, body, (self.clock)())
    }

    /// Checks a postback as [`verify`](Self::verify) does, then records its token in an
    /// asynchronous `store` (the replay guard of [`with_replay_guard`](Self::with_replay_guard)
    /// for a store that answers asynchronously): a token already accepted with another body is
    /// refused with [`Rejection::ReplayedToken`], and a store that cannot answer makes it
    /// [`Rejection::ReplayGuardUnavailable`] (HTTP 503), never an acceptance.
    pub async fn verify_once<S: AsyncTokenStore>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        store: &S,
    ) -> Result<Verified<Event>, Rejection> {
        // One event for the whole check, the store's answer included.
        let verified = match self.check_at(headers, body, (self.clock)()) {
            Ok(verified) => verified,
            rejected => return trace::verdict(rejected),
        };
        let first_use = guard(store.first_use(verified.token_use()).await);
        trace::verdict(first_use.map(|()| verified))
    }

    /// Checks a postback as [`verify`](Self::verify) does, at the time `now`.
    pub fn verify_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified<Event>, Rejection> {
        trace::verdict(self.check_at(headers, body, now))
    }

    /// [`verify_at`](Self::verify_at), without recording the outcome.
    fn check_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified<Event>, Rejection> {
        check_size(body, self.max_body)?;
        if self.empty_secret {
            return Err(Rejection::NoSecret);
        }
        let encoding = match media_type(headers)? {
            Some(media) => {
                encoding_of(&media).ok_or_else(|| Rejection::WrongContentType(shown(&media)))?
            }
            None => sniff(body),
        };
        // Only split into fields (raw JSON text each), nothing typed: the token is all that
        // is read before it is checked.
        let mut fields = match encoding {
            Encoding::Json => Fields::parse(body)?,
            Encoding::Form => form_fields(body)?,
        };
        let token = match fields.get("token") {
            None => return Err(Rejection::MissingToken),
            Some(raw) => {
                serde_json::from_str::<String>(raw.get()).map_err(|_| Rejection::MalformedToken)?
            }
        };
        let claims = self.check_token(&token, now)?;
        if self.require_invoice_claim && claims.invoice_claims().next().is_none() {
            return Err(Rejection::MissingInvoiceClaim);
        }

        // Authentic: now the whole body.
        let (invoice_info, invoice_info_issue) = match fields.remove("invoice_info") {
            None => (None, None),
            Some(raw) => invoice_info(&raw),
        };
        let mut postback: Postback = serde_json::from_str(&fields.to_json()).map_err(malformed)?;
        postback.invoice_info = invoice_info;

        let body_invoice = bare(&postback.invoice_id);
        if claims
            .invoice_claims()
            .any(|(_, claimed)| bare(claimed) != body_invoice)
        {
            return Err(Rejection::InvoiceMismatch);
        }

        // Last, once the postback is otherwise accepted: the replay guard.
        let leeway = i64::try_from(self.leeway.as_secs()).unwrap_or(i64::MAX);
        let token_use = TokenUse {
            token: Fingerprint::of(token.as_bytes()),
            body: Fingerprint::of(body),
            now,
            expires_at: from_unix(claims.expires_at.saturating_add(leeway)),
        };
        if let Some(store) = &self.replay_guard {
            guard(store.first_use(&token_use))?;
        }
        Ok(Verified::new(Event {
            postback,
            claims,
            encoding: match encoding {
                Encoding::Json => BodyEncoding::Json,
                Encoding::Form => BodyEncoding::Form,
            },
            invoice_info_issue,
            token_use,
        }))
    }

    /// The token's claims, if its algorithm, signature and times check out at `now`.
    fn check_token(&self, token: &str, now: SystemTime) -> Result<Claims, Rejection> {
        if token.is_empty() {
            return Err(Rejection::EmptyToken);
        }
        let parts: Vec<&str> = token.split('.').collect();
        let [header, _, _] = parts[..] else {
            return Err(Rejection::MalformedToken);
        };
        // The algorithm is read first, so that `none` and the other algorithms are named in the
        // rejection (jsonwebtoken reports an unknown name such as `none` as malformed JSON).
        let header = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| Rejection::MalformedToken)?;
        let header: Map<String, Value> =
            serde_json::from_slice(&header).map_err(|_| Rejection::MalformedToken)?;
        match header.get("alg") {
            Some(Value::String(alg)) if alg == ALGORITHM => {}
            Some(Value::String(alg)) => return Err(Rejection::DisallowedAlgorithm(shown(alg))),
            _ => return Err(Rejection::MalformedToken),
        }

        // Signature only: the times are checked below against `now`, so that the clock can
        // be injected; no claim is required by jsonwebtoken, `exp` is required here.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &self.key, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => Rejection::BadToken,
                ErrorKind::InvalidAlgorithm => Rejection::DisallowedAlgorithm(ALGORITHM.into()),
                _ => Rejection::MalformedToken,
            })?;
        let map = data.claims;

        let now = unix_seconds(now);
        let leeway = i64::try_from(self.leeway.as_secs()).unwrap_or(i64::MAX);
        let expires_at = match map.get("exp") {
            Some(exp) => seconds(exp).ok_or(Rejection::MissingExpiry)?,
            None => return Err(Rejection::MissingExpiry),
        };
        if now >= expires_at.saturating_add(leeway) {
            return Err(Rejection::ExpiredToken);
        }
        if let Some(nbf) = map.get("nbf") {
            let nbf = seconds(nbf).ok_or(Rejection::MalformedToken)?;
            if now.saturating_add(leeway) < nbf {
                return Err(Rejection::TokenNotYetValid);
            }
        }
        let lifetime = i64::try_from(self.max_token_lifetime.as_secs()).unwrap_or(i64::MAX);
        if expires_at.saturating_sub(now) > lifetime.saturating_add(leeway) {
            return Err(Rejection::TokenLifetimeTooLong);
        }
        Ok(Claims { map, expires_at })
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

/// A verified postback: its token is authentic and names no other invoice, but its other
/// fields are unsigned. Credit nothing from `postback.amount_crypto` (the "paid amount in the
/// coin", more-pages.md 1.6, whose meaning even the docs' examples leave open): confirm the
/// postback ([`Verified::confirm`]) and credit the provider's record ([`Confirmed`]).
#[derive(Clone)]
#[non_exhaustive]
pub struct Event {
    /// The postback. `invoice_info` is `None` when it was not sent, or could not be read (see
    /// [`invoice_info_issue`](Self::invoice_info_issue)).
    pub postback: Postback,
    /// The claims of the postback's token.
    pub claims: Claims,
    /// How the body was encoded.
    pub encoding: BodyEncoding,
    /// Why `invoice_info` was sent but left out of [`postback`](Self::postback): its form in
    /// form-encoded postbacks is not documented, so a value that cannot be read does not make
    /// an authentic postback fail.
    pub invoice_info_issue: Option<InvoiceInfoIssue>,
    /// The token's use, as the replay guard records it.
    token_use: TokenUse,
}

impl fmt::Debug for Event {
    /// The public fields (the token's digests are left out: [`Event::token_use`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("postback", &self.postback)
            .field("claims", &self.claims)
            .field("encoding", &self.encoding)
            .field("invoice_info_issue", &self.invoice_info_issue)
            .finish()
    }
}

impl Event {
    /// The key to deduplicate deliveries by: the invoice id (without `INV-`), the postback's
    /// `status`, and `invoice_info.status` when present (a later postback about the same
    /// invoice reporting another state of it is not a duplicate). The token is not part of it:
    /// it is issued afresh for each delivery.
    pub fn dedup_key(&self) -> DedupKey {
        let info_status = self
            .postback
            .invoice_info
            .as_ref()
            .map(|info| info.status.as_str())
            .unwrap_or("");
        DedupKey::new([
            "cryptocloud",
            bare(&self.postback.invoice_id),
            self.postback.status.as_str(),
            info_status,
        ])
    }

    /// The token's use as a replay guard records it: the digests of the token and of the
    /// body, and when the token stops being accepted. For a store consulted outside the
    /// verifier ([`Verifier::verify_once`] does it for an [`AsyncTokenStore`]).
    pub fn token_use(&self) -> &TokenUse {
        &self.token_use
    }

    /// The invoice's identifier with its `INV-` prefix, as the invoice-information endpoint
    /// takes it (`INV-89UX09KA`).
    pub fn invoice_uuid(&self) -> String {
        format!("{}{}", invoice_id::PREFIX, bare(&self.postback.invoice_id))
    }
}

/// How a postback's body was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyEncoding {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// An `invoice_info` that was sent but could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceInfoIssue {
    /// The value as sent: JSON text, or the text of a form field.
    pub raw: String,
    /// Why it could not be read as an [`Invoice`].
    pub reason: String,
}

/// The claims of a verified token.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims {
    map: Map<String, Value>,
    expires_at: i64,
}

impl Claims {
    /// `exp`: when the token expires, in unix seconds.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }

    /// A claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// Every claim.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// The claims that name an invoice: each of `invoice_id`, `uuid` and `id` that holds a
    /// string, with its name.
    ///
    /// The docs say the invoice's UUID is added to the token but not under which claim, and
    /// their example token has only `{"id": 13, "exp": ...}` (a number, so it names no
    /// invoice). The verifier requires each string claim listed here to be the body's
    /// `invoice_id`, compared without the `INV-` prefix; a token with none of them is not
    /// checked against the body.
    pub fn invoice_claims(&self) -> impl Iterator<Item = (&'static str, &str)> {
        INVOICE_CLAIMS
            .into_iter()
            .filter_map(|name| match self.map.get(name) {
                Some(Value::String(value)) => Some((name, value.as_str())),
                _ => None,
            })
    }
}

/// A replay guard's answer as the verifier's: fails closed, a store that cannot answer refuses.
fn guard(first_use: Result<bool, StoreUnavailable>) -> Result<(), Rejection> {
    match first_use {
        Ok(true) => Ok(()),
        Ok(false) => Err(Rejection::ReplayedToken),
        Err(unavailable) => Err(Rejection::ReplayGuardUnavailable(
            unavailable.reason().to_owned(),
        )),
    }
}

/// A body without `Content-Type`: JSON if it starts with `{`, else a form.
fn sniff(body: &[u8]) -> Encoding {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Encoding::Json,
        _ => Encoding::Form,
    }
}

/// The fields of a form body, each value as a JSON string. A field given twice is refused.
fn form_fields(body: &[u8]) -> Result<Fields, Rejection> {
    if std::str::from_utf8(body).is_err() {
        return Err(Rejection::MalformedBody("the form is not UTF-8".into()));
    }
    let mut fields = Vec::new();
    for (key, value) in form_urlencoded::parse(body) {
        if fields.iter().any(|(k, _)| *k == key) {
            return Err(Rejection::MalformedBody(format!(
                "duplicate field `{}`",
                shown(&key)
            )));
        }
        let json = serde_json::to_string(&value).expect("a string serializes");
        let raw = RawValue::from_string(json).expect("a serialized string is JSON");
        fields.push((key.into_owned(), raw));
    }
    Ok(Fields(fields))
}

/// Reads `invoice_info` leniently: a JSON object, or (form-encoded postbacks, this crate's
/// assumption) a string holding the object's JSON text. `null` is no value.
fn invoice_info(raw: &RawValue) -> (Option<Invoice>, Option<InvoiceInfoIssue>) {
    if raw.get() == "null" {
        return (None, None);
    }
    let text = match serde_json::from_str::<String>(raw.get()) {
        Ok(text) => text,
        Err(_) => raw.get().to_owned(),
    };
    match serde_json::from_str::<Invoice>(&text) {
        Ok(invoice) => (Some(invoice), None),
        Err(e) => (
            None,
            Some(InvoiceInfoIssue {
                raw: text,
                reason: e.to_string(),
            }),
        ),
    }
}

/// A JSON number of seconds (a fraction is dropped, toward the past).
fn seconds(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?.floor();
            (f.is_finite() && f >= i64::MIN as f64 && f <= i64::MAX as f64).then_some(f as i64)
        }),
        _ => None,
    }
}

/// Unix seconds as a time (clamped to what `SystemTime` holds).
fn from_unix(seconds: i64) -> SystemTime {
    let offset = Duration::from_secs(seconds.unsigned_abs());
    let time = if seconds >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    };
    time.unwrap_or(UNIX_EPOCH)
}

fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_accept_integers_and_floats() {
        assert_eq!(seconds(&serde_json::json!(1631786426)), Some(1631786426));
        assert_eq!(seconds(&serde_json::json!(1631786426.9)), Some(1631786426));
        assert_eq!(seconds(&serde_json::json!("1631786426")), None);
        assert_eq!(seconds(&serde_json::json!(1e300)), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"  {\"a\":1}"), Encoding::Json);
        assert_eq!(sniff(b"a=1"), Encoding::Form);
        assert_eq!(sniff(b""), Encoding::Form);
    }
}
