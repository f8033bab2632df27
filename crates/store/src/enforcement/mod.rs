//! Enforcement moved down (执法下沉): officers and dispatch, inspection objects and item lists,
//! random draws, inspections, leads, hazards and penalty cases. The rules are in
//! `tongquan_domain::enforcement` and `tongquan_plan::draw`; this module reads and writes them.

pub mod draws;
pub mod figures;
pub mod hazards;
pub mod inspections;
pub mod leads;
pub mod objects;
pub mod officers;
pub mod penalties;
pub mod plans;

use chrono::NaiveDate;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Action, Actor, ResourceKind, Scope, may};
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::lead::Handler;
use tongquan_domain::enforcement::{Credential, EnforcementDomain, OfficerOnDuty, repeat_recusals};

use crate::db::Sql;
use crate::scope::ScopeColumns;
use crate::{Result, Store};

/// Where an enforcement record sits, for the access policy and the audit trail.
pub(crate) fn scope(
    county: &CountyCode,
    town: Option<&TownCode>,
    department: Option<&DepartmentCode>,
) -> Scope {
    Scope {
        county: Some(county.clone()),
        town: town.cloned(),
        department: department.cloned(),
        ..Scope::default()
    }
}

/// Where a handler acts: a town team in its town, a department in its county. Acting on a lead or
/// a case needs reach over this, not over the record's town.
pub(crate) fn handler_scope(county: &str, handler: &Handler) -> Scope {
    let county = CountyCode::parse("county", county).expect("stored");
    match handler {
        Handler::Town(t) => scope(&county, Some(t), None),
        Handler::Department(d) => scope(&county, None, Some(d)),
    }
}

/// The scope columns of a table aliased `x` that carries county, town and department.
pub(crate) const RECORD: ScopeColumns = ScopeColumns {
    county: Some("x.county_code"),
    town: Some("x.town_code"),
    office: None,
    department: Some("x.department_code"),
    account: None,
};

pub(crate) fn require(actor: &Actor, kind: ResourceKind, scope: &Scope) -> Result<()> {
    if may(actor, kind, Action::Manage, scope) {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "无权在此辖区办理执法事务",
            "not allowed to act on enforcement records here",
        )
        .into())
    }
}

/// Managing officers, item lists and draws is the department's (or the county's, the city's);
/// an officer acts on inspections, leads, hazards and cases but does not manage them.
pub(crate) fn require_admin(actor: &Actor, scope: &Scope) -> Result<()> {
    if actor
        .staff()
        .is_some_and(|s| s.role == tongquan_domain::access::Role::Officer)
    {
        return Err(DomainError::forbidden(
            "执法人员不能管理人员、检查事项清单或抽查",
            "officers do not manage officers, item lists or draws",
        )
        .into());
    }
    require(actor, ResourceKind::Enforcement, scope)
}

/// `WHERE` and the enforcement records (aliased `x`) the actor may read.
pub(crate) fn where_readable(sql: &mut Sql, actor: &Actor) {
    sql.push(" WHERE ");
    crate::scope::push_reach(
        sql,
        &tongquan_domain::access::reach(
            actor,
            ResourceKind::Enforcement,
            tongquan_domain::access::Action::Read,
        ),
        &RECORD,
    );
}

/// Whose history a step goes into.
#[derive(Debug, Clone, Copy)]
pub(crate) enum History {
    Hazard,
    Penalty,
}

/// One step of a hazard's or a penalty case's history, in the transaction that takes it.
pub(crate) async fn record_history(
    w: &mut crate::write::Write,
    of: History,
    id: i64,
    what: &str,
    on: NaiveDate,
    note: &str,
) -> Result<()> {
    let insert = match of {
        History::Hazard => {
            "INSERT INTO hazard_events (hazard_id, kind, happened_on, note, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
        }
        History::Penalty => {
            "INSERT INTO penalty_events (case_id, step, happened_on, note, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
        }
    };
    let (at, actor) = (w.at().to_owned(), w.actor().to_owned());
    sqlx::query(insert)
        .bind(id)
        .bind(what.to_owned())
        .bind(on.to_string())
        .bind(note.to_owned())
        .bind(actor)
        .bind(at)
        .execute(w.conn())
        .await?;
    Ok(())
}

fn date(field: &str, s: &str) -> NaiveDate {
    s.parse()
        .unwrap_or_else(|_| panic!("stored {field} is a date: {s}"))
}

impl Store {
    /// One enforcement record by id, if the actor may read it (else not found).
    pub(crate) async fn record<R>(
        &self,
        actor: &Actor,
        kind: &'static str,
        columns: &str,
        from: &str,
        id: i64,
    ) -> Result<R>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut sql = Sql::new(&format!("SELECT {columns} {from}"));
        where_readable(&mut sql, actor);
        sql.push(" AND x.id = ").bind(id);
        sql.query_as()
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| crate::StoreError::not_found(kind, id))
    }

    /// The officers named for an act on `object` (if any), each with the credential that is valid
    /// on `on` for `domain` if there is one (else the latest), and why they must recuse, if
    /// they must. Unknown ids, and officers of departments other than `departments`, are an error
    /// naming them.
    pub(crate) async fn officers_on_duty(
        &self,
        ids: &[i64],
        object: Option<i64>,
        domain: EnforcementDomain,
        on: NaiveDate,
        departments: &[DepartmentCode],
    ) -> Result<Vec<OfficerOnDuty>> {
        let mut sql = Sql::new(
            "SELECT o.id, o.name, o.department_code, c.number, c.domains, c.issuer, c.valid_from, c.valid_to
             FROM officers o LEFT JOIN credentials c ON c.officer_id = o.id WHERE ",
        );
        sql.bind_in("o.id", ids).push(" ORDER BY o.id, c.valid_to");
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sql.query_as().fetch_all(self.pool()).await?;
        let mut out: Vec<OfficerOnDuty> = Vec::new();
        let mut outside = Vec::new();
        for (id, name, department, number, domains, issuer, from, to) in rows {
            if !departments.iter().any(|d| d.as_str() == department) && !outside.contains(&name) {
                outside.push(name.clone());
            }
            let credential = match (number, domains, issuer, from, to) {
                (Some(n), Some(d), Some(i), Some(f), Some(t)) => Some(Credential {
                    number: n,
                    domains: EnforcementDomain::parse_list("domains", &d)?,
                    issuer: i,
                    valid_from: date("valid_from", &f),
                    valid_to: date("valid_to", &t),
                }),
                _ => None,
            };
            match out.iter_mut().find(|o| o.id == id) {
                // Several credentials: keep one valid for the act, else the latest.
                Some(o) => {
                    if !o.credential.as_ref().is_some_and(|c| c.covers(domain, on)) {
                        o.credential = credential;
                    }
                }
                None => out.push(OfficerOnDuty {
                    id,
                    name,
                    credential,
                    recusal: None,
                }),
            }
        }
        if !outside.is_empty() {
            let names: Vec<&str> = departments.iter().map(DepartmentCode::as_str).collect();
            return Err(DomainError::invalid(
                "officers",
                format!(
                    "{} 不属于本次执法的部门（{}）",
                    outside.join("、"),
                    names.join("、")
                ),
                format!(
                    "{} not of the acting departments ({})",
                    outside.join(", "),
                    names.join(", ")
                ),
            )
            .into());
        }
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !out.iter().any(|o| o.id == **id))
            .map(ToString::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(DomainError::invalid(
                "officers",
                format!("执法人员不存在：{}", missing.join("、")),
                format!("no such officers: {}", missing.join(", ")),
            )
            .into());
        }
        if let Some(object) = object {
            let mut declared =
                Sql::new("SELECT officer_id, reason FROM recusals WHERE object_id = ");
            declared.bind(object).push(" AND ");
            declared.bind_in("officer_id", ids);
            let declared: Vec<(i64, String)> = declared.query_as().fetch_all(self.pool()).await?;
            let repeat = repeat_recusals(&self.last_inspections(object, 3).await?);
            for o in &mut out {
                if let Some((_, reason)) = declared.iter().find(|(id, _)| *id == o.id) {
                    o.recusal = Some(format!("申报的利害关系：{reason} / declared conflict"));
                } else if repeat.contains(&o.id) {
                    o.recusal = Some(
                        "连续三次检查该对象均未发现问题 / inspected this object three times in a row without findings"
                            .to_owned(),
                    );
                }
            }
        }
        Ok(out)
    }

    /// The officers and whether anything was found at an object's last `n` inspections, newest first.
    pub(crate) async fn last_inspections(
        &self,
        object: i64,
        n: i64,
    ) -> Result<Vec<(Vec<i64>, bool)>> {
        let visits: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, found FROM inspections WHERE object_id = $1
             ORDER BY visited_on DESC, id DESC LIMIT $2",
        )
        .bind(object)
        .bind(n)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for (id, found) in visits {
            let officers: Vec<(i64,)> = sqlx::query_as(
                "SELECT officer_id FROM inspection_officers WHERE inspection_id = $1",
            )
            .bind(id)
            .fetch_all(self.pool())
            .await?;
            out.push((officers.into_iter().map(|(o,)| o).collect(), found != 0));
        }
        Ok(out)
    }
}
