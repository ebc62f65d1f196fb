//! A client's base URL, checked when the client is built.
//!
//! A base URL that is not an absolute `http(s)` URL (a typo in an environment variable, a
//! missing scheme) cannot reach the provider; found when the client is built, it stops the
//! application at start-up with the reason, instead of failing every request later.

use std::fmt;

/// A base URL that is not an absolute `http` or `https` URL.
///
/// Displays as, for example, `"not a url" is not a base URL: relative URL without a base`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseUrlError {
    url: String,
    reason: String,
}

impl BaseUrlError {
    /// The text that was refused.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for BaseUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a base URL: {}", self.url, self.reason)
    }
}

impl std::error::Error for BaseUrlError {}

/// Checks that `url` is an absolute `http` or `https` URL with a host.
pub fn check(url: &str) -> Result<(), BaseUrlError> {
    let refused = |reason: String| BaseUrlError {
        url: url.to_owned(),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| refused(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(refused(format!(
            "the scheme is {:?}, not http or https",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(refused("it names no host".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_http_urls_pass_and_others_say_why() {
        for good in [
            "https://api.example.com",
            "http://127.0.0.1:8089/provider",
            "https://example.com/prefix/",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        for (bad, reason) in [
            ("not a url", "relative URL without a base"),
            ("api.example.com", "relative URL without a base"),
            ("ftp://example.com", "not http or https"),
            ("", "relative URL without a base"),
        ] {
            let err = check(bad).unwrap_err();
            assert_eq!(err.url(), bad);
            assert!(err.to_string().contains(reason), "{bad}: {err}");
        }
    }
}
