//! Properties the docs show as `null` are sent as `null`, not left out.
//!
//! The generated types leave out a `None` when serializing (typify's `skip_serializing_if` on
//! optional fields), while the providers send such a property as `null` (a create answer's
//! `"invoice_id": null`, a callback's `"tag": null`). The specs mark a property `nullable`
//! where an example shows it `null` (their header's convention), so each answer and callback
//! is written with every absent nullable property of its schema added as `null`. The spec is
//! the one list, read at run time: no second list to keep in step, no change to the generated
//! types (whose decoding of an absent property stays lenient). The JSON is walked as raw
//! text, so every amount keeps its digits. Each provider's imitation says which of its types
//! are which schema of which spec ([`Documented`]).

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::Value;

/// An answer or callback of a provider, named by its spec's schema.
pub(crate) trait Documented {
    /// Its schema under `#/components/schemas/`.
    const SCHEMA: &'static str;
    /// The provider's spec, as JSON.
    fn spec() -> &'static Value;
}

/// `json`, an answer of type `T` in the provider's form, with every absent nullable property
/// written as `null`. Bytes that are not the JSON `T` writes are returned as they are.
pub(crate) fn fill<T: Documented>(json: Vec<u8>) -> Vec<u8> {
    let spec = T::spec();
    let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{}", T::SCHEMA) });
    let filled = serde_json::from_slice::<&RawValue>(&json)
        .ok()
        .and_then(|raw| fill_raw(spec, &schema, raw));
    match filled {
        Some(raw) => raw.get().as_bytes().to_vec(),
        None => json,
    }
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .map_or(schema, |target| resolve(spec, target)),
        None => schema,
    }
}

fn is_nullable(spec: &Value, schema: &Value) -> bool {
    let nullable = |s: &Value| s.get("nullable") == Some(&Value::Bool(true));
    nullable(schema) || nullable(resolve(spec, schema))
}

fn list<'a>(schema: &'a Value, key: &str) -> &'a [Value] {
    schema
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The properties `schema` gives an object with keys `present`: its own, its `allOf` parts',
/// and those of the one `anyOf`/`oneOf` branch whose required properties are all present.
fn properties<'a>(
    spec: &'a Value,
    schema: &'a Value,
    present: &BTreeMap<String, Box<RawValue>>,
    out: &mut Vec<(&'a String, &'a Value)>,
) {
    let schema = resolve(spec, schema);
    if let Some(own) = schema.get("properties").and_then(Value::as_object) {
        out.extend(own.iter());
    }
    for part in list(schema, "allOf") {
        properties(spec, part, present, out);
    }
    let branches: Vec<&Value> = list(schema, "anyOf")
        .iter()
        .chain(list(schema, "oneOf"))
        .map(|b| resolve(spec, b))
        .filter(|b| b.get("properties").is_some())
        .filter(|b| {
            list(b, "required")
                .iter()
                .filter_map(Value::as_str)
                .all(|name| present.contains_key(name))
        })
        .collect();
    if let [branch] = branches.as_slice() {
        properties(spec, branch, present, out);
    }
}

/// `raw` with the nulls added, or `None` if nothing changed.
fn fill_raw(spec: &Value, schema: &Value, raw: &RawValue) -> Option<Box<RawValue>> {
    let text = raw.get().trim_start();
    if text.starts_with('{') {
        let mut object: BTreeMap<String, Box<RawValue>> = serde_json::from_str(text).ok()?;
        let mut found = Vec::new();
        properties(spec, schema, &object, &mut found);
        let mut changed = false;
        for (name, property) in found {
            match object.get(name) {
                Some(value) => {
                    if let Some(filled) = fill_raw(spec, property, value) {
                        object.insert(name.clone(), filled);
                        changed = true;
                    }
                }
                None if is_nullable(spec, property) => {
                    object.insert(name.clone(), null());
                    changed = true;
                }
                None => {}
            }
        }
        return changed.then(|| to_raw(&object)).flatten();
    }
    if text.starts_with('[') {
        let items = resolve(spec, schema).get("items")?;
        let mut values: Vec<Box<RawValue>> = serde_json::from_str(text).ok()?;
        let mut changed = false;
        for value in &mut values {
            if let Some(filled) = fill_raw(spec, items, value) {
                *value = filled;
                changed = true;
            }
        }
        return changed.then(|| to_raw(&values)).flatten();
    }
    None
}

fn null() -> Box<RawValue> {
    RawValue::from_string("null".to_owned()).expect("null is JSON")
}

/// Raw values are written verbatim, so every amount keeps its text.
fn to_raw<T: serde::Serialize>(value: &T) -> Option<Box<RawValue>> {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| RawValue::from_string(text).ok())
}
