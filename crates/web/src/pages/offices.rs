//! Offices: county halls, branches and town centres.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use tongquan_domain::access::{Action, ResourceKind, may};
use tongquan_domain::codes::OfficeCode;
use tongquan_store::offices::{Office, OfficeUpdate};

use super::{Chrome, FilterBar, Pager, Refused, render, render_page, saved, typed};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::extract::{FormData, Query};
use crate::params::OfficeQuery;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "offices.html")]
struct OfficesPage {
    c: Chrome,
    offices: Vec<Office>,
    pager: Pager,
    f: FilterBar,
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<OfficeQuery>,
) -> Result<Response, PageError> {
    let (filter, page) = q.parse()?;
    let offices = s.store.offices(&filter, page).await?;
    let f = FilterBar::new(
        &s.store,
        v.lang,
        "/offices",
        filter.county.as_ref(),
        filter.kind,
    )
    .await?;
    render(&OfficesPage {
        c: Chrome::new(&v, &uri, "offices"),
        pager: f.pager(&offices),
        offices: offices.items,
        f,
    })
}

#[derive(Template)]
#[template(path = "office.html")]
struct OfficePage {
    c: Chrome,
    office: Office,
    can_edit: bool,
    saved: bool,
    error: Option<AppError>,
    /// The form's values: the record's, or what was sent when it was refused.
    address: String,
    phone: String,
    hours: String,
}

async fn page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    code: &OfficeCode,
    refused: Refused<'_>,
) -> Result<Response, PageError> {
    let office = s.store.office(code).await?;
    let page = OfficePage {
        c: Chrome::new(v, uri, "offices"),
        can_edit: may(
            &v.actor,
            ResourceKind::Office,
            Action::Manage,
            &office.scope(),
        ),
        saved: uri.query().is_some_and(|q| q.contains("saved=1")),
        address: typed(&refused, "address", &office.address),
        phone: typed(&refused, "phone", &office.phone),
        hours: typed(&refused, "hours", &office.hours),
        office,
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
    page(&s, &v, &uri, &OfficeCode::parse("code", &code)?, None).await
}

pub async fn update(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let code = OfficeCode::parse("code", &code)?;
    v.staff()?;
    let result = async {
        let update =
            OfficeUpdate::parse(form.text("address"), form.text("phone"), form.text("hours"))?;
        s.store
            .update_office(&v.actor, &code, &update, form.version()?)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(saved(uri.path())),
        Err(e) => page(&s, &v, &uri, &code, Some((e, &form))).await,
    }
}
