//! Signing in: password logins with lockout, sessions, and API tokens. Only hashes of session and
//! API tokens are stored, so a copy of the database does not let anyone in.

use chrono::Duration;
use serde_json::json;
use sha2::{Digest, Sha256};
use tongquan_domain::access::{Actor, ResourceKind, Staff};
use tongquan_domain::codes::Username;
use tongquan_domain::text;

use crate::accounts::{Account, AccountRow, SELECT, hash_password, verify_password};
use crate::db::{Sql, timestamp};
use crate::throttle::{Client, Secret};
use crate::write::ensure_may_manage;
use crate::{Result, Store, StoreError};

pub const SESSION_HOURS: i64 = 12;

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(rand::random::<[u8; 32]>()))
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: i64,
    password_hash: String,
    disabled: i64,
}

impl Store {
    /// Checks a username and password from `client`; on success opens a session and returns its
    /// token. Guessing is throttled per account and per client (see [`crate::throttle`]).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &Client,
    ) -> Result<(Account, String)> {
        // A hash to verify against when the user does not exist, so both paths take as long.
        static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
        let decoy = DECOY
            .get_or_try_init(|| hash_password("decoy password, never valid".into()))
            .await?;
        let subject = username.trim().to_lowercase();
        let attempt = self.attempt(Secret::Password, &subject, client).await?;
        let creds: Option<Credentials> = match Username::parse("username", username) {
            Ok(u) => {
                sqlx::query_as(
                    "SELECT id, password_hash, disabled FROM accounts WHERE username = $1",
                )
                .bind(u.to_string())
                .fetch_optional(self.pool())
                .await?
            }
            Err(_) => None,
        };
        let Some(c) = creds else {
            verify_password(password.to_owned(), decoy.clone()).await;
            return Err(StoreError::BadCredentials);
        };
        let ok =
            verify_password(password.to_owned(), c.password_hash.clone()).await && c.disabled == 0;
        let account = self.account(&Actor::System("auth"), c.id).await?;
        let actor = Actor::Staff(account.staff());
        if !ok {
            let mut w = self.write(&actor).await?;
            w.audit(
                "auth.login_failed",
                "account",
                &c.id.to_string(),
                &account.scope(),
                json!({ "client": client.to_string() }),
            );
            w.commit().await?;
            return Err(StoreError::BadCredentials);
        }
        self.succeeded(attempt).await?;
        let now = self.now();
        let mut w = self.write(&actor).await?;
        let token = new_token("s_");
        let expires = timestamp(self.clock().now() + Duration::hours(SESSION_HOURS));
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now.clone())
            .execute(w.conn())
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&token))
            .bind(c.id)
            .bind(now)
            .bind(expires.clone())
            .execute(w.conn())
            .await?;
        w.audit(
            "auth.login",
            "account",
            &c.id.to_string(),
            &account.scope(),
            json!({ "session_expires": expires }),
        );
        w.commit().await?;
        Ok((account, token))
    }

    /// The staff member a session token belongs to, if the session is live and the account enabled.
    pub async fn session_staff(&self, token: &str) -> Result<Option<Staff>> {
        let mut sql = Sql::new(SELECT);
        sql.push(
            " JOIN sessions s ON s.account_id = a.id WHERE a.disabled = 0 AND s.token_hash = ",
        )
        .bind(token_hash(token))
        .push(" AND s.expires_at > ")
        .bind(self.now());
        self.fetch_staff(sql).await
    }

    /// The staff member an API token belongs to, if it is not revoked and the account enabled.
    pub async fn token_staff(&self, token: &str) -> Result<Option<Staff>> {
        let mut sql = Sql::new(SELECT);
        sql.push(" JOIN api_tokens k ON k.account_id = a.id WHERE a.disabled = 0 AND k.revoked = 0 AND k.token_hash = ")
            .bind(token_hash(token));
        self.fetch_staff(sql).await
    }

    async fn fetch_staff(&self, sql: Sql) -> Result<Option<Staff>> {
        let row: Option<AccountRow> = sql.query_as().fetch_optional(self.pool()).await?;
        Ok(row.map(|r| Account::from(r).staff()))
    }

    pub async fn logout(&self, actor: &Actor, token: &str) -> Result<()> {
        let Some(staff) = actor.staff() else {
            return Ok(());
        };
        let account = self.account(actor, staff.id).await?;
        let mut w = self.write(actor).await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(w.conn())
            .await?;
        w.audit(
            "auth.logout",
            "account",
            &staff.id.to_string(),
            &account.scope(),
            json!({}),
        );
        w.commit().await
    }

    /// The account holder changes their own password, proving the current one first.
    pub async fn change_own_password(&self, actor: &Actor, current: &str, new: &str) -> Result<()> {
        let staff = actor.staff().ok_or(StoreError::BadCredentials)?;
        let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(staff.id)
            .fetch_one(self.pool())
            .await?;
        if !verify_password(current.to_owned(), hash).await {
            return Err(StoreError::BadCredentials);
        }
        self.set_password(actor, staff.id, new).await
    }

    /// Issues an API token for an account the actor manages (or its own); returns the token, which
    /// is shown once and never stored.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        account_id: i64,
        name: &str,
    ) -> Result<String> {
        let name = text::bounded("name", name, 60)?;
        let target = self.account(actor, account_id).await?;
        if actor.staff().is_none_or(|s| s.id != account_id) {
            ensure_may_manage(
                actor,
                ResourceKind::Account,
                &target.scope(),
                "account",
                account_id,
            )?;
        }
        let token = new_token("tq_");
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        sqlx::query("INSERT INTO api_tokens (account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(account_id)
            .bind(name.clone())
            .bind(token_hash(&token))
            .bind(at)
            .execute(w.conn())
            .await?;
        w.audit(
            "account.token",
            "account",
            &account_id.to_string(),
            &target.scope(),
            json!({ "name": name }),
        );
        w.commit().await?;
        Ok(token)
    }
}
