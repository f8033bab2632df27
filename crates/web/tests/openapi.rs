//! The OpenAPI document is part of the interface: any change to it shows up in review. What it
//! says of errors is checked against the document itself here, and against the running server by
//! the fuzz job (`.ci/fuzz`).

mod common;

use axum::body::Body;
use axum::http::{Request, header};
use common::{TestApp, assert_problem};
use serde_json::Value;
use tongquan_store::Backend;
use tongquan_store::testing::TestDb;
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

/// Every operation: (path, method, operation).
fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((path.as_str(), method.as_str(), op));
        }
    }
    ops
}

#[test]
fn every_api_error_is_documented_as_problem_json() {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
    for (path, method, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        for (status, r) in responses {
            assert!(
                r["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{method} {path} {status} has a description"
            );
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            let content = r["content"].as_object().unwrap();
            if path.starts_with("/api/") {
                let keys: Vec<&String> = content.keys().collect();
                assert_eq!(
                    keys,
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            } else {
                assert_eq!(
                    content["application/json"]["schema"]["items"]["$ref"],
                    "#/components/schemas/Open311Problem",
                    "{method} {path} {status}"
                );
            }
        }
        if path.starts_with("/api/") {
            for status in ["400", "401"] {
                assert!(responses.contains_key(status), "{method} {path} {status}");
            }
            if op.get("security").is_some() {
                assert!(responses.contains_key("403"), "{method} {path} 403");
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{method} {path} 404");
            }
            if op.get("requestBody").is_some() {
                for status in ["404", "413", "415"] {
                    assert!(responses.contains_key(status), "{method} {path} {status}");
                }
            }
        }
    }
}

/// The refusals axum makes before a handler runs come in the shapes the document gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_is_not_utf8_is_refused_in_the_documented_shape() {
    let t = TestApp::new(TestDb::new(Backend::Sqlite).await.unwrap()).await;
    for uri in [
        "/api/v1/towns/%FF",
        "/api/v1/cases/%C0%AF",
        "/api/v1/track/%FF",
    ] {
        assert_problem(&t.get(uri).await, 400, "malformed_body");
    }
    let r = t.get("/open311/v2/requests/%FF.json").await;
    assert_eq!(
        (r.status.as_u16(), r.content_type()),
        (400, "application/json")
    );
    assert_eq!(r.json()[0]["code"], 400);
    let big = "x".repeat(tongquan_web::BODY_LIMIT + 1);
    let r = t
        .send(
            Request::post("/open311/v2/requests.json")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(big))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.content_type()),
        (413, "application/json")
    );
    assert_eq!(r.json()[0]["code"], 413);
}
