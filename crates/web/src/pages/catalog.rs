//! The staff catalog browser, its .xlsx export, and new items.

use askama::Template;
use axum::extract::State;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use tongquan_domain::catalog::{ItemType, RawItem, RawMaterial, ServiceKind};
use tongquan_domain::codes::{BaseCode, CountyCode, ImplCode};
use tongquan_store::catalog::ItemSummary;
use tongquan_store::departments::{Department, DepartmentFilter};
use tongquan_store::geography::County;
use tongquan_store::{PageRequest, Store};

use super::{Chrome, Pager, Refused, render, render_page, saved, typed};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::export::{Cell, Table, xlsx};
use crate::extract::{FormData, Query};
use crate::params::ItemQuery;
use crate::session::Viewer;

const ALL: PageRequest = PageRequest {
    page: 1,
    per_page: 500,
};

/// Choices for the catalog's select boxes: (value, label) in the page's language.
pub struct Choices {
    pub counties: Vec<County>,
    pub types: Vec<(&'static str, String)>,
    pub services: Vec<(&'static str, String)>,
    pub departments: Vec<Department>,
}

impl Choices {
    pub async fn load(
        store: &Store,
        c: &Chrome,
        county: Option<&CountyCode>,
    ) -> Result<Self, AppError> {
        let departments = match county {
            Some(county) => {
                store
                    .departments(
                        &DepartmentFilter {
                            county: Some(county.clone()),
                            kind: None,
                        },
                        ALL,
                    )
                    .await?
                    .items
            }
            None => Vec::new(),
        };
        Ok(Self {
            counties: store.counties(ALL).await?.items,
            types: c.choices::<ItemType>(),
            services: c.choices::<ServiceKind>(),
            departments,
        })
    }
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    c: Chrome,
    q: ItemQuery,
    choices: Choices,
    items: Vec<ItemSummary>,
    pager: Pager,
    export: String,
}

fn query_string(q: &ItemQuery) -> String {
    serde_urlencoded::to_string(
        q.pairs()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .expect("strings encode")
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ItemQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let (filter, page) = q.parse(s.today())?;
    let items = s.store.items(&filter, page).await?;
    let c = Chrome::new(&v, &uri, "catalog");
    let choices = Choices::load(&s.store, &c, filter.county.as_ref()).await?;
    let pager = Pager::new(&items, "/catalog", &q.pairs());
    let export = format!("/catalog.xlsx?{}", query_string(&q));
    render(&CatalogPage {
        c,
        q,
        choices,
        items: items.items,
        pager,
        export,
    })
}

/// Every item the filters select (not just one page), as a workbook.
pub async fn export(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ItemQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let (filter, _) = q.parse(s.today())?;
    let mut table = Table::new(
        "items",
        &[
            "id",
            "county",
            "impl_code",
            "base_code",
            "name",
            "main_item",
            "item_type",
            "department",
            "department_name",
            "service",
            "statutory_days",
            "promised_days",
            "online_depth",
            "tongban",
            "commitment",
            "version",
            "valid_from",
        ],
    );
    let mut page = PageRequest {
        page: 1,
        per_page: 500,
    };
    loop {
        let items = s.store.items(&filter, page).await?;
        for i in &items.items {
            table.push(vec![
                Cell::Number(i.id as f64),
                i.county_code.to_string().into(),
                i.impl_code.clone().into(),
                i.base_code.clone().into(),
                i.name.clone().into(),
                i.main_item.clone().into(),
                i.item_type.zh().into(),
                i.department_code.clone().into(),
                i.department_name.clone().into(),
                i.service.zh().into(),
                i.statutory_days.map(|d| d as f64).into(),
                i.promised_days.map(|d| d as f64).into(),
                i.online_depth.zh().into(),
                if i.tongban_allowed { "是" } else { "否" }.into(),
                if i.commitment_allowed { "是" } else { "否" }.into(),
                Cell::Number(i.version as f64),
                i.valid_from.clone().into(),
            ]);
        }
        if page.page >= items.pages() {
            break;
        }
        page.page += 1;
    }
    download(
        "catalog.xlsx",
        xlsx(&[table])
            .map_err(|e| AppError::from(tongquan_store::StoreError::Config(e.to_string())))?,
    )
}

/// A workbook as a download.
pub fn download(name: &str, bytes: Vec<u8>) -> Result<Response, PageError> {
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// An item's content as the editor form sends it: its fields, and material rows m0_…, m1_….
pub fn raw_item(form: &FormData) -> RawItem {
    let f = |k: &str| form.text(k).to_owned();
    let materials = (0..50)
        .map(|i| {
            let m = |k: &str| form.text(&format!("m{i}_{k}")).to_owned();
            RawMaterial {
                name: m("name"),
                requirement: m("requirement"),
                form: m("form"),
                copies: m("copies"),
                note: m("note"),
            }
        })
        .filter(|m| !m.name.trim().is_empty())
        .collect();
    RawItem {
        name: f("name"),
        main_item: f("main_item"),
        item_type: f("item_type"),
        department: f("department"),
        legal_basis_setting: f("legal_basis_setting"),
        legal_basis_implementing: f("legal_basis_implementing"),
        exercise_level: f("exercise_level"),
        statutory_days: f("statutory_days"),
        promised_days: f("promised_days"),
        fees: f("fees"),
        online_depth: f("online_depth"),
        max_visits: f("max_visits"),
        commitment_allowed: f("commitment_allowed"),
        tongban_allowed: f("tongban_allowed"),
        service: f("service"),
        category: f("category"),
        materials,
        licence: f("licence"),
        licence_years: f("licence_years"),
    }
}

#[derive(Template)]
#[template(path = "item_new.html")]
struct NewItemPage {
    c: Chrome,
    county: String,
    impl_code: String,
    base_code: String,
    name: String,
    counties: Vec<County>,
    error: Option<AppError>,
}

async fn new_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    county: String,
    refused: Refused<'_>,
) -> Result<Response, PageError> {
    let page = NewItemPage {
        c: Chrome::new(v, uri, "catalog"),
        impl_code: typed(&refused, "impl_code", ""),
        base_code: typed(&refused, "base_code", ""),
        name: typed(&refused, "name", ""),
        county,
        counties: s.store.counties(ALL).await?.items,
        error: refused.map(|(e, _)| e),
    };
    render_page(&page, &page.error)
}

#[derive(serde::Deserialize)]
pub struct CountyParam {
    county: Option<String>,
}

pub async fn new_form(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<CountyParam>,
) -> Result<Response, PageError> {
    v.staff()?;
    new_page(&s, &v, &uri, q.county.unwrap_or_default(), None).await
}

/// Creates an item with a first draft holding the name; the item page edits the rest.
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let result = async {
        let county = CountyCode::parse("county", form.text("county"))?;
        let impl_code = ImplCode::parse("impl_code", form.text("impl_code"))?;
        let base_code = BaseCode::parse("base_code", form.text("base_code"))?;
        let content = RawItem {
            name: form.text("name").to_owned(),
            item_type: "licensing".into(),
            department: format!("{county}SP"),
            exercise_level: "县级".into(),
            statutory_days: "20".into(),
            online_depth: "on_site".into(),
            service: "approval".into(),
            ..RawItem::default()
        }
        .parse()?;
        Ok::<_, AppError>(
            s.store
                .create_item(&v.actor, &county, &impl_code, &base_code, content)
                .await?,
        )
    }
    .await;
    match result {
        Ok(item) => Ok(saved(&format!("/catalog/items/{}", item.id))),
        Err(e) => {
            new_page(
                &s,
                &v,
                &uri,
                form.text("county").to_owned(),
                Some((e, &form)),
            )
            .await
        }
    }
}
