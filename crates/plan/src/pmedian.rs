//! p-median: open exactly p sites so that the total weighted distance to the nearest open site
//! is least. Bound: Lagrangian relaxation of the assignment constraints (equal to the LP bound).
//! Plans: greedy, then fast vertex substitution (Whitaker's interchange).

use crate::bnb::{self, Count, Fix, Relaxation};
use crate::{Instance, PlanError, Problem, SolveOptions, SolveReport};

pub(crate) struct PMedian {
    n: usize,
    m: usize,
    p: usize,
    /// cost[i * m + j]: weighted distance from point i to site j.
    cost: Vec<f64>,
    /// by_site[j]: points sorted by cost to site j, so scans stop early.
    by_site: Vec<Vec<(f64, u32)>>,
    integral: bool,
}

impl PMedian {
    pub(crate) fn new(cost: Vec<f64>, n: usize, m: usize, p: usize) -> Self {
        let by_site = (0..m)
            .map(|j| {
                let mut col: Vec<(f64, u32)> =
                    (0..n).map(|i| (cost[i * m + j], i as u32)).collect();
                col.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                col
            })
            .collect();
        let integral = cost.iter().all(|c| c.fract() == 0.0);
        PMedian {
            n,
            m,
            p,
            cost,
            by_site,
            integral,
        }
    }

    fn c(&self, i: usize, j: usize) -> f64 {
        self.cost[i * self.m + j]
    }

    /// Nearest and second-nearest open site of every point.
    fn nearest_two(&self, open: &[usize]) -> Vec<Nearest> {
        (0..self.n)
            .map(|i| {
                let mut best = Nearest {
                    d1: f64::INFINITY,
                    f1: usize::MAX,
                    d2: f64::INFINITY,
                };
                for &j in open {
                    let c = self.c(i, j);
                    if c < best.d1 {
                        best.d2 = best.d1;
                        best.d1 = c;
                        best.f1 = j;
                    } else if c < best.d2 {
                        best.d2 = c;
                    }
                }
                best
            })
            .collect()
    }

    /// Adds sites one by one, each time the one that lowers the total most.
    fn greedy(&self, open: &mut Vec<usize>, fix: &[Fix]) {
        // With nothing open yet, each point's worst cost stands in, so the first pick minimises the total.
        let mut d1: Vec<f64> = (0..self.n)
            .map(|i| {
                let row = &self.cost[i * self.m..(i + 1) * self.m];
                match open.is_empty() {
                    true => row.iter().copied().fold(0.0, f64::max),
                    false => open.iter().map(|&j| row[j]).fold(f64::INFINITY, f64::min),
                }
            })
            .collect();
        let mut is_open = vec![false; self.m];
        open.iter().for_each(|&j| is_open[j] = true);
        while open.len() < self.p {
            let top = d1.iter().copied().fold(0.0, f64::max);
            let best = (0..self.m)
                .filter(|&j| !is_open[j] && fix[j] != Fix::Closed)
                .map(|j| {
                    let gain: f64 = self.by_site[j]
                        .iter()
                        .take_while(|(c, _)| *c < top)
                        .map(|&(c, i)| (d1[i as usize] - c).max(0.0))
                        .sum();
                    (j, gain)
                })
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            let Some((j, _)) = best else { return };
            is_open[j] = true;
            open.push(j);
            for (i, d) in d1.iter_mut().enumerate() {
                *d = d.min(self.c(i, j));
            }
        }
    }

    /// Whitaker's fast interchange: for each site to add, the best site to drop in O(n + p).
    fn interchange(&self, open: &mut [usize], fix: &[Fix]) -> f64 {
        let mut is_open = vec![false; self.m];
        let mut slot = vec![usize::MAX; self.m];
        for (k, &j) in open.iter().enumerate() {
            is_open[j] = true;
            slot[j] = k;
        }
        let mut near = self.nearest_two(open);
        let mut loss = vec![0.0; open.len()];
        loop {
            let mut best = (0.0, usize::MAX, usize::MAX);
            for add in (0..self.m).filter(|&j| !is_open[j] && fix[j] != Fix::Closed) {
                let mut gain = 0.0;
                loss.iter_mut().for_each(|l| *l = 0.0);
                for (i, nr) in near.iter().enumerate() {
                    let c = self.c(i, add);
                    if c < nr.d1 {
                        gain += nr.d1 - c;
                    } else {
                        loss[slot[nr.f1]] += c.min(nr.d2) - nr.d1;
                    }
                }
                for (k, &drop) in open.iter().enumerate() {
                    let delta = loss[k] - gain;
                    if fix[drop] != Fix::Open && delta < best.0 {
                        best = (delta, add, k);
                    }
                }
            }
            let (delta, add, k) = best;
            if add == usize::MAX || delta > -1e-9 * self.total_scale(&near) {
                return near.iter().map(|nr| nr.d1).sum();
            }
            let drop = open[k];
            is_open[drop] = false;
            slot[drop] = usize::MAX;
            is_open[add] = true;
            slot[add] = k;
            open[k] = add;
            near = self.nearest_two(open);
        }
    }

    fn total_scale(&self, near: &[Nearest]) -> f64 {
        near.iter().map(|nr| nr.d1).sum::<f64>().abs().max(1.0)
    }
}

#[derive(Clone, Copy)]
struct Nearest {
    d1: f64,
    f1: usize,
    d2: f64,
}

impl Relaxation for PMedian {
    fn sites(&self) -> usize {
        self.m
    }

    fn count(&self) -> Count {
        Count::Exactly(self.p)
    }

    fn integral(&self) -> bool {
        self.integral
    }

    fn nonnegative(&self) -> bool {
        false
    }

    fn initial_multipliers(&self) -> Vec<f64> {
        // Each point's cost to its second-nearest site: a fair price for serving it.
        (0..self.n)
            .map(|i| {
                let mut row: Vec<f64> = (0..self.m).map(|j| self.c(i, j)).collect();
                let k = 1.min(row.len() - 1);
                *row.select_nth_unstable_by(k, f64::total_cmp).1
            })
            .collect()
    }

    fn values(&self, lambda: &[f64], fix: &[Fix], rho: &mut [f64]) -> f64 {
        let top = lambda.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for j in 0..self.m {
            if fix[j] == Fix::Closed {
                continue;
            }
            rho[j] = self.by_site[j]
                .iter()
                .take_while(|(c, _)| *c < top)
                .map(|&(c, i)| (c - lambda[i as usize]).min(0.0))
                .sum();
        }
        lambda.iter().sum()
    }

    fn subgradient(&self, lambda: &[f64], chosen: &[usize], g: &mut [f64]) {
        g.iter_mut().for_each(|x| *x = 1.0);
        let top = lambda.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        for &j in chosen {
            for &(c, i) in self.by_site[j].iter().take_while(|(c, _)| *c < top) {
                if c < lambda[i as usize] {
                    g[i as usize] -= 1.0;
                }
            }
        }
    }

    fn primal(&self, seed: &[usize], _lambda: &[f64], fix: &[Fix]) -> Option<(Vec<usize>, f64)> {
        let mut open: Vec<usize> = (0..self.m).filter(|&j| fix[j] == Fix::Open).collect();
        for &j in seed {
            if fix[j] == Fix::Free && open.len() < self.p && !open.contains(&j) {
                open.push(j);
            }
        }
        self.greedy(&mut open, fix);
        if open.len() != self.p {
            return None;
        }
        let cost = self.interchange(&mut open, fix);
        Some((open, cost))
    }
}

/// Opens exactly `p` sites (kept sites included) minimising total weighted distance.
pub fn p_median(inst: &Instance, p: usize, opts: &SolveOptions) -> Result<SolveReport, PlanError> {
    inst.check_count("p", p, true)?;
    let started = std::time::Instant::now();
    let rel = PMedian::new(inst.costs(), inst.points(), inst.sites(), p);
    let fix = inst.kept_fix();
    let out = bnb::solve(&rel, fix, opts, "p-median");
    Ok(SolveReport::minimise(Problem::PMedian, inst, out, started).with_nearest_assignment(inst))
}
