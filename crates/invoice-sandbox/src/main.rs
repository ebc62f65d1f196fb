//! `cargo run -p invoice-sandbox -- [--port N] [--time-scale 60] [--config sandbox.toml] ...`:
//! serves the sandbox on 127.0.0.1 until Ctrl-C, after printing its URLs and every default
//! key, secret and id. `RUST_LOG` selects what is logged on standard error (warnings by
//! default; `RUST_LOG=invoice_sandbox=info` logs every request and delivery).

use std::io::IsTerminal as _;

use clap::Parser;
use invoice_sandbox::config::Flags;
use invoice_sandbox::Sandbox;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Requests and deliveries as the library records them, on standard error: warnings only
    // unless RUST_LOG asks for more (`RUST_LOG=invoice_sandbox=info`, `=trace` for bodies).
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::builder()
                .with_default_directive(tracing::level_filters::LevelFilter::WARN.into())
                .from_env_lossy(),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = match Flags::parse().into_config() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("invoice-sandbox: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("invoice-sandbox: cannot start: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{}", sandbox.config().describe(&sandbox.url()));
    println!("Press Ctrl-C to stop.");
    sandbox.run_until_ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
