//! Section 1, regeneration: `xtask::regen` in check mode, in-process, split into its phases.
//!
//! It runs on a scratch copy of the workspace root (Cargo.toml, specs/, generated/) under the
//! system temp directory, first brought up to date with a write, so neither the real
//! generated/ nor someone editing specs/ meanwhile can make a run fail or change.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use xtask::{Mode, RootManifest};

use crate::harness::{self, Summary};
use crate::report::Table;

/// One regeneration's phase times, summed over the crates.
#[derive(Default, Clone, Copy)]
struct Run {
    parse: f64,
    generate: f64,
    format: f64,
    check: f64,
    total: f64,
}

pub fn run(root: &Path, rounds: usize) -> String {
    let scratch = scratch_copy(root);
    xtask::regen(&scratch, Mode::Write).expect("regen into the scratch copy");
    let edition = RootManifest::load(&scratch).expect("root manifest").edition;
    let generated: Vec<(String, PathBuf)> = xtask::PROVIDERS
        .iter()
        .map(|p| {
            (
                p.name.to_owned(),
                scratch.join("generated").join(p.name).join("src/lib.rs"),
            )
        })
        .collect();
    let spec_paths: Vec<PathBuf> = xtask::PROVIDERS
        .iter()
        .map(|p| scratch.join(p.spec))
        .collect();

    // Warm-up: the first run pays for page cache and rustfmt's own start-up files.
    xtask::regen(&scratch, Mode::Check).expect("check");

    let mut per_crate: Vec<Vec<Run>> = vec![Vec::new(); xtask::PROVIDERS.len()];
    let mut totals = Vec::new();
    let mut io_floor = Vec::new();
    let mut rustfmt_peer = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        let report = xtask::regen(&scratch, Mode::Check).expect("check");
        let wall = start.elapsed().as_secs_f64();
        let mut sum = Run::default();
        for (i, c) in report.crates.iter().enumerate() {
            let r = Run {
                parse: c.phases.parse.as_secs_f64(),
                generate: c.phases.generate.as_secs_f64(),
                format: c.phases.format.as_secs_f64(),
                check: 0.0,
                total: (c.phases.parse + c.elapsed).as_secs_f64(),
            };
            sum.parse += r.parse;
            sum.generate += r.generate;
            sum.format += r.format;
            per_crate[i].push(r);
        }
        sum.check = report.sync_elapsed.as_secs_f64();
        sum.total = wall;
        totals.push(sum);

        // Floor: the bytes a check must at least read.
        let start = Instant::now();
        let mut read = 0;
        for path in spec_paths.iter().chain(generated.iter().map(|(_, p)| p)) {
            read += std::fs::read(path).expect("read").len();
        }
        std::hint::black_box(read);
        io_floor.push(start.elapsed().as_secs_f64());

        // Peer: rustfmt over the finished files, which the output must already satisfy.
        let start = Instant::now();
        for (_, path) in &generated {
            rustfmt(&scratch, &edition, &std::fs::read(path).expect("read"));
        }
        rustfmt_peer.push(start.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let pick =
        |runs: &[Run], f: fn(&Run) -> f64| Summary::of(&runs.iter().map(f).collect::<Vec<_>>());
    let total = pick(&totals, |r| r.total);
    let mut table = Table::new(&[
        "crate",
        "parse (YAML → OpenAPI)",
        "generate (prepare + progenitor)",
        "format (prettyplease + rustfmt)",
        "check (compare with disk)",
        "total",
    ]);
    let cell = |s: Summary, of: f64| {
        format!(
            "{} ({:.0}%)",
            harness::time(s.median),
            100.0 * s.median / of
        )
    };
    for (i, runs) in per_crate.iter().enumerate() {
        let t = pick(runs, |r| r.total).median;
        table.row(vec![
            format!("`{}`", xtask::PROVIDERS[i].name),
            cell(pick(runs, |r| r.parse), t),
            cell(pick(runs, |r| r.generate), t),
            cell(pick(runs, |r| r.format), t),
            "—".into(),
            harness::time(t),
        ]);
    }
    table.row(vec![
        "**all, `regen --check`**".into(),
        cell(pick(&totals, |r| r.parse), total.median),
        cell(pick(&totals, |r| r.generate), total.median),
        cell(pick(&totals, |r| r.format), total.median),
        cell(pick(&totals, |r| r.check), total.median),
        format!(
            "{} (IQR {:.0}%)",
            harness::time(total.median),
            total.iqr_pct()
        ),
    ]);

    let io = Summary::of(&io_floor);
    let fmt_peer = Summary::of(&rustfmt_peer);
    let ratios = |num: &[f64], den: &[f64]| {
        Summary::of(&num.iter().zip(den).map(|(a, b)| a / b).collect::<Vec<_>>())
    };
    let total_v: Vec<f64> = totals.iter().map(|r| r.total).collect();
    let format_v: Vec<f64> = totals.iter().map(|r| r.format).collect();
    let mut floors = Table::new(&[
        "floor / peer (same rounds)",
        "time",
        "regen --check ÷ it",
        "format phase ÷ it",
    ]);
    floors.row(vec![
        "read the 3 specs and 3 generated lib.rs (I/O floor of a check)".into(),
        harness::time(io.median),
        harness::ratio(&ratios(&total_v, &io_floor)),
        "—".into(),
    ]);
    floors.row(vec![
        "`rustfmt` on the 3 finished lib.rs (the output must be rustfmt-stable)".into(),
        harness::time(fmt_peer.median),
        harness::ratio(&ratios(&total_v, &rustfmt_peer)),
        harness::ratio(&ratios(&format_v, &rustfmt_peer)),
    ]);
    format!(
        "### 1. Regeneration (`xtask::regen`, check mode, in-process)\n\n\
         Median of {rounds} runs after one warm-up; phase times summed over the crates, with \
         each phase's share of the total.\n\n{}\n{}",
        table.render(),
        floors.render()
    )
}

/// Copies what `regen` reads and compares into a fresh temp directory.
fn scratch_copy(root: &Path) -> PathBuf {
    let scratch = std::env::temp_dir().join(format!("benchmarks-regen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("create scratch root");
    for file in ["Cargo.toml", "rustfmt.toml", ".rustfmt.toml"] {
        if root.join(file).exists() {
            std::fs::copy(root.join(file), scratch.join(file)).expect("copy");
        }
    }
    for dir in ["specs", "generated"] {
        copy_dir(&root.join(dir), &scratch.join(dir));
    }
    scratch
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `rustfmt --edition E --emit stdout` on `source`, as xtask runs it.
fn rustfmt(root: &Path, edition: &str, source: &[u8]) -> Duration {
    let start = Instant::now();
    let mut child = Command::new(std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into()))
        .args(["--edition", edition, "--emit", "stdout"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run rustfmt");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = source.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("rustfmt");
    writer.join().expect("writer").expect("write to rustfmt");
    assert!(output.status.success(), "rustfmt failed");
    assert_eq!(
        output.stdout, source,
        "the generated file is rustfmt-stable"
    );
    start.elapsed()
}
