//! Case benchmarks, on one database (SQLite by default, or `--database postgres://…`, which must
//! be empty), at the durable settings the product runs with:
//!
//! 1. the queue page (HTML `/cases` and JSON `/api/v1/cases`) p50/p99 with `--cases` approval
//!    cases made by the demo generator (default 1,000,000), for a branch clerk, a county bureau
//!    and the city administrator;
//! 2. then, on that database, submissions per second through `Store::submit_case` (routing,
//!    calendar, case, event and audit entry in one transaction) against the raw rate of
//!    single-row inserts into a table shaped like `cases`, at the same durability and the same
//!    concurrency.
//!
//! Run: `cargo run --release -p tongquan --example cases_bench -- [--database URL] [--cases N]`
//! (bench/cases/run.sh runs both backends and keeps the output).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use tongquan_domain::access::Actor;
use tongquan_domain::codes::Username;
use tongquan_store::cases::NewCase;
use tongquan_store::seed::{self, cases::Volume};
use tongquan_store::{Backend, Store};
use tongquan_web::{AppState, WebConfig};
use tower::ServiceExt;

/// Submissions are stamped with this day so that every deadline lies inside the calendar.
const TODAY: &str = "2026-06-01";
const WORKERS: usize = 4;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let b = ProgressBar::new(len);
    b.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} {elapsed}").expect("template"),
    );
    b.set_message(what.to_owned());
    b
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cases: usize = arg("--cases").map_or(Ok(1_000_000), |n| n.parse())?;
    let submissions: usize = arg("--submissions").map_or(Ok(2_000), |n| n.parse())?;
    let dir = tempfile::tempdir()?;
    let url = arg("--database")
        .unwrap_or_else(|| tongquan_store::sqlite_url(&dir.path().join("bench.db")));
    let store = Store::open(&url).await?;
    println!(
        "backend: {:?}; cpu: {}; {} cores",
        store.backend(),
        std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(
                |c| c.lines().find(|l| l.starts_with("model name")).map(|l| l
                    .split(':')
                    .nth(1)
                    .unwrap_or("")
                    .trim()
                    .to_owned())
            )
            .unwrap_or_default(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    seed::load_reference(&store).await?;
    seed::load_demo_accounts(&store).await?;
    let b = bar(0, "demo catalog");
    seed::catalog::load_demo_catalog(&store, &|phase, done, total| {
        b.set_length(total as u64);
        b.set_position(done as u64);
        b.set_message(phase.to_owned());
    })
    .await?;
    b.finish_and_clear();

    let b = bar(cases as u64, "cases");
    let started = Instant::now();
    let volume = Volume {
        approvals: cases,
        services: 0,
        seed: 1,
        from: "2022-01-01".parse()?,
        today: "2026-11-25".parse()?,
    };
    seed::cases::generate(&store, volume, &|_, done, _| b.set_position(done as u64)).await?;
    b.finish_and_clear();
    println!(
        "generated {cases} cases in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    if store.backend() == Backend::Postgres {
        sqlx_analyze(&store).await?;
    }
    queue_latency(&store).await?;
    submission_rate(&store, submissions).await?;
    Ok(())
}

/// PostgreSQL plans with statistics; a freshly filled table has none until autovacuum runs.
async fn sqlx_analyze(store: &Store) -> Result<(), Box<dyn std::error::Error>> {
    store.execute_raw("ANALYZE").await?;
    Ok(())
}

async fn submission_rate(store: &Store, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let today: NaiveDate = TODAY.parse()?;
    // Applications for the first branch's delegated items, from the towns it serves.
    let (item, town) = tongquan_store::testing::delegated_item(store, "371481B01").await;
    let run = |label: &'static str,
               job: Arc<dyn Fn(usize) -> futures_like::BoxFut + Send + Sync>| async move {
        let b = bar(n as u64, label);
        let started = Instant::now();
        let mut handles = Vec::new();
        for w in 0..WORKERS {
            let job = job.clone();
            let b = b.clone();
            handles.push(tokio::spawn(async move {
                for i in (w..n).step_by(WORKERS) {
                    job(i).await;
                    b.inc(1);
                }
            }));
        }
        for h in handles {
            h.await.expect("worker");
        }
        b.finish_and_clear();
        n as f64 / started.elapsed().as_secs_f64()
    };
    let s = store.clone();
    let town = town.to_string();
    let submit = run(
        "submissions",
        Arc::new(move |_| {
            let s = s.clone();
            let town = town.clone();
            Box::pin(async move {
                let new = NewCase::parse(
                    item,
                    &town,
                    "person",
                    "11010519491231002X",
                    "压测",
                    "13805340000",
                    "online",
                    vec!["申请书".into(), "营业执照".into()],
                )
                .expect("valid");
                s.submit_case(&Actor::Anonymous, new, today)
                    .await
                    .expect("submitted");
            })
        }),
    )
    .await;
    store
        .execute_raw("CREATE TABLE bench_raw AS SELECT * FROM cases WHERE 1 = 0")
        .await?;
    let s = store.clone();
    let raw = run(
        "raw inserts",
        Arc::new(move |i| {
            let s = s.clone();
            Box::pin(async move { s.bench_raw_insert(i as i64).await.expect("inserted") })
        }),
    )
    .await;
    println!(
        "submissions: {submit:.0}/s; raw single-row inserts: {raw:.0}/s; ratio {:.2} ({n} each, {WORKERS} concurrent clients)",
        submit / raw
    );
    Ok(())
}

async fn queue_latency(store: &Store) -> Result<(), Box<dyn std::error::Error>> {
    let store = store
        .clone()
        .with_clock(tongquan_domain::clock::Clock::pinned("2026-11-25".parse()?));
    let app = tongquan_web::router(AppState::new(store.clone(), WebConfig::default()));
    for user in ["ll.branch1", "ll.bureau", "city.admin"] {
        let account = store
            .account_by_username(&Actor::System("bench"), &Username::parse("u", user)?)
            .await?;
        let token = store
            .create_api_token(&Actor::System("bench"), account.id, "bench")
            .await?;
        for path in [
            "/cases",
            "/api/v1/cases?open=true",
            "/cases?open=false&page=3",
            "/api/v1/cases?state=concluded&page=2",
        ] {
            let mut times = Vec::new();
            for _ in 0..200 {
                let req = Request::get(path)
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())?;
                let started = Instant::now();
                let res = app.clone().oneshot(req).await?;
                let status = res.status();
                let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
                times.push(started.elapsed());
                assert_eq!(status, StatusCode::OK, "{user} {path}");
            }
            times.sort();
            println!(
                "queue {user:<11} {path:<40} p50 {:>6.1} ms  p99 {:>6.1} ms",
                quantile(&times, 0.5),
                quantile(&times, 0.99)
            );
        }
    }
    Ok(())
}

mod futures_like {
    pub type BoxFut = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;
}
