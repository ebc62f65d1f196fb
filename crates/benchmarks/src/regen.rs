//! Section 1, regeneration: `xtask::regen` in check mode, in-process, split into its phases.
//!
//! It runs on a scratch copy of the workspace root (Cargo.toml, specs/, generated/) under the
//! system temp directory, first brought up to date with a write, so neither the real
//! generated/ nor someone editing specs/ meanwhile can make a run fail or change. With
//! openapi-generator installed (see `peer.rs`), each of the first rounds also regenerates
//! everything from scratch and runs the peer on the same specs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use xtask::Mode;

use crate::alloc;
use crate::harness::{self, Summary};
use crate::peer::Peer;
use crate::report::{self, Table};

/// One regeneration's phase times, summed over the crates (which are generated in parallel,
/// so the sum exceeds the wall time).
#[derive(Default, Clone, Copy)]
struct Run {
    parse: f64,
    generate: f64,
    format: f64,
    check: f64,
    total: f64,
}

/// The regeneration of every crate from scratch (`regen` writing an empty generated/), and the
/// peer's generation of the same specs, per round.
struct FromScratch {
    ours: Vec<f64>,
    peer: Vec<f64>,
}

pub fn run(root: &Path, rounds: usize, peer: Result<&Peer, &str>, peer_rounds: usize) -> String {
    // This section reports no memory; see `alloc::Paused`.
    let _paused = alloc::Paused::new();
    let scratch = scratch_copy(root);
    xtask::regen(&scratch, Mode::Write).expect("regen into the scratch copy");
    let spec_paths: Vec<PathBuf> = xtask::PROVIDERS
        .iter()
        .map(|p| scratch.join(p.spec))
        .collect();

    // Warm-up: the first run pays for the page cache.
    let report = xtask::regen(&scratch, Mode::Check).expect("check");
    let crate_names: Vec<String> = report.crates.iter().map(|c| c.name.clone()).collect();
    let generated: Vec<PathBuf> = report
        .crates
        .iter()
        .flat_map(|c| &c.files)
        .filter(|f| f.path.ends_with(".rs"))
        .map(|f| scratch.join(&f.path))
        .collect();

    // The finished files, for the printing floor (every round writes the same bytes).
    let sources: Vec<String> = generated
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("read"))
        .collect();

    let mut per_crate: Vec<Vec<Run>> = vec![Vec::new(); crate_names.len()];
    let mut totals = Vec::new();
    let mut io_floor = Vec::new();
    let mut print_floor = Vec::new();
    let mut scratch_runs = FromScratch {
        ours: Vec::new(),
        peer: Vec::new(),
    };
    let peer_specs: Vec<(String, PathBuf)> = xtask::PROVIDERS
        .iter()
        .map(|p| (p.name.to_owned(), scratch.join(p.spec)))
        .collect();
    let peer_out = scratch.join("peer");
    for round in 0..rounds {
        let start = Instant::now();
        let report = xtask::regen(&scratch, Mode::Check).expect("check");
        let wall = start.elapsed().as_secs_f64();
        let mut sum = Run::default();
        for c in &report.crates {
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
            if let Some(i) = crate_names.iter().position(|n| *n == c.name) {
                per_crate[i].push(r);
            }
        }
        sum.check = report.sync_elapsed.as_secs_f64();
        sum.total = wall;
        totals.push(sum);

        // Floor: the bytes a check must at least read.
        let start = Instant::now();
        let mut read = 0;
        for path in spec_paths.iter().chain(&generated) {
            read += std::fs::read(path).expect("read").len();
        }
        std::hint::black_box(read);
        io_floor.push(start.elapsed().as_secs_f64());

        // Floor: parsing and printing the finished files, the least a printer of them pays.
        let start = Instant::now();
        for source in &sources {
            reprint(source);
        }
        print_floor.push(start.elapsed().as_secs_f64());

        // From scratch, as the peer works: an empty generated/ written in full; then the peer.
        if let (Ok(peer), true) = (peer, round < peer_rounds) {
            let _ = std::fs::remove_dir_all(scratch.join("generated"));
            let start = Instant::now();
            xtask::regen(&scratch, Mode::Write).expect("regen from scratch");
            scratch_runs.ours.push(start.elapsed().as_secs_f64());
            scratch_runs
                .peer
                .push(peer.generate(&peer_specs, &peer_out).as_secs_f64());
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let pick =
        |runs: &[Run], f: fn(&Run) -> f64| Summary::of(&runs.iter().map(f).collect::<Vec<_>>());
    let total = pick(&totals, |r| r.total);
    let mut table = Table::new(&[
        "crate",
        "parse (YAML → OpenAPI)",
        "generate (prepare + progenitor)",
        "print (templates + prettyplease)",
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
    for (name, runs) in crate_names.iter().zip(&per_crate) {
        if runs.is_empty() {
            continue;
        }
        let t = pick(runs, |r| r.total).median;
        table.row(vec![
            format!("`{name}`"),
            cell(pick(runs, |r| r.parse), t),
            cell(pick(runs, |r| r.generate), t),
            cell(pick(runs, |r| r.format), t),
            "—".into(),
            harness::time(t),
        ]);
    }
    let summed = pick(&totals, |r| r.parse + r.generate + r.format + r.check).median;
    table.row(vec![
        "**all (sum of the crates' phases)**".into(),
        cell(pick(&totals, |r| r.parse), summed),
        cell(pick(&totals, |r| r.generate), summed),
        cell(pick(&totals, |r| r.format), summed),
        cell(pick(&totals, |r| r.check), summed),
        harness::time(summed),
    ]);
    table.row(vec![
        "**all, `regen --check` (wall)**".into(),
        "".into(),
        "".into(),
        "".into(),
        "".into(),
        format!(
            "{} (IQR {:.0}%)",
            harness::time(total.median),
            total.iqr_pct()
        ),
    ]);

    let io = Summary::of(&io_floor);
    let print = Summary::of(&print_floor);
    let ratios = |num: &[f64], den: &[f64]| {
        Summary::of(&num.iter().zip(den).map(|(a, b)| a / b).collect::<Vec<_>>())
    };
    let total_v: Vec<f64> = totals.iter().map(|r| r.total).collect();
    let format_v: Vec<f64> = totals.iter().map(|r| r.format).collect();
    let mut floors = Table::new(&[
        "floor / peer (same rounds)",
        "time",
        "regen --check ÷ it",
        "print phases ÷ it",
    ]);
    floors.row(vec![
        format!(
            "read the {} specs and {} generated `.rs` files (I/O floor of a check)",
            spec_paths.len(),
            generated.len()
        ),
        harness::time(io.median),
        harness::ratio(&ratios(&total_v, &io_floor)),
        "—".into(),
    ]);
    floors.row(vec![
        format!(
            "parse and print the {} finished `.rs` files again (`syn` + `prettyplease`, one after \
             the other: the least a printer of them pays)",
            generated.len()
        ),
        harness::time(print.median),
        harness::ratio(&ratios(&total_v, &print_floor)),
        harness::ratio(&ratios(&format_v, &print_floor)),
    ]);
    let peer_text = match peer {
        Err(reason) => format!("**Peer**: {reason}.\n"),
        Ok(_) if scratch_runs.peer.is_empty() => "**Peer**: not run (`--quick`).\n".into(),
        Ok(peer) => {
            let ours = Summary::of(&scratch_runs.ours);
            let theirs = Summary::of(&scratch_runs.peer);
            let speedup = ratios(&scratch_runs.peer, &scratch_runs.ours);
            report::target(
                "regeneration of all specs in-process (`xtask::regen`, release build) ≥ 30× \
                 faster than openapi-generator `-g rust` (one `batch` process), wall time",
                format!(
                    "{:.1}× ({} against {})",
                    speedup.median,
                    harness::time(Summary::of(&scratch_runs.ours).median),
                    harness::time(Summary::of(&scratch_runs.peer).median)
                ),
                speedup.median >= 30.0,
            );
            let mut t = Table::new(&[
                "generator, all specs from scratch",
                "time",
                "peer ÷ ours",
                "target",
            ]);
            t.row(vec![
                format!(
                    "`xtask::regen` writing an empty generated/ ({} crates, in-process)",
                    crate_names.len()
                ),
                harness::time(ours.median),
                "—".into(),
                "—".into(),
            ]);
            t.row(vec![
                format!(
                    "openapi-generator {} `-g rust` (`batch`, one JVM, {} threads; 3 crates)",
                    peer.version,
                    std::thread::available_parallelism().map_or(1, |n| n.get())
                ),
                harness::time(theirs.median),
                format!("**{}**", harness::ratio(&speedup)),
                format!(
                    "≥ 30× {}",
                    if speedup.median >= 30.0 {
                        "met"
                    } else {
                        "**not met**"
                    }
                ),
            ]);
            format!(
                "Against openapi-generator, {n} rounds interleaved with the above (the peer \
                 runs as its command-line tool, JVM start included; ours in-process, whose \
                 process start would add about 1 ms):\n\n{}",
                t.render(),
                n = scratch_runs.peer.len()
            )
        }
    };
    format!(
        "### 1. Regeneration (`xtask::regen`, in-process)\n\n\
         Median of {rounds} rounds after one warm-up; check mode. Phase times are summed over \
         the crates, which are generated in parallel (one thread per core, the largest ready \
         task first), so they add up to more than the wall time. The benchmark's allocation \
         counter is off in this section.\n\n{}\n{}\n{peer_text}",
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
    // Hand-written files the rows pull in (guides, inlined modules).
    for path in xtask::PROVIDERS
        .iter()
        .flat_map(|p| [p.guide, p.mocks_guide, p.inline])
        .flatten()
    {
        let target = scratch.join(path);
        std::fs::create_dir_all(target.parent().expect("a file")).expect("create dir");
        std::fs::copy(root.join(path), target).expect("copy");
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

/// Parses a finished file and prints it again, with the printer regen uses.
fn reprint(source: &str) {
    let file = syn::parse_file(source).expect("a generated file parses");
    let printed = prettyplease::unparse(&file);
    std::hint::black_box(printed);
}
