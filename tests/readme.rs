//! The READMEs' examples run: each ```rust block of README.md and of the published crates'
//! READMEs (what their registry pages show; the generated ones written by xtask/src/readme.rs)
//! stands, line for line, in a function below (`readme_examples_are_mirrored` checks that no
//! README has drifted from them), and `readme_examples_run` runs every one against the local
//! sandbox (`crates/invoice-sandbox`) on 127.0.0.1, which checks the credentials as the
//! providers do, or against the generated mocks.

use axum::http::StatusCode;
use invoice_sandbox::{Config, Provider, Sandbox};

type AnyError = Box<dyn std::error::Error>;

async fn cryptocloud_example() -> Result<(), AnyError> {
    use cryptocloud::types::InvoiceCreateRequest;

    // The API key from CRYPTOCLOUD_API_KEY (sent as `Authorization: Token <API KEY>`); the base
    // URL from CRYPTOCLOUD_BASE_URL, or cryptocloud::BASE_URL.
    let client = cryptocloud::Client::from_env()?;
    let invoice = client
        .create_invoice()
        .body(
            InvoiceCreateRequest::builder()
                .shop_id("xBAivfPIbskwuEWj")
                .amount("100.00")
                .currency("USD")
                .order_id("ORDER-1001"),
        )
        .send()
        .await?
        .into_inner()
        .result;
    println!("pay {} at {}", invoice.amount, invoice.link);
    Ok(())
}

async fn cryptoprocessing_example() -> Result<(), AnyError> {
    use cryptoprocessing::types::InvoiceCreateRequest;

    // CRYPTOPROCESSING_API_KEY and CRYPTOPROCESSING_SECRET: `X-Processing-Key`, and
    // `X-Processing-Signature`, the HMAC-SHA512 of the exact body bytes sent.
    let client = cryptoprocessing::Client::from_env()?;
    let invoice = client
        .create_invoice()
        .body(
            InvoiceCreateRequest::builder()
                .timer(false)
                .title("Invoice Title")
                .foreign_id("user_196")
                .currency("EUR")
                .amount("106.75"),
        )
        .send()
        .await?
        .into_inner()
        .data;
    println!("invoice {} at {}", invoice.id, invoice.url);
    Ok(())
}

async fn apiforcrypto_example() -> Result<(), AnyError> {
    use apiforcrypto::types::{FiatAmount, InvoiceCreateRequest};

    // No API key is documented: the wallet id in the path identifies the merchant.
    let client = apiforcrypto::Client::from_env()?;
    let created = client
        .create_invoice()
        .wallet_id("your-wallet-id")
        .body(
            InvoiceCreateRequest::builder()
                .blockchain("ethereum")
                .symbol("USDT")
                .fiat_currency(FiatAmount::builder().currency("USD").value("100"))
                .expiry(30)
                .confirmations(3),
        )
        .send()
        .await?;
    let again = client
        .get_invoice()
        .uuid(created.id.as_str())
        .send()
        .await?;
    println!("{} is {} (HTTP {})", again.id, again.status, again.status());
    Ok(())
}

async fn checkout_example() -> Result<(), AnyError> {
    use invoice_checkout::{ApiforcryptoOrder, Checkout, Decimal, Order};

    // INVOICE_PROVIDER=cryptocloud|cryptoprocessing|apiforcrypto, and that provider's variables.
    let checkout = Checkout::from_env()?;
    let order = Order::new(Decimal::new(4990, 2), "USD", "ORDER-1002")
        .success_url("https://shop.example/paid")
        .failure_url("https://shop.example/failed")
        .apiforcrypto(ApiforcryptoOrder::new("ethereum", "USDT")); // only apiforcrypto needs it
    let invoice = checkout.create(&order).await?;
    println!("pay {} at {:?}", invoice.invoice_id, invoice.payment_url);
    if checkout.provider().offers_status() {
        let status = checkout.status(&invoice.invoice_id).await?;
        println!("{}: paid {:?}", status.lifecycle, status.paid);
    }
    // The webhook route: `checkout.verify(&headers, &body).await?` is an `Event` (its lifecycle,
    // what was paid, the order id, the dedup key) whichever provider sent it.
    Ok(())
}

async fn explicit_config_example(
    api_key: &str,
    secret_key: &str,
    base_url: &str,
) -> Result<cryptoprocessing::Client, AnyError> {
    use cryptoprocessing::{Client, Config, Credentials, RetryPolicy};
    use std::time::Duration;

    let config = Config::new(Credentials::new(api_key, secret_key)?)
        .with_timeout(Duration::from_secs(10))
        .with_retry(RetryPolicy::none());
    let client = Client::new(base_url, config)?;
    Ok(client)
}

async fn paging_example(client: &cryptocloud::Client) -> Result<(), AnyError> {
    use cryptocloud_ext::ClientExt;
    use futures::TryStreamExt;

    let (start, end) = ("01.01.2024".parse()?, "31.01.2024".parse()?);
    let invoices = client.list_all(start, end, cryptocloud_ext::MAX_PAGE);
    invoices
        .try_for_each(|invoice| async move {
            println!(
                "{} {} {}",
                invoice.uuid.as_str(),
                invoice.status,
                invoice.amount_usd
            );
            Ok(())
        })
        .await?;

    let lookup = client.get_many(["INV-89UX09KA", "XXXXXXXX"], 4).await?;
    println!("found {}, missing {:?}", lookup.found.len(), lookup.missing);
    Ok(())
}

async fn error_matching_example(client: &cryptocloud::Client) -> Result<(), AnyError> {
    use cryptocloud::types::InvoiceInfoRequest;
    use cryptocloud::ApiError;

    let request = InvoiceInfoRequest::builder().uuids(vec!["INV-89UX09KA".to_owned()]);
    match client.get_invoices().body(request).send().await {
        Ok(found) => println!("{} invoices", found.result.len()),
        Err(ApiError::Provider { status, body, .. }) if status == 401 => {
            let detail = body.parsed().and_then(|b| b.detail.clone());
            eprintln!("CryptoCloud refused the API key: {detail:?}");
        }
        Err(ApiError::InvalidRequest(why)) => eprintln!("not sent: {why}"),
        Err(other) => eprintln!("HTTP {:?}: {other}", other.status()),
    }
    Ok(())
}

async fn mocks_example() -> Result<(), AnyError> {
    use cryptocloud::types::{InvoiceCreateRequest, InvoiceCreateResponse};
    use cryptocloud::{Client, Credentials};
    use cryptocloud_httpmock::MockServerExt;
    use httpmock::MockServer;

    let server = MockServer::start_async().await;
    let request: InvoiceCreateRequest = InvoiceCreateRequest::builder()
        .shop_id("xBAivfPIbskwuEWj")
        .amount("100.00")
        .currency("USD")
        .order_id("ORDER-1001")
        .try_into()?;
    // The documented answer (specs/cryptocloud.yaml, create_invoice, 200 `documented`).
    let answer: InvoiceCreateResponse = serde_json::from_value(serde_json::json!({
        "status": "success",
        "result": {
            "uuid": "INV-XXXXXXXX", "created": "2023-01-01 12:00:00.000000", "address": "",
            "expiry_date": "2023-01-02 12:00:00.000000", "side_commission": "client",
            "side_commission_cc": "client", "amount": 100.0, "amount_usd": 100.0,
            "amount_in_fiat": 100.0, "fee": 1.4, "fee_usd": 1.4, "service_fee": 1.9,
            "service_fee_usd": 1.9, "type_payments": "crypto", "fiat_currency": "USD",
            "status": "created", "is_email_required": false,
            "link": "https://pay.cryptocloud.plus/XXXXXXXX", "test_mode": false,
            "currency": {
                "id": 4, "code": "USDT", "fullcode": "USDT_TRC20", "name": "Tether",
                "is_email_required": false, "stablecoin": true, "order": 1,
                "icon_base": "https://cdn.cryptocloud.plus/currency/icons/main/usdt.svg",
                "icon_network": "https://cdn.cryptocloud.plus/icons-currency/USDT-TRC20.svg",
                "icon_qr": "https://cdn.cryptocloud.plus/currency/icons/stroke/usdt.svg",
                "network": {
                    "code": "TRC20", "id": 4, "fullname": "Tron",
                    "icon": "https://cdn.cryptocloud.plus/currency/crypto/TRX.svg"
                }
            },
            "project": {
                "id": 1, "name": "TestShop", "logo": "None",
                "fail": "https://TestShop.com/fail", "success": "https://TestShop.com/success"
            }
        }
    }))?;
    let mock = server.create_invoice(|when, then| {
        when.body(&request); // method, path and the exact JSON body
        then.ok(&answer); // 200 with the typed body
    });

    let client = Client::with_credentials(&server.base_url(), Credentials::new("test-key")?)?;
    let invoice = client.create_invoice().body(request).send().await?;
    assert_eq!(invoice.result.link, "https://pay.cryptocloud.plus/XXXXXXXX");
    mock.assert_async().await; // exactly one matching request arrived
    Ok(())
}

async fn sandbox_example() -> Result<(), AnyError> {
    use cryptocloud::types::{InvoiceCreateRequest, InvoiceInfoRequest};
    use invoice_sandbox::{Config, Provider, Sandbox};

    let sandbox = Sandbox::start(Config::default()).await?; // 127.0.0.1, a free port
    let keys = &sandbox.config().cryptocloud;
    let client = cryptocloud::Client::with_credentials(
        &sandbox.base_url(Provider::CryptoCloud),
        cryptocloud::Credentials::new(keys.api_key.clone())?,
    )?;
    let invoice = client
        .create_invoice()
        .body(
            InvoiceCreateRequest::builder()
                .shop_id(keys.shop_id.clone())
                .amount("49.90"),
        )
        .send()
        .await?
        .into_inner()
        .result;
    // What the customer does on `invoice.link`, through the control API.
    let pay = sandbox.control_url(&format!("cryptocloud/invoices/{}/pay", *invoice.uuid));
    let paid = reqwest::Client::new()
        .post(pay)
        .json(&serde_json::json!({"kind": "full"}));
    paid.send().await?.error_for_status()?;
    let info = client
        .get_invoices()
        .body(InvoiceInfoRequest::builder().uuids(vec![invoice.uuid.to_string()]))
        .send()
        .await?;
    assert_eq!(info.result[0].status.as_str(), "paid");
    Ok(())
}

// The generated client crates' READMEs: their guide's first block (xtask/inline/<provider>.md).

async fn cryptocloud_crate_example(client: &cryptocloud::Client) -> Result<(), AnyError> {
    use cryptocloud::types::InvoiceCreateRequest;

    let invoice = client
        .create_invoice()
        .body(
            InvoiceCreateRequest::builder()
                .shop_id("xBAivfPIbskwuEWj")
                .amount("100.00")
                .currency("USD")
                .order_id("ORDER-1001"),
        )
        .send()
        .await?
        .into_inner()
        .result;
    println!("pay {} at {}", invoice.amount, invoice.link);
    Ok(())
}

async fn cryptoprocessing_crate_example(client: &cryptoprocessing::Client) -> Result<(), AnyError> {
    use cryptoprocessing::types::InvoiceCreateRequest;

    let invoice = client
        .create_invoice()
        .body(
            InvoiceCreateRequest::builder()
                .timer(false)
                .title("Invoice Title")
                .foreign_id("user_196")
                .currency("EUR")
                .amount("106.75"),
        )
        .send()
        .await?
        .into_inner()
        .data;
    println!("invoice {} at {}", invoice.id, invoice.url);
    Ok(())
}

async fn apiforcrypto_crate_example(client: &apiforcrypto::Client) -> Result<(), AnyError> {
    use apiforcrypto::types::{FiatAmount, InvoiceCreateRequest};

    let created = client
        .create_invoice()
        .wallet_id("your-wallet-id")
        .body(
            InvoiceCreateRequest::builder()
                .blockchain("ethereum")
                .symbol("USDT")
                .fiat_currency(FiatAmount::builder().currency("USD").value("100"))
                .expiry(30)
                .confirmations(3),
        )
        .send()
        .await?;
    let again = client
        .get_invoice()
        .uuid(created.id.as_str())
        .send()
        .await?;
    println!("{}", again.status);
    Ok(())
}

// The other httpmock crates' READMEs (xtask/inline/<provider>-httpmock.md); cryptocloud's is
// `mocks_example` above.

async fn cryptoprocessing_mocks_example() -> Result<(), AnyError> {
    use cryptoprocessing::{Client, Credentials};
    use cryptoprocessing_httpmock::MockServerExt;
    use httpmock::MockServer;

    let server = MockServer::start_async().await;
    let mock = server.ping(|_when, then| {
        then.ok(); // 200, as documented
    });
    let credentials = Credentials::new("api-key", "secret-key")?;
    let client = Client::with_credentials(&server.base_url(), credentials)?;
    assert_eq!(client.ping().send().await?.status(), 200);
    mock.assert_async().await; // exactly one matching request arrived
    Ok(())
}

async fn apiforcrypto_mocks_example() -> Result<(), AnyError> {
    use apiforcrypto::types::ErrorResponse;
    use apiforcrypto::{ApiError, Client, Credentials, PathSegment};
    use apiforcrypto_httpmock::MockServerExt;
    use httpmock::MockServer;

    let server = MockServer::start_async().await;
    let missing: ErrorResponse = serde_json::from_value(serde_json::json!({
        "message": "Wallet not found"
    }))?;
    let wallet: PathSegment = "no-such-wallet".parse()?;
    let mock = server.get_wallet(|when, then| {
        when.wallet_id(&wallet); // the path segment, exactly
        then.not_found(&missing); // 404 with the documented error body
    });
    let client = Client::with_credentials(&server.base_url(), Credentials::new())?;
    let refused = client.get_wallet().wallet_id("no-such-wallet").send().await;
    assert!(matches!(refused, Err(ApiError::Provider { status, .. }) if status == 404));
    mock.assert_async().await; // exactly one matching request arrived
    Ok(())
}

/// The README's own placeholders, which the sandbox is configured to accept.
const SHOP_ID: &str = "xBAivfPIbskwuEWj";
const WALLET_ID: &str = "your-wallet-id";

#[tokio::test]
async fn readme_examples_run() {
    let mut config = Config::default();
    config.cryptocloud.shop_id = SHOP_ID.to_owned();
    config.apiforcrypto.wallet_ids = vec![WALLET_ID.to_owned()];
    let sandbox = Sandbox::start(config).await.unwrap();
    let keys = sandbox.config().clone();
    let cryptocloud_url = sandbox.base_url(Provider::CryptoCloud);
    let cryptoprocessing_url = sandbox.base_url(Provider::Cryptoprocessing);
    let apiforcrypto_url = sandbox.base_url(Provider::ApiForCrypto);
    // The README's clients come from the environment; only this test in this binary reads it.
    for (name, value) in [
        ("CRYPTOCLOUD_API_KEY", keys.cryptocloud.api_key.as_str()),
        ("CRYPTOCLOUD_BASE_URL", &cryptocloud_url),
        ("CRYPTOPROCESSING_API_KEY", &keys.cryptoprocessing.api_key),
        ("CRYPTOPROCESSING_SECRET", &keys.cryptoprocessing.secret_key),
        ("CRYPTOPROCESSING_BASE_URL", &cryptoprocessing_url),
        ("APIFORCRYPTO_BASE_URL", &apiforcrypto_url),
        // What the checkout needs besides (the sandbox prints them).
        ("CRYPTOCLOUD_SHOP_ID", SHOP_ID),
        ("CRYPTOCLOUD_SECRET", &keys.cryptocloud.secret_key),
        ("APIFORCRYPTO_WALLET_ID", WALLET_ID),
    ] {
        std::env::set_var(name, value);
    }
    cryptocloud_example().await.unwrap();
    cryptoprocessing_example().await.unwrap();
    apiforcrypto_example().await.unwrap();

    let explicit = explicit_config_example(
        &keys.cryptoprocessing.api_key,
        &keys.cryptoprocessing.secret_key,
        &cryptoprocessing_url,
    )
    .await
    .unwrap();
    let created = explicit
        .create_invoice()
        .body(
            cryptoprocessing::types::InvoiceCreateRequest::builder()
                .timer(false)
                .title("t")
                .foreign_id("f")
                .currency("EUR")
                .amount("10"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);

    let client = cryptocloud::Client::from_env().unwrap();
    paging_example(&client).await.unwrap();
    error_matching_example(&client).await.unwrap();
    let wrong_key = cryptocloud::Client::with_credentials(
        &cryptocloud_url,
        cryptocloud::Credentials::new("wrong").unwrap(),
    )
    .expect("a valid base URL");
    error_matching_example(&wrong_key).await.unwrap();
    let refused = wrong_key
        .get_invoices()
        .body(cryptocloud::types::InvoiceInfoRequest::builder().uuids(vec!["INV-1".to_owned()]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(StatusCode::UNAUTHORIZED));

    // Run here, not in a test of its own: this test sets the environment, which must not
    // change while another thread of this binary reads it (reqwest reads proxy variables).
    mocks_example().await.unwrap();

    sandbox_example().await.unwrap();
    cryptoprocessing_mocks_example().await.unwrap();
    apiforcrypto_mocks_example().await.unwrap();

    // The checkout's example, once per provider.
    for provider in ["cryptocloud", "cryptoprocessing", "apiforcrypto"] {
        std::env::set_var("INVOICE_PROVIDER", provider);
        checkout_example().await.unwrap();
    }

    // What the examples did is in the sandbox: one invoice per provider's example, the one the
    // explicit configuration made, and the checkout's, one per provider.
    let held: serde_json::Value = reqwest::get(sandbox.control_url("invoices"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let providers: Vec<&str> = held
        .as_array()
        .expect("a list of invoices")
        .iter()
        .map(|invoice| invoice["provider"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        providers,
        [
            "cryptocloud",
            "cryptoprocessing",
            "apiforcrypto",
            "cryptoprocessing",
            "cryptocloud",
            "cryptoprocessing",
            "apiforcrypto"
        ],
        "{held:#}"
    );

    // The client crates' READMEs, in a sandbox of their own: they use the same order and
    // foreign ids as the workspace README's, which a provider refuses the second time.
    let config = sandbox.config().clone();
    let crates = Sandbox::start(config).await.unwrap();
    let cryptocloud = cryptocloud::Client::with_credentials(
        &crates.base_url(Provider::CryptoCloud),
        cryptocloud::Credentials::new(keys.cryptocloud.api_key.clone()).unwrap(),
    )
    .unwrap();
    cryptocloud_crate_example(&cryptocloud).await.unwrap();
    let cryptoprocessing = cryptoprocessing::Client::with_credentials(
        &crates.base_url(Provider::Cryptoprocessing),
        cryptoprocessing::Credentials::new(
            keys.cryptoprocessing.api_key.clone(),
            keys.cryptoprocessing.secret_key.clone(),
        )
        .unwrap(),
    )
    .unwrap();
    cryptoprocessing_crate_example(&cryptoprocessing)
        .await
        .unwrap();
    let apiforcrypto = apiforcrypto::Client::with_credentials(
        &crates.base_url(Provider::ApiForCrypto),
        apiforcrypto::Credentials::new(),
    )
    .unwrap();
    apiforcrypto_crate_example(&apiforcrypto).await.unwrap();
    let held: serde_json::Value = reqwest::get(crates.control_url("invoices"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let providers: Vec<&str> = held
        .as_array()
        .expect("a list of invoices")
        .iter()
        .map(|invoice| invoice["provider"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        providers,
        ["cryptocloud", "cryptoprocessing", "apiforcrypto"],
        "{held:#}"
    );
}

/// Every README with ```rust examples, and how many each has.
const READMES: &[(&str, usize, &str)] = &[
    (
        "README.md",
        5,
        "one example per provider, matching an error, the sandbox",
    ),
    (
        "crates/invoice-primitives/README.md",
        1,
        "explicit configuration",
    ),
    ("crates/cryptocloud-ext/README.md", 1, "paging"),
    ("crates/invoice-checkout/README.md", 1, "the checkout"),
    ("generated/cryptocloud/README.md", 1, "one call"),
    ("generated/cryptoprocessing/README.md", 1, "one call"),
    ("generated/apiforcrypto/README.md", 1, "one call"),
    ("generated/cryptocloud-httpmock/README.md", 1, "a mock"),
    ("generated/cryptoprocessing-httpmock/README.md", 1, "a mock"),
    ("generated/apiforcrypto-httpmock/README.md", 1, "a mock"),
];

/// How many blocks opened by `fence` (e.g. "```rust\n") `text` has, each of which must stand
/// line for line (indentation aside) in `source`, the file named `by`.
fn mirrored_blocks(text: &str, fence: &str, source: &str, by: &str, readme: &str) -> usize {
    let source: Vec<&str> = source.lines().map(str::trim).collect();
    let mut blocks = 0;
    for block in text.split(fence).skip(1) {
        let block = block.split("```").next().unwrap();
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        assert!(
            source.windows(lines.len()).any(|w| w == lines.as_slice()),
            "{readme}: example not mirrored by {by}:\n{block}"
        );
        blocks += 1;
    }
    blocks
}

#[test]
fn readme_examples_are_mirrored() {
    let this = include_str!("readme.rs");
    for (path, expected, what) in READMES {
        let readme = std::fs::read_to_string(xtask::workspace_root().join(path)).unwrap();
        let blocks = mirrored_blocks(&readme, "```rust\n", this, "tests/readme.rs", path);
        assert_eq!(blocks, *expected, "{path}: {what}");
    }
}

/// The workspace README's "Receiving webhooks" example (```rust,ignore, axum) is compiled and
/// run by invoice-webhooks' own tests/readme.rs, line for line; checked here, where the
/// workspace README is (invoice-webhooks' .crate has only its own README).
#[test]
fn readme_webhook_example_is_compiled_by_invoice_webhooks() {
    let readme = std::fs::read_to_string(xtask::workspace_root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Receiving webhooks\n")
        .nth(1)
        .expect("README.md has a \"Receiving webhooks\" section");
    let section = section.split("\n## ").next().unwrap();
    let blocks = mirrored_blocks(
        section,
        "```rust,ignore\n",
        include_str!("../crates/invoice-webhooks/tests/readme.rs"),
        "crates/invoice-webhooks/tests/readme.rs",
        "README.md, Receiving webhooks",
    );
    assert_eq!(blocks, 1, "README.md, Receiving webhooks: the axum example");
}
