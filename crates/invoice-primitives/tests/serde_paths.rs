//! Every serde path a program takes keeps an amount's every digit and its scale, for any
//! decimal up to the largest: serde_json's writers and readers, `to_value`/`from_value`,
//! `json!`, a `Value` inside a struct and back, the providers' own form (`wire`), and YAML,
//! MessagePack, CBOR, bincode and postcard.

use invoice_primitives::{wire, Amount, StringAmount};
use proptest::prelude::*;
use proptest::test_runner::Config;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// 2^96 - 1, the largest mantissa a decimal holds.
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// Any decimal: a mantissa up to the largest (and small and round ones often), any scale from
/// 0 to 28, either sign.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    let mantissa = prop_oneof![
        0..=MAX_MANTISSA,
        Just(MAX_MANTISSA),
        0_u128..=10_000,
        (0_u128..=99).prop_map(|m| m * 10_u128.pow(20)),
    ];
    (mantissa, any::<bool>(), 0_u32..=28).prop_map(|(m, negative, scale)| {
        let m = m as i128;
        Decimal::from_i128_with_scale(if negative { -m } else { m }, scale)
    })
}

/// The same decimal to the letter: value, scale and sign.
fn exactly(a: Decimal, b: Decimal) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.to_string(), b.to_string());
    prop_assert_eq!(a.scale(), b.scale());
    prop_assert_eq!(a, b);
    Ok(())
}

/// An amount type under test: both behave the same on every path but `wire`.
trait Money: Serialize + DeserializeOwned + Copy {
    fn of(d: Decimal) -> Self;
    fn decimal(self) -> Decimal;
}

impl Money for Amount {
    fn of(d: Decimal) -> Self {
        Amount::new(d)
    }
    fn decimal(self) -> Decimal {
        self.get()
    }
}

impl Money for StringAmount {
    fn of(d: Decimal) -> Self {
        StringAmount::new(d)
    }
    fn decimal(self) -> Decimal {
        self.get()
    }
}

#[derive(Serialize, Deserialize)]
struct Holder<T> {
    amount: T,
    note: Value,
}

/// Every serde_json path, and each format's round trip.
fn every_path<T: Money>(d: Decimal) -> Result<(), TestCaseError> {
    let a = T::of(d);
    let read = |text: &str| -> Result<T, TestCaseError> {
        serde_json::from_str(text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))
    };

    // serde_json's writers and readers: the exact text, as a JSON string.
    let text = serde_json::to_string(&a).unwrap();
    prop_assert_eq!(&text, &format!("\"{d}\""));
    exactly(read(&text)?.decimal(), d)?;
    let bytes = serde_json::to_vec(&a).unwrap();
    exactly(serde_json::from_slice::<T>(&bytes).unwrap().decimal(), d)?;
    let mut written = Vec::new();
    serde_json::to_writer(&mut written, &a).unwrap();
    exactly(
        serde_json::from_reader::<_, T>(&written[..])
            .unwrap()
            .decimal(),
        d,
    )?;
    let pretty = serde_json::to_string_pretty(&vec![a]).unwrap();
    exactly(
        serde_json::from_str::<Vec<T>>(&pretty).unwrap()[0].decimal(),
        d,
    )?;

    // Through a `Value`: `to_value`/`from_value`, `json!`, a `Value` inside a struct, its text.
    let value = serde_json::to_value(a).unwrap();
    prop_assert_eq!(&value, &Value::String(d.to_string()));
    exactly(
        serde_json::from_value::<T>(value.clone())
            .unwrap()
            .decimal(),
        d,
    )?;
    exactly(T::deserialize(&value).unwrap().decimal(), d)?;
    let embedded = json!({ "order": "ORDER-1", "paid": a });
    exactly(
        serde_json::from_value::<T>(embedded["paid"].clone())
            .unwrap()
            .decimal(),
        d,
    )?;
    let holder = Holder {
        amount: a,
        note: embedded,
    };
    let stored = serde_json::to_string(&holder).unwrap();
    let back: Holder<T> = serde_json::from_str(&stored).unwrap();
    exactly(back.amount.decimal(), d)?;
    exactly(
        serde_json::from_value::<T>(back.note["paid"].clone())
            .unwrap()
            .decimal(),
        d,
    )?;
    let as_value = serde_json::to_value(&holder).unwrap();
    let again: Holder<T> = serde_json::from_value(as_value).unwrap();
    exactly(again.amount.decimal(), d)?;

    // The other formats.
    let yaml = serde_yaml_ng::to_string(&a).unwrap();
    exactly(serde_yaml_ng::from_str::<T>(&yaml).unwrap().decimal(), d)?;
    let msgpack = rmp_serde::to_vec(&a).unwrap();
    exactly(rmp_serde::from_slice::<T>(&msgpack).unwrap().decimal(), d)?;
    let mut cbor = Vec::new();
    ciborium::into_writer(&a, &mut cbor).unwrap();
    exactly(
        ciborium::from_reader::<T, _>(&cbor[..]).unwrap().decimal(),
        d,
    )?;
    let bin = bincode::serialize(&a).unwrap();
    exactly(bincode::deserialize::<T>(&bin).unwrap().decimal(), d)?;
    let post = postcard::to_allocvec(&a).unwrap();
    exactly(postcard::from_bytes::<T>(&post).unwrap().decimal(), d)?;
    Ok(())
}

fn config() -> Config {
    Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn amount_keeps_every_digit_on_every_path(d in any_decimal()) {
        every_path::<Amount>(d)?;
        // The providers' form: a JSON number with exactly these digits.
        let a = Amount::new(d);
        let wire_text = wire::to_string(&a).unwrap();
        prop_assert_eq!(&wire_text, &d.to_string());
        exactly(serde_json::from_str::<Amount>(&wire_text).unwrap().get(), d)?;
        let in_struct = wire::to_vec(&Holder { amount: a, note: json!({"paid": a}) }).unwrap();
        let back: Holder<Amount> = serde_json::from_slice(&in_struct).unwrap();
        exactly(back.amount.get(), d)?;
        // A `Value` made by `json!` holds the string form, which the wire writes as it is.
        exactly(serde_json::from_value::<Amount>(back.note["paid"].clone()).unwrap().get(), d)?;
    }

    #[test]
    fn string_amount_keeps_every_digit_on_every_path(d in any_decimal()) {
        every_path::<StringAmount>(d)?;
        let a = StringAmount::new(d);
        prop_assert_eq!(wire::to_string(&a).unwrap(), format!("\"{d}\""));
    }
}

#[test]
fn the_extremes() {
    let max = Decimal::from_i128_with_scale(MAX_MANTISSA as i128, 0);
    let tiny = Decimal::from_i128_with_scale(1, 28);
    let scaled = Decimal::from_i128_with_scale(4990, 2);
    for d in [max, -max, tiny, -tiny, scaled, Decimal::ZERO] {
        every_path::<Amount>(d).unwrap();
        every_path::<StringAmount>(d).unwrap();
    }
    assert_eq!(
        serde_json::to_value(Amount::new(scaled)).unwrap(),
        json!("49.90")
    );
}
