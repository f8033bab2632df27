//! One item for staff: its versions, the draft editor, publishing, and the diff between versions.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use tongquan_domain::access::{Action, ResourceKind, may};
use tongquan_domain::catalog::{
    Change, ItemContent, Material, MaterialForm, OnlineDepth, Requirement, Validity,
};
use tongquan_store::PageRequest;
use tongquan_store::catalog::Item;
use tongquan_store::departments::{Department, DepartmentFilter};

use super::catalog::{Choices, raw_item};
use super::{Chrome, render, render_page, saved};
use crate::AppState;
use crate::api::items::item_id;
use crate::error::{AppError, PageError};
use crate::extract::{FormData, Query, parse_int};
use crate::session::Viewer;

/// The editor's values: what the draft says, or what was sent when a save was refused.
pub struct Editor {
    pub content: ItemContent,
    /// Material rows, with blank rows to add more.
    pub materials: Vec<Material>,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    c: Chrome,
    item: Item,
    can_edit: bool,
    /// 审核 then 审批: decisions need two people.
    four_eyes: bool,
    editor: Option<Editor>,
    departments: Vec<Department>,
    choices: Choices,
    depths: Vec<(&'static str, String)>,
    requirements: Vec<(&'static str, String)>,
    forms: Vec<(&'static str, String)>,
    saved: bool,
    error: Option<AppError>,
    /// The raw values of a refused form, shown back in the editor.
    sent: Option<FormData>,
}

impl ItemPage {
    fn value(&self, key: &str, stored: impl std::fmt::Display) -> String {
        self.sent
            .as_ref()
            .map_or_else(|| stored.to_string(), |f| f.text(key).to_owned())
    }

    fn is_current(&self, number: &i64) -> bool {
        self.item.in_force == Some(*number)
    }

    fn days(&self, d: &Option<u16>) -> String {
        d.map(|d| d.to_string()).unwrap_or_default()
    }
}

async fn page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    error: Option<AppError>,
    sent: Option<FormData>,
) -> Result<Response, PageError> {
    let item = s.store.item(&v.actor, id, None).await?;
    let can_edit = may(&v.actor, ResourceKind::Item, Action::Manage, &item.scope());
    let c = Chrome::new(v, uri, "catalog");
    let editor = item.draft().filter(|_| can_edit).map(|d| {
        let mut materials = d.content.materials.clone();
        materials.extend((0..3).map(|_| Material {
            name: String::new(),
            requirement: "required".into(),
            form: "copy".into(),
            copies: 1,
            note: String::new(),
        }));
        Editor {
            content: d.content.clone(),
            materials,
        }
    });
    let departments = s
        .store
        .departments(
            &DepartmentFilter {
                county: Some(item.county_code.clone()),
                kind: None,
            },
            PageRequest {
                page: 1,
                per_page: 500,
            },
        )
        .await?
        .items;
    let page = ItemPage {
        four_eyes: s.store.four_eyes(item.id).await?,
        choices: Choices::load(&s.store, &c, None).await?,
        depths: c.choices::<OnlineDepth>(),
        requirements: c.choices::<Requirement>(),
        forms: c.choices::<MaterialForm>(),
        saved: uri.query().is_some_and(|q| q.contains("saved=1")),
        c,
        item,
        can_edit,
        editor,
        departments,
        error,
        sent,
    };
    render_page(&page, &page.error)
}

pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    v.staff()?;
    page(&s, &v, &uri, item_id(&id).map_err(|e| e.0)?, None, None).await
}

pub async fn save_draft(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    let result = async {
        let content = raw_item(&form).parse()?;
        s.store
            .update_draft(
                &v.actor,
                id,
                content,
                parse_int("lock_version", form.text("lock_version"))?,
            )
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(saved(&format!("/catalog/items/{id}"))),
        Err(e) => page(&s, &v, &uri, id, Some(e), Some(form)).await,
    }
}

pub async fn new_draft(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    match s.store.new_draft(&v.actor, id).await {
        Ok(_) => Ok(saved(&format!("/catalog/items/{id}"))),
        Err(e) => page(&s, &v, &uri, id, Some(e.into()), None).await,
    }
}

pub async fn publish(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    let result = async {
        let validity = Validity::parse(form.text("valid_from"), form.text("valid_to"))?;
        s.store.publish(&v.actor, id, validity).await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(saved(&format!("/catalog/items/{id}"))),
        Err(e) => page(&s, &v, &uri, id, Some(e), None).await,
    }
}

/// A county sets whether the item's decisions need two people (审核 then 审批).
pub async fn four_eyes(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    match s
        .store
        .set_four_eyes(&v.actor, id, form.checked("required"))
        .await
    {
        Ok(()) => Ok(saved(&format!("/catalog/items/{id}"))),
        Err(e) => page(&s, &v, &uri, id, Some(e.into()), None).await,
    }
}

#[derive(Deserialize)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "item_diff.html")]
struct DiffPage {
    c: Chrome,
    item: Item,
    from: i64,
    to: i64,
    changes: Vec<Change>,
}

pub async fn diff(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    let from = parse_int("from", q.from.as_deref().unwrap_or(""))?;
    let to = parse_int("to", q.to.as_deref().unwrap_or(""))?;
    let changes = s.store.item_diff(&v.actor, id, from, to).await?;
    let item = s.store.item(&v.actor, id, None).await?;
    render(&DiffPage {
        c: Chrome::new(&v, &uri, "catalog"),
        item,
        from,
        to,
        changes,
    })
}
