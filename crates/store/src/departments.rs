//! County departments: the approval bureau and the seven enforcement departments.

use serde::Serialize;
use serde_json::json;
use tongquan_domain::access::{Actor, ResourceKind, Scope};
use tongquan_domain::codes::{CountyCode, DepartmentCode};
use tongquan_domain::org::DepartmentKind;
use tongquan_domain::text;

use crate::db::Sql;
use crate::write::{changes, ensure_may_manage, ensure_updated};
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Department {
    #[schema(value_type = String, example = "371402SJ")]
    pub code: DepartmentCode,
    #[schema(value_type = String, example = "market_regulation")]
    pub kind: DepartmentKind,
    pub name: String,
    #[schema(value_type = String)]
    pub county_code: CountyCode,
    pub county_name: String,
    /// Empty when not yet recorded.
    pub phone: String,
    pub version: i64,
}

impl Department {
    pub fn scope(&self) -> Scope {
        Scope {
            county: Some(self.county_code.clone()),
            department: Some(self.code.clone()),
            ..Scope::default()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DepartmentFilter {
    pub county: Option<CountyCode>,
    pub kind: Option<DepartmentKind>,
}

#[derive(sqlx::FromRow)]
struct DepartmentRow {
    code: String,
    name: String,
    county_name: String,
    phone: String,
    version: i64,
}

impl From<DepartmentRow> for Department {
    fn from(r: DepartmentRow) -> Self {
        let code = DepartmentCode::parse("code", &r.code).expect("stored");
        Self {
            kind: code.kind(),
            county_code: code.county(),
            code,
            name: r.name,
            county_name: r.county_name,
            phone: r.phone,
            version: r.version,
        }
    }
}

const SELECT: &str = "SELECT d.code, d.name, c.name AS county_name, d.phone, d.version
    FROM departments d JOIN counties c ON c.code = d.county_code";

impl Store {
    pub async fn departments(
        &self,
        filter: &DepartmentFilter,
        page: PageRequest,
    ) -> Result<Page<Department>> {
        if let Some(c) = &filter.county {
            self.county(c).await?;
        }
        let where_ = |sql: &mut Sql| {
            sql.push(" WHERE 1 = 1");
            if let Some(c) = &filter.county {
                sql.push(" AND d.county_code = ").bind(c.to_string());
            }
            if let Some(k) = filter.kind {
                sql.push(" AND d.kind = ").bind(k.slug().to_owned());
            }
        };
        let (rows, total): (Vec<DepartmentRow>, i64) = self
            .page_of("FROM departments d", SELECT, "d.code", where_, page)
            .await?;
        Ok(Page::new(
            rows.into_iter().map(Department::from).collect(),
            page,
            total,
        ))
    }

    pub async fn department(&self, code: &DepartmentCode) -> Result<Department> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE d.code = ").bind(code.to_string());
        let row: Option<DepartmentRow> = sql.query_as().fetch_optional(self.pool()).await?;
        row.map(Department::from)
            .ok_or_else(|| StoreError::not_found("department", code))
    }

    pub async fn update_department(
        &self,
        actor: &Actor,
        code: &DepartmentCode,
        phone: &str,
        version: i64,
    ) -> Result<Department> {
        let phone = text::phone("phone", phone)?;
        let before = self.department(code).await?;
        ensure_may_manage(
            actor,
            ResourceKind::Department,
            &before.scope(),
            "department",
            code,
        )?;
        let mut w = self.write(actor).await?;
        let done = sqlx::query("UPDATE departments SET phone = $1, version = version + 1 WHERE code = $2 AND version = $3")
            .bind(phone.clone())
            .bind(code.to_string())
            .bind(version)
            .execute(w.conn())
            .await?;
        ensure_updated(&done, "department", code, version)?;
        w.audit(
            "department.update",
            "department",
            code.as_str(),
            &before.scope(),
            changes([("phone", json!(before.phone), json!(phone))]),
        );
        w.commit().await?;
        self.department(code).await
    }
}
