//! Vehicle routing with time windows (VRPTW): the routing core of a team's day, and its check
//! against the Solomon benchmark.
//!
//! The model is independent of any file format: whole-number travel times (equal to the cost of
//! an arc), client demands, time windows and service durations, a fleet of identical vehicles and
//! the depot's opening hours. The solver minimises total travel cost with at most `vehicles` routes.

mod sisr;
mod solomon;

use std::time::{Duration, Instant};

use serde::Serialize;

pub use solomon::{
    RouteCheck, SolomonInstance, SolomonSolution, read_solomon, read_solomon_solution,
};

use crate::{PlanError, Progress};

/// One client to visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteClient {
    pub demand: i64,
    /// Service must begin within [open, close].
    pub window: (i64, i64),
    pub service: i64,
}

/// A VRPTW: node 0 is the depot and node k the client `clients[k - 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingProblem {
    /// Travel time, equal to travel cost, row-major over the nodes (depot first): (n + 1)².
    pub matrix: Vec<i64>,
    pub clients: Vec<RouteClient>,
    /// At most this many routes.
    pub vehicles: usize,
    pub capacity: i64,
    /// Routes leave the depot no earlier than its opening and return by its closing.
    pub depot_window: (i64, i64),
}

/// What the caller may set for a routing solve.
#[derive(Clone, Copy)]
pub struct RoutesOptions<'a> {
    /// Stop after this long with the best plan found.
    pub time_limit: Option<Duration>,
    /// Stop after this many ruin-and-recreate steps per worker (reproducible, unlike a clock).
    pub iterations: Option<u64>,
    /// Same seed, same iterations, same answer.
    pub seed: u64,
    /// Independent searches run side by side; the best answer wins.
    pub threads: usize,
    /// Called now and then with the state of the search: `objective` is the best cost so far,
    /// `nodes` the steps of the first worker; `bound` is 0 (this heuristic proves no bound).
    pub progress: Option<&'a dyn Fn(&Progress)>,
}

impl Default for RoutesOptions<'_> {
    fn default() -> Self {
        RoutesOptions {
            time_limit: None,
            iterations: None,
            seed: 1,
            threads: 1,
            progress: None,
        }
    }
}

/// Steps per worker when the caller sets neither a time nor an iteration limit.
pub const DEFAULT_ITERATIONS: u64 = 200_000;

/// The routes found and their cost.
#[derive(Debug, Clone, Serialize)]
pub struct RoutesSolution {
    /// Each route as client numbers (1-based, depot left out), in visiting order.
    pub routes: Vec<Vec<usize>>,
    /// Total travel cost, in the matrix's units.
    pub cost: i64,
    pub vehicles: usize,
    /// Ruin-and-recreate steps over all workers.
    pub iterations: u64,
    pub seconds: f64,
}

impl RoutingProblem {
    fn validate(&self) -> Result<(), PlanError> {
        let n = self.clients.len() + 1;
        if self.clients.is_empty() {
            return Err(PlanError::invalid(
                "clients",
                "no clients to route",
                "没有需要走访的客户",
            ));
        }
        if self.matrix.len() != n * n {
            return Err(PlanError::invalid(
                "matrix",
                format!(
                    "{} entries for {n} nodes; needs {}",
                    self.matrix.len(),
                    n * n
                ),
                format!(
                    "{n} 个节点需要 {} 个距离，实有 {}",
                    n * n,
                    self.matrix.len()
                ),
            ));
        }
        if let Some(k) = self.matrix.iter().position(|&d| d < 0) {
            return Err(PlanError::invalid(
                "matrix",
                format!("negative travel time from node {} to {}", k / n, k % n),
                format!("节点 {} 到 {} 的行程时间为负", k / n, k % n),
            ));
        }
        if self.vehicles == 0 {
            return Err(PlanError::invalid("vehicles", "no vehicle", "没有车辆"));
        }
        let (open, close) = self.depot_window;
        for (k, c) in self.clients.iter().enumerate() {
            let node = k + 1;
            let reason = if c.demand < 0 || c.demand > self.capacity {
                Some((
                    format!("demand {} exceeds capacity {}", c.demand, self.capacity),
                    format!("需求 {} 超过容量 {}", c.demand, self.capacity),
                ))
            } else if c.service < 0 || c.window.0 > c.window.1 {
                Some((
                    "empty time window or negative service time".to_owned(),
                    "时间窗为空或服务时长为负".to_owned(),
                ))
            } else {
                let arrive = (open + self.matrix[node]).max(c.window.0);
                (arrive > c.window.1 || arrive + c.service + self.matrix[node * n] > close).then(
                    || {
                        (
                            "cannot be reached and left within its time window and the depot's hours"
                                .to_owned(),
                            "即使单独走访也无法在时间窗和场站营业时间内完成".to_owned(),
                        )
                    },
                )
            };
            if let Some((en, zh)) = reason {
                return Err(PlanError::invalid(
                    "clients",
                    format!("client {node}: {en}"),
                    format!("客户 {node}：{zh}"),
                ));
            }
        }
        Ok(())
    }
}

/// Routes every client, minimising total travel cost with at most `vehicles` routes.
pub fn solve_routes(
    problem: &RoutingProblem,
    opts: &RoutesOptions,
) -> Result<RoutesSolution, PlanError> {
    problem.validate()?;
    let started = Instant::now();
    let data = sisr::Data::new(problem);
    let iterations = match (opts.time_limit, opts.iterations) {
        (None, None) => Some(DEFAULT_ITERATIONS),
        (_, n) => n,
    };
    let seconds = opts.time_limit.map(|t| t.as_secs_f64());
    let report = |best: i64, iterations: u64, seconds: f64| {
        if let Some(progress) = opts.progress {
            progress(&Progress {
                phase: "routes",
                objective: best as f64,
                bound: 0.0,
                nodes: iterations,
                seconds,
            });
        }
    };
    let seed = opts.seed;
    let data = &data;
    let worker = move |k: usize, report: Option<&dyn Fn(i64, u64, f64)>| {
        let mut rng = sisr::Rng::new(seed.wrapping_add(k as u64 * 0x9E37_79B9));
        let limits = sisr::Limits {
            started,
            seconds,
            iterations,
            report,
        };
        sisr::search(data, &mut rng, &limits)
    };
    let threads = opts.threads.max(1);
    // The first worker runs here, so that it alone may call the (not thread-safe) progress callback.
    let found = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .map(|k| scope.spawn(move || worker(k, None)))
            .collect();
        let mut all = vec![worker(0, Some(&report))];
        all.extend(
            others
                .into_iter()
                .map(|h| h.join().expect("a routing worker does not panic")),
        );
        all
    });
    let iterations = found.iter().map(|f| f.iterations).sum();
    let best = found
        .into_iter()
        .enumerate()
        .min_by_key(|(k, f)| (f.objective, *k))
        .map(|(_, f)| f)
        .expect("at least one worker");
    if best.routes.len() > problem.vehicles {
        return Err(PlanError::TimeLimit);
    }
    let cost = best.routes.iter().map(|r| route_cost(problem, r)).sum();
    Ok(RoutesSolution {
        vehicles: best.routes.len(),
        routes: best.routes,
        cost,
        iterations,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Travel cost of one route, depot to depot.
fn route_cost(problem: &RoutingProblem, route: &[usize]) -> i64 {
    let n = problem.clients.len() + 1;
    let mut at = 0;
    let mut cost = 0;
    for &c in route.iter().chain(std::iter::once(&0)) {
        cost += problem.matrix[at * n + c];
        at = c;
    }
    cost
}
