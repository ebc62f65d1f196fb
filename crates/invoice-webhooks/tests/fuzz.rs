//! Fuzz-style properties: whatever bytes and header values arrive, no verifier panics, and
//! nothing random is accepted.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::*;
use http::{HeaderMap, HeaderName, HeaderValue};
use invoice_webhooks::{apiforcrypto, cryptocloud, cryptoprocessing, Secret};
use proptest::prelude::*;

fn verifiers() -> (
    cryptocloud::Verifier,
    cryptoprocessing::Verifier,
    apiforcrypto::Verifier,
) {
    (
        cryptocloud::Verifier::new(Secret::new("s"))
            .with_clock(|| UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
        cryptoprocessing::Verifier::new(Secret::new("s")).with_api_key(Secret::new("k")),
        apiforcrypto::Verifier::new(|_: &str| Some(Secret::new("s"))),
    )
}

/// Headers from arbitrary names and bytes; those `http` cannot represent are skipped, as a
/// server could never hand them over.
fn header_map(pairs: &[(u8, Vec<u8>)]) -> HeaderMap {
    const NAMES: [&str; 4] = [
        "content-type",
        "x-processing-signature",
        "x-processing-key",
        "authorization",
    ];
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_static(NAMES[*name as usize % NAMES.len()]);
        if let Ok(value) = HeaderValue::from_bytes(value) {
            map.append(name, value);
        }
    }
    map
}

fn any_headers() -> impl Strategy<Value = Vec<(u8, Vec<u8>)>> {
    prop::collection::vec(
        (
            any::<u8>(),
            prop_oneof![
                prop::collection::vec(any::<u8>(), 0..140),
                Just(b"application/json".to_vec()),
                Just(b"application/x-www-form-urlencoded".to_vec()),
                "[0-9a-fA-F]{0,130}".prop_map(String::into_bytes),
            ],
        ),
        0..5,
    )
}

/// Bodies: random bytes, and JSON or forms shaped like deliveries with random values.
fn any_body() -> impl Strategy<Value = Vec<u8>> {
    let text = "\\PC{0,40}";
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        (text, text, text).prop_map(|(token, id, key)| {
            serde_json::json!({
                "status": "success", "invoice_id": id, "token": token,
                "id": id, "secret_key": key, "type": "invoice"
            })
            .to_string()
            .into_bytes()
        }),
        (
            "[A-Za-z0-9_-]{0,30}",
            "[A-Za-z0-9_-]{0,60}",
            "[A-Za-z0-9_-]{0,50}"
        )
            .prop_map(|(h, c, s)| {
                format!("status=success&invoice_id=X&token={h}.{c}.{s}").into_bytes()
            }),
        (text, text).prop_map(|(header, claims)| {
            format!(
                r#"{{"status":"success","invoice_id":"X","token":"{}.{}.AAAA"}}"#,
                b64(header.as_bytes()),
                b64(claims.as_bytes())
            )
            .into_bytes()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_verifier_panics_or_accepts_garbage(headers in any_headers(), body in any_body()) {
        let headers = header_map(&headers);
        let (cc, cp, afc) = verifiers();
        // A random token is never signed with the secret, a random signature never matches:
        // both verifiers refuse. apiforcrypto's lookup accepts the key "s" for any invoice,
        // which a random `secret_key` can be, so only the absence of panics is checked there.
        prop_assert!(cc.verify(&headers, &body).is_err());
        prop_assert!(cp.verify(&headers, &body).is_err());
        let _ = afc.verify(&headers, &body);
        let _ = apiforcrypto::Delivery::read(&headers, &body);
    }

    #[test]
    fn signed_tokens_with_random_claims_never_panic(claims in "\\PC{0,60}", alg in "[A-Z0-9a-z]{0,8}") {
        let (cc, _, _) = verifiers();
        let header = format!(r#"{{"alg":"{alg}"}}"#);
        let token = hs256(&header, &claims, b"s");
        let body = serde_json::json!({"status": "success", "invoice_id": "X", "token": token});
        let _ = cc.verify(&json_headers(), body.to_string().as_bytes());
    }
}
