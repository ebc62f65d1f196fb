//! The README's example ("From Rust") runs: its ```rust,ignore block stands, line for line, in
//! `readme_example` below, which runs against a sandbox started by the example itself, and
//! `the_readme_example_is_this_one` checks that the README has not drifted from it. (An
//! `ignore` block: it needs an async context and a caller's error type, given here.)

type AnyError = Box<dyn std::error::Error>;

async fn readme_example() -> Result<(), AnyError> {
    let sandbox = invoice_sandbox::Sandbox::start(invoice_sandbox::Config::default()).await?;
    let client = cryptocloud::Client::with_credentials(
        &sandbox.base_url(invoice_sandbox::Provider::CryptoCloud),
        cryptocloud::Credentials::new(sandbox.config().cryptocloud.api_key.clone())?,
    )?;
    // What the example leads to: the client's calls answered by the sandbox.
    let balance = client.get_balance().send().await?.into_inner();
    assert_eq!(balance.status, "success");
    Ok(())
}

#[tokio::test]
async fn the_readme_example_runs() {
    readme_example().await.expect("the README's example");
}

#[test]
fn the_readme_example_is_this_one() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let this: Vec<&str> = include_str!("readme.rs").lines().map(str::trim).collect();
    let mut blocks = 0;
    for block in readme.split("```rust,ignore\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        assert!(
            this.windows(lines.len()).any(|w| w == lines.as_slice()),
            "README.md: example not in tests/sandbox/readme.rs:\n{block}"
        );
        blocks += 1;
    }
    assert_eq!(blocks, 1, "README.md: the example \"From Rust\"");
}
