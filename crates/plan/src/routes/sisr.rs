//! Ruin and recreate by slack induction by string removals (Christiaens & Vanden Berghe, 2020):
//! remove a few strings of consecutive clients near a random seed client, reinsert them greedily
//! in random, demand or depot-distance order with "blinks" (positions skipped at random), and keep
//! the result by simulated annealing. Time windows are checked in O(1) per insertion position from
//! each route's earliest start times and latest feasible start times.

use std::time::Instant;

use super::RoutingProblem;

/// Average number of clients removed per ruin (c̄ in the paper).
const MEAN_REMOVED: f64 = 10.0;
/// Longest string removed from one route (L^max).
const MAX_STRING: f64 = 10.0;
/// Chance of removing a split string (a string with a kept block inside) rather than a plain one.
const SPLIT_RATE: f64 = 0.5;
/// Chance that the kept block of a split string stops growing at each step.
const SPLIT_DEPTH: f64 = 0.01;
/// Chance of skipping a better insertion position, which diversifies the recreate.
const BLINK: f64 = 0.01;

/// Marks a client that is in no route (removed by the ruin).
const NONE: u32 = u32::MAX;

/// The problem as flat tables, node 0 the depot.
pub(super) struct Data {
    n: usize,
    dist: Vec<i64>,
    demand: Vec<i64>,
    early: Vec<i64>,
    late: Vec<i64>,
    service: Vec<i64>,
    capacity: i64,
    vehicles: usize,
    /// Every client, nearest first, for each client (the client itself comes first).
    near: Vec<Vec<u32>>,
    /// Cost of one route beyond the fleet: more than any whole plan, so the search drops them.
    over_fleet: i64,
}

impl Data {
    pub(super) fn new(p: &RoutingProblem) -> Self {
        let n = p.clients.len() + 1;
        let mut demand = vec![0];
        let mut early = vec![p.depot_window.0];
        let mut late = vec![p.depot_window.1];
        let mut service = vec![0];
        for c in &p.clients {
            demand.push(c.demand);
            early.push(c.window.0);
            late.push(c.window.1);
            service.push(c.service);
        }
        let near = (0..n)
            .map(|c| {
                let mut v: Vec<u32> = (1..n as u32).collect();
                v.sort_by_key(|&x| (x as usize != c, p.matrix[c * n + x as usize]));
                v
            })
            .collect();
        let over_fleet = (1..n)
            .map(|c| p.matrix[c] + p.matrix[c * n])
            .sum::<i64>()
            .saturating_mul(2)
            + 1;
        Data {
            n,
            dist: p.matrix.clone(),
            demand,
            early,
            late,
            service,
            capacity: p.capacity,
            vehicles: p.vehicles,
            near,
            over_fleet,
        }
    }

    #[inline]
    fn d(&self, a: u32, b: u32) -> i64 {
        self.dist[a as usize * self.n + b as usize]
    }
}

/// One route with its schedule: `start[k]` is the earliest service start at position k and
/// `latest[k]` the latest start that keeps the rest of the route feasible; position 0 is the depot
/// at departure and position len + 1 the depot on return.
struct Route {
    nodes: Vec<u32>,
    load: i64,
    cost: i64,
    start: Vec<i64>,
    latest: Vec<i64>,
}

impl Clone for Route {
    fn clone(&self) -> Self {
        Route {
            nodes: self.nodes.clone(),
            load: self.load,
            cost: self.cost,
            start: self.start.clone(),
            latest: self.latest.clone(),
        }
    }

    // Reuses the buffers: a candidate is copied from the current plan at every iteration.
    fn clone_from(&mut self, src: &Self) {
        self.nodes.clone_from(&src.nodes);
        self.load = src.load;
        self.cost = src.cost;
        self.start.clone_from(&src.start);
        self.latest.clone_from(&src.latest);
    }
}

impl Route {
    fn new() -> Self {
        Route {
            nodes: Vec::new(),
            load: 0,
            cost: 0,
            start: Vec::new(),
            latest: Vec::new(),
        }
    }

    /// Recomputes load, cost and schedule; false if the route breaks a window.
    fn update(&mut self, data: &Data) -> bool {
        let len = self.nodes.len();
        self.start.resize(len + 2, 0);
        self.latest.resize(len + 2, 0);
        self.start[0] = data.early[0];
        let (mut prev, mut load, mut cost, mut ok) = (0u32, 0, 0, true);
        for k in 0..len {
            let c = self.nodes[k];
            let d = data.d(prev, c);
            let t = (self.start[k] + data.service[prev as usize] + d).max(data.early[c as usize]);
            ok &= t <= data.late[c as usize];
            self.start[k + 1] = t;
            cost += d;
            load += data.demand[c as usize];
            prev = c;
        }
        let d = data.d(prev, 0);
        self.start[len + 1] = self.start[len] + data.service[prev as usize] + d;
        ok &= self.start[len + 1] <= data.late[0];
        self.cost = cost + d;
        self.load = load;
        self.latest[len + 1] = data.late[0];
        let mut next = 0u32;
        for k in (1..=len).rev() {
            let c = self.nodes[k - 1];
            self.latest[k] = data.late[c as usize]
                .min(self.latest[k + 1] - data.d(c, next) - data.service[c as usize]);
            next = c;
        }
        self.latest[0] = self.latest[1] - data.d(0, next);
        ok
    }
}

#[derive(Clone)]
struct Plan {
    routes: Vec<Route>,
    route_of: Vec<u32>,
}

impl Plan {
    fn empty(data: &Data) -> Self {
        Plan {
            routes: Vec::new(),
            route_of: vec![NONE; data.n],
        }
    }

    fn objective(&self, data: &Data) -> i64 {
        let over = self.routes.len().saturating_sub(data.vehicles) as i64;
        self.routes.iter().map(|r| r.cost).sum::<i64>() + over * data.over_fleet
    }

    fn copy_from(&mut self, src: &Plan) {
        self.routes.clone_from(&src.routes);
        self.route_of.clone_from(&src.route_of);
    }

    /// Drops empty routes, renumbering the route of each client of a moved route.
    fn drop_empty(&mut self) {
        let mut r = 0;
        while r < self.routes.len() {
            if self.routes[r].nodes.is_empty() {
                self.routes.swap_remove(r);
                if let Some(moved) = self.routes.get(r) {
                    for &c in &moved.nodes {
                        self.route_of[c as usize] = r as u32;
                    }
                }
            } else {
                r += 1;
            }
        }
    }
}

/// SplitMix64: small, fast and good enough for a search; seeded per worker.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n ≥ 1).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }
}

/// Budget and reporting of one worker.
pub(super) struct Limits<'a> {
    pub started: Instant,
    pub seconds: Option<f64>,
    pub iterations: Option<u64>,
    /// Called now and then with (best objective, iterations, seconds).
    pub report: Option<&'a dyn Fn(i64, u64, f64)>,
}

/// What one worker found.
pub(super) struct Found {
    pub routes: Vec<Vec<usize>>,
    pub objective: i64,
    pub iterations: u64,
}

/// Searches from a greedy start until the budget runs out and returns the best plan.
pub(super) fn search(data: &Data, rng: &mut Rng, limits: &Limits) -> Found {
    let mut search = Search {
        data,
        removed: Vec::new(),
        ruined: Vec::new(),
    };
    let mut current = Plan::empty(data);
    search.removed.extend(1..data.n as u32);
    search.recreate(&mut current, rng);
    let mut current_obj = current.objective(data);
    let mut best = current.clone();
    let mut best_obj = current_obj;
    let mut candidate = current.clone();
    // Temperatures scale with the mean cost per client of the start, so the schedule fits any unit.
    let per_client =
        current.routes.iter().map(|r| r.cost).sum::<i64>() as f64 / (data.n - 1) as f64;
    let (t0, t1) = (per_client * 10.0, per_client * 0.1);
    let mut iterations = 0u64;
    let mut last_report = 0.0;
    loop {
        let elapsed = limits.started.elapsed().as_secs_f64();
        let by_time = limits.seconds.map_or(0.0, |s| elapsed / s.max(1e-9));
        let by_count = limits
            .iterations
            .map_or(0.0, |n| iterations as f64 / n.max(1) as f64);
        let progress = by_time.max(by_count);
        if progress >= 1.0 {
            break;
        }
        if let Some(report) = limits.report
            && elapsed - last_report >= 0.2
        {
            last_report = elapsed;
            report(best_obj, iterations, elapsed);
        }
        let temperature = t0 * (t1 / t0).powf(progress);
        // Check the clock in small batches: an iteration takes microseconds.
        let batch = limits
            .iterations
            .map_or(16, |n| n.saturating_sub(iterations).min(16));
        for _ in 0..batch {
            candidate.copy_from(&current);
            search.ruin(&mut candidate, rng);
            search.recreate(&mut candidate, rng);
            let obj = candidate.objective(data);
            iterations += 1;
            if (obj as f64) < current_obj as f64 - temperature * rng.unit().ln() {
                std::mem::swap(&mut current, &mut candidate);
                current_obj = obj;
                if obj < best_obj {
                    best.copy_from(&current);
                    best_obj = obj;
                }
            }
        }
    }
    Found {
        routes: best
            .routes
            .iter()
            .map(|r| r.nodes.iter().map(|&c| c as usize).collect())
            .collect(),
        objective: best_obj,
        iterations,
    }
}

struct Search<'a> {
    data: &'a Data,
    removed: Vec<u32>,
    ruined: Vec<usize>,
}

impl Search<'_> {
    /// Removes strings of clients from routes near a random seed client.
    fn ruin(&mut self, plan: &mut Plan, rng: &mut Rng) {
        let data = self.data;
        let clients = data.n - 1;
        let mean_len = clients as f64 / plan.routes.len().max(1) as f64;
        let max_len = MAX_STRING.min(mean_len);
        let max_strings = 4.0 * MEAN_REMOVED / (1.0 + max_len) - 1.0;
        let strings = (rng.unit() * max_strings) as usize + 1;
        let seed = 1 + rng.below(clients);
        self.ruined.clear();
        for &c in &data.near[seed] {
            if self.ruined.len() >= strings {
                break;
            }
            let r = plan.route_of[c as usize];
            if r == NONE || self.ruined.contains(&(r as usize)) {
                continue;
            }
            let r = r as usize;
            let route = &mut plan.routes[r];
            let len = route.nodes.len();
            let at = route
                .nodes
                .iter()
                .position(|&x| x == c)
                .expect("route_of is kept in step");
            let take = ((rng.unit() * max_len.min(len as f64)) as usize + 1).min(len);
            if take < len && rng.unit() < SPLIT_RATE {
                // A string of take + keep clients around c, of which a block of keep stays.
                let mut keep = 1;
                while take + keep < len && rng.unit() >= SPLIT_DEPTH {
                    keep += 1;
                }
                let total = take + keep;
                let first = window_start(at, total, len, rng);
                let kept = first + rng.below(take + 1);
                for k in (first..first + total).rev() {
                    if !(kept..kept + keep).contains(&k) {
                        let x = route.nodes.remove(k);
                        plan.route_of[x as usize] = NONE;
                        self.removed.push(x);
                    }
                }
            } else {
                let first = window_start(at, take, len, rng);
                for x in route.nodes.drain(first..first + take) {
                    plan.route_of[x as usize] = NONE;
                    self.removed.push(x);
                }
            }
            self.ruined.push(r);
        }
        for &r in &self.ruined {
            let route = &mut plan.routes[r];
            // Without the triangle inequality a shortcut can arrive later; then the route goes too.
            if !route.update(data) {
                for x in route.nodes.drain(..) {
                    plan.route_of[x as usize] = NONE;
                    self.removed.push(x);
                }
                route.update(data);
            }
        }
        plan.drop_empty();
    }

    /// Reinserts every removed client at its cheapest feasible position, with blinks.
    fn recreate(&mut self, plan: &mut Plan, rng: &mut Rng) {
        let data = self.data;
        let order = rng.below(11);
        match order {
            0..4 => {
                for k in (1..self.removed.len()).rev() {
                    self.removed.swap(k, rng.below(k + 1));
                }
            }
            4..8 => self
                .removed
                .sort_by_key(|&c| std::cmp::Reverse(data.demand[c as usize])),
            8..10 => self
                .removed
                .sort_by_key(|&c| std::cmp::Reverse(data.d(0, c))),
            _ => self.removed.sort_by_key(|&c| data.d(0, c)),
        }
        for k in 0..self.removed.len() {
            let c = self.removed[k];
            let (r, at) = self.best_position(plan, c, rng);
            if r == plan.routes.len() {
                plan.routes.push(Route::new());
            }
            let route = &mut plan.routes[r];
            route.nodes.insert(at, c);
            let feasible = route.update(data);
            debug_assert!(feasible, "an insertion keeps its route feasible");
            plan.route_of[c as usize] = r as u32;
        }
        self.removed.clear();
    }

    /// The cheapest feasible (route, position); route = routes.len() means a new route.
    fn best_position(&self, plan: &Plan, c: u32, rng: &mut Rng) -> (usize, usize) {
        let data = self.data;
        let ci = c as usize;
        let (q, e, l, s) = (
            data.demand[ci],
            data.early[ci],
            data.late[ci],
            data.service[ci],
        );
        let mut best = data.d(0, c) + data.d(c, 0);
        if plan.routes.len() >= data.vehicles {
            best += data.over_fleet;
        }
        let mut choice = (plan.routes.len(), 0);
        for (r, route) in plan.routes.iter().enumerate() {
            if route.load + q > data.capacity {
                continue;
            }
            let mut prev = 0u32;
            let len = route.nodes.len();
            for at in 0..=len {
                let next = if at < len { route.nodes[at] } else { 0 };
                let delta = data.d(prev, c) + data.d(c, next) - data.d(prev, next);
                if delta < best {
                    let arrive =
                        (route.start[at] + data.service[prev as usize] + data.d(prev, c)).max(e);
                    if arrive <= l
                        && arrive + s + data.d(c, next) <= route.latest[at + 1]
                        && rng.unit() >= BLINK
                    {
                        best = delta;
                        choice = (r, at);
                    }
                }
                prev = next;
            }
        }
        choice
    }
}

/// A random start for a window of `size` positions that covers `at`, inside 0..len.
fn window_start(at: usize, size: usize, len: usize, rng: &mut Rng) -> usize {
    let lo = (at + 1).saturating_sub(size);
    let hi = at.min(len - size);
    lo + rng.below(hi - lo + 1)
}
