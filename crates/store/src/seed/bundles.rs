//! The demo's bundle (一件事): every county's "four certificates in one day" for industrial
//! projects (工业项目“拿地即开工”四证联办), and applications under it taken through the real
//! submission and step paths, most concluded the day they were applied for.
//!
//! The published list lacks some of the four items, so they are added as illustrative items
//! (labelled 示意), decided at the county hall.

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use tongquan_domain::access::{Actor, Jurisdiction, Role, Staff};
use tongquan_domain::applicant::{ApplicantId, ApplicantKind};
use tongquan_domain::bundle::TemplateSpec;
use tongquan_domain::case::{CaseAction, CaseState, Channel, Party, step};
use tongquan_domain::catalog::{RawItem, RawMaterial};
use tongquan_domain::codes::{BaseCode, CountyCode, DepartmentCode, ImplCode, TownCode, Username};
use tongquan_domain::org::DepartmentKind;

use crate::bundles::NewBundle;
use crate::cases::NewCase;
use crate::catalog::ImportRecord;
use crate::db::{Sql, rows_per_insert};
use crate::{PageRequest, Result, Store};

const ACTOR: Actor = Actor::System("demo");
pub const TEMPLATE_NAME: &str = "工业项目“拿地即开工”四证联办";
const SOURCE: &str =
    "一件事（四证联办）示意事项 / illustrative items of the four-certificate bundle";

/// (name, department, statutory days, its own materials); every one also needs the shared ones.
const FOUR: [(&str, DepartmentKind, &str, &[&str]); 4] = [
    (
        "建设用地规划许可证核发",
        DepartmentKind::NaturalResources,
        "20",
        &["国有建设用地使用权出让合同"],
    ),
    (
        "建设工程规划许可证核发",
        DepartmentKind::NaturalResources,
        "20",
        &["建设工程设计方案"],
    ),
    (
        "不动产首次登记（国有建设用地使用权）",
        DepartmentKind::NaturalResources,
        "5",
        &["国有建设用地使用权出让合同", "土地出让价款缴纳凭证"],
    ),
    (
        "建筑工程施工许可证核发",
        DepartmentKind::Housing,
        "7",
        &["建设工程设计方案", "施工合同"],
    ),
];
const SHARED: [&str; 2] = ["申请表", "营业执照"];

fn material(name: &str) -> RawMaterial {
    RawMaterial {
        name: name.into(),
        requirement: "required".into(),
        form: "original".into(),
        copies: "1".into(),
        note: String::new(),
    }
}

/// The four items of a county, as an import reads them.
pub fn four_certificates(county: &CountyCode) -> Result<Vec<ImportRecord>> {
    FOUR.iter()
        .enumerate()
        .map(|(n, (name, department, days, own))| {
            let base = format!("SDYJS{:03}", n + 1);
            let content = RawItem {
                name: (*name).into(),
                item_type: "licensing".into(),
                department: DepartmentCode::new(county, *department).to_string(),
                legal_basis_setting:
                    "《中华人民共和国城乡规划法》《不动产登记暂行条例》《建筑法》（示意）".into(),
                exercise_level: "县级".into(),
                statutory_days: (*days).into(),
                promised_days: "1".into(),
                online_depth: "online_precheck".into(),
                max_visits: "1".into(),
                service: "approval".into(),
                tongban_allowed: "否".into(),
                commitment_allowed: "否".into(),
                materials: SHARED
                    .iter()
                    .chain(own.iter())
                    .map(|m| material(m))
                    .collect(),
                ..RawItem::default()
            }
            .parse()?;
            Ok(ImportRecord {
                row: n + 1,
                impl_code: ImplCode::parse("impl_code", &format!("{base}-{county}000000"))?,
                base_code: BaseCode::parse("base_code", &base)?,
                content,
            })
        })
        .collect()
}

/// Imports a county's four items (once) and defines its template; returns the template id.
pub async fn four_certificate_template(
    store: &Store,
    county: &CountyCode,
    valid_from: NaiveDate,
) -> Result<i64> {
    let records = four_certificates(county)?;
    store
        .import_items(&ACTOR, county, &records, valid_from, SOURCE, &|_| {})
        .await?;
    let mut items = Vec::new();
    for r in &records {
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM items WHERE impl_code = $1")
            .bind(r.impl_code.to_string())
            .fetch_one(store.pool())
            .await?;
        items.push(id);
    }
    let existing: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM bundle_templates WHERE county_code = $1 AND name = $2")
            .bind(county.to_string())
            .bind(TEMPLATE_NAME)
            .fetch_optional(store.pool())
            .await?;
    if let Some((id,)) = existing {
        return Ok(id);
    }
    let spec = TemplateSpec::parse(
        TEMPLATE_NAME,
        "工业项目取得土地后，用地规划、工程规划、不动产登记和施工许可一次申请、并联审批（示意）",
        &items,
    )?;
    Ok(store
        .create_bundle_template(&ACTOR, county, spec, valid_from)
        .await?
        .id)
}

/// What a run wrote.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct DemoBundles {
    pub templates: usize,
    pub bundles: usize,
    pub sub_cases: usize,
}

/// Applies for `per_county` bundles in every county on working days between `from` and `today`
/// and decides them through the county hall; once only (meta key `demo_bundles`).
pub async fn generate(
    store: &Store,
    per_county: usize,
    from: NaiveDate,
    today: NaiveDate,
    seed: u64,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<Option<DemoBundles>> {
    let done: Option<(String,)> =
        sqlx::query_as("SELECT value FROM meta WHERE key = 'demo_bundles'")
            .fetch_optional(store.pool())
            .await?;
    if done.is_some() {
        return Ok(None);
    }
    let calendar = store.calendar().await?;
    let counties = store
        .counties(PageRequest {
            page: 1,
            per_page: 100,
        })
        .await?
        .items;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = DemoBundles::default();
    let total = counties.len() * per_county;
    // The applications go through the real path; the hall's decisions on them are then written
    // in one transaction, each step checked against the transition table.
    let mut decisions = Vec::new();
    for county in counties.iter().map(|c| &c.code) {
        let template = four_certificate_template(store, county, from).await?;
        out.templates += 1;
        let towns = store.all_towns(Some(county)).await?;
        let bureau = Actor::Staff(Staff {
            id: 0,
            username: Username::parse("username", "demo.approval")?,
            role: Role::CountyBureau,
            jurisdiction: Jurisdiction::County(county.clone()),
        });
        for n in 0..per_county {
            let span = (today - from).num_days().max(1);
            let mut day = from + chrono::Duration::days(rng.random_range(0..span));
            while !calendar.is_working(day)? {
                day = day.succ_opt().expect("a date");
            }
            if day > today {
                continue;
            }
            let town: &TownCode = &towns[rng.random_range(0..towns.len())].code;
            let applicant = NewCase::parse(
                0,
                town.as_str(),
                "enterprise",
                &credit_code(&mut rng)?,
                &format!("德州示意实业有限公司{:03}", n + 1),
                "0534-0000000",
                Channel::Window.slug(),
                Vec::new(),
            )?;
            let mut new = NewBundle::parse(template, applicant);
            new.materials = FOUR
                .iter()
                .flat_map(|f| f.3.iter())
                .chain(SHARED.iter())
                .map(|m| (*m).to_owned())
                .collect();
            let receipt = store.submit_bundle(&bureau, new, day).await?;
            out.bundles += 1;
            for sub in &receipt.cases {
                // Most are decided the same day; some need one or two more working days.
                let extra = *[0, 0, 0, 0, 1, 2].get(rng.random_range(0..6)).unwrap_or(&0);
                let decided = calendar.add_working_days(day, extra)?;
                let mut steps = vec![(CaseAction::Accept, day), (CaseAction::Review, day)];
                if decided <= today {
                    steps.push((CaseAction::Grant, decided));
                    steps.push((CaseAction::Conclude, decided));
                }
                decisions.push((receipt.id, sub.id, sub.office_code.clone(), steps));
                out.sub_cases += 1;
            }
            progress("一件事 bundles", out.bundles, total);
        }
    }
    let mut w = store.write(&ACTOR).await?;
    decide(&mut w, &decisions).await?;
    sqlx::query("INSERT INTO meta (key, value) VALUES ('demo_bundles', $1)")
        .bind(serde_json::to_string(&out).expect("counts serialise"))
        .execute(w.conn())
        .await?;
    w.audit(
        "seed.demo_bundles",
        "bundle",
        "demo",
        &tongquan_domain::access::Scope::default(),
        serde_json::json!(out),
    );
    w.commit().await?;
    Ok(Some(out))
}

/// (bundle, sub-case, office, the steps the hall takes on it and when)
type Decision = (i64, i64, String, Vec<(CaseAction, NaiveDate)>);

/// Writes the hall's steps on the bundles' sub-cases: the events, each case's state, and a
/// bundle's conclusion on the day its last sub-case closed, as the case path would.
async fn decide(w: &mut crate::write::Write, decisions: &[Decision]) -> Result<()> {
    let at = w.at().to_owned();
    let mut events = Vec::new();
    for (_, case, office, steps) in decisions {
        let mut state = CaseState::Submitted;
        for (action, on) in steps {
            let to = step(state, *action, Party::Office)?;
            events.push((*case, action.slug(), state.slug(), to.slug(), office, *on));
            state = to;
        }
        let concluded =
            (state == CaseState::Concluded).then(|| steps[steps.len() - 1].1.to_string());
        sqlx::query(
            "UPDATE cases SET state = $1, concluded_on = $2, updated_at = $3,
             lock_version = lock_version + $4 WHERE id = $5",
        )
        .bind(state.slug())
        .bind(concluded)
        .bind(at.clone())
        .bind(steps.len() as i64)
        .bind(*case)
        .execute(w.conn())
        .await?;
    }
    for part in events.chunks(rows_per_insert(7)) {
        let mut sql = Sql::new(
            "INSERT INTO case_events (case_id, action, from_state, to_state, actor, office_code, on_day, reason, missing, created_at) VALUES ",
        );
        for (i, (case, action, from, to, office, on)) in part.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" })
                .bind(*case)
                .push(", ")
                .bind((*action).to_owned())
                .push(", ")
                .bind((*from).to_owned())
                .push(", ")
                .bind((*to).to_owned())
                .push(", 'demo.approval', ")
                .bind((*office).clone())
                .push(", ")
                .bind(on.to_string())
                .push(", '', '[]', ")
                .bind(at.clone())
                .push(")");
        }
        let conn = w.conn();
        sql.bulk(conn).execute(&mut *conn).await?;
    }
    crate::cases::number_unnumbered(w.conn()).await?;
    let bundles: std::collections::BTreeSet<i64> = decisions.iter().map(|d| d.0).collect();
    for bundle in bundles {
        sqlx::query(
            "UPDATE bundles SET concluded_on = (SELECT MAX(concluded_on) FROM cases WHERE bundle_id = $1)
             WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.bundle_id = $1
               AND c.state NOT IN ('rejected', 'concluded', 'withdrawn', 'revoked'))",
        )
        .bind(bundle)
        .execute(w.conn())
        .await?;
    }
    Ok(())
}

/// A unified social credit code of a Dezhou company (division 371400), with its check character.
fn credit_code(rng: &mut StdRng) -> Result<String> {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let body: String = (0..9)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect();
    Ok(ApplicantId::complete(ApplicantKind::Enterprise, &format!("91371400{body}"))?.to_string())
}
