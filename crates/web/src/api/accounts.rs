//! Staff accounts, as far as the caller may see and manage them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tongquan_store::Page;
use tongquan_store::accounts::{Account, NewAccount};

use super::ApiResult;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, Query, parse_int};
use crate::params::AccountQuery;
use crate::session::Viewer;

#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountQuery),
    responses((status = 200, body = Page<Account>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<AccountQuery>,
) -> ApiResult<Page<Account>> {
    v.staff()?;
    let (filter, page) = q.parse()?;
    Ok(Json(s.store.accounts(&v.actor, &filter, page).await?))
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = Account), (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> ApiResult<Account> {
    v.staff()?;
    Ok(Json(
        s.store.account(&v.actor, parse_int("id", &id)?).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountCreate {
    pub username: String,
    pub display_name: String,
    /// One of the role slugs, e.g. branch_clerk.
    pub role: String,
    /// `city`, or a county, town, office or department code.
    pub jurisdiction: String,
    /// 10 to 128 characters.
    pub password: String,
}

#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = AccountCreate,
    responses((status = 201, body = Account), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ApiJson(c): ApiJson<AccountCreate>,
) -> Result<(StatusCode, Json<Account>), ApiError> {
    v.staff()?;
    let new = NewAccount::parse(
        &c.username,
        &c.display_name,
        &c.role,
        &c.jurisdiction,
        &c.password,
    )?;
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_account(&v.actor, new).await?),
    ))
}

/// Fields left out keep their current value.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    pub display_name: Option<String>,
    pub disabled: Option<bool>,
    pub version: i64,
}

#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "Account id")), request_body = AccountPatch,
    responses((status = 200, body = Account), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<AccountPatch>,
) -> ApiResult<Account> {
    v.staff()?;
    let id = parse_int("id", &id)?;
    let current = s.store.account(&v.actor, id).await?;
    let name = p.display_name.unwrap_or(current.display_name);
    let disabled = p.disabled.unwrap_or(current.disabled);
    Ok(Json(
        s.store
            .update_account(&v.actor, id, &name, disabled, p.version)
            .await?,
    ))
}
