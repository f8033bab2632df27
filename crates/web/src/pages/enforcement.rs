//! The enforcement side on the public site: the reform's figures with a chart, the random draws
//! with their verification (一公开), and an enterprise's visits with the anonymous rating.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongquan_domain::applicant::{ApplicantId, ApplicantKind};
use tongquan_domain::case::Rating;
use tongquan_domain::codes::CountyCode;
use tongquan_store::Page;
use tongquan_store::enforcement::draws::Draw;
use tongquan_store::enforcement::figures::{EnforcementFigures, FigureRow};
use tongquan_store::enforcement::inspections::Visit;
use tongquan_store::enforcement::officers::{Officer, OfficerFilter};
use tongquan_store::enforcement::plans::JointPlan;
use tongquan_store::geography::County;

use super::leads::LeadWords;
use super::{Chrome, Pager, render_page};
use crate::AppState;
use crate::api::draws::Verification;
use crate::error::{AppError, PageError};
use crate::extract::{FormData, parse_int};
use crate::params::{opt, paging};
use crate::session::Viewer;

/// One row of the before/after chart, in SVG units.
pub struct Bar {
    pub name: String,
    pub y: usize,
    pub before: f64,
    pub after: f64,
    pub before_w: f64,
    pub after_w: f64,
}

const CHART_WIDTH: f64 = 420.0;

fn bars(rows: &[FigureRow]) -> Vec<Bar> {
    let max = rows
        .iter()
        .map(|r| r.per_object_before.max(r.per_object_after))
        .fold(0.0, f64::max);
    let scale = if max > 0.0 { CHART_WIDTH / max } else { 0.0 };
    rows.iter()
        .filter(|r| r.objects > 0)
        .enumerate()
        .map(|(i, r)| Bar {
            name: r.name.clone(),
            y: i * 30,
            before: r.per_object_before,
            after: r.per_object_after,
            before_w: r.per_object_before * scale,
            after_w: r.per_object_after * scale,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "enforcement.html")]
struct FiguresPage {
    c: Chrome,
    f: EnforcementFigures,
    /// For one county: this year's plan merged into joint visits.
    plan: Option<JointPlan>,
    bars: Vec<Bar>,
    chart_height: usize,
    counties: Vec<County>,
    county: String,
}

#[derive(Deserialize, Default)]
pub struct CountyQuery {
    county: Option<String>,
}

/// The reform's enforcement figures: per county, or per town of one county.
pub async fn figures(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<CountyQuery>,
) -> Result<Response, PageError> {
    let county = opt("county", &q.county, CountyCode::parse)?;
    let f = s
        .store
        .enforcement_figures(county.as_ref(), s.today())
        .await?;
    let bars = bars(&f.rows);
    let page = FiguresPage {
        c: Chrome::new(&v, &uri, "enforcement"),
        chart_height: bars.len() * 30 + 10,
        bars,
        f,
        plan: match &county {
            Some(c) => Some(s.store.joint_plan(c).await?),
            None => None,
        },
        counties: s
            .store
            .counties(tongquan_store::PageRequest {
                page: 1,
                per_page: 500,
            })
            .await?
            .items,
        county: county.map(|c| c.to_string()).unwrap_or_default(),
    };
    render_page(&page, &None)
}

#[derive(Template)]
#[template(path = "draws.html")]
struct DrawsPage {
    c: Chrome,
    draws: Vec<Draw>,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct DrawsQuery {
    county: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// The published draws (一公开), newest first.
pub async fn draws(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<DrawsQuery>,
) -> Result<Response, PageError> {
    let county = opt("county", &q.county, CountyCode::parse)?;
    let list: Page<Draw> = s
        .store
        .draws(county.as_ref(), paging(&q.page, &q.per_page)?)
        .await?;
    let pager = Pager::new(
        &list,
        "/draws",
        &[("county", q.county.clone().unwrap_or_default())],
    );
    render_page(
        &DrawsPage {
            c: Chrome::new(&v, &uri, "draws"),
            draws: list.items,
            pager,
        },
        &None,
    )
}

#[derive(Template)]
#[template(path = "draw.html")]
struct DrawPage {
    c: Chrome,
    w: LeadWords,
    d: Draw,
    check: Verification,
}

/// One draw: what was published before, the seed and picks after, and the server's recomputation.
pub async fn draw(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_int("id", &id)?;
    let d = s.store.published_draw(id).await?;
    let check = Verification::of(&s.store.draw_document(id).await?);
    render_page(
        &DrawPage {
            c: Chrome::new(&v, &uri, "draws"),
            w: LeadWords(v.lang),
            d,
            check,
        },
        &None,
    )
}

#[derive(Template)]
#[template(path = "visits.html")]
struct VisitsPage {
    c: Chrome,
    credit_code: String,
    visits: Option<Vec<Visit>>,
    rated: bool,
    error: Option<AppError>,
}

#[derive(Deserialize, Default)]
pub struct VisitsQuery {
    credit_code: Option<String>,
    rated: Option<String>,
}

async fn visits_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    credit_code: &str,
    rated: bool,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let (visits, error) = match (credit_code.trim(), error) {
        ("", e) => (None, e),
        (code, e) => match ApplicantId::parse("credit_code", ApplicantKind::Enterprise, code) {
            Ok(id) => (Some(s.store.visits_of(&id).await?), e),
            Err(bad) => (None, Some(bad.into())),
        },
    };
    let page = VisitsPage {
        c: Chrome::new(v, uri, "visits"),
        credit_code: credit_code.trim().to_owned(),
        visits,
        rated,
        error,
    };
    render_page(&page, &page.error)
}

/// The visits an enterprise received, by its credit code, and the rating form.
pub async fn visits(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<VisitsQuery>,
) -> Result<Response, PageError> {
    visits_page(
        &s,
        &v,
        &uri,
        q.credit_code.as_deref().unwrap_or(""),
        q.rated.is_some(),
        None,
    )
    .await
}

/// Rates a visit with the code handed over at it.
pub async fn rate(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    f: FormData,
) -> Result<Response, PageError> {
    let result = async {
        let rating = Rating::parse("rating", f.text("rating"))?;
        s.store
            .rate_inspection(f.text("code"), rating, f.text("comment"))
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/visits?credit_code={}&rated=1",
            super::urlencode(f.text("credit_code").trim())
        ))
        .into_response()),
        Err(e) => visits_page(&s, &v, &uri, f.text("credit_code"), false, Some(e)).await,
    }
}

#[derive(Template)]
#[template(path = "officers.html")]
struct OfficersPage {
    c: Chrome,
    w: LeadWords,
    officers: Vec<Officer>,
    today: String,
    pager: Pager,
}

impl OfficersPage {
    /// Whether the officer's latest credential is still valid today.
    fn valid(&self, o: &Officer) -> bool {
        o.credential_valid_to
            .as_deref()
            .is_some_and(|t| t >= self.today.as_str())
    }

    fn form(&self, slug: &Option<String>) -> String {
        slug.as_deref().map_or_else(
            || "—".to_owned(),
            |s| {
                self.c
                    .lang
                    .kind::<tongquan_domain::enforcement::DispatchForm>(s)
            },
        )
    }

    fn domains(&self, list: &Option<String>) -> String {
        list.as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|d| !d.is_empty())
            .map(|d| self.w.domain(d))
            .collect::<Vec<_>>()
            .join("、")
    }
}

#[derive(Deserialize, Default)]
pub struct OfficersQuery {
    department: Option<String>,
    town: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

/// The officers within reach: credential and its end, dispatch form and towns.
pub async fn officers(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<OfficersQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let f = OfficerFilter {
        county: None,
        department: opt(
            "department",
            &q.department,
            tongquan_domain::codes::DepartmentCode::parse,
        )?,
        town: opt("town", &q.town, tongquan_domain::codes::TownCode::parse)?,
    };
    let list = s
        .store
        .officers(&v.actor, &f, paging(&q.page, &q.per_page)?)
        .await?;
    let pager = Pager::new(
        &list,
        "/enforcement/officers",
        &[
            ("department", q.department.clone().unwrap_or_default()),
            ("town", q.town.clone().unwrap_or_default()),
        ],
    );
    let page = OfficersPage {
        c: Chrome::new(&v, &uri, "officers"),
        w: LeadWords(v.lang),
        officers: list.items,
        today: s.today().to_string(),
        pager,
    };
    render_page(&page, &None)
}
