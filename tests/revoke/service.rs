//! `leakguard serve`: authentication, validation, rate limiting, durability across SIGKILL,
//! partner outages, retries and dead letters, key rotation.

use std::time::Duration;

use serde_json::Value;

use super::harness::*;

const T: &str = "gitleaks_rule_id_github_personal_access_token";

#[test]
fn auth_validation_and_rate_limit_enqueue_nothing() {
    let mut w = World::new();
    let tok = ghp();
    w.secrets.push(tok.clone());
    let port = free_port();
    let extra = "max_body_bytes = 2048\n[rate_limit]\nrequests_per_second = 0.5\nburst = 14\n";
    // partner that is never reached: nothing may be enqueued
    let cfg = w.service_config("svc", port, &[(&[T], "http://127.0.0.1:9/revoke")], extra);
    let (mut svc, url) = w.serve(&cfg);
    let post = |auth: Option<&str>, body: &str| {
        http("POST", &format!("{url}/v1/revoke_tokens"), auth, Some(body.as_bytes().to_vec())).0
    };
    let good = format!(r#"[{{"type":"{T}","token":"{tok}","location":"x"}}]"#);
    assert_eq!(post(Some("wrong-token"), &good), 401);
    assert_eq!(post(None, &good), 401);
    assert_eq!(post(Some(&format!("Bearer {SERVICE_TOKEN}")), &good), 401, "token is verbatim");
    assert_eq!(http("GET", &format!("{url}/v1/revocable_token_types"), Some("nope"), None).0, 401);
    let (st, _, body) =
        http("GET", &format!("{url}/v1/revocable_token_types"), Some(SERVICE_TOKEN), None);
    assert_eq!(
        (st, serde_json::from_str::<Value>(&body).unwrap()),
        (200, serde_json::json!({"types": [T]}))
    );
    assert_eq!(post(Some(SERVICE_TOKEN), &format!("{good}]")), 400, "malformed JSON");
    assert_eq!(
        post(Some(SERVICE_TOKEN), &format!(r#"{{"type":"{T}","token":"{tok}"}}"#)),
        400,
        "not an array"
    );
    assert_eq!(post(Some(SERVICE_TOKEN), &format!(r#"[{{"type":"{T}"}}]"#)), 400, "no token");
    assert_eq!(
        post(Some(SERVICE_TOKEN), &format!(r#"[{{"type":"other","token":"{tok}"}}]"#)),
        400,
        "unknown type"
    );
    let big = format!(r#"[{{"type":"{T}","token":"{tok}","location":"{}"}}]"#, "x".repeat(4096));
    assert_eq!(post(Some(SERVICE_TOKEN), &big), 400, "oversized");
    assert_eq!(http("GET", &format!("{url}/healthz"), None, None).0, 200);
    let st = status(&w, &cfg);
    assert_eq!(st["outbox"], serde_json::json!({"pending": 0, "done": 0, "failed": 0, "dead": 0}));
    // past the burst: 429 with Retry-After
    let mut limited = None;
    for _ in 0..20 {
        let (s, h, _) =
            http("GET", &format!("{url}/v1/revocable_token_types"), Some(SERVICE_TOKEN), None);
        if s == 429 {
            limited = Some(h);
            break;
        }
        assert_eq!(s, 200);
    }
    let h = limited.expect("rate limit never hit");
    let secs: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&secs), "Retry-After {secs}");
    assert!(svc.term().success());
    w.assert_no_leaks(&[]);
}

#[test]
fn partner_down_then_up_loses_nothing_even_across_service_sigkill() {
    let mut w = World::new();
    let tokens: Vec<String> = (0..5).map(|_| ghp()).collect();
    w.secrets.extend(tokens.iter().cloned());
    let (svc_port, partner_port) = (free_port(), free_port());
    let partner_url = format!("http://127.0.0.1:{partner_port}/revoke");
    let cfg = w.service_config("svc", svc_port, &[(&[T], &partner_url)], "");
    let (mut svc, url) = w.serve(&cfg);
    let items: Vec<(&str, &str)> = tokens.iter().map(|t| (T, t.as_str())).collect();
    assert_eq!(post_tokens(&url, &items[..3]), 204);
    // partner is down: the dispatcher keeps retrying
    wait_for(Duration::from_secs(10), "failed dispatch attempts", || {
        let st = status(&w, &cfg);
        let s = serde_json::to_string(&st).unwrap();
        (st["outbox"]["pending"] == 3 && !s.contains("\"attempts\":0")).then_some(())
    });
    // 204 means durable: kill -9 right after accepting two more
    assert_eq!(post_tokens(&url, &items[3..]), 204);
    svc.kill9();
    let st = status(&w, &cfg);
    assert_eq!(st["outbox"]["pending"], 5, "{st}");
    // partner comes up, service restarts: everything is delivered, each token once
    let (_partner, _) = w.partner(&url, partner_port, "partner.jsonl");
    let (mut svc, _) = w.serve(&cfg);
    expect_each_once(&w.path("partner.jsonl"), &tokens);
    wait_for(Duration::from_secs(10), "rows marked done", || {
        (status(&w, &cfg)["outbox"]["done"] == 5).then_some(())
    });
    assert!(svc.term().success());
    let ob = leakguard::revoke::outbox::Outbox::open(&w.path("svc-state/outbox.sqlite")).unwrap();
    assert_eq!(ob.tokens_held().unwrap(), 0, "tokens are dropped once delivered");
    w.assert_no_leaks(&[&w.path("partner.jsonl")]);
}

#[test]
fn partner_errors_are_retried_then_dead_lettered() {
    let mut w = World::new();
    let (flaky_tok, broken_tok) = (ghp(), akia());
    w.secrets.extend([flaky_tok.clone(), broken_tok.clone()]);
    let n = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let n2 = n.clone();
    // 429, 503, 400 then 204: partners may answer anything >= 400 and get a retry
    let flaky =
        FakeServer::start(0, move |_| match n2.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => (429, vec![("retry-after", "0".into())], String::new()),
            1 => (503, vec![], String::new()),
            2 => (400, vec![], String::new()),
            _ => (204, vec![], String::new()),
        });
    let broken = FakeServer::start(0, |_| (500, vec![], String::new()));
    let port = free_port();
    let aws = "gitleaks_rule_id_aws";
    let cfg = w.service_config(
        "svc",
        port,
        &[(&[T], &format!("{}/flaky", flaky.url)), (&[aws], &format!("{}/broken", broken.url))],
        "",
    );
    let text =
        std::fs::read_to_string(&cfg).unwrap().replace("max_attempts = 200", "max_attempts = 4");
    std::fs::write(&cfg, text).unwrap();
    let (mut svc, url) = w.serve(&cfg);
    assert_eq!(post_tokens(&url, &[(T, &flaky_tok), (aws, &broken_tok)]), 204);
    let st = wait_for(Duration::from_secs(15), "one done and one dead letter", || {
        let st = status(&w, &cfg);
        (st["outbox"]["done"] == 1 && st["outbox"]["dead"] == 1).then_some(st)
    });
    assert_eq!(flaky.seen().len(), 4, "429, 503, 400 retried, then delivered");
    assert_eq!(broken.seen().len(), 4, "max_attempts = 4 tries, then dead letter");
    let dead = &st["dead_letters"][0];
    assert_eq!(dead["type"], aws);
    assert_eq!(dead["attempts"], 4);
    assert!(dead["last_error"].as_str().unwrap().contains("500"));
    // every request carried a signature that verifies against the published keys
    let (_, _, keys) = http("GET", &format!("{url}/v1/public_keys"), None, None);
    let keys: leakguard::revoke::keys::PublicKeys = serde_json::from_str(&keys).unwrap();
    for s in flaky.seen().iter().chain(broken.seen().iter()) {
        leakguard::revoke::partner::verify(
            &keys.public_keys,
            &s.headers["gitlab-public-key-identifier"],
            &s.headers["gitlab-public-key-signature"],
            &s.body,
        )
        .expect("signature verifies");
        let body: Value = serde_json::from_slice(&s.body).unwrap();
        assert!(
            body[0]["url"].is_string() && body[0].get("location").is_none(),
            "partner wire shape"
        );
    }
    let text = w.run("status-text", &["serve", "status", "--config", cfg.to_str().unwrap()], &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("dead 1") && text.contains("dead letter: gitleaks_rule_id_aws"),
        "{text}"
    );
    assert!(svc.term().success());
    w.assert_no_leaks(&[]);
}

#[test]
fn key_rotation_mid_stream_old_signatures_still_verify() {
    let mut w = World::new();
    let (a, b) = (ghp(), ghp());
    w.secrets.extend([a.clone(), b.clone()]);
    let port = free_port();
    let svc_url = format!("http://127.0.0.1:{port}");
    let (_partner, partner_url) = w.partner(&svc_url, 0, "partner.jsonl");
    let cfg = w.service_config("svc", port, &[(&[T], &format!("{partner_url}/r"))], "");
    let (mut svc, url) = w.serve(&cfg);
    let record = w.path("partner.jsonl");
    assert_eq!(post_tokens(&url, &[(T, &a)]), 204);
    expect_each_once(&record, std::slice::from_ref(&a));
    // a body signed with the old key, kept to verify after the rotation
    let store = leakguard::revoke::keys::KeyStore::open(&w.path("svc-state")).unwrap();
    let body = br#"[{"type":"t","token":"not-a-secret","url":"u"}]"#;
    let (old_id, old_sig) = store.sign(body).unwrap();
    std::fs::write(w.path("body.json"), body).unwrap();

    let out = w.run("rotate", &["keys", "rotate", "--config", cfg.to_str().unwrap()], &[]);
    assert!(out.status.success());
    assert_eq!(post_tokens(&url, &[(T, &b)]), 204);
    expect_each_once(&record, &[a.clone(), b.clone()]);
    let kids: Vec<String> = records(&record)
        .iter()
        .map(|r| r["key_identifier"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kids.len(), 2);
    assert_eq!(kids[0], old_id);
    assert_ne!(kids[0], kids[1], "second request signed with the new key");
    let (_, _, keys) = http("GET", &format!("{url}/v1/public_keys"), None, None);
    let keys: Value = serde_json::from_str(&keys).unwrap();
    let list = keys["public_keys"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().any(|k| k["key_identifier"] == kids[1] && k["is_current"] == true));
    assert!(list.iter().any(|k| k["key_identifier"] == old_id && k["is_current"] == false));
    assert!(list[0]["key"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));

    let pk = format!("{url}/v1/public_keys");
    let verify = |body: &str, sig: &str| {
        w.run(
            "verify",
            &[
                "partner",
                "verify",
                "--public-keys",
                &pk,
                "--body",
                body,
                "--key-id",
                &old_id,
                "--signature",
                sig,
            ],
            &[],
        )
    };
    let ok = verify("body.json", &old_sig);
    assert!(
        ok.status.success(),
        "old-key signature verifies: {}",
        String::from_utf8_lossy(&ok.stdout)
    );
    std::fs::write(w.path("tampered.json"), br#"[{"type":"t","token":"not-a-secreT","url":"u"}]"#)
        .unwrap();
    let bad = verify("tampered.json", &old_sig);
    assert_eq!(bad.status.code(), Some(1), "tampered body must not verify");
    assert!(String::from_utf8_lossy(&bad.stdout).contains("INVALID"));
    assert!(svc.term().success());
    w.assert_no_leaks(&[&record]);
}

#[test]
fn sigterm_keeps_every_acknowledged_request() {
    let mut w = World::new();
    let port = free_port();
    let cfg = w.service_config(
        "svc",
        port,
        &[(&[T], "http://127.0.0.1:9/revoke")],
        "[rate_limit]\nburst = 100000\n",
    );
    let (mut svc, url) = w.serve(&cfg);
    let tokens: Vec<String> = (0..400).map(|_| ghp()).collect();
    w.secrets.extend(tokens.iter().cloned());
    // 4 concurrent posters; SIGTERM lands while they are mid-stream
    let acked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let posters: Vec<_> = tokens
        .chunks(100)
        .map(|chunk| {
            let (chunk, url, acked) = (chunk.to_vec(), url.clone(), acked.clone());
            std::thread::spawn(move || {
                let rt =
                    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let c = reqwest::Client::new();
                    for t in chunk {
                        let body = serde_json::json!([{"type": T, "token": t, "location": "l"}])
                            .to_string();
                        let r = c
                            .post(format!("{url}/v1/revoke_tokens"))
                            .header("Authorization", SERVICE_TOKEN)
                            .body(body)
                            .send()
                            .await;
                        match r {
                            Ok(r) if r.status() == 204 => {
                                acked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            }
                            Ok(r) => panic!("unexpected status {}", r.status()),
                            Err(_) => break, // listener closed by the shutdown
                        }
                    }
                });
            })
        })
        .collect();
    wait_for(Duration::from_secs(20), "some requests acknowledged", || {
        (acked.load(std::sync::atomic::Ordering::SeqCst) >= 40).then_some(())
    });
    assert!(svc.term().success(), "graceful exit on SIGTERM");
    for p in posters {
        p.join().unwrap();
    }
    let acked = acked.load(std::sync::atomic::Ordering::SeqCst);
    let st = status(&w, &cfg);
    let rows = st["outbox"]["pending"].as_u64().unwrap() + st["outbox"]["dead"].as_u64().unwrap();
    assert!(acked > 0);
    assert_eq!(rows as usize, acked, "every 204 is in the outbox, nothing else is");
    w.assert_no_leaks(&[]);
}

#[test]
fn leak_check_is_not_vacuous() {
    let mut w = World::new();
    let tok = ghp();
    w.secrets.push(tok.clone());
    std::fs::write(w.path("logs/leaky.err"), format!("debug: sending {tok}\n")).unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w.assert_no_leaks(&[])));
    assert!(caught.is_err(), "a log holding a token must fail the check");
}
