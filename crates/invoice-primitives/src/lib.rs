//! The provider-neutral runtime of the generated invoice clients: exact decimal amounts instead
//! of `f64`, the date-time forms providers write, enums that keep unknown values, the
//! [`Lifecycle`] every provider's invoice statuses map to, bounded
//! arguments and documented rules checked before a request is sent, one error type that keeps
//! the HTTP status and raw body, credentials (a header token, an HMAC of the body), and the
//! transport (timeouts, safe retries).
//!
//! `cargo xtask regen` wires these in through the providers table; each provider's choices
//! (its authentication scheme and header names, its rules) are declared next to that provider,
//! in its spec and its row, never here.

// docs.rs (`--cfg docsrs`, nightly): each feature-gated item marked with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod amount;
pub mod auth;
pub mod base_url;
pub mod bounded;
pub mod error;
pub mod lifecycle;
pub mod open_enum;
pub mod path;
#[doc(hidden)]
pub mod progenitor;
pub mod response;
pub mod rules;
#[cfg(feature = "schemars")]
pub mod schema;
pub mod text;
pub mod text_or_integer;
pub mod time;
pub mod trace;
pub mod transport;
pub mod wire;

pub use amount::{Amount, StringAmount};
#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
pub use auth::HmacBodySignature;
pub use auth::{Authenticate, CredentialError, HeaderToken, NoAuth, Scheme, Secret};
pub use base_url::BaseUrlError;
pub use bounded::{BoundedInt, BoundedVec};
pub use error::{ApiError, ErrorBody};
pub use lifecycle::Lifecycle;
pub use path::PathSegment;
pub use response::Response;
pub use text::MaybeText;
pub use time::{DayMonthYear, Timestamp, UnixTime};
pub use transport::{Config, RetryPolicy};

/// The decimal type behind [`Amount`] and [`StringAmount`] ([`Amount::get`]), so that sums and
/// comparisons need no dependency of your own with matching features.
pub use rust_decimal;
pub use rust_decimal::Decimal;

/// The `schemars` crate, for the expansion of [`open_enum!`] and [`text_or_integer!`] (feature
/// `schemars`).
#[cfg(feature = "schemars")]
#[doc(hidden)]
pub use schemars as __schemars;
