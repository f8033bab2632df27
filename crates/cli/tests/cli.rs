//! The binary as an operator uses it: demo, serve, users, audit, backup.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use tongquan_store::Backend;
use tongquan_store::testing::TestDb;

fn tongquan(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tongquan"));
    c.args(args)
        .env("RUST_LOG", "warn")
        .env_remove("TONGQUAN_DATA")
        .env_remove("TONGQUAN_DATABASE_URL");
    c
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = tongquan(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A running server and what it printed before it started serving.
struct Server {
    child: Child,
    banner: String,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Self {
        let child = tongquan(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Owned by `Server` from here, so Drop reaps it whatever happens below.
        let mut server = Self {
            child,
            banner: String::new(),
            addr: String::new(),
        };
        let mut out = BufReader::new(server.child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "server exited early: {}",
                server.banner
            );
            server.banner.push_str(&line);
            if let Some(url) = line.trim().strip_prefix("serving:  http://") {
                server.addr = url.to_owned();
                return server;
            }
        }
    }

    fn get(&self, path: &str) -> String {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        reply
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The number of entries `audit verify` finds intact.
fn audit_entries(data: &str) -> u64 {
    let out = run(&["audit", "verify", "--data", data], "");
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    t.split("intact: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{t}"))
}

fn data(dir: &Path) -> String {
    dir.display().to_string()
}

#[test]
fn demo_serves_the_dezhou_data_and_reuses_it_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = data(dir.path());
    let first = Server::start(&[
        "demo",
        "--cases",
        "300",
        "--services",
        "300",
        "--data",
        &d,
        "--addr",
        "127.0.0.1:0",
    ]);
    assert!(
        first.banner.contains("12 counties")
            && first.banner.contains(&format!(
                "{} created",
                tongquan_store::seed::DEMO_ACCOUNTS.len()
            )),
        "{}",
        first.banner
    );
    assert!(
        first.banner.contains("city.admin") && first.banner.contains("tongquan-demo"),
        "prints the demo accounts"
    );
    assert!(first.get("/healthz").starts_with("HTTP/1.1 200"));
    assert!(first.get("/api/v1/counties").contains(r#""total":12"#));
    assert!(
        first.banner.contains("13620"),
        "the demo catalog of 12 counties: {}",
        first.banner
    );
    drop(first);
    let entries = audit_entries(&d);
    assert!(
        entries > 9,
        "the seed, the catalog and 8 accounts are audited: {entries}"
    );

    let again = Server::start(&[
        "demo",
        "--cases",
        "300",
        "--services",
        "300",
        "--data",
        &d,
        "--addr",
        "127.0.0.1:0",
    ]);
    assert!(again.banner.contains("0 created"), "{}", again.banner);
    assert!(
        again
            .get("/api/v1/towns?per_page=1")
            .contains(r#""total":135"#),
        "no duplicate rows"
    );
    assert!(
        again.banner.contains("reusing the existing demo catalog"),
        "{}",
        again.banner
    );
    drop(again);
    assert_eq!(audit_entries(&d), entries, "a rerun writes nothing");

    let fresh = Server::start(&[
        "demo",
        "--cases",
        "300",
        "--services",
        "300",
        "--data",
        &d,
        "--addr",
        "127.0.0.1:0",
        "--fresh",
    ]);
    let created = format!("{} created", tongquan_store::seed::DEMO_ACCOUNTS.len());
    assert!(fresh.banner.contains(&created), "{}", fresh.banner);
}

fn sqlite_exec(db: &Path, sql: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut c)
            .await
            .unwrap();
    });
}

#[test]
fn audit_verify_names_the_first_tampered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let d = data(dir.path());
    drop(Server::start(&[
        "demo",
        "--cases",
        "300",
        "--services",
        "300",
        "--data",
        &d,
        "--addr",
        "127.0.0.1:0",
    ]));
    let ok = run(&["audit", "verify", "--data", &d], "");
    assert!(ok.status.success(), "{}", text(&ok));
    sqlite_exec(
        &dir.path().join("tongquan.db"),
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 4",
    );
    let bad = run(&["audit", "verify", "--data", &d], "");
    assert_eq!(bad.status.code(), Some(1));
    let out = text(&bad);
    assert!(out.contains("entry 4") && out.contains("第 4 条"), "{out}");
}

#[test]
fn users_are_managed_from_the_command_line_and_bad_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = data(dir.path());
    let add = |role: &str, jurisdiction: &str, password: &str| {
        run(
            &[
                "user",
                "add",
                "ll.window",
                "--role",
                role,
                "--jurisdiction",
                jurisdiction,
                "--name",
                "窗口",
                "--password-stdin",
                "--data",
                &d,
            ],
            password,
        )
    };
    let bad_role = add("boss", "371481B01", "long enough pw\n");
    assert!(!bad_role.status.success());
    assert!(
        text(&bad_role).contains("role") && text(&bad_role).contains("角色"),
        "{}",
        text(&bad_role)
    );
    let bad_place = add("branch_clerk", "371481B77", "long enough pw\n");
    assert!(
        !bad_place.status.success() && text(&bad_place).contains("does not exist"),
        "{}",
        text(&bad_place)
    );
    let short = add("branch_clerk", "371481B01", "short\n");
    assert!(!short.status.success() && text(&short).contains("10 to 128"));
    let made = add("branch_clerk", "371481B01", "long enough pw\n");
    assert!(made.status.success(), "{}", text(&made));
    assert!(
        !add("branch_clerk", "371481B01", "long enough pw\n")
            .status
            .success(),
        "usernames are unique"
    );
    let token = run(
        &["user", "token", "ll.window", "--name", "报表", "--data", &d],
        "",
    );
    let token = String::from_utf8(token.stdout).unwrap();
    assert!(
        token.trim().starts_with("tq_") && token.trim().len() > 60,
        "{token}"
    );
    let server = Server::start(&["serve", "--data", &d, "--addr", "127.0.0.1:0"]);
    let me = {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        write!(s, "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n", token.trim()).unwrap();
        let mut r = String::new();
        s.read_to_string(&mut r).unwrap();
        r
    };
    assert!(me.contains(r#""username":"ll.window""#), "{me}");
    drop(server);
    assert!(
        run(
            &[
                "user",
                "passwd",
                "ll.window",
                "--password-stdin",
                "--data",
                &d
            ],
            "another long pw\n"
        )
        .status
        .success()
    );
    assert!(
        run(&["user", "disable", "ll.window", "--data", &d], "")
            .status
            .success()
    );
    let gone = run(&["user", "disable", "nobody.here", "--data", &d], "");
    assert!(!gone.status.success() && text(&gone).contains("not found"));
    assert!(run(&["audit", "verify", "--data", &d], "").status.success());
}

#[test]
fn backup_makes_a_consistent_copy_that_can_be_restored() {
    let dir = tempfile::tempdir().unwrap();
    let d = data(dir.path());
    let server = Server::start(&[
        "demo",
        "--cases",
        "300",
        "--services",
        "300",
        "--data",
        &d,
        "--addr",
        "127.0.0.1:0",
    ]);
    let copy = dir.path().join("backup.db");
    let done = run(
        &["backup", "--data", &d, "--to", &copy.display().to_string()],
        "",
    );
    assert!(done.status.success(), "{}", text(&done));
    drop(server);
    let again = run(
        &["backup", "--data", &d, "--to", &copy.display().to_string()],
        "",
    );
    assert!(!again.status.success() && text(&again).contains("already exists"));
    // Restoring is copying the file into a data directory.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&copy, restored.path().join("tongquan.db")).unwrap();
    assert_eq!(
        audit_entries(&data(restored.path())),
        audit_entries(&d),
        "the copy holds the whole trail"
    );
}

#[test]
fn serve_runs_the_same_product_on_postgresql() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = rt.block_on(TestDb::new(Backend::Postgres)) else {
        return;
    };
    let server = Server::start(&["serve", "--database", &db.url, "--addr", "127.0.0.1:0"]);
    assert!(server.banner.contains("(PostgreSQL)"), "{}", server.banner);
    assert!(
        server
            .get("/api/v1/towns?county=371481")
            .contains(r#""total":16"#)
    );
    assert!(server.get("/map").contains("<svg"));
    drop(server);
    let verify = run(&["audit", "verify", "--database", &db.url], "");
    assert!(verify.status.success(), "{}", text(&verify));
    rt.block_on(async move { drop(db) });
}

fn orlib(rel: &str) -> String {
    format!("{}/../../data/orlib/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn plan_solve_prints_one_json_object_with_its_proof() {
    let out = run(
        &[
            "plan",
            "solve",
            "--format",
            "pmed",
            &orlib("pmedian/pmed1.txt"),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(
        (
            report["objective"].as_f64(),
            report["bound"].as_f64(),
            report["optimal"].as_bool()
        ),
        (Some(5819.0), Some(5819.0), Some(true))
    );
    assert!(report["seconds"].as_f64().unwrap() >= 0.0);
    let cap = run(
        &[
            "plan",
            "solve",
            "--format",
            "cap",
            &orlib("cfl/cap71.txt"),
            "--time-limit",
            "30",
        ],
        "",
    );
    let cap: serde_json::Value = serde_json::from_slice(&cap.stdout).unwrap();
    assert!((cap["objective"].as_f64().unwrap() - 932615.75).abs() < 0.01);

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.txt");
    std::fs::write(&broken, "10 20 3\n1 2 x\n").unwrap();
    let bad = run(
        &[
            "plan",
            "solve",
            "--format",
            "pmed",
            &broken.display().to_string(),
        ],
        "",
    );
    assert!(
        !bad.status.success()
            && text(&bad).contains("line 2")
            && text(&bad).contains("plan.malformed_instance"),
        "{}",
        text(&bad)
    );
    let unknown = run(
        &[
            "plan",
            "solve",
            "--format",
            "tsp",
            &broken.display().to_string(),
        ],
        "",
    );
    assert!(!unknown.status.success() && text(&unknown).contains("pmed, cap, scp"));
    let missing = run(
        &["plan", "solve", "--format", "pmed", "/nonexistent/pmed.txt"],
        "",
    );
    assert!(!missing.status.success() && text(&missing).contains("/nonexistent/pmed.txt"));
    assert!(
        bad.stdout.is_empty(),
        "nothing on stdout when there is no answer"
    );
}

#[test]
fn plan_routes_prints_feasible_solomon_routes() {
    let file = format!(
        "{}/../../data/vrptw/solomon/C101.vrp",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = run(
        &[
            "plan",
            "routes",
            "--format",
            "solomon",
            &file,
            "--time-limit",
            "1",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(report["feasible"].as_bool(), Some(true), "{report}");
    let cost = report["cost"].as_f64().unwrap();
    // The optimum is 827.3; a second of search in a debug build gets close.
    assert!((827.3..=827.3 * 1.05).contains(&cost), "{cost}");
    let mut clients: Vec<u64> = report["routes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|c| c.as_u64().unwrap()))
        .collect();
    clients.sort_unstable();
    assert_eq!(clients, (1..=100).collect::<Vec<u64>>());
    assert!(report["seconds"].as_f64().unwrap() >= 0.0);

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.vrp");
    std::fs::write(
        &broken,
        "NAME : X\nDIMENSION : 3\nNODE_COORD_SECTION\n1 0 zero\n",
    )
    .unwrap();
    let broken = broken.display().to_string();
    let bad = run(&["plan", "routes", "--format", "solomon", &broken], "");
    assert!(
        !bad.status.success()
            && text(&bad).contains("line 4")
            && text(&bad).contains("plan.malformed_instance")
            && bad.stdout.is_empty(),
        "{}",
        text(&bad)
    );
    let unknown = run(&["plan", "routes", "--format", "tsp", &broken], "");
    assert!(!unknown.status.success() && text(&unknown).contains("one of solomon"));
}

#[test]
fn plan_coverage_writes_json_csv_xlsx_and_a_map() {
    let dir = tempfile::tempdir().unwrap();
    let d = data(dir.path());
    let out_dir = dir.path().join("out");
    let out = run(
        &[
            "plan",
            "coverage",
            "--data",
            &d,
            "--city",
            "--radius",
            "10",
            "--capacity",
            "2..5",
            "--out",
            &out_dir.display().to_string(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(
        printed.contains("58.6%") && printed.contains("7 towns have no coordinates"),
        "{printed}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("coverage.json")).unwrap())
            .unwrap();
    assert_eq!(report["counties"].as_array().unwrap().len(), 12);
    assert_eq!(report["excluded"].as_array().unwrap().len(), 7);
    let proposal = report["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["scenario"] == "proposal")
        .unwrap();
    assert_eq!(proposal["beyond_10"], 0);
    let csv = std::fs::read_to_string(out_dir.join("coverage-towns.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 135,
        "a row per town, with or without coordinates"
    );
    assert_eq!(
        &std::fs::read(out_dir.join("coverage.xlsx")).unwrap()[..2],
        b"PK"
    );
    let svg = std::fs::read_to_string(out_dir.join("coverage.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<style>") && svg.contains(r#"class="branch"#));

    let bad = run(
        &[
            "plan",
            "coverage",
            "--data",
            &d,
            "--city",
            "--capacity",
            "5..2",
        ],
        "",
    );
    assert!(
        !bad.status.success() && text(&bad).contains("capacity"),
        "{}",
        text(&bad)
    );
    let bad = run(
        &["plan", "coverage", "--data", &d, "--county", "371499"],
        "",
    );
    assert!(
        !bad.status.success() && text(&bad).contains("371499"),
        "{}",
        text(&bad)
    );
    let bad = run(
        &["plan", "coverage", "--data", &d, "--city", "--radius=-3"],
        "",
    );
    assert!(
        !bad.status.success() && text(&bad).contains("radius"),
        "{}",
        text(&bad)
    );
}

#[test]
fn calendar_due_prints_the_date_and_marks_provisional_years() {
    let o = run(
        &["calendar", "due", "--from", "2024-09-26", "--days", "5"],
        "",
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "2024-10-09\n");
    assert!(text(&o).contains("国庆节"), "{}", text(&o));
    assert!(!text(&o).contains("provisional"), "{}", text(&o));
    // 2027 has no official arrangement yet: counted on its statutory days, and said so.
    let o = run(
        &["calendar", "due", "--from", "2026-12-20", "--days", "20"],
        "",
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "2027-01-18\n");
    assert!(
        text(&o).contains("暂定 / provisional: 2027 arrangement not yet published"),
        "{}",
        text(&o)
    );
    // Beyond the years the rules describe: an error, no guessed date.
    let o = run(
        &["calendar", "due", "--from", "2100-12-20", "--days", "20"],
        "",
    );
    assert!(!o.status.success());
    assert!(o.stdout.is_empty(), "no guessed date");

    // The official arrangement imported into a database replaces the provisional year there.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2027.csv");
    std::fs::write(
        &file,
        "date,name,is_off_day\n2027-01-01,元旦,true\n2027-01-04,元旦,true\n",
    )
    .unwrap();
    let data = data(dir.path());
    // A row of another year than the file claims is refused, naming its line.
    let o = run(
        &[
            "calendar",
            "import",
            file.to_str().unwrap(),
            "--year",
            "2028",
            "--data",
            &data,
        ],
        "",
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("line 2"), "{}", text(&o));
    let o = run(
        &[
            "calendar",
            "import",
            file.to_str().unwrap(),
            "--year",
            "2027",
            "--data",
            &data,
        ],
        "",
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("added 2"), "{}", text(&o));
    let o = run(
        &[
            "calendar",
            "due",
            "--from",
            "2026-12-30",
            "--days",
            "2",
            "--data",
            &data,
        ],
        "",
    );
    assert!(o.status.success(), "{}", text(&o));
    // Dec 31 (Thu), then Jan 1 and Jan 4 are off: Jan 5 (Tue), and no longer provisional.
    assert_eq!(String::from_utf8_lossy(&o.stdout), "2027-01-05\n");
    assert!(!text(&o).contains("provisional"), "{}", text(&o));
    // Importing a different 2027 file now needs a reason.
    std::fs::write(&file, "date,name,is_off_day\n2027-01-01,元旦,true\n").unwrap();
    let o = run(
        &[
            "calendar",
            "import",
            file.to_str().unwrap(),
            "--data",
            &data,
        ],
        "",
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("--replace"), "{}", text(&o));
}

#[test]
fn draw_verify_recomputes_a_published_draw_and_catches_tampering() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (unrevealed, revealed) = rt.block_on(async {
        let db = TestDb::new(Backend::Sqlite).await.unwrap();
        let f = tongquan_store::testing::enforcement_fixture(&db.store).await;
        let system = tongquan_domain::access::Actor::System("test");
        let new = || tongquan_store::enforcement::draws::NewDraw {
            department: f.department.clone(),
            title: "抽查".into(),
            draw_on: "2026-06-01".parse().unwrap(),
            spec: tongquan_plan::DrawSpec {
                quota: tongquan_plan::Quota::Count { count: 1 },
                stratified: false,
                team: 2,
            },
            town: None,
        };
        let first = db.store.commit_draw(&system, new()).await.unwrap();
        let second = db.store.commit_draw(&system, new()).await.unwrap();
        db.store.reveal_draw(&system, second.id).await.unwrap();
        (
            db.store.draw_document(first.id).await.unwrap(),
            db.store.draw_document(second.id).await.unwrap(),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, doc: &serde_json::Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, doc.to_string()).unwrap();
        p.display().to_string()
    };
    let good = serde_json::to_value(&revealed).unwrap();
    let out = tongquan(&["draw", "verify", &write("good.json", &good)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("verified"));

    let mut tampered = good.clone();
    tampered["inputs"]["objects"][0]["grade"] = serde_json::json!("A");
    let out = tongquan(&["draw", "verify", &write("bad.json", &tampered)])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("plan.inputs_changed"));

    let pending = serde_json::to_value(&unrevealed).unwrap();
    let out = tongquan(&["draw", "verify", &write("pending.json", &pending)])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not revealed"));
}
