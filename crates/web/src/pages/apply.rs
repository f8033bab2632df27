//! The citizen's side of approval cases, without an account: apply online with the form the
//! item's materials list makes, then follow the case by tracking number and check code, hand in
//! what a supplement notice asks for, withdraw, and rate the service once it is concluded.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use tongquan_domain::access::Actor;
use tongquan_domain::applicant::ApplicantKind;
use tongquan_domain::case::{CaseAction, Rating};
use tongquan_domain::catalog::{Material, Requirement};
use tongquan_store::cases::{Case, CaseStep, Receipt, Tracked};
use tongquan_store::geography::Town;
use tongquan_store::throttle::Client;

use super::cases::Words;
use super::{Chrome, render, render_page};
use crate::AppState;
use crate::api::items::item_id;
use crate::error::{AppError, PageError};
use crate::extract::{ClientAddr, FormData, MaterialsForm, form_once, once_key};
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage {
    c: Chrome,
    item_id: i64,
    item_name: String,
    commitment_allowed: bool,
    materials: Vec<Material>,
    towns: Vec<Town>,
    /// What was typed when the form was refused.
    typed: Option<FormData>,
    error: Option<AppError>,
}

impl ApplyPage {
    fn typed(&self, name: &str) -> String {
        self.typed
            .as_ref()
            .map_or_else(String::new, |f| f.text(name).to_owned())
    }

    /// The form's one-time token: sent twice (a double click, a refresh), the application is
    /// taken once and the first receipt shown again. A refused form keeps its token.
    fn once(&self) -> String {
        form_once(&self.typed("once"))
    }

    fn required(&self, m: &Material) -> bool {
        m.requirement == Requirement::Required.slug()
    }

    fn kinds(&self) -> Vec<(&'static str, String)> {
        self.c.choices::<ApplicantKind>()
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
    let item = s.store.item(&Actor::Anonymous, id, Some(s.today())).await?;
    let version = item
        .current()
        .cloned()
        .ok_or_else(|| AppError::from(tongquan_store::StoreError::not_found("item", id)))?;
    let page = ApplyPage {
        c: Chrome::new(v, uri, "guide"),
        item_id: id,
        item_name: version.content.name,
        commitment_allowed: version.content.commitment_allowed,
        materials: version.content.materials,
        towns: s.store.all_towns(Some(&item.county_code)).await?,
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
#[template(path = "receipt.html")]
struct ReceiptPage {
    c: Chrome,
    receipt: Receipt,
    item_name: String,
    office: String,
}

/// An online application: the applicant's own, whoever is signed in on this browser.
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
        let mut new = form.online_application(id)?;
        new.commitment = form.fields.checked("commitment");
        let key = Some(form.fields.text("once")).filter(|k| !k.is_empty());
        let once = once_key(key, &v, &client, &new.fingerprint())?;
        Ok::<_, AppError>(
            s.store
                .submit_case_once(&Actor::Anonymous, new, s.today(), once.as_ref())
                .await?,
        )
    }
    .await;
    match result {
        Ok(receipt) => {
            let case = s
                .store
                .track_case(
                    &receipt.tracking_no,
                    &receipt.check_code,
                    &client,
                    s.today(),
                )
                .await?;
            render(&ReceiptPage {
                c: Chrome::new(&v, &uri, "guide"),
                office: super::cases::office_name(&s, &receipt.office_code).await?,
                item_name: case.summary.item_name,
                receipt,
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
#[template(path = "track.html")]
struct TrackPage {
    c: Chrome,
    w: Words,
    tracking_no: String,
    check_code: String,
    case: Option<Case>,
    /// A bundle's number and code open the bundle with its sub-cases.
    bundle: Option<tongquan_store::bundles::Bundle>,
    /// What the office's latest supplement notice asks for.
    asked: Vec<String>,
    /// The notices and decisions the case's steps issued, each to print or save.
    notices: Vec<tongquan_store::cases::Notice>,
    done: Option<&'static str>,
    error: Option<AppError>,
}

impl TrackPage {
    fn ratings(&self) -> Vec<(u8, String)> {
        Rating::ALL
            .iter()
            .map(|r| (r.value(), self.c.label(r.label())))
            .collect()
    }

    fn can(&self, action: &str) -> bool {
        self.case
            .as_ref()
            .is_some_and(|c| c.actions.iter().any(|a| a == action))
    }

    fn can_rate(&self) -> bool {
        self.case
            .as_ref()
            .is_some_and(|c| c.summary.state == "concluded" && c.rating.is_none())
    }
}

/// The tracking page, with the case when the number and code were given and match.
async fn track_page(
    s: &AppState,
    client: &Client,
    v: &Viewer,
    uri: &Uri,
    f: Option<&FormData>,
    done: Option<&'static str>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let (no, code) = f.map_or(("", ""), |f| (f.text("tracking_no"), f.text("check_code")));
    let mut page = TrackPage {
        c: Chrome::new(v, uri, "track"),
        w: Words(v.lang),
        tracking_no: no.trim().to_owned(),
        check_code: code.trim().to_owned(),
        case: None,
        bundle: None,
        asked: Vec::new(),
        notices: Vec::new(),
        done,
        error,
    };
    if f.is_some() {
        match s.store.track(no, code, client, s.today()).await {
            Ok(Tracked::Case(case)) => {
                page.asked = case
                    .events
                    .iter()
                    .rev()
                    .find(|e| e.action == CaseAction::RequestSupplement.slug())
                    .map(|e| e.materials.clone())
                    .unwrap_or_default();
                page.notices = s.store.notices(&case).await?;
                page.case = Some(*case);
            }
            Ok(Tracked::Bundle(bundle)) => page.bundle = Some(*bundle),
            Err(e) if page.error.is_none() => page.error = Some(e.into()),
            Err(_) => {}
        }
    }
    render_page(&page, &page.error)
}

pub async fn track_form(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    v: Viewer,
    uri: Uri,
) -> Result<Response, PageError> {
    track_page(&s, &client, &v, &uri, None, None, None).await
}

/// The number and code come in a form body, not the address, so they stay out of logs and history.
pub async fn track(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    v: Viewer,
    uri: Uri,
    f: FormData,
) -> Result<Response, PageError> {
    track_page(&s, &client, &v, &uri, Some(&f), None, None).await
}

/// A notice or decision of the applicant's case, as the printable page staff see. The number and
/// code come in the form body, and prove the case through the same throttled check as the tracking
/// page: a wrong code is not found, and guessing closes the number.
pub async fn notice(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(n): Path<String>,
    f: FormData,
) -> Result<Response, PageError> {
    let case = s
        .store
        .track_case(
            f.text("tracking_no"),
            f.text("check_code"),
            &client,
            s.today(),
        )
        .await?;
    super::cases::notice_page(&s, case, &n).await
}

/// Hands in the materials a supplement notice asked for.
pub async fn supply(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    v: Viewer,
    uri: Uri,
    form: MaterialsForm,
) -> Result<Response, PageError> {
    let f = &form.fields;
    let result = match form.attachments() {
        Ok(files) => applicant_step(&s, &client, f, CaseAction::Supply, files).await,
        Err(e) => Err(e.into()),
    };
    applicant_result(&s, &client, &v, &uri, f, result, "track.supplied").await
}

pub async fn withdraw(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    v: Viewer,
    uri: Uri,
    f: FormData,
) -> Result<Response, PageError> {
    let result = match super::confirmed(&f) {
        Ok(()) => applicant_step(&s, &client, &f, CaseAction::Withdraw, Vec::new()).await,
        Err(e) => Err(e),
    };
    applicant_result(&s, &client, &v, &uri, &f, result, "track.withdrawn").await
}

/// 好差评 after conclusion.
pub async fn rate(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    v: Viewer,
    uri: Uri,
    f: FormData,
) -> Result<Response, PageError> {
    let result = async {
        let rating = Rating::parse("rating", f.text("rating"))?;
        s.store
            .rate_case(
                f.text("tracking_no"),
                f.text("check_code"),
                &client,
                rating,
                f.text("comment"),
                s.today(),
            )
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    applicant_result(&s, &client, &v, &uri, &f, result, "track.rated").await
}

/// A step by the applicant, proven by the tracking number and check code the form carries.
async fn applicant_step(
    s: &AppState,
    client: &Client,
    f: &FormData,
    action: CaseAction,
    files: Vec<tongquan_store::cases::Attachment>,
) -> Result<(), AppError> {
    let step = CaseStep {
        action,
        reason: f.text("reason").to_owned(),
        materials: Vec::new(),
        files,
        lock_version: f.version()?,
    };
    s.store
        .applicant_act(
            f.text("tracking_no"),
            f.text("check_code"),
            client,
            step,
            s.today(),
        )
        .await?;
    Ok(())
}

async fn applicant_result(
    s: &AppState,
    client: &Client,
    v: &Viewer,
    uri: &Uri,
    f: &FormData,
    result: Result<(), AppError>,
    done: &'static str,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => track_page(s, client, v, uri, Some(f), Some(done), None).await,
        Err(e) if e.status().is_client_error() => {
            track_page(s, client, v, uri, Some(f), None, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}
