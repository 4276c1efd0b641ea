//! Parallel directory-tree driver (after ripgrep's `search_parallel`).
//!
//! Design decision: one [`Scanner`] is cloned into every walker thread together with its own
//! [`ScanScratch`] and [`FileReader`] (no locks on the hot path); each file's findings are
//! buffered and sent as one message over a bounded channel to the calling thread, which
//! alone talks to the [`Sink`] (so sinks need not be `Sync`, and output for one file is never
//! interleaved with another's). Shared state is a stop flag and atomic counters.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel as channel;

use super::{ScanScratch, Scanner, Sink, SinkError};
use crate::finding::Finding;
use crate::source::archive::{self, ArchiveLimits};
use crate::source::exclude::ExcludeSet;
use crate::source::read::{FileReader, ReadError};
use crate::source::walk::{ExcludedBy, WalkItem, WalkOptions, walk_parallel};
use crate::source::{Provenance, looks_binary};

pub use crate::finding::coverage::SkipReason;

/// Options for [`scan_dirs`].
#[derive(Clone, Debug)]
pub struct DirScanOptions {
    /// Files or directories to scan.
    pub roots: Vec<PathBuf>,
    /// Walk options.
    pub walk: WalkOptions,
    /// Exclusions.
    pub excludes: ExcludeSet,
    /// Files larger than this are skipped.
    pub max_file_size: u64,
    /// Scan binary files too.
    pub scan_binary: bool,
    /// Scan inside zip/tar/gz files within these limits (`None`: archives are binary files).
    pub archives: Option<ArchiveLimits>,
}

impl Default for DirScanOptions {
    fn default() -> Self {
        DirScanOptions {
            roots: vec![PathBuf::from(".")],
            walk: WalkOptions::default(),
            excludes: ExcludeSet::default(),
            max_file_size: 100 << 20,
            scan_binary: false,
            archives: None,
        }
    }
}

/// Live counters, readable while a scan runs (for progress display).
#[derive(Debug, Default)]
pub struct ScanStats {
    /// Files scanned.
    pub files: AtomicU64,
    /// Bytes scanned.
    pub bytes: AtomicU64,
    /// Files skipped (binary, too large).
    pub skipped: AtomicU64,
    /// Files excluded by pattern.
    pub excluded: AtomicU64,
    /// Unreadable files and directories.
    pub errors: AtomicU64,
    /// Findings.
    pub findings: AtomicU64,
}

/// A copy of the counters at the end of a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// Files scanned.
    pub files: u64,
    /// Bytes scanned.
    pub bytes: u64,
    /// Files skipped (binary, too large).
    pub skipped: u64,
    /// Files excluded by pattern.
    pub excluded: u64,
    /// Unreadable files and directories.
    pub errors: u64,
    /// Findings.
    pub findings: u64,
    /// Wall time.
    pub elapsed: Duration,
}

impl ScanStats {
    /// The counters now.
    pub fn snapshot(&self, elapsed: Duration) -> StatsSnapshot {
        StatsSnapshot {
            files: self.files.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
            excluded: self.excluded.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            findings: self.findings.load(Ordering::Relaxed),
            elapsed,
        }
    }
}

enum Event {
    Findings(Vec<Finding>),
    Skipped(String, SkipReason),
    Error(String, String),
}

/// Scans directory trees in parallel, pushing results into `sink`.
pub fn scan_dirs<S: Sink>(
    scanner: &Scanner,
    opts: &DirScanOptions,
    stats: &Arc<ScanStats>,
    mut sink: S,
) -> Result<StatsSnapshot, S::Error> {
    let started = Instant::now();
    let quit = Arc::new(AtomicBool::new(false));
    let (tx, rx) = channel::bounded::<Event>(1024);
    let mut result: Result<(), S::Error> = Ok(());
    std::thread::scope(|scope| {
        let walker = {
            let tx = tx.clone();
            let quit = quit.clone();
            scope.spawn(move || {
                walk_parallel(&opts.roots, &opts.walk, &opts.excludes, || {
                    let worker = Worker {
                        scanner: scanner.clone(),
                        scratch: scanner.new_scratch(),
                        reader: FileReader::new(opts.max_file_size),
                        scan_binary: opts.scan_binary,
                        archives: opts.archives,
                        stats: stats.clone(),
                        tx: tx.clone(),
                        quit: quit.clone(),
                        out: Vec::new(),
                    };
                    let mut worker = worker;
                    move |item| worker.visit(item)
                });
            })
        };
        drop(tx);
        for event in rx.iter() {
            if result.is_err() || quit.load(Ordering::Relaxed) {
                continue; // drain so walkers never block on a full channel
            }
            let step = match &event {
                Event::Findings(fs) => {
                    let mut go = Ok(true);
                    for f in fs {
                        go = sink.matched(f);
                        if !matches!(go, Ok(true)) {
                            break;
                        }
                    }
                    go
                }
                Event::Skipped(path, why) => sink.skipped(path, why),
                Event::Error(path, msg) => sink.error(path, msg),
            };
            match step {
                Ok(true) => {}
                Ok(false) => quit.store(true, Ordering::Relaxed),
                Err(e) => {
                    quit.store(true, Ordering::Relaxed);
                    result = Err(e);
                }
            }
        }
        if walker.join().is_err() {
            result = Err(S::Error::error_message("a walker thread panicked"));
        }
    });
    result?;
    let snap = stats.snapshot(started.elapsed());
    sink.finish(&snap)?;
    Ok(snap)
}

struct Worker {
    scanner: Scanner,
    scratch: ScanScratch,
    reader: FileReader,
    scan_binary: bool,
    archives: Option<ArchiveLimits>,
    stats: Arc<ScanStats>,
    tx: channel::Sender<Event>,
    quit: Arc<AtomicBool>,
    /// Findings of the current file; reused.
    out: Vec<Finding>,
}

impl Worker {
    fn visit(&mut self, item: WalkItem) -> bool {
        if self.quit.load(Ordering::Relaxed) {
            return false;
        }
        let event = match item {
            WalkItem::Excluded { display, by } => {
                self.stats.excluded.fetch_add(1, Ordering::Relaxed);
                let reason = match by {
                    ExcludedBy::Pattern => SkipReason::Excluded,
                    ExcludedBy::IgnoreFile => SkipReason::Ignored,
                    ExcludedBy::NotRegular => SkipReason::NotRegular,
                };
                Event::Skipped(display, reason)
            }
            WalkItem::Error { display, message } => {
                self.stats.errors.fetch_add(1, Ordering::Relaxed);
                Event::Error(display, message)
            }
            WalkItem::File { path, display } => match self.scan_file(path, display) {
                Some(ev) => ev,
                None => return true,
            },
        };
        self.tx.send(event).is_ok()
    }

    fn scan_file(&mut self, path: PathBuf, display: String) -> Option<Event> {
        self.out.clear();
        let prov = Provenance::File { path, display };
        let Provenance::File { path, display } = &prov else { return None };
        self.scanner.scan_path(&prov, &mut self.out);
        let contents = match self.reader.read(path) {
            Ok(c) => c,
            Err(ReadError::TooLarge { size, .. }) => {
                self.stats.skipped.fetch_add(1, Ordering::Relaxed);
                return Some(Event::Skipped(display.clone(), SkipReason::TooLarge { size }));
            }
            Err(ReadError::NotRegular) => {
                // Replaced by a FIFO, socket or device since the walk saw it.
                self.stats.skipped.fetch_add(1, Ordering::Relaxed);
                return Some(Event::Skipped(display.clone(), SkipReason::NotRegular));
            }
            Err(e) => {
                self.stats.errors.fetch_add(1, Ordering::Relaxed);
                return Some(Event::Error(display.clone(), e.to_string()));
            }
        };
        if let Some(why) = contents.changed() {
            // A failure in addition to whatever the bytes that were read contain.
            fail(&self.stats, &self.tx, display, why);
        }
        if let Some(limits) = self.archives.filter(|_| archive::detect(&contents).is_some()) {
            self.stats.files.fetch_add(1, Ordering::Relaxed);
            self.stats.bytes.fetch_add(contents.len() as u64, Ordering::Relaxed);
            let mut entries = EntryScan {
                scanner: &self.scanner,
                scratch: &mut self.scratch,
                out: &mut self.out,
                stats: &self.stats,
                tx: &self.tx,
                scan_binary: self.scan_binary,
                path,
            };
            archive::walk(display, &contents, &limits, &mut entries);
        } else if !self.scan_binary && looks_binary(&contents) {
            self.stats.skipped.fetch_add(1, Ordering::Relaxed);
            if self.out.is_empty() {
                return Some(Event::Skipped(display.clone(), SkipReason::Binary));
            }
        } else {
            self.stats.files.fetch_add(1, Ordering::Relaxed);
            self.stats.bytes.fetch_add(contents.len() as u64, Ordering::Relaxed);
            let hit = self.scanner.scan_bytes(&contents, &prov, &mut self.scratch, &mut self.out);
            if let Some(hit) = hit {
                fail(&self.stats, &self.tx, display, &hit.to_string());
            }
        }
        if self.out.is_empty() {
            return None;
        }
        self.stats.findings.fetch_add(self.out.len() as u64, Ordering::Relaxed);
        Some(Event::Findings(std::mem::take(&mut self.out)))
    }
}

/// Counts a failure and sends it next to the blob's findings (which still follow).
fn fail(stats: &ScanStats, tx: &channel::Sender<Event>, name: &str, message: &str) {
    stats.errors.fetch_add(1, Ordering::Relaxed);
    let _ = tx.send(Event::Error(name.to_string(), message.to_string()));
}

/// Scans what an archive walk hands over: entries follow the same policy as files (binary
/// entries are skipped unless `--scan-binary`), and every skip and failure inside the archive
/// is sent as its own event, named `a.zip!inner/path`, next to the archive's findings.
struct EntryScan<'a> {
    scanner: &'a Scanner,
    scratch: &'a mut ScanScratch,
    out: &'a mut Vec<Finding>,
    stats: &'a ScanStats,
    tx: &'a channel::Sender<Event>,
    scan_binary: bool,
    path: &'a PathBuf,
}

impl archive::Visitor for EntryScan<'_> {
    fn entry(&mut self, name: &str, bytes: &[u8]) {
        if !self.scan_binary && looks_binary(bytes) {
            self.skipped_as(name, SkipReason::Binary);
            return;
        }
        self.stats.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let prov = Provenance::File { path: self.path.clone(), display: name.to_string() };
        self.scanner.scan_path(&prov, self.out);
        if let Some(hit) = self.scanner.scan_bytes(bytes, &prov, self.scratch, self.out) {
            fail(self.stats, self.tx, name, &hit.to_string());
        }
    }

    fn skipped(&mut self, name: &str, why: archive::EntrySkip) {
        let reason = match why {
            archive::EntrySkip::TooLarge { size } => SkipReason::TooLarge { size },
            archive::EntrySkip::Depth { limit } => SkipReason::ArchiveDepth { limit },
        };
        self.skipped_as(name, reason);
    }

    fn failed(&mut self, name: &str, err: archive::ArchiveError) {
        fail(self.stats, self.tx, name, &err.to_string());
    }
}

impl EntryScan<'_> {
    fn skipped_as(&mut self, name: &str, reason: SkipReason) {
        self.stats.skipped.fetch_add(1, Ordering::Relaxed);
        let _ = self.tx.send(Event::Skipped(name.to_string(), reason));
    }
}
