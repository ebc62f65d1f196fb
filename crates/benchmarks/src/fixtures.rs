//! Payloads built from the documented examples in `specs/*.yaml`, and the hand-written
//! `f64`/`String` structs used as floors.

use std::path::Path;

use serde_json::Value;

/// A spec as JSON (YAML numbers keep their form: `100` stays an integer, `100.0` a float).
pub fn load_spec(root: &Path, name: &str) -> Value {
    let path = root.join("specs").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `paths/<path>/<method>/...` of a spec: `kind` is `request` or a response status.
pub fn example(spec: &Value, path: &str, method: &str, kind: &str, name: &str) -> Value {
    let operation = &spec["paths"][path][method];
    let content = if kind == "request" {
        &operation["requestBody"]["content"]["application/json"]
    } else {
        &operation["responses"][kind]["content"]["application/json"]
    };
    let value = &content["examples"][name]["value"];
    assert!(
        !value.is_null(),
        "no example {name} for {method} {path} {kind}"
    );
    value.clone()
}

/// The documented examples the benchmarks use.
pub struct Examples {
    /// CryptoCloud list response (`documented`), one invoice.
    pub cc_list_response: Value,
    /// CryptoCloud list request (`curl`).
    pub cc_list_request: Value,
    /// Cryptoprocessing create request and response (`documented`).
    pub cp_create_request: Value,
    pub cp_create_response: Value,
    /// apiforcrypto get-invoice response (`constructed`) and its UUID.
    pub af_get_response: Value,
    pub af_uuid: String,
}

impl Examples {
    pub fn load(root: &Path) -> Self {
        let cc = load_spec(root, "cryptocloud.yaml");
        let cp = load_spec(root, "cryptoprocessing.yaml");
        let af = load_spec(root, "apiforcrypto.yaml");
        let list = "/v2/invoice/merchant/list";
        let create = "/api/v2/invoices/create";
        let get = "/api/v1/wallets/invoices/{uuid}";
        let af_get_response = example(&af, get, "get", "200", "constructed");
        let af_uuid = af_get_response["id"].as_str().expect("id").to_owned();
        Self {
            cc_list_response: example(&cc, list, "post", "200", "documented"),
            cc_list_request: example(&cc, list, "post", "request", "curl"),
            cp_create_request: example(&cp, create, "post", "request", "documented"),
            cp_create_response: example(&cp, create, "post", "200", "documented"),
            af_get_response,
            af_uuid,
        }
    }
}

/// The `i`-th invoice identifier: `INV-` and 8 hex digits, scattered (not sequential).
pub fn invoice_id(i: usize) -> String {
    let scrambled = (i as u32).wrapping_mul(0x9E37_79B1) ^ 0x5A5A_5A5A;
    format!("INV-{scrambled:08X}")
}

const STATUSES: [&str; 5] = ["created", "paid", "partial", "overpaid", "canceled"];
const CURRENCIES: [(i64, &str, &str, &str); 3] = [
    (4, "USDT", "USDT_TRC20", "Tether"),
    (1, "BTC", "BTC", "Bitcoin"),
    (3, "ETH", "ETH", "Ethereum"),
];

/// Renders invoices from the documented list example, each with its own identifier, dates,
/// status, currency and amounts (several digits, some in exponent form, as the info example's
/// `fee`).
pub struct InvoiceFactory {
    template: Value,
}

impl InvoiceFactory {
    pub fn new(examples: &Examples) -> Self {
        let template = examples.cc_list_response["result"][0].clone();
        assert!(template.is_object(), "the list example holds an invoice");
        Self { template }
    }

    pub fn json(&self, i: usize) -> String {
        serde_json::to_string(&self.value(i)).expect("serializable")
    }

    pub fn value(&self, i: usize) -> Value {
        let mut v = self.template.clone();
        let id = invoice_id(i);
        let (month, day) = (1 + i % 12, 1 + (i / 12) % 27);
        let (hour, minute, second) = (i % 24, (i * 7) % 60, (i * 13) % 60);
        let micros = (i * 7919) % 1_000_000;
        let status = STATUSES[i % STATUSES.len()];
        let (cur_id, code, fullcode, name) = CURRENCIES[i % CURRENCIES.len()];
        // Crypto amounts in units of 1e-8 (up to 10 digits), fiat in cents (up to 6 digits):
        // each printed value is one correctly rounded division, so its shortest form is the
        // intended digits (`fee` often comes out in exponent form, like the info example's).
        let c = ((i * 104_729 + 7) % 1_000_000_000 + 100_000) as u64;
        let f = ((i * 31 + 5) % 1_000) as u64;
        let cents = ((i * 7919 + 13) % 1_000_000 + 100) as u64;
        let paid = if status == "created" { 0 } else { c };
        let crypto = |units: u64| Value::from(units as f64 / 1e8);
        let fiat = |units: u64| Value::from(units as f64 / 100.0);
        v["uuid"] = id.clone().into();
        v["created"] =
            format!("2023-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{micros:06}")
                .into();
        v["expiry_date"] = format!(
            "2023-{month:02}-{:02} {hour:02}:{minute:02}:{second:02}",
            day + 1
        )
        .into();
        v["date_finished"] = if status == "created" {
            Value::Null
        } else {
            format!(
                "2023-{month:02}-{day:02} {:02}:{minute:02}:{second:02}.{micros:06}",
                (hour + 1) % 24
            )
            .into()
        };
        v["status"] = status.into();
        v["currency"]["id"] = cur_id.into();
        v["currency"]["code"] = code.into();
        v["currency"]["fullcode"] = fullcode.into();
        v["currency"]["name"] = name.into();
        v["order_id"] = i.to_string().into();
        let project = &mut v["project"];
        project["fail"] = format!("https://test.com/fail?order_id={i}&invoice_uuid={id}").into();
        project["success"] =
            format!("https://test.com/success?order_id={i}&invoice_uuid={id}").into();
        v["amount_in_crypto"] = if status == "created" {
            Value::Null
        } else {
            crypto(c)
        };
        v["amount_in_fiat"] = fiat(cents);
        v["amount"] = crypto(c);
        v["amount_usd"] = fiat(cents);
        v["amount_to_pay"] = crypto(c + f);
        v["amount_to_pay_usd"] = fiat(cents + 140);
        v["amount_paid"] = crypto(paid);
        v["amount_paid_usd"] = fiat(if paid > 0 { cents } else { 0 });
        v["fee"] = crypto(f);
        v["fee_usd"] = fiat((i % 500 + 1) as u64);
        v["service_fee"] = crypto(c * 19 / 1000);
        v["service_fee_usd"] = fiat(cents * 19 / 1000);
        v["received"] = crypto(paid);
        v["received_usd"] = fiat(if paid > 0 { cents } else { 0 });
        v["to_surcharge"] = crypto(c - paid);
        v["to_surcharge_usd"] = fiat(if paid > 0 { 0 } else { cents });
        v
    }
}

/// A list response body holding `invoices` (already rendered), `all_count` as given.
pub fn list_body<'a>(invoices: impl IntoIterator<Item = &'a [u8]>, all_count: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(64 * 1024);
    body.extend_from_slice(br#"{"status":"success","result":["#);
    for (n, invoice) in invoices.into_iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(invoice);
    }
    body.extend_from_slice(br#"],"all_count":"#);
    body.extend_from_slice(all_count.to_string().as_bytes());
    body.push(b'}');
    body
}

/// An information response body holding `invoices`.
pub fn info_body<'a>(invoices: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut body = Vec::with_capacity(64 * 1024);
    body.extend_from_slice(br#"{"status":"success","result":["#);
    for (n, invoice) in invoices.into_iter().enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(invoice);
    }
    body.extend_from_slice(b"]}");
    body
}
