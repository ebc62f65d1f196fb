//! Why a delivery was refused.

use std::fmt;

use http::StatusCode;

/// Why a delivery was refused. Each variant is one reason, so a caller can count, log and
/// alert on them; [`code`](Self::code) is a stable short name and [`status`](Self::status) the
/// HTTP status to answer with.
///
/// Neither `Display` nor `Debug` ever shows a secret, a key, a MAC or a token: only the
/// reason, and for a few reasons a short sanitized value the sender chose (a content type, a
/// JWT algorithm name, a parse error).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The body is larger than the verifier's cap (`limit`, in bytes; see `with_max_body` on
    /// each verifier). Checked before anything reads the body: nothing of it is parsed and no
    /// MAC is computed over it (HTTP 413).
    BodyTooLarge {
        /// The most bytes the verifier accepts.
        limit: usize,
    },
    /// The verifier has no usable secret (it is empty), or the key stored for the invoice is
    /// empty: nothing can be verified. A configuration error on the receiving side (HTTP 500).
    NoSecret,
    /// The `Content-Type` is not one this provider sends (the sanitized media type).
    WrongContentType(String),
    /// The body is not what the provider sends: not JSON (or a form), a duplicated field, a
    /// field of the wrong type, a required field missing. Holds a short description.
    MalformedBody(String),

    /// CryptoCloud: the body has no `token`.
    MissingToken,
    /// CryptoCloud: `token` is empty.
    EmptyToken,
    /// CryptoCloud: `token` is not a JWT (three base64url parts with a JSON header and claims).
    MalformedToken,
    /// CryptoCloud: the token's header names an algorithm other than HS256 (`none`, `HS512`,
    /// `RS256`, ...); holds the sanitized name.
    DisallowedAlgorithm(String),
    /// CryptoCloud: the token's HS256 signature does not match (wrong secret, or the token was
    /// altered).
    BadToken,
    /// CryptoCloud: the token has no numeric `exp` claim.
    MissingExpiry,
    /// CryptoCloud: the token's `exp` is past, beyond the allowed clock skew.
    ExpiredToken,
    /// CryptoCloud: the token's `nbf` is in the future, beyond the allowed clock skew.
    TokenNotYetValid,
    /// CryptoCloud: the token's `exp` lies further ahead of the verifier's clock than the
    /// allowed lifetime (5 minutes, as CryptoCloud's tokens, plus the clock skew, unless
    /// changed): a token that stays valid for long could be replayed for long.
    TokenLifetimeTooLong,
    /// CryptoCloud: the token names another invoice than the body's `invoice_id`.
    InvoiceMismatch,
    /// CryptoCloud: the verifier requires the token to name the invoice
    /// (`require_invoice_claim`), and none of its claims does.
    MissingInvoiceClaim,
    /// CryptoCloud: the token was already accepted with another body (the replay guard,
    /// `with_replay_guard`): a token covers its claims, not the body, so it may authenticate
    /// one delivery only. The same body again (a redelivery) is not refused.
    ReplayedToken,
    /// CryptoCloud: the replay guard's store could not answer (unreachable, slower than its
    /// timeout, failing), so whether the token was already used with another body is unknown.
    /// Refused rather than accepted unchecked, with HTTP 503 so that the provider sends the
    /// postback again later. Holds the store's reason, which never shows a token, a password
    /// or a connection URL.
    ReplayGuardUnavailable(String),
    /// CryptoCloud (`verify_and_confirm`): the API knows no invoice with the postback's
    /// `invoice_id`.
    InvoiceNotFound,
    /// CryptoCloud (`verify_and_confirm`): the provider's record of the invoice disagrees with
    /// the postback on `field`. Holds both values, sanitized and shortened.
    ConfirmationMismatch {
        /// The field that disagrees: `status`, `currency` or `order_id` (never the
        /// amounts: see `cryptocloud::Verifier::verify_and_confirm`).
        field: &'static str,
        /// The postback's value.
        postback: String,
        /// The provider's value.
        provider: String,
    },

    /// Cryptoprocessing: no `X-Processing-Signature` header.
    MissingSignature,
    /// Cryptoprocessing: `X-Processing-Signature` is empty.
    EmptySignature,
    /// Cryptoprocessing: `X-Processing-Signature` is not one hex HMAC-SHA512 (128 hex digits).
    MalformedSignature,
    /// Cryptoprocessing: the signature does not match the body (wrong secret, altered body, or
    /// a signature of another body).
    BadSignature,
    /// Cryptoprocessing: an API key is expected but there is no `X-Processing-Key` header.
    MissingApiKey,
    /// Cryptoprocessing: `X-Processing-Key` is not the expected API key.
    BadApiKey,

    /// apiforcrypto: the body has no `secret_key`.
    MissingSecretKey,
    /// apiforcrypto: `secret_key` is empty.
    EmptySecretKey,
    /// apiforcrypto: no key is stored for the body's invoice id.
    UnknownInvoice,
    /// apiforcrypto: `secret_key` is not the key stored for the invoice.
    BadSecretKey,
}

impl Rejection {
    /// A stable short name (`bad_signature`), safe to send back and to use as a metric label.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::NoSecret => "no_secret",
            Self::WrongContentType(_) => "wrong_content_type",
            Self::MalformedBody(_) => "malformed_body",
            Self::MissingToken => "missing_token",
            Self::EmptyToken => "empty_token",
            Self::MalformedToken => "malformed_token",
            Self::DisallowedAlgorithm(_) => "disallowed_algorithm",
            Self::BadToken => "bad_token",
            Self::MissingExpiry => "missing_expiry",
            Self::ExpiredToken => "expired_token",
            Self::TokenNotYetValid => "token_not_yet_valid",
            Self::TokenLifetimeTooLong => "token_lifetime_too_long",
            Self::InvoiceMismatch => "invoice_mismatch",
            Self::MissingInvoiceClaim => "missing_invoice_claim",
            Self::ReplayedToken => "replayed_token",
            Self::ReplayGuardUnavailable(_) => "replay_guard_unavailable",
            Self::InvoiceNotFound => "invoice_not_found",
            Self::ConfirmationMismatch { .. } => "confirmation_mismatch",
            Self::MissingSignature => "missing_signature",
            Self::EmptySignature => "empty_signature",
            Self::MalformedSignature => "malformed_signature",
            Self::BadSignature => "bad_signature",
            Self::MissingApiKey => "missing_api_key",
            Self::BadApiKey => "bad_api_key",
            Self::MissingSecretKey => "missing_secret_key",
            Self::EmptySecretKey => "empty_secret_key",
            Self::UnknownInvoice => "unknown_invoice",
            Self::BadSecretKey => "bad_secret_key",
        }
    }

    /// The HTTP status to answer with: 500 for [`NoSecret`](Self::NoSecret) (the receiver's
    /// fault), 413 for a body over the cap, 415 for a wrong content type, 400 for a malformed
    /// body, 503 when the replay guard's store cannot answer (the provider should send again
    /// later), 401 for every failed authenticity check (a replayed token and a postback the
    /// provider's record contradicts included).
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NoSecret => StatusCode::INTERNAL_SERVER_ERROR,
            Self::ReplayGuardUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::WrongContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MalformedBody(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// Whether the delivery failed its authenticity check (as opposed to being unreadable, or
    /// the receiver being misconfigured or unable to check): worth an alert if it happens
    /// often.
    pub fn is_authentication_failure(&self) -> bool {
        self.status() == StatusCode::UNAUTHORIZED
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BodyTooLarge { limit } => write!(f, "the body is larger than {limit} bytes"),
            Self::NoSecret => f.write_str("no secret is configured to verify with"),
            Self::WrongContentType(found) => write!(f, "content type {found:?} is not accepted"),
            Self::MalformedBody(why) => write!(f, "malformed body: {why}"),
            Self::MissingToken => f.write_str("the body has no token"),
            Self::EmptyToken => f.write_str("the token is empty"),
            Self::MalformedToken => f.write_str("the token is not a JWT"),
            Self::DisallowedAlgorithm(alg) => {
                write!(f, "the token is signed with {alg:?}, not HS256")
            }
            Self::BadToken => f.write_str("the token's signature does not verify"),
            Self::MissingExpiry => f.write_str("the token has no expiry (exp)"),
            Self::ExpiredToken => f.write_str("the token has expired"),
            Self::TokenNotYetValid => f.write_str("the token is not valid yet (nbf)"),
            Self::TokenLifetimeTooLong => {
                f.write_str("the token's expiry (exp) is further ahead than the allowed lifetime")
            }
            Self::InvoiceMismatch => f.write_str("the token is for another invoice"),
            Self::MissingInvoiceClaim => f.write_str("the token names no invoice"),
            Self::ReplayedToken => f.write_str("the token was already used with another body"),
            Self::ReplayGuardUnavailable(reason) => {
                write!(f, "the replay guard's token store did not answer: {reason}")
            }
            Self::InvoiceNotFound => f.write_str("the provider knows no such invoice"),
            Self::ConfirmationMismatch {
                field,
                postback,
                provider,
            } => write!(
                f,
                "the provider's invoice disagrees on {field}: postback {postback:?}, provider {provider:?}"
            ),
            Self::MissingSignature => f.write_str("no X-Processing-Signature header"),
            Self::EmptySignature => f.write_str("the X-Processing-Signature header is empty"),
            Self::MalformedSignature => {
                f.write_str("X-Processing-Signature is not a hex HMAC-SHA512")
            }
            Self::BadSignature => f.write_str("the signature does not match the body"),
            Self::MissingApiKey => f.write_str("no X-Processing-Key header"),
            Self::BadApiKey => f.write_str("X-Processing-Key is not the expected API key"),
            Self::MissingSecretKey => f.write_str("the body has no secret_key"),
            Self::EmptySecretKey => f.write_str("secret_key is empty"),
            Self::UnknownInvoice => f.write_str("no secret key is stored for this invoice"),
            Self::BadSecretKey => f.write_str("secret_key is not the invoice's key"),
        }
    }
}

impl std::error::Error for Rejection {}
