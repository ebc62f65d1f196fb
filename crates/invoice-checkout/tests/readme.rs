//! The README's lifecycle table is the specs' `x-lifecycle`, rendered: it cannot drift from
//! them. `UPDATE_README=1 cargo test -p invoice-checkout --test readme` rewrites it.
//!
//! Each entry is also checked against the generated clients' `lifecycle()`, so the table, the
//! specs and the code say the same.

use std::path::{Path, PathBuf};

use invoice_checkout::Lifecycle;
use serde_yaml_ng::Value;

const BEGIN: &str = "<!-- lifecycle table: rendered from the specs' x-lifecycle by tests/readme.rs; UPDATE_README=1 rewrites it -->";
const END: &str = "<!-- end of lifecycle table -->";

/// Each spec, with the provider's name as people write it.
const SPECS: [(&str, &str); 3] = [
    ("cryptocloud", "CryptoCloud"),
    ("cryptoprocessing", "Cryptoprocessing"),
    ("apiforcrypto", "apiforcrypto"),
];

struct Entry {
    spec: &'static str,
    provider: &'static str,
    schema: String,
    value: String,
    state: String,
    doc: String,
    source: String,
    note: Option<String>,
}

/// The crate's directory: its README, and its `specs/` (symbolic links to the workspace's,
/// whose contents the .crate carries).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every `x-lifecycle` entry of the specs, in spec, schema and value order.
fn entries() -> Vec<Entry> {
    let mut entries = Vec::new();
    for (spec, provider) in SPECS {
        let path = root().join(format!("specs/{spec}.yaml"));
        let text = std::fs::read_to_string(&path).expect("the spec");
        let api: Value = serde_yaml_ng::from_str(&text).expect("YAML");
        let schemas = api["components"]["schemas"]
            .as_mapping()
            .expect("components/schemas");
        for (name, schema) in schemas {
            let Some(mapping) = schema.get("x-lifecycle").and_then(Value::as_mapping) else {
                continue;
            };
            for (value, entry) in mapping {
                let text = |key: &str| entry.get(key).and_then(Value::as_str).map(one_line);
                entries.push(Entry {
                    spec,
                    provider,
                    schema: name.as_str().expect("a name").to_owned(),
                    value: value.as_str().expect("a value").to_owned(),
                    state: text("state").expect("state"),
                    doc: text("doc").expect("doc"),
                    source: text("source").expect("source"),
                    note: text("note"),
                });
            }
        }
    }
    entries
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The table, then the notes where the documentation leaves the meaning open.
fn table(entries: &[Entry]) -> String {
    let mut out = String::from(
        "| provider | enum | value | lifecycle | the documentation says |\n\
         | --- | --- | --- | --- | --- |\n",
    );
    for e in entries {
        out.push_str(&format!(
            "| {} | `{}` | `{}` | `{}` | “{}” ({}) |\n",
            e.provider,
            e.schema,
            e.value,
            e.state,
            cell(&e.doc),
            e.source
        ));
    }
    out.push_str("\nWhere the documentation leaves the meaning open:\n\n");
    for e in entries {
        if let Some(note) = &e.note {
            out.push_str(&format!(
                "- {} `{}` `{}`: {note}\n",
                e.provider, e.schema, e.value
            ));
        }
    }
    out
}

/// What the generated client says the value means.
fn generated(entry: &Entry) -> Lifecycle {
    let value = entry.value.as_str();
    match (entry.spec, entry.schema.as_str()) {
        ("cryptocloud", "InvoiceStatus") => {
            cryptocloud::types::InvoiceStatus::from(value).lifecycle()
        }
        ("cryptocloud", "PostbackStatus") => {
            cryptocloud::types::PostbackStatus::from(value).lifecycle()
        }
        ("cryptoprocessing", "InvoiceStatus") => {
            cryptoprocessing::types::InvoiceStatus::from(value).lifecycle()
        }
        ("apiforcrypto", "InvoiceStatus") => {
            apiforcrypto::types::InvoiceStatus::from(value).lifecycle()
        }
        (spec, schema) => panic!("{spec} {schema}: a new x-lifecycle; check it here too"),
    }
}

#[test]
fn the_generated_clients_map_each_value_as_the_spec_says() {
    let entries = entries();
    assert!(entries.len() >= 16, "every status enum has its x-lifecycle");
    for entry in &entries {
        let state: Lifecycle = entry.state.parse().expect("a lifecycle state");
        assert_eq!(
            generated(entry),
            state,
            "{} {}.{}",
            entry.spec,
            entry.schema,
            entry.value
        );
    }
    // A value no spec lists is never guessed.
    assert_eq!(
        cryptocloud::types::InvoiceStatus::from("refunded").lifecycle(),
        Lifecycle::Unknown
    );
}

#[test]
fn the_readme_table_is_the_specs_x_lifecycle() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (Some(begin), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md lacks the markers {BEGIN:?} and {END:?}");
    };
    // The marker's line, a blank line, the table, a blank line, the end marker.
    let start = begin + BEGIN.len();
    let expected = format!("\n\n{}\n", table(&entries()));
    if readme[start..end] == expected {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..start], expected, &readme[end..]);
        std::fs::write(&path, updated).expect("README.md written");
        return;
    }
    panic!(
        "README.md's lifecycle table differs from the specs' x-lifecycle; rerun with \
         UPDATE_README=1, or paste:\n{expected}"
    );
}
