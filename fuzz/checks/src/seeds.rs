//! The seed corpus: the specs' examples as each target reads its input, written here beside
//! the checks that read them, so the input formats (selector bytes, request kinds, header
//! framing, signatures) live in one place. `cargo xtask fuzz` walks the specs and hands the
//! examples to `examples/write_seeds.rs`, which writes what [`inputs`] makes of them.

use std::collections::BTreeMap;

use invoice_webhooks::cryptoprocessing::{API_KEY_HEADER, SIGNATURE_HEADER};
use serde::Deserialize;
use serde_json::Value;

use crate::webhooks::{cryptoprocessing_mac, verifier, CRYPTOPROCESSING_API_KEY};
use crate::{refusals, signed};

/// Where an example sits in its spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Request,
    Response,
    Callback,
    Other,
}

/// One example of a spec, as xtask finds it.
#[derive(Debug, Deserialize)]
pub struct Example {
    /// `cryptocloud`, `cryptoprocessing` or `apiforcrypto`.
    pub provider: String,
    pub role: Role,
    /// The operation it belongs to, if any.
    pub operation: Option<String>,
    /// Its media type, if any.
    pub media: Option<String>,
    pub value: Value,
}

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// The seeds of every target (by name) the examples give, each target's sorted and
/// without duplicates.
pub fn inputs(examples: &[Example]) -> BTreeMap<&'static str, Vec<Vec<u8>>> {
    let mut seeds: BTreeMap<&'static str, Vec<Vec<u8>>> = BTreeMap::new();
    let mut add =
        |target: &'static str, bytes: Vec<u8>| seeds.entry(target).or_default().push(bytes);
    for kind in 0..refusals::KINDS.len() {
        add("refusals", refusals::input(kind, b"{}"));
    }
    for example in examples {
        let json = serde_json::to_vec(&example.value).expect("a Value serializes");
        for leaf in leaves(&example.value) {
            add("amount", leaf.clone().into_bytes());
            add("time", leaf.into_bytes());
        }
        for scalar in scalars(&example.value) {
            add("amount", scalar.clone());
            add("time", scalar);
        }
        match example.role {
            Role::Response | Role::Callback => {
                let target = match example.provider.as_str() {
                    "cryptocloud" => "decode_cryptocloud",
                    "cryptoprocessing" => "decode_cryptoprocessing",
                    _ => "decode_apiforcrypto",
                };
                add(target, json.clone());
            }
            Role::Request => {
                let kind = example
                    .operation
                    .as_deref()
                    .and_then(|op| refusals::kind(&example.provider, op));
                if let Some(kind) = kind {
                    add("refusals", refusals::input(kind, &json));
                }
            }
            Role::Other => {}
        }
        if example.role == Role::Callback {
            for (target, bytes) in callback(example, &json) {
                add(target, bytes);
            }
        }
    }
    for inputs in seeds.values_mut() {
        inputs.sort();
        inputs.dedup();
    }
    seeds
}

/// A callback example as the webhook targets read it: `verify_webhooks` (headers and body,
/// signed where the provider signs headers) and `verify_signed` (the payload).
fn callback(example: &Example, json: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let content_type = |media| ("content-type", media);
    match example.provider.as_str() {
        "cryptocloud" if example.media.as_deref() == Some(FORM) => vec![
            (
                "verify_webhooks",
                webhooks_input(
                    verifier::CRYPTOCLOUD,
                    &[content_type(FORM)],
                    &form(&example.value),
                ),
            ),
            (
                "verify_signed",
                signed::input(
                    signed::provider::CRYPTOCLOUD,
                    signed::CRYPTOCLOUD_FORM,
                    json,
                ),
            ),
        ],
        "cryptocloud" => vec![
            (
                "verify_webhooks",
                webhooks_input(verifier::CRYPTOCLOUD, &[content_type(JSON)], json),
            ),
            (
                "verify_webhooks",
                webhooks_input(verifier::CRYPTOCLOUD, &[], json),
            ),
            (
                "verify_signed",
                signed::input(signed::provider::CRYPTOCLOUD, 0, json),
            ),
        ],
        "cryptoprocessing" => {
            let mac = hex::encode(cryptoprocessing_mac(json));
            let headers = [
                content_type(JSON),
                (SIGNATURE_HEADER, mac.as_str()),
                (API_KEY_HEADER, CRYPTOPROCESSING_API_KEY),
            ];
            vec![
                (
                    "verify_webhooks",
                    webhooks_input(verifier::CRYPTOPROCESSING, &headers, json),
                ),
                (
                    "verify_webhooks",
                    webhooks_input(verifier::CRYPTOPROCESSING_WITH_KEY, &headers, json),
                ),
                (
                    "verify_signed",
                    signed::input(signed::provider::CRYPTOPROCESSING, 0, json),
                ),
            ]
        }
        _ => vec![
            (
                "verify_webhooks",
                webhooks_input(verifier::APIFORCRYPTO, &[content_type(JSON)], json),
            ),
            (
                "verify_signed",
                signed::input(signed::provider::APIFORCRYPTO, 0, json),
            ),
        ],
    }
}

fn webhooks_input(verifier: u8, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    crate::webhooks::input(verifier, headers, body)
}

/// A form body from an object's members: strings as their text, other values as JSON, nulls
/// left out.
fn form(value: &Value) -> Vec<u8> {
    let Some(map) = value.as_object() else {
        return Vec::new();
    };
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (name, value) in map.iter().filter(|(_, v)| !v.is_null()) {
        match value {
            Value::String(text) => form.append_pair(name, text),
            other => form.append_pair(name, &other.to_string()),
        };
    }
    form.finish().into_bytes()
}

/// Every string's content and every number's text under `value`.
fn leaves(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(leaves).collect(),
        Value::Object(map) => map.values().flat_map(leaves).collect(),
        _ => Vec::new(),
    }
}

/// Every scalar under `value` as JSON text (`"0.02"`, `100`).
fn scalars(value: &Value) -> Vec<Vec<u8>> {
    match value {
        Value::String(_) | Value::Number(_) => {
            vec![serde_json::to_vec(value).expect("a Value serializes")]
        }
        Value::Array(items) => items.iter().flat_map(scalars).collect(),
        Value::Object(map) => map.values().flat_map(scalars).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(provider: &str, role: Role, operation: Option<&str>, media: &str) -> Example {
        Example {
            provider: provider.into(),
            role,
            operation: operation.map(Into::into),
            media: Some(media.into()),
            value: serde_json::json!({"invoice_id": "X", "amount": 1.5, "status": "success"}),
        }
    }

    /// Every seed passes its own target's check: the writer and the reader agree.
    #[test]
    fn every_seed_passes_its_target() {
        let examples = [
            example("cryptocloud", Role::Callback, None, JSON),
            example("cryptocloud", Role::Callback, None, FORM),
            example("cryptoprocessing", Role::Callback, None, JSON),
            example("apiforcrypto", Role::Callback, None, JSON),
            example("cryptocloud", Role::Request, Some("create_invoice"), JSON),
            example("cryptoprocessing", Role::Response, None, JSON),
        ];
        let seeds = inputs(&examples);
        for (target, check) in crate::TARGETS {
            let Some(inputs) = seeds.get(target) else {
                panic!("{target} has no seeds");
            };
            for input in inputs {
                check(input);
            }
        }
    }
}
