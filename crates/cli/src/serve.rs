//! `serve` and `demo`.

use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::net::TcpListener;
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
    let store = config.open().await?;
    let created = seed::load_demo_accounts(&store).await?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"),
    );
    let progress = |phase: &str, done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(phase.to_owned());
    };
    let catalog = seed::catalog::load_demo_catalog(&store, &progress).await?;
    let today = store.clock().today();
    let started = std::time::Instant::now();
    let volume = seed::cases::Volume {
        approvals: cases,
        services,
        ..seed::cases::Volume::demo(today)
    };
    let cases = seed::cases::generate(&store, volume, &progress).await?;
    // About 300 bundles with the reform's volume: 25 per county.
    let bundles = seed::bundles::generate(
        &store,
        (volume.approvals / 3_480).max(1),
        volume.from,
        today,
        volume.seed,
        &progress,
    )
    .await?;
    let enforcement = seed::enforcement::generate(
        &store,
        seed::enforcement::Volume::demo(today),
        None,
        &progress,
    )
    .await?;
    bar.finish_and_clear();
    println!("tongquan {} — demo", env!("CARGO_PKG_VERSION"));
    println!("  database: {}", config.describe());
    let geography = store
        .counties(tongquan_store::PageRequest::default())
        .await?
        .total;
    println!(
        "  data:     {geography} counties of Dezhou with their towns, offices and departments"
    );
    if catalog.counties > 0 {
        println!("  catalog:  {catalog}");
    } else {
        println!("  catalog:  reusing the existing demo catalog");
    }
    match cases {
        Some(c) => println!(
            "  cases:    {} approval cases ({} steps, {} tasks) and {} convenience services generated in {:.0} s",
            c.approvals,
            c.events,
            c.tasks,
            c.services,
            started.elapsed().as_secs_f64()
        ),
        None => println!("  cases:    reusing the existing demo cases"),
    }
    if let Some(b) = bundles {
        println!(
            "  bundles:  {} templates, {} bundle applications with {} parallel sub-cases",
            b.templates, b.bundles, b.sub_cases
        );
    }
    if let Some(e) = enforcement {
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
    tokio::spawn(escalate_hazards(store.clone()));
    let app = tongquan_web::router(AppState::new(
        store.clone(),
        WebConfig {
            secure_cookies: config.secure_cookies,
        },
    ));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Overdue hazards go up to their county department: at start, then every hour.
async fn escalate_hazards(store: tongquan_store::Store) {
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
