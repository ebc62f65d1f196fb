//! Section 6 (opt-in, `--cold-build`): one client as a user adds it. For each provider, an
//! empty crate (`cargo new --lib`) gets the client with `cargo add --path` (default features)
//! and is built cold: a new, empty target directory, dependencies already downloaded, the dev
//! profile with this workspace's `[profile]` settings copied. Against the same empty crate
//! with the floor (`cold::floor_crate`, a one-function reqwest + serde crate, with the TLS
//! backend the client uses by default) and with openapi-generator's crate for the same spec
//! (default features), added the same way. Wall time, sides interleaved.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::cold;
use crate::harness::{self, Summary};
use crate::peer::{self, Peer};
use crate::report::{self, Table};

/// The figure of issue 24: ours ÷ floor.
const TARGET: f64 = 1.15;
/// Crates a client needs only for another provider's signatures (Cryptoprocessing's
/// HMAC-SHA512), reported per client.
const SIGNING: [&str; 2] = ["hmac", "sha2"];

/// A user's crate with one dependency added, ready to build.
struct UserCrate {
    dir: PathBuf,
}

/// What one cold build compiled, and how long it took.
struct Build {
    seconds: f64,
    /// Package names of the units compiled (`Compiling <name> <version>`), the user's own
    /// crate included.
    units: Vec<String>,
}

const SIDES: [&str; 3] = ["ours", "floor", "openapi-generator"];

pub fn run(root: &Path, peer: Result<&Peer, &str>, repeats: usize) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let work = std::env::temp_dir().join(format!("benchmarks-single-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("create the single-client work directory");
    let profiles = peer::profiles(root);
    let floor_dir = cold::floor_crate(root, &work.join("floor-src"));
    let mut notes = Vec::new();
    if let Err(reason) = peer {
        notes.push(format!("{reason}."));
    }

    // users[client][side], each a crate of its own; `None` for a missing peer.
    let mut users: Vec<Vec<Option<UserCrate>>> = Vec::new();
    for provider in xtask::PROVIDERS {
        let name = provider.name;
        let ours = user_crate(
            &cargo,
            &work.join(format!("{name}-ours")),
            &root.join("generated").join(name),
            &[],
            &root.join("Cargo.lock"),
            &profiles,
        );
        // The floor with the TLS feature the client turns on by default.
        let floor = user_crate(
            &cargo,
            &work.join(format!("{name}-floor")),
            &floor_dir,
            &["--features", "rustls"],
            &root.join("Cargo.lock"),
            &profiles,
        );
        let theirs = peer.ok().map(|peer| {
            let out = work.join(format!("{name}-peer-src"));
            peer.generate(&[(name.to_owned(), root.join(provider.spec))], &out);
            let fixed = peer::make_buildable(&out, &[name.to_owned()], &profiles);
            if !fixed.is_empty() {
                notes.push(format!(
                    "openapi-generator {}'s `{name}` does not compile as generated: the \
                     benchmark renamed `ArrayVecserde_json::Value` to `ArrayVecValue` in {}.",
                    peer.version,
                    fixed
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            // Its own lock file, resolved once (the peer's dependencies are not all ours).
            run_ok(Command::new(&cargo).arg("fetch").current_dir(&out), "fetch");
            user_crate(
                &cargo,
                &work.join(format!("{name}-peer")),
                &out.join(name),
                &[],
                &out.join("Cargo.lock"),
                &profiles,
            )
        });
        users.push(vec![Some(ours), Some(floor), theirs]);
    }

    // builds[client][side]
    let mut builds: Vec<Vec<Vec<Build>>> = users
        .iter()
        .map(|_| SIDES.iter().map(|_| Vec::new()).collect())
        .collect();
    let started = Instant::now();
    for rep in 0..repeats {
        for (c, provider) in xtask::PROVIDERS.iter().enumerate() {
            for k in 0..SIDES.len() {
                // Rotate who goes first, per client and per repeat.
                let s = (k + rep + c) % SIDES.len();
                let Some(user) = &users[c][s] else { continue };
                let build = cold_build(&cargo, user, &work.join("target"));
                eprintln!(
                    "single client {}: {} {:.1} s, {} units",
                    provider.name,
                    SIDES[s],
                    build.seconds,
                    build.units.len()
                );
                builds[c][s].push(build);
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&work);

    let mut table = Table::new(&[
        "client (default features)",
        "ours",
        "floor: bare reqwest + serde (`rustls`)",
        "openapi-generator (`native-tls`, its default)",
        "ours ÷ floor",
        "target ≤ 1.15×",
        "ours ÷ openapi-generator",
        "units built (ours / floor / peer)",
        "`hmac`, `sha2` among ours",
    ]);
    let mut extra_units = Vec::new();
    for (c, provider) in xtask::PROVIDERS.iter().enumerate() {
        let [ours, floor, theirs] = &builds[c][..] else {
            unreachable!("three sides")
        };
        let median =
            |b: &[Build]| Summary::of(&b.iter().map(|b| b.seconds).collect::<Vec<_>>()).median;
        let ratio = |a: &[Build], b: &[Build]| {
            Summary::of(
                &a.iter()
                    .zip(b)
                    .map(|(a, b)| a.seconds / b.seconds)
                    .collect::<Vec<_>>(),
            )
        };
        let over_floor = ratio(ours, floor);
        let over_peer = (!theirs.is_empty()).then(|| ratio(ours, theirs));
        let signing: Vec<&str> = SIGNING
            .iter()
            .copied()
            .filter(|s| ours[0].units.iter().any(|u| u == s))
            .collect();
        report::target(
            format!(
                "one client as a user adds it (`cargo add {}`, cold, default features) ≤ 1.15× \
                 the bare reqwest + serde floor, wall time; and against openapi-generator's \
                 crate",
                provider.name
            ),
            format!(
                "{:.2}× ({} against {}); {}",
                over_floor.median,
                harness::time(median(ours)),
                harness::time(median(floor)),
                over_peer.map_or("openapi-generator not run".into(), |r| format!(
                    "{:.2}× openapi-generator's ({})",
                    r.median,
                    harness::time(median(theirs))
                ))
            ),
            over_floor.median <= TARGET,
        );
        table.row(vec![
            format!("`{}`", provider.name),
            harness::time(median(ours)),
            harness::time(median(floor)),
            if theirs.is_empty() {
                "—".into()
            } else {
                harness::time(median(theirs))
            },
            format!("**{}**", harness::ratio(&over_floor)),
            if over_floor.median <= TARGET {
                "met"
            } else {
                "**not met**"
            }
            .into(),
            over_peer.map_or("—".into(), |r| harness::ratio(&r)),
            format!(
                "{} / {} / {}",
                ours[0].units.len(),
                floor[0].units.len(),
                theirs
                    .first()
                    .map_or("—".into(), |b| b.units.len().to_string())
            ),
            if signing.is_empty() {
                "no".into()
            } else {
                format!("**yes** ({})", signing.join(", "))
            },
        ]);
        let mut extra: Vec<&str> = ours[0]
            .units
            .iter()
            .filter(|u| *u != "app" && !floor[0].units.contains(u))
            .map(String::as_str)
            .collect();
        extra.sort_unstable();
        extra.dedup();
        extra_units.push(format!(
            "- `{}` ({}): {}",
            provider.name,
            extra.len(),
            extra.join(", ")
        ));
    }
    let mut text = format!(
        "### 6. One client as a user adds it (`--cold-build`)\n\n\
         For each client alone: `cargo new --lib`, then `cargo add --path generated/<client>` \
         (default features: `rustls` on *ring*), then a cold `cargo build` (dev profile with \
         this workspace's `[profile]` settings appended, every core, a new empty target \
         directory, dependencies already downloaded, the workspace's `Cargo.lock`). The floor \
         (`cold.rs`'s one-function crate on the clients' own reqwest, rustls and serde entries, \
         feature `rustls`) and openapi-generator's crate for the same spec (default features) \
         are added to an empty crate and built the same way. Wall time; {repeats} build(s) per \
         cell, sides rotated; the ratios are medians of per-repeat ratios; {elapsed:.0} s in \
         all.\n\n{}\n\
         Units ours compiles that the floor does not (the user's crate aside):\n\n{}\n",
        table.render(),
        extra_units.join("\n"),
    );
    for note in notes {
        text.push_str(&format!("\n{note}\n"));
    }
    text
}

/// `cargo new --lib` in `dir`, this workspace's profiles appended, `lock` copied, then `cargo
/// add --path dependency ARGS` and `cargo fetch`, as a user would (nothing is built).
fn user_crate(
    cargo: &std::ffi::OsStr,
    dir: &Path,
    dependency: &Path,
    add_args: &[&str],
    lock: &Path,
    profiles: &str,
) -> UserCrate {
    let _ = std::fs::remove_dir_all(dir);
    run_ok(
        Command::new(cargo)
            .args(["new", "--lib", "--vcs", "none", "--name", "app"])
            .arg(dir),
        "new",
    );
    let manifest = dir.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("read the user's manifest");
    // A workspace of its own, wherever the temp directory is.
    text.push_str(&format!("\n[workspace]\n\n{profiles}"));
    std::fs::write(&manifest, text).expect("write the user's manifest");
    std::fs::copy(lock, dir.join("Cargo.lock")).expect("copy Cargo.lock");
    run_ok(
        Command::new(cargo)
            .args(["add", "--offline", "--path"])
            .arg(dependency)
            .args(add_args)
            .current_dir(dir),
        "add",
    );
    run_ok(Command::new(cargo).arg("fetch").current_dir(dir), "fetch");
    UserCrate {
        dir: dir.to_owned(),
    }
}

/// A cold `cargo build` of `user` in the new, empty target directory `target` (removed after).
fn cold_build(cargo: &std::ffi::OsStr, user: &UserCrate, target: &Path) -> Build {
    let (seconds, units) = cold::timed_cold_build(
        cargo,
        &user.dir,
        &[],
        target,
        &user.dir.display().to_string(),
    );
    Build { seconds, units }
}

fn run_ok(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cargo {what}: {e}"));
    assert!(
        output.status.success(),
        "cargo {what} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
