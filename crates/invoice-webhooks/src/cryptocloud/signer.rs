//! Signing postbacks as CryptoCloud does (feature `signing`).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{unix_seconds, Postback};
use crate::request_checks::Fields;
use crate::signing::{SignedDelivery, FORM, JSON};
use crate::Secret;

/// How long a token is valid by default: 5 minutes, as CryptoCloud's.
pub const DEFAULT_VALIDITY: Duration = Duration::from_secs(5 * 60);

/// The claim [`Signer`] names the postback's invoice in (one of those the verifier checks).
pub const INVOICE_CLAIM: &str = "invoice_id";

/// The JOSE header of every token, written as PyJWT writes it (CryptoCloud's example tokens
/// have exactly this header).
const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Builds postbacks as CryptoCloud sends them, signed with the project's secret key (feature
/// `signing`; for tests).
///
/// The postback's `token` is replaced by a fresh HS256 JWT whose claims are, in this order, the
/// extra claims ([`with_claim`](Self::with_claim)), `exp` (now + [`DEFAULT_VALIDITY`] unless
/// set) and `invoice_id` (the postback's `invoice_id`, unless
/// [`without_invoice_claim`](Self::without_invoice_claim)). The token is written the way PyJWT
/// writes one: the header `{"alg":"HS256","typ":"JWT"}` and compact JSON claims, each part
/// base64url without padding, then the HMAC-SHA256 of `header.claims`.
///
/// ```
/// use invoice_webhooks::cryptocloud::{Postback, Signer, Verifier};
/// use invoice_webhooks::Secret;
///
/// let postback: Postback = serde_json::from_str(
///     r#"{"status": "success", "invoice_id": "89UX09KA", "amount_crypto": 0.000113, "token": ""}"#,
/// ).unwrap();
/// let delivery = Signer::new(Secret::new("project secret")).sign(&postback);
/// let verified = Verifier::new(Secret::new("project secret"))
///     .verify(&delivery.headers, &delivery.body)
///     .unwrap();
/// assert_eq!(verified.postback.amount_crypto.unwrap().to_string(), "0.000113");
/// ```
///
/// Cheap to clone. `Debug` does not show the secret.
#[derive(Clone)]
pub struct Signer {
    secret: Secret,
    validity: Duration,
    invoice_claim: bool,
    claims: Vec<(String, Value)>,
    clock: Arc<dyn Fn() -> SystemTime + Send + Sync>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let claims: Vec<&str> = self.claims.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Signer")
            .field("secret", &"***")
            .field("validity", &self.validity)
            .field("invoice_claim", &self.invoice_claim)
            .field("claims", &claims)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer with `secret`, the secret key of the project's settings.
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            validity: DEFAULT_VALIDITY,
            invoice_claim: true,
            claims: Vec::new(),
            clock: Arc::new(SystemTime::now),
        }
    }

    /// How long tokens are valid: `exp` is the signer's clock plus `validity`, in whole
    /// seconds ([`DEFAULT_VALIDITY`] unless set).
    pub fn with_validity(mut self, validity: Duration) -> Self {
        self.validity = validity;
        self
    }

    /// The clock `exp` is counted from (the system clock unless set). A clock in the past
    /// makes expired tokens.
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Leaves the `invoice_id` claim out, as in the docs' example token (`{"id": 13, "exp":
    /// ...}`): the verifier then does not compare the token with the body's invoice.
    pub fn without_invoice_claim(mut self) -> Self {
        self.invoice_claim = false;
        self
    }

    /// Adds a claim (the docs' example has `"id": 13`), after those added before; a claim
    /// added again replaces the earlier value in its place. A claim named `exp` or
    /// `invoice_id` replaces the one the signer would write.
    pub fn with_claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let (name, value) = (name.into(), value.into());
        match self.claims.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => *v = value,
            None => self.claims.push((name, value)),
        }
        self
    }

    /// The token of a postback about the invoice `invoice_id` (its value in the body, without
    /// `INV-`), issued now by the signer's clock.
    pub fn token(&self, invoice_id: &str) -> String {
        let mut claims = self.claims.clone();
        let has = |claims: &[(String, Value)], name: &str| claims.iter().any(|(n, _)| n == name);
        if !has(&claims, "exp") {
            let now = unix_seconds((self.clock)());
            let validity = i64::try_from(self.validity.as_secs()).unwrap_or(i64::MAX);
            claims.push(("exp".into(), now.saturating_add(validity).into()));
        }
        if self.invoice_claim && !has(&claims, INVOICE_CLAIM) {
            claims.push((INVOICE_CLAIM.into(), invoice_id.into()));
        }
        // Written member by member, so the claims keep their order whatever serde_json's
        // `Map` does.
        let mut text = String::from("{");
        for (i, (name, value)) in claims.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&serde_json::to_string(name).expect("a string serializes"));
            text.push(':');
            text.push_str(&serde_json::to_string(value).expect("a JSON value serializes"));
        }
        text.push('}');

        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(HEADER),
            URL_SAFE_NO_PAD.encode(text)
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.expose().as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(message.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{message}.{signature}")
    }

    /// The postback as a JSON body (`Content-Type: application/json`), its `token` replaced by
    /// a fresh one.
    pub fn sign(&self, postback: &Postback) -> SignedDelivery {
        SignedDelivery::new(JSON, self.json(postback))
    }

    /// The postback as a form (`Content-Type: application/x-www-form-urlencoded`), its `token`
    /// replaced by a fresh one: every field as text, numbers with their exact digits, and
    /// `invoice_info` as the JSON text of the object (how the verifier reads it; the provider's
    /// encoding of it is not documented).
    pub fn sign_form(&self, postback: &Postback) -> SignedDelivery {
        let json = self.json(postback);
        let fields = Fields::parse(&json).expect("a serialized postback is a JSON object");
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (name, raw) in &fields.0 {
            let raw = raw.get();
            if raw == "null" {
                continue;
            }
            match serde_json::from_str::<String>(raw) {
                Ok(text) => form.append_pair(name, &text),
                // A number, a boolean, an object or an array: its JSON text.
                Err(_) => form.append_pair(name, raw),
            };
        }
        SignedDelivery::new(FORM, form.finish().into_bytes())
    }

    /// The JSON bytes of the postback with a fresh token.
    fn json(&self, postback: &Postback) -> Vec<u8> {
        let mut postback = postback.clone();
        postback.token = self.token(&postback.invoice_id);
        invoice_primitives::wire::to_vec(&postback).expect("a postback serializes")
    }
}
