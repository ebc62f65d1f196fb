//! [`open_enum!`](crate::open_enum!): string enums that keep values they do not know.
//!
//! Providers add statuses, currencies and networks without notice. A closed Rust enum would
//! turn one new value into a failed response (and so a payment the caller cannot see), so every
//! string enum in the generated clients is declared with this macro instead: the known values
//! are variants, and anything else is kept in an extra `Unknown(String)` variant, written back
//! unchanged.
//!
//! A string that is one of the known values always becomes its variant (`From`, `FromStr` and
//! `Deserialize` all go through the same match). Building `Unknown` by hand with a known value
//! (`Unknown("paid".into())`) is a logic error: it is written as `"paid"`, but is not equal to
//! (and does not hash or sort like) the `Paid` variant. Use `From` to build from text.

/// Declares a string enum that keeps unknown values.
///
/// Each variant is given with its wire string; the macro adds `Unknown(String)` for any other
/// value, and derives `Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord` (ordering is
/// declaration order, `Unknown` last). Attributes and doc comments on the enum and its variants
/// are kept. It also provides:
///
/// - `as_str(&self) -> &str`: the wire string;
/// - `is_known(&self) -> bool`: not `Unknown`;
/// - `KNOWN: &'static [&'static str]`: the known wire strings, in declaration order;
/// - `Display` (the wire string), `AsRef<str>`, `FromStr` (never fails: `Err` is
///   [`Infallible`](std::convert::Infallible)), `From<&str>`, `From<String>`;
/// - serde `Serialize` as the wire string, and `Deserialize` from any string (a non-string is
///   an error).
///
/// The expansion refers to this crate only through `$crate`, so it works in any crate that
/// depends on `invoice_primitives`, without importing serde.
///
/// ```
/// invoice_primitives::open_enum! {
///     /// Status of an invoice.
///     #[non_exhaustive]
///     pub enum InvoiceStatus {
///         /// Waiting for payment.
///         Created = "created",
///         Paid = "paid",
///         Partial = "partial",
///     }
/// }
///
/// let s: InvoiceStatus = serde_json::from_str(r#""refunded""#).unwrap();
/// assert_eq!(s, InvoiceStatus::Unknown("refunded".into()));
/// assert_eq!(serde_json::to_string(&s).unwrap(), r#""refunded""#);
/// match InvoiceStatus::from("paid") {
///     InvoiceStatus::Paid => {}
///     other => panic!("{other}"),
/// }
/// assert_eq!(InvoiceStatus::KNOWN, ["created", "paid", "partial"]);
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $wire:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
            /// A value this version does not know, kept as the provider sent it.
            ///
            /// Never holds one of the known values when built through `From`, `FromStr` or
            /// serde; building it by hand with a known value is a logic error.
            Unknown(::std::string::String),
        }

        // Not every user needs every helper (a private enum would warn).
        #[allow(dead_code)]
        impl $name {
            /// The wire strings this version knows, in declaration order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The wire string: the known variant's, or the unknown value as received.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is a value this version knows (not `Unknown`).
            pub fn is_known(&self) -> bool {
                !::core::matches!(self, Self::Unknown(_))
            }
        }

        impl ::core::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)+
                    other => Self::Unknown(::std::string::String::from(other)),
                }
            }
        }

        impl ::core::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::core::str::FromStr for $name {
            type Err = ::core::convert::Infallible;

            fn from_str(value: &str) -> ::core::result::Result<Self, Self::Err> {
                ::core::result::Result::Ok(::core::convert::From::from(value))
            }
        }

        impl ::core::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl $crate::open_enum::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: $crate::open_enum::__private::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::open_enum::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::core::result::Result<Self, D::Error>
            where
                D: $crate::open_enum::__private::serde::Deserializer<'de>,
            {
                $crate::open_enum::__private::deserialize(deserializer, ::core::stringify!($name))
            }
        }

        $crate::__json_schema!($name, $crate::schema::open_enum_schema(Self::KNOWN));
    };
}

/// `schemars::JsonSchema` for a type one of this crate's macros declares ([`open_enum!`],
/// [`text_or_integer!`](crate::text_or_integer!)), with the schema `$schema` builds, when this
/// crate's `schemars` feature is on; nothing otherwise (the feature is read here, not in the
/// crate that invokes the macro).
#[cfg(feature = "schemars")]
#[doc(hidden)]
#[macro_export]
macro_rules! __json_schema {
    ($name:ident, $schema:expr) => {
        impl $crate::__schemars::JsonSchema for $name {
            fn schema_name() -> ::std::string::String {
                ::std::string::String::from(::core::stringify!($name))
            }

            fn json_schema(
                _: &mut $crate::__schemars::gen::SchemaGenerator,
            ) -> $crate::__schemars::schema::Schema {
                $schema
            }
        }
    };
}

/// `schemars::JsonSchema` for a type one of this crate's macros declares, when this crate's
/// `schemars` feature is on; nothing otherwise.
#[cfg(not(feature = "schemars"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __json_schema {
    ($name:ident, $schema:expr) => {};
}

/// Support for the expansion of [`open_enum!`](crate::open_enum!); not a public API.
#[doc(hidden)]
pub mod __private {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{Deserializer, Error, Unexpected, Visitor};

    pub use serde;

    /// Reads any string into an open enum; anything else is an error naming the enum.
    pub fn deserialize<'de, D, T>(deserializer: D, name: &'static str) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: for<'a> From<&'a str> + From<String>,
    {
        deserializer.deserialize_str(StringVisitor {
            name,
            marker: PhantomData,
        })
    }

    struct StringVisitor<T> {
        name: &'static str,
        marker: PhantomData<T>,
    }

    impl<T> Visitor<'_> for StringVisitor<T>
    where
        T: for<'a> From<&'a str> + From<String>,
    {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a string ({})", self.name)
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v))
        }

        fn visit_string<E: Error>(self, v: String) -> Result<T, E> {
            Ok(T::from(v))
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<T, E> {
            match std::str::from_utf8(v) {
                Ok(s) => Ok(T::from(s)),
                Err(_) => Err(E::invalid_value(Unexpected::Bytes(v), &self)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    crate::open_enum! {
        /// One variant, no trailing comma.
        pub enum Single {
            Only = "only"
        }
    }

    crate::open_enum! {
        enum Private {
            A = "a",
            B = "b-with-dash",
        }
    }

    #[test]
    fn single_variant_and_private_enums() {
        assert_eq!(Single::KNOWN, ["only"]);
        assert_eq!(Single::from("only"), Single::Only);
        assert_eq!(Private::from("b-with-dash"), Private::B);
        assert_eq!(Private::A.as_str(), "a");
        assert!(!Private::from("c").is_known());
        assert_eq!(format!("{:>6}", Private::A), "     a");
    }

    #[test]
    fn deserialize_errors_name_the_enum() {
        let err = serde_json::from_str::<Single>("5").unwrap_err().to_string();
        assert!(err.contains("expected a string (Single)"), "{err}");
    }
}
