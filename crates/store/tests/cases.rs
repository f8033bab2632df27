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
use tongquan_store::testing::{TestDb, delegated_item, delegated_item_under, staff};
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

async fn a_case_stays_with_its_office_when_the_power_ends(db: TestDb) {
    when_the_power_ends(db, "stay").await;
}

async fn a_case_moves_to_the_county_when_its_batch_says_so(db: TestDb) {
    when_the_power_ends(db, "transfer").await;
}

async fn when_the_power_ends(db: TestDb, policy: &str) {
    use tongquan_domain::catalog::DelegationEventKind;
    let s = &db.store;
    let calendar = Calendar::new(tongquan_store::calendar::bundled().unwrap());
    {
        let (item, town) = delegated_item_under(s, BRANCH, policy).await;
        let (branch, county) = (BRANCH, COUNTY);
        let received = d("2024-03-01");
        let r = s
            .submit_case(
                &Actor::Anonymous,
                application(item, &town, "online", &["申请书", "营业执照"]),
                received,
            )
            .await
            .unwrap();
        assert_eq!(r.office_code, branch);
        let clerk = staff(Role::BranchClerk, branch);
        let accepted = s
            .act_on_case(&clerk, r.id, step(CaseAction::Accept, "", &[], 1), received)
            .await
            .unwrap();
        let delegation = s
            .active_delegations(item, received)
            .await
            .unwrap()
            .pop()
            .unwrap();
        let system = Actor::System("test");
        // A change cannot reach back before the delegation began (2024-01-01).
        let before = counts(s).await;
        let backdated = s
            .record_change(
                &system,
                delegation.id,
                DelegationEventKind::Revoke,
                d("2023-12-31"),
                "撤销",
                received,
            )
            .await
            .unwrap_err();
        assert_eq!(backdated.field(), Some("effective"));
        assert_eq!(counts(s).await, before);
        let revoked = d("2024-03-05");
        s.record_change(
            &system,
            delegation.id,
            DelegationEventKind::Revoke,
            revoked,
            "收回县级办理",
            revoked,
        )
        .await
        .unwrap();
        // A new application after the revocation goes to the county hall.
        let later = s
            .submit_case(
                &Actor::Anonymous,
                application(item, &town, "online", &["申请书", "营业执照"]),
                d("2024-03-06"),
            )
            .await
            .unwrap();
        let hall = tongquan_domain::codes::OfficeCode::county_hall(
            &tongquan_domain::codes::CountyCode::parse("c", county).unwrap(),
        )
        .to_string();
        assert_eq!(later.office_code, hall);
        let bureau = staff(Role::CountyBureau, county);
        let review = |who: &Actor, lock| {
            let who = who.clone();
            async move {
                s.act_on_case(
                    &who,
                    r.id,
                    step(CaseAction::Review, "", &[], lock),
                    d("2024-03-06"),
                )
                .await
            }
        };
        if policy == "stay" {
            // Received while the branch held the power: the branch decides it (the day of
            // receipt counts, not today), and the county hall may not.
            assert_eq!(
                review(&bureau, accepted.lock_version)
                    .await
                    .unwrap_err()
                    .code(),
                "no_power"
            );
            let case = review(&clerk, accepted.lock_version).await.unwrap();
            assert_eq!(case.summary.office_code, branch);
            s.act_on_case(
                &clerk,
                r.id,
                step(CaseAction::Grant, "", &[], case.lock_version),
                d("2024-03-07"),
            )
            .await
            .unwrap();
        } else {
            // Handed to the county hall with a record the applicant sees; the branch is done.
            let case = s.case(&bureau, r.id, d("2024-03-06")).await.unwrap();
            assert_eq!(case.summary.office_code, hall);
            let last = case.events.last().unwrap();
            assert_eq!(last.action, "transfer");
            assert!(last.reason.contains("移交"), "{}", last.reason);
            let tracked = s
                .track_case(
                    &r.tracking_no,
                    &r.check_code,
                    &Client::local(),
                    d("2024-03-06"),
                )
                .await
                .unwrap();
            assert_eq!(tracked.events.last().unwrap().action, "transfer");
            // The branch no longer reaches the case at all.
            assert_eq!(
                review(&clerk, case.lock_version).await.unwrap_err().code(),
                "not_found"
            );
            let case = review(&bureau, case.lock_version).await.unwrap();
            assert_eq!(case.summary.state, "under_review");
            // The clock keeps its start: acceptance by the branch on 03-01.
            assert_eq!(
                case.summary.statutory_due,
                Some(calendar.add_working_days(received, 20).unwrap().to_string())
            );
            assert_eq!(
                s.transfer_cases(d("2024-03-07")).await.unwrap(),
                0,
                "moved once"
            );
        }
    }
}

contract_tests!(
    a_case_stays_with_its_office_when_the_power_ends,
    a_case_moves_to_the_county_when_its_batch_says_so,
    a_case_is_routed_decided_and_concluded_with_the_clock_stopped_for_supplement,
    bad_input_is_refused_and_changes_nothing,
    later_years_of_the_calendar_are_imported_once,
    uploads_are_kept_by_content_and_a_bad_rating_opens_a_follow_up,
    a_commitment_is_decided_at_once_and_a_false_one_revokes_and_flags,
    hearings_stop_the_clock_and_extensions_need_the_bureau,
    one_application_sent_at_once_twice_is_one_case,
    a_two_person_item_is_examined_by_one_clerk_and_decided_by_another,
);

/// 审核 then 审批: where the county requires it, no clerk decides alone.
async fn a_two_person_item_is_examined_by_one_clerk_and_decided_by_another(db: TestDb) {
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let day = d("2024-03-01");
    let first = staff(Role::BranchClerk, BRANCH);
    let second = match first.clone() {
        Actor::Staff(mut st) => {
            st.id += 1;
            st.username = tongquan_domain::codes::Username::parse("u", "second.clerk").unwrap();
            Actor::Staff(st)
        }
        other => other,
    };
    assert_eq!(
        s.set_four_eyes(&first, item, true)
            .await
            .unwrap_err()
            .code(),
        "forbidden",
        "a window does not set the county's rules"
    );
    s.set_four_eyes(&staff(Role::CountyBureau, "371481"), item, true)
        .await
        .unwrap();
    assert!(s.four_eyes(item).await.unwrap());
    let r = s
        .submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书", "营业执照"]),
            day,
        )
        .await
        .unwrap();
    let mut lock = 1;
    for action in [CaseAction::Accept, CaseAction::Review] {
        lock = s
            .act_on_case(&first, r.id, step(action, "", &[], lock), day)
            .await
            .unwrap()
            .lock_version;
    }
    let before = counts(s).await;
    for (who, action) in [(&first, CaseAction::Grant), (&first, CaseAction::Deny)] {
        let e = s
            .act_on_case(who, r.id, step(action, "理由", &[], lock), day)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "four_eyes_required");
    }
    lock = s
        .act_on_case(
            &first,
            r.id,
            step(CaseAction::Examine, "材料齐全，建议准予", &[], lock),
            day,
        )
        .await
        .unwrap()
        .lock_version;
    let e = s
        .act_on_case(&first, r.id, step(CaseAction::Grant, "", &[], lock), day)
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        "four_eyes_required",
        "the examiner does not also decide"
    );
    assert_eq!(counts(s).await.1, before.1);
    let granted = s
        .act_on_case(&second, r.id, step(CaseAction::Grant, "", &[], lock), day)
        .await
        .unwrap();
    assert_eq!(granted.summary.state, "granted");
    let who: Vec<(&str, &str)> = granted
        .events
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert!(
        who.contains(&("examine", "branch-clerk.test#2000"))
            && who.contains(&("grant", "second.clerk#2001")),
        "{who:?}"
    );
}

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
    // Nothing is decided while the hearing stops the clock, and no extension asked.
    for action in [CaseAction::Grant, CaseAction::Deny] {
        let e = s
            .act_on_case(
                &clerk,
                r.id,
                step(action, "不符合条件", &[], case.lock_version),
                d("2024-03-05"),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "clock_stopped", "{action:?}");
    }
    let e = s
        .request_extension(
            &clerk,
            r.id,
            5,
            "需现场核查",
            case.lock_version,
            d("2024-03-05"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "clock_stopped");
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
    for days in [0, 11, 20] {
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
    assert_eq!(e.code(), "extension_once", "one request");
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
    // Extended once: a second request is refused, however short.
    let e = s
        .request_extension(&clerk, r.id, 1, "再延", case.lock_version, d("2024-03-13"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "extension_once");
    // After the limit has run out, an extension can no longer be asked for.
    let other = s
        .submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书", "营业执照"]),
            day,
        )
        .await
        .unwrap();
    let mut lock = 1;
    for action in [CaseAction::Accept, CaseAction::Review] {
        lock = s
            .act_on_case(&clerk, other.id, step(action, "", &[], lock), day)
            .await
            .unwrap()
            .lock_version;
    }
    let after_due = calendar.add_working_days(plain, 1).unwrap();
    let e = s
        .request_extension(&clerk, other.id, 5, "迟到的申请", lock, after_due)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "extension_too_late");
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
    // Until accepted the limit runs from the day the materials were complete (行政许可法
    // Arts. 32, 42): the days before, waiting for the supplement, do not count against it.
    assert_eq!(
        case.summary.statutory_due,
        Some(calendar.add_working_days(supplied, 20).unwrap().to_string())
    );
    assert!(
        case.due_explanation[0].zh.contains("尚未受理"),
        "{:?}",
        case.due_explanation
    );
    // What is missing is told once: a second notice is refused and changes nothing.
    let before = counts(s).await;
    let again = s
        .act_on_case(
            &clerk,
            receipt.id,
            step(
                CaseAction::RequestSupplement,
                "还缺",
                &["场所平面图"],
                case.lock_version,
            ),
            d("2024-03-12"),
        )
        .await
        .unwrap_err();
    assert_eq!(again.code(), "supplement_once");
    assert_eq!(counts(s).await, before);
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
    // Counted from acceptance on 03-12; decided the same day, within both limits.
    assert_eq!(
        case.summary.statutory_due,
        Some(
            calendar
                .add_working_days(d("2024-03-12"), 20)
                .unwrap()
                .to_string()
        )
    );
    assert_eq!(case.summary.accepted_on.as_deref(), Some("2024-03-12"));
    assert_eq!(case.summary.decided_on.as_deref(), Some("2024-03-12"));
    assert_eq!(
        (
            case.summary.on_time_statutory,
            case.summary.on_time_promised
        ),
        (Some(1), Some(1))
    );
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

    // An office silent for five working days has accepted the application on receipt: no late
    // supplement notice or refusal, the limit counts from receipt, and lateness is recorded.
    let silent = s
        .submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书", "营业执照"]),
            submitted,
        )
        .await
        .unwrap();
    let answer_by = calendar.add_working_days(submitted, 5).unwrap();
    let late = calendar.add_working_days(answer_by, 1).unwrap();
    let queue = s
        .cases(&clerk, &Default::default(), PageRequest::default(), late)
        .await
        .unwrap();
    let row = queue.items.iter().find(|c| c.id == silent.id).unwrap();
    assert_eq!(row.answer_by, Some(answer_by.to_string()));
    assert!(row.deemed_accepted, "the queue shows the deemed acceptance");
    let before = counts(s).await;
    for (action, materials) in [
        (CaseAction::RequestSupplement, &["场所平面图"][..]),
        (CaseAction::Reject, &[][..]),
    ] {
        let e = s
            .act_on_case(
                &clerk,
                silent.id,
                step(action, "材料不全", materials, 1),
                late,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "deemed_accepted", "{action:?}");
    }
    assert_eq!(counts(s).await, before);
    let mut lock = 1;
    for action in [CaseAction::Accept, CaseAction::Review] {
        lock = s
            .act_on_case(&clerk, silent.id, step(action, "", &[], lock), late)
            .await
            .unwrap()
            .lock_version;
    }
    let due = calendar.add_working_days(submitted, 20).unwrap();
    let case = s.case(&clerk, silent.id, late).await.unwrap();
    assert_eq!(case.summary.statutory_due, Some(due.to_string()));
    assert!(
        case.due_explanation[0].zh.contains("视为受理"),
        "{:?}",
        case.due_explanation
    );
    let decided = calendar.add_working_days(due, 1).unwrap();
    let case = s
        .act_on_case(
            &clerk,
            silent.id,
            step(CaseAction::Grant, "", &[], lock),
            decided,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            case.summary.on_time_statutory,
            case.summary.on_time_promised
        ),
        (Some(0), Some(0)),
        "decided a working day after the statutory due date"
    );
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
    // A well-formed ID number whose holder would be born after the day of application.
    let unborn = tongquan_domain::applicant::ApplicantId::complete(
        tongquan_domain::applicant::ApplicantKind::Person,
        "11010520240302002",
    )
    .unwrap();
    let e = s
        .submit_case(
            &Actor::Anonymous,
            NewCase::parse(
                item,
                town.as_str(),
                "person",
                unborn.as_str(),
                "张三",
                "13805340000",
                "online",
                vec!["申请书".into(), "营业执照".into()],
            )
            .unwrap(),
            today,
        )
        .await
        .unwrap_err();
    assert_eq!(e.field(), Some("applicant_id"));
    assert_eq!(counts(s).await, before);

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

contract_tests!(
    notices_are_numbered_per_office_and_year_without_gaps,
    a_grant_cites_its_basis_and_licence_and_a_refusal_names_the_remedies,
);

/// Every notice-issuing step of `cases` at `office` in `year`, by number.
async fn numbers(s: &Store, actor: &Actor, cases: &[i64], office: &str, year: i32) -> Vec<i64> {
    let mut numbers = Vec::new();
    for id in cases {
        let case = s.case(actor, *id, d("2025-06-30")).await.unwrap();
        for n in s.notices(&case).await.unwrap() {
            if n.office_code == office && n.year == year {
                assert_eq!(
                    n.doc_number,
                    format!("{office}〔{year}〕{}号", n.number),
                    "{n:?}"
                );
                numbers.push(n.number);
            }
        }
    }
    numbers.sort_unstable();
    numbers
}

/// The 文号 of a notice once ran `tracking_no-n`, n being the step's place in the case's
/// history, so a case's notices read -1, -3, -5 and no office had a series. Now each office
/// numbers its notices per year from 1, with no gaps: refused steps take no number, a new year
/// starts again, and steps taken at the same moment each get their own.
async fn notices_are_numbered_per_office_and_year_without_gaps(db: TestDb) {
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let clerk = staff(Role::BranchClerk, BRANCH);
    let bureau = staff(Role::CountyBureau, COUNTY);
    // A town the branch does not serve applies at the county hall.
    let hall_town = s
        .all_towns(Some(
            &tongquan_domain::codes::CountyCode::parse("c", COUNTY).unwrap(),
        ))
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.served_by.as_str() != BRANCH)
        .unwrap()
        .code;
    let day = d("2024-03-01");
    let submit = |town: TownCode| async move {
        s.submit_case(
            &Actor::Anonymous,
            application(item, &town, "online", &["申请书", "营业执照"]),
            day,
        )
        .await
        .unwrap()
    };
    let mut at_branch = Vec::new();
    let mut at_hall = Vec::new();
    for _ in 0..3 {
        at_branch.push(submit(town.clone()).await.id);
        let r = submit(hall_town.clone()).await;
        assert_eq!(r.office_code, format!("{COUNTY}H"));
        at_hall.push(r.id);
    }
    let act = |actor: &Actor, id: i64, action: CaseAction, reason: &str, on: &str| {
        let (actor, reason, on) = (actor.clone(), reason.to_owned(), d(on));
        async move {
            let lock = s.case(&actor, id, on).await.unwrap().lock_version;
            let materials: &[&str] = if action == CaseAction::RequestSupplement {
                &["场所平面图"]
            } else {
                &[]
            };
            s.act_on_case(&actor, id, step(action, &reason, materials, lock), on)
                .await
        }
    };
    // The branch: an acceptance, a supplement notice, a refusal, then a grant.
    act(&clerk, at_branch[0], CaseAction::Accept, "", "2024-03-01")
        .await
        .unwrap();
    act(
        &clerk,
        at_branch[1],
        CaseAction::RequestSupplement,
        "缺平面图",
        "2024-03-01",
    )
    .await
    .unwrap();
    // The hall numbers its own series meanwhile.
    act(&bureau, at_hall[0], CaseAction::Accept, "", "2024-03-01")
        .await
        .unwrap();
    // A refusal the county cannot issue yet takes no number and changes nothing.
    db.exec("UPDATE counties SET reconsideration_body = '' WHERE code = '371481'")
        .await;
    let e = act(
        &clerk,
        at_branch[2],
        CaseAction::Reject,
        "不属于本机关职权范围",
        "2024-03-04",
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "remedies_not_configured", "{e:?}");
    assert_eq!(
        s.case(&clerk, at_branch[2], day)
            .await
            .unwrap()
            .summary
            .state,
        "submitted"
    );
    db.exec("UPDATE counties SET reconsideration_body = '乐陵市人民政府' WHERE code = '371481'")
        .await;
    act(
        &clerk,
        at_branch[2],
        CaseAction::Reject,
        "不属于本机关职权范围",
        "2024-03-04",
    )
    .await
    .unwrap();
    act(&clerk, at_branch[0], CaseAction::Review, "", "2024-03-04")
        .await
        .unwrap();
    // A grant of a licensing item whose catalog entry records no legal basis is refused, and
    // takes no number either.
    db.exec(&format!(
        "UPDATE item_versions SET legal_basis_setting = '', legal_basis_implementing = '' WHERE item_id = {item}"
    ))
    .await;
    let e = act(&clerk, at_branch[0], CaseAction::Grant, "", "2024-03-05")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "no_legal_basis", "{e:?}");
    db.exec(&format!(
        "UPDATE item_versions SET legal_basis_setting = '《中华人民共和国食品安全法》第三十五条' WHERE item_id = {item}"
    ))
    .await;
    act(&clerk, at_branch[0], CaseAction::Grant, "", "2024-03-05")
        .await
        .unwrap();
    act(
        &bureau,
        at_hall[1],
        CaseAction::Reject,
        "申请事项依法不需要取得行政许可",
        "2024-03-05",
    )
    .await
    .unwrap();
    act(&bureau, at_hall[2], CaseAction::Accept, "", "2024-03-05")
        .await
        .unwrap();
    assert_eq!(
        numbers(s, &clerk, &at_branch, BRANCH, 2024).await,
        [1, 2, 3, 4]
    );
    assert_eq!(
        numbers(s, &bureau, &at_hall, "371481H", 2024).await,
        [1, 2, 3]
    );
    // Steps taken at the same moment each take the next number, none twice, none skipped.
    let mut more = Vec::new();
    for _ in 0..6 {
        more.push(submit(town.clone()).await.id);
    }
    let accepts: Vec<_> = more
        .iter()
        .map(|id| {
            let (s, clerk, id) = (s.clone(), clerk.clone(), *id);
            tokio::spawn(async move {
                let on = d("2024-03-06");
                let lock = s.case(&clerk, id, on).await.unwrap().lock_version;
                s.act_on_case(&clerk, id, step(CaseAction::Accept, "", &[], lock), on)
                    .await
            })
        })
        .collect();
    for a in accepts {
        a.await.unwrap().unwrap();
    }
    let all: Vec<i64> = at_branch.iter().chain(&more).copied().collect();
    assert_eq!(
        numbers(s, &clerk, &all, BRANCH, 2024).await,
        (1..=10).collect::<Vec<_>>()
    );
    // A new year starts each series again.
    act(&bureau, at_hall[2], CaseAction::Review, "", "2025-01-06")
        .await
        .unwrap();
    act(
        &bureau,
        at_hall[2],
        CaseAction::Deny,
        "申请人不具备法定条件",
        "2025-01-06",
    )
    .await
    .unwrap();
    act(&clerk, more[0], CaseAction::Review, "", "2025-01-07")
        .await
        .unwrap();
    act(&clerk, more[0], CaseAction::Grant, "", "2025-01-07")
        .await
        .unwrap();
    assert_eq!(numbers(s, &bureau, &at_hall, "371481H", 2025).await, [1]);
    assert_eq!(numbers(s, &clerk, &all, BRANCH, 2025).await, [1]);
    let case = s.case(&clerk, more[0], d("2025-01-07")).await.unwrap();
    let grant = s.notices(&case).await.unwrap().pop().unwrap();
    assert_eq!(
        grant.licence.unwrap().number,
        "371481B012025000001",
        "licences have their own series"
    );
}

/// A grant cites the legal basis of the item's catalog entry and issues the licence with its
/// number, scope and term; a refusal and a denial state the reasons and name where to appeal.
async fn a_grant_cites_its_basis_and_licence_and_a_refusal_names_the_remedies(db: TestDb) {
    let s = &db.store;
    let (item, town) = delegated_item(s, BRANCH).await;
    let clerk = staff(Role::BranchClerk, BRANCH);
    let day = d("2024-03-01");
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            s.submit_case(
                &Actor::Anonymous,
                application(item, &town, "online", &["申请书", "营业执照"]),
                day,
            )
            .await
            .unwrap()
            .id,
        );
    }
    let mut lock = 1;
    for (action, reason) in [
        (CaseAction::Accept, ""),
        (CaseAction::Review, ""),
        (CaseAction::Grant, "预包装食品（含冷藏冷冻食品）销售"),
    ] {
        lock = s
            .act_on_case(&clerk, ids[0], step(action, reason, &[], lock), day)
            .await
            .unwrap()
            .lock_version;
    }
    s.act_on_case(
        &clerk,
        ids[1],
        step(
            CaseAction::Reject,
            "申请人提交的申请不属于本机关职权范围",
            &[],
            1,
        ),
        day,
    )
    .await
    .unwrap();
    let mut lock = 1;
    for (action, reason) in [
        (CaseAction::Accept, ""),
        (CaseAction::Review, ""),
        (CaseAction::Deny, "经现场核查，经营场所与申请材料不符"),
    ] {
        lock = s
            .act_on_case(&clerk, ids[2], step(action, reason, &[], lock), day)
            .await
            .unwrap()
            .lock_version;
    }
    let notices = |id: i64| {
        let clerk = clerk.clone();
        async move {
            let case = s.case(&clerk, id, day).await.unwrap();
            s.notices(&case).await.unwrap()
        }
    };
    let granted = notices(ids[0]).await;
    assert_eq!(
        granted.iter().map(|n| n.event).collect::<Vec<_>>(),
        [1, 3],
        "the acceptance and the grant, by their place in the history"
    );
    let grant = &granted[1];
    assert_eq!(grant.title, "准予行政许可决定书");
    assert_eq!(
        grant.legal_basis,
        [
            "《中华人民共和国食品安全法》第三十五条",
            "《食品经营许可和备案管理办法》"
        ]
    );
    let licence = grant.licence.as_ref().unwrap();
    assert_eq!(
        (
            licence.name.as_str(),
            licence.number.as_str(),
            licence.scope.as_str(),
            licence.valid_from.as_str(),
            licence.valid_until.as_deref()
        ),
        (
            "食品经营许可证",
            "371481B012024000001",
            "预包装食品（含冷藏冷冻食品）销售",
            "2024-03-01",
            Some("2029-02-28")
        )
    );
    assert!(grant.remedies.is_none() && granted[0].licence.is_none());
    let remedies = |n: &tongquan_store::cases::Notice| {
        let r = n
            .remedies
            .as_ref()
            .expect("an adverse decision names the remedies");
        (r.reconsideration_body.clone(), r.court.clone())
    };
    let lelling = ("乐陵市人民政府".to_owned(), "乐陵市人民法院".to_owned());
    let rejected = notices(ids[1]).await;
    assert_eq!(rejected[0].title, "不予受理通知书");
    assert_eq!(remedies(&rejected[0]), lelling);
    let denied = notices(ids[2]).await;
    assert_eq!(denied[1].title, "不予行政许可决定书");
    assert_eq!(remedies(&denied[1]), lelling);
    assert!(denied[1].licence.is_none());
    // What a notice stated stays as issued: a later change of the catalog or the county's bodies
    // does not rewrite it.
    db.exec("UPDATE counties SET reconsideration_body = '德州市人民政府' WHERE code = '371481'")
        .await;
    db.exec(&format!(
        "UPDATE item_versions SET legal_basis_implementing = '' WHERE item_id = {item}"
    ))
    .await;
    assert_eq!(remedies(&notices(ids[2]).await[1]), lelling);
    assert_eq!(notices(ids[0]).await[1].legal_basis.len(), 2);

    // An item whose version applied under records no basis takes it from the catalog entry in
    // force on the day of the decision.
    let bureau = staff(Role::CountyBureau, COUNTY);
    let (bare, hall_town) = bare_licensing_item(s).await;
    let r = s
        .submit_case(
            &Actor::Anonymous,
            application(bare, &hall_town, "online", &["申请书"]),
            day,
        )
        .await
        .unwrap();
    let mut lock = 1;
    for action in [CaseAction::Accept, CaseAction::Review] {
        lock = s
            .act_on_case(&bureau, r.id, step(action, "", &[], lock), day)
            .await
            .unwrap()
            .lock_version;
    }
    let before = counts(s).await;
    let e = s
        .act_on_case(&bureau, r.id, step(CaseAction::Grant, "", &[], lock), day)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "no_legal_basis", "{e:?}");
    assert_eq!(counts(s).await, before, "nothing written");
    let system = Actor::System("test");
    let draft = s.new_draft(&system, bare).await.unwrap();
    let version = draft.draft().unwrap();
    let content = tongquan_domain::catalog::ItemContent {
        legal_basis_setting: "《中华人民共和国行政许可法》第十二条（测试）".into(),
        ..version.content.clone()
    };
    s.update_draft(&system, bare, content, version.lock_version)
        .await
        .unwrap();
    s.publish(
        &system,
        bare,
        tongquan_domain::catalog::Validity::parse("2024-03-04", "").unwrap(),
    )
    .await
    .unwrap();
    let later = d("2024-03-04");
    s.act_on_case(&bureau, r.id, step(CaseAction::Grant, "", &[], lock), later)
        .await
        .unwrap();
    let case = s.case(&bureau, r.id, later).await.unwrap();
    let grant = s.notices(&case).await.unwrap().pop().unwrap();
    assert_eq!(
        grant.legal_basis,
        ["《中华人民共和国行政许可法》第十二条（测试）"]
    );
    assert!(grant.licence.is_none(), "the item issues no certificate");
}

/// A licensing item of 乐陵市 decided at the county hall, with no legal basis recorded, in force
/// from 2024-01-01; and a town the hall serves for it.
async fn bare_licensing_item(s: &Store) -> (i64, TownCode) {
    use tongquan_domain::catalog::{RawItem, RawMaterial, Validity};
    use tongquan_domain::codes::{BaseCode, CountyCode, ImplCode};
    let system = Actor::System("test");
    let county = CountyCode::parse("c", COUNTY).unwrap();
    let content = RawItem {
        name: "无依据测试许可".into(),
        item_type: "licensing".into(),
        department: format!("{COUNTY}SP"),
        statutory_days: "20".into(),
        online_depth: "on_site".into(),
        service: "approval".into(),
        materials: vec![RawMaterial {
            name: "申请书".into(),
            requirement: "required".into(),
            form: "original".into(),
            copies: "1".into(),
            note: String::new(),
        }],
        ..RawItem::default()
    }
    .parse()
    .unwrap();
    let item = s
        .create_item(
            &system,
            &county,
            &ImplCode::parse("i", "11371481NOB00001").unwrap(),
            &BaseCode::parse("b", "11371481").unwrap(),
            content,
        )
        .await
        .unwrap();
    s.publish(&system, item.id, Validity::parse("2024-01-01", "").unwrap())
        .await
        .unwrap();
    let town = s.all_towns(Some(&county)).await.unwrap()[0].code.clone();
    (item.id, town)
}
