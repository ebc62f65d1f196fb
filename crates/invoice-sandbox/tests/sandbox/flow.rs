//! The sandbox end to end, through the generated clients and the project's own webhook
//! verifiers: create → pay (control API) → verified callback → status through the API →
//! a re-sent callback recognised as a duplicate; the documented errors; retries in sandbox
//! time; a hanging receiver that blocks nothing.

use crate::support;

use std::time::Duration;

use invoice_sandbox::{Config, PostbackFormat, Provider, Sandbox};
use invoice_webhooks::Secret;
use serde_json::json;
use support::{
    apiforcrypto_client, control, cryptocloud_client, cryptoprocessing_client, deliveries,
    eventually, Answer, Receiver, GUARD,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn today() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .format("%d.%m.%Y")
        .to_string()
}

async fn create_cryptocloud_invoice(
    client: &cryptocloud::Client,
    shop_id: &str,
    amount: &str,
) -> cryptocloud::types::CreatedInvoice {
    client
        .create_invoice()
        .body(
            cryptocloud::types::InvoiceCreateRequest::builder()
                .shop_id(shop_id)
                .amount(amount)
                .currency("USD")
                .order_id("ORDER-1001"),
        )
        .send()
        .await
        .expect("the sandbox creates the invoice")
        .into_inner()
        .result
}

#[tokio::test]
async fn cryptocloud_create_pay_postback_info_list_and_duplicate() -> TestResult {
    let mut receiver = Receiver::start(Answer::Ok).await;
    let mut config = Config::default();
    config.cryptocloud.postback_url = Some(receiver.url.clone());
    let sandbox = Sandbox::start(config).await?;
    let client = cryptocloud_client(&sandbox);
    let shop_id = sandbox.config().cryptocloud.shop_id.clone();

    let created = create_cryptocloud_invoice(&client, &shop_id, "100.00").await;
    assert_eq!(created.status.as_str(), "created");
    assert!(created.uuid.starts_with("INV-"));
    assert_eq!(
        created.link,
        sandbox.payment_page(Provider::CryptoCloud, &created.uuid)
    );

    let (status, paid) = control(
        &sandbox,
        &format!("cryptocloud/invoices/{}/pay", *created.uuid),
        Some(json!({"kind": "full"})),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "paid");

    let verifier = invoice_webhooks::cryptocloud::Verifier::new(Secret::new(
        sandbox.config().cryptocloud.secret_key.clone(),
    ))
    .require_invoice_claim();
    let first = receiver.next().await;
    let event = verifier.verify(&first.headers, &first.body)?;
    assert_eq!(event.invoice_uuid(), *created.uuid);
    assert_eq!(event.postback.order_id.as_deref(), Some("ORDER-1001"));
    assert_eq!(
        event.postback.amount_crypto.map(|a| a.to_string()),
        Some("100".into())
    );
    let info = event
        .postback
        .invoice_info
        .as_ref()
        .expect("the postback carries the invoice");
    assert_eq!(info.status.as_str(), "paid");

    let looked_up = client
        .get_invoices()
        .body(
            cryptocloud::types::InvoiceInfoRequest::builder()
                .uuids(vec![created.uuid.to_string(), "INV-NOSUCH00".to_string()]),
        )
        .send()
        .await?
        .into_inner()
        .result;
    assert_eq!(looked_up.len(), 1, "unknown identifiers are left out");
    assert_eq!(looked_up[0].status.as_str(), "paid");
    assert_eq!(looked_up[0].received.to_string(), "100");

    let listed = client
        .list_invoices()
        .body(
            cryptocloud::types::InvoiceListRequest::builder()
                .start(today().as_str())
                .end(today().as_str())
                .offset(0)
                .limit(10),
        )
        .send()
        .await?
        .into_inner();
    assert_eq!(listed.all_count, 1);
    assert_eq!(listed.result[0].uuid, created.uuid);

    let statistics = client
        .get_statistics()
        .body(
            cryptocloud::types::StatisticsRequest::builder()
                .start(today().as_str())
                .end(today().as_str()),
        )
        .send()
        .await?
        .into_inner()
        .result;
    assert_eq!((statistics.count.all, statistics.count.paid), (1, 1));
    assert_eq!(statistics.amount.paid.to_string(), "100.00");

    let balance = client.get_balance().send().await?.into_inner().result;
    let usdt = balance
        .iter()
        .find(|b| b.currency.code.as_str() == "USDT_TRC20")
        .expect("a USDT_TRC20 balance");
    assert_eq!(usdt.balance_crypto.to_string(), "100");

    // A withdrawal takes the withdrawal key and comes out of the balance.
    let withdrawal = client
        .create_withdrawal()
        .body(
            cryptocloud::types::WithdrawalCreateRequest::builder()
                .currency_code("USDT_TRC20")
                .to_address("TXYZ")
                .amount("40"),
        )
        .send()
        .await?
        .into_inner();
    assert!(matches!(
        withdrawal,
        cryptocloud::types::WithdrawalCreateResponse::Result(_)
    ));

    // The same postback again, re-sent through the control API: a duplicate by its key.
    let log = deliveries(&sandbox).await;
    let delivery_id = log[0]["id"].as_u64().expect("a delivery id");
    let (status, _) = control(
        &sandbox,
        &format!("deliveries/{delivery_id}/resend"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200);
    let second = receiver.next().await;
    let again = verifier.verify(&second.headers, &second.body)?;
    assert_eq!(again.dedup_key(), event.dedup_key());

    // A paid invoice cannot be canceled: the documented refusal.
    let refused = client
        .cancel_invoice()
        .body(cryptocloud::types::InvoiceCancelRequest::builder().uuid(created.uuid.to_string()))
        .send()
        .await
        .expect_err("a paid invoice is not canceled");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400));
    let body: serde_json::Value = serde_json::from_slice(refused.body().unwrap_or_default())?;
    assert_eq!(
        body,
        json!({"status": "error", "result": {"validate_error": "Invoice is not created"}})
    );
    Ok(())
}

#[tokio::test]
async fn cryptocloud_form_postbacks_cancel_and_expiry() -> TestResult {
    let mut receiver = Receiver::start(Answer::Ok).await;
    let mut config = Config::default();
    config.cryptocloud.postback_url = Some(receiver.url.clone());
    config.cryptocloud.postback_format = PostbackFormat::Form;
    let sandbox = Sandbox::start(config).await?;
    let client = cryptocloud_client(&sandbox);
    let shop_id = sandbox.config().cryptocloud.shop_id.clone();
    let verifier = invoice_webhooks::cryptocloud::Verifier::new(Secret::new(
        sandbox.config().cryptocloud.secret_key.clone(),
    ));

    // Overpaid, form-encoded.
    let overpaid = create_cryptocloud_invoice(&client, &shop_id, "10").await;
    let (_, answer) = control(
        &sandbox,
        &format!("cryptocloud/invoices/{}/pay", *overpaid.uuid),
        Some(json!({"kind": "over"})),
    )
    .await;
    assert_eq!(answer["status"], "overpaid");
    let delivery = receiver.next().await;
    let event = verifier.verify(&delivery.headers, &delivery.body)?;
    assert_eq!(
        event.encoding,
        invoice_webhooks::cryptocloud::BodyEncoding::Form
    );
    assert_eq!(
        event.postback.amount_crypto.map(|a| a.to_string()),
        Some("11".into())
    );

    // Canceled through the API: no postback (only successful payments are notified).
    let to_cancel = create_cryptocloud_invoice(&client, &shop_id, "5").await;
    client
        .cancel_invoice()
        .body(cryptocloud::types::InvoiceCancelRequest::builder().uuid(to_cancel.uuid.to_string()))
        .send()
        .await?;
    // Expired by advancing sandbox time past its 24 hours.
    let to_expire = create_cryptocloud_invoice(&client, &shop_id, "7").await;
    let (status, _) = control(
        &sandbox,
        "time/advance",
        Some(json!({"minutes": 24 * 60 + 1})),
    )
    .await;
    assert_eq!(status, 200);
    let info = client
        .get_invoices()
        .body(
            cryptocloud::types::InvoiceInfoRequest::builder()
                .uuids(vec![to_cancel.uuid.to_string(), to_expire.uuid.to_string()]),
        )
        .send()
        .await?
        .into_inner()
        .result;
    assert!(
        info.iter().all(|i| i.status.as_str() == "canceled"),
        "{info:?}"
    );
    assert_eq!(
        deliveries(&sandbox).await.len(),
        1,
        "cancel and expiry send no postback"
    );
    assert!(receiver.try_next().is_none());
    Ok(())
}

#[tokio::test]
async fn cryptoprocessing_part_then_full_callbacks_duplicate_and_refusals() -> TestResult {
    let mut receiver = Receiver::start(Answer::Ok).await;
    let mut config = Config::default();
    config.cryptoprocessing.callback_url = Some(receiver.url.clone());
    let sandbox = Sandbox::start(config).await?;
    let client = cryptoprocessing_client(&sandbox);
    let keys = sandbox.config().cryptoprocessing.clone();
    let verifier =
        invoice_webhooks::cryptoprocessing::Verifier::new(Secret::new(keys.secret_key.clone()))
            .with_api_key(Secret::new(keys.api_key.clone()));

    client.ping().send().await?;
    let request = || {
        cryptoprocessing::types::InvoiceCreateRequest::builder()
            .timer(false)
            .title("Invoice Title")
            .currency("EUR")
            .amount("106.75")
            .foreign_id("user_196")
            .end_user_reference("12345")
    };
    let created = client
        .create_invoice()
        .body(request())
        .send()
        .await?
        .into_inner()
        .data;
    assert_eq!(created.status.as_str(), "created");
    assert_eq!(created.amount.to_string(), "106.75000000");
    assert_eq!(
        created.url,
        sandbox.payment_page(Provider::Cryptoprocessing, &created.id.to_string())
    );

    // The retry key: the same foreign_id again is refused.
    let duplicate = client
        .create_invoice()
        .body(request())
        .send()
        .await
        .expect_err("foreign_id taken");
    assert_eq!(duplicate.status().map(|s| s.as_u16()), Some(400));
    let body: serde_json::Value = serde_json::from_slice(duplicate.body().unwrap_or_default())?;
    assert_eq!(
        body,
        json!({"errors": {"foreign_id": "The foreign id has already been taken."}})
    );

    let id = created.id.to_string();
    let (_, answer) = control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{id}/pay"),
        Some(json!({"kind": "part", "amount": "6.75"})),
    )
    .await;
    assert_eq!(answer["status"], "pending");
    let pending = receiver.next().await;
    let pending = verifier.verify(&pending.headers, &pending.body)?;
    assert_eq!(pending.callback.status.as_str(), "pending");
    assert_eq!(
        pending
            .callback
            .currency_sent
            .as_ref()
            .and_then(|c| c.remaining_amount)
            .map(|a| a.to_string()),
        Some("100.00000000".into())
    );

    control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{id}/pay"),
        Some(json!({"kind": "full"})),
    )
    .await;
    let confirmed_delivery = receiver.next().await;
    let confirmed = verifier.verify(&confirmed_delivery.headers, &confirmed_delivery.body)?;
    assert_eq!(confirmed.callback.status.as_str(), "confirmed");
    assert_eq!(confirmed.callback.id, created.id);
    assert_eq!(
        confirmed.callback.transactions.as_ref().map(Vec::len),
        Some(2)
    );
    assert_ne!(confirmed.dedup_key(), pending.dedup_key());

    // Status through the API: the balance holds the payment, and the confirmed invoice can no
    // longer be cancelled (Cryptoprocessing has no invoice-information call).
    let accounts = client
        .list_accounts()
        .body(cryptoprocessing::types::EmptyRequest {})
        .send()
        .await?
        .into_inner()
        .data;
    let eur = accounts
        .iter()
        .find(|a| a.currency == "EUR")
        .expect("an EUR account");
    assert_eq!(eur.balance.to_string(), "106.75000000");
    let refused = client
        .cancel_invoice()
        .foreign_id("user_196")
        .body(cryptoprocessing::types::EmptyRequest {})
        .send()
        .await
        .expect_err("a confirmed invoice is not cancelled");
    let body: serde_json::Value = serde_json::from_slice(refused.body().unwrap_or_default())?;
    assert_eq!(body["errors"]["code"], "invalid_invoice_state");

    // The confirmed callback re-sent: byte for byte the same, the same key.
    let log = deliveries(&sandbox).await;
    let confirmed_id = log
        .iter()
        .find(|d| d["event"] == "confirmed")
        .and_then(|d| d["id"].as_u64())
        .expect("logged");
    control(
        &sandbox,
        &format!("deliveries/{confirmed_id}/resend"),
        Some(json!({})),
    )
    .await;
    let again = receiver.next().await;
    assert_eq!(again.body, confirmed_delivery.body);
    assert_eq!(
        verifier.verify(&again.headers, &again.body)?.dedup_key(),
        confirmed.dedup_key()
    );

    let currencies = client
        .list_currencies()
        .body(cryptoprocessing::types::CurrencyListRequest::builder().visible(true))
        .send()
        .await?
        .into_inner()
        .data;
    assert!(currencies.iter().any(|c| c.currency == "BTC"));
    Ok(())
}

#[tokio::test]
async fn cryptoprocessing_cancel_and_timer_send_failed_callbacks() -> TestResult {
    let mut receiver = Receiver::start(Answer::Ok).await;
    let mut config = Config::default();
    config.cryptoprocessing.callback_url = Some(receiver.url.clone());
    let sandbox = Sandbox::start(config).await?;
    let client = cryptoprocessing_client(&sandbox);
    let verifier = invoice_webhooks::cryptoprocessing::Verifier::new(Secret::new(
        sandbox.config().cryptoprocessing.secret_key.clone(),
    ));
    let create = |foreign_id: &'static str| {
        client.create_invoice().body(
            cryptoprocessing::types::InvoiceCreateRequest::builder()
                .timer(true)
                .title("Timed")
                .currency("EUR")
                .amount("20")
                .sender_currency("BTC")
                .foreign_id(foreign_id),
        )
    };
    let timed = create("timed-1").send().await?.into_inner().data;
    assert_eq!(timed.sender_currency.as_deref(), Some("BTC"));
    assert_eq!(
        timed.sender_amount.map(|a| a.to_string()),
        Some("0.00040000".into())
    );
    assert!(
        timed.address.is_some(),
        "the coin is fixed, so the address is shown"
    );
    create("cancel-1").send().await?;

    client
        .cancel_invoice()
        .foreign_id("cancel-1")
        .body(cryptoprocessing::types::EmptyRequest {})
        .send()
        .await?;
    let canceled = receiver.next().await;
    let canceled = verifier.verify(&canceled.headers, &canceled.body)?;
    assert_eq!(canceled.callback.status.as_str(), "failed");

    control(&sandbox, "time/advance", Some(json!({"minutes": 16}))).await;
    let expired = receiver.next().await;
    let expired = verifier.verify(&expired.headers, &expired.body)?;
    assert_eq!(expired.callback.id, timed.id);
    assert_eq!(expired.callback.status.as_str(), "failed");
    assert_eq!(
        expired.callback.error.as_deref(),
        Some("Timer expired. User not paid.")
    );
    Ok(())
}

#[tokio::test]
async fn apiforcrypto_notification_retried_each_minute_until_ok() -> TestResult {
    // The first answer is a 500: the notification comes again a sandbox minute later.
    let mut receiver = Receiver::start(Answer::FailFirst(1)).await;
    let sandbox = Sandbox::start(Config::default()).await?;
    let client = apiforcrypto_client(&sandbox);
    let wallet = sandbox.config().apiforcrypto.wallet_ids[0].clone();
    let key = invoice_webhooks::apiforcrypto::generate_secret_key();
    let created = client
        .create_invoice()
        .wallet_id(wallet.as_str())
        .body(
            apiforcrypto::types::InvoiceCreateRequest::builder()
                .blockchain("ethereum")
                .symbol("USDT")
                .fiat_currency(
                    apiforcrypto::types::FiatAmount::builder()
                        .currency("USD")
                        .value("100")
                        .percent(2),
                )
                .expiry(30)
                .confirmations(3)
                .secret_key(key.clone())
                .data(
                    apiforcrypto::types::InvoiceData::builder()
                        .order_id("ORDER-1001")
                        .url_callback(receiver.url.clone())
                        .attempts_callback(2),
                ),
        )
        .send()
        .await?
        .into_inner();
    assert_eq!(created.status.as_str(), "NOT_PAID");
    assert_eq!(created.value.to_string(), "102");
    assert_eq!(
        created.url_pay.as_deref(),
        Some(
            sandbox
                .payment_page(Provider::ApiForCrypto, &created.id)
                .as_str()
        )
    );
    assert!(
        created
            .data
            .as_ref()
            .is_some_and(|d| d.url_callback.is_none()),
        "url_callback is not public"
    );

    control(
        &sandbox,
        &format!("apiforcrypto/invoices/{}/pay", created.id),
        Some(json!({"kind": "full"})),
    )
    .await;
    let stored = key.clone();
    let verifier =
        invoice_webhooks::apiforcrypto::Verifier::new(move |_: &str| Some(stored.clone()));
    let refused = receiver.next().await;
    let first = verifier.verify(&refused.headers, &refused.body)?;
    assert_eq!(first.callback.status.as_str(), "PAID");

    // The retry waits one sandbox minute: advance it rather than wait.
    let log = eventually("the refused attempt is logged", || async {
        let log = deliveries(&sandbox).await;
        (log[0]["attempts"].as_array().map(Vec::len) == Some(1)).then_some(log)
    })
    .await;
    assert_eq!(log[0]["state"], "pending");
    control(&sandbox, "time/advance", Some(json!({"minutes": 1}))).await;
    let retried = receiver.next().await;
    let second = verifier.verify(&retried.headers, &retried.body)?;
    assert_eq!(
        second.dedup_key(),
        first.dedup_key(),
        "a retry is the same notification"
    );
    eventually("the delivery is marked delivered", || async {
        (deliveries(&sandbox).await[0]["state"] == "delivered").then_some(())
    })
    .await;
    // Re-sent through the control API: the same notification, recognised as a duplicate.
    let (status, _) = control(&sandbox, "deliveries/1/resend", Some(json!({}))).await;
    assert_eq!(status, 200);
    let resent = receiver.next().await;
    assert_eq!(resent.body, retried.body);
    assert_eq!(
        verifier.verify(&resent.headers, &resent.body)?.dedup_key(),
        first.dedup_key()
    );

    let fetched = client
        .get_invoice()
        .uuid(created.id.as_str())
        .send()
        .await?
        .into_inner();
    assert_eq!(fetched.status.as_str(), "PAID");
    assert_eq!(fetched.txs.as_ref().map(Vec::len), Some(1));
    let wallet_info = client
        .get_wallet()
        .wallet_id(wallet.as_str())
        .send()
        .await?
        .into_inner();
    let usdt = wallet_info
        .accounts
        .iter()
        .find(|a| a.blockchain == "ethereum" && a.symbol == "USDT")
        .expect("a USDT account");
    assert_eq!(usdt.decimal_balance.to_string(), "102");
    assert_eq!(wallet_info.balance.to_string(), "102.00");
    Ok(())
}

#[tokio::test]
async fn bad_input_gets_the_documented_errors() -> TestResult {
    let sandbox = Sandbox::start(Config::default()).await?;
    let http = support::http_client();
    let cc = sandbox.base_url(Provider::CryptoCloud);
    let cp = sandbox.base_url(Provider::Cryptoprocessing);
    let af = sandbox.base_url(Provider::ApiForCrypto);
    let cc_key = format!("Token {}", sandbox.config().cryptocloud.api_key);
    let cp_config = sandbox.config().cryptoprocessing.clone();
    let sign = |body: &[u8]| {
        cryptoprocessing::Credentials::new(cp_config.api_key.clone(), cp_config.secret_key.clone())
            .map(|c| c.sign(body))
    };

    async fn send(request: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    // CryptoCloud: no key, a wrong key, malformed JSON, wrong content type, unknown invoice.
    let (status, body) = send(
        http.post(format!("{cc}/v2/invoice/create"))
            .json(&json!({})),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"status": "error", "result": {"authorization": "Unauthorized request."}})
        )
    );
    let (status, body) = send(
        http.post(format!("{cc}/v2/invoice/create"))
            .header("authorization", "Token wrong")
            .json(&json!({})),
    )
    .await;
    assert_eq!(
        (status, body),
        (401, json!({"detail": "Signature verification failed"}))
    );
    let (status, body) = send(
        http.post(format!("{cc}/v2/invoice/create"))
            .header("authorization", &cc_key)
            .header("content-type", "application/json")
            .body("{\"amount\": 1,"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["status"], "error");
    assert!(body["result"]["validate_error"].is_string(), "{body}");
    let (status, body) = send(
        http.post(format!("{cc}/v2/invoice/create"))
            .header("authorization", &cc_key)
            .body("amount=1"),
    )
    .await;
    assert_eq!(
        (status, body["result"]["validate_error"].clone()),
        (400, json!("Content-Type must be application/json"))
    );
    let (status, body) = send(
        http.post(format!("{cc}/v2/invoice/merchant/canceled"))
            .header("authorization", &cc_key)
            .json(&json!({"uuid": "INV-NOSUCH00"})),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"status": "error", "result": {"validate_error": "Invoice not found"}})
        )
    );
    let (status, body) = send(
        http.post(format!("{cc}/v2/invoice/merchant/canceled"))
            .header("authorization", &cc_key)
            .json(&json!({})),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"status": "error", "result": {"validate_error": "uuid is required"}})
        )
    );
    // The withdrawal key alone opens withdrawals.
    let (status, _) = send(
        http.post(format!("{cc}/v2/invoice/api/out/create"))
            .header("authorization", &cc_key)
            .json(&json!({"currency_code": "BTC", "to_address": "x", "amount": 1})),
    )
    .await;
    assert_eq!(status, 401);
    // An oversized body is refused, and the sandbox keeps serving.
    let huge = vec![b' '; sandbox.config().max_body_bytes + 1];
    let (status, body) = send(
        http.post(format!("{cc}/v2/invoice/create"))
            .header("authorization", &cc_key)
            .header("content-type", "application/json")
            .body(huge),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(body["status"], "error");

    // Cryptoprocessing: each documented 403, and bad content.
    let body = br#"{"visible":true}"#.to_vec();
    let list = format!("{cp}/api/v2/currencies/list");
    let (status, answer) = send(http.post(&list).json(&json!({"visible": true}))).await;
    assert_eq!(
        (status, answer),
        (
            403,
            json!({"error": "No key header", "code": "required_header_key"})
        )
    );
    let (status, answer) = send(
        http.post(&list)
            .header("x-processing-key", "wrong")
            .body(body.clone()),
    )
    .await;
    assert_eq!(
        (status, answer),
        (
            403,
            json!({"error": "Bad key header", "code": "bad_header_key"})
        )
    );
    let (status, answer) = send(
        http.post(&list)
            .header("x-processing-key", &cp_config.api_key)
            .body(body.clone()),
    )
    .await;
    assert_eq!(
        (status, answer),
        (
            403,
            json!({"error": "No signature header", "code": "required_header_signature"})
        )
    );
    let signature = sign(&body)?;
    let (status, answer) = send(
        http.post(&list)
            .header("x-processing-key", &cp_config.api_key)
            .header("x-processing-signature", &signature)
            .header("content-type", "application/json")
            .body(br#"{"visible":false}"#.to_vec()),
    )
    .await;
    assert_eq!(
        (status, answer),
        (
            403,
            json!({"error": "Bad signature header", "code": "bad_header_signature"})
        ),
        "the signature covers the exact bytes"
    );
    let malformed = b"{not json".to_vec();
    let (status, answer) = send(
        http.post(&list)
            .header("x-processing-key", &cp_config.api_key)
            .header("x-processing-signature", sign(&malformed)?)
            .header("content-type", "application/json")
            .body(malformed),
    )
    .await;
    assert_eq!(
        (status, answer),
        (
            400,
            json!({"error": "Bad content format", "code": "bad_content_format"})
        )
    );
    let (status, answer) = send(
        http.post(&list)
            .header("x-processing-key", &cp_config.api_key)
            .header("x-processing-signature", sign(&body)?)
            .header("content-type", "text/plain")
            .body(body.clone()),
    )
    .await;
    assert_eq!(
        (status, answer["code"].clone()),
        (400, json!("bad_content_format"))
    );
    let (status, _) = send(http.get(format!("{cp}/api/v2/ping"))).await;
    assert_eq!(status, 200, "ping takes no key");
    let empty = b"{}".to_vec();
    let (status, answer) = send(
        http.post(format!("{cp}/api/v2/invoices/nosuch/cancel/"))
            .header("x-processing-key", &cp_config.api_key)
            .header("x-processing-signature", sign(&empty)?)
            .header("content-type", "application/json")
            .body(empty),
    )
    .await;
    assert_eq!(
        (status, answer),
        (
            400,
            json!({"errors": {"foreign_id": "The selected foreign id is invalid."}})
        )
    );

    // apiforcrypto: unknown invoice and wallet, malformed body, inactive currency.
    let (status, answer) = send(http.get(format!("{af}/api/v1/wallets/invoices/nosuch"))).await;
    assert_eq!(
        (status, answer),
        (404, json!({"message": "Invoice not found"}))
    );
    let (status, answer) = send(http.get(format!("{af}/api/v1/wallets/nosuch"))).await;
    assert_eq!(
        (status, answer),
        (404, json!({"message": "Wallet not found"}))
    );
    let wallet = &sandbox.config().apiforcrypto.wallet_ids[0];
    let (status, answer) = send(
        http.post(format!("{af}/api/v1/wallets/{wallet}/invoices"))
            .header("content-type", "application/json")
            .body("["),
    )
    .await;
    assert_eq!(status, 400);
    assert!(answer["message"].is_string());
    let (status, answer) = send(http.post(format!("{af}/api/v1/wallets/{wallet}/invoices")).json(&json!({"blockchain": "dogechain", "symbol": "DOGE", "value": 1, "expiry": 15, "confirmations": 1}))).await;
    assert_eq!(
        (status, answer),
        (403, json!({"message": "Currency is not active"}))
    );
    let (status, _) = send(http.post(format!("{af}/api/v1/wallets/{wallet}/invoices")).json(&json!({"blockchain": "bitcoin", "symbol": "BTC", "value": 1, "expiry": 99, "confirmations": 1}))).await;
    assert_eq!(status, 400, "expiry is 15 to 40 minutes");

    // Hostile numbers are refused, never an overflow.
    let shop_id = sandbox.config().cryptocloud.shop_id.clone();
    let (status, _) = send(
        http.post(format!("{cc}/v2/invoice/create"))
            .header("authorization", &cc_key)
            .json(&json!({"shop_id": shop_id, "amount": 1e27, "currency": "USD"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = send(
        http.post(format!("{af}/api/v1/wallets/{wallet}/invoices"))
            .json(&json!({
                "blockchain": "bitcoin", "symbol": "BTC", "expiry": 15, "confirmations": 1,
                "fiatCurrency": {"currency": "USD", "value": 1e15, "percent": i64::MAX}
            })),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = control(&sandbox, "time/advance", Some(json!({"minutes": i64::MAX}))).await;
    assert_eq!(status, 400);
    let (status, _) = control(&sandbox, "time/advance", Some(json!({"days": 1}))).await;
    assert_eq!(status, 400, "unknown fields are refused");

    // Still serving after all of that.
    let (status, _) = control(&sandbox, "config", None).await;
    assert_eq!(status, 200);
    Ok(())
}

#[tokio::test]
async fn a_hanging_receiver_blocks_no_api_request() -> TestResult {
    let mut receiver = Receiver::start(Answer::Hang).await;
    let mut config = Config::default();
    config.cryptocloud.postback_url = Some(receiver.url.clone());
    // Far longer than the guard below: the attempt is still hanging while the API answers.
    config.delivery_timeout_secs = 3600.0;
    let sandbox = Sandbox::start(config).await?;
    let client = cryptocloud_client(&sandbox);
    let shop_id = sandbox.config().cryptocloud.shop_id.clone();
    let created = create_cryptocloud_invoice(&client, &shop_id, "1").await;
    control(
        &sandbox,
        &format!("cryptocloud/invoices/{}/pay", *created.uuid),
        Some(json!({})),
    )
    .await;
    // The receiver has the request and is sitting on it.
    receiver.next().await;

    let answered = tokio::time::timeout(Duration::from_secs(10), async {
        for _ in 0..5 {
            create_cryptocloud_invoice(&client, &shop_id, "2").await;
            client
                .get_invoices()
                .body(
                    cryptocloud::types::InvoiceInfoRequest::builder()
                        .uuids(vec![created.uuid.to_string()]),
                )
                .send()
                .await
                .expect("info answers");
        }
        deliveries(&sandbox).await
    })
    .await
    .expect("the API answers while a delivery hangs");
    assert_eq!(answered[0]["state"], "pending");
    assert_eq!(
        answered[0]["attempts"].as_array().map(Vec::len),
        Some(0),
        "the attempt is still in flight"
    );
    assert!(GUARD > Duration::from_secs(10));
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn list_windows_info_limits_pages_and_control_calls() -> TestResult {
    let sandbox = Sandbox::start(Config::default()).await?;
    let client = cryptocloud_client(&sandbox);
    let shop_id = sandbox.config().cryptocloud.shop_id.clone();
    let mut ids = Vec::new();
    for amount in ["1", "2", "3"] {
        ids.push(
            create_cryptocloud_invoice(&client, &shop_id, amount)
                .await
                .uuid
                .to_string(),
        );
    }

    // `limit` is the number of the last record: offset 1, limit 3 is the 2nd and 3rd record
    // (newest first), out of all 3 of the period.
    let window = client
        .list_invoices()
        .body(
            cryptocloud::types::InvoiceListRequest::builder()
                .start(today().as_str())
                .end(today().as_str())
                .offset(1)
                .limit(3),
        )
        .send()
        .await?
        .into_inner();
    assert_eq!(window.all_count, 3);
    let listed: Vec<String> = window.result.iter().map(|i| i.uuid.to_string()).collect();
    assert_eq!(listed, [ids[1].clone(), ids[0].clone()]);

    // What the client refuses before sending, the sandbox refuses too.
    let http = support::http_client();
    let cc = sandbox.base_url(Provider::CryptoCloud);
    let key = format!("Token {}", sandbox.config().cryptocloud.api_key);
    let wide = http
        .post(format!("{cc}/v2/invoice/merchant/list"))
        .header("authorization", &key)
        .json(&json!({"start": today(), "end": today(), "offset": 0, "limit": 101}))
        .send()
        .await?;
    assert_eq!(wide.status(), 400);
    let body: serde_json::Value = wide.json().await?;
    assert!(
        body["result"]["validate_error"]
            .as_str()
            .is_some_and(|m| m.contains("exceeds 100")),
        "{body}"
    );
    let too_many: Vec<String> = (0..101).map(|n| format!("INV-{n:08}")).collect();
    let info = http
        .post(format!("{cc}/v2/invoice/merchant/info"))
        .header("authorization", &key)
        .json(&json!({ "uuids": too_many }))
        .send()
        .await?;
    assert_eq!(info.status(), 400, "at most 100 identifiers");

    // Control calls: fail, refuse to fail twice, unknown invoices and providers.
    let (status, failed) = control(
        &sandbox,
        &format!("cryptocloud/invoices/{}/fail", ids[0]),
        Some(json!({})),
    )
    .await;
    assert_eq!((status, failed["status"].clone()), (200, json!("canceled")));
    let (status, _) = control(
        &sandbox,
        &format!("cryptocloud/invoices/{}/fail", ids[0]),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 409);
    let (status, _) = control(
        &sandbox,
        "cryptocloud/invoices/INV-NOSUCH00/pay",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = control(&sandbox, "bitpay/invoices/x/pay", Some(json!({}))).await;
    assert_eq!(status, 404);
    let (status, _) = control(
        &sandbox,
        &format!("cryptocloud/invoices/{}/pay", ids[1]),
        Some(json!({"kind": "part", "amount": "-1"})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, summary) =
        control(&sandbox, &format!("cryptocloud/invoices/{}", ids[2]), None).await;
    assert_eq!((status, summary["status"].clone()), (200, json!("created")));
    assert_eq!(
        summary["payment_page"],
        json!(sandbox.payment_page(Provider::CryptoCloud, &ids[2]))
    );

    // The pages render what the sandbox holds.
    let index = http.get(sandbox.url()).send().await?.text().await?;
    assert!(ids.iter().all(|id| index.contains(id.as_str())));
    let log = http
        .get(format!("{}/_sandbox/deliveries", sandbox.url()))
        .send()
        .await?;
    assert_eq!(log.status(), 200);
    let page = http
        .get(sandbox.payment_page(Provider::CryptoCloud, &ids[0]))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("The payment of this invoice failed."),
        "a closed invoice says so"
    );
    let missing = http
        .get(sandbox.payment_page(Provider::CryptoCloud, "INV-<script>"))
        .send()
        .await?;
    assert_eq!(missing.status(), 404);
    assert!(
        !missing.text().await?.contains("<script>"),
        "the id is escaped"
    );

    // Reset forgets everything.
    let (status, _) = control(&sandbox, "reset", Some(json!({}))).await;
    assert_eq!(status, 200);
    let (_, invoices) = control(&sandbox, "invoices", None).await;
    assert_eq!(invoices, json!([]));
    let (_, config) = control(&sandbox, "config", None).await;
    assert_eq!(config["cryptocloud"]["shop_id"], json!(shop_id));
    Ok(())
}

#[tokio::test]
async fn retries_follow_the_schedule_in_scaled_time() -> TestResult {
    // At 600×, Cryptoprocessing's +1 and +5 minute retries take 0.1 s and 0.5 s.
    let mut receiver = Receiver::start(Answer::FailFirst(2)).await;
    let mut config = Config {
        time_scale: 600.0,
        ..Config::default()
    };
    config.cryptoprocessing.callback_url = Some(receiver.url.clone());
    let sandbox = Sandbox::start(config).await?;
    let client = cryptoprocessing_client(&sandbox);
    let created = client
        .create_invoice()
        .body(
            cryptoprocessing::types::InvoiceCreateRequest::builder()
                .timer(false)
                .title("Scaled")
                .currency("EUR")
                .amount("10")
                .foreign_id("scaled-1"),
        )
        .send()
        .await?
        .into_inner()
        .data;
    control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{}/pay", created.id),
        Some(json!({})),
    )
    .await;
    let first = receiver.next().await;
    let second = receiver.next().await;
    let third = receiver.next().await;
    assert!(
        first.body == second.body && second.body == third.body,
        "a retry sends the same bytes"
    );
    let log = eventually("the third attempt is logged as accepted", || async {
        let log = deliveries(&sandbox).await;
        (log[0]["state"] == "delivered").then_some(log)
    })
    .await;
    let attempts = log[0]["attempts"].as_array().cloned().unwrap_or_default();
    assert_eq!(attempts.len(), 3);
    assert_eq!(
        log[0]["max_attempts"], 13,
        "the first attempt and 12 retries"
    );
    let at = |n: usize| -> chrono::DateTime<chrono::Utc> {
        serde_json::from_value(attempts[n]["at"].clone()).expect("a time")
    };
    // Sandbox time between attempts is at least the documented wait.
    assert!(at(1) - at(0) >= chrono::TimeDelta::minutes(1));
    assert!(at(2) - at(1) >= chrono::TimeDelta::minutes(5));
    Ok(())
}
