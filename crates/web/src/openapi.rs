//! The OpenAPI 3 document of /api/v1, served at /api/v1/openapi.json and snapshot-tested.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        api::items::edit_draft, api::items::publish, api::items::diff, api::items::where_to_apply,
        api::batches::list, api::batches::create, api::batches::show, api::batches::delegate, api::batches::change,
        api::batches::matrix, api::imports::create,
        api::calendar::due, api::calendar::import, api::cases::create, api::cases::list, api::cases::show, api::cases::act,
        api::cases::track, api::cases::applicant_step, api::cases::tasks, api::cases::close_task,
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
    modifiers(&BearerAuth),
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
