//! The catalog over HTTP: API and pages, on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{TestApp, assert_problem};
use serde_json::{Value, json};
use tongquan_store::contract_tests;
use tongquan_store::testing::TestDb;

contract_tests!(
    items_are_drafted_published_and_searched_over_the_api,
    every_role_manages_items_and_batches_only_in_its_reach,
    delegation_and_where_to_apply_over_the_api,
    imports_are_all_or_nothing_over_the_api,
    the_guide_and_the_staff_pages_work_and_export,
);

fn content(department: &str, name: &str) -> Value {
    json!({
        "name": name, "item_type": "licensing", "department": department, "statutory_days": "20",
        "promised_days": "5", "online_depth": "online_precheck", "service": "approval", "tongban_allowed": "是",
        "materials": [{ "name": "申请书", "requirement": "required", "form": "original", "copies": "1", "note": "" }]
    })
}

async fn create(
    t: &TestApp,
    user: &str,
    county: &str,
    code: &str,
    department: &str,
) -> common::Reply {
    let body = json!({ "county": county, "impl_code": code, "base_code": &code[..8], "content": content(department, "网页测试事项") });
    t.api(Method::POST, "/api/v1/items", Some(user), Some(body))
        .await
}

/// An item created and published from 2024-01-01 by the county's bureau; returns its id.
async fn published(t: &TestApp, county: &str, code: &str, name: &str) -> i64 {
    let user = if county == "371481" {
        "ll.bureau"
    } else {
        "dc.bureau"
    };
    let body = json!({ "county": county, "impl_code": code, "base_code": &code[..8], "content": content(&format!("{county}SP"), name) });
    let r = t
        .api(Method::POST, "/api/v1/items", Some(user), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().unwrap();
    let p = t
        .api(
            Method::POST,
            &format!("/api/v1/items/{id}/publish"),
            Some(user),
            Some(json!({ "valid_from": "2024-01-01" })),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    id
}

async fn items_are_drafted_published_and_searched_over_the_api(db: TestDb) {
    let t = TestApp::new(db).await;
    let r = create(&t, "ll.bureau", "371481", "11371481WEB00001", "371481SP").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let item = r.json();
    let id = item["id"].as_i64().unwrap();
    assert_eq!(item["versions"][0]["status"], "draft");
    assert_problem(
        &t.get(&format!("/api/v1/items/{id}")).await,
        404,
        "not_found",
    );
    let edit = json!({ "content": content("371481SP", "网页测试事项（改）"), "lock_version": 1 });
    assert_eq!(
        t.api(
            Method::PUT,
            &format!("/api/v1/items/{id}/draft"),
            Some("ll.bureau"),
            Some(edit.clone())
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_problem(
        &t.api(
            Method::PUT,
            &format!("/api/v1/items/{id}/draft"),
            Some("ll.bureau"),
            Some(edit),
        )
        .await,
        409,
        "stale",
    );
    let publish = json!({ "valid_from": "2024-01-01" });
    assert_eq!(
        t.api(
            Method::POST,
            &format!("/api/v1/items/{id}/publish"),
            Some("ll.bureau"),
            Some(publish)
        )
        .await
        .status,
        StatusCode::OK
    );
    let public = t
        .get(&format!("/api/v1/items/{id}?date=2024-06-01"))
        .await
        .json();
    assert_eq!(
        (
            public["in_force"].as_i64(),
            public["versions"].as_array().unwrap().len()
        ),
        (Some(1), 1)
    );
    let found = t
        .get("/api/v1/items?q=%E7%BD%91%E9%A1%B5%E6%B5%8B%E8%AF%95&date=2024-06-01")
        .await
        .json();
    assert_eq!(found["total"], 1);
    let by_code = t
        .get("/api/v1/items?q=WEB00001&date=2024-06-01")
        .await
        .json();
    assert_eq!(by_code["items"][0]["id"].as_i64(), Some(id));
    assert_eq!(
        t.api(
            Method::POST,
            &format!("/api/v1/items/{id}/drafts"),
            Some("ll.bureau"),
            None
        )
        .await
        .status,
        StatusCode::CREATED
    );
    let mut next = content("371481SP", "网页测试事项（改）");
    next["promised_days"] = json!("3");
    let d = t
        .api(
            Method::PUT,
            &format!("/api/v1/items/{id}/draft"),
            Some("ll.bureau"),
            Some(json!({ "content": next, "lock_version": 1 })),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    let overlap = t
        .api(
            Method::POST,
            &format!("/api/v1/items/{id}/publish"),
            Some("ll.bureau"),
            Some(json!({ "valid_from": "2023-01-01" })),
        )
        .await;
    assert_eq!(
        assert_problem(&overlap, 400, "invalid_field")["field"],
        "valid_from"
    );
    t.api(
        Method::POST,
        &format!("/api/v1/items/{id}/publish"),
        Some("ll.bureau"),
        Some(json!({ "valid_from": "2025-01-01" })),
    )
    .await;
    let diff = t
        .get(&format!("/api/v1/items/{id}/diff?from=1&to=2"))
        .await
        .json();
    assert_eq!(
        diff,
        json!([{ "field": "promised_days", "before": "5", "after": "3" }])
    );
    // Bad content is named by its field inside `content`.
    let mut over = content("371481SP", "超时");
    over["promised_days"] = json!("30");
    let body = json!({ "county": "371481", "impl_code": "11371481WEB00002", "base_code": "11371481", "content": over });
    assert_eq!(
        assert_problem(
            &t.api(Method::POST, "/api/v1/items", Some("ll.bureau"), Some(body))
                .await,
            400,
            "invalid_field"
        )["field"],
        "content.promised_days"
    );
    let unknown = create(&t, "ll.bureau", "371481", "11371481WEB00003", "371481QQ").await;
    assert_eq!(
        assert_problem(&unknown, 400, "invalid_field")["field"],
        "content.department"
    );
    let dup = create(&t, "ll.bureau", "371481", "11371481WEB00001", "371481SP").await;
    assert_problem(&dup, 409, "taken");
    let bad_code = create(&t, "ll.bureau", "371481", "11371481 WEB!", "371481SP").await;
    assert_eq!(
        assert_problem(&bad_code, 400, "invalid_field")["field"],
        "impl_code"
    );
}

async fn every_role_manages_items_and_batches_only_in_its_reach(db: TestDb) {
    let t = TestApp::new(db).await;
    // (user, own department, may create items in it, may create batches)
    for (user, county, department, items, batches) in [
        ("city.admin", "371481", "371481SP", true, true),
        ("ll.bureau", "371481", "371481SP", true, true),
        ("dc.market", "371402", "371402SJ", true, false),
        ("ll.branch1", "371481", "371481SP", false, false),
        ("ll.centre", "371481", "371481SP", false, false),
        ("ll.team", "371481", "371481SP", false, false),
        ("dc.officer", "371402", "371402SJ", false, false),
    ] {
        let n = user.len();
        let own = create(
            &t,
            user,
            county,
            &format!("11{county}OWN{n:05}"),
            department,
        )
        .await;
        assert_eq!(
            own.status,
            if items {
                StatusCode::CREATED
            } else {
                StatusCode::FORBIDDEN
            },
            "{user} own: {}",
            own.body
        );
        // 陵城区: outside every listed user's county.
        let other_county = "371403";
        let other = create(
            &t,
            user,
            other_county,
            &format!("11{other_county}OTH{n:05}"),
            &format!("{other_county}SP"),
        )
        .await;
        let expected = if user == "city.admin" {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(other.status, expected, "{user} other: {}", other.body);
        let batch = json!({ "county": county, "doc_number": format!("测〔2024〕{n}号"), "doc_date": "2024-01-01", "title": "t", "kind": "devolve", "department": format!("{county}SP") });
        let b = t
            .api(Method::POST, "/api/v1/batches", Some(user), Some(batch))
            .await;
        assert_eq!(
            b.status,
            if batches {
                StatusCode::CREATED
            } else {
                StatusCode::FORBIDDEN
            },
            "{user} batch: {}",
            b.body
        );
    }
    assert_problem(
        &t.api(Method::POST, "/api/v1/items/1/drafts", None, None)
            .await,
        401,
        "unauthenticated",
    );
}

async fn delegation_and_where_to_apply_over_the_api(db: TestDb) {
    let t = TestApp::new(db).await;
    let item = published(&t, "371481", "11371481DLG00001", "下放事项").await;
    let other = published(&t, "371402", "11371402DLG00001", "德城事项").await;
    let _ = other;
    let batch = json!({ "county": "371481", "doc_number": "乐政发〔2024〕3号", "doc_date": "2024-01-05", "title": "第一批", "kind": "devolve", "department": "371481SP" });
    let b = t
        .api(
            Method::POST,
            "/api/v1/batches",
            Some("ll.bureau"),
            Some(batch.clone()),
        )
        .await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.body);
    let bid = b.json()["id"].as_i64().unwrap();
    assert_problem(
        &t.api(
            Method::POST,
            "/api/v1/batches",
            Some("ll.bureau"),
            Some(batch),
        )
        .await,
        409,
        "taken",
    );
    let delegations = format!("/api/v1/batches/{bid}/delegations");
    let foreign = json!({ "items": ["11371402DLG00001"], "recipients": ["371481B01"], "valid_from": "2024-02-01" });
    assert_eq!(
        assert_problem(
            &t.api(Method::POST, &delegations, Some("ll.bureau"), Some(foreign))
                .await,
            400,
            "invalid_field"
        )["field"],
        "items[0]"
    );
    // Without the power to delegate in the county, nothing is looked up: a code that exists and
    // one that does not get the same 403.
    for code in ["11371481DLG00001", "11371481NOSUCH01"] {
        let probe =
            json!({ "items": [code], "recipients": ["371481B01"], "valid_from": "2024-02-01" });
        assert_problem(
            &t.api(Method::POST, &delegations, Some("dc.bureau"), Some(probe))
                .await,
            403,
            "forbidden",
        );
    }
    let outside = json!({ "items": ["11371481DLG00001"], "recipients": ["371402B01"], "valid_from": "2024-02-01" });
    assert_problem(
        &t.api(Method::POST, &delegations, Some("ll.bureau"), Some(outside))
            .await,
        400,
        "invalid_field",
    );
    let hall = json!({ "items": ["11371481DLG00001"], "recipients": ["371481H"], "valid_from": "2024-02-01" });
    assert_eq!(
        assert_problem(
            &t.api(Method::POST, &delegations, Some("ll.bureau"), Some(hall))
                .await,
            400,
            "invalid_field"
        )["field"],
        "recipients[0]"
    );
    let ok = json!({ "items": ["11371481DLG00001"], "recipients": ["371481B01"], "valid_from": "2024-02-01" });
    let added = t
        .api(Method::POST, &delegations, Some("ll.bureau"), Some(ok))
        .await;
    assert_eq!(added.json()["added"], 1, "{}", added.body);
    let branch = t.get("/api/v1/offices/371481B01").await.json();
    let served = branch["served_towns"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let where_ = t
        .get(&format!(
            "/api/v1/items/{item}/where?town={served}&date=2024-03-01"
        ))
        .await
        .json();
    assert_eq!(where_["competent"]["code"], "371481B01");
    assert_eq!(where_["competent"]["doc_number"], "乐政发〔2024〕3号");
    let places = where_["places"].as_array().unwrap();
    assert!(
        places
            .iter()
            .any(|p| p["competent"] == true && p["office"]["code"] == "371481B01")
    );
    assert_eq!(places.len(), 12 + 21, "通办: every hall and branch");
    assert_problem(
        &t.get(&format!("/api/v1/items/{item}/where")).await,
        400,
        "required_field",
    );
    assert_problem(
        &t.get(&format!("/api/v1/items/{item}/where?town=371402001"))
            .await,
        400,
        "invalid_field",
    );
    let detail = t
        .get(&format!("/api/v1/batches/{bid}?date=2024-03-01"))
        .await
        .json();
    let did = detail["delegations"][0]["id"].as_i64().unwrap();
    let changes = format!("/api/v1/delegations/{did}/changes");
    let resume = json!({ "kind": "resume", "effective": "2024-04-01", "reason": "误操作" });
    assert_problem(
        &t.api(Method::POST, &changes, Some("ll.bureau"), Some(resume))
            .await,
        400,
        "invalid_field",
    );
    let suspend = json!({ "kind": "suspend", "effective": "2024-04-01", "reason": "整改" });
    assert_eq!(
        t.api(
            Method::POST,
            &changes,
            Some("ll.bureau"),
            Some(suspend.clone())
        )
        .await
        .json()["status"],
        "suspended"
    );
    assert_problem(
        &t.api(Method::POST, &changes, Some("dc.bureau"), Some(suspend))
            .await,
        403,
        "forbidden",
    );
    let later = t
        .get(&format!(
            "/api/v1/items/{item}/where?town={served}&date=2024-05-01"
        ))
        .await
        .json();
    assert_eq!(
        later["competent"]["code"], "371481H",
        "suspended powers return to the hall"
    );
    let matrix = t
        .get("/api/v1/counties/371481/matrix?date=2024-03-01&q=%E4%B8%8B%E6%94%BE")
        .await
        .json();
    let towns: Vec<&str> = matrix["towns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    let cells = matrix["rows"][0]["cells"].as_array().unwrap();
    assert_eq!(
        cells[towns.iter().position(|t| *t == served).unwrap()],
        "371481B01"
    );
    let handled = t
        .get("/api/v1/offices/371481B01/items?date=2024-03-01")
        .await
        .json();
    assert_eq!(handled["total"], 1);
}

async fn imports_are_all_or_nothing_over_the_api(db: TestDb) {
    let t = TestApp::new(db).await;
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/sample_service_items.csv"
    ))
    .unwrap();
    let post = |user: Option<&str>, body: Vec<u8>| {
        let mut r = Request::post("/api/v1/imports?county=371481&valid_from=2024-01-01")
            .header(header::CONTENT_TYPE, "text/csv");
        if let Some(u) = user {
            r = r.header(header::AUTHORIZATION, format!("Bearer {}", t.token(u)));
        }
        r.body(Body::from(body)).unwrap()
    };
    assert_problem(
        &t.send(post(None, file.clone())).await,
        401,
        "unauthenticated",
    );
    assert_problem(
        &t.send(post(Some("ll.branch1"), file.clone())).await,
        403,
        "forbidden",
    );
    let first = t.send(post(Some("ll.bureau"), file.clone())).await.json();
    assert_eq!(
        (
            first["outcome"]["created"].as_i64(),
            first["layout"].as_str()
        ),
        (Some(1135), Some("published"))
    );
    assert!(
        first["notes"][0]["en"]
            .as_str()
            .unwrap()
            .contains("536 licensing items")
    );
    let entries = t.audit_len().await;
    let again = t.send(post(Some("ll.bureau"), file.clone())).await.json();
    assert_eq!(again["outcome"]["unchanged"], 1135);
    assert_eq!(t.audit_len().await, entries);
    let mut broken = String::from_utf8(file.clone()).unwrap();
    broken = broken.replacen("区人社局", "区宇宙局", 1).replacen(
        ",10,其他行政权力,",
        ",十,其他行政权力,",
        1,
    );
    let rejected = t.send(post(Some("ll.bureau"), broken.into_bytes())).await;
    let p = assert_problem(&rejected, 422, "import_rejected");
    let problems = p["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{p}");
    assert!(
        problems
            .iter()
            .all(|x| x["row"].as_i64().unwrap() > 1 && !x["column"].as_str().unwrap().is_empty())
    );
    assert_problem(
        &t.send(post(
            Some("ll.bureau"),
            b"\x89PNG\r\n\x1a\nnot a list".to_vec(),
        ))
        .await,
        422,
        "import_rejected",
    );
    assert_problem(
        &t.send(post(Some("ll.bureau"), vec![b'x'; 50 * 1024 * 1024]))
            .await,
        413,
        "payload_too_large",
    );
    assert_eq!(
        t.audit_len().await,
        entries,
        "rejected files change nothing"
    );
}

async fn the_guide_and_the_staff_pages_work_and_export(db: TestDb) {
    let t = TestApp::new(db).await;
    let item = published(&t, "371481", "11371481PAG00001", "页面事项").await;
    let guide = t.get("/guide?q=%E9%A1%B5%E9%9D%A2").await;
    assert!(guide.status == StatusCode::OK && guide.body.contains(&format!("/guide/items/{item}")));
    let page = t.get(&format!("/guide/items/{item}?town=371481104")).await;
    assert!(
        page.body.contains(r#"id="competent""#)
            && page.body.contains("371481H")
            && page.body.contains("申请书"),
        "{}",
        page.body
    );
    let bad_town = t.get(&format!("/guide/items/{item}?town=37148")).await;
    assert_eq!(bad_town.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        t.get("/catalog").await.status,
        StatusCode::SEE_OTHER,
        "the staff catalog needs sign-in"
    );
    let b = t.sign_in("ll.bureau").await;
    let list = t.browse(&b, "/catalog?county=371481").await;
    assert!(list.body.contains("页面事项"));
    let export = t.browse(&b, "/catalog.xlsx?county=371481").await;
    assert!(
        export.content_type().contains("spreadsheetml")
            && export.body.as_bytes().starts_with(b"PK")
    );
    let template = t
        .send(
            Request::get("/catalog/template.xlsx?county=371481")
                .header(header::COOKIE, &b.cookies)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(template.status == StatusCode::OK && template.content_type().contains("spreadsheetml"));
    // The template as downloaded, with its example row, imports as it is.
    let bytes = t
        .download_bytes(&b, "/catalog/template.xlsx?county=371481")
        .await;
    let imported = t
        .send(
            Request::post("/api/v1/imports?county=371481&valid_from=2024-01-01")
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", t.token("ll.bureau")),
                )
                .body(Body::from(bytes))
                .unwrap(),
        )
        .await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let report = imported.json();
    assert_eq!(
        (
            report["layout"].as_str(),
            report["outcome"]["created"].as_i64()
        ),
        (Some("template"), Some(1))
    );
    let matrix = t.browse(&b, "/catalog/matrix?county=371481").await;
    assert!(matrix.status == StatusCode::OK && matrix.body.contains(r#"id="matrix""#));
    // Draft, edit and publish through the item page's forms.
    assert_eq!(
        t.post_form(&b, &format!("/catalog/items/{item}/drafts"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let form = [
        ("lock_version", "1"),
        ("name", "页面事项（第二版）"),
        ("main_item", ""),
        ("item_type", "licensing"),
        ("department", "371481SP"),
        ("service", "approval"),
        ("statutory_days", "20"),
        ("promised_days", "30"),
        ("online_depth", "on_site"),
        ("max_visits", "1"),
        ("fees", ""),
        ("exercise_level", "县级"),
        ("category", ""),
        ("legal_basis_setting", ""),
        ("legal_basis_implementing", ""),
        ("m0_name", "申请书"),
        ("m0_requirement", "required"),
        ("m0_form", "original"),
        ("m0_copies", "1"),
        ("m0_note", ""),
    ];
    let refused = t
        .post_form(&b, &format!("/catalog/items/{item}/draft"), &form)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("promised") || refused.body.contains("承诺时限"));
    assert!(
        refused.body.contains("value=\"页面事项（第二版）\""),
        "the editor keeps what was typed"
    );
    let mut fixed = form.to_vec();
    fixed[7] = ("promised_days", "10");
    assert_eq!(
        t.post_form(&b, &format!("/catalog/items/{item}/draft"), &fixed)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        t.post_form(
            &b,
            &format!("/catalog/items/{item}/publish"),
            &[("valid_from", "2025-01-01"), ("valid_to", "")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let diff = t
        .browse(&b, &format!("/catalog/items/{item}/diff?from=1&to=2"))
        .await;
    assert!(diff.body.contains("promised_days") && diff.body.contains("name"));
    // An upload carries its CSRF token in the query string.
    let boundary = "XBOUNDARYX";
    let file = "事项名称,基本编码,实施编码,事项类型代码,事项类型,实施主体,区划代码,主项名称,法定时限,承诺时限\n上传事项,11371481,11371481-UP-0001,20,公共服务,区人社局,,,,\n";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"county\"\r\n\r\n371481\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"valid_from\"\r\n\r\n2024-01-01\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    let upload = |csrf: &str| {
        Request::post(format!("/catalog/import?csrf={csrf}"))
            .header(header::COOKIE, &b.cookies)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body.clone()))
            .unwrap()
    };
    assert_eq!(t.send(upload("wrong")).await.status, StatusCode::FORBIDDEN);
    let done = t.send(upload(&b.csrf)).await;
    assert!(
        done.status == StatusCode::OK && done.body.contains(r#"id="imported""#),
        "{}",
        done.body
    );
}
