//! `cargo xtask`: generates the client crates in `generated/` from the
//! OpenAPI specs in `specs/`, or checks that they are up to date.
//!
//! The drift test calls [`regen`] with [`Mode::Check`]; its error renders
//! the diff and the command to run.

mod api_version;
mod bounded;
mod byte_stream;
mod cargo_toml;
mod checked_constructors;
mod cli;
mod codegen;
mod credentials;
mod diagnose;
mod error;
mod format;
mod front_page;
mod lifecycle;
mod mocks;
mod package;
mod prepare;
pub mod providers;
mod readme;
mod rules;
mod runtime_items;
mod schedule;
mod send_methods;
mod setters;
mod settings;
pub mod spec;
mod sync;
mod trace;
mod walk;
mod wire_body;
mod workspace;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use schedule::Task;

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
    let tasks = providers
        .iter()
        .enumerate()
        .map(|(row, provider)| row_task(row, workspace_root, &manifest, provider))
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    // In table order whatever the timing: a row's spec (an error, or nothing), then its client,
    // mocks and CLI.
    for ((row, _), result) in schedule::run(tasks, threads) {
        let provider = &providers[row];
        let Some(generated) = result? else { continue };
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
    let sync_start = Instant::now();
    let outcome = sync::sync(workspace_root, &expected, mode)?;
    Ok(Report {
        mode,
        crates,
        outcome,
        sync_elapsed: sync_start.elapsed(),
    })
}

/// What a regen task gives: a crate, or nothing (a row's spec, made ready).
type Generated = Result<Option<GeneratedCrate>, Error>;

/// Ready tasks run larger kinds first (a row's spec unlocks its other three), then larger
/// specs first.
const SPEC: u64 = 3 << 40;
const CLIENT: u64 = 2 << 40;
const CLI: u64 = 1 << 40;
const MOCKS: u64 = 0;

/// The task that reads and prepares a row's spec, once, and then makes ready the row's
/// client, mock crate and command-line client (those the row has).
fn row_task<'a>(
    row: usize,
    root: &'a Path,
    manifest: &'a RootManifest,
    provider: &'a Provider,
) -> Task<'a, Generated> {
    let size = std::fs::metadata(root.join(provider.spec)).map_or(0, |m| m.len());
    let task = move |part: usize, kind: u64, work: schedule::Work<'a, Generated>| Task {
        slot: (row, part),
        priority: kind | size,
        work,
    };
    task(
        0,
        SPEC,
        Box::new(move || {
            let parse_start = Instant::now();
            let spec = match Spec::load(root, provider.spec) {
                Ok(spec) => spec,
                Err(e) => return (Err(e), Vec::new()),
            };
            let parse = parse_start.elapsed();
            let prepare_start = Instant::now();
            let prepared = match codegen::prepare(provider, &spec) {
                Ok(prepared) => prepared,
                Err(e) => return (Err(e), Vec::new()),
            };
            let prepare = prepare_start.elapsed();
            let ready = Arc::new((spec, prepared));
            let mut next = vec![task(
                1,
                CLIENT,
                Box::new({
                    let ready = Arc::clone(&ready);
                    move || {
                        let (spec, prepared) = &*ready;
                        let generated = codegen::generate_client(
                            root, manifest, provider, spec, prepared, prepare,
                        )
                        .map(|mut generated| {
                            generated.phases.parse = parse;
                            Some(generated)
                        });
                        (generated, Vec::new())
                    }
                }),
            )];
            if provider.mocks {
                let ready = Arc::clone(&ready);
                next.push(task(
                    2,
                    MOCKS,
                    Box::new(move || {
                        let (spec, prepared) = &*ready;
                        let generated =
                            mocks::generate_mock_crate(root, manifest, provider, spec, prepared);
                        (generated.map(Some), Vec::new())
                    }),
                ));
            }
            if provider.cli {
                next.push(task(
                    3,
                    CLI,
                    Box::new(move || {
                        let (spec, prepared) = &*ready;
                        let generated = cli::generate_cli_crate(manifest, provider, spec, prepared);
                        (generated.map(Some), Vec::new())
                    }),
                ));
            }
            (Ok(None), next)
        }),
    )
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
