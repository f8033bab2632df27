//! Importing an item list from the browser, and the template to fill in.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use tongquan_domain::codes::CountyCode;
use tongquan_store::PageRequest;
use tongquan_store::departments::DepartmentFilter;
use tongquan_store::geography::County;
use tongquan_store::import::RowProblem;

use super::catalog::download;
use super::{Chrome, UploadForm, render_page};
use crate::AppState;
use crate::api::imports::{ImportReport, run};
use crate::error::{AppError, PageError};
use crate::export::item_template;
use crate::extract::Query;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    counties: Vec<County>,
    county: String,
    report: Option<ImportReport>,
    problems: Vec<RowProblem>,
    error: Option<AppError>,
}

async fn page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    county: String,
    result: Option<Result<ImportReport, AppError>>,
) -> Result<Response, PageError> {
    let (report, error) = match result {
        Some(Ok(r)) => (Some(r), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let problems = match &error {
        Some(AppError::Rejected { problems }) => problems.clone(),
        _ => Vec::new(),
    };
    let page = ImportPage {
        c: Chrome::new(v, uri, "catalog"),
        counties: s
            .store
            .counties(PageRequest {
                page: 1,
                per_page: 500,
            })
            .await?
            .items,
        county,
        report,
        problems,
        error,
    };
    render_page(&page, &page.error)
}

#[derive(Deserialize, Default)]
pub struct CountyParam {
    county: Option<String>,
}

pub async fn form(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<CountyParam>,
) -> Result<Response, PageError> {
    v.staff()?;
    page(&s, &v, &uri, q.county.unwrap_or_default(), None).await
}

/// The upload form posts multipart data; its CSRF token rides in the query string.
pub async fn upload(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    parts: Multipart,
) -> Result<Response, PageError> {
    v.staff()?;
    let (county, result) = match UploadForm::read(parts).await {
        Ok(f) => {
            let county = f.text("county").to_owned();
            let result = run(&s, &v, &county, f.text("valid_from"), &f.file_name, &f.file).await;
            (county, result)
        }
        Err(e) => (String::new(), Err(e)),
    };
    page(&s, &v, &uri, county, Some(result)).await
}

pub async fn template(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<CountyParam>,
) -> Result<Response, PageError> {
    v.staff()?;
    let departments = match q.county.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => {
            let county = CountyCode::parse("county", c)?;
            s.store
                .departments(
                    &DepartmentFilter {
                        county: Some(county),
                        kind: None,
                    },
                    PageRequest {
                        page: 1,
                        per_page: 500,
                    },
                )
                .await?
                .items
                .into_iter()
                .map(|d| (d.code.to_string(), d.name))
                .collect()
        }
        None => Vec::new(),
    };
    let bytes = item_template(&departments)
        .map_err(|e| AppError::from(tongquan_store::StoreError::Config(e.to_string())))?;
    download("tongquan-items-template.xlsx", bytes)
}
