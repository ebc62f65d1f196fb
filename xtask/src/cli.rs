//! A provider's command-line client, `generated/<name>-cli`: progenitor's clap CLI generator
//! on the same prepared spec and settings as the client (one subcommand per operation, the
//! spec's descriptions as help), wired to the provider-neutral runtime of `crates/invoice-cli`
//! (JSON output, exit codes, `--base-url`, `listen`/`trigger`), and a binary named after the
//! provider.

use std::time::Instant;

use progenitor_impl::Generator;

use crate::cargo_toml;
use crate::codegen::{header, GeneratedCrate};
use crate::format;
use crate::package::{self, Kind};
use crate::prepare::Prepared;
use crate::providers::{Auth, Provider};
use crate::readme;
use crate::settings::generation_settings;
use crate::spec::Spec;
use crate::workspace::RootManifest;
use crate::Error;

/// The path of the runtime crate, relative to a generated crate's directory.
const RUNTIME_PATH: &str = "../../crates/invoice-cli";
/// The path of the webhook crate, relative to a generated crate's directory.
const WEBHOOKS_PATH: &str = "../../crates/invoice-webhooks";

/// The CLI crate's name for a client crate.
pub fn crate_name(provider: &Provider) -> String {
    package::crate_name(provider, Kind::Cli)
}

/// Fixes to progenitor's CLI, on its tokens (each must apply exactly once per body, or the
/// generator changed and this must be looked at again):
///
/// - `--json-body` is read through the runtime, so that `-` reads standard input;
/// - the `--json-body-template` flag, which progenitor declares (help "XXX") but never reads,
///   is left out.
fn fix_cli(
    tokens: proc_macro2::TokenStream,
    bodies: usize,
) -> Result<proc_macro2::TokenStream, String> {
    let mut text = tokens.to_string();
    let replacements = [
        (
            "std :: fs :: read_to_string (value)",
            ":: invoice_cli :: read_json_body (value)".to_owned(),
        ),
        (
            ". arg (:: clap :: Arg :: new (\"json-body-template\") . long (\"json-body-template\") \
             . action (:: clap :: ArgAction :: SetTrue) . help (\"XXX\"))",
            String::new(),
        ),
    ];
    for (from, to) in replacements {
        let found = text.matches(from).count();
        if found != bodies {
            return Err(format!(
                "progenitor's CLI has {found} of `{from}`, expected {bodies} (one per request body)"
            ));
        }
        text = text.replace(from, &to);
    }
    text.parse()
        .map_err(|e| format!("the CLI tokens no longer parse: {e}"))
}

/// `//!` lines of `text` (paragraphs separated by blank lines), wrapped at 100 columns.
fn doc_comment(text: &str) -> String {
    let mut out = String::new();
    for (i, paragraph) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str("//!\n");
        }
        let mut line = String::from("//!");
        for word in paragraph.split_whitespace() {
            if line.len() + 1 + word.len() > 100 && line != "//!" {
                out.push_str(&line);
                out.push('\n');
                line = String::from("//!");
            }
            line.push(' ');
            line.push_str(word);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Operations with a JSON request body.
fn body_count(spec: &Spec) -> usize {
    spec.api
        .paths
        .iter()
        .filter_map(|(_, item)| item.as_item())
        .flat_map(|item| item.iter())
        .filter(|(_, op)| op.request_body.is_some())
        .count()
}

/// The environment variables the client's `from_env` reads for credentials.
fn credential_envs(provider: &Provider) -> Vec<&'static str> {
    let mut envs = match provider.auth {
        Auth::None => vec![],
        Auth::HeaderToken { env, .. } => vec![env],
        Auth::HmacBody {
            key_env,
            secret_env,
            ..
        } => vec![key_env, secret_env],
    };
    envs.extend(provider.extra_credentials.iter().map(|c| c.env));
    envs
}

/// Generates `generated/<name>-cli/{Cargo.toml,src/lib.rs,src/main.rs}` for one row.
pub fn generate_cli_crate(
    manifest: &RootManifest,
    provider: &Provider,
    spec: &Spec,
    prepared: &Prepared,
) -> Result<GeneratedCrate, Error> {
    let start = Instant::now();
    let name = crate_name(provider);
    let generate_error = |message: String| Error::Generate {
        spec: spec.path.clone(),
        message: format!("CLI crate: {message}"),
    };
    if provider.runtime.is_none() {
        return Err(Error::Provider {
            name: provider.name.to_owned(),
            message: "`cli` needs `runtime` (the CLI runs on crates/invoice-cli)".to_owned(),
        });
    }
    let settings = generation_settings(provider, prepared)?;
    let mut generator = Generator::new(&settings);
    let sdk = provider.name.replace('-', "_");
    let tokens = generator
        .cli(&prepared.api, &sdk)
        .map_err(|e| generate_error(e.to_string()))?;
    let tokens = fix_cli(tokens, body_count(spec)).map_err(generate_error)?;
    let mut file = format::parse(tokens)?;
    let generate = start.elapsed();

    let bin = provider.name;
    let envs = credential_envs(provider);
    let env_list = if envs.is_empty() {
        "none".to_owned()
    } else {
        envs.iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let webhooks = match provider.webhooks {
        Some(path) => {
            syn::parse_str::<syn::Expr>(path).map_err(|_| Error::Provider {
                name: provider.name.to_owned(),
                message: format!("webhooks: {path:?} is not a Rust path"),
            })?;
            format!("Some(&{path})")
        }
        None => "None".to_owned(),
    };
    let lib_rs = {
        let mut text = String::new();
        let intro = format!(
            "`{bin}`: a command-line client of the {title} API, one subcommand per operation of the \
             [`{sdk}`] crate (`{bin} --help` lists them, `{bin} <operation> --help` gives the \
             spec's description of each argument).\n\n\
             Credentials come from the environment variables `{sdk}::Client::from_env` reads \
             ({env_list}); the base URL from `--base-url` or `{base_url_env}` (else \
             `{sdk}::BASE_URL`). A request body is given field by field as flags, or whole with \
             `--json-body FILE` (`-` reads standard input). Answers are printed to standard \
             output as JSON (pretty; `--compact` for one line), money with every digit; \
             credentials are never printed.",
            title = spec.api.info.title.trim(),
            base_url_env = provider.base_url_env,
        );
        text.push_str(&doc_comment(&intro));
        text.push_str(&format!(
            "//!\n\
             //! ```text\n\
             //! cargo install --path generated/{name}\n\
             //! {bin} --help\n\
             //! ```\n\
             //!\n\
             #![doc = ::invoice_cli::exit_codes_doc!()]\n\
             //!\n"
        ));
        text.push_str(&doc_comment(
            "This crate is generated; the runtime it shares with the other providers' \
             command-line clients (output, exit codes, `listen` and `trigger`) is the \
             `invoice_cli` crate.",
        ));
        text.push('\n');
        text.push_str("#![allow(clippy::all, unused_mut, unused_variables)]\n\n");
        format::prepend(&mut file, &text)?;
        let glue = format::parse_str(&format!(
            r#"
/// The shared runtime's output prints what each operation returns.
impl CliConfig for ::invoice_cli::Output {{
    fn success_item<T>(&self, value: &ResponseValue<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {{
        self.success(value.status(), &**value)
    }}

    fn success_no_item(&self, value: &ResponseValue<()>) {{
        self.success_empty(value.status())
    }}

    fn error<T>(&self, value: &Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {{
        self.api_error(value)
    }}

    fn list_start<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {{
    }}

    fn list_item<T>(&self, value: &T)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {{
        self.item(value)
    }}

    fn list_end_success<T>(&self)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {{
    }}

    fn list_end_error<T>(&self, value: &Error<T>)
    where
        T: schemars::JsonSchema + serde::Serialize + std::fmt::Debug,
    {{
        self.api_error(value)
    }}
}}

/// This provider, for the shared runtime.
#[derive(Debug, Clone, Copy)]
pub struct Provider;

impl ::invoice_cli::Provider for Provider {{
    const NAME: &'static str = {bin:?};
    const ABOUT: &'static str = {about:?};
    const BASE_URL_ENV: &'static str = {sdk}::Client::BASE_URL_ENV;
    const BASE_URL: &'static str = {sdk}::BASE_URL;
    const CREDENTIAL_ENVS: &'static [&'static str] = &[{envs}];

    fn operations() -> ::std::vec::Vec<(&'static str, ::clap::Command)> {{
        CliCommand::iter()
            .map(|command| (command.operation_id(), Cli::<::invoice_cli::Output>::get_command(command)))
            .collect()
    }}

    async fn execute(
        base_url: ::std::option::Option<&str>,
        output: ::invoice_cli::Output,
        operation: &str,
        matches: &::clap::ArgMatches,
    ) -> ::anyhow::Result<()> {{
        let client = match base_url {{
            Some(url) => Client::with_credentials(url, Credentials::from_env()?)?,
            None => Client::from_env()?,
        }};
        let command = CliCommand::iter()
            .find(|command| command.operation_id() == operation)
            .ok_or_else(|| ::anyhow::anyhow!("no operation {{operation}}"))?;
        Cli::new(client, output).execute(command, matches).await
    }}

    fn webhooks() -> ::std::option::Option<&'static dyn ::invoice_cli::Tooling> {{
        {webhooks}
    }}
}}

/// Runs the command line `args` (the program name first) and returns the exit code.
pub fn run<I, A>(args: I) -> ::std::process::ExitCode
where
    I: IntoIterator<Item = A>,
    A: Into<::std::ffi::OsString> + Clone,
{{
    ::invoice_cli::run::<Provider, _, _>(args)
}}
"#,
            about = format!(
                "Command-line client of the {} API",
                spec.api.info.title.trim()
            ),
            envs = envs
                .iter()
                .map(|e| format!("{e:?}"))
                .collect::<Vec<_>>()
                .join(", "),
        ))?;
        file.items.extend(glue.items);
        format::render(&header("//", &spec.path, &spec.sha256), file)
    };
    let main_rs = format::render(
        &header("//", &spec.path, &spec.sha256),
        format::parse_str(&format!(
            "//! `{bin}`: see the [`{lib}`] crate.\n\n\
             fn main() -> std::process::ExitCode {{\n\
             {lib}::run(std::env::args_os())\n\
             }}\n",
            lib = name.replace('-', "_"),
        ))?,
    );
    cargo_toml::require_workspace_deps(
        manifest,
        "CLI",
        &name,
        &["anyhow", "clap", "schemars", "serde", "serde_json"],
    )?;
    let version = manifest.version()?;
    let webhooks_dep = match provider.webhooks {
        Some(_) => {
            package::path_dependency("invoice-webhooks", WEBHOOKS_PATH, version, &["signing"])
        }
        None => String::new(),
    };
    let description = format!(
        "Command-line client of the {} API: one subcommand per operation, JSON output, \
         webhook listen and trigger",
        provider.name
    );
    let cargo_toml = format!(
        "{}\n[package]\nname = \"{name}\"\n{}\n\
         [[bin]]\nname = \"{bin}\"\npath = \"src/main.rs\"\n\
         # Documented by the library; the binary's docs would overwrite the client crate's,\n\
         # whose name it shares.\n\
         doc = false\n\n\
         [dependencies]\n\
         {}\
         {}\
         {webhooks_dep}\
         anyhow = {{ workspace = true }}\n\
         clap = {{ workspace = true }}\n\
         schemars = {{ workspace = true }}\n\
         serde = {{ workspace = true }}\n\
         serde_json = {{ workspace = true }}\n{}",
        header("#", &spec.path, &spec.sha256),
        package::package_keys(provider, Kind::Cli, &description),
        package::path_dependency(
            provider.name,
            &format!("../{}", provider.name),
            version,
            &["schemars"]
        ),
        package::path_dependency("invoice-cli", RUNTIME_PATH, version, &[]),
        cargo_toml::row_dependency_lines(provider),
    );
    Ok(GeneratedCrate::with_files(
        &name,
        spec,
        vec![
            ("Cargo.toml", cargo_toml),
            ("README.md", readme::cli(provider, spec, bin, version)),
            ("src/lib.rs", lib_rs),
            ("src/main.rs", main_rs),
        ],
        0,
        start.elapsed(),
        generate,
    ))
}
