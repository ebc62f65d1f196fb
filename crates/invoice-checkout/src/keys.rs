//! Where apiforcrypto invoices' secret keys are kept between creating an invoice and verifying
//! its notifications.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use invoice_webhooks::Secret;

/// The store of apiforcrypto's per-invoice `secret_key`s: the only proof that a notification
/// comes from apiforcrypto is the key the invoice was created with, sent back in it.
///
/// [`Checkout::create`](crate::Checkout::create) makes a random key for each apiforcrypto
/// invoice and [`remember`](Self::remember)s it; [`Checkout::verify`](crate::Checkout::verify)
/// looks it up. [`MemoryKeys`] (the default) serves one process until it exits; to verify
/// notifications after a restart, or in another process, implement this over your database.
pub trait KeyStore: Send + Sync {
    /// Keeps `key` as the secret key of invoice `invoice_id`.
    fn remember(&self, invoice_id: &str, key: Secret);

    /// The key of invoice `invoice_id`, if known.
    fn secret_key(&self, invoice_id: &str) -> Option<Secret>;
}

/// A [`KeyStore`] in memory, for one process.
#[derive(Default)]
pub struct MemoryKeys {
    keys: Mutex<HashMap<String, Secret>>,
}

impl MemoryKeys {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl fmt::Debug for MemoryKeys {
    /// How many keys, never the keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("MemoryKeys").field("keys", &count).finish()
    }
}

impl KeyStore for MemoryKeys {
    fn remember(&self, invoice_id: &str, key: Secret) {
        // A panic elsewhere while the lock was held leaves the map whole: keep using it.
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        keys.insert(invoice_id.to_owned(), key);
    }

    fn secret_key(&self, invoice_id: &str) -> Option<Secret> {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        keys.get(invoice_id).cloned()
    }
}
