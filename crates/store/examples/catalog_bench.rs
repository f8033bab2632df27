//! Latency of catalog search and of "where can I do this" with the demo catalog of the whole city
//! (13,832 items, 135 towns, 56,558 delegations), on SQLite and on PostgreSQL.
//!
//! usage: catalog_bench [sqlite|postgres|both] [QUERIES]
//!
//! Each backend gets a fresh database (PostgreSQL: a new database on `TONGQUAN_TEST_PG`, default
//! postgres://postgres@127.0.0.1:5432/test, dropped afterwards). Queries are drawn from a fixed
//! seed: search for 2-4 characters of a random item's name (or the start of its base code) in its
//! county, and in the whole city, a page of 20; and where_to_apply for a random item and a random
//! town of the item's county. Prints one Markdown table row per backend and query kind to stdout.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use tongquan_domain::codes::{CountyCode, TownCode};
use tongquan_store::catalog::{ItemFilter, ItemSummary};
use tongquan_store::seed::catalog::load_demo_catalog;
use tongquan_store::testing::TestDb;
use tongquan_store::{Backend, PageRequest, Store};

/// SplitMix64: a fixed-seed generator, so every run asks the same queries.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).expect("a date")
}

/// A search a citizen might type: a few characters of an item's name, or part of its code; in
/// the item's county or, with `city`, in the whole city.
fn search_for(rng: &mut Rng, item: &ItemSummary, city: bool) -> ItemFilter {
    let q = if rng.below(4) == 0 {
        let code = item.base_code.as_str();
        let len = (4 + rng.below(5)).min(code.len());
        code[..len].to_owned()
    } else {
        let chars: Vec<char> = item.name.chars().collect();
        let len = (2 + rng.below(3)).min(chars.len());
        let start = rng.below(chars.len() - len + 1);
        chars[start..start + len].iter().collect()
    };
    ItemFilter {
        county: (!city).then(|| item.county_code.clone()),
        q: Some(q),
        ..ItemFilter::on(on())
    }
}

/// (p50, p95, p99, max) in ms.
fn percentiles(mut times: Vec<Duration>) -> [f64; 4] {
    times.sort_unstable();
    let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    [at(50), at(95), at(99), *times.last().expect("timed")].map(|d| d.as_secs_f64() * 1e3)
}

/// Times `n` calls of `query` after a short warm-up, with a progress line on stderr.
async fn timed<F, Fut>(label: &str, n: usize, mut query: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    for _ in 0..n / 20 {
        query().await;
    }
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        query().await;
        times.push(t.elapsed());
        if i % 100 == 99 {
            eprint!("\r{label}: {}/{n}   ", i + 1);
        }
    }
    eprintln!();
    times
}

async fn all_items(store: &Store) -> Vec<ItemSummary> {
    let mut items = Vec::new();
    for page in 1.. {
        let got = store
            .items(
                &ItemFilter::on(on()),
                PageRequest {
                    page,
                    per_page: 500,
                },
            )
            .await
            .expect("items list");
        items.extend(got.items);
        if items.len() as i64 >= got.total {
            return items;
        }
    }
    unreachable!("pages run out")
}

async fn bench(backend: Backend, n: usize) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let name = format!("{backend:?}");
    let store = &db.store;
    let t = Instant::now();
    let loaded = load_demo_catalog(store, &|phase, done, total| {
        eprint!("\r{name} load: {phase} {done}/{total}          ");
    })
    .await
    .expect("demo catalog loads");
    eprintln!();
    let load_s = t.elapsed().as_secs_f64();
    eprintln!("{name}: {loaded} in {load_s:.1} s");
    if backend == Backend::Postgres {
        // Autovacuum analyses the new rows within a minute or so of a load; without statistics
        // the planner guesses 10 rows where there are 13,832 and nests loops over them.
        db.exec("ANALYZE").await;
    }

    let items = all_items(store).await;
    let towns = store.all_towns(None).await.expect("towns");
    let mut by_county: HashMap<CountyCode, Vec<TownCode>> = HashMap::new();
    for t in &towns {
        by_county
            .entry(t.county_code.clone())
            .or_default()
            .push(t.code.clone());
    }

    let mut rng = Rng(0x7107_9a11);
    let mut rows = Vec::new();
    for (what, city) in [("search in a county", false), ("search in the city", true)] {
        let times = timed(&format!("{name} {what}"), n, || {
            let item = &items[rng.below(items.len())];
            let filter = search_for(&mut rng, item, city);
            async move {
                let page = store
                    .items(
                        &filter,
                        PageRequest {
                            page: 1,
                            per_page: 20,
                        },
                    )
                    .await
                    .expect("search");
                assert!(page.total > 0, "the item searched for is found");
            }
        })
        .await;
        rows.push((what, times));
    }
    let times = timed(&format!("{name} where_to_apply"), n, || {
        let item = &items[rng.below(items.len())];
        let county_towns = &by_county[&item.county_code];
        let town = county_towns[rng.below(county_towns.len())].clone();
        let id = item.id;
        async move {
            store
                .where_to_apply(id, &town, on())
                .await
                .expect("where to apply");
        }
    })
    .await;
    rows.push(("where_to_apply", times));
    for (what, times) in rows {
        let [p50, p95, p99, max] = percentiles(times);
        println!(
            "| {name} | {what} | {} | {} | {load_s:.1} | {n} | {p50:.2} | {p95:.2} | {p99:.2} | {max:.2} |",
            items.len(),
            towns.len(),
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backends = match args.first().map(String::as_str) {
        None | Some("both") => vec![Backend::Sqlite, Backend::Postgres],
        Some("sqlite") => vec![Backend::Sqlite],
        Some("postgres") => vec![Backend::Postgres],
        Some(other) => panic!("unknown backend {other:?}: sqlite, postgres or both"),
    };
    let n: usize = args
        .get(1)
        .map_or(Ok(2000), |s| s.parse())
        .expect("QUERIES is a number");
    println!(
        "| backend | query | items | towns | load (s) | queries | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for backend in backends {
        bench(backend, n).await;
    }
}
