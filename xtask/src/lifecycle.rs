//! `x-lifecycle`: what each value of a status enum means in the provider-neutral lifecycle
//! (`invoice_primitives::Lifecycle`), with the provider's documentation quoted for it,
//! generated into a `lifecycle()` method on the enum.
//!
//! ```yaml
//! InvoiceStatus:
//!   anyOf: [{type: string, enum: [created, paid]}, {type: string}]
//!   x-lifecycle:
//!     created: {state: awaiting_payment, doc: "...", source: cryptocloud-invoice-info.txt}
//!     paid: {state: paid, doc: "...", source: cryptocloud-invoice-info.txt, note: "..."}
//! ```
//!
//! Next to a named string enum (which prepare.rs makes an open enum): every listed value has an
//! entry and nothing else does. `state` is one of [`STATES`]; `doc` quotes the documentation
//! word for word, and `source` names the page it is on (a file of `../shared/provider-docs/`,
//! then optionally the section: `more-pages.md 2.4`);
//! `note`, if any, says what was decided where the quote leaves the meaning open. A value the
//! spec does not list maps to `Lifecycle::Unknown`: never a guess.

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, ReferenceOr};
use serde_json::Value;

use crate::prepare::{string_enum, variant_name};
use crate::providers::Provider;

/// The extension's key.
pub const EXTENSION: &str = "x-lifecycle";

/// The states a value may map to, as the spec writes them; each is the `Lifecycle` variant of
/// the same name in upper camel case. `unknown` is left out: it is for values the spec does not
/// list.
pub const STATES: [&str; 9] = [
    "awaiting_payment",
    "partly_paid",
    "confirming",
    "paid",
    "overpaid",
    "expired",
    "expired_partly_paid",
    "cancelled",
    "failed",
];

/// One enum's `x-lifecycle`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The enum's schema name.
    pub schema: String,
    /// One entry per value, in the enum's order.
    pub entries: Vec<Entry>,
}

/// What one value means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The value as sent (`paid`).
    pub value: String,
    /// One of [`STATES`].
    pub state: String,
    /// The documentation's words, quoted.
    pub doc: String,
    /// The page quoted, and optionally its section (`more-pages.md 2.4`).
    pub source: String,
    /// What was decided where the docs leave the meaning open.
    pub note: Option<String>,
}

/// Every `x-lifecycle` of the spec's named schemas, in schema order, checked against the enum
/// it sits next to.
pub fn mappings(api: &OpenAPI) -> Result<Vec<Mapping>, String> {
    let Some(components) = &api.components else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let Some(extension) = schema.schema_data.extensions.get(EXTENSION) else {
            continue;
        };
        let error = |message: String| format!("{name}: {EXTENSION}: {message}");
        let values = string_enum(schema)
            .ok_or_else(|| error("only a named string enum has a lifecycle".into()))?;
        let Value::Object(by_value) = extension else {
            return Err(error("maps each value to {state, doc, source}".into()));
        };
        if let Some(extra) = by_value.keys().find(|key| !values.contains(&key.as_str())) {
            return Err(error(format!("`{extra}` is not one of the enum's values")));
        }
        let entries = values
            .iter()
            .map(|value| {
                let entry = by_value
                    .get(*value)
                    .ok_or_else(|| error(format!("value `{value}` has no entry")))?;
                entry_of(value, entry).map_err(|m| error(format!("`{value}`: {m}")))
            })
            .collect::<Result<_, _>>()?;
        found.push(Mapping {
            schema: name.clone(),
            entries,
        });
    }
    Ok(found)
}

fn entry_of(value: &str, entry: &Value) -> Result<Entry, String> {
    let Value::Object(fields) = entry else {
        return Err("an entry is {state, doc, source, note?}".into());
    };
    if let Some(extra) = fields
        .keys()
        .find(|key| !["state", "doc", "source", "note"].contains(&key.as_str()))
    {
        return Err(format!("unknown key `{extra}` (state, doc, source, note)"));
    }
    let text = |key: &str| match fields.get(key) {
        None => Ok(None),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(Some(text.trim().to_owned())),
        Some(_) => Err(format!("`{key}` must be non-empty text")),
    };
    let required = |key: &str| text(key)?.ok_or_else(|| format!("`{key}` is required"));
    let state = required("state")?;
    if !STATES.contains(&state.as_str()) {
        return Err(format!("state `{state}` is not one of {STATES:?}"));
    }
    Ok(Entry {
        value: value.to_owned(),
        state,
        doc: required("doc")?,
        source: required("source")?,
        note: text("note")?,
    })
}

/// The `lifecycle()` methods of the spec's enums with an `x-lifecycle`, as source text
/// appended to the crate (empty when there are none).
pub fn generate(provider: &Provider, api: &OpenAPI) -> Result<String, String> {
    let mappings = mappings(api)?;
    if mappings.is_empty() {
        return Ok(String::new());
    }
    let (Some(runtime), Some(_)) = (provider.runtime, provider.open_enum_macro) else {
        return Err(format!(
            "{EXTENSION} needs the row's runtime (its `Lifecycle`) and open enums (their `Unknown`)"
        ));
    };
    let lifecycle = format!("{runtime}::Lifecycle");
    // rustdoc resolves a link from the crate's own dependency name, without the leading `::`.
    let link = lifecycle.trim_start_matches("::");
    let mut text = String::new();
    for mapping in &mappings {
        let mut doc = format!(
            "Where an invoice in this status is in the provider-neutral lifecycle\n\
             ([`Lifecycle`]({link})), as the spec's `{EXTENSION}` says,\n\
             with the documentation's words for each value:\n\n\
             | value | lifecycle | the documentation says |\n\
             | --- | --- | --- |\n"
        );
        let mut arms = String::new();
        for entry in &mapping.entries {
            let variant = entry.state.to_upper_camel_case();
            doc.push_str(&format!(
                "| `{}` | [`{variant}`]({link}::{variant}) | “{}” ({}) |\n",
                entry.value,
                cell(&entry.doc),
                cell(&entry.source)
            ));
            arms.push_str(&format!(
                "Self::{} => {lifecycle}::{variant},\n",
                variant_name(&entry.value)
            ));
        }
        let notes: Vec<&Entry> = mapping
            .entries
            .iter()
            .filter(|e| e.note.is_some())
            .collect();
        if !notes.is_empty() {
            doc.push('\n');
            for entry in notes {
                let note = entry.note.as_deref().unwrap_or_default();
                doc.push_str(&format!("- `{}`: {}\n", entry.value, one_line(note)));
            }
        }
        doc.push_str(&format!(
            "\nA value this version does not know is [`Lifecycle::Unknown`]({link}::Unknown), \
             never a guess."
        ));
        let doc: String = doc
            .lines()
            .map(|line| format!("///{}{line}\n", if line.is_empty() { "" } else { " " }))
            .collect();
        text.push_str(&format!(
            "\nimpl types::{} {{\n{doc}pub fn lifecycle(&self) -> {lifecycle} {{\n\
             match self {{\n{arms}Self::Unknown(_) => {lifecycle}::Unknown,\n}}\n}}\n}}\n",
            mapping.schema
        ));
    }
    Ok(text)
}

/// Text on one line, spaces collapsed.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text for a Markdown table cell: on one line, `|` escaped, `<` and `>` as entities (not
/// HTML).
fn cell(text: &str) -> String {
    one_line(text)
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::PROVIDERS;
    use crate::spec::Spec;

    fn api(x_lifecycle: Value) -> OpenAPI {
        serde_json::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {"Status": {
                "anyOf": [{"type": "string", "enum": ["created", "paid"]}, {"type": "string"}],
                "x-lifecycle": x_lifecycle,
            }}},
        }))
        .expect("a spec")
    }

    fn entry(state: &str) -> Value {
        serde_json::json!({"state": state, "doc": "It is so.", "source": "a.txt"})
    }

    #[test]
    fn every_value_maps_to_a_known_state_and_nothing_else_is_mapped() {
        let good =
            api(serde_json::json!({"created": entry("awaiting_payment"), "paid": entry("paid")}));
        let found = mappings(&good).expect("valid");
        assert_eq!(found[0].entries[1].state, "paid");
        for (bad, says) in [
            (
                serde_json::json!({"created": entry("awaiting_payment")}),
                "`paid` has no entry",
            ),
            (
                serde_json::json!({"created": entry("awaiting_payment"), "paid": entry("paid"), "x": entry("paid")}),
                "`x` is not one of",
            ),
            (
                serde_json::json!({"created": entry("awaiting_payment"), "paid": entry("unknown")}),
                "not one of",
            ),
            (
                serde_json::json!({"created": entry("awaiting_payment"), "paid": {"state": "paid", "source": "a"}}),
                "`doc` is required",
            ),
            (
                serde_json::json!({"created": entry("awaiting_payment"), "paid": {"state": "paid", "doc": "d", "source": "a", "why": "w"}}),
                "unknown key `why`",
            ),
        ] {
            let error = mappings(&api(bad)).unwrap_err();
            assert!(error.contains(says), "{error}");
        }
    }

    /// [`STATES`] and `invoice_primitives::Lifecycle` name the same states, read from the
    /// runtime's source.
    #[test]
    fn the_states_are_the_runtime_lifecycle_variants() {
        let path = crate::workspace_root().join("crates/invoice-primitives/src/lifecycle.rs");
        let source = std::fs::read_to_string(&path).expect("lifecycle.rs");
        let file = syn::parse_file(&source).expect("it parses");
        let variants: Vec<String> = file
            .items
            .iter()
            .find_map(|item| match item {
                syn::Item::Enum(e) if e.ident == "Lifecycle" => {
                    Some(e.variants.iter().map(|v| v.ident.to_string()).collect())
                }
                _ => None,
            })
            .expect("enum Lifecycle");
        let mut expected: Vec<String> = STATES.iter().map(|s| s.to_upper_camel_case()).collect();
        expected.push("Unknown".into());
        assert_eq!(variants, expected);
    }

    /// Each quote is in the page it names, word for word (white space aside), when the
    /// provider documentation sits beside the workspace (`../shared/provider-docs/`).
    #[test]
    fn every_quote_is_in_the_page_it_cites() {
        let root = crate::workspace_root();
        let docs = root.join("../shared/provider-docs");
        if !docs.is_dir() {
            eprintln!("skipped: no {}", docs.display());
            return;
        }
        let mut quotes = 0;
        for provider in PROVIDERS.iter().filter(|p| p.runtime.is_some()) {
            let spec = Spec::load(&root, provider.spec).expect("the spec loads");
            for mapping in mappings(&spec.api).expect("valid") {
                for entry in mapping.entries {
                    let file = entry.source.split_whitespace().next().unwrap_or_default();
                    let page = std::fs::read_to_string(docs.join(file))
                        .unwrap_or_else(|e| panic!("{}: {}: {e}", provider.spec, entry.source));
                    assert!(
                        one_line(&page).contains(&one_line(&entry.doc)),
                        "{} {}.{}: {:?} is not in {}",
                        provider.spec,
                        mapping.schema,
                        entry.value,
                        entry.doc,
                        entry.source
                    );
                    quotes += 1;
                }
            }
        }
        assert!(quotes > 0, "the specs quote the docs");
    }
}
