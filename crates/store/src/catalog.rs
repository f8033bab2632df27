//! The item catalog: items, their drafts and published versions, search, and imports.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::access::{Action, Actor, ResourceKind, Scope, may};
use tongquan_domain::catalog::{
    Change, ItemContent, ItemType, Material, OnlineDepth, Recipient, ServiceKind, Validity,
    check_publishable, diff, in_force,
};
use tongquan_domain::codes::{BaseCode, CountyCode, DepartmentCode, ImplCode};
use tongquan_domain::{DomainError, Message};

use crate::db::{Sql, flag};
use crate::write::{Write, ensure_may_manage};
use crate::{Page, PageRequest, Result, Store, StoreError};

/// An item as lists and search show it: the version in force on the date asked about.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemSummary {
    pub id: i64,
    #[schema(value_type = String)]
    pub county_code: CountyCode,
    pub impl_code: String,
    pub base_code: String,
    pub name: String,
    pub main_item: String,
    #[schema(value_type = String, example = "licensing")]
    pub item_type: ItemType,
    pub department_code: String,
    pub department_name: String,
    #[schema(value_type = String, example = "approval")]
    pub service: ServiceKind,
    pub statutory_days: Option<i64>,
    pub promised_days: Option<i64>,
    #[schema(value_type = String, example = "online_precheck")]
    pub online_depth: OnlineDepth,
    pub tongban_allowed: bool,
    pub commitment_allowed: bool,
    /// The number of the version shown.
    pub version: i64,
    pub valid_from: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemVersion {
    pub number: i64,
    /// draft or published.
    pub status: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// When a published version stops being in force: its own end or the next version's start.
    pub in_force_until: Option<String>,
    pub content: ItemContent,
    pub created_at: String,
    pub published_at: Option<String>,
    /// For drafts: the value an edit must send back, so that concurrent edits are caught.
    pub lock_version: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Item {
    pub id: i64,
    #[schema(value_type = String)]
    pub county_code: CountyCode,
    pub impl_code: String,
    pub base_code: String,
    /// Published versions, and the draft where the viewer may see it, oldest first.
    pub versions: Vec<ItemVersion>,
    /// The number of the version in force on the date asked about.
    pub in_force: Option<i64>,
}

impl Item {
    pub fn version(&self, number: i64) -> Option<&ItemVersion> {
        self.versions.iter().find(|v| v.number == number)
    }

    pub fn current(&self) -> Option<&ItemVersion> {
        self.in_force.and_then(|n| self.version(n))
    }

    /// What the item says on `date` (the day it was read for), or that it is not in force then.
    pub fn content_on(&self, date: NaiveDate) -> Result<&ItemContent, DomainError> {
        self.current().map(|v| &v.content).ok_or_else(|| {
            DomainError::invalid(
                "item_id",
                format!("事项在 {date} 不在有效期内"),
                format!("the item is not in force on {date}"),
            )
        })
    }

    pub fn draft(&self) -> Option<&ItemVersion> {
        self.versions.iter().find(|v| v.status == "draft")
    }

    /// The latest version, published or not: what a new draft starts from.
    pub fn latest(&self) -> Option<&ItemVersion> {
        self.versions.last()
    }

    pub fn scope(&self) -> Scope {
        let department = self.latest().map(|v| v.content.department.clone());
        Scope {
            county: Some(self.county_code.clone()),
            department,
            ..Scope::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct ItemFilter {
    pub county: Option<CountyCode>,
    /// Substring of the name or of either code.
    pub q: Option<String>,
    pub item_type: Option<ItemType>,
    pub department: Option<DepartmentCode>,
    pub service: Option<ServiceKind>,
    /// Only items handed to this office or town on the date.
    pub delegated_to: Option<Recipient>,
    pub date: NaiveDate,
}

impl ItemFilter {
    pub fn on(date: NaiveDate) -> Self {
        Self {
            county: None,
            q: None,
            item_type: None,
            department: None,
            service: None,
            delegated_to: None,
            date,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    number: i64,
    status: String,
    valid_from: Option<String>,
    valid_to: Option<String>,
    name: String,
    main_item: String,
    item_type: String,
    department_code: String,
    legal_basis_setting: String,
    legal_basis_implementing: String,
    exercise_level: String,
    statutory_days: Option<i64>,
    promised_days: Option<i64>,
    fees: String,
    online_depth: String,
    max_visits: i64,
    commitment_allowed: i64,
    tongban_allowed: i64,
    service: String,
    category: String,
    materials: String,
    licence: String,
    licence_years: Option<i64>,
    created_at: String,
    published_at: Option<String>,
    lock_version: i64,
}

const VERSION_COLUMNS: &str = "v.number, v.status, v.valid_from, v.valid_to, v.name, v.parent_code AS main_item,
    v.item_type, v.department_code, v.legal_basis_setting, v.legal_basis_implementing, v.exercise_level,
    v.statutory_days, v.promised_days, v.fees, v.online_depth, v.max_visits, v.commitment_allowed,
    v.tongban_allowed, v.service, v.category, v.materials, v.licence, v.licence_years, v.created_at,
    v.published_at, v.lock_version";

fn stored<T>(r: Result<T, DomainError>) -> T {
    r.expect("stored value was checked on the way in")
}

fn days(d: Option<i64>) -> Option<u16> {
    d.map(|d| u16::try_from(d).expect("stored days fit"))
}

impl VersionRow {
    fn content(&self) -> ItemContent {
        ItemContent {
            name: self.name.clone(),
            main_item: self.main_item.clone(),
            item_type: stored(ItemType::parse("item_type", &self.item_type)),
            department: stored(DepartmentCode::parse("department", &self.department_code)),
            legal_basis_setting: self.legal_basis_setting.clone(),
            legal_basis_implementing: self.legal_basis_implementing.clone(),
            exercise_level: self.exercise_level.clone(),
            statutory_days: days(self.statutory_days),
            promised_days: days(self.promised_days),
            fees: self.fees.clone(),
            online_depth: stored(OnlineDepth::parse("online_depth", &self.online_depth)),
            max_visits: u8::try_from(self.max_visits).expect("stored visits fit"),
            commitment_allowed: self.commitment_allowed != 0,
            tongban_allowed: self.tongban_allowed != 0,
            service: stored(ServiceKind::parse("service", &self.service)),
            category: self.category.clone(),
            materials: serde_json::from_str::<Vec<Material>>(&self.materials)
                .expect("stored materials are JSON"),
            licence: self.licence.clone(),
            licence_years: days(self.licence_years),
        }
    }

    fn validity(&self) -> Option<Validity> {
        let from = self.valid_from.as_deref()?;
        Some(stored(Validity::parse(
            from,
            self.valid_to.as_deref().unwrap_or(""),
        )))
    }
}

/// Appends "the version `v` of item `i` is the one in force on the date": the latest published
/// version started by then, unless it has ended. `tongquan_domain::catalog::in_force` states the
/// same rule for one item; a test holds the two together.
pub(crate) fn push_in_force(sql: &mut Sql, date: NaiveDate) {
    let d = date.to_string();
    sql.push(" v.status = 'published' AND v.valid_from <= ")
        .bind(d.clone())
        .push(" AND (v.valid_to IS NULL OR v.valid_to > ")
        .bind(d.clone())
        .push(") AND NOT EXISTS (SELECT 1 FROM item_versions n WHERE n.item_id = v.item_id AND n.status = 'published' AND n.valid_from > v.valid_from AND n.valid_from <= ")
        .bind(d)
        .push(")");
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    county_code: String,
    impl_code: String,
    base_code: String,
    department_name: String,
    #[sqlx(flatten)]
    v: VersionRow,
}

impl From<SummaryRow> for ItemSummary {
    fn from(r: SummaryRow) -> Self {
        let c = r.v.content();
        Self {
            id: r.id,
            county_code: stored(CountyCode::parse("county_code", &r.county_code)),
            impl_code: r.impl_code,
            base_code: r.base_code,
            name: c.name,
            main_item: c.main_item,
            item_type: c.item_type,
            department_code: c.department.to_string(),
            department_name: r.department_name,
            service: c.service,
            statutory_days: r.v.statutory_days,
            promised_days: r.v.promised_days,
            online_depth: c.online_depth,
            tongban_allowed: c.tongban_allowed,
            commitment_allowed: c.commitment_allowed,
            version: r.v.number,
            valid_from: r.v.valid_from.clone().unwrap_or_default(),
        }
    }
}

/// The outcome of an import: what was created, left alone, or drafted for review.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    pub rows: usize,
    /// New items, published from the import date.
    pub created: usize,
    /// Items whose version in force already says exactly what the row says.
    pub unchanged: usize,
    /// Items whose row differs from the version in force: a draft holds the difference.
    pub drafted: usize,
}

/// One row of an import, parsed.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    /// Where the row came from, for error reports (e.g. "row 12").
    pub row: usize,
    pub impl_code: ImplCode,
    pub base_code: BaseCode,
    pub content: ItemContent,
}

impl Store {
    /// Refuses a department that is not one of the county's.
    async fn ensure_department(
        &self,
        county: &CountyCode,
        department: &DepartmentCode,
        field: &str,
    ) -> Result<()> {
        if &department.county() != county {
            return Err(DomainError::invalid(
                field,
                format!("部门 {department} 不属于县 {county}"),
                format!("department {department} is not one of county {county}'s"),
            )
            .into());
        }
        match self.department(department).await {
            Ok(_) => Ok(()),
            Err(StoreError::NotFound { .. }) => Err(DomainError::invalid(
                field,
                format!("部门 {department} 不存在"),
                format!("unknown department {department}"),
            )
            .into()),
            Err(e) => Err(e),
        }
    }

    async fn insert_version(
        w: &mut Write,
        item_id: i64,
        number: i64,
        validity: Option<Validity>,
        c: &ItemContent,
    ) -> Result<()> {
        let at = w.at().to_owned();
        sqlx::query(
            "INSERT INTO item_versions (item_id, number, status, valid_from, valid_to, name, parent_code, item_type,
                department_code, legal_basis_setting, legal_basis_implementing, exercise_level, statutory_days,
                promised_days, fees, online_depth, max_visits, commitment_allowed, tongban_allowed, service, category,
                materials, created_at, published_at, licence, licence_years)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
        )
        .bind(item_id)
        .bind(number)
        .bind(if validity.is_some() { "published" } else { "draft" })
        .bind(validity.map(|v| v.from.to_string()))
        .bind(validity.and_then(|v| v.to).map(|d| d.to_string()))
        .bind(c.name.clone())
        .bind(c.main_item.clone())
        .bind(c.item_type.slug())
        .bind(c.department.to_string())
        .bind(c.legal_basis_setting.clone())
        .bind(c.legal_basis_implementing.clone())
        .bind(c.exercise_level.clone())
        .bind(c.statutory_days.map(i64::from))
        .bind(c.promised_days.map(i64::from))
        .bind(c.fees.clone())
        .bind(c.online_depth.slug())
        .bind(i64::from(c.max_visits))
        .bind(flag(c.commitment_allowed))
        .bind(flag(c.tongban_allowed))
        .bind(c.service.slug())
        .bind(c.category.clone())
        .bind(serde_json::to_string(&c.materials).expect("materials serialise"))
        .bind(at.clone())
        .bind(validity.map(|_| at))
        .bind(c.licence.clone())
        .bind(c.licence_years.map(i64::from))
        .execute(w.conn())
        .await?;
        Ok(())
    }

    /// Creates an item with its first version as a draft.
    pub async fn create_item(
        &self,
        actor: &Actor,
        county: &CountyCode,
        impl_code: &ImplCode,
        base_code: &BaseCode,
        content: ItemContent,
    ) -> Result<Item> {
        self.county(county).await?;
        self.ensure_department(county, &content.department, "department")
            .await?;
        let scope = Scope {
            county: Some(county.clone()),
            department: Some(content.department.clone()),
            ..Scope::default()
        };
        ensure_may_manage(actor, ResourceKind::Item, &scope, "item", impl_code)?;
        let mut w = self.write(actor).await?;
        let taken: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM items WHERE county_code = $1 AND impl_code = $2")
                .bind(county.to_string())
                .bind(impl_code.to_string())
                .fetch_optional(w.conn())
                .await?;
        if taken.is_some() {
            return Err(StoreError::Taken {
                field: "impl_code",
                value: impl_code.to_string(),
            });
        }
        let at = w.at().to_owned();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO items (county_code, impl_code, base_code, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(county.to_string())
        .bind(impl_code.to_string())
        .bind(base_code.to_string())
        .bind(at)
        .fetch_one(w.conn())
        .await?;
        Self::insert_version(&mut w, id, 1, None, &content).await?;
        w.audit(
            "item.create",
            "item",
            &id.to_string(),
            &scope,
            json!({ "impl_code": impl_code, "name": content.name }),
        );
        w.commit().await?;
        self.item(actor, id, None).await
    }

    /// An item with its versions; drafts only for those who may manage the item. `date` picks
    /// the version in force (today when `None`).
    pub async fn item(&self, actor: &Actor, id: i64, date: Option<NaiveDate>) -> Result<Item> {
        let head: Option<(String, String, String)> =
            sqlx::query_as("SELECT county_code, impl_code, base_code FROM items WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let (county, impl_code, base_code) =
            head.ok_or_else(|| StoreError::not_found("item", id))?;
        let mut sql = Sql::new("SELECT ");
        sql.push(VERSION_COLUMNS)
            .push(" FROM item_versions v WHERE v.item_id = ")
            .bind(id)
            .push(" ORDER BY v.number");
        let rows: Vec<VersionRow> = sql.query_as().fetch_all(self.pool()).await?;
        let mut item = Item {
            id,
            county_code: stored(CountyCode::parse("county_code", &county)),
            impl_code,
            base_code,
            versions: Vec::new(),
            in_force: None,
        };
        let published: Vec<(i64, Validity)> = rows
            .iter()
            .filter_map(|r| r.validity().map(|v| (r.number, v)))
            .collect();
        let periods: Vec<Validity> = published.iter().map(|(_, v)| *v).collect();
        let date = date.unwrap_or_else(|| self.clock().today());
        item.in_force = in_force(&periods, date).map(|i| published[i].0);
        for r in &rows {
            let until = r.validity().map(|v| {
                let next = periods
                    .iter()
                    .filter(|p| p.from > v.from)
                    .map(|p| p.from)
                    .min();
                [v.to, next].into_iter().flatten().min()
            });
            item.versions.push(ItemVersion {
                number: r.number,
                status: r.status.clone(),
                valid_from: r.valid_from.clone(),
                valid_to: r.valid_to.clone(),
                in_force_until: until.flatten().map(|d| d.to_string()),
                content: r.content(),
                created_at: r.created_at.clone(),
                published_at: r.published_at.clone(),
                lock_version: r.lock_version,
            });
        }
        if !may(actor, ResourceKind::Item, Action::Manage, &item.scope()) {
            item.versions.retain(|v| v.status == "published");
            if item.versions.is_empty() {
                return Err(StoreError::not_found("item", id));
            }
        }
        Ok(item)
    }

    pub async fn item_id(&self, county: &CountyCode, impl_code: &ImplCode) -> Result<i64> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM items WHERE county_code = $1 AND impl_code = $2")
                .bind(county.to_string())
                .bind(impl_code.to_string())
                .fetch_optional(self.pool())
                .await?;
        row.map(|(id,)| id)
            .ok_or_else(|| StoreError::not_found("item", impl_code))
    }

    /// Starts a draft from the latest version, unless one is open.
    pub async fn new_draft(&self, actor: &Actor, id: i64) -> Result<Item> {
        let item = self.item(actor, id, None).await?;
        ensure_may_manage(actor, ResourceKind::Item, &item.scope(), "item", id)?;
        if let Some(d) = item.draft() {
            return Err(DomainError::invalid(
                "item",
                format!("已有草稿（第 {} 版），请先编辑或发布", d.number),
                format!(
                    "a draft (version {}) is already open; edit or publish it first",
                    d.number
                ),
            )
            .into());
        }
        let latest = item.latest().expect("an item has a version");
        let mut w = self.write(actor).await?;
        Self::insert_version(&mut w, id, latest.number + 1, None, &latest.content).await?;
        w.audit(
            "item.draft",
            "item",
            &id.to_string(),
            &item.scope(),
            json!({ "number": latest.number + 1 }),
        );
        w.commit().await?;
        self.item(actor, id, None).await
    }

    /// Replaces what a draft says. `lock_version` must be the one the editor started from.
    pub async fn update_draft(
        &self,
        actor: &Actor,
        id: i64,
        content: ItemContent,
        lock_version: i64,
    ) -> Result<Item> {
        let item = self.item(actor, id, None).await?;
        ensure_may_manage(actor, ResourceKind::Item, &item.scope(), "item", id)?;
        self.ensure_department(&item.county_code, &content.department, "department")
            .await?;
        let draft = item.draft().ok_or_else(|| {
            DomainError::invalid(
                "item",
                "没有可编辑的草稿；已发布的版本不能修改",
                "no draft to edit; published versions never change",
            )
        })?;
        let changes = diff(&draft.content, &content);
        let mut w = self.write(actor).await?;
        let done = sqlx::query(
            "UPDATE item_versions SET name = $1, parent_code = $2, item_type = $3, department_code = $4,
                legal_basis_setting = $5, legal_basis_implementing = $6, exercise_level = $7, statutory_days = $8,
                promised_days = $9, fees = $10, online_depth = $11, max_visits = $12, commitment_allowed = $13,
                tongban_allowed = $14, service = $15, category = $16, materials = $17, licence = $18,
                licence_years = $19, lock_version = lock_version + 1
             WHERE item_id = $20 AND number = $21 AND status = 'draft' AND lock_version = $22",
        )
        .bind(content.name.clone())
        .bind(content.main_item.clone())
        .bind(content.item_type.slug())
        .bind(content.department.to_string())
        .bind(content.legal_basis_setting.clone())
        .bind(content.legal_basis_implementing.clone())
        .bind(content.exercise_level.clone())
        .bind(content.statutory_days.map(i64::from))
        .bind(content.promised_days.map(i64::from))
        .bind(content.fees.clone())
        .bind(content.online_depth.slug())
        .bind(i64::from(content.max_visits))
        .bind(flag(content.commitment_allowed))
        .bind(flag(content.tongban_allowed))
        .bind(content.service.slug())
        .bind(content.category.clone())
        .bind(serde_json::to_string(&content.materials).expect("materials serialise"))
        .bind(content.licence.clone())
        .bind(content.licence_years.map(i64::from))
        .bind(id)
        .bind(draft.number)
        .bind(lock_version)
        .execute(w.conn())
        .await?;
        crate::write::ensure_updated(&done, "item", id, lock_version)?;
        w.audit(
            "item.edit",
            "item",
            &id.to_string(),
            &item.scope(),
            json!({ "number": draft.number, "changes": changes }),
        );
        w.commit().await?;
        self.item(actor, id, None).await
    }

    /// Publishes the open draft for the period given. Published versions never change again.
    pub async fn publish(&self, actor: &Actor, id: i64, validity: Validity) -> Result<Item> {
        let item = self.item(actor, id, None).await?;
        ensure_may_manage(actor, ResourceKind::Item, &item.scope(), "item", id)?;
        let draft = item.draft().ok_or_else(|| {
            DomainError::invalid("item", "没有待发布的草稿", "no draft to publish")
        })?;
        let published: Vec<Validity> = item
            .versions
            .iter()
            .filter(|v| v.status == "published")
            .map(|v| {
                stored(Validity::parse(
                    v.valid_from.as_deref().unwrap_or(""),
                    v.valid_to.as_deref().unwrap_or(""),
                ))
            })
            .collect();
        check_publishable(&published, validity)?;
        let previous = item.versions.iter().rev().find(|v| v.status == "published");
        let changes = previous
            .map(|p| diff(&p.content, &draft.content))
            .unwrap_or_default();
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        sqlx::query(
            "UPDATE item_versions SET status = 'published', valid_from = $1, valid_to = $2, published_at = $3
             WHERE item_id = $4 AND number = $5 AND status = 'draft'",
        )
        .bind(validity.from.to_string())
        .bind(validity.to.map(|d| d.to_string()))
        .bind(at)
        .bind(id)
        .bind(draft.number)
        .execute(w.conn())
        .await?;
        w.audit(
            "item.publish",
            "item",
            &id.to_string(),
            &item.scope(),
            json!({ "number": draft.number, "valid_from": validity.from, "valid_to": validity.to, "changes": changes }),
        );
        w.commit().await?;
        self.item(actor, id, None).await
    }

    /// What changed from version `a` to version `b`.
    pub async fn item_diff(&self, actor: &Actor, id: i64, a: i64, b: i64) -> Result<Vec<Change>> {
        let item = self.item(actor, id, None).await?;
        let get = |n: i64| {
            item.version(n)
                .ok_or_else(|| StoreError::not_found("version", format!("{id}/{n}")))
        };
        Ok(diff(&get(a)?.content, &get(b)?.content))
    }

    /// Items in force on the filter's date, by county and code.
    pub async fn items(&self, filter: &ItemFilter, page: PageRequest) -> Result<Page<ItemSummary>> {
        if let Some(c) = &filter.county {
            self.county(c).await?;
        }
        let handed: Option<Vec<i64>> = match &filter.delegated_to {
            Some(r) => Some(self.delegated_items(r, filter.date).await?),
            None => None,
        };
        let where_ = |sql: &mut Sql| {
            sql.push(" WHERE");
            push_in_force(sql, filter.date);
            if let Some(c) = &filter.county {
                sql.push(" AND i.county_code = ").bind(c.to_string());
            }
            if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                let like = format!("%{}%", escape_like(q));
                sql.push(" AND (v.name LIKE ")
                    .bind(like.clone())
                    .push(" ESCAPE '\\' OR i.impl_code LIKE ")
                    .bind(like.clone())
                    .push(" ESCAPE '\\' OR i.base_code LIKE ")
                    .bind(like)
                    .push(" ESCAPE '\\')");
            }
            if let Some(t) = filter.item_type {
                sql.push(" AND v.item_type = ").bind(t.slug().to_owned());
            }
            if let Some(d) = &filter.department {
                sql.push(" AND v.department_code = ").bind(d.to_string());
            }
            if let Some(s) = filter.service {
                sql.push(" AND v.service = ").bind(s.slug().to_owned());
            }
            if let Some(ids) = &handed {
                sql.push(" AND ").bind_in("i.id", ids);
            }
        };
        let select = format!(
            "SELECT i.id, i.county_code, i.impl_code, i.base_code, d.name AS department_name, {VERSION_COLUMNS}
             FROM items i JOIN item_versions v ON v.item_id = i.id JOIN departments d ON d.code = v.department_code"
        );
        let (rows, total): (Vec<SummaryRow>, i64) = self
            .page_of(
                "FROM items i JOIN item_versions v ON v.item_id = i.id",
                &select,
                "i.county_code, i.impl_code",
                where_,
                page,
            )
            .await?;
        Ok(Page::new(
            rows.into_iter().map(ItemSummary::from).collect(),
            page,
            total,
        ))
    }

    /// Loads parsed rows into a county's catalog, all or nothing: new items are published from
    /// `valid_from`; items whose version in force says the same are left alone; others get a
    /// draft holding the row for review. Idempotent: the same file twice changes nothing.
    pub async fn import_items(
        &self,
        actor: &Actor,
        county: &CountyCode,
        records: &[ImportRecord],
        valid_from: NaiveDate,
        source: &str,
        on_row: &(dyn Fn(usize) + Sync),
    ) -> Result<ImportOutcome> {
        self.county(county).await?;
        let scope = Scope {
            county: Some(county.clone()),
            ..Scope::default()
        };
        // Importing replaces a county's list, so it is for those who manage the whole county.
        if !may(actor, ResourceKind::Item, Action::Manage, &scope) {
            return Err(DomainError::Forbidden {
                reason: Message::new(
                    format!("无权向县 {county} 导入事项"),
                    format!("not allowed to import items into county {county}"),
                ),
            }
            .into());
        }
        let departments: std::collections::HashSet<String> = self
            .departments(
                &crate::departments::DepartmentFilter {
                    county: Some(county.clone()),
                    kind: None,
                },
                PageRequest {
                    page: 1,
                    per_page: 500,
                },
            )
            .await?
            .items
            .into_iter()
            .map(|d| d.code.to_string())
            .collect();
        let mut errors = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in records {
            if !departments.contains(r.content.department.as_str()) {
                errors.push(format!(
                    "row {}: unknown department {} / 第 {} 行：部门 {} 不存在",
                    r.row, r.content.department, r.row, r.content.department
                ));
            }
            if !seen.insert(r.impl_code.as_str()) {
                errors.push(format!(
                    "row {}: implementation code {} appears twice / 第 {} 行：实施编码 {} 重复",
                    r.row, r.impl_code, r.row, r.impl_code
                ));
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::invalid("file", errors.join("\n"), errors.join("\n")).into());
        }
        let validity = Validity {
            from: valid_from,
            to: None,
        };
        let existing: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, impl_code FROM items WHERE county_code = $1")
                .bind(county.to_string())
                .fetch_all(self.pool())
                .await?;
        let existing: std::collections::HashMap<String, i64> =
            existing.into_iter().map(|(id, c)| (c, id)).collect();
        let mut current = std::collections::HashMap::new();
        for id in existing.values() {
            let item = self
                .item(&Actor::System("import"), *id, Some(valid_from))
                .await?;
            current.insert(*id, item);
        }
        let mut outcome = ImportOutcome {
            rows: records.len(),
            ..ImportOutcome::default()
        };
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let mut touched = Vec::new();
        for (n, r) in records.iter().enumerate() {
            match existing.get(r.impl_code.as_str()) {
                None => {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO items (county_code, impl_code, base_code, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                    )
                    .bind(county.to_string())
                    .bind(r.impl_code.to_string())
                    .bind(r.base_code.to_string())
                    .bind(at.clone())
                    .fetch_one(w.conn())
                    .await?;
                    Self::insert_version(&mut w, id, 1, Some(validity), &r.content).await?;
                    outcome.created += 1;
                }
                Some(id) => {
                    let item = &current[id];
                    let same = item
                        .current()
                        .or(item.latest())
                        .is_some_and(|v| v.content == r.content)
                        || item.draft().is_some_and(|d| d.content == r.content);
                    if same {
                        outcome.unchanged += 1;
                    } else {
                        match item.draft() {
                            Some(d) => {
                                sqlx::query("DELETE FROM item_versions WHERE item_id = $1 AND number = $2 AND status = 'draft'")
                                    .bind(id)
                                    .bind(d.number)
                                    .execute(w.conn())
                                    .await?;
                                Self::insert_version(&mut w, *id, d.number, None, &r.content)
                                    .await?;
                            }
                            None => {
                                let next = item.latest().map_or(1, |v| v.number + 1);
                                Self::insert_version(&mut w, *id, next, None, &r.content).await?;
                            }
                        }
                        outcome.drafted += 1;
                        touched.push(r.impl_code.to_string());
                    }
                }
            }
            on_row(n + 1);
        }
        if outcome.created == 0 && outcome.drafted == 0 {
            // Nothing to record: the rollback leaves even the audit trail as it was.
            return Ok(outcome);
        }
        w.audit(
            "item.import",
            "catalog",
            county.as_str(),
            &scope,
            json!({ "source": source, "valid_from": valid_from, "rows": outcome.rows, "created": outcome.created,
                    "unchanged": outcome.unchanged, "drafted": touched }),
        );
        w.commit().await?;
        Ok(outcome)
    }
}

impl Store {
    /// Whether the item's decisions need two people (审核 then 审批).
    pub async fn four_eyes(&self, item_id: i64) -> Result<bool> {
        let (flag,): (i64,) = sqlx::query_as("SELECT four_eyes FROM items WHERE id = $1")
            .bind(item_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found("item", item_id))?;
        Ok(flag != 0)
    }

    /// A county requires, or stops requiring, that an item's decisions are examined by one member
    /// of staff and made by another. Cases under review follow the setting from their next step.
    pub async fn set_four_eyes(&self, actor: &Actor, item_id: i64, required: bool) -> Result<()> {
        let item = self.item(actor, item_id, None).await?;
        ensure_may_manage(actor, ResourceKind::Item, &item.scope(), "item", item_id)?;
        let mut w = self.write(actor).await?;
        sqlx::query("UPDATE items SET four_eyes = $1 WHERE id = $2")
            .bind(crate::db::flag(required))
            .bind(item_id)
            .execute(w.conn())
            .await?;
        w.audit(
            "item.four_eyes",
            "item",
            &item_id.to_string(),
            &item.scope(),
            serde_json::json!({ "required": required }),
        );
        w.commit().await?;
        Ok(())
    }
}
