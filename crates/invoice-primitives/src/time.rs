//! The providers' date and time forms.
//!
//! - [`Timestamp`]: a UTC instant written `2023-01-01 12:00:00.000000` or `2023-01-02 12:00:00`
//!   (one provider writes both). It remembers how many fraction digits it was written with, so a value read
//!   from a response is written back byte for byte.
//! - [`UnixTime`]: whole seconds since the Unix epoch, a JSON integer (a string of digits is
//!   accepted too, since providers are not consistent).
//! - [`DayMonthYear`]: a calendar date written `31.01.2024`.
//!
//! None of them accepts a time zone offset: the providers document UTC, and guessing a zone for
//! a payment time would be worse than refusing. Parsing never panics; a bad value is an error
//! quoting it.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// The longest input quoted in an error message.
const MAX_SHOWN: usize = 64;

/// Which form a [`ParseTimeError`] was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Timestamp,
    UnixTime,
    DayMonthYear,
}

/// A date or time that could not be read: the offending text and the expected form.
///
/// Displays as, for example,
/// `invalid date-time "2023-13-01 12:00:00": expected YYYY-MM-DD HH:MM:SS[.ffffff] (UTC)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseTimeError {
    form: Form,
    shown: String,
}

impl ParseTimeError {
    fn new(form: Form, text: &str) -> Self {
        let mut shown = serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"));
        if let Some((cut, _)) = shown.char_indices().nth(MAX_SHOWN) {
            shown.truncate(cut);
            shown.push('…');
        }
        Self { form, shown }
    }

    fn unix(shown: String) -> Self {
        Self {
            form: Form::UnixTime,
            shown,
        }
    }

    /// The offending input as shown in the message (quoted if it was text, shortened if long).
    pub fn input(&self) -> &str {
        &self.shown
    }
}

impl fmt::Display for ParseTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = &self.shown;
        match self.form {
            Form::Timestamp => write!(
                f,
                "invalid date-time {shown}: expected YYYY-MM-DD HH:MM:SS[.ffffff] (UTC)"
            ),
            Form::UnixTime => write!(
                f,
                "invalid Unix time {shown}: expected whole seconds since 1970-01-01 UTC, \
                 within years -262143..=262142"
            ),
            Form::DayMonthYear => write!(
                f,
                "invalid date {shown}: expected DD.MM.YYYY, a real calendar date"
            ),
        }
    }
}

impl std::error::Error for ParseTimeError {}

/// Reads `N` ASCII digits at `at` as a number; `None` if any is not a digit or out of bounds.
fn digits(bytes: &[u8], at: usize, n: usize) -> Option<u32> {
    let field = bytes.get(at..at + n)?;
    field.iter().try_fold(0u32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

// ---------------------------------------------------------------------------------------------

/// A UTC instant in the providers' form `YYYY-MM-DD HH:MM:SS[.ffffff]`.
///
/// Reading also accepts `T` in place of the space and a trailing `Z`; writing always uses the
/// space, no `Z`, and the number of fraction digits the value was read with (0 to 9), so a
/// response field is written back exactly as it came. Equality, ordering and hashing are by
/// instant: `12:00:00` equals `12:00:00.000000`. Years are four digits (0000 to 9999); an
/// instant outside them (only possible through `From<DateTime<Utc>>`) would not read back.
///
/// ```
/// use invoice_primitives::Timestamp;
///
/// let t: Timestamp = serde_json::from_str(r#""2023-01-01 12:00:00.000000""#).unwrap();
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#""2023-01-01 12:00:00.000000""#);
/// assert_eq!(t, "2023-01-01T12:00:00Z".parse().unwrap());
/// ```
#[derive(Clone, Copy)]
pub struct Timestamp {
    instant: DateTime<Utc>,
    /// Fraction digits to write, 0..=9.
    fraction_digits: u8,
}

impl Timestamp {
    /// The instant.
    pub fn get(&self) -> DateTime<Utc> {
        self.instant
    }

    /// How many fraction-of-second digits the value is written with (0 to 9).
    pub fn fraction_digits(&self) -> u8 {
        self.fraction_digits
    }

    /// The same instant written with `digits` fraction digits; `None` if `digits` is over 9 or
    /// fewer digits would drop part of the instant.
    pub fn with_fraction_digits(self, digits: u8) -> Option<Self> {
        if digits > 9 {
            return None;
        }
        let nanos = self.instant.nanosecond() % 1_000_000_000;
        if !nanos.is_multiple_of(10u32.pow(9 - u32::from(digits))) {
            return None;
        }
        Some(Self {
            instant: self.instant,
            fraction_digits: digits,
        })
    }

    fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let b = b.strip_suffix(b"Z").unwrap_or(b);
        if b.len() < 19
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b' ' | b'T')
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let mut second = digits(b, 17, 2)?;
        let fraction = &b[19..];
        let (fraction_digits, mut nanos) = match fraction {
            [] => (0, 0),
            [b'.', rest @ ..] if (1..=9).contains(&rest.len()) => {
                let n = rest.len();
                let value = digits(rest, 0, n)?;
                (n as u8, value * 10u32.pow(9 - n as u32))
            }
            _ => return None,
        };
        if second == 60 {
            // A leap second, as chrono holds it: second 59 with nanoseconds past one second.
            second = 59;
            nanos += 1_000_000_000;
        }
        let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
        let naive = date.and_hms_nano_opt(hour, minute, second, nanos)?;
        Some(Self {
            instant: naive.and_utc(),
            fraction_digits,
        })
    }
}

impl From<DateTime<Utc>> for Timestamp {
    /// Written with 6 fraction digits (the providers' usual form), or 9 when the instant has
    /// sub-microsecond precision, so nothing is lost.
    fn from(instant: DateTime<Utc>) -> Self {
        let fraction_digits = if instant.nanosecond().is_multiple_of(1_000) {
            6
        } else {
            9
        };
        Self {
            instant,
            fraction_digits,
        }
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(value: Timestamp) -> Self {
        value.instant
    }
}

impl FromStr for Timestamp {
    type Err = ParseTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| ParseTimeError::new(Form::Timestamp, s))
    }
}

impl TryFrom<&str> for Timestamp {
    type Error = ParseTimeError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for Timestamp {
    type Error = ParseTimeError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl fmt::Display for Timestamp {
    /// The wire form, `YYYY-MM-DD HH:MM:SS` plus the remembered fraction digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t: NaiveDateTime = self.instant.naive_utc();
        let (mut second, mut nanos) = (t.second(), t.nanosecond());
        if nanos >= 1_000_000_000 {
            second += 1;
            nanos -= 1_000_000_000;
        }
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            second
        )?;
        if self.fraction_digits > 0 {
            let n = u32::from(self.fraction_digits.min(9));
            let shown = nanos / 10u32.pow(9 - n);
            write!(f, ".{shown:0width$}", width = n as usize)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.instant == other.instant
    }
}

impl Eq for Timestamp {}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.instant.hash(state);
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant.cmp(&other.instant)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(FromStrVisitor::<Self>::new(
            "a UTC date-time string YYYY-MM-DD HH:MM:SS[.ffffff]",
        ))
    }
}

/// Reads a string through `FromStr`, the error message coming from the type.
struct FromStrVisitor<T> {
    expecting: &'static str,
    marker: std::marker::PhantomData<T>,
}

impl<T> FromStrVisitor<T> {
    fn new(expecting: &'static str) -> Self {
        Self {
            expecting,
            marker: std::marker::PhantomData,
        }
    }
}

impl<T: FromStr<Err = ParseTimeError>> Visitor<'_> for FromStrVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
}

// ---------------------------------------------------------------------------------------------

/// An instant in whole seconds since the Unix epoch, written as a JSON integer.
///
/// Reads an integer or a string of digits (`1704067200` or `"1704067200"`, optionally with a
/// leading `-`); writes an integer. A fraction of a second is not representable: converting from
/// a [`DateTime`] drops it, and a JSON number with a fraction is an error.
///
/// ```
/// use invoice_primitives::UnixTime;
///
/// let t: UnixTime = serde_json::from_str(r#""1704067200""#).unwrap();
/// assert_eq!(t.get().to_rfc3339(), "2024-01-01T00:00:00+00:00");
/// assert_eq!(serde_json::to_string(&t).unwrap(), "1704067200");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnixTime(DateTime<Utc>);

impl UnixTime {
    /// The instant `seconds` after 1970-01-01 00:00:00 UTC; `None` outside chrono's range.
    pub fn from_seconds(seconds: i64) -> Option<Self> {
        DateTime::from_timestamp(seconds, 0).map(Self)
    }

    /// Seconds since 1970-01-01 00:00:00 UTC.
    pub fn seconds(&self) -> i64 {
        self.0.timestamp()
    }

    /// The instant.
    pub fn get(&self) -> DateTime<Utc> {
        self.0
    }
}

impl From<DateTime<Utc>> for UnixTime {
    /// Drops any fraction of a second (rounding toward the past), which the wire cannot carry.
    fn from(instant: DateTime<Utc>) -> Self {
        // Setting the nanoseconds of a valid instant to 0 always succeeds; chrono just
        // returns an `Option` for other fields.
        Self(instant.with_nanosecond(0).unwrap_or(instant))
    }
}

impl From<UnixTime> for DateTime<Utc> {
    fn from(value: UnixTime) -> Self {
        value.0
    }
}

impl fmt::Display for UnixTime {
    /// The wire form: the number of seconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.seconds())
    }
}

impl fmt::Debug for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnixTime({} = {})", self.seconds(), self.0.to_rfc3339())
    }
}

impl FromStr for UnixTime {
    type Err = ParseTimeError;

    /// Parses `[-]digits`; nothing else (no sign `+`, spaces, fraction or exponent).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unsigned = s.strip_prefix('-').unwrap_or(s);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseTimeError::new(Form::UnixTime, s));
        }
        s.parse::<i64>()
            .ok()
            .and_then(Self::from_seconds)
            .ok_or_else(|| ParseTimeError::new(Form::UnixTime, s))
    }
}

impl Serialize for UnixTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.seconds())
    }
}

impl<'de> Deserialize<'de> for UnixTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_any(UnixTimeVisitor)
        } else {
            deserializer.deserialize_i64(UnixTimeVisitor)
        }
    }
}

struct UnixTimeVisitor;

impl Visitor<'_> for UnixTimeVisitor {
    type Value = UnixTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Unix time in whole seconds (an integer, or a string of digits)")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<UnixTime, E> {
        UnixTime::from_seconds(v).ok_or_else(|| E::custom(ParseTimeError::unix(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<UnixTime, E> {
        i64::try_from(v)
            .ok()
            .and_then(UnixTime::from_seconds)
            .ok_or_else(|| E::custom(ParseTimeError::unix(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<UnixTime, E> {
        Err(E::invalid_type(Unexpected::Float(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<UnixTime, E> {
        v.parse().map_err(E::custom)
    }
}

// ---------------------------------------------------------------------------------------------

/// A calendar date written `DD.MM.YYYY` (`31.01.2024`).
///
/// Reading is strict: two-digit day and month, four-digit year, and a date that exists
/// (`29.02.2023` is an error). Writing uses the same form; a date outside years 0..=9999 (only
/// possible through [`DayMonthYear::new`]) is written as chrono prints its year and would not
/// read back.
///
/// ```
/// use invoice_primitives::DayMonthYear;
///
/// let d: DayMonthYear = serde_json::from_str(r#""31.01.2024""#).unwrap();
/// assert_eq!(d.get(), chrono::NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
/// assert!("1.1.2024".parse::<DayMonthYear>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DayMonthYear(NaiveDate);

impl DayMonthYear {
    /// Wraps a date.
    pub const fn new(date: NaiveDate) -> Self {
        Self(date)
    }

    /// The date.
    pub const fn get(&self) -> NaiveDate {
        self.0
    }
}

impl From<NaiveDate> for DayMonthYear {
    fn from(date: NaiveDate) -> Self {
        Self(date)
    }
}

impl From<DayMonthYear> for NaiveDate {
    fn from(value: DayMonthYear) -> Self {
        value.0
    }
}

impl FromStr for DayMonthYear {
    type Err = ParseTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        let parsed = (b.len() == 10 && b[2] == b'.' && b[5] == b'.')
            .then(|| {
                let day = digits(b, 0, 2)?;
                let month = digits(b, 3, 2)?;
                let year = digits(b, 6, 4)?;
                NaiveDate::from_ymd_opt(year as i32, month, day)
            })
            .flatten();
        parsed
            .map(Self)
            .ok_or_else(|| ParseTimeError::new(Form::DayMonthYear, s))
    }
}

impl TryFrom<&str> for DayMonthYear {
    type Error = ParseTimeError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl TryFrom<String> for DayMonthYear {
    type Error = ParseTimeError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl DayMonthYear {
    /// The wire form, `DD.MM.YYYY`, written without the formatting machinery (it is on every
    /// request that carries a date); `None` for a year outside 0..=9999, which takes
    /// `Display`'s general path.
    fn wire(&self) -> Option<[u8; 10]> {
        let d = self.0;
        let year = u16::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
        let digit = |n: u16| b'0' + (n % 10) as u8;
        let (day, month) = (d.day() as u16, d.month() as u16);
        Some([
            digit(day / 10),
            digit(day),
            b'.',
            digit(month / 10),
            digit(month),
            b'.',
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
        ])
    }
}

impl fmt::Display for DayMonthYear {
    /// The wire form, `DD.MM.YYYY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.wire() {
            Some(wire) => f.write_str(std::str::from_utf8(&wire).expect("ASCII digits")),
            None => {
                let d = self.0;
                write!(f, "{:02}.{:02}.{:04}", d.day(), d.month(), d.year())
            }
        }
    }
}

impl fmt::Debug for DayMonthYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DayMonthYear({self})")
    }
}

impl Serialize for DayMonthYear {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.wire() {
            Some(wire) => serializer.serialize_str(std::str::from_utf8(&wire).expect("ASCII")),
            None => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for DayMonthYear {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(FromStrVisitor::<Self>::new("a date string DD.MM.YYYY"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_forms() {
        for text in [
            "2023-01-01 12:00:00.000000",
            "2023-01-02 12:00:00",
            "2023-01-02 12:00:00.5",
            "2023-01-02 12:00:00.123456789",
            "0000-01-01 00:00:00",
            "9999-12-31 23:59:59.999999",
        ] {
            let t: Timestamp = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
            assert_eq!(format!("{t:?}"), format!("Timestamp({text})"));
        }
        let lenient: Timestamp = "2023-01-02T12:00:00.250Z".parse().unwrap();
        assert_eq!(lenient.to_string(), "2023-01-02 12:00:00.250");
        assert_eq!(lenient.fraction_digits(), 3);
    }

    #[test]
    fn timestamp_equality_is_by_instant() {
        let a: Timestamp = "2023-01-02 12:00:00".parse().unwrap();
        let b: Timestamp = "2023-01-02 12:00:00.000000".parse().unwrap();
        assert_eq!(a, b);
        assert!(a < "2023-01-02 12:00:00.000001".parse().unwrap());
        assert_eq!(
            b.with_fraction_digits(0).unwrap().to_string(),
            a.to_string()
        );
        let c: Timestamp = "2023-01-02 12:00:00.5".parse().unwrap();
        assert_eq!(c.with_fraction_digits(0), None);
        assert_eq!(c.with_fraction_digits(10), None);
    }

    #[test]
    fn timestamp_from_datetime() {
        let dt = DateTime::from_timestamp(1_672_574_400, 0).unwrap();
        assert_eq!(
            Timestamp::from(dt).to_string(),
            "2023-01-01 12:00:00.000000"
        );
        let fine = DateTime::from_timestamp(1_672_574_400, 123_456_789).unwrap();
        let t = Timestamp::from(fine);
        assert_eq!(t.to_string(), "2023-01-01 12:00:00.123456789");
        assert_eq!(t.to_string().parse::<Timestamp>().unwrap().get(), fine);
    }

    #[test]
    fn timestamp_leap_second_round_trips() {
        let t: Timestamp = "2016-12-31 23:59:60.5".parse().unwrap();
        assert_eq!(t.to_string(), "2016-12-31 23:59:60.5");
    }

    #[test]
    fn timestamp_rejects() {
        for bad in [
            "",
            "2023-13-01 12:00:00",
            "2023-02-30 12:00:00",
            "2023-01-01 24:00:00",
            "2023-01-01 12:60:00",
            "2023-01-01 12:00:61",
            "2023-01-01",
            "2023-01-01 12:00",
            "2023-01-01 12:00:00.",
            "2023-01-01 12:00:00.1234567890",
            "2023-01-01 12:00:00+00:00",
            "2023-01-01 12:00:00z",
            "2023-01-01 12:00:00ZZ",
            "2023-1-01 12:00:00",
            "+2023-01-01 12:00:0",
            "2023-01-01_12:00:00",
            "２023-01-01 12:00:00",
            "2023-01-01 12:00:00.ab",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad:?}");
        }
        let err = "2023-13-01 12:00:00".parse::<Timestamp>().unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid date-time "2023-13-01 12:00:00": expected YYYY-MM-DD HH:MM:SS[.ffffff] (UTC)"#
        );
    }

    #[test]
    fn unix_time() {
        let t = UnixTime::from_seconds(1_704_067_200).unwrap();
        assert_eq!(t.seconds(), 1_704_067_200);
        assert_eq!(t.to_string(), "1704067200");
        assert_eq!("1704067200".parse::<UnixTime>().unwrap(), t);
        assert_eq!("-1".parse::<UnixTime>().unwrap().seconds(), -1);
        for bad in [
            "",
            "-",
            "+1",
            "1.5",
            "1e3",
            " 1",
            "abc",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<UnixTime>().is_err(), "{bad:?}");
        }
        assert!(UnixTime::from_seconds(i64::MAX).is_none());
        let fine = DateTime::from_timestamp(10, 999_999_999).unwrap();
        assert_eq!(UnixTime::from(fine).seconds(), 10);
        let before_epoch = DateTime::from_timestamp(-10, 500_000_000).unwrap();
        assert_eq!(UnixTime::from(before_epoch).seconds(), -10);
        assert_eq!(
            format!("{t:?}"),
            "UnixTime(1704067200 = 2024-01-01T00:00:00+00:00)"
        );
    }

    #[test]
    fn day_month_year_wire_form_matches_the_general_format() {
        let mut date = NaiveDate::from_ymd_opt(-3, 12, 25).unwrap();
        let end = NaiveDate::from_ymd_opt(10_002, 1, 2).unwrap();
        while date <= end {
            let d = DayMonthYear(date);
            let general = format!("{:02}.{:02}.{:04}", date.day(), date.month(), date.year());
            assert_eq!(d.to_string(), general);
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{general}\""));
            date = date
                + chrono::Days::new(if (1..9999).contains(&date.year()) {
                    97
                } else {
                    1
                });
        }
    }

    #[test]
    fn day_month_year() {
        let d: DayMonthYear = "31.01.2024".parse().unwrap();
        assert_eq!(d.get(), NaiveDate::from_ymd_opt(2024, 1, 31).unwrap());
        assert_eq!(d.to_string(), "31.01.2024");
        assert_eq!(format!("{d:?}"), "DayMonthYear(31.01.2024)");
        assert_eq!(
            DayMonthYear::try_from("29.02.2024").unwrap().to_string(),
            "29.02.2024"
        );
        assert_eq!(
            DayMonthYear::try_from(String::from("01.01.0001"))
                .unwrap()
                .to_string(),
            "01.01.0001"
        );
        for bad in [
            "",
            "1.1.2024",
            "01.1.2024",
            "31.02.2024",
            "29.02.2023",
            "00.01.2024",
            "01.13.2024",
            "2024-01-31",
            "31/01/2024",
            "31.01.24",
            "31.01.20245",
            " 31.01.2024",
            "+1.01.2024",
            "３1.01.2024",
        ] {
            assert!(bad.parse::<DayMonthYear>().is_err(), "{bad:?}");
        }
        assert_eq!(
            "31.02.2024"
                .parse::<DayMonthYear>()
                .unwrap_err()
                .to_string(),
            r#"invalid date "31.02.2024": expected DD.MM.YYYY, a real calendar date"#
        );
        assert!(d < "01.02.2024".parse().unwrap());
    }
}
