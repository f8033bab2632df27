//! The demo's enforcement data on both backends: officers in every town, the before/after visits
//! computed from the records, joint visits never over the month's cap, leads routed by the
//! delegated powers, a draw that verifies, penalty cases through the real checks; once only.

use chrono::NaiveDate;
use tongquan_domain::access::Actor;
use tongquan_domain::codes::CountyCode;
use tongquan_store::enforcement::officers::OfficerFilter;
use tongquan_store::seed::catalog::load_demo_catalog_for;
use tongquan_store::seed::enforcement::{Volume, generate};
use tongquan_store::testing::TestDb;
use tongquan_store::{PageRequest, contract_tests};

contract_tests!(the_demo_models_the_year_before_and_the_joint_year);

async fn the_demo_models_the_year_before_and_the_joint_year(db: TestDb) {
    let s = &db.store;
    // 乐陵市 holds the enforcement pilot; 庆云县 does not.
    let counties = [
        CountyCode::parse("c", "371481").unwrap(),
        CountyCode::parse("c", "371423").unwrap(),
    ];
    load_demo_catalog_for(s, &counties, &|_, _, _| {})
        .await
        .unwrap();
    let today: NaiveDate = "2026-11-25".parse().unwrap();
    let volume = Volume {
        officers_per_county: 60,
        objects_per_town: 8,
        leads_per_town: 4,
        today,
        seed: 11,
    };
    let made = generate(s, volume, Some(&counties), &|_, _, _| {})
        .await
        .unwrap()
        .unwrap();
    assert!(
        generate(s, volume, Some(&counties), &|_, _, _| {})
            .await
            .unwrap()
            .is_none(),
        "once"
    );
    assert!(made.visits_after < made.visits_before, "{made:?}");
    assert_eq!(made.draws, 2);
    assert!(made.penalty_cases > 0, "the pilot county files cases");

    let system = Actor::System("test");
    let all = PageRequest {
        page: 1,
        per_page: 500,
    };
    for c in &counties {
        for t in s.all_towns(Some(c)).await.unwrap() {
            let f = OfficerFilter {
                town: Some(t.code.clone()),
                ..OfficerFilter::default()
            };
            assert!(
                s.officers(&system, &f, all).await.unwrap().total >= 1,
                "a team serves {}",
                t.name
            );
        }
    }
    // The figures are computed from the rows: the same span of days in both years.
    let figures = s.enforcement_figures(None, today).await.unwrap();
    let before = s
        .count_raw("SELECT COUNT(*) FROM inspections WHERE visited_on >= '2025-01-01' AND visited_on <= '2025-11-25'")
        .await
        .unwrap();
    let after = s
        .count_raw("SELECT COUNT(*) FROM inspections WHERE visited_on >= '2026-01-01'")
        .await
        .unwrap();
    assert_eq!(
        (figures.total.visits_before, figures.total.visits_after),
        (before, after)
    );
    assert!(
        figures.total.reduction_percent > 20.0,
        "{:?}",
        figures.total
    );
    assert_eq!(figures.total.objects as usize, made.objects);
    // Joint visits: at most one planned visit per object and month this year.
    let over = s
        .count_raw(
            "SELECT COUNT(*) FROM (SELECT object_id, SUBSTR(visited_on, 1, 7) AS m FROM inspections
             WHERE visited_on >= '2026-01-01' GROUP BY object_id, SUBSTR(visited_on, 1, 7) HAVING COUNT(*) > 1) x",
        )
        .await
        .unwrap();
    assert_eq!(over, 0);
    // Leads go to the town where the field's powers are the town's (the pilot), else the department.
    let pilot_town = s
        .count_raw(
            "SELECT COUNT(*) FROM leads WHERE county_code = '371481' AND handler_kind = 'town'",
        )
        .await
        .unwrap();
    let other_town = s
        .count_raw(
            "SELECT COUNT(*) FROM leads WHERE county_code = '371423' AND handler_kind = 'town'",
        )
        .await
        .unwrap();
    assert!(
        pilot_town > 0 && other_town == 0,
        "{pilot_town} {other_town}"
    );
    // The year's plan merged from the item lists: proven optimal, far fewer visits than requirements.
    let plan = s.joint_plan(&counties[0]).await.unwrap();
    assert!(
        plan.optimal && plan.joint_visits < plan.separate_visits,
        "{plan:?}"
    );
    assert_eq!(plan.by_month.iter().sum::<usize>(), plan.joint_visits);
    // Every draw verifies from its published document.
    for d in s.draws(None, all).await.unwrap().items {
        s.draw_document(d.id).await.unwrap().verify().unwrap();
    }
    assert!(figures.total.leads > 0 && figures.total.median_on_site_minutes.is_some());
    // Every visit, held to the rules afresh: two credentialed officers for each department's
    // part, and nobody at a fourth visit after three that found nothing.
    let rules = s.rule_check().await.unwrap();
    assert!(rules.visits > 100, "{rules:?}");
    assert_eq!(
        (
            rules.visits_short_of_credentialed_officers,
            rules.recusal_breaches
        ),
        (0, 0),
        "{rules:?}"
    );
    s.verify_audit().await.unwrap();
}
