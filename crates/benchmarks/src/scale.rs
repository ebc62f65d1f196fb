//! Section 4, scale: `ClientExt::list_all` over periods of 1 000 to 100 000 invoices and
//! `ClientExt::get_many` over 1 000 and 10 000 identifiers, timed and with their peak heap,
//! against a bare `reqwest` + `serde_json` loop doing the same requests.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cryptocloud_ext::ClientExt;
use futures::{StreamExt, TryStreamExt};
use invoice_primitives::DayMonthYear;
use tokio::runtime::Runtime;

use crate::alloc;
use crate::fixtures::{invoice_id, list_body};
use crate::floor::{FloorInfoResponse, FloorInvoice, FloorListResponse};
use crate::harness::{self, Summary};
use crate::report::{self, Table};
use crate::requests::{cc_headers, Clients};
use crate::server::{Server, CC_INFO, CC_LIST};

const PAGE: usize = 100;
const TIMEOUT: Duration = Duration::from_secs(30);

/// One measured run: wall time and peak heap above the baseline.
#[derive(Clone, Copy)]
struct Sample {
    seconds: f64,
    peak: f64,
}

/// Runs `op` with the peak reset first; the baseline (live bytes at the start: fixtures, the
/// identifiers, the clients' pools) is not part of the peak.
fn measure(rt: &Runtime, op: impl std::future::Future<Output = usize>, expected: usize) -> Sample {
    let baseline = alloc::reset_peak();
    let start = Instant::now();
    let count = rt.block_on(op);
    let seconds = start.elapsed().as_secs_f64();
    let peak = alloc::peak_since(baseline) as f64;
    assert_eq!(count, expected, "every invoice came back");
    Sample { seconds, peak }
}

async fn list_all_generated(c: &Clients) -> usize {
    let start: DayMonthYear = "01.01.2023".parse().unwrap();
    let end: DayMonthYear = "31.12.2023".parse().unwrap();
    c.cc.list_all(start, end, PAGE)
        .try_fold(0, |n, invoice| async move {
            black_box(&invoice);
            Ok(n + 1)
        })
        .await
        .expect("list_all")
}

async fn list_all_floor(c: &Clients) -> usize {
    let url = format!("{}{CC_LIST}", c.base);
    let mut offset = 0;
    let mut count = 0;
    loop {
        let window = serde_json::json!({
            "start": "01.01.2023", "end": "31.12.2023", "offset": offset, "limit": offset + PAGE,
        });
        let bytes = cc_headers(c.bare.post(&url))
            .json(&window)
            .timeout(TIMEOUT)
            .send()
            .await
            .expect("send")
            .error_for_status()
            .expect("status")
            .bytes()
            .await
            .expect("body");
        let page: FloorListResponse = serde_json::from_slice(&bytes).expect("decode");
        drop(bytes);
        let read = page.result.len();
        for invoice in page.result {
            black_box(&invoice);
            count += 1;
        }
        offset += read;
        if read == 0 || offset as i64 >= page.all_count {
            return count;
        }
    }
}

async fn get_many_generated(c: &Clients, ids: &[String], concurrency: usize) -> usize {
    let lookup =
        c.cc.get_many(ids.iter().cloned(), concurrency)
            .await
            .expect("get_many");
    assert!(lookup.missing.is_empty());
    let found = lookup.found.len();
    black_box(lookup);
    found
}

async fn get_many_floor(c: &Clients, ids: &[String], concurrency: usize) -> usize {
    let url = format!("{}{CC_INFO}", c.base);
    let pages: Vec<Vec<FloorInvoice>> = futures::stream::iter(ids.chunks(PAGE))
        .map(|batch| {
            let request = cc_headers(c.bare.post(&url))
                .json(&serde_json::json!({ "uuids": batch }))
                .timeout(TIMEOUT);
            async move {
                let bytes = request.send().await?.error_for_status()?.bytes().await?;
                let page: FloorInfoResponse = serde_json::from_slice(&bytes).expect("decode");
                Ok::<_, reqwest::Error>(page.result)
            }
        })
        .buffered(concurrency)
        .try_collect()
        .await
        .expect("floor look-ups");
    let invoices: Vec<FloorInvoice> = pages.into_iter().flatten().collect();
    let found = invoices.len();
    black_box(invoices);
    found
}

fn rounds_for(n: usize, quick: bool) -> usize {
    match (quick, n) {
        (true, _) => 2,
        (false, n) if n >= 100_000 => 5,
        (false, _) => 9,
    }
}

/// Alternates floor and generated runs; returns (floor, generated) samples.
fn pairs(
    rounds: usize,
    mut floor: impl FnMut() -> Sample,
    mut generated: impl FnMut() -> Sample,
) -> (Vec<Sample>, Vec<Sample>) {
    let (mut f, mut g) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            f.push(floor());
            g.push(generated());
        } else {
            g.push(generated());
            f.push(floor());
        }
    }
    (f, g)
}

fn summary(samples: &[Sample], field: fn(&Sample) -> f64) -> Summary {
    Summary::of(&samples.iter().map(field).collect::<Vec<_>>())
}

fn ratio(num: &[Sample], den: &[Sample], field: fn(&Sample) -> f64) -> Summary {
    Summary::of(
        &num.iter()
            .zip(den)
            .map(|(a, b)| field(a) / field(b))
            .collect::<Vec<_>>(),
    )
}

pub fn run(
    rt: &Runtime,
    server: &Server,
    c: &Clients,
    sizes: &[usize],
    lookups: &[usize],
    quick: bool,
) -> String {
    let page_bytes = list_body((0..PAGE).map(|i| server.invoice(i)), 1000).len() as f64;

    // Warm-up: connections, lazily initialised state.
    server.set_period(1000);
    measure(rt, list_all_floor(c), 1000);
    measure(rt, list_all_generated(c), 1000);

    let mut list = Table::new(&[
        "N invoices",
        "requests",
        "floor time",
        "`list_all` time",
        "`list_all` µs/invoice",
        "time ÷ floor",
        "floor peak heap",
        "`list_all` peak heap",
        "peak ÷ floor",
        "peak ÷ one page of JSON",
    ]);
    let mut per_invoice = Vec::new();
    // (N, `list_all` time ÷ floor), for the targets table.
    let mut list_ratios = Vec::new();
    for &n in sizes {
        server.set_period(n);
        let before = server.requests();
        let (f, g) = pairs(
            rounds_for(n, quick),
            || measure(rt, list_all_floor(c), n),
            || measure(rt, list_all_generated(c), n),
        );
        let requests = (server.requests() - before) / (2 * f.len());
        let gt = summary(&g, |s| s.seconds);
        let us = gt.median / n as f64 * 1e6;
        let floor_us = summary(&f, |s| s.seconds).median / n as f64 * 1e6;
        per_invoice.push((n, us, floor_us));
        list_ratios.push((n, ratio(&g, &f, |s| s.seconds).median));
        list.row(vec![
            n.to_string(),
            requests.to_string(),
            harness::time(summary(&f, |s| s.seconds).median),
            format!("{} (IQR {:.0}%)", harness::time(gt.median), gt.iqr_pct()),
            format!("{us:.2}"),
            harness::ratio(&ratio(&g, &f, |s| s.seconds)),
            harness::bytes(summary(&f, |s| s.peak).median),
            harness::bytes(summary(&g, |s| s.peak).median),
            harness::ratio(&ratio(&g, &f, |s| s.peak)),
            format!("{:.1}×", summary(&g, |s| s.peak).median / page_bytes),
        ]);
    }
    server.set_documented();
    if !list_ratios.is_empty() {
        report::target(
            "`list_all` time ≤ 1.10× the bare reqwest paging loop at every N (wall time)",
            list_ratios
                .iter()
                .map(|(n, r)| format!("{r:.2}× at N = {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            list_ratios.iter().all(|(_, r)| *r <= 1.10),
        );
    }

    let mut many = Table::new(&[
        "N identifiers",
        "concurrency",
        "floor time",
        "`get_many` time",
        "time ÷ floor",
        "floor peak heap",
        "`get_many` peak heap",
        "peak ÷ floor",
    ]);
    for &n in lookups {
        let ids: Vec<String> = (0..n).map(invoice_id).collect();
        for concurrency in [1, 4] {
            let (f, g) = pairs(
                rounds_for(n, quick),
                || measure(rt, get_many_floor(c, &ids, concurrency), n),
                || measure(rt, get_many_generated(c, &ids, concurrency), n),
            );
            many.row(vec![
                n.to_string(),
                concurrency.to_string(),
                harness::time(summary(&f, |s| s.seconds).median),
                harness::time(summary(&g, |s| s.seconds).median),
                harness::ratio(&ratio(&g, &f, |s| s.seconds)),
                harness::bytes(summary(&f, |s| s.peak).median),
                harness::bytes(summary(&g, |s| s.peak).median),
                harness::ratio(&ratio(&g, &f, |s| s.peak)),
            ]);
        }
    }

    let linear = match (per_invoice.first(), per_invoice.last()) {
        (Some(&(n0, g0, f0)), Some(&(n1, g1, f1))) if n1 > n0 => format!(
            "Time per invoice at N = {n1} ÷ at N = {n0}: `list_all` {:.2}×, floor {:.2}× \
             (1.00× is linear; small N also pays fixed costs, such as the first connection).",
            g1 / g0,
            f1 / f0
        ),
        _ => String::new(),
    };
    format!(
        "### 4. Scale (`cryptocloud-ext` against a server implementing the paging semantics)\n\n\
         `list_all(start, end, 100)`: windows of 100 records (`offset` = index of the first, \
         `limit` = number of the last). One page of JSON is {}. Peak heap is the client \
         process's live heap above its level at the start of the run; the server's threads \
         (its prerendered invoices and its buffers) are not counted. Medians of {} runs ({} for \
         100 000), floor and client alternating. {linear}\n\n{}\n\
         `get_many(ids, concurrency)`: requests of 100 identifiers. Both sides end up holding \
         all N invoices (the answer), so their peaks grow with N. `size_of` one invoice: \
         generated {} bytes, floor {} bytes (plus the strings each owns). Medians of {} runs, \
         floor and client alternating.\n\n{}",
        harness::bytes(page_bytes),
        rounds_for(1_000, quick),
        rounds_for(100_000, quick),
        list.render(),
        std::mem::size_of::<cryptocloud::types::Invoice>(),
        std::mem::size_of::<FloorInvoice>(),
        rounds_for(1_000, quick),
        many.render()
    )
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub async fn list_all(c: &Clients, generated: bool) -> usize {
        if generated {
            list_all_generated(c).await
        } else {
            list_all_floor(c).await
        }
    }

    pub async fn get_many(
        c: &Clients,
        ids: &[String],
        concurrency: usize,
        generated: bool,
    ) -> usize {
        if generated {
            get_many_generated(c, ids, concurrency).await
        } else {
            get_many_floor(c, ids, concurrency).await
        }
    }
}
