//! LP-based branch and cut for one set covering component: the dual simplex of
//! [`crate::simplex`] bounds every node; Chvátal–Gomory cuts read off the optimal tableau and
//! {0, ½}-cuts ([`crate::zerohalf`]) tighten the root; a row-weighting local search
//! ([`crate::localsearch`]) looks for the plan to beat; reduced costs fix columns; branching picks
//! its column by strong branching until pseudocosts are reliable.
//!
//! Every cut is a Chvátal–Gomory cut of the rows and of the bounds 0 ≤ x ≤ 1 that holds exactly
//! (see [`cg_cut`]); every bound is the Lagrangian value of some non-negative dual vector; an
//! infeasible node is closed only when the dual ray's Lagrangian bound confirms it. So no prune
//! depends on the simplex being accurate.

// Index loops read best over columns numbered alike in several arrays.
#![allow(clippy::needless_range_loop)]

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

use crate::bnb::{Fix, Outcome, REL_TOL, Relaxation};
use crate::setcover::Cover;
use crate::simplex::{Lp, Snapshot, Status};
use crate::{Progress, SolveOptions};

/// Largest component (rows) given to the dense LP: its basis inverse and the snapshot for strong
/// branching take about 20 bytes per (row + cut)² (cuts are at most as many as rows, so under
/// 200 MB here); larger ones are left to the Lagrangian branch and bound.
pub(crate) const MAX_ROWS: usize = 1500;
/// Rounds of cuts at the root at most.
const ROOT_ROUNDS: usize = 100;
/// Cuts added per round: tableau rows tried, and most cuts kept.
const CUTS_PER_ROUND: usize = 120;
/// Strong-branching candidates per node, and dual simplex iterations for each child.
const STRONG_CANDIDATES: usize = 10;
const STRONG_ITERATIONS: u64 = 40;
/// Observations per direction after which a column's pseudocost is trusted.
const RELIABLE: u32 = 4;
/// Swaps of the local search at the root, per row and column, and at most.
const LOCAL_SEARCH_STEPS: (u64, u64) = (300, 400_000);

struct Node {
    fixes: Vec<(u32, bool)>,
    bound: f64,
    depth: u32,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    /// The heap pops the least bound first, the deepest among equals.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .bound
            .total_cmp(&self.bound)
            .then(self.depth.cmp(&other.depth))
    }
}

#[derive(Clone, Copy, Default)]
struct Pseudo {
    sum: [f64; 2],
    count: [u32; 2],
}

struct Search<'a> {
    cover: &'a Cover,
    lp: Lp,
    opts: &'a SolveOptions<'a>,
    phase: &'static str,
    start: Instant,
    deadline: Option<Instant>,
    best: Option<(Vec<usize>, f64)>,
    /// Root fixings, valid for every plan better than the incumbent.
    global: Vec<Option<bool>>,
    /// Fixings currently applied to the LP on top of the global ones.
    applied: Vec<Option<bool>>,
    pseudo: Vec<Pseudo>,
    nodes: u64,
    rc: Vec<f64>,
    seen_cuts: HashSet<u64>,
    /// Rows of the original problem (cuts come after them in the LP).
    base_rows: usize,
    saved: Snapshot,
}

/// Solves the component to proven optimality, or until the deadline, starting from a plan if
/// one is known.
pub(crate) fn solve(
    cover: &Cover,
    incumbent: Option<(Vec<usize>, f64)>,
    opts: &SolveOptions,
    phase: &'static str,
) -> Outcome {
    let start = Instant::now();
    let n = cover.cols.len();
    let rows: Vec<Vec<(usize, f64)>> = cover
        .rows
        .iter()
        .map(|r| r.iter().map(|&j| (j, 1.0)).collect())
        .collect();
    let mut s = Search {
        cover,
        lp: Lp::new(&cover.cost, &rows, &vec![1.0; rows.len()]),
        opts,
        phase,
        start,
        deadline: opts.time_limit.map(|t| start + t),
        best: incumbent,
        global: vec![None; n],
        applied: vec![None; n],
        pseudo: vec![Pseudo::default(); n],
        nodes: 0,
        rc: Vec::new(),
        seen_cuts: HashSet::new(),
        base_rows: rows.len(),
        saved: Snapshot::default(),
    };
    s.run()
}

impl Search<'_> {
    fn upper(&self) -> f64 {
        self.best.as_ref().map_or(f64::INFINITY, |b| b.1)
    }

    /// A node whose bound reaches this holds nothing better than the incumbent.
    fn cutoff(&self) -> f64 {
        let ub = self.upper();
        if ub.is_infinite() {
            f64::INFINITY
        } else if self.cover.integral {
            ub - 1.0 + 1e-6
        } else {
            ub - REL_TOL * ub.abs().max(1.0)
        }
    }

    fn round(&self, bound: f64) -> f64 {
        if self.cover.integral {
            // Below the cutoff's margin, far above rounding error.
            (bound - 1e-7).ceil()
        } else {
            bound
        }
    }

    fn timed_out(&self) -> bool {
        self.deadline.is_some_and(|t| Instant::now() >= t)
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

    fn run(&mut self) -> Outcome {
        let mut open: BinaryHeap<Node> = BinaryHeap::new();
        // Least bound over the parts of the search already closed.
        let mut closed = f64::INFINITY;
        let root = self.root();
        if let Some(b) = root {
            open.push(Node {
                fixes: Vec::new(),
                bound: b,
                depth: 0,
            });
        }
        while let Some(node) = open.pop() {
            if node.bound >= self.cutoff() {
                closed = closed.min(node.bound);
                continue;
            }
            if self.timed_out() {
                open.push(node);
                break;
            }
            self.nodes += 1;
            if self.nodes.is_multiple_of(32) {
                let pending = open.iter().map(|n| n.bound).fold(node.bound, f64::min);
                self.report(pending.min(closed));
            }
            match self.process(node) {
                End::Closed(b) => closed = closed.min(b),
                End::Open(node) => {
                    open.push(node);
                    break;
                }
                End::Children(kids) => open.extend(kids),
            }
        }
        let open_bound = open.iter().map(|n| n.bound).fold(f64::INFINITY, f64::min);
        let (plan, objective) = self.best.take().unwrap_or((Vec::new(), f64::INFINITY));
        let bound = self.round(closed.min(open_bound)).min(objective);
        let tol = if self.cover.integral {
            1e-9
        } else {
            REL_TOL * objective.abs().max(1.0)
        };
        Outcome {
            open: plan,
            optimal: objective.is_finite() && objective - bound <= tol,
            objective,
            bound,
            // The root counts as a node even when it settles everything.
            nodes: self.nodes.max(1),
        }
    }

    /// Solves the root LP, runs the heuristic and the cut rounds, fixes by reduced cost.
    /// Returns the root bound, or None when the root closes the problem.
    fn root(&mut self) -> Option<f64> {
        let mut bound = f64::NEG_INFINITY;
        let mut stall = 0;
        for round in 0..=ROOT_ROUNDS {
            let st = self.lp.solve(u64::MAX, self.cutoff(), self.deadline);
            match st {
                Status::Cutoff => return None,
                Status::Infeasible if self.lp.ray_bound() >= self.cutoff() => return None,
                Status::Infeasible => return Some(bound),
                Status::Stopped => return Some(bound.max(self.lp.bound(&mut self.rc))),
                Status::Optimal => {}
            }
            let b = self.lp.bound(&mut self.rc);
            self.heuristic();
            if round == 0 {
                self.local_search(b);
            }
            if b >= self.cutoff() {
                return None;
            }
            if self.integral_point() {
                return None;
            }
            self.report(b);
            if b > bound + 1e-3 {
                stall = 0;
            } else {
                stall += 1;
            }
            bound = bound.max(b);
            if round == ROOT_ROUNDS || self.timed_out() {
                break;
            }
            if stall >= 3 || self.add_cuts() == 0 {
                break;
            }
            // Drop cuts that stopped binding, so the LP stays small.
            if round % 5 == 4 {
                self.purge_cuts();
            }
        }
        self.keep_useful_cuts();
        match self.lp.solve(u64::MAX, self.cutoff(), self.deadline) {
            Status::Cutoff => return None,
            Status::Infeasible if self.lp.ray_bound() >= self.cutoff() => return None,
            Status::Infeasible | Status::Stopped => return Some(bound),
            Status::Optimal => {}
        }
        let lag = self.lp.bound(&mut self.rc);
        let b = lag.max(bound);
        // Root reduced-cost fixing holds for the whole search: `rc` goes with `lag`.
        let cutoff = self.cutoff();
        for j in 0..self.cover.cols.len() {
            let rc = self.rc[j];
            if rc > 0.0 && lag + rc >= cutoff {
                self.global[j] = Some(false);
                self.lp.set_bounds(j, 0.0, 0.0);
            } else if rc < 0.0 && lag - rc >= cutoff {
                self.global[j] = Some(true);
                self.lp.set_bounds(j, 1.0, 1.0);
            }
        }
        Some(b)
    }

    /// If the LP point is integral, offers it as a plan; true when it is.
    fn integral_point(&mut self) -> bool {
        let x = self.lp.x();
        if x.iter().any(|&v| v > 1e-6 && v < 1.0 - 1e-6) {
            return false;
        }
        let plan: Vec<usize> = (0..x.len()).filter(|&j| x[j] > 0.5).collect();
        let covered = self
            .cover
            .rows
            .iter()
            .all(|r| r.iter().any(|&j| x[j] > 0.5));
        if !covered {
            return false;
        }
        let cost: f64 = plan.iter().map(|&j| self.cover.cost[j]).sum();
        if cost < self.upper() {
            self.best = Some((plan, cost));
        }
        true
    }

    /// The covering heuristic seeded by the LP point and priced by the LP duals.
    fn heuristic(&mut self) {
        let x = self.lp.x();
        let seed: Vec<usize> = (0..x.len()).filter(|&j| x[j] > 0.5 - 1e-9).collect();
        let y = self.lp.duals();
        let fix: Vec<Fix> = self
            .global
            .iter()
            .map(|g| match g {
                Some(true) => Fix::Open,
                Some(false) => Fix::Closed,
                None => Fix::Free,
            })
            .collect();
        if let Some((plan, cost)) = self.cover.primal(&seed, &y[..self.base_rows], &fix)
            && cost < self.upper()
        {
            self.best = Some((plan, cost));
        }
    }

    /// Improves the incumbent by local search, stopping early at the LP bound. Only for equal
    /// costs (sites), which is what the search is made for.
    fn local_search(&mut self, bound: f64) {
        let unicost = self.cover.cost.iter().all(|&c| c == self.cover.cost[0]);
        let Some((plan, _)) = self.best.clone().filter(|_| unicost) else {
            return;
        };
        let closed: Vec<bool> = self.global.iter().map(|g| *g == Some(false)).collect();
        let target = self.round(bound);
        if let Some((p, c)) = crate::localsearch::improve(
            self.cover,
            &plan,
            target,
            (LOCAL_SEARCH_STEPS.0 * (self.cover.rows.len() + self.cover.cols.len()) as u64)
                .min(LOCAL_SEARCH_STEPS.1),
            7,
            &closed,
            self.deadline,
        ) && c < self.upper()
        {
            self.best = Some((p, c));
        }
    }

    /// One round of cuts (see [`separate`]) not already in the LP; returns how many were added.
    fn add_cuts(&mut self) -> usize {
        let mut added = 0;
        let room = (2 * self.base_rows.max(100)).saturating_sub(self.lp.rows());
        for (cut, rhs) in separate(&self.lp) {
            if added >= room {
                break;
            }
            if !self.seen_cuts.insert(cut_key(&cut, rhs)) {
                continue;
            }
            debug_assert!(self.best.as_ref().is_none_or(|(plan, _)| {
                let lhs: f64 = cut
                    .iter()
                    .filter(|(j, _)| plan.contains(j))
                    .map(|&(_, a)| a)
                    .sum();
                lhs >= rhs
            }));
            self.lp.add_row(&cut, rhs);
            added += 1;
        }
        added
    }

    /// Drops the cuts whose slack is basic and positive.
    fn purge_cuts(&mut self) {
        let keep: Vec<bool> = (0..self.lp.rows())
            .map(|i| i < self.base_rows || !self.lp.row_basic(i) || self.lp.slack(i) < 1e-6)
            .collect();
        self.lp.remove_rows(&keep);
        self.remember_cuts();
    }

    /// Keeps only the cuts with a positive dual (the others do not change the LP optimum) and
    /// rebuilds the LP on them for a small, fast search.
    fn keep_useful_cuts(&mut self) {
        let m = self.lp.rows();
        let keep: Vec<usize> = (0..m)
            .filter(|&i| i < self.base_rows || self.lp.row_dual(i) > 1e-9)
            .collect();
        if keep.len() == m {
            return;
        }
        let rows: Vec<Vec<(usize, f64)>> = keep
            .iter()
            .map(|&i| {
                self.lp
                    .row(i)
                    .iter()
                    .map(|&(j, a)| (j as usize, a))
                    .collect()
            })
            .collect();
        let rhs: Vec<f64> = keep.iter().map(|&i| self.lp.rhs(i)).collect();
        self.lp = Lp::new(&self.cover.cost, &rows, &rhs);
        self.remember_cuts();
    }

    /// The cuts now in the LP, so the same cut is not added twice.
    fn remember_cuts(&mut self) {
        self.seen_cuts.clear();
        for i in self.base_rows..self.lp.rows() {
            let cut: Vec<(usize, f64)> = self
                .lp
                .row(i)
                .iter()
                .map(|&(j, a)| (j as usize, a))
                .collect();
            self.seen_cuts.insert(cut_key(&cut, self.lp.rhs(i)));
        }
    }

    /// Makes the LP's fixings those of the node (on top of the global ones).
    fn apply(&mut self, fixes: &[(u32, bool)]) {
        let n = self.cover.cols.len();
        let mut want: Vec<Option<bool>> = vec![None; n];
        for &(j, v) in fixes {
            want[j as usize] = Some(v);
        }
        for j in 0..n {
            if self.global[j].is_some() || want[j] == self.applied[j] {
                continue;
            }
            match want[j] {
                Some(true) => self.lp.set_bounds(j, 1.0, 1.0),
                Some(false) => self.lp.set_bounds(j, 0.0, 0.0),
                None => self.lp.set_bounds(j, 0.0, 1.0),
            }
            self.applied[j] = want[j];
        }
    }

    fn fix(&mut self, node: &mut Node, j: usize, v: bool) {
        node.fixes.push((j as u32, v));
        self.applied[j] = Some(v);
        let b = if v { 1.0 } else { 0.0 };
        self.lp.set_bounds(j, b, b);
    }

    fn process(&mut self, mut node: Node) -> End {
        self.apply(&node.fixes);
        loop {
            match self.lp.solve(u64::MAX, self.cutoff(), self.deadline) {
                // Closed only if the dual ray confirms it; else honestly at the node's bound.
                Status::Infeasible => {
                    let r = self.lp.ray_bound();
                    return End::Closed(if r >= self.cutoff() { r } else { node.bound });
                }
                Status::Cutoff => {
                    return End::Closed(self.lp.bound(&mut self.rc).max(self.cutoff()));
                }
                Status::Stopped => return End::Open(node),
                Status::Optimal => {}
            }
            let lag = self.lp.bound(&mut self.rc);
            let b = node.bound.max(lag);
            node.bound = b;
            if b >= self.cutoff() {
                return End::Closed(b);
            }
            if self.integral_point() {
                return End::Closed(self.upper().max(b));
            }
            if self.nodes.is_multiple_of(8) {
                self.heuristic();
                if b >= self.cutoff() {
                    return End::Closed(b);
                }
            }
            // Reduced-cost fixing, inherited by the children.
            let cutoff = self.cutoff();
            for j in 0..self.cover.cols.len() {
                if self.global[j].is_some() || self.applied[j].is_some() {
                    continue;
                }
                let rc = self.rc[j];
                if rc > 0.0 && lag + rc >= cutoff {
                    self.fix(&mut node, j, false);
                } else if rc < 0.0 && lag - rc >= cutoff {
                    self.fix(&mut node, j, true);
                }
            }
            match self.branch(&mut node, b) {
                Choice::Resolve => continue,
                Choice::Prune(b) => return End::Closed(b),
                Choice::Stop => return End::Open(node),
                Choice::On(j, down, up) => {
                    let mut a = node.fixes.clone();
                    a.push((j as u32, false));
                    let mut c = node.fixes;
                    c.push((j as u32, true));
                    return End::Children(vec![
                        Node {
                            fixes: a,
                            bound: down.max(b),
                            depth: node.depth + 1,
                        },
                        Node {
                            fixes: c,
                            bound: up.max(b),
                            depth: node.depth + 1,
                        },
                    ]);
                }
            }
        }
    }

    /// Picks the branching column: pseudocosts where reliable, strong branching otherwise.
    fn branch(&mut self, node: &mut Node, b: f64) -> Choice {
        let x = self.lp.x().to_vec();
        let frac: Vec<usize> = (0..x.len())
            .filter(|&j| x[j] > 1e-6 && x[j] < 1.0 - 1e-6)
            .collect();
        if frac.is_empty() {
            return Choice::Prune(b);
        }
        let avg = self.average_pseudo();
        let estimate = |s: &Self, j: usize| -> (f64, f64) {
            let p = &s.pseudo[j];
            let per = |k: usize| {
                if p.count[k] > 0 {
                    p.sum[k] / p.count[k] as f64
                } else {
                    avg[k]
                }
            };
            (per(0) * x[j], per(1) * (1.0 - x[j]))
        };
        let score = |d: f64, u: f64| d.max(1e-6) * u.max(1e-6);
        let mut ranked: Vec<(f64, usize)> = frac
            .iter()
            .map(|&j| {
                let (d, u) = estimate(self, j);
                (score(d, u), j)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut best: Option<(f64, usize, f64, f64)> = None;
        let mut strong = 0;
        let mut saved = std::mem::take(&mut self.saved);
        let cutoff = self.cutoff();
        for &(est, j) in &ranked {
            let p = self.pseudo[j];
            let reliable = p.count[0] >= RELIABLE && p.count[1] >= RELIABLE;
            if reliable || strong >= STRONG_CANDIDATES {
                if best.is_none_or(|bb| est > bb.0) {
                    let (d, u) = estimate(self, j);
                    best = Some((est, j, b + d, b + u));
                }
                if strong >= STRONG_CANDIDATES {
                    break;
                }
                continue;
            }
            strong += 1;
            if strong == 1 {
                self.lp.snapshot(&mut saved);
            }
            let (down, up) = match self.strong(j, b, &saved) {
                Some(v) => v,
                None => {
                    self.saved = saved;
                    return Choice::Stop;
                }
            };
            let f = x[j];
            self.observe(j, 0, (down.min(cutoff) - b).max(0.0) / f);
            self.observe(j, 1, (up.min(cutoff) - b).max(0.0) / (1.0 - f));
            if down >= cutoff && up >= cutoff {
                self.saved = saved;
                return Choice::Prune(down.min(up));
            }
            if down >= cutoff || up >= cutoff {
                self.saved = saved;
                self.fix(node, j, down >= cutoff);
                return Choice::Resolve;
            }
            let sc = score(down - b, up - b);
            if best.is_none_or(|bb| sc > bb.0) {
                best = Some((sc, j, down, up));
            }
        }
        self.saved = saved;
        let (_, j, down, up) = best.expect("a fractional column");
        // Leave the LP at this node's optimum for the children's warm start.
        Choice::On(j, down, up)
    }

    /// Bounds of the two children of column j by a few dual simplex iterations each; the LP
    /// comes back to the node's optimum from `saved`.
    fn strong(&mut self, j: usize, b: f64, saved: &Snapshot) -> Option<(f64, f64)> {
        let cutoff = self.cutoff();
        let mut out = [b, b];
        for (k, v) in [0.0, 1.0].into_iter().enumerate() {
            self.lp.set_bounds(j, v, v);
            let st = self.lp.solve(STRONG_ITERATIONS, cutoff, self.deadline);
            out[k] = match st {
                Status::Infeasible => self.lp.ray_bound().max(b),
                _ => self.lp.bound(&mut Vec::new()).max(b),
            };
            self.lp.restore(saved);
            if st == Status::Stopped && self.timed_out() {
                return None;
            }
        }
        Some((out[0], out[1]))
    }

    fn observe(&mut self, j: usize, dir: usize, per_unit: f64) {
        let p = &mut self.pseudo[j];
        p.sum[dir] += per_unit;
        p.count[dir] += 1;
    }

    fn average_pseudo(&self) -> [f64; 2] {
        let mut s = [0.0; 2];
        let mut c = [0u32; 2];
        for p in &self.pseudo {
            for k in 0..2 {
                s[k] += p.sum[k];
                c[k] += p.count[k];
            }
        }
        [0, 1].map(|k| if c[k] > 0 { s[k] / c[k] as f64 } else { 1.0 })
    }
}

enum End {
    Closed(f64),
    Open(Node),
    Children(Vec<Node>),
}

enum Choice {
    Resolve,
    Prune(f64),
    Stop,
    On(usize, f64, f64),
}

/// Cuts violated by the LP's optimal point: Chvátal–Gomory cuts from the rows of the tableau of
/// fractional basic columns, and {0, ½}-cuts; the most efficacious first.
/// A cut: (column, coefficient) pairs and the right-hand side.
pub(crate) type Cut = (Vec<(usize, f64)>, f64);

fn separate(lp: &Lp) -> Vec<Cut> {
    let x = lp.x();
    let mut cand: Vec<usize> = (0..x.len())
        .filter(|&j| {
            let f = x[j] - x[j].floor();
            f > 0.01 && f < 0.99 && lp.basis_position(j).is_some()
        })
        .collect();
    cand.sort_by(|&a, &b| (x[a] - 0.5).abs().total_cmp(&(x[b] - 0.5).abs()));
    cand.truncate(CUTS_PER_ROUND);
    let mut found: Vec<(f64, Cut)> = Vec::new();
    for &j in &cand {
        let Some(p) = lp.basis_position(j) else {
            continue;
        };
        let beta = lp.inverse_row(p);
        // Either sign of the tableau row gives a cut; each is tried.
        for sign in [1.0, -1.0] {
            let u: Vec<(usize, f64)> = beta
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b.abs() > 1e-9 && !lp.row_basic(i))
                .map(|(i, &b)| {
                    let v = sign * b;
                    (i, v - v.floor())
                })
                .filter(|&(_, f)| f > 1e-6 && f < 1.0 - 1e-6)
                .collect();
            if let Some((cut, rhs)) = cg_cut(lp, &u)
                && let Some(eff) = efficacy(&cut, rhs, x)
            {
                found.push((eff, (cut, rhs)));
            }
        }
    }
    for (cut, rhs) in crate::zerohalf::separate(lp, x, CUTS_PER_ROUND) {
        if let Some(eff) = efficacy(&cut, rhs, x) {
            found.push((eff, (cut, rhs)));
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.dedup_by(|a, b| a.1 == b.1);
    found.truncate(CUTS_PER_ROUND);
    found.into_iter().map(|(_, c)| c).collect()
}

/// The Chvátal–Gomory cut of the LP's rows with multipliers `u` (row, weight ≥ 0), columns at
/// one complemented through x ≤ 1. Rounded so that it is valid for the exact multipliers used:
/// they are first shrunk by a relative 1e-6, which keeps a coefficient that would be a whole
/// number just below it, and every ceiling leaves a margin far above the rounding error of the
/// sums. Returns the cut's (column, coefficient) and right-hand side.
fn cg_cut(lp: &Lp, u: &[(usize, f64)]) -> Option<(Vec<(usize, f64)>, f64)> {
    const SHRINK: f64 = 1.0 - 1e-6;
    const EPS: f64 = 1e-9;
    if u.is_empty() {
        return None;
    }
    let mut v: std::collections::HashMap<usize, f64> = std::collections::HashMap::new();
    let mut rhs = 0.0;
    for &(i, w) in u {
        let w = w * SHRINK;
        rhs += w * lp.rhs(i);
        for &(j, a) in lp.row(i) {
            *v.entry(j as usize).or_insert(0.0) += w * a;
        }
    }
    let mut cut: Vec<(usize, f64)> = Vec::with_capacity(v.len());
    for (j, vj) in v {
        let coef = if lp.nonbasic_at_one(j) {
            // Add w·(1 − x_j) ≥ 0 with w the fractional part, so the coefficient rounds down.
            let r = vj.round();
            let t = if (vj - r).abs() < 1e-5 { r } else { vj.floor() };
            let w = (vj - t + 3.0 * EPS).max(0.0);
            rhs -= w;
            (vj - w + EPS).ceil()
        } else {
            (vj + EPS).ceil()
        };
        if coef > 0.0 {
            cut.push((j, coef));
        }
    }
    let rhs = (rhs - 1e-7).ceil();
    if rhs <= 0.0 || cut.iter().any(|&(_, a)| a > 64.0) {
        return None;
    }
    cut.sort_unstable_by_key(|&(j, _)| j);
    Some((cut, rhs))
}

fn cut_key(cut: &[(usize, f64)], rhs: f64) -> u64 {
    let mut h = DefaultHasher::new();
    for &(j, a) in cut {
        (j, a as i64).hash(&mut h);
    }
    (rhs as i64).hash(&mut h);
    h.finish()
}

/// Violation over the norm of a cut at x, if it is violated enough to be worth adding.
fn efficacy(cut: &[(usize, f64)], rhs: f64, x: &[f64]) -> Option<f64> {
    let lhs: f64 = cut.iter().map(|&(j, a)| a * x[j]).sum();
    let viol = rhs - lhs;
    let norm = cut.iter().map(|&(_, a)| a * a).sum::<f64>().sqrt();
    (viol > 1e-3 && viol / norm > 1e-4).then_some(viol / norm)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, k: u64) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) % k
        }
    }

    /// A random cover of short rows (fractional LPs, odd cycles), every row coverable.
    fn random_cover(rng: &mut Rng, unicost: bool) -> Cover {
        let n = 5 + rng.below(9) as usize;
        let m = 4 + rng.below(18) as usize;
        let rows: Vec<Vec<usize>> = (0..m)
            .map(|_| {
                let mut r: Vec<usize> = (0..2 + rng.below(2))
                    .map(|_| rng.below(n as u64) as usize)
                    .collect();
                r.sort_unstable();
                r.dedup();
                r
            })
            .collect();
        let mut cols = vec![Vec::new(); n];
        for (i, r) in rows.iter().enumerate() {
            r.iter().for_each(|&j| cols[j].push(i));
        }
        let cost = (0..n)
            .map(|_| {
                if unicost {
                    1.0
                } else {
                    1.0 + rng.below(6) as f64
                }
            })
            .collect();
        Cover {
            rows,
            cols,
            cost,
            integral: true,
        }
    }

    /// Every cover, as a membership mask, and the cheapest cost.
    fn all_covers(c: &Cover) -> (Vec<Vec<bool>>, f64) {
        let n = c.cols.len();
        let mut covers = Vec::new();
        let mut best = f64::INFINITY;
        for mask in 0u32..1 << n {
            let inside: Vec<bool> = (0..n).map(|j| mask >> j & 1 == 1).collect();
            if c.rows.iter().all(|r| r.iter().any(|&j| inside[j])) {
                let cost: f64 = (0..n).filter(|&j| inside[j]).map(|j| c.cost[j]).sum();
                best = best.min(cost);
                covers.push(inside);
            }
        }
        (covers, best)
    }

    #[test]
    fn every_cut_holds_for_every_cover() {
        let mut rng = Rng(3);
        let mut cuts_seen = 0;
        for k in 0..120 {
            let c = random_cover(&mut rng, k % 2 == 0);
            let (covers, best) = all_covers(&c);
            let rows: Vec<Vec<(usize, f64)>> = c
                .rows
                .iter()
                .map(|r| r.iter().map(|&j| (j, 1.0)).collect())
                .collect();
            let mut lp = Lp::new(&c.cost, &rows, &vec![1.0; rows.len()]);
            for _ in 0..6 {
                if lp.solve(u64::MAX, f64::INFINITY, None) != Status::Optimal {
                    break;
                }
                assert!(lp.bound(&mut Vec::new()) <= best + 1e-6);
                let cuts = separate(&lp);
                if cuts.is_empty() {
                    break;
                }
                for (cut, rhs) in cuts {
                    for inside in &covers {
                        let lhs: f64 = cut.iter().filter(|(j, _)| inside[*j]).map(|(_, a)| a).sum();
                        assert!(lhs >= rhs, "cut {cut:?} ≥ {rhs} cuts off a cover");
                    }
                    cuts_seen += 1;
                    lp.add_row(&cut, rhs);
                }
            }
        }
        assert!(
            cuts_seen > 50,
            "only {cuts_seen} cuts: the test checks too little"
        );
    }

    #[test]
    fn branch_and_cut_equals_brute_force() {
        let mut rng = Rng(17);
        for k in 0..150 {
            let c = random_cover(&mut rng, k % 3 == 0);
            let (_, best) = all_covers(&c);
            let out = solve(&c, None, &SolveOptions::default(), "test");
            assert!(out.optimal, "{k}: not proven");
            assert_eq!(out.objective, best, "{k}");
            assert_eq!(out.bound, best, "{k}");
            assert!(
                c.rows
                    .iter()
                    .all(|r| r.iter().any(|j| out.open.contains(j)))
            );
            let cost: f64 = out.open.iter().map(|&j| c.cost[j]).sum();
            assert_eq!(cost, out.objective);
            // With no time at all: a valid bound, and optimal only if truly so.
            let rushed = SolveOptions {
                time_limit: Some(Duration::ZERO),
                progress: None,
            };
            let out = solve(&c, None, &rushed, "test");
            assert!(out.bound <= best + 1e-9);
            assert!(!out.optimal || out.objective == best);
        }
    }

    #[test]
    fn local_search_returns_cheaper_covers() {
        let mut rng = Rng(29);
        for _ in 0..60 {
            let c = random_cover(&mut rng, true);
            let (_, best) = all_covers(&c);
            let everything: Vec<usize> = (0..c.cols.len()).collect();
            let closed = vec![false; c.cols.len()];
            if let Some((plan, cost)) =
                crate::localsearch::improve(&c, &everything, best, 5_000, 1, &closed, None)
            {
                assert!(c.rows.iter().all(|r| r.iter().any(|j| plan.contains(j))));
                assert_eq!(cost, plan.iter().map(|&j| c.cost[j]).sum::<f64>());
                assert!(cost >= best);
                assert_eq!(cost, best, "a few thousand swaps find these optima");
            }
        }
    }
}
