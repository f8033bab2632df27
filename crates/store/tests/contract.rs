//! The store's contract, run on SQLite and on PostgreSQL.

use std::collections::BTreeSet;

use tongquan_domain::access::{Action, Actor, ResourceKind, Role, may};
use tongquan_domain::audit::{AuditEntry, ChainBreak};
use tongquan_domain::codes::{CountyCode, OfficeCode, TownCode, Username};
use tongquan_domain::org::{DepartmentKind, OfficeKind, TownKind};
use tongquan_store::accounts::{AccountFilter, NewAccount};
use tongquan_store::audit::AuditFilter;
use tongquan_store::geography::TownFilter;
use tongquan_store::offices::{OfficeFilter, OfficeUpdate};
use tongquan_store::seed::{self, DEMO_ACCOUNTS, DEMO_PASSWORD};
use tongquan_store::testing::TestDb;
use tongquan_store::throttle::Client;
use tongquan_store::{PageRequest, Store, StoreError, contract_tests};

const ALL: PageRequest = PageRequest {
    page: 1,
    per_page: 500,
};

async fn audit_len(store: &Store) -> i64 {
    store
        .audit_entries(&Actor::System("test"), &AuditFilter::default(), ALL)
        .await
        .unwrap()
        .total
}

async fn actor(store: &Store, username: &str) -> Actor {
    let u = Username::parse("u", username).unwrap();
    Actor::Staff(
        store
            .account_by_username(&Actor::System("test"), &u)
            .await
            .unwrap()
            .staff(),
    )
}

contract_tests!(
    reference_data_loads_once_with_every_town_and_office,
    towns_filter_page_and_say_which_have_no_coordinates,
    account_lists_are_exactly_what_the_policy_admits,
    changes_outside_reach_are_refused_and_leave_no_trace,
    stale_versions_are_refused,
    failed_logins_lock_the_account,
    account_creation_rejects_bad_input_without_writing,
    tampering_with_the_audit_trail_is_detected,
    concurrent_writes_keep_one_chain,
);

async fn reference_data_loads_once_with_every_town_and_office(db: TestDb) {
    let s = &db.store;
    let before = audit_len(s).await;
    assert!(
        !seed::load_reference(s).await.unwrap(),
        "second load is a no-op"
    );
    assert_eq!(audit_len(s).await, before);
    assert_eq!(s.counties(ALL).await.unwrap().total, 12);
    assert_eq!(
        s.towns(&TownFilter::default(), ALL).await.unwrap().total,
        135
    );
    let offices = s.offices(&OfficeFilter::default(), ALL).await.unwrap();
    let count = |k| offices.items.iter().filter(|o| o.kind == k).count();
    assert_eq!(
        (
            count(OfficeKind::CountyHall),
            count(OfficeKind::Branch),
            count(OfficeKind::Centre)
        ),
        (12, 21, 135)
    );
    for o in &offices.items {
        match o.kind {
            OfficeKind::Branch => assert!(
                (2..=5).contains(&o.served_towns.len()) && o.illustrative,
                "{}",
                o.code
            ),
            OfficeKind::Centre => assert_eq!(o.served_towns.len(), 1),
            OfficeKind::CountyHall => {}
        }
    }
    // Every town is served by exactly one approval office: its branch or its county hall.
    let served: usize = offices
        .items
        .iter()
        .filter(|o| o.kind != OfficeKind::Centre)
        .map(|o| o.served_towns.len())
        .sum();
    assert_eq!(served, 135);
    let depts = s.departments(&Default::default(), ALL).await.unwrap();
    assert_eq!(depts.total as usize, 12 * DepartmentKind::ALL.len());
    let core = depts
        .items
        .iter()
        .filter(|d| d.kind.is_reform_core())
        .count();
    assert_eq!(
        core,
        12 * 8,
        "every county has the approval bureau and the seven enforcement departments"
    );
    assert_eq!(s.boundaries().await.unwrap().len(), 12);
}

async fn towns_filter_page_and_say_which_have_no_coordinates(db: TestDb) {
    let s = &db.store;
    let leling = CountyCode::parse("c", "371481").unwrap();
    let filter = TownFilter {
        county: Some(leling.clone()),
        kind: None,
    };
    let page1 = s
        .towns(
            &filter,
            PageRequest {
                page: 1,
                per_page: 10,
            },
        )
        .await
        .unwrap();
    let page2 = s
        .towns(
            &filter,
            PageRequest {
                page: 2,
                per_page: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (page1.total, page1.items.len(), page2.items.len()),
        (16, 10, 6)
    );
    assert!(
        page1
            .items
            .iter()
            .chain(&page2.items)
            .all(|t| t.county_code == leling)
    );
    let streets = s
        .towns(
            &TownFilter {
                county: None,
                kind: Some(TownKind::Street),
            },
            ALL,
        )
        .await
        .unwrap();
    assert_eq!(streets.total, 29);
    let all = s.all_towns(None).await.unwrap();
    let unlocated: Vec<_> = all.iter().filter(|t| !t.has_coordinates).collect();
    assert_eq!(unlocated.len(), 7);
    assert!(
        unlocated
            .iter()
            .all(|t| t.hall_km.is_none() && t.lat.is_none() && t.coord_source == "none")
    );
    // Distances are to the county hall; roughly half of the located towns lie beyond 10 km.
    let beyond10 = all
        .iter()
        .filter(|t| t.hall_km.is_some_and(|km| km > 10.0))
        .count();
    assert!((50..=90).contains(&beyond10), "{beyond10}");
    let missing = CountyCode::parse("c", "371499").unwrap();
    let err = s
        .towns(
            &TownFilter {
                county: Some(missing),
                kind: None,
            },
            ALL,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

async fn account_lists_are_exactly_what_the_policy_admits(db: TestDb) {
    let s = &db.store;
    seed::load_demo_accounts(s).await.unwrap();
    assert_eq!(
        seed::load_demo_accounts(s).await.unwrap(),
        0,
        "demo accounts are created once"
    );
    let system = Actor::System("test");
    let everyone = s
        .accounts(&system, &AccountFilter::default(), ALL)
        .await
        .unwrap()
        .items;
    assert_eq!(everyone.len(), DEMO_ACCOUNTS.len());
    for (username, ..) in DEMO_ACCOUNTS {
        let who = actor(s, username).await;
        let listed: BTreeSet<i64> = s
            .accounts(&who, &AccountFilter::default(), ALL)
            .await
            .unwrap()
            .items
            .iter()
            .map(|a| a.id)
            .collect();
        let admitted: BTreeSet<i64> = everyone
            .iter()
            .filter(|a| may(&who, ResourceKind::Account, Action::Read, &a.scope()))
            .map(|a| a.id)
            .collect();
        assert_eq!(listed, admitted, "{username}");
        assert!(
            listed.contains(&who.staff().unwrap().id),
            "{username} sees itself"
        );
        for a in &everyone {
            assert_eq!(
                s.account(&who, a.id).await.is_ok(),
                admitted.contains(&a.id),
                "{username} reading {}",
                a.username
            );
        }
    }
    let clerk = actor(s, "ll.branch1").await;
    let listed = s
        .accounts(&clerk, &AccountFilter::default(), ALL)
        .await
        .unwrap();
    assert_eq!(
        listed.total, 1,
        "a branch clerk sees only its own office's accounts"
    );
    let officers = s
        .accounts(
            &system,
            &AccountFilter {
                role: Some(Role::Officer),
            },
            ALL,
        )
        .await
        .unwrap();
    assert_eq!(officers.total, 1);
}

async fn changes_outside_reach_are_refused_and_leave_no_trace(db: TestDb) {
    let s = &db.store;
    seed::load_demo_accounts(s).await.unwrap();
    let bureau = actor(s, "ll.bureau").await;
    let other = OfficeCode::parse("o", "371402H").unwrap();
    let update = OfficeUpdate::parse("新地址", "0534-1234567", "全天").unwrap();
    let before = s.office(&other).await.unwrap();
    let entries = audit_len(s).await;
    let err = s
        .update_office(&bureau, &other, &update, before.version)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "forbidden",
        "offices are public, so the answer is 403, not 404"
    );
    let town = TownCode::parse("t", "371402001").unwrap();
    let err = s
        .update_town(&bureau, &town, Some(1000), 1)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "forbidden");
    let dc_admin = actor(s, "dc.bureau").await;
    let ll_clerk = s
        .account_by_username(
            &Actor::System("t"),
            &Username::parse("u", "ll.branch1").unwrap(),
        )
        .await
        .unwrap();
    let err = s
        .update_account(&dc_admin, ll_clerk.id, "改名", true, ll_clerk.version)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "not_found",
        "accounts of another county are not even visible"
    );
    assert_eq!(s.office(&other).await.unwrap().address, before.address);
    assert_eq!(s.town(&town).await.unwrap().population, None);
    assert!(
        !s.account(&Actor::System("t"), ll_clerk.id)
            .await
            .unwrap()
            .disabled
    );
    assert_eq!(audit_len(s).await, entries);
    // Within reach the same change goes through and is audited.
    let own = OfficeCode::parse("o", "371481H").unwrap();
    let v = s.office(&own).await.unwrap().version;
    let after = s.update_office(&bureau, &own, &update, v).await.unwrap();
    assert_eq!(
        (after.phone.as_str(), after.version),
        ("0534-1234567", v + 1)
    );
    assert_eq!(audit_len(s).await, entries + 1);
}

async fn stale_versions_are_refused(db: TestDb) {
    let s = &db.store;
    let system = Actor::System("test");
    let code = OfficeCode::parse("o", "371481B01").unwrap();
    let v = s.office(&code).await.unwrap().version;
    let first = OfficeUpdate::parse("甲", "0534-1111111", "全天").unwrap();
    let second = OfficeUpdate::parse("乙", "0534-2222222", "全天").unwrap();
    s.update_office(&system, &code, &first, v).await.unwrap();
    let entries = audit_len(s).await;
    let err = s
        .update_office(&system, &code, &second, v)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Stale { expected, .. } if expected == v));
    assert_eq!(s.office(&code).await.unwrap().address, "甲");
    assert_eq!(audit_len(s).await, entries);
}

async fn failed_logins_lock_the_account(db: TestDb) {
    let s = &db.store;
    seed::load_demo_accounts(s).await.unwrap();
    let (here, there) = (Client::new("10.0.0.1"), Client::new("10.0.0.2"));
    let (account, token) = s.login("ll.centre", DEMO_PASSWORD, &here).await.unwrap();
    assert_eq!(
        s.session_staff(&token).await.unwrap().unwrap().id,
        account.id
    );
    assert!(s.session_staff("s_forged").await.unwrap().is_none());
    for _ in 1..=5 {
        assert!(matches!(
            s.login("ll.centre", "wrong password", &here).await,
            Err(StoreError::BadCredentials)
        ));
    }
    assert!(
        matches!(
            s.login("ll.centre", DEMO_PASSWORD, &here).await,
            Err(StoreError::Throttled { .. })
        ),
        "the client that guessed waits, even with the right password"
    );
    // Whoever guessed cannot lock the owner out: from another client the password works.
    s.login("ll.centre", DEMO_PASSWORD, &there).await.unwrap();
    assert!(matches!(
        s.login("nobody.here", DEMO_PASSWORD, &there).await,
        Err(StoreError::BadCredentials)
    ));
    // Guesses sent all at once are each counted: 25 at a time, the right password then waits.
    let crowd = Client::new("10.0.0.3");
    let guesses: Vec<_> = (0..25)
        .map(|_| {
            let (s, crowd) = (s.clone(), crowd.clone());
            tokio::spawn(async move { s.login("ll.bureau", "wrong password", &crowd).await })
        })
        .collect();
    let mut checked = 0;
    for g in guesses {
        match g.await.unwrap() {
            Err(StoreError::BadCredentials) => checked += 1,
            Err(StoreError::Throttled { .. }) => {}
            other => panic!("{:?}", other.map(|_| ())),
        }
    }
    assert!(
        checked <= 5,
        "{checked} passwords checked; at most 5 may be"
    );
    assert!(matches!(
        s.login("ll.bureau", DEMO_PASSWORD, &crowd).await,
        Err(StoreError::Throttled { .. })
    ));
    let failures = s
        .audit_entries(
            &Actor::System("t"),
            &AuditFilter {
                action: Some("auth.login_failed".into()),
                ..Default::default()
            },
            ALL,
        )
        .await
        .unwrap();
    assert_eq!(failures.total, 5 + checked);
    // Disabling an account ends its sessions.
    let admin = actor(s, "ll.bureau").await;
    s.update_account(
        &admin,
        account.id,
        &account.display_name,
        true,
        s.account(&admin, account.id).await.unwrap().version,
    )
    .await
    .unwrap();
    assert!(s.session_staff(&token).await.unwrap().is_none());
}

async fn account_creation_rejects_bad_input_without_writing(db: TestDb) {
    let s = &db.store;
    seed::load_demo_accounts(s).await.unwrap();
    let bureau = actor(s, "ll.bureau").await;
    let entries = audit_len(s).await;
    let total = s
        .accounts(&Actor::System("t"), &AccountFilter::default(), ALL)
        .await
        .unwrap()
        .total;
    let cases: Vec<(NewAccount, &str)> = vec![
        (
            NewAccount::parse("ll.new", "新人", "branch_clerk", "371481B99", DEMO_PASSWORD)
                .unwrap(),
            "invalid_field",
        ),
        (
            NewAccount::parse(
                "ll.branch1",
                "重名",
                "branch_clerk",
                "371481B01",
                DEMO_PASSWORD,
            )
            .unwrap(),
            "taken",
        ),
        (
            NewAccount::parse("dc.new", "越权", "branch_clerk", "371402B01", DEMO_PASSWORD)
                .unwrap(),
            "forbidden",
        ),
        (
            NewAccount::parse("ll.boss", "越级", "city_admin", "city", DEMO_PASSWORD).unwrap(),
            "forbidden",
        ),
    ];
    for (new, code) in cases {
        let err = s.create_account(&bureau, new.clone()).await.unwrap_err();
        assert_eq!(err.code(), code, "{new:?}");
    }
    assert_eq!(
        NewAccount::parse("X", "n", "branch_clerk", "371481B01", DEMO_PASSWORD)
            .unwrap_err()
            .field(),
        Some("username")
    );
    assert_eq!(
        NewAccount::parse("ok.name", "n", "boss", "371481B01", DEMO_PASSWORD)
            .unwrap_err()
            .field(),
        Some("role")
    );
    assert_eq!(
        NewAccount::parse("ok.name", "n", "branch_clerk", "371481B01", "short")
            .unwrap_err()
            .field(),
        Some("password")
    );
    assert_eq!(audit_len(s).await, entries);
    assert_eq!(
        s.accounts(&Actor::System("t"), &AccountFilter::default(), ALL)
            .await
            .unwrap()
            .total,
        total
    );
    let ok =
        NewAccount::parse("ll.new", "新人", "branch_clerk", "371481B02", DEMO_PASSWORD).unwrap();
    assert_eq!(
        s.create_account(&bureau, ok)
            .await
            .unwrap()
            .jurisdiction
            .to_string(),
        "371481B02"
    );
}

fn sql_text(v: &Option<String>) -> String {
    v.as_ref()
        .map_or("NULL".into(), |s| format!("'{}'", s.replace('\'', "''")))
}

fn reinsert(e: &AuditEntry) -> String {
    format!(
        "INSERT INTO audit_log (seq, at, actor, action, resource_kind, resource_id, county_code, town_code,
            office_code, department_code, detail, prev_hash, hash) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        e.seq,
        sql_text(&Some(e.at.clone())),
        sql_text(&Some(e.actor.clone())),
        sql_text(&Some(e.action.clone())),
        sql_text(&Some(e.resource_kind.clone())),
        sql_text(&Some(e.resource_id.clone())),
        sql_text(&e.county_code),
        sql_text(&e.town_code),
        sql_text(&e.office_code),
        sql_text(&e.department_code),
        sql_text(&Some(e.detail.clone())),
        sql_text(&Some(e.prev_hash.clone())),
        sql_text(&Some(e.hash.clone())),
    )
}

async fn tampering_with_the_audit_trail_is_detected(db: TestDb) {
    let s = &db.store;
    seed::load_demo_accounts(s).await.unwrap();
    let n = s.verify_audit().await.unwrap();
    assert_eq!(
        n,
        2 + DEMO_ACCOUNTS.len() as i64,
        "the holiday calendar, the reference data and one entry per account"
    );
    let entries = s
        .audit_entries(&Actor::System("t"), &AuditFilter::default(), ALL)
        .await
        .unwrap()
        .items;
    let entry = |seq: i64| entries.iter().find(|e| e.seq == seq).unwrap().clone();
    let broken = |r: Result<i64, StoreError>| match r {
        Err(StoreError::Chain(b)) => b,
        other => panic!("expected a broken chain, got {other:?}"),
    };

    // Edited: the content no longer matches its hash.
    db.exec("UPDATE audit_log SET detail = '{}' WHERE seq = 3")
        .await;
    assert_eq!(
        broken(s.verify_audit().await),
        ChainBreak::Edited { seq: 3 }
    );
    db.exec(&format!(
        "UPDATE audit_log SET detail = {} WHERE seq = 3",
        sql_text(&Some(entry(3).detail))
    ))
    .await;
    assert_eq!(s.verify_audit().await.unwrap(), n, "restored");

    // Deleted from the middle.
    db.exec("DELETE FROM audit_log WHERE seq = 4").await;
    assert_eq!(
        broken(s.verify_audit().await),
        ChainBreak::Gap {
            expected: 4,
            found: 5
        }
    );
    db.exec(&reinsert(&entry(4))).await;
    assert_eq!(s.verify_audit().await.unwrap(), n);

    // Reordered: two entries swap places.
    db.exec("UPDATE audit_log SET seq = -5 WHERE seq = 5").await;
    db.exec("UPDATE audit_log SET seq = 5 WHERE seq = 6").await;
    db.exec("UPDATE audit_log SET seq = 6 WHERE seq = -5").await;
    assert_eq!(
        broken(s.verify_audit().await),
        ChainBreak::Edited { seq: 5 }
    );
    db.exec("UPDATE audit_log SET seq = -5 WHERE seq = 5").await;
    db.exec("UPDATE audit_log SET seq = 5 WHERE seq = 6").await;
    db.exec("UPDATE audit_log SET seq = 6 WHERE seq = -5").await;
    assert_eq!(s.verify_audit().await.unwrap(), n);

    // Deleted from the end: the head still remembers the last entry.
    db.exec(&format!("DELETE FROM audit_log WHERE seq = {n}"))
        .await;
    assert_eq!(
        broken(s.verify_audit().await),
        ChainBreak::Truncated {
            last: n - 1,
            head: n
        }
    );
    db.exec(&reinsert(&entry(n))).await;

    // Appended: a well-formed entry the store never wrote.
    let forged = AuditEntry {
        seq: n + 1,
        action: "account.create".into(),
        ..entry(n)
    }
    .seal(&entry(n).hash);
    db.exec(&reinsert(&forged)).await;
    assert_eq!(
        broken(s.verify_audit().await),
        ChainBreak::Truncated {
            last: n + 1,
            head: n
        }
    );
    db.exec(&format!("DELETE FROM audit_log WHERE seq = {}", n + 1))
        .await;
    assert_eq!(s.verify_audit().await.unwrap(), n);
}

async fn concurrent_writes_keep_one_chain(db: TestDb) {
    let s = &db.store;
    let system = Actor::System("test");
    let start = s.verify_audit().await.unwrap();
    let towns: Vec<TownCode> = s
        .all_towns(None)
        .await
        .unwrap()
        .into_iter()
        .take(24)
        .map(|t| t.code)
        .collect();
    let tasks: Vec<_> = towns
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let (s, system, code) = (s.clone(), system.clone(), code.clone());
            tokio::spawn(async move {
                s.update_town(&system, &code, Some(1000 + i as i64), 1)
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(s.verify_audit().await.unwrap(), start + 24);
}
