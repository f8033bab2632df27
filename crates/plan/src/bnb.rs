//! Branch and bound over which sites open, bounded by Lagrangian relaxation and subgradient
//! optimisation. Every planner here is "choose sites, then serve demand": each describes its
//! relaxation through [`Relaxation`] and this module proves (or bounds) the answer.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

use crate::{Progress, SolveOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Fix {
    Free,
    Open,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Count {
    /// Exactly this many sites open.
    Exactly(usize),
    /// Any number: a site opens when its Lagrangian value is negative.
    Any,
}

/// A minimisation problem over open sites whose Lagrangian relaxation, for fixed multipliers,
/// separates into one value per site plus a constant.
pub(crate) trait Relaxation {
    fn sites(&self) -> usize;
    fn count(&self) -> Count;
    /// Whether every feasible objective is an integer, so a bound may be rounded up.
    fn integral(&self) -> bool;
    /// Whether the multipliers belong to `≥` constraints and must stay non-negative.
    fn nonnegative(&self) -> bool;
    fn initial_multipliers(&self) -> Vec<f64>;
    /// Writes the value of each site that is not closed into `rho`; returns the constant term.
    fn values(&self, lambda: &[f64], fix: &[Fix], rho: &mut [f64]) -> f64;
    /// Subgradient of the Lagrangian function at `lambda` for the chosen sites.
    fn subgradient(&self, lambda: &[f64], chosen: &[usize], g: &mut [f64]);
    /// Cheap necessary condition for a node to hold any feasible plan.
    fn feasible(&self, _fix: &[Fix]) -> bool {
        true
    }
    /// A feasible plan built from `seed` (repaired and improved, guided by the multipliers),
    /// respecting `fix`, with its cost.
    fn primal(&self, seed: &[usize], lambda: &[f64], fix: &[Fix]) -> Option<(Vec<usize>, f64)>;
}

/// The best plan found and how good it provably is.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub open: Vec<usize>,
    pub objective: f64,
    pub bound: f64,
    pub optimal: bool,
    pub nodes: u64,
}

/// Relative tolerance under which a real-valued plan counts as proven optimal.
pub(crate) const REL_TOL: f64 = 1e-6;

struct Node {
    fix: Vec<Fix>,
    lambda: Vec<f64>,
    bound: f64,
}

struct Lagrangian {
    bound: f64,
    chosen: Vec<usize>,
    /// Largest value among chosen free sites (exactly-p only).
    last_in: f64,
    /// Smallest value among free sites left out.
    first_out: f64,
}

enum NodeEnd {
    /// Bound reaches the incumbent: nothing better below.
    Pruned(f64),
    /// Not resolved; branch on this site, the child agreeing with the relaxation first.
    Branch(f64, usize, Fix),
    /// Deadline hit; the node stays open with this bound.
    Stopped(f64),
}

struct Search<'a, R: Relaxation> {
    rel: &'a R,
    opts: &'a SolveOptions<'a>,
    start: Instant,
    incumbent: Option<(Vec<usize>, f64)>,
    /// Least bound over every part of the search space already closed.
    closed: f64,
    nodes: u64,
    rho: Vec<f64>,
    g: Vec<f64>,
    phase: &'static str,
    tried: HashSet<u64>,
}

/// Solves to proven optimality, or until the deadline, starting from the given fixings.
/// Without any plan the objective is infinite; an infinite bound then proves there is none.
pub(crate) fn solve<R: Relaxation>(
    rel: &R,
    fix: Vec<Fix>,
    opts: &SolveOptions,
    phase: &'static str,
) -> Outcome {
    search(rel, fix, opts, phase, false).0
}

/// The root node alone: its outcome and the fixings it proved (a site fixed either way here
/// cannot be flipped in any plan better than the incumbent).
pub(crate) fn root<R: Relaxation>(
    rel: &R,
    fix: Vec<Fix>,
    opts: &SolveOptions,
    phase: &'static str,
) -> (Outcome, Vec<Fix>) {
    search(rel, fix, opts, phase, true)
}

fn search<R: Relaxation>(
    rel: &R,
    fix: Vec<Fix>,
    opts: &SolveOptions,
    phase: &'static str,
    root_only: bool,
) -> (Outcome, Vec<Fix>) {
    let mut s = Search {
        rel,
        opts,
        start: Instant::now(),
        incumbent: None,
        closed: f64::INFINITY,
        nodes: 0,
        rho: vec![0.0; rel.sites()],
        g: Vec::new(),
        phase,
        tried: HashSet::new(),
    };
    let lambda = rel.initial_multipliers();
    if let Some(first) = rel.primal(&[], &lambda, &fix) {
        s.incumbent = Some(first);
    }
    s.g = vec![0.0; lambda.len()];
    let mut stack = vec![Node {
        fix,
        lambda,
        bound: f64::NEG_INFINITY,
    }];
    let mut open_bound = f64::INFINITY;
    let mut root_fix = stack[0].fix.clone();
    while let Some(mut node) = stack.pop() {
        if node.bound >= s.cutoff() {
            s.close(node.bound);
            continue;
        }
        let root = s.nodes == 0;
        s.nodes += 1;
        let end = s.node(&mut node.fix, &mut node.lambda, root);
        if root {
            root_fix.clone_from(&node.fix);
        }
        match end {
            NodeEnd::Pruned(b) => s.close(b),
            NodeEnd::Stopped(b) => {
                open_bound = stack
                    .iter()
                    .map(|n| n.bound)
                    .fold(node.bound.max(b), f64::min);
                break;
            }
            NodeEnd::Branch(b, site, agree) => {
                let other = if agree == Fix::Open {
                    Fix::Closed
                } else {
                    Fix::Open
                };
                let mut second = node.fix.clone();
                second[site] = other;
                stack.push(Node {
                    fix: second,
                    lambda: node.lambda.clone(),
                    bound: b,
                });
                node.fix[site] = agree;
                stack.push(Node {
                    fix: node.fix,
                    lambda: node.lambda,
                    bound: b,
                });
            }
        }
        if s.nodes.is_multiple_of(64) {
            let pending = stack.iter().map(|n| n.bound).fold(s.closed, f64::min);
            s.report(pending);
        }
        if root_only || s.timed_out() {
            open_bound = stack.iter().map(|n| n.bound).fold(f64::INFINITY, f64::min);
            break;
        }
    }
    let (open, objective) = s.incumbent.take().unwrap_or((Vec::new(), f64::INFINITY));
    let bound = s.round(s.closed.min(open_bound)).min(objective);
    let optimal = objective.is_finite() && objective - bound <= s.tolerance(objective);
    s.report(bound);
    let outcome = Outcome {
        open,
        objective,
        bound,
        optimal,
        nodes: s.nodes,
    };
    (outcome, root_fix)
}

impl<R: Relaxation> Search<'_, R> {
    fn timed_out(&self) -> bool {
        self.opts
            .time_limit
            .is_some_and(|t| self.start.elapsed() >= t)
    }

    fn upper(&self) -> f64 {
        self.incumbent.as_ref().map_or(f64::INFINITY, |(_, c)| *c)
    }

    fn tolerance(&self, objective: f64) -> f64 {
        if self.rel.integral() {
            1e-9
        } else {
            REL_TOL * objective.abs().max(1.0)
        }
    }

    /// A node whose bound reaches this holds nothing worth finding.
    fn cutoff(&self) -> f64 {
        let ub = self.upper();
        if ub.is_infinite() {
            f64::INFINITY
        } else if self.rel.integral() {
            ub - 1.0 + 1e-6
        } else {
            ub - self.tolerance(ub)
        }
    }

    fn round(&self, bound: f64) -> f64 {
        if self.rel.integral() {
            (bound - 1e-6).ceil()
        } else {
            bound
        }
    }

    fn close(&mut self, bound: f64) {
        self.closed = self.closed.min(bound);
    }

    fn report(&self, bound: f64) {
        if let Some(progress) = self.opts.progress {
            progress(&Progress {
                phase: self.phase,
                objective: self.upper(),
                bound: self.round(bound).min(self.upper()),
                nodes: self.nodes,
                seconds: self.start.elapsed().as_secs_f64(),
            });
        }
    }

    /// Builds a plan from `seed` unless the same seed under the same fixings was tried before.
    fn offer(&mut self, seed: &[usize], lambda: &[f64], fix: &[Fix]) {
        let mut key = seed.to_vec();
        key.sort_unstable();
        let mut h = DefaultHasher::new();
        (key, fix).hash(&mut h);
        // A hash, not the set, keeps memory flat; a rare collision only skips one heuristic run.
        if !self.tried.insert(h.finish()) {
            return;
        }
        if let Some((open, cost)) = self.rel.primal(seed, lambda, fix)
            && cost < self.upper()
        {
            self.incumbent = Some((open, cost));
        }
    }

    /// Solves the relaxed problem for the current site values.
    fn relaxed(&self, constant: f64, fix: &[Fix]) -> Option<Lagrangian> {
        let rho = &self.rho;
        let mut chosen: Vec<usize> = (0..fix.len()).filter(|&j| fix[j] == Fix::Open).collect();
        let mut free: Vec<usize> = (0..fix.len()).filter(|&j| fix[j] == Fix::Free).collect();
        let by_value = |a: &usize, b: &usize| rho[*a].total_cmp(&rho[*b]);
        let (last_in, first_out) = match self.rel.count() {
            Count::Exactly(p) => {
                let r = p.checked_sub(chosen.len())?;
                if r > free.len() {
                    return None;
                }
                if r > 0 && r < free.len() {
                    free.select_nth_unstable_by(r, by_value);
                }
                let (inn, out) = free.split_at(r);
                chosen.extend_from_slice(inn);
                (
                    inn.iter()
                        .map(|&j| rho[j])
                        .fold(f64::NEG_INFINITY, f64::max),
                    out.iter().map(|&j| rho[j]).fold(f64::INFINITY, f64::min),
                )
            }
            Count::Any => {
                chosen.extend(free.iter().copied().filter(|&j| rho[j] < 0.0));
                (0.0, 0.0)
            }
        };
        let bound = constant + chosen.iter().map(|&j| rho[j]).sum::<f64>();
        Some(Lagrangian {
            bound,
            chosen,
            last_in,
            first_out,
        })
    }

    /// Bound of the node with `site` forced the other way than the relaxation put it.
    fn penalty(&self, lag: &Lagrangian, site: usize, chosen: bool) -> f64 {
        let v = self.rho[site];
        match (self.rel.count(), chosen) {
            (Count::Exactly(_), true) => lag.bound - v + lag.first_out,
            (Count::Exactly(_), false) => lag.bound + v - lag.last_in,
            (Count::Any, true) => lag.bound - v,
            (Count::Any, false) => lag.bound + v,
        }
    }

    /// Fixes every free site whose flip cannot beat the incumbent.
    fn fix_by_penalties(&mut self, lag: &Lagrangian, fix: &mut [Fix], in_chosen: &mut [bool]) {
        let cutoff = self.cutoff();
        for &j in &lag.chosen {
            in_chosen[j] = true;
        }
        for j in 0..fix.len() {
            if fix[j] != Fix::Free {
                continue;
            }
            let chosen = in_chosen[j];
            let p = self.penalty(lag, j, chosen);
            // An infinite penalty means the flip is infeasible, which also settles the site.
            if p >= cutoff || p.is_nan() {
                fix[j] = if chosen { Fix::Open } else { Fix::Closed };
                if p.is_finite() {
                    self.close(p);
                }
            }
        }
        for &j in &lag.chosen {
            in_chosen[j] = false;
        }
    }

    fn node(&mut self, fix: &mut [Fix], lambda: &mut [f64], root: bool) -> NodeEnd {
        let (iters, patience, mut pi): (u32, u32, f64) = if root {
            (4000, 40, 2.0)
        } else {
            (250, 15, 0.5)
        };
        let heuristic_every = if root { 20 } else { 50 };
        let mut best = f64::NEG_INFINITY;
        let mut best_lambda = lambda.to_vec();
        let mut stall = 0;
        let mut in_chosen = vec![false; fix.len()];
        if !self.rel.feasible(fix) {
            return NodeEnd::Pruned(f64::INFINITY);
        }
        for it in 0..iters {
            // One evaluation always runs, so even a spent deadline leaves a valid bound.
            if it > 0 && self.timed_out() {
                return NodeEnd::Stopped(best);
            }
            let constant = self.rel.values(lambda, fix, &mut self.rho);
            let Some(lag) = self.relaxed(constant, fix) else {
                return NodeEnd::Pruned(f64::INFINITY);
            };
            if lag.bound > best {
                if lag.bound > best + 1e-9 * best.abs().max(1.0) {
                    stall = 0;
                }
                best = lag.bound;
                best_lambda.copy_from_slice(lambda);
            } else {
                stall += 1;
            }
            if stall >= patience {
                pi /= 2.0;
                stall = 0;
            }
            if it.is_multiple_of(heuristic_every) {
                self.offer(&lag.chosen, lambda, fix);
            }
            if best >= self.cutoff() {
                return NodeEnd::Pruned(best);
            }
            self.fix_by_penalties(&lag, fix, &mut in_chosen);
            if !self.rel.feasible(fix) {
                return NodeEnd::Pruned(f64::INFINITY);
            }
            self.rel.subgradient(lambda, &lag.chosen, &mut self.g);
            let norm2: f64 = self.g.iter().map(|x| x * x).sum();
            if norm2 == 0.0 {
                // The relaxed plan is feasible and costs its bound: this node is solved.
                self.offer(&lag.chosen, lambda, fix);
                return NodeEnd::Pruned(lag.bound);
            }
            if root && it.is_multiple_of(50) {
                self.report(best);
            }
            if self.rel.nonnegative() {
                // A multiplier at zero cannot fall further: drop that direction (Beasley).
                for (g, l) in self.g.iter_mut().zip(lambda.iter()) {
                    if *l <= 0.0 && *g < 0.0 {
                        *g = 0.0;
                    }
                }
            }
            let norm2: f64 = self.g.iter().map(|x| x * x).sum();
            if norm2 == 0.0 {
                break;
            }
            let ub = self.upper();
            let target = if ub.is_finite() && ub > lag.bound {
                ub
            } else {
                lag.bound + 0.05 * lag.bound.abs().max(1.0)
            };
            let step = pi * (target - lag.bound) / norm2;
            for (l, g) in lambda.iter_mut().zip(&self.g) {
                *l += step * g;
                if self.rel.nonnegative() && *l < 0.0 {
                    *l = 0.0;
                }
            }
            if pi < 1e-4 {
                break;
            }
        }
        lambda.copy_from_slice(&best_lambda);
        let constant = self.rel.values(lambda, fix, &mut self.rho);
        let Some(lag) = self.relaxed(constant, fix) else {
            return NodeEnd::Pruned(f64::INFINITY);
        };
        self.offer(&lag.chosen, lambda, fix);
        if best >= self.cutoff() {
            return NodeEnd::Pruned(best);
        }
        self.fix_by_penalties(&lag, fix, &mut in_chosen);
        for &j in &lag.chosen {
            in_chosen[j] = true;
        }
        // Branch where the relaxation is least sure: the free site whose flip costs least.
        let pick = (0..fix.len())
            .filter(|&j| fix[j] == Fix::Free)
            .map(|j| (j, self.penalty(&lag, j, in_chosen[j])))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match pick {
            Some((j, _)) => {
                NodeEnd::Branch(best, j, if in_chosen[j] { Fix::Open } else { Fix::Closed })
            }
            // Every site is fixed: the plan is determined and the heuristic has evaluated it.
            None => {
                self.offer(&lag.chosen, lambda, fix);
                NodeEnd::Pruned(self.upper().max(best))
            }
        }
    }
}
