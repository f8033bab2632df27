//! Penalty cases within delegated powers: filing, investigation, notice of rights, legal review
//! (mandatory for major decisions), decision, execution, closure.

use chrono::NaiveDate;

use crate::DomainError;

kinds!(
    PenaltyState, "处罚案件状态", "penalty case state" {
        Filed = "filed", "已立案", "filed";
        Investigating = "investigating", "调查取证", "under investigation";
        Notified = "notified", "已告知权利", "notice of rights served";
        HearingRequested = "hearing_requested", "已申请听证", "hearing requested";
        Heard = "heard", "已听证", "heard";
        Reviewed = "reviewed", "已法制审核", "legally reviewed";
        Decided = "decided", "已决定", "decided";
        Executed = "executed", "已执行", "executed";
        Closed = "closed", "已结案", "closed";
    }
);

kinds!(
    PenaltyStep, "处罚案件步骤", "penalty case step" {
        Investigate = "investigate", "调查取证", "investigate";
        Notify = "notify", "送达权利告知书", "serve the notice of rights";
        RequestHearing = "request_hearing", "当事人申请听证", "the party asks for a hearing";
        Hear = "hear", "举行听证", "hold the hearing";
        Review = "review", "法制审核", "legal review";
        Extend = "extend", "延长办案期限", "extend the time limit";
        Transfer = "transfer", "移送有权机关", "transfer to the competent body";
        Decide = "decide", "作出处罚决定", "decide";
        Execute = "execute", "执行", "execute";
        Close = "close", "结案", "close";
    }
);

kinds!(
    /// The kinds of administrative penalty (行政处罚法 Art. 9) a town or department imposes.
    Sanction, "处罚种类", "sanction" {
        Warning = "warning", "警告、通报批评", "warning or public criticism";
        Fine = "fine", "罚款", "fine";
        Confiscation = "confiscation", "没收违法所得、没收非法财物", "confiscation";
        Licence = "licence", "降低资质等级、吊销许可证件", "licence downgraded or revoked";
        Closure = "closure", "责令停产停业、责令关闭、限制从业", "closure or ban from the trade";
    }
);

impl Sanction {
    /// Always heavy enough for a hearing (Art. 63(1) items 3–4), whatever the amount.
    fn always_heard(self) -> bool {
        matches!(self, Self::Licence | Self::Closure)
    }
}

/// What the notice of rights proposes, or the decision imposes: the kinds, the fine and the value
/// confiscated in yuan, and whether the penalty is aggravated (从重).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Penalty {
    pub sanctions: Vec<Sanction>,
    pub fine_yuan: i64,
    pub confiscated_yuan: i64,
    pub aggravated: bool,
}

impl<'de> serde::Deserialize<'de> for Sanction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse("sanctions", &s).map_err(serde::de::Error::custom)
    }
}

impl Penalty {
    /// Checks a proposed or imposed penalty: at least one kind, amounts that match the kinds.
    pub fn check(self) -> Result<Self, DomainError> {
        if self.sanctions.is_empty() {
            return Err(DomainError::Required {
                field: "sanctions".into(),
            });
        }
        for (kind, amount, field) in [
            (Sanction::Fine, self.fine_yuan, "fine_yuan"),
            (
                Sanction::Confiscation,
                self.confiscated_yuan,
                "confiscated_yuan",
            ),
        ] {
            let named = self.sanctions.contains(&kind);
            if amount < 0 || named != (amount > 0) {
                return Err(DomainError::invalid(
                    field,
                    format!(
                        "{}金额应为正数，且仅在处罚种类含“{}”时填写",
                        kind.zh(),
                        kind.zh()
                    ),
                    format!(
                        "the {} amount is positive exactly when the penalty includes it",
                        kind.en()
                    ),
                ));
            }
        }
        Ok(self)
    }

    /// Heavier than `notified` in any way: a decision may not be (Art. 45: no heavier penalty
    /// for stating a defence, and nothing not told in the notice).
    pub fn heavier_than(&self, notified: &Penalty) -> bool {
        self.sanctions
            .iter()
            .any(|s| !notified.sanctions.contains(s))
            || self.fine_yuan > notified.fine_yuan
            || self.confiscated_yuan > notified.confiscated_yuan
            || (self.aggravated && !notified.aggravated)
    }
}

/// Amounts from which a fine or confiscation is large (较大数额), set by each province for a
/// hearing (Art. 63) and so for the legal review of major cases (Art. 58).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Thresholds {
    pub person_yuan: i64,
    pub organisation_yuan: i64,
}

impl Default for Thresholds {
    /// 市场监督管理行政处罚听证办法 Art. 5: ¥10,000 for a natural person, ¥100,000 for an
    /// organisation; a province may set its own.
    fn default() -> Self {
        Self {
            person_yuan: 10_000,
            organisation_yuan: 100_000,
        }
    }
}

impl Thresholds {
    /// Whether the party may ask for a hearing on this penalty (Art. 63).
    pub fn hearing_right(&self, penalty: &Penalty, organisation: bool) -> bool {
        let large = if organisation {
            self.organisation_yuan
        } else {
            self.person_yuan
        };
        penalty.sanctions.iter().any(|s| s.always_heard())
            || penalty.fine_yuan >= large
            || penalty.confiscated_yuan >= large
    }

    /// A major case (重大行政处罚): one with a hearing right, or aggravated. It needs a legal
    /// review before the decision (Art. 58).
    pub fn is_major(&self, penalty: &Penalty, organisation: bool) -> bool {
        penalty.aggravated || self.hearing_right(penalty, organisation)
    }
}

/// The party asks for a hearing within this many working days of the notice (Art. 64(1)).
pub const HEARING_REQUEST_DAYS: u32 = 5;
/// A decision is made within this many days of filing (Art. 60), unless extended.
pub const DECISION_DAYS: i64 = 90;
/// One extension adds at most this many days, with the head of the body's approval.
pub const MAX_EXTENSION_DAYS: i64 = 30;

/// Where a case stands for its next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Procedure {
    /// Flagged major at filing, or major by what the notice proposed.
    pub major: bool,
    pub hearing_right: bool,
    /// The last day the party may ask for a hearing, once the notice is served.
    pub hearing_until: Option<NaiveDate>,
    /// A hearing was held.
    pub heard: bool,
    /// The last day to decide: filing + 90 days + approved extensions.
    pub decide_by: NaiveDate,
    pub today: NaiveDate,
    /// The town handling the case no longer holds the power today (revoked or suspended): it
    /// may not decide, only transfer the case to the body that holds it.
    pub power_lost: bool,
}

impl PenaltyState {
    /// The state a step leads to. A decision needs the notice of rights first; waits out the
    /// party's time to ask for a hearing and the hearing itself; needs the legal review when major
    /// or heard; and comes within the time limit. An extension keeps the state.
    pub fn after(self, step: PenaltyStep, p: &Procedure) -> Result<Self, DomainError> {
        use PenaltyState as S;
        use PenaltyStep as P;
        let open = !matches!(self, S::Decided | S::Executed | S::Closed);
        let hearing_open = p.hearing_right && p.hearing_until.is_some_and(|u| p.today <= u);
        match (self, step) {
            (_, P::Transfer) if open && p.power_lost => Ok(self),
            (_, _) if open && p.power_lost => Err(DomainError::rule(
                "no_power",
                "本乡镇已不再享有该处罚职权，不能继续办理，应移送有权机关",
                "the town no longer holds this penalty power; transfer the case to the body that does",
            )),
            (S::Filed, P::Investigate) => Ok(S::Investigating),
            (S::Investigating, P::Notify) => Ok(S::Notified),
            (S::Notified, P::RequestHearing) if !p.hearing_right => Err(DomainError::rule(
                "no_hearing_right",
                "告知的处罚不属于可以要求听证的情形（较大数额罚款、没收较大数额、吊销许可证件、责令停产停业等）",
                "the proposed penalty carries no right to a hearing",
            )),
            (S::Notified, P::RequestHearing) if !hearing_open => Err(DomainError::rule(
                "hearing_request_late",
                format!("当事人应在告知后 {HEARING_REQUEST_DAYS} 个工作日内要求听证，期限已过"),
                format!(
                    "a hearing is asked for within {HEARING_REQUEST_DAYS} working days of the notice; that time has passed"
                ),
            )),
            (S::Notified, P::RequestHearing) => Ok(S::HearingRequested),
            (S::HearingRequested, P::Hear) => Ok(S::Heard),
            (S::Notified | S::Heard, P::Review) => Ok(S::Reviewed),
            (S::HearingRequested, P::Review | P::Decide) => Err(DomainError::rule(
                "hearing_pending",
                "当事人已要求听证，听证结束前不得作出决定",
                "the party asked for a hearing: nothing is decided before it is held",
            )),
            (S::Notified | S::Reviewed, P::Decide) if hearing_open && !p.heard => {
                let until = p.hearing_until.map(|d| d.to_string()).unwrap_or_default();
                Err(DomainError::rule(
                    "hearing_period_open",
                    format!("当事人可在 {until} 前要求听证，期满或听证后才能作出决定"),
                    format!("the party may ask for a hearing until {until}; decide after that"),
                ))
            }
            (S::Heard, P::Decide) | (S::Notified, P::Decide) if p.major || self == S::Heard => {
                Err(DomainError::rule(
                    "legal_review_required",
                    "重大行政处罚决定和经过听证的处罚决定须经法制审核",
                    "a major or heard penalty decision needs a legal review first",
                ))
            }
            (S::Notified | S::Reviewed, P::Decide) if p.today > p.decide_by => {
                Err(DomainError::rule(
                    "decision_limit_passed",
                    format!(
                        "办案期限已于 {} 届满，须先经负责人批准延长期限",
                        p.decide_by
                    ),
                    format!(
                        "the time limit ran out on {}; an approved extension is needed first",
                        p.decide_by
                    ),
                ))
            }
            (S::Notified | S::Reviewed, P::Decide) => Ok(S::Decided),
            (S::Filed | S::Investigating, P::Decide) => Err(DomainError::rule(
                "no_notice_of_rights",
                "作出处罚决定前应当告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩、听证等权利",
                "the party must be served a notice of rights before a penalty decision",
            )),
            (_, P::Extend) if open => Ok(self),
            (_, P::Transfer) if open => Err(DomainError::rule(
                "power_still_held",
                "办案机关仍享有该职权，无需移送",
                "the body handling the case still holds the power; there is nothing to transfer",
            )),
            (S::Decided, P::Execute) => Ok(S::Executed),
            (S::Executed, P::Close) => Ok(S::Closed),
            _ => Err(DomainError::rule(
                "transition_not_allowed",
                format!("案件“{}”时不能“{}”", self.zh(), step.zh()),
                format!(
                    "a case that is {} cannot be given step {}",
                    self.en(),
                    step.slug()
                ),
            )),
        }
    }

    /// Steps open from here.
    pub fn steps(self, p: &Procedure) -> Vec<PenaltyStep> {
        PenaltyStep::ALL
            .iter()
            .copied()
            .filter(|s| self.after(*s, p).is_ok())
            .collect()
    }
}

/// An extension of the time limit to decide: 1 to 30 days each, with a reason.
pub fn check_extension_days(days: i64) -> Result<i64, DomainError> {
    if (1..=MAX_EXTENSION_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(DomainError::invalid(
            "days",
            format!("每次延长 1 至 {MAX_EXTENSION_DAYS} 日"),
            format!("an extension is 1 to {MAX_EXTENSION_DAYS} days"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PenaltyState as S;
    use PenaltyStep as P;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn procedure(major: bool) -> Procedure {
        Procedure {
            major,
            hearing_right: false,
            hearing_until: None,
            heard: false,
            decide_by: d("2026-03-31"),
            today: d("2026-02-01"),
            power_lost: false,
        }
    }

    #[test]
    fn a_decision_needs_the_notice_and_a_major_one_the_review() {
        let (minor, major) = (procedure(false), procedure(true));
        assert_eq!(
            S::Investigating
                .after(P::Decide, &minor)
                .unwrap_err()
                .code(),
            "no_notice_of_rights"
        );
        assert_eq!(
            S::Filed.after(P::Decide, &minor).unwrap_err().code(),
            "no_notice_of_rights"
        );
        assert_eq!(
            S::Notified.after(P::Decide, &major).unwrap_err().code(),
            "legal_review_required"
        );
        assert_eq!(S::Notified.after(P::Decide, &minor), Ok(S::Decided));
        assert_eq!(S::Reviewed.after(P::Decide, &major), Ok(S::Decided));
        assert_eq!(S::Notified.steps(&major), vec![P::Review, P::Extend]);
        assert_eq!(
            S::Notified.steps(&minor),
            vec![P::Review, P::Extend, P::Decide]
        );
        let mut s = S::Filed;
        for step in [
            P::Investigate,
            P::Notify,
            P::Review,
            P::Decide,
            P::Execute,
            P::Close,
        ] {
            s = s.after(step, &major).unwrap();
        }
        assert_eq!(s, S::Closed);
        assert!(S::Closed.steps(&minor).is_empty());
        assert!(S::Decided.after(P::Extend, &minor).is_err());
    }

    #[test]
    fn a_hearing_right_makes_the_decision_wait_and_then_needs_the_review() {
        let t = Thresholds::default();
        let fine = |yuan| Penalty {
            sanctions: vec![Sanction::Fine],
            fine_yuan: yuan,
            ..Penalty::default()
        };
        assert!(!t.hearing_right(&fine(9_999), false));
        assert!(t.hearing_right(&fine(10_000), false));
        assert!(!t.hearing_right(&fine(50_000), true));
        assert!(t.hearing_right(&fine(100_000), true));
        let closure = Penalty {
            sanctions: vec![Sanction::Closure],
            ..Penalty::default()
        };
        assert!(t.hearing_right(&closure, true) && t.is_major(&closure, true));
        let aggravated = Penalty {
            aggravated: true,
            ..fine(500)
        };
        assert!(!t.hearing_right(&aggravated, false) && t.is_major(&aggravated, false));

        let notified = Procedure {
            major: true,
            hearing_right: true,
            hearing_until: Some(d("2026-02-06")),
            ..procedure(true)
        };
        // Within the five working days the decision waits, even after a legal review.
        assert_eq!(
            S::Reviewed.after(P::Decide, &notified).unwrap_err().code(),
            "hearing_period_open"
        );
        assert_eq!(
            S::Notified.after(P::RequestHearing, &notified),
            Ok(S::HearingRequested)
        );
        assert_eq!(
            S::HearingRequested
                .after(P::Decide, &notified)
                .unwrap_err()
                .code(),
            "hearing_pending"
        );
        assert_eq!(S::HearingRequested.after(P::Hear, &notified), Ok(S::Heard));
        let heard = Procedure {
            heard: true,
            major: false,
            ..notified
        };
        assert_eq!(
            S::Heard.after(P::Decide, &heard).unwrap_err().code(),
            "legal_review_required"
        );
        assert_eq!(S::Heard.after(P::Review, &heard), Ok(S::Reviewed));
        assert_eq!(S::Reviewed.after(P::Decide, &heard), Ok(S::Decided));
        // Too late to ask; no right to ask.
        let late = Procedure {
            today: d("2026-02-09"),
            ..notified
        };
        assert_eq!(
            S::Notified
                .after(P::RequestHearing, &late)
                .unwrap_err()
                .code(),
            "hearing_request_late"
        );
        assert_eq!(S::Reviewed.after(P::Decide, &late), Ok(S::Decided));
        assert_eq!(
            S::Notified
                .after(P::RequestHearing, &procedure(false))
                .unwrap_err()
                .code(),
            "no_hearing_right"
        );
    }

    #[test]
    fn the_decision_comes_within_the_limit_and_is_no_heavier_than_notified() {
        let overdue = Procedure {
            today: d("2026-04-01"),
            ..procedure(false)
        };
        assert_eq!(
            S::Notified.after(P::Decide, &overdue).unwrap_err().code(),
            "decision_limit_passed"
        );
        assert_eq!(S::Notified.after(P::Extend, &overdue), Ok(S::Notified));
        // A town that lost the power transfers the case instead of deciding it.
        let lost = Procedure {
            power_lost: true,
            ..procedure(false)
        };
        assert_eq!(
            S::Notified.after(P::Decide, &lost).unwrap_err().code(),
            "no_power"
        );
        assert_eq!(S::Notified.after(P::Transfer, &lost), Ok(S::Notified));
        assert_eq!(
            S::Notified
                .after(P::Transfer, &procedure(false))
                .unwrap_err()
                .code(),
            "power_still_held"
        );
        assert_eq!(check_extension_days(30), Ok(30));
        assert!(check_extension_days(31).is_err() && check_extension_days(0).is_err());
        let notified = Penalty {
            sanctions: vec![Sanction::Fine],
            fine_yuan: 5_000,
            ..Penalty::default()
        }
        .check()
        .unwrap();
        let lower = Penalty {
            fine_yuan: 3_000,
            ..notified.clone()
        };
        assert!(!lower.heavier_than(&notified));
        let more = Penalty {
            fine_yuan: 6_000,
            ..notified.clone()
        };
        assert!(more.heavier_than(&notified));
        let other = Penalty {
            sanctions: vec![Sanction::Fine, Sanction::Closure],
            ..notified.clone()
        };
        assert!(other.heavier_than(&notified));
        for bad in [
            Penalty::default(),
            Penalty {
                sanctions: vec![Sanction::Warning],
                fine_yuan: 100,
                ..Penalty::default()
            },
            Penalty {
                sanctions: vec![Sanction::Fine],
                ..Penalty::default()
            },
        ] {
            assert!(bad.clone().check().is_err(), "{bad:?}");
        }
    }
}
