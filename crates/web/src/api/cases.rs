//! Approval cases: apply (online or at a window), the office's queue and steps, and the
//! applicant's tracking by number and check code.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use tongquan_domain::case::{
    CaseAction, CaseState, Handover, TaskKind, TaskOutcome, VerificationMethod,
};
use tongquan_domain::codes::OfficeCode;
use tongquan_store::Page;
use tongquan_store::cases::{Case, CaseFilter, CaseStep, CaseSummary, CaseTask, NewCase, Receipt};
use utoipa::{IntoParams, ToSchema};

use super::ApiResult;
use super::items::item_id;
use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ClientAddr, Query, idempotency_header, once_key};
use crate::params::{opt, paging};
use crate::session::Viewer;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub item_id: i64,
    /// The applicant's town (9 digits): it decides the competent office.
    pub town: String,
    /// person or enterprise.
    pub applicant_kind: String,
    /// An 18-character resident ID number or unified social credit code.
    pub applicant_id: String,
    pub applicant_name: String,
    pub contact: String,
    /// online (the applicant), or window, cross_window or assisted (staff).
    pub channel: String,
    /// The materials handed in, by their names on the item's list.
    #[serde(default)]
    pub materials: Vec<String>,
    /// 告知承诺: decide at once on the applicant's written commitment (where the item allows it
    /// and the applicant has no credit flag); a verification is scheduled.
    #[serde(default)]
    pub commitment: bool,
}

/// Applies for an item. Online applications need no account; the receipt's check code is shown
/// once and, with the tracking number, opens the case to its applicant.
///
/// With an `Idempotency-Key` header, a repeat of the same application under the same key (a retry
/// after a lost answer) returns the first receipt instead of a second case; the same key with a
/// different application is refused (422 `idempotency_key_reused`).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = Application,
    params(("Idempotency-Key" = Option<String>, Header, description = "8 to 128 visible ASCII characters, e.g. a UUID")),
    responses((status = 201, body = Receipt), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(a): ApiJson<Application>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let mut new = NewCase::parse(
        a.item_id,
        &a.town,
        &a.applicant_kind,
        &a.applicant_id,
        &a.applicant_name,
        &a.contact,
        &a.channel,
        a.materials,
    )?;
    new.commitment = a.commitment;
    let once = once_key(
        idempotency_header(&headers),
        &v,
        &client,
        &new.fingerprint(),
    )?;
    let receipt = s
        .store
        .submit_case_once(&v.actor, new, s.today(), once.as_ref())
        .await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// The competent office, e.g. 371481B01.
    pub office: Option<String>,
    /// A case state, e.g. submitted.
    pub state: Option<String>,
    /// true: only cases not yet closed.
    pub open: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// The queue of cases within the caller's reach, most urgent first, with working days left.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseQuery),
    responses((status = 200, body = Page<CaseSummary>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<CaseQuery>,
) -> ApiResult<Page<CaseSummary>> {
    v.staff()?;
    let filter = CaseFilter {
        office: opt("office", &q.office, OfficeCode::parse)?,
        state: opt("state", &q.state, CaseState::parse)?,
        open: q.open.as_deref() == Some("true"),
    };
    let page = paging(&q.page, &q.per_page)?;
    Ok(Json(
        s.store.cases(&v.actor, &filter, page, s.today()).await?,
    ))
}

/// A case with its events, pauses and the explanation of its due date.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 200, body = Case), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn show(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> ApiResult<Case> {
    v.staff()?;
    Ok(Json(
        s.store.case(&v.actor, item_id(&id)?, s.today()).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// accept, reject, request_supplement, review, grant, deny, conclude; for the applicant:
    /// supply or withdraw.
    pub action: String,
    /// Required to reject, deny or request a supplement.
    #[serde(default)]
    pub reason: String,
    /// A supplement request lists every missing material; a supply lists what is handed in.
    #[serde(default)]
    pub materials: Vec<String>,
    /// The case's lock_version as read.
    pub lock_version: i64,
    /// The applicant's check code (tracking steps only).
    #[serde(default)]
    pub check_code: String,
}

impl Step {
    fn parse(self) -> Result<CaseStep, ApiError> {
        Ok(CaseStep {
            action: CaseAction::parse("action", &self.action)?,
            reason: self.reason,
            materials: self.materials,
            files: Vec::new(),
            lock_version: self.lock_version,
        })
    }
}

/// A step by the competent office. Refused when the state does not allow it (409), when the
/// office does not hold the power (403), or when the case changed since it was read (409).
#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "cases",
    params(("id" = i64, Path, description = "Case id")), request_body = Step,
    responses((status = 200, body = Case), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn act(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(step): ApiJson<Step>,
) -> ApiResult<Case> {
    v.staff()?;
    let id = item_id(&id)?;
    Ok(Json(
        s.store
            .act_on_case(&v.actor, id, step.parse()?, s.today())
            .await?,
    ))
}

/// A new check code, shown once: the only copy is the one given to the applicant.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckCode {
    pub tracking_no: String,
    pub check_code: String,
}

/// A window issues the applicant a new check code, when the old one is lost or wrong guesses have
/// closed the number: the old code stops working and the failed attempts are forgotten.
#[utoipa::path(post, path = "/api/v1/cases/{id}/check-code", tag = "cases",
    params(("id" = i64, Path, description = "Case id")),
    responses((status = 201, body = CheckCode), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn reissue_code(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<CheckCode>), ApiError> {
    v.staff()?;
    let id = item_id(&id)?;
    let (tracking_no, check_code) = s.store.reissue_check_code(&v.actor, id, s.today()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CheckCode {
            tracking_no,
            check_code,
        }),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    /// The check code from the receipt.
    pub code: Option<String>,
}

/// Progress of a case for its applicant, without an account.
#[utoipa::path(get, path = "/api/v1/track/{tracking_no}", tag = "cases",
    params(("tracking_no" = String, Path, description = "Tracking number"), TrackQuery),
    responses((status = 200, body = Case), (status = 404, body = Problem)))]
pub async fn track(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(no): Path<String>,
    Query(q): Query<TrackQuery>,
) -> ApiResult<Case> {
    let code = q.code.unwrap_or_default();
    Ok(Json(
        s.store.track_case(&no, &code, &client, s.today()).await?,
    ))
}

/// A step by the applicant: supply the missing materials, or withdraw.
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}/steps", tag = "cases",
    params(("tracking_no" = String, Path, description = "Tracking number")), request_body = Step,
    responses((status = 200, body = Case), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn applicant_step(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(no): Path<String>,
    ApiJson(step): ApiJson<Step>,
) -> ApiResult<Case> {
    let code = step.check_code.clone();
    Ok(Json(
        s.store
            .applicant_act(&no, &code, &client, step.parse()?, s.today())
            .await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// bad_rating or verification.
    pub kind: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// Open tasks of the caller's offices (bad-rating follow-ups, commitment verifications), earliest due first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "cases", params(TaskQuery),
    responses((status = 200, body = Page<CaseTask>), (status = 400, body = Problem), (status = 401, body = Problem)),
    security(("bearer" = [])))]
pub async fn tasks(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<TaskQuery>,
) -> ApiResult<Page<CaseTask>> {
    v.staff()?;
    let kind = opt("kind", &q.kind, TaskKind::parse)?;
    Ok(Json(
        s.store
            .tasks(&v.actor, kind, paging(&q.page, &q.per_page)?)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskClose {
    /// followed_up (a bad rating), confirmed or false (a commitment).
    pub outcome: String,
    /// How a commitment was checked: on_site, online or written.
    #[serde(default)]
    pub method: Option<String>,
    /// Required when a commitment proved false.
    #[serde(default)]
    pub note: String,
}

impl TaskClose {
    pub fn parse(&self) -> Result<(TaskOutcome, Option<VerificationMethod>), ApiError> {
        Ok((
            TaskOutcome::parse("outcome", &self.outcome)?,
            opt("method", &self.method, VerificationMethod::parse)?,
        ))
    }
}

/// Closes a task. A commitment found false revokes the decision and flags the applicant.
#[utoipa::path(post, path = "/api/v1/tasks/{id}", tag = "cases",
    params(("id" = i64, Path, description = "Task id")), request_body = TaskClose,
    responses((status = 200, body = CaseTask), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn close_task(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(c): ApiJson<TaskClose>,
) -> ApiResult<CaseTask> {
    v.staff()?;
    let (outcome, method) = c.parse()?;
    Ok(Json(
        s.store
            .close_task(&v.actor, item_id(&id)?, outcome, method, &c.note, s.today())
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandOff {
    /// hand_over (the intake window, to the competent office) or return (the competent office,
    /// the result back to the intake window).
    pub op: String,
    pub lock_version: i64,
}

/// A hand-off of a cross-window case (跨域通办) by the window whose turn it is.
#[utoipa::path(post, path = "/api/v1/cases/{id}/handover", tag = "cases",
    params(("id" = i64, Path, description = "Case id")), request_body = HandOff,
    responses((status = 200, body = Case), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn hand_off(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(h): ApiJson<HandOff>,
) -> ApiResult<Case> {
    v.staff()?;
    let step = Handover::parse("op", &h.op)?;
    Ok(Json(
        s.store
            .hand_off(&v.actor, item_id(&id)?, step, h.lock_version, s.today())
            .await?,
    ))
}

/// A change to a case's clock: stop it for a period the law excludes, start it again, ask for an
/// extension (the office), or decide one (the county bureau).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClockChange {
    /// reason: hearing, expert_review, public_notice or inspection.
    Pause {
        reason: String,
        note: String,
        lock_version: i64,
    },
    Resume {
        lock_version: i64,
    },
    Extend {
        days: i64,
        reason: String,
        lock_version: i64,
    },
    Decide {
        approve: bool,
    },
}

impl ClockChange {
    /// Applies the change for the actor; shared by the API and the case page.
    pub async fn apply(
        self,
        s: &AppState,
        actor: &tongquan_domain::access::Actor,
        id: i64,
    ) -> Result<Case, crate::error::AppError> {
        let today = s.today();
        Ok(match self {
            Self::Pause {
                reason,
                note,
                lock_version,
            } => {
                let reason = tongquan_domain::calendar::PauseReason::parse("reason", &reason)?;
                s.store
                    .pause_case(actor, id, reason, &note, lock_version, today)
                    .await?
            }
            Self::Resume { lock_version } => {
                s.store.resume_case(actor, id, lock_version, today).await?
            }
            Self::Extend {
                days,
                reason,
                lock_version,
            } => {
                s.store
                    .request_extension(actor, id, days, &reason, lock_version, today)
                    .await?
            }
            Self::Decide { approve } => s.store.decide_extension(actor, id, approve, today).await?,
        })
    }
}

/// Changes a case's clock; each change recomputes the due dates and explains them.
#[utoipa::path(post, path = "/api/v1/cases/{id}/clock", tag = "cases",
    params(("id" = i64, Path, description = "Case id")), request_body = ClockChange,
    responses((status = 200, body = Case), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
pub async fn clock(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<ClockChange>,
) -> ApiResult<Case> {
    v.staff()?;
    let id = item_id(&id)?;
    Ok(Json(change.apply(&s, &v.actor, id).await?))
}
