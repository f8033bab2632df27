//! Server-rendered pages. Each file serves one resource; all share the chrome of `base.html`.

pub mod accounts;
pub mod apply;
pub mod audit;
pub mod auth;
pub mod batches;
pub mod bundles;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod departments;
pub mod enforcement;
pub mod geography;
pub mod guide;
pub mod home;
pub mod imports;
pub mod item;
pub mod leads;
pub mod map;
pub mod offices;
pub mod plan;
pub mod services;

use askama::Template;
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use tongquan_domain::access::Role;
use tongquan_domain::codes::CountyCode;
use tongquan_domain::{Kind, Message};
use tongquan_store::geography::County;
use tongquan_store::{Page, PageRequest, Store};

use crate::error::{AppError, PageError};
use crate::i18n::Lang;
use crate::session::Viewer;

/// What every page shows around its content: language, who is signed in, the CSRF token.
pub struct Chrome {
    pub lang: Lang,
    pub user: Option<(String, Role)>,
    pub csrf: String,
    /// This page's path and query, to come back to after switching language.
    pub here: String,
    pub section: &'static str,
}

impl Chrome {
    pub fn new(viewer: &Viewer, uri: &Uri, section: &'static str) -> Self {
        Self {
            lang: viewer.lang,
            user: viewer
                .actor
                .staff()
                .map(|s| (s.username.to_string(), s.role)),
            csrf: viewer.csrf.clone(),
            here: uri.path_and_query().map_or("/".into(), ToString::to_string),
            section,
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// A stored instant as people read it: `2026-11-25 20:10`, Beijing time.
    pub fn time(&self, at: &str) -> String {
        tongquan_domain::clock::display_stored(at)
    }

    /// The same for an optional instant; a dash when absent.
    pub fn time_or_dash(&self, at: &Option<String>) -> String {
        at.as_deref()
            .map_or_else(|| "—".to_owned(), |a| self.time(a))
    }

    pub fn label(&self, m: Message) -> String {
        self.lang.pick(&m).to_owned()
    }

    pub fn km(&self, km: &Option<f64>) -> String {
        km.map_or_else(|| "—".into(), |k| format!("{k:.1} km"))
    }

    /// A closed set of kinds as (slug, label) pairs for a select box.
    pub fn choices<K: tongquan_domain::Kind>(&self) -> Vec<(&'static str, String)> {
        K::all()
            .iter()
            .map(|k| (k.slug(), self.label(k.label())))
            .collect()
    }

    /// Whether an optional filter holds `value`, for `selected` attributes.
    pub fn sel(&self, field: &Option<String>, value: &str) -> bool {
        field.as_deref() == Some(value)
    }

    /// A planner's note, given in both languages.
    pub fn note(&self, note: &(String, String)) -> String {
        self.pair(&note.1, &note.0)
    }

    /// The text in the page's language, of one given in both.
    pub fn pair(&self, zh: &str, en: &str) -> String {
        match self.lang {
            Lang::Zh => zh.to_owned(),
            Lang::En => en.to_owned(),
        }
    }

    pub fn scenario_key(&self, s: &tongquan_plan::Scenario) -> &'static str {
        match s {
            tongquan_plan::Scenario::Halls => "plan.halls",
            tongquan_plan::Scenario::Today => "plan.today",
            tongquan_plan::Scenario::Proposal => "plan.proposal",
        }
    }

    pub fn scenario_slug(&self, s: &tongquan_plan::Scenario) -> &'static str {
        &self.scenario_key(s)[5..]
    }

    pub fn role(&self) -> String {
        self.user
            .as_ref()
            .map_or_else(String::new, |(_, r)| self.label(r.label()))
    }

    pub fn switch_href(&self) -> String {
        format!(
            "/lang/{}?back={}",
            self.lang.other().cookie_value(),
            urlencode(&self.here)
        )
    }

    pub fn nav(&self, section: &str) -> &'static str {
        if self.section == section {
            "active"
        } else {
            ""
        }
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).expect("string encodes")[1..].to_owned()
}

pub fn render(t: &impl Template) -> Result<Response, PageError> {
    Ok(Html(t.render().map_err(AppError::from)?).into_response())
}

/// A page rendered with an error status, e.g. a form shown again with what was wrong.
pub fn render_with(
    status: axum::http::StatusCode,
    t: &impl Template,
) -> Result<Response, PageError> {
    Ok((status, Html(t.render().map_err(AppError::from)?)).into_response())
}

/// A form that was sent and refused: why, and what was typed, to show it again.
pub type Refused<'a> = Option<(AppError, &'a crate::extract::FormData)>;

/// What a form field shows: what was typed if the form was refused, else the stored value.
pub fn typed(refused: &Refused<'_>, name: &str, stored: &str) -> String {
    refused
        .as_ref()
        .map_or_else(|| stored.to_owned(), |(_, f)| f.text(name).to_owned())
}

/// Renders a page with the status its error calls for (200 without one).
pub fn render_page(t: &impl Template, error: &Option<AppError>) -> Result<Response, PageError> {
    render_with(
        error
            .as_ref()
            .map_or(axum::http::StatusCode::OK, AppError::status),
        t,
    )
}

/// An upload form as posted: its text fields by name, and the file in the field `file` with its
/// name (empty when none was sent).
#[derive(Default)]
pub struct UploadForm {
    pub fields: std::collections::HashMap<String, String>,
    pub file_name: String,
    pub file: Vec<u8>,
}

impl UploadForm {
    pub async fn read(mut parts: axum::extract::Multipart) -> Result<Self, AppError> {
        let mut form = Self::default();
        let malformed = |field: Option<&str>, e: axum::extract::multipart::MultipartError| {
            AppError::MalformedBody {
                field: field.map(Into::into),
                detail: e.body_text(),
            }
        };
        while let Some(field) = parts.next_field().await.map_err(|e| malformed(None, e))? {
            let name = field.name().unwrap_or("").to_owned();
            if name == "file" {
                form.file_name = field.file_name().unwrap_or("upload").to_owned();
                form.file = field
                    .bytes()
                    .await
                    .map_err(|e| malformed(Some("file"), e))?
                    .to_vec();
            } else {
                let text = field.text().await.unwrap_or_default();
                form.fields.insert(name, text);
            }
        }
        Ok(form)
    }

    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// After a successful form post: back to the record's page (Post/Redirect/Get).
pub fn saved(to: &str) -> Response {
    Redirect::to(&format!("{to}?saved=1")).into_response()
}

/// The county and kind filters above a list, and the list's pager that keeps them.
pub struct FilterBar {
    pub action: &'static str,
    pub counties: Vec<County>,
    pub county: String,
    /// (slug, label in the page's language)
    pub kinds: Vec<(&'static str, String)>,
    pub kind: String,
}

impl FilterBar {
    pub async fn new<K: Kind>(
        store: &Store,
        lang: Lang,
        action: &'static str,
        county: Option<&CountyCode>,
        kind: Option<K>,
    ) -> Result<Self, AppError> {
        Ok(Self {
            action,
            counties: store
                .counties(PageRequest {
                    page: 1,
                    per_page: 500,
                })
                .await?
                .items,
            county: county.map(ToString::to_string).unwrap_or_default(),
            kinds: K::all()
                .iter()
                .map(|k| (k.slug(), lang.pick(&k.label()).to_owned()))
                .collect(),
            kind: kind.map(|k| k.slug().to_owned()).unwrap_or_default(),
        })
    }

    pub fn is_county(&self, code: &CountyCode) -> bool {
        self.county == code.as_str()
    }

    pub fn is_kind(&self, slug: &str) -> bool {
        self.kind == slug
    }

    pub fn pager<T>(&self, page: &Page<T>) -> Pager {
        Pager::new(
            page,
            self.action,
            &[("county", self.county.clone()), ("kind", self.kind.clone())],
        )
    }
}

/// Links to the neighbouring pages of a list, keeping its filters.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new<T>(page: &Page<T>, path: &str, filters: &[(&str, String)]) -> Self {
        Self::counted(page.page, page.pages(), page.total, path, filters)
    }

    /// For lists that are not a `Page`, from their numbers.
    pub fn counted(
        page: i64,
        pages: i64,
        total: i64,
        path: &str,
        filters: &[(&str, String)],
    ) -> Self {
        let link = |p: i64| {
            let mut q: Vec<(&str, String)> = filters
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .cloned()
                .collect();
            q.push(("page", p.to_string()));
            format!(
                "{path}?{}",
                serde_urlencoded::to_string(q).expect("strings encode")
            )
        };
        Self {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// Irreversible steps (a decision, a withdrawal, a new check code) are confirmed on the form by a
/// box the person ticks; the server refuses the step without it, so a stray click or a resent
/// form does nothing.
pub(crate) fn confirmed(form: &crate::extract::FormData) -> Result<(), AppError> {
    if form.checked("confirm") {
        Ok(())
    } else {
        Err(tongquan_domain::DomainError::invalid(
            "confirm",
            "请勾选确认：此操作不可撤回",
            "tick the box to confirm: this step cannot be undone",
        )
        .into())
    }
}
