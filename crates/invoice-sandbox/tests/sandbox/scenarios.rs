//! Every payment kept: a matrix of payment scenarios, end to end, through exactly the code the
//! README's "Receiving webhooks" recommends. For each provider, every payment outcome the
//! sandbox can produce, delivered in every pattern that applies: the invoice is created with
//! the generated client, paid (or expired, or canceled) through the control API or the client,
//! and the sandbox's signed deliveries reach a merchant's receiver on 127.0.0.1
//! (`support::merchant`), which verifies them with `invoice-webhooks` (CryptoCloud: replay
//! guard and `verify_and_confirm`) and keeps books. Each row then asserts the books: credited
//! once, with exactly the amount paid (the decimal and its text), or not credited.
//!
//! Delivery patterns: once; duplicated (every delivery re-sent through the control API);
//! out of order (the first notification refused, so its retry comes after the later ones);
//! refused (the merchant down: every delivery's first attempt answered 500 unread, retried on
//! the provider's schedule); crashed (every delivery verified, then 500 before storing, the
//! retry stored). Retries are reached by moving sandbox time, never by waiting for it.
//!
//! What does not apply, and why:
//! - CryptoCloud, out of order: one postback per invoice ("after an invoice is confirmed
//!   (paid) the system POSTs", and the sandbox takes no payment once an invoice is paid).
//! - CryptoCloud, cancel after part: cancel "succeeds only while the invoice is in status
//!   `created`".
//! - apiforcrypto, cancel: "No list/history, cancel, or update method exists in the docs".
//! - Every pattern, for an outcome that sends nothing (CryptoCloud notifies "only successful
//!   payments"; an apiforcrypto invoice that expires changes no status): there is nothing to
//!   deliver, so such a row only checks that nothing was credited.
//! - Cryptoprocessing's `processing` (mempool) and apiforcrypto's `IN_MEMPOOL`/`IN_BLOCK`: the
//!   sandbox does not model confirmations (its README, "Not modelled").
//!
//! The three providers' matrices run as three tests. Within one, the rows of each delivery
//! pattern share a sandbox and run one after another, so that moving that sandbox's time keeps
//! each row's deliveries in the order the pattern names; the patterns run at once.

use crate::support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use invoice_sandbox::{Provider, SandboxHandle};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use support::merchant::{Fault, Handled, Merchant, Money};
use support::{attempted, control, settled};

/// What happens to an invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Full,
    Part,
    PartThenFull,
    Over,
    Expire,
    ExpireAfterPart,
    Cancel,
    CancelAfterPart,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Full => "full",
            Outcome::Part => "part",
            Outcome::PartThenFull => "part then full",
            Outcome::Over => "over",
            Outcome::Expire => "expire",
            Outcome::ExpireAfterPart => "expire after part",
            Outcome::Cancel => "cancel",
            Outcome::CancelAfterPart => "cancel after part",
        }
    }

    /// What is done to the invoice, in order.
    fn steps(self) -> &'static [Step] {
        use Step::*;
        match self {
            Outcome::Full => &[PayFull],
            Outcome::Part => &[PayPart],
            Outcome::PartThenFull => &[PayPart, PayRest],
            Outcome::Over => &[PayOver],
            Outcome::Expire => &[Expire],
            Outcome::ExpireAfterPart => &[PayPart, Expire],
            Outcome::Cancel => &[Cancel],
            Outcome::CancelAfterPart => &[PayPart, Cancel],
        }
    }
}

/// One thing done to an invoice.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// The whole amount at once.
    PayFull,
    /// Part of it.
    PayPart,
    /// The rest after [`Step::PayPart`].
    PayRest,
    /// More than the whole amount.
    PayOver,
    /// Its time runs out (the control API's expiry, as at its expiry time).
    Expire,
    /// The merchant cancels it through the provider's API.
    Cancel,
}

/// How the deliveries of a row reach the merchant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pattern {
    /// The outcome sends nothing.
    Nothing,
    Once,
    Duplicated,
    OutOfOrder,
    Refused,
    Crashed,
}

impl Pattern {
    fn name(self) -> &'static str {
        match self {
            Pattern::Nothing => "nothing sent",
            Pattern::Once => "once",
            Pattern::Duplicated => "duplicated",
            Pattern::OutOfOrder => "out of order",
            Pattern::Refused => "refused, retried",
            Pattern::Crashed => "crashed before storing, retried",
        }
    }
}

/// One outcome of one provider, and what the merchant's books must hold after it.
struct Case {
    provider: Provider,
    outcome: Outcome,
    /// How many notifications the outcome sends.
    deliveries: usize,
    /// The amount credited, as the provider writes it, or `None`: nothing credited.
    credited: Option<&'static str>,
    /// Every payment on record, credited or not (Cryptoprocessing's underpaid invoices keep
    /// theirs uncredited), when that is more than what was credited.
    on_record: Option<&'static str>,
    /// The docs' sentence the expectation rests on.
    doc: &'static str,
}

/// A row of the matrix: a case, delivered one way.
struct Row {
    case: &'static Case,
    pattern: Pattern,
    /// The docs' sentence the delivery pattern rests on.
    doc: &'static str,
}

/// The amounts paid, in the invoice's payment currency: (full, part, rest, over).
fn amounts(provider: Provider) -> (&'static str, &'static str, &'static str, &'static str) {
    match provider {
        Provider::CryptoCloud | Provider::Cryptoprocessing => ("100", "40", "60", "112.5"),
        Provider::ApiForCrypto => ("0.01", "0.004", "0.006", "0.0125"),
    }
}

/// The currency the books credit in.
fn currency(provider: Provider) -> &'static str {
    match provider {
        // 100 USD is 100 USDT_TRC20, the sandbox's default coin (it quotes fiat at par).
        Provider::CryptoCloud => "USDT_TRC20",
        // The coin paid ("`currency_sent`: coin paid", "`transactions`: … `currency`",
        // more-pages.md 2.4): an EUR invoice without `sender_currency` is paid in the sandbox's
        // default coin, USDTT, quoted at par.
        Provider::Cryptoprocessing => "USDTT",
        Provider::ApiForCrypto => "BTC",
    }
}

const CASES: &[Case] = &[
    // CryptoCloud: the merchant credits the record's `received`.
    Case {
        provider: Provider::CryptoCloud,
        outcome: Outcome::Full,
        deliveries: 1,
        credited: Some("100"),
        on_record: None,
        doc: "more-pages.md 1.6: \"after an invoice is confirmed (paid) the system POSTs to the \
              notification URL\"; invoice info: received, \"Amount credited to the balance in \
              cryptocurrency\"",
    },
    Case {
        provider: Provider::CryptoCloud,
        outcome: Outcome::Part,
        deliveries: 0,
        credited: None,
        on_record: None,
        doc: "more-pages.md 1.6: \"Only successful payments are notified\"",
    },
    Case {
        provider: Provider::CryptoCloud,
        outcome: Outcome::PartThenFull,
        deliveries: 1,
        credited: Some("100"),
        on_record: None,
        doc: "invoice info: received, \"Amount credited to the balance in cryptocurrency\" (both \
              parts: the invoice's total, not the last payment)",
    },
    Case {
        provider: Provider::CryptoCloud,
        outcome: Outcome::Over,
        deliveries: 1,
        credited: Some("112.5"),
        on_record: None,
        doc: "more-pages.md 1.6: amount_crypto, \"paid amount in the coin\"; invoice info: \
              amount, \"Invoice amount in the selected cryptocurrency\" (they differ: no \
              confirmation may compare them), received, \"Amount credited to the balance\"",
    },
    Case {
        provider: Provider::CryptoCloud,
        outcome: Outcome::Expire,
        deliveries: 0,
        credited: None,
        on_record: None,
        doc: "invoice info: \"After the expiration time, the invoice status will change to \
              canceled if payment has not been received.\"",
    },
    Case {
        provider: Provider::CryptoCloud,
        outcome: Outcome::ExpireAfterPart,
        deliveries: 0,
        credited: None,
        on_record: None,
        doc: "more-pages.md 1.6: \"Only successful payments are notified\"",
    },
    Case {
        provider: Provider::CryptoCloud,
        outcome: Outcome::Cancel,
        deliveries: 0,
        credited: None,
        on_record: None,
        doc: "more-pages.md 1.1: cancel \"succeeds only while the invoice is in status \
              `created`\"; 1.6: \"Only successful payments are notified\"",
    },
    // Cryptoprocessing: every payment recorded once; credited once the invoice is confirmed.
    Case {
        provider: Provider::Cryptoprocessing,
        outcome: Outcome::Full,
        deliveries: 1,
        credited: Some("100.00000000"),
        on_record: None,
        doc: "more-pages.md 2.2: \"After confirmation funds are converted to `currency` and \
              credited, minus fees.\"",
    },
    Case {
        provider: Provider::Cryptoprocessing,
        outcome: Outcome::Part,
        deliveries: 1,
        credited: None,
        on_record: Some("40.00000000"),
        doc: "more-pages.md 2.4: \"partial payments (installments) produce one per part\"; the \
              installments example is `pending`",
    },
    Case {
        provider: Provider::Cryptoprocessing,
        outcome: Outcome::PartThenFull,
        deliveries: 2,
        credited: Some("100.00000000"),
        on_record: None,
        doc: "more-pages.md 2.4: \"One callback per status change; partial payments \
              (installments) produce one per part.\"",
    },
    Case {
        provider: Provider::Cryptoprocessing,
        outcome: Outcome::Over,
        deliveries: 1,
        credited: Some("112.50000000"),
        on_record: None,
        doc: "more-pages.md 2.2: \"Mismatched amounts trigger a refund e-mail to the customer \
              (full refund if under, difference if over).\" The books credit what was paid",
    },
    Case {
        provider: Provider::Cryptoprocessing,
        outcome: Outcome::Expire,
        deliveries: 1,
        credited: None,
        on_record: None,
        doc: "more-pages.md 2.2: \"The invoice fails if the timer expires unpaid\"",
    },
    Case {
        provider: Provider::Cryptoprocessing,
        outcome: Outcome::ExpireAfterPart,
        deliveries: 2,
        credited: None,
        on_record: Some("40.00000000"),
        doc: "more-pages.md 2.2: the invoice fails \"if the customer underpays (transaction \
              confirmed, invoice failed)\"",
    },
    Case {
        provider: Provider::Cryptoprocessing,
        outcome: Outcome::Cancel,
        deliveries: 1,
        credited: None,
        on_record: None,
        doc: "more-pages.md 2.3: cancel is \"allowed while the invoice is `created`, `pending` \
              or `processing`\"",
    },
    Case {
        provider: Provider::Cryptoprocessing,
        outcome: Outcome::CancelAfterPart,
        deliveries: 2,
        credited: None,
        on_record: Some("40.00000000"),
        doc: "more-pages.md 2.3: cancel is \"allowed while the invoice is `created`, `pending` \
              or `processing`\"; \"no separate `cancelled` status is documented\" (it fails)",
    },
    // apiforcrypto: `value` credited once per invoice, when it is PAID.
    Case {
        provider: Provider::ApiForCrypto,
        outcome: Outcome::Full,
        deliveries: 1,
        credited: Some("0.01"),
        on_record: None,
        doc: "invoices page: value, \"The final amount for payment in the blockchain currency \
              or token currency\"; status \"PAID\"",
    },
    Case {
        provider: Provider::ApiForCrypto,
        outcome: Outcome::Part,
        deliveries: 1,
        credited: None,
        on_record: None,
        doc: "invoices page: status \"PARTIALLY_PAID\"",
    },
    Case {
        provider: Provider::ApiForCrypto,
        outcome: Outcome::PartThenFull,
        deliveries: 2,
        credited: Some("0.01"),
        on_record: None,
        doc: "invoices page: url_callback, \"User's address for notification of invoice status \
              changes.\"",
    },
    Case {
        provider: Provider::ApiForCrypto,
        outcome: Outcome::Over,
        deliveries: 1,
        credited: Some("0.01"),
        on_record: None,
        doc: "invoices page: txs, \"Hash of each transaction for this invoice\": no field says \
              what was paid, so `value` is credited",
    },
    Case {
        provider: Provider::ApiForCrypto,
        outcome: Outcome::Expire,
        deliveries: 0,
        credited: None,
        on_record: None,
        doc: "invoices page: expiry, \"After this time elapses, the invoice will be considered \
              unpaid\"",
    },
    Case {
        provider: Provider::ApiForCrypto,
        outcome: Outcome::ExpireAfterPart,
        deliveries: 1,
        credited: None,
        on_record: None,
        doc: "invoices page: expiry, \"After this time elapses, the invoice will be considered \
              unpaid\"",
    },
];

/// The docs' sentence a delivery pattern rests on, for a provider.
fn pattern_doc(provider: Provider, pattern: Pattern) -> &'static str {
    match (provider, pattern) {
        (_, Pattern::Nothing) => "nothing is sent",
        (_, Pattern::Once) => "the usual case",
        (Provider::CryptoCloud, Pattern::Duplicated) => {
            "more-pages.md 1.7: \"the notification can be re-sent after fixing the integration\""
        }
        (Provider::CryptoCloud, _) => {
            "more-pages.md 1.6: \"Retries, expected response code, source IPs: not \
             documented\" (the sandbox retries after 1, 5, 15 and 60 minutes)"
        }
        (Provider::Cryptoprocessing, Pattern::Duplicated) => {
            "more-pages.md 2.4: \"de-duplicate (same callback may arrive more than once; key \
             on transaction ids)\""
        }
        (Provider::Cryptoprocessing, _) => {
            "more-pages.md 2.4: \"Retries if not 200 (current page): 12 retries after the \
             first attempt, each relative to the previous one\""
        }
        (Provider::ApiForCrypto, _) => {
            "invoices page: \"If our server does not receive an \"OK\" (200) response to the \
             sent webhook, the server will retry sending the webhook every minute\""
        }
    }
}

/// Every row of one provider's matrix.
fn rows(provider: Provider) -> Vec<Row> {
    let mut rows = Vec::new();
    for case in CASES.iter().filter(|c| c.provider == provider) {
        let patterns: &[Pattern] = match case.deliveries {
            0 => &[Pattern::Nothing],
            1 => &[
                Pattern::Once,
                Pattern::Duplicated,
                Pattern::Refused,
                Pattern::Crashed,
            ],
            _ => &[
                Pattern::Once,
                Pattern::Duplicated,
                Pattern::OutOfOrder,
                Pattern::Refused,
                Pattern::Crashed,
            ],
        };
        for &pattern in patterns {
            rows.push(Row {
                case,
                pattern,
                doc: pattern_doc(provider, pattern),
            });
        }
    }
    rows
}

/// A sandbox, the merchant it notifies, and the generated client of one provider.
struct Shop {
    provider: Provider,
    sandbox: SandboxHandle,
    merchant: Arc<Merchant>,
    client: Client,
}

/// The generated client the merchant creates (and cancels) invoices with.
enum Client {
    CryptoCloud(Box<cryptocloud::Client>),
    Cryptoprocessing(Box<cryptoprocessing::Client>),
    ApiForCrypto(Box<apiforcrypto::Client>),
}

impl Shop {
    async fn open(provider: Provider) -> Self {
        let merchant = Merchant::start().await;
        let sandbox = merchant.sandbox().await;
        let keys = sandbox.config().clone();
        let client = match provider {
            Provider::CryptoCloud => {
                merchant.receive_cryptocloud(
                    &keys.cryptocloud.secret_key,
                    support::cryptocloud_client(&sandbox),
                );
                Client::CryptoCloud(Box::new(support::cryptocloud_client(&sandbox)))
            }
            Provider::Cryptoprocessing => {
                merchant.receive_cryptoprocessing(
                    &keys.cryptoprocessing.secret_key,
                    &keys.cryptoprocessing.api_key,
                );
                Client::Cryptoprocessing(Box::new(support::cryptoprocessing_client(&sandbox)))
            }
            Provider::ApiForCrypto => {
                Client::ApiForCrypto(Box::new(support::apiforcrypto_client(&sandbox)))
            }
        };
        Self {
            provider,
            sandbox,
            merchant,
            client,
        }
    }

    /// Creates the invoice of `order` with the generated client; its id.
    async fn create(&self, order: &str) -> Result<String, String> {
        match &self.client {
            Client::CryptoCloud(client) => {
                let config = &self.sandbox.config().cryptocloud;
                let created = client
                    .create_invoice()
                    .body(
                        cryptocloud::types::InvoiceCreateRequest::builder()
                            .shop_id(config.shop_id.as_str())
                            .amount("100")
                            .currency("USD")
                            .order_id(order),
                    )
                    .send()
                    .await
                    .map_err(|e| format!("create: {e}"))?;
                Ok(created.into_inner().result.uuid.to_string())
            }
            Client::Cryptoprocessing(client) => {
                let created = client
                    .create_invoice()
                    .body(support::cryptoprocessing_request(order))
                    .send()
                    .await
                    .map_err(|e| format!("create: {e}"))?;
                Ok(created.into_inner().data.id.to_string())
            }
            Client::ApiForCrypto(client) => {
                let wallet = &self.sandbox.config().apiforcrypto.wallet_ids[0];
                let key = invoice_webhooks::apiforcrypto::generate_secret_key();
                let created = client
                    .create_invoice()
                    .wallet_id(wallet.as_str())
                    .body(support::apiforcrypto_request(
                        &self.merchant,
                        order,
                        1,
                        &key,
                    ))
                    .send()
                    .await
                    .map_err(|e| format!("create: {e}"))?
                    .into_inner();
                self.merchant.keep_key(&created.id, key);
                Ok(created.id)
            }
        }
    }

    /// Does `step` to the invoice `id` of `order`.
    async fn step(&self, step: Step, order: &str, id: &str) -> Result<(), String> {
        let (full, part, rest, over) = amounts(self.provider);
        let slug = self.provider.slug();
        let (path, body) = match step {
            Step::PayFull => ("pay", json!({ "amount": full })),
            Step::PayPart => ("pay", json!({ "amount": part })),
            Step::PayRest => ("pay", json!({ "amount": rest })),
            Step::PayOver => ("pay", json!({ "amount": over })),
            Step::Expire => ("expire", json!({})),
            Step::Cancel => return self.cancel(order, id).await,
        };
        let (status, answer) = control(
            &self.sandbox,
            &format!("{slug}/invoices/{id}/{path}"),
            Some(body),
        )
        .await;
        check(status == 200, || format!("{step:?}: {status} {answer}"))
    }

    /// Cancels through the provider's API, as the merchant would.
    async fn cancel(&self, order: &str, id: &str) -> Result<(), String> {
        match &self.client {
            Client::CryptoCloud(client) => client
                .cancel_invoice()
                .body(cryptocloud::types::InvoiceCancelRequest::builder().uuid(id))
                .send()
                .await
                .map(drop)
                .map_err(|e| format!("cancel: {e}")),
            Client::Cryptoprocessing(client) => client
                .cancel_invoice()
                .foreign_id(order)
                .body(cryptoprocessing::types::EmptyRequest {})
                .send()
                .await
                .map(drop)
                .map_err(|e| format!("cancel: {e}")),
            Client::ApiForCrypto(_) => Err("apiforcrypto has no cancel".into()),
        }
    }

    /// Plays one row: what the books hold, or what went wrong.
    async fn play(&self, number: usize, row: &Row) -> Result<String, String> {
        let case = row.case;
        let order = format!("{}-{number}", self.provider.slug());
        match row.pattern {
            Pattern::OutOfOrder => self.merchant.fail(&order, Fault::Down(1)),
            Pattern::Refused => self.merchant.fail(&order, Fault::Down(case.deliveries)),
            Pattern::Crashed => self.merchant.fail(&order, Fault::Crash(case.deliveries)),
            Pattern::Nothing | Pattern::Once | Pattern::Duplicated => {}
        }
        let id = self.create(&order).await?;
        for &step in case.outcome.steps() {
            self.step(step, &order, &id).await?;
            // Each notification goes out before the next step, as when a customer pays the
            // rest after the first part was notified.
            attempted(&self.sandbox, &id).await;
        }
        let mut log = settled(&self.sandbox, &id).await?;
        check(log.len() == case.deliveries, || {
            format!("{} deliveries, not {}: {log:?}", log.len(), case.deliveries)
        })?;
        if row.pattern == Pattern::Duplicated {
            for delivery in &log {
                let path = format!("deliveries/{}/resend", delivery["id"]);
                let (status, answer) = control(&self.sandbox, &path, Some(json!({}))).await;
                check(status == 200, || format!("resend: {status} {answer}"))?;
            }
            log = settled(&self.sandbox, &id).await?;
        }
        self.check_pattern(row, &order, &log)?;
        self.check_books(case, &order)
    }

    /// That the deliveries went as the pattern says.
    fn check_pattern(&self, row: &Row, order: &str, log: &[Value]) -> Result<(), String> {
        let n = row.case.deliveries;
        let handled = self.merchant.handled(order);
        let count = |what: Handled| handled.iter().filter(|h| **h == what).count();
        let stored = count(Handled::Stored);
        let attempts = |d: &Value| d["attempts"].as_array().map_or(0, Vec::len);
        let first_status = |d: &Value| d["attempts"][0]["status"].as_u64();
        let events = || {
            log.iter()
                .map(|d| d["event"].as_str().unwrap_or(""))
                .collect::<Vec<_>>()
        };
        match row.pattern {
            Pattern::Nothing | Pattern::Once => {
                check(stored == n && log.iter().all(|d| attempts(d) == 1), || {
                    format!("each delivery once: {handled:?}")
                })
            }
            Pattern::Duplicated => check(log.len() == 2 * n && stored == 2 * n, || {
                format!("each delivery twice: {handled:?}")
            }),
            Pattern::OutOfOrder => {
                let stored_order = self.merchant.order(order).stored;
                let sent = events();
                check(
                    count(Handled::Down) == 1
                        && stored_order.first().map(String::as_str) == sent.last().copied()
                        && stored_order.last().map(String::as_str) == sent.first().copied(),
                    || format!("sent {sent:?}, stored {stored_order:?}"),
                )
            }
            Pattern::Refused => check(
                count(Handled::Down) == n
                    && log
                        .iter()
                        .all(|d| attempts(d) == 2 && first_status(d) == Some(500)),
                || format!("each delivery refused once, then retried: {handled:?} {log:?}"),
            ),
            Pattern::Crashed => check(
                count(Handled::Crashed) == n && stored == n && log.iter().all(|d| attempts(d) == 2),
                || format!("each delivery crashed once, then stored: {handled:?}"),
            ),
        }
    }

    /// That the books hold what the case says: credited once, with exactly what was paid.
    fn check_books(&self, case: &Case, order: &str) -> Result<String, String> {
        let books = self.merchant.order(order);
        check(books.notifications.len() == case.deliveries, || {
            format!(
                "{} distinct notifications stored, not {}",
                books.notifications.len(),
                case.deliveries
            )
        })?;
        let currency = currency(case.provider);
        same_amount("credited", books.credited(), case.credited, currency)?;
        let on_record = case.on_record.or(case.credited);
        same_amount("on record", books.on_record(), on_record, currency)?;
        Ok(match books.credited() {
            Some(money) => format!("credited {} {}", money.amount, money.currency),
            None => "not credited".into(),
        })
    }
}

/// An amount in the books against the expected text: equal as decimals, written the same, in
/// `currency`.
fn same_amount(
    what: &str,
    found: Option<Money>,
    expected: Option<&str>,
    currency: &str,
) -> Result<(), String> {
    match (found, expected) {
        (None, None) => Ok(()),
        (Some(money), Some(text)) => {
            let expected: Decimal = text.parse().map_err(|e| format!("{text}: {e}"))?;
            check(
                money.amount == expected
                    && money.amount.to_string() == text
                    && money.currency == currency,
                || {
                    format!(
                        "{what} {} {}, not {text} {currency}",
                        money.amount, money.currency
                    )
                },
            )
        }
        (found, expected) => Err(format!("{what} {found:?}, not {expected:?}")),
    }
}

fn check(ok: bool, otherwise: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(otherwise())
    }
}

/// Plays every row of `provider`'s matrix and fails with every row that went wrong. The rows of
/// one delivery pattern run one after another on a sandbox of their own, so that moving its
/// time keeps each row's deliveries in the order the pattern names; the patterns run at once.
async fn matrix(provider: Provider) {
    let started = Instant::now();
    let mut groups: Vec<Vec<(usize, Row)>> = Vec::new();
    for (number, row) in rows(provider).into_iter().enumerate() {
        match groups.iter_mut().find(|g| g[0].1.pattern == row.pattern) {
            Some(group) => group.push((number, row)),
            None => groups.push(vec![(number, row)]),
        }
    }
    let tasks: Vec<_> = groups
        .into_iter()
        .map(|group| tokio::spawn(play_all(provider, group)))
        .collect();
    let mut played = Vec::new();
    for task in tasks {
        played.extend(task.await.expect("a group of rows runs to its end"));
    }
    played.sort_by_key(|(number, ..)| *number);
    let mut failures = Vec::new();
    for (_, row, result, took) in &played {
        let name = format!(
            "{} / {} / {}",
            provider.slug(),
            row.case.outcome.name(),
            row.pattern.name()
        );
        match result {
            Ok(books) => println!("ok   {name}: {books} ({took:.0?})"),
            Err(problem) => {
                println!("FAIL {name}: {problem}");
                failures.push(format!("{name}: {problem}"));
            }
        }
        println!("       doc: {}\n       delivery: {}", row.case.doc, row.doc);
    }
    println!(
        "{}: {} rows in {:.1?}",
        provider.slug(),
        played.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "rows that failed:\n{}",
        failures.join("\n")
    );
}

/// Plays `rows` one after another on a sandbox and merchant of their own.
async fn play_all(
    provider: Provider,
    rows: Vec<(usize, Row)>,
) -> Vec<(usize, Row, Result<String, String>, Duration)> {
    let shop = Shop::open(provider).await;
    let mut played = Vec::new();
    for (number, row) in rows {
        let started = Instant::now();
        let result = shop.play(number, &row).await;
        played.push((number, row, result, started.elapsed()));
    }
    shop.sandbox.shutdown().await;
    played
}

#[tokio::test]
async fn cryptocloud_every_payment_credited_once() {
    matrix(Provider::CryptoCloud).await;
}

#[tokio::test]
async fn cryptoprocessing_every_payment_credited_once() {
    matrix(Provider::Cryptoprocessing).await;
}

#[tokio::test]
async fn apiforcrypto_every_payment_credited_once() {
    matrix(Provider::ApiForCrypto).await;
}
