//! `write_seeds <corpus dir>`, the specs' examples as JSON on standard input (what
//! `cargo xtask fuzz` finds in specs/*.yaml): writes each target's seeds to
//! `<corpus dir>/<target>/spec-<hash>` and prints `<target> <count>` per target. Run on
//! stable, outside cargo-fuzz: `cargo run -p invoice-fuzz --example write_seeds`.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use invoice_fuzz::seeds::{self, Example};
use sha2::{Digest, Sha256};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("write_seeds: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let corpus = PathBuf::from(
        std::env::args_os()
            .nth(1)
            .ok_or("usage: write_seeds <corpus dir> < examples.json")?,
    );
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("standard input: {e}"))?;
    let examples: Vec<Example> =
        serde_json::from_str(&input).map_err(|e| format!("the examples: {e}"))?;
    let seeds = seeds::inputs(&examples);
    for (target, _) in invoice_fuzz::TARGETS {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let inputs = seeds.get(target).map_or(&[][..], Vec::as_slice);
        for bytes in inputs {
            let name = format!("spec-{}", &hex::encode(Sha256::digest(bytes))[..16]);
            std::fs::write(dir.join(name), bytes).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        println!("{target} {}", inputs.len());
    }
    Ok(())
}
