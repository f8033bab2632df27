//! Inspection objects and the departments' inspection item lists (检查事项清单).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tongquan_domain::DomainError;
use tongquan_domain::applicant::{ApplicantId, ApplicantKind};
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::{EnforcementDomain, ObjectKind, RiskGrade};
use tongquan_domain::geo::LatLon;
use tongquan_store::Page;
use tongquan_store::enforcement::objects::{
    InspectionItem, InspectionObject, NewInspectionItem, NewObject, ObjectFilter,
};
use utoipa::IntoParams;

use super::ApiResult;
use super::items::item_id;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Query};
use crate::params::{opt, paging};
use crate::session::Viewer;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectBody {
    pub town: String,
    /// enterprise or site.
    pub kind: String,
    /// Unified social credit code; required for an enterprise.
    pub credit_code: Option<String>,
    pub name: String,
    #[serde(default)]
    pub industry: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// A, B, C or D (highest risk).
    pub risk_grade: String,
    /// Comma-separated fields whose departments inspect it.
    pub domains: String,
}

/// Registers an inspection object.
#[utoipa::path(post, path = "/api/v1/inspection-objects", tag = "enforcement", request_body = ObjectBody,
    responses((status = 201, body = InspectionObject), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<ObjectBody>,
) -> Result<(StatusCode, Json<InspectionObject>), ApiError> {
    v.staff()?;
    let position = match (b.lat, b.lon) {
        (Some(lat), Some(lon)) => Some(LatLon::parse("lat", lat, lon)?),
        (None, None) => None,
        _ => {
            return Err(DomainError::invalid(
                "lon",
                "经纬度应同时填写",
                "give both lat and lon, or neither",
            )
            .into());
        }
    };
    let new = NewObject {
        town: TownCode::parse("town", &b.town)?,
        kind: ObjectKind::parse("kind", &b.kind)?,
        credit_code: opt("credit_code", &b.credit_code, |f, v| {
            ApplicantId::parse(f, ApplicantKind::Enterprise, v)
        })?,
        name: b.name,
        industry: b.industry,
        position,
        grade: RiskGrade::parse("risk_grade", &b.risk_grade)?,
        domains: EnforcementDomain::parse_list("domains", &b.domains)?,
    };
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_inspection_object(&v.actor, new).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ObjectQuery {
    pub county: Option<String>,
    pub town: Option<String>,
    pub risk_grade: Option<String>,
    pub domain: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// Inspection objects within the caller's reach.
#[utoipa::path(get, path = "/api/v1/inspection-objects", tag = "enforcement", params(ObjectQuery),
    responses((status = 200, body = Page<InspectionObject>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ObjectQuery>,
) -> ApiResult<Page<InspectionObject>> {
    v.staff()?;
    let f = ObjectFilter {
        county: opt("county", &q.county, CountyCode::parse)?,
        town: opt("town", &q.town, TownCode::parse)?,
        grade: opt("risk_grade", &q.risk_grade, RiskGrade::parse)?,
        domain: opt("domain", &q.domain, EnforcementDomain::parse)?,
    };
    Ok(Json(
        s.store
            .inspection_objects(&v.actor, &f, paging(&q.page, &q.per_page)?)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/inspection-objects/{id}", tag = "enforcement", params(("id" = i64, Path, description = "Object id")),
    responses((status = 200, body = InspectionObject), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> ApiResult<InspectionObject> {
    v.staff()?;
    Ok(Json(
        s.store.inspection_object(&v.actor, item_id(&id)?).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionItemBody {
    pub department: String,
    pub name: String,
    /// Comma-separated object kinds: enterprise, site.
    pub object_kinds: String,
    pub legal_basis: String,
    #[serde(default)]
    pub method: String,
    /// Times a year for risk grades A, B, C, D: each 0, 1, 2, 3, 4, 6 or 12.
    pub frequency: [u8; 4],
}

/// Adds an item to a department's inspection item list.
#[utoipa::path(post, path = "/api/v1/inspection-items", tag = "enforcement", request_body = InspectionItemBody,
    responses((status = 201, body = InspectionItem), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_item(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<InspectionItemBody>,
) -> Result<(StatusCode, Json<InspectionItem>), ApiError> {
    v.staff()?;
    let object_kinds = b
        .object_kinds
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| ObjectKind::parse("object_kinds", k))
        .collect::<Result<Vec<_>, _>>()?;
    let new = NewInspectionItem {
        department: DepartmentCode::parse("department", &b.department)?,
        name: b.name,
        object_kinds,
        legal_basis: b.legal_basis,
        method: b.method,
        frequency: b.frequency,
    };
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_inspection_item(&v.actor, new).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemListQuery {
    pub county: Option<String>,
    pub department: Option<String>,
}

/// The published inspection item lists (public).
#[utoipa::path(get, path = "/api/v1/inspection-items", tag = "enforcement", params(ItemListQuery),
    responses((status = 200, body = Vec<InspectionItem>), (status = 400, body = Problem)))]
pub async fn items(
    State(s): State<AppState>,
    Query(q): Query<ItemListQuery>,
) -> ApiResult<Vec<InspectionItem>> {
    let county = opt("county", &q.county, CountyCode::parse)?;
    let department = opt("department", &q.department, DepartmentCode::parse)?;
    Ok(Json(
        s.store
            .inspection_items(county.as_ref(), department.as_ref())
            .await?,
    ))
}
