//! Signing callbacks as Cryptoprocessing does (feature `signing`).

use std::fmt;

use invoice_primitives::auth::BodyMac;

use super::{InvoiceCallback, API_KEY_HEADER, SIGNATURE_HEADER};
use crate::signing::{SignedDelivery, JSON};
use crate::Secret;

/// Builds callbacks as Cryptoprocessing sends them, signed with the account's secret key
/// (feature `signing`; for tests).
///
/// The body is the callback's JSON bytes (`Content-Type: application/json`), and
/// `X-Processing-Signature` the lowercase hex HMAC-SHA512 of exactly those bytes keyed with
/// the secret key; `X-Processing-Key` carries the API key if one is given.
///
/// ```
/// use invoice_webhooks::cryptoprocessing::{InvoiceCallback, Signer, Verifier};
/// use invoice_webhooks::Secret;
///
/// let callback: InvoiceCallback =
///     serde_json::from_str(r#"{"id": 1, "type": "invoice", "status": "confirmed"}"#).unwrap();
/// let signer = Signer::new(Secret::new("secret key")).with_api_key(Secret::new("api key"));
/// let delivery = signer.sign(&callback);
/// let verifier =
///     Verifier::new(Secret::new("secret key")).with_api_key(Secret::new("api key"));
/// assert!(verifier.verify(&delivery.headers, &delivery.body).is_ok());
/// ```
///
/// `Debug` does not show the keys.
#[derive(Clone)]
pub struct Signer {
    secret: Secret,
    api_key: Option<Secret>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("secret", &"***")
            .field("sends_api_key", &self.api_key.is_some())
            .finish()
    }
}

impl Signer {
    /// A signer with `secret`, the account's secret key.
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            api_key: None,
        }
    }

    /// Also send `X-Processing-Key: api_key`, as Cryptoprocessing does. Signing panics if
    /// `api_key` cannot be a header value (it has a control character).
    pub fn with_api_key(mut self, api_key: Secret) -> Self {
        self.api_key = Some(api_key);
        self
    }

    /// The callback as a signed JSON body.
    pub fn sign(&self, callback: &InvoiceCallback) -> SignedDelivery {
        self.sign_body(invoice_primitives::wire::to_vec(callback).expect("a callback serializes"))
    }

    /// Signs `body` as it is: for a recorded callback, or one that no generated type
    /// describes (another callback `type`).
    pub fn sign_body(&self, body: impl Into<Vec<u8>>) -> SignedDelivery {
        let body = body.into();
        let signature = BodyMac::new(self.secret.expose().as_bytes()).hex(&body);
        let delivery =
            SignedDelivery::new(JSON, body).with_sensitive_header(SIGNATURE_HEADER, &signature);
        match &self.api_key {
            Some(key) => delivery.with_sensitive_header(API_KEY_HEADER, key.expose()),
            None => delivery,
        }
    }
}
