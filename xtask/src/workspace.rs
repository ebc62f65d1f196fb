//! What xtask needs from the root `Cargo.toml`: its workspace dependencies and version.
//!
//! A line scan rather than a TOML parser: the root manifest is ours and
//! plainly formatted, and this keeps xtask's dependencies few.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::Error;

/// What the generated crates inherit from the root manifest.
#[derive(Debug, Clone)]
pub struct RootManifest {
    /// Keys of `[workspace.dependencies]`: a generated manifest may only say
    /// `{ workspace = true }` for these, or cargo (and with it `cargo xtask`)
    /// could no longer load the workspace.
    pub dependencies: BTreeSet<String>,
    /// `[workspace.package] version`, which the generated crates inherit: their dependencies
    /// on one another carry it, so that they package (`cargo package` needs a version).
    pub version: Option<String>,
}

impl RootManifest {
    pub fn load(root: &Path) -> Result<RootManifest, Error> {
        let path: PathBuf = root.join("Cargo.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Ok(RootManifest::parse(&text))
    }

    pub fn parse(text: &str) -> RootManifest {
        let mut table = "";
        let mut dependencies = BTreeSet::new();
        let mut version = None;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                table = line;
                continue;
            }
            let Some((key, _)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim().trim_matches('"');
            if key.is_empty() || key.starts_with('#') {
                continue;
            }
            if table == "[workspace.package]" && key == "version" {
                let value = line.split_once('=').map_or("", |(_, v)| v);
                version = Some(value.trim().trim_matches('"').to_owned());
            }
            if table == "[workspace.dependencies]" {
                // `serde.workspace = ...` style dotted keys name `serde`.
                let name = key.split('.').next().unwrap_or(key);
                dependencies.insert(name.to_owned());
            }
        }
        RootManifest {
            dependencies,
            version,
        }
    }

    /// The version a generated crate's dependency on another generated or workspace crate
    /// carries beside its path.
    pub fn version(&self) -> Result<&str, Error> {
        self.version.as_deref().ok_or_else(|| Error::Workspace {
            message: "the generated crates depend on one another by path and version, and \
                      inherit `[workspace.package] version`, which the root Cargo.toml lacks; \
                      add it there, e.g. `version = \"0.1.0\"`"
                .to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dependency_names() {
        let m = RootManifest::parse(
            "[workspace]\nmembers = [\"a\"]\n\n[workspace.package]\nversion = \"0.3.1\"\n\
             edition = \"2021\"\n\
             \n[workspace.dependencies]\n# comment = 1\nserde = { version = \"1\" }\n\
             \"quoted\" = \"1\"\nsyn.version = \"3\"\n\n[profile.dev]\nopt-level = 1\n",
        );
        let names: Vec<_> = m.dependencies.iter().map(String::as_str).collect();
        assert_eq!(names, ["quoted", "serde", "syn"]);
        assert_eq!(m.version().unwrap(), "0.3.1");
        assert!(
            RootManifest::parse("[workspace.dependencies]\nserde = \"1\"\n")
                .version()
                .is_err()
        );
    }
}
