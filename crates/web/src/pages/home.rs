//! The home page and the About page with the data attribution.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use tongquan_domain::geo::BandCounts;
use tongquan_domain::org::OfficeKind;
use tongquan_store::PageRequest;
use tongquan_store::offices::OfficeFilter;

use super::geography::{CountyRow, county_rows};
use super::{Chrome, render};
use crate::AppState;
use crate::error::PageError;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    rows: Vec<CountyRow>,
    city: BandCounts,
    branches: i64,
    centres: i64,
}

pub async fn home(State(s): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    let (rows, city) = county_rows(&s.store).await?;
    let count = |kind| {
        let store = s.store.clone();
        async move {
            let filter = OfficeFilter {
                county: None,
                kind: Some(kind),
            };
            store
                .offices(
                    &filter,
                    PageRequest {
                        page: 1,
                        per_page: 1,
                    },
                )
                .await
                .map(|p| p.total)
        }
    };
    let branches = count(OfficeKind::Branch).await?;
    let centres = count(OfficeKind::Centre).await?;
    render(&HomePage {
        c: Chrome::new(&v, &uri, "home"),
        rows,
        city,
        branches,
        centres,
    })
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    c: Chrome,
    sources: &'static str,
}

pub async fn about(v: Viewer, uri: Uri) -> Result<Response, PageError> {
    render(&AboutPage {
        c: Chrome::new(&v, &uri, "about"),
        sources: include_str!("../../../../data/SOURCES.md"),
    })
}
