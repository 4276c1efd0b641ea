//! The durable outbox: a SQLite file in which every revocation request is recorded before it is
//! sent, and marked done (or failed, or dead) after.
//!
//! Design decision: SQLite in WAL mode with `synchronous = FULL`: a commit returns only after
//! the WAL is fsynced, so a row we acknowledged survives `kill -9` *and* power loss (`NORMAL`
//! would survive only the former; it is available as [`Sync::Normal`] for operators who accept
//! that trade, and survives `kill -9` all the same). The cost of an fsync per commit is amortised by callers
//! that commit many requests in one transaction (the service's writer thread does group
//! commit). Rows are keyed by (destination, idempotency key), so re-enqueueing the same token
//! is a no-op, and a dead row is revived when the token is reported again.
//!
//! # What stays on disk, and for how long
//!
//! A token is on disk while its row is pending, and no longer. When the row is done, failed
//! or dead its token column is set to NULL with `PRAGMA secure_delete = ON`, so SQLite zeroes
//! the freed bytes in the *new* image of the page. That is not enough in WAL mode: the older
//! images of the page, the ones written when the token was enqueued, stay in earlier frames of
//! `outbox.sqlite-wal` until the WAL is reset, and a reset only rewinds the write position;
//! the file keeps its old frames past it. So every owner of an outbox ends each batch of
//! outcomes with [`Outbox::checkpoint_truncate`] (`wal_checkpoint(TRUNCATE)`): every frame is
//! copied into the database, whose pages then hold the zeroed cells, and the WAL file is cut
//! to zero bytes. The `-shm` file holds only the WAL index (page numbers and checksums), never
//! row content. `journal_size_limit` truncates the WAL after any reset as a second line of
//! defence. What remains are freed filesystem blocks, which only whole-disk encryption
//! protects (SQLite cannot overwrite blocks the filesystem has already released).
//!
//! # Bounding the WAL
//!
//! A WAL grows without bound when no checkpoint ever *completes*: a checkpoint may copy a frame
//! only if no reader still needs the older page, and the WAL is rewound only when a writer
//! starts a transaction after a checkpoint copied every frame while no reader was using the
//! WAL. Two things starve that. (1) A busy writer: a checkpoint on another connection copies
//! the frames that existed when it started, but by the time it finishes the writer has
//! appended more, so "every frame copied" is never true at the moment a write begins, and the
//! WAL only grows (this is how the service reached 460 MB in 12 s). (2) Overlapping readers:
//! a reader holds a snapshot that ends at some frame, and while some reader always does, the
//! WAL cannot be rewound. The service bounds both: its single writer thread runs the
//! truncating checkpoint **itself** between commits (after every dispatch batch, whenever the
//! WAL passes [`WAL_SOFT_LIMIT_BYTES`], and when idle), so no writer can race it; while it
//! holds the write lock new readers see a fully checkpointed WAL and read the database file
//! instead, so it waits only for readers that were already there, and at most
//! [`CHECKPOINT_WAIT`] before giving up until the next batch. A separate checkpoint thread
//! copies frames with `PASSIVE` checkpoints meanwhile, so the writer's checkpoint finds little
//! left to copy. The WAL is therefore bounded by the soft limit plus one group commit, as long
//! as readers are short (ours are: `serve status` reads a few rows).
//!
//! ```
//! use leakguard::revoke::outbox::{NewItem, Outbox, Update};
//! let dir = tempfile::tempdir().unwrap();
//! let mut ob = Outbox::open(&dir.path().join("outbox.sqlite")).unwrap();
//! let item = NewItem::new("api", "gitleaks_rule_id_aws", "AKIAQXRYONJ3DYBVZXG2", "a.env");
//! assert_eq!(ob.enqueue(&[item.clone(), item]).unwrap(), 1, "duplicates collapse");
//! let pending = ob.pending("api").unwrap();
//! ob.complete(&[Update::done(pending[0].id, "accepted")]).unwrap();
//! assert_eq!(ob.stats().unwrap().done, 1);
//! assert!(ob.pending("api").unwrap().is_empty());
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Error, idempotency_key, now_ms};

/// Past this many bytes of WAL, the service's writer runs a truncating checkpoint before its
/// next commit (and `journal_size_limit` truncates the WAL to it after any reset).
pub const WAL_SOFT_LIMIT_BYTES: u64 = 4 << 20;

/// How long a truncating checkpoint waits for readers that started before it (and for a
/// concurrent `PASSIVE` checkpoint) before giving up until the next try.
pub const CHECKPOINT_WAIT: Duration = Duration::from_millis(250);

/// How long ordinary statements wait for a lock held by another connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY,
    destination     TEXT NOT NULL,
    key             TEXT NOT NULL,
    type            TEXT NOT NULL,
    token           TEXT,
    location        TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'done', 'failed', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    outcome         TEXT,
    created_ms      INTEGER NOT NULL,
    updated_ms      INTEGER NOT NULL,
    UNIQUE (destination, key)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_ms);
PRAGMA user_version = 1;
";

/// A request to record.
#[derive(Clone, Debug)]
pub struct NewItem {
    /// Where it goes (API URL, `partner:<url>`, `gitlab`).
    pub destination: String,
    /// Revocation type string.
    pub revocation_type: String,
    /// The token.
    pub token: String,
    /// Where it was found.
    pub location: String,
}

impl NewItem {
    /// A new item.
    pub fn new(destination: &str, revocation_type: &str, token: &str, location: &str) -> NewItem {
        NewItem {
            destination: destination.into(),
            revocation_type: revocation_type.into(),
            token: token.into(),
            location: location.into(),
        }
    }
}

/// A recorded request.
#[derive(Clone, Debug)]
pub struct Item {
    /// Row id.
    pub id: i64,
    /// Destination.
    pub destination: String,
    /// Idempotency key.
    pub key: String,
    /// Revocation type string.
    pub revocation_type: String,
    /// The token; `None` once the row is finished.
    pub token: Option<String>,
    /// Where it was found.
    pub location: String,
    /// Attempts made so far.
    pub attempts: u32,
}

/// A row without its token, for status output.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Row id.
    pub id: i64,
    /// Destination.
    pub destination: String,
    /// Idempotency key (hash; safe to show).
    pub key: String,
    /// Revocation type string.
    #[serde(rename = "type")]
    pub revocation_type: String,
    /// `pending`, `done`, `failed` or `dead`.
    pub state: String,
    /// Attempts made.
    pub attempts: u32,
    /// Last error.
    pub last_error: Option<String>,
    /// Outcome of a finished row.
    pub outcome: Option<String>,
}

/// Row counts per state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Waiting to be sent (or re-sent).
    pub pending: u64,
    /// Delivered.
    pub done: u64,
    /// Permanently rejected (never retried).
    pub failed: u64,
    /// Gave up after the maximum number of attempts (dead letters).
    pub dead: u64,
}

/// What happened to a row.
#[derive(Clone, Debug)]
pub enum Update {
    /// Delivered: record `outcome`, drop the token.
    Done {
        /// Row id.
        id: i64,
        /// What the receiver said.
        outcome: String,
    },
    /// Permanently rejected: record `error`, drop the token.
    Failed {
        /// Row id.
        id: i64,
        /// Why.
        error: String,
    },
    /// Try again at `next_attempt_ms`; becomes dead (token dropped) once `attempts` reaches
    /// `max_attempts`.
    Retry {
        /// Row id.
        id: i64,
        /// Why.
        error: String,
        /// When to try again (ms since the epoch).
        next_attempt_ms: i64,
        /// Attempts allowed in total.
        max_attempts: u32,
    },
}

impl Update {
    /// Shorthand for [`Update::Done`].
    pub fn done(id: i64, outcome: &str) -> Update {
        Update::Done { id, outcome: outcome.into() }
    }
}

/// The outbox database.
#[derive(Debug)]
pub struct Outbox {
    conn: Connection,
    path: PathBuf,
}

/// The client's default outbox: `$XDG_STATE_HOME/leakguard/outbox.sqlite`, else
/// `~/.local/state/leakguard/outbox.sqlite`, else `./.leakguard-outbox.sqlite`.
pub fn default_path() -> PathBuf {
    crate::state::default_file("outbox.sqlite")
        .unwrap_or_else(|| PathBuf::from(".leakguard-outbox.sqlite"))
}

/// Creates `path` if missing, readable only by the owner (it will hold tokens).
///
/// An existing file is never opened here: closing *any* descriptor of a file drops every POSIX
/// advisory lock this process holds on it, including SQLite's, and another process would then
/// believe it is the last connection and checkpoint and delete the WAL under our feet.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    match o.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn map_state(s: &str) -> &'static str {
    match s {
        "done" => "done",
        "failed" => "failed",
        "dead" => "dead",
        _ => "pending",
    }
}

/// How hard a commit waits for the disk (`PRAGMA synchronous` in WAL mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sync {
    /// fsync the WAL at every commit: committed rows survive a crash of the process *and* of
    /// the machine (power loss). The default.
    #[default]
    Full,
    /// No fsync at commit: committed rows survive a crash or `kill -9` of the process, but the
    /// last commits may be lost if the machine loses power.
    Normal,
}

impl Outbox {
    /// Opens (creating if needed) the outbox at `path` with [`Sync::Full`].
    pub fn open(path: &Path) -> Result<Outbox, Error> {
        Outbox::open_with(path, Sync::Full)
    }

    /// Opens (creating if needed) the outbox at `path` with the given durability.
    pub fn open_with(path: &Path, sync: Sync) -> Result<Outbox, Error> {
        if let Some(dir) = path.parent() {
            crate::state::create_private_dir(dir).map_err(|e| Error::io(dir, e))?;
        }
        create_private_file(path).map_err(|e| Error::io(path, e))?;
        let db = |source| Error::Outbox { path: path.to_path_buf(), source };
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        let mode: String =
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(db)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!("outbox {}: journal mode is {mode}, not WAL", path.display());
        }
        let sync = match sync {
            Sync::Full => "FULL",
            Sync::Normal => "NORMAL",
        };
        conn.execute_batch(&format!(
            "PRAGMA synchronous = {sync}; PRAGMA secure_delete = ON; \
             PRAGMA wal_autocheckpoint = 1000; PRAGMA journal_size_limit = {WAL_SOFT_LIMIT_BYTES};"
        ))
        .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(Outbox { conn, path: path.to_path_buf() })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> Error {
        Error::Outbox { path: self.path.clone(), source }
    }

    /// Records `items` in one transaction; returns how many rows were new (or revived from
    /// dead). Items whose (destination, key) is already pending, done or failed are ignored.
    pub fn enqueue(&mut self, items: &[NewItem]) -> Result<usize, Error> {
        self.enqueue_batches(&[items]).map(|v| v.iter().sum())
    }

    /// Records several batches in one transaction (group commit); returns the new rows per
    /// batch. Either every batch is durable when this returns `Ok`, or none is.
    pub fn enqueue_batches(&mut self, batches: &[&[NewItem]]) -> Result<Vec<usize>, Error> {
        let now = now_ms();
        let path = self.path.clone();
        let db = |source| Error::Outbox { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(db)?;
        let mut counts = Vec::with_capacity(batches.len());
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO outbox (destination, key, type, token, location, state,
                         attempts, next_attempt_ms, created_ms, updated_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6, ?6)
                     ON CONFLICT (destination, key) DO UPDATE SET
                         token = excluded.token, location = excluded.location,
                         state = 'pending', attempts = 0, next_attempt_ms = excluded.next_attempt_ms,
                         last_error = NULL, updated_ms = excluded.updated_ms
                     WHERE outbox.state = 'dead'",
                )
                .map_err(db)?;
            for batch in batches {
                let mut n = 0;
                for it in *batch {
                    let key = idempotency_key(&it.revocation_type, &it.token);
                    n += stmt
                        .execute(params![
                            it.destination,
                            key,
                            it.revocation_type,
                            it.token,
                            it.location,
                            now
                        ])
                        .map_err(db)?;
                }
                counts.push(n);
            }
        }
        tx.commit().map_err(db)?;
        Ok(counts)
    }

    fn items(&self, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Item>, Error> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(p, |r| {
                Ok(Item {
                    id: r.get(0)?,
                    destination: r.get(1)?,
                    key: r.get(2)?,
                    revocation_type: r.get(3)?,
                    token: r.get(4)?,
                    location: r.get(5)?,
                    attempts: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Every pending row for `destination`, oldest first, regardless of its retry time.
    pub fn pending(&self, destination: &str) -> Result<Vec<Item>, Error> {
        self.items(
            "SELECT id, destination, key, type, token, location, attempts FROM outbox
             WHERE state = 'pending' AND destination = ?1 ORDER BY id",
            params![destination],
        )
    }

    /// Pending rows whose retry time has come, oldest first, at most `limit`.
    pub fn due(&self, now_ms: i64, limit: usize) -> Result<Vec<Item>, Error> {
        self.items(
            "SELECT id, destination, key, type, token, location, attempts FROM outbox
             WHERE state = 'pending' AND next_attempt_ms <= ?1
             ORDER BY next_attempt_ms, id LIMIT ?2",
            params![now_ms, i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }

    /// When the earliest pending row is due, if any row is pending.
    pub fn next_due_ms(&self) -> Result<Option<i64>, Error> {
        self.conn
            .query_row("SELECT MIN(next_attempt_ms) FROM outbox WHERE state = 'pending'", [], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.err(e))
    }

    /// Applies `updates` in one transaction.
    pub fn complete(&mut self, updates: &[Update]) -> Result<(), Error> {
        let now = now_ms();
        let path = self.path.clone();
        let db = |source| Error::Outbox { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(db)?;
        {
            let mut done = tx
                .prepare_cached(
                    "UPDATE outbox SET state = 'done', token = NULL, outcome = ?2,
                         attempts = attempts + 1, updated_ms = ?3
                     WHERE id = ?1 AND state = 'pending'",
                )
                .map_err(db)?;
            let mut failed = tx
                .prepare_cached(
                    "UPDATE outbox SET state = 'failed', token = NULL, last_error = ?2,
                         attempts = attempts + 1, updated_ms = ?3
                     WHERE id = ?1 AND state = 'pending'",
                )
                .map_err(db)?;
            let mut retry = tx
                .prepare_cached(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,
                         next_attempt_ms = ?3, updated_ms = ?5,
                         state = CASE WHEN attempts + 1 >= ?4 THEN 'dead' ELSE 'pending' END,
                         token = CASE WHEN attempts + 1 >= ?4 THEN NULL ELSE token END
                     WHERE id = ?1 AND state = 'pending'",
                )
                .map_err(db)?;
            for u in updates {
                match u {
                    Update::Done { id, outcome } => done.execute(params![id, outcome, now]),
                    Update::Failed { id, error } => failed.execute(params![id, error, now]),
                    Update::Retry { id, error, next_attempt_ms, max_attempts } => {
                        retry.execute(params![id, error, next_attempt_ms, max_attempts, now])
                    }
                }
                .map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }

    /// Row counts per state.
    pub fn stats(&self) -> Result<Stats, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            .map_err(|e| self.err(e))?;
        let mut st = Stats::default();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (state, n) = row.map_err(|e| self.err(e))?;
            match map_state(&state) {
                "done" => st.done = n,
                "failed" => st.failed = n,
                "dead" => st.dead = n,
                _ => st.pending = n,
            }
        }
        Ok(st)
    }

    /// Rows (without tokens), newest first; only `state` if given.
    pub fn summaries(&self, state: Option<&str>, limit: usize) -> Result<Vec<Summary>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, destination, key, type, state, attempts, last_error, outcome
                 FROM outbox WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![state, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(Summary {
                    id: r.get(0)?,
                    destination: r.get(1)?,
                    key: r.get(2)?,
                    revocation_type: r.get(3)?,
                    state: r.get(4)?,
                    attempts: r.get(5)?,
                    last_error: r.get(6)?,
                    outcome: r.get(7)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Turns off SQLite's automatic checkpoints on this connection. An automatic checkpoint is
    /// `PASSIVE` and runs inline in whichever commit crosses the threshold, and it cannot rewind
    /// a WAL that readers use; the service instead copies frames from a separate connection
    /// ([`Outbox::checkpoint`]) and truncates from its writer at points it chooses
    /// ([`Outbox::checkpoint_truncate`]; see the module doc).
    pub fn disable_auto_checkpoint(&self) -> Result<(), Error> {
        self.conn
            .query_row("PRAGMA wal_autocheckpoint = 0", [], |_| Ok(()))
            .map_err(|e| self.err(e))
    }

    /// Copies committed WAL frames into the database file without blocking writers
    /// (`wal_checkpoint(PASSIVE)`). It neither rewinds nor truncates the WAL; that is
    /// [`Outbox::checkpoint_truncate`].
    pub fn checkpoint(&self) -> Result<(), Error> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(|e| self.err(e))
    }

    /// Copies every WAL frame into the database and truncates the WAL file to zero bytes
    /// (`wal_checkpoint(TRUNCATE)`), so old page images, including tokens of finished rows,
    /// leave the disk. Waits at most `wait` for other connections (readers that began before
    /// it, a concurrent checkpoint); returns `false` if it could not complete in that time,
    /// which is harmless: the next call finishes the job.
    pub fn checkpoint_truncate(&self, wait: Duration) -> Result<bool, Error> {
        self.conn.busy_timeout(wait).map_err(|e| self.err(e))?;
        let res =
            self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
        self.conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| self.err(e))?;
        match res {
            Ok(busy) => Ok(busy == 0),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(self.err(e)),
        }
    }

    /// Best-effort [`Outbox::checkpoint_truncate`] after outcomes were recorded, so the page
    /// images that still hold the tokens just cleared leave the disk: a postponed checkpoint
    /// (readers still use the WAL) or a failure is logged and retried at the caller's next
    /// opportunity; a slow one is logged at debug level.
    pub fn truncate_wal(&self, wait: Duration) {
        let start = std::time::Instant::now();
        match self.checkpoint_truncate(wait) {
            Ok(true) => {}
            Ok(false) => {
                tracing::debug!("outbox WAL checkpoint postponed: readers still use the WAL")
            }
            Err(e) => tracing::warn!("outbox WAL checkpoint: {e}"),
        }
        let took = start.elapsed();
        if took > Duration::from_millis(50) {
            tracing::debug!("slow outbox WAL checkpoint: {took:?}");
        }
    }

    /// The WAL file (`<database>-wal`).
    pub fn wal_path(&self) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push("-wal");
        PathBuf::from(p)
    }

    /// Size of the WAL file in bytes (0 when it does not exist).
    pub fn wal_bytes(&self) -> u64 {
        std::fs::metadata(self.wal_path()).map_or(0, |m| m.len())
    }

    /// Number of rows that still hold a token (should equal the pending count).
    pub fn tokens_held(&self) -> Result<u64, Error> {
        self.conn
            .query_row("SELECT COUNT(*) FROM outbox WHERE token IS NOT NULL", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_rows_drop_tokens_and_revive() {
        let dir = tempfile::tempdir().unwrap();
        let mut ob = Outbox::open(&dir.path().join("o.sqlite")).unwrap();
        let it = NewItem::new("p", "t", "tok-1", "loc");
        ob.enqueue(std::slice::from_ref(&it)).unwrap();
        let id = ob.pending("p").unwrap()[0].id;
        for _ in 0..2 {
            ob.complete(&[Update::Retry {
                id,
                error: "503".into(),
                next_attempt_ms: 0,
                max_attempts: 2,
            }])
            .unwrap();
        }
        assert_eq!(ob.stats().unwrap(), Stats { dead: 1, ..Stats::default() });
        assert_eq!(ob.tokens_held().unwrap(), 0);
        assert_eq!(ob.enqueue(std::slice::from_ref(&it)).unwrap(), 1, "revived");
        assert_eq!(ob.pending("p").unwrap()[0].attempts, 0);
        ob.complete(&[Update::Failed { id, error: "400".into() }]).unwrap();
        assert_eq!(ob.enqueue(&[it]).unwrap(), 0, "failed rows are not retried");
        assert_eq!(ob.tokens_held().unwrap(), 0);
    }

    #[test]
    fn survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.sqlite");
        Outbox::open(&p).unwrap().enqueue(&[NewItem::new("d", "t", "x", "")]).unwrap();
        let ob = Outbox::open(&p).unwrap();
        assert_eq!(ob.due(now_ms(), 10).unwrap().len(), 1);
        assert!(ob.next_due_ms().unwrap().is_some());
    }
}
