//! Liveness, the OpenAPI document, and who the caller is.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::OpenApi;

use super::ApiResult;
use crate::AppState;
use crate::error::AppError;
use crate::openapi::ApiDoc;
use crate::session::Viewer;

/// 200 when the database answers.
pub async fn healthz(State(s): State<AppState>) -> (StatusCode, &'static str) {
    match s.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub jurisdiction: String,
}

/// The signed-in account behind this request.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
pub async fn me(v: Viewer) -> ApiResult<Me> {
    let s = v.staff().map_err(|_| AppError::Unauthenticated)?;
    Ok(Json(Me {
        id: s.id,
        username: s.username.to_string(),
        role: s.role.slug().to_owned(),
        jurisdiction: s.jurisdiction.to_string(),
    }))
}
