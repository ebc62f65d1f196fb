//! [`MaybeText`]: optional text where the provider writes `"None"` for "no value".
//!
//! A provider may render a missing `project.logo` or `pay_url` as the string `None` (a Python
//! `None` formatted into the response) rather than as JSON `null`. Left as a plain `String`, a
//! caller would have to know to compare against `"None"`, and might put `None` into an `<img>`
//! tag as a URL. So:
//!
//! - reading: the exact string `"None"` and JSON `null` both give "no value"; any other string
//!   (including `"none"` or `""`) is kept as it is;
//! - writing: "no value" is written as the string `"None"`, the provider's own form, so a
//!   response read and written back is byte for byte what the provider sent.
//!
//! The consequence is that the text `None` itself cannot be held as a value: every conversion
//! into `MaybeText` turns it into "no value", so a `MaybeText` always means what its wire form
//! means.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The provider's text for "no value".
const NONE_TEXT: &str = "None";

/// Optional text, where the provider writes the string `"None"` for "no value" (see the
/// [module docs](self)).
///
/// ```
/// use invoice_primitives::MaybeText;
///
/// let logo: MaybeText = serde_json::from_str(r#""None""#).unwrap();
/// assert_eq!(logo.get(), None);
/// assert_eq!(serde_json::to_string(&logo).unwrap(), r#""None""#);
///
/// let url: MaybeText = serde_json::from_str(r#""https://pay.example/abc""#).unwrap();
/// assert_eq!(url.get(), Some("https://pay.example/abc"));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct MaybeText(Option<String>);

impl MaybeText {
    /// The text, or `None` if the provider gave none.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The text, or `None` if the provider gave none.
    pub fn into_inner(self) -> Option<String> {
        self.0
    }

    /// Whether the provider gave no value (`"None"` or `null`).
    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }

    /// Whether the provider gave a value.
    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }
}

impl From<Option<String>> for MaybeText {
    /// `Some("None")` becomes "no value", as on the wire.
    fn from(value: Option<String>) -> Self {
        Self(value.filter(|s| s != NONE_TEXT))
    }
}

impl From<String> for MaybeText {
    /// `"None"` becomes "no value", as on the wire.
    fn from(value: String) -> Self {
        Self::from(Some(value))
    }
}

impl From<&str> for MaybeText {
    /// `"None"` becomes "no value", as on the wire.
    fn from(value: &str) -> Self {
        Self::from(value.to_owned())
    }
}

impl From<MaybeText> for Option<String> {
    fn from(value: MaybeText) -> Self {
        value.0
    }
}

impl fmt::Debug for MaybeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MaybeText").field(&self.0).finish()
    }
}

impl Serialize for MaybeText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.get().unwrap_or(NONE_TEXT))
    }
}

impl<'de> Deserialize<'de> for MaybeText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<String>::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_text_and_null_mean_no_value() {
        let from_text: MaybeText = serde_json::from_str(r#""None""#).unwrap();
        let from_null: MaybeText = serde_json::from_str("null").unwrap();
        assert!(from_text.is_none() && from_null.is_none());
        assert_eq!(from_text, MaybeText::default());
        assert_eq!(serde_json::to_string(&from_null).unwrap(), r#""None""#);
    }

    #[test]
    fn other_text_is_kept() {
        for text in ["none", "", "NONE", " None", "None ", "https://x/y.png"] {
            let json = serde_json::to_string(text).unwrap();
            let value: MaybeText = serde_json::from_str(&json).unwrap();
            assert_eq!(value.get(), Some(text));
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
        }
    }

    #[test]
    fn conversions_normalize_the_none_text() {
        assert_eq!(MaybeText::from("None"), MaybeText::default());
        assert_eq!(MaybeText::from(Some("None".to_owned())).into_inner(), None);
        assert_eq!(MaybeText::from("a").into_inner(), Some("a".to_owned()));
        assert!(MaybeText::from(String::from("a")).is_some());
        assert_eq!(
            Option::<String>::from(MaybeText::from("b")),
            Some("b".into())
        );
    }

    #[test]
    fn debug() {
        assert_eq!(format!("{:?}", MaybeText::default()), "MaybeText(None)");
        assert_eq!(
            format!("{:?}", MaybeText::from("x")),
            r#"MaybeText(Some("x"))"#
        );
    }

    #[test]
    fn non_string_is_an_error() {
        assert!(serde_json::from_str::<MaybeText>("5").is_err());
        assert!(serde_json::from_str::<MaybeText>("{}").is_err());
    }
}
