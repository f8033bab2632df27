//! The official holiday calendar, loaded from the bundled table and extended by imports.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Actor, Role, Scope};
use tongquan_domain::calendar::{Calendar, CalendarDay};

use crate::{Result, Store, db::flag};

/// The bundled table: official arrangements 2019–2026 (see data/SOURCES.md).
pub const HOLIDAYS_CSV: &str = include_str!("../../../data/cn_holidays.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CalendarImport {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
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
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT day, name, off FROM calendar_days")
                .fetch_all(self.pool())
                .await?;
        let mut days = Vec::with_capacity(rows.len());
        for (day, name, off) in rows {
            days.push(CalendarDay {
                date: tongquan_domain::catalog::parse_date("day", &day)?,
                name,
                off: off != 0,
            });
        }
        let calendar = Arc::new(Calendar::new(days));
        *self.calendar.lock().expect("not poisoned") = Some((stamp, calendar.clone()));
        Ok(calendar)
    }

    /// Adds a year's arrangement (or corrects days already known). Only the city administrator
    /// may change the calendar every deadline depends on. Importing the same rows changes nothing.
    pub async fn import_calendar(
        &self,
        actor: &Actor,
        days: &[CalendarDay],
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
        let mut w = self.write(actor).await?;
        let known: HashMap<String, (String, i64)> =
            sqlx::query_as::<_, (String, String, i64)>("SELECT day, name, off FROM calendar_days")
                .fetch_all(w.conn())
                .await?
                .into_iter()
                .map(|(d, n, o)| (d, (n, o)))
                .collect();
        let mut outcome = CalendarImport {
            added: 0,
            changed: 0,
            unchanged: 0,
        };
        for day in days {
            let key = day.date.to_string();
            let row = (day.name.clone(), flag(day.off));
            let sql = match known.get(&key) {
                Some(old) if *old == row => {
                    outcome.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    outcome.changed += 1;
                    "UPDATE calendar_days SET name = $2, off = $3 WHERE day = $1"
                }
                None => {
                    outcome.added += 1;
                    "INSERT INTO calendar_days (day, name, off) VALUES ($1, $2, $3)"
                }
            };
            sqlx::query(sql)
                .bind(key)
                .bind(row.0)
                .bind(row.1)
                .execute(w.conn())
                .await?;
        }
        if outcome.added + outcome.changed == 0 {
            return Ok(outcome);
        }
        // A new stamp makes every process reread the calendar.
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ('calendar', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(format!("{}:{}", w.at(), rand::random::<u64>()))
        .execute(w.conn())
        .await?;
        let years: std::collections::BTreeSet<i32> = days
            .iter()
            .map(|d| chrono::Datelike::year(&d.date))
            .collect();
        w.audit(
            "calendar.import",
            "calendar",
            &years
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            &Scope::default(),
            json!({ "added": outcome.added, "changed": outcome.changed }),
        );
        w.commit().await?;
        Ok(outcome)
    }
}

/// The bundled table, parsed.
pub fn bundled() -> Result<Vec<CalendarDay>> {
    Ok(Calendar::parse_csv(HOLIDAYS_CSV)?)
}
