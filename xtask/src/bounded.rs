//! Bounded integers and lists: every integer with `minimum`/`maximum` becomes
//! `BoundedInt<MIN, MAX>` and every list of strings or named types with `minItems`/`maxItems`
//! becomes `BoundedVec<T, MIN, MAX>`, so a value out of range is refused before sending.
//!
//! Limits are the provider's rules for what it accepts. A schema that responses use too keeps
//! plain types: a value outside a request limit echoed in a response (an invoice's
//! `attempts_callback`, say) must not make the invoice unreadable. Such a schema's limits are
//! checked by the generated `validate` instead (rules.rs).

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
use schemars::schema::{
    ArrayValidation, InstanceType, NumberValidation, SchemaObject, SingleOrVec,
};

use crate::providers::Provider;
use crate::walk::{for_each_schema, operations_mut};

/// The conversions for the row's bounded types: request schemas only, and only shapes no
/// response schema has (typify converts by shape wherever it occurs).
pub fn conversions(provider: &Provider, api: &OpenAPI) -> Vec<(SchemaObject, String)> {
    let in_responses = response_schemas(api);
    let requests = bounded_shapes(provider, api, &|name| !in_responses.contains(name), true);
    let responses = bounded_shapes(provider, api, &|name| in_responses.contains(name), false);
    requests
        .into_iter()
        .filter(|(key, _)| !responses.contains_key(key))
        .map(|(_, conversion)| conversion)
        .collect()
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
pub fn response_schemas(api: &OpenAPI) -> BTreeSet<String> {
    reachable_schemas(api, &|op| {
        serde_json::to_value(&op.responses).expect("serializable")
    })
}

/// Named schemas a request body or parameter can contain, directly or through other schemas.
pub fn request_schemas(api: &OpenAPI) -> BTreeSet<String> {
    reachable_schemas(api, &|op| {
        serde_json::json!([
            serde_json::to_value(&op.request_body).expect("serializable"),
            serde_json::to_value(&op.parameters).expect("serializable"),
        ])
    })
}

/// Named schemas reachable from the part of each operation that `part` gives.
fn reachable_schemas(
    api: &OpenAPI,
    part: &dyn Fn(&openapiv3::Operation) -> serde_json::Value,
) -> BTreeSet<String> {
    let components = api.components.clone().unwrap_or_default();
    let mut todo: Vec<String> = Vec::new();
    let refs_in = |value: serde_json::Value, todo: &mut Vec<String>| collect_refs(&value, todo);
    for (_, item) in api.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        for (_, op) in item.iter() {
            refs_in(part(op), &mut todo);
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
