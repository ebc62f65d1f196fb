//! A generated crate's `Credentials`: the row's authentication choice on top of the runtime's
//! generic schemes, with the header names and prefixes of the spec's `securitySchemes`, and
//! one optional key per further credential the row names (a withdrawal key, say), used only
//! for the operations whose `security` names its scheme.

use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme};

use crate::providers::{Auth, ExtraCredential, Provider};

/// A header `apiKey` scheme of the spec.
struct HeaderScheme {
    /// Lowercase header name.
    header: String,
    prefix: String,
    description: String,
    extensions: serde_json::Map<String, serde_json::Value>,
}

fn header_scheme(api: &OpenAPI, name: &str) -> Result<HeaderScheme, String> {
    let scheme = api
        .components
        .as_ref()
        .and_then(|c| c.security_schemes.get(name))
        .ok_or_else(|| format!("auth: no securitySchemes/{name} in the spec"))?;
    let ReferenceOr::Item(SecurityScheme::APIKey {
        location: openapiv3::APIKeyLocation::Header,
        name: header,
        description,
        extensions,
    }) = scheme
    else {
        return Err(format!(
            "auth: securitySchemes/{name} must be `type: apiKey, in: header`"
        ));
    };
    let header = header.to_ascii_lowercase();
    let valid = !header.is_empty()
        && header
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_".contains(&b));
    if !valid {
        return Err(format!("auth: {header:?} is not a header name"));
    }
    let extensions: serde_json::Map<_, _> = extensions.clone().into_iter().collect();
    Ok(HeaderScheme {
        header,
        prefix: extensions
            .get("x-prefix")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned(),
        description: description.clone().unwrap_or_default(),
        extensions,
    })
}

pub fn doc_lines(text: &str) -> String {
    text.trim()
        .lines()
        .map(|line| match line.trim_end() {
            "" => "///\n".to_owned(),
            line => format!("/// {line}\n"),
        })
        .collect()
}

/// The `Credentials` type, its constructors and its `Authenticate` impl, as source text.
pub fn credentials(provider: &Provider, api: &OpenAPI, runtime: &str) -> Result<String, String> {
    let (docs, default_type, items, env_reads) = default_credentials(provider, api, runtime)?;
    let mut fields = format!("default: {default_type},\n");
    let mut methods = items;
    let mut from_env_extras = String::new();
    let mut arms = String::new();
    let mut env_reads = env_reads;
    for extra in provider.extra_credentials {
        env_reads.push_str(&format!(
            ", and the {} from `{}` if it is set",
            extra.name.replace('_', " "),
            extra.env
        ));
        let (field, arm, method, env_read) = extra_credential(extra, api, runtime)?;
        fields.push_str(&field);
        methods.push_str(&method);
        from_env_extras.push_str(&env_read);
        arms.push_str(&arm);
    }
    let derive = if provider.auth == Auth::None && provider.extra_credentials.is_empty() {
        "#[derive(Debug, Clone, Default)]"
    } else {
        "#[derive(Debug, Clone)]"
    };
    let extra_inits: String = provider
        .extra_credentials
        .iter()
        .map(|e| format!("{}: None,\n", e.name))
        .collect();
    Ok(format!(
        "\n{docs}{derive}\n\
         pub struct Credentials {{\n{fields}}}\n\n\
         impl Credentials {{\n\
         {methods}\n\
         /// From the environment: {env_reads}.\n\
         pub fn from_env() -> ::std::result::Result<Self, CredentialError> {{\n\
         #[allow(unused_mut)]\n\
         let mut credentials = Self::from_default(Self::default_from_env()?);\n\
         {from_env_extras}\
         Ok(credentials)\n\
         }}\n\n\
         fn from_default(default: {default_type}) -> Self {{\n\
         Self {{ default, {extra_inits} }}\n\
         }}\n\
         }}\n\n\
         impl {runtime}::Authenticate for Credentials {{\n\
         fn authenticate(\n\
         &self,\n\
         request: &mut reqwest::Request,\n\
         scheme: {runtime}::Scheme,\n\
         ) -> ::std::result::Result<(), CredentialError> {{\n\
         {body}\
         }}\n\
         }}\n",
        body = if arms.is_empty() {
            "self.default.authenticate(request, scheme)\n".to_owned()
        } else {
            format!(
                "match scheme {{\n{arms}other => self.default.authenticate(request, other),\n}}\n"
            )
        },
    ))
}

/// The docs, the type of the default credentials, the associated items that make them, and
/// what `from_env` reads.
fn default_credentials(
    provider: &Provider,
    api: &OpenAPI,
    runtime: &str,
) -> Result<(String, String, String, String), String> {
    Ok(match provider.auth {
        Auth::None => (
            "/// The credentials of a request: none. This API documents no API key for these\n\
             /// operations.\n"
                .to_owned(),
            format!("{runtime}::NoAuth"),
            format!(
                "/// No credentials.\n\
                 pub fn new() -> Self {{\n\
                 Self::from_default({runtime}::NoAuth)\n\
                 }}\n\n\
                 fn default_from_env() -> ::std::result::Result<{runtime}::NoAuth, CredentialError> {{\n\
                 Ok({runtime}::NoAuth)\n\
                 }}\n"
            ),
            "nothing".to_owned(),
        ),
        Auth::HeaderToken { scheme, env } => {
            let scheme = header_scheme(api, scheme)?;
            let (header, prefix) = (&scheme.header, &scheme.prefix);
            (
                format!(
                    "/// The credentials of a request: the API key, sent as `{header}: {prefix}<API key>`.\n\
                     ///\n{}",
                    doc_lines(&scheme.description)
                ),
                format!("{runtime}::HeaderToken"),
                format!(
                    "/// The header that carries the API key.\n\
                     pub const HEADER: &'static str = {header:?};\n\
                     /// What comes before the API key in [`HEADER`](Self::HEADER).\n\
                     pub const PREFIX: &'static str = {prefix:?};\n\
                     /// The environment variable [`from_env`](Self::from_env) reads for the API key.\n\
                     pub const API_KEY_ENV: &'static str = {env:?};\n\n\
                     /// From the API key; refused if it is empty, has spaces around it, already\n\
                     /// starts with the prefix, or is not valid in a header.\n\
                     pub fn new(api_key: impl Into<String>) -> ::std::result::Result<Self, CredentialError> {{\n\
                     {runtime}::HeaderToken::new(Self::HEADER, Self::PREFIX, \"the API key\", api_key)\n\
                     .map(Self::from_default)\n\
                     }}\n\n\
                     fn default_from_env() -> ::std::result::Result<{runtime}::HeaderToken, CredentialError> {{\n\
                     let api_key = {runtime}::auth::env_var(Self::API_KEY_ENV)?;\n\
                     {runtime}::HeaderToken::new(Self::HEADER, Self::PREFIX, \"the API key\", api_key)\n\
                     }}\n"
                ),
                format!("the API key from `{env}`"),
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
            let (key_header, signature_header) = (&key.header, &signature.header);
            (
                format!(
                    "/// The credentials of a request: the API key in `{key_header}`, and in\n\
                     /// `{signature_header}` the lowercase hex HMAC-SHA512 of the exact body\n\
                     /// bytes, keyed with the secret key.\n"
                ),
                format!("{runtime}::HmacBodySignature"),
                format!(
                    "/// The header that carries the API key.\n\
                     pub const KEY_HEADER: &'static str = {key_header:?};\n\
                     /// The header that carries the signature.\n\
                     pub const SIGNATURE_HEADER: &'static str = {signature_header:?};\n\
                     /// The environment variable [`from_env`](Self::from_env) reads for the API key.\n\
                     pub const API_KEY_ENV: &'static str = {key_env:?};\n\
                     /// The environment variable [`from_env`](Self::from_env) reads for the secret key.\n\
                     pub const SECRET_ENV: &'static str = {secret_env:?};\n\n\
                     /// From the API key and the secret key; refused if either is empty, or the\n\
                     /// API key has spaces around it or is not valid in a header.\n\
                     pub fn new(\n\
                     api_key: impl Into<String>,\n\
                     secret_key: impl Into<String>,\n\
                     ) -> ::std::result::Result<Self, CredentialError> {{\n\
                     {runtime}::HmacBodySignature::new(Self::KEY_HEADER, Self::SIGNATURE_HEADER, api_key, secret_key)\n\
                     .map(Self::from_default)\n\
                     }}\n\n\
                     fn default_from_env() -> ::std::result::Result<{runtime}::HmacBodySignature, CredentialError> {{\n\
                     let api_key = {runtime}::auth::env_var(Self::API_KEY_ENV)?;\n\
                     let secret_key = {runtime}::auth::env_var(Self::SECRET_ENV)?;\n\
                     {runtime}::HmacBodySignature::new(Self::KEY_HEADER, Self::SIGNATURE_HEADER, api_key, secret_key)\n\
                     }}\n\n\
                     /// The signature of `body`, as sent in [`SIGNATURE_HEADER`](Self::SIGNATURE_HEADER).\n\
                     pub fn sign(&self, body: &[u8]) -> String {{\n\
                     self.default.sign(body)\n\
                     }}\n"
                ),
                format!("the API key from `{key_env}` and the secret key from `{secret_env}`"),
            )
        }
    })
}

/// The field, `authenticate` arm, setter and `from_env` step of one further credential.
fn extra_credential(
    extra: &ExtraCredential,
    api: &OpenAPI,
    runtime: &str,
) -> Result<(String, String, String, String), String> {
    let ExtraCredential { scheme, name, env } = *extra;
    syn::parse_str::<syn::Ident>(name)
        .map_err(|_| format!("extra_credentials: {name:?} is not a field name"))?;
    let spec = header_scheme(api, scheme)?;
    let (header, prefix) = (&spec.header, &spec.prefix);
    let what = name.replace('_', " ");
    let shouty = name.to_ascii_uppercase();
    let field = format!("{name}: ::std::option::Option<{runtime}::HeaderToken>,\n");
    let arm = format!(
        "{runtime}::Scheme::Named({scheme:?}) => match &self.{name} {{\n\
         Some(key) => key.authenticate(request, {runtime}::Scheme::Default),\n\
         None => Err(CredentialError::new(\n\
         \"this operation takes the {what}, which was not given \
         (`Credentials::with_{name}`, or `{env}` for `from_env`); no other key is ever sent \
         in its place\",\n\
         )),\n\
         }},\n"
    );
    let method = format!(
        "\n/// The environment variable [`from_env`](Self::from_env) reads for the {what}, if set.\n\
         pub const {shouty}_ENV: &'static str = {env:?};\n\n\
         /// Adds the {what}, sent as `{header}: {prefix}<{what}>` by the operations that take it\n\
         /// (and only by them).\n\
         ///\n\
         {docs}\
         pub fn with_{name}(mut self, {name}: impl Into<String>) -> ::std::result::Result<Self, CredentialError> {{\n\
         self.{name} = Some({runtime}::HeaderToken::new({header:?}, {prefix:?}, \"the {what}\", {name})?);\n\
         Ok(self)\n\
         }}\n",
        docs = doc_lines(&spec.description),
    );
    let env_read = format!(
        "if let Some(value) = ::std::env::var(Self::{shouty}_ENV).ok().filter(|v| !v.is_empty()) {{\n\
         credentials = credentials.with_{name}(value)?;\n\
         }}\n"
    );
    Ok((field, arm, method, env_read))
}
