//! The sandbox's core (`src/core/`) names no provider: not a provider's module of this crate,
//! not a provider's generated crate, not even a provider's name in a comment. What differs per
//! provider is behind the core's `Imitation` trait, one module each in `src/provider/`, listed
//! in `src/providers.rs`.

use std::path::{Path, PathBuf};

/// Words no core file may hold, in any case: the providers' names (their crates and modules
/// are named the same).
const NAMES: [&str; 3] = ["cryptocloud", "cryptoprocessing", "apiforcrypto"];

/// Paths no core file may hold, as written: the modules that hold the providers (`src/provider/`,
/// the table `src/providers.rs`), whether used by path or in a `use` group. `crate::Provider`,
/// the public key every part shares, is another name.
const MODULES: [&str; 3] = ["crate::provider", "super::provider", "provider::"];

/// What `line` names that the core may not.
fn forbidden(line: &str) -> Vec<&'static str> {
    let lower = line.to_ascii_lowercase();
    let mut found: Vec<&str> = NAMES.into_iter().filter(|w| lower.contains(w)).collect();
    found.extend(MODULES.into_iter().filter(|m| line.contains(m)));
    // `use crate::{provider, ...}`: the module as a word of a group.
    let words = line.split(|c: char| !(c.is_alphanumeric() || c == '_'));
    if line.trim_start().starts_with("use ")
        && words.clone().any(|w| w == "provider" || w == "providers")
    {
        found.push("a provider module in a use");
    }
    found
}

fn core_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    files
}

#[test]
fn no_file_of_the_core_names_a_provider() {
    let files = core_files();
    assert!(files.len() >= 5, "the core's files are found: {files:?}");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a core file is UTF-8");
        for (number, line) in text.lines().enumerate() {
            for word in forbidden(line) {
                found.push(format!(
                    "{}:{}: names `{word}`: {}",
                    file.display(),
                    number + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the core names a provider:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_catches_every_way_of_naming_a_provider_and_not_the_shared_key() {
    for line in [
        "use crate::provider::apiforcrypto::Detail;",
        "use crate::{config, provider};",
        "    crate::providers::TABLE",
        "use super::provider::Thing;",
        "// a CryptoCloud postback",
        "Provider::Cryptoprocessing => 1,",
    ] {
        assert!(!forbidden(line).is_empty(), "caught: {line}");
    }
    for line in [
        "use crate::Provider;",
        "fn provider(&self) -> Provider;",
        "let provider = 1;",
    ] {
        assert!(forbidden(line).is_empty(), "allowed: {line}");
    }
}
