//! A real headless Chromium, driven over WebDriver: the map, and the catalog from a new version
//! to the public guide.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test skips with a notice,
//! unless TONGQUAN_REQUIRE_ALL=1 (as in CI), where it fails.

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tongquan_store::Backend;
use tongquan_store::seed::{self, DEMO_PASSWORD};
use tongquan_store::testing::{TestDb, skip};
use tongquan_web::{AppState, WebConfig};

fn find(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p));
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running product on a fresh SQLite database with the demo accounts, and a browser on it.
struct Session {
    c: Client,
    base: String,
    db: TestDb,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

const PINNED: &str = "2026-11-25";

/// A browser on a fresh app, its clock pinned to `today` (else to PINNED).
async fn session(today: Option<chrono::NaiveDate>) -> Option<Session> {
    let Some(driver_bin) = find(
        "TONGQUAN_CHROMEDRIVER",
        &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
    ) else {
        skip(
            "browser test",
            "chromedriver not found (apt install chromium chromium-driver)",
        );
        return None;
    };
    let browser_bin = find(
        "TONGQUAN_CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    );
    let mut db = TestDb::new(Backend::Sqlite).await.unwrap();
    // Pinned either way: nothing here depends on the day the tests run.
    let day = today.unwrap_or_else(|| PINNED.parse().unwrap());
    db.store = db
        .store
        .clone()
        .with_clock(tongquan_domain::clock::Clock::pinned(day));
    seed::load_demo_accounts(&db.store).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = tongquan_web::router(AppState::new(db.store.clone(), WebConfig::default()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let port = free_port();
    let driver = Driver(
        Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().unwrap();
    let mut options = json!({ "args": [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        format!("--user-data-dir={}", profile.path().display()),
    ]});
    if let Some(bin) = browser_bin {
        options["binary"] = json!(bin);
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..50 {
        if let Ok(c) = ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            return Some(Session {
                c,
                base,
                db,
                _driver: driver,
                _profile: profile,
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not answer within 10 s");
}

async fn sign_in(s: &Session, username: &str) {
    let c = &s.c;
    c.goto(&format!("{}/login", s.base)).await.unwrap();
    c.find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(DEMO_PASSWORD)
        .await
        .unwrap();
    submit(c, "#login button[type=submit]").await;
    let who = c.wait().for_element(Locator::Css("a.who")).await.unwrap();
    assert_eq!(who.text().await.unwrap(), username);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_signs_in_and_reads_the_map() {
    let Some(s) = session(None).await else { return };
    sign_in(&s, "ll.bureau").await;
    let c = &s.c;
    submit(c, "nav.main a[href='/map']").await;
    c.wait().for_element(Locator::Css("svg.map")).await.unwrap();
    let towns = c
        .find_all(Locator::Css("svg.map circle.town"))
        .await
        .unwrap();
    assert_eq!(towns.len(), 128, "every town with coordinates is a point");
    let county_shapes = c
        .find_all(Locator::Css("svg.map path.county"))
        .await
        .unwrap();
    assert_eq!(county_shapes.len(), 11);
    let beyond10: usize = c
        .find(Locator::Id("count-beyond10"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .parse()
        .unwrap();
    let red = c
        .find_all(Locator::Css("svg.map circle.beyond15"))
        .await
        .unwrap()
        .len();
    let amber = c
        .find_all(Locator::Css("svg.map circle.beyond10"))
        .await
        .unwrap()
        .len();
    assert_eq!(beyond10, red + amber, "the count matches the points drawn");
    let unlocated = c.find_all(Locator::Css("#unlocated li")).await.unwrap();
    assert_eq!(unlocated.len(), 7);
    // The page is laid out: the map has a real size on screen.
    let (_, _, w, h) = c
        .find(Locator::Css("svg.map"))
        .await
        .unwrap()
        .rectangle()
        .await
        .unwrap();
    assert!(w > 400.0 && h > 300.0, "map is {w}x{h}");

    submit(c, "a.lang").await;
    c.wait()
        .for_element(Locator::XPath(
            "//nav//a[@href='/map' and normalize-space()='Map']",
        ))
        .await
        .unwrap();
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("en")
    );
    s.c.clone().close().await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Clicks a button or link that loads a new page and waits until the browser has left this one, so that
/// the next lookup cannot find an element of the page that was just submitted.
async fn submit(c: &Client, css: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    click(c, css).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        match old.tag_name().await {
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
            {
                break;
            }
            _ if std::time::Instant::now() > deadline => panic!("{css} did not leave the page"),
            _ => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}

/// The text of the element, once it is there.
async fn text(c: &Client, locator: Locator<'_>) -> String {
    c.wait()
        .for_element(locator)
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Sets a date field: typing into a date input depends on the browser's locale, a value does not.
async fn set_value(c: &Client, css: &str, value: &str) {
    c.execute(
        &format!("document.querySelector({css:?}).value = {value:?};"),
        vec![],
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_version_delegated_to_a_branch_sends_citizens_there() {
    use tongquan_domain::catalog::{RawItem, Validity};
    use tongquan_domain::codes::{BaseCode, CountyCode, ImplCode, OfficeCode};

    let Some(s) = session(None).await else { return };
    let today = PINNED.to_owned();
    // An item of 乐陵市 in force since 2024 and decided at the county hall.
    let system = tongquan_domain::access::Actor::System("test");
    let content = RawItem {
        name: "浏览器测试许可".into(),
        item_type: "licensing".into(),
        department: "371481SP".into(),
        statutory_days: "20".into(),
        online_depth: "on_site".into(),
        service: "approval".into(),
        ..RawItem::default()
    }
    .parse()
    .unwrap();
    let county = CountyCode::parse("c", "371481").unwrap();
    let code = ImplCode::parse("i", "11371481BRW00001").unwrap();
    let item =
        s.db.store
            .create_item(
                &system,
                &county,
                &code,
                &BaseCode::parse("b", "11371481").unwrap(),
                content,
            )
            .await
            .unwrap();
    s.db.store
        .publish(&system, item.id, Validity::parse("2024-01-01", "").unwrap())
        .await
        .unwrap();
    let branch =
        s.db.store
            .office(&OfficeCode::parse("o", "371481B01").unwrap())
            .await
            .unwrap();
    let town = branch.served_towns[0].code.to_string();

    sign_in(&s, "ll.bureau").await;
    let c = &s.c;
    // A new version: draft, edit, publish from today.
    c.goto(&format!("{}/catalog/items/{}", s.base, item.id))
        .await
        .unwrap();
    submit(c, "#new-draft button").await;
    let name = c
        .wait()
        .for_element(Locator::Css("#draft input[name=name]"))
        .await
        .unwrap();
    name.clear().await.unwrap();
    name.send_keys("浏览器测试许可（第二版）").await.unwrap();
    submit(c, "#draft button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    set_value(c, "#publish input[name=valid_from]", &today).await;
    submit(c, "#publish button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css("tr.in-force"))
        .await
        .unwrap();
    let current = c
        .find(Locator::Css("tr.in-force td.num"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(current, "2", "the new version is in force today");

    // A batch that hands it to the branch, from today.
    c.goto(&format!("{}/catalog/batches/new?county=371481", s.base))
        .await
        .unwrap();
    c.find(Locator::Css("input[name=doc_number]"))
        .await
        .unwrap()
        .send_keys("乐政发〔2026〕9号")
        .await
        .unwrap();
    set_value(c, "#new-batch input[name=doc_date]", &today).await;
    c.find(Locator::Css("input[name=title]"))
        .await
        .unwrap()
        .send_keys("浏览器测试批次")
        .await
        .unwrap();
    submit(c, "#new-batch button[type=submit]").await;
    let items = c
        .wait()
        .for_element(Locator::Css("#delegate textarea[name=items]"))
        .await
        .unwrap();
    items.send_keys("11371481BRW00001").await.unwrap();
    c.find(Locator::Css("#delegate textarea[name=recipients]"))
        .await
        .unwrap()
        .send_keys("371481B01")
        .await
        .unwrap();
    set_value(c, "#delegate input[name=valid_from]", &today).await;
    submit(c, "#delegate button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css("#delegations td.status-active"))
        .await
        .unwrap();

    // A citizen of a town the branch serves is sent to the branch.
    c.goto(&format!("{}/guide?q=%E6%B5%8F%E8%A7%88%E5%99%A8", s.base))
        .await
        .unwrap();
    submit(c, "#guide-results a").await;
    let title = text(c, Locator::Id("item-name")).await;
    assert_eq!(title, "浏览器测试许可（第二版）");
    click(c, &format!("#where-form option[value='{town}']")).await;
    submit(c, "#where-form button").await;
    let competent = text(c, Locator::Id("competent")).await;
    assert!(
        competent.contains("371481B01")
            && competent.contains(&branch.name)
            && competent.contains("乐政发〔2026〕9号"),
        "{competent}"
    );
    let first = c
        .find(Locator::Css("#places tbody tr.competent"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(first.contains(&branch.name));
    s.c.clone().close().await.unwrap();
}

/// The text of the element once it reads as `expected`; the page may still be loading.
async fn wait_text(c: &Client, css: &str, expected: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if now == expected {
            return;
        }
        if std::time::Instant::now() > deadline {
            let page = c.source().await.unwrap_or_default();
            panic!("{css} reads {now:?}, not {expected:?}, on {page}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Looks the case up on the public tracking page, as its applicant.
async fn track(s: &Session, no: &str, code: &str) {
    let c = &s.c;
    c.goto(&format!("{}/track", s.base)).await.unwrap();
    type_into(c, "#track input[name=tracking_no]", no).await;
    type_into(c, "#track input[name=check_code]", code).await;
    submit(c, "#track button[type=submit]").await;
}

/// The office takes a step from the case page.
async fn office_step(s: &Session, id: &str, action: &str) {
    let c = &s.c;
    c.goto(&format!("{}/cases/{id}", s.base)).await.unwrap();
    // A decision asks to be confirmed: the box is required before the form is sent.
    if let Ok(confirm) = c
        .find(Locator::Css(&format!("#step-{action} input[name=confirm]")))
        .await
    {
        confirm.click().await.unwrap();
    }
    submit(c, &format!("#step-{action} button[type=submit]")).await;
    c.wait().for_element(Locator::Id("saved")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_applies_supplies_and_rates_while_the_branch_decides() {
    let today = "2024-03-01".parse().unwrap();
    let Some(s) = session(Some(today)).await else {
        return;
    };
    let (item, town) = tongquan_store::testing::delegated_item(&s.db.store, "371481B01").await;
    let files = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let path = files.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let c = &s.c;

    // A citizen finds the item in the guide and applies online, with two scans.
    c.goto(&format!("{}/guide/items/{item}", s.base))
        .await
        .unwrap();
    submit(c, "#apply-link").await;
    click(
        c,
        &format!("#apply select[name=town] option[value='{town}']"),
    )
    .await;
    type_into(c, "#apply input[name=applicant_id]", "11010519491231002X").await;
    type_into(c, "#apply input[name=applicant_name]", "浏览器申请人").await;
    type_into(c, "#apply input[name=contact]", "13800000000").await;
    type_into(
        c,
        "#apply input[name=file_0]",
        &file("application.pdf", b"%PDF-1.4 application"),
    )
    .await;
    type_into(
        c,
        "#apply input[name=file_1]",
        &file("licence.png", b"\x89PNG\r\n\x1a\nlicence"),
    )
    .await;
    submit(c, "#apply button[type=submit]").await;
    let no = text(c, Locator::Id("tracking-no")).await;
    let code = text(c, Locator::Id("check-code")).await;
    assert!(no.starts_with("371481B0120240301"), "{no}");

    // The branch clerk asks, once, for the missing floor plan.
    sign_in(&s, "ll.branch1").await;
    c.goto(&format!("{}/cases", s.base)).await.unwrap();
    submit(c, "#queue a[href^='/cases/']").await;
    wait_text(c, "#tracking-no", &no).await;
    let url = c.current_url().await.unwrap();
    let id = url.path().rsplit('/').next().unwrap().to_owned();
    click(c, "#step-request_supplement input[name=m_2]").await;
    type_into(
        c,
        "#step-request_supplement textarea[name=reason]",
        "请补交经营场所平面图",
    )
    .await;
    submit(c, "#step-request_supplement button[type=submit]").await;
    wait_text(c, "#state", "待补正").await;
    submit(c, "form[action='/logout'] button").await;

    // The citizen sees what is asked and hands it in.
    track(&s, &no, &code).await;
    wait_text(c, "#state", "待补正").await;
    type_into(
        c,
        "#supply input[name=file_0]",
        &file("plan.jpg", b"\xFF\xD8\xFFplan"),
    )
    .await;
    submit(c, "#supply button[type=submit]").await;
    c.wait().for_element(Locator::Id("done")).await.unwrap();
    wait_text(c, "#state", "已申请").await;

    // The clerk accepts, reviews, grants and concludes.
    sign_in(&s, "ll.branch1").await;
    for action in ["accept", "review", "grant", "conclude"] {
        office_step(&s, &id, action).await;
    }
    wait_text(c, "#state", "已办结").await;
    submit(c, "form[action='/logout'] button").await;

    // The citizen sees the result and rates the service.
    track(&s, &no, &code).await;
    wait_text(c, "#state", "已办结").await;
    let trail = text(c, Locator::Id("events")).await;
    assert!(
        trail.contains("准予许可") && trail.contains("场所平面图"),
        "{trail}"
    );
    click(c, "#rate input[name=rating][value='5']").await;
    submit(c, "#rate button[type=submit]").await;
    wait_text(c, "#rating", "5").await;
    assert!(c.find(Locator::Id("rate")).await.is_err(), "rated once");
    s.c.clone().close().await.unwrap();
}

/// The issue's lead story: a citizen reports a problem on the public site, it goes to the town
/// team that holds the power, the team leader takes it through its steps, and the citizen sees it
/// closed with what was done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_report_is_routed_handled_and_closed() {
    let Some(s) = session(Some("2024-03-01".parse().unwrap())).await else {
        return;
    };
    tongquan_store::testing::enforcement_fixture(&s.db.store).await;
    let c = &s.c;

    // The citizen reports, without signing in.
    c.goto(&format!("{}/report", s.base)).await.unwrap();
    set_value(c, "#report select[name=domain]", "market").await;
    set_value(c, "#report select[name=town]", "371481104").await;
    type_into(
        c,
        "#report textarea[name=description]",
        "集市东口有人无照销售散装熟食",
    )
    .await;
    type_into(c, "#report input[name=address]", "花园镇集市东口").await;
    set_value(c, "#report select[name=urgency]", "urgent").await;
    submit(c, "#report button[type=submit]").await;
    let id = text(c, Locator::Id("lead-id")).await;
    let code = text(c, Locator::Id("check-code")).await;
    wait_text(c, "#state", "已接收").await;
    let why = text(c, Locator::Id("route-reason")).await;
    assert!(
        why.contains("乐政发〔2023〕88号") && why.contains("乡镇综合执法队"),
        "{why}"
    );

    // The town team leader takes it from the queue to closure.
    sign_in(&s, "ll.team").await;
    c.goto(&format!("{}/enforcement/leads", s.base))
        .await
        .unwrap();
    submit(c, &format!("#leads a[href='/enforcement/leads/{id}']")).await;
    for (step, state) in [("dispatch", "已派遣"), ("arrive", "已到场")] {
        submit(c, &format!("#step-{step}")).await;
        wait_text(c, "#state", state).await;
    }
    type_into(
        c,
        "#lead-step textarea[name=note]",
        "当场劝离，登记摊主信息，责令办理登记",
    )
    .await;
    submit(c, "#step-dispose").await;
    wait_text(c, "#state", "已处置").await;
    submit(c, "#step-close").await;
    wait_text(c, "#state", "已办结").await;
    assert!(
        c.find(Locator::Id("lead-step")).await.is_err(),
        "nothing left to do"
    );
    submit(c, "form[action='/logout'] button").await;

    // The citizen, and any Open311 client, sees it closed with what was done.
    c.goto(&format!("{}/report/{id}", s.base)).await.unwrap();
    type_into(c, "#follow input[name=check_code]", &code).await;
    submit(c, "#follow button[type=submit]").await;
    wait_text(c, "#state", "已办结").await;
    wait_text(c, "#disposal", "当场劝离，登记摊主信息，责令办理登记").await;
    c.goto(&format!("{}/open311/v2/requests/{id}.json", s.base))
        .await
        .unwrap();
    let json = text(c, Locator::Css("body")).await;
    assert!(json.contains(r#""status":"closed""#), "{json}");
    s.c.clone().close().await.unwrap();
}
