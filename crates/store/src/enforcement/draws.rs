//! Random inspections (双随机、一公开) with commit–reveal: the pools and the hash of a secret seed
//! are published when the draw is made; the seed and the picks are revealed afterwards, and anyone
//! can recompute the picks from what was published (`tongquan draw verify`, the public page).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::Actor;
use tongquan_domain::codes::{DepartmentCode, TownCode};
use tongquan_domain::enforcement::{EnforcementDomain, repeat_recusals};
use tongquan_plan::{
    self as plan, DrawInputs, DrawOutcome, DrawSpec, PlanError, PoolObject, PoolOfficer, Recusal,
};

use super::{require_admin, scope};
use crate::db::Sql;
use crate::{Page, PageRequest, Result, Store, StoreError};

/// A draw as a department asks for it.
#[derive(Debug, Clone)]
pub struct NewDraw {
    pub department: DepartmentCode,
    pub title: String,
    /// The day the drawn inspections are for; credentials must be valid on it.
    pub draw_on: NaiveDate,
    pub spec: DrawSpec,
    /// Only the objects of one town, if set.
    pub town: Option<TownCode>,
}

/// Everything a third party needs to check a draw, as published. The seed and outcome are absent
/// until the draw is revealed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DrawDocument {
    pub draw_id: i64,
    #[schema(value_type = Object)]
    pub inputs: DrawInputs,
    pub inputs_digest: String,
    pub commitment: String,
    pub seed: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<DrawOutcome>,
}

impl DrawDocument {
    /// Recomputes the draw from the document alone.
    pub fn verify(&self) -> std::result::Result<(), PlanError> {
        let (Some(seed), Some(outcome)) = (&self.seed, &self.outcome) else {
            return Err(PlanError::OutcomeMismatch);
        };
        plan::verify(
            &self.inputs,
            &self.inputs_digest,
            &self.commitment,
            seed,
            outcome,
        )
    }
}

/// A draw on the public site.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Draw {
    pub id: i64,
    pub county_code: String,
    pub department_code: String,
    pub department_name: String,
    pub domain: String,
    pub title: String,
    pub draw_on: String,
    /// committed (pools and commitment published) or revealed (seed and picks published).
    pub state: String,
    pub inputs_digest: String,
    pub commitment: String,
    pub seed: Option<String>,
    pub committed_at: String,
    pub revealed_at: Option<String>,
    pub objects_in_pool: usize,
    pub officers_in_pool: usize,
    pub picks: Vec<DrawPick>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DrawPick {
    pub object_id: i64,
    pub object_name: String,
    pub town_name: String,
    pub risk_grade: String,
    pub officers: Vec<String>,
}

/// A draw's row without its (large) inputs and outcome.
#[derive(sqlx::FromRow)]
struct DrawRow {
    id: i64,
    county_code: String,
    department_code: String,
    department_name: String,
    domain: String,
    title: String,
    draw_on: String,
    objects_in_pool: i64,
    officers_in_pool: i64,
    inputs_digest: String,
    commitment: String,
    seed: String,
    state: String,
    committed_at: String,
    revealed_at: Option<String>,
}

impl DrawRow {
    /// As the public sees it: the seed only once revealed.
    fn public(self, picks: Vec<DrawPick>) -> Draw {
        let revealed = self.state == "revealed";
        Draw {
            id: self.id,
            county_code: self.county_code,
            department_code: self.department_code,
            department_name: self.department_name,
            domain: self.domain,
            title: self.title,
            draw_on: self.draw_on,
            state: self.state,
            inputs_digest: self.inputs_digest,
            commitment: self.commitment,
            seed: revealed.then_some(self.seed),
            committed_at: self.committed_at,
            revealed_at: self.revealed_at,
            objects_in_pool: usize::try_from(self.objects_in_pool).unwrap_or(0),
            officers_in_pool: usize::try_from(self.officers_in_pool).unwrap_or(0),
            picks,
        }
    }
}

const COLUMNS: &str = "x.id, x.county_code, x.department_code, d.name AS department_name, x.domain, x.title,
    x.draw_on, x.objects_in_pool, x.officers_in_pool, x.inputs_digest, x.commitment, x.seed, x.state, x.committed_at,
    x.revealed_at";
const FROM: &str = "FROM draws x JOIN departments d ON d.code = x.department_code";

pub(crate) fn plan_error(e: PlanError) -> StoreError {
    DomainError::rule(e.code(), e.message_zh(), e.message_en()).into()
}

fn grade(slug: &str) -> plan::RiskGrade {
    match slug {
        "A" => plan::RiskGrade::A,
        "B" => plan::RiskGrade::B,
        "C" => plan::RiskGrade::C,
        _ => plan::RiskGrade::D,
    }
}

impl Store {
    /// Makes a draw: builds the pools (the department's objects; its officers with a credential
    /// valid for its field on the day; declared and repeat recusals), commits to a fresh secret
    /// seed and publishes the pools and the commitment. A draw that cannot be made (empty pool,
    /// too few officers) is refused here, with nothing written.
    pub async fn commit_draw(&self, actor: &Actor, new: NewDraw) -> Result<Draw> {
        let county = new.department.county();
        require_admin(actor, &scope(&county, None, Some(&new.department)))?;
        let domain = EnforcementDomain::of_department(new.department.kind()).ok_or_else(|| {
            DomainError::invalid(
                "department",
                "只有执法部门可以抽取",
                "only enforcement departments make draws",
            )
        })?;
        self.department(&new.department).await?;
        let title = new.title.trim();
        if title.is_empty() {
            return Err(DomainError::Required {
                field: "title".into(),
            }
            .into());
        }
        let inputs = self.draw_inputs(&new, domain).await?;
        let seed: [u8; 32] = rand::random();
        plan::draw(&inputs, &seed).map_err(plan_error)?;
        let digest = plan::inputs_digest(&inputs);
        let commitment = plan::commitment(&seed);
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO draws (county_code, department_code, domain, title, draw_on, inputs, objects_in_pool,
                officers_in_pool, inputs_digest, commitment, seed, state, committed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'committed', $12) RETURNING id",
        )
        .bind(county.to_string())
        .bind(new.department.to_string())
        .bind(domain.slug().to_owned())
        .bind(title.to_owned())
        .bind(new.draw_on.to_string())
        .bind(serde_json::to_string(&inputs).expect("inputs serialise"))
        .bind(i64::try_from(inputs.objects.len()).unwrap_or(i64::MAX))
        .bind(i64::try_from(inputs.officers.len()).unwrap_or(i64::MAX))
        .bind(digest.clone())
        .bind(commitment.clone())
        .bind(hex::encode(seed))
        .bind(at)
        .fetch_one(w.conn())
        .await?;
        w.audit(
            "draw.commit",
            "draw",
            &id.to_string(),
            &scope(&county, None, Some(&new.department)),
            json!({ "inputs_digest": digest, "commitment": commitment, "objects": inputs.objects.len(), "officers": inputs.officers.len() }),
        );
        w.commit().await?;
        self.published_draw(id).await
    }

    async fn draw_inputs(&self, new: &NewDraw, domain: EnforcementDomain) -> Result<DrawInputs> {
        let county = new.department.county();
        let mut sql = Sql::new(
            "SELECT id, county_code, risk_grade FROM inspection_objects WHERE county_code = ",
        );
        sql.bind(county.to_string())
            .push(" AND (',' || domains || ',') LIKE ")
            .bind(format!("%,{},%", domain.slug()));
        if let Some(t) = &new.town {
            sql.push(" AND town_code = ").bind(t.to_string());
        }
        let objects: Vec<(i64, String, String)> = sql.query_as().fetch_all(self.pool()).await?;
        let on = new.draw_on.to_string();
        let officers: Vec<(i64,)> = sqlx::query_as(
            "SELECT DISTINCT o.id FROM officers o JOIN credentials c ON c.officer_id = o.id
             WHERE o.department_code = $1 AND c.valid_from <= $2 AND c.valid_to >= $2
               AND (',' || c.domains || ',') LIKE $3 ORDER BY o.id",
        )
        .bind(new.department.to_string())
        .bind(on)
        .bind(format!("%,{},%", domain.slug()))
        .fetch_all(self.pool())
        .await?;
        let in_pool: std::collections::HashSet<i64> = objects.iter().map(|o| o.0).collect();
        let officer_set: std::collections::HashSet<i64> = officers.iter().map(|o| o.0).collect();
        let declared: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT r.officer_id, r.object_id FROM recusals r JOIN officers o ON o.id = r.officer_id
             WHERE o.department_code = $1",
        )
        .bind(new.department.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut recusals: Vec<Recusal> = declared
            .into_iter()
            .filter(|(o, x)| officer_set.contains(o) && in_pool.contains(x))
            .map(|(officer, object)| Recusal { officer, object })
            .collect();
        // The last three visits of every object in the county, newest first, in one read.
        let visits: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT i.object_id, i.id, i.found, io.officer_id FROM inspections i
             JOIN inspection_officers io ON io.inspection_id = i.id
             WHERE i.county_code = $1 ORDER BY i.object_id, i.visited_on DESC, i.id DESC",
        )
        .bind(county.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut last: HashMap<i64, Vec<(i64, Vec<i64>, bool)>> = HashMap::new();
        for (object, visit, found, officer) in visits {
            let list = last.entry(object).or_default();
            if list.last().is_some_and(|(v, _, _)| *v == visit) {
                list.last_mut().expect("checked").1.push(officer);
            } else if list.len() < 3 {
                list.push((visit, vec![officer], found != 0));
            }
        }
        for (object, list) in last {
            if !in_pool.contains(&object) {
                continue;
            }
            let shape: Vec<(Vec<i64>, bool)> = list.into_iter().map(|(_, o, f)| (o, f)).collect();
            for officer in repeat_recusals(&shape) {
                if officer_set.contains(&officer)
                    && !recusals
                        .iter()
                        .any(|r| r.officer == officer && r.object == object)
                {
                    recusals.push(Recusal { officer, object });
                }
            }
        }
        recusals.sort_by_key(|r| (r.officer, r.object));
        Ok(DrawInputs {
            spec: new.spec.clone(),
            objects: objects
                .into_iter()
                .map(|(id, region, g)| PoolObject {
                    id,
                    region,
                    grade: grade(&g),
                })
                .collect(),
            officers: officers
                .into_iter()
                .map(|(id,)| PoolOfficer {
                    id,
                    region: county.to_string(),
                })
                .collect(),
            recusals,
        })
    }

    /// Reveals the seed and publishes the picks.
    pub async fn reveal_draw(&self, actor: &Actor, id: i64) -> Result<Draw> {
        let row = self.draw_row(id).await?;
        let county =
            tongquan_domain::codes::CountyCode::parse("county", &row.county_code).expect("stored");
        let dept = DepartmentCode::parse("department", &row.department_code).expect("stored");
        require_admin(actor, &scope(&county, None, Some(&dept)))?;
        if row.state != "committed" {
            return Err(DomainError::rule(
                "transition_not_allowed",
                "该抽取结果已公布",
                "the draw is already revealed",
            )
            .into());
        }
        let inputs = self.draw_document(id).await?.inputs;
        let seed = plan::parse_seed(&row.seed).map_err(plan_error)?;
        let outcome = plan::draw(&inputs, &seed).map_err(plan_error)?;
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let done = sqlx::query("UPDATE draws SET state = 'revealed', outcome = $1, revealed_at = $2 WHERE id = $3 AND state = 'committed'")
            .bind(serde_json::to_string(&outcome).expect("outcome serialises"))
            .bind(at)
            .bind(id)
            .execute(w.conn())
            .await?;
        // Revealed meanwhile by someone else.
        crate::write::ensure_updated(&done, "draw", id, 1)?;
        w.audit(
            "draw.reveal",
            "draw",
            &id.to_string(),
            &scope(&county, None, Some(&dept)),
            json!({ "seed": row.seed, "picks": outcome.picks.len() }),
        );
        w.commit().await?;
        self.published_draw(id).await
    }

    async fn draw_row(&self, id: i64) -> Result<DrawRow> {
        let mut sql = Sql::new(&format!("SELECT {COLUMNS} {FROM}"));
        sql.push(" WHERE x.id = ").bind(id);
        sql.query_as()
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found("draw", id))
    }

    /// The draw's published document: the seed and outcome only once revealed.
    pub async fn draw_document(&self, id: i64) -> Result<DrawDocument> {
        let row: Option<(String, Option<String>, String, String, String, String)> = sqlx::query_as(
            "SELECT inputs, outcome, inputs_digest, commitment, seed, state FROM draws WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let (inputs, outcome, inputs_digest, commitment, seed, state) =
            row.ok_or_else(|| StoreError::not_found("draw", id))?;
        let revealed = state == "revealed";
        Ok(DrawDocument {
            draw_id: id,
            inputs: serde_json::from_str(&inputs).expect("stored inputs"),
            inputs_digest,
            commitment,
            seed: revealed.then_some(seed),
            outcome: outcome
                .filter(|_| revealed)
                .map(|o| serde_json::from_str(&o).expect("stored outcome")),
        })
    }

    /// A draw as the public site shows it (public: 一公开).
    pub async fn published_draw(&self, id: i64) -> Result<Draw> {
        let row = self.draw_row(id).await?;
        let mut picks = Vec::new();
        let outcome: Option<(String,)> =
            sqlx::query_as("SELECT outcome FROM draws WHERE id = $1 AND state = 'revealed'")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        if let Some(outcome) =
            outcome.map(|(o,)| serde_json::from_str::<DrawOutcome>(&o).expect("stored outcome"))
        {
            let ids: Vec<i64> = outcome.picks.iter().map(|p| p.object).collect();
            let mut sql = Sql::new(
                "SELECT x.id, x.name, t.name, x.risk_grade FROM inspection_objects x JOIN towns t ON t.code = x.town_code WHERE ",
            );
            sql.bind_in("x.id", &ids);
            let objects: HashMap<i64, (String, String, String)> = sql
                .query_as::<(i64, String, String, String)>()
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .map(|(id, n, t, g)| (id, (n, t, g)))
                .collect();
            let officer_ids: Vec<i64> = outcome
                .picks
                .iter()
                .flat_map(|p| p.officers.iter().copied())
                .collect();
            let mut sql = Sql::new("SELECT id, name FROM officers WHERE ");
            sql.bind_in("id", &officer_ids);
            let names: HashMap<i64, String> = sql
                .query_as::<(i64, String)>()
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .collect();
            for p in &outcome.picks {
                let (name, town, grade) = objects.get(&p.object).cloned().unwrap_or_default();
                picks.push(DrawPick {
                    object_id: p.object,
                    object_name: name,
                    town_name: town,
                    risk_grade: grade,
                    officers: p
                        .officers
                        .iter()
                        .map(|o| names.get(o).cloned().unwrap_or_else(|| o.to_string()))
                        .collect(),
                });
            }
        }
        Ok(row.public(picks))
    }

    /// The draws, newest first (public).
    pub async fn draws(
        &self,
        county: Option<&tongquan_domain::codes::CountyCode>,
        page: PageRequest,
    ) -> Result<Page<Draw>> {
        let filter = |sql: &mut Sql| {
            sql.push(" WHERE 1 = 1");
            if let Some(c) = county {
                sql.push(" AND x.county_code = ").bind(c.to_string());
            }
        };
        let (rows, total): (Vec<DrawRow>, i64) = self
            .page_capped(COLUMNS, FROM, "x.id DESC", filter, page)
            .await?;
        Ok(Page::new(
            rows.into_iter().map(|r| r.public(Vec::new())).collect(),
            page,
            total,
        ))
    }
}
