//! Helpers shared by the test binaries of this package.

use std::collections::BTreeSet;

use openapiv3::ReferenceOr;
use serde_json::Value;
use xtask::spec::Spec;

/// Fails if `tests/snapshots` holds a file with this prefix that is not in `expected` (full
/// file names): a snapshot no test writes any more.
pub fn assert_no_stale_snapshots(prefix: &str, expected: &BTreeSet<String>) {
    let found = snapshot_files(prefix);
    let stale: Vec<_> = found.difference(expected).collect();
    assert!(
        stale.is_empty(),
        "unreferenced snapshots in tests/snapshots: {stale:?}"
    );
}

/// Snapshot files in `tests/snapshots` whose name starts with `prefix` (a test binary's name
/// and `__`), to find snapshots that no test writes any more.
fn snapshot_files(prefix: &str) -> BTreeSet<String> {
    let dir = xtask::workspace_root().join("tests/snapshots");
    std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .map(|e| {
                    e.expect("dir entry")
                        .file_name()
                        .into_string()
                        .expect("utf-8")
                })
                .filter(|name| name.starts_with(prefix) && name.ends_with(".snap"))
                .collect()
        })
        .unwrap_or_default()
}

/// The named example of an operation's response with HTTP `status`, from a spec in `specs/`
/// (`specs/cryptocloud.yaml`, `list_invoices`, `200`, `documented`).
#[allow(dead_code)] // Not every test binary that includes this module uses it.
pub fn response_example(spec: &str, operation_id: &str, status: &str, name: &str) -> Value {
    let spec = Spec::load(&xtask::workspace_root(), spec).expect("spec loads");
    for (_, item) in spec.api.paths.iter() {
        let item = item.as_item().expect("no external path items");
        for (_, op) in item.iter() {
            if op.operation_id.as_deref() != Some(operation_id) {
                continue;
            }
            let response = op
                .responses
                .responses
                .iter()
                .find(|(code, _)| code.to_string() == status)
                .map(|(_, r)| r)
                .unwrap_or_else(|| panic!("{operation_id}: no {status} response"));
            let ReferenceOr::Item(response) = response else {
                panic!("{operation_id} {status}: expected an inline response");
            };
            let media = response
                .content
                .get("application/json")
                .expect("application/json");
            let example = media.examples.get(name).expect("named example");
            return example
                .as_item()
                .expect("inline example")
                .value
                .clone()
                .expect("example value");
        }
    }
    panic!("{operation_id}: no such operation")
}
