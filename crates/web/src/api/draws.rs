//! Random inspections (双随机、一公开): make a draw (pools and commitment published), reveal it
//! (seed and picks published), and the public document anyone can verify.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_plan::{DrawSpec, Quota};
use tongquan_store::Page;
use tongquan_store::enforcement::draws::{Draw, DrawDocument, NewDraw};
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
pub struct DrawBody {
    pub department: String,
    pub title: String,
    /// The day of the inspections (credentials must be valid then).
    pub draw_on: String,
    /// Objects to pick: a count, or a ratio in per mille.
    pub count: Option<usize>,
    pub permille: Option<u32>,
    #[serde(default)]
    pub stratified: bool,
    /// Officers per object, at least 2 (default 2).
    pub team: Option<usize>,
    /// Only the objects of this town.
    pub town: Option<String>,
}

impl DrawBody {
    pub fn parse(&self) -> Result<NewDraw, ApiError> {
        let quota = match (self.count, self.permille) {
            (Some(count), None) => Quota::Count { count },
            (None, Some(permille)) => Quota::Ratio { permille },
            _ => {
                return Err(tongquan_domain::DomainError::invalid(
                    "count",
                    "请给出抽取数量 count 或比例 permille（二选一）",
                    "give either count or permille",
                )
                .into());
            }
        };
        Ok(NewDraw {
            department: DepartmentCode::parse("department", &self.department)?,
            title: self.title.clone(),
            draw_on: parse_date("draw_on", &self.draw_on)?,
            spec: DrawSpec {
                quota,
                stratified: self.stratified,
                team: self.team.unwrap_or(2),
            },
            town: opt("town", &self.town, TownCode::parse)?,
        })
    }
}

/// Makes a draw: publishes its pools and the commitment to a secret seed.
#[utoipa::path(post, path = "/api/v1/draws", tag = "enforcement", request_body = DrawBody,
    responses((status = 201, body = Draw), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<DrawBody>,
) -> Result<(StatusCode, Json<Draw>), ApiError> {
    v.staff()?;
    Ok((
        StatusCode::CREATED,
        Json(s.store.commit_draw(&v.actor, b.parse()?).await?),
    ))
}

/// Reveals the seed and publishes the picks.
#[utoipa::path(post, path = "/api/v1/draws/{id}/reveal", tag = "enforcement", params(("id" = i64, Path, description = "Draw id")),
    responses((status = 200, body = Draw), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn reveal(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Draw> {
    v.staff()?;
    Ok(Json(s.store.reveal_draw(&v.actor, item_id(&id)?).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DrawQuery {
    pub county: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// The draws, newest first (public).
#[utoipa::path(get, path = "/api/v1/draws", tag = "enforcement", params(DrawQuery),
    responses((status = 200, body = Page<Draw>), (status = 400, body = Problem)))]
pub async fn list(State(s): State<AppState>, Query(q): Query<DrawQuery>) -> ApiResult<Page<Draw>> {
    let county = opt("county", &q.county, CountyCode::parse)?;
    Ok(Json(
        s.store
            .draws(county.as_ref(), paging(&q.page, &q.per_page)?)
            .await?,
    ))
}

/// One draw with its picks once revealed (public).
#[utoipa::path(get, path = "/api/v1/draws/{id}", tag = "enforcement", params(("id" = i64, Path, description = "Draw id")),
    responses((status = 200, body = Draw), (status = 404, body = Problem)))]
pub async fn show(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Draw> {
    Ok(Json(s.store.published_draw(item_id(&id)?).await?))
}

/// Everything needed to recompute the draw: inputs, digest, commitment and, once revealed, the
/// seed and the outcome. `tongquan draw verify FILE` checks a saved copy offline.
#[utoipa::path(get, path = "/api/v1/draws/{id}/document", tag = "enforcement", params(("id" = i64, Path, description = "Draw id")),
    responses((status = 200, body = DrawDocument), (status = 404, body = Problem)))]
pub async fn document(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<DrawDocument> {
    Ok(Json(s.store.draw_document(item_id(&id)?).await?))
}

/// The server's own check of a draw, as the public page shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub verified: bool,
    pub code: Option<String>,
    pub message_zh: String,
    pub message_en: String,
}

impl Verification {
    pub fn of(doc: &DrawDocument) -> Self {
        match (&doc.seed, doc.verify()) {
            (None, _) => Self {
                verified: false,
                code: None,
                message_zh: "种子尚未公布：已公布承诺值与抽取库，公布种子后即可核验".into(),
                message_en: "seed not yet revealed: the commitment and pools are published; verify after the reveal".into(),
            },
            (Some(_), Ok(())) => Self {
                verified: true,
                code: None,
                message_zh: "核验通过：种子与承诺值一致，输入与公布摘要一致，重算结果与公布结果一致".into(),
                message_en: "verified: the seed matches the commitment, the inputs their digest, and recomputing gives the published picks".into(),
            },
            (Some(_), Err(e)) => Self {
                verified: false,
                code: Some(e.code().to_owned()),
                message_zh: format!("核验未通过：{}", e.message_zh()),
                message_en: format!("verification failed: {}", e.message_en()),
            },
        }
    }
}

/// Recomputes the draw from its published document (public).
#[utoipa::path(get, path = "/api/v1/draws/{id}/verification", tag = "enforcement", params(("id" = i64, Path, description = "Draw id")),
    responses((status = 200, body = Verification), (status = 404, body = Problem)))]
pub async fn verification(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Verification> {
    Ok(Json(Verification::of(
        &s.store.draw_document(item_id(&id)?).await?,
    )))
}
