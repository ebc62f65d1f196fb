//! The README's examples compile: each ```rust block of README.md stands, line for line, in
//! a function below (which is compiled, never run), and `readme_examples_are_compiled` checks
//! that the README has not drifted from them.

#![allow(dead_code, unused_variables)]

type AnyError = Box<dyn std::error::Error>;

async fn cryptocloud_example(api_key: &str) -> Result<(), AnyError> {
    use cryptocloud::types::{FiatCurrency, InvoiceCreateRequest};

    // Authentication (`Authorization: Token <API KEY>`) is a default header of the reqwest client.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("Authorization", format!("Token {api_key}").parse()?);
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()?;
    let client = cryptocloud::Client::new_with_client("https://api.cryptocloud.plus", http);

    let invoice = client
        .create_invoice()
        .body(
            InvoiceCreateRequest::builder()
                .shop_id("xBAivfPIbskwuEWj")
                .amount("100.00")
                .currency(Some(FiatCurrency::Usd)),
        )
        .send()
        .await?
        .into_inner()
        .result;
    println!("pay at {}", invoice.link);
    Ok(())
}

async fn cryptoprocessing_example(api_key: &str) -> Result<(), AnyError> {
    use cryptoprocessing::types::InvoiceCreateRequest;

    // The provider refuses requests without `X-Processing-Key` and `X-Processing-Signature` (the
    // HMAC-SHA512 of the body): the signing client is not part of this crate yet.
    let client = cryptoprocessing::Client::new("https://app.sandbox.cryptoprocessing.com");
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
        .await?
        .into_inner()
        .data;
    println!("invoice {} at {}", invoice.id, invoice.url);
    Ok(())
}

async fn apiforcrypto_example(api_key: &str) -> Result<(), AnyError> {
    use apiforcrypto::types::{FiatAmount, InvoiceCreateRequest};

    let client = apiforcrypto::Client::new("https://api.apiforcrypto.com");
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
        .await?
        .into_inner();
    let again = client
        .get_invoice()
        .uuid(&created.id)
        .send()
        .await?
        .into_inner();
    println!("{:?}", again.status);
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
    assert_eq!(blocks, 3, "one example per provider");
}
