//! The working-day calendar and statutory deadlines (工作日与法定期限).
//!
//! Working days come from the official holiday table, never from the weekday alone: a weekend is
//! off unless the table makes it an adjusted working day (调休), and a listed holiday is off. A
//! year the table does not cover yet is not refused: its statutory holidays are derived from the
//! rules (see [`crate::holidays`]) and every date computed on it is marked provisional (暂定),
//! because the State Council publishes each year's bridges and make-up days only weeks ahead.
//!
//! Periods are counted as Chinese law counts them: the day a period starts from is not counted,
//! counting begins on the next day, and only working days count.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::holidays::{self, FIRST_DERIVABLE, LAST_DERIVABLE};
use crate::{DomainError, Message};

/// One row of the official table: a holiday (off) or an adjusted working day (on a weekend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub name: String,
    pub off: bool,
}

/// An official arrangement as imported: its days, the line each came from, and the years it is
/// the arrangement of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Arrangement {
    pub days: Vec<CalendarDay>,
    pub lines: Vec<usize>,
    pub years: BTreeSet<i32>,
}

impl Arrangement {
    /// Parses `date,name,is_off_day` rows. With `year`, every row must belong to that year's
    /// arrangement. A bad row fails the whole file, naming its line and column.
    pub fn parse(text: &str, year: Option<i32>) -> Result<Self, DomainError> {
        let mut rows = text.lines().enumerate();
        match rows.next() {
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
        let mut lines = Vec::new();
        let mut years = BTreeSet::new();
        for (i, line) in rows {
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
            let day = CalendarDay {
                date,
                name: cols[1].to_string(),
                off,
            };
            let belongs = day.arrangement_year();
            if let Some(year) = year
                && belongs != year
            {
                return Err(DomainError::invalid(
                    format!("line {n}: date"),
                    format!("{date} 不属于 {year} 年的放假安排"),
                    format!("{date} is not part of the {year} arrangement"),
                ));
            }
            years.insert(belongs);
            lines.push(n);
            days.push(day);
        }
        if days.is_empty() {
            return Err(DomainError::Required {
                field: "line 2".into(),
            });
        }
        Ok(Self { days, lines, years })
    }

    /// The file's line of a date, for errors that name the row.
    pub fn line_of(&self, date: NaiveDate) -> Option<usize> {
        self.days
            .iter()
            .position(|d| d.date == date)
            .map(|i| self.lines[i])
    }

    /// Only the days of the given arrangement years.
    pub fn only(&self, keep: impl Fn(i32) -> bool) -> Self {
        let mut out = Self::default();
        for (day, line) in self.days.iter().zip(&self.lines) {
            let year = day.arrangement_year();
            if keep(year) {
                out.days.push(day.clone());
                out.lines.push(*line);
                out.years.insert(year);
            }
        }
        out
    }
}

impl CalendarDay {
    /// The year whose arrangement this row is part of: New Year's Day off in the last week of
    /// December belongs to the next year's (2022-12-31 was New Year's Day 2023's bridge).
    pub fn arrangement_year(&self) -> i32 {
        let year = self.date.year();
        if self.date.month() == 12 && self.date.day() >= 25 && self.name == "元旦" {
            year + 1
        } else {
            year
        }
    }
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

/// Statutory holidays derived for a year without an official arrangement.
type Derived = HashMap<NaiveDate, &'static str>;

#[derive(Debug, Clone)]
pub struct Calendar {
    /// Years with an imported official arrangement.
    official: BTreeSet<i32>,
    special: HashMap<NaiveDate, (bool, String)>,
    /// Derived on first use, one slot per year from FIRST_DERIVABLE to LAST_DERIVABLE.
    derived: Arc<[OnceLock<Derived>]>,
}

impl Default for Calendar {
    fn default() -> Self {
        Self::new([])
    }
}

impl Calendar {
    /// The calendar of the given rows; the years they touch are its official years. Every other
    /// year from 2014 to 2100 is provisional.
    pub fn new(days: impl IntoIterator<Item = CalendarDay>) -> Self {
        let mut official = BTreeSet::new();
        let mut special = HashMap::new();
        for day in days {
            official.insert(day.arrangement_year());
            special.insert(day.date, (day.off, day.name));
        }
        Self {
            official,
            special,
            derived: (FIRST_DERIVABLE..=LAST_DERIVABLE)
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// Parses the table's CSV (`date,name,is_off_day`). A bad row fails the whole table, naming
    /// its line and column.
    pub fn parse_csv(text: &str) -> Result<Vec<CalendarDay>, DomainError> {
        Arrangement::parse(text, None).map(|a| a.days)
    }

    /// The years with an official arrangement.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.official.iter().copied()
    }

    /// Whether dates in `year` are provisional: derived from the rules, not yet official.
    pub fn is_provisional(&self, year: i32) -> bool {
        !self.official.contains(&year)
    }

    /// The provisional years among those from `from` to `through`, inclusive.
    pub fn provisional_years(&self, from: NaiveDate, through: NaiveDate) -> Vec<i32> {
        (from.year()..=through.year())
            .filter(|y| self.is_provisional(*y))
            .collect()
    }

    /// The official table's rows for a year, as (date, off).
    pub fn official_days(&self, year: i32) -> impl Iterator<Item = (NaiveDate, bool)> + '_ {
        let mut days: Vec<_> = self
            .special
            .iter()
            .filter(|(d, _)| d.year() == year)
            .map(|(d, (off, _))| (*d, *off))
            .collect();
        days.sort();
        days.into_iter()
    }

    fn derived(&self, year: i32) -> Option<&Derived> {
        let slot = self
            .derived
            .get(usize::try_from(year - FIRST_DERIVABLE).ok()?)?;
        Some(slot.get_or_init(|| {
            holidays::statutory(year)
                .expect("derivable years match the slots")
                .into_iter()
                .collect()
        }))
    }

    /// Only years the rules describe can be derived; anything else is an error, not a guess.
    fn known(&self, date: NaiveDate) -> Result<(), DomainError> {
        let year = date.year();
        if self.official.contains(&year) || (FIRST_DERIVABLE..=LAST_DERIVABLE).contains(&year) {
            return Ok(());
        }
        Err(DomainError::rule(
            "outside_calendar",
            format!(
                "{date} 超出工作日日历的范围（{FIRST_DERIVABLE}–{LAST_DERIVABLE} 年及已导入的年份）"
            ),
            format!(
                "{date} is outside the working-day calendar ({FIRST_DERIVABLE}–{LAST_DERIVABLE} and imported years)"
            ),
        ))
    }

    pub fn day(&self, date: NaiveDate) -> Result<DayKind<'_>, DomainError> {
        self.known(date)?;
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        let derived = match self.is_provisional(date.year()) {
            true => self
                .derived(date.year())
                .expect("known() checked the range")
                .get(&date)
                .copied(),
            false => None,
        };
        Ok(match (self.special.get(&date), derived) {
            (Some((true, name)), _) => DayKind::Holiday(name),
            (Some((false, name)), _) if weekend => DayKind::Adjusted(name),
            (None, Some(name)) => DayKind::Holiday(name),
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
            walk.last = date;
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
        let provisional = self.provisional_years(start, walk.last.max(start));
        if !provisional.is_empty() {
            explanation.push(provisional_note(&provisional));
        }
        Ok(Due {
            date: walk.due,
            used: walk.counted,
            stopped_since: walk.stopped,
            provisional,
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
    /// The last day the walk looked at.
    last: NaiveDate,
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
    /// Years the count ran through whose official arrangement is not imported yet: the date is
    /// provisional (暂定) and may move by a few days.
    pub provisional: Vec<i32>,
    pub explanation: Vec<Message>,
}

/// What a person is told about a provisional date.
pub fn provisional_note(years: &[i32]) -> Message {
    let list = years
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("、");
    let list_en = list.replace('、', ", ");
    Message::new(
        format!(
            "暂定：{list} 年放假安排尚未公布，按法定节假日推算（未含调休），公布后日期可能变动几天"
        ),
        format!(
            "provisional: the {list_en} arrangement is not yet published; counted on the statutory holidays without bridges or make-up days, so the date may move by a few days"
        ),
    )
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
    fn a_year_without_an_arrangement_is_provisional_not_refused() {
        let c = calendar();
        assert!(!c.is_provisional(2026));
        assert!(c.is_provisional(2027));
        // 2027-02-08 (Monday) is the third day of the lunar year: a statutory holiday.
        assert_eq!(c.day(d("2027-02-08")).unwrap(), DayKind::Holiday("春节"));
        assert_eq!(c.day(d("2027-01-04")).unwrap(), DayKind::Working);
        // 2026-12-20 is a Sunday; 20 working days: Dec 21–31 give 9, then 2027-01-01 is
        // New Year's Day, so 11 more from Jan 4 end on Jan 18.
        let due = c.due(d("2026-12-20"), 20, &[], &[]).unwrap();
        assert_eq!(due.date, Some(d("2027-01-18")));
        assert_eq!(due.provisional, vec![2027]);
        assert!(due.explanation.last().unwrap().zh.starts_with("暂定"));
        // A count that stays in an official year is not provisional.
        let due = c.due(d("2026-11-02"), 20, &[], &[]).unwrap();
        assert!(due.provisional.is_empty());
        // Outside the years the rules describe, still an error rather than a guess.
        assert_eq!(
            c.day(d("2013-12-31")).unwrap_err().code(),
            "outside_calendar"
        );
        assert_eq!(
            c.day(d("2101-01-03")).unwrap_err().code(),
            "outside_calendar"
        );
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
