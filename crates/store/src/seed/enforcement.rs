//! The demo's enforcement side: about 1,800 officers of the seven departments dispatched to every
//! town, the towns' enterprises and sites with their risk grades, each department's inspection
//! item list, a year before the reform modelled as separate department visits and this year as
//! the joint visits the planner merges, hazards, leads with their timers, a random draw per
//! county, and penalty cases in the pilot counties through the real paths.
//!
//! Bulk rows are written directly (as the demo cases are), one transaction per county; the draws
//! and penalty cases go through the store's own checks. Generated from a seed: the same every time.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use serde_json::json;
use sqlx::AnyConnection;
use tongquan_domain::access::{Actor, Scope};
use tongquan_domain::applicant::{ApplicantId, ApplicantKind};
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::lead::{LeadSource, Urgency, route};
use tongquan_domain::enforcement::penalty::{Penalty, PenaltyStep, Sanction};
use tongquan_domain::enforcement::{EnforcementDomain, RiskGrade, repeat_recusals};
use tongquan_plan::{DrawSpec, Quota, merge_year};

use crate::db::{Sql, rows_per_insert, timestamp};
use crate::enforcement::draws::NewDraw;
use crate::enforcement::penalties::{NewPenalty, PenaltyInput};
use crate::geography::Town;
use crate::{PageRequest, Result, Store};

const ACTOR: Actor = Actor::System("demo");

#[derive(Debug, Clone, Copy)]
pub struct Volume {
    pub officers_per_county: usize,
    pub objects_per_town: usize,
    pub leads_per_town: usize,
    /// The demo's today: this year runs from 1 January to it; the year before is the baseline.
    pub today: NaiveDate,
    pub seed: u64,
}

impl Volume {
    /// About the reform's size: 1,800 officers, 8,100 objects, 3,400 leads.
    pub fn demo(today: NaiveDate) -> Self {
        Self {
            officers_per_county: 150,
            objects_per_town: 60,
            leads_per_town: 25,
            today,
            seed: 20_241_125,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoEnforcement {
    pub officers: usize,
    pub objects: usize,
    pub inspection_items: usize,
    pub visits_before: usize,
    pub visits_after: usize,
    pub requirements_after: usize,
    pub hazards: usize,
    pub leads: usize,
    pub draws: usize,
    pub penalty_cases: usize,
}

/// Officers per department in 150: the comprehensive enforcement bureau is the largest.
const DEPARTMENT_SHARE: [(EnforcementDomain, usize); 7] = [
    (EnforcementDomain::Urban, 40),
    (EnforcementDomain::Market, 30),
    (EnforcementDomain::Ecology, 15),
    (EnforcementDomain::Safety, 20),
    (EnforcementDomain::Transport, 15),
    (EnforcementDomain::Land, 15),
    (EnforcementDomain::Traffic, 15),
];

/// Industries, whether they are enterprises, and the fields whose departments inspect them.
const INDUSTRIES: [(&str, bool, &[EnforcementDomain]); 10] = {
    use EnforcementDomain::*;
    [
        ("食品加工", true, &[Market, Safety, Ecology]),
        ("餐饮服务", true, &[Market, Urban]),
        ("建材生产", true, &[Safety, Ecology, Land]),
        ("化工", true, &[Safety, Ecology, Market]),
        ("物流运输", true, &[Transport, Safety, Traffic]),
        ("商超零售", true, &[Market, Urban]),
        ("加油站", true, &[Safety, Market, Traffic, Ecology]),
        ("畜禽养殖", true, &[Ecology, Land, Market]),
        ("建筑工地", false, &[Urban, Safety, Ecology, Land]),
        ("农贸市场", false, &[Market, Urban, Traffic]),
    ]
};

/// Times a year a department inspects an object of each risk grade (illustrative).
const FREQUENCY: [u8; 4] = [1, 1, 2, 4];

const SURNAMES: &str = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志";

fn officer_name(rng: &mut StdRng) -> String {
    let pick = |s: &str, rng: &mut StdRng| {
        let chars: Vec<char> = s.chars().collect();
        chars[rng.random_range(0..chars.len())]
    };
    let mut name = String::new();
    name.push(pick(SURNAMES, rng));
    name.push(pick(GIVEN, rng));
    if rng.random_bool(0.6) {
        name.push(pick(GIVEN, rng));
    }
    name
}

fn grade(rng: &mut StdRng) -> RiskGrade {
    match rng.random_range(0..100) {
        0..10 => RiskGrade::A,
        10..50 => RiskGrade::B,
        50..85 => RiskGrade::C,
        _ => RiskGrade::D,
    }
}

/// A value of a bulk row.
enum V {
    I(i64),
    T(String),
    N(Option<String>),
    F(Option<f64>),
}

/// Multi-row inserts in chunks both backends accept.
async fn insert(conn: &mut AnyConnection, head: &str, rows: Vec<Vec<V>>) -> Result<()> {
    let per_row = rows.first().map_or(1, Vec::len).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::new(head);
        for (n, row) in rows.by_ref().take(rows_per_insert(per_row)).enumerate() {
            sql.push(if n == 0 { "(" } else { ", (" });
            for (i, v) in row.into_iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                match v {
                    V::I(x) => sql.bind(x),
                    V::T(x) => sql.bind(x),
                    V::N(x) => sql.bind(x),
                    V::F(x) => sql.bind_f64(x),
                };
            }
            sql.push(")");
        }
        sql.bulk(conn).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn next_id(store: &Store, table: &'static str) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"
    )))
    .fetch_one(store.pool())
    .await?;
    Ok(id)
}

struct Ids {
    officer: i64,
    object: i64,
    item: i64,
    inspection: i64,
    hazard: i64,
    lead: i64,
}

struct Officer {
    id: i64,
    domain: EnforcementDomain,
    /// The towns the officer is dispatched to (indexes into the county's towns).
    towns: Vec<usize>,
    /// Credentials end on this day.
    valid_to: NaiveDate,
}

struct Object {
    id: i64,
    town: usize,
}

fn day_in(rng: &mut StdRng, year: i32, month: u32, until: NaiveDate) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    if first > until {
        return None;
    }
    let last = if year == until.year() && month == until.month() {
        until.day()
    } else {
        28
    };
    first.checked_add_days(Days::new(u64::from(rng.random_range(0..last))))
}

/// The demo's enforcement data, once (meta key `demo_enforcement`); `counties` limits it (tests).
pub async fn generate(
    store: &Store,
    volume: Volume,
    counties: Option<&[CountyCode]>,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<Option<DemoEnforcement>> {
    let done: Option<(String,)> =
        sqlx::query_as("SELECT value FROM meta WHERE key = 'demo_enforcement'")
            .fetch_optional(store.pool())
            .await?;
    if done.is_some() {
        return Ok(None);
    }
    let all: Vec<CountyCode> = store
        .counties(PageRequest {
            page: 1,
            per_page: 500,
        })
        .await?
        .items
        .into_iter()
        .map(|c| c.code)
        .collect();
    let counties: Vec<CountyCode> = counties.map_or(all, <[CountyCode]>::to_vec);
    let mut ids = Ids {
        officer: next_id(store, "officers").await?,
        object: next_id(store, "inspection_objects").await?,
        item: next_id(store, "inspection_items").await?,
        inspection: next_id(store, "inspections").await?,
        hazard: next_id(store, "hazards").await?,
        lead: next_id(store, "leads").await?,
    };
    let mut out = DemoEnforcement::default();
    for (n, county) in counties.iter().enumerate() {
        progress("执法 enforcement", n, counties.len());
        let mut rng =
            StdRng::seed_from_u64(volume.seed ^ county.as_str().parse::<u64>().unwrap_or(0));
        county_data(store, county, volume, &mut rng, &mut ids, &mut out).await?;
    }
    crate::seed::resync_ids(
        store,
        &[
            "officers",
            "credentials",
            "dispatches",
            "inspection_objects",
            "inspection_items",
            "inspections",
            "hazards",
            "hazard_events",
            "leads",
        ],
    )
    .await?;
    for (n, county) in counties.iter().enumerate() {
        progress("双随机 draws, 处罚 penalty cases", n, counties.len());
        let mut rng = StdRng::seed_from_u64(
            volume.seed ^ 0x5eed ^ county.as_str().parse::<u64>().unwrap_or(0),
        );
        let draw = store
            .commit_draw(
                &ACTOR,
                NewDraw {
                    department: DepartmentCode::new(county, EnforcementDomain::Market.department()),
                    title: format!("{}年第四季度市场监管双随机抽查", volume.today.year()),
                    draw_on: volume.today,
                    spec: DrawSpec {
                        quota: Quota::Ratio { permille: 50 },
                        stratified: true,
                        team: 2,
                    },
                    town: None,
                },
            )
            .await?;
        store.reveal_draw(&ACTOR, draw.id).await?;
        out.draws += 1;
        out.penalty_cases += penalty_cases(store, county, volume.today, &mut rng).await?;
    }
    store.escalate_overdue_hazards(&ACTOR, volume.today).await?;
    progress("执法 enforcement", counties.len(), counties.len());
    let mut w = store.write(&ACTOR).await?;
    sqlx::query("INSERT INTO meta (key, value) VALUES ('demo_enforcement', $1)")
        .bind(serde_json::to_string(&out).expect("counts serialise"))
        .execute(w.conn())
        .await?;
    w.audit(
        "seed.demo_enforcement",
        "enforcement",
        "demo",
        &Scope::default(),
        json!(out),
    );
    w.commit().await?;
    Ok(Some(out))
}

async fn county_data(
    store: &Store,
    county: &CountyCode,
    volume: Volume,
    rng: &mut StdRng,
    ids: &mut Ids,
    out: &mut DemoEnforcement,
) -> Result<()> {
    let towns: Vec<Town> = store.all_towns(Some(county)).await?;
    if towns.is_empty() {
        return Ok(());
    }
    let at = store.now();
    let year = volume.today.year();
    let c = county.to_string();
    let mut tx = store.pool().begin().await?;

    // Officers, credentials, dispatch.
    let total_share: usize = DEPARTMENT_SHARE.iter().map(|(_, s)| s).sum();
    let mut officers: Vec<Officer> = Vec::new();
    let (mut officer_rows, mut credential_rows, mut dispatch_rows, mut dispatch_town_rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (di, (domain, share)) in DEPARTMENT_SHARE.into_iter().enumerate() {
        let dept = DepartmentCode::new(county, domain.department()).to_string();
        let n = (volume.officers_per_county * share / total_share).max(3);
        // Departments start their rounds at different towns, so small ones do not all crowd the first.
        let offset = di * towns.len() / DEPARTMENT_SHARE.len();
        for k in 0..n {
            let id = ids.officer;
            ids.officer += 1;
            let expired = rng.random_ratio(1, 50);
            let valid_to = if expired {
                NaiveDate::from_ymd_opt(year - 1, 6, 30)
            } else {
                NaiveDate::from_ymd_opt(2028, 12, 31)
            }
            .expect("a date");
            officer_rows.push(vec![
                V::I(id),
                V::T(c.clone()),
                V::T(dept.clone()),
                V::T(officer_name(rng)),
                V::T(at.clone()),
            ]);
            credential_rows.push(vec![
                V::I(id),
                V::I(id),
                V::T(format!("SD{}{:05}", &c[2..], id % 100_000)),
                V::T(domain.slug().to_owned()),
                V::T("德州市人民政府（示意）".into()),
                V::T("2021-01-01".into()),
                V::T(valid_to.to_string()),
                V::T(at.clone()),
            ]);
            // Officers go round the towns; some serve two or three.
            let first = (k + offset) % towns.len();
            let (form, count) = match rng.random_range(0..100) {
                0..60 => ("stationed", 1),
                60..85 => (
                    "cross_town",
                    rng.random_range(2..=3).min(towns.len()).max(1),
                ),
                _ => ("responsible", 1),
            };
            let form = if count == 1 && form == "cross_town" {
                "stationed"
            } else {
                form
            };
            dispatch_rows.push(vec![
                V::I(id),
                V::I(id),
                V::T(c.clone()),
                V::T(dept.clone()),
                V::T(form.into()),
                V::T(format!("{}-01-01", year - 2)),
                V::T(at.clone()),
            ]);
            for t in 0..count {
                dispatch_town_rows.push(vec![
                    V::I(id),
                    V::T(towns[(first + t) % towns.len()].code.to_string()),
                ]);
            }
            officers.push(Officer {
                id,
                domain,
                towns: (0..count).map(|t| (first + t) % towns.len()).collect(),
                valid_to,
            });
        }
    }
    out.officers += officers.len();
    insert(
        &mut tx,
        "INSERT INTO officers (id, county_code, department_code, name, created_at) VALUES ",
        officer_rows,
    )
    .await?;
    insert(&mut tx, "INSERT INTO credentials (id, officer_id, number, domains, issuer, valid_from, valid_to, created_at) VALUES ", credential_rows).await?;
    insert(&mut tx, "INSERT INTO dispatches (id, officer_id, county_code, department_code, form, valid_from, created_at) VALUES ", dispatch_rows).await?;
    insert(
        &mut tx,
        "INSERT INTO dispatch_towns (dispatch_id, town_code) VALUES ",
        dispatch_town_rows,
    )
    .await?;

    // Inspection item lists: two items per department.
    let mut item_rows = Vec::new();
    for (domain, _) in DEPARTMENT_SHARE {
        let dept = DepartmentCode::new(county, domain.department()).to_string();
        for (name, freq) in [("日常监督检查", FREQUENCY), ("专项检查", [0, 1, 1, 2])] {
            item_rows.push(vec![
                V::I(ids.item),
                V::T(c.clone()),
                V::T(dept.clone()),
                V::T(domain.slug().into()),
                V::T(format!("{}{name}", domain.zh())),
                V::T("enterprise,site".into()),
                V::T(format!("{}领域法律法规（示意）", domain.zh())),
                V::T("现场检查、查阅资料".into()),
                V::I(i64::from(freq[0])),
                V::I(i64::from(freq[1])),
                V::I(i64::from(freq[2])),
                V::I(i64::from(freq[3])),
                V::T(at.clone()),
            ]);
            ids.item += 1;
            out.inspection_items += 1;
        }
    }
    insert(&mut tx, "INSERT INTO inspection_items (id, county_code, department_code, domain, name, object_kinds, legal_basis, method, freq_a, freq_b, freq_c, freq_d, created_at) VALUES ", item_rows).await?;

    // Objects.
    let mut objects: Vec<Object> = Vec::new();
    let mut object_rows = Vec::new();
    for (ti, t) in towns.iter().enumerate() {
        for _ in 0..volume.objects_per_town {
            let id = ids.object;
            ids.object += 1;
            let (industry, enterprise, domains) = INDUSTRIES[rng.random_range(0..INDUSTRIES.len())];
            let g = grade(rng);
            let credit = enterprise.then(|| {
                ApplicantId::complete(ApplicantKind::Enterprise, &format!("91{c}{:09}", id))
                    .expect("digits are credit-code characters")
                    .to_string()
            });
            let short: String = t.name.chars().take(2).collect();
            let name = if enterprise {
                format!("德州{short}{industry}有限公司（{id}）")
            } else {
                format!("{}{industry}（{id}）", t.name)
            };
            let jitter = |rng: &mut StdRng| rng.random_range(-0.02..0.02);
            object_rows.push(vec![
                V::I(id),
                V::T(c.clone()),
                V::T(t.code.to_string()),
                V::T(if enterprise { "enterprise" } else { "site" }.into()),
                V::N(credit),
                V::T(name),
                V::T(industry.into()),
                V::F(t.lat.map(|v| v + jitter(rng))),
                V::F(t.lon.map(|v| v + jitter(rng))),
                V::T(g.slug().into()),
                V::T(EnforcementDomain::join(domains)),
                V::T(at.clone()),
            ]);
            objects.push(Object { id, town: ti });
        }
    }
    out.objects += objects.len();
    insert(&mut tx, "INSERT INTO inspection_objects (id, county_code, town_code, kind, credit_code, name, industry, lat, lon, risk_grade, domains, created_at) VALUES ", object_rows).await?;
    tx.commit().await?;
    // The departments' planned inspections, as the item lists just written give them.
    let reqs = store.plan_requirements(county).await?;
    let mut tx = store.pool().begin().await?;

    let by_id: HashMap<i64, &Object> = objects.iter().map(|o| (o.id, o)).collect();
    // Each visit as planned: (object, day, departments lead first, found, raises a hazard).
    struct Planned {
        object: i64,
        on: NaiveDate,
        departments: Vec<EnforcementDomain>,
        found: bool,
        hazard: bool,
    }
    let mut planned: Vec<Planned> = Vec::new();
    // The year before: each department on its own, each planned inspection a visit.
    let before_end = NaiveDate::from_ymd_opt(year - 1, 12, 31).expect("a date");
    for r in &reqs {
        let month = rng.random_range(u32::from(r.window.0)..=u32::from(r.window.1));
        let on = day_in(rng, year - 1, month, before_end).expect("a day of last year");
        planned.push(Planned {
            object: r.object,
            on,
            departments: vec![EnforcementDomain::parse("department", &r.department)?],
            found: rng.random_ratio(8, 100),
            hazard: false,
        });
        out.visits_before += 1;
    }
    // This year: the same plan merged into joint visits, up to today.
    out.requirements_after += reqs.len();
    let plan = merge_year(&reqs).map_err(crate::enforcement::draws::plan_error)?;
    for v in &plan.visits {
        let Some(on) = day_in(rng, year, u32::from(v.month), volume.today) else {
            continue;
        };
        let lead = EnforcementDomain::parse("lead", &v.lead)?;
        let mut departments = vec![lead];
        for d in &v.departments {
            let d = EnforcementDomain::parse("department", d)?;
            if d != lead {
                departments.push(d);
            }
        }
        let found = rng.random_ratio(10, 100);
        planned.push(Planned {
            object: v.object,
            on,
            departments,
            found,
            hazard: found,
        });
        out.visits_after += 1;
    }
    // In date order, so that each object's history is what the recusal rule reads: every
    // department of a visit fields two officers with a credential valid that day, dispatched to
    // the object's town where it has two, never one who was at the object's last three visits
    // when all three found nothing.
    planned.sort_by_key(|p| (p.on, p.object));
    let mut history: HashMap<i64, Vec<(Vec<i64>, bool)>> = HashMap::new();
    let (mut visit_rows, mut visit_officer_rows, mut hazard_rows, mut hazard_event_rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in planned {
        let id = ids.inspection;
        ids.inspection += 1;
        let o = by_id[&p.object];
        let on = p.on;
        let found = p.found;
        let past = history.entry(p.object).or_default();
        let recused = repeat_recusals(past);
        let mut present = Vec::new();
        for d in &p.departments {
            let able =
                |o: &&Officer| o.domain == *d && o.valid_to >= on && !recused.contains(&o.id);
            let mut pool: Vec<i64> = officers
                .iter()
                .filter(able)
                .filter(|off| off.towns.contains(&o.town))
                .map(|off| off.id)
                .collect();
            if pool.len() < 2 {
                pool = officers.iter().filter(able).map(|off| off.id).collect();
            }
            let mut picked: Vec<i64> = Vec::new();
            while picked.len() < 2.min(pool.len()) {
                let c = pool[rng.random_range(0..pool.len())];
                if !picked.contains(&c) {
                    picked.push(c);
                }
            }
            present.extend(picked.iter().map(|c| (*c, *d)));
        }
        past.insert(0, (present.iter().map(|(c, _)| *c).collect(), found));
        let depts: Vec<String> = p
            .departments
            .iter()
            .map(|d| DepartmentCode::new(county, d.department()).to_string())
            .collect();
        let lead = p.departments[0];
        let start = rng.random_range(8..16);
        visit_rows.push(vec![
            V::I(id),
            V::T(c.clone()),
            V::T(towns[o.town].code.to_string()),
            V::T(depts[0].clone()),
            V::I(o.id),
            V::T(depts.join(",")),
            V::T(lead.slug().into()),
            V::T("routine".into()),
            V::T(on.to_string()),
            V::T(format!("{start:02}:00")),
            V::T(format!("{:02}:{:02}", start + 1, rng.random_range(0..60))),
            V::T(
                p.departments
                    .iter()
                    .map(|d| format!("{}日常监督检查", d.zh()))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            V::T(if found {
                "发现问题，已责令整改".into()
            } else {
                String::new()
            }),
            V::I(i64::from(found)),
            V::T(crate::enforcement::inspections::rating_hash(&format!(
                "demo-{id}"
            ))),
            V::T("system:demo".into()),
            V::T(at.clone()),
        ]);
        for (officer, d) in present {
            visit_officer_rows.push(vec![V::I(id), V::I(officer), V::T(d.slug().into())]);
        }
        let inspection = id;
        if p.hazard {
            let id = ids.hazard;
            ids.hazard += 1;
            let deadline = on + Days::new(rng.random_range(15..60));
            let closed = if deadline < volume.today {
                rng.random_ratio(85, 100)
            } else {
                rng.random_bool(0.5)
            };
            let closed_on = closed.then(|| {
                let span = (deadline.min(volume.today) - on).num_days().max(1);
                (on + Days::new(rng.random_range(1..=span as u64))).to_string()
            });
            let level = if rng.random_ratio(1, 10) {
                "major"
            } else {
                "general"
            };
            hazard_rows.push(vec![
                V::I(id),
                V::T(c.clone()),
                V::T(towns[o.town].code.to_string()),
                V::T(DepartmentCode::new(county, lead.department()).to_string()),
                V::I(o.id),
                V::I(inspection),
                V::T(lead.slug().into()),
                V::T(level.into()),
                V::T(format!("{}方面隐患（示意）", lead.zh())),
                V::T("企业主要负责人".into()),
                V::T(deadline.to_string()),
                V::T(if closed { "closed" } else { "open" }.into()),
                V::T(on.to_string()),
                V::N(closed_on.clone()),
            ]);
            hazard_event_rows.push(vec![
                V::I(id),
                V::T("raise".into()),
                V::T(on.to_string()),
                V::T(format!("期限 {deadline}")),
                V::T("system:demo".into()),
                V::T(at.clone()),
            ]);
            if let Some(d) = closed_on {
                hazard_event_rows.push(vec![
                    V::I(id),
                    V::T("reinspect".into()),
                    V::T(d),
                    V::T("整改完成 / rectified".into()),
                    V::T("system:demo".into()),
                    V::T(at.clone()),
                ]);
            }
            out.hazards += 1;
        }
    }
    insert(&mut tx, "INSERT INTO inspections (id, county_code, town_code, department_code, object_id, departments, domain, trigger_kind, visited_on, started_at, ended_at, items, findings, found, rating_code_hash, recorded_by, created_at) VALUES ", visit_rows).await?;
    insert(
        &mut tx,
        "INSERT INTO inspection_officers (inspection_id, officer_id, domain) VALUES ",
        visit_officer_rows,
    )
    .await?;
    insert(&mut tx, "INSERT INTO hazards (id, county_code, town_code, department_code, object_id, inspection_id, domain, level, description, responsible, deadline, state, raised_on, closed_on) VALUES ", hazard_rows).await?;
    insert(
        &mut tx,
        "INSERT INTO hazard_events (hazard_id, kind, happened_on, note, actor, created_at) VALUES ",
        hazard_event_rows,
    )
    .await?;
    tx.commit().await?;

    // Leads of this year, routed by the powers each town holds.
    let mut delegated: HashMap<(usize, EnforcementDomain), Option<String>> = HashMap::new();
    for (ti, t) in towns.iter().enumerate() {
        for d in EnforcementDomain::ALL {
            delegated.insert(
                (ti, *d),
                store.field_delegation(&t.code, *d, volume.today).await?,
            );
        }
    }
    let start: DateTime<Utc> = NaiveDate::from_ymd_opt(year, 1, 1)
        .expect("a date")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let end = volume
        .today
        .and_hms_opt(18, 0, 0)
        .expect("a time")
        .and_utc();
    let span = (end - start).num_minutes().max(1);
    let mut lead_rows = Vec::new();
    for (ti, t) in towns.iter().enumerate() {
        for _ in 0..volume.leads_per_town {
            let domain = EnforcementDomain::ALL[rng.random_range(0..EnforcementDomain::ALL.len())];
            let source = match rng.random_range(0..100) {
                0..40 => LeadSource::Patrol,
                40..70 => LeadSource::Hotline,
                70..90 => LeadSource::Public,
                _ => LeadSource::Referral,
            };
            let urgency = if rng.random_ratio(1, 5) {
                Urgency::Urgent
            } else {
                Urgency::Normal
            };
            let received = start + Duration::minutes(rng.random_range(0..span));
            let (handler, reason) = route(
                domain,
                &t.code,
                &t.name,
                delegated[&(ti, domain)].as_deref(),
            );
            let target = urgency.on_site_target_minutes();
            // Most arrive within the target; about one in twenty is late.
            let to_site = if rng.random_ratio(1, 20) {
                target + rng.random_range(1..target)
            } else {
                rng.random_range(target / 3..=target)
            };
            let dispatched = received + Duration::minutes(rng.random_range(1..=target / 3).max(1));
            let on_site = received + Duration::minutes(to_site);
            let disposed = on_site + Duration::minutes(rng.random_range(20..180));
            let closed = disposed + Duration::minutes(rng.random_range(60..2_880));
            let now = end;
            let when = |t: DateTime<Utc>| (t <= now).then(|| timestamp(t));
            let state = [
                ("closed", closed),
                ("disposed", disposed),
                ("on_site", on_site),
                ("dispatched", dispatched),
            ]
            .into_iter()
            .find(|(_, t)| *t <= now)
            .map_or("received", |(s, _)| s);
            let department = handler.department().map(ToString::to_string);
            lead_rows.push(vec![
                V::I(ids.lead),
                V::T(c.clone()),
                V::T(t.code.to_string()),
                V::N(department),
                V::T(handler.kind().into()),
                V::T(handler.code()),
                V::T(reason.zh),
                V::T(reason.en),
                V::T(source.slug().into()),
                V::T(domain.slug().into()),
                V::T(format!(
                    "{}：{}方面的问题（示意）",
                    source.zh(),
                    domain.zh()
                )),
                V::T(format!("{}辖区", t.name)),
                V::T(urgency.slug().into()),
                V::T(state.into()),
                V::T(timestamp(received)),
                V::N(when(dispatched)),
                V::N(when(on_site)),
                V::N(when(disposed)),
                V::N(when(closed)),
                V::T(if when(disposed).is_some() {
                    "现场核查处置，已告知当事人整改".into()
                } else {
                    String::new()
                }),
            ]);
            ids.lead += 1;
            out.leads += 1;
        }
    }
    let mut tx = store.pool().begin().await?;
    insert(&mut tx, "INSERT INTO leads (id, county_code, town_code, department_code, handler_kind, handler_code, route_reason_zh, route_reason_en, source, domain, description, address, urgency, state, received_at, dispatched_at, on_site_at, disposed_at, closed_at, disposal, reporter) VALUES ", lead_rows.into_iter().map(|mut r| { r.push(V::T(String::new())); r }).collect()).await?;
    tx.commit().await?;
    Ok(())
}

/// A few penalty cases per town of a pilot county, through the store's checks: filed under the
/// town's delegated powers, most taken to closure.
async fn penalty_cases(
    store: &Store,
    county: &CountyCode,
    today: NaiveDate,
    rng: &mut StdRng,
) -> Result<usize> {
    let powers: Vec<(i64, String)> = sqlx::query_as(
        "SELECT DISTINCT d.item_id, v.category FROM delegations d JOIN items i ON i.id = d.item_id
         JOIN item_versions v ON v.item_id = i.id AND v.status = 'published' AND v.item_type = 'penalty'
         WHERE i.county_code = $1 AND d.town_code IS NOT NULL ORDER BY d.item_id",
    )
    .bind(county.to_string())
    .fetch_all(store.pool())
    .await?;
    if powers.is_empty() {
        return Ok(0);
    }
    let mut made = 0;
    for town in store.all_towns(Some(county)).await? {
        for _ in 0..3 {
            let (item, category) = &powers[rng.random_range(0..powers.len())];
            let Some(domain) = EnforcementDomain::from_category(category) else {
                continue;
            };
            let officers: Vec<(i64,)> = sqlx::query_as(
                "SELECT o.id FROM officers o JOIN credentials c ON c.officer_id = o.id
                 WHERE o.department_code = $1 AND c.valid_to >= $2 ORDER BY o.id LIMIT 2",
            )
            .bind(DepartmentCode::new(county, domain.department()).to_string())
            .bind(today.to_string())
            .fetch_all(store.pool())
            .await?;
            let filed_on = today - Days::new(rng.random_range(20..200));
            let flagged = rng.random_ratio(1, 20);
            // Most fines are small; about one in ten reaches the hearing threshold.
            let fine = match rng.random_range(0..10) {
                0 => rng.random_range(100..=500) * 1_000,
                _ => rng.random_range(1..=60) * 500,
            };
            let penalty = Penalty {
                sanctions: vec![Sanction::Warning, Sanction::Fine],
                fine_yuan: fine,
                ..Penalty::default()
            };
            let case = store
                .file_penalty(
                    &ACTOR,
                    NewPenalty {
                        item_id: *item,
                        town: TownCode::parse("town", town.code.as_str())?,
                        object_id: None,
                        party_name: format!("{}某经营户", town.name),
                        organisation: true,
                        facts: "经现场检查，当事人存在违法行为（示意）".into(),
                        major: flagged,
                        officers: officers.into_iter().map(|(o,)| o).collect(),
                    },
                    filed_on,
                )
                .await?;
            let major = flagged
                || store
                    .penalty_thresholds(county.as_str())
                    .await?
                    .is_major(&penalty, true);
            // (step, days after filing): the decision comes after the five working days the
            // party has to ask for a hearing, and after the legal review when major.
            let mut steps = vec![(PenaltyStep::Investigate, 3), (PenaltyStep::Notify, 6)];
            if major {
                steps.push((PenaltyStep::Review, 15));
            }
            steps.extend([
                (PenaltyStep::Decide, 16),
                (PenaltyStep::Execute, 20),
                (PenaltyStep::Close, 24),
            ]);
            let stop = rng.random_range(1..=steps.len());
            let mut c = case;
            let mut last = filed_on;
            for (step, after) in steps.into_iter().take(stop) {
                let mut on = (filed_on + Days::new(after)).max(last);
                if let (PenaltyStep::Decide, Some(until)) = (step, &c.hearing_until) {
                    on = on.max(
                        tongquan_domain::catalog::parse_date("hearing_until", until)?
                            + Days::new(1),
                    );
                }
                if on > today {
                    break;
                }
                last = on;
                let input = match step {
                    PenaltyStep::Notify => PenaltyInput {
                        penalty: Some(penalty.clone()),
                        ..PenaltyInput::default()
                    },
                    PenaltyStep::Decide => PenaltyInput {
                        note: format!("警告并处罚款 {fine} 元（示意）"),
                        penalty: Some(penalty.clone()),
                        days: None,
                    },
                    _ => PenaltyInput::default(),
                };
                c = store
                    .penalty_step(&ACTOR, c.id, step, input, c.lock_version, on)
                    .await?;
            }
            made += 1;
        }
    }
    Ok(made)
}
