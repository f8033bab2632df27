//! Counties: public.

use axum::Json;
use axum::extract::{Path, State};
use tongquan_domain::codes::CountyCode;
use tongquan_store::Page;
use tongquan_store::geography::County;

use super::ApiResult;
use crate::AppState;
use crate::error::Problem;
use crate::extract::Query;
use crate::params::PageQuery;

/// The county-level units of the city, with their seats (where the county service halls are).
#[utoipa::path(get, path = "/api/v1/counties", tag = "geography", params(PageQuery),
    responses((status = 200, body = Page<County>), (status = 400, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Page<County>> {
    Ok(Json(s.store.counties(q.parse()?).await?))
}

#[utoipa::path(get, path = "/api/v1/counties/{code}", tag = "geography",
    params(("code" = String, Path, description = "County code, e.g. 371402")),
    responses((status = 200, body = County), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<County> {
    Ok(Json(
        s.store.county(&CountyCode::parse("code", &code)?).await?,
    ))
}
