//! Every kept input under `fuzz/regressions/<target>/` goes through its target's check: a crash
//! the fuzzer found once (minimised with `cargo fuzz tmin`) stays a regular test, run on stable
//! with the workspace's (`cargo test -p invoice-fuzz`).

use std::fs;
use std::path::{Path, PathBuf};

/// `fuzz/`: cargo-fuzz's package, with the targets' binaries and their kept inputs.
fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn kept_inputs_pass_their_checks() {
    let root = fuzz_dir().join("regressions");
    let mut ran = 0;
    for (target, check) in invoice_fuzz::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let data = fs::read(&path).unwrap();
            println!("{target}: {}", path.display());
            check(&data);
            ran += 1;
        }
    }
    assert!(ran > 0, "no kept inputs under {}", root.display());
}

#[test]
fn every_target_has_a_binary() {
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for (target, _) in invoice_fuzz::TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "{target} has no [[bin]] in fuzz/Cargo.toml"
        );
    }
}
