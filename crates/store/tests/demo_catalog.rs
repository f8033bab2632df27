//! The demo catalog: for the two pilot counties on both backends (loaded once, every branch and
//! centre stocked, the pilot empowered to every town), and for the whole city on SQLite.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use tongquan_domain::access::Actor;
use tongquan_domain::catalog::{Recipient, ServiceKind};
use tongquan_domain::codes::CountyCode;
use tongquan_domain::org::OfficeKind;
use tongquan_store::audit::AuditFilter;
use tongquan_store::catalog::ItemFilter;
use tongquan_store::offices::OfficeFilter;
use tongquan_store::seed::catalog::{
    DemoCatalog, PILOT_COUNTIES, load_demo_catalog, load_demo_catalog_for,
};
use tongquan_store::testing::TestDb;
use tongquan_store::{Backend, PageRequest, Store, contract_tests};

const ALL: PageRequest = PageRequest {
    page: 1,
    per_page: 500,
};

fn on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

fn pilot_counties() -> Vec<CountyCode> {
    PILOT_COUNTIES
        .iter()
        .map(|c| CountyCode::parse("county", c).unwrap())
        .collect()
}

async fn audit_len(s: &Store) -> i64 {
    s.audit_entries(&Actor::System("test"), &AuditFilter::default(), ALL)
        .await
        .unwrap()
        .total
}

async fn offices(
    s: &Store,
    county: &CountyCode,
    kind: OfficeKind,
) -> Vec<tongquan_store::offices::Office> {
    s.offices(
        &OfficeFilter {
            county: Some(county.clone()),
            kind: Some(kind),
        },
        ALL,
    )
    .await
    .unwrap()
    .items
}

contract_tests!(the_demo_catalog_loads_once_and_stocks_every_office_and_town);

async fn the_demo_catalog_loads_once_and_stocks_every_office_and_town(db: TestDb) {
    let s = &db.store;
    let counties = pilot_counties();
    let phases = std::sync::Mutex::new(BTreeSet::new());
    let first = load_demo_catalog_for(s, &counties, &|phase, done, total| {
        assert!(done <= total, "{phase}: {done}/{total}");
        phases.lock().unwrap().insert(phase.to_owned());
    })
    .await
    .unwrap();
    // 德城区 is urban and has no branch; 乐陵市 has three; the two have 23 towns.
    assert_eq!(
        first,
        DemoCatalog {
            counties: 2,
            items: 2 * 1135,
            pilot_powers: 2 * 106,
            batches: 2 + 2 + 3,
            to_branches: 3 * 340,
            to_centres: 23 * 348,
            to_towns: 23 * 106,
            suspended: 1,
            resumed: 1,
            revoked: 1,
        },
        "{first}"
    );
    assert_eq!(
        phases.lock().unwrap().len(),
        6,
        "powers, items and delegations of each county report progress"
    );

    let entries = audit_len(s).await;
    let again = load_demo_catalog_for(s, &counties, &|_, _, _| {})
        .await
        .unwrap();
    assert_eq!(again, DemoCatalog::default(), "a second run adds nothing");
    assert_eq!(audit_len(s).await, entries, "nor any audit entry");

    for county in &counties {
        assert_offices_stocked(s, county).await;
        assert_pilot_empowered(s, county).await;
    }
}

/// The claim of the reform, for the whole city: 21 branches with 300+ approval items each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_city_has_21_branches_of_300_items_and_135_centres() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let s = &db.store;
    let loaded = load_demo_catalog(s, &|_, _, _| {}).await.unwrap();
    assert_eq!(
        (
            loaded.counties,
            loaded.items,
            loaded.to_branches,
            loaded.to_centres
        ),
        (12, 12 * 1135, 21 * 340, 135 * 348),
        "{loaded}"
    );
    let mut branches = 0;
    for county in s.counties(ALL).await.unwrap().items {
        branches += assert_offices_stocked(s, &county.code).await;
    }
    assert_eq!(branches, 21);
}

/// Every branch of the county holds 300+ approval items on a day of 2024 and is where its towns
/// go for them; every centre offers 300+ convenience services. Returns the number of branches.
async fn assert_offices_stocked(s: &Store, county: &CountyCode) -> usize {
    let branches = offices(s, county, OfficeKind::Branch).await;
    for branch in &branches {
        let held = s
            .office_items(
                &branch.code,
                ItemFilter {
                    service: Some(ServiceKind::Approval),
                    ..ItemFilter::on(on())
                },
                ALL,
            )
            .await
            .unwrap();
        assert!(held.total >= 300, "{} holds {}", branch.code, held.total);
        assert!(held.items.iter().all(|i| !i.item_type.is_enforcement()));
        let who = s
            .competence(held.items[0].id, &branch.served_towns[0].code, on())
            .await
            .unwrap();
        assert_eq!(who.code, branch.code.as_str());
        assert!(who.doc_number.unwrap().ends_with('号'));
    }
    for centre in offices(s, county, OfficeKind::Centre).await {
        let offered = s
            .office_items(
                &centre.code,
                ItemFilter {
                    service: Some(ServiceKind::Convenience),
                    ..ItemFilter::on(on())
                },
                PageRequest {
                    page: 1,
                    per_page: 1,
                },
            )
            .await
            .unwrap();
        assert!(
            offered.total >= 300,
            "{} offers {}",
            centre.code,
            offered.total
        );
    }
    branches.len()
}

/// The county's 106 pilot powers, in 6 categories and labelled illustrative, are empowered to
/// every town of the county, which is then competent for them.
async fn assert_pilot_empowered(s: &Store, county: &CountyCode) {
    let powers = s
        .items(
            &ItemFilter {
                county: Some(county.clone()),
                q: Some("SDZF".into()),
                ..ItemFilter::on(on())
            },
            ALL,
        )
        .await
        .unwrap();
    assert_eq!(powers.total, 106, "{county}");
    let mut categories = BTreeSet::new();
    for p in &powers.items {
        assert!(p.item_type.is_enforcement());
        let item = s.item(&Actor::Anonymous, p.id, Some(on())).await.unwrap();
        let content = &item.current().unwrap().content;
        assert!(content.legal_basis_setting.contains("示意"));
        categories.insert(content.category.clone());
    }
    assert_eq!(categories.len(), 6, "{categories:?}");
    let power_ids: BTreeSet<i64> = powers.items.iter().map(|p| p.id).collect();
    for town in s.all_towns(Some(county)).await.unwrap() {
        let empowered: BTreeSet<i64> = s
            .delegated_items(&Recipient::Town(town.code.clone()), on())
            .await
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(empowered, power_ids, "{}", town.code);
        let who = s
            .competence(powers.items[0].id, &town.code, on())
            .await
            .unwrap();
        assert_eq!(
            (who.kind, who.code.as_str()),
            ("town", town.code.as_str()),
            "the town itself is competent for an empowered power"
        );
    }
}
