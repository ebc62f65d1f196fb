//! Documented rules that span several fields, or that a type cannot carry, checked on a typed
//! request before it is sent.
//!
//! OpenAPI 3.0 cannot express these rules, so the specs declare them as vendor extensions next
//! to the fields they govern (`x-not-after`, `x-window-end`, `x-required-with`, `x-url`,
//! `x-any-required`), and `cargo xtask regen` writes a `validate` method on each request type
//! that calls the checks here. The builders run it, so a request that breaks a rule is refused
//! before anything is sent, as [`ApiError::InvalidRequest`](crate::ApiError::InvalidRequest).
//!
//! Every check takes `at`, the path of the object holding the field (`""` at the top,
//! `"data."` inside `data`), so that each message names the field as the wire does.

use std::fmt::Display;

use rust_decimal::Decimal;

use crate::bounded::BoundedInt;

/// An integer field's value, whatever type holds it.
pub trait Int {
    /// The value.
    fn int(&self) -> i64;
}

impl Int for i64 {
    fn int(&self) -> i64 {
        *self
    }
}

impl<const MIN: i64, const MAX: i64> Int for BoundedInt<MIN, MAX> {
    fn int(&self) -> i64 {
        i64::from(*self)
    }
}

/// `field` is not after `other` (`x-not-after`); either may be absent.
pub fn not_after<T: PartialOrd + Display>(
    at: &str,
    field: &str,
    value: Option<&T>,
    other: &str,
    other_value: Option<&T>,
) -> Result<(), String> {
    match (value, other_value) {
        (Some(value), Some(other_value)) if value > other_value => Err(format!(
            "`{at}{field}` ({value}) is after `{at}{other}` ({other_value})"
        )),
        _ => Ok(()),
    }
}

/// `end` is the 1-based, inclusive number of the last record of a window that starts after
/// record `start` (0-based): `start < end <= start + max` (`x-window-end`).
pub fn window_end(
    at: &str,
    start_field: &str,
    start: i64,
    end_field: &str,
    end: i64,
    max: i64,
) -> Result<(), String> {
    if end <= start {
        return Err(format!(
            "`{at}{end_field}` ({end}) must be greater than `{at}{start_field}` ({start}): it is \
             the number of the last record to return, not a count"
        ));
    }
    if end - start > max {
        return Err(format!(
            "`{at}{end_field}` - `{at}{start_field}` ({end} - {start}) exceeds {max}, the most \
             records one request returns"
        ));
    }
    Ok(())
}

/// `field` is given whenever `other` is (`x-required-with`).
pub fn required_with(
    at: &str,
    field: &str,
    present: bool,
    other: &str,
    other_present: bool,
) -> Result<(), String> {
    if other_present && !present {
        return Err(format!(
            "`{at}{field}` is required when `{at}{other}` is given"
        ));
    }
    Ok(())
}

/// At least one of `fields` (name, given) is given (`x-any-required`).
pub fn any_required(at: &str, fields: &[(&str, bool)]) -> Result<(), String> {
    if fields.iter().any(|(_, present)| *present) {
        return Ok(());
    }
    let names: Vec<String> = fields
        .iter()
        .map(|(name, _)| format!("`{at}{name}`"))
        .collect();
    Err(format!("one of {} is required", names.join(", ")))
}

/// An integer within `min..=max` where the type cannot say so, because responses use the same
/// type and a value echoed there must never make a response unreadable.
pub fn in_range(
    at: &str,
    field: &str,
    value: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), String> {
    let Some(value) = value else { return Ok(()) };
    if min.is_some_and(|min| value < min) || max.is_some_and(|max| value > max) {
        let range = match (min, max) {
            (Some(min), Some(max)) => format!("from {min} to {max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => unreachable!("a bound was broken"),
        };
        return Err(format!("`{at}{field}` ({value}) must be {range}"));
    }
    Ok(())
}

/// A decimal amount at least `minimum`, or above it when `exclusive` (`minimum`,
/// `exclusiveMinimum`): an amount to pay or to send is above zero.
pub fn decimal_minimum(
    at: &str,
    field: &str,
    value: Option<Decimal>,
    minimum: Decimal,
    exclusive: bool,
) -> Result<(), String> {
    let Some(value) = value else { return Ok(()) };
    let (below, bound) = if exclusive {
        (value <= minimum, "above")
    } else {
        (value < minimum, "at least")
    };
    if below {
        return Err(format!("`{at}{field}` ({value}) must be {bound} {minimum}"));
    }
    Ok(())
}

/// An absolute URL with one of `schemes`, naming a domain (not an IP address) when
/// `domain_only` (`x-url`).
pub fn url(
    at: &str,
    field: &str,
    value: Option<&str>,
    schemes: &[&str],
    domain_only: bool,
) -> Result<(), String> {
    let Some(value) = value else { return Ok(()) };
    let refuse = |why: String| Err(format!("`{at}{field}` ({value}) {why}"));
    let Ok(parsed) = reqwest::Url::parse(value) else {
        return refuse(format!(
            "is not a URL starting with {}",
            scheme_list(schemes)
        ));
    };
    if !schemes.contains(&parsed.scheme()) {
        return refuse(format!("must start with {}", scheme_list(schemes)));
    }
    match (parsed.domain(), parsed.host_str()) {
        (Some(_), _) => Ok(()),
        (None, Some(_)) if domain_only => refuse("must name a domain, not an IP address".into()),
        (None, Some(_)) => Ok(()),
        (None, None) => refuse("has no host".into()),
    }
}

fn scheme_list(schemes: &[&str]) -> String {
    let list: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
    list.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::DayMonthYear;

    #[test]
    fn dates_in_order() {
        let day = |s: &str| s.parse::<DayMonthYear>().unwrap();
        let (a, b) = (day("01.02.2024"), day("31.01.2024"));
        assert_eq!(
            not_after("", "start", Some(&a), "end", Some(&b)).unwrap_err(),
            "`start` (01.02.2024) is after `end` (31.01.2024)"
        );
        assert!(not_after("", "start", Some(&b), "end", Some(&a)).is_ok());
        assert!(not_after("", "start", Some(&a), "end", Some(&a)).is_ok());
        assert!(not_after::<DayMonthYear>("", "start", None, "end", Some(&a)).is_ok());
    }

    #[test]
    fn end_index_windows() {
        let check = |start, end| window_end("", "offset", start, "limit", end, 100);
        assert!(check(100, 200).is_ok());
        assert!(check(0, 1).is_ok());
        assert!(check(100, 201).unwrap_err().contains("exceeds 100"));
        assert!(check(100, 100)
            .unwrap_err()
            .contains("must be greater than `offset`"));
    }

    #[test]
    fn presence_rules() {
        assert_eq!(
            required_with("", "sender_data", false, "sender_type", true).unwrap_err(),
            "`sender_data` is required when `sender_type` is given"
        );
        assert!(required_with("", "sender_data", false, "sender_type", false).is_ok());
        assert_eq!(
            any_required("", &[("value", false), ("fiatCurrency.value", false)]).unwrap_err(),
            "one of `value`, `fiatCurrency.value` is required"
        );
        assert!(any_required("", &[("value", false), ("fiatCurrency.value", true)]).is_ok());
    }

    #[test]
    fn ranges() {
        assert_eq!(
            in_range("data.", "attempts_callback", Some(21), Some(0), Some(20)).unwrap_err(),
            "`data.attempts_callback` (21) must be from 0 to 20"
        );
        assert!(in_range("", "n", Some(20), Some(0), Some(20)).is_ok());
        assert!(in_range("", "n", None, Some(0), Some(20)).is_ok());
        assert_eq!(
            in_range("", "n", Some(-1), Some(0), None).unwrap_err(),
            "`n` (-1) must be at least 0"
        );
    }

    #[test]
    fn urls() {
        let https = |v| url("", "url_success", Some(v), &["https"], true);
        assert!(https("https://shop.example/ok").is_ok());
        assert_eq!(
            https("http://shop.example").unwrap_err(),
            "`url_success` (http://shop.example) must start with https://"
        );
        assert!(https("https://10.0.0.1/x")
            .unwrap_err()
            .contains("IP address"));
        assert!(https("shop.example").unwrap_err().contains("is not a URL"));
        let web = |v| url("data.", "url_failed", Some(v), &["http", "https"], false);
        assert!(web("http://10.0.0.1/x").is_ok());
        assert_eq!(
            web("ftp://shop.example").unwrap_err(),
            "`data.url_failed` (ftp://shop.example) must start with http:// or https://"
        );
    }
}
