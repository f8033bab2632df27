//! Bundles (一件事): the templates a county defines, one application for all their items, and
//! the bundle's progress and lead time.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use tongquan_domain::bundle::TemplateSpec;
use tongquan_domain::codes::CountyCode;
use tongquan_store::Page;
use tongquan_store::bundles::{Bundle, BundleFigures, BundleReceipt, BundleTemplate, NewBundle};
use tongquan_store::cases::NewCase;
use utoipa::IntoParams;

use super::ApiResult;
use super::cases::TrackQuery;
use super::items::item_id;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ClientAddr, Query, idempotency_header, once_key};
use crate::params::{opt, paging};
use crate::session::Viewer;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// A county code, e.g. 371481.
    pub county: Option<String>,
}

/// The bundle templates (public), with their items and the shared materials list.
#[utoipa::path(get, path = "/api/v1/bundle-templates", tag = "cases", params(TemplateQuery),
    responses((status = 200, body = Vec<BundleTemplate>), (status = 400, body = Problem)))]
pub async fn templates(
    State(s): State<AppState>,
    Query(q): Query<TemplateQuery>,
) -> ApiResult<Vec<BundleTemplate>> {
    let county = opt("county", &q.county, CountyCode::parse)?;
    Ok(Json(
        s.store.bundle_templates(county.as_ref(), s.today()).await?,
    ))
}

/// One template (public).
#[utoipa::path(get, path = "/api/v1/bundle-templates/{id}", tag = "cases",
    params(("id" = i64, Path, description = "Template id")),
    responses((status = 200, body = BundleTemplate), (status = 404, body = Problem)))]
pub async fn template(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<BundleTemplate> {
    Ok(Json(
        s.store.bundle_template(item_id(&id)?, s.today()).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTemplate {
    pub county: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The county's approval items, in the order the form lists them (2–12, each once).
    pub items: Vec<i64>,
}

/// Defines a bundle: the county bureau for its county, the city for any.
#[utoipa::path(post, path = "/api/v1/bundle-templates", tag = "cases", request_body = NewTemplate,
    responses((status = 201, body = BundleTemplate), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn create_template(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(t): ApiJson<NewTemplate>,
) -> Result<(StatusCode, Json<BundleTemplate>), ApiError> {
    v.staff()?;
    let county = CountyCode::parse("county", &t.county)?;
    let spec = TemplateSpec::parse(&t.name, &t.description, &t.items)?;
    let template = s
        .store
        .create_bundle_template(&v.actor, &county, spec, s.today())
        .await?;
    Ok((StatusCode::CREATED, Json(template)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleApplication {
    pub template_id: i64,
    pub town: String,
    /// person or enterprise.
    pub applicant_kind: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub contact: String,
    /// online (the applicant), or window, cross_window or assisted (staff).
    pub channel: String,
    /// Every material of the bundle's list handed in, each named once.
    #[serde(default)]
    pub materials: Vec<String>,
}

/// Applies for every item of a template at once: one sub-case per item, each routed to its own
/// competent office; the receipt's one check code opens the bundle and every sub-case.
/// An `Idempotency-Key` header makes a retry return the first receipt, as for `POST /api/v1/cases`.
#[utoipa::path(post, path = "/api/v1/bundles", tag = "cases", request_body = BundleApplication,
    params(("Idempotency-Key" = Option<String>, Header, description = "8 to 128 visible ASCII characters, e.g. a UUID")),
    responses((status = 201, body = BundleReceipt), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(a): ApiJson<BundleApplication>,
) -> Result<(StatusCode, Json<BundleReceipt>), ApiError> {
    let applicant = NewCase::parse(
        0,
        &a.town,
        &a.applicant_kind,
        &a.applicant_id,
        &a.applicant_name,
        &a.contact,
        &a.channel,
        a.materials,
    )?;
    let new = NewBundle::parse(a.template_id, applicant);
    let once = once_key(
        idempotency_header(&headers),
        &v,
        &client,
        &new.fingerprint(),
    )?;
    let receipt = s
        .store
        .submit_bundle_once(&v.actor, new, s.today(), once.as_ref())
        .await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BundleQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// The bundles of the caller's county with the lead-time figures over all of them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BundleList {
    #[serde(flatten)]
    pub page: Page<Bundle>,
    pub figures: BundleFigures,
}

/// Bundles newest first, with how many concluded within one working day.
#[utoipa::path(get, path = "/api/v1/bundles", tag = "cases", params(BundleQuery),
    responses((status = 200, body = BundleList), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<BundleQuery>,
) -> ApiResult<BundleList> {
    v.staff()?;
    let (page, figures) = s
        .store
        .bundles(&v.actor, paging(&q.page, &q.per_page)?, s.today())
        .await?;
    Ok(Json(BundleList { page, figures }))
}

/// A bundle with its sub-cases and, once the last concludes, its lead time.
#[utoipa::path(get, path = "/api/v1/bundles/{id}", tag = "cases",
    params(("id" = i64, Path, description = "Bundle id")),
    responses((status = 200, body = Bundle), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Bundle> {
    v.staff()?;
    Ok(Json(
        s.store.bundle(&v.actor, item_id(&id)?, s.today()).await?,
    ))
}

/// A bundle's progress for its applicant, by tracking number and check code.
#[utoipa::path(get, path = "/api/v1/bundles/track/{tracking_no}", tag = "cases",
    params(("tracking_no" = String, Path, description = "Bundle tracking number"), TrackQuery),
    responses((status = 200, body = Bundle), (status = 404, body = Problem)))]
pub async fn track(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(no): Path<String>,
    Query(q): Query<TrackQuery>,
) -> ApiResult<Bundle> {
    let code = q.code.unwrap_or_default();
    Ok(Json(
        s.store.track_bundle(&no, &code, &client, s.today()).await?,
    ))
}
