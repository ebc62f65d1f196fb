//! Items xtask adds to a generated crate beside progenitor's output, from the spec and the
//! row: the servers' base URLs, and, for rows with a runtime, the `progenitor_client` module
//! that makes `send()` return the runtime's `Response` and `ApiError`, the re-exports a user
//! needs, the provider's `Credentials`, `Client::from_env` and `Client::with_credentials`, and
//! the `ClientHooks` impl that hands each request to the runtime's transport (with the crate's
//! `Trace`, trace.rs).

use std::collections::BTreeSet;

use heck::ToShoutySnakeCase;
use openapiv3::OpenAPI;

use crate::credentials;
use crate::providers::{Auth, Provider};

/// Source text appended to `lib.rs` (formatted with it by rustfmt).
pub fn items(provider: &Provider, api: &OpenAPI) -> Result<String, String> {
    let mut text = base_urls(api)?;
    let Some(runtime) = provider.runtime else {
        return Ok(text);
    };
    syn::parse_str::<syn::Path>(runtime).map_err(|_| format!("runtime: {runtime:?}"))?;
    text.push_str(&format!(
        "\n/// progenitor's client runtime, from the provider-neutral runtime crate: `send()`\n\
         /// returns its [`Response`] and [`ApiError`].\n\
         mod progenitor_client {{\n\
         pub use {runtime}::progenitor::*;\n\
         }}\n\n\
         pub use {runtime}::{{\n\
         Amount, ApiError, BaseUrlError, BoundedInt, BoundedVec, CredentialError, DayMonthYear,\n\
         ErrorBody,\n\
         MaybeText, PathSegment, Response, RetryPolicy, Secret, StringAmount, Timestamp,\n\
         UnixTime,\n\
         }};\n\n\
         /// A client's settings: its [`Credentials`], per-attempt timeout and [`RetryPolicy`].\n\
         pub type Config = {runtime}::Config<Credentials>;\n"
    ));
    text.push_str(&credentials::credentials(provider, api, runtime)?);
    text.push_str(&client_constructors(provider)?);
    text.push_str(&hooks(provider, api, runtime)?);
    Ok(text)
}

fn base_urls(api: &OpenAPI) -> Result<String, String> {
    let mut text = String::new();
    for (i, server) in api.servers.iter().enumerate() {
        let description = server.description.as_deref().unwrap_or("").trim();
        let url = serde_json::to_string(&server.url).expect("a string serializes");
        if i == 0 {
            text.push_str(&format!(
                "/// The spec's first server, <{}>.\npub const BASE_URL: &str = {url};\n",
                server.url
            ));
        }
        if !description.is_empty() {
            let name = format!("{}_URL", description.to_shouty_snake_case());
            syn::parse_str::<syn::Ident>(&name).map_err(|_| format!("server name {name:?}"))?;
            text.push_str(&format!(
                "/// {description}: <{}>.\npub const {name}: &str = {url};\n",
                server.url
            ));
        }
    }
    Ok(text)
}

fn client_constructors(provider: &Provider) -> Result<String, String> {
    let env = provider.base_url_env;
    if syn::parse_str::<syn::Ident>(env).is_err() {
        return Err(format!("base_url_env {env:?} is not a variable name"));
    }
    let credentials_env = match provider.auth {
        Auth::None => "no credentials".to_owned(),
        Auth::HeaderToken { env, .. } => format!("the API key from `{env}`"),
        Auth::HmacBody {
            key_env,
            secret_env,
            ..
        } => format!("the API key from `{key_env}` and the secret key from `{secret_env}`"),
    };
    Ok(format!(
        "\nimpl Client {{\n\
         /// The environment variable [`from_env`](Self::from_env) reads for the base URL.\n\
         pub const BASE_URL_ENV: &'static str = {env:?};\n\n\
         /// A client configured from the environment: {credentials_env}, and the base URL\n\
         /// from `{env}` ([`BASE_URL`] when it is unset or empty). Retries and timeouts are the\n\
         /// defaults of [`Config`].\n\
         /// A base URL that is not an absolute `http(s)` URL is refused here, naming the\n\
         /// variable.\n\
         pub fn from_env() -> ::std::result::Result<Self, CredentialError> {{\n\
         let credentials = Credentials::from_env()?;\n\
         let base_url = ::std::env::var(Self::BASE_URL_ENV)\n\
         .ok()\n\
         .filter(|url| !url.trim().is_empty())\n\
         .unwrap_or_else(|| BASE_URL.to_owned());\n\
         Self::with_credentials(&base_url, credentials)\n\
         .map_err(|e| CredentialError::new(format!(\"{{}}: {{e}}\", Self::BASE_URL_ENV)))\n\
         }}\n\n\
         /// A client for `base_url` (such as [`BASE_URL`], or a local server's URL) with\n\
         /// `credentials` and the default retries and timeouts; [`Client::new`] takes a\n\
         /// [`Config`] to change them. A base URL that is not an absolute `http(s)` URL is\n\
         /// refused here, with the reason.\n\
         pub fn with_credentials(\n\
         base_url: &str,\n\
         credentials: Credentials,\n\
         ) -> ::std::result::Result<Self, BaseUrlError> {{\n\
         Self::new(base_url, Config::new(credentials))\n\
         }}\n\
         }}\n"
    ))
}

fn hooks(provider: &Provider, api: &OpenAPI, runtime: &str) -> Result<String, String> {
    let operations = operations(provider, api, runtime)?;
    let read_only = read_only_operations(api)
        .iter()
        .map(|op| format!("{op:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(format!(
        "\n/// Operations that only read (`GET`, or `x-read-only` in the spec): the only ones\n\
         /// resent after a response or failure that may have reached the provider.\n\
         pub const READ_ONLY_OPERATIONS: &[&str] = &[{read_only}];\n\n\
         /// What the transport needs of each operation, from the spec: whether it only reads,\n\
         /// which credentials it takes (`security`), and the least time between two calls\n\
         /// (`x-min-interval-seconds`).\n\
         pub const OPERATIONS: &[{runtime}::transport::Operation] = &[\n{operations}];\n\n\
         /// The `User-Agent` of the HTTP client [`Client::new`] builds.\n\
         pub const USER_AGENT: &str = concat!(env!(\"CARGO_PKG_NAME\"), \"/\", env!(\"CARGO_PKG_VERSION\"));\n\n\
         fn operation(id: &'static str) -> {runtime}::transport::Operation {{\n\
         OPERATIONS\n\
         .iter()\n\
         .find(|operation| operation.id == id)\n\
         .copied()\n\
         .unwrap_or({runtime}::transport::Operation::new(id))\n\
         }}\n\n\
         impl ClientHooks<Config> for Client {{\n\
         async fn pre<E>(&self, request: &mut reqwest::Request, info: &OperationInfo) -> ::std::result::Result<(), Error<E>> {{\n\
         {runtime}::transport::prepare(&self.inner, request, &operation(info.operation_id))\n\
         }}\n\n\
         fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> impl ::std::future::Future<Output = reqwest::Result<reqwest::Response>> {{\n\
         {runtime}::transport::exec::<_, Trace>(&self.inner, &self.client, request, operation(info.operation_id))\n\
         }}\n\
         }}\n\n"
    ))
}

/// One `Operation` literal per operation of the spec.
fn operations(provider: &Provider, api: &OpenAPI, runtime: &str) -> Result<String, String> {
    let read_only: BTreeSet<String> = read_only_operations(api).into_iter().collect();
    let extras: BTreeSet<&str> = provider
        .extra_credentials
        .iter()
        .map(|e| e.scheme)
        .collect();
    let default: BTreeSet<String> = match provider.auth {
        Auth::None => BTreeSet::new(),
        Auth::HeaderToken { scheme, .. } => [scheme.to_owned()].into(),
        Auth::HmacBody {
            key_scheme,
            signature_scheme,
            ..
        } => [key_scheme.to_owned(), signature_scheme.to_owned()].into(),
    };
    let mut text = String::new();
    for (_, item) in api.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (_, op) in item.iter() {
            let Some(id) = &op.operation_id else { continue };
            let scheme = match &op.security {
                None => "Default".to_owned(),
                Some(requirements) if requirements.is_empty() => "None".to_owned(),
                Some(requirements) => {
                    let [requirement] = requirements.as_slice() else {
                        return Err(format!(
                            "{id}: `security` offers alternatives; the client takes one set of credentials per operation"
                        ));
                    };
                    let names: BTreeSet<String> = requirement.keys().cloned().collect();
                    match names.iter().next() {
                        _ if names == default => "Default".to_owned(),
                        Some(name) if names.len() == 1 && extras.contains(name.as_str()) => {
                            format!("Named({name:?})")
                        }
                        _ if names.is_empty() && provider.auth == Auth::None => "Default".to_owned(),
                        _ => {
                            return Err(format!(
                                "{id}: `security` {names:?} is neither the row's auth nor one of its extra_credentials"
                            ))
                        }
                    }
                }
            };
            let min_interval = match op.extensions.get("x-min-interval-seconds") {
                None => "None".to_owned(),
                Some(value) => {
                    let seconds = value.as_u64().ok_or_else(|| {
                        format!("{id}: x-min-interval-seconds takes whole seconds")
                    })?;
                    format!("Some(::std::time::Duration::from_secs({seconds}))")
                }
            };
            text.push_str(&format!(
                "{runtime}::transport::Operation {{\n\
                 id: {id:?},\n\
                 read_only: {},\n\
                 scheme: {runtime}::Scheme::{scheme},\n\
                 min_interval: {min_interval},\n\
                 }},\n",
                read_only.contains(id)
            ));
        }
    }
    Ok(text)
}

/// Operation ids that only read: every `GET`, and operations marked `x-read-only: true`
/// (a `POST` that reads, such as CryptoCloud's list).
fn read_only_operations(api: &OpenAPI) -> Vec<String> {
    let mut ids = Vec::new();
    for (_, item) in api.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (method, op) in item.iter() {
            let marked = op.extensions.get("x-read-only") == Some(&serde_json::Value::Bool(true));
            if method == "get" || marked {
                ids.extend(op.operation_id.clone());
            }
        }
    }
    ids
}
