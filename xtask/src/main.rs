//! `cargo xtask <command>` (alias in .cargo/config.toml).

use std::process::ExitCode;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
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
