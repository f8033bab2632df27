//! The routing core against the Solomon benchmark: every instance and published optimum reads and
//! checks, a few instances solve to feasible near-optimal routes, and bad models are refused.

use std::path::PathBuf;
use std::time::Duration;

use tongquan_plan::*;

fn solomon_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/vrptw/solomon")
}

fn load(name: &str) -> (SolomonInstance, SolomonSolution) {
    let read = |ext: &str| {
        std::fs::read_to_string(solomon_dir().join(format!("{name}.{ext}")))
            .unwrap_or_else(|e| panic!("{name}.{ext}: {e}"))
    };
    (
        read_solomon(&read("vrp")).expect("instance reads"),
        read_solomon_solution(&read("sol")).expect("solution reads"),
    )
}

#[test]
fn all_48_instances_read_and_their_optima_check_out() {
    let mut names: Vec<String> = std::fs::read_dir(solomon_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".vrp").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 48);
    for name in names {
        let (inst, sol) = load(&name);
        assert_eq!((inst.clients(), inst.name.as_str()), (100, name.as_str()));
        // The published routes are feasible and cost what is stated, under the convention.
        let check = inst.check(&sol.routes);
        assert!(check.feasible, "{name}: {:?}", check.violations);
        assert!(
            (check.cost - sol.cost).abs() < 1e-6,
            "{name}: {} vs {}",
            check.cost,
            sol.cost
        );
        // And the solver's integer model agrees with the checker.
        let p = inst.problem();
        let n = p.clients.len() + 1;
        let tenths: i64 = sol
            .routes
            .iter()
            .map(|r| {
                let mut at = 0;
                let mut c = 0;
                for &k in r.iter().chain(std::iter::once(&0)) {
                    c += p.matrix[at * n + k];
                    at = k;
                }
                c
            })
            .sum();
        assert_eq!(tenths, (sol.cost * 10.0).round() as i64, "{name}");
    }
}

#[test]
fn a_few_instances_solve_feasibly_near_the_optimum() {
    for name in ["C101", "R105", "RC201"] {
        let (inst, sol) = load(name);
        let opts = RoutesOptions {
            time_limit: Some(Duration::from_millis(600)),
            ..RoutesOptions::default()
        };
        let found = solve_routes(&inst.problem(), &opts).unwrap();
        let check = inst.check(&found.routes);
        assert!(check.feasible, "{name}: {:?}", check.violations);
        assert!(
            (check.cost - found.cost as f64 / 10.0).abs() < 1e-6,
            "{name}"
        );
        assert!(check.vehicles <= inst.vehicles && check.vehicles == found.vehicles);
        let gap = (check.cost - sol.cost) / sol.cost;
        // Loose: a debug build in well under a second.
        assert!((0.0..0.05).contains(&gap), "{name}: gap {gap}");
    }
}

#[test]
fn same_seed_same_routes() {
    let (inst, _) = load("R201");
    let p = inst.problem();
    let opts = RoutesOptions {
        iterations: Some(1500),
        threads: 2,
        ..RoutesOptions::default()
    };
    let a = solve_routes(&p, &opts).unwrap();
    let b = solve_routes(&p, &opts).unwrap();
    assert!(inst.check(&b.routes).feasible);
    assert_eq!((a.routes, a.cost, a.iterations), (b.routes, b.cost, 3000));
}

/// Three clients on a line east of the depot and one west: two routes, the eastern one in order.
fn line() -> RoutingProblem {
    let xs = [0i64, 10, 20, 30, -10];
    let n = xs.len();
    let client = |window| RouteClient {
        demand: 1,
        window,
        service: 0,
    };
    RoutingProblem {
        matrix: (0..n * n).map(|k| (xs[k / n] - xs[k % n]).abs()).collect(),
        clients: vec![
            client((0, 100)),
            client((0, 100)),
            client((0, 100)),
            client((0, 100)),
        ],
        vehicles: 2,
        capacity: 3,
        depot_window: (0, 1000),
    }
}

#[test]
fn a_tiny_model_routes_as_expected() {
    let found = solve_routes(&line(), &RoutesOptions::default()).unwrap();
    let mut routes = found.routes.clone();
    for r in &mut routes {
        if r.first() > r.last() {
            r.reverse();
        }
    }
    routes.sort();
    assert_eq!(routes, vec![vec![1, 2, 3], vec![4]]);
    assert_eq!(found.cost, 80);
    // A window forces client 3 first: out to 30, back through 20 and 10, still 60 for the route.
    let mut p = line();
    p.clients[2].window = (0, 30);
    p.clients[0].window = (50, 100);
    let found = solve_routes(&p, &RoutesOptions::default()).unwrap();
    assert!(found.routes.contains(&vec![3, 2, 1]), "{:?}", found.routes);
}

#[test]
fn bad_models_are_refused_by_name() {
    type Spoil = fn(&mut RoutingProblem);
    let cases: [(Spoil, &str); 5] = [
        (
            |p| p.clients[1].window = (0, 5),
            "client 2: cannot be reached",
        ),
        (
            |p| p.clients[0].demand = 9,
            "client 1: demand 9 exceeds capacity 3",
        ),
        (
            |p| p.matrix.pop().map(drop).unwrap_or(()),
            "24 entries for 5 nodes",
        ),
        (|p| p.vehicles = 0, "no vehicle"),
        (|p| p.clients.clear(), "no clients"),
    ];
    for (spoil, needle) in cases {
        let mut p = line();
        spoil(&mut p);
        let err = solve_routes(&p, &RoutesOptions::default()).unwrap_err();
        assert_eq!(err.code(), "plan.invalid_parameter");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
    // Four clients of demand 2 need four routes of capacity 3; two vehicles cannot do it.
    let mut p = line();
    for c in &mut p.clients {
        c.demand = 2;
    }
    let err = solve_routes(&p, &RoutesOptions::default()).unwrap_err();
    assert_eq!(err.code(), "plan.time_limit");
}

/// A Solomon file with the given clients, each (x, y, demand, window opening, window width).
fn tiny_file(clients: &[(i64, i64, i64, i64, i64)], service: i64, capacity: i64) -> String {
    let mut coords = "1 25 25\n".to_owned();
    let mut demand = "1 0\n".to_owned();
    let mut windows = "1 0 1000\n".to_owned();
    for (k, &(x, y, q, open, width)) in clients.iter().enumerate() {
        let id = k + 2;
        coords += &format!("{id} {x} {y}\n");
        demand += &format!("{id} {q}\n");
        // Late enough to be reached straight from the depot (at most 36 away).
        windows += &format!("{id} {open} {}\n", (open + width).max(40));
    }
    format!(
        "NAME : tiny\nDIMENSION : {}\nVEHICLES : {}\nCAPACITY : {capacity}\nSERVICE_TIME : {service}\n\
         EDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n{coords}DEMAND_SECTION\n{demand}\
         TIME_WINDOW_SECTION\n{windows}DEPOT_SECTION\n1\n-1\nEOF\n",
        clients.len() + 1,
        clients.len(),
    )
}

/// The cheapest feasible plan by trying every order of the clients cut into routes every way.
fn brute_force(inst: &SolomonInstance) -> f64 {
    fn orders(rest: &mut Vec<usize>, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if rest.is_empty() {
            out.push(prefix.clone());
        }
        for k in 0..rest.len() {
            let c = rest.remove(k);
            prefix.push(c);
            orders(rest, prefix, out);
            prefix.pop();
            rest.insert(k, c);
        }
    }
    let n = inst.clients();
    let mut all = Vec::new();
    orders(&mut (1..=n).collect(), &mut Vec::new(), &mut all);
    let mut best = f64::INFINITY;
    for order in all {
        for cuts in 0..1u32 << (n - 1) {
            let mut routes = vec![vec![order[0]]];
            for (k, &c) in order.iter().enumerate().skip(1) {
                if cuts >> (k - 1) & 1 == 1 {
                    routes.push(Vec::new());
                }
                routes.last_mut().unwrap().push(c);
            }
            let check = inst.check(&routes);
            if check.feasible {
                best = best.min(check.cost);
            }
        }
    }
    best
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    #[test]
    fn tiny_instances_solve_to_the_brute_force_optimum(
        clients in proptest::collection::vec((0i64..50, 0i64..50, 1i64..6, 0i64..150, 5i64..120), 1..=6),
        service in 0i64..15,
        capacity in 6i64..16,
    ) {
        let inst = read_solomon(&tiny_file(&clients, service, capacity)).unwrap();
        let opts = RoutesOptions { iterations: Some(3000), ..RoutesOptions::default() };
        let found = solve_routes(&inst.problem(), &opts).unwrap();
        let check = inst.check(&found.routes);
        proptest::prop_assert!(check.feasible, "{:?}", check.violations);
        proptest::prop_assert!((check.cost - found.cost as f64 / 10.0).abs() < 1e-6);
        let best = brute_force(&inst);
        proptest::prop_assert!((check.cost - best).abs() < 1e-6, "{} vs optimum {}", check.cost, best);
    }
}
