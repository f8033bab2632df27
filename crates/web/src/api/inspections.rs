//! Inspection records, the enterprise's view of the visits it received, and its anonymous rating.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tongquan_domain::applicant::{ApplicantId, ApplicantKind};
use tongquan_domain::case::Rating;
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::Trigger;
use tongquan_domain::enforcement::hazard::HazardLevel;
use tongquan_store::Page;
use tongquan_store::enforcement::inspections::{
    Inspection, InspectionFilter, InspectionReceipt, NewHazard, NewInspection, Visit,
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
pub struct HazardBody {
    /// general or major.
    pub level: String,
    pub description: String,
    pub responsible: String,
    /// Rectification deadline, today or later.
    pub deadline: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionBody {
    pub object_id: i64,
    /// The lead department.
    pub department: String,
    /// Other departments that joined the visit.
    #[serde(default)]
    pub joined: Vec<String>,
    /// routine, draw, lead or complaint.
    pub trigger: String,
    pub draw_id: Option<i64>,
    pub lead_id: Option<i64>,
    pub visited_on: String,
    /// HH:MM.
    pub started_at: String,
    pub ended_at: String,
    /// Each department of the visit fields at least two, each with a credential valid for its
    /// field that day.
    pub officers: Vec<i64>,
    /// Who did which department's part, where not their own department's: department code →
    /// officer ids.
    #[serde(default)]
    pub parts: std::collections::BTreeMap<String, Vec<i64>>,
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub findings: String,
    #[serde(default)]
    pub hazards: Vec<HazardBody>,
    /// Needed for a planned visit over the month's cap.
    pub override_reason: Option<String>,
}

impl InspectionBody {
    pub fn parse(self) -> Result<NewInspection, ApiError> {
        let hazards = self
            .hazards
            .iter()
            .map(|h| {
                Ok(NewHazard {
                    level: HazardLevel::parse("hazards.level", &h.level)?,
                    description: h.description.clone(),
                    responsible: h.responsible.clone(),
                    deadline: parse_date("deadline", &h.deadline)?,
                })
            })
            .collect::<Result<Vec<_>, tongquan_domain::DomainError>>()?;
        Ok(NewInspection {
            object_id: self.object_id,
            department: DepartmentCode::parse("department", &self.department)?,
            joined: self
                .joined
                .iter()
                .map(|d| DepartmentCode::parse("joined", d))
                .collect::<Result<_, _>>()?,
            trigger: Trigger::parse("trigger", &self.trigger)?,
            draw_id: self.draw_id,
            lead_id: self.lead_id,
            visited_on: parse_date("visited_on", &self.visited_on)?,
            started_at: self.started_at,
            ended_at: self.ended_at,
            officers: self.officers,
            parts: self
                .parts
                .iter()
                .map(|(d, ids)| Ok((DepartmentCode::parse("parts", d)?, ids.clone())))
                .collect::<Result<_, tongquan_domain::DomainError>>()?,
            items: self.items,
            findings: self.findings,
            hazards,
            override_reason: self.override_reason,
        })
    }
}

/// Records a visit, with the hazards raised at it; returns the rating code for the enterprise.
#[utoipa::path(post, path = "/api/v1/inspections", tag = "enforcement", request_body = InspectionBody,
    responses((status = 201, body = InspectionReceipt), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<InspectionBody>,
) -> Result<(StatusCode, Json<InspectionReceipt>), ApiError> {
    v.staff()?;
    Ok((
        StatusCode::CREATED,
        Json(
            s.store
                .record_inspection(&v.actor, b.parse()?, s.today())
                .await?,
        ),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionQuery {
    pub county: Option<String>,
    pub town: Option<String>,
    pub object_id: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// Inspections within the caller's reach, newest first.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "enforcement", params(InspectionQuery),
    responses((status = 200, body = Page<Inspection>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<InspectionQuery>,
) -> ApiResult<Page<Inspection>> {
    v.staff()?;
    let f = InspectionFilter {
        county: opt("county", &q.county, CountyCode::parse)?,
        town: opt("town", &q.town, TownCode::parse)?,
        object: opt("object_id", &q.object_id, crate::extract::parse_int)?,
    };
    Ok(Json(
        s.store
            .inspections(&v.actor, &f, paging(&q.page, &q.per_page)?)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "enforcement", params(("id" = i64, Path, description = "Inspection id")),
    responses((status = 200, body = Inspection), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Inspection> {
    v.staff()?;
    Ok(Json(s.store.inspection(&v.actor, item_id(&id)?).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitQuery {
    /// The enterprise's unified social credit code.
    pub credit_code: Option<String>,
}

/// The visits an enterprise received (public: inspection results are published).
#[utoipa::path(get, path = "/api/v1/visits", tag = "enforcement", params(VisitQuery),
    responses((status = 200, body = Vec<Visit>), (status = 400, body = Problem)))]
pub async fn visits(
    State(s): State<AppState>,
    Query(q): Query<VisitQuery>,
) -> ApiResult<Vec<Visit>> {
    let code = ApplicantId::parse(
        "credit_code",
        ApplicantKind::Enterprise,
        q.credit_code.as_deref().unwrap_or(""),
    )?;
    Ok(Json(s.store.visits_of(&code).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitRating {
    /// The code handed over at the visit.
    pub code: String,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}

/// Rates a visit anonymously, once, with its code.
#[utoipa::path(post, path = "/api/v1/visits/ratings", tag = "enforcement", request_body = VisitRating,
    responses((status = 204), (status = 400, body = Problem), (status = 409, body = Problem)))]
pub async fn rate(
    State(s): State<AppState>,
    ApiJson(b): ApiJson<VisitRating>,
) -> Result<StatusCode, ApiError> {
    s.store
        .rate_inspection(&b.code, Rating::parse("rating", &b.rating)?, &b.comment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
