//! Cases and the calendar over the JSON API, on both backends: a citizen applies online without
//! an account, the branch decides, the county bureau cannot, and bad input changes nothing.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, assert_problem};
use serde_json::{Value, json};
use tongquan_store::contract_tests;
use tongquan_store::testing::{TestDb, delegated_item};

contract_tests!(
    the_calendar_answers_due_dates_and_refuses_unknown_years,
    a_citizen_applies_online_and_the_branch_decides,
);

async fn the_calendar_answers_due_dates_and_refuses_unknown_years(db: TestDb) {
    let t = TestApp::new(db).await;
    let r = t.get("/api/v1/calendar/due?from=2024-09-26&days=5").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let due = r.json();
    assert_eq!(
        due["due"], "2024-10-09",
        "National Day week skipped, adjusted Sunday counted"
    );
    assert!(
        due["explanation"][0]["zh"]
            .as_str()
            .unwrap()
            .contains("不计入")
    );
    assert!(
        due["explanation"][0]["en"]
            .as_str()
            .unwrap()
            .contains("not counted")
    );
    assert_problem(
        &t.get("/api/v1/calendar/due?from=2026-12-20&days=20").await,
        422,
        "outside_calendar",
    );
    assert_problem(
        &t.get("/api/v1/calendar/due?from=2024-02-30&days=1").await,
        400,
        "invalid_field",
    );
    assert_problem(
        &t.get("/api/v1/calendar/due?from=2024-03-01&days=-1").await,
        400,
        "invalid_field",
    );
    assert_problem(
        &t.get("/api/v1/calendar/due?days=1").await,
        400,
        "required_field",
    );
}

async fn audit_total(t: &TestApp) -> i64 {
    t.api(
        Method::GET,
        "/api/v1/audit?per_page=1",
        Some("city.admin"),
        None,
    )
    .await
    .json()["total"]
        .as_i64()
        .unwrap()
}

fn application(item: i64, town: &str, id: &str, materials: &[&str]) -> Value {
    json!({ "item_id": item, "town": town, "applicant_kind": "person", "applicant_id": id,
            "applicant_name": "李四", "contact": "13900000000", "channel": "online", "materials": materials })
}

async fn a_citizen_applies_online_and_the_branch_decides(db: TestDb) {
    let (item, town) = delegated_item(&db.store, "371481B01").await;
    let t = TestApp::new(db).await;
    let town = town.as_str();
    let before = audit_total(&t).await;
    for (body, status, code) in [
        (
            application(item, town, "110105194912310021", &["申请书", "营业执照"]),
            400,
            "invalid_field",
        ),
        (
            application(item, town, "11010519491231002X", &["申请书"]),
            422,
            "missing_materials",
        ),
        (
            application(
                item,
                town,
                "11010519491231002X",
                &["申请书", "营业执照", "无关材料"],
            ),
            400,
            "invalid_field",
        ),
    ] {
        assert_problem(
            &t.api(Method::POST, "/api/v1/cases", None, Some(body)).await,
            status,
            code,
        );
    }
    assert_eq!(
        audit_total(&t).await,
        before,
        "refused applications write nothing"
    );

    let r = t
        .api(
            Method::POST,
            "/api/v1/cases",
            None,
            Some(application(
                item,
                town,
                "11010519491231002x",
                &["申请书", "营业执照"],
            )),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let receipt = r.json();
    assert_eq!(receipt["office_code"], "371481B01");
    let (id, no, code) = (
        receipt["id"].as_i64().unwrap(),
        receipt["tracking_no"].as_str().unwrap().to_owned(),
        receipt["check_code"].as_str().unwrap().to_owned(),
    );
    let queue = t
        .api(
            Method::GET,
            "/api/v1/cases?open=true",
            Some("ll.branch1"),
            None,
        )
        .await
        .json();
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["remaining"], 10);
    let elsewhere = t
        .api(Method::GET, "/api/v1/cases", Some("dc.bureau"), None)
        .await
        .json();
    assert_eq!(
        elsewhere["total"], 0,
        "another county's bureau sees nothing"
    );

    let steps = format!("/api/v1/cases/{id}/steps");
    let step = |action: &str, lock: i64, materials: &[&str], reason: &str| json!({ "action": action, "lock_version": lock, "materials": materials, "reason": reason });
    assert_problem(
        &t.api(
            Method::POST,
            &steps,
            Some("ll.branch1"),
            Some(step("grant", 1, &[], "")),
        )
        .await,
        409,
        "transition_not_allowed",
    );
    assert_problem(
        &t.api(
            Method::POST,
            &steps,
            Some("ll.bureau"),
            Some(step("accept", 1, &[], "")),
        )
        .await,
        403,
        "no_power",
    );
    assert_problem(
        &t.api(
            Method::POST,
            &steps,
            Some("ll.branch1"),
            Some(step("accept", 7, &[], "")),
        )
        .await,
        409,
        "stale",
    );
    assert_problem(
        &t.api(
            Method::POST,
            &steps,
            Some("ll.branch1"),
            Some(step("reject", 1, &[], "")),
        )
        .await,
        400,
        "required_field",
    );
    assert_problem(
        &t.api(Method::POST, &steps, None, Some(step("accept", 1, &[], "")))
            .await,
        401,
        "unauthenticated",
    );
    assert_eq!(
        audit_total(&t).await,
        before + 1,
        "only the submission was written"
    );

    let r = t
        .api(
            Method::POST,
            &steps,
            Some("ll.branch1"),
            Some(step("request_supplement", 1, &["场所平面图"], "缺平面图")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["statutory_due"],
        Value::Null,
        "the clock is stopped"
    );

    let track = format!("/api/v1/track/{no}");
    assert_problem(
        &t.get(&format!("{track}?code=x{code}")).await,
        404,
        "not_found",
    );
    let seen = t.get(&format!("{track}?code={code}")).await.json();
    assert_eq!(seen["state"], "supplement_requested");
    assert_eq!(seen["applicant_id"], "110105********002X");
    assert_eq!(seen["events"][1]["materials"][0], "场所平面图");
    let supply = json!({ "action": "supply", "lock_version": 2, "materials": ["场所平面图"], "check_code": code });
    let r = t
        .api(Method::POST, &format!("{track}/steps"), None, Some(supply))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "submitted");
    let mut lock = r.json()["lock_version"].as_i64().unwrap();
    for action in ["accept", "review", "grant", "conclude"] {
        let r = t
            .api(
                Method::POST,
                &steps,
                Some("ll.branch1"),
                Some(step(action, lock, &[], "")),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
        lock = r.json()["lock_version"].as_i64().unwrap();
    }
    let done = t
        .api(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some("ll.branch1"),
            None,
        )
        .await
        .json();
    assert_eq!(done["state"], "concluded");
    assert_eq!(done["doc_number"], "乐政发〔2024〕1号");
    assert_eq!(done["events"].as_array().unwrap().len(), 7);
    assert_eq!(done["actions"], json!([]));
}
