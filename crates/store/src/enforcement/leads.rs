//! Leads (线索): intake from patrols, the 12345 hotline, the public site and referrals; routing
//! to the town team or the county department; timers from receipt to closure.

use chrono::{DateTime, NaiveDate, Utc};
use geo::Contains;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Action, Actor, ResourceKind, Scope};
use tongquan_domain::catalog::Recipient;
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::enforcement::EnforcementDomain;
use tongquan_domain::enforcement::lead::{
    Handler, LeadSource, LeadState, LeadStep, LeadTimes, Urgency, route,
};
use tongquan_domain::geo::{LatLon, nearest, polygons};

use super::{require, scope, where_readable};
use crate::db::{Sql, timestamp};
use crate::throttle::{Client, Secret};
use crate::write::ensure_updated;
use crate::{Page, PageRequest, Result, Store, StoreError};

/// Where a lead is: a town, or a point resolved to the town it lies in.
#[derive(Debug, Clone)]
pub enum LeadPlace {
    Town(TownCode),
    Point(LatLon),
}

#[derive(Debug, Clone)]
pub struct NewLead {
    pub source: LeadSource,
    pub domain: EnforcementDomain,
    pub description: String,
    pub address: String,
    pub place: LeadPlace,
    pub urgency: Urgency,
    /// Name or contact of who reported it; may be empty (anonymous report).
    pub reporter: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Lead {
    pub id: i64,
    pub county_code: String,
    pub town_code: String,
    pub town_name: String,
    pub handler_kind: String,
    pub handler_code: String,
    pub route_reason_zh: String,
    pub route_reason_en: String,
    pub source: String,
    pub domain: String,
    pub description: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub urgency: String,
    pub state: String,
    pub received_at: String,
    pub dispatched_at: Option<String>,
    pub on_site_at: Option<String>,
    pub disposed_at: Option<String>,
    pub closed_at: Option<String>,
    pub disposal: String,
    pub lock_version: i64,
}

impl Lead {
    pub fn times(&self) -> LeadTimes {
        let t = |s: &Option<String>| s.as_deref().and_then(|s| s.parse::<DateTime<Utc>>().ok());
        LeadTimes {
            received: self.received_at.parse().ok(),
            dispatched: t(&self.dispatched_at),
            on_site: t(&self.on_site_at),
            disposed: t(&self.disposed_at),
            closed: t(&self.closed_at),
        }
    }

    /// Whether the on-site target is missed (late, or not there and the time is up).
    pub fn breached(&self, now: DateTime<Utc>) -> bool {
        Urgency::parse("urgency", &self.urgency).is_ok_and(|u| self.times().breached(u, now))
    }

    fn handler_scope(&self) -> Scope {
        let handler = Handler::parse(&self.handler_kind, &self.handler_code).expect("stored");
        super::handler_scope(&self.county_code, &handler)
    }
}

#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub county: Option<CountyCode>,
    pub town: Option<TownCode>,
    pub state: Option<LeadState>,
    /// Leads received on or after this day.
    pub since: Option<NaiveDate>,
    pub source: Option<LeadSource>,
    pub domain: Option<EnforcementDomain>,
    /// Open (not closed) or closed leads only.
    pub open: Option<bool>,
}

const COLUMNS: &str = "x.id, x.county_code, x.town_code, t.name AS town_name, x.handler_kind, x.handler_code,
    x.route_reason_zh, x.route_reason_en, x.source, x.domain, x.description, x.address, x.lat, x.lon, x.urgency,
    x.state, x.received_at, x.dispatched_at, x.on_site_at, x.disposed_at, x.closed_at, x.disposal, x.lock_version";
const FROM: &str = "FROM leads x JOIN towns t ON t.code = x.town_code";

impl Store {
    /// The town a point lies in: inside the city's boundary, in a county's polygon, nearest town
    /// seat of that county. A point outside the city is refused.
    pub async fn locate_town(&self, p: LatLon) -> Result<TownCode> {
        let boundaries = self.boundaries().await?;
        let outside = || {
            DomainError::rule(
                "outside_city",
                format!("坐标（纬度 {:.5}，经度 {:.5}）不在本市范围内", p.lat, p.lon),
                format!(
                    "the point (lat {:.5}, lon {:.5}) lies outside the city",
                    p.lat, p.lon
                ),
            )
        };
        let point = p.point();
        if !boundaries
            .iter()
            .any(|b| b.level == "city" && polygons(&b.geometry).contains(&point))
        {
            return Err(outside().into());
        }
        let mut counties: Vec<String> = boundaries
            .iter()
            .filter(|b| b.level == "county" && polygons(&b.geometry).contains(&point))
            .map(|b| b.code.clone())
            .collect();
        // 天衢新区 has no polygon of its own; its towns lie inside 德城区's.
        if counties.iter().any(|c| c == "371402") {
            counties.push("371471".into());
        }
        let towns = self.all_towns(None).await?;
        let candidates = towns
            .iter()
            .filter(|t| counties.is_empty() || counties.contains(&t.county_code.to_string()))
            .filter_map(|t| Some((t.code.clone(), t.position()?)));
        nearest(p, candidates).ok_or_else(|| outside().into())
    }

    /// The document by which the field's powers are with the town on `date`, if they are: any
    /// penalty power of the field's catalog category delegated to the town and active.
    pub async fn field_delegation(
        &self,
        town: &TownCode,
        domain: EnforcementDomain,
        date: NaiveDate,
    ) -> Result<Option<String>> {
        let items = self
            .delegated_items(&Recipient::Town(town.clone()), date)
            .await?;
        if items.is_empty() {
            return Ok(None);
        }
        let mut sql = Sql::new(
            "SELECT MIN(b.doc_number) FROM delegations d JOIN batches b ON b.id = d.batch_id
             JOIN item_versions v ON v.item_id = d.item_id AND v.status = 'published' AND v.item_type = 'penalty'
             WHERE d.recipient = ",
        );
        sql.bind(town.to_string())
            .push(" AND v.category = ")
            .bind(domain.zh().to_owned())
            .push(" AND ");
        sql.bind_in("d.item_id", &items);
        let (doc,): (Option<String>,) = sql.query_as().fetch_one(self.pool()).await?;
        Ok(doc)
    }

    /// Takes a lead in and routes it. The public files its own reports; the other sources are
    /// staff's.
    /// Files a lead. A public report also gets a follow-up code, returned once: the reporter
    /// follows the report with its number and that code.
    pub async fn report_lead(
        &self,
        actor: &Actor,
        new: NewLead,
        now: DateTime<Utc>,
    ) -> Result<(Lead, Option<String>)> {
        if new.source != LeadSource::Public && actor.staff().is_none() {
            return Err(DomainError::forbidden(
                "只有工作人员可以登记巡查、热线和移送线索",
                "only staff file patrol, hotline and referral leads",
            )
            .into());
        }
        if new.address.chars().count() > 200 {
            return Err(DomainError::invalid(
                "address",
                "地点描述不超过 200 个字",
                "an address is at most 200 characters",
            )
            .into());
        }
        let description = new.description.trim();
        if description.chars().count() < 5 || description.chars().count() > 2000 {
            return Err(DomainError::invalid(
                "description",
                "问题描述应为 5 至 2000 个字",
                "a description is 5 to 2000 characters",
            )
            .into());
        }
        let (town, point) = match new.place {
            LeadPlace::Town(t) => (t, None),
            LeadPlace::Point(p) => (self.locate_town(p).await?, Some(p)),
        };
        let town_record = self.town(&town).await?;
        // Staff file in their own town, or for their own department's field.
        let field_department = DepartmentCode::new(&town.county(), new.domain.department());
        let may = |s: &Scope| {
            tongquan_domain::access::may(actor, ResourceKind::Enforcement, Action::Manage, s)
        };
        if new.source != LeadSource::Public
            && !may(&scope(&town.county(), Some(&town), None))
            && !may(&scope(&town.county(), None, Some(&field_department)))
        {
            return Err(DomainError::forbidden(
                "无权在该乡镇登记线索",
                "not allowed to file leads in this town",
            )
            .into());
        }
        let today = now.date_naive();
        let doc = self.field_delegation(&town, new.domain, today).await?;
        let (handler, reason) = route(new.domain, &town, &town_record.name, doc.as_deref());
        let department = handler.department().map(ToString::to_string);
        let county = town.county();
        let code = (new.source == LeadSource::Public).then(crate::cases::new_check_code);
        let mut w = self.write(actor).await?;
        let mut sql = Sql::new(
            "INSERT INTO leads (county_code, town_code, department_code, handler_kind, handler_code, route_reason_zh,
                route_reason_en, source, domain, description, address, lat, lon, urgency, state, received_at, disposal, reporter)
             VALUES (",
        );
        sql.bind(county.to_string())
            .push(", ")
            .bind(town.to_string())
            .push(", ")
            .bind(department.clone())
            .push(", ")
            .bind(handler.kind().to_owned())
            .push(", ")
            .bind(handler.code())
            .push(", ")
            .bind(reason.zh.clone())
            .push(", ")
            .bind(reason.en.clone())
            .push(", ")
            .bind(new.source.slug().to_owned())
            .push(", ")
            .bind(new.domain.slug().to_owned())
            .push(", ")
            .bind(description.to_owned())
            .push(", ")
            .bind(new.address.trim().to_owned())
            .push(", ")
            .bind_f64(point.map(|p| p.lat))
            .push(", ")
            .bind_f64(point.map(|p| p.lon))
            .push(", ")
            .bind(new.urgency.slug().to_owned())
            .push(", 'received', ")
            .bind(timestamp(now))
            .push(", '', ")
            .bind(new.reporter.trim().chars().take(100).collect::<String>())
            .push(") RETURNING id");
        let (id,): (i64,) = sql.query_as().fetch_one(w.conn()).await?;
        if let Some(code) = &code {
            sqlx::query("UPDATE leads SET check_hash = $1 WHERE id = $2")
                .bind(crate::cases::check_hash(&lead_subject(id), code))
                .bind(id)
                .execute(w.conn())
                .await?;
        }
        w.audit(
            "lead.report",
            "lead",
            &id.to_string(),
            &scope(&county, Some(&town), handler.department()),
            json!({ "source": new.source.slug(), "domain": new.domain.slug(), "handler": handler.code() }),
        );
        w.commit().await?;
        Ok((self.lead(&Actor::System("leads"), id).await?, code))
    }

    /// A public report as its reporter follows it, by number and follow-up code; attempts are
    /// throttled as check codes are (see [`crate::throttle`]).
    pub async fn followed_lead(&self, id: i64, code: &str, client: &Client) -> Result<Lead> {
        let subject = lead_subject(id);
        let proven = async {
            let hash: Option<(Option<String>,)> =
                sqlx::query_as("SELECT check_hash FROM leads WHERE id = $1 AND source = 'public'")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?;
            Ok(match hash {
                Some((Some(h),)) if h == crate::cases::check_hash(&subject, code.trim()) => {
                    Some(self.public_lead(id).await?)
                }
                _ => None,
            })
        };
        self.guarded(Secret::CheckCode, &subject, client, "lead", proven)
            .await
    }

    /// Moves a lead on: dispatch, arrive, dispose (with what was done), close. Only its handler may.
    pub async fn lead_step(
        &self,
        actor: &Actor,
        id: i64,
        step: LeadStep,
        note: &str,
        lock_version: i64,
        now: DateTime<Utc>,
    ) -> Result<Lead> {
        let lead = self.lead(actor, id).await?;
        require(actor, ResourceKind::Enforcement, &lead.handler_scope())?;
        let next = LeadState::parse("state", &lead.state)?.after(step)?;
        let note = note.trim();
        if step == LeadStep::Dispose && note.is_empty() {
            return Err(DomainError::Required {
                field: "note".into(),
            }
            .into());
        }
        let column = match next {
            LeadState::Dispatched => "dispatched_at",
            LeadState::OnSite => "on_site_at",
            LeadState::Disposed => "disposed_at",
            _ => "closed_at",
        };
        let mut w = self.write(actor).await?;
        let mut sql = Sql::new("UPDATE leads SET state = ");
        sql.bind(next.slug().to_owned())
            .push(", ")
            .push(column)
            .push(" = ")
            .bind(timestamp(now));
        if step == LeadStep::Dispose {
            sql.push(", disposal = ").bind(note.to_owned());
        }
        sql.push(", lock_version = lock_version + 1 WHERE id = ")
            .bind(id)
            .push(" AND lock_version = ")
            .bind(lock_version);
        let done = sql.query().execute(w.conn()).await?;
        ensure_updated(&done, "lead", id, lock_version)?;
        w.audit(
            &format!("lead.{}", step.slug()),
            "lead",
            &id.to_string(),
            &lead.handler_scope(),
            json!({ "note": note }),
        );
        w.commit().await?;
        self.lead(actor, id).await
    }

    pub async fn lead(&self, actor: &Actor, id: i64) -> Result<Lead> {
        self.record(actor, "lead", COLUMNS, FROM, id).await
    }

    /// A report the public filed, as the public follows it (Open311): no reporter. Staff leads
    /// (patrols, the hotline, referrals) are not public.
    pub async fn public_lead(&self, id: i64) -> Result<Lead> {
        let mut sql = Sql::new(&format!("SELECT {COLUMNS} {FROM}"));
        sql.push(" WHERE x.id = ")
            .bind(id)
            .push(" AND x.source = 'public'");
        sql.query_as()
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found("lead", id))
    }

    pub async fn leads(
        &self,
        actor: &Actor,
        f: &LeadFilter,
        page: PageRequest,
    ) -> Result<Page<Lead>> {
        let filter = |sql: &mut Sql| {
            where_readable(sql, actor);
            if let Some(c) = &f.county {
                sql.push(" AND x.county_code = ").bind(c.to_string());
            }
            if let Some(t) = &f.town {
                sql.push(" AND x.town_code = ").bind(t.to_string());
            }
            if let Some(s) = f.state {
                sql.push(" AND x.state = ").bind(s.slug().to_owned());
            }
            if let Some(d) = f.since {
                sql.push(" AND x.received_at >= ").bind(d.to_string());
            }
            if let Some(s) = f.source {
                sql.push(" AND x.source = ").bind(s.slug().to_owned());
            }
            if let Some(d) = f.domain {
                sql.push(" AND x.domain = ").bind(d.slug().to_owned());
            }
            match f.open {
                Some(true) => sql.push(" AND x.state <> 'closed'"),
                Some(false) => sql.push(" AND x.state = 'closed'"),
                None => sql,
            };
        };
        let (items, total) = self
            .page_capped(COLUMNS, FROM, "x.id DESC", filter, page)
            .await?;
        Ok(Page::new(items, page, total))
    }
}

/// What a lead's follow-up code is hashed and throttled under: report numbers and tracking numbers
/// never meet.
fn lead_subject(id: i64) -> String {
    format!("lead:{id}")
}
