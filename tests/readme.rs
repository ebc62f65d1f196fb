//! The README's examples run: each ```rust block of README.md stands, line for line, in a
//! function below (`readme_examples_are_mirrored` checks that the README has not drifted from
//! them), and `readme_examples_run` runs every one against local servers on 127.0.0.1 that
//! answer with the specs' documented examples and check the credentials as the providers do.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use openapiv3::{ReferenceOr, StatusCode as SpecStatus};

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
    let client = Client::new(base_url, config);
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

    let client = Client::with_credentials(&server.base_url(), Credentials::new("test-key")?);
    let invoice = client.create_invoice().body(request).send().await?;
    assert_eq!(invoice.result.link, "https://pay.cryptocloud.plus/XXXXXXXX");
    mock.assert_async().await; // exactly one matching request arrived
    Ok(())
}

/// The credentials the local servers accept.
const CRYPTOCLOUD_KEY: &str = "readme-api-key";
const CRYPTOPROCESSING_KEY: &str = "readme-processing-key";
const CRYPTOPROCESSING_SECRET: &str = "readme-processing-secret";

/// The documented example of an operation's 200 response.
fn documented(spec: &str, path: &str, method: &str) -> serde_json::Value {
    let root = xtask::workspace_root();
    let spec = xtask::Spec::load(&root, spec).unwrap();
    let item = spec.api.paths.paths[path].as_item().unwrap();
    let (_, op) = item.iter().find(|(m, _)| *m == method).unwrap();
    let ReferenceOr::Item(response) = &op.responses.responses[&SpecStatus::Code(200)] else {
        panic!("{path}: response by reference")
    };
    let media = &response.content["application/json"];
    if let Some(example) = &media.example {
        return example.clone();
    }
    match media.examples.values().next() {
        Some(ReferenceOr::Item(example)) => example.value.clone().unwrap(),
        _ => panic!("{path}: no example"),
    }
}

#[derive(Clone, Default)]
struct Fake {
    seen: Arc<Mutex<Vec<String>>>,
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// The three providers' endpoints that the README calls, answering with the specs' examples
/// after checking the credentials as each provider does.
async fn provider(
    State(fake): State<Fake>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    fake.seen.lock().unwrap().push(format!("{method} {path}"));
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if path.starts_with("/v2/") && header("authorization") != format!("Token {CRYPTOCLOUD_KEY}") {
        return json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"detail": "Invalid token."}),
        );
    }
    if path.starts_with("/api/v2/") {
        let signature =
            invoice_primitives::auth::hmac_sha512_hex(CRYPTOPROCESSING_SECRET.as_bytes(), &body);
        if header("x-processing-key") != CRYPTOPROCESSING_KEY
            || header("x-processing-signature") != signature
        {
            return json(
                StatusCode::UNAUTHORIZED,
                serde_json::json!({"errors": {"X-Processing-Signature": "Bad key header"}}),
            );
        }
    }
    let cc = "specs/cryptocloud.yaml";
    let value = match (method.as_str(), path.as_str()) {
        ("POST", "/v2/invoice/create") => documented(cc, &path, "post"),
        ("POST", "/v2/invoice/merchant/list") => {
            // One window holds the whole (one-invoice) period.
            let mut page = documented(cc, &path, "post");
            page["all_count"] = page["result"].as_array().unwrap().len().into();
            page
        }
        ("POST", "/v2/invoice/merchant/info") => documented(cc, &path, "post"),
        ("POST", "/api/v2/invoices/create") => {
            documented("specs/cryptoprocessing.yaml", &path, "post")
        }
        ("POST", "/api/v1/wallets/your-wallet-id/invoices") => documented(
            "specs/apiforcrypto.yaml",
            "/api/v1/wallets/{wallet_id}/invoices",
            "post",
        ),
        ("GET", p) if p.starts_with("/api/v1/wallets/invoices/") => documented(
            "specs/apiforcrypto.yaml",
            "/api/v1/wallets/invoices/{uuid}",
            "get",
        ),
        _ => {
            return json(
                StatusCode::NOT_FOUND,
                serde_json::json!({"detail": "Not found."}),
            )
        }
    };
    json(StatusCode::OK, value)
}

async fn serve(fake: Fake) -> SocketAddr {
    let app = Router::new().fallback(provider).with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

#[tokio::test]
async fn readme_examples_run() {
    let fake = Fake::default();
    let url = format!("http://{}", serve(fake.clone()).await);
    // The README's clients come from the environment; only this test in this binary reads it.
    for (name, value) in [
        ("CRYPTOCLOUD_API_KEY", CRYPTOCLOUD_KEY),
        ("CRYPTOCLOUD_BASE_URL", &url),
        ("CRYPTOPROCESSING_API_KEY", CRYPTOPROCESSING_KEY),
        ("CRYPTOPROCESSING_SECRET", CRYPTOPROCESSING_SECRET),
        ("CRYPTOPROCESSING_BASE_URL", &url),
        ("APIFORCRYPTO_BASE_URL", &url),
    ] {
        std::env::set_var(name, value);
    }
    cryptocloud_example().await.unwrap();
    cryptoprocessing_example().await.unwrap();
    apiforcrypto_example().await.unwrap();

    let explicit = explicit_config_example(CRYPTOPROCESSING_KEY, CRYPTOPROCESSING_SECRET, &url)
        .await
        .unwrap();
    let created = explicit
        .create_invoice()
        .body(
            cryptoprocessing::types::InvoiceCreateRequest::builder()
                .timer(false)
                .title("t")
                .foreign_id("f"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);

    let client = cryptocloud::Client::from_env().unwrap();
    paging_example(&client).await.unwrap();
    error_matching_example(&client).await.unwrap();
    let wrong_key = cryptocloud::Client::with_credentials(
        &url,
        cryptocloud::Credentials::new("wrong").unwrap(),
    );
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

    assert_eq!(
        *fake.seen.lock().unwrap(),
        [
            "POST /v2/invoice/create",
            "POST /api/v2/invoices/create",
            "POST /api/v1/wallets/your-wallet-id/invoices",
            "GET /api/v1/wallets/invoices/f4ae3bd1-a031-4b4c-84cb-96a425aab4c8",
            "POST /api/v2/invoices/create",
            "POST /v2/invoice/merchant/list",
            "POST /v2/invoice/merchant/info",
            "POST /v2/invoice/merchant/info",
            "POST /v2/invoice/merchant/info",
            "POST /v2/invoice/merchant/info",
        ]
    );
}

#[test]
fn readme_examples_are_mirrored() {
    let readme = std::fs::read_to_string(xtask::workspace_root().join("README.md")).unwrap();
    let this: Vec<&str> = include_str!("readme.rs").lines().map(str::trim).collect();
    let mut blocks = 0;
    for block in readme.split("```rust\n").skip(1) {
        let block = block.split("```").next().unwrap();
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        assert!(
            this.windows(lines.len()).any(|w| w == lines.as_slice()),
            "README example not mirrored by tests/readme.rs:\n{block}"
        );
        blocks += 1;
    }
    assert_eq!(
        blocks, 7,
        "one example per provider, explicit configuration, paging, matching an error, mocks"
    );
}
