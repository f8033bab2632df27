//! Bundles (一件事) and cross-window hand-offs (跨域通办), run on SQLite and on PostgreSQL.

use chrono::NaiveDate;
use tongquan_domain::access::{Actor, Role};
use tongquan_domain::case::{CaseAction, Handover};
use tongquan_domain::codes::{CountyCode, TownCode};
use tongquan_domain::upload::Upload;
use tongquan_store::bundles::NewBundle;
use tongquan_store::cases::{Attachment, CaseStep, NewCase};
use tongquan_store::testing::{TestDb, delegated_item, four_certificate_bundle, staff};
use tongquan_store::throttle::Client;
use tongquan_store::{PageRequest, Store, contract_tests};

const COUNTY: &str = "371481";
const HALL: &str = "371481H";
const BRANCH: &str = "371481B01";
const USCC: &str = "91371400MA3C00000X";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn step(action: CaseAction, lock_version: i64) -> CaseStep {
    CaseStep {
        action,
        reason: String::new(),
        materials: Vec::new(),
        files: Vec::new(),
        lock_version,
    }
}

fn bundle_application(template: i64, town: &TownCode, materials: &[&str]) -> NewBundle {
    let applicant = NewCase::parse(
        0,
        town.as_str(),
        "enterprise",
        &tongquan_domain::applicant::ApplicantId::complete(
            tongquan_domain::applicant::ApplicantKind::Enterprise,
            &USCC[..17],
        )
        .unwrap()
        .to_string(),
        "德州某实业有限公司",
        "0534-1234567",
        "online",
        materials.iter().map(|m| m.to_string()).collect(),
    )
    .unwrap();
    NewBundle::parse(template, applicant)
}

const ALL_MATERIALS: [&str; 6] = [
    "申请表",
    "营业执照",
    "国有建设用地使用权出让合同",
    "建设工程设计方案",
    "土地出让价款缴纳凭证",
    "施工合同",
];

async fn rows(s: &Store, table: &'static str) -> i64 {
    let sql: &'static str = match table {
        "bundles" => "SELECT COUNT(*) FROM bundles",
        "cases" => "SELECT COUNT(*) FROM cases",
        _ => "SELECT COUNT(*) FROM files",
    };
    s.count_raw(sql).await.unwrap()
}

contract_tests!(
    a_bundle_becomes_parallel_sub_cases_and_concludes_with_the_last,
    a_cross_window_case_is_handed_over_decided_and_returned,
);

async fn a_bundle_becomes_parallel_sub_cases_and_concludes_with_the_last(db: TestDb) {
    let s = &db.store;
    let template_id = four_certificate_bundle(s, COUNTY).await;
    let county = CountyCode::parse("c", COUNTY).unwrap();
    let day = d("2024-03-05");
    let template = s.bundle_template(template_id, day).await.unwrap();
    assert_eq!(template.items.len(), 4);
    let shared = &template.materials;
    assert_eq!(
        shared.iter().filter(|m| m.name == "营业执照").count(),
        1,
        "a shared material is asked for once"
    );
    assert_eq!(shared[1].items, [0, 1, 2, 3]);
    assert_eq!(
        s.bundle_templates(Some(&county), day).await.unwrap().len(),
        1
    );
    let town = s.all_towns(Some(&county)).await.unwrap()[0].code.clone();

    // Bad input: every missing material named at once, unknown ones refused; nothing written.
    let before = (rows(s, "bundles").await, rows(s, "cases").await);
    let e = s
        .submit_bundle(
            &Actor::Anonymous,
            bundle_application(template_id, &town, &["申请表", "营业执照"]),
            day,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "missing_materials");
    for m in &ALL_MATERIALS[2..] {
        assert!(e.message().zh.contains(m), "{m} in {:?}", e.message());
    }
    let mut unknown = ALL_MATERIALS.to_vec();
    unknown.push("户口本");
    let e = s
        .submit_bundle(
            &Actor::Anonymous,
            bundle_application(template_id, &town, &unknown),
            day,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_field");
    let clerk = staff(Role::BranchClerk, BRANCH);
    let e = s
        .submit_bundle(
            &clerk,
            bundle_application(template_id, &town, &ALL_MATERIALS),
            day,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_field", "staff do not file online");
    assert_eq!(
        s.submit_bundle(
            &Actor::Anonymous,
            bundle_application(999_999, &town, &ALL_MATERIALS),
            day
        )
        .await
        .unwrap_err()
        .code(),
        "not_found"
    );
    assert_eq!((rows(s, "bundles").await, rows(s, "cases").await), before);

    // One application, one file for the shared licence: four sub-cases, the file kept once.
    let files_before = rows(s, "files").await;
    let mut new = bundle_application(template_id, &town, &ALL_MATERIALS);
    new.files.push(Attachment {
        material: "营业执照".into(),
        upload: Upload::parse("f", "licence.pdf", b"%PDF-1.4 licence".to_vec()).unwrap(),
    });
    let receipt = s.submit_bundle(&Actor::Anonymous, new, day).await.unwrap();
    assert!(receipt.tracking_no.starts_with("371481YJS20240305"));
    assert_eq!(receipt.cases.len(), 4);
    assert!(receipt.cases.iter().all(|c| c.office_code == HALL));
    assert_eq!(rows(s, "files").await, files_before + 1);
    let bureau = staff(Role::CountyBureau, COUNTY);
    for (sub, item) in receipt.cases.iter().zip(&template.items) {
        let case = s.case(&bureau, sub.id, day).await.unwrap();
        assert_eq!(case.bundle_id, Some(receipt.id));
        assert_eq!(case.summary.item_id, item.item_id);
        assert_eq!(case.files.len(), 1, "the shared file counts for every item");
        assert!(case.materials.contains(&"申请表".to_owned()));
        // The receipt's one check code opens every sub-case.
        s.track_case(&sub.tracking_no, &receipt.check_code, &Client::local(), day)
            .await
            .unwrap();
    }
    let sub = |i: usize| s.case(&bureau, receipt.cases[i].id, day);
    assert!(
        sub(0)
            .await
            .unwrap()
            .materials
            .contains(&"国有建设用地使用权出让合同".into())
    );
    assert!(!sub(1).await.unwrap().materials.contains(&"施工合同".into()));
    let wrong = format!(
        "{:06}",
        (receipt.check_code.parse::<u32>().unwrap() + 1) % 1_000_000
    );
    assert_eq!(
        s.track_bundle(&receipt.tracking_no, &wrong, &Client::local(), day)
            .await
            .map(|_| ())
            .unwrap_err()
            .code(),
        "not_found"
    );

    // Parallel: three decided today, the fourth the next working day; the bundle concludes then.
    let next = d("2024-03-06");
    for (i, sub) in receipt.cases.iter().enumerate() {
        let on = if i == 3 { next } else { day };
        let mut lock = 1;
        for action in [
            CaseAction::Accept,
            CaseAction::Review,
            CaseAction::Grant,
            CaseAction::Conclude,
        ] {
            lock = s
                .act_on_case(&bureau, sub.id, step(action, lock), on)
                .await
                .unwrap()
                .lock_version;
        }
        let b = s.bundle(&bureau, receipt.id, on).await.unwrap();
        if i < 3 {
            assert_eq!(b.concluded_on, None, "open while any sub-case is");
        }
    }
    let b = s
        .track_bundle(
            &receipt.tracking_no,
            &receipt.check_code,
            &Client::local(),
            next,
        )
        .await
        .unwrap();
    assert_eq!(b.concluded_on.as_deref(), Some("2024-03-06"));
    let lead = b.lead_time.unwrap();
    assert_eq!((lead.days, lead.working_days), (1, 1));
    assert!(b.cases.iter().all(|c| c.state == "concluded"));
    let (page, figures) = s
        .bundles(&bureau, PageRequest::default(), next)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!((figures.concluded, figures.within_one_day), (1, 1));
    assert_eq!(figures.mean_working_days, Some(1.0));
    // Staff of another county reach neither the bundle nor its list.
    let other = staff(Role::CountyBureau, "371402");
    assert_eq!(
        s.bundle(&other, receipt.id, next).await.unwrap_err().code(),
        "not_found"
    );
    assert_eq!(
        s.bundles(&other, PageRequest::default(), next)
            .await
            .unwrap()
            .0
            .total,
        0
    );
}

async fn a_cross_window_case_is_handed_over_decided_and_returned(db: TestDb) {
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let day = d("2024-03-05");
    // The county hall takes in a case its branch is competent for.
    let bureau = staff(Role::CountyBureau, COUNTY);
    let new = NewCase::parse(
        item,
        town.as_str(),
        "person",
        "11010519491231002X",
        "张三",
        "13800000000",
        "cross_window",
        vec!["申请书".into(), "营业执照".into()],
    )
    .unwrap();
    let r = s.submit_case(&bureau, new, day).await.unwrap();
    assert_eq!(r.office_code, BRANCH);
    let clerk = staff(Role::BranchClerk, BRANCH);
    let case = s.case(&clerk, r.id, day).await.unwrap();
    assert_eq!(case.intake_office_code.as_deref(), Some(HALL));
    assert!(
        case.actions.is_empty(),
        "nothing to do before the hand-over"
    );
    assert_eq!(
        s.case(&bureau, r.id, day).await.unwrap().actions,
        ["hand_over"]
    );

    // Refused, each changing nothing: deciding before the hand-over, the wrong window's step,
    // a stale form.
    let e = s
        .act_on_case(&clerk, r.id, step(CaseAction::Accept, 1), day)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_handed_over");
    for (who, what, lock, code) in [
        (&clerk, Handover::HandOver, 1, "forbidden"),
        (&bureau, Handover::Return, 1, "forbidden"),
        (&bureau, Handover::HandOver, 7, "stale"),
    ] {
        let e = s.hand_off(who, r.id, what, lock, day).await.unwrap_err();
        assert_eq!(e.code(), code, "{what:?}");
    }
    let unchanged = s.case(&clerk, r.id, day).await.unwrap();
    assert_eq!((unchanged.lock_version, unchanged.events.len()), (1, 1));
    assert_eq!(unchanged.handed_over_on, None);

    let handed = s
        .hand_off(&bureau, r.id, Handover::HandOver, 1, day)
        .await
        .unwrap();
    assert_eq!(handed.handed_over_on.as_deref(), Some("2024-03-05"));
    assert!(
        handed.actions.is_empty(),
        "the intake window does not decide"
    );
    assert!(
        s.case(&clerk, r.id, day)
            .await
            .unwrap()
            .actions
            .contains(&"accept".to_owned())
    );
    let e = s
        .hand_off(&bureau, r.id, Handover::HandOver, 2, day)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "handover_not_allowed");
    let mut lock = 2;
    for action in [
        CaseAction::Accept,
        CaseAction::Review,
        CaseAction::Grant,
        CaseAction::Conclude,
    ] {
        lock = s
            .act_on_case(&clerk, r.id, step(action, lock), day)
            .await
            .unwrap()
            .lock_version;
    }
    let actions = s.case(&clerk, r.id, day).await.unwrap().actions;
    assert!(actions.contains(&"return".to_owned()), "{actions:?}");
    let back = s
        .hand_off(&clerk, r.id, Handover::Return, lock, d("2024-03-06"))
        .await
        .unwrap();
    assert_eq!(back.returned_on.as_deref(), Some("2024-03-06"));
    let trail: Vec<(&str, Option<&str>)> = back
        .events
        .iter()
        .map(|e| (e.action.as_str(), e.office_code.as_deref()))
        .collect();
    assert_eq!(trail[1], ("hand_over", Some(HALL)));
    assert_eq!(*trail.last().unwrap(), ("return", Some(BRANCH)));
    let actions = s.case(&bureau, r.id, day).await.unwrap().actions;
    assert!(!actions.iter().any(|a| a == "return" || a == "hand_over"));
}
