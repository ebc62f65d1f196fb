//! A local sandbox of the three invoice APIs this workspace has clients for: CryptoCloud,
//! Cryptoprocessing by CoinsPaid and apiforcrypto.
//!
//! One HTTP server on 127.0.0.1 serves each provider's API under a path prefix
//! (`/cryptocloud`, `/cryptoprocessing`, `/apiforcrypto`), so a generated client pointed at
//! [`SandboxHandle::base_url`] works unchanged. Invoices live in memory; each has a payment
//! page (`/pay/<provider>/<id>`) with buttons to pay in full, pay part, overpay or let it
//! expire; every status change is delivered to the merchant's URL, signed as the provider
//! signs it, and retried on the provider's schedule (time scaled by [`Config::time_scale`]).
//! A JSON control API under `/_sandbox/api/...` drives it from tests, and
//! `/_sandbox/deliveries` shows the delivery log.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! use invoice_sandbox::{Config, Provider, Sandbox};
//!
//! let sandbox = Sandbox::start(Config::default()).await?;
//! let client = cryptocloud::Client::with_credentials(
//!     &sandbox.base_url(Provider::CryptoCloud),
//!     cryptocloud::Credentials::new(Config::default().cryptocloud.api_key).unwrap(),
//! )
//! .expect("the sandbox's URL is a base URL");
//! # let _ = client;
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

// Handlers answer `Result<_, Response>`: the error is the provider's documented error
// response, built once per refused request, so boxing it would buy nothing.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]

pub mod config;
mod core;
mod provider;
mod providers;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::core::{app, pages};
pub use config::{Config, PostbackFormat};

/// One of the three providers the sandbox imitates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// CryptoCloud (`specs/cryptocloud.yaml`).
    #[serde(rename = "cryptocloud")]
    CryptoCloud,
    /// Cryptoprocessing by CoinsPaid (`specs/cryptoprocessing.yaml`).
    #[serde(rename = "cryptoprocessing")]
    Cryptoprocessing,
    /// apiforcrypto (`specs/apiforcrypto.yaml`).
    #[serde(rename = "apiforcrypto")]
    ApiForCrypto,
}

impl Provider {
    /// Every provider, in a fixed order.
    pub const ALL: [Provider; 3] = [
        Provider::CryptoCloud,
        Provider::Cryptoprocessing,
        Provider::ApiForCrypto,
    ];

    /// The path segment the provider is served under, and its name in URLs
    /// (`cryptocloud`, `cryptoprocessing`, `apiforcrypto`).
    pub fn slug(self) -> &'static str {
        match self {
            Provider::CryptoCloud => "cryptocloud",
            Provider::Cryptoprocessing => "cryptoprocessing",
            Provider::ApiForCrypto => "apiforcrypto",
        }
    }

    /// The provider's name as people write it.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::CryptoCloud => "CryptoCloud",
            Provider::Cryptoprocessing => "Cryptoprocessing by CoinsPaid",
            Provider::ApiForCrypto => "apiforcrypto",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for Provider {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.slug() == s)
            .ok_or(UnknownProvider)
    }
}

/// A provider name that is not `cryptocloud`, `cryptoprocessing` or `apiforcrypto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownProvider;

impl fmt::Display for UnknownProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown provider (expected cryptocloud, cryptoprocessing or apiforcrypto)")
    }
}

impl std::error::Error for UnknownProvider {}

/// Starts sandboxes.
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// Binds 127.0.0.1 on `config.port` (0: any free port) and serves the sandbox on a
    /// background task until [`SandboxHandle::shutdown`] (or the handle is dropped).
    pub async fn start(config: Config) -> std::io::Result<SandboxHandle> {
        config
            .check()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let addr = listener.local_addr()?;
        let app = Arc::new(app::App::new(
            config,
            format!("http://{addr}"),
            providers::TABLE,
        )?);
        app.resume_deliveries();
        let router = app::router(app.clone());
        let background = app::spawn_expiry_watch(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(SandboxHandle {
            addr,
            app,
            stop: Some(stop),
            server: Some(server),
            background,
        })
    }
}

/// A running sandbox: where it listens, and how to stop it.
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    app: Arc<app::App>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    background: JoinHandle<()>,
}

impl SandboxHandle {
    /// The address the sandbox listens on (127.0.0.1 and its port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The sandbox's root URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL to give `provider`'s generated client, e.g.
    /// `http://127.0.0.1:PORT/cryptocloud` (the client appends the spec's paths).
    pub fn base_url(&self, provider: Provider) -> String {
        format!("http://{}/{}", self.addr, provider.slug())
    }

    /// The URL of a control-API path, e.g. `control_url("reset")` for
    /// `http://127.0.0.1:PORT/_sandbox/api/reset`.
    pub fn control_url(&self, path: &str) -> String {
        format!(
            "http://{}/_sandbox/api/{}",
            self.addr,
            path.trim_start_matches('/')
        )
    }

    /// The payment page of an invoice: `http://127.0.0.1:PORT/pay/<provider>/<id>`.
    pub fn payment_page(&self, provider: Provider, invoice_id: &str) -> String {
        pages::payment_page_url(&self.url(), provider, invoice_id)
    }

    /// The configuration the sandbox runs with.
    pub fn config(&self) -> &Config {
        &self.app.config
    }

    /// Stops serving and waits for the server to finish; pending deliveries are abandoned
    /// (with [`Config::state`], kept: the next start resumes them), and the state's database
    /// is closed, so another sandbox may open it.
    pub async fn shutdown(mut self) {
        self.app.abort_deliveries();
        self.background.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(writer) = self.app.close_storage() {
            let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        }
    }

    /// Serves until the process receives Ctrl-C, then shuts down.
    pub async fn run_until_ctrl_c(self) {
        let _ = tokio::signal::ctrl_c().await;
        self.shutdown().await;
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        // The writer finishes what it was sent, then closes the database.
        drop(self.app.close_storage());
        self.app.abort_deliveries();
        self.background.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
