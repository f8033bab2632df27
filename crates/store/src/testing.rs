//! Fresh databases for tests, one per test, on either backend.
//!
//! PostgreSQL tests use the server at `TONGQUAN_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/test`). Where it cannot be reached they skip with a one-line
//! message, unless `TONGQUAN_REQUIRE_ALL=1` (set by `.ci/run`), which turns the skip into a failure.

use sqlx::{AnyConnection, Connection};
use tempfile::TempDir;

use tongquan_domain::access::Actor;
use tongquan_domain::catalog::{RawItem, RawMaterial, Recipient, Validity};
use tongquan_domain::codes::{BaseCode, CountyCode, ImplCode, OfficeCode, TownCode};

use crate::delegations::NewBatch;
use crate::{Backend, Result, Store, seed};

pub fn pg_admin_url() -> String {
    std::env::var("TONGQUAN_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Whether every suite must run: CI sets this so that a missing dependency fails instead of skipping.
pub fn require_all() -> bool {
    std::env::var("TONGQUAN_REQUIRE_ALL").is_ok_and(|v| v == "1")
}

/// Reports a missing dependency: a panic in CI, a one-line skip notice elsewhere.
pub fn skip(what: &str, why: &str) {
    assert!(
        !require_all(),
        "{what} is required (TONGQUAN_REQUIRE_ALL=1) but unavailable: {why}"
    );
    eprintln!("skipping {what}: {why}");
}

/// A fresh, migrated database holding the reference geography and organisation.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<TempDir>,
    pg_database: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Option<Self> {
        let db = match backend {
            Backend::Sqlite => Self::sqlite_empty().await,
            Backend::Postgres => Self::postgres_empty().await?,
        };
        seed::load_reference(&db.store)
            .await
            .expect("reference data loads");
        Some(db)
    }

    async fn sqlite_empty() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = crate::sqlite_url(&dir.path().join("test.db"));
        let store = Store::open(&url).await.expect("sqlite opens");
        Self {
            store,
            url,
            _dir: Some(dir),
            pg_database: None,
        }
    }

    async fn postgres_empty() -> Option<Self> {
        sqlx::any::install_default_drivers();
        let admin = pg_admin_url();
        let mut conn = match AnyConnection::connect(&admin).await {
            Ok(c) => c,
            Err(e) => {
                skip(
                    "PostgreSQL tests",
                    &format!("cannot connect to {admin}: {e}"),
                );
                return None;
            }
        };
        let name = format!("tq_test_{}", hex::encode(rand::random::<[u8; 6]>()));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        let store = Store::open(&url).await.expect("postgres opens");
        Some(Self {
            store,
            url,
            _dir: None,
            pg_database: Some(name),
        })
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Runs SQL behind the store's back, as someone with database access could: for tests that
    /// tamper with rows directly.
    pub async fn exec(&self, sql: &str) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(self.store.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_database.take() else {
            return;
        };
        // Drop runs outside async, so the cleanup gets a small runtime of its own.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) = AnyConnection::connect(&pg_admin_url()).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// Runs each named async test function, which takes a [`TestDb`], once on SQLite and once on
/// PostgreSQL: one contract story, both backends.
#[macro_export]
macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::new($crate::Backend::Sqlite).await.expect("sqlite is embedded");
                super::$name(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDb::new($crate::Backend::Postgres).await {
                    super::$name(db).await;
                }
            }
        }
    )*};
}

fn material(name: &str, requirement: &str) -> RawMaterial {
    RawMaterial {
        name: name.into(),
        requirement: requirement.into(),
        form: "original".into(),
        copies: "1".into(),
        note: String::new(),
    }
}

/// A licensing item (食品经营许可: 20 statutory and 10 promised working days, any-window allowed;
/// set by 食品安全法 Art. 35, a grant issues a 食品经营许可证 valid for 5 years) with two required
/// materials and one conditional, delegated to `branch` by a document dated 2023-12-20 from
/// 2024-01-01. Returns the item and the first town the branch serves.
pub async fn delegated_item(s: &Store, branch: &str) -> (i64, TownCode) {
    delegated_item_under(s, branch, "stay").await
}

/// [`delegated_item`] under a batch that says what becomes of open cases when the power ends
/// (`stay` or `transfer`).
pub async fn delegated_item_under(s: &Store, branch: &str, open_cases: &str) -> (i64, TownCode) {
    let branch = OfficeCode::parse("branch", branch).expect("a branch code");
    let county = branch.county();
    let bureau = Actor::System("fixture");
    let content = RawItem {
        name: "食品经营许可".into(),
        item_type: "licensing".into(),
        department: format!("{county}SP"),
        legal_basis_setting: "《中华人民共和国食品安全法》第三十五条".into(),
        legal_basis_implementing: "《食品经营许可和备案管理办法》".into(),
        licence: "食品经营许可证".into(),
        licence_years: "5".into(),
        exercise_level: "县级".into(),
        statutory_days: "20".into(),
        promised_days: "10".into(),
        online_depth: "online_precheck".into(),
        service: "approval".into(),
        tongban_allowed: "是".into(),
        commitment_allowed: "是".into(),
        materials: vec![
            material("申请书", "required"),
            material("营业执照", "required"),
            material("场所平面图", "conditional"),
        ],
        ..RawItem::default()
    }
    .parse()
    .expect("fixture");
    let item = s
        .create_item(
            &bureau,
            &county,
            &ImplCode::parse("i", &format!("11{county}CAS00001")).expect("fixture"),
            &BaseCode::parse("b", &format!("11{county}")).expect("fixture"),
            content,
        )
        .await
        .expect("fixture");
    let validity = Validity::parse("2024-01-01", "").expect("fixture");
    s.publish(&bureau, item.id, validity)
        .await
        .expect("fixture");
    let batch = NewBatch::parse(
        county.as_str(),
        "乐政发〔2024〕1号",
        "2023-12-20",
        "赋权事项",
        "devolve",
        &format!("{county}SP"),
        "县镇同权改革实施方案",
        open_cases,
    )
    .expect("fixture");
    let batch = s.create_batch(&bureau, batch).await.expect("fixture").id;
    s.delegate(
        &bureau,
        batch,
        &[item.id],
        &[Recipient::Office(branch.clone())],
        validity,
    )
    .await
    .expect("fixture");
    let town = s.office(&branch).await.expect("fixture").served_towns[0]
        .code
        .clone();
    (item.id, town)
}

/// A staff member with this role and jurisdiction (e.g. `"371481B01"`), as a token would give.
pub fn staff(role: tongquan_domain::access::Role, jurisdiction: &str) -> Actor {
    use tongquan_domain::access::{Jurisdiction, Staff};
    let name = format!("{}.test", role.slug().replace('_', "-"));
    Actor::Staff(Staff {
        id: 2_000,
        username: tongquan_domain::codes::Username::parse("u", &name).expect("fixture"),
        role,
        jurisdiction: Jurisdiction::parse("j", jurisdiction).expect("fixture"),
    })
}

/// A convenience service (城乡居民养老保险参保登记) of 乐陵市 in force from 2024-01-01, not handed to
/// any centre. Returns its id.
pub async fn convenience_item(s: &Store) -> i64 {
    let system = Actor::System("fixture");
    let content = RawItem {
        name: "城乡居民养老保险参保登记".into(),
        item_type: "public_service".into(),
        department: "371481SP".into(),
        online_depth: "on_site".into(),
        service: "convenience".into(),
        ..RawItem::default()
    }
    .parse()
    .expect("fixture");
    let county = tongquan_domain::codes::CountyCode::parse("c", "371481").expect("fixture");
    let item = s
        .create_item(
            &system,
            &county,
            &ImplCode::parse("i", "11371481BM000001").expect("fixture"),
            &BaseCode::parse("b", "11371481").expect("fixture"),
            content,
        )
        .await
        .expect("fixture");
    s.publish(
        &system,
        item.id,
        Validity::parse("2024-01-01", "").expect("fixture"),
    )
    .await
    .expect("fixture");
    item.id
}

/// The four-certificate bundle of `county` (its items in force from 2024-01-01, decided at the
/// county hall), as the demo defines it. Returns the template id.
pub async fn four_certificate_bundle(s: &Store, county: &str) -> i64 {
    let county = tongquan_domain::codes::CountyCode::parse("county", county).expect("fixture");
    let from = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    seed::bundles::four_certificate_template(s, &county, from)
        .await
        .expect("fixture")
}

impl Store {
    /// Runs one statement as given; for benchmarks and test set-up only.
    pub async fn execute_raw(&self, sql: &'static str) -> Result<()> {
        sqlx::query(sql).execute(self.pool()).await?;
        Ok(())
    }

    /// The one number a `SELECT COUNT(*) …` gives; for tests that prove nothing was written.
    pub async fn count_raw(&self, sql: &'static str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(self.pool()).await?;
        Ok(n)
    }

    /// The baseline a case submission is measured against: one row shaped like a case, inserted
    /// into `bench_raw` in its own transaction.
    pub async fn bench_raw_insert(&self, i: i64) -> Result<()> {
        // Writers take turns the same way as the product's writes.
        let _turn = self.writer_turn().await;
        sqlx::query(
            "INSERT INTO bench_raw (id, tracking_no, check_hash, item_id, item_version, item_name, county_code,
                town_code, office_code, channel, applicant_kind, applicant_id, applicant_name, contact, materials,
                state, submitted_on, statutory_days, promised_days, statutory_due, promised_due, km_to_office,
                km_to_hall, commitment, created_at, updated_at, lock_version)
             VALUES ($1, $2, $3, 1, 1, '食品经营许可', '371481', '371481104', '371481B01', 'online', 'person',
                '11010519491231002X', '压测', '1', '[\"申请书\",\"营业执照\"]', 'submitted', '2026-06-01', 20, 10,
                '2026-06-29', '2026-06-15', 3.2, 25.1, 0, '2026-06-01T08:00:00Z', '2026-06-01T08:00:00Z', 1)",
        )
        .bind(i)
        .bind(format!("RAW{i:012}"))
        .bind(format!("{i:064}"))
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// An enforcement setting in 乐陵市 (371481): a market-regulation penalty power delegated to
/// 花园镇 from 2024-01-01 (not to 市中街道); two enterprises, one in each town; four officers of
/// the market department (three with credentials valid 2024–2028, one whose credential ended in 2023), all
/// dispatched to 花园镇.
pub struct EnforcementFixture {
    pub power: i64,
    pub delegated_town: TownCode,
    pub other_town: TownCode,
    pub department: tongquan_domain::codes::DepartmentCode,
    pub objects: [i64; 2],
    /// Three valid officers, then the expired one.
    pub officers: [i64; 4],
}

pub async fn enforcement_fixture(s: &Store) -> EnforcementFixture {
    use chrono::NaiveDate;
    use tongquan_domain::applicant::{ApplicantId, ApplicantKind};
    use tongquan_domain::codes::DepartmentCode;
    use tongquan_domain::enforcement::{
        Credential, DispatchForm, EnforcementDomain, ObjectKind, RiskGrade,
    };

    use crate::enforcement::objects::NewObject;
    use crate::enforcement::officers::NewOfficer;

    let system = Actor::System("fixture");
    let county = CountyCode::parse("c", "371481").expect("fixture");
    let town = TownCode::parse("t", "371481104").expect("fixture");
    let other = TownCode::parse("t", "371481001").expect("fixture");
    let department = DepartmentCode::parse("d", "371481SJ").expect("fixture");
    let content = RawItem {
        name: "对未取得营业执照擅自从事经营活动的行政处罚".into(),
        item_type: "penalty".into(),
        department: department.to_string(),
        exercise_level: "县级（赋权乡镇行使）".into(),
        online_depth: "on_site".into(),
        max_visits: "0".into(),
        service: "approval".into(),
        category: "市场监管".into(),
        legal_basis_setting: "《无证无照经营查处办法》".into(),
        ..RawItem::default()
    }
    .parse()
    .expect("fixture");
    let item = s
        .create_item(
            &system,
            &county,
            &ImplCode::parse("i", "SDZF02001-371481000000").expect("fixture"),
            &BaseCode::parse("b", "SDZF02001").expect("fixture"),
            content,
        )
        .await
        .expect("fixture");
    let validity = Validity::parse("2024-01-01", "").expect("fixture");
    s.publish(&system, item.id, validity)
        .await
        .expect("fixture");
    let batch = NewBatch::parse(
        county.as_str(),
        "乐政发〔2023〕88号",
        "2023-12-20",
        "关于赋予镇（街道）部分县级行政执法权限的决定",
        "empower",
        "371481ZB",
        "《中华人民共和国行政处罚法》第二十四条",
        "",
    )
    .expect("fixture");
    let batch = s.create_batch(&system, batch).await.expect("fixture").id;
    s.delegate(
        &system,
        batch,
        &[item.id],
        &[Recipient::Town(town.clone())],
        validity,
    )
    .await
    .expect("fixture");
    let mut objects = [0; 2];
    for (n, (t, first17)) in [(&town, "91371481MA3C0000"), (&other, "91371481MA3C0001")]
        .into_iter()
        .enumerate()
    {
        objects[n] = s
            .create_inspection_object(
                &system,
                NewObject {
                    town: t.clone(),
                    kind: ObjectKind::Enterprise,
                    credit_code: Some(
                        ApplicantId::complete(ApplicantKind::Enterprise, &format!("{first17}{n}"))
                            .expect("fixture"),
                    ),
                    name: format!("乐陵市某食品有限公司{}", n + 1),
                    industry: "食品制造".into(),
                    position: None,
                    grade: RiskGrade::C,
                    domains: vec![EnforcementDomain::Market, EnforcementDomain::Safety],
                },
            )
            .await
            .expect("fixture")
            .id;
    }
    let d = |s: &str| s.parse::<NaiveDate>().expect("fixture");
    let mut officers = [0; 4];
    let periods = [("2024-01-01", "2028-12-31"); 3]
        .into_iter()
        .chain([("2021-01-01", "2023-12-31")]);
    for (n, (from, to)) in periods.enumerate() {
        let credential = Credential::parse(
            &format!("SD1481{n:04}"),
            "market",
            "德州市人民政府",
            d(from),
            d(to),
        )
        .expect("fixture");
        let o = s
            .create_officer(
                &system,
                NewOfficer {
                    department: department.clone(),
                    name: format!("执法员{}", n + 1),
                    credential: Some(credential),
                },
            )
            .await
            .expect("fixture");
        s.dispatch_officer(
            &system,
            o.id,
            DispatchForm::Stationed,
            std::slice::from_ref(&town),
            d("2024-01-01"),
        )
        .await
        .expect("fixture");
        officers[n] = o.id;
    }
    EnforcementFixture {
        power: item.id,
        delegated_town: town,
        other_town: other,
        department,
        objects,
        officers,
    }
}
