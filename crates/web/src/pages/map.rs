//! The map page: county boundaries, county halls and towns coloured by distance to their hall.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::Deserialize;
use tongquan_domain::codes::CountyCode;
use tongquan_store::PageRequest;
use tongquan_store::geography::County;

use super::{Chrome, render};
use crate::error::{AppError, PageError};
use crate::extract::Query;
use crate::map::{self, MapView};
use crate::session::Viewer;
use crate::{AppState, i18n::Lang};

#[derive(Deserialize)]
pub struct MapQuery {
    county: Option<String>,
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    c: Chrome,
    view: Arc<MapView>,
    counties: Vec<County>,
    county: String,
}

/// The rendered map for a county (or the city), drawn once and then served from memory.
pub async fn view(
    s: &AppState,
    focus: Option<&CountyCode>,
    lang: Lang,
) -> Result<Arc<MapView>, AppError> {
    let key = (focus.map(ToString::to_string), lang);
    if let Some(v) = s.maps.lock().expect("map cache").get(&key) {
        return Ok(v.clone());
    }
    let boundaries = s.store.boundaries().await?;
    let counties = s
        .store
        .counties(PageRequest {
            page: 1,
            per_page: 500,
        })
        .await?
        .items;
    let towns = s.store.all_towns(None).await?;
    let view = Arc::new(map::render(
        &boundaries,
        &counties,
        &towns,
        focus,
        lang,
        &map::Layer::HallDistance,
    ));
    s.maps.lock().expect("map cache").insert(key, view.clone());
    Ok(view)
}

pub async fn page(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(q): Query<MapQuery>,
) -> Result<Response, PageError> {
    let focus = match q.county.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => {
            let code = CountyCode::parse("county", c)?;
            s.store.county(&code).await?;
            Some(code)
        }
        None => None,
    };
    let view = view(&s, focus.as_ref(), v.lang).await?;
    render(&MapPage {
        c: Chrome::new(&v, &uri, "map"),
        view,
        counties: s
            .store
            .counties(PageRequest {
                page: 1,
                per_page: 500,
            })
            .await?
            .items,
        county: focus.map(|c| c.to_string()).unwrap_or_default(),
    })
}
