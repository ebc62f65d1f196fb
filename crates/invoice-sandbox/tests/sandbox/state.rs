//! `--state PATH`: the state kept in a database survives a restart in the middle of a retry
//! schedule (the delivery resumes, on schedule), and a `kill -9` of the binary during 2,000
//! concurrent creations loses no invoice that was acknowledged. Time moves through the
//! control API; waits poll with a failure guard, never a pacing sleep.

use crate::support;

use std::collections::HashSet;
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use invoice_sandbox::{Config, Provider, Sandbox};
use serde_json::json;
use support::{
    advance, attempted, control, cryptoprocessing_invoice, deliveries, eventually, http_client,
    sandbox_now, Answer, Receiver, GUARD,
};

/// A fresh path for a state file in the system's temporary directory.
fn state_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "invoice-sandbox-{}-{name}.redb",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

fn time(value: &serde_json::Value) -> DateTime<Utc> {
    serde_json::from_value(value.clone()).expect("a time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_in_the_middle_of_its_retries_resumes_on_schedule_after_a_restart() {
    let path = state_path("restart");
    // Refuses the first attempt, accepts the next.
    let mut receiver = Receiver::start(Answer::FailFirst(1)).await;
    let mut config = Config {
        state: Some(path.clone()),
        ..Config::default()
    };
    config.cryptoprocessing.callback_url = Some(receiver.url.clone());

    let sandbox = Sandbox::start(config.clone()).await.expect("starts");
    let invoice = cryptoprocessing_invoice(&sandbox, "order-restart").await;
    let (status, paid) = control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{invoice}/pay"),
        Some(json!({"kind": "full"})),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    let first = receiver.next().await;
    let before = attempted(&sandbox, &invoice).await;
    assert_eq!(before.len(), 1, "one delivery: {before:?}");
    assert_eq!(before[0]["state"], "pending", "refused once: {before:?}");
    assert_eq!(before[0]["attempts"].as_array().map(Vec::len), Some(1));
    let due = time(&before[0]["next_attempt_at"]);
    let stopped_at = sandbox_now(&sandbox).await;
    sandbox.shutdown().await;

    let sandbox = Sandbox::start(config.clone()).await.expect("restarts");
    // The invoice, its payment and the log are back, the clock did not go back, and the
    // retry waits for its time.
    let (status, kept) = control(
        &sandbox,
        &format!("cryptoprocessing/invoices/{invoice}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["status"], "confirmed");
    assert_eq!(kept["paid"], kept["amount"], "paid in full: {kept}");
    let log = deliveries(&sandbox).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["state"], "pending");
    assert_eq!(time(&log[0]["next_attempt_at"]), due);
    let now = sandbox_now(&sandbox).await;
    assert!(
        now >= stopped_at,
        "sandbox time resumes: {now} after {stopped_at}"
    );
    assert!(now < due, "the retry is not due yet: {now} < {due}");
    assert!(
        receiver.try_next().is_none(),
        "nothing is sent before its time"
    );

    // Its time comes: the second attempt goes out, with the same bytes, and is accepted.
    advance(&sandbox, due - now).await;
    let second = receiver.next().await;
    assert_eq!(second.body, first.body, "the same callback, resumed");
    assert_eq!(
        second.headers.get("x-processing-signature"),
        first.headers.get("x-processing-signature")
    );
    let log = eventually("the resumed delivery accepted", || async {
        let log = deliveries(&sandbox).await;
        (log[0]["state"] == "delivered").then_some(log)
    })
    .await;
    let attempts = log[0]["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert!(time(&attempts[1]["at"]) >= due, "on schedule: {attempts:?}");

    // `reset` forgets the kept state too.
    let (status, _) = control(&sandbox, "reset", Some(json!({}))).await;
    assert_eq!(status, 200);
    sandbox.shutdown().await;
    let sandbox = Sandbox::start(config).await.expect("restarts after reset");
    let (_, invoices) = control(&sandbox, "invoices", None).await;
    assert_eq!(invoices, json!([]));
    assert_eq!(deliveries(&sandbox).await.len(), 0);
    sandbox.shutdown().await;
    let _ = std::fs::remove_file(&path);
}

/// The sandbox binary as a child process, killed when dropped.
struct Binary {
    child: Child,
    url: String,
}

impl Binary {
    /// Starts `invoice-sandbox --port 0 --state <path>` and reads its URL from the first line
    /// it prints.
    fn start(state: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_invoice-sandbox"))
            .args(["--port", "0", "--state"])
            .arg(state)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the sandbox binary starts");
        let stdout = child.stdout.take().expect("its standard output");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let first = lines
            .next()
            .expect("a first line")
            .expect("readable output");
        let url = first
            .strip_prefix("invoice-sandbox listening on ")
            .unwrap_or_else(|| panic!("the first line names the URL: {first}"))
            .to_owned();
        // The rest is read and dropped, so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, url }
    }

    /// `kill -9`.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        let _ = self.child.wait();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_2000_concurrent_creations_loses_no_acknowledged_invoice() {
    const CREATIONS: usize = 2_000;
    /// The binary is killed once this many creations are acknowledged: in the middle of the
    /// load, whatever the machine's speed.
    const KILL_AFTER: usize = CREATIONS / 2;
    let path = state_path("kill9");
    let mut binary = Binary::start(&path);
    let wallet = Config::default().apiforcrypto.wallet_ids[0].clone();
    let url = format!(
        "{}/{}/api/v1/wallets/{wallet}/invoices",
        binary.url,
        Provider::ApiForCrypto
    );
    let http = http_client();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let (half, halfway) = tokio::sync::watch::channel(false);
    let half = Arc::new(half);
    let mut tasks = Vec::with_capacity(CREATIONS);
    for n in 0..CREATIONS {
        let (http, url, acknowledged, count, half) = (
            http.clone(),
            url.clone(),
            acknowledged.clone(),
            count.clone(),
            half.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let body = json!({
                "blockchain": "bitcoin",
                "symbol": "BTC",
                "value": "0.01",
                "expiry": 40,
                "confirmations": 1,
                "data": {"order_id": format!("load-{n}")},
            });
            let Ok(response) = http.post(&url).json(&body).send().await else {
                return;
            };
            if response.status() != 200 {
                return;
            }
            let Ok(invoice) = response.json::<serde_json::Value>().await else {
                return;
            };
            let Some(id) = invoice["id"].as_str() else {
                return;
            };
            acknowledged.lock().unwrap().push(id.to_owned());
            if count.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                let _ = half.send(true);
            }
        }));
    }
    let mut halfway = halfway;
    tokio::time::timeout(GUARD * 4, halfway.wait_for(|h| *h))
        .await
        .expect("half the creations acknowledged within the guard time")
        .expect("the signal");
    binary.kill();
    for task in tasks {
        task.await.expect("a creation task does not panic");
    }
    let acknowledged: Vec<String> = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= KILL_AFTER);

    let binary = Binary::start(&path);
    let response = http
        .get(format!("{}/_sandbox/api/invoices", binary.url))
        .send()
        .await
        .expect("the restarted sandbox answers");
    assert_eq!(response.status(), 200);
    let kept: Vec<serde_json::Value> = response.json().await.expect("a list");
    let kept: HashSet<&str> = kept.iter().filter_map(|i| i["id"].as_str()).collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|id| !kept.contains(id.as_str()))
        .collect();
    eprintln!(
        "kill -9 after {KILL_AFTER} acknowledgements: {} of {CREATIONS} creations acknowledged, \
         {} invoices kept after the restart, {} acknowledged ones lost",
        acknowledged.len(),
        kept.len(),
        lost.len()
    );
    assert!(
        lost.is_empty(),
        "acknowledged invoices lost by kill -9: {lost:?}"
    );
    drop(binary);
    let _ = std::fs::remove_file(&path);
}
