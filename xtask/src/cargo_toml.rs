//! The text of a generated crate's `Cargo.toml`.

use std::fmt::Write as _;

use crate::providers::Provider;
use crate::workspace::RootManifest;
use crate::Error;

/// Crates the generated code itself refers to, beyond the fixed runtime set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeDeps {
    /// `format: date-time` / `date` → `chrono`.
    pub chrono: bool,
    /// `format: uuid` → `uuid`.
    pub uuid: bool,
    /// `pattern` → `regress`.
    pub regress: bool,
}

/// Every generated crate uses these (the HTTP client, serde derives and `serde_json::Value`).
const ALWAYS: &[&str] = &["reqwest", "serde", "serde_json"];

/// Renders the manifest. `header` is the `#`-commented @generated header.
pub fn render(
    header: &str,
    provider: &Provider,
    code_deps: CodeDeps,
    root: &RootManifest,
) -> Result<String, Error> {
    let mut inherited: Vec<&str> = ALWAYS.to_vec();
    if provider.runtime.is_none() {
        // With a runtime, its `progenitor` module stands in for progenitor's client crate.
        inherited.insert(0, "progenitor-client");
    }
    for (used, name) in [
        (code_deps.chrono, "chrono"),
        (code_deps.uuid, "uuid"),
        (code_deps.regress, "regress"),
    ] {
        if used {
            inherited.push(name);
        }
    }
    // Writing `{ workspace = true }` for a crate the root lacks would break
    // loading the whole workspace, `cargo xtask` included; refuse instead.
    if let Some(missing) = inherited
        .iter()
        .find(|name| !root.dependencies.contains(**name))
    {
        return Err(Error::Workspace {
            message: format!(
                "generated crate `{}` needs `{missing}`, which is not in [workspace.dependencies]; \
                 add it there, e.g. `{}`",
                provider.name,
                suggestion(missing)
            ),
        });
    }
    // Row dependencies must not shadow inherited ones: a duplicate key is a
    // TOML error that, again, breaks the whole workspace.
    for (name, _) in provider.dependencies {
        if inherited.contains(name) {
            return Err(Error::Provider {
                name: provider.name.to_owned(),
                message: format!("dependency `{name}` is already added by xtask"),
            });
        }
    }

    let mut out = String::new();
    out.push_str(header);
    out.push('\n');
    out.push_str("[package]\n");
    let _ = writeln!(out, "name = {}", toml_string(provider.name));
    for key in ["version", "edition", "rust-version", "license", "publish"] {
        let _ = writeln!(out, "{key}.workspace = true");
    }
    let _ = writeln!(out, "description = {}", toml_string(provider.description));
    out.push_str("\n[dependencies]\n");
    for name in &inherited {
        let _ = writeln!(out, "{name} = {{ workspace = true }}");
    }
    for (name, value) in provider.dependencies {
        let _ = writeln!(out, "{name} = {value}");
    }
    // The workspace's reqwest already enables rustls; these features let a
    // user add native-tls (and keep the TLS choice visible per crate).
    out.push_str(
        "\n[features]\n\
         default = [\"rustls\"]\n\
         rustls = [\"reqwest/rustls\"]\n\
         native-tls = [\"reqwest/native-tls\"]\n",
    );
    Ok(out)
}

/// A `[workspace.dependencies]` line that satisfies what generated code uses.
fn suggestion(name: &str) -> String {
    match name {
        // `::chrono::DateTime<Utc>` / `NaiveDate` with serde derives.
        "chrono" => {
            r#"chrono = { version = "0.4", default-features = false, features = ["serde", "std"] }"#
                .into()
        }
        // `::uuid::Uuid` with serde derives.
        "uuid" => r#"uuid = { version = "1", features = ["serde"] }"#.into(),
        // typify 0.8 emits `::regress::Regex::new(..)` for `pattern`.
        "regress" => r#"regress = "0.12""#.into(),
        other => format!("{other} = \"...\""),
    }
}

/// A TOML basic string. JSON string escapes are a subset of TOML's (and
/// serde_json never emits `\/`), so serde_json does the escaping.
fn toml_string(s: &str) -> String {
    serde_json::to_string(s).expect("a str always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(deps: &[&str]) -> RootManifest {
        RootManifest {
            edition: "2021".into(),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
        }
    }

    const ROW: Provider = Provider {
        name: "demo",
        spec: "specs/demo.yaml",
        description: "Demo \"quoted\" client",
        dependencies: &[("rust_decimal", r#"{ version = "1", features = ["serde"] }"#)],
        ..Provider::DEFAULT
    };

    #[test]
    fn renders_inherited_and_row_dependencies() {
        let deps = CodeDeps {
            chrono: true,
            ..CodeDeps::default()
        };
        let all = root(&[ALWAYS, &["progenitor-client", "chrono"]].concat());
        let text = render("# header\n", &ROW, deps, &all).unwrap();
        assert!(text.starts_with("# header\n\n[package]\nname = \"demo\"\n"));
        assert!(text.contains("description = \"Demo \\\"quoted\\\" client\"\n"));
        assert!(text.contains("serde_json = { workspace = true }\nchrono = { workspace = true }\n"));
        assert!(text.contains("rust_decimal = { version = \"1\", features = [\"serde\"] }\n"));
    }

    #[test]
    fn refuses_a_dependency_missing_from_the_workspace() {
        let deps = CodeDeps {
            uuid: true,
            ..CodeDeps::default()
        };
        let err = render(
            "",
            &ROW,
            deps,
            &root(&[ALWAYS, &["progenitor-client"]].concat()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("needs `uuid`"), "{err}");
    }
}
