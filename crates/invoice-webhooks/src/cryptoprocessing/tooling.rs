//! Cryptoprocessing's [`Tooling`]: callbacks signed with the HMAC-SHA512 of the secret key.

use http::HeaderMap;

use super::{InvoiceCallback, InvoiceStatus, Signer, Verifier};
use crate::signing::SignedDelivery;
use crate::tooling::{amount, from_json, to_json, Changes, Keys, Tooling};
use crate::Rejection;

/// Cryptoprocessing's webhooks for command-line tools (`listen`, `trigger`).
#[derive(Debug, Clone, Copy)]
pub struct CryptoprocessingTooling;

/// The value a command-line client uses.
pub static TOOLING: CryptoprocessingTooling = CryptoprocessingTooling;

/// The spec's example callback `successful_payment` (specs/cryptoprocessing.yaml,
/// `x-webhooks`).
const SUCCESSFUL_PAYMENT: &str = r#"{"id":588,"foreign_id":"8FW1KI7LesB9yxWcK1K","end_user_reference":"12345","type":"invoice","crypto_address":{"id":386897,"currency":"BTC","address":"2Mvo6FMduhHz1BTDHsQ5GyRoifcG3y4ycpk","tag":null},"currency_sent":{"currency":"BTC","amount":"0.02000000","remaining_amount":"0.01000000"},"currency_received":{"currency":"BTC","amount":"0.02000000"},"transactions":[{"id":750294,"currency":"BTC","transaction_type":"blockchain","type":"deposit","address":"2Mvo6FMduhHz1BTDHsQ5GyRoifcG3y4ycpk","tag":null,"amount":"0.01000000","txid":"528dcda13270f8590853405600bf5634d53aa66d2ce5d3a873006a670f9da788","confirmations":"0"}],"fees":[{"type":"fee_crypto_deposit","currency":"BTC","amount":"0.0008"}],"error":"","status":"confirmed","fixed_at":1592307241,"expires_at":1592308141}"#;

impl Tooling for CryptoprocessingTooling {
    fn secret_env(&self) -> &'static str {
        "CRYPTOPROCESSING_SECRET"
    }

    fn secret_help(&self) -> &'static str {
        "the secret key, whose HMAC-SHA512 of the body is X-Processing-Signature"
    }

    /// Every callback carries the merchant's API key in `X-Processing-Key`.
    fn api_key_env(&self) -> Option<&'static str> {
        Some("CRYPTOPROCESSING_API_KEY")
    }

    fn examples(&self) -> &'static [(&'static str, &'static str)] {
        &[("successful_payment", SUCCESSFUL_PAYMENT)]
    }

    fn verify(
        &self,
        keys: &Keys,
        headers: &HeaderMap,
        body: &[u8],
        pretty: bool,
    ) -> Result<String, Rejection> {
        let mut verifier = Verifier::new(keys.secret.clone());
        if let Some(api_key) = &keys.api_key {
            verifier = verifier.with_api_key(api_key.clone());
        }
        let verified = verifier.verify(headers, body)?;
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
            let received = callback
                .currency_received
                .as_mut()
                .ok_or("--amount: the event has no `currency_received` to set it in")?;
            received.amount = Some(amount(text)?);
        }
        let mut signer = Signer::new(keys.secret.clone());
        if let Some(api_key) = &keys.api_key {
            signer = signer.with_api_key(api_key.clone());
        }
        Ok(signer.sign(&callback))
    }
}
