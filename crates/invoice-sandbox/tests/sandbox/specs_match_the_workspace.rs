//! The crate keeps its own copy of the three specs (`specs/`), which it reads for the
//! properties their examples show as `null` (src/core/nulls.rs), so that it packages on its
//! own. The copies are the workspace's specs byte for byte: after a spec changes, copy it
//! (`cp specs/*.yaml crates/invoice-sandbox/specs/`). Outside the workspace (a packaged
//! crate) there is nothing to compare with, and the test says so and passes.

use std::path::Path;

#[test]
fn each_spec_copy_is_the_workspaces_spec() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace_specs = crate_dir.join("../../specs");
    if !workspace_specs.join("cryptocloud.yaml").is_file() {
        eprintln!("not in the workspace: no specs/ to compare the copies with");
        return;
    }
    for name in [
        "cryptocloud.yaml",
        "cryptoprocessing.yaml",
        "apiforcrypto.yaml",
    ] {
        let copy = std::fs::read(crate_dir.join("specs").join(name))
            .unwrap_or_else(|e| panic!("the crate's specs/{name}: {e}"));
        let original = std::fs::read(workspace_specs.join(name))
            .unwrap_or_else(|e| panic!("the workspace's specs/{name}: {e}"));
        assert!(
            copy == original,
            "crates/invoice-sandbox/specs/{name} differs from specs/{name}: \
             cp specs/{name} crates/invoice-sandbox/specs/"
        );
    }
}
