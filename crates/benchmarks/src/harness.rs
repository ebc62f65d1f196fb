//! A small harness: warm-up, calibrated samples, several rounds that interleave a benchmark
//! with its floor, median and interquartile range.
//!
//! Interleaving matters on a shared machine: a burst of someone else's work slows the entries
//! of one round alike, so the per-round ratio to the floor is steadier than either time.

use std::time::{Duration, Instant};

/// How long to measure.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Warm-up per entry (also used to calibrate the iterations per sample).
    pub warmup: Duration,
    /// Target wall time of one sample.
    pub sample: Duration,
    /// Samples per entry; the entries of a group take turns, one sample each per round.
    pub rounds: usize,
}

impl Settings {
    pub const FULL: Settings = Settings {
        warmup: Duration::from_millis(300),
        sample: Duration::from_millis(100),
        rounds: 11,
    };
    pub const QUICK: Settings = Settings {
        warmup: Duration::from_millis(20),
        sample: Duration::from_millis(10),
        rounds: 3,
    };
}

/// Median and quartiles of some samples.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub median: f64,
    pub p25: f64,
    pub p75: f64,
}

impl Summary {
    pub fn of(values: &[f64]) -> Summary {
        assert!(!values.is_empty());
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Summary {
            median: quantile(&v, 0.5),
            p25: quantile(&v, 0.25),
            p75: quantile(&v, 0.75),
        }
    }

    /// Interquartile range relative to the median, in percent.
    pub fn iqr_pct(&self) -> f64 {
        if self.median == 0.0 {
            0.0
        } else {
            100.0 * (self.p75 - self.p25) / self.median
        }
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// One thing to measure: runs the operation `n` times and returns the wall time it took.
pub struct Entry<'a> {
    pub name: String,
    run: Box<dyn FnMut(u64) -> Duration + 'a>,
}

impl<'a> Entry<'a> {
    pub fn new(name: impl Into<String>, run: impl FnMut(u64) -> Duration + 'a) -> Self {
        Self {
            name: name.into(),
            run: Box::new(run),
        }
    }

    /// An entry timing a plain closure.
    pub fn timed(name: impl Into<String>, mut op: impl FnMut() + 'a) -> Self {
        Self::new(name, move |n| {
            let start = Instant::now();
            for _ in 0..n {
                op();
            }
            start.elapsed()
        })
    }
}

/// What one entry measured.
#[derive(Debug, Clone)]
pub struct Measured {
    pub name: String,
    /// Seconds per operation.
    pub per_op: Summary,
    /// Per-round ratio of this entry's time per operation to the first entry's (the floor).
    pub ratio: Summary,
}

/// Measures `entries`; the first one is the floor the others are compared with.
pub fn compare(settings: Settings, mut entries: Vec<Entry<'_>>) -> Vec<Measured> {
    let iters: Vec<u64> = entries
        .iter_mut()
        .map(|e| calibrate(settings, &mut e.run))
        .collect();
    let mut times = vec![Vec::with_capacity(settings.rounds); entries.len()];
    for round in 0..settings.rounds {
        // Rotate who goes first, so no entry always runs right after another.
        for k in 0..entries.len() {
            let i = (round + k) % entries.len();
            let elapsed = (entries[i].run)(iters[i]);
            times[i].push(elapsed.as_secs_f64() / iters[i] as f64);
        }
    }
    entries
        .iter()
        .zip(&times)
        .map(|(entry, t)| {
            let ratios: Vec<f64> = t.iter().zip(&times[0]).map(|(a, b)| a / b).collect();
            Measured {
                name: entry.name.clone(),
                per_op: Summary::of(t),
                ratio: Summary::of(&ratios),
            }
        })
        .collect()
}

/// Runs the operation for the warm-up time, doubling the count; returns the iterations that
/// make one sample.
fn calibrate(settings: Settings, run: &mut dyn FnMut(u64) -> Duration) -> u64 {
    let start = Instant::now();
    let mut n = 1;
    let mut per_op;
    loop {
        let elapsed = run(n);
        per_op = elapsed.as_secs_f64() / n as f64;
        if start.elapsed() >= settings.warmup {
            break;
        }
        if elapsed < settings.warmup / 4 {
            n *= 2;
        }
    }
    ((settings.sample.as_secs_f64() / per_op).ceil() as u64).max(1)
}

/// Formats seconds with a sensible unit.
pub fn time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else if seconds >= 1e-6 {
        format!("{:.2} µs", seconds * 1e6)
    } else {
        format!("{:.0} ns", seconds * 1e9)
    }
}

/// `1.23×`, with its per-round interquartile range.
pub fn ratio(s: &Summary) -> String {
    format!("{:.2}× (IQR {:.2}–{:.2})", s.median, s.p25, s.p75)
}

/// Bytes in KiB or MiB.
pub fn bytes(n: f64) -> String {
    if n >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", n / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KiB", n / 1024.0)
    }
}
