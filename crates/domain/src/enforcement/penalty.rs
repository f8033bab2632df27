//! Penalty cases within delegated powers: filing, investigation, notice of rights, legal review
//! (mandatory for major decisions), decision, execution, closure.

use crate::DomainError;

kinds!(
    PenaltyState, "处罚案件状态", "penalty case state" {
        Filed = "filed", "已立案", "filed";
        Investigating = "investigating", "调查取证", "under investigation";
        Notified = "notified", "已告知权利", "notice of rights served";
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
        Review = "review", "法制审核", "legal review";
        Decide = "decide", "作出处罚决定", "decide";
        Execute = "execute", "执行", "execute";
        Close = "close", "结案", "close";
    }
);

impl PenaltyState {
    /// The state a step leads to. A decision needs the notice of rights first, and a major one the
    /// legal review too.
    pub fn after(self, step: PenaltyStep, major: bool) -> Result<Self, DomainError> {
        use PenaltyState as S;
        use PenaltyStep as P;
        match (self, step) {
            (S::Filed, P::Investigate) => Ok(S::Investigating),
            (S::Investigating, P::Notify) => Ok(S::Notified),
            (S::Notified, P::Review) => Ok(S::Reviewed),
            (S::Notified, P::Decide) if major => Err(DomainError::rule(
                "legal_review_required",
                "重大行政处罚决定须经法制审核",
                "a major penalty decision needs a legal review first",
            )),
            (S::Notified | S::Reviewed, P::Decide) => Ok(S::Decided),
            (S::Filed | S::Investigating, P::Decide) => Err(DomainError::rule(
                "no_notice_of_rights",
                "作出处罚决定前应当告知当事人拟作出的处罚内容及事实、理由、依据和陈述、申辩、听证等权利",
                "the party must be served a notice of rights before a penalty decision",
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
    pub fn steps(self, major: bool) -> Vec<PenaltyStep> {
        PenaltyStep::ALL
            .iter()
            .copied()
            .filter(|s| self.after(*s, major).is_ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PenaltyState as S;
    use PenaltyStep as P;

    #[test]
    fn a_decision_needs_the_notice_and_a_major_one_the_review() {
        assert_eq!(
            S::Investigating.after(P::Decide, false).unwrap_err().code(),
            "no_notice_of_rights"
        );
        assert_eq!(
            S::Filed.after(P::Decide, false).unwrap_err().code(),
            "no_notice_of_rights"
        );
        assert_eq!(
            S::Notified.after(P::Decide, true).unwrap_err().code(),
            "legal_review_required"
        );
        assert_eq!(S::Notified.after(P::Decide, false), Ok(S::Decided));
        assert_eq!(S::Reviewed.after(P::Decide, true), Ok(S::Decided));
        assert_eq!(S::Notified.steps(true), vec![P::Review]);
        assert_eq!(S::Notified.steps(false), vec![P::Review, P::Decide]);
        let mut s = S::Filed;
        for step in [
            P::Investigate,
            P::Notify,
            P::Review,
            P::Decide,
            P::Execute,
            P::Close,
        ] {
            s = s.after(step, true).unwrap();
        }
        assert_eq!(s, S::Closed);
        assert!(S::Closed.steps(false).is_empty());
    }
}
