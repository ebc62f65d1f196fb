//! [`Checkout::from_env`](crate::Checkout::from_env): the provider and its settings from
//! environment variables.

use invoice_webhooks::Secret;

use crate::{
    ApiforcryptoSettings, Checkout, CheckoutError, CryptoCloudSettings, CryptoprocessingSettings,
    Provider,
};

pub(crate) fn from_env() -> Result<Checkout, CheckoutError> {
    let provider: Provider = required(Provider::ENV)?
        .parse()
        .map_err(|e: crate::UnknownProvider| config(Provider::ENV, e))?;
    let client_error =
        |e: invoice_primitives::CredentialError| CheckoutError::Config(format!("{provider}: {e}"));
    Ok(match provider {
        Provider::CryptoCloud => {
            let client = cryptocloud::Client::from_env().map_err(client_error)?;
            let settings = CryptoCloudSettings::new(
                required(CryptoCloudSettings::SHOP_ID_ENV)?,
                Secret::new(required(CryptoCloudSettings::SECRET_ENV)?),
            );
            Checkout::cryptocloud(client, settings)
        }
        Provider::Cryptoprocessing => {
            let client = cryptoprocessing::Client::from_env().map_err(client_error)?;
            // The client signs with the same two; callbacks are checked with both.
            let credentials = cryptoprocessing::Credentials::SECRET_ENV;
            let settings = CryptoprocessingSettings::new(Secret::new(required(credentials)?))
                .with_api_key(Secret::new(required(
                    cryptoprocessing::Credentials::API_KEY_ENV,
                )?));
            Checkout::cryptoprocessing(client, settings)
        }
        Provider::ApiForCrypto => {
            let client = apiforcrypto::Client::from_env().map_err(client_error)?;
            let mut settings =
                ApiforcryptoSettings::new(required(ApiforcryptoSettings::WALLET_ID_ENV)?);
            if let Some(url) = optional(ApiforcryptoSettings::CALLBACK_URL_ENV) {
                settings = settings.with_callback_url(url);
            }
            Checkout::apiforcrypto(client, settings)
        }
    })
}

/// A variable's value; unset or blank is an error naming it.
fn required(name: &str) -> Result<String, CheckoutError> {
    optional(name).ok_or_else(|| CheckoutError::Config(format!("{name} is not set")))
}

/// A variable's value, as set (a secret is not trimmed); unset or blank is `None`.
fn optional(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

fn config(name: &str, error: impl std::fmt::Display) -> CheckoutError {
    CheckoutError::Config(format!("{name}: {error}"))
}
