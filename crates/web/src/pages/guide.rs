//! The public service guide (办事指南): search items, read what an item needs, and find where
//! to apply from one's town. No sign-in.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use tongquan_domain::catalog::{MaterialForm, Requirement, parse_date};
use tongquan_domain::codes::TownCode;
use tongquan_store::PageRequest;
use tongquan_store::catalog::{Item, ItemSummary, ItemVersion};
use tongquan_store::delegations::{ApplyAt, Competence};
use tongquan_store::geography::{County, Town};

use super::{Chrome, Pager, render, render_page};
use crate::AppState;
use crate::api::items::item_id;
use crate::error::{AppError, PageError};
use crate::extract::Query;
use crate::params::ItemQuery;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage {
    c: Chrome,
    q: String,
    county: String,
    counties: Vec<County>,
    items: Vec<ItemSummary>,
    pager: Pager,
}

pub async fn search(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ItemQuery>,
) -> Result<Response, PageError> {
    let (filter, page) = q.parse(s.today())?;
    let page = PageRequest {
        per_page: page.per_page.min(20),
        ..page
    };
    let items = s.store.items(&filter, page).await?;
    let pager = Pager::new(
        &items,
        "/guide",
        &[
            ("q", q.q.clone().unwrap_or_default()),
            ("county", q.county.clone().unwrap_or_default()),
        ],
    );
    render(&GuidePage {
        c: Chrome::new(&v, &uri, "guide"),
        q: q.q.unwrap_or_default(),
        county: q.county.unwrap_or_default(),
        counties: s
            .store
            .counties(PageRequest {
                page: 1,
                per_page: 500,
            })
            .await?
            .items,
        items: items.items,
        pager,
    })
}

#[derive(Deserialize, Default)]
pub struct ItemPageQuery {
    town: Option<String>,
    date: Option<String>,
}

#[derive(Template)]
#[template(path = "guide_item.html")]
struct GuideItemPage {
    c: Chrome,
    item: Item,
    version: ItemVersion,
    department: String,
    towns: Vec<Town>,
    town: String,
    competent: Option<Competence>,
    places: Vec<ApplyAt>,
    error: Option<AppError>,
}

impl GuideItemPage {
    fn requirement(&self, slug: &str) -> String {
        Requirement::parse("requirement", slug)
            .map_or_else(|_| slug.to_owned(), |k| self.c.label(k.label()))
    }

    fn form(&self, slug: &str) -> String {
        MaterialForm::parse("form", slug)
            .map_or_else(|_| slug.to_owned(), |k| self.c.label(k.label()))
    }

    fn days(&self, d: &Option<u16>) -> String {
        d.map_or_else(
            || self.c.t("guide.not_recorded").to_owned(),
            |d| format!("{d} {}", self.c.t("guide.working_days")),
        )
    }
}

pub async fn item(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<ItemPageQuery>,
) -> Result<Response, PageError> {
    let date = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => parse_date("date", d)?,
        None => s.today(),
    };
    // The guide is for citizens: the published version in force, never a draft.
    let item = s
        .store
        .item(
            &tongquan_domain::access::Actor::Anonymous,
            item_id(&id).map_err(|e| e.0)?,
            Some(date),
        )
        .await?;
    let version = item
        .current()
        .cloned()
        .ok_or_else(|| AppError::from(tongquan_store::StoreError::not_found("item", item.id)))?;
    let department = s.store.department(&version.content.department).await?.name;
    let towns = s.store.all_towns(Some(&item.county_code)).await?;
    let mut page = GuideItemPage {
        c: Chrome::new(&v, &uri, "guide"),
        department,
        towns,
        town: q.town.clone().unwrap_or_default(),
        competent: None,
        places: Vec::new(),
        error: None,
        version,
        item,
    };
    if let Some(t) = q.town.as_deref().filter(|t| !t.is_empty()) {
        let found = async {
            let town = TownCode::parse("town", t)?;
            Ok::<_, AppError>(s.store.where_to_apply(page.item.id, &town, date).await?)
        }
        .await;
        match found {
            Ok((who, places)) => {
                page.competent = Some(who);
                page.places = places;
            }
            Err(e) if e.status().is_client_error() => page.error = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    render_page(&page, &page.error)
}
