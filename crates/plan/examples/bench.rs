//! Benchmark of the planners (driven by bench/plan/run.sh).
//!
//! `bench [--data DIR] --out DIR` solves every OR-Library instance found under DIR (pmedian/, cfl/,
//! setcover/; default: the repository's own `data/orlib`) and the synthetic province, each in a
//! child process so its peak memory is its own, exports the p-median shortest-path matrices for the
//! spopt comparison, and writes rust.json. `bench --one FORMAT FILE` (or `--one province RADIUS_KM`)
//! solves one instance and prints its JSON line.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use tongquan_plan::{
    DemandPoint, Instance, Site, SolveOptions, SolveReport, read_pmed, set_cover, solve_file,
};

const TIME_LIMIT: Duration = Duration::from_secs(120);
const PROVINCE_TOWNS: usize = 1800;
const PROVINCE_SEED: u64 = 20_261_125;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--one") => one(&args[1], &args[2]),
        _ => {
            let flag = |name: &str| {
                let k = args.iter().position(|a| a == name)?;
                let value = args
                    .get(k + 1)
                    .unwrap_or_else(|| panic!("{name} needs a value"));
                Some(PathBuf::from(value))
            };
            let data = flag("--data")
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/orlib"));
            all(&data, &flag("--out").expect("missing --out DIR"));
        }
    }
}

/// Solves one instance in this process and prints one JSON line with its peak memory.
fn one(kind: &str, arg: &str) {
    let opts = SolveOptions {
        time_limit: Some(TIME_LIMIT),
        progress: None,
    };
    let report = match kind {
        "province" => {
            let inst = province(PROVINCE_TOWNS, PROVINCE_SEED);
            let radius: f64 = arg.parse().expect("radius");
            let report = set_cover(&inst, radius, &opts).expect("province set cover");
            check_cover(&inst, radius, &report.open);
            report
        }
        format => {
            let text = std::fs::read_to_string(arg).expect("read instance");
            solve_file(format.parse().expect("format"), &text, &opts).expect("solve")
        }
    };
    let SolveReport {
        objective,
        bound,
        gap,
        optimal,
        seconds,
        nodes,
        open,
        ..
    } = report;
    let line = json!({
        "objective": objective, "bound": bound, "gap": gap, "optimal": optimal,
        "seconds": seconds, "nodes": nodes, "open": open.len(), "peak_kib": peak_kib(),
    });
    println!("{line}");
}

/// Independent check of a province plan: every town has an opened site within the radius.
fn check_cover(inst: &Instance, radius: f64, open: &[String]) {
    let open: Vec<usize> = open
        .iter()
        .map(|id| {
            id.strip_prefix('t')
                .and_then(|k| k.parse().ok())
                .expect("site id t<k>")
        })
        .collect();
    for town in 0..inst.points() {
        assert!(
            open.iter().any(|&s| inst.distance(town, s) <= radius),
            "town t{town} has no opened site within {radius} km"
        );
    }
}

fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn child(kind: &str, arg: &str) -> Value {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .args(["--one", kind, arg])
        .output()
        .expect("run child");
    assert!(
        out.status.success(),
        "{kind} {arg}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("child JSON")
}

/// Known optima: `name value` per line (header and other columns ignored).
fn optima(path: &Path) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let name = it.next()?.trim_end_matches(".txt").to_owned();
            Some((name, it.next()?.parse().ok()?))
        })
        .collect()
}

fn instances(dir: &Path, prefix: &str) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_owned();
            let digits = stem.strip_prefix(prefix)?;
            (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some((stem, p))
        })
        .collect();
    found.sort_by_key(|(name, _)| (name.len(), name.clone()));
    found
}

fn all(data: &Path, out: &Path) {
    std::fs::create_dir_all(out).expect("create out dir");
    let mut rows = Vec::new();
    let groups = [
        ("pmed", "pmedian", "pmed", "pmedopt.txt"),
        ("cap", "cfl", "cap", "capopt.txt"),
        ("scp", "setcover", "scp", "scp_optimal_verified.txt"),
    ];
    let found: usize = groups
        .iter()
        .map(|(_, folder, prefix, _)| instances(&data.join(folder), prefix).len())
        .sum();
    assert!(
        found > 0,
        "no OR-Library instances under {} (expected pmedian/, cfl/, setcover/)",
        data.display()
    );
    for (format, folder, prefix, opt_file) in groups {
        let known = optima(&data.join(folder).join(opt_file));
        for (name, path) in instances(&data.join(folder), prefix) {
            if format == "pmed" {
                export_matrix(&path, &out.join(format!("{name}.matrix")));
            }
            let mut row = child(format, path.to_str().expect("utf-8 path"));
            let optimum = known.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
            row["name"] = json!(name);
            row["format"] = json!(format);
            row["known_optimum"] = json!(optimum);
            eprintln!("{name}: {row}");
            rows.push(row);
        }
    }
    for radius in ["10", "15"] {
        let mut row = child("province", radius);
        row["name"] = json!(format!("province{PROVINCE_TOWNS}_r{radius}km"));
        row["format"] = json!("province");
        row["known_optimum"] = Value::Null;
        eprintln!("province r={radius}: {row}");
        rows.push(row);
    }
    let doc = json!({ "time_limit_s": TIME_LIMIT.as_secs(), "rows": rows });
    std::fs::write(
        out.join("rust.json"),
        serde_json::to_string_pretty(&doc).expect("JSON"),
    )
    .expect("write rust.json");
}

/// Writes `n p` then the n × n shortest-path matrix, so spopt solves exactly the same numbers.
fn export_matrix(pmed: &Path, target: &Path) {
    let text = std::fs::read_to_string(pmed).expect("read pmed");
    let (inst, p) = read_pmed(&text).expect("parse pmed");
    let n = inst.points();
    let mut s = format!("{n} {p}\n");
    for i in 0..n {
        let row: Vec<String> = (0..n).map(|j| inst.distance(i, j).to_string()).collect();
        s.push_str(&row.join(" "));
        s.push('\n');
    }
    std::fs::write(target, s).expect("write matrix");
}

/// A synthetic province: towns in a 400 km × 300 km box, most clustered around 40 county seats.
/// Every town is also a candidate site. Fixed seed: the same towns every run.
fn province(towns: usize, seed: u64) -> Instance {
    let mut rng = SplitMix(seed);
    let (lat0, lon0) = (35.8, 115.4);
    let km_lat = 111.2;
    let km_lon = 111.32 * (lat0 + 1.35f64).to_radians().cos();
    let seats: Vec<(f64, f64)> = (0..40)
        .map(|_| (rng.unit() * 300.0, rng.unit() * 400.0))
        .collect();
    let points: Vec<DemandPoint> = (0..towns)
        .map(|k| {
            let (y, x) = if rng.unit() < 0.7 {
                let (sy, sx) = seats[(rng.unit() * seats.len() as f64) as usize % seats.len()];
                (sy + 15.0 * rng.normal(), sx + 15.0 * rng.normal())
            } else {
                (rng.unit() * 300.0, rng.unit() * 400.0)
            };
            let at = (
                lat0 + y.clamp(0.0, 300.0) / km_lat,
                lon0 + x.clamp(0.0, 400.0) / km_lon,
            );
            DemandPoint {
                id: format!("t{k}"),
                at: Some(at),
                weight: 1.0 + (rng.unit() * 50.0).floor(),
            }
        })
        .collect();
    let sites: Vec<Site> = points
        .iter()
        .map(|p| Site {
            id: p.id.clone(),
            at: p.at,
            keep: false,
        })
        .collect();
    Instance::from_coordinates(&points, &sites).expect("province instance")
}

/// SplitMix64: a tiny fixed-seed generator, so the benchmark needs no extra crate.
struct SplitMix(u64);

impl SplitMix {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal by Box–Muller.
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-12), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}
