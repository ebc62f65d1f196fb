//! Exact money on the wire, property-tested with random decimals (up to 28 significant digits,
//! scale 0 to 28, both signs).
//!
//! - Requests: the decimal (above zero, as requests require) in a generated request type's
//!   money field, serialized as the clients send it (`invoice_primitives::wire::to_vec`), is a
//!   JSON number whose text is exactly the decimal (value and scale).
//! - Responses: the decimal written as a JSON number (CryptoCloud `result[0].amount`) or as a
//!   JSON string (Cryptoprocessing `data.amount`) into the documented example reads back, with
//!   `serde_json::from_slice`, as exactly that decimal, scale included.
//! - End to end: the body a generated client puts on the wire carries the exact digits.

mod server;
#[allow(dead_code)] // Only `response_example` is used here.
mod support;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::LazyLock;

use httpmock::MockServer;
use invoice_primitives::Amount;
use proptest::prelude::*;
use proptest::test_runner::Config;
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use serde_json::Value;
use server::{apiforcrypto_client, cryptocloud_client, cryptoprocessing_client};

use apiforcrypto::types as afc;
use cryptocloud::types as cc;
use cryptoprocessing::types as cp;

/// The largest mantissa with 28 digits.
const MAX_28_DIGITS: i128 = 9_999_999_999_999_999_999_999_999_999;

/// A decimal with up to 28 significant digits, any scale from 0 to 28, either sign; small and
/// round mantissas are drawn often too, since they are where scale and zero handling differ.
fn decimals() -> impl Strategy<Value = Decimal> {
    let mantissa = prop_oneof![
        -MAX_28_DIGITS..=MAX_28_DIGITS,
        -1_000_i128..=1_000,
        (-99_i128..=99).prop_map(|m| m * 1_000_000),
    ];
    (mantissa, 0_u32..=28).prop_map(|(m, scale)| Decimal::from_i128_with_scale(m, scale))
}

/// A decimal a request may carry: above zero (the rest as [`decimals`]).
fn request_amounts() -> impl Strategy<Value = Decimal> {
    decimals()
        .prop_map(|d| d.abs())
        .prop_filter("above zero", |d| !d.is_zero())
}

fn config() -> Config {
    Config {
        cases: 256,
        // Failures are reported with their minimal input; no regression files in the tree.
        failure_persistence: None,
        ..Config::default()
    }
}

/// The raw JSON text of each top-level member of a serialized object.
fn members(json: &[u8]) -> BTreeMap<String, Box<RawValue>> {
    serde_json::from_slice(json).expect("a JSON object")
}

/// The money member's text is a JSON number that is exactly `d`, scale kept.
fn assert_exact_number(json: &[u8], member: &str, d: Decimal) -> Result<(), TestCaseError> {
    let members = members(json);
    let text = members.get(member).map(|raw| raw.get()).ok_or_else(|| {
        TestCaseError::fail(format!(
            "no `{member}` in {}",
            String::from_utf8_lossy(json)
        ))
    })?;
    prop_assert!(
        text.starts_with(|c: char| c == '-' || c.is_ascii_digit()),
        "`{member}` is not a JSON number: {text}"
    );
    prop_assert!(
        serde_json::from_str::<serde_json::Number>(text).is_ok(),
        "`{member}` is not valid JSON number text: {text}"
    );
    let back = Decimal::from_str(text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
    prop_assert_eq!(back, d, "value of {}", text);
    prop_assert_eq!(text, d.to_string(), "digits and scale");
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn cryptocloud_request_amount_is_an_exact_json_number(d in request_amounts()) {
        let request = cc::InvoiceCreateRequest::builder()
            .shop_id("shop")
            .amount(Amount::new(d));
        let request = cc::InvoiceCreateRequest::try_from(request).expect("valid request");
        let json = invoice_primitives::wire::to_vec(&request).expect("serializes");
        assert_exact_number(&json, "amount", d)?;
    }

    #[test]
    fn apiforcrypto_request_value_is_an_exact_json_number(d in request_amounts()) {
        let request = afc::InvoiceCreateRequest::builder()
            .blockchain("ethereum")
            .symbol("USDT")
            .value(Amount::new(d))
            .expiry(30)
            .confirmations(1);
        let request = afc::InvoiceCreateRequest::try_from(request).expect("valid request");
        let json = invoice_primitives::wire::to_vec(&request).expect("serializes");
        assert_exact_number(&json, "value", d)?;
    }

    #[test]
    fn apiforcrypto_request_fiat_value_is_an_exact_json_number(d in request_amounts()) {
        let fiat = afc::FiatAmount { currency: Some("USD".into()), value: Some(Amount::new(d)), percent: None };
        let json = invoice_primitives::wire::to_vec(&fiat).expect("serializes");
        assert_exact_number(&json, "value", d)?;
    }

    #[test]
    fn cryptoprocessing_request_amount_is_an_exact_json_number(d in request_amounts()) {
        let request = cp::InvoiceCreateRequest::builder()
            .timer(false)
            .title("Invoice Title")
            .foreign_id("user_196")
            .amount(Amount::new(d));
        let request = cp::InvoiceCreateRequest::try_from(request).expect("valid request");
        let json = invoice_primitives::wire::to_vec(&request).expect("serializes");
        assert_exact_number(&json, "amount", d)?;
    }

    #[test]
    fn cryptocloud_response_amount_number_reads_back_exactly(d in decimals()) {
        let body = with_raw(&CC_LIST, &["result", "0", "amount"], &d.to_string());
        let list: cc::InvoiceListResponse = serde_json::from_slice(body.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{d}: {e}")))?;
        let amount = list.result[0].amount.get();
        prop_assert_eq!(amount, d);
        prop_assert_eq!(amount.to_string(), d.to_string(), "scale kept");
    }

    #[test]
    fn cryptoprocessing_response_amount_string_reads_back_exactly(d in decimals()) {
        let text = serde_json::to_string(&d.to_string()).expect("a JSON string");
        let body = with_raw(&CP_CREATE, &["data", "amount"], &text);
        let created: cp::InvoiceCreateResponse = serde_json::from_slice(body.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{d}: {e}")))?;
        let amount = created.data.amount.get();
        prop_assert_eq!(amount, d);
        prop_assert_eq!(amount.to_string(), d.to_string(), "scale kept");
        prop_assert_eq!(amount.scale(), d.scale());
    }
}

/// The documented list example (CryptoCloud) and create example (Cryptoprocessing).
static CC_LIST: LazyLock<Value> = LazyLock::new(|| {
    support::response_example(
        "specs/cryptocloud.yaml",
        "list_invoices",
        "200",
        "documented",
    )
});
static CP_CREATE: LazyLock<Value> = LazyLock::new(|| {
    support::response_example(
        "specs/cryptoprocessing.yaml",
        "create_invoice",
        "200",
        "documented",
    )
});

/// `example` serialized with the member at `path` replaced by the JSON text `raw` (which a
/// `Value` could not hold exactly).
fn with_raw(example: &Value, path: &[&str], raw: &str) -> String {
    const MARK: &str = "@@money@@";
    let mut doc = example.clone();
    let mut slot = &mut doc;
    for key in path {
        slot = match slot {
            Value::Array(items) => &mut items[key.parse::<usize>().expect("index")],
            other => &mut other[*key],
        };
    }
    *slot = Value::String(MARK.to_owned());
    let text = serde_json::to_string(&doc).expect("serializes");
    text.replacen(&format!("\"{MARK}\""), raw, 1)
}

#[test]
fn the_strategy_reaches_the_extremes() {
    // The largest 28-digit mantissa at both ends of the scale range is held exactly.
    for scale in [0, 28] {
        let d = Decimal::from_i128_with_scale(MAX_28_DIGITS, scale);
        let body = with_raw(&CC_LIST, &["result", "0", "amount"], &d.to_string());
        let list: cc::InvoiceListResponse = serde_json::from_slice(body.as_bytes()).expect("reads");
        assert_eq!(list.result[0].amount.get().to_string(), d.to_string());
    }
}

/// Through the generated clients to a server on 127.0.0.1: the request body on the wire
/// carries the amount's exact digits, as a JSON number.
#[tokio::test]
async fn the_wire_carries_the_exact_digits() {
    const DIGITS: &str = "0.1234567890123456789012345670";
    let amount: Amount = DIGITS.parse().expect("amount");
    // Each mock answers only a body whose member carries the digits, exactly as written: the
    // text is matched, not a parsed number.
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for (path, member, answer) in [
        (
            "/v2/invoice/create",
            "amount",
            CC_CREATE_RESPONSE.to_string(),
        ),
        ("/api/v2/invoices/create", "amount", CP_CREATE.to_string()),
        (
            "/api/v1/wallets/w-1/invoices",
            "value",
            AFC_CREATE_RESPONSE.to_string(),
        ),
    ] {
        let mock = server
            .mock_async(|when, then| {
                when.method("POST")
                    .path(path)
                    .body_includes(format!("\"{member}\":{DIGITS}"));
                then.status(200)
                    .header("content-type", "application/json")
                    .body(answer);
            })
            .await;
        mocks.push(mock);
    }
    cryptocloud_client(&server.base_url())
        .create_invoice()
        .body(
            cc::InvoiceCreateRequest::builder()
                .shop_id("shop")
                .amount(amount),
        )
        .send()
        .await
        .expect("cryptocloud create");
    cryptoprocessing_client(&server.base_url())
        .create_invoice()
        .body(
            cp::InvoiceCreateRequest::builder()
                .timer(false)
                .title("Invoice Title")
                .foreign_id("user_196")
                .amount(amount),
        )
        .send()
        .await
        .expect("cryptoprocessing create");
    apiforcrypto_client(&server.base_url())
        .create_invoice()
        .wallet_id("w-1")
        .body(
            afc::InvoiceCreateRequest::builder()
                .blockchain("ethereum")
                .symbol("USDT")
                .value(amount)
                .expiry(30)
                .confirmations(1),
        )
        .send()
        .await
        .expect("apiforcrypto create");
    for mock in mocks {
        mock.assert_calls_async(1).await;
    }
}

static CC_CREATE_RESPONSE: LazyLock<Value> = LazyLock::new(|| {
    support::response_example(
        "specs/cryptocloud.yaml",
        "create_invoice",
        "200",
        "documented",
    )
});
static AFC_CREATE_RESPONSE: LazyLock<Value> = LazyLock::new(|| {
    support::response_example(
        "specs/apiforcrypto.yaml",
        "create_invoice",
        "200",
        "constructed",
    )
});

/// An amount the provider would refuse is refused before sending, naming the field: zero and
/// negatives (an amount to pay or to send is above zero), and text not in plain decimal
/// notation (`1e3`, `+7`), so that what is sent is what was written.
#[test]
fn request_amounts_the_provider_refuses_are_not_built() {
    for (text, reason) in [
        ("0", "must be above 0"),
        ("-5", "must be above 0"),
        ("0.000", "must be above 0"),
        ("1e3", "without an exponent or `+`"),
        ("+7", "without an exponent or `+`"),
    ] {
        let refused = [
            cc::InvoiceCreateRequest::try_from(
                cc::InvoiceCreateRequest::builder()
                    .shop_id("shop")
                    .amount(text),
            )
            .map(drop)
            .map_err(|e| e.to_string()),
            cc::WithdrawalCreateRequest::try_from(
                cc::WithdrawalCreateRequest::builder()
                    .currency_code("BTC")
                    .to_address("bc1q")
                    .amount(text),
            )
            .map(drop)
            .map_err(|e| e.to_string()),
            cp::InvoiceCreateRequest::try_from(
                cp::InvoiceCreateRequest::builder()
                    .timer(false)
                    .title("Invoice Title")
                    .foreign_id("user_196")
                    .amount(text),
            )
            .map(drop)
            .map_err(|e| e.to_string()),
            afc::InvoiceCreateRequest::try_from(
                afc::InvoiceCreateRequest::builder()
                    .blockchain("ethereum")
                    .symbol("USDT")
                    .value(text)
                    .expiry(30)
                    .confirmations(1),
            )
            .map(drop)
            .map_err(|e| e.to_string()),
            afc::InvoiceCreateRequest::try_from(
                afc::InvoiceCreateRequest::builder()
                    .blockchain("ethereum")
                    .symbol("USDT")
                    .fiat_currency(afc::FiatAmount::builder().currency("USD").value(text))
                    .expiry(30)
                    .confirmations(1),
            )
            .map(drop)
            .map_err(|e| e.to_string()),
        ];
        for (field, result) in ["amount", "amount", "amount", "value", "fiatCurrency.value"]
            .into_iter()
            .zip(refused)
        {
            let err = result.expect_err(text);
            let names_field = field.split('.').all(|part| err.contains(part));
            assert!(err.contains(reason) && names_field, "{text}: {err}");
        }
    }
}
