//! The pages people use, on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use tongquan_store::contract_tests;
use tongquan_store::testing::TestDb;

contract_tests!(
    public_pages_render_in_chinese_and_english,
    the_map_draws_located_towns_and_lists_the_others,
    forms_save_within_reach_and_explain_refusals,
    sign_in_is_throttled_and_sign_out_ends_the_session,
    the_language_switch_only_returns_to_this_site,
    staff_pages_need_sign_in_and_accounts_can_be_made,
    planning_proposes_branches_with_proof_and_refuses_bad_parameters,
);

const PUBLIC: &[&str] = &[
    "/",
    "/about",
    "/counties",
    "/counties/371481",
    "/towns",
    "/towns?county=371481&kind=town",
    "/towns/371481104",
    "/towns/371422109",
    "/offices",
    "/offices?kind=branch",
    "/offices/371481B01",
    "/offices/371402H",
    "/departments",
    "/departments/371402SJ",
    "/map",
    "/map?county=371481",
    "/map?county=371471",
    "/login",
];

async fn public_pages_render_in_chinese_and_english(db: TestDb) {
    let t = TestApp::new(db).await;
    for path in PUBLIC {
        let zh = t.get(path).await;
        assert_eq!(zh.status, StatusCode::OK, "{path}");
        assert!(zh.content_type().starts_with("text/html"), "{path}");
        assert!(
            zh.body.contains(r#"<html lang="zh-CN">"#) && zh.body.contains("乡镇（街道）"),
            "{path}"
        );
        assert!(!zh.body.contains("??"), "{path} has a missing text");
        let en = t
            .send(
                Request::get(*path)
                    .header(header::COOKIE, "tq_lang=en")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(
            en.body.contains(r#"<html lang="en">"#) && en.body.contains(">Towns<"),
            "{path}"
        );
        // Nothing the product serves comes from elsewhere.
        assert!(
            !en.body.contains("src=\"http") && !en.body.contains("href=\"http"),
            "{path}"
        );
    }
    let css = t.get("/assets/app.css").await;
    assert!(css.content_type().starts_with("text/css") && css.body.contains("@media print"));
    assert_eq!(t.get("/healthz").await.status, StatusCode::OK);
    let counties = t.get("/counties").await.body;
    insta::assert_snapshot!("counties_page", counties);
    let unlocated = t.get("/towns/371422109").await.body;
    assert!(
        unlocated.contains("id=\"no-coordinates\""),
        "a town without coordinates says so"
    );
    assert!(
        t.get("/offices/371481B01").await.body.contains("示意"),
        "branch placements are labelled illustrative"
    );
}

async fn the_map_draws_located_towns_and_lists_the_others(db: TestDb) {
    let t = TestApp::new(db).await;
    let towns = t.get("/api/v1/towns?per_page=500").await.json();
    let towns = towns["items"].as_array().unwrap();
    let km = |t: &serde_json::Value| t["hall_km"].as_f64();
    let beyond10 = towns
        .iter()
        .filter(|t| km(t).is_some_and(|k| k > 10.0))
        .count();
    let beyond15 = towns
        .iter()
        .filter(|t| km(t).is_some_and(|k| k > 15.0))
        .count();
    let map = t.get("/map").await.body;
    assert!(
        map.contains("<svg")
            && map.contains(r#"class="county""#)
            && map.contains(r#"class="city""#)
    );
    assert_eq!(
        map.matches("<circle class=\"town").count(),
        128,
        "every located town is drawn"
    );
    assert_eq!(map.matches(r#"class="hall""#).count(), 12);
    assert!(
        map.contains(&format!(r#"id="count-beyond10">{beyond10}<"#)),
        "beyond 10 km: {beyond10}"
    );
    assert!(
        map.contains(&format!(r#"id="count-beyond15">{beyond15}<"#)),
        "beyond 15 km: {beyond15}"
    );
    let unlocated = map
        .split(r#"<ul id="unlocated">"#)
        .nth(1)
        .unwrap()
        .split("</ul>")
        .next()
        .unwrap();
    assert_eq!(unlocated.matches("<li>").count(), 7);
    assert!(unlocated.contains("张大庄镇") && unlocated.contains("莒镇"));
    // 天衢新区 has no polygon of its own: the map frames its towns and lists the three it cannot place.
    let tianqu = t.get("/map?county=371471").await.body;
    assert_eq!(tianqu.matches("<circle class=\"town").count(), 3);
    assert!(tianqu.contains(r#"id="located">3<"#));
    assert_eq!(
        t.get("/map?county=371499").await.status,
        StatusCode::NOT_FOUND
    );
    let bad = t.get("/map?county=37x").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("county") && bad.body.contains("malformed county code"),
        "{}",
        bad.body
    );
}

async fn forms_save_within_reach_and_explain_refusals(db: TestDb) {
    let t = TestApp::new(db).await;
    let b = t.sign_in("ll.bureau").await;
    let page = t.browse(&b, "/offices/371481B01").await.body;
    assert!(
        page.contains(r#"<form method="post" class="edit">"#),
        "the manager sees the form"
    );
    let ok = t
        .post_form(
            &b,
            "/offices/371481B01",
            &[
                ("address", "花园镇驻地"),
                ("phone", "0534-6212345"),
                ("hours", "全天"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.headers[header::LOCATION], "/offices/371481B01?saved=1");
    let shown = t.browse(&b, "/offices/371481B01?saved=1").await.body;
    assert!(shown.contains("0534-6212345") && shown.contains(r#"class="notice""#));
    let entries = t.audit_len().await;
    let bad = t
        .post_form(
            &b,
            "/offices/371481B01",
            &[
                ("address", "x"),
                ("phone", "not a phone"),
                ("hours", "全天"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains(r#"data-code="invalid_field""#)
            && bad.body.contains("value=\"not a phone\""),
        "the form comes back with the error and the input"
    );
    let stale = t
        .post_form(
            &b,
            "/offices/371481B01",
            &[
                ("address", "x"),
                ("phone", "0534-1"),
                ("hours", "全天"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains(r#"data-code="stale""#));
    let other = t
        .post_form(
            &b,
            "/offices/371402H",
            &[
                ("address", "x"),
                ("phone", "0534-1111111"),
                ("hours", "x"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    // Without the CSRF token nothing happens.
    let forged = t
        .send(
            Request::post("/offices/371481B01")
                .header(header::COOKIE, &b.cookies)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("address=x&phone=0534-9999999&hours=x&version=2"))
                .unwrap(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("CSRF"));
    let huge = t
        .post_form(
            &b,
            "/offices/371481B01",
            &[("address", &"长".repeat(40_000)), ("version", "2")],
        )
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(t.audit_len().await, entries, "refused forms change nothing");
    assert!(
        t.browse(&b, "/offices/371481B01")
            .await
            .body
            .contains("0534-6212345")
    );
}

async fn sign_in_is_throttled_and_sign_out_ends_the_session(db: TestDb) {
    let t = TestApp::new(db).await;
    let b = t.sign_in("ll.centre").await;
    let mine = t.browse(&b, "/staff/accounts").await;
    assert_eq!(mine.status, StatusCode::OK);
    // Staff pages are not kept by caches; every page says where referrers may go.
    assert_eq!(mine.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(mine.headers[header::REFERRER_POLICY], "same-origin");
    assert!(mine.headers.contains_key("permissions-policy"));
    let out = t.post_form(&b, "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = t.browse(&b, "/staff/accounts").await;
    assert_eq!(
        (
            after.status,
            after.headers[header::LOCATION].to_str().unwrap()
        ),
        (StatusCode::SEE_OTHER, "/login")
    );
    let login = t.get("/login").await;
    let csrf = login.cookie("tq_csrf").unwrap();
    let attempt = |password: &'static str| {
        Request::post("/login")
            .header(header::COOKIE, format!("tq_csrf={csrf}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "csrf={csrf}&username=ll.centre&password={password}"
            )))
            .unwrap()
    };
    for _ in 0..5 {
        let r = t.send(attempt("wrong-password")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("用户名或密码错误"));
    }
    assert!(
        !login.headers.contains_key(header::CACHE_CONTROL),
        "public pages may be cached"
    );
    // A form is a form whatever the case of its media type: without the token it is refused.
    for media in [
        "Application/x-www-form-urlencoded",
        "APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8",
    ] {
        let forged = Request::post("/login")
            .header(header::CONTENT_TYPE, media)
            .body(Body::from("username=ll.centre&password=wrong-password"))
            .unwrap();
        let r = t.send(forged).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{media}: {}", r.body);
    }
    let locked = t.send(attempt("wrong-password")).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body.contains("密码错误次数过多"), "{}", locked.body);
    assert_eq!(
        t.send(attempt("tongquan-demo")).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "this client waits even with the right password"
    );
    // The guesser cannot lock the owner out: from another address the password works.
    let mut elsewhere = attempt("tongquan-demo");
    elsewhere
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 7],
            40000,
        ))));
    assert_eq!(t.send(elsewhere).await.status, StatusCode::SEE_OTHER);
}

async fn the_language_switch_only_returns_to_this_site(db: TestDb) {
    let t = TestApp::new(db).await;
    let r = t.get("/lang/en?back=%2Ftowns%3Fcounty%3D371481").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/towns?county=371481");
    assert_eq!(r.cookie("tq_lang").as_deref(), Some("en"));
    for evil in ["//evil.example", "https://evil.example", "/\\evil.example"] {
        let r = t.get(&format!("/lang/en?back={}", urlencode(evil))).await;
        assert_eq!(r.headers[header::LOCATION], "/", "{evil}");
    }
    assert_eq!(t.get("/lang/fr").await.status, StatusCode::NOT_FOUND);
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_owned()
}

async fn staff_pages_need_sign_in_and_accounts_can_be_made(db: TestDb) {
    let t = TestApp::new(db).await;
    for path in [
        "/staff/accounts",
        "/staff/audit",
        "/staff/password",
        "/staff/accounts/new",
        "/staff/me",
    ] {
        let r = t.get(path).await;
        assert_eq!(
            (r.status, r.headers[header::LOCATION].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/login"),
            "{path}"
        );
    }
    let b = t.sign_in("ll.bureau").await;
    let refused = t
        .post_form(
            &b,
            "/staff/accounts",
            &[
                ("username", "ll.x"),
                ("display_name", "x"),
                ("role", "branch_clerk"),
                ("jurisdiction", "371402B01"),
                ("password", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("value=\"371402B01\""),
        "the form keeps what was typed"
    );
    let made = t
        .post_form(
            &b,
            "/staff/accounts",
            &[
                ("username", "ll.x"),
                ("display_name", "新窗口"),
                ("role", "branch_clerk"),
                ("jurisdiction", "371481B02"),
                ("password", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let page = made.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let issued = t
        .post_form(&b, &format!("{page}/tokens"), &[("name", "报表系统")])
        .await;
    assert_eq!(issued.status, StatusCode::OK);
    let token = issued
        .body
        .split(r#"<pre class="token" id="token">"#)
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    let me = t
        .send(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.json()["username"], "ll.x");
    assert!(
        !t.browse(&b, &page).await.body.contains(&token),
        "a token is shown once"
    );
    // The new clerk changes the password; the old one stops working.
    let clerk = t.sign_in_with("ll.x", "long enough pw").await;
    let wrong = t
        .post_form(
            &clerk,
            "/staff/password",
            &[("current", "not it at all"), ("new", "a new password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let changed = t
        .post_form(
            &clerk,
            "/staff/password",
            &[("current", "long enough pw"), ("new", "a new password")],
        )
        .await;
    assert_eq!(changed.headers[header::LOCATION], "/login?changed=1");
    assert_eq!(
        t.browse(&clerk, "/staff/accounts").await.status,
        StatusCode::SEE_OTHER,
        "the old session ended"
    );
}

async fn planning_proposes_branches_with_proof_and_refuses_bad_parameters(db: TestDb) {
    let t = TestApp::new(db).await;
    assert_eq!(
        t.get("/plan").await.status,
        StatusCode::SEE_OTHER,
        "planning is for staff"
    );
    let b = t.sign_in("city.admin").await;
    let city = t.browse(&b, "/plan?radius=10&min=&max=").await;
    assert_eq!(city.status, StatusCode::OK);
    let body = &city.body;
    assert!(
        body.contains(r#"id="proven""#),
        "the uncapacitated cover is proven optimal"
    );
    assert_eq!(
        body.matches(r#"<path class="branch"#).count(),
        body.split(r#"<table id="branches">"#)
            .nth(1)
            .unwrap()
            .matches("<tr><td>")
            .count()
    );
    // Every far town is within 10 km of a proposed office; halls alone leave the towns the API
    // puts beyond 10 km.
    let row = |id: &str| {
        body.split(&format!(r#"<tr id="scenario-{id}">"#))
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        row("proposal")
            .matches(r#"<td class="num">0 (0.0%)</td>"#)
            .count(),
        2,
        "none beyond 10 or 15 km"
    );
    let towns = t.get("/api/v1/towns?per_page=500").await.json();
    let beyond10 = towns["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["hall_km"].as_f64().is_some_and(|k| k > 10.0))
        .count();
    assert!(
        row("halls").contains(&format!(r#"<td class="num">{beyond10} ("#)),
        "{}",
        row("halls")
    );
    assert_eq!(
        body.split(r#"<ol class="answers" id="answers">"#)
            .nth(1)
            .unwrap()
            .split("</ol>")
            .next()
            .unwrap()
            .matches("<li>")
            .count(),
        3
    );
    let county = t
        .browse(&b, "/plan?county=371481&radius=10&min=2&max=5")
        .await;
    assert_eq!(county.status, StatusCode::OK);
    assert!(county.body.contains("乐陵市"));
    for (query, field) in [
        ("radius=abc", "radius"),
        ("radius=0", "radius"),
        ("min=3&max=2", "capacity"),
        ("min=2&max=", "capacity"),
    ] {
        let r = t.browse(&b, &format!("/plan?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            r.body.contains(r#"data-code="plan.invalid_parameter""#) && r.body.contains(field),
            "{query}"
        );
    }
    assert_eq!(
        t.browse(&b, "/plan?county=371499").await.status,
        StatusCode::NOT_FOUND
    );
}
