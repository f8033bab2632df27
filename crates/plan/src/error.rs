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
    #[error("the pool of inspection objects is empty")]
    EmptyPool,
    #[error("duplicate {what} {id}")]
    DuplicateId {
        what: &'static str,
        what_zh: &'static str,
        id: String,
    },
    #[error("the quota asks for {quota} objects but the pool holds only {pool}")]
    QuotaExceedsPool { quota: usize, pool: usize },
    #[error("{}", too_few_en(*team, objects, *more))]
    TooFewOfficers {
        team: usize,
        /// Up to 10 objects short of officers, each with its number of eligible officers.
        objects: Vec<(i64, usize)>,
        /// How many more objects are short beyond those listed.
        more: usize,
    },
    #[error("the revealed seed does not match the published commitment")]
    CommitmentMismatch,
    #[error("the draw inputs differ from those whose digest was published")]
    InputsChanged,
    #[error("the published outcome is not what the seed and inputs produce")]
    OutcomeMismatch,
}

fn too_few_en(team: usize, objects: &[(i64, usize)], more: usize) -> String {
    let listed: Vec<String> = objects
        .iter()
        .map(|(id, n)| format!("object {id} ({n} eligible)"))
        .collect();
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "a team needs {team} eligible officers of the object's region; too few for {}{more}",
        listed.join(", ")
    )
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
            PlanError::EmptyPool => "plan.empty_pool",
            PlanError::DuplicateId { .. } => "plan.duplicate_id",
            PlanError::QuotaExceedsPool { .. } => "plan.quota_exceeds_pool",
            PlanError::TooFewOfficers { .. } => "plan.too_few_officers",
            PlanError::CommitmentMismatch => "plan.commitment_mismatch",
            PlanError::InputsChanged => "plan.inputs_changed",
            PlanError::OutcomeMismatch => "plan.outcome_mismatch",
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
            PlanError::EmptyPool => "检查对象库为空，无法抽取".into(),
            PlanError::DuplicateId { what_zh, id, .. } => format!("{what_zh}“{id}”重复"),
            PlanError::QuotaExceedsPool { quota, pool } => {
                format!("抽取数量 {quota} 超过检查对象库总数 {pool}")
            }
            PlanError::TooFewOfficers {
                team,
                objects,
                more,
            } => {
                let listed: Vec<String> = objects
                    .iter()
                    .map(|(id, n)| format!("对象 {id}（可选 {n} 人）"))
                    .collect();
                let more = if *more > 0 {
                    format!("等另外 {more} 个对象")
                } else {
                    String::new()
                };
                format!(
                    "每个检查对象需从同一区域抽取 {team} 名未回避的执法人员，以下对象人数不足：{}{more}",
                    listed.join("、")
                )
            }
            PlanError::CommitmentMismatch => "公布的种子与事先公布的承诺值不符".into(),
            PlanError::InputsChanged => "抽取所用的名录与事先公布摘要时的名录不一致".into(),
            PlanError::OutcomeMismatch => "公布的抽取结果与种子和名录算出的结果不一致".into(),
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
