//! The reform's enforcement figures (public): inspections per object before and after joint
//! inspection, hazards, lead response times; per county or, for one county, per town.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tongquan_domain::codes::CountyCode;
use tongquan_store::enforcement::figures::EnforcementFigures;
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
