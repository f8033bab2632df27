//! The hazard register (隐患台账): raised at an inspection with a level, a rectification
//! deadline and a responsible party; re-inspected until closed; escalated to the county
//! department when overdue.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Actor, ResourceKind};
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::EnforcementDomain;
use tongquan_domain::enforcement::hazard::{HazardState, check_deadline};

use super::inspections::NewHazard;
use super::objects::InspectionObject;
use super::{History, record_history, require, scope, where_readable};
use crate::db::Sql;
use crate::write::Write;
use crate::write::ensure_updated;
use crate::{Page, PageRequest, Result, Store};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Hazard {
    pub id: i64,
    pub county_code: String,
    pub town_code: String,
    pub department_code: String,
    pub object_id: i64,
    pub object_name: String,
    pub inspection_id: i64,
    pub domain: String,
    pub level: String,
    pub description: String,
    pub responsible: String,
    pub deadline: String,
    pub state: String,
    pub raised_on: String,
    pub escalated_on: Option<String>,
    pub closed_on: Option<String>,
    pub lock_version: i64,
}

/// What a re-inspection found.
#[derive(Debug, Clone)]
pub struct Reinspection {
    pub rectified: bool,
    /// Required when not rectified.
    pub new_deadline: Option<NaiveDate>,
    pub note: String,
    pub lock_version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct HazardFilter {
    pub county: Option<CountyCode>,
    pub town: Option<TownCode>,
    pub state: Option<HazardState>,
}

const COLUMNS: &str = "x.id, x.county_code, x.town_code, x.department_code, x.object_id, o.name AS object_name,
    x.inspection_id, x.domain, x.level, x.description, x.responsible, x.deadline, x.state, x.raised_on,
    x.escalated_on, x.closed_on, x.lock_version";
const FROM: &str = "FROM hazards x JOIN inspection_objects o ON o.id = x.object_id";

/// Writes a hazard raised at an inspection, in the inspection's transaction. The county
/// department of the field answers for it if it is escalated.
pub(crate) async fn insert_hazard(
    w: &mut Write,
    inspection: i64,
    object: &InspectionObject,
    lead: &DepartmentCode,
    domain: EnforcementDomain,
    h: &NewHazard,
    today: NaiveDate,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO hazards (county_code, town_code, department_code, object_id, inspection_id, domain, level,
            description, responsible, deadline, state, raised_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11)
         RETURNING id",
    )
    .bind(object.county_code.clone())
    .bind(object.town_code.clone())
    .bind(lead.to_string())
    .bind(object.id)
    .bind(inspection)
    .bind(domain.slug().to_owned())
    .bind(h.level.slug().to_owned())
    .bind(h.description.trim().to_owned())
    .bind(h.responsible.trim().to_owned())
    .bind(h.deadline.to_string())
    .bind(today.to_string())
    .fetch_one(w.conn())
    .await?;
    record_history(
        w,
        History::Hazard,
        id,
        "raise",
        today,
        &format!("期限 {} / deadline", h.deadline),
    )
    .await?;
    Ok(id)
}

fn hazard_scope(h: &Hazard) -> tongquan_domain::access::Scope {
    scope(
        &CountyCode::parse("county", &h.county_code).expect("stored"),
        Some(&TownCode::parse("town", &h.town_code).expect("stored")),
        Some(&DepartmentCode::parse("department", &h.department_code).expect("stored")),
    )
}

impl Store {
    pub async fn hazard(&self, actor: &Actor, id: i64) -> Result<Hazard> {
        self.record(actor, "hazard", COLUMNS, FROM, id).await
    }

    pub async fn hazards(
        &self,
        actor: &Actor,
        f: &HazardFilter,
        page: PageRequest,
    ) -> Result<Page<Hazard>> {
        let filter = |sql: &mut Sql| {
            where_readable(sql, actor);
            if let Some(c) = &f.county {
                sql.push(" AND x.county_code = ").bind(c.to_string());
            }
            if let Some(t) = &f.town {
                sql.push(" AND x.town_code = ").bind(t.to_string());
            }
            if let Some(s) = f.state {
                sql.push(" AND x.state = ").bind(s.slug().to_owned());
            }
        };
        let (items, total) = self
            .page_capped(COLUMNS, FROM, "x.deadline, x.id", filter, page)
            .await?;
        Ok(Page::new(items, page, total))
    }

    /// A re-inspection: closes the hazard if rectified, otherwise sets a new deadline (today or later).
    pub async fn reinspect_hazard(
        &self,
        actor: &Actor,
        id: i64,
        r: Reinspection,
        today: NaiveDate,
    ) -> Result<Hazard> {
        let Reinspection {
            rectified,
            new_deadline,
            note,
            lock_version,
        } = r;
        let h = self.hazard(actor, id).await?;
        require(actor, ResourceKind::Enforcement, &hazard_scope(&h))?;
        let state = HazardState::parse("state", &h.state)?;
        let next = state.reinspected(rectified)?;
        let deadline = match (rectified, new_deadline) {
            (true, _) => None,
            (false, Some(d)) => {
                check_deadline(d, today)?;
                Some(d)
            }
            (false, None) => {
                return Err(DomainError::Required {
                    field: "deadline".into(),
                }
                .into());
            }
        };
        let mut w = self.write(actor).await?;
        let mut sql = Sql::new("UPDATE hazards SET state = ");
        sql.bind(next.slug().to_owned())
            .push(", lock_version = lock_version + 1");
        if let Some(d) = deadline {
            sql.push(", deadline = ").bind(d.to_string());
        }
        if next == HazardState::Closed {
            sql.push(", closed_on = ").bind(today.to_string());
        }
        sql.push(" WHERE id = ")
            .bind(id)
            .push(" AND lock_version = ")
            .bind(lock_version);
        let done = sql.query().execute(w.conn()).await?;
        ensure_updated(&done, "hazard", id, lock_version)?;
        let note = if rectified {
            format!("整改完成 / rectified. {}", note.trim())
        } else {
            format!("未完成整改 / not rectified. {}", note.trim())
        };
        record_history(&mut w, History::Hazard, id, "reinspect", today, &note).await?;
        w.audit(
            "hazard.reinspect",
            "hazard",
            &id.to_string(),
            &hazard_scope(&h),
            json!({ "rectified": rectified, "deadline": deadline }),
        );
        w.commit().await?;
        self.hazard(actor, id).await
    }

    /// Escalates every open hazard past its deadline to the county department of its field.
    /// Returns how many went up.
    pub async fn escalate_overdue_hazards(&self, actor: &Actor, today: NaiveDate) -> Result<usize> {
        let overdue: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT id, county_code, town_code, domain FROM hazards WHERE state = 'open' AND deadline < $1 ORDER BY id",
        )
        .bind(today.to_string())
        .fetch_all(self.pool())
        .await?;
        if overdue.is_empty() {
            return Ok(0);
        }
        let mut w = self.write(actor).await?;
        let mut escalated = 0;
        for (id, county, town, domain) in &overdue {
            let county = CountyCode::parse("county", county).expect("stored");
            let dept = DepartmentCode::new(
                &county,
                EnforcementDomain::parse("domain", domain)?.department(),
            );
            // Closed since it was read: nothing to escalate.
            let done = sqlx::query("UPDATE hazards SET state = 'escalated', escalated_on = $1, department_code = $2, lock_version = lock_version + 1 WHERE id = $3 AND state = 'open'")
                .bind(today.to_string())
                .bind(dept.to_string())
                .bind(*id)
                .execute(w.conn())
                .await?;
            if done.rows_affected() == 0 {
                continue;
            }
            escalated += 1;
            record_history(
                &mut w,
                History::Hazard,
                *id,
                "escalate",
                today,
                &format!("逾期未整改，上报{dept} / overdue, escalated"),
            )
            .await?;
            w.audit(
                "hazard.escalate",
                "hazard",
                &id.to_string(),
                &scope(
                    &county,
                    Some(&TownCode::parse("town", town).expect("stored")),
                    Some(&dept),
                ),
                json!({ "to": dept.to_string() }),
            );
        }
        w.commit().await?;
        Ok(escalated)
    }
}
