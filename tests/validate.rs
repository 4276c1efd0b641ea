//! Issue 12 (live validation), through the real binary against real HTTP servers on
//! 127.0.0.1 that answer like a provider: active, revoked, rate limited, failing, and
//! redirecting to another host. Each test checks the status reported, the exact request sent,
//! and that the token appears in no output.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::util::{Dir, github_pat, json_lines, run};

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    authorization: Option<String>,
    /// Every header, names lowercased.
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A provider on 127.0.0.1: `answer(authorization) -> (status, extra headers, body)`.
struct Provider {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
}

type Answer = fn(&Seen) -> (u16, Vec<(String, String)>, String);

impl Provider {
    fn start(answer: Answer) -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (s, c) = (seen.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                c.fetch_add(1, Ordering::SeqCst);
                let s = s.clone();
                std::thread::spawn(move || serve(stream, answer, &s));
            }
        });
        Provider { port, seen, connections }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, answer: Answer, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) =
        (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut authorization = None;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_string());
            }
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let request = Seen { method, path, authorization, headers };
    seen.lock().unwrap().push(request.clone());
    let (status, headers, body) = answer(&request);
    let mut out = stream;
    let mut head =
        format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let _ = out.write_all(format!("{head}\r\n{body}").as_bytes());
}

/// Five fake GitHub tokens and how the fake API answers each.
fn tokens() -> [String; 5] {
    [github_pat(501), github_pat(502), github_pat(503), github_pat(504), github_pat(505)]
}

fn github_answer(req: &Seen) -> (u16, Vec<(String, String)>, String) {
    let auth = req.authorization.as_deref();
    let t = tokens();
    let is = |i: usize| auth == Some(format!("Bearer {}", t[i]).as_str());
    if is(0) {
        (200, vec![], r#"{"login":"octo-fake","id":1}"#.into())
    } else if is(1) {
        (401, vec![], r#"{"message":"Bad credentials"}"#.into())
    } else if is(2) {
        (429, vec![("Retry-After".into(), "1".into())], "{}".into())
    } else if is(3) {
        (503, vec![], "{}".into())
    } else {
        (302, vec![("Location".into(), "http://attacker.invalid/steal".into())], String::new())
    }
}

/// A fake GitHub API and a tree with one token it accepts (`a.env`) and one it rejects
/// (`b.env`); the `--validate-endpoint` value that points at it.
fn active_and_revoked() -> (Provider, Dir, String) {
    let api = Provider::start(github_answer);
    let d = Dir::new();
    let t = tokens();
    d.create("a.env", format!("GITHUB_TOKEN={}\n", t[0]));
    d.create("b.env", format!("GITHUB_TOKEN={}\n", t[1]));
    let endpoint = format!("api.github.com={}", api.url());
    (api, d, endpoint)
}

/// `leakguard scan . --validate` against `endpoint`, no persistent cache (caller adds the rest).
fn validating(d: &Dir, endpoint: &str) -> std::process::Command {
    let mut c = d.cmd();
    c.args([
        "scan",
        ".",
        "--validate",
        "--validate-cache",
        "none",
        "--validate-endpoint",
        endpoint,
    ]);
    c
}

fn scan(d: &Dir, extra: &[&str]) -> (i32, Vec<serde_json::Value>, String, String) {
    let mut c = d.cmd();
    c.args(["scan", ".", "-f", "json", "--validate-cache", "none"]).args(extra);
    let out = run(&mut c);
    (out.code, json_lines(&out.stdout), out.stdout, out.stderr)
}

#[test]
fn statuses_requests_and_no_token_in_output() {
    let api = Provider::start(github_answer);
    let d = Dir::new();
    let t = tokens();
    for (i, tok) in t.iter().enumerate() {
        d.create(&format!("f{i}.env"), format!("GITHUB_TOKEN={tok}\n"));
    }
    // The same token twice: asked once.
    d.create("copy.env", format!("GH={}\n", t[0]));
    let endpoint = format!("api.github.com={}", api.url());
    let (code, fs, stdout, stderr) =
        scan(&d, &["--validate", "--validate-endpoint", &endpoint, "--redact"]);
    assert_eq!(code, 1, "{stderr}");
    let status = |file: &str| {
        fs.iter()
            .find(|f| f["path"] == file)
            .map(|f| f["validation"]["status"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(status("f0.env").as_deref(), Some("active"));
    assert_eq!(status("copy.env").as_deref(), Some("active"));
    assert_eq!(status("f1.env").as_deref(), Some("inactive"));
    assert_eq!(status("f2.env").as_deref(), Some("unknown"), "429 is never inactive");
    assert_eq!(status("f3.env").as_deref(), Some("unknown"), "5xx is never inactive");
    assert_eq!(status("f4.env").as_deref(), Some("unknown"), "a redirect is not followed");
    let f0 = fs.iter().find(|f| f["path"] == "f0.env").unwrap();
    assert_eq!(f0["validation"]["identity"], "octo-fake");
    assert!(f0["validation"]["checked_at"].as_str().is_some_and(|s| s.ends_with('Z')));
    // One GET /user per distinct token, with the token as a bearer, and one retry after the
    // 429's one-second Retry-After; nothing else.
    let seen = api.seen();
    assert_eq!(seen.len(), 6, "{seen:?}");
    let retried = format!("Bearer {}", t[2]);
    assert_eq!(
        seen.iter().filter(|s| s.authorization.as_deref() == Some(retried.as_str())).count(),
        2
    );
    for s in &seen {
        assert_eq!((s.method.as_str(), s.path.as_str()), ("GET", "/user"));
        let auth = s.authorization.as_deref().unwrap_or("");
        assert!(t.iter().any(|tok| auth == format!("Bearer {tok}")), "{auth}");
    }
    for tok in &t {
        assert!(
            !stdout.contains(tok.as_str()) && !stderr.contains(tok.as_str()),
            "token in output"
        );
    }
    assert!(stderr.contains("validation: 6 request(s), 0 cached answer(s)"), "{stderr}");
}

#[test]
fn results_filter_and_request_cap() {
    let (api, d, endpoint) = active_and_revoked();
    let (_, fs, _, _) =
        scan(&d, &["--validate", "--validate-endpoint", &endpoint, "--results", "active", "-q"]);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["path"], "a.env");
    let (_, fs, _, _) = scan(
        &d,
        &["--validate", "--validate-endpoint", &endpoint, "--validate-max-requests", "1", "-q"],
    );
    let mut statuses: Vec<&str> =
        fs.iter().map(|f| f["validation"]["status"].as_str().unwrap()).collect();
    statuses.sort();
    assert!(statuses.contains(&"unknown"), "the second request is over the cap: {statuses:?}");
    assert_eq!(api.seen().len(), 3, "2 in the first run, 1 in the second");
}

#[test]
fn rules_without_a_check_are_unverifiable_and_text_shows_the_status() {
    let api = Provider::start(github_answer);
    let d = Dir::new();
    let t = tokens();
    d.create("a.env", format!("GITHUB_TOKEN={}\n", t[0]));
    d.create("key.pem", crate::util::pem_key(7));
    let endpoint = format!("api.github.com={}", api.url());
    let mut c = validating(&d, &endpoint);
    c.args(["--color", "never", "-q"]);
    let out = run(&mut c);
    assert!(out.stdout.contains("[active: octo-fake]"), "{}", out.stdout);
    let key_line = out.stdout.lines().find(|l| l.starts_with("key.pem:")).unwrap_or_default();
    assert!(key_line.ends_with("[unverifiable]"), "a private key has no check: {}", out.stdout);
    // GitLab and SARIF carry it too.
    let mut c = validating(&d, &endpoint);
    c.args(["-f", "gitlab", "-q"]);
    let gl: serde_json::Value = serde_json::from_str(&run(&mut c).stdout).unwrap();
    let v = gl["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["location"]["file"] == "a.env")
        .unwrap();
    assert!(v["details"]["validation"]["value"].as_str().unwrap().starts_with("active"), "{v}");
    let mut c = validating(&d, &endpoint);
    c.args(["-f", "sarif", "-q"]);
    let sarif: serde_json::Value = serde_json::from_str(&run(&mut c).stdout).unwrap();
    let r = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "github_personal_access_token")
        .unwrap();
    assert_eq!(r["properties"]["validation"]["status"], "active");
}

/// A rule whose check points at a local listener: without `--validate`, and in the
/// pre-receive hook whatever the flags, nothing connects to it; with `--validate` something
/// does (so the listener would see a connection).
#[test]
fn no_connection_without_validate_and_never_in_pre_receive() {
    let listener = Provider::start(github_answer);
    let d = Dir::new();
    let rules = format!(
        "[extend]\nuseDefault = true\n[[rules]]\nid = \"local-token\"\nregex = '''localtok_([a-z0-9]{{24}})'''\nkeywords = [\"localtok_\"]\nverify = 'GET https://127.0.0.1:{}/check bearer'\n",
        listener.port
    );
    d.create("rules.toml", &rules);
    let value = crate::util::Rng::new(77).string(b"abcdefghijklmnopqrstuvwxyz0123456789", 24);
    let line = format!("localtok_{value}\n");
    d.create("a.txt", &line);
    let (code, fs, _, _) = scan(&d, &["--config", "rules.toml", "-q"]);
    assert_eq!((code, fs.len()), (1, 1));
    assert!(fs[0].get("validation").is_none());
    assert_eq!(listener.connections.load(Ordering::SeqCst), 0, "no --validate: no connection");
    // Pre-receive: a real bare repository, the same config at the server, a push of the token.
    let server = Dir::new();
    let bare = server.join("srv.git");
    let git = |dir: &std::path::Path, args: &[&str]| {
        let out = crate::git_util::git_cmd(dir).args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(server.path(), &["init", "-q", "--bare", "srv.git"]);
    let hook = bare.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nexec {} hook pre-receive --config {}\n",
            env!("CARGO_BIN_EXE_leakguard"),
            d.join("rules.toml").display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let work = Dir::new();
    git(work.path(), &["init", "-q", "."]);
    work.create("a.txt", &line);
    git(work.path(), &["add", "-A"]);
    git(work.path(), &["commit", "-q", "-m", "token"]);
    let out = crate::git_util::git_cmd(work.path())
        .args(["push", bare.to_str().unwrap(), "HEAD:refs/heads/main"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "the push is blocked: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(listener.connections.load(Ordering::SeqCst), 0, "pre-receive: no connection");
    // The listener does see a connection when validation is asked for (TLS to a plain
    // listener fails, so the status is unknown).
    let (_, fs, _, _) = scan(&d, &["--config", "rules.toml", "--validate", "-q"]);
    assert_eq!(fs[0]["validation"]["status"], "unknown");
    assert_eq!(listener.connections.load(Ordering::SeqCst), 1);
}

#[test]
fn a_second_run_within_the_ttl_sends_no_request_and_the_cache_holds_no_token() {
    let api = Provider::start(github_answer);
    let d = Dir::new();
    let t = tokens();
    d.create("a.env", format!("GITHUB_TOKEN={}\n", t[0]));
    d.create("b.env", format!("GITHUB_TOKEN={}\n", t[1]));
    d.create("c.env", format!("GITHUB_TOKEN={}\n", t[3]));
    let cache = Dir::new();
    let path = cache.join("state/cache.json");
    let endpoint = format!("api.github.com={}", api.url());
    let args = [
        "--validate",
        "--validate-endpoint",
        &endpoint,
        "--validate-cache",
        path.to_str().unwrap(),
    ];
    let mut c = d.cmd();
    c.args(["scan", ".", "-f", "json"]).args(args);
    let first = run(&mut c);
    assert_eq!(api.seen().len(), 3);
    let mut c = d.cmd();
    c.args(["scan", ".", "-f", "json"]).args(args);
    let second = run(&mut c);
    // active and inactive come from the cache; the 503 (unknown) is asked again.
    assert_eq!(api.seen().len(), 4, "{}", second.stderr);
    assert!(second.stderr.contains("1 request(s), 2 cached answer(s)"), "{}", second.stderr);
    let status = |out: &str, file: &str| {
        json_lines(out)
            .into_iter()
            .find(|f| f["path"] == file)
            .map(|f| f["validation"]["status"].as_str().unwrap().to_string())
    };
    for file in ["a.env", "b.env", "c.env"] {
        assert_eq!(status(&first.stdout, file), status(&second.stdout, file), "{file}");
    }
    let text = std::fs::read_to_string(&path).unwrap();
    for tok in &t {
        assert!(!text.contains(tok.as_str()), "the cache holds no token");
    }
    // A zero TTL trusts nothing.
    let mut c = d.cmd();
    c.args(["scan", ".", "-f", "json"]).args(args).args(["--validate-cache-ttl", "0s"]);
    run(&mut c);
    assert_eq!(api.seen().len(), 7);
}

fn slow_or_slack(req: &Seen) -> (u16, Vec<(String, String)>, String) {
    match req.authorization.as_deref() {
        Some(a) if a.ends_with("slow") => {
            std::thread::sleep(std::time::Duration::from_secs(3));
            (200, vec![], "{}".into())
        }
        Some(a) if a.ends_with("alive") => (200, vec![], r#"{"ok":true,"user":"bot-fake"}"#.into()),
        _ => (200, vec![], r#"{"ok":false,"error":"invalid_auth"}"#.into()),
    }
}

#[test]
fn timeouts_are_unknown_and_json_verdicts_are_read() {
    let api = Provider::start(slow_or_slack);
    let d = Dir::new();
    let rules = r#"[extend]
useDefault = true
[[rules]]
id = "chat-token"
regex = '''chattok_([a-z0-9]{12}(?:slow|alive|dead))'''
keywords = ["chattok_"]
verify = 'GET https://chat.example/api/auth.test bearer ok=/ok identity=/user'
"#;
    d.create("rules.toml", rules);
    let mut rng = crate::util::Rng::new(91);
    let mut tok =
        |end: &str| format!("{}{end}", rng.string(b"abcdefghijklmnopqrstuvwxyz0123456789", 12));
    d.create("a.txt", format!("chattok_{}\n", tok("alive")));
    d.create("b.txt", format!("chattok_{}\n", tok("dead")));
    d.create("c.txt", format!("chattok_{}\n", tok("slow")));
    let endpoint = format!("chat-token={}", api.url());
    let started = std::time::Instant::now();
    let (_, fs, _, stderr) = scan(
        &d,
        &[
            "--config",
            "rules.toml",
            "--validate",
            "--validate-endpoint",
            &endpoint,
            "--validate-timeout",
            "1s",
        ],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "the timeout bounds the run");
    let get = |file: &str| fs.iter().find(|f| f["path"] == file).unwrap()["validation"].clone();
    assert_eq!(get("a.txt")["status"], "active", "{stderr}");
    assert_eq!(get("a.txt")["identity"], "bot-fake");
    assert_eq!(get("b.txt")["status"], "inactive", "200 with ok=false");
    assert_eq!(get("c.txt")["status"], "unknown");
    assert_eq!(get("c.txt")["detail"], "timeout");
}

/// The fake AWS key pair STS accepts (generated: `AKIA` + 16, and 40 characters).
fn aws_pair() -> (String, String) {
    let mut rng = crate::util::Rng::new(4242);
    let id = format!("AKIA{}", rng.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    let secret =
        rng.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
    (id, secret)
}

/// STS: recomputes the request's SigV4 signature for the accepted pair (the signer is
/// checked against AWS's published vectors in its unit tests) and answers like STS.
fn sts_answer(req: &Seen) -> (u16, Vec<(String, String)>, String) {
    let (id, secret) = aws_pair();
    let (Some(auth), Some(date), Some(host)) =
        (req.authorization.as_deref(), req.header("x-amz-date"), req.header("host"))
    else {
        return (400, vec![], "missing headers".into());
    };
    let query = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")];
    let want = leakguard::validate::sigv4::authorization(
        &leakguard::validate::sigv4::Request {
            method: "GET",
            host,
            path: "/",
            query: &query,
            amz_date: date,
            region: "us-east-1",
            service: "sts",
            body: b"",
        },
        &id,
        &secret,
    );
    if req.method == "GET"
        && req.path == "/?Action=GetCallerIdentity&Version=2011-06-15"
        && auth == want
    {
        let body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:user/fake-ci</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>";
        (200, vec![], body.into())
    } else {
        (403, vec![], "<Error><Code>SignatureDoesNotMatch</Code></Error>".into())
    }
}

#[test]
fn aws_key_pairs_are_checked_together_with_sigv4() {
    let sts = Provider::start(sts_answer);
    let d = Dir::new();
    let (id, secret) = aws_pair();
    let other = crate::util::Rng::new(9)
        .string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);
    d.create(
        "live/credentials",
        format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
    );
    d.create(
        "dead/credentials",
        format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {other}\n"),
    );
    d.create("alone/config.py", format!("KEY_ID = \"{id}\"\n"));
    let endpoint = format!("sts.amazonaws.com={}", sts.url());
    let (_, fs, stdout, stderr) =
        scan(&d, &["--validate", "--validate-endpoint", &endpoint, "--redact"]);
    let status = |path: &str, rule: &str| {
        fs.iter()
            .find(|f| f["path"] == path && f["rule_id"] == rule)
            .map(|f| f["validation"].clone())
            .unwrap_or_else(|| panic!("no {rule} in {path}: {stdout}"))
    };
    let live = status("live/credentials", "aws_secret_access_key");
    assert_eq!(live["status"], "active", "{stderr}");
    assert_eq!(live["identity"], "arn:aws:iam::000000000000:user/fake-ci");
    assert_eq!(status("live/credentials", "aws")["status"], "active");
    assert_eq!(status("dead/credentials", "aws_secret_access_key")["status"], "inactive");
    assert_eq!(status("alone/config.py", "aws")["status"], "unverifiable");
    // One request per distinct pair.
    assert_eq!(sts.seen().len(), 2, "{:?}", sts.seen());
    for s in [&id, &secret, &other] {
        assert!(!stdout.contains(s.as_str()) && !stderr.contains(s.as_str()));
    }
}

#[cfg(feature = "revoke")]
#[test]
fn classify_only_active_keeps_the_tokens_validation_found_live() {
    let (api, d, endpoint) = active_and_revoked();
    for (format, file) in [("json", "r.jsonl"), ("gitlab", "r.gitlab.json"), ("sarif", "r.sarif")] {
        let mut c = validating(&d, &endpoint);
        c.args(["-f", format, "-o", file, "-q", "--exclude", "r.*"]);
        assert_eq!(run(&mut c).code, 1);
        let out = run(d.cmd().args(["classify", file, "--only-active", "--json"]));
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(
            out.stderr.contains("1 of 2 finding(s) were validated active"),
            "{format}: {}",
            out.stderr
        );
    }
    // A report without validation results is refused, not read as "nothing is active".
    let mut c = d.cmd();
    c.args(["scan", ".", "-f", "json", "-o", "plain.jsonl", "-q", "--exclude", "r.*"]);
    run(&mut c);
    let out = run(d.cmd().args(["classify", "plain.jsonl", "--only-active"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("needs a report with validation results"), "{}", out.stderr);
    // `classify --validate` asks the providers for such a report itself.
    let before = api.seen().len();
    let out = run(d
        .cmd()
        .args(["classify", "plain.jsonl", "--validate", "--validate-endpoint", &endpoint])
        .args(["--only-active", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("1 of 2 finding(s) were validated active"), "{}", out.stderr);
    assert_eq!(api.seen().len(), before + 2, "one request per token");
}

fn gitlab_pat() -> String {
    format!(
        "glpat-{}",
        crate::util::Rng::new(3131)
            .string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 20)
    )
}

fn gitlab_answer(req: &Seen) -> (u16, Vec<(String, String)>, String) {
    if req.path == "/api/v4/personal_access_tokens/self"
        && req.header("private-token") == Some(gitlab_pat().as_str())
    {
        (200, vec![], r#"{"id":7,"name":"ci-fake","scopes":["read_api"]}"#.into())
    } else {
        (401, vec![], r#"{"message":"401 Unauthorized"}"#.into())
    }
}

#[test]
fn gitlab_tokens_go_to_the_configured_instance() {
    let gl = Provider::start(gitlab_answer);
    let d = Dir::new();
    d.create("ci.env", format!("GITLAB_TOKEN={}\n", gitlab_pat()));
    let (_, fs, _, stderr) = scan(&d, &["--validate", "--gitlab-url", &gl.url()]);
    let v = &fs.iter().find(|f| f["path"] == "ci.env").unwrap()["validation"];
    assert_eq!(v["status"], "active", "{stderr}");
    assert_eq!(v["identity"], "ci-fake");
    // CI_SERVER_URL does the same inside GitLab CI.
    let mut c = d.cmd();
    c.env("CI_SERVER_URL", gl.url());
    c.args(["scan", ".", "-f", "json", "--validate", "--validate-cache", "none"]);
    let fs = json_lines(&run(&mut c).stdout);
    assert_eq!(fs[0]["validation"]["status"], "active");
    assert_eq!(gl.seen().len(), 2);
}
