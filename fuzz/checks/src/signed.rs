//! Correctly signed deliveries with fuzzed payloads, signed here independently of
//! `invoice-webhooks` (its own signers are not used, so a bug shared by its signer and its
//! verifier cannot hide).
//!
//! Input: one byte choosing the provider and variant, then the payload. Cryptoprocessing signs
//! the payload bytes as they are; CryptoCloud and apiforcrypto need a JSON object (other
//! payloads are skipped), to which the `token` (an HS256 JWT with `exp` and the body's
//! `invoice_id`) or the invoice's `secret_key` is added.
//!
//! - A correctly signed delivery is never refused as unauthentic: it is accepted, or refused
//!   only as a malformed body (and accepted whenever the body decodes as the callback type).
//! - Verifying the same bytes twice gives the same answer.
//! - A verified delivery stays verified after re-reading: its event, serialized and signed
//!   again, verifies to the same dedup key.
//! - The same delivery with a changed signature, key, body byte or an expired token is refused
//!   as unauthentic, with the expected rejection.

use std::collections::BTreeMap;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};
use invoice_webhooks::{apiforcrypto, cryptocloud, cryptoprocessing, Rejection, Secret};
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::webhooks::{
    apiforcrypto_keys, cryptocloud_now, cryptocloud_verifier, cryptoprocessing_mac,
    APIFORCRYPTO_KEY, CRYPTOCLOUD_NOW, CRYPTOCLOUD_SECRET, CRYPTOPROCESSING_API_KEY,
    CRYPTOPROCESSING_SECRET, UNKNOWN_INVOICE,
};

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// A JSON object's members, raw (duplicates collapse to the last).
type Members = BTreeMap<String, Box<RawValue>>;

fn members(payload: &[u8]) -> Option<Members> {
    serde_json::from_slice(payload).ok()
}

fn raw(value: &Value) -> Box<RawValue> {
    RawValue::from_string(value.to_string()).expect("a Value is JSON")
}

/// The members as one JSON object, each raw value written as it is (serde_json writes a
/// `RawValue` verbatim).
fn to_json(members: &Members) -> Vec<u8> {
    serde_json::to_vec(members).expect("string keys and JSON values serialize")
}

/// The members as a form: strings as their text, `null` left out, anything else as its JSON.
fn to_form(members: &Members) -> Vec<u8> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (key, value) in members {
        if value.get() == "null" {
            continue;
        }
        match serde_json::from_str::<String>(value.get()) {
            Ok(text) => form.append_pair(key, &text),
            Err(_) => form.append_pair(key, value.get()),
        };
    }
    form.finish().into_bytes()
}

fn string_member(members: &Members, name: &str) -> Option<String> {
    members
        .get(name)
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
}

fn headers(content_type: &str, extra: &[(&str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
    for (name, value) in extra {
        headers.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    headers
}

/// Refused only as a malformed body, if at all.
fn not_unauthentic<T: std::fmt::Debug>(result: &Result<T, Rejection>, what: &str, payload: &[u8]) {
    if let Err(rejection) = result {
        assert!(
            matches!(rejection, Rejection::MalformedBody(_)),
            "{what}: a correctly signed delivery was refused: {rejection:?}\nbody: {}",
            String::from_utf8_lossy(payload)
        );
    }
}

// --- Cryptoprocessing ----------------------------------------------------------------------

fn cryptoprocessing_headers(body: &[u8], upper: bool) -> HeaderMap {
    let mut mac = hex::encode(cryptoprocessing_mac(body));
    if upper {
        mac.make_ascii_uppercase();
    }
    headers(
        JSON,
        &[
            (cryptoprocessing::SIGNATURE_HEADER, &mac),
            (cryptoprocessing::API_KEY_HEADER, CRYPTOPROCESSING_API_KEY),
        ],
    )
}

fn cryptoprocessing(variant: u8, body: &[u8]) {
    let verifier = cryptoprocessing::Verifier::new(Secret::new(CRYPTOPROCESSING_SECRET))
        .with_api_key(Secret::new(CRYPTOPROCESSING_API_KEY));
    let headers = cryptoprocessing_headers(body, variant & 1 == 1);
    let first = verifier.verify(&headers, body);
    not_unauthentic(&first, "cryptoprocessing", body);
    if serde_json::from_slice::<cryptoprocessing::InvoiceCallback>(body).is_ok() {
        assert!(first.is_ok(), "a signed callback that decodes: {first:?}");
    }
    let second = verifier.verify(&headers, body);
    assert_eq!(
        first.as_ref().map(|v| v.dedup_key()).map_err(Clone::clone),
        second.as_ref().map(|v| v.dedup_key()).map_err(Clone::clone),
        "verifying twice"
    );

    // Tampering.
    let mut bad = headers.clone();
    let mut mac = cryptoprocessing_mac(body);
    let at = usize::from(variant) % mac.len();
    mac[at] ^= 1;
    bad.insert(
        cryptoprocessing::SIGNATURE_HEADER,
        HeaderValue::from_str(&hex::encode(mac)).unwrap(),
    );
    assert_eq!(
        verifier.verify(&bad, body).err(),
        Some(Rejection::BadSignature)
    );
    let mut changed = body.to_vec();
    match changed.get_mut(usize::from(variant) % body.len().max(1)) {
        Some(byte) => *byte ^= 0x20,
        None => changed.push(b' '),
    }
    assert_eq!(
        verifier.verify(&headers, &changed).err(),
        Some(Rejection::BadSignature),
        "a changed body with the old signature"
    );
    let mut wrong_key = headers.clone();
    wrong_key.insert(
        cryptoprocessing::API_KEY_HEADER,
        HeaderValue::from_static("another-api-key"),
    );
    assert_eq!(
        verifier.verify(&wrong_key, body).err(),
        Some(Rejection::BadApiKey)
    );

    // Re-reading: the verified callback, serialized and signed again.
    if let Ok(event) = first {
        let again = invoice_primitives::wire::to_vec(&event.callback).expect("serializes");
        let reread = verifier
            .verify(&cryptoprocessing_headers(&again, false), &again)
            .unwrap_or_else(|e| panic!("re-reading a verified callback: {e:?}"));
        assert_eq!(reread.dedup_key(), event.dedup_key());
        assert_eq!(reread.transaction_keys(), event.transaction_keys());
    }
}

// --- CryptoCloud ---------------------------------------------------------------------------

/// An HS256 token with `exp` and, if the body has a string `invoice_id`, that claim.
fn token(secret: &str, exp: i64, invoice_id: Option<&str>) -> String {
    let mut claims = serde_json::Map::new();
    claims.insert("id".into(), json!(13));
    claims.insert("exp".into(), json!(exp));
    if let Some(id) = invoice_id {
        claims.insert("invoice_id".into(), json!(id));
    }
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("HS256 signs")
}

fn cryptocloud_delivery(members: &Members, form: bool, token: String) -> (HeaderMap, Vec<u8>) {
    let mut members = members.clone();
    members.insert("token".into(), raw(&Value::String(token)));
    if form {
        (headers(FORM, &[]), to_form(&members))
    } else {
        (headers(JSON, &[]), to_json(&members))
    }
}

fn cryptocloud(variant: u8, payload: &[u8]) {
    let Some(members) = members(payload) else {
        return;
    };
    let form = variant & 1 == CRYPTOCLOUD_FORM;
    let invoice_id = string_member(&members, "invoice_id");
    let exp = CRYPTOCLOUD_NOW as i64 + 300;
    let (headers, body) = cryptocloud_delivery(
        &members,
        form,
        token(CRYPTOCLOUD_SECRET, exp, invoice_id.as_deref()),
    );
    let verifier = cryptocloud_verifier();
    let first = verifier.verify_at(&headers, &body, cryptocloud_now());
    not_unauthentic(&first, "cryptocloud", &body);
    if !form {
        let mut without_info = members.clone();
        without_info.remove("invoice_info");
        let mut with_token = without_info;
        with_token.insert("token".into(), raw(&json!("t")));
        if serde_json::from_slice::<cryptocloud::Postback>(&to_json(&with_token)).is_ok() {
            assert!(first.is_ok(), "a signed postback that decodes: {first:?}");
        }
    }
    let second = verifier.verify_at(&headers, &body, cryptocloud_now());
    assert_eq!(
        first.as_ref().map(|v| v.dedup_key()).map_err(Clone::clone),
        second.as_ref().map(|v| v.dedup_key()).map_err(Clone::clone),
        "verifying twice"
    );

    // Tampering: another secret, an expired token.
    let (h, b) = cryptocloud_delivery(
        &members,
        form,
        token("another-secret", exp, invoice_id.as_deref()),
    );
    assert_eq!(
        verifier.verify_at(&h, &b, cryptocloud_now()).err(),
        Some(Rejection::BadToken)
    );
    let expired = CRYPTOCLOUD_NOW as i64 - 61;
    let (h, b) = cryptocloud_delivery(
        &members,
        form,
        token(CRYPTOCLOUD_SECRET, expired, invoice_id.as_deref()),
    );
    assert_eq!(
        verifier.verify_at(&h, &b, cryptocloud_now()).err(),
        Some(Rejection::ExpiredToken)
    );

    // Re-reading: the verified postback, serialized, signed again, as JSON.
    if let Ok(event) = first {
        let again: Members = serde_json::from_slice(
            &invoice_primitives::wire::to_vec(&event.postback).expect("serializes"),
        )
        .expect("a postback is an object");
        let (h, b) = cryptocloud_delivery(
            &again,
            false,
            token(CRYPTOCLOUD_SECRET, exp, Some(&event.postback.invoice_id)),
        );
        let reread = verifier
            .verify_at(&h, &b, cryptocloud_now())
            .unwrap_or_else(|e| panic!("re-reading a verified postback: {e:?}"));
        assert_eq!(reread.dedup_key(), event.dedup_key());
    }
}

// --- apiforcrypto --------------------------------------------------------------------------

fn apiforcrypto_delivery(members: &Members, key: &str) -> Vec<u8> {
    let mut members = members.clone();
    members.insert("secret_key".into(), raw(&Value::String(key.into())));
    to_json(&members)
}

fn apiforcrypto(payload: &[u8]) {
    let Some(mut members) = members(payload) else {
        return;
    };
    let id = match string_member(&members, "id") {
        Some(id) => id,
        None => {
            members.insert("id".into(), raw(&json!("fuzz-invoice")));
            "fuzz-invoice".into()
        }
    };
    let verifier = apiforcrypto::Verifier::new(apiforcrypto_keys);
    let headers = headers(JSON, &[]);
    let body = apiforcrypto_delivery(&members, APIFORCRYPTO_KEY);
    let first = verifier.verify(&headers, &body);
    if id.contains(UNKNOWN_INVOICE) {
        assert_eq!(first.err(), Some(Rejection::UnknownInvoice));
        return;
    }
    not_unauthentic(&first, "apiforcrypto", &body);
    if serde_json::from_slice::<apiforcrypto::InvoiceCallback>(&body).is_ok() {
        assert!(
            first.is_ok(),
            "a keyed notification that decodes: {first:?}"
        );
    }
    let second = verifier.verify(&headers, &body);
    assert_eq!(
        first.as_ref().map(|v| v.dedup_key()).map_err(Clone::clone),
        second.as_ref().map(|v| v.dedup_key()).map_err(Clone::clone),
        "verifying twice"
    );
    let wrong = apiforcrypto_delivery(&members, &format!("{APIFORCRYPTO_KEY}x"));
    assert_eq!(
        verifier.verify(&headers, &wrong).err(),
        Some(Rejection::BadSecretKey)
    );

    // Re-reading: the verified notification (its key cleared), with the key put back.
    if let Ok(event) = first {
        let again: Members = serde_json::from_slice(
            &invoice_primitives::wire::to_vec(&event.callback).expect("serializes"),
        )
        .expect("a notification is an object");
        let reread = verifier
            .verify(&headers, &apiforcrypto_delivery(&again, APIFORCRYPTO_KEY))
            .unwrap_or_else(|e| panic!("re-reading a verified notification: {e:?}"));
        assert_eq!(reread.dedup_key(), event.dedup_key());
    }
}

/// The first byte of an input is `variant * 3 + provider`.
pub mod provider {
    pub const CRYPTOCLOUD: u8 = 0;
    pub const CRYPTOPROCESSING: u8 = 1;
    pub const APIFORCRYPTO: u8 = 2;
}

/// CryptoCloud's variant whose delivery is a form (an odd variant; an even one is JSON).
pub const CRYPTOCLOUD_FORM: u8 = 1;

/// An input: `provider`'s delivery of `payload`, in `variant`.
pub fn input(provider: u8, variant: u8, payload: &[u8]) -> Vec<u8> {
    [vec![variant * 3 + provider], payload.to_vec()].concat()
}

/// The `verify_signed` target.
pub fn check(data: &[u8]) {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let variant = selector / 3;
    match selector % 3 {
        provider::CRYPTOCLOUD => cryptocloud(variant, payload),
        provider::CRYPTOPROCESSING => cryptoprocessing(variant, payload),
        _ => apiforcrypto(payload),
    }
}
