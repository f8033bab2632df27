//! The audit trail, as far as the caller may see it.

use axum::Json;
use axum::extract::State;
use tongquan_domain::audit::AuditEntry;
use tongquan_store::Page;

use super::ApiResult;
use crate::AppState;
use crate::error::Problem;
use crate::extract::Query;
use crate::params::AuditQuery;
use crate::session::Viewer;

/// Entries newest first. Each carries its hash and the previous entry's hash.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Page<AuditEntry>> {
    v.staff()?;
    let (filter, page) = q.parse()?;
    Ok(Json(s.store.audit_entries(&v.actor, &filter, page).await?))
}
