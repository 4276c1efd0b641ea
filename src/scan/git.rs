//! Parallel driver for git inputs: scans each distinct blob once and attributes findings.
//!
//! Design decision: the source side ([`crate::source::git`]) hands over a list of distinct
//! blobs, each with the sites (path, oldest introducing commit) it appears at ([`BlobJobs`]).
//! Worker threads pull blob indices from an atomic counter, each with its own object reader
//! and [`ScanScratch`]; a blob is read once (size checked from the object header first, so
//! oversized blobs are never inflated), scanned at its first path, and rescanned at further
//! paths only when the matcher found a candidate (path filters and allowlists can differ
//! per path; the keyword prefilter cannot). Results go over a bounded channel to the calling
//! thread, which alone talks to the [`Sink`], resolves full commit metadata (only for
//! commits with findings), records clean blobs in the [`BlobCache`], and reports a finding
//! once per (secret, path): the same secret at the same path in a later blob (an edit of an
//! unrelated line, a revert) was introduced by the oldest commit, not by each edit. In a range,
//! a secret already present in the parent's version of the file is not reported either.
//!
//! Budgets: workers are plain (not scoped) threads so that the caller can stop waiting.
//! With a per-blob budget, a blob that takes longer is reported as not scanned, its worker is
//! abandoned (it cannot be preempted; its late result is ignored) and a replacement worker
//! continues with the remaining blobs. With an overall deadline the driver returns when it
//! passes and lists every blob not scanned. Nothing here blocks on a worker that overran.
//!
//! Failing closed: what the source could not read while planning ([`BlobJobs::failures`]) and
//! every blob that cannot be read now (missing, corrupt pack data) reach the sink as
//! [`Sink::error`] with the blob's path and a message naming the object id and commit; paths
//! the plan excluded reach it as [`SkipReason::Excluded`] policy skips, once per path. Blobs
//! left over because every worker died are listed as [`NotScannedReason::WorkerLost`].

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel as channel;
use gix::ObjectId;
use gix::object::Kind;

use super::cache::BlobCache;
use super::{ScanScratch, ScanStats, Scanner, Sink, SkipReason, StatsSnapshot};
use crate::finding::Finding;
use crate::finding::coverage::Failure;
use crate::source::git::history::Plan;
use crate::source::git::staged::Staged;
use crate::source::git::{CommitInfoCache, Objects, Repo};
use crate::source::{CommitInfo, Provenance, looks_binary};

/// One place a blob is reported at.
#[derive(Clone, Debug, Default)]
pub struct JobSite {
    /// Path in the repository.
    pub path: String,
    /// The commit findings are attributed to.
    pub commit: Option<ObjectId>,
    /// Age rank of the commit (lower is older); decides which site a repeated secret keeps.
    pub order: u32,
    /// Blobs at the same path in the commit's parents (or in `HEAD` for staged files):
    /// secrets found there too are not new here.
    pub parents: Vec<ObjectId>,
}

/// A list of distinct blobs to scan, each with its sites.
pub trait BlobJobs: Send + Sync + 'static {
    /// Number of blobs.
    fn len(&self) -> usize;
    /// Whether there is nothing to scan.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The id of blob `i`.
    fn blob(&self, i: usize) -> ObjectId;
    /// The sites of blob `i` (appended to `out`).
    fn sites(&self, i: usize, out: &mut Vec<JobSite>);
    /// What the source could not read while listing the blobs; each becomes a sink failure.
    fn failures(&self) -> &[Failure] {
        &[]
    }
    /// Paths the source left out by exclusion; each becomes a policy skip.
    fn excluded(&self) -> &[String] {
        &[]
    }
}

impl BlobJobs for Plan {
    fn len(&self) -> usize {
        self.blobs.len()
    }
    fn blob(&self, i: usize) -> ObjectId {
        self.blobs[i].id
    }
    fn sites(&self, i: usize, out: &mut Vec<JobSite>) {
        for s in &self.blobs[i].sites {
            out.push(JobSite {
                path: self.path(*s).to_string(),
                commit: Some(self.commit(*s).id),
                order: s.commit,
                parents: self.parent_blobs.get(&(i as u32, s.path)).cloned().unwrap_or_default(),
            });
        }
    }
    fn failures(&self) -> &[Failure] {
        &self.failures
    }
    fn excluded(&self) -> &[String] {
        &self.excluded_paths
    }
}

impl BlobJobs for Staged {
    fn len(&self) -> usize {
        self.blobs.len()
    }
    fn blob(&self, i: usize) -> ObjectId {
        self.blobs[i].id
    }
    fn sites(&self, i: usize, out: &mut Vec<JobSite>) {
        let b = &self.blobs[i];
        out.push(JobSite {
            path: b.path.clone(),
            commit: None,
            order: 0,
            parents: b.head.into_iter().collect(),
        });
    }
    fn failures(&self) -> &[Failure] {
        &self.failures
    }
    fn excluded(&self) -> &[String] {
        &self.excluded_paths
    }
}

/// Options for [`scan_blobs`].
#[derive(Clone, Debug)]
pub struct GitScanOptions {
    /// Worker threads.
    pub threads: usize,
    /// Blobs larger than this are skipped (checked from the object header).
    pub max_blob_size: u64,
    /// Scan blobs with a NUL byte in their first 8 KiB too.
    pub scan_binary: bool,
    /// Stop at this instant and report what was not scanned.
    pub deadline: Option<Instant>,
    /// Give up on a single blob after this long.
    pub blob_timeout: Option<Duration>,
}

impl Default for GitScanOptions {
    fn default() -> Self {
        GitScanOptions {
            threads: 1,
            max_blob_size: 100 << 20,
            scan_binary: false,
            deadline: None,
            blob_timeout: None,
        }
    }
}

/// Why a blob was not scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotScannedReason {
    /// It took longer than the per-blob budget.
    BlobTimeout,
    /// The overall deadline passed first.
    Deadline,
    /// Every worker thread ended (died outside the per-blob guard) before reaching it.
    WorkerLost,
}

impl std::fmt::Display for NotScannedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NotScannedReason::BlobTimeout => "blob time budget exceeded",
            NotScannedReason::Deadline => "overall time budget exceeded",
            NotScannedReason::WorkerLost => "the scan's worker threads ended before it",
        })
    }
}

/// A blob that was not scanned because of a time budget.
#[derive(Clone, Debug)]
pub struct NotScanned {
    /// Blob id.
    pub blob_id: String,
    /// First path it appears at.
    pub path: String,
    /// Why.
    pub reason: NotScannedReason,
}

/// What a git scan did, besides the findings it pushed.
#[derive(Clone, Debug, Default)]
pub struct GitScanSummary {
    /// Counters (`files` counts blobs scanned).
    pub stats: StatsSnapshot,
    /// Distinct blobs in the input.
    pub blobs: u64,
    /// Blobs skipped because the cache knows them clean.
    pub cached: u64,
    /// Blobs not scanned because of a time budget.
    pub not_scanned: Vec<NotScanned>,
    /// Notes that do not make the scan incomplete (blob cache trouble, commit metadata of a
    /// finding unavailable). Failures go to the sink, not here.
    pub warnings: Vec<String>,
}

/// Something a worker tells the coordinator about one blob.
enum Outcome {
    Clean,
    Findings(Vec<(u32, Option<ObjectId>, Finding)>),
    Skipped(String, SkipReason),
    /// (path, message naming the blob id): a failure.
    Error(String, String),
    /// Path-only findings of a blob whose content could not be read, and the failure.
    FindingsAndError(Vec<(u32, Option<ObjectId>, Finding)>, String, String),
}

struct Done {
    pos: usize,
    outcome: Outcome,
    /// Bytes scanned, when the blob's content was scanned. Counted by the coordinator only
    /// for results it accepts, so a blob abandoned after its budget never counts as scanned.
    scanned: Option<u64>,
    /// The blob was skipped (binary or too large).
    skipped: bool,
}

/// Per-worker state the coordinator watches for the per-blob budget.
#[derive(Default)]
struct Slot {
    current: Mutex<Option<(usize, Instant)>>,
    /// End (exclusive) of the batch of positions this worker claimed.
    batch_end: AtomicUsize,
    abandoned: AtomicBool,
}

struct Ctx<J> {
    scanner: Scanner,
    repo: Mutex<Repo>,
    jobs: Arc<J>,
    /// Indices into `jobs` still to scan (cached blobs left out).
    todo: Vec<usize>,
    next: AtomicUsize,
    /// Positions of an abandoned worker's batch that it never started.
    requeue: Mutex<Vec<usize>>,
    quit: AtomicBool,
    max_blob_size: u64,
    scan_binary: bool,
}

/// Scans every blob of `jobs` in parallel and pushes findings into `sink`.
///
/// Findings are emitted after all blobs are scanned, once per (secret, path), attributed to
/// the oldest site, ordered by commit age, path and line.
pub fn scan_blobs<J: BlobJobs, S: Sink>(
    scanner: &Scanner,
    repo: &Repo,
    jobs: Arc<J>,
    mut cache: Option<&mut BlobCache>,
    opts: &GitScanOptions,
    stats: &Arc<ScanStats>,
    mut sink: S,
) -> Result<GitScanSummary, S::Error> {
    let started = Instant::now();
    let objects = repo.objects();
    let mut summary = GitScanSummary { blobs: jobs.len() as u64, ..Default::default() };
    for path in jobs.excluded() {
        sink.skipped(path, &SkipReason::Excluded)?;
    }
    for f in jobs.failures() {
        sink.error(&f.path, &f.message)?;
    }
    let mut sites = Vec::new();
    let mut path_findings = Vec::new();
    let mut todo = Vec::with_capacity(jobs.len());
    for i in 0..jobs.len() {
        let id = jobs.blob(i);
        if cache.as_ref().is_some_and(|c| c.contains(id.as_bytes())) {
            summary.cached += 1;
            // Path-only rules still apply: they do not depend on content.
            sites.clear();
            jobs.sites(i, &mut sites);
            for s in &sites {
                let prov = provenance(s, &id);
                let mut out = Vec::new();
                scanner.scan_path(&prov, &mut out);
                path_findings.extend(out.into_iter().map(|f| (s.order, s.commit, f)));
            }
        } else {
            todo.push(i);
        }
    }
    // Pack order: delta bases come right before their deltas, so the pack cache hits.
    let keys = repo.pack_locations(todo.iter().map(|&i| jobs.blob(i)));
    let mut keyed: Vec<(Option<(u32, u64)>, usize)> = keys.into_iter().zip(todo).collect();
    keyed.sort_by_key(|(k, _)| k.map_or((1, 0, 0), |(p, o)| (0, p, o)));
    let todo: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    let ctx = Arc::new(Ctx {
        scanner: scanner.clone(),
        repo: Mutex::new(repo.clone()),
        jobs: jobs.clone(),
        todo,
        next: AtomicUsize::new(0),
        requeue: Mutex::new(Vec::new()),
        quit: AtomicBool::new(false),
        max_blob_size: opts.max_blob_size,
        scan_binary: opts.scan_binary,
    });
    let (tx, rx) = channel::bounded::<Done>(256);
    let mut slots: Vec<(Arc<Slot>, std::thread::JoinHandle<()>)> = Vec::new();
    let threads = opts.threads.max(1).min(ctx.todo.len().max(1));
    let spawn = |slots: &mut Vec<(Arc<Slot>, std::thread::JoinHandle<()>)>| {
        let slot = Arc::new(Slot::default());
        let (ctx, tx, s) = (ctx.clone(), tx.clone(), slot.clone());
        slots.push((slot, std::thread::spawn(move || worker(&ctx, &s, &tx))));
    };
    if !ctx.todo.is_empty() {
        for _ in 0..threads {
            spawn(&mut slots);
        }
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        Pending,
        Done,
        Gone,
    }
    let mut state = vec![State::Pending; ctx.todo.len()];
    let mut remaining = ctx.todo.len();
    let mut dedup = Dedup::default();
    for (order, commit, f) in path_findings {
        dedup.add(order, commit, f);
    }
    let mut result: Result<(), S::Error> = Ok(());
    // The sink asked to stop: what is left was not skipped for lack of time.
    let mut stopped = false;
    // Every worker ended with blobs outstanding.
    let mut lost = false;
    let tick = Duration::from_millis(20);
    while remaining > 0 {
        let wait = match opts.deadline {
            Some(d) => d.saturating_duration_since(Instant::now()).min(tick),
            None => tick,
        };
        match rx.recv_timeout(wait) {
            Ok(done) => {
                if state[done.pos] == State::Pending {
                    state[done.pos] = State::Done;
                    remaining -= 1;
                    if let Some(bytes) = done.scanned {
                        stats.files.fetch_add(1, Ordering::Relaxed);
                        stats.bytes.fetch_add(bytes, Ordering::Relaxed);
                    }
                    if done.skipped {
                        stats.skipped.fetch_add(1, Ordering::Relaxed);
                    }
                    // A running count for the progress line; the exact number (after
                    // attribution and deduplication) is stored at the end.
                    if let Outcome::Findings(f) | Outcome::FindingsAndError(f, ..) = &done.outcome {
                        stats.findings.fetch_add(f.len() as u64, Ordering::Relaxed);
                    }
                    let step = handle(done, &ctx, &mut dedup, &mut cache, &mut sink, &mut summary);
                    match step {
                        Ok(true) => {}
                        Ok(false) => {
                            stopped = true;
                            break;
                        }
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
            }
            Err(channel::RecvTimeoutError::Timeout) => {
                // Every live worker gone with blobs outstanding (a worker died outside the
                // per-blob guard): stop rather than wait forever; the rest is listed.
                if slots.iter().all(|(s, h)| h.is_finished() || s.abandoned.load(Ordering::Relaxed))
                {
                    lost = true;
                    break;
                }
            }
            Err(channel::RecvTimeoutError::Disconnected) => {
                lost = true;
                break;
            }
        }
        if opts.deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if let Some(budget) = opts.blob_timeout {
            let mut replace = 0;
            for (slot, _) in &slots {
                if slot.abandoned.load(Ordering::Relaxed) {
                    continue;
                }
                let cur = *slot.current.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((pos, since)) = cur {
                    if since.elapsed() > budget && state[pos] == State::Pending {
                        state[pos] = State::Gone;
                        remaining -= 1;
                        slot.abandoned.store(true, Ordering::Relaxed);
                        // The rest of its batch goes to the replacement worker.
                        let end = slot.batch_end.load(Ordering::Relaxed);
                        ctx.requeue
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .extend((pos + 1..end).filter(|&p| state[p] == State::Pending));
                        summary.not_scanned.push(not_scanned(
                            &ctx,
                            pos,
                            NotScannedReason::BlobTimeout,
                        ));
                        replace += 1;
                    }
                }
            }
            for _ in 0..replace {
                spawn(&mut slots);
            }
        }
    }
    ctx.quit.store(true, Ordering::Relaxed);
    let why = if lost { NotScannedReason::WorkerLost } else { NotScannedReason::Deadline };
    for (pos, s) in state.iter().enumerate() {
        if *s == State::Pending && !stopped && result.is_ok() {
            summary.not_scanned.push(not_scanned(&ctx, pos, why));
        }
    }
    result?;
    if let Some(c) = cache.as_mut() {
        if let Err(e) = c.flush() {
            summary.warnings.push(format!("blob cache: {e}"));
        }
    }
    // Attach full commit metadata, then emit in a stable order.
    let mut commits = CommitInfoCache::default();
    let mut buf = Vec::new();
    let mut findings = dedup.into_findings();
    let mut warned = 0;
    for (commit, f) in &mut findings {
        if let Some(id) = commit {
            let (info, err) = commits.get(&objects, *id, &mut buf);
            if let Some(e) = err {
                if warned < 5 {
                    summary.warnings.push(format!("commit metadata unavailable: {e}"));
                }
                warned += 1;
            }
            f.commit = Some(info);
        }
    }
    stats.findings.store(findings.len() as u64, Ordering::Relaxed);
    for (_, f) in &findings {
        if !sink.matched(f)? {
            break;
        }
    }
    let snap = stats.snapshot(started.elapsed());
    sink.finish(&snap)?;
    summary.stats = snap;
    Ok(summary)
}

fn not_scanned<J: BlobJobs>(ctx: &Ctx<J>, pos: usize, reason: NotScannedReason) -> NotScanned {
    let i = ctx.todo[pos];
    let mut sites = Vec::new();
    ctx.jobs.sites(i, &mut sites);
    NotScanned {
        blob_id: ctx.jobs.blob(i).to_string(),
        path: sites.first().map(|s| s.path.clone()).unwrap_or_default(),
        reason,
    }
}

fn handle<J: BlobJobs, S: Sink>(
    done: Done,
    ctx: &Ctx<J>,
    dedup: &mut Dedup,
    cache: &mut Option<&mut BlobCache>,
    sink: &mut S,
    summary: &mut GitScanSummary,
) -> Result<bool, S::Error> {
    match done.outcome {
        Outcome::Clean => {
            if let Some(c) = cache.as_mut() {
                let id = ctx.jobs.blob(ctx.todo[done.pos]);
                if let Err(e) = c.insert(id.as_bytes()) {
                    summary.warnings.push(format!("blob cache disabled for this run: {e}"));
                    *cache = None;
                }
            }
            Ok(true)
        }
        Outcome::Findings(fs) => {
            for (order, commit, f) in fs {
                dedup.add(order, commit, f);
            }
            Ok(true)
        }
        Outcome::Skipped(path, reason) => sink.skipped(&path, &reason),
        Outcome::Error(path, msg) => sink.error(&path, &msg),
        Outcome::FindingsAndError(fs, path, msg) => {
            for (order, commit, f) in fs {
                dedup.add(order, commit, f);
            }
            sink.error(&path, &msg)
        }
    }
}

/// The findings of one blob at one path, with the age rank of their commit.
type Kept = (u32, String, Vec<(Option<ObjectId>, Finding)>);

/// Keeps each (fingerprint, path) once: the findings of the oldest site that has it.
#[derive(Default)]
struct Dedup {
    /// (fingerprint, path) → (order, blob id, findings of that blob at that path).
    map: HashMap<(String, String), Kept>,
}

impl Dedup {
    fn add(&mut self, order: u32, commit: Option<ObjectId>, f: Finding) {
        let key = (f.fingerprint.clone(), f.location.path.clone());
        let blob = f.blob_id.clone().unwrap_or_default();
        match self.map.get_mut(&key) {
            None => {
                self.map.insert(key, (order, blob, vec![(commit, f)]));
            }
            Some(e) if order < e.0 => *e = (order, blob, vec![(commit, f)]),
            Some(e) if order == e.0 && e.1 == blob => e.2.push((commit, f)),
            Some(_) => {}
        }
    }

    fn into_findings(self) -> Vec<(Option<ObjectId>, Finding)> {
        let mut v: Vec<(u32, Option<ObjectId>, Finding)> = self
            .map
            .into_values()
            .flat_map(|(order, _, fs)| fs.into_iter().map(move |(c, f)| (order, c, f)))
            .collect();
        v.sort_by(|a, b| {
            (
                a.0,
                &a.2.location.path,
                a.2.location.start_line,
                a.2.location.start_column,
                &a.2.rule_id,
            )
                .cmp(&(
                    b.0,
                    &b.2.location.path,
                    b.2.location.start_line,
                    b.2.location.start_column,
                    &b.2.rule_id,
                ))
        });
        v.into_iter().map(|(_, c, f)| (c, f)).collect()
    }
}

fn provenance(site: &JobSite, blob: &ObjectId) -> Provenance {
    Provenance::Git {
        // Only the sha is needed while scanning (commit allowlists); the coordinator attaches
        // full metadata to findings afterwards.
        commit: site
            .commit
            .map(|c| Arc::new(CommitInfo { sha: c.to_string(), ..Default::default() })),
        path: site.path.clone(),
        blob_id: blob.to_string(),
    }
}

/// Blobs a worker claims at a time: runs of consecutive blobs in pack order, so each worker's
/// delta-base cache sees whole delta chains instead of every other object (measured on
/// rust-lang/cargo: 6% less wall time than claiming one blob at a time).
const BATCH: usize = 64;

fn worker<J: BlobJobs>(ctx: &Ctx<J>, slot: &Slot, tx: &channel::Sender<Done>) {
    let repo = ctx.repo.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let objects = repo.objects();
    let mut w = Worker {
        scanner: &ctx.scanner,
        objects: &objects,
        scratch: ctx.scanner.new_scratch(),
        buf: Vec::new(),
        sites: Vec::new(),
        scanned: None,
        skipped: false,
    };
    let (mut next, mut end) = (0, 0);
    loop {
        if ctx.quit.load(Ordering::Relaxed) || slot.abandoned.load(Ordering::Relaxed) {
            return;
        }
        if next >= end {
            let requeued = ctx.requeue.lock().unwrap_or_else(|p| p.into_inner()).pop();
            (next, end) = match requeued {
                Some(p) => (p, p + 1),
                None => {
                    let start = ctx.next.fetch_add(BATCH, Ordering::Relaxed);
                    (start, (start + BATCH).min(ctx.todo.len()))
                }
            };
            slot.batch_end.store(end, Ordering::Relaxed);
            if next >= ctx.todo.len() {
                return;
            }
        }
        let pos = next;
        next += 1;
        *slot.current.lock().unwrap_or_else(|p| p.into_inner()) = Some((pos, Instant::now()));
        let i = ctx.todo[pos];
        (w.scanned, w.skipped) = (None, false);
        let outcome =
            std::panic::catch_unwind(AssertUnwindSafe(|| w.scan(ctx, i))).unwrap_or_else(|_| {
                let mut sites = Vec::new();
                ctx.jobs.sites(i, &mut sites);
                let path = sites.first().map(|s| s.path.clone()).unwrap_or_default();
                Outcome::Error(
                    path,
                    format!("{}: scanner panicked", blob_at(ctx.jobs.blob(i), &sites)),
                )
            });
        *slot.current.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if slot.abandoned.load(Ordering::Relaxed)
            || tx.send(Done { pos, outcome, scanned: w.scanned, skipped: w.skipped }).is_err()
        {
            return;
        }
    }
}

struct Worker<'a> {
    scanner: &'a Scanner,
    objects: &'a Objects,
    scratch: ScanScratch,
    /// Blob bytes; reused.
    buf: Vec<u8>,
    sites: Vec<JobSite>,
    /// What happened to the current blob, for the coordinator's counters.
    scanned: Option<u64>,
    skipped: bool,
}

impl Worker<'_> {
    fn scan<J: BlobJobs>(&mut self, ctx: &Ctx<J>, i: usize) -> Outcome {
        let id = ctx.jobs.blob(i);
        self.sites.clear();
        ctx.jobs.sites(i, &mut self.sites);
        let first_path = self.sites.first().map(|s| s.path.clone()).unwrap_or_default();
        let mut out: Vec<(u32, Option<ObjectId>, Finding)> = Vec::new();
        let mut tmp = Vec::new();
        for s in &self.sites {
            self.scanner.scan_path(&provenance(s, &id), &mut tmp);
            out.extend(tmp.drain(..).map(|f| (s.order, s.commit, f)));
        }
        let size = match self.objects.header(&id) {
            Ok(Some((_, size))) => size,
            Ok(None) => {
                let what = blob_at(id, &self.sites);
                return with_path_findings(
                    out,
                    Outcome::Error(first_path, format!("{what} is missing, not scanned")),
                );
            }
            Err(e) => {
                let what = blob_at(id, &self.sites);
                return with_path_findings(
                    out,
                    Outcome::Error(first_path, format!("{what} cannot be read, not scanned: {e}")),
                );
            }
        };
        if size > ctx.max_blob_size {
            self.skipped = true;
            return with_path_findings(
                out,
                Outcome::Skipped(first_path, SkipReason::TooLarge { size }),
            );
        }
        let mut buf = std::mem::take(&mut self.buf);
        let outcome = self.scan_data(ctx, id, &mut buf, first_path, out, tmp);
        self.buf = buf;
        outcome
    }

    fn scan_data<J: BlobJobs>(
        &mut self,
        ctx: &Ctx<J>,
        id: ObjectId,
        buf: &mut Vec<u8>,
        first_path: String,
        mut out: Vec<(u32, Option<ObjectId>, Finding)>,
        mut tmp: Vec<Finding>,
    ) -> Outcome {
        let data = match self.objects.find_kind(&id, Kind::Blob, buf) {
            Ok(d) => d,
            Err(e) => {
                let what = blob_at(id, &self.sites);
                return with_path_findings(
                    out,
                    Outcome::Error(first_path, format!("{what} cannot be read, not scanned: {e}")),
                );
            }
        };
        if !ctx.scan_binary && looks_binary(data) {
            self.skipped = true;
            return with_path_findings(out, Outcome::Skipped(first_path, SkipReason::Binary));
        }
        self.scanned = Some(data.len() as u64);
        let mut candidates = false;
        let mut undecoded = None;
        for (n, s) in self.sites.iter().enumerate() {
            if n > 0 && !candidates {
                break; // no keyword anywhere: no other path can produce a finding
            }
            let hit =
                self.scanner.scan_bytes(data, &provenance(s, &id), &mut self.scratch, &mut tmp);
            if n == 0 {
                candidates = self.scratch.had_candidates();
                // Same bytes at every site: the first scan tells whether decoding was cut.
                undecoded = hit.map(|h| h.to_string());
            }
            if !tmp.is_empty() && !s.parents.is_empty() {
                self.drop_inherited(&mut tmp, s, ctx.max_blob_size);
            }
            out.extend(tmp.drain(..).map(|f| (s.order, s.commit, f)));
        }
        if let Some(hit) = undecoded {
            // Never cached as clean: the blob was not fully scanned.
            let what = blob_at(id, &self.sites);
            Outcome::FindingsAndError(out, first_path, format!("{what}: {hit}"))
        } else if out.is_empty() {
            if candidates { Outcome::Findings(Vec::new()) } else { Outcome::Clean }
        } else {
            Outcome::Findings(out)
        }
    }

    /// Removes findings whose secret the parent version at the same path already had. A parent
    /// version that cannot be read removes nothing: its findings are all kept (safe side).
    fn drop_inherited(&self, found: &mut Vec<Finding>, site: &JobSite, max: u64) {
        let mut buf = Vec::new();
        let mut scratch = self.scanner.new_scratch();
        let mut old = Vec::new();
        for p in &site.parents {
            if !matches!(self.objects.header(p), Ok(Some((Kind::Blob, size))) if size <= max) {
                continue;
            }
            if let Ok(data) = self.objects.find_kind(p, Kind::Blob, &mut buf) {
                // Only to recognise inherited findings; the parent's own scan reported any
                // decoding limit.
                let _ = self.scanner.scan_bytes(data, &provenance(site, p), &mut scratch, &mut old);
            }
        }
        if !old.is_empty() {
            found.retain(|f| !old.iter().any(|o| o.fingerprint == f.fingerprint));
        }
    }
}

/// A skipped blob may still have path-only findings; those win over a skip notice. A failure
/// is never hidden by them: the path-only findings go with it.
fn with_path_findings(found: Vec<(u32, Option<ObjectId>, Finding)>, skipped: Outcome) -> Outcome {
    match skipped {
        Outcome::Error(path, msg) if !found.is_empty() => {
            Outcome::FindingsAndError(found, path, msg)
        }
        skipped if found.is_empty() => skipped,
        _ => Outcome::Findings(found),
    }
}

/// `blob <id> (in commit <sha>)`, naming the commit of the blob's first site when known.
fn blob_at(id: ObjectId, sites: &[JobSite]) -> String {
    match sites.first().and_then(|s| s.commit) {
        Some(c) => format!("blob {id} (in commit {c})"),
        None => format!("blob {id}"),
    }
}
