//! Exact money: [`Amount`] (a JSON number on the provider's wire) and [`StringAmount`] (a JSON
//! string there).
//!
//! Both hold a [`Decimal`], never an `f64`, and both read either form from the wire: a JSON
//! number (`101.4`, `100`, `4.500000159168849e-06`) or a string holding a decimal (`"100.5"`,
//! `"0.02000000"`), because the providers are not consistent about which one they send. A value
//! that is not a decimal (`"0.106.75000000"`, `""`, `true`, `null`, `"NaN"`) is an error naming
//! the value, never zero and never a panic.
//!
//! # Reading: exact, through serde_json's raw-value protocol
//!
//! serde_json (without its `arbitrary_precision` feature) turns a JSON number into an `f64`
//! before any `Deserialize` impl sees it. To read the digits the provider wrote, these types ask
//! for the value's raw JSON text the way `serde_json::value::RawValue` does (a newtype struct
//! named `$serde_json::private::RawValue`). serde_json's deserializers (`from_str`, `from_slice`,
//! `from_reader`, and `from_value` on a `Value`) answer with the text, which is parsed here
//! digit by digit; `4.500000159168849e-06` becomes exactly `0.000004500000159168849`.
//!
//! The text is read where serde_json holds it, without copying (from `from_str` and
//! `from_slice` it is borrowed from the input). The common form, `-?digits[.digits]` with at
//! most 28 digits (a JSON number, or such a string without escapes), is accumulated straight
//! into the decimal's mantissa; every other form (exponents, a `+` sign, more digits, escaped
//! strings, anything malformed) goes through the general parser, so both give the same value,
//! scale and error messages.
//!
//! Other deserializers (serde's buffer for `#[serde(untagged)]` and `#[serde(flatten)]`, form
//! and query decoders) do not know the protocol and hand over a plain value instead. Strings and
//! integers are still exact. An `f64` is converted through its shortest round-trip text, which
//! gives back the digits of a number written with at most 15 significant digits, provided the
//! format parsed it into the nearest double: serde_json's default float parser does so for up
//! to 22 decimal places (beyond that it may be one unit in the last place off unless its
//! `float_roundtrip` feature is on). A number with more digits than a double holds was rounded
//! by the format before this code saw it; nothing can recover it. `$serde_json::private::Number`
//! (serde_json with `arbitrary_precision`) is read exactly.
//!
//! A decimal holds at most 28 decimal places and a magnitude below 2^96 (about 7.9 × 10^28).
//! A value that does not fit is an error, not silently rounded; trailing zeros beyond 28
//! places are dropped since that does not change the value (`1.` followed by 30 zeros is `1`
//! with 28 zeros).
//!
//! # Writing
//!
//! [`StringAmount`] always writes a string of its exact text, scale kept (`"0.02000000"`).
//!
//! [`Amount`] writes the same string (`"49.90"`) through every serde path: `serde_json`'s
//! `to_string`, `to_value` and `json!`, a `Value` inside a struct, YAML, query strings, forms,
//! MessagePack, CBOR, bincode, postcard. Each keeps every digit and the scale, and reads back
//! exactly. A JSON number could not promise that: serde has no exact number, and a number in a
//! `serde_json::Value` is an `f64` (`49.90` comes back as `49.9`, and 17 significant digits are
//! rounded).
//!
//! Where a provider documents a JSON number, the [`wire`](crate::wire) writers write one, with
//! the decimal's exact digits and scale (`100.0` stays `100.0`, `0.000004500000159168849` is
//! written out plainly, never in exponent form): the generated clients send request bodies
//! through them, and the sandbox, the webhook signers, the mocks and the command-line clients
//! write through them what a provider would write.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor};
use serde::ser::{Error as _, Serialize, Serializer};

/// serde_json's private name for "give me the raw JSON text" (see `serde_json::value::RawValue`).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";
/// serde_json's private name for a number kept as text (feature `arbitrary_precision`).
const NUMBER_TOKEN: &str = "$serde_json::private::Number";
/// The longest input quoted in an error message; a huge bad body must not flood a log.
const MAX_SHOWN: usize = 64;
/// The largest mantissa a decimal holds: 2^96 - 1.
const MAX_MANTISSA: i128 = 79_228_162_514_264_337_593_543_950_335;

/// A money amount the provider writes as a JSON number, held exactly as a [`Decimal`].
///
/// Reads a JSON number or a string holding a decimal. Writes its exact text as a string
/// (`"49.90"`) through every serde path, and as a JSON number with the same digits through the
/// [`wire`](crate::wire) writers, as the clients send it (see the [module docs](self)).
///
/// ```
/// use invoice_primitives::{wire, Amount};
///
/// let a: Amount = serde_json::from_str("4.500000159168849e-06").unwrap();
/// assert_eq!(a.to_string(), "0.000004500000159168849");
/// let b: Amount = serde_json::from_str("49.90").unwrap();
/// assert_eq!(wire::to_string(&b).unwrap(), "49.90");
/// assert_eq!(serde_json::to_value(b).unwrap(), serde_json::json!("49.90"));
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(Decimal);

/// A money amount written on the wire as a JSON string (`"0.02000000"`), held exactly as a
/// [`Decimal`] and written back with the same scale.
///
/// Reads a string holding a decimal or a JSON number (see the [module docs](self)).
///
/// ```
/// use invoice_primitives::StringAmount;
///
/// let a: StringAmount = serde_json::from_str(r#""0.02000000""#).unwrap();
/// assert_eq!(serde_json::to_string(&a).unwrap(), r#""0.02000000""#);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StringAmount(Decimal);

/// Shared API of the two amount types; only their serialization differs.
macro_rules! amount_common {
    ($ty:ident) => {
        impl $ty {
            /// Wraps a decimal.
            pub const fn new(value: Decimal) -> Self {
                Self(value)
            }

            /// The decimal value, with the scale it was written with.
            pub const fn get(self) -> Decimal {
                self.0
            }
        }

        impl From<Decimal> for $ty {
            fn from(value: Decimal) -> Self {
                Self(value)
            }
        }

        impl From<$ty> for Decimal {
            fn from(value: $ty) -> Self {
                value.0
            }
        }

        impl FromStr for $ty {
            type Err = ParseAmountError;

            /// Parses plain decimal notation exactly: `101.4`, `-3`, `0.000004500000159168849`.
            /// Text a program writes is refused in any other form, so that what is sent is
            /// what was written: no exponent (`1e3`), no `+`, whitespace, separators, `NaN`
            /// or infinities. (What a provider sends is read in every JSON form.)
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_plain_text(s)
                    .map(Self)
                    .map_err(|reason| ParseAmountError::new(quote(s), reason))
            }
        }

        /// Exact text, so builders take `.amount("100.5")`. There is deliberately no
        /// conversion from `f64`: a float literal may not be the amount it looks like.
        impl TryFrom<&str> for $ty {
            type Error = ParseAmountError;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl TryFrom<String> for $ty {
            type Error = ParseAmountError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<i64> for $ty {
            fn from(value: i64) -> Self {
                Self(Decimal::from(value))
            }
        }

        impl From<u32> for $ty {
            fn from(value: u32) -> Self {
                Self(Decimal::from(value))
            }
        }

        impl fmt::Display for $ty {
            /// Plain decimal text with the value's scale (`100.0`, `0.000004500000159168849`),
            /// never exponent form.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($ty), "({})"), self.0)
            }
        }

        impl<'de> de::Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserialize_decimal(deserializer).map(Self)
            }
        }
    };
}

amount_common!(Amount);
amount_common!(StringAmount);

impl From<Amount> for StringAmount {
    fn from(value: Amount) -> Self {
        Self(value.0)
    }
}

impl From<StringAmount> for Amount {
    fn from(value: StringAmount) -> Self {
        Self(value.0)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !crate::wire::numbers() {
            // The exact text, which every format and `serde_json::Value` keep as it is.
            return serializer.collect_str(&self.0);
        }
        // Inside `wire`'s serde_json writers: a JSON number with exactly these digits.
        // Decimal's Display is always a valid JSON number (plain digits, optional sign and
        // point), so this cannot fail; the error path is kept instead of a panic anyway.
        let raw = serde_json::value::RawValue::from_string(self.0.to_string())
            .map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl Serialize for StringAmount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// An amount that could not be read: the offending text and what is wrong with it.
///
/// Displays as, for example, `invalid amount "0.106.75000000": expected a decimal number`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseAmountError {
    /// The input as it is shown (JSON-quoted if it was a string, shortened if long).
    shown: String,
    reason: Reason,
}

/// What is wrong with an amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    Syntax,
    NotPlain,
    NotFinite,
    TooManyPlaces,
    TooManyDigits,
    TooLarge,
}

impl ParseAmountError {
    fn new(shown: String, reason: Reason) -> Self {
        Self { shown, reason }
    }

    /// The offending input as shown in the message (quoted if it was text, shortened if long).
    pub fn input(&self) -> &str {
        &self.shown
    }
}

impl fmt::Display for ParseAmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = match self.reason {
            Reason::Syntax => "expected a decimal number",
            Reason::NotPlain => {
                "expected plain decimal notation such as 1000 or 0.5, without an exponent or `+`"
            }
            Reason::NotFinite => "expected a finite number",
            Reason::TooManyPlaces => {
                "more than 28 decimal places, which a decimal cannot hold exactly"
            }
            Reason::TooManyDigits => {
                "more significant digits (about 28) than a decimal can hold exactly"
            }
            Reason::TooLarge => "too large: the largest amount is 79228162514264337593543950335",
        };
        write!(f, "invalid amount {}: {}", self.shown, reason)
    }
}

impl std::error::Error for ParseAmountError {}

/// Quotes text for an error message as a JSON string, shortened to [`MAX_SHOWN`] characters.
fn quote(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"));
    shorten(quoted)
}

/// Cuts a long text for an error message, on a character boundary.
fn shorten(mut s: String) -> String {
    if let Some((cut, _)) = s.char_indices().nth(MAX_SHOWN) {
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// Parses text a program wrote: `-?digits[.digits]` only, exactly (see `FromStr`).
fn parse_plain_text(s: &str) -> Result<Decimal, Reason> {
    if s.bytes().any(|b| matches!(b, b'e' | b'E' | b'+')) {
        return Err(Reason::NotPlain);
    }
    parse_decimal(s)
}

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]` exactly into a decimal.
///
/// Hand-written rather than `Decimal::from_str`, which rounds digits it cannot hold and
/// accepts forms such as `1_000`; money must fail loudly instead.
fn parse_decimal(s: &str) -> Result<Decimal, Reason> {
    match parse_plain(s.as_bytes()) {
        Some(value) => Ok(value),
        None => parse_exact(s),
    }
}

/// The fast path of [`parse_decimal`]: `-?digits[.digits]` with at most 28 digits in all
/// (leading zeros included), or `None` for any other text, which [`parse_exact`] then reads.
///
/// 28 digits are below 10^28, inside a decimal's 96-bit mantissa, and the scale (the number of
/// digits after the point) is at most 28, so every such text is representable; the value and
/// scale are what [`parse_exact`] gives for it (a negative zero is a zero, as there).
fn parse_plain(text: &[u8]) -> Option<Decimal> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    // 28 digits and a point; this also keeps the u128 below from overflowing.
    if digits.len() > 29 {
        return None;
    }
    let mut mantissa: u128 = 0;
    let mut count: u32 = 0;
    let mut point: Option<u32> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u128::from(b - b'0');
                count += 1;
            }
            b'.' if point.is_none() && count > 0 => point = Some(count),
            _ => return None,
        }
    }
    let scale = match point {
        Some(at) if at == count => return None, // `5.`
        Some(at) => count - at,
        None if count == 0 => return None, // `` or `-`
        None => 0,
    };
    if count > 28 {
        return None;
    }
    let magnitude = mantissa as i128; // below 10^28
    let signed = if negative { -magnitude } else { magnitude };
    Decimal::try_from_i128_with_scale(signed, scale).ok()
}

/// The general exact parser behind [`parse_decimal`], for every form it accepts.
fn parse_exact(s: &str) -> Result<Decimal, Reason> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let digits_from = |start: usize| {
        start
            + bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
    };

    let int_end = digits_from(i);
    if int_end == i {
        return Err(Reason::Syntax);
    }
    let int_digits = &s[i..int_end];
    i = int_end;

    let mut frac_digits = "";
    if bytes.get(i) == Some(&b'.') {
        let frac_end = digits_from(i + 1);
        if frac_end == i + 1 {
            return Err(Reason::Syntax);
        }
        frac_digits = &s[i + 1..frac_end];
        i = frac_end;
    }

    let mut exponent: i64 = 0;
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let exp_end = digits_from(i);
        if exp_end == i {
            return Err(Reason::Syntax);
        }
        for b in &bytes[i..exp_end] {
            // Capped: past a few hundred any non-zero value is out of range anyway.
            exponent = (exponent * 10 + i64::from(b - b'0')).min(1_000_000);
        }
        if exp_negative {
            exponent = -exponent;
        }
        i = exp_end;
    }
    if i != bytes.len() {
        return Err(Reason::Syntax);
    }

    // value = digits × 10^-scale, with digits = int_digits ++ frac_digits.
    let mut scale = frac_digits.len() as i64 - exponent;
    let all_digits = format!("{int_digits}{frac_digits}");
    let mut significant = all_digits.trim_start_matches('0');

    if significant.is_empty() {
        // Zero: keep its scale where a decimal can (`0.00` stays `0.00`).
        return Ok(Decimal::new(0, scale.clamp(0, 28) as u32));
    }
    // Dropping trailing zeros changes the scale but not the value; do it only when needed.
    while scale > 28 && significant.ends_with('0') {
        significant = &significant[..significant.len() - 1];
        scale -= 1;
    }
    if scale > 28 {
        return Err(Reason::TooManyPlaces);
    }
    let mut mantissa = significant.to_owned();
    if scale < 0 {
        if significant.len() as i64 - scale > 29 {
            return Err(Reason::TooLarge);
        }
        mantissa.extend(std::iter::repeat_n('0', (-scale) as usize));
        scale = 0;
    }
    loop {
        // 96 bits are at most 29 digits; a longer text would also overflow u128 at 39.
        let parsed = if mantissa.len() <= 29 {
            mantissa.parse::<i128>().ok()
        } else {
            None
        };
        if let Some(m) = parsed {
            let signed = if negative { -m } else { m };
            if let Ok(d) = Decimal::try_from_i128_with_scale(signed, scale as u32) {
                return Ok(d);
            }
        }
        if scale > 0 && mantissa.ends_with('0') {
            mantissa.pop();
            scale -= 1;
            continue;
        }
        // Name the real problem: the whole part alone too big, or too many digits in all.
        let int_len = mantissa.len().saturating_sub(scale as usize);
        let int_fits = int_len == 0
            || (int_len <= 29
                && mantissa[..int_len]
                    .parse::<i128>()
                    .is_ok_and(|m| m <= MAX_MANTISSA));
        return Err(if int_fits {
            Reason::TooManyDigits
        } else {
            Reason::TooLarge
        });
    }
}

/// Reads a decimal from whatever the deserializer offers (see the module docs).
fn deserialize_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    if deserializer.is_human_readable() {
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, DecimalVisitor)
    } else {
        // Compact formats got the exact text from `Serialize` (see the module docs).
        deserializer.deserialize_str(DecimalVisitor)
    }
}

/// Turns a parse failure into a deserializer error naming the input.
fn invalid<E: de::Error>(shown: String, reason: Reason) -> E {
    E::custom(ParseAmountError::new(shown, reason))
}

/// Why the protocol's text is not an amount. The value seed ([`Protocol`]) returns it rather
/// than failing, and `visit_map` raises it, as when the text was first read into a `String`:
/// path-tracking wrappers (`serde_path_to_error`, used to locate decoding errors) then name
/// the field that holds the amount, not the protocol's private key.
enum TextError {
    Amount(ParseAmountError),
    /// A JSON string with escapes that serde_json could not read back (not expected from
    /// serde_json's own raw text).
    Json(serde_json::Error),
}

impl TextError {
    fn raise<E: de::Error>(self) -> E {
        match self {
            Self::Amount(e) => E::custom(e),
            Self::Json(e) => E::custom(e),
        }
    }
}

/// Parses the raw JSON text of a value: a number, or a string holding a decimal.
fn parse_raw_json(raw: &str) -> Result<Decimal, TextError> {
    // The common forms first, on the text as serde_json hands it over: a plain number, or one
    // in quotes (a sign, digits and a point need no unescaping, nor trimming).
    let plain = match raw.as_bytes() {
        [b'"', inner @ .., b'"'] => inner,
        bytes => bytes,
    };
    if let Some(value) = parse_plain(plain) {
        return Ok(value);
    }
    let raw = raw.trim();
    let unescaped: String;
    let text = match raw.strip_prefix('"') {
        None => raw,
        Some(quoted) => match quoted.strip_suffix('"') {
            // Nothing to unescape: the text between the quotes is the string.
            Some(inner) if !inner.bytes().any(|b| b == b'\\' || b == b'"' || b < 0x20) => inner,
            _ => {
                unescaped = serde_json::from_str(raw).map_err(TextError::Json)?;
                &unescaped
            }
        },
    };
    parse_decimal(text)
        .map_err(|reason| TextError::Amount(ParseAmountError::new(shorten(raw.to_owned()), reason)))
}

/// Which text serde_json's one-entry map holds, from its key; read without allocating.
#[derive(Clone, Copy)]
enum Protocol {
    /// `$serde_json::private::RawValue`: the value's raw JSON text.
    RawValue,
    /// `$serde_json::private::Number`: a number's text (feature `arbitrary_precision`).
    Number,
}

/// Reads the map's key: `Some` protocol for the two tokens, `None` for any other key.
struct ProtocolKey;

impl<'de> DeserializeSeed<'de> for ProtocolKey {
    type Value = Option<Protocol>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        // What `String` asks for; the visitor takes the text borrowed.
        d.deserialize_string(self)
    }
}

impl Visitor<'_> for ProtocolKey {
    type Value = Option<Protocol>;

    /// As `String`'s, so that a key of another type fails with the same message.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match v {
            RAW_VALUE_TOKEN => Some(Protocol::RawValue),
            NUMBER_TOKEN => Some(Protocol::Number),
            _ => None,
        })
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(v), &self)),
        }
    }
}

/// Reads the map's value, the text, and parses it in place (serde_json lends it with
/// `visit_borrowed_str`, or hands over a `String` from a reader).
impl<'de> DeserializeSeed<'de> for Protocol {
    type Value = Result<Decimal, TextError>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_string(self)
    }
}

impl Visitor<'_> for Protocol {
    type Value = Result<Decimal, TextError>;

    /// As `String`'s, so that a value of another type fails with the same message.
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match self {
            Self::RawValue => parse_raw_json(v),
            Self::Number => parse_decimal(v).map_err(|reason| {
                TextError::Amount(ParseAmountError::new(shorten(v.to_owned()), reason))
            }),
        })
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(v), &self)),
        }
    }
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount (a number, or a string holding a decimal number)")
    }

    /// serde_json's answer to the raw-value request: one entry, key the token, value the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        let Some(protocol) = map.next_key_seed(ProtocolKey)?.flatten() else {
            return Err(de::Error::invalid_type(Unexpected::Map, &self));
        };
        let value = map.next_value_seed(protocol)?.map_err(TextError::raise)?;
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_type(Unexpected::Map, &self));
        }
        Ok(value)
    }

    /// Any deserializer that does not speak serde_json's protocol: take the plain value.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).map_err(|reason| invalid(quote(v), reason))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Decimal, E> {
        match std::str::from_utf8(v) {
            Ok(s) => self.visit_str(s),
            Err(_) => Err(E::invalid_value(Unexpected::Bytes(v), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Decimal, E> {
        Decimal::try_from_i128_with_scale(v, 0)
            .map_err(|_| invalid(v.to_string(), Reason::TooLarge))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Decimal, E> {
        match i128::try_from(v) {
            Ok(v) => self.visit_i128(v),
            Err(_) => Err(invalid(v.to_string(), Reason::TooLarge)),
        }
    }

    /// Rust's `{}` for floats is the shortest text that reads back as the same double, in
    /// plain (not exponent) form: the digits an encoder wrote, for up to 15 of them.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        if !v.is_finite() {
            return Err(invalid(v.to_string(), Reason::NotFinite));
        }
        let text = v.to_string();
        parse_decimal(&text).map_err(|reason| invalid(shorten(text), reason))
    }

    fn visit_f32<E: de::Error>(self, v: f32) -> Result<Decimal, E> {
        if !v.is_finite() {
            return Err(invalid(v.to_string(), Reason::NotFinite));
        }
        let text = v.to_string();
        parse_decimal(&text).map_err(|reason| invalid(shorten(text), reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn parses_plain_integer_and_scientific_text_exactly() {
        assert_eq!(dec("101.4").to_string(), "101.4");
        assert_eq!(dec("100").to_string(), "100");
        assert_eq!(dec("100.0").to_string(), "100.0");
        assert_eq!(dec("0.02000000").to_string(), "0.02000000");
        assert_eq!(
            dec("4.500000159168849e-06").to_string(),
            "0.000004500000159168849"
        );
        assert_eq!(dec("1.5E+3").to_string(), "1500");
        assert_eq!(dec("-0.5").to_string(), "-0.5");
        assert_eq!(dec("+7").to_string(), "7");
        assert_eq!(dec("0e-50").to_string(), "0.0000000000000000000000000000");
        assert_eq!(dec("0e999999999999999999999").to_string(), "0");
        assert_eq!(dec("007.50").to_string(), "7.50");
    }

    #[test]
    fn extreme_but_representable_values() {
        let max = "79228162514264337593543950335";
        assert_eq!(dec(max), Decimal::MAX);
        assert_eq!(dec(&format!("-{max}")), Decimal::MIN);
        assert_eq!(dec(&format!("{max}.000")), Decimal::MAX);
        assert_eq!(
            dec("0.0000000000000000000000000001").to_string(),
            "0.0000000000000000000000000001"
        );
        // Trailing zeros past 28 places are dropped: same value.
        assert_eq!(dec(&format!("1.{}", "0".repeat(40))), Decimal::ONE);
        assert_eq!(dec("7.9e28"), dec("79000000000000000000000000000"));
    }

    #[test]
    fn rejects_what_cannot_be_held_exactly() {
        assert_eq!(
            parse_decimal("79228162514264337593543950336"),
            Err(Reason::TooLarge)
        );
        assert_eq!(parse_decimal("1e29"), Err(Reason::TooLarge));
        assert_eq!(parse_decimal("1e999999999999999999"), Err(Reason::TooLarge));
        assert_eq!(parse_decimal("1e-29"), Err(Reason::TooManyPlaces));
        assert_eq!(
            parse_decimal("1e-999999999999999999"),
            Err(Reason::TooManyPlaces)
        );
        assert_eq!(
            parse_decimal("99999999999.999999999999999999"),
            Err(Reason::TooManyDigits)
        );
        assert_eq!(parse_decimal(&"9".repeat(60)), Err(Reason::TooLarge));
        assert_eq!(
            parse_decimal("123456789012345678901234567890.5"),
            Err(Reason::TooLarge)
        );
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "-",
            "+",
            ".5",
            "5.",
            "0.106.75000000",
            "abc",
            "NaN",
            "inf",
            "-Infinity",
            " 1",
            "1 ",
            "1_000",
            "1,5",
            "1e",
            "1e+",
            "0x10",
            "--1",
            "١٢",
        ] {
            assert_eq!(parse_decimal(bad), Err(Reason::Syntax), "{bad:?}");
        }
    }

    #[test]
    fn error_messages_name_the_input() {
        let err = "0.106.75000000".parse::<Amount>().unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid amount "0.106.75000000": expected a decimal number"#
        );
        assert_eq!(err.input(), r#""0.106.75000000""#);
        let long = "x".repeat(500);
        let msg = long.parse::<StringAmount>().unwrap_err().to_string();
        assert!(msg.len() < 120, "{msg}");
        assert!(msg.contains('…'));
    }

    #[test]
    fn debug_and_display() {
        let a: Amount = "101.4".parse().unwrap();
        assert_eq!(format!("{a:?}"), "Amount(101.4)");
        assert_eq!(a.to_string(), "101.4");
        let s: StringAmount = "0.02000000".parse().unwrap();
        assert_eq!(format!("{s:?}"), "StringAmount(0.02000000)");
        assert_eq!(Amount::default().get(), Decimal::ZERO);
        assert_eq!(Amount::from(s).get(), s.get());
        assert_eq!(StringAmount::from(a), StringAmount::new(a.get()));
    }

    /// The reader as it was before the fast path, kept to check the new one against: the key
    /// and the text read into `String`s, quoted text unescaped by serde_json, and the general
    /// parser alone.
    struct Before(Decimal);

    impl<'de> de::Deserialize<'de> for Before {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer
                .deserialize_newtype_struct(RAW_VALUE_TOKEN, BeforeVisitor)
                .map(Before)
        }
    }

    struct BeforeVisitor;

    impl<'de> Visitor<'de> for BeforeVisitor {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal amount (a number, or a string holding a decimal number)")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
            let Some(key) = map.next_key::<String>()? else {
                return Err(de::Error::invalid_type(Unexpected::Map, &self));
            };
            let value = match key.as_str() {
                RAW_VALUE_TOKEN => {
                    let raw = map.next_value::<String>()?;
                    let raw = raw.trim();
                    let text = if raw.starts_with('"') {
                        serde_json::from_str::<String>(raw).map_err(de::Error::custom)?
                    } else {
                        raw.to_owned()
                    };
                    parse_exact(&text).map_err(|reason| invalid(shorten(raw.to_owned()), reason))?
                }
                NUMBER_TOKEN => {
                    let text = map.next_value::<String>()?;
                    parse_exact(&text).map_err(|reason| invalid(shorten(text), reason))?
                }
                _ => return Err(de::Error::invalid_type(Unexpected::Map, &self)),
            };
            if map.next_key::<IgnoredAny>()?.is_some() {
                return Err(de::Error::invalid_type(Unexpected::Map, &self));
            }
            Ok(value)
        }
    }

    /// A decimal exactly (sign, mantissa and scale), or an error's message.
    type Outcome = Result<[u8; 16], String>;

    fn outcome<T, E: fmt::Display>(r: Result<T, E>, get: impl Fn(T) -> Decimal) -> Outcome {
        r.map(|v| get(v).serialize()).map_err(|e| e.to_string())
    }

    #[derive(serde::Deserialize)]
    struct NewField {
        #[allow(dead_code)]
        a: Amount,
    }

    #[derive(serde::Deserialize)]
    struct BeforeField {
        #[allow(dead_code)]
        a: Before,
    }

    /// The current reader gives what the one before gave, for `json` (any text) through every
    /// serde_json entry point, through serde's map deserializer speaking the number protocol,
    /// and through `serde_path_to_error` (same path); and `parse_decimal` agrees with
    /// `parse_exact` on the text itself.
    fn agrees_with_the_exact_path(json: &str) {
        assert_eq!(
            parse_decimal(json).map(|d| d.serialize()),
            parse_exact(json).map(|d| d.serialize()),
            "parse_decimal({json:?})"
        );
        let before = outcome(serde_json::from_str::<Before>(json), |b| b.0);
        assert_eq!(
            outcome(serde_json::from_str::<Amount>(json), Amount::get),
            before,
            "{json}"
        );
        assert_eq!(
            outcome(
                serde_json::from_str::<StringAmount>(json),
                StringAmount::get
            ),
            before,
            "{json}"
        );
        assert_eq!(
            outcome(
                serde_json::from_slice::<Amount>(json.as_bytes()),
                Amount::get
            ),
            outcome(serde_json::from_slice::<Before>(json.as_bytes()), |b| b.0),
            "slice {json}"
        );
        assert_eq!(
            outcome(
                serde_json::from_reader::<_, Amount>(json.as_bytes()),
                Amount::get
            ),
            outcome(serde_json::from_reader::<_, Before>(json.as_bytes()), |b| b
                .0),
            "reader {json}"
        );
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
            assert_eq!(
                outcome(serde_json::from_value::<Amount>(value.clone()), Amount::get),
                outcome(serde_json::from_value::<Before>(value), |b| b.0),
                "value {json}"
            );
        }
        let map = |text: &str| {
            de::value::MapDeserializer::<_, de::value::Error>::new(
                [(NUMBER_TOKEN, text.to_owned())].into_iter(),
            )
        };
        assert_eq!(
            outcome(
                <Amount as de::Deserialize>::deserialize(map(json)),
                Amount::get
            ),
            outcome(<Before as de::Deserialize>::deserialize(map(json)), |b| b.0),
            "number protocol {json}"
        );
        let field = format!(r#"{{"a": {json}}}"#);
        let located = |r: Result<(), serde_path_to_error::Error<serde_json::Error>>| {
            r.map_err(|e| format!("{} at {}", e.inner(), e.path()))
        };
        assert_eq!(
            located(
                serde_path_to_error::deserialize::<_, NewField>(
                    &mut serde_json::Deserializer::from_str(&field)
                )
                .map(drop)
            ),
            located(
                serde_path_to_error::deserialize::<_, BeforeField>(
                    &mut serde_json::Deserializer::from_str(&field)
                )
                .map(drop)
            ),
            "path {json}"
        );
    }

    /// Each text as it is and as a JSON string.
    fn agrees_as_number_and_string(text: &str) {
        agrees_with_the_exact_path(text);
        agrees_with_the_exact_path(&serde_json::to_string(text).unwrap());
    }

    #[test]
    fn fast_path_agrees_on_chosen_inputs() {
        let max = "79228162514264337593543950335";
        let mut inputs: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.00",
            "00",
            "100",
            "100.0",
            "101.4",
            "-2.50",
            "007.50",
            "0.02000000",
            "4.500000159168849e-06",
            "1E+3",
            "1e5",
            "-1.5e+2",
            "+7",
            "+0.5",
            "7922816251426433759354395033.5",
            "9999999999999999999999999999",
            "-9999999999999999999999999999",
            "999999999999999999999999999.9",
            "0.999999999999999999999999999",
            "99999999999999999999999999999",
            "9999999999999999999999999999.9",
            "0000000000000000000000000000.5",
            "1.0000000000000000000000000001",
            "0.0000000000000000000000000001",
            "0.00000000000000000000000000001",
            "123456789012345678901234567890",
            "1.2345678901234567890123456789",
            "1.",
            ".5",
            "-.5",
            "-",
            "+",
            "",
            "1e",
            "1..2",
            "1.2.3",
            "0.106.75000000",
            "--1",
            "-+1",
            "1-",
            " 1",
            "1 ",
            "1_000",
            "1,5",
            "0x10",
            "NaN",
            "-Infinity",
            "١٢",
            r"1\u0030",
            r"1\n",
            "\"",
            "true",
            "null",
            "[1]",
            "{}",
            r#"{"$serde_json::private::RawValue": "1"}"#,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for digits in 26..=31 {
            let all = "9".repeat(digits);
            for point in [0, 1, digits / 2, digits - 1] {
                let (int, frac) = all.split_at(digits - point);
                inputs.push(if point == 0 {
                    int.to_owned()
                } else {
                    format!("{int}.{frac}")
                });
            }
        }
        inputs.push(max.to_owned());
        inputs.push(format!("-{max}"));
        inputs.push(format!("{max}.000"));
        inputs.push(format!("1.{}", "0".repeat(40)));
        inputs.push("9".repeat(60));
        inputs.push(format!("\"{}\"", "9".repeat(10_000)));
        for input in &inputs {
            agrees_as_number_and_string(input);
            // Raw JSON, quotes included, as some inputs above are.
            agrees_with_the_exact_path(&format!("\"{input}\""));
        }
    }

    /// 10 000 generated inputs: 5 000 texts of 1 to 32 digits with a point anywhere or none,
    /// either sign, sometimes an exponent or leading zeros, each as a number and as a string.
    #[test]
    fn fast_path_agrees_on_generated_inputs() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..5000 {
            let r = next();
            let len = 1 + (r % 32) as usize;
            let mut digits: Vec<u8> = (0..len).map(|_| b'0' + (next() % 10) as u8).collect();
            if (r >> 8) % 4 != 0 && len > 1 {
                // Mostly no leading zero, as JSON numbers are written.
                digits[0] = b'1' + (next() % 9) as u8;
            }
            let mut text = String::from_utf8(digits).unwrap();
            let point = ((r >> 16) % (len as u64 + 1)) as usize;
            if point > 0 && point < len {
                text.insert(point, '.');
            }
            if (r >> 24) % 3 == 0 {
                text.insert(0, '-');
            } else if (r >> 24) % 29 == 1 {
                text.insert(0, '+');
            }
            if (r >> 32) % 8 == 0 {
                text.push_str(&format!("e{}", (next() % 61) as i64 - 30));
            }
            agrees_as_number_and_string(&text);
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_agrees_on_number_like_text(
            s in "[-+]?[0-9]{0,32}(\\.[0-9]{0,32})?([eE][-+]?[0-9]{1,3})?"
        ) {
            agrees_as_number_and_string(&s);
        }

        #[test]
        fn fast_path_agrees_on_any_text(s in "\\PC{0,40}") {
            agrees_as_number_and_string(&s);
        }
    }

    #[test]
    fn equality_and_order_are_by_value() {
        let a: Amount = "1.0".parse().unwrap();
        let b: Amount = "1.00".parse().unwrap();
        assert_eq!(a, b);
        assert!(a < "1.01".parse().unwrap());
    }
}
