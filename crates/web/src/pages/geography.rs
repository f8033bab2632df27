//! Counties and towns.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Action, ResourceKind, may};
use tongquan_domain::codes::{CountyCode, TownCode};
use tongquan_domain::geo::BandCounts;
use tongquan_store::departments::{Department, DepartmentFilter};
use tongquan_store::geography::{County, Town};
use tongquan_store::offices::{Office, OfficeFilter};
use tongquan_store::{PageRequest, Store};

use super::{Chrome, FilterBar, Pager, Refused, render, render_page, saved, typed};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::extract::{FormData, Query, parse_int};
use crate::params::TownQuery;
use crate::session::Viewer;

const EVERYTHING: PageRequest = PageRequest {
    page: 1,
    per_page: 500,
};

pub struct CountyRow {
    pub county: County,
    pub bands: BandCounts,
}

#[derive(Template)]
#[template(path = "counties.html")]
struct CountiesPage {
    c: Chrome,
    rows: Vec<CountyRow>,
    city: BandCounts,
}

pub async fn county_rows(store: &Store) -> Result<(Vec<CountyRow>, BandCounts), AppError> {
    let counties = store.counties(EVERYTHING).await?.items;
    let towns = store.all_towns(None).await?;
    let rows = counties
        .into_iter()
        .map(|county| {
            let bands = BandCounts::tally(
                towns
                    .iter()
                    .filter(|t| t.county_code == county.code)
                    .map(|t| t.hall_km),
            );
            CountyRow { county, bands }
        })
        .collect();
    Ok((rows, BandCounts::tally(towns.iter().map(|t| t.hall_km))))
}

pub async fn counties(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
) -> Result<Response, PageError> {
    let (rows, city) = county_rows(&s.store).await?;
    render(&CountiesPage {
        c: Chrome::new(&v, &uri, "counties"),
        rows,
        city,
    })
}

#[derive(Template)]
#[template(path = "county.html")]
struct CountyPage {
    c: Chrome,
    county: County,
    towns: Vec<Town>,
    bands: BandCounts,
    offices: Vec<Office>,
    departments: Vec<Department>,
}

pub async fn county(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let code = CountyCode::parse("code", &code)?;
    let county = s.store.county(&code).await?;
    let towns = s.store.all_towns(Some(&code)).await?;
    let offices = s
        .store
        .offices(
            &OfficeFilter {
                county: Some(code.clone()),
                kind: None,
            },
            EVERYTHING,
        )
        .await?
        .items;
    let departments = s
        .store
        .departments(
            &DepartmentFilter {
                county: Some(code),
                kind: None,
            },
            EVERYTHING,
        )
        .await?
        .items;
    let bands = BandCounts::tally(towns.iter().map(|t| t.hall_km));
    render(&CountyPage {
        c: Chrome::new(&v, &uri, "counties"),
        county,
        towns,
        bands,
        offices,
        departments,
    })
}

#[derive(Template)]
#[template(path = "towns.html")]
struct TownsPage {
    c: Chrome,
    towns: Vec<Town>,
    pager: Pager,
    f: FilterBar,
}

pub async fn towns(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<TownQuery>,
) -> Result<Response, PageError> {
    let (filter, page) = q.parse()?;
    let towns = s.store.towns(&filter, page).await?;
    let f = FilterBar::new(
        &s.store,
        v.lang,
        "/towns",
        filter.county.as_ref(),
        filter.kind,
    )
    .await?;
    render(&TownsPage {
        c: Chrome::new(&v, &uri, "towns"),
        pager: f.pager(&towns),
        towns: towns.items,
        f,
    })
}

#[derive(Template)]
#[template(path = "town.html")]
struct TownPage {
    c: Chrome,
    town: Town,
    served_by: Office,
    can_edit: bool,
    saved: bool,
    error: Option<AppError>,
    population: String,
}

async fn town_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    code: &TownCode,
    refused: Refused<'_>,
) -> Result<Response, PageError> {
    let town = s.store.town(code).await?;
    let served_by = s.store.office(&town.served_by).await?;
    let stored = town.population.map(|p| p.to_string()).unwrap_or_default();
    let page = TownPage {
        c: Chrome::new(v, uri, "towns"),
        can_edit: may(&v.actor, ResourceKind::Town, Action::Manage, &town.scope()),
        saved: uri.query().is_some_and(|q| q.contains("saved=1")),
        population: typed(&refused, "population", &stored),
        town,
        served_by,
        error: refused.map(|(e, _)| e),
    };
    render_page(&page, &page.error)
}

pub async fn town(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    town_page(&s, &v, &uri, &TownCode::parse("code", &code)?, None).await
}

pub fn parse_population(text: &str) -> Result<Option<i64>, DomainError> {
    match text.trim() {
        "" => Ok(None),
        t => parse_int("population", t).map(Some),
    }
}

pub async fn update_town(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(code): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    let code = TownCode::parse("code", &code)?;
    v.staff()?;
    let result = async {
        let population = parse_population(form.text("population"))?;
        s.store
            .update_town(&v.actor, &code, population, form.version()?)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(saved(uri.path())),
        Err(e) => town_page(&s, &v, &uri, &code, Some((e, &form))).await,
    }
}
