//! `listen` and `trigger`: a provider's webhooks from the command line, like Stripe CLI's, on the
//! provider's [`Tooling`] (its verifier and signer in `invoice-webhooks`).
//!
//! - `listen` serves `POST` on every path of `127.0.0.1:<port>`, verifies each delivery with the
//!   provider's verifier and prints the event as JSON on standard output (answering `200 OK`),
//!   or the rejection's code and reason on standard error (answering its 4xx). Its first line
//!   on standard output, `listening on http://127.0.0.1:<port>`, says it is ready.
//! - `trigger` builds a delivery of an event (a documented example, or JSON from a file, with
//!   `--status`/`--amount` changed), signs it as the provider would, POSTs it to `--url` and
//!   prints the answer's status and body as JSON.
//!
//! The shared secret comes from an environment variable (`--secret-env`, the provider's by
//! default) or a file (`--secret-file`, `-` for standard input), never from the command line
//! itself, and is never printed. Where the provider also sends its API key with each delivery
//! (Cryptoprocessing's `X-Processing-Key`), the key comes the same way (`--api-key-env`,
//! `--api-key-file`): `trigger` sends it and `listen` checks it when it is given.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use clap::builder::PossibleValuesParser;
use clap::{value_parser, Arg, ArgMatches, Command};
use invoice_webhooks::tooling::{Changes, Keys};
use invoice_webhooks::{Secret, ACK_BODY, DEFAULT_MAX_BODY};
use tokio::sync::Notify;

use crate::{exit, read_json_body, Output, Tooling};

fn secret_args(command: Command, tooling: &dyn Tooling) -> Command {
    let command = match tooling.api_key_env() {
        Some(var) => command
            .arg(
                Arg::new("api-key-env")
                    .long("api-key-env")
                    .value_name("VAR")
                    .default_value(var)
                    .help(
                        "Environment variable holding the API key the provider sends with each \
                         delivery: sent by trigger, checked by listen (none if unset)",
                    ),
            )
            .arg(
                Arg::new("api-key-file")
                    .long("api-key-file")
                    .value_name("FILE")
                    .value_parser(value_parser!(std::path::PathBuf))
                    .help("Read the API key from this file instead (- for standard input)"),
            ),
        None => command,
    };
    command
        .arg(
            Arg::new("secret-env")
                .long("secret-env")
                .value_name("VAR")
                .default_value(tooling.secret_env())
                .help(format!(
                    "Environment variable holding the secret: {}",
                    tooling.secret_help()
                )),
        )
        .arg(
            Arg::new("secret-file")
                .long("secret-file")
                .value_name("FILE")
                .value_parser(value_parser!(std::path::PathBuf))
                .help("Read the secret from this file instead (- for standard input)"),
        )
}

/// The keys: the shared secret, and the API key where the provider has one.
fn keys(matches: &ArgMatches) -> Result<Keys, String> {
    let keys = Keys::new(secret(matches)?);
    // Only providers that send an API key have these arguments.
    let Ok(file) = matches.try_get_one::<std::path::PathBuf>("api-key-file") else {
        return Ok(keys);
    };
    let text = match file {
        Some(path) => read_json_body(path)
            .map_err(|e| format!("cannot read --api-key-file {}: {e}", path.display()))?,
        None => {
            let var = matches
                .get_one::<String>("api-key-env")
                .map(String::as_str)
                .unwrap_or_default();
            // No key is fine: a receiver that does not check it accepts the delivery.
            std::env::var(var).unwrap_or_default()
        }
    };
    let text = text.trim_end_matches(['\r', '\n']);
    Ok(if text.is_empty() {
        keys
    } else {
        keys.with_api_key(Secret::new(text))
    })
}

/// The shared secret, from `--secret-file` or the variable `--secret-env` names.
fn secret(matches: &ArgMatches) -> Result<Secret, String> {
    let text = match matches.get_one::<std::path::PathBuf>("secret-file") {
        Some(path) => read_json_body(path)
            .map_err(|e| format!("cannot read --secret-file {}: {e}", path.display()))?,
        None => {
            let var = matches
                .get_one::<String>("secret-env")
                .map(String::as_str)
                .unwrap_or_default();
            std::env::var(var).map_err(|_| {
                format!("no secret: set the environment variable {var} or give --secret-file")
            })?
        }
    };
    let text = text.trim_end_matches(['\r', '\n']);
    if text.is_empty() {
        return Err("the secret is empty".to_owned());
    }
    Ok(Secret::new(text))
}

/// The `listen` subcommand.
pub fn listen_command(tooling: &dyn Tooling) -> Command {
    let command = Command::new("listen")
        .about(
            "Receive webhooks on 127.0.0.1: verify each delivery with the provider's verifier and \
             print the event as JSON (or the rejection's reason on standard error)",
        )
        .after_help(
            "The first line on standard output, `listening on http://127.0.0.1:<port>`, says the \
             endpoint is ready. Every path accepts POST. A verified delivery is answered 200 OK, a \
             rejected one with its 4xx status and reason code.",
        )
        .arg(
            Arg::new("port")
                .long("port")
                .value_parser(value_parser!(u16))
                .default_value("0")
                .help("Port on 127.0.0.1 (0: any free port; the readiness line says which)"),
        )
        .arg(
            Arg::new("count")
                .long("count")
                .value_parser(value_parser!(u64).range(1..))
                .help("Exit after this many deliveries (verified or rejected)"),
        );
    secret_args(command, tooling)
}

/// The `trigger` subcommand.
pub fn trigger_command(tooling: &dyn Tooling) -> Command {
    let names: Vec<&'static str> = tooling.examples().iter().map(|(name, _)| *name).collect();
    let command = Command::new("trigger")
        .about(
            "Send a signed webhook delivery of an event to a URL, as the provider would, and \
             print the answer's status",
        )
        .arg(
            Arg::new("url")
                .long("url")
                .value_name("URL")
                .required(true)
                .help("Where to POST the delivery (e.g. the URL `listen` prints)"),
        )
        .arg(
            Arg::new("example")
                .long("example")
                .value_parser(PossibleValuesParser::new(names))
                .help("A documented example event (default: the first)"),
        )
        .arg(
            Arg::new("event")
                .long("event")
                .value_name("FILE")
                .value_parser(value_parser!(std::path::PathBuf))
                .conflicts_with("example")
                .help("The event as JSON, from a file, or standard input with -"),
        )
        .arg(
            Arg::new("status")
                .long("status")
                .help("Replace the event's status (as the provider writes it)"),
        )
        .arg(
            Arg::new("amount")
                .long("amount")
                .help("Replace the amount paid (an exact decimal, e.g. 0.000113)"),
        );
    secret_args(command, tooling)
}

struct Listener {
    tooling: &'static dyn Tooling,
    keys: Keys,
    output: Output,
    seen: AtomicU64,
    count: Option<u64>,
    done: Notify,
}

async fn receive(
    State(listener): State<Arc<Listener>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != Method::POST {
        return (StatusCode::METHOD_NOT_ALLOWED, "POST only").into_response();
    }
    let pretty = !listener.output.compact;
    let response = match listener
        .tooling
        .verify(&listener.keys, &headers, &body, pretty)
    {
        Ok(event) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{event}");
            let _ = out.flush();
            (StatusCode::OK, ACK_BODY).into_response()
        }
        Err(rejection) => {
            eprintln!("rejected: {}: {rejection}", rejection.code());
            (rejection.status(), rejection.code()).into_response()
        }
    };
    let seen = listener.seen.fetch_add(1, Ordering::SeqCst) + 1;
    if listener.count.is_some_and(|count| seen >= count) {
        listener.done.notify_one();
    }
    response
}

/// Runs `listen`; returns the exit code.
pub async fn listen(tooling: &'static dyn Tooling, matches: &ArgMatches, compact: bool) -> u8 {
    let keys = match keys(matches) {
        Ok(keys) => keys,
        Err(message) => {
            eprintln!("error: {message}");
            return exit::REFUSED;
        }
    };
    let port = matches.get_one::<u16>("port").copied().unwrap_or(0);
    let socket =
        match tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
            Ok(socket) => socket,
            Err(e) => {
                eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
                return exit::FAILURE;
            }
        };
    let address = match socket.local_addr() {
        Ok(address) => address,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FAILURE;
        }
    };
    let listener = Arc::new(Listener {
        tooling,
        keys,
        output: Output::new(compact),
        seen: AtomicU64::new(0),
        count: matches.get_one::<u64>("count").copied(),
        done: Notify::new(),
    });
    let app = Router::new()
        .fallback(receive)
        // The verifier refuses an over-long body itself (413, with its reason).
        .layer(DefaultBodyLimit::max(DEFAULT_MAX_BODY + 1))
        .with_state(listener.clone());
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{address}");
        let _ = out.flush();
    }
    let shutdown = async move { listener.done.notified().await };
    match axum::serve(socket, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        Ok(()) => exit::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            exit::FAILURE
        }
    }
}

/// Runs `trigger`; returns the exit code.
pub async fn trigger(tooling: &'static dyn Tooling, matches: &ArgMatches) -> u8 {
    let refused = |message: String| {
        eprintln!("error: refused before sending: {message}");
        exit::REFUSED
    };
    let keys = match keys(matches) {
        Ok(keys) => keys,
        Err(message) => return refused(message),
    };
    let event = match matches.get_one::<std::path::PathBuf>("event") {
        Some(path) => match read_json_body(path) {
            Ok(text) => text,
            Err(e) => return refused(format!("cannot read --event {}: {e}", path.display())),
        },
        None => {
            let name = matches.get_one::<String>("example");
            let examples = tooling.examples();
            let found = match name {
                Some(name) => examples.iter().find(|(n, _)| n == name),
                None => examples.first(),
            };
            match found {
                Some((_, json)) => (*json).to_owned(),
                None => return refused("no example event".to_owned()),
            }
        }
    };
    let changes = Changes::new(
        matches.get_one::<String>("status").map(String::as_str),
        matches.get_one::<String>("amount").map(String::as_str),
    );
    let delivery = match tooling.sign(&keys, &event, changes) {
        Ok(delivery) => delivery,
        Err(message) => return refused(message),
    };
    let url = matches
        .get_one::<String>("url")
        .map(String::as_str)
        .unwrap_or_default();
    // reqwest's rustls takes the process's TLS provider, as the generated clients' does.
    invoice_primitives::transport::install_tls_provider();
    let answer = reqwest::Client::new()
        .post(url)
        .headers(delivery.headers)
        .body(delivery.body)
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) if e.is_builder() => return refused(format!("--url {url:?}: {e}")),
        Err(e) => {
            eprintln!("error: transport: {e}");
            return exit::TRANSPORT;
        }
    };
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    /// What `trigger` prints.
    #[derive(serde::Serialize)]
    struct Answer<'a> {
        status: u16,
        body: &'a str,
    }
    Output::new(true).item(&Answer {
        status: status.as_u16(),
        body: &body,
    });
    if status.is_success() {
        exit::SUCCESS
    } else {
        eprintln!("error: the receiver answered HTTP {status}");
        exit::PROVIDER
    }
}
