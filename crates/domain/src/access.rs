//! Who may do what, decided in one place from an account's role and jurisdiction.
//!
//! `reach` answers "which records of this kind may this actor read or manage"; the store turns the
//! answer into a filter on every query, so no handler filters by hand.

use std::fmt;

use crate::DomainError;
use crate::codes::{CountyCode, DepartmentCode, OfficeCode, TownCode, Username};
use crate::org::OfficeKind;

kinds!(
    /// The staff roles of DESIGN.md.
    Role, "角色", "role" {
        CityAdmin = "city_admin", "市级管理员（改革办）", "city administrator (reform office)";
        CountyBureau = "county_bureau", "县行政审批服务局", "county approval bureau";
        BranchClerk = "branch_clerk", "审批窗口工作人员", "approval window clerk";
        CentreClerk = "centre_clerk", "便民服务中心工作人员", "convenience centre clerk";
        DepartmentAdmin = "department_admin", "县直部门管理员", "county department administrator";
        TeamLeader = "team_leader", "乡镇综合执法队长", "town enforcement team leader";
        Officer = "officer", "下沉执法人员", "dispatched enforcement officer";
    }
);

/// The part of the city an account works for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Jurisdiction {
    City,
    County(CountyCode),
    Town(TownCode),
    Office(OfficeCode),
    Department(DepartmentCode),
}

impl Jurisdiction {
    /// Reads `city` or any county, town, office or department code; the code's shape says which.
    pub fn parse(field: &str, value: &str) -> Result<Self, DomainError> {
        let value = value.trim();
        if value == "city" {
            return Ok(Self::City);
        }
        if let Ok(c) = CountyCode::parse(field, value) {
            return Ok(Self::County(c));
        }
        if let Ok(t) = TownCode::parse(field, value) {
            return Ok(Self::Town(t));
        }
        if let Ok(o) = OfficeCode::parse(field, value) {
            return Ok(Self::Office(o));
        }
        if let Ok(d) = DepartmentCode::parse(field, value) {
            return Ok(Self::Department(d));
        }
        Err(DomainError::invalid(
            field,
            format!("辖区“{value}”无法识别：应为 city 或县、乡镇、办事机构、部门代码"),
            format!(
                "unrecognised jurisdiction {value:?}: expected city or a county, town, office or department code"
            ),
        ))
    }

    pub fn county(&self) -> Option<CountyCode> {
        match self {
            Self::City => None,
            Self::County(c) => Some(c.clone()),
            Self::Town(t) => Some(t.county()),
            Self::Office(o) => Some(o.county()),
            Self::Department(d) => Some(d.county()),
        }
    }

    /// Where records of this jurisdiction sit, for scoping.
    pub fn scope(&self) -> Scope {
        let mut s = Scope {
            county: self.county(),
            ..Scope::default()
        };
        match self {
            Self::City | Self::County(_) => {}
            Self::Town(t) => s.town = Some(t.clone()),
            Self::Office(o) => {
                s.town = o.centre_town();
                s.office = Some(o.clone());
            }
            Self::Department(d) => s.department = Some(d.clone()),
        }
        s
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::City => f.write_str("city"),
            Self::County(c) => c.fmt(f),
            Self::Town(t) => t.fmt(f),
            Self::Office(o) => o.fmt(f),
            Self::Department(d) => d.fmt(f),
        }
    }
}

impl serde::Serialize for Jurisdiction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Role {
    /// Whether an account of this role may hold this jurisdiction.
    pub fn fits(self, j: &Jurisdiction) -> bool {
        match (self, j) {
            (Self::CityAdmin, Jurisdiction::City) => true,
            (Self::CountyBureau, Jurisdiction::County(_)) => true,
            (Self::BranchClerk, Jurisdiction::Office(o)) => o.kind() != OfficeKind::Centre,
            (Self::CentreClerk, Jurisdiction::Office(o)) => o.kind() == OfficeKind::Centre,
            (Self::DepartmentAdmin | Self::Officer, Jurisdiction::Department(_)) => true,
            (Self::TeamLeader, Jurisdiction::Town(_)) => true,
            _ => false,
        }
    }

    /// Roles an account of this role may hand out (within its reach).
    fn may_grant(self, other: Role) -> bool {
        match self {
            Self::CityAdmin => true,
            Self::CountyBureau => other != Self::CityAdmin,
            Self::DepartmentAdmin => matches!(other, Self::DepartmentAdmin | Self::Officer),
            _ => false,
        }
    }
}

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub username: Username,
    pub role: Role,
    pub jurisdiction: Jurisdiction,
}

/// Whoever is acting: nobody, a staff member, or the system itself (seeding, the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    Staff(Staff),
    /// Full powers; the name says which tool acted, for the audit trail.
    System(&'static str),
}

impl Actor {
    /// How the actor is named in the audit trail.
    pub fn audit_name(&self) -> String {
        match self {
            Self::Anonymous => "anonymous".into(),
            Self::Staff(s) => format!("{}#{}", s.username, s.id),
            Self::System(tool) => format!("system:{tool}"),
        }
    }

    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Self::Staff(s) => Some(s),
            _ => None,
        }
    }
}

kinds!(
    /// Kinds of records whose access is scoped.
    ResourceKind, "资源类型", "resource kind" {
        Account = "account", "账号", "account";
        AuditEntry = "audit_entry", "审计记录", "audit entry";
        Office = "office", "办事机构", "office";
        Department = "department", "部门", "department";
        Town = "town", "乡镇", "town";
        Item = "item", "事项", "item";
        Delegation = "delegation", "赋权", "delegation";
        Case = "case", "办件", "case";
        Enforcement = "enforcement", "执法记录", "enforcement record";
        InspectionObject = "inspection_object", "检查对象", "inspection object";
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Manage,
}

/// The records of one kind an actor may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    County(CountyCode),
    Town(TownCode),
    Office(OfficeCode),
    Department(DepartmentCode),
    /// Only the actor's own account.
    OwnAccount(i64),
    Nothing,
}

/// Where a record sits: the columns every scoped table carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub county: Option<CountyCode>,
    pub town: Option<TownCode>,
    pub office: Option<OfficeCode>,
    pub department: Option<DepartmentCode>,
    /// The account a record is about, for records that are about one.
    pub account: Option<i64>,
}

impl Reach {
    /// Whether a record at `scope` lies within reach. The store's SQL filter says the same thing.
    pub fn admits(&self, scope: &Scope) -> bool {
        match self {
            Self::All => true,
            Self::County(c) => scope.county.as_ref() == Some(c),
            Self::Town(t) => scope.town.as_ref() == Some(t),
            Self::Office(o) => scope.office.as_ref() == Some(o),
            Self::Department(d) => scope.department.as_ref() == Some(d),
            Self::OwnAccount(id) => scope.account == Some(*id),
            Self::Nothing => false,
        }
    }
}

/// The policy: which records of `kind` the actor may read or manage.
pub fn reach(actor: &Actor, kind: ResourceKind, action: Action) -> Reach {
    use ResourceKind as K;
    // The directory and the published catalog are public; drafts are filtered by the store.
    let public_directory = matches!(
        kind,
        K::Office | K::Department | K::Town | K::Item | K::Delegation
    );
    let staff = match actor {
        Actor::System(_) => return Reach::All,
        Actor::Anonymous if public_directory && action == Action::Read => return Reach::All,
        Actor::Anonymous => return Reach::Nothing,
        Actor::Staff(s) => s,
    };
    if public_directory && action == Action::Read {
        return Reach::All;
    }
    let own = || match &staff.jurisdiction {
        Jurisdiction::City => Reach::All,
        Jurisdiction::County(c) => Reach::County(c.clone()),
        Jurisdiction::Town(t) => Reach::Town(t.clone()),
        Jurisdiction::Office(o) => Reach::Office(o.clone()),
        Jurisdiction::Department(d) => Reach::Department(d.clone()),
    };
    match (staff.role, kind, action) {
        // The approval bureau reads its county's enforcement; it does not act in it.
        (Role::CountyBureau, K::Enforcement | K::InspectionObject, Action::Manage) => {
            Reach::Nothing
        }
        (Role::CityAdmin | Role::CountyBureau, _, _) => own(),
        (Role::BranchClerk | Role::CentreClerk, K::Account | K::AuditEntry, Action::Read) => own(),
        (Role::BranchClerk | Role::CentreClerk, K::Office | K::Case, Action::Manage) => own(),
        (Role::BranchClerk | Role::CentreClerk, K::Case, Action::Read) => own(),
        (Role::DepartmentAdmin, K::Account | K::AuditEntry | K::Department | K::Item, _) => own(),
        (Role::TeamLeader, K::Account | K::AuditEntry, Action::Read) => own(),
        (Role::TeamLeader, K::Town, Action::Manage) => own(),
        (Role::Officer, K::Account, Action::Read) => Reach::OwnAccount(staff.id),
        (Role::DepartmentAdmin | Role::TeamLeader | Role::Officer, K::Enforcement, _) => own(),
        // A department inspects the whole county's enterprises; a town team its own town's.
        (Role::DepartmentAdmin | Role::Officer, K::InspectionObject, _) => staff
            .jurisdiction
            .county()
            .map_or(Reach::Nothing, Reach::County),
        (Role::TeamLeader, K::InspectionObject, _) => own(),
        _ => Reach::Nothing,
    }
}

/// Whether one record, placed at `scope`, is within the actor's reach.
pub fn may(actor: &Actor, kind: ResourceKind, action: Action, scope: &Scope) -> bool {
    reach(actor, kind, action).admits(scope)
}

/// Whether the actor may create or change an account with this role and jurisdiction.
pub fn may_grant(
    actor: &Actor,
    role: Role,
    jurisdiction: &Jurisdiction,
) -> Result<(), DomainError> {
    if !role.fits(jurisdiction) {
        return Err(DomainError::invalid(
            "jurisdiction",
            format!("角色“{}”不能设在辖区 {jurisdiction}", role.zh()),
            format!(
                "role {} cannot hold jurisdiction {jurisdiction}",
                role.slug()
            ),
        ));
    }
    let grantor_ok = match actor {
        Actor::System(_) => true,
        Actor::Staff(s) => s.role.may_grant(role),
        Actor::Anonymous => false,
    };
    if !grantor_ok
        || !reach(actor, ResourceKind::Account, Action::Manage).admits(&jurisdiction.scope())
    {
        return Err(DomainError::forbidden(
            format!(
                "无权设立角色为“{}”、辖区为 {jurisdiction} 的账号",
                role.zh()
            ),
            format!(
                "not allowed to grant role {} in jurisdiction {jurisdiction}",
                role.slug()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role, j: &str) -> Actor {
        Actor::Staff(Staff {
            id: 7,
            username: Username::parse("u", "someone").unwrap(),
            role,
            jurisdiction: Jurisdiction::parse("j", j).unwrap(),
        })
    }

    fn town_scope(town: &str) -> Scope {
        Jurisdiction::parse("j", town).unwrap().scope()
    }

    #[test]
    fn jurisdiction_is_read_from_the_code_shape() {
        assert_eq!(
            Jurisdiction::parse("j", "city").unwrap(),
            Jurisdiction::City
        );
        assert!(matches!(
            Jurisdiction::parse("j", "371402").unwrap(),
            Jurisdiction::County(_)
        ));
        assert!(matches!(
            Jurisdiction::parse("j", "371402001").unwrap(),
            Jurisdiction::Town(_)
        ));
        assert!(matches!(
            Jurisdiction::parse("j", "371402B01").unwrap(),
            Jurisdiction::Office(_)
        ));
        assert!(matches!(
            Jurisdiction::parse("j", "371402SJ").unwrap(),
            Jurisdiction::Department(_)
        ));
        assert_eq!(
            Jurisdiction::parse("j", "province").unwrap_err().field(),
            Some("j")
        );
    }

    #[test]
    fn a_centre_clerk_reaches_only_its_own_centre() {
        let clerk = staff(Role::CentreClerk, "371402001C");
        let r = reach(&clerk, ResourceKind::Account, Action::Read);
        assert!(r.admits(&Jurisdiction::parse("j", "371402001C").unwrap().scope()));
        assert!(!r.admits(&Jurisdiction::parse("j", "371402002C").unwrap().scope()));
        assert!(
            !r.admits(&town_scope("371402001")),
            "a town record is not the centre's record"
        );
        assert_eq!(
            reach(&clerk, ResourceKind::Account, Action::Manage),
            Reach::Nothing
        );
    }

    #[test]
    fn county_reach_stops_at_the_county_line() {
        let bureau = staff(Role::CountyBureau, "371402");
        let r = reach(&bureau, ResourceKind::Office, Action::Manage);
        assert!(r.admits(&Jurisdiction::parse("j", "371402B01").unwrap().scope()));
        assert!(!r.admits(&Jurisdiction::parse("j", "371403B01").unwrap().scope()));
    }

    #[test]
    fn everyone_reads_the_public_directory_but_nobody_anonymous_reads_accounts() {
        for kind in [
            ResourceKind::Office,
            ResourceKind::Department,
            ResourceKind::Town,
        ] {
            assert_eq!(reach(&Actor::Anonymous, kind, Action::Read), Reach::All);
            assert_eq!(
                reach(&Actor::Anonymous, kind, Action::Manage),
                Reach::Nothing
            );
        }
        assert_eq!(
            reach(&Actor::Anonymous, ResourceKind::Account, Action::Read),
            Reach::Nothing
        );
        assert_eq!(
            reach(&Actor::Anonymous, ResourceKind::AuditEntry, Action::Read),
            Reach::Nothing
        );
    }

    #[test]
    fn the_approval_bureau_reads_enforcement_but_does_not_act_in_it() {
        let bureau = staff(Role::CountyBureau, "371402");
        let here = Jurisdiction::parse("j", "371402SJ").unwrap().scope();
        for kind in [ResourceKind::Enforcement, ResourceKind::InspectionObject] {
            assert!(reach(&bureau, kind, Action::Read).admits(&here));
            assert_eq!(reach(&bureau, kind, Action::Manage), Reach::Nothing);
        }
        let team = staff(Role::TeamLeader, "371402001");
        assert!(may(
            &team,
            ResourceKind::Enforcement,
            Action::Manage,
            &town_scope("371402001")
        ));
        assert!(!may(
            &team,
            ResourceKind::Enforcement,
            Action::Manage,
            &town_scope("371402002")
        ));
    }

    #[test]
    fn an_officer_sees_only_its_own_account() {
        let officer = staff(Role::Officer, "371402SJ");
        let r = reach(&officer, ResourceKind::Account, Action::Read);
        assert!(r.admits(&Scope {
            account: Some(7),
            ..Scope::default()
        }));
        assert!(!r.admits(&Scope {
            account: Some(8),
            ..Jurisdiction::parse("j", "371402SJ").unwrap().scope()
        }));
    }

    #[test]
    fn granting_needs_rank_reach_and_a_fitting_jurisdiction() {
        let bureau = staff(Role::CountyBureau, "371402");
        let j = Jurisdiction::parse("j", "371402B01").unwrap();
        assert!(may_grant(&bureau, Role::BranchClerk, &j).is_ok());
        assert_eq!(
            may_grant(&bureau, Role::CityAdmin, &Jurisdiction::City)
                .unwrap_err()
                .code(),
            "forbidden"
        );
        let other = Jurisdiction::parse("j", "371403B01").unwrap();
        assert_eq!(
            may_grant(&bureau, Role::BranchClerk, &other)
                .unwrap_err()
                .code(),
            "forbidden"
        );
        assert_eq!(
            may_grant(&bureau, Role::CentreClerk, &j)
                .unwrap_err()
                .code(),
            "invalid_field"
        );
        let dept = staff(Role::DepartmentAdmin, "371402SJ");
        let own = Jurisdiction::parse("j", "371402SJ").unwrap();
        assert!(may_grant(&dept, Role::Officer, &own).is_ok());
        assert!(
            may_grant(
                &dept,
                Role::CountyBureau,
                &Jurisdiction::parse("j", "371402").unwrap()
            )
            .is_err()
        );
        let clerk = staff(Role::BranchClerk, "371402B01");
        assert!(may_grant(&clerk, Role::BranchClerk, &j).is_err());
    }
}
