//! Making `generated/` match the expected files, or reporting how it differs.
//!
//! One code path for both modes (rust-analyzer's `ensure_file_contents`
//! idea): the check can never disagree with what a write would do.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::Path;

use similar::TextDiff;

use crate::codegen::REGEN_COMMAND;
use crate::{Error, Mode};

/// The directory xtask owns. Nothing outside it is written or removed.
pub const GENERATED_DIR: &str = "generated";

/// Per-file diffs are cut after this many lines to keep CI logs readable.
const MAX_DIFF_LINES: usize = 200;

/// What a `Mode::Write` run changed, as paths relative to the workspace root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub written: Vec<String>,
    pub removed: Vec<String>,
}

/// How `generated/` differs from what the specs produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub files: Vec<FileDrift>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDrift {
    /// Relative to the workspace root, `/`-separated.
    pub path: String,
    pub kind: DriftKind,
    /// Unified diff from the file on disk to the expected file (empty for
    /// stale files).
    pub diff: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    /// Exists with other contents.
    Changed,
    /// Expected but absent.
    Missing,
    /// Present under `generated/` but produced by no provider.
    Stale,
}

/// Brings `root/generated/` in line with `expected` (paths relative to
/// `root`, all under `generated/`), or in `Mode::Check` reports the drift.
pub fn sync(
    root: &Path,
    expected: &BTreeMap<String, String>,
    mode: Mode,
) -> Result<Outcome, Error> {
    let on_disk = list_files(root, GENERATED_DIR)?;
    let mut drift = Vec::new();
    for (path, contents) in expected {
        debug_assert!(path.starts_with("generated/"), "{path}");
        let file = root.join(path);
        let current = match fs::read(&file) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(file, e)),
        };
        let kind = match &current {
            Some(bytes) if bytes == contents.as_bytes() => continue,
            Some(_) => DriftKind::Changed,
            None => DriftKind::Missing,
        };
        let old = current.map(|b| String::from_utf8_lossy(&b).into_owned());
        drift.push(FileDrift {
            path: path.clone(),
            kind,
            diff: unified_diff(path, old.as_deref().unwrap_or(""), contents),
        });
    }
    for path in on_disk.difference(&expected.keys().cloned().collect()) {
        drift.push(FileDrift {
            path: path.clone(),
            kind: DriftKind::Stale,
            diff: String::new(),
        });
    }

    match mode {
        Mode::Check if drift.is_empty() => Ok(Outcome::default()),
        Mode::Check => Err(Error::OutOfDate(Drift { files: drift })),
        Mode::Write => {
            let mut outcome = Outcome::default();
            for file in drift {
                let path = root.join(&file.path);
                if file.kind == DriftKind::Stale {
                    fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
                    outcome.removed.push(file.path);
                } else {
                    if let Some(dir) = path.parent() {
                        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
                    }
                    fs::write(&path, &expected[&file.path]).map_err(|e| Error::io(&path, e))?;
                    outcome.written.push(file.path);
                }
            }
            remove_empty_dirs(&root.join(GENERATED_DIR), false)?;
            Ok(outcome)
        }
    }
}

/// Every file under `root/dir`, as `/`-separated paths relative to `root`.
fn list_files(root: &Path, dir: &str) -> Result<BTreeSet<String>, Error> {
    let mut files = BTreeSet::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(rel) = pending.pop() {
        let abs = root.join(&rel);
        let entries = match fs::read_dir(&abs) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(abs, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&abs, e))?;
            let child = format!("{rel}/{}", entry.file_name().to_string_lossy());
            // file_type() does not follow symlinks: a symlink is listed (and
            // removed) as a file, never descended into.
            let file_type = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            if file_type.is_dir() {
                pending.push(child);
            } else {
                files.insert(child);
            }
        }
    }
    Ok(files)
}

/// Removes directories left empty under `dir` (and `dir` itself if
/// `remove_self`). Returns whether `dir` is now gone.
fn remove_empty_dirs(dir: &Path, remove_self: bool) -> Result<bool, Error> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut empty = true;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let is_dir = entry
            .file_type()
            .map_err(|e| Error::io(entry.path(), e))?
            .is_dir();
        if !(is_dir && remove_empty_dirs(&entry.path(), true)?) {
            empty = false;
        }
    }
    if empty && remove_self {
        fs::remove_dir(dir).map_err(|e| Error::io(dir, e))?;
        return Ok(true);
    }
    Ok(false)
}

fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{path} (on disk)"), &format!("{path} (expected)"))
        .to_string();
    let total = diff.lines().count();
    if total <= MAX_DIFF_LINES {
        return diff;
    }
    let mut cut: String = diff
        .lines()
        .take(MAX_DIFF_LINES)
        .flat_map(|line| [line, "\n"])
        .collect();
    cut.push_str(&format!(
        "... ({} more diff lines)\n",
        total - MAX_DIFF_LINES
    ));
    cut
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{GENERATED_DIR}/ is out of date with specs/ ({} file(s) differ):",
            self.files.len()
        )?;
        for file in &self.files {
            let what = match file.kind {
                DriftKind::Changed => "changed",
                DriftKind::Missing => "missing",
                DriftKind::Stale => "stale, not generated by any provider",
            };
            writeln!(f, "\n{what}: {}", file.path)?;
            f.write_str(&file.diff)?;
        }
        write!(f, "\nrun `{REGEN_COMMAND}` to update {GENERATED_DIR}/")
    }
}
