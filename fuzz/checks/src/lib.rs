//! The checks behind the fuzz targets in `fuzz_targets/`, one public function per target.
//!
//! Each function takes the fuzzer's bytes and panics when an invariant breaks; it never
//! panics for an input that is merely invalid. The same functions run, on stable, over the
//! kept inputs of `fuzz/regressions/` (`cargo test -p invoice-fuzz`, part of the workspace's
//! tests), so a crash found once stays a regular test.
//!
//! | target | input | invariants beyond "no panic" |
//! | --- | --- | --- |
//! | `decode_<provider>` | JSON bytes | see [`decode`] |
//! | `amount` | text | see [`amount`] |
//! | `time` | text | see [`time`] |
//! | `verify_webhooks` | provider byte, header lines, blank line, body | see [`webhooks`] |
//! | `verify_signed` | provider byte, body | see [`signed`] |
//! | `refusals` | request byte, JSON object of builder inputs | see [`refusals`] |

pub mod amount;
pub mod decode;
pub mod refusals;
pub mod seeds;
pub mod signed;
pub mod time;
pub mod webhooks;

/// A target's check: the fuzzer's bytes in, a panic when an invariant breaks.
pub type Check = fn(&[u8]);

/// Every target, by name, with its check: what `tests/regressions.rs` runs the kept inputs
/// through. The names are the binaries' (`fuzz/fuzz_targets/<name>.rs`).
pub const TARGETS: &[(&str, Check)] = &[
    ("decode_cryptocloud", decode::cryptocloud),
    ("decode_cryptoprocessing", decode::cryptoprocessing),
    ("decode_apiforcrypto", decode::apiforcrypto),
    ("amount", amount::check),
    ("time", time::check),
    ("verify_webhooks", webhooks::check),
    ("verify_signed", signed::check),
    ("refusals", refusals::check),
];
