//! Enforcement over the API, Open311 and the pages, on both backends: a draw published, revealed
//! and verified; refused inspections, penalty decisions and reports that change nothing.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{TestApp, assert_problem};
use serde_json::json;
use tongquan_store::contract_tests;
use tongquan_store::testing::{TestDb, enforcement_fixture};

contract_tests!(
    a_draw_is_published_revealed_and_verified,
    refused_enforcement_acts_change_nothing,
    open311_clients_file_and_follow_reports,
);

async fn count(t: &TestApp, sql: &'static str) -> i64 {
    t.db.store.count_raw(sql).await.unwrap()
}

async fn a_draw_is_published_revealed_and_verified(db: TestDb) {
    enforcement_fixture(&db.store).await;
    let t = TestApp::new(db).await;
    let body = json!({"department": "371481SJ", "title": "2024年一季度双随机抽查", "draw_on": "2024-03-05", "count": 1, "team": 2});
    let r = t
        .api(
            Method::POST,
            "/api/v1/draws",
            Some("dc.market"),
            Some(body.clone()),
        )
        .await;
    assert_problem(&r, 403, "forbidden");
    let r = t.api(Method::POST, "/api/v1/draws", Some("ll.market"), Some(json!({"department": "371481SJ", "title": "x", "draw_on": "2024-03-05", "count": 1, "permille": 5}))).await;
    assert_problem(&r, 400, "invalid_field");
    let r = t.api(Method::POST, "/api/v1/draws", Some("ll.market"), Some(json!({"department": "371481SJ", "title": "x", "draw_on": "2024-03-05", "count": 1, "team": 9}))).await;
    assert_problem(&r, 422, "plan.too_few_officers");
    assert_eq!(count(&t, "SELECT COUNT(*) FROM draws").await, 0);

    let r = t
        .api(Method::POST, "/api/v1/draws", Some("ll.market"), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let doc = t.get(&format!("/api/v1/draws/{id}/document")).await.json();
    assert!(
        doc["seed"].is_null() && doc["outcome"].is_null(),
        "the seed stays secret until the reveal"
    );
    assert_eq!(doc["inputs"]["officers"].as_array().unwrap().len(), 3);
    let page = t.get(&format!("/draws/{id}")).await;
    assert!(page.body.contains(r#"data-verified="false""#));
    assert!(page.body.contains(doc["commitment"].as_str().unwrap()));

    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/draws/{id}/reveal"),
            Some("ll.market"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["picks"].as_array().unwrap().len(), 1);
    let check = t
        .get(&format!("/api/v1/draws/{id}/verification"))
        .await
        .json();
    assert_eq!(check["verified"], true, "{check}");
    let page = t.get(&format!("/draws/{id}")).await;
    assert!(
        page.body.contains(r#"data-verified="true""#),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"picks\""));
    let list = t.get("/draws").await;
    assert!(list.body.contains("2024年一季度双随机抽查"));
    let r = t
        .api(
            Method::POST,
            &format!("/api/v1/draws/{id}/reveal"),
            Some("ll.market"),
            None,
        )
        .await;
    assert_problem(&r, 409, "transition_not_allowed");

    // The department's officers: the expired credential is flagged; another county sees none.
    let b = t.sign_in("ll.market").await;
    let page = t.browse(&b, "/enforcement/officers").await;
    assert_eq!(
        page.body.matches("<tr data-id=").count(),
        4,
        "{}",
        page.body
    );
    assert_eq!(page.body.matches(r#"class="expired""#).count(), 1);
    let other = t.sign_in("dc.market").await;
    let page = t.browse(&other, "/enforcement/officers").await;
    assert_eq!(page.body.matches("<tr data-id=").count(), 0);
}

async fn refused_enforcement_acts_change_nothing(db: TestDb) {
    let f = enforcement_fixture(&db.store).await;
    let t = TestApp::new(db).await;
    let [a, b, _, expired] = f.officers;
    let visit = |officers: serde_json::Value, deadline: &str| {
        json!({"object_id": f.objects[0], "department": "371481SJ", "trigger": "routine", "visited_on": "2024-02-20",
               "started_at": "09:00", "ended_at": "10:00", "officers": officers, "items": ["食品经营者日常经营"],
               "findings": "消防通道堵塞",
               "hazards": [{"level": "general", "description": "消防通道堵塞", "responsible": "企业负责人", "deadline": deadline}]})
    };
    let audit = t.audit_len().await;
    let record = |body| {
        t.api(
            Method::POST,
            "/api/v1/inspections",
            Some("ll.market"),
            Some(body),
        )
    };
    assert_problem(
        &record(visit(json!([a]), "2024-03-10")).await,
        422,
        "too_few_officers",
    );
    let r = record(visit(json!([a, expired]), "2024-03-10")).await;
    assert_problem(&r, 422, "credential_invalid");
    let r = record(visit(json!([a, b]), "2024-02-29")).await;
    assert_eq!(
        assert_problem(&r, 400, "invalid_field")["field"],
        "deadline"
    );
    assert_eq!(count(&t, "SELECT COUNT(*) FROM inspections").await, 0);
    assert_eq!(
        t.audit_len().await,
        audit,
        "no audit entry for a refused act"
    );

    let r = record(visit(json!([a, b]), "2024-03-10")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let code = r.json()["rating_code"].as_str().unwrap().to_owned();
    let hazard = r.json()["hazards"][0].as_i64().unwrap();
    let h = t
        .api(
            Method::GET,
            &format!("/api/v1/hazards/{hazard}"),
            Some("ll.team"),
            None,
        )
        .await
        .json();
    assert_eq!(h["state"], "open");
    // The enterprise's page lists the visit and takes its rating once.
    let credit =
        t.db.store
            .inspection_object(&tongquan_domain::access::Actor::System("t"), f.objects[0])
            .await
            .unwrap()
            .credit_code
            .unwrap();
    let visits = t.get(&format!("/visits?credit_code={credit}")).await;
    assert!(visits.body.contains("2024-02-20"), "{}", visits.body);
    let anon = t.get("/visits").await;
    let csrf = anon.cookie("tq_csrf").unwrap();
    let form = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("credit_code", credit.as_str()),
        ("code", code.as_str()),
        ("rating", "4"),
    ])
    .unwrap();
    // The enterprise is not signed in: its browser carries only the CSRF cookie.
    let rate = || {
        t.send(
            Request::post("/visits")
                .header(header::COOKIE, format!("tq_csrf={csrf}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form.clone()))
                .unwrap(),
        )
    };
    let rated = rate().await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    assert_eq!(rate().await.status, StatusCode::CONFLICT);

    let penalty = json!({"item_id": f.power, "town": "371481104", "party_name": "张某", "facts": "无照经营", "officers": [a, b]});
    let r = t
        .api(
            Method::POST,
            "/api/v1/penalty-cases",
            Some("ll.team"),
            Some(penalty),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let case = r.json();
    assert_eq!(case["handler_kind"], "town");
    let id = case["id"].as_i64().unwrap();
    let r = t.api(Method::POST, &format!("/api/v1/penalty-cases/{id}/steps"), Some("ll.team"),
        Some(json!({"step": "decide", "note": "罚款 1000 元", "lock_version": case["lock_version"]}))).await;
    assert_problem(&r, 409, "no_notice_of_rights");
    let after = t
        .api(
            Method::GET,
            &format!("/api/v1/penalty-cases/{id}"),
            Some("ll.team"),
            None,
        )
        .await
        .json();
    assert_eq!(
        (after["state"].as_str(), &after["lock_version"]),
        (Some("filed"), &case["lock_version"])
    );

    // Item lists: a frequency the planner cannot merge is refused; the plan merges the rest.
    let item = |freq: serde_json::Value| {
        json!({"department": "371481SJ", "name": "食品经营日常检查", "object_kinds": "enterprise",
        "legal_basis": "《中华人民共和国食品安全法》", "frequency": freq})
    };
    let r = t
        .api(
            Method::POST,
            "/api/v1/inspection-items",
            Some("ll.market"),
            Some(item(json!([1, 2, 5, 12]))),
        )
        .await;
    assert_eq!(assert_problem(&r, 400, "invalid_field")["field"], "freq_c");
    let r = t
        .api(
            Method::POST,
            "/api/v1/inspection-items",
            Some("ll.market"),
            Some(item(json!([1, 2, 4, 12]))),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    t.db.store
        .create_inspection_item(
            &tongquan_domain::access::Actor::System("t"),
            tongquan_store::enforcement::objects::NewInspectionItem {
                department: tongquan_domain::codes::DepartmentCode::parse("d", "371481YJ").unwrap(),
                name: "安全生产检查".into(),
                object_kinds: vec![tongquan_domain::enforcement::ObjectKind::Enterprise],
                legal_basis: "《中华人民共和国安全生产法》".into(),
                method: String::new(),
                frequency: [1, 2, 4, 12],
            },
        )
        .await
        .unwrap();
    let plan = t
        .get("/api/v1/enforcement/joint-plan?county=371481")
        .await
        .json();
    // Two grade-C enterprises, two departments four times a year each: 16 alone, 8 together.
    assert_eq!(
        (
            plan["separate_visits"].as_u64(),
            plan["joint_visits"].as_u64()
        ),
        (Some(16), Some(8)),
        "{plan}"
    );
    assert_eq!(plan["optimal"], true);
    assert_eq!(
        t.get("/api/v1/enforcement/joint-plan").await.status,
        StatusCode::BAD_REQUEST
    );

    // The results page counts this year's visit and hazard.
    let page = t.get("/enforcement?county=371481").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"data-code="371481104""#));
    assert!(page.body.contains(r#"id="joint-plan" data-optimal="true""#));
    let figures = t
        .get("/api/v1/enforcement/figures?county=371481")
        .await
        .json();
    assert_eq!(figures["total"]["visits_after"], 1);
    assert_eq!(figures["total"]["hazards_found"], 1);
}

async fn open311_clients_file_and_follow_reports(db: TestDb) {
    enforcement_fixture(&db.store).await;
    let t = TestApp::new(db).await;
    let services = t.get("/open311/v2/services.json").await.json();
    assert_eq!(services.as_array().unwrap().len(), 7);
    assert!(
        services
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["service_code"] == "market")
    );

    let post = |body: &str| {
        Request::post("/open311/v2/requests.json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    // Outside the city, an unknown service, no place: refused in Open311's error shape.
    for (body, status) in [
        (
            "service_code=market&lat=39.9042&long=116.4074&description=%E6%97%A0%E8%AF%81%E7%BB%8F%E8%90%A5%E6%91%8A%E7%82%B9",
            422,
        ),
        (
            "service_code=parking&address_id=371481104&description=%E6%97%A0%E8%AF%81%E7%BB%8F%E8%90%A5%E6%91%8A%E7%82%B9",
            400,
        ),
        (
            "service_code=market&description=%E6%97%A0%E8%AF%81%E7%BB%8F%E8%90%A5%E6%91%8A%E7%82%B9",
            400,
        ),
    ] {
        let r = t.send(post(body)).await;
        assert_eq!(r.status.as_u16(), status, "{}", r.body);
        let e = r.json();
        assert_eq!(e[0]["code"], status, "{e}");
        assert!(!e[0]["description"].as_str().unwrap().is_empty());
    }
    assert_eq!(count(&t, "SELECT COUNT(*) FROM leads").await, 0);

    let r = t
        .send(post("service_code=market&address_id=371481104&address_string=%E8%8A%B1%E5%9B%AD%E9%95%87%E9%9B%86%E5%B8%82&description=%E9%9B%86%E5%B8%82%E6%97%A0%E8%AF%81%E7%BB%8F%E8%90%A5%E7%86%9F%E9%A3%9F&email=a%40example.com"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        r.json()[0]["service_notice"]
            .as_str()
            .unwrap()
            .contains("乐政发〔2023〕88号")
    );
    let one = t
        .get(&format!("/open311/v2/requests/{id}.json"))
        .await
        .json();
    assert_eq!(one[0]["status"], "open");
    assert_eq!(one[0]["agency_responsible"], "花园镇综合行政执法队");
    assert!(
        one[0].get("email").is_none(),
        "the reporter is not published"
    );
    // What was reported is the reporter's: the public list shows kind, place and progress only;
    // the report page shows it with the follow-up code, and nothing without it.
    assert_eq!(one[0]["description"], "");
    let code = r.json()[0]["check_code"].as_str().unwrap().to_owned();
    let report = format!("/report/{id}");
    let page = t.get(&report).await;
    assert!(!page.body.contains("集市无证经营熟食") && page.body.contains(r#"id="follow""#));
    let b = t.sign_in_anonymous().await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = t.post_form(&b, &report, &[("check_code", wrong)]).await;
    assert!(
        !refused.body.contains("集市无证经营熟食"),
        "{}",
        refused.body
    );
    let shown = t.post_form(&b, &report, &[("check_code", &code)]).await;
    assert!(shown.body.contains("集市无证经营熟食"), "{}", shown.body);
    let json_post = t
        .send(Request::post("/open311/v2/requests.json").header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"service_code": "traffic", "address_id": "371481104", "description": "路口信号灯损坏"}).to_string())).unwrap())
        .await;
    assert_eq!(json_post.status, StatusCode::CREATED, "{}", json_post.body);
    let all = t
        .get("/open311/v2/requests.json?status=open&start_date=2024-01-01")
        .await
        .json();
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    let traffic = t
        .get("/open311/v2/requests.json?service_code=traffic&start_date=2024-01-01")
        .await
        .json();
    assert_eq!(traffic[0]["agency_responsible"], "乐陵市公安局交通警察大队");
    assert_problem(
        &t.api(Method::GET, &format!("/api/v1/leads/{id}"), None, None)
            .await,
        401,
        "unauthenticated",
    );
    let staff = t
        .api(
            Method::GET,
            &format!("/api/v1/leads/{id}"),
            Some("ll.team"),
            None,
        )
        .await
        .json();
    assert_eq!(staff["target_minutes"], 120);
    assert_eq!(
        t.get("/open311/v2/requests.json?status=pending")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}
