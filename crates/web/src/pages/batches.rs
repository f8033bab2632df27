//! Delegation batches for staff, and the items × towns matrix.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use tongquan_domain::access::{Action, ResourceKind, Scope, may};
use tongquan_domain::catalog::{
    DelegationEventKind, DelegationKind, OpenCases, Recipient, Validity, parse_date,
};
use tongquan_domain::codes::{CountyCode, ImplCode};
use tongquan_domain::{DomainError, text};
use tongquan_store::PageRequest;
use tongquan_store::delegations::{Batch, Delegation, Matrix, NewBatch};
use tongquan_store::geography::County;
use tongquan_store::offices::{Office, OfficeFilter};

use super::catalog::{Choices, download};
use super::{Chrome, Pager, Refused, render, render_page, saved, typed};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::export::{Table, xlsx};
use crate::extract::{FormData, Query, parse_int};
use crate::params::{DateQuery, ItemQuery};
use crate::session::Viewer;

const ALL: PageRequest = PageRequest {
    page: 1,
    per_page: 500,
};

#[derive(Deserialize, Default)]
pub struct CountyQuery {
    county: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "batches.html")]
struct BatchesPage {
    c: Chrome,
    county: String,
    counties: Vec<County>,
    batches: Vec<Batch>,
    pager: Pager,
}

fn county_of(text: &Option<String>) -> Result<Option<CountyCode>, DomainError> {
    text.as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| CountyCode::parse("county", c))
        .transpose()
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<CountyQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let county = county_of(&q.county)?;
    if let Some(c) = &county {
        s.store.county(c).await?;
    }
    let page = tongquan_store::PageRequest::parse(q.page.as_deref(), None)?;
    let batches = s.store.batches(county.as_ref(), page).await?;
    let pager = Pager::new(
        &batches,
        "/catalog/batches",
        &[("county", q.county.clone().unwrap_or_default())],
    );
    render(&BatchesPage {
        c: Chrome::new(&v, &uri, "batches"),
        county: q.county.unwrap_or_default(),
        counties: s.store.counties(ALL).await?.items,
        batches: batches.items,
        pager,
    })
}

#[derive(Template)]
#[template(path = "batch_new.html")]
struct NewBatchPage {
    c: Chrome,
    counties: Vec<County>,
    kinds: Vec<(&'static str, String)>,
    county: String,
    doc_number: String,
    doc_date: String,
    title: String,
    kind: String,
    department: String,
    legal_basis: String,
    open_cases_choices: Vec<(&'static str, String)>,
    open_cases: String,
    error: Option<AppError>,
}

async fn new_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    county: &str,
    refused: Refused<'_>,
) -> Result<Response, PageError> {
    let c = Chrome::new(v, uri, "batches");
    let page = NewBatchPage {
        counties: s.store.counties(ALL).await?.items,
        kinds: c.choices::<DelegationKind>(),
        county: typed(&refused, "county", county),
        doc_number: typed(&refused, "doc_number", ""),
        doc_date: typed(&refused, "doc_date", ""),
        title: typed(&refused, "title", ""),
        kind: typed(&refused, "kind", "devolve"),
        department: typed(
            &refused,
            "department",
            &if county.is_empty() {
                String::new()
            } else {
                format!("{county}SP")
            },
        ),
        legal_basis: typed(&refused, "legal_basis", ""),
        open_cases_choices: c.choices::<OpenCases>(),
        open_cases: typed(&refused, "open_cases", "stay"),
        error: refused.map(|(e, _)| e),
        c,
    };
    render_page(&page, &page.error)
}

pub async fn new_form(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<CountyQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    new_page(&s, &v, &uri, q.county.as_deref().unwrap_or(""), None).await
}

pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let f = |k: &str| form.text(k);
    let result = async {
        let b = NewBatch::parse(
            f("county"),
            f("doc_number"),
            f("doc_date"),
            f("title"),
            f("kind"),
            f("department"),
            f("legal_basis"),
            f("open_cases"),
        )?;
        Ok::<_, AppError>(s.store.create_batch(&v.actor, b).await?)
    }
    .await;
    match result {
        Ok(b) => Ok(saved(&format!("/catalog/batches/{}", b.id))),
        Err(e) => new_page(&s, &v, &uri, "", Some((e, &form))).await,
    }
}

#[derive(Template)]
#[template(path = "batch.html")]
struct BatchPage {
    c: Chrome,
    batch: Batch,
    delegations: Vec<Delegation>,
    date: String,
    can_edit: bool,
    offices: Vec<Office>,
    changes: Vec<(&'static str, String)>,
    saved: bool,
    error: Option<AppError>,
}

async fn batch_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    date: chrono::NaiveDate,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let batch = s.store.batch(id).await?;
    let scope = Scope {
        county: Some(batch.county_code.clone()),
        ..Scope::default()
    };
    let offices = s
        .store
        .offices(
            &OfficeFilter {
                county: Some(batch.county_code.clone()),
                kind: None,
            },
            ALL,
        )
        .await?
        .items
        .into_iter()
        .filter(|o| o.kind != tongquan_domain::org::OfficeKind::CountyHall)
        .collect();
    let c = Chrome::new(v, uri, "batches");
    let page = BatchPage {
        delegations: s.store.batch_delegations(id, date).await?,
        date: date.to_string(),
        can_edit: may(&v.actor, ResourceKind::Delegation, Action::Manage, &scope),
        offices,
        changes: c.choices::<DelegationEventKind>(),
        saved: uri.query().is_some_and(|q| q.contains("saved=1")),
        c,
        batch,
        error,
    };
    render_page(&page, &page.error)
}

pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<DateQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    batch_page(
        &s,
        &v,
        &uri,
        parse_int("id", &id)?,
        q.parse(s.today())?,
        None,
    )
    .await
}

/// Codes one per line (or separated by spaces or commas), as people paste them.
fn codes(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '，')
        .filter(|c| !c.is_empty())
        .collect()
}

pub async fn delegate(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = parse_int("id", &id)?;
    let result = async {
        let batch = s.store.batch_to_delegate(&v.actor, id).await?;
        let mut items = Vec::new();
        for code in codes(form.text("items")) {
            let code = ImplCode::parse("items", code)?;
            let found = s
                .store
                .item_id(&batch.county_code, &code)
                .await
                .map_err(|_| {
                    DomainError::invalid(
                        "items",
                        format!("县 {} 没有实施编码为 {code} 的事项", batch.county_code),
                        format!("county {} holds no item {code}", batch.county_code),
                    )
                })?;
            items.push(found);
        }
        let recipients = codes(form.text("recipients"))
            .into_iter()
            .map(|r| Recipient::parse("recipients", r))
            .collect::<Result<Vec<_>, _>>()?;
        let validity = Validity::parse(form.text("valid_from"), form.text("valid_to"))?;
        s.store
            .delegate(&v.actor, id, &items, &recipients, validity)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(saved(&format!("/catalog/batches/{id}"))),
        Err(e) => batch_page(&s, &v, &uri, id, s.today(), Some(e)).await,
    }
}

pub async fn change(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = parse_int("id", &id)?;
    let result = async {
        let kind = DelegationEventKind::parse("kind", form.text("kind"))?;
        let effective = parse_date("effective", form.text("effective"))?;
        let reason = text::bounded("reason", form.text("reason"), 500)?;
        Ok::<_, AppError>(
            s.store
                .record_change(&v.actor, id, kind, effective, &reason, s.today())
                .await?,
        )
    }
    .await;
    match result {
        Ok(d) => Ok(saved(&format!("/catalog/batches/{}", d.batch_id))),
        Err(e) => {
            let batch = s.store.delegation(id, s.today()).await?.batch_id;
            batch_page(&s, &v, &uri, batch, s.today(), Some(e)).await
        }
    }
}

#[derive(Template)]
#[template(path = "matrix.html")]
struct MatrixPage {
    c: Chrome,
    q: ItemQuery,
    choices: Choices,
    matrix: Option<Matrix>,
    pager: Option<Pager>,
    export: String,
}

impl MatrixPage {
    /// A cell's short form: B01 for a branch, 中心 for a centre, 镇 for the town, 县 for the hall.
    fn short(&self, code: &str) -> String {
        match code.len() {
            7 => self.c.t("matrix.hall").to_owned(),
            9 if code.as_bytes()[6] == b'B' => code[6..].to_owned(),
            9 => self.c.t("matrix.town").to_owned(),
            10 => self.c.t("matrix.centre").to_owned(),
            _ => self.c.t("matrix.department").to_owned(),
        }
    }

    fn class(&self, code: &str) -> &'static str {
        match code.len() {
            7 => "hall",
            9 if code.as_bytes()[6] == b'B' => "branch",
            9 | 10 => "town",
            _ => "dept",
        }
    }
}

pub async fn matrix(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ItemQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let (filter, page) = q.parse(s.today())?;
    let c = Chrome::new(&v, &uri, "matrix");
    let choices = Choices::load(&s.store, &c, filter.county.as_ref()).await?;
    let (matrix, pager) = match &filter.county {
        Some(county) => {
            s.store.county(county).await?;
            let m = s.store.matrix(county, filter.clone(), page).await?;
            let pages = ((m.total + m.per_page - 1) / m.per_page).max(1);
            let pager = Pager::counted(m.page, pages, m.total, "/catalog/matrix", &q.pairs());
            (Some(m), Some(pager))
        }
        None => (None, None),
    };
    let export = format!(
        "/catalog/matrix.xlsx?{}",
        serde_urlencoded::to_string(
            q.pairs()
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect::<Vec<_>>()
        )
        .expect("strings encode")
    );
    render(&MatrixPage {
        c,
        q,
        choices,
        matrix,
        pager,
        export,
    })
}

pub async fn matrix_export(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ItemQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let (filter, _) = q.parse(s.today())?;
    let county = filter.county.clone().ok_or(DomainError::Required {
        field: "county".into(),
    })?;
    let m = s
        .store
        .matrix(
            &county,
            filter,
            PageRequest {
                page: 1,
                per_page: 100_000,
            },
        )
        .await?;
    let mut header: Vec<String> = vec!["impl_code".into(), "name".into()];
    header.extend(m.towns.iter().map(|t| format!("{} {}", t.name, t.code)));
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new("matrix", &header_refs);
    for row in &m.rows {
        let mut cells = vec![
            row.item.impl_code.clone().into(),
            row.item.name.clone().into(),
        ];
        cells.extend(row.cells.iter().map(|c| c.clone().into()));
        table.push(cells);
    }
    download(
        "matrix.xlsx",
        xlsx(&[table])
            .map_err(|e| AppError::from(tongquan_store::StoreError::Config(e.to_string())))?,
    )
}
