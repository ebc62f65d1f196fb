//! What a generated client records through [`tracing`], and how credentials stay out of it.
//!
//! Every span and event of a call has the target of the client's crate (its name), so
//! `RUST_LOG=<crate>=debug` selects one client:
//!
//! | name | kind, level | fields |
//! | --- | --- | --- |
//! | `send` | span, `INFO` | `provider` (the crate), `operation` (the spec's `operationId`), `method`, `path` (the spec's template, `/wallets/{wallet_id}/invoices`, never the filled-in path), `attempt` (the attempt under way, from 1) |
//! | `attempt` | event, `DEBUG` | `attempt`, `duration_ms`, and `status` when answered, else `error` (`connect`, `timeout`, `body`, ...) and `cause` |
//! | `retry` | event, `INFO` | `attempt` (the one that failed), `reason` (`HTTP 503`, `timeout`), `wait_ms` |
//! | `no retry` | event, `DEBUG` | `attempt`, `reason`, `why` (`last attempt`, `a write that may have reached the provider`, ...) |
//! | `failed` | event, `WARN` | `error`: `refused` with `reason` (the [`ApiError::InvalidRequest`] message: the field and why; nothing was sent), `provider` or `unexpected status` with `status`, `invalid response` with `status`, `path` and `reason`, `transport` with `reason` |
//! | `body` | event, `TRACE` | `direction` (`request`, `response`), `status` (of a response), `body` ([`Redacted`]) |
//!
//! Never recorded: headers (credentials and signatures travel there), the URL or filled-in
//! path (a transport error is recorded by its kind and causes, not by reqwest's message, which
//! holds the URL), and bodies above `TRACE`. At `TRACE`, a body is [`Redacted`]: every member
//! whose name says it holds a credential ([`is_credential_field`]: `secret_key`, `token`,
//! ...) is written as `"***"`. A decoding error at a
//! credential's path is recorded without serde's message, which may quote the value.
//!
//! With no subscriber interested, a callsite costs a load and a comparison: nothing is timed,
//! formatted or allocated, and a call's future holds a disabled span. The span is entered only
//! to record the crate's own events: other crates' events (hyper's) during a call are not in it.

use std::fmt;
use std::time::Duration;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use tracing::{Level, Span};

use crate::error::ApiError;

/// The spans and events of one generated crate, each a callsite of that crate, so that they
/// have its target (`tracing` fixes a callsite's target where the macro is written). The
/// crate's `Trace` implements it (written by `cargo xtask regen`); the runtime decides when
/// each is recorded.
#[doc(hidden)]
pub trait Tracer {
    /// The `send` span of one call; `attempt` is recorded as attempts start.
    fn span(operation: &'static str, method: &'static str, path: &'static str) -> Span;

    /// Whether this crate's events at `level` (`TRACE`, `DEBUG` or `INFO`) are wanted.
    fn enabled(level: Level) -> bool;

    /// `attempt`: an answer with `status`.
    fn answered(attempt: u32, status: u16, duration_ms: f64);

    /// `attempt`: no answer.
    fn no_answer(attempt: u32, error: &'static str, cause: &dyn fmt::Display, duration_ms: f64);

    /// `retry`: the call is sent again after `wait_ms`.
    fn retrying(attempt: u32, reason: &dyn fmt::Display, wait_ms: f64);

    /// `no retry`: a failure that is not resent.
    fn not_retried(attempt: u32, reason: &dyn fmt::Display, why: &'static str);

    /// `failed`: how a call failed.
    fn failed(
        error: &'static str,
        status: Option<u16>,
        path: Option<&str>,
        reason: Option<&dyn fmt::Display>,
    );

    /// `body`: a request's or a response's body, [`Redacted`].
    fn body(direction: &'static str, status: Option<u16>, body: &dyn fmt::Display);
}

/// The `send` span of a generated `send()`, opened first thing. It is a local of `send()`, not
/// a wrapper around its future: wrapping would move the whole future (some 3 KiB) a few times
/// per call, which alone cost more than 1% of a request.
#[doc(hidden)]
pub fn span<T: Tracer>(operation: &'static str, method: &'static str, path: &'static str) -> Span {
    T::span(operation, method, path)
}

/// The `failed` event of a generated `send()` that ends with `result`.
#[doc(hidden)]
pub fn finish<T: Tracer, R, E>(span: &Span, result: &Result<R, ApiError<E>>) {
    if let Err(error) = result {
        span.in_scope(|| failed::<T, E>(error));
    }
}

/// The `send` span of the call whose transport future is being made: `send()` makes it inside
/// its span (see `xtask/src/trace.rs`).
pub(crate) fn current<T: Tracer>() -> Span {
    if T::enabled(Level::INFO) {
        Span::current()
    } else {
        Span::none()
    }
}

fn failed<T: Tracer, E>(error: &ApiError<E>) {
    match error {
        ApiError::InvalidRequest(message) => T::failed("refused", None, None, Some(message)),
        ApiError::Transport(error) => {
            T::failed("transport", None, None, Some(&TransportError(error)));
        }
        ApiError::Provider { status, .. } => {
            T::failed("provider", Some(status.as_u16()), None, None);
        }
        ApiError::UnexpectedStatus { status, .. } => {
            T::failed("unexpected status", Some(status.as_u16()), None, None);
        }
        ApiError::InvalidResponse {
            status,
            path,
            message,
            ..
        } => {
            // serde quotes a value of the wrong type: not a credential's.
            let reason: &dyn fmt::Display = match path.rsplit(['.', '[']).next() {
                Some(field) if is_credential_field(field) => {
                    &"withheld: the field holds a credential"
                }
                _ => message,
            };
            T::failed(
                "invalid response",
                Some(status.as_u16()),
                Some(path),
                Some(reason),
            );
        }
    }
}

/// `attempt` for one attempt's outcome.
pub(crate) fn attempt<T: Tracer>(
    attempt: u32,
    outcome: &reqwest::Result<reqwest::Response>,
    elapsed: Duration,
) {
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    match outcome {
        Ok(response) => T::answered(attempt, response.status().as_u16(), duration_ms),
        Err(error) => T::no_answer(
            attempt,
            error_kind(error),
            &TransportError(error),
            duration_ms,
        ),
    }
}

/// What went wrong with an attempt, in a word or two: `HTTP 503`, `timeout`.
pub(crate) struct Reason<'a>(pub(crate) &'a reqwest::Result<reqwest::Response>);

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Ok(response) => write!(f, "HTTP {}", response.status().as_u16()),
            Err(error) => f.write_str(error_kind(error)),
        }
    }
}

/// What kind of transport failure `error` is: `connect`, `timeout`, `body`, `decode`,
/// `request`, `redirect` or `other`.
pub fn error_kind(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else if error.is_body() {
        "body"
    } else if error.is_decode() {
        "decode"
    } else if error.is_redirect() {
        "redirect"
    } else if error.is_request() {
        "request"
    } else {
        "other"
    }
}

/// A transport error as recorded: its kind, then its causes (`connect: tcp connect error:
/// Connection refused (os error 111)`). reqwest's own message is left out: it holds the URL.
struct TransportError<'a>(&'a reqwest::Error);

impl fmt::Display for TransportError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(error_kind(self.0))?;
        let mut shown = String::new();
        let mut source = std::error::Error::source(self.0);
        while let Some(cause) = source {
            let text = cause.to_string();
            // hyper repeats its cause in its own message.
            if !text.is_empty() && !shown.contains(&text) {
                write!(f, ": {text}")?;
                shown.push_str(&text);
            }
            source = cause.source();
        }
        Ok(())
    }
}

/// Whether a body member or form field named `name` holds a credential, so that its value is
/// never recorded: `token`, `secret`, `key`, `signature`, `password` or `authorization`, or a
/// name ending in `_` or `-` and one of these (`secret_key`, `api_key`, `access_token`), in
/// any case.
pub fn is_credential_field(name: &str) -> bool {
    const WORDS: [&str; 6] = [
        "token",
        "secret",
        "key",
        "signature",
        "password",
        "authorization",
    ];
    let name = name.to_ascii_lowercase();
    WORDS.iter().any(|word| {
        name.strip_suffix(word)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with(['_', '-']))
    })
}

/// A body as recorded at `TRACE`: JSON with the value of every credential member
/// ([`is_credential_field`]), at any depth, written as `"***"` and everything else exactly as
/// sent; a form (`a=1&b=2`) likewise; anything else as its length only, since nothing in it
/// can be told apart.
#[derive(Debug, Clone, Copy)]
pub struct Redacted<'a>(pub &'a [u8]);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Ok(text) = std::str::from_utf8(self.0) else {
            return write!(f, "<{} bytes, not UTF-8>", self.0.len());
        };
        if text.trim().is_empty() {
            return write!(f, "<{} bytes, blank>", self.0.len());
        }
        match redact_json(text).or_else(|| redact_form(text)) {
            Some(redacted) => f.write_str(&redacted),
            None => write!(f, "<{} bytes, neither JSON nor a form>", self.0.len()),
        }
    }
}

const WITHHELD: &str = "***";

fn redact_json(text: &str) -> Option<String> {
    let value: &RawValue = serde_json::from_str(text).ok()?;
    let mut out = String::with_capacity(text.len());
    write_redacted(value, &mut out).ok()?;
    Some(out)
}

/// Writes `value` with its credential members withheld; members keep their order, and
/// numbers and strings their text.
fn write_redacted(value: &RawValue, out: &mut String) -> serde_json::Result<()> {
    let text = value.get();
    match text.as_bytes().first() {
        Some(b'{') => {
            let Members(members) = serde_json::from_str(text)?;
            out.push('{');
            for (i, (name, member)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(&name)?);
                out.push(':');
                if is_credential_field(&name) {
                    out.push_str(&serde_json::to_string(WITHHELD)?);
                } else {
                    write_redacted(member, out)?;
                }
            }
            out.push('}');
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text)?;
            out.push('[');
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_redacted(item, out)?;
            }
            out.push(']');
        }
        _ => out.push_str(text),
    }
    Ok(())
}

/// An object's members in order, each value as its raw text.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Members<'de>, M::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// A form body with its credential fields withheld; `None` unless `text` is one: only the
/// characters form encoding writes (a cut-off JSON body with a `=` in it is not a form), and a
/// `=` in every field.
fn redact_form(text: &str) -> Option<String> {
    let text = text.trim();
    let encoded = |b: u8| b.is_ascii_alphanumeric() || b"*-._%+=&".contains(&b);
    if !text.bytes().all(encoded) || !text.split('&').all(|field| field.contains('=')) {
        return None;
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(text).ok()?;
    let redacted: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| {
            let value = if is_credential_field(name) {
                WITHHELD
            } else {
                value.as_str()
            };
            (name.as_str(), value)
        })
        .collect();
    serde_urlencoded::to_string(redacted).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_fields_are_told_by_name() {
        for name in [
            "token",
            "secret_key",
            "api_key",
            "API-KEY",
            "withdrawal_key",
            "Secret",
            "client_secret",
            "access_token",
            "signature",
            "password",
            "Authorization",
        ] {
            assert!(is_credential_field(name), "{name}");
        }
        for name in [
            "amount",
            "keys",
            "monkey",
            "tokens_left",
            "uuid",
            "order_id",
            "",
        ] {
            assert!(!is_credential_field(name), "{name}");
        }
    }

    #[test]
    fn json_keeps_everything_but_credentials_exactly() {
        let body = br#" {"amount": 100.1234567890123456789, "secret_key": "s3cr3t",
            "data": {"token": {"nested": "x"}, "list": [1, {"api_key": 7}]}, "a\u005fb": "\u00e9"} "#;
        let text = Redacted(body).to_string();
        assert_eq!(
            text,
            r#"{"amount":100.1234567890123456789,"secret_key":"***","data":{"token":"***","list":[1,{"api_key":"***"}]},"a_b":"\u00e9"}"#
        );
        // An escaped name is still recognised.
        let text = Redacted(br#"{"secret\u005fkey": "s3cr3t"}"#).to_string();
        assert!(!text.contains("s3cr3t"), "{text}");
        assert_eq!(Redacted(b"[]").to_string(), "[]");
        assert_eq!(Redacted(b"\"plain\"").to_string(), "\"plain\"");
    }

    #[test]
    fn forms_keep_everything_but_credentials() {
        let text = Redacted(b"status=success&token=eyJhbGciOi.x.y&amount_crypto=1.5").to_string();
        assert_eq!(text, "status=success&token=***&amount_crypto=1.5");
    }

    /// Records what `failed` is given; every other callsite is off.
    struct Recorder;

    thread_local! {
        static FAILED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    impl Tracer for Recorder {
        fn span(_: &'static str, _: &'static str, _: &'static str) -> Span {
            Span::none()
        }
        fn enabled(_: Level) -> bool {
            false
        }
        fn answered(_: u32, _: u16, _: f64) {}
        fn no_answer(_: u32, _: &'static str, _: &dyn fmt::Display, _: f64) {}
        fn retrying(_: u32, _: &dyn fmt::Display, _: f64) {}
        fn not_retried(_: u32, _: &dyn fmt::Display, _: &'static str) {}
        fn failed(
            error: &'static str,
            status: Option<u16>,
            path: Option<&str>,
            reason: Option<&dyn fmt::Display>,
        ) {
            let reason = reason.map(ToString::to_string);
            FAILED.with(|f| {
                f.borrow_mut()
                    .push(format!("{error} {status:?} {path:?} {reason:?}"))
            });
        }
        fn body(_: &'static str, _: Option<u16>, _: &dyn fmt::Display) {}
    }

    #[test]
    fn a_decoding_error_at_a_credential_keeps_its_path_not_serde_s_message() {
        let invalid = |path: &str| ApiError::<()>::InvalidResponse {
            status: reqwest::StatusCode::OK,
            headers: Box::default(),
            path: path.to_owned(),
            message: "invalid type: string \"s3cr3t\", expected u64".to_owned(),
            body: Vec::new(),
        };
        failed::<Recorder, ()>(&invalid("data.secret_key"));
        failed::<Recorder, ()>(&invalid("result[0].amount"));
        failed::<Recorder, ()>(&ApiError::InvalidRequest(
            "`amount`: must be above 0".into(),
        ));
        let recorded = FAILED.with(|f| f.take());
        assert_eq!(
            recorded,
            [
                r#"invalid response Some(200) Some("data.secret_key") Some("withheld: the field holds a credential")"#,
                r#"invalid response Some(200) Some("result[0].amount") Some("invalid type: string \"s3cr3t\", expected u64")"#,
                r#"refused None None Some("`amount`: must be above 0")"#,
            ]
        );
    }

    #[test]
    fn anything_else_is_its_length() {
        assert_eq!(
            Redacted(b"<html>token s3cr3t</html>").to_string(),
            "<25 bytes, neither JSON nor a form>"
        );
        assert_eq!(
            Redacted(b"{\"a\":\"x=y\",\"token\":\"s3cr3t\"").to_string(),
            "<27 bytes, neither JSON nor a form>"
        );
        assert_eq!(Redacted(&[0xff, 0xfe]).to_string(), "<2 bytes, not UTF-8>");
        assert_eq!(Redacted(b"").to_string(), "<0 bytes, blank>");
    }
}
