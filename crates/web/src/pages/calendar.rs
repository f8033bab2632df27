//! The working-day calendar for the city administrator: which years are official and which
//! provisional (with the statutory days they are counted on), and the upload of a year's
//! official arrangement, which recomputes open cases' due dates.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::{Datelike, Weekday};
use tongquan_domain::access::Role;
use tongquan_domain::holidays;
use tongquan_store::calendar::CalendarImport;

use super::{Chrome, UploadForm, render_page};
use crate::AppState;
use crate::api::calendar::run_import;
use crate::error::{AppError, PageError};
use crate::session::Viewer;

/// One year of the calendar as the page lists it.
struct Year {
    year: i32,
    provisional: bool,
    /// Weekdays off (official holidays and bridges, or the derived statutory days).
    off: usize,
    /// Make-up working days on weekends (官方调休); none are known for a provisional year.
    adjusted: usize,
    /// For a provisional year, the statutory days it is counted on.
    derived: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    c: Chrome,
    years: Vec<Year>,
    may_import: bool,
    outcome: Option<CalendarImport>,
    error: Option<AppError>,
}

async fn page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    result: Option<Result<CalendarImport, AppError>>,
) -> Result<Response, PageError> {
    let calendar = s.store.calendar().await?;
    let this = s.today().year();
    let first = calendar.years().min().unwrap_or(this);
    let last = calendar.years().max().unwrap_or(this).max(this) + 1;
    let weekday = |d: chrono::NaiveDate| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let years = (first..=last)
        .rev()
        .map(|year| {
            if calendar.is_provisional(year) {
                let derived: Vec<_> = holidays::statutory(year)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(d, name)| (d.to_string(), name))
                    .collect();
                Year {
                    year,
                    provisional: true,
                    off: derived
                        .iter()
                        .filter(|(d, _)| d.parse().is_ok_and(weekday))
                        .count(),
                    adjusted: 0,
                    derived,
                }
            } else {
                let days: Vec<_> = calendar.official_days(year).collect();
                Year {
                    year,
                    provisional: false,
                    off: days.iter().filter(|(d, off)| *off && weekday(*d)).count(),
                    adjusted: days.iter().filter(|(_, off)| !off).count(),
                    derived: Vec::new(),
                }
            }
        })
        .collect();
    let (outcome, error) = match result {
        Some(Ok(o)) => (Some(o), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let page = CalendarPage {
        c: Chrome::new(v, uri, "calendar"),
        years,
        may_import: v.actor.staff().is_some_and(|s| s.role == Role::CityAdmin),
        outcome,
        error,
    };
    render_page(&page, &page.error)
}

pub async fn show(State(s): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    v.staff()?;
    page(&s, &v, &uri, None).await
}

/// The upload form posts multipart data; its CSRF token rides in the query string.
pub async fn upload(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    parts: Multipart,
) -> Result<Response, PageError> {
    v.staff()?;
    let result = match UploadForm::read(parts).await {
        Ok(f) => {
            let reason = f.text("reason").trim();
            run_import(&s, &v, &f.file, Some(f.text("year")), Some(reason)).await
        }
        Err(e) => Err(e),
    };
    page(&s, &v, &uri, Some(result)).await
}
