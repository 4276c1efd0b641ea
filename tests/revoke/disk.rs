//! What the service's outbox keeps on disk (issue 9): after delivery, a `strings`-like scan of
//! the database, `-wal` and `-shm` files finds no delivered token, also after a `kill -9`
//! mid-dispatch and a restart; and the WAL stays bounded under sustained load. Each test
//! prints its measurements (run with `--nocapture` to see them).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::harness::*;

const T: &str = "gitleaks_rule_id_github_personal_access_token";

/// A partner that accepts everything and remembers which tokens it received; each request
/// takes `delay` (a slow partner keeps the dispatcher mid-batch).
fn partner(delay: Duration) -> (FakeServer, Arc<Mutex<Vec<String>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let got2 = got.clone();
    let f = FakeServer::start(0, move |s| {
        std::thread::sleep(delay);
        let body: Value = serde_json::from_slice(&s.body).unwrap_or(Value::Null);
        if let Some(items) = body.as_array() {
            let mut g = got2.lock().unwrap();
            g.extend(items.iter().filter_map(|i| i["token"].as_str().map(str::to_string)));
        }
        (204, vec![], String::new())
    });
    (f, got)
}

/// A service config listening on a port the kernel picks (printed on "listening"), so no other
/// test can take the port between choosing and binding it.
fn config(w: &World, partner_url: &str, dispatch: &str) -> std::path::PathBuf {
    let cfg = w.service_config(
        "svc",
        0,
        &[(&[T], partner_url)],
        "max_tokens_per_request = 1000\n[rate_limit]\nburst = 1000000\nrequests_per_second = 100000\n",
    );
    let text = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("[dispatch]\n", &format!("[dispatch]\n{dispatch}"));
    std::fs::write(&cfg, text).unwrap();
    cfg
}

/// POSTs `tokens` in requests of `per_request`.
fn post_all(url: &str, tokens: &[String], per_request: usize) {
    for chunk in tokens.chunks(per_request) {
        let items: Vec<(&str, &str)> = chunk.iter().map(|t| (T, t.as_str())).collect();
        assert_eq!(post_tokens(url, &items), 204);
    }
}

fn done(w: &World, cfg: &std::path::Path) -> u64 {
    status(w, cfg)["outbox"]["done"].as_u64().unwrap()
}

/// Waits (bounded) until the scan finds no token; returns the last scan either way.
fn settle(db: &std::path::Path, tokens: &[String], within: Duration) -> DiskScan {
    let start = Instant::now();
    loop {
        let s = scan_outbox_files(db, "ghp_", tokens);
        if s.found() == 0 || start.elapsed() > within {
            return s;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn delivered_tokens_leave_the_outbox_files() {
    let mut w = World::new();
    let tokens: Vec<String> = (0..3000).map(|_| ghp()).collect();
    w.secrets.extend(tokens[..50].iter().cloned());
    let (partner, got) = partner(Duration::ZERO);
    let cfg = config(&w, &format!("{}/revoke", partner.url), "");
    let (mut svc, url) = w.serve(&cfg);
    let db = w.path("svc-state/outbox.sqlite");
    post_all(&url, &tokens, 100);
    wait_for(Duration::from_secs(60), "every row delivered", || {
        (done(&w, &cfg) == tokens.len() as u64).then_some(())
    });
    let at_done = scan_outbox_files(&db, "ghp_", &tokens);
    let running = settle(&db, &tokens, Duration::from_secs(5));
    eprintln!("MEASURE delivered: at done {at_done}; running, settled {running}");
    assert!(got.lock().unwrap().len() >= tokens.len(), "partner received every token");
    assert_eq!(running.found(), 0, "delivered tokens on disk while the service runs: {running}");
    assert!(svc.term().success());
    let stopped = scan_outbox_files(&db, "ghp_", &tokens);
    eprintln!("MEASURE delivered: after SIGTERM {stopped}");
    assert_eq!(stopped.found(), 0, "delivered tokens on disk after shutdown: {stopped}");
    w.assert_no_leaks(&[]);
}

/// A `kill -9` mid-dispatch, then a restart: every token is delivered and none is left in the
/// outbox files, while running and after shutdown (asserted). The state of the files right after
/// the kill (`after_kill`) is a measurement for RELIABILITY.md, printed and not asserted: a kill
/// between the commit of a batch's outcomes and the writer's truncation legitimately leaves that
/// batch's tokens in the WAL until the restart cleans it (0 tokens in 3 runs of 3 Dec 2026, but
/// the window exists).
#[test]
fn delivered_tokens_leave_the_disk_after_sigkill_mid_dispatch_and_restart() {
    let mut w = World::new();
    let tokens: Vec<String> = (0..1000).map(|_| ghp()).collect();
    w.secrets.extend(tokens[..50].iter().cloned());
    let (partner, got) = partner(Duration::from_millis(15));
    let cfg = config(&w, &format!("{}/revoke", partner.url), "batch_size = 10\nconcurrency = 1\n");
    let (mut svc, url) = w.serve(&cfg);
    let db = w.path("svc-state/outbox.sqlite");
    post_all(&url, &tokens, 250);
    wait_for(Duration::from_secs(60), "dispatch under way", || {
        (got.lock().unwrap().len() >= 600).then_some(())
    });
    svc.kill9();
    let delivered_before_kill = got.lock().unwrap().len();
    assert!(delivered_before_kill < tokens.len(), "the kill landed mid-dispatch");
    // the files as the kill left them (opening the outbox would recover and checkpoint them)
    let snapshot = |name: &str| {
        std::fs::create_dir_all(w.path(name)).unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let from = w.path(&format!("svc-state/outbox.sqlite{suffix}"));
            let _ = std::fs::copy(from, w.path(&format!("{name}/outbox.sqlite{suffix}")));
        }
        w.path(&format!("{name}/outbox.sqlite"))
    };
    let (raw, query) = (snapshot("at-kill-raw"), snapshot("at-kill-query"));
    // tokens whose rows were already marked done when the process died
    let done_at_kill: Vec<String> = {
        let ob = leakguard::revoke::outbox::Outbox::open(&query).unwrap();
        let keys: std::collections::HashSet<String> =
            ob.summaries(Some("done"), usize::MAX).unwrap().into_iter().map(|s| s.key).collect();
        tokens
            .iter()
            .filter(|t| keys.contains(&leakguard::revoke::idempotency_key(T, t)))
            .cloned()
            .collect()
    };
    // measured, not asserted (see the doc comment)
    let after_kill = scan_outbox_files(&raw, "ghp_", &done_at_kill);
    eprintln!(
        "MEASURE sigkill: {delivered_before_kill} received by the partner, {} rows done at the \
         kill; their tokens in the files right after the kill: {after_kill}",
        done_at_kill.len()
    );
    assert!(!done_at_kill.is_empty(), "the first dispatch batch was recorded before the kill");
    let (mut svc, _) = w.serve(&cfg);
    wait_for(Duration::from_secs(60), "every row delivered after the restart", || {
        (done(&w, &cfg) == tokens.len() as u64).then_some(())
    });
    let mut got_set: Vec<String> = got.lock().unwrap().clone();
    got_set.sort();
    got_set.dedup();
    assert_eq!(got_set.len(), tokens.len(), "every token delivered (at least once)");
    let running = settle(&db, &tokens, Duration::from_secs(5));
    eprintln!("MEASURE sigkill: after restart and delivery {running}");
    assert_eq!(running.found(), 0, "delivered tokens on disk after the restart: {running}");
    assert!(svc.term().success());
    let stopped = scan_outbox_files(&db, "ghp_", &tokens);
    assert_eq!(stopped.found(), 0, "delivered tokens on disk after shutdown: {stopped}");
    w.assert_no_leaks(&[]);
}

#[test]
fn wal_stays_bounded_under_sustained_load() {
    let mut w = World::new();
    let (partner, _) = partner(Duration::ZERO);
    let cfg = config(&w, &format!("{}/revoke", partner.url), "");
    let (mut svc, url) = w.serve(&cfg);
    let wal = w.path("svc-state/outbox.sqlite-wal");
    let stop = Arc::new(AtomicBool::new(false));
    let posted = Arc::new(AtomicUsize::new(0));
    let max_wal = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (stop, max_wal, wal) = (stop.clone(), max_wal.clone(), wal.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
                max_wal.fetch_max(size, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let load = Duration::from_secs(6);
    let posters: Vec<_> = (0..4)
        .map(|_| {
            let (url, stop, posted) = (url.clone(), stop.clone(), posted.clone());
            std::thread::spawn(move || {
                let rt =
                    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let c = reqwest::Client::new();
                    while !stop.load(Ordering::SeqCst) {
                        let body: Vec<Value> = (0..100)
                            .map(
                                |_| serde_json::json!({"type": T, "token": ghp(), "location": "l"}),
                            )
                            .collect();
                        let r = c
                            .post(format!("{url}/v1/revoke_tokens"))
                            .header("Authorization", SERVICE_TOKEN)
                            .body(serde_json::to_vec(&body).unwrap())
                            .send()
                            .await;
                        match r {
                            Ok(r) if r.status() == 204 => {
                                posted.fetch_add(100, Ordering::SeqCst);
                            }
                            Ok(r) => return Some(format!("status {}", r.status())),
                            Err(e) => return Some(format!("{e:?}")),
                        }
                    }
                    None
                })
            })
        })
        .collect();
    std::thread::sleep(load);
    stop.store(true, Ordering::SeqCst);
    let failures: Vec<String> = posters.into_iter().filter_map(|p| p.join().unwrap()).collect();
    assert!(failures.is_empty(), "POSTs failed: {failures:?}; service log: {}", svc.stderr());
    sampler.join().unwrap();
    let db_bytes = std::fs::metadata(w.path("svc-state/outbox.sqlite")).unwrap().len();
    let max = max_wal.load(Ordering::SeqCst);
    let posted = posted.load(Ordering::SeqCst);
    eprintln!(
        "MEASURE load: {posted} tokens posted in {load:?}; largest WAL {max} bytes; database \
         {db_bytes} bytes"
    );
    assert!(posted >= 2000, "the load was not sustained: {posted} tokens");
    let bound = 4 * leakguard::revoke::outbox::WAL_SOFT_LIMIT_BYTES;
    assert!(max <= bound, "WAL reached {max} bytes (bound {bound})");
    assert!(svc.term().success());
    w.secrets.push("never-posted-marker".into());
    w.assert_no_leaks(&[]);
}
