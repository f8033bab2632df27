//! The office's side of approval cases: the queue, a case with the steps open to it, the printable
//! notices, the files handed in, and the tasks cases leave behind.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tongquan_domain::case::{CaseAction, CaseState, Channel, Handover, TaskKind};
use tongquan_domain::catalog::Material;
use tongquan_store::cases::{Case, CaseFilter, CaseStep, CaseSummary, CaseTask, Notice};

use super::{Chrome, Pager, confirmed, render, render_page, saved};
use crate::AppState;
use crate::api::items::item_id;
use crate::error::{AppError, PageError};
use crate::extract::{FormData, Query};
use crate::params::{opt, paging};
use crate::session::Viewer;

/// Labels of the case vocabulary, for templates.
pub struct Words(pub crate::i18n::Lang);

impl Words {
    pub fn state(&self, slug: &str) -> String {
        self.0.kind::<CaseState>(slug)
    }

    pub fn action(&self, slug: &str) -> String {
        match slug {
            "submit" => return self.0.t("case.submitted").to_owned(),
            "pause" | "resume" | "extension_request" | "extension_approve" | "extension_refuse"
            | "calendar" | "transfer" => {
                return self.0.t(&format!("clock.{slug}")).to_owned();
            }
            _ => {}
        }
        match Handover::parse("", slug) {
            Ok(h) => self.0.pick(&h.label()).to_owned(),
            Err(_) => self.0.kind::<CaseAction>(slug),
        }
    }

    pub fn channel(&self, slug: &str) -> String {
        self.0.kind::<Channel>(slug)
    }

    pub fn task(&self, slug: &str) -> String {
        self.0.kind::<TaskKind>(slug)
    }

    /// The queue's colour for working days left: amber at two or fewer, red once overdue.
    pub fn due_class(&self, remaining: &Option<i64>) -> &'static str {
        match remaining {
            Some(r) if *r < 0 => "due-red",
            Some(r) if *r <= 2 => "due-amber",
            _ => "",
        }
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    state: Option<String>,
    open: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct QueuePage {
    c: Chrome,
    w: Words,
    cases: Vec<CaseSummary>,
    pager: Pager,
    state: String,
    open: bool,
}

pub async fn queue(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let open = q.open.as_deref() != Some("false");
    let filter = CaseFilter {
        office: None,
        state: opt("state", &q.state, CaseState::parse)?,
        open,
    };
    let cases = s
        .store
        .cases(&v.actor, &filter, paging(&q.page, &q.per_page)?, s.today())
        .await?;
    let state = q.state.unwrap_or_default();
    render(&QueuePage {
        c: Chrome::new(&v, &uri, "cases"),
        w: Words(v.lang),
        pager: Pager::new(
            &cases,
            "/cases",
            &[("state", state.clone()), ("open", open.to_string())],
        ),
        cases: cases.items,
        state,
        open,
    })
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Chrome,
    w: Words,
    case: Case,
    office: String,
    /// The item's list of materials in the version applied for.
    listed: Vec<Material>,
    saved: bool,
    error: Option<AppError>,
}

impl CasePage {
    fn needs_reason(&self, action: &str) -> bool {
        CaseAction::parse("", action).is_ok_and(CaseAction::needs_reason)
    }

    /// The clock can be changed while the case is accepted or under review.
    fn clock_runs(&self) -> bool {
        matches!(
            self.case.summary.state.as_str(),
            "accepted" | "under_review"
        )
    }

    fn is_bureau(&self) -> bool {
        self.c
            .user
            .as_ref()
            .is_some_and(|u| u.1 == tongquan_domain::access::Role::CountyBureau)
    }

    fn paused(&self) -> bool {
        self.case.pauses.iter().any(|p| p.until_day.is_none())
    }

    /// An extension waits for the bureau: asked for and not yet decided.
    fn extension_pending(&self) -> bool {
        let last = self
            .case
            .events
            .iter()
            .rev()
            .find(|e| e.action.starts_with("extension_"));
        last.is_some_and(|e| e.action == "extension_request")
    }

    fn is_irreversible(&self, action: &str) -> bool {
        CaseAction::parse("", action).is_ok_and(CaseAction::is_irreversible)
    }

    fn has_notice(&self, action: &str) -> bool {
        CaseAction::parse("", action).is_ok_and(|a| a.notice().is_some())
    }

    /// Kilometres the applicant did not travel to the county hall.
    fn km_saved(&self) -> Option<f64> {
        Some((self.case.km_to_hall? - self.case.km_to_office?).max(0.0))
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn case_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    saved: bool,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let case = s.store.case(&v.actor, id, s.today()).await?;
    let listed = s.store.applied_version(&case).await?.content.materials;
    let page = CasePage {
        c: Chrome::new(v, uri, "cases"),
        w: Words(v.lang),
        office: office_name(s, &case.summary.office_code).await?,
        case,
        listed,
        saved,
        error,
    };
    render_page(&page, &page.error)
}

pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    case_page(&s, &v, &uri, id, q.saved.is_some(), None).await
}

/// A step from the case page; what the office must name is in the form: the reason, and for a
/// supplement the materials ticked (`m_N` for the item's N-th material).
pub async fn act(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    let step = async {
        // The hand-offs of a cross-window case are offered among the steps.
        if let Ok(handover) = Handover::parse("action", form.text("action")) {
            s.store
                .hand_off(&v.actor, id, handover, form.version()?, s.today())
                .await?;
            return Ok(());
        }
        let case = s.store.case(&v.actor, id, s.today()).await?;
        let materials = s
            .store
            .applied_version(&case)
            .await?
            .content
            .materials
            .into_iter()
            .enumerate()
            .filter(|(i, _)| form.checked(&format!("m_{i}")))
            .map(|(_, m)| m.name)
            .collect();
        let action = CaseAction::parse("action", form.text("action"))?;
        if action.is_irreversible() {
            confirmed(&form)?;
        }
        let step = CaseStep {
            action,
            reason: form.text("reason").to_owned(),
            materials,
            files: Vec::new(),
            lock_version: form.version()?,
        };
        s.store.act_on_case(&v.actor, id, step, s.today()).await?;
        Ok::<_, AppError>(())
    }
    .await;
    after_change(&s, &v, &uri, id, step).await
}

/// After a form on the case page: back to the case, or the case page again with why it was refused.
async fn after_change<T>(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(saved(&format!("/cases/{id}"))),
        Err(e) if e.status().is_client_error() && e.code() != "not_found" => {
            case_page(s, v, uri, id, false, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A change to the clock from the case page's forms (`op` names it, as in the API).
pub async fn clock(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    use crate::api::cases::ClockChange;
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    let result = async {
        let change = match form.text("op") {
            "pause" => ClockChange::Pause {
                reason: form.text("reason").to_owned(),
                note: form.text("note").to_owned(),
                lock_version: form.version()?,
            },
            "resume" => ClockChange::Resume {
                lock_version: form.version()?,
            },
            "extend" => ClockChange::Extend {
                days: crate::extract::parse_int("days", form.text("days"))?,
                reason: form.text("note").to_owned(),
                lock_version: form.version()?,
            },
            op => ClockChange::Decide {
                approve: op == "approve",
            },
        };
        change.apply(&s, &v.actor, id).await
    }
    .await;
    after_change(&s, &v, &uri, id, result).await
}

#[derive(Template)]
#[template(path = "check_code.html")]
struct CheckCodePage {
    c: Chrome,
    case_id: i64,
    tracking_no: String,
    check_code: String,
}

/// A new check code for the applicant, shown once on a slip to print or read out.
pub async fn reissue_code(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    let result = async {
        confirmed(&form)?;
        Ok::<_, AppError>(s.store.reissue_check_code(&v.actor, id, s.today()).await?)
    }
    .await;
    match result {
        Ok((tracking_no, check_code)) => render(&CheckCodePage {
            c: Chrome::new(&v, &uri, "cases"),
            case_id: id,
            tracking_no,
            check_code,
        }),
        Err(e) => after_change(&s, &v, &uri, id, Err::<(), _>(e)).await,
    }
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    case: Case,
    notice: Notice,
    /// The issuing office's name.
    office: String,
}

impl NoticePage {
    fn event(&self) -> &tongquan_store::cases::CaseEvent {
        &self.case.events[self.notice.event]
    }

    fn is(&self, action: &str) -> bool {
        self.notice.action == action
    }

    /// 通知书 or 决定书, as the notice calls itself.
    fn document(&self) -> &'static str {
        if self.notice.title.ends_with("通知书") {
            "通知书"
        } else {
            "决定书"
        }
    }

    fn states_remedies(&self) -> bool {
        CaseAction::parse("action", &self.notice.action).is_ok_and(CaseAction::states_remedies)
    }

    fn reconsideration_days(&self) -> u32 {
        tongquan_domain::case::RECONSIDERATION_DAYS
    }

    fn litigation_months(&self) -> u32 {
        tongquan_domain::case::LITIGATION_MONTHS
    }

    /// The day of the grant a revocation undoes.
    fn granted_on(&self) -> Option<&str> {
        self.case.events[..self.notice.event]
            .iter()
            .rev()
            .find(|e| e.action == CaseAction::Grant.slug())
            .map(|e| e.on_day.as_str())
    }
}

/// The notice or decision an event issued, as a printable A4 page (受理通知书, 补正材料通知书…).
pub async fn notice(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    let case = s.store.case(&v.actor, id, s.today()).await?;
    notice_page(&s, case, &n).await
}

/// The printable notice the `n`-th step of `case` issued, the same for staff and for the applicant;
/// `case` is one the caller has proven they may see.
pub async fn notice_page(s: &AppState, case: Case, n: &str) -> Result<Response, PageError> {
    let n = crate::extract::parse_int("n", n)?;
    let n = usize::try_from(n)
        .map_err(|_| AppError::from(tongquan_store::StoreError::not_found("notice", n)))?;
    let notice = s.store.notice(&case, n).await?;
    render(&NoticePage {
        office: office_name(s, &notice.office_code).await?,
        notice,
        case,
    })
}

/// A file handed in, as what its content proved it to be, to save rather than to open in place.
pub async fn file(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, hash)): Path<(String, String)>,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    let (file, bytes) = s.store.case_file(&v.actor, id, &hash, s.today()).await?;
    Ok(file_response(&file, bytes))
}

/// An office's name, by its code as stored on a case.
pub async fn office_name(s: &AppState, code: &str) -> Result<String, AppError> {
    let code = tongquan_domain::codes::OfficeCode::parse("office", code)?;
    Ok(s.store.office(&code).await?.name)
}

pub fn file_response(file: &tongquan_store::cases::CaseFile, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, file.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"; filename*=UTF-8''{}",
                    file.hash,
                    super::urlencode(&file.file_name)
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize, Default)]
pub struct TaskQuery {
    kind: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    c: Chrome,
    w: Words,
    tasks: Vec<CaseTask>,
    pager: Pager,
    kind: String,
    saved: bool,
    error: Option<AppError>,
}

/// Open follow-ups of bad ratings and verifications of commitments, earliest due first.
pub async fn tasks(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<TaskQuery>,
) -> Result<Response, PageError> {
    tasks_page(&s, &v, &uri, q, None).await
}

async fn tasks_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    q: TaskQuery,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    v.staff()?;
    let kind = opt("kind", &q.kind, TaskKind::parse)?;
    let tasks = s
        .store
        .tasks(&v.actor, kind, paging(&q.page, &q.per_page)?)
        .await?;
    let kind = q.kind.unwrap_or_default();
    let page = TasksPage {
        c: Chrome::new(v, uri, "cases"),
        w: Words(v.lang),
        pager: Pager::new(&tasks, "/cases/tasks", &[("kind", kind.clone())]),
        tasks: tasks.items,
        kind,
        saved: q.saved.is_some(),
        error,
    };
    render_page(&page, &page.error)
}

/// Closes a task from the task list; a false commitment revokes and flags.
pub async fn close_task(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = item_id(&id).map_err(|e| e.0)?;
    let result = async {
        let (outcome, method) = crate::api::cases::TaskClose {
            outcome: form.text("outcome").to_owned(),
            method: Some(form.text("method").to_owned()).filter(|m| !m.is_empty()),
            note: String::new(),
        }
        .parse()
        .map_err(|e| e.0)?;
        s.store
            .close_task(&v.actor, id, outcome, method, form.text("note"), s.today())
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(saved("/cases/tasks")),
        Err(e) if e.status().is_client_error() => {
            tasks_page(&s, &v, &uri, TaskQuery::default(), Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}
