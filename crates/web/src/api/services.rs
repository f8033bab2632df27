//! Convenience services (便民服务) recorded by town centres.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tongquan_domain::case::Channel;
use tongquan_domain::codes::{CountyCode, OfficeCode, TownCode};
use tongquan_store::Page;
use tongquan_store::services::{NewService, Service};
use utoipa::IntoParams;

use super::ApiResult;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Query};
use crate::params::{opt, paging};
use crate::session::Viewer;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRecord {
    /// A convenience item of the centre's county.
    pub item_id: i64,
    /// The resident's town.
    pub town: String,
    /// window or assisted.
    pub channel: String,
    /// Minutes from taking it to done; absent while not done.
    #[serde(default)]
    pub minutes: Option<u32>,
}

/// Records a service at the caller's town centre.
#[utoipa::path(post, path = "/api/v1/services", tag = "cases", request_body = ServiceRecord,
    responses((status = 201, body = Service), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(r): ApiJson<ServiceRecord>,
) -> Result<(StatusCode, Json<Service>), ApiError> {
    v.staff()?;
    let new = NewService {
        item_id: r.item_id,
        town: TownCode::parse("town", &r.town)?,
        channel: Channel::parse("channel", &r.channel)?,
        minutes: r.minutes,
    };
    let done = s.store.record_service(&v.actor, new, s.today()).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    pub county: Option<String>,
    pub office: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// Services within the caller's reach, newest first.
#[utoipa::path(get, path = "/api/v1/services", tag = "cases", params(ServiceQuery),
    responses((status = 200, body = Page<Service>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ServiceQuery>,
) -> ApiResult<Page<Service>> {
    v.staff()?;
    let county = opt("county", &q.county, CountyCode::parse)?;
    let office = opt("office", &q.office, OfficeCode::parse)?;
    Ok(Json(
        s.store
            .services(
                &v.actor,
                county.as_ref(),
                office.as_ref(),
                paging(&q.page, &q.per_page)?,
            )
            .await?,
    ))
}
