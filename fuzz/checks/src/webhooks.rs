//! The three webhook verifiers of `invoice-webhooks`, on arbitrary headers and bodies.
//!
//! Input: one byte choosing the provider, then header lines (`name: value`), a blank line
//! (`\n\n`) and the body; without a blank line everything after the first byte is the body.
//! The verifiers are set up with fixed secrets ([`CRYPTOCLOUD_SECRET`] and a clock at
//! [`CRYPTOCLOUD_NOW`], under which the specs' example tokens are valid, and so on), so the
//! seed corpus holds correctly signed deliveries that the fuzzer mutates.
//!
//! - Verifying the same delivery twice gives the same answer (the same rejection, or the same
//!   event: its dedup key and payload).
//! - A delivery is accepted only if it is authentic by an independent check: CryptoCloud's
//!   `token` decodes with jsonwebtoken (HS256, the secret) and has not expired;
//!   Cryptoprocessing's `X-Processing-Signature` is the HMAC-SHA512 of the exact body (and
//!   `X-Processing-Key` the API key); apiforcrypto's `secret_key` is the invoice's key.
//! - apiforcrypto's two ways in ([`Verifier`](invoice_webhooks::apiforcrypto::Verifier) and
//!   `Delivery::read` + `verify`) agree.
//! - A rejection has a code and an HTTP status of 4xx or 500.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use http::{HeaderMap, HeaderName, HeaderValue};
use invoice_webhooks::{apiforcrypto, cryptocloud, cryptoprocessing, Rejection, Secret};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use sha2::Sha512;

/// The secret the specs' example postback tokens are signed with.
pub const CRYPTOCLOUD_SECRET: &str = "example-project-secret";
/// The verifier's clock: before the `exp` of the specs' example tokens (1631786426).
pub const CRYPTOCLOUD_NOW: u64 = 1_631_786_000;
/// Cryptoprocessing's secret key (the seeds are signed with it by `cargo xtask fuzz`).
pub const CRYPTOPROCESSING_SECRET: &str = "fuzz-secret-key";
/// Cryptoprocessing's API key, checked when the provider byte asks for it.
pub const CRYPTOPROCESSING_API_KEY: &str = "fuzz-api-key";
/// apiforcrypto's per-invoice key: the one in the specs' examples.
pub const APIFORCRYPTO_KEY: &str = "my-secret-for-this-invoice";
/// apiforcrypto invoices whose id contains this have no key stored.
pub const UNKNOWN_INVOICE: &str = "unknown";

/// The first byte of an input: the verifier that reads it (modulo 4).
pub mod verifier {
    pub const CRYPTOCLOUD: u8 = 0;
    /// Cryptoprocessing's, without the API key.
    pub const CRYPTOPROCESSING: u8 = 1;
    /// Cryptoprocessing's, also requiring `X-Processing-Key`.
    pub const CRYPTOPROCESSING_WITH_KEY: u8 = 2;
    pub const APIFORCRYPTO: u8 = 3;
}

/// An input for `verifier`: what [`parse`] reads back (no blank line and no headers: the
/// whole rest is the body).
pub fn input(verifier: u8, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = vec![verifier];
    if !headers.is_empty() {
        for (name, value) in headers {
            out.extend_from_slice(format!("{name}: {value}\n").as_bytes());
        }
        out.push(b'\n');
    }
    out.extend_from_slice(body);
    out
}

/// Splits the input into a provider byte, headers and body.
pub fn parse(data: &[u8]) -> Option<(u8, HeaderMap, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    let mut headers = HeaderMap::new();
    let body = match rest.windows(2).position(|w| w == b"\n\n") {
        None => rest,
        Some(end) => {
            for line in rest[..end].split(|&b| b == b'\n') {
                let Some(colon) = line.iter().position(|&b| b == b':') else {
                    continue;
                };
                let (name, value) = (&line[..colon], &line[colon + 1..]);
                let value = value.strip_prefix(b" ").unwrap_or(value);
                if let (Ok(name), Ok(value)) =
                    (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
                {
                    headers.append(name, value);
                }
            }
            &rest[end + 2..]
        }
    };
    Some((selector, headers, body))
}

fn assert_rejection(rejection: &Rejection) {
    assert!(!rejection.code().is_empty());
    let status = rejection.status().as_u16();
    assert!(
        (400..500).contains(&status) || status == 500,
        "{rejection:?}: status {status}"
    );
    assert!(!rejection.to_string().is_empty());
}

/// CryptoCloud's verifier, as the fuzz targets set it up.
pub fn cryptocloud_verifier() -> cryptocloud::Verifier {
    cryptocloud::Verifier::new(Secret::new(CRYPTOCLOUD_SECRET))
        .with_clock(|| UNIX_EPOCH + Duration::from_secs(CRYPTOCLOUD_NOW))
}

/// The time CryptoCloud deliveries are checked at.
pub fn cryptocloud_now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(CRYPTOCLOUD_NOW)
}

fn cryptocloud(headers: &HeaderMap, body: &[u8]) {
    let verifier = cryptocloud_verifier();
    let first = verifier.verify_at(headers, body, cryptocloud_now());
    let second = verifier.verify(headers, body);
    match (&first, &second) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.dedup_key(), b.dedup_key());
            assert_eq!(
                serde_json::to_string(&a.postback).unwrap(),
                serde_json::to_string(&b.postback).unwrap()
            );
            assert_eq!(a.claims, b.claims);
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            assert_rejection(a);
            return;
        }
        _ => panic!("verifying twice: {first:?} then {second:?}"),
    }
    // Accepted: the token must be genuine by jsonwebtoken's own reading.
    let event = first.expect("matched Ok");
    let token = &event.postback.token;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Map<String, Value>>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(CRYPTOCLOUD_SECRET.as_bytes()),
        &validation,
    )
    .unwrap_or_else(|e| panic!("accepted a postback whose token jsonwebtoken refuses: {e}"));
    let exp = data.claims.get("exp").and_then(Value::as_f64);
    let exp = exp.unwrap_or_else(|| panic!("accepted a token without a numeric exp"));
    let leeway = cryptocloud::DEFAULT_LEEWAY.as_secs() as f64;
    assert!(
        (CRYPTOCLOUD_NOW as f64) < exp.floor() + leeway,
        "accepted an expired token (exp {exp})"
    );
    assert_eq!(event.claims.expires_at() as f64, exp.floor());
    // The body's token field is the one checked (the postback keeps it).
    let serialized = serde_json::to_vec(&event.postback).expect("serializes");
    let _: cryptocloud::Postback = serde_json::from_slice(&serialized).expect("reads back");
}

/// HMAC-SHA512 of `body` with Cryptoprocessing's secret key.
pub fn cryptoprocessing_mac(body: &[u8]) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha512>::new_from_slice(CRYPTOPROCESSING_SECRET.as_bytes()).expect("any key length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn cryptoprocessing(check_api_key: bool, headers: &HeaderMap, body: &[u8]) {
    let mut verifier = cryptoprocessing::Verifier::new(Secret::new(CRYPTOPROCESSING_SECRET));
    if check_api_key {
        verifier = verifier.with_api_key(Secret::new(CRYPTOPROCESSING_API_KEY));
    }
    let first = verifier.verify(headers, body);
    let second = verifier.verify(headers, body);
    match (&first, &second) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.dedup_key(), b.dedup_key());
            assert_eq!(a.transaction_keys(), b.transaction_keys());
            assert_eq!(
                serde_json::to_string(&a.callback).unwrap(),
                serde_json::to_string(&b.callback).unwrap()
            );
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            assert_rejection(a);
            return;
        }
        _ => panic!("verifying twice: {first:?} then {second:?}"),
    }
    // Accepted: exactly one signature header, the MAC of these bytes.
    let signatures: Vec<&HeaderValue> = headers
        .get_all(cryptoprocessing::SIGNATURE_HEADER)
        .iter()
        .collect();
    assert_eq!(
        signatures.len(),
        1,
        "accepted without exactly one signature"
    );
    let text = signatures[0]
        .to_str()
        .expect("accepted a non-text signature");
    let given = hex::decode(text.trim()).expect("accepted a signature that is not hex");
    assert_eq!(
        given,
        cryptoprocessing_mac(body),
        "accepted a signature that is not the body's HMAC"
    );
    if check_api_key {
        let keys: Vec<&HeaderValue> = headers
            .get_all(cryptoprocessing::API_KEY_HEADER)
            .iter()
            .collect();
        assert_eq!(keys.len(), 1, "accepted without exactly one API key");
        assert_eq!(keys[0].as_bytes(), CRYPTOPROCESSING_API_KEY.as_bytes());
    }
}

/// apiforcrypto's key lookup: every invoice has [`APIFORCRYPTO_KEY`], except those whose id
/// contains [`UNKNOWN_INVOICE`].
pub fn apiforcrypto_keys(invoice_id: &str) -> Option<Secret> {
    (!invoice_id.contains(UNKNOWN_INVOICE)).then(|| Secret::new(APIFORCRYPTO_KEY))
}

fn apiforcrypto(headers: &HeaderMap, body: &[u8]) {
    let verifier = apiforcrypto::Verifier::new(apiforcrypto_keys);
    let first = verifier.verify(headers, body);
    let second = verifier.verify(headers, body);
    let by_hand = apiforcrypto::Delivery::read(headers, body).and_then(|delivery| {
        let expected = apiforcrypto_keys(delivery.invoice_id());
        delivery.verify(expected.as_ref())
    });
    match (&first, &second, &by_hand) {
        (Ok(a), Ok(b), Ok(c)) => {
            assert_eq!(a.dedup_key(), b.dedup_key());
            assert_eq!(a.dedup_key(), c.dedup_key());
            let text = serde_json::to_string(&a.callback).unwrap();
            assert_eq!(text, serde_json::to_string(&b.callback).unwrap());
            assert_eq!(text, serde_json::to_string(&c.callback).unwrap());
        }
        (Err(a), Err(b), Err(c)) => {
            assert_eq!(a, b);
            assert_eq!(a, c);
            assert_rejection(a);
            return;
        }
        _ => panic!("verifying twice: {first:?}, {second:?}, by hand {by_hand:?}"),
    }
    // Accepted: the body's `secret_key` is the invoice's key (read as raw members, as the
    // verifier does: a member serde_json's `Value` cannot hold must not matter here).
    let fields: BTreeMap<String, Box<RawValue>> =
        serde_json::from_slice(body).expect("accepted a body that is not a JSON object");
    let text = |name: &str| {
        fields
            .get(name)
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
    };
    assert_eq!(
        text("secret_key").as_deref(),
        Some(APIFORCRYPTO_KEY),
        "accepted a notification without the invoice's key"
    );
    let id = text("id").expect("accepted a notification without a string id");
    assert!(!id.contains(UNKNOWN_INVOICE), "accepted an unknown invoice");
    let event = first.expect("matched Ok");
    assert!(
        event.callback.secret_key.is_none(),
        "the verified event still holds the secret key"
    );
}

/// The `verify_webhooks` target.
pub fn check(data: &[u8]) {
    let Some((selector, headers, body)) = parse(data) else {
        return;
    };
    match selector % 4 {
        verifier::CRYPTOCLOUD => cryptocloud(&headers, body),
        verifier::CRYPTOPROCESSING => cryptoprocessing(false, &headers, body),
        verifier::CRYPTOPROCESSING_WITH_KEY => cryptoprocessing(true, &headers, body),
        _ => apiforcrypto(&headers, body),
    }
}
