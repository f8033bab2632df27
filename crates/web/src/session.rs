//! Who is asking: session cookies for people, bearer tokens for machines; plus the CSRF guard
//! and the language preference. Cookies are HttpOnly and SameSite=Lax.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tongquan_domain::access::{Actor, Staff};

use crate::error::AppError;
use crate::extract::media_type_is;
use crate::i18n::Lang;
use crate::{AppState, BODY_LIMIT};

pub const SESSION_COOKIE: &str = "tq_session";
pub const CSRF_COOKIE: &str = "tq_csrf";
pub const LANG_COOKIE: &str = "tq_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value; `max_age` of `Some(0)` deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are hex or fixed words")
}

pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn same(a: &str, b: &str) -> bool {
    // Constant-time, so the comparison does not leak how much of a guess was right.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The CSRF token issued to this browser in this very response, before its cookie exists.
#[derive(Clone)]
struct IssuedCsrf(String);

/// Every state-changing request from a browser must echo the CSRF cookie, in the `x-csrf-token`
/// header or the `csrf` form field. Bearer-token clients are not browsers and are exempt.
pub async fn csrf_guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let existing = cookie(req.headers(), CSRF_COOKIE).map(str::to_owned);
    let issued = existing.is_none().then(new_token);
    if let Some(t) = &issued {
        req.extensions_mut().insert(IssuedCsrf(t.clone()));
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let is_form = media_type_is(req.headers(), "application/x-www-form-urlencoded");
    let is_multipart = media_type_is(req.headers(), "multipart/form-data");
    // Open311 reports are always filed as the anonymous public, whoever's cookie comes along, so
    // a forged one can do no more than anyone may; existing 311 clients send no token.
    let open311 = req.uri().path().starts_with("/open311/");
    let browser =
        !open311 && (cookie(req.headers(), SESSION_COOKIE).is_some() || is_form || is_multipart);
    if unsafe_method && browser && bearer(req.headers()).is_none() && is_multipart {
        // An upload is not buffered here; its form carries the token in its action's query.
        let sent = req.uri().query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v)
        });
        match (existing.as_deref(), sent.as_deref()) {
            (Some(expected), Some(sent)) if same(expected, sent) => {}
            _ => return AppError::Csrf.respond(api),
        }
    } else if unsafe_method && browser && bearer(req.headers()).is_none() {
        let (parts, body) = req.into_parts();
        let bytes = match to_bytes(body, BODY_LIMIT).await {
            Ok(b) => b,
            Err(_) => return AppError::TooLarge { limit: BODY_LIMIT }.respond(api),
        };
        let sent = match parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
            Some(h) => Some(h.to_owned()),
            None if is_form => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .ok()
                .and_then(|kv| {
                    kv.into_iter()
                        .find(|(k, _)| k == CSRF_FIELD)
                        .map(|(_, v)| v)
                }),
            None => None,
        };
        match (existing.as_deref(), sent.as_deref()) {
            (Some(expected), Some(sent)) if same(expected, sent) => {}
            _ => return AppError::Csrf.respond(api),
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    let mut res = next.run(req).await;
    if let Some(t) = issued {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &t, None, state.config.secure_cookies),
        );
    }
    res
}

/// Who a request comes from, resolved once per request by [`authenticate`].
#[derive(Clone)]
struct Auth {
    actor: Actor,
    session: Option<String>,
}

/// Resolves the bearer token or session cookie. A client that sends a bearer token gets an
/// error for a bad one, on every route, rather than quietly being treated as anonymous.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let headers = req.headers();
    let auth = if headers.contains_key(header::AUTHORIZATION) {
        let staff = match bearer(headers) {
            Some(token) => state.store.token_staff(token).await,
            None => Ok(None),
        };
        match staff {
            Ok(Some(staff)) => Auth {
                actor: Actor::Staff(staff),
                session: None,
            },
            Ok(None) => return AppError::Unauthenticated.respond(api),
            Err(e) => return AppError::from(e).respond(api),
        }
    } else if let Some(token) = cookie(headers, SESSION_COOKIE) {
        match state.store.session_staff(token).await {
            Ok(Some(staff)) => Auth {
                actor: Actor::Staff(staff),
                session: Some(token.to_owned()),
            },
            // An expired session is simply no session.
            Ok(None) => Auth {
                actor: Actor::Anonymous,
                session: None,
            },
            Err(e) => return AppError::from(e).respond(api),
        }
    } else {
        Auth {
            actor: Actor::Anonymous,
            session: None,
        }
    };
    let signed_in = !matches!(auth.actor, Actor::Anonymous);
    req.extensions_mut().insert(auth);
    let mut res = next.run(req).await;
    if signed_in {
        // What staff see is theirs alone: no shared or back-button copy of it is kept.
        res.headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    res
}

/// The person or client behind a request.
pub struct Viewer {
    pub actor: Actor,
    pub lang: Lang,
    /// The CSRF token forms must carry.
    pub csrf: String,
    /// The session token, when signed in by cookie.
    pub session: Option<String>,
}

impl Viewer {
    pub fn staff(&self) -> Result<&Staff, AppError> {
        self.actor.staff().ok_or(AppError::Unauthenticated)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let auth = parts.extensions.get::<Auth>().cloned().unwrap_or(Auth {
            actor: Actor::Anonymous,
            session: None,
        });
        Ok(Self {
            actor: auth.actor,
            session: auth.session,
            lang: Lang::from_cookie(cookie(&parts.headers, LANG_COOKIE)),
            csrf: parts
                .extensions
                .get::<IssuedCsrf>()
                .map(|t| t.0.clone())
                .or_else(|| cookie(&parts.headers, CSRF_COOKIE).map(str::to_owned))
                .unwrap_or_default(),
        })
    }
}
