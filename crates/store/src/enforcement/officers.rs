//! Officers of the county departments, their credentials (执法证), their dispatch to towns
//! (下沉) and their declared conflicts (回避).

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Action, Actor, Reach, ResourceKind, reach};
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::{Credential, DispatchForm, EnforcementDomain};

use super::{require_admin, scope};
use crate::db::Sql;
use crate::scope::push_reach;
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(Debug, Clone)]
pub struct NewOfficer {
    pub department: DepartmentCode,
    pub name: String,
    pub credential: Option<Credential>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Officer {
    pub id: i64,
    pub name: String,
    pub county_code: String,
    pub department_code: String,
    pub department_name: String,
    /// The latest credential's number, fields, and end of validity.
    pub credential_number: Option<String>,
    pub credential_domains: Option<String>,
    pub credential_valid_to: Option<String>,
    /// The current dispatch: form and towns (comma-separated codes).
    pub dispatch_form: Option<String>,
    pub dispatch_towns: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct OfficerFilter {
    pub county: Option<CountyCode>,
    pub department: Option<DepartmentCode>,
    pub town: Option<TownCode>,
}

const COLUMNS: &str = "o.id, o.name, o.county_code, o.department_code, d.name AS department_name,
    (SELECT c.number FROM credentials c WHERE c.officer_id = o.id ORDER BY c.valid_to DESC LIMIT 1) AS credential_number,
    (SELECT c.domains FROM credentials c WHERE c.officer_id = o.id ORDER BY c.valid_to DESC LIMIT 1) AS credential_domains,
    (SELECT c.valid_to FROM credentials c WHERE c.officer_id = o.id ORDER BY c.valid_to DESC LIMIT 1) AS credential_valid_to,
    (SELECT p.form FROM dispatches p WHERE p.officer_id = o.id ORDER BY p.valid_from DESC, p.id DESC LIMIT 1) AS dispatch_form,
    (SELECT STRING_AGG(dt.town_code, ',' ORDER BY dt.town_code) FROM dispatch_towns dt WHERE dt.dispatch_id =
        (SELECT p.id FROM dispatches p WHERE p.officer_id = o.id ORDER BY p.valid_from DESC, p.id DESC LIMIT 1)) AS dispatch_towns";
const FROM: &str = "FROM officers o JOIN departments d ON d.code = o.department_code";

fn officer_scope(o: &Officer) -> tongquan_domain::access::Scope {
    let county = CountyCode::parse("county", &o.county_code).expect("stored");
    let dept = DepartmentCode::parse("department", &o.department_code).expect("stored");
    scope(&county, None, Some(&dept))
}

impl Store {
    /// Adds an officer to an enforcement department, with a credential if one is held.
    pub async fn create_officer(&self, actor: &Actor, new: NewOfficer) -> Result<Officer> {
        let county = new.department.county();
        if EnforcementDomain::of_department(new.department.kind()).is_none() {
            return Err(DomainError::invalid(
                "department",
                "执法人员应属于七个执法部门之一",
                "an officer belongs to one of the seven enforcement departments",
            )
            .into());
        }
        require_admin(actor, &scope(&county, None, Some(&new.department)))?;
        self.department(&new.department).await?;
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            return Err(DomainError::invalid(
                "name",
                "姓名应为 1 至 40 个字",
                "a name is 1 to 40 characters",
            )
            .into());
        }
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO officers (county_code, department_code, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(county.to_string())
        .bind(new.department.to_string())
        .bind(name.to_owned())
        .bind(at.clone())
        .fetch_one(w.conn())
        .await?;
        if let Some(c) = &new.credential {
            insert_credential(&mut w, id, c).await?;
        }
        w.audit(
            "officer.create",
            "officer",
            &id.to_string(),
            &scope(&county, None, Some(&new.department)),
            json!({ "name": name, "credential": new.credential.as_ref().map(|c| &c.number) }),
        );
        w.commit().await?;
        self.officer(&Actor::System("officers"), id).await
    }

    /// Records a newly issued credential (a renewal is a new credential).
    pub async fn add_credential(
        &self,
        actor: &Actor,
        officer: i64,
        c: Credential,
    ) -> Result<Officer> {
        let o = self.officer(actor, officer).await?;
        require_admin(actor, &officer_scope(&o))?;
        let mut w = self.write(actor).await?;
        insert_credential(&mut w, officer, &c).await?;
        w.audit(
            "officer.credential",
            "officer",
            &officer.to_string(),
            &officer_scope(&o),
            json!({ "number": c.number, "valid_to": c.valid_to }),
        );
        w.commit().await?;
        self.officer(actor, officer).await
    }

    /// Dispatches an officer to towns of the officer's county from `from`, ending the previous
    /// dispatch the day before.
    pub async fn dispatch_officer(
        &self,
        actor: &Actor,
        officer: i64,
        form: DispatchForm,
        towns: &[TownCode],
        from: NaiveDate,
    ) -> Result<Officer> {
        let o = self.officer(actor, officer).await?;
        require_admin(actor, &officer_scope(&o))?;
        let mut towns = towns.to_vec();
        towns.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        towns.dedup();
        form.check_towns(towns.len())?;
        for t in &towns {
            if t.county().as_str() != o.county_code {
                return Err(DomainError::invalid(
                    "towns",
                    format!("乡镇 {t} 不在执法人员所在县 {}", o.county_code),
                    format!("town {t} is not in the officer's county {}", o.county_code),
                )
                .into());
            }
            self.town(t).await?;
        }
        let (latest,): (Option<String>,) =
            sqlx::query_as("SELECT MAX(valid_from) FROM dispatches WHERE officer_id = $1")
                .bind(officer)
                .fetch_one(self.pool())
                .await?;
        if let Some(latest) = latest.filter(|l| l.as_str() >= from.to_string().as_str()) {
            return Err(DomainError::invalid(
                "from",
                format!("新的派驻应晚于当前派驻的起始日 {latest}"),
                format!("a new dispatch must start after the current one ({latest})"),
            )
            .into());
        }
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        sqlx::query(
            "UPDATE dispatches SET valid_to = $1 WHERE officer_id = $2 AND valid_to IS NULL AND valid_from < $3",
        )
        .bind((from - chrono::Days::new(1)).to_string())
        .bind(officer)
        .bind(from.to_string())
        .execute(w.conn())
        .await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO dispatches (officer_id, county_code, department_code, form, valid_from, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(officer)
        .bind(o.county_code.clone())
        .bind(o.department_code.clone())
        .bind(form.slug().to_owned())
        .bind(from.to_string())
        .bind(at)
        .fetch_one(w.conn())
        .await?;
        for t in &towns {
            sqlx::query("INSERT INTO dispatch_towns (dispatch_id, town_code) VALUES ($1, $2)")
                .bind(id)
                .bind(t.to_string())
                .execute(w.conn())
                .await?;
        }
        w.audit(
            "officer.dispatch",
            "officer",
            &officer.to_string(),
            &officer_scope(&o),
            json!({ "form": form.slug(), "towns": towns.iter().map(ToString::to_string).collect::<Vec<_>>(), "from": from }),
        );
        w.commit().await?;
        self.officer(actor, officer).await
    }

    /// An officer declares a conflict of interest with an object: drawn, inspecting and penalty
    /// acts on it are barred from then on.
    pub async fn declare_recusal(
        &self,
        actor: &Actor,
        officer: i64,
        object: i64,
        reason: &str,
    ) -> Result<()> {
        let o = self.officer(actor, officer).await?;
        require_admin(actor, &officer_scope(&o))?;
        let obj = self
            .inspection_object(&Actor::System("recusal"), object)
            .await?;
        if obj.county_code != o.county_code {
            return Err(StoreError::not_found("inspection_object", object));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DomainError::Required {
                field: "reason".into(),
            }
            .into());
        }
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let done = sqlx::query(
            "INSERT INTO recusals (officer_id, object_id, reason, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (officer_id, object_id) DO NOTHING",
        )
        .bind(officer)
        .bind(object)
        .bind(reason.to_owned())
        .bind(at)
        .execute(w.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Taken {
                field: "recusal",
                value: format!("{officer}/{object}"),
            });
        }
        w.audit(
            "officer.recusal",
            "officer",
            &officer.to_string(),
            &officer_scope(&o),
            json!({ "object": object, "reason": reason }),
        );
        w.commit().await
    }

    pub async fn officer(&self, actor: &Actor, id: i64) -> Result<Officer> {
        let mut sql = Sql::new(&format!("SELECT {COLUMNS} {FROM}"));
        sql.push(" WHERE o.id = ").bind(id).push(" AND ");
        push_officer_reach(&mut sql, actor);
        sql.query_as()
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found("officer", id))
    }

    pub async fn officers(
        &self,
        actor: &Actor,
        f: &OfficerFilter,
        page: PageRequest,
    ) -> Result<Page<Officer>> {
        let filter = |sql: &mut Sql| {
            sql.push(" WHERE ");
            push_officer_reach(sql, actor);
            if let Some(c) = &f.county {
                sql.push(" AND o.county_code = ").bind(c.to_string());
            }
            if let Some(d) = &f.department {
                sql.push(" AND o.department_code = ").bind(d.to_string());
            }
            if let Some(t) = &f.town {
                sql.push(" AND ")
                    .push(DISPATCHED_TO)
                    .bind(t.to_string())
                    .push(")");
            }
        };
        let (items, total) = self
            .page_capped(COLUMNS, FROM, "o.id", filter, page)
            .await?;
        Ok(Page::new(items, page, total))
    }
}

/// Officers sit in a department; a town team sees those currently dispatched to its town.
fn push_officer_reach(sql: &mut Sql, actor: &Actor) {
    match reach(actor, ResourceKind::Enforcement, Action::Read) {
        Reach::Town(t) => {
            sql.push(DISPATCHED_TO).bind(t.to_string()).push(")");
        }
        r => push_reach(sql, &r, &OFFICER_SCOPE),
    }
}

const DISPATCHED_TO: &str =
    "o.id IN (SELECT p.officer_id FROM dispatches p JOIN dispatch_towns dt ON dt.dispatch_id = p.id
    WHERE p.valid_to IS NULL AND dt.town_code = ";

const OFFICER_SCOPE: crate::scope::ScopeColumns = crate::scope::ScopeColumns {
    county: Some("o.county_code"),
    town: None,
    office: None,
    department: Some("o.department_code"),
    account: None,
};

async fn insert_credential(
    w: &mut crate::write::Write,
    officer: i64,
    c: &Credential,
) -> Result<()> {
    let at = w.at().to_owned();
    let done = sqlx::query(
        "INSERT INTO credentials (officer_id, number, domains, issuer, valid_from, valid_to, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (number) DO NOTHING",
    )
    .bind(officer)
    .bind(c.number.clone())
    .bind(EnforcementDomain::join(&c.domains))
    .bind(c.issuer.clone())
    .bind(c.valid_from.to_string())
    .bind(c.valid_to.to_string())
    .bind(at)
    .execute(w.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Taken {
            field: "credential_number",
            value: c.number.clone(),
        });
    }
    Ok(())
}
