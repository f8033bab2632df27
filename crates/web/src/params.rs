//! Query parameters shared by the API and the pages, parsed into domain types with field names.

use chrono::NaiveDate;
use serde::Deserialize;
use tongquan_domain::DomainError;
use tongquan_domain::access::Role;
use tongquan_domain::catalog::{ItemType, Recipient, ServiceKind, parse_date};
use tongquan_domain::codes::{CountyCode, DepartmentCode, TownCode};
use tongquan_domain::org::{DepartmentKind, OfficeKind, TownKind};
use tongquan_store::PageRequest;
use tongquan_store::accounts::AccountFilter;
use tongquan_store::audit::AuditFilter;
use tongquan_store::catalog::ItemFilter;
use tongquan_store::departments::DepartmentFilter;
use tongquan_store::geography::TownFilter;
use tongquan_store::offices::OfficeFilter;
use utoipa::IntoParams;

/// An optional parameter; empty (as an HTML form sends "all") counts as absent.
pub(crate) fn opt<T>(
    field: &str,
    v: &Option<String>,
    parse: impl Fn(&str, &str) -> Result<T, DomainError>,
) -> Result<Option<T>, DomainError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => parse(field, s).map(Some),
    }
}

pub(crate) fn paging(
    page: &Option<String>,
    per_page: &Option<String>,
) -> Result<PageRequest, DomainError> {
    PageRequest::parse(
        page.as_deref().filter(|s| !s.is_empty()),
        per_page.as_deref().filter(|s| !s.is_empty()),
    )
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    pub page: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    pub per_page: Option<String>,
}

impl PageQuery {
    pub fn parse(&self) -> Result<PageRequest, DomainError> {
        paging(&self.page, &self.per_page)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TownQuery {
    /// County code, e.g. 371402.
    pub county: Option<String>,
    /// town, township, street or other.
    pub kind: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl TownQuery {
    pub fn parse(&self) -> Result<(TownFilter, PageRequest), DomainError> {
        Ok((
            TownFilter {
                county: opt("county", &self.county, CountyCode::parse)?,
                kind: opt("kind", &self.kind, TownKind::parse)?,
            },
            paging(&self.page, &self.per_page)?,
        ))
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficeQuery {
    /// County code, e.g. 371481.
    pub county: Option<String>,
    /// county_hall, branch or centre.
    pub kind: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl OfficeQuery {
    pub fn parse(&self) -> Result<(OfficeFilter, PageRequest), DomainError> {
        Ok((
            OfficeFilter {
                county: opt("county", &self.county, CountyCode::parse)?,
                kind: opt("kind", &self.kind, OfficeKind::parse)?,
            },
            paging(&self.page, &self.per_page)?,
        ))
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentQuery {
    /// County code.
    pub county: Option<String>,
    /// approval_bureau, traffic_police, ecology, natural_resources, transport, emergency,
    /// market_regulation or enforcement.
    pub kind: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl DepartmentQuery {
    pub fn parse(&self) -> Result<(DepartmentFilter, PageRequest), DomainError> {
        Ok((
            DepartmentFilter {
                county: opt("county", &self.county, CountyCode::parse)?,
                kind: opt("kind", &self.kind, DepartmentKind::parse)?,
            },
            paging(&self.page, &self.per_page)?,
        ))
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Only accounts with this role.
    pub role: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl AccountQuery {
    pub fn parse(&self) -> Result<(AccountFilter, PageRequest), DomainError> {
        Ok((
            AccountFilter {
                role: opt("role", &self.role, Role::parse)?,
            },
            paging(&self.page, &self.per_page)?,
        ))
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// An action such as office.update, or a prefix ending in a dot such as auth.
    pub action: Option<String>,
    /// County code.
    pub county: Option<String>,
    /// Part of the actor's name.
    pub actor: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl AuditQuery {
    pub fn parse(&self) -> Result<(AuditFilter, PageRequest), DomainError> {
        let text = |field: &str, v: &Option<String>| {
            opt(field, v, |f, s| tongquan_domain::text::bounded(f, s, 60))
        };
        Ok((
            AuditFilter {
                action: text("action", &self.action)?,
                county: opt("county", &self.county, CountyCode::parse)?,
                actor: text("actor", &self.actor)?,
            },
            paging(&self.page, &self.per_page)?,
        ))
    }
}

fn date_or_today(v: &Option<String>, today: NaiveDate) -> Result<NaiveDate, DomainError> {
    Ok(opt("date", v, parse_date)?.unwrap_or(today))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// County code.
    pub county: Option<String>,
    /// Part of the name, the implementation code or the base code.
    pub q: Option<String>,
    /// An item type, e.g. licensing.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub item_type: Option<String>,
    /// The competent department's code.
    pub department: Option<String>,
    /// approval or convenience.
    pub service: Option<String>,
    /// Only items handed to this office (e.g. 371481B01) or town.
    pub delegated_to: Option<String>,
    /// YYYY-MM-DD; today when absent.
    pub date: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ItemQuery {
    pub fn parse(&self, today: NaiveDate) -> Result<(ItemFilter, PageRequest), DomainError> {
        Ok((
            ItemFilter {
                county: opt("county", &self.county, CountyCode::parse)?,
                q: opt("q", &self.q, |f, s| {
                    tongquan_domain::text::bounded(f, s, 60)
                })?,
                item_type: opt("type", &self.item_type, ItemType::parse)?,
                department: opt("department", &self.department, DepartmentCode::parse)?,
                service: opt("service", &self.service, ServiceKind::parse)?,
                delegated_to: opt("delegated_to", &self.delegated_to, Recipient::parse)?,
                date: date_or_today(&self.date, today)?,
            },
            paging(&self.page, &self.per_page)?,
        ))
    }

    /// The filters as query pairs, for links that keep them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let v = |o: &Option<String>| o.clone().unwrap_or_default();
        vec![
            ("county", v(&self.county)),
            ("q", v(&self.q)),
            ("type", v(&self.item_type)),
            ("department", v(&self.department)),
            ("service", v(&self.service)),
            ("delegated_to", v(&self.delegated_to)),
            ("date", v(&self.date)),
        ]
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DateQuery {
    /// YYYY-MM-DD; today when absent.
    pub date: Option<String>,
}

impl DateQuery {
    pub fn parse(&self, today: NaiveDate) -> Result<NaiveDate, DomainError> {
        date_or_today(&self.date, today)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WhereQuery {
    /// The citizen's town (9 digits).
    pub town: Option<String>,
    /// YYYY-MM-DD; today when absent.
    pub date: Option<String>,
}

impl WhereQuery {
    pub fn parse(&self, today: NaiveDate) -> Result<(TownCode, NaiveDate), DomainError> {
        let town = opt("town", &self.town, TownCode::parse)?.ok_or(DomainError::Required {
            field: "town".into(),
        })?;
        Ok((town, date_or_today(&self.date, today)?))
    }
}
