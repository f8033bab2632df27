//! County departments.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use tongquan_domain::access::{Action, ResourceKind, may};
use tongquan_domain::codes::DepartmentCode;
use tongquan_store::departments::Department;

use super::{Chrome, FilterBar, Pager, Refused, render, render_page, saved, typed};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::extract::{FormData, Query};
use crate::params::DepartmentQuery;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "departments.html")]
struct DepartmentsPage {
    c: Chrome,
    departments: Vec<Department>,
    pager: Pager,
    f: FilterBar,
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<DepartmentQuery>,
) -> Result<Response, PageError> {
    let (filter, page) = q.parse()?;
    let departments = s.store.departments(&filter, page).await?;
    let f = FilterBar::new(
        &s.store,
        v.lang,
        "/departments",
        filter.county.as_ref(),
        filter.kind,
    )
    .await?;
    render(&DepartmentsPage {
        c: Chrome::new(&v, &uri, "departments"),
        pager: f.pager(&departments),
        departments: departments.items,
        f,
    })
}

#[derive(Template)]
#[template(path = "department.html")]
struct DepartmentPage {
    c: Chrome,
    department: Department,
    can_edit: bool,
    saved: bool,
    error: Option<AppError>,
    phone: String,
}

async fn page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    code: &DepartmentCode,
    refused: Refused<'_>,
) -> Result<Response, PageError> {
    let department = s.store.department(code).await?;
    let page = DepartmentPage {
        c: Chrome::new(v, uri, "departments"),
        can_edit: may(
            &v.actor,
            ResourceKind::Department,
            Action::Manage,
            &department.scope(),
        ),
        saved: uri.query().is_some_and(|q| q.contains("saved=1")),
        phone: typed(&refused, "phone", &department.phone),
        department,
        error: refused.map(|(e, _)| e),
    };
    render_page(&page, &page.error)
}

pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    page(&s, &v, &uri, &DepartmentCode::parse("code", &code)?, None).await
}

pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let code = DepartmentCode::parse("code", &code)?;
    v.staff()?;
    let result = async {
        s.store
            .update_department(&v.actor, &code, form.text("phone"), form.version()?)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(saved(uri.path())),
        Err(e) => page(&s, &v, &uri, &code, Some((e, &form))).await,
    }
}
