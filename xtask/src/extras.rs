//! Items xtask adds to a generated crate beside progenitor's output, from the spec and the
//! row: the servers' base URLs, and, for rows with a runtime, the `progenitor_client` module
//! that makes `send()` return the runtime's `Response` and `ApiError`, the re-exports a user
//! needs, the provider's `Credentials`, `Client::from_env` and `Client::with_credentials`, and
//! the `ClientHooks` impl that hands each request to the runtime's transport.

use heck::ToShoutySnakeCase;
use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme};

use crate::providers::{Auth, Provider};

/// Source text appended to `lib.rs` (formatted with it by rustfmt).
pub fn extras(provider: &Provider, api: &OpenAPI) -> Result<String, String> {
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
         Amount, ApiError, BoundedInt, BoundedVec, CredentialError, DayMonthYear, ErrorBody,\n\
         MaybeText, PathSegment, Response, RetryPolicy, Secret, StringAmount, Timestamp,\n\
         UnixTime,\n\
         }};\n\n\
         /// A client's settings: its [`Credentials`], per-attempt timeout and [`RetryPolicy`].\n\
         pub type Config = {runtime}::Config<Credentials>;\n"
    ));
    text.push_str(&credentials(provider, api, runtime)?);
    text.push_str(&client_constructors(provider)?);
    text.push_str(&hooks(api, runtime));
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

/// A header `apiKey` scheme of the spec: its header name (lowercase) and its extensions.
struct HeaderScheme {
    header: String,
    description: String,
    extensions: serde_json::Map<String, serde_json::Value>,
}

fn header_scheme(api: &OpenAPI, name: &str) -> Result<HeaderScheme, String> {
    let scheme = api
        .components
        .as_ref()
        .and_then(|c| c.security_schemes.get(name))
        .ok_or_else(|| format!("auth: no securitySchemes/{name} in the spec"))?;
    match scheme {
        ReferenceOr::Item(SecurityScheme::APIKey {
            location: openapiv3::APIKeyLocation::Header,
            name: header,
            description,
            extensions,
        }) => Ok(HeaderScheme {
            header: header.to_ascii_lowercase(),
            description: description.clone().unwrap_or_default(),
            extensions: extensions.clone().into_iter().collect(),
        }),
        _ => Err(format!(
            "auth: securitySchemes/{name} must be `type: apiKey, in: header`"
        )),
    }
}

fn doc_lines(text: &str) -> String {
    text.trim()
        .lines()
        .map(|line| match line.trim_end() {
            "" => "///\n".to_owned(),
            line => format!("/// {line}\n"),
        })
        .collect()
}

fn credentials(provider: &Provider, api: &OpenAPI, runtime: &str) -> Result<String, String> {
    let header_name = |h: &str| {
        reqwest_header_ok(h)
            .then_some(())
            .ok_or_else(|| format!("auth: {h:?} is not a header name"))
    };
    let authenticate = format!(
        "impl {runtime}::Authenticate for Credentials {{\n\
         fn authenticate(&self, request: &mut reqwest::Request) {{\n\
         {}\n\
         }}\n\
         }}\n",
        if provider.auth == Auth::None {
            "let _ = request;"
        } else {
            "self.0.authenticate(request)"
        }
    );
    let text = match provider.auth {
        Auth::None => {
            ("\n/// The credentials of a request: none. This API documents no API key for these\n\
             /// operations.\n\
             #[derive(Debug, Clone, Copy, Default)]\n\
             pub struct Credentials;\n\n\
             impl Credentials {\n\
             /// No credentials.\n\
             pub fn new() -> Self {\n\
             Self\n\
             }\n\n\
             /// No credentials: nothing is read, and this never fails.\n\
             pub fn from_env() -> ::std::result::Result<Self, CredentialError> {\n\
             Ok(Self)\n\
             }\n\
             }\n\n")
                .to_owned()
        }
        Auth::HeaderToken { scheme, env } => {
            let scheme = header_scheme(api, scheme)?;
            header_name(&scheme.header)?;
            let prefix = scheme
                .extensions
                .get("x-prefix")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            format!(
                "\n/// The credentials of a request: the API key, sent as `{header}: {prefix}<API key>`.\n\
                 ///\n\
                 {docs}\
                 #[derive(Debug, Clone)]\n\
                 pub struct Credentials({runtime}::HeaderToken);\n\n\
                 impl Credentials {{\n\
                 /// The header that carries the API key.\n\
                 pub const HEADER: &'static str = {header:?};\n\
                 /// What comes before the API key in [`HEADER`](Self::HEADER).\n\
                 pub const PREFIX: &'static str = {prefix:?};\n\
                 /// The environment variable [`from_env`](Self::from_env) reads.\n\
                 pub const API_KEY_ENV: &'static str = {env:?};\n\n\
                 /// From the API key; refused if it is empty or not valid in a header.\n\
                 pub fn new(api_key: impl Into<String>) -> ::std::result::Result<Self, CredentialError> {{\n\
                 {runtime}::HeaderToken::new(Self::HEADER, Self::PREFIX, \"the API key\", api_key).map(Self)\n\
                 }}\n\n\
                 /// From the environment variable `{env}`.\n\
                 pub fn from_env() -> ::std::result::Result<Self, CredentialError> {{\n\
                 Self::new({runtime}::auth::env_var(Self::API_KEY_ENV)?)\n\
                 }}\n\
                 }}\n\n",
                header = scheme.header,
                docs = doc_lines(&scheme.description),
            )
        }
        Auth::HmacBody {
            key_scheme,
            signature_scheme,
            key_env,
            secret_env,
        } => {
            let key = header_scheme(api, key_scheme)?;
            let signature = header_scheme(api, signature_scheme)?;
            header_name(&key.header)?;
            header_name(&signature.header)?;
            match signature
                .extensions
                .get("x-signature")
                .and_then(|v| v.as_str())
            {
                Some("hmac-sha512-hex") => {}
                other => {
                    return Err(format!(
                        "auth: securitySchemes/{signature_scheme} says x-signature {other:?}; \
                         the runtime signs `hmac-sha512-hex`"
                    ))
                }
            }
            format!(
                "\n/// The credentials of a request: the API key in `{key_header}`, and in\n\
                 /// `{signature_header}` the lowercase hex HMAC-SHA512 of the exact body bytes, keyed with\n\
                 /// the secret key.\n\
                 #[derive(Debug, Clone)]\n\
                 pub struct Credentials({runtime}::HmacBodySignature);\n\n\
                 impl Credentials {{\n\
                 /// The header that carries the API key.\n\
                 pub const KEY_HEADER: &'static str = {key_header:?};\n\
                 /// The header that carries the signature.\n\
                 pub const SIGNATURE_HEADER: &'static str = {signature_header:?};\n\
                 /// The environment variable [`from_env`](Self::from_env) reads for the API key.\n\
                 pub const API_KEY_ENV: &'static str = {key_env:?};\n\
                 /// The environment variable [`from_env`](Self::from_env) reads for the secret key.\n\
                 pub const SECRET_ENV: &'static str = {secret_env:?};\n\n\
                 /// From the API key and the secret key; refused if either is empty, or the API\n\
                 /// key is not valid in a header.\n\
                 pub fn new(\n\
                 api_key: impl Into<String>,\n\
                 secret_key: impl Into<String>,\n\
                 ) -> ::std::result::Result<Self, CredentialError> {{\n\
                 {runtime}::HmacBodySignature::new(Self::KEY_HEADER, Self::SIGNATURE_HEADER, api_key, secret_key).map(Self)\n\
                 }}\n\n\
                 /// From the environment variables `{key_env}` and `{secret_env}`.\n\
                 pub fn from_env() -> ::std::result::Result<Self, CredentialError> {{\n\
                 Self::new({runtime}::auth::env_var(Self::API_KEY_ENV)?, {runtime}::auth::env_var(Self::SECRET_ENV)?)\n\
                 }}\n\n\
                 /// The signature of `body`, as sent in [`SIGNATURE_HEADER`](Self::SIGNATURE_HEADER).\n\
                 pub fn sign(&self, body: &[u8]) -> String {{\n\
                 self.0.sign(body)\n\
                 }}\n\
                 }}\n\n",
                key_header = key.header,
                signature_header = signature.header,
            )
        }
    };
    Ok(text + &authenticate)
}

/// Header names the runtime passes to `HeaderName::from_static`: lowercase visible ASCII.
fn reqwest_header_ok(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_".contains(&b))
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
         pub fn from_env() -> ::std::result::Result<Self, CredentialError> {{\n\
         let credentials = Credentials::from_env()?;\n\
         let base_url = ::std::env::var(Self::BASE_URL_ENV)\n\
         .ok()\n\
         .filter(|url| !url.trim().is_empty())\n\
         .unwrap_or_else(|| BASE_URL.to_owned());\n\
         Ok(Self::with_credentials(&base_url, credentials))\n\
         }}\n\n\
         /// A client for `base_url` (such as [`BASE_URL`], or a local server's URL) with\n\
         /// `credentials` and the default retries and timeouts; [`Client::new`] takes a\n\
         /// [`Config`] to change them.\n\
         pub fn with_credentials(base_url: &str, credentials: Credentials) -> Self {{\n\
         Self::new(base_url, Config::new(credentials))\n\
         }}\n\
         }}\n"
    ))
}

fn hooks(api: &OpenAPI, runtime: &str) -> String {
    let list = read_only_operations(api)
        .iter()
        .map(|op| format!("{op:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "\n/// Operations that only read (`GET`, or `x-read-only` in the spec): the only ones\n\
         /// resent after a response or failure that may have reached the provider.\n\
         pub const READ_ONLY_OPERATIONS: &[&str] = &[{list}];\n\n\
         /// The `User-Agent` of the HTTP client [`Client::new`] builds.\n\
         pub const USER_AGENT: &str = concat!(env!(\"CARGO_PKG_NAME\"), \"/\", env!(\"CARGO_PKG_VERSION\"));\n\n\
         impl ClientHooks<Config> for Client {{\n\
         async fn exec(&self, request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {{\n\
         let call = {runtime}::transport::Call {{\n\
         read_only: READ_ONLY_OPERATIONS.contains(&info.operation_id),\n\
         }};\n\
         {runtime}::transport::exec(&self.inner, &self.client, request, call).await\n\
         }}\n\
         }}\n\n"
    )
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
