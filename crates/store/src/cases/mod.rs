//! Approval cases (办件): submission routed by the catalog, transitions by the domain's table,
//! due dates by the calendar, every step audited.

use chrono::NaiveDate;
use rand::RngExt;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tongquan_domain::access::{Action, Actor, Jurisdiction, ResourceKind, Role, Scope, reach};
use tongquan_domain::applicant::{ApplicantId, ApplicantKind};
use tongquan_domain::calendar::{Calendar, Extension, Pause, PauseReason};
use tongquan_domain::case::{
    CaseAction, CaseState, Channel, FOLLOW_UP_DAYS, Handover, HandoverState, Party, Rating,
    TaskKind, TaskOutcome, VERIFICATION_DAYS, VerificationMethod, Window, check_four_eyes,
    check_materials, missing_materials, step,
};
use tongquan_domain::catalog::{Requirement, ServiceKind, parse_date};
use tongquan_domain::codes::{OfficeCode, TownCode};
use tongquan_domain::geo::distance_km;
use tongquan_domain::limits::{self, Intake, check_clock_running, on_time};
use tongquan_domain::upload::Upload;
use tongquan_domain::{DomainError, Message, text};

mod clock;
mod handover;
mod notices;
mod transfer;

pub(crate) use notices::number_unnumbered;
pub use notices::{Licence, Notice};

use crate::db::Sql;
use crate::once::Once;
use crate::scope::{ScopeColumns, push_reach};
use crate::throttle::{Client, Secret};
use crate::write::ensure_may_manage;
use crate::{Page, PageRequest, Result, Store, StoreError};

/// What a tracking number and check code open: one case, or a bundle with its cases.
#[derive(Debug)]
pub enum Tracked {
    Case(Box<Case>),
    Bundle(Box<crate::bundles::Bundle>),
}

/// An application as the form or API gives it, checked.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub item_id: i64,
    pub town: TownCode,
    pub applicant: ApplicantId,
    pub applicant_name: String,
    pub contact: String,
    pub channel: Channel,
    /// Names of the materials handed in on paper, as the item's list names them.
    pub materials: Vec<String>,
    /// Files uploaded for materials; each counts as that material handed in.
    pub files: Vec<Attachment>,
    /// 告知承诺: decided at once on the applicant's written commitment, checked afterwards.
    pub commitment: bool,
}

/// A checked upload for one material of the item's list.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub material: String,
    pub upload: Upload,
}

/// Uploaded files as a request's fingerprint sees them: material and digest.
pub(crate) fn files_fingerprint(files: &[Attachment]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|f| {
            (
                f.material.clone(),
                hex::encode(Sha256::digest(&f.upload.bytes)),
            )
        })
        .collect()
}

/// Names of the materials handed in: on paper or as a file, each once.
pub(crate) fn handed_in(materials: &[String], files: &[Attachment]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for m in materials
        .iter()
        .map(|m| m.trim())
        .chain(files.iter().map(|f| f.material.trim()))
    {
        if !m.is_empty() && !all.iter().any(|x| x == m) {
            all.push(m.to_owned());
        }
    }
    all
}

impl NewCase {
    /// What the application asks for, for telling a repeat from a different request under one
    /// idempotency key: files by their digest.
    pub fn fingerprint(&self) -> serde_json::Value {
        json!({
            "item": self.item_id, "town": self.town.as_str(), "applicant": self.applicant.as_str(),
            "name": self.applicant_name, "contact": self.contact, "channel": self.channel.slug(),
            "materials": self.materials, "commitment": self.commitment,
            "files": files_fingerprint(&self.files),
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        item_id: i64,
        town: &str,
        applicant_kind: &str,
        applicant_id: &str,
        applicant_name: &str,
        contact: &str,
        channel: &str,
        materials: Vec<String>,
    ) -> Result<Self, DomainError> {
        let kind = ApplicantKind::parse("applicant_kind", applicant_kind)?;
        Ok(Self {
            item_id,
            town: TownCode::parse("town", town)?,
            applicant: ApplicantId::parse("applicant_id", kind, applicant_id)?,
            applicant_name: text::bounded("applicant_name", applicant_name, 100)?,
            contact: text::contact_phone("contact", contact)?,
            channel: Channel::parse("channel", channel)?,
            materials: materials.into_iter().map(|m| m.trim().to_owned()).collect(),
            files: Vec::new(),
            commitment: false,
        })
    }
}

/// One step an office or the applicant takes on a case.
#[derive(Debug, Clone)]
pub struct CaseStep {
    pub action: CaseAction,
    pub reason: String,
    /// For a supplement request: every missing material, named once (一次性告知). For a supply:
    /// the materials handed in.
    pub materials: Vec<String>,
    /// Files uploaded with the step (a supply); each counts as its material handed in.
    pub files: Vec<Attachment>,
    /// The version the client saw; a step on a case changed since is refused.
    pub lock_version: i64,
}

/// A file handed in for a case, without its content.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct CaseFile {
    pub material: String,
    pub file_name: String,
    /// sha256 of the content, which is also how it is fetched.
    pub hash: String,
    pub media_type: String,
    pub size: i64,
}

/// Work a case leaves behind with a deadline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct CaseTask {
    pub id: i64,
    pub case_id: i64,
    /// bad_rating (follow up a 差评) or verification (check a commitment).
    pub kind: String,
    pub office_code: String,
    pub method: Option<String>,
    pub due: String,
    pub done_on: Option<String>,
    pub outcome: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseEvent {
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub office_code: Option<String>,
    pub on_day: String,
    pub reason: String,
    pub materials: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    action: String,
    from_state: Option<String>,
    to_state: String,
    actor: String,
    office_code: Option<String>,
    on_day: String,
    reason: String,
    /// The materials named, as a JSON list.
    missing: String,
}

impl From<EventRow> for CaseEvent {
    fn from(r: EventRow) -> Self {
        Self {
            action: r.action,
            from_state: r.from_state,
            to_state: r.to_state,
            actor: r.actor,
            office_code: r.office_code,
            on_day: r.on_day,
            reason: r.reason,
            materials: serde_json::from_str(&r.missing).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CasePause {
    pub reason: String,
    pub from_day: String,
    pub until_day: Option<String>,
}

/// A case as its queue row shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct CaseSummary {
    pub id: i64,
    pub tracking_no: String,
    pub item_id: i64,
    pub item_name: String,
    pub town_code: String,
    pub office_code: String,
    pub channel: String,
    pub applicant_name: String,
    pub state: String,
    pub submitted_on: String,
    pub statutory_due: Option<String>,
    pub promised_due: Option<String>,
    pub concluded_on: Option<String>,
    /// The last day to accept, refuse or ask for the supplement (受理期限).
    pub answer_by: Option<String>,
    pub accepted_on: Option<String>,
    pub decided_on: Option<String>,
    /// Whether the decision met the statutory and the promised due date.
    pub on_time_statutory: Option<i64>,
    pub on_time_promised: Option<i64>,
    /// Not answered within the answer period: accepted by law on receipt (视为受理).
    #[sqlx(skip)]
    pub deemed_accepted: bool,
    /// Working days left to the promised (else statutory) due date as of today; negative when
    /// overdue; absent while the clock is stopped, once concluded, or without a time limit.
    #[sqlx(skip)]
    pub remaining: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Case {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub item_version: i64,
    pub county_code: String,
    pub intake_office_code: Option<String>,
    /// The delegation document that gave the office the power; absent for the county's own.
    pub doc_number: Option<String>,
    pub assisted_by: Option<String>,
    /// Decided on the applicant's written commitment (告知承诺).
    pub commitment: bool,
    pub applicant_kind: String,
    /// Masked except for staff who reach the case.
    pub applicant_id: String,
    pub contact: String,
    pub materials: Vec<String>,
    pub statutory_days: Option<i64>,
    pub promised_days: Option<i64>,
    pub km_to_office: Option<f64>,
    pub km_to_hall: Option<f64>,
    pub lock_version: i64,
    /// How the statutory due date was computed.
    pub due_explanation: Vec<Message>,
    /// While open: years the due dates run through whose official arrangement is not yet
    /// published, so the dates are provisional (暂定).
    pub provisional: Vec<i32>,
    pub pauses: Vec<CasePause>,
    pub events: Vec<CaseEvent>,
    pub files: Vec<CaseFile>,
    /// 好差评, 1–5, once the case is concluded and the applicant has rated it.
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub tasks: Vec<CaseTask>,
    /// The bundle (一件事) this case is a sub-case of.
    pub bundle_id: Option<i64>,
    /// A cross-window case: when the intake window handed it over, and when the result went back.
    pub handed_over_on: Option<String>,
    pub returned_on: Option<String>,
    /// What the viewer may do next.
    pub actions: Vec<String>,
}

impl Case {
    pub fn state(&self) -> CaseState {
        CaseState::parse("state", &self.summary.state).expect("stored states were checked")
    }

    fn handover_state(&self) -> Result<HandoverState> {
        Ok(HandoverState {
            channel: Channel::parse("channel", &self.summary.channel)?,
            state: self.state(),
            handed_over: self.handed_over_on.is_some(),
            returned: self.returned_on.is_some(),
        })
    }

    /// Why the clock is stopped by the office (a hearing, an expert review…), if it is.
    fn stopped_for(&self) -> Result<Option<PauseReason>> {
        self.pauses
            .iter()
            .find(|p| p.until_day.is_none() && p.reason != PauseReason::Supplement.slug())
            .map(|p| PauseReason::parse("reason", &p.reason))
            .transpose()
            .map_err(Into::into)
    }

    fn scope(&self) -> Scope {
        case_scope(
            &self.county_code,
            &self.summary.town_code,
            &self.summary.office_code,
        )
    }
}

/// What a new case returns: the tracking number and, once only, the check code to query it with.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Receipt {
    pub id: i64,
    pub tracking_no: String,
    pub check_code: String,
    pub office_code: String,
    pub statutory_due: Option<String>,
    pub promised_due: Option<String>,
    /// Years the due dates were counted through whose official arrangement is not yet
    /// published: the dates are provisional (暂定) and may move by a few days.
    pub provisional: Vec<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub office: Option<OfficeCode>,
    pub state: Option<CaseState>,
    /// Only cases not yet closed.
    pub open: bool,
}

fn case_scope(county: &str, town: &str, office: &str) -> Scope {
    Scope {
        county: tongquan_domain::codes::CountyCode::parse("county", county).ok(),
        town: TownCode::parse("town", town).ok(),
        office: OfficeCode::parse("office", office).ok(),
        ..Scope::default()
    }
}

const CASE_COLUMNS: &str = "c.id, c.tracking_no, c.item_id, c.item_name, c.town_code, c.office_code, c.channel, \
     c.applicant_name, c.state, c.submitted_on, c.statutory_due, c.promised_due, c.concluded_on, \
     c.answer_by, c.accepted_on, c.decided_on, c.on_time_statutory, c.on_time_promised";

/// Cases whose clock may still run.
const OPEN: &str = "c.state NOT IN ('rejected', 'concluded', 'withdrawn', 'revoked')";

pub use crate::db::COUNT_CAP;

const SCOPE: ScopeColumns = ScopeColumns {
    county: Some("c.county_code"),
    town: Some("c.town_code"),
    office: Some("c.office_code"),
    department: None,
    account: None,
};

/// The office a staff member acts for: their own office, or a county bureau's county hall.
fn acting_office(actor: &Actor) -> Option<OfficeCode> {
    let staff = actor.staff()?;
    match (&staff.role, &staff.jurisdiction) {
        (Role::BranchClerk | Role::CentreClerk, Jurisdiction::Office(o)) => Some(o.clone()),
        (Role::CountyBureau, Jurisdiction::County(c)) => Some(OfficeCode::county_hall(c)),
        _ => None,
    }
}

pub(crate) fn check_hash(tracking_no: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{tracking_no}:{code}").as_bytes()))
}

fn no_power(office: &OfficeCode, competent: &str) -> StoreError {
    DomainError::rule(
        "no_power",
        format!("{office} 无此事项的办理权限（现由 {competent} 承办），不能作出决定"),
        format!("{office} does not hold the power for this item (it lies with {competent}) and cannot decide"),
    )
    .into()
}

/// A checked application, routed to its office, with its due dates: what a write inserts.
pub(crate) struct Prepared<'a> {
    new: &'a NewCase,
    county: String,
    item_version: i64,
    item_name: String,
    handed: Vec<String>,
    office: OfficeCode,
    doc_number: Option<String>,
    intake: Option<OfficeCode>,
    statutory_days: Option<u16>,
    promised_days: Option<u16>,
    statutory_due: Option<NaiveDate>,
    promised_due: Option<NaiveDate>,
    answer_by: NaiveDate,
    provisional: Vec<i32>,
    km_to_office: Option<f64>,
    km_to_hall: Option<f64>,
    /// A commitment approval: when and how it is verified.
    verify: Option<(NaiveDate, VerificationMethod)>,
}

pub(crate) fn new_check_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000))
}

impl Store {
    /// Takes an application in and routes it to the office the catalog names as competent for
    /// the applicant's town on `today`.
    pub async fn submit_case(
        &self,
        actor: &Actor,
        new: NewCase,
        today: NaiveDate,
    ) -> Result<Receipt> {
        self.submit_case_once(actor, new, today, None).await
    }

    /// [`Self::submit_case`], answered once per idempotency key: a repeat gets the first receipt.
    pub async fn submit_case_once(
        &self,
        actor: &Actor,
        new: NewCase,
        today: NaiveDate,
        once: Option<&Once>,
    ) -> Result<Receipt> {
        self.answered_once(once, async {
            let p = self.prepare_case(actor, &new, today).await?;
            let check_code = new_check_code();
            let mut w = self.write(actor).await?;
            let receipt = insert_case(&mut w, actor, &p, &check_code, None, today).await?;
            if let Some(o) = once {
                o.remember(w.conn(), self.clock().now(), &receipt).await?;
            }
            w.commit().await?;
            Ok(receipt)
        })
        .await
    }

    /// Every check an application must pass before anything is written, and its routing.
    pub(crate) async fn prepare_case<'a>(
        &self,
        actor: &Actor,
        new: &'a NewCase,
        today: NaiveDate,
    ) -> Result<Prepared<'a>> {
        let item = self
            .item(&Actor::System("cases"), new.item_id, Some(today))
            .await?;
        let version = item.current().ok_or_else(|| {
            DomainError::rule(
                "item_not_in_force",
                format!("事项在 {today} 不在有效期内，不能申请"),
                format!("the item is not in force on {today} and cannot be applied for"),
            )
        })?;
        let content = &version.content;
        if content.service != ServiceKind::Approval || content.item_type.is_enforcement() {
            return Err(DomainError::invalid(
                "item_id",
                "该事项不是可申请的审批事项",
                "the item is not an approval item one can apply for",
            )
            .into());
        }
        new.applicant.check_born_by("applicant_id", today)?;
        let handed = handed_in(&new.materials, &new.files);
        let listed: Vec<(&str, bool)> = content
            .materials
            .iter()
            .map(|m| {
                (
                    m.name.as_str(),
                    m.requirement == Requirement::Required.slug(),
                )
            })
            .collect();
        check_materials(&handed, &listed, ("事项", "item's"))?;
        if new.commitment {
            if !content.commitment_allowed {
                return Err(DomainError::invalid(
                    "commitment",
                    "该事项不适用告知承诺制",
                    "the item does not allow commitment approval",
                )
                .into());
            }
            if let Some(reason) = self.credit_flag(&new.applicant).await? {
                return Err(DomainError::rule(
                    "credit_flagged",
                    format!("申请人存在严重失信记录（{reason}），不适用告知承诺制，请按一般程序申请"),
                    format!("the applicant is flagged for serious credit problems ({reason}) and may not use commitment approval; apply the ordinary way"),
                )
                .into());
            }
        }
        let town = self.town(&new.town).await?;
        let competence = self.competence_of(&item, &town, today).await?;
        let office = match competence.kind {
            "office" => OfficeCode::parse("office", &competence.code)?,
            _ => {
                return Err(DomainError::invalid(
                    "item_id",
                    "该事项不由办事机构受理申请",
                    "the item is not applied for at an office",
                )
                .into());
            }
        };
        let intake = acting_office(actor);
        match (actor, new.channel, &intake) {
            (Actor::Anonymous, Channel::Online, _) => {}
            (Actor::Staff(_), Channel::Online, _) | (Actor::Anonymous, _, _) => {
                return Err(DomainError::invalid(
                    "channel",
                    "网上申请由申请人本人提交；窗口、跨域通办和帮办代办由工作人员受理",
                    "online applications come from the applicant; window, cross-window and assisted ones from staff",
                )
                .into());
            }
            (Actor::Staff(_), _, None) => {
                return Err(DomainError::forbidden(
                    "只有窗口工作人员可以代为提交申请",
                    "only window staff may take applications in",
                )
                .into());
            }
            (_, Channel::Window, Some(o)) if *o != office => {
                return Err(DomainError::invalid(
                    "channel",
                    format!("本窗口不是该事项的承办机构（{office}），请按跨域通办收件"),
                    format!("this window is not the competent office ({office}); take it in as a cross-window case"),
                )
                .into());
            }
            (_, Channel::CrossWindow, Some(o)) if *o == office => {
                return Err(DomainError::invalid(
                    "channel",
                    "本窗口就是承办机构，无需跨域通办",
                    "this window is the competent office; no cross-window handover is needed",
                )
                .into());
            }
            (_, Channel::CrossWindow, _) if !content.tongban_allowed => {
                return Err(DomainError::invalid(
                    "channel",
                    "该事项不支持跨域通办",
                    "the item may not be handled at any window",
                )
                .into());
            }
            _ => {}
        }
        let calendar = self.calendar().await?;
        let due = |days: Option<u16>| -> Result<Option<NaiveDate>> {
            Ok(match days {
                Some(d) => calendar.due(today, u32::from(d), &[], &[])?.date,
                None => None,
            })
        };
        let statutory_due = due(content.statutory_days)?;
        let promised_due = due(content.promised_days)?;
        let provisional = statutory_due
            .or(promised_due)
            .map(|d| calendar.provisional_years(today, d))
            .unwrap_or_default();
        let (_, lat, lon) = self.office_place(&office).await?;
        let km_to_office = match (town.position(), lat, lon) {
            (Some(t), Some(lat), Some(lon)) => {
                Some(distance_km(t, tongquan_domain::geo::LatLon { lat, lon }))
            }
            _ => None,
        };
        let verify = if new.commitment {
            let method = if content.max_visits == 0 {
                VerificationMethod::Online
            } else {
                VerificationMethod::OnSite
            };
            Some((calendar.add_working_days(today, VERIFICATION_DAYS)?, method))
        } else {
            None
        };
        Ok(Prepared {
            new,
            county: item.county_code.to_string(),
            item_version: version.number,
            item_name: content.name.clone(),
            handed,
            office,
            doc_number: competence.doc_number,
            intake,
            statutory_days: content.statutory_days,
            promised_days: content.promised_days,
            statutory_due,
            promised_due,
            answer_by: calendar.add_working_days(today, limits::ANSWER_DAYS)?,
            provisional,
            km_to_office,
            km_to_hall: town.hall_km,
            verify,
        })
    }

    /// A case as staff see it; not found outside the actor's reach.
    pub async fn case(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<Case> {
        let case = self.load_case(id, today).await?;
        let reachable = reach(actor, ResourceKind::Case, Action::Read).admits(&case.scope())
            || (acting_office(actor)
                .is_some_and(|o| case.intake_office_code.as_deref() == Some(o.as_str())));
        if !reachable {
            return Err(StoreError::not_found("case", id));
        }
        let h = case.handover_state()?;
        let office = acting_office(actor);
        let at = |code: &str| office.as_ref().is_some_and(|o| o.as_str() == code);
        let intake = case.intake_office_code.as_deref().is_some_and(at);
        let competent = at(&case.summary.office_code);
        let mut case = with_actions(case, Party::Office);
        // Steps are offered to the competent office only, and only once it has the case.
        if !competent || h.may_decide().is_err() {
            case.actions.clear();
        }
        for (step, window, here) in [
            (Handover::HandOver, Window::Intake, intake),
            (Handover::Return, Window::Competent, competent),
        ] {
            if here && h.check(step, window).is_ok() {
                case.actions.push(step.slug().to_owned());
            }
        }
        Ok(case)
    }

    /// A case as its applicant sees it, by tracking number and check code, without an account.
    /// A wrong code and an unknown number get the same answer.
    pub async fn track_case(
        &self,
        tracking_no: &str,
        check_code: &str,
        client: &Client,
        today: NaiveDate,
    ) -> Result<Case> {
        let id = self.case_by_code(tracking_no, check_code, client).await?;
        for_applicant(self.load_case(id, today).await?)
    }

    /// The case a tracking number and check code prove, counting the attempt (see
    /// [`crate::throttle`]): a wrong code and an unknown number count alike.
    async fn case_by_code(
        &self,
        tracking_no: &str,
        check_code: &str,
        client: &Client,
    ) -> Result<i64> {
        let proven = self.proven_case(tracking_no, check_code);
        self.guarded(
            Secret::CheckCode,
            tracking_no.trim(),
            client,
            "case",
            proven,
        )
        .await
    }

    /// The case a tracking number and check code prove, if they do; the caller counts the attempt.
    async fn proven_case(&self, tracking_no: &str, check_code: &str) -> Result<Option<i64>> {
        let tracking_no = tracking_no.trim();
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT id, check_hash FROM cases WHERE tracking_no = $1")
                .bind(tracking_no.to_owned())
                .fetch_optional(self.pool())
                .await?;
        Ok(row
            .filter(|(_, hash)| *hash == check_hash(tracking_no, check_code.trim()))
            .map(|(id, _)| id))
    }

    /// What a tracking number and check code prove, a case or a bundle, as one attempt.
    pub async fn track(
        &self,
        tracking_no: &str,
        check_code: &str,
        client: &Client,
        today: NaiveDate,
    ) -> Result<Tracked> {
        let found = async {
            Ok(match self.proven_case(tracking_no, check_code).await? {
                Some(id) => Some(Tracked::Case(Box::new(for_applicant(
                    self.load_case(id, today).await?,
                )?))),
                None => self
                    .proven_bundle(tracking_no, check_code, today)
                    .await?
                    .map(|b| Tracked::Bundle(Box::new(b))),
            })
        };
        self.guarded(Secret::CheckCode, tracking_no.trim(), client, "case", found)
            .await
    }

    async fn load_case(&self, id: i64, today: NaiveDate) -> Result<Case> {
        let mut sql = Sql::new("SELECT ");
        sql.push(CASE_COLUMNS).push(
            ", c.item_version, c.county_code, c.intake_office_code, c.doc_number, c.assisted_by,
               c.applicant_kind, c.applicant_id, c.contact, c.materials, c.statutory_days,
               c.promised_days, c.km_to_office, c.km_to_hall, c.commitment, c.rating, c.rating_comment,
               c.lock_version, c.bundle_id, c.handed_over_on, c.returned_on
             FROM cases c WHERE c.id = ",
        );
        sql.bind(id);
        let row = sql
            .query()
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found("case", id))?;
        use sqlx::{FromRow, Row};
        let mut summary = CaseSummary::from_row(&row)?;
        let events: Vec<CaseEvent> = sqlx::query_as::<_, EventRow>(
            "SELECT action, from_state, to_state, actor, office_code, on_day, reason, missing
             FROM case_events WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .map(CaseEvent::from)
        .collect();
        let pauses = read_pauses(self.pool(), id).await?;
        let files: Vec<CaseFile> = sqlx::query_as(
            "SELECT cf.material, cf.file_name, cf.file_hash AS hash, f.media_type, f.size
             FROM case_files cf JOIN files f ON f.hash = cf.file_hash WHERE cf.case_id = $1 ORDER BY cf.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let tasks: Vec<CaseTask> = sqlx::query_as(
            "SELECT id, case_id, kind, office_code, method, due, done_on, outcome, note
             FROM case_tasks WHERE case_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let calendar = self.calendar().await?;
        let statutory_days: Option<i64> = row.try_get("statutory_days")?;
        let intake = intake_of(&summary.submitted_on, &events, None)?;
        let (due_explanation, mut provisional) = match statutory_days {
            Some(days) => {
                let extensions = clock::read_extensions(self.pool(), id).await?;
                match limits::case_due(
                    &calendar,
                    &intake,
                    today,
                    days as u32,
                    &pauses,
                    &extensions,
                )? {
                    Some(due) => (due.explanation, due.provisional),
                    None => (
                        vec![Message::new(
                            "等待申请人补正材料：补齐后重新计算受理期限，受理后开始计时",
                            "waiting for the applicant's supplement: the clock starts once the case is accepted",
                        )],
                        Vec::new(),
                    ),
                }
            }
            None => (
                vec![Message::new(
                    "该事项未规定法定办理时限",
                    "the item has no statutory time limit",
                )],
                Vec::new(),
            ),
        };
        if CaseState::parse("state", &summary.state)?.is_closed() {
            // A decided case keeps its dates; whether they were provisional no longer matters.
            provisional.clear();
        }
        remaining(&calendar, &mut summary, today)?;
        let materials: String = row.try_get("materials")?;
        Ok(Case {
            summary,
            item_version: row.try_get("item_version")?,
            county_code: row.try_get("county_code")?,
            intake_office_code: row.try_get("intake_office_code")?,
            doc_number: row.try_get("doc_number")?,
            assisted_by: row.try_get("assisted_by")?,
            commitment: row.try_get::<i64, _>("commitment")? != 0,
            applicant_kind: row.try_get("applicant_kind")?,
            applicant_id: row.try_get("applicant_id")?,
            contact: row.try_get("contact")?,
            materials: serde_json::from_str(&materials).unwrap_or_default(),
            statutory_days,
            promised_days: row.try_get("promised_days")?,
            km_to_office: row.try_get("km_to_office")?,
            km_to_hall: row.try_get("km_to_hall")?,
            lock_version: row.try_get("lock_version")?,
            due_explanation,
            provisional,
            pauses: pauses
                .iter()
                .map(|p| CasePause {
                    reason: p.reason.slug().into(),
                    from_day: p.from.to_string(),
                    until_day: p.until.map(|d| d.to_string()),
                })
                .collect(),
            events,
            files,
            rating: row.try_get("rating")?,
            rating_comment: row.try_get("rating_comment")?,
            tasks,
            bundle_id: row.try_get("bundle_id")?,
            handed_over_on: row.try_get("handed_over_on")?,
            returned_on: row.try_get("returned_on")?,
            actions: Vec::new(),
        })
    }

    /// The sub-cases of a bundle, in the template's order.
    pub(crate) async fn bundle_cases(
        &self,
        bundle: i64,
        today: NaiveDate,
    ) -> Result<Vec<CaseSummary>> {
        let mut sql = Sql::new(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE c.bundle_id = "
        ));
        sql.bind(bundle).push(" ORDER BY c.id");
        let mut items: Vec<CaseSummary> = sql.query_as().fetch_all(self.pool()).await?;
        let calendar = self.calendar().await?;
        for c in &mut items {
            remaining(&calendar, c, today)?;
        }
        Ok(items)
    }

    /// The queue: cases within the actor's reach, most urgent first.
    pub async fn cases(
        &self,
        actor: &Actor,
        filter: &CaseFilter,
        page: PageRequest,
        today: NaiveDate,
    ) -> Result<Page<CaseSummary>> {
        let reach = reach(actor, ResourceKind::Case, Action::Read);
        let filtered = |sql: &mut Sql| {
            sql.push(" WHERE ");
            push_reach(sql, &reach, &SCOPE);
            if let Some(o) = &filter.office {
                sql.push(" AND c.office_code = ").bind(o.to_string());
            }
            if let Some(s) = filter.state {
                sql.push(" AND c.state = ").bind(s.slug().to_owned());
            }
            if filter.open {
                // The same text as the partial indexes' predicate, so that they apply.
                sql.push(" AND ").push(OPEN);
            }
        };
        // Open cases most urgent first, those without a limit last (the expression the partial
        // indexes are built on); a history newest first.
        let order = if filter.open {
            "COALESCE(c.statutory_due, '9999-12-31'), c.id"
        } else {
            "c.submitted_on DESC, c.id DESC"
        };
        let (mut items, total): (Vec<CaseSummary>, i64) = self
            .page_capped(CASE_COLUMNS, "FROM cases c", order, filtered, page)
            .await?;
        let calendar = self.calendar().await?;
        for c in &mut items {
            remaining(&calendar, c, today)?;
        }
        Ok(Page::new(items, page, total))
    }

    /// A step by the office: the actor must act for the case's office, and that office must
    /// still hold the power for the item in the applicant's town today.
    pub async fn act_on_case(
        &self,
        actor: &Actor,
        id: i64,
        s: CaseStep,
        today: NaiveDate,
    ) -> Result<Case> {
        let (case, office) = self.office_case(actor, id, today).await?;
        self.apply_step(actor, case, Party::Office, Some(&office), s, today)
            .await
    }

    /// The version of the item the case was applied under: its materials and legal basis.
    pub async fn applied_version(&self, case: &Case) -> Result<crate::catalog::ItemVersion> {
        let item = self
            .item(&Actor::System("cases"), case.summary.item_id, None)
            .await?;
        item.version(case.item_version)
            .cloned()
            .ok_or_else(|| StoreError::not_found("item version", case.item_version))
    }

    /// A window issues the applicant a new check code, when the old one is lost or guessing has
    /// closed the number: the old code stops working and the number's failed attempts are
    /// forgotten. The code itself is not recorded anywhere but in its hash.
    pub async fn reissue_check_code(
        &self,
        actor: &Actor,
        id: i64,
        today: NaiveDate,
    ) -> Result<(String, String)> {
        let case = self.case(actor, id, today).await?;
        let (tracking_no, scope) = (case.summary.tracking_no.clone(), case.scope());
        ensure_may_manage(actor, ResourceKind::Case, &scope, "case", id)?;
        // A new code lets its holder act as the applicant: only the case's own window (the
        // competent office, or the intake window of a cross-window case) hands one out.
        let window = acting_office(actor);
        let office = OfficeCode::parse("office", &case.summary.office_code)?;
        let at_window = window.as_ref().is_some_and(|w| {
            *w == office || case.intake_office_code.as_deref() == Some(w.as_str())
        });
        if !at_window {
            return Err(no_power(
                window.as_ref().unwrap_or(&office),
                office.as_str(),
            ));
        }
        let code = new_check_code();
        let mut w = self.write(actor).await?;
        sqlx::query("UPDATE cases SET check_hash = $1 WHERE id = $2")
            .bind(check_hash(&tracking_no, &code))
            .bind(id)
            .execute(w.conn())
            .await?;
        crate::throttle::forget_attempts(w.conn(), Secret::CheckCode, &tracking_no).await?;
        w.audit(
            "case.check_code_reissued",
            "case",
            &tracking_no,
            &scope,
            json!({}),
        );
        w.commit().await?;
        Ok((tracking_no, code))
    }

    /// A case the actor may act on for its office: the actor acts for the case's office, and
    /// that office held the power for the item in the applicant's town on the day of receipt
    /// (or the case was transferred to it).
    async fn office_case(
        &self,
        actor: &Actor,
        id: i64,
        today: NaiveDate,
    ) -> Result<(Case, OfficeCode)> {
        // A case its office may no longer decide under its batch moves first.
        self.transfer_case(id, today).await?;
        let case = self.load_case(id, today).await?;
        ensure_may_manage(actor, ResourceKind::Case, &case.scope(), "case", id)?;
        let office = OfficeCode::parse("office", &case.summary.office_code)?;
        if acting_office(actor).as_ref() != Some(&office) {
            return Err(no_power(
                &acting_office(actor).unwrap_or_else(|| office.clone()),
                office.as_str(),
            ));
        }
        // Competence is judged on the day of receipt, never on today; a transferred case is its
        // new office's by the transfer.
        if !case.events.iter().any(|e| e.action == transfer::TRANSFER) {
            let town = TownCode::parse("town", &case.summary.town_code)?;
            let received = parse_date("submitted_on", &case.summary.submitted_on)?;
            let competence = self
                .competence(case.summary.item_id, &town, received)
                .await?;
            if competence.code != office.as_str() {
                return Err(no_power(&office, &competence.code));
            }
        }
        Ok((case, office))
    }

    /// The statutory and promised due dates under the case's pauses and approved extensions,
    /// as the write sees them. Extensions lengthen the statutory limit only.
    async fn dues(
        w: &mut crate::write::Write,
        calendar: &Calendar,
        case: &Case,
        step: Option<(CaseAction, NaiveDate)>,
    ) -> Result<(Option<String>, Option<String>)> {
        let intake = intake_of(&case.summary.submitted_on, &case.events, step)?;
        case_dues(
            w.conn(),
            calendar,
            case.summary.id,
            &intake,
            case.statutory_days,
            case.promised_days,
        )
        .await
    }

    /// A step by the applicant (supply materials, withdraw), proven by the check code.
    pub async fn applicant_act(
        &self,
        tracking_no: &str,
        check_code: &str,
        client: &Client,
        s: CaseStep,
        today: NaiveDate,
    ) -> Result<Case> {
        let id = self.case_by_code(tracking_no, check_code, client).await?;
        let case = self.load_case(id, today).await?;
        let case = self
            .apply_step(&Actor::Anonymous, case, Party::Applicant, None, s, today)
            .await?;
        for_applicant(case)
    }

    async fn apply_step(
        &self,
        actor: &Actor,
        case: Case,
        party: Party,
        office: Option<&OfficeCode>,
        s: CaseStep,
        today: NaiveDate,
    ) -> Result<Case> {
        let id = case.summary.id;
        if s.lock_version != case.lock_version {
            return Err(StoreError::Stale {
                kind: "case",
                id: case.summary.tracking_no.clone(),
                expected: s.lock_version,
            });
        }
        let from = case.state();
        let to = step(from, s.action, party)?;
        let calendar = self.calendar().await?;
        if party == Party::Office {
            case.handover_state()?.may_decide()?;
            if s.action.is_decision() && self.four_eyes(case.summary.item_id).await? {
                check_four_eyes(
                    s.action,
                    case.events
                        .iter()
                        .map(|e| (e.action.as_str(), e.actor.as_str())),
                    &actor.audit_name(),
                )?;
            }
            intake_of(&case.summary.submitted_on, &case.events, None)?
                .check(s.action, &calendar, today)?;
            check_clock_running(s.action, case.stopped_for()?)?;
        }
        if s.action == CaseAction::Revoke
            && !case
                .events
                .iter()
                .any(|e| e.action == CaseAction::Grant.slug())
        {
            return Err(DomainError::rule(
                "transition_not_allowed",
                "只有准予许可的决定可以撤销",
                "only a decision to grant can be revoked",
            )
            .into());
        }
        let reason = s.reason.trim().to_owned();
        if s.action.needs_reason() && reason.is_empty() {
            return Err(DomainError::Required {
                field: "reason".into(),
            }
            .into());
        }
        let listed: Vec<String> = self
            .applied_version(&case)
            .await?
            .content
            .materials
            .into_iter()
            .map(|m| m.name)
            .collect();
        let materials = handed_in(&s.materials, &s.files);
        if let Some(unknown) = materials.iter().find(|m| !listed.contains(m)) {
            return Err(DomainError::invalid(
                "materials",
                format!("事项材料清单中没有“{unknown}”"),
                format!("{unknown:?} is not on the item's list of materials"),
            )
            .into());
        }
        match s.action {
            CaseAction::RequestSupplement if materials.is_empty() => {
                return Err(DomainError::invalid(
                    "materials",
                    "补正通知须一次性列明全部需补正的材料",
                    "a supplement notice must list every missing material at once",
                )
                .into());
            }
            CaseAction::Supply => {
                let asked = case
                    .events
                    .iter()
                    .rev()
                    .find(|e| e.action == CaseAction::RequestSupplement.slug())
                    .map(|e| e.materials.clone())
                    .unwrap_or_default();
                let missing: Vec<&str> = asked
                    .iter()
                    .filter(|m| !materials.contains(m))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    return Err(missing_materials(&missing).into());
                }
            }
            _ => {}
        }
        let mut w = self.write(actor).await?;
        match s.action.pause() {
            Some((reason, true)) => {
                sqlx::query(
                    "INSERT INTO case_pauses (case_id, reason, from_day) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(reason.slug())
                .bind(today.to_string())
                .execute(w.conn())
                .await?;
            }
            Some((reason, false)) => {
                sqlx::query(
                    "UPDATE case_pauses SET until_day = $1 WHERE case_id = $2 AND reason = $3 AND until_day IS NULL",
                )
                .bind(today.to_string())
                .bind(id)
                .bind(reason.slug())
                .execute(w.conn())
                .await?;
            }
            None => {}
        }
        let (statutory_due, promised_due) =
            Self::dues(&mut w, &calendar, &case, Some((s.action, today))).await?;
        let concluded = match to {
            CaseState::Concluded | CaseState::Rejected | CaseState::Withdrawn => {
                Some(today.to_string())
            }
            _ => case.summary.concluded_on.clone(),
        };
        let mut update = Sql::new("UPDATE cases SET state = ");
        update
            .bind(to.slug().to_owned())
            .push(", statutory_due = ")
            .bind(statutory_due.clone())
            .push(", promised_due = ")
            .bind(promised_due.clone())
            .push(", concluded_on = ")
            .bind(concluded);
        match s.action {
            CaseAction::Accept => {
                update.push(", accepted_on = ").bind(today.to_string());
            }
            CaseAction::Supply => {
                let by = calendar.add_working_days(today, limits::ANSWER_DAYS)?;
                update.push(", answer_by = ").bind(by.to_string());
            }
            a if a.is_decision() => {
                let met = |due: &Option<String>| -> Result<Option<i64>> {
                    let due = due.as_deref().map(|d| parse_date("due", d)).transpose()?;
                    Ok(on_time(today, due).map(i64::from))
                };
                update
                    .push(", decided_on = ")
                    .bind(today.to_string())
                    .push(", on_time_statutory = ")
                    .bind(met(&statutory_due)?)
                    .push(", on_time_promised = ")
                    .bind(met(&promised_due)?);
            }
            _ => {}
        }
        update
            .push(", updated_at = ")
            .bind(w.at().to_owned())
            .push(", lock_version = lock_version + 1 WHERE id = ")
            .bind(id)
            .push(" AND lock_version = ")
            .bind(s.lock_version);
        let changed = update.query().execute(w.conn()).await?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Stale {
                kind: "case",
                id: case.summary.tracking_no.clone(),
                expected: s.lock_version,
            });
        }
        let who = match party {
            Party::Applicant => "applicant".to_owned(),
            Party::Office => actor.audit_name(),
        };
        insert_event(
            &mut w,
            id,
            s.action.slug(),
            Some(from),
            to,
            &who,
            office,
            today,
            &reason,
            &materials,
        )
        .await?;
        store_files(&mut w, id, &s.files).await?;
        if let (Some(bundle), true) = (case.bundle_id, to.is_closed()) {
            conclude_bundle_if_done(&mut w, bundle).await?;
        }
        w.audit(
            &format!("case.{}", s.action.slug()),
            "case",
            &case.summary.tracking_no,
            &case.scope(),
            json!({ "from": from.slug(), "to": to.slug(), "reason": reason, "materials": materials }),
        );
        w.commit().await?;
        self.load_case(id, today)
            .await
            .map(|c| with_actions(c, party))
    }
}

impl Store {
    /// A file handed in for a case, for staff who reach the case.
    pub async fn case_file(
        &self,
        actor: &Actor,
        id: i64,
        hash: &str,
        today: NaiveDate,
    ) -> Result<(CaseFile, Vec<u8>)> {
        let case = self.case(actor, id, today).await?;
        self.file_of(&case, hash).await
    }

    /// A file handed in for a case, for its applicant by tracking number and check code.
    pub async fn tracked_file(
        &self,
        tracking_no: &str,
        check_code: &str,
        client: &Client,
        hash: &str,
        today: NaiveDate,
    ) -> Result<(CaseFile, Vec<u8>)> {
        let id = self.case_by_code(tracking_no, check_code, client).await?;
        let case = self.load_case(id, today).await?;
        self.file_of(&case, hash).await
    }

    async fn file_of(&self, case: &Case, hash: &str) -> Result<(CaseFile, Vec<u8>)> {
        let file = case
            .files
            .iter()
            .find(|f| f.hash == hash)
            .cloned()
            .ok_or_else(|| StoreError::not_found("file", hash))?;
        let (content,): (Vec<u8>,) = sqlx::query_as("SELECT content FROM files WHERE hash = $1")
            .bind(hash.to_owned())
            .fetch_one(self.pool())
            .await?;
        Ok((file, content))
    }

    /// 好差评: the applicant rates a concluded case once. A bad rating opens a follow-up task for
    /// the office, due in [`FOLLOW_UP_DAYS`] working days.
    pub async fn rate_case(
        &self,
        tracking_no: &str,
        check_code: &str,
        client: &Client,
        rating: Rating,
        comment: &str,
        today: NaiveDate,
    ) -> Result<Case> {
        let id = self.case_by_code(tracking_no, check_code, client).await?;
        let case = self.load_case(id, today).await?;
        if case.state() != CaseState::Concluded || case.rating.is_some() {
            return Err(DomainError::rule(
                "rating_not_open",
                "只能对已办结且尚未评价的办件评价一次",
                "a case can be rated once, after it is concluded",
            )
            .into());
        }
        let comment = text::optional("comment", comment, 500)?;
        let follow_up = if rating.is_bad() {
            Some(
                self.calendar()
                    .await?
                    .add_working_days(today, FOLLOW_UP_DAYS)?,
            )
        } else {
            None
        };
        let mut w = self.write(&Actor::Anonymous).await?;
        sqlx::query(
            "UPDATE cases SET rating = $1, rating_comment = $2, rated_on = $3 WHERE id = $4 AND rating IS NULL",
        )
        .bind(i64::from(rating.value()))
        .bind(comment.clone())
        .bind(today.to_string())
        .bind(id)
        .execute(w.conn())
        .await?;
        if let Some(due) = follow_up {
            let office = OfficeCode::parse("office", &case.summary.office_code)?;
            insert_task(&mut w, id, TaskKind::BadRating, &office, None, due).await?;
        }
        w.audit(
            "case.rate",
            "case",
            &case.summary.tracking_no,
            &case.scope(),
            json!({ "rating": rating.value(), "follow_up_due": follow_up.map(|d| d.to_string()) }),
        );
        w.commit().await?;
        for_applicant(self.load_case(id, today).await?)
    }

    /// Open tasks (follow-ups, verifications) of the offices within the actor's reach, earliest
    /// due first.
    pub async fn tasks(
        &self,
        actor: &Actor,
        kind: Option<TaskKind>,
        page: PageRequest,
    ) -> Result<Page<CaseTask>> {
        let reach = reach(actor, ResourceKind::Case, Action::Read);
        let (items, total) = self
            .page_of::<CaseTask>(
                "FROM case_tasks t JOIN cases c ON c.id = t.case_id",
                "SELECT t.id, t.case_id, t.kind, t.office_code, t.method, t.due, t.done_on, t.outcome, t.note
                 FROM case_tasks t JOIN cases c ON c.id = t.case_id",
                "t.due, t.id",
                |sql| {
                    sql.push(" WHERE t.done_on IS NULL AND ");
                    push_reach(sql, &reach, &SCOPE);
                    if let Some(k) = kind {
                        sql.push(" AND t.kind = ").bind(k.slug().to_owned());
                    }
                },
                page,
            )
            .await?;
        Ok(Page::new(items, page, total))
    }
}

impl Store {
    /// Why the applicant may not use commitment approval, if a credit flag stands.
    pub async fn credit_flag(&self, applicant: &ApplicantId) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT reason FROM credit_flags WHERE applicant_id = $1 AND cleared_on IS NULL ORDER BY id LIMIT 1",
        )
        .bind(applicant.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(r,)| r))
    }

    /// Closes a task of the actor's office. A commitment found false revokes the decision and
    /// flags the applicant, in the same transaction.
    pub async fn close_task(
        &self,
        actor: &Actor,
        task_id: i64,
        outcome: TaskOutcome,
        method: Option<VerificationMethod>,
        note: &str,
        today: NaiveDate,
    ) -> Result<CaseTask> {
        let task: CaseTask = sqlx::query_as(
            "SELECT id, case_id, kind, office_code, method, due, done_on, outcome, note FROM case_tasks WHERE id = $1",
        )
        .bind(task_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::not_found("task", task_id))?;
        let case = self.load_case(task.case_id, today).await?;
        ensure_may_manage(actor, ResourceKind::Case, &case.scope(), "task", task_id)?;
        let office = OfficeCode::parse("office", &task.office_code)?;
        if acting_office(actor).as_ref() != Some(&office) {
            return Err(no_power(
                &acting_office(actor).unwrap_or_else(|| office.clone()),
                office.as_str(),
            ));
        }
        let kind = TaskKind::parse("kind", &task.kind)?;
        if task.done_on.is_some() || !outcome.closes(kind) {
            return Err(DomainError::rule(
                "task_not_open",
                format!("任务“{}”已完成或不能以“{}”结束", kind.zh(), outcome.zh()),
                format!(
                    "the {} task is done already or cannot end as {}",
                    kind.en(),
                    outcome.en()
                ),
            )
            .into());
        }
        let note = text::optional("note", note, 500)?;
        if outcome == TaskOutcome::False && note.is_empty() {
            return Err(DomainError::Required {
                field: "note".into(),
            }
            .into());
        }
        let method = method.map(|m| m.slug().to_owned()).or(task.method.clone());
        let mut w = self.write(actor).await?;
        let closed = sqlx::query(
            "UPDATE case_tasks SET done_on = $1, outcome = $2, method = $3, note = $4 WHERE id = $5 AND done_on IS NULL",
        )
        .bind(today.to_string())
        .bind(outcome.slug())
        .bind(method.clone())
        .bind(note.clone())
        .bind(task_id)
        .execute(w.conn())
        .await?;
        if closed.rows_affected() != 1 {
            return Err(StoreError::Stale {
                kind: "task",
                id: task_id.to_string(),
                expected: 0,
            });
        }
        if outcome == TaskOutcome::False {
            let from = case.state();
            let to = step(from, CaseAction::Revoke, Party::Office)?;
            sqlx::query("UPDATE cases SET state = $1, updated_at = $2, lock_version = lock_version + 1 WHERE id = $3")
                .bind(to.slug())
                .bind(w.at().to_owned())
                .bind(case.summary.id)
                .execute(w.conn())
                .await?;
            let reason = format!("告知承诺核查不实：{note}");
            insert_event(
                &mut w,
                case.summary.id,
                CaseAction::Revoke.slug(),
                Some(from),
                to,
                &actor.audit_name(),
                Some(&office),
                today,
                &reason,
                &[],
            )
            .await?;
            sqlx::query("INSERT INTO credit_flags (applicant_id, reason, case_id, flagged_on) VALUES ($1, $2, $3, $4)")
                .bind(case.applicant_id.clone())
                .bind(format!("{} 告知承诺不实", case.summary.tracking_no))
                .bind(case.summary.id)
                .bind(today.to_string())
                .execute(w.conn())
                .await?;
        }
        w.audit(
            "case.task.close",
            "case",
            &case.summary.tracking_no,
            &case.scope(),
            json!({ "task": task_id, "kind": kind.slug(), "outcome": outcome.slug(), "method": method, "note": note }),
        );
        w.commit().await?;
        Ok(CaseTask {
            done_on: Some(today.to_string()),
            outcome: Some(outcome.slug().to_owned()),
            method,
            note,
            ..task
        })
    }
}

/// Writes a prepared case: the row, its submission event, files, and for a commitment approval
/// the decision steps and the verification task. `check_code` is the one the applicant gets.
pub(crate) async fn insert_case(
    w: &mut crate::write::Write,
    actor: &Actor,
    p: &Prepared<'_>,
    check_code: &str,
    bundle: Option<i64>,
    today: NaiveDate,
) -> Result<Receipt> {
    let new = p.new;
    let office = &p.office;
    let state = if p.verify.is_some() {
        CaseState::Concluded
    } else {
        CaseState::Submitted
    };
    // A commitment approval is decided at once, so a cross-window one is handed over at once.
    let handed_over =
        (p.verify.is_some() && new.channel == Channel::CrossWindow).then(|| today.to_string());
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM cases WHERE office_code = $1 AND submitted_on = $2")
            .bind(office.to_string())
            .bind(today.to_string())
            .fetch_one(w.conn())
            .await?;
    let tracking_no = format!("{office}{}{:05}", today.format("%Y%m%d"), n + 1);
    let at = w.at().to_owned();
    let mut insert = Sql::new(
        "INSERT INTO cases (tracking_no, check_hash, item_id, item_version, item_name, county_code,
            town_code, office_code, intake_office_code, doc_number, channel, assisted_by,
            applicant_kind, applicant_id, applicant_name, contact, materials, state, submitted_on,
            statutory_days, promised_days, statutory_due, promised_due, km_to_office, km_to_hall,
            commitment, concluded_on, bundle_id, handed_over_on, answer_by, accepted_on, decided_on,
            on_time_statutory, on_time_promised, created_at, updated_at) VALUES (",
    );
    // A commitment approval is accepted and decided on the day, within every limit.
    let decided = p.verify.map(|_| today.to_string());
    let met = |due: Option<NaiveDate>| p.verify.and(due).map(|_| 1_i64);
    insert
        .bind(tracking_no.clone())
        .push(", ")
        .bind(check_hash(&tracking_no, check_code))
        .push(", ")
        .bind(new.item_id)
        .push(", ")
        .bind(p.item_version)
        .push(", ")
        .bind(p.item_name.clone())
        .push(", ")
        .bind(p.county.clone())
        .push(", ")
        .bind(new.town.to_string())
        .push(", ")
        .bind(office.to_string())
        .push(", ")
        .bind(p.intake.as_ref().map(ToString::to_string))
        .push(", ")
        .bind(p.doc_number.clone())
        .push(", ")
        .bind(new.channel.slug().to_owned())
        .push(", ")
        .bind(match (new.channel, actor.staff()) {
            (Channel::Assisted, Some(s)) => Some(s.username.to_string()),
            _ => None,
        })
        .push(", ")
        .bind(new.applicant.kind().slug().to_owned())
        .push(", ")
        .bind(new.applicant.to_string())
        .push(", ")
        .bind(new.applicant_name.clone())
        .push(", ")
        .bind(new.contact.clone())
        .push(", ")
        .bind(serde_json::to_string(&p.handed).expect("strings serialise"))
        .push(", ")
        .bind(state.slug().to_owned())
        .push(", ")
        .bind(today.to_string())
        .push(", ")
        .bind(p.statutory_days.map(i64::from))
        .push(", ")
        .bind(p.promised_days.map(i64::from))
        .push(", ")
        .bind(p.statutory_due.map(|d| d.to_string()))
        .push(", ")
        .bind(p.promised_due.map(|d| d.to_string()))
        .push(", ")
        .bind_f64(p.km_to_office)
        .push(", ")
        .bind_f64(p.km_to_hall)
        .push(", ")
        .bind(i64::from(new.commitment))
        .push(", ")
        .bind(p.verify.map(|_| today.to_string()))
        .push(", ")
        .bind(bundle)
        .push(", ")
        .bind(handed_over.clone())
        .push(", ")
        .bind(p.answer_by.to_string())
        .push(", ")
        .bind(decided.clone())
        .push(", ")
        .bind(decided)
        .push(", ")
        .bind(met(p.statutory_due))
        .push(", ")
        .bind(met(p.promised_due))
        .push(", ")
        .bind(at.clone())
        .push(", ")
        .bind(at)
        .push(") RETURNING id");
    let (id,): (i64,) = insert.query_as().fetch_one(w.conn()).await?;
    let scope = case_scope(&p.county, new.town.as_str(), office.as_str());
    insert_event(
        w,
        id,
        "submit",
        None,
        CaseState::Submitted,
        &actor.audit_name(),
        p.intake.as_ref(),
        today,
        "",
        &p.handed,
    )
    .await?;
    store_files(w, id, &new.files).await?;
    if let Some((due, method)) = p.verify {
        if handed_over.is_some() {
            insert_event(
                w,
                id,
                Handover::HandOver.slug(),
                Some(CaseState::Submitted),
                CaseState::Submitted,
                &actor.audit_name(),
                p.intake.as_ref(),
                today,
                "",
                &[],
            )
            .await?;
        }
        // The decision is issued at once on the written commitment; the check comes later.
        let reason = "告知承诺：申请人书面承诺符合条件，当场作出准予许可决定";
        let mut from = CaseState::Submitted;
        for action in [
            CaseAction::Accept,
            CaseAction::Review,
            CaseAction::Grant,
            CaseAction::Conclude,
        ] {
            let to = step(from, action, Party::Office)?;
            let why = if action == CaseAction::Grant {
                reason
            } else {
                ""
            };
            insert_event(
                w,
                id,
                action.slug(),
                Some(from),
                to,
                "commitment",
                Some(office),
                today,
                why,
                &[],
            )
            .await?;
            from = to;
        }
        insert_task(
            w,
            id,
            TaskKind::Verification,
            office,
            Some(method.slug()),
            due,
        )
        .await?;
    }
    w.audit(
        "case.submit",
        "case",
        &tracking_no,
        &scope,
        json!({ "item_id": new.item_id, "channel": new.channel.slug(), "office": office.to_string(), "commitment": new.commitment,
                "intake": p.intake.as_ref().map(ToString::to_string), "doc_number": p.doc_number, "bundle": bundle }),
    );
    Ok(Receipt {
        id,
        tracking_no,
        check_code: check_code.to_owned(),
        office_code: office.to_string(),
        statutory_due: p.statutory_due.map(|d| d.to_string()),
        promised_due: p.promised_due.map(|d| d.to_string()),
        provisional: p.provisional.clone(),
    })
}

/// A bundle concludes on the day its last sub-case closes.
async fn conclude_bundle_if_done(w: &mut crate::write::Write, bundle: i64) -> Result<()> {
    let mut sql = Sql::new(
        "UPDATE bundles SET concluded_on = (SELECT MAX(concluded_on) FROM cases WHERE bundle_id = ",
    );
    sql.bind(bundle)
        .push(") WHERE id = ")
        .bind(bundle)
        .push(" AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.bundle_id = ")
        .bind(bundle)
        .push(" AND ")
        .push(OPEN)
        .push(")");
    sql.query().execute(w.conn()).await?;
    Ok(())
}

async fn insert_task(
    w: &mut crate::write::Write,
    case_id: i64,
    kind: TaskKind,
    office: &OfficeCode,
    method: Option<&str>,
    due: NaiveDate,
) -> Result<()> {
    let at = w.at().to_owned();
    sqlx::query(
        "INSERT INTO case_tasks (case_id, kind, office_code, method, due, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(kind.slug())
    .bind(office.to_string())
    .bind(method.map(str::to_owned))
    .bind(due.to_string())
    .bind(at)
    .execute(w.conn())
    .await?;
    Ok(())
}

async fn read_pauses<'e, E>(e: E, case_id: i64) -> Result<Vec<Pause>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT reason, from_day, until_day FROM case_pauses WHERE case_id = $1 ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(e)
    .await?;
    rows.into_iter()
        .map(|(reason, from, until)| {
            Ok(Pause {
                reason: PauseReason::parse("reason", &reason)?,
                from: parse_date("from_day", &from)?,
                until: until.map(|u| parse_date("until_day", &u)).transpose()?,
            })
        })
        .collect()
}

/// The intake steps of a case's history, with `step` (being written now) after them.
fn intake_of(
    received: &str,
    events: &[CaseEvent],
    step: Option<(CaseAction, NaiveDate)>,
) -> Result<Intake> {
    let mut steps = Vec::new();
    for e in events {
        steps.push((e.action.as_str(), parse_date("on_day", &e.on_day)?));
    }
    steps.extend(step.map(|(a, d)| (a.slug(), d)));
    Ok(Intake::from_steps(
        parse_date("submitted_on", received)?,
        steps,
    ))
}

/// The intake steps of a case as recorded, for a write that has not loaded the case.
pub(crate) async fn read_intake(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    received: NaiveDate,
) -> Result<Intake> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, on_day FROM case_events
         WHERE case_id = $1 AND action IN ('request_supplement', 'supply', 'accept') ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut steps = Vec::new();
    for (action, day) in &rows {
        steps.push((action.as_str(), parse_date("on_day", day)?));
    }
    Ok(Intake::from_steps(received, steps))
}

/// The statutory and promised due dates of a case under the rules of [`limits`]: counted from
/// acceptance, without stopped days after it, the statutory one with approved extensions.
pub(crate) async fn case_dues(
    conn: &mut sqlx::AnyConnection,
    calendar: &Calendar,
    id: i64,
    intake: &Intake,
    statutory_days: Option<i64>,
    promised_days: Option<i64>,
) -> Result<(Option<String>, Option<String>)> {
    let pauses = read_pauses(&mut *conn, id).await?;
    let extensions = clock::read_extensions(&mut *conn, id).await?;
    // Which start applies does not depend on today; only whether it is deemed does.
    let due = |days: Option<i64>, extensions: &[Extension]| -> Result<Option<String>> {
        Ok(match days {
            Some(d) => limits::case_due(
                calendar,
                intake,
                intake.received,
                d as u32,
                &pauses,
                extensions,
            )?
            .and_then(|due| due.date)
            .map(|d| d.to_string()),
            None => None,
        })
    };
    Ok((due(statutory_days, &extensions)?, due(promised_days, &[])?))
}

/// The case as its applicant sees it: the ID number masked, the applicant's actions.
fn for_applicant(mut case: Case) -> Result<Case> {
    let kind = ApplicantKind::parse("applicant_kind", &case.applicant_kind)?;
    case.applicant_id = ApplicantId::parse("applicant_id", kind, &case.applicant_id)?.masked();
    case.contact = text::masked_phone(&case.contact);
    Ok(with_actions(case, Party::Applicant))
}

fn with_actions(mut case: Case, party: Party) -> Case {
    let granted = case
        .events
        .iter()
        .any(|e| e.action == CaseAction::Grant.slug());
    case.actions = case
        .state()
        .actions()
        .filter(|t| t.by == party && (t.action != CaseAction::Revoke || granted))
        .map(|t| t.action.slug().to_owned())
        .collect();
    case
}

/// Working days left to the promised due date (else the statutory one), for open cases; and
/// whether a case still waiting for its answer was deemed accepted by the law.
fn remaining(calendar: &Calendar, c: &mut CaseSummary, today: NaiveDate) -> Result<()> {
    let state = CaseState::parse("state", &c.state)?;
    c.deemed_accepted = state == CaseState::Submitted
        && c.answer_by
            .as_deref()
            .is_some_and(|by| by < today.to_string().as_str());
    let due = c.promised_due.as_deref().or(c.statutory_due.as_deref());
    c.remaining = match due {
        Some(d)
            if !state.is_closed() && !matches!(state, CaseState::Granted | CaseState::Denied) =>
        {
            let due = parse_date("due", d)?;
            calendar.remaining(today, due).ok()
        }
        _ => None,
    };
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_event(
    w: &mut crate::write::Write,
    case_id: i64,
    action: &str,
    from: Option<CaseState>,
    to: CaseState,
    actor: &str,
    office: Option<&OfficeCode>,
    on: NaiveDate,
    reason: &str,
    materials: &[String],
) -> Result<()> {
    let at = w.at().to_owned();
    let (event_id,): (i64,) = sqlx::query_as(
        "INSERT INTO case_events (case_id, action, from_state, to_state, actor, office_code, on_day, reason, missing, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(case_id)
    .bind(action.to_owned())
    .bind(from.map(|s| s.slug()))
    .bind(to.slug().to_owned())
    .bind(actor.to_owned())
    .bind(office.map(ToString::to_string))
    .bind(on.to_string())
    .bind(reason.to_owned())
    .bind(serde_json::to_string(materials).expect("strings serialise"))
    .bind(at)
    .fetch_one(w.conn())
    .await?;
    // A step that issues a notice or decision issues it here, numbered in this transaction.
    if let (Ok(action), Some(office)) = (CaseAction::parse("action", action), office)
        && action.notice().is_some()
    {
        notices::issue(w, case_id, event_id, action, office, on, reason).await?;
    }
    Ok(())
}

/// Keeps each file once by its content hash and records which material of the case it is.
async fn store_files(
    w: &mut crate::write::Write,
    case_id: i64,
    files: &[Attachment],
) -> Result<()> {
    let at = w.at().to_owned();
    for f in files {
        let hash = hex::encode(Sha256::digest(&f.upload.bytes));
        sqlx::query(
            "INSERT INTO files (hash, media_type, size, content, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash.clone())
        .bind(f.upload.media_type.slug())
        .bind(f.upload.bytes.len() as i64)
        .bind(f.upload.bytes.clone())
        .bind(at.clone())
        .execute(w.conn())
        .await?;
        sqlx::query(
            "INSERT INTO case_files (case_id, material, file_hash, file_name, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(case_id)
        .bind(f.material.trim().to_owned())
        .bind(hash)
        .bind(f.upload.file_name.clone())
        .bind(at.clone())
        .execute(w.conn())
        .await?;
    }
    Ok(())
}
