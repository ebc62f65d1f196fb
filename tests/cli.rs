//! The generated command-line clients (`generated/*-cli`), run as processes.
//!
//! For each provider: one operation against its generated httpmock mock that succeeds (stdout
//! is the answer's JSON, money exact), one refused before sending (exit 3, nothing reaches the
//! mock), one the provider refuses with its documented error (exit 4, status and body on
//! stderr), and for one provider a transport error (exit 5) and `-v`/`-vv` (the call's spans
//! and events on stderr); `trigger` → `listen` over 127.0.0.1 (the event printed, amount exact), a delivery
//! signed with another secret and a tampered one, both refused with their reason; and `--help`
//! lists every operation of the spec. No credential ever appears on stdout or stderr.
//!
//! This test binary (`harness = false`) is also the CLI under test: started with
//! `INVOICE_CLI_TEST_AS=<provider>`, its `main` is `<provider>_cli::run(args)`, exactly what
//! each generated binary's `main.rs` runs, so every case is a process of its own (arguments,
//! environment, standard streams, exit code) without a separate build of the binaries
//! (`CARGO_BIN_EXE_*` exists only in the binaries' own package). Nothing waits on a timer:
//! `listen` is used once its readiness line has been read from its stdout.

#[allow(dead_code)]
mod support;

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::panic::{self, AssertUnwindSafe};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use invoice_webhooks::tooling::{Changes, Keys, Tooling};
use invoice_webhooks::Secret;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The variable that makes this binary run a provider's CLI.
const AS: &str = "INVOICE_CLI_TEST_AS";

/// Credentials the tests set; none may ever be printed.
const API_KEY: &str = "test-api-key-must-not-leak";
const SECRET: &str = "test-secret-must-not-leak";
const WEBHOOK_SECRET: &str = "webhook-secret-must-not-leak";

/// Every variable a CLI reads, cleared so the developer's environment cannot change a result.
const PROVIDER_ENV: &[&str] = &[
    "CRYPTOCLOUD_API_KEY",
    "CRYPTOCLOUD_WITHDRAWAL_KEY",
    "CRYPTOCLOUD_BASE_URL",
    "CRYPTOCLOUD_SECRET",
    "CRYPTOPROCESSING_API_KEY",
    "CRYPTOPROCESSING_SECRET",
    "CRYPTOPROCESSING_BASE_URL",
    "APIFORCRYPTO_BASE_URL",
    "APIFORCRYPTO_SECRET_KEY",
];

fn main() -> ExitCode {
    if let Ok(provider) = std::env::var(AS) {
        let args = std::env::args_os();
        return match provider.as_str() {
            "cryptocloud" => cryptocloud_cli::run(args),
            "cryptoprocessing" => cryptoprocessing_cli::run(args),
            "apiforcrypto" => apiforcrypto_cli::run(args),
            other => panic!("no CLI {other}"),
        };
    }
    let tests: &[(&str, fn())] = &[
        ("help_lists_every_operation", help_lists_every_operation),
        ("cryptocloud_success", cryptocloud::success),
        ("cryptocloud_verbose", cryptocloud::verbose),
        ("cryptocloud_refused", cryptocloud::refused),
        ("cryptocloud_provider_error", cryptocloud::provider_error),
        ("cryptocloud_transport_error", cryptocloud::transport_error),
        ("cryptoprocessing_success", cryptoprocessing::success),
        ("cryptoprocessing_refused", cryptoprocessing::refused),
        (
            "cryptoprocessing_provider_error",
            cryptoprocessing::provider_error,
        ),
        ("apiforcrypto_success", apiforcrypto::success),
        ("apiforcrypto_refused", apiforcrypto::refused),
        ("apiforcrypto_provider_error", apiforcrypto::provider_error),
        ("cryptocloud_trigger_listen", cryptocloud::trigger_listen),
        (
            "cryptoprocessing_trigger_listen",
            cryptoprocessing::trigger_listen,
        ),
        ("apiforcrypto_trigger_listen", apiforcrypto::trigger_listen),
        (
            "cryptoprocessing_trigger_listen_api_key",
            cryptoprocessing::trigger_listen_api_key,
        ),
        ("readme_commands_run", readme_commands_run),
    ];
    // `cargo test -- <filter>`, as with libtest; flags are ignored.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let selected: Vec<_> = tests
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f)))
        .collect();
    println!("\nrunning {} tests", selected.len());
    let failed: Vec<&str> = std::thread::scope(|scope| {
        let handles: Vec<_> = selected
            .iter()
            .map(|(name, test)| {
                (
                    *name,
                    scope.spawn(move || panic::catch_unwind(AssertUnwindSafe(test)).is_ok()),
                )
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|(name, handle)| {
                let ok = handle.join().unwrap_or(false);
                println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
                (!ok).then_some(name)
            })
            .collect()
    });
    if failed.is_empty() {
        println!("\ntest result: ok. {} passed\n", selected.len());
        ExitCode::SUCCESS
    } else {
        println!("\ntest result: FAILED. failures: {failed:?}\n");
        ExitCode::FAILURE
    }
}

/// The READMEs' shell examples run as written, with the clients on `PATH`, against the sandbox:
/// every ```sh block of the CLI crates' READMEs (`crates/invoice-cli`, `generated/*-cli`), in
/// bash with `-euo pipefail`, so each command must succeed. Two edits only: `cargo` lines
/// (installing) are left out, since the clients are this binary (`INVOICE_CLI_TEST_AS`, through
/// a two-line script per provider on `PATH`), and the sandbox's default address,
/// `127.0.0.1:8089`, is the one the sandbox started here got. The block of `listen` and
/// `trigger` is left too (`listen` runs until stopped): the `*_trigger_listen` tests run that
/// pair. The keys the commands export must not be printed.
fn readme_commands_run() {
    const SANDBOX_DEFAULT: &str = "127.0.0.1:8089";
    let root = xtask::workspace_root();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let config = invoice_sandbox::Config::default();
    let secrets = [
        config.cryptocloud.api_key.clone(),
        config.cryptoprocessing.api_key.clone(),
        config.cryptoprocessing.secret_key.clone(),
    ];
    let sandbox = runtime
        .block_on(invoice_sandbox::Sandbox::start(config))
        .expect("the sandbox starts");
    let bin = std::env::temp_dir().join(format!("invoice-cli-readme-{}", std::process::id()));
    std::fs::create_dir_all(&bin).expect("a directory for the clients");
    let exe = std::env::current_exe().expect("the test binary's path");
    for provider in ["cryptocloud", "cryptoprocessing", "apiforcrypto"] {
        let script = bin.join(provider);
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\n{AS}={provider} exec '{}' \"$@\"\n",
                exe.display()
            ),
        )
        .expect("the client's script");
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("an executable script");
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut readmes = vec![root.join("crates/invoice-cli/README.md")];
    for provider in ["cryptocloud", "cryptoprocessing", "apiforcrypto"] {
        readmes.push(root.join(format!("generated/{provider}-cli/README.md")));
    }
    let mut commands = 0;
    for readme in &readmes {
        let text = std::fs::read_to_string(readme).expect("the README");
        for block in text.split("```sh\n").skip(1) {
            let block = block.split("```").next().unwrap();
            if block.lines().any(|line| line.contains(" listen ")) {
                continue;
            }
            let script: String = block
                .lines()
                .filter(|line| !line.trim_start().starts_with("cargo "))
                .map(|line| line.replace(SANDBOX_DEFAULT, &sandbox.addr().to_string()) + "\n")
                .collect();
            commands += script
                .lines()
                .filter(|l| {
                    let first = l.split_whitespace().next().unwrap_or("");
                    ["cryptocloud", "cryptoprocessing", "apiforcrypto", "|"].contains(&first)
                })
                .count();
            let mut command = Command::new("bash");
            command
                .args(["-euo", "pipefail", "-c", &script])
                .env("PATH", &path);
            for var in PROVIDER_ENV {
                command.env_remove(var);
            }
            let output = command.output().expect("bash runs");
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                output.status.success(),
                "{}: the block failed ({}):\n{script}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                readme.display(),
                output.status
            );
            for secret in &secrets {
                assert!(
                    !stdout.contains(secret.as_str()) && !stderr.contains(secret.as_str()),
                    "{}: a key was printed:\n{stdout}{stderr}",
                    readme.display()
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&bin);
    // invoice-cli: --help twice and the three calls; each generated client: --help.
    assert_eq!(commands, 8, "the READMEs' commands");
}

/// What a finished CLI process left.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The CLI of `provider` as a process, with a clean environment.
fn cli(provider: &str) -> Command {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = Command::new(exe);
    command.env(AS, provider);
    for var in PROVIDER_ENV {
        command.env_remove(var);
    }
    command
}

/// Runs a CLI to the end, with `stdin` as its standard input; checks that no credential was
/// printed.
fn run(command: &mut Command, stdin: &str) -> Run {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin is written");
    let output = child.wait_with_output().expect("the CLI ends");
    let run = Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    };
    assert_no_secret(&run.stdout);
    assert_no_secret(&run.stderr);
    run
}

fn assert_no_secret(text: &str) {
    for secret in [API_KEY, SECRET, WEBHOOK_SECRET] {
        assert!(!text.contains(secret), "a credential was printed: {text}");
    }
}

/// The spec's example of an operation's response, in its generated type.
fn example<T: DeserializeOwned>(spec: &str, operation_id: &str, status: &str, name: &str) -> T {
    let value = support::response_example(spec, operation_id, status, name);
    serde_json::from_str(&value.to_string()).expect("the example decodes")
}

fn pretty<T: Serialize>(value: &T) -> String {
    invoice_primitives::wire::to_string_pretty(value).expect("serializes") + "\n"
}

/// A mock that answers anything with 500: it must see no request at all.
fn catch_all(server: &httpmock::MockServer) -> httpmock::Mock<'_> {
    server.mock(|_, then| {
        then.status(500);
    })
}

fn assert_refused(run: &Run, reason: &str) {
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert!(
        run.stderr.starts_with("error: refused before sending: ") && run.stderr.contains(reason),
        "{run:?}"
    );
}

/// Exit 4, with the status and the provider's exact body on stderr.
fn assert_provider_error<E: Serialize>(run: &Run, status: &str, body: &E) {
    assert_eq!(run.code, 4, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    let body = invoice_primitives::wire::to_string(body).expect("serializes");
    assert_eq!(
        run.stderr,
        format!("error: the provider answered HTTP {status}\n{body}\n"),
    );
}

/// `--help` of each CLI names every operation of its spec, `listen`, `trigger` and the exit
/// codes.
fn help_lists_every_operation() {
    for (provider, spec) in [
        ("cryptocloud", "specs/cryptocloud.yaml"),
        ("cryptoprocessing", "specs/cryptoprocessing.yaml"),
        ("apiforcrypto", "specs/apiforcrypto.yaml"),
    ] {
        let spec = xtask::Spec::load(&xtask::workspace_root(), spec).expect("spec loads");
        let operations: BTreeSet<String> = spec
            .api
            .paths
            .iter()
            .filter_map(|(_, item)| item.as_item())
            .flat_map(|item| item.iter())
            .filter_map(|(_, op)| op.operation_id.clone())
            .collect();
        assert!(!operations.is_empty());
        let help = run(cli(provider).arg("--help"), "");
        assert_eq!(help.code, 0, "{help:?}");
        let commands: BTreeSet<&str> = help
            .stdout
            .lines()
            .filter_map(|line| line.strip_prefix("  "))
            .filter(|line| !line.starts_with(' '))
            .filter_map(|line| line.split_whitespace().next())
            .collect();
        for operation in &operations {
            let name = operation.replace('_', "-");
            assert!(
                commands.contains(name.as_str()),
                "{provider} --help does not list {name}:\n{}",
                help.stdout
            );
        }
        for more in ["listen", "trigger"] {
            assert!(commands.contains(more), "{provider}: no {more}");
        }
        for text in [
            "Exit codes:",
            "3  refused before sending",
            "4  the provider answered",
            "5  transport error",
        ] {
            assert!(help.stdout.contains(text), "{provider}: {text}");
        }
        // A usage error keeps clap's code.
        let usage = run(cli(provider).arg("--no-such-flag"), "");
        assert_eq!(usage.code, 2, "{usage:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// trigger → listen, shared by the providers.

/// A running `listen`, its stdout and stderr as lines.
struct Listener {
    child: Child,
    url: String,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

/// A bound on a wait that must not hang the suite; passing never depends on it.
const HANG: Duration = Duration::from_secs(120);

fn lines(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

impl Listener {
    /// `listen --count <count>`, once it has printed its readiness line.
    fn start(provider: &str, secret_env: &str, count: u32) -> Self {
        Self::start_with(provider, &[(secret_env, WEBHOOK_SECRET)], count)
    }

    /// The same, with these environment variables.
    fn start_with(provider: &str, env: &[(&str, &str)], count: u32) -> Self {
        let mut child = cli(provider)
            .args(["listen", "--port", "0", "--compact", "--count"])
            .arg(count.to_string())
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("listen starts");
        let stdout = lines(child.stdout.take().expect("stdout"));
        let stderr = lines(child.stderr.take().expect("stderr"));
        let ready = stdout.recv_timeout(HANG).expect("listen's readiness line");
        let url = ready
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("not a readiness line: {ready}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Self {
            child,
            url,
            stdout,
            stderr,
        }
    }

    fn next_stdout(&self) -> String {
        let line = self.stdout.recv_timeout(HANG).expect("a line from listen");
        assert_no_secret(&line);
        line
    }

    fn next_stderr(&self) -> String {
        let line = self.stderr.recv_timeout(HANG).expect("a line from listen");
        assert_no_secret(&line);
        line
    }

    /// Waits for `listen` to exit after its `--count` deliveries.
    fn finish(mut self) {
        let status = self.child.wait().expect("listen ends");
        assert_eq!(status.code(), Some(0));
    }
}

/// POSTs a delivery as is, over a plain TCP connection; returns the status line.
fn post_raw(url: &str, headers: &invoice_webhooks::HeaderMap, body: &[u8]) -> String {
    let address = url.strip_prefix("http://").expect("an http URL");
    let mut stream = TcpStream::connect(address).expect("listen accepts");
    let mut request = format!(
        "POST /webhooks HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!(
            "{name}: {}\r\n",
            value.to_str().expect("ascii header")
        ));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("written");
    stream.write_all(body).expect("written");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    answer.lines().next().unwrap_or_default().to_owned()
}

/// An amount with more digits than an `f64` keeps.
const EXACT_AMOUNT: &str = "0.1234567890123456789";

/// `trigger` → `listen`: a signed example with a changed status and an exact amount is
/// printed; one signed with another secret, and one altered after signing (`tamper` turns the
/// signed body into a forged one), are refused with their reasons.
/// `forged` and `tampered` are the reason codes of the two refusals.
fn trigger_listen(
    provider: &str,
    tooling: &dyn Tooling,
    status: &str,
    tamper: impl Fn(&str) -> String,
    forged: &str,
    tampered: &str,
) {
    let secret_env = tooling.secret_env();
    let listener = Listener::start(provider, secret_env, 3);

    // 1. A signed example, its status and amount changed.
    let sent = run(
        cli(provider)
            .args(["trigger", "--url", &listener.url, "--status", status])
            .args(["--amount", EXACT_AMOUNT])
            .env(secret_env, WEBHOOK_SECRET),
        "",
    );
    assert_eq!(sent.code, 0, "{sent:?}");
    assert_eq!(sent.stdout, "{\"status\":200,\"body\":\"OK\"}\n");
    let event = listener.next_stdout();
    let value: serde_json::Value = serde_json::from_str(&event).expect("the event is JSON");
    assert_eq!(value["status"], status, "{event}");
    assert!(
        event.contains(&format!(":{EXACT_AMOUNT}"))
            || event.contains(&format!(":\"{EXACT_AMOUNT}\"")),
        "the amount is not exact: {event}"
    );

    // 2. Signed with another secret, read from standard input: refused, trigger exits 4.
    let refused = run(
        cli(provider)
            .args(["trigger", "--url", &listener.url, "--secret-file", "-"])
            .env(secret_env, WEBHOOK_SECRET),
        "another-secret\n",
    );
    assert_eq!(refused.code, 4, "{refused:?}");
    assert_eq!(
        refused.stdout,
        format!("{{\"status\":401,\"body\":\"{forged}\"}}\n")
    );
    assert_eq!(
        refused.stderr,
        "error: the receiver answered HTTP 401 Unauthorized\n"
    );
    let reason = listener.next_stderr();
    assert!(
        reason.starts_with(&format!("rejected: {forged}: ")),
        "{reason}"
    );

    // 3. Signed with the right secret, then altered: refused with its reason.
    let example = tooling.examples()[0].1;
    let delivery = tooling
        .sign(
            &Keys::new(Secret::new(WEBHOOK_SECRET)),
            example,
            Changes::default(),
        )
        .expect("the example signs");
    let body = String::from_utf8(delivery.body).expect("utf-8 body");
    let altered = tamper(&body);
    assert_ne!(altered, body, "the tamper changed nothing");
    let status_line = post_raw(&listener.url, &delivery.headers, altered.as_bytes());
    assert!(status_line.starts_with("HTTP/1.1 4"), "{status_line}");
    let reason = listener.next_stderr();
    assert!(
        reason.starts_with(&format!("rejected: {tampered}: ")),
        "{reason}"
    );

    listener.finish();
}

// ---------------------------------------------------------------------------------------------

mod cryptocloud {
    use super::*;
    use ::cryptocloud::types as cc;
    use cryptocloud_httpmock::MockServerExt;

    const SPEC: &str = "specs/cryptocloud.yaml";
    const NAME: &str = "cryptocloud";

    fn cli() -> Command {
        let mut command = super::cli(NAME);
        command.env("CRYPTOCLOUD_API_KEY", API_KEY);
        command
    }

    /// `get-balance`: the documented answer, pretty, amounts exact.
    pub fn success() {
        let server = httpmock::MockServer::start();
        let answer: cc::BalanceResponse = example(SPEC, "get_balance", "200", "documented");
        let mock = server.get_balance(|_, then| {
            then.ok(&answer);
        });
        let done = run(
            cli().args(["get-balance", "--base-url", &server.base_url()]),
            "",
        );
        assert_eq!(done.code, 0, "{done:?}");
        assert_eq!(done.stdout, pretty(&answer));
        assert_eq!(done.stderr, "");
        mock.assert();
    }

    /// `get-balance -v`: the call's span and events on stderr, the answer alone on stdout;
    /// `-vv` adds the bodies.
    pub fn verbose() {
        let server = httpmock::MockServer::start();
        let answer: cc::BalanceResponse = example(SPEC, "get_balance", "200", "documented");
        server.get_balance(|_, then| {
            then.ok(&answer);
        });
        let span = "send{provider=\"cryptocloud\" operation=\"get_balance\" method=\"POST\" \
                    path=\"/v2/merchant/wallet/balance/all\" attempt=1}: cryptocloud:";
        let done = run(
            cli().args(["get-balance", "-v", "--base-url", &server.base_url()]),
            "",
        );
        assert_eq!(done.code, 0, "{done:?}");
        assert_eq!(done.stdout, pretty(&answer));
        assert!(
            done.stderr
                .contains(&format!("DEBUG {span} answered attempt=1 status=200")),
            "{done:?}"
        );
        assert!(
            !done.stderr.contains("body"),
            "bodies only with -vv: {done:?}"
        );
        let done = run(
            cli().args(["get-balance", "-vv", "--base-url", &server.base_url()]),
            "",
        );
        assert_eq!(done.stdout, pretty(&answer));
        assert!(
            done.stderr.contains(&format!(
                "TRACE {span} body direction=\"response\" status=200 body={{"
            )),
            "{done:?}"
        );
    }

    /// `get-statistics` with `start` after `end`: refused, nothing sent.
    pub fn refused() {
        let server = httpmock::MockServer::start();
        let mock = catch_all(&server);
        let done = run(
            cli()
                .args([
                    "get-statistics",
                    "--start",
                    "31.01.2023",
                    "--end",
                    "01.01.2023",
                ])
                .args(["--base-url", &server.base_url()]),
            "",
        );
        assert_refused(&done, "`start` (31.01.2023) is after `end` (01.01.2023)");
        mock.assert_calls(0);

        // Without credentials, nothing is sent either.
        let mut command = super::cli(NAME);
        let done = run(
            command.args(["get-balance", "--base-url", &server.base_url()]),
            "",
        );
        assert_refused(&done, "CRYPTOCLOUD_API_KEY");
        mock.assert_calls(0);
    }

    /// `cancel-invoice` of an invoice no longer `created`: the documented 400.
    pub fn provider_error() {
        let server = httpmock::MockServer::start();
        let body: cc::InvoiceCancelRequest = cc::InvoiceCancelRequest::builder()
            .uuid("INV-XXXXXXXX")
            .try_into()
            .expect("a valid body");
        let refusal: cc::ErrorResponse = example(SPEC, "cancel_invoice", "400", "not_created");
        let mock = server.cancel_invoice(|when, then| {
            when.body(&body);
            then.bad_request(&refusal);
        });
        let done = run(
            cli()
                .args(["cancel-invoice", "--uuid", "INV-XXXXXXXX"])
                .args(["--base-url", &server.base_url()]),
            "",
        );
        assert_provider_error(&done, "400 Bad Request", &refusal);
        mock.assert();
    }

    /// Nothing listens at the base URL: a transport error, after the read's retries.
    pub fn transport_error() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let url = format!("http://{}", closed.local_addr().expect("its address"));
        drop(closed);
        let done = run(cli().args(["get-balance", "--base-url", &url]), "");
        assert_eq!(done.code, 5, "{done:?}");
        assert_eq!(done.stdout, "");
        assert!(done.stderr.starts_with("error: transport: "), "{done:?}");
    }

    pub fn trigger_listen() {
        super::trigger_listen(
            NAME,
            &invoice_webhooks::cryptocloud::TOOLING,
            "success",
            // The token names the invoice; the body now names another.
            |body| body.replace("\"89UX09KA\"", "\"89UX09KB\""),
            "bad_token",
            "invoice_mismatch",
        );
    }
}

mod cryptoprocessing {
    use super::*;
    use ::cryptoprocessing::types as cp;
    use cryptoprocessing_httpmock::MockServerExt;

    const SPEC: &str = "specs/cryptoprocessing.yaml";
    const NAME: &str = "cryptoprocessing";

    fn cli() -> Command {
        let mut command = super::cli(NAME);
        command
            .env("CRYPTOPROCESSING_API_KEY", API_KEY)
            .env("CRYPTOPROCESSING_SECRET", SECRET);
        command
    }

    /// `list-accounts --compact`: the documented answer on one line, exactly as sent.
    pub fn success() {
        let server = httpmock::MockServer::start();
        let answer: cp::AccountListResponse = example(SPEC, "list_accounts", "200", "constructed");
        let mock = server.list_accounts(|when, then| {
            when.body(&cp::EmptyRequest {});
            then.ok(&answer);
        });
        // The base URL from the environment variable this time.
        let done = run(
            cli()
                .args(["list-accounts", "--compact"])
                .env("CRYPTOPROCESSING_BASE_URL", server.base_url()),
            "",
        );
        assert_eq!(done.code, 0, "{done:?}");
        assert_eq!(
            done.stdout,
            invoice_primitives::wire::to_string(&answer).expect("serializes") + "\n"
        );
        assert_eq!(done.stderr, "");
        mock.assert();
    }

    /// `create-invoice` with a plain-HTTP `url_success`, which the docs forbid: refused.
    pub fn refused() {
        let server = httpmock::MockServer::start();
        let mock = catch_all(&server);
        let done = run(
            cli().args([
                "create-invoice",
                "--timer",
                "false",
                "--title",
                "Invoice Title",
                "--currency",
                "EUR",
                "--amount",
                "106.75",
                "--foreign-id",
                "user_196",
                "--url-success",
                "http://shop.example.com/ok",
                "--base-url",
                &server.base_url(),
            ]),
            "",
        );
        assert_refused(&done, "url_success");
        mock.assert_calls(0);
    }

    /// `create-invoice` with a `foreign_id` already taken: the documented 400.
    pub fn provider_error() {
        let server = httpmock::MockServer::start();
        let refusal: cp::ErrorResponse = example(SPEC, "create_invoice", "400", "validation");
        let mock = server.create_invoice(|_, then| {
            then.bad_request(&refusal);
        });
        let body = r#"{"timer": false, "title": "Invoice Title", "currency": "EUR", "amount": "106.75", "foreign_id": "user_196"}"#;
        let done = run(
            cli().args([
                "create-invoice",
                "--json-body",
                "-",
                "--base-url",
                &server.base_url(),
            ]),
            body,
        );
        assert_provider_error(&done, "400 Bad Request", &refusal);
        mock.assert();
    }

    pub fn trigger_listen() {
        super::trigger_listen(
            NAME,
            &invoice_webhooks::cryptoprocessing::TOOLING,
            "processing",
            // The signature covers the body's exact bytes.
            |body| body.replace("0.02000000", "0.03000000"),
            "bad_signature",
            "bad_signature",
        );
    }

    /// The API key goes the way the secret does: `trigger` sends `X-Processing-Key` from
    /// `CRYPTOPROCESSING_API_KEY` (or `--api-key-file`), and a `listen` that has the key
    /// checks it, as a receiver built with `Verifier::with_api_key` does.
    pub fn trigger_listen_api_key() {
        let keys = [
            ("CRYPTOPROCESSING_SECRET", WEBHOOK_SECRET),
            ("CRYPTOPROCESSING_API_KEY", API_KEY),
        ];
        let listener = Listener::start_with(NAME, &keys, 3);
        let trigger = || {
            let mut command = super::cli(NAME);
            command
                .args(["trigger", "--url", &listener.url])
                .env("CRYPTOPROCESSING_SECRET", WEBHOOK_SECRET);
            command
        };

        let sent = run(trigger().env("CRYPTOPROCESSING_API_KEY", API_KEY), "");
        assert_eq!(sent.code, 0, "{sent:?}");
        listener.next_stdout();

        let from_file = run(
            trigger().args(["--api-key-file", "-"]),
            &format!("{API_KEY}\n"),
        );
        assert_eq!(from_file.code, 0, "{from_file:?}");
        listener.next_stdout();

        let without = run(&mut trigger(), "");
        assert_eq!(without.code, 4, "{without:?}");
        let reason = listener.next_stderr();
        assert!(
            reason.starts_with("rejected: missing_api_key: "),
            "{reason}"
        );
        listener.finish();
    }
}

mod apiforcrypto {
    use super::*;
    use ::apiforcrypto::types as af;
    use apiforcrypto_httpmock::MockServerExt;

    const SPEC: &str = "specs/apiforcrypto.yaml";
    const NAME: &str = "apiforcrypto";
    const VALID_BODY: &str = r#"{"blockchain": "ethereum", "symbol": "USDT", "fiatCurrency": {"currency": "USD", "value": "100"}, "expiry": 30, "confirmations": 3}"#;

    /// `get-invoice`: the documented answer.
    pub fn success() {
        let server = httpmock::MockServer::start();
        let answer: af::Invoice = example(SPEC, "get_invoice", "200", "constructed");
        let mock = server.get_invoice(|_, then| {
            then.ok(&answer);
        });
        let done = run(
            cli(NAME).args([
                "get-invoice",
                "--uuid",
                &answer.id,
                "--base-url",
                &server.base_url(),
            ]),
            "",
        );
        assert_eq!(done.code, 0, "{done:?}");
        assert_eq!(done.stdout, pretty(&answer));
        assert_eq!(done.stderr, "");
        mock.assert();
    }

    /// `create-invoice` with `expiry` below its documented minimum, from standard input.
    pub fn refused() {
        let server = httpmock::MockServer::start();
        let mock = catch_all(&server);
        let body = VALID_BODY.replace("\"expiry\": 30", "\"expiry\": 10");
        let done = run(
            cli(NAME).args([
                "create-invoice",
                "--wallet-id",
                "wallet-1",
                "--json-body",
                "-",
                "--base-url",
                &server.base_url(),
            ]),
            &body,
        );
        assert_refused(&done, "10 is out of range: must be from 15 to 40");
        mock.assert_calls(0);
    }

    /// `create-invoice` in a currency that is not active: 403 with the provider's error.
    pub fn provider_error() {
        let server = httpmock::MockServer::start();
        let refusal: af::ErrorResponse =
            serde_json::from_str(r#"{"error": "Currency is not active"}"#).expect("decodes");
        let mock = server.create_invoice(|_, then| {
            then.forbidden(&refusal);
        });
        let done = run(
            cli(NAME).args([
                "create-invoice",
                "--wallet-id",
                "wallet-1",
                "--json-body",
                "-",
                "--base-url",
                &server.base_url(),
            ]),
            VALID_BODY,
        );
        assert_provider_error(&done, "403 Forbidden", &refusal);
        mock.assert();
    }

    pub fn trigger_listen() {
        super::trigger_listen(
            NAME,
            &invoice_webhooks::apiforcrypto::TOOLING,
            "PAID",
            // The secret key in the body is what authenticates it.
            |body| body.replace(WEBHOOK_SECRET, "guessed-secret"),
            "bad_secret_key",
            "bad_secret_key",
        );
    }
}
