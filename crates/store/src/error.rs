//! The store's one error type: domain errors pass through; storage adds its own, each with a code.

use tongquan_domain::audit::ChainBreak;
use tongquan_domain::{DomainError, Message};

use crate::throttle::Secret;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// No such record, or one the actor may not see (the two are not told apart).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// The record changed since the client read it.
    #[error("{kind} {id} was changed by someone else (expected version {expected})")]
    Stale {
        kind: &'static str,
        id: String,
        expected: i64,
    },
    /// A value that must be unique is taken.
    #[error("{field} {value:?} is already taken")]
    Taken { field: &'static str, value: String },
    #[error("wrong username or password")]
    BadCredentials,
    #[error("too many wrong {}; try again after {until}", match secret { Secret::Password => "passwords", Secret::CheckCode => "check codes" })]
    Throttled {
        secret: Secret,
        until: String,
        /// Seconds until a guess is allowed again (HTTP Retry-After).
        seconds: i64,
    },
    #[error("audit chain broken: {0}")]
    Chain(#[from] ChainBreak),
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    pub fn not_found(kind: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            kind,
            id: id.to_string(),
        }
    }

    /// Stable code that clients may match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Domain(e) => e.code(),
            Self::NotFound { .. } => "not_found",
            Self::Stale { .. } => "stale",
            Self::Taken { .. } => "taken",
            Self::BadCredentials => "bad_credentials",
            Self::Throttled { .. } => "locked",
            Self::Chain(_) => "audit_chain_broken",
            Self::Config(_) => "config",
            Self::Database(_) => "database",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Domain(e) => e.field(),
            Self::Taken { field, .. } => Some(field),
            _ => None,
        }
    }

    pub fn message(&self) -> Message {
        match self {
            Self::Domain(e) => e.message(),
            Self::NotFound { kind, id } => {
                Message::new(format!("未找到{}“{id}”", kind_zh(kind)), self.to_string())
            }
            Self::Stale { kind, id, .. } => Message::new(
                format!("{}“{id}”已被他人修改，请刷新后重试", kind_zh(kind)),
                format!("{kind} {id} was changed by someone else; reload and try again"),
            ),
            Self::Taken { field, value } => Message::new(
                format!("字段 {field} 的值“{value}”已被占用"),
                self.to_string(),
            ),
            Self::BadCredentials => Message::new("用户名或密码错误", self.to_string()),
            Self::Throttled { secret, until, .. } => Message::new(
                match secret {
                    Secret::Password => format!("密码错误次数过多，请于 {until} 后再试"),
                    Secret::CheckCode => {
                        format!("查询码错误次数过多，请于 {until} 后再试，或到窗口重新领取查询码")
                    }
                },
                self.to_string(),
            ),
            Self::Chain(b) => b.message(),
            Self::Config(m) => Message::new(format!("配置错误：{m}"), self.to_string()),
            // The driver's text may reveal internals; clients get a generic message.
            Self::Database(_) => Message::new("数据库错误", "database error"),
        }
    }
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "county" => "县（市、区）",
        "town" => "乡镇（街道）",
        "office" => "办事机构",
        "department" => "部门",
        "account" => "账号",
        _ => "记录",
    }
}
