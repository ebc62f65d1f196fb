//! Arguments with documented limits, checked before a request is sent.
//!
//! The providers document limits such as "`expiry`: 15 to 40", "`pause`: at least 10" or
//! "`uuids`: 1 to 100 items" and answer a request outside them with an error (or, worse,
//! clamp it). [`BoundedInt`] and [`BoundedVec`] carry the limits in the type, so an
//! out-of-range value is refused when it is built, with a message giving the limits.
//!
//! The messages do not name the field: the generated builders already prefix conversion errors
//! with it (`error converting supplied value for expiry: 41 is out of range: must be from 15 to
//! 40`). Values read from a response are checked too, since a value outside the documented
//! range means the documentation (and so this client) is wrong, which should be loud.

use std::fmt;
use std::ops::Deref;

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An integer known to lie in `MIN..=MAX`, written as a JSON integer.
///
/// Use `i64::MAX` as `MAX` for "at least `MIN`", and `i64::MIN` as `MIN` for "at most `MAX`".
///
/// ```
/// use invoice_primitives::BoundedInt;
///
/// type Expiry = BoundedInt<15, 40>;
/// assert_eq!(Expiry::new(30).unwrap().get(), 30);
/// assert_eq!(
///     Expiry::try_from(41_i64).unwrap_err().to_string(),
///     "41 is out of range: must be from 15 to 40"
/// );
/// assert!(serde_json::from_str::<Expiry>("10").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoundedInt<const MIN: i64, const MAX: i64>(i64);

impl<const MIN: i64, const MAX: i64> BoundedInt<MIN, MAX> {
    /// Rejects `MIN > MAX` when the type is used (a compile-time error, not a runtime one).
    const LIMITS_OK: () = assert!(MIN <= MAX, "BoundedInt needs MIN <= MAX");

    /// The smallest allowed value.
    pub const MIN: i64 = MIN;
    /// The largest allowed value.
    pub const MAX: i64 = MAX;

    /// The value, if it lies in `MIN..=MAX`.
    pub const fn new(value: i64) -> Result<Self, OutOfRange> {
        #[allow(clippy::let_unit_value)]
        let () = Self::LIMITS_OK;
        if value < MIN || value > MAX {
            return Err(OutOfRange::new(value as i128, MIN, MAX));
        }
        Ok(Self(value))
    }

    /// The value.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Checks a value of any integer type without wrapping it first.
    fn checked(value: i128) -> Result<Self, OutOfRange> {
        match i64::try_from(value) {
            Ok(v) => Self::new(v),
            Err(_) => Err(OutOfRange::new(value, MIN, MAX)),
        }
    }
}

/// `TryFrom` for each integer type a caller is likely to hold (a literal is an `i32`).
macro_rules! bounded_int_try_from {
    ($($t:ty),*) => {$(
        impl<const MIN: i64, const MAX: i64> TryFrom<$t> for BoundedInt<MIN, MAX> {
            type Error = OutOfRange;

            fn try_from(value: $t) -> Result<Self, OutOfRange> {
                Self::checked(value as i128)
            }
        }
    )*};
}

bounded_int_try_from!(i8, i16, i32, i64, u8, u16, u32, u64, isize, usize);

impl<const MIN: i64, const MAX: i64> From<BoundedInt<MIN, MAX>> for i64 {
    fn from(value: BoundedInt<MIN, MAX>) -> Self {
        value.0
    }
}

impl<const MIN: i64, const MAX: i64> fmt::Display for BoundedInt<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl<const MIN: i64, const MAX: i64> fmt::Debug for BoundedInt<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BoundedInt({})", self.0)
    }
}

impl<const MIN: i64, const MAX: i64> Serialize for BoundedInt<MIN, MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for BoundedInt<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_i64(BoundedIntVisitor::<MIN, MAX>)
    }
}

struct BoundedIntVisitor<const MIN: i64, const MAX: i64>;

impl<const MIN: i64, const MAX: i64> Visitor<'_> for BoundedIntVisitor<MIN, MAX> {
    type Value = BoundedInt<MIN, MAX>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer ({})", Limits(MIN as i128, MAX as i128))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        BoundedInt::new(v).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        BoundedInt::checked(v as i128).map_err(E::custom)
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        BoundedInt::checked(v).map_err(E::custom)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        match i128::try_from(v) {
            Ok(v) => BoundedInt::checked(v).map_err(E::custom),
            Err(_) => Err(E::invalid_value(
                Unexpected::Other("a 128-bit integer"),
                &self,
            )),
        }
    }
}

/// "must be from A to B" / "must be at least A" / "must be at most B".
struct Limits(i128, i128);

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Limits(min, max) = *self;
        let (open_below, open_above) = (min == i64::MIN as i128, max == i64::MAX as i128);
        match (open_below, open_above) {
            (true, true) => f.write_str("must fit in a signed 64-bit integer"),
            (false, true) => write!(f, "must be at least {min}"),
            (true, false) => write!(f, "must be at most {max}"),
            (false, false) => write!(f, "must be from {min} to {max}"),
        }
    }
}

/// A [`BoundedInt`] value outside its limits.
///
/// Displays as `41 is out of range: must be from 15 to 40`, `5 is out of range: must be at
/// least 10`, or `…: must be at most N`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutOfRange {
    value: i128,
    min: i64,
    max: i64,
}

impl OutOfRange {
    const fn new(value: i128, min: i64, max: i64) -> Self {
        Self { value, min, max }
    }

    /// The rejected value (`i128`, so a `u64` beyond `i64::MAX` is shown as it was).
    pub fn value(&self) -> i128 {
        self.value
    }

    /// The smallest allowed value.
    pub fn min(&self) -> i64 {
        self.min
    }

    /// The largest allowed value.
    pub fn max(&self) -> i64 {
        self.max
    }
}

impl fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is out of range: {}",
            self.value,
            Limits(self.min.into(), self.max.into())
        )
    }
}

impl std::error::Error for OutOfRange {}

// ---------------------------------------------------------------------------------------------

/// A list known to hold `MIN..=MAX` items, written as a JSON array.
///
/// Use `usize::MAX` as `MAX` for "at least `MIN` items".
///
/// ```
/// use invoice_primitives::BoundedVec;
///
/// type Uuids = BoundedVec<String, 1, 100>;
/// assert!(Uuids::new(vec!["INV-1".into()]).is_ok());
/// assert_eq!(
///     Uuids::new(vec![]).unwrap_err().to_string(),
///     "0 items: must be from 1 to 100"
/// );
/// assert!(serde_json::from_str::<Uuids>("[]").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BoundedVec<T, const MIN: usize, const MAX: usize>(Vec<T>);

impl<T, const MIN: usize, const MAX: usize> BoundedVec<T, MIN, MAX> {
    /// Rejects `MIN > MAX` when the type is used (a compile-time error, not a runtime one).
    const LIMITS_OK: () = assert!(MIN <= MAX, "BoundedVec needs MIN <= MAX");

    /// The fewest items allowed.
    pub const MIN: usize = MIN;
    /// The most items allowed.
    pub const MAX: usize = MAX;

    /// The list, if it holds `MIN..=MAX` items.
    pub fn new(items: Vec<T>) -> Result<Self, LengthOutOfRange> {
        #[allow(clippy::let_unit_value)]
        let () = Self::LIMITS_OK;
        Self::check_len(items.len())?;
        Ok(Self(items))
    }

    fn check_len(len: usize) -> Result<(), LengthOutOfRange> {
        if (MIN..=MAX).contains(&len) {
            Ok(())
        } else {
            Err(LengthOutOfRange {
                len,
                min: MIN,
                max: MAX,
            })
        }
    }

    /// The items.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The items, unwrapped.
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (only possible when `MIN` is 0).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Iterates over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }
}

impl<T, const MIN: usize, const MAX: usize> TryFrom<Vec<T>> for BoundedVec<T, MIN, MAX> {
    type Error = LengthOutOfRange;

    fn try_from(items: Vec<T>) -> Result<Self, LengthOutOfRange> {
        Self::new(items)
    }
}

impl<T: Clone, const MIN: usize, const MAX: usize> TryFrom<&[T]> for BoundedVec<T, MIN, MAX> {
    type Error = LengthOutOfRange;

    fn try_from(items: &[T]) -> Result<Self, LengthOutOfRange> {
        Self::check_len(items.len())?;
        Ok(Self(items.to_vec()))
    }
}

impl<T, const N: usize, const MIN: usize, const MAX: usize> TryFrom<[T; N]>
    for BoundedVec<T, MIN, MAX>
{
    type Error = LengthOutOfRange;

    fn try_from(items: [T; N]) -> Result<Self, LengthOutOfRange> {
        Self::new(items.into())
    }
}

impl<T, const MIN: usize, const MAX: usize> From<BoundedVec<T, MIN, MAX>> for Vec<T> {
    fn from(value: BoundedVec<T, MIN, MAX>) -> Self {
        value.0
    }
}

impl<T, const MIN: usize, const MAX: usize> Deref for BoundedVec<T, MIN, MAX> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T, const MIN: usize, const MAX: usize> AsRef<[T]> for BoundedVec<T, MIN, MAX> {
    fn as_ref(&self) -> &[T] {
        &self.0
    }
}

impl<T, const MIN: usize, const MAX: usize> IntoIterator for BoundedVec<T, MIN, MAX> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T, const MIN: usize, const MAX: usize> IntoIterator for &'a BoundedVec<T, MIN, MAX> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: fmt::Debug, const MIN: usize, const MAX: usize> fmt::Debug for BoundedVec<T, MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BoundedVec").field(&self.0).finish()
    }
}

impl<T: Serialize, const MIN: usize, const MAX: usize> Serialize for BoundedVec<T, MIN, MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>, const MIN: usize, const MAX: usize> Deserialize<'de>
    for BoundedVec<T, MIN, MAX>
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let items = Vec::<T>::deserialize(deserializer)?;
        Self::new(items).map_err(de::Error::custom)
    }
}

/// A [`BoundedVec`] with too few or too many items.
///
/// Displays as `101 items: must be from 1 to 100`, `0 items: must be at least 1`, or
/// `…: must be at most N`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LengthOutOfRange {
    len: usize,
    min: usize,
    max: usize,
}

impl LengthOutOfRange {
    /// How many items there were.
    pub fn items(&self) -> usize {
        self.len
    }

    /// The fewest items allowed.
    pub fn min(&self) -> usize {
        self.min
    }

    /// The most items allowed.
    pub fn max(&self) -> usize {
        self.max
    }
}

impl fmt::Display for LengthOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.len == 1 { "item" } else { "items" };
        write!(f, "{} {noun}: ", self.len)?;
        match (self.min, self.max) {
            (min, usize::MAX) => write!(f, "must be at least {min}"),
            (0, max) => write!(f, "must be at most {max}"),
            (min, max) => write!(f, "must be from {min} to {max}"),
        }
    }
}

impl std::error::Error for LengthOutOfRange {}

#[cfg(test)]
mod tests {
    use super::*;

    type Expiry = BoundedInt<15, 40>;
    type Pause = BoundedInt<10, { i64::MAX }>;
    type AtMost = BoundedInt<{ i64::MIN }, 5>;
    type Uuids = BoundedVec<String, 1, 100>;

    #[test]
    fn int_limits_and_messages() {
        assert_eq!(Expiry::new(15).unwrap().get(), 15);
        assert_eq!(Expiry::new(40).unwrap().get(), 40);
        assert_eq!(
            Expiry::new(41).unwrap_err().to_string(),
            "41 is out of range: must be from 15 to 40"
        );
        assert_eq!(
            Pause::new(5).unwrap_err().to_string(),
            "5 is out of range: must be at least 10"
        );
        assert_eq!(
            AtMost::new(6).unwrap_err().to_string(),
            "6 is out of range: must be at most 5"
        );
        assert_eq!(
            Pause::try_from(u64::MAX).unwrap_err().to_string(),
            "18446744073709551615 is out of range: must be at least 10"
        );
        assert_eq!(Expiry::try_from(30_i32).unwrap(), Expiry::new(30).unwrap());
        assert_eq!(Expiry::try_from(30_usize).unwrap().get(), 30);
        assert_eq!(i64::from(Expiry::new(20).unwrap()), 20);
        assert_eq!(format!("{:?}", Expiry::new(30).unwrap()), "BoundedInt(30)");
        assert_eq!(Expiry::new(30).unwrap().to_string(), "30");
        assert_eq!((Expiry::MIN, Expiry::MAX), (15, 40));
    }

    /// The generated builders take `T: TryInto<Field>` with `T::Error: Display`; a plain
    /// literal must still infer (it falls back to `i32`).
    #[test]
    fn literals_work_with_builder_style_generics() {
        fn set<T>(value: T) -> Result<Expiry, String>
        where
            T: TryInto<Expiry>,
            T::Error: fmt::Display,
        {
            value.try_into().map_err(|e| e.to_string())
        }
        assert_eq!(set(30).unwrap().get(), 30);
        assert_eq!(
            set(41).unwrap_err(),
            "41 is out of range: must be from 15 to 40"
        );
        assert_eq!(set(Expiry::new(20).unwrap()).unwrap().get(), 20);
    }

    #[test]
    fn int_serde() {
        let e: Expiry = serde_json::from_str("30").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "30");
        let err = serde_json::from_str::<Expiry>("41")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("41 is out of range: must be from 15 to 40"),
            "{err}"
        );
        let err = serde_json::from_str::<Pause>("18446744073709551615")
            .unwrap_err()
            .to_string();
        assert!(err.contains("must be at least 10"), "{err}");
        for bad in ["30.0", "30.5", r#""30""#, "null", "true"] {
            let err = serde_json::from_str::<Expiry>(bad).unwrap_err().to_string();
            assert!(
                err.contains("expected an integer (must be from 15 to 40)"),
                "{err}"
            );
        }
        let err = serde_json::from_str::<BoundedInt<0, 20>>(r#"{"a": -1}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid type: map"), "{err}");
    }

    #[test]
    fn vec_limits_and_messages() {
        let one = Uuids::new(vec!["a".into()]).unwrap();
        assert_eq!((one.len(), one.is_empty()), (1, false));
        assert_eq!(one.as_slice(), ["a".to_owned()]);
        assert_eq!(&one[0], "a");
        assert_eq!(one.iter().count(), 1);
        assert_eq!((&one).into_iter().count(), 1);
        assert_eq!(format!("{one:?}"), r#"BoundedVec(["a"])"#);
        assert_eq!(one.clone().into_inner(), vec!["a".to_owned()]);
        assert_eq!(Vec::from(one), vec!["a".to_owned()]);
        let many = vec!["x".to_owned(); 101];
        assert_eq!(
            Uuids::try_from(many).unwrap_err().to_string(),
            "101 items: must be from 1 to 100"
        );
        assert_eq!(
            BoundedVec::<u8, 1, { usize::MAX }>::try_from([])
                .unwrap_err()
                .to_string(),
            "0 items: must be at least 1"
        );
        assert_eq!(
            BoundedVec::<u8, 0, 0>::try_from(&[1u8][..])
                .unwrap_err()
                .to_string(),
            "1 item: must be at most 0"
        );
        assert!(BoundedVec::<u8, 0, 2>::new(vec![]).unwrap().is_empty());
    }

    #[test]
    fn vec_serde() {
        let v: Uuids = serde_json::from_str(r#"["a","b"]"#).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"["a","b"]"#);
        let err = serde_json::from_str::<Uuids>("[]").unwrap_err().to_string();
        assert!(err.contains("0 items: must be from 1 to 100"), "{err}");
        let big = serde_json::to_string(&vec!["x"; 101]).unwrap();
        let err = serde_json::from_str::<Uuids>(&big).unwrap_err().to_string();
        assert!(err.contains("101 items: must be from 1 to 100"), "{err}");
        assert!(serde_json::from_str::<Uuids>(r#""a""#).is_err());
    }
}
