//! Pure planners: where branch offices should stand (service coverage), which objects and officers a
//! random inspection draws (verifiable, commit–reveal), how a year's inspections merge into joint
//! visits and how vehicles route through clients with time windows (VRPTW), each with proof of how
//! good or how honest the answer is. For coverage, every answer carries a proven bound and its gap;
//! `optimal` is true only when the bound meets the objective (exactly for integer data, within a
//! relative 1e-6 otherwise).
//!
//! No I/O beyond parsing text handed in, no printing: progress goes to an optional callback.

mod bnb;
mod branchcut;
mod capacitated;
mod coverage;
mod draw;
mod error;
mod flow;
mod joint;
mod localsearch;
mod mclp;
mod model;
mod orlib;
mod pcenter;
mod pmedian;
mod routes;
mod setcover;
mod simplex;
mod zerohalf;

use std::time::{Duration, Instant};

use serde::Serialize;

pub use capacitated::{Capacity, capacitated, fewest_capacitated};
pub use coverage::{
    CountyInput, CountyResult, CoverageParams, CoverageReport, Figures, OfficeInput,
    ProposedBranch, Scenario, TownInput, TownResult, plan_coverage,
};
pub use draw::{
    DrawInputs, DrawOutcome, DrawSpec, DrawnObject, PoolObject, PoolOfficer, Quota, Recusal,
    RiskGrade, commitment, draw, inputs_digest, parse_seed, verify,
};
pub use error::PlanError;
pub use joint::{JointVisit, MergePlan, Requirement, frequency_windows, merge_year};
pub use mclp::max_cover;
pub use model::{DemandPoint, Excluded, Instance, Site, great_circle_km};
pub use orlib::{CapInstance, ScpInstance, read_cap, read_pmed, read_scp};
pub use pcenter::p_center;
pub use pmedian::p_median;
pub use routes::{
    DEFAULT_ITERATIONS, RouteCheck, RouteClient, RoutesOptions, RoutesSolution, RoutingProblem,
    SolomonInstance, SolomonSolution, read_solomon, read_solomon_solution, solve_routes,
};
pub use setcover::set_cover;

/// Relative tolerance under which a real-valued plan counts as proven optimal.
pub const OPTIMALITY_TOLERANCE: f64 = bnb::REL_TOL;

/// What the caller may set for a solve.
#[derive(Default, Clone, Copy)]
pub struct SolveOptions<'a> {
    /// Stop after this long and return the best plan with its honest gap.
    pub time_limit: Option<Duration>,
    /// Called now and then with the state of the search (e.g. to drive a progress bar).
    pub progress: Option<&'a dyn Fn(&Progress)>,
}

/// A snapshot of a running solve.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub phase: &'static str,
    /// Best plan so far (infinite before the first).
    pub objective: f64,
    /// Proven bound so far.
    pub bound: f64,
    pub nodes: u64,
    pub seconds: f64,
}

/// Which problem an answer solves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    SetCover,
    MaxCover,
    PMedian,
    PCenter,
    Capacitated,
    CapacitatedFacilityLocation,
}

/// One point's office in a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub point: String,
    pub site: String,
    pub distance: f64,
}

/// The answer of a planner, serialised as one JSON object.
#[derive(Debug, Clone, Serialize)]
pub struct SolveReport {
    pub problem: Problem,
    /// `min` or `max`: for `max` the bound is an upper bound.
    pub sense: &'static str,
    pub objective: f64,
    pub bound: f64,
    /// |objective − bound| / |objective| (0 when both are 0).
    pub gap: f64,
    /// True only when the bound proves the objective optimal.
    pub optimal: bool,
    pub seconds: f64,
    /// Branch-and-bound nodes explored.
    pub nodes: u64,
    /// Ids of the sites opened.
    pub open: Vec<String>,
    /// Each point's office, for single-assignment problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assignment: Vec<Assignment>,
    /// Points and sites left out of the plan (e.g. no coordinates), with the reason.
    pub excluded: Vec<Excluded>,
    /// Anything else the user should know about this answer.
    pub warnings: Vec<String>,
}

impl SolveReport {
    fn new(problem: Problem, sense: &'static str, objective: f64, bound: f64) -> Self {
        SolveReport {
            problem,
            sense,
            objective,
            bound,
            gap: relative_gap(objective, bound),
            optimal: false,
            seconds: 0.0,
            nodes: 0,
            open: Vec::new(),
            assignment: Vec::new(),
            excluded: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Report of a minimisation solved by branch and bound over the instance's sites.
    fn minimise(problem: Problem, inst: &Instance, out: bnb::Outcome, started: Instant) -> Self {
        let mut r = SolveReport::new(problem, "min", out.objective, out.bound);
        r.optimal = out.optimal;
        r.nodes = out.nodes;
        r.open = sorted_ids(&inst.site_ids, &out.open);
        r.excluded = inst.excluded.clone();
        r.warnings = inst
            .excluded
            .iter()
            .map(|e| {
                format!(
                    "{} {} excluded: {}（{}）",
                    e.kind, e.id, e.reason, e.reason_zh
                )
            })
            .collect();
        r.seconds = started.elapsed().as_secs_f64();
        r
    }

    /// Assigns every point to its nearest open site.
    fn with_nearest_assignment(mut self, inst: &Instance) -> Self {
        let open: Vec<usize> = self
            .open
            .iter()
            .filter_map(|id| inst.site_ids.iter().position(|s| s == id))
            .collect();
        self.assignment = (0..inst.points())
            .filter_map(|i| {
                let j = open
                    .iter()
                    .copied()
                    .min_by(|&a, &b| inst.distance(i, a).total_cmp(&inst.distance(i, b)))?;
                Some(Assignment {
                    point: inst.point_ids[i].clone(),
                    site: inst.site_ids[j].clone(),
                    distance: inst.distance(i, j),
                })
            })
            .collect();
        self
    }
}

fn relative_gap(objective: f64, bound: f64) -> f64 {
    if objective == bound {
        0.0
    } else {
        (objective - bound).abs() / objective.abs().max(1e-12)
    }
}

fn sorted_ids(ids: &[String], picked: &[usize]) -> Vec<String> {
    let mut picked = picked.to_vec();
    picked.sort_unstable();
    picked.iter().map(|&j| ids[j].clone()).collect()
}

/// The OR-Library formats `solve_file` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceFormat {
    /// Uncapacitated p-median on a graph (pmedN).
    Pmed,
    /// Capacitated facility location with splittable demand (capNNN).
    Cap,
    /// Weighted set covering (scpNN).
    Scp,
}

impl std::str::FromStr for InstanceFormat {
    type Err = PlanError;
    fn from_str(s: &str) -> Result<Self, PlanError> {
        match s {
            "pmed" => Ok(InstanceFormat::Pmed),
            "cap" => Ok(InstanceFormat::Cap),
            "scp" => Ok(InstanceFormat::Scp),
            _ => Err(PlanError::invalid(
                "format",
                format!("unknown format {s:?}; one of pmed, cap, scp"),
                format!("未知格式“{s}”，可选 pmed、cap、scp"),
            )),
        }
    }
}

/// Reads an OR-Library instance and solves it: the entry point of `tongquan plan solve`.
pub fn solve_file(
    format: InstanceFormat,
    text: &str,
    opts: &SolveOptions,
) -> Result<SolveReport, PlanError> {
    let started = Instant::now();
    let mut report = match format {
        InstanceFormat::Pmed => {
            let (inst, p) = read_pmed(text)?;
            p_median(&inst, p, opts)?
        }
        InstanceFormat::Cap => read_cap(text)?.solve(opts)?,
        InstanceFormat::Scp => read_scp(text)?.solve(opts)?,
    };
    // Reading (and, for pmed, all-pairs shortest paths) counts too.
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
