//! The benchmarks behind BENCHMARKS.md: `cargo xtask bench` builds this in release mode and
//! runs it. Every figure is printed next to a floor or peer measured in the same run, as a
//! ratio, so results compare across machines.

mod alloc;
mod callgrind;
mod cold;
mod decode;
mod fixtures;
mod flood;
mod floor;
mod harness;
mod peer;
mod regen;
mod regen_cli;
mod report;
mod requests;
mod scale;
mod server;
mod single_client;

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, ValueEnum};

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

#[derive(Parser)]
#[command(name = "benchmarks", about = "Run the benchmarks; see BENCHMARKS.md")]
struct Cli {
    /// Rewrite the results section of this file (BENCHMARKS.md) with the tables.
    #[arg(long, value_name = "PATH")]
    write: Option<PathBuf>,
    /// Short samples and small sizes: checks that everything runs, in seconds. Not for the record.
    #[arg(long)]
    quick: bool,
    /// Run only these sections (repeatable).
    #[arg(long, value_enum)]
    only: Vec<Section>,
    /// Also run section 5: cold builds of the three client crates and of openapi-generator's
    /// crates for the same specs, with each TLS backend (several minutes).
    #[arg(long)]
    cold_build: bool,
    /// Cold builds per side and TLS backend (`--cold-build`).
    #[arg(long, default_value_t = 1)]
    cold_repeats: usize,
    /// Rounds of section 1 that also run openapi-generator (each takes seconds).
    #[arg(long, default_value_t = 3)]
    peer_rounds: usize,
    /// Pairs of section 1b: `cargo xtask regen --check` as a process against openapi-generator
    /// (each pair takes seconds).
    #[arg(long, default_value_t = 5)]
    regen_pairs: usize,
    /// Cold builds per side and client in section 6 (`--cold-build`; about 40 s each on 2 cores).
    #[arg(long, default_value_t = 3)]
    client_repeats: usize,
    /// Decode the fixture this many times (into `--decoder`) and exit (for profilers:
    /// `valgrind --tool=callgrind target/release/benchmarks --profile-decode 200`).
    #[arg(long, value_name = "ITERATIONS")]
    profile_decode: Option<u64>,
    /// Send this many requests of `--operation`, `--in-flight` at a time, through the generated
    /// client (`--decoder generated`) or the bare floor (`--decoder floor`) and exit (for
    /// profilers).
    #[arg(long, value_name = "REQUESTS")]
    profile_requests: Option<u64>,
    /// Which operation `--profile-requests` sends: `cc` (CryptoCloud list), `cp`
    /// (Cryptoprocessing create) or `af` (apiforcrypto get).
    #[arg(long, default_value = "cc", value_parser = ["cc", "cp", "af"])]
    operation: String,
    /// How many `--profile-requests` requests are kept in flight at once.
    #[arg(long, default_value_t = 1, value_name = "REQUESTS")]
    in_flight: usize,
    /// Serve the in-process server's answers from this process until stdin closes, after
    /// printing its URL (section 3's flood runs its server in a child process like this).
    #[arg(long, hide = true)]
    serve: bool,
    /// Serve the local sandbox (`crates/invoice-sandbox`) from this process until stdin closes,
    /// after printing its URL (section 3's sandbox flood).
    #[arg(long, hide = true)]
    serve_sandbox: bool,
    /// With `--serve-sandbox`: keep the sandbox's state in this database (its `--state`).
    #[arg(long, hide = true, value_name = "PATH")]
    sandbox_state: Option<std::path::PathBuf>,
    /// What `--profile-decode` decodes into, or who sends `--profile-requests`.
    #[arg(long, value_enum, default_value = "generated")]
    decoder: Decoder,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Decoder {
    Floor,
    Value,
    Generated,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Section {
    Regen,
    Decode,
    Requests,
    Scale,
    /// Section 5; run with `--cold-build` (or `--only cold`).
    Cold,
    /// Section 6, one client as a user adds it; run with `--cold-build` (or `--only clients`).
    Clients,
}

fn main() {
    let cli = Cli::parse();
    let root = xtask::workspace_root();
    let examples = fixtures::Examples::load(&root);
    let factory = fixtures::InvoiceFactory::new(&examples);
    let body = decode::fixture(&factory);

    if let Some(iterations) = cli.profile_decode {
        for _ in 0..iterations {
            decode::once(cli.decoder, &body);
        }
        return;
    }
    if let Some(requests) = cli.profile_requests {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        let server = server::Server::start(&examples, 0);
        let clients = requests::Clients::new(&server, &examples);
        rt.block_on(clients.profile(
            cli.decoder == Decoder::Generated,
            &cli.operation,
            requests,
            cli.in_flight,
        ));
        return;
    }
    if cli.serve {
        flood::serve(&examples);
        return;
    }
    if cli.serve_sandbox {
        flood::serve_sandbox(cli.sandbox_state.clone());
        return;
    }
    let wants = |s: Section| match s {
        Section::Cold | Section::Clients => cli.cold_build || cli.only.contains(&s),
        _ => cli.only.is_empty() || cli.only.contains(&s),
    };
    let settings = if cli.quick {
        harness::Settings::QUICK
    } else {
        harness::Settings::FULL
    };
    let (sizes, lookups): (&[usize], &[usize]) = if cli.quick {
        (&[100, 1_000], &[1_000])
    } else {
        (&[1_000, 10_000, 100_000], &[1_000, 10_000])
    };

    let started = Instant::now();
    let mut command = String::from("cargo xtask bench");
    if cli.write.is_some() {
        command.push_str(" --write");
    }
    // The arguments as given to `cargo xtask bench -- …`: without `--write PATH`, which
    // `cargo xtask bench --write` adds.
    let mut passthrough = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--write" {
            args.next();
        } else if !arg.starts_with("--write=") {
            passthrough.push(arg);
        }
    }
    if !passthrough.is_empty() {
        command.push_str(" -- ");
        command.push_str(&passthrough.join(" "));
    }
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let header = format!(
        "Run on {date} with `{command}`: {cores} cores{cpu}, {rustc}, release profile.",
        date = report::today(),
        cpu = report::cpu_model()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default(),
        rustc = report::tool_version("rustc", "--version").unwrap_or_else(|| "rustc".into()),
    );
    println!("{header}\n");
    let mut sections = vec![header];
    let mut emit = |text: String| {
        println!("{text}");
        let _ = std::io::stdout().flush();
        sections.push(text.trim_end().to_owned());
    };

    // Measured by .ci/run, not here; listed so the table names every target of issue 24.
    report::target_elsewhere(
        "CI ≤ 8 minutes from a fresh clone on this 2-core machine, every check kept",
        "see CONTRIBUTING.md",
    );
    let peer = peer::Peer::find(&root);
    if wants(Section::Regen) {
        emit(regen::run(
            &root,
            if cli.quick { 2 } else { 7 },
            peer.as_ref().map_err(String::as_str),
            if cli.quick { 0 } else { cli.peer_rounds },
        ));
        emit(regen_cli::run(
            &root,
            peer.as_ref().map_err(String::as_str),
            if cli.quick { 1 } else { cli.regen_pairs.max(1) },
        ));
    }
    if wants(Section::Decode) {
        emit(decode::run(
            settings,
            &body,
            !cli.quick && callgrind::available(),
        ));
    }
    if wants(Section::Requests) || wants(Section::Scale) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        let invoices = sizes.iter().chain(lookups).copied().max().unwrap_or(0);
        let server = server::Server::start(&examples, invoices);
        if wants(Section::Requests) {
            emit(requests::run(
                settings,
                &rt,
                &server,
                &examples,
                !cli.quick && callgrind::available(),
            ));
        }
        if wants(Section::Requests) {
            emit(flood::run(
                &examples,
                if cli.quick { 1_000 } else { 10_000 },
            ));
            emit(flood::run_sandbox(if cli.quick { 1_000 } else { 10_000 }));
        }
        if wants(Section::Scale) {
            let clients = requests::Clients::new(&server, &examples);
            emit(scale::run(
                &rt, &server, &clients, sizes, lookups, cli.quick,
            ));
        }
    }
    if wants(Section::Cold) {
        emit(cold::run(
            &root,
            peer.as_ref().map_err(String::as_str),
            cli.cold_repeats.max(1),
        ));
    }
    if wants(Section::Clients) {
        emit(single_client::run(
            &root,
            peer.as_ref().map_err(String::as_str),
            cli.client_repeats.max(1),
        ));
    }
    let targets = report::targets();
    if !targets.is_empty() {
        println!("{targets}");
        // Right after the run's header line.
        sections.insert(1, targets.trim_end().to_owned());
    }
    eprintln!("benchmarks took {:.0} s", started.elapsed().as_secs_f64());

    if let Some(path) = cli.write {
        if let Err(e) = report::splice(&path, &sections.join("\n\n")) {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
        eprintln!("wrote the results into {}", path.display());
    }
}

#[cfg(test)]
mod tests {
    //! Correctness only: the fixtures decode, and the paging server and both sides of the
    //! scale benchmark agree on every record. Nothing here depends on speed.

    use super::*;

    #[test]
    fn fixture_decodes_into_every_target() {
        let examples = fixtures::Examples::load(&xtask::workspace_root());
        decode::check(&decode::fixture(&fixtures::InvoiceFactory::new(&examples)));
    }

    #[test]
    fn paging_and_lookups_return_every_invoice() {
        let examples = fixtures::Examples::load(&xtask::workspace_root());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = server::Server::start(&examples, 250);
        let clients = requests::Clients::new(&server, &examples);
        server.set_period(250);
        assert_eq!(rt.block_on(scale::tests::list_all(&clients, true)), 250);
        assert_eq!(rt.block_on(scale::tests::list_all(&clients, false)), 250);
        let ids: Vec<String> = (0..250).map(fixtures::invoice_id).collect();
        for concurrency in [1, 4] {
            assert_eq!(
                rt.block_on(scale::tests::get_many(&clients, &ids, concurrency, true)),
                250
            );
            assert_eq!(
                rt.block_on(scale::tests::get_many(&clients, &ids, concurrency, false)),
                250
            );
        }
        // 3 windows per walk (100 + 100 + 50), 3 batches per look-up.
        assert_eq!(server.requests(), 2 * 3 + 4 * 3);
    }

    #[test]
    fn floors_send_what_the_generated_clients_send() {
        let examples = fixtures::Examples::load(&xtask::workspace_root());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = server::Server::start(&examples, 50);
        let clients = requests::Clients::new(&server, &examples);

        // Section 3: the same path, body bytes and headers (`User-Agent` and credentials
        // included), which the report states before measuring.
        server.set_documented();
        let notes = requests::same_requests(&rt, &server, &clients);
        assert_eq!(notes.len(), 3);
        for note in &notes {
            assert!(
                note.contains("the floor sent the same path, body bytes and headers"),
                "{note}"
            );
        }

        // Section 4: one list window and one look-up batch each; the same path, headers and
        // JSON body (the floor's `json!` orders the keys differently).
        server.set_period(50);
        let ids: Vec<String> = (0..50).map(fixtures::invoice_id).collect();
        let mut sent = Vec::new();
        for generated in [true, false] {
            server.record();
            assert_eq!(rt.block_on(scale::tests::list_all(&clients, generated)), 50);
            assert_eq!(
                rt.block_on(scale::tests::get_many(&clients, &ids, 1, generated)),
                50
            );
            sent.push(server.take_recorded());
        }
        let (generated, floor) = (&sent[0], &sent[1]);
        assert_eq!(generated.len(), 2, "one window, one batch");
        assert_eq!(floor.len(), 2, "one window, one batch");
        for (g, f) in generated.iter().zip(floor) {
            assert_eq!(g.path, f.path);
            assert_eq!(g.headers, f.headers, "{}", g.path);
            let json = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap();
            assert_eq!(json(&g.body), json(&f.body), "{}", g.path);
        }
    }
}
