//! The signers (feature `signing`): every spec example, signed as its provider signs it, is
//! accepted by the verifier and parses back to the event it was built from; the same delivery
//! altered in any way the provider's scheme covers is refused with its own reason. The
//! signatures are also checked against the independent signers of `common` (HMAC by hand) and
//! the spec's example token.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Method};
use invoice_primitives::{Amount, StringAmount};
use invoice_webhooks::cryptocloud::BodyEncoding;
use invoice_webhooks::signing::SignedDelivery;
use invoice_webhooks::{apiforcrypto, cryptocloud, cryptoprocessing, Rejection, Secret};
use proptest::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

const CC_SECRET: &str = "example-project-secret";
const CP_SECRET: &str = "callback-secret";
const CP_API_KEY: &str = "callback-api-key";
const AFC_KEY: &str = "my-secret-for-this-invoice";
/// A fixed "now" for CryptoCloud tokens.
const NOW: i64 = 1_700_000_000;

fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds as u64)
}

/// The exact JSON text of a value as a provider writes it, for comparing generated types
/// (they have no `PartialEq`; amounts are written with every digit).
fn text<T: Serialize>(value: &T) -> String {
    invoice_primitives::wire::to_string(value).unwrap()
}

/// A typed event from a spec example: its JSON text parsed exactly.
fn typed<T: serde::de::DeserializeOwned>(value: &Value) -> T {
    serde_json::from_slice(&serde_json::to_vec(value).unwrap()).unwrap()
}

/// Every byte of `body` changed in turn (one bit flipped), each a new body.
fn each_byte_changed(body: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    (0..body.len()).map(move |i| {
        let mut altered = body.to_vec();
        altered[i] ^= 0x01;
        altered
    })
}

// ---------------------------------------------------------------------------------------------
// CryptoCloud

fn cc_signer() -> cryptocloud::Signer {
    cryptocloud::Signer::new(Secret::new(CC_SECRET)).with_clock(|| at(NOW))
}

fn cc_verifier() -> cryptocloud::Verifier {
    cryptocloud::Verifier::new(Secret::new(CC_SECRET)).with_clock(|| at(NOW + 60))
}

fn cc_example(name: &str) -> cryptocloud::Postback {
    typed(&webhook_example(
        "cryptocloud.yaml",
        "postback",
        "application/json",
        name,
    ))
}

fn cc_names() -> Vec<String> {
    webhook_example_names("cryptocloud.yaml", "postback", "application/json")
}

/// A postback with another token, written as JSON (the token does not sign the body).
fn cc_with_token(postback: &cryptocloud::Postback, token: String) -> Vec<u8> {
    let mut postback = postback.clone();
    postback.token = token;
    invoice_primitives::wire::to_vec(&postback).unwrap()
}

#[test]
fn cryptocloud_signer_reproduces_the_spec_example_token() {
    // The docs' example claims `{"id": 13, "exp": 1631786426}`, issued 5 minutes before `exp`.
    let signer = cryptocloud::Signer::new(Secret::new(CC_SECRET))
        .with_clock(|| at(1631786426 - 300))
        .without_invoice_claim()
        .with_claim("id", 13);
    let token = signer.token("89UX09KA");
    assert_eq!(token, cc_example("paid").token);
    assert_eq!(
        token,
        hs256(
            HS256_HEADER,
            r#"{"id":13,"exp":1631786426}"#,
            CC_SECRET.as_bytes()
        )
    );
}

#[test]
fn cryptocloud_token_claims() {
    let token = cc_signer().token("89UX09KA");
    let expected = format!(r#"{{"exp":{},"invoice_id":"89UX09KA"}}"#, NOW + 300);
    assert_eq!(token, hs256(HS256_HEADER, &expected, CC_SECRET.as_bytes()));
    let token = cc_signer()
        .with_validity(Duration::from_secs(30))
        .with_claim("id", 13)
        .with_claim("invoice_id", "INV-OTHER")
        .token("89UX09KA");
    let expected = format!(r#"{{"id":13,"invoice_id":"INV-OTHER","exp":{}}}"#, NOW + 30);
    assert_eq!(token, hs256(HS256_HEADER, &expected, CC_SECRET.as_bytes()));
}

#[test]
fn cryptocloud_every_example_signed_as_json_and_form_verifies_and_parses_back() {
    let names = cc_names();
    assert_eq!(names.len(), 3, "{names:?}");
    for name in names {
        let payload = cc_example(&name);
        let mut expected = payload.clone();
        expected.token = cc_signer().token(&payload.invoice_id);

        let json = cc_signer().sign(&payload);
        assert_eq!(json.method, Method::POST);
        assert_eq!(json.content_type(), Some("application/json"));
        assert_eq!(json.body, text(&expected).into_bytes(), "{name}");
        let verified = cc_verifier()
            .verify(&json.headers, &json.body)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verified.encoding, BodyEncoding::Json);
        assert_eq!(text(&verified.postback), text(&expected), "{name}");
        assert_eq!(verified.claims.expires_at(), NOW + 300);

        let form = cc_signer().sign_form(&payload);
        assert_eq!(
            form.content_type(),
            Some("application/x-www-form-urlencoded")
        );
        let verified = cc_verifier()
            .verify(&form.headers, &form.body)
            .unwrap_or_else(|e| panic!("{name} (form): {e}"));
        assert_eq!(verified.encoding, BodyEncoding::Form);
        assert_eq!(verified.invoice_info_issue, None, "{name}");
        assert_eq!(text(&verified.postback), text(&expected), "{name} (form)");
    }
}

#[test]
fn cryptocloud_form_is_the_spec_form_example() {
    let spec = webhook_example(
        "cryptocloud.yaml",
        "postback",
        "application/x-www-form-urlencoded",
        "form_paid",
    );
    let delivery = cc_signer().sign_form(&cc_example("paid"));
    let mut fields: serde_json::Map<String, Value> = form_urlencoded::parse(&delivery.body)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    let mut spec = spec.as_object().unwrap().clone();
    // Only the token differs (fresh), and `invoice_info` only in its JSON spacing.
    assert_eq!(
        fields.remove("token").unwrap(),
        json!(cc_signer().token("89UX09KA"))
    );
    spec.remove("token");
    let info = |v: Value| serde_json::from_str::<Value>(v.as_str().unwrap()).unwrap();
    assert_eq!(
        info(fields.remove("invoice_info").unwrap()),
        info(spec.remove("invoice_info").unwrap())
    );
    assert_eq!(fields, spec);
}

#[test]
fn cryptocloud_tampering_is_refused_with_its_reason() {
    let payload = cc_example("paid");
    let signed = cc_signer().sign(&payload);
    let verify =
        |delivery: &SignedDelivery| cc_verifier().verify(&delivery.headers, &delivery.body);
    assert!(verify(&signed).is_ok());

    // Every byte of the token changed: its signature (or its form) no longer holds.
    let token = cc_signer().token("89UX09KA");
    for (i, altered) in each_byte_changed(token.as_bytes()).enumerate() {
        let Ok(altered) = String::from_utf8(altered) else {
            continue;
        };
        let mut delivery = signed.clone();
        delivery.body = cc_with_token(&payload, altered);
        let got = verify(&delivery).unwrap_err();
        assert!(
            matches!(
                got,
                Rejection::BadToken | Rejection::MalformedToken | Rejection::DisallowedAlgorithm(_)
            ),
            "token byte {i}: {got:?}"
        );
    }
    let mut delivery = signed.clone();
    let last = token.len() - 2; // inside the signature part
    let mut altered = token.clone().into_bytes();
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    delivery.body = cc_with_token(&payload, String::from_utf8(altered).unwrap());
    assert_eq!(verify(&delivery).unwrap_err(), Rejection::BadToken);

    let cases: Vec<(&str, SignedDelivery, Rejection)> = vec![
        (
            "another secret",
            cryptocloud::Signer::new(Secret::new("another secret"))
                .with_clock(|| at(NOW))
                .sign(&payload),
            Rejection::BadToken,
        ),
        (
            "token expired (issued 10 minutes ago, valid 5, 60 s of skew)",
            cc_signer().with_clock(|| at(NOW - 600)).sign(&payload),
            Rejection::ExpiredToken,
        ),
        (
            "token for another invoice",
            {
                let mut delivery = signed.clone();
                delivery.body = cc_with_token(&payload, cc_signer().token("OTHER123"));
                delivery
            },
            Rejection::InvoiceMismatch,
        ),
        (
            "body's invoice changed",
            {
                let mut delivery = signed.clone();
                let mut other = payload.clone();
                other.invoice_id = "OTHER123".into();
                other.token = cc_signer().token("89UX09KA");
                delivery.body = serde_json::to_vec(&other).unwrap();
                delivery
            },
            Rejection::InvoiceMismatch,
        ),
        (
            "token removed",
            {
                let mut delivery = signed.clone();
                let mut value: Value = serde_json::from_slice(&delivery.body).unwrap();
                value.as_object_mut().unwrap().remove("token");
                delivery.body = serde_json::to_vec(&value).unwrap();
                delivery
            },
            Rejection::MissingToken,
        ),
        (
            "content type changed",
            {
                let mut delivery = signed.clone();
                delivery
                    .headers
                    .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
                delivery
            },
            Rejection::WrongContentType("text/plain".into()),
        ),
    ];
    for (name, delivery, expected) in cases {
        assert_eq!(verify(&delivery).unwrap_err(), expected, "{name}");
    }
    // The form, tampered the same way.
    let form = cryptocloud::Signer::new(Secret::new("another secret"))
        .with_clock(|| at(NOW))
        .sign_form(&payload);
    assert_eq!(verify(&form).unwrap_err(), Rejection::BadToken);
}

#[test]
fn cryptocloud_token_does_not_sign_the_amount() {
    // What the README warns about: the token signs its claims, not the body. An altered amount
    // still verifies; confirm amounts with the API.
    let payload = cc_example("paid");
    let mut delivery = cc_signer().sign(&payload);
    let body = String::from_utf8(delivery.body).unwrap();
    delivery.body = body
        .replacen(
            "\"amount_crypto\":0.000113",
            "\"amount_crypto\":1.000113",
            1,
        )
        .into_bytes();
    let verified = cc_verifier()
        .verify(&delivery.headers, &delivery.body)
        .unwrap();
    assert_eq!(
        verified.postback.amount_crypto.unwrap().to_string(),
        "1.000113"
    );
}

// ---------------------------------------------------------------------------------------------
// Cryptoprocessing

fn cp_signer() -> cryptoprocessing::Signer {
    cryptoprocessing::Signer::new(Secret::new(CP_SECRET)).with_api_key(Secret::new(CP_API_KEY))
}

fn cp_verifier() -> cryptoprocessing::Verifier {
    cryptoprocessing::Verifier::new(Secret::new(CP_SECRET)).with_api_key(Secret::new(CP_API_KEY))
}

fn cp_example(name: &str) -> cryptoprocessing::InvoiceCallback {
    typed(&webhook_example(
        "cryptoprocessing.yaml",
        "invoice",
        "application/json",
        name,
    ))
}

#[test]
fn cryptoprocessing_every_example_verifies_and_parses_back() {
    let names = webhook_example_names("cryptoprocessing.yaml", "invoice", "application/json");
    assert_eq!(names.len(), 10, "{names:?}");
    for name in names {
        let payload = cp_example(&name);
        let delivery = cp_signer().sign(&payload);
        assert_eq!(delivery.body, text(&payload).into_bytes());
        assert_eq!(delivery.content_type(), Some("application/json"));
        // The signature is the independent HMAC-SHA512 of the exact body, in lowercase hex.
        let signature = delivery.headers["x-processing-signature"].to_str().unwrap();
        assert_eq!(
            signature,
            hmac_sha512_hex(CP_SECRET.as_bytes(), &delivery.body)
        );
        assert_eq!(delivery.headers["x-processing-key"], CP_API_KEY);
        let verified = cp_verifier()
            .verify(&delivery.headers, &delivery.body)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(text(&verified.callback), text(&payload), "{name}");
    }
}

#[test]
fn cryptoprocessing_signs_the_documented_vector() {
    // The API docs' signing example: the same scheme, over a raw body.
    let delivery = cryptoprocessing::Signer::new(Secret::new("AbCdEfG123456"))
        .sign_body(br#"{"currency":"BTC","foreign_id":"123456"}"#.to_vec());
    assert_eq!(
        delivery.headers["x-processing-signature"],
        "03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec"
    );
    assert!(!delivery.headers.contains_key("x-processing-key"));
}

#[test]
fn cryptoprocessing_tampering_is_refused_with_its_reason() {
    for name in ["confirmed", "paid_less"] {
        let payload = cp_example(name);
        let signed = cp_signer().sign(&payload);
        let verify =
            |delivery: &SignedDelivery| cp_verifier().verify(&delivery.headers, &delivery.body);
        assert!(verify(&signed).is_ok());

        for (i, body) in each_byte_changed(&signed.body).enumerate() {
            let mut delivery = signed.clone();
            delivery.body = body;
            assert_eq!(
                verify(&delivery).unwrap_err(),
                Rejection::BadSignature,
                "{name}: body byte {i}"
            );
        }

        let other_secret = cryptoprocessing::Signer::new(Secret::new("another secret"))
            .with_api_key(Secret::new(CP_API_KEY))
            .sign(&payload);
        let other_key = cryptoprocessing::Signer::new(Secret::new(CP_SECRET))
            .with_api_key(Secret::new("another api key"))
            .sign(&payload);
        let no_key = cryptoprocessing::Signer::new(Secret::new(CP_SECRET)).sign(&payload);
        let mut no_signature = signed.clone();
        no_signature.headers.remove("x-processing-signature");
        let mut other_body = signed.clone();
        other_body.body = cp_signer().sign(&cp_example("failed")).body;
        let mut text_plain = signed.clone();
        text_plain
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        let cases = [
            ("another secret", other_secret, Rejection::BadSignature),
            ("another API key", other_key, Rejection::BadApiKey),
            ("no API key", no_key, Rejection::MissingApiKey),
            (
                "signature removed",
                no_signature,
                Rejection::MissingSignature,
            ),
            ("another body", other_body, Rejection::BadSignature),
            (
                "content type changed",
                text_plain,
                Rejection::WrongContentType("text/plain".into()),
            ),
        ];
        for (case, delivery, expected) in cases {
            assert_eq!(verify(&delivery).unwrap_err(), expected, "{name}: {case}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// apiforcrypto

fn afc_verifier(key: &str) -> apiforcrypto::Verifier {
    let key = Secret::new(key);
    apiforcrypto::Verifier::new(move |_: &str| Some(key.clone()))
}

fn afc_example(name: &str) -> apiforcrypto::InvoiceCallback {
    typed(&webhook_example(
        "apiforcrypto.yaml",
        "invoice_status",
        "application/json",
        name,
    ))
}

/// The notification a verifier gives back for `payload`: the same, `secret_key` cleared.
fn without_key(payload: &apiforcrypto::InvoiceCallback) -> String {
    let mut payload = payload.clone();
    payload.secret_key = None;
    text(&payload)
}

#[test]
fn apiforcrypto_every_example_verifies_and_parses_back() {
    let names = webhook_example_names("apiforcrypto.yaml", "invoice_status", "application/json");
    assert_eq!(names.len(), 2, "{names:?}");
    for name in names {
        let mut payload = afc_example(&name);
        payload.secret_key = None; // the signer sets it
        let delivery = apiforcrypto::Signer::new(Secret::new(AFC_KEY)).sign(&payload);
        assert_eq!(delivery.content_type(), Some("application/json"));
        let sent: Value = serde_json::from_slice(&delivery.body).unwrap();
        assert_eq!(sent["secret_key"], AFC_KEY);
        let verified = afc_verifier(AFC_KEY)
            .verify(&delivery.headers, &delivery.body)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(text(&verified.callback), without_key(&payload), "{name}");
    }
    // The examples carry the key already: signing them with it writes them back as they are
    // (unknown fields included), up to the `null`s the typed form leaves out.
    let example = webhook_example(
        "apiforcrypto.yaml",
        "invoice_status",
        "application/json",
        "unknown_field",
    );
    let delivery = apiforcrypto::Signer::new(Secret::new(AFC_KEY)).sign(&typed(&example));
    let sent: Value = serde_json::from_slice(&delivery.body).unwrap();
    let mut example = example.as_object().unwrap().clone();
    example.retain(|_, v| !v.is_null());
    assert_eq!(sent, Value::Object(example));
}

#[test]
fn apiforcrypto_tampering_is_refused_with_its_reason() {
    let payload = afc_example("paid");
    let signed = apiforcrypto::Signer::new(Secret::new(AFC_KEY)).sign(&payload);
    let verify =
        |delivery: &SignedDelivery| afc_verifier(AFC_KEY).verify(&delivery.headers, &delivery.body);
    assert!(verify(&signed).is_ok());

    // Every byte of the key changed in the body.
    let body = String::from_utf8(signed.body.clone()).unwrap();
    let at_key = body.find(&format!("\"{AFC_KEY}\"")).unwrap() + 1;
    for i in at_key..at_key + AFC_KEY.len() {
        let mut delivery = signed.clone();
        delivery.body[i] ^= 0x01;
        assert_eq!(
            verify(&delivery).unwrap_err(),
            Rejection::BadSecretKey,
            "key byte {i}"
        );
    }

    let mut no_key = payload.clone();
    no_key.secret_key = None;
    let mut removed = signed.clone();
    removed.body = serde_json::to_vec(&no_key).unwrap();
    let mut text_plain = signed.clone();
    text_plain
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    let cases = [
        (
            "another key",
            apiforcrypto::Signer::new(Secret::new("another key")).sign(&payload),
            afc_verifier(AFC_KEY),
            Rejection::BadSecretKey,
        ),
        (
            "secret_key removed",
            removed,
            afc_verifier(AFC_KEY),
            Rejection::MissingSecretKey,
        ),
        (
            "empty key",
            apiforcrypto::Signer::new(Secret::new("")).sign(&payload),
            afc_verifier(AFC_KEY),
            Rejection::EmptySecretKey,
        ),
        (
            "unknown invoice",
            signed.clone(),
            apiforcrypto::Verifier::new(|_: &str| -> Option<Secret> { None }),
            Rejection::UnknownInvoice,
        ),
        (
            "content type changed",
            text_plain,
            afc_verifier(AFC_KEY),
            Rejection::WrongContentType("text/plain".into()),
        ),
    ];
    for (case, delivery, verifier, expected) in cases {
        assert_eq!(
            verifier
                .verify(&delivery.headers, &delivery.body)
                .unwrap_err(),
            expected,
            "{case}"
        );
    }
}

#[test]
fn apiforcrypto_generated_keys_sign_and_verify() {
    let key = apiforcrypto::generate_secret_key();
    let delivery = apiforcrypto::Signer::new(key.clone()).sign(&afc_example("paid"));
    assert!(afc_verifier(key.expose())
        .verify(&delivery.headers, &delivery.body)
        .is_ok());
    let other = apiforcrypto::generate_secret_key();
    assert_eq!(
        afc_verifier(other.expose())
            .verify(&delivery.headers, &delivery.body)
            .unwrap_err(),
        Rejection::BadSecretKey
    );
}

// ---------------------------------------------------------------------------------------------
// Every provider

#[test]
fn deliveries_become_requests() {
    let delivery = cp_signer().sign(&cp_example("confirmed"));
    let (headers, body) = (delivery.headers.clone(), delivery.body.clone());
    let request = delivery.into_request("http://127.0.0.1:3000/webhooks?x=1".parse().unwrap());
    assert_eq!(request.method(), Method::POST);
    assert_eq!(request.uri(), "http://127.0.0.1:3000/webhooks?x=1");
    assert_eq!(request.headers(), &headers);
    assert_eq!(request.body(), &body);
    assert!(cp_verifier()
        .verify(request.headers(), request.body())
        .is_ok());
}

#[test]
fn debug_never_shows_a_secret() {
    let afc_key = apiforcrypto::generate_secret_key();
    let shown = [
        format!("{:?}", cc_signer()),
        format!("{:?}", cc_signer().sign(&cc_example("paid"))),
        format!("{:?}", cc_signer().sign_form(&cc_example("paid"))),
        format!("{:?}", cp_signer()),
        format!("{:?}", cp_signer().sign(&cp_example("confirmed"))),
        format!("{:?}", cp_signer().sign(&cp_example("confirmed")).headers),
        format!("{:?}", apiforcrypto::Signer::new(afc_key.clone())),
        format!(
            "{:?}",
            apiforcrypto::Signer::new(afc_key.clone()).sign(&afc_example("paid"))
        ),
        format!("{afc_key:?} {afc_key}"),
    ];
    let token = cc_signer().token("89UX09KA");
    let signature = &cp_signer().sign(&cp_example("confirmed")).headers["x-processing-signature"];
    let secrets = [
        CC_SECRET,
        token.as_str(),
        CP_SECRET,
        CP_API_KEY,
        signature.to_str().unwrap(),
        afc_key.expose(),
    ];
    for text in &shown {
        for secret in secrets {
            assert!(!text.contains(secret), "{text} shows {secret}");
        }
    }
    assert_eq!(
        shown[4],
        format!(
            "SignedDelivery {{ method: POST, content_type: Some(\"application/json\"), headers: [\"content-type\", \"x-processing-signature\", \"x-processing-key\"], body_len: {} }}",
            cp_signer().sign(&cp_example("confirmed")).body.len()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Properties: random amounts and status texts round-trip through every signer and verifier.

/// Decimal text with up to 28 significant digits, at most 20 of them after the point.
fn amount_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        0u64..=99_999_999,
        0u64..u64::MAX,
        0usize..=20,
    )
        .prop_map(|(negative, int, frac, scale)| {
            let frac = format!("{frac:020}");
            let sign = if negative { "-" } else { "" };
            if scale == 0 {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{}", &frac[..scale])
            }
        })
}

fn status_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("success".to_owned()),
        Just("confirmed".to_owned()),
        Just("PAID".to_owned()),
        "\\PC{0,24}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn cryptocloud_round_trips(
        amount in amount_text(),
        status in status_text(),
        form in any::<bool>(),
    ) {
        let mut payload = cc_example("paid");
        payload.amount_crypto = Some(amount.parse().unwrap());
        payload.status = status.as_str().into();
        payload.invoice_info.as_mut().unwrap().received = amount.parse().unwrap();
        let delivery = if form {
            cc_signer().sign_form(&payload)
        } else {
            cc_signer().sign(&payload)
        };
        let verified = cc_verifier().verify(&delivery.headers, &delivery.body).unwrap();
        let exact = amount.parse::<Amount>().unwrap().to_string();
        prop_assert_eq!(verified.postback.amount_crypto.unwrap().to_string(), exact.clone());
        prop_assert_eq!(verified.postback.status.as_str(), status.as_str());
        let info = verified.postback.invoice_info.as_ref().unwrap();
        prop_assert_eq!(info.received.to_string(), exact);
        payload.token = cc_signer().token(&payload.invoice_id);
        prop_assert_eq!(text(&verified.postback), text(&payload));
    }

    #[test]
    fn cryptoprocessing_round_trips(amount in amount_text(), status in status_text()) {
        let mut payload = cp_example("confirmed");
        payload.currency_sent.as_mut().unwrap().amount = Some(amount.parse().unwrap());
        payload.status = status.as_str().into();
        let delivery = cp_signer().sign(&payload);
        let verified = cp_verifier().verify(&delivery.headers, &delivery.body).unwrap();
        let sent = verified.callback.currency_sent.as_ref().unwrap();
        let exact = amount.parse::<StringAmount>().unwrap().to_string();
        prop_assert_eq!(sent.amount.unwrap().to_string(), exact);
        prop_assert_eq!(verified.callback.status.as_str(), status.as_str());
        prop_assert_eq!(text(&verified.callback), text(&payload));
    }

    #[test]
    fn apiforcrypto_round_trips(amount in amount_text(), status in status_text()) {
        let mut payload = afc_example("unknown_field");
        payload.value = Some(amount.parse().unwrap());
        payload.status = status.as_str().into();
        let key = apiforcrypto::generate_secret_key();
        let delivery = apiforcrypto::Signer::new(key.clone()).sign(&payload);
        let verified = afc_verifier(key.expose())
            .verify(&delivery.headers, &delivery.body)
            .unwrap();
        let exact = amount.parse::<Amount>().unwrap().to_string();
        prop_assert_eq!(verified.callback.value.unwrap().to_string(), exact);
        prop_assert_eq!(verified.callback.status.as_str(), status.as_str());
        prop_assert_eq!(text(&verified.callback), without_key(&payload));
    }
}

// ---------------------------------------------------------------------------------------------
// The README's "Testing your integration" example, line for line (tests/readme.rs checks the
// README against this file).

type Sent = (SignedDelivery, apiforcrypto::Event, http::Request<Vec<u8>>);

fn readme_signing_example(
    project_secret: &str,
    secret: &str,
    paid: &cryptocloud::Postback,
    confirmed: &cryptoprocessing::InvoiceCallback,
    invoice: &apiforcrypto::InvoiceCallback,
) -> Result<Sent, Box<dyn std::error::Error>> {
    use invoice_webhooks::{apiforcrypto, cryptocloud, cryptoprocessing, Secret};

    // One random key per apiforcrypto invoice: 256 bits from the OS, as base64url (43
    // characters). Send it as the create request's `secret_key`; store it with the invoice.
    let secret_key = apiforcrypto::generate_secret_key();

    // In tests (feature `signing`): the delivery each provider would send, from a typed event.
    let postback = cryptocloud::Signer::new(Secret::new(project_secret)).sign(paid); // or sign_form
    let callback = cryptoprocessing::Signer::new(Secret::new(secret)).sign(confirmed);
    let notification = apiforcrypto::Signer::new(secret_key.clone()).sign(invoice);
    // Each is a `SignedDelivery` (POST, headers, exact body) that your receiver must accept...
    let keys = std::collections::HashMap::from([(invoice.id.clone(), secret_key)]);
    let verifier = apiforcrypto::Verifier::new(keys); // your store of keys by invoice
    let verified = verifier.verify(&notification.headers, &notification.body)?;
    // ...and an `http::Request<Vec<u8>>` to send to your running server.
    let request = callback.into_request("http://127.0.0.1:3000/webhooks".parse()?);

    Ok((postback, verified.into_event(), request))
}

#[test]
fn readme_signing_example_runs() {
    let (postback, event, request) = readme_signing_example(
        CC_SECRET,
        CP_SECRET,
        &cc_example("paid"),
        &cp_example("confirmed"),
        &afc_example("paid"),
    )
    .unwrap();
    let verifier = cryptocloud::Verifier::new(Secret::new(CC_SECRET));
    assert!(verifier.verify(&postback.headers, &postback.body).is_ok());
    assert_eq!(event.callback.id, "f4ae3bd1-a031-4b4c-84cb-96a425aab4c8");
    let verifier = cryptoprocessing::Verifier::new(Secret::new(CP_SECRET));
    assert!(verifier.verify(request.headers(), request.body()).is_ok());
}

/// Each provider's command-line tooling carries its spec's example event as it says: the
/// same JSON, less what signing replaces (CryptoCloud's `token` and `invoice_info`,
/// apiforcrypto's `secret_key`), so `trigger`'s default event cannot drift from the spec.
#[test]
fn tooling_examples_are_the_specs() {
    use invoice_webhooks::tooling::Tooling;

    /// A provider's tooling, its spec, webhook and example name, and the fields signing
    /// replaces.
    type Case<'a> = (&'a dyn Tooling, &'a str, &'a str, &'a str, &'a [&'a str]);
    let cases: [Case; 3] = [
        (
            &cryptocloud::TOOLING,
            "cryptocloud.yaml",
            "postback",
            "paid",
            &["token", "invoice_info"],
        ),
        (
            &cryptoprocessing::TOOLING,
            "cryptoprocessing.yaml",
            "invoice",
            "successful_payment",
            &[],
        ),
        (
            &apiforcrypto::TOOLING,
            "apiforcrypto.yaml",
            "invoice_status",
            "paid",
            &["secret_key"],
        ),
    ];
    for (tooling, spec, webhook, name, replaced) in cases {
        let (example_name, event) = tooling.examples()[0];
        assert_eq!(example_name, name, "{spec}");
        let mut expected = webhook_example(spec, webhook, "application/json", name);
        let mut got: Value = serde_json::from_str(event).unwrap();
        for field in replaced {
            expected.as_object_mut().unwrap().remove(*field);
            got.as_object_mut().unwrap().remove(*field);
        }
        assert_eq!(got, expected, "{spec} {name}");
    }
}
