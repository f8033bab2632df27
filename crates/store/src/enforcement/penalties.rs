//! Penalty cases within delegated powers: a town files only for an act under a power delegated to
//! it on the day, otherwise the case goes to the county department; two credentialed officers,
//! recusal, the notice of rights before the decision and, for a major decision, a legal review.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Action, Actor, ResourceKind, Scope};
use tongquan_domain::catalog::ItemType;
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::lead::Handler;
use tongquan_domain::enforcement::penalty::{PenaltyState, PenaltyStep};
use tongquan_domain::enforcement::{EnforcementDomain, check_officers};

use super::{History, record_history, require, scope, where_readable};
use crate::db::Sql;
use crate::write::ensure_updated;
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(Debug, Clone)]
pub struct NewPenalty {
    /// The penalty power (a catalog item of type 行政处罚).
    pub item_id: i64,
    pub town: TownCode,
    /// The inspected object, if the act concerns one (for recusals).
    pub object_id: Option<i64>,
    pub party_name: String,
    pub facts: String,
    pub major: bool,
    pub officers: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct PenaltyCase {
    pub id: i64,
    pub county_code: String,
    pub town_code: String,
    pub handler_kind: String,
    pub handler_code: String,
    pub route_reason_zh: String,
    pub route_reason_en: String,
    pub item_id: i64,
    pub item_name: String,
    pub domain: String,
    pub party_name: String,
    pub facts: String,
    pub major: i64,
    pub state: String,
    pub filed_on: String,
    pub decision: String,
    pub lock_version: i64,
}

impl PenaltyCase {
    fn handler_scope(&self) -> Scope {
        let handler = Handler::parse(&self.handler_kind, &self.handler_code).expect("stored");
        super::handler_scope(&self.county_code, &handler)
    }

    pub fn steps(&self) -> Vec<PenaltyStep> {
        PenaltyState::parse("state", &self.state)
            .map_or_else(|_| Vec::new(), |s| s.steps(self.major != 0))
    }
}

const COLUMNS: &str = "x.id, x.county_code, x.town_code, x.handler_kind, x.handler_code, x.route_reason_zh,
    x.route_reason_en, x.item_id, x.item_name, x.domain, x.party_name, x.facts, x.major, x.state, x.filed_on, x.decision,
    x.lock_version";
const FROM: &str = "FROM penalty_cases x";

impl Store {
    /// Files a penalty case. The power must be a penalty item of the town's county in force; the
    /// case is the town's when the power is delegated to the town that day, else the county
    /// department's (with the reason). A town team may file only what is its own.
    pub async fn file_penalty(
        &self,
        actor: &Actor,
        new: NewPenalty,
        today: NaiveDate,
    ) -> Result<PenaltyCase> {
        let town = self.town(&new.town).await?;
        let item = self
            .item(&Actor::System("penalty"), new.item_id, Some(today))
            .await?;
        let content = item.content_on(today)?;
        if content.item_type != ItemType::Penalty {
            return Err(DomainError::invalid(
                "item_id",
                "所选事项不是行政处罚职权",
                "the item is not a penalty power",
            )
            .into());
        }
        let domain = EnforcementDomain::from_category(&content.category)
            .or_else(|| EnforcementDomain::of_department(content.department.kind()))
            .ok_or_else(|| {
                DomainError::invalid(
                    "item_id",
                    "该职权不属于执法领域",
                    "the power belongs to no enforcement field",
                )
            })?;
        let competence = self.competence_of(&item, &town, today).await?;
        let (handler, reason) = match competence.kind {
            "town" => (
                Handler::Town(new.town.clone()),
                (
                    format!(
                        "该职权已依{}赋予{}，由乡镇立案",
                        competence.doc_number.clone().unwrap_or_default(),
                        town.name
                    ),
                    format!(
                        "the power is delegated to {} by {}; the town files",
                        town.name,
                        competence.doc_number.clone().unwrap_or_default()
                    ),
                ),
            ),
            _ => {
                let dept = DepartmentCode::new(&town.county_code, domain.department());
                (
                    Handler::Department(dept),
                    (
                        format!(
                            "{today} 该职权未赋予{}，案件移交县{}",
                            town.name,
                            domain.department().zh()
                        ),
                        format!(
                            "on {today} the power is not delegated to {}; the case goes to the county {} department",
                            town.name,
                            domain.department().en()
                        ),
                    ),
                )
            }
        };
        let county = town.county_code.clone();
        let field_department = DepartmentCode::new(&county, domain.department());
        if let Some(object) = new.object_id {
            let o = self
                .inspection_object(&Actor::System("penalty"), object)
                .await?;
            if o.county_code != county.as_str() {
                return Err(StoreError::not_found("inspection_object", object));
            }
        }
        let handler_scope = super::handler_scope(county.as_str(), &handler);
        // The town's team may file in its town; outside its powers the case is the department's.
        let may = |s: &Scope| {
            tongquan_domain::access::may(actor, ResourceKind::Enforcement, Action::Manage, s)
        };
        if !may(&handler_scope) && !may(&scope(&county, Some(&new.town), None)) {
            return Err(DomainError::forbidden(
                "无权在该乡镇立案",
                "not allowed to file cases in this town",
            )
            .into());
        }
        let officers = self
            .officers_on_duty(
                &new.officers,
                new.object_id,
                domain,
                today,
                std::slice::from_ref(&field_department),
            )
            .await?;
        check_officers(&officers, domain, today)?;
        let (party, facts) = (new.party_name.trim(), new.facts.trim());
        if party.is_empty() || facts.is_empty() {
            return Err(DomainError::Required {
                field: if party.is_empty() {
                    "party_name"
                } else {
                    "facts"
                }
                .into(),
            }
            .into());
        }
        let department = handler.department().map(ToString::to_string);
        let mut w = self.write(actor).await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO penalty_cases (county_code, town_code, department_code, handler_kind, handler_code, route_reason_zh,
                route_reason_en, item_id, item_name, domain, party_name, facts, major, state, filed_on, decision)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'filed', $14, '') RETURNING id",
        )
        .bind(county.to_string())
        .bind(new.town.to_string())
        .bind(department)
        .bind(handler.kind().to_owned())
        .bind(handler.code())
        .bind(reason.0.clone())
        .bind(reason.1.clone())
        .bind(new.item_id)
        .bind(content.name.clone())
        .bind(domain.slug().to_owned())
        .bind(party.to_owned())
        .bind(facts.to_owned())
        .bind(i64::from(new.major))
        .bind(today.to_string())
        .fetch_one(w.conn())
        .await?;
        for o in &officers {
            sqlx::query("INSERT INTO penalty_officers (case_id, officer_id) VALUES ($1, $2)")
                .bind(id)
                .bind(o.id)
                .execute(w.conn())
                .await?;
        }
        record_history(&mut w, History::Penalty, id, "file", today, "").await?;
        w.audit(
            "penalty.file",
            "penalty_case",
            &id.to_string(),
            &handler_scope,
            json!({ "item": new.item_id, "handler": handler.code(), "major": new.major }),
        );
        w.commit().await?;
        self.penalty_case(actor, id).await
    }

    /// One step of a penalty case, by its handler; the decision needs the notice of rights (and
    /// the legal review if major) and the officers' credentials still valid.
    pub async fn penalty_step(
        &self,
        actor: &Actor,
        id: i64,
        step: PenaltyStep,
        note: &str,
        lock_version: i64,
        today: NaiveDate,
    ) -> Result<PenaltyCase> {
        let case = self.penalty_case(actor, id).await?;
        require(actor, ResourceKind::Enforcement, &case.handler_scope())?;
        let next = PenaltyState::parse("state", &case.state)?.after(step, case.major != 0)?;
        let note = note.trim();
        if step == PenaltyStep::Decide {
            if note.is_empty() {
                return Err(DomainError::Required {
                    field: "note".into(),
                }
                .into());
            }
            let ids: Vec<(i64,)> =
                sqlx::query_as("SELECT officer_id FROM penalty_officers WHERE case_id = $1")
                    .bind(id)
                    .fetch_all(self.pool())
                    .await?;
            let ids: Vec<i64> = ids.into_iter().map(|(o,)| o).collect();
            let domain = EnforcementDomain::parse("domain", &case.domain)?;
            check_officers(
                &self
                    .officers_on_duty(
                        &ids,
                        None,
                        domain,
                        today,
                        &[DepartmentCode::new(
                            &CountyCode::parse("county", &case.county_code)?,
                            domain.department(),
                        )],
                    )
                    .await?,
                domain,
                today,
            )?;
        }
        let mut w = self.write(actor).await?;
        let mut sql = Sql::new("UPDATE penalty_cases SET state = ");
        sql.bind(next.slug().to_owned());
        if step == PenaltyStep::Decide {
            sql.push(", decision = ").bind(note.to_owned());
        }
        sql.push(", lock_version = lock_version + 1 WHERE id = ")
            .bind(id)
            .push(" AND lock_version = ")
            .bind(lock_version);
        let done = sql.query().execute(w.conn()).await?;
        ensure_updated(&done, "penalty_case", id, lock_version)?;
        record_history(&mut w, History::Penalty, id, step.slug(), today, note).await?;
        w.audit(
            &format!("penalty.{}", step.slug()),
            "penalty_case",
            &id.to_string(),
            &case.handler_scope(),
            json!({ "note": note }),
        );
        w.commit().await?;
        self.penalty_case(actor, id).await
    }

    pub async fn penalty_case(&self, actor: &Actor, id: i64) -> Result<PenaltyCase> {
        self.record(actor, "penalty_case", COLUMNS, FROM, id).await
    }

    pub async fn penalty_cases(
        &self,
        actor: &Actor,
        county: Option<&CountyCode>,
        page: PageRequest,
    ) -> Result<Page<PenaltyCase>> {
        let filter = |sql: &mut Sql| {
            where_readable(sql, actor);
            if let Some(c) = county {
                sql.push(" AND x.county_code = ").bind(c.to_string());
            }
        };
        let (items, total) = self
            .page_capped(COLUMNS, FROM, "x.id DESC", filter, page)
            .await?;
        Ok(Page::new(items, page, total))
    }
}
