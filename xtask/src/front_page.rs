//! A generated crate's front page (`//!` docs): what the API is, how to build a client, one
//! call (the row's hand-written guide), errors, retries and servers.

use crate::providers::{Auth, Provider};
use crate::spec::Spec;

/// The `//!` lines of the crate docs.
pub fn crate_docs(provider: &Provider, spec: &Spec, guide: Option<&str>) -> String {
    let info = &spec.api.info;
    let name = provider.name;
    let mut doc = format!(
        "Client for the {} (API version {}).\n",
        info.title.trim(),
        info.version.trim()
    );
    if let Some(description) = &info.description {
        doc.push('\n');
        doc.push_str(&without_sources(description));
        doc.push('\n');
    }
    if provider.runtime.is_some() {
        let (from_env, arguments): (String, &[&str]) = match provider.auth {
            Auth::None => ("No credentials".to_owned(), &[]),
            Auth::HeaderToken { env, .. } => (format!("The API key from `{env}`"), &["api_key"]),
            Auth::HmacBody {
                key_env,
                secret_env,
                ..
            } => (
                format!("The API key from `{key_env}`, the secret key from `{secret_env}`"),
                &["api_key", "secret_key"],
            ),
        };
        let parameters: Vec<String> = arguments.iter().map(|a| format!("{a}: &str")).collect();
        let (parameters, arguments) = (parameters.join(", "), arguments.join(", "));
        doc.push_str(&format!(
            "\n# Getting started\n\n\
             ```no_run\n\
             # fn example({parameters}) -> Result<(), Box<dyn std::error::Error>> {{\n\
             // {from_env};\n\
             // the base URL from `{base_url_env}`, or [`BASE_URL`].\n\
             let client = {name}::Client::from_env()?;\n\n\
             // The same, explicitly, with a per-attempt timeout:\n\
             let config = {name}::Config::new({name}::Credentials::new({arguments}){question})\n    \
             .with_timeout(std::time::Duration::from_secs(10));\n\
             let client = {name}::Client::new({name}::BASE_URL, config)?;\n\
             # Ok(()) }}\n\
             ```\n",
            base_url_env = provider.base_url_env,
            // Only credentials that can be refused return a `Result`.
            question = if arguments.is_empty() { "" } else { "?" },
        ));
        if let Some(guide) = guide {
            doc.push('\n');
            doc.push_str(guide.trim());
            doc.push('\n');
        }
        doc.push_str(
            "\n# Errors\n\n\
             Every `send()` returns `Result<Response<T>, Error<E>>`: the decoded body with its \
             status and headers ([`Response`]), or one error type ([`ApiError`], also named \
             [`Error`] here) whose variants keep what is known:\n\n\
             - `InvalidRequest`: refused before anything was sent (a limit, a rule across \
             fields, a missing field); the message names the field and the reason.\n\
             - `Provider`: a documented error status, with the status, headers, the raw body \
             and, when it matches, the documented error body ([`ApiError::provider_error`]).\n\
             - `UnexpectedStatus`: a status the documentation does not list, with its body.\n\
             - `InvalidResponse`: a body that does not fit its documented type, naming the \
             field (`result[0].amount`), with the status and the raw body.\n\
             - `Transport`: no usable response (connection, TLS, timeout).\n",
        );
        doc.push_str(
            "\n# Retries and timeouts\n\n\
             Operations that only read (`READ_ONLY_OPERATIONS`) are resent after a refused or \
             broken connection, a timeout, HTTP 429 or 5xx; every other operation only when \
             the connection could not be made, so it never reaches the provider twice. The \
             default is 3 attempts with jittered backoff, honouring `Retry-After`; \
             [`Config::with_retry`] and [`RetryPolicy::none`] change it, \
             [`Config::with_timeout`] bounds each attempt. Requests carry \
             `User-Agent: <crate>/<version>`.\n",
        );
    }
    match spec.api.servers.as_slice() {
        [] => {}
        [server] => {
            doc.push_str(&format!("\nServer: {}\n", server_line(server)));
        }
        servers => {
            doc.push_str("\nServers:\n");
            for server in servers {
                doc.push_str(&format!("- {}\n", server_line(server)));
            }
        }
    }
    doc.lines()
        .map(|line| match line.trim_end() {
            "" => "//!\n".to_owned(),
            line => format!("//! {line}\n"),
        })
        .collect()
}

/// A description without its `Source: <file>` provenance line, which names the docs' files
/// in this repository and means nothing to a user.
pub fn without_sources(text: &str) -> String {
    let kept: Vec<&str> = text
        .trim()
        .lines()
        .filter(|line| !line.trim_start().starts_with("Source: "))
        .collect();
    kept.join("\n").trim().to_owned()
}

/// An absolute URL as an autolink (a bare one trips `rustdoc::bare_urls`);
/// templated or relative URLs as code.
fn server_line(server: &openapiv3::Server) -> String {
    let url = &server.url;
    let mut line = if (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(['{', '}', ' ', '<', '>'])
    {
        format!("<{url}>")
    } else {
        format!("`{url}`")
    };
    if let Some(description) = &server.description {
        let description = description.split_whitespace().collect::<Vec<_>>().join(" ");
        if !description.is_empty() {
            line.push_str(" (");
            line.push_str(&description);
            line.push(')');
        }
    }
    line
}
