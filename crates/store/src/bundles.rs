//! Bundles (一件事): templates a county defines, and applications under them that become parallel
//! sub-cases, one per item, routed each on its own, with the shared materials entered once.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Action, Actor, ResourceKind, Scope, reach};
use tongquan_domain::applicant::ApplicantId;
use tongquan_domain::bundle::{LeadTime, SharedMaterial, TemplateSpec, shared_materials};
use tongquan_domain::case::{Channel, check_materials};
use tongquan_domain::catalog::{Material, ServiceKind, parse_date};
use tongquan_domain::codes::{CountyCode, TownCode};

use crate::cases::{
    Attachment, CaseSummary, NewCase, Receipt, check_hash, files_fingerprint, handed_in,
    insert_case, new_check_code,
};
use crate::db::Sql;
use crate::once::Once;
use crate::throttle::{Client, Secret};
use crate::write::ensure_may_manage;
use crate::{Page, PageRequest, Result, Store, StoreError};

/// One item of a template, as in force on the day asked about.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateItem {
    pub item_id: i64,
    pub name: String,
    pub statutory_days: Option<u16>,
    #[serde(skip)]
    materials: Vec<Material>,
    #[serde(skip)]
    county: CountyCode,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BundleTemplate {
    pub id: i64,
    #[schema(value_type = String)]
    pub county_code: CountyCode,
    pub name: String,
    pub description: String,
    pub items: Vec<TemplateItem>,
    /// The form's materials: each once, with the items (by position) that need it.
    #[schema(value_type = Vec<Object>)]
    pub materials: Vec<SharedMaterial>,
}

/// An application under a template, checked.
#[derive(Debug, Clone)]
pub struct NewBundle {
    pub template_id: i64,
    pub town: TownCode,
    pub applicant: ApplicantId,
    pub applicant_name: String,
    pub contact: String,
    pub channel: Channel,
    pub materials: Vec<String>,
    pub files: Vec<Attachment>,
}

impl NewBundle {
    /// What the application asks for, for telling a repeat under one idempotency key.
    pub fn fingerprint(&self) -> serde_json::Value {
        json!({
            "template": self.template_id, "town": self.town.as_str(),
            "applicant": self.applicant.as_str(), "name": self.applicant_name,
            "contact": self.contact, "channel": self.channel.slug(), "materials": self.materials,
            "files": files_fingerprint(&self.files),
        })
    }

    /// The applicant's part is what a single application asks for, checked the same way.
    pub fn parse(template_id: i64, applicant: NewCase) -> Self {
        Self {
            template_id,
            town: applicant.town,
            applicant: applicant.applicant,
            applicant_name: applicant.applicant_name,
            contact: applicant.contact,
            channel: applicant.channel,
            materials: applicant.materials,
            files: applicant.files,
        }
    }
}

/// What a bundle application returns: its tracking number, each sub-case's, and once only the
/// check code that opens all of them.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct BundleReceipt {
    pub id: i64,
    pub tracking_no: String,
    pub check_code: String,
    pub cases: Vec<Receipt>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bundle {
    pub id: i64,
    pub tracking_no: String,
    pub template_id: i64,
    pub template_name: String,
    pub county_code: String,
    pub town_code: String,
    pub applicant_name: String,
    pub channel: String,
    pub submitted_on: String,
    /// The day the last sub-case closed; absent while any is open.
    pub concluded_on: Option<String>,
    pub lead_time: Option<LeadTime>,
    pub cases: Vec<CaseSummary>,
}

#[derive(sqlx::FromRow)]
struct BundleRow {
    id: i64,
    tracking_no: String,
    template_id: i64,
    template_name: String,
    county_code: String,
    town_code: String,
    applicant_name: String,
    channel: String,
    submitted_on: String,
    concluded_on: Option<String>,
}

/// Lead times over the bundles listed: how often "one day" was kept.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct BundleFigures {
    pub bundles: i64,
    pub concluded: i64,
    /// Concluded within one working day of the application.
    pub within_one_day: i64,
    pub mean_working_days: Option<f64>,
}

const BUNDLE_COLUMNS: &str = "b.id, b.tracking_no, b.template_id, b.template_name, b.county_code, \
     b.town_code, b.applicant_name, b.channel, b.submitted_on, b.concluded_on";

impl Store {
    /// The templates of a county (or all), with their items as in force on `today`.
    pub async fn bundle_templates(
        &self,
        county: Option<&CountyCode>,
        today: NaiveDate,
    ) -> Result<Vec<BundleTemplate>> {
        let mut sql = Sql::new("SELECT id, county_code, name, description FROM bundle_templates");
        if let Some(c) = county {
            sql.push(" WHERE county_code = ").bind(c.to_string());
        }
        sql.push(" ORDER BY county_code, name");
        let rows: Vec<(i64, String, String, String)> =
            sql.query_as().fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, county, name, description) in rows {
            out.push(
                self.template_of(id, &county, name, description, today)
                    .await?,
            );
        }
        Ok(out)
    }

    pub async fn bundle_template(&self, id: i64, today: NaiveDate) -> Result<BundleTemplate> {
        let (county, name, description): (String, String, String) = sqlx::query_as(
            "SELECT county_code, name, description FROM bundle_templates WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::not_found("bundle template", id))?;
        self.template_of(id, &county, name, description, today)
            .await
    }

    async fn template_of(
        &self,
        id: i64,
        county: &str,
        name: String,
        description: String,
        today: NaiveDate,
    ) -> Result<BundleTemplate> {
        let ids: Vec<(i64,)> = sqlx::query_as(
            "SELECT item_id FROM bundle_template_items WHERE template_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut items = Vec::with_capacity(ids.len());
        for (item_id,) in ids {
            items.push(self.template_item(item_id, today).await?);
        }
        let lists: Vec<&[Material]> = items.iter().map(|i| i.materials.as_slice()).collect();
        Ok(BundleTemplate {
            id,
            county_code: CountyCode::parse("county_code", county)?,
            name,
            description,
            materials: shared_materials(&lists),
            items,
        })
    }

    /// An item as a template may list it: an approval item in force on `today`.
    async fn template_item(&self, item_id: i64, today: NaiveDate) -> Result<TemplateItem> {
        let item = self
            .item(&Actor::System("bundles"), item_id, Some(today))
            .await?;
        let not_applicable =
            |zh: String, en: String| -> StoreError { DomainError::invalid("items", zh, en).into() };
        let version = item.current().ok_or_else(|| {
            not_applicable(
                format!("事项 {item_id} 在 {today} 不在有效期内"),
                format!("item {item_id} is not in force on {today}"),
            )
        })?;
        let c = &version.content;
        if c.service != ServiceKind::Approval || c.item_type.is_enforcement() {
            return Err(not_applicable(
                format!("事项 {item_id}“{}”不是可申请的审批事项", c.name),
                format!(
                    "item {item_id} ({}) is not an approval item one applies for",
                    c.name
                ),
            ));
        }
        Ok(TemplateItem {
            item_id,
            name: c.name.clone(),
            statutory_days: c.statutory_days,
            materials: c.materials.clone(),
            county: item.county_code.clone(),
        })
    }

    /// Defines a bundle for a county: county bureaus for their county, the city for any.
    pub async fn create_bundle_template(
        &self,
        actor: &Actor,
        county: &CountyCode,
        spec: TemplateSpec,
        today: NaiveDate,
    ) -> Result<BundleTemplate> {
        let scope = Scope {
            county: Some(county.clone()),
            ..Scope::default()
        };
        ensure_may_manage(actor, ResourceKind::Item, &scope, "county", county)?;
        for item_id in &spec.items {
            if self.template_item(*item_id, today).await?.county != *county {
                return Err(DomainError::invalid(
                    "items",
                    format!("事项 {item_id} 不属于 {county}"),
                    format!("item {item_id} does not belong to county {county}"),
                )
                .into());
            }
        }
        let taken: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM bundle_templates WHERE county_code = $1 AND name = $2")
                .bind(county.to_string())
                .bind(spec.name.clone())
                .fetch_optional(self.pool())
                .await?;
        if taken.is_some() {
            return Err(StoreError::Taken {
                field: "name",
                value: spec.name,
            });
        }
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO bundle_templates (county_code, name, description, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(county.to_string())
        .bind(spec.name.clone())
        .bind(spec.description.clone())
        .bind(actor.audit_name())
        .bind(at)
        .fetch_one(w.conn())
        .await?;
        for (position, item_id) in spec.items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO bundle_template_items (template_id, position, item_id) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(*item_id)
            .execute(w.conn())
            .await?;
        }
        w.audit(
            "bundle_template.create",
            "bundle_template",
            &id.to_string(),
            &scope,
            json!({ "name": spec.name, "items": spec.items }),
        );
        w.commit().await?;
        self.bundle_template(id, today).await
    }

    /// One application under a template: every material checked once against all the items,
    /// then one sub-case per item, each routed to its own competent office, in one transaction.
    pub async fn submit_bundle(
        &self,
        actor: &Actor,
        new: NewBundle,
        today: NaiveDate,
    ) -> Result<BundleReceipt> {
        self.submit_bundle_once(actor, new, today, None).await
    }

    /// [`Self::submit_bundle`], answered once per idempotency key: a repeat gets the first receipt.
    pub async fn submit_bundle_once(
        &self,
        actor: &Actor,
        new: NewBundle,
        today: NaiveDate,
        once: Option<&Once>,
    ) -> Result<BundleReceipt> {
        self.answered_once(once, self.write_bundle(actor, new, today, once))
            .await
    }

    async fn write_bundle(
        &self,
        actor: &Actor,
        new: NewBundle,
        today: NaiveDate,
        once: Option<&Once>,
    ) -> Result<BundleReceipt> {
        let template = self.bundle_template(new.template_id, today).await?;
        let handed = handed_in(&new.materials, &new.files);
        let listed: Vec<(&str, bool)> = template
            .materials
            .iter()
            .map(|m| (m.name.as_str(), m.required))
            .collect();
        check_materials(&handed, &listed, ("一件事", "bundle's"))?;
        let subs: Vec<NewCase> = template
            .items
            .iter()
            .map(|item| {
                let lists = |name: &str| item.materials.iter().any(|m| m.name == name);
                NewCase {
                    item_id: item.item_id,
                    town: new.town.clone(),
                    applicant: new.applicant.clone(),
                    applicant_name: new.applicant_name.clone(),
                    contact: new.contact.clone(),
                    channel: new.channel,
                    materials: handed.iter().filter(|m| lists(m)).cloned().collect(),
                    files: new
                        .files
                        .iter()
                        .filter(|f| lists(f.material.trim()))
                        .cloned()
                        .collect(),
                    commitment: false,
                }
            })
            .collect();
        let mut prepared = Vec::with_capacity(subs.len());
        for sub in &subs {
            prepared.push(self.prepare_case(actor, sub, today).await?);
        }
        let check_code = new_check_code();
        let mut w = self.write(actor).await?;
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM bundles WHERE county_code = $1 AND submitted_on = $2",
        )
        .bind(template.county_code.to_string())
        .bind(today.to_string())
        .fetch_one(w.conn())
        .await?;
        let tracking_no = format!(
            "{}YJS{}{:04}",
            template.county_code,
            today.format("%Y%m%d"),
            n + 1
        );
        let at = w.at().to_owned();
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO bundles (tracking_no, check_hash, template_id, template_name, county_code,
                town_code, applicant_name, channel, submitted_on, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(tracking_no.clone())
        .bind(check_hash(&tracking_no, &check_code))
        .bind(template.id)
        .bind(template.name.clone())
        .bind(template.county_code.to_string())
        .bind(new.town.to_string())
        .bind(new.applicant_name.clone())
        .bind(new.channel.slug())
        .bind(today.to_string())
        .bind(at)
        .fetch_one(w.conn())
        .await?;
        let mut cases = Vec::with_capacity(prepared.len());
        for p in &prepared {
            cases.push(insert_case(&mut w, actor, p, &check_code, Some(id), today).await?);
        }
        w.audit(
            "bundle.submit",
            "bundle",
            &tracking_no,
            &Scope {
                county: Some(template.county_code.clone()),
                town: Some(new.town.clone()),
                ..Scope::default()
            },
            json!({ "template": template.id, "cases": cases.iter().map(|c| &c.tracking_no).collect::<Vec<_>>() }),
        );
        let receipt = BundleReceipt {
            id,
            tracking_no,
            check_code,
            cases,
        };
        if let Some(o) = once {
            o.remember(w.conn(), self.clock().now(), &receipt).await?;
        }
        w.commit().await?;
        Ok(receipt)
    }

    /// A bundle with all its sub-cases, for staff who reach the county or any of its sub-cases.
    pub async fn bundle(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<Bundle> {
        let mut sql = Sql::new(&format!(
            "SELECT {BUNDLE_COLUMNS} FROM bundles b WHERE b.id = "
        ));
        sql.bind(id);
        let row: BundleRow = sql
            .query_as()
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found("bundle", id))?;
        let bundle = self.with_cases(vec![row], today).await?.remove(0);
        let reach = reach(actor, ResourceKind::Case, Action::Read);
        let county = Scope {
            county: CountyCode::parse("county", &bundle.county_code).ok(),
            town: TownCode::parse("town", &bundle.town_code).ok(),
            ..Scope::default()
        };
        let reaches_a_case = bundle.cases.iter().any(|c| {
            reach.admits(&Scope {
                office: tongquan_domain::codes::OfficeCode::parse("office", &c.office_code).ok(),
                ..county.clone()
            })
        });
        if !reach.admits(&county) && !reaches_a_case {
            return Err(StoreError::not_found("bundle", id));
        }
        Ok(bundle)
    }

    /// A bundle as its applicant sees it, by tracking number and the check code of the receipt.
    pub async fn track_bundle(
        &self,
        tracking_no: &str,
        check_code: &str,
        client: &Client,
        today: NaiveDate,
    ) -> Result<Bundle> {
        let proven = self.proven_bundle(tracking_no, check_code, today);
        self.guarded(
            Secret::CheckCode,
            tracking_no.trim(),
            client,
            "bundle",
            proven,
        )
        .await
    }

    /// The bundle a tracking number and check code prove, if they do; the caller counts the attempt.
    pub(crate) async fn proven_bundle(
        &self,
        tracking_no: &str,
        check_code: &str,
        today: NaiveDate,
    ) -> Result<Option<Bundle>> {
        let tracking_no = tracking_no.trim();
        let mut sql = Sql::new(&format!(
            "SELECT {BUNDLE_COLUMNS}, b.check_hash FROM bundles b WHERE b.tracking_no = "
        ));
        sql.bind(tracking_no.to_owned());
        let row = sql.query().fetch_optional(self.pool()).await?;
        use sqlx::{FromRow, Row};
        match row {
            Some(r)
                if r.try_get::<String, _>("check_hash")?
                    == check_hash(tracking_no, check_code.trim()) =>
            {
                Ok(Some(
                    self.with_cases(vec![BundleRow::from_row(&r)?], today)
                        .await?
                        .remove(0),
                ))
            }
            _ => Ok(None),
        }
    }

    /// The bundles of the actor's county (all for the city), newest first, with lead-time figures.
    pub async fn bundles(
        &self,
        actor: &Actor,
        page: PageRequest,
        today: NaiveDate,
    ) -> Result<(Page<Bundle>, BundleFigures)> {
        let reach = reach(actor, ResourceKind::Case, Action::Read);
        let filtered = |sql: &mut Sql| {
            sql.push(" WHERE ");
            crate::scope::push_reach(sql, &reach, &SCOPE);
        };
        let mut rows = Sql::new(&format!("SELECT {BUNDLE_COLUMNS} FROM bundles b"));
        filtered(&mut rows);
        rows.push(" ORDER BY b.submitted_on DESC, b.id DESC LIMIT ")
            .bind(page.per_page)
            .push(" OFFSET ")
            .bind(page.offset());
        let rows: Vec<BundleRow> = rows.query_as().fetch_all(self.pool()).await?;
        let items = self.with_cases(rows, today).await?;
        let mut days = Sql::new("SELECT b.submitted_on, b.concluded_on FROM bundles b");
        filtered(&mut days);
        let all: Vec<(String, Option<String>)> = days.query_as().fetch_all(self.pool()).await?;
        let calendar = self.calendar().await?;
        let mut figures = BundleFigures {
            bundles: all.len() as i64,
            ..BundleFigures::default()
        };
        let mut total = 0u64;
        for (from, to) in &all {
            if let Some(to) = to {
                let lead = LeadTime::measure(
                    &calendar,
                    parse_date("submitted_on", from)?,
                    parse_date("concluded_on", to)?,
                )?;
                figures.concluded += 1;
                figures.within_one_day += i64::from(lead.working_days <= 1);
                total += u64::from(lead.working_days);
            }
        }
        if figures.concluded > 0 {
            figures.mean_working_days = Some(total as f64 / figures.concluded as f64);
        }
        Ok((Page::new(items, page, figures.bundles), figures))
    }

    async fn with_cases(&self, rows: Vec<BundleRow>, today: NaiveDate) -> Result<Vec<Bundle>> {
        let calendar = self.calendar().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let cases = self.bundle_cases(r.id, today).await?;
            let lead_time = match &r.concluded_on {
                Some(to) => Some(LeadTime::measure(
                    &calendar,
                    parse_date("submitted_on", &r.submitted_on)?,
                    parse_date("concluded_on", to)?,
                )?),
                None => None,
            };
            out.push(Bundle {
                id: r.id,
                tracking_no: r.tracking_no,
                template_id: r.template_id,
                template_name: r.template_name,
                county_code: r.county_code,
                town_code: r.town_code,
                applicant_name: r.applicant_name,
                channel: r.channel,
                submitted_on: r.submitted_on,
                concluded_on: r.concluded_on,
                lead_time,
                cases,
            });
        }
        Ok(out)
    }
}

const SCOPE: crate::scope::ScopeColumns = crate::scope::ScopeColumns {
    county: Some("b.county_code"),
    town: Some("b.town_code"),
    office: None,
    department: None,
    account: None,
};
