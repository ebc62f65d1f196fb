//! [`CheckoutError`]: what went wrong, with the provider it went wrong with and that
//! provider's own error.

use std::fmt;

use http::StatusCode;
use invoice_primitives::ApiError;
use invoice_webhooks::Rejection;

use crate::Provider;

/// Why a [`Checkout`](crate::Checkout) call failed. Every variant that concerns a provider
/// names it ([`provider`](Self::provider)); a provider's answer is kept whole, as its own
/// client typed it ([`ProviderError`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum CheckoutError {
    /// Refused before anything was sent: the order lacks what the provider needs, or breaks
    /// one of its documented rules.
    InvalidOrder {
        /// The provider the order was for.
        provider: Provider,
        /// What is missing or wrong.
        reason: String,
    },
    /// The provider documents no such call ([`Checkout::status`](crate::Checkout::status) on
    /// Cryptoprocessing, which has no invoice look-up).
    NotOffered {
        /// The provider asked.
        provider: Provider,
        /// The call: `status`.
        operation: &'static str,
    },
    /// The provider's API failed: its documented error, another status, an unreadable
    /// answer, a transport failure, or a request its client refused before sending.
    Api(ProviderError),
    /// The provider does not know the invoice.
    NotFound {
        /// The provider asked.
        provider: Provider,
        /// The invoice id asked for.
        invoice_id: String,
    },
    /// A notification was refused: not authentic, malformed, or contradicted by the provider's
    /// record of the invoice. Answer it with [`webhook_status`](Self::webhook_status).
    Rejected {
        /// The provider the notification claims to come from.
        provider: Provider,
        /// The verifier's reason.
        rejection: Rejection,
    },
    /// A notification could be neither accepted nor refused for a reason this version does not
    /// name (a newer `invoice-webhooks` confirmation error): its text, and the status to answer
    /// the notification with.
    Unverified {
        /// The provider the notification claims to come from.
        provider: Provider,
        /// The status to answer with.
        status: StatusCode,
        /// Why, as the verifier says it.
        reason: String,
    },
    /// An authentic notification about something other than an invoice (Cryptoprocessing
    /// sends deposits, withdrawals and exchanges to the same URL): nothing for the checkout;
    /// answer it 200 so that it is not sent again.
    NotAnInvoice {
        /// The provider that sent it.
        provider: Provider,
        /// What it is about, as the provider names it (`deposit`).
        kind: String,
    },
    /// The configuration is missing or invalid (an environment variable, for
    /// [`Checkout::from_env`](crate::Checkout::from_env)).
    Config(String),
}

/// A provider's API error, typed by that provider's client (each documents its own error
/// body).
#[derive(Debug)]
#[non_exhaustive]
pub enum ProviderError {
    /// From the `cryptocloud` client.
    CryptoCloud(ApiError<cryptocloud::types::ErrorResponse>),
    /// From the `cryptoprocessing` client.
    Cryptoprocessing(ApiError<cryptoprocessing::types::ErrorResponse>),
    /// From the `apiforcrypto` client.
    ApiForCrypto(ApiError<apiforcrypto::types::ErrorResponse>),
}

impl ProviderError {
    /// The provider that failed.
    pub fn provider(&self) -> Provider {
        match self {
            Self::CryptoCloud(_) => Provider::CryptoCloud,
            Self::Cryptoprocessing(_) => Provider::Cryptoprocessing,
            Self::ApiForCrypto(_) => Provider::ApiForCrypto,
        }
    }

    /// The HTTP status of the provider's answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::CryptoCloud(e) => e.status(),
            Self::Cryptoprocessing(e) => e.status(),
            Self::ApiForCrypto(e) => e.status(),
        }
    }

    /// No usable answer came back: the connection, TLS or a timeout failed.
    pub fn is_transport(&self) -> bool {
        matches!(
            self,
            Self::CryptoCloud(ApiError::Transport(_))
                | Self::Cryptoprocessing(ApiError::Transport(_))
                | Self::ApiForCrypto(ApiError::Transport(_))
        )
    }

    /// The provider answered with one of its documented error statuses.
    pub fn is_provider_answer(&self) -> bool {
        matches!(
            self,
            Self::CryptoCloud(ApiError::Provider { .. })
                | Self::Cryptoprocessing(ApiError::Provider { .. })
                | Self::ApiForCrypto(ApiError::Provider { .. })
        )
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CryptoCloud(e) => e.fmt(f),
            Self::Cryptoprocessing(e) => e.fmt(f),
            Self::ApiForCrypto(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ProviderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::CryptoCloud(e) => e.source(),
            Self::Cryptoprocessing(e) => e.source(),
            Self::ApiForCrypto(e) => e.source(),
        }
    }
}

impl From<ApiError<cryptocloud::types::ErrorResponse>> for CheckoutError {
    fn from(error: ApiError<cryptocloud::types::ErrorResponse>) -> Self {
        Self::Api(ProviderError::CryptoCloud(error))
    }
}

impl From<ApiError<cryptoprocessing::types::ErrorResponse>> for CheckoutError {
    fn from(error: ApiError<cryptoprocessing::types::ErrorResponse>) -> Self {
        Self::Api(ProviderError::Cryptoprocessing(error))
    }
}

impl From<ApiError<apiforcrypto::types::ErrorResponse>> for CheckoutError {
    fn from(error: ApiError<apiforcrypto::types::ErrorResponse>) -> Self {
        Self::Api(ProviderError::ApiForCrypto(error))
    }
}

impl CheckoutError {
    /// The provider concerned; `None` for a configuration error that names none.
    pub fn provider(&self) -> Option<Provider> {
        match self {
            Self::InvalidOrder { provider, .. }
            | Self::NotOffered { provider, .. }
            | Self::NotFound { provider, .. }
            | Self::Rejected { provider, .. }
            | Self::Unverified { provider, .. }
            | Self::NotAnInvoice { provider, .. } => Some(*provider),
            Self::Api(error) => Some(error.provider()),
            Self::Config(_) => None,
        }
    }

    /// The HTTP status to answer a notification with when
    /// [`Checkout::verify`](crate::Checkout::verify) fails: the rejection's own (401 for a
    /// failed check, 400 for a malformed body, 413, 415), 200 for an authentic notification that
    /// is not about an invoice, and 503 when the provider could not be asked (CryptoCloud's
    /// confirmation), so that the provider sends it again.
    pub fn webhook_status(&self) -> StatusCode {
        match self {
            Self::Rejected { rejection, .. } => rejection.status(),
            Self::Unverified { status, .. } => *status,
            Self::NotAnInvoice { .. } => StatusCode::OK,
            Self::Api(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for CheckoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidOrder { provider, reason } => {
                write!(f, "{provider}: not sent: {reason}")
            }
            Self::NotOffered {
                provider,
                operation,
            } => write!(
                f,
                "{provider}: `{operation}` is not offered by this provider"
            ),
            Self::Api(error) => write!(f, "{}: {error}", error.provider()),
            Self::NotFound {
                provider,
                invoice_id,
            } => write!(f, "{provider}: no invoice `{invoice_id}`"),
            Self::Rejected {
                provider,
                rejection,
            } => write!(f, "{provider}: notification refused: {rejection}"),
            Self::Unverified {
                provider, reason, ..
            } => write!(f, "{provider}: notification not verified: {reason}"),
            Self::NotAnInvoice { provider, kind } => {
                write!(f, "{provider}: a `{kind}` notification, not an invoice's")
            }
            Self::Config(message) => write!(f, "configuration: {message}"),
        }
    }
}

impl std::error::Error for CheckoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Api(error) => Some(error),
            Self::Rejected { rejection, .. } => Some(rejection),
            _ => None,
        }
    }
}
