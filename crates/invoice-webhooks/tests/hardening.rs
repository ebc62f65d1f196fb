//! Issue 13's hardening of the CryptoCloud verifier, driven with tokens of the `signing`
//! feature's `Signer`: the body cap's boundary, the token lifetime's, the strict invoice claim,
//! and the replay guard (a token authenticates one body; a redelivery of the same bytes
//! passes; the store sees digests only).

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use invoice_webhooks::cryptocloud::{
    AsyncTokenStore, Fingerprint, MemoryTokenStore, Postback, Signer, StoreUnavailable, TokenStore,
    TokenUse, Verifier,
};
use invoice_webhooks::{Rejection, Secret, DEFAULT_MAX_BODY};
use serde_json::Value;

const SECRET: &str = "example-project-secret";
const NOW: i64 = 1_700_000_000;

fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds as u64)
}

fn signer() -> Signer {
    Signer::new(Secret::new(SECRET)).with_clock(|| at(NOW))
}

fn verifier() -> Verifier {
    Verifier::new(Secret::new(SECRET)).with_clock(|| at(NOW))
}

fn postback(name: &str) -> Postback {
    let value: Value = webhook_example("cryptocloud.yaml", "postback", "application/json", name);
    serde_json::from_value(value).unwrap()
}

#[test]
fn the_body_cap_is_inclusive_and_configurable() {
    let delivery = signer().sign(&postback("paid"));
    let len = delivery.body.len();
    assert!(verifier()
        .with_max_body(len)
        .verify(&delivery.headers, &delivery.body)
        .is_ok());
    assert_eq!(
        verifier()
            .with_max_body(len - 1)
            .verify(&delivery.headers, &delivery.body)
            .unwrap_err(),
        Rejection::BodyTooLarge { limit: len - 1 }
    );
    // The default cap takes the documented deliveries with room to spare.
    assert!(len * 20 < DEFAULT_MAX_BODY);
    let refused = Rejection::BodyTooLarge { limit: 10 };
    assert_eq!(
        (refused.status().as_u16(), refused.code()),
        (413, "body_too_large")
    );
    assert!(!refused.is_authentication_failure());
}

#[test]
fn token_lifetime_boundaries() {
    let paid = postback("paid");
    let valid_for = |seconds| {
        signer()
            .with_validity(Duration::from_secs(seconds))
            .sign(&paid)
    };
    // 5 minutes, the documented lifetime, plus 60 s of skew: accepted; a second more is not.
    let ok = valid_for(360);
    assert!(verifier().verify(&ok.headers, &ok.body).is_ok());
    let long = valid_for(361);
    assert_eq!(
        verifier().verify(&long.headers, &long.body).unwrap_err(),
        Rejection::TokenLifetimeTooLong
    );
    // Configurable, and counted with the leeway.
    let hour = valid_for(3600);
    assert!(verifier()
        .with_max_token_lifetime(Duration::from_secs(3600))
        .verify(&hour.headers, &hour.body)
        .is_ok());
    assert_eq!(
        verifier()
            .with_leeway(Duration::ZERO)
            .verify(&long.headers, &long.body)
            .unwrap_err(),
        Rejection::TokenLifetimeTooLong
    );
    let strict = verifier().with_leeway(Duration::ZERO);
    let exact = valid_for(300);
    assert!(strict.verify(&exact.headers, &exact.body).is_ok());
}

#[test]
fn strict_verifier_requires_a_token_naming_the_invoice() {
    let paid = postback("paid");
    let strict = verifier().require_invoice_claim();
    let named = signer().sign(&paid);
    assert!(strict.verify(&named.headers, &named.body).is_ok());
    let unnamed = signer()
        .without_invoice_claim()
        .with_claim("id", 13)
        .sign(&paid);
    assert_eq!(
        strict.verify(&unnamed.headers, &unnamed.body).unwrap_err(),
        Rejection::MissingInvoiceClaim
    );
    // A numeric `id` names no invoice; a string `uuid` does.
    let uuid = signer()
        .without_invoice_claim()
        .with_claim("uuid", "INV-89UX09KA")
        .sign(&paid);
    assert!(strict.verify(&uuid.headers, &uuid.body).is_ok());
    // Not strict by default.
    assert!(verifier().verify(&unnamed.headers, &unnamed.body).is_ok());
}

/// The docs' kind of token (no invoice claim) on a postback, and the same token moved onto
/// another invoice's postback.
fn lifted_token() -> (Vec<u8>, Vec<u8>) {
    let original = signer()
        .without_invoice_claim()
        .with_claim("id", 13)
        .sign(&postback("paid"));
    let token = serde_json::from_slice::<Value>(&original.body).unwrap()["token"].clone();
    let mut other = serde_json::to_value(postback("eth_arb")).unwrap();
    other["token"] = token;
    (original.body, serde_json::to_vec(&other).unwrap())
}

#[test]
fn without_a_guard_a_lifted_token_verifies() {
    // The threat: the token signs its claims, not the body.
    let (original, replayed) = lifted_token();
    assert!(verifier().verify(&json_headers(), &original).is_ok());
    let verified = verifier().verify(&json_headers(), &replayed).unwrap();
    assert_eq!(verified.postback.invoice_id, "4KQ7ZP2D");
}

#[test]
fn the_guard_refuses_a_lifted_token_and_lets_a_redelivery_through() {
    let (original, replayed) = lifted_token();
    let store = Arc::new(MemoryTokenStore::new());
    let guarded = verifier().with_replay_guard(store.clone());
    assert!(guarded.verify(&json_headers(), &original).is_ok());
    // The same bytes again: a redelivery, deduplicated downstream, not refused.
    assert!(guarded.verify(&json_headers(), &original).is_ok());
    let refused = guarded.verify(&json_headers(), &replayed).unwrap_err();
    assert_eq!(refused, Rejection::ReplayedToken);
    assert_eq!(
        (refused.status().as_u16(), refused.code()),
        (401, "replayed_token")
    );
    assert!(refused.is_authentication_failure());
    assert_eq!(store.len(), 1);

    // One store shared by two verifiers (two routes, two workers).
    let other = verifier().with_replay_guard(store.clone());
    assert_eq!(
        other.verify(&json_headers(), &replayed).unwrap_err(),
        Rejection::ReplayedToken
    );

    // A refused delivery is not recorded: only accepted tokens are.
    let fresh = Arc::new(MemoryTokenStore::new());
    let guarded = verifier()
        .with_replay_guard(fresh.clone())
        .require_invoice_claim();
    assert!(guarded.verify(&json_headers(), &original).is_err());
    assert!(fresh.is_empty());
}

#[test]
fn records_expire_with_the_token() {
    let (original, replayed) = lifted_token();
    let store = Arc::new(MemoryTokenStore::new());
    assert!(verifier()
        .with_replay_guard(store.clone())
        .verify(&json_headers(), &original)
        .is_ok());
    // Once past `exp` + leeway the token is refused as expired, before the guard.
    let later = Verifier::new(Secret::new(SECRET))
        .with_clock(|| at(NOW + 300 + 60))
        .with_replay_guard(store.clone());
    assert_eq!(
        later.verify(&json_headers(), &replayed).unwrap_err(),
        Rejection::ExpiredToken
    );
    store.sweep(at(NOW + 300 + 60));
    assert!(store.is_empty());
}

/// A store that records what it is given.
#[derive(Default)]
struct Recording(Mutex<Vec<TokenUse>>);

impl TokenStore for Recording {
    fn first_use(&self, token_use: &TokenUse) -> Result<bool, StoreUnavailable> {
        self.0.lock().unwrap().push(token_use.clone());
        Ok(true)
    }
}

#[test]
fn the_store_sees_digests_never_the_token() {
    let delivery = signer().sign(&postback("paid"));
    let token = serde_json::from_slice::<Value>(&delivery.body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let store = Arc::new(Recording::default());
    let verified = verifier()
        .with_replay_guard(store.clone())
        .verify(&delivery.headers, &delivery.body)
        .unwrap();
    let seen = store.0.lock().unwrap()[0].clone();
    assert_eq!(seen.token(), &Fingerprint::of(token.as_bytes()));
    assert_eq!(seen.body(), &Fingerprint::of(&delivery.body));
    assert_eq!(seen.now(), at(NOW));
    assert_eq!(seen.expires_at(), at(NOW + 300 + 60));
    assert_eq!(&seen, verified.token_use());
    let shown = format!("{seen:?} {}", seen.token());
    assert!(!shown.contains(&token), "{shown}");
    assert!(!format!("{:?}", verifier().with_replay_guard(Recording::default())).contains(SECRET));
}

/// An asynchronous store (a database, in real life).
#[derive(Default)]
struct AsyncStore(MemoryTokenStore);

impl AsyncTokenStore for AsyncStore {
    async fn first_use(&self, token_use: &TokenUse) -> Result<bool, StoreUnavailable> {
        tokio::task::yield_now().await;
        TokenStore::first_use(&self.0, token_use)
    }
}

#[tokio::test]
async fn an_asynchronous_store_guards_with_verify_once() {
    let (original, replayed) = lifted_token();
    let store = AsyncStore::default();
    let v = verifier();
    assert!(v
        .verify_once(&json_headers(), &original, &store)
        .await
        .is_ok());
    assert!(v
        .verify_once(&json_headers(), &original, &store)
        .await
        .is_ok());
    assert_eq!(
        v.verify_once(&json_headers(), &replayed, &store)
            .await
            .unwrap_err(),
        Rejection::ReplayedToken
    );
}

/// A store that cannot answer (its database is down).
struct Down;

impl TokenStore for Down {
    fn first_use(&self, _: &TokenUse) -> Result<bool, StoreUnavailable> {
        Err(StoreUnavailable::new("connection refused"))
    }
}

impl AsyncTokenStore for Down {
    async fn first_use(&self, _: &TokenUse) -> Result<bool, StoreUnavailable> {
        Err(StoreUnavailable::new("connection refused"))
    }
}

#[tokio::test]
async fn a_store_that_cannot_answer_refuses_with_503() {
    let delivery = signer().sign(&postback("paid"));
    let refused = verifier()
        .with_replay_guard(Down)
        .verify(&delivery.headers, &delivery.body)
        .unwrap_err();
    assert_eq!(
        refused,
        Rejection::ReplayGuardUnavailable("connection refused".into())
    );
    assert_eq!(
        (refused.status().as_u16(), refused.code()),
        (503, "replay_guard_unavailable")
    );
    assert!(!refused.is_authentication_failure());
    assert_eq!(
        refused.to_string(),
        "the replay guard's token store did not answer: connection refused"
    );
    let refused = verifier()
        .verify_once(&delivery.headers, &delivery.body, &Down)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "replay_guard_unavailable");
}
