//! Convenience services (便民服务): household registration, tax, social security, finance and
//! the like, recorded by the town centre that served the resident as lighter cases: taken, done,
//! time taken.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use tongquan_domain::DomainError;
use tongquan_domain::access::{Action, Actor, Jurisdiction, ResourceKind, Role, Scope, reach};
use tongquan_domain::case::Channel;
use tongquan_domain::catalog::ServiceKind;
use tongquan_domain::codes::{CountyCode, OfficeCode, TownCode};

use crate::scope::{ScopeColumns, push_reach};
use crate::{Page, PageRequest, Result, Store};

/// A service as the centre's clerk records it.
#[derive(Debug, Clone)]
pub struct NewService {
    pub item_id: i64,
    /// The resident's town; a centre serves its own town.
    pub town: TownCode,
    pub channel: Channel,
    /// Minutes from taking it to done; absent while not done.
    pub minutes: Option<u32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Service {
    pub id: i64,
    pub item_id: i64,
    pub item_name: String,
    pub town_code: String,
    pub office_code: String,
    pub channel: String,
    pub taken_on: String,
    pub done_on: Option<String>,
    pub minutes: Option<i64>,
}

const SCOPE: ScopeColumns = ScopeColumns {
    county: Some("s.county_code"),
    town: Some("s.town_code"),
    office: Some("s.office_code"),
    department: None,
    account: None,
};

impl Store {
    /// Records a service at the clerk's own centre, for an item the catalog lists as a
    /// convenience service in force today.
    pub async fn record_service(
        &self,
        actor: &Actor,
        new: NewService,
        today: NaiveDate,
    ) -> Result<Service> {
        let office = match actor.staff().map(|s| (&s.role, &s.jurisdiction)) {
            Some((Role::CentreClerk, Jurisdiction::Office(o))) => o.clone(),
            _ => {
                return Err(DomainError::forbidden(
                    "便民服务由乡镇便民服务中心工作人员登记",
                    "convenience services are recorded by town centre clerks",
                )
                .into());
            }
        };
        let item = self
            .item(&Actor::System("services"), new.item_id, Some(today))
            .await?;
        let content = item.content_on(today)?;
        if content.service != ServiceKind::Convenience {
            return Err(DomainError::invalid(
                "item_id",
                "该事项不是便民服务事项，请按审批办件受理",
                "the item is not a convenience service; take it in as an approval case",
            )
            .into());
        }
        let centre = self.office(&office).await?;
        if item.county_code.as_str() != centre.county_code.as_str() {
            return Err(DomainError::invalid(
                "item_id",
                "事项不属于本县",
                "the item belongs to another county",
            )
            .into());
        }
        if let Some(m) = new.minutes
            && !(1..=24 * 60).contains(&m)
        {
            return Err(DomainError::invalid(
                "minutes",
                "办理用时应为 1 至 1440 分钟",
                "time taken is 1 to 1440 minutes",
            )
            .into());
        }
        let mut w = self.write(actor).await?;
        let at = w.at().to_owned();
        let done = new.minutes.map(|_| today.to_string());
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO services (item_id, item_name, county_code, town_code, office_code, channel, taken_on,
                done_on, minutes, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(new.item_id)
        .bind(content.name.clone())
        .bind(item.county_code.to_string())
        .bind(new.town.to_string())
        .bind(office.to_string())
        .bind(new.channel.slug())
        .bind(today.to_string())
        .bind(done.clone())
        .bind(new.minutes.map(i64::from))
        .bind(actor.audit_name())
        .bind(at)
        .fetch_one(w.conn())
        .await?;
        let scope = Scope {
            county: Some(item.county_code.clone()),
            town: Some(new.town.clone()),
            office: Some(office.clone()),
            ..Scope::default()
        };
        w.audit(
            "service.record",
            "service",
            &id.to_string(),
            &scope,
            json!({ "item_id": new.item_id, "minutes": new.minutes }),
        );
        w.commit().await?;
        Ok(Service {
            id,
            item_id: new.item_id,
            item_name: content.name.clone(),
            town_code: new.town.to_string(),
            office_code: office.to_string(),
            channel: new.channel.slug().to_owned(),
            taken_on: today.to_string(),
            done_on: done,
            minutes: new.minutes.map(i64::from),
        })
    }

    /// Services within the actor's reach, newest first; counted up to [`crate::db::COUNT_CAP`].
    pub async fn services(
        &self,
        actor: &Actor,
        county: Option<&CountyCode>,
        office: Option<&OfficeCode>,
        page: PageRequest,
    ) -> Result<Page<Service>> {
        let reach = reach(actor, ResourceKind::Case, Action::Read);
        let (items, total) = self
            .page_capped::<Service>(
                "s.id, s.item_id, s.item_name, s.town_code, s.office_code, s.channel, s.taken_on, s.done_on, s.minutes",
                "FROM services s",
                "s.taken_on DESC, s.id DESC",
                |sql| {
                    sql.push(" WHERE ");
                    push_reach(sql, &reach, &SCOPE);
                    if let Some(c) = county {
                        sql.push(" AND s.county_code = ").bind(c.to_string());
                    }
                    if let Some(o) = office {
                        sql.push(" AND s.office_code = ").bind(o.to_string());
                    }
                },
                page,
            )
            .await?;
        Ok(Page::new(items, page, total))
    }
}
