//! The error paths, for every provider: the provider's documented error through the generated
//! httpmock mocks, a transport error (a port nobody listens on), an order refused before
//! anything is sent, a look-up the provider does not offer or an invoice it does not know, and
//! notifications refused. Each error names the provider and keeps that provider's own error.
//!
//! The three `MockServerExt` traits name their methods after the operations, so each
//! provider's mocks are used in a module of their own.

use std::net::TcpListener;

use invoice_checkout::{
    ApiforcryptoOrder, ApiforcryptoSettings, Checkout, CheckoutError, CryptoCloudSettings,
    CryptoprocessingSettings, Decimal, HeaderMap, Order, Provider, ProviderError, Rejection,
    Secret,
};
use invoice_primitives::{ApiError, RetryPolicy};
use serde_json::json;

/// An order every provider takes.
fn order() -> Order {
    Order::new(Decimal::new(4990, 2), "USD", "ORDER-1001")
        .success_url("https://shop.example/paid")
        .failure_url("https://shop.example/failed")
        .apiforcrypto(ApiforcryptoOrder::new("ethereum", "USDT"))
}

/// A base URL nobody listens on: the port of a listener just closed.
fn nobody_listening() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("an address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn cryptocloud(base_url: &str) -> Checkout {
    let credentials = cryptocloud::Credentials::new("test-key").expect("a valid key");
    let config = cryptocloud::Config::new(credentials).with_retry(RetryPolicy::none());
    Checkout::cryptocloud(
        cryptocloud::Client::new(base_url, config).expect("a valid base URL"),
        CryptoCloudSettings::new("SandboxShop00001", Secret::new("project-secret")),
    )
}

fn cryptoprocessing(base_url: &str) -> Checkout {
    let credentials =
        cryptoprocessing::Credentials::new("api-key", "secret-key").expect("valid keys");
    let config = cryptoprocessing::Config::new(credentials).with_retry(RetryPolicy::none());
    Checkout::cryptoprocessing(
        cryptoprocessing::Client::new(base_url, config).expect("a valid base URL"),
        CryptoprocessingSettings::new(Secret::new("secret-key")),
    )
}

fn apiforcrypto(base_url: &str) -> Checkout {
    let config =
        apiforcrypto::Config::new(apiforcrypto::Credentials::new()).with_retry(RetryPolicy::none());
    Checkout::apiforcrypto(
        apiforcrypto::Client::new(base_url, config).expect("a valid base URL"),
        ApiforcryptoSettings::new("417ee4f0-bb55-471c-8195-2e1087e775e9"),
    )
}

fn checkout(provider: Provider, base_url: &str) -> Checkout {
    match provider {
        Provider::CryptoCloud => cryptocloud(base_url),
        Provider::Cryptoprocessing => cryptoprocessing(base_url),
        Provider::ApiForCrypto => apiforcrypto(base_url),
    }
}

#[tokio::test]
async fn a_transport_error_names_the_provider_and_keeps_its_error() {
    let url = nobody_listening();
    for provider in Provider::ALL {
        let error = checkout(provider, &url)
            .create(&order())
            .await
            .expect_err("nobody answers");
        assert_eq!(error.provider(), Some(provider), "{error}");
        let CheckoutError::Api(api) = &error else {
            panic!("{provider}: {error:?}");
        };
        assert!(api.is_transport() && api.status().is_none(), "{error:?}");
        assert!(error.to_string().starts_with(provider.name()), "{error}");
    }
}

#[tokio::test]
async fn an_order_a_provider_cannot_take_is_refused_before_sending() {
    // Nothing listens: anything sent would be a transport error instead.
    let url = nobody_listening();
    for provider in Provider::ALL {
        let free = Order::new(Decimal::ZERO, "USD", "ORDER-1001")
            .apiforcrypto(ApiforcryptoOrder::new("ethereum", "USDT"));
        let error = checkout(provider, &url).create(&free).await.unwrap_err();
        assert!(
            matches!(error, CheckoutError::InvalidOrder { provider: p, .. } if p == provider),
            "{error:?}"
        );
    }
    // apiforcrypto needs the chain and the coin.
    let without = Order::new(Decimal::new(4990, 2), "USD", "ORDER-1001");
    let error = apiforcrypto(&url).create(&without).await.unwrap_err();
    let CheckoutError::InvalidOrder { reason, .. } = &error else {
        panic!("{error:?}");
    };
    assert!(reason.contains("ApiforcryptoOrder::new"), "{reason}");
    // Cryptoprocessing's rule (HTTPS redirects), checked by its client before sending.
    let plain = order().success_url("http://shop.example/paid");
    let error = cryptoprocessing(&url).create(&plain).await.unwrap_err();
    assert!(
        matches!(
            &error,
            CheckoutError::Api(ProviderError::Cryptoprocessing(ApiError::InvalidRequest(why)))
                if why.contains("url_success")
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn cryptoprocessing_offers_no_status() {
    let error = cryptoprocessing(&nobody_listening())
        .status("127")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            CheckoutError::NotOffered {
                provider: Provider::Cryptoprocessing,
                operation: "status"
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("not offered by this provider"));
}

#[tokio::test]
async fn notifications_that_fail_their_checks_are_refused_with_a_status_to_answer() {
    let url = nobody_listening();
    let mut json = HeaderMap::new();
    json.insert("content-type", "application/json".parse().unwrap());
    for (provider, body) in [
        (
            Provider::CryptoCloud,
            json!({"status": "success", "invoice_id": "X", "token": "a.b.c"}),
        ),
        (
            Provider::Cryptoprocessing,
            json!({"id": 1, "type": "invoice", "status": "confirmed"}),
        ),
        (
            Provider::ApiForCrypto,
            json!({"id": "f4ae3bd1", "status": "PAID", "secret_key": "k"}),
        ),
    ] {
        let body = serde_json::to_vec(&body).unwrap();
        let error = checkout(provider, &url)
            .verify(&json, &body)
            .await
            .unwrap_err();
        let CheckoutError::Rejected {
            provider: p,
            rejection,
        } = &error
        else {
            panic!("{provider}: {error:?}");
        };
        assert_eq!(*p, provider);
        assert_eq!(error.webhook_status(), rejection.status());
        assert!(error.webhook_status().is_client_error(), "{error:?}");
    }
}

#[tokio::test]
async fn an_apiforcrypto_notification_of_an_invoice_it_did_not_create_is_refused() {
    let mut json = HeaderMap::new();
    json.insert("content-type", "application/json".parse().unwrap());
    let body = br#"{"id": "f4ae3bd1-a031-4b4c-84cb-96a425aab4c8", "status": "PAID", "secret_key": "guess"}"#;
    let error = apiforcrypto(&nobody_listening())
        .verify(&json, body)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            CheckoutError::Rejected {
                rejection: Rejection::UnknownInvoice,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_cryptoprocessing_callback_about_a_deposit_is_authentic_but_not_an_invoice() {
    let signer = invoice_webhooks::cryptoprocessing::Signer::new(Secret::new("secret-key"));
    let deposit =
        signer.sign_body(br#"{"id": 9, "type": "deposit", "status": "confirmed"}"#.to_vec());
    let error = cryptoprocessing(&nobody_listening())
        .verify(&deposit.headers, &deposit.body)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, CheckoutError::NotAnInvoice { kind, .. } if kind == "deposit"),
        "{error:?}"
    );
    assert_eq!(error.webhook_status(), 200);
}

#[tokio::test]
async fn a_cryptocloud_postback_that_cannot_be_confirmed_is_answered_503() {
    let postback: cryptocloud::types::Postback = serde_json::from_value(json!({
        "status": "success", "invoice_id": "89UX09KA", "amount_crypto": 49.9,
        "currency": "USDT_TRC20", "order_id": "ORDER-1001", "token": "replaced"
    }))
    .unwrap();
    let signed =
        invoice_webhooks::cryptocloud::Signer::new(Secret::new("project-secret")).sign(&postback);
    // Authentic, but the provider cannot be asked about the invoice.
    let error = cryptocloud(&nobody_listening())
        .verify(&signed.headers, &signed.body)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, CheckoutError::Api(api) if api.is_transport()),
        "{error:?}"
    );
    assert_eq!(error.webhook_status(), 503);
}

mod cryptocloud_mock {
    use cryptocloud_httpmock::MockServerExt;
    use httpmock::MockServer;

    use super::*;

    #[tokio::test]
    async fn the_providers_error_comes_back_typed() {
        let server = MockServer::start_async().await;
        let refusal: cryptocloud::types::ErrorResponse = serde_json::from_value(json!({
            "status": "error", "result": {"validate_error": "Invoice is not created"}
        }))
        .unwrap();
        let mock = server.create_invoice(|_, then| {
            then.bad_request(&refusal);
        });
        let error = cryptocloud(&server.base_url())
            .create(&order())
            .await
            .unwrap_err();
        let CheckoutError::Api(ProviderError::CryptoCloud(ApiError::Provider {
            status, body, ..
        })) = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(status.as_u16(), 400);
        assert!(body.raw().contains("Invoice is not created"));
        assert_eq!(error.provider(), Some(Provider::CryptoCloud));
        mock.assert_async().await;
    }

    #[tokio::test]
    async fn an_invoice_it_does_not_know_is_not_found() {
        let server = MockServer::start_async().await;
        let none: cryptocloud::types::InvoiceInfoResponse =
            serde_json::from_value(json!({"status": "success", "result": []})).unwrap();
        let mock = server.get_invoices(|_, then| {
            then.ok(&none);
        });
        let error = cryptocloud(&server.base_url())
            .status("INV-NOSUCH00")
            .await
            .unwrap_err();
        assert!(
            matches!(&error, CheckoutError::NotFound { invoice_id, .. } if invoice_id == "INV-NOSUCH00"),
            "{error:?}"
        );
        mock.assert_async().await;
    }
}

mod cryptoprocessing_mock {
    use cryptoprocessing_httpmock::MockServerExt;
    use httpmock::MockServer;

    use super::*;

    /// `foreign_id` is unique per merchant: the order id again is the provider's validation
    /// error, kept whole.
    #[tokio::test]
    async fn a_second_invoice_for_the_same_foreign_id_is_the_providers_refusal() {
        let server = MockServer::start_async().await;
        let refusal: cryptoprocessing::types::ErrorResponse = serde_json::from_value(json!({
            "errors": {"foreign_id": "The foreign id has already been taken."}
        }))
        .unwrap();
        let mock = server.create_invoice(|_, then| {
            then.bad_request(&refusal);
        });
        let error = cryptoprocessing(&server.base_url())
            .create(&order())
            .await
            .unwrap_err();
        let CheckoutError::Api(ProviderError::Cryptoprocessing(api)) = &error else {
            panic!("{error:?}");
        };
        assert_eq!(api.status().map(|s| s.as_u16()), Some(400));
        assert!(
            api.body()
                .is_some_and(|b| String::from_utf8_lossy(b).contains("already been taken")),
            "{api:?}"
        );
        mock.assert_async().await;
    }
}

mod apiforcrypto_mock {
    use apiforcrypto_httpmock::MockServerExt;
    use httpmock::MockServer;

    use super::*;

    #[tokio::test]
    async fn a_wallet_it_does_not_know_is_the_providers_404() {
        let server = MockServer::start_async().await;
        let refusal: apiforcrypto::types::ErrorResponse =
            serde_json::from_value(json!({"message": "Wallet not found"})).unwrap();
        let mock = server.create_invoice(|_, then| {
            then.not_found(&refusal);
        });
        let error = apiforcrypto(&server.base_url())
            .create(&order())
            .await
            .unwrap_err();
        assert!(
            matches!(
                &error,
                CheckoutError::Api(ProviderError::ApiForCrypto(ApiError::Provider { status, .. }))
                    if status.as_u16() == 404
            ),
            "{error:?}"
        );
        mock.assert_async().await;
    }

    #[tokio::test]
    async fn an_invoice_it_does_not_know_is_not_found() {
        let server = MockServer::start_async().await;
        let refusal: apiforcrypto::types::ErrorResponse =
            serde_json::from_value(json!({"message": "Invoice not found"})).unwrap();
        let mock = server.get_invoice(|_, then| {
            then.not_found(&refusal);
        });
        let error = apiforcrypto(&server.base_url())
            .status("f4ae3bd1-a031-4b4c-84cb-96a425aab4c8")
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                CheckoutError::NotFound {
                    provider: Provider::ApiForCrypto,
                    ..
                }
            ),
            "{error:?}"
        );
        mock.assert_async().await;
    }

    #[tokio::test]
    async fn a_server_error_is_kept_with_its_status() {
        let server = MockServer::start_async().await;
        let refusal: apiforcrypto::types::ErrorResponse =
            serde_json::from_value(json!({"message": "Internal Server Error"})).unwrap();
        let mock = server.get_invoice(|_, then| {
            then.internal_server_error(&refusal);
        });
        let error = apiforcrypto(&server.base_url())
            .status("f4ae3bd1-a031-4b4c-84cb-96a425aab4c8")
            .await
            .unwrap_err();
        let CheckoutError::Api(api) = &error else {
            panic!("{error:?}");
        };
        assert_eq!(api.status().map(|s| s.as_u16()), Some(500));
        assert!(api.is_provider_answer(), "{error:?}");
        mock.assert_async().await;
    }
}
