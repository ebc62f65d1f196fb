//! The Redis replay guard (feature `redis`, `cryptocloud::RedisTokenStore`) against a real
//! redis-server: two instances sharing one Redis accept each token once between them, under
//! 10,000 concurrent verifications too; a Redis stopped or too slow refuses every postback
//! (`replay_guard_unavailable`, 503), and once back, works again; and the README's example of
//! several instances runs.
//!
//! Each test starts its own redis-server on a free port of 127.0.0.1 (no persistence), killed
//! when the test ends. Without redis-server the tests are skipped, unless
//! `INVOICE_REDIS_REQUIRED=1`, which makes its absence a failure (`.ci/redis-deps` installs
//! it).

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ::cryptocloud::Amount;
use common::*;
use invoice_webhooks::cryptocloud::{
    Fingerprint, Invoice, RedisTokenStore, Verifier, DEFAULT_KEY_PREFIX,
};
use invoice_webhooks::{DedupKey, HeaderMap, Rejection, Secret};
use serde_json::Value;

const SECRET: &str = "example-project-secret";
const NOW: i64 = 1_700_000_000;
const PASSWORD: &str = "redis-s3cret-password";

/// A redis-server of this test's own, on a free port of 127.0.0.1, without persistence;
/// killed on drop.
struct RedisServer {
    binary: PathBuf,
    port: u16,
    password: Option<&'static str>,
    child: Option<Child>,
}

impl RedisServer {
    /// A running server, or `None` (the test is skipped) when redis-server is not installed.
    fn start(password: Option<&'static str>) -> Option<Self> {
        let Some(binary) = redis_server() else {
            if std::env::var("INVOICE_REDIS_REQUIRED").as_deref() == Ok("1") {
                panic!("INVOICE_REDIS_REQUIRED=1 but redis-server is not installed (.ci/redis-deps installs it)");
            }
            eprintln!("SKIPPED: redis-server is not installed (apt-get install redis-server, or .ci/redis-deps); set INVOICE_REDIS_REQUIRED=1 to fail instead");
            return None;
        };
        // A free port can be taken between finding it and redis-server binding it: try again.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut server = Self {
                binary: binary.clone(),
                port,
                password,
                child: None,
            };
            if server.spawn() {
                return Some(server);
            }
        }
        panic!("redis-server did not start");
    }

    /// Starts redis-server on this port and waits until it answers PING; `false` if it exited.
    fn spawn(&mut self) -> bool {
        let mut command = Command::new(&self.binary);
        command.args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"]);
        command.args(["--save", "", "--appendonly", "no", "--daemonize", "no"]);
        if let Some(password) = self.password {
            command.args(["--requirepass", password]);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                eprintln!("redis-server exited: {status}");
                self.child = None;
                return false;
            }
            if self.answers_ping() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server on port {} did not answer", self.port);
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(1)))
            .unwrap();
        let ping = match self.password {
            Some(password) => format!("AUTH {password}\r\nPING\r\n"),
            None => "PING\r\n".to_owned(),
        };
        if stream.write_all(ping.as_bytes()).is_err() {
            return false;
        }
        let mut answer = Vec::new();
        let mut buffer = [0; 64];
        while let Ok(n @ 1..) = stream.read(&mut buffer) {
            answer.extend_from_slice(&buffer[..n]);
            if answer.ends_with(b"+PONG\r\n") {
                return true;
            }
        }
        false
    }

    /// The URL to connect with (with the password, if the server has one).
    fn url(&self) -> String {
        match self.password {
            Some(password) => format!("redis://:{password}@127.0.0.1:{}/0", self.port),
            None => format!("redis://127.0.0.1:{}/0", self.port),
        }
    }

    /// Kills the server and waits until it is gone.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port: empty, as it keeps nothing on disk.
    fn restart(&mut self) {
        assert!(self.spawn(), "redis-server restarts on port {}", self.port);
    }

    /// A plain connection, to look at what the store wrote.
    async fn inspect(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// redis-server on the `PATH` (Debian's package puts it in /usr/bin).
fn redis_server() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds as u64)
}

/// A verifier whose clock reads `NOW`, as the tokens' `exp` expects.
fn verifier() -> Verifier {
    Verifier::new(Secret::new(SECRET)).with_clock(|| at(NOW))
}

/// A valid token naming `invoice` (HS256, built by hand: tests/common).
fn token(invoice: &str) -> String {
    let claims = format!(r#"{{"invoice_id":"{invoice}","exp":{}}}"#, NOW + 300);
    hs256(HS256_HEADER, &claims, SECRET.as_bytes())
}

/// The spec's example postback, without `invoice_info` (read once).
static EXAMPLE: LazyLock<Value> = LazyLock::new(|| {
    let mut postback = webhook_example("cryptocloud.yaml", "postback", "application/json", "paid");
    postback.as_object_mut().unwrap().remove("invoice_info");
    postback
});

/// A JSON postback about `invoice`, carrying `token`; `order` tells apart two bodies that
/// carry the same token (the second one a replay).
fn body(token: &str, invoice: &str, order: &str) -> Vec<u8> {
    let mut postback = EXAMPLE.clone();
    postback["token"] = token.into();
    postback["invoice_id"] = invoice.into();
    postback["order_id"] = order.into();
    serde_json::to_vec(&postback).unwrap()
}

async fn connect(redis: &RedisServer) -> RedisTokenStore {
    RedisTokenStore::connect(&redis.url()).await.unwrap()
}

/// What Redis holds for each token: the digest of the body accepted with it, if any.
async fn recorded(redis: &RedisServer, tokens: &[&str]) -> Vec<Option<String>> {
    let keys: Vec<String> = tokens
        .iter()
        .map(|token| {
            let digest = Fingerprint::of(token.as_bytes()).to_hex();
            format!("{DEFAULT_KEY_PREFIX}{digest}")
        })
        .collect();
    redis::cmd("MGET")
        .arg(keys)
        .query_async(&mut redis.inspect().await)
        .await
        .unwrap()
}

fn digest(body: &[u8]) -> Option<String> {
    Some(Fingerprint::of(body).to_hex())
}

#[tokio::test]
async fn two_instances_accept_each_token_once_between_them() {
    let Some(redis) = RedisServer::start(None) else {
        return;
    };
    // Two instances: each its own verifier and connection, one Redis.
    let (a, b) = (connect(&redis).await, connect(&redis).await);
    let v = verifier();
    let headers = json_headers();

    let first = token("AAAA0001");
    let original = body(&first, "AAAA0001", "ORDER-1");
    let replayed = body(&first, "AAAA0001", "ORDER-2");
    assert!(v.verify_once(&headers, &original, &a).await.is_ok());
    // The same bytes on the other instance: a redelivery, which passes (deduplicated later).
    assert!(v.verify_once(&headers, &original, &b).await.is_ok());
    // Another body with the token: refused on both.
    for store in [&b, &a] {
        let refused = v.verify_once(&headers, &replayed, store).await.unwrap_err();
        assert_eq!(refused, Rejection::ReplayedToken);
        assert_eq!(refused.status().as_u16(), 401);
    }
    // The other way round: accepted by b first, then refused by a.
    let second = token("AAAA0002");
    let on_b = body(&second, "AAAA0002", "ORDER-3");
    assert!(v.verify_once(&headers, &on_b, &b).await.is_ok());
    assert_eq!(
        v.verify_once(&headers, &body(&second, "AAAA0002", "ORDER-4"), &a)
            .await
            .unwrap_err(),
        Rejection::ReplayedToken
    );

    // What Redis holds: under the token's digest, the accepted body's digest; neither the
    // token nor the body; kept the token's remaining lifetime (exp + 60 s of skew) + 60 s.
    assert_eq!(
        recorded(&redis, &[&first, &second]).await,
        [digest(&original), digest(&on_b)]
    );
    let mut inspect = redis.inspect().await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut inspect)
        .await
        .unwrap();
    assert_eq!(keys.len(), 2);
    for key in &keys {
        let hex = key.strip_prefix(DEFAULT_KEY_PREFIX).unwrap();
        assert_eq!(hex.len(), 64);
        assert!(!key.contains(&first) && !key.contains(&second));
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut inspect)
            .await
            .unwrap();
        assert!((400_000..=420_000).contains(&ttl), "{ttl} ms");
    }
    // A shown store names its address, not its URL.
    assert!(format!("{a:?}").contains(&format!("127.0.0.1:{}/0", redis.port)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_verifications_accept_one_body_per_token() {
    const TOKENS: usize = 1_000;
    const EACH: usize = 5; // deliveries of each of a token's two bodies
    let Some(redis) = RedisServer::start(None) else {
        return;
    };
    // A generous timeout: this test is about who wins, not about speed, so that a loaded
    // machine cannot turn an answer into `replay_guard_unavailable`.
    let store = |redis: &RedisServer| {
        RedisTokenStore::builder(redis.url())
            .with_timeout(Duration::from_secs(30))
            .connect()
    };
    let instances = [store(&redis).await.unwrap(), store(&redis).await.unwrap()];
    let tokens: Vec<String> = (0..TOKENS).map(|i| token(&format!("INV{i:05}"))).collect();
    let bodies: Vec<[Arc<Vec<u8>>; 2]> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let invoice = format!("INV{i:05}");
            [0, 1].map(|b| Arc::new(body(token, &invoice, &format!("ORDER-{i}-{b}"))))
        })
        .collect();

    // 10,000 verifications, all spawned at once: for each token, its two bodies alternate
    // (which one comes first alternates too), spread over the two instances.
    let started = Instant::now();
    let verifier = verifier();
    let mut tasks = Vec::with_capacity(TOKENS * EACH * 2);
    for round in 0..EACH {
        for (i, pair) in bodies.iter().enumerate() {
            for b in [i % 2, 1 - i % 2] {
                let (verifier, body) = (verifier.clone(), pair[b].clone());
                let store = instances[(round + i + b) % 2].clone();
                tasks.push(tokio::spawn(async move {
                    let result = verifier.verify_once(&json_headers(), &body, &store).await;
                    (i, b, result.map(|_| ()))
                }));
            }
        }
    }
    let mut accepted = vec![[0usize; 2]; TOKENS];
    let mut refused = vec![[0usize; 2]; TOKENS];
    for task in tasks {
        let (i, b, result) = task.await.unwrap();
        match result {
            Ok(()) => accepted[i][b] += 1,
            Err(Rejection::ReplayedToken) => refused[i][b] += 1,
            Err(other) => panic!("token {i}, body {b}: {other:?}"),
        }
    }
    let elapsed = started.elapsed();

    // Per token: the body Redis recorded (whichever got there first) is accepted every time
    // it comes (its redeliveries), and the other body never.
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    for (i, recorded) in recorded(&redis, &tokens).await.into_iter().enumerate() {
        let winner = (0..2)
            .find(|&b| digest(&bodies[i][b]) == recorded)
            .unwrap_or_else(|| panic!("token {i}: Redis holds {recorded:?}, neither body"));
        let loser = 1 - winner;
        assert_eq!(
            (accepted[i][winner], refused[i][winner]),
            (EACH, 0),
            "token {i}"
        );
        assert_eq!(
            (accepted[i][loser], refused[i][loser]),
            (0, EACH),
            "token {i}"
        );
    }
    let total: usize = accepted.iter().flatten().sum();
    assert_eq!(total, TOKENS * EACH);
    eprintln!("10,000 verifications over two instances: {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_redis_refuses_every_postback_until_it_is_back() {
    let Some(mut redis) = RedisServer::start(Some(PASSWORD)) else {
        return;
    };
    let store = RedisTokenStore::builder(redis.url())
        .with_timeout(Duration::from_millis(300))
        .connect()
        .await
        .unwrap();
    assert!(!format!("{store:?}").contains(PASSWORD));
    let v = verifier();
    let headers = json_headers();
    let accepted = token("BBBB0001");
    let original = body(&accepted, "BBBB0001", "ORDER-1");
    assert!(v.verify_once(&headers, &original, &store).await.is_ok());

    // Stopped mid-run: a stream of fresh postbacks, 4 at a time, and Redis killed in the
    // middle. Every verification that starts once Redis is gone is refused: 503
    // `replay_guard_unavailable`, never an acceptance (nor a `replayed_token`: the store
    // cannot know). Each worker goes on until 3 of its verifications started after the kill.
    let gone = Arc::new(AtomicBool::new(false));
    let accepted_before = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let (v, store) = (v.clone(), store.clone());
        let (gone, accepted_before) = (gone.clone(), accepted_before.clone());
        tasks.push(tokio::spawn(async move {
            let mut after = 0;
            for n in 0..10_000 {
                let invoice = format!("C{worker}{n:06}");
                let body = body(&token(&invoice), &invoice, "ORDER");
                let was_gone = gone.load(Ordering::SeqCst);
                let result = v.verify_once(&json_headers(), &body, &store).await;
                match (was_gone, result) {
                    (false, Ok(_)) => {
                        accepted_before.fetch_add(1, Ordering::SeqCst);
                    }
                    (false, Err(Rejection::ReplayGuardUnavailable(_))) => {}
                    (true, Err(Rejection::ReplayGuardUnavailable(_))) => after += 1,
                    (true, Ok(_)) => panic!("accepted with Redis gone: {invoice}"),
                    (_, Err(other)) => panic!("{invoice}: {other:?}"),
                }
                if after == 3 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            after
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while accepted_before.load(Ordering::SeqCst) < 20 {
        assert!(Instant::now() < deadline, "accepted while Redis was up");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    redis.stop();
    gone.store(true, Ordering::SeqCst);
    for task in tasks {
        assert_eq!(task.await.unwrap(), 3, "refused once Redis was gone");
    }

    // Gone: a redelivery, a replay and fresh postbacks are all refused with 503, quickly,
    // and the refusal shows neither the token nor the password.
    let replay = body(&accepted, "BBBB0001", "ORDER-2");
    let fresh = token("BBBB0002");
    let started = Instant::now();
    for body in [&original, &replay, &body(&fresh, "BBBB0002", "ORDER-3")] {
        let refused = v.verify_once(&headers, body, &store).await.unwrap_err();
        assert_eq!(
            (refused.code(), refused.status().as_u16()),
            ("replay_guard_unavailable", 503)
        );
        assert!(!refused.is_authentication_failure());
        let shown = format!("{refused} {refused:?}");
        assert!(
            !shown.contains(PASSWORD) && !shown.contains(&accepted) && !shown.contains(&fresh),
            "{shown}"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "bounded by the timeout"
    );
    // Connecting anew fails too, without showing the password.
    let error = RedisTokenStore::connect(&redis.url()).await.unwrap_err();
    assert!(!format!("{error} {error:?}").contains(PASSWORD), "{error}");

    // Back (empty: it kept nothing on disk): the same store answers again, after a few
    // refusals while it reconnects, and never an acceptance before.
    redis.restart();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut n = 0;
    loop {
        n += 1;
        let invoice = format!("D{n:07}");
        let body = body(&token(&invoice), &invoice, "ORDER");
        match v.verify_once(&headers, &body, &store).await {
            Ok(_) => break,
            Err(Rejection::ReplayGuardUnavailable(_)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(other) => panic!("after the restart: {other:?}"),
        }
    }
    let again = token("BBBB0003");
    assert!(v
        .verify_once(&headers, &body(&again, "BBBB0003", "ORDER-5"), &store)
        .await
        .is_ok());
    assert_eq!(
        v.verify_once(&headers, &body(&again, "BBBB0003", "ORDER-6"), &store)
            .await
            .unwrap_err(),
        Rejection::ReplayedToken
    );
    // What the module docs warn of: a Redis restarted without persistence has forgotten the
    // token accepted before, so its replay now passes (run Redis with `appendonly yes`).
    assert!(v.verify_once(&headers, &replay, &store).await.is_ok());
}

#[tokio::test]
async fn a_slow_redis_is_refused_within_the_timeout() {
    let Some(redis) = RedisServer::start(None) else {
        return;
    };
    let store = RedisTokenStore::builder(redis.url())
        .with_timeout(Duration::from_millis(200))
        .connect()
        .await
        .unwrap();
    let v = verifier();
    let headers = json_headers();
    let warm = token("EEEE0001");
    assert!(v
        .verify_once(&headers, &body(&warm, "EEEE0001", "ORDER"), &store)
        .await
        .is_ok());

    // Redis holds every client's commands for a second: the verification gives up after
    // 200 ms.
    let mut control = redis.inspect().await;
    let _: () = redis::cmd("CLIENT")
        .arg("PAUSE")
        .arg(1000)
        .arg("ALL")
        .query_async(&mut control)
        .await
        .unwrap();
    let slow = token("EEEE0002");
    let original = body(&slow, "EEEE0002", "ORDER-1");
    let started = Instant::now();
    let refused = v
        .verify_once(&headers, &original, &store)
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert_eq!(refused.code(), "replay_guard_unavailable");
    assert!(refused.to_string().contains("within 200 ms"), "{refused}");
    assert!(waited >= Duration::from_millis(200), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");

    // The command refused for its slowness still runs once Redis resumes, so the token is
    // recorded with that body: the provider's next delivery of it passes (once Redis answers
    // in time again), another body not.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match v.verify_once(&headers, &original, &store).await {
            Ok(_) => break,
            Err(Rejection::ReplayGuardUnavailable(_)) if Instant::now() < deadline => {}
            Err(other) => panic!("after the pause: {other:?}"),
        }
    }
    assert_eq!(
        v.verify_once(&headers, &body(&slow, "EEEE0002", "ORDER-2"), &store)
            .await
            .unwrap_err(),
        Rejection::ReplayedToken
    );
}

/// The team's database, for the README's example: the postbacks acted on, by dedup key (the
/// unique constraint), and each order's credited total.
#[derive(Default)]
struct Orders(Mutex<(HashSet<String>, HashMap<String, Amount>)>);

impl Orders {
    /// One transaction: the dedup key inserted unless present, and the order's credited total
    /// raised to the invoice's `received`.
    async fn credit_once(&self, key: &DedupKey, invoice: &Invoice) -> std::io::Result<()> {
        let mut db = self.0.lock().unwrap();
        let (postbacks, credited) = &mut *db;
        if postbacks.insert(key.to_string()) {
            let order = invoice.order_id.clone().unwrap_or_default();
            let total = credited.entry(order).or_default();
            *total = (*total).max(invoice.received);
        }
        Ok(())
    }
}

/// The README's example of several instances ("CryptoCloud", "Several instances"), line for
/// line.
async fn several_instances_example(
    headers: &HeaderMap,
    body: &[u8],
    project_secret: &str,
    redis_url: String,
    client: &::cryptocloud::Client,
    orders: &Orders,
) -> Result<(), Box<dyn std::error::Error>> {
    use invoice_webhooks::cryptocloud::{self, RedisTokenStore};
    use invoice_webhooks::Secret;

    // At start, on every instance: one Redis for all, so that each knows every token accepted.
    let tokens = RedisTokenStore::connect(&redis_url).await?; // redis://:password@host:6379/0
    let verifier = cryptocloud::Verifier::new(Secret::new(project_secret));
    // Per postback, on whichever instance receives it: a token already accepted with another
    // body is refused (`replayed_token`, 401); if Redis does not answer within 500 ms, 503
    // (`replay_guard_unavailable`), so that it is sent again: never accepted unchecked.
    let verified = verifier.verify_once(headers, body, &tokens).await?;
    let confirmed = verified.confirm(client).await?;
    // Your database, one transaction: the dedup key stored with the order under a unique
    // constraint, and the order's credited total raised to the invoice's `received`. The same
    // postback on two instances at once: one commits; the other's insert conflicts, and it
    // answers 200 without acting again.
    let key = confirmed.dedup_key();
    orders.credit_once(&key, &confirmed.invoice).await?;
    Ok(())
}

#[tokio::test]
async fn readme_several_instances_example_runs() {
    let Some(redis) = RedisServer::start(Some(PASSWORD)) else {
        return;
    };
    // A postback whose token is valid now (the example's verifier reads the system clock).
    let mut postback = webhook_example("cryptocloud.yaml", "postback", "application/json", "paid");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = format!(r#"{{"invoice_id":"89UX09KA","exp":{}}}"#, now + 300);
    let token = hs256(HS256_HEADER, &claims, SECRET.as_bytes());
    postback["token"] = token.into();
    let original = serde_json::to_vec(&postback).unwrap();
    postback["amount_crypto"] = 1000.into();
    let replayed = serde_json::to_vec(&postback).unwrap();
    // A stand-in for the invoice-information endpoint, answering with the postback's invoice.
    let invoice = postback["invoice_info"].clone();
    let received: Amount = serde_json::from_value(invoice["received"].clone()).unwrap();
    let app = axum::Router::new().route(
        "/v2/invoice/merchant/info",
        axum::routing::post(move || {
            let answer = serde_json::json!({"status": "success", "result": [invoice]});
            async move { ([("content-type", "application/json")], answer.to_string()) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = ::cryptocloud::Client::with_credentials(
        &api,
        ::cryptocloud::Credentials::new("api-key").unwrap(),
    )
    .expect("a valid base URL");

    // Two instances (each call connects anew) receive the postback; a third gets the token on
    // another body.
    let orders = Orders::default();
    let url = || redis.url();
    for _ in 0..2 {
        several_instances_example(&json_headers(), &original, SECRET, url(), &client, &orders)
            .await
            .unwrap();
    }
    let error =
        several_instances_example(&json_headers(), &replayed, SECRET, url(), &client, &orders)
            .await
            .unwrap_err();
    assert_eq!(
        error.downcast_ref::<Rejection>(),
        Some(&Rejection::ReplayedToken)
    );
    let db = orders.0.lock().unwrap();
    assert_eq!(db.0.len(), 1, "one dedup key");
    assert_eq!(
        db.1.values().copied().collect::<Vec<_>>(),
        [received],
        "credited once, with the record's `received`"
    );
}
