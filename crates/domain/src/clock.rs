//! One clock, in Beijing time (北京时间).
//!
//! Every decision in time (today's date, a deadline, an instant recorded) reads this clock.
//! Instants are kept in UTC; dates and displayed times are Beijing time, where between 00:00 and
//! 08:00 the UTC date would still be yesterday. China has kept UTC+8 without daylight saving since
//! 1991, so a fixed offset is exact for every date the product handles and needs no zone database.
//!
//! Tests and demos pin the clock to a day (`TONGQUAN_TODAY`, `--today`): it then runs on from that
//! day at the real time of day, so nothing depends on the date it runs on.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, Utc};

use crate::DomainError;

/// UTC+8.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

/// An instant in Beijing time.
pub fn in_beijing(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&beijing())
}

/// How people read an instant: `2026-11-25 20:10`, Beijing time.
pub fn display(at: DateTime<Utc>) -> String {
    in_beijing(at).format("%Y-%m-%d %H:%M").to_string()
}

/// The same for a stored RFC 3339 timestamp; anything else is shown as it is.
pub fn display_stored(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| display(t.with_timezone(&Utc)))
        .unwrap_or_else(|_| at.to_owned())
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Added to the system time; whole days when pinned.
    shift: TimeDelta,
}

impl Clock {
    /// The real time.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock whose today (Beijing) is `day`, running on at the real time of day.
    pub fn pinned(day: NaiveDate) -> Self {
        let real = Self::system().today();
        Self {
            shift: TimeDelta::days((day - real).num_days()),
        }
    }

    /// `TONGQUAN_TODAY`-style text: a date pins the clock, empty means the real time.
    pub fn parse(field: &str, value: &str) -> Result<Self, DomainError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(Self::system());
        }
        crate::catalog::parse_date(field, value).map(Self::pinned)
    }

    pub fn is_pinned(&self) -> bool {
        !self.shift.is_zero()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.shift
    }

    /// Today's date in Beijing.
    pub fn today(&self) -> NaiveDate {
        in_beijing(self.now()).date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_beijing_dates() {
        // 2026-11-24 17:30 UTC is already the 25th in Beijing.
        let at: DateTime<Utc> = "2026-11-24T17:30:00Z".parse().unwrap();
        assert_eq!(in_beijing(at).date_naive().to_string(), "2026-11-25");
        assert_eq!(display(at), "2026-11-25 01:30");
        assert_eq!(
            display_stored("2026-11-25T12:10:00.000000Z"),
            "2026-11-25 20:10"
        );
        assert_eq!(display_stored("not a time"), "not a time");
    }

    #[test]
    fn a_pinned_clock_has_that_today() {
        let day: NaiveDate = "2027-03-01".parse().unwrap();
        let clock = Clock::pinned(day);
        assert_eq!(clock.today(), day);
        assert_eq!(
            Clock::parse("today", "2026-12-31")
                .unwrap()
                .today()
                .to_string(),
            "2026-12-31"
        );
        assert!(!Clock::parse("today", "").unwrap().is_pinned());
        assert_eq!(
            Clock::parse("TONGQUAN_TODAY", "2026-2-3")
                .unwrap_err()
                .field(),
            Some("TONGQUAN_TODAY")
        );
    }
}
