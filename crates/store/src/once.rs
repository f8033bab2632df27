//! Idempotency keys: the API's `Idempotency-Key` header and the one-time token an application
//! form carries. The first answer is stored with the write it answers, in one transaction, so a
//! repeat (a double click, a refresh, a retry after a lost answer) gets that answer back instead
//! of a second case.

use chrono::Duration;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tongquan_domain::DomainError;

use crate::db::timestamp;
use crate::{Result, Store, StoreError};

/// A key, the party it belongs to (a staff account or a client address: one party cannot replay
/// another's answer), and what the request asked for.
#[derive(Debug, Clone)]
pub struct Once {
    scope: String,
    key: String,
    fingerprint: String,
}

impl Once {
    /// `key` is 8 to 128 visible ASCII characters, as a UUID or a form's token is.
    pub fn new(
        scope: impl std::fmt::Display,
        key: &str,
        request: &impl Serialize,
    ) -> std::result::Result<Self, DomainError> {
        let key = key.trim();
        if !(8..=128).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(DomainError::invalid(
                "idempotency_key",
                "幂等键应为 8 至 128 个可见 ASCII 字符",
                "an idempotency key is 8 to 128 visible ASCII characters",
            ));
        }
        let request = serde_json::to_vec(request).expect("requests serialise");
        Ok(Self {
            scope: scope.to_string(),
            key: key.to_owned(),
            fingerprint: hex::encode(Sha256::digest(request)),
        })
    }

    /// The answer already given to this key, if any; a different request under the same key is
    /// refused rather than answered with another request's result.
    pub(crate) async fn replay<T: DeserializeOwned>(&self, store: &Store) -> Result<Option<T>> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT fingerprint, response FROM once_keys WHERE scope = $1 AND once_key = $2",
        )
        .bind(self.scope.clone())
        .bind(self.key.clone())
        .fetch_optional(store.pool())
        .await?;
        match row {
            None => Ok(None),
            Some((f, _)) if f != self.fingerprint => Err(DomainError::rule(
                "idempotency_key_reused",
                "该幂等键已用于另一份不同的请求",
                "this idempotency key was used for a different request",
            )
            .into()),
            Some((_, response)) => {
                Ok(Some(serde_json::from_str(&response).map_err(|e| {
                    StoreError::Config(format!("stored answer unreadable: {e}"))
                })?))
            }
        }
    }

    /// Stores the answer within the write that produced it.
    pub(crate) async fn remember<T: Serialize>(
        &self,
        conn: &mut sqlx::AnyConnection,
        at: chrono::DateTime<chrono::Utc>,
        answer: &T,
    ) -> Result<()> {
        sqlx::query("DELETE FROM once_keys WHERE created_at < $1")
            .bind(timestamp(at - Duration::days(1)))
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO once_keys (scope, once_key, fingerprint, response, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(self.scope.clone())
        .bind(self.key.clone())
        .bind(self.fingerprint.clone())
        .bind(serde_json::to_string(answer).expect("answers serialise"))
        .bind(timestamp(at))
        .execute(conn)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Runs `write` unless its key was answered before; `write` stores its answer with
    /// [`Once::remember`] in its own transaction. The same request sent twice at once: the one
    /// that commits first answers both.
    pub(crate) async fn answered_once<T: DeserializeOwned>(
        &self,
        once: Option<&Once>,
        write: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        if let Some(o) = once
            && let Some(first) = o.replay(self).await?
        {
            return Ok(first);
        }
        match (write.await, once) {
            (Err(e), Some(o)) if lost_race(&e) => o.replay(self).await?.ok_or(e),
            (result, _) => result,
        }
    }
}

/// Whether a write failed because another with the same key committed first.
fn lost_race(e: &StoreError) -> bool {
    matches!(e, StoreError::Database(sqlx::Error::Database(d)) if d.is_unique_violation())
}
