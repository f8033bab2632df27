//! Importing an item list into a county's catalog.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::CountyCode;
use tongquan_store::catalog::ImportOutcome;
use tongquan_store::import::{Layout, read_items};

use super::ApiResult;
use crate::AppState;
use crate::error::{AppError, Problem, ProblemMessages};
use crate::extract::{Query, RawBody};
use crate::session::Viewer;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// The county whose catalog this is.
    pub county: Option<String>,
    /// YYYY-MM-DD when new items come into force; today when absent.
    pub valid_from: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    #[schema(value_type = String, example = "published")]
    pub layout: Layout,
    pub outcome: ImportOutcome,
    /// What was filled in and why.
    pub notes: Vec<ProblemMessages>,
}

/// Reads and imports a file's items, all or nothing.
pub async fn run(
    s: &AppState,
    v: &Viewer,
    county: &str,
    valid_from: &str,
    name: &str,
    bytes: &[u8],
) -> Result<ImportReport, AppError> {
    v.staff()?;
    let county = CountyCode::parse("county", county)?;
    s.store.county(&county).await?;
    let valid_from = match valid_from.trim() {
        "" => s.today(),
        d => parse_date("valid_from", d)?,
    };
    let parsed = read_items(bytes, &county).map_err(|problems| AppError::Rejected { problems })?;
    let outcome = s
        .store
        .import_items(
            &v.actor,
            &county,
            &parsed.records,
            valid_from,
            name,
            &|_| {},
        )
        .await?;
    Ok(ImportReport {
        layout: parsed.layout,
        outcome,
        notes: parsed
            .notes
            .into_iter()
            .map(|(zh, en)| ProblemMessages { zh, en })
            .collect(),
    })
}

/// The request body is the file itself: an .xlsx workbook or a UTF-8 .csv, in a published
/// list's layout or our template's. Any bad row rejects the whole file with every problem listed.
#[utoipa::path(post, path = "/api/v1/imports", tag = "catalog", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ImportQuery>,
    RawBody(body): RawBody,
) -> ApiResult<ImportReport> {
    let county = q.county.unwrap_or_default();
    Ok(Json(
        run(
            &s,
            &v,
            &county,
            q.valid_from.as_deref().unwrap_or(""),
            "api",
            &body,
        )
        .await?,
    ))
}
