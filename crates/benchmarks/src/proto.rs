//! A prototype of a faster reader for `invoice_primitives::Amount`, to size the gain before
//! changing invoice-primitives (which this crate must not edit).
//!
//! `Amount` reads a number's raw text through serde_json's raw-value protocol, then:
//! `next_key::<String>()` allocates the protocol's key, `next_value::<String>()` allocates a
//! copy of the text, and `parse_decimal` allocates twice more (`format!` of the digits, then
//! `to_owned` of the mantissa) before parsing an `i128` from text. The profile of the decode
//! benchmark shows the amount path at about 40% of all instructions.
//!
//! [`FastAmount`] speaks the same protocol without allocating: it matches the key as a borrowed
//! `&str`, takes the raw text as a borrowed `&str`, and parses `-?digits[.digits]` (at most 28
//! digits, the common case) straight into a `u128`. Anything else (exponents, `+`, escapes,
//! more digits, errors) goes to the original `Amount` reader on the same text, so the result
//! is the same decimal with the same scale. (Only an error's wording would differ here:
//! serde_json appends a position. In invoice-primitives the slow path would be the existing
//! private function, with unchanged messages.)

use std::fmt;

use invoice_primitives::Amount;
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FastAmount(pub Decimal);

impl<'de> Deserialize<'de> for FastAmount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            deserializer
                .deserialize_newtype_struct(RAW_VALUE_TOKEN, RawVisitor)
                .map(FastAmount)
        } else {
            Amount::deserialize(deserializer).map(|a| FastAmount(a.get()))
        }
    }
}

/// `-?[0-9]+(\.[0-9]+)?` with at most 28 digits in all, or the same inside quotes without
/// escapes; `None` for anything else.
pub fn fast_parse(raw: &str) -> Option<Decimal> {
    let mut text = raw.as_bytes();
    if let [b'"', inner @ .., b'"'] = text {
        text = inner;
    }
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    let mut mantissa: u128 = 0;
    let mut count = 0usize;
    let mut i = 0;
    while let Some(&b) = digits.get(i) {
        // A 29th digit already means the slow path; stopping keeps the u128 from overflowing.
        if !b.is_ascii_digit() || i > 28 {
            break;
        }
        mantissa = mantissa * 10 + u128::from(b - b'0');
        i += 1;
    }
    if i == 0 {
        return None;
    }
    count += i;
    let mut scale = 0u32;
    if digits.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&b) = digits.get(i) {
            if !b.is_ascii_digit() || count >= 28 {
                break;
            }
            mantissa = mantissa * 10 + u128::from(b - b'0');
            scale += 1;
            count += 1;
            i += 1;
        }
        if scale == 0 {
            return None;
        }
    }
    // Exponent, junk, or more than 28 digits (which could overflow 96 bits): the slow path.
    if i != digits.len() || count > 28 {
        return None;
    }
    let signed = if negative {
        -(mantissa as i128)
    } else {
        mantissa as i128
    };
    Decimal::try_from_i128_with_scale(signed, scale).ok()
}

fn slow<E: de::Error>(raw: &str) -> Result<Decimal, E> {
    serde_json::from_str::<Amount>(raw)
        .map(Amount::get)
        .map_err(E::custom)
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        let value = match map.next_key_seed(Key)? {
            Some(Token::Raw) => map.next_value_seed(Text { raw: true })?,
            Some(Token::Number) => map.next_value_seed(Text { raw: false })?,
            _ => return Err(de::Error::custom("expected serde_json's raw value")),
        };
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("expected serde_json's raw value"));
        }
        Ok(value)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        Amount::deserialize(d).map(Amount::get)
    }
}

enum Token {
    Raw,
    Number,
    Other,
}

/// The protocol's key, matched without allocating.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Token;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Token, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Key {
    type Value = Token;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("serde_json's raw value key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Token, E> {
        Ok(match v {
            RAW_VALUE_TOKEN => Token::Raw,
            NUMBER_TOKEN => Token::Number,
            _ => Token::Other,
        })
    }
}

/// The raw JSON text (or, for `Number`, the number's text), parsed without copying it.
struct Text {
    raw: bool,
}

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Decimal;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Text {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the raw text of a JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        if let Some(d) = fast_parse(v) {
            return Ok(d);
        }
        if self.raw {
            slow(v.trim())
        } else {
            v.parse::<Amount>().map(Amount::get).map_err(E::custom)
        }
    }
}

/// The generated `Invoice` with every `Amount` read by [`FastAmount`]; the other fields keep
/// the generated types, so only the amount reader differs.
#[allow(dead_code)]
#[derive(Deserialize)]
pub struct ProtoInvoice {
    pub address: String,
    pub amount: FastAmount,
    pub amount_in_crypto: Option<FastAmount>,
    pub amount_in_fiat: FastAmount,
    pub amount_paid: Option<FastAmount>,
    pub amount_paid_usd: Option<FastAmount>,
    pub amount_to_pay: Option<FastAmount>,
    pub amount_to_pay_usd: Option<FastAmount>,
    pub amount_usd: FastAmount,
    pub created: invoice_primitives::Timestamp,
    pub currency: cryptocloud::types::Currency,
    pub date_finished: Option<invoice_primitives::Timestamp>,
    pub expiry_date: invoice_primitives::Timestamp,
    pub fee: FastAmount,
    pub fee_usd: FastAmount,
    pub fiat_currency: Option<cryptocloud::types::FiatCurrency>,
    pub is_email_required: bool,
    pub link: Option<String>,
    pub order_id: Option<String>,
    pub pay_url: Option<invoice_primitives::MaybeText>,
    pub phone: Option<String>,
    pub project: cryptocloud::types::Project,
    pub received: FastAmount,
    pub received_usd: FastAmount,
    pub service_fee: FastAmount,
    pub service_fee_usd: FastAmount,
    pub side_commission: cryptocloud::types::CommissionSide,
    pub side_commission_cc: cryptocloud::types::CommissionSide,
    pub status: cryptocloud::types::InvoiceStatus,
    pub test_mode: bool,
    pub to_surcharge: FastAmount,
    pub to_surcharge_usd: FastAmount,
    pub tx_list: Option<Vec<serde_json::Value>>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub type_payments: Option<String>,
    pub user_email: Option<String>,
    pub uuid: cryptocloud::types::InvoiceUuid,
}

#[allow(dead_code)]
#[derive(Deserialize)]
pub struct ProtoListResponse {
    pub all_count: i64,
    pub result: Vec<ProtoInvoice>,
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prototype reads the same decimal, scale included, as `Amount`, or fails alike.
    #[test]
    fn agrees_with_amount() {
        let mut inputs: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.00",
            "100",
            "100.0",
            "101.4",
            "4.500000159168849e-06",
            "1E+3",
            "0.02000000",
            "007.50",
            "79228162514264337593543950335",
            "7922816251426433759354395033.5",
            "9999999999999999999999999999",
            "99999999999999999999999999999",
            "1.0000000000000000000000000001",
            "0.0000000000000000000000000001",
            "0.00000000000000000000000000001",
            "1.",
            ".5",
            "-",
            "1e",
            "\"106.75000000\"",
            "\"-3\"",
            "\"+7\"",
            "\"0.106.75000000\"",
            "\"\"",
            "\"1\\u0030\"",
            "true",
            "null",
            "\"NaN\"",
            "[1]",
            "123456789012345678901234567890",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = x % 10_000_000_000_000;
            let scale = (x >> 50) % 12;
            let sign = if x & 1 == 1 { "-" } else { "" };
            let text = Decimal::new(digits as i64, scale as u32).to_string();
            inputs.push(format!("{sign}{text}"));
            inputs.push(format!("\"{text}\""));
        }
        for input in &inputs {
            let original = serde_json::from_str::<Amount>(input).map(|a| a.get().to_string());
            let fast = serde_json::from_str::<FastAmount>(input).map(|a| a.0.to_string());
            match (&original, &fast) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{input}"),
                (Err(_), Err(_)) => {}
                _ => panic!("{input}: {original:?} vs {fast:?}"),
            }
        }
    }
}
