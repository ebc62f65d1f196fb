//! Every generated response and callback type, decoded from bytes as the clients and the
//! webhook verifiers decode them (`serde_json::from_slice`).
//!
//! For each type, on every input:
//!
//! - decoding never panics, and serde_path_to_error (what the client uses to name the failing
//!   field) agrees on whether the bytes decode;
//! - a decoded value serializes, the result decodes again, and serializing that gives the same
//!   bytes (up to the order of a map's members, and a few `f64` units in numbers of untyped
//!   JSON: see [`same_json`]): amounts keep their exact digits and scale through the round trip (`Amount` writes
//!   its exact decimal), as do dates, open enums and unknown fields;
//! - an error body (`ErrorBody<ErrorResponse>`, what the client keeps for an error status)
//!   never panics either.

use std::any::type_name;
use std::collections::BTreeMap;

use invoice_primitives::ErrorBody;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;

/// `data` through serde_path_to_error, then the end of input checked as `from_slice` does.
pub fn tracked<T: DeserializeOwned>(data: &[u8]) -> Result<T, String> {
    let mut deserializer = serde_json::Deserializer::from_slice(data);
    let value = serde_path_to_error::deserialize::<_, T>(&mut deserializer)
        .map_err(|e| format!("{}: {}", e.path(), e.inner()))?;
    deserializer.end().map_err(|e| e.to_string())?;
    Ok(value)
}

/// Decodes `data` as `T`; if it decodes, checks the round trip.
pub fn round_trip<T: DeserializeOwned + Serialize>(data: &[u8]) {
    let direct = serde_json::from_slice::<T>(data);
    let tracked = tracked::<T>(data);
    assert_eq!(
        direct.is_ok(),
        tracked.is_ok(),
        "{}: serde_json says {:?}, serde_path_to_error says {:?}",
        type_name::<T>(),
        direct.as_ref().err().map(ToString::to_string),
        tracked.as_ref().err(),
    );
    let Ok(first) = direct else { return };
    let bytes = invoice_primitives::wire::to_vec(&first)
        .unwrap_or_else(|e| panic!("{}: a decoded value must serialize: {e}", type_name::<T>()));
    let second: T = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{}: its own JSON must decode: {e}\n{}",
            type_name::<T>(),
            String::from_utf8_lossy(&bytes)
        )
    });
    let again = invoice_primitives::wire::to_vec(&second).expect("serialized once already");
    assert!(
        bytes == again || same_json(&bytes, &again),
        "{}: the round trip changed the value\nfirst:  {}\nsecond: {}",
        type_name::<T>(),
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(&again)
    );
}

/// How many `f64` units two numbers of untyped JSON may differ by (see [`same_json`]).
pub const MAX_ULPS: u64 = 4;

/// Whether two JSON texts hold the same value: objects compared member by member whatever
/// their order (a `HashMap` in a type writes its members in another order each time), strings
/// and numbers as written, except that two numbers may differ by a few `f64` units
/// ([`MAX_ULPS`]).
///
/// That exception is serde_json's, not the generated code's: without its `float_roundtrip`
/// feature, serde_json may parse a float with 17 or more significant digits a unit or two in
/// the last place off, so a number held in untyped JSON (a `serde_json::Value`: error bodies,
/// unknown members kept in `extra`) can move on each trip (`12222…200`, 56 digits, is read as
/// `1.2222222222222221e+55`, whose text is read back as `1.2222222222222219e+55`; the nearest
/// `f64` is `1.2222222222222223e+55`). Amounts are never `f64`s (they are
/// read from their text and written exactly; the `amount` target checks that with no
/// tolerance), and an amount bug that moved a value by a few `f64` units is not a realistic
/// one.
pub fn same_json(a: &[u8], b: &[u8]) -> bool {
    fn same(a: &RawValue, b: &RawValue) -> bool {
        let (a, b) = (a.get().trim(), b.get().trim());
        if a == b {
            return true;
        }
        type Members = BTreeMap<String, Box<RawValue>>;
        if let (Ok(x), Ok(y)) = (
            serde_json::from_str::<Members>(a),
            serde_json::from_str::<Members>(b),
        ) {
            return x.len() == y.len()
                && x.iter()
                    .zip(&y)
                    .all(|((k, v), (l, w))| k == l && same(v, w));
        }
        if let (Ok(x), Ok(y)) = (
            serde_json::from_str::<Vec<Box<RawValue>>>(a),
            serde_json::from_str::<Vec<Box<RawValue>>>(b),
        ) {
            return x.len() == y.len() && x.iter().zip(&y).all(|(v, w)| same(v, w));
        }
        let number = |t: &str| t.starts_with(|c: char| c == '-' || c.is_ascii_digit());
        match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) if number(a) && number(b) && x.is_finite() && y.is_finite() => {
                x.is_sign_negative() == y.is_sign_negative()
                    && x.to_bits().abs_diff(y.to_bits()) <= MAX_ULPS
            }
            _ => false,
        }
    }
    match (
        serde_json::from_slice::<Box<RawValue>>(a),
        serde_json::from_slice::<Box<RawValue>>(b),
    ) {
        (Ok(a), Ok(b)) => same(&a, &b),
        _ => a == b,
    }
}

/// An error body as the client keeps it: from the text, as `from_json` does, and as a field.
fn error_body<E: DeserializeOwned>(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(body) = ErrorBody::<E>::from_json(text) {
            assert_eq!(
                body.parsed().is_some(),
                body.mismatch().is_none(),
                "an error body is either parsed or has a mismatch"
            );
        }
    }
    let _ = serde_json::from_slice::<ErrorBody<E>>(data);
}

/// CryptoCloud: the 8 operations' responses, the error body, the postback and its invoice.
pub fn cryptocloud(data: &[u8]) {
    use cryptocloud::types::*;
    round_trip::<InvoiceCreateResponse>(data);
    round_trip::<InvoiceListResponse>(data);
    round_trip::<InvoiceInfoResponse>(data);
    round_trip::<InvoiceCancelResponse>(data);
    round_trip::<BalanceResponse>(data);
    round_trip::<StatisticsResponse>(data);
    round_trip::<StaticWalletCreateResponse>(data);
    round_trip::<WithdrawalCreateResponse>(data);
    round_trip::<ErrorResponse>(data);
    round_trip::<Postback>(data);
    round_trip::<Invoice>(data);
    error_body::<ErrorResponse>(data);
}

/// Cryptoprocessing: the 4 operations' responses that have a body, the error body, the
/// invoice callback.
pub fn cryptoprocessing(data: &[u8]) {
    use cryptoprocessing::types::*;
    round_trip::<InvoiceCreateResponse>(data);
    round_trip::<CancelInvoiceResponse>(data);
    round_trip::<CurrencyListResponse>(data);
    round_trip::<AccountListResponse>(data);
    round_trip::<ErrorResponse>(data);
    round_trip::<InvoiceCallback>(data);
    error_body::<ErrorResponse>(data);
}

/// apiforcrypto: the invoice (create and get), the wallet, the error body, the notification.
pub fn apiforcrypto(data: &[u8]) {
    use apiforcrypto::types::*;
    round_trip::<Invoice>(data);
    round_trip::<Wallet>(data);
    round_trip::<ErrorResponse>(data);
    round_trip::<InvoiceCallback>(data);
    error_body::<ErrorResponse>(data);
}
