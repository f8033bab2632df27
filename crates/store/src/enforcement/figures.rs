//! The reform's enforcement figures, per town, county and city: inspections per object in the
//! year before the reform and this year over the same span of days, hazards found and closed,
//! and lead response times. Computed from the records, never stored.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tongquan_domain::codes::CountyCode;

use crate::db::Sql;
use crate::{Result, Store};

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct FigureRow {
    /// A town or county code, or `city`.
    pub code: String,
    pub name: String,
    pub objects: i64,
    pub visits_before: i64,
    pub visits_after: i64,
    pub per_object_before: f64,
    pub per_object_after: f64,
    /// Fewer visits this year than the year before, in percent of the year before.
    pub reduction_percent: f64,
    pub hazards_found: i64,
    pub hazards_closed: i64,
    pub hazards_escalated: i64,
    pub leads: i64,
    pub leads_on_site: i64,
    /// Median minutes from receipt to arrival on site.
    pub median_on_site_minutes: Option<i64>,
    /// Leads that missed their on-site target (arrived late).
    pub on_site_breaches: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnforcementFigures {
    /// The compared spans: 1 January to the same day of the year in each year.
    pub before_from: String,
    pub before_to: String,
    pub after_from: String,
    pub after_to: String,
    pub rows: Vec<FigureRow>,
    pub total: FigureRow,
}

impl FigureRow {
    fn finish(&mut self, minutes: &mut [i64]) {
        let per = |v: i64| {
            if self.objects == 0 {
                0.0
            } else {
                v as f64 / self.objects as f64
            }
        };
        self.per_object_before = per(self.visits_before);
        self.per_object_after = per(self.visits_after);
        self.reduction_percent = if self.visits_before == 0 {
            0.0
        } else {
            100.0 * (self.visits_before - self.visits_after) as f64 / self.visits_before as f64
        };
        minutes.sort_unstable();
        self.leads_on_site = minutes.len() as i64;
        self.median_on_site_minutes = (!minutes.is_empty()).then(|| minutes[minutes.len() / 2]);
    }
}

impl Store {
    /// Figures up to `today`, by county for the city or by town for one county.
    pub async fn enforcement_figures(
        &self,
        county: Option<&CountyCode>,
        today: NaiveDate,
    ) -> Result<EnforcementFigures> {
        let after_from = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("1 January");
        let before_from = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).expect("1 January");
        // 29 February falls back to the 28th in a year without one.
        let before_to = today.with_year(today.year() - 1).unwrap_or_else(|| {
            NaiveDate::from_ymd_opt(today.year() - 1, 2, 28).expect("28 February")
        });
        let group = if county.is_some() {
            "x.town_code"
        } else {
            "x.county_code"
        };
        let names: Vec<(String, String)> = match county {
            Some(c) => self
                .all_towns(Some(c))
                .await?
                .into_iter()
                .map(|t| (t.code.to_string(), t.name))
                .collect(),
            None => {
                sqlx::query_as("SELECT code, name FROM counties ORDER BY ordinal")
                    .fetch_all(self.pool())
                    .await?
            }
        };
        let mut rows: BTreeMap<String, FigureRow> = names
            .iter()
            .map(|(code, name)| {
                (
                    code.clone(),
                    FigureRow {
                        code: code.clone(),
                        name: name.clone(),
                        ..FigureRow::default()
                    },
                )
            })
            .collect();
        // Each query counts by `group`, within the county if one is asked for; dates are text.
        let grouped = |select: &dyn Fn(&mut Sql), table: &str, conditions: &dyn Fn(&mut Sql)| {
            let mut sql = Sql::new(&format!("SELECT {group}, "));
            select(&mut sql);
            sql.push(&format!(" FROM {table} x WHERE 1 = 1"));
            if let Some(c) = county {
                sql.push(" AND x.county_code = ").bind(c.to_string());
            }
            conditions(&mut sql);
            sql.push(&format!(" GROUP BY {group}"));
            sql
        };
        let day = |d: NaiveDate| d.to_string();
        let objects: Vec<(String, i64)> = grouped(
            &|q| {
                q.push("COUNT(*)");
            },
            "inspection_objects",
            &|_| {},
        )
        .query_as()
        .fetch_all(self.pool())
        .await?;
        for (code, n) in objects {
            if let Some(r) = rows.get_mut(&code) {
                r.objects = n;
            }
        }
        // Both years' visits in one pass.
        let visits: Vec<(String, i64, i64)> = grouped(
            &|q| {
                q.push("SUM(CASE WHEN x.visited_on <= ")
                    .bind(day(before_to))
                    .push(" THEN 1 ELSE 0 END), SUM(CASE WHEN x.visited_on >= ")
                    .bind(day(after_from))
                    .push(" AND x.visited_on <= ")
                    .bind(day(today))
                    .push(" THEN 1 ELSE 0 END)");
            },
            "inspections",
            &|q| {
                q.push(" AND x.visited_on >= ").bind(day(before_from));
            },
        )
        .query_as()
        .fetch_all(self.pool())
        .await?;
        for (code, before, after) in visits {
            if let Some(r) = rows.get_mut(&code) {
                (r.visits_before, r.visits_after) = (before, after);
            }
        }
        let hazards: Vec<(String, i64, i64, i64)> = grouped(
            &|q| {
                q.push(
                    "COUNT(*), SUM(CASE WHEN x.state = 'closed' THEN 1 ELSE 0 END),
                     SUM(CASE WHEN x.state = 'escalated' THEN 1 ELSE 0 END)",
                );
            },
            "hazards",
            &|q| {
                q.push(" AND x.raised_on >= ")
                    .bind(day(after_from))
                    .push(" AND x.raised_on <= ")
                    .bind(day(today));
            },
        )
        .query_as()
        .fetch_all(self.pool())
        .await?;
        for (code, found, closed, escalated) in hazards {
            if let Some(r) = rows.get_mut(&code) {
                (r.hazards_found, r.hazards_closed, r.hazards_escalated) =
                    (found, closed, escalated);
            }
        }
        let mut sql = Sql::new(&format!(
            "SELECT {group}, x.urgency, x.received_at, x.on_site_at FROM leads x WHERE x.received_at >= "
        ));
        sql.bind(after_from.to_string());
        if let Some(c) = county {
            sql.push(" AND x.county_code = ").bind(c.to_string());
        }
        let leads: Vec<(String, String, String, Option<String>)> =
            sql.query_as().fetch_all(self.pool()).await?;
        let mut minutes: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut all_minutes = Vec::new();
        for (code, urgency, received, on_site) in leads {
            let Some(r) = rows.get_mut(&code) else {
                continue;
            };
            r.leads += 1;
            let (Ok(from), Some(Ok(to))) = (
                received.parse::<chrono::DateTime<chrono::Utc>>(),
                on_site.map(|s| s.parse::<chrono::DateTime<chrono::Utc>>()),
            ) else {
                continue;
            };
            let m = (to - from).num_minutes();
            let late = tongquan_domain::enforcement::lead::Urgency::parse("urgency", &urgency)
                .is_ok_and(|u| to - from > chrono::Duration::minutes(u.on_site_target_minutes()));
            if late {
                r.on_site_breaches += 1;
            }
            minutes.entry(code).or_default().push(m);
            all_minutes.push(m);
        }
        let mut total = FigureRow {
            code: county.map_or_else(|| "city".to_owned(), ToString::to_string),
            name: String::new(),
            ..FigureRow::default()
        };
        if let Some(c) = county {
            total.name = self.county(c).await?.name;
        } else {
            total.name = "德州市".into();
        }
        for r in rows.values_mut() {
            r.finish(minutes.get_mut(&r.code).map_or(&mut [][..], |v| &mut v[..]));
            total.objects += r.objects;
            total.visits_before += r.visits_before;
            total.visits_after += r.visits_after;
            total.hazards_found += r.hazards_found;
            total.hazards_closed += r.hazards_closed;
            total.hazards_escalated += r.hazards_escalated;
            total.leads += r.leads;
            total.on_site_breaches += r.on_site_breaches;
        }
        total.finish(&mut all_minutes);
        Ok(EnforcementFigures {
            before_from: before_from.to_string(),
            before_to: before_to.to_string(),
            after_from: after_from.to_string(),
            after_to: today.to_string(),
            rows: rows.into_values().collect(),
            total,
        })
    }
}
