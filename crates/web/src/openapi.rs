//! The OpenAPI 3 document of /api/v1, served at /api/v1/openapi.json and snapshot-tested.

use axum::http::StatusCode;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::schema::{Array, Schema};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(title = "tongquan API", description = "County-town equal powers platform (县镇同权). Errors are RFC 9457 problem+json with a stable `code` and messages in zh-CN and en."),
    paths(
        api::counties::list, api::counties::show,
        api::towns::list, api::towns::show, api::towns::update,
        api::offices::list, api::offices::show, api::offices::update,
        api::departments::list, api::departments::show, api::departments::update,
        api::accounts::list, api::accounts::show, api::accounts::create, api::accounts::update,
        api::audit::list,
        api::items::list, api::items::of_office, api::items::show, api::items::create, api::items::new_draft,
        api::items::edit_draft, api::items::publish, api::items::set_four_eyes, api::items::diff, api::items::where_to_apply,
        api::batches::list, api::batches::create, api::batches::show, api::batches::delegate, api::batches::change,
        api::batches::matrix, api::imports::create,
        api::calendar::due, api::calendar::import, api::cases::create, api::cases::list, api::cases::show, api::cases::act,
        api::cases::track, api::cases::applicant_step, api::cases::reissue_code, api::cases::tasks, api::cases::close_task,
        api::cases::clock, api::cases::hand_off, api::services::create, api::services::list,
        api::bundles::templates, api::bundles::template, api::bundles::create_template,
        api::bundles::create, api::bundles::list, api::bundles::show, api::bundles::track,
        api::health::me,
        api::officers::list, api::officers::create, api::officers::show, api::officers::credential,
        api::officers::dispatch, api::officers::recusal,
        api::inspection_objects::list, api::inspection_objects::create, api::inspection_objects::show,
        api::inspection_objects::items, api::inspection_objects::create_item,
        api::draws::list, api::draws::create, api::draws::show, api::draws::reveal, api::draws::document,
        api::draws::verification,
        api::inspections::list, api::inspections::create, api::inspections::show, api::inspections::visits,
        api::inspections::rate,
        api::leads::list, api::leads::create, api::leads::show, api::leads::step,
        api::hazards::list, api::hazards::show, api::hazards::reinspect,
        api::penalties::list, api::penalties::create, api::penalties::show, api::penalties::step,
        api::figures::figures, api::figures::joint_plan,
        api::open311::services, api::open311::list, api::open311::create, api::open311::show,
    ),
    components(schemas(Open311Problem)),
    modifiers(&BearerAuth, &ErrorResponses),
    tags(
        (name = "geography", description = "Counties and towns (public)"),
        (name = "organisation", description = "Offices and departments (public to read)"),
        (name = "accounts", description = "Staff accounts, scoped by role and jurisdiction"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "catalog", description = "The item catalog (实施清单): items, versions, search, where to apply, imports"),
        (name = "delegation", description = "Delegation of items to towns (赋权目录)"),
        (name = "cases", description = "Approval cases (办件) and the working-day calendar"),
        (name = "enforcement", description = "Enforcement moved down (执法下沉): officers, objects, random draws, inspections, leads, hazards, penalty cases, figures"),
        (name = "open311", description = "Public reports, Open311 GeoReport v2 compatible (served at /open311/v2, outside /api/v1)"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from `tongquan user token` or an account page",
                    ))
                    .build(),
            ),
        );
    }
}

/// The media type of every error under /api/v1 (RFC 9457).
const PROBLEM_JSON: &str = "application/problem+json";

/// An error as Open311 GeoReport v2 answers it: a list of one `{code, description}`, the
/// description carrying the stable code and the message in both languages.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the JSON that `error::Open311Error` builds
struct Open311Problem {
    /// The HTTP status.
    code: u16,
    /// `code: English / 中文`.
    description: String,
}

/// The errors, in one place rather than on each handler: every error body under /api/v1 is
/// `application/problem+json` with the `Problem` schema, and every operation lists the errors
/// any request to it can meet, besides those its handler documents:
///
/// - 400 for a query, path parameter or body that does not parse (every operation);
/// - 401 for an `Authorization` header whose token is unknown, expired or revoked, which is
///   refused even where no token is needed (every operation);
/// - 403 where a token is needed: the caller's role or jurisdiction does not reach this;
/// - 404 where the path, a query parameter or the body names a record (a county, town, item…);
/// - 413 and 415 where there is a request body: too large, or not of the documented type;
/// - 429 where a tracking number's check code is guessed: too many wrong codes.
///
/// Open311 operations answer errors in that standard's JSON shape (`Open311Problem`).
/// Every response gets a description (required by OpenAPI) where its handler gave none.
struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let api = path.starts_with("/api/");
            for op in operations(item) {
                if api {
                    api_errors(path, op);
                } else {
                    open311_errors(op);
                }
                for (status, response) in op.responses.responses.iter_mut() {
                    if let RefOr::T(r) = response
                        && r.description.is_empty()
                    {
                        r.description = describe(status);
                    }
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// Query parameters that name a record, which may not exist.
const RECORD_QUERY_PARAMS: &[&str] = &[
    "county",
    "town",
    "office",
    "department",
    "delegated_to",
    "object_id",
];

/// Whether the operation names a record (in its path, query or body) that may not exist.
fn names_records(op: &Operation) -> bool {
    op.request_body.is_some()
        || op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => {
                p.parameter_in == ParameterIn::Path
                    || (p.parameter_in == ParameterIn::Query
                        && RECORD_QUERY_PARAMS.contains(&p.name.as_str()))
            }
            RefOr::Ref(_) => false,
        })
}

fn has_path_params(op: &Operation) -> bool {
    op.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => p.parameter_in == ParameterIn::Path,
        RefOr::Ref(_) => false,
    })
}

fn problem_response() -> Response {
    let mut r = Response::new("");
    r.content.insert(
        PROBLEM_JSON.to_owned(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))),
    );
    r
}

fn api_errors(path: &str, op: &mut Operation) {
    let problem = Ref::from_schema_name("Problem").ref_location;
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(r) = response else { continue };
        let error = status.starts_with('4') || status.starts_with('5');
        if error && r.content.is_empty() {
            *r = problem_response();
            continue;
        }
        // A Problem body documented as application/json is problem+json on the wire.
        r.content = std::mem::take(&mut r.content)
            .into_iter()
            .map(|(media_type, content)| {
                let is_problem = matches!(&content, RefOr::T(Content { schema: Some(RefOr::Ref(s)), .. })
                    if s.ref_location == problem);
                if is_problem && media_type == "application/json" {
                    (PROBLEM_JSON.to_owned(), content)
                } else {
                    (media_type, content)
                }
            })
            .collect();
    }
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut add = vec!["400", "401"];
    if secured {
        add.push("403");
    }
    if names_records(op) {
        add.push("404");
    }
    if op.request_body.is_some() {
        add.extend(["413", "415"]);
    }
    if path.contains("/track/") {
        add.push("429");
    }
    for status in add {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(problem_response()));
    }
}

fn open311_errors(op: &mut Operation) {
    let mut add = vec!["400"];
    if has_path_params(op) {
        add.push("404");
    }
    for status in add {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(Response::new("")));
    }
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(r) = response else { continue };
        if (status.starts_with('4') || status.starts_with('5')) && r.content.is_empty() {
            let list = Schema::Array(Array::new(Ref::from_schema_name("Open311Problem")));
            r.content.insert(
                "application/json".to_owned(),
                RefOr::T(Content::new(Some(list))),
            );
        }
    }
}

/// What a response means, for one whose handler said nothing.
fn describe(status: &str) -> String {
    match status {
        "400" => "Malformed request: a query parameter, path parameter or body field that does not parse \
                  (`malformed_body`, `invalid_field`, `required_field`)"
            .into(),
        "401" => "No valid API token, or an `Authorization` header whose token is unknown, expired or \
                  revoked (`unauthenticated`)"
            .into(),
        "403" => "The caller's role or jurisdiction does not reach this (`forbidden`, `no_power`)".into(),
        "404" => "No such record, or none within the caller's reach (`not_found`)".into(),
        "409" => "The record changed since it was read (`stale`), is taken, or its state does not allow \
                  this"
            .into(),
        "413" => "The request body is larger than allowed (`payload_too_large`)".into(),
        "415" => "The request body is not of the documented media type (`unsupported_media_type`)".into(),
        "422" => "Well-formed, but refused by a rule of the domain; `code` says which".into(),
        "429" => "Too many wrong check codes for this tracking number; try again later (`locked`)".into(),
        s => s
            .parse()
            .ok()
            .and_then(|n| StatusCode::from_u16(n).ok())
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Response")
            .to_owned(),
    }
}
