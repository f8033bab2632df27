//! Cases and the calendar over the JSON API, on both backends: a citizen applies online without
//! an account, the branch decides, the county bureau cannot, and bad input changes nothing.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, assert_problem, between, multipart, post_multipart};
use serde_json::{Value, json};
use tongquan_store::contract_tests;
use tongquan_store::testing::{TestDb, convenience_item, delegated_item};

contract_tests!(
    the_calendar_answers_due_dates_and_refuses_unknown_years,
    a_citizen_applies_online_and_the_branch_decides,
    the_pages_take_files_refuse_bad_uploads_and_carry_the_case_to_a_rating,
    the_queue_colours_cases_near_and_past_their_due_date,
    a_commitment_is_granted_at_once_and_checked_from_the_task_list,
    the_clock_stops_restarts_and_is_extended_with_the_bureaus_approval,
    a_town_centre_records_convenience_services,
    check_codes_cannot_be_guessed_and_a_window_issues_a_new_one,
);

/// 20,000 wrong codes once went through in 7.5 s and the right one still worked.
async fn check_codes_cannot_be_guessed_and_a_window_issues_a_new_one(db: TestDb) {
    let (item, town) = delegated_item(&db.store, "371481B01").await;
    let t = TestApp::new(db).await;
    let bad_contact = application(item, town.as_str(), "11010519491231002X", &["申请书"]);
    for contact in ["1", "phone me", "12345", "010-1234"] {
        let mut body = bad_contact.clone();
        body["contact"] = json!(contact);
        let p = assert_problem(
            &t.api(Method::POST, "/api/v1/cases", None, Some(body)).await,
            400,
            "invalid_field",
        );
        assert_eq!(p["field"], "contact", "{contact}");
    }
    let receipt = t
        .api(
            Method::POST,
            "/api/v1/cases",
            None,
            Some(application(
                item,
                town.as_str(),
                "11010519491231002X",
                &["申请书", "营业执照"],
            )),
        )
        .await
        .json();
    let (id, no, code) = (
        receipt["id"].as_i64().unwrap(),
        receipt["tracking_no"].as_str().unwrap().to_owned(),
        receipt["check_code"].as_str().unwrap().to_owned(),
    );
    // With an Idempotency-Key a retried application gets the first receipt; the same key for
    // another application is refused; a malformed key is named.
    let keyed = |key: &str, name: &str| {
        let mut body = application(
            item,
            town.as_str(),
            "11010519491231002X",
            &["申请书", "营业执照"],
        );
        body["applicant_name"] = json!(name);
        axum::http::Request::post("/api/v1/cases")
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(axum::body::Body::from(body.to_string()))
            .unwrap()
    };
    let key = "3f6c1d2e-5b7a-4c1e-9a0b-2d4e6f8a0b1c";
    let first = t.send(keyed(key, "李四")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let audit = audit_total(&t).await;
    let retry = t.send(keyed(key, "李四")).await;
    assert_eq!(
        (retry.status, retry.json()),
        (StatusCode::CREATED, first.json())
    );
    assert_eq!(audit_total(&t).await, audit, "a retry writes nothing");
    assert_problem(
        &t.send(keyed(key, "王五")).await,
        422,
        "idempotency_key_reused",
    );
    let p = assert_problem(&t.send(keyed("short", "李四")).await, 400, "invalid_field");
    assert_eq!(p["field"], "idempotency_key");
    assert_eq!(audit_total(&t).await, audit);
    let (t, no) = (&t, &no);
    let track =
        |code: String| async move { t.get(&format!("/api/v1/track/{no}?code={code}")).await };
    let shown = track(code.clone()).await.json();
    assert_eq!(shown["contact"], "*******0000", "the phone is masked");
    assert_eq!(shown["applicant_id"], "110105********002X");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        assert_problem(&track(wrong.into()).await, 404, "not_found");
    }
    let locked = track(code.clone()).await;
    let wait: i64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "Retry-After {wait}");
    let p = assert_problem(&locked, 429, "locked");
    assert!(
        p["messages"]["zh-CN"]
            .as_str()
            .unwrap()
            .contains("重新领取查询码"),
        "{p}"
    );
    // A withdrawal with the right code waits too.
    assert_problem(
        &t.api(
            Method::POST,
            &format!("/api/v1/track/{no}/steps"),
            None,
            Some(json!({ "action": "withdraw", "check_code": code, "lock_version": 1 })),
        )
        .await,
        429,
        "locked",
    );
    // Only staff of the case's office or county issue a new code.
    let reissue = format!("/api/v1/cases/{id}/check-code");
    assert_problem(
        &t.api(Method::POST, &reissue, None, None).await,
        401,
        "unauthenticated",
    );
    assert_problem(
        &t.api(Method::POST, &reissue, Some("dc.bureau"), None).await,
        404,
        "not_found",
    );
    // Only the window: neither the county bureau nor the city may act as the applicant.
    for user in ["ll.bureau", "city.admin"] {
        assert_problem(
            &t.api(Method::POST, &reissue, Some(user), None).await,
            403,
            "no_power",
        );
    }
    let audit = audit_total(t).await;
    let r = t
        .api(Method::POST, &reissue, Some("ll.branch1"), None)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let fresh = r.json()["check_code"].as_str().unwrap().to_owned();
    assert_eq!(audit_total(t).await, audit + 1);
    assert!(!r.body.contains(&code) || fresh == code);
    assert_eq!(track(fresh.clone()).await.status, StatusCode::OK);
    if fresh != code {
        assert_problem(&track(code).await, 404, "not_found");
    }
    // One client guessing across many numbers is stopped as well.
    // The old code's failure and 19 more make the 20 a client may get wrong in a quarter hour.
    for n in 0..19 {
        let other = format!("/api/v1/track/371481B012024030{n:06}?code=000000");
        assert_problem(&t.get(&other).await, 404, "not_found");
    }
    assert_problem(&track(fresh).await, 429, "locked");
}

async fn a_town_centre_records_convenience_services(db: TestDb) {
    let (approval, _) = delegated_item(&db.store, "371481B01").await;
    let item = convenience_item(&db.store).await;
    let t = TestApp::new(db).await;
    let record = |user: &'static str, body: Value| {
        t.api(Method::POST, "/api/v1/services", Some(user), Some(body))
    };
    let before = audit_total(&t).await;
    assert_problem(
        &record(
            "ll.branch1",
            json!({ "item_id": item, "town": "371481104", "channel": "window", "minutes": 8 }),
        )
        .await,
        403,
        "forbidden",
    );
    assert_problem(
        &record(
            "ll.centre",
            json!({ "item_id": approval, "town": "371481104", "channel": "window", "minutes": 8 }),
        )
        .await,
        400,
        "invalid_field",
    );
    assert_problem(
        &record(
            "ll.centre",
            json!({ "item_id": item, "town": "371481104", "channel": "window", "minutes": 0 }),
        )
        .await,
        400,
        "invalid_field",
    );
    assert_problem(
        &record(
            "ll.centre",
            json!({ "item_id": item, "town": "37148110", "channel": "window" }),
        )
        .await,
        400,
        "invalid_field",
    );
    assert_eq!(audit_total(&t).await, before, "nothing recorded");
    let r = record(
        "ll.centre",
        json!({ "item_id": item, "town": "371481104", "channel": "window", "minutes": 8 }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["office_code"], "371481104C");
    let list = t
        .api(Method::GET, "/api/v1/services", Some("ll.bureau"), None)
        .await
        .json();
    assert_eq!(list["total"], 1);
    let other = t
        .api(Method::GET, "/api/v1/services", Some("dc.bureau"), None)
        .await
        .json();
    assert_eq!(other["total"], 0, "another county does not see it");
}

async fn the_clock_stops_restarts_and_is_extended_with_the_bureaus_approval(db: TestDb) {
    let (item, town) = delegated_item(&db.store, "371481B01").await;
    let t = TestApp::new(db).await;
    let body = application(
        item,
        town.as_str(),
        "11010519491231002X",
        &["申请书", "营业执照"],
    );
    let id = t
        .api(Method::POST, "/api/v1/cases", None, Some(body))
        .await
        .json()["id"]
        .clone();
    let steps = format!("/api/v1/cases/{id}/steps");
    let clock = format!("/api/v1/cases/{id}/clock");
    let mut lock = 1;
    for action in ["accept", "review"] {
        let r = t
            .api(
                Method::POST,
                &steps,
                Some("ll.branch1"),
                Some(json!({ "action": action, "lock_version": lock })),
            )
            .await;
        lock = r.json()["lock_version"].as_i64().unwrap();
    }
    let due = |c: &Value| c["statutory_due"].clone();
    let before = t
        .api(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some("ll.branch1"),
            None,
        )
        .await
        .json();
    assert_problem(
        &t.api(
            Method::POST,
            &clock,
            Some("ll.branch1"),
            Some(
                json!({ "op": "pause", "reason": "supplement", "note": "x", "lock_version": lock }),
            ),
        )
        .await,
        400,
        "invalid_field",
    );
    assert_problem(
        &t.api(
            Method::POST,
            &clock,
            Some("ll.branch1"),
            Some(json!({ "op": "sleep", "lock_version": lock })),
        )
        .await,
        400,
        "malformed_body",
    );
    let r = t.api(Method::POST, &clock, Some("ll.branch1"), Some(json!({ "op": "pause", "reason": "public_notice", "note": "公示 5 日", "lock_version": lock }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(due(&r.json()), Value::Null);
    // Restarted from the case page's form on the same (pinned) day: no working day was lost, so
    // the due date is as before.
    let clerk = t.sign_in("ll.branch1").await;
    let version = r.json()["lock_version"].as_i64().unwrap().to_string();
    let r = t
        .post_form(
            &clerk,
            &format!("/cases/{id}/clock"),
            &[("op", "resume"), ("version", &version)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let case = t
        .api(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some("ll.branch1"),
            None,
        )
        .await
        .json();
    assert_eq!(due(&case), due(&before));
    let lock = case["lock_version"].as_i64().unwrap();
    let r = t
        .api(
            Method::POST,
            &clock,
            Some("ll.branch1"),
            Some(
                json!({ "op": "extend", "days": 10, "reason": "需专家论证", "lock_version": lock }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(due(&r.json()), due(&before), "not before approval");
    assert_problem(
        &t.api(
            Method::POST,
            &clock,
            Some("ll.branch1"),
            Some(json!({ "op": "decide", "approve": true })),
        )
        .await,
        403,
        "forbidden",
    );
    let page = t
        .browse(&t.sign_in("ll.bureau").await, &format!("/cases/{id}"))
        .await;
    assert!(
        page.body.contains(r#"id="clock-decide""#),
        "the bureau sees the decision form"
    );
    let r = t
        .api(
            Method::POST,
            &clock,
            Some("ll.bureau"),
            Some(json!({ "op": "decide", "approve": true })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.json()["statutory_due"].as_str().unwrap() > before["statutory_due"].as_str().unwrap()
    );
}

async fn a_commitment_is_granted_at_once_and_checked_from_the_task_list(db: TestDb) {
    let (item, town) = delegated_item(&db.store, "371481B01").await;
    let t = TestApp::new(db).await;
    let mut body = application(
        item,
        town.as_str(),
        "11010519491231002X",
        &["申请书", "营业执照"],
    );
    body["commitment"] = json!(true);
    let r = t
        .api(Method::POST, "/api/v1/cases", None, Some(body.clone()))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let receipt = r.json();
    let tasks = t
        .api(
            Method::GET,
            "/api/v1/tasks?kind=verification",
            Some("ll.branch1"),
            None,
        )
        .await
        .json();
    assert_eq!(tasks["total"], 1, "{tasks}");
    let task = tasks["items"][0]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/tasks/{task}");
    let close = |b: Value| t.api(Method::POST, &uri, Some("ll.branch1"), Some(b));
    assert_problem(
        &close(json!({ "outcome": "false" })).await,
        400,
        "required_field",
    );
    assert_problem(
        &close(json!({ "outcome": "maybe" })).await,
        400,
        "invalid_field",
    );
    assert_problem(
        &t.api(
            Method::POST,
            &format!("/api/v1/tasks/{task}"),
            Some("ll.bureau"),
            Some(json!({ "outcome": "confirmed" })),
        )
        .await,
        403,
        "no_power",
    );
    let r = close(json!({ "outcome": "false", "method": "online", "note": "执照系伪造" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let case = t
        .api(
            Method::GET,
            &format!("/api/v1/cases/{}", receipt["id"]),
            Some("ll.branch1"),
            None,
        )
        .await
        .json();
    assert_eq!(case["state"], "revoked");
    assert!(case["commitment"].as_bool().unwrap());
    let r = t.api(Method::POST, "/api/v1/cases", None, Some(body)).await;
    assert_problem(&r, 403, "credit_flagged");
}

/// A multipart body of text fields and (field, file name, bytes) files.
async fn open_cases(t: &TestApp) -> i64 {
    t.api(
        Method::GET,
        "/api/v1/cases?per_page=1",
        Some("city.admin"),
        None,
    )
    .await
    .json()["total"]
        .as_i64()
        .unwrap()
}

async fn the_pages_take_files_refuse_bad_uploads_and_carry_the_case_to_a_rating(db: TestDb) {
    let (item, town) = delegated_item(&db.store, "371481B01").await;
    let t = TestApp::new(db).await;
    let town = town.as_str();
    // A citizen, not signed in, opens the form the item's materials make.
    let form = t.get(&format!("/apply/{item}")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    for m in ["申请书", "营业执照", "场所平面图"] {
        assert!(form.body.contains(m), "{m}");
    }
    assert_eq!(form.body.matches(r#"type="file""#).count(), 3);
    let csrf = form.cookie("tq_csrf").unwrap();
    let cookies = format!("tq_csrf={csrf}");
    let apply = format!("/apply/{item}?csrf={csrf}");
    let pdf: &[u8] = b"%PDF-1.4 application";
    let fields = [
        ("town", town),
        ("applicant_kind", "person"),
        ("applicant_id", "11010519491231002X"),
        ("applicant_name", "王五"),
        ("contact", "13700000000"),
        ("material_0", "申请书"),
        ("material_1", "营业执照"),
        ("material_2", "场所平面图"),
    ];
    let mut too_big = b"%PDF-".to_vec();
    too_big.resize(tongquan_domain::upload::MAX_UPLOAD_BYTES + 1, b'0');
    let before = (audit_total(&t).await, open_cases(&t).await);
    let bad_id: Vec<(&str, &str)> = fields
        .iter()
        .map(|&(k, v)| {
            if k == "applicant_id" {
                (k, "110105194912310021")
            } else {
                (k, v)
            }
        })
        .collect();
    for (fields, files, status, code) in [
        (
            &fields[..],
            vec![
                ("file_0", "a.pdf", pdf),
                ("file_1", "virus.exe", b"MZ\x90\x00".as_slice()),
            ],
            415,
            "file_type_forbidden",
        ),
        (
            &fields[..],
            vec![
                ("file_0", "a.pdf", pdf),
                ("file_1", "b.pdf", b"<script>".as_slice()),
            ],
            415,
            "file_type_forbidden",
        ),
        (
            &fields[..],
            vec![
                ("file_0", "a.pdf", pdf),
                ("file_1", "big.pdf", too_big.as_slice()),
            ],
            413,
            "file_too_large",
        ),
        (
            &fields[..],
            vec![("file_0", "a.pdf", pdf)],
            422,
            "missing_materials",
        ),
        (
            &bad_id[..],
            vec![("file_0", "a.pdf", pdf), ("file_1", "b.pdf", pdf)],
            400,
            "invalid_field",
        ),
    ] {
        let r = post_multipart(&t, &apply, &cookies, multipart(fields, &files)).await;
        assert_eq!(
            r.status.as_u16(),
            status,
            "{code}: {}",
            &r.body[..r.body.len().min(2000)]
        );
        assert!(r.body.contains(&format!(r#"data-code="{code}""#)), "{code}");
        // What was typed comes back; the files must be chosen again.
        assert!(r.body.contains("王五"));
    }
    // Without the CSRF token the upload is refused before it is read.
    let r = post_multipart(
        &t,
        &format!("/apply/{item}"),
        &cookies,
        multipart(&fields, &[]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        (audit_total(&t).await, open_cases(&t).await),
        before,
        "nothing changed"
    );

    // The form carries a one-time token: sent twice (a double click, a refresh), it is taken once.
    let once = between(&form.body, r#"name="once" value=""#, "\"").to_owned();
    assert!(once.len() >= 32, "{once}");
    let mut with_once = fields.to_vec();
    with_once.push(("once", &once));
    let files: [(&str, &str, &[u8]); 3] = [
        ("file_0", "申请书.pdf", pdf),
        ("file_1", "执照.png", b"\x89PNG\r\n\x1a\nimg"),
        ("file_2", "", b""),
    ];
    let r = post_multipart(&t, &apply, &cookies, multipart(&with_once, &files)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let no = between(&r.body, r#"id="tracking-no">"#, "<").to_owned();
    let code = between(&r.body, r#"id="check-code">"#, "<").to_owned();
    let opened = open_cases(&t).await;
    let again = post_multipart(&t, &apply, &cookies, multipart(&with_once, &files)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        between(&again.body, r#"id="tracking-no">"#, "<"),
        no,
        "the first receipt again"
    );
    assert_eq!(between(&again.body, r#"id="check-code">"#, "<"), code);
    assert_eq!(open_cases(&t).await, opened, "no second case");
    assert!(no.starts_with("371481B0120240301"), "{no}");

    // The branch clerk finds it in the queue and asks for the floor plan, once.
    let clerk = t.sign_in("ll.branch1").await;
    let queue = t.browse(&clerk, "/cases").await;
    assert!(queue.body.contains(&no), "{}", queue.body);
    let id = between(&queue.body, r#"data-id=""#, "\"").to_owned();
    let page = t.browse(&clerk, &format!("/cases/{id}")).await;
    assert!(
        page.body.contains(r#"id="step-request_supplement""#) && page.body.contains("申请书.pdf")
    );
    let version = between(&page.body, r#"name="version" value=""#, "\"").to_owned();
    let r = t
        .post_form(
            &clerk,
            &format!("/cases/{id}/steps"),
            &[
                ("action", "request_supplement"),
                ("version", &version),
                ("reason", "请补交平面图"),
                ("m_2", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The same form sent again is stale, and changes nothing.
    let audit = audit_total(&t).await;
    let r = t
        .post_form(
            &clerk,
            &format!("/cases/{id}/steps"),
            &[("action", "accept"), ("version", &version)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains(r#"data-code="stale""#));
    assert_eq!(audit_total(&t).await, audit);
    let notice = t.browse(&clerk, &format!("/cases/{id}/notices/1")).await;
    assert_eq!(notice.status, StatusCode::OK);
    assert!(
        notice.body.contains("补正材料通知书")
            && notice.body.contains(&no)
            && notice.body.contains("<li>场所平面图</li>"),
        "{}",
        notice.body
    );
    assert_eq!(
        t.browse(&clerk, &format!("/cases/{id}/notices/0"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a submission issues no notice"
    );
    // The uploaded file comes back as what its content is, as an attachment.
    let hash = between(&page.body, &format!("/cases/{id}/files/"), "\"").to_owned();
    let file = t.browse(&clerk, &format!("/cases/{id}/files/{hash}")).await;
    assert_eq!(file.content_type(), "application/pdf");
    assert!(
        file.headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(
        file.headers[axum::http::header::X_CONTENT_TYPE_OPTIONS],
        "nosniff"
    );
    assert_eq!(
        t.get(&format!("/cases/{id}/files/{hash}")).await.headers[axum::http::header::LOCATION]
            .to_str()
            .unwrap()
            .split('?')
            .next(),
        Some("/login"),
        "a file is for signed-in staff"
    );

    // The citizen looks the case up and hands the plan in.
    let track = t
        .send(
            axum::http::Request::post("/track")
                .header(axum::http::header::COOKIE, &cookies)
                .header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(axum::body::Body::from(
                    serde_urlencoded::to_string([
                        ("csrf", csrf.as_str()),
                        ("tracking_no", &no),
                        ("check_code", &code),
                    ])
                    .unwrap(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(track.status, StatusCode::OK, "{}", track.body);
    assert!(
        track.body.contains(r#"data-state="supplement_requested""#)
            && track.body.contains(r#"id="supply""#)
    );
    assert!(
        track.body.contains("110105********002X"),
        "the ID number is masked"
    );
    let version = between(&track.body, r#"name="version" value=""#, "\"").to_owned();
    let r = post_multipart(
        &t,
        &format!("/track/supply?csrf={csrf}"),
        &cookies,
        multipart(
            &[
                ("tracking_no", &no),
                ("check_code", &code),
                ("version", &version),
                ("material_0", "场所平面图"),
            ],
            &[("file_0", "平面图.jpg", b"\xFF\xD8\xFFjpeg")],
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains(r#"id="done""#) && r.body.contains(r#"data-state="submitted""#),
        "{}",
        r.body
    );

    // The clerk takes it to a conclusion; a decision is sent only with its box ticked.
    for action in ["accept", "review", "grant", "conclude"] {
        let page = t.browse(&clerk, &format!("/cases/{id}")).await;
        let version = between(&page.body, r#"name="version" value=""#, "\"").to_owned();
        let step = format!("/cases/{id}/steps");
        if action == "grant" {
            let audit = audit_total(&t).await;
            let r = t
                .post_form(&clerk, &step, &[("action", action), ("version", &version)])
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
            assert!(r.body.contains("请勾选确认"), "{}", r.body);
            assert_eq!(audit_total(&t).await, audit);
        }
        let mut form = vec![("action", action), ("version", version.as_str())];
        if matches!(action, "grant" | "conclude") {
            form.push(("confirm", "on"));
        }
        let r = t.post_form(&clerk, &step, &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.body);
    }
    let grant = t.browse(&clerk, &format!("/cases/{id}/notices/5")).await;
    assert!(
        grant.body.contains("准予行政许可决定书") && grant.body.contains("乐政发〔2024〕1号"),
        "{}",
        grant.body
    );

    // The citizen rates it: 不满意 opens a follow-up for the branch.
    let rate = |rating: &'static str| {
        let body = serde_urlencoded::to_string([
            ("csrf", csrf.as_str()),
            ("tracking_no", &no),
            ("check_code", &code),
            ("rating", rating),
            ("comment", "等太久"),
        ])
        .unwrap();
        t.send(
            axum::http::Request::post("/track/rating")
                .header(axum::http::header::COOKIE, &cookies)
                .header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(axum::body::Body::from(body))
                .unwrap(),
        )
    };
    let r = rate("7").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = rate("2").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(r#"id="rating">2<"#));
    assert_eq!(rate("5").await.status, StatusCode::CONFLICT, "rated once");
    let tasks = t.browse(&clerk, "/cases/tasks").await;
    assert!(
        tasks.body.contains(&format!("/cases/{id}")) && tasks.body.contains("差评整改"),
        "{}",
        tasks.body
    );
}

async fn the_queue_colours_cases_near_and_past_their_due_date(db: TestDb) {
    use tongquan_domain::access::Actor;
    use tongquan_domain::calendar::Calendar;
    use tongquan_store::cases::NewCase;
    let (item, town) = delegated_item(&db.store, "371481B01").await;
    let calendar = Calendar::new(tongquan_store::calendar::bundled().unwrap());
    let today: chrono::NaiveDate = common::TODAY.parse().unwrap();
    // Three cases, promised in 10 working days, submitted on days that leave them overdue, at
    // two days left and with time to spare today.
    let mut expected = Vec::new();
    for submitted in ["2024-02-01", "2024-02-20", "2024-02-29"] {
        let submitted: chrono::NaiveDate = submitted.parse().unwrap();
        let new = NewCase::parse(
            item,
            town.as_str(),
            "person",
            "11010519491231002X",
            "赵六",
            "13805340000",
            "online",
            vec!["申请书".into(), "营业执照".into()],
        )
        .unwrap();
        let r = db
            .store
            .submit_case(&Actor::Anonymous, new, submitted)
            .await
            .unwrap();
        let left = calendar
            .remaining(today, calendar.add_working_days(submitted, 10).unwrap())
            .unwrap();
        expected.push((r.tracking_no, left));
    }
    assert!(
        expected[0].1 < 0 && expected[1].1 == 2 && expected[2].1 > 2,
        "{expected:?}"
    );
    let t = TestApp::new(db).await;
    let clerk = t.sign_in("ll.branch1").await;
    let queue = t.browse(&clerk, "/cases").await;
    for ((no, left), class) in expected.iter().zip(["due-red", "due-amber", ""]) {
        let row = between(&queue.body, &format!(r#"<tr class="{class}""#), "</tr>");
        assert!(
            row.contains(no.as_str()) && row.contains(&format!(">{left}<")),
            "{no} {class}: {row}"
        );
    }
    // Most urgent first.
    let first = queue.body.find(expected[0].0.as_str()).unwrap();
    assert!(first < queue.body.find(expected[1].0.as_str()).unwrap());
}

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
    let r = t.get("/api/v1/calendar/due?from=2026-12-20&days=20").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let due = r.json();
    assert_eq!(
        (&due["due"], &due["provisional"], &due["provisional_years"]),
        (
            &serde_json::json!("2027-01-18"),
            &serde_json::json!(true),
            &serde_json::json!([2027])
        )
    );
    assert_problem(
        &t.get("/api/v1/calendar/due?from=2100-12-20&days=20").await,
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
    assert_eq!(
        done["actions"],
        json!(["revoke"]),
        "a grant can still be revoked, with a reason"
    );
}

contract_tests!(the_applicant_prints_every_notice_of_the_case_from_the_tracking_page);

/// The citizen finds each notice and decision of the case on the tracking page and opens the same
/// printable document staff print, proven by the number and code in the form body; the documents
/// carry their office's numbers, the legal basis and licence of a grant, and for a refusal or a
/// denial the reasons and where to appeal. A wrong code opens nothing and changes nothing.
async fn the_applicant_prints_every_notice_of_the_case_from_the_tracking_page(db: TestDb) {
    let (item, town) = delegated_item(&db.store, "371481B01").await;
    let t = TestApp::new(db).await;
    let mut receipts = Vec::new();
    for _ in 0..3 {
        let body = application(
            item,
            town.as_str(),
            "11010519491231002X",
            &["申请书", "营业执照"],
        );
        let r = t.api(Method::POST, "/api/v1/cases", None, Some(body)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        receipts.push(r.json());
    }
    let decide = |n: usize, steps: &'static [(&'static str, &'static str)]| {
        let (t, id) = (&t, receipts[n]["id"].clone());
        async move {
            let mut lock = 1;
            for (action, reason) in steps {
                let r = t
                    .api(
                        Method::POST,
                        &format!("/api/v1/cases/{id}/steps"),
                        Some("ll.branch1"),
                        Some(json!({ "action": action, "lock_version": lock, "reason": reason })),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
                lock = r.json()["lock_version"].as_i64().unwrap();
            }
        }
    };
    decide(
        0,
        &[("accept", ""), ("review", ""), ("grant", "预包装食品销售")],
    )
    .await;
    decide(1, &[("reject", "申请事项不属于本机关职权范围")]).await;
    decide(
        2,
        &[
            ("accept", ""),
            ("review", ""),
            ("deny", "经现场核查，经营场所与申请材料不符"),
        ],
    )
    .await;

    let citizen = t.sign_in_anonymous().await;
    let creds = |n: usize| {
        (
            receipts[n]["tracking_no"].as_str().unwrap().to_owned(),
            receipts[n]["check_code"].as_str().unwrap().to_owned(),
        )
    };
    let open = |uri: String, no: String, code: String| {
        let (t, citizen) = (&t, &citizen);
        async move {
            t.post_form(
                citizen,
                &uri,
                &[("tracking_no", &no), ("check_code", &code)],
            )
            .await
        }
    };
    let (no, code) = creds(0);
    let page = open("/track".into(), no.clone(), code.clone()).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.body.matches("data-notice=").count(),
        2,
        "the acceptance and the grant: {}",
        page.body
    );
    for n in [1, 3] {
        assert!(
            page.body
                .contains(&format!(r#"action="/track/notices/{n}" target="_blank""#)),
            "{}",
            page.body
        );
    }
    assert!(
        !page.body.contains(&format!("check_code={code}")),
        "the code stays out of addresses"
    );
    let article = |body: &str| {
        format!(
            "<article{}</article>",
            between(body, "<article", "</article>")
        )
    };

    let grant = open("/track/notices/3".into(), no.clone(), code.clone()).await;
    assert_eq!(grant.status, StatusCode::OK, "{}", grant.body);
    for text in [
        "准予行政许可决定书",
        "371481B01〔2024〕2号",
        "根据下列依据，本机关决定准予行政许可",
        "<li>《中华人民共和国食品安全法》第三十五条</li>",
        "<li>《食品经营许可和备案管理办法》</li>",
        "《食品经营许可证》",
        r#"<dd id="licence-number">371481B012024000001</dd>"#,
        "预包装食品销售",
        "自 2024-03-01 至 2029-02-28",
        "乐政发〔2024〕1号",
    ] {
        assert!(grant.body.contains(text), "{text}: {}", grant.body);
    }
    assert!(
        grant
            .body
            .contains(r#"<p class="no-print screen-only"><button type="button" data-print>"#),
        "a print button that does not print itself"
    );
    let clerk = t.sign_in("ll.branch1").await;
    let id = &receipts[0]["id"];
    let staff = t.browse(&clerk, &format!("/cases/{id}/notices/3")).await;
    assert_eq!(staff.status, StatusCode::OK);
    assert_eq!(
        article(&staff.body),
        article(&grant.body),
        "the applicant gets the document staff print"
    );
    let accepted = open("/track/notices/1".into(), no.clone(), code.clone()).await;
    assert!(
        accepted.body.contains("受理通知书") && accepted.body.contains("371481B01〔2024〕1号"),
        "{}",
        accepted.body
    );
    // A step that issued nothing has no notice to print.
    let review = open("/track/notices/2".into(), no.clone(), code.clone()).await;
    assert_eq!(review.status, StatusCode::NOT_FOUND);

    let (no1, code1) = creds(1);
    let reject = open("/track/notices/1".into(), no1, code1).await;
    assert_eq!(reject.status, StatusCode::OK, "{}", reject.body);
    let (no2, code2) = creds(2);
    let deny = open("/track/notices/3".into(), no2, code2).await;
    assert_eq!(deny.status, StatusCode::OK, "{}", deny.body);
    for (body, texts) in [
        (
            &reject.body,
            [
                "不予受理通知书",
                "371481B01〔2024〕3号",
                "理由：申请事项不属于本机关职权范围",
                "自收到本通知书之日起60日内向乐陵市人民政府申请行政复议",
                "自收到本通知书之日起6个月内向乐陵市人民法院提起行政诉讼",
            ],
        ),
        (
            &deny.body,
            [
                "不予行政许可决定书",
                "371481B01〔2024〕5号",
                "理由：经现场核查，经营场所与申请材料不符",
                "自收到本决定书之日起60日内向乐陵市人民政府申请行政复议",
                "自收到本决定书之日起6个月内向乐陵市人民法院提起行政诉讼",
            ],
        ),
    ] {
        for text in texts {
            assert!(body.contains(text), "{text}: {body}");
        }
    }
    assert!(
        deny.body
            .contains("依据：《中华人民共和国食品安全法》第三十五条")
    );

    // A wrong code opens nothing and changes nothing; five close the number, even to the right one.
    let before = (audit_total(&t).await, t.audit_len().await);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        let r = open("/track/notices/3".into(), no.clone(), wrong.into()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
        assert!(!r.body.contains("<article"));
    }
    let r = open("/track/notices/3".into(), no.clone(), code.clone()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!((audit_total(&t).await, t.audit_len().await), before);
    let case = t
        .api(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some("ll.branch1"),
            None,
        )
        .await
        .json();
    assert_eq!(
        (case["state"].as_str(), case["lock_version"].as_i64()),
        (Some("granted"), Some(4))
    );
    // Without the form's token the request is refused before the code is looked at.
    let forged = t
        .send(
            axum::http::Request::post("/track/notices/3")
                .header(axum::http::header::COOKIE, &citizen.cookies)
                .header(
                    axum::http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(axum::body::Body::from(format!(
                    "tracking_no={no}&check_code={code}"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}
