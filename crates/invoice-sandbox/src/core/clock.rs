//! Sandbox time: real time sped up by the time scale, plus whatever the control API advanced
//! it by. Expiries and retry schedules are in sandbox time, so tests run in seconds.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use tokio::sync::watch;

/// The most sandbox time may be advanced by, in all: a century.
pub const MAX_ADVANCE: TimeDelta = TimeDelta::days(36_500);

/// The sandbox's clock.
#[derive(Debug)]
pub struct Clock {
    started_real: Instant,
    started_at: DateTime<Utc>,
    scale: f64,
    advanced: Mutex<TimeDelta>,
    /// Bumped on every jump, so sleepers re-check their deadline at once.
    jumps: watch::Sender<u64>,
}

impl Clock {
    pub fn new(scale: f64) -> Self {
        Self::resumed(scale, 0)
    }

    /// A clock that starts `offset_us` microseconds ahead of the wall clock (behind, if
    /// negative): where a kept sandbox left off ([`Clock::offset_us`]).
    pub fn resumed(scale: f64, offset_us: i64) -> Self {
        let wall = DateTime::<Utc>::from(std::time::SystemTime::now()).trunc_subsecs(6);
        Self {
            started_real: Instant::now(),
            started_at: wall
                .checked_add_signed(TimeDelta::microseconds(offset_us))
                .unwrap_or(wall),
            scale,
            advanced: Mutex::new(TimeDelta::zero()),
            jumps: watch::Sender::new(0),
        }
    }

    /// Sandbox now, to the microsecond (the providers' timestamps carry six digits).
    pub fn now(&self) -> DateTime<Utc> {
        let real = self.started_real.elapsed().as_secs_f64() * self.scale;
        let scaled = TimeDelta::microseconds((real * 1e6).min(i64::MAX as f64 / 2.0) as i64);
        let advanced = *self.advanced.lock().unwrap_or_else(|e| e.into_inner());
        scaled
            .checked_add(&advanced)
            .and_then(|span| self.started_at.checked_add_signed(span))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Sandbox time minus the wall clock's, in microseconds: kept, so a restart resumes here.
    pub fn offset_us(&self) -> i64 {
        let wall = DateTime::<Utc>::from(std::time::SystemTime::now());
        (self.now() - wall).num_microseconds().unwrap_or(i64::MAX)
    }

    /// Moves sandbox time forward by `by`; refused (false) past [`MAX_ADVANCE`] in all.
    pub fn advance(&self, by: TimeDelta) -> bool {
        {
            let mut advanced = self.advanced.lock().unwrap_or_else(|e| e.into_inner());
            match advanced
                .checked_add(&by)
                .filter(|total| *total <= MAX_ADVANCE)
            {
                Some(total) => *advanced = total,
                None => return false,
            }
        }
        self.jumps.send_modify(|n| *n = n.wrapping_add(1));
        true
    }

    /// A receiver that changes whenever time jumps.
    pub fn jumps(&self) -> watch::Receiver<u64> {
        self.jumps.subscribe()
    }

    /// The real time a span of sandbox time takes.
    pub fn real(&self, span: TimeDelta) -> Duration {
        let seconds = span.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e6 / self.scale;
        Duration::from_secs_f64(seconds.clamp(0.0, 365.0 * 24.0 * 3600.0))
    }

    /// Waits until sandbox time reaches `due` (at once if time is advanced past it).
    pub async fn sleep_until(&self, due: DateTime<Utc>) {
        let mut jumps = self.jumps();
        loop {
            let now = self.now();
            if now >= due {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.real(due - now)) => {}
                changed = jumps.changed() => {
                    if changed.is_err() {
                        // The clock is gone: only a shutdown does that.
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_minute_takes_a_real_second_and_advancing_moves_now() {
        let clock = Clock::new(60.0);
        assert_eq!(clock.real(TimeDelta::minutes(1)), Duration::from_secs(1));
        let before = clock.now();
        assert!(clock.advance(TimeDelta::hours(2)));
        assert!(!clock.advance(MAX_ADVANCE), "a century in all at most");
        assert!(clock.now() - before >= TimeDelta::hours(2));
    }

    #[tokio::test]
    async fn sleeping_until_a_time_ends_when_time_is_advanced_past_it() {
        let clock = std::sync::Arc::new(Clock::new(1.0));
        let due = clock.now() + TimeDelta::days(1);
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(due).await }
        });
        assert!(clock.advance(TimeDelta::days(2)));
        tokio::time::timeout(Duration::from_secs(30), sleeper)
            .await
            .expect("the sleeper wakes once time passes its deadline")
            .expect("the sleeper does not panic");
    }
}
