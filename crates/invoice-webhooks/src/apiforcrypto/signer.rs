//! Signing notifications as apiforcrypto does (feature `signing`).

use std::fmt;

use super::InvoiceCallback;
use crate::signing::{SignedDelivery, JSON};
use crate::Secret;

/// Builds notifications as apiforcrypto sends them: the invoice as a JSON body
/// (`Content-Type: application/json`) with `secret_key` set to the key given when the invoice
/// was created (feature `signing`; for tests).
///
/// ```
/// use invoice_webhooks::apiforcrypto::{generate_secret_key, InvoiceCallback, Signer, Verifier};
///
/// let key = generate_secret_key(); // stored with the invoice, sent when creating it
/// let callback: InvoiceCallback =
///     serde_json::from_str(r#"{"id": "f4ae3bd1", "status": "PAID", "value": 0.0015}"#).unwrap();
/// let delivery = Signer::new(key.clone()).sign(&callback);
///
/// let stored = key;
/// let verifier = Verifier::new(move |_: &str| Some(stored.clone()));
/// let verified = verifier.verify(&delivery.headers, &delivery.body).unwrap();
/// assert_eq!(verified.callback.value.unwrap().to_string(), "0.0015");
/// ```
///
/// `Debug` does not show the key.
#[derive(Clone)]
pub struct Signer {
    secret_key: Secret,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("secret_key", &"***")
            .finish()
    }
}

impl Signer {
    /// A signer for the invoice created with `secret_key`.
    pub fn new(secret_key: Secret) -> Self {
        Self { secret_key }
    }

    /// The notification as a JSON body, its `secret_key` set to the signer's (whatever it
    /// held); every other field, unknown ones in `extra` included, as given.
    pub fn sign(&self, callback: &InvoiceCallback) -> SignedDelivery {
        let mut callback = callback.clone();
        callback.secret_key = Some(self.secret_key.clone());
        let body = invoice_primitives::wire::to_vec(&callback).expect("a notification serializes");
        SignedDelivery::new(JSON, body)
    }
}
