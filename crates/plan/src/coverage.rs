//! Coverage planning for the reform: where approval branches should stand so that no town is far
//! from an office, measured against county halls alone and against today's branches.
//!
//! Towns within the radius of their county hall are served there; the towns beyond it are the
//! demand. Each county is planned on its own, since a town is served by an office of its own
//! county; the city's plan is the sum of the counties' plans, and so are its objective and bound.

use std::collections::HashSet;
use std::time::Instant;

use serde::Serialize;

use crate::{
    Capacity, DemandPoint, Excluded, Instance, PlanError, Site, SolveOptions, SolveReport,
    fewest_capacitated, great_circle_km, set_cover,
};

#[derive(Debug, Clone)]
pub struct CountyInput {
    pub code: String,
    pub name: String,
    /// The county hall's office code and position (lat, lon).
    pub hall: String,
    pub hall_at: (f64, f64),
}

#[derive(Debug, Clone)]
pub struct TownInput {
    pub code: String,
    pub name: String,
    pub county: String,
    pub at: Option<(f64, f64)>,
    /// Approval cases a year from this town: the weight of its distance.
    pub cases_per_year: f64,
}

/// An office in service today (a branch), as a candidate to keep and a baseline to compare with.
#[derive(Debug, Clone)]
pub struct OfficeInput {
    pub code: String,
    pub county: String,
    pub at: (f64, f64),
}

#[derive(Debug, Clone, Copy)]
pub struct CoverageParams {
    pub radius_km: f64,
    /// Whole towns per branch, e.g. 2..=5; `None` for no limits.
    pub capacity: Option<Capacity>,
    /// Today's branches stay open and count towards the proposal.
    pub keep_existing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// County halls only, as before the reform.
    Halls,
    /// Halls and today's branches.
    Today,
    /// Halls and the proposed branches.
    Proposal,
}

/// How far towns are from their nearest office (hall or branch of their county) in one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub scenario: Scenario,
    /// Branches, not counting county halls.
    pub branches: usize,
    /// Towns with coordinates, the ones measured.
    pub towns: usize,
    pub beyond_10: usize,
    pub beyond_15: usize,
    pub share_beyond_10: f64,
    pub share_beyond_15: f64,
    pub mean_km: f64,
    pub max_km: f64,
    /// Round-trip km a year citizens no longer travel, against county halls only.
    pub km_saved_per_year: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProposedBranch {
    pub county: String,
    /// The site: a town code, or an existing branch's office code when kept.
    pub site: String,
    pub at: (f64, f64),
    pub kept: bool,
    /// The far towns the branch takes.
    pub towns: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TownResult {
    pub code: String,
    pub name: String,
    pub county: String,
    /// Distances to the nearest office per scenario; absent without coordinates.
    pub hall_km: Option<f64>,
    pub today_office: Option<String>,
    pub today_km: Option<f64>,
    pub proposal_office: Option<String>,
    pub proposal_km: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountyResult {
    pub code: String,
    pub name: String,
    pub towns: usize,
    pub located: usize,
    /// Located towns beyond the radius of the hall: the demand.
    pub far_towns: usize,
    /// Fewest branches bringing every town within the radius (set covering), and its proof.
    pub cover_branches: usize,
    pub cover_bound: f64,
    pub cover_optimal: bool,
    /// The proposal: the capacitated plan when limits are set and feasible, else the cover.
    pub proposal_branches: usize,
    pub proposal_bound: f64,
    pub proposal_optimal: bool,
    pub today_branches: usize,
    /// Why the proposal is not the capacitated plan, in English and Chinese.
    pub note: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    pub radius_km: f64,
    pub capacity: Option<(usize, usize)>,
    pub keep_existing: bool,
    /// Halls, today, proposal.
    pub figures: Vec<Figures>,
    pub counties: Vec<CountyResult>,
    pub branches: Vec<ProposedBranch>,
    pub towns: Vec<TownResult>,
    /// Towns without coordinates: counted, listed here, never placed.
    pub excluded: Vec<Excluded>,
    /// Branches proposed in all (the sum over counties), its proven lower bound, and whether
    /// every county's plan is proven optimal.
    pub objective: f64,
    pub bound: f64,
    pub optimal: bool,
    pub seconds: f64,
}

impl CoverageReport {
    pub fn figures(&self, s: Scenario) -> &Figures {
        self.figures
            .iter()
            .find(|f| f.scenario == s)
            .expect("all three scenarios are measured")
    }
}

fn check(params: &CoverageParams, towns: &[TownInput]) -> Result<(), PlanError> {
    if !(params.radius_km.is_finite() && params.radius_km > 0.0) {
        return Err(PlanError::invalid(
            "radius",
            "the radius must be a positive number of km",
            "半径须为正数（公里）",
        ));
    }
    if let Some(c) = params.capacity
        && (c.min == 0 || c.min > c.max)
    {
        return Err(PlanError::invalid(
            "capacity",
            format!("capacity {}..{} must have 1 ≤ min ≤ max", c.min, c.max),
            format!("服务乡镇数 {}..{} 须满足 1 ≤ 下限 ≤ 上限", c.min, c.max),
        ));
    }
    if towns.is_empty() {
        return Err(PlanError::EmptyPoints);
    }
    let mut seen = HashSet::new();
    for t in towns {
        if !seen.insert(&t.code) {
            return Err(PlanError::DuplicatePoint { id: t.code.clone() });
        }
        if t.at.is_some_and(|(a, b)| !(a.is_finite() && b.is_finite()))
            || !t.cases_per_year.is_finite()
        {
            return Err(PlanError::NanCoordinate { id: t.code.clone() });
        }
    }
    Ok(())
}

fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    great_circle_km(a.0, a.1, b.0, b.1)
}

/// The nearest of the hall and `branches` to `at`: (office, km).
fn nearest<'a>(
    at: (f64, f64),
    hall: (&'a str, (f64, f64)),
    branches: &[(&'a str, (f64, f64))],
) -> (&'a str, f64) {
    branches
        .iter()
        .map(|&(code, b)| (code, km(at, b)))
        .fold((hall.0, km(at, hall.1)), |best, c| {
            if c.1 < best.1 { c } else { best }
        })
}

/// Why a proposal differs from what was asked, in English and Chinese.
type Note = Option<(String, String)>;

/// One county's proposal: the cover, and the capacitated plan where asked for.
struct CountyPlan {
    cover: Option<SolveReport>,
    proposal: Option<SolveReport>,
    /// The proposal's branch count is proven minimal for the limits it meets.
    proposal_count_proven: bool,
    note: Note,
}

/// The capacitated plan with the fewest branches; when the limits have no solution, the same with
/// the lower limit dropped to one town, and failing that the plain cover. The note says which
/// and why.
fn capacitated_or_relaxed(
    inst: &Instance,
    cap: Capacity,
    params: &CoverageParams,
    cover: &SolveReport,
    opts: &SolveOptions,
) -> Result<(SolveReport, bool, Note), PlanError> {
    let why = match fewest_capacitated(inst, cap, Some(params.radius_km), opts) {
        Ok(r) => return Ok((r, true, None)),
        Err(e @ PlanError::CapacityInfeasible { .. }) => e,
        Err(e) => return Err(e),
    };
    let relaxed = Capacity {
        min: 1,
        max: cap.max,
    };
    if cap.min > 1
        && let Ok(r) = fewest_capacitated(inst, relaxed, Some(params.radius_km), opts)
    {
        let note = (
            format!(
                "{}; proposed with 1..{} towns per branch instead",
                why.message_en(),
                cap.max
            ),
            format!(
                "{}；改按每个分局 1..{} 个乡镇规划",
                why.message_zh(),
                cap.max
            ),
        );
        return Ok((r, true, Some(note)));
    }
    let note = (
        format!(
            "{}; proposed the cover without limits instead",
            why.message_en()
        ),
        format!("{}；改为不限乡镇数的覆盖方案", why.message_zh()),
    );
    Ok((cover.clone(), cover.optimal, Some(note)))
}

fn plan_county(
    far: &[&TownInput],
    county_towns: &[&TownInput],
    today: &[&OfficeInput],
    params: &CoverageParams,
    opts: &SolveOptions,
) -> Result<CountyPlan, PlanError> {
    if far.is_empty() {
        return Ok(CountyPlan {
            cover: None,
            proposal: None,
            proposal_count_proven: true,
            note: None,
        });
    }
    let points: Vec<DemandPoint> = far
        .iter()
        .map(|t| DemandPoint {
            id: t.code.clone(),
            at: t.at,
            weight: t.cases_per_year,
        })
        .collect();
    let mut sites: Vec<Site> = county_towns
        .iter()
        .filter(|t| t.at.is_some())
        .map(|t| Site {
            id: t.code.clone(),
            at: t.at,
            keep: false,
        })
        .collect();
    if params.keep_existing {
        sites.extend(today.iter().map(|o| Site {
            id: o.code.clone(),
            at: Some(o.at),
            keep: true,
        }));
    }
    let inst = Instance::from_coordinates(&points, &sites)?;
    let cover = set_cover(&inst, params.radius_km, opts)?;
    let (proposal, proposal_count_proven, note) = match params.capacity {
        None => (cover.clone(), cover.optimal, None),
        Some(cap) => capacitated_or_relaxed(&inst, cap, params, &cover, opts)?,
    };
    Ok(CountyPlan {
        cover: Some(cover),
        proposal: Some(proposal),
        proposal_count_proven,
        note,
    })
}

fn figures(scenario: Scenario, branches: usize, rows: &[(f64, f64, f64)]) -> Figures {
    // rows: (hall km, scenario km, cases a year)
    let n = rows.len();
    let beyond = |limit: f64| rows.iter().filter(|r| r.1 > limit).count();
    let share = |k: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
    let (beyond_10, beyond_15) = (beyond(10.0), beyond(15.0));
    Figures {
        scenario,
        branches,
        towns: n,
        beyond_10,
        beyond_15,
        share_beyond_10: share(beyond_10),
        share_beyond_15: share(beyond_15),
        mean_km: if n == 0 {
            0.0
        } else {
            rows.iter().map(|r| r.1).sum::<f64>() / n as f64
        },
        max_km: rows.iter().map(|r| r.1).fold(0.0, f64::max),
        km_saved_per_year: rows.iter().map(|r| 2.0 * r.2 * (r.0 - r.1)).sum(),
    }
}

/// Plans branches for each county and measures the three scenarios. `on_county(done, total,
/// name)` is called as each county finishes, for a progress display.
pub fn plan_coverage(
    counties: &[CountyInput],
    towns: &[TownInput],
    today: &[OfficeInput],
    params: &CoverageParams,
    opts: &SolveOptions,
    on_county: &dyn Fn(usize, usize, &str),
) -> Result<CoverageReport, PlanError> {
    let started = Instant::now();
    check(params, towns)?;
    let mut report = CoverageReport {
        radius_km: params.radius_km,
        capacity: params.capacity.map(|c| (c.min, c.max)),
        keep_existing: params.keep_existing,
        figures: Vec::new(),
        counties: Vec::new(),
        branches: Vec::new(),
        towns: Vec::new(),
        excluded: towns
            .iter()
            .filter(|t| t.at.is_none())
            .map(|t| Excluded {
                id: t.code.clone(),
                kind: "point",
                reason: "no coordinates",
                reason_zh: "无坐标",
            })
            .collect(),
        objective: 0.0,
        bound: 0.0,
        optimal: true,
        seconds: 0.0,
    };
    // (hall km, km, cases) per located town, for each scenario.
    let mut rows: [Vec<(f64, f64, f64)>; 3] = Default::default();
    for (done, county) in counties.iter().enumerate() {
        let county_towns: Vec<&TownInput> =
            towns.iter().filter(|t| t.county == county.code).collect();
        let county_today: Vec<&OfficeInput> =
            today.iter().filter(|o| o.county == county.code).collect();
        let far: Vec<&TownInput> = county_towns
            .iter()
            .copied()
            .filter(|t| {
                t.at.is_some_and(|at| km(at, county.hall_at) > params.radius_km)
            })
            .collect();
        let plan = plan_county(&far, &county_towns, &county_today, params, opts)?;
        let site_at = |id: &str| {
            county_today
                .iter()
                .find(|o| o.code == id)
                .map(|o| o.at)
                .or_else(|| {
                    county_towns
                        .iter()
                        .find(|t| t.code == id)
                        .and_then(|t| t.at)
                })
                .expect("open sites come from the county's towns and offices")
        };
        let proposed: Vec<ProposedBranch> = plan
            .proposal
            .iter()
            .flat_map(|p| {
                p.open.iter().map(|site| ProposedBranch {
                    county: county.code.clone(),
                    site: site.clone(),
                    at: site_at(site),
                    kept: county_today.iter().any(|o| &o.code == site),
                    towns: p
                        .assignment
                        .iter()
                        .filter(|a| &a.site == site)
                        .map(|a| a.point.clone())
                        .collect(),
                })
            })
            .collect();

        let hall = (county.hall.as_str(), county.hall_at);
        let today_sites: Vec<(&str, (f64, f64))> = county_today
            .iter()
            .map(|o| (o.code.as_str(), o.at))
            .collect();
        let proposal_sites: Vec<(&str, (f64, f64))> =
            proposed.iter().map(|b| (b.site.as_str(), b.at)).collect();
        for t in &county_towns {
            let mut result = TownResult {
                code: t.code.clone(),
                name: t.name.clone(),
                county: county.code.clone(),
                hall_km: None,
                today_office: None,
                today_km: None,
                proposal_office: None,
                proposal_km: None,
            };
            if let Some(at) = t.at {
                let hall_km = km(at, county.hall_at);
                let (today_office, today_km) = nearest(at, hall, &today_sites);
                let (proposal_office, proposal_km) = nearest(at, hall, &proposal_sites);
                for (i, d) in [hall_km, today_km, proposal_km].into_iter().enumerate() {
                    rows[i].push((hall_km, d, t.cases_per_year));
                }
                result.hall_km = Some(hall_km);
                result.today_office = Some(today_office.to_owned());
                result.today_km = Some(today_km);
                result.proposal_office = Some(proposal_office.to_owned());
                result.proposal_km = Some(proposal_km);
            }
            report.towns.push(result);
        }
        let count = |r: &Option<SolveReport>| r.as_ref().map_or(0, |r| r.open.len());
        // Both problems count branches; the capacitated one proves its count minimal by showing
        // every smaller count infeasible, so its bound is the count itself.
        let proposal_count = count(&plan.proposal);
        let proposal_bound = match (&plan.proposal, plan.proposal_count_proven) {
            (Some(p), false) => p.bound,
            _ => proposal_count as f64,
        };
        report.objective += proposal_count as f64;
        report.bound += proposal_bound;
        report.optimal &= plan.proposal_count_proven;
        report.counties.push(CountyResult {
            code: county.code.clone(),
            name: county.name.clone(),
            towns: county_towns.len(),
            located: county_towns.iter().filter(|t| t.at.is_some()).count(),
            far_towns: far.len(),
            cover_branches: count(&plan.cover),
            cover_bound: plan.cover.as_ref().map_or(0.0, |r| r.bound),
            cover_optimal: plan.cover.as_ref().is_none_or(|r| r.optimal),
            proposal_branches: proposal_count,
            proposal_bound,
            proposal_optimal: plan.proposal_count_proven,
            today_branches: county_today.len(),
            note: plan.note,
        });
        report.branches.extend(proposed);
        on_county(done + 1, counties.len(), &county.name);
    }
    let [halls, now, proposal] = rows;
    report.figures = vec![
        figures(Scenario::Halls, 0, &halls),
        figures(Scenario::Today, today.len(), &now),
        figures(Scenario::Proposal, report.branches.len(), &proposal),
    ];
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn county() -> CountyInput {
        CountyInput {
            code: "c".into(),
            name: "C".into(),
            hall: "cH".into(),
            hall_at: (37.0, 116.0),
        }
    }

    /// A town `dx_km` east of the hall (about 88.9 km per degree of longitude at 37°N).
    fn town(code: &str, dx_km: f64) -> TownInput {
        TownInput {
            code: code.into(),
            name: code.into(),
            county: "c".into(),
            at: Some((37.0, 116.0 + dx_km / 88.9)),
            cases_per_year: 100.0,
        }
    }

    const NO_PROGRESS: &dyn Fn(usize, usize, &str) = &|_, _, _| {};

    #[test]
    fn far_towns_get_branches_and_the_figures_improve() {
        let towns = vec![
            town("near", 3.0),
            town("a", 20.0),
            town("b", 24.0),
            town("c", 28.0),
            town("lost", f64::NAN),
        ];
        let mut towns = towns;
        towns[4].at = None;
        let params = CoverageParams {
            radius_km: 10.0,
            capacity: None,
            keep_existing: false,
        };
        let r = plan_coverage(
            &[county()],
            &towns,
            &[],
            &params,
            &SolveOptions::default(),
            NO_PROGRESS,
        )
        .unwrap();
        assert_eq!(r.counties[0].far_towns, 3);
        assert_eq!(
            (r.objective, r.optimal),
            (1.0, true),
            "one branch covers a, b and c"
        );
        assert_eq!(r.branches[0].towns, ["a", "b", "c"]);
        assert_eq!(
            r.excluded.len(),
            1,
            "the town without coordinates is listed, not dropped"
        );
        let (halls, proposal) = (r.figures(Scenario::Halls), r.figures(Scenario::Proposal));
        assert_eq!((halls.towns, halls.beyond_10, halls.beyond_15), (4, 3, 3));
        assert_eq!((proposal.beyond_10, proposal.beyond_15), (0, 0));
        assert!(proposal.max_km <= 10.0 && proposal.mean_km < halls.mean_km);
        // Each far town saves its hall distance less its branch distance, twice (there and back),
        // 100 times a year.
        let branch = r.branches[0].at;
        let saved: f64 = towns[1..4]
            .iter()
            .map(|t| 200.0 * (km(t.at.unwrap(), (37.0, 116.0)) - km(t.at.unwrap(), branch)))
            .sum();
        assert!(
            (proposal.km_saved_per_year - saved).abs() < 1e-6,
            "{} vs {saved}",
            proposal.km_saved_per_year
        );
        assert!(saved > 200.0 * 40.0);
        assert_eq!(halls.km_saved_per_year, 0.0);
    }

    #[test]
    fn infeasible_capacity_is_relaxed_and_says_why() {
        let towns = vec![town("a", 20.0), town("far", 60.0)];
        let params = CoverageParams {
            radius_km: 10.0,
            capacity: Some(Capacity { min: 2, max: 5 }),
            keep_existing: false,
        };
        let r = plan_coverage(
            &[county()],
            &towns,
            &[],
            &params,
            &SolveOptions::default(),
            NO_PROGRESS,
        )
        .unwrap();
        let c = &r.counties[0];
        assert_eq!(c.proposal_branches, 2);
        let (en, zh) = c.note.as_ref().expect("the capacity problem is explained");
        assert!(
            en.contains("infeasible")
                && en.contains("1..5 towns per branch instead")
                && zh.contains("1..5"),
            "{en}"
        );
        assert!(c.proposal_optimal, "the relaxed count is proven minimal");
    }

    #[test]
    fn kept_branches_stay_open_and_bad_parameters_are_named() {
        let towns = vec![town("a", 20.0), town("b", 40.0)];
        let today = vec![OfficeInput {
            code: "cB01".into(),
            county: "c".into(),
            at: (37.0, 116.0 + 20.0 / 88.9),
        }];
        let params = CoverageParams {
            radius_km: 10.0,
            capacity: None,
            keep_existing: true,
        };
        let r = plan_coverage(
            &[county()],
            &towns,
            &today,
            &params,
            &SolveOptions::default(),
            NO_PROGRESS,
        )
        .unwrap();
        assert!(r.branches.iter().any(|b| b.site == "cB01" && b.kept));
        assert_eq!(r.figures(Scenario::Today).branches, 1);
        let bad = CoverageParams {
            radius_km: -1.0,
            ..params
        };
        assert_eq!(
            plan_coverage(
                &[county()],
                &towns,
                &today,
                &bad,
                &SolveOptions::default(),
                NO_PROGRESS
            )
            .unwrap_err()
            .code(),
            "plan.invalid_parameter"
        );
        let bad = CoverageParams {
            capacity: Some(Capacity { min: 3, max: 2 }),
            ..params
        };
        assert_eq!(
            plan_coverage(
                &[county()],
                &towns,
                &today,
                &bad,
                &SolveOptions::default(),
                NO_PROGRESS
            )
            .unwrap_err()
            .code(),
            "plan.invalid_parameter"
        );
        let dup = vec![town("a", 20.0), town("a", 30.0)];
        assert_eq!(
            plan_coverage(
                &[county()],
                &dup,
                &[],
                &params,
                &SolveOptions::default(),
                NO_PROGRESS
            )
            .unwrap_err()
            .code(),
            "plan.duplicate_point"
        );
    }
}
