//! Reading and verifying the audit trail. Entries are only ever appended, by `Write::commit`.

use tongquan_domain::access::{Action, Actor, ResourceKind, reach};
use tongquan_domain::audit::{AuditEntry, ChainVerifier};
use tongquan_domain::codes::CountyCode;

use crate::db::Sql;
use crate::scope::{ScopeColumns, push_reach};
use crate::{Backend, Page, PageRequest, Result, Store};

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exact action, e.g. `office.update`, or a prefix ending in a dot, e.g. `auth.`.
    pub action: Option<String>,
    pub county: Option<CountyCode>,
    /// Substring of the actor's audit name.
    pub actor: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    resource_kind: String,
    resource_id: String,
    county_code: Option<String>,
    town_code: Option<String>,
    office_code: Option<String>,
    department_code: Option<String>,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            resource_kind: r.resource_kind,
            resource_id: r.resource_id,
            county_code: r.county_code,
            town_code: r.town_code,
            office_code: r.office_code,
            department_code: r.department_code,
            detail: r.detail,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

const SELECT: &str =
    "SELECT l.seq, l.at, l.actor, l.action, l.resource_kind, l.resource_id, l.county_code,
    l.town_code, l.office_code, l.department_code, l.detail, l.prev_hash, l.hash FROM audit_log l";

const SCOPE: ScopeColumns = ScopeColumns {
    county: Some("l.county_code"),
    town: Some("l.town_code"),
    office: Some("l.office_code"),
    department: Some("l.department_code"),
    account: None,
};

/// Rows read per round trip while verifying, so memory stays flat however long the trail.
const VERIFY_BATCH: i64 = 5_000;

impl Store {
    /// Entries the actor may read, newest first.
    pub async fn audit_entries(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>> {
        let reach = reach(actor, ResourceKind::AuditEntry, Action::Read);
        let where_ = |sql: &mut Sql| {
            sql.push(" WHERE ");
            push_reach(sql, &reach, &SCOPE);
            match filter.action.as_deref() {
                Some(prefix) if prefix.ends_with('.') => {
                    sql.push(" AND l.action LIKE ")
                        .bind(format!("{}%", escape_like(prefix)))
                        .push(" ESCAPE '\\'");
                }
                Some(exact) => {
                    sql.push(" AND l.action = ").bind(exact.to_owned());
                }
                None => {}
            }
            if let Some(c) = &filter.county {
                sql.push(" AND l.county_code = ").bind(c.to_string());
            }
            if let Some(a) = &filter.actor {
                sql.push(" AND l.actor LIKE ")
                    .bind(format!("%{}%", escape_like(a)))
                    .push(" ESCAPE '\\'");
            }
        };
        let (rows, total): (Vec<AuditRow>, i64) = self
            .page_of("FROM audit_log l", SELECT, "l.seq DESC", where_, page)
            .await?;
        Ok(Page::new(
            rows.into_iter().map(AuditEntry::from).collect(),
            page,
            total,
        ))
    }

    /// Re-hashes the whole trail from one consistent snapshot. Returns the number of entries, or
    /// the first entry that is not what was written.
    pub async fn verify_audit(&self) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        if self.backend() == Backend::Postgres {
            // One snapshot for the head and every batch, while writers carry on.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
        let mut verifier = ChainVerifier::default();
        let mut after = i64::MIN;
        loop {
            let mut sql = Sql::new(SELECT);
            sql.push(" WHERE l.seq > ")
                .bind(after)
                .push(" ORDER BY l.seq LIMIT ")
                .bind(VERIFY_BATCH);
            let rows: Vec<AuditRow> = sql.query_as().fetch_all(&mut *tx).await?;
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for row in rows {
                verifier.push(&AuditEntry::from(row))?;
            }
        }
        tx.commit().await?;
        Ok(verifier.finish(head_seq, &head_hash)?)
    }
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
