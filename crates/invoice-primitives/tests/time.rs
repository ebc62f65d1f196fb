//! Provider date-time forms through serde_json, and random values.

use chrono::{DateTime, NaiveDate, Utc};
use invoice_primitives::{DayMonthYear, Timestamp, UnixTime};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Invoice {
    created: Timestamp,
    expiry_date: Option<Timestamp>,
    paid_at: UnixTime,
    date: DayMonthYear,
}

#[test]
fn cryptocloud_forms_round_trip_byte_for_byte() {
    let body = r#"{"created":"2023-01-01 12:00:00.000000","expiry_date":"2023-01-02 12:00:00","paid_at":1704067200,"date":"31.01.2024"}"#;
    let invoice: Invoice = serde_json::from_str(body).unwrap();
    assert_eq!(serde_json::to_string(&invoice).unwrap(), body);
    assert_eq!(
        invoice.created.get(),
        "2023-01-01T12:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    let value = serde_json::to_value(&invoice).unwrap();
    assert_eq!(serde_json::from_value::<Invoice>(value).unwrap(), invoice);
}

#[test]
fn lenient_input_documented_output() {
    let t: Timestamp = serde_json::from_str(r#""2023-01-01T12:00:00.000000Z""#).unwrap();
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        r#""2023-01-01 12:00:00.000000""#
    );
    let u: UnixTime = serde_json::from_str(r#""1704067200""#).unwrap();
    assert_eq!(serde_json::to_string(&u).unwrap(), "1704067200");
}

#[test]
fn bad_inputs_are_errors_naming_the_value() {
    for (json, expected) in [
        (
            r#""2023-13-01 12:00:00""#,
            r#"invalid date-time "2023-13-01 12:00:00": expected YYYY-MM-DD HH:MM:SS[.ffffff] (UTC)"#,
        ),
        (
            r#""2023-01-01 12:00:00+03:00""#,
            r#"invalid date-time "2023-01-01 12:00:00+03:00""#,
        ),
        (
            "1672574400",
            "invalid type: integer `1672574400`, expected a UTC date-time",
        ),
        ("null", "invalid type: null"),
    ] {
        let err = serde_json::from_str::<Timestamp>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{json}: {err}");
    }
    for (json, expected) in [
        (
            "1.5",
            "invalid type: floating point `1.5`, expected Unix time in whole seconds",
        ),
        (r#""1.5""#, r#"invalid Unix time "1.5""#),
        (r#""""#, r#"invalid Unix time """#),
        (
            "9223372036854775807",
            "invalid Unix time 9223372036854775807",
        ),
        (
            "18446744073709551615",
            "invalid Unix time 18446744073709551615",
        ),
        ("true", "invalid type: boolean `true`"),
    ] {
        let err = serde_json::from_str::<UnixTime>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{json}: {err}");
    }
    for (json, expected) in [
        (
            r#""31.02.2024""#,
            r#"invalid date "31.02.2024": expected DD.MM.YYYY, a real calendar date"#,
        ),
        (r#""2024-01-31""#, r#"invalid date "2024-01-31""#),
        ("20240131", "invalid type: integer"),
    ] {
        let err = serde_json::from_str::<DayMonthYear>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{json}: {err}");
    }
}

#[test]
fn unix_time_accepts_negative_and_string_forms() {
    let t: UnixTime = serde_json::from_str("-86400").unwrap();
    assert_eq!(
        t.get().date_naive(),
        NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()
    );
    let s: UnixTime = serde_json::from_str(r#""-86400""#).unwrap();
    assert_eq!(s, t);
    assert_eq!(UnixTime::from(t.get()), t);
    assert_eq!(DateTime::<Utc>::from(t), t.get());
}

/// A valid timestamp text with `digits` fraction digits.
fn timestamp_text() -> impl Strategy<Value = String> {
    (
        0i32..=9999,
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        0u32..60,
        0usize..=9,
        0u32..1_000_000_000,
    )
        .prop_filter_map("real date", |(y, mo, d, h, mi, s, digits, nanos)| {
            NaiveDate::from_ymd_opt(y, mo, d)?;
            let mut text = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
            if digits > 0 {
                let frac = format!("{nanos:09}");
                text.push('.');
                text.push_str(&frac[..digits]);
            }
            Some(text)
        })
}

proptest! {
    #[test]
    fn timestamps_round_trip(text in timestamp_text()) {
        let t: Timestamp = text.parse().unwrap();
        prop_assert_eq!(t.to_string(), text.clone());
        let json = serde_json::to_string(&text).unwrap();
        let from_json: Timestamp = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(serde_json::to_string(&from_json).unwrap(), json);
        // The lenient form is the same instant.
        let iso = format!("{}Z", text.replacen(' ', "T", 1));
        prop_assert_eq!(iso.parse::<Timestamp>().unwrap(), t);
        // From the instant: written with 6 or 9 digits, same instant back.
        let from_instant = Timestamp::from(t.get());
        prop_assert_eq!(from_instant.to_string().parse::<Timestamp>().unwrap().get(), t.get());
    }

    #[test]
    fn unix_times_round_trip(seconds in -62_135_596_800i64..=253_402_300_799) {
        let t = UnixTime::from_seconds(seconds).unwrap();
        let json = serde_json::to_string(&t).unwrap();
        prop_assert_eq!(&json, &seconds.to_string());
        prop_assert_eq!(serde_json::from_str::<UnixTime>(&json).unwrap(), t);
        let quoted = format!("\"{seconds}\"");
        prop_assert_eq!(serde_json::from_str::<UnixTime>(&quoted).unwrap(), t);
    }

    #[test]
    fn dates_round_trip(days in 0i32..=3_652_058) {
        // Days from 0001-01-01 through 9999-12-31.
        let date = NaiveDate::from_num_days_from_ce_opt(days + 1).unwrap();
        let d = DayMonthYear::new(date);
        let json = serde_json::to_string(&d).unwrap();
        let back: DayMonthYear = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, d);
        prop_assert_eq!(back.to_string(), date.format("%d.%m.%Y").to_string());
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(s in "\\PC{0,40}") {
        let _ = s.parse::<Timestamp>();
        let _ = s.parse::<UnixTime>();
        let _ = s.parse::<DayMonthYear>();
    }

    #[test]
    fn parsing_near_miss_text_never_panics(s in "[0-9]{1,5}[-.][0-9]{1,3}[-.][0-9]{1,5}[ T]?[0-9:]{0,9}(\\.[0-9]{0,11})?Z?") {
        if let Ok(t) = s.parse::<Timestamp>() {
            prop_assert_eq!(t.to_string().parse::<Timestamp>().unwrap(), t);
        }
        if let Ok(d) = s.parse::<DayMonthYear>() {
            prop_assert_eq!(d.to_string(), s);
        }
    }
}
