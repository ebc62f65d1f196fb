//! The providers' own JSON: every [`Amount`](crate::Amount) written as a JSON number with its
//! exact digits, as the providers document it.
//!
//! Outside these functions an `Amount` serializes as a string of its exact text (`"49.90"`),
//! the one form every serde path keeps digit for digit: `serde_json::to_string`, `to_value`,
//! `json!`, a `Value` inside a struct, YAML and the binary formats. A JSON number cannot have
//! that guarantee, because serde's data model has no exact number: serde_json writes one only
//! through its `RawValue`, and `to_value` turns that into an `f64`. So the number form is asked
//! for where it is needed (the request bodies the clients send, and whatever imitates a
//! provider: the sandbox, the signers, the mocks, the command-line output), here, and only with
//! serde_json's writers, which write a `RawValue` verbatim (`RawValue`'s documented behaviour).
//!
//! The request is made explicitly, with a scope around one serialization, rather than by
//! guessing which serializer is at work from its type name, which no API promises anything
//! about.

use std::cell::Cell;
use std::io::Write;

use serde::Serialize;

thread_local! {
    /// Whether an `Amount` serialized on this thread now is written as a JSON number.
    static NUMBERS: Cell<bool> = const { Cell::new(false) };
}

/// Whether an `Amount` being serialized is inside one of this module's writers.
pub(crate) fn numbers() -> bool {
    NUMBERS.with(Cell::get)
}

/// Runs `write` with amounts written as JSON numbers, restoring the previous mode afterwards,
/// also when `write` panics. Serialization is synchronous, so the thread is the scope.
fn with_numbers<R>(write: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            NUMBERS.with(|n| n.set(self.0));
        }
    }
    let _restore = Restore(NUMBERS.with(|n| n.replace(true)));
    write()
}

/// `serde_json::to_vec` in the providers' form: amounts as exact JSON numbers.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    with_numbers(|| serde_json::to_vec(value))
}

/// `serde_json::to_string` in the providers' form: amounts as exact JSON numbers.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    with_numbers(|| serde_json::to_string(value))
}

/// `serde_json::to_string_pretty` in the providers' form: amounts as exact JSON numbers.
pub fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    with_numbers(|| serde_json::to_string_pretty(value))
}

/// `serde_json::to_writer` in the providers' form: amounts as exact JSON numbers.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(writer: W, value: &T) -> serde_json::Result<()> {
    with_numbers(|| serde_json::to_writer(writer, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Amount;

    #[test]
    fn numbers_only_inside_the_writers() {
        let amount: Amount = "49.90".parse().unwrap();
        assert_eq!(to_string(&amount).unwrap(), "49.90");
        assert_eq!(serde_json::to_string(&amount).unwrap(), r#""49.90""#);
        assert!(!numbers());
    }

    #[test]
    fn a_panic_inside_restores_the_mode() {
        struct Panics;
        impl Serialize for Panics {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                panic!("inside a writer")
            }
        }
        assert!(std::panic::catch_unwind(|| to_vec(&Panics)).is_err());
        assert!(!numbers());
    }

    #[test]
    fn nested_writers_keep_the_outer_mode() {
        struct Nested(Amount);
        impl Serialize for Nested {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let inner = to_string(&self.0).map_err(serde::ser::Error::custom)?;
                (inner, self.0).serialize(s)
            }
        }
        let amount: Amount = "1.50".parse().unwrap();
        assert_eq!(to_string(&Nested(amount)).unwrap(), r#"["1.50",1.50]"#);
        assert!(!numbers());
    }
}
