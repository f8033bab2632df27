//! Behaviour of the planners: known optima from OR-Library, bad input, and properties checked
//! against brute force on tiny random instances.

use std::cell::Cell;
use std::path::PathBuf;
use std::time::Duration;

use proptest::prelude::*;
use tongquan_plan::*;

fn orlib(rel: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/orlib")
        .join(rel);
    std::fs::read_to_string(path).ok()
}

/// The published optimum of `name` in an OR-Library optima file (`name value` lines).
fn known(opt_file: &str, name: &str) -> Option<f64> {
    orlib(opt_file)?.lines().find_map(|l| {
        let mut it = l.split_whitespace();
        (it.next()?.trim_end_matches(".txt") == name).then(|| it.next()?.parse().ok())?
    })
}

fn solve(format: InstanceFormat, rel: &str) -> Option<SolveReport> {
    let text = orlib(rel)?;
    Some(solve_file(format, &text, &SolveOptions::default()).expect("solves"))
}

/// Checks a solved OR-Library instance against its published optimum.
fn assert_known(format: InstanceFormat, folder: &str, name: &str, opt_file: &str, tol: f64) {
    let report = solve(format, &format!("{folder}/{name}.txt"))
        .expect("data/orlib ships with the repository");
    let best = known(&format!("{folder}/{opt_file}"), name).expect("published optimum");
    assert!(report.optimal, "{name}: not proven: {report:?}");
    assert!(
        (report.objective - best).abs() <= tol,
        "{name}: {} vs published {best}",
        report.objective
    );
    assert!(report.bound <= report.objective + 1e-9);
    assert!(report.gap <= 1e-6);
}

#[test]
fn pmed_small_instances_reach_published_optima_with_proof() {
    for name in ["pmed1", "pmed2", "pmed3", "pmed4", "pmed5", "pmed10"] {
        assert_known(InstanceFormat::Pmed, "pmedian", name, "pmedopt.txt", 0.0);
    }
}

#[test]
#[ignore = "release-speed instances; covered by bench/plan/run.sh"]
fn pmed_large_instances_reach_published_optima_with_proof() {
    for name in ["pmed20", "pmed25", "pmed40"] {
        assert_known(InstanceFormat::Pmed, "pmedian", name, "pmedopt.txt", 0.0);
    }
}

#[test]
fn cap_instances_reach_published_optima_with_proof() {
    for name in ["cap41", "cap71", "cap72", "cap101"] {
        // capopt.txt prints three decimals.
        assert_known(InstanceFormat::Cap, "cfl", name, "capopt.txt", 2e-3);
    }
}

#[test]
fn scp41_reaches_its_verified_optimum() {
    assert_known(
        InstanceFormat::Scp,
        "setcover",
        "scp41",
        "scp_optimal_verified.txt",
        0.0,
    );
}

#[test]
#[ignore = "needs a few thousand nodes; covered by bench/plan/run.sh"]
fn scp61_reaches_its_verified_optimum() {
    assert_known(
        InstanceFormat::Scp,
        "setcover",
        "scp61",
        "scp_optimal_verified.txt",
        0.0,
    );
}

#[test]
fn pmed_duplicate_edges_take_the_last_cost() {
    // Edge 1-2 appears twice; only the last cost (5) counts, so the path 1-2 beats 1-3-2 (3 + 4).
    let (inst, p) = read_pmed("3 3 1\n1 2 100\n1 3 3\n2 1 5\n").expect("parses");
    assert_eq!(p, 1);
    assert_eq!(inst.distance(0, 1), 5.0);
    assert_eq!(inst.distance(1, 2), 8.0);
}

#[test]
fn a_tiny_time_limit_never_claims_a_false_optimum() {
    let text = orlib("pmedian/pmed10.txt").expect("data/orlib ships with the repository");
    let opts = SolveOptions {
        time_limit: Some(Duration::ZERO),
        progress: None,
    };
    let r = solve_file(InstanceFormat::Pmed, &text, &opts).expect("solves");
    let best = known("pmedian/pmedopt.txt", "pmed10").expect("published optimum");
    assert!(
        r.bound <= best && best <= r.objective,
        "{} ≤ {best} ≤ {}",
        r.bound,
        r.objective
    );
    assert_eq!(r.optimal, r.bound == r.objective);
}

#[test]
fn report_serialises_to_one_json_object_with_the_required_fields() {
    let text = "4 3 2\n1 2 1\n2 3 1\n3 4 1\n";
    let r = solve_file(InstanceFormat::Pmed, text, &SolveOptions::default()).expect("solves");
    let v: serde_json::Value = serde_json::to_value(&r).expect("serialises");
    for key in ["objective", "bound", "gap", "optimal", "seconds", "open"] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["objective"], 2.0);
    assert_eq!(v["optimal"], true);
}

#[test]
fn progress_is_reported_through_the_callback() {
    let calls = Cell::new(0);
    let hook = |p: &Progress| {
        assert!(p.bound <= p.objective);
        calls.set(calls.get() + 1);
    };
    let opts = SolveOptions {
        time_limit: None,
        progress: Some(&hook),
    };
    solve_file(InstanceFormat::Pmed, "4 3 2\n1 2 1\n2 3 1\n3 4 1\n", &opts).expect("solves");
    assert!(calls.get() > 0);
}

// ---- bad input -------------------------------------------------------------------------------

fn town(id: &str, at: Option<(f64, f64)>) -> DemandPoint {
    DemandPoint {
        id: id.into(),
        at,
        weight: 1.0,
    }
}

fn site(id: &str, at: Option<(f64, f64)>) -> Site {
    Site {
        id: id.into(),
        at,
        keep: false,
    }
}

/// Towns along a parallel near Dezhou, `gap_km` apart, each also a candidate site.
fn row_of_towns(n: usize, gap_km: f64) -> (Vec<DemandPoint>, Vec<Site>) {
    let step = gap_km / (111.32 * 37.4f64.to_radians().cos());
    let towns: Vec<DemandPoint> = (0..n)
        .map(|k| town(&format!("t{k}"), Some((37.4, 116.3 + k as f64 * step))))
        .collect();
    let sites = towns.iter().map(|t| site(&t.id, t.at)).collect();
    (towns, sites)
}

fn assert_bilingual(e: &PlanError, code: &str) {
    assert_eq!(e.code(), code, "{e:?}");
    assert!(!e.message_en().is_empty());
    assert!(
        e.message_zh()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{}",
        e.message_zh()
    );
}

#[test]
fn empty_points_are_refused() {
    let e = Instance::from_coordinates(&[], &[site("s", Some((37.0, 116.0)))]).unwrap_err();
    assert_bilingual(&e, "plan.empty_points");
    let e = Instance::from_coordinates(&[town("a", Some((37.0, 116.0)))], &[]).unwrap_err();
    assert_bilingual(&e, "plan.empty_sites");
}

#[test]
fn duplicate_points_are_refused_by_id() {
    let towns = [
        town("a", Some((37.0, 116.0))),
        town("a", Some((37.1, 116.0))),
    ];
    let e = Instance::from_coordinates(&towns, &[site("s", Some((37.0, 116.0)))]).unwrap_err();
    assert_bilingual(&e, "plan.duplicate_point");
    assert!(e.message_en().contains("\"a\""));
}

#[test]
fn nan_coordinates_are_refused() {
    let towns = [town("a", Some((f64::NAN, 116.0)))];
    let e = Instance::from_coordinates(&towns, &[site("s", Some((37.0, 116.0)))]).unwrap_err();
    assert_bilingual(&e, "plan.nan_coordinate");
}

#[test]
fn uncoverable_radius_names_the_towns() {
    let (mut towns, mut sites) = row_of_towns(3, 5.0);
    towns.push(town("far", Some((38.5, 117.5))));
    sites.truncate(3);
    let inst = Instance::from_coordinates(&towns, &sites).expect("valid");
    let e = set_cover(&inst, 10.0, &SolveOptions::default()).unwrap_err();
    assert_bilingual(&e, "plan.radius_uncoverable");
    assert_eq!(
        e,
        PlanError::RadiusUncoverable {
            points: vec!["far".into()]
        }
    );
    assert!(e.message_zh().contains("far"));
}

#[test]
fn impossible_capacity_says_why() {
    let (towns, sites) = row_of_towns(7, 3.0);
    let inst = Instance::from_coordinates(&towns, &sites).expect("valid");
    let cap = Capacity { min: 2, max: 5 };
    let e = capacitated(&inst, 4, cap, None, &SolveOptions::default()).unwrap_err();
    assert_bilingual(&e, "plan.capacity_infeasible");
    assert!(
        e.message_en().contains("7 towns") && e.message_en().contains("between 8 and 20"),
        "{}",
        e.message_en()
    );
    let e = fewest_capacitated(
        &inst,
        Capacity { min: 4, max: 5 },
        None,
        &SolveOptions::default(),
    )
    .unwrap_err();
    assert_bilingual(&e, "plan.capacity_infeasible");
}

#[test]
fn a_town_no_office_can_reach_with_enough_towns_is_named() {
    // Three towns 1 km apart and a lone town 50 km north: its office could never gather 2 towns.
    let (mut towns, mut sites) = row_of_towns(3, 1.0);
    towns.push(town("lone", Some((37.85, 116.3))));
    sites.push(site("lone", Some((37.85, 116.3))));
    let inst = Instance::from_coordinates(&towns, &sites).expect("valid");
    let cap = Capacity { min: 2, max: 3 };
    let e = capacitated(&inst, 2, cap, Some(10.0), &SolveOptions::default()).unwrap_err();
    assert_bilingual(&e, "plan.capacity_infeasible");
    assert!(
        e.message_en().contains("lone") && e.message_zh().contains("lone"),
        "{e}"
    );
}

#[test]
fn capacity_infeasible_within_radius_is_proven_by_search() {
    // Two clusters of 3 towns, 50 km apart; 3 offices of exactly 2 towns each would need to
    // split a cluster of 3 into pairs, which no search can do.
    let (mut towns, mut sites) = row_of_towns(3, 1.0);
    for k in 0..3 {
        let at = Some((37.85, 116.3 + 0.01 * k as f64));
        towns.push(town(&format!("n{k}"), at));
        sites.push(site(&format!("n{k}"), at));
    }
    let inst = Instance::from_coordinates(&towns, &sites).expect("valid");
    let cap = Capacity { min: 2, max: 2 };
    let e = capacitated(&inst, 3, cap, Some(10.0), &SolveOptions::default()).unwrap_err();
    assert_bilingual(&e, "plan.capacity_infeasible");
    assert!(capacitated(&inst, 3, cap, None, &SolveOptions::default()).is_ok());
}

#[test]
fn towns_without_coordinates_are_listed_and_excluded() {
    let (mut towns, mut sites) = row_of_towns(4, 4.0);
    towns.push(town("张大庄镇", None));
    sites.push(site("张大庄镇", None));
    let inst = Instance::from_coordinates(&towns, &sites).expect("valid");
    assert_eq!(inst.points(), 4);
    let r = p_median(&inst, 2, &SolveOptions::default()).expect("solves");
    let excluded: Vec<(&str, &str)> = r.excluded.iter().map(|e| (e.id.as_str(), e.kind)).collect();
    assert_eq!(excluded, [("张大庄镇", "point"), ("张大庄镇", "site")]);
    assert!(r.warnings.iter().any(|w| w.contains("张大庄镇")));
    assert!(r.assignment.iter().all(|a| a.point != "张大庄镇"));
}

fn malformed(format: InstanceFormat, text: &str) -> (usize, String) {
    match solve_file(format, text, &SolveOptions::default()).unwrap_err() {
        e @ PlanError::MalformedInstance { .. } => {
            assert_bilingual(&e, "plan.malformed_instance");
            let PlanError::MalformedInstance { line, reason } = e else {
                unreachable!()
            };
            (line, reason)
        }
        other => panic!("expected malformed, got {other:?}"),
    }
}

#[test]
fn malformed_files_name_line_and_reason() {
    let (line, reason) = malformed(InstanceFormat::Pmed, "3 2 1\n1 2 4\n2 x 5\n");
    assert_eq!(line, 3);
    assert!(reason.contains("\"x\""), "{reason}");
    let (line, reason) = malformed(InstanceFormat::Pmed, "3 2 1\n1 2 4\n2 9 5\n");
    assert_eq!(line, 3);
    assert!(reason.contains("outside 1..=3"), "{reason}");
    let (line, reason) = malformed(InstanceFormat::Pmed, "3 2 1\n1 2 4\n");
    assert_eq!(line, 2);
    assert!(reason.contains("file ends"), "{reason}");
    let (line, _) = malformed(InstanceFormat::Pmed, "3 1 1\n1 2 4\n7\n");
    assert_eq!(line, 3);
    let (line, reason) = malformed(InstanceFormat::Pmed, "3 1 1\n1 2 4\n");
    assert!(reason.contains("disconnected") && line == 1, "{reason}");
    let (line, reason) = malformed(InstanceFormat::Cap, "2 1\ncapacity 10\n");
    assert_eq!(line, 2);
    assert!(reason.contains("capacity"), "{reason}");
    let (line, reason) = malformed(InstanceFormat::Scp, "2 2\n1 1\n1 1\n0\n");
    assert_eq!(line, 4);
    assert!(reason.contains("row 2"), "{reason}");
}

#[test]
fn road_distance_csv_is_read_and_checked() {
    let towns = [town("a", None), town("b", None)];
    let sites = [site("x", None)];
    let inst = Instance::from_distance_csv(&towns, &sites, "point,site,km\na,x,3.5\nb,x,7\n")
        .expect("valid");
    assert_eq!(inst.distance(1, 0), 7.0);
    let e = Instance::from_distance_csv(&towns, &sites, "point,site,km\na,x,3.5\n").unwrap_err();
    assert!(e.message_en().contains("b → x"), "{e}");
    let e =
        Instance::from_distance_csv(&towns, &sites, "point,site,km\na,x,far\nb,x,1\n").unwrap_err();
    assert_eq!(
        e,
        PlanError::MalformedInstance {
            line: 2,
            reason: "distance \"far\" is not a number".into()
        }
    );
}

#[test]
fn great_circle_matches_a_known_distance() {
    // Dezhou to Jinan railway stations are about 101 km apart as the crow flies.
    let d = great_circle_km(37.4508, 116.3088, 36.6709, 116.9903);
    assert!((d - 105.0).abs() < 6.0, "{d}");
    assert_eq!(great_circle_km(37.0, 116.0, 37.0, 116.0), 0.0);
    assert!(
        (great_circle_km(0.0, 0.0, 0.0, 180.0) - std::f64::consts::PI * 6371.0088).abs() < 1e-3
    );
}

// ---- properties against brute force ----------------------------------------------------------

/// A tiny planar instance with whole-km distances: n points, m sites, every pair distance given.
fn tiny() -> impl Strategy<Value = (usize, usize, Vec<f64>, Vec<f64>)> {
    (2usize..7, 2usize..6).prop_flat_map(|(n, m)| {
        (
            Just(n),
            Just(m),
            prop::collection::vec(0u32..30, n * m),
            prop::collection::vec(1u32..5, n),
        )
            .prop_map(|(n, m, d, w)| {
                (
                    n,
                    m,
                    d.into_iter().map(f64::from).collect(),
                    w.into_iter().map(f64::from).collect(),
                )
            })
    })
}

fn tiny_instance(n: usize, m: usize, dist: Vec<f64>, weight: &[f64]) -> Instance {
    let towns: Vec<DemandPoint> = (0..n)
        .map(|i| DemandPoint {
            id: format!("p{i}"),
            at: None,
            weight: weight[i],
        })
        .collect();
    let sites: Vec<Site> = (0..m).map(|j| site(&format!("s{j}"), None)).collect();
    Instance::from_matrix(&towns, &sites, dist).expect("valid")
}

fn subsets(m: usize, size: usize) -> Vec<Vec<usize>> {
    (0u32..1 << m)
        .filter(|s| s.count_ones() as usize == size)
        .map(|s| (0..m).filter(|j| s >> j & 1 == 1).collect())
        .collect()
}

fn median_cost(inst: &Instance, w: &[f64], open: &[usize]) -> f64 {
    (0..inst.points())
        .map(|i| {
            w[i] * open
                .iter()
                .map(|&j| inst.distance(i, j))
                .fold(f64::INFINITY, f64::min)
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn p_median_equals_brute_force((n, m, d, w) in tiny(), p in 1usize..4) {
        let p = p.min(m);
        let inst = tiny_instance(n, m, d, &w);
        let r = p_median(&inst, p, &SolveOptions::default()).unwrap();
        let best = subsets(m, p).iter().map(|s| median_cost(&inst, &w, s)).fold(f64::INFINITY, f64::min);
        prop_assert!(r.optimal);
        prop_assert!((r.objective - best).abs() < 1e-9, "{} vs {}", r.objective, best);
        prop_assert!(r.bound <= best + 1e-9);
    }

    #[test]
    fn set_cover_and_p_center_equal_brute_force((n, m, d, w) in tiny(), radius in 5.0f64..25.0, p in 1usize..4) {
        let inst = tiny_instance(n, m, d, &w);
        let covers = |s: &[usize], r: f64| (0..n).all(|i| s.iter().any(|&j| inst.distance(i, j) <= r));
        match set_cover(&inst, radius, &SolveOptions::default()) {
            Ok(r) => {
                let best = (1..=m).find(|&k| subsets(m, k).iter().any(|s| covers(s, radius))).unwrap();
                prop_assert!(r.optimal);
                prop_assert_eq!(r.objective, best as f64);
                prop_assert_eq!(r.open.len(), best);
            }
            Err(e) => prop_assert_eq!(e.code(), "plan.radius_uncoverable"),
        }
        let p = p.min(m);
        let r = p_center(&inst, p, &SolveOptions::default()).unwrap();
        let best = subsets(m, p).iter().map(|s| {
            (0..n).map(|i| s.iter().map(|&j| inst.distance(i, j)).fold(f64::INFINITY, f64::min)).fold(0.0, f64::max)
        }).fold(f64::INFINITY, f64::min);
        prop_assert!(r.optimal);
        prop_assert_eq!(r.objective, best);
    }

    #[test]
    fn max_cover_equals_brute_force((n, m, d, w) in tiny(), radius in 5.0f64..25.0, k in 1usize..4) {
        let k = k.min(m);
        let inst = tiny_instance(n, m, d, &w);
        let r = max_cover(&inst, radius, k, &SolveOptions::default()).unwrap();
        let best = subsets(m, k).iter().map(|s| {
            (0..n).filter(|&i| s.iter().any(|&j| inst.distance(i, j) <= radius)).map(|i| w[i]).sum::<f64>()
        }).fold(0.0, f64::max);
        prop_assert!(r.optimal);
        prop_assert!((r.objective - best).abs() < 1e-9, "{} vs {}", r.objective, best);
        prop_assert!(r.bound >= best - 1e-9);
    }

    #[test]
    fn capacitated_equals_brute_force((n, m, d, w) in tiny(), p in 1usize..4, lo in 1usize..3, extra in 0usize..3) {
        let p = p.min(m);
        let cap = Capacity { min: lo, max: lo + extra };
        let inst = tiny_instance(n, m, d, &w);
        // Every assignment of points to p open sites that meets the counts.
        let mut best = f64::INFINITY;
        for s in subsets(m, p) {
            for code in 0..p.pow(n as u32) {
                let pick: Vec<usize> = (0..n).map(|i| code / p.pow(i as u32) % p).collect();
                let fits = (0..p).all(|k| (cap.min..=cap.max).contains(&pick.iter().filter(|&&x| x == k).count()));
                if fits {
                    best = best.min((0..n).map(|i| w[i] * inst.distance(i, s[pick[i]])).sum());
                }
            }
        }
        match capacitated(&inst, p, cap, None, &SolveOptions::default()) {
            Ok(r) => {
                prop_assert!(r.optimal);
                prop_assert!((r.objective - best).abs() < 1e-6, "{} vs {}", r.objective, best);
                prop_assert_eq!(r.assignment.len(), n);
                let cost: f64 = r.assignment.iter().enumerate().map(|(i, a)| w[i] * a.distance).sum();
                prop_assert!((cost - r.objective).abs() < 1e-6);
            }
            Err(e) => {
                prop_assert_eq!(e.code(), "plan.capacity_infeasible");
                prop_assert!(best.is_infinite());
            }
        }
    }

    #[test]
    fn bound_never_exceeds_any_plan_under_a_tiny_time_limit((n, m, d, w) in tiny(), p in 1usize..4) {
        let p = p.min(m);
        let inst = tiny_instance(n, m, d, &w);
        let opts = SolveOptions { time_limit: Some(Duration::ZERO), progress: None };
        let r = p_median(&inst, p, &opts).unwrap();
        for s in subsets(m, p) {
            prop_assert!(r.bound <= median_cost(&inst, &w, &s) + 1e-9);
        }
        prop_assert!(r.bound <= r.objective);
        prop_assert_eq!(r.optimal, r.objective - r.bound <= 1e-9);
    }
}
