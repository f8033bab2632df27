//! A bounded dual simplex for covering LPs: minimise c·x subject to rows a_i·x ≥ b_i and
//! lo ≤ x ≤ up. It is warm-started after bound changes (branching) and added rows (cutting
//! planes), which is all a branch and cut needs.
//!
//! The basis inverse is kept explicitly as a dense matrix (these LPs have a few hundred rows)
//! and rebuilt now and then from the kernel of basic structural columns, which is much smaller
//! than the basis itself because most rows keep their slack basic.
//!
//! Bounds handed out are not the simplex objective but the Lagrangian value of the current duals
//! (clamped to be non-negative) with the true costs, so they are valid whatever rounding the
//! simplex suffered.

// Index loops read best in this dense linear algebra.
#![allow(clippy::needless_range_loop)]

use std::time::Instant;

const NONBASIC: usize = usize::MAX;
/// Primal feasibility tolerance.
const PRIMAL_TOL: f64 = 1e-7;
/// Dual feasibility tolerance.
const DUAL_TOL: f64 = 1e-9;
/// Smallest pivot accepted.
const PIVOT_TOL: f64 = 1e-7;
/// Basis updates between two refactorisations.
const REFACTOR_EVERY: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Optimal,
    /// No point satisfies the rows within the bounds.
    Infeasible,
    /// The bound reached the cutoff: nothing below it here.
    Cutoff,
    /// Iteration limit or deadline: the bound is valid but not the optimum.
    Stopped,
}

pub(crate) struct Lp {
    n: usize,
    /// True costs, for bounds.
    cost: Vec<f64>,
    /// Slightly perturbed costs that the simplex pivots on (against stalling).
    pcost: Vec<f64>,
    cols: Vec<Vec<(u32, f64)>>,
    rows: Vec<Vec<(u32, f64)>>,
    rhs: Vec<f64>,
    /// Bounds and values of every variable: structurals 0..n, the activity of row i at n + i.
    lo: Vec<f64>,
    up: Vec<f64>,
    x: Vec<f64>,
    /// Reduced costs (zero for basic variables).
    d: Vec<f64>,
    /// Basis position → variable.
    head: Vec<usize>,
    /// Variable → basis position, or NONBASIC.
    pos: Vec<usize>,
    /// Basis inverse, row-major: row p (basis position), column i (constraint row); stride cap.
    binv: Vec<f64>,
    cap: usize,
    /// Dual steepest-edge weights: squared norm of each row of the basis inverse.
    dse: Vec<f64>,
    updates: usize,
    primal_stale: bool,
    pub iterations: u64,
    /// Dual ray of the last infeasibility found.
    ray: Vec<f64>,
    // Work buffers.
    rho: Vec<f64>,
    rho_nz: Vec<usize>,
    alpha: Vec<f64>,
    touched: Vec<usize>,
    marked: Vec<bool>,
    column: Vec<f64>,
    work: Vec<f64>,
}

impl Lp {
    /// A problem over `cost.len()` columns in [0, 1] with the given rows (column, coefficient)
    /// and right-hand sides, starting from the all-slack basis.
    pub(crate) fn new(cost: &[f64], rows: &[Vec<(usize, f64)>], rhs: &[f64]) -> Lp {
        let n = cost.len();
        let m = rows.len();
        let cap = (m + m / 2 + 16).max(32);
        let mut lp = Lp {
            n,
            cost: cost.to_vec(),
            pcost: cost
                .iter()
                .enumerate()
                .map(|(j, &c)| c + 1e-6 * (1.0 + c.abs()) * jitter(j))
                .collect(),
            cols: vec![Vec::new(); n],
            rows: Vec::with_capacity(cap),
            rhs: Vec::with_capacity(cap),
            lo: vec![0.0; n],
            up: vec![1.0; n],
            x: vec![0.0; n],
            d: vec![0.0; n],
            head: Vec::with_capacity(cap),
            pos: vec![NONBASIC; n],
            binv: vec![0.0; cap * cap],
            cap,
            dse: Vec::with_capacity(cap),
            updates: 0,
            primal_stale: true,
            iterations: 0,
            ray: Vec::new(),
            rho: vec![0.0; cap],
            rho_nz: Vec::new(),
            alpha: vec![0.0; n],
            touched: Vec::new(),
            marked: vec![false; n],
            column: vec![0.0; cap],
            work: vec![0.0; cap],
        };
        lp.d.copy_from_slice(&lp.pcost);
        for (r, &b) in rows.iter().zip(rhs) {
            lp.push_row(r, b);
        }
        lp.refactor();
        lp
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn row(&self, i: usize) -> &[(u32, f64)] {
        &self.rows[i]
    }

    pub(crate) fn rhs(&self, i: usize) -> f64 {
        self.rhs[i]
    }

    pub(crate) fn x(&self) -> &[f64] {
        &self.x[..self.n]
    }

    /// Slack of row i at the current point.
    pub(crate) fn slack(&self, i: usize) -> f64 {
        self.x[self.n + i] - self.rhs[i]
    }

    /// Whether the slack of row i is basic (the row need not be tight).
    pub(crate) fn row_basic(&self, i: usize) -> bool {
        self.pos[self.n + i] != NONBASIC
    }

    /// Dual value of row i (zero when its slack is basic).
    pub(crate) fn row_dual(&self, i: usize) -> f64 {
        if self.pos[self.n + i] == NONBASIC {
            self.d[self.n + i]
        } else {
            0.0
        }
    }

    /// Basis position of structural j, if basic.
    pub(crate) fn basis_position(&self, j: usize) -> Option<usize> {
        let p = self.pos[j];
        (p != NONBASIC).then_some(p)
    }

    /// Row p of the basis inverse, over the constraint rows.
    pub(crate) fn inverse_row(&self, p: usize) -> &[f64] {
        let m = self.rows.len();
        &self.binv[p * self.cap..p * self.cap + m]
    }

    fn push_row(&mut self, r: &[(usize, f64)], b: f64) {
        let i = self.rows.len();
        let row: Vec<(u32, f64)> = r.iter().map(|&(j, a)| (j as u32, a)).collect();
        let most: f64 = row.iter().map(|&(_, a)| a.max(0.0)).sum();
        let least: f64 = row.iter().map(|&(_, a)| a.min(0.0)).sum();
        for &(j, a) in &row {
            self.cols[j as usize].push((i as u32, a));
        }
        self.rows.push(row);
        self.rhs.push(b);
        self.lo.push(b);
        self.up.push(most.max(b));
        let _ = least;
        self.x.push(0.0);
        self.d.push(0.0);
        self.pos.push(self.head.len());
        self.head.push(self.n + i);
        self.dse.push(1.0);
    }

    fn grow(&mut self, need: usize) {
        if need <= self.cap {
            return;
        }
        let cap = need + need / 2;
        let mut b = vec![0.0; cap * cap];
        for p in 0..self.head.len() {
            b[p * cap..p * cap + self.cap]
                .copy_from_slice(&self.binv[p * self.cap..(p + 1) * self.cap]);
        }
        self.binv = b;
        self.cap = cap;
        self.rho.resize(cap, 0.0);
        self.column.resize(cap, 0.0);
        self.work.resize(cap, 0.0);
    }

    /// Adds the row Σ a_j x_j ≥ b with its slack basic; the basis stays dual feasible.
    pub(crate) fn add_row(&mut self, r: &[(usize, f64)], b: f64) {
        let m = self.rows.len();
        self.grow(m + 1);
        self.push_row(r, b);
        let cap = self.cap;
        // New inverse row: g_B · B⁻¹ over the old rows, −1 on the new one.
        let (old, new) = self.binv.split_at_mut(m * cap);
        let new = &mut new[..cap];
        new.iter_mut().for_each(|v| *v = 0.0);
        for &(j, a) in &self.rows[m] {
            let p = self.pos[j as usize];
            if p != NONBASIC {
                let src = &old[p * cap..p * cap + m];
                for (t, &s) in new[..m].iter_mut().zip(src) {
                    *t += a * s;
                }
            }
        }
        new[m] = -1.0;
        self.dse[m] = new[..=m].iter().map(|v| v * v).sum::<f64>().max(1e-12);
        for p in 0..m {
            self.binv[p * cap + m] = 0.0;
        }
        let act: f64 = self.rows[m]
            .iter()
            .map(|&(j, a)| a * self.x[j as usize])
            .sum();
        self.x[self.n + m] = act;
    }

    /// Drops the rows not kept; each must have its slack basic.
    pub(crate) fn remove_rows(&mut self, keep: &[bool]) {
        let m = self.rows.len();
        let mut map = vec![usize::MAX; m];
        let mut k = 0;
        for i in 0..m {
            if keep[i] || self.pos[self.n + i] == NONBASIC {
                map[i] = k;
                k += 1;
            }
        }
        if k == m {
            return;
        }
        let n = self.n;
        let old_rows = std::mem::take(&mut self.rows);
        let old_rhs = std::mem::take(&mut self.rhs);
        let (old_lo, old_up, old_x, old_d) = (
            self.lo.split_off(n),
            self.up.split_off(n),
            self.x.split_off(n),
            self.d.split_off(n),
        );
        let old_pos = self.pos.split_off(n);
        let basic_structurals: Vec<usize> = self.head.iter().copied().filter(|&v| v < n).collect();
        self.cols.iter_mut().for_each(Vec::clear);
        self.head.clear();
        self.dse.clear();
        for (i, row) in old_rows.into_iter().enumerate() {
            if map[i] == usize::MAX {
                continue;
            }
            let ni = self.rows.len();
            for &(j, a) in &row {
                self.cols[j as usize].push((ni as u32, a));
            }
            self.rows.push(row);
            self.rhs.push(old_rhs[i]);
            self.lo.push(old_lo[i]);
            self.up.push(old_up[i]);
            self.x.push(old_x[i]);
            self.d.push(old_d[i]);
            self.pos
                .push(if old_pos[i] == NONBASIC { NONBASIC } else { 0 });
        }
        // Basis: the kept basic slacks and the basic structurals.
        for i in 0..self.rows.len() {
            if self.pos[n + i] != NONBASIC {
                self.pos[n + i] = self.head.len();
                self.head.push(n + i);
            }
        }
        for j in basic_structurals {
            self.pos[j] = self.head.len();
            self.head.push(j);
        }
        self.dse.resize(self.head.len(), 1.0);
        self.refactor();
    }

    /// Changes the bounds of structural j; the solve after restores optimality.
    pub(crate) fn set_bounds(&mut self, j: usize, lo: f64, up: f64) {
        if self.lo[j] == lo && self.up[j] == up {
            return;
        }
        self.lo[j] = lo;
        self.up[j] = up;
        if self.pos[j] == NONBASIC {
            let nearer_up = (self.x[j] - up).abs() < (self.x[j] - lo).abs();
            let v = if self.d[j] < 0.0 || (self.d[j] == 0.0 && nearer_up) {
                up
            } else {
                lo
            };
            if v != self.x[j] {
                self.x[j] = v;
                self.primal_stale = true;
            }
        }
    }

    /// Saves the basis, its inverse and the point, to come back after a trial (strong
    /// branching) cheaper than by pivoting back.
    pub(crate) fn snapshot(&self, into: &mut Snapshot) {
        let m = self.rows.len();
        into.m = m;
        into.binv.clear();
        for p in 0..m {
            into.binv
                .extend_from_slice(&self.binv[p * self.cap..p * self.cap + m]);
        }
        into.head.clone_from(&self.head);
        into.pos.clone_from(&self.pos);
        into.x.clone_from(&self.x);
        into.d.clone_from(&self.d);
        into.lo.clone_from(&self.lo);
        into.up.clone_from(&self.up);
        into.dse.clone_from(&self.dse);
        into.updates = self.updates;
        into.stale = self.primal_stale;
    }

    /// Returns to a snapshot taken with the same rows.
    pub(crate) fn restore(&mut self, from: &Snapshot) {
        let m = from.m;
        debug_assert_eq!(m, self.rows.len());
        for p in 0..m {
            self.binv[p * self.cap..p * self.cap + m]
                .copy_from_slice(&from.binv[p * m..(p + 1) * m]);
        }
        self.head.clone_from(&from.head);
        self.pos.clone_from(&from.pos);
        self.x.clone_from(&from.x);
        self.d.clone_from(&from.d);
        self.lo.clone_from(&from.lo);
        self.up.clone_from(&from.up);
        self.dse.clone_from(&from.dse);
        self.updates = from.updates;
        self.primal_stale = from.stale;
    }

    fn keep_ray(&mut self, s: f64) {
        let m = self.rows.len();
        self.ray.clear();
        self.ray.extend(self.rho[..m].iter().map(|r| -s * r));
    }

    /// After `Infeasible`: the bound along the dual ray that proved it, which grows without
    /// limit in exact arithmetic; a caller prunes only if it reaches its cutoff.
    pub(crate) fn ray_bound(&self) -> f64 {
        let n = self.n;
        let m = self.rows.len();
        if self.ray.len() != m {
            return f64::NEG_INFINITY;
        }
        let y0: Vec<f64> = (0..m)
            .map(|i| {
                if self.pos[n + i] == NONBASIC {
                    self.d[n + i].max(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        let mut rc = Vec::new();
        [1.0, 1e3, 1e6, 1e9]
            .into_iter()
            .map(|t| {
                let y: Vec<f64> = y0
                    .iter()
                    .zip(&self.ray)
                    .map(|(a, r)| (a + t * r).max(0.0))
                    .collect();
                self.lagrangian(&y, &mut rc)
            })
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// Objective of the current point under the true costs.
    #[cfg(test)]
    pub(crate) fn objective(&self) -> f64 {
        self.cost.iter().zip(&self.x).map(|(c, x)| c * x).sum()
    }

    /// A valid lower bound from the current duals (any dual vector gives one), and the reduced
    /// costs that go with it: forcing column j to a value v changes the bound by
    /// `rc[j]·v − min(rc[j]·lo, rc[j]·up)`.
    pub(crate) fn bound(&self, rc: &mut Vec<f64>) -> f64 {
        let n = self.n;
        let m = self.rows.len();
        // Duals of the pivoting costs (kept up to date), and duals of the true costs for the
        // same basis; either is valid, the better one is used.
        let y: Vec<f64> = (0..m)
            .map(|i| {
                if self.pos[n + i] == NONBASIC {
                    self.d[n + i].max(0.0)
                } else {
                    0.0
                }
            })
            .collect();
        let first = self.lagrangian(&y, rc);
        let y = self.duals();
        let mut rc2 = Vec::new();
        let second = self.lagrangian(&y, &mut rc2);
        if second > first {
            *rc = rc2;
            second
        } else {
            first
        }
    }

    /// Duals of the true costs for the current basis, clamped to be non-negative.
    pub(crate) fn duals(&self) -> Vec<f64> {
        let n = self.n;
        let m = self.rows.len();
        let mut y = vec![0.0; m];
        for p in 0..m {
            let v = self.head[p];
            if v < n && self.cost[v] != 0.0 {
                let c = self.cost[v];
                for (t, s) in y.iter_mut().zip(&self.binv[p * self.cap..p * self.cap + m]) {
                    *t += c * s;
                }
            }
        }
        y.iter_mut().for_each(|v| *v = v.max(0.0));
        y
    }

    /// Whether structural j is nonbasic with value one (at its upper bound, or fixed there).
    pub(crate) fn nonbasic_at_one(&self, j: usize) -> bool {
        self.pos[j] == NONBASIC && self.x[j] == 1.0
    }

    /// Σ y_i b_i + Σ_j min over [lo_j, up_j] of (c_j − y·a_j) x_j, for y ≥ 0.
    fn lagrangian(&self, y: &[f64], rc: &mut Vec<f64>) -> f64 {
        rc.clear();
        rc.extend_from_slice(&self.cost);
        let mut total = 0.0;
        for (i, row) in self.rows.iter().enumerate() {
            if y[i] > 0.0 {
                total += y[i] * self.rhs[i];
                for &(j, a) in row {
                    rc[j as usize] -= y[i] * a;
                }
            }
        }
        for j in 0..self.n {
            total += (rc[j] * self.lo[j]).min(rc[j] * self.up[j]);
        }
        total
    }

    /// Rebuilds the basis inverse from scratch, then the primal values and the duals.
    fn refactor(&mut self) {
        let n = self.n;
        let m = self.rows.len();
        let cap = self.cap;
        self.updates = 0;
        let kernel_cols: Vec<usize> = (0..m).filter(|&p| self.head[p] < n).collect();
        let kernel_rows: Vec<usize> = (0..m).filter(|&i| self.pos[n + i] == NONBASIC).collect();
        let k = kernel_cols.len();
        let mut ok = k == kernel_rows.len();
        let mut kinv = Vec::new();
        if ok && k > 0 {
            let mut row_at = vec![usize::MAX; m];
            kernel_rows
                .iter()
                .enumerate()
                .for_each(|(t, &i)| row_at[i] = t);
            // K[t][c] = A[kernel_rows[t]][head[kernel_cols[c]]]; invert by Gauss–Jordan.
            let mut a = vec![0.0; k * k];
            for (c, &p) in kernel_cols.iter().enumerate() {
                for &(i, v) in &self.cols[self.head[p]] {
                    let t = row_at[i as usize];
                    if t != usize::MAX {
                        a[t * k + c] = v;
                    }
                }
            }
            match invert(&mut a, k) {
                Some(inv) => kinv = inv,
                None => ok = false,
            }
        }
        if !ok {
            self.slack_basis();
            return;
        }
        // Column index in the kernel of each basic structural.
        let mut kcol = vec![usize::MAX; n];
        for (c, &p) in kernel_cols.iter().enumerate() {
            kcol[self.head[p]] = c;
        }
        self.binv[..m * cap].iter_mut().for_each(|v| *v = 0.0);
        for p in 0..m {
            let v = self.head[p];
            let dst = &mut self.binv[p * cap..p * cap + m];
            if v < n {
                let c = kcol[v];
                for (t, &i) in kernel_rows.iter().enumerate() {
                    dst[i] = kinv[c * k + t];
                }
            } else {
                let i = v - n;
                for &(j, a) in &self.rows[i] {
                    let c = kcol[j as usize];
                    if c != usize::MAX {
                        for (t, &r) in kernel_rows.iter().enumerate() {
                            dst[r] += a * kinv[c * k + t];
                        }
                    }
                }
                dst[i] = -1.0;
            }
            self.dse[p] = dst.iter().map(|v| v * v).sum::<f64>().max(1e-12);
        }
        self.recompute_duals();
        self.recompute_primal();
    }

    /// All slacks basic, structurals at the bound their cost prefers.
    fn slack_basis(&mut self) {
        let n = self.n;
        let m = self.rows.len();
        let cap = self.cap;
        self.updates = 0;
        for j in 0..n {
            self.pos[j] = NONBASIC;
        }
        self.head.clear();
        for i in 0..m {
            self.pos[n + i] = i;
            self.head.push(n + i);
        }
        self.binv[..m * cap].iter_mut().for_each(|v| *v = 0.0);
        for p in 0..m {
            self.binv[p * cap + p] = -1.0;
            self.dse[p] = 1.0;
        }
        self.recompute_duals();
        self.recompute_primal();
    }

    /// y = c_B B⁻¹, reduced costs of nonbasic variables, then bound flips for any sign error.
    fn recompute_duals(&mut self) {
        let n = self.n;
        let m = self.rows.len();
        let cap = self.cap;
        let y = &mut self.work;
        y[..m].iter_mut().for_each(|v| *v = 0.0);
        for p in 0..m {
            let v = self.head[p];
            if v < n && self.pcost[v] != 0.0 {
                let c = self.pcost[v];
                for (t, s) in y[..m].iter_mut().zip(&self.binv[p * cap..p * cap + m]) {
                    *t += c * s;
                }
            }
        }
        for j in 0..n {
            self.d[j] = if self.pos[j] == NONBASIC {
                self.pcost[j]
                    - self.cols[j]
                        .iter()
                        .map(|&(i, a)| a * y[i as usize])
                        .sum::<f64>()
            } else {
                0.0
            };
        }
        for i in 0..m {
            self.d[n + i] = if self.pos[n + i] == NONBASIC {
                y[i]
            } else {
                0.0
            };
        }
        // Nonbasic variables sit at the bound their reduced cost asks for.
        for v in 0..n + m {
            if self.pos[v] != NONBASIC || self.lo[v] == self.up[v] {
                continue;
            }
            if self.d[v] > DUAL_TOL && self.x[v] != self.lo[v] {
                self.x[v] = self.lo[v];
                self.primal_stale = true;
            } else if self.d[v] < -DUAL_TOL && self.x[v] != self.up[v] {
                self.x[v] = self.up[v];
                self.primal_stale = true;
            } else if self.x[v] != self.lo[v] && self.x[v] != self.up[v] {
                self.x[v] = self.lo[v];
                self.primal_stale = true;
            }
        }
    }

    /// x_B = −B⁻¹ N x_N.
    fn recompute_primal(&mut self) {
        let n = self.n;
        let m = self.rows.len();
        let cap = self.cap;
        let w = &mut self.work;
        w[..m].iter_mut().for_each(|v| *v = 0.0);
        for j in 0..n {
            if self.pos[j] == NONBASIC && self.x[j] != 0.0 {
                for &(i, a) in &self.cols[j] {
                    w[i as usize] += a * self.x[j];
                }
            }
        }
        for i in 0..m {
            if self.pos[n + i] == NONBASIC {
                w[i] -= self.x[n + i];
            }
        }
        let nz: Vec<usize> = (0..m).filter(|&i| w[i] != 0.0).collect();
        for p in 0..m {
            let row = &self.binv[p * cap..p * cap + m];
            let s: f64 = nz.iter().map(|&i| row[i] * w[i]).sum();
            self.x[self.head[p]] = -s;
        }
        self.primal_stale = false;
    }

    /// column = B⁻¹ a_v for variable v.
    fn ftran(&mut self, v: usize) {
        let m = self.rows.len();
        let cap = self.cap;
        let col = &mut self.column;
        if v < self.n {
            let entries = &self.cols[v];
            for p in 0..m {
                let row = &self.binv[p * cap..p * cap + m];
                col[p] = entries.iter().map(|&(i, a)| a * row[i as usize]).sum();
            }
        } else {
            let i = v - self.n;
            for p in 0..m {
                col[p] = -self.binv[p * cap + i];
            }
        }
    }

    /// Runs the dual simplex until optimal, infeasible, the bound reaches `cutoff`, `limit`
    /// iterations pass or the deadline comes.
    pub(crate) fn solve(&mut self, limit: u64, cutoff: f64, deadline: Option<Instant>) -> Status {
        if self.primal_stale {
            self.recompute_primal();
        }
        let n = self.n;
        let mut done = 0u64;
        let mut rc = Vec::new();
        let mut retried = false;
        loop {
            let m = self.rows.len();
            if self.updates >= REFACTOR_EVERY {
                self.refactor();
            }
            // Leaving row: largest infeasibility relative to its steepest-edge weight.
            let mut leave = usize::MAX;
            let mut best = 0.0;
            for p in 0..m {
                let v = self.head[p];
                let x = self.x[v];
                let inf = if x < self.lo[v] - PRIMAL_TOL {
                    self.lo[v] - x
                } else if x > self.up[v] + PRIMAL_TOL {
                    x - self.up[v]
                } else {
                    continue;
                };
                let score = inf * inf / self.dse[p];
                if score > best {
                    best = score;
                    leave = p;
                }
            }
            if leave == usize::MAX {
                // Optimal: confirm on a fresh factorisation once if many updates piled up.
                return Status::Optimal;
            }
            if done >= limit || (done % 32 == 31 && deadline.is_some_and(|t| Instant::now() >= t)) {
                return Status::Stopped;
            }
            if cutoff.is_finite() && done % 8 == 7 {
                let obj: f64 = (0..n).map(|j| self.pcost[j] * self.x[j]).sum();
                if obj >= cutoff && self.bound(&mut rc) >= cutoff {
                    return Status::Cutoff;
                }
            }
            done += 1;
            self.iterations += 1;
            match self.iterate(leave) {
                Step::Done => {}
                Step::Unbounded => {
                    if self.updates > 0 {
                        // Confirm on a fresh factorisation before declaring infeasibility.
                        self.refactor();
                        if !retried {
                            retried = true;
                            continue;
                        }
                    }
                    return Status::Infeasible;
                }
                Step::Unstable => self.refactor(),
            }
        }
    }

    fn iterate(&mut self, p: usize) -> Step {
        let n = self.n;
        let m = self.rows.len();
        let cap = self.cap;
        let leaving = self.head[p];
        let (s, target) = if self.x[leaving] < self.lo[leaving] {
            (1.0, self.lo[leaving])
        } else {
            (-1.0, self.up[leaving])
        };
        let mut slope = (self.x[leaving] - target).abs();
        // Pivot row ρ = e_p B⁻¹ and α_v = ρ·a_v for nonbasic v.
        self.rho_nz.clear();
        for i in 0..m {
            let v = self.binv[p * cap + i];
            self.rho[i] = v;
            if v.abs() > 1e-12 {
                self.rho_nz.push(i);
            }
        }
        for &j in &self.touched {
            self.alpha[j] = 0.0;
            self.marked[j] = false;
        }
        self.touched.clear();
        for &i in &self.rho_nz {
            let r = self.rho[i];
            for &(j, a) in &self.rows[i] {
                let j = j as usize;
                if self.pos[j] == NONBASIC {
                    if !self.marked[j] {
                        self.marked[j] = true;
                        self.touched.push(j);
                    }
                    self.alpha[j] += r * a;
                }
            }
        }
        // Candidates (variable, α', ratio) where α' = s·α.
        let mut cand: Vec<(usize, f64, f64)> = Vec::new();
        let mut consider = |v: usize, a: f64, lp: &Lp| {
            if lp.lo[v] == lp.up[v] {
                return;
            }
            let a = s * a;
            let at_lower = lp.x[v] == lp.lo[v];
            if at_lower && a < -PIVOT_TOL {
                cand.push((v, a, lp.d[v].max(0.0) / -a));
            } else if !at_lower && a > PIVOT_TOL {
                cand.push((v, a, (-lp.d[v]).max(0.0) / a));
            }
        };
        for &j in &self.touched {
            consider(j, self.alpha[j], self);
        }
        for &i in &self.rho_nz {
            if self.pos[n + i] == NONBASIC {
                consider(n + i, -self.rho[i], self);
            }
        }
        if cand.is_empty() {
            self.keep_ray(s);
            return Step::Unbounded;
        }
        cand.sort_by(|a, b| a.2.total_cmp(&b.2));
        // Bound-flipping ratio test: pass breakpoints while the dual objective still rises.
        let mut k = 0;
        loop {
            let (v, a, _) = cand[k];
            let after = slope - a.abs() * (self.up[v] - self.lo[v]);
            if after <= PRIMAL_TOL {
                break;
            }
            if k + 1 == cand.len() {
                // Every breakpoint passed and the objective still rises: no feasible point.
                self.keep_ray(s);
                return Step::Unbounded;
            }
            slope = after;
            k += 1;
        }
        // Harris-style choice: among ratios close to the k-th, the largest pivot.
        let limit = cand[k].2 + DUAL_TOL / cand[k].1.abs().max(1e-3);
        let mut q = k;
        for (t, c) in cand.iter().enumerate().skip(k) {
            if c.2 > limit {
                break;
            }
            if c.1.abs() > cand[q].1.abs() {
                q = t;
            }
        }
        let (entering, _, step) = cand[q];
        let flips: Vec<usize> = cand[..k].iter().map(|c| c.0).collect();
        let step = step.max(0.0);
        // Entering column.
        self.ftran(entering);
        let piv = self.column[p];
        let alpha_q = if entering < n {
            self.alpha[entering]
        } else {
            -self.rho[entering - n]
        };
        if piv.abs() < PIVOT_TOL || (piv - alpha_q).abs() > 1e-6 * (1.0 + piv.abs()) {
            return Step::Unstable;
        }
        // Bound flips move the basic variables: Δx_B = −B⁻¹ Σ a_v Δx_v.
        if !flips.is_empty() {
            let w = &mut self.work;
            w[..m].iter_mut().for_each(|v| *v = 0.0);
            for &v in &flips {
                let delta = if self.x[v] == self.lo[v] {
                    self.up[v] - self.lo[v]
                } else {
                    self.lo[v] - self.up[v]
                };
                self.x[v] += delta;
                if v < n {
                    for &(i, a) in &self.cols[v] {
                        w[i as usize] += a * delta;
                    }
                } else {
                    w[v - n] -= delta;
                }
            }
            let nz: Vec<usize> = (0..m).filter(|&i| w[i] != 0.0).collect();
            for r in 0..m {
                let row = &self.binv[r * cap..r * cap + m];
                let dv: f64 = nz.iter().map(|&i| row[i] * w[i]).sum();
                self.x[self.head[r]] -= dv;
            }
        }
        // Dual step.
        if step > 0.0 {
            for &j in &self.touched {
                self.d[j] += step * s * self.alpha[j];
            }
            for &i in &self.rho_nz {
                if self.pos[n + i] == NONBASIC {
                    self.d[n + i] -= step * s * self.rho[i];
                }
            }
        }
        self.d[leaving] = s * step;
        self.d[entering] = 0.0;
        // Primal step.
        let dq = (self.x[leaving] - target) / piv;
        for r in 0..m {
            let c = self.column[r];
            if c != 0.0 {
                self.x[self.head[r]] -= c * dq;
            }
        }
        self.x[entering] += dq;
        self.x[leaving] = target;
        // Basis inverse: pivot on column[p]; steepest-edge weights of the rows it changes.
        let wp = self.dse[p];
        {
            let (rho, rho_nz, col) = (&self.rho, &self.rho_nz, &self.column);
            // The pivot row packed: (index, value) pairs read in one stream.
            let packed: Vec<(usize, f64)> = rho_nz.iter().map(|&i| (i, rho[i])).collect();
            for r in 0..m {
                let c = col[r];
                if r == p || c.abs() <= 1e-14 {
                    continue;
                }
                let f = c / piv;
                let row = &mut self.binv[r * cap..r * cap + m];
                let mut tau = 0.0;
                for &(i, v) in &packed {
                    let e = &mut row[i];
                    tau += *e * v;
                    *e -= f * v;
                }
                self.dse[r] = (self.dse[r] - 2.0 * f * tau + f * f * wp).max(1e-12);
            }
            let rowp = &mut self.binv[p * cap..p * cap + m];
            for &i in rho_nz {
                rowp[i] /= piv;
            }
            self.dse[p] = (wp / (piv * piv)).max(1e-12);
        }
        self.head[p] = entering;
        self.pos[entering] = p;
        self.pos[leaving] = NONBASIC;
        self.updates += 1;
        Step::Done
    }
}

#[derive(Default)]
pub(crate) struct Snapshot {
    m: usize,
    binv: Vec<f64>,
    head: Vec<usize>,
    pos: Vec<usize>,
    x: Vec<f64>,
    d: Vec<f64>,
    lo: Vec<f64>,
    up: Vec<f64>,
    dse: Vec<f64>,
    updates: usize,
    stale: bool,
}

enum Step {
    Done,
    Unbounded,
    Unstable,
}

/// A fixed pseudo-random number in [0, 1) for index j.
fn jitter(j: usize) -> f64 {
    let mut z = (j as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// Inverse of the k × k row-major matrix by Gauss–Jordan with partial pivoting.
fn invert(a: &mut [f64], k: usize) -> Option<Vec<f64>> {
    let mut inv = vec![0.0; k * k];
    for i in 0..k {
        inv[i * k + i] = 1.0;
    }
    for c in 0..k {
        let piv = (c..k).max_by(|&x, &y| a[x * k + c].abs().total_cmp(&a[y * k + c].abs()))?;
        if a[piv * k + c].abs() < 1e-9 {
            return None;
        }
        if piv != c {
            for t in 0..k {
                a.swap(piv * k + t, c * k + t);
                inv.swap(piv * k + t, c * k + t);
            }
        }
        let f = 1.0 / a[c * k + c];
        for t in 0..k {
            a[c * k + t] *= f;
            inv[c * k + t] *= f;
        }
        let (pa, pi) = (
            a[c * k..(c + 1) * k].to_vec(),
            inv[c * k..(c + 1) * k].to_vec(),
        );
        let nz: Vec<usize> = (0..k).filter(|&t| pa[t] != 0.0).collect();
        let nzi: Vec<usize> = (0..k).filter(|&t| pi[t] != 0.0).collect();
        for r in 0..k {
            if r == c {
                continue;
            }
            let g = a[r * k + c];
            if g == 0.0 {
                continue;
            }
            for &t in &nz {
                a[r * k + t] -= g * pa[t];
            }
            for &t in &nzi {
                inv[r * k + t] -= g * pi[t];
            }
        }
    }
    Some(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, k: u64) -> u64 {
            self.next() % k
        }
    }

    /// A random covering LP: rows of 1–4 columns, costs whole or not.
    fn random(rng: &mut Rng) -> (Vec<f64>, Vec<Vec<(usize, f64)>>) {
        let n = 4 + rng.below(14) as usize;
        let m = 3 + rng.below(20) as usize;
        let whole = rng.below(2) == 0;
        let cost = (0..n)
            .map(|_| {
                if whole {
                    1.0 + rng.below(9) as f64
                } else {
                    0.5 + rng.below(1000) as f64 / 100.0
                }
            })
            .collect();
        let rows = (0..m)
            .map(|_| {
                let mut r: Vec<usize> = (0..1 + rng.below(4))
                    .map(|_| rng.below(n as u64) as usize)
                    .collect();
                r.sort_unstable();
                r.dedup();
                r.into_iter().map(|j| (j, 1.0)).collect()
            })
            .collect();
        (cost, rows)
    }

    /// Optimal means: the point satisfies rows and bounds, and a valid bound meets its cost.
    fn assert_certified(lp: &Lp) {
        let x = lp.x();
        for j in 0..lp.n {
            assert!(
                x[j] >= lp.lo[j] - 1e-7 && x[j] <= lp.up[j] + 1e-7,
                "bounds of {j}"
            );
        }
        for i in 0..lp.rows() {
            let act: f64 = lp.row(i).iter().map(|&(j, a)| a * x[j as usize]).sum();
            assert!(act >= lp.rhs(i) - 1e-6, "row {i}: {act} < {}", lp.rhs(i));
        }
        let obj = lp.objective();
        let bound = lp.bound(&mut Vec::new());
        assert!(
            bound <= obj + 1e-6 && obj - bound <= 1e-5 * (1.0 + obj),
            "{bound} vs {obj}"
        );
    }

    #[test]
    fn random_covering_lps_are_solved_with_a_certificate() {
        let mut rng = Rng(11);
        for _ in 0..150 {
            let (cost, rows) = random(&mut rng);
            let n = cost.len();
            let rhs = vec![1.0; rows.len()];
            let mut lp = Lp::new(&cost, &rows, &rhs);
            assert_eq!(lp.solve(u64::MAX, f64::INFINITY, None), Status::Optimal);
            assert_certified(&lp);
            // Branching: fix columns either way, then free them again, warm-started each time.
            let mut fixed = vec![None; n];
            for step in 0..6 {
                let j = rng.below(n as u64) as usize;
                let v = if step == 5 {
                    None
                } else {
                    Some(rng.below(2) == 1)
                };
                fixed[j] = v;
                match v {
                    Some(true) => lp.set_bounds(j, 1.0, 1.0),
                    Some(false) => lp.set_bounds(j, 0.0, 0.0),
                    None => lp.set_bounds(j, 0.0, 1.0),
                }
                let possible = rows
                    .iter()
                    .all(|r| r.iter().any(|&(j, _)| fixed[j] != Some(false)));
                match lp.solve(u64::MAX, f64::INFINITY, None) {
                    Status::Optimal => {
                        assert!(possible);
                        assert_certified(&lp);
                    }
                    Status::Infeasible => {
                        assert!(!possible);
                        assert!(lp.ray_bound() > 1e3, "ray bound {}", lp.ray_bound());
                    }
                    other => panic!("{other:?}"),
                }
            }
            // Cutting planes: rows with larger coefficients that x = 1 satisfies.
            for j in 0..n {
                lp.set_bounds(j, 0.0, 1.0);
            }
            for _ in 0..3 {
                let mut row: Vec<(usize, f64)> = Vec::new();
                for j in 0..n {
                    if rng.below(3) == 0 {
                        row.push((j, 1.0 + rng.below(3) as f64));
                    }
                }
                let most: f64 = row.iter().map(|&(_, a)| a).sum();
                if most >= 1.0 {
                    lp.add_row(&row, (1.0 + rng.below(most as u64) as f64).min(most));
                }
                assert_eq!(lp.solve(u64::MAX, f64::INFINITY, None), Status::Optimal);
                assert_certified(&lp);
            }
        }
    }

    #[test]
    fn a_snapshot_brings_back_the_optimum() {
        let mut rng = Rng(5);
        for _ in 0..40 {
            let (cost, rows) = random(&mut rng);
            let mut lp = Lp::new(&cost, &rows, &vec![1.0; rows.len()]);
            assert_eq!(lp.solve(u64::MAX, f64::INFINITY, None), Status::Optimal);
            let before = lp.objective();
            let mut saved = Snapshot::default();
            lp.snapshot(&mut saved);
            let j = rng.below(cost.len() as u64) as usize;
            lp.set_bounds(j, 1.0, 1.0);
            lp.solve(3, f64::INFINITY, None);
            lp.restore(&saved);
            assert_eq!(lp.solve(u64::MAX, f64::INFINITY, None), Status::Optimal);
            assert!((lp.objective() - before).abs() < 1e-9);
            assert_certified(&lp);
        }
    }

    #[test]
    fn dropping_slack_rows_keeps_the_optimum() {
        let mut rng = Rng(8);
        for _ in 0..40 {
            let (cost, rows) = random(&mut rng);
            let mut lp = Lp::new(&cost, &rows, &vec![1.0; rows.len()]);
            assert_eq!(lp.solve(u64::MAX, f64::INFINITY, None), Status::Optimal);
            let before = lp.objective();
            let keep: Vec<bool> = (0..lp.rows())
                .map(|i| !lp.row_basic(i) || lp.slack(i) < 1e-9)
                .collect();
            lp.remove_rows(&keep);
            assert_eq!(lp.solve(u64::MAX, f64::INFINITY, None), Status::Optimal);
            assert!((lp.objective() - before).abs() < 1e-6);
        }
    }
}
