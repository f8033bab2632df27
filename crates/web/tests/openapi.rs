//! The OpenAPI document is part of the interface: any change to it shows up in review.

use tongquan_web::openapi::ApiDoc;
use utoipa::OpenApi;

#[test]
fn the_openapi_document_is_stable_and_complete() {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for p in [
        "/api/v1/counties",
        "/api/v1/towns",
        "/api/v1/towns/{code}",
        "/api/v1/offices/{code}",
        "/api/v1/accounts",
        "/api/v1/audit",
        "/api/v1/me",
        "/api/v1/draws/{id}/document",
        "/api/v1/leads/{id}/steps",
        "/open311/v2/requests.json",
    ] {
        assert!(paths.contains(&p), "{p} is documented");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    insta::assert_json_snapshot!("openapi", doc);
}
