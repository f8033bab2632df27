//! Staff accounts: list, create, change, disable, and API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use tongquan_domain::access::{Action, Reach, ResourceKind, Role, may, reach};
use tongquan_store::accounts::{Account, NewAccount};

use super::{Chrome, Pager, Refused, render, render_page, saved, typed};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::extract::{FormData, Query, parse_int};
use crate::params::AccountQuery;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    accounts: Vec<Account>,
    pager: Pager,
    roles: &'static [Role],
    role: String,
    can_create: bool,
}

fn can_create(v: &Viewer) -> bool {
    reach(&v.actor, ResourceKind::Account, Action::Manage) != Reach::Nothing
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<AccountQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let (filter, page) = q.parse()?;
    let accounts = s.store.accounts(&v.actor, &filter, page).await?;
    let role = filter.role.map(|r| r.slug().to_owned()).unwrap_or_default();
    let pager = Pager::new(&accounts, "/staff/accounts", &[("role", role.clone())]);
    render(&AccountsPage {
        c: Chrome::new(&v, &uri, "accounts"),
        accounts: accounts.items,
        pager,
        roles: Role::ALL,
        role,
        can_create: can_create(&v),
    })
}

#[derive(Template)]
#[template(path = "account_new.html")]
struct NewAccountPage {
    c: Chrome,
    roles: &'static [Role],
    error: Option<AppError>,
    username: String,
    display_name: String,
    role: String,
    jurisdiction: String,
}

/// The new-account form: empty, or as it was sent with what was wrong.
fn new_account_page(v: &Viewer, uri: &Uri, refused: Refused<'_>) -> Result<Response, PageError> {
    let page = NewAccountPage {
        c: Chrome::new(v, uri, "accounts"),
        roles: Role::ALL,
        username: typed(&refused, "username", ""),
        display_name: typed(&refused, "display_name", ""),
        role: typed(&refused, "role", ""),
        jurisdiction: typed(&refused, "jurisdiction", ""),
        error: refused.map(|(e, _)| e),
    };
    render_page(&page, &page.error)
}

pub async fn new_form(v: Viewer, uri: Uri) -> Result<Response, PageError> {
    v.staff()?;
    new_account_page(&v, &uri, None)
}

pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let result = async {
        let new = NewAccount::parse(
            form.text("username"),
            form.text("display_name"),
            form.text("role"),
            form.text("jurisdiction"),
            form.text("password"),
        )?;
        Ok::<_, AppError>(s.store.create_account(&v.actor, new).await?)
    }
    .await;
    match result {
        Ok(a) => Ok(saved(&format!("/staff/accounts/{}", a.id))),
        Err(e) => new_account_page(&v, &uri, Some((e, &form))),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    account: Account,
    can_edit: bool,
    can_issue: bool,
    saved: bool,
    error: Option<AppError>,
    /// A token just issued, shown this once.
    token: Option<String>,
}

async fn page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    error: Option<AppError>,
    token: Option<String>,
) -> Result<Response, PageError> {
    let account = s.store.account(&v.actor, id).await?;
    let can_edit = may(
        &v.actor,
        ResourceKind::Account,
        Action::Manage,
        &account.scope(),
    );
    let own = v.actor.staff().is_some_and(|me| me.id == id);
    let page = AccountPage {
        c: Chrome::new(v, uri, "accounts"),
        can_issue: can_edit || own,
        can_edit,
        saved: uri.query().is_some_and(|q| q.contains("saved=1")),
        account,
        error,
        token,
    };
    render_page(&page, &page.error)
}

fn account_id(id: &str) -> Result<i64, AppError> {
    Ok(parse_int("id", id)?)
}

pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    v.staff()?;
    page(&s, &v, &uri, account_id(&id)?, None, None).await
}

pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = account_id(&id)?;
    let result = async {
        s.store
            .update_account(
                &v.actor,
                id,
                form.text("display_name"),
                form.checked("disabled"),
                form.version()?,
            )
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(saved(uri.path())),
        Err(e) => page(&s, &v, &uri, id, Some(e), None).await,
    }
}

pub async fn issue_token(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = account_id(&id)?;
    match s
        .store
        .create_api_token(&v.actor, id, form.text("name"))
        .await
    {
        Ok(token) => page(&s, &v, &uri, id, None, Some(token)).await,
        Err(e) => page(&s, &v, &uri, id, Some(e.into()), None).await,
    }
}

/// The account menu entry goes to one's own account.
pub async fn me(v: Viewer) -> Result<Response, PageError> {
    let me = v.staff()?;
    Ok(Redirect::to(&format!("/staff/accounts/{}", me.id)).into_response())
}
