//! Request extractors whose failures are our errors, naming the field, in both languages.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;
use tongquan_domain::DomainError;
use tongquan_store::once::Once;
use tongquan_store::throttle::Client;

use crate::error::AppError;

/// Whether the request came in under /api: errors are then problem+json. Nested routers see a
/// shortened path, so this reads the original one.
pub fn is_api(extensions: &axum::http::Extensions, uri: &axum::http::Uri) -> bool {
    extensions
        .get::<OriginalUri>()
        .map_or(uri, |o| &o.0)
        .path()
        .starts_with("/api/")
}

/// The client a request came from, for throttling guesses: its IP address as the server saw it
/// (every port of one machine is one client). Requests handed to the router in-process count as
/// the local machine.
pub struct ClientAddr(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(Client::local, |c| Client::new(c.0.ip())),
        ))
    }
}

/// An application's idempotency key, from the API's `Idempotency-Key` header or a form's
/// one-time `once` field, in its party's scope: a staff member's, else the client's, so one party
/// cannot replay another's answer (which carries a check code).
pub fn once_key(
    key: Option<&str>,
    v: &crate::session::Viewer,
    client: &Client,
    request: &serde_json::Value,
) -> Result<Option<Once>, DomainError> {
    let scope = match v.actor.staff() {
        Some(staff) => format!("staff:{}", staff.id),
        None => format!("client:{client}"),
    };
    key.map(|k| Once::new(scope, k, request)).transpose()
}

/// The `Idempotency-Key` header, if sent; a value that is not text is kept so it is refused.
pub fn idempotency_header(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or(""))
}

/// A fresh one-time token for an application form, or the one a refused form carried.
pub fn form_once(typed: &str) -> String {
    if typed.is_empty() {
        crate::session::new_token()
    } else {
        typed.to_owned()
    }
}

fn content_type_is(req: &Request, expected: &str) -> bool {
    media_type_is(req.headers(), expected)
}

/// Whether the request's media type is `expected`. Media types are case-insensitive (RFC 9110
/// 8.3.1): the CSRF guard and the extractors must agree on what a form is, or a form sent as
/// `Application/x-www-form-urlencoded` would be parsed without its token being checked.
pub(crate) fn media_type_is(headers: &axum::http::HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

async fn body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge {
                limit: crate::BODY_LIMIT,
            }
        } else {
            AppError::MalformedBody {
                field: None,
                detail: e.body_text(),
            }
        }
    })
}

/// A request body taken as it is (e.g. an uploaded file), with our errors for one too large.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let api = is_api(req.extensions(), req.uri());
        body(req, state).await.map(RawBody).map_err(|e| match e {
            AppError::TooLarge { .. } => AppError::TooLarge {
                limit: tongquan_store::import::MAX_IMPORT_BYTES,
            }
            .respond(api),
            e => e.respond(api),
        })
    }
}

/// A JSON body; the error names the path of the field that did not fit.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let api = is_api(req.extensions(), req.uri());
        if !content_type_is(&req, "application/json") {
            return Err(AppError::UnsupportedMediaType {
                expected: "application/json",
            }
            .respond(api));
        }
        let bytes = body(req, state).await.map_err(|e| e.respond(api))?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            AppError::MalformedBody {
                field: (path != ".").then_some(path),
                detail: e.into_inner().to_string(),
            }
            .respond(api)
        })?;
        // One JSON value and nothing after it: `{…}garbage` is not what a client meant.
        de.end().map_err(|e| {
            AppError::MalformedBody {
                field: None,
                detail: e.to_string(),
            }
            .respond(api)
        })?;
        Ok(ApiJson(value))
    }
}

/// A query string into a struct of optional strings; the handler parses each into its type.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q).map(Query).map_err(|e| {
            AppError::MalformedBody {
                field: None,
                detail: format!("query string: {e}"),
            }
            .respond(is_api(&parts.extensions, &parts.uri))
        })
    }
}

/// An HTML form's fields. The CSRF guard has already checked the token.
pub struct FormData(HashMap<String, String>);

impl FormData {
    /// The field's text, empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    pub fn checked(&self, name: &str) -> bool {
        self.0
            .get(name)
            .is_some_and(|v| v == "on" || v == "true" || v == "1")
    }

    /// The record version the form was rendered from.
    pub fn version(&self) -> Result<i64, DomainError> {
        parse_int("version", self.text("version"))
    }
}

pub fn parse_int(field: &str, value: &str) -> Result<i64, DomainError> {
    value.trim().parse().map_err(|_| {
        DomainError::invalid(
            field,
            format!("应为整数，收到“{value}”"),
            format!("expected a whole number, got {value:?}"),
        )
    })
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let api = is_api(req.extensions(), req.uri());
        if !content_type_is(&req, "application/x-www-form-urlencoded") {
            return Err(AppError::UnsupportedMediaType {
                expected: "application/x-www-form-urlencoded",
            }
            .respond(api));
        }
        let bytes = body(req, state).await.map_err(|e| e.respond(api))?;
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map(|kv| FormData(kv.into_iter().collect()))
            .map_err(|e| {
                AppError::MalformedBody {
                    field: None,
                    detail: e.to_string(),
                }
                .respond(api)
            })
    }
}

/// The most one form of material uploads may carry: a few files at their size limit.
pub const MAX_MATERIALS_BYTES: usize = 6 * tongquan_domain::upload::MAX_UPLOAD_BYTES;

/// A multipart form of materials: text fields, and files in `file_N` fields, each for the
/// material named in the `material_N` field. Nothing of the file is trusted until parsed.
pub struct MaterialsForm {
    pub fields: FormData,
    files: Vec<(String, String, Bytes)>,
}

impl MaterialsForm {
    /// The files chosen, checked; file inputs left empty are skipped.
    pub fn attachments(&self) -> Result<Vec<tongquan_store::cases::Attachment>, DomainError> {
        self.files
            .iter()
            .filter(|(_, name, bytes)| !(name.is_empty() && bytes.is_empty()))
            .map(|(field, name, bytes)| {
                let n = field.trim_start_matches("file_");
                Ok(tongquan_store::cases::Attachment {
                    material: self.fields.text(&format!("material_{n}")).to_owned(),
                    upload: tongquan_domain::upload::Upload::parse(field, name, bytes.to_vec())?,
                })
            })
            .collect()
    }

    /// A citizen's own online application for `item_id` (0 for a bundle): the applicant's fields
    /// and the files chosen.
    pub fn online_application(
        &self,
        item_id: i64,
    ) -> Result<tongquan_store::cases::NewCase, DomainError> {
        let f = &self.fields;
        let mut new = tongquan_store::cases::NewCase::parse(
            item_id,
            f.text("town"),
            f.text("applicant_kind"),
            f.text("applicant_id"),
            f.text("applicant_name"),
            f.text("contact"),
            "online",
            Vec::new(),
        )?;
        new.files = self.attachments()?;
        Ok(new)
    }
}

impl<S: Send + Sync> FromRequest<S> for MaterialsForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let api = is_api(req.extensions(), req.uri());
        let malformed = |e: axum::extract::multipart::MultipartError| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge {
                    limit: MAX_MATERIALS_BYTES,
                }
            } else {
                AppError::MalformedBody {
                    field: None,
                    detail: e.body_text(),
                }
            }
            .respond(api)
        };
        let mut parts = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| {
                AppError::UnsupportedMediaType {
                    expected: "multipart/form-data",
                }
                .respond(api)
            })?;
        let (mut fields, mut files) = (HashMap::new(), Vec::new());
        while let Some(field) = parts.next_field().await.map_err(malformed)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name.starts_with("file_") {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                files.push((name, file_name, field.bytes().await.map_err(malformed)?));
            } else {
                fields.insert(name, field.text().await.map_err(malformed)?);
            }
        }
        Ok(Self {
            fields: FormData(fields),
            files,
        })
    }
}
