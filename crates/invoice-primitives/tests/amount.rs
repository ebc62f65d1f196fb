//! Amounts through the real deserializers: serde_json (text, slice, reader, `Value`), serde's
//! untagged/flatten buffer, forms, and random values.

use std::collections::BTreeMap;
use std::str::FromStr;

use invoice_primitives::{wire, Amount, StringAmount};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

fn amount(json: &str) -> Amount {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

fn string_amount(json: &str) -> StringAmount {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[test]
fn documented_values_parse_to_exactly_what_is_written() {
    for (json, text, scale) in [
        ("101.4", "101.4", 1),
        ("0.033366", "0.033366", 6),
        ("4.500000159168849e-06", "0.000004500000159168849", 21),
        ("100", "100", 0),
        ("100.0", "100.0", 1),
        (r#""100.5""#, "100.5", 1),
        (r#""0.02000000""#, "0.02000000", 8),
        ("-2.50", "-2.50", 2),
        (
            "1.2345678901234567890123456789",
            "1.2345678901234567890123456789",
            28,
        ),
    ] {
        for a in [amount(json).get(), string_amount(json).get()] {
            assert_eq!(a.to_string(), text, "{json}");
            assert_eq!(a.scale(), scale, "{json}");
        }
    }
}

/// The providers' form (`wire`): a JSON number with the decimal's digits and scale.
#[test]
fn amount_writes_a_number_with_the_same_digits() {
    for (json, written) in [
        ("101.4", "101.4"),
        ("100", "100"),
        ("100.0", "100.0"),
        ("1.50", "1.50"),
        (r#""100.5""#, "100.5"),
        (r#""0.02000000""#, "0.02000000"),
        ("4.500000159168849e-06", "0.000004500000159168849"),
        ("1e-7", "0.0000001"),
        ("-0.5", "-0.5"),
        (
            "79228162514264337593543950335",
            "79228162514264337593543950335",
        ),
        (
            "1.2345678901234567890123456789",
            "1.2345678901234567890123456789",
        ),
    ] {
        let a = amount(json);
        assert_eq!(wire::to_string(&a).unwrap(), written, "{json}");
        assert_eq!(wire::to_vec(&a).unwrap(), written.as_bytes(), "{json}");
        assert_eq!(amount(written), a);
        // Every other path: the same digits, as a string.
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            format!("\"{written}\""),
            "{json}"
        );
    }
}

#[test]
fn string_amount_writes_a_string_keeping_its_scale() {
    for (json, written) in [
        (r#""0.02000000""#, r#""0.02000000""#),
        ("100.0", r#""100.0""#),
        ("4.500000159168849e-06", r#""0.000004500000159168849""#),
        (r#""-7""#, r#""-7""#),
    ] {
        let a = string_amount(json);
        assert_eq!(serde_json::to_string(&a).unwrap(), written, "{json}");
        assert_eq!(string_amount(written).get().scale(), a.get().scale());
    }
}

#[test]
fn through_serde_json_value() {
    let a = amount("101.4");
    assert_eq!(serde_json::to_value(a).unwrap(), json!("101.4"));
    assert_eq!(
        serde_json::to_value(amount("100.0")).unwrap(),
        json!("100.0")
    );
    assert_eq!(
        serde_json::to_value(string_amount(r#""0.02000000""#)).unwrap(),
        json!("0.02000000")
    );

    for (value, text) in [
        (json!(101.4), "101.4"),
        (json!(100), "100"),
        (json!(100.0), "100.0"),
        (json!(-3), "-3"),
        (json!(4.500000159168849e-06), "0.000004500000159168849"),
        (json!(0.033366), "0.033366"),
        (json!("100.5"), "100.5"),
        (json!("0.02000000"), "0.02000000"),
    ] {
        let from_owned: Amount = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(from_owned.to_string(), text, "{value}");
        // `&Value` is a deserializer of its own.
        let from_ref = Amount::deserialize(&value).unwrap();
        assert_eq!(from_ref.to_string(), text, "{value}");
        let s: StringAmount = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(s.to_string(), text, "{value}");
    }

    // to_value -> from_value keeps the digits and the scale.
    for text in [
        "4.500000159168849e-06",
        "49.90",
        "79228162514264337593543950335",
    ] {
        let a = amount(text);
        let back: Amount = serde_json::from_value(serde_json::to_value(a).unwrap()).unwrap();
        assert_eq!(back.get().serialize(), a.get().serialize(), "{text}");
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Invoice {
    a: Amount,
    maybe: Option<Amount>,
    missing: Option<Amount>,
    #[serde(default)]
    list: Vec<Amount>,
    text: StringAmount,
    #[serde(skip_serializing_if = "Option::is_none")]
    absent: Option<StringAmount>,
}

#[test]
fn inside_derived_structs() {
    let body = br#"{"a": 101.4, "maybe": null, "missing": 4.500000159168849e-06,
        "list": [1, "2.50", 3e-2, 100.0], "text": "0.02000000"}"#;
    for invoice in [
        serde_json::from_slice::<Invoice>(body).unwrap(),
        serde_json::from_reader::<_, Invoice>(&body[..]).unwrap(),
        serde_json::from_str::<Invoice>(std::str::from_utf8(body).unwrap()).unwrap(),
        serde_json::from_value::<Invoice>(serde_json::from_slice(body).unwrap()).unwrap(),
    ] {
        assert_eq!(invoice.a.to_string(), "101.4");
        assert_eq!(invoice.maybe, None);
        assert_eq!(
            invoice.missing.unwrap().to_string(),
            "0.000004500000159168849"
        );
        let list: Vec<String> = invoice.list.iter().map(|a| a.to_string()).collect();
        assert_eq!(list, ["1", "2.50", "0.03", "100.0"]);
        assert_eq!(invoice.text.to_string(), "0.02000000");
    }
    let invoice: Invoice = serde_json::from_slice(body).unwrap();
    assert_eq!(
        wire::to_string(&invoice).unwrap(),
        r#"{"a":101.4,"maybe":null,"missing":0.000004500000159168849,"list":[1,2.50,0.03,100.0],"text":"0.02000000"}"#
    );
    assert_eq!(
        serde_json::to_string(&invoice).unwrap(),
        r#"{"a":"101.4","maybe":null,"missing":"0.000004500000159168849","list":["1","2.50","0.03","100.0"],"text":"0.02000000"}"#
    );
}

#[test]
fn errors_name_the_field_and_the_bad_value() {
    let err = serde_json::from_str::<Invoice>(r#"{"a": "0.106.75000000", "text": "1"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(r#"invalid amount "0.106.75000000": expected a decimal number"#),
        "{err}"
    );
    let mut de = serde_json::Deserializer::from_str(r#"{"a": 1, "text": "1,5"}"#);
    let err = serde_path_to_error::deserialize::<_, Invoice>(&mut de).unwrap_err();
    assert_eq!(err.path().to_string(), "text");
    assert!(err.to_string().contains(r#"invalid amount "1,5""#), "{err}");
}

#[test]
fn malformed_input_is_an_error_never_zero() {
    for (json, shown) in [
        (
            r#""0.106.75000000""#,
            r#"invalid amount "0.106.75000000": expected a decimal number"#,
        ),
        (r#""""#, r#"invalid amount "": expected a decimal number"#),
        (
            r#""abc""#,
            r#"invalid amount "abc": expected a decimal number"#,
        ),
        (
            r#""NaN""#,
            r#"invalid amount "NaN": expected a decimal number"#,
        ),
        (
            r#""Infinity""#,
            r#"invalid amount "Infinity": expected a decimal number"#,
        ),
        (
            r#""-inf""#,
            r#"invalid amount "-inf": expected a decimal number"#,
        ),
        (
            r#"" 1""#,
            r#"invalid amount " 1": expected a decimal number"#,
        ),
        (
            r#""1\n""#,
            r#"invalid amount "1\n": expected a decimal number"#,
        ),
        ("true", "invalid amount true: expected a decimal number"),
        ("null", "invalid amount null: expected a decimal number"),
        ("{}", "invalid amount {}: expected a decimal number"),
        ("[1]", "invalid amount [1]: expected a decimal number"),
        ("1e400", "invalid amount 1e400: too large"),
        ("1e-40", "invalid amount 1e-40: more than 28 decimal places"),
        (
            "123456789012345678901234567890",
            "invalid amount 123456789012345678901234567890: too large",
        ),
    ] {
        for err in [
            serde_json::from_str::<Amount>(json)
                .unwrap_err()
                .to_string(),
            serde_json::from_str::<StringAmount>(json)
                .unwrap_err()
                .to_string(),
        ] {
            assert!(err.starts_with(shown), "{json}: {err}");
        }
    }
    // Not JSON at all: serde_json's own error.
    assert!(serde_json::from_str::<Amount>("0.106.75000000").is_err());
    assert!(serde_json::from_str::<Amount>("NaN").is_err());
    // Through a Value, the non-number types are named by serde.
    let err = serde_json::from_value::<Amount>(json!(true))
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid amount true"), "{err}");
    // A huge body is not copied whole into the message.
    let long = format!("\"{}\"", "9".repeat(10_000) + "x");
    let err = serde_json::from_str::<Amount>(&long)
        .unwrap_err()
        .to_string();
    assert!(err.len() < 200, "{err}");
}

/// serde buffers the input for `untagged` and `flatten`, and then offers plain values
/// instead of raw JSON text: the fallback path.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(untagged)]
enum Either {
    Paid { paid: Amount, fee: StringAmount },
    Other { other: String },
}

#[derive(Debug, PartialEq, Deserialize)]
struct Flattened {
    id: u32,
    #[serde(flatten)]
    rest: BTreeMap<String, Amount>,
}

#[test]
fn through_serde_buffers() {
    let e: Either =
        serde_json::from_str(r#"{"paid": 4.500000159168849e-06, "fee": "0.02000000"}"#).unwrap();
    let Either::Paid { paid, fee } = e else {
        panic!("{e:?}")
    };
    assert_eq!(paid.to_string(), "0.000004500000159168849");
    assert_eq!(fee.to_string(), "0.02000000");

    let e: Either = serde_json::from_str(r#"{"paid": 101.4, "fee": 7}"#).unwrap();
    assert_eq!(
        e,
        Either::Paid {
            paid: "101.4".parse().unwrap(),
            fee: "7".parse().unwrap()
        }
    );
    // A bad amount makes the variant not match (untagged enums hide the inner message).
    assert!(serde_json::from_str::<Either>(r#"{"paid": "x", "fee": 1}"#).is_err());
    let e: Either = serde_json::from_str(r#"{"other": "x"}"#).unwrap();
    assert_eq!(e, Either::Other { other: "x".into() });

    let f: Flattened =
        serde_json::from_str(r#"{"id": 1, "x": 0.033366, "y": "100.50", "z": -5}"#).unwrap();
    let shown: Vec<String> = f.rest.values().map(|a| a.to_string()).collect();
    assert_eq!(shown, ["0.033366", "100.50", "-5"]);
}

#[test]
fn non_json_formats_carry_the_exact_text() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Form {
        amount: Amount,
        fee: StringAmount,
    }
    let form: Form = serde_urlencoded::from_str("amount=100.50&fee=0.02000000").unwrap();
    assert_eq!(form.amount.to_string(), "100.50");
    assert_eq!(form.fee.to_string(), "0.02000000");
    assert_eq!(
        serde_urlencoded::to_string(&form).unwrap(),
        "amount=100.50&fee=0.02000000"
    );
    let tiny = Form {
        amount: "0.0000001".parse().unwrap(),
        fee: "0".parse().unwrap(),
    };
    assert_eq!(
        serde_urlencoded::to_string(&tiny).unwrap(),
        "amount=0.0000001&fee=0"
    );
    let err = serde_urlencoded::from_str::<Form>("amount=1.2.3&fee=1").unwrap_err();
    assert!(
        err.to_string().contains(r#"invalid amount "1.2.3""#),
        "{err}"
    );

    // serde's own value deserializers (plain values, no raw JSON text).
    use serde::de::value::{
        Error, F64Deserializer, MapDeserializer, StrDeserializer, U64Deserializer,
    };
    use serde::de::IntoDeserializer;
    let s: StrDeserializer<Error> = "0.50".into_deserializer();
    assert_eq!(Amount::deserialize(s).unwrap().to_string(), "0.50");
    let f: F64Deserializer<Error> = 4.500000159168849e-06.into_deserializer();
    assert_eq!(
        Amount::deserialize(f).unwrap().to_string(),
        "0.000004500000159168849"
    );
    let f: F64Deserializer<Error> = f64::NAN.into_deserializer();
    assert!(Amount::deserialize(f)
        .unwrap_err()
        .to_string()
        .contains("finite"));
    let u: U64Deserializer<Error> = u64::MAX.into_deserializer();
    assert_eq!(
        Amount::deserialize(u).unwrap().to_string(),
        u64::MAX.to_string()
    );

    // serde_json with `arbitrary_precision` hands over numbers as this one-entry map.
    let precise = "1.2345678901234567890123456789";
    let map =
        MapDeserializer::<_, Error>::new([("$serde_json::private::Number", precise)].into_iter());
    assert_eq!(Amount::deserialize(map).unwrap().to_string(), precise);
    let map = MapDeserializer::<_, Error>::new([("amount", "1")].into_iter());
    assert!(Amount::deserialize(map).is_err());
}

#[test]
fn wire_writers_write_numbers_any_other_serializer_a_string() {
    let mut out = Vec::new();
    wire::to_writer(&mut out, &amount("1.50")).unwrap();
    assert_eq!(out, b"1.50");
    assert_eq!(
        wire::to_string_pretty(&vec![amount("1.50"), amount("2")]).unwrap(),
        "[\n  1.50,\n  2\n]"
    );

    // A wrapped serde_json serializer outside `wire`: the exact text, as a string.
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::new(&mut out);
    serde_path_to_error::serialize(&amount("1.50"), &mut ser).unwrap();
    assert_eq!(out, br#""1.50""#);
}

#[test]
fn as_map_keys() {
    let map: BTreeMap<Amount, u8> = serde_json::from_str(r#"{"1.50": 1, "2": 2}"#).unwrap();
    assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"1.50":1,"2":2}"#);
    let value = serde_json::to_value(&map).unwrap();
    assert_eq!(value, json!({"1.50": 1, "2": 2}));
    // The providers' form has no amounts as keys: a JSON number cannot be one, so the wire
    // writers refuse them with serde_json's error rather than write another form.
    let err = wire::to_string(&map).unwrap_err().to_string();
    assert!(err.contains("key must be a string"), "{err}");
}

#[test]
fn from_str_and_conversions() {
    let a = Amount::from_str("101.4").unwrap();
    let d: Decimal = a.into();
    assert_eq!(d, Decimal::new(1014, 1));
    assert_eq!(Amount::from(d), a);
    assert_eq!(Amount::new(d).get(), d);
    assert_eq!(StringAmount::from(d).get(), d);
    assert_eq!(Decimal::from(StringAmount::from(d)), d);
    assert_eq!(Amount::default(), Amount::new(Decimal::ZERO));
}

/// Text a program writes must be plain decimal notation: what is sent is what was written.
#[test]
fn from_str_refuses_exponents_and_plus() {
    for text in ["1e3", "1E3", "+7", "4.5e-06", "+0.5", "1e+2"] {
        let err = text.parse::<Amount>().unwrap_err().to_string();
        assert!(err.contains("without an exponent or `+`"), "{text}: {err}");
        assert!(text.parse::<StringAmount>().is_err(), "{text}");
        assert!(Amount::try_from(text).is_err(), "{text}");
    }
    // What a provider writes is read in any JSON form.
    assert_eq!(amount("1e3").to_string(), "1000");
    assert_eq!(amount(r#""+7""#).to_string(), "7");
}

/// What serde_json reads from `text` as a JSON number (where it is one) and as a JSON string
/// is what `FromStr` reads from it: the same decimal and scale, or the same message.
fn json_agrees_with_from_str(text: &str) {
    let quoted = serde_json::to_string(text).unwrap();
    let mut readings = vec![(
        "string",
        serde_json::from_str::<Amount>(&quoted).map(Amount::get),
    )];
    if serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v.is_number()) {
        readings.push((
            "number",
            serde_json::from_str::<Amount>(text).map(Amount::get),
        ));
    }
    readings.push((
        "StringAmount",
        serde_json::from_str::<StringAmount>(&quoted).map(StringAmount::get),
    ));
    // `FromStr` reads only plain notation; JSON reads every form: the readings agree.
    if text.contains(['e', 'E', '+']) {
        assert!(text.parse::<Amount>().is_err(), "{text}");
        let values: Vec<Option<[u8; 16]>> = readings
            .iter()
            .map(|(_, read)| read.as_ref().ok().map(|d| d.serialize()))
            .collect();
        assert!(
            values.windows(2).all(|w| w[0] == w[1]),
            "{text}: {readings:?}"
        );
        return;
    }
    let expected = text.parse::<Amount>().map(Amount::get);
    for (form, read) in readings {
        match (&expected, &read) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.serialize(), b.serialize(), "{form} {text}: {a} vs {b}");
            }
            (Err(a), Err(b)) => {
                let (a_text, b_text) = (a.to_string(), b.to_string());
                // The same message, but a number is shown unquoted, and serde_json adds the
                // position after it (when it knows one).
                let shown = if form != "number" {
                    a.input().to_owned()
                } else if text.chars().count() > 64 {
                    format!("{}…", text.chars().take(64).collect::<String>())
                } else {
                    text.to_owned()
                };
                let reason = &a_text[a_text.find(a.input()).unwrap() + a.input().len()..];
                assert!(
                    b_text.starts_with(&format!("invalid amount {shown}{reason}")),
                    "{form} {text}: {a} vs {b}"
                );
            }
            _ => panic!("{form} {text}: {expected:?} vs {read:?}"),
        }
    }
}

/// The reader's fast path (`-?digits[.digits]`, at most 28 digits, read without copying) and
/// its general parser meet at 28/29 digits; 10 000 generated texts around that limit and
/// elsewhere read alike through JSON and `FromStr`. (The crate's unit tests compare the reader
/// with the one before the fast path, error messages and paths included.)
#[test]
fn json_reading_agrees_with_from_str() {
    for text in [
        "0",
        "-0",
        "-0.00",
        "101.4",
        "0.02000000",
        "4.500000159168849e-06",
        "+7",
        "007.50",
        "9999999999999999999999999999",
        "99999999999999999999999999999",
        "79228162514264337593543950335",
        "79228162514264337593543950336",
        "0.0000000000000000000000000001",
        "0.00000000000000000000000000001",
        "1.0000000000000000000000000000",
        "1.00000000000000000000000000000",
        "0.106.75000000",
        "1.",
        ".5",
        "-",
        "",
    ] {
        json_agrees_with_from_str(text);
    }
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..10_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = 1 + (x % 34) as usize;
        let mut text: String = (0..len)
            .map(|i| char::from(b'0' + ((x >> (i % 60)) % 10) as u8))
            .collect();
        let point = ((x >> 40) % (len as u64 + 1)) as usize;
        if point > 0 && point < len {
            text.insert(point, '.');
        }
        if (x >> 50).is_multiple_of(3) {
            text.insert(0, '-');
        }
        json_agrees_with_from_str(&text);
    }
}

// ---------------------------------------------------------------------------------------------

/// Any decimal: a mantissa of up to 28 digits and a scale of 0 to 28, either sign.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    (0u32..=28, any::<bool>(), 0u32..=28).prop_flat_map(|(digits, negative, scale)| {
        let max = 10i128.pow(digits) - 1;
        (0..=max)
            .prop_map(move |m| Decimal::from_i128_with_scale(if negative { -m } else { m }, scale))
    })
}

/// A decimal with up to 15 significant digits and up to 22 decimal places.
fn short_decimal() -> impl Strategy<Value = Decimal> {
    (0u32..=15, any::<bool>(), 0u32..=22).prop_flat_map(|(digits, negative, scale)| {
        let max = 10i128.pow(digits) - 1;
        (0..=max)
            .prop_map(move |m| Decimal::from_i128_with_scale(if negative { -m } else { m }, scale))
    })
}

/// A finite double such as an encoder writes for an amount.
fn any_money_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e15..1e15f64,
        -1.0..1.0f64,
        (1e-10..1e-3f64),
        (0u64..10_000_000_000).prop_map(|cents| cents as f64 / 100.0),
    ]
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Field {
    amount: Amount,
    text: StringAmount,
}

proptest! {
    #[test]
    fn amount_round_trips_exactly(d in any_decimal()) {
        let a = Amount::new(d);
        let json = wire::to_string(&a).unwrap();
        prop_assert_eq!(&json, &d.to_string());
        let back: Amount = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.get(), d);
        prop_assert_eq!(back.get().scale(), d.scale());
        prop_assert_eq!(back.to_string(), d.to_string());
    }

    #[test]
    fn string_amount_round_trips_exactly(d in any_decimal()) {
        let a = StringAmount::new(d);
        let json = serde_json::to_string(&a).unwrap();
        prop_assert_eq!(&json, &format!("\"{d}\""));
        let back: StringAmount = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.to_string(), d.to_string());
        let parsed: StringAmount = d.to_string().parse().unwrap();
        prop_assert_eq!(parsed.to_string(), d.to_string());
    }

    #[test]
    fn round_trips_through_an_object_field(d in any_decimal(), e in any_decimal()) {
        let field = Field { amount: Amount::new(d), text: StringAmount::new(e) };
        let json = wire::to_vec(&field).unwrap();
        let back: Field = serde_json::from_slice(&json).unwrap();
        prop_assert_eq!(back.amount.to_string(), d.to_string());
        prop_assert_eq!(back.text.to_string(), e.to_string());
        // A string survives a `Value` whatever it holds.
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let text: StringAmount = serde_json::from_value(value["text"].clone()).unwrap();
        prop_assert_eq!(text.to_string(), e.to_string());
    }

    /// Through a `Value` or serde's untagged buffer a number is an f64 parsed by serde_json:
    /// exact (in value) for up to 15 significant digits and 22 decimal places.
    #[test]
    fn buffered_numbers_keep_their_value(d in short_decimal()) {
        let json = wire::to_string(&Amount::new(d)).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let via_value: Amount = serde_json::from_value(value).unwrap();
        prop_assert_eq!(via_value.get(), d);
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Buffered { A { v: Amount } }
        let Buffered::A { v } = serde_json::from_str(&format!("{{\"v\":{json}}}")).unwrap();
        prop_assert_eq!(v.get(), d);
    }

    #[test]
    fn f64_written_numbers_read_back_as_the_same_double(x in any_money_f64()) {
        // What serde_json (ryu) writes for a double, in exponent form or not.
        let json = serde_json::to_string(&x).unwrap();
        let a: Amount = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(a.to_string().parse::<f64>().unwrap(), x, "{} {}", json, a);
        // The fallback for plain f64 values (Rust's shortest text) reads back as the same
        // double too. (For 16-17 digit doubles it may pick a different last digit than ryu:
        // both are shortest, and a double has no single decimal.)
        let plain: serde::de::value::F64Deserializer<serde::de::value::Error> =
            serde::de::IntoDeserializer::into_deserializer(x);
        let plain = Amount::deserialize(plain).unwrap();
        prop_assert_eq!(plain.to_string().parse::<f64>().unwrap(), x, "{}", plain);
        if plain.get().mantissa().unsigned_abs() < 10u128.pow(15) {
            prop_assert_eq!(plain, a, "{}", json);
        }
        // A `Value` built from the double (no parsing) gives it too.
        let from_value: Amount = serde_json::from_value(serde_json::json!(x)).unwrap();
        prop_assert_eq!(from_value, a, "value {} {}", json, a);
    }

    #[test]
    fn json_reading_agrees_with_from_str_on_plain_text(
        s in "-?[0-9]{1,32}(\\.[0-9]{1,32})?"
    ) {
        json_agrees_with_from_str(&s);
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(s in "\\PC{0,40}") {
        let _ = s.parse::<Amount>();
        let _ = serde_json::from_str::<Amount>(&s);
        let _ = serde_json::from_str::<StringAmount>(&serde_json::to_string(&s).unwrap());
    }

    #[test]
    fn parsing_number_like_text_never_panics(s in "[-+]?[0-9]{0,40}(\\.[0-9]{0,40})?([eE][-+]?[0-9]{0,25})?") {
        if let Ok(a) = s.parse::<Amount>() {
            // Whatever parses reads back to itself.
            prop_assert_eq!(a.to_string().parse::<Amount>().unwrap(), a);
        }
    }
}
