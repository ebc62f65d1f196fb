//! Section 5 (opt-in, `--cold-build`): a cold `cargo build` of the three generated client
//! crates against one of the crates openapi-generator makes of the same specs, with the same
//! TLS backend, each in a fresh target directory, one after the other. A third side is the
//! floor: a crate of one function on the same reqwest, TLS and serde as the generated clients
//! (`floor_crate`), the least any reqwest client builds.
//!
//! All use the registry already on disk (dependencies are fetched before timing) and this
//! workspace's `[profile]` settings; all build in the dev profile with every core. The
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
    let floor = Side {
        name: "floor",
        dir: floor_crate(root, &work.join("floor-src")),
        features: |tls, _| vec!["--features".into(), tls.into()],
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
    for dir in [root, floor.dir.as_path()] {
        let fetched = Command::new(&cargo)
            .arg("fetch")
            .current_dir(dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(fetched, "cargo fetch in {} failed", dir.display());
    }

    // ours, floor, then the peer when there is one.
    let sides: Vec<&Side> = [&ours, &floor]
        .into_iter()
        .chain(peer_side.as_ref())
        .collect();
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
        "floor: bare reqwest + serde",
        "openapi-generator: 3 crates",
        "ours ÷ peer",
        "floor ÷ peer",
        "ours ÷ floor",
        "target ≤ 0.5×",
        "units built (ours / floor / peer)",
        "C builds (ours / floor / peer)",
    ]);
    for (t, tls) in TLS.iter().enumerate() {
        let median = |builds: &[Build]| {
            Summary::of(&builds.iter().map(|b| b.seconds).collect::<Vec<_>>()).median
        };
        let ours = &results[t][0];
        let floor = &results[t][1];
        let peer = results[t].get(2);
        let ratio_of = |a: &[Build], b: &[Build]| {
            Summary::of(
                &a.iter()
                    .zip(b)
                    .map(|(a, b)| a.seconds / b.seconds)
                    .collect::<Vec<_>>(),
            )
        };
        let ratio = peer.map(|p| ratio_of(ours, p));
        let floor_ratio = peer.map(|p| ratio_of(floor, p));
        let over_floor = ratio_of(ours, floor);
        let native = |b: &[Build]| {
            let n = &b[0].native;
            if n.is_empty() {
                "—".to_owned()
            } else {
                n.join(", ")
            }
        };
        if let (Some(r), Some(f), Some(p)) = (ratio, floor_ratio, peer) {
            report::target(
                format!("cold build of the 3 clients ≤ 0.5× openapi-generator's, `{tls}`"),
                format!(
                    "{:.2}× ({} against {}); a bare reqwest + serde crate: {:.2}×",
                    r.median,
                    harness::time(median(ours)),
                    harness::time(median(p)),
                    f.median
                ),
                r.median <= 0.5,
            );
        }
        table.row(vec![
            format!("`{tls}`"),
            harness::time(median(ours)),
            harness::time(median(floor)),
            peer.map_or("—".into(), |p| harness::time(median(p))),
            ratio.map_or("—".into(), |r| format!("**{:.2}×**", r.median)),
            floor_ratio.map_or("—".into(), |r| format!("{:.2}×", r.median)),
            format!("{:.2}×", over_floor.median),
            ratio.map_or("—".into(), |r| {
                if r.median <= 0.5 {
                    "met"
                } else {
                    "**not met**"
                }
                .into()
            }),
            format!(
                "{} / {} / {}",
                ours[0].units,
                floor[0].units,
                peer.map_or("—".into(), |p| p[0].units.to_string())
            ),
            format!(
                "{} / {} / {}",
                native(ours),
                native(floor),
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
         on aws-lc-rs; ours is rustls on `ring`). The floor is one crate with one function \
         that POSTs JSON and decodes a derived struct, on the generated clients' own `reqwest`, \
         `rustls`, `serde` and `serde_json` entries (features included) and `Cargo.lock`: the \
         least a client on reqwest builds, whatever its generator, so \"floor ÷ peer\" is the \
         lowest ratio any such client can reach.\n\n{}",
        names.join(" -p "),
        started.elapsed().as_secs_f64(),
        table.render()
    );
    for note in notes {
        text.push_str(&format!("\n{note}\n"));
    }
    text
}

/// Writes the floor crate into `dir` and returns it: the generated clients' `reqwest`,
/// `rustls`, `serde` and `serde_json` entries of `[workspace.dependencies]` (so the same
/// versions and features), their TLS features, this workspace's profiles and `Cargo.lock`,
/// and one function that uses them.
pub(crate) fn floor_crate(root: &Path, dir: &Path) -> PathBuf {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("read Cargo.toml");
    let entry = |name: &str| {
        let prefix = format!("{name} = ");
        let line = manifest
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no `{name}` in [workspace.dependencies]"));
        // `rustls` is the TLS feature's alone.
        if name == "rustls" {
            line.replacen(" }", ", optional = true }", 1)
        } else {
            line.to_owned()
        }
    };
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src")).expect("create the floor crate");
    let text = format!(
        "[package]\nname = \"floor\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[dependencies]\n{}\n{}\n{}\n{}\n\n\
         [features]\n\
         # As the generated crates' TLS features (crates/invoice-primitives).\n\
         rustls = [\"dep:rustls\", \"reqwest/rustls-no-provider\"]\n\
         native-tls = [\"reqwest/native-tls\"]\n\n{}",
        entry("reqwest"),
        entry("rustls"),
        entry("serde"),
        entry("serde_json"),
        peer::profiles(root)
    );
    std::fs::write(dir.join("Cargo.toml"), text).expect("write the floor manifest");
    std::fs::write(dir.join("src/lib.rs"), FLOOR_LIB).expect("write the floor crate");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    dir.to_owned()
}

/// The floor crate's code: one JSON POST decoded into a derived struct.
const FLOOR_LIB: &str = r#"//! The least a reqwest + serde client builds (crates/benchmarks/src/cold.rs).

#[derive(serde::Serialize)]
pub struct Request {
    pub amount: String,
}

#[derive(serde::Deserialize)]
pub struct Answer {
    pub id: i64,
    pub status: String,
}

pub async fn create(base: &str, request: &Request) -> Result<Answer, reqwest::Error> {
    #[cfg(feature = "rustls")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    client.post(format!("{base}/create")).json(request).send().await?.error_for_status()?.json().await
}
"#;

fn cold_build(
    cargo: &std::ffi::OsStr,
    side: &Side,
    tls: &str,
    names: &[String],
    target: &Path,
) -> Build {
    let (seconds, compiled) = timed_cold_build(
        cargo,
        &side.dir,
        &(side.features)(tls, names),
        target,
        &format!("{} with {tls}", side.name),
    );
    Build {
        seconds,
        units: compiled.len(),
        native: NATIVE
            .iter()
            .copied()
            .filter(|n| compiled.iter().any(|c| c == n))
            .collect(),
    }
}

/// A cold `cargo build <args>` of the crate in `dir`, in the new, empty target directory
/// `target` (removed before and after): its wall time in seconds, and the package names of the
/// units it compiled (`Compiling <name> <version>`). Shared by this section and section 6.
pub(crate) fn timed_cold_build(
    cargo: &std::ffi::OsStr,
    dir: &Path,
    args: &[String],
    target: &Path,
    what: &str,
) -> (f64, Vec<String>) {
    let _ = std::fs::remove_dir_all(target);
    let start = Instant::now();
    let output = Command::new(cargo)
        .arg("build")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTC_WRAPPER")
        .output()
        .expect("run cargo build");
    let seconds = start.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cold build of {what} failed:\n{log}"
    );
    let _ = std::fs::remove_dir_all(target);
    let compiled = log
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Compiling "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    (seconds, compiled)
}
