//! Public reporting compatible with Open311 GeoReport v2 (JSON): the fields of enforcement as
//! services, reports as service requests. Existing 311 clients can file and follow reports at
//! `/open311/v2`. Reports are always filed as the anonymous public (source `public`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use tongquan_domain::DomainError;
use tongquan_domain::access::Actor;
use tongquan_domain::catalog::parse_date;
use tongquan_domain::codes::DepartmentCode;
use tongquan_domain::enforcement::EnforcementDomain;
use tongquan_domain::enforcement::lead::{LeadSource, LeadState, Urgency};
use tongquan_store::PageRequest;
use tongquan_store::enforcement::leads::{Lead, LeadFilter, NewLead};

use super::leads::{coordinate, place};
use crate::AppState;
use crate::error::{AppError, Open311Error};
use crate::extract::Query;

type Open311Result<T> = Result<Json<T>, Open311Error>;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

/// The services: one per field of enforcement.
#[utoipa::path(get, path = "/open311/v2/services.json", tag = "open311", responses((status = 200, body = Vec<Service>)))]
pub async fn services() -> Json<Vec<Service>> {
    Json(
        EnforcementDomain::ALL
            .iter()
            .map(|d| Service {
                service_code: d.slug().to_owned(),
                service_name: d.zh().to_owned(),
                description: format!(
                    "{}领域的违法行为或安全隐患 / violations and hazards in {}",
                    d.zh(),
                    d.en()
                ),
                metadata: false,
                kind: "realtime".into(),
                keywords: d.en().to_owned(),
                group: "执法 enforcement".into(),
            })
            .collect(),
    )
}

/// A report as Open311 clients send it (form-encoded or JSON). `address_id` may carry a town code.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ServiceRequestBody {
    pub service_code: Option<String>,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub description: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestReceipt {
    pub service_request_id: String,
    pub service_notice: String,
    pub account_id: Option<String>,
    /// Extension: the follow-up code, given once; with the request id it shows the description
    /// and handling at /report/{id}.
    pub check_code: Option<String>,
}

/// Files a report (Open311 POST requests).
#[utoipa::path(post, path = "/open311/v2/requests.json", tag = "open311", request_body = ServiceRequestBody,
    responses((status = 201, body = Vec<RequestReceipt>), (status = 400), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Vec<RequestReceipt>>), Open311Error> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let b: ServiceRequestBody = if json {
        serde_json::from_slice(&body).map_err(|e| AppError::MalformedBody {
            field: None,
            detail: e.to_string(),
        })?
    } else {
        serde_urlencoded::from_bytes(&body).map_err(|e| AppError::MalformedBody {
            field: None,
            detail: e.to_string(),
        })?
    };
    let domain = EnforcementDomain::parse(
        "service_code",
        b.service_code.as_deref().unwrap_or_default(),
    )?;
    let reporter = [&b.first_name, &b.last_name, &b.email, &b.phone]
        .into_iter()
        .filter_map(|v| v.as_deref().map(str::trim).filter(|v| !v.is_empty()))
        .collect::<Vec<_>>()
        .join(" ");
    let new = NewLead {
        source: LeadSource::Public,
        domain,
        description: b.description.unwrap_or_default(),
        address: b.address_string.unwrap_or_default(),
        place: place(
            b.address_id.as_deref(),
            coordinate("lat", b.lat.as_deref())?,
            coordinate("long", b.long.as_deref())?,
        )?,
        urgency: Urgency::Normal,
        reporter,
    };
    let (lead, check_code) = s.store.report_lead(&Actor::Anonymous, new, s.now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(vec![RequestReceipt {
            service_request_id: lead.id.to_string(),
            service_notice: lead.route_reason_zh,
            account_id: None,
            check_code,
        }]),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// open or closed.
    pub status: String,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: String,
    pub address_id: String,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// Names of the agencies responsible, looked up once per request.
#[derive(Default)]
struct Agencies(std::collections::HashMap<String, String>);

impl Agencies {
    async fn of(&mut self, s: &AppState, l: &Lead) -> Result<String, AppError> {
        if l.handler_kind == "town" {
            return Ok(format!("{}综合行政执法队", l.town_name));
        }
        if let Some(name) = self.0.get(&l.handler_code) {
            return Ok(name.clone());
        }
        let name = s
            .store
            .department(&DepartmentCode::parse("handler", &l.handler_code)?)
            .await?
            .name;
        self.0.insert(l.handler_code.clone(), name.clone());
        Ok(name)
    }
}

async fn request_of(
    s: &AppState,
    agencies: &mut Agencies,
    l: Lead,
) -> Result<ServiceRequest, AppError> {
    let state = LeadState::parse("state", &l.state)?;
    let agency = agencies.of(s, &l).await?;
    let domain = EnforcementDomain::parse("domain", &l.domain)?;
    let updated = [
        &l.closed_at,
        &l.disposed_at,
        &l.on_site_at,
        &l.dispatched_at,
    ]
    .into_iter()
    .find_map(|t| t.clone())
    .unwrap_or_else(|| l.received_at.clone());
    Ok(ServiceRequest {
        service_request_id: l.id.to_string(),
        status: state.open311_status().to_owned(),
        // What was reported and what was done are the reporter's to see, with the follow-up
        // code; the public list shows only where, what kind and how far along.
        status_notes: format!("{} / {}", state.zh(), state.en()),
        service_name: domain.zh().to_owned(),
        service_code: l.domain,
        description: String::new(),
        agency_responsible: agency,
        service_notice: l.route_reason_zh,
        requested_datetime: l.received_at,
        updated_datetime: updated,
        expected_datetime: None,
        address: l.address,
        address_id: l.town_code,
        zipcode: None,
        lat: l.lat,
        long: l.lon,
        media_url: None,
    })
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// Comma-separated ids; when given, the other filters are ignored.
    pub service_request_id: Option<String>,
    pub service_code: Option<String>,
    /// open or closed.
    pub status: Option<String>,
    /// Earliest day received (default: 90 days ago).
    pub start_date: Option<String>,
}

/// Reports, newest first (at most 500), or the ones asked for by id.
#[utoipa::path(get, path = "/open311/v2/requests.json", tag = "open311", params(RequestQuery),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 400)))]
pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<RequestQuery>,
) -> Open311Result<Vec<ServiceRequest>> {
    let mut agencies = Agencies::default();
    let mut out = Vec::new();
    if let Some(ids) = q
        .service_request_id
        .as_deref()
        .filter(|v| !v.trim().is_empty())
    {
        let ids: Vec<&str> = ids.split(',').collect();
        if ids.len() > MAX_IDS {
            return Err(DomainError::invalid(
                "service_request_id",
                format!("一次最多查询 {MAX_IDS} 个编号"),
                format!("at most {MAX_IDS} ids at once"),
            )
            .into());
        }
        for id in ids {
            let id = crate::extract::parse_int("service_request_id", id.trim())?;
            out.push(request_of(&s, &mut agencies, s.store.public_lead(id).await?).await?);
        }
        return Ok(Json(out));
    }
    let open = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(v) => {
            return Err(DomainError::invalid(
                "status",
                format!("状态应为 open 或 closed，收到“{v}”"),
                format!("status is open or closed, got {v:?}"),
            )
            .into());
        }
    };
    let since = match crate::params::opt("start_date", &q.start_date, |f, v| {
        parse_date(f, v.get(..10).unwrap_or(v))
    })? {
        Some(d) => d,
        None => s.today() - chrono::Days::new(90),
    };
    let filter = LeadFilter {
        since: Some(since),
        source: Some(LeadSource::Public),
        domain: crate::params::opt("service_code", &q.service_code, EnforcementDomain::parse)?,
        open,
        ..LeadFilter::default()
    };
    let page = s
        .store
        .leads(
            &Actor::System("open311"),
            &filter,
            PageRequest {
                page: 1,
                per_page: 500,
            },
        )
        .await?;
    for l in page.items {
        out.push(request_of(&s, &mut agencies, l).await?);
    }
    Ok(Json(out))
}

/// Ids one request may ask for.
const MAX_IDS: usize = 50;

/// One report (Open311 GET requests/{id}.json).
#[utoipa::path(get, path = "/open311/v2/requests/{id}.json", tag = "open311", params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = Vec<ServiceRequest>), (status = 404)))]
pub async fn show(
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> Open311Result<Vec<ServiceRequest>> {
    let id = file.strip_suffix(".json").ok_or(AppError::NoRoute)?;
    let id = crate::extract::parse_int("id", id)?;
    let lead = s.store.public_lead(id).await?;
    Ok(Json(vec![
        request_of(&s, &mut Agencies::default(), lead).await?,
    ]))
}
