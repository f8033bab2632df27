//! Solomon benchmark of the routing core (driven by bench/routes/run.sh).
//!
//! `routes [--data DIR] [--time-limit S] [--threads N] [--seed K] [--label L] [NAME…]` solves each Solomon instance of DIR
//! (default: the repository's `data/vrptw/solomon`), or only those named, checks the answer with
//! the independent checker and prints one JSON line per instance: cost, optimum, gap, seconds.
//! `routes [--data DIR] --check FILE` re-checks other engines' answers (JSON lines with `instance`
//! and `routes`) with the same checker and prints one JSON line per answer.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use tongquan_plan::{RoutesOptions, read_solomon, read_solomon_solution, solve_routes};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/vrptw/solomon");
    let mut limit = 10.0;
    let mut threads = 2;
    let mut seed = 1;
    let mut names = Vec::new();
    let mut check = None;
    let mut label = "ours".to_owned();
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
            "--check" => check = Some(PathBuf::from(value())),
            "--label" => label = value(),
            "--seed" => seed = value().parse().expect("a whole number"),
            _ => names.push(a.clone()),
        }
    }
    if let Some(answers) = check {
        check_answers(&data, &answers);
        return;
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
            seed,
            ..RoutesOptions::default()
        };
        let sol = solve_routes(&inst.problem(), &opts).expect("solves");
        let check = inst.check(&sol.routes);
        let cost = sol.cost as f64 / 10.0;
        println!(
            "{}",
            json!({
                "instance": name,
                "engine": label,
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

fn check_answers(data: &Path, answers: &Path) {
    let text = std::fs::read_to_string(answers).expect("the answers file");
    for line in text.lines().filter(|l| l.starts_with('{')) {
        let answer: Value = serde_json::from_str(line).expect("a JSON line");
        let name = answer["instance"].as_str().expect("an instance name");
        let routes: Vec<Vec<usize>> =
            serde_json::from_value(answer["routes"].clone()).expect("routes of client numbers");
        let text = std::fs::read_to_string(data.join(format!("{name}.vrp"))).expect("instance");
        let check = read_solomon(&text)
            .expect("a valid instance")
            .check(&routes);
        println!(
            "{}",
            json!({
                "instance": name,
                "engine": answer["engine"],
                "checked_cost": check.cost,
                "feasible": check.feasible,
                "vehicles": check.vehicles,
                "violations": check.violations,
            })
        );
    }
}
