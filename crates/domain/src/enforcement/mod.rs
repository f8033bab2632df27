//! Enforcement moved down to towns (执法下沉): officers and their credentials, inspection objects,
//! the checks every inspection and penalty act must pass, and the rules of leads, hazards and
//! penalty cases (submodules).

pub mod hazard;
pub mod lead;
pub mod penalty;

use chrono::NaiveDate;

use crate::DomainError;
use crate::org::DepartmentKind;

kinds!(
    /// The law-enforcement fields of the reform, one per enforcement department. A credential
    /// names the fields its holder may act in; a lead, an inspection item and a power belong to one.
    EnforcementDomain, "执法领域", "enforcement domain" {
        Urban = "urban", "城乡建设", "urban and rural construction";
        Market = "market", "市场监管", "market regulation";
        Ecology = "ecology", "生态环境", "ecology and environment";
        Safety = "safety", "安全生产", "work safety";
        Transport = "transport", "交通运输", "transport";
        Land = "land", "自然资源", "natural resources";
        Traffic = "traffic", "道路交通", "road traffic";
    }
);

impl EnforcementDomain {
    /// The county department competent for the field when the power is not with the town.
    pub fn department(self) -> DepartmentKind {
        match self {
            Self::Urban => DepartmentKind::Enforcement,
            Self::Market => DepartmentKind::MarketRegulation,
            Self::Ecology => DepartmentKind::Ecology,
            Self::Safety => DepartmentKind::Emergency,
            Self::Transport => DepartmentKind::Transport,
            Self::Land => DepartmentKind::NaturalResources,
            Self::Traffic => DepartmentKind::TrafficPolice,
        }
    }

    pub fn of_department(kind: DepartmentKind) -> Option<Self> {
        Self::ALL.iter().copied().find(|d| d.department() == kind)
    }

    /// The field an item's catalog category names (the categories of the enforcement catalog are
    /// these fields' Chinese names).
    pub fn from_category(category: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|d| d.zh() == category)
    }

    /// Reads a comma-separated list of slugs, each once.
    pub fn parse_list(field: &str, value: &str) -> Result<Vec<Self>, DomainError> {
        let mut out = Vec::new();
        for part in value
            .split([',', '，'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let d = Self::parse(field, part)?;
            if !out.contains(&d) {
                out.push(d);
            }
        }
        if out.is_empty() {
            return Err(DomainError::Required {
                field: field.to_owned(),
            });
        }
        out.sort();
        Ok(out)
    }

    pub fn join(list: &[Self]) -> String {
        list.iter().map(|d| d.slug()).collect::<Vec<_>>().join(",")
    }
}

kinds!(
    /// How a county officer works for towns.
    DispatchForm, "下沉方式", "dispatch form" {
        Stationed = "stationed", "定点派驻", "stationed in one town";
        CrossTown = "cross_town", "跨乡镇派驻", "across several towns";
        Responsible = "responsible", "明确执法责任人", "named responsible officer";
    }
);

impl DispatchForm {
    /// A stationed officer serves one town; the other forms one or more.
    pub fn check_towns(self, towns: usize) -> Result<(), DomainError> {
        match (self, towns) {
            (_, 0) => Err(DomainError::Required {
                field: "towns".into(),
            }),
            (Self::Stationed, n) if n > 1 => Err(DomainError::invalid(
                "towns",
                "定点派驻只能派驻一个乡镇",
                "a stationed officer is dispatched to one town",
            )),
            (Self::CrossTown, 1) => Err(DomainError::invalid(
                "towns",
                "跨乡镇派驻应至少两个乡镇",
                "a cross-town dispatch covers at least two towns",
            )),
            _ => Ok(()),
        }
    }
}

kinds!(
    /// Risk grade of an inspection object: A is the lowest risk, D the highest.
    RiskGrade, "风险等级", "risk grade" {
        A = "A", "A级（低风险）", "A (low risk)";
        B = "B", "B级（一般风险）", "B (moderate risk)";
        C = "C", "C级（较高风险）", "C (elevated risk)";
        D = "D", "D级（高风险）", "D (high risk)";
    }
);

kinds!(
    /// What is inspected.
    ObjectKind, "检查对象类型", "object kind" {
        Enterprise = "enterprise", "企业", "enterprise";
        Site = "site", "场所", "other site";
    }
);

kinds!(
    /// Why an inspection takes place: a routine plan or a draw count against the visit cap; a
    /// lead or a complaint does not.
    Trigger, "检查缘由", "inspection trigger" {
        Routine = "routine", "计划检查", "planned";
        Draw = "draw", "双随机抽查", "random draw";
        Lead = "lead", "线索核查", "lead";
        Complaint = "complaint", "投诉举报", "complaint";
    }
);

impl Trigger {
    pub fn is_triggered(self) -> bool {
        matches!(self, Self::Lead | Self::Complaint)
    }
}

/// An officer's enforcement credential (执法证).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub number: String,
    pub domains: Vec<EnforcementDomain>,
    pub issuer: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

impl Credential {
    /// Checks a credential as issued: a number of 6–20 letters and digits, at least one field,
    /// an issuer, and a period that ends after it starts.
    pub fn parse(
        number: &str,
        domains: &str,
        issuer: &str,
        valid_from: NaiveDate,
        valid_to: NaiveDate,
    ) -> Result<Self, DomainError> {
        let number = number.trim();
        if !(6..=20).contains(&number.chars().count())
            || !number.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(DomainError::invalid(
                "credential_number",
                "执法证号应为 6 至 20 位字母或数字",
                "a credential number is 6 to 20 letters or digits",
            ));
        }
        let issuer = issuer.trim();
        if issuer.is_empty() {
            return Err(DomainError::Required {
                field: "issuer".into(),
            });
        }
        if valid_to <= valid_from {
            return Err(DomainError::invalid(
                "valid_to",
                "执法证有效期止日应晚于起日",
                "a credential's validity must end after it starts",
            ));
        }
        Ok(Self {
            number: number.to_owned(),
            domains: EnforcementDomain::parse_list("domains", domains)?,
            issuer: issuer.to_owned(),
            valid_from,
            valid_to,
        })
    }

    pub fn covers(&self, domain: EnforcementDomain, on: NaiveDate) -> bool {
        self.domains.contains(&domain) && self.valid_from <= on && on <= self.valid_to
    }
}

/// An officer as an act needs to check them: the credential held (if any) and, for the object
/// acted on, a recusal (declared conflict or repeated inspection) if there is one.
#[derive(Debug, Clone)]
pub struct OfficerOnDuty {
    pub id: i64,
    pub name: String,
    pub credential: Option<Credential>,
    pub recusal: Option<String>,
}

/// At least this many credentialed officers must take part in an inspection or penalty act.
pub const MIN_OFFICERS: usize = 2;

/// The law's checks on the officers of an inspection or a penalty act: at least two distinct
/// officers, each with a credential valid for the field on the day, none recused.
pub fn check_officers(
    officers: &[OfficerOnDuty],
    domain: EnforcementDomain,
    on: NaiveDate,
) -> Result<(), DomainError> {
    let mut ids: Vec<i64> = officers.iter().map(|o| o.id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() < MIN_OFFICERS {
        return Err(DomainError::rule(
            "too_few_officers",
            format!("执法人员不得少于 {MIN_OFFICERS} 人"),
            format!("at least {MIN_OFFICERS} officers must take part"),
        ));
    }
    for o in officers {
        match &o.credential {
            Some(c) if c.covers(domain, on) => {}
            Some(c) => {
                return Err(DomainError::rule(
                    "credential_invalid",
                    format!(
                        "{} 的执法证 {} 在 {on} 无效或不含“{}”领域（有效期 {} 至 {}）",
                        o.name,
                        c.number,
                        domain.zh(),
                        c.valid_from,
                        c.valid_to
                    ),
                    format!(
                        "{}'s credential {} is not valid for {} on {on} (valid {} to {})",
                        o.name,
                        c.number,
                        domain.en(),
                        c.valid_from,
                        c.valid_to
                    ),
                ));
            }
            None => {
                return Err(DomainError::rule(
                    "credential_invalid",
                    format!("{} 未持有执法证，不得从事执法活动", o.name),
                    format!("{} holds no enforcement credential", o.name),
                ));
            }
        }
        if let Some(reason) = &o.recusal {
            return Err(DomainError::rule(
                "recused",
                format!("{} 应当回避：{reason}", o.name),
                format!("{} must recuse: {reason}", o.name),
            ));
        }
    }
    Ok(())
}

/// Who did each department's part of a visit, as (field, officer ids), lead first. Each officer
/// does their own department's part unless the visit states otherwise (`stated`, e.g. a market
/// officer who also holds a safety credential doing the safety part); every field of the visit
/// gets a part and nobody does two. `present` gives each officer's own department's field.
pub fn joint_parts(
    fields: &[EnforcementDomain],
    present: &[(i64, EnforcementDomain)],
    stated: &[(EnforcementDomain, Vec<i64>)],
) -> Result<Vec<(EnforcementDomain, Vec<i64>)>, DomainError> {
    let part_of = |id: i64, home: EnforcementDomain| {
        let mut named = stated.iter().filter(|(_, ids)| ids.contains(&id));
        match (named.next(), named.next()) {
            (Some(_), Some(_)) => Err(DomainError::invalid(
                "parts",
                format!("执法人员 {id} 被列入了两个部门的检查部分，每人只能承担一个"),
                format!("officer {id} is named for two departments' parts; each does one"),
            )),
            (Some((field, _)), None) => Ok(*field),
            (None, _) => Ok(home),
        }
    };
    for (field, ids) in stated {
        if !fields.contains(field) {
            return Err(DomainError::invalid(
                "parts",
                format!("“{}”不是本次检查的部门领域", field.zh()),
                format!("{} is not a field of this visit", field.en()),
            ));
        }
        if let Some(id) = ids.iter().find(|id| !present.iter().any(|(o, _)| o == *id)) {
            return Err(DomainError::invalid(
                "parts",
                format!("执法人员 {id} 未列入本次检查人员"),
                format!("officer {id} is not among the visit's officers"),
            ));
        }
    }
    let mut parts: Vec<(EnforcementDomain, Vec<i64>)> =
        fields.iter().map(|f| (*f, Vec::new())).collect();
    for (id, home) in present {
        let field = part_of(*id, *home)?;
        match parts.iter_mut().find(|(f, _)| *f == field) {
            Some((_, ids)) if !ids.contains(id) => ids.push(*id),
            Some(_) => {}
            None => {
                return Err(DomainError::invalid(
                    "officers",
                    format!("执法人员 {id} 所在部门不参加本次检查"),
                    format!("officer {id}'s department is not part of this visit"),
                ));
            }
        }
    }
    Ok(parts)
}

/// [`check_officers`] for one department's part of a joint visit, the field named in the message.
pub fn check_part(
    officers: &[OfficerOnDuty],
    domain: EnforcementDomain,
    on: NaiveDate,
) -> Result<(), DomainError> {
    check_officers(officers, domain, on).map_err(|e| match e {
        DomainError::Rule { code, reason } => DomainError::rule(
            code,
            format!("“{}”部分：{}", domain.zh(), reason.zh),
            format!("{} part: {}", domain.en(), reason.en),
        ),
        other => other,
    })
}

/// Officers who took part in each of an object's last three inspections, all without findings:
/// they are recused from the next one so that the same faces do not keep finding nothing.
/// `last` is newest first: (officers present, whether anything was found).
pub fn repeat_recusals(last: &[(Vec<i64>, bool)]) -> Vec<i64> {
    let [first, second, third, ..] = last else {
        return Vec::new();
    };
    if [first, second, third].iter().any(|(_, found)| *found) {
        return Vec::new();
    }
    let mut out: Vec<i64> = first
        .0
        .iter()
        .copied()
        .filter(|o| second.0.contains(o) && third.0.contains(o))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Inspections of one object in one period, against the cap: a routine visit over the cap needs
/// an override with a reason; a visit triggered by a lead or complaint does not count.
pub fn check_visit_cap(
    routine_visits_in_period: u32,
    cap: u32,
    triggered: bool,
    override_reason: Option<&str>,
) -> Result<Option<String>, DomainError> {
    if triggered || routine_visits_in_period < cap {
        return Ok(None);
    }
    match override_reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Ok(Some(r.to_owned())),
        None => Err(DomainError::rule(
            "visit_cap",
            format!(
                "该对象本期已检查 {routine_visits_in_period} 次，达到上限 {cap} 次；如确需检查请说明理由"
            ),
            format!(
                "the object was inspected {routine_visits_in_period} times this period, the cap is {cap}; give a reason to override"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn officer(id: i64, to: &str, recusal: Option<&str>) -> OfficerOnDuty {
        OfficerOnDuty {
            id,
            name: format!("执法员{id}"),
            credential: Some(
                Credential::parse(
                    "SD1234567",
                    "market,safety",
                    "德州市司法局",
                    d("2024-01-01"),
                    d(to),
                )
                .unwrap(),
            ),
            recusal: recusal.map(str::to_owned),
        }
    }

    #[test]
    fn two_valid_unrecused_officers_pass_and_each_flaw_is_named() {
        let on = d("2026-06-01");
        let m = EnforcementDomain::Market;
        assert!(
            check_officers(
                &[
                    officer(1, "2027-01-01", None),
                    officer(2, "2027-01-01", None)
                ],
                m,
                on
            )
            .is_ok()
        );
        let one = check_officers(&[officer(1, "2027-01-01", None)], m, on).unwrap_err();
        assert_eq!(one.code(), "too_few_officers");
        let same = check_officers(
            &[
                officer(1, "2027-01-01", None),
                officer(1, "2027-01-01", None),
            ],
            m,
            on,
        );
        assert_eq!(same.unwrap_err().code(), "too_few_officers");
        let expired = check_officers(
            &[
                officer(1, "2026-05-31", None),
                officer(2, "2027-01-01", None),
            ],
            m,
            on,
        )
        .unwrap_err();
        assert_eq!(expired.code(), "credential_invalid");
        assert!(expired.message().en.contains("2026-05-31"));
        let wrong_field = check_officers(
            &[
                officer(1, "2027-01-01", None),
                officer(2, "2027-01-01", None),
            ],
            EnforcementDomain::Land,
            on,
        );
        assert_eq!(wrong_field.unwrap_err().code(), "credential_invalid");
        let mut none = officer(2, "2027-01-01", None);
        none.credential = None;
        assert_eq!(
            check_officers(&[officer(1, "2027-01-01", None), none], m, on)
                .unwrap_err()
                .code(),
            "credential_invalid"
        );
        let recused = check_officers(
            &[
                officer(1, "2027-01-01", None),
                officer(2, "2027-01-01", Some("亲属")),
            ],
            m,
            on,
        );
        assert_eq!(recused.unwrap_err().code(), "recused");
    }

    #[test]
    fn each_department_of_a_joint_visit_fields_its_own_two_officers() {
        use EnforcementDomain::{Ecology, Market, Safety};
        let present = [(1, Market), (2, Market), (3, Safety), (4, Safety)];
        assert_eq!(
            joint_parts(&[Market, Safety], &present, &[]).unwrap(),
            vec![(Market, vec![1, 2]), (Safety, vec![3, 4])]
        );
        // One safety officer only: that part has one officer, which the check refuses by name.
        let parts = joint_parts(&[Market, Safety], &present[..3], &[]).unwrap();
        assert_eq!(parts[1], (Safety, vec![3]));
        let e = check_part(&[officer(3, "2027-01-01", None)], Safety, d("2026-06-01")).unwrap_err();
        assert_eq!(e.code(), "too_few_officers");
        assert!(e.message().zh.starts_with("“安全生产”部分"), "{e:?}");
        // Stated parts: market officer 2 does the safety part with officer 3.
        assert_eq!(
            joint_parts(&[Market, Safety], &present[..3], &[(Safety, vec![2])]).unwrap(),
            vec![(Market, vec![1]), (Safety, vec![2, 3])]
        );
        // A field with no officers at all still gets its (empty) part, so it is checked.
        assert_eq!(
            joint_parts(&[Market, Ecology], &present[..2], &[]).unwrap()[1],
            (Ecology, vec![])
        );
        for stated in [
            vec![(Ecology, vec![1])],
            vec![(Safety, vec![9])],
            vec![(Safety, vec![1]), (Market, vec![1])],
        ] {
            assert_eq!(
                joint_parts(&[Market, Safety], &present, &stated)
                    .unwrap_err()
                    .field(),
                Some("parts"),
                "{stated:?}"
            );
        }
        assert_eq!(
            joint_parts(&[Market], &present, &[]).unwrap_err().field(),
            Some("officers")
        );
    }

    #[test]
    fn three_clean_visits_in_a_row_recuse_who_was_at_all_three() {
        let clean = |o: &[i64]| (o.to_vec(), false);
        assert_eq!(
            repeat_recusals(&[clean(&[1, 2]), clean(&[2, 1, 3]), clean(&[2, 1])]),
            vec![1, 2]
        );
        assert_eq!(
            repeat_recusals(&[clean(&[1, 2]), clean(&[1, 3]), clean(&[2, 1])]),
            vec![1]
        );
        assert!(repeat_recusals(&[clean(&[1, 2]), clean(&[1, 2])]).is_empty());
        assert!(repeat_recusals(&[clean(&[1, 2]), (vec![1, 2], true), clean(&[1, 2])]).is_empty());
    }

    #[test]
    fn the_visit_cap_needs_a_reason_unless_triggered() {
        assert_eq!(check_visit_cap(0, 1, false, None), Ok(None));
        assert_eq!(
            check_visit_cap(1, 1, false, None).unwrap_err().code(),
            "visit_cap"
        );
        assert_eq!(
            check_visit_cap(1, 1, false, Some("  ")).unwrap_err().code(),
            "visit_cap"
        );
        assert_eq!(
            check_visit_cap(1, 1, false, Some("专项整治")),
            Ok(Some("专项整治".into()))
        );
        assert_eq!(check_visit_cap(5, 1, true, None), Ok(None));
    }

    #[test]
    fn credentials_and_dispatch_forms_are_checked_as_issued() {
        assert!(Credential::parse("12", "market", "x", d("2024-01-01"), d("2025-01-01")).is_err());
        assert!(Credential::parse("SD123456", "", "x", d("2024-01-01"), d("2025-01-01")).is_err());
        assert!(
            Credential::parse("SD123456", "market", "x", d("2025-01-01"), d("2024-01-01")).is_err()
        );
        let c = Credential::parse(
            "SD123456",
            "safety, market,market",
            "x",
            d("2024-01-01"),
            d("2025-01-01"),
        )
        .unwrap();
        assert_eq!(
            c.domains,
            vec![EnforcementDomain::Market, EnforcementDomain::Safety]
        );
        assert!(DispatchForm::Stationed.check_towns(2).is_err());
        assert!(DispatchForm::CrossTown.check_towns(1).is_err());
        assert!(DispatchForm::Responsible.check_towns(1).is_ok());
        assert!(DispatchForm::Responsible.check_towns(0).is_err());
        for d in EnforcementDomain::ALL {
            assert_eq!(EnforcementDomain::of_department(d.department()), Some(*d));
            assert_eq!(EnforcementDomain::from_category(d.zh()), Some(*d));
        }
    }
}
