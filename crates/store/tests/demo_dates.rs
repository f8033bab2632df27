//! The demo on any date: generated with today in late December of the last year the official
//! holiday table covers, where deadlines run into the next year, and with today inside a year
//! that has no official arrangement yet. Nothing is refused and nothing is skipped; due dates
//! counted through the unpublished year say they are provisional.

use chrono::NaiveDate;
use tongquan_domain::access::Actor;
use tongquan_domain::codes::CountyCode;
use tongquan_store::seed::catalog::{PILOT_COUNTIES, load_demo_catalog_for};
use tongquan_store::seed::{bundles, cases, enforcement};
use tongquan_store::testing::TestDb;
use tongquan_store::{PageRequest, contract_tests};

contract_tests!(
    the_demo_runs_in_late_december_of_the_last_official_year,
    the_demo_runs_in_a_provisional_year,
);

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Every stage of `tongquan demo`, small, on `today`; returns the open cases' provisional years.
async fn demo_on(db: &TestDb, today: NaiveDate) -> Vec<(String, Vec<i32>)> {
    let s = &db.store;
    let counties: Vec<CountyCode> = PILOT_COUNTIES
        .iter()
        .map(|c| CountyCode::parse("c", c).unwrap())
        .collect();
    load_demo_catalog_for(s, &counties, &|_, _, _| {})
        .await
        .unwrap();
    let volume = cases::Volume {
        approvals: 600,
        services: 500,
        seed: 5,
        from: today - chrono::Days::new(120),
        today,
    };
    let made = cases::generate(s, volume, &|_, _, _| {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!((made.approvals, made.services), (600, 500));
    let b = bundles::generate(s, 1, volume.from, today, 5, &|_, _, _| {})
        .await
        .unwrap()
        .unwrap();
    assert!(b.bundles > 0, "{b:?}");
    let e = enforcement::generate(
        s,
        enforcement::Volume {
            officers_per_county: 40,
            objects_per_town: 4,
            leads_per_town: 2,
            today,
            seed: 5,
        },
        Some(&counties),
        &|_, _, _| {},
    )
    .await
    .unwrap()
    .unwrap();
    assert!(e.visits_after > 0 && e.leads > 0, "{e:?}");

    let system = Actor::System("test");
    let open = s
        .cases(
            &system,
            &tongquan_store::cases::CaseFilter {
                open: true,
                ..Default::default()
            },
            PageRequest {
                page: 1,
                per_page: 500,
            },
            today,
        )
        .await
        .unwrap();
    assert!(open.total > 0, "some cases are still open today");
    let mut out = Vec::new();
    for c in open.items.iter().filter(|c| c.statutory_due.is_some()) {
        let case = s.case(&system, c.id, today).await.unwrap();
        out.push((c.statutory_due.clone().unwrap(), case.provisional));
    }
    out
}

async fn the_demo_runs_in_late_december_of_the_last_official_year(db: TestDb) {
    let open = demo_on(&db, d("2026-12-28")).await;
    // Cases still open run into 2027, which has no official arrangement in the bundled table.
    let into_next: Vec<_> = open
        .iter()
        .filter(|(due, _)| due.as_str() >= "2027")
        .collect();
    assert!(!into_next.is_empty(), "{open:?}");
    for (due, provisional) in &open {
        assert_eq!(
            provisional.as_slice(),
            if due.as_str() >= "2027" {
                &[2027][..]
            } else {
                &[][..]
            },
            "due {due}"
        );
    }
}

async fn the_demo_runs_in_a_provisional_year(db: TestDb) {
    let open = demo_on(&db, d("2027-03-15")).await;
    assert!(!open.is_empty());
    for (due, provisional) in &open {
        assert!(due.as_str() >= "2027-03-15", "due {due}");
        assert_eq!(provisional, &vec![2027], "due {due}");
    }
}
