//! Webhook tooling for command-line clients (feature `signing`): what `listen` and `trigger`
//! need of a provider, so that the loops themselves (a local endpoint, a signed POST) name no
//! provider.
//!
//! Each provider module has a [`Tooling`] value, `TOOLING`: it verifies a delivery with the
//! provider's verifier and writes the event as JSON, and builds a signed delivery of an event
//! (a documented example, or one given as JSON, with its status and amount optionally changed)
//! with the provider's signer.

use http::HeaderMap;

use crate::signing::SignedDelivery;
use crate::{Rejection, Secret};

/// What a command line may change in an example event before it is signed.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Changes<'a> {
    /// The event's status, as the provider writes it (`success`, `confirmed`, `PAID`, ...).
    pub status: Option<&'a str>,
    /// The amount paid, as an exact decimal (`0.000113`).
    pub amount: Option<&'a str>,
}

impl<'a> Changes<'a> {
    /// Changes to the status and the amount (`None`: keep the event's).
    pub fn new(status: Option<&'a str>, amount: Option<&'a str>) -> Self {
        Self { status, amount }
    }
}

/// What a tool signs and verifies deliveries with: the provider's shared secret and, where the
/// provider also sends its API key with each delivery (Cryptoprocessing's `X-Processing-Key`),
/// that key, if the tool has it.
#[derive(Debug, Clone)]
pub struct Keys {
    /// The shared secret ([`Tooling::secret_env`]).
    pub secret: Secret,
    /// The API key ([`Tooling::api_key_env`]): sent with a signed delivery, and checked on a
    /// received one, when given.
    pub api_key: Option<Secret>,
}

impl Keys {
    /// The secret alone.
    pub fn new(secret: Secret) -> Self {
        Self {
            secret,
            api_key: None,
        }
    }

    /// With the API key too.
    pub fn with_api_key(mut self, api_key: Secret) -> Self {
        self.api_key = Some(api_key);
        self
    }
}

/// A provider's webhooks, for command-line tools: verify, sign, and documented examples.
///
/// Implemented in each provider's module (`cryptocloud::TOOLING`, ...), where the provider's
/// event types, verifier and signer are.
pub trait Tooling: Sync {
    /// The environment variable a tool reads the shared secret from, unless given otherwise.
    fn secret_env(&self) -> &'static str;

    /// What the shared secret is, for help text.
    fn secret_help(&self) -> &'static str;

    /// The environment variable a tool reads the API key from, where the provider sends it
    /// with each delivery; `None` where it sends none.
    fn api_key_env(&self) -> Option<&'static str> {
        None
    }

    /// Documented example events, `(name, JSON body)`; the first is the default.
    fn examples(&self) -> &'static [(&'static str, &'static str)];

    /// Verifies a delivery (its headers and exact body) with the provider's verifier, then
    /// writes the event as JSON (pretty or on one line), with every amount exact and no secret
    /// or token in it.
    fn verify(
        &self,
        keys: &Keys,
        headers: &HeaderMap,
        body: &[u8],
        pretty: bool,
    ) -> Result<String, Rejection>;

    /// Builds the delivery of `event` (JSON of the provider's event type) with `changes`,
    /// signed as the provider signs it with `keys`. `Err` says what is wrong with the event
    /// or the changes.
    fn sign(
        &self,
        keys: &Keys,
        event: &str,
        changes: Changes<'_>,
    ) -> Result<SignedDelivery, String>;
}

/// An event's JSON, pretty or on one line.
pub(crate) fn to_json<T: serde::Serialize>(value: &T, pretty: bool) -> String {
    // The provider's form: amounts as JSON numbers where it writes numbers.
    let text = if pretty {
        invoice_primitives::wire::to_string_pretty(value)
    } else {
        invoice_primitives::wire::to_string(value)
    };
    text.expect("a typed event serializes to JSON")
}

/// Reads an event's JSON into its type.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(event: &str) -> Result<T, String> {
    serde_json::from_str(event).map_err(|e| format!("the event does not fit its type: {e}"))
}

/// Reads an amount.
pub(crate) fn amount<T: std::str::FromStr>(text: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| format!("--amount: {e}"))
}
