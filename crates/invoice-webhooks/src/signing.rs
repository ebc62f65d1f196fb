//! Signers for tests (feature `signing`): the delivery each provider would send, built from a
//! typed event and signed the way the provider signs it, so that a receiver can be tested end
//! to end without the provider.
//!
//! | provider | signer | what it signs |
//! | --- | --- | --- |
//! | CryptoCloud | [`cryptocloud::Signer`](crate::cryptocloud::Signer) | a postback, JSON or form-encoded, with `token` an HS256 JWT of the project's secret (`exp` 5 minutes ahead, `invoice_id` claim) |
//! | Cryptoprocessing | [`cryptoprocessing::Signer`](crate::cryptoprocessing::Signer) | a callback's JSON bytes, with `X-Processing-Signature` their hex HMAC-SHA512 (and `X-Processing-Key`, if given) |
//! | apiforcrypto | [`apiforcrypto::Signer`](crate::apiforcrypto::Signer) | a notification with the invoice's `secret_key` set |
//!
//! Each returns a [`SignedDelivery`]: the method, headers and exact body bytes of the request,
//! which the crate's verifiers accept as they are, and refuse once altered. Bodies are written
//! with serde_json straight from the generated types, so amounts keep every digit.
//!
//! ```
//! use invoice_webhooks::cryptoprocessing::{InvoiceCallback, Signer, Verifier};
//! use invoice_webhooks::Secret;
//!
//! let callback: InvoiceCallback =
//!     serde_json::from_str(r#"{"id": 1, "type": "invoice", "status": "confirmed"}"#).unwrap();
//! let delivery = Signer::new(Secret::new("secret key")).sign(&callback);
//! let verified = Verifier::new(Secret::new("secret key"))
//!     .verify(&delivery.headers, &delivery.body)
//!     .unwrap();
//! assert_eq!(verified.callback.id, 1);
//!
//! // Or send it to a running server:
//! let request = delivery.into_request("http://127.0.0.1:3000/webhooks".parse().unwrap());
//! assert_eq!(request.method(), http::Method::POST);
//! ```

use std::fmt;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};

/// `Content-Type` of a JSON body.
pub(crate) const JSON: &str = "application/json";
/// `Content-Type` of a form-encoded body.
pub(crate) const FORM: &str = "application/x-www-form-urlencoded";

/// A signed request, as a provider would send it: always a `POST`, with its headers
/// (`Content-Type` and, for Cryptoprocessing, the signature headers) and the exact body bytes.
///
/// The fields are public so that a test can alter a delivery and see it refused.
///
/// `Debug` shows the method, the header names and the body's length only: the body and the
/// headers may carry a token, a MAC or a key (the signature headers are also marked
/// [sensitive](HeaderValue::set_sensitive), so the `Debug` of the [`HeaderMap`] hides them).
#[derive(Clone)]
#[non_exhaustive]
pub struct SignedDelivery {
    /// The request's method: `POST`.
    pub method: Method,
    /// The request's headers.
    pub headers: HeaderMap,
    /// The request's body, exactly as signed.
    pub body: Vec<u8>,
}

impl SignedDelivery {
    pub(crate) fn new(content_type: &'static str, body: Vec<u8>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        Self {
            method: Method::POST,
            headers,
            body,
        }
    }

    /// Adds a header whose value is a credential (marked sensitive).
    pub(crate) fn with_sensitive_header(mut self, name: &str, value: &str) -> Self {
        let mut value =
            HeaderValue::from_str(value).expect("a valid header value (no control characters)");
        value.set_sensitive(true);
        // `from_bytes` lowercases the documented spelling (`X-Processing-Signature`).
        let name = HeaderName::from_bytes(name.as_bytes()).expect("a valid header name");
        self.headers.insert(name, value);
        self
    }

    /// The `Content-Type` (`application/json` or `application/x-www-form-urlencoded`).
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// The delivery as an [`http::Request`] to `uri`, ready for a client (reqwest, hyper) or a
    /// router (`tower::ServiceExt::oneshot`; convert the body with `.map(Into::into)`).
    pub fn into_request(self, uri: Uri) -> Request<Vec<u8>> {
        let mut request = Request::new(self.body);
        *request.method_mut() = self.method;
        *request.uri_mut() = uri;
        *request.headers_mut() = self.headers;
        request
    }
}

impl fmt::Debug for SignedDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("SignedDelivery")
            .field("method", &self.method)
            .field("content_type", &self.content_type())
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}
