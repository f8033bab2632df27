//! `plan solve` (OR-Library instances), `plan routes` (VRPTW instances) and `plan coverage`
//! (branches for Dezhou).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use tongquan_domain::codes::CountyCode;
use tongquan_plan::{
    CoverageParams, InstanceFormat, PlanError, Progress, RoutesOptions, Scenario, SolveOptions,
    read_solomon, solve_file, solve_routes,
};
use tongquan_web::i18n::Lang;
use tongquan_web::planning::{self, DEFAULT_CASES_PER_TOWN, PlanningError};

use crate::config::{self, Location};
use crate::{Failure, Result};

#[derive(Subcommand)]
pub enum PlanCommand {
    /// Solve an OR-Library instance and print one JSON object (objective, bound, gap, optimal, seconds…).
    Solve {
        /// pmed, cap or scp.
        #[arg(long)]
        format: String,
        file: PathBuf,
        /// Stop after this many seconds with the best plan and its honest gap.
        #[arg(long)]
        time_limit: Option<f64>,
    },
    /// Route vehicles through clients with time windows (VRPTW) and print one JSON object (routes,
    /// cost, seconds, vehicles, feasible).
    Routes {
        /// solomon (VRPLIB .vrp with time windows; distances truncated to one decimal).
        #[arg(long)]
        format: String,
        file: PathBuf,
        /// Seconds of search; the best routes found by then are printed.
        #[arg(long, default_value_t = 10.0)]
        time_limit: f64,
        /// Searches run side by side (default: the machine's cores).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Propose approval branches so that every town is within the radius of an office.
    Coverage {
        #[command(flatten)]
        at: Location,
        /// One county (code), or `--city` for all of them.
        #[arg(long, conflicts_with = "city", required_unless_present = "city")]
        county: Option<String>,
        #[arg(long)]
        city: bool,
        /// km from a town to its office.
        #[arg(long, default_value_t = 10.0)]
        radius: f64,
        /// Whole towns per branch, e.g. 2..5.
        #[arg(long)]
        capacity: Option<String>,
        /// Keep today's branches open.
        #[arg(long)]
        keep_existing: bool,
        /// Approval cases per town per year, to weigh the km saved.
        #[arg(long, default_value_t = DEFAULT_CASES_PER_TOWN)]
        cases_per_town: f64,
        /// Write coverage.json, coverage-towns.csv, coverage.xlsx and coverage.svg here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

impl From<PlanError> for Failure {
    fn from(e: PlanError) -> Self {
        Failure(format!(
            "{} / {} [{}]",
            e.message_zh(),
            e.message_en(),
            e.code()
        ))
    }
}

impl From<PlanningError> for Failure {
    fn from(e: PlanningError) -> Self {
        match e {
            PlanningError::Store(e) => e.into(),
            PlanningError::Plan(e) => e.into(),
        }
    }
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}").expect("valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

pub async fn run(file: Option<&Path>, command: PlanCommand) -> Result<ExitCode> {
    match command {
        PlanCommand::Solve {
            format,
            file,
            time_limit,
        } => solve(&format, &file, time_limit),
        PlanCommand::Routes {
            format,
            file,
            time_limit,
            threads,
        } => routes(&format, &file, time_limit, threads),
        PlanCommand::Coverage {
            at,
            county,
            city: _,
            radius,
            capacity,
            keep_existing,
            cases_per_town,
            out,
        } => {
            let store = config::load(file, &at, None)?.open().await?;
            let county = county
                .map(|c| CountyCode::parse("county", &c))
                .transpose()?;
            let params = CoverageParams {
                radius_km: radius,
                capacity: planning::parse_capacity(capacity.as_deref().unwrap_or(""))?,
                keep_existing,
            };
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}").expect("valid template"),
            );
            let on_county = |done: usize, total: usize, name: &str| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                bar.set_message(name.to_owned());
            };
            let report =
                planning::run(&store, county.as_ref(), &params, cases_per_town, &on_county).await?;
            bar.finish_and_clear();
            for lang in [Lang::Zh, Lang::En] {
                for (i, line) in planning::answers(&report, lang).iter().enumerate() {
                    println!("{}. {line}", i + 1);
                }
                println!();
            }
            println!(
                "{:<10} {:>8} {:>10} {:>10} {:>8} {:>8} {:>14}",
                "scenario", "branches", ">10 km", ">15 km", "mean", "max", "km saved/yr"
            );
            for s in [Scenario::Halls, Scenario::Today, Scenario::Proposal] {
                let f = report.figures(s);
                println!(
                    "{:<10} {:>8} {:>10} {:>10} {:>8.1} {:>8.1} {:>14.0}",
                    format!("{s:?}").to_lowercase(),
                    f.branches,
                    format!("{} {:.0}%", f.beyond_10, 100.0 * f.share_beyond_10),
                    format!("{} {:.0}%", f.beyond_15, 100.0 * f.share_beyond_15),
                    f.mean_km,
                    f.max_km,
                    f.km_saved_per_year
                );
            }
            if let Some(dir) = out {
                write_outputs(&store, county.as_ref(), &report, &dir).await?;
                println!(
                    "\nwrote coverage.json, coverage-towns.csv, coverage.xlsx and coverage.svg to {}",
                    dir.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn solve(format: &str, file: &Path, time_limit: Option<f64>) -> Result<ExitCode> {
    let format: InstanceFormat = format.parse()?;
    let text =
        std::fs::read_to_string(file).map_err(|e| Failure(format!("{}: {e}", file.display())))?;
    if let Some(t) = time_limit
        && !(t.is_finite() && t >= 0.0)
    {
        return Err(Failure(
            "--time-limit: 时限须为非负秒数 / must be a non-negative number of seconds".into(),
        ));
    }
    let bar = spinner();
    let progress = |p: &Progress| {
        bar.set_message(format!(
            "{} objective {:.4} bound {:.4} nodes {}",
            p.phase, p.objective, p.bound, p.nodes
        ));
    };
    let opts = SolveOptions {
        time_limit: time_limit.map(Duration::from_secs_f64),
        progress: Some(&progress),
    };
    let report = solve_file(format, &text, &opts);
    bar.finish_and_clear();
    let report = report?;
    println!(
        "{}",
        serde_json::to_string_pretty(&report).expect("reports serialise")
    );
    Ok(ExitCode::SUCCESS)
}

fn routes(format: &str, file: &Path, time_limit: f64, threads: Option<usize>) -> Result<ExitCode> {
    if format != "solomon" {
        return Err(Failure(format!(
            "--format: 未知格式“{format}”，可选 solomon / unknown format {format:?}; one of solomon"
        )));
    }
    if !(time_limit.is_finite() && time_limit >= 0.0) {
        return Err(Failure(
            "--time-limit: 时限须为非负秒数 / must be a non-negative number of seconds".into(),
        ));
    }
    let text =
        std::fs::read_to_string(file).map_err(|e| Failure(format!("{}: {e}", file.display())))?;
    let instance = read_solomon(&text)?;
    let bar = spinner();
    // The Solomon model counts in tenths (distances truncated to one decimal).
    let progress = |p: &Progress| {
        bar.set_message(format!(
            "{} best {:.1} iterations {}",
            p.phase,
            p.objective / 10.0,
            p.nodes
        ));
    };
    let opts = RoutesOptions {
        time_limit: Some(Duration::from_secs_f64(time_limit)),
        threads: threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        }),
        progress: Some(&progress),
        ..RoutesOptions::default()
    };
    let solution = solve_routes(&instance.problem(), &opts);
    bar.finish_and_clear();
    let solution = solution?;
    let check = instance.check(&solution.routes);
    let report = serde_json::json!({
        "routes": solution.routes,
        "cost": solution.cost as f64 / 10.0,
        "seconds": solution.seconds,
        "vehicles": solution.vehicles,
        "feasible": check.feasible,
        "violations": check.violations,
        "iterations": solution.iterations,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&report).expect("reports serialise")
    );
    Ok(ExitCode::SUCCESS)
}

async fn write_outputs(
    store: &tongquan_store::Store,
    county: Option<&CountyCode>,
    report: &tongquan_plan::CoverageReport,
    dir: &Path,
) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("coverage.json"),
        serde_json::to_string_pretty(report).expect("reports serialise"),
    )?;
    let tables = planning::tables(report);
    let towns = tables
        .iter()
        .find(|t| t.name == "towns")
        .expect("a towns table");
    std::fs::write(dir.join("coverage-towns.csv"), towns.to_csv())?;
    let xlsx = tongquan_web::export::xlsx(&tables).map_err(|e| Failure(format!("xlsx: {e}")))?;
    std::fs::write(dir.join("coverage.xlsx"), xlsx)?;
    let svg = planning::map(store, county, report, Lang::Zh).await?;
    std::fs::write(
        dir.join("coverage.svg"),
        tongquan_web::map::standalone(&svg.svg),
    )?;
    Ok(())
}
