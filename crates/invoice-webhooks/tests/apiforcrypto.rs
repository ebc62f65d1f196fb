//! apiforcrypto notifications: the spec's examples verify against stored keys and parse
//! (unknown fields and exact amounts kept, the secret cleared), and every kind of forged or
//! broken delivery is refused with its own reason.

mod common;

use std::collections::HashMap;

use common::*;
use http::HeaderMap;
use invoice_webhooks::apiforcrypto::{Delivery, Verifier};
use invoice_webhooks::{Rejection, Secret};
use serde_json::{json, Value};

/// The key the spec's examples carry.
const KEY: &str = "my-secret-for-this-invoice";
const PAID: &str = "f4ae3bd1-a031-4b4c-84cb-96a425aab4c8";
const MEMPOOL: &str = "0b6f4a52-7c1e-4d3a-9a51-2f8de0c4b7aa";

fn keys() -> HashMap<String, Secret> {
    HashMap::from([
        (PAID.to_owned(), Secret::new(KEY)),
        (MEMPOOL.to_owned(), Secret::new(KEY)),
        (
            "another-invoice".to_owned(),
            Secret::new("another invoice's key"),
        ),
        ("keyless-invoice".to_owned(), Secret::new("")),
    ])
}

fn verifier() -> Verifier {
    Verifier::new(keys())
}

fn example(name: &str) -> Value {
    webhook_example(
        "apiforcrypto.yaml",
        "invoice_status",
        "application/json",
        name,
    )
}

fn body(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

#[test]
fn every_spec_example_verifies_and_parses() {
    let names = webhook_example_names("apiforcrypto.yaml", "invoice_status", "application/json");
    assert_eq!(names.len(), 2, "{names:?}");
    for name in names {
        let verified = verifier()
            .verify(&json_headers(), &body(&example(&name)))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            verified.callback.secret_key.is_none(),
            "the secret is cleared"
        );
        assert!(!format!("{verified:?}").contains(KEY));
        insta::assert_debug_snapshot!(format!("example_{name}"), verified);
        insta::assert_snapshot!(
            format!("example_{name}_dedup_key"),
            verified.dedup_key().to_string()
        );
    }
}

#[test]
fn unknown_fields_are_kept() {
    let verified = verifier()
        .verify(&json_headers(), &body(&example("unknown_field")))
        .unwrap();
    assert_eq!(
        verified.callback.extra.get("network_fee"),
        Some(&json!({"symbol": "ETH", "value": "0.00042"}))
    );
    assert!(!verified.callback.extra.contains_key("secret_key"));
}

#[test]
fn amounts_keep_every_digit_despite_the_flattened_extra_fields() {
    let text = format!(
        r#"{{"id": "{PAID}", "status": "PAID", "secret_key": "{KEY}",
            "value": 0.12345678901234567891,
            "fiat_currency": {{"currency": "USD", "value": 1234567.12345678901234}},
            "later_field": 0.12345678901234567891}}"#
    );
    let verified = verifier().verify(&json_headers(), text.as_bytes()).unwrap();
    assert_eq!(
        verified.callback.value.unwrap().to_string(),
        "0.12345678901234567891"
    );
    assert_eq!(
        verified
            .callback
            .fiat_currency
            .as_ref()
            .unwrap()
            .value
            .unwrap()
            .to_string(),
        "1234567.12345678901234"
    );
    // An unknown member is a `serde_json::Value`: its numbers are `f64`s.
    assert_eq!(
        verified.callback.extra["later_field"].to_string(),
        "0.12345678901234568"
    );
}

#[test]
fn two_step_verification_for_asynchronous_lookups() {
    let bytes = body(&example("paid"));
    let delivery = Delivery::read(&json_headers(), &bytes).unwrap();
    assert_eq!(delivery.invoice_id(), PAID);
    assert!(!format!("{delivery:?}").contains(KEY));
    let verified = delivery.verify(Some(&Secret::new(KEY))).unwrap();
    assert_eq!(verified.callback.id, PAID);
}

#[test]
fn a_closure_can_be_the_lookup() {
    let verifier = Verifier::new(|id: &str| (id == PAID).then(|| Secret::new(KEY)));
    assert!(verifier
        .verify(&HeaderMap::new(), &body(&example("paid")))
        .is_ok());
}

struct Case {
    name: &'static str,
    headers: HeaderMap,
    body: Vec<u8>,
    expected: Rejection,
}

fn cases() -> Vec<Case> {
    let paid = example("paid");
    let with = |key: &str, value: Value| {
        let mut v = paid.clone();
        v[key] = value;
        body(&v)
    };
    let without = |key: &str| {
        let mut v = paid.clone();
        v.as_object_mut().unwrap().remove(key);
        body(&v)
    };
    let mut flipped_key = KEY.to_owned().into_bytes();
    flipped_key[3] ^= 0x01;
    let flipped_key = String::from_utf8(flipped_key).unwrap();
    let case = |name, body, expected| Case {
        name,
        headers: json_headers(),
        body,
        expected,
    };
    vec![
        case(
            "secret_key byte flipped",
            with("secret_key", json!(flipped_key)),
            Rejection::BadSecretKey,
        ),
        case(
            "wrong secret_key",
            with("secret_key", json!("guessed")),
            Rejection::BadSecretKey,
        ),
        case(
            "secret_key with a suffix",
            with("secret_key", json!(format!("{KEY}x"))),
            Rejection::BadSecretKey,
        ),
        case(
            "key of another invoice",
            with("secret_key", json!("another invoice's key")),
            Rejection::BadSecretKey,
        ),
        case(
            "another invoice's notification with this invoice's key",
            with("id", json!("another-invoice")),
            Rejection::BadSecretKey,
        ),
        case(
            "missing secret_key",
            without("secret_key"),
            Rejection::MissingSecretKey,
        ),
        case(
            "empty secret_key",
            with("secret_key", json!("")),
            Rejection::EmptySecretKey,
        ),
        case(
            "unknown invoice",
            with("id", json!("00000000-0000-0000-0000-000000000000")),
            Rejection::UnknownInvoice,
        ),
        case(
            "invoice stored with an empty key",
            with("id", json!("keyless-invoice")),
            Rejection::NoSecret,
        ),
        case(
            "secret_key not a string",
            with("secret_key", json!(12345)),
            Rejection::MalformedBody("`secret_key` is not a string".into()),
        ),
        case(
            "missing invoice id",
            without("id"),
            Rejection::MalformedBody("no invoice `id`".into()),
        ),
        case(
            "invoice id not a string",
            with("id", json!(7)),
            Rejection::MalformedBody("the invoice `id` is not a string".into()),
        ),
        case(
            "malformed body",
            b"{\"id\": ".to_vec(),
            Rejection::MalformedBody(String::new()),
        ),
        case(
            "duplicate secret_key",
            format!(
                r#"{{"id":"{PAID}","secret_key":"guess","secret_key":"{KEY}","status":"PAID"}}"#
            )
            .into_bytes(),
            Rejection::MalformedBody(String::new()),
        ),
        case(
            "authentic, but status missing",
            without("status"),
            Rejection::MalformedBody(String::new()),
        ),
        Case {
            headers: headers(&[("content-type", "text/html")]),
            ..case(
                "wrong content type",
                body(&paid),
                Rejection::WrongContentType("text/html".into()),
            )
        },
        case(
            "body over the 64 KiB cap, the right key first",
            {
                // Authentic as far as it goes: the size alone refuses it, before any parsing.
                let mut big = body(&paid);
                big.pop();
                big.extend(br#","padding":""#);
                big.resize(invoice_webhooks::DEFAULT_MAX_BODY - 1, b'x');
                big.extend(br#""}"#);
                big
            },
            Rejection::BodyTooLarge {
                limit: invoice_webhooks::DEFAULT_MAX_BODY,
            },
        ),
    ]
}

#[test]
fn forged_and_broken_deliveries_are_refused_with_their_reason() {
    let mut table = String::new();
    for case in cases() {
        let got = verifier()
            .verify(&case.headers, &case.body)
            .map(|v| v.dedup_key())
            .expect_err(case.name);
        match (&got, &case.expected) {
            (Rejection::MalformedBody(_), Rejection::MalformedBody(m)) if m.is_empty() => {}
            _ => assert_eq!(got, case.expected, "{}", case.name),
        }
        let shown = got.to_string();
        assert!(!shown.contains(KEY), "{}: {shown}", case.name);
        let shown = shown.split(" at line ").next().unwrap();
        table.push_str(&format!(
            "{:<56} {:<22} {} {}\n",
            case.name,
            got.code(),
            got.status().as_u16(),
            shown
        ));
    }
    insta::assert_snapshot!("rejections", table);
}

#[test]
fn generated_secret_keys_are_long_url_safe_and_fresh() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use invoice_webhooks::apiforcrypto::{generate_secret_key, SECRET_KEY_BYTES};
    use std::collections::HashSet;

    let keys: Vec<Secret> = (0..1000).map(|_| generate_secret_key()).collect();
    for key in &keys {
        let text = key.expose();
        assert_eq!(text.len(), 43, "32 bytes in base64url without padding");
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "URL-safe characters only"
        );
        let bytes = URL_SAFE_NO_PAD.decode(text).unwrap();
        assert_eq!(bytes.len(), SECRET_KEY_BYTES);
        assert_eq!(format!("{key:?}"), "Secret(***)");
    }
    assert_ne!(keys[0], keys[1]);
    let distinct: HashSet<&str> = keys.iter().map(Secret::expose).collect();
    assert_eq!(distinct.len(), keys.len());
    // 256 random bits per key: across 1000 keys every one of the 64 characters shows up.
    let used: HashSet<u8> = keys.iter().flat_map(|k| k.expose().bytes()).collect();
    assert_eq!(used.len(), 64);
    // A generated key is accepted by the verifier like any stored key.
    let key = keys[0].clone();
    let mut notification = example("paid");
    notification["secret_key"] = json!(key.expose());
    let verifier = Verifier::new(move |_: &str| Some(key.clone()));
    assert!(verifier
        .verify(&json_headers(), &body(&notification))
        .is_ok());
}
