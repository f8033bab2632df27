//! The planning page: where branches should stand, with the proof of how good the plan is, the
//! map, and what citizens save compared with county halls alone and with today's branches.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use tongquan_domain::codes::CountyCode;
use tongquan_plan::{CoverageParams, CoverageReport, PlanError};
use tongquan_store::PageRequest;
use tongquan_store::geography::County;

use super::{Chrome, render_page};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::extract::Query;
use crate::map::MapView;
use crate::planning::{self, DEFAULT_CASES_PER_TOWN};
use crate::session::Viewer;

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    county: Option<String>,
    radius: Option<String>,
    min: Option<String>,
    max: Option<String>,
    keep: Option<String>,
    cases: Option<String>,
}

/// The form's values as typed, shown again above the result.
pub struct Form {
    pub county: String,
    pub radius: String,
    pub min: String,
    pub max: String,
    pub keep: bool,
    pub cases: String,
}

fn number(
    field: &'static str,
    text: &str,
    default: f64,
    range: std::ops::RangeInclusive<f64>,
) -> Result<f64, PlanError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(default);
    }
    match text.parse::<f64>() {
        Ok(v) if range.contains(&v) => Ok(v),
        _ => Err(PlanError::InvalidParameter {
            field,
            reason: format!(
                "expected a number from {} to {}, got {text:?}",
                range.start(),
                range.end()
            ),
            reason_zh: format!(
                "应为 {} 到 {} 之间的数，收到“{text}”",
                range.start(),
                range.end()
            ),
        }),
    }
}

impl Form {
    fn params(&self) -> Result<(Option<CountyCode>, CoverageParams, f64), AppError> {
        let county = match self.county.trim() {
            "" => None,
            c => Some(CountyCode::parse("county", c)?),
        };
        let capacity = match (self.min.trim(), self.max.trim()) {
            ("", "") => None,
            (min, max) => planning::parse_capacity(&format!("{min}..{max}"))?,
        };
        let params = CoverageParams {
            radius_km: number("radius", &self.radius, 10.0, 0.5..=100.0)?,
            capacity,
            keep_existing: self.keep,
        };
        Ok((
            county,
            params,
            number(
                "cases",
                &self.cases,
                DEFAULT_CASES_PER_TOWN,
                0.0..=1_000_000.0,
            )?,
        ))
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    c: Chrome,
    form: Form,
    counties: Vec<County>,
    report: Option<CoverageReport>,
    view: Option<MapView>,
    answers: Vec<String>,
    error: Option<AppError>,
}

impl PlanPage {
    fn town_name(&self, code: &str) -> String {
        self.report
            .as_ref()
            .and_then(|r| r.towns.iter().find(|t| t.code == code))
            .map_or_else(|| code.to_owned(), |t| t.name.clone())
    }
}

pub async fn page(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<PlanQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let form = Form {
        county: q.county.unwrap_or_default(),
        radius: q.radius.unwrap_or_else(|| "10".into()),
        min: q.min.unwrap_or_else(|| "2".into()),
        max: q.max.unwrap_or_else(|| "5".into()),
        keep: q.keep.is_some_and(|k| k == "on"),
        cases: q
            .cases
            .unwrap_or_else(|| DEFAULT_CASES_PER_TOWN.to_string()),
    };
    let counties = s
        .store
        .counties(PageRequest {
            page: 1,
            per_page: 500,
        })
        .await?
        .items;
    let c = Chrome::new(&v, &uri, "plan");
    let planned = async {
        let (county, params, cases) = form.params()?;
        let report =
            planning::run(&s.store, county.as_ref(), &params, cases, &|_, _, _| {}).await?;
        let view = planning::map(&s.store, county.as_ref(), &report, v.lang).await?;
        Ok::<_, AppError>((report, view))
    }
    .await;
    let page = match planned {
        Ok((report, view)) => PlanPage {
            answers: planning::answers(&report, v.lang),
            report: Some(report),
            view: Some(view),
            error: None,
            c,
            form,
            counties,
        },
        Err(e @ (AppError::Plan(_) | AppError::Store(_))) if e.status().is_client_error() => {
            PlanPage {
                report: None,
                view: None,
                answers: Vec::new(),
                error: Some(e),
                c,
                form,
                counties,
            }
        }
        Err(e) => return Err(e.into()),
    };
    render_page(&page, &page.error)
}
