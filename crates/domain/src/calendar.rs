//! The working-day calendar and statutory deadlines (工作日与法定期限).
//!
//! Working days come from the official holiday table, never from the weekday alone: a weekend is
//! off unless the table makes it an adjusted working day (调休), and a listed holiday is off. A
//! date in a year the table does not cover is an error, not a guess, because the State Council
//! publishes each year's arrangement separately.
//!
//! Periods are counted as Chinese law counts them: the day a period starts from is not counted,
//! counting begins on the next day, and only working days count.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::{DomainError, Message};

/// One row of the official table: a holiday (off) or an adjusted working day (on a weekend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub name: String,
    pub off: bool,
}

/// What a date is, by the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind<'a> {
    Working,
    Weekend,
    Holiday(&'a str),
    /// A weekend day made a working day to bridge a holiday.
    Adjusted(&'a str),
}

impl DayKind<'_> {
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Working | DayKind::Adjusted(_))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeSet<i32>,
    special: HashMap<NaiveDate, (bool, String)>,
}

impl Calendar {
    /// The calendar of the given rows; the years they touch are the years it knows.
    pub fn new(days: impl IntoIterator<Item = CalendarDay>) -> Self {
        let mut calendar = Self::default();
        for day in days {
            calendar.years.insert(day.date.year());
            calendar.special.insert(day.date, (day.off, day.name));
        }
        calendar
    }

    /// Parses the table's CSV (`date,name,is_off_day`). A bad row fails the whole table, naming
    /// its line and column.
    pub fn parse_csv(text: &str) -> Result<Vec<CalendarDay>, DomainError> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, header))
                if header.trim().trim_start_matches('\u{feff}') == "date,name,is_off_day" => {}
            _ => {
                return Err(DomainError::invalid(
                    "line 1",
                    "表头应为 date,name,is_off_day",
                    "the header must be date,name,is_off_day",
                ));
            }
        }
        let mut days = Vec::new();
        let mut seen = HashMap::new();
        for (i, line) in lines {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split(',').map(str::trim).collect();
            if cols.len() != 3 {
                return Err(DomainError::invalid(
                    format!("line {n}"),
                    format!("应有 3 列，实有 {} 列", cols.len()),
                    format!("expected 3 columns, found {}", cols.len()),
                ));
            }
            let date = crate::catalog::parse_date(&format!("line {n}: date"), cols[0])?;
            if cols[1].is_empty() {
                return Err(DomainError::Required {
                    field: format!("line {n}: name"),
                });
            }
            let off = match cols[2] {
                "true" => true,
                "false" => false,
                other => {
                    return Err(DomainError::invalid(
                        format!("line {n}: is_off_day"),
                        format!("应为 true 或 false，实为“{other}”"),
                        format!("must be true or false, not {other:?}"),
                    ));
                }
            };
            if let Some(first) = seen.insert(date, n) {
                return Err(DomainError::invalid(
                    format!("line {n}: date"),
                    format!("{date} 与第 {first} 行重复"),
                    format!("{date} repeats line {first}"),
                ));
            }
            days.push(CalendarDay {
                date,
                name: cols[1].to_string(),
                off,
            });
        }
        Ok(days)
    }

    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    fn known(&self, date: NaiveDate) -> Result<(), DomainError> {
        if self.years.contains(&date.year()) {
            return Ok(());
        }
        let known = match (self.years.first(), self.years.last()) {
            (Some(a), Some(b)) => format!("{a}–{b}"),
            _ => "—".into(),
        };
        Err(DomainError::rule(
            "outside_calendar",
            format!("{date} 所在年份不在节假日日历中（已知 {known} 年），请先导入该年度的放假安排"),
            format!(
                "{date} is in a year the holiday calendar does not cover (known: {known}); import that year's arrangement first"
            ),
        ))
    }

    pub fn day(&self, date: NaiveDate) -> Result<DayKind<'_>, DomainError> {
        self.known(date)?;
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        Ok(match self.special.get(&date) {
            Some((true, name)) => DayKind::Holiday(name),
            Some((false, name)) if weekend => DayKind::Adjusted(name),
            _ if weekend => DayKind::Weekend,
            _ => DayKind::Working,
        })
    }

    pub fn is_working(&self, date: NaiveDate) -> Result<bool, DomainError> {
        Ok(self.day(date)?.is_working())
    }

    /// The date `n` working days after `start` (which is not counted). Zero days is `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, DomainError> {
        self.count_from(start, n, &[])
            .map(|walk| walk.due.unwrap_or(start))
    }

    /// Working days in `(after, through]`: the days a period starting on `after` has used by the
    /// end of `through`. Zero when `through` is not after `after`.
    pub fn working_days_between(
        &self,
        after: NaiveDate,
        through: NaiveDate,
    ) -> Result<u32, DomainError> {
        self.known(after)?;
        self.known(through)?;
        let mut n = 0;
        for date in after.iter_days().skip(1).take_while(|d| *d <= through) {
            n += u32::from(self.is_working(date)?);
        }
        Ok(n)
    }

    /// Working days left until `due` as of `today`: 0 on the due date itself, negative once
    /// overdue (−1 on the first working day after it).
    pub fn remaining(&self, today: NaiveDate, due: NaiveDate) -> Result<i64, DomainError> {
        Ok(if today <= due {
            i64::from(self.working_days_between(today, due)?)
        } else {
            -i64::from(self.working_days_between(due, today)?)
        })
    }

    /// Walks from `start` until `n` counting days have passed, skipping days inside `pauses`.
    fn count_from(&self, start: NaiveDate, n: u32, pauses: &[Pause]) -> Result<Walk, DomainError> {
        self.known(start)?;
        let mut walk = Walk::default();
        let mut date = start;
        while walk.counted < n {
            date = date + Days::new(1);
            if let Some(open) = pauses.iter().find(|p| p.until.is_none() && date > p.from) {
                walk.stopped = Some(open.from);
                return Ok(walk);
            }
            let kind = self.day(date)?;
            if pauses.iter().any(|p| p.covers(date)) {
                continue;
            }
            match kind {
                DayKind::Working => walk.counted += 1,
                DayKind::Adjusted(name) => {
                    walk.counted += 1;
                    walk.adjusted += 1;
                    note(&mut walk.names, name);
                }
                DayKind::Weekend => walk.weekend += 1,
                DayKind::Holiday(name) => {
                    walk.holidays += 1;
                    note(&mut walk.names, name);
                }
            }
        }
        walk.due = Some(date);
        Ok(walk)
    }

    /// The due date of a time limit of `days` working days counted from `start`, stopped during
    /// `pauses` and lengthened by approved `extensions`, with how it was computed. While a pause is
    /// open the clock is stopped and there is no due date yet.
    pub fn due(
        &self,
        start: NaiveDate,
        days: u32,
        pauses: &[Pause],
        extensions: &[Extension],
    ) -> Result<Due, DomainError> {
        let extra: u32 = extensions.iter().map(|e| e.days).sum();
        let total = days + extra;
        let walk = self.count_from(start, total, pauses)?;
        let mut explanation = vec![Message::new(
            format!(
                "起算日 {start}（{}）不计入，自次日起计算 {days} 个工作日",
                weekday_zh(start)
            ),
            format!(
                "{start} ({}) is not counted; {days} working days are counted from the next day",
                start.weekday()
            ),
        )];
        for e in extensions {
            explanation.push(Message::new(
                format!(
                    "经 {} 批准延长 {} 个工作日：{}",
                    e.approved_by, e.days, e.reason
                ),
                format!(
                    "extended by {} working days, approved by {}: {}",
                    e.days, e.approved_by, e.reason
                ),
            ));
        }
        for p in pauses {
            explanation.push(match p.until {
                Some(until) => {
                    let lost = self.working_days_between(p.from, until)?;
                    Message::new(
                        format!(
                            "{} {} 至 {}：停止计时，其间 {lost} 个工作日不计",
                            p.reason.zh(),
                            p.from,
                            until
                        ),
                        format!(
                            "{} from {} to {}: the clock stopped; {lost} working days not counted",
                            p.reason.en(),
                            p.from,
                            until
                        ),
                    )
                }
                None => Message::new(
                    format!("{} 自 {} 起停止计时，尚未恢复", p.reason.zh(), p.from),
                    format!("{} since {}: the clock is stopped", p.reason.en(), p.from),
                ),
            });
        }
        if walk.weekend + walk.holidays + walk.adjusted > 0 {
            let names = walk.names.join("、");
            let (names_zh, names_en) = if names.is_empty() {
                (String::new(), String::new())
            } else {
                (format!("（{names}）"), format!(" ({names})"))
            };
            explanation.push(Message::new(
                format!(
                    "跳过周末 {} 天、法定节假日 {} 天，调休上班 {} 天计入{}",
                    walk.weekend, walk.holidays, walk.adjusted, names_zh
                ),
                format!(
                    "skipped {} weekend days and {} holidays; {} adjusted working days counted{}",
                    walk.weekend, walk.holidays, walk.adjusted, names_en
                ),
            ));
        }
        if let Some(due) = walk.due {
            explanation.push(Message::new(
                format!("到期日 {due}（{}），第 {total} 个工作日", weekday_zh(due)),
                format!("due {due} ({}), working day {total}", due.weekday()),
            ));
        }
        Ok(Due {
            date: walk.due,
            used: walk.counted,
            stopped_since: walk.stopped,
            explanation,
        })
    }
}

fn note(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|n| n == name) {
        names.push(name.to_string());
    }
}

fn weekday_zh(date: NaiveDate) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
        [date.weekday().num_days_from_monday() as usize]
}

#[derive(Default)]
struct Walk {
    counted: u32,
    weekend: u32,
    holidays: u32,
    adjusted: u32,
    names: Vec<String>,
    due: Option<NaiveDate>,
    stopped: Option<NaiveDate>,
}

kinds!(
    /// Why the clock stopped: periods the law does not count toward a time limit.
    PauseReason, "停止计时事由", "pause reason" {
        Supplement = "supplement", "补正材料", "supplement of materials";
        Hearing = "hearing", "听证", "hearing";
        ExpertReview = "expert_review", "专家评审", "expert review";
        PublicNotice = "public_notice", "公示", "public notice";
        Inspection = "inspection", "检验检测", "testing and inspection";
    }
);

/// A stopped clock: days after `from` up to and including `until` are not counted. An open pause
/// (no `until`) stops the clock until it is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub reason: PauseReason,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl Pause {
    fn covers(&self, date: NaiveDate) -> bool {
        date > self.from && self.until.is_none_or(|u| date <= u)
    }
}

/// An approved extension of the time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub days: u32,
    pub reason: String,
    pub approved_by: String,
}

/// A computed due date with how it was computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// None while the clock is stopped.
    pub date: Option<NaiveDate>,
    /// Working days counted so far (all of them once a date is known).
    pub used: u32,
    pub stopped_since: Option<NaiveDate>,
    pub explanation: Vec<Message>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TABLE: &str = include_str!("../../../data/cn_holidays.csv");

    fn calendar() -> Calendar {
        Calendar::new(Calendar::parse_csv(TABLE).unwrap())
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_official_table_marks_holidays_and_adjusted_days() {
        let c = calendar();
        assert_eq!(
            c.years().collect::<Vec<_>>(),
            (2019..=2026).collect::<Vec<_>>()
        );
        // 2024 Spring Festival: Feb 10–17 off, Sunday Feb 4 and Saturday Feb 18 worked.
        assert_eq!(c.day(d("2024-02-12")).unwrap(), DayKind::Holiday("春节"));
        assert_eq!(c.day(d("2024-02-04")).unwrap(), DayKind::Adjusted("春节"));
        assert_eq!(c.day(d("2024-02-18")).unwrap(), DayKind::Adjusted("春节"));
        assert_eq!(c.day(d("2024-03-02")).unwrap(), DayKind::Weekend);
        assert_eq!(c.day(d("2024-03-04")).unwrap(), DayKind::Working);
    }

    #[test]
    fn the_start_day_is_not_counted_and_holidays_are_skipped() {
        let c = calendar();
        // Friday 2024-03-01 + 1 → Monday 03-04.
        assert_eq!(
            c.add_working_days(d("2024-03-01"), 1).unwrap(),
            d("2024-03-04")
        );
        // From Thursday 2024-09-26, 5 working days: 27, 29 (adjusted Sunday), 30, then the
        // National Day week (Oct 1–7) is off, so Oct 8 and Oct 9.
        assert_eq!(
            c.add_working_days(d("2024-09-26"), 5).unwrap(),
            d("2024-10-09")
        );
        assert_eq!(
            c.add_working_days(d("2024-09-26"), 0).unwrap(),
            d("2024-09-26")
        );
    }

    #[test]
    fn a_pause_stops_the_clock_and_is_explained() {
        let c = calendar();
        let start = d("2024-03-01");
        let plain = c.due(start, 20, &[], &[]).unwrap();
        assert_eq!(plain.date, Some(d("2024-03-29")));
        // Supplement requested Tue 03-05, materials arrived Mon 03-11: the 4 working days
        // 06, 07, 08 and 11 do not count, so the due date moves by 4 working days.
        let pause = Pause {
            reason: PauseReason::Supplement,
            from: d("2024-03-05"),
            until: Some(d("2024-03-11")),
        };
        let paused = c.due(start, 20, std::slice::from_ref(&pause), &[]).unwrap();
        assert_eq!(
            paused.date,
            Some(c.add_working_days(d("2024-03-29"), 4).unwrap())
        );
        assert!(
            paused
                .explanation
                .iter()
                .any(|m| m.zh.contains("其间 4 个工作日不计"))
        );
        let open = Pause {
            until: None,
            ..pause
        };
        let stopped = c.due(start, 20, &[open], &[]).unwrap();
        assert_eq!((stopped.date, stopped.used), (None, 2));
        assert_eq!(stopped.stopped_since, Some(d("2024-03-05")));
        let extended = c
            .due(
                start,
                20,
                &[],
                &[Extension {
                    days: 10,
                    reason: "现场核查".into(),
                    approved_by: "局长".into(),
                }],
            )
            .unwrap();
        assert_eq!(extended.date, Some(c.add_working_days(start, 30).unwrap()));
        assert!(
            extended
                .explanation
                .last()
                .unwrap()
                .zh
                .contains("第 30 个工作日")
        );
    }

    #[test]
    fn a_date_outside_the_known_years_is_an_error_not_a_guess() {
        let c = calendar();
        assert_eq!(
            c.day(d("2027-01-04")).unwrap_err().code(),
            "outside_calendar"
        );
        assert_eq!(
            c.day(d("2018-12-31")).unwrap_err().code(),
            "outside_calendar"
        );
        // A period that runs off the end of the table fails rather than guessing.
        let e = c.add_working_days(d("2026-12-20"), 20).unwrap_err();
        assert!(e.message().en.contains("2027"), "{e:?}");
    }

    #[test]
    fn a_bad_table_is_refused_with_its_line() {
        for (text, field) in [
            ("date,name\n", "line 1"),
            (
                "date,name,is_off_day\n2027-13-01,元旦,true\n",
                "line 2: date",
            ),
            (
                "date,name,is_off_day\n2027-01-01,元旦,yes\n",
                "line 2: is_off_day",
            ),
            ("date,name,is_off_day\n2027-01-01,,true\n", "line 2: name"),
            (
                "date,name,is_off_day\n2027-01-01,元旦,true\n2027-01-01,元旦,true\n",
                "line 3: date",
            ),
        ] {
            assert_eq!(
                Calendar::parse_csv(text).unwrap_err().field(),
                Some(field),
                "{text}"
            );
        }
    }

    proptest! {
        #[test]
        fn adding_then_counting_back_gives_n(offset in 0u64..2500, n in 1u32..60) {
            let c = calendar();
            let start = d("2019-01-01") + Days::new(offset);
            let due = c.add_working_days(start, n).unwrap();
            prop_assert_eq!(c.working_days_between(start, due).unwrap(), n);
            prop_assert!(c.is_working(due).unwrap(), "{} falls on a day off", due);
            prop_assert_eq!(c.remaining(start, due).unwrap(), i64::from(n));
        }

        #[test]
        fn a_pause_never_makes_the_due_date_earlier(offset in 0u64..2500, n in 1u32..40, at in 0u64..20, len in 0u64..20) {
            let c = calendar();
            let start = d("2019-01-01") + Days::new(offset);
            let from = start + Days::new(at);
            let pause = Pause { reason: PauseReason::Hearing, from, until: Some(from + Days::new(len)) };
            let plain = c.due(start, n, &[], &[]).unwrap().date.unwrap();
            let paused = c.due(start, n, &[pause], &[]).unwrap().date.unwrap();
            prop_assert!(paused >= plain);
            prop_assert!(c.is_working(paused).unwrap());
        }
    }
}
