//! Helpers shared by the test binaries of this package.

use std::collections::BTreeSet;

/// Snapshot files in `tests/snapshots` whose name starts with `prefix` (a test binary's name
/// and `__`), to find snapshots that no test writes any more.
pub fn snapshot_files(prefix: &str) -> BTreeSet<String> {
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
