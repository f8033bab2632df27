//! The only way to change data: a transaction that also appends to the audit chain.

use serde_json::{Map, Value, json};
use sqlx::any::AnyQueryResult;
use sqlx::{Any, AnyConnection, Transaction};
use tongquan_domain::access::{Action, Actor, ResourceKind, Scope, may};
use tongquan_domain::audit::AuditEntry;
use tongquan_domain::{DomainError, Message};

use crate::{Result, Store, StoreError};

pub(crate) struct Write {
    tx: Transaction<'static, Any>,
    actor: String,
    at: String,
    prev_hash: String,
    next_seq: i64,
    entries: Vec<AuditEntry>,
    /// Held until the write ends (SQLite only).
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Store {
    /// Starts a write. Its first statement takes the audit head's row lock, so concurrent writes
    /// queue here (SQLite: the write lock; PostgreSQL: the row lock) instead of forking the chain.
    pub(crate) async fn write(&self, actor: &Actor) -> Result<Write> {
        let turn = self.writer_turn().await;
        let mut tx = self.pool().begin().await?;
        let (seq, hash): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *tx)
                .await?;
        Ok(Write {
            tx,
            actor: actor.audit_name(),
            at: self.now(),
            prev_hash: hash,
            next_seq: seq + 1,
            entries: Vec::new(),
            _turn: turn,
        })
    }

    /// The writer's turn on SQLite; PostgreSQL lets writers run side by side.
    pub(crate) async fn writer_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.backend() {
            crate::Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            crate::Backend::Postgres => None,
        }
    }
}

impl Write {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Who writes, as the audit trail names them.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The transaction's timestamp, for rows written in it.
    pub fn at(&self) -> &str {
        &self.at
    }

    /// Records what this write did; `detail` summarises the change (before/after).
    pub fn audit(&mut self, action: &str, kind: &str, id: &str, scope: &Scope, detail: Value) {
        let entry = AuditEntry {
            seq: self.next_seq,
            at: self.at.clone(),
            actor: self.actor.clone(),
            action: action.to_owned(),
            resource_kind: kind.to_owned(),
            resource_id: id.to_owned(),
            county_code: scope.county.as_ref().map(ToString::to_string),
            town_code: scope.town.as_ref().map(ToString::to_string),
            office_code: scope.office.as_ref().map(ToString::to_string),
            department_code: scope.department.as_ref().map(ToString::to_string),
            detail: detail.to_string(),
            prev_hash: String::new(),
            hash: String::new(),
        }
        .seal(&self.prev_hash);
        self.prev_hash.clone_from(&entry.hash);
        self.next_seq += 1;
        self.entries.push(entry);
    }

    /// Appends the audit entries, moves the head and commits, all or nothing.
    pub async fn commit(mut self) -> Result<()> {
        assert!(
            !self.entries.is_empty(),
            "a write must record at least one audit entry"
        );
        for e in &self.entries {
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor, action, resource_kind, resource_id, county_code,
                    town_code, office_code, department_code, detail, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(e.seq)
            .bind(e.at.clone())
            .bind(e.actor.clone())
            .bind(e.action.clone())
            .bind(e.resource_kind.clone())
            .bind(e.resource_id.clone())
            .bind(e.county_code.clone())
            .bind(e.town_code.clone())
            .bind(e.office_code.clone())
            .bind(e.department_code.clone())
            .bind(e.detail.clone())
            .bind(e.prev_hash.clone())
            .bind(e.hash.clone())
            .execute(&mut *self.tx)
            .await?;
        }
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.next_seq - 1)
            .bind(self.prev_hash.clone())
            .execute(&mut *self.tx)
            .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// A before/after summary of the fields that changed.
pub(crate) fn changes<const N: usize>(fields: [(&str, Value, Value); N]) -> Value {
    let mut out = Map::new();
    for (name, before, after) in fields {
        if before != after {
            out.insert(name.to_owned(), json!({ "before": before, "after": after }));
        }
    }
    Value::Object(out)
}

/// Refuses a change to a record outside the actor's manage reach: 403 if the actor may at least see
/// it, otherwise the same "not found" as for a record that does not exist.
pub(crate) fn ensure_may_manage(
    actor: &Actor,
    kind: ResourceKind,
    scope: &Scope,
    kind_name: &'static str,
    id: impl std::fmt::Display,
) -> Result<()> {
    if may(actor, kind, Action::Manage, scope) {
        Ok(())
    } else if may(actor, kind, Action::Read, scope) {
        Err(DomainError::Forbidden {
            reason: Message::new(
                format!("无权修改 {kind_name} {id}"),
                format!("not allowed to change {kind_name} {id}"),
            ),
        }
        .into())
    } else {
        Err(StoreError::not_found(kind_name, id))
    }
}

/// An UPDATE guarded by `version = $n` that touched nothing means someone else changed the row.
pub(crate) fn ensure_updated(
    done: &AnyQueryResult,
    kind: &'static str,
    id: impl std::fmt::Display,
    expected: i64,
) -> Result<()> {
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale {
            kind,
            id: id.to_string(),
            expected,
        });
    }
    Ok(())
}
