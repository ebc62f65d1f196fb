//! Instruction counts from valgrind's callgrind, when it is installed: unlike times, they do
//! not move with the machine's load, so they pin the ratios that matter most.
//!
//! Each count runs this very binary under callgrind twice, once with 0 iterations and once with
//! `n`, and takes the difference divided by `n`, so start-up (loading the specs, starting the
//! server) cancels out. Both client and server threads are counted.

use std::process::Command;

/// Whether `valgrind` can be run.
pub fn available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Instructions callgrind counted for this binary run with `args`.
fn instructions(args: &[String]) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(exe)
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find(|l| l.contains("refs:"))?;
    let digits: String = line
        .split("refs:")
        .nth(1)?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Instructions per iteration of `--<flag> N --decoder <decoder> EXTRA…`.
pub fn per_iteration(flag: &str, decoder: &str, n: u64, extra: &[&str]) -> Option<f64> {
    let run = |n: u64| {
        let mut args = vec![
            format!("--{flag}"),
            n.to_string(),
            "--decoder".into(),
            decoder.into(),
        ];
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        instructions(&args)
    };
    let (base, full) = (run(0)?, run(n)?);
    Some(full.saturating_sub(base) as f64 / n as f64)
}

/// `12.3 k` / `4.56 M` instructions.
pub fn count(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.2} M", n / 1e6)
    } else {
        format!("{:.1} k", n / 1e3)
    }
}
