//! [`text_or_integer!`](crate::text_or_integer!): a value a provider sends either as a string
//! or as an integer (`"12345"` or `12345`), kept in the form it came in.
//!
//! An OpenAPI `oneOf: [{type: string}, {type: integer, format: int64}]` would otherwise become a
//! serde `untagged` enum, which copies every value into an intermediate buffer and, for each
//! value that is not its first variant, builds and drops a formatted error before trying the
//! next. This reads the value once, straight into the matching variant.

/// Declares an enum of a value written either as a string or as an integer.
///
/// The enum has two variants, `String(String)` and `Int64(i64)`, and derives
/// `Clone, Debug, PartialEq, Eq, Hash`. Attributes and doc comments on the enum are kept. It
/// also provides:
///
/// - `Display`: the string, or the integer in decimal;
/// - `From<i64>`, `From<String>` and `From<&str>`;
/// - serde `Serialize` in the form held (a string stays a string), and `Deserialize` from a
///   JSON string or an integer that fits an `i64`; anything else is an error naming the enum.
///
/// The expansion refers to this crate only through `$crate`, so it works in any crate that
/// depends on `invoice_primitives`, without importing serde.
///
/// ```
/// invoice_primitives::text_or_integer! {
///     /// The customer's reference.
///     pub enum Reference;
/// }
///
/// let text: Reference = serde_json::from_str(r#""12345""#).unwrap();
/// assert_eq!(text, Reference::String("12345".into()));
/// let number: Reference = serde_json::from_str("12345").unwrap();
/// assert_eq!(number, Reference::Int64(12345));
/// assert_eq!(serde_json::to_string(&text).unwrap(), r#""12345""#);
/// assert_eq!(serde_json::to_string(&number).unwrap(), "12345");
/// assert!(serde_json::from_str::<Reference>("1.5").is_err());
/// ```
#[macro_export]
macro_rules! text_or_integer {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident;
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            /// Sent as a JSON string.
            String(::std::string::String),
            /// Sent as a JSON integer.
            Int64(i64),
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    Self::String(x) => ::core::fmt::Display::fmt(x, f),
                    Self::Int64(x) => ::core::fmt::Display::fmt(x, f),
                }
            }
        }

        impl ::core::convert::From<i64> for $name {
            fn from(value: i64) -> Self {
                Self::Int64(value)
            }
        }

        impl ::core::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                Self::String(value)
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::String(::std::string::String::from(value))
            }
        }

        impl $crate::text_or_integer::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::text_or_integer::__private::serde::Serializer,
            {
                match self {
                    Self::String(x) => serializer.serialize_str(x),
                    Self::Int64(x) => serializer.serialize_i64(*x),
                }
            }
        }

        impl<'de> $crate::text_or_integer::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::text_or_integer::__private::serde::Deserializer<'de>,
            {
                $crate::text_or_integer::__private::deserialize(
                    deserializer,
                    ::core::stringify!($name),
                )
            }
        }

        $crate::__json_schema!($name, $crate::schema::text_or_integer_schema());
    };
}

/// Support for the expansion of [`text_or_integer!`](crate::text_or_integer!); not a public
/// API.
#[doc(hidden)]
pub mod __private {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{Deserializer, Error, Unexpected, Visitor};

    pub use serde;

    /// Reads a string or an `i64` into the enum (through the `From` impls the macro gives it);
    /// anything else is an error naming the enum.
    pub fn deserialize<'de, D, T>(deserializer: D, name: &'static str) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: From<String> + From<i64>,
    {
        deserializer.deserialize_any(TextOrIntegerVisitor {
            name,
            marker: PhantomData,
        })
    }

    struct TextOrIntegerVisitor<T> {
        name: &'static str,
        marker: PhantomData<T>,
    }

    impl<T: From<String> + From<i64>> Visitor<'_> for TextOrIntegerVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a string or an integer ({})", self.name)
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v.to_owned()))
        }

        fn visit_string<E: Error>(self, v: String) -> Result<T, E> {
            Ok(T::from(v))
        }

        fn visit_i64<E: Error>(self, v: i64) -> Result<T, E> {
            Ok(T::from(v))
        }

        fn visit_u64<E: Error>(self, v: u64) -> Result<T, E> {
            match i64::try_from(v) {
                Ok(v) => Ok(T::from(v)),
                Err(_) => Err(E::invalid_value(Unexpected::Unsigned(v), &self)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    crate::text_or_integer! {
        /// A test enum.
        pub enum Reference;
    }

    #[test]
    fn keeps_the_form_it_was_sent_in() {
        for (json, expected) in [
            (r#""12345""#, Reference::String("12345".into())),
            ("12345", Reference::Int64(12345)),
            ("-7", Reference::Int64(-7)),
            (r#""""#, Reference::String(String::new())),
            (r#""a\"b""#, Reference::String("a\"b".into())),
            ("9223372036854775807", Reference::Int64(i64::MAX)),
            ("-9223372036854775808", Reference::Int64(i64::MIN)),
        ] {
            let read: Reference = serde_json::from_str(json).unwrap();
            assert_eq!(read, expected, "{json}");
            assert_eq!(serde_json::to_string(&read).unwrap(), json);
        }
    }

    #[test]
    fn anything_else_is_an_error_naming_the_enum() {
        for json in [
            "1.5",
            "1e3",
            "9223372036854775808",
            "null",
            "true",
            "[]",
            r#"{"id":1}"#,
        ] {
            let error = serde_json::from_str::<Reference>(json).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("expected a string or an integer (Reference)"),
                "{json}: {error}"
            );
        }
    }

    #[test]
    fn display_and_from() {
        assert_eq!(Reference::from("ab").to_string(), "ab");
        assert_eq!(
            Reference::from(String::from("c")),
            Reference::String("c".into())
        );
        assert_eq!(Reference::from(-3).to_string(), "-3");
        assert_eq!(format!("{:>4}", Reference::from(5)), "   5");
    }
}
