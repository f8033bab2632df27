//! The server over real TCP: a client that sends its headers slowly is cut off, and a client's
//! address reaches the throttle.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::TestApp;
use tokio::net::TcpListener;
use tongquan_store::Backend;
use tongquan_store::testing::TestDb;
use tongquan_web::serve::{BODY_TIMEOUT, HEADER_TIMEOUT};

async fn served() -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is embedded");
    let t = TestApp::new(db).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _db = t.db;
        tongquan_web::serve(listener, t.app, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    (addr, stop)
}

/// Reads until the server closes the connection; the time it took and what it sent.
fn until_closed(mut s: TcpStream) -> (Duration, String) {
    let start = Instant::now();
    s.set_read_timeout(Some(HEADER_TIMEOUT * 4)).unwrap();
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    (start.elapsed(), String::from_utf8_lossy(&got).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_is_cut_off_and_a_prompt_one_is_served() {
    let (addr, stop) = served().await;
    let (slow, prompt) = tokio::task::spawn_blocking(move || {
        // Slowloris: a request line and one header, then nothing.
        let mut slow = TcpStream::connect(addr).unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        let mut prompt = TcpStream::connect(addr).unwrap();
        prompt
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        (until_closed(slow), until_closed(prompt))
    })
    .await
    .unwrap();
    assert!(prompt.1.starts_with("HTTP/1.1 200"), "{}", prompt.1);
    assert!(
        slow.0 < HEADER_TIMEOUT + Duration::from_secs(5),
        "a partial request held its connection for {:?}",
        slow.0
    );
    assert!(
        !slow.1.starts_with("HTTP/1.1 200"),
        "the partial request was not served: {}",
        slow.1
    );
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_trickled_in_is_cut_off() {
    let (addr, stop) = served().await;
    let (elapsed, answer) = tokio::task::spawn_blocking(move || {
        // The headers promise 100 bytes of body; one comes, then nothing.
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nu",
        )
        .unwrap();
        // Whatever the server does, answer or hang up, it must not keep waiting.
        let start = Instant::now();
        s.set_read_timeout(Some(BODY_TIMEOUT + Duration::from_secs(10)))
            .unwrap();
        let mut first = [0u8; 64];
        let n = s.read(&mut first).unwrap_or(0);
        (start.elapsed(), String::from_utf8_lossy(&first[..n]).into_owned())
    })
    .await
    .unwrap();
    assert!(
        elapsed < BODY_TIMEOUT + Duration::from_secs(10),
        "a trickled body held its connection for {elapsed:?}"
    );
    assert!(!answer.starts_with("HTTP/1.1 2"), "{answer}");
    let _ = stop.send(());
}
