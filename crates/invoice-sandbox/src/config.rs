//! The sandbox's configuration: keys, secrets, ids, callback URLs, port and time scale, with
//! defaults that work out of the box; read from flags ([`Flags`]) or a TOML/JSON file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use invoice_webhooks::tooling::Tooling as _;
use serde::{Deserialize, Serialize};

/// The port the binary listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8089;

/// The largest request body read, in bytes, unless configured: 64 KiB, far above any
/// documented request (a few hundred bytes).
pub const DEFAULT_MAX_BODY: usize = 64 * 1024;

/// The fastest sandbox time may run: 10 000 times real time (a week in a minute).
pub const MAX_TIME_SCALE: f64 = 10_000.0;

/// Everything the sandbox is configured with.
///
/// `Config::default()` listens on any free port (port 0: for tests); the binary's default port
/// is [`DEFAULT_PORT`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// How fast sandbox time runs: 60 makes a minute pass in a second (expiries, retries).
    pub time_scale: f64,
    /// How long one delivery attempt may take, in real seconds, before it counts as failed.
    pub delivery_timeout_secs: f64,
    /// The largest request body read, in bytes; a larger one is refused.
    pub max_body_bytes: usize,
    /// Where the sandbox keeps its invoices, payments, deliveries and clock (a redb database,
    /// created if missing); every change is on disk before the answer that reports it, and a
    /// restart resumes pending deliveries. `None`: in memory, gone at exit.
    pub state: Option<PathBuf>,
    /// CryptoCloud's settings.
    pub cryptocloud: CryptoCloudConfig,
    /// Cryptoprocessing's settings.
    pub cryptoprocessing: CryptoprocessingConfig,
    /// apiforcrypto's settings.
    pub apiforcrypto: ApiForCryptoConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 0,
            time_scale: 1.0,
            delivery_timeout_secs: 10.0,
            max_body_bytes: DEFAULT_MAX_BODY,
            state: None,
            cryptocloud: CryptoCloudConfig::default(),
            cryptoprocessing: CryptoprocessingConfig::default(),
            apiforcrypto: ApiForCryptoConfig::default(),
        }
    }
}

/// CryptoCloud: the project's keys and ids, and where its postbacks go.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CryptoCloudConfig {
    /// The project's API key (`Authorization: Token <key>`).
    pub api_key: String,
    /// The separate withdrawal key, the only key `create_withdrawal` takes.
    pub withdrawal_key: String,
    /// The project's secret key, which signs postback tokens (HS256).
    pub secret_key: String,
    /// The project's shop id, which invoice and static-wallet requests name.
    pub shop_id: String,
    /// The project's numeric id (`project.id` of invoices).
    pub project_id: i64,
    /// The project's name (`project.name` of invoices).
    pub project_name: String,
    /// The project's notification URL; no postbacks are sent without one.
    pub postback_url: Option<String>,
    /// How postbacks are encoded (the project's setting).
    pub postback_format: PostbackFormat,
}

impl Default for CryptoCloudConfig {
    fn default() -> Self {
        Self {
            api_key: "sandbox-cryptocloud-api-key".into(),
            withdrawal_key: "sandbox-cryptocloud-withdrawal-key".into(),
            secret_key: "sandbox-cryptocloud-secret-key".into(),
            shop_id: "SandboxShop00001".into(),
            project_id: 1,
            project_name: "Sandbox shop".into(),
            postback_url: None,
            postback_format: PostbackFormat::Json,
        }
    }
}

/// How CryptoCloud encodes a postback: chosen per project in its settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PostbackFormat {
    /// `application/json`.
    #[default]
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// Cryptoprocessing: the account's keys and its callback URL.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CryptoprocessingConfig {
    /// The API key (`X-Processing-Key`).
    pub api_key: String,
    /// The secret key: the HMAC-SHA512 key of requests and callbacks.
    pub secret_key: String,
    /// The account's callback URL; no callbacks are sent without one.
    pub callback_url: Option<String>,
}

impl Default for CryptoprocessingConfig {
    fn default() -> Self {
        Self {
            api_key: "sandbox-cryptoprocessing-api-key".into(),
            secret_key: "sandbox-cryptoprocessing-secret-key".into(),
            callback_url: None,
        }
    }
}

/// apiforcrypto: the merchant's wallets.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiForCryptoConfig {
    /// The wallet ids that exist; invoices are created in one of them.
    pub wallet_ids: Vec<String>,
    /// The name every wallet reports.
    pub wallet_name: String,
    /// How many times a notification is resent when the invoice gives no `attempts_callback`
    /// (undocumented; this default is the sandbox's choice).
    pub default_attempts_callback: u32,
}

impl Default for ApiForCryptoConfig {
    fn default() -> Self {
        Self {
            wallet_ids: vec!["417ee4f0-bb55-471c-8195-2e1087e775e9".into()],
            wallet_name: "Sandbox wallet".into(),
            default_attempts_callback: 3,
        }
    }
}

impl Config {
    /// Reads a configuration file: TOML when its name ends in `.toml`, JSON otherwise. Fields
    /// left out keep their defaults.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let is_toml = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
        if is_toml {
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
        } else {
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
    }

    /// Checks the values the sandbox cannot run with.
    pub fn check(&self) -> Result<(), String> {
        // Far enough for any test; bounded so sandbox time stays within the calendar.
        if !(self.time_scale.is_finite()
            && self.time_scale > 0.0
            && self.time_scale <= MAX_TIME_SCALE)
        {
            return Err(format!(
                "time_scale must be a number above 0 and at most {MAX_TIME_SCALE}, not {}",
                self.time_scale
            ));
        }
        if !(self.delivery_timeout_secs.is_finite() && self.delivery_timeout_secs > 0.0) {
            return Err("delivery_timeout_secs must be a positive number".into());
        }
        let keys = [
            ("cryptocloud.api_key", &self.cryptocloud.api_key),
            (
                "cryptocloud.withdrawal_key",
                &self.cryptocloud.withdrawal_key,
            ),
            ("cryptocloud.secret_key", &self.cryptocloud.secret_key),
            ("cryptocloud.shop_id", &self.cryptocloud.shop_id),
            ("cryptoprocessing.api_key", &self.cryptoprocessing.api_key),
            (
                "cryptoprocessing.secret_key",
                &self.cryptoprocessing.secret_key,
            ),
        ];
        for (name, value) in keys {
            // Keys travel in headers (`Authorization`, `X-Processing-Key`).
            if value.trim().is_empty()
                || value.trim() != value
                || http::HeaderValue::from_str(value).is_err()
            {
                return Err(format!(
                    "{name} must be non-empty text without surrounding spaces or control characters"
                ));
            }
        }
        if self.apiforcrypto.wallet_ids.is_empty() {
            return Err("apiforcrypto.wallet_ids must name at least one wallet".into());
        }
        Ok(())
    }

    /// What the binary prints at start: the URLs, and every key, secret and id in use.
    pub fn describe(&self, root_url: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "invoice-sandbox listening on {root_url}");
        let _ = writeln!(
            out,
            "  time scale {} (1 sandbox minute = {:.3} s); delivery timeout {} s; max body {} bytes",
            self.time_scale,
            60.0 / self.time_scale,
            self.delivery_timeout_secs,
            self.max_body_bytes
        );
        let _ = writeln!(
            out,
            "  state           {}",
            self.state.as_ref().map_or_else(
                || "in memory (--state PATH keeps it)".to_owned(),
                |path| format!("kept in {}", path.display())
            )
        );
        let cc = &self.cryptocloud;
        let _ = writeln!(out, "CryptoCloud       base URL {root_url}/cryptocloud");
        let _ = writeln!(out, "  api key         {}", cc.api_key);
        let _ = writeln!(out, "  withdrawal key  {}", cc.withdrawal_key);
        let _ = writeln!(out, "  secret key      {}", cc.secret_key);
        let _ = writeln!(out, "  shop id         {}", cc.shop_id);
        let _ = writeln!(
            out,
            "  project         {} ({})",
            cc.project_id, cc.project_name
        );
        let _ = writeln!(
            out,
            "  postback URL    {}",
            cc.postback_url
                .as_deref()
                .unwrap_or("(none: set --cryptocloud-postback-url)")
        );
        let format = match cc.postback_format {
            PostbackFormat::Json => "json",
            PostbackFormat::Form => "form",
        };
        let _ = writeln!(out, "  postback format {format}");
        let cp = &self.cryptoprocessing;
        let _ = writeln!(
            out,
            "Cryptoprocessing  base URL {root_url}/cryptoprocessing"
        );
        let _ = writeln!(out, "  api key         {}", cp.api_key);
        let _ = writeln!(out, "  secret key      {}", cp.secret_key);
        let _ = writeln!(
            out,
            "  callback URL    {}",
            cp.callback_url
                .as_deref()
                .unwrap_or("(none: set --cryptoprocessing-callback-url)")
        );
        let af = &self.apiforcrypto;
        let _ = writeln!(out, "apiforcrypto      base URL {root_url}/apiforcrypto");
        let _ = writeln!(out, "  wallet ids      {}", af.wallet_ids.join(", "));
        let _ = writeln!(
            out,
            "  callbacks       each invoice's data.url_callback; {} resends unless it sets attempts_callback",
            af.default_attempts_callback
        );
        let _ = writeln!(
            out,
            "Pages             {root_url}/ (invoices), {root_url}/_sandbox/deliveries"
        );
        let _ = writeln!(out, "Control API       {root_url}/_sandbox/api/...");
        // What the generated clients' `Client::from_env()` read.
        let _ = writeln!(out, "Environment for the generated clients' from_env():");
        let _ = writeln!(
            out,
            "  {}={root_url}/cryptocloud {}={} {}={}",
            cryptocloud::Client::BASE_URL_ENV,
            cryptocloud::Credentials::API_KEY_ENV,
            cc.api_key,
            cryptocloud::Credentials::WITHDRAWAL_KEY_ENV,
            cc.withdrawal_key
        );
        let _ = writeln!(
            out,
            "  {}={root_url}/cryptoprocessing {}={} {}={}",
            cryptoprocessing::Client::BASE_URL_ENV,
            cryptoprocessing::Credentials::API_KEY_ENV,
            cp.api_key,
            cryptoprocessing::Credentials::SECRET_ENV,
            cp.secret_key
        );
        let _ = writeln!(
            out,
            "  {}={root_url}/apiforcrypto",
            apiforcrypto::Client::BASE_URL_ENV
        );
        // What a receiver (the CLIs' `listen`, a webhook handler) and a checkout need besides.
        let _ = writeln!(out, "Environment for receivers and a checkout:");
        let _ = writeln!(
            out,
            "  {}={} CRYPTOCLOUD_SHOP_ID={}",
            invoice_webhooks::cryptocloud::TOOLING.secret_env(),
            cc.secret_key,
            cc.shop_id
        );
        let _ = write!(
            out,
            "  APIFORCRYPTO_WALLET_ID={}",
            af.wallet_ids
                .first()
                .map(String::as_str)
                .unwrap_or_default()
        );
        out
    }
}

/// The binary's command-line flags; each one given overrides the file and the defaults.
#[derive(Debug, Clone, Default, clap::Parser)]
#[command(
    name = "invoice-sandbox",
    about = "A local sandbox of CryptoCloud, Cryptoprocessing and apiforcrypto"
)]
pub struct Flags {
    /// A TOML (`.toml`) or JSON configuration file; flags override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The port on 127.0.0.1 (default 8089; 0 picks a free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// How fast sandbox time runs: 60 makes a minute pass in a second (default 1).
    #[arg(long)]
    pub time_scale: Option<f64>,
    /// Seconds one delivery attempt may take (default 10).
    #[arg(long)]
    pub delivery_timeout: Option<f64>,
    /// The largest request body read, in bytes (default 65536).
    #[arg(long)]
    pub max_body_bytes: Option<usize>,
    /// Keep invoices, payments, deliveries and the clock in this database file (redb),
    /// created if missing; without it, the state is in memory.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// CryptoCloud's project API key.
    #[arg(long)]
    pub cryptocloud_api_key: Option<String>,
    /// CryptoCloud's withdrawal key.
    #[arg(long)]
    pub cryptocloud_withdrawal_key: Option<String>,
    /// CryptoCloud's project secret key (signs postbacks).
    #[arg(long)]
    pub cryptocloud_secret_key: Option<String>,
    /// CryptoCloud's shop id.
    #[arg(long)]
    pub cryptocloud_shop_id: Option<String>,
    /// Where CryptoCloud postbacks go.
    #[arg(long)]
    pub cryptocloud_postback_url: Option<String>,
    /// How CryptoCloud postbacks are encoded.
    #[arg(long, value_enum)]
    pub cryptocloud_postback_format: Option<PostbackFormat>,
    /// Cryptoprocessing's API key.
    #[arg(long)]
    pub cryptoprocessing_api_key: Option<String>,
    /// Cryptoprocessing's secret key.
    #[arg(long)]
    pub cryptoprocessing_secret_key: Option<String>,
    /// Where Cryptoprocessing callbacks go.
    #[arg(long)]
    pub cryptoprocessing_callback_url: Option<String>,
    /// An apiforcrypto wallet id (repeat the flag for several; replaces the default).
    #[arg(long = "apiforcrypto-wallet-id")]
    pub apiforcrypto_wallet_ids: Vec<String>,
}

impl Flags {
    /// The configuration: defaults (port [`DEFAULT_PORT`]), then the file, then the flags.
    pub fn into_config(self) -> Result<Config, String> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None => Config {
                port: DEFAULT_PORT,
                ..Config::default()
            },
        };
        fn set<T>(target: &mut T, value: Option<T>) {
            if let Some(value) = value {
                *target = value;
            }
        }
        set(&mut config.port, self.port);
        set(&mut config.time_scale, self.time_scale);
        set(&mut config.delivery_timeout_secs, self.delivery_timeout);
        set(&mut config.max_body_bytes, self.max_body_bytes);
        if self.state.is_some() {
            config.state = self.state;
        }
        let cc = &mut config.cryptocloud;
        set(&mut cc.api_key, self.cryptocloud_api_key);
        set(&mut cc.withdrawal_key, self.cryptocloud_withdrawal_key);
        set(&mut cc.secret_key, self.cryptocloud_secret_key);
        set(&mut cc.shop_id, self.cryptocloud_shop_id);
        set(&mut cc.postback_format, self.cryptocloud_postback_format);
        if self.cryptocloud_postback_url.is_some() {
            cc.postback_url = self.cryptocloud_postback_url;
        }
        let cp = &mut config.cryptoprocessing;
        set(&mut cp.api_key, self.cryptoprocessing_api_key);
        set(&mut cp.secret_key, self.cryptoprocessing_secret_key);
        if self.cryptoprocessing_callback_url.is_some() {
            cp.callback_url = self.cryptoprocessing_callback_url;
        }
        if !self.apiforcrypto_wallet_ids.is_empty() {
            config.apiforcrypto.wallet_ids = self.apiforcrypto_wallet_ids;
        }
        config.check()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let path =
            std::env::temp_dir().join(format!("invoice-sandbox-{}-{name}", std::process::id()));
        std::fs::write(&path, text).expect("write a temporary config");
        path
    }

    #[test]
    fn a_toml_file_overrides_defaults_and_flags_override_the_file() {
        let path = write(
            "config.toml",
            "port = 9000\ntime_scale = 60.0\n[cryptocloud]\npostback_url = \"http://127.0.0.1:1/hook\"\npostback_format = \"form\"\n[apiforcrypto]\nwallet_ids = [\"w1\", \"w2\"]\n",
        );
        let flags = Flags::try_parse_from([
            "invoice-sandbox",
            "--config",
            path.to_str().expect("a UTF-8 path"),
            "--port",
            "9001",
            "--cryptoprocessing-secret-key",
            "s3cret",
        ])
        .expect("the flags parse");
        let config = flags.into_config().expect("a valid config");
        let _ = std::fs::remove_file(&path);
        assert_eq!(config.port, 9001);
        assert_eq!(config.time_scale, 60.0);
        assert_eq!(config.cryptocloud.postback_format, PostbackFormat::Form);
        assert_eq!(
            config.cryptocloud.postback_url.as_deref(),
            Some("http://127.0.0.1:1/hook")
        );
        assert_eq!(
            config.cryptocloud.api_key,
            CryptoCloudConfig::default().api_key
        );
        assert_eq!(config.cryptoprocessing.secret_key, "s3cret");
        assert_eq!(config.apiforcrypto.wallet_ids, ["w1", "w2"]);
    }

    #[test]
    fn the_example_file_is_a_valid_configuration() {
        let config: Config =
            toml::from_str(include_str!("../sandbox.example.toml")).expect("the example parses");
        config.check().expect("the example is valid");
        assert_eq!(config.time_scale, 60.0);
    }

    #[test]
    fn a_json_file_is_read_and_unknown_keys_are_refused() {
        let good = write(
            "good.json",
            r#"{"cryptoprocessing": {"callback_url": "http://127.0.0.1:2/cb"}}"#,
        );
        let config = Config::from_file(&good).expect("valid JSON");
        assert_eq!(
            config.cryptoprocessing.callback_url.as_deref(),
            Some("http://127.0.0.1:2/cb")
        );
        assert_eq!(config.port, 0);
        let bad = write("bad.json", r#"{"prot": 1}"#);
        assert!(
            Config::from_file(&bad).is_err(),
            "a misspelt key is an error, not ignored"
        );
        let _ = (std::fs::remove_file(good), std::fs::remove_file(bad));
    }

    #[test]
    fn without_flags_the_binary_listens_on_the_default_port_with_working_defaults() {
        let config = Flags::try_parse_from(["invoice-sandbox"])
            .expect("no flags parse")
            .into_config()
            .expect("the defaults are valid");
        assert_eq!(config.port, DEFAULT_PORT);
        let described = config.describe("http://127.0.0.1:8089");
        assert!(described.contains("sandbox-cryptocloud-api-key"));
        // What a receiver and a checkout need: the postback secret, the shop and the wallet.
        for line in [
            "CRYPTOCLOUD_SECRET=sandbox-cryptocloud-secret-key",
            "CRYPTOCLOUD_SHOP_ID=SandboxShop00001",
            "CRYPTOPROCESSING_SECRET=sandbox-cryptoprocessing-secret-key",
            "APIFORCRYPTO_WALLET_ID=417ee4f0-bb55-471c-8195-2e1087e775e9",
        ] {
            assert!(described.contains(line), "{line} in {described}");
        }
        let refused =
            Flags::try_parse_from(["invoice-sandbox", "--cryptocloud-api-key", " spaced "])
                .expect("the flags parse")
                .into_config();
        assert!(
            refused.is_err(),
            "a key that cannot travel in a header is refused at start"
        );
    }
}
