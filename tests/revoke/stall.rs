//! `leakguard serve` against stalled clients (issue 9): a client that stops mid-headers or
//! mid-body is dropped after the configured timeout, SIGTERM ends the process within the
//! shutdown grace even while such a client is connected, and "listening" is printed only once
//! the configuration has proven valid.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::harness::*;

const T: &str = "gitleaks_rule_id_github_personal_access_token";

/// Connects to `url` (`http://ADDR`), sends `bytes` and stalls; returns the stream.
fn stall(url: &str, bytes: &[u8]) -> TcpStream {
    let addr = url.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(bytes).expect("send");
    s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    s
}

/// Reads until the server closes the connection; returns how long that took and what it sent.
fn until_closed(mut s: TcpStream, since: Instant) -> (Duration, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                panic!("connection still open after {:?}", since.elapsed())
            }
            Err(_) => break, // reset counts as closed
        }
    }
    (since.elapsed(), String::from_utf8_lossy(&got).into_owned())
}

fn config(w: &World, http: &str) -> std::path::PathBuf {
    w.service_config("svc", 0, &[(&[T], "http://127.0.0.1:9/revoke")], http)
}

#[test]
fn stalled_clients_are_dropped_after_the_read_timeouts() {
    let mut w = World::new();
    w.secrets.push(ghp());
    let cfg = config(&w, "[http]\nheader_read_timeout_ms = 1000\nbody_read_timeout_ms = 1000\n");
    let (mut svc, url) = w.serve(&cfg);
    let start = Instant::now();
    let half_headers = stall(&url, b"POST /v1/revoke_tokens HTTP/1.1\r\nHost: x\r\nContent-Le");
    let half_body = stall(
        &url,
        format!(
            "POST /v1/revoke_tokens HTTP/1.1\r\nHost: x\r\nAuthorization: {SERVICE_TOKEN}\r\n\
             Content-Type: application/json\r\nContent-Length: 200\r\n\r\n[{{\"type\":"
        )
        .as_bytes(),
    );
    let idle = stall(&url, b"");
    let (t, _) = until_closed(half_headers, start);
    assert!(t >= Duration::from_millis(800) && t < Duration::from_secs(5), "mid-headers: {t:?}");
    let (t, resp) = until_closed(half_body, start);
    assert!(t >= Duration::from_millis(800) && t < Duration::from_secs(5), "mid-body: {t:?}");
    assert!(resp.starts_with("HTTP/1.1 408"), "mid-body answer: {resp:?}");
    let (t, _) = until_closed(idle, start);
    assert!(t < Duration::from_secs(5), "idle connection: {t:?}");
    // the service still works and nothing was enqueued
    assert_eq!(http("GET", &format!("{url}/healthz"), None, None).0, 200);
    assert_eq!(status(&w, &cfg)["outbox"]["pending"], 0);
    assert!(svc.term().success());
    w.assert_no_leaks(&[]);
}

#[test]
fn sigterm_completes_within_the_grace_while_a_client_stalls() {
    let mut w = World::new();
    let tok = ghp();
    w.secrets.push(tok.clone());
    // read timeouts far longer than the grace: only the shutdown bound can end this
    let cfg = config(
        &w,
        "[http]\nheader_read_timeout_ms = 60000\nbody_read_timeout_ms = 60000\n\
         shutdown_grace_ms = 1500\n",
    );
    let (mut svc, url) = w.serve(&cfg);
    let mid_body = stall(
        &url,
        format!(
            "POST /v1/revoke_tokens HTTP/1.1\r\nHost: x\r\nAuthorization: {SERVICE_TOKEN}\r\n\
             Content-Length: 500\r\n\r\n[{{\"type\":\"{T}\",\"token\":\"{tok}\""
        )
        .as_bytes(),
    );
    let mid_headers = stall(&url, b"GET /healthz HTTP/1.1\r\nHo");
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let status_code = svc.term();
    let took = start.elapsed();
    assert!(status_code.success(), "exit status {status_code:?}");
    assert!(took < Duration::from_millis(1500 + 2500), "shutdown took {took:?}");
    assert!(took >= Duration::from_millis(1200), "the grace was not honoured: {took:?}");
    assert!(svc.stderr().contains("shutdown grace"), "{}", svc.stderr());
    drop((mid_body, mid_headers));
    let st = status(&w, &cfg);
    assert_eq!(st["outbox"]["pending"], 0, "an unfinished request is not enqueued");
    w.assert_no_leaks(&[]);
}

#[test]
fn listening_is_printed_only_with_a_valid_configuration() {
    let mut w = World::new();
    w.secrets.push(ghp());
    // the token file does not exist: the config parses, but the service cannot start
    let cfg = config(&w, "");
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("auth_token_file = \"service-token.txt\"", "auth_token_file = \"missing.txt\"");
    std::fs::write(&cfg, text).unwrap();
    let out = w.run("serve-bad-token", &["serve", "--config", cfg.to_str().unwrap()], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!err.contains("listening"), "{err}");
    assert!(err.contains("missing.txt"), "{err}");
    // the state directory cannot be created: no outbox, no keys
    let cfg = config(&w, "");
    std::fs::write(w.path("svc-state"), "a file, not a directory").unwrap();
    let out = w.run("serve-bad-state", &["serve", "--config", cfg.to_str().unwrap()], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!err.contains("listening"), "{err}");
    w.assert_no_leaks(&[]);
}
