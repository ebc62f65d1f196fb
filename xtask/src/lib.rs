//! `cargo xtask`: generates the client crates in `generated/` from the
//! OpenAPI specs in `specs/`, or checks that they are up to date.
//!
//! The drift test calls [`regen`] with [`Mode::Check`]; its error renders
//! the diff and the command to run.

mod bounded;
mod cargo_toml;
mod cli;
mod codegen;
mod credentials;
mod diagnose;
mod error;
mod extras;
mod format;
mod front_page;
mod mocks;
mod prepare;
pub mod providers;
mod rules;
mod setters;
mod settings;
pub mod spec;
mod sync;
mod walk;
mod workspace;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use codegen::{generate_crate, GeneratedCrate, GeneratedFile, Phases, REGEN_COMMAND};
pub use error::Error;
pub use providers::{Provider, PROVIDERS};
pub use spec::Spec;
pub use sync::{Drift, DriftKind, FileDrift, Outcome, GENERATED_DIR};
pub use workspace::RootManifest;

/// Whether [`regen`] writes `generated/` or only compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write changed files, delete stale ones.
    Write,
    /// Write nothing; fail with [`Error::OutOfDate`] on any difference.
    Check,
}

/// The workspace root, from this crate's location (`<root>/xtask`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Generates every crate in [`PROVIDERS`] and writes or checks `generated/`.
pub fn regen(workspace_root: &Path, mode: Mode) -> Result<Report, Error> {
    regen_providers(workspace_root, PROVIDERS, mode)
}

/// [`regen`] for another providers table (tests use scratch tables and roots).
///
/// Every crate is generated in memory before anything is written, so a
/// failing spec leaves `generated/` untouched.
pub fn regen_providers(
    workspace_root: &Path,
    providers: &[Provider],
    mode: Mode,
) -> Result<Report, Error> {
    let manifest = RootManifest::load(workspace_root)?;
    let mut crates = Vec::with_capacity(providers.len());
    let mut expected = BTreeMap::new();
    // Each row is generated on its own thread; the results are then taken in table order, so
    // errors and output do not depend on timing.
    let rows: Vec<Result<Vec<GeneratedCrate>, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = providers
            .iter()
            .map(|provider| {
                let manifest = &manifest;
                scope.spawn(move || generate_row(workspace_root, manifest, provider))
            })
            .collect();
        handles.into_iter().map(join).collect()
    });
    for (provider, row_crates) in providers.iter().zip(rows) {
        for generated in row_crates? {
            for file in &generated.files {
                if expected
                    .insert(file.path.clone(), file.contents.clone())
                    .is_some()
                {
                    return Err(Error::Provider {
                        name: provider.name.to_owned(),
                        message: format!("crate name used by two rows (both write {})", file.path),
                    });
                }
            }
            crates.push(generated);
        }
    }
    let sync_start = Instant::now();
    let outcome = sync::sync(workspace_root, &expected, mode)?;
    Ok(Report {
        mode,
        crates,
        outcome,
        sync_elapsed: sync_start.elapsed(),
    })
}

/// One row's crates: the client, then its mock crate and its command-line client if the row
/// has them. The spec is read once; the three crates are generated on threads of their own,
/// so that the largest client does not wait for its row's smaller crates.
fn generate_row(
    workspace_root: &Path,
    manifest: &RootManifest,
    provider: &Provider,
) -> Result<Vec<GeneratedCrate>, Error> {
    let parse_start = Instant::now();
    let spec = Spec::load(workspace_root, provider.spec)?;
    let parse = parse_start.elapsed();
    let start = Instant::now();
    let prepared = codegen::prepare(provider, &spec)?;
    let (spec, prepared) = (&spec, &prepared);
    let (client, mocks, cli) = std::thread::scope(|scope| {
        let mocks = provider.mocks.then(|| {
            scope.spawn(move || mocks::generate_mock_crate(manifest, provider, spec, prepared))
        });
        let cli = provider.cli.then(|| {
            scope.spawn(move || cli::generate_cli_crate(manifest, provider, spec, prepared))
        });
        let client =
            codegen::generate_client(workspace_root, manifest, provider, spec, prepared, start);
        (client, mocks.map(join), cli.map(join))
    });
    let mut generated = client?;
    generated.phases.parse = parse;
    let mut row_crates = vec![generated];
    row_crates.extend(mocks.transpose()?);
    row_crates.extend(cli.transpose()?);
    Ok(row_crates)
}

/// A generating thread's result; its panic goes on in the caller.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(value) => value,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// What a successful [`regen`] did. `Display` prints one summary line per
/// crate, then what changed on disk.
#[derive(Debug, Clone)]
pub struct Report {
    pub mode: Mode,
    pub crates: Vec<GeneratedCrate>,
    /// Files written and removed (always empty in [`Mode::Check`]).
    pub outcome: Outcome,
    /// Wall time of writing `generated/` (or, in [`Mode::Check`], comparing it with the
    /// expected files), for every crate at once.
    pub sync_elapsed: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name_width = self.crates.iter().map(|c| c.name.len()).max().unwrap_or(0);
        let spec_width = self.crates.iter().map(|c| c.spec.len()).max().unwrap_or(0);
        for c in &self.crates {
            writeln!(
                f,
                "{:<name_width$}  {:<spec_width$}  {:>3} operations  {:>3} types  {:>5} lines  {:>4} ms",
                c.name,
                c.spec,
                c.operations,
                c.types,
                c.lines(),
                c.elapsed.as_millis(),
            )?;
        }
        let Outcome { written, removed } = &self.outcome;
        match self.mode {
            Mode::Check => write!(f, "{GENERATED_DIR}/ is up to date"),
            Mode::Write if written.is_empty() && removed.is_empty() => {
                write!(f, "{GENERATED_DIR}/ was already up to date")
            }
            Mode::Write => {
                for path in written {
                    writeln!(f, "wrote   {path}")?;
                }
                for path in removed {
                    writeln!(f, "removed {path}")?;
                }
                write!(
                    f,
                    "{} file(s) written, {} removed",
                    written.len(),
                    removed.len()
                )
            }
        }
    }
}
