//! Enforcement officers: credentials, dispatch to towns, declared conflicts.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::{Credential, DispatchForm};
use tongquan_store::Page;
use tongquan_store::enforcement::officers::{NewOfficer, Officer, OfficerFilter};
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
pub struct CredentialBody {
    pub number: String,
    /// Comma-separated fields, e.g. "market,safety".
    pub domains: String,
    pub issuer: String,
    pub valid_from: String,
    pub valid_to: String,
}

impl CredentialBody {
    fn parse(&self) -> Result<Credential, tongquan_domain::DomainError> {
        Credential::parse(
            &self.number,
            &self.domains,
            &self.issuer,
            parse_date("valid_from", &self.valid_from)?,
            parse_date("valid_to", &self.valid_to)?,
        )
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficerBody {
    pub department: String,
    pub name: String,
    pub credential: Option<CredentialBody>,
}

/// Adds an officer to one of the seven enforcement departments.
#[utoipa::path(post, path = "/api/v1/officers", tag = "enforcement", request_body = OfficerBody,
    responses((status = 201, body = Officer), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<OfficerBody>,
) -> Result<(StatusCode, Json<Officer>), ApiError> {
    v.staff()?;
    let new = NewOfficer {
        department: DepartmentCode::parse("department", &b.department)?,
        name: b.name,
        credential: b
            .credential
            .as_ref()
            .map(CredentialBody::parse)
            .transpose()?,
    };
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_officer(&v.actor, new).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficerQuery {
    pub county: Option<String>,
    pub department: Option<String>,
    /// Officers currently dispatched to this town.
    pub town: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// Officers within the caller's reach.
#[utoipa::path(get, path = "/api/v1/officers", tag = "enforcement", params(OfficerQuery),
    responses((status = 200, body = Page<Officer>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<OfficerQuery>,
) -> ApiResult<Page<Officer>> {
    v.staff()?;
    let f = OfficerFilter {
        county: opt("county", &q.county, CountyCode::parse)?,
        department: opt("department", &q.department, DepartmentCode::parse)?,
        town: opt("town", &q.town, TownCode::parse)?,
    };
    Ok(Json(
        s.store
            .officers(&v.actor, &f, paging(&q.page, &q.per_page)?)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/officers/{id}", tag = "enforcement", params(("id" = i64, Path, description = "Officer id")),
    responses((status = 200, body = Officer), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Officer> {
    v.staff()?;
    Ok(Json(s.store.officer(&v.actor, item_id(&id)?).await?))
}

/// Records a newly issued credential.
#[utoipa::path(post, path = "/api/v1/officers/{id}/credentials", tag = "enforcement", request_body = CredentialBody,
    params(("id" = i64, Path, description = "Officer id")),
    responses((status = 200, body = Officer), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn credential(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CredentialBody>,
) -> ApiResult<Officer> {
    v.staff()?;
    Ok(Json(
        s.store
            .add_credential(&v.actor, item_id(&id)?, b.parse()?)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchBody {
    /// stationed, cross_town or responsible.
    pub form: String,
    pub towns: Vec<String>,
    pub from: String,
}

/// Dispatches an officer to towns of the county (the previous dispatch ends the day before).
#[utoipa::path(post, path = "/api/v1/officers/{id}/dispatch", tag = "enforcement", request_body = DispatchBody,
    params(("id" = i64, Path, description = "Officer id")),
    responses((status = 200, body = Officer), (status = 400, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
pub async fn dispatch(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DispatchBody>,
) -> ApiResult<Officer> {
    v.staff()?;
    let towns = b
        .towns
        .iter()
        .map(|t| TownCode::parse("towns", t))
        .collect::<Result<Vec<_>, _>>()?;
    let form = DispatchForm::parse("form", &b.form)?;
    let from = parse_date("from", &b.from)?;
    Ok(Json(
        s.store
            .dispatch_officer(&v.actor, item_id(&id)?, form, &towns, from)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecusalBody {
    pub object_id: i64,
    pub reason: String,
}

/// Declares a conflict of interest with an inspection object.
#[utoipa::path(post, path = "/api/v1/officers/{id}/recusals", tag = "enforcement", request_body = RecusalBody,
    params(("id" = i64, Path, description = "Officer id")),
    responses((status = 204), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn recusal(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RecusalBody>,
) -> Result<StatusCode, ApiError> {
    v.staff()?;
    s.store
        .declare_recusal(&v.actor, item_id(&id)?, b.object_id, &b.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
