//! The working-day calendar: due dates with how they were computed (public).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tongquan_domain::catalog::parse_date;
use tongquan_domain::{DomainError, Message};
use utoipa::IntoParams;

use tongquan_domain::calendar::Arrangement;
use tongquan_store::calendar::CalendarImport;

use super::ApiResult;
use crate::AppState;
use crate::error::{AppError, Problem};
use crate::extract::{Query, RawBody, parse_int};
use crate::session::Viewer;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// The day the period starts from (not counted), YYYY-MM-DD.
    pub from: Option<String>,
    /// Working days, 0–366.
    pub days: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DueDate {
    pub from: String,
    pub days: u32,
    pub due: String,
    /// True when the count ran through a year whose official arrangement is not yet published:
    /// the date is derived from the statutory holidays and may move by a few days.
    pub provisional: bool,
    /// Those years.
    pub provisional_years: Vec<i32>,
    pub explanation: Vec<Message>,
}

/// The date `days` working days after `from`, on the official holiday calendar. A year without
/// an official arrangement is counted on its statutory holidays and the answer says it is
/// provisional; only years outside 2014–2100 are an error (422).
#[utoipa::path(get, path = "/api/v1/calendar/due", tag = "cases", params(DueQuery),
    responses((status = 200, body = DueDate), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn due(State(s): State<AppState>, Query(q): Query<DueQuery>) -> ApiResult<DueDate> {
    let from = parse_date("from", required("from", &q.from)?)?;
    let days = parse_int("days", required("days", &q.days)?)?;
    let days = u32::try_from(days)
        .ok()
        .filter(|d| *d <= 366)
        .ok_or_else(|| {
            DomainError::invalid("days", "工作日数应为 0 到 366", "days must be 0 to 366")
        })?;
    let due = s.store.calendar().await?.due(from, days, &[], &[])?;
    Ok(Json(DueDate {
        from: from.to_string(),
        days,
        due: due.date.unwrap_or(from).to_string(),
        provisional: !due.provisional.is_empty(),
        provisional_years: due.provisional,
        explanation: due.explanation,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportCalendarQuery {
    /// The year the file is the arrangement of; every row must belong to it.
    pub year: Option<String>,
    /// Correcting a year that already has its official arrangement needs the reason.
    pub replace: Option<String>,
}

/// Imports a year's official arrangement (the body is the CSV `date,name,is_off_day`): the
/// provisional year becomes official and every open case whose due dates it moves is recomputed,
/// with a history entry. City administrator only; a year already official needs `replace`.
#[utoipa::path(post, path = "/api/v1/calendar/imports", tag = "cases", params(ImportCalendarQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = CalendarImport), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn import(
    State(s): State<AppState>,
    v: Viewer,
    Query(q): Query<ImportCalendarQuery>,
    RawBody(body): RawBody,
) -> ApiResult<CalendarImport> {
    v.staff()?;
    Ok(Json(
        run_import(&s, &v, &body, q.year.as_deref(), q.replace.as_deref()).await?,
    ))
}

/// Parses and imports an arrangement; shared by the API and the calendar page.
pub async fn run_import(
    s: &AppState,
    v: &Viewer,
    body: &[u8],
    year: Option<&str>,
    replace: Option<&str>,
) -> Result<CalendarImport, AppError> {
    let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => Some(
            i32::try_from(parse_int("year", y)?)
                .map_err(|_| DomainError::invalid("year", "年份无效", "not a year"))?,
        ),
        None => None,
    };
    let text = std::str::from_utf8(body).map_err(|_| {
        DomainError::invalid(
            "file",
            "文件应为 UTF-8 编码的 CSV",
            "the file must be UTF-8 CSV",
        )
    })?;
    let arrangement = Arrangement::parse(text, year)?;
    let replace = replace.filter(|r| !r.is_empty());
    Ok(s.store
        .import_calendar(&v.actor, &arrangement, replace, s.today())
        .await?)
}

fn required<'a>(field: &str, v: &'a Option<String>) -> Result<&'a str, DomainError> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| DomainError::Required {
            field: field.into(),
        })
}
