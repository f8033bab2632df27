//! The reform's enforcement figures (public): inspections per object before and after joint
//! inspection, hazards, lead response times; per county or, for one county, per town.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tongquan_domain::codes::CountyCode;
use tongquan_store::enforcement::figures::EnforcementFigures;
use tongquan_store::enforcement::plans::JointPlan;
use utoipa::IntoParams;

use super::ApiResult;
use crate::AppState;
use crate::error::Problem;
use crate::extract::Query;
use crate::params::opt;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FigureQuery {
    /// One county, by town; absent: the city, by county.
    pub county: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/enforcement/figures", tag = "enforcement", params(FigureQuery),
    responses((status = 200, body = EnforcementFigures), (status = 400, body = Problem)))]
pub async fn figures(
    State(s): State<AppState>,
    Query(q): Query<FigureQuery>,
) -> ApiResult<EnforcementFigures> {
    let county = opt("county", &q.county, CountyCode::parse)?;
    Ok(Json(
        s.store
            .enforcement_figures(county.as_ref(), s.today())
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// The county, e.g. 371481.
    pub county: Option<String>,
}

/// The county's year of planned inspections merged into joint visits (综合查一次), with the
/// proof that no plan has fewer visits (public).
#[utoipa::path(get, path = "/api/v1/enforcement/joint-plan", tag = "enforcement", params(PlanQuery),
    responses((status = 200, body = JointPlan), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn joint_plan(
    State(s): State<AppState>,
    Query(q): Query<PlanQuery>,
) -> ApiResult<JointPlan> {
    let county = CountyCode::parse("county", q.county.as_deref().unwrap_or(""))?;
    Ok(Json(s.store.joint_plan(&county).await?))
}
