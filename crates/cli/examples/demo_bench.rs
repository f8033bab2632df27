//! How long a first `tongquan demo` takes, stage by stage, on one database (a new SQLite file by
//! default, or `--database postgres://…`, which must be empty): reference data, demo accounts,
//! then `seed::demo::generate` at the reform's volume with the clock pinned (`--today`, default
//! 2026-12-07), opened as `demo` opens it (commits not waited onto the disk while generating).
//!
//! Run: `cargo run --release -p tongquan --example demo_bench -- [--database URL] [--today D]`
//! (bench/demo/run.sh runs both backends and keeps the output).

use std::time::Instant;

use tongquan_domain::clock::Clock;
use tongquan_store::seed::{self, demo::DemoVolume};
use tongquan_store::{Durability, Store};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let today = arg("--today").unwrap_or_else(|| "2026-12-07".into());
    let dir = tempfile::tempdir()?;
    let url = arg("--database")
        .unwrap_or_else(|| tongquan_store::sqlite_url(&dir.path().join("tongquan.db")));
    let started = Instant::now();
    let store = Store::open_with(&url, Durability::BulkLoad)
        .await?
        .with_clock(Clock::pinned(today.parse()?));
    seed::load_reference(&store).await?;
    seed::load_demo_accounts(&store).await?;
    let setup = started.elapsed().as_secs_f64();
    let bar = indicatif::ProgressBar::new(0);
    let progress = |phase: &str, done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(phase.to_owned());
    };
    let report = seed::demo::generate(
        &store,
        DemoVolume {
            approvals: 87_000,
            services: 426_000,
            today: store.clock().today(),
        },
        &progress,
    )
    .await?;
    bar.finish_and_clear();
    println!(
        "backend {:?}, today {today}, {} cores",
        store.backend(),
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!("{:<22} {:>7.1} s", "reference, accounts", setup);
    for (stage, seconds) in &report.stages {
        println!("{stage:<22} {seconds:>7.1} s");
    }
    println!("{:<22} {:>7.1} s", "total", started.elapsed().as_secs_f64());
    Ok(())
}
