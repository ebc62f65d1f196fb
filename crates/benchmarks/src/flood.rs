//! Section 3, last part: N requests at once (10 000 by default) through one client, against the
//! benchmark's server in a child process (`--serve`), so that the client's and the server's
//! sockets each fit in the process's file limit.
//!
//! Every request is started before the first answer is awaited (`join_all`), so all N are in
//! flight together: N connections are opened at once, then reused by a second wave of N. The
//! generated Cryptoprocessing client (`create_invoice`: signed POST) runs with retries off, so
//! that an error cannot be hidden by a retry; the floor is a bare `reqwest::Client` sending
//! the same requests. Peak heap is the client process's, above its level before each wave.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use invoice_primitives::{Config, RetryPolicy};
use reqwest::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};

use crate::alloc;
use crate::fixtures::Examples;
use crate::harness;
use crate::report::{self, Table};
use crate::requests::{CP_KEY, CP_SECRET};
use crate::server::{Server, CP_CREATE};

/// The child process: serves until its stdin closes.
pub fn serve(examples: &Examples) {
    let server = Server::start(examples, 0);
    println!("{}", server.url());
    let _ = std::io::stdout().flush();
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// One wave of N requests at once.
struct Wave {
    seconds: f64,
    errors: usize,
    /// The first error, if any.
    first_error: Option<String>,
    peak: usize,
}

impl Wave {
    /// A row of a wave table: who, which wave, errors, time, requests per second, peak heap in
    /// all and per request, for `n` requests.
    fn cells(&self, who: &str, label: &str, n: usize) -> Vec<String> {
        vec![
            who.to_owned(),
            label.to_owned(),
            format!("**{}**", self.errors),
            harness::time(self.seconds),
            format!("{:.0}", n as f64 / self.seconds),
            harness::bytes(self.peak as f64),
            format!("{:.1} KiB", self.peak as f64 / n as f64 / 1024.0),
        ]
    }
}

/// This binary started again with `flag` (`--serve`, `--serve-sandbox`): the child and the URL
/// it prints once it listens. It serves until its stdin is closed.
fn serving_child(flag: &str) -> (Child, String) {
    serving_child_with(&[flag])
}

/// [`serving_child`] with more arguments (`--serve-sandbox --sandbox-state PATH`).
fn serving_child_with(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(std::env::current_exe().expect("this binary"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the serving process");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut url)
        .expect("the child's URL");
    (child, url.trim().to_owned())
}

pub fn run(examples: &Examples, n: usize) -> String {
    let (mut child, base) = serving_child("--serve");

    // A runtime per side, dropped with its client: the pooled connections' tasks (and their
    // sockets) go with it, so the second side starts with the file table the first found.
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime")
    };
    invoice_primitives::transport::install_tls_provider();
    let request: cryptoprocessing::types::InvoiceCreateRequest =
        serde_json::from_value(examples.cp_create_request.clone()).expect("documented request");
    let request_json = examples.cp_create_request.clone();

    let mut rows = Vec::new();
    // Generated first, then the floor, each with a client (and connection pool) of its own.
    {
        let client = cryptoprocessing::Client::new(
            &base,
            Config::new(cryptoprocessing::Credentials::new(CP_KEY, CP_SECRET).unwrap())
                .with_retry(RetryPolicy::none()),
        )
        .expect("a valid base URL");
        let call = || {
            let client = &client;
            let request = request.clone();
            async move {
                match client.create_invoice().body(request).send().await {
                    Ok(_) => Ok(()),
                    Err(e) => Err(e.to_string()),
                }
            }
        };
        let rt = runtime();
        let cold = wave(&rt, n, call);
        let warm = wave(&rt, n, call);
        let live = alloc::current();
        drop(client);
        drop(rt);
        let pool = live - alloc::current();
        rows.push((
            "generated `cryptoprocessing` create_invoice, retries off",
            cold,
            warm,
            pool,
        ));
    }
    {
        let client = reqwest::Client::new();
        let url = format!("{base}{CP_CREATE}");
        let call = || {
            let client = &client;
            let url = url.clone();
            let body = serde_json::to_vec(&request_json).expect("serialize");
            async move {
                let signature =
                    invoice_primitives::auth::hmac_sha512_hex(CP_SECRET.as_bytes(), &body);
                let sent = client
                    .post(url)
                    .header(ACCEPT, "application/json")
                    .header(CONTENT_TYPE, "application/json")
                    .header(USER_AGENT, cryptoprocessing::USER_AGENT)
                    .header(cryptoprocessing::Credentials::KEY_HEADER, CP_KEY)
                    .header(cryptoprocessing::Credentials::SIGNATURE_HEADER, signature)
                    .body(body)
                    .send()
                    .await;
                let response = sent
                    .and_then(reqwest::Response::error_for_status)
                    .map_err(|e| format!("{e:?}"))?;
                let bytes = response.bytes().await.map_err(|e| format!("{e:?}"))?;
                serde_json::from_slice::<crate::floor::FloorCpCreateResponse>(&bytes)
                    .map(drop)
                    .map_err(|e| e.to_string())
            }
        };
        let rt = runtime();
        let cold = wave(&rt, n, call);
        let warm = wave(&rt, n, call);
        let live = alloc::current();
        drop(client);
        drop(rt);
        let pool = live - alloc::current();
        rows.push(("floor: bare `reqwest::Client`", cold, warm, pool));
    }
    drop(child.stdin.take());
    let _ = child.wait();

    let mut table = Table::new(&[
        "client",
        "wave",
        "errors",
        "time",
        "req/s",
        "peak heap",
        "peak heap per request",
    ]);
    for (name, cold, warm, _) in &rows {
        for (label, w) in [("new connections", cold), ("pooled connections", warm)] {
            table.row(w.cells(name, label, n));
        }
    }
    let errors: usize = rows.iter().map(|(_, c, w, _)| c.errors + w.errors).sum();
    let mut error_notes = String::new();
    for (name, cold, warm, _) in &rows {
        for (label, w) in [("new connections", cold), ("pooled connections", warm)] {
            if let Some(e) = &w.first_error {
                error_notes.push_str(&format!("- {name}, {label}: first error: {e}\n"));
            }
        }
    }
    let (_, g_cold, g_warm, g_pool) = &rows[0];
    let (_, f_cold, f_warm, f_pool) = &rows[1];
    report::target(
        format!("{n} concurrent requests through one client: 0 errors, memory bounded"),
        format!(
            "{} errors; peak heap {} ({:.1} KiB per request) with new connections, {} pooled; \
             floor {} / {}",
            g_cold.errors + g_warm.errors,
            harness::bytes(g_cold.peak as f64),
            g_cold.peak as f64 / n as f64 / 1024.0,
            harness::bytes(g_warm.peak as f64),
            harness::bytes(f_cold.peak as f64),
            harness::bytes(f_warm.peak as f64),
        ),
        g_cold.errors + g_warm.errors == 0,
    );
    format!(
        "#### {n} requests at once through one client\n\n\
         Every request of a wave is started before any answer is awaited, so all {n} are in \
         flight together; the first wave opens {n} connections, the second reuses them. Server: \
         the same answers, from a child process (`--serve`). Retries are off, so every failure \
         counts. Errors in all: **{errors}**.\n\n{}\n{error_notes}\
         Peak heap ÷ floor's: {:.2}× (new connections), {:.2}× (pooled). Held by the idle \
         connection pool after the waves, freed with the client: generated {}, floor {} (the \
         peaks are per wave; they do not grow from one wave to the next when the connections \
         are reused).\n",
        table.render(),
        g_cold.peak as f64 / f_cold.peak.max(1) as f64,
        g_warm.peak as f64 / f_warm.peak.max(1) as f64,
        harness::bytes(*g_pool as f64),
        harness::bytes(*f_pool as f64),
    )
}

fn wave<F, Fut>(rt: &tokio::runtime::Runtime, n: usize, call: F) -> Wave
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let baseline = alloc::reset_peak();
    let start = Instant::now();
    let outcomes = rt.block_on(futures::future::join_all((0..n).map(|_| call())));
    let seconds = start.elapsed().as_secs_f64();
    let peak = alloc::peak_since(baseline);
    Wave {
        seconds,
        errors: outcomes.iter().filter(|o| o.is_err()).count(),
        first_error: outcomes.into_iter().find_map(Result::err),
        peak,
    }
}

/// The child process of [`run_sandbox`]: the local sandbox (`crates/invoice-sandbox`, default
/// configuration, a free port; its state in the database `state` if given), until stdin
/// closes.
pub fn serve_sandbox(state: Option<std::path::PathBuf>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("sandbox runtime");
    rt.block_on(async {
        let config = invoice_sandbox::Config {
            state,
            ..invoice_sandbox::Config::default()
        };
        let sandbox = invoice_sandbox::Sandbox::start(config)
            .await
            .expect("the sandbox starts");
        println!("{}", sandbox.url());
        let _ = std::io::stdout().flush();
        let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
        sandbox.shutdown().await;
    });
}

/// A value of the child's `/proc/<pid>/status` in bytes (`VmHWM`: peak resident set; `VmRSS`:
/// resident now), where the kernel gives it.
fn proc_status_bytes(pid: u32, field: &str) -> Option<usize> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Two waves of N requests against one sandbox child, and what it held afterwards.
struct SandboxLoad {
    cold: Wave,
    warm: Wave,
    still_serving: bool,
    rss_before: usize,
    rss_after: usize,
    rss_peak: usize,
}

impl SandboxLoad {
    fn seconds(&self) -> f64 {
        self.cold.seconds + self.warm.seconds
    }

    fn errors(&self) -> usize {
        self.cold.errors + self.warm.errors
    }
}

/// The sandbox in a child process started with `args`, loaded with two waves of N creations.
fn load_sandbox(args: &[&str], n: usize) -> SandboxLoad {
    let (mut child, url) = serving_child_with(args);
    let base = format!("{url}/{}", invoice_sandbox::Provider::Cryptoprocessing);
    let pid = child.id();
    let rss_before = proc_status_bytes(pid, "VmRSS:").unwrap_or(0);

    invoice_primitives::transport::install_tls_provider();
    let keys = invoice_sandbox::Config::default().cryptoprocessing;
    let client = cryptoprocessing::Client::new(
        &base,
        Config::new(cryptoprocessing::Credentials::new(keys.api_key, keys.secret_key).unwrap())
            .with_retry(RetryPolicy::none()),
    )
    .expect("a valid base URL");
    let next = std::sync::atomic::AtomicUsize::new(0);
    let call = || {
        let client = &client;
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        async move {
            let request = cryptoprocessing::types::InvoiceCreateRequest::builder()
                .timer(false)
                .title("Load")
                .foreign_id(format!("load-{i}"))
                .currency("EUR")
                .amount("106.75");
            match client.create_invoice().body(request).send().await {
                Ok(_) => Ok(()),
                Err(e) => Err(e.to_string()),
            }
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let cold = wave(&rt, n, call);
    let warm = wave(&rt, n, call);
    let still_serving = rt.block_on(client.ping().send()).is_ok();
    let rss_after = proc_status_bytes(pid, "VmRSS:").unwrap_or(0);
    let rss_peak = proc_status_bytes(pid, "VmHWM:").unwrap_or(0);
    drop(client);
    drop(rt);
    drop(child.stdin.take());
    let _ = child.wait();
    SandboxLoad {
        cold,
        warm,
        still_serving,
        rss_before,
        rss_after,
        rss_peak,
    }
}

/// N signed Cryptoprocessing `create_invoice` requests at once through one generated client
/// against the local sandbox in a child process (`--serve-sandbox`): every request creates an
/// invoice (a distinct `foreign_id` each), so the sandbox checks N signatures and holds N more
/// invoices per wave. Afterwards it must still answer (`ping`). Then the same against a
/// sandbox keeping its state in a database (`--sandbox-state`): every creation on disk before
/// it is answered; its time beside the in-memory one's (target: at most twice), and the
/// database's size per invoice.
pub fn run_sandbox(n: usize) -> String {
    let memory = load_sandbox(&["--serve-sandbox"], n);
    let state_file = std::env::temp_dir().join(format!(
        "invoice-benchmarks-{}-sandbox.redb",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&state_file);
    let state_arg = state_file.to_string_lossy().into_owned();
    let kept = load_sandbox(&["--serve-sandbox", "--sandbox-state", &state_arg], n);
    let db_bytes = std::fs::metadata(&state_file).map_or(0, |m| m.len() as usize);
    let _ = std::fs::remove_file(&state_file);
    let ratio = kept.seconds() / memory.seconds();

    let mut table = Table::new(&[
        "state",
        "wave",
        "errors",
        "time",
        "req/s",
        "client peak heap",
        "per request",
    ]);
    for (state, load) in [("in memory", &memory), ("`--state` (redb)", &kept)] {
        for (label, w) in [
            ("new connections", &load.cold),
            ("pooled connections", &load.warm),
        ] {
            table.row(w.cells(state, label, n));
        }
    }
    let mut error_notes = String::new();
    for (state, load) in [("in memory", &memory), ("--state", &kept)] {
        for (label, w) in [
            ("new connections", &load.cold),
            ("pooled connections", &load.warm),
        ] {
            if let Some(e) = &w.first_error {
                error_notes.push_str(&format!("- {state}, {label}: first error: {e}\n"));
            }
        }
    }
    let errors = memory.errors();
    let still_serving = memory.still_serving;
    let held = 2 * n - errors;
    let kept_held = 2 * n - kept.errors();
    let grown = memory.rss_after.saturating_sub(memory.rss_before);
    let kept_grown = kept.rss_after.saturating_sub(kept.rss_before);
    report::target(
        format!("the sandbox holds {n} concurrent requests from one generated client"),
        format!(
            "{errors} errors; still serving afterwards: {still_serving}; sandbox resident \
             {} → {} (peak {}) holding {held} invoices",
            harness::bytes(memory.rss_before as f64),
            harness::bytes(memory.rss_after as f64),
            harness::bytes(memory.rss_peak as f64),
        ),
        errors == 0 && still_serving,
    );
    report::target(
        format!("the sandbox with `--state` within 2× of in memory ({n} concurrent creations, two waves)"),
        format!(
            "{:.2}× ({} against {}); {} errors; database {:.2} KiB per invoice",
            ratio,
            harness::time(kept.seconds()),
            harness::time(memory.seconds()),
            kept.errors(),
            db_bytes as f64 / kept_held.max(1) as f64 / 1024.0,
        ),
        ratio <= 2.0 && kept.errors() == 0 && kept.still_serving,
    );
    format!(
        "#### {n} requests at once against the local sandbox\n\n\
         `crates/invoice-sandbox` in a child process (`--serve-sandbox`), one generated \
         `cryptoprocessing` client, retries off: each request is a signed `create_invoice` with \
         its own `foreign_id`, so the sandbox checks every HMAC signature and keeps every \
         invoice. Errors in all: **{errors}**; `ping` answered afterwards: **{still_serving}**. \
         Then the same against a sandbox keeping its state in a database \
         (`--sandbox-state`: `--state` in a temporary file), each creation committed before it \
         is answered: **{ratio:.2}×** the in-memory time.\n\n\
         {}\n{error_notes}\
         Sandbox resident memory: {} before, {} after the two waves (peak {}), holding {held} \
         invoices and the client's {n} idle connections: {:.1} KiB per invoice held (the \
         in-memory state, plus the connections' buffers). With `--state`: {} before, {} after \
         (peak {}), {:.1} KiB per invoice held; the database file {}, {:.2} KiB per invoice.\n",
        table.render(),
        harness::bytes(memory.rss_before as f64),
        harness::bytes(memory.rss_after as f64),
        harness::bytes(memory.rss_peak as f64),
        grown as f64 / held.max(1) as f64 / 1024.0,
        harness::bytes(kept.rss_before as f64),
        harness::bytes(kept.rss_after as f64),
        harness::bytes(kept.rss_peak as f64),
        kept_grown as f64 / kept_held.max(1) as f64 / 1024.0,
        harness::bytes(db_bytes as f64),
        db_bytes as f64 / kept_held.max(1) as f64 / 1024.0,
    )
}
