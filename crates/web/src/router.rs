//! Every route of the product, in one place.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{get, post, put};
use tongquan_store::import::MAX_IMPORT_BYTES;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::extract::MAX_MATERIALS_BYTES;
use crate::{AppState, BODY_LIMIT, api, assets, pages, session};

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/openapi.json", get(api::health::openapi))
        .route("/me", get(api::health::me))
        .route("/counties", get(api::counties::list))
        .route("/counties/{code}", get(api::counties::show))
        .route("/towns", get(api::towns::list))
        .route(
            "/towns/{code}",
            get(api::towns::show).patch(api::towns::update),
        )
        .route("/offices", get(api::offices::list))
        .route(
            "/offices/{code}",
            get(api::offices::show).patch(api::offices::update),
        )
        .route("/departments", get(api::departments::list))
        .route(
            "/departments/{code}",
            get(api::departments::show).patch(api::departments::update),
        )
        .route(
            "/accounts",
            get(api::accounts::list).post(api::accounts::create),
        )
        .route(
            "/accounts/{id}",
            get(api::accounts::show).patch(api::accounts::update),
        )
        .route("/audit", get(api::audit::list))
        .route("/items", get(api::items::list).post(api::items::create))
        .route("/items/{id}", get(api::items::show))
        .route("/items/{id}/drafts", post(api::items::new_draft))
        .route("/items/{id}/draft", put(api::items::edit_draft))
        .route("/items/{id}/publish", post(api::items::publish))
        .route("/items/{id}/four-eyes", put(api::items::set_four_eyes))
        .route("/items/{id}/diff", get(api::items::diff))
        .route("/items/{id}/where", get(api::items::where_to_apply))
        .route("/offices/{code}/items", get(api::items::of_office))
        .route("/counties/{code}/matrix", get(api::batches::matrix))
        .route(
            "/batches",
            get(api::batches::list).post(api::batches::create),
        )
        .route("/batches/{id}", get(api::batches::show))
        .route("/batches/{id}/delegations", post(api::batches::delegate))
        .route("/delegations/{id}/changes", post(api::batches::change))
        .route("/calendar/due", get(api::calendar::due))
        .route("/calendar/imports", post(api::calendar::import))
        .route("/cases", get(api::cases::list).post(api::cases::create))
        .route("/cases/{id}", get(api::cases::show))
        .route("/cases/{id}/steps", post(api::cases::act))
        .route("/cases/{id}/clock", post(api::cases::clock))
        .route("/cases/{id}/handover", post(api::cases::hand_off))
        .route("/cases/{id}/check-code", post(api::cases::reissue_code))
        .route(
            "/bundle-templates",
            get(api::bundles::templates).post(api::bundles::create_template),
        )
        .route("/bundle-templates/{id}", get(api::bundles::template))
        .route(
            "/bundles",
            get(api::bundles::list).post(api::bundles::create),
        )
        .route("/bundles/{id}", get(api::bundles::show))
        .route("/bundles/track/{tracking_no}", get(api::bundles::track))
        .route(
            "/services",
            get(api::services::list).post(api::services::create),
        )
        .route(
            "/officers",
            get(api::officers::list).post(api::officers::create),
        )
        .route("/officers/{id}", get(api::officers::show))
        .route(
            "/officers/{id}/credentials",
            post(api::officers::credential),
        )
        .route("/officers/{id}/dispatch", post(api::officers::dispatch))
        .route("/officers/{id}/recusals", post(api::officers::recusal))
        .route(
            "/inspection-objects",
            get(api::inspection_objects::list).post(api::inspection_objects::create),
        )
        .route(
            "/inspection-objects/{id}",
            get(api::inspection_objects::show),
        )
        .route(
            "/inspection-items",
            get(api::inspection_objects::items).post(api::inspection_objects::create_item),
        )
        .route("/draws", get(api::draws::list).post(api::draws::create))
        .route("/draws/{id}", get(api::draws::show))
        .route("/draws/{id}/reveal", post(api::draws::reveal))
        .route("/draws/{id}/document", get(api::draws::document))
        .route("/draws/{id}/verification", get(api::draws::verification))
        .route(
            "/inspections",
            get(api::inspections::list).post(api::inspections::create),
        )
        .route("/inspections/{id}", get(api::inspections::show))
        .route("/visits", get(api::inspections::visits))
        .route("/visits/ratings", post(api::inspections::rate))
        .route("/leads", get(api::leads::list).post(api::leads::create))
        .route("/leads/{id}", get(api::leads::show))
        .route("/leads/{id}/steps", post(api::leads::step))
        .route("/hazards", get(api::hazards::list))
        .route("/hazards/{id}", get(api::hazards::show))
        .route("/hazards/{id}/reinspections", post(api::hazards::reinspect))
        .route(
            "/penalty-cases",
            get(api::penalties::list).post(api::penalties::create),
        )
        .route("/penalty-cases/{id}", get(api::penalties::show))
        .route("/penalty-cases/{id}/steps", post(api::penalties::step))
        .route("/enforcement/figures", get(api::figures::figures))
        .route("/enforcement/joint-plan", get(api::figures::joint_plan))
        .route("/tasks", get(api::cases::tasks))
        .route("/tasks/{id}", post(api::cases::close_task))
        .route("/track/{tracking_no}", get(api::cases::track))
        .route(
            "/track/{tracking_no}/steps",
            post(api::cases::applicant_step),
        )
        .route(
            "/imports",
            post(api::imports::create).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .fallback(|| async { AppError::NoRoute.respond(true) });

    Router::new()
        .route("/", get(pages::home::home))
        .route("/about", get(pages::home::about))
        .route("/counties", get(pages::geography::counties))
        .route("/counties/{code}", get(pages::geography::county))
        .route("/towns", get(pages::geography::towns))
        .route("/towns/{code}", get(pages::geography::town).post(pages::geography::update_town))
        .route("/offices", get(pages::offices::list))
        .route("/offices/{code}", get(pages::offices::show).post(pages::offices::update))
        .route("/departments", get(pages::departments::list))
        .route("/departments/{code}", get(pages::departments::show).post(pages::departments::update))
        .route("/map", get(pages::map::page))
        .route("/plan", get(pages::plan::page))
        .route("/guide", get(pages::guide::search))
        .route("/guide/items/{id}", get(pages::guide::item))
        .route("/catalog", get(pages::catalog::list))
        .route("/catalog.xlsx", get(pages::catalog::export))
        .route("/catalog/new", get(pages::catalog::new_form).post(pages::catalog::create))
        .route("/catalog/items/{id}", get(pages::item::show))
        .route("/catalog/items/{id}/draft", post(pages::item::save_draft))
        .route("/catalog/items/{id}/drafts", post(pages::item::new_draft))
        .route("/catalog/items/{id}/publish", post(pages::item::publish))
        .route("/catalog/items/{id}/four-eyes", post(pages::item::four_eyes))
        .route("/catalog/items/{id}/diff", get(pages::item::diff))
        .route("/catalog/batches", get(pages::batches::list))
        .route("/catalog/batches/new", get(pages::batches::new_form).post(pages::batches::create))
        .route("/catalog/batches/{id}", get(pages::batches::show))
        .route("/catalog/batches/{id}/delegations", post(pages::batches::delegate))
        .route("/catalog/delegations/{id}/changes", post(pages::batches::change))
        .route("/catalog/matrix", get(pages::batches::matrix))
        .route("/catalog/matrix.xlsx", get(pages::batches::matrix_export))
        .route(
            "/catalog/import",
            get(pages::imports::form).post(pages::imports::upload).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .route("/catalog/template.xlsx", get(pages::imports::template))
        .route("/calendar", get(pages::calendar::show).post(pages::calendar::upload))
        .route("/apply/bundles", get(pages::bundles::templates))
        .route("/apply/bundles/{id}", get(pages::bundles::form).post(pages::bundles::submit).layer(DefaultBodyLimit::max(MAX_MATERIALS_BYTES)))
        .route("/apply/{id}", get(pages::apply::form).post(pages::apply::submit).layer(DefaultBodyLimit::max(MAX_MATERIALS_BYTES)))
        .route("/track", get(pages::apply::track_form).post(pages::apply::track))
        .route("/track/supply", post(pages::apply::supply).layer(DefaultBodyLimit::max(MAX_MATERIALS_BYTES)))
        .route("/track/withdraw", post(pages::apply::withdraw))
        .route("/track/rating", post(pages::apply::rate))
        .route("/track/notices/{n}", post(pages::apply::notice))
        .route("/cases", get(pages::cases::queue))
        .route("/cases/tasks", get(pages::cases::tasks))
        .route("/cases/bundles", get(pages::bundles::list))
        .route("/cases/services", get(pages::services::list).post(pages::services::record))
        .route("/cases/bundles/{id}", get(pages::bundles::show))
        .route("/cases/tasks/{id}", post(pages::cases::close_task))
        .route("/cases/{id}", get(pages::cases::show))
        .route("/cases/{id}/steps", post(pages::cases::act))
        .route("/cases/{id}/clock", post(pages::cases::clock))
        .route("/cases/{id}/check-code", post(pages::cases::reissue_code))
        .route("/cases/{id}/notices/{n}", get(pages::cases::notice))
        .route("/cases/{id}/files/{hash}", get(pages::cases::file))
        .route("/enforcement", get(pages::enforcement::figures))
        .route("/enforcement/leads", get(pages::leads::queue))
        .route("/enforcement/officers", get(pages::enforcement::officers))
        .route("/enforcement/leads/{id}", get(pages::leads::show))
        .route("/enforcement/leads/{id}/steps", post(pages::leads::step))
        .route("/report", get(pages::leads::form).post(pages::leads::report))
        .route("/report/{id}", get(pages::leads::status).post(pages::leads::follow))
        .route("/draws", get(pages::enforcement::draws))
        .route("/draws/{id}", get(pages::enforcement::draw))
        .route("/visits", get(pages::enforcement::visits).post(pages::enforcement::rate))
        .route("/login", get(pages::auth::form).post(pages::auth::login))
        .route("/logout", post(pages::auth::logout))
        .route("/lang/{code}", get(pages::auth::switch_lang))
        .route("/staff/me", get(pages::accounts::me))
        .route("/staff/password", get(pages::auth::password_form).post(pages::auth::change_password))
        .route("/staff/accounts", get(pages::accounts::list).post(pages::accounts::create))
        .route("/staff/accounts/new", get(pages::accounts::new_form))
        .route("/staff/accounts/{id}", get(pages::accounts::show).post(pages::accounts::update))
        .route("/staff/accounts/{id}/tokens", post(pages::accounts::issue_token))
        .route("/staff/audit", get(pages::audit::list))
        .route("/assets/app.css", get(assets::css))
        .route("/assets/app.js", get(assets::js))
        .route("/favicon.svg", get(assets::favicon))
        .route("/healthz", get(api::health::healthz))
        .route("/open311/v2/services.json", get(api::open311::services))
        .route("/open311/v2/requests.json", get(api::open311::list).post(api::open311::create))
        .route("/open311/v2/requests/{file}", get(api::open311::show))
        .nest("/api/v1", api)
        .fallback(|| async { AppError::NoRoute.respond(false) })
        // axum's own refusals (a path that is not UTF-8…) in the API's and Open311's error shapes.
        .layer(axum::middleware::from_fn(crate::error::plain_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::authenticate))
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::csrf_guard))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // A body trickled in byte by byte would hold its connection open.
        .layer(RequestBodyTimeoutLayer::new(crate::serve::BODY_TIMEOUT))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        // Tracking links carry a check code in their query: never sent to another site.
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            // Officers' pages will take a position and photos; nothing else is needed, ever.
            HeaderValue::from_static("geolocation=(self), camera=(self), microphone=(), payment=(), usb=()"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            // Nothing is loaded from anywhere but this server.
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"),
        ))
        .layer(TraceLayer::new_for_http())
        // A bug in one handler answers 500 instead of dropping the connection.
        .layer(CatchPanicLayer::custom(|_| AppError::Panicked.respond(true)))
        .with_state(state)
}
