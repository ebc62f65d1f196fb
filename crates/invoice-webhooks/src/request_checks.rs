//! What every verifier checks of a notification before its provider's own rules: the body's
//! size, media type and encoding, its fields, and secrets compared in constant time.

use std::collections::BTreeSet;
use std::fmt;

use http::header::CONTENT_TYPE;
use http::HeaderMap;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Rejection;

/// The longest sender-chosen text a rejection repeats.
const MAX_SHOWN: usize = 80;

/// How a body is encoded, from its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    Json,
    Form,
}

/// Refuses a body over `limit` bytes: the first check of every verifier.
pub(crate) fn check_size(body: &[u8], limit: usize) -> Result<(), Rejection> {
    if body.len() > limit {
        return Err(Rejection::BodyTooLarge { limit });
    }
    Ok(())
}

/// The media type of `Content-Type` (lowercase, parameters dropped): `None` when there is no
/// header; a header that is not text is a wrong content type.
pub(crate) fn media_type(headers: &HeaderMap) -> Result<Option<String>, Rejection> {
    let mut values = headers.get_all(CONTENT_TYPE).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Rejection::WrongContentType(
            "several Content-Type headers".into(),
        ));
    }
    let text = value.to_str().map_err(|_| {
        Rejection::WrongContentType(shown(&String::from_utf8_lossy(value.as_bytes())))
    })?;
    let media = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Ok(Some(media))
}

/// Which encoding a media type names, if it is one of the accepted ones.
pub(crate) fn encoding_of(media: &str) -> Option<Encoding> {
    match media {
        "application/json" | "text/json" => Some(Encoding::Json),
        "application/x-www-form-urlencoded" => Some(Encoding::Form),
        _ if media.starts_with("application/") && media.ends_with("+json") => Some(Encoding::Json),
        _ => None,
    }
}

/// Accepts a JSON body: no `Content-Type`, or a JSON media type.
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), Rejection> {
    match media_type(headers)? {
        None => Ok(()),
        Some(media) => match encoding_of(&media) {
            Some(Encoding::Json) => Ok(()),
            _ => Err(Rejection::WrongContentType(shown(&media))),
        },
    }
}

/// Sender-chosen text as a rejection may repeat it: printable ASCII only, at most
/// [`MAX_SHOWN`] characters.
pub(crate) fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(MAX_SHOWN)
        .collect();
    if text.chars().count() > MAX_SHOWN {
        out.push('…');
    }
    out
}

/// A malformed-body rejection from a JSON error. serde_json's messages quote at most a short
/// piece of the offending value; it is shortened and sanitized further.
pub(crate) fn malformed(error: impl fmt::Display) -> Rejection {
    Rejection::MalformedBody(shown(&error.to_string()))
}

/// Whether two secrets are equal, in time independent of their contents and lengths: their
/// SHA-256 digests are compared in constant time (comparing the bytes directly would return
/// early on a length difference).
pub(crate) fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    bool::from(a.as_slice().ct_eq(b.as_slice()))
}

/// The members of a JSON object in order, each value kept as its raw JSON text (so numbers
/// keep every digit); a duplicated member is an error, so a verifier and the typed parse can
/// never read two different values of one field.
pub(crate) struct Fields(pub(crate) Vec<(String, Box<RawValue>)>);

impl Fields {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, Rejection> {
        serde_json::from_slice(body).map_err(malformed)
    }

    pub(crate) fn get(&self, name: &str) -> Option<&RawValue> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| &**v)
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<Box<RawValue>> {
        let at = self.0.iter().position(|(k, _)| k == name)?;
        Some(self.0.remove(at).1)
    }

    /// The object as JSON text again.
    pub(crate) fn to_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::to_string(key).expect("a string serializes"));
            out.push(':');
            out.push_str(value.get());
        }
        out.push('}');
        out
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;

        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut seen = BTreeSet::new();
                let mut fields = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !seen.insert(key.clone()) {
                        return Err(serde::de::Error::custom(format_args!(
                            "duplicate field `{}`",
                            shown(&key)
                        )));
                    }
                    fields.push((key, map.next_value::<Box<RawValue>>()?));
                }
                Ok(Fields(fields))
            }
        }

        deserializer.deserialize_map(FieldsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_secret_compares_whole_values() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"abc", b"abcd"));
        assert!(!same_secret(b"", b"a"));
    }

    #[test]
    fn fields_keep_raw_numbers_and_refuse_duplicates() {
        let fields = Fields::parse(br#"{"a": 0.100000000000000000001, "b": "x"}"#).unwrap();
        assert_eq!(fields.get("a").unwrap().get(), "0.100000000000000000001");
        assert_eq!(fields.to_json(), r#"{"a":0.100000000000000000001,"b":"x"}"#);
        assert!(matches!(
            Fields::parse(br#"{"a": 1, "a": 2}"#),
            Err(Rejection::MalformedBody(m)) if m.contains("duplicate field `a`")
        ));
        assert!(Fields::parse(b"[1]").is_err());
    }

    #[test]
    fn shown_is_short_printable_ascii() {
        assert_eq!(shown("text/plain"), "text/plain");
        assert_eq!(shown("a\nb\u{7f}é"), "a?b??");
        assert_eq!(shown(&"x".repeat(100)).chars().count(), MAX_SHOWN + 1);
    }
}
