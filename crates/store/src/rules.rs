//! Holding the records to the rules the law sets, from the rows alone: what a legal reviewer or
//! an auditor counts. It re-reads every decision, visit and credential and applies the domain's
//! rules afresh, so it does not trust whatever wrote the rows (the store's own checks, a demo
//! generator, an import).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::DepartmentCode;
use tongquan_domain::enforcement::{Credential, EnforcementDomain, MIN_OFFICERS, repeat_recusals};

use crate::{Result, Store};

/// Counts of records that break a rule; all zero when the records hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RuleCheck {
    /// Decisions (准予 / 不予许可) taken.
    pub decisions: i64,
    /// …after the statutory due date, and after the promised one (recorded with each decision).
    pub decided_late_statutory: i64,
    pub decided_late_promised: i64,
    /// Visits recorded.
    pub visits: i64,
    /// Visits where some department's part had fewer than two officers with a credential
    /// valid for its field that day.
    pub visits_short_of_credentialed_officers: i64,
    /// Visits with an officer who had been at each of the object's last three visits, all of
    /// which found nothing.
    pub recusal_breaches: i64,
}

type Visit = (i64, i64, String, String, i64);

impl Store {
    /// Applies the rules to every row.
    pub async fn rule_check(&self) -> Result<RuleCheck> {
        let (decisions, late_statutory, late_promised): (i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*),
                    COALESCE(SUM(CASE WHEN on_time_statutory = 0 THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN on_time_promised = 0 THEN 1 ELSE 0 END), 0)
             FROM cases WHERE decided_on IS NOT NULL",
        )
        .fetch_one(self.pool())
        .await?;
        let visits: Vec<Visit> = sqlx::query_as(
            "SELECT id, object_id, visited_on, departments, found FROM inspections ORDER BY visited_on, id",
        )
        .fetch_all(self.pool())
        .await?;
        let present: Vec<(i64, i64, Option<String>)> =
            sqlx::query_as("SELECT inspection_id, officer_id, domain FROM inspection_officers")
                .fetch_all(self.pool())
                .await?;
        let homes: HashMap<i64, String> =
            sqlx::query_as::<_, (i64, String)>("SELECT id, department_code FROM officers")
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .collect();
        let mut credentials: HashMap<i64, Vec<Credential>> = HashMap::new();
        let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
            "SELECT officer_id, number, domains, issuer, valid_from, valid_to FROM credentials",
        )
        .fetch_all(self.pool())
        .await?;
        for (officer, number, domains, issuer, from, to) in rows {
            credentials.entry(officer).or_default().push(Credential {
                number,
                domains: EnforcementDomain::parse_list("domains", &domains)?,
                issuer,
                valid_from: parse_date("valid_from", &from)?,
                valid_to: parse_date("valid_to", &to)?,
            });
        }
        let field_of = |department: &str| {
            DepartmentCode::parse("department", department)
                .ok()
                .and_then(|d| EnforcementDomain::of_department(d.kind()))
        };
        // Each visit's officers with the field of the part they did: as recorded, else their own
        // department's (visits recorded before parts were).
        let mut parts: HashMap<i64, Vec<(i64, Option<EnforcementDomain>)>> = HashMap::new();
        for (visit, officer, domain) in present {
            let field = match domain {
                Some(d) => EnforcementDomain::parse("domain", &d).ok(),
                None => homes.get(&officer).and_then(|d| field_of(d)),
            };
            parts.entry(visit).or_default().push((officer, field));
        }
        let mut check = RuleCheck {
            decisions,
            decided_late_statutory: late_statutory,
            decided_late_promised: late_promised,
            visits: visits.len() as i64,
            ..RuleCheck::default()
        };
        let mut history: HashMap<i64, Vec<(Vec<i64>, bool)>> = HashMap::new();
        for (id, object, on, departments, found) in visits {
            let on: NaiveDate = parse_date("visited_on", &on)?;
            let here = parts.remove(&id).unwrap_or_default();
            let short = departments.split(',').filter_map(field_of).any(|field| {
                let able = here
                    .iter()
                    .filter(|(o, f)| {
                        *f == Some(field)
                            && credentials
                                .get(o)
                                .is_some_and(|cs| cs.iter().any(|c| c.covers(field, on)))
                    })
                    .count();
                able < MIN_OFFICERS
            });
            check.visits_short_of_credentialed_officers += i64::from(short);
            let past = history.entry(object).or_default();
            let recused = repeat_recusals(past);
            let officers: Vec<i64> = here.iter().map(|(o, _)| *o).collect();
            check.recusal_breaches += i64::from(officers.iter().any(|o| recused.contains(o)));
            past.insert(0, (officers, found != 0));
        }
        Ok(check)
    }
}
