//! The case contract, run on SQLite and on PostgreSQL: routing by the catalog, the transition
//! table, the calendar's due dates, and bad input that changes nothing.

use chrono::NaiveDate;
use tongquan_domain::access::{Actor, Role};
use tongquan_domain::calendar::Calendar;
use tongquan_domain::case::CaseAction;
use tongquan_domain::case::{Rating, TaskKind};
use tongquan_domain::codes::TownCode;
use tongquan_domain::upload::Upload;
use tongquan_store::audit::AuditFilter;
use tongquan_store::cases::{Attachment, CaseStep, NewCase};
use tongquan_store::once::Once;
use tongquan_store::testing::{TestDb, delegated_item, staff};
use tongquan_store::throttle::Client;
use tongquan_store::{PageRequest, Store, StoreError, contract_tests};

const SYSTEM: Actor = Actor::System("test");
const COUNTY: &str = "371481";
const BRANCH: &str = "371481B01";
const ID: &str = "11010519491231002X";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn application(item: i64, town: &TownCode, channel: &str, materials: &[&str]) -> NewCase {
    NewCase::parse(
        item,
        town.as_str(),
        "person",
        ID,
        "张三",
        "13800000000",
        channel,
        materials.iter().map(|m| m.to_string()).collect(),
    )
    .unwrap()
}

fn step(action: CaseAction, reason: &str, materials: &[&str], lock_version: i64) -> CaseStep {
    CaseStep {
        action,
        reason: reason.into(),
        materials: materials.iter().map(|m| m.to_string()).collect(),
        files: Vec::new(),
        lock_version,
    }
}

fn pdf(material: &str, body: &str) -> Attachment {
    Attachment {
        material: material.into(),
        upload: Upload::parse(
            "f",
            &format!("{material}.pdf"),
            format!("%PDF-1.4 {body}").into_bytes(),
        )
        .unwrap(),
    }
}

async fn counts(s: &Store) -> (i64, i64) {
    let audit = s
        .audit_entries(&SYSTEM, &AuditFilter::default(), PageRequest::default())
        .await
        .unwrap()
        .total;
    let cases = s
        .cases(
            &SYSTEM,
            &Default::default(),
            PageRequest::default(),
            d("2024-03-01"),
        )
        .await
        .unwrap()
        .total;
    (audit, cases)
}

contract_tests!(
    a_case_is_routed_decided_and_concluded_with_the_clock_stopped_for_supplement,
    bad_input_is_refused_and_changes_nothing,
    later_years_of_the_calendar_are_imported_once,
    uploads_are_kept_by_content_and_a_bad_rating_opens_a_follow_up,
    a_commitment_is_decided_at_once_and_a_false_one_revokes_and_flags,
    hearings_stop_the_clock_and_extensions_need_the_bureau,
    one_application_sent_at_once_twice_is_one_case,
);

/// A double click sends the same form twice at the same moment: both get the first receipt.
async fn one_application_sent_at_once_twice_is_one_case(db: TestDb) {
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let day = d("2024-03-01");
    let new = application(item, &town, "online", &["申请书", "营业执照"]);
    let once = Once::new(
        "client:192.0.2.1",
        "double-click-token-1",
        &new.fingerprint(),
    )
    .unwrap();
    let sends: Vec<_> = (0..4)
        .map(|_| {
            let (s, new, once) = (s.clone(), new.clone(), once.clone());
            tokio::spawn(async move {
                s.submit_case_once(&Actor::Anonymous, new, day, Some(&once))
                    .await
            })
        })
        .collect();
    let mut receipts = Vec::new();
    for send in sends {
        receipts.push(send.await.unwrap().unwrap());
    }
    assert!(receipts.iter().all(
        |r| r.tracking_no == receipts[0].tracking_no && r.check_code == receipts[0].check_code
    ));
    assert_eq!(counts(s).await.1, 1);
    // Another party's identical key is its own.
    let theirs = Once::new(
        "client:192.0.2.2",
        "double-click-token-1",
        &new.fingerprint(),
    )
    .unwrap();
    let other = s
        .submit_case_once(&Actor::Anonymous, new, day, Some(&theirs))
        .await
        .unwrap();
    assert_ne!(other.tracking_no, receipts[0].tracking_no);
}

async fn hearings_stop_the_clock_and_extensions_need_the_bureau(db: TestDb) {
    use tongquan_domain::calendar::PauseReason;
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let calendar = Calendar::new(tongquan_store::calendar::bundled().unwrap());
    let day = d("2024-03-01");
    let r = s
        .submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书", "营业执照"]),
            day,
        )
        .await
        .unwrap();
    let clerk = staff(Role::BranchClerk, BRANCH);
    let mut lock = 1;
    for action in [CaseAction::Accept, CaseAction::Review] {
        lock = s
            .act_on_case(&clerk, r.id, step(action, "", &[], lock), day)
            .await
            .unwrap()
            .lock_version;
    }
    let plain = calendar.add_working_days(day, 20).unwrap();
    // A hearing from 03-04 to 03-08 stops the clock for four working days.
    let case = s
        .pause_case(
            &clerk,
            r.id,
            PauseReason::Hearing,
            "申请人要求听证",
            lock,
            d("2024-03-04"),
        )
        .await
        .unwrap();
    assert_eq!(
        case.summary.statutory_due, None,
        "no due date while stopped"
    );
    let before = counts(s).await;
    let e = s
        .pause_case(
            &clerk,
            r.id,
            PauseReason::ExpertReview,
            "x",
            case.lock_version,
            d("2024-03-05"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "transition_not_allowed", "one pause at a time");
    let e = s
        .resume_case(&clerk, r.id, lock, d("2024-03-08"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "stale");
    assert_eq!(counts(s).await, before);
    let case = s
        .resume_case(&clerk, r.id, case.lock_version, d("2024-03-08"))
        .await
        .unwrap();
    let paused = calendar.add_working_days(plain, 4).unwrap();
    assert_eq!(case.summary.statutory_due, Some(paused.to_string()));
    assert!(
        case.due_explanation.iter().any(|m| m.zh.contains("听证")),
        "{:?}",
        case.due_explanation
    );

    // An extension: asked by the branch, changing nothing until the county bureau approves.
    let before = counts(s).await;
    for days in [0, 21] {
        let e = s
            .request_extension(
                &clerk,
                r.id,
                days,
                "需现场核查",
                case.lock_version,
                d("2024-03-11"),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid_field", "{days}");
    }
    assert_eq!(counts(s).await, before);
    let case = s
        .request_extension(
            &clerk,
            r.id,
            10,
            "需现场核查",
            case.lock_version,
            d("2024-03-11"),
        )
        .await
        .unwrap();
    assert_eq!(
        case.summary.statutory_due,
        Some(paused.to_string()),
        "not before approval"
    );
    let e = s
        .request_extension(&clerk, r.id, 5, "再延", case.lock_version, d("2024-03-11"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "transition_not_allowed", "one pending request");
    let e = s
        .decide_extension(&clerk, r.id, true, d("2024-03-12"))
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        "forbidden",
        "the branch cannot approve its own extension"
    );
    let other_bureau = staff(Role::CountyBureau, "371402");
    assert_eq!(
        s.decide_extension(&other_bureau, r.id, true, d("2024-03-12"))
            .await
            .unwrap_err()
            .code(),
        "forbidden"
    );
    let bureau = staff(Role::CountyBureau, COUNTY);
    let case = s
        .decide_extension(&bureau, r.id, true, d("2024-03-12"))
        .await
        .unwrap();
    assert_eq!(
        case.summary.statutory_due,
        Some(calendar.add_working_days(paused, 10).unwrap().to_string())
    );
    assert!(
        case.due_explanation
            .iter()
            .any(|m| m.zh.contains("批准延长 10 个工作日")),
        "{:?}",
        case.due_explanation
    );
    let trail: Vec<&str> = case.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        &trail[3..],
        ["pause", "resume", "extension_request", "extension_approve"]
    );
    assert_eq!(
        s.decide_extension(&bureau, r.id, true, d("2024-03-12"))
            .await
            .unwrap_err()
            .code(),
        "transition_not_allowed"
    );
}

async fn a_commitment_is_decided_at_once_and_a_false_one_revokes_and_flags(db: TestDb) {
    use tongquan_domain::case::{TaskOutcome, VerificationMethod};
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let day = d("2024-03-01");
    let calendar = Calendar::new(tongquan_store::calendar::bundled().unwrap());
    let mut new = application(item, &town, "online", &["申请书", "营业执照"]);
    new.commitment = true;
    let receipt = s.submit_case(&Actor::Anonymous, new, day).await.unwrap();
    let clerk = staff(Role::BranchClerk, BRANCH);
    let case = s.case(&clerk, receipt.id, day).await.unwrap();
    assert_eq!(
        (case.summary.state.as_str(), case.commitment),
        ("concluded", true),
        "decided at once"
    );
    assert_eq!(case.summary.concluded_on.as_deref(), Some("2024-03-01"));
    let trail: Vec<&str> = case.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(trail, ["submit", "accept", "review", "grant", "conclude"]);
    let task = &case.tasks[0];
    assert_eq!(
        (task.kind.as_str(), task.method.as_deref()),
        ("verification", Some("on_site"))
    );
    assert_eq!(
        task.due,
        calendar.add_working_days(day, 40).unwrap().to_string()
    );
    let queue = s
        .tasks(&clerk, Some(TaskKind::Verification), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(queue.total, 1);

    // Closing it wrongly changes nothing: another office, an outcome of another kind, no note.
    let before = counts(s).await;
    let other = staff(Role::BranchClerk, "371481B02");
    assert!(
        s.close_task(&other, task.id, TaskOutcome::Confirmed, None, "", day)
            .await
            .is_err()
    );
    let e = s
        .close_task(&clerk, task.id, TaskOutcome::FollowedUp, None, "", day)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "task_not_open");
    let e = s
        .close_task(&clerk, task.id, TaskOutcome::False, None, "", day)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "required_field");
    assert_eq!(counts(s).await, before);

    // On site the premises do not match the commitment: revoked and flagged.
    let checked = d("2024-03-20");
    let closed = s
        .close_task(
            &clerk,
            task.id,
            TaskOutcome::False,
            Some(VerificationMethod::OnSite),
            "经营场所与承诺不符",
            checked,
        )
        .await
        .unwrap();
    assert_eq!(closed.outcome.as_deref(), Some("false"));
    let case = s.case(&clerk, receipt.id, checked).await.unwrap();
    assert_eq!(case.summary.state, "revoked");
    assert_eq!(case.events.last().unwrap().action, "revoke");
    assert_eq!(
        s.tasks(&clerk, Some(TaskKind::Verification), PageRequest::default())
            .await
            .unwrap()
            .total,
        0
    );
    let e = s
        .close_task(&clerk, task.id, TaskOutcome::Confirmed, None, "", checked)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "task_not_open", "closed once");

    // The flagged applicant may not use commitment approval again, but may apply the ordinary way.
    let before = counts(s).await;
    let mut again = application(item, &town, "online", &["申请书", "营业执照"]);
    again.commitment = true;
    let e = s
        .submit_case(&Actor::Anonymous, again, checked)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "credit_flagged");
    assert_eq!(counts(s).await, before);
    let ordinary = application(item, &town, "online", &["申请书", "营业执照"]);
    let r = s
        .submit_case(&Actor::Anonymous, ordinary, checked)
        .await
        .unwrap();
    assert_eq!(
        s.case(&clerk, r.id, checked).await.unwrap().summary.state,
        "submitted"
    );
}

async fn uploads_are_kept_by_content_and_a_bad_rating_opens_a_follow_up(db: TestDb) {
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let day = d("2024-03-01");
    let mut new = application(item, &town, "online", &[]);
    // The same scan handed in for two materials is stored once.
    new.files = vec![pdf("申请书", "same"), pdf("营业执照", "same")];
    let receipt = s.submit_case(&Actor::Anonymous, new, day).await.unwrap();
    let clerk = staff(Role::BranchClerk, BRANCH);
    let case = s.case(&clerk, receipt.id, day).await.unwrap();
    assert_eq!(case.materials, ["申请书", "营业执照"]);
    assert_eq!(case.files.len(), 2);
    assert_eq!(case.files[0].hash, case.files[1].hash);
    assert_eq!(case.files[0].media_type, "application/pdf");
    let (file, bytes) = s
        .tracked_file(
            &receipt.tracking_no,
            &receipt.check_code,
            &Client::local(),
            &case.files[0].hash,
            day,
        )
        .await
        .unwrap();
    assert_eq!(
        (file.file_name.as_str(), bytes.as_slice()),
        ("申请书.pdf", b"%PDF-1.4 same".as_slice())
    );
    // Only through a case one may see: not with a wrong code, not from another office.
    assert!(
        s.tracked_file(
            &receipt.tracking_no,
            "000000x",
            &Client::local(),
            &file.hash,
            day
        )
        .await
        .is_err()
    );
    let other = staff(Role::BranchClerk, "371402B01");
    assert!(matches!(
        s.case_file(&other, receipt.id, &file.hash, day).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(
        s.case_file(&clerk, receipt.id, &"0".repeat(64), day)
            .await
            .is_err()
    );

    // A supplement handed in as a file.
    let case = s
        .act_on_case(
            &clerk,
            receipt.id,
            step(
                CaseAction::RequestSupplement,
                "缺平面图",
                &["场所平面图"],
                1,
            ),
            day,
        )
        .await
        .unwrap();
    let mut supply = step(CaseAction::Supply, "", &[], case.lock_version);
    supply.files = vec![pdf("场所平面图", "plan")];
    let case = s
        .applicant_act(
            &receipt.tracking_no,
            &receipt.check_code,
            &Client::local(),
            supply,
            d("2024-03-04"),
        )
        .await
        .unwrap();
    assert_eq!(case.files.len(), 3);
    assert_eq!(case.events.last().unwrap().materials, ["场所平面图"]);

    // Rating is for concluded cases only, and changes nothing before.
    let before = counts(s).await;
    let e = s
        .rate_case(
            &receipt.tracking_no,
            &receipt.check_code,
            &Client::local(),
            Rating::parse("r", "1").unwrap(),
            "",
            day,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "rating_not_open");
    assert_eq!(counts(s).await, before);
    let mut lock = case.lock_version;
    for action in [
        CaseAction::Accept,
        CaseAction::Review,
        CaseAction::Grant,
        CaseAction::Conclude,
    ] {
        lock = s
            .act_on_case(
                &clerk,
                receipt.id,
                step(action, "", &[], lock),
                d("2024-03-05"),
            )
            .await
            .unwrap()
            .lock_version;
    }
    let rated_on = d("2024-03-06");
    let case = s
        .rate_case(
            &receipt.tracking_no,
            &receipt.check_code,
            &Client::local(),
            Rating::parse("r", "2").unwrap(),
            "窗口让我跑了两次",
            rated_on,
        )
        .await
        .unwrap();
    assert_eq!(case.rating, Some(2));
    let calendar = Calendar::new(tongquan_store::calendar::bundled().unwrap());
    let follow_up = &case.tasks[0];
    assert_eq!(follow_up.kind, "bad_rating");
    assert_eq!(
        follow_up.due,
        calendar.add_working_days(rated_on, 15).unwrap().to_string()
    );
    assert_eq!(follow_up.office_code, BRANCH);
    let before = counts(s).await;
    let again = s
        .rate_case(
            &receipt.tracking_no,
            &receipt.check_code,
            &Client::local(),
            Rating::parse("r", "5").unwrap(),
            "",
            rated_on,
        )
        .await
        .unwrap_err();
    assert_eq!(again.code(), "rating_not_open", "rated once");
    assert_eq!(counts(s).await, before);
    // The follow-up is in the branch's task list, not another office's.
    let tasks = s
        .tasks(&clerk, Some(TaskKind::BadRating), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(tasks.total, 1);
    assert_eq!(tasks.items[0].case_id, receipt.id);
    assert_eq!(
        s.tasks(&other, None, PageRequest::default())
            .await
            .unwrap()
            .total,
        0
    );
}

async fn a_case_is_routed_decided_and_concluded_with_the_clock_stopped_for_supplement(db: TestDb) {
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let calendar = Calendar::new(tongquan_store::calendar::bundled().unwrap());
    let submitted = d("2024-03-01");
    let receipt = s
        .submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书", "营业执照"]),
            submitted,
        )
        .await
        .unwrap();
    assert_eq!(
        receipt.office_code, BRANCH,
        "routed to the branch the catalog names"
    );
    assert!(receipt.tracking_no.starts_with("371481B0120240301"));
    assert_eq!(receipt.check_code.len(), 6);
    assert_eq!(
        receipt.statutory_due.as_deref(),
        Some(
            calendar
                .add_working_days(submitted, 20)
                .unwrap()
                .to_string()
                .as_str()
        )
    );
    let clerk = staff(Role::BranchClerk, BRANCH);
    let case = s.case(&clerk, receipt.id, submitted).await.unwrap();
    assert_eq!(case.doc_number.as_deref(), Some("乐政发〔2024〕1号"));
    assert_eq!(case.summary.remaining, Some(10), "promised 10 working days");
    assert_eq!(case.applicant_id, ID);

    // 一次性告知: one notice lists what is missing; the clock stops until it arrives.
    let asked = d("2024-03-05");
    let case = s
        .act_on_case(
            &clerk,
            receipt.id,
            step(
                CaseAction::RequestSupplement,
                "材料不全",
                &["场所平面图"],
                1,
            ),
            asked,
        )
        .await
        .unwrap();
    assert_eq!(case.summary.state, "supplement_requested");
    assert_eq!(
        case.summary.statutory_due, None,
        "no due date while the clock is stopped"
    );
    let tracked = s
        .track_case(
            &receipt.tracking_no,
            &receipt.check_code,
            &Client::local(),
            asked,
        )
        .await
        .unwrap();
    assert_eq!(tracked.applicant_id, "110105********002X");
    assert_eq!(tracked.actions, ["supply", "withdraw"]);
    let supplied = d("2024-03-11");
    let case = s
        .applicant_act(
            &receipt.tracking_no,
            &receipt.check_code,
            &Client::local(),
            step(CaseAction::Supply, "", &["场所平面图"], case.lock_version),
            supplied,
        )
        .await
        .unwrap();
    // 03-06, 07, 08 and 11 are not counted.
    let expected = calendar
        .add_working_days(calendar.add_working_days(submitted, 20).unwrap(), 4)
        .unwrap();
    assert_eq!(case.summary.statutory_due, Some(expected.to_string()));
    assert!(
        case.due_explanation
            .iter()
            .any(|m| m.zh.contains("其间 4 个工作日不计")),
        "{:?}",
        case.due_explanation
    );
    let mut lock = case.lock_version;
    for action in [
        CaseAction::Accept,
        CaseAction::Review,
        CaseAction::Grant,
        CaseAction::Conclude,
    ] {
        let case = s
            .act_on_case(
                &clerk,
                receipt.id,
                step(action, "", &[], lock),
                d("2024-03-12"),
            )
            .await
            .unwrap();
        lock = case.lock_version;
    }
    let case = s.case(&clerk, receipt.id, d("2024-03-13")).await.unwrap();
    assert_eq!(case.summary.state, "concluded");
    assert_eq!(case.summary.concluded_on.as_deref(), Some("2024-03-12"));
    assert_eq!(case.summary.remaining, None);
    let trail: Vec<&str> = case.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        trail,
        [
            "submit",
            "request_supplement",
            "supply",
            "accept",
            "review",
            "grant",
            "conclude"
        ]
    );
    assert!(case.events[3].actor.starts_with("branch-clerk.test"));
    assert_eq!(case.events[3].office_code.as_deref(), Some(BRANCH));
    assert!(s.verify_audit().await.unwrap() > 0);
    // Staff of another office do not see the case at all.
    let other = staff(Role::BranchClerk, "371402B01");
    assert!(matches!(
        s.case(&other, receipt.id, supplied).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn bad_input_is_refused_and_changes_nothing(db: TestDb) {
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let today = d("2024-03-01");
    let receipt = s
        .submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书", "营业执照"]),
            today,
        )
        .await
        .unwrap();
    let before = counts(s).await;
    let clerk = staff(Role::BranchClerk, BRANCH);

    let bad_id = NewCase::parse(
        item,
        town.as_str(),
        "person",
        "110105194912310021",
        "张三",
        "13805340000",
        "online",
        vec![],
    );
    assert!(bad_id.unwrap_err().message().en.contains("check character"));
    let bad_credit = NewCase::parse(
        item,
        town.as_str(),
        "enterprise",
        "91350100M000100Y44",
        "某公司",
        "13805340000",
        "online",
        vec![],
    );
    assert_eq!(bad_credit.unwrap_err().field(), Some("applicant_id"));

    let missing = s
        .submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书"]),
            today,
        )
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "missing_materials");
    assert!(missing.message().zh.contains("营业执照"));

    let not_allowed = s
        .act_on_case(
            &clerk,
            receipt.id,
            step(CaseAction::Grant, "", &[], 1),
            today,
        )
        .await
        .unwrap_err();
    assert_eq!(not_allowed.code(), "transition_not_allowed");

    // The county bureau reaches the case but does not hold the delegated power.
    let bureau = staff(Role::CountyBureau, COUNTY);
    let no_power = s
        .act_on_case(
            &bureau,
            receipt.id,
            step(CaseAction::Accept, "", &[], 1),
            today,
        )
        .await
        .unwrap_err();
    assert_eq!(no_power.code(), "no_power");

    let stale = s
        .act_on_case(
            &clerk,
            receipt.id,
            step(CaseAction::Accept, "", &[], 0),
            today,
        )
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Stale { .. }), "{stale}");

    let no_reason = s
        .act_on_case(
            &clerk,
            receipt.id,
            step(CaseAction::Reject, " ", &[], 1),
            today,
        )
        .await
        .unwrap_err();
    assert_eq!(no_reason.code(), "required_field");
    let empty_notice = s
        .act_on_case(
            &clerk,
            receipt.id,
            step(CaseAction::RequestSupplement, "缺", &[], 1),
            today,
        )
        .await
        .unwrap_err();
    assert_eq!(empty_notice.code(), "invalid_field");

    // Past the years the holiday rules can be derived for: refused, not guessed.
    let beyond = s
        .submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书", "营业执照"]),
            d("2100-12-20"),
        )
        .await
        .unwrap_err();
    assert_eq!(beyond.code(), "outside_calendar");

    let wrong = if receipt.check_code == "000000" {
        "000001"
    } else {
        "000000"
    };
    let wrong_code = s
        .track_case(&receipt.tracking_no, wrong, &Client::local(), today)
        .await
        .unwrap_err();
    assert_eq!(wrong_code.code(), "not_found");
    let applicant_grants = s
        .applicant_act(
            &receipt.tracking_no,
            &receipt.check_code,
            &Client::local(),
            step(CaseAction::Accept, "", &[], 1),
            today,
        )
        .await
        .unwrap_err();
    assert_eq!(applicant_grants.code(), "forbidden");

    assert_eq!(counts(s).await, before, "nothing written");
    let case = s.case(&clerk, receipt.id, today).await.unwrap();
    assert_eq!(
        (case.summary.state.as_str(), case.lock_version),
        ("submitted", 1)
    );
}

async fn later_years_of_the_calendar_are_imported_once(db: TestDb) {
    use tongquan_domain::calendar::Arrangement;
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let today = d("2026-12-20");
    // A case submitted before the 2027 arrangement is out: its due dates are provisional.
    let r = s
        .submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书", "营业执照"]),
            today,
        )
        .await
        .unwrap();
    assert_eq!(r.provisional, vec![2027]);
    // 20 working days from Sunday 12-20: Dec 21–31 give 9, New Year's Day is statutory, so
    // Jan 4–18 give 11; the promised 10 end on 2027-01-04.
    assert_eq!(
        (r.statutory_due.as_deref(), r.promised_due.as_deref()),
        (Some("2027-01-18"), Some("2027-01-04"))
    );
    let clerk = staff(Role::BranchClerk, BRANCH);
    let case = s.case(&clerk, r.id, today).await.unwrap();
    assert_eq!(case.provisional, vec![2027]);
    assert!(case.due_explanation.last().unwrap().zh.starts_with("暂定"));

    // The official 2027 arrangement (as a test file): New Year's Day bridged over Jan 1–3 and a
    // make-up Saturday, and the Spring Festival week.
    let text = "date,name,is_off_day\n2027-01-01,元旦,true\n2027-01-02,元旦,true\n2027-01-03,元旦,true\n2027-01-04,元旦,true\n2027-01-09,元旦,false\n2027-02-05,春节,true\n2027-02-06,春节,true\n";
    let next = Arrangement::parse(text, Some(2027)).unwrap();
    assert_eq!(
        s.import_calendar(&clerk, &next, None, today)
            .await
            .unwrap_err()
            .code(),
        "forbidden"
    );
    let admin = staff(Role::CityAdmin, "city");
    let before = counts(s).await;
    let first = s.import_calendar(&admin, &next, None, today).await.unwrap();
    assert_eq!((first.added, first.changed), (7, 0));
    // Jan 4 off and Saturday Jan 9 worked: the statutory date stays (one day lost, one gained),
    // the promised one moves from Jan 4 to Jan 5.
    assert_eq!(first.recomputed.len(), 1, "{first:?}");
    let moved = &first.recomputed[0];
    assert_eq!(moved.tracking_no, r.tracking_no);
    assert_eq!(
        (
            moved.promised_before.as_deref(),
            moved.promised_after.as_deref()
        ),
        (Some("2027-01-04"), Some("2027-01-05"))
    );
    let case = s.case(&clerk, r.id, today).await.unwrap();
    assert!(case.provisional.is_empty(), "official now");
    assert_eq!(case.summary.promised_due.as_deref(), Some("2027-01-05"));
    let history = case.events.last().unwrap();
    assert_eq!(history.action, "calendar");
    assert!(
        history.reason.contains("2027-01-04 → 2027-01-05"),
        "{history:?}"
    );
    assert_eq!(
        counts(s).await.0,
        before.0 + 1,
        "one audit entry for the import"
    );

    // The same file again changes nothing.
    let again = s.import_calendar(&admin, &next, None, today).await.unwrap();
    assert_eq!((again.added, again.changed, again.unchanged), (0, 0, 7));
    assert!(again.recomputed.is_empty());
    let calendar = s.calendar().await.unwrap();
    assert!(!calendar.is_working(d("2027-01-04")).unwrap());
    assert!(calendar.is_working(d("2027-01-09")).unwrap());
    assert!(!calendar.is_provisional(2027));

    // A year already official: a different file is refused unless it says why.
    let before = counts(s).await;
    let fixed =
        Arrangement::parse(&text.replace("2027-01-04,元旦,true\n", ""), Some(2027)).unwrap();
    let e = s
        .import_calendar(&admin, &fixed, None, today)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "calendar_year_official");
    assert!(e.message().en.contains("leaves out 2027-01-04"), "{e:?}");
    assert_eq!(
        s.import_calendar(&admin, &fixed, Some("  "), today)
            .await
            .unwrap_err()
            .code(),
        "required_field"
    );
    assert_eq!(counts(s).await, before, "nothing written");
    // A correction that would move the open case's due date before today is refused, naming
    // the row; nothing is written.
    let late = d("2027-01-12");
    let e = s
        .import_calendar(&admin, &fixed, Some("更正"), late)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "calendar_due_in_past", "{e:?}");
    assert_eq!(counts(s).await, before, "nothing written");
    // With a reason, the year is replaced: Jan 4 is a working day again.
    let replaced = s
        .import_calendar(&admin, &fixed, Some("国务院办公厅更正通知"), today)
        .await
        .unwrap();
    assert_eq!(replaced.recomputed.len(), 1);
    assert!(
        s.calendar()
            .await
            .unwrap()
            .is_working(d("2027-01-04"))
            .unwrap()
    );
}
