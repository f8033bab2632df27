//! Leads on the pages: the public report form and its status page, and the handlers' queue with
//! its timers and steps.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use tongquan_domain::DomainError;
use tongquan_domain::access::Actor;
use tongquan_domain::enforcement::EnforcementDomain;
use tongquan_domain::enforcement::lead::{LeadSource, LeadState, LeadStep, Urgency};
use tongquan_store::enforcement::leads::{Lead, NewLead};
use tongquan_store::geography::Town;

use super::{Chrome, Pager, render_page, saved};
use crate::AppState;
use crate::api::leads::{LeadQuery, TimedLead, coordinate, place};
use crate::error::{AppError, PageError};
use crate::extract::{ClientAddr, FormData, parse_int};
use crate::params::paging;
use crate::session::Viewer;

/// Labels of the lead kinds in the page's language.
pub struct LeadWords(pub crate::i18n::Lang);

impl LeadWords {
    pub fn state(&self, slug: &str) -> String {
        self.0.kind::<LeadState>(slug)
    }

    pub fn domain(&self, slug: &str) -> String {
        self.0.kind::<EnforcementDomain>(slug)
    }

    pub fn source(&self, slug: &str) -> String {
        self.0.kind::<LeadSource>(slug)
    }

    pub fn urgency(&self, slug: &str) -> String {
        self.0.kind::<Urgency>(slug)
    }

    pub fn step(&self, step: &LeadStep) -> String {
        self.0.pick(&step.label()).to_owned()
    }

    pub fn reason(&self, l: &Lead) -> String {
        match self.0 {
            crate::i18n::Lang::Zh => l.route_reason_zh.clone(),
            crate::i18n::Lang::En => l.route_reason_en.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    c: Chrome,
    w: LeadWords,
    domains: Vec<(&'static str, String)>,
    towns: Vec<Town>,
    f: Option<FormData>,
    error: Option<AppError>,
}

impl ReportPage {
    fn typed(&self, name: &str) -> String {
        self.f
            .as_ref()
            .map_or_else(String::new, |f| f.text(name).to_owned())
    }
}

async fn report_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    f: Option<FormData>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let c = Chrome::new(v, uri, "report");
    let page = ReportPage {
        domains: c.choices::<EnforcementDomain>(),
        w: LeadWords(v.lang),
        c,
        towns: s.store.all_towns(None).await?,
        f,
        error,
    };
    render_page(&page, &page.error)
}

/// The public report form (举报).
pub async fn form(State(s): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    report_page(&s, &v, &uri, None, None).await
}

fn new_lead(f: &FormData) -> Result<NewLead, DomainError> {
    let (lat, lon) = (
        coordinate("lat", Some(f.text("lat")))?,
        coordinate("lon", Some(f.text("lon")))?,
    );
    let town = if lat.is_some() || lon.is_some() {
        None
    } else {
        Some(f.text("town"))
    };
    Ok(NewLead {
        source: LeadSource::Public,
        domain: EnforcementDomain::parse("domain", f.text("domain"))?,
        description: f.text("description").to_owned(),
        address: f.text("address").to_owned(),
        place: place(town, lat, lon)?,
        urgency: Urgency::parse("urgency", f.text("urgency"))?,
        reporter: f.text("contact").to_owned(),
    })
}

/// Files a public report; shown again with what was wrong, or on to its status page.
pub async fn report(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    f: FormData,
) -> Result<Response, PageError> {
    let filed = match new_lead(&f) {
        Ok(new) => s.store.report_lead(&Actor::Anonymous, new, s.now()).await,
        Err(e) => Err(e.into()),
    };
    match filed {
        Ok((lead, code)) => {
            let timed = TimedLead::of(lead, s.now());
            status_page(&v, &uri, timed.lead.id, code, Ok(Some(timed)))
        }
        Err(e) => report_page(&s, &v, &uri, Some(f), Some(e.into())).await,
    }
}

#[derive(Template)]
#[template(path = "report_status.html")]
struct StatusPage {
    c: Chrome,
    w: LeadWords,
    id: i64,
    /// Shown once, on the page that files the report.
    code: Option<String>,
    /// The report, once its follow-up code is given.
    lead: Option<TimedLead>,
    error: Option<AppError>,
}

/// A report's number, asking for its follow-up code.
pub async fn status(v: Viewer, uri: Uri, Path(id): Path<String>) -> Result<Response, PageError> {
    status_page(&v, &uri, parse_int("id", &id)?, None, Ok(None))
}

/// A report's progress for its reporter: the code comes in the form body, out of addresses.
pub async fn follow(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    f: FormData,
) -> Result<Response, PageError> {
    let id = parse_int("id", &id)?;
    let lead = s
        .store
        .followed_lead(id, f.text("check_code"), &client)
        .await
        .map(|lead| Some(TimedLead::of(lead, s.now())));
    status_page(&v, &uri, id, None, lead.map_err(AppError::from))
}

/// The report page: the report once shown (with its code when just filed), else the form asking
/// for the code, with why the last one was refused.
fn status_page(
    v: &Viewer,
    uri: &Uri,
    id: i64,
    code: Option<String>,
    lead: Result<Option<TimedLead>, AppError>,
) -> Result<Response, PageError> {
    let (lead, error) = match lead {
        Ok(lead) => (lead, None),
        Err(e) => (None, Some(e)),
    };
    let page = StatusPage {
        c: Chrome::new(v, uri, "report"),
        w: LeadWords(v.lang),
        id,
        code,
        lead,
        error,
    };
    render_page(&page, &page.error)
}

#[derive(Template)]
#[template(path = "leads.html")]
struct QueuePage {
    c: Chrome,
    w: LeadWords,
    leads: Vec<TimedLead>,
    states: Vec<(&'static str, String)>,
    state: String,
    pager: Pager,
}

/// The handlers' queue: leads within reach, newest first, with their on-site timers.
pub async fn queue(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<LeadQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let page = s
        .store
        .leads(&v.actor, &q.filter()?, paging(&q.page, &q.per_page)?)
        .await?;
    let state = q.state.clone().unwrap_or_default();
    let pager = Pager::new(&page, "/enforcement/leads", &[("state", state.clone())]);
    let now = s.now();
    let c = Chrome::new(&v, &uri, "leads");
    render_page(
        &QueuePage {
            states: c.choices::<LeadState>(),
            c,
            w: LeadWords(v.lang),
            leads: page
                .items
                .into_iter()
                .map(|l| TimedLead::of(l, now))
                .collect(),
            state,
            pager,
        },
        &None,
    )
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    c: Chrome,
    w: LeadWords,
    lead: TimedLead,
    next: Option<LeadStep>,
    saved: bool,
    error: Option<AppError>,
}

async fn lead_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    saved: bool,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    v.staff()?;
    let lead = s.store.lead(&v.actor, id).await?;
    let next = LeadState::parse("state", &lead.state)?.next_step();
    let page = LeadPage {
        c: Chrome::new(v, uri, "leads"),
        w: LeadWords(v.lang),
        lead: TimedLead::of(lead, s.now()),
        next,
        saved,
        error,
    };
    render_page(&page, &page.error)
}

#[derive(serde::Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn show(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    lead_page(&s, &v, &uri, parse_int("id", &id)?, q.saved.is_some(), None).await
}

/// One step from the lead's page.
pub async fn step(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    f: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let id = parse_int("id", &id)?;
    let result = async {
        let step = LeadStep::parse("step", f.text("step"))?;
        Ok::<_, AppError>(
            s.store
                .lead_step(&v.actor, id, step, f.text("note"), f.version()?, s.now())
                .await?,
        )
    }
    .await;
    match result {
        Ok(_) => Ok(saved(&format!("/enforcement/leads/{id}"))),
        Err(e) => lead_page(&s, &v, &uri, id, false, Some(e)).await,
    }
}
