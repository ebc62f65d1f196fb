//! apiforcrypto's [`Tooling`]: notifications carrying the invoice's secret key.

use http::HeaderMap;

use super::{Delivery, InvoiceCallback, InvoiceStatus, Signer};
use crate::signing::SignedDelivery;
use crate::tooling::{amount, from_json, to_json, Changes, Keys, Tooling};
use crate::Rejection;

/// apiforcrypto's webhooks for command-line tools (`listen`, `trigger`).
#[derive(Debug, Clone, Copy)]
pub struct ApiforcryptoTooling;

/// The value a command-line client uses.
pub static TOOLING: ApiforcryptoTooling = ApiforcryptoTooling;

/// The spec's example notification `paid` (specs/apiforcrypto.yaml, `x-webhooks`); its
/// `secret_key` is replaced when it is signed.
const PAID: &str = r#"{"id":"f4ae3bd1-a031-4b4c-84cb-96a425aab4c8","blockchain":"bitcoin","symbol":"BTC","address":"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq","contract_address":null,"active":false,"value":0.0015,"created":"2024-05-01T12:00:00Z","expiry":"2024-05-01T12:15:00Z","status":"PAID","confirmations":2,"txs":["4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"],"data":{"order_id":"ORDER-1002","url_callback":"https://shop.example.com/callbacks/apiforcrypto","attempts_callback":5}}"#;

impl Tooling for ApiforcryptoTooling {
    fn secret_env(&self) -> &'static str {
        "APIFORCRYPTO_SECRET_KEY"
    }

    fn secret_help(&self) -> &'static str {
        "the invoice's secret_key given at creation (the same key for every invoice here)"
    }

    fn examples(&self) -> &'static [(&'static str, &'static str)] {
        &[("paid", PAID)]
    }

    fn verify(
        &self,
        keys: &Keys,
        headers: &HeaderMap,
        body: &[u8],
        pretty: bool,
    ) -> Result<String, Rejection> {
        // The verifier clears `secret_key` from the event.
        let verified = Delivery::read(headers, body)?.verify(Some(&keys.secret))?;
        Ok(to_json(&verified.into_event().callback, pretty))
    }

    fn sign(
        &self,
        keys: &Keys,
        event: &str,
        changes: Changes<'_>,
    ) -> Result<SignedDelivery, String> {
        let mut callback: InvoiceCallback = from_json(event)?;
        if let Some(status) = changes.status {
            callback.status = InvoiceStatus::from(status);
        }
        if let Some(text) = changes.amount {
            callback.value = Some(amount(text)?);
        }
        Ok(Signer::new(keys.secret.clone()).sign(&callback))
    }
}
