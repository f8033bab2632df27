//! Demo cases on both backends: every generated case is routed as the catalog says on its day,
//! its due dates are the calendar's, its steps follow the transition table, and a second run adds
//! nothing.

use chrono::NaiveDate;
use tongquan_domain::access::Actor;
use tongquan_domain::calendar::Calendar;
use tongquan_domain::case::{CaseAction, CaseState, Party, step};
use tongquan_domain::codes::{CountyCode, TownCode};
use tongquan_store::seed::cases::{Volume, generate};
use tongquan_store::seed::catalog::{PILOT_COUNTIES, load_demo_catalog_for};
use tongquan_store::testing::TestDb;
use tongquan_store::{PageRequest, contract_tests};

contract_tests!(generated_cases_follow_the_catalog_the_calendar_and_the_table);

use tongquan_domain::calendar::{Pause, PauseReason};
use tongquan_domain::limits::{self, Intake};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn generated_cases_follow_the_catalog_the_calendar_and_the_table(db: TestDb) {
    let s = &db.store;
    let counties: Vec<CountyCode> = PILOT_COUNTIES
        .iter()
        .map(|c| CountyCode::parse("c", c).unwrap())
        .collect();
    load_demo_catalog_for(s, &counties, &|_, _, _| {})
        .await
        .unwrap();
    let volume = Volume {
        approvals: 1_200,
        services: 3_000,
        seed: 7,
        from: d("2024-01-01"),
        today: d("2024-12-20"),
    };
    let made = generate(s, volume, &|_, _, _| {}).await.unwrap().unwrap();
    assert_eq!((made.approvals, made.services), (1_200, 3_000));
    assert!(
        generate(s, volume, &|_, _, _| {}).await.unwrap().is_none(),
        "once"
    );

    let system = Actor::System("test");
    let all = s
        .cases(
            &system,
            &Default::default(),
            PageRequest {
                page: 1,
                per_page: 2_000,
            },
            volume.today,
        )
        .await
        .unwrap();
    assert_eq!(all.total, 1_200);
    let calendar = Calendar::new(tongquan_store::calendar::bundled().unwrap());
    let mut states = std::collections::BTreeMap::new();
    // Every 7th case in full: routing, dues, steps.
    for summary in all.items.iter().step_by(7) {
        *states.entry(summary.state.clone()).or_insert(0) += 1;
        let case = s.case(&system, summary.id, volume.today).await.unwrap();
        let submitted = d(&summary.submitted_on);
        let who = s
            .competence(
                summary.item_id,
                &TownCode::parse("t", &summary.town_code).unwrap(),
                submitted,
            )
            .await
            .unwrap();
        assert_eq!(who.code, summary.office_code, "{}", summary.tracking_no);
        assert_eq!(who.doc_number, case.doc_number);
        if !case.commitment {
            // The law's clock, applied afresh to the case's own steps: from acceptance, with the
            // supplement owed before it; lateness recorded with the decision.
            let mut steps = Vec::new();
            for e in &case.events {
                steps.push((e.action.as_str(), d(&e.on_day)));
            }
            let intake = Intake::from_steps(submitted, steps);
            let pauses: Vec<Pause> = case
                .pauses
                .iter()
                .map(|p| Pause {
                    reason: PauseReason::parse("r", &p.reason).unwrap(),
                    from: d(&p.from_day),
                    until: p.until_day.as_deref().map(d),
                })
                .collect();
            let due = case.statutory_days.and_then(|n| {
                limits::case_due(&calendar, &intake, volume.today, n as u32, &pauses, &[])
                    .unwrap()
                    .and_then(|due| due.date)
            });
            assert_eq!(
                summary.statutory_due,
                due.map(|d| d.to_string()),
                "{}",
                summary.tracking_no
            );
            if let (Some(decided), Some(due)) = (&summary.decided_on, due) {
                assert_eq!(
                    summary.on_time_statutory,
                    Some(i64::from(d(decided) <= due)),
                    "{}",
                    summary.tracking_no
                );
            }
            // Every supplement notice came once, within the answer period.
            if let Some(asked) = intake.supplement_requested {
                assert!(asked <= calendar.add_working_days(submitted, 5).unwrap());
            }
        }
        let mut state = CaseState::Submitted;
        for e in &case.events[1..] {
            // A cross-window case's hand-offs leave its state as it is.
            if tongquan_domain::case::Handover::parse("a", &e.action).is_ok() {
                assert_eq!(summary.channel, "cross_window", "{}", summary.tracking_no);
                assert_eq!(e.to_state, state.slug(), "{}", summary.tracking_no);
                continue;
            }
            let action = CaseAction::parse("a", &e.action).unwrap();
            let by = if matches!(action, CaseAction::Supply | CaseAction::Withdraw) {
                Party::Applicant
            } else {
                Party::Office
            };
            state = step(state, action, by)
                .unwrap_or_else(|err| panic!("{}: {err:?}", summary.tracking_no));
            assert!(d(&e.on_day) < volume.today && d(&e.on_day) >= submitted);
        }
        assert_eq!(state.slug(), summary.state);
        assert!(summary.tracking_no.starts_with(&summary.office_code));
        // Every step that issues a notice issued one, numbered.
        let issued: Vec<usize> = s
            .notices(&case)
            .await
            .unwrap()
            .iter()
            .map(|n| n.event)
            .collect();
        let expected: Vec<usize> = (0..case.events.len())
            .filter(|n| {
                CaseAction::parse("a", &case.events[*n].action).is_ok_and(|a| a.notice().is_some())
            })
            .collect();
        assert_eq!(issued, expected, "{}", summary.tracking_no);
    }
    // Each office's notices run 1, 2, 3… in each year, none missing, none twice.
    let gaps = s
        .count_raw(
            "SELECT COUNT(*) FROM (SELECT office_code, year, COUNT(*) AS n, MIN(number) AS lo, MAX(number) AS hi
             FROM case_notices GROUP BY office_code, year) g WHERE lo <> 1 OR hi <> n",
        )
        .await
        .unwrap();
    assert_eq!(gaps, 0);
    let licence_gaps = s
        .count_raw(
            "SELECT COUNT(*) FROM (SELECT office_code, year, COUNT(*) AS n, MIN(licence_number) AS lo,
                MAX(licence_number) AS hi FROM case_notices WHERE licence_number IS NOT NULL
             GROUP BY office_code, year) g WHERE lo <> 1 OR hi <> n",
        )
        .await
        .unwrap();
    assert_eq!(licence_gaps, 0);
    assert!(
        s.count_raw("SELECT COUNT(*) FROM case_notices WHERE licence_number IS NOT NULL")
            .await
            .unwrap()
            > 0,
        "demo grants issue licences"
    );
    assert!(
        states.get("concluded").copied().unwrap_or(0) > 100,
        "{states:?}"
    );
    let ids: std::collections::BTreeSet<&str> =
        all.items.iter().map(|c| c.tracking_no.as_str()).collect();
    assert_eq!(ids.len(), 1_200, "tracking numbers are unique");
    // The ids continue after the generated ones on either backend.
    let (item, town) = tongquan_store::testing::delegated_item(s, "371481B01").await;
    let new = tongquan_store::cases::NewCase::parse(
        item,
        town.as_str(),
        "person",
        "11010519491231002X",
        "新",
        "13805340000",
        "online",
        vec!["申请书".into(), "营业执照".into()],
    )
    .unwrap();
    let r = s
        .submit_case(&Actor::Anonymous, new, d("2024-12-20"))
        .await
        .unwrap();
    // A decision taken now continues the office's series for the year.
    let last = s
        .count_raw(
            "SELECT COALESCE(MAX(number), 0) FROM case_notices WHERE office_code = '371481B01' AND year = 2024",
        )
        .await
        .unwrap();
    let clerk =
        tongquan_store::testing::staff(tongquan_domain::access::Role::BranchClerk, "371481B01");
    let accept = tongquan_store::cases::CaseStep {
        action: CaseAction::Accept,
        reason: String::new(),
        materials: Vec::new(),
        files: Vec::new(),
        lock_version: 1,
    };
    let case = s
        .act_on_case(&clerk, r.id, accept, d("2024-12-20"))
        .await
        .unwrap();
    assert_eq!(s.notices(&case).await.unwrap()[0].number, last + 1);
    // Most decisions come in time; the few late ones are recorded as late.
    let rules = s.rule_check().await.unwrap();
    assert!(rules.decisions > 300, "{rules:?}");
    assert!(
        rules.decided_late_statutory > 0 && rules.decided_late_statutory * 20 < rules.decisions,
        "{rules:?}"
    );
    let services = s
        .services(&system, None, None, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(services.total, 3_000);
}
