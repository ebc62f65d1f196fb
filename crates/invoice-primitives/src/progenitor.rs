//! What progenitor's generated code expects of its client crate, on this crate's types.
//!
//! progenitor writes `use progenitor_client::{..., Error, ResponseValue}` at the top of every
//! client. For a stand-alone crate it pastes its own `progenitor_client` module in; here each
//! generated crate has a `progenitor_client` module that re-exports this one (written by
//! `cargo xtask regen`), so `send()` returns [`Response`](crate::Response) and
//! [`ApiError`](crate::ApiError) directly: one error
//! type, with the status, headers and raw body of whatever the provider answered.

use reqwest::header::{HeaderValue, CONTENT_TYPE};
use serde::Serialize;

pub use crate::error::ApiError as Error;
pub use crate::response::Response as ResponseValue;
pub use progenitor_client::{ByteStream, ClientInfo, OperationInfo, QueryParam};

/// A path parameter's value, percent-encoded as one segment: progenitor's encoding, plus `\`,
/// which URL parsing treats as `/` in `http(s)` URLs (`uuid("..\\x")` would otherwise leave the
/// endpoint).
pub fn encode_path(segment: &str) -> String {
    // Identifiers are usually all unreserved characters (RFC 3986: letters, digits, `-._~`),
    // which no encoding changes: copied as they are, without the encoder's formatting.
    if segment.bytes().all(|b| UNRESERVED[usize::from(b)]) {
        return segment.to_owned();
    }
    progenitor_client::encode_path(segment).replace('\\', "%5C")
}

/// RFC 3986's unreserved bytes, as a table: one load per byte instead of six comparisons (a
/// 36-character UUID is checked on every request that names an invoice).
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        byte += 1;
    }
    table
};

/// progenitor's hooks, with [`Error`] in their signatures. Generated clients implement `exec`
/// (through `cargo xtask regen`); `pre` and `post` do nothing.
#[allow(async_fn_in_trait)]
pub trait ClientHooks<Inner = ()>
where
    Self: ClientInfo<Inner>,
{
    /// Runs before the request is sent.
    async fn pre<E>(
        &self,
        _request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        Ok(())
    }

    /// Runs after the request completed.
    async fn post<E>(
        &self,
        _result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        Ok(())
    }

    /// Sends the request.
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response>;
}

/// Form-encoded request bodies.
pub trait RequestBuilderExt<E> {
    /// Sets `body`, form-encoded, as the request body.
    fn form_urlencoded<T: Serialize + ?Sized>(
        self,
        body: &T,
    ) -> Result<reqwest::RequestBuilder, Error<E>>;
}

impl<E> RequestBuilderExt<E> for reqwest::RequestBuilder {
    fn form_urlencoded<T: Serialize + ?Sized>(
        self,
        body: &T,
    ) -> Result<reqwest::RequestBuilder, Error<E>> {
        let text = serde_urlencoded::to_string(body)
            .map_err(|e| Error::InvalidRequest(format!("`body` cannot be form-encoded: {e}")))?;
        Ok(self
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .body(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_cannot_leave_its_place() {
        assert_eq!(encode_path(r"..\..\x"), "..%5C..%5Cx");
        assert_eq!(encode_path("a/b"), "a%2Fb");
        assert_eq!(encode_path("%2e%2e"), "%252e%252e");
        // The unreserved fast path agrees with the encoder on every ASCII character.
        for b in 0u8..128 {
            let text = format!("a{}z", b as char);
            let expected = progenitor_client::encode_path(&text).replace('\\', "%5C");
            assert_eq!(encode_path(&text), expected, "{b}");
        }
        assert_eq!(encode_path("6f0e5b0e-AZ_az.09~"), "6f0e5b0e-AZ_az.09~");
        let base = reqwest::Url::parse("http://127.0.0.1/api/v1/wallets/invoices/").unwrap();
        for value in [r"..\..\x", r"..\", r"a\b", "../x", "%2e%2e"] {
            let url = base.join(&encode_path(value)).unwrap();
            assert!(
                url.path().starts_with("/api/v1/wallets/invoices/") && url.path().len() > 25,
                "{value:?} -> {url}"
            );
        }
    }
}
