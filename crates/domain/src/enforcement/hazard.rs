//! Hazards (隐患): a risk found at an inspection, to be fixed by a deadline, re-inspected and
//! closed; overdue ones go up to the county department.

use chrono::NaiveDate;

use crate::DomainError;

kinds!(
    HazardLevel, "隐患等级", "hazard level" {
        General = "general", "一般隐患", "general";
        Major = "major", "重大隐患", "major";
    }
);

kinds!(
    HazardState, "隐患状态", "hazard state" {
        Open = "open", "整改中", "being rectified";
        Escalated = "escalated", "逾期已上报", "overdue, escalated";
        Closed = "closed", "已销号", "closed";
    }
);

/// A rectification deadline is today or later.
pub fn check_deadline(deadline: NaiveDate, today: NaiveDate) -> Result<(), DomainError> {
    if deadline < today {
        return Err(DomainError::invalid(
            "deadline",
            format!("整改期限 {deadline} 早于今天 {today}"),
            format!("the rectification deadline {deadline} is before today {today}"),
        ));
    }
    Ok(())
}

impl HazardState {
    /// Still open past its deadline: due for escalation.
    pub fn overdue(self, deadline: NaiveDate, today: NaiveDate) -> bool {
        self == Self::Open && today > deadline
    }

    /// After a re-inspection: closed if rectified, otherwise as it was (with a new deadline).
    pub fn reinspected(self, rectified: bool) -> Result<Self, DomainError> {
        match self {
            Self::Closed => Err(DomainError::rule(
                "transition_not_allowed",
                "隐患已销号",
                "the hazard is already closed",
            )),
            _ if rectified => Ok(Self::Closed),
            s => Ok(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_rectification_and_escalation() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(check_deadline(d("2026-11-25"), d("2026-11-25")).is_ok());
        let past = check_deadline(d("2026-11-24"), d("2026-11-25")).unwrap_err();
        assert_eq!(past.field(), Some("deadline"));
        assert!(HazardState::Open.overdue(d("2026-11-24"), d("2026-11-25")));
        assert!(!HazardState::Open.overdue(d("2026-11-25"), d("2026-11-25")));
        assert!(!HazardState::Escalated.overdue(d("2026-11-01"), d("2026-11-25")));
        assert_eq!(
            HazardState::Escalated.reinspected(true),
            Ok(HazardState::Closed)
        );
        assert_eq!(HazardState::Open.reinspected(false), Ok(HazardState::Open));
        assert!(HazardState::Closed.reinspected(true).is_err());
    }
}
