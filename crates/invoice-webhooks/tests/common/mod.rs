//! Helpers shared by the test binaries: signatures built independently of the crate (JWTs
//! by hand with `hmac`, never jsonwebtoken's encoder; HMAC-SHA512 with `hmac` directly), and
//! the webhook examples of the specs (`specs/`, symbolic links to the workspace's, whose
//! contents the .crate carries).

#![allow(dead_code)] // Not every test binary uses every helper.

use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use sha2::{Sha256, Sha512};

/// base64url without padding, as JWTs use it.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JWT with the given header and claims (JSON text, used verbatim), signed with
/// HMAC-SHA256: `base64url(header).base64url(claims).base64url(mac)`.
pub fn hs256(header: &str, claims: &str, secret: &[u8]) -> String {
    let message = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(message.as_bytes());
    format!("{message}.{}", b64(&mac.finalize().into_bytes()))
}

/// As [`hs256`], with HMAC-SHA512 (a real HS512 token).
pub fn hs512(header: &str, claims: &str, secret: &[u8]) -> String {
    let message = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
    let mut mac = Hmac::<Sha512>::new_from_slice(secret).unwrap();
    mac.update(message.as_bytes());
    format!("{message}.{}", b64(&mac.finalize().into_bytes()))
}

/// An unsigned JWT (`alg: none`): header and claims, and an empty signature.
pub fn unsigned(claims: &str) -> String {
    format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.as_bytes())
    )
}

/// The standard HS256 header.
pub const HS256_HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// Lowercase hex HMAC-SHA512 of `body` keyed with `secret`.
pub fn hmac_sha512_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Headers from `(name, value)` pairs.
pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

/// `Content-Type: application/json`.
pub fn json_headers() -> HeaderMap {
    headers(&[(CONTENT_TYPE.as_str(), "application/json")])
}

/// The value of a webhook example of a spec: `x-webhooks.<webhook>.post.requestBody.content.
/// <media>.examples.<name>.value`.
pub fn webhook_example(spec: &str, webhook: &str, media: &str, name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(spec);
    let text = std::fs::read_to_string(&path).unwrap();
    let spec: Value = serde_yaml_ng::from_str(&text).unwrap();
    spec["x-webhooks"][webhook]["post"]["requestBody"]["content"][media]["examples"][name]["value"]
        .clone()
}

/// Every example name of a webhook's media type.
pub fn webhook_example_names(spec: &str, webhook: &str, media: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(spec);
    let text = std::fs::read_to_string(&path).unwrap();
    let spec: Value = serde_yaml_ng::from_str(&text).unwrap();
    spec["x-webhooks"][webhook]["post"]["requestBody"]["content"][media]["examples"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// A form body from a map of text fields, in the map's order.
pub fn form_body(fields: &Value) -> Vec<u8> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (key, value) in fields.as_object().unwrap() {
        form.append_pair(key, value.as_str().expect("form fields are text"));
    }
    form.finish().into_bytes()
}
