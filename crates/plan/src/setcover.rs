//! Set covering: the cheapest (for sites: fewest) columns so every row is covered.
//! Reductions first (kept and essential columns, dominated rows and columns), then each
//! independent component gets a Lagrangian root (bound, fixings, a first plan); what that leaves
//! open is reduced again, or solved by LP branch and cut ([`crate::branchcut`]).

use std::time::Instant;

use crate::bnb::{self, Count, Fix, Outcome, Relaxation};
use crate::branchcut;
use crate::orlib::ScpInstance;
use crate::{Instance, PlanError, Problem, SolveOptions, SolveReport};

pub(crate) struct Cover {
    /// rows[i]: columns covering row i (local numbering).
    pub(crate) rows: Vec<Vec<usize>>,
    /// cols[j]: rows covered by column j.
    pub(crate) cols: Vec<Vec<usize>>,
    pub(crate) cost: Vec<f64>,
    pub(crate) integral: bool,
}

impl Relaxation for Cover {
    fn sites(&self) -> usize {
        self.cols.len()
    }

    fn count(&self) -> Count {
        Count::Any
    }

    fn integral(&self) -> bool {
        self.integral
    }

    fn nonnegative(&self) -> bool {
        true
    }

    fn initial_multipliers(&self) -> Vec<f64> {
        self.rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&j| self.cost[j] / self.cols[j].len() as f64)
                    .fold(f64::INFINITY, f64::min)
            })
            .collect()
    }

    fn values(&self, u: &[f64], fix: &[Fix], rho: &mut [f64]) -> f64 {
        for (j, col) in self.cols.iter().enumerate() {
            if fix[j] != Fix::Closed {
                rho[j] = self.cost[j] - col.iter().map(|&i| u[i]).sum::<f64>();
            }
        }
        u.iter().sum()
    }

    fn subgradient(&self, _u: &[f64], chosen: &[usize], g: &mut [f64]) {
        g.iter_mut().for_each(|x| *x = 1.0);
        for &j in chosen {
            for &i in &self.cols[j] {
                g[i] -= 1.0;
            }
        }
    }

    fn feasible(&self, fix: &[Fix]) -> bool {
        self.rows
            .iter()
            .all(|r| r.iter().any(|&j| fix[j] != Fix::Closed))
    }

    fn primal(&self, seed: &[usize], u: &[f64], fix: &[Fix]) -> Option<(Vec<usize>, f64)> {
        let mut plan = Plan {
            cover: self,
            fix,
            count: vec![0; self.rows.len()],
            open: vec![false; self.cols.len()],
        };
        (0..fix.len())
            .filter(|&j| fix[j] == Fix::Open)
            .for_each(|j| plan.add(j));
        seed.iter()
            .filter(|&&j| fix[j] != Fix::Closed)
            .for_each(|&j| plan.add(j));
        // Lagrangian greedy repair: least cost per unit of price of the rows newly covered.
        while let Some(i) = plan.count.iter().position(|&c| c == 0) {
            let score = |j: usize| {
                let price: f64 = self.cols[j]
                    .iter()
                    .filter(|&&r| plan.count[r] == 0)
                    .map(|&r| u[r] + 1e-6)
                    .sum();
                self.cost[j] / price
            };
            let best = self.rows[i]
                .iter()
                .copied()
                .filter(|&j| fix[j] != Fix::Closed)
                .min_by(|&a, &b| score(a).total_cmp(&score(b)))?;
            plan.add(best);
        }
        let mut picked: Vec<usize> = (0..self.cols.len()).filter(|&j| plan.open[j]).collect();
        plan.drop_redundant(&mut picked);
        // Add one column where that lets two or more (or dearer ones) go.
        // Sideways moves (same cost) are taken too: they open the way to later savings. The
        // scan starts somewhere else on each pass so it does not undo its own moves.
        let m = self.cols.len();
        for pass in 0..8 {
            let mut moved = false;
            for k in (0..m).map(|x| (x + pass * 7919) % m) {
                if plan.open[k] || fix[k] == Fix::Closed {
                    continue;
                }
                plan.add(k);
                let mut near: Vec<usize> = self.cols[k]
                    .iter()
                    .flat_map(|&i| self.rows[i].iter().copied())
                    .collect();
                near.sort_unstable();
                near.dedup();
                near.retain(|&j| j != k && plan.open[j]);
                let before: f64 = near.iter().map(|&j| self.cost[j]).sum();
                let mut kept = near.clone();
                plan.drop_redundant(&mut kept);
                let after: f64 = kept.iter().map(|&j| self.cost[j]).sum();
                if kept.len() < near.len() && before - after >= self.cost[k] - 1e-9 {
                    moved = true;
                } else {
                    near.iter().for_each(|&j| plan.add(j));
                    plan.remove(k);
                }
            }
            if !moved {
                break;
            }
        }
        let picked: Vec<usize> = (0..self.cols.len()).filter(|&j| plan.open[j]).collect();
        let cost = picked.iter().map(|&j| self.cost[j]).sum();
        Some((picked, cost))
    }
}

/// A cover under construction: how often each row is covered and which columns are in.
struct Plan<'a> {
    cover: &'a Cover,
    fix: &'a [Fix],
    count: Vec<u32>,
    open: Vec<bool>,
}

impl Plan<'_> {
    fn add(&mut self, j: usize) {
        if !self.open[j] {
            self.open[j] = true;
            self.cover.cols[j].iter().for_each(|&i| self.count[i] += 1);
        }
    }

    fn remove(&mut self, j: usize) {
        if self.open[j] {
            self.open[j] = false;
            self.cover.cols[j].iter().for_each(|&i| self.count[i] -= 1);
        }
    }

    /// Removes columns of `picked` that the others make redundant, dearest first.
    fn drop_redundant(&mut self, picked: &mut Vec<usize>) {
        let cost = &self.cover.cost;
        picked.sort_by(|&a, &b| {
            cost[b]
                .total_cmp(&cost[a])
                .then(self.cover.cols[a].len().cmp(&self.cover.cols[b].len()))
        });
        picked.retain(|&j| {
            let redundant =
                self.fix[j] != Fix::Open && self.cover.cols[j].iter().all(|&i| self.count[i] > 1);
            if redundant {
                self.remove(j);
            }
            !redundant
        });
    }
}

/// A proven (or time-limited) cover of all rows, in the caller's column numbering.
pub(crate) struct CoverOutcome {
    pub open: Vec<usize>,
    pub objective: f64,
    pub bound: f64,
    pub optimal: bool,
    pub nodes: u64,
}

/// Solves a set covering problem given, for each row, the columns that cover it.
/// `keep` columns are forced into the cover.
pub(crate) fn solve_cover(
    rows: &[Vec<usize>],
    cost: &[f64],
    keep: &[bool],
    opts: &SolveOptions,
) -> CoverOutcome {
    let started = Instant::now();
    let reduced = reduce(rows, cost, keep);
    let mut out = CoverOutcome {
        objective: reduced.fixed.iter().map(|&j| cost[j]).sum(),
        bound: 0.0,
        open: reduced.fixed,
        optimal: true,
        nodes: 0,
    };
    out.bound = out.objective;
    for comp in components(&reduced.rows, cost.len()) {
        let sub_opts = SolveOptions {
            time_limit: opts.time_limit.map(|t| t.saturating_sub(started.elapsed())),
            progress: opts.progress,
        };
        let part = solve_component(&reduced.rows, &comp, cost, &sub_opts);
        out.open.extend(part.open);
        out.objective += part.objective;
        out.bound += part.bound;
        out.optimal &= part.optimal;
        out.nodes += part.nodes;
    }
    out.open.sort_unstable();
    out
}

/// Runs the root of one component; when it fixes columns, what is left is reduced again and
/// often falls apart into smaller independent components (as geography does), so it recurses
/// instead of branching over the whole component at once.
fn solve_component(
    rows: &[Vec<usize>],
    comp: &[usize],
    cost: &[f64],
    opts: &SolveOptions,
) -> CoverOutcome {
    let started = Instant::now();
    let (cover, back) = local_problem(rows, comp, cost);
    let (root, fix) = bnb::root(&cover, vec![Fix::Free; back.len()], opts, "set cover");
    // What the root left of the time limit.
    let opts = &SolveOptions {
        time_limit: opts.time_limit.map(|t| t.saturating_sub(started.elapsed())),
        progress: opts.progress,
    };
    let whole = |o: Outcome| CoverOutcome {
        open: o.open.iter().map(|&j| back[j]).collect(),
        objective: o.objective,
        bound: o.bound,
        optimal: o.optimal,
        nodes: o.nodes,
    };
    let settled = fix.iter().filter(|&&f| f != Fix::Free).count();
    let spent = opts.time_limit.is_some_and(|t| t.is_zero());
    if root.optimal || spent {
        return whole(root);
    }
    if settled == 0 && cover.rows.len() > branchcut::MAX_ROWS {
        return whole(bnb::solve(&cover, fix, opts, "set cover"));
    }
    if settled == 0 {
        // Nothing fixed: the LP with cutting planes bounds far better than the Lagrangian here.
        let plan = root
            .objective
            .is_finite()
            .then(|| (root.open.clone(), root.objective));
        let mut out = whole(branchcut::solve(&cover, plan, opts, "set cover"));
        out.nodes += root.nodes;
        return out;
    }
    // Plans better than the root's incumbent keep every fixing, so solve what remains.
    let opened: Vec<usize> = (0..fix.len())
        .filter(|&j| fix[j] == Fix::Open)
        .map(|j| back[j])
        .collect();
    let mut taken = vec![false; cost.len()];
    opened.iter().for_each(|&j| taken[j] = true);
    let residual: Vec<Vec<usize>> = cover
        .rows
        .iter()
        .filter(|r| !r.iter().any(|&j| fix[j] == Fix::Open))
        .map(|r| {
            r.iter()
                .filter(|&&j| fix[j] != Fix::Closed)
                .map(|&j| back[j])
                .collect()
        })
        .collect();
    let rest = solve_cover(&residual, cost, &vec![false; cost.len()], opts);
    let base: f64 = opened.iter().map(|&j| cost[j]).sum();
    let tol = if cover.integral {
        0.0
    } else {
        bnb::REL_TOL * root.objective.abs()
    };
    let mut out = whole(root);
    out.nodes += rest.nodes;
    out.bound = out.bound.max((out.objective - tol).min(base + rest.bound));
    if base + rest.objective < out.objective {
        out.objective = base + rest.objective;
        out.open = opened.into_iter().chain(rest.open).collect();
    }
    out.optimal = out.objective - out.bound <= tol.max(1e-9);
    out
}

struct Reduced {
    /// Columns forced in (kept or essential).
    fixed: Vec<usize>,
    /// Rows still to cover, each with its surviving columns.
    rows: Vec<Vec<usize>>,
}

/// Removes kept and essential columns with the rows they cover, rows implied by other rows,
/// and columns another column covers at no more cost; repeats until nothing changes.
fn reduce(rows: &[Vec<usize>], cost: &[f64], keep: &[bool]) -> Reduced {
    let ncols = cost.len();
    let mut rows: Vec<Vec<usize>> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.sort_unstable();
            r.dedup();
            r
        })
        .collect();
    let mut fixed: Vec<usize> = (0..ncols).filter(|&j| keep[j]).collect();
    let mut in_fixed = keep.to_vec();
    loop {
        let before = (rows.len(), rows.iter().map(Vec::len).sum::<usize>());
        for r in &rows {
            if let [j] = r[..]
                && !in_fixed[j]
            {
                in_fixed[j] = true;
                fixed.push(j);
            }
        }
        rows.retain(|r| !r.iter().any(|&j| in_fixed[j]));
        rows = drop_dominated_rows(rows, ncols);
        let dominated = dominated_columns(&rows, cost);
        for r in &mut rows {
            r.retain(|&j| !dominated[j]);
        }
        if (rows.len(), rows.iter().map(Vec::len).sum::<usize>()) == before {
            return Reduced { fixed, rows };
        }
    }
}

fn column_lists(rows: &[Vec<usize>], ncols: usize) -> Vec<Vec<usize>> {
    let mut cols = vec![Vec::new(); ncols];
    for (i, r) in rows.iter().enumerate() {
        r.iter().for_each(|&j| cols[j].push(i));
    }
    cols
}

fn is_subset(small: &[usize], big: &[usize]) -> bool {
    let mut it = big.iter();
    small.iter().all(|x| it.any(|y| y == x))
}

/// A row whose columns include all columns of another row is covered whenever that row is.
fn drop_dominated_rows(mut rows: Vec<Vec<usize>>, ncols: usize) -> Vec<Vec<usize>> {
    rows.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    rows.dedup();
    let cols = column_lists(&rows, ncols);
    let mut gone = vec![false; rows.len()];
    for a in 0..rows.len() {
        if gone[a] {
            continue;
        }
        let Some(&pivot) = rows[a].iter().min_by_key(|&&j| cols[j].len()) else {
            continue;
        };
        for &b in &cols[pivot] {
            if b != a && !gone[b] && rows[b].len() >= rows[a].len() && is_subset(&rows[a], &rows[b])
            {
                gone[b] = true;
            }
        }
    }
    rows.into_iter()
        .zip(gone)
        .filter(|(_, g)| !g)
        .map(|(r, _)| r)
        .collect()
}

/// Columns not worth keeping: covered by a single column of no greater cost (ties keep the
/// lower index), or costing at least the cheapest way to cover each of their rows separately.
fn dominated_columns(rows: &[Vec<usize>], cost: &[f64]) -> Vec<bool> {
    let cols = column_lists(rows, cost.len());
    let mut gone = vec![false; cost.len()];
    for j in 0..cost.len() {
        if cols[j].is_empty() {
            gone[j] = true;
            continue;
        }
        // Strictly cheaper piecewise cover; only valid when every row has another column.
        let alone: f64 = cols[j]
            .iter()
            .map(|&i| {
                rows[i]
                    .iter()
                    .filter(|&&k| k != j)
                    .map(|&k| cost[k])
                    .fold(f64::INFINITY, f64::min)
            })
            .sum();
        if alone < cost[j] {
            gone[j] = true;
            continue;
        }
        let pivot = cols[j]
            .iter()
            .copied()
            .min_by_key(|&i| rows[i].len())
            .unwrap_or(0);
        gone[j] = rows[pivot].iter().any(|&k| {
            k != j
                && !gone[k]
                && (cost[k] < cost[j]
                    || cost[k] == cost[j] && (cols[k].len() > cols[j].len() || k < j))
                && is_subset(&cols[j], &cols[k])
        });
    }
    gone
}

/// Groups rows that share columns; each group is an independent problem.
fn components(rows: &[Vec<usize>], ncols: usize) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..rows.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut first_row = vec![usize::MAX; ncols];
    for (i, r) in rows.iter().enumerate() {
        for &j in r {
            if first_row[j] == usize::MAX {
                first_row[j] = i;
            } else {
                let (a, b) = (root(&mut parent, i), root(&mut parent, first_row[j]));
                parent[a] = b;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut slot = vec![usize::MAX; rows.len()];
    for i in 0..rows.len() {
        let r = root(&mut parent, i);
        if slot[r] == usize::MAX {
            slot[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[slot[r]].push(i);
    }
    groups
}

/// The component's rows renumbered locally; returns the problem and local → global columns.
fn local_problem(rows: &[Vec<usize>], comp: &[usize], cost: &[f64]) -> (Cover, Vec<usize>) {
    let mut back: Vec<usize> = comp.iter().flat_map(|&i| rows[i].iter().copied()).collect();
    back.sort_unstable();
    back.dedup();
    let local = |j: usize| back.binary_search(&j).unwrap_or_default();
    let lrows: Vec<Vec<usize>> = comp
        .iter()
        .map(|&i| rows[i].iter().map(|&j| local(j)).collect())
        .collect();
    let lcost: Vec<f64> = back.iter().map(|&j| cost[j]).collect();
    let cover = Cover {
        cols: column_lists(&lrows, back.len()),
        integral: lcost.iter().all(|c| c.fract() == 0.0),
        rows: lrows,
        cost: lcost,
    };
    (cover, back)
}

/// The fewest sites (kept offices included) so every demand point has one within `radius`.
pub fn set_cover(
    inst: &Instance,
    radius: f64,
    opts: &SolveOptions,
) -> Result<SolveReport, PlanError> {
    let started = Instant::now();
    let rows = inst.check_coverable(radius)?;
    let out = solve_cover(&rows, &vec![1.0; inst.sites()], &inst.keep, opts);
    let outcome = Outcome {
        open: out.open,
        objective: out.objective,
        bound: out.bound,
        optimal: out.optimal,
        nodes: out.nodes,
    };
    Ok(
        SolveReport::minimise(Problem::SetCover, inst, outcome, started)
            .with_nearest_assignment(inst),
    )
}

impl ScpInstance {
    /// Solves the weighted set covering instance; `open` lists 1-based column numbers.
    pub fn solve(&self, opts: &SolveOptions) -> Result<SolveReport, PlanError> {
        let started = Instant::now();
        let out = solve_cover(
            &self.rows,
            &self.costs,
            &vec![false; self.costs.len()],
            opts,
        );
        let mut r = SolveReport::new(Problem::SetCover, "min", out.objective, out.bound);
        r.optimal = out.optimal;
        r.nodes = out.nodes;
        r.open = out.open.iter().map(|j| (j + 1).to_string()).collect();
        r.seconds = started.elapsed().as_secs_f64();
        Ok(r)
    }
}
