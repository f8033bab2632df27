//! p-center: at most p sites so that the farthest point is as near as possible. Binary search over
//! the distinct distances; each probe asks set covering whether p sites can cover at that radius.

use std::time::Instant;

use crate::setcover::solve_cover;
use crate::{Instance, PlanError, Problem, SolveOptions, SolveReport};

/// Opens at most `p` sites (kept offices included) minimising the largest point-to-office distance.
pub fn p_center(inst: &Instance, p: usize, opts: &SolveOptions) -> Result<SolveReport, PlanError> {
    let started = Instant::now();
    inst.check_count("p", p, false)?;
    let mut radii = inst.dist.clone();
    radii.sort_unstable_by(f64::total_cmp);
    radii.dedup();
    // No radius below the distance from the most remote point to its nearest site can work.
    let reach = (0..inst.points())
        .map(|i| {
            (0..inst.sites())
                .map(|j| inst.distance(i, j))
                .fold(f64::INFINITY, f64::min)
        })
        .fold(0.0, f64::max);
    let mut lo = radii.partition_point(|&r| r < reach);
    let mut hi = radii.len() - 1;
    // Opening every site (or p of them) at the largest radius is always feasible.
    let mut best = cover_within(inst, radii[hi], p, opts, started);
    let mut nodes = 0;
    let mut complete = true;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let probe = cover_within(inst, radii[mid], p, opts, started);
        nodes += probe.nodes;
        match probe.verdict {
            Verdict::Fits(open) => {
                hi = mid;
                best.verdict = Verdict::Fits(open);
            }
            Verdict::TooMany => lo = mid + 1,
            Verdict::Unknown => {
                complete = false;
                break;
            }
        }
    }
    let Verdict::Fits(open) = best.verdict else {
        unreachable!("at the largest distance any one site reaches every point");
    };
    let objective = (0..inst.points())
        .map(|i| {
            open.iter()
                .map(|&j| inst.distance(i, j))
                .fold(f64::INFINITY, f64::min)
        })
        .fold(0.0, f64::max);
    let mut r = SolveReport::new(Problem::PCenter, "min", objective, radii[lo].min(objective));
    r.optimal = complete && lo == hi;
    r.nodes = nodes;
    r.open = open.iter().map(|&j| inst.site_ids[j].clone()).collect();
    r.excluded = inst.excluded.clone();
    r.seconds = started.elapsed().as_secs_f64();
    Ok(r.with_nearest_assignment(inst))
}

enum Verdict {
    Fits(Vec<usize>),
    TooMany,
    Unknown,
}

struct Probe {
    verdict: Verdict,
    nodes: u64,
}

fn cover_within(
    inst: &Instance,
    radius: f64,
    p: usize,
    opts: &SolveOptions,
    started: Instant,
) -> Probe {
    let rows = inst.within(radius);
    let sub = SolveOptions {
        time_limit: opts.time_limit.map(|t| t.saturating_sub(started.elapsed())),
        progress: opts.progress,
    };
    let out = solve_cover(&rows, &vec![1.0; inst.sites()], &inst.keep, &sub);
    let verdict = if out.objective <= p as f64 {
        Verdict::Fits(out.open)
    } else if out.bound > p as f64 {
        Verdict::TooMany
    } else {
        Verdict::Unknown
    };
    Probe {
        verdict,
        nodes: out.nodes,
    }
}
