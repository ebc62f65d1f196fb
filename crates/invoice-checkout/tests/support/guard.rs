//! The failure guard the tests share: how long any single expected thing may take, and waiting
//! for a condition under it (a bound on failure, never a pacing sleep).

use std::future::Future;
use std::time::Duration;

/// The longest any single expected thing may take before the test fails.
pub const GUARD: Duration = Duration::from_secs(30);

/// Waits until `check` returns `Some`, re-checking every few milliseconds; fails the test
/// after [`GUARD`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + GUARD;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
