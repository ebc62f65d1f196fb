//! Generating one client crate, in memory: spec + row → file contents.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use progenitor_impl::Generator;

use crate::api_version;
use crate::byte_stream;
use crate::cargo_toml::{self, CodeDeps};
use crate::checked_constructors;
use crate::diagnose;
use crate::format;
use crate::front_page;
use crate::lifecycle;
use crate::prepare::{self, Prepared};
use crate::providers::Provider;
use crate::readme;
use crate::rules;
use crate::runtime_items;
use crate::setters;
use crate::settings::generation_settings;
use crate::spec::Spec;
use crate::sync::GENERATED_DIR;
use crate::trace;
use crate::wire_body;
use crate::workspace::RootManifest;
use crate::Error;

/// The command named in headers and in "out of date" errors.
pub const REGEN_COMMAND: &str = "cargo xtask regen";

/// One generated crate: its files and what went into them.
#[derive(Debug, Clone)]
pub struct GeneratedCrate {
    pub name: String,
    /// The spec path, relative to the workspace root.
    pub spec: String,
    /// Files relative to the workspace root (`/`-separated), sorted.
    pub files: Vec<GeneratedFile>,
    /// Operations (path × method) in the spec.
    pub operations: usize,
    /// Named Rust types generated for the spec's schemas and inline types.
    pub types: usize,
    /// Wall time spent generating and formatting (spec loading excluded).
    pub elapsed: Duration,
    /// Wall time of each phase (`cargo xtask bench` reports them).
    pub phases: Phases,
}

/// Wall time of each phase of one crate's generation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phases {
    /// Reading and parsing the spec (YAML → OpenAPI). Set by [`regen`](crate::regen); zero
    /// when [`generate_crate`] is called directly, since it gets a parsed spec.
    pub parse: Duration,
    /// Preparing the spec, progenitor's `generate_tokens`, and tokens → syntax tree.
    pub generate: Duration,
    /// Parsing xtask's own templates (crate docs, runtime items, rules), printing everything with
    /// prettyplease, and the manifest.
    pub format: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

impl GeneratedCrate {
    /// A crate of `files` (paths relative to `generated/<name>/`, in that order).
    pub(crate) fn with_files(
        name: &str,
        spec: &Spec,
        files: Vec<(&str, String)>,
        types: usize,
        elapsed: Duration,
        generate: Duration,
    ) -> Self {
        let dir = format!("{GENERATED_DIR}/{name}");
        Self {
            name: name.to_owned(),
            spec: spec.path.clone(),
            files: files
                .into_iter()
                .map(|(path, contents)| GeneratedFile {
                    path: format!("{dir}/{path}"),
                    contents,
                })
                .collect(),
            operations: spec.operation_count(),
            types,
            elapsed,
            phases: Phases {
                parse: Duration::ZERO,
                generate,
                format: elapsed - generate,
            },
        }
    }

    /// Lines across all of the crate's files.
    pub fn lines(&self) -> usize {
        self.files.iter().map(|f| f.contents.lines().count()).sum()
    }
}

/// Generates `generated/<name>/{Cargo.toml,README.md,src/lib.rs}` for one row.
/// `root` is where the row's hand-written files (guide, inline module) are read from.
pub fn generate_crate(
    root: &Path,
    manifest: &RootManifest,
    provider: &Provider,
    spec: &Spec,
) -> Result<GeneratedCrate, Error> {
    let start = Instant::now();
    let prepared = prepare(provider, spec)?;
    generate_client(root, manifest, provider, spec, &prepared, start.elapsed())
}

/// The row's spec as progenitor is given it (prepare.rs), made once for the row's client,
/// mocks and command-line client.
pub(crate) fn prepare(provider: &Provider, spec: &Spec) -> Result<Prepared, Error> {
    prepare::prepare(provider, &spec.api).map_err(|message| Error::Generate {
        spec: spec.path.clone(),
        message,
    })
}

/// [`generate_crate`] from the prepared spec; preparing it took `prepare` (counted in the
/// crate's time).
pub(crate) fn generate_client(
    root: &Path,
    manifest: &RootManifest,
    provider: &Provider,
    spec: &Spec,
    prepared: &Prepared,
    prepare: Duration,
) -> Result<GeneratedCrate, Error> {
    let start = Instant::now();
    let generate_error = |message: String| Error::Generate {
        spec: spec.path.clone(),
        message,
    };
    let settings = generation_settings(provider, prepared)?;
    let mut generator = Generator::new(&settings);
    // progenitor asserts on some spec shapes instead of returning an error
    // (e.g. one operation's error responses must share one schema); turn the
    // panic into an error that names the spec.
    let tokens = panic::catch_unwind(AssertUnwindSafe(|| {
        generator.generate_tokens(&prepared.api)
    }))
    .map_err(|payload| {
        let message = panic_message(&*payload);
        match diagnose::hint(&message, &spec.api) {
            Some(hint) => generate_error(format!("panicked: {message}\nhint: {hint}")),
            None => generate_error(format!("panicked: {message}")),
        }
    })?
    .map_err(|e| generate_error(e.to_string()))?;
    if generator.uses_futures() || generator.uses_websockets() {
        // Dropshot's x-dropshot-pagination / x-dropshot-websocket extensions
        // pull in crates this workspace does not provide.
        return Err(generate_error(
            "x-dropshot-* extensions (pagination streams, websockets) are not supported".into(),
        ));
    }
    let type_space = generator.get_type_space();
    let code_deps = CodeDeps {
        chrono: type_space.uses_chrono(),
        uuid: type_space.uses_uuid(),
        regress: type_space.uses_regress(),
    };
    let mut file = format::parse(tokens)?;
    let structs = setters::rewrite(&mut file, &spec.api).map_err(generate_error)?;
    if provider.cli {
        derive_json_schema(&mut file);
    }
    if provider.runtime.is_some() {
        default_user_agent(&mut file)?;
        if let Some(runtime) = provider.runtime {
            checked_constructors::rewrite(&mut file, runtime).map_err(generate_error)?;
        }
        api_version::remove(&mut file).map_err(generate_error)?;
        byte_stream::remove(&mut file).map_err(generate_error)?;
        if let Some(runtime) = provider.runtime {
            wire_body::rewrite(&mut file, runtime).map_err(generate_error)?;
            trace::instrument(&mut file, &spec.api, runtime).map_err(generate_error)?;
        }
        // progenitor names `progenitor_client::QueryParam` inside `builder`; there, the crate's
        // own `progenitor_client` module (runtime_items.rs) must be in scope.
        extend_module(
            &mut file,
            "builder",
            "#[allow(unused_imports)] use super::progenitor_client;",
        )?;
    }
    let validations = match provider.runtime {
        Some(runtime) => {
            rules::generate(&mut file, &spec.api, &structs, runtime).map_err(generate_error)?
        }
        None => String::new(),
    };
    if !prepared.enums.is_empty() {
        extend_module(&mut file, "types", "pub use crate::enums::*;")?;
    }
    // The macro-declared enums are defined outside `types` (and re-exported by it).
    let types = count_types(&file) + prepared.enum_count;
    let generate = prepare + start.elapsed();

    let guide = match provider.guide {
        Some(path) => Some(read_hand_written(root, path)?),
        None => None,
    };
    let readme = readme::client(provider, spec, guide.as_deref(), manifest.version()?);
    let lib_rs = {
        // The crate docs open the file, before progenitor's code; the runtime items and rules follow
        // it. All of it is printed at once.
        format::prepend(
            &mut file,
            &front_page::crate_docs(provider, spec, guide.as_deref()),
        )?;
        let mut tail = String::new();
        // Everything runtime_items reads comes from the row (and the schemes it names).
        tail.push_str(
            &runtime_items::items(provider, &spec.api).map_err(|message| Error::Provider {
                name: provider.name.to_owned(),
                message,
            })?,
        );
        tail.push_str(&validations);
        if let Some(runtime) = provider.runtime {
            tail.push_str(&trace::tracer(provider.name, runtime));
        }
        tail.push_str(&lifecycle::generate(provider, &spec.api).map_err(generate_error)?);
        file.items.extend(format::parse_str(&tail)?.items);
        let mut text = format::render(&header("//", &spec.path, &spec.sha256), file);
        // As written by prepare.rs: a printer lays out a macro's body as one run of tokens.
        if !prepared.enums.is_empty() {
            text.push('\n');
            text.push_str(&prepared.enums);
        }
        if let Some(path) = provider.inline {
            let inline = format::parse_str(&read_hand_written(root, path)?)?;
            text.push_str(&format!("\n// Inlined from {path}.\n\n"));
            text.push_str(&format::unparse(&inline));
        }
        text
    };
    let cargo_toml = cargo_toml::render(
        &header("#", &spec.path, &spec.sha256),
        provider,
        code_deps,
        manifest,
    )?;

    Ok(GeneratedCrate::with_files(
        provider.name,
        spec,
        vec![
            ("Cargo.toml", cargo_toml),
            ("README.md", readme),
            ("src/lib.rs", lib_rs),
        ],
        types,
        prepare + start.elapsed(),
        generate,
    ))
}

/// The @generated header, with `comment` as the line-comment marker.
pub fn header(comment: &str, spec_path: &str, sha256: &str) -> String {
    format!(
        "{comment} @generated by `{REGEN_COMMAND}` from {spec_path}\n\
         {comment} spec sha256: {sha256}\n\
         {comment} Do not edit by hand: change the spec or xtask/src/providers.rs and rerun `{REGEN_COMMAND}`.\n"
    )
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_owned()
    }
}

/// Named types in progenitor's `types` module (structs, enums, aliases),
/// not counting its nested helper modules (builders, defaults, errors).
fn count_types(file: &syn::File) -> usize {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .map_or(0, |(_, items)| {
            items
                .iter()
                .filter(|item| {
                    matches!(
                        item,
                        syn::Item::Struct(_) | syn::Item::Enum(_) | syn::Item::Type(_)
                    )
                })
                .count()
        })
}

/// `Client::new` builds its HTTP client with the crate's `USER_AGENT` (runtime_items.rs); a
/// `reqwest::Client` given to `new_with_client` keeps its own (or none).
fn default_user_agent(file: &mut syn::File) -> Result<(), Error> {
    let error = |message: &str| Error::Format {
        message: format!("progenitor's `Client::new` {message}"),
    };
    for item in file.items.iter_mut() {
        let syn::Item::Impl(imp) = item else { continue };
        let is_client = imp.trait_.is_none()
            && matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if !is_client {
            continue;
        }
        for member in imp.items.iter_mut() {
            let syn::ImplItem::Fn(method) = member else {
                continue;
            };
            if method.sig.ident != "new" {
                continue;
            }
            let block = &method.block;
            let text = quote::quote!(#block).to_string();
            let builder = "reqwest :: ClientBuilder :: new ()";
            if !text.contains(builder) {
                return Err(error("no longer builds a `reqwest::ClientBuilder`"));
            }
            let text = text.replace(builder, &format!("{builder} . user_agent (USER_AGENT)"));
            method.block = syn::parse_str(&text).map_err(|e| error(&e.to_string()))?;
            let doc = " Requests carry `User-Agent: <crate>/<version>` ([`USER_AGENT`]).";
            method.attrs.push(format::doc_attribute(""));
            method.attrs.push(format::doc_attribute(doc));
            return Ok(());
        }
    }
    Err(error("was not found"))
}

/// `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]` on every type of
/// progenitor's `types` module that serde reads or writes, for rows with a command-line client:
/// the generated crate's `schemars` feature (cargo_toml.rs) turns it on for that client, and
/// the plain client's build never compiles schemars. The macro-declared enums get theirs from
/// the runtime's macros (`open_enum!`, `text_or_integer!`).
fn derive_json_schema(file: &mut syn::File) {
    let Some((_, items)) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    }) else {
        return;
    };
    let serde = |attrs: &[syn::Attribute]| {
        attrs.iter().any(|attr| {
            attr.path().is_ident("derive") && {
                let text = quote::quote!(#attr).to_string();
                text.contains("Serialize") || text.contains("Deserialize")
            }
        })
    };
    let attr: syn::Attribute =
        syn::parse_quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]);
    for item in items.iter_mut() {
        match item {
            syn::Item::Struct(s) if serde(&s.attrs) => s.attrs.push(attr.clone()),
            syn::Item::Enum(e) if serde(&e.attrs) => e.attrs.push(attr.clone()),
            _ => {}
        }
    }
}

/// Appends an item to one of progenitor's top-level modules.
fn extend_module(file: &mut syn::File, module: &str, item: &str) -> Result<(), Error> {
    let Some((_, content)) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == module => m.content.as_mut(),
        _ => None,
    }) else {
        return Err(Error::Format {
            message: format!("progenitor output has no `{module}` module"),
        });
    };
    let item = syn::parse_str::<syn::Item>(item).map_err(|e| Error::Format {
        message: format!("generated item does not parse: {e}"),
    })?;
    content.push(item);
    Ok(())
}

/// A hand-written file the row names (a guide or an inline module), relative to `root`.
pub(crate) fn read_hand_written(root: &Path, path: &str) -> Result<String, Error> {
    std::fs::read_to_string(root.join(path)).map_err(|e| Error::Generate {
        spec: path.to_owned(),
        message: format!("cannot read {path}: {e}"),
    })
}
