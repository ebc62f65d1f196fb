//! Spec → what progenitor is given: the row's type policies applied to a copy of the spec.
//!
//! The spec stays a faithful transcription of the provider's docs; the Rust-side choices a
//! row makes (open enums, error bodies that keep their raw text, bounded integers and lists)
//! become replacements and conversions here, so no spec carries generator workarounds:
//!
//! - a string path parameter may not be empty, `.` or `..`: URL parsing would resolve such a
//!   segment and send the request to another endpoint (`uuid("..")` → `/api/v1/wallets/`);
//! - documentation extensions (`x-doc-note`, ...) are dropped, because typify compares whole
//!   schemas, extensions included, when it looks for a conversion;
//! - every named string enum becomes an open enum (`open_enum_macro`): replaced by a type the
//!   macro defines inside `types`, with an `Unknown(String)` variant;
//! - every error response body `X` becomes `ErrorBody<X>` (`error_body`);
//! - every integer with `minimum`/`maximum` becomes `BoundedInt<MIN, MAX>` (`bounded_int`),
//!   and every list of strings or named types with `minItems`/`maxItems` becomes
//!   `BoundedVec<T, MIN, MAX>` (`bounded_vec`).

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Response,
    Schema, SchemaKind, StatusCode, Type,
};
use schemars::schema::{
    ArrayValidation, InstanceType, NumberValidation, SchemaObject, SingleOrVec,
};

use crate::providers::Provider;

/// What the row's policies add to progenitor's settings and output.
#[derive(Default)]
pub struct Prepared {
    /// The spec progenitor generates from.
    pub api: OpenAPI,
    /// `(schema name, Rust type)` replacements, with the impls the type offers.
    pub replacements: Vec<(String, String, &'static [&'static str])>,
    /// `(schema, Rust type)` conversions.
    pub conversions: Vec<(SchemaObject, String)>,
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

    guard_path_parameters(&mut api);
    if let Some(macro_path) = provider.open_enum_macro {
        open_enums(&mut api, macro_path, &mut prepared)?;
    }
    if let Some(wrapper) = provider.error_body {
        error_bodies(&mut api, wrapper, &mut prepared)?;
    }
    if provider.bounded_int.is_some() || provider.bounded_vec.is_some() {
        // Limits are the provider's rules for what it accepts. A schema that responses use too
        // keeps plain types: a value outside a request limit echoed in a response (an invoice's
        // `attempts_callback`, say) must not make the invoice unreadable. Such a schema's limits
        // are checked by the row's pre-send rules instead.
        let in_responses = response_schemas(&api);
        let requests = bounded_shapes(provider, &api, &|name| !in_responses.contains(name), true);
        // typify converts by shape wherever it occurs, so a shape that a response schema has
        // too cannot be converted for requests alone.
        let responses = bounded_shapes(provider, &api, &|name| in_responses.contains(name), false);
        prepared.conversions.extend(
            requests
                .into_iter()
                .filter(|(key, _)| !responses.contains_key(key))
                .map(|(_, conversion)| conversion),
        );
    }
    prepared.api = api;
    Ok(prepared)
}

/// Matches any segment but ``, `.` and `..` (regress, which typify uses, has no lookahead).
const PATH_SEGMENT: &str = r"^([^.].*|\.[^.].*|\.\..+)$";

/// Gives each unconstrained string path parameter the [`PATH_SEGMENT`] pattern, so the
/// generated type refuses a value that would change the path.
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
                    if string.pattern.is_none() && string.enumeration.is_empty() {
                        string.pattern = Some(PATH_SEGMENT.to_owned());
                    }
                }
            }
        }
    }
}

/// Keeps only the extensions typify reads.
fn strip_doc_extensions(schema: &mut Schema) {
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

fn string_enum(schema: &Schema) -> Option<Vec<&str>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
            Some(s.enumeration.iter().flatten().map(String::as_str).collect())
        }
        _ => None,
    }
}

fn is_error_status(status: &StatusCode) -> bool {
    match status {
        StatusCode::Code(code) => *code >= 400,
        StatusCode::Range(range) => *range >= 4,
    }
}

fn error_bodies(api: &mut OpenAPI, wrapper: &str, prepared: &mut Prepared) -> Result<(), String> {
    syn::parse_str::<syn::Path>(wrapper).map_err(|_| format!("error_body: {wrapper:?}"))?;
    // Component responses used for errors; one also used for a success would be ambiguous.
    let (mut for_errors, mut for_success) = (BTreeSet::new(), BTreeSet::new());
    for (_, item) in api.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (_, op) in item.iter() {
            for (status, response) in &op.responses.responses {
                if let ReferenceOr::Reference { reference } = response {
                    let name = reference
                        .trim_start_matches("#/components/responses/")
                        .to_owned();
                    match is_error_status(status) {
                        true => for_errors.insert(name),
                        false => for_success.insert(name),
                    };
                }
            }
        }
    }
    if let Some(both) = for_errors.intersection(&for_success).next() {
        return Err(format!(
            "response {both} is used for both success and error statuses"
        ));
    }
    let mut wrapped = BTreeSet::new();
    let mut wrap = |response: &mut Response| {
        for media in response.content.values_mut() {
            if let Some(ReferenceOr::Reference { reference }) = &mut media.schema {
                if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                    let name = name.to_owned();
                    *reference = format!("#/components/schemas/{name}Body");
                    wrapped.insert(name);
                }
            }
        }
    };
    for item in api.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for op in operations_mut(item) {
            for (status, response) in op.responses.responses.iter_mut() {
                if let (true, ReferenceOr::Item(response)) = (is_error_status(status), response) {
                    wrap(response);
                }
            }
        }
    }
    let components = api.components.get_or_insert_with(Default::default);
    for (name, response) in components.responses.iter_mut() {
        if let (true, ReferenceOr::Item(response)) = (for_errors.contains(name), response) {
            wrap(response);
        }
    }
    for name in wrapped {
        let body = format!("{name}Body");
        if components.schemas.contains_key(&body) {
            return Err(format!("error_body: schema {body} exists already"));
        }
        let any = Schema {
            schema_data: Default::default(),
            schema_kind: SchemaKind::Any(Default::default()),
        };
        components
            .schemas
            .insert(body.clone(), ReferenceOr::Item(any));
        prepared
            .replacements
            .push((body, format!("{wrapper}<crate::types::{name}>"), &[]));
    }
    Ok(())
}

/// The bounded conversions for the schemas in the named components that `keep` accepts and,
/// with `operations`, in request bodies and parameters; keyed by shape.
fn bounded_shapes(
    provider: &Provider,
    api: &OpenAPI,
    keep: &dyn Fn(&str) -> bool,
    operations: bool,
) -> BTreeMap<String, (SchemaObject, String)> {
    let mut api = api.clone();
    if let Some(components) = &mut api.components {
        components.schemas.retain(|name, _| keep(name));
        components.responses.clear();
        components.parameters.clear();
    }
    if !operations {
        api.paths.paths.clear();
    }
    for item in api.paths.paths.values_mut() {
        if let ReferenceOr::Item(item) = item {
            for op in operations_mut(item) {
                op.responses.responses.clear();
                op.responses.default = None;
            }
        }
    }
    let mut found = BTreeMap::new();
    for_each_schema(&mut api, &mut |schema| {
        if let Some((key, conversion)) = bounded(provider, schema) {
            found.insert(key, conversion);
        }
    });
    found
}

/// Named schemas a response can contain, directly or through other schemas.
fn response_schemas(api: &OpenAPI) -> BTreeSet<String> {
    let components = api.components.clone().unwrap_or_default();
    let mut todo: Vec<String> = Vec::new();
    let refs_in = |value: serde_json::Value, todo: &mut Vec<String>| collect_refs(&value, todo);
    for (_, item) in api.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (_, op) in item.iter() {
            let responses = serde_json::to_value(&op.responses).expect("serializable");
            refs_in(responses, &mut todo);
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if let Some(name) = name.strip_prefix("#/components/responses/") {
            if let Some(response) = components.responses.get(name) {
                refs_in(
                    serde_json::to_value(response).expect("serializable"),
                    &mut todo,
                );
            }
            continue;
        }
        let Some(name) = name.strip_prefix("#/components/schemas/") else {
            continue;
        };
        if seen.insert(name.to_owned()) {
            if let Some(schema) = components.schemas.get(name) {
                refs_in(
                    serde_json::to_value(schema).expect("serializable"),
                    &mut todo,
                );
            }
        }
    }
    seen
}

fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", serde_json::Value::String(reference)) => out.push(reference.clone()),
                    _ => collect_refs(value, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The conversion for a bounded integer or list, keyed so each is registered once.
fn bounded(provider: &Provider, schema: &Schema) -> Option<(String, (SchemaObject, String))> {
    // progenitor gives typify exactly this shape for these schemas (docs aside).
    match &schema.schema_kind {
        SchemaKind::Type(Type::Integer(int))
            if (int.minimum.is_some() || int.maximum.is_some())
                && int.enumeration.is_empty()
                && int.multiple_of.is_none()
                && !int.exclusive_minimum
                && !int.exclusive_maximum
                && !schema.schema_data.nullable =>
        {
            let wrapper = provider.bounded_int?;
            let format = match &int.format {
                openapiv3::VariantOrUnknownOrEmpty::Item(f) => {
                    Some(serde_json::to_value(f).ok()?.as_str()?.to_owned())
                }
                openapiv3::VariantOrUnknownOrEmpty::Unknown(f) => Some(f.clone()),
                openapiv3::VariantOrUnknownOrEmpty::Empty => None,
            };
            let (min, max) = (
                int.minimum.unwrap_or(i64::MIN),
                int.maximum.unwrap_or(i64::MAX),
            );
            let object = SchemaObject {
                instance_type: Some(SingleOrVec::Single(Box::new(InstanceType::Integer))),
                format: format.clone(),
                number: Some(Box::new(NumberValidation {
                    minimum: int.minimum.map(|v| v as f64),
                    maximum: int.maximum.map(|v| v as f64),
                    ..Default::default()
                })),
                ..Default::default()
            };
            let key = format!("int {format:?} {min} {max}");
            Some((
                key,
                (object, format!("{wrapper}<{}, {}>", bound(min), bound(max))),
            ))
        }
        SchemaKind::Type(Type::Array(array))
            if (array.min_items.is_some() || array.max_items.is_some())
                && !array.unique_items
                && !schema.schema_data.nullable =>
        {
            let wrapper = provider.bounded_vec?;
            let (item_type, item_schema) = match array.items.as_ref()? {
                ReferenceOr::Reference { reference } => {
                    let name = reference.strip_prefix("#/components/schemas/")?;
                    let schema = schemars::schema::Schema::Object(SchemaObject {
                        reference: Some(reference.clone()),
                        ..Default::default()
                    });
                    (format!("crate::types::{name}"), schema)
                }
                ReferenceOr::Item(item) => match &item.schema_kind {
                    SchemaKind::Type(Type::String(s))
                        if s.enumeration.is_empty()
                            && s.pattern.is_none()
                            && s.min_length.is_none()
                            && s.max_length.is_none()
                            && matches!(s.format, openapiv3::VariantOrUnknownOrEmpty::Empty)
                            && !item.schema_data.nullable
                            && item.schema_data.description.is_none() =>
                    {
                        let schema = schemars::schema::Schema::Object(SchemaObject {
                            instance_type: Some(SingleOrVec::Single(Box::new(
                                InstanceType::String,
                            ))),
                            ..Default::default()
                        });
                        ("::std::string::String".to_owned(), schema)
                    }
                    _ => return None,
                },
            };
            let (min, max) = (
                array.min_items.unwrap_or(0),
                array.max_items.unwrap_or(usize::MAX),
            );
            let object = SchemaObject {
                instance_type: Some(SingleOrVec::Single(Box::new(InstanceType::Array))),
                array: Some(Box::new(ArrayValidation {
                    items: Some(SingleOrVec::Single(Box::new(item_schema))),
                    min_items: array.min_items.map(|v| v as u32),
                    max_items: array.max_items.map(|v| v as u32),
                    ..Default::default()
                })),
                ..Default::default()
            };
            let max_text = if max == usize::MAX {
                "{usize::MAX}".to_owned()
            } else {
                max.to_string()
            };
            let key = format!("vec {item_type} {min} {max}");
            Some((
                key,
                (object, format!("{wrapper}<{item_type}, {min}, {max_text}>")),
            ))
        }
        _ => None,
    }
}

/// An `i64` bound as a Rust const-generic argument.
fn bound(value: i64) -> String {
    match value {
        i64::MIN => "{i64::MIN}".to_owned(),
        i64::MAX => "{i64::MAX}".to_owned(),
        v if v < 0 => format!("{{{v}}}"),
        v => v.to_string(),
    }
}

/// Calls `f` on every schema in the spec that progenitor reads, nested ones included.
fn for_each_schema(api: &mut OpenAPI, f: &mut dyn FnMut(&mut Schema)) {
    if let Some(components) = &mut api.components {
        for schema in components.schemas.values_mut() {
            if let ReferenceOr::Item(schema) = schema {
                walk(schema, f);
            }
        }
        for response in components.responses.values_mut() {
            if let ReferenceOr::Item(response) = response {
                walk_response(response, f);
            }
        }
        for parameter in components.parameters.values_mut() {
            if let ReferenceOr::Item(parameter) = parameter {
                walk_parameter(parameter, f);
            }
        }
    }
    for item in api.paths.paths.values_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for parameter in item.parameters.iter_mut() {
            if let ReferenceOr::Item(parameter) = parameter {
                walk_parameter(parameter, f);
            }
        }
        for op in operations_mut(item) {
            for parameter in op.parameters.iter_mut() {
                if let ReferenceOr::Item(parameter) = parameter {
                    walk_parameter(parameter, f);
                }
            }
            if let Some(ReferenceOr::Item(body)) = &mut op.request_body {
                for media in body.content.values_mut() {
                    if let Some(ReferenceOr::Item(schema)) = &mut media.schema {
                        walk(schema, f);
                    }
                }
            }
            for response in op.responses.responses.values_mut() {
                if let ReferenceOr::Item(response) = response {
                    walk_response(response, f);
                }
            }
        }
    }
}

fn walk_response(response: &mut Response, f: &mut dyn FnMut(&mut Schema)) {
    for media in response.content.values_mut() {
        if let Some(ReferenceOr::Item(schema)) = &mut media.schema {
            walk(schema, f);
        }
    }
}

fn walk_parameter(parameter: &mut Parameter, f: &mut dyn FnMut(&mut Schema)) {
    let data = match parameter {
        Parameter::Query { parameter_data, .. }
        | Parameter::Header { parameter_data, .. }
        | Parameter::Path { parameter_data, .. }
        | Parameter::Cookie { parameter_data, .. } => parameter_data,
    };
    if let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = &mut data.format {
        walk(schema, f);
    }
}

fn walk(schema: &mut Schema, f: &mut dyn FnMut(&mut Schema)) {
    f(schema);
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => {
            for property in object.properties.values_mut() {
                walk_boxed(property, f);
            }
            if let Some(AdditionalProperties::Schema(extra)) = &mut object.additional_properties {
                walk_ref(extra, f);
            }
        }
        SchemaKind::Type(Type::Array(array)) => {
            if let Some(items) = &mut array.items {
                walk_boxed(items, f);
            }
        }
        SchemaKind::OneOf { one_of: list }
        | SchemaKind::AllOf { all_of: list }
        | SchemaKind::AnyOf { any_of: list } => list.iter_mut().for_each(|s| walk_ref(s, f)),
        SchemaKind::Not { not } => walk_ref(not, f),
        SchemaKind::Any(any) => {
            for property in any.properties.values_mut() {
                walk_boxed(property, f);
            }
            if let Some(items) = &mut any.items {
                walk_boxed(items, f);
            }
            for list in [&mut any.one_of, &mut any.all_of, &mut any.any_of] {
                list.iter_mut().for_each(|s| walk_ref(s, f));
            }
        }
        SchemaKind::Type(_) => {}
    }
}

fn walk_ref(schema: &mut ReferenceOr<Schema>, f: &mut dyn FnMut(&mut Schema)) {
    if let ReferenceOr::Item(schema) = schema {
        walk(schema, f);
    }
}

fn walk_boxed(schema: &mut ReferenceOr<Box<Schema>>, f: &mut dyn FnMut(&mut Schema)) {
    if let ReferenceOr::Item(schema) = schema {
        walk(schema, f);
    }
}

/// Calls `f` on every schema nested inside `schema` (not on `schema` itself).
fn visit_children(schema: &Schema, f: &mut dyn FnMut(&Schema)) {
    let mut copy = schema.clone();
    let mut first = true;
    walk(&mut copy, &mut |s| {
        if !std::mem::take(&mut first) {
            f(s)
        }
    });
}

fn operations_mut(
    item: &mut openapiv3::PathItem,
) -> impl Iterator<Item = &mut openapiv3::Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}
