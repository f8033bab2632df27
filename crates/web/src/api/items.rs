//! The item catalog: search, items and their versions, drafts and publishing, where to apply.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tongquan_domain::catalog::{Change, RawItem, Validity};
use tongquan_domain::codes::{BaseCode, CountyCode, ImplCode, OfficeCode};
use tongquan_store::Page;
use tongquan_store::catalog::{Item, ItemSummary};
use tongquan_store::delegations::{ApplyAt, Competence};

use super::ApiResult;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Query, parse_int};
use crate::params::{DateQuery, ItemQuery, WhereQuery};
use crate::session::Viewer;

/// Items in force on a date, searchable by name or code (public).
#[utoipa::path(get, path = "/api/v1/items", tag = "catalog", params(ItemQuery),
    responses((status = 200, body = Page<ItemSummary>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<ItemQuery>,
) -> ApiResult<Page<ItemSummary>> {
    let (filter, page) = q.parse(s.today())?;
    Ok(Json(s.store.items(&filter, page).await?))
}

/// What an office may handle on a date: its county's catalog for a hall, what is handed to it
/// for a branch or centre (public).
#[utoipa::path(get, path = "/api/v1/offices/{code}/items", tag = "catalog",
    params(("code" = String, Path, description = "Office code"), ItemQuery),
    responses((status = 200, body = Page<ItemSummary>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn of_office(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<ItemQuery>,
) -> ApiResult<Page<ItemSummary>> {
    let office = OfficeCode::parse("code", &code)?;
    let (filter, page) = q.parse(s.today())?;
    Ok(Json(s.store.office_items(&office, filter, page).await?))
}

/// An error inside a body's `content`, named as the client sent it.
fn in_content(e: tongquan_domain::DomainError) -> tongquan_domain::DomainError {
    let field = format!("content.{}", e.field().unwrap_or(""));
    e.at(field)
}

pub fn item_id(id: &str) -> Result<i64, ApiError> {
    Ok(parse_int("id", id)?)
}

/// An item with its published versions (and its draft, for those who manage it).
#[utoipa::path(get, path = "/api/v1/items/{id}", tag = "catalog",
    params(("id" = i64, Path, description = "Item id"), DateQuery),
    responses((status = 200, body = Item), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DateQuery>,
) -> ApiResult<Item> {
    Ok(Json(
        s.store
            .item(&v.actor, item_id(&id)?, Some(q.parse(s.today())?))
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// County code.
    pub county: String,
    pub impl_code: String,
    pub base_code: String,
    pub content: RawItem,
}

/// Creates an item; its first version is a draft until published.
#[utoipa::path(post, path = "/api/v1/items", tag = "catalog", request_body = NewItem,
    responses((status = 201, body = Item), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(n): ApiJson<NewItem>,
) -> Result<(StatusCode, Json<Item>), ApiError> {
    v.staff()?;
    let county = CountyCode::parse("county", &n.county)?;
    let impl_code = ImplCode::parse("impl_code", &n.impl_code)?;
    let base_code = BaseCode::parse("base_code", &n.base_code)?;
    let content = n.content.parse().map_err(in_content)?;
    Ok((
        StatusCode::CREATED,
        Json(
            s.store
                .create_item(&v.actor, &county, &impl_code, &base_code, content)
                .await?,
        ),
    ))
}

/// Opens a draft from the latest version.
#[utoipa::path(post, path = "/api/v1/items/{id}/drafts", tag = "catalog",
    params(("id" = i64, Path, description = "Item id")),
    responses((status = 201, body = Item), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn new_draft(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Item>), ApiError> {
    v.staff()?;
    Ok((
        StatusCode::CREATED,
        Json(s.store.new_draft(&v.actor, item_id(&id)?).await?),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftEdit {
    pub content: RawItem,
    /// The draft's lock_version as read; a newer one means someone else edited it.
    pub lock_version: i64,
}

/// Replaces what the open draft says.
#[utoipa::path(put, path = "/api/v1/items/{id}/draft", tag = "catalog",
    params(("id" = i64, Path, description = "Item id")), request_body = DraftEdit,
    responses((status = 200, body = Item), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn edit_draft(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(e): ApiJson<DraftEdit>,
) -> ApiResult<Item> {
    v.staff()?;
    let content = e.content.parse().map_err(in_content)?;
    Ok(Json(
        s.store
            .update_draft(&v.actor, item_id(&id)?, content, e.lock_version)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Publish {
    /// YYYY-MM-DD.
    pub valid_from: String,
    /// YYYY-MM-DD (exclusive), or absent until a later version.
    #[serde(default)]
    pub valid_to: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FourEyes {
    /// Whether a decision (准予/不予许可) needs an examination (审核) by another member of staff first.
    pub required: bool,
}

/// A county sets whether the item's decisions need two people: one examines (`examine` step),
/// another with decision rights grants or denies. Refused decisions answer 409 `four_eyes_required`.
#[utoipa::path(put, path = "/api/v1/items/{id}/four-eyes", tag = "catalog",
    params(("id" = i64, Path, description = "Item id")), request_body = FourEyes,
    responses((status = 200, body = FourEyes), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn set_four_eyes(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FourEyes>,
) -> ApiResult<FourEyes> {
    v.staff()?;
    let id = item_id(&id)?;
    s.store.set_four_eyes(&v.actor, id, b.required).await?;
    Ok(Json(FourEyes {
        required: s.store.four_eyes(id).await?,
    }))
}

/// Publishes the open draft for a period that must not overlap published ones.
#[utoipa::path(post, path = "/api/v1/items/{id}/publish", tag = "catalog",
    params(("id" = i64, Path, description = "Item id")), request_body = Publish,
    responses((status = 200, body = Item), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn publish(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<Publish>,
) -> ApiResult<Item> {
    v.staff()?;
    let validity = Validity::parse(&p.valid_from, p.valid_to.as_deref().unwrap_or(""))?;
    Ok(Json(
        s.store.publish(&v.actor, item_id(&id)?, validity).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// Version number.
    pub from: Option<String>,
    /// Version number.
    pub to: Option<String>,
}

/// What changed between two versions.
#[utoipa::path(get, path = "/api/v1/items/{id}/diff", tag = "catalog",
    params(("id" = i64, Path, description = "Item id"), DiffQuery),
    responses((status = 200, body = Vec<Change>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn diff(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Vec<Change>> {
    let n = |f: &str, v: &Option<String>| parse_int(f, v.as_deref().unwrap_or(""));
    Ok(Json(
        s.store
            .item_diff(
                &v.actor,
                item_id(&id)?,
                n("from", &q.from)?,
                n("to", &q.to)?,
            )
            .await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct WhereToApply {
    pub competent: Competence,
    /// The competent office and any-window offices, nearest first.
    pub places: Vec<ApplyAt>,
}

/// Where a citizen of a town can apply for an item: the competent office and, where allowed,
/// any-window (通办) offices, nearest first (public).
#[utoipa::path(get, path = "/api/v1/items/{id}/where", tag = "catalog",
    params(("id" = i64, Path, description = "Item id"), WhereQuery),
    responses((status = 200, body = WhereToApply), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn where_to_apply(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<WhereQuery>,
) -> ApiResult<WhereToApply> {
    let (town, date) = q.parse(s.today())?;
    let (competent, places) = s.store.where_to_apply(item_id(&id)?, &town, date).await?;
    Ok(Json(WhereToApply { competent, places }))
}
