//! CryptoCloud's [`Tooling`]: postbacks signed with the project's secret key.

use http::HeaderMap;

use super::{Postback, PostbackStatus, Signer, Verifier};
use crate::signing::SignedDelivery;
use crate::tooling::{amount, from_json, to_json, Changes, Keys, Tooling};
use crate::Rejection;

/// CryptoCloud's webhooks for command-line tools (`listen`, `trigger`).
#[derive(Debug, Clone, Copy)]
pub struct CryptoCloudTooling;

/// The value a command-line client uses.
pub static TOOLING: CryptoCloudTooling = CryptoCloudTooling;

/// The spec's example postback `paid` (specs/cryptocloud.yaml, `x-webhooks`), without its
/// `invoice_info`; `token` is replaced when it is signed.
const PAID: &str = r#"{"status":"success","invoice_id":"89UX09KA","amount_crypto":0.000113,"currency":"BTC","order_id":"ORDER_93223","token":""}"#;

impl Tooling for CryptoCloudTooling {
    fn secret_env(&self) -> &'static str {
        "CRYPTOCLOUD_SECRET"
    }

    fn secret_help(&self) -> &'static str {
        "the project's secret key (project settings), which signs each postback's token"
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
        let verified = Verifier::new(keys.secret.clone()).verify(headers, body)?;
        let mut postback = verified.into_event().postback;
        // A bearer proof for its 5 minutes: not shown.
        postback.token = "***".to_owned();
        Ok(to_json(&postback, pretty))
    }

    fn sign(
        &self,
        keys: &Keys,
        event: &str,
        changes: Changes<'_>,
    ) -> Result<SignedDelivery, String> {
        let mut postback: Postback = from_json(event)?;
        if let Some(status) = changes.status {
            postback.status = PostbackStatus::from(status);
        }
        if let Some(text) = changes.amount {
            postback.amount_crypto = Some(amount(text)?);
        }
        Ok(Signer::new(keys.secret.clone()).sign(&postback))
    }
}
