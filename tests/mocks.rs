//! The generated httpmock crates (`generated/*-httpmock`) drive the generated clients: one test
//! per operation of each provider (8 CryptoCloud, 5 Cryptoprocessing, 3 apiforcrypto).
//!
//! Each test starts an `httpmock::MockServer`, declares the request the client must send with
//! the operation's typed `When` (its path parameters, and its body built with the client's own
//! builder), answers with the typed `Then` (the spec's documented success example, decoded into
//! the generated response type), calls the generated client against `server.base_url()`,
//! compares the decoded answer with the example, and asserts that exactly one matching request
//! arrived. Per provider, one documented error goes through the typed error `Then` and comes
//! back as `ApiError::Provider` with its status and typed body; a request that matches no mock
//! gets httpmock's 404, which the client reports as `UnexpectedStatus` (or, where the provider
//! documents 404 itself, as that provider error).
//!
//! The three `MockServerExt` traits name their methods after the operations, so
//! `create_invoice` exists in all three: each provider's tests are in a module of their own
//! that imports only its provider's trait.

// Only `response_example` is used here.
#[allow(dead_code)]
mod support;

use std::error::Error;
use std::fmt::Debug;

use invoice_primitives::ApiError;
use serde::de::DeserializeOwned;
use serde::Serialize;

type TestResult = Result<(), Box<dyn Error>>;

/// The spec's example `name` of `operation_id`'s `status` response, decoded into the generated
/// type `T` (from its JSON text, as the client reads it).
fn example<T: DeserializeOwned>(spec: &str, operation_id: &str, status: &str, name: &str) -> T {
    let value = support::response_example(spec, operation_id, status, name);
    serde_json::from_str(&value.to_string())
        .unwrap_or_else(|e| panic!("{operation_id} {status} {name}: does not decode: {e}"))
}

/// `got` and `expected` are the same value: the same JSON text once serialized (the generated
/// types have no `PartialEq`; serializing keeps every amount's exact text).
fn assert_same<T: Serialize>(got: &T, expected: &T, what: &str) {
    let got = serde_json::to_string(got).expect("serializes");
    let expected = serde_json::to_string(expected).expect("serializes");
    assert_eq!(
        got, expected,
        "{what}: the decoded answer is not the example"
    );
}

/// The error is the provider's documented error `status`, its body decoded into `expected`.
fn assert_provider_error<E: Serialize + Debug>(err: &ApiError<E>, status: u16, expected: &E) {
    let ApiError::Provider {
        status: got, body, ..
    } = err
    else {
        panic!("expected ApiError::Provider, got {err:?}");
    };
    assert_eq!(got.as_u16(), status, "{err:?}");
    let parsed = body
        .parsed()
        .unwrap_or_else(|| panic!("error body not in its documented shape: {err:?}"));
    assert_same(parsed, expected, "error body");
}

/// The error is a status the spec does not document, `status`.
fn assert_unexpected_status<E: Debug>(err: &ApiError<E>, status: u16) {
    let ApiError::UnexpectedStatus { status: got, .. } = err else {
        panic!("expected ApiError::UnexpectedStatus, got {err:?}");
    };
    assert_eq!(got.as_u16(), status, "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// CryptoCloud: 8 operations.

mod cryptocloud_mocks {
    use super::*;
    use cryptocloud::types as cc;
    use cryptocloud::{Client, Credentials};
    use cryptocloud_httpmock::MockServerExt;
    use httpmock::MockServer;

    const SPEC: &str = "specs/cryptocloud.yaml";
    const API_KEY: &str = "test-api-key";
    const WITHDRAWAL_KEY: &str = "test-withdrawal-key";

    fn client(server: &MockServer) -> Result<Client, Box<dyn Error>> {
        Ok(
            Client::with_credentials(&server.base_url(), Credentials::new(API_KEY)?)
                .expect("a valid base URL"),
        )
    }

    /// The curl example's body (with an order id), as the client's builder makes it.
    fn create_body(order_id: &str) -> Result<cc::InvoiceCreateRequest, Box<dyn Error>> {
        Ok(cc::InvoiceCreateRequest::builder()
            .shop_id("xBAivfPIbskwuEWj")
            .amount("100")
            .currency("USD")
            .order_id(order_id)
            .try_into()?)
    }

    #[tokio::test]
    async fn create_invoice() -> TestResult {
        let server = MockServer::start_async().await;
        let body = create_body("ORDER-1001")?;
        let answer: cc::InvoiceCreateResponse =
            example(SPEC, "create_invoice", "200", "documented");
        let mock = server.create_invoice(|when, then| {
            when.locale(&cc::Locale::En).body(&body);
            then.ok(&answer);
        });
        let created = client(&server)?
            .create_invoice()
            .locale("en")
            .body(body.clone())
            .send()
            .await?;
        assert_eq!(created.status(), 200);
        assert_eq!(created.result.link, "https://pay.cryptocloud.plus/XXXXXXXX");
        assert_same(&created.into_inner(), &answer, "create_invoice");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn list_invoices() -> TestResult {
        let server = MockServer::start_async().await;
        let body: cc::InvoiceListRequest = cc::InvoiceListRequest::builder()
            .start("01.01.2023")
            .end("31.01.2023")
            .offset(0)
            .limit(10)
            .try_into()?;
        let answer: cc::InvoiceListResponse = example(SPEC, "list_invoices", "200", "documented");
        let mock = server.list_invoices(|when, then| {
            when.body(&body);
            then.ok(&answer);
        });
        let listed = client(&server)?
            .list_invoices()
            .body(body.clone())
            .send()
            .await?;
        assert_eq!(listed.result.len(), 1);
        assert_same(&listed.into_inner(), &answer, "list_invoices");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn get_invoices() -> TestResult {
        let server = MockServer::start_async().await;
        let body: cc::InvoiceInfoRequest = cc::InvoiceInfoRequest::builder()
            .uuids(vec!["INV-XXXXXXXX".to_owned(), "INV-YYYYYYYY".to_owned()])
            .try_into()?;
        let answer: cc::InvoiceInfoResponse = example(SPEC, "get_invoices", "200", "documented");
        let mock = server.get_invoices(|when, then| {
            when.body(&body);
            then.ok(&answer);
        });
        let found = client(&server)?
            .get_invoices()
            .body(body.clone())
            .send()
            .await?;
        // `4.500000159168849e-06` in the example: exact through the mock and the client.
        assert_eq!(
            found.result[0].fee.to_string(),
            "0.000004500000159168849",
            "fee"
        );
        assert_same(&found.into_inner(), &answer, "get_invoices");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn cancel_invoice() -> TestResult {
        let server = MockServer::start_async().await;
        let body: cc::InvoiceCancelRequest = cc::InvoiceCancelRequest::builder()
            .uuid("INV-XXXXXXXX")
            .try_into()?;
        let answer: cc::InvoiceCancelResponse =
            example(SPEC, "cancel_invoice", "200", "documented");
        let mock = server.cancel_invoice(|when, then| {
            when.body(&body);
            then.ok(&answer);
        });
        let cancelled = client(&server)?
            .cancel_invoice()
            .body(body.clone())
            .send()
            .await?;
        assert_same(&cancelled.into_inner(), &answer, "cancel_invoice");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn get_balance() -> TestResult {
        let server = MockServer::start_async().await;
        let answer: cc::BalanceResponse = example(SPEC, "get_balance", "200", "documented");
        // No body: the `When` has nothing to set but the method and path.
        let mock = server.get_balance(|_when, then| {
            then.ok(&answer);
        });
        let balance = client(&server)?.get_balance().send().await?;
        assert_eq!(balance.result.len(), 1);
        assert_same(&balance.into_inner(), &answer, "get_balance");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn get_statistics() -> TestResult {
        let server = MockServer::start_async().await;
        let body: cc::StatisticsRequest = cc::StatisticsRequest::builder()
            .start("01.01.2023")
            .end("31.01.2023")
            .try_into()?;
        let answer: cc::StatisticsResponse = example(SPEC, "get_statistics", "200", "documented");
        let mock = server.get_statistics(|when, then| {
            when.body(&body);
            then.ok(&answer);
        });
        let statistics = client(&server)?
            .get_statistics()
            .body(body.clone())
            .send()
            .await?;
        assert_same(&statistics.into_inner(), &answer, "get_statistics");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn create_static_wallet() -> TestResult {
        let server = MockServer::start_async().await;
        let body: cc::StaticWalletCreateRequest = cc::StaticWalletCreateRequest::builder()
            .shop_id("<SHOP ID>")
            .currency("BTC")
            .identify("F4jSjfpwf4t")
            .try_into()?;
        let answer: cc::StaticWalletCreateResponse =
            example(SPEC, "create_static_wallet", "200", "documented");
        let mock = server.create_static_wallet(|when, then| {
            when.body(&body);
            then.ok(&answer);
        });
        let wallet = client(&server)?
            .create_static_wallet()
            .body(body.clone())
            .send()
            .await?;
        assert_eq!(
            wallet.result.address,
            "0xe3dE8434c928fe43012b0e8Fc6b1A928b0F1C492"
        );
        assert_same(&wallet.into_inner(), &answer, "create_static_wallet");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn create_withdrawal() -> TestResult {
        let server = MockServer::start_async().await;
        let body: cc::WithdrawalCreateRequest = cc::WithdrawalCreateRequest::builder()
            .currency_code("BTC")
            .to_address("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
            .amount("0.05")
            .try_into()?;
        let answer: cc::WithdrawalCreateResponse =
            example(SPEC, "create_withdrawal", "200", "documented");
        let mock = server.create_withdrawal(|when, then| {
            when.body(&body);
            then.ok(&answer);
        });
        // Withdrawals take their own key.
        let credentials = Credentials::new(API_KEY)?.with_withdrawal_key(WITHDRAWAL_KEY)?;
        let client =
            Client::with_credentials(&server.base_url(), credentials).expect("a valid base URL");
        let withdrawal = client.create_withdrawal().body(body.clone()).send().await?;
        assert!(
            matches!(&*withdrawal, cc::WithdrawalCreateResponse::Data(w) if w.data.invoice_id == "INV-XXXXXXXX"),
            "{withdrawal:?}"
        );
        assert_same(&withdrawal.into_inner(), &answer, "create_withdrawal");
        mock.assert_async().await;
        Ok(())
    }

    /// A documented error through the typed `Then`: cancelling an invoice that is no longer
    /// `created` (the operation's own 400 example).
    #[tokio::test]
    async fn cancel_invoice_refused_is_a_provider_error() -> TestResult {
        let server = MockServer::start_async().await;
        let body: cc::InvoiceCancelRequest = cc::InvoiceCancelRequest::builder()
            .uuid("INV-XXXXXXXX")
            .try_into()?;
        let refusal: cc::ErrorResponse = example(SPEC, "cancel_invoice", "400", "not_created");
        let mock = server.cancel_invoice(|when, then| {
            when.body(&body);
            then.bad_request(&refusal);
        });
        let err = client(&server)?
            .cancel_invoice()
            .body(body)
            .send()
            .await
            .expect_err("refused");
        assert_provider_error(&err, 400, &refusal);
        assert_eq!(
            err.provider_error()
                .map(|e| e.result["validate_error"].clone()),
            Some("Invoice is not created".into())
        );
        mock.assert_async().await;
        Ok(())
    }

    /// A request that matches no mock (another `order_id`) gets httpmock's 404, which
    /// CryptoCloud does not document: `UnexpectedStatus`, and the mock saw no matching request.
    #[tokio::test]
    async fn a_request_the_mock_does_not_expect_gets_404() -> TestResult {
        let server = MockServer::start_async().await;
        let expected = create_body("ORDER-1001")?;
        let answer: cc::InvoiceCreateResponse =
            example(SPEC, "create_invoice", "200", "documented");
        let mock = server.create_invoice(|when, then| {
            when.body(&expected);
            then.ok(&answer);
        });
        let err = client(&server)?
            .create_invoice()
            .body(create_body("ORDER-1002")?)
            .send()
            .await
            .expect_err("no mock matches");
        assert_unexpected_status(&err, 404);
        mock.assert_calls_async(0).await;
        Ok(())
    }

    /// The mock compares JSON numbers as serde_json values, by their form as well as their
    /// value: an amount given as `100` does not match `100.00` (the same decimal), because one
    /// is an integer and the other a float. Build the expected body exactly as the code under
    /// test builds it.
    /// The mocks match the exact JSON text the client sends and answer with the exact text of
    /// the typed value, so money is exact on both sides: `100` and `100.00` are different
    /// requests, an amount that differs only in its 20th digit is another amount, and an
    /// answer's amount arrives with every digit and its scale.
    #[tokio::test]
    async fn amounts_are_exact_on_both_sides() -> TestResult {
        let server = MockServer::start_async().await;
        let as_integer = create_body("ORDER-1001")?; // amount `100`
        let mut as_decimal = as_integer.clone();
        as_decimal.amount = "100.00".parse()?;
        assert_eq!(
            as_integer.amount, as_decimal.amount,
            "the same decimal value"
        );
        let mut precise = as_integer.clone();
        precise.amount = "0.12345678901234567891".parse()?;
        let mut other = as_integer.clone();
        other.amount = "0.12345678901234567899".parse()?;
        let mut answer: cc::InvoiceCreateResponse =
            example(SPEC, "create_invoice", "200", "documented");
        answer.result.amount = "0.12345678901234567891".parse()?;
        answer.result.fee = "1.40".parse()?;
        let mock = server.create_invoice(|when, then| {
            when.body(&as_integer);
            then.ok(&answer);
        });
        let precise_mock = server.create_invoice(|when, then| {
            when.body(&precise);
            then.ok(&answer);
        });
        for (body, what) in [
            (as_decimal, "`100.00` for `100`"),
            (other, "a 20th digit off"),
        ] {
            let err = client(&server)?
                .create_invoice()
                .body(body)
                .send()
                .await
                .expect_err(what);
            assert_unexpected_status(&err, 404);
        }
        mock.assert_calls_async(0).await;
        precise_mock.assert_calls_async(0).await;

        let got = client(&server)?
            .create_invoice()
            .body(precise)
            .send()
            .await?
            .into_inner();
        precise_mock.assert_calls_async(1).await;
        assert_eq!(got.result.amount.to_string(), "0.12345678901234567891");
        assert_eq!(got.result.fee.to_string(), "1.40");
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Cryptoprocessing: 5 operations.

mod cryptoprocessing_mocks {
    use super::*;
    use cryptoprocessing::types as cp;
    use cryptoprocessing::{Client, Credentials};
    use cryptoprocessing_httpmock::MockServerExt;
    use httpmock::MockServer;
    use invoice_primitives::PathSegment;

    const SPEC: &str = "specs/cryptoprocessing.yaml";

    fn client(server: &MockServer) -> Result<Client, Box<dyn Error>> {
        Ok(Client::with_credentials(
            &server.base_url(),
            Credentials::new("test-api-key", "test-secret-key")?,
        )
        .expect("a valid base URL"))
    }

    /// The documented request's fields that need no sender data.
    fn create_body() -> Result<cp::InvoiceCreateRequest, Box<dyn Error>> {
        Ok(cp::InvoiceCreateRequest::builder()
            .timer(false)
            .title("Invoice Title")
            .currency("EUR")
            .amount("106.75")
            .foreign_id("user_196")
            .end_user_reference("12345")
            .url_success("https://example.com/success")
            .url_failed("https://example.com/failed")
            .email_user("customer@example.com")
            .try_into()?)
    }

    #[tokio::test]
    async fn create_invoice() -> TestResult {
        let server = MockServer::start_async().await;
        let body = create_body()?;
        let answer: cp::InvoiceCreateResponse =
            example(SPEC, "create_invoice", "200", "documented");
        let mock = server.create_invoice(|when, then| {
            when.body(&body);
            then.ok(&answer);
        });
        let invoice = client(&server)?
            .create_invoice()
            .body(body.clone())
            .send()
            .await?;
        assert_eq!(
            invoice.data.url,
            "https://wallet.coinspaid.com/invoice/iEU3uh"
        );
        assert_same(&invoice.into_inner(), &answer, "create_invoice");
        mock.assert_async().await;
        Ok(())
    }

    /// The client sends `{}` when no body is given; the mock expects exactly that.
    #[tokio::test]
    async fn cancel_invoice() -> TestResult {
        let server = MockServer::start_async().await;
        let answer: cp::CancelInvoiceResponse =
            example(SPEC, "cancel_invoice", "200", "documented");
        let mock = server.cancel_invoice(|when, then| {
            when.foreign_id(&PathSegment::new("user_196").expect("a segment"))
                .body(&cp::EmptyRequest {});
            then.ok(&answer);
        });
        let cancelled = client(&server)?
            .cancel_invoice()
            .foreign_id("user_196")
            .send()
            .await?;
        assert_same(&cancelled.into_inner(), &answer, "cancel_invoice");
        mock.assert_async().await;
        Ok(())
    }

    /// A path value is percent-encoded the same way by the mock and by the client.
    #[tokio::test]
    async fn cancel_invoice_path_value_is_encoded_like_the_client() -> TestResult {
        let server = MockServer::start_async().await;
        let answer: cp::CancelInvoiceResponse = example(SPEC, "cancel_invoice", "200", "ok");
        let mock = server.cancel_invoice(|when, then| {
            when.foreign_id(&PathSegment::new("a/b c?").expect("a segment"));
            then.ok(&answer);
        });
        let cancelled = client(&server)?
            .cancel_invoice()
            .foreign_id("a/b c?")
            .send()
            .await?;
        assert_same(&cancelled.into_inner(), &answer, "cancel_invoice");
        mock.assert_async().await;
        Ok(())
    }

    /// The spec declares ping's 200 without content: `Then::ok` takes no body.
    #[tokio::test]
    async fn ping() -> TestResult {
        let server = MockServer::start_async().await;
        let mock = server.ping(|_when, then| {
            then.ok();
        });
        let pong = client(&server)?.ping().send().await?;
        assert_eq!(pong.status(), 200);
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn list_currencies() -> TestResult {
        let server = MockServer::start_async().await;
        let body: cp::CurrencyListRequest = cp::CurrencyListRequest::builder()
            .visible(true)
            .try_into()?;
        let answer: cp::CurrencyListResponse =
            example(SPEC, "list_currencies", "200", "documented");
        let mock = server.list_currencies(|when, then| {
            when.body(&body);
            then.ok(&answer);
        });
        let currencies = client(&server)?
            .list_currencies()
            .body(body.clone())
            .send()
            .await?;
        assert_eq!(currencies.data.len(), 1);
        assert_same(&currencies.into_inner(), &answer, "list_currencies");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn list_accounts() -> TestResult {
        let server = MockServer::start_async().await;
        let answer: cp::AccountListResponse = example(SPEC, "list_accounts", "200", "constructed");
        let mock = server.list_accounts(|when, then| {
            when.body(&cp::EmptyRequest {});
            then.ok(&answer);
        });
        let accounts = client(&server)?.list_accounts().send().await?;
        assert_eq!(accounts.data.len(), 2);
        assert_same(&accounts.into_inner(), &answer, "list_accounts");
        mock.assert_async().await;
        Ok(())
    }

    /// A documented error through the typed `Then`: a `foreign_id` already taken.
    #[tokio::test]
    async fn create_invoice_refused_is_a_provider_error() -> TestResult {
        let server = MockServer::start_async().await;
        let body = create_body()?;
        let refusal: cp::ErrorResponse = example(SPEC, "create_invoice", "400", "validation");
        let mock = server.create_invoice(|when, then| {
            when.body(&body);
            then.bad_request(&refusal);
        });
        let err = client(&server)?
            .create_invoice()
            .body(body)
            .send()
            .await
            .expect_err("refused");
        assert_provider_error(&err, 400, &refusal);
        mock.assert_async().await;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// apiforcrypto: 3 operations.

mod apiforcrypto_mocks {
    use super::*;
    use apiforcrypto::types as af;
    use apiforcrypto::{Client, Credentials};
    use apiforcrypto_httpmock::MockServerExt;
    use httpmock::MockServer;
    use invoice_primitives::PathSegment;

    const SPEC: &str = "specs/apiforcrypto.yaml";
    /// The wallet id of more-pages.md 3.0.
    const WALLET: &str = "417ee4f0-bb55-471c-8195-2e1087e775e9";
    const INVOICE: &str = "f4ae3bd1-a031-4b4c-84cb-96a425aab4c8";

    fn client(server: &MockServer) -> Client {
        Client::with_credentials(&server.base_url(), Credentials::new()).expect("a valid base URL")
    }

    fn segment(value: &str) -> PathSegment {
        PathSegment::new(value).expect("a path segment")
    }

    /// The spec's `fiat` request example, as the client's builder makes it.
    fn create_body() -> Result<af::InvoiceCreateRequest, Box<dyn Error>> {
        Ok(af::InvoiceCreateRequest::builder()
            .blockchain("ethereum")
            .symbol("USDT")
            .fiat_currency(
                af::FiatAmount::builder()
                    .currency("USD")
                    .value("100")
                    .percent(2),
            )
            .expiry(30)
            .confirmations(3)
            .pause(60)
            .secret_key("my-secret-for-this-invoice")
            .data(
                af::InvoiceData::builder()
                    .order_id("ORDER-1001")
                    .title("Order 1001")
                    .description("Two coffees")
                    .url_callback("https://shop.example.com/callbacks/apiforcrypto")
                    .attempts_callback(5)
                    .url_success("https://shop.example.com/success")
                    .url_failed("https://shop.example.com/failed")
                    .user_data("customer 42"),
            )
            .try_into()?)
    }

    #[tokio::test]
    async fn create_invoice() -> TestResult {
        let server = MockServer::start_async().await;
        let body = create_body()?;
        let answer: af::Invoice = example(SPEC, "create_invoice", "200", "constructed");
        let mock = server.create_invoice(|when, then| {
            when.wallet_id(&segment(WALLET)).body(&body);
            then.ok(&answer);
        });
        let created = client(&server)
            .create_invoice()
            .wallet_id(WALLET)
            .body(body.clone())
            .send()
            .await?;
        assert_eq!(created.id, INVOICE);
        assert_same(&created.into_inner(), &answer, "create_invoice");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn get_invoice() -> TestResult {
        let server = MockServer::start_async().await;
        let answer: af::Invoice = example(SPEC, "get_invoice", "200", "constructed");
        let mock = server.get_invoice(|when, then| {
            when.uuid(&segment(INVOICE));
            then.ok(&answer);
        });
        let invoice = client(&server).get_invoice().uuid(INVOICE).send().await?;
        assert_eq!(invoice.txs.as_ref().map(Vec::len), Some(1));
        assert_same(&invoice.into_inner(), &answer, "get_invoice");
        mock.assert_async().await;
        Ok(())
    }

    #[tokio::test]
    async fn get_wallet() -> TestResult {
        let server = MockServer::start_async().await;
        let answer: af::Wallet = example(SPEC, "get_wallet", "200", "invoice_wallet");
        let mock = server.get_wallet(|when, then| {
            when.wallet_id(&segment(WALLET));
            then.ok(&answer);
        });
        let wallet = client(&server)
            .get_wallet()
            .wallet_id(WALLET)
            .send()
            .await?;
        assert_eq!(wallet.accounts.len(), 2);
        assert_same(&wallet.into_inner(), &answer, "get_wallet");
        mock.assert_async().await;
        Ok(())
    }

    /// A documented error through the typed `Then`. The spec documents no error body for
    /// apiforcrypto (every field is kept), so the body here is made up.
    #[tokio::test]
    async fn create_invoice_forbidden_is_a_provider_error() -> TestResult {
        let server = MockServer::start_async().await;
        let body = create_body()?;
        let refusal: af::ErrorResponse =
            serde_json::from_str(r#"{"error": "Currency is not active"}"#)?;
        let mock = server.create_invoice(|when, then| {
            when.wallet_id(&segment(WALLET)).body(&body);
            then.forbidden(&refusal);
        });
        let err = client(&server)
            .create_invoice()
            .wallet_id(WALLET)
            .body(body)
            .send()
            .await
            .expect_err("refused");
        assert_provider_error(&err, 403, &refusal);
        mock.assert_async().await;
        Ok(())
    }

    /// apiforcrypto documents 404 itself ("Wallet not found"), so httpmock's 404 for a
    /// request that matches no mock (another wallet id) reaches the caller as that provider
    /// error, with httpmock's body: only the mock's hit count tells the two apart.
    #[tokio::test]
    async fn a_request_the_mock_does_not_expect_looks_like_wallet_not_found() -> TestResult {
        let server = MockServer::start_async().await;
        let answer: af::Wallet = example(SPEC, "get_wallet", "200", "invoice_wallet");
        let mock = server.get_wallet(|when, then| {
            when.wallet_id(&segment(WALLET));
            then.ok(&answer);
        });
        let err = client(&server)
            .get_wallet()
            .wallet_id("another-wallet")
            .send()
            .await
            .expect_err("no mock matches");
        let ApiError::Provider { status, body, .. } = &err else {
            panic!("expected the documented 404, got {err:?}");
        };
        assert_eq!(status.as_u16(), 404);
        assert!(body.raw().contains("did not match"), "{}", body.raw());
        mock.assert_calls_async(0).await;
        Ok(())
    }
}
