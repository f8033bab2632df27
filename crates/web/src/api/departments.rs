//! County departments: public to read; contact details kept by the department.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use tongquan_domain::codes::DepartmentCode;
use tongquan_store::Page;
use tongquan_store::departments::Department;

use super::ApiResult;
use crate::AppState;
use crate::error::Problem;
use crate::extract::{ApiJson, Query};
use crate::params::DepartmentQuery;
use crate::session::Viewer;

/// The approval bureau and the seven enforcement departments of each county.
#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation", params(DepartmentQuery),
    responses((status = 200, body = Page<Department>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<DepartmentQuery>,
) -> ApiResult<Page<Department>> {
    let (filter, page) = q.parse()?;
    Ok(Json(s.store.departments(&filter, page).await?))
}

#[utoipa::path(get, path = "/api/v1/departments/{code}", tag = "organisation",
    params(("code" = String, Path, description = "Department code, e.g. 371402SJ")),
    responses((status = 200, body = Department), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Department> {
    Ok(Json(
        s.store
            .department(&DepartmentCode::parse("code", &code)?)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    pub phone: String,
    pub version: i64,
}

#[utoipa::path(patch, path = "/api/v1/departments/{code}", tag = "organisation",
    params(("code" = String, Path, description = "Department code")), request_body = DepartmentPatch,
    responses((status = 200, body = Department), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    ApiJson(p): ApiJson<DepartmentPatch>,
) -> ApiResult<Department> {
    let code = DepartmentCode::parse("code", &code)?;
    v.staff()?;
    Ok(Json(
        s.store
            .update_department(&v.actor, &code, &p.phone, p.version)
            .await?,
    ))
}
