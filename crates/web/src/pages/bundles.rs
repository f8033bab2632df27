//! Bundles (一件事) on the pages: the public list of templates, the one form that applies for
//! all of a template's items, and the staff's list of bundles with their lead times.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use tongquan_domain::access::Actor;
use tongquan_domain::bundle::SharedMaterial;
use tongquan_store::bundles::{Bundle, BundleFigures, BundleReceipt, BundleTemplate, NewBundle};
use tongquan_store::geography::Town;

use super::cases::Words;
use super::{Chrome, Pager, render, render_page};
use crate::AppState;
use crate::api::items::item_id;
use crate::error::{AppError, PageError};
use crate::extract::{ClientAddr, FormData, MaterialsForm, form_once, once_key};
use crate::params::paging;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "bundle_templates.html")]
struct TemplatesPage {
    c: Chrome,
    templates: Vec<BundleTemplate>,
}

/// Every county's bundles, for citizens choosing one.
pub async fn templates(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
) -> Result<Response, PageError> {
    render(&TemplatesPage {
        c: Chrome::new(&v, &uri, "guide"),
        templates: s.store.bundle_templates(None, s.today()).await?,
    })
}

#[derive(Template)]
#[template(path = "bundle_apply.html")]
struct ApplyPage {
    c: Chrome,
    template: BundleTemplate,
    towns: Vec<Town>,
    typed: Option<FormData>,
    error: Option<AppError>,
}

impl ApplyPage {
    fn typed(&self, name: &str) -> String {
        self.typed
            .as_ref()
            .map_or_else(String::new, |f| f.text(name).to_owned())
    }

    /// The form's one-time token: sent twice, the application is taken once.
    fn once(&self) -> String {
        form_once(&self.typed("once"))
    }

    fn kinds(&self) -> Vec<(&'static str, String)> {
        self.c
            .choices::<tongquan_domain::applicant::ApplicantKind>()
    }

    /// The names of the items a shared material counts for.
    fn used_by(&self, m: &SharedMaterial) -> String {
        m.items
            .iter()
            .filter_map(|i| self.template.items.get(*i))
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

async fn apply_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    typed: Option<FormData>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let template = s.store.bundle_template(id, s.today()).await?;
    let page = ApplyPage {
        c: Chrome::new(v, uri, "guide"),
        towns: s.store.all_towns(Some(&template.county_code)).await?,
        template,
        typed,
        error,
    };
    render_page(&page, &page.error)
}

pub async fn form(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = item_id(&id).map_err(|e| e.0)?;
    apply_page(&s, &v, &uri, id, None, None).await
}

#[derive(Template)]
#[template(path = "bundle_receipt.html")]
struct ReceiptPage {
    c: Chrome,
    receipt: BundleReceipt,
    bundle: Bundle,
}

/// One online application for every item of the template.
pub async fn submit(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: MaterialsForm,
) -> Result<Response, PageError> {
    let id = item_id(&id).map_err(|e| e.0)?;
    let result = async {
        let new = NewBundle::parse(id, form.online_application(0)?);
        let key = Some(form.fields.text("once")).filter(|k| !k.is_empty());
        let once = once_key(key, &v, &client, &new.fingerprint())?;
        Ok::<_, AppError>(
            s.store
                .submit_bundle_once(&Actor::Anonymous, new, s.today(), once.as_ref())
                .await?,
        )
    }
    .await;
    match result {
        Ok(receipt) => {
            let bundle = s
                .store
                .track_bundle(
                    &receipt.tracking_no,
                    &receipt.check_code,
                    &client,
                    s.today(),
                )
                .await?;
            render(&ReceiptPage {
                c: Chrome::new(&v, &uri, "guide"),
                receipt,
                bundle,
            })
        }
        Err(e) if e.status().is_client_error() && e.code() != "not_found" => {
            let MaterialsForm { fields, .. } = form;
            apply_page(&s, &v, &uri, id, Some(fields), Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "bundles.html")]
struct ListPage {
    c: Chrome,
    w: Words,
    bundles: Vec<Bundle>,
    figures: Option<BundleFigures>,
    pager: Option<Pager>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<String>,
    per_page: Option<String>,
}

/// The bundles of the staff member's county, newest first, with how often one day was kept.
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let (page, figures) = s
        .store
        .bundles(&v.actor, paging(&q.page, &q.per_page)?, s.today())
        .await?;
    render(&ListPage {
        c: Chrome::new(&v, &uri, "cases"),
        w: Words(v.lang),
        pager: Some(Pager::new(&page, "/cases/bundles", &[])),
        bundles: page.items,
        figures: Some(figures),
    })
}

/// One bundle, for staff who reach it (its county, or any of its sub-cases).
pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    render(&ListPage {
        c: Chrome::new(&v, &uri, "cases"),
        w: Words(v.lang),
        bundles: vec![s.store.bundle(&v.actor, id, s.today()).await?],
        figures: None,
        pager: None,
    })
}
