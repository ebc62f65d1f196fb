//! `cargo xtask fuzz`: the seed corpus from the specs' examples, then every cargo-fuzz target
//! of `fuzz/` for a given time, and a table of what ran.
//!
//! cargo-fuzz and nightly Rust are run as subprocesses (`cargo +nightly fuzz build`); the
//! targets' binaries are then run directly, up to `--jobs` at a time (one core each), so
//! that their outputs can be read apart. Logs go to `fuzz/target/fuzz-logs/<target>.log`,
//! crashes to `fuzz/artifacts/<target>/`, the corpus to `fuzz/corpus/<target>/` (neither is
//! committed: see `fuzz/.gitignore`). `.ci/fuzz-smoke` installs cargo-fuzz and runs this.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;
use sha2::{Digest, Sha256, Sha512};
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

// What the targets expect, from fuzz/src (keep in step): the secrets the seeds are signed
// with, and the selector bytes.
/// `fuzz/src/webhooks.rs` `CRYPTOPROCESSING_SECRET`.
const CRYPTOPROCESSING_SECRET: &[u8] = b"fuzz-secret-key";
/// `fuzz/src/webhooks.rs` `CRYPTOPROCESSING_API_KEY`.
const CRYPTOPROCESSING_API_KEY: &str = "fuzz-api-key";
/// `fuzz/src/refusals.rs` `KINDS`: the request behind each selector byte.
const REFUSAL_KINDS: &[(&str, &str)] = &[
    ("cryptocloud", "list_invoices"),
    ("cryptocloud", "get_statistics"),
    ("cryptocloud", "create_invoice"),
    ("cryptocloud", "create_withdrawal"),
    ("cryptocloud", "get_invoices"),
    ("cryptoprocessing", "create_invoice"),
    ("apiforcrypto", "create_invoice"),
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
/// way libFuzzer runs files given as arguments: the same checks as `fuzz/tests/regressions.rs`,
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

/// Where an example sits in a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Request,
    Response,
    Callback,
    Other,
}

/// One example: its provider, role, operation, media type and value.
#[derive(Debug)]
struct Example {
    provider: &'static str,
    role: Role,
    operation: Option<String>,
    media: Option<String>,
    value: Value,
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

    let mut seeds: BTreeMap<&'static str, Vec<Vec<u8>>> = BTreeMap::new();
    let mut add =
        |target: &'static str, bytes: Vec<u8>| seeds.entry(target).or_default().push(bytes);
    for (i, _) in REFUSAL_KINDS.iter().enumerate() {
        add("refusals", [vec![i as u8], b"{}".to_vec()].concat());
    }
    for example in &examples {
        let json = serde_json::to_vec(&example.value).expect("a Value serializes");
        for leaf in leaves(&example.value) {
            add("amount", leaf.clone().into_bytes());
            add("time", leaf.into_bytes());
        }
        for scalar in scalars(&example.value) {
            add("amount", scalar.clone());
            add("time", scalar);
        }
        match (example.role, example.provider) {
            (Role::Response | Role::Callback, provider) => {
                let target = match provider {
                    "cryptocloud" => "decode_cryptocloud",
                    "cryptoprocessing" => "decode_cryptoprocessing",
                    _ => "decode_apiforcrypto",
                };
                add(target, json.clone());
            }
            (Role::Request, provider) => {
                let kind = REFUSAL_KINDS
                    .iter()
                    .position(|(p, op)| *p == provider && example.operation.as_deref() == Some(op));
                if let Some(kind) = kind {
                    add("refusals", [vec![kind as u8], json.clone()].concat());
                }
            }
            (Role::Other, _) => {}
        }
        if example.role == Role::Callback {
            let form = example.media.as_deref() == Some("application/x-www-form-urlencoded");
            for (target, bytes) in callback_seeds(example.provider, form, &example.value) {
                add(target, bytes);
            }
        }
    }

    let mut counts = BTreeMap::new();
    for target in TARGETS {
        let dir = corpus.join(target);
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut written = 0;
        let mut all = seeds.remove(target).unwrap_or_default();
        all.sort();
        all.dedup();
        for bytes in all {
            let name = format!("spec-{}", &hex(&Sha256::digest(&bytes))[..16]);
            fs::write(dir.join(name), &bytes).map_err(|e| format!("{}: {e}", dir.display()))?;
            written += 1;
        }
        counts.insert(*target, written);
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

/// Every string's content and every number's text under `value`.
fn leaves(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(leaves).collect(),
        Value::Object(map) => map.values().flat_map(leaves).collect(),
        _ => Vec::new(),
    }
}

/// Every scalar under `value` as JSON text (`"0.02"`, `100`).
fn scalars(value: &Value) -> Vec<Vec<u8>> {
    match value {
        Value::String(_) | Value::Number(_) => vec![serde_json::to_vec(value).unwrap()],
        Value::Array(items) => items.iter().flat_map(scalars).collect(),
        Value::Object(map) => map.values().flat_map(scalars).collect(),
        _ => Vec::new(),
    }
}

/// A callback example as the webhook targets read it: `verify_webhooks` (provider byte,
/// headers, blank line, body, signed where the provider signs headers) and `verify_signed`
/// (provider byte, body).
fn callback_seeds(provider: &str, form: bool, value: &Value) -> Vec<(&'static str, Vec<u8>)> {
    let json = serde_json::to_vec(value).expect("a Value serializes");
    let with_headers = |selector: u8, headers: &[(&str, String)], body: &[u8]| {
        let mut out = vec![selector];
        for (name, value) in headers {
            out.extend_from_slice(format!("{name}: {value}\n").as_bytes());
        }
        out.push(b'\n');
        out.extend_from_slice(body);
        out
    };
    let content_type = |media: &str| ("content-type", media.to_owned());
    match provider {
        "cryptocloud" if form => {
            let body = form_encode(value);
            vec![
                (
                    "verify_webhooks",
                    with_headers(
                        0,
                        &[content_type("application/x-www-form-urlencoded")],
                        &body,
                    ),
                ),
                ("verify_signed", [vec![3], json].concat()),
            ]
        }
        "cryptocloud" => vec![
            (
                "verify_webhooks",
                with_headers(0, &[content_type("application/json")], &json),
            ),
            ("verify_webhooks", [vec![0], json.clone()].concat()),
            ("verify_signed", [vec![0], json].concat()),
        ],
        "cryptoprocessing" => {
            let mac = hex(&hmac_sha512(CRYPTOPROCESSING_SECRET, &json));
            let headers = [
                content_type("application/json"),
                ("x-processing-signature", mac),
                ("x-processing-key", CRYPTOPROCESSING_API_KEY.to_owned()),
            ];
            vec![
                ("verify_webhooks", with_headers(1, &headers, &json)),
                ("verify_webhooks", with_headers(2, &headers, &json)),
                ("verify_signed", [vec![1], json].concat()),
            ]
        }
        _ => vec![
            (
                "verify_webhooks",
                with_headers(3, &[content_type("application/json")], &json),
            ),
            ("verify_signed", [vec![2], json].concat()),
        ],
    }
}

/// A form body from an object's members: strings as their text, other values as JSON.
fn form_encode(value: &Value) -> Vec<u8> {
    let Some(map) = value.as_object() else {
        return Vec::new();
    };
    let encode = |text: &str| {
        let mut out = String::new();
        for b in text.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => {
                    let _ = write!(out, "%{b:02X}");
                }
            }
        }
        out
    };
    let pairs: Vec<String> = map
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{}={}", encode(k), encode(&text))
        })
        .collect();
    pairs.join("&").into_bytes()
}

/// HMAC-SHA512 (RFC 2104), written out: xtask has sha2 but not hmac.
fn hmac_sha512(key: &[u8], message: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 128;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..64].copy_from_slice(&Sha512::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha512::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha512::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha512_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        let mac = hmac_sha512(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a\
             6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
    }

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
