//! The domain's one error type. Every variant has a stable code and a message in zh-CN and en;
//! the web layer maps codes to HTTP in one place.

use std::fmt;

/// A message in both product languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub zh: String,
    pub en: String,
}

impl Message {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A value that does not have the shape its field requires.
    #[error("{field}: {}", .reason.en)]
    Invalid { field: String, reason: Message },
    /// A required value is missing or blank.
    #[error("{field}: required")]
    Required { field: String },
    /// The actor's role and jurisdiction do not allow the action.
    #[error("not allowed: {}", .reason.en)]
    Forbidden { reason: Message },
    /// A rule refuses the action: a transition the state does not allow, a date outside the
    /// calendar, a decision without the power. The code says which rule.
    #[error("{code}: {}", .reason.en)]
    Rule { code: &'static str, reason: Message },
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: Message::new(zh, en),
        }
    }

    pub fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Forbidden {
            reason: Message::new(zh, en),
        }
    }

    pub fn rule(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::Rule {
            code,
            reason: Message::new(zh, en),
        }
    }

    /// Stable code that clients may match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "invalid_field",
            Self::Required { .. } => "required_field",
            Self::Forbidden { .. } => "forbidden",
            Self::Rule { code, .. } => code,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } | Self::Required { field } => Some(field),
            Self::Forbidden { .. } | Self::Rule { .. } => None,
        }
    }

    pub fn message(&self) -> Message {
        match self {
            Self::Invalid { field, reason } => Message::new(
                format!("字段 {field}：{}", reason.zh),
                format!("field {field}: {}", reason.en),
            ),
            Self::Required { field } => Message::new(
                format!("字段 {field} 必须填写"),
                format!("field {field} is required"),
            ),
            Self::Forbidden { reason } | Self::Rule { reason, .. } => reason.clone(),
        }
    }

    /// The same error reported under another field name, e.g. a form field or a CSV column.
    pub fn at(self, field: impl Into<String>) -> Self {
        match self {
            Self::Invalid { reason, .. } => Self::Invalid {
                field: field.into(),
                reason,
            },
            Self::Required { .. } => Self::Required {
                field: field.into(),
            },
            other => other,
        }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.zh, self.en)
    }
}
