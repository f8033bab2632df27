//! `serve` and `demo`.

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::net::TcpListener;
use tongquan_store::Durability;
use tongquan_store::seed::{self, DEMO_ACCOUNTS, DEMO_PASSWORD};
use tongquan_web::{AppState, WebConfig};

use crate::Result;
use crate::config::Config;

pub async fn demo(config: Config, fresh: bool, cases: usize, services: usize) -> Result<ExitCode> {
    if config.database.is_some() {
        return Err(
            "demo runs on the embedded database; use `serve --database` for a server"
                .to_owned()
                .into(),
        );
    }
    if fresh {
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{}{suffix}", config.sqlite_path().display());
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("{path}: {e}").into()),
            }
        }
    }
    // A new database is generated without waiting for each commit to reach the disk; it is
    // reopened with full durability before serving.
    let store = config.open_with(Durability::BulkLoad).await?;
    let created = seed::load_demo_accounts(&store).await?;
    let today = store.clock().today();
    let bars = StageBars::default();
    let progress = |phase: &str, done: usize, total: usize| bars.show(phase, done, total);
    let report = seed::demo::generate(
        &store,
        seed::demo::DemoVolume {
            approvals: cases,
            services,
            today,
        },
        &progress,
    )
    .await?;
    bars.finish();
    store.close().await;
    let store = config.open().await?;
    println!("tongquan {} — demo", env!("CARGO_PKG_VERSION"));
    println!("  database: {}", config.describe());
    println!("  today:    {today} (Beijing time)");
    let geography = store
        .counties(tongquan_store::PageRequest::default())
        .await?
        .total;
    println!(
        "  data:     {geography} counties of Dezhou with their towns, offices and departments"
    );
    match &report.catalog {
        Some(catalog) => println!("  catalog:  {catalog}"),
        None => println!("  catalog:  reusing the existing demo catalog"),
    }
    match report.cases {
        Some(c) => println!(
            "  cases:    {} approval cases ({} steps, {} tasks) and {} convenience services",
            c.approvals, c.events, c.tasks, c.services,
        ),
        None => println!("  cases:    reusing the existing demo cases"),
    }
    if let Some(b) = &report.bundles {
        println!(
            "  bundles:  {} templates, {} bundle applications with {} parallel sub-cases",
            b.templates, b.bundles, b.sub_cases
        );
    }
    if let Some(e) = &report.enforcement {
        println!(
            "  enforcement: {} officers, {} objects; {} separate visits last year, {} joint visits this year; {} hazards, {} leads, {} draws, {} penalty cases",
            e.officers,
            e.objects,
            e.visits_before,
            e.visits_after,
            e.hazards,
            e.leads,
            e.draws,
            e.penalty_cases
        );
    }
    let stages: Vec<String> = report
        .stages
        .iter()
        .map(|(stage, s)| format!("{stage} {s:.1} s"))
        .collect();
    println!(
        "  ready in {:.1} s: {}",
        report.seconds(),
        stages.join(", ")
    );
    println!("  accounts: {created} created; every demo account's password is {DEMO_PASSWORD}");
    for (username, name, role, jurisdiction) in DEMO_ACCOUNTS {
        println!(
            "    {username:<12} {:<17} {jurisdiction:<11} {name}",
            role.slug()
        );
    }
    run(store, &config).await
}

pub async fn serve(config: Config) -> Result<ExitCode> {
    let store = config.open().await?;
    println!(
        "tongquan {} — database: {}",
        env!("CARGO_PKG_VERSION"),
        config.describe()
    );
    run(store, &config).await
}

async fn run(store: tongquan_store::Store, config: &Config) -> Result<ExitCode> {
    let listener = TcpListener::bind(&config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr()?;
    println!("  serving:  http://{addr}");
    tokio::spawn(hourly(store.clone()));
    let app = tongquan_web::router(AppState::new(
        store.clone(),
        WebConfig {
            secure_cookies: config.secure_cookies,
        },
    ));
    tongquan_web::serve(listener, app, shutdown()).await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Work that falls due with the date, at start and then every hour: overdue hazards go up to
/// their county department, and cases whose office lost its power under a batch that transfers
/// them move to the county body.
async fn hourly(store: tongquan_store::Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3_600));
    loop {
        tick.tick().await;
        let today = store.clock().today();
        match store
            .escalate_overdue_hazards(&tongquan_domain::access::Actor::System("escalation"), today)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "overdue hazards escalated"),
            Err(e) => tracing::warn!(error = %e, "hazard escalation failed"),
        }
        match store.transfer_cases(today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(n, "cases transferred after their power ended"),
            Err(e) => tracing::warn!(error = %e, "case transfer failed"),
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}

/// One progress bar per generation stage: a stage's bar stays on the terminal, finished, when
/// the next begins. Nothing is drawn when the output is not a terminal.
#[derive(Default)]
struct StageBars(std::sync::Mutex<Option<(String, ProgressBar)>>);

impl StageBars {
    fn show(&self, phase: &str, done: usize, total: usize) {
        let mut current = self.0.lock().expect("not poisoned");
        if current.as_ref().is_none_or(|(p, _)| p != phase) {
            if let Some((_, bar)) = current.take() {
                bar.finish();
            }
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{elapsed:>4} {bar:30} {pos}/{len} {msg}")
                    .expect("valid template"),
            );
            bar.set_message(phase.to_owned());
            *current = Some((phase.to_owned(), bar));
        }
        if let Some((_, bar)) = current.as_ref() {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    }

    fn finish(&self) {
        if let Some((_, bar)) = self.0.lock().expect("not poisoned").take() {
            bar.finish();
        }
    }
}
