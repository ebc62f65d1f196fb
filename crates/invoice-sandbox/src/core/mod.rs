//! The sandbox's core: what every provider's imitation shares, naming none of them.
//!
//! State ([`state`]), sandbox time ([`clock`]), the operations that change an invoice and
//! the server around them ([`app`]), callbacks and their retries ([`deliveries`]), the control
//! API ([`control`]), the HTML pages ([`pages`]), the database of `--state` ([`storage`]), JSON in the providers' form ([`json`],
//! [`nulls`]) and tracing ([`trace`]). What differs per provider — its routes, its statuses,
//! its callbacks and how they are signed, its own data about an invoice — is behind
//! [`imitation::Imitation`]; the crate root hands the core the table of imitations
//! (`src/providers.rs`). `tests/sandbox/core_names_no_provider.rs` checks that no file here names a
//! provider.

pub mod app;
pub mod clock;
pub mod control;
pub mod deliveries;
pub mod imitation;
pub mod json;
pub mod nulls;
pub mod pages;
pub mod state;
pub mod storage;
pub mod trace;
