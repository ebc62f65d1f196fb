//! A providers-table row → progenitor `GenerationSettings`.

use proc_macro2::TokenStream;
use progenitor_impl::{GenerationSettings, HooksMode, InterfaceStyle, TypeImpl};
use schemars::schema::{InstanceType, SchemaObject, SingleOrVec};

use crate::prepare::Prepared;
use crate::providers::Provider;
use crate::Error;

/// Validates the row's Rust snippets and typify names up front, so a typo
/// is reported against the row instead of as a compile error in generated/.
pub fn generation_settings(
    provider: &Provider,
    prepared: &Prepared,
) -> Result<GenerationSettings, Error> {
    let error = |message: String| Error::Provider {
        name: provider.name.to_owned(),
        message,
    };
    // The name is a directory under generated/ and a package name.
    let valid_name = !provider.name.is_empty()
        && provider
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !valid_name {
        return Err(error(
            "name must be a non-empty crate name of [a-z0-9_-]".to_owned(),
        ));
    }
    let mut settings = GenerationSettings::new();
    settings.with_interface(InterfaceStyle::Builder);
    if let Some(runtime) = provider.runtime {
        rust::<syn::Path>("runtime", runtime).map_err(error)?;
        if syn::parse_str::<syn::Ident>(provider.base_url_env).is_err() {
            return Err(error(format!(
                "base_url_env {:?} is not an environment variable name",
                provider.base_url_env
            )));
        }
        if let Some(path_segment) = provider.path_segment {
            rust::<syn::Type>("path_segment", path_segment).map_err(error)?;
        }
        // The runtime's `Config<Credentials>` is the client's inner value, and the generated
        // `ClientHooks::exec` (runtime_items.rs) hands it every request.
        let inner = format!("{runtime}::Config<crate::Credentials>");
        settings.with_inner_type(rust::<syn::Type>("runtime", &inner).map_err(error)?);
        settings.with_hooks(HooksMode::Expected);
    }
    for c in provider.conversions {
        rust::<syn::Type>("conversions.rust_type", c.rust_type).map_err(error)?;
        let instance_type = match c.schema_type {
            "string" => InstanceType::String,
            "number" => InstanceType::Number,
            "integer" => InstanceType::Integer,
            other => {
                return Err(error(format!(
                    "conversion schema_type {other:?} is not one of \"string\", \"number\", \"integer\""
                )));
            }
        };
        // Exactly the schema progenitor derives from `{type: .., format: ..}`;
        // typify matches conversions by whole-schema equality (docs aside).
        let schema = SchemaObject {
            instance_type: Some(SingleOrVec::Single(Box::new(instance_type))),
            format: Some(c.format.to_owned()),
            ..SchemaObject::default()
        };
        let impls = type_impls(c.impls).map_err(error)?;
        settings.with_conversion(schema, c.rust_type, impls.into_iter());
    }
    for (schema, rust_type, impls) in &prepared.replacements {
        let impls = type_impls(impls).map_err(error)?;
        settings.with_replacement(schema, rust_type, impls.into_iter());
    }
    for (schema, rust_type, impls) in &prepared.conversions {
        let impls = type_impls(impls).map_err(error)?;
        settings.with_conversion(schema.clone(), rust_type, impls.into_iter());
    }
    if let Some(secs) = provider.timeout_secs {
        settings.with_timeout(secs);
    }
    Ok(settings)
}

/// Parses `text` as a `T` (to reject typos early) and returns its tokens.
fn rust<T: syn::parse::Parse>(field: &str, text: &str) -> Result<TokenStream, String> {
    match text.parse::<TokenStream>() {
        Ok(tokens) if syn::parse2::<T>(tokens.clone()).is_ok() => Ok(tokens),
        _ => Err(format!("{field}: {text:?} is not valid Rust")),
    }
}

fn type_impls(names: &[&str]) -> Result<Vec<TypeImpl>, String> {
    names
        .iter()
        .map(|name| match *name {
            "Display" => Ok(TypeImpl::Display),
            "FromStr" => Ok(TypeImpl::FromStr),
            "Default" => Ok(TypeImpl::Default),
            "FromStringIrrefutable" => Ok(TypeImpl::FromStringIrrefutable),
            other => Err(format!(
                "unknown impl {other:?}: use \"Display\", \"FromStr\", \"Default\" or \"FromStringIrrefutable\""
            )),
        })
        .collect()
}
