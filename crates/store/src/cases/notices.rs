//! The notices and decisions an office issues on a case (受理通知书, 不予受理通知书, 补正材料通知书,
//! 准予／不予行政许可决定书, 撤销行政许可决定书), as issued.
//!
//! Each takes the next number of its office's series for the year (文号) in the transaction that
//! records the step, so numbers have no gaps: a step that is refused or rolled back takes none,
//! and concurrent steps queue on the series row. A notice keeps what it stated when issued — the
//! legal basis from the item's catalog entry, the licence a grant issues with its number and term,
//! and for an adverse decision the reconsideration body and court from the county's configuration
//! — so printing it again, by staff or by the applicant, gives the same document.

use chrono::NaiveDate;
use serde::Serialize;
use tongquan_domain::case::{
    CaseAction, Remedies, licence_number, licence_valid_until, no_legal_basis, notice_number,
};
use tongquan_domain::catalog::{ItemType, parse_date};
use tongquan_domain::codes::OfficeCode;

use super::Case;
use crate::{Result, Store, StoreError};

/// A notice or decision as issued.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    /// The step that issued it: its place in the case's history (`Case::events`).
    pub event: usize,
    pub action: String,
    /// 受理通知书, 准予行政许可决定书…
    pub title: String,
    pub office_code: String,
    pub year: i32,
    /// Its place in the office's series for the year, from 1 without gaps.
    pub number: i64,
    /// 文号, e.g. 371481B01〔2024〕3号.
    pub doc_number: String,
    pub issued_on: String,
    /// The legal basis the decision cites, from the item's catalog entry; empty only for a notice
    /// issued before the catalog recorded one.
    pub legal_basis: Vec<String>,
    /// The licence a grant issues, where the item grants one.
    pub licence: Option<Licence>,
    /// Where an adverse decision may be challenged.
    pub remedies: Option<Remedies>,
}

/// A licence issued with a grant.
#[derive(Debug, Clone, Serialize)]
pub struct Licence {
    /// e.g. 食品经营许可证.
    pub name: String,
    pub number: String,
    /// What is licensed: the office's wording in the grant, else the item.
    pub scope: String,
    pub valid_from: String,
    /// The last day it is valid; `None` for a licence without a term (长期有效).
    pub valid_until: Option<String>,
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    event_id: i64,
    action: String,
    office_code: String,
    year: i64,
    number: i64,
    issued_on: String,
    legal_basis_setting: String,
    legal_basis_implementing: String,
    licence: String,
    licence_number: Option<i64>,
    licence_years: Option<i64>,
    licence_scope: String,
    reconsideration_body: String,
    court: String,
}

impl NoticeRow {
    fn notice(self, event: usize) -> Result<Notice> {
        let action = CaseAction::parse("action", &self.action)?;
        let year = i32::try_from(self.year).expect("a stored year fits");
        let licence = match self.licence_number {
            Some(n) if !self.licence.is_empty() => {
                let from = parse_date("issued_on", &self.issued_on)?;
                Some(Licence {
                    name: self.licence,
                    number: licence_number(&self.office_code, year, n),
                    scope: self.licence_scope,
                    valid_from: self.issued_on.clone(),
                    valid_until: self.licence_years.map(|y| {
                        let years = u16::try_from(y).expect("stored years fit");
                        licence_valid_until(from, years).to_string()
                    }),
                })
            }
            _ => None,
        };
        let remedies = action
            .states_remedies()
            .then(|| Remedies::require(&self.reconsideration_body, &self.court).ok())
            .flatten();
        Ok(Notice {
            event,
            title: action.notice().map(|m| m.zh).unwrap_or_default(),
            action: self.action,
            doc_number: notice_number(&self.office_code, year, self.number),
            office_code: self.office_code,
            year,
            number: self.number,
            issued_on: self.issued_on,
            legal_basis: [self.legal_basis_setting, self.legal_basis_implementing]
                .into_iter()
                .map(|b| b.trim().to_owned())
                .filter(|b| !b.is_empty())
                .collect(),
            licence,
            remedies,
        })
    }
}

impl Store {
    /// Every notice a case's history issued, in the order issued. `case` is one the caller may
    /// see: from [`Store::case`] for staff, from [`Store::track_case`] for the applicant.
    pub async fn notices(&self, case: &Case) -> Result<Vec<Notice>> {
        let events: Vec<(i64,)> =
            sqlx::query_as("SELECT id FROM case_events WHERE case_id = $1 ORDER BY id")
                .bind(case.summary.id)
                .fetch_all(self.pool())
                .await?;
        // A notice from before a county named its bodies states the ones it names now.
        let rows: Vec<NoticeRow> = sqlx::query_as(
            "SELECT n.event_id, e.action, n.office_code, n.year, n.number, n.issued_on,
                n.legal_basis_setting, n.legal_basis_implementing, n.licence, n.licence_number,
                n.licence_years, n.licence_scope,
                CASE WHEN n.reconsideration_body = '' THEN co.reconsideration_body ELSE n.reconsideration_body END AS reconsideration_body,
                CASE WHEN n.court = '' THEN co.court ELSE n.court END AS court
             FROM case_notices n
             JOIN case_events e ON e.id = n.event_id
             JOIN cases c ON c.id = n.case_id
             JOIN counties co ON co.code = c.county_code
             WHERE n.case_id = $1 ORDER BY n.event_id",
        )
        .bind(case.summary.id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .filter_map(|r| {
                let at = events.iter().position(|(id,)| *id == r.event_id)?;
                Some(r.notice(at))
            })
            .collect()
    }

    /// The notice the `n`-th step of a case's history issued; not found when it issued none.
    pub async fn notice(&self, case: &Case, n: usize) -> Result<Notice> {
        self.notices(case)
            .await?
            .into_iter()
            .find(|notice| notice.event == n)
            .ok_or_else(|| StoreError::not_found("notice", n))
    }
}

/// The next number of an office's series for a year, taken in the write's transaction: the row
/// lock it takes is held to the commit, so concurrent steps queue, and a rollback gives the
/// number back.
async fn next_number(
    w: &mut crate::write::Write,
    office: &OfficeCode,
    series: &str,
    year: i32,
) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "INSERT INTO notice_series (office_code, series, year, last_number) VALUES ($1, $2, $3, 1)
         ON CONFLICT (office_code, series, year) DO UPDATE SET last_number = notice_series.last_number + 1
         RETURNING last_number",
    )
    .bind(office.to_string())
    .bind(series.to_owned())
    .bind(i64::from(year))
    .fetch_one(w.conn())
    .await?;
    Ok(n)
}

#[derive(sqlx::FromRow)]
struct Applied {
    item_id: i64,
    item_name: String,
    commitment: i64,
    item_type: String,
    legal_basis_setting: String,
    legal_basis_implementing: String,
    licence: String,
    licence_years: Option<i64>,
    reconsideration_body: String,
    court: String,
}

/// Issues the notice a step on a case carries, in the step's transaction: refused, with nothing
/// written, when a licensing decision would cite no legal basis or an adverse one could name no
/// reconsideration body and court.
#[allow(clippy::too_many_arguments)]
pub(super) async fn issue(
    w: &mut crate::write::Write,
    case_id: i64,
    event_id: i64,
    action: CaseAction,
    office: &OfficeCode,
    on: NaiveDate,
    reason: &str,
) -> Result<()> {
    let a: Applied = sqlx::query_as(
        "SELECT c.item_id, c.item_name, c.commitment, v.item_type, v.legal_basis_setting,
            v.legal_basis_implementing, v.licence, v.licence_years, co.reconsideration_body, co.court
         FROM cases c
         JOIN item_versions v ON v.item_id = c.item_id AND v.number = c.item_version
         JOIN counties co ON co.code = c.county_code
         WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_one(w.conn())
    .await?;
    // The basis of the version applied under; where that version recorded none, the item's
    // catalog entry in force on the day of the decision.
    let mut basis = (a.legal_basis_setting, a.legal_basis_implementing);
    if basis.0.trim().is_empty() && basis.1.trim().is_empty() {
        let current: Option<(String, String)> = sqlx::query_as(
            "SELECT legal_basis_setting, legal_basis_implementing FROM item_versions
             WHERE item_id = $1 AND status = 'published' AND valid_from <= $2
               AND (valid_to IS NULL OR valid_to > $2)
             ORDER BY valid_from DESC, number DESC LIMIT 1",
        )
        .bind(a.item_id)
        .bind(on.to_string())
        .fetch_optional(w.conn())
        .await?;
        if let Some(c) = current {
            basis = c;
        }
    }
    let licensing = ItemType::parse("item_type", &a.item_type)? == ItemType::Licensing;
    if action.requires_legal_basis()
        && licensing
        && basis.0.trim().is_empty()
        && basis.1.trim().is_empty()
    {
        return Err(no_legal_basis(&a.item_name).into());
    }
    let remedies = if action.states_remedies() {
        Some(Remedies::require(&a.reconsideration_body, &a.court)?)
    } else {
        None
    };
    let year = chrono::Datelike::year(&on);
    let number = next_number(w, office, "notice", year).await?;
    let grants_licence = action == CaseAction::Grant && !a.licence.trim().is_empty();
    let licence_number = if grants_licence {
        Some(next_number(w, office, "licence", year).await?)
    } else {
        None
    };
    // A commitment approval's text is the commitment, not what is licensed.
    let scope = match reason.trim() {
        r if !r.is_empty() && a.commitment == 0 => r.to_owned(),
        _ => a.item_name.clone(),
    };
    sqlx::query(
        "INSERT INTO case_notices (event_id, case_id, office_code, year, number, issued_on,
            legal_basis_setting, legal_basis_implementing, licence, licence_number, licence_years,
            licence_scope, reconsideration_body, court)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(event_id)
    .bind(case_id)
    .bind(office.to_string())
    .bind(i64::from(year))
    .bind(number)
    .bind(on.to_string())
    .bind(basis.0)
    .bind(basis.1)
    .bind(if grants_licence {
        a.licence.trim().to_owned()
    } else {
        String::new()
    })
    .bind(licence_number)
    .bind(if grants_licence {
        a.licence_years
    } else {
        None
    })
    .bind(if grants_licence { scope } else { String::new() })
    .bind(
        remedies
            .as_ref()
            .map(|r| r.reconsideration_body.clone())
            .unwrap_or_default(),
    )
    .bind(remedies.map(|r| r.court).unwrap_or_default())
    .execute(w.conn())
    .await?;
    Ok(())
}

/// The migration that introduced numbered notices; its closing statements number every notice
/// a history holds without one, continuing each series.
const MIGRATION: &str = include_str!("../../migrations/0007_documents.sql");
const BACKFILL_MARK: &str = "-- Notices issued before this migration";

/// Numbers the notices of history written in bulk (the demo's generated cases and bundles), in
/// the order issued per office and year, after any numbers the series already gave: the same
/// statements the migration ran on the history it found.
pub(crate) async fn number_unnumbered(conn: &mut sqlx::AnyConnection) -> Result<()> {
    for statement in backfill() {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn backfill() -> Vec<String> {
    let (_, tail) = MIGRATION
        .split_once(BACKFILL_MARK)
        .and_then(|(_, rest)| rest.split_once('\n'))
        .expect("the migration numbers earlier notices");
    tail.split(";\n")
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| !s.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_backfill_is_the_migrations_last_three_statements() {
        let statements = super::backfill();
        assert_eq!(statements.len(), 3);
        assert!(statements[0].starts_with("INSERT INTO case_notices"));
        assert!(statements[1].contains("'notice'") && statements[2].contains("'licence'"));
    }
}
