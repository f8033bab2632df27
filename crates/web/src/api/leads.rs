//! Leads (线索): staff intake (patrol, hotline, referral), the handler's steps, and the queue with
//! its timers. The public files through Open311 (`crate::api::open311`) or the /report page.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongquan_domain::DomainError;
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::{CountyCode, TownCode};
use tongquan_domain::enforcement::EnforcementDomain;
use tongquan_domain::enforcement::lead::{LeadSource, LeadState, LeadStep, Urgency};
use tongquan_domain::geo::LatLon;
use tongquan_store::Page;
use tongquan_store::enforcement::leads::{Lead, LeadFilter, LeadPlace, NewLead};
use utoipa::IntoParams;

use super::ApiResult;
use super::items::item_id;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Query};
use crate::params::{opt, paging};
use crate::session::Viewer;

/// A coordinate as typed or sent; blank is absent.
pub fn coordinate(field: &str, v: Option<&str>) -> Result<Option<f64>, DomainError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            DomainError::invalid(
                field,
                format!("坐标“{s}”不是数字"),
                format!("coordinate {s:?} is not a number"),
            )
        }),
    }
}

/// A place as sent: a town code, or coordinates.
pub fn place(
    town: Option<&str>,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Result<LeadPlace, DomainError> {
    match (town.map(str::trim).filter(|t| !t.is_empty()), lat, lon) {
        (Some(t), None, None) => Ok(LeadPlace::Town(TownCode::parse("town", t)?)),
        (None, Some(lat), Some(lon)) => Ok(LeadPlace::Point(LatLon::parse("lat", lat, lon)?)),
        _ => Err(DomainError::invalid(
            "town",
            "请给出乡镇代码，或经纬度（二选一）",
            "give a town code or lat and lon, not both",
        )),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadBody {
    /// patrol, hotline, public or referral.
    pub source: String,
    /// The field, e.g. market.
    pub domain: String,
    pub description: String,
    #[serde(default)]
    pub address: String,
    pub town: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// urgent (on site within 15 minutes) or normal (120).
    pub urgency: String,
    #[serde(default)]
    pub reporter: String,
}

/// Takes a lead in and routes it: to the town team where the field's powers are the town's,
/// otherwise to the county department, with the reason.
#[utoipa::path(post, path = "/api/v1/leads", tag = "enforcement", request_body = LeadBody,
    responses((status = 201, body = Lead), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<LeadBody>,
) -> Result<(StatusCode, Json<Lead>), ApiError> {
    let new = NewLead {
        source: LeadSource::parse("source", &b.source)?,
        domain: EnforcementDomain::parse("domain", &b.domain)?,
        description: b.description,
        address: b.address,
        place: place(b.town.as_deref(), b.lat, b.lon)?,
        urgency: Urgency::parse("urgency", &b.urgency)?,
        reporter: b.reporter,
    };
    Ok((
        StatusCode::CREATED,
        Json(s.store.report_lead(&v.actor, new, s.now()).await?.0),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadQuery {
    pub county: Option<String>,
    pub town: Option<String>,
    pub state: Option<String>,
    /// Received on or after this day.
    pub since: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl LeadQuery {
    pub fn filter(&self) -> Result<LeadFilter, DomainError> {
        Ok(LeadFilter {
            county: opt("county", &self.county, CountyCode::parse)?,
            town: opt("town", &self.town, TownCode::parse)?,
            state: opt("state", &self.state, LeadState::parse)?,
            since: opt("since", &self.since, parse_date)?,
            ..LeadFilter::default()
        })
    }
}

/// A lead with its timers as of now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimedLead {
    #[serde(flatten)]
    pub lead: Lead,
    pub on_site_minutes: Option<i64>,
    pub target_minutes: i64,
    pub breached: bool,
}

impl TimedLead {
    pub fn of(lead: Lead, now: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            on_site_minutes: lead.times().on_site_minutes(),
            target_minutes: Urgency::parse("urgency", &lead.urgency)
                .map_or(0, Urgency::on_site_target_minutes),
            breached: lead.breached(now),
            lead,
        }
    }
}

/// Leads within the caller's reach, newest first, with their timers.
#[utoipa::path(get, path = "/api/v1/leads", tag = "enforcement", params(LeadQuery),
    responses((status = 200, body = Page<TimedLead>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<LeadQuery>,
) -> ApiResult<Page<TimedLead>> {
    v.staff()?;
    let now = s.now();
    let page = s
        .store
        .leads(&v.actor, &q.filter()?, paging(&q.page, &q.per_page)?)
        .await?;
    Ok(Json(page.map(|l| TimedLead::of(l, now))))
}

#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "enforcement", params(("id" = i64, Path, description = "Lead id")),
    responses((status = 200, body = TimedLead), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> ApiResult<TimedLead> {
    v.staff()?;
    Ok(Json(TimedLead::of(
        s.store.lead(&v.actor, item_id(&id)?).await?,
        s.now(),
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadStepBody {
    /// dispatch, arrive, dispose or close.
    pub step: String,
    /// What was done (required to dispose).
    #[serde(default)]
    pub note: String,
    pub lock_version: i64,
}

/// Moves a lead on; only its handler may.
#[utoipa::path(post, path = "/api/v1/leads/{id}/steps", tag = "enforcement", request_body = LeadStepBody,
    params(("id" = i64, Path, description = "Lead id")),
    responses((status = 200, body = TimedLead), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn step(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<LeadStepBody>,
) -> ApiResult<TimedLead> {
    v.staff()?;
    let step = LeadStep::parse("step", &b.step)?;
    let lead = s
        .store
        .lead_step(
            &v.actor,
            item_id(&id)?,
            step,
            &b.note,
            b.lock_version,
            s.now(),
        )
        .await?;
    Ok(Json(TimedLead::of(lead, s.now())))
}
