//! The hazard register: list, one hazard, re-inspection.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::{CountyCode, TownCode};
use tongquan_domain::enforcement::hazard::HazardState;
use tongquan_store::Page;
use tongquan_store::enforcement::hazards::{Hazard, HazardFilter, Reinspection};
use utoipa::IntoParams;

use super::ApiResult;
use super::items::item_id;
use crate::AppState;
use crate::error::Problem;
use crate::extract::{ApiJson, Query};
use crate::params::{opt, paging};
use crate::session::Viewer;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HazardQuery {
    pub county: Option<String>,
    pub town: Option<String>,
    /// open, escalated or closed.
    pub state: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// Hazards within the caller's reach, nearest deadline first.
#[utoipa::path(get, path = "/api/v1/hazards", tag = "enforcement", params(HazardQuery),
    responses((status = 200, body = Page<Hazard>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<HazardQuery>,
) -> ApiResult<Page<Hazard>> {
    v.staff()?;
    let f = HazardFilter {
        county: opt("county", &q.county, CountyCode::parse)?,
        town: opt("town", &q.town, TownCode::parse)?,
        state: opt("state", &q.state, HazardState::parse)?,
    };
    Ok(Json(
        s.store
            .hazards(&v.actor, &f, paging(&q.page, &q.per_page)?)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/hazards/{id}", tag = "enforcement", params(("id" = i64, Path, description = "Hazard id")),
    responses((status = 200, body = Hazard), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Hazard> {
    v.staff()?;
    Ok(Json(s.store.hazard(&v.actor, item_id(&id)?).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReinspectionBody {
    pub rectified: bool,
    /// A new deadline (today or later) when not rectified.
    pub deadline: Option<String>,
    #[serde(default)]
    pub note: String,
    pub lock_version: i64,
}

/// Records a re-inspection: closes the hazard, or sets a new deadline.
#[utoipa::path(post, path = "/api/v1/hazards/{id}/reinspections", tag = "enforcement", request_body = ReinspectionBody,
    params(("id" = i64, Path, description = "Hazard id")),
    responses((status = 200, body = Hazard), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn reinspect(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReinspectionBody>,
) -> ApiResult<Hazard> {
    v.staff()?;
    let r = Reinspection {
        rectified: b.rectified,
        new_deadline: opt("deadline", &b.deadline, parse_date)?,
        note: b.note,
        lock_version: b.lock_version,
    };
    Ok(Json(
        s.store
            .reinspect_hazard(&v.actor, item_id(&id)?, r, s.today())
            .await?,
    ))
}
