//! The coverage planner on the product's data: gathers towns, halls and today's branches from
//! the store, runs `tongquan_plan::plan_coverage`, and words the answers. The planning page and
//! `tongquan plan coverage` both use it.

use tongquan_domain::codes::CountyCode;
use tongquan_domain::org::OfficeKind;
use tongquan_plan::{
    Capacity, CountyInput, CoverageParams, CoverageReport, OfficeInput, PlanError, Scenario,
    SolveOptions, TownInput, plan_coverage,
};
use tongquan_store::offices::OfficeFilter;
use tongquan_store::{PageRequest, Store, StoreError};

use crate::i18n::Lang;

/// Approval cases a year per town when no case volume is recorded: the reform's roughly 87,000
/// approval cases in branches over about three years (2022-2024), spread over Dezhou's 135 towns.
pub const DEFAULT_CASES_PER_TOWN: f64 = 215.0;

#[derive(Debug, thiserror::Error)]
pub enum PlanningError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Plan(#[from] PlanError),
}

const ALL: PageRequest = PageRequest {
    page: 1,
    per_page: 500,
};

/// Plans a county, or the whole city when `county` is `None`.
pub async fn run(
    store: &Store,
    county: Option<&CountyCode>,
    params: &CoverageParams,
    cases_per_town: f64,
    on_county: &(dyn Fn(usize, usize, &str) + Sync),
) -> Result<CoverageReport, PlanningError> {
    let counties: Vec<CountyInput> = store
        .counties(ALL)
        .await?
        .items
        .into_iter()
        .filter(|c| county.is_none_or(|f| &c.code == f))
        .map(|c| CountyInput {
            code: c.code.to_string(),
            name: c.name.clone(),
            hall: c.hall.to_string(),
            hall_at: (c.seat_lat, c.seat_lon),
        })
        .collect();
    if let Some(c) = county {
        store.county(c).await?;
    }
    let towns: Vec<TownInput> = store
        .all_towns(county)
        .await?
        .into_iter()
        .map(|t| TownInput {
            at: t.position().map(|p| (p.lat, p.lon)),
            code: t.code.to_string(),
            name: t.name,
            county: t.county_code.to_string(),
            cases_per_year: cases_per_town,
        })
        .collect();
    let branches = store
        .offices(
            &OfficeFilter {
                county: county.cloned(),
                kind: Some(OfficeKind::Branch),
            },
            ALL,
        )
        .await?
        .items;
    let today: Vec<OfficeInput> = branches
        .into_iter()
        .filter_map(|o| {
            Some(OfficeInput {
                at: (o.lat?, o.lon?),
                code: o.code.to_string(),
                county: o.county_code.to_string(),
            })
        })
        .collect();
    // Each county is small; the whole city plans in well under a second.
    let opts = SolveOptions {
        time_limit: Some(std::time::Duration::from_secs(60)),
        progress: None,
    };
    Ok(plan_coverage(
        &counties, &towns, &today, params, &opts, on_county,
    )?)
}

/// The plan on the map: boundaries, halls, towns by distance to their nearest office, branches.
pub async fn map(
    store: &Store,
    county: Option<&CountyCode>,
    report: &CoverageReport,
    lang: Lang,
) -> Result<crate::map::MapView, StoreError> {
    let boundaries = store.boundaries().await?;
    let counties = store.counties(ALL).await?.items;
    let towns = store.all_towns(None).await?;
    Ok(crate::map::render(
        &boundaries,
        &counties,
        &towns,
        county,
        lang,
        &crate::map::Layer::Plan(report),
    ))
}

pub fn parse_capacity(text: &str) -> Result<Option<Capacity>, PlanError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || PlanError::InvalidParameter {
        field: "capacity",
        reason: format!("expected MIN..MAX whole towns, e.g. 2..5, got {text:?}"),
        reason_zh: format!("应为“下限..上限”个乡镇，如 2..5，收到“{text}”"),
    };
    let (min, max) = text.split_once("..").ok_or_else(bad)?;
    Ok(Some(Capacity {
        min: min.trim().parse().map_err(|_| bad())?,
        max: max.trim().parse().map_err(|_| bad())?,
    }))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The report's answers to the three questions the reform asks of a plan, in one language.
pub fn answers(r: &CoverageReport, lang: Lang) -> Vec<String> {
    let (halls, today, proposal) = (
        r.figures(Scenario::Halls),
        r.figures(Scenario::Today),
        r.figures(Scenario::Proposal),
    );
    let unlocated = r.excluded.len();
    let radius = r.radius_km;
    let per_county = r
        .counties
        .iter()
        .map(|c| {
            let proof = if c.cover_optimal { "" } else { "?" };
            format!("{} {}{proof}", c.name, c.cover_branches)
        })
        .collect::<Vec<_>>()
        .join(if lang == Lang::Zh { "，" } else { ", " });
    let cover_total: usize = r.counties.iter().map(|c| c.cover_branches).sum();
    let all_proven = r.counties.iter().all(|c| c.cover_optimal);
    let capacity_notes = r.counties.iter().filter(|c| c.note.is_some()).count();
    match lang {
        Lang::Zh => vec![
            format!(
                "距县级政务服务大厅超过 10 公里的乡镇有 {} 个，占有坐标乡镇 {} 个的 {}；超过 15 公里的 {} 个，占 {}。另有 {unlocated} 个乡镇无坐标，未计入。",
                halls.beyond_10,
                halls.towns,
                pct(halls.share_beyond_10),
                halls.beyond_15,
                pct(halls.share_beyond_15)
            ),
            format!(
                "要让每个乡镇都在 {radius} 公里内有办事机构，各县需要的分局数为：{per_county}；合计 {cover_total} 个（{}）。",
                if all_proven {
                    "均已证明最少"
                } else {
                    "带“?”者未证明最少"
                }
            ),
            format!(
                "现有 {} 个示意分局：超过 10 公里的乡镇 {} 个（{}），超过 15 公里的 {} 个，平均 {:.1} 公里，最远 {:.1} 公里，每年节省往返 {:.0} 公里。方案 {} 个分局（下界 {:.0}{}）：超过 10 公里 {} 个，超过 15 公里 {} 个，平均 {:.1} 公里，最远 {:.1} 公里，每年节省往返 {:.0} 公里。{}",
                today.branches,
                today.beyond_10,
                pct(today.share_beyond_10),
                today.beyond_15,
                today.mean_km,
                today.max_km,
                today.km_saved_per_year,
                proposal.branches,
                r.bound,
                if r.optimal {
                    "，已证明最优"
                } else {
                    "，未证明最优"
                },
                proposal.beyond_10,
                proposal.beyond_15,
                proposal.mean_km,
                proposal.max_km,
                proposal.km_saved_per_year,
                if capacity_notes > 0 {
                    format!("{capacity_notes} 个县按所给服务乡镇数上下限无解，已按各县说明放宽。")
                } else {
                    String::new()
                }
            ),
        ],
        Lang::En => vec![
            format!(
                "{} of {} towns with coordinates ({}) lie more than 10 km from their county service hall; {} ({}) more than 15 km. {unlocated} towns have no coordinates and are not counted.",
                halls.beyond_10,
                halls.towns,
                pct(halls.share_beyond_10),
                halls.beyond_15,
                pct(halls.share_beyond_15)
            ),
            format!(
                "Bringing every town within {radius} km of an office needs these branches per county: {per_county}; {cover_total} in all ({}).",
                if all_proven {
                    "each proven minimal"
                } else {
                    "a ? marks a count not proven minimal"
                }
            ),
            format!(
                "The {} demo branches leave {} towns beyond 10 km ({}) and {} beyond 15 km, mean {:.1} km, farthest {:.1} km, saving {:.0} round-trip km a year. The proposal has {} branches (bound {:.0}{}): {} towns beyond 10 km, {} beyond 15 km, mean {:.1} km, farthest {:.1} km, saving {:.0} round-trip km a year.{}",
                today.branches,
                today.beyond_10,
                pct(today.share_beyond_10),
                today.beyond_15,
                today.mean_km,
                today.max_km,
                today.km_saved_per_year,
                proposal.branches,
                r.bound,
                if r.optimal {
                    ", proven optimal"
                } else {
                    ", not proven optimal"
                },
                proposal.beyond_10,
                proposal.beyond_15,
                proposal.mean_km,
                proposal.max_km,
                proposal.km_saved_per_year,
                if capacity_notes > 0 {
                    format!(
                        " In {capacity_notes} counties the towns-per-branch limits have no solution and were relaxed as the county notes say."
                    )
                } else {
                    String::new()
                }
            ),
        ],
    }
}

fn scenario_name(s: Scenario) -> &'static str {
    match s {
        Scenario::Halls => "halls",
        Scenario::Today => "today",
        Scenario::Proposal => "proposal",
    }
}

/// The report as tables, for .xlsx and CSV downloads: figures, counties, branches, towns.
pub fn tables(r: &CoverageReport) -> Vec<crate::export::Table> {
    use crate::export::{Cell, Table};
    let mut figures = Table::new(
        "figures",
        &[
            "scenario",
            "branches",
            "towns",
            "beyond_10",
            "beyond_15",
            "share_beyond_10",
            "share_beyond_15",
            "mean_km",
            "max_km",
            "km_saved_per_year",
        ],
    );
    for f in &r.figures {
        figures.push(vec![
            scenario_name(f.scenario).into(),
            f.branches.into(),
            f.towns.into(),
            f.beyond_10.into(),
            f.beyond_15.into(),
            f.share_beyond_10.into(),
            f.share_beyond_15.into(),
            f.mean_km.into(),
            f.max_km.into(),
            f.km_saved_per_year.into(),
        ]);
    }
    let mut counties = Table::new(
        "counties",
        &[
            "county",
            "name",
            "towns",
            "located",
            "far_towns",
            "cover_branches",
            "cover_proven",
            "proposal_branches",
            "proposal_bound",
            "proposal_proven",
            "today_branches",
            "note",
        ],
    );
    let yes = |b: bool| Cell::from(if b { "yes" } else { "no" });
    for c in &r.counties {
        counties.push(vec![
            c.code.clone().into(),
            c.name.clone().into(),
            c.towns.into(),
            c.located.into(),
            c.far_towns.into(),
            c.cover_branches.into(),
            yes(c.cover_optimal),
            c.proposal_branches.into(),
            c.proposal_bound.into(),
            yes(c.proposal_optimal),
            c.today_branches.into(),
            c.note.as_ref().map(|n| format!("{} / {}", n.1, n.0)).into(),
        ]);
    }
    let mut branches = Table::new(
        "branches",
        &["county", "site", "lat", "lon", "kept", "towns"],
    );
    for b in &r.branches {
        branches.push(vec![
            b.county.clone().into(),
            b.site.clone().into(),
            b.at.0.into(),
            b.at.1.into(),
            yes(b.kept),
            b.towns.join(" ").into(),
        ]);
    }
    let mut towns = Table::new(
        "towns",
        &[
            "town",
            "name",
            "county",
            "hall_km",
            "today_office",
            "today_km",
            "proposal_office",
            "proposal_km",
        ],
    );
    for t in &r.towns {
        towns.push(vec![
            t.code.clone().into(),
            t.name.clone().into(),
            t.county.clone().into(),
            t.hall_km.into(),
            t.today_office.clone().into(),
            t.today_km.into(),
            t.proposal_office.clone().into(),
            t.proposal_km.into(),
        ]);
    }
    vec![figures, counties, branches, towns]
}
