//! Penalty cases within delegated powers.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tongquan_domain::codes::{CountyCode, TownCode};
use tongquan_domain::enforcement::penalty::{Penalty, PenaltyStep};
use tongquan_store::Page;
use tongquan_store::enforcement::penalties::{NewPenalty, PenaltyCase, PenaltyInput};

fn organisation() -> bool {
    true
}
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
pub struct PenaltyBody {
    /// The penalty power (a catalog item of type penalty).
    pub item_id: i64,
    pub town: String,
    pub object_id: Option<i64>,
    pub party_name: String,
    /// The party is a natural person (false) or an organisation (true, the default): the
    /// thresholds for a hearing differ.
    #[serde(default = "organisation")]
    pub organisation: bool,
    pub facts: String,
    /// Major for reasons beyond the amount (重大公共利益, 疑难复杂).
    #[serde(default)]
    pub major: bool,
    /// At least two credentialed officers.
    pub officers: Vec<i64>,
}

/// Files a case: the town's if the power is delegated to it that day, else the county department's.
#[utoipa::path(post, path = "/api/v1/penalty-cases", tag = "enforcement", request_body = PenaltyBody,
    responses((status = 201, body = PenaltyCase), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<PenaltyBody>,
) -> Result<(StatusCode, Json<PenaltyCase>), ApiError> {
    v.staff()?;
    let new = NewPenalty {
        item_id: b.item_id,
        town: TownCode::parse("town", &b.town)?,
        object_id: b.object_id,
        party_name: b.party_name,
        organisation: b.organisation,
        facts: b.facts,
        major: b.major,
        officers: b.officers,
    };
    Ok((
        StatusCode::CREATED,
        Json(s.store.file_penalty(&v.actor, new, s.today()).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PenaltyQuery {
    pub county: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/penalty-cases", tag = "enforcement", params(PenaltyQuery),
    responses((status = 200, body = Page<PenaltyCase>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<PenaltyQuery>,
) -> ApiResult<Page<PenaltyCase>> {
    v.staff()?;
    let county = opt("county", &q.county, CountyCode::parse)?;
    Ok(Json(
        s.store
            .penalty_cases(
                &v.actor,
                county.as_ref(),
                paging(&q.page, &q.per_page)?,
                s.today(),
            )
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/penalty-cases/{id}", tag = "enforcement", params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = PenaltyCase), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> ApiResult<PenaltyCase> {
    v.staff()?;
    Ok(Json(
        s.store
            .penalty_case(&v.actor, item_id(&id)?, s.today())
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyStepBody {
    /// investigate, notify, request_hearing, hear, review, extend, transfer, decide, execute or
    /// close.
    pub step: String,
    /// The decision's text (required to decide), or the reason for an extension.
    #[serde(default)]
    pub note: String,
    /// The penalty the notice of rights proposes (notify) or the decision imposes (decide).
    #[schema(value_type = Option<Object>)]
    pub penalty: Option<Penalty>,
    /// Days an extension adds (extend, 1–30).
    pub days: Option<i64>,
    pub lock_version: i64,
}

/// One step of the procedure, by the case's handler.
#[utoipa::path(post, path = "/api/v1/penalty-cases/{id}/steps", tag = "enforcement", request_body = PenaltyStepBody,
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = PenaltyCase), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn step(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PenaltyStepBody>,
) -> ApiResult<PenaltyCase> {
    v.staff()?;
    let step = PenaltyStep::parse("step", &b.step)?;
    Ok(Json(
        s.store
            .penalty_step(
                &v.actor,
                item_id(&id)?,
                step,
                PenaltyInput {
                    note: b.note,
                    penalty: b.penalty,
                    days: b.days,
                },
                b.lock_version,
                s.today(),
            )
            .await?,
    ))
}
