//! The request-side refusal rules: the request bodies' builders (and apiforcrypto's path
//! argument) fed fuzzed values through their setters, as a user's code would.
//!
//! Input: one byte choosing the request ([`KINDS`]), then a JSON object with the request's
//! members under their wire names (`{"start": "01.01.2024", "limit": 10}`); each member
//! present is passed to its setter, strings as text, numbers and booleans as such, nested
//! objects through their own builders or types. So the specs' request examples are seeds as
//! they are.
//!
//! - Building never panics, and `validate()` never panics.
//! - A refused request never reaches the network: `send()` on a client whose base URL is a
//!   closed port on 127.0.0.1 is polled once, without an async runtime, and must already be
//!   finished with [`ApiError::InvalidRequest`](invoice_primitives::error::ApiError). Had it
//!   gone on to connect, it would still be pending (or panic for want of a runtime).
//! - An accepted request satisfies its documented rules, checked here independently (window
//!   and date order, ranges, URLs, fields required together), passes `validate()`, and its
//!   wire JSON reads back into a value that passes `validate()` and writes the same JSON.

use std::fmt::Debug;
use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use invoice_primitives::error::ApiError;
use invoice_primitives::PathSegment;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// The requests, by the first input byte (modulo their number): provider and operation.
/// [`input`] writes a request with its byte from this table.
pub const KINDS: &[(&str, &str)] = &[
    ("cryptocloud", "list_invoices"),
    ("cryptocloud", "get_statistics"),
    ("cryptocloud", "create_invoice"),
    ("cryptocloud", "create_withdrawal"),
    ("cryptocloud", "get_invoices"),
    ("cryptoprocessing", "create_invoice"),
    ("apiforcrypto", "create_invoice"),
];

/// An input: request `kind` (an index of [`KINDS`]) with the builder inputs `json`.
pub fn input(kind: usize, json: &[u8]) -> Vec<u8> {
    let kind = u8::try_from(kind).expect("fewer than 256 kinds");
    [vec![kind], json.to_vec()].concat()
}

/// The kind of `provider`'s `operation`, if it is one.
pub fn kind(provider: &str, operation: &str) -> Option<usize> {
    KINDS.iter().position(|k| *k == (provider, operation))
}

/// A closed port: a request that got as far as connecting would fail there, not succeed.
const NOWHERE: &str = "http://127.0.0.1:9";

struct Clients {
    cryptocloud: cryptocloud::Client,
    cryptoprocessing: cryptoprocessing::Client,
    apiforcrypto: apiforcrypto::Client,
}

fn clients() -> &'static Clients {
    static CLIENTS: OnceLock<Clients> = OnceLock::new();
    CLIENTS.get_or_init(|| {
        let credentials = cryptocloud::Credentials::new("fuzz-api-key")
            .and_then(|c| c.with_withdrawal_key("fuzz-withdrawal-key"))
            .expect("valid keys");
        let processing =
            cryptoprocessing::Credentials::new("fuzz-api-key", "fuzz-secret").expect("valid keys");
        Clients {
            cryptocloud: cryptocloud::Client::new(
                NOWHERE,
                invoice_primitives::Config::new(credentials),
            )
            .expect("a valid base URL"),
            cryptoprocessing: cryptoprocessing::Client::new(
                NOWHERE,
                invoice_primitives::Config::new(processing),
            )
            .expect("a valid base URL"),
            apiforcrypto: apiforcrypto::Client::new(
                NOWHERE,
                invoice_primitives::Config::new(apiforcrypto::Credentials::new()),
            )
            .expect("a valid base URL"),
        }
    })
}

/// Polls `send()` once: a refused request is answered then, before any I/O.
fn refused_before_sending<T, E: Debug>(
    what: &str,
    send: impl Future<Output = Result<T, ApiError<E>>>,
) {
    let mut send = pin!(send);
    let mut cx = Context::from_waker(Waker::noop());
    match send.as_mut().poll(&mut cx) {
        Poll::Ready(Err(ApiError::InvalidRequest(message))) => {
            assert!(!message.is_empty(), "{what}: an empty refusal");
        }
        Poll::Ready(Err(other)) => panic!("{what}: refused, but sending failed with {other:?}"),
        Poll::Ready(Ok(_)) => panic!("{what}: refused by its builder, yet sent"),
        Poll::Pending => panic!("{what}: a refused request went on to the network"),
    }
}

/// An accepted request: `validate()` passes, and its wire JSON reads back to the same.
fn accepted<T: Serialize + DeserializeOwned>(
    what: &str,
    value: &T,
    validate: impl Fn(&T) -> Result<(), String>,
) -> Value {
    validate(value).unwrap_or_else(|e| panic!("{what}: built, yet validate() says {e}"));
    let json = serde_json::to_string(value).expect("a request serializes");
    let back: T = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("{what}: its wire JSON does not read back: {e}\n{json}"));
    validate(&back).unwrap_or_else(|e| panic!("{what}: read back, validate() says {e}\n{json}"));
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        json,
        "{what}: another JSON after reading back"
    );
    serde_json::from_str(&json).expect("JSON")
}

/// A member as text: a string's content, anything else its JSON.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Calls `set(builder, value)` if `name` is present, with the value converted by `convert`
/// (a member that does not convert is left unset, as a user's code could not pass it).
fn with<B, V>(
    builder: B,
    members: &Map<String, Value>,
    name: &str,
    convert: impl Fn(&Value) -> Option<V>,
    set: impl FnOnce(B, V) -> B,
) -> B {
    match members.get(name).and_then(convert) {
        Some(value) => set(builder, value),
        None => builder,
    }
}

fn as_text(v: &Value) -> Option<String> {
    Some(text(v))
}

fn as_int(v: &Value) -> Option<i64> {
    v.as_i64()
}

fn as_bool(v: &Value) -> Option<bool> {
    v.as_bool()
}

fn as_object(v: &Value) -> Option<Map<String, Value>> {
    v.as_object().cloned()
}

fn typed<T: DeserializeOwned>(v: &Value) -> Option<T> {
    serde_json::from_value(v.clone()).ok()
}

/// The independent check of a URL rule: one of `schemes`, with a host (a domain when
/// `domain_only`). `url` is the parser reqwest uses, and the rule's own.
fn url_ok(value: Option<&Value>, schemes: &[&str], domain_only: bool) -> bool {
    let Some(value) = value else { return true };
    let Some(text) = value.as_str() else {
        return false;
    };
    let Ok(url) = url::Url::parse(text) else {
        return false;
    };
    // What the scheme looks like to a person: the text before the first `:` once url's
    // ignored characters (surrounding C0 and spaces, tabs and newlines anywhere) are gone.
    let cleaned: String = text
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme = cleaned.split(':').next().unwrap_or("").to_ascii_lowercase();
    schemes.contains(&url.scheme())
        && schemes.contains(&scheme.as_str())
        && url.host().is_some()
        && (!domain_only || url.domain().is_some())
}

fn date(value: &Value) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(value.as_str().expect("a date is text"), "%d.%m.%Y")
        .expect("an accepted date reads with chrono")
}

// --- CryptoCloud ---------------------------------------------------------------------------

fn list_invoices(m: &Map<String, Value>) {
    use cryptocloud::types::{builder, InvoiceListRequest};
    let b = builder::InvoiceListRequest::default();
    let b = with(b, m, "start", as_text, |b, v| b.start(v.as_str()));
    let b = with(b, m, "end", as_text, |b, v| b.end(v.as_str()));
    let b = with(b, m, "offset", as_int, |b, v| b.offset(v));
    let b = with(b, m, "limit", as_int, |b, v| b.limit(v));
    match InvoiceListRequest::try_from(b.clone()) {
        Err(_) => refused_before_sending(
            "list_invoices",
            clients().cryptocloud.list_invoices().body(b).send(),
        ),
        Ok(request) => {
            let wire = accepted("list_invoices", &request, InvoiceListRequest::validate);
            assert!(
                date(&wire["start"]) <= date(&wire["end"]),
                "start after end"
            );
            let (offset, limit) = (i64::from(request.offset), i64::from(request.limit));
            assert!(
                0 <= offset && offset < limit && limit - offset <= 100,
                "window"
            );
        }
    }
}

fn get_statistics(m: &Map<String, Value>) {
    use cryptocloud::types::{builder, StatisticsRequest};
    let b = builder::StatisticsRequest::default();
    let b = with(b, m, "start", as_text, |b, v| b.start(v.as_str()));
    let b = with(b, m, "end", as_text, |b, v| b.end(v.as_str()));
    match StatisticsRequest::try_from(b.clone()) {
        Err(_) => refused_before_sending(
            "get_statistics",
            clients().cryptocloud.get_statistics().body(b).send(),
        ),
        Ok(request) => {
            let wire = accepted("get_statistics", &request, StatisticsRequest::validate);
            assert!(
                date(&wire["start"]) <= date(&wire["end"]),
                "start after end"
            );
        }
    }
}

fn cryptocloud_create_invoice(m: &Map<String, Value>) {
    use cryptocloud::types::{builder, AddFields, InvoiceCreateRequest};
    let b = builder::InvoiceCreateRequest::default();
    let b = with(b, m, "shop_id", as_text, |b, v| b.shop_id(v));
    let b = with(b, m, "amount", as_text, |b, v| b.amount(v.as_str()));
    let b = with(b, m, "currency", as_text, |b, v| b.currency(v.as_str()));
    let b = with(b, m, "email", as_text, |b, v| b.email(v));
    let b = with(b, m, "order_id", as_text, |b, v| b.order_id(v));
    let b = with(b, m, "add_fields", typed::<AddFields>, |b, v| {
        b.add_fields(v)
    });
    match InvoiceCreateRequest::try_from(b.clone()) {
        Err(_) => refused_before_sending(
            "cryptocloud create_invoice",
            clients().cryptocloud.create_invoice().body(b).send(),
        ),
        Ok(request) => {
            accepted("cryptocloud create_invoice", &request, |_| Ok(()));
        }
    }
}

fn create_withdrawal(m: &Map<String, Value>) {
    use cryptocloud::types::{builder, WithdrawalCreateRequest};
    let b = builder::WithdrawalCreateRequest::default();
    let b = with(b, m, "amount", as_text, |b, v| b.amount(v.as_str()));
    let b = with(b, m, "currency_code", as_text, |b, v| {
        b.currency_code(v.as_str())
    });
    let b = with(b, m, "to_address", as_text, |b, v| b.to_address(v));
    match WithdrawalCreateRequest::try_from(b.clone()) {
        Err(_) => refused_before_sending(
            "create_withdrawal",
            clients().cryptocloud.create_withdrawal().body(b).send(),
        ),
        Ok(request) => {
            accepted("create_withdrawal", &request, |_| Ok(()));
        }
    }
}

fn get_invoices(m: &Map<String, Value>) {
    use cryptocloud::types::{builder, InvoiceInfoRequest};
    let b = builder::InvoiceInfoRequest::default();
    let as_texts =
        |v: &Value| -> Option<Vec<String>> { Some(v.as_array()?.iter().map(text).collect()) };
    let b = with(b, m, "uuids", as_texts, |b, v| b.uuids(v));
    match InvoiceInfoRequest::try_from(b.clone()) {
        Err(_) => refused_before_sending(
            "get_invoices",
            clients().cryptocloud.get_invoices().body(b).send(),
        ),
        Ok(request) => {
            accepted("get_invoices", &request, |_| Ok(()));
            assert!((1..=100).contains(&request.uuids.len()), "1 to 100 uuids");
        }
    }
}

// --- Cryptoprocessing ----------------------------------------------------------------------

fn cryptoprocessing_create_invoice(m: &Map<String, Value>) {
    use cryptoprocessing::types::{builder, InvoiceCreateRequest, SenderData};
    let b = builder::InvoiceCreateRequest::default();
    let b = with(b, m, "amount", as_text, |b, v| b.amount(v.as_str()));
    let b = with(b, m, "currency", as_text, |b, v| b.currency(v));
    let b = with(b, m, "description", as_text, |b, v| b.description(v));
    let b = with(b, m, "email_user", as_text, |b, v| b.email_user(v));
    let b = with(b, m, "end_user_reference", as_text, |b, v| {
        b.end_user_reference(v)
    });
    let b = with(b, m, "foreign_id", as_text, |b, v| b.foreign_id(v));
    let b = with(b, m, "sender_currency", as_text, |b, v| {
        b.sender_currency(v)
    });
    let b = with(b, m, "sender_data", typed::<SenderData>, |b, v| {
        b.sender_data(v)
    });
    let b = with(b, m, "sender_type", as_text, |b, v| {
        b.sender_type(v.as_str())
    });
    let b = with(b, m, "timer", as_bool, |b, v| b.timer(v));
    let b = with(b, m, "title", as_text, |b, v| b.title(v));
    let b = with(b, m, "type", as_text, |b, v| b.type_(v.as_str()));
    let b = with(b, m, "url_failed", as_text, |b, v| b.url_failed(v));
    let b = with(b, m, "url_success", as_text, |b, v| b.url_success(v));
    match InvoiceCreateRequest::try_from(b.clone()) {
        Err(_) => refused_before_sending(
            "cryptoprocessing create_invoice",
            clients().cryptoprocessing.create_invoice().body(b).send(),
        ),
        Ok(request) => {
            let wire = accepted(
                "cryptoprocessing create_invoice",
                &request,
                InvoiceCreateRequest::validate,
            );
            for field in ["url_success", "url_failed"] {
                assert!(
                    url_ok(wire.get(field), &["https"], true),
                    "accepted {field} {:?}",
                    wire.get(field)
                );
            }
            assert!(
                request.sender_type.is_none() || request.sender_data.is_some(),
                "sender_type without sender_data (x-required-with)"
            );
        }
    }
}

// --- apiforcrypto --------------------------------------------------------------------------

fn apiforcrypto_create_invoice(m: &Map<String, Value>) {
    use apiforcrypto::types::{builder, InvoiceCreateRequest};
    let b = builder::InvoiceCreateRequest::default();
    let b = with(b, m, "blockchain", as_text, |b, v| b.blockchain(v));
    let b = with(b, m, "symbol", as_text, |b, v| b.symbol(v));
    let b = with(b, m, "confirmations", as_int, |b, v| b.confirmations(v));
    let b = with(b, m, "expiry", as_int, |b, v| b.expiry(v));
    let b = with(b, m, "pause", as_int, |b, v| b.pause(v));
    let b = with(b, m, "secret_key", as_text, |b, v| b.secret_key(v.as_str()));
    let b = with(b, m, "value", as_text, |b, v| b.value(v.as_str()));
    let b = with(b, m, "fiatCurrency", as_object, |b, f| {
        let fiat = builder::FiatAmount::default();
        let fiat = with(fiat, &f, "currency", as_text, |b, v| b.currency(v));
        let fiat = with(fiat, &f, "percent", as_int, |b, v| b.percent(v));
        let fiat = with(fiat, &f, "value", as_text, |b, v| b.value(v.as_str()));
        b.fiat_currency(fiat)
    });
    let b = with(b, m, "data", as_object, |b, d| {
        let data = builder::InvoiceData::default();
        let data = with(data, &d, "attempts_callback", as_int, |b, v| {
            b.attempts_callback(v)
        });
        let data = with(data, &d, "description", as_text, |b, v| b.description(v));
        let data = with(data, &d, "order_id", as_text, |b, v| b.order_id(v));
        let data = with(data, &d, "title", as_text, |b, v| b.title(v));
        let data = with(data, &d, "url_callback", as_text, |b, v| b.url_callback(v));
        let data = with(data, &d, "url_failed", as_text, |b, v| b.url_failed(v));
        let data = with(data, &d, "url_success", as_text, |b, v| b.url_success(v));
        let data = with(data, &d, "user_data", as_text, |b, v| b.user_data(v));
        b.data(data)
    });
    // The path argument: refused too if it cannot be a path segment.
    let wallet = m.get("wallet_id").map_or_else(|| "wallet".to_owned(), text);
    let path_ok = PathSegment::try_from(wallet.as_str()).is_ok();
    match InvoiceCreateRequest::try_from(b.clone()) {
        Ok(request) if path_ok => {
            let wire = accepted(
                "apiforcrypto create_invoice",
                &request,
                InvoiceCreateRequest::validate,
            );
            let expiry = i64::from(request.expiry);
            assert!((15..=40).contains(&expiry), "expiry {expiry}");
            assert!(i64::from(request.confirmations) >= 0);
            assert!(request.pause.is_none_or(|p| i64::from(p) >= 10), "pause");
            assert!(
                request.value.is_some()
                    || request
                        .fiat_currency
                        .as_ref()
                        .is_some_and(|f| f.value.is_some()),
                "neither value nor fiatCurrency.value"
            );
            if let Some(data) = &request.data {
                assert!(
                    data.attempts_callback.is_none_or(|a| (0..=20).contains(&a)),
                    "attempts_callback"
                );
                for field in ["url_success", "url_failed"] {
                    assert!(
                        url_ok(wire["data"].get(field), &["http", "https"], false),
                        "accepted data.{field} {:?}",
                        wire["data"].get(field)
                    );
                }
            }
        }
        _ => refused_before_sending(
            "apiforcrypto create_invoice",
            clients()
                .apiforcrypto
                .create_invoice()
                .wallet_id(wallet.as_str())
                .body(b)
                .send(),
        ),
    }
}

/// The `refusals` target.
pub fn check(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    // Anything but an object is no members at all: every required one is missing.
    let members = serde_json::from_slice::<Map<String, Value>>(rest).unwrap_or_default();
    match usize::from(selector) % KINDS.len() {
        0 => list_invoices(&members),
        1 => get_statistics(&members),
        2 => cryptocloud_create_invoice(&members),
        3 => create_withdrawal(&members),
        4 => get_invoices(&members),
        5 => cryptoprocessing_create_invoice(&members),
        _ => apiforcrypto_create_invoice(&members),
    }
}
