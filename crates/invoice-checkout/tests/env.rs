//! `Checkout::from_env`: the provider from `INVOICE_PROVIDER`, and its settings from the
//! variables the sandbox prints at start. The only test of this binary, since it sets the
//! process's environment.

use invoice_checkout::{ApiforcryptoOrder, Checkout, CheckoutError, Decimal, Order, Provider};
use invoice_sandbox::{Config, Sandbox};

/// Every variable a checkout reads.
const VARIABLES: [&str; 11] = [
    "INVOICE_PROVIDER",
    "CRYPTOCLOUD_BASE_URL",
    "CRYPTOCLOUD_API_KEY",
    "CRYPTOCLOUD_SHOP_ID",
    "CRYPTOCLOUD_SECRET",
    "CRYPTOPROCESSING_BASE_URL",
    "CRYPTOPROCESSING_API_KEY",
    "CRYPTOPROCESSING_SECRET",
    "APIFORCRYPTO_BASE_URL",
    "APIFORCRYPTO_WALLET_ID",
    "APIFORCRYPTO_CALLBACK_URL",
];

fn config_error(result: Result<Checkout, CheckoutError>) -> String {
    match result {
        Err(CheckoutError::Config(message)) => message,
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[tokio::test]
async fn each_provider_from_the_variables_the_sandbox_prints() {
    for name in VARIABLES {
        std::env::remove_var(name);
    }
    assert!(config_error(Checkout::from_env()).contains("INVOICE_PROVIDER is not set"));
    std::env::set_var("INVOICE_PROVIDER", "coinbase");
    assert!(config_error(Checkout::from_env()).contains("unknown provider `coinbase`"));

    // What the sandbox prints for the generated clients, receivers and a checkout.
    let sandbox = Sandbox::start(Config::default()).await.expect("it starts");
    let printed = sandbox.config().describe(&sandbox.url());
    for (name, value) in printed
        .split_whitespace()
        .filter_map(|word| word.split_once('='))
        .filter(|(name, _)| VARIABLES.contains(name))
    {
        std::env::set_var(name, value);
    }

    let order = Order::new(Decimal::new(4990, 2), "USD", "ORDER-ENV")
        .success_url("https://shop.example/paid")
        .failure_url("https://shop.example/failed")
        .apiforcrypto(ApiforcryptoOrder::new("ethereum", "USDT"));
    for provider in Provider::ALL {
        std::env::set_var("INVOICE_PROVIDER", provider.name());
        let checkout = Checkout::from_env().expect("configured from the environment");
        assert_eq!(checkout.provider(), provider);
        let invoice = checkout
            .create(&order)
            .await
            .expect("the sandbox creates it");
        assert_eq!(invoice.provider, provider);
    }

    // A variable the provider needs, missing, is named.
    for (provider, needed) in [
        ("cryptocloud", "CRYPTOCLOUD_SHOP_ID"),
        ("cryptocloud", "CRYPTOCLOUD_SECRET"),
        ("apiforcrypto", "APIFORCRYPTO_WALLET_ID"),
    ] {
        let kept = std::env::var(needed).expect("printed by the sandbox");
        std::env::set_var("INVOICE_PROVIDER", provider);
        std::env::remove_var(needed);
        assert!(
            config_error(Checkout::from_env()).contains(needed),
            "{needed}"
        );
        std::env::set_var(needed, kept);
    }
    std::env::set_var("INVOICE_PROVIDER", "cryptoprocessing");
    std::env::remove_var("CRYPTOPROCESSING_SECRET");
    assert!(config_error(Checkout::from_env()).contains("CRYPTOPROCESSING_SECRET"));
    sandbox.shutdown().await;
}
