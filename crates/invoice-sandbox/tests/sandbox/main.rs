//! The sandbox's integration tests, one test binary (one link on a 2-core machine, not eleven):
//! each module is what was a test file; run one by its name, e.g.
//! `cargo test -p invoice-sandbox --test sandbox browser::`.

mod support;

/// The payment page in headless Chromium.
mod browser;
/// Confirmations: a payment seen before it is final.
mod confirming;
/// The core names no provider (a check of the source).
mod core_names_no_provider;
/// The currencies each provider refuses.
mod currencies;
/// Where the docs are silent: the README's decisions.
mod decisions;
/// Every documented property in every answer and callback.
mod documented;
/// Every provider end to end with the generated clients and verifiers.
mod flow;
/// Forged, replayed and tampered notices.
mod forgeries;
/// The README's example.
mod readme;
/// The payment matrix: provider × outcome × delivery pattern.
mod scenarios;
/// `--state`: a restart mid-retry, and `kill -9` under load.
mod state;
