//! Towns: public to read; population set by those who manage the town.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use tongquan_domain::codes::TownCode;
use tongquan_store::Page;
use tongquan_store::geography::Town;

use super::ApiResult;
use crate::AppState;
use crate::error::Problem;
use crate::extract::{ApiJson, Query};
use crate::params::TownQuery;
use crate::session::Viewer;

/// Township-level units, with coordinates where known and the distance to the county hall.
#[utoipa::path(get, path = "/api/v1/towns", tag = "geography", params(TownQuery),
    responses((status = 200, body = Page<Town>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list(State(s): State<AppState>, Query(q): Query<TownQuery>) -> ApiResult<Page<Town>> {
    let (filter, page) = q.parse()?;
    Ok(Json(s.store.towns(&filter, page).await?))
}

#[utoipa::path(get, path = "/api/v1/towns/{code}", tag = "geography",
    params(("code" = String, Path, description = "Town code, 9 digits")),
    responses((status = 200, body = Town), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Town> {
    Ok(Json(s.store.town(&TownCode::parse("code", &code)?).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TownPatch {
    /// Residents; null when unknown.
    pub population: Option<i64>,
    /// The version read; a newer one in the database means someone else changed the town.
    pub version: i64,
}

#[utoipa::path(patch, path = "/api/v1/towns/{code}", tag = "geography",
    params(("code" = String, Path, description = "Town code")), request_body = TownPatch,
    responses((status = 200, body = Town), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    ApiJson(p): ApiJson<TownPatch>,
) -> ApiResult<Town> {
    let code = TownCode::parse("code", &code)?;
    v.staff()?;
    Ok(Json(
        s.store
            .update_town(&v.actor, &code, p.population, p.version)
            .await?,
    ))
}
