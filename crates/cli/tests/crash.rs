//! Acknowledged writes survive `kill -9`: citizens apply online at full speed while the server is
//! killed with SIGKILL, five times over; every application the server answered 201 to must be
//! there after the restart, and the audit chain must stay intact.
//!
//! Runs on the embedded SQLite database and, where `TONGQUAN_TEST_PG` (or the default test
//! server) answers, on PostgreSQL; with `TONGQUAN_REQUIRE_ALL=1` PostgreSQL must answer.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tongquan_store::testing::{TestDb, delegated_item};
use tongquan_store::{Backend, Store};

/// Pinned so that nothing depends on the day the test runs.
const TODAY: &str = "2026-11-25";
const ROUNDS: usize = 5;
const CLIENTS: usize = 8;
/// The branch the test item is handed to; applications are routed there.
const BRANCH: &str = "371481B01";

fn tongquan(args: &[String]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tongquan"));
    c.args(args)
        .env("RUST_LOG", "warn")
        .env("TONGQUAN_TODAY", TODAY)
        .env_remove("TONGQUAN_DATA")
        .env_remove("TONGQUAN_DATABASE_URL")
        .env_remove("TONGQUAN_ADDR")
        .env_remove("TONGQUAN_CONFIG");
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The server process; its stdout and stderr go to a log file, read for the listening address.
struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Server {
    fn start(at: &[String], log: PathBuf) -> Self {
        let file = File::create(&log).unwrap();
        let mut args: Vec<String> = vec!["serve".into()];
        args.extend_from_slice(at);
        args.extend(["--addr".into(), "127.0.0.1:0".into()]);
        let child = tongquan(&args)
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        // Owned by `Server` from here, so Drop reaps it whatever happens below.
        let mut server = Self {
            child,
            addr: String::new(),
            log,
        };
        let started = Instant::now();
        loop {
            let out = server.output();
            if let Some(addr) = out
                .lines()
                .find_map(|l| l.trim().strip_prefix("serving:  http://"))
            {
                server.addr = addr.trim().to_owned();
                break;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("server exited early ({status}):\n{out}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "server did not start:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        loop {
            if matches!(request(&server.addr, "GET", "/healthz", None), Ok((200, _))) {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "/healthz never answered 200:\n{}",
                server.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown, no flush, no goodbye.
    fn kill_9(&mut self) {
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        assert!(!status.success(), "killed, not exited: {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange on its own connection: the status and the body.
fn request(
    addr: &str,
    method: &str,
    path: &str,
    json: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    s.set_write_timeout(Some(Duration::from_secs(30)))?;
    let body = json.unwrap_or("");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if json.is_some() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes())?;
    s.write_all(body.as_bytes())?;
    let mut reply = Vec::new();
    s.read_to_end(&mut reply)?;
    let cut = |what: &str| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, what.to_owned());
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| cut("no complete head"))?;
    let head = String::from_utf8_lossy(&reply[..split]).to_ascii_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| cut("no status"))?;
    let mut body = reply[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = unchunk(&body).ok_or_else(|| cut("incomplete chunked body"))?;
    } else if let Some(len) = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse::<usize>().ok())
        && body.len() < len
    {
        return Err(cut("body shorter than its content-length"));
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

fn unchunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line = rest.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&rest[..line]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// What the server promised: the receipt of an application it answered 201 to.
#[derive(Clone, Debug)]
struct Ack {
    id: i64,
    tracking_no: String,
    check_code: String,
    applicant_name: String,
}

/// What happened to the submissions of one round.
#[derive(Default)]
struct Tally {
    acked: Mutex<Vec<Ack>>,
    /// Requests in flight when the kill landed: no complete answer, so nothing was promised.
    cut: AtomicUsize,
    /// Complete answers other than 201, with the first of them.
    refused: AtomicUsize,
    first_refusal: Mutex<Option<String>>,
}

fn application(item: i64, town: &str, name: &str) -> String {
    serde_json::json!({
        "item_id": item,
        "town": town,
        "applicant_kind": "person",
        "applicant_id": "11010519491231002X",
        "applicant_name": name,
        "contact": "13900000000",
        "channel": "online",
        "materials": ["申请书", "营业执照"],
    })
    .to_string()
}

/// One round: CLIENTS threads apply in a loop until the server is killed under them.
fn round(server: &mut Server, round: usize, item: i64, town: &str) -> Tally {
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let seq = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (tally, stop, seq) = (tally.clone(), stop.clone(), seq.clone());
            let (addr, town) = (server.addr.clone(), town.to_owned());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let name = format!("压测 第{round}轮 {}", seq.fetch_add(1, Ordering::SeqCst));
                    let body = application(item, &town, &name);
                    match request(&addr, "POST", "/api/v1/cases", Some(&body)) {
                        Ok((201, body)) => {
                            let r: serde_json::Value =
                                serde_json::from_str(&body).unwrap_or_else(|e| {
                                    panic!("a 201 with a bad receipt ({e}): {body}")
                                });
                            tally.acked.lock().unwrap().push(Ack {
                                id: r["id"].as_i64().expect("receipt id"),
                                tracking_no: r["tracking_no"].as_str().unwrap().to_owned(),
                                check_code: r["check_code"].as_str().unwrap().to_owned(),
                                applicant_name: name,
                            });
                        }
                        Ok((status, body)) => {
                            tally.refused.fetch_add(1, Ordering::SeqCst);
                            tally
                                .first_refusal
                                .lock()
                                .unwrap()
                                .get_or_insert(format!("{status} {body}"));
                        }
                        Err(_) => {
                            tally.cut.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            })
        })
        .collect();
    // Let writes get going, then kill at a different moment each round.
    let started = Instant::now();
    while tally.acked.lock().unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no application acknowledged in round {round}: {:?}\n{}",
            tally.first_refusal.lock().unwrap(),
            server.output()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(500 + 170 * round as u64));
    // No new request starts from here; the ones already sent are in flight when the kill lands.
    stop.store(true, Ordering::SeqCst);
    server.kill_9();
    for c in clients {
        c.join().expect("client thread");
    }
    Arc::into_inner(tally).expect("clients are done")
}

/// Every acknowledged case is there: found by its tracking number and check code, as submitted.
/// Returns how many were found; panics naming the first missing one.
fn check_present(server: &Server, acks: &[Ack]) -> usize {
    let found = AtomicUsize::new(0);
    let missing = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for chunk in acks.chunks(acks.len().div_ceil(CLIENTS).max(1)) {
            let (found, missing) = (&found, &missing);
            s.spawn(move || {
                for a in chunk {
                    let path = format!("/api/v1/track/{}?code={}", a.tracking_no, a.check_code);
                    let (status, body) = request(&server.addr, "GET", &path, None)
                        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
                    let case: serde_json::Value =
                        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
                    if status == 200
                        && case["id"].as_i64() == Some(a.id)
                        && case["tracking_no"] == a.tracking_no.as_str()
                        && case["applicant_name"] == a.applicant_name.as_str()
                        && case["state"] == "submitted"
                    {
                        found.fetch_add(1, Ordering::SeqCst);
                    } else {
                        missing
                            .lock()
                            .unwrap()
                            .push(format!("{a:?}: {status} {body}"));
                    }
                }
            });
        }
    });
    let missing = missing.into_inner().unwrap();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged applications lost after kill -9; the first: {}",
        missing.len(),
        acks.len(),
        missing[0]
    );
    found.into_inner()
}

fn audit_verify(at: &[String]) {
    let mut args: Vec<String> = vec!["audit".into(), "verify".into()];
    args.extend_from_slice(at);
    let out = tongquan(&args).output().unwrap();
    assert!(
        out.status.success(),
        "audit verify after kill -9: {}",
        text(&out)
    );
}

/// The whole story on one database, `at` naming it (`--data DIR` or `--database URL`).
fn crash_rounds(label: &str, at: &[String], logs: &Path, item: i64, town: &str) {
    let began = Instant::now();
    let mut all: Vec<Ack> = Vec::new();
    let mut cut_total = 0;
    let mut server = Server::start(at, logs.join("server-0.log"));
    for r in 1..=ROUNDS {
        let t = round(&mut server, r, item, town);
        let acked = t.acked.into_inner().unwrap();
        let refused = t.refused.into_inner();
        assert_eq!(
            refused,
            0,
            "{label} round {r}: the server refused applications it should take: {:?}",
            t.first_refusal.into_inner().unwrap()
        );
        audit_verify(at);
        server = Server::start(at, logs.join(format!("server-{r}.log")));
        let found = check_present(&server, &acked);
        let cut = t.cut.into_inner();
        cut_total += cut;
        eprintln!(
            "{label} round {r}: {} acknowledged, {found} found after restart, {cut} in flight cut by the kill",
            acked.len(),
        );
        all.extend(acked);
    }
    let ids: HashSet<i64> = all.iter().map(|a| a.id).collect();
    let numbers: HashSet<&str> = all.iter().map(|a| a.tracking_no.as_str()).collect();
    assert!(
        ids.len() == all.len() && numbers.len() == all.len(),
        "{label}: an id or tracking number was handed out twice across restarts"
    );
    assert!(
        cut_total > 0,
        "{label}: no request was in flight at any kill, so nothing was tested"
    );
    let found = check_present(&server, &all);
    drop(server);
    audit_verify(at);
    eprintln!(
        "{label}: {} acknowledged over {ROUNDS} kills, all {found} present, audit chain intact ({:.1} s)",
        all.len(),
        began.elapsed().as_secs_f64()
    );
}

/// The reference geography and one online-applicable item handed to BRANCH.
async fn seed(store: &Store) -> (i64, String) {
    tongquan_store::seed::load_reference(store)
        .await
        .expect("reference data loads");
    let (item, town) = delegated_item(store, BRANCH).await;
    (item, town.as_str().to_owned())
}

#[test]
fn acknowledged_applications_survive_kill_9_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let (item, town) = runtime().block_on(async {
        let store = Store::open_sqlite(&dir.path().join("tongquan.db"))
            .await
            .unwrap();
        let seeded = seed(&store).await;
        store.close().await;
        seeded
    });
    let at = ["--data".to_owned(), dir.path().display().to_string()];
    crash_rounds("SQLite", &at, dir.path(), item, &town);
}

#[test]
fn acknowledged_applications_survive_kill_9_on_postgresql() {
    let rt = runtime();
    let Some(db) = rt.block_on(TestDb::new(Backend::Postgres)) else {
        return;
    };
    let (item, town) = rt.block_on(async {
        let (item, town) = delegated_item(&db.store, BRANCH).await;
        db.store.close().await;
        (item, town.as_str().to_owned())
    });
    let logs = tempfile::tempdir().unwrap();
    let at = ["--database".to_owned(), db.url.clone()];
    crash_rounds("PostgreSQL", &at, logs.path(), item, &town);
    rt.block_on(async move { drop(db) });
}
