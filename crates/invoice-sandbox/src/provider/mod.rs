//! One imitation per provider, each implementing [`crate::core::imitation::Imitation`].

pub mod apiforcrypto;
pub mod cryptocloud;
pub mod cryptoprocessing;

/// Marks a provider's answers and callbacks as [`Documented`](crate::core::nulls::Documented)
/// by its spec: `documented!(spec_function => [Type, ...])`.
macro_rules! documented {
    ($spec:path => [$($schema:ident),+ $(,)?]) => {
        $(
            impl $crate::core::nulls::Documented for types::$schema {
                const SCHEMA: &'static str = stringify!($schema);
                fn spec() -> &'static serde_json::Value {
                    $spec()
                }
            }
        )+
    };
}
pub(crate) use documented;

/// A spec's YAML, parsed once.
pub(crate) fn parse_spec(text: &str) -> serde_json::Value {
    // The specs are checked in with this crate; one that does not parse fails every test.
    serde_yaml_ng::from_str(text).expect("the spec is YAML")
}
