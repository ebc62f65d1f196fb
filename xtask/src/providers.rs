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
    /// How requests are authenticated. The header names and prefix come from the spec's
    /// `securitySchemes`; only the choice and the environment variables are here.
    pub auth: Auth,
    /// Further credentials, each for the operations whose `security` names its scheme.
    pub extra_credentials: &'static [ExtraCredential],
    /// Environment variable that `Client::from_env` reads for the base URL (the spec's first
    /// server when unset).
    pub base_url_env: &'static str,
    /// Hand-written, provider-specific code appended to the generated `lib.rs` (a path
    /// relative to the workspace root), like smithy-rs's inlineable modules.
    pub inline: Option<&'static str>,
    /// Markdown appended to the crate's front page after "Getting started": one call, and
    /// where paging and webhooks live (a path relative to the workspace root).
    pub guide: Option<&'static str>,
    /// Path of the provider-neutral runtime crate (`crates/invoice-primitives`): its
    /// `progenitor` module stands in for progenitor-client, so `send()` returns its `Response`
    /// and `ApiError`, and its transport sends each request. `None` generates a plain
    /// progenitor client.
    pub runtime: Option<&'static str>,
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
    /// Path of a macro that defines an enum of a value sent either as a string or as an integer
    /// (`String(String)`, `Int64(i64)`); every named schema that is exactly
    /// `oneOf: [{type: string}, {type: integer, format: int64}]` becomes one, read straight
    /// into its variant instead of through serde's `untagged` trial and error. See `prepare.rs`.
    pub text_or_integer_macro: Option<&'static str>,
    /// Path of a `<MIN, MAX>` integer type for integers with `minimum`/`maximum`.
    pub bounded_int: Option<&'static str>,
    /// Path of a `<T, MIN, MAX>` list type for lists with `minItems`/`maxItems`.
    pub bounded_vec: Option<&'static str>,
    /// Path of a string type that refuses ``, `.` and `..`, for string path parameters:
    /// URL parsing would resolve such a segment and send the request to another endpoint.
    pub path_segment: Option<&'static str>,
    /// Also generate `generated/<name>-httpmock`: progenitor's typed httpmock mocks of every
    /// operation (mocks.rs).
    pub mocks: bool,
    /// The httpmock crate's README example: a Markdown fragment (a path relative to the
    /// workspace root), run by `tests/readme.rs`.
    pub mocks_guide: Option<&'static str>,
    /// Features of the row's dependencies that give their types `schemars::JsonSchema`, enabled
    /// by the generated crate's own `schemars` feature (which derives `JsonSchema` on every
    /// generated type; off by default). That feature exists for rows with `cli`, whose
    /// command-line client turns it on.
    pub schemars_features: &'static [&'static str],
    /// Also generate `generated/<name>-cli`: progenitor's clap command-line client of every
    /// operation, on the provider-neutral runtime of `crates/invoice-cli` (cli.rs). Needs
    /// `runtime`.
    pub cli: bool,
    /// The provider's webhook tooling for the command-line client's `listen` and `trigger`: a
    /// path to a value implementing `invoice_webhooks::tooling::Tooling` (in the provider's
    /// module of `crates/invoice-webhooks`). `None`: the CLI has no webhook commands.
    pub webhooks: Option<&'static str>,
}

impl Provider {
    /// A row with every setting at its default: start rows from this with
    /// `..Provider::DEFAULT` so new fields never touch existing rows.
    pub const DEFAULT: Provider = Provider {
        name: "",
        spec: "",
        description: "",
        auth: Auth::None,
        extra_credentials: &[],
        base_url_env: "",
        inline: None,
        guide: None,
        runtime: None,
        conversions: &[],
        dependencies: &[],
        timeout_secs: None,
        open_enum_macro: None,
        text_or_integer_macro: None,
        bounded_int: None,
        bounded_vec: None,
        path_segment: None,
        mocks: false,
        mocks_guide: None,
        schemars_features: &[],
        cli: false,
        webhooks: None,
    };
}

/// A further API key of a provider, taken only by the operations whose `security` names
/// `scheme` (a header `apiKey` scheme of the spec, with its `x-prefix`): never the default
/// credentials for those operations, never this key for the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtraCredential {
    /// The `securitySchemes` entry.
    pub scheme: &'static str,
    /// The field of `Credentials` and its setter `with_<name>`.
    pub name: &'static str,
    /// Environment variable `from_env` reads for it, when set.
    pub env: &'static str,
}

/// How a provider authenticates requests; the generated crate's `Credentials` is built on the
/// runtime's scheme of the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// No credentials.
    None,
    /// A token in the header that `securitySchemes/<scheme>` names (`type: apiKey`, `in:
    /// header`), after the scheme's `x-prefix`.
    HeaderToken {
        scheme: &'static str,
        /// Environment variable holding the token.
        env: &'static str,
    },
    /// The API key in `key_scheme`'s header, and the lowercase hex HMAC-SHA512 of the body
    /// keyed with the secret in `signature_scheme`'s header (which says so with
    /// `x-signature: hmac-sha512-hex`).
    HmacBody {
        key_scheme: &'static str,
        signature_scheme: &'static str,
        /// Environment variables holding the API key and the secret.
        key_env: &'static str,
        secret_env: &'static str,
    },
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
    /// Traits the type implements that generated code may rely on:
    /// `"Display"`, `"FromStr"`, `"Default"`, `"FromStringIrrefutable"`.
    pub impls: &'static [&'static str],
}

/// What every provider's crate shares: the provider-neutral runtime of
/// `crates/invoice-primitives` in place of progenitor's defaults, so that money is exact,
/// unseen enum values and error bodies never fail to decode, documented limits are checked
/// before a request is sent, and every call returns one error type.
const INVOICE_PRIMITIVES: Provider = Provider {
    runtime: Some("::invoice_primitives"),
    dependencies: &[("invoice-primitives", "{ workspace = true }")],
    // `Client::new`'s connect and total timeouts; `Config::with_timeout` overrides the total.
    timeout_secs: Some(30),
    open_enum_macro: Some("::invoice_primitives::open_enum"),
    text_or_integer_macro: Some("::invoice_primitives::text_or_integer"),
    bounded_int: Some("::invoice_primitives::BoundedInt"),
    bounded_vec: Some("::invoice_primitives::BoundedVec"),
    path_segment: Some("::invoice_primitives::PathSegment"),
    mocks: true,
    schemars_features: &["invoice-primitives/schemars"],
    cli: true,
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
        auth: Auth::HeaderToken {
            scheme: "Token",
            env: "CRYPTOCLOUD_API_KEY",
        },
        extra_credentials: &[ExtraCredential {
            scheme: "WithdrawalToken",
            name: "withdrawal_key",
            env: "CRYPTOCLOUD_WITHDRAWAL_KEY",
        }],
        base_url_env: "CRYPTOCLOUD_BASE_URL",
        guide: Some("xtask/inline/cryptocloud.md"),
        mocks_guide: Some("xtask/inline/cryptocloud-httpmock.md"),
        webhooks: Some("::invoice_webhooks::cryptocloud::TOOLING"),
        inline: Some("xtask/inline/cryptocloud.rs"),
        ..INVOICE_PRIMITIVES
    },
    Provider {
        name: "cryptoprocessing",
        spec: "specs/cryptoprocessing.yaml",
        description: "Cryptoprocessing by CoinsPaid invoice API client",
        auth: Auth::HmacBody {
            key_scheme: "ProcessingKey",
            signature_scheme: "ProcessingSignature",
            key_env: "CRYPTOPROCESSING_API_KEY",
            secret_env: "CRYPTOPROCESSING_SECRET",
        },
        base_url_env: "CRYPTOPROCESSING_BASE_URL",
        guide: Some("xtask/inline/cryptoprocessing.md"),
        mocks_guide: Some("xtask/inline/cryptoprocessing-httpmock.md"),
        webhooks: Some("::invoice_webhooks::cryptoprocessing::TOOLING"),
        // Its requests are signed (`Auth::HmacBody`): the runtime's `hmac` feature, which the
        // other clients leave off so that their users do not build HMAC-SHA512.
        dependencies: &[(
            "invoice-primitives",
            "{ workspace = true, features = [\"hmac\"] }",
        )],
        ..INVOICE_PRIMITIVES
    },
    Provider {
        name: "apiforcrypto",
        spec: "specs/apiforcrypto.yaml",
        description:
            "apiforcrypto invoice API client: create an invoice in a wallet, get it by UUID",
        auth: Auth::None,
        base_url_env: "APIFORCRYPTO_BASE_URL",
        guide: Some("xtask/inline/apiforcrypto.md"),
        mocks_guide: Some("xtask/inline/apiforcrypto-httpmock.md"),
        webhooks: Some("::invoice_webhooks::apiforcrypto::TOOLING"),
        ..INVOICE_PRIMITIVES
    },
];
