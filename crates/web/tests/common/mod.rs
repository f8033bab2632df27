//! An in-process app on a fresh database, with the demo accounts, driven by `oneshot`.

#![allow(dead_code)]

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tongquan_domain::access::Actor;
use tongquan_domain::codes::Username;
use tongquan_store::seed::{self, DEMO_ACCOUNTS, DEMO_PASSWORD};
use tongquan_store::testing::TestDb;
use tongquan_web::{AppState, WebConfig};
use tower::ServiceExt;

/// The date the test app treats as today (a Friday).
pub const TODAY: &str = "2024-03-01";

pub struct TestApp {
    pub db: TestDb,
    pub app: Router,
    tokens: HashMap<String, String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value a response sets for a cookie.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next()?.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    }
}

/// A signed-in browser: its cookies and the CSRF token its forms carry.
#[derive(Clone)]
pub struct Browser {
    pub cookies: String,
    pub csrf: String,
}

impl TestApp {
    pub async fn new(mut db: TestDb) -> Self {
        // The clock is pinned, so cases' deadlines do not depend on the day the tests run.
        db.store = db
            .store
            .clone()
            .with_clock(tongquan_domain::clock::Clock::pinned(
                TODAY.parse().unwrap(),
            ));
        seed::load_demo_accounts(&db.store).await.unwrap();
        let mut tokens = HashMap::new();
        for (username, ..) in DEMO_ACCOUNTS {
            let a = db
                .store
                .account_by_username(
                    &Actor::System("test"),
                    &Username::parse("u", username).unwrap(),
                )
                .await
                .unwrap();
            let t = db
                .store
                .create_api_token(&Actor::System("test"), a.id, "tests")
                .await
                .unwrap();
            tokens.insert((*username).to_owned(), t);
        }
        let app = tongquan_web::router(AppState::new(db.store.clone(), WebConfig::default()));
        Self { db, app, tokens }
    }

    pub fn token(&self, username: &str) -> &str {
        &self.tokens[username]
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// A JSON request as a machine client with the user's bearer token (or none).
    pub async fn api(
        &self,
        method: Method,
        uri: &str,
        user: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(u) = user {
            req = req.header(header::AUTHORIZATION, format!("Bearer {}", self.token(u)));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    /// A browser that has not signed in: only its CSRF cookie, as any visitor gets.
    pub async fn sign_in_anonymous(&self) -> Browser {
        let csrf = self
            .get("/login")
            .await
            .cookie("tq_csrf")
            .expect("a CSRF cookie is issued");
        Browser {
            cookies: format!("tq_csrf={csrf}"),
            csrf,
        }
    }

    /// Signs in through the login form, as a person would.
    pub async fn sign_in(&self, username: &str) -> Browser {
        self.sign_in_with(username, DEMO_PASSWORD).await
    }

    pub async fn sign_in_with(&self, username: &str, password: &str) -> Browser {
        let anon = self.get("/login").await;
        let csrf = anon.cookie("tq_csrf").expect("a CSRF cookie is issued");
        let form = serde_urlencoded::to_string([
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ])
        .unwrap();
        let res = self
            .send(
                Request::post("/login")
                    .header(header::COOKIE, format!("tq_csrf={csrf}"))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "sign-in of {username}: {}",
            res.body
        );
        let session = res.cookie("tq_session").expect("session cookie");
        let csrf = res
            .cookie("tq_csrf")
            .expect("CSRF token rotated at sign-in");
        Browser {
            cookies: format!("tq_session={session}; tq_csrf={csrf}"),
            csrf,
        }
    }

    pub async fn browse(&self, b: &Browser, uri: &str) -> Reply {
        self.send(
            Request::get(uri)
                .header(header::COOKIE, &b.cookies)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// Posts a form from a signed-in browser; the CSRF field is added.
    pub async fn post_form(&self, b: &Browser, uri: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = vec![("csrf", &b.csrf)];
        all.extend_from_slice(fields);
        let body = serde_urlencoded::to_string(&all).unwrap();
        self.send(
            Request::post(uri)
                .header(header::COOKIE, &b.cookies)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// A download's bytes, unchanged (the `Reply` body is text).
    pub async fn download_bytes(&self, b: &Browser, uri: &str) -> Vec<u8> {
        let res = self
            .app
            .clone()
            .oneshot(
                Request::get(uri)
                    .header(header::COOKIE, &b.cookies)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        res.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    pub async fn audit_len(&self) -> i64 {
        self.db.store.verify_audit().await.unwrap()
    }
}

/// Asserts a problem+json answer with this status and code, and messages in both languages.
pub fn assert_problem(r: &Reply, status: u16, code: &str) -> Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.body);
    assert_eq!(r.content_type(), "application/problem+json", "{}", r.body);
    let p = r.json();
    assert_eq!(p["code"], code, "{p}");
    assert_eq!(p["status"], status);
    assert!(
        !p["messages"]["zh-CN"].as_str().unwrap().is_empty()
            && !p["messages"]["en"].as_str().unwrap().is_empty()
    );
    p
}

/// A multipart/form-data body: text fields, then files as (field, file name, bytes).
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "TQBOUNDARY7d";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .into_bytes(),
        );
    }
    for (k, name, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .into_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").into_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a multipart form with the given cookies.
pub async fn post_multipart(
    t: &TestApp,
    uri: &str,
    cookies: &str,
    body: (String, Vec<u8>),
) -> Reply {
    t.send(
        Request::post(uri)
            .header(header::COOKIE, cookies)
            .header(header::CONTENT_TYPE, body.0)
            .body(Body::from(body.1))
            .unwrap(),
    )
    .await
}

/// The text between the first `start` and the next `end`.
pub fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in {text}"))
        + start.len();
    &text[from..from + text[from..].find(end).unwrap()]
}
