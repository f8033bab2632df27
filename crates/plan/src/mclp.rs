//! Maximal covering: the k sites that cover the most demand weight within the radius. Solved as
//! the equivalent minimisation of uncovered weight, so its lower bound becomes an upper bound
//! on the weight covered.

use std::time::Instant;

use crate::bnb::{self, Count, Fix, Relaxation};
use crate::model::check_radius;
use crate::{Instance, PlanError, Problem, SolveOptions, SolveReport};

struct MaxCover {
    k: usize,
    weight: Vec<f64>,
    /// cols[j]: points site j covers.
    cols: Vec<Vec<usize>>,
    integral: bool,
}

impl MaxCover {
    fn coverage(&self, open: &[usize]) -> Vec<u32> {
        let mut count = vec![0u32; self.weight.len()];
        for &j in open {
            self.cols[j].iter().for_each(|&i| count[i] += 1);
        }
        count
    }

    fn uncovered(&self, count: &[u32]) -> f64 {
        count
            .iter()
            .zip(&self.weight)
            .filter(|(c, _)| **c == 0)
            .map(|(_, w)| w)
            .sum()
    }

    /// Weight that site j would newly cover.
    fn gain(&self, j: usize, count: &[u32]) -> f64 {
        self.cols[j]
            .iter()
            .filter(|&&i| count[i] == 0)
            .map(|&i| self.weight[i])
            .sum()
    }
}

impl Relaxation for MaxCover {
    fn sites(&self) -> usize {
        self.cols.len()
    }

    fn count(&self) -> Count {
        Count::Exactly(self.k)
    }

    fn integral(&self) -> bool {
        self.integral
    }

    fn nonnegative(&self) -> bool {
        true
    }

    fn initial_multipliers(&self) -> Vec<f64> {
        self.weight.iter().map(|w| w / 2.0).collect()
    }

    fn values(&self, mu: &[f64], fix: &[Fix], rho: &mut [f64]) -> f64 {
        for (j, col) in self.cols.iter().enumerate() {
            if fix[j] != Fix::Closed {
                rho[j] = -col.iter().map(|&i| mu[i]).sum::<f64>();
            }
        }
        mu.iter()
            .zip(&self.weight)
            .map(|(m, w)| m + (w - m).min(0.0))
            .sum()
    }

    fn subgradient(&self, mu: &[f64], chosen: &[usize], g: &mut [f64]) {
        let count = self.coverage(chosen);
        for (i, gi) in g.iter_mut().enumerate() {
            let left_out = if self.weight[i] < mu[i] { 1.0 } else { 0.0 };
            *gi = 1.0 - left_out - count[i] as f64;
        }
    }

    fn primal(&self, seed: &[usize], _lambda: &[f64], fix: &[Fix]) -> Option<(Vec<usize>, f64)> {
        let m = self.cols.len();
        let mut open: Vec<usize> = (0..m).filter(|&j| fix[j] == Fix::Open).collect();
        open.extend(seed.iter().filter(|&&j| fix[j] == Fix::Free));
        open.truncate(
            self.k
                .max(open.iter().filter(|&&j| fix[j] == Fix::Open).count()),
        );
        let mut count = self.coverage(&open);
        while open.len() < self.k {
            let j = (0..m)
                .filter(|&j| fix[j] != Fix::Closed && !open.contains(&j))
                .max_by(|&a, &b| self.gain(a, &count).total_cmp(&self.gain(b, &count)))?;
            self.cols[j].iter().for_each(|&i| count[i] += 1);
            open.push(j);
        }
        // Best single swaps until none helps.
        loop {
            let mut best = (1e-9, usize::MAX, usize::MAX);
            for add in (0..m).filter(|&j| fix[j] != Fix::Closed && !open.contains(&j)) {
                let gain = self.gain(add, &count);
                self.cols[add].iter().for_each(|&i| count[i] += 1);
                for (slot, &drop) in open.iter().enumerate() {
                    let loss: f64 = self.cols[drop]
                        .iter()
                        .filter(|&&i| count[i] == 1)
                        .map(|&i| self.weight[i])
                        .sum();
                    if fix[drop] != Fix::Open && gain - loss > best.0 {
                        best = (gain - loss, add, slot);
                    }
                }
                self.cols[add].iter().for_each(|&i| count[i] -= 1);
            }
            let (_, add, slot) = best;
            if add == usize::MAX {
                break;
            }
            self.cols[open[slot]].iter().for_each(|&i| count[i] -= 1);
            self.cols[add].iter().for_each(|&i| count[i] += 1);
            open[slot] = add;
        }
        Some((open.clone(), self.uncovered(&count)))
    }
}

/// Opens `k` sites (kept offices included) covering the most demand weight within `radius`.
/// `objective` is the weight covered and `bound` an upper bound on it.
pub fn max_cover(
    inst: &Instance,
    radius: f64,
    k: usize,
    opts: &SolveOptions,
) -> Result<SolveReport, PlanError> {
    let started = Instant::now();
    check_radius(radius)?;
    inst.check_count("k", k, true)?;
    let near = inst.within(radius);
    let mut cols = vec![Vec::new(); inst.sites()];
    for (i, sites) in near.iter().enumerate() {
        sites.iter().for_each(|&j| cols[j].push(i));
    }
    let rel = MaxCover {
        k,
        integral: inst.weights.iter().all(|w| w.fract() == 0.0),
        weight: inst.weights.clone(),
        cols,
    };
    let fix = inst.kept_fix();
    let out = bnb::solve(&rel, fix, opts, "maximal covering");
    let total: f64 = inst.weights.iter().sum();
    let mut r = SolveReport::minimise(Problem::MaxCover, inst, out, started);
    r.sense = "max";
    r.objective = total - r.objective;
    r.bound = total - r.bound;
    r.gap = crate::relative_gap(r.objective, r.bound);
    let unreachable: Vec<&str> = near
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_empty())
        .map(|(i, _)| inst.point_ids[i].as_str())
        .collect();
    if !unreachable.is_empty() {
        r.warnings.push(format!(
            "no site within {radius} km of: {}（以下需求点在半径内无候选网点：{}）",
            unreachable.join(", "),
            unreachable.join("、")
        ));
    }
    Ok(r)
}
