//! A provider's httpmock crate, `generated/<name>-httpmock`: progenitor's httpmock generator on
//! the same prepared spec and settings as the client, so that a test says
//! `server.create_invoice(|when, then| ...)` with the client's own types.

use std::time::Instant;

use progenitor_impl::Generator;

use crate::cargo_toml;
use crate::codegen::{header, read_hand_written, GeneratedCrate};
use crate::format;
use crate::package::{self, Kind};
use crate::prepare::Prepared;
use crate::providers::Provider;
use crate::readme;
use crate::settings::generation_settings;
use crate::spec::Spec;
use crate::workspace::RootManifest;
use crate::Error;

/// Two fixes to progenitor's mocks, on its tokens. It matches a path parameter by putting its
/// text into a regular expression as is:
/// `wallet_id("a.b")` would match `a-b` too, and `"a(b"` would panic. The client sends the
/// value percent-encoded (the runtime's `encode_path`), so the mock matches exactly that.
fn exact_mocks(
    tokens: proc_macro2::TokenStream,
    runtime: Option<&str>,
) -> proc_macro2::TokenStream {
    let text = tokens.to_string();
    let encoded = match runtime {
        Some(runtime) => format!("{runtime} :: progenitor :: encode_path (& value . to_string ())"),
        None => "value . to_string ()".to_owned(),
    };
    let text = text.replace(
        "\" , value . to_string ())",
        &format!("\" , regex :: escape (& {encoded}))"),
    );
    // httpmock's `json_body_obj` goes through `serde_json::Value`, whose numbers are `f64`:
    // `100.00` would be answered as `100.0`, and an expected amount would match another one
    // beyond 17 digits. The exact JSON text is what the client sends and reads: with the
    // runtime, the provider's form (amounts as JSON numbers, the runtime's `wire`).
    let writer = match runtime {
        Some(runtime) => format!("{runtime} :: wire :: to_string"),
        None => ":: serde_json :: to_string".to_owned(),
    };
    let text = text.replace(
        "json_body_obj (value)",
        &format!("body ({writer} (value) . expect (\"a typed body serializes to JSON\"))"),
    );
    text.parse().expect("the same tokens, with calls replaced")
}

/// The mock crate's name for a client crate.
pub fn crate_name(provider: &Provider) -> String {
    package::crate_name(provider, Kind::Mocks)
}

/// Generates `generated/<name>-httpmock/{Cargo.toml,src/lib.rs}` for one row.
pub fn generate_mock_crate(
    root: &std::path::Path,
    manifest: &RootManifest,
    provider: &Provider,
    spec: &Spec,
    prepared: &Prepared,
) -> Result<GeneratedCrate, Error> {
    let start = Instant::now();
    let name = crate_name(provider);
    let generate_error = |message: String| Error::Generate {
        spec: spec.path.clone(),
        message: format!("httpmock crate: {message}"),
    };
    let settings = generation_settings(provider, prepared)?;
    let mut generator = Generator::new(&settings);
    let sdk = provider.name.replace('-', "_");
    let tokens = generator
        .httpmock(&prepared.api, &sdk)
        .map_err(|e| generate_error(e.to_string()))?;
    let mut file = format::parse(exact_mocks(tokens, provider.runtime))?;
    let generate = start.elapsed();

    let lib_rs = {
        format::prepend(
            &mut file,
            &format!(
            "//! Typed [httpmock](https://docs.rs/httpmock) mocks of the `{sdk}` client's \
             operations, for testing\n\
             //! code that calls the provider without reaching it.\n\
             //!\n\
             //! [`MockServerExt`] adds one method per operation to `httpmock::MockServer`; each \
             takes\n\
             //! the operation's `When` (what the request must match, with the client's types) \
             and\n\
             //! `Then` (the answer: a documented success or error body, with its status).\n\
             //!\n\
             //! ```no_run\n\
             //! use {crate}::MockServerExt;\n\
             //!\n\
             //! let server = httpmock::MockServer::start();\n\
             //! // Point the client at `server.base_url()`, e.g. with `{sdk}::Client::with_credentials`.\n\
             //! let _ = server.base_url();\n\
             //! ```\n\n\
             pub use {sdk}::types;\n\n",
            crate = name.replace('-', "_"),
            ),
        )?;
        format::render(&header("//", &spec.path, &spec.sha256), file)
    };
    let description = format!(
        "httpmock mocks of the {} client's operations, for tests",
        provider.name
    );
    let cargo_toml = format!(
        "{}\n[package]\nname = \"{name}\"\n{}\n\
         [dependencies]\n\
         {}\
         httpmock = {{ workspace = true }}\n\
         regex = {{ workspace = true }}\n\
         serde_json = {{ workspace = true }}\n{}",
        header("#", &spec.path, &spec.sha256),
        package::package_keys(provider, Kind::Mocks, &description),
        package::path_dependency(
            provider.name,
            &format!("../{}", provider.name),
            manifest.version()?,
            &[]
        ),
        cargo_toml::row_dependency_lines(provider),
    );
    cargo_toml::require_workspace_deps(
        manifest,
        "mock",
        &name,
        &["httpmock", "regex", "serde_json"],
    )?;
    let example = match provider.mocks_guide {
        Some(path) => Some(read_hand_written(root, path)?),
        None => None,
    };
    let readme = readme::mocks(provider, spec, example.as_deref(), manifest.version()?);
    Ok(GeneratedCrate::with_files(
        &name,
        spec,
        vec![
            ("Cargo.toml", cargo_toml),
            ("README.md", readme),
            ("src/lib.rs", lib_rs),
        ],
        0,
        start.elapsed(),
        generate,
    ))
}
