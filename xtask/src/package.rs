//! What a registry user sees of a generated crate: the `[package]` keys every kind shares
//! (inherited version, edition, license; readme, keywords, categories, the files packaged)
//! and its docs.rs settings. The crates are published: `cargo package` (`.ci/package`)
//! packages and verifies each.

use std::fmt::Write as _;

use crate::providers::Provider;

/// The three kinds of crate a row generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Client,
    Mocks,
    Cli,
}

impl Kind {
    fn keywords(self, provider: &Provider) -> [&str; 5] {
        match self {
            Kind::Client => [
                provider.name,
                "invoice",
                "payments",
                "cryptocurrency",
                "api-client",
            ],
            Kind::Mocks => [provider.name, "httpmock", "mock", "testing", "invoice"],
            Kind::Cli => [
                provider.name,
                "cli",
                "invoice",
                "payments",
                "cryptocurrency",
            ],
        }
    }

    /// crates.io category slugs (<https://crates.io/category_slugs>).
    fn categories(self) -> &'static [&'static str] {
        match self {
            Kind::Client => &[
                "api-bindings",
                "web-programming::http-client",
                "cryptography::cryptocurrencies",
            ],
            Kind::Mocks => &[
                "development-tools::testing",
                "cryptography::cryptocurrencies",
            ],
            Kind::Cli => &["command-line-utilities", "cryptography::cryptocurrencies"],
        }
    }
}

/// The crate's name: the row's, with the kind's suffix.
pub fn crate_name(provider: &Provider, kind: Kind) -> String {
    match kind {
        Kind::Client => provider.name.to_owned(),
        Kind::Mocks => format!("{}-httpmock", provider.name),
        Kind::Cli => format!("{}-cli", provider.name),
    }
}

/// The `[package]` lines after `name`, `description` included.
pub fn package_keys(provider: &Provider, kind: Kind, description: &str) -> String {
    let mut out = String::new();
    for key in ["version", "edition", "rust-version", "license"] {
        let _ = writeln!(out, "{key}.workspace = true");
    }
    let _ = writeln!(out, "description = {}", toml_string(description));
    out.push_str("readme = \"README.md\"\n");
    let _ = writeln!(
        out,
        "documentation = \"https://docs.rs/{}\"",
        crate_name(provider, kind)
    );
    let _ = writeln!(out, "keywords = {}", toml_list(&kind.keywords(provider)));
    let _ = writeln!(out, "categories = {}", toml_list(kind.categories()));
    // The generated sources (each with its header naming the spec and its hash) and the
    // README: nothing else is in the directory, and nothing else is to be packaged.
    out.push_str("include = [\"src/**/*.rs\", \"README.md\"]\n");
    out
}

/// docs.rs documents a client with every feature: both TLS backends and `schemars`.
pub const CLIENT_DOCS_RS: &str =
    "\n# docs.rs: documented with every feature (both TLS backends, the optional derives).\n\
     [package.metadata.docs.rs]\n\
     all-features = true\n";

/// A dependency on another crate of the workspace: its path here, its version once packaged.
pub fn path_dependency(name: &str, path: &str, version: &str, features: &[&str]) -> String {
    let mut line = format!("{name} = {{ path = \"{path}\", version = \"{version}\"");
    if !features.is_empty() {
        let _ = write!(line, ", features = {}", toml_list(features));
    }
    line.push_str(" }\n");
    line
}

/// A TOML basic string. JSON string escapes are a subset of TOML's (and
/// serde_json never emits `\/`), so serde_json does the escaping.
pub fn toml_string(s: &str) -> String {
    serde_json::to_string(s).expect("a str always serializes")
}

fn toml_list(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|item| toml_string(item)).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: Provider = Provider {
        name: "demo",
        spec: "specs/demo.yaml",
        description: "Demo client",
        ..Provider::DEFAULT
    };

    #[test]
    fn every_kind_has_five_keywords_and_valid_slugs() {
        for kind in [Kind::Client, Kind::Mocks, Kind::Cli] {
            let keys = package_keys(&ROW, kind, "d");
            assert!(keys.contains("readme = \"README.md\"\n"), "{keys}");
            assert!(!keys.contains("publish"), "{keys}");
            for keyword in kind.keywords(&ROW) {
                // crates.io: at most 20 characters, ASCII alphanumerics, `-` and `_`.
                assert!(keyword.len() <= 20, "{keyword}");
                assert!(
                    keyword
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                    "{keyword}"
                );
            }
        }
    }

    #[test]
    fn a_path_dependency_carries_its_version() {
        assert_eq!(
            path_dependency("demo", "../demo", "0.1.0", &["schemars"]),
            "demo = { path = \"../demo\", version = \"0.1.0\", features = [\"schemars\"] }\n"
        );
    }
}
