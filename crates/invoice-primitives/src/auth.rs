//! Credentials and the generic ways a request is authenticated: a token in a header, an
//! HMAC of the body in a header, or nothing.
//!
//! Which scheme a provider uses, with which header names and prefix, is declared next to that
//! provider (its spec's `securitySchemes` and the providers table); `cargo xtask regen` writes
//! each generated crate's `Credentials` type on top of the schemes here.
//!
//! The HMAC scheme ([`HmacBodySignature`], [`BodyMac`]) is behind the `hmac` feature, which
//! only a client whose provider signs its requests turns on: a client that sends a token does
//! not build HMAC-SHA512.

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Request;

/// A credential that is never shown: `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for the code that must use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Written as the plain string: a secret that must travel (a per-invoice key the merchant
/// chooses, say) is still never shown by `Debug`.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A credential that cannot be used: empty, or not valid in an HTTP header, or an
/// environment variable that is not set. Never contains the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialError(String);

impl CredentialError {
    /// An error with this message (which must not contain the credential).
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CredentialError {}

/// Checks a credential that goes into a header: not blank, and valid in a header value.
fn header_credential(what: &str, value: String) -> Result<Secret, CredentialError> {
    if value.trim().is_empty() {
        return Err(CredentialError(format!("{what} is empty")));
    }
    if HeaderValue::from_str(&value).is_err() {
        return Err(CredentialError(format!(
            "{what} contains characters that are not allowed in an HTTP header"
        )));
    }
    if value.trim() != value {
        return Err(CredentialError(format!("{what} has spaces around it")));
    }
    Ok(Secret(value))
}

/// The value of environment variable `name`, or an error naming it (for the generated
/// `Credentials::from_env`).
#[doc(hidden)]
pub fn env_var(name: &str) -> Result<String, CredentialError> {
    std::env::var(name).map_err(|_| CredentialError(format!("{name} is not set")))
}

/// A credential as a header value marked sensitive (kept out of `Debug` output and HTTP/2
/// header compression), made once when the credentials are; its bytes are shared, so adding
/// it to a request copies nothing.
#[derive(Clone)]
struct SensitiveValue(HeaderValue);

impl SensitiveValue {
    fn of(secret: &Secret) -> Self {
        let bytes = bytes::Bytes::copy_from_slice(secret.expose().as_bytes());
        let mut value =
            HeaderValue::from_maybe_shared(bytes).expect("checked when the credential was made");
        value.set_sensitive(true);
        Self(value)
    }
}

impl fmt::Debug for SensitiveValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Which credentials an operation takes, from its spec's `security`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// The API's own credentials (the spec's top-level `security`).
    Default,
    /// None at all (`security: []`): nothing is added.
    None,
    /// Another scheme of the spec (`securitySchemes/<name>`), such as a separate withdrawal
    /// key: only the credentials given for it are used, never the default ones.
    Named(&'static str),
}

/// How a request is authenticated: headers added to the request about to be sent.
pub trait Authenticate: fmt::Debug + Send + Sync {
    /// Adds the credentials of `scheme` to `request`, whose body is final; an error when these
    /// credentials have none for it (the request is then refused before sending).
    fn authenticate(&self, request: &mut Request, scheme: Scheme) -> Result<(), CredentialError>;
}

/// The answer of a single set of credentials to a scheme other than its own.
fn no_credentials_for(scheme: Scheme) -> Result<(), CredentialError> {
    match scheme {
        Scheme::Named(name) => Err(CredentialError(format!(
            "no credentials were given for the `{name}` scheme"
        ))),
        Scheme::Default | Scheme::None => Ok(()),
    }
}

/// No credentials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoAuth;

impl Authenticate for NoAuth {
    fn authenticate(&self, _: &mut Request, scheme: Scheme) -> Result<(), CredentialError> {
        no_credentials_for(scheme)
    }
}

/// A token in one header, after a fixed prefix: `<header>: <prefix><token>`.
#[derive(Debug, Clone)]
pub struct HeaderToken {
    header: HeaderName,
    /// `<prefix><token>` as a sensitive header value, made once: each request shares its
    /// bytes.
    header_value: SensitiveValue,
}

impl HeaderToken {
    /// `header: prefix + token`. `what` names the token in errors ("the API key"). A token
    /// with spaces around it, or that already starts with the prefix, is refused: it would
    /// be sent as written and refused by the provider.
    pub fn new(
        header: &str,
        prefix: &str,
        what: &str,
        token: impl Into<String>,
    ) -> Result<Self, CredentialError> {
        let token = header_credential(what, token.into())?;
        let starts_with_prefix = !prefix.trim().is_empty()
            && token
                .expose()
                .get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix));
        if starts_with_prefix {
            return Err(CredentialError(format!(
                "{what} already starts with `{}`: give the {what_alone} alone",
                prefix.trim(),
                what_alone = what.trim_start_matches("the ")
            )));
        }
        let value = header_credential(what, format!("{prefix}{}", token.expose()))?;
        Ok(Self {
            header: header_name(header)?,
            header_value: SensitiveValue::of(&value),
        })
    }
}

fn header_name(name: &str) -> Result<HeaderName, CredentialError> {
    HeaderName::try_from(name)
        .map_err(|_| CredentialError(format!("`{name}` is not a valid header name")))
}

impl Authenticate for HeaderToken {
    fn authenticate(&self, request: &mut Request, scheme: Scheme) -> Result<(), CredentialError> {
        if scheme != Scheme::Default {
            return no_credentials_for(scheme);
        }
        request
            .headers_mut()
            .insert(self.header.clone(), self.header_value.0.clone());
        Ok(())
    }
}

#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
/// A key in one header and, in another, the lowercase hex HMAC-SHA512 of the exact body bytes
/// keyed with a secret (the signature of no bytes for a request without a body).
#[derive(Debug, Clone)]
pub struct HmacBodySignature {
    key_header: HeaderName,
    signature_header: HeaderName,
    /// The API key as a sensitive header value, made once.
    api_key_value: SensitiveValue,
    /// The HMAC already keyed with `secret`.
    keyed: BodyMac,
}

#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
/// The HMAC-SHA512 of a body keyed with a secret: the one implementation of the scheme, for
/// requests and for notifications alike, used by the generated clients
/// ([`HmacBodySignature`]), the webhook verifier and signer, and the sandbox. Keyed once (the
/// inner and outer pads hashed once); each MAC starts from that state. `Debug` shows nothing.
///
/// It is *ring*'s HMAC: rustls, the clients' default TLS, builds *ring* anyway, so a signing
/// client adds no crate for it.
#[derive(Clone)]
pub struct BodyMac(ring::hmac::Key);

#[cfg(feature = "hmac")]
impl BodyMac {
    /// The MAC keyed with `secret` (any length).
    pub fn new(secret: &[u8]) -> Self {
        Self(ring::hmac::Key::new(ring::hmac::HMAC_SHA512, secret))
    }

    /// The MAC of `body`, as lowercase hex (128 digits).
    pub fn hex(&self, body: &[u8]) -> String {
        self.hex_into(body, &mut [0; 128]).to_owned()
    }

    /// Whether `mac` (64 bytes) is the MAC of `body`, compared in constant time.
    pub fn verify(&self, body: &[u8], mac: &[u8]) -> bool {
        ring::hmac::verify(&self.0, body, mac).is_ok()
    }

    /// The lowercase hex MAC of `body`, written into `out`: no allocation per request.
    fn hex_into<'a>(&self, body: &[u8], out: &'a mut [u8; 128]) -> &'a str {
        let tag = ring::hmac::sign(&self.0, body);
        hex::encode_to_slice(tag.as_ref(), out).expect("64 bytes fill 128 digits");
        std::str::from_utf8(out).expect("hex digits are ASCII")
    }
}

#[cfg(feature = "hmac")]
impl fmt::Debug for BodyMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BodyMac(***)")
    }
}

#[cfg(feature = "hmac")]
impl HmacBodySignature {
    /// The key goes in `key_header`, the signature in `signature_header`.
    pub fn new(
        key_header: &str,
        signature_header: &str,
        api_key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Result<Self, CredentialError> {
        let api_key = header_credential("the API key", api_key.into())?;
        // The secret only keys the HMAC; it never goes in a header, so any bytes will do.
        let secret = match secret.into() {
            secret if secret.trim().is_empty() => {
                return Err(CredentialError("the secret key is empty".to_owned()))
            }
            secret => Secret(secret),
        };
        Ok(Self {
            key_header: header_name(key_header)?,
            signature_header: header_name(signature_header)?,
            api_key_value: SensitiveValue::of(&api_key),
            keyed: BodyMac::new(secret.expose().as_bytes()),
        })
    }

    /// The signature of `body`: lowercase hex HMAC-SHA512 keyed with the secret.
    pub fn sign(&self, body: &[u8]) -> String {
        self.keyed.hex(body)
    }
}

#[cfg(feature = "hmac")]
impl Authenticate for HmacBodySignature {
    fn authenticate(&self, request: &mut Request, scheme: Scheme) -> Result<(), CredentialError> {
        if scheme != Scheme::Default {
            return no_credentials_for(scheme);
        }
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .unwrap_or_default();
        let signature = HeaderValue::from_str(self.keyed.hex_into(body, &mut [0; 128]))
            .expect("hex is a valid header");
        let headers = request.headers_mut();
        headers.insert(self.key_header.clone(), self.api_key_value.0.clone());
        headers.insert(self.signature_header.clone(), signature);
        Ok(())
    }
}

#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
/// Lowercase hex HMAC-SHA512 of `message` under `key` ([`BodyMac`] for one call).
pub fn hmac_sha512_hex(key: &[u8], message: &[u8]) -> String {
    BodyMac::new(key).hex(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_client() -> reqwest::Client {
        crate::transport::install_tls_provider();
        reqwest::Client::new()
    }

    #[cfg(feature = "hmac")]
    #[test]
    fn body_mac_verifies_its_own_mac_only() {
        let mac = BodyMac::new(b"Jefe");
        let body = b"what do ya want for nothing?";
        let good = hex::decode(mac.hex(body)).expect("hex");
        assert!(mac.verify(body, &good));
        assert!(!mac.verify(b"what do ya want for nothing!", &good));
        assert!(!mac.verify(body, &good[..63]));
        assert_eq!(format!("{mac:?}"), "BodyMac(***)");
    }

    #[cfg(feature = "hmac")]
    #[test]
    fn rfc_4231_test_case_2() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            hmac_sha512_hex(b"Jefe", b"what do ya want for nothing?"),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
             9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
    }

    #[cfg(feature = "hmac")]
    #[test]
    fn body_mac_agrees_with_an_independent_hmac_sha512() {
        use hmac::{Hmac, Mac};
        // Keys shorter than, equal to and longer than SHA-512's 128-byte block (a longer key is
        // hashed first), and bodies from empty to several blocks.
        for key_len in [0, 1, 64, 127, 128, 129, 300] {
            let key: Vec<u8> = (0..key_len).map(|i| (i * 7 + 3) as u8).collect();
            let mac = BodyMac::new(&key);
            for body_len in [0, 1, 111, 112, 128, 1000] {
                let body: Vec<u8> = (0..body_len).map(|i| (i * 13 + 5) as u8).collect();
                let mut oracle = Hmac::<sha2::Sha512>::new_from_slice(&key).expect("any length");
                oracle.update(&body);
                let expected = oracle.finalize().into_bytes();
                assert_eq!(
                    mac.hex(&body),
                    hex::encode(expected),
                    "{key_len}/{body_len}"
                );
                assert!(mac.verify(&body, &expected), "{key_len}/{body_len}");
            }
        }
    }

    #[test]
    fn header_token_puts_prefix_and_token_in_one_sensitive_header() {
        let auth = HeaderToken::new("authorization", "Bearer ", "the token", "t0k").unwrap();
        let mut request = test_client().get("http://127.0.0.1/").build().unwrap();
        auth.authenticate(&mut request, Scheme::Default).unwrap();
        let value = &request.headers()["authorization"];
        assert_eq!(value, "Bearer t0k");
        assert!(value.is_sensitive());
    }

    #[cfg(feature = "hmac")]
    #[test]
    fn hmac_signature_covers_the_exact_body() {
        let auth = HmacBodySignature::new("x-key", "x-signature", "key", "secret").unwrap();
        let mut request = test_client()
            .post("http://127.0.0.1/")
            .body("{}")
            .build()
            .unwrap();
        auth.authenticate(&mut request, Scheme::Default).unwrap();
        assert_eq!(request.headers()["x-key"], "key");
        assert!(request.headers()["x-key"].is_sensitive());
        assert_eq!(
            request.headers()["x-signature"],
            hmac_sha512_hex(b"secret", b"{}").as_str()
        );
    }

    #[test]
    fn schemes_none_and_named() {
        let auth = HeaderToken::new("authorization", "Token ", "the API key", "k").unwrap();
        let mut request = test_client().get("http://127.0.0.1/").build().unwrap();
        auth.authenticate(&mut request, Scheme::None).unwrap();
        assert!(request.headers().is_empty(), "`security: []` adds nothing");
        let error = auth
            .authenticate(&mut request, Scheme::Named("Other"))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "no credentials were given for the `Other` scheme"
        );
        assert!(
            request.headers().is_empty(),
            "never the default credentials"
        );
        assert!(NoAuth
            .authenticate(&mut request, Scheme::Named("Other"))
            .is_err());
    }

    #[test]
    fn credentials_are_checked_and_never_shown() {
        let token = HeaderToken::new("authorization", "Token ", "the API key", "tok-SECRET-1");
        let text = format!("{token:?}");
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("***"), "{text}");
        let error = HeaderToken::new("authorization", "", "the API key", "bad\nSECRET")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "the API key contains characters that are not allowed in an HTTP header"
        );
        // Header names in any case; a name that is not one is an error, not a panic.
        assert!(HeaderToken::new("Authorization", "", "the API key", "k").is_ok());
        assert_eq!(
            HeaderToken::new("authorization", "Token ", "the API key", "token abc")
                .unwrap_err()
                .to_string(),
            "the API key already starts with `Token`: give the API key alone"
        );
        assert!(HeaderToken::new("authorization", "Token ", "the API key", "TokenAbc").is_ok());
        assert_eq!(
            HeaderToken::new("authorization", "Token ", "the API key", " abc ")
                .unwrap_err()
                .to_string(),
            "the API key has spaces around it"
        );
        assert_eq!(Secret::new("s").to_string(), "***");
    }

    #[cfg(feature = "hmac")]
    #[test]
    fn hmac_credentials_are_checked_and_never_shown() {
        let hmac = HmacBodySignature::new("x-key", "x-sig", "key-SECRET-2", "sig-SECRET-3");
        let text = format!("{hmac:?}");
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("***"), "{text}");
        assert_eq!(
            HmacBodySignature::new("x-key", "x-sig", "k", " ")
                .unwrap_err()
                .to_string(),
            "the secret key is empty"
        );
        assert_eq!(
            HmacBodySignature::new("x-key", "x-sig", " ", "s")
                .unwrap_err()
                .to_string(),
            "the API key is empty"
        );
        assert!(HmacBodySignature::new("x-key", "x-sig", "k", "line\nbreak").is_ok());
        assert_eq!(
            HmacBodySignature::new("X Key", "x-sig", "k", "s")
                .unwrap_err()
                .to_string(),
            "`X Key` is not a valid header name"
        );
    }
}
