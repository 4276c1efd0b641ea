//! The built-in Token Revocation API service (`leakguard serve`) and its partner dispatcher.
//!
//! HTTP surface (SPECS.md §2.3/§2.4): `GET /v1/revocable_token_types`, `POST /v1/revoke_tokens`
//! (both need the pre-shared token verbatim in `Authorization`), `GET /v1/public_keys`,
//! `GET /v1/admin/status` (authenticated), `GET /healthz`.
//!
//! Design decision: **`204` means durable.** A `POST` is validated completely (shape, types,
//! size) before anything is written, then handed to a single writer thread that owns the
//! SQLite outbox; the handler answers only after the writer's transaction committed. The
//! writer drains its queue and commits everything waiting in *one* transaction (group commit),
//! so `synchronous = FULL` costs one fsync per batch of requests, not per request, and WAL
//! checkpoints run on their own connection and thread (never inline in a commit, which showed
//! up as 100+ ms p99 stalls in the benchmark). A separate
//! dispatcher task reads due rows, signs each partner batch once over the exact body bytes it
//! sends, and records the outcome; failures are retried with backoff until `max_attempts`,
//! then the row becomes a dead letter (visible in `serve status`). Because only the writer
//! thread touches the database, there is no lock contention and no `SQLITE_BUSY` inside the
//! service. On SIGTERM the listener stops, in-flight requests finish (and commit), the
//! dispatcher completes its current batch, and the writer drains its queue before exit.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc, oneshot, watch};

use super::config::{ServiceConfig, read_secret};
use super::gitlab::{GitLabRevoker, Outcome, without_url};
use super::keys::{KeyStore, PublicKeys};
use super::outbox::{Item, NewItem, Outbox, Stats, Summary, Update};
use super::partner::{KEY_ID_HEADER, SIGNATURE_HEADER};
use super::{Error, PartnerRequest, now_ms};

/// Outbox destination of the built-in GitLab handler.
pub const GITLAB_DESTINATION: &str = "gitlab";

/// Outbox destination of a partner.
pub fn partner_destination(url: &str) -> String {
    format!("partner:{url}")
}

type Reply<T> = oneshot::Sender<Result<T, String>>;

enum Cmd {
    Enqueue(Vec<NewItem>, Reply<usize>),
    Due(i64, usize, Reply<Vec<Item>>),
    NextDue(Reply<Option<i64>>),
    Complete(Vec<Update>, Reply<()>),
    Status(Reply<(Stats, Vec<Summary>)>),
}

/// Handle to the writer thread that owns the outbox.
#[derive(Clone)]
struct Db {
    tx: mpsc::Sender<Cmd>,
}

impl Db {
    fn spawn(mut outbox: Outbox) -> Result<(Db, std::thread::JoinHandle<()>), Error> {
        let (tx, mut rx) = mpsc::channel::<Cmd>(65_536);
        let outbox_path = outbox.path().to_path_buf();
        let handle = std::thread::Builder::new()
            .name("leakguard-outbox".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut cmds = vec![first];
                    while cmds.len() < 4096 {
                        match rx.try_recv() {
                            Ok(c) => cmds.push(c),
                            Err(_) => break,
                        }
                    }
                    run_batch(&mut outbox, cmds);
                }
            })
            .map_err(|e| Error::io(outbox_path, e))?;
        Ok((Db { tx }, handle))
    }

    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Cmd) -> Result<T, String> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(make(tx)).await.map_err(|_| "outbox writer stopped".to_string())?;
        rx.await.map_err(|_| "outbox writer stopped".to_string())?
    }
}

/// Executes a batch of commands; all enqueues share one transaction (group commit).
fn run_batch(outbox: &mut Outbox, cmds: Vec<Cmd>) {
    let mut enqueues: Vec<(Vec<NewItem>, Reply<usize>)> = Vec::new();
    let mut others = Vec::new();
    for c in cmds {
        match c {
            Cmd::Enqueue(items, r) => enqueues.push((items, r)),
            c => others.push(c),
        }
    }
    if !enqueues.is_empty() {
        let batches: Vec<&[NewItem]> = enqueues.iter().map(|(i, _)| i.as_slice()).collect();
        let start = Instant::now();
        let result = outbox.enqueue_batches(&batches);
        let took = start.elapsed();
        if took > Duration::from_millis(50) {
            tracing::warn!("slow outbox commit: {} request(s) took {took:?}", batches.len());
        }
        match result {
            Ok(counts) => {
                for ((_, r), n) in enqueues.into_iter().zip(counts) {
                    let _ = r.send(Ok(n));
                }
            }
            Err(e) => {
                tracing::error!("outbox commit failed: {e}");
                for (_, r) in enqueues {
                    let _ = r.send(Err(e.to_string()));
                }
            }
        }
    }
    for c in others {
        match c {
            Cmd::Enqueue(..) => {}
            Cmd::Due(now, limit, r) => {
                let _ = r.send(outbox.due(now, limit).map_err(|e| e.to_string()));
            }
            Cmd::NextDue(r) => {
                let _ = r.send(outbox.next_due_ms().map_err(|e| e.to_string()));
            }
            Cmd::Complete(ups, r) => {
                let start = Instant::now();
                let _ = r.send(outbox.complete(&ups).map_err(|e| e.to_string()));
                let took = start.elapsed();
                if took > Duration::from_millis(50) {
                    tracing::warn!("slow outbox update: {} row(s) took {took:?}", ups.len());
                }
            }
            Cmd::Status(r) => {
                let res = outbox
                    .stats()
                    .and_then(|s| Ok((s, outbox.summaries(Some("dead"), 100)?)))
                    .map_err(|e| e.to_string());
                let _ = r.send(res);
            }
        }
    }
}

/// Checkpoints the WAL from its own connection every 200 ms, so commits never pay for it.
struct Checkpointer {
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    fn spawn(outbox: Outbox) -> Result<Checkpointer, Error> {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let path = outbox.path().to_path_buf();
        let handle = std::thread::Builder::new()
            .name("leakguard-checkpoint".into())
            .spawn(move || {
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if let Err(e) = outbox.checkpoint(false) {
                        tracing::warn!("checkpoint: {e}");
                    }
                }
                if let Err(e) = outbox.checkpoint(true) {
                    tracing::warn!("final checkpoint: {e}");
                }
            })
            .map_err(|e| Error::io(path, e))?;
        Ok(Checkpointer { stop, handle })
    }

    fn stop(self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = self.handle.join();
    }
}

/// Token-bucket rate limiter keyed by client IP address.
struct RateLimiter {
    rps: f64,
    burst: f64,
    buckets: std::sync::Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// `Ok` if `ip` may make a request now, else how long until it may.
    fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = match self.buckets.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() > 100_000 {
            let (rps, burst) = (self.rps, self.burst);
            map.retain(|_, (t, last)| *t + now.duration_since(*last).as_secs_f64() * rps < burst);
        }
        let (tokens, last) = map.entry(ip).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.rps).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rps))
        }
    }
}

struct App {
    token_hash: [u8; 32],
    routes: HashMap<String, Vec<String>>,
    types_body: String,
    max_body_bytes: usize,
    max_tokens: usize,
    limiter: RateLimiter,
    keys: KeyStore,
    db: Db,
    wake: Arc<Notify>,
}

impl App {
    fn authorized(&self, headers: &HeaderMap) -> bool {
        let given = headers.get(header::AUTHORIZATION).map_or(&b""[..], HeaderValue::as_bytes);
        let h: [u8; 32] = Sha256::digest(given).into();
        h.ct_eq(&self.token_hash).into()
    }

    /// Rate limit, then authentication: `None` admits, `Some` is the refusal to send.
    fn admit(&self, peer: SocketAddr, headers: &HeaderMap) -> Option<Response> {
        if let Err(wait) = self.limiter.check(peer.ip()) {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
            if let Ok(v) = HeaderValue::from_str(&secs.max(1).to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Some(r);
        }
        if !self.authorized(headers) {
            return Some(error(StatusCode::UNAUTHORIZED, "unauthorized"));
        }
        None
    }
}

fn error(status: StatusCode, msg: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], json!({ "error": msg }).to_string())
        .into_response()
}

/// Runs the service on `listener` until `shutdown` resolves, then shuts down gracefully.
pub async fn serve(
    cfg: ServiceConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let token = cfg.service_token()?;
    let keys = KeyStore::open(&cfg.state_dir)?;
    let outbox = Outbox::open_with(&cfg.outbox_path(), cfg.sync)?;
    outbox.disable_auto_checkpoint()?;
    let checkpointer = Checkpointer::spawn(Outbox::open_with(&cfg.outbox_path(), cfg.sync)?)?;
    let gitlab = match &cfg.gitlab {
        None => None,
        Some(g) => {
            let admin = g.admin_token_file.as_deref().map(read_secret).transpose()?;
            Some(GitLabRevoker::new(&g.url, admin, cfg.dispatch.timeout)?)
        }
    };
    let mut routes: HashMap<String, Vec<String>> = HashMap::new();
    for p in &cfg.partners {
        for t in &p.types {
            routes.entry(t.clone()).or_default().push(partner_destination(&p.url));
        }
    }
    if let Some(g) = &cfg.gitlab {
        for t in &g.types {
            routes.entry(t.clone()).or_default().push(GITLAB_DESTINATION.into());
        }
    }
    let (db, writer) = Db::spawn(outbox)?;
    let wake = Arc::new(Notify::new());
    let app = Arc::new(App {
        token_hash: Sha256::digest(token.as_bytes()).into(),
        routes,
        types_body: json!({ "types": cfg.revocable_types() }).to_string(),
        max_body_bytes: cfg.max_body_bytes,
        max_tokens: cfg.max_tokens_per_request,
        limiter: RateLimiter {
            rps: cfg.rate_limit.requests_per_second,
            burst: cfg.rate_limit.burst,
            buckets: std::sync::Mutex::new(HashMap::new()),
        },
        keys: keys.clone(),
        db: db.clone(),
        wake: wake.clone(),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let dispatcher = tokio::spawn(dispatch_loop(
        Dispatcher {
            cfg: cfg.clone(),
            db: db.clone(),
            keys,
            gitlab,
            http: reqwest::Client::builder()
                .timeout(cfg.dispatch.timeout)
                .user_agent(concat!("leakguard/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| Error::Http(e.to_string()))?,
            wake,
        },
        stop_rx,
    ));
    let router = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/revocable_token_types", get(types))
        .route("/v1/revoke_tokens", post(revoke_tokens))
        .route("/v1/public_keys", get(public_keys))
        .route("/v1/admin/status", get(admin_status))
        .with_state(app);
    let served = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Http(e.to_string()));
    tracing::info!("listener closed; finishing the current dispatch batch");
    let _ = stop_tx.send(true);
    let _ = dispatcher.await;
    drop(db);
    let _ = tokio::task::spawn_blocking(move || {
        let _ = writer.join();
        checkpointer.stop();
    })
    .await;
    served
}

async fn types(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = app.admit(peer, &headers) {
        return r;
    }
    ([(header::CONTENT_TYPE, "application/json")], app.types_body.clone()).into_response()
}

async fn public_keys(State(app): State<Arc<App>>) -> Response {
    match app.keys.public_keys() {
        Ok(keys) => (
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string(&PublicKeys { public_keys: keys }).unwrap_or_default(),
        )
            .into_response(),
        Err(e) => {
            tracing::error!("{e}");
            error(StatusCode::INTERNAL_SERVER_ERROR, "keys unavailable")
        }
    }
}

async fn admin_status(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = app.admit(peer, &headers) {
        return r;
    }
    match app.db.call(Cmd::Status).await {
        Ok((stats, dead)) => (
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "outbox": stats, "dead_letters": dead }).to_string(),
        )
            .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e),
    }
}

/// Validates a `POST /v1/revoke_tokens` body into (type, token, location) triples, at most
/// `max_tokens` of them. Public (hidden) so the fuzz targets can call it without a server.
#[doc(hidden)]
pub fn parse_body(body: &[u8], max_tokens: usize) -> Result<Vec<(String, String, String)>, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    let arr = v.as_array().ok_or("body must be a JSON array")?;
    if arr.len() > max_tokens {
        return Err(format!("too many tokens ({} > {max_tokens})", arr.len()));
    }
    arr.iter()
        .enumerate()
        .map(|(i, e)| {
            let field = |k: &str| e.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
            let kind =
                field("type").ok_or(format!("element {i}: \"type\" must be a non-empty string"))?;
            let token = field("token")
                .ok_or(format!("element {i}: \"token\" must be a non-empty string"))?;
            let location = match e.get("location") {
                None | Some(Value::Null) => "",
                Some(Value::String(s)) => s.as_str(),
                Some(_) => return Err(format!("element {i}: \"location\" must be a string")),
            };
            Ok((kind.to_string(), token.to_string(), location.to_string()))
        })
        .collect()
}

async fn revoke_tokens(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(r) = app.admit(peer, &headers) {
        return r;
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > app.max_body_bytes) {
        return error(StatusCode::BAD_REQUEST, "body too large");
    }
    let Ok(bytes) = axum::body::to_bytes(body, app.max_body_bytes).await else {
        return error(StatusCode::BAD_REQUEST, "body too large");
    };
    let triples = match parse_body(&bytes, app.max_tokens) {
        Ok(t) => t,
        Err(msg) => return error(StatusCode::BAD_REQUEST, &msg),
    };
    let mut items = Vec::with_capacity(triples.len());
    for (kind, token, location) in triples {
        let Some(dests) = app.routes.get(&kind) else {
            return error(StatusCode::BAD_REQUEST, &format!("unsupported type {kind:?}"));
        };
        for d in dests {
            items.push(NewItem {
                destination: d.clone(),
                revocation_type: kind.clone(),
                token: token.clone(),
                location: location.clone(),
            });
        }
    }
    let n = items.len();
    match app.db.call(|r| Cmd::Enqueue(items, r)).await {
        Ok(new) => {
            tracing::info!("accepted {n} revocation(s) ({new} new) from {}", peer.ip());
            if new > 0 {
                app.wake.notify_one();
            }
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => {
            tracing::error!("cannot record revocations: {e}");
            error(StatusCode::INTERNAL_SERVER_ERROR, "cannot record the request; retry")
        }
    }
}

struct Dispatcher {
    cfg: ServiceConfig,
    db: Db,
    keys: KeyStore,
    gitlab: Option<GitLabRevoker>,
    http: reqwest::Client,
    wake: Arc<Notify>,
}

async fn dispatch_loop(d: Dispatcher, mut stop: watch::Receiver<bool>) {
    let d = Arc::new(d);
    loop {
        if *stop.borrow() {
            break;
        }
        let due = match d.db.call(|r| Cmd::Due(now_ms(), 500, r)).await {
            Ok(due) => due,
            Err(e) => {
                tracing::error!("dispatcher: {e}");
                Vec::new()
            }
        };
        if due.is_empty() {
            let mut wait = d.cfg.dispatch.poll_interval;
            if let Ok(Some(next)) = d.db.call(Cmd::NextDue).await {
                let until = u64::try_from(next - now_ms()).unwrap_or(0);
                wait = wait.min(Duration::from_millis(until.max(5)));
            }
            tokio::select! {
                () = d.wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
            continue;
        }
        let updates = dispatch_batch(&d, due).await;
        if let Err(e) = d.db.call(|r| Cmd::Complete(updates, r)).await {
            tracing::error!("dispatcher: cannot record outcomes: {e}");
        }
    }
}

/// Sends every due row once; returns the outcome of each.
async fn dispatch_batch(d: &Arc<Dispatcher>, due: Vec<Item>) -> Vec<Update> {
    let mut groups: HashMap<String, Vec<Item>> = HashMap::new();
    for it in due {
        groups.entry(it.destination.clone()).or_default().push(it);
    }
    let sem = Arc::new(tokio::sync::Semaphore::new(d.cfg.dispatch.concurrency));
    let mut set = tokio::task::JoinSet::new();
    for (dest, items) in groups {
        if dest == GITLAB_DESTINATION {
            for it in items {
                let (d, sem) = (d.clone(), sem.clone());
                set.spawn(async move {
                    let _permit = sem.acquire_owned().await;
                    vec![to_gitlab(&d, it).await]
                });
            }
        } else {
            let url = dest.strip_prefix("partner:").unwrap_or(&dest).to_string();
            let known = d.cfg.partners.iter().any(|p| p.url == url);
            for chunk in items.chunks(d.cfg.dispatch.batch_size) {
                let chunk = chunk.to_vec();
                let (d, sem, url) = (d.clone(), sem.clone(), url.clone());
                set.spawn(async move {
                    let _permit = sem.acquire_owned().await;
                    if !known {
                        return chunk
                            .iter()
                            .map(|it| Update::Retry {
                                id: it.id,
                                error: "partner no longer configured".into(),
                                next_attempt_ms: now_ms(),
                                max_attempts: 0,
                            })
                            .collect();
                    }
                    to_partner(&d, &url, &chunk).await
                });
            }
        }
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        match r {
            Ok(u) => out.extend(u),
            Err(e) => tracing::error!("dispatch task failed: {e}"),
        }
    }
    out
}

/// The first `n` characters of an identifier or hash, for logs.
fn short(s: &str, n: usize) -> &str {
    s.get(..n).unwrap_or(s)
}

fn retry(d: &Dispatcher, it: &Item, error: String, retry_after: Option<Duration>) -> Update {
    let b = d.cfg.dispatch.backoff;
    let delay = b.delay(it.attempts + 1, retry_after);
    Update::Retry {
        id: it.id,
        error,
        next_attempt_ms: now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2),
        max_attempts: b.max_attempts,
    }
}

async fn to_partner(d: &Dispatcher, url: &str, chunk: &[Item]) -> Vec<Update> {
    let reqs: Vec<PartnerRequest> = chunk
        .iter()
        .map(|it| PartnerRequest {
            kind: it.revocation_type.clone(),
            token: it.token.clone().unwrap_or_default(),
            url: it.location.clone(),
        })
        .collect();
    let all = |f: &dyn Fn(&Item) -> Update| chunk.iter().map(f).collect::<Vec<_>>();
    let body = match serde_json::to_vec(&reqs) {
        Ok(b) => b,
        Err(e) => return all(&|it| retry(d, it, format!("serialise: {e}"), None)),
    };
    let (key_id, sig) = match d.keys.sign(&body) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("cannot sign: {e}");
            return all(&|it| retry(d, it, "signing key unavailable".into(), None));
        }
    };
    let resp = d
        .http
        .post(url)
        .header("Content-Type", "application/json")
        .header(KEY_ID_HEADER, &key_id)
        .header(SIGNATURE_HEADER, &sig)
        .body(body)
        .send()
        .await;
    match resp {
        Ok(r) if r.status().is_success() => {
            let outcome = format!("delivered ({}) key {}", r.status().as_u16(), short(&key_id, 8));
            tracing::info!("partner {url}: {} token(s) {outcome}", chunk.len());
            all(&|it| Update::done(it.id, &outcome))
        }
        Ok(r) => {
            let ra = r
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(super::backoff::parse_retry_after);
            let why = format!("partner answered {}", r.status().as_u16());
            tracing::warn!("partner {url}: {why}; {} token(s) will be retried", chunk.len());
            all(&|it| retry(d, it, why.clone(), ra))
        }
        Err(e) => {
            let why = format!("partner unreachable: {}", without_url(&e));
            tracing::warn!("partner {url}: {why}; {} token(s) will be retried", chunk.len());
            all(&|it| retry(d, it, why.clone(), None))
        }
    }
}

async fn to_gitlab(d: &Dispatcher, it: Item) -> Update {
    let Some(gl) = &d.gitlab else {
        return Update::Retry {
            id: it.id,
            error: "GitLab handler no longer configured".into(),
            next_attempt_ms: now_ms(),
            max_attempts: 0,
        };
    };
    let token = it.token.clone().unwrap_or_default();
    let self_only = super::config::GITLAB_SELF_REVOCABLE.contains(&it.revocation_type.as_str());
    if !gl.has_admin_token() && !self_only {
        return Update::Failed { id: it.id, error: "needs [gitlab] admin_token_file".into() };
    }
    match gl.revoke(&token).await {
        Outcome::Done(o) => {
            tracing::info!("GitLab token {}: {o}", short(&it.key, 12));
            Update::Done { id: it.id, outcome: o }
        }
        Outcome::Permanent(e) => {
            tracing::warn!("GitLab token {}: {e}", short(&it.key, 12));
            Update::Failed { id: it.id, error: e }
        }
        Outcome::Retry(e, ra) => retry(d, &it, e, ra),
    }
}

/// What `leakguard serve status` shows.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StatusReport {
    /// Counts per state.
    pub outbox: Stats,
    /// Dead letters (newest first, at most 100).
    pub dead_letters: Vec<Summary>,
    /// Permanently failed rows (newest first, at most 100).
    pub failed: Vec<Summary>,
    /// Recently finished rows (newest first, at most 20).
    pub recent: Vec<Summary>,
}

/// Reads the outbox of the service configured by `cfg` (works while it runs).
pub fn status(cfg: &ServiceConfig) -> Result<StatusReport, Error> {
    let ob = Outbox::open(&cfg.outbox_path())?;
    Ok(StatusReport {
        outbox: ob.stats()?,
        dead_letters: ob.summaries(Some("dead"), 100)?,
        failed: ob.summaries(Some("failed"), 100)?,
        recent: ob.summaries(Some("done"), 20)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_validation() {
        assert!(parse_body(b"{", 10).unwrap_err().starts_with("malformed JSON"));
        assert!(parse_body(b"{}", 10).is_err());
        assert!(parse_body(br#"[{"type":"t"}]"#, 10).is_err());
        assert!(parse_body(br#"[{"type":"t","token":"x","location":3}]"#, 10).is_err());
        assert!(parse_body(br#"[{"type":"t","token":"x"},{"type":"t","token":"y"}]"#, 1).is_err());
        let ok = parse_body(br#"[{"type":"t","token":"x","location":"l","vulnerability":{}}]"#, 10);
        assert_eq!(ok.unwrap(), vec![("t".into(), "x".into(), "l".into())]);
    }

    #[test]
    fn rate_limiter_refills() {
        let rl = RateLimiter { rps: 1000.0, burst: 2.0, buckets: Default::default() };
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert!(rl.check(ip).is_ok() && rl.check(ip).is_ok());
        assert!(rl.check(ip).is_err());
        std::thread::sleep(Duration::from_millis(5));
        assert!(rl.check(ip).is_ok());
    }
}
