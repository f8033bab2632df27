//! Capacitated facility location. Two uses share one solver:
//! - branches that each serve between `min` and `max` whole towns, every town assigned to exactly
//!   one office, exactly p offices (demand 1 per town, so the transport optimum is whole);
//! - OR-Library capNNN: fixed opening costs, capacities, splittable demand.
//!
//! Bound: Lagrangian relaxation of "each demand served once", which leaves one continuous
//! knapsack per site. Plans: an optimal transportation (min-cost flow) for the open sites.

use std::time::Instant;

use crate::bnb::{self, Count, Fix, Relaxation};
use crate::flow::{Shipment, transport};
use crate::orlib::CapInstance;
use crate::setcover::solve_cover;
use crate::{Assignment, Instance, PlanError, Problem, SolveOptions, SolveReport};

struct Capacitated {
    n: usize,
    m: usize,
    demand: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    fixed: Vec<f64>,
    /// cost[i * m + j]: cost of serving all of i's demand from j; infinite when not allowed.
    cost: Vec<f64>,
    count: Count,
    unit_demand: bool,
}

impl Capacitated {
    /// The site's best share of demand at prices `lambda`, as (point, fraction) in `take`.
    fn knapsack(&self, j: usize, lambda: &[f64], take: &mut Vec<(usize, f64)>) -> f64 {
        let mut items: Vec<(f64, usize)> = (0..self.n)
            .filter(|&i| self.cost[i * self.m + j].is_finite())
            .map(|i| {
                let (v, d) = (self.cost[i * self.m + j] - lambda[i], self.demand[i]);
                let ratio = match d > 0.0 {
                    true => v / d,
                    false if v < 0.0 => f64::NEG_INFINITY,
                    false => f64::INFINITY,
                };
                (ratio, i)
            })
            .collect();
        let by_ratio = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0);
        // With one unit per point, only the `upper` cheapest can ever be taken.
        let reach = self.upper[j].ceil() as usize;
        if self.unit_demand && reach < items.len() {
            items.select_nth_unstable_by(reach, by_ratio);
            items.truncate(reach);
        }
        items.sort_unstable_by(by_ratio);
        take.clear();
        let (mut load, mut value) = (0.0, self.fixed[j]);
        for (ratio, i) in items {
            let d = self.demand[i];
            let pays = ratio < 0.0;
            // Fill the minimum load whatever it costs, and beyond it only what pays.
            let limit = if pays { self.upper[j] } else { self.lower[j] };
            if load >= limit && (d > 0.0 || !pays) {
                break;
            }
            let share = if d > 0.0 {
                ((limit - load) / d).min(1.0)
            } else {
                1.0
            };
            value += share * (self.cost[i * self.m + j] - lambda[i]);
            load += share * d;
            take.push((i, share));
        }
        if load < self.lower[j] - 1e-9 {
            f64::INFINITY
        } else {
            value
        }
    }

    fn ship(&self, open: &[usize]) -> Option<Shipment> {
        let lower: Vec<f64> = open.iter().map(|&j| self.lower[j]).collect();
        let upper: Vec<f64> = open.iter().map(|&j| self.upper[j]).collect();
        transport(&self.demand, &lower, &upper, |i, k| {
            let c = self.cost[i * self.m + open[k]];
            c.is_finite().then_some(c)
        })
    }

    fn total(&self, open: &[usize]) -> Option<f64> {
        let s = self.ship(open)?;
        Some(s.cost + open.iter().map(|&j| self.fixed[j]).sum::<f64>())
    }
}

impl Relaxation for Capacitated {
    fn sites(&self) -> usize {
        self.m
    }

    fn count(&self) -> Count {
        self.count
    }

    fn integral(&self) -> bool {
        false
    }

    fn nonnegative(&self) -> bool {
        false
    }

    fn initial_multipliers(&self) -> Vec<f64> {
        (0..self.n)
            .map(|i| {
                self.cost[i * self.m..(i + 1) * self.m]
                    .iter()
                    .copied()
                    .filter(|c| c.is_finite())
                    .fold(0.0, f64::max)
            })
            .collect()
    }

    fn values(&self, lambda: &[f64], fix: &[Fix], rho: &mut [f64]) -> f64 {
        let mut take = Vec::new();
        for j in 0..self.m {
            if fix[j] != Fix::Closed {
                rho[j] = self.knapsack(j, lambda, &mut take);
            }
        }
        lambda.iter().sum()
    }

    fn subgradient(&self, lambda: &[f64], chosen: &[usize], g: &mut [f64]) {
        g.iter_mut().for_each(|x| *x = 1.0);
        let mut take = Vec::new();
        for &j in chosen {
            self.knapsack(j, lambda, &mut take);
            take.iter().for_each(|&(i, share)| g[i] -= share);
        }
    }

    fn feasible(&self, fix: &[Fix]) -> bool {
        let demand: f64 = self.demand.iter().sum();
        let mut room: Vec<f64> = (0..self.m)
            .filter(|&j| fix[j] != Fix::Closed)
            .map(|j| self.upper[j])
            .collect();
        let reachable = match self.count {
            Count::Any => room.iter().sum(),
            Count::Exactly(p) => {
                // Largest capacity p sites can offer: the forced ones plus the biggest free ones.
                let forced: f64 = (0..self.m)
                    .filter(|&j| fix[j] == Fix::Open)
                    .map(|j| self.upper[j])
                    .sum();
                let nforced = fix.iter().filter(|&&f| f == Fix::Open).count();
                room = (0..self.m)
                    .filter(|&j| fix[j] == Fix::Free)
                    .map(|j| self.upper[j])
                    .collect();
                room.sort_unstable_by(|a, b| b.total_cmp(a));
                forced + room.iter().take(p.saturating_sub(nforced)).sum::<f64>()
            }
        };
        reachable >= demand - 1e-9
    }

    fn primal(&self, seed: &[usize], _lambda: &[f64], fix: &[Fix]) -> Option<(Vec<usize>, f64)> {
        let mut open: Vec<usize> = (0..self.m).filter(|&j| fix[j] == Fix::Open).collect();
        open.extend(seed.iter().filter(|&&j| fix[j] == Fix::Free));
        let want = match self.count {
            Count::Exactly(p) => p,
            Count::Any => open.len(),
        };
        let demand: f64 = self.demand.iter().sum();
        let mut free: Vec<usize> = (0..self.m)
            .filter(|&j| fix[j] == Fix::Free && !open.contains(&j))
            .collect();
        // Add the sites with the cheapest average service cost until count and capacity suffice.
        free.sort_by(|&a, &b| self.average(a).total_cmp(&self.average(b)));
        let mut extra = free.into_iter();
        while open.len() < want || open.iter().map(|&j| self.upper[j]).sum::<f64>() < demand {
            open.push(extra.next()?);
        }
        if let Count::Exactly(p) = self.count {
            open.truncate(p);
        }
        let mut cost = self.total(&open)?;
        if self.count == Count::Any {
            // Close open sites one at a time while that saves money.
            let mut k = 0;
            while k < open.len() {
                let j = open[k];
                if fix[j] != Fix::Open {
                    let rest: Vec<usize> = open.iter().copied().filter(|&x| x != j).collect();
                    if let Some(c) = self.total(&rest).filter(|&c| c < cost) {
                        open = rest;
                        cost = c;
                        continue;
                    }
                }
                k += 1;
            }
        }
        Some((open, cost))
    }
}

impl Capacitated {
    fn average(&self, j: usize) -> f64 {
        (0..self.n).map(|i| self.cost[i * self.m + j]).sum::<f64>() / self.n as f64 + self.fixed[j]
    }
}

/// Whole towns per branch office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub min: usize,
    pub max: usize,
}

fn check_split(towns: usize, p: usize, cap: Capacity) -> Result<(), PlanError> {
    if cap.min > cap.max || cap.max == 0 {
        return Err(PlanError::invalid(
            "capacity",
            format!(
                "{}..{} is not a range of towns per office",
                cap.min, cap.max
            ),
            format!("{}..{} 不是有效的每网点乡镇数范围", cap.min, cap.max),
        ));
    }
    let (least, most) = (p * cap.min, p * cap.max);
    if towns < least || towns > most {
        return Err(PlanError::capacity(
            format!(
                "{towns} towns cannot be split among {p} offices of {}..{} towns each: {p} offices serve between {least} and {most} towns",
                cap.min, cap.max
            ),
            format!(
                "{towns} 个乡镇无法分给 {p} 个网点（每个网点 {}..{} 个乡镇）：{p} 个网点只能服务 {least} 至 {most} 个乡镇",
                cap.min, cap.max
            ),
        ));
    }
    Ok(())
}

/// Exactly `p` offices (kept ones included), each serving `cap.min..=cap.max` towns, every town
/// assigned to one office (within `radius` km when given), least total weighted distance.
pub fn capacitated(
    inst: &Instance,
    p: usize,
    cap: Capacity,
    radius: Option<f64>,
    opts: &SolveOptions,
) -> Result<SolveReport, PlanError> {
    let started = Instant::now();
    inst.check_count("p", p, true)?;
    check_split(inst.points(), p, cap)?;
    if let Some(r) = radius {
        check_reachable(inst, r, cap)?;
    }
    let rel = town_problem(inst, p, cap, radius);
    let fix = inst.kept_fix();
    let out = bnb::solve(&rel, fix, opts, "capacitated");
    if out.objective.is_infinite() {
        let within = radius.map_or(String::new(), |r| {
            format!(" with every town within {r} km of its office")
        });
        let within_zh = radius.map_or(String::new(), |r| {
            format!("且每个乡镇距网点不超过 {r} 公里")
        });
        return Err(if out.bound.is_infinite() {
            PlanError::capacity(
                format!(
                    "no way to give {p} offices {}..{} towns each{within}",
                    cap.min, cap.max
                ),
                format!(
                    "无法让 {p} 个网点各服务 {}..{} 个乡镇{within_zh}",
                    cap.min, cap.max
                ),
            )
        } else {
            PlanError::TimeLimit
        });
    }
    let assignment = rel.ship(&out.open).map(|s| s.to).unwrap_or_default();
    let mut r = SolveReport::minimise(Problem::Capacitated, inst, out.clone(), started);
    r.assignment = assignment
        .iter()
        .enumerate()
        .filter_map(|(i, to)| {
            let &(k, _) = to.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
            let j = out.open[k];
            Some(Assignment {
                point: inst.point_ids[i].clone(),
                site: inst.site_ids[j].clone(),
                distance: inst.distance(i, j),
            })
        })
        .collect();
    Ok(r)
}

/// Every town needs a site within the radius that has at least `cap.min` towns within the radius.
fn check_reachable(inst: &Instance, radius: f64, cap: Capacity) -> Result<(), PlanError> {
    let near = inst.check_coverable(radius)?;
    let mut reach = vec![0; inst.sites()];
    near.iter().flatten().for_each(|&j| reach[j] += 1);
    let stranded: Vec<&str> = near
        .iter()
        .enumerate()
        .filter(|(_, sites)| sites.iter().all(|&j| reach[j] < cap.min))
        .map(|(i, _)| inst.point_ids[i].as_str())
        .collect();
    if stranded.is_empty() {
        return Ok(());
    }
    Err(PlanError::capacity(
        format!(
            "no office within {radius} km of {} could gather the minimum of {} towns within {radius} km",
            stranded.join(", "),
            cap.min
        ),
        format!(
            "{} 周边 {radius} 公里内的任何网点都凑不够 {} 个乡镇",
            stranded.join("、"),
            cap.min
        ),
    ))
}

fn town_problem(inst: &Instance, p: usize, cap: Capacity, radius: Option<f64>) -> Capacitated {
    let (n, m) = (inst.points(), inst.sites());
    let limit = radius.map_or(f64::INFINITY, |r| r * (1.0 + 1e-12));
    let cost = inst
        .costs()
        .into_iter()
        .enumerate()
        .map(|(k, c)| {
            if inst.dist[k] <= limit {
                c
            } else {
                f64::INFINITY
            }
        })
        .collect();
    Capacitated {
        n,
        m,
        demand: vec![1.0; n],
        lower: vec![cap.min as f64; m],
        upper: vec![cap.max as f64; m],
        fixed: vec![0.0; m],
        cost,
        count: Count::Exactly(p),
        unit_demand: true,
    }
}

/// The fewest offices that meet the capacity (and radius, when given), then the least weighted
/// distance for that number. Tries counts upward from a proven lower bound; a count is skipped
/// only when proven infeasible.
pub fn fewest_capacitated(
    inst: &Instance,
    cap: Capacity,
    radius: Option<f64>,
    opts: &SolveOptions,
) -> Result<SolveReport, PlanError> {
    let started = Instant::now();
    let n = inst.points();
    let keep = inst.keep.iter().filter(|&&k| k).count();
    let most = (n / cap.min.max(1)).min(inst.sites());
    let mut p = n.div_ceil(cap.max.max(1)).max(keep).max(1);
    if p > most {
        // Reuse the count check for its message: no count fits.
        check_split(n, p, cap)?;
        return Err(PlanError::capacity(
            format!(
                "{n} towns cannot be split into groups of {}..{} towns",
                cap.min, cap.max
            ),
            format!("{n} 个乡镇无法分成每组 {}..{} 个乡镇", cap.min, cap.max),
        ));
    }
    let mut notes = Vec::new();
    if let Some(r) = radius {
        check_reachable(inst, r, cap)?;
        let rows = inst.check_coverable(r)?;
        let cover = solve_cover(&rows, &vec![1.0; inst.sites()], &inst.keep, opts);
        p = p.max(cover.bound as usize);
    }
    let mut last = None;
    while p <= most {
        let sub = SolveOptions {
            time_limit: opts.time_limit.map(|t| t.saturating_sub(started.elapsed())),
            ..*opts
        };
        match capacitated(inst, p, cap, radius, &sub) {
            Ok(mut r) => {
                r.warnings.extend(notes);
                r.seconds = started.elapsed().as_secs_f64();
                return Ok(r);
            }
            Err(e @ PlanError::CapacityInfeasible { .. }) => {
                notes.push(format!(
                    "{p} offices proven infeasible（{p} 个网点已证明不可行）"
                ));
                last = Some(e);
                p += 1;
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        PlanError::capacity(
            format!(
                "no office count from 1 to {most} meets {}..{} towns per office",
                cap.min, cap.max
            ),
            format!(
                "1 至 {most} 个网点均无法满足每网点 {}..{} 个乡镇",
                cap.min, cap.max
            ),
        )
    }))
}

impl CapInstance {
    /// Solves the capacitated facility location instance (splittable demand); `open` lists
    /// 1-based warehouse numbers.
    pub fn solve(&self, opts: &SolveOptions) -> Result<SolveReport, PlanError> {
        let started = Instant::now();
        let (n, m) = (self.demand.len(), self.capacity.len());
        let rel = Capacitated {
            n,
            m,
            demand: self.demand.clone(),
            lower: vec![0.0; m],
            upper: self.capacity.clone(),
            fixed: self.fixed.clone(),
            cost: self.cost.clone(),
            count: Count::Any,
            unit_demand: self.demand.iter().all(|&d| d == 1.0),
        };
        if !rel.feasible(&vec![Fix::Free; m]) {
            return Err(PlanError::capacity(
                "total capacity is below total demand",
                "总容量小于总需求",
            ));
        }
        let out = bnb::solve(
            &rel,
            vec![Fix::Free; m],
            opts,
            "capacitated facility location",
        );
        let mut r = SolveReport::new(
            Problem::CapacitatedFacilityLocation,
            "min",
            out.objective,
            out.bound,
        );
        r.optimal = out.optimal;
        r.nodes = out.nodes;
        let mut open = out.open;
        open.sort_unstable();
        r.open = open.iter().map(|j| (j + 1).to_string()).collect();
        r.seconds = started.elapsed().as_secs_f64();
        Ok(r)
    }
}
