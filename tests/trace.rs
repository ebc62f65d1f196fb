//! The `tracing` spans and events of the generated clients, the webhook verifiers and the
//! sandbox, as a subscriber sees them: a `tracing_subscriber` layer ([`Capture`]) collects every
//! span, recorded field and event, at every level down to `TRACE`, while the clients talk to
//! servers on 127.0.0.1 (as in `http_errors.rs` and `retry.rs`). Each test ends by checking
//! that nothing captured, in any field of anything at any level, shows one of the credentials
//! it used, or a recognisable part of one.
//!
//! The capture is the test thread's default subscriber; every test runs on a current-thread
//! runtime, so the servers' tasks and the clients' connections report to it too.

mod server;
#[allow(dead_code)] // only `response_example` is used here
mod support;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use invoice_primitives::{ApiError, Config, RetryPolicy};
use server::{
    fast_retry, http_client, http_client_with_dns, refused_addr, Canned, Dns, Reply, TestServer,
};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use apiforcrypto::types as afc;
use cryptocloud::types as cc;

/// Credentials of the calls and deliveries below. Each holds a marker (`SeCrEt`), so that a
/// leak of any part of one is caught, not only of the whole.
const CC_KEY: &str = "cc_live_SeCrEt_7Hq2xZ9wLk4Pm8Rt3Vb6Nc1Yd5Fg0Js";
const CC_WITHDRAWAL_KEY: &str = "cc_withdraw_SeCrEt_pQ8wE3rT6yU1iO4aS7dF";
const CP_KEY: &str = "cp_key_SeCrEt_Q2hhbmdlTWVJblByb2R1Y3Rpb24";
const CP_SECRET: &str = "cp_secret_SeCrEt_9f8e7d6c5b4a39281706f5e4";
const AFC_SECRET_KEY: &str = "afc_invoice_SeCrEt_Zx81Qw72Er63Ty54";
const CC_PROJECT_SECRET: &str = "cc_project_SeCrEt_Lm0Nb9Vc8Xz7As6Df5";
/// Every credential above.
const CREDENTIALS: [&str; 6] = [
    CC_KEY,
    CC_WITHDRAWAL_KEY,
    CP_KEY,
    CP_SECRET,
    AFC_SECRET_KEY,
    CC_PROJECT_SECRET,
];

// ---------------------------------------------------------------------------------------------
// The capturing subscriber.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A span, with the fields it was created with.
    Span,
    /// Fields recorded on a span after it was created.
    Record,
    Event,
}

/// One span, field record or event as the subscriber saw it.
#[derive(Clone, Debug)]
struct Captured {
    kind: Kind,
    /// The span's name, or the event's (`attempt`, not tracing's default `event file:line`).
    name: String,
    target: String,
    level: Level,
    /// The span an event happened in (the innermost), by name.
    span: Option<String>,
    fields: BTreeMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| {
                panic!(
                    "{} `{}` has no field `{name}`: {self:?}",
                    self.target, self.name
                )
            })
    }
}

/// A layer that keeps everything it is shown.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

impl Capture {
    /// Captures everything this thread records until the guard is dropped.
    fn start() -> (Self, tracing::subscriber::DefaultGuard) {
        let capture = Self::default();
        let subscriber = tracing_subscriber::registry().with(capture.clone());
        (capture, tracing::subscriber::set_default(subscriber))
    }

    fn seen(&self) -> Seen {
        Seen(self.0.lock().expect("capture lock").clone())
    }

    fn push(&self, captured: Captured) {
        self.0.lock().expect("capture lock").push(captured);
    }
}

/// Fields as text: strings as they are, everything else as `Debug` (which is `Display` for
/// the values recorded with `%`).
struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let meta = attrs.metadata();
        self.push(Captured {
            kind: Kind::Span,
            name: meta.name().to_owned(),
            target: meta.target().to_owned(),
            level: *meta.level(),
            span: None,
            fields,
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        values.record(&mut Fields(&mut fields));
        let span = ctx.span(id).expect("a recorded span exists");
        self.push(Captured {
            kind: Kind::Record,
            name: span.name().to_owned(),
            target: span.metadata().target().to_owned(),
            level: *span.metadata().level(),
            span: None,
            fields,
        });
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let meta = event.metadata();
        self.push(Captured {
            kind: Kind::Event,
            name: meta.name().to_owned(),
            target: meta.target().to_owned(),
            level: *meta.level(),
            span: ctx.event_span(event).map(|span| span.name().to_owned()),
            fields,
        });
    }
}

/// What was captured, in order.
struct Seen(Vec<Captured>);

impl Seen {
    /// Spans and events of `target` named `name`.
    fn all(&self, kind: Kind, target: &str, name: &str) -> Vec<&Captured> {
        self.0
            .iter()
            .filter(|c| c.kind == kind && c.target == target && c.name == name)
            .collect()
    }

    fn only(&self, kind: Kind, target: &str, name: &str) -> &Captured {
        match self.all(kind, target, name)[..] {
            [one] => one,
            ref other => panic!(
                "{kind:?} {target} `{name}`: {} of them\n{self}",
                other.len()
            ),
        }
    }

    /// The values of `field` recorded on span `name` after it was created, in order.
    fn recorded(&self, target: &str, name: &str, field: &str) -> Vec<&str> {
        self.all(Kind::Record, target, name)
            .into_iter()
            .filter_map(|c| c.fields.get(field).map(String::as_str))
            .collect()
    }

    /// Fails if anything captured shows a credential, or its last 12 characters.
    fn assert_hidden(&self, secrets: &[&str]) {
        let text = self.to_string();
        assert!(!self.0.is_empty(), "nothing was captured");
        for secret in CREDENTIALS.iter().chain(secrets) {
            let tail = &secret[secret.len().saturating_sub(12)..];
            assert!(
                !text.contains(secret) && !text.contains(tail),
                "a credential was recorded ({secret}):\n{text}"
            );
        }
        assert!(
            !text.contains("SeCrEt"),
            "part of a credential was recorded:\n{text}"
        );
    }
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.0 {
            writeln!(
                f,
                "{:?} {} {} {:?} in {:?}: {:?}",
                c.kind, c.level, c.target, c.name, c.span, c.fields
            )?;
        }
        Ok(())
    }
}

/// `fields` of `captured`, as `name=value` pairs, for comparing a few at once.
fn pick(captured: &Captured, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .map(|name| format!("{name}={}", captured.field(name)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Clients.

fn cc_client(base_url: &str, retry: RetryPolicy) -> cryptocloud::Client {
    let credentials = cryptocloud::Credentials::new(CC_KEY).expect("key");
    cryptocloud::Client::new_with_client(
        base_url,
        http_client(),
        Config::new(credentials).with_retry(retry),
    )
    .expect("a valid base URL")
}

fn cc_create() -> cc::builder::InvoiceCreateRequest {
    cc::InvoiceCreateRequest::builder()
        .shop_id("xBAivfPIbskwuEWj")
        .amount("100.00")
        .currency("USD")
        .order_id("ORDER-1001")
}

fn cc_list() -> cc::builder::InvoiceListRequest {
    cc::InvoiceListRequest::builder()
        .start("01.01.2024")
        .end("31.01.2024")
        .offset(0)
        .limit(10)
}

fn documented(spec: &str, operation: &str, name: &str) -> Canned {
    let body = support::response_example(&format!("specs/{spec}.yaml"), operation, "200", name);
    Canned::json(200, body.to_string())
}

// ---------------------------------------------------------------------------------------------
// Calls.

#[tokio::test]
async fn a_success_is_one_send_span_with_its_route_and_an_answered_attempt() {
    let (capture, _guard) = Capture::start();
    let server =
        TestServer::always(documented("cryptocloud", "create_invoice", "documented")).await;
    let created = cc_client(&server.url(), RetryPolicy::none())
        .create_invoice()
        .body(cc_create())
        .send()
        .await;
    assert!(created.is_ok(), "{created:?}");
    let seen = capture.seen();

    let send = seen.only(Kind::Span, "cryptocloud", "send");
    assert_eq!(send.level, Level::INFO);
    assert_eq!(
        pick(send, &["provider", "operation", "method", "path"]),
        [
            "provider=cryptocloud",
            "operation=create_invoice",
            "method=POST",
            "path=/v2/invoice/create"
        ]
    );
    assert_eq!(seen.recorded("cryptocloud", "send", "attempt"), ["1"]);

    let attempt = seen.only(Kind::Event, "cryptocloud", "attempt");
    assert_eq!(
        (attempt.level, attempt.span.as_deref()),
        (Level::DEBUG, Some("send"))
    );
    assert_eq!(
        pick(attempt, &["message", "attempt", "status"]),
        ["message=answered", "attempt=1", "status=200"]
    );
    let duration: f64 = attempt.field("duration_ms").parse().expect("a number");
    assert!(duration >= 0.0);

    // Bodies only at TRACE: the request as sent, the answer as received.
    let bodies = seen.all(Kind::Event, "cryptocloud", "body");
    assert!(bodies.iter().all(|b| b.level == Level::TRACE), "{seen}");
    assert_eq!(
        bodies
            .iter()
            .map(|b| b.field("direction"))
            .collect::<Vec<_>>(),
        ["request", "response"]
    );
    assert!(
        bodies[0].field("body").contains(r#""amount":100.00"#),
        "{seen}"
    );
    assert!(
        bodies[1].field("body").contains(r#""status":"success""#),
        "{seen}"
    );
    for quiet in ["retry", "no retry", "failed"] {
        assert!(
            seen.all(Kind::Event, "cryptocloud", quiet).is_empty(),
            "{seen}"
        );
    }
    // Above TRACE, no body and no header.
    for c in seen.0.iter().filter(|c| c.level != Level::TRACE) {
        let fields = format!("{:?}", c.fields);
        assert!(
            !fields.contains("ORDER-1001") && !fields.contains("xBAivfPIbskwuEWj"),
            "{c:?}"
        );
    }
    seen.assert_hidden(&[]);
}

#[tokio::test]
async fn the_path_is_the_template_and_a_body_s_secret_key_is_withheld() {
    let (capture, _guard) = Capture::start();
    let server =
        TestServer::always(documented("apiforcrypto", "create_invoice", "constructed")).await;
    let client = apiforcrypto::Client::new_with_client(
        &server.url(),
        http_client(),
        Config::new(apiforcrypto::Credentials::new()).with_retry(RetryPolicy::none()),
    )
    .expect("a valid base URL");
    let wallet = "wallet-7f3a9c";
    let created = client
        .create_invoice()
        .wallet_id(wallet)
        .body(
            afc::InvoiceCreateRequest::builder()
                .blockchain("ethereum")
                .symbol("USDT")
                .fiat_currency(afc::FiatAmount::builder().currency("USD").value("100"))
                .expiry(30)
                .confirmations(3)
                .secret_key(AFC_SECRET_KEY),
        )
        .send()
        .await;
    assert!(created.is_ok(), "{created:?}");
    assert!(
        server.requests()[0].body_text().contains(AFC_SECRET_KEY),
        "it was sent"
    );
    let seen = capture.seen();

    let send = seen.only(Kind::Span, "apiforcrypto", "send");
    assert_eq!(
        pick(send, &["provider", "operation", "method", "path"]),
        [
            "provider=apiforcrypto",
            "operation=create_invoice",
            "method=POST",
            "path=/api/v1/wallets/{wallet_id}/invoices"
        ]
    );
    assert!(
        !seen.to_string().contains(wallet),
        "the filled-in path:\n{seen}"
    );
    let request = seen
        .all(Kind::Event, "apiforcrypto", "body")
        .into_iter()
        .find(|b| b.field("direction") == "request")
        .expect("the request body at TRACE");
    assert!(
        request.field("body").contains(r#""secret_key":"***""#),
        "{request:?}"
    );
    assert!(
        request.field("body").contains(r#""symbol":"USDT""#),
        "{request:?}"
    );
    seen.assert_hidden(&[]);
}

#[tokio::test]
async fn a_signed_call_records_neither_its_keys_nor_its_signature() {
    let (capture, _guard) = Capture::start();
    let server = TestServer::always(documented(
        "cryptoprocessing",
        "create_invoice",
        "documented",
    ))
    .await;
    let client = cryptoprocessing::Client::new_with_client(
        &server.url(),
        http_client(),
        Config::new(cryptoprocessing::Credentials::new(CP_KEY, CP_SECRET).expect("keys"))
            .with_retry(RetryPolicy::none()),
    )
    .expect("a valid base URL");
    let body: cryptoprocessing::types::InvoiceCreateRequest = serde_json::from_str(
        r#"{"timer": false, "title": "Invoice Title", "foreign_id": "user_196",
            "currency": "EUR", "amount": 106.75}"#,
    )
    .expect("request");
    let created = client.create_invoice().body(body).send().await;
    assert!(created.is_ok(), "{created:?}");
    let sent = &server.requests()[0];
    let signature = sent.header("x-processing-signature").expect("signed");
    assert_eq!(sent.header("x-processing-key"), Some(CP_KEY));
    let seen = capture.seen();

    let send = seen.only(Kind::Span, "cryptoprocessing", "send");
    assert_eq!(
        pick(send, &["provider", "operation", "method", "path"]),
        [
            "provider=cryptoprocessing",
            "operation=create_invoice",
            "method=POST",
            "path=/api/v2/invoices/create"
        ]
    );
    let attempt = seen.only(Kind::Event, "cryptoprocessing", "attempt");
    assert_eq!(pick(attempt, &["status"]), ["status=200"]);
    let request = seen
        .all(Kind::Event, "cryptoprocessing", "body")
        .into_iter()
        .find(|b| b.field("direction") == "request")
        .expect("the request body at TRACE");
    assert!(
        request.field("body").contains(r#""amount":106.75"#),
        "{request:?}"
    );
    seen.assert_hidden(&[signature]);
}

#[tokio::test]
async fn a_retried_read_records_each_attempt_and_the_wait() {
    let (capture, _guard) = Capture::start();
    let server = TestServer::scripted(vec![
        Reply::Send(Canned::json(503, "{}")),
        Reply::Send(documented("cryptocloud", "list_invoices", "documented")),
    ])
    .await;
    let listed = cc_client(&server.url(), fast_retry(3))
        .list_invoices()
        .body(cc_list())
        .send()
        .await;
    assert!(listed.is_ok(), "{listed:?}");
    let seen = capture.seen();

    let send = seen.only(Kind::Span, "cryptocloud", "send");
    assert_eq!(
        pick(send, &["operation", "method", "path"]),
        [
            "operation=list_invoices",
            "method=POST",
            "path=/v2/invoice/merchant/list"
        ]
    );
    assert_eq!(seen.recorded("cryptocloud", "send", "attempt"), ["1", "2"]);
    let attempts: Vec<Vec<String>> = seen
        .all(Kind::Event, "cryptocloud", "attempt")
        .into_iter()
        .map(|a| pick(a, &["attempt", "status"]))
        .collect();
    assert_eq!(
        attempts,
        [["attempt=1", "status=503"], ["attempt=2", "status=200"]]
    );
    let retry = seen.only(Kind::Event, "cryptocloud", "retry");
    assert_eq!(
        (retry.level, retry.span.as_deref()),
        (Level::INFO, Some("send"))
    );
    assert_eq!(
        pick(retry, &["attempt", "reason"]),
        ["attempt=1", "reason=HTTP 503"]
    );
    let wait: f64 = retry.field("wait_ms").parse().expect("milliseconds");
    assert!(
        wait > 0.0 && wait <= 5.0,
        "fast_retry waits 0.5 to 1 ms, at most 5: {wait}"
    );
    assert!(
        seen.all(Kind::Event, "cryptocloud", "failed").is_empty(),
        "{seen}"
    );
    seen.assert_hidden(&[]);
}

#[tokio::test]
async fn a_write_is_resent_after_a_refused_connection_only() {
    let (capture, _guard) = Capture::start();
    let server = TestServer::always(Canned::json(503, "{}")).await;
    // The first connection is refused, the second reaches the server, which answers 503.
    let (_closed, refused) = refused_addr();
    let dns = Dns::new(vec![refused, server.addr()]);
    let client = cryptocloud::Client::new_with_client(
        "http://provider.test",
        http_client_with_dns(&dns),
        Config::new(cryptocloud::Credentials::new(CC_KEY).expect("key")).with_retry(fast_retry(3)),
    )
    .expect("a valid base URL");
    let error = client
        .create_invoice()
        .body(cc_create())
        .send()
        .await
        .expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    let seen = capture.seen();

    let attempts = seen.all(Kind::Event, "cryptocloud", "attempt");
    assert_eq!(attempts.len(), 2, "{seen}");
    assert_eq!(
        pick(attempts[0], &["message", "attempt", "error"]),
        ["message=no answer", "attempt=1", "error=connect"]
    );
    // The causes, not reqwest's message, which names the URL.
    let cause = attempts[0].field("cause");
    assert!(
        cause.starts_with("connect: ") && !cause.contains("provider.test"),
        "{cause}"
    );
    let retry = seen.only(Kind::Event, "cryptocloud", "retry");
    assert_eq!(
        pick(retry, &["attempt", "reason"]),
        ["attempt=1", "reason=connect"]
    );
    assert_eq!(
        pick(attempts[1], &["attempt", "status"]),
        ["attempt=2", "status=503"]
    );
    // A write that may have reached the provider is not resent.
    let no_retry = seen.only(Kind::Event, "cryptocloud", "no retry");
    assert_eq!(
        pick(no_retry, &["attempt", "reason", "why"]),
        [
            "attempt=2",
            "reason=HTTP 503",
            "why=a write that may have reached the provider"
        ]
    );
    let failed = seen.only(Kind::Event, "cryptocloud", "failed");
    assert_eq!(
        (failed.level, pick(failed, &["error", "status"])),
        (
            Level::WARN,
            vec![
                "error=unexpected status".to_owned(),
                "status=503".to_owned()
            ]
        )
    );
    seen.assert_hidden(&[]);
}

#[tokio::test]
async fn a_write_refused_before_sending_records_the_field_and_the_reason() {
    let (capture, _guard) = Capture::start();
    let server =
        TestServer::always(documented("cryptocloud", "create_invoice", "documented")).await;
    let client = cc_client(&server.url(), RetryPolicy::none());
    let refused = client
        .create_invoice()
        .body(cc_create().amount("0"))
        .send()
        .await
        .expect_err("an amount of zero");
    let ApiError::InvalidRequest(message) = &refused else {
        panic!("{refused:?}")
    };
    // The withdrawal key is not set: refused in the `pre` hook, after the builder.
    let withdrawal = client
        .create_withdrawal()
        .body(
            cc::WithdrawalCreateRequest::builder()
                .currency_code("BTC")
                .to_address("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
                .amount("0.001"),
        )
        .send()
        .await
        .expect_err("no withdrawal key");
    assert!(withdrawal.is_invalid_request(), "{withdrawal:?}");
    assert_eq!(server.request_count(), 0, "nothing was sent");
    let seen = capture.seen();

    let spans = seen.all(Kind::Span, "cryptocloud", "send");
    assert_eq!(
        spans
            .iter()
            .map(|s| s.field("operation"))
            .collect::<Vec<_>>(),
        ["create_invoice", "create_withdrawal"]
    );
    let failed = seen.all(Kind::Event, "cryptocloud", "failed");
    assert_eq!(failed.len(), 2, "{seen}");
    assert_eq!(
        (failed[0].level, failed[0].span.as_deref()),
        (Level::WARN, Some("send"))
    );
    assert_eq!(
        pick(failed[0], &["error", "reason"]),
        ["error=refused".to_owned(), format!("reason={message}")]
    );
    assert!(message.contains("amount"), "names the field: {message}");
    assert_eq!(failed[1].field("error"), "refused");
    assert!(failed[1].field("reason").contains("withdrawal"), "{seen}");
    assert!(
        seen.all(Kind::Event, "cryptocloud", "attempt").is_empty(),
        "{seen}"
    );
    assert!(
        seen.recorded("cryptocloud", "send", "attempt").is_empty(),
        "{seen}"
    );
    seen.assert_hidden(&[]);
}

#[tokio::test]
async fn a_provider_error_and_an_undecodable_answer_are_recorded() {
    let (capture, _guard) = Capture::start();
    let server = TestServer::scripted(vec![
        Reply::Send(Canned::json(
            400,
            r#"{"status": "error", "result": {"validate_error": "x"}}"#,
        )),
        Reply::Send(Canned::json(
            200,
            r#"{"status": "success", "result": [{"uuid": 1}], "all_count": 1}"#,
        )),
    ])
    .await;
    let client = cc_client(&server.url(), RetryPolicy::none());
    let provider = client
        .list_invoices()
        .body(cc_list())
        .send()
        .await
        .expect_err("400");
    assert!(
        matches!(provider, ApiError::Provider { .. }),
        "{provider:?}"
    );
    let invalid = client
        .list_invoices()
        .body(cc_list())
        .send()
        .await
        .expect_err("uuid");
    let ApiError::InvalidResponse { path, message, .. } = &invalid else {
        panic!("{invalid:?}")
    };
    let seen = capture.seen();

    let failed = seen.all(Kind::Event, "cryptocloud", "failed");
    assert_eq!(failed.len(), 2, "{seen}");
    assert_eq!(
        pick(failed[0], &["error", "status"]),
        ["error=provider", "status=400"]
    );
    assert_eq!(
        pick(failed[1], &["error", "status", "path", "reason"]),
        [
            "error=invalid response".to_owned(),
            "status=200".to_owned(),
            format!("path={path}"),
            format!("reason={message}")
        ]
    );
    assert!(path.starts_with("result[0]"), "{path}");
    let statuses: Vec<&str> = seen
        .all(Kind::Event, "cryptocloud", "attempt")
        .into_iter()
        .map(|a| a.field("status"))
        .collect();
    assert_eq!(statuses, ["400", "200"]);
    seen.assert_hidden(&[]);
}

// ---------------------------------------------------------------------------------------------
// Verifiers.

/// The named example of a webhook's JSON body in a spec's `x-webhooks`.
fn webhook_example(spec: &str, webhook: &str, name: &str) -> serde_json::Value {
    let spec = xtask::spec::Spec::load(&xtask::workspace_root(), &format!("specs/{spec}.yaml"))
        .expect("spec loads");
    spec.api.extensions["x-webhooks"][webhook]["post"]["requestBody"]["content"]["application/json"]
        ["examples"][name]["value"]
        .clone()
}

/// A replay guard answering asynchronously, for `verify_once`.
struct AsyncStore(invoice_webhooks::cryptocloud::MemoryTokenStore);

impl invoice_webhooks::cryptocloud::AsyncTokenStore for AsyncStore {
    fn first_use(
        &self,
        token_use: &invoice_webhooks::cryptocloud::TokenUse,
    ) -> impl std::future::Future<
        Output = Result<bool, invoice_webhooks::cryptocloud::StoreUnavailable>,
    > + Send {
        use invoice_webhooks::cryptocloud::TokenStore as _;
        std::future::ready(self.0.first_use(token_use))
    }
}

#[tokio::test]
async fn verifiers_record_the_dedup_key_or_the_rejection_code() {
    use invoice_webhooks::{apiforcrypto, cryptocloud, cryptoprocessing, Secret};

    let (capture, _guard) = Capture::start();
    let mut keys = Vec::new();
    let mut secrets = Vec::new();

    let postback: cryptocloud::Postback =
        serde_json::from_value(webhook_example("cryptocloud", "postback", "paid"))
            .expect("postback");
    let delivery = cryptocloud::Signer::new(Secret::new(CC_PROJECT_SECRET)).sign(&postback);
    let token: serde_json::Value = serde_json::from_slice(&delivery.body).expect("JSON");
    secrets.push(token["token"].as_str().expect("a token").to_owned());
    let verified = cryptocloud::Verifier::new(Secret::new(CC_PROJECT_SECRET))
        .verify(&delivery.headers, &delivery.body)
        .expect("authentic");
    keys.push(("cryptocloud", verified.dedup_key().to_string()));
    let forged = cryptocloud::Verifier::new(Secret::new("another-secret"))
        .verify(&delivery.headers, &delivery.body)
        .expect_err("another secret");
    assert_eq!(forged.code(), "bad_token");
    // Checked and recorded in the store: one event each, the store's refusal included.
    let store = AsyncStore(cryptocloud::MemoryTokenStore::new());
    let verifier = cryptocloud::Verifier::new(Secret::new(CC_PROJECT_SECRET));
    let verified = verifier
        .verify_once(&delivery.headers, &delivery.body, &store)
        .await
        .expect("first use");
    keys.push(("cryptocloud", verified.dedup_key().to_string()));
    let mut other_body = delivery.body.clone();
    other_body.push(b' ');
    let replayed = verifier
        .verify_once(&delivery.headers, &other_body, &store)
        .await
        .expect_err("the token with another body");
    assert_eq!(replayed.code(), "replayed_token");

    let callback: cryptoprocessing::InvoiceCallback =
        serde_json::from_value(webhook_example("cryptoprocessing", "invoice", "confirmed"))
            .expect("callback");
    let delivery = cryptoprocessing::Signer::new(Secret::new(CP_SECRET))
        .with_api_key(Secret::new(CP_KEY))
        .sign(&callback);
    let signature = &delivery.headers[cryptoprocessing::SIGNATURE_HEADER];
    secrets.push(signature.to_str().expect("hex").to_owned());
    let verifier =
        cryptoprocessing::Verifier::new(Secret::new(CP_SECRET)).with_api_key(Secret::new(CP_KEY));
    let verified = verifier
        .verify(&delivery.headers, &delivery.body)
        .expect("authentic");
    keys.push(("cryptoprocessing", verified.dedup_key().to_string()));
    let mut altered = delivery.body.clone();
    altered.push(b' ');
    let forged = verifier
        .verify(&delivery.headers, &altered)
        .expect_err("altered");
    assert_eq!(forged.code(), "bad_signature");

    let notification: apiforcrypto::InvoiceCallback =
        serde_json::from_value(webhook_example("apiforcrypto", "invoice_status", "paid"))
            .expect("notification");
    let delivery = apiforcrypto::Signer::new(Secret::new(AFC_SECRET_KEY)).sign(&notification);
    let stored = Secret::new(AFC_SECRET_KEY);
    let verified = apiforcrypto::Verifier::new(move |_: &str| Some(stored.clone()))
        .verify(&delivery.headers, &delivery.body)
        .expect("authentic");
    keys.push(("apiforcrypto", verified.dedup_key().to_string()));
    let forged = apiforcrypto::Verifier::new(|_: &str| Some(Secret::new("another-key")))
        .verify(&delivery.headers, &delivery.body)
        .expect_err("another key");
    assert_eq!(forged.code(), "bad_secret_key");

    let seen = capture.seen();
    let accepted: Vec<(String, String)> = seen
        .all(Kind::Event, "invoice_webhooks", "accepted")
        .into_iter()
        .map(|e| {
            assert_eq!(e.level, Level::INFO);
            (
                e.field("provider").to_owned(),
                e.field("dedup_key").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = keys
        .into_iter()
        .map(|(provider, key)| (provider.to_owned(), key))
        .collect();
    assert_eq!(accepted, expected);
    let rejected: Vec<Vec<String>> = seen
        .all(Kind::Event, "invoice_webhooks", "rejected")
        .into_iter()
        .map(|e| {
            assert_eq!(e.level, Level::WARN);
            pick(e, &["provider", "code", "status"])
        })
        .collect();
    assert_eq!(
        rejected,
        [
            ["provider=cryptocloud", "code=bad_token", "status=401"],
            ["provider=cryptocloud", "code=replayed_token", "status=401"],
            [
                "provider=cryptoprocessing",
                "code=bad_signature",
                "status=401"
            ],
            ["provider=apiforcrypto", "code=bad_secret_key", "status=401"],
        ]
    );
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    seen.assert_hidden(&secrets);
}

// ---------------------------------------------------------------------------------------------
// The sandbox.

/// A receiver of deliveries on 127.0.0.1 that answers `OK` and hands each body over.
async fn receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<Vec<u8>>) {
    let (sender, bodies) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
        let sender = sender.clone();
        async move {
            let _ = sender.send(body.to_vec());
            "OK"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/hooks/cryptocloud?key=receiver-SeCrEt",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move { axum::serve(listener, app).await.expect("receiver") });
    (url, bodies)
}

#[tokio::test]
async fn the_sandbox_records_requests_and_deliveries() {
    use invoice_sandbox::{Config as SandboxConfig, Provider, Sandbox};

    let (capture, _guard) = Capture::start();
    let (url, mut bodies) = receiver().await;
    let mut config = SandboxConfig::default();
    config.cryptocloud.api_key = CC_KEY.to_owned();
    config.cryptocloud.withdrawal_key = CC_WITHDRAWAL_KEY.to_owned();
    config.cryptocloud.secret_key = CC_PROJECT_SECRET.to_owned();
    config.cryptocloud.postback_url = Some(url);
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let shop = sandbox.config().cryptocloud.shop_id.clone();
    let credentials = cryptocloud::Credentials::new(CC_KEY)
        .and_then(|c| c.with_withdrawal_key(CC_WITHDRAWAL_KEY))
        .expect("keys");
    let client = cryptocloud::Client::new_with_client(
        &sandbox.base_url(Provider::CryptoCloud),
        http_client(),
        Config::new(credentials),
    )
    .expect("a valid base URL");
    let created = client
        .create_invoice()
        .body(cc_create().shop_id(shop))
        .send()
        .await
        .expect("created")
        .into_inner()
        .result;
    let paid = http_client()
        .post(sandbox.control_url(&format!("cryptocloud/invoices/{}/pay", created.uuid)))
        .json(&serde_json::json!({"kind": "full"}))
        .send()
        .await
        .expect("control API");
    assert_eq!(paid.status(), 200);
    let postback = tokio::time::timeout(Duration::from_secs(30), bodies.recv())
        .await
        .expect("a postback within 30 s")
        .expect("a postback");
    let token: serde_json::Value = serde_json::from_slice(&postback).expect("JSON");
    let token = token["token"].as_str().expect("a token").to_owned();
    // The delivery's events come after the receiver's answer.
    let mut waited = Duration::ZERO;
    while capture
        .seen()
        .all(Kind::Event, "invoice_sandbox", "attempt")
        .is_empty()
    {
        assert!(waited < Duration::from_secs(30), "no attempt recorded");
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += Duration::from_millis(10);
    }
    sandbox.shutdown().await;
    let seen = capture.seen();

    let paths: Vec<Vec<String>> = seen
        .all(Kind::Span, "invoice_sandbox", "request")
        .into_iter()
        .map(|s| pick(s, &["method", "path"]))
        .collect();
    assert_eq!(
        paths,
        [
            ["method=POST", "path=/cryptocloud/v2/invoice/create"],
            [
                "method=POST",
                "path=/_sandbox/api/{provider}/invoices/{id}/pay"
            ],
        ]
    );
    let answered: Vec<&str> = seen
        .all(Kind::Event, "invoice_sandbox", "answered")
        .into_iter()
        .map(|e| e.field("status"))
        .collect();
    assert_eq!(answered, ["200", "200"]);
    let delivery = seen.only(Kind::Span, "invoice_sandbox", "delivery");
    assert_eq!(
        pick(delivery, &["delivery", "provider", "invoice"]),
        [
            "delivery=1".to_owned(),
            "provider=cryptocloud".to_owned(),
            format!("invoice={}", created.uuid)
        ]
    );
    assert!(
        delivery.field("url").ends_with("/hooks/cryptocloud"),
        "no query: {delivery:?}"
    );
    let attempt = seen.only(Kind::Event, "invoice_sandbox", "attempt");
    assert_eq!(
        (
            attempt.span.as_deref(),
            pick(attempt, &["attempt", "status", "accepted"])
        ),
        (
            Some("delivery"),
            vec![
                "attempt=1".to_owned(),
                "status=200".to_owned(),
                "accepted=true".to_owned()
            ]
        )
    );
    let callback = seen
        .all(Kind::Event, "invoice_sandbox", "body")
        .into_iter()
        .find(|b| b.field("direction") == "callback")
        .expect("the callback's body at TRACE");
    assert!(
        callback.field("body").contains(r#""token":"***""#),
        "{callback:?}"
    );
    seen.assert_hidden(&[&token, "receiver-SeCrEt"]);
}
