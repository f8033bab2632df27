//! The audit trail, as far as the viewer may see it.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use tongquan_domain::audit::AuditEntry;

use super::{Chrome, Pager, render};
use crate::AppState;
use crate::error::PageError;
use crate::extract::Query;
use crate::params::AuditQuery;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    entries: Vec<AuditEntry>,
    pager: Pager,
    action: String,
    county: String,
    actor: String,
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let (filter, page) = q.parse()?;
    let entries = s.store.audit_entries(&v.actor, &filter, page).await?;
    let action = filter.action.unwrap_or_default();
    let county = filter.county.map(|c| c.to_string()).unwrap_or_default();
    let actor = filter.actor.unwrap_or_default();
    let pager = Pager::new(
        &entries,
        "/staff/audit",
        &[
            ("action", action.clone()),
            ("county", county.clone()),
            ("actor", actor.clone()),
        ],
    );
    render(&AuditPage {
        c: Chrome::new(&v, &uri, "audit"),
        entries: entries.items,
        pager,
        action,
        county,
        actor,
    })
}
