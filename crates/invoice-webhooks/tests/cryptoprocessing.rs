//! Cryptoprocessing callbacks: the documented signing vector, the spec's examples signed with
//! an independent HMAC-SHA512, and every kind of forged, altered or broken delivery refused
//! with its own reason.

mod common;

use common::*;
use http::HeaderMap;
use invoice_webhooks::cryptoprocessing::{
    confirmation_count, CallbackType, Confirmations, InvoiceStatus, Verifier,
};
use invoice_webhooks::{Rejection, Secret};
use serde_json::Value;

const SECRET: &str = "callback-secret";
const API_KEY: &str = "callback-api-key";

fn verifier() -> Verifier {
    Verifier::new(Secret::new(SECRET))
}

fn example(name: &str) -> Vec<u8> {
    let value = webhook_example("cryptoprocessing.yaml", "invoice", "application/json", name);
    serde_json::to_vec(&value).unwrap()
}

/// JSON headers with the body's signature (and more headers).
fn signed(body: &[u8], extra: &[(&str, &str)]) -> HeaderMap {
    let signature = hmac_sha512_hex(SECRET.as_bytes(), body);
    let mut pairs = vec![
        ("content-type", "application/json"),
        ("x-processing-signature", signature.as_str()),
    ];
    pairs.extend_from_slice(extra);
    headers(&pairs)
}

#[test]
fn the_documented_signing_vector() {
    let body = br#"{"currency":"BTC","foreign_id":"123456"}"#;
    let documented = "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec";
    assert_eq!(hmac_sha512_hex(b"AbCdEfG123456", body), documented);
    // The signature checks out; the body is a request, not a callback, so only the typed
    // parse refuses it.
    let verifier = Verifier::new(Secret::new("AbCdEfG123456"));
    let got = verifier
        .verify(&headers(&[("x-processing-signature", documented)]), body)
        .unwrap_err();
    assert_eq!(got.code(), "malformed_body", "{got}");
    // The same vector, the body one byte off: the signature does not.
    let got = verifier
        .verify(
            &headers(&[("x-processing-signature", documented)]),
            br#"{"currency":"BTC","foreign_id":"123457"}"#,
        )
        .unwrap_err();
    assert_eq!(got, Rejection::BadSignature);
}

#[test]
fn every_spec_example_verifies_and_parses() {
    let names = webhook_example_names("cryptoprocessing.yaml", "invoice", "application/json");
    // Six documented cases, the 2020 "successful payment" rebuilt from its listed differences,
    // and three constructed ones (the number forms of `foreign_id` and `confirmations`).
    assert_eq!(names.len(), 10, "{names:?}");
    for name in names {
        let body = example(&name);
        let verified = verifier()
            .with_api_key(Secret::new(API_KEY))
            .verify(&signed(&body, &[("x-processing-key", API_KEY)]), &body)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let keys: Vec<String> = verified
            .transaction_keys()
            .iter()
            .map(ToString::to_string)
            .collect();
        insta::assert_debug_snapshot!(format!("example_{name}"), verified);
        insta::assert_snapshot!(
            format!("example_{name}_keys"),
            format!(
                "dedup_key: {}\ntransaction_keys: {keys:?}",
                verified.dedup_key()
            )
        );
    }
}

#[test]
fn documented_inconsistencies_are_accepted() {
    let processing = verify_example("processing");
    let confirmed = verify_example("confirmed");
    let tx = |e: &invoice_webhooks::Verified<invoice_webhooks::cryptoprocessing::Event>| {
        e.callback.transactions.as_ref().unwrap()[0]
            .confirmations
            .clone()
            .unwrap()
    };
    assert!(matches!(tx(&processing), Confirmations::String(s) if s == "0"));
    assert_eq!(confirmation_count(&tx(&processing)), Some(0));
    assert!(matches!(tx(&confirmed), Confirmations::Int64(3)));
    assert_eq!(confirmation_count(&tx(&confirmed)), Some(3));
    assert_eq!(processing.callback.error.as_deref(), Some(""));
    assert_eq!(confirmed.callback.error, None);
    assert_eq!(
        processing.callback.foreign_id.as_ref().unwrap().to_string(),
        "164"
    );
    assert_eq!(
        confirmed.callback.foreign_id.as_ref().unwrap().to_string(),
        "164"
    );
    // Two statuses of one invoice are two callbacks; the payment is the same.
    assert_ne!(processing.dedup_key(), confirmed.dedup_key());
    assert_eq!(processing.transaction_keys(), confirmed.transaction_keys());
}

fn verify_example(
    name: &str,
) -> invoice_webhooks::Verified<invoice_webhooks::cryptoprocessing::Event> {
    let body = example(name);
    verifier().verify(&signed(&body, &[]), &body).unwrap()
}

#[test]
fn signature_in_upper_case_and_without_content_type_is_accepted() {
    let body = example("confirmed");
    let upper = hmac_sha512_hex(SECRET.as_bytes(), &body).to_uppercase();
    let headers = headers(&[("x-processing-signature", &format!(" {upper} "))]);
    assert!(verifier().verify(&headers, &body).is_ok());
}

struct Case {
    name: &'static str,
    headers: HeaderMap,
    body: Vec<u8>,
    verifier: Verifier,
    expected: Rejection,
}

fn cases() -> Vec<Case> {
    let body = example("confirmed");
    let other = example("failed");
    let case = |name, headers, body: &[u8], expected| Case {
        name,
        headers,
        body: body.to_vec(),
        verifier: verifier(),
        expected,
    };
    let mut flipped = body.clone();
    flipped[10] ^= 0x01;
    let signature = hmac_sha512_hex(SECRET.as_bytes(), &body);
    let garbage = b"not json at all";
    vec![
        case(
            "body byte flipped",
            signed(&body, &[]),
            &flipped,
            Rejection::BadSignature,
        ),
        case(
            "signed with another secret",
            headers(&[(
                "x-processing-signature",
                &hmac_sha512_hex(b"another secret", &body),
            )]),
            &body,
            Rejection::BadSignature,
        ),
        Case {
            verifier: Verifier::new(Secret::new("the wrong secret")),
            ..case(
                "verifier with the wrong secret",
                signed(&body, &[]),
                &body,
                Rejection::BadSignature,
            )
        },
        case(
            "signature of another body",
            signed(&other, &[]),
            &body,
            Rejection::BadSignature,
        ),
        case(
            "signature with one digit changed",
            headers(&[(
                "x-processing-signature",
                &format!(
                    "{}{}",
                    &signature[..127],
                    if signature.ends_with('0') { "1" } else { "0" }
                ),
            )]),
            &body,
            Rejection::BadSignature,
        ),
        case(
            "missing signature header",
            headers(&[("content-type", "application/json")]),
            &body,
            Rejection::MissingSignature,
        ),
        case(
            "empty signature header",
            headers(&[("x-processing-signature", "")]),
            &body,
            Rejection::EmptySignature,
        ),
        case(
            "blank signature header",
            headers(&[("x-processing-signature", "   ")]),
            &body,
            Rejection::EmptySignature,
        ),
        case(
            "signature not hex",
            headers(&[("x-processing-signature", &"zz".repeat(64))]),
            &body,
            Rejection::MalformedSignature,
        ),
        case(
            "signature too short (a SHA-256 MAC)",
            headers(&[("x-processing-signature", &signature[..64])]),
            &body,
            Rejection::MalformedSignature,
        ),
        case(
            "signature too long",
            headers(&[("x-processing-signature", &format!("{signature}00"))]),
            &body,
            Rejection::MalformedSignature,
        ),
        case(
            "two signature headers",
            headers(&[
                ("x-processing-signature", &signature),
                ("x-processing-signature", &signature),
            ]),
            &body,
            Rejection::MalformedSignature,
        ),
        Case {
            verifier: verifier().with_api_key(Secret::new(API_KEY)),
            ..case(
                "missing API key header",
                signed(&body, &[]),
                &body,
                Rejection::MissingApiKey,
            )
        },
        Case {
            verifier: verifier().with_api_key(Secret::new(API_KEY)),
            ..case(
                "wrong API key",
                signed(&body, &[("x-processing-key", "another key")]),
                &body,
                Rejection::BadApiKey,
            )
        },
        Case {
            verifier: verifier().with_api_key(Secret::new(API_KEY)),
            ..case(
                "API key with a suffix",
                signed(&body, &[("x-processing-key", &format!("{API_KEY}x"))]),
                &body,
                Rejection::BadApiKey,
            )
        },
        case(
            "wrong content type",
            {
                let mut h = signed(&body, &[]);
                h.insert(
                    "content-type",
                    "application/x-www-form-urlencoded".parse().unwrap(),
                );
                h
            },
            &body,
            Rejection::WrongContentType("application/x-www-form-urlencoded".into()),
        ),
        case(
            "malformed body, correctly signed",
            signed(garbage, &[]),
            garbage,
            Rejection::MalformedBody(String::new()),
        ),
        case(
            "body without status, correctly signed",
            signed(br#"{"id": 1, "type": "invoice"}"#, &[]),
            br#"{"id": 1, "type": "invoice"}"#,
            Rejection::MalformedBody(String::new()),
        ),
        {
            // Correctly signed, and one byte over the default cap: refused before the MAC.
            let big = vec![b' '; invoice_webhooks::DEFAULT_MAX_BODY + 1];
            case(
                "signed body over the 64 KiB cap",
                signed(&big, &[]),
                &big,
                Rejection::BodyTooLarge {
                    limit: invoice_webhooks::DEFAULT_MAX_BODY,
                },
            )
        },
        Case {
            verifier: verifier().with_max_body(100),
            ..case(
                "body over a 100-byte cap",
                signed(&body, &[]),
                &body,
                Rejection::BodyTooLarge { limit: 100 },
            )
        },
        Case {
            verifier: Verifier::new(Secret::new("")),
            ..case(
                "no secret configured",
                signed(&body, &[]),
                &body,
                Rejection::NoSecret,
            )
        },
    ]
}

#[test]
fn forged_altered_and_broken_deliveries_are_refused_with_their_reason() {
    let mut table = String::new();
    for case in cases() {
        let got = case
            .verifier
            .verify(&case.headers, &case.body)
            .map(|v| v.dedup_key())
            .expect_err(case.name);
        match (&got, &case.expected) {
            (Rejection::MalformedBody(_), Rejection::MalformedBody(m)) if m.is_empty() => {}
            _ => assert_eq!(got, case.expected, "{}", case.name),
        }
        let shown = got.to_string();
        assert!(
            !shown.contains(SECRET) && !shown.contains(API_KEY),
            "{shown}"
        );
        let shown = shown.split(" at line ").next().unwrap();
        table.push_str(&format!(
            "{:<40} {:<22} {} {}\n",
            case.name,
            got.code(),
            got.status().as_u16(),
            shown
        ));
    }
    insta::assert_snapshot!("rejections", table);
}

#[test]
fn debug_never_shows_the_keys() {
    let shown = format!("{:?}", verifier().with_api_key(Secret::new(API_KEY)));
    assert!(
        !shown.contains(SECRET) && !shown.contains(API_KEY),
        "{shown}"
    );
}

#[test]
fn callback_fields_keep_their_form() {
    // Nothing of the callback is lost: serialized back, it is the example (amounts keep their
    // scale, `foreign_id` its type).
    let body = example("processing");
    let verified = verifier().verify(&signed(&body, &[]), &body).unwrap();
    let back: Value = serde_json::to_value(&verified.callback).unwrap();
    let sent: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(back["foreign_id"], sent["foreign_id"]);
    assert_eq!(back["currency_sent"], sent["currency_sent"]);
    assert_eq!(
        back["transactions"][0]["confirmations"],
        sent["transactions"][0]["confirmations"]
    );
}

// ---------------------------------------------------------------------------------------------
// The documented callback cases (more-pages.md 2.4), each delivered correctly signed, with the
// API key checked too: verified, then parsed with its documented values.

type Verified = invoice_webhooks::Verified<invoice_webhooks::cryptoprocessing::Event>;

/// The spec's example `name`, signed with an independent HMAC-SHA512 and delivered with the
/// API key: it must verify and parse.
fn deliver(name: &str) -> Verified {
    let body = example(name);
    verifier()
        .with_api_key(Secret::new(API_KEY))
        .verify(&signed(&body, &[("x-processing-key", API_KEY)]), &body)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn amount(value: &Option<invoice_primitives::StringAmount>) -> String {
    value.as_ref().expect("an amount").to_string()
}

fn confirmations(v: &Verified, i: usize) -> Confirmations {
    v.callback.transactions.as_ref().expect("transactions")[i]
        .confirmations
        .clone()
        .expect("confirmations")
}

fn seconds(t: &Option<invoice_primitives::UnixTime>) -> i64 {
    t.as_ref().expect("a time").seconds()
}

#[test]
fn documented_successful_payment() {
    let v = deliver("successful_payment");
    let cb = &v.callback;
    assert_eq!(cb.id, 588);
    assert_eq!(cb.type_, CallbackType::Invoice);
    assert_eq!(cb.status, InvoiceStatus::Confirmed);
    assert_eq!(
        cb.foreign_id.as_ref().unwrap().to_string(),
        "8FW1KI7LesB9yxWcK1K"
    );
    assert_eq!(cb.end_user_reference.as_ref().unwrap().to_string(), "12345");
    // The documented contradiction, kept as sent: confirmed with an amount still remaining.
    let sent = cb.currency_sent.as_ref().unwrap();
    assert_eq!(amount(&sent.remaining_amount), "0.01000000");
    assert_eq!(cb.error.as_deref(), Some(""));
    let fees = cb.fees.as_ref().unwrap();
    assert_eq!(fees.len(), 1);
    assert_eq!(
        fees[0].type_.as_ref().unwrap().as_str(),
        "fee_crypto_deposit"
    );
    assert_eq!(amount(&fees[0].amount), "0.0008");
    assert!(matches!(confirmations(&v, 0), Confirmations::String(s) if s == "0"));
    assert_eq!(
        v.transaction_keys()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .len(),
        1
    );
}

#[test]
fn documented_mempool() {
    let v = deliver("mempool");
    let cb = &v.callback;
    assert_eq!(cb.status, InvoiceStatus::Processing);
    assert!(cb.end_user_reference.is_none(), "the 2020 copy has none");
    let address = cb.crypto_address.as_ref().unwrap();
    assert_eq!(address.convert_to.as_deref(), Some("EUR"));
    assert_eq!(address.tag, None);
    // Amounts are per currency: BTC sent, EUR received.
    let received = cb.currency_received.as_ref().unwrap();
    assert_eq!(received.currency.as_deref(), Some("EUR"));
    assert_eq!(amount(&received.amount), "26.00000000");
    assert_eq!(
        amount(&cb.currency_sent.as_ref().unwrap().amount),
        "0.00309556"
    );
    // In the mempool the deadline moves to about 24 h after fixing.
    let window = seconds(&cb.expires_at) - seconds(&cb.fixed_at);
    assert!((23 * 3600..=25 * 3600).contains(&window), "{window}");
    assert_eq!(cb.error, None);
}

#[test]
fn documented_installments() {
    let v = deliver("installments");
    let cb = &v.callback;
    assert_eq!(cb.status, InvoiceStatus::Pending);
    assert_eq!(cb.error, None, "`null` in the 2020 copy");
    assert_eq!(cb.fees.as_deref().map(<[_]>::len), Some(0));
    assert_eq!(
        amount(&cb.currency_sent.as_ref().unwrap().remaining_amount),
        "0.01000000"
    );
    // The same invoice and payment as the current "successful payment", another status: a
    // new callback, the same payment.
    let done = deliver("successful_payment");
    assert_ne!(v.dedup_key(), done.dedup_key());
    assert_eq!(v.transaction_keys(), done.transaction_keys());
}

#[test]
fn documented_timer_expired() {
    let v = deliver("timer_expired");
    let cb = &v.callback;
    assert_eq!(cb.status, InvoiceStatus::Failed);
    assert_eq!(cb.error.as_deref(), Some("Timer expired. User not paid."));
    assert_eq!(cb.transactions.as_deref().map(<[_]>::len), Some(0));
    assert!(v.transaction_keys().is_empty());
    assert_eq!(seconds(&cb.expires_at) - seconds(&cb.fixed_at), 900);
}

#[test]
fn documented_processing_over_24_hours() {
    let v = deliver("processing_over_24h");
    let cb = &v.callback;
    assert_eq!(cb.status, InvoiceStatus::Failed);
    // The documented contradiction: the timer's text, a 15-minute window.
    assert_eq!(cb.error.as_deref(), Some("Timer expired. User not paid."));
    assert_eq!(seconds(&cb.expires_at) - seconds(&cb.fixed_at), 900);
    assert!(matches!(confirmations(&v, 0), Confirmations::String(s) if s == "0"));
    assert_eq!(
        amount(&cb.currency_sent.as_ref().unwrap().remaining_amount),
        "0.00990000"
    );
}

#[test]
fn documented_paid_less() {
    let v = deliver("paid_less");
    let cb = &v.callback;
    assert_eq!(cb.status, InvoiceStatus::Failed);
    assert_eq!(
        cb.error.as_deref(),
        Some("Timer expired. User paid less than requested.")
    );
    assert_eq!(confirmation_count(&confirmations(&v, 0)), Some(2));
    // The docs reuse the ">24 h" example's invoice and transaction: one invoice fails once, so
    // the two share a dedup key.
    assert_eq!(v.dedup_key(), deliver("processing_over_24h").dedup_key());
}

#[test]
fn documented_successful_payment_2020() {
    let v = deliver("successful_payment_2020");
    let cb = &v.callback;
    assert_eq!(cb.status, InvoiceStatus::Confirmed);
    assert_eq!(cb.error, None);
    assert_eq!(
        amount(&cb.currency_sent.as_ref().unwrap().remaining_amount),
        "0.00000000"
    );
    assert_eq!(confirmation_count(&confirmations(&v, 0)), Some(1));
    assert_eq!(confirmation_count(&confirmations(&v, 1)), Some(1));
    // Two payments: two keys, one of them the installment's.
    let keys = v.transaction_keys();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1]);
    assert!(keys.contains(&deliver("installments").transaction_keys()[0]));
}

#[test]
fn every_documented_case_is_refused_when_altered() {
    for name in [
        "successful_payment",
        "mempool",
        "installments",
        "timer_expired",
        "processing_over_24h",
        "paid_less",
        "successful_payment_2020",
    ] {
        let body = example(name);
        let headers = signed(&body, &[]);
        let mut altered = body.clone();
        let at = altered.len() / 2;
        altered[at] ^= 0x01;
        assert_eq!(
            verifier().verify(&headers, &altered).unwrap_err(),
            Rejection::BadSignature,
            "{name}"
        );
    }
}
