//! Offices: public to read; contact details kept by those who manage the office.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use tongquan_domain::codes::OfficeCode;
use tongquan_store::Page;
use tongquan_store::offices::{Office, OfficeUpdate};

use super::ApiResult;
use crate::AppState;
use crate::error::Problem;
use crate::extract::{ApiJson, Query};
use crate::params::OfficeQuery;
use crate::session::Viewer;

/// County service halls, approval branch offices and town convenience centres.
#[utoipa::path(get, path = "/api/v1/offices", tag = "organisation", params(OfficeQuery),
    responses((status = 200, body = Page<Office>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<OfficeQuery>,
) -> ApiResult<Page<Office>> {
    let (filter, page) = q.parse()?;
    Ok(Json(s.store.offices(&filter, page).await?))
}

#[utoipa::path(get, path = "/api/v1/offices/{code}", tag = "organisation",
    params(("code" = String, Path, description = "Office code, e.g. 371402H, 371481B01, 371402001C")),
    responses((status = 200, body = Office), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Office> {
    Ok(Json(
        s.store.office(&OfficeCode::parse("code", &code)?).await?,
    ))
}

/// Fields left out keep their current value.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficePatch {
    pub address: Option<String>,
    pub phone: Option<String>,
    pub hours: Option<String>,
    pub version: i64,
}

#[utoipa::path(patch, path = "/api/v1/offices/{code}", tag = "organisation",
    params(("code" = String, Path, description = "Office code")), request_body = OfficePatch,
    responses((status = 200, body = Office), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    ApiJson(p): ApiJson<OfficePatch>,
) -> ApiResult<Office> {
    let code = OfficeCode::parse("code", &code)?;
    v.staff()?;
    let current = s.store.office(&code).await?;
    let update = OfficeUpdate::parse(
        p.address.as_deref().unwrap_or(&current.address),
        p.phone.as_deref().unwrap_or(&current.phone),
        p.hours.as_deref().unwrap_or(&current.hours),
    )?;
    Ok(Json(
        s.store
            .update_office(&v.actor, &code, &update, p.version)
            .await?,
    ))
}
