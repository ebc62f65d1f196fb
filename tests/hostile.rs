//! Hostile response bodies against the generated response types.
//!
//! Each response type starts from its documented example (read from the spec, as
//! `tests/examples.rs` does) and is decoded after one mutation at a time: unknown enum values,
//! extra fields, nulls, missing fields, amounts in the wrong form or malformed, huge numbers,
//! bad timestamps, a body that is not JSON at all. The bytes are decoded as progenitor does
//! (`serde_json::from_slice`), but through `serde_path_to_error` so a failure names its path.
//!
//! Every case asserts its important property in code (an `Unknown` value, an exact decimal,
//! the path of an error), no decode may panic, and the whole outcome table of each type is
//! pinned in one snapshot (`hostile__<type>.snap`) for review.

mod support;

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use support::response_example;

use apiforcrypto::types as afc;
use cryptocloud::types as cc;
use cryptoprocessing::types as cp;

// ---------------------------------------------------------------------------------------------
// Mutations.

/// One change to the documented example.
enum Edit {
    /// Set the value at a JSON pointer (the parent must exist; an object member is added).
    Set(String, Value),
    /// Set the value at a JSON pointer to this exact JSON text, which a `Value` could not hold
    /// (a number with more digits than an `f64`, `1e400`, deep nesting, a duplicate key).
    Raw(String, String),
    /// Remove the object member at a JSON pointer.
    Remove(String),
}

/// The body a case sends.
enum Body {
    /// The documented example with these edits (none: the example itself).
    Edits(Vec<Edit>),
    /// These bytes, whatever the example.
    Bytes(Vec<u8>),
    /// The documented example, then these bytes.
    ExampleThen(Vec<u8>),
}

/// What a case must give.
enum Expect<T> {
    /// Decodes; the check asserts the properties that matter.
    Ok(Box<dyn Fn(&T)>),
    /// Fails at this path (or under it, if it ends with `...`), with a message containing
    /// this text.
    Err { path: String, contains: String },
}

struct Case<T> {
    name: String,
    body: Body,
    expect: Expect<T>,
}

fn set(pointer: &str, value: Value) -> Edit {
    Edit::Set(pointer.to_owned(), value)
}

fn raw(pointer: &str, text: &str) -> Edit {
    Edit::Raw(pointer.to_owned(), text.to_owned())
}

fn remove(pointer: &str) -> Edit {
    Edit::Remove(pointer.to_owned())
}

fn case<T>(name: &str, edits: Vec<Edit>, expect: Expect<T>) -> Case<T> {
    Case {
        name: name.to_owned(),
        body: Body::Edits(edits),
        expect,
    }
}

fn bytes_case<T>(name: &str, bytes: &[u8], expect: Expect<T>) -> Case<T> {
    Case {
        name: name.to_owned(),
        body: Body::Bytes(bytes.to_vec()),
        expect,
    }
}

fn ok<T>(check: impl Fn(&T) + 'static) -> Expect<T> {
    Expect::Ok(Box::new(check))
}

fn err<T>(path: &str, contains: &str) -> Expect<T> {
    Expect::Err {
        path: path.to_owned(),
        contains: contains.to_owned(),
    }
}

/// The placeholder standing for the `i`-th raw text in the serialized body.
fn placeholder(i: usize) -> String {
    format!("@@hostile-raw-{i}@@")
}

/// The parent of a JSON pointer and its last token.
fn split(pointer: &str) -> (&str, &str) {
    let cut = pointer.rfind('/').expect("a JSON pointer");
    (&pointer[..cut], &pointer[cut + 1..])
}

fn put(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = split(pointer);
    match doc
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"))
    {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(items) => {
            let i: usize = key.parse().expect("array index");
            if i == items.len() {
                items.push(value);
            } else {
                items[i] = value;
            }
        }
        other => panic!("{parent} is {other}, not a container"),
    }
}

/// The bytes of a case: the example with the edits applied, serialized compactly.
fn body_bytes(example: &Value, body: &Body) -> Vec<u8> {
    let edits = match body {
        Body::Bytes(bytes) => return bytes.clone(),
        Body::ExampleThen(suffix) => {
            let mut bytes = serde_json::to_vec(example).expect("serializes");
            bytes.extend_from_slice(suffix);
            return bytes;
        }
        Body::Edits(edits) => edits,
    };
    let mut doc = example.clone();
    let mut raws = Vec::new();
    for edit in edits {
        match edit {
            Edit::Set(pointer, value) => put(&mut doc, pointer, value.clone()),
            Edit::Raw(pointer, text) => {
                put(&mut doc, pointer, Value::String(placeholder(raws.len())));
                raws.push(text.clone());
            }
            Edit::Remove(pointer) => {
                let (parent, key) = split(pointer);
                let removed = doc
                    .pointer_mut(parent)
                    .and_then(Value::as_object_mut)
                    .and_then(|map| map.remove(key));
                assert!(removed.is_some(), "nothing to remove at {pointer}");
            }
        }
    }
    let mut text = serde_json::to_string(&doc).expect("serializes");
    for (i, raw) in raws.iter().enumerate() {
        let quoted = format!("\"{}\"", placeholder(i));
        assert_eq!(text.matches(&quoted).count(), 1, "placeholder {i}");
        text = text.replace(&quoted, raw);
    }
    text.into_bytes()
}

/// How each edit is shown in the outcome table (long raw texts shortened).
fn describe(body: &Body) -> Vec<String> {
    fn short(text: String) -> String {
        match text.char_indices().nth(80) {
            Some((cut, _)) => format!("{}… ({} chars)", &text[..cut], text.chars().count()),
            None => text,
        }
    }
    match body {
        Body::Bytes(bytes) if bytes.is_empty() => vec!["body = (empty)".to_owned()],
        Body::Bytes(bytes) => vec![format!(
            "body = {}",
            short(String::from_utf8_lossy(bytes).into_owned())
        )],
        Body::ExampleThen(suffix) => vec![format!(
            "body = the documented example, then {}",
            short(String::from_utf8_lossy(suffix).into_owned())
        )],
        Body::Edits(edits) if edits.is_empty() => vec!["(the documented example)".to_owned()],
        Body::Edits(edits) => edits
            .iter()
            .map(|edit| match edit {
                Edit::Set(p, v) => format!("set {p} = {}", short(v.to_string())),
                Edit::Raw(p, t) => format!("set {p} = {} (raw JSON text)", short(t.clone())),
                Edit::Remove(p) => format!("remove {p}"),
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding and the outcome table.

/// Decodes as progenitor does (`serde_json::from_slice`: the value, then nothing but
/// whitespace), tracking the path of a failure.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, (String, String)> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de)
        .map_err(|e| (e.path().to_string(), e.inner().to_string()))?;
    de.end().map_err(|e| (".".to_owned(), e.to_string()))?;
    Ok(value)
}

/// The key facts of a decoded value, by name, in a fixed order.
type Facts = Vec<(&'static str, String)>;

/// `ok:` and the facts that differ from the documented example's (all of them for the example
/// itself), so each line of the table shows what the case changed.
fn show_facts(facts: &Facts, baseline: &Facts) -> String {
    if facts == baseline {
        return "ok: key facts as documented".to_owned();
    }
    let changed: Vec<String> = facts
        .iter()
        .filter(|fact| !baseline.contains(fact))
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    format!("ok: {}", changed.join(" "))
}

/// Runs every case of one type, asserts each, and returns the outcome table.
fn run<T: DeserializeOwned + Debug>(
    example: &Value,
    facts: fn(&T) -> Facts,
    cases: Vec<Case<T>>,
) -> String {
    let documented: T = serde_json::from_value(example.clone()).expect("documented example");
    let baseline = facts(&documented);
    let mut table = String::from("key facts of the documented example:\n");
    for (name, value) in &baseline {
        table.push_str(&format!("   {name}={value}\n"));
    }
    table.push('\n');
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    for case in &cases {
        assert!(
            names.insert(case.name.clone()),
            "duplicate case {}",
            case.name
        );
        let bytes = body_bytes(example, &case.body);
        let decoded = catch_unwind(AssertUnwindSafe(|| decode::<T>(&bytes)));
        let plain = catch_unwind(AssertUnwindSafe(|| {
            serde_json::from_slice::<T>(&bytes).map(|_| ())
        }));
        let outcome = match (&decoded, &plain) {
            (Err(_), _) | (_, Err(_)) => {
                failures.push(format!("{}: decoding PANICKED", case.name));
                "PANIC".to_owned()
            }
            (Ok(Ok(value)), Ok(plain)) => {
                if let Err(e) = plain {
                    failures.push(format!(
                        "{}: path-tracking decode succeeded, from_slice failed: {e}",
                        case.name
                    ));
                }
                match &case.expect {
                    Expect::Ok(check) => {
                        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(value))) {
                            failures.push(format!("{}: check failed: {}", case.name, text(&panic)));
                        }
                    }
                    Expect::Err { path, contains } => failures.push(format!(
                        "{}: expected an error at `{path}` ({contains}), got {value:?}",
                        case.name
                    )),
                }
                show_facts(&facts(value), &baseline)
            }
            (Ok(Err((path, message))), Ok(plain)) => {
                if plain.is_ok() {
                    failures.push(format!(
                        "{}: from_slice succeeded where the path-tracking decode failed",
                        case.name
                    ));
                }
                match &case.expect {
                    Expect::Ok(_) => failures.push(format!(
                        "{}: expected ok, got error at `{path}`: {message}",
                        case.name
                    )),
                    Expect::Err {
                        path: want,
                        contains,
                    } => {
                        let path_ok = match want.strip_suffix("...") {
                            Some(prefix) => path.starts_with(prefix),
                            None => path == want,
                        };
                        if !path_ok || !message.contains(contains.as_str()) {
                            failures.push(format!(
                                "{}: expected error at `{want}` containing {contains:?}, got error \
                                 at `{path}`: {message}",
                                case.name
                            ));
                        }
                    }
                }
                assert!(
                    message.chars().count() < 400,
                    "{}: error message is not bounded: {} chars",
                    case.name,
                    message.chars().count()
                );
                format!("error at `{path}`: {}", without_position(message))
            }
        };
        table.push_str(&format!("## {}\n", case.name));
        for line in describe(&case.body) {
            table.push_str(&format!("   {line}\n"));
        }
        table.push_str(&format!("   -> {outcome}\n\n"));
    }
    assert!(failures.is_empty(), "\n{}\n\n{table}", failures.join("\n"));
    table
}

/// serde_json's message without its ` at line L column C` suffix: the columns depend on the
/// example's serialization, the path says where.
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(cut)
            if message[cut + " at line ".len()..]
                .split(" column ")
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            &message[..cut]
        }
        _ => message,
    }
}

fn text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(non-text panic)".to_owned())
}

// ---------------------------------------------------------------------------------------------
// Cases shared by several types.

const HTML_502: &[u8] = b"<html><body>502 Bad Gateway</body></html>";

/// Bodies that are not the documented object at all.
fn not_json_cases<T>() -> Vec<Case<T>> {
    vec![
        bytes_case(
            "body: an HTML error page",
            HTML_502,
            err(".", "expected value"),
        ),
        bytes_case("body: empty", b"", err(".", "EOF while parsing")),
        bytes_case("body: JSON null", b"null", err(".", "invalid type: null")),
        bytes_case("body: a JSON array", b"[]", err(".", "invalid length 0")),
        bytes_case(
            "body: a JSON string",
            b"\"ok\"",
            err(".", "invalid type: string"),
        ),
        Case {
            name: "body: the documented example followed by garbage".to_owned(),
            body: Body::ExampleThen(b" <!-- cached -->".to_vec()),
            expect: err(".", "trailing characters"),
        },
    ]
}

/// An amount field in each hostile form. `get` reads the amount back as text.
fn amount_cases<T: 'static>(
    what: &str,
    pointer: &str,
    path: &str,
    get: impl Fn(&T) -> String + Copy + 'static,
) -> Vec<Case<T>> {
    let exact = move |want: &'static str| ok(move |v: &T| assert_eq!(get(v), want));
    let bad = |name: &str, edit: Edit, contains: &str| {
        case(&format!("{what}: {name}"), vec![edit], err(path, contains))
    };
    vec![
        case(
            &format!("{what}: a JSON string \"100.5\""),
            vec![set(pointer, json!("100.5"))],
            exact("100.5"),
        ),
        case(
            &format!("{what}: a JSON number 100.5"),
            vec![raw(pointer, "100.5")],
            exact("100.5"),
        ),
        case(
            &format!("{what}: 27 decimal places, as a number"),
            vec![raw(pointer, "0.123456789012345678901234567")],
            exact("0.123456789012345678901234567"),
        ),
        case(
            &format!("{what}: 27 decimal places, as a string"),
            vec![set(pointer, json!("0.123456789012345678901234567"))],
            exact("0.123456789012345678901234567"),
        ),
        case(
            &format!("{what}: exponent form 4.500000159168849e-06"),
            vec![raw(pointer, "4.500000159168849e-06")],
            exact("0.000004500000159168849"),
        ),
        case(
            &format!("{what}: the largest decimal 79228162514264337593543950335"),
            vec![raw(pointer, "79228162514264337593543950335")],
            exact("79228162514264337593543950335"),
        ),
        case(
            &format!("{what}: negative -0.01"),
            vec![raw(pointer, "-0.01")],
            exact("-0.01"),
        ),
        bad(
            "two decimal points \"0.106.75000000\"",
            set(pointer, json!("0.106.75000000")),
            "invalid amount \"0.106.75000000\": expected a decimal number",
        ),
        bad(
            "\"abc\"",
            set(pointer, json!("abc")),
            "invalid amount \"abc\"",
        ),
        bad("\"\"", set(pointer, json!("")), "invalid amount \"\""),
        bad(
            "\"NaN\"",
            set(pointer, json!("NaN")),
            "invalid amount \"NaN\"",
        ),
        bad(
            "\" 1\" (space)",
            set(pointer, json!(" 1")),
            "invalid amount \" 1\"",
        ),
        bad(
            "\"1,5\" (comma)",
            set(pointer, json!("1,5")),
            "invalid amount \"1,5\"",
        ),
        bad("true", set(pointer, json!(true)), "invalid amount true"),
        bad("an object", set(pointer, json!({"v": 1})), "invalid"),
        bad("an array", set(pointer, json!([1])), "invalid amount [1]"),
        bad("1e400", raw(pointer, "1e400"), "too large"),
        bad("-1e400", raw(pointer, "-1e400"), "too large"),
        bad(
            "1e-400",
            raw(pointer, "1e-400"),
            "more than 28 decimal places",
        ),
        bad(
            "a 40-digit integer",
            raw(pointer, "1234567890123456789012345678901234567890"),
            "too large",
        ),
        bad(
            "29 significant digits with a fraction",
            raw(pointer, "99999999999.999999999999999999"),
            "more significant digits",
        ),
        bad(
            "a 100 000-character string",
            set(pointer, Value::String("9".repeat(100_000))),
            "too large",
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// CryptoCloud.

fn cc_invoice_facts(i: &cc::Invoice) -> Facts {
    vec![
        ("uuid", i.uuid.0.clone()),
        ("status", format!("{:?}", i.status)),
        ("side_commission", format!("{:?}", i.side_commission)),
        ("amount", i.amount.to_string()),
        ("amount_in_crypto", format!("{:?}", i.amount_in_crypto)),
        ("fee", i.fee.to_string()),
        ("fiat_currency", format!("{:?}", i.fiat_currency)),
        ("currency.fullcode", format!("{:?}", i.currency.fullcode)),
        ("currency.id", i.currency.id.to_string()),
        ("created", i.created.to_string()),
        ("expiry_date", i.expiry_date.to_string()),
        ("date_finished", format!("{:?}", i.date_finished)),
        ("project.logo", format!("{:?}", i.project.logo)),
        ("pay_url", format!("{:?}", i.pay_url)),
        ("tx_list", format!("{:?}", i.tx_list)),
    ]
}

/// Cases on the first invoice of a list or info response (`/result/0`).
fn cc_invoice_cases<T: 'static>(first: fn(&T) -> &cc::Invoice) -> Vec<Case<T>> {
    let p = |rest: &str| format!("/result/0/{rest}");
    let mut cases = vec![
        case(
            "unknown status \"refunded\"",
            vec![set(&p("status"), json!("refunded"))],
            ok(move |v: &T| {
                let status = &first(v).status;
                assert!(
                    matches!(status, cc::InvoiceStatus::Unknown(s) if s == "refunded"),
                    "{status:?}"
                );
            }),
        ),
        case(
            "known status \"paid\"",
            vec![set(&p("status"), json!("paid"))],
            ok(move |v: &T| assert_eq!(first(v).status, cc::InvoiceStatus::Paid)),
        ),
        case(
            "status in another case \"PAID\"",
            vec![set(&p("status"), json!("PAID"))],
            ok(move |v: &T| {
                assert_eq!(
                    first(v).status,
                    cc::InvoiceStatus::Unknown("PAID".to_owned())
                )
            }),
        ),
        case(
            "status not a string",
            vec![set(&p("status"), json!(3))],
            err("result[0].status", "expected a string (InvoiceStatus)"),
        ),
        case(
            "unknown currency fullcode \"ETH_ARB\"",
            vec![set(&p("currency/fullcode"), json!("ETH_ARB"))],
            ok(move |v: &T| {
                let code = &first(v).currency.fullcode;
                assert!(
                    matches!(code, cc::CryptoCurrencyCode::Unknown(s) if s == "ETH_ARB"),
                    "{code:?}"
                );
            }),
        ),
        case(
            "unknown fiat_currency \"XYZ\"",
            vec![set(&p("fiat_currency"), json!("XYZ"))],
            ok(move |v: &T| {
                let fiat = &first(v).fiat_currency;
                assert!(
                    matches!(fiat, Some(cc::FiatCurrency::Unknown(s)) if s == "XYZ"),
                    "{fiat:?}"
                );
            }),
        ),
        case(
            "unknown side_commission \"shared\"",
            vec![set(&p("side_commission"), json!("shared"))],
            ok(move |v: &T| {
                assert_eq!(
                    first(v).side_commission,
                    cc::CommissionSide::Unknown("shared".to_owned())
                )
            }),
        ),
        case(
            "extra fields at top level and nested",
            vec![
                set("/surprise", json!({"nested": [1, 2, {"deep": null}]})),
                set(&p("new_field"), json!("x")),
                set(&p("currency/network/new_field"), json!(1.5)),
                set(&p("project/owner"), json!({"id": 9})),
            ],
            ok(move |v: &T| assert!(!first(v).uuid.0.is_empty())),
        ),
        case(
            "extra field nested 10 000 deep",
            vec![raw(
                &p("new_field"),
                &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
            )],
            ok(move |v: &T| assert!(!first(v).uuid.0.is_empty())),
        ),
        case(
            "tx_list holding an array nested 10 000 deep",
            vec![raw(
                &p("tx_list"),
                &format!("[{}{}]", "[".repeat(10_000), "]".repeat(10_000)),
            )],
            err("result[0].tx_list[0][0][0]...", "recursion limit exceeded"),
        ),
        case(
            "null amount_in_crypto (documented null)",
            vec![set(&p("amount_in_crypto"), Value::Null)],
            ok(move |v: &T| assert_eq!(first(v).amount_in_crypto, None)),
        ),
        case(
            "amount_in_crypto present",
            vec![raw(&p("amount_in_crypto"), "0.0334")],
            ok(move |v: &T| {
                assert_eq!(
                    first(v).amount_in_crypto.map(|a| a.to_string()),
                    Some("0.0334".to_owned())
                )
            }),
        ),
        case(
            "null date_finished (documented null)",
            vec![set(&p("date_finished"), Value::Null)],
            ok(move |v: &T| assert!(first(v).date_finished.is_none())),
        ),
        case(
            "date_finished set",
            vec![set(
                &p("date_finished"),
                json!("2023-01-01 12:30:00.123456"),
            )],
            ok(move |v: &T| {
                assert_eq!(
                    first(v).date_finished.map(|t| t.to_string()).as_deref(),
                    Some("2023-01-01 12:30:00.123456")
                )
            }),
        ),
        case(
            "null in required amount",
            vec![set(&p("amount"), Value::Null)],
            err("result[0].amount", "invalid amount null"),
        ),
        case(
            "null in required uuid",
            vec![set(&p("uuid"), Value::Null)],
            err("result[0].uuid", "invalid type: null, expected a string"),
        ),
        case(
            "null in required project.logo",
            vec![set(&p("project/logo"), Value::Null)],
            ok(move |v: &T| assert!(first(v).project.logo.is_none())),
        ),
        case(
            "missing required uuid",
            vec![remove(&p("uuid"))],
            err("result[0]", "missing field `uuid`"),
        ),
        case(
            "missing required currency.network.id",
            vec![remove(&p("currency/network/id"))],
            err("result[0].currency.network", "missing field `id`"),
        ),
        case(
            "numeric string in integer field currency.id \"4\"",
            vec![set(&p("currency/id"), json!("4"))],
            err(
                "result[0].currency.id",
                "invalid type: string \"4\", expected i64",
            ),
        ),
        case(
            "float in integer field currency.id 4.0",
            vec![raw(&p("currency/id"), "4.0")],
            err("result[0].currency.id", "invalid type: floating point"),
        ),
        case(
            "integer field currency.id 1e400",
            vec![raw(&p("currency/id"), "1e400")],
            err("result[0].currency.id", "number out of range"),
        ),
        case(
            "created without fraction",
            vec![set(&p("created"), json!("2023-01-01 12:00:00"))],
            ok(move |v: &T| {
                let created = first(v).created;
                assert_eq!(created.to_string(), "2023-01-01 12:00:00");
                assert_eq!(created, "2023-01-01 12:00:00.000000".parse().unwrap());
            }),
        ),
        case(
            "created with six fraction digits",
            vec![set(&p("created"), json!("2023-01-01 12:00:00.000001"))],
            ok(move |v: &T| assert_eq!(first(v).created.to_string(), "2023-01-01 12:00:00.000001")),
        ),
        case(
            "created in ISO form with T and Z",
            vec![set(&p("created"), json!("2023-01-01T12:00:00Z"))],
            ok(move |v: &T| assert_eq!(first(v).created.to_string(), "2023-01-01 12:00:00")),
        ),
        case(
            "created with a +03:00 offset",
            vec![set(&p("created"), json!("2023-01-01 12:00:00+03:00"))],
            err("result[0].created", "invalid date-time"),
        ),
        case(
            "created in day.month.year form",
            vec![set(&p("created"), json!("01.01.2023 12:00"))],
            err(
                "result[0].created",
                "invalid date-time \"01.01.2023 12:00\"",
            ),
        ),
        case(
            "created on 30 February",
            vec![set(&p("created"), json!("2023-02-30 12:00:00"))],
            err("result[0].created", "invalid date-time"),
        ),
        case(
            "created as a Unix time number",
            vec![set(&p("created"), json!(1_672_574_400))],
            err("result[0].created", "invalid type: integer"),
        ),
        case(
            "expiry_date with ten fraction digits",
            vec![set(
                &p("expiry_date"),
                json!("2023-01-02 12:00:00.0000000000"),
            )],
            err("result[0].expiry_date", "invalid date-time"),
        ),
        case(
            "project.logo \"None\"",
            vec![set(&p("project/logo"), json!("None"))],
            ok(move |v: &T| assert_eq!(first(v).project.logo.get(), None)),
        ),
        case(
            "project.logo a URL",
            vec![set(
                &p("project/logo"),
                json!("https://cdn.example/logo.png"),
            )],
            ok(move |v: &T| {
                assert_eq!(
                    first(v).project.logo.get(),
                    Some("https://cdn.example/logo.png")
                )
            }),
        ),
        case(
            "pay_url \"None\"",
            vec![set(&p("pay_url"), json!("None"))],
            ok(move |v: &T| {
                let pay_url = &first(v).pay_url;
                assert!(pay_url.as_ref().is_some_and(|u| u.is_none()), "{pay_url:?}");
            }),
        ),
        case(
            "pay_url null",
            vec![set(&p("pay_url"), Value::Null)],
            ok(move |v: &T| assert_eq!(first(v).pay_url, None)),
        ),
        case(
            "pay_url a URL",
            vec![set(&p("pay_url"), json!("https://pay.example/INV-1"))],
            ok(move |v: &T| {
                let pay_url = first(v).pay_url.as_ref().and_then(|u| u.get());
                assert_eq!(pay_url, Some("https://pay.example/INV-1"))
            }),
        ),
    ];
    cases.extend(amount_cases(
        "amount",
        &p("amount"),
        "result[0].amount",
        move |v: &T| first(v).amount.get().to_string(),
    ));
    cases
}

#[test]
fn cryptocloud_create_response() {
    let example = response_example(
        "specs/cryptocloud.yaml",
        "create_invoice",
        "200",
        "documented",
    );
    type T = cc::InvoiceCreateResponse;
    fn facts(v: &T) -> Facts {
        let r = &v.result;
        vec![
            ("status", v.status.clone()),
            ("result.uuid", r.uuid.0.clone()),
            ("result.status", format!("{:?}", r.status)),
            ("result.amount", r.amount.to_string()),
            ("result.fee", r.fee.to_string()),
            ("result.fiat_currency", format!("{:?}", r.fiat_currency)),
            (
                "result.currency.fullcode",
                format!("{:?}", r.currency.fullcode),
            ),
            ("result.created", r.created.to_string()),
            ("result.expiry_date", r.expiry_date.to_string()),
            ("result.invoice_id", format!("{:?}", r.invoice_id)),
            ("result.project.logo", format!("{:?}", r.project.logo)),
        ]
    }
    let mut cases: Vec<Case<T>> = vec![
        case(
            "the documented example",
            vec![],
            ok(|v: &T| {
                assert_eq!(v.result.status, cc::InvoiceStatus::Created);
                assert_eq!(v.result.amount.get().to_string(), "100.0");
                assert_eq!(v.result.project.logo.get(), None);
                assert_eq!(v.result.invoice_id, None);
            }),
        ),
        case(
            "unknown status \"refunded\"",
            vec![set("/result/status", json!("refunded"))],
            ok(|v: &T| {
                assert!(
                    matches!(&v.result.status, cc::InvoiceStatus::Unknown(s) if s == "refunded")
                )
            }),
        ),
        case(
            "unknown currency fullcode \"ETH_ARB\" and fiat_currency \"XYZ\"",
            vec![
                set("/result/currency/fullcode", json!("ETH_ARB")),
                set("/result/fiat_currency", json!("XYZ")),
            ],
            ok(|v: &T| {
                assert!(matches!(
                    &v.result.currency.fullcode,
                    cc::CryptoCurrencyCode::Unknown(s) if s == "ETH_ARB"
                ));
                assert!(matches!(
                    &v.result.fiat_currency,
                    cc::FiatCurrency::Unknown(s) if s == "XYZ"
                ));
            }),
        ),
        case(
            "extra fields at top level and nested",
            vec![
                set("/extra", json!([1, "two", null])),
                set("/result/extra", json!({"a": {"b": true}})),
                set("/result/currency/network/extra", json!(0)),
            ],
            ok(|v: &T| assert_eq!(v.status, "success")),
        ),
        case(
            "invoice_id a string (documented null)",
            vec![set("/result/invoice_id", json!("INV-1"))],
            ok(|v: &T| assert_eq!(v.result.invoice_id.as_deref(), Some("INV-1"))),
        ),
        case(
            "invoice_id missing (undocumented, optional)",
            vec![remove("/result/invoice_id")],
            ok(|v: &T| assert_eq!(v.result.invoice_id, None)),
        ),
        case(
            "null in required link",
            vec![set("/result/link", Value::Null)],
            err("result.link", "invalid type: null, expected a string"),
        ),
        case(
            "null in required fiat_currency",
            vec![set("/result/fiat_currency", Value::Null)],
            err("result.fiat_currency", "expected a string (FiatCurrency)"),
        ),
        case(
            "missing required link",
            vec![remove("/result/link")],
            err("result", "missing field `link`"),
        ),
        case(
            "missing result",
            vec![remove("/result")],
            err(".", "missing field `result`"),
        ),
        case(
            "duplicate key amount",
            vec![raw("/result/amount", "1, \"amount\": 2")],
            err("result", "duplicate field `amount`"),
        ),
        case(
            "created without fraction",
            vec![set("/result/created", json!("2023-01-01 12:00:00"))],
            ok(|v: &T| assert_eq!(v.result.created.to_string(), "2023-01-01 12:00:00")),
        ),
        case(
            "bad created \"2023-13-01 12:00:00\"",
            vec![set("/result/created", json!("2023-13-01 12:00:00"))],
            err(
                "result.created",
                "invalid date-time \"2023-13-01 12:00:00\"",
            ),
        ),
        case(
            "project.logo a URL",
            vec![set(
                "/result/project/logo",
                json!("https://cdn.example/l.png"),
            )],
            ok(|v: &T| {
                assert_eq!(
                    v.result.project.logo.get(),
                    Some("https://cdn.example/l.png")
                )
            }),
        ),
        case(
            "numeric string in integer field project.id \"1\"",
            vec![set("/result/project/id", json!("1"))],
            err(
                "result.project.id",
                "invalid type: string \"1\", expected i64",
            ),
        ),
    ];
    cases.extend(amount_cases(
        "amount",
        "/result/amount",
        "result.amount",
        |v: &T| v.result.amount.get().to_string(),
    ));
    cases.extend(not_json_cases());
    let table = run(&example, facts, cases);
    insta::assert_snapshot!("cryptocloud_create", table);
}

#[test]
fn cryptocloud_list_response() {
    let example = response_example(
        "specs/cryptocloud.yaml",
        "list_invoices",
        "200",
        "documented",
    );
    type T = cc::InvoiceListResponse;
    fn facts(v: &T) -> Facts {
        let mut facts = vec![
            ("all_count", v.all_count.to_string()),
            ("result.len", v.result.len().to_string()),
        ];
        facts.extend(v.result.first().map(cc_invoice_facts).unwrap_or_default());
        facts
    }
    let mut cases: Vec<Case<T>> = vec![
        case(
            "the documented example",
            vec![],
            ok(|v: &T| {
                let i = &v.result[0];
                assert_eq!(v.all_count, 100);
                assert_eq!(i.status, cc::InvoiceStatus::Created);
                assert_eq!(
                    i.amount_to_pay.map(|a| a.to_string()).as_deref(),
                    Some("101.4")
                );
                assert_eq!(i.expiry_date.to_string(), "2023-01-02 12:00:00");
                assert_eq!(i.project.logo.get(), None);
                assert!(i.pay_url.as_ref().is_some_and(|u| u.is_none()));
                assert!(i.date_finished.is_none());
            }),
        ),
        case(
            "empty result",
            vec![set("/result", json!([])), set("/all_count", json!(0))],
            ok(|v: &T| assert!(v.result.is_empty())),
        ),
        case(
            "numeric string in integer field all_count \"100\"",
            vec![set("/all_count", json!("100"))],
            err("all_count", "invalid type: string \"100\", expected i64"),
        ),
        case(
            "missing all_count",
            vec![remove("/all_count")],
            err(".", "missing field `all_count`"),
        ),
        case(
            "result an object, not a list",
            vec![set("/result", json!({}))],
            err("result", "invalid type: map, expected a sequence"),
        ),
        case(
            "tx_list with an undocumented transaction object",
            vec![set(
                "/result/0/tx_list",
                json!([{"hash": "0xabc", "amount": 1.5}]),
            )],
            ok(|v: &T| assert_eq!(v.result[0].tx_list.as_ref().map(Vec::len), Some(1))),
        ),
        case(
            "tx_list missing",
            vec![remove("/result/0/tx_list")],
            ok(|v: &T| assert_eq!(v.result[0].tx_list, None)),
        ),
    ];
    cases.extend(cc_invoice_cases(|v: &T| &v.result[0]));
    cases.extend(not_json_cases());
    let table = run(&example, facts, cases);
    insta::assert_snapshot!("cryptocloud_list", table);
}

#[test]
fn cryptocloud_info_response() {
    let example = response_example(
        "specs/cryptocloud.yaml",
        "get_invoices",
        "200",
        "documented",
    );
    type T = cc::InvoiceInfoResponse;
    fn facts(v: &T) -> Facts {
        let mut facts = vec![("result.len", v.result.len().to_string())];
        facts.extend(v.result.first().map(cc_invoice_facts).unwrap_or_default());
        facts
    }
    let mut cases: Vec<Case<T>> = vec![
        case(
            "the documented example",
            vec![],
            ok(|v: &T| {
                let i = &v.result[0];
                assert_eq!(i.fee.get().to_string(), "0.000004500000159168849");
                assert_eq!(i.amount.get().to_string(), "0.033366");
                assert_eq!(
                    i.project.logo.get(),
                    Some("https://static.cryptocloud.plus/logo/logo.jpg")
                );
                assert_eq!(i.pay_url, None);
                assert_eq!(i.tx_list, None);
            }),
        ),
        case(
            "a second invoice with nothing but a uuid",
            vec![set("/result/1", json!({"uuid": "INV-2"}))],
            err("result[1]", "missing field"),
        ),
    ];
    cases.extend(cc_invoice_cases(|v: &T| &v.result[0]));
    cases.extend(not_json_cases());
    let table = run(&example, facts, cases);
    insta::assert_snapshot!("cryptocloud_info", table);
}

// ---------------------------------------------------------------------------------------------
// Cryptoprocessing.

#[test]
fn cryptoprocessing_create_response() {
    let example = response_example(
        "specs/cryptoprocessing.yaml",
        "create_invoice",
        "200",
        "documented",
    );
    type T = cp::InvoiceCreateResponse;
    fn facts(v: &T) -> Facts {
        let d = &v.data;
        vec![
            ("id", d.id.to_string()),
            ("status", format!("{:?}", d.status)),
            ("amount", d.amount.to_string()),
            ("sender_amount", format!("{:?}", d.sender_amount)),
            ("sender_currency", format!("{:?}", d.sender_currency)),
            ("end_user_reference", format!("{:?}", d.end_user_reference)),
            ("fixed_at", format!("{:?}", d.fixed_at)),
            ("release_at", format!("{:?}", d.release_at)),
            ("seconds_left", format!("{:?}", d.seconds_left)),
        ]
    }
    let mut cases: Vec<Case<T>> = vec![
        case(
            "the documented example",
            vec![],
            ok(|v: &T| {
                assert_eq!(v.data.amount.get().to_string(), "106.75000000");
                assert_eq!(v.data.status, cp::InvoiceStatus::Created);
                assert_eq!(v.data.sender_amount, None);
                assert_eq!(v.data.fixed_at, None);
            }),
        ),
        case(
            "the docs' raw amount \"0.106.75000000\"",
            vec![set("/data/amount", json!("0.106.75000000"))],
            err(
                "data.amount",
                "invalid amount \"0.106.75000000\": expected a decimal number",
            ),
        ),
        case(
            "numeric amount 106.75 where a string is documented",
            vec![raw("/data/amount", "106.75")],
            ok(|v: &T| assert_eq!(v.data.amount.get().to_string(), "106.75")),
        ),
        case(
            "numeric amount 106.75000000 keeps its scale",
            vec![raw("/data/amount", "106.75000000")],
            ok(|v: &T| assert_eq!(v.data.amount.get().to_string(), "106.75000000")),
        ),
        case(
            "unknown status \"refunded\"",
            vec![set("/data/status", json!("refunded"))],
            ok(|v: &T| {
                assert!(matches!(&v.data.status, cp::InvoiceStatus::Unknown(s) if s == "refunded"))
            }),
        ),
        case(
            "extra fields at top level and nested",
            vec![
                set("/meta", json!({"request_id": "abc"})),
                set("/data/fee", json!("0.1")),
                set("/data/sender_data", json!({"first_name": "A"})),
            ],
            ok(|v: &T| assert_eq!(v.data.id, 127)),
        ),
        case(
            "sender_currency, sender_amount, fixed_at, release_at, seconds_left set",
            vec![
                set("/data/sender_currency", json!("BTC")),
                set("/data/sender_amount", json!("0.00160000")),
                set("/data/fixed_at", json!(1_704_067_200)),
                set("/data/release_at", json!("1704068100")),
                set("/data/seconds_left", json!(900)),
            ],
            ok(|v: &T| {
                let d = &v.data;
                assert_eq!(
                    d.sender_amount.map(|a| a.to_string()).as_deref(),
                    Some("0.00160000")
                );
                assert_eq!(d.fixed_at.map(|t| t.seconds()), Some(1_704_067_200));
                assert_eq!(d.release_at.map(|t| t.seconds()), Some(1_704_068_100));
                assert_eq!(d.seconds_left, Some(900));
            }),
        ),
        case(
            "fixed_at a fraction of a second",
            vec![raw("/data/fixed_at", "1704067200.5")],
            err("data.fixed_at", "invalid type: floating point"),
        ),
        case(
            "fixed_at an ISO date",
            vec![set("/data/fixed_at", json!("2024-01-01T00:00:00Z"))],
            err(
                "data.fixed_at",
                "invalid Unix time \"2024-01-01T00:00:00Z\"",
            ),
        ),
        case(
            "fixed_at beyond chrono's range",
            vec![set("/data/fixed_at", json!(i64::MAX))],
            err("data.fixed_at", "invalid Unix time 9223372036854775807"),
        ),
        case(
            "sender_amount malformed",
            vec![set("/data/sender_amount", json!("1..0"))],
            err("data.sender_amount", "invalid amount \"1..0\""),
        ),
        case(
            "end_user_reference as a number (documented) and as a string",
            vec![set("/data/end_user_reference", json!("12345"))],
            ok(|v: &T| {
                assert!(matches!(
                    &v.data.end_user_reference,
                    Some(cp::EndUserReference::String(s)) if s == "12345"
                ))
            }),
        ),
        case(
            "end_user_reference an object",
            vec![set("/data/end_user_reference", json!({"id": 1}))],
            err(
                "data.end_user_reference",
                "invalid type: map, expected a string or an integer (EndUserReference)",
            ),
        ),
        case(
            "end_user_reference a fraction",
            vec![set("/data/end_user_reference", json!(1.5))],
            err(
                "data.end_user_reference",
                "invalid type: floating point `1.5`, expected a string or an integer",
            ),
        ),
        case(
            "null in required amount",
            vec![set("/data/amount", Value::Null)],
            err("data.amount", "invalid amount null"),
        ),
        case(
            "null in required id",
            vec![set("/data/id", Value::Null)],
            err("data.id", "invalid type: null, expected i64"),
        ),
        case(
            "missing required foreign_id",
            vec![remove("/data/foreign_id")],
            err("data", "missing field `foreign_id`"),
        ),
        case(
            "numeric string in integer field id \"127\"",
            vec![set("/data/id", json!("127"))],
            err("data.id", "invalid type: string \"127\", expected i64"),
        ),
        case(
            "negative integer beyond i64 in id",
            vec![raw("/data/id", "-9223372036854775809")],
            err("data.id", "invalid type: floating point"),
        ),
        case(
            "data null",
            vec![set("/data", Value::Null)],
            err("data", "invalid type: null"),
        ),
    ];
    cases.extend(amount_cases(
        "amount",
        "/data/amount",
        "data.amount",
        |v: &T| v.data.amount.get().to_string(),
    ));
    cases.extend(not_json_cases());
    let table = run(&example, facts, cases);
    insta::assert_snapshot!("cryptoprocessing_create", table);
}

// ---------------------------------------------------------------------------------------------
// apiforcrypto.

#[test]
fn apiforcrypto_invoice_response() {
    let example = response_example(
        "specs/apiforcrypto.yaml",
        "create_invoice",
        "200",
        "constructed",
    );
    type T = afc::Invoice;
    fn facts(v: &T) -> Facts {
        vec![
            ("id", v.id.clone()),
            ("status", format!("{:?}", v.status)),
            ("value", v.value.to_string()),
            (
                "fiat_currency.value",
                format!("{:?}", v.fiat_currency.as_ref().and_then(|f| f.value)),
            ),
            ("contract_address", format!("{:?}", v.contract_address)),
            ("created", format!("{:?}", v.created)),
            ("expiry", format!("{:?}", v.expiry)),
            ("txs", format!("{:?}", v.txs)),
            (
                "data.attempts_callback",
                format!("{:?}", v.data.as_ref().and_then(|d| d.attempts_callback)),
            ),
        ]
    }
    let mut cases: Vec<Case<T>> = vec![
        case(
            "the documented example",
            vec![],
            ok(|v: &T| {
                assert_eq!(v.status, afc::InvoiceStatus::NotPaid);
                assert_eq!(v.value.get().to_string(), "102.0");
                assert_eq!(v.txs.as_deref(), Some(&[][..]));
            }),
        ),
        case(
            "unknown status \"refunded\"",
            vec![set("/status", json!("refunded"))],
            ok(|v: &T| {
                assert!(matches!(&v.status, afc::InvoiceStatus::Unknown(s) if s == "refunded"))
            }),
        ),
        case(
            "status in lower case \"paid\"",
            vec![set("/status", json!("paid"))],
            ok(|v: &T| assert_eq!(v.status, afc::InvoiceStatus::Unknown("paid".to_owned()))),
        ),
        case(
            "extra fields at top level and nested",
            vec![
                set("/wallet", json!({"id": "w1"})),
                set("/fiat_currency/rate", json!(1.02)),
                set("/data/extra", json!(null)),
            ],
            ok(|v: &T| assert_eq!(v.id, "f4ae3bd1-a031-4b4c-84cb-96a425aab4c8")),
        ),
        case(
            "null contract_address (documented null)",
            vec![set("/contract_address", Value::Null)],
            ok(|v: &T| assert_eq!(v.contract_address, None)),
        ),
        case(
            "null txs",
            vec![set("/txs", Value::Null)],
            ok(|v: &T| assert_eq!(v.txs, None)),
        ),
        case(
            "null in required value",
            vec![set("/value", Value::Null)],
            err("value", "invalid amount null"),
        ),
        case(
            "null in required active",
            vec![set("/active", Value::Null)],
            err("active", "invalid type: null, expected a boolean"),
        ),
        case(
            "missing required id",
            vec![remove("/id")],
            err(".", "missing field `id`"),
        ),
        case(
            "numeric string in integer field confirmations \"2\"",
            vec![set("/confirmations", json!("2"))],
            err("confirmations", "invalid type: string \"2\", expected i64"),
        ),
        case(
            "numeric string in integer field fiat_currency.percent \"2\"",
            vec![set("/fiat_currency/percent", json!("2"))],
            err(
                "fiat_currency.percent",
                "invalid type: string \"2\", expected i64",
            ),
        ),
        case(
            "fiat_currency.value a string \"100.50\"",
            vec![set("/fiat_currency/value", json!("100.50"))],
            ok(|v: &T| {
                assert_eq!(
                    v.fiat_currency
                        .as_ref()
                        .and_then(|f| f.value)
                        .map(|a| a.to_string())
                        .as_deref(),
                    Some("100.50")
                )
            }),
        ),
        case(
            "fiat_currency.value malformed",
            vec![set("/fiat_currency/value", json!("1 000"))],
            err("fiat_currency.value", "invalid amount \"1 000\""),
        ),
        case(
            "created in another form (undocumented format, kept as text)",
            vec![set("/created", json!("01.05.2024 12:00"))],
            ok(|v: &T| assert_eq!(v.created, "01.05.2024 12:00")),
        ),
        case(
            "created not a date at all (kept as text)",
            vec![set("/created", json!("not a date"))],
            ok(|v: &T| assert_eq!(v.created, "not a date")),
        ),
        case(
            "created a number",
            vec![set("/created", json!(1_714_564_800))],
            err("created", "invalid type: integer"),
        ),
        case(
            "data.attempts_callback 5",
            vec![set("/data/attempts_callback", json!(5))],
            ok(|v: &T| assert_eq!(v.data.as_ref().and_then(|d| d.attempts_callback), Some(5))),
        ),
        case(
            "data.attempts_callback 50, beyond the request limit 0..=20, still readable",
            vec![set("/data/attempts_callback", json!(50))],
            ok(|v: &T| assert_eq!(v.data.as_ref().and_then(|d| d.attempts_callback), Some(50))),
        ),
        case(
            "data a string",
            vec![set("/data", json!("order 1001"))],
            err("data", "invalid type: string"),
        ),
        case(
            "txs a single string",
            vec![set("/txs", json!("4a5e1e"))],
            err(
                "txs",
                "invalid type: string \"4a5e1e\", expected a sequence",
            ),
        ),
    ];
    cases.extend(amount_cases("value", "/value", "value", |v: &T| {
        v.value.get().to_string()
    }));
    cases.extend(not_json_cases());
    let table = run(&example, facts, cases);
    insta::assert_snapshot!("apiforcrypto_invoice", table);
}

/// No snapshot file of this test binary is left over from a type no longer tested.
#[test]
fn no_unreferenced_hostile_snapshots() {
    let expected: BTreeSet<String> = [
        "cryptocloud_create",
        "cryptocloud_list",
        "cryptocloud_info",
        "cryptoprocessing_create",
        "apiforcrypto_invoice",
    ]
    .iter()
    .map(|name| format!("hostile__{name}.snap"))
    .collect();
    support::assert_no_stale_snapshots("hostile__", &expected);
}
