//! [`schemars::JsonSchema`] for the primitives (feature `schemars`), so that generated types
//! that use them can derive it (the generated command-line clients need it). Each schema says
//! what the type writes on the wire.

use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Metadata, Schema, SchemaObject, SingleOrVec};
use schemars::JsonSchema;

use crate::{
    Amount, BoundedInt, BoundedVec, DayMonthYear, ErrorBody, MaybeText, PathSegment, Secret,
    StringAmount, Timestamp, UnixTime,
};

/// A schema of one instance type, with a format and a description.
pub(crate) fn simple(
    instance_type: InstanceType,
    format: Option<&str>,
    description: &str,
) -> SchemaObject {
    SchemaObject {
        instance_type: Some(SingleOrVec::Single(Box::new(instance_type))),
        format: format.map(str::to_owned),
        metadata: Some(Box::new(Metadata {
            description: Some(description.to_owned()),
            ..Metadata::default()
        })),
        ..SchemaObject::default()
    }
}

macro_rules! plain_schema {
    ($ty:ty, $name:literal, $instance:expr, $format:expr, $description:literal) => {
        impl JsonSchema for $ty {
            fn schema_name() -> String {
                $name.to_owned()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                simple($instance, $format, $description).into()
            }
        }
    };
}

plain_schema!(
    Amount,
    "Amount",
    InstanceType::Number,
    Some("decimal"),
    "An exact decimal amount, written as a JSON number with every digit"
);
plain_schema!(
    StringAmount,
    "StringAmount",
    InstanceType::String,
    Some("decimal"),
    "An exact decimal amount, written as a JSON string"
);
plain_schema!(
    Timestamp,
    "Timestamp",
    InstanceType::String,
    Some("utc-date-time"),
    "A UTC instant, `YYYY-MM-DD HH:MM:SS[.ffffff]`"
);
plain_schema!(
    DayMonthYear,
    "DayMonthYear",
    InstanceType::String,
    Some("dd.mm.yyyy"),
    "A date, `DD.MM.YYYY`"
);
plain_schema!(
    UnixTime,
    "UnixTime",
    InstanceType::Integer,
    Some("unix-seconds"),
    "An instant in seconds since 1970-01-01 00:00:00 UTC"
);
plain_schema!(
    MaybeText,
    "MaybeText",
    InstanceType::String,
    None,
    "Text, or `None` for no value"
);
plain_schema!(
    PathSegment,
    "PathSegment",
    InstanceType::String,
    None,
    "A path segment: any text but ``, `.` and `..`"
);

impl JsonSchema for Secret {
    fn schema_name() -> String {
        "Secret".to_owned()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = simple(
            InstanceType::String,
            Some("secret"),
            "A secret: sent, never shown",
        );
        schema.metadata().write_only = true;
        schema.into()
    }
}

impl<const MIN: i64, const MAX: i64> JsonSchema for BoundedInt<MIN, MAX> {
    fn schema_name() -> String {
        format!("BoundedInt_{MIN}_{MAX}")
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut schema = simple(
            InstanceType::Integer,
            Some("int64"),
            "An integer within its documented range",
        );
        schema.number().minimum = Some(MIN as f64);
        schema.number().maximum = Some(MAX as f64);
        schema.into()
    }

    fn is_referenceable() -> bool {
        false
    }
}

impl<T: JsonSchema, const MIN: usize, const MAX: usize> JsonSchema for BoundedVec<T, MIN, MAX> {
    fn schema_name() -> String {
        format!("BoundedVec_{MIN}_{MAX}_{}", T::schema_name())
    }

    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        let mut schema = <Vec<T>>::json_schema(gen).into_object();
        let array = schema.array();
        array.min_items = u32::try_from(MIN).ok();
        array.max_items = u32::try_from(MAX).ok();
        schema.into()
    }

    fn is_referenceable() -> bool {
        false
    }
}

impl<T: JsonSchema> JsonSchema for ErrorBody<T> {
    fn schema_name() -> String {
        format!("ErrorBody_{}", T::schema_name())
    }

    /// The documented shape; the provider may send any JSON (kept as sent).
    fn json_schema(gen: &mut SchemaGenerator) -> Schema {
        T::json_schema(gen)
    }

    fn is_referenceable() -> bool {
        false
    }
}

/// The schema of an [`open_enum!`](crate::open_enum!): a string, with the known values listed
/// as examples (any other string is accepted and kept).
#[doc(hidden)]
pub fn open_enum_schema(known: &[&str]) -> Schema {
    let mut schema = simple(
        InstanceType::String,
        None,
        "One of the known values, or any other string (kept as sent)",
    );
    schema.metadata().examples = known.iter().map(|k| (*k).into()).collect();
    schema.into()
}

/// The schema of every [`text_or_integer!`](crate::text_or_integer!) enum: a string or an
/// integer.
#[doc(hidden)]
pub fn text_or_integer_schema() -> Schema {
    let mut schema = simple(
        InstanceType::String,
        None,
        "A string or an integer (kept in the form sent)",
    );
    schema.instance_type = Some(SingleOrVec::Vec(vec![
        InstanceType::String,
        InstanceType::Integer,
    ]));
    schema.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_say_what_is_written() {
        let schema = schemars::schema_for!(BoundedVec<Amount, 1, 100>);
        let text = serde_json::to_string(&schema).unwrap();
        assert!(text.contains(r#""minItems":1"#), "{text}");
        assert!(text.contains(r#""format":"decimal""#), "{text}");
        let schema = schemars::schema_for!(Secret);
        let text = serde_json::to_string(&schema).unwrap();
        assert!(text.contains(r#""writeOnly":true"#), "{text}");
        let text = serde_json::to_string(&text_or_integer_schema()).unwrap();
        assert!(text.contains(r#""type":["string","integer"]"#), "{text}");
    }
}
