//! `--state PATH`: the store kept in a redb database, so a restart (or a `kill -9`) loses no
//! change that was answered.
//!
//! The store in memory stays the one the handlers read; every change is marked there
//! ([`Changes`]), and before a request is answered (a layer of the router, [`App::persist`])
//! the marked rows are written in a write transaction that is committed with redb's default
//! durability (`Immediate`: on disk before `commit` returns). Commits are grouped: one thread
//! writes, and takes every batch queued while the previous commit was syncing into its next
//! transaction, so concurrent requests share a sync and each is answered once the commit that
//! holds its change is durable.
//!
//! | table | key | value |
//! | --- | --- | --- |
//! | `invoices` | position in creation order | the invoice, JSON |
//! | `records` | position | a provider's other record (a withdrawal), JSON |
//! | `deliveries` | delivery id | the log entry and what it sends, JSON |
//! | `meta` | `meta` | the id counters and the sandbox clock's offset from the wall clock, JSON |
//!
//! [`App::persist`]: crate::core::app::App::persist

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use redb::{Database, ReadableDatabase as _, ReadableTable as _, TableDefinition};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::core::deliveries::{DeliveryRecord, Outgoing};
use crate::core::state::{Changes, Counters, Invoice, Record, Store};

const INVOICES: TableDefinition<u64, &[u8]> = TableDefinition::new("invoices");
const RECORDS: TableDefinition<u64, &[u8]> = TableDefinition::new("records");
const DELIVERIES: TableDefinition<u64, &[u8]> = TableDefinition::new("deliveries");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const META_KEY: &str = "meta";

/// The `meta` row.
#[derive(Serialize, Deserialize)]
struct Meta {
    counters: Counters,
    /// Sandbox time minus wall-clock time when last written, in microseconds: a restart
    /// resumes the clock from there (time passes while the sandbox is down, at the wall
    /// clock's pace, and sandbox time never goes back).
    clock_offset_us: i64,
}

/// A delivery row: the log entry and what it sends.
#[derive(Serialize)]
struct DeliveryRow<'a> {
    record: &'a DeliveryRecord,
    outgoing: &'a Outgoing,
}

#[derive(Deserialize)]
struct OwnedDeliveryRow {
    record: DeliveryRecord,
    outgoing: Outgoing,
}

/// One transaction's worth of rows, from one call of [`App::persist`](crate::core::app::App::persist).
#[derive(Debug)]
pub struct Batch {
    seq: u64,
    clear: bool,
    invoices: Vec<(u64, Vec<u8>)>,
    records: Vec<(u64, Vec<u8>)>,
    deliveries: Vec<(u64, Vec<u8>)>,
    meta: Vec<u8>,
}

/// How far the writer has got: every batch up to `seq` is durable, unless a commit failed;
/// and who waits for a later batch. Each waiter is woken once, by the commit that reaches
/// its batch (a channel every waiter watches would wake thousands of them per commit under
/// a load).
#[derive(Debug, Default)]
struct Committed {
    seq: u64,
    failed: Option<String>,
    waiting: BTreeMap<u64, Vec<oneshot::Sender<Result<(), String>>>>,
}

impl Committed {
    /// Batches up to `seq` are durable: wakes their waiters.
    fn reached(&mut self, seq: u64) {
        self.seq = self.seq.max(seq);
        let later = self.waiting.split_off(&(self.seq + 1));
        for waiter in std::mem::replace(&mut self.waiting, later)
            .into_values()
            .flatten()
        {
            let _ = waiter.send(Ok(()));
        }
    }

    /// A commit failed: every waiter, now and later, is told.
    fn fail(&mut self, error: String) {
        for waiter in std::mem::take(&mut self.waiting).into_values().flatten() {
            let _ = waiter.send(Err(error.clone()));
        }
        self.failed = Some(error);
    }
}

/// What was kept, read back at start.
#[derive(Debug)]
pub struct Restored {
    pub store: Store,
    /// Sandbox time minus wall-clock time, in microseconds, when last written.
    pub clock_offset_us: Option<i64>,
}

/// The database and its writer thread.
#[derive(Debug)]
pub struct Storage {
    sender: Mutex<Option<mpsc::Sender<Batch>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// The last batch handed to the writer; only changed with the store locked, so batches
    /// are numbered in the order their changes were made.
    sent: std::sync::atomic::AtomicU64,
    committed: Arc<Mutex<Committed>>,
}

fn error(context: &str, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("{context}: {e}"))
}

impl Storage {
    /// Opens (or creates) the database at `path` and reads back what it holds.
    pub fn open(path: &Path) -> std::io::Result<(Self, Restored)> {
        let shown = path.display().to_string();
        let db = Database::create(path).map_err(|e| error(&format!("cannot open {shown}"), e))?;
        // Every table exists from the first start on, so reading never meets a missing one.
        let create = || -> Result<(), redb::Error> {
            let txn = db.begin_write()?;
            txn.open_table(INVOICES)?;
            txn.open_table(RECORDS)?;
            txn.open_table(DELIVERIES)?;
            txn.open_table(META)?;
            txn.commit()?;
            Ok(())
        };
        create().map_err(|e| error(&shown, e))?;
        let restored = read(&db).map_err(|e| error(&format!("cannot read {shown}"), e))?;
        let (sender, receiver) = mpsc::channel::<Batch>();
        let committed = Arc::new(Mutex::new(Committed::default()));
        let writer = {
            let committed = committed.clone();
            std::thread::Builder::new()
                .name("invoice-sandbox-state".into())
                .spawn(move || write_batches(db, receiver, &committed))?
        };
        Ok((
            Self {
                sender: Mutex::new(Some(sender)),
                writer: Mutex::new(Some(writer)),
                sent: std::sync::atomic::AtomicU64::new(0),
                committed,
            },
            restored,
        ))
    }

    /// Hands what changed in `store` to the writer (call with the store locked); the number
    /// to wait for with [`Storage::durable`].
    pub fn send(&self, store: &mut Store, clock_offset_us: i64) -> Result<u64, String> {
        use std::sync::atomic::Ordering;
        let changes = store.take_changes();
        if changes.is_empty() {
            return Ok(self.sent.load(Ordering::SeqCst));
        }
        let seq = self.sent.load(Ordering::SeqCst) + 1;
        let batch = batch(store, changes, seq, clock_offset_us)?;
        let sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        sender
            .as_ref()
            .ok_or("the sandbox's state is closed")?
            .send(batch)
            .map_err(|_| "the sandbox's state writer stopped")?;
        self.sent.store(seq, Ordering::SeqCst);
        Ok(seq)
    }

    /// Waits until batch `seq` (and every one before) is durable.
    pub async fn durable(&self, seq: u64) -> Result<(), String> {
        let written = {
            let mut committed = self.committed.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(failed) = &committed.failed {
                return Err(format!(
                    "the sandbox's state could not be written: {failed}"
                ));
            }
            if committed.seq >= seq {
                return Ok(());
            }
            let (waiter, written) = oneshot::channel();
            committed.waiting.entry(seq).or_default().push(waiter);
            written
        };
        match written.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(failed)) => Err(format!(
                "the sandbox's state could not be written: {failed}"
            )),
            Err(_) => Err("the sandbox's state writer stopped".to_owned()),
        }
    }

    /// Stops the writer after what was sent is written, and closes the database (a new
    /// sandbox may then open it).
    pub fn close(&self) -> Option<JoinHandle<()>> {
        drop(self.sender.lock().unwrap_or_else(|e| e.into_inner()).take());
        self.writer.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|e| format!("cannot write the state: {e}"))
}

fn batch(store: &Store, changes: Changes, seq: u64, clock_offset_us: i64) -> Result<Batch, String> {
    let mut invoices = Vec::with_capacity(changes.invoices.len());
    for at in changes.invoices {
        if let Some(invoice) = store.invoice_at(at) {
            invoices.push((at as u64, json(invoice)?));
        }
    }
    let mut records = Vec::with_capacity(changes.records.len());
    for at in changes.records {
        if let Some(record) = store.record_at(at) {
            records.push((at as u64, json(record)?));
        }
    }
    let mut deliveries = Vec::with_capacity(changes.deliveries.len());
    for id in changes.deliveries {
        if let Some(record) = store.delivery(id) {
            let row = DeliveryRow {
                record,
                outgoing: &record.outgoing,
            };
            deliveries.push((id, json(&row)?));
        }
    }
    Ok(Batch {
        seq,
        clear: changes.cleared,
        invoices,
        records,
        deliveries,
        meta: json(&Meta {
            counters: store.counters(),
            clock_offset_us,
        })?,
    })
}

/// The writer: each transaction holds every batch queued when it began (group commit).
fn write_batches(db: Database, batches: mpsc::Receiver<Batch>, committed: &Mutex<Committed>) {
    let lock = || committed.lock().unwrap_or_else(|e| e.into_inner());
    while let Ok(first) = batches.recv() {
        let mut group = vec![first];
        group.extend(batches.try_iter());
        let last = group.last().map_or(0, |b| b.seq);
        match write(&db, &group) {
            Ok(()) => lock().reached(last),
            Err(e) => {
                lock().fail(e.to_string());
                return;
            }
        }
    }
    // Closed: whoever still waits is told (nothing more will be written).
    lock().fail("the sandbox's state is closed".to_owned());
}

fn write(db: &Database, group: &[Batch]) -> Result<(), redb::Error> {
    let txn = db.begin_write()?;
    {
        let mut invoices = txn.open_table(INVOICES)?;
        let mut records = txn.open_table(RECORDS)?;
        let mut deliveries = txn.open_table(DELIVERIES)?;
        let mut meta = txn.open_table(META)?;
        for batch in group {
            if batch.clear {
                invoices.retain(|_, _| false)?;
                records.retain(|_, _| false)?;
                deliveries.retain(|_, _| false)?;
            }
            for (key, value) in &batch.invoices {
                invoices.insert(*key, value.as_slice())?;
            }
            for (key, value) in &batch.records {
                records.insert(*key, value.as_slice())?;
            }
            for (key, value) in &batch.deliveries {
                deliveries.insert(*key, value.as_slice())?;
            }
        }
        if let Some(batch) = group.last() {
            meta.insert(META_KEY, batch.meta.as_slice())?;
        }
    }
    // redb's default durability: on disk when this returns.
    txn.commit()?;
    Ok(())
}

fn read(db: &Database) -> Result<Restored, String> {
    let fail = |e: redb::Error| e.to_string();
    let txn = db.begin_read().map_err(|e| fail(e.into()))?;
    let rows = |table: TableDefinition<u64, &[u8]>| -> Result<Vec<(u64, Vec<u8>)>, String> {
        let table = txn.open_table(table).map_err(|e| fail(e.into()))?;
        let mut rows = Vec::new();
        for row in table.iter().map_err(|e| fail(e.into()))? {
            let (key, value) = row.map_err(|e| fail(e.into()))?;
            rows.push((key.value(), value.value().to_vec()));
        }
        Ok(rows)
    };
    let decode = |what: &str, key: u64, bytes: &[u8]| {
        format!(
            "{what} {key} is not what this sandbox writes: {}",
            String::from_utf8_lossy(bytes)
                .chars()
                .take(80)
                .collect::<String>()
        )
    };
    let mut invoices = Vec::new();
    for (key, bytes) in rows(INVOICES)? {
        // Positions are contiguous: each invoice is written at its index.
        if key != invoices.len() as u64 {
            return Err(format!("invoice {key} follows invoice {}", invoices.len()));
        }
        let invoice: Invoice =
            serde_json::from_slice(&bytes).map_err(|_| decode("invoice", key, &bytes))?;
        invoices.push(invoice);
    }
    let mut records = Vec::new();
    for (key, bytes) in rows(RECORDS)? {
        if key != records.len() as u64 {
            return Err(format!("record {key} follows record {}", records.len()));
        }
        let record: Record =
            serde_json::from_slice(&bytes).map_err(|_| decode("record", key, &bytes))?;
        records.push(record);
    }
    let mut deliveries = Vec::new();
    for (key, bytes) in rows(DELIVERIES)? {
        if key != deliveries.len() as u64 + 1 {
            return Err(format!(
                "delivery {key} follows delivery {}",
                deliveries.len()
            ));
        }
        let row: OwnedDeliveryRow =
            serde_json::from_slice(&bytes).map_err(|_| decode("delivery", key, &bytes))?;
        let mut record = row.record;
        record.outgoing = row.outgoing;
        deliveries.push(record);
    }
    let meta_table = txn.open_table(META).map_err(|e| fail(e.into()))?;
    let meta: Option<Meta> = match meta_table.get(META_KEY).map_err(|e| fail(e.into()))? {
        Some(bytes) => Some(
            serde_json::from_slice(bytes.value())
                .map_err(|e| format!("the meta row is not what this sandbox writes: {e}"))?,
        ),
        None => None,
    };
    let store = match &meta {
        Some(meta) => Store::restored(meta.counters, invoices, records, deliveries),
        None => Store::new(true),
    };
    Ok(Restored {
        store,
        clock_offset_us: meta.map(|m| m.clock_offset_us),
    })
}
