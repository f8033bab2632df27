//! Offices where applications are taken: county halls, branches, town convenience centres.

use serde::Serialize;
use serde_json::json;
use tongquan_domain::access::{Actor, ResourceKind, Scope};
use tongquan_domain::codes::{CountyCode, OfficeCode, TownCode};
use tongquan_domain::org::OfficeKind;
use tongquan_domain::{DomainError, text};

use crate::db::Sql;
use crate::write::{changes, ensure_may_manage, ensure_updated};
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TownRef {
    #[schema(value_type = String)]
    pub code: TownCode,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Office {
    #[schema(value_type = String, example = "371402B01")]
    pub code: OfficeCode,
    #[schema(value_type = String, example = "branch")]
    pub kind: OfficeKind,
    pub name: String,
    #[schema(value_type = String)]
    pub county_code: CountyCode,
    pub county_name: String,
    /// The town the office stands in; county halls stand in the county seat.
    #[schema(value_type = Option<String>)]
    pub town_code: Option<TownCode>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub address: String,
    /// Empty when not yet recorded.
    pub phone: String,
    pub hours: String,
    /// True where the placement is illustrative demo data, not an official record.
    pub illustrative: bool,
    /// The towns whose applications the office takes.
    pub served_towns: Vec<TownRef>,
    pub version: i64,
}

impl Office {
    pub fn scope(&self) -> Scope {
        Scope {
            county: Some(self.county_code.clone()),
            town: self
                .town_code
                .clone()
                .filter(|_| self.kind == OfficeKind::Centre),
            office: Some(self.code.clone()),
            ..Scope::default()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct OfficeFilter {
    pub county: Option<CountyCode>,
    pub kind: Option<OfficeKind>,
}

/// What staff may change about an office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeUpdate {
    pub address: String,
    pub phone: String,
    pub hours: String,
}

impl OfficeUpdate {
    pub fn parse(address: &str, phone: &str, hours: &str) -> Result<Self, DomainError> {
        Ok(Self {
            address: text::bounded("address", address, 200)?,
            phone: text::phone("phone", phone)?,
            hours: text::bounded("hours", hours, 200)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct OfficeRow {
    code: String,
    kind: String,
    name: String,
    county_code: String,
    county_name: String,
    town_code: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
    address: String,
    phone: String,
    hours: String,
    illustrative: i64,
    version: i64,
}

const SELECT: &str =
    "SELECT o.code, o.kind, o.name, o.county_code, c.name AS county_name, o.town_code,
    o.lat, o.lon, o.address, o.phone, o.hours, o.illustrative, o.version
    FROM offices o JOIN counties c ON c.code = o.county_code";

impl Store {
    pub async fn offices(&self, filter: &OfficeFilter, page: PageRequest) -> Result<Page<Office>> {
        if let Some(c) = &filter.county {
            self.county(c).await?;
        }
        let where_ = |sql: &mut Sql| {
            sql.push(" WHERE 1 = 1");
            if let Some(c) = &filter.county {
                sql.push(" AND o.county_code = ").bind(c.to_string());
            }
            if let Some(k) = filter.kind {
                sql.push(" AND o.kind = ").bind(k.slug().to_owned());
            }
        };
        // Halls first, then branches, then centres, each in code order.
        let (rows, total): (Vec<OfficeRow>, i64) = self
            .page_of("FROM offices o", SELECT, "o.county_code, CASE o.kind WHEN 'county_hall' THEN 0 WHEN 'branch' THEN 1 ELSE 2 END, o.code", where_, page)
            .await?;
        let items = self.with_served_towns(rows).await?;
        Ok(Page::new(items, page, total))
    }

    /// An office's name and position, without the towns it serves.
    pub(crate) async fn office_place(
        &self,
        code: &OfficeCode,
    ) -> Result<(String, Option<f64>, Option<f64>)> {
        sqlx::query_as("SELECT name, lat, lon FROM offices WHERE code = $1")
            .bind(code.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found("office", code))
    }

    pub async fn office(&self, code: &OfficeCode) -> Result<Office> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE o.code = ").bind(code.to_string());
        let rows: Vec<OfficeRow> = sql.query_as().fetch_all(self.pool()).await?;
        self.with_served_towns(rows)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found("office", code))
    }

    /// A branch serves its listed towns, a centre its own town, and a county hall every town of
    /// its county that no branch serves.
    async fn with_served_towns(&self, rows: Vec<OfficeRow>) -> Result<Vec<Office>> {
        let codes: Vec<String> = rows.iter().map(|r| r.code.clone()).collect();
        // Three plain joins rather than one OR join, which planners cannot index.
        let mut sql = Sql::new(
            "SELECT o.code, t.code, t.name FROM offices o JOIN office_towns ot ON ot.office_code = o.code
               JOIN towns t ON t.code = ot.town_code WHERE o.kind = 'branch' AND ",
        );
        sql.bind_in("o.code", &codes)
            .push(" UNION ALL SELECT o.code, t.code, t.name FROM offices o JOIN towns t ON t.code = o.town_code WHERE o.kind = 'centre' AND ")
            .bind_in("o.code", &codes)
            .push(
                " UNION ALL SELECT o.code, t.code, t.name FROM offices o JOIN towns t ON t.county_code = o.county_code
                  WHERE o.kind = 'county_hall' AND NOT EXISTS (SELECT 1 FROM office_towns x WHERE x.town_code = t.code) AND ",
            )
            .bind_in("o.code", &codes)
            .push(" ORDER BY 2");
        let served: Vec<(String, String, String)> = sql.query_as().fetch_all(self.pool()).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let served_towns = served
                    .iter()
                    .filter(|(o, _, _)| *o == r.code)
                    .map(|(_, code, name)| TownRef {
                        code: TownCode::parse("code", code).expect("stored"),
                        name: name.clone(),
                    })
                    .collect();
                Office {
                    code: OfficeCode::parse("code", &r.code).expect("stored"),
                    kind: OfficeKind::parse("kind", &r.kind).expect("stored"),
                    name: r.name,
                    county_code: CountyCode::parse("county_code", &r.county_code).expect("stored"),
                    county_name: r.county_name,
                    town_code: r
                        .town_code
                        .map(|t| TownCode::parse("town_code", &t).expect("stored")),
                    lat: r.lat,
                    lon: r.lon,
                    address: r.address,
                    phone: r.phone,
                    hours: r.hours,
                    illustrative: r.illustrative != 0,
                    served_towns,
                    version: r.version,
                }
            })
            .collect())
    }

    pub async fn update_office(
        &self,
        actor: &Actor,
        code: &OfficeCode,
        update: &OfficeUpdate,
        version: i64,
    ) -> Result<Office> {
        let before = self.office(code).await?;
        ensure_may_manage(actor, ResourceKind::Office, &before.scope(), "office", code)?;
        let mut w = self.write(actor).await?;
        let done = sqlx::query(
            "UPDATE offices SET address = $1, phone = $2, hours = $3, version = version + 1
             WHERE code = $4 AND version = $5",
        )
        .bind(update.address.clone())
        .bind(update.phone.clone())
        .bind(update.hours.clone())
        .bind(code.to_string())
        .bind(version)
        .execute(w.conn())
        .await?;
        ensure_updated(&done, "office", code, version)?;
        w.audit(
            "office.update",
            "office",
            code.as_str(),
            &before.scope(),
            changes([
                ("address", json!(before.address), json!(update.address)),
                ("phone", json!(before.phone), json!(update.phone)),
                ("hours", json!(before.hours), json!(update.hours)),
            ]),
        );
        w.commit().await?;
        self.office(code).await
    }
}
