//! Bundles (一件事), cross-window hand-offs and convenience services over the API and the pages,
//! on both backends.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, assert_problem, multipart, post_multipart};
use serde_json::{Value, json};
use tongquan_store::contract_tests;
use tongquan_store::testing::{TestDb, convenience_item, delegated_item, four_certificate_bundle};

contract_tests!(
    a_bundle_is_applied_for_once_and_followed_on_the_api_and_the_pages,
    a_cross_window_case_is_handed_over_and_returned,
    a_centre_clerk_records_a_service_on_the_page,
);

const USCC: &str = "91371400MA3C0000XA";

fn uscc() -> String {
    tongquan_domain::applicant::ApplicantId::complete(
        tongquan_domain::applicant::ApplicantKind::Enterprise,
        &USCC[..17],
    )
    .unwrap()
    .to_string()
}

const MATERIALS: [&str; 6] = [
    "申请表",
    "营业执照",
    "国有建设用地使用权出让合同",
    "建设工程设计方案",
    "土地出让价款缴纳凭证",
    "施工合同",
];

async fn count(t: &TestApp, sql: &'static str) -> i64 {
    t.db.store.count_raw(sql).await.unwrap()
}

async fn a_bundle_is_applied_for_once_and_followed_on_the_api_and_the_pages(db: TestDb) {
    let template = four_certificate_bundle(&db.store, "371481").await;
    let t = TestApp::new(db).await;
    let list = t
        .api(
            Method::GET,
            "/api/v1/bundle-templates?county=371481",
            None,
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let items: Vec<i64> = list.json()[0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item_id"].as_i64().unwrap())
        .collect();
    assert_eq!(items.len(), 4);
    assert_problem(
        &t.api(
            Method::GET,
            "/api/v1/bundle-templates?county=3714",
            None,
            None,
        )
        .await,
        400,
        "invalid_field",
    );

    // Defining a bundle: the bureau of the county only, distinct items, a free name.
    let define = |user: &'static str, body: Value| {
        t.api(
            Method::POST,
            "/api/v1/bundle-templates",
            Some(user),
            Some(body),
        )
    };
    let templates = "SELECT COUNT(*) FROM bundle_templates";
    let before = count(&t, templates).await;
    for (user, body, status, code) in [
        (
            "ll.bureau",
            json!({ "county": "371481", "name": "两证联办", "items": [items[0], items[0]] }),
            400,
            "invalid_field",
        ),
        (
            "ll.branch1",
            json!({ "county": "371481", "name": "两证联办", "items": [items[0], items[1]] }),
            403,
            "forbidden",
        ),
        (
            "dc.bureau",
            json!({ "county": "371481", "name": "两证联办", "items": [items[0], items[1]] }),
            403,
            "forbidden",
        ),
        (
            "ll.bureau",
            json!({ "county": "371481", "name": tongquan_store::seed::bundles::TEMPLATE_NAME, "items": [items[0], items[1]] }),
            409,
            "taken",
        ),
        (
            "ll.bureau",
            json!({ "county": "371481", "name": "两证联办", "items": [items[0], 999_999] }),
            404,
            "not_found",
        ),
    ] {
        assert_problem(&define(user, body).await, status, code);
    }
    assert_eq!(count(&t, templates).await, before, "nothing defined");
    let made = define(
        "ll.bureau",
        json!({ "county": "371481", "name": "两证联办", "items": [items[0], items[3]] }),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.json()["items"].as_array().unwrap().len(), 2);

    // One application over the API: every missing material named at once, then four sub-cases.
    let apply = |materials: &[&str]| {
        json!({ "template_id": template, "town": "371481104", "applicant_kind": "enterprise",
                "applicant_id": uscc(), "applicant_name": "德州某实业有限公司", "contact": "0534-1234567",
                "channel": "online", "materials": materials })
    };
    let cases = "SELECT COUNT(*) FROM cases";
    let before = (count(&t, cases).await, t.audit_len().await);
    let p = assert_problem(
        &t.api(
            Method::POST,
            "/api/v1/bundles",
            None,
            Some(apply(&MATERIALS[..2])),
        )
        .await,
        422,
        "missing_materials",
    );
    assert!(
        p["messages"]["zh-CN"]
            .as_str()
            .unwrap()
            .contains("施工合同")
    );
    let mut bad = apply(&MATERIALS);
    bad["applicant_id"] = json!("91371400MA3C00000I");
    assert_problem(
        &t.api(Method::POST, "/api/v1/bundles", None, Some(bad))
            .await,
        400,
        "invalid_field",
    );
    assert_eq!((count(&t, cases).await, t.audit_len().await), before);
    let r = t
        .api(
            Method::POST,
            "/api/v1/bundles",
            None,
            Some(apply(&MATERIALS)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let receipt = r.json();
    assert_eq!(receipt["cases"].as_array().unwrap().len(), 4);
    let no = receipt["tracking_no"].as_str().unwrap().to_owned();
    let code = receipt["check_code"].as_str().unwrap().to_owned();
    let tracked = t
        .api(
            Method::GET,
            &format!("/api/v1/bundles/track/{no}?code={code}"),
            None,
            None,
        )
        .await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.body);
    assert_eq!(tracked.json()["concluded_on"], Value::Null);
    assert_problem(
        &t.api(
            Method::GET,
            &format!("/api/v1/bundles/track/{no}?code=x{code}"),
            None,
            None,
        )
        .await,
        404,
        "not_found",
    );
    let staff = t
        .api(Method::GET, "/api/v1/bundles", Some("ll.bureau"), None)
        .await
        .json();
    assert_eq!(
        (
            staff["total"].as_i64(),
            staff["figures"]["concluded"].as_i64()
        ),
        (Some(1), Some(0))
    );

    // The pages: the public list, the form of shared materials (each once), the receipt.
    assert!(
        t.get("/apply/bundles")
            .await
            .body
            .contains(tongquan_store::seed::bundles::TEMPLATE_NAME)
    );
    let form = t.get(&format!("/apply/bundles/{template}")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.body.matches(r#"type="file""#).count(), MATERIALS.len());
    let csrf = form.cookie("tq_csrf").unwrap();
    let cookies = format!("tq_csrf={csrf}");
    let uscc = uscc();
    let mut fields = vec![
        ("town", "371481104"),
        ("applicant_kind", "enterprise"),
        ("applicant_id", uscc.as_str()),
        ("applicant_name", "德州另一实业有限公司"),
        ("contact", "0534-7654321"),
    ];
    let names: Vec<(String, String)> = MATERIALS
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("material_{i}"), m.to_string()))
        .collect();
    fields.extend(names.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let once = common::between(&form.body, r#"name="once" value=""#, "\"").to_owned();
    fields.push(("once", once.as_str()));
    let file_fields: Vec<String> = (0..MATERIALS.len()).map(|i| format!("file_{i}")).collect();
    let pdf: &[u8] = b"%PDF-1.4 bundle";
    let files: Vec<(&str, &str, &[u8])> = file_fields
        .iter()
        .map(|f| (f.as_str(), "m.pdf", pdf))
        .collect();
    let url = format!("/apply/bundles/{template}?csrf={csrf}");
    let before = count(&t, cases).await;
    let refused = post_multipart(&t, &url, &cookies, multipart(&fields, &files[..5])).await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.body);
    assert!(refused.body.contains(r#"data-code="missing_materials""#));
    assert_eq!(count(&t, cases).await, before);
    let page = post_multipart(&t, &url, &cookies, multipart(&fields, &files)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.body.matches("<code>371481H</code>").count(),
        4,
        "four sub-cases at the county hall"
    );
    assert_eq!(count(&t, cases).await, before + 4);
    let page_no = common::between(&page.body, r#"id="tracking-no">"#, "<").to_owned();
    let page_code = common::between(&page.body, r#"id="check-code">"#, "<").to_owned();
    // Sent again (a refresh), the form's one-time token brings back the same receipt.
    let again = post_multipart(&t, &url, &cookies, multipart(&fields, &files)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        common::between(&again.body, r#"id="tracking-no">"#, "<"),
        page_no
    );
    assert_eq!(count(&t, cases).await, before + 4, "no second bundle");
    let b = t.sign_in("ll.bureau").await;
    let track = t
        .post_form(
            &b,
            "/track",
            &[("tracking_no", &page_no), ("check_code", &page_code)],
        )
        .await;
    assert!(track.body.contains(r#"id="sub-cases""#), "{}", track.body);
    let staff_page = t.browse(&b, "/cases/bundles").await;
    assert_eq!(staff_page.status, StatusCode::OK, "{}", staff_page.body);
    assert_eq!(staff_page.body.matches(r#"class="bundle""#).count(), 2);
    let sub = receipt["cases"][0]["id"].as_i64().unwrap();
    let case_page = t.browse(&b, &format!("/cases/{sub}")).await;
    assert!(case_page.body.contains(r#"id="bundle-link""#));
}

async fn a_cross_window_case_is_handed_over_and_returned(db: TestDb) {
    let (item, town) = delegated_item(&db.store, "371481B01").await;
    let t = TestApp::new(db).await;
    let r = t
        .api(
            Method::POST,
            "/api/v1/cases",
            Some("ll.bureau"),
            Some(json!({ "item_id": item, "town": town.as_str(), "applicant_kind": "person",
                "applicant_id": "11010519491231002X", "applicant_name": "张三", "contact": "13800000000",
                "channel": "cross_window", "materials": ["申请书", "营业执照"] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let steps = format!("/api/v1/cases/{id}/steps");
    let handover = format!("/api/v1/cases/{id}/handover");
    let step = |user: &'static str, action: &str, lock: i64| {
        t.api(
            Method::POST,
            &steps,
            Some(user),
            Some(json!({ "action": action, "lock_version": lock })),
        )
    };
    let hand = |user: &'static str, op: &str, lock: i64| {
        t.api(
            Method::POST,
            &handover,
            Some(user),
            Some(json!({ "op": op, "lock_version": lock })),
        )
    };
    let before = t.audit_len().await;
    assert_problem(
        &step("ll.branch1", "accept", 1).await,
        409,
        "not_handed_over",
    );
    assert_problem(&hand("ll.branch1", "hand_over", 1).await, 403, "forbidden");
    assert_problem(&hand("ll.bureau", "return", 1).await, 403, "forbidden");
    assert_problem(&hand("ll.bureau", "post", 1).await, 400, "invalid_field");
    assert_problem(&hand("ll.bureau", "hand_over", 3).await, 409, "stale");
    assert_problem(&hand("dc.bureau", "hand_over", 1).await, 404, "not_found");
    assert_eq!(t.audit_len().await, before, "nothing changed");
    let handed = hand("ll.bureau", "hand_over", 1).await;
    assert_eq!(handed.status, StatusCode::OK, "{}", handed.body);
    assert_eq!(handed.json()["handed_over_on"], common::TODAY);
    let mut lock = 2;
    for action in ["accept", "review", "grant", "conclude"] {
        let r = step("ll.branch1", action, lock).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
        lock = r.json()["lock_version"].as_i64().unwrap();
    }
    // The branch returns the result from its case page, where the step is offered.
    let b = t.sign_in("ll.branch1").await;
    let page = t.browse(&b, &format!("/cases/{id}")).await;
    assert!(page.body.contains(r#"id="step-return""#), "{}", page.body);
    let lock = lock.to_string();
    let done = t
        .post_form(
            &b,
            &format!("/cases/{id}/steps"),
            &[("action", "return"), ("version", &lock)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let case = t
        .api(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some("ll.bureau"),
            None,
        )
        .await
        .json();
    assert_eq!(case["returned_on"], common::TODAY);
    let last = case["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["office_code"].as_str()),
        (Some("return"), Some("371481B01"))
    );
}

async fn a_centre_clerk_records_a_service_on_the_page(db: TestDb) {
    let item = convenience_item(&db.store).await;
    let t = TestApp::new(db).await;
    let b = t.sign_in("ll.centre").await;
    let page = t.browse(&b, "/cases/services").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("城乡居民养老保险参保登记"));
    let services = "SELECT COUNT(*) FROM services";
    let id = item.to_string();
    for (town, minutes) in [("37148110", "8"), ("371481104", "-3"), ("371481104", "八")] {
        let r = t
            .post_form(
                &b,
                "/cases/services",
                &[
                    ("item_id", &id),
                    ("town", town),
                    ("channel", "window"),
                    ("minutes", minutes),
                ],
            )
            .await;
        assert_eq!(r.status.as_u16(), 400, "{town} {minutes}: {}", r.body);
        assert!(r.body.contains(r#"data-code="invalid_field""#));
    }
    assert_eq!(count(&t, services).await, 0, "nothing recorded");
    let r = t
        .post_form(
            &b,
            "/cases/services",
            &[
                ("item_id", &id),
                ("town", "371481104"),
                ("channel", "window"),
                ("minutes", "8"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.browse(&b, "/cases/services?saved=1").await;
    assert!(page.body.contains(r#"id="saved""#));
    assert_eq!(page.body.matches("<tr data-id=").count(), 1);
    // A branch clerk sees the list but has no form.
    let branch = t.sign_in("ll.branch1").await;
    assert!(
        !t.browse(&branch, "/cases/services")
            .await
            .body
            .contains("record-service")
    );
}
