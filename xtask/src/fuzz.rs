//! `cargo xtask fuzz`: the seed corpus from the specs' examples, then every cargo-fuzz target
//! of `fuzz/` for a given time, and a table of what ran.
//!
//! xtask finds the examples; the fuzz checks turn them into their targets' inputs
//! (`fuzz/checks/src/seeds.rs`, run as `fuzz/checks/examples/write_seeds.rs` on stable), so the
//! input formats are written down once, beside the checks that read them.
//!
//! cargo-fuzz and nightly Rust are run as subprocesses (`cargo +nightly fuzz build`); the
//! targets' binaries are then run directly, up to `--jobs` at a time (one core each), so
//! that their outputs can be read apart. Logs go to `fuzz/target/fuzz-logs/<target>.log`,
//! crashes to `fuzz/artifacts/<target>/`, the corpus to `fuzz/corpus/<target>/` (neither is
//! committed: see `fuzz/.gitignore`). `.ci/fuzz-smoke` installs cargo-fuzz and runs this.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;
use xtask::{Spec, PROVIDERS};

/// The targets, in the order they run: the `[[bin]]`s of fuzz/Cargo.toml.
pub const TARGETS: &[&str] = &[
    "decode_cryptocloud",
    "decode_cryptoprocessing",
    "decode_apiforcrypto",
    "amount",
    "time",
    "verify_webhooks",
    "verify_signed",
    "refusals",
];

/// Options of `cargo xtask fuzz`.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only write the seed corpus.
    pub seed_only: bool,
    /// Seconds per target.
    pub time: u64,
    /// Targets run at once.
    pub jobs: usize,
    /// Only these targets (all if empty).
    pub only: Vec<String>,
    /// libFuzzer's `-max_len`.
    pub max_len: usize,
}

/// Runs `cargo xtask fuzz`.
pub fn run(root: &Path, options: &Options) -> ExitCode {
    let fuzz = root.join("fuzz");
    let targets: Vec<&str> = TARGETS
        .iter()
        .copied()
        .filter(|t| options.only.is_empty() || options.only.iter().any(|o| o == t))
        .collect();
    if let Some(unknown) = options.only.iter().find(|o| !TARGETS.contains(&o.as_str())) {
        eprintln!(
            "error: no fuzz target {unknown} (targets: {})",
            TARGETS.join(", ")
        );
        return ExitCode::FAILURE;
    }
    let seeds = match write_seeds(root, &fuzz.join("corpus")) {
        Ok(seeds) => seeds,
        Err(error) => {
            eprintln!("error: seed corpus: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("seed corpus from specs/*.yaml:");
    for (target, count) in &seeds {
        println!("  fuzz/corpus/{target}: {count} seeds");
    }
    if options.seed_only {
        return ExitCode::SUCCESS;
    }

    let build_start = Instant::now();
    let mut build = Command::new("cargo");
    build
        .args(["+nightly", "fuzz", "build"])
        .args(build_flags())
        .current_dir(root);
    println!("\n$ cargo +nightly fuzz build {}", build_flags().join(" "));
    match build.status() {
        Ok(status) if status.success() => {}
        Ok(_) => return ExitCode::FAILURE,
        Err(error) => {
            eprintln!(
                "error: cannot run `cargo +nightly fuzz` ({error}); install it with \
                 `cargo install cargo-fuzz --locked` (see .ci/fuzz-smoke)"
            );
            return ExitCode::FAILURE;
        }
    }
    println!("built in {:.0} s", build_start.elapsed().as_secs_f64());
    let Some(bin_dir) = bin_dir(&fuzz) else {
        eprintln!("error: cannot tell nightly's host triple (`rustc +nightly -vV`)");
        return ExitCode::FAILURE;
    };
    let logs = fuzz.join("target").join("fuzz-logs");
    if let Err(error) = fs::create_dir_all(&logs) {
        eprintln!("error: {}: {error}", logs.display());
        return ExitCode::FAILURE;
    }

    if let Err(failed) = replay_regressions(&fuzz, &bin_dir, &targets) {
        eprintln!("error: kept inputs fail: {}", failed.join(", "));
        return ExitCode::FAILURE;
    }

    println!(
        "\nrunning {} targets for {} s each, {} at a time",
        targets.len(),
        options.time,
        options.jobs.max(1)
    );
    let run_start = Instant::now();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1).min(targets.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(&target) = targets.get(i) else { break };
                let result = run_target(&fuzz, &bin_dir, &logs, target, options);
                println!("  {target}: {}", result.summary());
                results.lock().unwrap().insert(i, (target, result));
            });
        }
    });
    let results = results.into_inner().unwrap();
    let wall = run_start.elapsed().as_secs_f64();

    let table = table(results.values().map(|(t, r)| (*t, r)), options, wall);
    println!("\n{table}");
    let crashes: usize = results.values().map(|(_, r)| r.crashes.len()).sum();
    let failed = results.values().any(|(_, r)| r.error.is_some());
    for (target, result) in results.values() {
        for crash in &result.crashes {
            println!(
                "crash in {target}: {} (reproduce: fuzz/target/…/{target} {}; minimise: \
                 cargo +nightly fuzz tmin {} {target} {})",
                crash.display(),
                crash.display(),
                build_flags().join(" "),
                crash.display()
            );
        }
        if let Some(error) = &result.error {
            println!("{target}: {error} (log: {})", result.log.display());
        }
    }
    if crashes > 0 || failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs each target's binary once over its kept inputs (`fuzz/regressions/<target>/`), the
/// way libFuzzer runs files given as arguments: the same checks as `fuzz/checks/tests/regressions.rs`,
/// with the binaries just built.
fn replay_regressions(fuzz: &Path, bin_dir: &Path, targets: &[&str]) -> Result<(), Vec<String>> {
    let mut failed = Vec::new();
    let mut kept = 0;
    for target in targets {
        let dir = fuzz.join("regressions").join(target);
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        if files.is_empty() {
            continue;
        }
        files.sort();
        kept += files.len();
        let output = Command::new(bin_dir.join(target))
            .args(&files)
            .stdin(Stdio::null())
            .output();
        match output {
            Ok(output) if output.status.success() => {}
            Ok(output) => {
                eprintln!("{}", String::from_utf8_lossy(&output.stderr));
                failed.push((*target).to_owned());
            }
            Err(error) => failed.push(format!("{target} ({error})")),
        }
    }
    println!("kept inputs (fuzz/regressions): {kept} passed");
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed)
    }
}

/// Release, debug assertions (overflow checks) on, no sanitizer: the code under test is safe
/// Rust, where AddressSanitizer finds nothing the borrow checker has not, at a 2–3× cost.
fn build_flags() -> Vec<&'static str> {
    vec!["--sanitizer", "none", "--debug-assertions"]
}

/// `fuzz/target/<host triple>/release`, where cargo-fuzz puts the binaries.
fn bin_dir(fuzz: &Path) -> Option<PathBuf> {
    let output = Command::new("rustc")
        .args(["+nightly", "-vV"])
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let host = text.lines().find_map(|l| l.strip_prefix("host: "))?;
    Some(fuzz.join("target").join(host.trim()).join("release"))
}

/// What one target's run gave.
#[derive(Debug, Default)]
struct TargetResult {
    executions: u64,
    exec_per_sec: u64,
    seconds: f64,
    crashes: Vec<PathBuf>,
    corpus: usize,
    new_units: u64,
    coverage: Option<u64>,
    error: Option<String>,
    log: PathBuf,
}

impl TargetResult {
    fn summary(&self) -> String {
        format!(
            "{} executions in {:.0} s, {} crashes, corpus {}",
            self.executions,
            self.seconds,
            self.crashes.len(),
            self.corpus
        )
    }
}

fn run_target(
    fuzz: &Path,
    bin_dir: &Path,
    logs: &Path,
    target: &str,
    options: &Options,
) -> TargetResult {
    let corpus = fuzz.join("corpus").join(target);
    let artifacts = fuzz.join("artifacts").join(target);
    let log = logs.join(format!("{target}.log"));
    let mut result = TargetResult {
        log: log.clone(),
        ..TargetResult::default()
    };
    for dir in [&corpus, &artifacts] {
        if let Err(error) = fs::create_dir_all(dir) {
            result.error = Some(format!("{}: {error}", dir.display()));
            return result;
        }
    }
    let before = artifact_files(&artifacts);
    let Ok(log_file) = fs::File::create(&log) else {
        result.error = Some(format!("cannot write {}", log.display()));
        return result;
    };
    let start = Instant::now();
    let status = Command::new(bin_dir.join(target))
        .arg(&corpus)
        .arg(format!("-max_total_time={}", options.time))
        .arg(format!("-max_len={}", options.max_len))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .arg("-timeout=10")
        .arg("-rss_limit_mb=2048")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().expect("a file handle"))
        .stderr(log_file)
        .status();
    result.seconds = start.elapsed().as_secs_f64();
    let text = fs::read_to_string(&log).unwrap_or_default();
    result.executions = stat(&text, "stat::number_of_executed_units:")
        .or_else(|| done_runs(&text))
        .unwrap_or(0);
    result.exec_per_sec = stat(&text, "stat::average_exec_per_sec:").unwrap_or(0);
    result.new_units = stat(&text, "stat::new_units_added:").unwrap_or(0);
    result.coverage = last_coverage(&text);
    result.crashes = artifact_files(&artifacts)
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    result.corpus = fs::read_dir(&corpus).map(|d| d.count()).unwrap_or(0);
    match status {
        Ok(s) if s.success() => {}
        Ok(s) if !result.crashes.is_empty() => {
            let _ = s;
        }
        Ok(s) => result.error = Some(format!("exited with {s}")),
        Err(error) => result.error = Some(format!("cannot run {target}: {error}")),
    }
    result
}

fn artifact_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|f| {
        f.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            ["crash-", "leak-", "timeout-", "oom-"]
                .iter()
                .any(|p| n.starts_with(p))
        })
    });
    files.sort();
    files
}

/// A `stat::name: value` line of `-print_final_stats=1`.
fn stat(log: &str, name: &str) -> Option<u64> {
    log.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix(name))
        .and_then(|v| v.trim().parse().ok())
}

/// `Done N runs in S second(s)`.
fn done_runs(log: &str) -> Option<u64> {
    log.lines()
        .rev()
        .find_map(|l| l.strip_prefix("Done "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// The `cov:` of the last status line.
fn last_coverage(log: &str) -> Option<u64> {
    log.lines().rev().find_map(|l| {
        let rest = l.split(" cov: ").nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn table<'a>(
    results: impl Iterator<Item = (&'a str, &'a TargetResult)>,
    options: &Options,
    wall: f64,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| target | executions | exec/s | crashes | corpus (files) | new units | coverage (edges) |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let (mut executions, mut crashes, mut corpus) = (0, 0, 0);
    for (target, r) in results {
        executions += r.executions;
        crashes += r.crashes.len();
        corpus += r.corpus;
        let _ = writeln!(
            out,
            "| `{target}` | {} | {} | {} | {} | {} | {} |",
            thousands(r.executions),
            thousands(r.exec_per_sec),
            r.crashes.len(),
            r.corpus,
            r.new_units,
            r.coverage.map_or("?".into(), |c| c.to_string())
        );
    }
    let _ = writeln!(
        out,
        "| **total** | **{}** | | **{crashes}** | {corpus} | | |",
        thousands(executions)
    );
    let _ = write!(
        out,
        "\n{} s per target, {} at a time; {:.0} s of fuzzing in all.",
        options.time,
        options.jobs.max(1),
        wall
    );
    out
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

// --- Seeds ---------------------------------------------------------------------------------

/// Where an example sits in a spec (`invoice_fuzz::seeds::Role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Request,
    Response,
    Callback,
    Other,
}

/// One example: its provider, role, operation, media type and value
/// (`invoice_fuzz::seeds::Example`).
#[derive(Debug)]
struct Example {
    provider: &'static str,
    role: Role,
    operation: Option<String>,
    media: Option<String>,
    value: Value,
}

impl Example {
    /// As `invoice_fuzz::seeds::Example` reads it.
    fn to_json(&self) -> Value {
        let role = match self.role {
            Role::Request => "request",
            Role::Response => "response",
            Role::Callback => "callback",
            Role::Other => "other",
        };
        serde_json::json!({
            "provider": self.provider,
            "role": role,
            "operation": self.operation,
            "media": self.media,
            "value": self.value,
        })
    }
}

/// Builds the fuzz checks' `write_seeds` example and returns its executable. Built with the
/// whole workspace selected, so that its dependencies have the features the workspace's own
/// build gave them and are reused from `target/` (the test run has just built them all).
fn seed_writer(root: &Path) -> Result<PathBuf, String> {
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args([
            "build",
            "--quiet",
            "--workspace",
            "--example",
            "write_seeds",
        ])
        .args(["--message-format", "json-render-diagnostics"])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err("cannot build fuzz/checks/examples/write_seeds.rs".into());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| {
            message["reason"] == "compiler-artifact" && message["target"]["name"] == "write_seeds"
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo named no executable for write_seeds".into())
}

/// Writes every example of specs/*.yaml into the targets' corpora; returns the seed count per
/// target.
fn write_seeds(root: &Path, corpus: &Path) -> Result<BTreeMap<&'static str, usize>, String> {
    let mut examples = Vec::new();
    for provider in PROVIDERS {
        let spec = Spec::load(root, provider.spec).map_err(|e| e.to_string())?;
        let document = serde_json::to_value(&spec.api).map_err(|e| e.to_string())?;
        walk(
            provider.name,
            &document,
            &mut Vec::new(),
            None,
            &mut examples,
        );
    }
    if examples.is_empty() {
        return Err("no examples found in the specs".into());
    }

    // The targets' input formats are the fuzz crate's: it turns the examples into inputs.
    let examples: Vec<Value> = examples.iter().map(Example::to_json).collect();
    let examples = serde_json::to_vec(&examples).map_err(|e| e.to_string())?;
    let mut writer = Command::new(seed_writer(root)?)
        .arg(corpus)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run fuzz/checks/examples/write_seeds.rs: {e}"))?;
    let mut stdin = writer.stdin.take().expect("stdin is piped");
    // Written from another thread, so a full pipe cannot block both sides.
    let feed = std::thread::spawn(move || stdin.write_all(&examples));
    let output = writer
        .wait_with_output()
        .map_err(|e| format!("fuzz/checks/examples/write_seeds.rs: {e}"))?;
    let _ = feed.join();
    if !output.status.success() {
        return Err("fuzz/checks/examples/write_seeds.rs failed".into());
    }
    let mut counts = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let (target, count) = line.split_once(' ').ok_or(format!("unexpected: {line}"))?;
        let target = TARGETS
            .iter()
            .find(|t| **t == target)
            .ok_or(format!("no target {target}"))?;
        counts.insert(
            *target,
            count.parse().map_err(|_| format!("unexpected: {line}"))?,
        );
    }
    Ok(counts)
}

/// Collects the examples under `value`: `example` values and `examples.<name>.value`.
fn walk(
    provider: &'static str,
    value: &Value,
    path: &mut Vec<String>,
    operation: Option<&str>,
    out: &mut Vec<Example>,
) {
    match value {
        Value::Object(map) => {
            let operation = map.get("operationId").and_then(Value::as_str).or(operation);
            for (key, child) in map {
                if key == "example" {
                    out.push(example(provider, path, operation, child.clone()));
                } else if key == "examples" {
                    if let Value::Object(named) = child {
                        for example_object in named.values() {
                            if let Some(v) = example_object.get("value") {
                                out.push(example(provider, path, operation, v.clone()));
                            }
                        }
                    }
                } else if !key.starts_with("x-doc") {
                    path.push(key.clone());
                    walk(provider, child, path, operation, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(provider, item, path, operation, out);
            }
        }
        _ => {}
    }
}

fn example(
    provider: &'static str,
    path: &[String],
    operation: Option<&str>,
    value: Value,
) -> Example {
    let has = |k: &str| path.iter().any(|p| p == k);
    let role = if has("x-webhooks") {
        Role::Callback
    } else if has("parameters") || has("schemas") && !has("responses") {
        Role::Other
    } else if has("requestBody") || has("requestBodies") {
        Role::Request
    } else if has("responses") {
        Role::Response
    } else {
        Role::Other
    };
    let media = path.iter().rev().find(|p| p.contains('/')).cloned();
    Example {
        provider,
        role,
        operation: operation.map(str::to_owned),
        media,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_give_seeds_to_every_target() {
        let dir = std::env::temp_dir().join(format!("xtask-fuzz-seeds-{}", std::process::id()));
        let counts = write_seeds(&xtask::workspace_root(), &dir).unwrap();
        let _ = fs::remove_dir_all(&dir);
        for target in TARGETS {
            assert!(counts[target] > 0, "{target} has no seeds: {counts:?}");
        }
    }
}
