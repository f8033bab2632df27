//! Convenience services (便民服务) on the pages: what a town centre recorded, and the form its
//! clerks record one with (taken, done, minutes).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use tongquan_domain::access::{Jurisdiction, Role};
use tongquan_domain::case::Channel;
use tongquan_domain::catalog::ServiceKind;
use tongquan_domain::codes::TownCode;
use tongquan_store::catalog::{ItemFilter, ItemSummary};
use tongquan_store::services::{NewService, Service};
use tongquan_store::{PageRequest, StoreError};

use super::cases::Words;
use super::{Chrome, Pager, render_page, saved};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::extract::{FormData, parse_int};
use crate::params::paging;
use crate::session::Viewer;

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage {
    c: Chrome,
    w: Words,
    services: Vec<Service>,
    pager: Pager,
    /// What a centre clerk may record: the county's convenience items in force.
    items: Vec<ItemSummary>,
    /// The centre's own town, the default for the resident's town.
    town: String,
    saved: bool,
    error: Option<AppError>,
}

#[derive(Deserialize, Default)]
pub struct ServicesQuery {
    page: Option<String>,
    per_page: Option<String>,
    saved: Option<String>,
}

async fn services_page(
    s: &AppState,
    v: &Viewer,
    uri: &Uri,
    page: PageRequest,
    saved: bool,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let list = s.store.services(&v.actor, None, None, page).await?;
    let centre = v
        .actor
        .staff()
        .and_then(|st| match (&st.role, &st.jurisdiction) {
            (Role::CentreClerk, Jurisdiction::Office(o)) => Some(o.clone()),
            _ => None,
        });
    let (items, town) = match &centre {
        Some(o) => {
            let filter = ItemFilter {
                county: Some(o.county()),
                service: Some(ServiceKind::Convenience),
                ..ItemFilter::on(s.today())
            };
            let items = s
                .store
                .items(
                    &filter,
                    PageRequest {
                        page: 1,
                        per_page: 500,
                    },
                )
                .await?
                .items;
            let town = s
                .store
                .office(o)
                .await?
                .served_towns
                .first()
                .map(|t| t.code.to_string())
                .unwrap_or_default();
            (items, town)
        }
        None => (Vec::new(), String::new()),
    };
    let page = ServicesPage {
        c: Chrome::new(v, uri, "cases"),
        w: Words(v.lang),
        pager: Pager::new(&list, "/cases/services", &[]),
        services: list.items,
        items,
        town,
        saved,
        error,
    };
    render_page(&page, &page.error)
}

pub async fn list(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<ServicesQuery>,
) -> Result<Response, PageError> {
    v.staff()?;
    let page = paging(&q.page, &q.per_page).map_err(AppError::from)?;
    services_page(&s, &v, &uri, page, q.saved.is_some(), None).await
}

/// Records a service at the clerk's centre; minutes left empty while it is not done.
pub async fn record(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    let result = async {
        let minutes = match form.text("minutes").trim() {
            "" => None,
            m => Some(u32::try_from(parse_int("minutes", m)?).map_err(|_| {
                AppError::from(StoreError::from(tongquan_domain::DomainError::invalid(
                    "minutes",
                    "用时须为非负整数分钟",
                    "minutes must be a whole number, not negative",
                )))
            })?),
        };
        let new = NewService {
            item_id: parse_int("item_id", form.text("item_id"))?,
            town: TownCode::parse("town", form.text("town"))?,
            channel: Channel::parse("channel", form.text("channel"))?,
            minutes,
        };
        s.store.record_service(&v.actor, new, s.today()).await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(saved("/cases/services")),
        Err(e) if e.status().is_client_error() && e.code() != "not_found" => {
            services_page(&s, &v, &uri, PageRequest::default(), false, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}
