//! Documented rules that involve more than one field, checked on the request about to be
//! sent (its JSON body), so that no path around the typed builders can skip them.
//!
//! Single-field limits (lengths, ranges, list sizes) are already enforced by the generated
//! types; OpenAPI 3.0 cannot express the rules here. Each provider's generated client calls
//! its function as progenitor's async pre hook (with the client's config, unused here); an `Err` refuses the request before anything
//! is sent, and [`SendExt::checked`](crate::SendExt::checked) reports it as
//! [`ApiError::InvalidRequest`](crate::ApiError::InvalidRequest).

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::time::DayMonthYear;

/// A request refused before it was sent; the message names the fields involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Most records CryptoCloud returns for one list request.
pub const CRYPTOCLOUD_MAX_PAGE: i64 = 100;

/// CryptoCloud: `start` not after `end`; `offset < limit` and `limit - offset <= 100`, since
/// `limit` is the number of the last record, not a page size (see the spec's note on `limit`).
pub async fn cryptocloud<C: ?Sized>(
    _config: &C,
    request: &mut reqwest::Request,
) -> Result<(), Refused> {
    // Only this operation has such rules: other requests are not parsed.
    if !request.url().path().ends_with("/v2/invoice/merchant/list") {
        return Ok(());
    }
    let Some(body) = json_body(request)? else {
        return Ok(());
    };
    let date = |field: &str| match body.get(field).and_then(Value::as_str) {
        Some(text) => DayMonthYear::from_str(text)
            .map(Some)
            .map_err(|e| Refused(format!("`{field}`: {e}"))),
        None => Ok(None),
    };
    if let (Some(start), Some(end)) = (date("start")?, date("end")?) {
        if start > end {
            return Err(Refused(format!("`start` ({start}) is after `end` ({end})")));
        }
    }
    let number =
        |field: &str, default: i64| body.get(field).and_then(Value::as_i64).unwrap_or(default);
    let (offset, limit) = (number("offset", 0), number("limit", 10));
    if limit <= offset {
        return Err(Refused(format!(
            "`limit` ({limit}) must be greater than `offset` ({offset}): it is the number of \
             the last record to return, not a count"
        )));
    }
    if limit - offset > CRYPTOCLOUD_MAX_PAGE {
        return Err(Refused(format!(
            "`limit` - `offset` ({limit} - {offset}) exceeds {CRYPTOCLOUD_MAX_PAGE}, the most \
             records one request returns"
        )));
    }
    Ok(())
}

/// Cryptoprocessing: `sender_data` is required when `sender_type` is given; the redirect URLs
/// must use HTTPS and a domain name, not an IP address.
pub async fn cryptoprocessing<C: ?Sized>(
    _config: &C,
    request: &mut reqwest::Request,
) -> Result<(), Refused> {
    // Only this operation has such rules: other requests are not parsed.
    if !request.url().path().ends_with("/invoices/create") {
        return Ok(());
    }
    let Some(body) = json_body(request)? else {
        return Ok(());
    };
    if body.contains_key("sender_type") && !body.contains_key("sender_data") {
        return Err(Refused(
            "`sender_data` is required when `sender_type` is given".to_owned(),
        ));
    }
    for field in ["url_success", "url_failed"] {
        if let Some(url) = body.get(field).and_then(Value::as_str) {
            https_domain(field, url)?;
        }
    }
    Ok(())
}

/// apiforcrypto: an invoice needs an amount (`value`, or `fiatCurrency.value`);
/// `data.attempts_callback` is from 0 to 20; the redirect URLs must start with `http://` or
/// `https://`.
pub async fn apiforcrypto<C: ?Sized>(
    _config: &C,
    request: &mut reqwest::Request,
) -> Result<(), Refused> {
    // Only this operation has such rules: other requests are not parsed.
    if !request.url().path().ends_with("/invoices") {
        return Ok(());
    }
    let Some(body) = json_body(request)? else {
        return Ok(());
    };
    let fiat_value = body.get("fiatCurrency").and_then(|fiat| fiat.get("value"));
    if body.get("value").is_none() && fiat_value.is_none() {
        return Err(Refused(
            "an amount is required: `value` (in cryptocurrency) or `fiatCurrency.value`".to_owned(),
        ));
    }
    let data = body.get("data").and_then(Value::as_object);
    // `data` is also part of responses, so its limit is checked here, not by its type.
    if let Some(attempts) = data.and_then(|d| d.get("attempts_callback")) {
        if !attempts.as_i64().is_some_and(|n| (0..=20).contains(&n)) {
            return Err(Refused(format!(
                "`data.attempts_callback` ({attempts}) must be from 0 to 20"
            )));
        }
    }
    for field in ["url_success", "url_failed"] {
        if let Some(url) = data.and_then(|d| d.get(field)).and_then(Value::as_str) {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Refused(format!(
                    "`data.{field}` ({url}) must start with http:// or https://"
                )));
            }
        }
    }
    Ok(())
}

/// The request's JSON object body, if it has one.
fn json_body(request: &reqwest::Request) -> Result<Option<Map<String, Value>>, Refused> {
    let Some(bytes) = request.body().and_then(reqwest::Body::as_bytes) else {
        return Ok(None);
    };
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Ok(None),
        Err(e) => Err(Refused(format!("request body is not JSON: {e}"))),
    }
}

fn https_domain(field: &str, url: &str) -> Result<(), Refused> {
    let refuse = |why: &str| Err(Refused(format!("`{field}` ({url}) {why}")));
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return refuse("is not a URL");
    };
    if parsed.scheme() != "https" {
        return refuse("must use https");
    }
    match (parsed.domain(), parsed.host_str()) {
        (Some(_), _) => Ok(()),
        (None, Some(_)) => refuse("must name a domain, not an IP address"),
        (None, None) => refuse("has no host"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, body: Value) -> reqwest::Request {
        reqwest::Client::new()
            .post(format!("https://example.test{path}"))
            .json(&body)
            .build()
            .unwrap()
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn cryptocloud_list_window_and_dates() {
        let check = |body: Value| {
            block_on(cryptocloud(
                &(),
                &mut request("/v2/invoice/merchant/list", body),
            ))
        };
        assert_eq!(
            check(serde_json::json!({"start": "01.01.2023", "end": "31.01.2023"})),
            Ok(())
        );
        let error =
            check(serde_json::json!({"start": "01.02.2024", "end": "31.01.2024"})).unwrap_err();
        assert_eq!(error.0, "`start` (01.02.2024) is after `end` (31.01.2024)");
        let window = |offset: i64, limit: i64| serde_json::json!({"start": "01.01.2024", "end": "01.01.2024", "offset": offset, "limit": limit});
        // limit is the number of the last record: offset 100, limit 200 is records 101..=200.
        assert_eq!(check(window(100, 200)), Ok(()));
        assert!(check(window(100, 201))
            .unwrap_err()
            .0
            .contains("exceeds 100"));
        assert!(check(window(100, 100))
            .unwrap_err()
            .0
            .contains("must be greater than `offset`"));
        assert!(
            check(serde_json::json!({"start": "1.1.2024", "end": "01.01.2024"}))
                .unwrap_err()
                .0
                .starts_with("`start`")
        );
    }

    #[test]
    fn cryptoprocessing_sender_data_and_urls() {
        let check = |body: Value| {
            block_on(cryptoprocessing(
                &(),
                &mut request("/api/v2/invoices/create", body),
            ))
        };
        let error = check(serde_json::json!({"sender_type": "natural"})).unwrap_err();
        assert_eq!(
            error.0,
            "`sender_data` is required when `sender_type` is given"
        );
        assert_eq!(
            check(serde_json::json!({"sender_type": "natural", "sender_data": {}})),
            Ok(())
        );
        assert!(
            check(serde_json::json!({"url_success": "http://shop.example"}))
                .unwrap_err()
                .0
                .contains("https")
        );
        assert!(
            check(serde_json::json!({"url_failed": "https://10.0.0.1/x"}))
                .unwrap_err()
                .0
                .contains("IP address")
        );
        assert_eq!(
            check(serde_json::json!({"url_failed": "https://shop.example/failed"})),
            Ok(())
        );
    }

    #[test]
    fn apiforcrypto_amount_and_urls() {
        let check = |body: Value| {
            block_on(apiforcrypto(
                &(),
                &mut request("/api/v1/wallets/w1/invoices", body),
            ))
        };
        assert!(
            check(serde_json::json!({"fiatCurrency": {"currency": "USD"}}))
                .unwrap_err()
                .0
                .contains("amount")
        );
        assert_eq!(check(serde_json::json!({"value": 1})), Ok(()));
        assert_eq!(
            check(serde_json::json!({"fiatCurrency": {"value": 10}})),
            Ok(())
        );
        let error = check(serde_json::json!({"value": 1, "data": {"url_success": "shop.example"}}))
            .unwrap_err();
        assert_eq!(
            error.0,
            "`data.url_success` (shop.example) must start with http:// or https://"
        );
    }
}
