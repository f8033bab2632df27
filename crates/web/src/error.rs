//! The web layer's one error type, and the one place errors become HTTP: problem+json for the
//! API, an error page for people. Every error carries a stable code and zh-CN and en messages.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use tongquan_domain::{DomainError, Message};
use tongquan_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("sign-in required")]
    Unauthenticated,
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("request body larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("unsupported content type")]
    UnsupportedMediaType { expected: &'static str },
    #[error("malformed request body: {detail}")]
    MalformedBody {
        field: Option<String>,
        detail: String,
    },
    #[error("no such page")]
    NoRoute,
    /// A handler panicked: a bug, answered instead of dropping the connection.
    #[error("internal error")]
    Panicked,
    #[error("page rendering failed: {0}")]
    Render(#[from] askama::Error),
    #[error(transparent)]
    Plan(#[from] tongquan_plan::PlanError),
    /// A file with problems, every one of them listed.
    #[error("the file has {} problems", problems.len())]
    Rejected {
        problems: Vec<tongquan_store::import::RowProblem>,
    },
}

impl From<crate::planning::PlanningError> for AppError {
    fn from(e: crate::planning::PlanningError) -> Self {
        match e {
            crate::planning::PlanningError::Store(e) => Self::Store(e),
            crate::planning::PlanningError::Plan(e) => Self::Plan(e),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        Self::Store(e.into())
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Store(e) => match e.code() {
                "invalid_field" | "required_field" => StatusCode::BAD_REQUEST,
                "forbidden" | "no_power" | "credit_flagged" => StatusCode::FORBIDDEN,
                "transition_not_allowed"
                | "rating_not_open"
                | "task_not_open"
                | "handover_not_allowed"
                | "not_handed_over" => StatusCode::CONFLICT,
                "file_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
                "file_type_forbidden" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "outside_calendar"
                | "idempotency_key_reused"
                | "missing_materials"
                | "item_not_in_force"
                | "too_few_officers"
                | "credential_invalid"
                | "recused"
                | "outside_city"
                | "plan.empty_pool"
                | "plan.too_few_officers"
                | "plan.quota_exceeds_pool" => StatusCode::UNPROCESSABLE_ENTITY,
                "visit_cap"
                | "no_notice_of_rights"
                | "legal_review_required"
                | "four_eyes_required" => StatusCode::CONFLICT,
                "plan.invalid_parameter" | "plan.duplicate_id" => StatusCode::BAD_REQUEST,
                "not_found" => StatusCode::NOT_FOUND,
                "stale" | "taken" => StatusCode::CONFLICT,
                "bad_credentials" => StatusCode::UNAUTHORIZED,
                "locked" => StatusCode::TOO_MANY_REQUESTS,
                // A rule of the law or the product refused the request: the client's to change,
                // never a server error, even for a rule not listed above.
                _ if matches!(e, StoreError::Domain(DomainError::Rule { .. })) => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Csrf => StatusCode::FORBIDDEN,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::MalformedBody { .. } => StatusCode::BAD_REQUEST,
            Self::NoRoute => StatusCode::NOT_FOUND,
            Self::Render(_) | Self::Panicked => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Plan(tongquan_plan::PlanError::TimeLimit) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Plan(_) => StatusCode::BAD_REQUEST,
            Self::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Store(e) => e.code(),
            Self::Unauthenticated => "unauthenticated",
            Self::Csrf => "csrf",
            Self::TooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType { .. } => "unsupported_media_type",
            Self::MalformedBody { .. } => "malformed_body",
            Self::NoRoute => "not_found",
            Self::Panicked => "internal",
            Self::Render(_) => "render",
            Self::Plan(e) => e.code(),
            Self::Rejected { .. } => "import_rejected",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Store(e) => e.field(),
            Self::MalformedBody { field, .. } => field.as_deref(),
            Self::Plan(tongquan_plan::PlanError::InvalidParameter { field, .. }) => Some(field),
            _ => None,
        }
    }

    pub fn message(&self) -> Message {
        match self {
            Self::Store(e) => e.message(),
            Self::Unauthenticated => Message::new("请先登录", "please sign in first"),
            Self::Csrf => Message::new(
                "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
                "the form expired or came from elsewhere (CSRF check failed); reload the page and try again",
            ),
            Self::TooLarge { limit } => Message::new(
                format!("请求内容过大，上限为 {} KB", limit / 1024),
                format!("request body too large; the limit is {} KB", limit / 1024),
            ),
            Self::UnsupportedMediaType { expected } => Message::new(
                format!("不支持的内容类型，应为 {expected}"),
                format!("unsupported content type; expected {expected}"),
            ),
            Self::MalformedBody { field, detail } => match field {
                Some(f) => Message::new(
                    format!("请求内容格式错误，字段 {f}：{detail}"),
                    format!("malformed request body at field {f}: {detail}"),
                ),
                None => Message::new(
                    format!("请求内容格式错误：{detail}"),
                    format!("malformed request body: {detail}"),
                ),
            },
            Self::NoRoute => Message::new("没有这个页面", "no such page"),
            Self::Render(_) => Message::new("页面生成失败", "the page could not be rendered"),
            Self::Panicked => Message::new(
                "服务器内部错误，已记录，请稍后重试",
                "internal server error; it has been logged, please try again later",
            ),
            Self::Plan(e) => Message::new(e.message_zh(), e.message_en()),
            Self::Rejected { problems } => Message::new(
                format!("文件有 {} 处问题，未导入任何内容", problems.len()),
                format!(
                    "the file has {} problems; nothing was imported",
                    problems.len()
                ),
            ),
        }
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }

    /// The response for a client: problem+json under /api, an error page elsewhere.
    pub fn respond(self, api: bool) -> Response {
        if api {
            ApiError(self).into_response()
        } else {
            PageError(self).into_response()
        }
    }
}

/// RFC 9457 problem details, with the message in both languages.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Stable error code.
    pub code: String,
    /// English message.
    pub detail: String,
    /// The field the error is about, where there is one.
    pub field: Option<String>,
    pub messages: ProblemMessages,
    /// For a rejected file: every problem, by row and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<tongquan_store::import::RowProblem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemMessages {
    #[serde(rename = "zh-CN")]
    pub zh: String,
    pub en: String,
}

/// An error from a JSON API handler.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let status = e.status();
        let m = e.message();
        let retry_after = match &e {
            AppError::Store(StoreError::Throttled { seconds, .. }) => Some(*seconds),
            _ => None,
        };
        let body = Problem {
            kind: format!("/problems/{}", e.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            code: e.code().to_owned(),
            detail: m.en.clone(),
            field: e.field().map(str::to_owned),
            messages: ProblemMessages { zh: m.zh, en: m.en },
            problems: match e {
                AppError::Rejected { problems } => problems,
                _ => Vec::new(),
            },
        };
        let mut res = (status, axum::Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        res
    }
}

/// An error from a page handler: a page in both languages, or a redirect to sign in.
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    code: &'static str,
    message: Message,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        if matches!(e, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        e.log();
        let status = e.status();
        let page = ErrorPage {
            status: status.as_u16(),
            code: e.code(),
            message: e.message(),
        };
        match askama::Template::render(&page) {
            Ok(html) => (status, axum::response::Html(html)).into_response(),
            Err(_) => (status, e.message().to_string()).into_response(),
        }
    }
}

/// An error from an Open311 GeoReport v2 handler, in that standard's shape:
/// `[{"code": 400, "description": "…"}]`, the description in both languages.
pub struct Open311Error(pub AppError);

impl<E: Into<AppError>> From<E> for Open311Error {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let status = e.status();
        let m = e.message();
        let body = serde_json::json!([{
            "code": status.as_u16(),
            "description": format!("{}: {} / {}", e.code(), m.en, m.zh),
        }]);
        (status, axum::Json(body)).into_response()
    }
}

/// The errors axum answers by itself, before any handler runs, come as text/plain: a path segment
/// that is not UTF-8 once percent-decoded (`/api/v1/towns/%FF`), a raw body over the limit. Under
/// /api they become problem+json and under /open311 that standard's shape, like every other error
/// there and as the OpenAPI document says.
pub async fn plain_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path();
    let (api, open311) = (path.starts_with("/api/"), path.starts_with("/open311/"));
    let res = next.run(req).await;
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(api || open311) || !plain {
        return res;
    }
    let e = match res.status() {
        StatusCode::BAD_REQUEST => {
            let text = axum::body::to_bytes(res.into_body(), 4096)
                .await
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            AppError::MalformedBody {
                field: None,
                detail: text,
            }
        }
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge {
            limit: crate::BODY_LIMIT,
        },
        _ => return res,
    };
    if api {
        ApiError(e).into_response()
    } else {
        Open311Error(e).into_response()
    }
}
