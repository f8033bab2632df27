//! The official holiday calendar, loaded from the bundled table and extended by imports.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Actor, Role, Scope};
use tongquan_domain::calendar::{Arrangement, Calendar, CalendarDay};

use crate::{Result, Store, StoreError, db::flag};

/// The bundled table: official arrangements 2019–2026 (see data/SOURCES.md).
pub const HOLIDAYS_CSV: &str = include_str!("../../../data/cn_holidays.csv");

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CalendarImport {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Open cases whose due dates the new arrangement moved.
    pub recomputed: Vec<Recomputed>,
}

/// An open case's due dates before and after an arrangement was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Recomputed {
    pub tracking_no: String,
    pub statutory_before: Option<String>,
    pub statutory_after: Option<String>,
    pub promised_before: Option<String>,
    pub promised_after: Option<String>,
}

impl Store {
    /// The working-day calendar. Every due date needs it, so it is kept in memory and reread
    /// only when its version stamp in `meta` changed, which an import by any process does.
    pub async fn calendar(&self) -> Result<Arc<Calendar>> {
        let (stamp,): (String,) =
            sqlx::query_as("SELECT COALESCE((SELECT value FROM meta WHERE key = 'calendar'), '')")
                .fetch_one(self.pool())
                .await?;
        if let Some((seen, calendar)) = self.calendar.lock().expect("not poisoned").as_ref()
            && *seen == stamp
        {
            return Ok(calendar.clone());
        }
        let mut conn = self.pool().acquire().await?;
        let calendar = Arc::new(Calendar::new(stored_days(&mut conn).await?));
        *self.calendar.lock().expect("not poisoned") = Some((stamp, calendar.clone()));
        Ok(calendar)
    }

    /// Imports an official arrangement: a year that was provisional becomes official, and every
    /// open case whose count runs through it gets its due dates recomputed, each change recorded in
    /// the case's history, all in one audited transaction. A year already official is refused
    /// unless `replace` gives the reason for correcting it; a file that would move an open case's
    /// due date before `today` is refused. Importing the same rows again changes nothing. Only the
    /// city administrator may change the calendar every deadline depends on.
    pub async fn import_calendar(
        &self,
        actor: &Actor,
        file: &Arrangement,
        replace: Option<&str>,
        today: NaiveDate,
    ) -> Result<CalendarImport> {
        let allowed = match actor {
            Actor::System(_) => true,
            Actor::Staff(s) => s.role == Role::CityAdmin,
            Actor::Anonymous => false,
        };
        if !allowed {
            return Err(DomainError::forbidden(
                "只有市级管理员可以导入节假日安排",
                "only the city administrator may import the holiday calendar",
            )
            .into());
        }
        let replace = match replace.map(str::trim) {
            Some("") => {
                return Err(DomainError::Required {
                    field: "reason".into(),
                }
                .into());
            }
            other => other,
        };
        let mut w = self.write(actor).await?;
        let stored = stored_days(w.conn()).await?;
        let before = Calendar::new(stored.clone());
        let known: HashMap<NaiveDate, &CalendarDay> = stored.iter().map(|d| (d.date, d)).collect();
        let same =
            |old: &CalendarDay, new: &CalendarDay| old.name == new.name && old.off == new.off;
        let mut outcome = CalendarImport::default();
        for (day, line) in file.days.iter().zip(&file.lines) {
            let official_year = !before.is_provisional(day.arrangement_year());
            match known.get(&day.date) {
                Some(old) if same(old, day) => outcome.unchanged += 1,
                Some(_) => outcome.changed += 1,
                None => outcome.added += 1,
            }
            let changes = known.get(&day.date).is_none_or(|old| !same(old, day));
            if changes && official_year && replace.is_none() {
                return Err(official(
                    day.arrangement_year(),
                    &format!("第 {line} 行"),
                    &format!("line {line}"),
                ));
            }
        }
        // Days of the file's years that it no longer lists: a correction drops them, anything
        // else may not.
        let dropped: Vec<&CalendarDay> = stored
            .iter()
            .filter(|d| {
                file.years.contains(&d.arrangement_year()) && file.line_of(d.date).is_none()
            })
            .collect();
        if let (Some(day), None) = (dropped.iter().min_by_key(|d| d.date), replace) {
            return Err(official(
                day.arrangement_year(),
                &format!("文件缺少已公布的 {}", day.date),
                &format!("the file leaves out {}", day.date),
            ));
        }
        if outcome.added + outcome.changed + dropped.len() == 0 {
            return Ok(outcome);
        }
        for day in &dropped {
            sqlx::query("DELETE FROM calendar_days WHERE day = $1")
                .bind(day.date.to_string())
                .execute(w.conn())
                .await?;
        }
        for day in &file.days {
            let sql = match known.get(&day.date) {
                Some(old) if same(old, day) => continue,
                Some(_) => "UPDATE calendar_days SET name = $2, off = $3 WHERE day = $1",
                None => "INSERT INTO calendar_days (day, name, off) VALUES ($1, $2, $3)",
            };
            sqlx::query(sql)
                .bind(day.date.to_string())
                .bind(day.name.clone())
                .bind(flag(day.off))
                .execute(w.conn())
                .await?;
        }
        let after = Calendar::new(stored_days(w.conn()).await?);
        outcome.recomputed = self
            .recompute_open_cases(&mut w, &before, &after, file, today)
            .await?;
        // A new stamp makes every process reread the calendar.
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('calendar', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(format!("{}:{}", w.at(), rand::random::<u64>()))
        .execute(w.conn())
        .await?;
        let years = file
            .years
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        w.audit(
            "calendar.import",
            "calendar",
            &years,
            &Scope::default(),
            json!({
                "added": outcome.added, "changed": outcome.changed, "removed": dropped.len(),
                "replace_reason": replace,
                "recomputed": outcome.recomputed,
            }),
        );
        w.commit().await?;
        Ok(outcome)
    }
}

/// A year that already has its official arrangement is corrected only with a reason.
fn official(year: i32, where_zh: &str, where_en: &str) -> StoreError {
    DomainError::rule(
        "calendar_year_official",
        format!("{where_zh}：{year} 年已有正式放假安排，更正须说明理由（--replace）"),
        format!(
            "{where_en}: {year} already has its official arrangement; correcting it needs a reason (--replace)"
        ),
    )
    .into()
}

/// Every row of the calendar table, as the transaction sees it.
async fn stored_days(conn: &mut sqlx::AnyConnection) -> Result<Vec<CalendarDay>> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT day, name, off FROM calendar_days")
            .fetch_all(conn)
            .await?;
    rows.into_iter()
        .map(|(day, name, off)| {
            Ok(CalendarDay {
                date: tongquan_domain::catalog::parse_date("day", &day)?,
                name,
                off: off != 0,
            })
        })
        .collect()
}

/// The bundled table, parsed.
pub fn bundled() -> Result<Vec<CalendarDay>> {
    Ok(Calendar::parse_csv(HOLIDAYS_CSV)?)
}

/// The bundled table as an arrangement to import.
pub fn bundled_arrangement() -> Result<Arrangement> {
    Ok(Arrangement::parse(HOLIDAYS_CSV, None)?)
}
