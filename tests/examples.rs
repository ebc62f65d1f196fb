//! Every example payload in `specs/` against the generated types.
//!
//! Each example must deserialize into the type its media type names, serialize back to the
//! same JSON in the provider's form (numbers compared by value, so `100` equals `100.0`), pass
//! through a `serde_json::Value` and back with every amount digit for digit, and its typed form
//! is pinned in a snapshot. Where the docs' own text could not be used as is, the spec keeps it in
//! `x-doc-raw`; its fate (not JSON, or JSON the types refuse) is pinned too.
//!
//! The examples are found by walking the specs, so an example added to a spec is tested (and
//! needs a snapshot) without touching this file; an example whose schema has no entry in
//! [`roundtrip_for`] fails the test. Webhook payloads (the top-level `x-webhooks` extension,
//! shaped like OpenAPI 3.1's `webhooks`) are walked too; a form-encoded webhook example is a
//! decoded field map, not a JSON body, so it is not round-tripped here: crates/invoice-webhooks'
//! tests encode it as a form, verify it and parse it.

mod support;

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::PathBuf;
use std::str::FromStr;

use openapiv3::{MediaType, OpenAPI, PathItem, ReferenceOr};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use xtask::providers::PROVIDERS;
use xtask::spec::Spec;

/// The typed form of a payload (its `Debug`) and the JSON it serializes back to.
type Typed = Result<(String, Value), String>;

fn roundtrip<T: DeserializeOwned + Serialize + Debug>(json: &Value) -> Typed {
    let typed: T = serde_json::from_value(json.clone()).map_err(|e| e.to_string())?;
    // Through a `serde_json::Value` and back, as a program stores or embeds it: every amount
    // keeps its digits and scale, so the provider's form is the same to the letter.
    let through_value: T = serde_json::to_value(&typed)
        .and_then(serde_json::from_value)
        .map_err(|e| format!("through a Value: {e}"))?;
    let (before, after) = (
        invoice_primitives::wire::to_string(&typed).map_err(|e| e.to_string())?,
        invoice_primitives::wire::to_string(&through_value).map_err(|e| e.to_string())?,
    );
    if before != after {
        return Err(format!("changed through a Value:\n {before}\n {after}"));
    }
    // The provider's form (amounts as JSON numbers), read as the documented JSON was.
    let wire = invoice_primitives::wire::to_vec(&typed).map_err(|e| e.to_string())?;
    let back = serde_json::from_slice(&wire).map_err(|e| e.to_string())?;
    Ok((format!("{typed:#?}"), back))
}

/// The generated type of each schema that a media type in the specs refers to.
fn roundtrip_for(provider: &str, schema: &str) -> Option<fn(&Value) -> Typed> {
    use apiforcrypto::types as afc;
    use cryptocloud::types as cc;
    use cryptoprocessing::types as cp;
    Some(match (provider, schema) {
        ("cryptocloud", "InvoiceCreateRequest") => roundtrip::<cc::InvoiceCreateRequest>,
        ("cryptocloud", "InvoiceCreateResponse") => roundtrip::<cc::InvoiceCreateResponse>,
        ("cryptocloud", "InvoiceListRequest") => roundtrip::<cc::InvoiceListRequest>,
        ("cryptocloud", "InvoiceListResponse") => roundtrip::<cc::InvoiceListResponse>,
        ("cryptocloud", "InvoiceInfoRequest") => roundtrip::<cc::InvoiceInfoRequest>,
        ("cryptocloud", "InvoiceInfoResponse") => roundtrip::<cc::InvoiceInfoResponse>,
        ("cryptocloud", "ErrorResponse") => roundtrip::<cc::ErrorResponse>,
        ("cryptocloud", "Postback") => roundtrip::<cc::Postback>,
        ("cryptocloud", "InvoiceCancelRequest") => roundtrip::<cc::InvoiceCancelRequest>,
        ("cryptocloud", "InvoiceCancelResponse") => roundtrip::<cc::InvoiceCancelResponse>,
        ("cryptocloud", "BalanceResponse") => roundtrip::<cc::BalanceResponse>,
        ("cryptocloud", "StatisticsRequest") => roundtrip::<cc::StatisticsRequest>,
        ("cryptocloud", "StatisticsResponse") => roundtrip::<cc::StatisticsResponse>,
        ("cryptocloud", "StaticWalletCreateRequest") => roundtrip::<cc::StaticWalletCreateRequest>,
        ("cryptocloud", "StaticWalletCreateResponse") => {
            roundtrip::<cc::StaticWalletCreateResponse>
        }
        ("cryptocloud", "WithdrawalCreateRequest") => roundtrip::<cc::WithdrawalCreateRequest>,
        ("cryptocloud", "WithdrawalCreateResponse") => roundtrip::<cc::WithdrawalCreateResponse>,
        ("cryptoprocessing", "InvoiceCreateRequest") => roundtrip::<cp::InvoiceCreateRequest>,
        ("cryptoprocessing", "InvoiceCreateResponse") => roundtrip::<cp::InvoiceCreateResponse>,
        ("cryptoprocessing", "ErrorResponse") => roundtrip::<cp::ErrorResponse>,
        ("cryptoprocessing", "InvoiceCallback") => roundtrip::<cp::InvoiceCallback>,
        ("cryptoprocessing", "EmptyRequest") => roundtrip::<cp::EmptyRequest>,
        ("cryptoprocessing", "CancelInvoiceResponse") => roundtrip::<cp::CancelInvoiceResponse>,
        ("cryptoprocessing", "CurrencyListRequest") => roundtrip::<cp::CurrencyListRequest>,
        ("cryptoprocessing", "CurrencyListResponse") => roundtrip::<cp::CurrencyListResponse>,
        ("cryptoprocessing", "AccountListResponse") => roundtrip::<cp::AccountListResponse>,
        ("apiforcrypto", "InvoiceCreateRequest") => roundtrip::<afc::InvoiceCreateRequest>,
        ("apiforcrypto", "Invoice") => roundtrip::<afc::Invoice>,
        ("apiforcrypto", "ErrorResponse") => roundtrip::<afc::ErrorResponse>,
        ("apiforcrypto", "InvoiceCallback") => roundtrip::<afc::InvoiceCallback>,
        ("apiforcrypto", "Wallet") => roundtrip::<afc::Wallet>,
        _ => return None,
    })
}

/// One example of one media type in one spec.
struct Example {
    /// Snapshot name: provider, where the example sits, and its name.
    id: String,
    provider: &'static str,
    schema: String,
    value: Value,
    /// The docs' own text, where the spec had to correct it.
    raw: Option<String>,
    note: Option<String>,
    /// The example is no JSON payload: it is the decoded field map of a form-encoded webhook.
    not_a_payload: bool,
}

fn root() -> PathBuf {
    xtask::workspace_root()
}

/// Every example in every spec, in spec order. Response components shared by several
/// operations are visited once, under the component's name; webhook examples (`x-webhooks`)
/// come last, under `webhook_<name>`.
fn all_examples() -> Vec<Example> {
    let mut out = Vec::new();
    for provider in PROVIDERS {
        let spec = Spec::load(&root(), provider.spec).expect("spec loads");
        let api = &spec.api;
        for (_, item) in api.paths.iter() {
            let item = item.as_item().expect("no external path items");
            for (_, op) in item.iter() {
                let op_id = op
                    .operation_id
                    .as_deref()
                    .expect("every operation has an id");
                if let Some(body) = &op.request_body {
                    let body = body.as_item().expect("request bodies are inline");
                    for media in body.content.values() {
                        collect(&mut out, provider.name, &format!("{op_id}__request"), media);
                    }
                }
                for (status, response) in &op.responses.responses {
                    match response {
                        ReferenceOr::Item(response) => {
                            for media in response.content.values() {
                                let place = format!("{op_id}__{status}");
                                collect(&mut out, provider.name, &place, media);
                            }
                        }
                        // Collected below, once per component.
                        ReferenceOr::Reference { .. } => {}
                    }
                }
            }
        }
        for (name, response) in component_responses(api) {
            for media in response.content.values() {
                collect(&mut out, provider.name, &format!("response_{name}"), media);
            }
        }
        for (name, item) in webhooks(api) {
            for (_, op) in item.iter() {
                let body = op
                    .request_body
                    .as_ref()
                    .expect("a webhook has a request body");
                let body = body.as_item().expect("request bodies are inline");
                for (media_type, media) in &body.content {
                    let first = out.len();
                    collect(&mut out, provider.name, &format!("webhook_{name}"), media);
                    if media_type == "application/x-www-form-urlencoded" {
                        out[first..]
                            .iter_mut()
                            .for_each(|ex| ex.not_a_payload = true);
                    }
                }
            }
        }
    }
    out
}

/// The webhooks of the top-level `x-webhooks` extension: name -> path item, as OpenAPI 3.1's
/// `webhooks` (3.0 has none).
fn webhooks(api: &OpenAPI) -> Vec<(String, PathItem)> {
    let Some(value) = api.extensions.get("x-webhooks") else {
        return Vec::new();
    };
    let map = value
        .as_object()
        .expect("x-webhooks maps names to path items");
    map.iter()
        .map(|(name, item)| {
            let item: PathItem = serde_json::from_value(item.clone())
                .unwrap_or_else(|e| panic!("x-webhooks.{name} is not a path item: {e}"));
            (name.clone(), item)
        })
        .collect()
}

fn component_responses(api: &OpenAPI) -> Vec<(&String, &openapiv3::Response)> {
    api.components
        .iter()
        .flat_map(|c| c.responses.iter())
        .map(|(name, r)| (name, r.as_item().expect("response components are inline")))
        .collect()
}

fn collect(out: &mut Vec<Example>, provider: &'static str, place: &str, media: &MediaType) {
    let schema = match &media.schema {
        Some(ReferenceOr::Reference { reference }) => reference
            .strip_prefix("#/components/schemas/")
            .expect("media types refer to component schemas")
            .to_owned(),
        // A form's decoded field map is no payload of a generated type: its schema (text
        // fields) is the media type's own, and it is not round-tripped.
        Some(ReferenceOr::Item(_)) if place.starts_with("webhook_") => "(inline)".to_owned(),
        other => panic!("{provider} {place}: media type schema must be a $ref, got {other:?}"),
    };
    assert!(
        media.example.is_none(),
        "{provider} {place}: use named `examples`, not `example`, so each has a stable snapshot name"
    );
    for (name, example) in &media.examples {
        let example = example.as_item().expect("examples are inline");
        let text = |key: &str| {
            example
                .extensions
                .get(key)
                .map(|v| v.as_str().expect("x- text extension").to_owned())
        };
        out.push(Example {
            id: format!("{provider}__{place}__{name}"),
            provider,
            schema: schema.clone(),
            value: example
                .value
                .clone()
                .expect("examples have an inline value"),
            raw: text("x-doc-raw"),
            note: text("x-doc-note"),
            not_a_payload: false,
        });
    }
}

/// JSON equality with numbers compared by exact decimal value (`100` == `100.0`,
/// `4.5e-6` == `0.0000045`), and an object member that is `null` equal to a missing one:
/// both are `None` in the typed form, and "no value" is all either says in these APIs.
/// Everything else is compared structurally.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => decimal(x) == decimal(y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().all(|k| {
                let (v, w) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                same_json(v, w)
            })
        }
        _ => a == b,
    }
}

fn decimal(n: &serde_json::Number) -> Decimal {
    let text = n.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .unwrap_or_else(|e| panic!("{text} is not a decimal: {e}"))
}

#[test]
fn every_documented_example_round_trips_and_is_pinned() {
    let examples = all_examples();
    // 43 CryptoCloud, 33 Cryptoprocessing, 8 apiforcrypto (16 of them webhook payloads, one a
    // form's field map): a pin, so a lost example is noticed.
    assert_eq!(examples.len(), 84, "examples in specs/");
    for ex in &examples {
        if ex.not_a_payload {
            continue;
        }
        let check = roundtrip_for(ex.provider, &ex.schema).unwrap_or_else(|| {
            panic!(
                "{}: no generated type registered for {}::{}; add it to roundtrip_for",
                ex.id, ex.provider, ex.schema
            )
        });
        let (typed, back) = check(&ex.value)
            .unwrap_or_else(|e| panic!("{}: documented example does not parse: {e}", ex.id));
        assert!(
            same_json(&ex.value, &back),
            "{}: serializes back differently\n documented: {}\n serialized: {}",
            ex.id,
            ex.value,
            back
        );
        insta::assert_snapshot!(ex.id.as_str(), typed);
    }
}

/// The signing test vector of Cryptoprocessing's signature scheme (kept on the scheme, not
/// among the request's examples: its body is no valid request): the documented signature is the
/// HMAC-SHA512 of the exact body bytes keyed with the secret.
#[test]
fn signing_test_vector_holds() {
    use hmac::{Hmac, Mac};
    let spec = Spec::load(&root(), "specs/cryptoprocessing.yaml").expect("spec loads");
    let components = spec.api.components.as_ref().expect("components");
    let scheme = components
        .security_schemes
        .get("ProcessingSignature")
        .and_then(|s| s.as_item())
        .expect("securitySchemes/ProcessingSignature");
    let openapiv3::SecurityScheme::APIKey { extensions, .. } = scheme else {
        panic!("ProcessingSignature is an apiKey scheme")
    };
    let vector = &extensions["x-signing-test-vector"];
    let text = |key: &str| vector[key].as_str().expect("a string").to_owned();
    let mut mac =
        Hmac::<sha2::Sha512>::new_from_slice(text("secret").as_bytes()).expect("any key length");
    mac.update(text("body").as_bytes());
    assert_eq!(hex::encode(mac.finalize().into_bytes()), text("signature"));
    assert_eq!(text("body"), r#"{"currency":"BTC","foreign_id":"123456"}"#);
}

/// The docs' raw text of each corrected example: why it could not be used as is.
#[test]
fn raw_doc_examples_fail_as_recorded() {
    let mut seen = 0;
    for ex in all_examples() {
        let Some(raw) = &ex.raw else { continue };
        seen += 1;
        let note = ex
            .note
            .as_deref()
            .expect("a corrected example says why in x-doc-note");
        let outcome = match serde_json::from_str::<Value>(raw) {
            Err(e) => format!("not JSON: {e}"),
            Ok(json) => {
                assert!(
                    !same_json(&json, &ex.value),
                    "{}: raw and corrected forms are the same",
                    ex.id
                );
                let check = roundtrip_for(ex.provider, &ex.schema).expect("registered schema");
                match check(&json) {
                    Ok((typed, _)) => format!("valid JSON, parses as {}:\n{typed}", ex.schema),
                    Err(e) => format!("valid JSON, refused by {}: {e}", ex.schema),
                }
            }
        };
        let name = format!("{}__raw", ex.id);
        insta::assert_snapshot!(name, format!("note: {note}\n\nraw: {outcome}"));
    }
    assert_eq!(seen, 7, "the specs record seven corrected doc examples");
}

/// No snapshot file of this test binary is left over from an example that no longer exists.
#[test]
fn no_unreferenced_example_snapshots() {
    let mut expected = BTreeSet::new();
    for ex in all_examples() {
        if ex.raw.is_some() {
            expected.insert(format!("examples__{}__raw.snap", ex.id));
        }
        if !ex.not_a_payload {
            expected.insert(format!("examples__{}.snap", ex.id));
        }
    }
    support::assert_no_stale_snapshots("examples__", &expected);
}

#[test]
fn same_json_compares_numbers_by_value() {
    let a: Value = serde_json::from_str(r#"{"a": 100, "b": [4.500000159168849e-06]}"#).unwrap();
    let b: Value = serde_json::from_str(r#"{"a": 100.0, "b": [0.000004500000159168849]}"#).unwrap();
    assert!(same_json(&a, &b));
    let c: Value = serde_json::from_str(r#"{"a": 100.01, "b": [4.500000159168849e-06]}"#).unwrap();
    assert!(!same_json(&a, &c));
    let d: Value = serde_json::from_str(r#"{"a": 100}"#).unwrap();
    assert!(!same_json(&a, &d), "a missing value is a difference");
    let e: Value = serde_json::from_str(r#"{"a": 100, "b": [4.5e-6], "c": null}"#).unwrap();
    let f: Value = serde_json::from_str(r#"{"a": 100, "b": [4.5e-6]}"#).unwrap();
    assert!(same_json(&e, &f), "null is no value");
    let g: Value = serde_json::from_str(r#"{"a": 100, "b": [4.5e-6], "c": 0}"#).unwrap();
    assert!(!same_json(&g, &f), "a value is not no value");
}
