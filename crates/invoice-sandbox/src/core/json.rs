//! JSON answers as the providers write them: amounts as JSON numbers with every digit.
//!
//! axum's `Json` writes with plain `serde_json`, where an `Amount` is a string of its exact
//! text (the runtime's `amount` module says why); the providers document numbers, so every
//! answer of the sandbox goes through the runtime's `wire` writer instead.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::core::nulls::{self, Documented};

/// A JSON answer in the providers' form.
pub(crate) struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        answer(invoice_primitives::wire::to_vec(&self.0))
    }
}

/// A provider's answer as its docs show it: in the providers' form, with the properties they
/// show as `null` written as `null` (crate::nulls).
pub(crate) struct Answer<T>(pub T);

impl<T: Serialize + Documented> IntoResponse for Answer<T> {
    fn into_response(self) -> Response {
        answer(invoice_primitives::wire::to_vec(&self.0).map(nulls::fill::<T>))
    }
}

/// A JSON body, or the error that kept it from being written: only a map with non-string keys
/// fails, which no answer of the sandbox has.
fn answer(body: serde_json::Result<Vec<u8>>) -> Response {
    match body {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}
