//! The JSON API's stories, on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{TestApp, assert_problem};
use serde_json::json;
use tongquan_store::contract_tests;
use tongquan_store::testing::TestDb;

contract_tests!(
    public_geography_is_paginated_json_with_coordinates_or_a_flag,
    offices_and_departments_filter_by_county_and_kind,
    malformed_and_unknown_codes_are_named,
    bad_bodies_are_refused_and_change_nothing,
    credentials_are_checked_not_ignored,
    patches_within_reach_succeed_and_are_audited,
    cookie_sessions_need_the_csrf_header_for_changes,
);

async fn public_geography_is_paginated_json_with_coordinates_or_a_flag(db: TestDb) {
    let t = TestApp::new(db).await;
    let counties = t.get("/api/v1/counties").await.json();
    assert_eq!(counties["total"], 12);
    insta::assert_json_snapshot!("counties", counties);
    let towns = t
        .get("/api/v1/towns?county=371481&per_page=10&page=2")
        .await
        .json();
    assert_eq!(
        (
            towns["total"].as_i64(),
            towns["page"].as_i64(),
            towns["items"].as_array().unwrap().len()
        ),
        (Some(16), Some(2), 6)
    );
    for town in towns["items"].as_array().unwrap() {
        assert_eq!(town["county_code"], "371481");
        for key in [
            "code",
            "name",
            "kind",
            "lat",
            "lon",
            "has_coordinates",
            "hall_km",
            "served_by",
        ] {
            assert!(town.get(key).is_some(), "{key} in {town}");
        }
    }
    let unlocated = t.get("/api/v1/towns/371422109").await.json();
    assert_eq!(
        (
            unlocated["name"].as_str(),
            unlocated["has_coordinates"].as_bool()
        ),
        (Some("张大庄镇"), Some(false))
    );
    assert!(unlocated["lat"].is_null() && unlocated["hall_km"].is_null());
    let all = t.get("/api/v1/towns?per_page=500").await.json();
    assert_eq!(all["total"], 135);
    let streets = t.get("/api/v1/towns?kind=street").await.json();
    assert_eq!(streets["total"], 29);
}

async fn offices_and_departments_filter_by_county_and_kind(db: TestDb) {
    let t = TestApp::new(db).await;
    let branches = t
        .get("/api/v1/offices?kind=branch&per_page=100")
        .await
        .json();
    assert_eq!(branches["total"], 21);
    for b in branches["items"].as_array().unwrap() {
        let n = b["served_towns"].as_array().unwrap().len();
        assert!((2..=5).contains(&n) && b["illustrative"] == true, "{b}");
    }
    let leling = t
        .get("/api/v1/offices?county=371481&per_page=100")
        .await
        .json();
    assert_eq!(
        leling["total"],
        1 + 3 + 16,
        "a hall, its branches and a centre per town"
    );
    let depts = t
        .get("/api/v1/departments?county=371402&per_page=100")
        .await
        .json();
    let kinds: Vec<&str> = depts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    for core in [
        "approval_bureau",
        "traffic_police",
        "ecology",
        "natural_resources",
        "transport",
        "emergency",
        "market_regulation",
        "enforcement",
    ] {
        assert!(kinds.contains(&core), "{core}");
    }
    let market = t
        .get("/api/v1/departments?kind=market_regulation")
        .await
        .json();
    assert_eq!(market["total"], 12);
    assert_eq!(
        t.get("/api/v1/departments/371402SJ").await.json()["name"],
        "德城区市场监督管理局"
    );
}

async fn malformed_and_unknown_codes_are_named(db: TestDb) {
    let t = TestApp::new(db).await;
    let p = assert_problem(
        &t.get("/api/v1/towns?county=3714").await,
        400,
        "invalid_field",
    );
    assert_eq!(p["field"], "county");
    assert!(p["messages"]["zh-CN"].as_str().unwrap().contains("county"));
    assert_problem(
        &t.get("/api/v1/towns?county=371499").await,
        404,
        "not_found",
    );
    assert_eq!(
        assert_problem(
            &t.get("/api/v1/towns?kind=village").await,
            400,
            "invalid_field"
        )["field"],
        "kind"
    );
    assert_eq!(
        assert_problem(
            &t.get("/api/v1/towns?per_page=0").await,
            400,
            "invalid_field"
        )["field"],
        "per_page"
    );
    assert_eq!(
        assert_problem(&t.get("/api/v1/towns/37140200").await, 400, "invalid_field")["field"],
        "code"
    );
    assert_problem(&t.get("/api/v1/towns/371402999").await, 404, "not_found");
    assert_problem(
        &t.get("/api/v1/offices/371402X").await,
        400,
        "invalid_field",
    );
    assert_problem(&t.get("/api/v1/offices/371402B99").await, 404, "not_found");
    assert_problem(
        &t.get("/api/v1/departments/371402XX").await,
        400,
        "invalid_field",
    );
    assert_problem(&t.get("/api/v1/counties/abc").await, 400, "invalid_field");
    assert_problem(
        &t.api(
            Method::GET,
            "/api/v1/accounts/abc",
            Some("city.admin"),
            None,
        )
        .await,
        400,
        "invalid_field",
    );
    assert_problem(
        &t.api(
            Method::GET,
            "/api/v1/accounts/99999",
            Some("city.admin"),
            None,
        )
        .await,
        404,
        "not_found",
    );
    assert_problem(&t.get("/api/v1/no-such-thing").await, 404, "not_found");
    // Non-ASCII next to a code's shape once panicked and dropped the connection.
    for uri in [
        "/api/v1/offices/00000%C2%BA",
        "/api/v1/departments/00000%C2%BAx",
        "/api/v1/items?department=00000%C2%BAx",
        "/api/v1/items?delegated_to=00000%C2%BA",
    ] {
        assert_problem(&t.get(uri).await, 400, "invalid_field");
    }
    assert_eq!(
        t.get("/offices/00000%C2%BA").await.status,
        StatusCode::BAD_REQUEST
    );
    let audit = t.audit_len().await;
    assert_eq!(
        assert_problem(
            &t.api(
                Method::POST,
                "/api/v1/accounts",
                Some("city.admin"),
                Some(
                    json!({"username": "x.clerk", "display_name": "某", "role": "county_bureau",
                    "jurisdiction": "00000\u{ba}", "password": "a-long-enough-password"})
                ),
            )
            .await,
            400,
            "invalid_field",
        )["field"],
        "jurisdiction"
    );
    assert_eq!(t.audit_len().await, audit);
}

async fn bad_bodies_are_refused_and_change_nothing(db: TestDb) {
    let t = TestApp::new(db).await;
    let before = t.get("/api/v1/offices/371481B01").await.json();
    let entries = t.audit_len().await;
    let token = format!("Bearer {}", t.token("ll.bureau"));
    let patch = |ct: &str, body: String| {
        Request::patch("/api/v1/offices/371481B01")
            .header(header::AUTHORIZATION, &token)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    assert_problem(
        &t.send(patch("text/plain", r#"{"version":1}"#.into())).await,
        415,
        "unsupported_media_type",
    );
    assert_problem(
        &t.send(patch("application/json", "x".repeat(200 * 1024)))
            .await,
        413,
        "payload_too_large",
    );
    assert_problem(
        &t.send(patch("application/json", "{not json".into())).await,
        400,
        "malformed_body",
    );
    let p = assert_problem(
        &t.send(patch(
            "application/json",
            r#"{"version":1}{"version":2}"#.into(),
        ))
        .await,
        400,
        "malformed_body",
    );
    assert!(p["detail"].as_str().unwrap().contains("trailing"), "{p}");
    let p = assert_problem(
        &t.send(patch("application/json", r#"{"version":"one"}"#.into()))
            .await,
        400,
        "malformed_body",
    );
    assert_eq!(p["field"], "version");
    let p = assert_problem(
        &t.send(patch(
            "application/json",
            r#"{"version":1,"colour":"red"}"#.into(),
        ))
        .await,
        400,
        "malformed_body",
    );
    assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");
    let bad_phone = json!({ "phone": "call us", "version": before["version"] });
    let p = assert_problem(
        &t.api(
            Method::PATCH,
            "/api/v1/offices/371481B01",
            Some("ll.bureau"),
            Some(bad_phone),
        )
        .await,
        400,
        "invalid_field",
    );
    assert_eq!(p["field"], "phone");
    let blank = json!({ "address": "  ", "version": before["version"] });
    assert_eq!(
        assert_problem(
            &t.api(
                Method::PATCH,
                "/api/v1/offices/371481B01",
                Some("ll.bureau"),
                Some(blank)
            )
            .await,
            400,
            "required_field"
        )["field"],
        "address"
    );
    let stale =
        json!({ "phone": "0534-6212345", "version": before["version"].as_i64().unwrap() + 5 });
    assert_problem(
        &t.api(
            Method::PATCH,
            "/api/v1/offices/371481B01",
            Some("ll.bureau"),
            Some(stale),
        )
        .await,
        409,
        "stale",
    );
    let other = json!({ "phone": "0534-6212345", "version": 1 });
    assert_problem(
        &t.api(
            Method::PATCH,
            "/api/v1/offices/371402H",
            Some("ll.bureau"),
            Some(other),
        )
        .await,
        403,
        "forbidden",
    );
    let account = json!({ "username": "ll.x", "display_name": "x", "role": "branch_clerk", "jurisdiction": "371481B01", "password": "short" });
    assert_eq!(
        assert_problem(
            &t.api(
                Method::POST,
                "/api/v1/accounts",
                Some("ll.bureau"),
                Some(account)
            )
            .await,
            400,
            "invalid_field"
        )["field"],
        "password"
    );
    assert_eq!(t.get("/api/v1/offices/371481B01").await.json(), before);
    assert_eq!(
        t.audit_len().await,
        entries,
        "refused requests leave no audit entry"
    );
}

async fn credentials_are_checked_not_ignored(db: TestDb) {
    let t = TestApp::new(db).await;
    assert_problem(&t.get("/api/v1/me").await, 401, "unauthenticated");
    assert_problem(&t.get("/api/v1/accounts").await, 401, "unauthenticated");
    let forged = Request::get("/api/v1/towns")
        .header(header::AUTHORIZATION, "Bearer tq_forged")
        .body(Body::empty())
        .unwrap();
    assert_problem(&t.send(forged).await, 401, "unauthenticated");
    let basic = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Basic eDp5")
        .body(Body::empty())
        .unwrap();
    assert_problem(&t.send(basic).await, 401, "unauthenticated");
    let me = t
        .api(Method::GET, "/api/v1/me", Some("ll.branch1"), None)
        .await
        .json();
    assert_eq!(
        (me["role"].as_str(), me["jurisdiction"].as_str()),
        (Some("branch_clerk"), Some("371481B01"))
    );
}

async fn patches_within_reach_succeed_and_are_audited(db: TestDb) {
    let t = TestApp::new(db).await;
    let entries = t.audit_len().await;
    let office = t.get("/api/v1/offices/371481B01").await.json();
    let patch = json!({ "phone": "0534-6212345", "version": office["version"] });
    let r = t
        .api(
            Method::PATCH,
            "/api/v1/offices/371481B01",
            Some("ll.branch1"),
            Some(patch),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = r.json();
    assert_eq!(
        (
            after["phone"].as_str(),
            after["address"] == office["address"]
        ),
        (Some("0534-6212345"), true)
    );
    let town = json!({ "population": 52000, "version": 1 });
    let r = t
        .api(
            Method::PATCH,
            "/api/v1/towns/371481104",
            Some("ll.team"),
            Some(town),
        )
        .await;
    assert_eq!(r.json()["population"], 52000);
    let new = json!({ "username": "ll.clerk2", "display_name": "第二窗口", "role": "branch_clerk", "jurisdiction": "371481B02", "password": "a long enough password" });
    let r = t
        .api(
            Method::POST,
            "/api/v1/accounts",
            Some("ll.bureau"),
            Some(new),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let audit = t
        .api(
            Method::GET,
            "/api/v1/audit?action=office.update",
            Some("ll.bureau"),
            None,
        )
        .await
        .json();
    assert_eq!(audit["total"], 1);
    assert_eq!(
        audit["items"][0]["actor"]
            .as_str()
            .unwrap()
            .split('#')
            .next(),
        Some("ll.branch1")
    );
    assert!(
        audit["items"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("0534-6212345")
    );
    assert_eq!(t.audit_len().await, entries + 3);
}

async fn cookie_sessions_need_the_csrf_header_for_changes(db: TestDb) {
    let t = TestApp::new(db).await;
    let b = t.sign_in("ll.team").await;
    let body = json!({ "population": 1, "version": 1 }).to_string();
    let req = |csrf: Option<&str>| {
        let mut r = Request::patch("/api/v1/towns/371481104")
            .header(header::COOKIE, &b.cookies)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        r.body(Body::from(body.clone())).unwrap()
    };
    assert_problem(&t.send(req(None)).await, 403, "csrf");
    assert_problem(&t.send(req(Some("0000"))).await, 403, "csrf");
    assert_eq!(t.send(req(Some(&b.csrf))).await.status, StatusCode::OK);
}
