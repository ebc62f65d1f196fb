//! Loading a spec: YAML → `openapiv3::OpenAPI`, plus the hash recorded in
//! every generated file's header.

use std::fmt::Write as _;
use std::path::Path;

use openapiv3::OpenAPI;
use sha2::{Digest, Sha256};

use crate::Error;

/// A parsed spec and where it came from.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Path relative to the workspace root, `/`-separated, as in the table.
    pub path: String,
    /// sha256 of the file's bytes, lowercase hex.
    pub sha256: String,
    pub api: OpenAPI,
}

impl Spec {
    /// Reads and parses `root/rel_path`.
    pub fn load(root: &Path, rel_path: &str) -> Result<Spec, Error> {
        let file = root.join(rel_path);
        let bytes = std::fs::read(&file).map_err(|e| Error::io(file, e))?;
        Spec::parse(rel_path, &bytes)
    }

    /// Parses spec text; `path` only names the spec in errors and headers.
    pub fn parse(path: &str, bytes: &[u8]) -> Result<Spec, Error> {
        let error = |message: String| Error::Spec {
            spec: path.to_owned(),
            message,
        };
        // The typed parse alone, when it succeeds on a 3.0.x document (the usual case). A 3.1
        // or Swagger 2.0 document usually fails typed parsing with a message that says
        // nothing about the version, so a failure is explained from an untyped parse.
        let api: OpenAPI = match serde_yaml_ng::from_slice::<OpenAPI>(bytes) {
            Ok(api) => api,
            Err(typed) => {
                let value: serde_yaml_ng::Value = serde_yaml_ng::from_slice(bytes)
                    .map_err(|e| error(format!("invalid YAML: {e}")))?;
                return Err(match value.get("openapi") {
                    Some(serde_yaml_ng::Value::String(v)) => {
                        unsupported(v).map(error).unwrap_or_else(|| {
                            error(format!("not a valid OpenAPI 3.0 document: {typed}"))
                        })
                    }
                    Some(other) => error(format!(
                        "`openapi` must be a version string like \"3.0.3\", found {other:?}"
                    )),
                    None if value.get("swagger").is_some() => error(
                        "Swagger 2.0 is not supported: progenitor reads only OpenAPI 3.0.x".into(),
                    ),
                    None => error("no `openapi` version field".into()),
                });
            }
        };
        if let Some(message) = unsupported(&api.openapi) {
            return Err(error(message));
        }
        Ok(Spec {
            path: path.to_owned(),
            sha256: sha256_hex(bytes),
            api,
        })
    }

    /// Number of operations (path × method) in the spec.
    pub fn operation_count(&self) -> usize {
        self.api.operations().count()
    }
}

/// Why an `openapi` version is refused, if it is.
fn unsupported(version: &str) -> Option<String> {
    (!version.trim().starts_with("3.0.")).then(|| {
        format!(
            "OpenAPI version {version} is not supported: progenitor reads only 3.0.x \
             (set `openapi: 3.0.3`)"
        )
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_lowercase_hex_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn rejects_openapi_3_1() {
        let yaml = b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n";
        let err = Spec::parse("specs/new.yaml", yaml).unwrap_err().to_string();
        assert!(err.starts_with("specs/new.yaml: "), "{err}");
        assert!(err.contains("3.1.0 is not supported"), "{err}");
    }

    #[test]
    fn rejects_swagger_2() {
        let yaml = b"swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n";
        let err = Spec::parse("specs/old.yaml", yaml).unwrap_err().to_string();
        assert!(err.contains("Swagger 2.0 is not supported"), "{err}");
    }

    #[test]
    fn accepts_3_0() {
        let yaml = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
        let spec = Spec::parse("specs/ok.yaml", yaml).unwrap();
        assert_eq!(spec.operation_count(), 0);
        assert_eq!(spec.sha256, sha256_hex(yaml));
    }
}
