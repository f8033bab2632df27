//! Staff accounts: role, jurisdiction, password (argon2id), disabling.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::Serialize;
use serde_json::json;
use tongquan_domain::access::{
    Action, Actor, Jurisdiction, ResourceKind, Role, Scope, Staff, may_grant, reach,
};
use tongquan_domain::codes::Username;
use tongquan_domain::{DomainError, text};

use crate::db::{Sql, flag};
use crate::scope::{ScopeColumns, push_reach};
use crate::throttle::Secret;
use crate::write::{changes, ensure_may_manage, ensure_updated};
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: i64,
    #[schema(value_type = String, example = "ll.branch1")]
    pub username: Username,
    pub display_name: String,
    #[schema(value_type = String, example = "branch_clerk")]
    pub role: Role,
    /// `city`, or a county, town, office or department code.
    #[schema(value_type = String, example = "371481B01")]
    pub jurisdiction: Jurisdiction,
    pub disabled: bool,
    pub created_at: String,
    pub version: i64,
}

impl Account {
    pub fn scope(&self) -> Scope {
        Scope {
            account: Some(self.id),
            ..self.jurisdiction.scope()
        }
    }

    pub fn staff(&self) -> Staff {
        Staff {
            id: self.id,
            username: self.username.clone(),
            role: self.role,
            jurisdiction: self.jurisdiction.clone(),
        }
    }
}

/// A new account, parsed from what a form, the API or the command line sent.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub jurisdiction: Jurisdiction,
    pub password: String,
}

impl NewAccount {
    pub fn parse(
        username: &str,
        display_name: &str,
        role: &str,
        jurisdiction: &str,
        password: &str,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            username: Username::parse("username", username)?,
            display_name: text::bounded("display_name", display_name, 60)?,
            role: Role::parse("role", role)?,
            jurisdiction: Jurisdiction::parse("jurisdiction", jurisdiction)?,
            password: text::password("password", password)?,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub role: Option<Role>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    role: String,
    jurisdiction: String,
    disabled: i64,
    created_at: String,
    version: i64,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Self {
            id: r.id,
            username: Username::parse("username", &r.username).expect("stored"),
            display_name: r.display_name,
            role: Role::parse("role", &r.role).expect("stored"),
            jurisdiction: Jurisdiction::parse("jurisdiction", &r.jurisdiction).expect("stored"),
            disabled: r.disabled != 0,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

pub(crate) const SELECT: &str = "SELECT a.id, a.username, a.display_name, a.role, a.jurisdiction, a.disabled, a.created_at, a.version FROM accounts a";

const SCOPE: ScopeColumns = ScopeColumns {
    county: Some("a.county_code"),
    town: Some("a.town_code"),
    office: Some("a.office_code"),
    department: Some("a.department_code"),
    account: Some("a.id"),
};

/// Hashing is deliberately slow, so it runs off the async workers.
pub(crate) async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Config(format!("password hashing failed: {e}")))
    })
    .await
    .expect("hashing does not panic")
}

pub(crate) async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .expect("verifying does not panic")
}

impl Store {
    /// Checks that the jurisdiction names a county, town, office or department that exists.
    async fn ensure_jurisdiction_exists(&self, j: &Jurisdiction) -> Result<()> {
        let found = match j {
            Jurisdiction::City => Ok(()),
            Jurisdiction::County(c) => self.county(c).await.map(drop),
            Jurisdiction::Town(t) => self.town(t).await.map(drop),
            Jurisdiction::Office(o) => self.office(o).await.map(drop),
            Jurisdiction::Department(d) => self.department(d).await.map(drop),
        };
        found.map_err(|e| match e {
            StoreError::NotFound { .. } => DomainError::invalid(
                "jurisdiction",
                format!("辖区 {j} 不存在"),
                format!("jurisdiction {j} does not exist"),
            )
            .into(),
            other => other,
        })
    }

    pub async fn create_account(&self, actor: &Actor, new: NewAccount) -> Result<Account> {
        may_grant(actor, new.role, &new.jurisdiction)?;
        self.ensure_jurisdiction_exists(&new.jurisdiction).await?;
        let hash = hash_password(new.password.clone()).await?;
        let scope = new.jurisdiction.scope();
        let mut w = self.write(actor).await?;
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM accounts WHERE username = $1")
            .bind(new.username.to_string())
            .fetch_optional(w.conn())
            .await?;
        if taken.is_some() {
            return Err(StoreError::Taken {
                field: "username",
                value: new.username.to_string(),
            });
        }
        let at = w.at().to_owned();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO accounts (username, display_name, role, jurisdiction, county_code, town_code,
                office_code, department_code, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(new.username.to_string())
        .bind(new.display_name.clone())
        .bind(new.role.slug().to_owned())
        .bind(new.jurisdiction.to_string())
        .bind(scope.county.as_ref().map(ToString::to_string))
        .bind(scope.town.as_ref().map(ToString::to_string))
        .bind(scope.office.as_ref().map(ToString::to_string))
        .bind(scope.department.as_ref().map(ToString::to_string))
        .bind(hash)
        .bind(at)
        .fetch_one(w.conn())
        .await?;
        w.audit(
            "account.create",
            "account",
            &id.to_string(),
            &Scope {
                account: Some(id),
                ..scope
            },
            json!({ "username": new.username, "display_name": new.display_name,
                    "role": new.role, "jurisdiction": new.jurisdiction }),
        );
        w.commit().await?;
        self.account(&Actor::System("store"), id).await
    }

    pub async fn accounts(
        &self,
        actor: &Actor,
        filter: &AccountFilter,
        page: PageRequest,
    ) -> Result<Page<Account>> {
        let reach = reach(actor, ResourceKind::Account, Action::Read);
        let where_ = |sql: &mut Sql| {
            sql.push(" WHERE ");
            push_reach(sql, &reach, &SCOPE);
            if let Some(r) = filter.role {
                sql.push(" AND a.role = ").bind(r.slug().to_owned());
            }
        };
        let (rows, total): (Vec<AccountRow>, i64) = self
            .page_of("FROM accounts a", SELECT, "a.id", where_, page)
            .await?;
        Ok(Page::new(
            rows.into_iter().map(Account::from).collect(),
            page,
            total,
        ))
    }

    /// One account, if the actor may see it.
    pub async fn account(&self, actor: &Actor, id: i64) -> Result<Account> {
        let mut sql = Sql::new(SELECT);
        sql.push(" WHERE a.id = ").bind(id).push(" AND ");
        push_reach(
            &mut sql,
            &reach(actor, ResourceKind::Account, Action::Read),
            &SCOPE,
        );
        let row: Option<AccountRow> = sql.query_as().fetch_optional(self.pool()).await?;
        row.map(Account::from)
            .ok_or_else(|| StoreError::not_found("account", id))
    }

    pub async fn account_by_username(&self, actor: &Actor, username: &Username) -> Result<Account> {
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM accounts WHERE username = $1")
            .bind(username.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found("account", username))?;
        self.account(actor, id).await
    }

    /// Changes an account's display name and whether it is disabled.
    pub async fn update_account(
        &self,
        actor: &Actor,
        id: i64,
        display_name: &str,
        disabled: bool,
        version: i64,
    ) -> Result<Account> {
        let display_name = text::bounded("display_name", display_name, 60)?;
        let before = self.account(actor, id).await?;
        ensure_may_manage(actor, ResourceKind::Account, &before.scope(), "account", id)?;
        may_grant(actor, before.role, &before.jurisdiction)?;
        if disabled && actor.staff().is_some_and(|s| s.id == id) {
            return Err(DomainError::invalid(
                "disabled",
                "不能停用自己的账号",
                "you cannot disable your own account",
            )
            .into());
        }
        let mut w = self.write(actor).await?;
        let done = sqlx::query(
            "UPDATE accounts SET display_name = $1, disabled = $2, version = version + 1 WHERE id = $3 AND version = $4",
        )
        .bind(display_name.clone())
        .bind(flag(disabled))
        .bind(id)
        .bind(version)
        .execute(w.conn())
        .await?;
        ensure_updated(&done, "account", id, version)?;
        if disabled {
            // A disabled account keeps no way in.
            sqlx::query("DELETE FROM sessions WHERE account_id = $1")
                .bind(id)
                .execute(w.conn())
                .await?;
            sqlx::query("UPDATE api_tokens SET revoked = 1 WHERE account_id = $1")
                .bind(id)
                .execute(w.conn())
                .await?;
        }
        w.audit(
            "account.update",
            "account",
            &id.to_string(),
            &before.scope(),
            changes([
                (
                    "display_name",
                    json!(before.display_name),
                    json!(display_name),
                ),
                ("disabled", json!(before.disabled), json!(disabled)),
            ]),
        );
        w.commit().await?;
        self.account(actor, id).await
    }

    /// Sets a password: an administrator's reset, or the account holder's own change. Either way
    /// the account's sessions end.
    pub async fn set_password(&self, actor: &Actor, id: i64, password: &str) -> Result<()> {
        let password = text::password("password", password)?;
        let target = self.account(actor, id).await?;
        let own = actor.staff().is_some_and(|s| s.id == id);
        if !own {
            ensure_may_manage(actor, ResourceKind::Account, &target.scope(), "account", id)?;
            may_grant(actor, target.role, &target.jurisdiction)?;
        }
        let hash = hash_password(password).await?;
        let mut w = self.write(actor).await?;
        sqlx::query("UPDATE accounts SET password_hash = $1, version = version + 1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(w.conn())
            .await?;
        // Guesses at the old password say nothing about the new one.
        crate::throttle::forget_attempts(w.conn(), Secret::Password, target.username.as_str())
            .await?;
        sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(id)
            .execute(w.conn())
            .await?;
        w.audit(
            "account.password",
            "account",
            &id.to_string(),
            &target.scope(),
            json!({ "by": if own { "self" } else { "administrator" } }),
        );
        w.commit().await
    }
}
