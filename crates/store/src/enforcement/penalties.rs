//! Penalty cases within delegated powers: a town files only for an act under a power delegated to
//! it on the day, otherwise the case goes to the county department; two credentialed officers,
//! recusal, the notice of rights before the decision and, for a major decision, a legal review.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Action, Actor, ResourceKind, Role, Scope};
use tongquan_domain::catalog::ItemType;
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::lead::Handler;
use tongquan_domain::enforcement::penalty::{
    DECISION_DAYS, HEARING_REQUEST_DAYS, Penalty, PenaltyState, PenaltyStep, Procedure, Thresholds,
    check_extension_days,
};
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
    /// The party is an organisation (else a natural person): the hearing thresholds differ.
    pub organisation: bool,
    pub facts: String,
    /// Flagged major at filing (重大公共利益, 疑难复杂…); a penalty proposed above the
    /// province's thresholds or aggravated is major whatever this says.
    pub major: bool,
    pub officers: Vec<i64>,
}

/// What a step brings besides its kind: the text (a decision's, a reason), the penalty a notice
/// proposes or a decision imposes, the days an extension adds.
#[derive(Debug, Clone, Default)]
pub struct PenaltyInput {
    pub note: String,
    pub penalty: Option<Penalty>,
    pub days: Option<i64>,
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
    pub organisation: i64,
    pub state: String,
    pub filed_on: String,
    pub decision: String,
    /// What the notice of rights proposed and the decision imposed (JSON).
    pub proposed: Option<String>,
    pub imposed: Option<String>,
    pub notified_on: Option<String>,
    pub heard: i64,
    pub extended_days: i64,
    pub lock_version: i64,
    /// The last day to decide: filing + 90 days + approved extensions (Art. 60).
    #[sqlx(skip)]
    pub decide_by: String,
    /// The party may ask for a hearing on the proposed penalty, until this day (Arts. 63–64).
    #[sqlx(skip)]
    pub hearing_right: bool,
    #[sqlx(skip)]
    pub hearing_until: Option<String>,
    /// Major by the flag or by what was proposed: a legal review comes before the decision.
    #[sqlx(skip)]
    pub major_now: bool,
    /// The steps open now.
    #[sqlx(skip)]
    pub steps: Vec<String>,
}

impl PenaltyCase {
    fn handler_scope(&self) -> Scope {
        let handler = Handler::parse(&self.handler_kind, &self.handler_code).expect("stored");
        super::handler_scope(&self.county_code, &handler)
    }

    fn proposed(&self) -> Result<Option<Penalty>> {
        self.proposed
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StoreError::Config(format!("penalty case {}: {e}", self.id)))
    }
}

const COLUMNS: &str = "x.id, x.county_code, x.town_code, x.handler_kind, x.handler_code, x.route_reason_zh,
    x.route_reason_en, x.item_id, x.item_name, x.domain, x.party_name, x.facts, x.major, x.organisation, x.state, x.filed_on,
    x.decision, x.proposed, x.imposed, x.notified_on, x.heard, x.extended_days, x.lock_version";
const FROM: &str = "FROM penalty_cases x";

fn required_penalty(penalty: Option<Penalty>) -> Result<Penalty> {
    Ok(penalty
        .ok_or_else(|| DomainError::Required {
            field: "penalty".into(),
        })?
        .check()?)
}

fn required_note(note: &str) -> Result<()> {
    if note.is_empty() {
        return Err(DomainError::Required {
            field: "note".into(),
        }
        .into());
    }
    Ok(())
}

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
                route_reason_en, item_id, item_name, domain, party_name, facts, major, organisation, state, filed_on, decision)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'filed', $15, '') RETURNING id",
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
        .bind(i64::from(new.organisation))
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
        self.penalty_case(actor, id, today).await
    }

    /// One step of a penalty case, by its handler. The notice of rights states the proposed
    /// penalty, which settles the hearing right and whether the case is major; the decision
    /// waits for the hearing period and the hearing, needs the legal review when major or heard,
    /// comes within the time limit, is no heavier than notified, and is taken only while the
    /// handler still holds the power and its officers' credentials are valid. An extension is
    /// approved by the head of the body.
    pub async fn penalty_step(
        &self,
        actor: &Actor,
        id: i64,
        step: PenaltyStep,
        input: PenaltyInput,
        lock_version: i64,
        today: NaiveDate,
    ) -> Result<PenaltyCase> {
        let case: PenaltyCase = self
            .record(actor, "penalty_case", COLUMNS, FROM, id)
            .await?;
        require(actor, ResourceKind::Enforcement, &case.handler_scope())?;
        let thresholds = self.penalty_thresholds(&case.county_code).await?;
        let organisation = case.organisation != 0;
        let procedure = self.procedure(&case, &thresholds, today).await?;
        let mut major = procedure.major;
        let note = input.note.trim();
        // Where the case stands decides first: a decision before the notice is refused as such,
        // whatever it brings.
        let next = PenaltyState::parse("state", &case.state)?.after(step, &procedure)?;
        // The columns the step sets besides the state.
        let (mut proposed, mut imposed, mut extend) = (None, None, None);
        match step {
            PenaltyStep::Notify => {
                let p = required_penalty(input.penalty)?;
                // What the notice proposes makes the case major (and gives the hearing right).
                major |= thresholds.is_major(&p, organisation);
                proposed = Some(p);
            }
            PenaltyStep::Extend => {
                let head = actor.staff().is_some_and(|s| {
                    matches!(
                        s.role,
                        Role::DepartmentAdmin | Role::TeamLeader | Role::CountyBureau
                    )
                });
                if !head {
                    return Err(DomainError::forbidden(
                        "延长办案期限须经行政机关负责人批准",
                        "an extension is approved by the head of the body",
                    )
                    .into());
                }
                let days = input.days.ok_or_else(|| DomainError::Required {
                    field: "days".into(),
                })?;
                extend = Some(check_extension_days(days)?);
                required_note(note)?;
            }
            PenaltyStep::Decide => {
                required_note(note)?;
                let p = required_penalty(input.penalty)?;
                if case
                    .proposed()?
                    .is_some_and(|notified| p.heavier_than(&notified))
                {
                    return Err(DomainError::rule(
                        "heavier_than_notified",
                        "处罚决定不得重于权利告知书告知的处罚（不得因当事人陈述、申辩而加重处罚）",
                        "the decision may not be heavier than the penalty the notice of rights proposed",
                    )
                    .into());
                }
                imposed = Some(p);
            }
            _ => {}
        }
        if step == PenaltyStep::Decide {
            self.check_case_officers(&case, today).await?;
        }
        let mut update = Sql::new("UPDATE penalty_cases SET state = ");
        update.bind(next.slug().to_owned());
        if let Some(p) = &proposed {
            update
                .push(", proposed = ")
                .bind(serde_json::to_string(p).expect("serialises"))
                .push(", notified_on = ")
                .bind(today.to_string())
                .push(", major = ")
                .bind(i64::from(major));
        }
        if let Some(p) = &imposed {
            update
                .push(", decision = ")
                .bind(note.to_owned())
                .push(", imposed = ")
                .bind(serde_json::to_string(p).expect("serialises"));
        }
        if let Some(days) = extend {
            update.push(", extended_days = extended_days + ").bind(days);
        }
        if step == PenaltyStep::Hear {
            update.push(", heard = 1");
        }
        if step == PenaltyStep::Transfer {
            // The case goes to the county department of its field, with the reason.
            let county = CountyCode::parse("county", &case.county_code)?;
            let field = EnforcementDomain::parse("domain", &case.domain)?;
            let department = DepartmentCode::new(&county, field.department());
            update
                .push(", handler_kind = 'department', handler_code = ")
                .bind(department.to_string())
                .push(", department_code = ")
                .bind(department.to_string())
                .push(", route_reason_zh = ")
                .bind(format!(
                    "{today} 乡镇不再享有该职权，案件移送县{}",
                    field.department().zh()
                ))
                .push(", route_reason_en = ")
                .bind(format!(
                    "on {today} the town no longer held the power; the case went to the county {} department",
                    field.department().en()
                ));
        }
        let mut w = self.write(actor).await?;
        update
            .push(", lock_version = lock_version + 1 WHERE id = ")
            .bind(id)
            .push(" AND lock_version = ")
            .bind(lock_version);
        let done = update.query().execute(w.conn()).await?;
        ensure_updated(&done, "penalty_case", id, lock_version)?;
        let note = match input.days {
            Some(days) if step == PenaltyStep::Extend => format!("延长 {days} 日：{note}"),
            _ => note.to_owned(),
        };
        record_history(&mut w, History::Penalty, id, step.slug(), today, &note).await?;
        w.audit(
            &format!("penalty.{}", step.slug()),
            "penalty_case",
            &id.to_string(),
            &case.handler_scope(),
            json!({ "note": note }),
        );
        w.commit().await?;
        self.penalty_case(actor, id, today).await
    }

    /// Whether the town handling a case has lost its power by `today` (revoked or suspended):
    /// it then decides nothing and transfers the case.
    async fn power_lost(&self, case: &PenaltyCase, today: NaiveDate) -> Result<bool> {
        if case.handler_kind != "town" {
            return Ok(false);
        }
        let town = self
            .town(&TownCode::parse("town", &case.town_code)?)
            .await?;
        let item = self
            .item(&Actor::System("penalty"), case.item_id, Some(today))
            .await?;
        let competence = self.competence_of(&item, &town, today).await?;
        Ok(competence.kind != "town" || competence.code != case.handler_code)
    }

    /// The case's officers still hold valid credentials for its field on the day of the decision.
    async fn check_case_officers(&self, case: &PenaltyCase, today: NaiveDate) -> Result<()> {
        let ids: Vec<(i64,)> =
            sqlx::query_as("SELECT officer_id FROM penalty_officers WHERE case_id = $1")
                .bind(case.id)
                .fetch_all(self.pool())
                .await?;
        let ids: Vec<i64> = ids.into_iter().map(|(o,)| o).collect();
        let domain = EnforcementDomain::parse("domain", &case.domain)?;
        let department = DepartmentCode::new(
            &CountyCode::parse("county", &case.county_code)?,
            domain.department(),
        );
        let officers = self
            .officers_on_duty(&ids, None, domain, today, &[department])
            .await?;
        Ok(check_officers(&officers, domain, today)?)
    }

    /// Thresholds of large amounts in the county's province (meta `penalty.thresholds.<two
    /// digits>` as JSON), else the national default.
    pub async fn penalty_thresholds(&self, county: &str) -> Result<Thresholds> {
        let key = format!("penalty.thresholds.{}", county.get(..2).unwrap_or_default());
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM meta WHERE key = $1")
            .bind(key.clone())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some((v,)) => {
                serde_json::from_str(&v).map_err(|e| StoreError::Config(format!("{key}: {e}")))
            }
            None => Ok(Thresholds::default()),
        }
    }

    /// Where a case stands for its next step on `today`.
    async fn procedure(
        &self,
        case: &PenaltyCase,
        thresholds: &Thresholds,
        today: NaiveDate,
    ) -> Result<Procedure> {
        let proposed = case.proposed()?;
        let organisation = case.organisation != 0;
        let hearing_right = proposed
            .as_ref()
            .is_some_and(|p| thresholds.hearing_right(p, organisation));
        let hearing_until = match &case.notified_on {
            Some(d) => Some(
                self.calendar()
                    .await?
                    .add_working_days(parse_date("notified_on", d)?, HEARING_REQUEST_DAYS)?,
            ),
            None => None,
        };
        let filed = parse_date("filed_on", &case.filed_on)?;
        Ok(Procedure {
            major: case.major != 0
                || proposed
                    .as_ref()
                    .is_some_and(|p| thresholds.is_major(p, organisation)),
            hearing_right,
            hearing_until,
            heard: case.heard != 0,
            decide_by: filed + chrono::Days::new((DECISION_DAYS + case.extended_days) as u64),
            today,
            power_lost: self.power_lost(case, today).await?,
        })
    }

    /// The case with where it stands on `today`.
    async fn with_procedure(&self, mut case: PenaltyCase, today: NaiveDate) -> Result<PenaltyCase> {
        let thresholds = self.penalty_thresholds(&case.county_code).await?;
        let p = self.procedure(&case, &thresholds, today).await?;
        case.decide_by = p.decide_by.to_string();
        case.hearing_right = p.hearing_right;
        case.hearing_until = p.hearing_until.map(|d| d.to_string());
        case.major_now = p.major;
        case.steps = PenaltyState::parse("state", &case.state)?
            .steps(&p)
            .into_iter()
            .map(|s| s.slug().to_owned())
            .collect();
        Ok(case)
    }

    /// A penalty case with where it stands on `today`.
    pub async fn penalty_case(
        &self,
        actor: &Actor,
        id: i64,
        today: NaiveDate,
    ) -> Result<PenaltyCase> {
        let case = self
            .record(actor, "penalty_case", COLUMNS, FROM, id)
            .await?;
        self.with_procedure(case, today).await
    }

    pub async fn penalty_cases(
        &self,
        actor: &Actor,
        county: Option<&CountyCode>,
        page: PageRequest,
        today: NaiveDate,
    ) -> Result<Page<PenaltyCase>> {
        let filter = |sql: &mut Sql| {
            where_readable(sql, actor);
            if let Some(c) = county {
                sql.push(" AND x.county_code = ").bind(c.to_string());
            }
        };
        let (rows, total): (Vec<PenaltyCase>, i64) = self
            .page_capped(COLUMNS, FROM, "x.id DESC", filter, page)
            .await?;
        let mut items = Vec::with_capacity(rows.len());
        for c in rows {
            items.push(self.with_procedure(c, today).await?);
        }
        Ok(Page::new(items, page, total))
    }
}
