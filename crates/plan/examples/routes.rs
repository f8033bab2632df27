//! Solomon benchmark of the routing core (driven by bench/routes/run.sh).
//!
//! `routes [--data DIR] [--time-limit S] [--threads N] [NAME…]` solves each Solomon instance of DIR
//! (default: the repository's `data/vrptw/solomon`), or only those named, checks the answer with
//! the independent checker and prints one JSON line per instance: cost, optimum, gap, seconds.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use tongquan_plan::{RoutesOptions, read_solomon, read_solomon_solution, solve_routes};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/vrptw/solomon");
    let mut limit = 10.0;
    let mut threads = 2;
    let mut names = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| panic!("{a} needs a value"))
                .clone()
        };
        match a.as_str() {
            "--data" => data = PathBuf::from(value()),
            "--time-limit" => limit = value().parse().expect("seconds"),
            "--threads" => threads = value().parse().expect("a count"),
            _ => names.push(a.clone()),
        }
    }
    if names.is_empty() {
        let mut all: Vec<String> = std::fs::read_dir(&data)
            .expect("the data folder")
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.strip_suffix(".vrp").map(str::to_owned)
            })
            .collect();
        all.sort();
        names = all;
    }
    for name in names {
        let read = |ext: &str| {
            std::fs::read_to_string(data.join(format!("{name}.{ext}")))
                .unwrap_or_else(|e| panic!("{name}.{ext}: {e}"))
        };
        let inst = read_solomon(&read("vrp")).expect("a valid instance");
        let optimum = read_solomon_solution(&read("sol"))
            .expect("a valid solution")
            .cost;
        let opts = RoutesOptions {
            time_limit: Some(Duration::from_secs_f64(limit)),
            threads,
            ..RoutesOptions::default()
        };
        let sol = solve_routes(&inst.problem(), &opts).expect("solves");
        let check = inst.check(&sol.routes);
        let cost = sol.cost as f64 / 10.0;
        println!(
            "{}",
            json!({
                "instance": name,
                "optimum": optimum,
                "cost": cost,
                "checked_cost": check.cost,
                "feasible": check.feasible && (check.cost - cost).abs() < 1e-6,
                "violations": check.violations,
                "gap": 100.0 * (cost - optimum) / optimum,
                "seconds": sol.seconds,
                "vehicles": sol.vehicles,
                "iterations": sol.iterations,
                "routes": sol.routes,
            })
        );
    }
}
