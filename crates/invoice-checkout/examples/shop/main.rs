//! A small shop on [`invoice_checkout::Checkout`], one code path for every provider:
//!
//! ```sh
//! cargo run -p invoice-checkout --example shop -- --provider cryptocloud --sandbox
//! ```
//!
//! With `--sandbox`, or when the provider's credentials are not in the environment, it starts
//! `invoice-sandbox` in-process, its notifications sent to the shop, and prints what to do.
//! Otherwise `Checkout::from_env()` reads the provider's variables (what `cargo run -p
//! invoice-sandbox` prints).

mod shop;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use invoice_checkout::{ApiforcryptoSettings, Checkout, Provider};

#[derive(Parser)]
#[command(about = "A small shop taking crypto payments through invoice-checkout")]
struct Flags {
    /// cryptocloud, cryptoprocessing or apiforcrypto (default: INVOICE_PROVIDER).
    #[arg(long)]
    provider: Option<Provider>,
    /// Run against invoice-sandbox in-process, whatever the environment holds.
    #[arg(long)]
    sandbox: bool,
    /// The shop's address.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
}

fn main() -> ExitCode {
    let flags = Flags::parse();
    let provider = match flags.provider {
        Some(provider) => provider,
        None => match std::env::var(Provider::ENV).map(|name| name.parse::<Provider>()) {
            Ok(Ok(provider)) => provider,
            Ok(Err(error)) => return fail(error),
            Err(_) => return fail("--provider or INVOICE_PROVIDER is required"),
        },
    };
    // Set before the runtime starts any thread: `Checkout::from_env` reads it.
    std::env::set_var(Provider::ENV, provider.name());
    let credential = credential_env(provider);
    let sandbox = flags.sandbox || std::env::var_os(credential).is_none();
    if sandbox && !flags.sandbox {
        println!("{credential} is not set: running against invoice-sandbox");
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(error),
    };
    match runtime.block_on(serve(provider, sandbox, flags.listen)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(error),
    }
}

/// The variable without which a provider cannot be used for real.
fn credential_env(provider: Provider) -> &'static str {
    match provider {
        Provider::CryptoCloud => cryptocloud::Credentials::API_KEY_ENV,
        Provider::Cryptoprocessing => cryptoprocessing::Credentials::API_KEY_ENV,
        Provider::ApiForCrypto => ApiforcryptoSettings::WALLET_ID_ENV,
    }
}

async fn serve(
    provider: Provider,
    sandbox: bool,
    listen: SocketAddr,
) -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let shop_url = format!("http://{}", listener.local_addr()?);
    // Kept alive while the shop serves: dropping the handle stops the sandbox.
    let (_sandbox, checkout) = if sandbox {
        let (sandbox, checkout) = shop::sandbox_checkout(provider, &shop_url).await?;
        print_sandbox_guide(provider, &shop_url, &sandbox.url());
        (Some(sandbox), checkout)
    } else {
        println!("shop on {shop_url}, {provider} from the environment");
        // The provider is told where to send notifications: apiforcrypto per invoice
        // (APIFORCRYPTO_CALLBACK_URL), the others in the account's settings.
        println!("  webhooks: {shop_url}/webhooks/{}", provider.name());
        (None, Checkout::from_env()?)
    };
    // Distinct per start, so that a restarted shop does not reuse an order id.
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let app = shop::Shop::new(checkout, run_id.to_string()).router();
    axum::serve(listener, app).await?;
    Ok(())
}

fn print_sandbox_guide(provider: Provider, shop: &str, sandbox: &str) {
    let name = provider.name();
    println!("shop on {shop}, {name} in invoice-sandbox on {sandbox}");
    println!("  webhooks: {shop}/webhooks/{name}");
    println!("1. create an order (the answer has its order_id, invoice_id and payment_url):");
    println!(
        "   curl -s -X POST {shop}/orders -H 'content-type: application/json' \\\n     \
         -d '{{\"amount\": \"49.90\", \"currency\": \"USD\"}}'"
    );
    println!("2. pay it on its payment_url, or through the sandbox's control API:");
    println!(
        "   curl -s -X POST {sandbox}/_sandbox/api/{name}/invoices/INVOICE_ID/pay \
         -H 'content-type: application/json' -d '{{\"kind\": \"full\"}}'"
    );
    println!("3. see it credited once: curl -s {shop}/orders/ORDER_ID");
    println!(
        "   notifications sent: {sandbox}/_sandbox/deliveries (re-send one to see it ignored)"
    );
}

fn fail(error: impl std::fmt::Display) -> ExitCode {
    eprintln!("shop: {error}");
    ExitCode::FAILURE
}
