//! The provider-neutral runtime of the generated command-line clients (`generated/<provider>-cli`,
//! one binary per provider, named after it: `cryptocloud`, `cryptoprocessing`, `apiforcrypto`).
//!
//! `cargo xtask regen` generates each client's subcommands from its spec with progenitor's CLI
//! generator (one per operation, the spec's descriptions as help) and implements [`Provider`]
//! for it; everything else is here and names no provider:
//!
//! - the command line: global `--base-url` (else the provider's `*_BASE_URL` variable, else its
//!   documented server), `--compact` and `-v`/`-vv` (the call's `tracing` spans and events on
//!   standard error, bodies with `-vv`), credentials from the same environment variables as
//!   the library's `Client::from_env()`, `--json-body FILE` (`-` reads standard input);
//! - the output ([`Output`]): each answer on standard output as JSON, pretty unless
//!   `--compact`, amounts with every digit (the primitives write the exact decimal), errors on
//!   standard error, with the provider's status and body;
//! - the exit codes below;
//! - `listen` and `trigger` ([`webhooks`]), on the provider's [`Tooling`] from
//!   `invoice-webhooks`: a local endpoint that verifies each delivery and prints the event, and
//!   a signed delivery of an example event POSTed to a URL.
//!
//! Credentials are never printed: not in output, errors, `Debug` or help (help names the
//! variables, never their values).
//!
#![doc = exit_codes_doc!()]

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use clap::{Arg, ArgAction, ArgMatches, Command};
use invoice_primitives::ApiError;
use serde::Serialize;

pub use invoice_webhooks::tooling::Tooling;

pub mod webhooks;

/// The exit codes, as a Markdown section (for crate docs: `#![doc = exit_codes_doc!()]`).
#[macro_export]
macro_rules! exit_codes_doc {
    () => {
        "# Exit codes\n\n\
         | code | meaning |\n\
         | --- | --- |\n\
         | 0 | success: the answer is on standard output |\n\
         | 1 | any other failure (`listen` could not bind, an I/O error) |\n\
         | 2 | usage error (clap's: an unknown flag, a missing or malformed argument) |\n\
         | 3 | refused before sending: an argument or the JSON body breaks a documented limit or rule, cannot be read, or credentials are missing; nothing was sent |\n\
         | 4 | the provider answered with an error (a documented error status, another status, or a body that does not fit the spec): status and body on standard error; for `trigger`, the receiver's answer was not 2xx |\n\
         | 5 | transport error: no usable answer (connection, TLS, timeout) |\n"
    };
}

/// The exit codes ([`exit_codes_doc!`] describes them).
pub mod exit {
    /// Success.
    pub const SUCCESS: u8 = 0;
    /// Any other failure.
    pub const FAILURE: u8 = 1;
    /// Usage error (clap's own code).
    pub const USAGE: u8 = 2;
    /// Refused before anything was sent.
    pub const REFUSED: u8 = 3;
    /// The provider (or, for `trigger`, the receiver) answered with an error.
    pub const PROVIDER: u8 = 4;
    /// No usable answer.
    pub const TRANSPORT: u8 = 5;
}

/// The exit codes, for `--help`.
const EXIT_CODES_HELP: &str = "Exit codes:
  0  success: the answer is on standard output
  1  any other failure
  2  usage error
  3  refused before sending (an argument or the body breaks a documented rule, cannot be read, or credentials are missing)
  4  the provider answered with an error (status and body on standard error)
  5  transport error (no usable answer)";

/// One provider's generated command-line client, as the runtime sees it (implemented by
/// `cargo xtask regen` in `generated/<provider>-cli`).
pub trait Provider {
    /// The binary's name.
    const NAME: &'static str;
    /// One line about the client.
    const ABOUT: &'static str;
    /// The environment variable `Client::from_env` reads the base URL from.
    const BASE_URL_ENV: &'static str;
    /// The documented server.
    const BASE_URL: &'static str;
    /// The environment variables `Client::from_env` reads credentials from (names only).
    const CREDENTIAL_ENVS: &'static [&'static str];

    /// Every operation: its id and its subcommand (progenitor's, unnamed).
    fn operations() -> Vec<(&'static str, Command)>;

    /// Sends the operation `operation` with the arguments in `matches`, through a client for
    /// `base_url` (`None`: `Client::from_env()`), and reports through `output`.
    #[allow(async_fn_in_trait)]
    async fn execute(
        base_url: Option<&str>,
        output: Output,
        operation: &str,
        matches: &ArgMatches,
    ) -> anyhow::Result<()>;

    /// The provider's webhook tooling, if the CLI has `listen` and `trigger`.
    fn webhooks() -> Option<&'static dyn Tooling>;
}

/// Where answers and errors go: standard output (JSON) and standard error. It remembers the
/// exit code of the last error it reported.
#[derive(Debug, Clone)]
pub struct Output {
    compact: bool,
    code: Arc<Mutex<Option<u8>>>,
}

impl Output {
    /// Output as JSON, on one line when `compact`.
    pub fn new(compact: bool) -> Self {
        Self {
            compact,
            code: Arc::new(Mutex::new(None)),
        }
    }

    /// The exit code of the error reported, if one was.
    pub fn code(&self) -> Option<u8> {
        *self.code.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `value` as JSON text in the provider's form: every amount exactly as the provider writes
    /// it (`invoice_primitives::wire`).
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> String {
        let text = if self.compact {
            invoice_primitives::wire::to_string(value)
        } else {
            invoice_primitives::wire::to_string_pretty(value)
        };
        text.unwrap_or_else(|e| format!("null /* cannot be written as JSON: {e} */"))
    }

    /// A successful answer with a body.
    pub fn success<T: Serialize + ?Sized>(&self, _status: http::StatusCode, value: &T) {
        self.item(value);
    }

    /// A successful answer without a body: nothing is printed.
    pub fn success_empty(&self, _status: http::StatusCode) {}

    /// One value, on standard output.
    pub fn item<T: Serialize + ?Sized>(&self, value: &T) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", self.json(value));
        let _ = out.flush();
    }

    /// An error of a call, on standard error; remembers its exit code.
    pub fn api_error<E>(&self, error: &ApiError<E>) {
        let (code, text) = describe(error);
        *self.code.lock().unwrap_or_else(|e| e.into_inner()) = Some(code);
        eprintln!("{text}");
    }
}

/// An error's exit code and what standard error shows of it. Never a credential: they travel
/// in headers, which no variant shows.
fn describe<E>(error: &ApiError<E>) -> (u8, String) {
    let body_text = |body: &[u8]| String::from_utf8_lossy(body).into_owned();
    match error {
        ApiError::InvalidRequest(message) => (
            exit::REFUSED,
            format!("error: refused before sending: {message}"),
        ),
        ApiError::Transport(e) => {
            let mut text = format!("error: transport: {e}");
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                let _ = write!(text, ": {cause}");
                source = cause.source();
            }
            (exit::TRANSPORT, text)
        }
        ApiError::Provider { status, body, .. } => (
            exit::PROVIDER,
            format!("error: the provider answered HTTP {status}\n{}", body.raw()),
        ),
        ApiError::UnexpectedStatus { status, body, .. } => (
            exit::PROVIDER,
            format!(
                "error: the provider answered HTTP {status}, a status its documentation does not list\n{}",
                body_text(body)
            ),
        ),
        ApiError::InvalidResponse {
            status,
            path,
            message,
            body,
            ..
        } => (
            exit::PROVIDER,
            format!(
                "error: the answer (HTTP {status}) does not fit its documented type at `{path}`: {message}\n{}",
                body_text(body)
            ),
        ),
        other => (exit::FAILURE, format!("error: {other}")),
    }
}

/// Reads a `--json-body`: the file at `path`, or standard input for `-`.
pub fn read_json_body(path: &Path) -> std::io::Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}

/// A subcommand's name for an operation id: `create_invoice` → `create-invoice`.
fn command_name(operation_id: &str) -> String {
    operation_id.replace('_', "-")
}

/// The whole command line of provider `P`: one subcommand per operation, then `listen` and
/// `trigger` if it has webhook tooling.
pub fn command<P: Provider>() -> Command {
    let width = P::CREDENTIAL_ENVS
        .iter()
        .chain([&P::BASE_URL_ENV])
        .map(|env| env.len())
        .max()
        .unwrap_or(0);
    let mut environment = format!(
        "Environment:\n  {:<width$}  base URL (default {}; --base-url overrides it)",
        P::BASE_URL_ENV,
        P::BASE_URL
    );
    for env in P::CREDENTIAL_ENVS {
        let _ = write!(environment, "\n  {env:<width$}  credential (never printed)");
    }
    let mut command = Command::new(P::NAME)
        .bin_name(P::NAME)
        .about(P::ABOUT)
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .after_help(format!("{environment}\n\n{EXIT_CODES_HELP}"))
        .arg(
            Arg::new("base-url")
                .long("base-url")
                .value_name("URL")
                .global(true)
                .help(format!(
                    "Base URL of the API (default: ${}, else {})",
                    P::BASE_URL_ENV,
                    P::BASE_URL
                )),
        )
        .arg(
            Arg::new("compact")
                .long("compact")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Print JSON on one line instead of pretty"),
        )
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .global(true)
                .action(ArgAction::Count)
                .help(
                    "Log the call on standard error: -v each attempt, retry and failure, -vv the \
                     bodies too (credentials withheld)",
                ),
        );
    for (operation_id, subcommand) in P::operations() {
        let mut subcommand = subcommand
            .name(command_name(operation_id))
            .after_help(EXIT_CODES_HELP);
        if subcommand
            .get_arguments()
            .any(|arg| arg.get_id() == "json-body")
        {
            subcommand = subcommand.mut_arg("json-body", |arg| {
                arg.help("The whole JSON body, from a file, or standard input with -")
            });
        }
        command = command.subcommand(subcommand);
    }
    if let Some(tooling) = P::webhooks() {
        command = command
            .subcommand(webhooks::listen_command(tooling))
            .subcommand(webhooks::trigger_command(tooling));
    }
    command
}

/// With `-v` (`verbosity` 1) or more, prints the spans and events of the client crate `client`
/// (the binary's name is its client's, the target of its events) and of the webhook verifiers
/// on standard error: `DEBUG` with `-v`, `TRACE` (bodies, credentials withheld) with `-vv`.
/// Standard output keeps the answer alone.
fn log_to_stderr(client: &'static str, verbosity: u8) {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    use tracing_subscriber::Layer as _;

    let level = match verbosity {
        0 => return,
        1 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    };
    let targets = tracing_subscriber::filter::Targets::new()
        .with_target(client, level)
        .with_target("invoice_webhooks", level);
    // Colours for a terminal only, whatever another crate's features turn on.
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(targets);
    // A subscriber already installed (by an embedding program) stays.
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Runs the command line `args` (the program name first) of provider `P` and returns the exit
/// code: what each generated binary's `main` does.
pub fn run<P, I, A>(args: I) -> ExitCode
where
    P: Provider,
    I: IntoIterator<Item = A>,
    A: Into<OsString> + Clone,
{
    let matches = match command::<P>().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(error) => {
            // Help and version go to standard output with 0; usage errors exit with 2.
            let _ = error.print();
            return ExitCode::from(error.exit_code().clamp(0, 255) as u8);
        }
    };
    let Some((name, sub)) = matches.subcommand() else {
        return ExitCode::from(exit::USAGE);
    };
    let compact = sub.get_flag("compact");
    let base_url = sub.get_one::<String>("base-url").map(String::as_str);
    log_to_stderr(P::NAME, sub.get_count("verbose"));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let code = match (name, P::webhooks()) {
        ("listen", Some(tooling)) => runtime.block_on(webhooks::listen(tooling, sub, compact)),
        ("trigger", Some(tooling)) => runtime.block_on(webhooks::trigger(tooling, sub)),
        _ => {
            let Some((operation_id, _)) = P::operations()
                .into_iter()
                .find(|(id, _)| command_name(id) == name)
            else {
                return ExitCode::from(exit::USAGE);
            };
            let output = Output::new(compact);
            let reported = output.clone();
            match runtime.block_on(P::execute(base_url, output, operation_id, sub)) {
                Ok(()) => exit::SUCCESS,
                Err(error) => match reported.code() {
                    Some(code) => code,
                    // Anything else failed before the request was sent: credentials, the body
                    // file, its JSON.
                    None => {
                        eprintln!("error: refused before sending: {error:#}");
                        exit::REFUSED
                    }
                },
            }
        }
    };
    ExitCode::from(code)
}
