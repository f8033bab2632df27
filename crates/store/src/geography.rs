//! Counties, towns and boundaries: the real Dezhou divisions, public to read.

use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Actor, ResourceKind, Scope};
use tongquan_domain::codes::{CountyCode, OfficeCode, TownCode};
use tongquan_domain::geo::{DistanceBand, LatLon, distance_km};
use tongquan_domain::org::TownKind;

use crate::db::Sql;
use crate::write::{changes, ensure_may_manage, ensure_updated};
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct County {
    #[schema(value_type = String, example = "371402")]
    pub code: CountyCode,
    pub name: String,
    /// The county seat, where the county service hall is.
    pub seat_lat: f64,
    pub seat_lon: f64,
    /// Where the coordinates come from.
    pub source: String,
    pub town_count: i64,
    #[schema(value_type = String, example = "371402H")]
    pub hall: OfficeCode,
}

impl County {
    pub fn seat(&self) -> LatLon {
        LatLon {
            lat: self.seat_lat,
            lon: self.seat_lon,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Town {
    #[schema(value_type = String, example = "371402001")]
    pub code: TownCode,
    pub name: String,
    #[schema(value_type = String, example = "street")]
    pub kind: TownKind,
    #[schema(value_type = String, example = "371402")]
    pub county_code: CountyCode,
    pub county_name: String,
    /// WGS-84; absent for the towns no public source locates.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub has_coordinates: bool,
    pub coord_source: String,
    pub population: Option<i64>,
    /// Great-circle km to the county service hall; absent without coordinates.
    pub hall_km: Option<f64>,
    #[schema(value_type = Option<String>, example = "beyond10")]
    pub hall_band: Option<DistanceBand>,
    /// The office that takes the town's approval applications: its branch, or the county hall.
    #[schema(value_type = String, example = "371402H")]
    pub served_by: OfficeCode,
    pub version: i64,
}

impl Town {
    pub fn position(&self) -> Option<LatLon> {
        Some(LatLon {
            lat: self.lat?,
            lon: self.lon?,
        })
    }

    pub fn scope(&self) -> Scope {
        Scope {
            county: Some(self.county_code.clone()),
            town: Some(self.code.clone()),
            ..Scope::default()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TownFilter {
    pub county: Option<CountyCode>,
    pub kind: Option<TownKind>,
}

/// A boundary polygon as GeoJSON geometry text.
#[derive(Debug, Clone)]
pub struct Boundary {
    pub code: String,
    pub name: String,
    pub level: String,
    pub geometry: String,
}

#[derive(sqlx::FromRow)]
struct CountyRow {
    code: String,
    name: String,
    seat_lat: f64,
    seat_lon: f64,
    source: String,
    town_count: i64,
}

#[derive(sqlx::FromRow)]
struct TownRow {
    code: String,
    name: String,
    kind: String,
    county_code: String,
    county_name: String,
    seat_lat: f64,
    seat_lon: f64,
    lat: Option<f64>,
    lon: Option<f64>,
    coord_source: String,
    population: Option<i64>,
    served_by: String,
    version: i64,
}

/// Rows come from our own writes, so a parse failure here is a bug, not bad input.
fn stored<T>(r: Result<T, DomainError>) -> T {
    r.expect("stored value was checked on the way in")
}

impl From<CountyRow> for County {
    fn from(r: CountyRow) -> Self {
        let code = stored(CountyCode::parse("code", &r.code));
        Self {
            hall: OfficeCode::county_hall(&code),
            code,
            name: r.name,
            seat_lat: r.seat_lat,
            seat_lon: r.seat_lon,
            source: r.source,
            town_count: r.town_count,
        }
    }
}

impl From<TownRow> for Town {
    fn from(r: TownRow) -> Self {
        let seat = LatLon {
            lat: r.seat_lat,
            lon: r.seat_lon,
        };
        let hall_km = match (r.lat, r.lon) {
            (Some(lat), Some(lon)) => Some(distance_km(LatLon { lat, lon }, seat)),
            _ => None,
        };
        Self {
            code: stored(TownCode::parse("code", &r.code)),
            name: r.name,
            kind: stored(TownKind::parse("kind", &r.kind)),
            county_code: stored(CountyCode::parse("county_code", &r.county_code)),
            county_name: r.county_name,
            has_coordinates: hall_km.is_some(),
            lat: r.lat,
            lon: r.lon,
            coord_source: r.coord_source,
            population: r.population,
            hall_band: hall_km.map(DistanceBand::of),
            hall_km,
            served_by: stored(OfficeCode::parse("served_by", &r.served_by)),
            version: r.version,
        }
    }
}

const COUNTY_SELECT: &str = "SELECT c.code, c.name, c.seat_lat, c.seat_lon, c.source,
    (SELECT COUNT(*) FROM towns t WHERE t.county_code = c.code) AS town_count FROM counties c";

const TOWN_SELECT: &str = "SELECT t.code, t.name, t.kind, t.county_code, c.name AS county_name,
    c.seat_lat, c.seat_lon, t.lat, t.lon, t.coord_source, t.population, t.version,
    COALESCE((SELECT MIN(ot.office_code) FROM office_towns ot WHERE ot.town_code = t.code),
             t.county_code || 'H') AS served_by
    FROM towns t JOIN counties c ON c.code = t.county_code";

impl Store {
    pub async fn counties(&self, page: PageRequest) -> Result<Page<County>> {
        let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM counties")
            .fetch_one(self.pool())
            .await?;
        let mut sql = Sql::new(COUNTY_SELECT);
        sql.push(" ORDER BY c.ordinal LIMIT ")
            .bind(page.per_page)
            .push(" OFFSET ")
            .bind(page.offset());
        let rows: Vec<CountyRow> = sql.query_as().fetch_all(self.pool()).await?;
        Ok(Page::new(
            rows.into_iter().map(County::from).collect(),
            page,
            total,
        ))
    }

    pub async fn county(&self, code: &CountyCode) -> Result<County> {
        let mut sql = Sql::new(COUNTY_SELECT);
        sql.push(" WHERE c.code = ").bind(code.to_string());
        let row: Option<CountyRow> = sql.query_as().fetch_optional(self.pool()).await?;
        row.map(County::from)
            .ok_or_else(|| StoreError::not_found("county", code))
    }

    pub async fn towns(&self, filter: &TownFilter, page: PageRequest) -> Result<Page<Town>> {
        if let Some(c) = &filter.county {
            self.county(c).await?;
        }
        let where_ = |sql: &mut Sql| {
            sql.push(" WHERE 1 = 1");
            if let Some(c) = &filter.county {
                sql.push(" AND t.county_code = ").bind(c.to_string());
            }
            if let Some(k) = filter.kind {
                sql.push(" AND t.kind = ").bind(k.slug().to_owned());
            }
        };
        let (rows, total): (Vec<TownRow>, i64) = self
            .page_of("FROM towns t", TOWN_SELECT, "t.code", where_, page)
            .await?;
        Ok(Page::new(
            rows.into_iter().map(Town::from).collect(),
            page,
            total,
        ))
    }

    /// Every town of the city (or of one county), for maps and reports.
    pub async fn all_towns(&self, county: Option<&CountyCode>) -> Result<Vec<Town>> {
        let filter = TownFilter {
            county: county.cloned(),
            kind: None,
        };
        let page = PageRequest {
            page: 1,
            per_page: i64::MAX / 2,
        };
        Ok(self.towns(&filter, page).await?.items)
    }

    pub async fn town(&self, code: &TownCode) -> Result<Town> {
        let mut sql = Sql::new(TOWN_SELECT);
        sql.push(" WHERE t.code = ").bind(code.to_string());
        let row: Option<TownRow> = sql.query_as().fetch_optional(self.pool()).await?;
        row.map(Town::from)
            .ok_or_else(|| StoreError::not_found("town", code))
    }

    /// Sets a town's population (used to weigh demand), if the actor manages the town.
    pub async fn update_town(
        &self,
        actor: &Actor,
        code: &TownCode,
        population: Option<i64>,
        version: i64,
    ) -> Result<Town> {
        if let Some(p) = population
            && !(0..=10_000_000).contains(&p)
        {
            return Err(DomainError::invalid(
                "population",
                "人口应在 0 到 10,000,000 之间",
                "population must be between 0 and 10,000,000",
            )
            .into());
        }
        let before = self.town(code).await?;
        ensure_may_manage(actor, ResourceKind::Town, &before.scope(), "town", code)?;
        let mut w = self.write(actor).await?;
        let done = sqlx::query("UPDATE towns SET population = $1, version = version + 1 WHERE code = $2 AND version = $3")
            .bind(population)
            .bind(code.to_string())
            .bind(version)
            .execute(w.conn())
            .await?;
        ensure_updated(&done, "town", code, version)?;
        w.audit(
            "town.update",
            "town",
            code.as_str(),
            &before.scope(),
            changes([("population", json!(before.population), json!(population))]),
        );
        w.commit().await?;
        self.town(code).await
    }

    pub async fn boundaries(&self) -> Result<Vec<Boundary>> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT code, name, level, geometry FROM boundaries ORDER BY code")
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|(code, name, level, geometry)| Boundary {
                code,
                name,
                level,
                geometry,
            })
            .collect())
    }
}
