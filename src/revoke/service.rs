//! The built-in Token Revocation API service (`leakguard serve`) and its partner dispatcher.
//!
//! HTTP surface: `GET /v1/revocable_token_types`, `POST /v1/revoke_tokens`
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
//! service. The writer also owns the WAL's lifecycle: after every batch of dispatch outcomes,
//! when the WAL passes its soft limit, and when idle, it truncates the WAL so tokens of
//! finished rows leave the disk and the file stays bounded (see [`super::outbox`] for why the
//! truncation must run on the writer).
//!
//! Slow or stalled clients cannot hold the service: a request's headers must arrive within
//! `header_read_timeout_ms` (hyper's HTTP/1 header timer, which also covers idle keep-alive
//! connections) and its body within `body_read_timeout_ms` (else `408` and the connection is
//! closed). The service runs its own accept loop rather than `axum::serve`, which offers
//! neither timeout and whose graceful shutdown waits for every connection forever. On SIGTERM
//! the listener stops, idle connections close, in-flight requests get `shutdown_grace_ms` to
//! finish (and commit); whatever is still open then is dropped, which loses nothing that was
//! acknowledged (`204` is sent only after the commit). The dispatcher completes its current
//! batch within the same deadline (else it is stopped and its rows stay pending, to be sent
//! again: delivery is at least once), and the writer drains its queue and truncates the WAL
//! before exit.
//!
//! Startup is split the same way: [`Service::start`] loads the token and keys, opens the
//! outbox and spawns the writer, so a caller can say "listening" only once the configuration
//! has proven valid, then [`Service::run`] serves.

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
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc, oneshot, watch};
use tower::ServiceExt as _;

use super::config::{ServiceConfig, read_secret};
use super::gitlab::{GitLabRevoker, Outcome, without_url};
use super::keys::{KeyStore, PublicKeys};
use super::outbox::{
    CHECKPOINT_WAIT, Item, NewItem, Outbox, Stats, Summary, Update, WAL_SOFT_LIMIT_BYTES,
};
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
    /// The checkpoint thread saw an idle, non-empty WAL: truncate it.
    Checkpoint,
}

/// Handle to the writer thread that owns the outbox.
#[derive(Clone)]
struct Db {
    tx: mpsc::Sender<Cmd>,
}

impl Db {
    fn spawn(
        mut outbox: Outbox,
        ckpt: CheckpointLock,
    ) -> Result<(Db, std::thread::JoinHandle<()>), Error> {
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
                    let wants_truncate = run_batch(&mut outbox, cmds);
                    if wants_truncate || outbox.wal_bytes() > WAL_SOFT_LIMIT_BYTES {
                        let _one_at_a_time = lock(&ckpt);
                        outbox.truncate_wal(CHECKPOINT_WAIT);
                    }
                }
                let _one_at_a_time = lock(&ckpt);
                outbox.truncate_wal(Duration::from_secs(2));
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

/// Serialises the checkpoint thread's `PASSIVE` copies and the writer's truncations within
/// the process: SQLite lets one checkpoint run at a time and would make the other poll its
/// busy handler (and give up after [`CHECKPOINT_WAIT`], letting the WAL grow); with the lock
/// the writer waits exactly as long as the copy in progress, and the checkpoint thread skips a
/// tick while the writer truncates.
type CheckpointLock = Arc<std::sync::Mutex<()>>;

fn lock(l: &CheckpointLock) -> std::sync::MutexGuard<'_, ()> {
    l.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Executes a batch of commands; all enqueues share one transaction (group commit). Returns
/// whether the WAL should be truncated now: outcomes were recorded (tokens were cleared) or
/// the checkpoint thread asked for it.
fn run_batch(outbox: &mut Outbox, cmds: Vec<Cmd>) -> bool {
    let mut wants_truncate = false;
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
            Cmd::Checkpoint => wants_truncate = true,
            Cmd::Complete(ups, r) => {
                wants_truncate = true;
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
    wants_truncate
}

/// Copies WAL frames into the database from its own connection every 200 ms (`PASSIVE`), so
/// commits never pay for that copy and the writer's truncating checkpoint finds little left to
/// do; when the WAL has stopped changing (idle) but is not empty, asks the writer to truncate
/// it. It holds only a weak handle to the writer's queue, so it never keeps the writer alive.
struct Checkpointer {
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    fn spawn(
        outbox: Outbox,
        writer: mpsc::WeakSender<Cmd>,
        ckpt: CheckpointLock,
    ) -> Result<Checkpointer, Error> {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let path = outbox.path().to_path_buf();
        let handle = std::thread::Builder::new()
            .name("leakguard-checkpoint".into())
            .spawn(move || {
                let mut last = u64::MAX;
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if let Ok(_one_at_a_time) = ckpt.try_lock() {
                        if let Err(e) = outbox.checkpoint() {
                            tracing::warn!("checkpoint: {e}");
                        }
                    }
                    let size = outbox.wal_bytes();
                    if size > 0 && size == last {
                        if let Some(tx) = writer.upgrade() {
                            let _ = tx.try_send(Cmd::Checkpoint);
                        }
                    }
                    last = size;
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
    body_read_timeout: Duration,
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

/// A service whose configuration has been proven valid: service token and signing keys
/// loaded, outbox opened (its WAL truncated), writer and checkpoint threads running, partner
/// and GitLab routes built. [`Service::run`] serves it.
pub struct Service {
    cfg: ServiceConfig,
    app: Arc<App>,
    db: Db,
    writer: std::thread::JoinHandle<()>,
    checkpointer: Checkpointer,
    dispatcher: Dispatcher,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("state_dir", &self.cfg.state_dir).finish_non_exhaustive()
    }
}

impl Service {
    /// Loads everything the service needs and starts its outbox threads; any configuration
    /// error surfaces here, before the caller announces the service.
    pub fn start(cfg: ServiceConfig) -> Result<Service, Error> {
        let token = cfg.service_token()?;
        let keys = KeyStore::open(&cfg.state_dir)?;
        let gitlab = match &cfg.gitlab {
            None => None,
            Some(g) => {
                let admin = g.admin_token_file.as_deref().map(read_secret).transpose()?;
                Some(GitLabRevoker::new(&g.url, admin, cfg.dispatch.timeout)?)
            }
        };
        let http = reqwest::Client::builder()
            .timeout(cfg.dispatch.timeout)
            .user_agent(concat!("leakguard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Http(e.to_string()))?;
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
        let outbox = Outbox::open_with(&cfg.outbox_path(), cfg.sync)?;
        outbox.disable_auto_checkpoint()?;
        // a WAL left by a killed process may hold tokens of rows finished before the kill
        outbox.truncate_wal(Duration::from_secs(2));
        let passive = Outbox::open_with(&cfg.outbox_path(), cfg.sync)?;
        passive.disable_auto_checkpoint()?;
        let ckpt = CheckpointLock::default();
        let (db, writer) = Db::spawn(outbox, ckpt.clone())?;
        let checkpointer = Checkpointer::spawn(passive, db.tx.downgrade(), ckpt)?;
        let wake = Arc::new(Notify::new());
        let app = Arc::new(App {
            token_hash: Sha256::digest(token.as_bytes()).into(),
            routes,
            types_body: json!({ "types": cfg.revocable_types() }).to_string(),
            max_body_bytes: cfg.max_body_bytes,
            body_read_timeout: cfg.http.body_read_timeout,
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
        let dispatcher = Dispatcher { cfg: cfg.clone(), db: db.clone(), keys, gitlab, http, wake };
        Ok(Service { cfg, app, db, writer, checkpointer, dispatcher })
    }

    /// Serves on `listener` until `shutdown` resolves, then shuts down within
    /// `shutdown_grace_ms` (see the module doc).
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let Service { cfg, app, db, writer, checkpointer, dispatcher } = self;
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut dispatcher = tokio::spawn(dispatch_loop(dispatcher, stop_rx));
        let router = Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route("/v1/revocable_token_types", get(types))
            .route("/v1/revoke_tokens", post(revoke_tokens))
            .route("/v1/public_keys", get(public_keys))
            .route("/v1/admin/status", get(admin_status))
            .with_state(app);
        let deadline = serve_http(listener, router, &cfg, shutdown).await;
        tracing::info!("listener closed; finishing the current dispatch batch");
        let _ = stop_tx.send(true);
        if tokio::time::timeout_at(deadline, &mut dispatcher).await.is_err() {
            tracing::warn!("dispatcher still busy after the shutdown grace; its rows stay pending");
            dispatcher.abort();
            let _ = dispatcher.await;
        }
        drop(db);
        let _ = tokio::task::spawn_blocking(move || {
            let _ = writer.join();
            checkpointer.stop();
        })
        .await;
        Ok(())
    }
}

/// Runs the service on `listener` until `shutdown` resolves, then shuts down gracefully:
/// [`Service::start`] then [`Service::run`].
pub async fn serve(
    cfg: ServiceConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    Service::start(cfg)?.run(listener, shutdown).await
}

/// The accept loop: HTTP/1 with a header read timeout; on `shutdown`, stops accepting, asks
/// every connection to finish (idle ones close at once), waits until the grace deadline and
/// drops what is left. Returns that deadline, which also bounds the rest of the shutdown.
async fn serve_http(
    listener: TcpListener,
    router: Router,
    cfg: &ServiceConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> tokio::time::Instant {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(cfg.http.header_read_timeout);
    let (close_tx, close_rx) = watch::channel(false);
    let mut conns = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // EMFILE and friends: back off instead of spinning
                        tracing::warn!("accept: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let router = router.clone();
                let svc = hyper::service::service_fn(
                    move |mut req: axum::http::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(ConnectInfo(peer));
                        router.clone().oneshot(req)
                    },
                );
                let conn = builder.serve_connection(TokioIo::new(stream), svc);
                let mut close = close_rx.clone();
                conns.spawn(async move {
                    tokio::pin!(conn);
                    tokio::select! {
                        r = conn.as_mut() => {
                            if let Err(e) = r {
                                tracing::debug!("connection from {peer}: {e}");
                            }
                            return;
                        }
                        _ = close.changed() => conn.as_mut().graceful_shutdown(),
                    }
                    if let Err(e) = conn.await {
                        tracing::debug!("connection from {peer}: {e}");
                    }
                });
            }
        }
    }
    drop(listener);
    let deadline = tokio::time::Instant::now() + cfg.http.shutdown_grace;
    let _ = close_tx.send(true);
    let drained =
        tokio::time::timeout_at(deadline, async { while conns.join_next().await.is_some() {} })
            .await;
    if drained.is_err() {
        tracing::warn!(
            "{} connection(s) still open after the {:?} shutdown grace; closing them",
            conns.len(),
            cfg.http.shutdown_grace
        );
        conns.shutdown().await;
    }
    deadline
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
    let bytes = match tokio::time::timeout(
        app.body_read_timeout,
        axum::body::to_bytes(body, app.max_body_bytes),
    )
    .await
    {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => return error(StatusCode::BAD_REQUEST, "body too large"),
        Err(_) => {
            tracing::warn!(
                "{}: request body not received within {:?}",
                peer.ip(),
                app.body_read_timeout
            );
            let mut r = error(StatusCode::REQUEST_TIMEOUT, "request body timed out");
            r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
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
