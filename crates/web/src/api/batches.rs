//! Delegation batches (赋权文件), what they hand down, and changes to delegations.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongquan_domain::catalog::{DelegationEventKind, Recipient, Validity, parse_date};
use tongquan_domain::codes::{CountyCode, ImplCode};
use tongquan_domain::text;
use tongquan_store::Page;
use tongquan_store::delegations::{Batch, Delegation, Matrix, NewBatch};

use super::ApiResult;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Query, parse_int};
use crate::params::{DateQuery, ItemQuery, PageQuery};
use crate::session::Viewer;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// County code.
    pub county: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// Batches, newest document first (public: the 赋权目录 is published).
#[utoipa::path(get, path = "/api/v1/batches", tag = "delegation", params(BatchQuery),
    responses((status = 200, body = Page<Batch>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<BatchQuery>,
) -> ApiResult<Page<Batch>> {
    let county = q
        .county
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| CountyCode::parse("county", c))
        .transpose()?;
    if let Some(c) = &county {
        s.store.county(c).await?;
    }
    let page = PageQuery {
        page: q.page,
        per_page: q.per_page,
    }
    .parse()?;
    Ok(Json(s.store.batches(county.as_ref(), page).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatchBody {
    pub county: String,
    /// 文号.
    pub doc_number: String,
    /// YYYY-MM-DD.
    pub doc_date: String,
    pub title: String,
    /// devolve, entrust or empower.
    pub kind: String,
    /// The county body handing the powers down.
    pub department: String,
    #[serde(default)]
    pub legal_basis: String,
    /// When one of its powers is suspended or revoked, open cases `stay` with the office until
    /// decided (the default) or `transfer` to the county body.
    #[serde(default)]
    pub open_cases: String,
}

#[utoipa::path(post, path = "/api/v1/batches", tag = "delegation", request_body = NewBatchBody,
    responses((status = 201, body = Batch), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(b): ApiJson<NewBatchBody>,
) -> Result<(StatusCode, Json<Batch>), ApiError> {
    v.staff()?;
    let b = NewBatch::parse(
        &b.county,
        &b.doc_number,
        &b.doc_date,
        &b.title,
        &b.kind,
        &b.department,
        &b.legal_basis,
        &b.open_cases,
    )?;
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_batch(&v.actor, b).await?),
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchDetail {
    pub batch: Batch,
    /// With their status on the date asked about.
    pub delegations: Vec<Delegation>,
}

#[utoipa::path(get, path = "/api/v1/batches/{id}", tag = "delegation",
    params(("id" = i64, Path, description = "Batch id"), DateQuery),
    responses((status = 200, body = BatchDetail), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn show(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DateQuery>,
) -> ApiResult<BatchDetail> {
    let id = parse_int("id", &id)?;
    let date = q.parse(s.today())?;
    Ok(Json(BatchDetail {
        batch: s.store.batch(id).await?,
        delegations: s.store.batch_delegations(id, date).await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Delegate {
    /// Implementation codes of the batch county's items.
    pub items: Vec<String>,
    /// Town office codes (branches, centres) for approval items; town codes for enforcement powers.
    pub recipients: Vec<String>,
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Delegated {
    /// Delegations added; pairs already in the batch are left as they are.
    pub added: usize,
}

/// Hands items to town offices or towns under a batch.
#[utoipa::path(post, path = "/api/v1/batches/{id}/delegations", tag = "delegation",
    params(("id" = i64, Path, description = "Batch id")), request_body = Delegate,
    responses((status = 200, body = Delegated), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn delegate(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<Delegate>,
) -> ApiResult<Delegated> {
    v.staff()?;
    let id = parse_int("id", &id)?;
    let batch = s.store.batch_to_delegate(&v.actor, id).await?;
    let mut items = Vec::with_capacity(d.items.len());
    for (i, code) in d.items.iter().enumerate() {
        let code = ImplCode::parse(&format!("items[{i}]"), code)?;
        items.push(
            s.store
                .item_id(&batch.county_code, &code)
                .await
                .map_err(|_| {
                    tongquan_domain::DomainError::invalid(
                        format!("items[{i}]"),
                        format!("县 {} 没有实施编码为 {code} 的事项", batch.county_code),
                        format!("county {} holds no item {code}", batch.county_code),
                    )
                })?,
        );
    }
    let recipients = d
        .recipients
        .iter()
        .enumerate()
        .map(|(i, r)| Recipient::parse(&format!("recipients[{i}]"), r))
        .collect::<Result<Vec<_>, _>>()?;
    let validity = Validity::parse(&d.valid_from, d.valid_to.as_deref().unwrap_or(""))?;
    Ok(Json(Delegated {
        added: s
            .store
            .delegate(&v.actor, id, &items, &recipients, validity)
            .await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    /// suspend, resume or revoke.
    pub kind: String,
    /// YYYY-MM-DD.
    pub effective: String,
    pub reason: String,
}

/// Suspends, resumes or revokes a delegation: recorded as a new record, never an edit.
#[utoipa::path(post, path = "/api/v1/delegations/{id}/changes", tag = "delegation",
    params(("id" = i64, Path, description = "Delegation id")), request_body = ChangeBody,
    responses((status = 200, body = Delegation), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn change(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(c): ApiJson<ChangeBody>,
) -> ApiResult<Delegation> {
    v.staff()?;
    let kind = DelegationEventKind::parse("kind", c.kind.trim())?;
    let effective = parse_date("effective", &c.effective)?;
    let reason = text::bounded("reason", &c.reason, 500)?;
    Ok(Json(
        s.store
            .record_change(
                &v.actor,
                parse_int("id", &id)?,
                kind,
                effective,
                &reason,
                s.today(),
            )
            .await?,
    ))
}

/// Who is competent for each item in each town of a county on a date (public).
#[utoipa::path(get, path = "/api/v1/counties/{code}/matrix", tag = "delegation",
    params(("code" = String, Path, description = "County code"), ItemQuery),
    responses((status = 200, body = Matrix), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn matrix(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<ItemQuery>,
) -> ApiResult<Matrix> {
    let county = CountyCode::parse("code", &code)?;
    s.store.county(&county).await?;
    let (filter, page) = q.parse(s.today())?;
    Ok(Json(s.store.matrix(&county, filter, page).await?))
}
