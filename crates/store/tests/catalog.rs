//! The catalog's contract, run on SQLite and on PostgreSQL.

use chrono::NaiveDate;
use tongquan_domain::access::{Actor, Jurisdiction, Role, Staff};
use tongquan_domain::catalog::{
    DelegationEventKind, DelegationStatus, ItemContent, RawItem, Recipient, Validity,
};
use tongquan_domain::codes::{BaseCode, CountyCode, ImplCode, OfficeCode, TownCode, Username};
use tongquan_store::audit::AuditFilter;
use tongquan_store::catalog::ItemFilter;
use tongquan_store::delegations::NewBatch;
use tongquan_store::import::read_items;
use tongquan_store::testing::TestDb;
use tongquan_store::{PageRequest, Store, StoreError, contract_tests};

const ALL: PageRequest = PageRequest {
    page: 1,
    per_page: 500,
};
const SYSTEM: Actor = Actor::System("test");

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn county(c: &str) -> CountyCode {
    CountyCode::parse("c", c).unwrap()
}

fn bureau(c: &str) -> Actor {
    Actor::Staff(Staff {
        id: 1_000,
        username: Username::parse("u", "bureau.test").unwrap(),
        role: Role::CountyBureau,
        jurisdiction: Jurisdiction::parse("j", c).unwrap(),
    })
}

fn content(
    county: &str,
    name: &str,
    statutory: &str,
    promised: &str,
    tongban: bool,
) -> ItemContent {
    RawItem {
        name: name.into(),
        item_type: "licensing".into(),
        department: format!("{county}SP"),
        exercise_level: "县级".into(),
        statutory_days: statutory.into(),
        promised_days: promised.into(),
        online_depth: "online_precheck".into(),
        service: "approval".into(),
        tongban_allowed: if tongban { "是" } else { "否" }.into(),
        ..RawItem::default()
    }
    .parse()
    .unwrap()
}

async fn new_item(s: &Store, c: &str, code: &str, name: &str, tongban: bool) -> i64 {
    let item = s
        .create_item(
            &bureau(c),
            &county(c),
            &ImplCode::parse("i", code).unwrap(),
            &BaseCode::parse("b", &code[..8]).unwrap(),
            content(c, name, "20", "5", tongban),
        )
        .await
        .unwrap();
    s.publish(
        &bureau(c),
        item.id,
        Validity {
            from: d("2024-01-01"),
            to: None,
        },
    )
    .await
    .unwrap();
    item.id
}

async fn audit_len(s: &Store) -> i64 {
    s.audit_entries(&SYSTEM, &AuditFilter::default(), ALL)
        .await
        .unwrap()
        .total
}

fn search(q: &str, on: &str) -> ItemFilter {
    ItemFilter {
        q: Some(q.into()),
        ..ItemFilter::on(d(on))
    }
}

contract_tests!(
    versions_are_drafted_published_and_in_force_by_date,
    bad_items_are_refused_and_change_nothing,
    delegation_decides_competence_until_suspended_or_revoked,
    where_to_apply_lists_the_competent_and_any_window_offices_nearest_first,
    the_real_list_imports_once_and_reimports_change_nothing,
    search_by_date_agrees_with_the_version_rule,
);

async fn versions_are_drafted_published_and_in_force_by_date(db: TestDb) {
    let s = &db.store;
    let b = bureau("371481");
    let item = s
        .create_item(
            &b,
            &county("371481"),
            &ImplCode::parse("i", "11371481TEST0001").unwrap(),
            &BaseCode::parse("b", "11371481").unwrap(),
            content("371481", "测试许可", "20", "10", false),
        )
        .await
        .unwrap();
    assert_eq!(item.versions[0].status, "draft");
    assert!(
        matches!(
            s.item(&Actor::Anonymous, item.id, None).await,
            Err(StoreError::NotFound { .. })
        ),
        "drafts are not public"
    );
    assert_eq!(
        s.items(&search("测试许可", "2024-06-01"), ALL)
            .await
            .unwrap()
            .total,
        0
    );
    s.publish(&b, item.id, Validity::parse("2024-01-01", "").unwrap())
        .await
        .unwrap();
    assert_eq!(
        s.items(&search("测试许可", "2024-06-01"), ALL)
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        s.items(&search("测试许可", "2023-12-31"), ALL)
            .await
            .unwrap()
            .total,
        0,
        "not yet in force"
    );
    let err = s
        .update_draft(&b, item.id, content("371481", "改名", "20", "10", false), 1)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no draft"),
        "published versions never change"
    );
    let drafted = s.new_draft(&b, item.id).await.unwrap();
    assert!(
        s.new_draft(&b, item.id).await.is_err(),
        "one draft at a time"
    );
    let lock = drafted.draft().unwrap().lock_version;
    s.update_draft(
        &b,
        item.id,
        content("371481", "测试许可（新）", "20", "3", true),
        lock,
    )
    .await
    .unwrap();
    let stale = s
        .update_draft(
            &b,
            item.id,
            content("371481", "别人的修改", "20", "3", true),
            lock,
        )
        .await
        .unwrap_err();
    assert_eq!(stale.code(), "stale");
    let overlap = s
        .publish(&b, item.id, Validity::parse("2023-06-01", "").unwrap())
        .await
        .unwrap_err();
    assert_eq!(overlap.field(), Some("valid_from"));
    s.publish(&b, item.id, Validity::parse("2025-01-01", "").unwrap())
        .await
        .unwrap();
    let then = s
        .item(&Actor::Anonymous, item.id, Some(d("2024-06-01")))
        .await
        .unwrap();
    let now = s
        .item(&Actor::Anonymous, item.id, Some(d("2025-06-01")))
        .await
        .unwrap();
    assert_eq!((then.in_force, now.in_force), (Some(1), Some(2)));
    assert_eq!(
        then.version(1).unwrap().in_force_until.as_deref(),
        Some("2025-01-01")
    );
    let changes: Vec<&str> = s
        .item_diff(&Actor::Anonymous, item.id, 1, 2)
        .await
        .unwrap()
        .iter()
        .map(|c| c.field)
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let changes: Vec<String> = changes.into_iter().map(str::to_owned).collect();
    assert_eq!(changes, ["name", "promised_days", "tongban_allowed"]);
    assert_eq!(
        s.items(&search("（新）", "2025-06-01"), ALL)
            .await
            .unwrap()
            .items[0]
            .version,
        2
    );
    let publishes = s
        .audit_entries(
            &SYSTEM,
            &AuditFilter {
                action: Some("item.publish".into()),
                ..AuditFilter::default()
            },
            ALL,
        )
        .await
        .unwrap();
    assert_eq!(publishes.total, 2);
    assert!(
        publishes.items[0].detail.contains("promised_days"),
        "the audit keeps what changed"
    );
}

async fn bad_items_are_refused_and_change_nothing(db: TestDb) {
    let s = &db.store;
    let b = bureau("371481");
    let before = audit_len(s).await;
    let code = ImplCode::parse("i", "11371481BAD00001").unwrap();
    let base = BaseCode::parse("b", "11371481").unwrap();
    let promised_over = RawItem {
        promised_days: "30".into(),
        ..raw("371481SP")
    }
    .parse()
    .unwrap_err();
    assert_eq!(promised_over.field(), Some("promised_days"));
    let unknown = s
        .create_item(
            &b,
            &county("371481"),
            &code,
            &base,
            content_with_department("371481ZZ"),
        )
        .await;
    assert!(unknown.is_err());
    let foreign = s
        .create_item(
            &b,
            &county("371481"),
            &code,
            &base,
            content_with_department("371402SP"),
        )
        .await
        .unwrap_err();
    assert_eq!(foreign.field(), Some("department"));
    let other_county = s
        .create_item(
            &b,
            &county("371402"),
            &code,
            &base,
            content("371402", "越权", "20", "5", false),
        )
        .await
        .unwrap_err();
    assert_eq!(other_county.code(), "forbidden");
    assert!(ImplCode::parse("impl_code", "bad code!").is_err());
    new_item(s, "371481", "11371481DUP00001", "重复", false).await;
    let before_dup = audit_len(s).await;
    let dup = s
        .create_item(
            &b,
            &county("371481"),
            &ImplCode::parse("i", "11371481DUP00001").unwrap(),
            &base,
            content("371481", "重复", "20", "5", false),
        )
        .await
        .unwrap_err();
    assert_eq!(dup.code(), "taken");
    assert_eq!(audit_len(s).await, before_dup);
    assert_eq!(
        before + 2,
        before_dup,
        "only the good item's create and publish were recorded"
    );
}

fn raw(department: &str) -> RawItem {
    RawItem {
        name: "x".into(),
        item_type: "licensing".into(),
        department: department.into(),
        statutory_days: "20".into(),
        online_depth: "on_site".into(),
        service: "approval".into(),
        ..RawItem::default()
    }
}

fn content_with_department(d: &str) -> ItemContent {
    match raw(d).parse() {
        Ok(c) => c,
        // A malformed code never gets this far; use a well-formed one of no county.
        Err(_) => raw("371499SP").parse().unwrap(),
    }
}

async fn batch(s: &Store, c: &str, doc: &str) -> i64 {
    let b = NewBatch::parse(
        c,
        doc,
        "2024-01-01",
        "赋权事项",
        "devolve",
        &format!("{c}SP"),
        "县镇同权改革实施方案",
        "",
    )
    .unwrap();
    s.create_batch(&bureau(c), b).await.unwrap().id
}

async fn delegation_decides_competence_until_suspended_or_revoked(db: TestDb) {
    let s = &db.store;
    let b = bureau("371481");
    let item = new_item(s, "371481", "11371481DEL00001", "下放许可", false).await;
    let branch = OfficeCode::parse("o", "371481B01").unwrap();
    let office = s.office(&branch).await.unwrap();
    let served = office.served_towns[0].code.clone();
    let elsewhere: TownCode = s
        .all_towns(Some(&county("371481")))
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.code)
        .find(|t| !office.served_towns.iter().any(|x| &x.code == t))
        .unwrap();
    let batch_id = batch(s, "371481", "乐政发〔2024〕1号").await;
    let before = audit_len(s).await;
    let outside = s
        .delegate(
            &b,
            batch_id,
            &[item],
            &[Recipient::Office(
                OfficeCode::parse("o", "371402B01").unwrap(),
            )],
            Validity::parse("2024-02-01", "").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(outside.message().en.contains("outside county"), "{outside}");
    let other_item = new_item(s, "371402", "11371402DEL00001", "德城事项", false).await;
    let foreign = s
        .delegate(
            &b,
            batch_id,
            &[other_item],
            &[Recipient::Office(branch.clone())],
            Validity::parse("2024-02-01", "").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(foreign.message().en.contains("does not hold"), "{foreign}");
    let to_town = s
        .delegate(
            &b,
            batch_id,
            &[item],
            &[Recipient::Town(served.clone())],
            Validity::parse("2024-02-01", "").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(to_town.message().en.contains("town offices"));
    assert_eq!(
        audit_len(s).await,
        before + 2,
        "only the second item's create and publish"
    );
    assert_eq!(
        s.delegate(
            &b,
            batch_id,
            &[item],
            &[Recipient::Office(branch.clone())],
            Validity::parse("2024-02-01", "").unwrap()
        )
        .await
        .unwrap(),
        1
    );
    assert_eq!(
        s.delegate(
            &b,
            batch_id,
            &[item],
            &[Recipient::Office(branch.clone())],
            Validity::parse("2024-02-01", "").unwrap()
        )
        .await
        .unwrap(),
        0,
        "idempotent"
    );
    let who = |town: TownCode, on: &'static str| async move {
        s.competence(item, &town, d(on)).await.unwrap()
    };
    assert_eq!(
        who(served.clone(), "2024-01-15").await.code,
        "371481H",
        "not yet in force"
    );
    let c = who(served.clone(), "2024-03-01").await;
    assert_eq!(
        (c.code.as_str(), c.doc_number.as_deref()),
        ("371481B01", Some("乐政发〔2024〕1号"))
    );
    assert_eq!(who(elsewhere.clone(), "2024-03-01").await.code, "371481H");
    let delegation = s
        .batch_delegations(batch_id, d("2024-03-01"))
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(delegation.status, DelegationStatus::Active);
    s.record_change(
        &b,
        delegation.id,
        DelegationEventKind::Suspend,
        d("2024-05-01"),
        "整改期间暂停",
        d("2026-12-01"),
    )
    .await
    .unwrap();
    assert!(
        s.record_change(
            &b,
            delegation.id,
            DelegationEventKind::Suspend,
            d("2024-05-02"),
            "again",
            d("2026-12-01"),
        )
        .await
        .is_err()
    );
    assert_eq!(who(served.clone(), "2024-05-10").await.code, "371481H");
    s.record_change(
        &b,
        delegation.id,
        DelegationEventKind::Resume,
        d("2024-06-01"),
        "整改完成",
        d("2026-12-01"),
    )
    .await
    .unwrap();
    assert_eq!(who(served.clone(), "2024-06-10").await.code, "371481B01");
    s.record_change(
        &b,
        delegation.id,
        DelegationEventKind::Revoke,
        d("2024-09-01"),
        "事项取消",
        d("2026-12-01"),
    )
    .await
    .unwrap();
    assert!(
        s.record_change(
            &b,
            delegation.id,
            DelegationEventKind::Resume,
            d("2024-10-01"),
            "x",
            d("2026-12-01"),
        )
        .await
        .is_err()
    );
    assert_eq!(who(served.clone(), "2024-09-01").await.code, "371481H");
    assert_eq!(
        who(served.clone(), "2024-08-31").await.code,
        "371481B01",
        "history stays answerable"
    );
    let on = s.delegation(delegation.id, d("2024-10-01")).await.unwrap();
    assert_eq!(
        (on.status, on.changes.len()),
        (DelegationStatus::Revoked, 3)
    );
    let handled = |on: &'static str| {
        let branch = branch.clone();
        async move {
            s.office_items(&branch, ItemFilter::on(d(on)), ALL)
                .await
                .unwrap()
                .items
                .iter()
                .map(|i| i.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(handled("2024-03-01").await, [item]);
    assert!(handled("2024-05-10").await.is_empty());
    let matrix = s
        .matrix(&county("371481"), ItemFilter::on(d("2024-03-01")), ALL)
        .await
        .unwrap();
    let row = matrix.rows.iter().find(|r| r.item.id == item).unwrap();
    for (town, cell) in matrix.towns.iter().zip(&row.cells) {
        assert_eq!(
            cell,
            &who(town.code.clone(), "2024-03-01").await.code,
            "the matrix agrees with competence for {}",
            town.code
        );
    }
}

async fn where_to_apply_lists_the_competent_and_any_window_offices_nearest_first(db: TestDb) {
    let s = &db.store;
    let plain = new_item(s, "371481", "11371481WHR00001", "只在本县办", false).await;
    let anywhere = new_item(s, "371481", "11371481WHR00002", "全市通办", true).await;
    let town = TownCode::parse("t", "371481104").unwrap();
    let (who, places) = s
        .where_to_apply(plain, &town, d("2024-03-01"))
        .await
        .unwrap();
    assert_eq!((who.code.as_str(), places.len()), ("371481H", 1));
    let (_, places) = s
        .where_to_apply(anywhere, &town, d("2024-03-01"))
        .await
        .unwrap();
    assert_eq!(
        places.len(),
        12 + 21,
        "every county hall and branch of the city takes it in"
    );
    assert_eq!(places.iter().filter(|p| p.competent).count(), 1);
    let kms: Vec<f64> = places.iter().map(|p| p.km.unwrap()).collect();
    assert!(kms.windows(2).all(|w| w[0] <= w[1]), "nearest first");
    let unlocated = TownCode::parse("t", "371422109").unwrap();
    let ningjin = new_item(s, "371422", "11371422WHR00001", "宁津通办", true).await;
    let (_, places) = s
        .where_to_apply(ningjin, &unlocated, d("2024-03-01"))
        .await
        .unwrap();
    assert!(
        places[0].competent && places.iter().all(|p| p.km.is_none()),
        "without coordinates the competent office leads and no distance is guessed"
    );
    let wrong = s
        .where_to_apply(
            plain,
            &TownCode::parse("t", "371402001").unwrap(),
            d("2024-03-01"),
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.field(), Some("town"));
}

async fn the_real_list_imports_once_and_reimports_change_nothing(db: TestDb) {
    let s = &db.store;
    let file = include_bytes!("../../../data/sample_service_items.csv");
    let parsed = read_items(file, &county("371481")).unwrap();
    let b = bureau("371481");
    let clerk = Actor::Staff(Staff {
        id: 2_000,
        username: Username::parse("u", "clerk.test").unwrap(),
        role: Role::BranchClerk,
        jurisdiction: Jurisdiction::parse("j", "371481B01").unwrap(),
    });
    assert_eq!(
        s.import_items(
            &clerk,
            &county("371481"),
            &parsed.records,
            d("2024-01-01"),
            "sample",
            &|_| {}
        )
        .await
        .unwrap_err()
        .code(),
        "forbidden"
    );
    let first = s
        .import_items(
            &b,
            &county("371481"),
            &parsed.records,
            d("2024-01-01"),
            "sample",
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(
        (first.rows, first.created, first.unchanged, first.drafted),
        (1135, 1135, 0, 0)
    );
    let entries = audit_len(s).await;
    let again = s
        .import_items(
            &b,
            &county("371481"),
            &parsed.records,
            d("2024-01-01"),
            "sample",
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.unchanged, again.drafted),
        (0, 1135, 0)
    );
    assert_eq!(
        audit_len(s).await,
        entries,
        "re-importing the same file changes nothing"
    );
    let mut changed = parsed.records.clone();
    changed[0].content.promised_days = Some(3.min(changed[0].content.statutory_days.unwrap_or(3)));
    changed[0].content.name.push_str("（修订）");
    let third = s
        .import_items(
            &b,
            &county("371481"),
            &changed,
            d("2024-01-01"),
            "sample-2",
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(
        (third.created, third.unchanged, third.drafted),
        (0, 1134, 1)
    );
    let filter = ItemFilter {
        county: Some(county("371481")),
        ..ItemFilter::on(d("2024-06-01"))
    };
    assert_eq!(
        s.items(&filter, ALL).await.unwrap().total,
        1135,
        "the draft waits for review; the published list is unchanged"
    );
    let mut broken = parsed.records.clone();
    broken[7].content.department =
        tongquan_domain::codes::DepartmentCode::parse("d", "371481XF").unwrap();
    broken.push(parsed.records[3].clone());
    let entries = audit_len(s).await;
    let err = s
        .import_items(
            &bureau("371402"),
            &county("371402"),
            &broken,
            d("2024-01-01"),
            "broken",
            &|_| {},
        )
        .await
        .unwrap_err();
    let m = err.message().en;
    assert!(
        m.contains("unknown department 371481XF") && m.contains("appears twice"),
        "{m}"
    );
    assert_eq!(audit_len(s).await, entries);
    assert_eq!(
        s.items(
            &ItemFilter {
                county: Some(county("371402")),
                ..ItemFilter::on(d("2024-06-01"))
            },
            ALL
        )
        .await
        .unwrap()
        .total,
        0,
        "all or nothing"
    );
}

async fn search_by_date_agrees_with_the_version_rule(db: TestDb) {
    let s = &db.store;
    let b = bureau("371403");
    // Items with 1-3 versions, some ended early, published in date order.
    let plans: [&[(&str, &str)]; 5] = [
        &[("2024-01-01", "")],
        &[("2024-01-01", ""), ("2024-06-01", "")],
        &[("2024-03-01", "2024-05-01")],
        &[
            ("2024-01-01", "2024-04-01"),
            ("2024-04-01", "2024-08-01"),
            ("2024-09-01", ""),
        ],
        &[("2024-02-01", ""), ("2024-02-15", "2024-07-01")],
    ];
    let mut ids = Vec::new();
    for (n, plan) in plans.iter().enumerate() {
        let code = format!("11371403RULE{n:04}");
        let item = s
            .create_item(
                &b,
                &county("371403"),
                &ImplCode::parse("i", &code).unwrap(),
                &BaseCode::parse("b", "11371403").unwrap(),
                content("371403", &format!("规则{n}"), "20", "5", false),
            )
            .await
            .unwrap();
        for (i, (from, to)) in plan.iter().enumerate() {
            if i > 0 {
                s.new_draft(&b, item.id).await.unwrap();
            }
            s.publish(&b, item.id, Validity::parse(from, to).unwrap())
                .await
                .unwrap();
        }
        ids.push(item.id);
    }
    let mut day = d("2023-12-20");
    while day < d("2024-10-10") {
        let found = s
            .items(
                &ItemFilter {
                    county: Some(county("371403")),
                    q: Some("规则".into()),
                    ..ItemFilter::on(day)
                },
                ALL,
            )
            .await
            .unwrap();
        for &id in &ids {
            let item = s.item(&SYSTEM, id, Some(day)).await.unwrap();
            let listed = found.items.iter().find(|i| i.id == id).map(|i| i.version);
            assert_eq!(listed, item.in_force, "item {id} on {day}");
        }
        day += chrono::Duration::days(9);
    }
}
