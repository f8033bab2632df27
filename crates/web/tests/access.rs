//! The access matrix: every role × every resource kind × its own vs another county's record,
//! over HTML and JSON. A record outside an actor's reach is never shown or changed: 403 where the
//! record is public, 404 where it is not.

mod common;

use axum::http::{Method, StatusCode};
use common::{Browser, TestApp};
use serde_json::{Value, json};
use tongquan_domain::access::Actor;
use tongquan_domain::codes::Username;
use tongquan_store::contract_tests;
use tongquan_store::testing::TestDb;

contract_tests!(
    every_role_reaches_exactly_its_jurisdiction,
    audit_lists_show_only_the_actors_jurisdiction
);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Office,
    Department,
    Town,
    Account,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Ok,
    Forbidden,
    NotFound,
}

use Expect::{Forbidden as F, NotFound as N, Ok as Y};

/// (user, kind, own target, other county's target, change own, change other, read other)
/// For accounts, "own" is the user's own account.
const MATRIX: &[(&str, Kind, &str, &str, Expect, Expect, Expect)] = &[
    ("city.admin", Kind::Office, "371481B01", "371402H", Y, Y, Y),
    (
        "city.admin",
        Kind::Department,
        "371481SJ",
        "371402SJ",
        Y,
        Y,
        Y,
    ),
    ("city.admin", Kind::Town, "371481104", "371402101", Y, Y, Y),
    (
        "city.admin",
        Kind::Account,
        "city.admin",
        "dc.bureau",
        Y,
        Y,
        Y,
    ),
    ("ll.bureau", Kind::Office, "371481H", "371402H", Y, F, Y),
    (
        "ll.bureau",
        Kind::Department,
        "371481SJ",
        "371402SJ",
        Y,
        F,
        Y,
    ),
    ("ll.bureau", Kind::Town, "371481104", "371402101", Y, F, Y),
    (
        "ll.bureau",
        Kind::Account,
        "ll.bureau",
        "dc.bureau",
        Y,
        N,
        N,
    ),
    ("ll.branch1", Kind::Office, "371481B01", "371402H", Y, F, Y),
    (
        "ll.branch1",
        Kind::Department,
        "371481SP",
        "371402SJ",
        F,
        F,
        Y,
    ),
    ("ll.branch1", Kind::Town, "371481104", "371402101", F, F, Y),
    (
        "ll.branch1",
        Kind::Account,
        "ll.branch1",
        "dc.bureau",
        F,
        N,
        N,
    ),
    (
        "ll.centre",
        Kind::Office,
        "371481104C",
        "371402001C",
        Y,
        F,
        Y,
    ),
    (
        "ll.centre",
        Kind::Department,
        "371481SP",
        "371402SJ",
        F,
        F,
        Y,
    ),
    ("ll.centre", Kind::Town, "371481104", "371402101", F, F, Y),
    (
        "ll.centre",
        Kind::Account,
        "ll.centre",
        "dc.bureau",
        F,
        N,
        N,
    ),
    ("dc.market", Kind::Office, "371402H", "371481H", F, F, Y),
    (
        "dc.market",
        Kind::Department,
        "371402SJ",
        "371481SJ",
        Y,
        F,
        Y,
    ),
    ("dc.market", Kind::Town, "371402101", "371481104", F, F, Y),
    (
        "dc.market",
        Kind::Account,
        "dc.market",
        "ll.bureau",
        Y,
        N,
        N,
    ),
    ("ll.team", Kind::Office, "371481104C", "371402H", F, F, Y),
    ("ll.team", Kind::Department, "371481ZF", "371402ZF", F, F, Y),
    ("ll.team", Kind::Town, "371481104", "371402101", Y, F, Y),
    ("ll.team", Kind::Account, "ll.team", "dc.bureau", F, N, N),
    ("dc.officer", Kind::Office, "371402H", "371481H", F, F, Y),
    (
        "dc.officer",
        Kind::Department,
        "371402SJ",
        "371481SJ",
        F,
        F,
        Y,
    ),
    ("dc.officer", Kind::Town, "371402101", "371481104", F, F, Y),
    (
        "dc.officer",
        Kind::Account,
        "dc.officer",
        "ll.bureau",
        F,
        N,
        N,
    ),
];

async fn account_id(t: &TestApp, username: &str) -> i64 {
    let u = Username::parse("u", username).unwrap();
    t.db.store
        .account_by_username(&Actor::System("test"), &u)
        .await
        .unwrap()
        .id
}

/// Where a record lives, over the API and as a page.
async fn paths(t: &TestApp, kind: Kind, target: &str) -> (String, String) {
    match kind {
        Kind::Office => (
            format!("/api/v1/offices/{target}"),
            format!("/offices/{target}"),
        ),
        Kind::Department => (
            format!("/api/v1/departments/{target}"),
            format!("/departments/{target}"),
        ),
        Kind::Town => (
            format!("/api/v1/towns/{target}"),
            format!("/towns/{target}"),
        ),
        Kind::Account => {
            let id = account_id(t, target).await;
            (
                format!("/api/v1/accounts/{id}"),
                format!("/staff/accounts/{id}"),
            )
        }
    }
}

async fn version(t: &TestApp, api: &str) -> i64 {
    t.api(Method::GET, api, Some("city.admin"), None)
        .await
        .json()["version"]
        .as_i64()
        .unwrap()
}

/// A harmless change of each kind, as JSON and as form fields.
fn change(kind: Kind, version: i64) -> (Value, Vec<(&'static str, String)>) {
    let v = version.to_string();
    match kind {
        Kind::Office => (
            json!({ "phone": "0534-7000000", "version": version }),
            vec![
                ("address", "示意地址".into()),
                ("phone", "0534-7000000".into()),
                ("hours", "全天".into()),
                ("version", v),
            ],
        ),
        Kind::Department => (
            json!({ "phone": "0534-7000001", "version": version }),
            vec![("phone", "0534-7000001".into()), ("version", v)],
        ),
        Kind::Town => (
            json!({ "population": 30000, "version": version }),
            vec![("population", "30000".into()), ("version", v)],
        ),
        Kind::Account => (
            json!({ "display_name": "改名", "version": version }),
            vec![("display_name", "改名".into()), ("version", v)],
        ),
    }
}

fn status_of(e: Expect, success: StatusCode) -> StatusCode {
    match e {
        Y => success,
        F => StatusCode::FORBIDDEN,
        N => StatusCode::NOT_FOUND,
    }
}

async fn check(
    t: &TestApp,
    b: &Browser,
    user: &str,
    kind: Kind,
    target: &str,
    change_expect: Expect,
    read_expect: Expect,
) {
    let (api, page) = paths(t, kind, target).await;
    let what = format!("{user} {kind:?} {target}");
    // Reading, over JSON and HTML.
    let read = status_of(read_expect, StatusCode::OK);
    let r = t.api(Method::GET, &api, Some(user), None).await;
    assert_eq!(r.status, read, "JSON read: {what}");
    if read != StatusCode::OK {
        assert!(
            !r.body.contains(target),
            "no data leaks in the error: {what}"
        );
    }
    assert_eq!(t.browse(b, &page).await.status, read, "HTML read: {what}");
    // Changing, over JSON then HTML; the record is unchanged whenever the change is refused.
    let before = t
        .api(Method::GET, &api, Some("city.admin"), None)
        .await
        .json();
    let (body, _) = change(kind, version(t, &api).await);
    let r = t.api(Method::PATCH, &api, Some(user), Some(body)).await;
    assert_eq!(
        r.status,
        status_of(change_expect, StatusCode::OK),
        "JSON change: {what}: {}",
        r.body
    );
    let (_, form) = change(kind, version(t, &api).await);
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = t.post_form(b, &page, &fields).await;
    assert_eq!(
        r.status,
        status_of(change_expect, StatusCode::SEE_OTHER),
        "HTML change: {what}"
    );
    if change_expect != Y {
        assert_eq!(
            t.api(Method::GET, &api, Some("city.admin"), None)
                .await
                .json(),
            before,
            "unchanged: {what}"
        );
    }
}

async fn every_role_reaches_exactly_its_jurisdiction(db: TestDb) {
    let t = TestApp::new(db).await;
    let mut browsers = std::collections::HashMap::new();
    for &(user, kind, own, other, change_own, change_other, read_other) in MATRIX {
        if !browsers.contains_key(user) {
            browsers.insert(user, t.sign_in(user).await);
        }
        let b = &browsers[user];
        check(&t, b, user, kind, own, change_own, Y).await;
        check(&t, b, user, kind, other, change_other, read_other).await;
        if kind == Kind::Account {
            // Lists show exactly what may be read.
            let listed = t
                .api(
                    Method::GET,
                    "/api/v1/accounts?per_page=500",
                    Some(user),
                    None,
                )
                .await
                .json();
            let names: Vec<&str> = listed["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["username"].as_str().unwrap())
                .collect();
            assert!(names.contains(&own), "{user} lists itself");
            assert_eq!(
                names.contains(&other),
                read_other == Y,
                "{user} listing {other}"
            );
            let html = t.browse(b, "/staff/accounts?per_page=500").await.body;
            assert_eq!(
                html.contains(&format!(">{other}<")),
                read_other == Y,
                "{user} HTML listing {other}"
            );
        }
    }
    let roles: std::collections::BTreeSet<&str> = MATRIX.iter().map(|r| r.0).collect();
    assert_eq!(roles.len(), 7, "every role is in the matrix");
}

/// Which entries each user must see, stated per role from its jurisdiction.
fn sees(user: &str, e: &Value) -> bool {
    let is = |field: &str, value: &str| e[field].as_str() == Some(value);
    match user {
        "city.admin" => true,
        "ll.bureau" => is("county_code", "371481"),
        "ll.branch1" => is("office_code", "371481B01"),
        "ll.centre" => is("office_code", "371481104C"),
        "dc.market" => is("department_code", "371402SJ"),
        "ll.team" => is("town_code", "371481104"),
        "dc.officer" => false,
        _ => unreachable!(),
    }
}

async fn audit_lists_show_only_the_actors_jurisdiction(db: TestDb) {
    let t = TestApp::new(db).await;
    let users = [
        "city.admin",
        "ll.bureau",
        "ll.branch1",
        "ll.centre",
        "dc.market",
        "ll.team",
        "dc.officer",
    ];
    // Signing in is audited too, so everyone signs in before the trail is read.
    let mut browsers = Vec::new();
    for user in users {
        browsers.push(t.sign_in(user).await);
    }
    // One change in each jurisdiction, so every user has something to see and something not to.
    for (api, body) in [
        (
            "/api/v1/offices/371481B01",
            json!({ "phone": "0534-7000002", "version": 1 }),
        ),
        (
            "/api/v1/offices/371481104C",
            json!({ "phone": "0534-7000003", "version": 1 }),
        ),
        (
            "/api/v1/towns/371481104",
            json!({ "population": 1, "version": 1 }),
        ),
        (
            "/api/v1/departments/371402SJ",
            json!({ "phone": "0534-7000004", "version": 1 }),
        ),
        (
            "/api/v1/offices/371402H",
            json!({ "phone": "0534-7000005", "version": 1 }),
        ),
    ] {
        assert_eq!(
            t.api(Method::PATCH, api, Some("city.admin"), Some(body))
                .await
                .status,
            StatusCode::OK,
            "{api}"
        );
    }
    let all = t
        .api(
            Method::GET,
            "/api/v1/audit?per_page=500",
            Some("city.admin"),
            None,
        )
        .await
        .json();
    let all = all["items"].as_array().unwrap().clone();
    for (user, b) in users.into_iter().zip(&browsers) {
        let listed = t
            .api(Method::GET, "/api/v1/audit?per_page=500", Some(user), None)
            .await
            .json();
        let got: Vec<i64> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect();
        let want: Vec<i64> = all
            .iter()
            .filter(|e| sees(user, e))
            .map(|e| e["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(got, want, "{user}");
        if user != "dc.officer" {
            assert!(!want.is_empty(), "{user} has something to see");
        }
        let html = t.browse(b, "/staff/audit?per_page=500").await;
        assert_eq!(html.status, StatusCode::OK);
        for e in &all {
            let row = format!(
                "<td class=\"num\">{}</td><td>{}</td>",
                e["seq"],
                tongquan_domain::clock::display_stored(e["at"].as_str().unwrap())
            );
            assert_eq!(
                html.body.contains(&row),
                sees(user, e),
                "{user} HTML entry {}",
                e["seq"]
            );
        }
    }
}
