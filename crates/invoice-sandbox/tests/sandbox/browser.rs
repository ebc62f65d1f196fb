//! The payment page in a real browser: Debian's Chromium, driven through chromedriver's
//! WebDriver HTTP protocol with plain JSON calls. An invoice created with the generated
//! client is opened, "Pay in full" is clicked, and the test's receiver gets a verified
//! postback. Screenshots go to `<target>/sandbox-browser/`.
//!
//! Without /usr/bin/chromium or /usr/bin/chromedriver the test is skipped, unless
//! `SANDBOX_BROWSER_REQUIRED=1`, which makes their absence a failure.

use crate::support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use invoice_sandbox::{Config, Provider, Sandbox};
use invoice_webhooks::Secret;
use serde_json::{json, Value};
use support::{eventually, Answer, Receiver};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// chromedriver, stopped (and its profile removed) when the test ends, pass or fail.
struct Driver {
    child: Child,
    url: String,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Where screenshots go: `<target>/sandbox-browser`, the target directory being
/// `CARGO_TARGET_DIR` when absolute, else the one this test executable sits in
/// (`<target>/<profile>/deps/browser-…`).
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("sandbox-browser")
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn webdriver(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, Box<dyn std::error::Error>> {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await?;
    let status = response.status();
    let answer: Value = response.json().await?;
    if !status.is_success() {
        return Err(format!("WebDriver {url}: HTTP {status}: {answer}").into());
    }
    Ok(answer["value"].clone())
}

async fn screenshot(http: &reqwest::Client, session: &str, path: &Path) -> TestResult {
    let png = webdriver(
        http,
        reqwest::Method::GET,
        &format!("{session}/screenshot"),
        None,
    )
    .await?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(png.as_str().ok_or("a base64 screenshot")?)?;
    std::fs::write(path, bytes)?;
    println!("screenshot: {}", path.display());
    Ok(())
}

#[tokio::test]
async fn pay_in_full_from_the_payment_page_in_chromium() -> TestResult {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        if std::env::var("SANDBOX_BROWSER_REQUIRED").as_deref() == Ok("1") {
            panic!("SANDBOX_BROWSER_REQUIRED=1 but {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)");
        }
        eprintln!("SKIPPED: {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver); set SANDBOX_BROWSER_REQUIRED=1 to fail instead");
        return Ok(());
    }

    let mut receiver = Receiver::start(Answer::Ok).await;
    let mut config = Config::default();
    config.cryptocloud.postback_url = Some(receiver.url.clone());
    let sandbox = Sandbox::start(config).await?;
    let cc = sandbox.config().cryptocloud.clone();
    let client = cryptocloud::Client::with_credentials(
        &sandbox.base_url(Provider::CryptoCloud),
        cryptocloud::Credentials::new(cc.api_key.clone())?,
    )
    .expect("a valid base URL");
    let invoice = client
        .create_invoice()
        .body(
            cryptocloud::types::InvoiceCreateRequest::builder()
                .shop_id(cc.shop_id.as_str())
                .amount("49.90")
                .currency("USD")
                .order_id("ORDER-<b>&\"42\""),
        )
        .send()
        .await?
        .into_inner()
        .result;

    let port = free_port()?;
    let profile = std::env::temp_dir().join(format!(
        "invoice-sandbox-chromium-{}-{port}",
        std::process::id()
    ));
    std::fs::create_dir_all(&profile)?;
    let driver = Driver {
        child: Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
        url: format!("http://127.0.0.1:{port}"),
        profile,
    };
    let http = support::http_client();
    eventually("chromedriver is ready", || async {
        let status = webdriver(
            &http,
            reqwest::Method::GET,
            &format!("{}/status", driver.url),
            None,
        )
        .await
        .ok()?;
        status["ready"].as_bool().filter(|ready| *ready)
    })
    .await;

    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .chain([format!("--user-data-dir={}", driver.profile.display())])
    .collect::<Vec<_>>();
    let created = webdriver(
        &http,
        reqwest::Method::POST,
        &format!("{}/session", driver.url),
        Some(json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}
        }}})),
    )
    .await?;
    let session_id = created["sessionId"]
        .as_str()
        .ok_or("a session id")?
        .to_owned();
    let session = format!("{}/session/{session_id}", driver.url);

    let outcome = async {
        webdriver(
            &http,
            reqwest::Method::POST,
            &format!("{session}/window/rect"),
            Some(json!({"width": 820, "height": 900})),
        )
        .await?;
        webdriver(
            &http,
            reqwest::Method::POST,
            &format!("{session}/url"),
            Some(json!({"url": invoice.link})),
        )
        .await?;
        let title = webdriver(
            &http,
            reqwest::Method::GET,
            &format!("{session}/title"),
            None,
        )
        .await?;
        assert_eq!(title, json!(format!("Pay {}", *invoice.uuid)));
        let page = webdriver(
            &http,
            reqwest::Method::GET,
            &format!("{session}/source"),
            None,
        )
        .await?;
        let page = page.as_str().unwrap_or_default();
        assert!(page.contains("49.9"), "the amount is shown");
        assert!(!page.contains("<b>&"), "user text is escaped");

        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        screenshot(&http, &session, &dir.join("payment-page.png")).await?;

        let button = webdriver(
            &http,
            reqwest::Method::POST,
            &format!("{session}/element"),
            Some(json!({"using": "css selector", "value": "#pay-full"})),
        )
        .await?;
        let button = button[ELEMENT]
            .as_str()
            .ok_or_else(|| format!("the pay-in-full button: {button}"))?
            .to_owned();
        webdriver(
            &http,
            reqwest::Method::POST,
            &format!("{session}/element/{button}/click"),
            Some(json!({})),
        )
        .await?;

        let delivery = receiver.next().await;
        let verified =
            invoice_webhooks::cryptocloud::Verifier::new(Secret::new(cc.secret_key.clone()))
                .verify(&delivery.headers, &delivery.body)?;
        assert_eq!(verified.invoice_uuid(), *invoice.uuid);
        assert_eq!(
            verified
                .postback
                .invoice_info
                .as_ref()
                .map(|i| i.status.as_str().to_owned())
                .as_deref(),
            Some("paid")
        );

        // The page the browser was sent back to shows the invoice paid.
        eventually("the page shows the invoice paid", || async {
            let found = webdriver(
                &http,
                reqwest::Method::POST,
                &format!("{session}/element"),
                Some(json!({"using": "css selector", "value": "#final"})),
            )
            .await
            .ok()?;
            let id = found[ELEMENT].as_str()?.to_owned();
            let text = webdriver(
                &http,
                reqwest::Method::GET,
                &format!("{session}/element/{id}/text"),
                None,
            )
            .await
            .ok()?;
            text.as_str()
                .filter(|t| t.contains("paid"))
                .map(str::to_owned)
        })
        .await;
        screenshot(&http, &session, &dir.join("payment-page-paid.png")).await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    let _ = webdriver(&http, reqwest::Method::DELETE, &session, None).await;
    outcome?;
    sandbox.shutdown().await;
    Ok(())
}
