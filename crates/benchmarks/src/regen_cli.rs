//! Section 1, as a user runs it: `cargo xtask regen --check` spawned from the command line in
//! this workspace (the default dev profile; cargo's start, workspace load and fingerprint
//! check included), against openapi-generator's whole process on the same specs (JVM start
//! included). Wall time, in interleaved pairs.
//!
//! xtask is built first (one untimed `cargo xtask regen --check`), so every timed run is "the
//! first run after a build": nothing compiles, cargo only checks. Each round also times the
//! two parts of our process, for where the time goes: cargo with nothing to run
//! (`cargo xtask --help`) and the dev-profile xtask binary without cargo.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use crate::harness::{self, Summary};
use crate::peer::Peer;
use crate::report::{self, Table};

/// The figure of issue 24: peer ÷ ours, whole processes.
const TARGET: f64 = 30.0;

/// Wall times of one round, in seconds.
struct Round {
    /// `cargo xtask regen --check`.
    ours: f64,
    /// `cargo xtask --help`: cargo's part of `ours`, with a binary that does nothing.
    cargo_only: f64,
    /// `<target>/debug/xtask regen --check`: the binary's part, without cargo.
    binary_only: f64,
    /// openapi-generator, one `batch` process for the three specs.
    peer_batch: Option<f64>,
    /// openapi-generator, one `generate` process per spec.
    peer_each: Option<f64>,
}

pub fn run(root: &Path, peer: Result<&Peer, &str>, pairs: usize) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // The build (and a first run, untimed).
    let started = Instant::now();
    let first = xtask_check(&cargo, root);
    let build_seconds = started.elapsed().as_secs_f64();
    let binary = xtask_binary(&cargo, root);
    let specs: Vec<(String, PathBuf)> = xtask::PROVIDERS
        .iter()
        .map(|p| (p.name.to_owned(), root.join(p.spec)))
        .collect();
    let peer_out =
        std::env::temp_dir().join(format!("benchmarks-regen-cli-{}", std::process::id()));

    let mut rounds = Vec::new();
    let mut failed_checks = 0;
    for round in 0..pairs {
        let timed_ours = || {
            let start = Instant::now();
            let output = xtask_check(&cargo, root);
            let seconds = start.elapsed().as_secs_f64();
            (seconds, output.status.success())
        };
        let timed_peer = || {
            peer.ok().map(|p| {
                (
                    p.generate(&specs, &peer_out).as_secs_f64(),
                    p.generate_each(&specs, &peer_out).as_secs_f64(),
                )
            })
        };
        // Alternate who goes first, so a burst of other work does not always hit one side.
        let ((ours, passed), peers) = if round % 2 == 0 {
            let o = timed_ours();
            (o, timed_peer())
        } else {
            let p = timed_peer();
            (timed_ours(), p)
        };
        if !passed {
            failed_checks += 1;
        }
        let cargo_only = timed(Command::new(&cargo).args(["xtask", "--help"]), root);
        let binary_only = timed(Command::new(&binary).args(["regen", "--check"]), root);
        eprintln!(
            "regen as a user runs it, round {}: ours {:.3} s (cargo {:.3} s, binary {:.3} s), \
             peer {}",
            round + 1,
            ours,
            cargo_only,
            binary_only,
            peers.map_or("—".into(), |(b, e)| format!(
                "{b:.2} s batch, {e:.2} s one by one"
            ))
        );
        rounds.push(Round {
            ours,
            cargo_only,
            binary_only,
            peer_batch: peers.map(|p| p.0),
            peer_each: peers.map(|p| p.1),
        });
    }
    let _ = std::fs::remove_dir_all(&peer_out);

    let of = |f: fn(&Round) -> f64| Summary::of(&rounds.iter().map(f).collect::<Vec<_>>());
    let ours = of(|r| r.ours);
    let cell = |s: Summary| format!("{} (IQR {:.0}%)", harness::time(s.median), s.iqr_pct());
    let mut table = Table::new(&["whole process (wall time)", "time", "share of ours"]);
    table.row(vec![
        "**`cargo xtask regen --check`** (dev profile, from the command line)".into(),
        cell(ours),
        "100%".into(),
    ]);
    table.row(vec![
        "of which cargo: `cargo xtask --help` (start, workspace and `Cargo.lock` read, \
         fingerprint check of xtask and its dependencies, a binary that does nothing)"
            .into(),
        cell(of(|r| r.cargo_only)),
        format!("{:.0}%", 100.0 * of(|r| r.cargo_only).median / ours.median),
    ]);
    table.row(vec![
        format!(
            "of which xtask: `{} regen --check` run directly (the dev-profile binary, no cargo)",
            binary.strip_prefix(root).unwrap_or(&binary).display()
        ),
        cell(of(|r| r.binary_only)),
        format!("{:.0}%", 100.0 * of(|r| r.binary_only).median / ours.median),
    ]);

    let peer_text = match peer {
        Err(reason) => format!("**Peer**: {reason}.\n"),
        Ok(peer) => {
            let ratio = |f: fn(&Round) -> Option<f64>| {
                Summary::of(
                    &rounds
                        .iter()
                        .filter_map(|r| f(r).map(|p| p / r.ours))
                        .collect::<Vec<_>>(),
                )
            };
            let times = |f: fn(&Round) -> Option<f64>| {
                Summary::of(&rounds.iter().filter_map(f).collect::<Vec<_>>())
            };
            let batch = ratio(|r| r.peer_batch);
            let each = ratio(|r| r.peer_each);
            let mut t = Table::new(&[
                "openapi-generator, the 3 specs from scratch (whole processes, JVM start included)",
                "time",
                "peer ÷ `cargo xtask regen --check`",
                "target ≥ 30×",
            ]);
            let verdict = |r: &Summary| {
                if r.median >= TARGET {
                    "met"
                } else {
                    "**not met**"
                }
            };
            t.row(vec![
                format!(
                    "{} `-g rust`, one `batch` process ({} threads; its fastest way)",
                    peer.version,
                    std::thread::available_parallelism().map_or(1, |n| n.get())
                ),
                cell(times(|r| r.peer_batch)),
                format!("**{}**", harness::ratio(&batch)),
                verdict(&batch).into(),
            ]);
            t.row(vec![
                format!(
                    "{} `-g rust`, one `generate` process per spec, one after the other",
                    peer.version
                ),
                cell(times(|r| r.peer_each)),
                harness::ratio(&each),
                "—".into(),
            ]);
            report::target(
                "`cargo xtask regen --check` as a user runs it (dev profile, whole process) \
                 ≥ 30× faster than openapi-generator `-g rust` (whole process), wall time",
                format!(
                    "{:.1}× ({} against {}, one `batch` process; {:.1}× against one process per \
                     spec, {}); cargo's own part {}",
                    batch.median,
                    harness::time(ours.median),
                    harness::time(times(|r| r.peer_batch).median),
                    each.median,
                    harness::time(times(|r| r.peer_each).median),
                    harness::time(of(|r| r.cargo_only).median),
                ),
                batch.median >= TARGET,
            );
            t.render()
        }
    };
    let check_note = if first.status.success() && failed_checks == 0 {
        "Every check passed (generated/ was up to date).".to_owned()
    } else {
        format!(
            "**{failed_checks} of {pairs} timed checks failed** (generated/ differed from \
             specs/ in the working tree, so the run also printed the difference)."
        )
    };
    format!(
        "### 1b. Regeneration as a user runs it (`cargo xtask regen --check`, dev profile)\n\n\
         Wall time of whole processes started from the command line in this workspace, {pairs} \
         pair(s) (ours, then the peer; the next pair the other way round), median and IQR; the \
         ratio is the median of the per-pair ratios. xtask was built first (the build and a \
         first check took {build:.1} s), so each timed run is the first after a build: cargo \
         only checks that nothing changed. {check_note}\n\n{}\n{peer_text}",
        table.render(),
        build = build_seconds,
    )
}

/// `cargo xtask regen --check` in `root`, as a user types it.
fn xtask_check(cargo: &std::ffi::OsStr, root: &Path) -> Output {
    Command::new(cargo)
        .args(["xtask", "regen", "--check"])
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .expect("run cargo xtask regen --check")
}

/// The dev-profile xtask binary that `cargo xtask` runs (already built: this only asks cargo
/// where it is).
fn xtask_binary(cargo: &std::ffi::OsStr, root: &Path) -> PathBuf {
    let output = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--package",
            "xtask",
            "--message-format=json",
        ])
        .current_dir(root)
        .output()
        .expect("run cargo build --package xtask");
    assert!(
        output.status.success(),
        "cargo build --package xtask failed"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["target"]["name"] == "xtask")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the xtask executable")
}

/// Wall time of `command` run in the workspace, its output discarded. (A failing
/// `regen --check` still did the whole check; the note above the table says when one failed.)
fn timed(command: &mut Command, root: &Path) -> f64 {
    let start = Instant::now();
    command
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run a command");
    start.elapsed().as_secs_f64()
}
