//! Inspection objects (enterprises and other sites) and the departments' inspection item lists
//! (检查事项清单).

use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Action, Actor, ResourceKind, reach};
use tongquan_domain::applicant::ApplicantId;
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::{EnforcementDomain, ObjectKind, RiskGrade};
use tongquan_domain::geo::LatLon;

use super::{require_admin, scope};
use crate::db::Sql;
use crate::scope::{ScopeColumns, push_reach};
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(Debug, Clone)]
pub struct NewObject {
    pub town: TownCode,
    pub kind: ObjectKind,
    /// Required for an enterprise; a site has none.
    pub credit_code: Option<ApplicantId>,
    pub name: String,
    pub industry: String,
    pub position: Option<LatLon>,
    pub grade: RiskGrade,
    pub domains: Vec<EnforcementDomain>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct InspectionObject {
    pub id: i64,
    pub county_code: String,
    pub town_code: String,
    pub town_name: String,
    pub kind: String,
    pub credit_code: Option<String>,
    pub name: String,
    pub industry: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub risk_grade: String,
    /// Comma-separated fields whose departments inspect it.
    pub domains: String,
}

#[derive(Debug, Clone, Default)]
pub struct ObjectFilter {
    pub county: Option<CountyCode>,
    pub town: Option<TownCode>,
    pub grade: Option<RiskGrade>,
    pub domain: Option<EnforcementDomain>,
}

const COLUMNS: &str =
    "x.id, x.county_code, x.town_code, t.name AS town_name, x.kind, x.credit_code, x.name,
    x.industry, x.lat, x.lon, x.risk_grade, x.domains";
const FROM: &str = "FROM inspection_objects x JOIN towns t ON t.code = x.town_code";

pub(crate) const OBJECT_SCOPE: ScopeColumns = ScopeColumns {
    county: Some("x.county_code"),
    town: Some("x.town_code"),
    office: None,
    department: None,
    account: None,
};

#[derive(Debug, Clone)]
pub struct NewInspectionItem {
    pub department: DepartmentCode,
    pub name: String,
    pub object_kinds: Vec<ObjectKind>,
    pub legal_basis: String,
    pub method: String,
    /// Times a year for grades A, B, C, D.
    pub frequency: [u8; 4],
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct InspectionItem {
    pub id: i64,
    pub county_code: String,
    pub department_code: String,
    pub domain: String,
    pub name: String,
    pub object_kinds: String,
    pub legal_basis: String,
    pub method: String,
    pub freq_a: i64,
    pub freq_b: i64,
    pub freq_c: i64,
    pub freq_d: i64,
}

impl InspectionItem {
    pub fn times_a_year(&self, grade: RiskGrade) -> i64 {
        match grade {
            RiskGrade::A => self.freq_a,
            RiskGrade::B => self.freq_b,
            RiskGrade::C => self.freq_c,
            RiskGrade::D => self.freq_d,
        }
    }
}

/// The plan windows the joint planner can merge: 1, 2, 3, 4, 6 or 12 times a year.
pub const FREQUENCIES: [u8; 6] = [1, 2, 3, 4, 6, 12];

impl Store {
    pub async fn create_inspection_object(
        &self,
        actor: &Actor,
        new: NewObject,
    ) -> Result<InspectionObject> {
        let town = self.town(&new.town).await?;
        let county = town.county_code.clone();
        let s = scope(&county, Some(&new.town), None);
        if !tongquan_domain::access::may(actor, ResourceKind::InspectionObject, Action::Manage, &s)
        {
            return Err(DomainError::forbidden(
                "无权登记该乡镇的检查对象",
                "not allowed to register objects in this town",
            )
            .into());
        }
        match (new.kind, &new.credit_code) {
            (ObjectKind::Enterprise, None) => {
                return Err(DomainError::Required {
                    field: "credit_code".into(),
                }
                .into());
            }
            (ObjectKind::Enterprise, Some(c))
                if c.kind() != tongquan_domain::applicant::ApplicantKind::Enterprise =>
            {
                return Err(DomainError::invalid(
                    "credit_code",
                    "应为统一社会信用代码",
                    "expected a unified social credit code",
                )
                .into());
            }
            _ => {}
        }
        let name = new.name.trim();
        if name.is_empty() {
            return Err(DomainError::Required {
                field: "name".into(),
            }
            .into());
        }
        if new.domains.is_empty() {
            return Err(DomainError::Required {
                field: "domains".into(),
            }
            .into());
        }
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let mut sql = Sql::new(
            "INSERT INTO inspection_objects (county_code, town_code, kind, credit_code, name, industry, lat, lon,
                risk_grade, domains, created_at) VALUES (",
        );
        sql.bind(county.to_string())
            .push(", ")
            .bind(new.town.to_string())
            .push(", ")
            .bind(new.kind.slug().to_owned())
            .push(", ")
            .bind(new.credit_code.as_ref().map(|c| c.as_str().to_owned()))
            .push(", ")
            .bind(name.to_owned())
            .push(", ")
            .bind(new.industry.trim().to_owned())
            .push(", ")
            .bind_f64(new.position.map(|p| p.lat))
            .push(", ")
            .bind_f64(new.position.map(|p| p.lon))
            .push(", ")
            .bind(new.grade.slug().to_owned())
            .push(", ")
            .bind(EnforcementDomain::join(&new.domains))
            .push(", ")
            .bind(at)
            .push(") ON CONFLICT (county_code, credit_code) DO NOTHING RETURNING id");
        let id: Option<(i64,)> = sql.query_as().fetch_optional(w.conn()).await?;
        let Some((id,)) = id else {
            return Err(StoreError::Taken {
                field: "credit_code",
                value: new
                    .credit_code
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
            });
        };
        w.audit(
            "inspection_object.create",
            "inspection_object",
            &id.to_string(),
            &s,
            json!({ "name": name, "grade": new.grade.slug() }),
        );
        w.commit().await?;
        self.inspection_object(actor, id).await
    }

    pub async fn inspection_object(&self, actor: &Actor, id: i64) -> Result<InspectionObject> {
        let mut sql = Sql::new(&format!("SELECT {COLUMNS} {FROM}"));
        sql.push(" WHERE x.id = ").bind(id).push(" AND ");
        push_reach(
            &mut sql,
            &reach(actor, ResourceKind::InspectionObject, Action::Read),
            &OBJECT_SCOPE,
        );
        sql.query_as()
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found("inspection_object", id))
    }

    pub async fn inspection_objects(
        &self,
        actor: &Actor,
        f: &ObjectFilter,
        page: PageRequest,
    ) -> Result<Page<InspectionObject>> {
        let filter = |sql: &mut Sql| {
            sql.push(" WHERE ");
            push_reach(
                sql,
                &reach(actor, ResourceKind::InspectionObject, Action::Read),
                &OBJECT_SCOPE,
            );
            if let Some(c) = &f.county {
                sql.push(" AND x.county_code = ").bind(c.to_string());
            }
            if let Some(t) = &f.town {
                sql.push(" AND x.town_code = ").bind(t.to_string());
            }
            if let Some(g) = f.grade {
                sql.push(" AND x.risk_grade = ").bind(g.slug().to_owned());
            }
            if let Some(d) = f.domain {
                // Slugs are distinct words, so a padded substring match is exact.
                sql.push(" AND (',' || x.domains || ',') LIKE ")
                    .bind(format!("%,{},%", d.slug()));
            }
        };
        let (items, total) = self
            .page_capped(COLUMNS, FROM, "x.id", filter, page)
            .await?;
        Ok(Page::new(items, page, total))
    }

    /// Adds an item to a department's inspection item list.
    pub async fn create_inspection_item(
        &self,
        actor: &Actor,
        new: NewInspectionItem,
    ) -> Result<InspectionItem> {
        let county = new.department.county();
        let domain = EnforcementDomain::of_department(new.department.kind()).ok_or_else(|| {
            DomainError::invalid(
                "department",
                "只有执法部门有检查事项清单",
                "only enforcement departments keep inspection item lists",
            )
        })?;
        require_admin(actor, &scope(&county, None, Some(&new.department)))?;
        for (grade, f) in RiskGrade::ALL.iter().zip(new.frequency) {
            if f != 0 && !FREQUENCIES.contains(&f) {
                return Err(DomainError::invalid(
                    format!("freq_{}", grade.slug().to_lowercase()),
                    format!("检查频次应为每年 0、1、2、3、4、6 或 12 次，收到 {f}"),
                    format!("times a year is 0, 1, 2, 3, 4, 6 or 12; got {f}"),
                )
                .into());
            }
        }
        let name = new.name.trim();
        if name.is_empty() || new.legal_basis.trim().is_empty() || new.object_kinds.is_empty() {
            return Err(DomainError::Required {
                field: if name.is_empty() {
                    "name"
                } else if new.object_kinds.is_empty() {
                    "object_kinds"
                } else {
                    "legal_basis"
                }
                .into(),
            }
            .into());
        }
        let kinds: Vec<&str> = new.object_kinds.iter().map(|k| k.slug()).collect();
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO inspection_items (county_code, department_code, domain, name, object_kinds, legal_basis, method,
                freq_a, freq_b, freq_c, freq_d, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (department_code, name) DO NOTHING RETURNING id",
        )
        .bind(county.to_string())
        .bind(new.department.to_string())
        .bind(domain.slug().to_owned())
        .bind(name.to_owned())
        .bind(kinds.join(","))
        .bind(new.legal_basis.trim().to_owned())
        .bind(new.method.trim().to_owned())
        .bind(i64::from(new.frequency[0]))
        .bind(i64::from(new.frequency[1]))
        .bind(i64::from(new.frequency[2]))
        .bind(i64::from(new.frequency[3]))
        .bind(at)
        .fetch_optional(w.conn())
        .await?;
        let Some((id,)) = row else {
            return Err(StoreError::Taken {
                field: "name",
                value: name.to_owned(),
            });
        };
        w.audit(
            "inspection_item.create",
            "inspection_item",
            &id.to_string(),
            &scope(&county, None, Some(&new.department)),
            json!({ "name": name }),
        );
        w.commit().await?;
        let mut all = self
            .inspection_items(Some(&county), Some(&new.department))
            .await?;
        all.retain(|i| i.id == id);
        Ok(all.remove(0))
    }

    /// The published inspection item lists (public).
    pub async fn inspection_items(
        &self,
        county: Option<&CountyCode>,
        department: Option<&DepartmentCode>,
    ) -> Result<Vec<InspectionItem>> {
        let mut sql = Sql::new(
            "SELECT id, county_code, department_code, domain, name, object_kinds, legal_basis, method, freq_a, freq_b,
                freq_c, freq_d FROM inspection_items WHERE 1 = 1",
        );
        if let Some(c) = county {
            sql.push(" AND county_code = ").bind(c.to_string());
        }
        if let Some(d) = department {
            sql.push(" AND department_code = ").bind(d.to_string());
        }
        sql.push(" ORDER BY department_code, id");
        Ok(sql.query_as().fetch_all(self.pool()).await?)
    }
}
