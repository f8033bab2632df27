//! Signing in and out, switching language, changing one's own password.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tongquan_store::StoreError;
use tongquan_store::auth::SESSION_HOURS;

use super::{Chrome, render, render_with};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::extract::{ClientAddr, FormData, Query};
use crate::i18n::Lang;
use crate::session::{CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, Viewer, new_token, set_cookie};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    username: String,
    error: Option<AppError>,
    notice: Option<&'static str>,
}

pub async fn form(v: Viewer, uri: Uri) -> Result<Response, PageError> {
    let notice = uri
        .query()
        .is_some_and(|q| q.contains("changed=1"))
        .then_some("password.changed");
    render(&LoginPage {
        c: Chrome::new(&v, &uri, "login"),
        username: String::new(),
        error: None,
        notice,
    })
}

pub async fn login(
    State(s): State<AppState>,
    ClientAddr(client): ClientAddr,
    v: Viewer,
    uri: Uri,
    form: FormData,
) -> Result<Response, PageError> {
    let username = form.text("username").trim().to_owned();
    match s
        .store
        .login(&username, form.text("password"), &client)
        .await
    {
        Ok((_, token)) => {
            let secure = s.config.secure_cookies;
            let mut res = Redirect::to("/").into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &token, Some(SESSION_HOURS * 3600), secure),
            );
            // A new CSRF token with the new session, so a token planted before sign-in is useless.
            h.append(
                header::SET_COOKIE,
                set_cookie(CSRF_COOKIE, &new_token(), None, secure),
            );
            Ok(res)
        }
        Err(e @ (StoreError::BadCredentials | StoreError::Throttled { .. })) => {
            let e = AppError::from(e);
            let page = LoginPage {
                c: Chrome::new(&v, &uri, "login"),
                username,
                notice: None,
                error: None,
            };
            render_with(
                e.status(),
                &LoginPage {
                    error: Some(e),
                    ..page
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(s): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    if let Some(token) = &v.session {
        s.store.logout(&v.actor, token).await?;
    }
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), s.config.secure_cookies),
    );
    Ok(res)
}

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// Remembers the language and returns to the page the switch was clicked on (only ever a path
/// on this site, never another site).
pub async fn switch_lang(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<Back>,
) -> Result<Response, PageError> {
    let lang = Lang::parse(&code).ok_or(AppError::NoRoute)?;
    let back = q
        .back
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&back).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.cookie_value(),
            Some(365 * 24 * 3600),
            s.config.secure_cookies,
        ),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    c: Chrome,
    error: Option<AppError>,
}

pub async fn password_form(v: Viewer, uri: Uri) -> Result<Response, PageError> {
    v.staff()?;
    render(&PasswordPage {
        c: Chrome::new(&v, &uri, "password"),
        error: None,
    })
}

pub async fn change_password(
    State(s): State<AppState>,
    v: Viewer,
    uri: Uri,
    form: FormData,
) -> Result<Response, PageError> {
    v.staff()?;
    match s
        .store
        .change_own_password(&v.actor, form.text("current"), form.text("new"))
        .await
    {
        Ok(()) => Ok(Redirect::to("/login?changed=1").into_response()),
        Err(e) => {
            let e = AppError::from(e);
            let status = if matches!(e, AppError::Store(StoreError::BadCredentials)) {
                StatusCode::BAD_REQUEST
            } else {
                e.status()
            };
            render_with(
                status,
                &PasswordPage {
                    c: Chrome::new(&v, &uri, "password"),
                    error: Some(e),
                },
            )
        }
    }
}
