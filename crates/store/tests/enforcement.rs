//! Enforcement moved down: inspections, random draws, leads, hazards and penalty cases, run on
//! SQLite and on PostgreSQL. Every refused input leaves the tables as they were.

use chrono::{DateTime, Days, NaiveDate, Utc};
use tongquan_domain::access::{Actor, Role};
use tongquan_domain::case::Rating;
use tongquan_domain::enforcement::hazard::{HazardLevel, HazardState};
use tongquan_domain::enforcement::lead::{LeadSource, LeadStep, Urgency};
use tongquan_domain::enforcement::penalty::{Penalty, PenaltyStep, Sanction};
use tongquan_domain::enforcement::{EnforcementDomain, Trigger};
use tongquan_domain::geo::LatLon;
use tongquan_plan::{DrawSpec, Quota};
use tongquan_store::enforcement::draws::NewDraw;
use tongquan_store::enforcement::hazards::Reinspection;
use tongquan_store::enforcement::inspections::{NewHazard, NewInspection};
use tongquan_store::enforcement::leads::{LeadPlace, NewLead};
use tongquan_store::enforcement::penalties::{NewPenalty, PenaltyInput};
use tongquan_store::testing::{EnforcementFixture, TestDb, enforcement_fixture, staff};
use tongquan_store::throttle::Client;
use tongquan_store::{Store, StoreError, contract_tests};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const TODAY: &str = "2026-06-15";

/// A visit; one set off by a lead or complaint names lead 1 (the test files it first).
fn visit(f: &EnforcementFixture, officers: &[i64], on: &str, trigger: Trigger) -> NewInspection {
    NewInspection {
        object_id: f.objects[0],
        department: f.department.clone(),
        joined: Vec::new(),
        trigger,
        draw_id: None,
        lead_id: trigger.is_triggered().then_some(1),
        visited_on: d(on),
        started_at: "09:00".into(),
        ended_at: "10:30".into(),
        officers: officers.to_vec(),
        parts: Vec::new(),
        items: vec!["食品经营者日常经营".into()],
        findings: String::new(),
        hazards: Vec::new(),
        override_reason: None,
    }
}

async fn count(s: &Store, table: &'static str) -> i64 {
    let sql: &'static str = match table {
        "inspections" => "SELECT COUNT(*) FROM inspections",
        "hazards" => "SELECT COUNT(*) FROM hazards",
        "draws" => "SELECT COUNT(*) FROM draws",
        "leads" => "SELECT COUNT(*) FROM leads",
        "penalty_cases" => "SELECT COUNT(*) FROM penalty_cases",
        _ => unreachable!(),
    };
    s.count_raw(sql).await.unwrap()
}

fn code(e: StoreError) -> String {
    e.code().to_owned()
}

async fn inspections_check_officers_cap_and_hazards(db: TestDb) {
    let s = &db.store;
    let f = enforcement_fixture(s).await;
    let dept = staff(Role::DepartmentAdmin, "371481SJ");
    let [a, b, c, expired] = f.officers;
    let today = d(TODAY);
    let now: DateTime<Utc> = "2026-06-10T08:00:00Z".parse().unwrap();
    let place = LeadPlace::Town(f.delegated_town.clone());
    let lead_id = s
        .report_lead(&Actor::Anonymous, lead(place, LeadSource::Public), now)
        .await
        .unwrap()
        .0
        .id;
    assert_eq!(lead_id, 1, "the visits below name lead 1");
    let mut no_lead = visit(&f, &[a, b], "2026-06-01", Trigger::Lead);
    no_lead.lead_id = None;
    let mut unknown_draw = visit(&f, &[a, b], "2026-06-01", Trigger::Draw);
    unknown_draw.draw_id = Some(99);

    for (bad, want) in [
        (no_lead, "required_field"),
        (unknown_draw, "invalid_field"),
        (
            visit(&f, &[a], "2026-06-01", Trigger::Routine),
            "too_few_officers",
        ),
        (
            visit(&f, &[a, a], "2026-06-01", Trigger::Routine),
            "too_few_officers",
        ),
        (
            visit(&f, &[a, expired], "2026-06-01", Trigger::Routine),
            "credential_invalid",
        ),
        (
            visit(&f, &[a, b], "2026-06-20", Trigger::Routine),
            "invalid_field",
        ),
        (
            visit(&f, &[a, 999_999], "2026-06-01", Trigger::Routine),
            "invalid_field",
        ),
    ] {
        assert_eq!(
            code(s.record_inspection(&dept, bad, today).await.unwrap_err()),
            want
        );
    }
    let mut past = visit(&f, &[a, b], "2026-06-01", Trigger::Routine);
    past.hazards = vec![NewHazard {
        level: HazardLevel::General,
        description: "灭火器过期".into(),
        responsible: "企业负责人".into(),
        deadline: d("2026-06-14"),
    }];
    let err = s.record_inspection(&dept, past, today).await.unwrap_err();
    assert_eq!(err.field(), Some("deadline"));
    s.declare_recusal(&dept, c, f.objects[0], "近亲属在该企业任职")
        .await
        .unwrap();
    let recused = s
        .record_inspection(
            &dept,
            visit(&f, &[a, c], "2026-06-01", Trigger::Routine),
            today,
        )
        .await;
    assert_eq!(code(recused.unwrap_err()), "recused");
    // An officer of a department that is not at the visit may not be counted in it.
    let ecology = s
        .create_officer(
            &Actor::System("t"),
            tongquan_store::enforcement::officers::NewOfficer {
                department: tongquan_domain::codes::DepartmentCode::parse("d", "371481HJ").unwrap(),
                name: "环保执法员".into(),
                credential: Some(
                    tongquan_domain::enforcement::Credential::parse(
                        "SD1481HJ01",
                        "market,ecology",
                        "德州市人民政府",
                        d("2024-01-01"),
                        d("2028-12-31"),
                    )
                    .unwrap(),
                ),
            },
        )
        .await
        .unwrap();
    let outsider = s
        .record_inspection(
            &dept,
            visit(&f, &[a, ecology.id], "2026-06-01", Trigger::Routine),
            today,
        )
        .await;
    assert_eq!(outsider.unwrap_err().field(), Some("officers"));
    let other_county = staff(Role::DepartmentAdmin, "371402SJ");
    let forbidden = s
        .record_inspection(
            &other_county,
            visit(&f, &[a, b], "2026-06-01", Trigger::Routine),
            today,
        )
        .await;
    assert!(forbidden.is_err());
    assert_eq!(
        count(s, "inspections").await,
        0,
        "every refused visit wrote nothing"
    );
    assert_eq!(count(s, "hazards").await, 0);

    let mut first = visit(&f, &[a, b], "2026-06-01", Trigger::Routine);
    first.findings = "进货查验记录不全".into();
    first.hazards = vec![NewHazard {
        level: HazardLevel::Major,
        description: "冷库制冷设备故障".into(),
        responsible: "企业负责人 张某".into(),
        deadline: d("2026-06-30"),
    }];
    let receipt = s.record_inspection(&dept, first, today).await.unwrap();
    assert_eq!(receipt.inspection.found, 1);
    assert_eq!(receipt.hazards.len(), 1);
    assert_eq!(receipt.rating_code.len(), 8);

    // The month's cap: a second planned visit needs a reason; a lead-triggered one does not.
    let again = s
        .record_inspection(
            &dept,
            visit(&f, &[a, b], "2026-06-10", Trigger::Routine),
            today,
        )
        .await;
    assert_eq!(code(again.unwrap_err()), "visit_cap");
    assert_eq!(count(s, "inspections").await, 1);
    let mut overridden = visit(&f, &[a, b], "2026-06-10", Trigger::Routine);
    overridden.override_reason = Some("食品安全专项整治".into());
    let o = s.record_inspection(&dept, overridden, today).await.unwrap();
    assert_eq!(
        o.inspection.override_reason.as_deref(),
        Some("食品安全专项整治")
    );
    s.record_inspection(
        &dept,
        visit(&f, &[a, b], "2026-06-11", Trigger::Lead),
        today,
    )
    .await
    .unwrap();
    s.record_inspection(
        &dept,
        visit(&f, &[a, b], "2026-06-12", Trigger::Complaint),
        today,
    )
    .await
    .unwrap();
    // Three clean visits in a row by a and b: they now recuse, a fresh pair may go.
    let repeat = s
        .record_inspection(
            &dept,
            visit(&f, &[a, b], "2026-06-13", Trigger::Lead),
            today,
        )
        .await;
    assert_eq!(code(repeat.unwrap_err()), "recused");
    assert_eq!(count(s, "inspections").await, 4);

    // The enterprise sees its visits and rates each once with its code.
    let credit = s
        .inspection_object(&Actor::System("t"), f.objects[0])
        .await
        .unwrap()
        .credit_code
        .unwrap();
    let credit = tongquan_domain::applicant::ApplicantId::parse(
        "c",
        tongquan_domain::applicant::ApplicantKind::Enterprise,
        &credit,
    )
    .unwrap();
    assert_eq!(s.visits_of(&credit).await.unwrap().len(), 4);
    let five = Rating::parse("rating", "5").unwrap();
    assert_eq!(
        code(s.rate_inspection("WRONG123", five, "").await.unwrap_err()),
        "invalid_field"
    );
    s.rate_inspection(&receipt.rating_code.to_lowercase(), five, "规范")
        .await
        .unwrap();
    assert_eq!(
        code(
            s.rate_inspection(&receipt.rating_code, five, "")
                .await
                .unwrap_err()
        ),
        "taken"
    );
    assert_eq!(
        s.visits_of(&credit)
            .await
            .unwrap()
            .iter()
            .filter(|v| v.rated == 1)
            .count(),
        1
    );

    // The hazard: a re-inspection with a past deadline is refused; overdue ones go up.
    let h = s.hazard(&dept, receipt.hazards[0]).await.unwrap();
    let stale = s
        .reinspect_hazard(
            &dept,
            h.id,
            Reinspection {
                rectified: false,
                new_deadline: Some(d("2026-06-01")),
                note: String::new(),
                lock_version: h.lock_version,
            },
            today,
        )
        .await;
    assert_eq!(stale.unwrap_err().field(), Some("deadline"));
    assert_eq!(s.hazard(&dept, h.id).await.unwrap().deadline, "2026-06-30");
    assert_eq!(
        s.escalate_overdue_hazards(&Actor::System("t"), d("2026-06-30"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        s.escalate_overdue_hazards(&Actor::System("t"), d("2026-07-01"))
            .await
            .unwrap(),
        1
    );
    let h = s.hazard(&dept, h.id).await.unwrap();
    assert_eq!(h.state, HazardState::Escalated.slug());
    assert_eq!(h.department_code, "371481SJ");
    let closed = s
        .reinspect_hazard(
            &dept,
            h.id,
            Reinspection {
                rectified: true,
                new_deadline: None,
                note: "已更换".into(),
                lock_version: h.lock_version,
            },
            d("2026-07-02"),
        )
        .await
        .unwrap();
    assert_eq!(closed.state, "closed");

    let figures = s
        .enforcement_figures(Some(&f.department.county()), today)
        .await
        .unwrap();
    assert_eq!(figures.total.visits_after, 4);
    assert_eq!(figures.total.visits_before, 0);
    assert_eq!(figures.total.objects, 2);
    assert_eq!(figures.total.hazards_found, 1);
    let yangan = figures.rows.iter().find(|r| r.code == "371481104").unwrap();
    assert_eq!(yangan.visits_after, 4);
    assert!((yangan.per_object_after - 4.0).abs() < 1e-9);
}

async fn draws_commit_reveal_and_verify(db: TestDb) {
    let s = &db.store;
    let f = enforcement_fixture(s).await;
    let spec = |count| DrawSpec {
        quota: Quota::Count { count },
        stratified: false,
        team: 2,
    };
    let new = |dept: &str, count| NewDraw {
        department: tongquan_domain::codes::DepartmentCode::parse("d", dept).unwrap(),
        title: "2026年第二季度双随机抽查".into(),
        draw_on: d(TODAY),
        spec: spec(count),
        town: None,
    };
    let system = Actor::System("t");
    // Transport inspects neither object; safety has no officers.
    for (dept, count, want) in [
        ("371481JT", 1, "plan.empty_pool"),
        ("371481YJ", 1, "plan.too_few_officers"),
        ("371481SJ", 3, "plan.quota_exceeds_pool"),
    ] {
        let refused = s.commit_draw(&system, new(dept, count)).await.unwrap_err();
        assert_eq!(code(refused), want, "{dept}");
    }
    // Another county's officer, this department's own officer, the county's approval bureau.
    for who in [
        staff(Role::Officer, "371402SJ"),
        staff(Role::Officer, "371481SJ"),
        staff(Role::CountyBureau, "371481"),
    ] {
        assert_eq!(
            code(s.commit_draw(&who, new("371481SJ", 1)).await.unwrap_err()),
            "forbidden"
        );
    }
    assert_eq!(count(s, "draws").await, 0);

    let dept = staff(Role::DepartmentAdmin, "371481SJ");
    let committed = s.commit_draw(&dept, new("371481SJ", 2)).await.unwrap();
    assert_eq!(committed.state, "committed");
    assert_eq!(committed.objects_in_pool, 2);
    assert_eq!(
        committed.officers_in_pool, 3,
        "the expired credential is not in the pool"
    );
    assert!(committed.seed.is_none() && committed.picks.is_empty());
    let doc = s.draw_document(committed.id).await.unwrap();
    assert!(doc.seed.is_none() && doc.outcome.is_none());
    assert_eq!(doc.verify().unwrap_err().code(), "plan.outcome_mismatch");

    let revealed = s.reveal_draw(&dept, committed.id).await.unwrap();
    assert_eq!(revealed.commitment, committed.commitment);
    assert_eq!(revealed.picks.len(), 2);
    assert!(revealed.picks.iter().all(|p| p.officers.len() == 2));
    assert_eq!(
        code(s.reveal_draw(&dept, committed.id).await.unwrap_err()),
        "transition_not_allowed"
    );
    let doc = s.draw_document(committed.id).await.unwrap();
    doc.verify().unwrap();

    let mut tampered = doc.clone();
    tampered.inputs.objects.pop();
    assert_eq!(tampered.verify().unwrap_err().code(), "plan.inputs_changed");
    let mut tampered = doc.clone();
    tampered.inputs.officers[0].id += 1000;
    assert_eq!(tampered.verify().unwrap_err().code(), "plan.inputs_changed");
    let mut tampered = doc.clone();
    tampered.seed = Some("00".repeat(32));
    assert_eq!(
        tampered.verify().unwrap_err().code(),
        "plan.commitment_mismatch"
    );
    let mut tampered = doc.clone();
    let picks = &mut tampered.outcome.as_mut().unwrap().picks;
    picks[0].officers.reverse();
    picks[0].officers[0] = f.officers[3];
    assert_eq!(
        tampered.verify().unwrap_err().code(),
        "plan.outcome_mismatch"
    );
    assert_eq!(s.draws(None, Default::default()).await.unwrap().total, 1);
}

fn lead(place: LeadPlace, source: LeadSource) -> NewLead {
    NewLead {
        source,
        domain: EnforcementDomain::Market,
        description: "路边摊点无证经营，售卖散装熟食".into(),
        address: "花园镇政府东 200 米".into(),
        place,
        urgency: Urgency::Urgent,
        reporter: String::new(),
    }
}

async fn leads_are_routed_timed_and_closed(db: TestDb) {
    let s = &db.store;
    let f = enforcement_fixture(s).await;
    let now: DateTime<Utc> = "2026-06-15T08:00:00Z".parse().unwrap();
    let at = |m: i64| now + chrono::Duration::minutes(m);

    let beijing = LatLon::parse("lat", 39.9042, 116.4074).unwrap();
    let outside = s
        .report_lead(
            &Actor::Anonymous,
            lead(LeadPlace::Point(beijing), LeadSource::Public),
            now,
        )
        .await;
    assert_eq!(code(outside.unwrap_err()), "outside_city");
    // A dispatch must start after the current one.
    let again = s
        .dispatch_officer(
            &Actor::System("t"),
            f.officers[0],
            tongquan_domain::enforcement::DispatchForm::Stationed,
            std::slice::from_ref(&f.other_town),
            d("2024-01-01"),
        )
        .await;
    assert_eq!(again.unwrap_err().field(), Some("from"));
    // Staff file patrol leads only where they act.
    let mut patrol = lead(
        LeadPlace::Town(f.delegated_town.clone()),
        LeadSource::Patrol,
    );
    patrol.description = "巡查发现占道经营摊点".into();
    let elsewhere = s
        .report_lead(&staff(Role::TeamLeader, "371402001"), patrol.clone(), now)
        .await;
    assert_eq!(code(elsewhere.unwrap_err()), "forbidden");
    let hotline = s
        .report_lead(
            &Actor::Anonymous,
            lead(
                LeadPlace::Town(f.delegated_town.clone()),
                LeadSource::Hotline,
            ),
            now,
        )
        .await;
    assert_eq!(code(hotline.unwrap_err()), "forbidden");
    let mut short = lead(
        LeadPlace::Town(f.delegated_town.clone()),
        LeadSource::Public,
    );
    short.description = "乱".into();
    assert_eq!(
        s.report_lead(&Actor::Anonymous, short, now)
            .await
            .unwrap_err()
            .field(),
        Some("description")
    );
    assert_eq!(count(s, "leads").await, 0);

    let (town_lead, town_code) = s
        .report_lead(
            &Actor::Anonymous,
            lead(
                LeadPlace::Town(f.delegated_town.clone()),
                LeadSource::Public,
            ),
            now,
        )
        .await
        .unwrap();
    // The reporter follows the report with its code; a wrong code shows nothing.
    let town_code = town_code.expect("a public report gets a follow-up code");
    let here = Client::new("198.51.100.1");
    assert_eq!(
        s.followed_lead(town_lead.id, &town_code, &here)
            .await
            .unwrap()
            .id,
        town_lead.id
    );
    let wrong = if town_code == "000000" {
        "000001"
    } else {
        "000000"
    };
    assert_eq!(
        code(
            s.followed_lead(town_lead.id, wrong, &here)
                .await
                .unwrap_err()
        ),
        "not_found"
    );
    assert_eq!(
        (
            town_lead.handler_kind.as_str(),
            town_lead.handler_code.as_str()
        ),
        ("town", "371481104")
    );
    assert!(
        town_lead.route_reason_zh.contains("乐政发〔2023〕88号"),
        "{}",
        town_lead.route_reason_zh
    );
    // 市中街道's seat, given as a point, resolves to it; the power is not the street's.
    let street = s.town(&f.other_town).await.unwrap().position().unwrap();
    let (dept_lead, _) = s
        .report_lead(
            &Actor::Anonymous,
            lead(LeadPlace::Point(street), LeadSource::Public),
            now,
        )
        .await
        .unwrap();
    assert_eq!(dept_lead.town_code, "371481001");
    assert_eq!(
        (
            dept_lead.handler_kind.as_str(),
            dept_lead.handler_code.as_str()
        ),
        ("department", "371481SJ")
    );
    assert!(dept_lead.route_reason_en.contains("not delegated"));

    let leader = staff(Role::TeamLeader, "371481104");
    let other_leader = staff(Role::TeamLeader, "371481001");
    let id = town_lead.id;
    assert_eq!(
        code(
            s.lead_step(&other_leader, id, LeadStep::Dispatch, "", 1, at(2))
                .await
                .unwrap_err()
        ),
        "not_found"
    );
    assert_eq!(
        code(
            s.lead_step(
                &other_leader,
                dept_lead.id,
                LeadStep::Dispatch,
                "",
                1,
                at(2)
            )
            .await
            .unwrap_err()
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            s.lead_step(&leader, id, LeadStep::Close, "", 1, at(2))
                .await
                .unwrap_err()
        ),
        "transition_not_allowed"
    );
    let l = s
        .lead_step(&leader, id, LeadStep::Dispatch, "", 1, at(2))
        .await
        .unwrap();
    assert_eq!(
        code(
            s.lead_step(&leader, id, LeadStep::Arrive, "", 1, at(3))
                .await
                .unwrap_err()
        ),
        "stale"
    );
    let l = s
        .lead_step(&leader, id, LeadStep::Arrive, "", l.lock_version, at(12))
        .await
        .unwrap();
    assert_eq!(l.times().on_site_minutes(), Some(12));
    assert!(!l.breached(at(100)));
    assert_eq!(
        s.lead_step(&leader, id, LeadStep::Dispose, " ", l.lock_version, at(30))
            .await
            .unwrap_err()
            .field(),
        Some("note")
    );
    let l = s
        .lead_step(
            &leader,
            id,
            LeadStep::Dispose,
            "当场劝离，登记摊主信息",
            l.lock_version,
            at(30),
        )
        .await
        .unwrap();
    let l = s
        .lead_step(&leader, id, LeadStep::Close, "", l.lock_version, at(40))
        .await
        .unwrap();
    assert_eq!(l.state, "closed");
    assert_eq!(
        s.public_lead(id).await.unwrap().disposal,
        "当场劝离，登记摊主信息"
    );
    // A patrol's lead is the staff's: not on the public site.
    let (staff_lead, no_code) = s
        .report_lead(&staff(Role::TeamLeader, "371481104"), patrol, now)
        .await
        .unwrap();
    assert!(
        no_code.is_none(),
        "a patrol's lead is not followed from outside"
    );
    assert_eq!(
        code(s.public_lead(staff_lead.id).await.unwrap_err()),
        "not_found"
    );
    // The department's lead, untouched for an hour, has missed its 15-minute target.
    assert!(s.public_lead(dept_lead.id).await.unwrap().breached(at(60)));
}

async fn penalties_follow_the_delegation_and_the_procedure(db: TestDb) {
    let s = &db.store;
    let f = enforcement_fixture(s).await;
    let today = d(TODAY);
    let [a, b, _, expired] = f.officers;
    let new = |town: &tongquan_domain::codes::TownCode, officers: &[i64], major| NewPenalty {
        item_id: f.power,
        town: town.clone(),
        object_id: Some(f.objects[0]),
        party_name: "张某".into(),
        organisation: false,
        facts: "未取得营业执照在花园镇集市销售预包装食品".into(),
        major,
        officers: officers.to_vec(),
    };
    let leader = staff(Role::TeamLeader, "371481104");
    assert_eq!(
        code(
            s.file_penalty(&leader, new(&f.delegated_town, &[a], false), today)
                .await
                .unwrap_err()
        ),
        "too_few_officers"
    );
    assert_eq!(
        code(
            s.file_penalty(&leader, new(&f.delegated_town, &[a, expired], false), today)
                .await
                .unwrap_err()
        ),
        "credential_invalid"
    );
    assert_eq!(
        code(
            s.file_penalty(&leader, new(&f.other_town, &[a, b], false), today)
                .await
                .unwrap_err()
        ),
        "forbidden"
    );
    let before = s
        .file_penalty(
            &leader,
            new(&f.delegated_town, &[a, b], false),
            d("2023-06-01"),
        )
        .await;
    assert!(before.is_err(), "the power was not in force before 2024");
    assert_eq!(count(s, "penalty_cases").await, 0);

    let case = s
        .file_penalty(&leader, new(&f.delegated_town, &[a, b], false), today)
        .await
        .unwrap();
    assert_eq!(
        (case.handler_kind.as_str(), case.handler_code.as_str()),
        ("town", "371481104")
    );
    // The street's team files an act of a power it does not hold: the case goes to the department.
    let street_leader = staff(Role::TeamLeader, "371481001");
    let referred = s
        .file_penalty(&street_leader, new(&f.other_town, &[a, b], true), today)
        .await
        .unwrap();
    assert_eq!(
        (
            referred.handler_kind.as_str(),
            referred.handler_code.as_str()
        ),
        ("department", "371481SJ")
    );
    assert!(referred.route_reason_zh.contains("未赋予"));

    let step = |actor: Actor, id: i64, step: PenaltyStep, input: PenaltyInput, lock: i64, on| {
        let s = s.clone();
        async move { s.penalty_step(&actor, id, step, input, lock, on).await }
    };
    let fine = |yuan| Penalty {
        sanctions: vec![Sanction::Fine],
        fine_yuan: yuan,
        ..Penalty::default()
    };
    let with = |note: &str, penalty: Option<Penalty>| PenaltyInput {
        note: note.into(),
        penalty,
        days: None,
    };
    let case = step(
        leader.clone(),
        case.id,
        PenaltyStep::Investigate,
        with("", None),
        case.lock_version,
        today,
    )
    .await
    .unwrap();
    let no_notice = step(
        leader.clone(),
        case.id,
        PenaltyStep::Decide,
        with("罚款 2000 元", Some(fine(2_000))),
        case.lock_version,
        today,
    )
    .await;
    assert_eq!(code(no_notice.unwrap_err()), "no_notice_of_rights");
    assert_eq!(
        s.penalty_case(&leader, case.id, today).await.unwrap().state,
        "investigating"
    );
    // The notice states the proposed penalty.
    let no_penalty = step(
        leader.clone(),
        case.id,
        PenaltyStep::Notify,
        with("", None),
        case.lock_version,
        today,
    )
    .await;
    assert_eq!(no_penalty.unwrap_err().field(), Some("penalty"));
    let case = step(
        leader.clone(),
        case.id,
        PenaltyStep::Notify,
        with("", Some(fine(2_000))),
        case.lock_version,
        today,
    )
    .await
    .unwrap();
    assert!(
        !case.hearing_right && !case.major_now,
        "¥2,000 on a person is below the threshold"
    );
    assert_eq!(case.decide_by, "2026-09-13", "filing + 90 days");
    // Not heavier than notified (Art. 45).
    let heavier = step(
        leader.clone(),
        case.id,
        PenaltyStep::Decide,
        with("罚款 3000 元", Some(fine(3_000))),
        case.lock_version,
        today,
    )
    .await;
    assert_eq!(code(heavier.unwrap_err()), "heavier_than_notified");
    let case = step(
        leader.clone(),
        case.id,
        PenaltyStep::Decide,
        with("罚款 2000 元", Some(fine(2_000))),
        case.lock_version,
        today,
    )
    .await
    .unwrap();
    assert_eq!(case.state, "decided");
    assert_eq!(case.decision, "罚款 2000 元");

    let dept = staff(Role::DepartmentAdmin, "371481SJ");
    assert_eq!(
        code(
            step(
                street_leader.clone(),
                referred.id,
                PenaltyStep::Investigate,
                with("", None),
                1,
                today
            )
            .await
            .unwrap_err()
        ),
        "forbidden"
    );
    // ¥50,000 on a person: a hearing right, so major; the decision waits five working days.
    let mut r = step(
        dept.clone(),
        referred.id,
        PenaltyStep::Investigate,
        with("", None),
        referred.lock_version,
        today,
    )
    .await
    .unwrap();
    r = step(
        dept.clone(),
        r.id,
        PenaltyStep::Notify,
        with("", Some(fine(50_000))),
        r.lock_version,
        today,
    )
    .await
    .unwrap();
    assert!(r.hearing_right && r.major_now);
    // Five working days after Monday 06-15, with the Dragon Boat Festival on Friday 06-19.
    assert_eq!(r.hearing_until.as_deref(), Some("2026-06-23"));
    let no_review = step(
        dept.clone(),
        r.id,
        PenaltyStep::Decide,
        with("罚款 5 万元", Some(fine(50_000))),
        r.lock_version,
        today,
    )
    .await;
    assert_eq!(code(no_review.unwrap_err()), "hearing_period_open");
    r = step(
        dept.clone(),
        r.id,
        PenaltyStep::RequestHearing,
        with("当事人书面申请听证", None),
        r.lock_version,
        d("2026-06-18"),
    )
    .await
    .unwrap();
    let waiting = step(
        dept.clone(),
        r.id,
        PenaltyStep::Decide,
        with("罚款 5 万元", Some(fine(50_000))),
        r.lock_version,
        d("2026-06-30"),
    )
    .await;
    assert_eq!(code(waiting.unwrap_err()), "hearing_pending");
    r = step(
        dept.clone(),
        r.id,
        PenaltyStep::Hear,
        with("听证笔录", None),
        r.lock_version,
        d("2026-07-01"),
    )
    .await
    .unwrap();
    let heard = step(
        dept.clone(),
        r.id,
        PenaltyStep::Decide,
        with("罚款 5 万元", Some(fine(50_000))),
        r.lock_version,
        d("2026-07-02"),
    )
    .await;
    assert_eq!(code(heard.unwrap_err()), "legal_review_required");
    r = step(
        dept.clone(),
        r.id,
        PenaltyStep::Review,
        with("", None),
        r.lock_version,
        d("2026-07-02"),
    )
    .await
    .unwrap();
    // 90 days from filing have passed: only an extension the head approves opens the decision.
    let late = d("2026-09-20");
    let overdue = step(
        dept.clone(),
        r.id,
        PenaltyStep::Decide,
        with("罚款 5 万元", Some(fine(50_000))),
        r.lock_version,
        late,
    )
    .await;
    assert_eq!(code(overdue.unwrap_err()), "decision_limit_passed");
    let officer = staff(Role::Officer, "371481SJ");
    let by_officer = step(
        officer,
        r.id,
        PenaltyStep::Extend,
        PenaltyInput {
            days: Some(30),
            ..with("案情复杂", None)
        },
        r.lock_version,
        late,
    )
    .await;
    assert_eq!(code(by_officer.unwrap_err()), "forbidden");
    let too_long = step(
        dept.clone(),
        r.id,
        PenaltyStep::Extend,
        PenaltyInput {
            days: Some(45),
            ..with("案情复杂", None)
        },
        r.lock_version,
        late,
    )
    .await;
    assert_eq!(too_long.unwrap_err().field(), Some("days"));
    r = step(
        dept.clone(),
        r.id,
        PenaltyStep::Extend,
        PenaltyInput {
            days: Some(30),
            ..with("案情复杂", None)
        },
        r.lock_version,
        late,
    )
    .await
    .unwrap();
    assert_eq!(r.decide_by, "2026-10-13");
    // A credential that lapses before the decision bars it.
    let lapsed = step(
        dept.clone(),
        r.id,
        PenaltyStep::Decide,
        with("罚款 4 万元", Some(fine(40_000))),
        r.lock_version,
        today.checked_add_days(Days::new(365 * 3)).unwrap(),
    )
    .await;
    assert_eq!(code(lapsed.unwrap_err()), "decision_limit_passed");
    r = step(
        dept.clone(),
        r.id,
        PenaltyStep::Decide,
        with("罚款 4 万元", Some(fine(40_000))),
        r.lock_version,
        late,
    )
    .await
    .unwrap();
    assert_eq!(r.state, "decided");

    // A town decides only while it still holds the power: revoked today, the decision is refused.
    let town_case = s
        .file_penalty(&leader, new(&f.delegated_town, &[a, b], false), today)
        .await
        .unwrap();
    let mut t = town_case;
    for (st, input) in [
        (PenaltyStep::Investigate, with("", None)),
        (PenaltyStep::Notify, with("", Some(fine(1_000)))),
    ] {
        t = step(leader.clone(), t.id, st, input, t.lock_version, today)
            .await
            .unwrap();
    }
    let delegation = s
        .active_delegations(f.power, today)
        .await
        .unwrap()
        .pop()
        .unwrap();
    s.record_change(
        &Actor::System("test"),
        delegation.id,
        tongquan_domain::catalog::DelegationEventKind::Revoke,
        d("2026-06-20"),
        "收回执法权限",
        today,
    )
    .await
    .unwrap();
    let after_revocation = step(
        leader.clone(),
        t.id,
        PenaltyStep::Decide,
        with("罚款 1000 元", Some(fine(1_000))),
        t.lock_version,
        d("2026-06-20"),
    )
    .await;
    assert_eq!(code(after_revocation.unwrap_err()), "no_power");
    assert_eq!(
        s.penalty_case(&leader, t.id, today).await.unwrap().state,
        "notified",
        "nothing written"
    );
    step(
        leader.clone(),
        t.id,
        PenaltyStep::Decide,
        with("罚款 1000 元", Some(fine(1_000))),
        t.lock_version,
        d("2026-06-19"),
    )
    .await
    .unwrap();
    // Another of the town's cases, still open when the power goes: transferred, not decided.
    let mut t2 = s
        .file_penalty(&leader, new(&f.delegated_town, &[a, b], false), today)
        .await
        .unwrap();
    for (st, input) in [
        (PenaltyStep::Investigate, with("", None)),
        (PenaltyStep::Notify, with("", Some(fine(1_000)))),
    ] {
        t2 = step(leader.clone(), t2.id, st, input, t2.lock_version, today)
            .await
            .unwrap();
    }
    let early = step(
        leader.clone(),
        t2.id,
        PenaltyStep::Transfer,
        with("", None),
        t2.lock_version,
        d("2026-06-19"),
    )
    .await;
    assert_eq!(code(early.unwrap_err()), "power_still_held");
    let lost = s
        .penalty_case(&leader, t2.id, d("2026-06-20"))
        .await
        .unwrap();
    assert_eq!(lost.steps, ["transfer"], "only the transfer is open");
    let moved = step(
        leader.clone(),
        t2.id,
        PenaltyStep::Transfer,
        with("职权已收回", None),
        t2.lock_version,
        d("2026-06-20"),
    )
    .await
    .unwrap();
    assert_eq!(
        (moved.handler_kind.as_str(), moved.handler_code.as_str()),
        ("department", "371481SJ")
    );
    let decided = step(
        dept.clone(),
        t2.id,
        PenaltyStep::Decide,
        with("罚款 1000 元", Some(fine(1_000))),
        moved.lock_version,
        d("2026-06-22"),
    )
    .await
    .unwrap();
    assert_eq!(decided.state, "decided");
}

async fn each_department_of_a_joint_visit_fields_two_credentialed_officers(db: TestDb) {
    let s = &db.store;
    let f = enforcement_fixture(s).await;
    let today = d(TODAY);
    let [a, b, c, _] = f.officers;
    let ecology_dept = tongquan_domain::codes::DepartmentCode::parse("d", "371481HJ").unwrap();
    let officer = |name: &'static str, number: &'static str, fields: &'static str| {
        let dept = ecology_dept.clone();
        async move {
            s.create_officer(
                &Actor::System("t"),
                tongquan_store::enforcement::officers::NewOfficer {
                    department: dept,
                    name: name.into(),
                    credential: Some(
                        tongquan_domain::enforcement::Credential::parse(
                            number,
                            fields,
                            "德州市人民政府",
                            d("2024-01-01"),
                            d("2028-12-31"),
                        )
                        .unwrap(),
                    ),
                },
            )
            .await
            .unwrap()
            .id
        }
    };
    let e1 = officer("环保执法员甲", "SD1481HJ01", "ecology").await;
    let dept = staff(Role::DepartmentAdmin, "371481SJ");
    let joint = |officers: &[i64],
                 parts: Vec<(tongquan_domain::codes::DepartmentCode, Vec<i64>)>| {
        let mut v = visit(&f, officers, "2026-06-01", Trigger::Routine);
        v.object_id = f.objects[1];
        v.joined = vec![ecology_dept.clone()];
        v.parts = parts;
        v
    };
    // Two market officers and one ecology officer: the ecology part has one.
    let one = s
        .record_inspection(&dept, joint(&[a, b, e1], Vec::new()), today)
        .await
        .unwrap_err();
    assert!(format!("{one:?}").contains("生态环境"), "{one:?}");
    assert_eq!(code(one), "too_few_officers");
    // A market officer stated to do the ecology part needs an ecology credential.
    let no_credential = s
        .record_inspection(
            &dept,
            joint(&[a, b, c, e1], vec![(ecology_dept.clone(), vec![c])]),
            today,
        )
        .await
        .unwrap_err();
    assert_eq!(code(no_credential), "credential_invalid");
    // An officer named for a department not at the visit, or not at the visit at all.
    let stranger = s
        .record_inspection(
            &dept,
            joint(&[a, b, e1], vec![(ecology_dept.clone(), vec![999])]),
            today,
        )
        .await
        .unwrap_err();
    assert_eq!(stranger.field(), Some("parts"));
    assert_eq!(count(s, "inspections").await, 0, "nothing written");
    // An ecology officer who also holds a market credential may do the ecology part with e1 while
    // a and b do the market part; or two ecology officers of their own.
    let e2 = officer("环保执法员乙", "SD1481HJ02", "ecology,market").await;
    let receipt = s
        .record_inspection(&dept, joint(&[a, b, e1, e2], Vec::new()), today)
        .await
        .unwrap();
    assert_eq!(receipt.inspection.departments, "371481SJ,371481HJ");
    assert_eq!(count(s, "inspections").await, 1);
}

contract_tests!(
    each_department_of_a_joint_visit_fields_two_credentialed_officers,
    inspections_check_officers_cap_and_hazards,
    draws_commit_reveal_and_verify,
    leads_are_routed_timed_and_closed,
    penalties_follow_the_delegation_and_the_procedure,
);
