//! The time parsers: `Timestamp` (`YYYY-MM-DD HH:MM:SS[.f]`), `UnixTime` (seconds) and
//! `DayMonthYear` (`DD.MM.YYYY`), from text and from JSON.
//!
//! - An accepted value displays in its wire form, which parses back to the same instant (or
//!   date) and displays the same again; `Timestamp` keeps its number of fraction digits.
//! - `DayMonthYear` is strict: what it accepts is exactly what it writes. `UnixTime` writes
//!   the canonical integer of what it read.
//! - JSON writes a value that reads back equal; reading from JSON agrees with `FromStr` on
//!   the string's content.

use std::str::FromStr;

use invoice_primitives::{DayMonthYear, Timestamp, UnixTime};
use serde_json::Value;

fn timestamp(text: &str) {
    let Ok(t) = Timestamp::from_str(text) else {
        return;
    };
    let shown = t.to_string();
    let back = Timestamp::from_str(&shown)
        .unwrap_or_else(|e| panic!("{text:?} displays as {shown:?}, which does not parse: {e}"));
    assert_eq!(back, t, "{text:?} → {shown:?} → another instant");
    assert_eq!(back.get(), t.get());
    assert_eq!(back.fraction_digits(), t.fraction_digits());
    assert_eq!(
        back.to_string(),
        shown,
        "{text:?}: display is not a fixed point"
    );
    let json = serde_json::to_string(&t).expect("a timestamp serializes");
    assert_eq!(json, serde_json::to_string(&shown).unwrap());
    let read: Timestamp = serde_json::from_str(&json).expect("reads back");
    assert_eq!(read.get(), t.get());
    for digits in 0..=10u8 {
        if let Some(other) = t.with_fraction_digits(digits) {
            assert_eq!(other, t, "another number of digits, the same instant");
            let again = Timestamp::from_str(&other.to_string()).expect("parses");
            assert_eq!(again.get(), t.get(), "{text:?} with {digits} digits");
        }
    }
}

fn unix_time(text: &str) {
    let Ok(t) = UnixTime::from_str(text) else {
        return;
    };
    let shown = t.to_string();
    assert_eq!(shown, t.seconds().to_string());
    let canonical: i64 = text.parse().expect("accepted text is an i64");
    assert_eq!(t.seconds(), canonical, "{text:?}");
    let back = UnixTime::from_str(&shown).expect("parses");
    assert_eq!(back, t);
    let json = serde_json::to_string(&t).expect("serializes");
    assert_eq!(json, shown, "written as a JSON integer");
    let read: UnixTime = serde_json::from_str(&json).expect("reads back");
    assert_eq!(read, t);
}

fn day_month_year(text: &str) {
    let Ok(d) = DayMonthYear::from_str(text) else {
        return;
    };
    assert_eq!(d.to_string(), text, "DayMonthYear writes what it accepts");
    let json = serde_json::to_string(&d).expect("serializes");
    let read: DayMonthYear = serde_json::from_str(&json).expect("reads back");
    assert_eq!(read, d);
}

/// JSON reading agrees with `FromStr` on the string (and, for `UnixTime`, on an integer).
fn from_json(data: &[u8]) {
    let value = serde_json::from_slice::<Value>(data).ok();
    let string = match &value {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let timestamp = serde_json::from_slice::<Timestamp>(data).ok();
    assert_eq!(
        timestamp.map(|t| (t.get(), t.fraction_digits())),
        string
            .and_then(|s| Timestamp::from_str(s).ok())
            .map(|t| (t.get(), t.fraction_digits())),
        "Timestamp from JSON and from its string"
    );
    let date = serde_json::from_slice::<DayMonthYear>(data).ok();
    assert_eq!(
        date,
        string.and_then(|s| DayMonthYear::from_str(s).ok()),
        "DayMonthYear from JSON and from its string"
    );
    let unix = serde_json::from_slice::<UnixTime>(data).ok();
    let expected = match &value {
        Some(Value::String(s)) => UnixTime::from_str(s).ok(),
        Some(Value::Number(n)) => n.as_i64().and_then(UnixTime::from_seconds),
        _ => None,
    };
    assert_eq!(unix, expected, "UnixTime from JSON");
}

/// The `time` target.
pub fn check(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        timestamp(text);
        unix_time(text);
        day_month_year(text);
    }
    from_json(data);
}
