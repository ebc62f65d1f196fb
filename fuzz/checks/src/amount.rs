//! The exact-amount parsers: `Amount` and `StringAmount` from text (`FromStr`, what builders
//! use) and from JSON (the raw-value reader, what responses use).
//!
//! - An accepted amount re-encodes to the same decimal: its `Display` has no exponent, parses
//!   back to the same mantissa and scale; `Amount` writes that text as a JSON number and
//!   `StringAmount` as a JSON string, and both read back the same mantissa and scale.
//! - JSON reading agrees with `FromStr`: a JSON number is read as its text, a JSON string as
//!   its (unescaped) content, with the same result; `from_slice`, `from_reader` and
//!   serde_path_to_error agree; `Amount` and `StringAmount` read alike.
//! - Where rust_decimal's own exact parser accepts plain `-?digits[.digits]`, it gives the same
//!   decimal.

use std::str::FromStr;

use invoice_primitives::{Amount, StringAmount};
use rust_decimal::Decimal;
use serde_json::Value;

/// The decimal as compared here: mantissa and scale (a zero's sign does not count).
fn exact(d: Decimal) -> (i128, u32) {
    (d.mantissa(), d.scale())
}

/// `text` → `Amount` and `StringAmount`, and their re-encodings.
fn from_text(text: &str) {
    let amount = Amount::from_str(text);
    let string_amount = StringAmount::from_str(text);
    assert_eq!(
        amount.as_ref().ok().map(|a| exact(a.get())),
        string_amount.as_ref().ok().map(|a| exact(a.get())),
        "Amount and StringAmount parse {text:?} alike"
    );
    if let (Err(a), Err(b)) = (&amount, &string_amount) {
        assert_eq!(a.to_string(), b.to_string());
        assert!(
            a.input().chars().count() <= 66,
            "the error quotes at most 64 characters"
        );
    }
    let Ok(amount) = amount else { return };
    let value = amount.get();
    let shown = amount.to_string();
    assert!(
        !shown.contains(['e', 'E']),
        "{text:?} is displayed in exponent form: {shown}"
    );
    let back = Amount::from_str(&shown)
        .unwrap_or_else(|e| panic!("{text:?} displays as {shown:?}, which does not parse: {e}"));
    assert_eq!(
        exact(back.get()),
        exact(value),
        "{text:?} → {shown:?} → another decimal"
    );

    // Through serde_json: its exact text, as a JSON string (kept by a `Value` too).
    let json = serde_json::to_string(&amount).expect("an amount serializes");
    assert_eq!(json, format!("\"{shown}\""), "Amount writes its exact text");
    let through_value: Amount =
        serde_json::from_value(serde_json::to_value(amount).expect("serializes"))
            .expect("reads back from a Value");
    assert_eq!(
        exact(through_value.get()),
        exact(value),
        "{text:?}: Value round trip"
    );

    // In the providers' form: a JSON number.
    let json = invoice_primitives::wire::to_string(&amount).expect("an amount serializes");
    assert_eq!(json, shown, "Amount writes its exact text as a JSON number");
    let read: Amount = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("{text:?}: its JSON {json} does not read back: {e}"));
    assert_eq!(
        exact(read.get()),
        exact(value),
        "{text:?}: JSON number round trip"
    );
    let number: Value = serde_json::from_str(&json).expect("a JSON number");
    assert!(number.is_number(), "{json} is a JSON number");

    // As a JSON string.
    let string_amount = StringAmount::from(amount);
    let json = serde_json::to_string(&string_amount).expect("an amount serializes");
    assert_eq!(
        json,
        format!("\"{shown}\""),
        "StringAmount writes its exact text"
    );
    let read: StringAmount = serde_json::from_str(&json).expect("reads back");
    assert_eq!(
        exact(read.get()),
        exact(value),
        "{text:?}: JSON string round trip"
    );

    // rust_decimal's own exact parser, on the plain form it accepts.
    if is_plain(text) {
        if let Ok(theirs) = Decimal::from_str_exact(text) {
            assert_eq!(
                exact(theirs),
                exact(value),
                "{text:?}: rust_decimal reads {theirs}, this crate {value}"
            );
        }
    }
}

/// `-?digits[.digits]`.
fn is_plain(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// `data` as JSON → both types, against `FromStr` on the value's text.
fn from_json(data: &[u8]) {
    let amount = serde_json::from_slice::<Amount>(data);
    let string_amount = serde_json::from_slice::<StringAmount>(data);
    let reader = serde_json::from_reader::<_, Amount>(data);
    let tracked = crate::decode::tracked::<Amount>(data);
    let ok = amount.as_ref().ok().map(|a| exact(a.get()));
    assert_eq!(
        ok,
        string_amount.as_ref().ok().map(|a| exact(a.get())),
        "Amount and StringAmount read the same JSON alike"
    );
    assert_eq!(
        ok,
        reader.as_ref().ok().map(|a| exact(a.get())),
        "from_slice and from_reader agree"
    );
    assert_eq!(
        ok,
        tracked.as_ref().ok().map(|a| exact(a.get())),
        "serde_path_to_error agrees"
    );

    // What the value is, by serde_json's own reading; `FromStr` on its text must agree.
    let text = match serde_json::from_slice::<Value>(data) {
        Ok(Value::String(s)) => s,
        Ok(Value::Number(_)) => {
            let raw: Box<serde_json::value::RawValue> =
                serde_json::from_slice(data).expect("a number is a raw value");
            raw.get().to_owned()
        }
        // Neither a number nor a string: never an amount.
        Ok(other) => {
            assert!(ok.is_none(), "{other} is not an amount");
            return;
        }
        Err(_) => {
            assert!(ok.is_none(), "invalid JSON read as an amount");
            return;
        }
    };
    // `FromStr` takes plain notation only; JSON in exponent form or with `+` is read all the
    // same, alike as a number and as a string holding the same text.
    if text.contains(['e', 'E', '+']) {
        assert!(
            Amount::from_str(&text).is_err(),
            "FromStr accepted {text:?}, which is not plain decimal notation"
        );
        let as_string = serde_json::to_string(&text).expect("a string");
        // As a bare number only where it is one as it stands (JSON would skip white space).
        let bare = if text.contains(char::is_whitespace) {
            ""
        } else {
            text.as_str()
        };
        let forms = [as_string.as_str(), bare];
        let readings: Vec<_> = forms
            .iter()
            .filter(|form| serde_json::from_str::<Value>(form).is_ok())
            .map(|form| {
                serde_json::from_str::<Amount>(form)
                    .ok()
                    .map(|a| exact(a.get()))
            })
            .collect();
        assert!(
            readings.iter().all(|r| *r == ok),
            "JSON {:?} reads as {ok:?}, the same text in another form as {readings:?}",
            String::from_utf8_lossy(data)
        );
        return;
    }
    let parsed = Amount::from_str(&text).ok().map(|a| exact(a.get()));
    assert_eq!(
        ok,
        parsed,
        "JSON {:?} reads as {ok:?}, its text {text:?} parses as {parsed:?}",
        String::from_utf8_lossy(data)
    );
}

/// The `amount` target.
pub fn check(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        from_text(text);
    }
    from_json(data);
}
