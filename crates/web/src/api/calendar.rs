//! The working-day calendar: due dates with how they were computed (public).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tongquan_domain::catalog::parse_date;
use tongquan_domain::{DomainError, Message};
use utoipa::IntoParams;

use super::ApiResult;
use crate::AppState;
use crate::error::Problem;
use crate::extract::{Query, parse_int};

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
    pub explanation: Vec<Message>,
}

/// The date `days` working days after `from`, on the official holiday calendar. A date in a
/// year the calendar does not cover is an error (422), not a guess.
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
        explanation: due.explanation,
    }))
}

fn required<'a>(field: &str, v: &'a Option<String>) -> Result<&'a str, DomainError> {
    v.as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| DomainError::Required {
            field: field.into(),
        })
}
