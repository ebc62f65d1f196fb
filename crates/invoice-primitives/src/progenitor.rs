//! What progenitor's generated code expects of its client crate, on this crate's types.
//!
//! progenitor writes `use progenitor_client::{..., Error, ResponseValue}` at the top of every
//! client. For a stand-alone crate it pastes its own `progenitor_client` module in; here each
//! generated crate has a `progenitor_client` module that re-exports this one (written by
//! `cargo xtask regen`), so `send()` returns [`Response`](crate::Response) and
//! [`ApiError`](crate::ApiError) directly: one error
//! type, with the status, headers and raw body of whatever the provider answered.
//!
//! The other items here ([`ClientInfo`], [`OperationInfo`], [`QueryParam`], [`encode_path`])
//! have the names and shapes of progenitor-client 0.15's, which the generated code is written
//! against. They are declared here rather than re-exported because progenitor-client turns on
//! reqwest's `stream` feature (and with it `tokio-util`) for its byte streams, which no
//! documented operation returns: that was 2–5% of the cold build of a client as a user adds it
//! (BENCHMARKS.md, section 6). `cargo xtask regen` drops `ByteStream` from the generated imports,
//! and fails if an operation ever answers with one.

use reqwest::header::{HeaderValue, CONTENT_TYPE};
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};

pub use crate::error::ApiError as Error;
pub use crate::response::Response as ResponseValue;

/// What every generated client tells about itself; progenitor writes the implementation.
pub trait ClientInfo<Inner> {
    /// The spec's `info.version`.
    fn api_version() -> &'static str;

    /// The base URL requests are made to.
    fn baseurl(&self) -> &str;

    /// The `reqwest::Client` that sends the requests.
    fn client(&self) -> &reqwest::Client;

    /// The client's own state (here, the [`Config`](crate::Config)).
    fn inner(&self) -> &Inner;
}

/// The generated code calls the hooks on `&Client`.
impl<T, Inner> ClientInfo<Inner> for &T
where
    T: ClientInfo<Inner>,
{
    fn api_version() -> &'static str {
        T::api_version()
    }

    fn baseurl(&self) -> &str {
        (*self).baseurl()
    }

    fn client(&self) -> &reqwest::Client {
        (*self).client()
    }

    fn inner(&self) -> &Inner {
        (*self).inner()
    }
}

/// Which operation a request belongs to, for the hooks ([`ClientHooks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationInfo {
    /// The operation's `operationId` in the spec.
    pub operation_id: &'static str,
}

/// One query parameter, for `reqwest::RequestBuilder::query`: `name=value` for a value, nothing
/// for `None`, and `name=item` once per item for a list (the `form`, `explode` style that
/// OpenAPI gives query parameters by default). Values are whatever their `Serialize` writes as a
/// string, number or boolean (an enum's variant name, for instance); anything else is an
/// error, not a silently different query.
pub struct QueryParam<'a, T> {
    name: &'a str,
    value: &'a T,
}

impl<'a, T> QueryParam<'a, T> {
    /// The parameter `name` with `value`.
    pub fn new(name: &'a str, value: &'a T) -> Self {
        Self { name, value }
    }
}

impl<T: Serialize> Serialize for QueryParam<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde_json::Value;
        let items = match serde_json::to_value(self.value).map_err(S::Error::custom)? {
            Value::Null => Vec::new(),
            Value::Array(items) => items,
            value => vec![value],
        };
        let mut pairs = serializer.serialize_seq(Some(items.len()))?;
        for item in &items {
            let text = match item {
                Value::String(text) => text.clone(),
                // serde_json writes a number as it was given (integers exactly).
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                Value::Null => continue,
                Value::Array(_) | Value::Object(_) => {
                    return Err(S::Error::custom(format!(
                        "query parameter `{}`: a list item or value that is not a string, \
                         number or boolean cannot be sent",
                        self.name
                    )))
                }
            };
            pairs.serialize_element(&(self.name, text))?;
        }
        pairs.end()
    }
}

/// A path parameter's value, percent-encoded as one segment: progenitor's encoding, plus `\`,
/// which URL parsing treats as `/` in `http(s)` URLs (`uuid("..\\x")` would otherwise leave the
/// endpoint).
pub fn encode_path(segment: &str) -> String {
    // Identifiers are usually all unreserved characters (RFC 3986: letters, digits, `-._~`),
    // which no encoding changes: copied as they are, without the encoder's formatting.
    if segment.bytes().all(|b| UNRESERVED[usize::from(b)]) {
        return segment.to_owned();
    }
    percent_encoding::utf8_percent_encode(segment, PATH_SET)
        .to_string()
        .replace('\\', "%5C")
}

/// progenitor-client's set for a path segment (after the WHATWG URL standard's
/// path-segment set: <https://url.spec.whatwg.org/#url-path-segment-string>), with which
/// `a_segment_cannot_leave_its_place` checks this encoder agrees.
const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

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
        // The unreserved fast path and the encoder agree with progenitor's encoder on every
        // ASCII character, and on characters outside ASCII.
        assert_eq!(encode_path("é€😀"), progenitor_client::encode_path("é€😀"));
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

    /// The query `reqwest` builds from one parameter.
    fn query<T: Serialize>(param: &T) -> Result<String, reqwest::Error> {
        crate::transport::install_tls_provider();
        let request = reqwest::Client::new()
            .get("http://127.0.0.1/x")
            .query(param)
            .build()?;
        Ok(request.url().query().unwrap_or_default().to_owned())
    }

    #[test]
    fn query_params_are_written_as_progenitors() {
        #[derive(Serialize)]
        enum Locale {
            #[serde(rename = "en")]
            En,
        }
        fn both<T: Serialize>(value: &T) -> (String, String) {
            let ours = query(&QueryParam::new("p", value)).unwrap();
            let theirs = query(&progenitor_client::QueryParam::new("p", value)).unwrap();
            (ours, theirs)
        }
        let cases = [
            both(&Some(Locale::En)),
            both(&None::<Locale>),
            both(&"a b&c=d/é"),
            both(&Some(vec!["x", "y"])),
            both(&vec![Locale::En, Locale::En]),
            both(&Vec::<u8>::new()),
            both(&-42i64),
            both(&u64::MAX),
            both(&true),
        ];
        for (ours, theirs) in cases {
            assert_eq!(ours, theirs);
        }
        assert_eq!(
            query(&QueryParam::new("locale", &Some(Locale::En))).unwrap(),
            "locale=en"
        );
        assert_eq!(
            query(&QueryParam::new("p", &Some(vec!["x", "y"]))).unwrap(),
            "p=x&p=y"
        );
    }

    #[test]
    fn a_query_param_that_is_not_a_scalar_is_an_error() {
        #[derive(Serialize)]
        struct Nested {
            a: u8,
        }
        let error = query(&QueryParam::new("p", &Nested { a: 1 })).unwrap_err();
        assert!(error.is_builder(), "{error}");
        let error = query(&QueryParam::new("p", &vec![vec![1]])).unwrap_err();
        assert!(error.is_builder(), "{error}");
    }
}
