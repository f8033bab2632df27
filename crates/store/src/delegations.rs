//! Delegation of items to towns (赋权目录): batches issued by a document, what they hand to which
//! town office or town, changes recorded as new records, and what follows on a given date: what
//! an office may handle, who is competent for an item in a town, and where a citizen can apply.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::access::{Actor, ResourceKind, Scope};
use tongquan_domain::catalog::{
    Competent, DelegationEvent, DelegationEventKind, DelegationKind, DelegationStatus, OpenCases,
    Recipient, Validity, check_event, competent, delegation_status, optional_text, parse_date,
};
use tongquan_domain::codes::{CountyCode, DepartmentCode, OfficeCode, TownCode};
use tongquan_domain::geo::distance_km;
use tongquan_domain::org::OfficeKind;
use tongquan_domain::{DomainError, text};

use crate::catalog::{ItemFilter, ItemSummary};
use crate::db::Sql;
use crate::offices::{Office, OfficeFilter};
use crate::write::ensure_may_manage;
use crate::{Page, PageRequest, Result, Store, StoreError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Batch {
    pub id: i64,
    #[schema(value_type = String)]
    pub county_code: CountyCode,
    /// 文号, e.g. 乐政发〔2023〕12号.
    pub doc_number: String,
    pub doc_date: String,
    pub title: String,
    #[schema(value_type = String, example = "devolve")]
    pub kind: DelegationKind,
    /// The county body handing the powers down.
    pub department_code: String,
    pub department_name: String,
    pub legal_basis: String,
    /// What becomes of open cases when one of the batch's powers is suspended or revoked.
    #[schema(value_type = String, example = "stay")]
    pub open_cases: OpenCases,
    pub created_at: String,
    pub delegations: i64,
}

/// A batch as a form, JSON body or command gives it.
#[derive(Debug, Clone)]
pub struct NewBatch {
    pub county: CountyCode,
    pub doc_number: String,
    pub doc_date: NaiveDate,
    pub title: String,
    pub kind: DelegationKind,
    pub department: DepartmentCode,
    pub legal_basis: String,
    pub open_cases: OpenCases,
}

impl NewBatch {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        county: &str,
        doc_number: &str,
        doc_date: &str,
        title: &str,
        kind: &str,
        department: &str,
        legal_basis: &str,
        open_cases: &str,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            county: CountyCode::parse("county", county)?,
            doc_number: text::bounded("doc_number", doc_number, 60)?,
            doc_date: parse_date("doc_date", doc_date)?,
            title: text::bounded("title", title, 200)?,
            kind: DelegationKind::parse("kind", kind.trim())?,
            department: DepartmentCode::parse("department", department)?,
            legal_basis: optional_text("legal_basis", legal_basis, 2000)?,
            open_cases: match open_cases.trim() {
                "" => OpenCases::Stay,
                v => OpenCases::parse("open_cases", v)?,
            },
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DelegationChange {
    /// suspend, resume or revoke.
    pub kind: String,
    pub effective: String,
    pub reason: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delegation {
    pub id: i64,
    pub batch_id: i64,
    pub doc_number: String,
    pub item_id: i64,
    pub impl_code: String,
    /// A town office (branch or centre) code, or a town code.
    pub recipient: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// On the date asked about.
    #[schema(value_type = String, example = "active")]
    pub status: DelegationStatus,
    pub changes: Vec<DelegationChange>,
}

impl Delegation {
    fn recipient(&self) -> Recipient {
        Recipient::parse("recipient", &self.recipient).expect("stored recipients were checked")
    }
}

/// Where a citizen of a town can apply for an item.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplyAt {
    pub office: Office,
    /// Great-circle km from the town; absent where the town or the office has no coordinates.
    pub km: Option<f64>,
    /// The office that decides the case.
    pub competent: bool,
    /// A cross-jurisdiction window (通办) that takes the application in and hands it over.
    pub tongban: bool,
}

/// Who decides an item in a town, and which document gave them the power.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Competence {
    /// An office, town or department code.
    pub code: String,
    /// office, town or department.
    pub kind: &'static str,
    pub name: String,
    /// The document that handed the power down; absent when it stayed with the county.
    pub doc_number: Option<String>,
}

/// The items × towns matrix of a county: who is competent for each item in each town.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Matrix {
    pub date: String,
    pub towns: Vec<crate::offices::TownRef>,
    pub rows: Vec<MatrixRow>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatrixRow {
    pub item: ItemSummary,
    /// One code per town, in the order of `towns`: the competent office, town or department.
    pub cells: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct BatchRow {
    id: i64,
    county_code: String,
    doc_number: String,
    doc_date: String,
    title: String,
    kind: String,
    department_code: String,
    department_name: String,
    legal_basis: String,
    open_cases: String,
    created_at: String,
    delegations: i64,
}

impl From<BatchRow> for Batch {
    fn from(r: BatchRow) -> Self {
        Self {
            id: r.id,
            county_code: CountyCode::parse("county_code", &r.county_code).expect("stored"),
            doc_number: r.doc_number,
            doc_date: r.doc_date,
            title: r.title,
            kind: DelegationKind::parse("kind", &r.kind).expect("stored"),
            department_code: r.department_code,
            department_name: r.department_name,
            legal_basis: r.legal_basis,
            open_cases: OpenCases::parse("open_cases", &r.open_cases).expect("stored"),
            created_at: r.created_at,
            delegations: r.delegations,
        }
    }
}

const BATCH_SELECT: &str =
    "SELECT b.id, b.county_code, b.doc_number, b.doc_date, b.title, b.kind, b.department_code,
    d.name AS department_name, b.legal_basis, b.open_cases, b.created_at,
    (SELECT COUNT(*) FROM delegations x WHERE x.batch_id = b.id) AS delegations
    FROM batches b JOIN departments d ON d.code = b.department_code";

#[derive(sqlx::FromRow)]
struct DelegationRow {
    id: i64,
    batch_id: i64,
    doc_number: String,
    item_id: i64,
    impl_code: String,
    recipient: String,
    valid_from: String,
    valid_to: Option<String>,
}

const DELEGATION_SELECT: &str = "SELECT x.id, x.batch_id, b.doc_number, x.item_id, i.impl_code, x.recipient, x.valid_from, x.valid_to
    FROM delegations x JOIN batches b ON b.id = x.batch_id JOIN items i ON i.id = x.item_id";

fn day(s: &str) -> NaiveDate {
    parse_date("date", s).expect("stored dates were checked")
}

fn batch_scope(county: &CountyCode) -> Scope {
    Scope {
        county: Some(county.clone()),
        ..Scope::default()
    }
}

impl Store {
    pub async fn create_batch(&self, actor: &Actor, b: NewBatch) -> Result<Batch> {
        self.county(&b.county).await?;
        ensure_may_manage(
            actor,
            ResourceKind::Delegation,
            &batch_scope(&b.county),
            "batch",
            &b.doc_number,
        )?;
        if b.department.county() != b.county {
            return Err(DomainError::invalid(
                "department",
                format!("部门 {} 不属于县 {}", b.department, b.county),
                format!(
                    "department {} is not one of county {}'s",
                    b.department, b.county
                ),
            )
            .into());
        }
        self.department(&b.department).await.map_err(|e| match e {
            StoreError::NotFound { .. } => DomainError::invalid(
                "department",
                format!("部门 {} 不存在", b.department),
                format!("unknown department {}", b.department),
            )
            .into(),
            e => e,
        })?;
        let mut w = self.write(actor).await?;
        let taken: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM batches WHERE county_code = $1 AND doc_number = $2")
                .bind(b.county.to_string())
                .bind(b.doc_number.clone())
                .fetch_optional(w.conn())
                .await?;
        if taken.is_some() {
            return Err(StoreError::Taken {
                field: "doc_number",
                value: b.doc_number,
            });
        }
        let at = w.at().to_owned();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO batches (county_code, doc_number, doc_date, title, kind, department_code, legal_basis, open_cases, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(b.county.to_string())
        .bind(b.doc_number.clone())
        .bind(b.doc_date.to_string())
        .bind(b.title.clone())
        .bind(b.kind.slug())
        .bind(b.department.to_string())
        .bind(b.legal_basis.clone())
        .bind(b.open_cases.slug())
        .bind(at)
        .fetch_one(w.conn())
        .await?;
        w.audit(
            "batch.create",
            "batch",
            &id.to_string(),
            &batch_scope(&b.county),
            json!({ "doc_number": b.doc_number, "kind": b.kind, "department": b.department, "open_cases": b.open_cases }),
        );
        w.commit().await?;
        self.batch(id).await
    }

    pub async fn batch(&self, id: i64) -> Result<Batch> {
        let mut sql = Sql::new(BATCH_SELECT);
        sql.push(" WHERE b.id = ").bind(id);
        let row: Option<BatchRow> = sql.query_as().fetch_optional(self.pool()).await?;
        row.map(Batch::from)
            .ok_or_else(|| StoreError::not_found("batch", id))
    }

    pub async fn batches(
        &self,
        county: Option<&CountyCode>,
        page: PageRequest,
    ) -> Result<Page<Batch>> {
        let where_ = |sql: &mut Sql| {
            if let Some(c) = county {
                sql.push(" WHERE b.county_code = ").bind(c.to_string());
            }
        };
        let (rows, total): (Vec<BatchRow>, i64) = self
            .page_of(
                "FROM batches b",
                BATCH_SELECT,
                "b.doc_date DESC, b.id DESC",
                where_,
                page,
            )
            .await?;
        Ok(Page::new(
            rows.into_iter().map(Batch::from).collect(),
            page,
            total,
        ))
    }

    /// A batch the actor may delegate under. Callers check this before looking anything else up,
    /// so a caller without the power learns nothing from the answer (not even whether an item
    /// code exists in the county).
    pub async fn batch_to_delegate(&self, actor: &Actor, batch_id: i64) -> Result<Batch> {
        let batch = self.batch(batch_id).await?;
        ensure_may_manage(
            actor,
            ResourceKind::Delegation,
            &batch_scope(&batch.county_code),
            "batch",
            batch_id,
        )?;
        Ok(batch)
    }

    /// Hands items to recipients under a batch, from `validity.from`. Every item must be one of
    /// the batch's county, every recipient a town office or town of that county; enforcement
    /// powers go to towns, other items to offices. Pairs already in the batch are left as they are.
    /// Returns how many delegations were added.
    pub async fn delegate(
        &self,
        actor: &Actor,
        batch_id: i64,
        items: &[i64],
        recipients: &[Recipient],
        validity: Validity,
    ) -> Result<usize> {
        let batch = self.batch_to_delegate(actor, batch_id).await?;
        if items.is_empty() || recipients.is_empty() {
            return Err(DomainError::Required {
                field: if items.is_empty() {
                    "items".into()
                } else {
                    "recipients".into()
                },
            }
            .into());
        }
        for r in recipients {
            if r.county() != batch.county_code {
                return Err(DomainError::invalid(
                    "recipients",
                    format!("{} 不在县 {} 内", r.code(), batch.county_code),
                    format!("{} is outside county {}", r.code(), batch.county_code),
                )
                .into());
            }
            let exists = match r {
                Recipient::Office(o) => self.office(o).await.map(drop),
                Recipient::Town(t) => self.town(t).await.map(drop),
            };
            if let Err(StoreError::NotFound { .. }) = exists {
                return Err(DomainError::invalid(
                    "recipients",
                    format!("{} 不存在", r.code()),
                    format!("{} does not exist", r.code()),
                )
                .into());
            }
            exists?;
        }
        let system = Actor::System("delegate");
        let mut checked = Vec::with_capacity(items.len());
        for &id in items {
            let item = match self.item(&system, id, Some(validity.from)).await {
                Ok(i) => i,
                Err(StoreError::NotFound { .. }) => {
                    return Err(DomainError::invalid(
                        "items",
                        format!("事项 {id} 不存在"),
                        format!("item {id} does not exist"),
                    )
                    .into());
                }
                Err(e) => return Err(e),
            };
            if item.county_code != batch.county_code {
                return Err(DomainError::invalid(
                    "items",
                    format!(
                        "事项 {} 属于县 {}，不是本县事项",
                        item.impl_code, item.county_code
                    ),
                    format!(
                        "item {} belongs to county {}, which does not hold it here",
                        item.impl_code, item.county_code
                    ),
                )
                .into());
            }
            let version = item
                .current()
                .or_else(|| item.versions.iter().rev().find(|v| v.status == "published"))
                .ok_or_else(|| {
                    DomainError::invalid(
                        "items",
                        format!("事项 {} 尚未发布", item.impl_code),
                        format!("item {} has no published version", item.impl_code),
                    )
                })?;
            let enforcement = version.content.item_type.is_enforcement();
            for r in recipients {
                if enforcement != matches!(r, Recipient::Town(_)) {
                    return Err(DomainError::invalid(
                        "recipients",
                        format!("执法事项 {} 应赋权给乡镇，审批和便民事项应交给乡镇办事机构", item.impl_code),
                        format!("enforcement powers go to towns and other items to town offices ({} to {})", item.impl_code, r.code()),
                    )
                    .into());
                }
            }
            checked.push((item.id, item.impl_code));
        }
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let mut added = 0;
        for (item_id, _) in &checked {
            for r in recipients {
                let (town, office) = match r {
                    Recipient::Office(o) => {
                        (o.centre_town().map(|t| t.to_string()), Some(o.to_string()))
                    }
                    Recipient::Town(t) => (Some(t.to_string()), None),
                };
                let done = sqlx::query(
                    "INSERT INTO delegations (batch_id, item_id, recipient, county_code, town_code, office_code, valid_from, valid_to, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                )
                .bind(batch_id)
                .bind(*item_id)
                .bind(r.code())
                .bind(batch.county_code.to_string())
                .bind(town)
                .bind(office)
                .bind(validity.from.to_string())
                .bind(validity.to.map(|d| d.to_string()))
                .bind(at.clone())
                .execute(w.conn())
                .await?;
                added += done.rows_affected() as usize;
            }
        }
        if added == 0 {
            return Ok(0);
        }
        w.audit(
            "delegation.create",
            "batch",
            &batch_id.to_string(),
            &batch_scope(&batch.county_code),
            json!({ "doc_number": batch.doc_number, "items": checked.iter().map(|c| &c.1).collect::<Vec<_>>(),
                    "recipients": recipients.iter().map(Recipient::code).collect::<Vec<_>>(),
                    "valid_from": validity.from, "valid_to": validity.to, "added": added }),
        );
        w.commit().await?;
        Ok(added)
    }

    /// Delegations with their recorded changes and their status on `date`.
    async fn delegations_where(
        &self,
        filter: impl Fn(&mut Sql),
        date: NaiveDate,
    ) -> Result<Vec<Delegation>> {
        let mut sql = Sql::new(DELEGATION_SELECT);
        filter(&mut sql);
        sql.push(" ORDER BY x.id");
        let rows: Vec<DelegationRow> = sql.query_as().fetch_all(self.pool()).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut changes: HashMap<i64, Vec<DelegationChange>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(
                "SELECT delegation_id, kind, effective, reason, created_at FROM delegation_events WHERE ",
            );
            sql.bind_in("delegation_id", chunk)
                .push(" ORDER BY effective, id");
            let events: Vec<(i64, String, String, String, String)> =
                sql.query_as().fetch_all(self.pool()).await?;
            for (id, kind, effective, reason, created_at) in events {
                changes.entry(id).or_default().push(DelegationChange {
                    kind,
                    effective,
                    reason,
                    created_at,
                });
            }
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let changes = changes.remove(&r.id).unwrap_or_default();
                let events: Vec<DelegationEvent> = changes
                    .iter()
                    .map(|c| DelegationEvent {
                        kind: DelegationEventKind::parse("kind", &c.kind).expect("stored"),
                        effective: day(&c.effective),
                    })
                    .collect();
                let status = delegation_status(
                    day(&r.valid_from),
                    r.valid_to.as_deref().map(day),
                    &events,
                    date,
                );
                Delegation {
                    id: r.id,
                    batch_id: r.batch_id,
                    doc_number: r.doc_number,
                    item_id: r.item_id,
                    impl_code: r.impl_code,
                    recipient: r.recipient,
                    valid_from: r.valid_from,
                    valid_to: r.valid_to,
                    status,
                    changes,
                }
            })
            .collect())
    }

    pub async fn batch_delegations(
        &self,
        batch_id: i64,
        date: NaiveDate,
    ) -> Result<Vec<Delegation>> {
        self.batch(batch_id).await?;
        self.delegations_where(
            |s| {
                s.push(" WHERE x.batch_id = ").bind(batch_id);
            },
            date,
        )
        .await
    }

    pub async fn delegation(&self, id: i64, date: NaiveDate) -> Result<Delegation> {
        self.delegations_where(
            |s| {
                s.push(" WHERE x.id = ").bind(id);
            },
            date,
        )
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found("delegation", id))
    }

    /// Suspends, resumes or revokes a delegation from `effective`, with a reason: a new record.
    pub async fn record_change(
        &self,
        actor: &Actor,
        id: i64,
        kind: DelegationEventKind,
        effective: NaiveDate,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Delegation> {
        let d = self.delegation(id, effective).await?;
        let batch = self.batch(d.batch_id).await?;
        ensure_may_manage(
            actor,
            ResourceKind::Delegation,
            &batch_scope(&batch.county_code),
            "delegation",
            id,
        )?;
        let valid_from = parse_date("valid_from", &d.valid_from)?;
        let reason = check_event(d.status, kind, reason, valid_from, effective)?;
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        sqlx::query("INSERT INTO delegation_events (delegation_id, kind, effective, reason, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(kind.slug())
            .bind(effective.to_string())
            .bind(reason.clone())
            .bind(at)
            .execute(w.conn())
            .await?;
        w.audit(
            &format!("delegation.{}", kind.slug()),
            "delegation",
            &id.to_string(),
            &batch_scope(&batch.county_code),
            json!({ "doc_number": batch.doc_number, "item": d.impl_code, "recipient": d.recipient, "effective": effective, "reason": reason }),
        );
        w.commit().await?;
        if batch.open_cases == OpenCases::Transfer {
            self.transfer_cases(today).await?;
        }
        self.delegation(id, effective).await
    }

    /// The items handed to a recipient and in force with it on `date`.
    pub async fn delegated_items(&self, to: &Recipient, date: NaiveDate) -> Result<Vec<i64>> {
        let code = to.code();
        let all = self
            .delegations_where(
                |s| {
                    s.push(" WHERE x.recipient = ").bind(code.clone());
                },
                date,
            )
            .await?;
        let mut ids: Vec<i64> = all
            .into_iter()
            .filter(|d| d.status == DelegationStatus::Active)
            .map(|d| d.item_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// What an office may handle on `date`: its county's whole catalog for a county hall, what
    /// is handed to it for a branch or centre.
    pub async fn office_items(
        &self,
        office: &OfficeCode,
        filter: ItemFilter,
        page: PageRequest,
    ) -> Result<Page<ItemSummary>> {
        self.office(office).await?;
        let filter = match office.kind() {
            OfficeKind::CountyHall => ItemFilter {
                county: Some(office.county()),
                ..filter
            },
            _ => ItemFilter {
                delegated_to: Some(Recipient::Office(office.clone())),
                ..filter
            },
        };
        self.items(&filter, page).await
    }

    /// The delegations of an item in force on `date`.
    pub async fn active_delegations(
        &self,
        item_id: i64,
        date: NaiveDate,
    ) -> Result<Vec<Delegation>> {
        Ok(self
            .delegations_where(
                |s| {
                    s.push(" WHERE x.item_id = ").bind(item_id);
                },
                date,
            )
            .await?
            .into_iter()
            .filter(|d| d.status == DelegationStatus::Active)
            .collect())
    }

    /// The branch that serves a town, if any.
    pub(crate) async fn branch_of(&self, town: &TownCode) -> Result<Option<OfficeCode>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT MIN(office_code) FROM office_towns WHERE town_code = $1 HAVING COUNT(*) > 0",
        )
        .bind(town.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(c,)| OfficeCode::parse("office", &c).expect("stored")))
    }

    /// Who is competent for an item in a town on `date`, and by which document.
    pub async fn competence(
        &self,
        item_id: i64,
        town: &TownCode,
        date: NaiveDate,
    ) -> Result<Competence> {
        let item = self
            .item(&Actor::System("guide"), item_id, Some(date))
            .await?;
        let town_record = self.town(town).await?;
        self.competence_of(&item, &town_record, date).await
    }

    /// [`Store::competence`] for an item and town already read.
    pub(crate) async fn competence_of(
        &self,
        item: &crate::catalog::Item,
        town_record: &crate::geography::Town,
        date: NaiveDate,
    ) -> Result<Competence> {
        let (item_id, town) = (item.id, &town_record.code);
        if town_record.county_code != item.county_code {
            return Err(DomainError::invalid(
                "town",
                format!("乡镇 {town} 不在事项所属的县 {}", item.county_code),
                format!(
                    "town {town} is not in the item's county {}",
                    item.county_code
                ),
            )
            .into());
        }
        let handed = self.active_delegations(item_id, date).await?;
        let branch = self.branch_of(town).await?;
        let (who, doc_number) = decide_competence(item, town, branch.as_ref(), &handed, date)?;
        Ok(match who {
            Competent::Office(o) => Competence {
                name: self.office_place(&o).await?.0,
                doc_number,
                code: o.to_string(),
                kind: "office",
            },
            Competent::Town(t) => Competence {
                name: town_record.name.clone(),
                doc_number,
                code: t.to_string(),
                kind: "town",
            },
            Competent::Department(d) => Competence {
                name: self.department(&d).await?.name,
                doc_number,
                code: d.to_string(),
                kind: "department",
            },
        })
    }

    /// Where a citizen of `town` can apply for an item on `date`: the competent office, and
    /// where the item allows any-window handling (通办), every county hall and branch of the
    /// city, nearest first.
    pub async fn where_to_apply(
        &self,
        item_id: i64,
        town: &TownCode,
        date: NaiveDate,
    ) -> Result<(Competence, Vec<ApplyAt>)> {
        let who = self.competence(item_id, town, date).await?;
        let item = self
            .item(&Actor::System("guide"), item_id, Some(date))
            .await?;
        let tongban = item.current().is_some_and(|v| v.content.tongban_allowed);
        let from = self.town(town).await?.position();
        let mut places = Vec::new();
        if who.kind == "office" {
            let office = self
                .office(&OfficeCode::parse("office", &who.code).expect("stored"))
                .await?;
            places.push(ApplyAt {
                km: None,
                competent: true,
                tongban: false,
                office,
            });
        }
        if tongban {
            for kind in [OfficeKind::CountyHall, OfficeKind::Branch] {
                let offices = self
                    .offices(
                        &OfficeFilter {
                            county: None,
                            kind: Some(kind),
                        },
                        PageRequest {
                            page: 1,
                            per_page: 500,
                        },
                    )
                    .await?;
                places.extend(
                    offices
                        .items
                        .into_iter()
                        .filter(|o| o.code.as_str() != who.code)
                        .map(|office| ApplyAt {
                            km: None,
                            competent: false,
                            tongban: true,
                            office,
                        }),
                );
            }
        }
        for p in &mut places {
            if let (Some(a), Some(lat), Some(lon)) = (from, p.office.lat, p.office.lon) {
                p.km = Some(distance_km(a, tongquan_domain::geo::LatLon { lat, lon }));
            }
        }
        // Nearest first; without coordinates the competent office leads.
        places.sort_by(|a, b| match (a.km, b.km) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            _ => b
                .competent
                .cmp(&a.competent)
                .then_with(|| a.office.code.cmp(&b.office.code)),
        });
        Ok((who, places))
    }

    /// Who is competent for each item in each town of a county on `date`.
    pub async fn matrix(
        &self,
        county: &CountyCode,
        filter: ItemFilter,
        page: PageRequest,
    ) -> Result<Matrix> {
        let towns = self.all_towns(Some(county)).await?;
        let items = self
            .items(
                &ItemFilter {
                    county: Some(county.clone()),
                    ..filter.clone()
                },
                page,
            )
            .await?;
        let ids: Vec<i64> = items.items.iter().map(|i| i.id).collect();
        let mut active: HashMap<i64, Vec<Recipient>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let handed = self
                .delegations_where(
                    |s| {
                        s.push(" WHERE ").bind_in("x.item_id", chunk);
                    },
                    filter.date,
                )
                .await?;
            for d in handed
                .into_iter()
                .filter(|d| d.status == DelegationStatus::Active)
            {
                let r = d.recipient();
                active.entry(d.item_id).or_default().push(r);
            }
        }
        let branches: HashMap<String, Option<OfficeCode>> = towns
            .iter()
            .map(|t| {
                (
                    t.code.to_string(),
                    (t.served_by.kind() == OfficeKind::Branch).then(|| t.served_by.clone()),
                )
            })
            .collect();
        let rows = items
            .items
            .into_iter()
            .map(|item| {
                let department =
                    DepartmentCode::parse("department", &item.department_code).expect("stored");
                let handed = active.get(&item.id).map_or(&[][..], Vec::as_slice);
                let cells = towns
                    .iter()
                    .map(|t| {
                        match competent(
                            item.item_type,
                            &department,
                            &t.code,
                            branches[t.code.as_str()].as_ref(),
                            handed,
                        ) {
                            Competent::Office(o) => o.to_string(),
                            Competent::Town(t) => t.to_string(),
                            Competent::Department(d) => d.to_string(),
                        }
                    })
                    .collect();
                MatrixRow { item, cells }
            })
            .collect();
        Ok(Matrix {
            date: filter.date.to_string(),
            towns: towns
                .into_iter()
                .map(|t| crate::offices::TownRef {
                    code: t.code,
                    name: t.name,
                })
                .collect(),
            rows,
            page: items.page,
            per_page: items.per_page,
            total: items.total,
        })
    }
}

/// The competent body for an item (as in force on `date`) in a town, from the branch serving the
/// town and the item's delegations in force that day, with the document of the one that made it
/// so. Reading those is the caller's; deciding is here only.
pub(crate) fn decide_competence(
    item: &crate::catalog::Item,
    town: &TownCode,
    branch: Option<&OfficeCode>,
    handed: &[Delegation],
    date: NaiveDate,
) -> Result<(Competent, Option<String>)> {
    let version = item.current().ok_or_else(|| {
        DomainError::invalid(
            "date",
            format!("事项在 {date} 不在有效期内"),
            format!("the item is not in force on {date}"),
        )
    })?;
    let active: Vec<Recipient> = handed.iter().map(Delegation::recipient).collect();
    let who = competent(
        version.content.item_type,
        &version.content.department,
        town,
        branch,
        &active,
    );
    let code = match &who {
        Competent::Office(o) => o.to_string(),
        Competent::Town(t) => t.to_string(),
        Competent::Department(_) => String::new(),
    };
    let doc = handed
        .iter()
        .find(|d| !code.is_empty() && d.recipient == code)
        .map(|d| d.doc_number.clone());
    Ok((who, doc))
}
