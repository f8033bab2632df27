//! Solomon VRPTW instances in VRPLIB format (`.vrp`) and their solutions (`.sol`), and an
//! independent checker that recomputes a solution's cost and feasibility from the raw instance.
//!
//! Convention (DIMACS): Euclidean distance truncated to one decimal per arc, travel time equal to
//! distance, service begins inside the window, objective = total distance, at most `VEHICLES`
//! routes of `CAPACITY`. Node 1 is the depot; client `k` of a solution is node `k + 1`.

use std::collections::HashSet;

use serde::Serialize;

use super::{RouteClient, RoutingProblem};
use crate::PlanError;

/// A Solomon instance as read, in the file's own units.
#[derive(Debug, Clone, PartialEq)]
pub struct SolomonInstance {
    pub name: String,
    pub vehicles: usize,
    pub capacity: i64,
    /// Node 0 is the depot, node k the client k.
    pub coords: Vec<(f64, f64)>,
    pub demand: Vec<i64>,
    pub windows: Vec<(f64, f64)>,
    pub service: Vec<f64>,
}

/// A published solution: routes of client numbers and the stated cost.
#[derive(Debug, Clone, PartialEq)]
pub struct SolomonSolution {
    pub routes: Vec<Vec<usize>>,
    pub cost: f64,
}

/// What the independent checker found.
#[derive(Debug, Clone, Serialize)]
pub struct RouteCheck {
    /// Total distance under the convention (sum of arcs truncated to one decimal).
    pub cost: f64,
    pub vehicles: usize,
    pub feasible: bool,
    /// Each broken rule in words; empty when feasible.
    pub violations: Vec<String>,
}

/// Numbers of the header that the reader understands.
#[derive(Default)]
struct Header {
    name: Option<String>,
    dimension: Option<usize>,
    vehicles: Option<usize>,
    capacity: Option<i64>,
    service: Option<f64>,
}

/// The sections of a VRPLIB file, each row keyed by its 1-based node id.
#[derive(Clone, Copy, PartialEq)]
enum Section {
    Coords,
    Demand,
    Windows,
    Service,
    Depot,
}

impl Section {
    fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "NODE_COORD_SECTION" => Section::Coords,
            "DEMAND_SECTION" => Section::Demand,
            "TIME_WINDOW_SECTION" => Section::Windows,
            "SERVICE_TIME_SECTION" => Section::Service,
            "DEPOT_SECTION" => Section::Depot,
            _ => return None,
        })
    }

    /// Values after the node id on each row.
    fn width(self) -> usize {
        match self {
            Section::Coords | Section::Windows => 2,
            Section::Demand | Section::Service => 1,
            Section::Depot => 0,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Section::Coords => "NODE_COORD_SECTION",
            Section::Demand => "DEMAND_SECTION",
            Section::Windows => "TIME_WINDOW_SECTION",
            Section::Service => "SERVICE_TIME_SECTION",
            Section::Depot => "DEPOT_SECTION",
        }
    }
}

fn number(line: usize, what: &str, tok: &str) -> Result<f64, PlanError> {
    match tok.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(PlanError::malformed(
            line,
            format!("{what}: {tok:?} is not a valid number"),
        )),
    }
}

fn whole(line: usize, what: &str, tok: &str) -> Result<i64, PlanError> {
    tok.parse::<i64>()
        .map_err(|_| PlanError::malformed(line, format!("{what}: {tok:?} is not a whole number")))
}

/// Reads a Solomon instance in VRPLIB format.
pub fn read_solomon(text: &str) -> Result<SolomonInstance, PlanError> {
    let mut header = Header::default();
    // Per section, each node's values (None until its row is read).
    let mut rows: Vec<(Section, Vec<Option<Vec<f64>>>)> = Vec::new();
    let mut depots: Vec<usize> = Vec::new();
    let mut current: Option<Section> = None;
    let mut last_line = 1;
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        last_line = line;
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed == "EOF" {
            break;
        }
        if let Some((key, value)) = trimmed.split_once(':') {
            current = None;
            let (key, value) = (key.trim(), value.trim());
            match key {
                "NAME" => header.name = Some(value.to_owned()),
                "DIMENSION" => {
                    let n = whole(line, "DIMENSION", value)?;
                    if n < 2 {
                        return Err(PlanError::malformed(
                            line,
                            "DIMENSION must be at least 2 (a depot and a client)",
                        ));
                    }
                    header.dimension = Some(n as usize);
                }
                "VEHICLES" => {
                    let v = whole(line, "VEHICLES", value)?;
                    if v < 1 {
                        return Err(PlanError::malformed(line, "VEHICLES must be at least 1"));
                    }
                    header.vehicles = Some(v as usize);
                }
                "CAPACITY" => {
                    let c = whole(line, "CAPACITY", value)?;
                    if c < 0 {
                        return Err(PlanError::malformed(line, "CAPACITY must be ≥ 0"));
                    }
                    header.capacity = Some(c);
                }
                "SERVICE_TIME" => {
                    let s = number(line, "SERVICE_TIME", value)?;
                    if s < 0.0 {
                        return Err(PlanError::malformed(line, "SERVICE_TIME must be ≥ 0"));
                    }
                    header.service = Some(s);
                }
                "EDGE_WEIGHT_TYPE" if value != "EUC_2D" => {
                    return Err(PlanError::malformed(
                        line,
                        format!("EDGE_WEIGHT_TYPE {value:?} is not supported; only EUC_2D"),
                    ));
                }
                _ => {} // TYPE, COMMENT and the like carry nothing the model needs.
            }
            continue;
        }
        if let Some(section) = Section::parse(trimmed) {
            let Some(n) = header.dimension else {
                return Err(PlanError::malformed(
                    line,
                    format!("{} comes before DIMENSION", section.name()),
                ));
            };
            if rows.iter().any(|(s, _)| *s == section) {
                return Err(PlanError::malformed(
                    line,
                    format!("{} appears twice", section.name()),
                ));
            }
            if section != Section::Depot {
                rows.push((section, vec![None; n]));
            }
            current = Some(section);
            continue;
        }
        let Some(section) = current else {
            return Err(PlanError::malformed(
                line,
                format!("unexpected line {trimmed:?} outside any section"),
            ));
        };
        let n = header.dimension.unwrap_or(0);
        let toks: Vec<&str> = trimmed.split_whitespace().collect();
        if section == Section::Depot {
            for tok in toks {
                let id = whole(line, "depot", tok)?;
                if id == -1 {
                    current = None;
                } else {
                    depots.push(node_id(line, id, n)?);
                }
            }
            continue;
        }
        if toks.len() != 1 + section.width() {
            return Err(PlanError::malformed(
                line,
                format!(
                    "{} rows have a node id and {} value(s); found {} token(s)",
                    section.name(),
                    section.width(),
                    toks.len()
                ),
            ));
        }
        let id = node_id(line, whole(line, "node id", toks[0])?, n)?;
        let values = toks[1..]
            .iter()
            .map(|t| number(line, section.name(), t))
            .collect::<Result<Vec<f64>, _>>()?;
        let table = &mut rows
            .iter_mut()
            .find(|(s, _)| *s == section)
            .expect("a section's table is made when it starts")
            .1;
        if table[id].replace(values).is_some() {
            return Err(PlanError::malformed(
                line,
                format!("node {} appears twice in {}", id + 1, section.name()),
            ));
        }
    }
    let n = header
        .dimension
        .ok_or_else(|| PlanError::malformed(last_line, "no DIMENSION in the header".to_owned()))?;
    let capacity = header
        .capacity
        .ok_or_else(|| PlanError::malformed(last_line, "no CAPACITY in the header"))?;
    if depots != [0] {
        return Err(PlanError::malformed(
            last_line,
            "DEPOT_SECTION must name node 1 as the only depot",
        ));
    }
    let mut take = |section: Section| -> Result<Option<Vec<Vec<f64>>>, PlanError> {
        let Some(pos) = rows.iter().position(|(s, _)| *s == section) else {
            return Ok(None);
        };
        let (_, table) = rows.swap_remove(pos);
        table
            .into_iter()
            .enumerate()
            .map(|(k, v)| {
                v.ok_or_else(|| {
                    PlanError::malformed(
                        last_line,
                        format!("node {} is missing from {}", k + 1, section.name()),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    };
    let missing = |section: Section| {
        PlanError::malformed(last_line, format!("no {} in the file", section.name()))
    };
    let coords = take(Section::Coords)?.ok_or_else(|| missing(Section::Coords))?;
    let demand = take(Section::Demand)?.ok_or_else(|| missing(Section::Demand))?;
    let windows = take(Section::Windows)?.ok_or_else(|| missing(Section::Windows))?;
    let service = match take(Section::Service)? {
        Some(s) => s.into_iter().map(|v| v[0]).collect(),
        // The header's SERVICE_TIME applies to every client; the depot has none.
        None => (0..n)
            .map(|k| {
                if k == 0 {
                    0.0
                } else {
                    header.service.unwrap_or(0.0)
                }
            })
            .collect(),
    };
    let mut inst = SolomonInstance {
        name: header.name.unwrap_or_default(),
        vehicles: header.vehicles.unwrap_or(n - 1),
        capacity,
        coords: coords.iter().map(|v| (v[0], v[1])).collect(),
        demand: Vec::with_capacity(n),
        windows: windows.iter().map(|v| (v[0], v[1])).collect(),
        service,
    };
    for (k, d) in demand.iter().enumerate() {
        let d = d[0];
        if d < 0.0 || d.fract() != 0.0 {
            return Err(PlanError::malformed(
                last_line,
                format!("node {}: demand {d} must be a whole number ≥ 0", k + 1),
            ));
        }
        inst.demand.push(d as i64);
    }
    for (k, &(e, l)) in inst.windows.iter().enumerate() {
        if e > l || e < 0.0 {
            return Err(PlanError::malformed(
                last_line,
                format!(
                    "node {}: time window [{e}, {l}] is empty or negative",
                    k + 1
                ),
            ));
        }
    }
    if let Some(k) = inst.service.iter().position(|&s| s < 0.0) {
        return Err(PlanError::malformed(
            last_line,
            format!("node {}: negative service time", k + 1),
        ));
    }
    Ok(inst)
}

fn node_id(line: usize, id: i64, n: usize) -> Result<usize, PlanError> {
    if id >= 1 && (id as usize) <= n {
        Ok(id as usize - 1)
    } else {
        Err(PlanError::malformed(
            line,
            format!("node id {id} is outside 1..={n}"),
        ))
    }
}

/// Reads a `.sol` file: `Route #k: c1 c2 …` lines and a `Cost X` line.
pub fn read_solomon_solution(text: &str) -> Result<SolomonSolution, PlanError> {
    let mut routes = Vec::new();
    let mut cost = None;
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        let trimmed = raw.trim();
        if let Some(rest) = trimmed.strip_prefix("Route") {
            let Some((_, clients)) = rest.split_once(':') else {
                return Err(PlanError::malformed(line, "a route line needs a ':'"));
            };
            let route = clients
                .split_whitespace()
                .map(|t| {
                    t.parse::<usize>().map_err(|_| {
                        PlanError::malformed(line, format!("client {t:?} is not a number"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            routes.push(route);
        } else if let Some(rest) = trimmed.strip_prefix("Cost") {
            cost = Some(number(line, "cost", rest.trim())?);
        } else if !trimmed.is_empty() {
            return Err(PlanError::malformed(
                line,
                format!("unexpected line {trimmed:?}"),
            ));
        }
    }
    let cost = cost.ok_or_else(|| {
        PlanError::malformed(text.lines().count().max(1), "no Cost line in the solution")
    })?;
    Ok(SolomonSolution { routes, cost })
}

impl SolomonInstance {
    /// Clients, not counting the depot.
    pub fn clients(&self) -> usize {
        self.coords.len() - 1
    }

    /// The routing model in tenths: distances truncated to one decimal become whole tenths, and
    /// time windows and service times are scaled by ten (rounded), so the solver is exact.
    pub fn problem(&self) -> RoutingProblem {
        let n = self.coords.len();
        let mut matrix = vec![0; n * n];
        for i in 0..n {
            for j in 0..n {
                matrix[i * n + j] = tenths_distance(self.coords[i], self.coords[j]);
            }
        }
        let tenths = |x: f64| (x * 10.0).round() as i64;
        RoutingProblem {
            matrix,
            clients: (1..n)
                .map(|k| RouteClient {
                    demand: self.demand[k],
                    window: (tenths(self.windows[k].0), tenths(self.windows[k].1)),
                    service: tenths(self.service[k]),
                })
                .collect(),
            vehicles: self.vehicles,
            capacity: self.capacity,
            depot_window: (tenths(self.windows[0].0), tenths(self.windows[0].1)),
        }
    }

    /// Checks routes of client numbers against the raw instance, in floating point and without
    /// any of the solver's tables: every client exactly once, capacity, windows, route count.
    pub fn check(&self, routes: &[Vec<usize>]) -> RouteCheck {
        let n = self.clients();
        let mut violations = Vec::new();
        let mut seen = vec![0usize; n + 1];
        let mut cost = 0.0;
        let arc = |a: usize, b: usize| {
            let (dx, dy) = (
                self.coords[a].0 - self.coords[b].0,
                self.coords[a].1 - self.coords[b].1,
            );
            // Truncation to one decimal; the small epsilon guards exact tenths against rounding.
            ((dx * dx + dy * dy).sqrt() * 10.0 + 1e-9).trunc() / 10.0
        };
        let used: Vec<&Vec<usize>> = routes.iter().filter(|r| !r.is_empty()).collect();
        if used.len() > self.vehicles {
            violations.push(format!(
                "{} routes but only {} vehicles",
                used.len(),
                self.vehicles
            ));
        }
        for (r, route) in used.iter().enumerate() {
            if let Some(&bad) = route.iter().find(|&&c| c == 0 || c > n) {
                violations.push(format!("route {}: no client {bad}", r + 1));
                continue;
            }
            let load: i64 = route.iter().map(|&c| self.demand[c]).sum();
            if load > self.capacity {
                violations.push(format!(
                    "route {}: load {load} exceeds capacity {}",
                    r + 1,
                    self.capacity
                ));
            }
            let mut time = self.windows[0].0;
            let mut at = 0;
            for &c in route.iter() {
                seen[c] += 1;
                let d = arc(at, c);
                cost += d;
                time = (time + self.service[at] + d).max(self.windows[c].0);
                if time > self.windows[c].1 + 1e-6 {
                    violations.push(format!(
                        "route {}: client {c} served at {time:.1}, after its window closes at {}",
                        r + 1,
                        self.windows[c].1
                    ));
                }
                at = c;
            }
            let d = arc(at, 0);
            cost += d;
            time += self.service[at] + d;
            if time > self.windows[0].1 + 1e-6 {
                violations.push(format!(
                    "route {}: back at the depot at {time:.1}, after it closes at {}",
                    r + 1,
                    self.windows[0].1
                ));
            }
        }
        let duplicates: HashSet<usize> = (1..=n).filter(|&c| seen[c] > 1).collect();
        let mut duplicates: Vec<usize> = duplicates.into_iter().collect();
        duplicates.sort_unstable();
        for c in duplicates {
            violations.push(format!("client {c} is visited {} times", seen[c]));
        }
        let missing: Vec<String> = (1..=n)
            .filter(|&c| seen[c] == 0)
            .map(|c| c.to_string())
            .collect();
        if !missing.is_empty() {
            violations.push(format!("clients never visited: {}", missing.join(", ")));
        }
        RouteCheck {
            cost: (cost * 10.0).round() / 10.0,
            vehicles: used.len(),
            feasible: violations.is_empty(),
            violations,
        }
    }
}

/// Euclidean distance in whole tenths, truncated: exact integer square root for whole coordinates.
fn tenths_distance(a: (f64, f64), b: (f64, f64)) -> i64 {
    let (dx, dy) = (a.0 - b.0, a.1 - b.1);
    if dx.fract() == 0.0 && dy.fract() == 0.0 && dx.abs() < 1e7 && dy.abs() < 1e7 {
        let d2 = (dx * dx + dy * dy) as u64 * 100;
        d2.isqrt() as i64
    } else {
        ((dx * dx + dy * dy).sqrt() * 10.0).trunc() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "NAME : T\nTYPE : CVRPTW\nDIMENSION : 3\nVEHICLES : 2\nCAPACITY : 10\n\
        SERVICE_TIME : 1\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 0 1\n\
        DEMAND_SECTION\n1 0\n2 5\n3 5\nTIME_WINDOW_SECTION\n1 0 100\n2 0 20\n3 0 100\n\
        DEPOT_SECTION\n1\n-1\nEOF\n";

    #[test]
    fn reads_a_tiny_instance_in_tenths() {
        let inst = read_solomon(TINY).unwrap();
        assert_eq!((inst.clients(), inst.vehicles, inst.capacity), (2, 2, 10));
        assert_eq!(inst.service, vec![0.0, 1.0, 1.0]);
        let p = inst.problem();
        // 0→1 is 5.0, 1→2 is sqrt(18) = 4.24… → 4.2, 2→0 is 1.0.
        assert_eq!(
            (p.matrix[1], p.matrix[3 + 2], p.matrix[2 * 3]),
            (50, 42, 10)
        );
        assert_eq!(p.clients[0].window, (0, 200));
        let check = inst.check(&[vec![1, 2]]);
        assert!(check.feasible, "{check:?}");
        assert!((check.cost - 10.2).abs() < 1e-9);
    }

    #[test]
    fn the_checker_names_every_broken_rule() {
        let mut inst = read_solomon(TINY).unwrap();
        // Client 1 after client 2 starts at 1 + 1 + 4.2 = 6.2, after its window closes.
        inst.windows[1].1 = 5.0;
        let check = inst.check(&[vec![2, 1, 1], vec![], vec![7]]);
        assert!(!check.feasible);
        let all = check.violations.join("; ");
        for needle in [
            "no client 7",
            "exceeds capacity",
            "after its window",
            "2 times",
        ] {
            assert!(all.contains(needle), "{needle} in {all}");
        }
        let check = inst.check(&[vec![1]]);
        assert!(
            check
                .violations
                .iter()
                .any(|v| v.contains("never visited: 2"))
        );
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        let cases = [
            (TINY.replace("2 3 4", "2 3 x"), "line 10"),
            (TINY.replace("DIMENSION : 3", "DIMENSION : many"), "line 3"),
            (TINY.replace("3 0 1\n", ""), "node 3 is missing"),
            (TINY.replace("2 0 20", "2 30 20"), "empty"),
            (
                TINY.replace("DEPOT_SECTION\n1\n", "DEPOT_SECTION\n2\n"),
                "node 1",
            ),
            (TINY.replace("2 5\n", "9 5\n"), "outside 1..=3"),
            (TINY.replace("EUC_2D", "GEO"), "only EUC_2D"),
            (TINY.replace("2 3 4", "2 3 4 5"), "found 4 token"),
            (String::new(), "no DIMENSION"),
            ("hello\n".to_owned(), "outside any section"),
        ];
        for (text, needle) in cases {
            let err = read_solomon(&text).expect_err(needle);
            assert_eq!(err.code(), "plan.malformed_instance");
            assert!(err.to_string().contains(needle), "{needle}: {err}");
        }
    }

    #[test]
    fn reads_a_solution() {
        let sol = read_solomon_solution("Route #1: 1 2\nRoute #2: 3\nCost 10.2\n").unwrap();
        assert_eq!(sol.routes, vec![vec![1, 2], vec![3]]);
        assert_eq!(sol.cost, 10.2);
        let err = read_solomon_solution("Route #1: 1 x\n").unwrap_err();
        assert!(err.to_string().contains("line 1"));
        assert!(read_solomon_solution("Route #1: 1\n").is_err());
    }
}
