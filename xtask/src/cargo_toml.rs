//! The text of a generated crate's `Cargo.toml`.

use std::fmt::Write as _;

use crate::package::{self, Kind};
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

/// The provider-neutral runtime, whose `rustls` feature gives reqwest rustls with `ring`.
const RUNTIME_CRATE: &str = "invoice-primitives";

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
    match provider.runtime {
        // With a runtime, its `progenitor` module stands in for progenitor's client crate.
        None => inherited.insert(0, "progenitor-client"),
        // The crate's own `tracing` callsites (trace.rs), so that they have its target.
        Some(_) => inherited.push("tracing"),
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
    if provider.cli && !root.dependencies.contains("schemars") {
        return Err(Error::Workspace {
            message: format!(
                "generated crate `{}` needs `schemars` (its `schemars` feature), which is not in \
                 [workspace.dependencies]; add it there, e.g. `schemars = \"0.8\"`",
                provider.name
            ),
        });
    }
    for (name, _) in provider.dependencies {
        if inherited.contains(name) || *name == "schemars" {
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
    out.push_str(&package::package_keys(
        provider,
        Kind::Client,
        provider.description,
    ));
    out.push_str("\n[dependencies]\n");
    for name in &inherited {
        let _ = writeln!(out, "{name} = {{ workspace = true }}");
    }
    for (name, value) in provider.dependencies {
        let _ = writeln!(out, "{name} = {value}");
    }
    // `JsonSchema` on every generated type (codegen.rs), for the command-line client.
    if provider.cli {
        let _ = writeln!(out, "schemars = {{ workspace = true, optional = true }}");
    }
    // The TLS backend is a feature of each crate: rustls by default, native-tls instead or
    // besides. On the provider-neutral runtime, rustls uses the `ring` provider, which
    // invoice-primitives installs (reqwest's own `rustls` feature would build aws-lc-rs,
    // most of a cold build); without it, reqwest's `rustls`.
    let rustls = if provider
        .dependencies
        .iter()
        .any(|(name, _)| *name == RUNTIME_CRATE)
    {
        format!("{RUNTIME_CRATE}/rustls")
    } else {
        "reqwest/rustls".to_owned()
    };
    let _ = write!(
        out,
        "\n[features]\n\
         default = [\"rustls\"]\n\
         rustls = [{}]\n\
         native-tls = [\"reqwest/native-tls\"]\n",
        toml_string(&rustls)
    );
    if !provider.cli {
        out.push_str(package::CLIENT_DOCS_RS);
        return Ok(out);
    }
    let mut schemars = vec!["\"dep:schemars\"".to_owned()];
    schemars.extend(provider.schemars_features.iter().map(|f| toml_string(f)));
    // schemars implements `JsonSchema` for chrono's and uuid's types behind its own features.
    for (used, feature) in [
        (code_deps.chrono, "schemars/chrono"),
        (code_deps.uuid, "schemars/uuid1"),
    ] {
        if used {
            schemars.push(toml_string(feature));
        }
    }
    out.push_str(
        "# `schemars::JsonSchema` on every type (the command-line client needs it); off by default.\n",
    );
    let _ = writeln!(out, "schemars = [{}]", schemars.join(", "));
    out.push_str(package::CLIENT_DOCS_RS);
    Ok(out)
}

/// A `[workspace.dependencies]` line that satisfies what generated code uses.
/// Fails unless each of `needed` is in the root's `[workspace.dependencies]`, which a
/// companion crate (`kind`: "mock", "CLI") of a client inherits them from.
pub fn require_workspace_deps(
    root: &RootManifest,
    kind: &str,
    name: &str,
    needed: &[&str],
) -> Result<(), Error> {
    match needed.iter().find(|dep| !root.dependencies.contains(**dep)) {
        Some(missing) => Err(Error::Workspace {
            message: format!(
                "the {kind} crate `{name}` needs `{missing}` in [workspace.dependencies]"
            ),
        }),
        None => Ok(()),
    }
}

/// The row's own `[dependencies]` lines: a companion crate of the client names the types its
/// parameters use (the runtime's, say) by path, so it needs them too.
pub fn row_dependency_lines(provider: &Provider) -> String {
    provider
        .dependencies
        .iter()
        .map(|(name, value)| format!("{name} = {value}\n"))
        .collect()
}

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
        // The crate's `tracing` callsites (trace.rs); the facade alone.
        "tracing" => {
            r#"tracing = { version = "0.1", default-features = false, features = ["std"] }"#.into()
        }
        other => format!("{other} = \"...\""),
    }
}

use package::toml_string;

#[cfg(test)]
mod tests {
    use super::*;

    fn root(deps: &[&str]) -> RootManifest {
        RootManifest {
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            version: Some("0.1.0".to_owned()),
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
        let all = root(&[ALWAYS, &["progenitor-client", "chrono", "schemars"]].concat());
        let text = render("# header\n", &ROW, deps, &all).unwrap();
        assert!(text.starts_with("# header\n\n[package]\nname = \"demo\"\n"));
        assert!(text.contains("description = \"Demo \\\"quoted\\\" client\"\n"));
        assert!(text.contains("serde_json = { workspace = true }\nchrono = { workspace = true }\n"));
        assert!(text.contains("rust_decimal = { version = \"1\", features = [\"serde\"] }\n"));
    }

    #[test]
    fn a_row_with_a_cli_gets_an_optional_schemars_feature() {
        let row = Provider {
            cli: true,
            schemars_features: &["runtime/schemars"],
            ..ROW
        };
        let deps = CodeDeps {
            chrono: true,
            ..CodeDeps::default()
        };
        let all = root(&[ALWAYS, &["progenitor-client", "chrono", "schemars"]].concat());
        let text = render("", &row, deps, &all).unwrap();
        assert!(text.contains("schemars = { workspace = true, optional = true }\n"));
        assert!(text.contains(
            "schemars = [\"dep:schemars\", \"runtime/schemars\", \"schemars/chrono\"]\n"
        ));
        assert!(text.ends_with("[package.metadata.docs.rs]\nall-features = true\n"));
        let plain = render("", &ROW, deps, &all).unwrap();
        assert!(!plain.contains("schemars"), "{plain}");
    }

    #[test]
    fn a_row_with_a_runtime_inherits_tracing() {
        let row = Provider {
            runtime: Some("::runtime"),
            ..ROW
        };
        let all = root(&[ALWAYS, &["tracing"]].concat());
        let text = render("", &row, CodeDeps::default(), &all).unwrap();
        assert!(
            text.contains("serde_json = { workspace = true }\ntracing = { workspace = true }\n")
        );
        assert!(!text.contains("progenitor-client"), "{text}");
        let err = render("", &row, CodeDeps::default(), &root(ALWAYS)).unwrap_err();
        assert!(err.to_string().contains("needs `tracing`"), "{err}");
        assert!(
            err.to_string().contains("default-features = false"),
            "{err}"
        );
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
