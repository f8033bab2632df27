//! Leads (线索): a report of a problem, routed to whoever holds the power in that town, and timed
//! from receipt to closure.

use chrono::{DateTime, Utc};

use super::EnforcementDomain;
use crate::codes::{DepartmentCode, TownCode};
use crate::{DomainError, Message};

kinds!(
    LeadSource, "线索来源", "lead source" {
        Patrol = "patrol", "日常巡查", "patrol";
        Hotline = "hotline", "12345热线", "12345 hotline";
        Public = "public", "群众网上举报", "public report online";
        Referral = "referral", "部门移送", "referral from a department";
    }
);

kinds!(
    Urgency, "紧急程度", "urgency" {
        Urgent = "urgent", "紧急", "urgent";
        Normal = "normal", "一般", "normal";
    }
);

impl Urgency {
    /// Minutes from receipt within which an officer should be on site.
    pub fn on_site_target_minutes(self) -> i64 {
        match self {
            Self::Urgent => 15,
            Self::Normal => 120,
        }
    }
}

kinds!(
    LeadState, "线索状态", "lead state" {
        Received = "received", "已接收", "received";
        Dispatched = "dispatched", "已派遣", "dispatched";
        OnSite = "on_site", "已到场", "on site";
        Disposed = "disposed", "已处置", "disposed";
        Closed = "closed", "已办结", "closed";
    }
);

kinds!(
    LeadStep, "线索处理步骤", "lead step" {
        Dispatch = "dispatch", "派遣", "dispatch";
        Arrive = "arrive", "到场", "arrive on site";
        Dispose = "dispose", "处置", "dispose";
        Close = "close", "办结", "close";
    }
);

impl LeadState {
    /// The state a step leads to; steps come in one order only.
    pub fn after(self, step: LeadStep) -> Result<Self, DomainError> {
        use LeadState as S;
        use LeadStep as P;
        match (self, step) {
            (S::Received, P::Dispatch) => Ok(S::Dispatched),
            (S::Dispatched, P::Arrive) => Ok(S::OnSite),
            (S::OnSite, P::Dispose) => Ok(S::Disposed),
            (S::Disposed, P::Close) => Ok(S::Closed),
            _ => Err(DomainError::rule(
                "transition_not_allowed",
                format!("线索“{}”时不能“{}”", self.zh(), step.zh()),
                format!(
                    "a lead that is {} cannot be given step {}",
                    self.en(),
                    step.slug()
                ),
            )),
        }
    }

    pub fn next_step(self) -> Option<LeadStep> {
        LeadStep::ALL
            .iter()
            .copied()
            .find(|s| self.after(*s).is_ok())
    }

    /// Open311 has two statuses.
    pub fn open311_status(self) -> &'static str {
        if self == Self::Closed {
            "closed"
        } else {
            "open"
        }
    }
}

/// Who handles a lead or a penalty case: the town's team when the power is the town's, otherwise
/// the county department of the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handler {
    Town(TownCode),
    Department(DepartmentCode),
}

impl Handler {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Town(_) => "town",
            Self::Department(_) => "department",
        }
    }

    /// The department, when the handler is one (the column that scopes department records).
    pub fn department(&self) -> Option<&DepartmentCode> {
        match self {
            Self::Department(d) => Some(d),
            Self::Town(_) => None,
        }
    }

    /// A handler as stored: its kind (`town` or `department`) and code.
    pub fn parse(kind: &str, code: &str) -> Result<Self, DomainError> {
        match kind {
            "town" => Ok(Self::Town(TownCode::parse("handler_code", code)?)),
            _ => Ok(Self::Department(DepartmentCode::parse(
                "handler_code",
                code,
            )?)),
        }
    }

    pub fn code(&self) -> String {
        match self {
            Self::Town(t) => t.to_string(),
            Self::Department(d) => d.to_string(),
        }
    }
}

/// Where a matter of `domain` in `town` goes, and why. `delegation` is the document by which the
/// field's powers are with the town on the day, if they are.
pub fn route(
    domain: EnforcementDomain,
    town: &TownCode,
    town_name: &str,
    delegation: Option<&str>,
) -> (Handler, Message) {
    match delegation {
        Some(doc) => (
            Handler::Town(town.clone()),
            Message::new(
                format!(
                    "“{}”领域执法权已依《{doc}》赋予{town_name}，由乡镇综合执法队处置",
                    domain.zh()
                ),
                format!(
                    "{} powers are delegated to {town_name} by {doc}; the town team handles it",
                    domain.en()
                ),
            ),
        ),
        None => {
            let dept = DepartmentCode::new(&town.county(), domain.department());
            (
                Handler::Department(dept),
                Message::new(
                    format!(
                        "“{}”领域执法权未赋予{town_name}，由县{}处置",
                        domain.zh(),
                        domain.department().zh()
                    ),
                    format!(
                        "{} powers are not delegated to {town_name}; the county {} department handles it",
                        domain.en(),
                        domain.department().en()
                    ),
                ),
            )
        }
    }
}

/// When a lead reached each state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadTimes {
    pub received: Option<DateTime<Utc>>,
    pub dispatched: Option<DateTime<Utc>>,
    pub on_site: Option<DateTime<Utc>>,
    pub disposed: Option<DateTime<Utc>>,
    pub closed: Option<DateTime<Utc>>,
}

impl LeadTimes {
    /// Minutes from receipt to arrival on site, once arrived.
    pub fn on_site_minutes(&self) -> Option<i64> {
        Some((self.on_site? - self.received?).num_minutes())
    }

    /// Whether the on-site target is missed: arrived late, or not there and the time is up.
    pub fn breached(&self, urgency: Urgency, now: DateTime<Utc>) -> bool {
        let Some(received) = self.received else {
            return false;
        };
        let until = self.on_site.unwrap_or(now);
        // Whole seconds count: 15 minutes and 59 seconds misses a 15-minute target.
        until - received > chrono::Duration::minutes(urgency.on_site_target_minutes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_in_one_order() {
        let mut s = LeadState::Received;
        for step in [
            LeadStep::Dispatch,
            LeadStep::Arrive,
            LeadStep::Dispose,
            LeadStep::Close,
        ] {
            assert_eq!(s.next_step(), Some(step));
            s = s.after(step).unwrap();
        }
        assert_eq!(s, LeadState::Closed);
        assert_eq!(s.next_step(), None);
        assert_eq!(s.open311_status(), "closed");
        let skip = LeadState::Received.after(LeadStep::Close).unwrap_err();
        assert_eq!(skip.code(), "transition_not_allowed");
    }

    #[test]
    fn routing_follows_the_delegation_and_says_why() {
        let town = TownCode::parse("t", "371481101").unwrap();
        let (to, why) = route(
            EnforcementDomain::Market,
            &town,
            "胡家镇",
            Some("乐政发〔2022〕9号"),
        );
        assert_eq!(to, Handler::Town(town.clone()));
        assert!(why.zh.contains("乐政发〔2022〕9号"));
        let (to, why) = route(EnforcementDomain::Traffic, &town, "胡家镇", None);
        assert_eq!(to.code(), "371481JJ");
        assert!(why.en.contains("not delegated"));
    }

    #[test]
    fn the_on_site_target_is_breached_late_or_when_time_runs_out() {
        let t = |m: i64| DateTime::<Utc>::from_timestamp(1_700_000_000 + m * 60, 0).unwrap();
        let times = LeadTimes {
            received: Some(t(0)),
            on_site: Some(t(14)),
            ..LeadTimes::default()
        };
        assert_eq!(times.on_site_minutes(), Some(14));
        assert!(!times.breached(Urgency::Urgent, t(100)));
        let late = LeadTimes {
            received: Some(t(0)),
            on_site: Some(t(16)),
            ..LeadTimes::default()
        };
        assert!(late.breached(Urgency::Urgent, t(16)));
        assert!(!late.breached(Urgency::Normal, t(16)));
        let waiting = LeadTimes {
            received: Some(t(0)),
            ..LeadTimes::default()
        };
        assert!(!waiting.breached(Urgency::Urgent, t(15)));
        assert!(waiting.breached(Urgency::Urgent, t(16)));
    }
}
