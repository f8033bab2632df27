//! The time limits of an approval case as 行政许可法 sets them: when the clock starts, the one
//! notice of what is missing, the one capped extension, no decision while the clock is stopped,
//! and whether a decision came in time.
//!
//! - Art. 32(4): what is missing is told all at once, within five working days of receipt; an
//!   office that stays silent has accepted the application on the day it received it.
//! - Art. 42: the limit counts from acceptance (受理之日起); the head of the organ may extend it
//!   once, by at most ten working days, before it runs out.
//! - Art. 45: hearings, expert reviews and the like are not counted, and nothing is decided while
//!   they run.

use chrono::NaiveDate;

use crate::calendar::{Calendar, Due, Extension, Pause, PauseReason};
use crate::case::CaseAction;
use crate::{DomainError, Message};

/// Working days after receipt (or after the supplement arrived) within which the office accepts,
/// refuses or tells everything missing.
pub const ANSWER_DAYS: u32 = 5;
/// The one extension of the statutory limit, in working days at most.
pub const MAX_EXTENSION_DAYS: u32 = 10;

/// The intake of a case: the days that decide when its clock starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intake {
    pub received: NaiveDate,
    pub supplement_requested: Option<NaiveDate>,
    pub supplied: Option<NaiveDate>,
    pub accepted: Option<NaiveDate>,
}

/// The day the limit counts from (itself not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub day: NaiveDate,
    /// The office let the answer period pass: accepted by law on `day` (视为受理).
    pub deemed: bool,
}

impl Intake {
    /// The intake as the case's steps record it, oldest first, as (action slug, day).
    pub fn from_steps<'a>(
        received: NaiveDate,
        steps: impl IntoIterator<Item = (&'a str, NaiveDate)>,
    ) -> Self {
        let mut intake = Self {
            received,
            supplement_requested: None,
            supplied: None,
            accepted: None,
        };
        for (action, day) in steps {
            let slot = match action {
                a if a == CaseAction::RequestSupplement.slug() => &mut intake.supplement_requested,
                a if a == CaseAction::Supply.slug() => &mut intake.supplied,
                a if a == CaseAction::Accept.slug() => &mut intake.accepted,
                _ => continue,
            };
            slot.get_or_insert(day);
        }
        intake
    }

    /// The last day to accept, refuse or ask for the supplement: five working days after receipt,
    /// or after the supplement arrived.
    pub fn answer_by(&self, calendar: &Calendar) -> Result<NaiveDate, DomainError> {
        calendar.add_working_days(self.supplied.unwrap_or(self.received), ANSWER_DAYS)
    }

    /// When the limit starts on `today`: the acceptance day if the office answered in time, else
    /// the day the materials were complete (receipt, or the supplement's arrival). Before an
    /// answer the limit runs as if accepted on that day, which is what the law makes of silence.
    /// None while the applicant owes a supplement.
    pub fn start(
        &self,
        calendar: &Calendar,
        today: NaiveDate,
    ) -> Result<Option<Start>, DomainError> {
        if self.supplement_requested.is_some() && self.supplied.is_none() {
            return Ok(None);
        }
        let complete = self.supplied.unwrap_or(self.received);
        let by = self.answer_by(calendar)?;
        Ok(Some(match self.accepted {
            Some(a) if a <= by => Start {
                day: a,
                deemed: false,
            },
            Some(_) => Start {
                day: complete,
                deemed: true,
            },
            None => Start {
                day: complete,
                deemed: today > by,
            },
        }))
    }

    /// Whether the office may still take an intake step on `today`: the supplement notice is
    /// given once, within the answer period; a refusal to accept too.
    pub fn check(
        &self,
        action: CaseAction,
        calendar: &Calendar,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        let by = self.answer_by(calendar)?;
        match action {
            CaseAction::RequestSupplement if self.supplement_requested.is_some() => {
                Err(DomainError::rule(
                    "supplement_once",
                    "补正材料应当一次性告知，本件已告知过一次，不能再次要求补正",
                    "everything missing is told at once: this case was already asked for a supplement",
                ))
            }
            CaseAction::RequestSupplement | CaseAction::Reject if today > by => {
                Err(DomainError::rule(
                    "deemed_accepted",
                    format!(
                        "收到申请材料后 {ANSWER_DAYS} 个工作日内（至 {by}）未告知补正或不予受理，依法自收到之日起即为受理，只能受理后审查"
                    ),
                    format!(
                        "no supplement notice or refusal within {ANSWER_DAYS} working days of receipt (by {by}): by law the application was accepted on receipt; accept it and review"
                    ),
                ))
            }
            _ => Ok(()),
        }
    }
}

/// The statutory (or promised) due date of a case: `days` working days from its start, without
/// the days its clock was stopped after the start, with approved extensions. None while the
/// applicant owes a supplement.
pub fn case_due(
    calendar: &Calendar,
    intake: &Intake,
    today: NaiveDate,
    days: u32,
    pauses: &[Pause],
    extensions: &[Extension],
) -> Result<Option<Due>, DomainError> {
    let Some(start) = intake.start(calendar, today)? else {
        return Ok(None);
    };
    // A supplement is owed before acceptance, never after: the clock has not started then.
    let stops: Vec<Pause> = pauses
        .iter()
        .filter(|p| p.reason != PauseReason::Supplement)
        .cloned()
        .collect();
    let mut due = calendar.due(start.day, days, &stops, extensions)?;
    let first = match (intake.accepted, start.deemed) {
        (Some(a), false) => Message::new(
            format!("自受理之日 {a} 起计算（行政许可法第四十二条）"),
            format!("counted from acceptance on {a} (Licensing Law Art. 42)"),
        ),
        (_, true) => Message::new(
            format!(
                "{ANSWER_DAYS} 个工作日内未告知补正，自收到完整材料之日 {} 起视为受理（第三十二条）",
                start.day
            ),
            format!(
                "no supplement notice within {ANSWER_DAYS} working days: accepted by law on {} (Art. 32)",
                start.day
            ),
        ),
        (None, false) => Message::new(
            format!(
                "尚未受理：暂按收到完整材料之日 {} 计算，受理后自受理之日起算",
                start.day
            ),
            format!(
                "not accepted yet: counted from {} for now, from acceptance once accepted",
                start.day
            ),
        ),
    };
    due.explanation.insert(0, first);
    Ok(Some(due))
}

/// A request to extend the statutory limit: once, by 1 to 10 working days, while the clock runs
/// and before the limit runs out. `earlier` counts the case's requests that were approved or are
/// waiting.
pub fn check_extension(
    days: i64,
    earlier: usize,
    statutory_due: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<u32, DomainError> {
    if earlier > 0 {
        return Err(DomainError::rule(
            "extension_once",
            "办理期限只能延长一次，本件已申请或批准过延期",
            "a time limit is extended once: this case already has an extension requested or approved",
        ));
    }
    let Some(due) = statutory_due else {
        return Err(DomainError::rule(
            "clock_stopped",
            "计时中止期间或尚未受理的办件没有可延长的期限",
            "the case has no running limit to extend",
        ));
    };
    if today > due {
        return Err(DomainError::rule(
            "extension_too_late",
            format!("法定期限已于 {due} 届满，延期须在期限届满前申请"),
            format!("the statutory limit ran out on {due}; an extension is asked for before that"),
        ));
    }
    match u32::try_from(days) {
        Ok(d @ 1..=MAX_EXTENSION_DAYS) => Ok(d),
        _ => Err(DomainError::invalid(
            "days",
            format!("延长期限为 1 至 {MAX_EXTENSION_DAYS} 个工作日（行政许可法第四十二条）"),
            format!(
                "an extension is 1 to {MAX_EXTENSION_DAYS} working days (Licensing Law Art. 42)"
            ),
        )),
    }
}

/// Nothing is decided while a hearing, expert review or other excluded period stops the clock.
pub fn check_clock_running(
    action: CaseAction,
    stopped_for: Option<PauseReason>,
) -> Result<(), DomainError> {
    match stopped_for {
        Some(reason) if action.is_decision() => Err(DomainError::rule(
            "clock_stopped",
            format!("计时因“{}”中止，恢复计时后才能作出决定", reason.zh()),
            format!(
                "the clock is stopped for {}; resume it before deciding",
                reason.en()
            ),
        )),
        _ => Ok(()),
    }
}

/// Whether a decision on `decided` met a due date; None without one.
pub fn on_time(decided: NaiveDate, due: Option<NaiveDate>) -> Option<bool> {
    due.map(|due| decided <= due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> Calendar {
        Calendar::new(Calendar::parse_csv(include_str!("../../../data/cn_holidays.csv")).unwrap())
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn intake(received: &str) -> Intake {
        Intake {
            received: d(received),
            supplement_requested: None,
            supplied: None,
            accepted: None,
        }
    }

    #[test]
    fn the_limit_counts_from_acceptance_not_receipt() {
        let c = calendar();
        // Received Mon 2024-03-04, accepted Fri 03-08 (4 working days later, in time).
        let accepted = Intake {
            accepted: Some(d("2024-03-08")),
            ..intake("2024-03-04")
        };
        let due = case_due(&c, &accepted, d("2024-03-08"), 20, &[], &[])
            .unwrap()
            .unwrap();
        assert_eq!(
            due.date,
            Some(c.add_working_days(d("2024-03-08"), 20).unwrap())
        );
        assert!(due.explanation[0].zh.contains("自受理之日 2024-03-08"));
        // Before the answer the limit runs from receipt; silence past the 5 days is acceptance.
        let open = intake("2024-03-04");
        let start = open.start(&c, d("2024-03-11")).unwrap().unwrap();
        assert_eq!(
            start,
            Start {
                day: d("2024-03-04"),
                deemed: false
            }
        );
        assert_eq!(open.answer_by(&c).unwrap(), d("2024-03-11"));
        let start = open.start(&c, d("2024-03-12")).unwrap().unwrap();
        assert_eq!(
            start,
            Start {
                day: d("2024-03-04"),
                deemed: true
            }
        );
        // Accepted late: counted from receipt all the same.
        let late = Intake {
            accepted: Some(d("2024-03-15")),
            ..open
        };
        let due = case_due(&c, &late, d("2024-03-15"), 20, &[], &[])
            .unwrap()
            .unwrap();
        assert_eq!(
            due.date,
            Some(c.add_working_days(d("2024-03-04"), 20).unwrap())
        );
        assert!(due.explanation[0].zh.contains("视为受理"));
    }

    #[test]
    fn a_supplement_is_asked_once_within_five_days_and_moves_the_start() {
        let c = calendar();
        let open = intake("2024-03-04");
        open.check(CaseAction::RequestSupplement, &c, d("2024-03-11"))
            .unwrap();
        let late = open
            .check(CaseAction::RequestSupplement, &c, d("2024-03-12"))
            .unwrap_err();
        assert_eq!(late.code(), "deemed_accepted");
        assert_eq!(
            open.check(CaseAction::Reject, &c, d("2024-03-12"))
                .unwrap_err()
                .code(),
            "deemed_accepted"
        );
        open.check(CaseAction::Accept, &c, d("2024-04-30")).unwrap();
        let asked = Intake {
            supplement_requested: Some(d("2024-03-06")),
            ..open
        };
        assert_eq!(
            asked
                .check(CaseAction::RequestSupplement, &c, d("2024-03-07"))
                .unwrap_err()
                .code(),
            "supplement_once"
        );
        // While the supplement is owed there is no clock; once it arrives the answer period
        // starts again from that day.
        assert_eq!(asked.start(&c, d("2024-03-20")).unwrap(), None);
        assert_eq!(
            case_due(&c, &asked, d("2024-03-20"), 20, &[], &[]).unwrap(),
            None
        );
        let supplied = Intake {
            supplied: Some(d("2024-03-20")),
            accepted: Some(d("2024-03-22")),
            ..asked
        };
        assert_eq!(supplied.answer_by(&c).unwrap(), d("2024-03-27"));
        let start = supplied.start(&c, d("2024-03-22")).unwrap().unwrap();
        assert_eq!(
            start,
            Start {
                day: d("2024-03-22"),
                deemed: false
            }
        );
        // The supplement's pause lies before the start and takes nothing off.
        let pause = Pause {
            reason: PauseReason::Supplement,
            from: d("2024-03-06"),
            until: Some(d("2024-03-20")),
        };
        let due = case_due(&c, &supplied, d("2024-03-22"), 20, &[pause], &[])
            .unwrap()
            .unwrap();
        assert_eq!(
            due.date,
            Some(c.add_working_days(d("2024-03-22"), 20).unwrap())
        );
    }

    #[test]
    fn the_steps_give_the_first_day_of_each_intake_step() {
        let steps = [
            ("request_supplement", d("2024-03-05")),
            ("supply", d("2024-03-08")),
            ("accept", d("2024-03-11")),
            ("accept", d("2024-03-12")),
        ];
        let i = Intake::from_steps(d("2024-03-04"), steps);
        assert_eq!(i.supplement_requested, Some(d("2024-03-05")));
        assert_eq!(i.supplied, Some(d("2024-03-08")));
        assert_eq!(i.accepted, Some(d("2024-03-11")));
    }

    #[test]
    fn one_extension_of_at_most_ten_days_before_the_limit_runs_out() {
        let due = Some(d("2024-04-01"));
        assert_eq!(check_extension(10, 0, due, d("2024-04-01")), Ok(10));
        for days in [0, 11, 20, -1] {
            assert_eq!(
                check_extension(days, 0, due, d("2024-03-20"))
                    .unwrap_err()
                    .field(),
                Some("days"),
                "{days}"
            );
        }
        assert_eq!(
            check_extension(5, 1, due, d("2024-03-20"))
                .unwrap_err()
                .code(),
            "extension_once"
        );
        assert_eq!(
            check_extension(5, 0, due, d("2024-04-02"))
                .unwrap_err()
                .code(),
            "extension_too_late"
        );
        assert_eq!(
            check_extension(5, 0, None, d("2024-03-20"))
                .unwrap_err()
                .code(),
            "clock_stopped"
        );
    }

    #[test]
    fn no_decision_while_the_clock_is_stopped_and_lateness_is_recorded() {
        let hearing = Some(PauseReason::Hearing);
        assert_eq!(
            check_clock_running(CaseAction::Grant, hearing)
                .unwrap_err()
                .code(),
            "clock_stopped"
        );
        assert_eq!(
            check_clock_running(CaseAction::Deny, Some(PauseReason::ExpertReview))
                .unwrap_err()
                .code(),
            "clock_stopped"
        );
        check_clock_running(CaseAction::Withdraw, hearing).unwrap();
        check_clock_running(CaseAction::Grant, None).unwrap();
        assert_eq!(on_time(d("2024-04-01"), Some(d("2024-04-01"))), Some(true));
        assert_eq!(on_time(d("2024-04-02"), Some(d("2024-04-01"))), Some(false));
        assert_eq!(on_time(d("2024-04-02"), None), None);
    }
}
