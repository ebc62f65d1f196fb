//! Spec → what progenitor is given: the row's type policies applied to a copy of the spec.
//!
//! The spec stays a faithful transcription of the provider's docs; the Rust-side choices a
//! row makes become replacements and conversions here, so no spec carries generator
//! workarounds:
//!
//! - documentation and rule extensions (`x-doc-note`, `x-url`, ...) are dropped, because typify
//!   compares whole schemas, extensions included, when it looks for a conversion;
//! - every unconstrained string path parameter becomes the row's `path_segment` type, which
//!   refuses a value that URL parsing would resolve into another endpoint (`uuid("..")`);
//! - every named string enum becomes an open enum (`open_enum_macro`): replaced by a type the
//!   macro defines inside `types`, with an `Unknown(String)` variant;
//! - integers and lists with limits become bounded types (bounded.rs).

use std::collections::BTreeSet;

use heck::ToUpperCamelCase;
use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, Type,
    VariantOrUnknownOrEmpty,
};
use schemars::schema::{InstanceType, SchemaObject, SingleOrVec};

use crate::bounded;
use crate::front_page::without_sources;
use crate::providers::Provider;
use crate::walk::{for_each_schema, operations_mut, visit_children};

/// What the row's policies add to progenitor's settings and output.
#[derive(Default)]
pub struct Prepared {
    /// The spec progenitor generates from.
    pub api: OpenAPI,
    /// `(schema name, Rust type)` replacements, with the impls the type offers.
    pub replacements: Vec<(String, String, &'static [&'static str])>,
    /// `(schema, Rust type)` conversions, with the impls the type offers.
    pub conversions: Vec<(SchemaObject, String, &'static [&'static str])>,
    /// The open enums, as source text of a module the generated crate appends (its
    /// `types` re-exports them); empty when the row has none.
    pub open_enums: String,
    /// How many open enums `open_enums` defines.
    pub open_enum_count: usize,
}

pub fn prepare(provider: &Provider, api: &OpenAPI) -> Result<Prepared, String> {
    let mut api = api.clone();
    let mut prepared = Prepared::default();
    for_each_schema(&mut api, &mut |schema| strip_doc_extensions(schema));
    one_line_parameter_descriptions(&mut api);
    for item in api.paths.paths.values_mut() {
        if let ReferenceOr::Item(item) = item {
            for op in operations_mut(item) {
                op.description = op.description.as_deref().map(without_sources);
            }
        }
    }

    if let Some(path_segment) = provider.path_segment {
        guard_path_parameters(&mut api);
        let schema = SchemaObject {
            instance_type: Some(SingleOrVec::Single(Box::new(InstanceType::String))),
            format: Some(PATH_SEGMENT_FORMAT.to_owned()),
            ..SchemaObject::default()
        };
        prepared
            .conversions
            .push((schema, path_segment.to_owned(), &["Display"]));
    }
    if let Some(macro_path) = provider.open_enum_macro {
        open_enums(&mut api, macro_path, &mut prepared)?;
    }
    if provider.bounded_int.is_some() || provider.bounded_vec.is_some() {
        let found = bounded::conversions(provider, &api);
        prepared.conversions.extend(
            found
                .into_iter()
                .map(|(schema, rust)| (schema, rust, &[][..])),
        );
    }
    prepared.api = api;
    Ok(prepared)
}

/// The format given to guarded path parameters, converted to the row's `path_segment`.
const PATH_SEGMENT_FORMAT: &str = "x-path-segment";

/// progenitor lists each parameter's description as one item of a Markdown list in the
/// operation's docs, where a second line would be a lazy continuation (a rustdoc lint); the
/// setters keep the full text (setters.rs reads the spec itself).
fn one_line_parameter_descriptions(api: &mut OpenAPI) {
    for item in api.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for op in operations_mut(item) {
            for parameter in op.parameters.iter_mut() {
                if let ReferenceOr::Item(parameter) = parameter {
                    let data = match parameter {
                        Parameter::Query { parameter_data, .. }
                        | Parameter::Header { parameter_data, .. }
                        | Parameter::Path { parameter_data, .. }
                        | Parameter::Cookie { parameter_data, .. } => parameter_data,
                    };
                    if let Some(text) = &mut data.description {
                        *text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    }
                }
            }
        }
    }
}

/// Marks each unconstrained string path parameter with [`PATH_SEGMENT_FORMAT`].
fn guard_path_parameters(api: &mut OpenAPI) {
    for item in api.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let operation_parameters = operations_mut(item).flat_map(|op| op.parameters.iter_mut());
        for parameter in operation_parameters {
            let ReferenceOr::Item(Parameter::Path { parameter_data, .. }) = parameter else {
                continue;
            };
            if let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) =
                &mut parameter_data.format
            {
                if let SchemaKind::Type(Type::String(string)) = &mut schema.schema_kind {
                    let plain = string.pattern.is_none()
                        && string.enumeration.is_empty()
                        && matches!(string.format, VariantOrUnknownOrEmpty::Empty);
                    if plain {
                        string.format =
                            VariantOrUnknownOrEmpty::Unknown(PATH_SEGMENT_FORMAT.to_owned());
                    }
                }
            }
        }
    }
}

/// Keeps only the extensions typify reads, and the descriptions without their provenance.
fn strip_doc_extensions(schema: &mut Schema) {
    let description = &mut schema.schema_data.description;
    *description = description.as_deref().map(without_sources);
    schema
        .schema_data
        .extensions
        .retain(|key, _| key == "x-rust-type");
}

fn open_enums(api: &mut OpenAPI, macro_path: &str, prepared: &mut Prepared) -> Result<(), String> {
    syn::parse_str::<syn::Path>(macro_path)
        .map_err(|_| format!("open_enum_macro: {macro_path:?}"))?;
    // An inline enum would be generated closed: ask for a named schema instead.
    let mut inline = Vec::new();
    let components = api.components.clone().unwrap_or_default();
    for (name, schema) in &components.schemas {
        if let ReferenceOr::Item(schema) = schema {
            if string_enum(schema).is_some() {
                // The open form's listed values are the named enum itself.
                continue;
            }
            visit_children(schema, &mut |child| {
                if string_enum(child).is_some() {
                    inline.push(name.clone());
                }
            });
        }
    }
    if !inline.is_empty() {
        return Err(format!(
            "inline string enums in {inline:?}: make each a named schema under components/schemas \
             so it can be generated as an open enum"
        ));
    }
    // Written as text, not tokens: a macro body printed from tokens is one long line.
    let mut text = String::new();
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let Some(values) = string_enum(schema) else {
            continue;
        };
        syn::parse_str::<syn::Ident>(name).map_err(|_| format!("enum name {name:?}"))?;
        let doc = schema
            .schema_data
            .description
            .as_deref()
            .unwrap_or(name)
            .trim();
        text.push_str(&format!("    {macro_path}! {{\n"));
        for line in doc.lines() {
            text.push_str(&format!(
                "        ///{}{line}\n",
                if line.is_empty() { "" } else { " " }
            ));
        }
        text.push_str(&format!("        pub enum {name} {{\n"));
        let mut seen = BTreeSet::new();
        for value in values {
            let mut variant = value.to_upper_camel_case();
            if !variant.starts_with(|c: char| c.is_ascii_alphabetic()) {
                variant.insert(0, 'V');
            }
            if variant == "V" || variant == "Unknown" || !seen.insert(variant.clone()) {
                return Err(format!(
                    "{name}: value {value:?} has no distinct variant name"
                ));
            }
            let literal = serde_json::to_string(value).expect("a string serializes");
            text.push_str(&format!(
                "            /// `{value}`\n            {variant} = {literal},\n"
            ));
        }
        text.push_str("        }\n    }\n");
        prepared.open_enum_count += 1;
        prepared.replacements.push((
            name.clone(),
            format!("crate::types::{name}"),
            &["Display", "FromStr"],
        ));
    }
    if !text.is_empty() {
        prepared.open_enums = format!(
            "/// Enums that keep values this version does not know (`Unknown`), re-exported by\n\
             /// [`types`].\npub mod enums {{\n{text}}}\n"
        );
    }
    Ok(())
}

/// The values of a named string enum: `type: string` with `enum`, or the open form that tells
/// every consumer of the spec that other values come too,
/// `anyOf: [{type: string, enum: [...]}, {type: string}]`. Either way the generated enum is
/// open (`Unknown(String)`).
pub fn string_enum(schema: &Schema) -> Option<Vec<&str>> {
    fn listed(schema: &Schema) -> Option<Vec<&str>> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                Some(s.enumeration.iter().flatten().map(String::as_str).collect())
            }
            _ => None,
        }
    }
    match &schema.schema_kind {
        SchemaKind::AnyOf { any_of } => match any_of.as_slice() {
            [ReferenceOr::Item(values), ReferenceOr::Item(other)] => {
                let any_string = matches!(
                    &other.schema_kind,
                    SchemaKind::Type(Type::String(s)) if *s == openapiv3::StringType::default()
                );
                if any_string {
                    listed(values)
                } else {
                    None
                }
            }
            _ => None,
        },
        _ => listed(schema),
    }
}
