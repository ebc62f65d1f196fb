//! Section 5 (opt-in, `--cold-build`): a cold `cargo build` of the three generated client
//! crates against one of the crates openapi-generator makes of the same specs, with the same
//! TLS backend, each in a fresh target directory, one after the other.
//!
//! Both use the registry already on disk (dependencies are fetched before timing) and this
//! workspace's `[profile]` settings; both build in the dev profile with every core. The
//! target directories are under `target/bench-cold/` and are deleted after each build.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::harness::{self, Summary};
use crate::peer::{self, Peer};
use crate::report::{self, Table};

/// One side of a comparison: where to run `cargo build`, and with which arguments per TLS
/// backend.
struct Side {
    name: &'static str,
    dir: PathBuf,
    /// `rustls` / `native-tls` → the feature arguments that select it.
    features: fn(&str, &[String]) -> Vec<String>,
}

/// What one cold build did.
struct Build {
    seconds: f64,
    units: usize,
    /// The heaviest C builds the graph holds.
    native: Vec<&'static str>,
}

const TLS: [&str; 2] = ["rustls", "native-tls"];
/// Crates with a large C build, named in the report when they are compiled.
const NATIVE: [&str; 3] = ["aws-lc-sys", "ring", "openssl-sys"];

pub fn run(root: &Path, peer: Result<&Peer, &str>, repeats: usize) -> String {
    let names: Vec<String> = xtask::PROVIDERS.iter().map(|p| p.name.to_owned()).collect();
    let work = root.join("target/bench-cold");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("create target/bench-cold");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());

    let ours = Side {
        name: "ours",
        dir: root.to_owned(),
        features: |tls, names| {
            let packages = names.iter().flat_map(|n| ["-p".to_owned(), n.clone()]);
            let mut args: Vec<String> = packages.collect();
            if tls != "rustls" {
                args.push("--no-default-features".into());
                args.push("--features".into());
                args.push(
                    names
                        .iter()
                        .map(|n| format!("{n}/{tls}"))
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            args
        },
    };
    let mut notes = Vec::new();
    let peer_side = match peer {
        Err(reason) => {
            notes.push(format!("{reason}."));
            None
        }
        Ok(peer) => {
            let out = work.join("peer-src");
            let specs: Vec<(String, PathBuf)> = xtask::PROVIDERS
                .iter()
                .map(|p| (p.name.to_owned(), root.join(p.spec)))
                .collect();
            peer.generate(&specs, &out);
            let fixed = peer::make_buildable(&out, &names, &peer::profiles(root));
            if !fixed.is_empty() {
                notes.push(format!(
                    "openapi-generator {}'s output does not compile as generated: {} renamed \
                     `ArrayVecserde_json::Value` to `ArrayVecValue` in {}.",
                    peer.version,
                    "the benchmark",
                    fixed
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let fetched = Command::new(&cargo)
                .arg("fetch")
                .current_dir(&out)
                .status()
                .is_ok_and(|s| s.success());
            assert!(fetched, "cargo fetch for the peer's crates failed");
            Some(Side {
                name: "openapi-generator",
                dir: out,
                features: |tls, names| {
                    vec![
                        "--workspace".into(),
                        "--no-default-features".into(),
                        "--features".into(),
                        names
                            .iter()
                            .map(|n| format!("{n}/{tls}"))
                            .collect::<Vec<_>>()
                            .join(","),
                    ]
                },
            })
        }
    };
    let fetched = Command::new(&cargo)
        .arg("fetch")
        .current_dir(root)
        .status()
        .is_ok_and(|s| s.success());
    assert!(fetched, "cargo fetch for the workspace failed");

    let sides: Vec<&Side> = std::iter::once(&ours).chain(peer_side.as_ref()).collect();
    // results[tls][side] = builds
    let mut results: Vec<Vec<Vec<Build>>> = (0..TLS.len())
        .map(|_| (0..sides.len()).map(|_| Vec::new()).collect())
        .collect();
    let started = Instant::now();
    for rep in 0..repeats {
        for (t, tls) in TLS.iter().enumerate() {
            for k in 0..sides.len() {
                // Alternate who goes first.
                let s = (k + rep + t) % sides.len();
                let side = sides[s];
                let target = work.join(format!("target-{}-{tls}", side.name));
                let build = cold_build(&cargo, side, tls, &names, &target);
                eprintln!(
                    "cold build: {} with {tls}: {:.1} s, {} units",
                    side.name, build.seconds, build.units
                );
                results[t][s].push(build);
                let _ = std::fs::remove_dir_all(&target);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&work);

    let mut table = Table::new(&[
        "TLS backend (feature)",
        "ours: 3 client crates",
        "openapi-generator: 3 crates",
        "ours ÷ peer",
        "target ≤ 0.5×",
        "units built (ours / peer)",
        "C builds (ours / peer)",
    ]);
    for (t, tls) in TLS.iter().enumerate() {
        let median = |builds: &[Build]| {
            Summary::of(&builds.iter().map(|b| b.seconds).collect::<Vec<_>>()).median
        };
        let ours = &results[t][0];
        let peer = results[t].get(1);
        let ratio = peer.map(|p| {
            Summary::of(
                &ours
                    .iter()
                    .zip(p)
                    .map(|(a, b)| a.seconds / b.seconds)
                    .collect::<Vec<_>>(),
            )
        });
        let native = |b: &[Build]| {
            let n = &b[0].native;
            if n.is_empty() {
                "—".to_owned()
            } else {
                n.join(", ")
            }
        };
        if let (Some(r), Some(p)) = (ratio, peer) {
            report::target(
                format!("cold build of the 3 clients ≤ 0.5× openapi-generator's, `{tls}`"),
                format!(
                    "{:.2}× ({} against {})",
                    r.median,
                    harness::time(median(ours)),
                    harness::time(median(p))
                ),
                r.median <= 0.5,
            );
        }
        table.row(vec![
            format!("`{tls}`"),
            harness::time(median(ours)),
            peer.map_or("—".into(), |p| harness::time(median(p))),
            ratio.map_or("—".into(), |r| format!("**{:.2}×**", r.median)),
            ratio.map_or("—".into(), |r| {
                if r.median <= 0.5 {
                    "met"
                } else {
                    "**not met**"
                }
                .into()
            }),
            format!(
                "{} / {}",
                ours[0].units,
                peer.map_or("—".into(), |p| p[0].units.to_string())
            ),
            format!(
                "{} / {}",
                native(ours),
                peer.map_or("—".into(), |p| native(p))
            ),
        ]);
    }
    let mut text = format!(
        "### 5. Cold build (`--cold-build`)\n\n\
         `cargo build` (dev profile, this workspace's `[profile]` settings on both sides, every \
         core) of `-p {}` here, and of the crates openapi-generator makes of the same specs in \
         a workspace of their own; each in a new, empty target directory, dependencies already \
         downloaded; {repeats} build(s) per cell, alternating sides; {:.0} s in all. The TLS \
         backend is each side's feature of that name (openapi-generator's `rustls` is reqwest's, \
         on aws-lc-rs; ours is rustls on `ring`).\n\n{}",
        names.join(" -p "),
        started.elapsed().as_secs_f64(),
        table.render()
    );
    for note in notes {
        text.push_str(&format!("\n{note}\n"));
    }
    text
}

fn cold_build(
    cargo: &std::ffi::OsStr,
    side: &Side,
    tls: &str,
    names: &[String],
    target: &Path,
) -> Build {
    let _ = std::fs::remove_dir_all(target);
    let start = Instant::now();
    let output = Command::new(cargo)
        .arg("build")
        .args((side.features)(tls, names))
        .current_dir(&side.dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTC_WRAPPER")
        .output()
        .expect("run cargo build");
    let seconds = start.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cold build of {} with {tls} failed:\n{log}",
        side.name
    );
    let compiled: Vec<&str> = log
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Compiling "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    Build {
        seconds,
        units: compiled.len(),
        native: NATIVE
            .iter()
            .copied()
            .filter(|n| compiled.contains(n))
            .collect(),
    }
}
