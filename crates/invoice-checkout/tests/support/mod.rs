//! What the checkout's sandbox tests share: the sandbox with a merchant's receiver on
//! 127.0.0.1 that hands every delivery to `Checkout::verify`, control-API calls, and waiting for
//! a condition with a generous upper bound (a failure guard, never a pacing sleep).

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use invoice_checkout::{
    ApiforcryptoSettings, Checkout, CheckoutError, CryptoCloudSettings, CryptoprocessingSettings,
    Event, Provider, Secret,
};
use invoice_sandbox::{Config, Sandbox, SandboxHandle};

mod guard;
pub use guard::{eventually, GUARD};

/// What the receiver made of one delivery.
pub type Verified = Result<Event, String>;

/// The sandbox, a checkout on one of its providers, and the receiver of that provider's
/// notifications, which verifies each with the checkout.
pub struct Shop {
    pub sandbox: SandboxHandle,
    pub checkout: Checkout,
    received: Arc<Mutex<Vec<Verified>>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Shop {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Shop {
    /// A sandbox whose notifications for `provider` go to a receiver calling
    /// `checkout.verify(headers, body)`.
    pub async fn open(provider: Provider) -> Self {
        // The receiver's address first: the sandbox and the checkout are told it.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a receiver");
        let hook = format!("http://{}/hook", listener.local_addr().expect("an address"));
        let mut config = Config::default();
        config.cryptocloud.postback_url = Some(hook.clone());
        config.cryptoprocessing.callback_url = Some(hook.clone());
        let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
        let checkout = checkout(&sandbox, provider, &hook);
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state((checkout.clone(), received.clone()));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            sandbox,
            checkout,
            received,
            server,
        }
    }

    /// Everything received so far about `invoice_id` (refusals included, as text).
    pub fn received_about(&self, invoice_id: &str) -> Vec<Verified> {
        let received = self.received.lock().expect("not poisoned");
        received
            .iter()
            .filter(|r| match r {
                Ok(event) => event.invoice_id == invoice_id,
                Err(_) => true,
            })
            .cloned()
            .collect()
    }

    /// A control-API call: POST with a JSON body (or GET without one); the JSON answer, which
    /// must be a success.
    pub async fn control(&self, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
        let http = http_client();
        let url = self.sandbox.control_url(path);
        let request = match body {
            Some(body) => http.post(url).json(&body),
            None => http.get(url),
        };
        let response = tokio::time::timeout(GUARD, request.send())
            .await
            .expect("the control API answers within the guard time")
            .expect("the control API answers");
        let status = response.status();
        let json: serde_json::Value = response.json().await.expect("a JSON answer");
        assert!(status.is_success(), "{path}: {status} {json}");
        json
    }

    /// The sandbox's delivery log of one invoice. Deliveries are logged before the control
    /// call that causes them answers, so the log is complete once that call has answered.
    pub async fn deliveries_of(&self, invoice_id: &str) -> Vec<serde_json::Value> {
        let log = self.control("deliveries", None).await;
        log.as_array()
            .expect("a list")
            .iter()
            .filter(|d| d["invoice_id"] == invoice_id)
            .cloned()
            .collect()
    }
}

/// Each delivery, verified by the checkout: the event is recorded and answered 200 `OK`; a
/// refusal is recorded and answered with its status.
async fn receive(
    State((checkout, received)): State<(Checkout, Arc<Mutex<Vec<Verified>>>)>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let verified = checkout.verify(&headers, &body).await;
    let answer = match &verified {
        Ok(_) => (StatusCode::OK, "OK".to_owned()),
        Err(error) => (error.webhook_status(), error.to_string()),
    };
    received
        .lock()
        .expect("not poisoned")
        .push(verified.map_err(|e: CheckoutError| e.to_string()));
    answer
}

/// A checkout on `provider` of the sandbox, with the sandbox's keys; apiforcrypto's
/// notifications go to `hook`.
pub fn checkout(sandbox: &SandboxHandle, provider: Provider, hook: &str) -> Checkout {
    let config = sandbox.config();
    let url = |p| sandbox.base_url(p);
    match provider {
        Provider::CryptoCloud => {
            let keys = &config.cryptocloud;
            let credentials =
                cryptocloud::Credentials::new(keys.api_key.clone()).expect("a valid key");
            Checkout::cryptocloud(
                cryptocloud::Client::with_credentials(
                    &url(invoice_sandbox::Provider::CryptoCloud),
                    credentials,
                )
                .expect("a valid base URL"),
                CryptoCloudSettings::new(
                    keys.shop_id.clone(),
                    Secret::new(keys.secret_key.clone()),
                ),
            )
        }
        Provider::Cryptoprocessing => {
            let keys = &config.cryptoprocessing;
            let credentials =
                cryptoprocessing::Credentials::new(keys.api_key.clone(), keys.secret_key.clone())
                    .expect("valid keys");
            Checkout::cryptoprocessing(
                cryptoprocessing::Client::with_credentials(
                    &url(invoice_sandbox::Provider::Cryptoprocessing),
                    credentials,
                )
                .expect("a valid base URL"),
                CryptoprocessingSettings::new(Secret::new(keys.secret_key.clone()))
                    .with_api_key(Secret::new(keys.api_key.clone())),
            )
        }
        Provider::ApiForCrypto => Checkout::apiforcrypto(
            apiforcrypto::Client::with_credentials(
                &url(invoice_sandbox::Provider::ApiForCrypto),
                apiforcrypto::Credentials::new(),
            )
            .expect("a valid base URL"),
            ApiforcryptoSettings::new(config.apiforcrypto.wallet_ids[0].clone())
                .with_callback_url(hook),
        ),
    }
}

/// A plain HTTP client; reqwest needs the process's TLS provider installed first.
pub fn http_client() -> reqwest::Client {
    thread_local! {
        static CLIENT: reqwest::Client = {
            invoice_primitives::transport::install_tls_provider();
            reqwest::Client::new()
        };
    }
    CLIENT.with(Clone::clone)
}
