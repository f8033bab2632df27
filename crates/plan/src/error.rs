//! The one error type of the planners, with a stable code and messages in both languages.

/// Why a planning request was refused. `code()` is stable (API, tests); the messages are for people.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("no demand points to plan for")]
    EmptyPoints,
    #[error("no candidate sites to choose from")]
    EmptySites,
    #[error("duplicate id {id:?}")]
    DuplicatePoint { id: String },
    #[error("{id:?} has a NaN or infinite coordinate or distance")]
    NanCoordinate { id: String },
    #[error("invalid parameter {field}: {reason}")]
    InvalidParameter {
        field: &'static str,
        reason: String,
        reason_zh: String,
    },
    #[error("no candidate site lies within the radius of: {}", points.join(", "))]
    RadiusUncoverable { points: Vec<String> },
    #[error("capacity bounds make the problem infeasible: {reason}")]
    CapacityInfeasible { reason: String, reason_zh: String },
    #[error("line {line}: {reason}")]
    MalformedInstance { line: usize, reason: String },
    #[error("no feasible plan found before the time limit")]
    TimeLimit,
}

impl PlanError {
    /// Stable machine-readable code, e.g. `plan.radius_uncoverable`.
    pub fn code(&self) -> &'static str {
        match self {
            PlanError::EmptyPoints => "plan.empty_points",
            PlanError::EmptySites => "plan.empty_sites",
            PlanError::DuplicatePoint { .. } => "plan.duplicate_point",
            PlanError::NanCoordinate { .. } => "plan.nan_coordinate",
            PlanError::InvalidParameter { .. } => "plan.invalid_parameter",
            PlanError::RadiusUncoverable { .. } => "plan.radius_uncoverable",
            PlanError::CapacityInfeasible { .. } => "plan.capacity_infeasible",
            PlanError::MalformedInstance { .. } => "plan.malformed_instance",
            PlanError::TimeLimit => "plan.time_limit",
        }
    }

    /// English message (same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }

    /// Simplified Chinese message.
    pub fn message_zh(&self) -> String {
        match self {
            PlanError::EmptyPoints => "没有需求点（乡镇），无法规划".into(),
            PlanError::EmptySites => "没有候选网点可供选择".into(),
            PlanError::DuplicatePoint { id } => format!("编号“{id}”重复"),
            PlanError::NanCoordinate { id } => format!("“{id}”的坐标或距离不是有效数字"),
            PlanError::InvalidParameter {
                field, reason_zh, ..
            } => {
                format!("参数 {field} 无效：{reason_zh}")
            }
            PlanError::RadiusUncoverable { points } => {
                format!("以下需求点在半径内没有任何候选网点：{}", points.join("、"))
            }
            PlanError::CapacityInfeasible { reason_zh, .. } => {
                format!("网点服务乡镇数的上下限使问题无解：{reason_zh}")
            }
            PlanError::MalformedInstance { line, reason } => {
                format!("第 {line} 行格式错误：{reason}")
            }
            PlanError::TimeLimit => "时限内未找到可行方案".into(),
        }
    }

    pub(crate) fn malformed(line: usize, reason: impl Into<String>) -> Self {
        PlanError::MalformedInstance {
            line,
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid(
        field: &'static str,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> Self {
        PlanError::InvalidParameter {
            field,
            reason: en.into(),
            reason_zh: zh.into(),
        }
    }

    pub(crate) fn capacity(en: impl Into<String>, zh: impl Into<String>) -> Self {
        PlanError::CapacityInfeasible {
            reason: en.into(),
            reason_zh: zh.into(),
        }
    }
}
