//! The peer of sections 1 and 5: openapi-generator's `rust` generator on the same specs.
//!
//! It is found at `$OPENAPI_GENERATOR_CLI`, else in the virtualenv that
//! `crates/benchmarks/install-openapi-generator` makes (`target/bench-peer/venv`, the PyPI
//! package `openapi-generator-cli`, which runs the generator's jar with the `java` on `PATH`),
//! else as `openapi-generator-cli` on `PATH`. Without it (or without Java) the sections say so
//! and leave it out.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How to run openapi-generator.
pub struct Peer {
    cli: PathBuf,
    /// `openapi-generator-cli version`, for the report.
    pub version: String,
}

impl Peer {
    /// The installed generator, or why there is none.
    pub fn find(root: &Path) -> Result<Peer, String> {
        let candidates = std::env::var_os("OPENAPI_GENERATOR_CLI")
            .map(PathBuf::from)
            .into_iter()
            .chain([
                root.join("target/bench-peer/venv/bin/openapi-generator-cli"),
                PathBuf::from("openapi-generator-cli"),
            ]);
        let java = Command::new("java")
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !java {
            return Err(
                "openapi-generator was not run: `java` (17 or later) is not installed".into(),
            );
        }
        for cli in candidates {
            let Ok(out) = Command::new(&cli).arg("version").output() else {
                continue;
            };
            if out.status.success() {
                let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                return Ok(Peer { cli, version });
            }
        }
        Err("openapi-generator was not run: it is not installed; \
             `crates/benchmarks/install-openapi-generator` installs it into target/bench-peer/ \
             (needs Python 3 and Java 17)"
            .into())
    }

    /// Generates a `-g rust` crate for each `(name, spec)` into `out/<name>` with one batch run
    /// (one JVM, a thread per core: the peer's fastest way to generate several crates), and
    /// returns the wall time. `out` is emptied first.
    pub fn generate(&self, specs: &[(String, PathBuf)], out: &Path) -> Duration {
        let _ = std::fs::remove_dir_all(out);
        std::fs::create_dir_all(out).expect("create the peer's output directory");
        let mut configs = Vec::new();
        for (name, spec) in specs {
            let config = out.join(format!("{name}.config.yaml"));
            let text = format!(
                "generatorName: rust\n\
                 inputSpec: {spec}\n\
                 outputDir: {dir}\n\
                 additionalProperties:\n  packageName: {name}\n  library: reqwest\n  supportAsync: true\n",
                spec = spec.display(),
                dir = out.join(name).display(),
            );
            std::fs::write(&config, text).expect("write a batch config");
            configs.push(config);
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let start = Instant::now();
        let output = Command::new(&self.cli)
            .args(["batch", "--fail-fast", "--threads", &threads.to_string()])
            .args(&configs)
            .output()
            .expect("run openapi-generator");
        let elapsed = start.elapsed();
        assert!(
            output.status.success(),
            "openapi-generator failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        elapsed
    }

    /// Like [`Peer::generate`], but one `generate` process per spec, one after the other (a
    /// JVM start each): how a script that knows no `batch` runs the peer. Returns the wall time
    /// of all of them.
    pub fn generate_each(&self, specs: &[(String, PathBuf)], out: &Path) -> Duration {
        let _ = std::fs::remove_dir_all(out);
        std::fs::create_dir_all(out).expect("create the peer's output directory");
        let start = Instant::now();
        for (name, spec) in specs {
            let output = Command::new(&self.cli)
                .args(["generate", "-g", "rust", "-i"])
                .arg(spec)
                .arg("-o")
                .arg(out.join(name))
                .arg(format!(
                    "--additional-properties=packageName={name},library=reqwest,supportAsync=true"
                ))
                .output()
                .expect("run openapi-generator");
            assert!(
                output.status.success(),
                "openapi-generator failed on {}:\n{}{}",
                spec.display(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        start.elapsed()
    }
}

/// Makes the crates [`Peer::generate`] wrote into `out` a workspace that builds: the same
/// `[profile]` settings as this workspace, and the one fix its output needs for these specs
/// (a `oneOf` of an array of any JSON is named `ArrayVecserde_json::Value`, which does not
/// parse; renamed `ArrayVecValue`). Returns what was changed, for the report.
pub fn make_buildable(out: &Path, names: &[String], profiles: &str) -> Vec<String> {
    let members: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    std::fs::write(
        out.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n{profiles}",
            members.join(", ")
        ),
    )
    .expect("write the peer workspace manifest");
    let mut fixed = Vec::new();
    for name in names {
        visit_rs(&out.join(name), &mut |path| {
            let text = std::fs::read_to_string(path).expect("read a peer file");
            if text.contains("ArrayVecserde_json::Value") {
                let patched = text.replace("ArrayVecserde_json::Value", "ArrayVecValue");
                std::fs::write(path, patched).expect("patch a peer file");
                fixed.push(path.strip_prefix(out).unwrap_or(path).display().to_string());
            }
        });
    }
    fixed.sort();
    fixed
}

fn visit_rs(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            visit_rs(&path, f);
        } else if path.extension().is_some_and(|e| e == "rs") {
            f(&path);
        }
    }
}

/// The `[profile.*]` tables of the workspace manifest at `root`, as text (so the peer's cold
/// build uses the same settings).
pub fn profiles(root: &Path) -> String {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("read Cargo.toml");
    let mut out = String::new();
    let mut keep = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keep = line.starts_with("[profile");
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
