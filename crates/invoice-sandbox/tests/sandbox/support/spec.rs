//! A provider's spec (`specs/<provider>.yaml`) as the sandbox's answers are checked against
//! it: every documented example of an answer, and its schema.
//!
//! The schema is walked here rather than converted for a JSON-schema crate: OpenAPI 3.0's
//! `nullable`, the open enums (`anyOf` a listed value or any string) and the `x-` extensions
//! would need converting anyway, and the few keywords the specs use (`$ref`, `type`,
//! `properties`, `required`, `nullable`, `items`, `allOf`/`anyOf`/`oneOf`,
//! `additionalProperties`) take a page to check, with no crate to build.

use std::path::PathBuf;

use serde_json::Value;

/// How an answer is held to its schema's examples.
#[derive(Clone, Copy, Debug)]
pub enum Examples {
    /// Each example shows the one shape of the answer: every property of every example.
    Each,
    /// The examples are different answers (errors, or two envelopes the docs contradict each
    /// other on): every property of one of them.
    Alternatives,
}

pub struct Spec {
    name: &'static str,
    doc: Value,
}

impl Spec {
    /// `specs/<name>.yaml`.
    pub fn load(name: &'static str) -> Self {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("specs")
            .join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&path).expect("the spec is readable");
        let doc = serde_yaml_ng::from_str(&text).expect("the spec is YAML");
        Self { name, doc }
    }

    /// Every example of every media type (responses, request bodies, webhooks) whose schema
    /// is `#/components/schemas/<schema>`, but those the spec says it constructed
    /// (`x-example-source: constructed…`): they show what the spec assumes, not what the
    /// provider sends.
    pub fn examples(&self, schema: &str) -> Vec<Value> {
        let target = format!("#/components/schemas/{schema}");
        let mut out = Vec::new();
        collect_examples(&self.doc, &target, &mut out);
        out
    }

    /// What is wrong with `actual` as an answer of `schema`: a property of its documented
    /// examples that it lacks (of each example, or of one of them when they are
    /// [`Examples::Alternatives`]), or a value its schema does not allow. Empty if nothing.
    pub fn problems(&self, schema: &str, examples: Examples, actual: &Value) -> Vec<String> {
        let mut out = Vec::new();
        let root = json_ref(&format!("#/components/schemas/{schema}"));
        let mut lacks: Vec<Vec<String>> = self
            .examples(schema)
            .iter()
            .filter(|example| self.same_branch(&root, example, actual))
            .map(|example| {
                let mut lacking = Vec::new();
                missing(example, actual, schema, &mut lacking);
                lacking
            })
            .collect();
        match examples {
            Examples::Each => out.extend(lacks.into_iter().flatten()),
            Examples::Alternatives => {
                lacks.sort_by_key(Vec::len);
                out.extend(lacks.into_iter().next().unwrap_or_default());
            }
        }
        self.validate(&root, actual, schema, &mut out);
        out.into_iter()
            .map(|p| format!("{}: {p}", self.name))
            .collect()
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.trim_start_matches('#');
                let target = self
                    .doc
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("{}: no {reference}", self.name));
                self.resolve(target)
            }
            None => schema,
        }
    }

    /// Whether `example` shows the same one of the schema's shapes (`oneOf`/`anyOf` branches)
    /// as `actual`, so its properties are the answer's to have; true for a schema of one shape.
    fn same_branch(&self, schema: &Value, example: &Value, actual: &Value) -> bool {
        let schema = self.resolve(schema);
        let branches: Vec<&Value> = array(schema, "oneOf")
            .iter()
            .chain(array(schema, "anyOf"))
            .collect();
        if branches.is_empty() {
            return true;
        }
        let fitting =
            |value: &Value| -> Vec<bool> { branches.iter().map(|b| self.fits(b, value)).collect() };
        fitting(example)
            .iter()
            .zip(fitting(actual))
            .any(|(a, b)| *a && b)
    }

    /// Whether `value` fits `schema`, quietly (for `anyOf`/`oneOf` branches).
    fn fits(&self, schema: &Value, value: &Value) -> bool {
        let mut problems = Vec::new();
        self.validate(schema, value, "", &mut problems);
        problems.is_empty()
    }

    fn validate(&self, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
        // `nullable` beside a `$ref` or on the schema it names both count.
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        let schema = self.resolve(schema);
        if value.is_null() {
            if !(nullable || schema.get("nullable") == Some(&Value::Bool(true))) {
                out.push(format!("{at}: null, but the schema is not nullable"));
            }
            return;
        }
        for part in array(schema, "allOf") {
            self.validate(part, value, at, out);
        }
        for key in ["anyOf", "oneOf"] {
            let branches = array(schema, key);
            if !branches.is_empty() && !branches.iter().any(|b| self.fits(b, value)) {
                out.push(format!("{at}: fits none of its {key} branches: {value}"));
            }
        }
        if let Some(kind) = schema.get("type").and_then(Value::as_str) {
            let fits = match kind {
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                "array" => value.is_array(),
                "object" => value.is_object(),
                _ => true,
            };
            if !fits {
                out.push(format!("{at}: {value} is not of type {kind}"));
                return;
            }
        }
        if let (Some(items), Some(values)) = (schema.get("items"), value.as_array()) {
            for (n, item) in values.iter().enumerate() {
                self.validate(items, item, &format!("{at}[{n}]"), out);
            }
        }
        let Some(object) = value.as_object() else {
            return;
        };
        for name in array(schema, "required") {
            let name = name.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                out.push(format!("{at}: lacks required `{name}`"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, field) in object {
            match properties.and_then(|p| p.get(name)) {
                Some(property) => self.validate(property, field, &format!("{at}.{name}"), out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        out.push(format!("{at}: `{name}` is not a property of its schema"));
                    }
                    Some(extra @ Value::Object(_)) => {
                        self.validate(extra, field, &format!("{at}.{name}"), out);
                    }
                    _ => {}
                },
            }
        }
    }
}

fn json_ref(reference: &str) -> Value {
    serde_json::json!({ "$ref": reference })
}

fn array<'a>(schema: &'a Value, key: &str) -> &'a [Value] {
    schema
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn collect_examples(node: &Value, target: &str, out: &mut Vec<Value>) {
    match node {
        Value::Object(map) => {
            let names_target = map
                .get("schema")
                .and_then(|s| s.get("$ref"))
                .and_then(Value::as_str)
                == Some(target);
            if names_target && !is_constructed(node) {
                out.extend(map.get("example").cloned());
                if let Some(examples) = map.get("examples").and_then(Value::as_object) {
                    out.extend(
                        examples
                            .values()
                            .filter(|e| !is_constructed(e))
                            .filter_map(|e| e.get("value"))
                            .cloned(),
                    );
                }
            }
            for child in map.values() {
                collect_examples(child, target, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                collect_examples(child, target, out);
            }
        }
        _ => {}
    }
}

fn is_constructed(node: &Value) -> bool {
    node.get("x-example-source")
        .and_then(Value::as_str)
        .is_some_and(|source| source.trim_start().starts_with("constructed"))
}

/// Every property `example` has that `actual` lacks, at any depth; an array's elements are
/// each held to the example's first element.
fn missing(example: &Value, actual: &Value, at: &str, out: &mut Vec<String>) {
    match (example, actual) {
        (Value::Object(documented), Value::Object(answered)) => {
            for (name, value) in documented {
                match answered.get(name) {
                    Some(got) => missing(value, got, &format!("{at}.{name}"), out),
                    None => out.push(format!(
                        "{at}: lacks `{name}`, which the documented example has ({value})"
                    )),
                }
            }
        }
        (Value::Array(documented), Value::Array(answered)) => {
            if let Some(first) = documented.first() {
                for (n, got) in answered.iter().enumerate() {
                    missing(first, got, &format!("{at}[{n}]"), out);
                }
            }
        }
        _ => {}
    }
}
