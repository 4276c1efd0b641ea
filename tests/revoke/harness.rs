//! Processes, ports, generated tokens and the no-leak check shared by the revocation tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::Rng as _;
use serde_json::Value;

pub const SERVICE_TOKEN: &str = "svc-test-token-5d1c2e";

/// A free port on 127.0.0.1 (bound, then released; used where a port must be known before
/// the process that will own it starts).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// Polls `f` until it returns `Some`, or panics after `timeout` with `what`.
pub fn wait_for<T>(timeout: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// One test's world: a temp dir, a logs dir, and the tokens that must never leak.
pub struct World {
    pub dir: tempfile::TempDir,
    pub secrets: Vec<String>,
    seq: AtomicUsize,
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("logs")).expect("logs dir");
        std::fs::write(dir.path().join("service-token.txt"), format!("{SERVICE_TOKEN}\n"))
            .expect("token file");
        World { dir, secrets: Vec::new(), seq: AtomicUsize::new(0) }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn log_paths(&self, name: &str) -> (PathBuf, PathBuf) {
        let n = self.seq.fetch_add(1, Ordering::SeqCst);
        let logs = self.path("logs");
        (logs.join(format!("{n:02}-{name}.out")), logs.join(format!("{n:02}-{name}.err")))
    }

    /// `leakguard ARGS` in the work directory, with the shared hermetic environment
    /// (`util::leakguard_cmd`) and no revocation credentials inherited from the caller.
    fn command(&self, args: &[&str], envs: &[(&str, &str)]) -> Command {
        let mut c = crate::util::leakguard_cmd();
        c.args(args)
            .env_remove(leakguard::revoke::config::SERVICE_TOKEN_ENV)
            .env_remove("LEAKGUARD_REVOCATION_TOKEN")
            .env_remove("CI_PROJECT_URL")
            .envs(envs.iter().copied())
            .current_dir(self.dir.path());
        c
    }

    /// Runs `leakguard ARGS` to completion; stdout/stderr are kept under logs/.
    pub fn run(&self, name: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
        let out = self.command(args, envs).output().expect("run leakguard");
        let (o, e) = self.log_paths(name);
        std::fs::write(o, &out.stdout).expect("log");
        std::fs::write(e, &out.stderr).expect("log");
        out
    }

    /// Starts `leakguard ARGS` in the background with output going to log files.
    pub fn spawn(&self, name: &str, args: &[&str], envs: &[(&str, &str)]) -> Proc {
        let (o, e) = self.log_paths(name);
        let child = self
            .command(args, envs)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&o).expect("log"))
            .stderr(std::fs::File::create(&e).expect("log"))
            .spawn()
            .expect("spawn leakguard");
        Proc { child, stderr: e, name: name.into() }
    }

    /// Starts the example partner receiver for the service at `service_url`.
    pub fn partner(&self, service_url: &str, port: u16, record: &str) -> (Proc, String) {
        let listen = format!("127.0.0.1:{port}");
        let keys = format!("{service_url}/v1/public_keys");
        let p = self.spawn(
            "partner",
            &[
                "-v",
                "partner",
                "serve",
                "--public-keys",
                &keys,
                "--listen",
                &listen,
                "--record",
                record,
            ],
            &[],
        );
        let addr = p.wait_addr("leakguard partner: listening on ");
        (p, addr)
    }

    /// Writes a service config and returns its path. `partners` are (types, url).
    pub fn service_config(
        &self,
        name: &str,
        port: u16,
        partners: &[(&[&str], &str)],
        extra: &str,
    ) -> PathBuf {
        let mut cfg = format!(
            "listen = \"127.0.0.1:{port}\"\nauth_token_file = \"service-token.txt\"\n\
             state_dir = \"{name}-state\"\n{extra}\n\
             [dispatch]\nbackoff_base_ms = 40\nbackoff_max_ms = 300\npoll_interval_ms = 50\n\
             timeout_ms = 2000\nmax_attempts = 200\n"
        );
        for (types, url) in partners {
            let types: Vec<String> = types.iter().map(|t| format!("\"{t}\"")).collect();
            cfg.push_str(&format!(
                "[[partners]]\ntypes = [{}]\nurl = \"{url}\"\n",
                types.join(", ")
            ));
        }
        let p = self.path(&format!("{name}.toml"));
        std::fs::write(&p, cfg).expect("config");
        p
    }

    /// Starts `leakguard serve` and returns it with its base URL.
    pub fn serve(&self, config: &Path) -> (Proc, String) {
        let cfg = config.to_str().expect("utf-8");
        let p = self.spawn("serve", &["-v", "serve", "--config", cfg], &[]);
        let addr = p.wait_addr("leakguard serve: listening on ");
        (p, addr)
    }

    /// Asserts that no log file (and no file in `extra`) contains a generated token.
    pub fn assert_no_leaks(&self, extra: &[&Path]) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.path("logs"))
            .expect("logs")
            .map(|e| e.expect("entry").path())
            .collect();
        files.extend(extra.iter().map(|p| p.to_path_buf()));
        assert!(!self.secrets.is_empty(), "a leak check without secrets checks nothing");
        let mut scanned = 0;
        for f in files {
            let Ok(text) = std::fs::read(&f) else { continue };
            let text = String::from_utf8_lossy(&text);
            scanned += text.len();
            for s in &self.secrets {
                assert!(!text.contains(s.as_str()), "{} contains a full token", f.display());
            }
        }
        assert!(scanned > 0, "no output was captured");
    }
}

/// A background `leakguard` process.
pub struct Proc {
    pub child: Child,
    stderr: PathBuf,
    name: String,
}

impl Proc {
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits for the `<marker>http://ADDR` line and returns `http://ADDR`.
    pub fn wait_addr(&self, marker: &str) -> String {
        wait_for(Duration::from_secs(20), &format!("{} to listen", self.name), || {
            let err = self.stderr();
            let rest = &err[err.find(marker)? + marker.len()..];
            let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
            Some(rest[..end].to_string())
        })
    }

    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the exit status.
    pub fn term(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
        assert!(ok.success());
        let start = Instant::now();
        loop {
            if let Some(st) = self.child.try_wait().expect("wait") {
                return st;
            }
            assert!(start.elapsed() < Duration::from_secs(15), "{} ignored SIGTERM", self.name);
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn random_from(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n).map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char).collect()
}

/// A GitHub classic PAT with a valid CRC32/base62 checksum.
pub fn ghp() -> String {
    let payload = random_from(B62, 30);
    format!("ghp_{payload}{}", leakguard::check::base62_crc32(payload.as_bytes()))
}

/// An AWS access key id `AKIA` + 16 base32 characters.
pub fn akia() -> String {
    format!("AKIA{}", random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))
}

/// A 40-character AWS secret access key.
pub fn aws_secret() -> String {
    random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
}

/// A legacy GitLab personal access token.
pub fn glpat() -> String {
    format!("glpat-{}", random_from(B62, 20))
}

/// Any opaque token for API-level tests.
pub fn opaque(prefix: &str) -> String {
    format!("{prefix}{}", random_from(B62, 32))
}

pub fn sha256(s: &str) -> String {
    leakguard::revoke::token_sha256(s)
}

/// Parsed lines of a partner record file.
pub fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("record line is JSON"))
        .collect()
}

/// token_sha256 of every verified item in a record file, in arrival order.
pub fn received(path: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for r in records(path) {
        assert_eq!(r["verified"], true, "unverified partner request: {r}");
        for it in r["items"].as_array().expect("items") {
            out.push(it["token_sha256"].as_str().expect("hash").to_string());
        }
    }
    out
}

/// Waits until `record` holds exactly the hashes of `tokens` (each once), then checks that no
/// more arrive for a short while.
pub fn expect_each_once(record: &Path, tokens: &[String]) {
    let mut want: Vec<String> = tokens.iter().map(|t| sha256(t)).collect();
    want.sort();
    wait_for(Duration::from_secs(20), "partner to receive every token", || {
        (received(record).len() >= want.len()).then_some(())
    });
    std::thread::sleep(Duration::from_millis(300));
    let mut got = received(record);
    got.sort();
    assert_eq!(got, want, "each token exactly once");
}

/// Blocking HTTP request helper (tokio current-thread + reqwest).
pub fn http(
    method: &str,
    url: &str,
    auth: Option<&str>,
    body: Option<Vec<u8>>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    rt.block_on(async {
        let c = reqwest::Client::new();
        let mut req = c.request(method.parse().expect("method"), url);
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        (status, headers, resp.text().await.expect("body"))
    })
}

/// POSTs `[{type, token, location}]` to the service with the right token; returns the status.
pub fn post_tokens(service: &str, items: &[(&str, &str)]) -> u16 {
    let body: Vec<Value> = items
        .iter()
        .map(|(t, tok)| serde_json::json!({"type": t, "token": tok, "location": "https://gitlab.example.com/g/r/-/raw/0000000/a.env"}))
        .collect();
    let (status, _, _) = http(
        "POST",
        &format!("{service}/v1/revoke_tokens"),
        Some(SERVICE_TOKEN),
        Some(serde_json::to_vec(&body).expect("json")),
    );
    status
}

/// `serve status --json` of a config.
pub fn status(world: &World, config: &Path) -> Value {
    let out = world.run(
        "status",
        &["serve", "status", "--config", config.to_str().expect("utf-8"), "--json"],
        &[],
    );
    assert!(out.status.success(), "serve status failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("status JSON")
}

/// A request seen by a [`FakeServer`].
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: std::collections::HashMap<String, String>,
    pub body: Vec<u8>,
    pub at: Instant,
}

/// What a fake answers: status, headers, body.
pub type Reply = (u16, Vec<(&'static str, String)>, String);
type Handler = std::sync::Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A real HTTP server on 127.0.0.1 (axum) whose answers a test scripts: it plays GitLab's
/// API, a Token Revocation API or a partner endpoint with injected failures.
pub struct FakeServer {
    pub url: String,
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<Seen>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeServer {
    pub fn start(
        port: u16,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> FakeServer {
        let handler: Handler = std::sync::Arc::new(handler);
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let seen2 = seen.clone();
        let thread = std::thread::spawn(move || {
            let rt =
                tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
            rt.block_on(async move {
                let listener =
                    tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind fake");
                addr_tx.send(listener.local_addr().expect("addr")).expect("send addr");
                let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
                    let (handler, seen) = (handler.clone(), seen2.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = axum::body::to_bytes(body, 16 << 20).await.unwrap_or_default();
                        let s = Seen {
                            method: parts.method.to_string(),
                            path: parts.uri.path().to_string(),
                            headers: parts
                                .headers
                                .iter()
                                .map(|(k, v)| {
                                    (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())
                                })
                                .collect(),
                            body: body.to_vec(),
                            at: Instant::now(),
                        };
                        let (status, headers, text) = handler(&s);
                        seen.lock().expect("lock").push(s);
                        let mut resp = axum::response::Response::new(axum::body::Body::from(text));
                        *resp.status_mut() =
                            axum::http::StatusCode::from_u16(status).expect("status");
                        for (k, v) in headers {
                            resp.headers_mut().insert(k, v.parse().expect("header"));
                        }
                        resp
                    }
                });
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop_rx.await;
                    })
                    .await
                    .expect("fake server");
            });
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(10)).expect("fake server address");
        FakeServer {
            url: format!("http://{addr}"),
            seen,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What a `strings`-like pass over the outbox files finds: per file (database, `-wal`,
/// `-shm`), its size and how many of `tokens` appear in its raw bytes.
#[derive(Debug, Default)]
pub struct DiskScan {
    pub files: Vec<(String, u64, usize)>,
}

impl DiskScan {
    /// Tokens found in any file (counted per file).
    pub fn found(&self) -> usize {
        self.files.iter().map(|f| f.2).sum()
    }
}

impl std::fmt::Display for DiskScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (name, size, n) in &self.files {
            write!(f, "[{name}: {size} bytes, {n} token(s)] ")?;
        }
        Ok(())
    }
}

/// Scans the raw bytes of `db`, `db-wal` and `db-shm` for `tokens` (all sharing `prefix`,
/// like `ghp_`): every occurrence of the prefix is checked against the token set.
pub fn scan_outbox_files(db: &Path, prefix: &str, tokens: &[String]) -> DiskScan {
    let set: std::collections::HashSet<&[u8]> = tokens.iter().map(|t| t.as_bytes()).collect();
    let len = tokens.first().map_or(0, String::len);
    assert!(tokens.iter().all(|t| t.len() == len && t.starts_with(prefix)));
    let mut out = DiskScan::default();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let Ok(bytes) = std::fs::read(&p) else { continue };
        let mut found = 0;
        for at in memchr::memmem::find_iter(&bytes, prefix.as_bytes()) {
            if bytes.get(at..at + len).is_some_and(|cand| set.contains(cand)) {
                found += 1;
            }
        }
        let name = Path::new(&p).file_name().unwrap().to_string_lossy().into_owned();
        out.files.push((name, bytes.len() as u64, found));
    }
    out
}
