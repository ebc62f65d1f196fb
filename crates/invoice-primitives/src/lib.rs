//! Hand-written primitives that the generated clients (`cryptocloud`, `cryptoprocessing`,
//! `apiforcrypto`) use in place of progenitor's defaults: exact decimal amounts instead of
//! `f64`, the providers' date-time forms, enums that keep unknown values, bounded arguments
//! checked before a request is sent, and errors that keep the HTTP status and raw body.
//!
//! `cargo xtask regen` wires these in through the providers table (conversions,
//! replacements and hooks). Only [`rules`] knows about particular providers: the documented
//! rules that span several fields.

pub mod amount;
pub mod bounded;
pub mod error;
pub mod open_enum;
pub mod rules;
pub mod text;
pub mod time;
pub mod transport;

pub use amount::{Amount, StringAmount};
pub use bounded::{BoundedInt, BoundedVec};
pub use error::{ApiError, ErrorBody, SendExt};
pub use text::MaybeText;
pub use time::{DayMonthYear, Timestamp, UnixTime};
pub use transport::{Config, HmacAuth, NoAuth, RetryPolicy, Secret, TokenAuth};
