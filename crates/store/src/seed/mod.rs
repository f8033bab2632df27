//! The real Dezhou geography and the organisation built on it, loaded once into a new database;
//! and the demo accounts. Both are idempotent: running them again adds nothing.

pub mod branches;
pub mod bundles;
pub mod cases;
pub mod catalog;
pub mod demo;
pub mod enforcement;
pub mod reference;

use serde_json::json;
use tongquan_domain::access::{Actor, Jurisdiction, Role, Scope};
use tongquan_domain::codes::{DepartmentCode, OfficeCode, Username};
use tongquan_domain::org::{DepartmentKind, OfficeKind};

use crate::accounts::NewAccount;
use crate::db::flag;
use crate::write::Write;
use crate::{Result, Store, StoreError};

/// Bumped when the shipped reference data changes.
const REFERENCE_VERSION: &str = "dezhou-nbs2023-v3";
const HOURS: &str = "工作日 9:00-12:00，13:30-17:30";

/// Loads counties, towns, boundaries, offices and departments, unless this version of them is
/// already loaded. Returns whether it loaded anything now.
pub async fn load_reference(store: &Store) -> Result<bool> {
    let counties = reference::counties(reference::COUNTIES_CSV)?;
    let towns = reference::towns(reference::TOWNS_CSV)?;
    let boundaries = reference::boundaries(reference::BOUNDARIES_GEOJSON)?;
    let plans = branches::place(&counties, &towns, branches::BRANCH_COUNT);
    // The calendar is reference data too; a newer bundled table adds only the years the
    // database has no official arrangement for, never overriding one imported since.
    let known = store.calendar().await?;
    let missing = crate::calendar::bundled_arrangement()?.only(|y| known.is_provisional(y));
    if !missing.days.is_empty() {
        store
            .import_calendar(
                &Actor::System("seed"),
                &missing,
                None,
                store.clock().today(),
            )
            .await?;
    }

    let mut w = store.write(&Actor::System("seed")).await?;
    let loaded: Option<(String,)> =
        sqlx::query_as("SELECT value FROM meta WHERE key = 'reference'")
            .fetch_optional(w.conn())
            .await?;
    if loaded.is_some_and(|(v,)| v == REFERENCE_VERSION) {
        return Ok(false);
    }
    // Every insert skips rows already there, so an older database gains only what is new.
    for (i, c) in counties.iter().enumerate() {
        exec(
            &mut w,
            "INSERT INTO counties (code, name, seat_lat, seat_lon, source, ordinal) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            vec![c.code.to_string().into(), c.name.clone().into(), c.seat.lat.into(), c.seat.lon.into(), c.source.clone().into(), (i as i64).into()],
        )
        .await?;
    }
    // Where each county's adverse decisions are challenged; a body already configured is kept.
    for (code, body, court) in REMEDY_BODIES {
        exec(
            &mut w,
            "UPDATE counties SET reconsideration_body = $1, court = $2 WHERE code = $3 AND reconsideration_body = '' AND court = ''",
            vec![body.into(), court.into(), code.into()],
        )
        .await?;
    }
    for b in &boundaries {
        exec(
            &mut w,
            "INSERT INTO boundaries (code, name, level, geometry) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            vec![
                b.code.clone().into(),
                b.name.clone().into(),
                b.level.clone().into(),
                b.geometry.clone().into(),
            ],
        )
        .await?;
    }
    for t in &towns {
        exec(
            &mut w,
            "INSERT INTO towns (code, county_code, name, kind, lat, lon, coord_source) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            vec![
                t.code.to_string().into(),
                t.county().to_string().into(),
                t.name.clone().into(),
                t.kind.slug().into(),
                t.position.map(|p| p.lat).into(),
                t.position.map(|p| p.lon).into(),
                t.source.clone().into(),
            ],
        )
        .await?;
    }
    let mut offices = 0;
    for c in &counties {
        let office = NewOffice {
            code: OfficeCode::county_hall(&c.code),
            name: format!("{}政务服务中心", c.name),
            town: None,
            position: Some((c.seat.lat, c.seat.lon)),
            address: format!("{}政务服务中心（县城驻地）", c.name),
            illustrative: false,
        };
        office.insert(&mut w).await?;
        offices += 1;
        for kind in DepartmentKind::ALL {
            exec(
                &mut w,
                "INSERT INTO departments (code, county_code, kind, name, phone) VALUES ($1, $2, $3, $4, '') ON CONFLICT DO NOTHING",
                vec![
                    DepartmentCode::new(&c.code, *kind).to_string().into(),
                    c.code.to_string().into(),
                    kind.slug().into(),
                    format!("{}{}", c.name, kind.body_name()).into(),
                ],
            )
            .await?;
        }
    }
    for p in &plans {
        let county = counties
            .iter()
            .find(|c| c.code == p.county)
            .expect("planned from these counties");
        let seat = towns
            .iter()
            .find(|t| t.code == p.seat)
            .expect("planned from these towns");
        let code = OfficeCode::branch(&p.county, p.number);
        NewOffice {
            code: code.clone(),
            name: format!("{}行政审批服务局{}分局", county.name, seat.name),
            town: Some(seat.code.to_string()),
            position: seat.position.map(|at| (at.lat, at.lon)),
            address: format!("{}{}驻地", county.name, seat.name),
            illustrative: true,
        }
        .insert(&mut w)
        .await?;
        offices += 1;
        for t in &p.towns {
            exec(
                &mut w,
                "INSERT INTO office_towns (office_code, town_code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                vec![code.to_string().into(), t.to_string().into()],
            )
            .await?;
        }
    }
    for t in &towns {
        NewOffice {
            code: OfficeCode::centre(&t.code),
            name: format!("{}便民服务中心", t.name),
            town: Some(t.code.to_string()),
            position: t.position.map(|at| (at.lat, at.lon)),
            address: format!("{}驻地", t.name),
            illustrative: false,
        }
        .insert(&mut w)
        .await?;
        offices += 1;
    }
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES ('reference', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(REFERENCE_VERSION)
    .execute(w.conn())
    .await?;
    w.audit(
        "seed.reference",
        "reference",
        REFERENCE_VERSION,
        &Scope::default(),
        json!({
            "counties": counties.len(), "towns": towns.len(), "boundaries": boundaries.len(),
            "offices": offices, "branches": plans.len(),
            "departments": counties.len() * DepartmentKind::ALL.len(),
        }),
    );
    w.commit().await?;
    Ok(true)
}

/// (county, reconsideration body, court) for Dezhou's counties. Under the 2023 行政复议法 (Art.
/// 24) a decision of a county department — the approval bureau and its branches — is reconsidered
/// by the county's people's government; 天衢新区's administrative committee is an agency of the
/// city, so the city government hears it, and its cases go to the court of the development zone
/// it grew from. Suits go to the basic people's court of the county (行政诉讼法 Art. 18).
pub const REMEDY_BODIES: [(&str, &str, &str); 12] = [
    ("371402", "德州市德城区人民政府", "德州市德城区人民法院"),
    ("371403", "德州市陵城区人民政府", "德州市陵城区人民法院"),
    ("371422", "宁津县人民政府", "宁津县人民法院"),
    ("371423", "庆云县人民政府", "庆云县人民法院"),
    ("371424", "临邑县人民政府", "临邑县人民法院"),
    ("371425", "齐河县人民政府", "齐河县人民法院"),
    ("371426", "平原县人民政府", "平原县人民法院"),
    ("371427", "夏津县人民政府", "夏津县人民法院"),
    ("371428", "武城县人民政府", "武城县人民法院"),
    ("371471", "德州市人民政府", "德州经济技术开发区人民法院"),
    ("371481", "乐陵市人民政府", "乐陵市人民法院"),
    ("371482", "禹城市人民政府", "禹城市人民法院"),
];

/// A value bound into a seeding statement.
enum Value {
    Text(String),
    Int(i64),
    Real(Option<f64>),
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Self::Real(Some(v))
    }
}
impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        Self::Real(v)
    }
}

async fn exec(w: &mut Write, sql: &'static str, values: Vec<Value>) -> Result<()> {
    let mut q = sqlx::query(sql);
    for v in values {
        q = match v {
            Value::Text(s) => q.bind(s),
            Value::Int(i) => q.bind(i),
            Value::Real(r) => q.bind(r),
        };
    }
    q.execute(w.conn()).await?;
    Ok(())
}

struct NewOffice {
    code: OfficeCode,
    name: String,
    town: Option<String>,
    position: Option<(f64, f64)>,
    address: String,
    illustrative: bool,
}

impl NewOffice {
    async fn insert(self, w: &mut Write) -> Result<()> {
        let kind: OfficeKind = self.code.kind();
        sqlx::query(
            "INSERT INTO offices (code, kind, name, county_code, town_code, lat, lon, address, phone, hours, illustrative)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10) ON CONFLICT DO NOTHING",
        )
        .bind(self.code.to_string())
        .bind(kind.slug())
        .bind(self.name)
        .bind(self.code.county().to_string())
        .bind(self.town)
        .bind(self.position.map(|p| p.0))
        .bind(self.position.map(|p| p.1))
        .bind(self.address)
        .bind(HOURS)
        .bind(flag(self.illustrative))
        .execute(w.conn())
        .await?;
        Ok(())
    }
}

/// The password of every demo account. Demo data only; `tongquan serve` creates no accounts.
/// After rows were written with explicit ids: PostgreSQL's identities continue after them
/// (SQLite's AUTOINCREMENT follows the largest id by itself). `tables` are constants.
pub(crate) async fn resync_ids(store: &Store, tables: &[&'static str]) -> Result<()> {
    if store.backend() != crate::Backend::Postgres {
        return Ok(());
    }
    for table in tables {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
        )))
        .execute(store.pool())
        .await?;
    }
    Ok(())
}

pub const DEMO_PASSWORD: &str = "tongquan-demo";

/// (username, display name, role, jurisdiction)
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    ("city.admin", "市县镇同权改革办", Role::CityAdmin, "city"),
    (
        "dc.bureau",
        "德城区行政审批服务局",
        Role::CountyBureau,
        "371402",
    ),
    (
        "ll.bureau",
        "乐陵市行政审批服务局",
        Role::CountyBureau,
        "371481",
    ),
    (
        "ll.branch1",
        "乐陵市第一分局窗口",
        Role::BranchClerk,
        "371481B01",
    ),
    (
        "ll.centre",
        "花园镇便民服务中心",
        Role::CentreClerk,
        "371481104C",
    ),
    ("ll.team", "花园镇综合执法队", Role::TeamLeader, "371481104"),
    (
        "ll.market",
        "乐陵市市场监管局",
        Role::DepartmentAdmin,
        "371481SJ",
    ),
    (
        "dc.market",
        "德城区市场监管局",
        Role::DepartmentAdmin,
        "371402SJ",
    ),
    (
        "dc.officer",
        "德城区市场监管执法人员",
        Role::Officer,
        "371402SJ",
    ),
];

/// Creates the demo accounts that do not exist yet; returns how many it created.
pub async fn load_demo_accounts(store: &Store) -> Result<usize> {
    let system = Actor::System("demo");
    let mut created = 0;
    for (username, name, role, jurisdiction) in DEMO_ACCOUNTS {
        let username = Username::parse("username", username)?;
        match store.account_by_username(&system, &username).await {
            Ok(_) => continue,
            Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        let jurisdiction = Jurisdiction::parse("jurisdiction", jurisdiction)?;
        store
            .create_account(
                &system,
                NewAccount {
                    username,
                    display_name: (*name).to_owned(),
                    role: *role,
                    jurisdiction,
                    password: DEMO_PASSWORD.to_owned(),
                },
            )
            .await?;
        created += 1;
    }
    Ok(created)
}
