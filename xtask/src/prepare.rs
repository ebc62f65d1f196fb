//! Spec → what progenitor is given: the row's type policies applied to a copy of the spec.
//!
//! The spec stays a faithful transcription of the provider's docs; the Rust-side choices a
//! row makes become replacements and conversions here, so no spec carries generator
//! workarounds:
//!
//! - documentation and rule extensions (`x-doc-note`, `x-url`, `x-lifecycle`, ...) are dropped,
//!   because typify compares whole schemas, extensions included, when it looks for a
//!   conversion;
//! - every unconstrained string path parameter becomes the row's `path_segment` type, which
//!   refuses a value that URL parsing would resolve into another endpoint (`uuid("..")`);
//! - every named string enum becomes an open enum (`open_enum_macro`): replaced by a type the
//!   macro defines inside `types`, with an `Unknown(String)` variant;
//! - every named "string or int64" union becomes the enum `text_or_integer_macro` defines,
//!   which reads the value once instead of through serde's `untagged` trial and error;
//! - integers and lists with limits become bounded types (bounded.rs);
//! - decimal amounts lose `minimum`/`exclusiveMinimum`, which typify would answer with an
//!   `f64`; the generated `validate` checks them (rules.rs).

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
    /// The enums the row's macros define (open enums, text-or-integer unions), as source text
    /// of a module the generated crate appends (its `types` re-exports them); empty when the
    /// row has none.
    pub enums: String,
    /// How many enums `enums` defines.
    pub enum_count: usize,
}

pub fn prepare(provider: &Provider, api: &OpenAPI) -> Result<Prepared, String> {
    let mut api = api.clone();
    let mut prepared = Prepared::default();
    for_each_schema(&mut api, &mut |schema| {
        strip_doc_extensions(schema);
        strip_decimal_bounds(schema);
    });
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
    // Written as text, not tokens: a macro body printed from tokens is one long line.
    let mut enums = String::new();
    let mut kinds = Vec::new();
    if let Some(macro_path) = provider.open_enum_macro {
        open_enums(&mut api, macro_path, &mut prepared, &mut enums)?;
        if prepared.enum_count > 0 {
            kinds.push("string enums that keep values this version does not know (`Unknown`)");
        }
    }
    if let Some(macro_path) = provider.text_or_integer_macro {
        let before = prepared.enum_count;
        text_or_integer(&api, macro_path, &mut prepared, &mut enums)?;
        if prepared.enum_count > before {
            kinds.push("values sent either as a string or as an integer");
        }
    }
    if !enums.is_empty() {
        let list: String = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let end = if i + 1 == kinds.len() { '.' } else { ';' };
                format!("/// - {k}{end}\n")
            })
            .collect();
        prepared.enums = format!(
            "/// The enums of [`types`] declared by the runtime's macros (and re-exported by\n\
             /// [`types`]):\n{list}pub mod enums {{\n{enums}}}\n"
        );
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

/// Drops `minimum` and `exclusiveMinimum` from decimal amounts: typify would give a bounded
/// number an `f64` instead of the row's decimal type; the generated `validate` checks the
/// bound instead (rules.rs).
fn strip_decimal_bounds(schema: &mut Schema) {
    if let SchemaKind::Type(Type::Number(number)) = &mut schema.schema_kind {
        let decimal =
            matches!(&number.format, VariantOrUnknownOrEmpty::Unknown(f) if f == "decimal");
        if decimal {
            number.minimum = None;
            number.exclusive_minimum = false;
        }
    }
}

fn open_enums(
    api: &mut OpenAPI,
    macro_path: &str,
    prepared: &mut Prepared,
    text: &mut String,
) -> Result<(), String> {
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
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let Some(values) = string_enum(schema) else {
            continue;
        };
        syn::parse_str::<syn::Ident>(name).map_err(|_| format!("enum name {name:?}"))?;
        text.push_str(&format!("    {macro_path}! {{\n"));
        push_doc(text, name, schema);
        text.push_str(&format!("        pub enum {name} {{\n"));
        let mut seen = BTreeSet::new();
        for value in values {
            let variant = variant_name(value);
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
        prepared.enum_count += 1;
        prepared.replacements.push((
            name.clone(),
            format!("crate::types::{name}"),
            &["Display", "FromStr"],
        ));
    }
    Ok(())
}

/// The variant an open enum declares for `value`: upper camel case, after a `V` when it would
/// not start with a letter (`100` → `V100`).
pub fn variant_name(value: &str) -> String {
    let mut variant = value.to_upper_camel_case();
    if !variant.starts_with(|c: char| c.is_ascii_alphabetic()) {
        variant.insert(0, 'V');
    }
    variant
}

/// The schema's description (or its name) as the doc comment of a macro-declared enum.
fn push_doc(text: &mut String, name: &str, schema: &Schema) {
    let doc = schema
        .schema_data
        .description
        .as_deref()
        .unwrap_or(name)
        .trim();
    for line in doc.lines() {
        text.push_str(&format!(
            "        ///{}{line}\n",
            if line.is_empty() { "" } else { " " }
        ));
    }
}

/// Named schemas that are exactly "a string or an int64" become `macro_path!` enums. typify
/// would make each a serde `untagged` enum, which buffers the value and, whenever it is not the
/// first variant, builds a formatted error before trying the next: about 2 000 instructions
/// per value, on every response that carries one.
fn text_or_integer(
    api: &OpenAPI,
    macro_path: &str,
    prepared: &mut Prepared,
    text: &mut String,
) -> Result<(), String> {
    syn::parse_str::<syn::Path>(macro_path)
        .map_err(|_| format!("text_or_integer_macro: {macro_path:?}"))?;
    let Some(components) = &api.components else {
        return Ok(());
    };
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        if !is_text_or_integer(schema) {
            continue;
        }
        syn::parse_str::<syn::Ident>(name).map_err(|_| format!("enum name {name:?}"))?;
        text.push_str(&format!("    {macro_path}! {{\n"));
        push_doc(text, name, schema);
        text.push_str(&format!("        pub enum {name};\n    }}\n"));
        prepared.enum_count += 1;
        prepared
            .replacements
            .push((name.clone(), format!("crate::types::{name}"), &["Display"]));
    }
    Ok(())
}

/// `oneOf: [{type: string}, {type: integer, format: int64}]`, in either order, with no limits,
/// formats or other constraints on either side and nothing but docs on the union itself.
pub fn is_text_or_integer(schema: &Schema) -> bool {
    // Nothing but a description and extensions (docs, or a dropped `x-doc-note`).
    fn only_docs(schema: &Schema) -> bool {
        let rest = openapiv3::SchemaData {
            description: None,
            extensions: Default::default(),
            ..schema.schema_data.clone()
        };
        rest == openapiv3::SchemaData::default()
    }
    fn plain(schema: &ReferenceOr<Schema>) -> Option<&Type> {
        match schema {
            ReferenceOr::Item(schema) if only_docs(schema) => match &schema.schema_kind {
                SchemaKind::Type(kind) => Some(kind),
                _ => None,
            },
            _ => None,
        }
    }
    let SchemaKind::OneOf { one_of } = &schema.schema_kind else {
        return false;
    };
    // A type the spec names for itself is typify's to use.
    if schema.schema_data.extensions.contains_key("x-rust-type") || !only_docs(schema) {
        return false;
    }
    let int64 = openapiv3::IntegerType {
        format: VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int64),
        ..Default::default()
    };
    let kinds: Vec<Option<&Type>> = one_of.iter().map(plain).collect();
    match kinds.as_slice() {
        [Some(a), Some(b)] => {
            let is_text =
                |t: &Type| matches!(t, Type::String(s) if *s == openapiv3::StringType::default());
            let is_int64 = |t: &Type| matches!(t, Type::Integer(i) if *i == int64);
            (is_text(a) && is_int64(b)) || (is_int64(a) && is_text(b))
        }
        _ => false,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(value: serde_json::Value) -> Schema {
        serde_json::from_value(value).expect("a schema")
    }

    #[test]
    fn only_a_plain_string_or_int64_union_is_text_or_integer() {
        let string = serde_json::json!({"type": "string"});
        let int64 = serde_json::json!({"type": "integer", "format": "int64"});
        for yes in [
            serde_json::json!({"oneOf": [string, int64]}),
            serde_json::json!({"oneOf": [int64, string], "description": "Either."}),
            serde_json::json!({"oneOf": [{"type": "string", "description": "As text."}, int64]}),
        ] {
            assert!(is_text_or_integer(&schema(yes.clone())), "{yes}");
        }
        for no in [
            serde_json::json!({"anyOf": [string, int64]}),
            serde_json::json!({"oneOf": [string, int64], "nullable": true}),
            serde_json::json!({"oneOf": [string, {"type": "integer"}]}),
            serde_json::json!({"oneOf": [string, {"type": "integer", "format": "int32"}]}),
            serde_json::json!({"oneOf": [{"type": "string", "maxLength": 3}, int64]}),
            serde_json::json!({"oneOf": [{"type": "string", "format": "decimal"}, int64]}),
            serde_json::json!({"oneOf": [{"type": "integer", "format": "int64", "minimum": 0}, string]}),
            serde_json::json!({"oneOf": [{"type": "string", "nullable": true}, int64]}),
            serde_json::json!({"oneOf": [string, int64, {"type": "boolean"}]}),
            serde_json::json!({"oneOf": [string, string]}),
            serde_json::json!({"oneOf": [{"$ref": "#/components/schemas/A"}, int64]}),
        ] {
            assert!(!is_text_or_integer(&schema(no.clone())), "{no}");
        }
    }

    #[test]
    fn lifecycle_and_doc_extensions_never_reach_progenitor() {
        let api: OpenAPI = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {"Status": {
                "anyOf": [{"type": "string", "enum": ["paid"]}, {"type": "string"}],
                "x-lifecycle": {"paid": {"state": "paid", "doc": "Paid.", "source": "a.txt"}},
                "x-doc-note": "A note.",
                "x-rust-type": {"crate": "c", "path": "c::Status", "version": "1"},
            }}},
        }))
        .expect("a spec");
        let prepared = prepare(&Provider::DEFAULT, &api).expect("prepared");
        let components = prepared.api.components.expect("components");
        let ReferenceOr::Item(status) = &components.schemas["Status"] else {
            panic!("an inline schema");
        };
        let kept: Vec<&String> = status.schema_data.extensions.keys().collect();
        assert_eq!(kept, ["x-rust-type"]);
    }
}
