//! [`PathSegment`]: a string path parameter that cannot change which endpoint is called.
//!
//! A path parameter is percent-encoded into one segment, but URL parsing still resolves the
//! segments `.` and `..` (and an empty one leaves `//`): `uuid("..")` would send
//! `GET /api/v1/wallets/invoices/..` to `/api/v1/wallets/`. Such values are refused before
//! anything is sent, with the reason.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One path segment's value: any text but ``, `.` and `..`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathSegment(String);

/// Why a value cannot be a path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPathSegment(&'static str);

impl fmt::Display for InvalidPathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for InvalidPathSegment {}

impl PathSegment {
    /// The value, if it is one.
    pub fn new(value: impl Into<String>) -> Result<Self, InvalidPathSegment> {
        let value = value.into();
        match value.as_str() {
            "" => Err(InvalidPathSegment("must not be empty")),
            "." | ".." => Err(InvalidPathSegment(
                "must not be `.` or `..`, which would address another endpoint",
            )),
            _ => Ok(Self(value)),
        }
    }

    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for PathSegment {
    type Error = InvalidPathSegment;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<String> for PathSegment {
    type Error = InvalidPathSegment;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&String> for PathSegment {
    type Error = InvalidPathSegment;
    fn try_from(value: &String) -> Result<Self, Self::Error> {
        Self::new(value.as_str())
    }
}

impl std::str::FromStr for PathSegment {
    type Err = InvalidPathSegment;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::new(value)
    }
}

impl Deref for PathSegment {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl From<PathSegment> for String {
    fn from(value: PathSegment) -> Self {
        value.0
    }
}

impl Serialize for PathSegment {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PathSegment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::new(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_would_change_the_path() {
        for bad in ["", ".", ".."] {
            assert!(PathSegment::new(bad).is_err(), "{bad:?}");
        }
        for good in ["...", ".a", "a.", "INV-1", "a/b", "%2e"] {
            assert_eq!(PathSegment::new(good).unwrap().as_str(), good);
        }
        assert_eq!(
            PathSegment::try_from("..").unwrap_err().to_string(),
            "must not be `.` or `..`, which would address another endpoint"
        );
    }
}
