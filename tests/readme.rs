//! The README's examples compile: each ```rust block of README.md stands, line for line, in
//! a function below (which is compiled, never run), and `readme_examples_are_compiled` checks
//! that the README has not drifted from them.

#![allow(dead_code)]

type AnyError = Box<dyn std::error::Error>;

async fn cryptocloud_example(api_key: &str) -> Result<(), AnyError> {
    use cryptocloud::types::{FiatCurrency, InvoiceCreateRequest};
    use invoice_primitives::{Config, SendExt, TokenAuth};

    // `Authorization: Token <API KEY>` on every request; `TokenAuth::from_env()` reads
    // CRYPTOCLOUD_API_KEY.
    let client =
        cryptocloud::Client::new(cryptocloud::BASE_URL, Config::new(TokenAuth::new(api_key)?));

    let invoice = client
        .create_invoice()
        .body(
            InvoiceCreateRequest::builder()
                .shop_id("xBAivfPIbskwuEWj")
                .amount("100.00")
                .currency(Some(FiatCurrency::Usd)),
        )
        .send()
        .checked()
        .await?
        .result;
    println!("pay {} at {}", invoice.amount, invoice.link);
    Ok(())
}

async fn cryptoprocessing_example(api_key: &str, secret_key: &str) -> Result<(), AnyError> {
    use cryptoprocessing::types::InvoiceCreateRequest;
    use invoice_primitives::{Config, HmacAuth, SendExt};

    // `X-Processing-Key`, and `X-Processing-Signature`: the HMAC-SHA512 of the exact body bytes
    // sent. `HmacAuth::from_env()` reads CRYPTOPROCESSING_API_KEY and CRYPTOPROCESSING_SECRET.
    let auth = HmacAuth::new(api_key, secret_key)?;
    let client = cryptoprocessing::Client::new(cryptoprocessing::SANDBOX_URL, Config::new(auth));
    let invoice = client
        .create_invoice()
        .body(
            InvoiceCreateRequest::builder()
                .timer(false)
                .title("Invoice Title")
                .foreign_id("user_196")
                .currency(Some("EUR".to_owned()))
                .amount(Some("106.75".parse()?)),
        )
        .send()
        .checked()
        .await?
        .data;
    println!("invoice {} at {}", invoice.id, invoice.url);
    Ok(())
}

async fn apiforcrypto_example() -> Result<(), AnyError> {
    use apiforcrypto::types::{FiatAmount, InvoiceCreateRequest};
    use invoice_primitives::{Config, NoAuth, SendExt};

    // No API key is documented: the wallet id in the path identifies the merchant.
    let client = apiforcrypto::Client::new(apiforcrypto::BASE_URL, Config::new(NoAuth));
    let created = client
        .create_invoice()
        .wallet_id("your-wallet-id")
        .body(
            InvoiceCreateRequest::builder()
                .blockchain("ethereum")
                .symbol("USDT")
                .fiat_currency(Some(FiatAmount {
                    currency: Some("USD".into()),
                    value: Some("100".parse()?),
                    percent: None,
                }))
                .expiry(30)
                .confirmations(3),
        )
        .send()
        .checked()
        .await?;
    let again = client
        .get_invoice()
        .uuid(created.id.as_str())
        .send()
        .checked()
        .await?;
    println!("{}", again.status);
    Ok(())
}

async fn paging_example(client: &cryptocloud::Client) -> Result<(), AnyError> {
    use cryptocloud_ext::ClientExt;
    use futures::TryStreamExt;

    let (start, end) = ("01.01.2024".parse()?, "31.01.2024".parse()?);
    let mut invoices = std::pin::pin!(client.list_all(start, end, cryptocloud_ext::MAX_PAGE));
    while let Some(invoice) = invoices.try_next().await? {
        println!(
            "{} {} {}",
            invoice.uuid.as_str(),
            invoice.status,
            invoice.amount_usd
        );
    }

    let lookup = client.get_many(["INV-89UX09KA", "XXXXXXXX"], 4).await?;
    println!("found {}, missing {:?}", lookup.found.len(), lookup.missing);
    Ok(())
}

async fn error_matching_example(
    client: &cryptocloud::Client,
    request: cryptocloud::types::InvoiceInfoRequest,
) -> Result<(), AnyError> {
    use invoice_primitives::{ApiError, SendExt};

    match client.get_invoices().body(request).send().checked().await {
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

#[test]
fn readme_examples_are_compiled() {
    let readme = std::fs::read_to_string(xtask::workspace_root().join("README.md")).unwrap();
    let this: Vec<&str> = include_str!("readme.rs").lines().map(str::trim).collect();
    let mut blocks = 0;
    for block in readme.split("```rust\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        assert!(
            this.windows(lines.len()).any(|w| w == lines.as_slice()),
            "README example not compiled by tests/readme.rs:\n{block}"
        );
        blocks += 1;
    }
    assert_eq!(
        blocks, 5,
        "one example per provider, paging, and matching an error"
    );
}
