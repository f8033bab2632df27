//! Approval cases (办件): channels, states and the one table of transitions between them.

use crate::calendar::PauseReason;
use crate::{DomainError, Message};

kinds!(
    /// How an application reached the office. A cross-jurisdiction window takes in a case another
    /// office is competent for and hands it over; assisted means staff applied for the applicant.
    Channel, "申请渠道", "channel" {
        Online = "online", "网上申请", "online";
        Window = "window", "窗口申请", "at a window";
        CrossWindow = "cross_window", "跨域通办", "cross-jurisdiction window";
        Assisted = "assisted", "帮办代办", "assisted";
    }
);

kinds!(
    CaseState, "办件状态", "case state" {
        Submitted = "submitted", "已申请", "submitted";
        SupplementRequested = "supplement_requested", "待补正", "supplement requested";
        Accepted = "accepted", "已受理", "accepted";
        Rejected = "rejected", "不予受理", "rejected";
        UnderReview = "under_review", "审查中", "under review";
        Granted = "granted", "准予许可", "granted";
        Denied = "denied", "不予许可", "denied";
        Concluded = "concluded", "已办结", "concluded";
        Withdrawn = "withdrawn", "已撤回", "withdrawn";
        Revoked = "revoked", "已撤销", "revoked";
    }
);

kinds!(
    CaseAction, "办件操作", "case action" {
        Accept = "accept", "受理", "accept";
        Reject = "reject", "不予受理", "reject";
        RequestSupplement = "request_supplement", "一次性告知补正", "request a supplement";
        Supply = "supply", "补齐材料", "supply materials";
        Review = "review", "开始审查", "start review";
        Examine = "examine", "审核", "examine (first sign-off)";
        Grant = "grant", "准予许可", "grant";
        Deny = "deny", "不予许可", "deny";
        Conclude = "conclude", "办结出证", "conclude";
        Withdraw = "withdraw", "撤回申请", "withdraw";
        Revoke = "revoke", "撤销许可", "revoke";
    }
);

kinds!(
    /// Work a case leaves behind with a deadline.
    TaskKind, "任务类型", "task kind" {
        BadRating = "bad_rating", "差评整改", "bad rating follow-up";
        Verification = "verification", "告知承诺核查", "commitment verification";
    }
);

kinds!(
    /// How a commitment is checked after the decision (告知承诺事后核查).
    VerificationMethod, "核查方式", "verification method" {
        OnSite = "on_site", "现场核查", "on site";
        Online = "online", "网上核查", "online";
        Written = "written", "书面核查", "written";
    }
);

kinds!(
    /// How a task ended.
    TaskOutcome, "任务结果", "task outcome" {
        FollowedUp = "followed_up", "已整改回访", "followed up";
        Confirmed = "confirmed", "承诺属实", "commitment confirmed";
        False = "false", "承诺不实", "commitment false";
    }
);

impl TaskOutcome {
    /// The outcomes that close a task of this kind.
    pub fn closes(self, kind: TaskKind) -> bool {
        matches!(
            (kind, self),
            (TaskKind::BadRating, Self::FollowedUp)
                | (TaskKind::Verification, Self::Confirmed | Self::False)
        )
    }
}

kinds!(
    /// The two hand-offs of a cross-jurisdiction case (跨域通办, 异地收件、属地办理): the intake
    /// window hands the application to the competent office, which returns the result to that
    /// window for the applicant to collect near home.
    Handover, "通办交接", "handover" {
        HandOver = "hand_over", "移交承办机构", "hand over to the competent office";
        Return = "return", "结果寄回收件窗口", "return the result to the intake window";
    }
);

/// Where a cross-window case stands between its two windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoverState {
    pub channel: Channel,
    pub state: CaseState,
    pub handed_over: bool,
    pub returned: bool,
}

/// Which window takes a hand-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Intake,
    Competent,
}

impl HandoverState {
    /// Whether `window` may take `step` now, or why not.
    pub fn check(self, step: Handover, window: Window) -> Result<(), DomainError> {
        let refuse = |zh: &str, en: &str| {
            Err(DomainError::rule(
                "handover_not_allowed",
                format!("不能“{}”：{zh}", step.zh()),
                format!("cannot {}: {en}", step.en()),
            ))
        };
        if self.channel != Channel::CrossWindow {
            return refuse(
                "只有跨域通办的办件需要交接",
                "only cross-window cases are handed over",
            );
        }
        match (step, window) {
            (Handover::HandOver, Window::Competent) | (Handover::Return, Window::Intake) => {
                Err(DomainError::forbidden(
                    format!(
                        "“{}”由{}操作",
                        step.zh(),
                        if step == Handover::HandOver {
                            "收件窗口"
                        } else {
                            "承办机构"
                        }
                    ),
                    format!(
                        "only the {} may {}",
                        if step == Handover::HandOver {
                            "intake window"
                        } else {
                            "competent office"
                        },
                        step.en()
                    ),
                ))
            }
            (Handover::HandOver, _) if self.handed_over => {
                refuse("已经移交", "it was handed over already")
            }
            (Handover::HandOver, _) if self.state.is_closed() => {
                refuse("办件已终结", "the case is closed")
            }
            (Handover::Return, _) if !self.handed_over => {
                refuse("尚未移交", "it was never handed over")
            }
            (Handover::Return, _) if self.returned => {
                refuse("结果已寄回", "the result was returned already")
            }
            (Handover::Return, _) if !self.state.is_closed() => {
                refuse("办件尚未办结", "the case is not decided yet")
            }
            _ => Ok(()),
        }
    }

    /// The competent office can work on the case only once it has it: a cross-window case waits
    /// for the hand-over.
    pub fn may_decide(self) -> Result<(), DomainError> {
        if self.channel == Channel::CrossWindow && !self.handed_over {
            return Err(DomainError::rule(
                "not_handed_over",
                "跨域通办的申请尚未由收件窗口移交，承办机构不能办理",
                "the intake window has not handed this cross-window application over yet",
            ));
        }
        Ok(())
    }
}

/// Checks what an application hands in against a list of materials, given as (name, required):
/// every name handed in must be on the list, and every required one must be there, all missing
/// ones named at once (一次性告知). `list` names the list in messages, e.g. ("事项", "item's").
pub fn check_materials(
    handed: &[String],
    listed: &[(&str, bool)],
    list: (&str, &str),
) -> Result<(), DomainError> {
    let unknown: Vec<&str> = handed
        .iter()
        .map(String::as_str)
        .filter(|h| !listed.iter().any(|(name, _)| name == h))
        .collect();
    if !unknown.is_empty() {
        return Err(DomainError::invalid(
            "materials",
            format!("{}材料清单中没有：{}", list.0, unknown.join("、")),
            format!(
                "not on the {} list of materials: {}",
                list.1,
                unknown.join(", ")
            ),
        ));
    }
    let missing: Vec<&str> = listed
        .iter()
        .filter(|(name, required)| *required && !handed.iter().any(|h| h == name))
        .map(|(name, _)| *name)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing_materials(&missing))
    }
}

/// Required materials not handed in, every one named.
pub fn missing_materials(missing: &[&str]) -> DomainError {
    DomainError::rule(
        "missing_materials",
        format!("缺少必要材料：{}", missing.join("、")),
        format!("required materials missing: {}", missing.join(", ")),
    )
}

/// A commitment is checked within this many working days of the decision (about two months).
pub const VERIFICATION_DAYS: u32 = 40;

/// Who may take an action: the competent office or the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Office,
    Applicant,
}

/// One row of the transition table.
#[derive(Debug, Clone, Copy)]
pub struct Transition {
    pub from: CaseState,
    pub action: CaseAction,
    pub to: CaseState,
    pub by: Party,
}

const fn t(from: CaseState, action: CaseAction, to: CaseState, by: Party) -> Transition {
    Transition {
        from,
        action,
        to,
        by,
    }
}

use CaseAction as A;
use CaseState as S;
use Party::{Applicant, Office};

/// Every transition a case can make; anything not listed is refused.
pub const TRANSITIONS: &[Transition] = &[
    t(S::Submitted, A::Accept, S::Accepted, Office),
    t(S::Submitted, A::Reject, S::Rejected, Office),
    t(
        S::Submitted,
        A::RequestSupplement,
        S::SupplementRequested,
        Office,
    ),
    t(S::SupplementRequested, A::Supply, S::Submitted, Applicant),
    t(S::Accepted, A::Review, S::UnderReview, Office),
    // 审核: a first sign-off; where the county requires two people, the decision waits for it.
    t(S::UnderReview, A::Examine, S::UnderReview, Office),
    t(S::UnderReview, A::Grant, S::Granted, Office),
    t(S::UnderReview, A::Deny, S::Denied, Office),
    t(S::Granted, A::Conclude, S::Concluded, Office),
    t(S::Denied, A::Conclude, S::Concluded, Office),
    t(S::Submitted, A::Withdraw, S::Withdrawn, Applicant),
    t(S::SupplementRequested, A::Withdraw, S::Withdrawn, Applicant),
    t(S::Accepted, A::Withdraw, S::Withdrawn, Applicant),
    t(S::UnderReview, A::Withdraw, S::Withdrawn, Applicant),
    // A decision made on a commitment that proved false (告知承诺不实).
    t(S::Concluded, A::Revoke, S::Revoked, Office),
];

impl CaseState {
    /// The case is closed: no transition leaves it.
    pub fn is_final(self) -> bool {
        !TRANSITIONS.iter().any(|t| t.from == self)
    }

    /// The case's clock no longer runs: it was decided and closed, refused, withdrawn or revoked.
    pub fn is_closed(self) -> bool {
        matches!(self, S::Rejected | S::Concluded | S::Withdrawn | S::Revoked)
    }

    /// The actions open from here.
    pub fn actions(self) -> impl Iterator<Item = &'static Transition> {
        TRANSITIONS.iter().filter(move |t| t.from == self)
    }
}

/// 审核 then 审批: where the county requires two people for an item, a decision (准予/不予许可)
/// needs an examination since the review began, by someone other than the one deciding. `events`
/// are the case's steps so far, oldest first, as (action, who took it).
pub fn check_four_eyes<'a>(
    action: CaseAction,
    events: impl DoubleEndedIterator<Item = (&'a str, &'a str)>,
    decider: &str,
) -> Result<(), DomainError> {
    if !action.is_decision() {
        return Ok(());
    }
    let examiners: Vec<&str> = events
        .rev()
        .take_while(|(a, _)| *a != A::Review.slug())
        .filter(|(a, _)| *a == A::Examine.slug())
        .map(|(_, who)| who)
        .collect();
    if examiners.is_empty() {
        return Err(DomainError::rule(
            "four_eyes_required",
            "本事项的许可决定须先经另一名工作人员审核，再由有决定权的人员审批",
            "this item's decision needs an examination by another member of staff first",
        ));
    }
    if examiners.iter().all(|who| *who == decider) {
        return Err(DomainError::rule(
            "four_eyes_required",
            "审核人与审批人不能是同一人，请由另一名有决定权的工作人员审批",
            "the one who examined cannot also decide: another member of staff with decision rights must",
        ));
    }
    Ok(())
}

impl CaseAction {
    /// 准予 or 不予许可: the decision on the application itself.
    pub fn is_decision(self) -> bool {
        matches!(self, A::Grant | A::Deny)
    }

    /// Actions that must say why (a refusal, a notice of what is missing).
    pub fn needs_reason(self) -> bool {
        matches!(self, A::Reject | A::Deny | A::RequestSupplement | A::Revoke)
    }

    /// Actions that cannot be taken back: decisions, the end of a case, and a withdrawal. A page
    /// asks for confirmation before it sends one.
    pub fn is_irreversible(self) -> bool {
        matches!(
            self,
            A::Reject | A::Grant | A::Deny | A::Conclude | A::Withdraw | A::Revoke
        )
    }

    /// The pause this action opens (`Some(true)`) or closes (`Some(false)`).
    pub fn pause(self) -> Option<(PauseReason, bool)> {
        match self {
            A::RequestSupplement => Some((PauseReason::Supplement, true)),
            A::Supply => Some((PauseReason::Supplement, false)),
            _ => None,
        }
    }

    /// The notice (通知书 / 决定书) the office issues with this action, if any.
    pub fn notice(self) -> Option<Message> {
        Some(match self {
            A::Accept => Message::new("受理通知书", "notice of acceptance"),
            A::Reject => Message::new("不予受理通知书", "notice of non-acceptance"),
            A::RequestSupplement => {
                Message::new("补正材料通知书", "notice to supplement materials")
            }
            A::Grant => Message::new("准予行政许可决定书", "decision to grant"),
            A::Deny => Message::new("不予行政许可决定书", "decision to deny"),
            A::Revoke => Message::new("撤销行政许可决定书", "decision to revoke"),
            _ => return None,
        })
    }
}

/// An applicant may apply for administrative reconsideration within this many days of learning
/// of an adverse decision (行政复议法 Art. 20).
pub const RECONSIDERATION_DAYS: u32 = 60;
/// …or sue within this many months (行政诉讼法 Art. 46).
pub const LITIGATION_MONTHS: u32 = 6;

impl CaseAction {
    /// A decision on the merits cites the item's legal basis (行政许可法 Arts. 4, 38): a grant or
    /// denial of a licensing item whose catalog entry records none cannot be issued.
    pub fn requires_legal_basis(self) -> bool {
        matches!(self, A::Grant | A::Deny)
    }

    /// An adverse decision states its reasons and the applicant's remedies, naming the
    /// reconsideration body and the court (行政许可法 Art. 38, 行政复议法, 行政诉讼法).
    pub fn states_remedies(self) -> bool {
        matches!(self, A::Reject | A::Deny | A::Revoke)
    }
}

/// Where an applicant may challenge an adverse decision, as the county configures it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Remedies {
    /// 行政复议机关, e.g. 乐陵市人民政府.
    pub reconsideration_body: String,
    /// The court of first instance, e.g. 乐陵市人民法院.
    pub court: String,
}

impl Remedies {
    /// Both bodies, or why an adverse decision cannot be issued without them.
    pub fn require(reconsideration_body: &str, court: &str) -> Result<Self, DomainError> {
        let (body, court) = (reconsideration_body.trim(), court.trim());
        if body.is_empty() || court.is_empty() {
            return Err(DomainError::rule(
                "remedies_not_configured",
                "本县尚未配置行政复议机关和管辖法院，不予受理、不予许可、撤销决定须告知申请人复议和诉讼的途径",
                "the county has no reconsideration body and court configured; an adverse decision must name both",
            ));
        }
        Ok(Self {
            reconsideration_body: body.to_owned(),
            court: court.to_owned(),
        })
    }
}

/// Why a decision that must cite a legal basis cannot be issued without one.
pub fn no_legal_basis(item_name: &str) -> DomainError {
    DomainError::rule(
        "no_legal_basis",
        format!(
            "事项“{item_name}”在实施清单中没有登记设定依据或实施依据，不能作出行政许可决定；请县行政审批服务局补录依据"
        ),
        format!(
            "the catalog entry of {item_name:?} records no legal basis, so no licensing decision can be issued; the county bureau must add it"
        ),
    )
}

/// A notice's document number (文号): the office's series for the year, e.g.
/// `371481B01〔2024〕3号`.
pub fn notice_number(office: &str, year: i32, number: i64) -> String {
    format!("{office}〔{year}〕{number}号")
}

/// A licence's number: the office, the year and its place in the office's licences of that year,
/// e.g. `371481B012024000003`.
pub fn licence_number(office: &str, year: i32, number: i64) -> String {
    format!("{office}{year}{number:06}")
}

/// The last day a licence granted on `from` for `years` years is valid: the day before the
/// anniversary (29 February runs to 28 February).
pub fn licence_valid_until(from: chrono::NaiveDate, years: u16) -> chrono::NaiveDate {
    use chrono::Datelike;
    let year = from.year() + i32::from(years);
    let anniversary = from
        .with_year(year)
        .or_else(|| chrono::NaiveDate::from_ymd_opt(year, 3, 1))
        .expect("a real date");
    anniversary.pred_opt().expect("a real date")
}

/// The state `action` leads to from `from` when taken by `by`, or why it cannot be taken.
pub fn step(from: CaseState, action: CaseAction, by: Party) -> Result<CaseState, DomainError> {
    match TRANSITIONS
        .iter()
        .find(|t| t.from == from && t.action == action)
    {
        Some(t) if t.by == by => Ok(t.to),
        Some(t) => Err(DomainError::forbidden(
            format!("“{}”只能由{}操作", action.zh(), t.by.zh()),
            format!("only the {} may {}", t.by.en(), action.en()),
        )),
        None => {
            let open: Vec<&str> = from.actions().map(|t| t.action.zh()).collect();
            Err(DomainError::rule(
                "transition_not_allowed",
                format!(
                    "办件处于“{}”状态，不能“{}”{}",
                    from.zh(),
                    action.zh(),
                    if open.is_empty() {
                        "（已终结）".to_string()
                    } else {
                        format!("；可进行：{}", open.join("、"))
                    }
                ),
                format!(
                    "a case that is {} cannot be sent to {}{}",
                    from.en(),
                    action.en(),
                    if open.is_empty() {
                        " (it is closed)"
                    } else {
                        ""
                    }
                ),
            ))
        }
    }
}

/// 好差评: the applicant's rating of a concluded case, 5 (非常满意) down to 1 (非常不满意).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Rating(u8);

/// A bad rating must be followed up within this many working days.
pub const FOLLOW_UP_DAYS: u32 = 15;

impl Rating {
    pub fn parse(field: &str, value: &str) -> Result<Self, DomainError> {
        match value.trim().parse::<u8>() {
            Ok(n @ 1..=5) => Ok(Self(n)),
            _ => Err(DomainError::invalid(
                field,
                format!("评价须为 1 至 5 的整数，而不是“{value}”"),
                format!("a rating is a whole number from 1 to 5, not {value:?}"),
            )),
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// 差评: 不满意 or 非常不满意.
    pub fn is_bad(self) -> bool {
        self.0 <= 2
    }

    pub fn label(self) -> Message {
        let (zh, en) = match self.0 {
            5 => ("非常满意", "very satisfied"),
            4 => ("满意", "satisfied"),
            3 => ("基本满意", "fairly satisfied"),
            2 => ("不满意", "dissatisfied"),
            _ => ("非常不满意", "very dissatisfied"),
        };
        Message::new(zh, en)
    }

    pub const ALL: [Rating; 5] = [Self(5), Self(4), Self(3), Self(2), Self(1)];
}

impl Party {
    fn zh(self) -> &'static str {
        match self {
            Office => "承办机构",
            Applicant => "申请人",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Office => "competent office",
            Applicant => "applicant",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_person_decision_needs_another_examiner_since_review_began() {
        let run = |events: &[(&'static str, &'static str)], action, decider| {
            check_four_eyes(action, events.iter().copied(), decider).map_err(|e| e.code())
        };
        let reviewed = [("accept", "wang"), ("review", "wang")];
        assert_eq!(run(&reviewed, A::Grant, "wang"), Err("four_eyes_required"));
        let examined = [("accept", "wang"), ("review", "wang"), ("examine", "wang")];
        assert_eq!(run(&examined, A::Grant, "wang"), Err("four_eyes_required"));
        assert_eq!(run(&examined, A::Deny, "li"), Ok(()));
        // An examination before a new review does not count.
        let stale = [("review", "wang"), ("examine", "li"), ("review", "wang")];
        assert_eq!(run(&stale, A::Grant, "wang"), Err("four_eyes_required"));
        // Other steps are not decisions.
        assert_eq!(run(&reviewed, A::Conclude, "wang"), Ok(()));
    }

    #[test]
    fn the_table_is_a_function_and_every_state_is_reachable() {
        for a in TRANSITIONS {
            let same: Vec<_> = TRANSITIONS
                .iter()
                .filter(|b| b.from == a.from && b.action == a.action)
                .collect();
            assert_eq!(same.len(), 1, "{:?} {:?}", a.from, a.action);
        }
        for s in CaseState::ALL {
            assert!(
                *s == S::Submitted || TRANSITIONS.iter().any(|t| t.to == *s),
                "{s:?} unreachable"
            );
        }
        let finals: Vec<_> = CaseState::ALL.iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, [&S::Rejected, &S::Withdrawn, &S::Revoked]);
    }

    #[test]
    fn the_happy_path_and_the_supplement_loop() {
        let mut s = S::Submitted;
        for (a, by) in [
            (A::RequestSupplement, Office),
            (A::Supply, Applicant),
            (A::Accept, Office),
            (A::Review, Office),
            (A::Grant, Office),
            (A::Conclude, Office),
        ] {
            s = step(s, a, by).unwrap();
        }
        assert_eq!(s, S::Concluded);
    }

    #[test]
    fn ratings_are_one_to_five_and_two_or_less_is_bad() {
        assert!(Rating::parse("r", "2").unwrap().is_bad());
        assert!(!Rating::parse("r", " 3 ").unwrap().is_bad());
        for bad in ["0", "6", "", "五", "-1", "2.5"] {
            assert_eq!(
                Rating::parse("r", bad).unwrap_err().code(),
                "invalid_field",
                "{bad}"
            );
        }
    }

    #[test]
    fn refused_steps_say_why() {
        let e = step(S::Submitted, A::Grant, Office).unwrap_err();
        assert_eq!(e.code(), "transition_not_allowed");
        assert!(e.message().zh.contains("可进行：受理"), "{e:?}");
        let e = step(S::Withdrawn, A::Withdraw, Applicant).unwrap_err();
        assert!(e.message().en.contains("closed"));
        // The applicant cannot accept their own case; the office cannot withdraw it.
        assert_eq!(
            step(S::Submitted, A::Accept, Applicant).unwrap_err().code(),
            "forbidden"
        );
        assert_eq!(
            step(S::Submitted, A::Withdraw, Office).unwrap_err().code(),
            "forbidden"
        );
    }

    #[test]
    fn a_cross_window_case_is_handed_over_then_returned_by_the_right_windows() {
        let mut h = HandoverState {
            channel: Channel::CrossWindow,
            state: S::Submitted,
            handed_over: false,
            returned: false,
        };
        assert_eq!(h.may_decide().unwrap_err().code(), "not_handed_over");
        assert_eq!(
            h.check(Handover::HandOver, Window::Competent)
                .unwrap_err()
                .code(),
            "forbidden"
        );
        assert_eq!(
            h.check(Handover::Return, Window::Competent)
                .unwrap_err()
                .code(),
            "handover_not_allowed"
        );
        h.check(Handover::HandOver, Window::Intake).unwrap();
        h.handed_over = true;
        h.may_decide().unwrap();
        assert_eq!(
            h.check(Handover::HandOver, Window::Intake)
                .unwrap_err()
                .code(),
            "handover_not_allowed"
        );
        // The result goes back only once there is one.
        assert!(h.check(Handover::Return, Window::Competent).is_err());
        h.state = S::Concluded;
        assert_eq!(
            h.check(Handover::Return, Window::Intake)
                .unwrap_err()
                .code(),
            "forbidden"
        );
        h.check(Handover::Return, Window::Competent).unwrap();
        h.returned = true;
        assert!(h.check(Handover::Return, Window::Competent).is_err());
        // A case taken in at its own office has nothing to hand over.
        h.channel = Channel::Window;
        assert!(h.check(Handover::HandOver, Window::Intake).is_err());
        HandoverState {
            handed_over: false,
            ..h
        }
        .may_decide()
        .unwrap();
    }

    #[test]
    fn a_licence_runs_to_the_day_before_its_anniversary_and_remedies_need_both_bodies() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(licence_valid_until(d("2024-03-01"), 5), d("2029-02-28"));
        assert_eq!(licence_valid_until(d("2024-02-29"), 1), d("2025-02-28"));
        assert_eq!(licence_valid_until(d("2024-02-29"), 4), d("2028-02-28"));
        assert_eq!(notice_number("371481B01", 2024, 3), "371481B01〔2024〕3号");
        assert_eq!(licence_number("371481H", 2025, 12), "371481H2025000012");
        assert_eq!(
            Remedies::require(" 乐陵市人民政府 ", "乐陵市人民法院").unwrap(),
            Remedies {
                reconsideration_body: "乐陵市人民政府".into(),
                court: "乐陵市人民法院".into()
            }
        );
        assert_eq!(
            Remedies::require("乐陵市人民政府", " ").unwrap_err().code(),
            "remedies_not_configured"
        );
        assert!(A::Reject.states_remedies() && A::Deny.states_remedies());
        assert!(!A::Accept.states_remedies() && !A::Grant.states_remedies());
        assert!(A::Grant.requires_legal_basis() && !A::Reject.requires_legal_basis());
    }

    #[test]
    fn materials_are_checked_against_the_list_with_every_missing_one_named() {
        let listed = [("申请书", true), ("营业执照", true), ("平面图", false)];
        let list = ("事项", "item's");
        let handed = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        check_materials(&handed(&["申请书", "营业执照"]), &listed, list).unwrap();
        let e = check_materials(&handed(&["平面图"]), &listed, list).unwrap_err();
        assert_eq!(e.code(), "missing_materials");
        assert!(e.message().zh.contains("申请书、营业执照"), "{e:?}");
        let e = check_materials(&handed(&["户口本"]), &listed, list).unwrap_err();
        assert_eq!(e.code(), "invalid_field");
        assert!(
            e.message().zh.contains("事项材料清单中没有：户口本"),
            "{e:?}"
        );
    }
}
