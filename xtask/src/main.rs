//! `cargo xtask <command>` (alias in .cargo/config.toml).

mod fuzz;

use std::process::{Command as Process, ExitCode};

use clap::{Parser, Subcommand};
use xtask::{regen, workspace_root, Mode};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Workspace automation"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the client crates in generated/ from the specs in specs/.
    Regen {
        /// Write nothing; exit non-zero if generated/ is not up to date.
        #[arg(long)]
        check: bool,
    },
    /// Build the benchmarks in release mode and run them; see BENCHMARKS.md.
    Bench {
        /// Also rewrite the results section of BENCHMARKS.md with this run's tables.
        #[arg(long)]
        write: bool,
        /// Arguments for the benchmark binary (`cargo xtask bench -- --help` lists them).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Write the seed corpus from the specs' examples, build the cargo-fuzz targets of fuzz/
    /// (nightly, cargo-fuzz) and run each; see BENCHMARKS.md, section Fuzzing.
    Fuzz {
        /// Only write the seed corpus (fuzz/corpus/<target>/spec-*).
        #[arg(long)]
        seed: bool,
        /// Seconds to run each target.
        #[arg(long, default_value_t = 60)]
        time: u64,
        /// Targets run at once, one core each (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Run only this target (repeatable).
        #[arg(long)]
        only: Vec<String>,
        /// The longest input libFuzzer makes, in bytes.
        #[arg(long, default_value_t = 4096)]
        max_len: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench { write, args } => return bench(write, &args),
        Command::Fuzz {
            seed,
            time,
            jobs,
            only,
            max_len,
        } => {
            let jobs = jobs.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
            });
            let options = fuzz::Options {
                seed_only: seed,
                time,
                jobs,
                only,
                max_len,
            };
            return fuzz::run(&workspace_root(), &options);
        }
        Command::Regen { check } => {
            let mode = if check { Mode::Check } else { Mode::Write };
            regen(&workspace_root(), mode)
        }
    };
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo run --release -p benchmarks -- [--write BENCHMARKS.md] ARGS`, from the workspace root.
fn bench(write: bool, args: &[String]) -> ExitCode {
    let root = workspace_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Process::new(cargo);
    command
        .args(["run", "--release", "--package", "benchmarks", "--"])
        .current_dir(&root);
    if write {
        command.arg("--write").arg(root.join("BENCHMARKS.md"));
    }
    command.args(args);
    match command.status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: cannot run cargo: {error}");
            ExitCode::FAILURE
        }
    }
}
