//! Section 2, decode: a CryptoCloud list response of 100 generated invoices into the generated
//! `InvoiceListResponse`, against `serde_json::Value` and the hand-written `f64`/`String`
//! floor.

use std::hint::black_box;

use crate::callgrind;
use crate::fixtures::{list_body, InvoiceFactory};
use crate::floor::FloorListResponse;
use crate::harness::{self, Entry, Settings};
use crate::report::Table;

/// The list response body the decode benchmark parses: 100 invoices, `all_count` 1000.
pub fn fixture(factory: &InvoiceFactory) -> Vec<u8> {
    let invoices: Vec<String> = (0..100).map(|i| factory.json(i)).collect();
    list_body(invoices.iter().map(String::as_bytes), 1000)
}

/// Parses the fixture with each decoder once and checks they agree on what they read.
pub fn check(body: &[u8]) {
    let generated: cryptocloud::types::InvoiceListResponse =
        serde_json::from_slice(body).expect("generated types decode the fixture");
    let floor: FloorListResponse = serde_json::from_slice(body).expect("floor decodes it");
    assert_eq!(generated.result.len(), 100);
    assert_eq!(floor.result.len(), 100);
    for (g, f) in generated.result.iter().zip(&floor.result) {
        assert_eq!(g.uuid.as_str(), f.uuid);
        // The exact decimal reads the digits the f64 was printed with.
        let close = |exact: &dyn ToString, float: f64| {
            let exact: f64 = exact.to_string().parse().unwrap();
            (exact - float).abs() <= 1e-15 * float.abs()
        };
        assert!(close(&g.amount, f.amount) && close(&g.fee, f.fee), "{g:?}");
        assert_eq!(g.created.to_string(), f.created);
        assert!(g.status.is_known() && g.currency.fullcode.is_known());
    }
}

/// Decodes `body` once with `decoder` (for profiling).
pub fn once(decoder: crate::Decoder, body: &[u8]) {
    use crate::Decoder::*;
    match decoder {
        Floor => drop(black_box(
            serde_json::from_slice::<FloorListResponse>(body).unwrap(),
        )),
        Value => drop(black_box(
            serde_json::from_slice::<serde_json::Value>(body).unwrap(),
        )),
        Generated => drop(black_box(
            serde_json::from_slice::<cryptocloud::types::InvoiceListResponse>(body).unwrap(),
        )),
    }
}

pub fn run(settings: Settings, body: &[u8], count_instructions: bool) -> String {
    check(body);
    let measured = harness::compare(
        settings,
        vec![
            Entry::timed(
                "floor: `#[derive(Deserialize)]` struct, `f64` + `String`",
                || {
                    black_box(
                        serde_json::from_slice::<FloorListResponse>(black_box(body)).unwrap(),
                    );
                },
            ),
            Entry::timed("peer: `serde_json::Value`", || {
                black_box(serde_json::from_slice::<serde_json::Value>(black_box(body)).unwrap());
            }),
            Entry::timed(
                "generated `cryptocloud::types::InvoiceListResponse`",
                || {
                    black_box(
                        serde_json::from_slice::<cryptocloud::types::InvoiceListResponse>(
                            black_box(body),
                        )
                        .unwrap(),
                    );
                },
            ),
        ],
    );
    // Same order as the entries above.
    let instructions: Vec<Option<f64>> = ["floor", "value", "generated"]
        .iter()
        .map(|d| {
            count_instructions
                .then(|| callgrind::per_iteration("profile-decode", d, 20, &[]))
                .flatten()
        })
        .collect();
    let mut table = Table::new(&[
        "decoder",
        "time per body",
        "MB/s",
        "IQR",
        "time ÷ floor",
        "instructions per body",
        "instructions ÷ floor",
    ]);
    for (m, instr) in measured.iter().zip(&instructions) {
        let (count, ratio) = match (instr, instructions[0]) {
            (Some(n), Some(floor)) => (callgrind::count(*n), format!("{:.2}×", n / floor)),
            _ => ("not counted".into(), "—".into()),
        };
        table.row(vec![
            m.name.clone(),
            harness::time(m.per_op.median),
            format!("{:.0}", body.len() as f64 / m.per_op.median / 1e6),
            format!("{:.1}%", m.per_op.iqr_pct()),
            harness::ratio(&m.ratio),
            count,
            ratio,
        ]);
    }
    format!(
        "### 2. Decode (`serde_json::from_slice`, one list response of 100 invoices, {} bytes)\n\n\
         {} rounds, interleaved; the ratio is the median of per-round ratios. Instructions: \
         callgrind, {} (they do not depend on the machine's load).\n\n{}",
        body.len(),
        settings.rounds,
        if count_instructions {
            "20 decodes"
        } else {
            "not run (no valgrind, or --quick)"
        },
        table.render()
    )
}
