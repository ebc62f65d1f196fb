//! `cargo run -p invoice-sandbox -- [--port N] [--time-scale 60] [--config sandbox.toml] ...`:
//! serves the sandbox on 127.0.0.1 until Ctrl-C, after printing its URLs and every default
//! key, secret and id.

use clap::Parser;
use invoice_sandbox::config::Flags;
use invoice_sandbox::Sandbox;

#[tokio::main]
async fn main() -> std::process::ExitCode {
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
