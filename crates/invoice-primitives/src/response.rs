//! A successful call's outcome: the decoded body with the status and headers it came with.

use std::fmt;
use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorBody};
use crate::transport::BufferedBody;

/// The decoded body of a response, with its HTTP status and headers.
///
/// Dereferences to the body, so `response.field` reads a field;
/// [`into_inner`](Self::into_inner) takes the body out.
pub struct Response<T> {
    value: T,
    status: StatusCode,
    headers: HeaderMap,
    /// The body as received, kept only for error statuses: an error keeps its raw body.
    raw: Option<Bytes>,
}

impl<T> Response<T> {
    /// A response with this body, status and headers (for tests and mocks).
    pub fn new(value: T, status: StatusCode, headers: HeaderMap) -> Self {
        Self {
            value,
            status,
            headers,
            raw: None,
        }
    }

    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The same response with its body transformed.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            status: self.status,
            headers: self.headers,
            raw: self.raw,
        }
    }

    pub(crate) fn into_parts(self) -> (T, StatusCode, HeaderMap, Option<Bytes>) {
        (self.value, self.status, self.headers, self.raw)
    }
}

/// The status, headers and body of `response`. When the generated client's `exec` has read
/// the body (it always has), the headers and the body are moved out rather than copied.
async fn into_parts<E>(
    mut response: reqwest::Response,
) -> Result<(StatusCode, HeaderMap, Bytes), ApiError<E>> {
    let status = response.status();
    match response.extensions_mut().remove::<BufferedBody>() {
        Some(BufferedBody(body)) => Ok((status, std::mem::take(response.headers_mut()), body)),
        None => {
            let headers = response.headers().clone();
            // Boxed: only a response that did not come through the transport takes this way,
            // and reqwest's `bytes()` future would otherwise make every call's future larger.
            let body = Box::pin(response.bytes())
                .await
                .map_err(ApiError::Transport)?;
            Ok((status, headers, body))
        }
    }
}

impl<T: DeserializeOwned> Response<T> {
    /// Decodes a response for the generated code: a body that does not fit `T` is
    /// [`ApiError::InvalidResponse`] naming the field; on an error status, a JSON body of
    /// another shape is [`ApiError::Provider`] with the mismatch.
    #[doc(hidden)]
    pub async fn from_response<E>(response: reqwest::Response) -> Result<Self, ApiError<E>> {
        let (status, headers, body) = into_parts(response).await?;
        match serde_json::from_slice::<T>(&body) {
            Ok(value) => Ok(Self {
                value,
                status,
                headers,
                raw: (!status.is_success()).then_some(body),
            }),
            Err(error) => Err(decode_error::<T, E>(status, headers, body, error)),
        }
    }
}

impl Response<()> {
    /// A response documented without a body, for the generated code: the body (already read by
    /// the transport) is not looked at, but kept for an error status.
    #[doc(hidden)]
    pub fn empty(mut response: reqwest::Response) -> Self {
        let status = response.status();
        let raw = match response.extensions_mut().remove::<BufferedBody>() {
            Some(BufferedBody(body)) if !status.is_success() => Some(body),
            _ => None,
        };
        Self {
            value: (),
            status,
            headers: std::mem::take(response.headers_mut()),
            raw,
        }
    }
}

fn decode_error<T: DeserializeOwned, E>(
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    error: serde_json::Error,
) -> ApiError<E> {
    if !status.is_success() {
        // A documented error status with a JSON body of another shape is still the
        // provider's error; a body that is not JSON at all (a proxy's HTML) is not.
        if let Some(body) = ErrorBody::mismatched(&body, error.to_string()) {
            return ApiError::Provider {
                status,
                headers: Box::new(headers),
                body: Box::new(body),
            };
        }
        return ApiError::InvalidResponse {
            status,
            headers: Box::new(headers),
            path: ".".to_owned(),
            message: format!("error body is not JSON: {error}"),
            body: body.to_vec(),
        };
    }
    let (path, message) = locate::<T>(&body, &error);
    ApiError::InvalidResponse {
        status,
        headers: Box::new(headers),
        path,
        message,
        body: body.to_vec(),
    }
}

/// Decodes `body` again, tracking the path, to say which field failed.
fn locate<T: DeserializeOwned>(body: &[u8], error: &serde_json::Error) -> (String, String) {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(deserializer) {
        Err(e) => (e.path().to_string(), e.inner().to_string()),
        // Cannot happen for the same bytes; keep the original error all the same.
        Ok(_) => (".".to_owned(), error.to_string()),
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T> AsRef<T> for Response<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("value", &self.value)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn locate_names_the_failing_field() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            data: Inner,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            id: i64,
        }
        let body = br#"{"data": {"id": "not a number"}}"#;
        let error = serde_json::from_slice::<Outer>(body).unwrap_err();
        let (path, message) = locate::<Outer>(body, &error);
        assert_eq!(path, "data.id");
        assert!(message.contains("invalid type"), "{message}");
    }

    #[test]
    fn deref_map_and_parts() {
        let response = Response::new(vec![1, 2], StatusCode::CREATED, HeaderMap::new());
        assert_eq!(response.len(), 2);
        assert_eq!(response.status(), StatusCode::CREATED);
        let mapped = response.map(|v| v.len());
        assert_eq!(*mapped, 2);
        assert_eq!(mapped.into_inner(), 2);
    }
}
