//! `leakguard revoke`: status handling against a scripted Token Revocation API, batching, and
//! crash safety (SIGKILL between enqueue and send, then `--resume`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::harness::*;

const GH: &str = "gitleaks_rule_id_github_personal_access_token";

fn jsonl_report(w: &World, name: &str, tokens: &[String]) {
    let mut s = String::new();
    for (i, t) in tokens.iter().enumerate() {
        s.push_str(&serde_json::json!({"rule_id": "github_personal_access_token", "secret": t, "path": format!("app/f{i}.env"), "start_line": 1, "confidence": "high"}).to_string());
        s.push('\n');
    }
    std::fs::write(w.path(name), s).unwrap();
}

/// A Token Revocation API whose POST answers follow `script` (then 204 forever).
fn api(script: Vec<Reply>) -> FakeServer {
    api_on(0, script)
}

fn api_on(port: u16, script: Vec<Reply>) -> FakeServer {
    let n = Arc::new(AtomicUsize::new(0));
    FakeServer::start(port, move |s| {
        if s.method == "GET" && s.path == "/v1/revocable_token_types" {
            return (
                200,
                vec![("content-type", "application/json".into())],
                format!(r#"{{"types":["{GH}"]}}"#),
            );
        }
        assert_eq!((s.method.as_str(), s.path.as_str()), ("POST", "/v1/revoke_tokens"));
        script.get(n.fetch_add(1, Ordering::SeqCst)).cloned().unwrap_or((
            204,
            vec![],
            String::new(),
        ))
    })
}

fn revoke(w: &World, name: &str, api: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "revoke",
        "--api",
        api,
        "--token-file",
        "service-token.txt",
        "--outbox",
        "client.sqlite",
        "--backoff-base-ms",
        "10",
        "--backoff-max-ms",
        "50",
    ];
    args.extend_from_slice(extra);
    let out = w.run(name, &args, &[]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn posts(f: &FakeServer) -> Vec<Seen> {
    f.seen().into_iter().filter(|s| s.method == "POST").collect()
}

#[test]
fn retries_429_and_5xx_honouring_retry_after_but_never_400() {
    let mut w = World::new();
    let toks: Vec<String> = (0..3).map(|_| ghp()).collect();
    w.secrets.extend(toks.iter().cloned());
    jsonl_report(&w, "a.jsonl", &toks[..1]);
    jsonl_report(&w, "b.jsonl", &toks[1..2]);
    jsonl_report(&w, "c.jsonl", &toks[2..3]);

    // 429 (Retry-After: 1), 503, then 204
    let f = api(vec![
        (429, vec![("retry-after", "1".into())], String::new()),
        (503, vec![], String::new()),
    ]);
    let (code, out, err) = revoke(&w, "retry", &f.url, &["--report", "a.jsonl"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("sent 1, accepted 1, rejected 0, pending 0"), "{out}");
    let p = posts(&f);
    assert_eq!(p.len(), 3);
    assert!(p[1].at - p[0].at >= Duration::from_millis(950), "Retry-After honoured");
    assert_eq!(p[0].headers["authorization"], SERVICE_TOKEN, "verbatim, no Bearer");
    let body: Value = serde_json::from_slice(&p[2].body).unwrap();
    assert_eq!(body[0]["type"], GH);
    assert_eq!(body[0]["location"], "app/f0.env");
    assert_eq!(body.as_array().unwrap().len(), 1);

    // 400: permanent, recorded, never retried (not even by a later run)
    let f = api(vec![(400, vec![], r#"{"error":"bad"}"#.into())]);
    let (code, out, _) = revoke(&w, "reject", &f.url, &["--report", "b.jsonl"]);
    assert_eq!(code, 1);
    assert!(out.contains("sent 1, accepted 0, rejected 1, pending 0"), "{out}");
    let (_, out, _) = revoke(&w, "reject-again", &f.url, &["--report", "b.jsonl"]);
    assert!(out.contains("sent 0"), "{out}");
    assert_eq!(posts(&f).len(), 1);

    // 401: stop with a clear message, keep the row pending
    let f = api(vec![(401, vec![], String::new())]);
    let (code, _, err) = revoke(&w, "unauthorized", &f.url, &["--report", "c.jsonl"]);
    assert_eq!(code, 2);
    assert!(err.contains("refused our token") && err.contains("--resume"), "{err}");
    // API unreachable: network errors are retried up to the limit, then left pending
    let url = f.url.clone();
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    drop(f);
    let (code, out, _) = revoke(&w, "unreachable", &url, &["--resume", "--max-attempts", "2"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("pending 1") && out.contains("gave up after 2 attempts"), "{out}");
    // the API answers again: --resume delivers
    let f = api_on(port, vec![]);
    let (code, out, _) = revoke(&w, "resume", &f.url, &["--resume"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("accepted 1") && out.contains("pending 0"), "{out}");

    let ob = leakguard::revoke::outbox::Outbox::open(&w.path("client.sqlite")).unwrap();
    assert_eq!(ob.tokens_held().unwrap(), 0, "done and failed rows hold no token");
    w.assert_no_leaks(&[]);
}

#[test]
fn batches_hold_at_most_100_tokens() {
    let mut w = World::new();
    let toks: Vec<String> = (0..150).map(|_| ghp()).collect();
    w.secrets.extend(toks.iter().cloned());
    jsonl_report(&w, "r.jsonl", &toks);
    let f = api(vec![]);
    let (code, out, _) = revoke(&w, "batches", &f.url, &["--report", "r.jsonl"]);
    assert_eq!(code, 0);
    assert!(out.contains("sent 150, accepted 150"), "{out}");
    let sizes: Vec<usize> = posts(&f)
        .iter()
        .map(|p| serde_json::from_slice::<Value>(&p.body).unwrap().as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![100, 50]);
    w.assert_no_leaks(&[]);
}

#[test]
fn client_killed_between_enqueue_and_send_then_resume_delivers() {
    let mut w = World::new();
    let toks: Vec<String> = (0..3).map(|_| ghp()).collect();
    w.secrets.extend(toks.iter().cloned());
    jsonl_report(&w, "r.jsonl", &toks);
    let port = free_port();
    let svc_url = format!("http://127.0.0.1:{port}");
    let (_partner, partner_url) = w.partner(&svc_url, 0, "partner.jsonl");
    let cfg = w.service_config("svc", port, &[(&[GH], &format!("{partner_url}/r"))], "");
    let (mut svc, _) = w.serve(&cfg);

    let mut client = w.spawn(
        "revoke-paused",
        &[
            "revoke",
            "--report",
            "r.jsonl",
            "--api",
            &svc_url,
            "--token-file",
            "service-token.txt",
            "--outbox",
            "client.sqlite",
        ],
        &[("LEAKGUARD_TEST_PAUSE_AFTER_ENQUEUE_MS", "60000")],
    );
    wait_for(Duration::from_secs(20), "the client to enqueue", || {
        client.stderr().contains("test hook: pausing").then_some(())
    });
    client.kill9();
    let ob = leakguard::revoke::outbox::Outbox::open(&w.path("client.sqlite")).unwrap();
    assert_eq!(ob.stats().unwrap().pending, 3, "enqueued before the kill");
    drop(ob);
    std::thread::sleep(Duration::from_millis(200));
    assert!(records(&w.path("partner.jsonl")).is_empty(), "nothing was sent before the kill");

    let (code, out, err) = revoke(&w, "resume", &svc_url, &["--resume"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("sent 3, accepted 3, rejected 0, pending 0"), "{out}");
    expect_each_once(&w.path("partner.jsonl"), &toks);
    let disk = scan_outbox_files(&w.path("client.sqlite"), "ghp_", &toks);
    assert_eq!(disk.found(), 0, "delivered tokens left in the client's outbox files: {disk}");
    assert!(svc.term().success());
    w.assert_no_leaks(&[&w.path("partner.jsonl")]);
}
