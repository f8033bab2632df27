//! The statutory holidays (法定节假日) as the rules fix them, for years whose official arrangement
//! (放假安排) is not yet published.
//!
//! 《全国年节及纪念日放假办法》 fixes which days are holidays; each year the State Council then adds
//! bridging days and make-up working days (调休), which no rule can predict. So a derived year knows
//! the statutory days and the weekends, and nothing else: a due date computed on it is provisional
//! (暂定) and may move by a few days once the year's arrangement is imported.
//!
//! Lunar dates and the Qingming solar term come from `tyme4rs`, a maintained calendar library;
//! no lunar table is written here.

use chrono::{Datelike, Days, NaiveDate};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// The first year the rules below describe: the 2013 revision, in force from 2014-01-01.
pub const FIRST_DERIVABLE: i32 = 2014;
/// The last year derived; a date later than this is refused rather than guessed.
pub const LAST_DERIVABLE: i32 = 2100;

/// Which revision of the rules fixes a year's holidays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rules {
    /// The 2013 revision (in force 2014–2024): Spring Festival on the 1st–3rd of the first lunar
    /// month, Labour Day on 1 May only.
    Revision2013,
    /// The 2024 revision (in force from 2025): Spring Festival adds lunar New Year's Eve, Labour
    /// Day adds 2 May.
    Revision2024,
}

impl Rules {
    pub fn for_year(year: i32) -> Option<Self> {
        match year {
            FIRST_DERIVABLE..=2024 => Some(Self::Revision2013),
            2025..=LAST_DERIVABLE => Some(Self::Revision2024),
            _ => None,
        }
    }
}

/// The statutory holidays of `year` under the rules in force that year, in date order, with the
/// holiday's name as the official table spells it. None outside the derivable years.
pub fn statutory(year: i32) -> Option<Vec<(NaiveDate, &'static str)>> {
    let rules = Rules::for_year(year)?;
    let ymd = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).expect("a fixed date");
    let mut days = vec![(ymd(1, 1), "元旦")];
    let new_year = solar(LunarDay::from_ymd(year as isize, 1, 1).get_solar_day());
    if rules == Rules::Revision2024 {
        // Lunar New Year's Eve is the day before the first of the first month, whether the
        // twelfth month has 29 or 30 days.
        days.push((new_year - Days::new(1), "春节"));
    }
    for i in 0..3 {
        days.push((new_year + Days::new(i), "春节"));
    }
    days.push((
        solar(SolarTerm::from_name(year as isize, "清明").get_solar_day()),
        "清明节",
    ));
    days.push((ymd(5, 1), "劳动节"));
    if rules == Rules::Revision2024 {
        days.push((ymd(5, 2), "劳动节"));
    }
    days.push((
        solar(LunarDay::from_ymd(year as isize, 5, 5).get_solar_day()),
        "端午节",
    ));
    days.push((
        solar(LunarDay::from_ymd(year as isize, 8, 15).get_solar_day()),
        "中秋节",
    ));
    for d in 1..=3 {
        days.push((ymd(10, d), "国庆节"));
    }
    // Some holidays can share a day (Mid-Autumn on 1 October in 2020, 2025): one entry each.
    days.sort();
    days.dedup_by_key(|(d, _)| *d);
    debug_assert!(days.iter().all(|(d, _)| d.year() == year));
    Some(days)
}

fn solar(day: SolarDay) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        day.get_year() as i32,
        day.get_month() as u32,
        day.get_day() as u32,
    )
    .expect("the calendar library gives valid dates")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;

    const TABLE: &str = include_str!("../../../data/cn_holidays.csv");

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn lunar_and_solar_term_dates_are_the_known_ones() {
        let of = |y: i32, name: &str| -> Vec<NaiveDate> {
            statutory(y)
                .unwrap()
                .into_iter()
                .filter(|(_, n)| *n == name)
                .map(|(d, _)| d)
                .collect()
        };
        // 2024: 春节 Feb 10, 清明 Apr 4, 端午 Jun 10, 中秋 Sep 17.
        assert_eq!(
            of(2024, "春节"),
            [d("2024-02-10"), d("2024-02-11"), d("2024-02-12")]
        );
        assert_eq!(of(2024, "清明节"), [d("2024-04-04")]);
        assert_eq!(of(2024, "端午节"), [d("2024-06-10")]);
        assert_eq!(of(2024, "中秋节"), [d("2024-09-17")]);
        assert_eq!(of(2024, "劳动节"), [d("2024-05-01")]);
        // 2027 under the 2024 revision: Eve Feb 5, New Year Feb 6; 清明 Apr 5; 端午 Jun 9;
        // 中秋 Sep 15; Labour Day 1–2 May.
        assert_eq!(
            of(2027, "春节"),
            [
                d("2027-02-05"),
                d("2027-02-06"),
                d("2027-02-07"),
                d("2027-02-08")
            ]
        );
        assert_eq!(of(2027, "清明节"), [d("2027-04-05")]);
        assert_eq!(of(2027, "端午节"), [d("2027-06-09")]);
        assert_eq!(of(2027, "中秋节"), [d("2027-09-15")]);
        assert_eq!(of(2027, "劳动节"), [d("2027-05-01"), d("2027-05-02")]);
        assert!(statutory(FIRST_DERIVABLE - 1).is_none());
        assert!(statutory(LAST_DERIVABLE + 1).is_none());
    }

    /// Every day the rules make a holiday is an off day in the official table, for every year the
    /// table covers; and how many official off days (bridges) the rules alone miss.
    #[test]
    fn derived_days_are_official_off_days_2019_to_2026() {
        let official = Calendar::new(Calendar::parse_csv(TABLE).unwrap());
        let mut missed = Vec::new();
        for year in 2019..=2026 {
            let derived = statutory(year).unwrap();
            let expected = if year >= 2025 { 13 } else { 11 };
            // One fewer where two holidays share a day.
            assert!(
                derived.len() == expected || derived.len() == expected - 1,
                "{year}: {derived:?}"
            );
            for (date, name) in &derived {
                assert!(
                    matches!(
                        official.day(*date).unwrap(),
                        crate::calendar::DayKind::Holiday(_)
                    ),
                    "{year}: derived {name} on {date} is not an official holiday"
                );
            }
            // Official weekday holidays the rules do not make: what a provisional year misses.
            let bridges = official
                .official_days(year)
                .filter(|(date, off)| {
                    *off && date.weekday().num_days_from_monday() < 5
                        && !derived.iter().any(|(d, _)| d == date)
                })
                .count();
            let adjusted = official.official_days(year).filter(|(_, off)| !off).count();
            missed.push((year, bridges, adjusted));
        }
        // The table behind the README's figure: bridging weekdays off and make-up working days
        // that a provisional year cannot know. Each year has some, never more than three weeks (2020 extended Spring Festival for the epidemic).
        for (year, bridges, adjusted) in &missed {
            assert!(*bridges > 0 && *bridges <= 15, "{year}: {bridges} bridges");
            assert!(*adjusted <= 8, "{year}: {adjusted} make-up days");
        }
        eprintln!("year, bridging weekdays off, make-up working days: {missed:?}");
    }
}
