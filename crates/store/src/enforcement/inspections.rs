//! Inspection records: who was there (checked), what was checked and found, hazards raised, and
//! the code the enterprise rates the visit with.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tongquan_domain::DomainError;
use tongquan_domain::access::{Actor, ResourceKind};
use tongquan_domain::applicant::ApplicantId;
use tongquan_domain::case::Rating;
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::hazard::{HazardLevel, check_deadline};
use tongquan_domain::enforcement::{
    EnforcementDomain, Trigger, check_part, check_visit_cap, joint_parts,
};

use super::{require, scope, where_readable};
use crate::db::Sql;
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(Debug, Clone)]
pub struct NewHazard {
    pub level: HazardLevel,
    pub description: String,
    pub responsible: String,
    pub deadline: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct NewInspection {
    pub object_id: i64,
    /// The lead department; the others that joined the visit follow.
    pub department: DepartmentCode,
    pub joined: Vec<DepartmentCode>,
    pub trigger: Trigger,
    pub draw_id: Option<i64>,
    pub lead_id: Option<i64>,
    pub visited_on: NaiveDate,
    /// Local times, HH:MM.
    pub started_at: String,
    pub ended_at: String,
    pub officers: Vec<i64>,
    /// Which officers did which department's part, where not their own department's.
    pub parts: Vec<(DepartmentCode, Vec<i64>)>,
    pub items: Vec<String>,
    pub findings: String,
    pub hazards: Vec<NewHazard>,
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Inspection {
    pub id: i64,
    pub county_code: String,
    pub town_code: String,
    pub department_code: String,
    pub object_id: i64,
    pub object_name: String,
    /// Every department of the visit, comma-separated, lead first.
    pub departments: String,
    pub domain: String,
    pub trigger_kind: String,
    pub visited_on: String,
    pub started_at: String,
    pub ended_at: String,
    pub items: String,
    pub findings: String,
    pub found: i64,
    pub override_reason: Option<String>,
    pub rating: Option<i64>,
}

/// What the officers hand the enterprise: the record and the one-time rating code.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InspectionReceipt {
    pub inspection: Inspection,
    pub rating_code: String,
    pub hazards: Vec<i64>,
}

/// A visit as the inspected enterprise sees it (public by credit code; results are published).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Visit {
    pub id: i64,
    pub visited_on: String,
    pub departments: String,
    pub trigger_kind: String,
    pub found: i64,
    pub rated: i64,
}

#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub county: Option<CountyCode>,
    pub town: Option<TownCode>,
    pub object: Option<i64>,
}

const COLUMNS: &str = "x.id, x.county_code, x.town_code, x.department_code, x.object_id, o.name AS object_name,
    x.departments, x.domain, x.trigger_kind, x.visited_on, x.started_at, x.ended_at, x.items, x.findings, x.found,
    x.override_reason, x.rating";
const FROM: &str = "FROM inspections x JOIN inspection_objects o ON o.id = x.object_id";

pub(crate) fn rating_hash(code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("inspection:{}", code.trim().to_ascii_uppercase()).as_bytes(),
    ))
}

/// Eight characters a person can read out: no 0/O or 1/I.
fn rating_code() -> String {
    const CHARS: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    (0..8)
        .map(|_| CHARS[usize::from(rand::random::<u8>()) % CHARS.len()] as char)
        .collect()
}

fn hhmm(field: &str, s: &str) -> Result<String> {
    chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map(|t| t.format("%H:%M").to_string())
        .map_err(|_| {
            DomainError::invalid(
                field,
                format!("时间应为 时:分，收到“{s}”"),
                format!("expected HH:MM, got {s:?}"),
            )
            .into()
        })
}

/// Visits per object per month that do not need an override, unless configured otherwise.
pub const DEFAULT_VISIT_CAP: u32 = 1;

impl Store {
    /// The cap on planned visits per object per month (meta key `enforcement.visit_cap`).
    pub async fn visit_cap(&self) -> Result<u32> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT value FROM meta WHERE key = 'enforcement.visit_cap'")
                .fetch_optional(self.pool())
                .await?;
        Ok(row
            .and_then(|(v,)| v.parse().ok())
            .unwrap_or(DEFAULT_VISIT_CAP))
    }

    /// Records a visit. Refused with nothing written: a department's part done by fewer than two
    /// officers, a credential not valid for the part's field that day, a recused officer, a planned visit over the month's cap
    /// without a reason, a hazard deadline in the past, a visit in the future.
    pub async fn record_inspection(
        &self,
        actor: &Actor,
        new: NewInspection,
        today: NaiveDate,
    ) -> Result<InspectionReceipt> {
        let object = self
            .inspection_object(&Actor::System("inspection"), new.object_id)
            .await?;
        let county = CountyCode::parse("county", &object.county_code).expect("stored");
        let town = TownCode::parse("town", &object.town_code).expect("stored");
        if new.department.county() != county {
            return Err(StoreError::not_found("inspection_object", new.object_id));
        }
        let s = scope(&county, Some(&town), Some(&new.department));
        require(actor, ResourceKind::Enforcement, &s)?;
        let domain = EnforcementDomain::of_department(new.department.kind()).ok_or_else(|| {
            DomainError::invalid(
                "department",
                "牵头部门应为执法部门",
                "the lead department must be an enforcement department",
            )
        })?;
        if new.visited_on > today {
            return Err(DomainError::invalid(
                "visited_on",
                "检查日期不能晚于今天",
                "the visit cannot be in the future",
            )
            .into());
        }
        let (started, ended) = (
            hhmm("started_at", &new.started_at)?,
            hhmm("ended_at", &new.ended_at)?,
        );
        if ended < started {
            return Err(DomainError::invalid(
                "ended_at",
                "结束时间早于开始时间",
                "the visit ends before it starts",
            )
            .into());
        }
        let mut departments = vec![new.department.clone()];
        for d in &new.joined {
            if d.county() != county || EnforcementDomain::of_department(d.kind()).is_none() {
                return Err(DomainError::invalid(
                    "joined",
                    format!("部门 {d} 不是本县执法部门"),
                    format!("{d} is not an enforcement department of the county"),
                )
                .into());
            }
            if !departments.contains(d) {
                departments.push(d.clone());
            }
        }
        let officers = self.visit_parts(&new, &departments).await?;
        for h in &new.hazards {
            check_deadline(h.deadline, today)?;
            if h.description.trim().is_empty() || h.responsible.trim().is_empty() {
                return Err(DomainError::Required {
                    field: if h.description.trim().is_empty() {
                        "hazards.description"
                    } else {
                        "hazards.responsible"
                    }
                    .into(),
                }
                .into());
            }
        }
        self.check_trigger(&new, &town).await?;
        let month = new.visited_on.format("%Y-%m").to_string();
        let (planned,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM inspections WHERE object_id = $1 AND visited_on LIKE $2 AND trigger_kind IN ('routine', 'draw')",
        )
        .bind(new.object_id)
        .bind(format!("{month}%"))
        .fetch_one(self.pool())
        .await?;
        let cap = self.visit_cap().await?;
        let override_reason = check_visit_cap(
            u32::try_from(planned).unwrap_or(u32::MAX),
            cap,
            new.trigger.is_triggered(),
            new.override_reason.as_deref(),
        )?;
        let items: Vec<String> = new
            .items
            .iter()
            .map(|i| i.trim().to_owned())
            .filter(|i| !i.is_empty())
            .collect();
        let found = !new.findings.trim().is_empty() || !new.hazards.is_empty();
        let code = rating_code();
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO inspections (county_code, town_code, department_code, object_id, departments, domain, trigger_kind,
                draw_id, lead_id, visited_on, started_at, ended_at, items, findings, found, override_reason,
                rating_code_hash, recorded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
        )
        .bind(county.to_string())
        .bind(town.to_string())
        .bind(new.department.to_string())
        .bind(new.object_id)
        .bind(
            departments
                .iter()
                .map(DepartmentCode::as_str)
                .collect::<Vec<_>>()
                .join(","),
        )
        .bind(domain.slug().to_owned())
        .bind(new.trigger.slug().to_owned())
        .bind(new.draw_id.filter(|_| new.trigger == Trigger::Draw))
        .bind(new.lead_id.filter(|_| new.trigger.is_triggered()))
        .bind(new.visited_on.to_string())
        .bind(started)
        .bind(ended)
        .bind(items.join("\n"))
        .bind(new.findings.trim().to_owned())
        .bind(i64::from(found))
        .bind(override_reason.clone())
        .bind(rating_hash(&code))
        .bind(actor.audit_name())
        .bind(at.clone())
        .fetch_one(w.conn())
        .await?;
        for (o, field) in &officers {
            sqlx::query(
                "INSERT INTO inspection_officers (inspection_id, officer_id, domain) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(*o)
            .bind(field.slug())
            .execute(w.conn())
            .await?;
        }
        let mut hazards = Vec::new();
        for h in &new.hazards {
            hazards.push(
                super::hazards::insert_hazard(
                    &mut w,
                    id,
                    &object,
                    &new.department,
                    domain,
                    h,
                    today,
                )
                .await?,
            );
        }
        w.audit(
            "inspection.record",
            "inspection",
            &id.to_string(),
            &s,
            json!({ "object": new.object_id, "officers": new.officers, "trigger": new.trigger.slug(), "found": found,
                    "hazards": hazards, "override_reason": override_reason }),
        );
        w.commit().await?;
        Ok(InspectionReceipt {
            inspection: self.inspection(actor, id).await?,
            rating_code: code,
            hazards,
        })
    }

    /// Who did which department's part of the visit, each part checked: at least two officers
    /// with a credential valid for its field that day, none recused. Returns (officer, field).
    async fn visit_parts(
        &self,
        new: &NewInspection,
        departments: &[DepartmentCode],
    ) -> Result<Vec<(i64, EnforcementDomain)>> {
        let field = |d: &DepartmentCode| {
            EnforcementDomain::of_department(d.kind()).expect("checked as enforcement departments")
        };
        let fields: Vec<EnforcementDomain> = departments.iter().map(field).collect();
        // Unknown officers and officers of other departments are named here.
        self.officers_on_duty(&new.officers, None, fields[0], new.visited_on, departments)
            .await?;
        let mut sql = Sql::new("SELECT id, department_code FROM officers WHERE ");
        sql.bind_in("id", &new.officers);
        let homes: Vec<(i64, String)> = sql.query_as().fetch_all(self.pool()).await?;
        let mut present = Vec::new();
        for (id, dept) in homes {
            present.push((id, field(&DepartmentCode::parse("department", &dept)?)));
        }
        let mut stated = Vec::new();
        for (d, ids) in &new.parts {
            if !departments.contains(d) {
                return Err(DomainError::invalid(
                    "parts",
                    format!("部门 {d} 不参加本次检查"),
                    format!("{d} is not part of this visit"),
                )
                .into());
            }
            stated.push((field(d), ids.clone()));
        }
        let mut out = Vec::new();
        for (field, ids) in joint_parts(&fields, &present, &stated)? {
            let officers = self
                .officers_on_duty(
                    &ids,
                    Some(new.object_id),
                    field,
                    new.visited_on,
                    departments,
                )
                .await?;
            check_part(&officers, field, new.visited_on)?;
            out.extend(ids.into_iter().map(|id| (id, field)));
        }
        Ok(out)
    }

    /// What a visit says set it off must be there: a lead or complaint in the object's town, or a
    /// revealed draw that picked the object. Only planned visits count against the cap, so this is
    /// what keeps the cap from being talked around.
    async fn check_trigger(&self, new: &NewInspection, town: &TownCode) -> Result<()> {
        match new.trigger {
            Trigger::Routine => Ok(()),
            Trigger::Lead | Trigger::Complaint => {
                let id = new.lead_id.ok_or_else(|| DomainError::Required {
                    field: "lead_id".into(),
                })?;
                let row: Option<(String,)> =
                    sqlx::query_as("SELECT town_code FROM leads WHERE id = $1")
                        .bind(id)
                        .fetch_optional(self.pool())
                        .await?;
                match row {
                    Some((t,)) if t == town.as_str() => Ok(()),
                    _ => Err(DomainError::invalid(
                        "lead_id",
                        format!("线索 {id} 不存在或不在检查对象所在乡镇"),
                        format!("lead {id} does not exist or is not in the object's town"),
                    )
                    .into()),
                }
            }
            Trigger::Draw => {
                let id = new.draw_id.ok_or_else(|| DomainError::Required {
                    field: "draw_id".into(),
                })?;
                let picked = match self.draw_document(id).await {
                    Ok(doc) => doc
                        .outcome
                        .is_some_and(|o| o.picks.iter().any(|p| p.object == new.object_id)),
                    Err(StoreError::NotFound { .. }) => false,
                    Err(e) => return Err(e),
                };
                if picked {
                    Ok(())
                } else {
                    Err(DomainError::invalid(
                        "draw_id",
                        format!("抽查 {id} 未公布或未抽中该对象"),
                        format!("draw {id} is not revealed or did not pick this object"),
                    )
                    .into())
                }
            }
        }
    }

    pub async fn inspection(&self, actor: &Actor, id: i64) -> Result<Inspection> {
        self.record(actor, "inspection", COLUMNS, FROM, id).await
    }

    pub async fn inspections(
        &self,
        actor: &Actor,
        f: &InspectionFilter,
        page: PageRequest,
    ) -> Result<Page<Inspection>> {
        let filter = |sql: &mut Sql| {
            where_readable(sql, actor);
            if let Some(c) = &f.county {
                sql.push(" AND x.county_code = ").bind(c.to_string());
            }
            if let Some(t) = &f.town {
                sql.push(" AND x.town_code = ").bind(t.to_string());
            }
            if let Some(o) = f.object {
                sql.push(" AND x.object_id = ").bind(o);
            }
        };
        let (items, total) = self
            .page_capped(COLUMNS, FROM, "x.visited_on DESC, x.id DESC", filter, page)
            .await?;
        Ok(Page::new(items, page, total))
    }

    /// The visits an enterprise received, newest first.
    pub async fn visits_of(&self, credit_code: &ApplicantId) -> Result<Vec<Visit>> {
        Ok(sqlx::query_as(
            "SELECT x.id, x.visited_on, x.departments, x.trigger_kind, x.found,
                CASE WHEN x.rating IS NULL THEN 0 ELSE 1 END AS rated
             FROM inspections x JOIN inspection_objects o ON o.id = x.object_id
             WHERE o.credit_code = $1 ORDER BY x.visited_on DESC, x.id DESC LIMIT 200",
        )
        .bind(credit_code.as_str().to_owned())
        .fetch_all(self.pool())
        .await?)
    }

    /// Rates a visit with the code handed over at it: once, anonymously.
    pub async fn rate_inspection(&self, code: &str, rating: Rating, comment: &str) -> Result<()> {
        let hash = rating_hash(code);
        let row: Option<(i64, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT id, county_code, town_code, department_code, rating FROM inspections WHERE rating_code_hash = $1",
        )
        .bind(hash.clone())
        .fetch_optional(self.pool())
        .await?;
        let Some((id, county, town, dept, rated)) = row else {
            return Err(DomainError::invalid(
                "code",
                "评价码不正确",
                "no visit has this rating code",
            )
            .into());
        };
        if rated.is_some() {
            return Err(StoreError::Taken {
                field: "code",
                value: "rating".into(),
            });
        }
        let comment: String = comment.trim().chars().take(500).collect();
        let mut w = self.write(&Actor::Anonymous).await?;
        let at = w.at().to_owned();
        let done = sqlx::query("UPDATE inspections SET rating = $1, rating_comment = $2, rated_at = $3 WHERE id = $4 AND rating IS NULL")
            .bind(i64::from(rating.value()))
            .bind(comment)
            .bind(at)
            .bind(id)
            .execute(w.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Taken {
                field: "code",
                value: "rating".into(),
            });
        }
        let s = scope(
            &CountyCode::parse("county", &county).expect("stored"),
            Some(&TownCode::parse("town", &town).expect("stored")),
            Some(&DepartmentCode::parse("department", &dept).expect("stored")),
        );
        w.audit(
            "inspection.rate",
            "inspection",
            &id.to_string(),
            &s,
            json!({ "rating": rating.value() }),
        );
        w.commit().await
    }
}
