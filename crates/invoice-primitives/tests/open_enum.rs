//! `open_enum!` as generated code uses it: from another crate, with only `invoice_primitives`
//! in scope (no `use serde`), with docs and attributes on the enum and its variants.

mod generated {
    invoice_primitives::open_enum! {
        /// Status of an invoice.
        #[non_exhaustive]
        pub enum InvoiceStatus {
            /// `created`
            Created = "created",
            Paid = "paid",
            Partial = "partial",
            /// A value with characters that are not identifiers.
            OverPaid = "over-paid",
        }
    }

    invoice_primitives::open_enum! {
        pub enum Single { Only = "ONLY" }
    }
}

use generated::{InvoiceStatus, Single};
use serde::{Deserialize, Serialize};

#[test]
fn known_values_round_trip() {
    for (json, status) in [
        (r#""created""#, InvoiceStatus::Created),
        (r#""paid""#, InvoiceStatus::Paid),
        (r#""partial""#, InvoiceStatus::Partial),
        (r#""over-paid""#, InvoiceStatus::OverPaid),
    ] {
        let read: InvoiceStatus = serde_json::from_str(json).unwrap();
        assert_eq!(read, status);
        assert!(read.is_known());
        assert_eq!(serde_json::to_string(&read).unwrap(), json);
        assert_eq!(
            serde_json::from_value::<InvoiceStatus>(serde_json::to_value(&read).unwrap()).unwrap(),
            status
        );
    }
}

#[test]
fn unknown_values_are_kept_unchanged() {
    for json in [
        r#""refunded""#,
        r#""""#,
        r#""PAID""#,
        r#""Paid ""#,
        r#""ü\n\"x""#,
    ] {
        let read: InvoiceStatus = serde_json::from_str(json).unwrap();
        assert!(!read.is_known(), "{json}");
        assert!(matches!(read, InvoiceStatus::Unknown(_)));
        assert_eq!(serde_json::to_string(&read).unwrap(), json);
    }
    let refunded: InvoiceStatus = serde_json::from_str(r#""refunded""#).unwrap();
    assert_eq!(refunded, InvoiceStatus::Unknown("refunded".to_owned()));
    assert_eq!(refunded.as_str(), "refunded");
    assert_eq!(refunded.to_string(), "refunded");
}

#[test]
fn matching_reads_naturally() {
    fn describe(s: &InvoiceStatus) -> String {
        match s {
            InvoiceStatus::Paid => "paid".to_owned(),
            InvoiceStatus::Created | InvoiceStatus::Partial => "waiting".to_owned(),
            InvoiceStatus::Unknown(other) => format!("new status {other}"),
            _ => "other".to_owned(),
        }
    }
    assert_eq!(describe(&"paid".parse().unwrap()), "paid");
    assert_eq!(describe(&"partial".into()), "waiting");
    assert_eq!(
        describe(&String::from("refunded").into()),
        "new status refunded"
    );
}

#[test]
fn conversions_map_known_strings_to_their_variant() {
    assert_eq!(InvoiceStatus::from("paid"), InvoiceStatus::Paid);
    assert_eq!(
        InvoiceStatus::from(String::from("paid")),
        InvoiceStatus::Paid
    );
    let parsed: Result<InvoiceStatus, std::convert::Infallible> = "over-paid".parse();
    assert_eq!(parsed, Ok(InvoiceStatus::OverPaid));
    assert_eq!(InvoiceStatus::Paid.as_ref(), "paid");
    // Built by hand with a known value: written the same, but a different value (documented).
    let by_hand = InvoiceStatus::Unknown("paid".to_owned());
    assert_eq!(serde_json::to_string(&by_hand).unwrap(), r#""paid""#);
    assert_ne!(by_hand, InvoiceStatus::Paid);
}

#[test]
fn known_list_and_order() {
    assert_eq!(
        InvoiceStatus::KNOWN,
        ["created", "paid", "partial", "over-paid"]
    );
    assert_eq!(Single::KNOWN, ["ONLY"]);
    assert!(InvoiceStatus::Created < InvoiceStatus::Paid);
    assert!(InvoiceStatus::OverPaid < InvoiceStatus::Unknown(String::new()));
    for known in InvoiceStatus::KNOWN {
        assert!(InvoiceStatus::from(*known).is_known());
        assert_eq!(InvoiceStatus::from(*known).as_str(), *known);
    }
}

#[test]
fn non_strings_are_errors_naming_the_enum() {
    for json in ["1", "null", "true", "[]", "{}"] {
        let err = serde_json::from_str::<InvoiceStatus>(json)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("expected a string (InvoiceStatus)"),
            "{json}: {err}"
        );
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Invoice {
    status: InvoiceStatus,
    previous: Option<InvoiceStatus>,
    #[serde(default)]
    history: Vec<InvoiceStatus>,
    single: Single,
}

#[test]
fn inside_derived_structs() {
    let body = r#"{"status":"refunded","previous":"paid","history":["created","chargeback"],"single":"ONLY"}"#;
    let invoice: Invoice = serde_json::from_str(body).unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Unknown("refunded".into()));
    assert_eq!(invoice.previous, Some(InvoiceStatus::Paid));
    assert_eq!(
        invoice.history[1],
        InvoiceStatus::Unknown("chargeback".into())
    );
    assert_eq!(invoice.single, Single::Only);
    assert_eq!(serde_json::to_string(&invoice).unwrap(), body);

    let none: Invoice =
        serde_json::from_str(r#"{"status":"paid","previous":null,"single":"other"}"#).unwrap();
    assert_eq!(none.previous, None);
    assert_eq!(none.single, Single::Unknown("other".into()));

    let from_value: Invoice = serde_json::from_value(serde_json::from_str(body).unwrap()).unwrap();
    assert_eq!(from_value, invoice);
}
