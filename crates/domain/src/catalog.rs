//! The item catalog (实施清单) and the delegation of items to towns (赋权目录): item content,
//! versions in force by date, the differences between versions, and delegation status by date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::{DepartmentCode, OfficeCode, TownCode};
use crate::{DomainError, text};

kinds!(
    /// The national item types, in the order of their national codes.
    ItemType, "事项类型", "item type" {
        Licensing = "licensing", "行政许可", "administrative licensing";
        Penalty = "penalty", "行政处罚", "administrative penalty";
        Coercion = "coercion", "行政强制", "administrative coercion";
        Levy = "levy", "行政征收", "administrative levy";
        Payment = "payment", "行政给付", "administrative payment";
        Inspection = "inspection", "行政检查", "administrative inspection";
        Confirmation = "confirmation", "行政确认", "administrative confirmation";
        Reward = "reward", "行政奖励", "administrative reward";
        Ruling = "ruling", "行政裁决", "administrative ruling";
        OtherPower = "other_power", "其他行政权力", "other administrative power";
        PublicService = "public_service", "公共服务", "public service";
    }
);

impl ItemType {
    /// The national type code (事项类型代码) used in published lists.
    pub fn national_code(self) -> u8 {
        match self {
            Self::Licensing => 1,
            Self::Penalty => 2,
            Self::Coercion => 3,
            Self::Levy => 4,
            Self::Payment => 5,
            Self::Inspection => 6,
            Self::Confirmation => 7,
            Self::Reward => 8,
            Self::Ruling => 9,
            Self::OtherPower => 10,
            Self::PublicService => 20,
        }
    }

    pub fn from_national_code(code: u8) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|t| t.national_code() == code)
    }

    pub fn from_zh(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.zh() == name)
    }

    /// Enforcement powers are items too: penalties, coercive measures and inspections.
    pub fn is_enforcement(self) -> bool {
        matches!(self, Self::Penalty | Self::Coercion | Self::Inspection)
    }
}

kinds!(
    /// How far an application can go online.
    OnlineDepth, "办理深度", "online depth" {
        FullOnline = "full_online", "全程网办", "fully online";
        OnlinePrecheck = "online_precheck", "网上预审", "checked online, decided on site";
        OnSite = "on_site", "到现场", "on site";
    }
);

kinds!(
    /// Whether an item is an approval item or a convenience service.
    ServiceKind, "服务类别", "service kind" {
        Approval = "approval", "审批事项", "approval item";
        Convenience = "convenience", "便民服务", "convenience service";
    }
);

kinds!(
    /// Whether a material is always needed.
    Requirement, "材料必要性", "requirement" {
        Required = "required", "必要", "required";
        Conditional = "conditional", "容缺或视情形提供", "when applicable";
    }
);

kinds!(
    /// The form a material is handed in.
    MaterialForm, "材料形式", "material form" {
        Original = "original", "原件", "original";
        Copy = "copy", "复印件", "copy";
        OriginalAndCopy = "original_and_copy", "原件及复印件", "original and copy";
        Electronic = "electronic", "电子材料", "electronic";
    }
);

/// One material an applicant hands in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    pub name: String,
    pub requirement: String,
    pub form: String,
    pub copies: u8,
    pub note: String,
}

impl Material {
    /// Parses one material as a form or file gives it; `at` names where, e.g. `materials[2]`.
    pub fn parse(
        at: &str,
        name: &str,
        requirement: &str,
        form: &str,
        copies: &str,
        note: &str,
    ) -> Result<Self, DomainError> {
        let field = |f: &str| format!("{at}.{f}");
        let copies = match copies.trim() {
            "" => 1,
            c => c
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=20).contains(n))
                .ok_or_else(|| {
                    DomainError::invalid(
                        field("copies"),
                        format!("份数应为 1 到 20，收到“{c}”"),
                        format!("copies must be 1 to 20, got {c:?}"),
                    )
                })?,
        };
        Ok(Self {
            name: text::bounded(&field("name"), name, 200)?,
            requirement: Requirement::parse(&field("requirement"), requirement.trim())?
                .slug()
                .to_owned(),
            form: MaterialForm::parse(&field("form"), form.trim())?
                .slug()
                .to_owned(),
            copies,
            note: optional_text(&field("note"), note, 500)?,
        })
    }
}

/// Text that may be empty, bounded like any other.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    if value.trim().is_empty() {
        Ok(String::new())
    } else {
        text::bounded(field, value, max)
    }
}

/// What an item says at one version. Every field has been checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemContent {
    pub name: String,
    /// The name of the main item this is a sub-item of (主项名称); empty for a main item.
    pub main_item: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub item_type: ItemType,
    /// The county body competent for the item.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub department: DepartmentCode,
    pub legal_basis_setting: String,
    pub legal_basis_implementing: String,
    /// e.g. 县级.
    pub exercise_level: String,
    /// Working days; `None` where no limit is recorded.
    pub statutory_days: Option<u16>,
    /// Working days promised to applicants; never more than the statutory limit.
    pub promised_days: Option<u16>,
    pub fees: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub online_depth: OnlineDepth,
    pub max_visits: u8,
    pub commitment_allowed: bool,
    pub tongban_allowed: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub service: ServiceKind,
    /// The enforcement category, for enforcement powers.
    pub category: String,
    pub materials: Vec<Material>,
    /// The certificate a grant issues (证照名称, e.g. 食品经营许可证); empty when the decision itself
    /// is the result.
    pub licence: String,
    /// How long the certificate is valid, in years; `None` for one without a term (长期有效).
    pub licence_years: Option<u16>,
}

/// An item as a form, a JSON body or a spreadsheet row gives it: text, parsed by [`RawItem::parse`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RawItem {
    pub name: String,
    pub main_item: String,
    /// A type slug (licensing, …) or its Chinese name (行政许可, …).
    pub item_type: String,
    /// The competent department's code, e.g. 371402SP.
    pub department: String,
    pub legal_basis_setting: String,
    pub legal_basis_implementing: String,
    pub exercise_level: String,
    /// Working days; empty when not recorded.
    pub statutory_days: String,
    pub promised_days: String,
    pub fees: String,
    /// full_online, online_precheck or on_site (or 全程网办, 网上预审, 到现场).
    pub online_depth: String,
    pub max_visits: String,
    /// yes/no (是/否).
    pub commitment_allowed: String,
    pub tongban_allowed: String,
    /// approval or convenience (审批事项 / 便民服务).
    pub service: String,
    pub category: String,
    pub materials: Vec<RawMaterial>,
    /// The certificate a grant issues, e.g. 食品经营许可证; empty for none.
    pub licence: String,
    /// Its term in whole years (1–99); empty for none or for one without a term.
    pub licence_years: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RawMaterial {
    pub name: String,
    /// required or conditional.
    pub requirement: String,
    /// original, copy, original_and_copy or electronic.
    pub form: String,
    pub copies: String,
    pub note: String,
}

/// A kind given by its slug or by its Chinese name.
fn slug_or_zh<K: crate::Kind>(
    field: &str,
    value: &str,
    zh: impl Fn(K) -> &'static str,
) -> Result<K, DomainError> {
    let value = value.trim();
    K::all()
        .iter()
        .copied()
        .find(|k| k.slug() == value || zh(*k) == value)
        .ok_or_else(|| {
            let choices: Vec<&str> = K::all().iter().map(|k| k.slug()).collect();
            DomainError::invalid(
                field,
                format!("无法识别“{value}”，可选：{}", choices.join("、")),
                format!("unrecognised {value:?}; one of: {}", choices.join(", ")),
            )
        })
}

impl RawItem {
    pub fn parse(&self) -> Result<ItemContent, DomainError> {
        let max_visits = match self.max_visits.trim() {
            "" => 1,
            v => v.parse::<u8>().ok().filter(|n| *n <= 10).ok_or_else(|| {
                DomainError::invalid(
                    "max_visits",
                    format!("到现场次数应为 0 到 10，收到“{v}”"),
                    format!("on-site visits must be 0 to 10, got {v:?}"),
                )
            })?,
        };
        let online_depth: OnlineDepth =
            slug_or_zh("online_depth", &self.online_depth, OnlineDepth::zh)?;
        if online_depth == OnlineDepth::FullOnline && max_visits > 0 {
            return Err(DomainError::invalid(
                "max_visits",
                "全程网办事项到现场次数应为 0",
                "a fully online item needs 0 on-site visits",
            ));
        }
        let materials = self
            .materials
            .iter()
            .enumerate()
            .map(|(i, m)| {
                Material::parse(
                    &format!("materials[{i}]"),
                    &m.name,
                    &m.requirement,
                    &m.form,
                    &m.copies,
                    &m.note,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        ItemContent {
            name: text::bounded("name", &self.name, 200)?,
            main_item: optional_text("main_item", &self.main_item, 200)?,
            item_type: slug_or_zh("item_type", &self.item_type, ItemType::zh)?,
            department: DepartmentCode::parse("department", &self.department)?,
            legal_basis_setting: optional_text(
                "legal_basis_setting",
                &self.legal_basis_setting,
                4000,
            )?,
            legal_basis_implementing: optional_text(
                "legal_basis_implementing",
                &self.legal_basis_implementing,
                4000,
            )?,
            exercise_level: optional_text("exercise_level", &self.exercise_level, 40)?,
            statutory_days: parse_days("statutory_days", &self.statutory_days)?,
            promised_days: parse_days("promised_days", &self.promised_days)?,
            fees: optional_text("fees", &self.fees, 1000)?,
            online_depth,
            max_visits,
            commitment_allowed: parse_flag("commitment_allowed", &self.commitment_allowed)?,
            tongban_allowed: parse_flag("tongban_allowed", &self.tongban_allowed)?,
            service: slug_or_zh("service", &self.service, ServiceKind::zh)?,
            category: optional_text("category", &self.category, 100)?,
            materials,
            licence: optional_text("licence", &self.licence, 100)?,
            licence_years: parse_years("licence_years", &self.licence_years)?,
        }
        .check()
    }
}

/// The limit 行政许可法 sets where no other law sets one: twenty working days from acceptance
/// (Articles 42 and 82).
pub const LICENSING_DEFAULT_DAYS: u16 = 20;

impl ItemContent {
    /// Checks the rules that tie fields together.
    pub fn check(self) -> Result<Self, DomainError> {
        if let (Some(s), Some(p)) = (self.statutory_days, self.promised_days)
            && p > s
        {
            return Err(DomainError::invalid(
                "promised_days",
                format!("承诺时限 {p} 个工作日超过法定时限 {s} 个工作日"),
                format!(
                    "the promised limit of {p} working days exceeds the statutory limit of {s}"
                ),
            ));
        }
        if self.promised_days.is_some()
            && self.statutory_days.is_none()
            && self.item_type == ItemType::Licensing
        {
            return Err(DomainError::invalid(
                "statutory_days",
                "行政许可须有法定时限",
                "a licensing item needs a statutory limit",
            ));
        }
        if self.licence_years.is_some() && self.licence.is_empty() {
            return Err(DomainError::invalid(
                "licence",
                "填写了证照有效期，须同时填写证照名称",
                "a licence term needs the licence's name",
            ));
        }
        Ok(self)
    }

    /// The legal basis as a decision cites it: the setting and implementing provisions that are
    /// recorded, in that order.
    pub fn legal_basis(&self) -> Vec<String> {
        [&self.legal_basis_setting, &self.legal_basis_implementing]
            .into_iter()
            .map(|b| b.trim())
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// A licence term in whole years; empty means none.
pub fn parse_years(field: &str, value: &str) -> Result<Option<u16>, DomainError> {
    match value.trim() {
        "" => Ok(None),
        v => v
            .parse::<u16>()
            .ok()
            .filter(|y| (1..=99).contains(y))
            .map(Some)
            .ok_or_else(|| {
                DomainError::invalid(
                    field,
                    format!("应为 1 到 99 年，收到“{v}”"),
                    format!("expected 1 to 99 years, got {v:?}"),
                )
            }),
    }
}

/// Parses a time limit in working days; empty means not recorded.
pub fn parse_days(field: &str, value: &str) -> Result<Option<u16>, DomainError> {
    match value.trim() {
        "" => Ok(None),
        v => v
            .parse::<u16>()
            .ok()
            .filter(|d| (1..=999).contains(d))
            .map(Some)
            .ok_or_else(|| {
                DomainError::invalid(
                    field,
                    format!("应为 1 到 999 个工作日，收到“{v}”"),
                    format!("expected 1 to 999 working days, got {v:?}"),
                )
            }),
    }
}

/// A yes/no field as people write it.
pub fn parse_flag(field: &str, value: &str) -> Result<bool, DomainError> {
    match value.trim() {
        "1" | "true" | "yes" | "on" | "是" | "Y" | "y" => Ok(true),
        "" | "0" | "false" | "no" | "off" | "否" | "N" | "n" => Ok(false),
        v => Err(DomainError::invalid(
            field,
            format!("应为“是”或“否”，收到“{v}”"),
            format!("expected yes or no, got {v:?}"),
        )),
    }
}

pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate, DomainError> {
    let text = value.trim();
    // chrono alone would take `2026-2-3` and `+2026-11-25`, which no form or file means.
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            DomainError::invalid(
                field,
                format!("日期应为 YYYY-MM-DD，收到“{value}”"),
                format!("expected a date as YYYY-MM-DD, got {value:?}"),
            )
        })
}

/// One change between two versions of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

fn show<T: std::fmt::Debug>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(String::new, |v| format!("{v:?}"))
}

/// The fields that differ between two versions, in a fixed order.
pub fn diff(a: &ItemContent, b: &ItemContent) -> Vec<Change> {
    let materials = |c: &ItemContent| {
        c.materials
            .iter()
            .map(|m| {
                format!(
                    "{}（{}，{}，{} 份）{}",
                    m.name, m.requirement, m.form, m.copies, m.note
                )
            })
            .collect::<Vec<_>>()
            .join("；")
    };
    let fields: [(&'static str, String, String); 20] = [
        ("name", a.name.clone(), b.name.clone()),
        ("main_item", a.main_item.clone(), b.main_item.clone()),
        (
            "item_type",
            a.item_type.slug().into(),
            b.item_type.slug().into(),
        ),
        (
            "department",
            a.department.to_string(),
            b.department.to_string(),
        ),
        (
            "legal_basis_setting",
            a.legal_basis_setting.clone(),
            b.legal_basis_setting.clone(),
        ),
        (
            "legal_basis_implementing",
            a.legal_basis_implementing.clone(),
            b.legal_basis_implementing.clone(),
        ),
        (
            "exercise_level",
            a.exercise_level.clone(),
            b.exercise_level.clone(),
        ),
        (
            "statutory_days",
            show(&a.statutory_days),
            show(&b.statutory_days),
        ),
        (
            "promised_days",
            show(&a.promised_days),
            show(&b.promised_days),
        ),
        ("fees", a.fees.clone(), b.fees.clone()),
        (
            "online_depth",
            a.online_depth.slug().into(),
            b.online_depth.slug().into(),
        ),
        (
            "max_visits",
            a.max_visits.to_string(),
            b.max_visits.to_string(),
        ),
        (
            "commitment_allowed",
            a.commitment_allowed.to_string(),
            b.commitment_allowed.to_string(),
        ),
        (
            "tongban_allowed",
            a.tongban_allowed.to_string(),
            b.tongban_allowed.to_string(),
        ),
        ("service", a.service.slug().into(), b.service.slug().into()),
        ("category", a.category.clone(), b.category.clone()),
        ("materials", materials(a), materials(b)),
        ("licence", a.licence.clone(), b.licence.clone()),
        (
            "licence_years",
            show(&a.licence_years),
            show(&b.licence_years),
        ),
        (
            "material_count",
            a.materials.len().to_string(),
            b.materials.len().to_string(),
        ),
    ];
    fields
        .into_iter()
        .filter(|(_, x, y)| x != y)
        .map(|(field, before, after)| Change {
            field,
            before,
            after,
        })
        .collect()
}

/// When a published version is in force: from its first day, until the day before `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Validity {
    pub from: NaiveDate,
    /// Exclusive; `None` until a later version or an explicit end.
    pub to: Option<NaiveDate>,
}

impl Validity {
    pub fn parse(from: &str, to: &str) -> Result<Self, DomainError> {
        let from = parse_date("valid_from", from)?;
        let to = match to.trim() {
            "" => None,
            t => Some(parse_date("valid_to", t)?),
        };
        if to.is_some_and(|t| t <= from) {
            return Err(DomainError::invalid(
                "valid_to",
                "结束日期须晚于开始日期",
                "the end must come after the start",
            ));
        }
        Ok(Self { from, to })
    }
}

/// Published versions follow each other in time: a new one must start after every published
/// one has started, and not before an explicit end of the latest. A version stays in force
/// until its end or the next version's start, whichever comes first, so periods never overlap.
pub fn check_publishable(published: &[Validity], new: Validity) -> Result<(), DomainError> {
    for p in published {
        let clash = if new.from <= p.from {
            Some(p.from)
        } else {
            p.to.filter(|&to| new.from < to)
        };
        if let Some(d) = clash {
            return Err(DomainError::invalid(
                "valid_from",
                format!("与已发布版本的有效期重叠：新版本须从 {d} 之后开始"),
                format!("overlaps a published version: the new version must start after {d}"),
            ));
        }
    }
    Ok(())
}

/// Of the published versions (by start), the one in force on `date`, as an index.
pub fn in_force(published: &[Validity], date: NaiveDate) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, v) in published.iter().enumerate() {
        if v.from <= date && best.is_none_or(|b| published[b].from < v.from) {
            best = Some(i);
        }
    }
    best.filter(|&i| published[i].to.is_none_or(|to| date < to))
}

kinds!(
    /// How a power is handed down.
    DelegationKind, "赋权方式", "delegation kind" {
        Devolve = "devolve", "下放", "devolved";
        Entrust = "entrust", "委托", "entrusted";
        Empower = "empower", "赋权", "empowered";
    }
);

kinds!(
    /// What becomes of a case received while an office held a power, when the power is suspended
    /// or revoked before the case is decided. Competence is judged on the day of receipt, so by
    /// default the office decides it (legal certainty for the applicant); a batch may instead
    /// hand such cases to the county body, with a record of the hand-over the applicant sees.
    OpenCases, "授权终止时在办件", "open cases when the power ends" {
        Stay = "stay", "由原承办机构继续办结", "stay with the office until decided";
        Transfer = "transfer", "移交县级承办机构办理", "transferred to the county body";
    }
);

kinds!(
    /// What happened to a delegation after it was made; each is a record of its own.
    DelegationEventKind, "赋权变更", "delegation change" {
        Suspend = "suspend", "暂停", "suspended";
        Resume = "resume", "恢复", "resumed";
        Revoke = "revoke", "撤销", "revoked";
    }
);

kinds!(
    DelegationStatus, "赋权状态", "delegation status" {
        Pending = "pending", "未生效", "not yet in force";
        Active = "active", "有效", "active";
        Suspended = "suspended", "暂停", "suspended";
        Revoked = "revoked", "已撤销", "revoked";
        Expired = "expired", "已到期", "expired";
    }
);

/// Whom an item is handed to: a town office (branch or convenience centre) for approval items,
/// or a town itself (its government and enforcement team) for enforcement powers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Recipient {
    Office(OfficeCode),
    Town(TownCode),
}

impl Recipient {
    pub fn parse(field: &str, value: &str) -> Result<Self, DomainError> {
        if let Ok(t) = TownCode::parse(field, value) {
            return Ok(Self::Town(t));
        }
        let office = OfficeCode::parse(field, value)?;
        if office.kind() == crate::org::OfficeKind::CountyHall {
            return Err(DomainError::invalid(
                field,
                "不能赋权给县级大厅本身",
                "a county hall is not a town office",
            ));
        }
        Ok(Self::Office(office))
    }

    pub fn code(&self) -> String {
        match self {
            Self::Office(o) => o.to_string(),
            Self::Town(t) => t.to_string(),
        }
    }

    pub fn county(&self) -> crate::codes::CountyCode {
        match self {
            Self::Office(o) => o.county(),
            Self::Town(t) => t.county(),
        }
    }
}

/// A change to a delegation, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationEvent {
    pub kind: DelegationEventKind,
    pub effective: NaiveDate,
}

/// A delegation's status on `date`, from its period and the changes recorded after it was made.
pub fn delegation_status(
    from: NaiveDate,
    to: Option<NaiveDate>,
    events: &[DelegationEvent],
    date: NaiveDate,
) -> DelegationStatus {
    let mut past: Vec<&DelegationEvent> = events.iter().filter(|e| e.effective <= date).collect();
    past.sort_by_key(|e| e.effective);
    if past.iter().any(|e| e.kind == DelegationEventKind::Revoke) {
        return DelegationStatus::Revoked;
    }
    if date < from {
        return DelegationStatus::Pending;
    }
    if to.is_some_and(|t| date >= t) {
        return DelegationStatus::Expired;
    }
    match past
        .iter()
        .rev()
        .find(|e| e.kind != DelegationEventKind::Revoke)
        .map(|e| e.kind)
    {
        Some(DelegationEventKind::Suspend) => DelegationStatus::Suspended,
        _ => DelegationStatus::Active,
    }
}

/// Whether a change may be recorded on a delegation in its current state: nothing after a
/// revocation, no suspension of a suspended one, no resumption of an active one, and nothing
/// effective before the delegation itself began (a change cannot reach back past its start).
pub fn check_event(
    current: DelegationStatus,
    kind: DelegationEventKind,
    reason: &str,
    valid_from: NaiveDate,
    effective: NaiveDate,
) -> Result<String, DomainError> {
    let reason = text::bounded("reason", reason, 500)?;
    if effective < valid_from {
        return Err(DomainError::invalid(
            "effective",
            format!("生效日期 {effective} 早于该赋权的起始日期 {valid_from}"),
            format!("effective {effective} is before the delegation began on {valid_from}"),
        ));
    }
    let allowed = match kind {
        DelegationEventKind::Suspend => matches!(
            current,
            DelegationStatus::Active | DelegationStatus::Pending
        ),
        DelegationEventKind::Resume => current == DelegationStatus::Suspended,
        DelegationEventKind::Revoke => current != DelegationStatus::Revoked,
    };
    if !allowed {
        return Err(DomainError::invalid(
            "kind",
            format!("状态为“{}”的赋权不能{}", current.zh(), kind.zh()),
            format!(
                "a delegation that is {} cannot be {}",
                current.en(),
                kind.en()
            ),
        ));
    }
    Ok(reason)
}

/// Who is competent for an item in a town.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Competent {
    Office(OfficeCode),
    /// The town itself, for an enforcement power empowered to it.
    Town(TownCode),
    /// The county department, for an enforcement power not handed down.
    Department(DepartmentCode),
}

/// The competent body for an item in a town, given the recipients the item is actively handed
/// to: for approval items the town's convenience centre, else its branch, else the county hall;
/// for enforcement powers the town if empowered, else the county department.
pub fn competent(
    item_type: ItemType,
    department: &DepartmentCode,
    town: &TownCode,
    branch: Option<&OfficeCode>,
    active: &[Recipient],
) -> Competent {
    let handed = |r: Recipient| active.contains(&r);
    if item_type.is_enforcement() {
        return if handed(Recipient::Town(town.clone())) {
            Competent::Town(town.clone())
        } else {
            Competent::Department(department.clone())
        };
    }
    let centre = OfficeCode::centre(town);
    if handed(Recipient::Office(centre.clone())) {
        return Competent::Office(centre);
    }
    match branch {
        Some(b) if handed(Recipient::Office(b.clone())) => Competent::Office(b.clone()),
        _ => Competent::Office(OfficeCode::county_hall(&town.county())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn v(from: &str, to: Option<&str>) -> Validity {
        Validity {
            from: d(from),
            to: to.map(d),
        }
    }

    #[test]
    fn versions_follow_each_other_without_overlap() {
        let published = [v("2024-01-01", None)];
        assert!(check_publishable(&published, v("2025-01-01", None)).is_ok());
        assert!(
            check_publishable(&published, v("2024-01-01", None)).is_err(),
            "same start"
        );
        assert!(
            check_publishable(&published, v("2023-06-01", Some("2023-12-31"))).is_err(),
            "back-dated before the latest"
        );
        let ended = [v("2024-01-01", Some("2024-07-01"))];
        assert!(
            check_publishable(&ended, v("2024-03-01", None)).is_err(),
            "inside an explicit period"
        );
        assert!(check_publishable(&ended, v("2024-07-01", None)).is_ok());
    }

    #[test]
    fn the_version_in_force_is_the_latest_started_unless_ended() {
        let published = [v("2024-01-01", None), v("2025-01-01", Some("2025-06-01"))];
        assert_eq!(in_force(&published, d("2023-12-31")), None);
        assert_eq!(in_force(&published, d("2024-12-31")), Some(0));
        assert_eq!(in_force(&published, d("2025-01-01")), Some(1));
        assert_eq!(
            in_force(&published, d("2025-06-01")),
            None,
            "the latest ended; the earlier does not come back"
        );
    }

    #[test]
    fn delegation_status_follows_its_recorded_changes() {
        let from = d("2024-01-01");
        let e = |kind, on: &str| DelegationEvent {
            kind,
            effective: d(on),
        };
        let events = [
            e(DelegationEventKind::Suspend, "2024-03-01"),
            e(DelegationEventKind::Resume, "2024-04-01"),
            e(DelegationEventKind::Revoke, "2024-09-01"),
        ];
        assert_eq!(
            delegation_status(from, None, &events, d("2023-12-01")),
            DelegationStatus::Pending
        );
        assert_eq!(
            delegation_status(from, None, &events, d("2024-02-01")),
            DelegationStatus::Active
        );
        assert_eq!(
            delegation_status(from, None, &events, d("2024-03-15")),
            DelegationStatus::Suspended
        );
        assert_eq!(
            delegation_status(from, None, &events, d("2024-05-01")),
            DelegationStatus::Active
        );
        assert_eq!(
            delegation_status(from, None, &events, d("2024-09-01")),
            DelegationStatus::Revoked
        );
        assert_eq!(
            delegation_status(from, Some(d("2024-06-01")), &[], d("2024-06-01")),
            DelegationStatus::Expired
        );
        assert!(
            check_event(
                DelegationStatus::Revoked,
                DelegationEventKind::Resume,
                "x",
                d("2024-01-01"),
                d("2024-06-01")
            )
            .is_err()
        );
        assert!(
            check_event(
                DelegationStatus::Active,
                DelegationEventKind::Resume,
                "x",
                d("2024-01-01"),
                d("2024-06-01")
            )
            .is_err()
        );
        assert!(
            check_event(
                DelegationStatus::Active,
                DelegationEventKind::Suspend,
                " ",
                d("2024-01-01"),
                d("2024-06-01")
            )
            .is_err(),
            "a reason is required"
        );
        assert!(
            check_event(
                DelegationStatus::Suspended,
                DelegationEventKind::Revoke,
                "并入其他事项",
                d("2024-01-01"),
                d("2024-01-01"),
            )
            .is_ok()
        );
        // A revocation cannot reach back before the delegation began.
        assert_eq!(
            check_event(
                DelegationStatus::Pending,
                DelegationEventKind::Revoke,
                "撤销",
                d("2024-01-01"),
                d("2023-12-31"),
            )
            .unwrap_err()
            .field(),
            Some("effective")
        );
    }

    #[test]
    fn promised_never_exceeds_statutory() {
        let c = ItemContent {
            name: "x".into(),
            main_item: String::new(),
            item_type: ItemType::Licensing,
            department: DepartmentCode::parse("d", "371402SP").unwrap(),
            legal_basis_setting: String::new(),
            legal_basis_implementing: String::new(),
            exercise_level: "县级".into(),
            statutory_days: Some(20),
            promised_days: Some(25),
            fees: String::new(),
            online_depth: OnlineDepth::OnSite,
            max_visits: 1,
            commitment_allowed: false,
            tongban_allowed: false,
            service: ServiceKind::Approval,
            category: String::new(),
            materials: vec![],
            licence: String::new(),
            licence_years: None,
        };
        assert_eq!(
            c.clone().check().unwrap_err().field(),
            Some("promised_days")
        );
        let ok = ItemContent {
            promised_days: Some(5),
            ..c.clone()
        };
        assert!(ok.clone().check().is_ok());
        let changed = ItemContent {
            name: "y".into(),
            promised_days: Some(3),
            ..ok.clone()
        };
        let fields: Vec<&str> = diff(&ok, &changed).iter().map(|c| c.field).collect();
        assert_eq!(fields, ["name", "promised_days"]);
        assert!(diff(&ok, &ok).is_empty());
    }

    #[test]
    fn competence_goes_to_the_nearest_office_holding_the_power() {
        let town = TownCode::parse("t", "371481104").unwrap();
        let branch = OfficeCode::parse("o", "371481B02").unwrap();
        let dept = DepartmentCode::parse("d", "371481SP").unwrap();
        let hall = Competent::Office(OfficeCode::parse("o", "371481H").unwrap());
        let at_branch = [Recipient::Office(branch.clone())];
        assert_eq!(
            competent(ItemType::Licensing, &dept, &town, Some(&branch), &[]),
            hall
        );
        assert_eq!(
            competent(ItemType::Licensing, &dept, &town, Some(&branch), &at_branch),
            Competent::Office(branch.clone())
        );
        assert_eq!(
            competent(ItemType::Licensing, &dept, &town, None, &at_branch),
            hall,
            "a branch serving other towns does not count"
        );
        let at_centre = [
            Recipient::Office(OfficeCode::centre(&town)),
            Recipient::Office(branch.clone()),
        ];
        assert_eq!(
            competent(
                ItemType::PublicService,
                &dept,
                &town,
                Some(&branch),
                &at_centre
            ),
            Competent::Office(OfficeCode::centre(&town))
        );
        let zf = DepartmentCode::parse("d", "371481ZF").unwrap();
        assert_eq!(
            competent(ItemType::Penalty, &zf, &town, Some(&branch), &at_branch),
            Competent::Department(zf.clone())
        );
        assert_eq!(
            competent(
                ItemType::Penalty,
                &zf,
                &town,
                None,
                &[Recipient::Town(town.clone())]
            ),
            Competent::Town(town.clone())
        );
    }

    #[test]
    fn national_codes_round_trip_and_days_are_bounded() {
        for t in ItemType::ALL {
            assert_eq!(ItemType::from_national_code(t.national_code()), Some(*t));
            assert_eq!(ItemType::from_zh(t.zh()), Some(*t));
        }
        assert_eq!(parse_days("d", "").unwrap(), None);
        assert_eq!(parse_days("d", "20").unwrap(), Some(20));
        assert!(parse_days("d", "二十").is_err() && parse_days("d", "0").is_err());
        assert!(Material::parse("materials[0]", "营业执照", "required", "copy", "2", "").is_ok());
        assert_eq!(
            Material::parse("materials[0]", "x", "sometimes", "copy", "", "")
                .unwrap_err()
                .field(),
            Some("materials[0].requirement")
        );
        assert!(Recipient::parse("to", "371402H").is_err());
        assert!(matches!(
            Recipient::parse("to", "371402101").unwrap(),
            Recipient::Town(_)
        ));
    }
}
