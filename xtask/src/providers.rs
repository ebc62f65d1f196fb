//! The providers table: one row per generated client crate.
//!
//! Adding a provider is a spec file in `specs/` plus one row here; nothing
//! else. Every progenitor knob a row may need is plain data, translated into
//! `GenerationSettings` by `settings.rs`.

/// One generated client crate and how to generate it.
#[derive(Debug, Clone, Copy)]
pub struct Provider {
    /// Crate name; the crate is written to `generated/<name>/`.
    pub name: &'static str,
    /// The OpenAPI 3.0.x spec, relative to the workspace root.
    pub spec: &'static str,
    /// `description` of the generated `Cargo.toml`.
    pub description: &'static str,
    /// Shape of the generated operation methods.
    pub interface: Interface,
    /// Rust type of a `Client::inner` value handed to hooks (e.g. `crate::Auth`).
    pub inner_type: Option<&'static str>,
    /// Path of a function called with each request before it is sent.
    pub pre_hook: Option<&'static str>,
    /// Path of an async function called with each request before it is sent; an `Err`
    /// refuses the request (progenitor's `Error::Custom`).
    pub pre_hook_async: Option<&'static str>,
    /// Path of a function called with each result before it is handled.
    pub post_hook: Option<&'static str>,
    /// Require a hand-written `impl ClientHooks for Client` (no default impl).
    pub hooks_expected: bool,
    /// Path of `async fn(&Inner, &reqwest::Client, reqwest::Request, read_only: bool) ->
    /// reqwest::Result<reqwest::Response>`: the generated `ClientHooks::exec` calls it for every
    /// request (needs `inner_type`; see `extras.rs`).
    pub exec_hook: Option<&'static str>,
    /// Extra derives on every generated type, e.g. `"PartialEq"`.
    pub derives: &'static [&'static str],
    /// Named schemas (`components/schemas/<schema>`) replaced by a Rust type.
    pub replacements: &'static [Replacement],
    /// Schemas of a given type + format replaced by a Rust type, wherever used.
    pub conversions: &'static [Conversion],
    /// Extra `[dependencies]` of the generated crate: `(name, toml value)`,
    /// e.g. `("rust_decimal", r#"{ version = "1", features = ["serde"] }"#)`.
    pub dependencies: &'static [(&'static str, &'static str)],
    /// Request timeout in seconds baked into `Client::new` (progenitor default: 15).
    pub timeout_secs: Option<u64>,
    /// Path of a macro that defines an open enum (`Unknown(String)` for unseen values);
    /// every named string enum of the spec becomes one. See `prepare.rs`.
    pub open_enum_macro: Option<&'static str>,
    /// Path of a generic type wrapping every error response body `X` as `<path><X>`.
    pub error_body: Option<&'static str>,
    /// Path of a `<MIN, MAX>` integer type for integers with `minimum`/`maximum`.
    pub bounded_int: Option<&'static str>,
    /// Path of a `<T, MIN, MAX>` list type for lists with `minItems`/`maxItems`.
    pub bounded_vec: Option<&'static str>,
}

impl Provider {
    /// A row with every setting at its default: start rows from this with
    /// `..Provider::DEFAULT` so new fields never touch existing rows.
    pub const DEFAULT: Provider = Provider {
        name: "",
        spec: "",
        description: "",
        interface: Interface::Builder,
        inner_type: None,
        pre_hook: None,
        pre_hook_async: None,
        post_hook: None,
        hooks_expected: false,
        exec_hook: None,
        derives: &[],
        replacements: &[],
        conversions: &[],
        dependencies: &[],
        timeout_secs: None,
        open_enum_macro: None,
        error_body: None,
        bounded_int: None,
        bounded_vec: None,
    };
}

/// progenitor's interface styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    /// `client.op().param(x).send()`; also gives generated types builders.
    Builder,
    /// `client.op(x, y)`.
    Positional,
}

/// Replace the named schema with an existing Rust type (typify `with_replacement`).
#[derive(Debug, Clone, Copy)]
pub struct Replacement {
    /// Schema name under `components/schemas`.
    pub schema: &'static str,
    /// Rust type path text, e.g. `"::rust_decimal::Decimal"`.
    pub rust_type: &'static str,
    /// Traits the type implements that generated code may rely on:
    /// `"Display"`, `"FromStr"`, `"Default"`, `"FromStringIrrefutable"`.
    pub impls: &'static [&'static str],
}

/// Replace every schema of exactly `{ type: <schema_type>, format: <format> }`
/// with a Rust type (typify `with_conversion`). typify compares the whole
/// schema except its docs, so a schema that adds e.g. `pattern`, `enum` or
/// `nullable` is *not* converted.
#[derive(Debug, Clone, Copy)]
pub struct Conversion {
    /// `"string"`, `"number"` or `"integer"`.
    pub schema_type: &'static str,
    /// The OpenAPI `format`, e.g. `"decimal"`.
    pub format: &'static str,
    /// Rust type path text, e.g. `"::rust_decimal::Decimal"`.
    pub rust_type: &'static str,
    /// As for [`Replacement::impls`].
    pub impls: &'static [&'static str],
}

/// What every provider's crate shares: the hand-written primitives of
/// `crates/invoice-primitives` in place of progenitor's defaults, so that money is exact,
/// unseen enum values and error bodies never fail to decode, and documented limits are
/// checked before a request is sent.
const INVOICE_PRIMITIVES: Provider = Provider {
    dependencies: &[("invoice-primitives", "{ workspace = true }")],
    post_hook: Some("::invoice_primitives::error::record_status"),
    exec_hook: Some("::invoice_primitives::transport::exec"),
    // `Client::new`'s connect and total timeouts; `Config::with_timeout` overrides the total.
    timeout_secs: Some(30),
    open_enum_macro: Some("::invoice_primitives::open_enum"),
    error_body: Some("::invoice_primitives::ErrorBody"),
    bounded_int: Some("::invoice_primitives::BoundedInt"),
    bounded_vec: Some("::invoice_primitives::BoundedVec"),
    conversions: &[
        // Money: exact decimals; `format: decimal` says the value is money, the type says
        // how it is written on the wire.
        Conversion {
            schema_type: "number",
            format: "decimal",
            rust_type: "::invoice_primitives::Amount",
            impls: &["Display", "FromStr"],
        },
        Conversion {
            schema_type: "string",
            format: "decimal",
            rust_type: "::invoice_primitives::StringAmount",
            impls: &["Display", "FromStr"],
        },
        // Times, in the forms the providers write them.
        Conversion {
            schema_type: "string",
            format: "utc-date-time",
            rust_type: "::invoice_primitives::Timestamp",
            impls: &["Display", "FromStr"],
        },
        Conversion {
            schema_type: "string",
            format: "dd.mm.yyyy",
            rust_type: "::invoice_primitives::DayMonthYear",
            impls: &["Display", "FromStr"],
        },
        Conversion {
            schema_type: "integer",
            format: "unix-seconds",
            rust_type: "::invoice_primitives::UnixTime",
            impls: &[],
        },
        // A secret chosen by the merchant (apiforcrypto's per-invoice `secret_key`).
        Conversion {
            schema_type: "string",
            format: "secret",
            rust_type: "::invoice_primitives::Secret",
            impls: &[],
        },
        // A string in which the provider writes `None` for "no value".
        Conversion {
            schema_type: "string",
            format: "none-placeholder",
            rust_type: "::invoice_primitives::MaybeText",
            impls: &[],
        },
    ],
    ..Provider::DEFAULT
};

/// Every generated crate, in output order.
pub const PROVIDERS: &[Provider] = &[
    Provider {
        name: "cryptocloud",
        spec: "specs/cryptocloud.yaml",
        description: "CryptoCloud invoice API client: create, list and look up invoices",
        pre_hook_async: Some("::invoice_primitives::rules::cryptocloud"),
        inner_type: Some("::invoice_primitives::Config<::invoice_primitives::TokenAuth>"),
        ..INVOICE_PRIMITIVES
    },
    Provider {
        name: "cryptoprocessing",
        spec: "specs/cryptoprocessing.yaml",
        description: "Cryptoprocessing by CoinsPaid invoice API client",
        pre_hook_async: Some("::invoice_primitives::rules::cryptoprocessing"),
        inner_type: Some("::invoice_primitives::Config<::invoice_primitives::HmacAuth>"),
        ..INVOICE_PRIMITIVES
    },
    Provider {
        name: "apiforcrypto",
        spec: "specs/apiforcrypto.yaml",
        description:
            "apiforcrypto invoice API client: create an invoice in a wallet, get it by UUID",
        pre_hook_async: Some("::invoice_primitives::rules::apiforcrypto"),
        inner_type: Some("::invoice_primitives::Config<::invoice_primitives::NoAuth>"),
        ..INVOICE_PRIMITIVES
    },
];
