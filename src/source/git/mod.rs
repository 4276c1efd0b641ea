//! Git as an input: history, ranges, pushed objects (quarantine-aware) and the staged index.
//!
//! Design decision: everything here reads objects through [`Objects`], an ordered list of
//! gitoxide object databases: the repository's own store (with its `info/alternates`) plus,
//! inside a pre-receive hook, the quarantine directory and every
//! `GIT_ALTERNATE_OBJECT_DIRECTORIES` entry. A plain `gix::Repository` would not see objects a
//! push is still holding in quarantine, so no code path here calls `repo.find_object`.
//! Revision *selection* with user-supplied `git rev-list` arguments (`--log-opts`, push
//! ranges) is delegated to a `git rev-list` subprocess ([`revlist`]), which parses them
//! faithfully and inherits the quarantine environment; the default selection (every commit
//! reachable from every ref) and all object reading use gix only.
//!
//! Sources know nothing about rules: this module yields commits, blob ids and paths; the
//! scan driver (`scan::git`) decides what to scan.
//!
//! Failing closed: an object that should be read and cannot be (a corrupt or truncated pack
//! or pack index, a missing object, an unreadable commit, tree or reference target) is never
//! fatal and never silent. It is recorded as a [`Failure`] naming the object id and the
//! path, commit or reference it was met at (never its content), enumeration continues with
//! everything else, and the caller lists it as a failure, so the run ends incomplete (exit 2).
//! Only what git itself defines away stays a warning: the missing parents behind a shallow
//! clone's boundary.

pub mod history;
pub mod push;
pub mod revlist;
pub mod staged;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::ObjectId;
use gix::object::Kind;
use gix::odb::Header as _;
use gix::prelude::Find as _;

use super::CommitInfo;
use crate::finding::coverage::Failure;

/// Errors of git sources.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GitError {
    /// The path is not (inside) a git repository.
    #[error("{path}: not a git repository: {message}")]
    Open {
        /// The path given.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// An extra object directory (quarantine, alternates) could not be opened.
    #[error("{path}: cannot open object directory: {source}")]
    ObjectDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Reading an object failed (corrupt pack, I/O).
    #[error("object {id}: {message}")]
    Object {
        /// Object id (hex).
        id: String,
        /// Why.
        message: String,
    },
    /// An object is not in any object database.
    #[error("object {id} is missing")]
    Missing {
        /// Object id (hex).
        id: String,
    },
    /// An object has another type than expected.
    #[error("object {id}: expected a {expected}, found a {found}")]
    Kind {
        /// Object id (hex).
        id: String,
        /// Expected kind.
        expected: &'static str,
        /// Actual kind.
        found: String,
    },
    /// An object could not be decoded.
    #[error("object {id}: cannot decode: {message}")]
    Decode {
        /// Object id (hex).
        id: String,
        /// Why.
        message: String,
    },
    /// References could not be listed.
    #[error("reading references: {0}")]
    Refs(String),
    /// A `git` subprocess failed.
    #[error("`git {args}` failed: {message}")]
    Command {
        /// The arguments.
        args: String,
        /// Its stderr or spawn error.
        message: String,
    },
    /// The index could not be read.
    #[error("{path}: cannot read the index: {message}")]
    Index {
        /// Index file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A string is not an object id.
    #[error("{0:?} is not an object id")]
    BadId(String),
}

/// A repository opened for scanning: cheap to clone, one clone per thread.
#[derive(Clone)]
pub struct Repo {
    inner: gix::ThreadSafeRepository,
    /// Extra object databases searched *before* the repository's own (quarantine first).
    extra: Vec<gix::OdbHandle>,
    /// Their directories, for [`Repo::check_packs`].
    extra_dirs: Vec<PathBuf>,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("git_dir", &self.inner.git_dir())
            .field("extra_object_dirs", &self.extra.len())
            .finish()
    }
}

impl Repo {
    /// Opens the repository at or above `path` (a work tree, a `.git` directory or a bare
    /// repository).
    pub fn discover(path: &Path) -> Result<Repo, GitError> {
        let repo = gix::discover(path)
            .map_err(|e| GitError::Open { path: path.to_owned(), message: e.to_string() })?;
        Ok(Repo { inner: repo.into_sync(), extra: Vec::new(), extra_dirs: Vec::new() })
    }

    /// Adds the object directories a running git hook was given: `GIT_QUARANTINE_PATH` /
    /// `GIT_OBJECT_DIRECTORY` (objects of a push not yet accepted) and every entry of
    /// `GIT_ALTERNATE_OBJECT_DIRECTORIES`. Directories equal to the repository's own object
    /// directory are skipped. Does nothing outside a hook.
    pub fn with_hook_object_dirs(mut self) -> Result<Repo, GitError> {
        let mut dirs: Vec<PathBuf> = Vec::new();
        for var in ["GIT_QUARANTINE_PATH", "GIT_OBJECT_DIRECTORY"] {
            if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
                dirs.push(PathBuf::from(v));
            }
        }
        if let Ok(v) = std::env::var("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
            dirs.extend(parse_alternates(&v).into_iter().map(PathBuf::from));
        }
        let own = canonical(self.inner.objects_dir());
        let mut seen = vec![own];
        for dir in dirs {
            let dir = if dir.is_relative() { self.inner.git_dir().join(dir) } else { dir };
            let c = canonical(&dir);
            if seen.contains(&c) {
                continue;
            }
            seen.push(c);
            let handle = gix::odb::at(&dir, self.object_hash())
                .map_err(|source| GitError::ObjectDir { path: dir.clone(), source })?;
            self.extra.push(gix::odb::memory::Proxy::new(handle, self.object_hash()));
            self.extra_dirs.push(dir);
        }
        Ok(self)
    }

    /// Number of extra object databases (quarantine and alternates) in use.
    pub fn extra_object_dirs(&self) -> usize {
        self.extra.len()
    }

    /// The hash kind (SHA-1 or SHA-256).
    pub fn object_hash(&self) -> gix::hash::Kind {
        self.inner.to_thread_local().object_hash()
    }

    /// The `.git` directory (or the bare repository).
    pub fn git_dir(&self) -> &Path {
        self.inner.git_dir()
    }

    /// The work tree, if any.
    pub fn work_dir(&self) -> Option<PathBuf> {
        self.inner.to_thread_local().workdir().map(Path::to_owned)
    }

    /// The thread-local gix repository (refs, config, index location).
    pub fn gix(&self) -> gix::Repository {
        self.inner.to_thread_local()
    }

    /// Whether the repository is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.gix().is_shallow()
    }

    /// A per-thread object reader over all object databases.
    pub fn objects(&self) -> Objects {
        self.objects_with_cache(0)
    }

    /// Like [`Repo::objects`], with an object cache of `bytes` in front of the repository's
    /// own store: tree diffs read each tree twice (as a commit's tree, then as its child's
    /// parent tree), so a small cache of decoded objects saves the second inflate.
    pub fn objects_with_cache(&self, bytes: usize) -> Objects {
        let mut repo = self.inner.to_thread_local();
        if bytes > 0 {
            repo.object_cache_size(bytes);
        }
        let own = repo.objects.clone();
        let mut dbs = self.extra.clone();
        dbs.push(own);
        Objects { dbs, hash: self.object_hash() }
    }

    /// Where each object lies in the repository's packs, as a sort key: `(pack id, offset)`,
    /// `None` for loose objects and objects only in extra (quarantine) databases. Reading
    /// blobs in pack order lets the delta-base cache serve a chain's bases, which are written
    /// just before their deltas, instead of inflating them again (noseyparker's observation).
    pub fn pack_locations(&self, ids: impl Iterator<Item = ObjectId>) -> Vec<Option<(u32, u64)>> {
        use gix::odb::pack::Find as _;
        let mut handle = self.inner.to_thread_local().objects.clone();
        handle.prevent_pack_unload();
        let mut buf = Vec::new();
        ids.map(|id| handle.location_by_oid(&id, &mut buf).map(|l| (l.pack_id, l.pack_offset)))
            .collect()
    }

    /// Opens every pack index and pack header of the repository's own object directory (and
    /// its extra ones): gitoxide leaves out a pack whose index does not load, so its objects
    /// would only show up later as "missing". Each unusable pack is one failure naming it.
    /// Cheap: headers and fan-out tables only, no checksums.
    pub fn check_packs(&self) -> Vec<Failure> {
        let mut dirs = vec![self.inner.objects_dir().join("pack")];
        dirs.extend(self.extra_dirs.iter().map(|d| d.join("pack")));
        if let Ok(v) = std::fs::read_to_string(self.inner.objects_dir().join("info/alternates")) {
            for line in v.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                let p = PathBuf::from(line);
                let p = if p.is_relative() { self.inner.objects_dir().join(p) } else { p };
                dirs.push(p.join("pack"));
            }
        }
        let hash = self.object_hash();
        let mut out = Vec::new();
        for dir in dirs {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    out.push(Failure::new(
                        dir.display().to_string(),
                        format!("cannot list pack directory: {e}"),
                    ));
                    continue;
                }
            };
            let mut packs: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pack"))
                .collect();
            packs.sort();
            for pack in packs {
                if let Some(problem) = check_pack(&pack, hash) {
                    out.push(Failure::new(pack.display().to_string(), problem));
                }
            }
        }
        out
    }

    /// Parses a full hex object id.
    pub fn parse_id(&self, hex: &str) -> Result<ObjectId, GitError> {
        ObjectId::from_hex(hex.trim().as_bytes()).map_err(|_| GitError::BadId(hex.to_string()))
    }
}

/// Why the pack at `pack` (and its `.idx`) cannot be used, if it cannot.
fn check_pack(pack: &Path, hash: gix::hash::Kind) -> Option<String> {
    let idx_path = pack.with_extension("idx");
    let idx = match gix::odb::pack::index::File::at(&idx_path, hash) {
        Ok(i) => i,
        Err(e) => {
            return Some(format!(
                "pack index {} unusable, none of the pack's objects can be read: {}",
                idx_path.display(),
                error_chain(&e)
            ));
        }
    };
    match gix::odb::pack::data::File::at(pack, hash) {
        Ok(d) if d.num_objects() != idx.num_objects() => Some(format!(
            "pack holds {} object(s) but its index lists {}: corrupt or truncated",
            d.num_objects(),
            idx.num_objects()
        )),
        Ok(_) => None,
        Err(e) => Some(format!("pack unreadable: {}", error_chain(&e))),
    }
}

/// An error and its sources, `: `-separated (gitoxide's top-level messages are generic).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(src) = cur {
        let m = src.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = src.source();
    }
    s
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned())
}

/// Splits `GIT_ALTERNATE_OBJECT_DIRECTORIES`: entries separated by `:` (`;` on Windows); an
/// entry starting with `"` is C-quoted (git quotes paths that contain the separator).
pub fn parse_alternates(value: &str) -> Vec<String> {
    let sep = if cfg!(windows) { ';' } else { ':' };
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    while chars.peek().is_some() {
        let mut entry = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => entry.push('\n'),
                        Some('t') => entry.push('\t'),
                        Some(other) => entry.push(other),
                        None => {}
                    },
                    c => entry.push(c),
                }
            }
            // Skip up to and including the separator.
            for c in chars.by_ref() {
                if c == sep {
                    break;
                }
            }
        } else {
            for c in chars.by_ref() {
                if c == sep {
                    break;
                }
                entry.push(c);
            }
        }
        if !entry.is_empty() {
            out.push(entry);
        }
    }
    out
}

/// Reads objects from an ordered list of object databases (one per thread; not `Sync`).
pub struct Objects {
    dbs: Vec<gix::OdbHandle>,
    hash: gix::hash::Kind,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objects").field("dbs", &self.dbs.len()).finish()
    }
}

impl Objects {
    /// The repository's hash kind.
    pub fn hash_kind(&self) -> gix::hash::Kind {
        self.hash
    }

    /// Reads an object into `buf`; `Ok(None)` when no database has it.
    pub fn find<'a>(
        &self,
        id: &gix::oid,
        buf: &'a mut Vec<u8>,
    ) -> Result<Option<(Kind, &'a [u8])>, GitError> {
        let mut found = None;
        for db in &self.dbs {
            match db.try_find(id, buf) {
                Ok(Some(data)) => {
                    found = Some(data.kind);
                    break;
                }
                Ok(None) => {}
                Err(e) => {
                    return Err(GitError::Object {
                        id: id.to_string(),
                        message: error_chain(e.as_ref()),
                    });
                }
            }
        }
        Ok(found.map(|k| (k, &buf[..])))
    }

    /// Reads an object of an expected kind; missing or other kinds are errors.
    pub fn find_kind<'a>(
        &self,
        id: &gix::oid,
        kind: Kind,
        buf: &'a mut Vec<u8>,
    ) -> Result<&'a [u8], GitError> {
        match self.find(id, buf)? {
            None => Err(GitError::Missing { id: id.to_string() }),
            Some((k, data)) if k == kind => Ok(data),
            Some((k, _)) => Err(GitError::Kind {
                id: id.to_string(),
                expected: kind_name(kind),
                found: kind_name(k).to_string(),
            }),
        }
    }

    /// Kind and size without decompressing the object, `Ok(None)` when missing.
    pub fn header(&self, id: &gix::oid) -> Result<Option<(Kind, u64)>, GitError> {
        for db in &self.dbs {
            match db.try_header(id) {
                Ok(Some(h)) => return Ok(Some((h.kind(), h.size()))),
                Ok(None) => {}
                Err(e) => {
                    return Err(GitError::Object {
                        id: id.to_string(),
                        message: error_chain(e.as_ref()),
                    });
                }
            }
        }
        Ok(None)
    }

    /// Decodes a commit's tree, parents and committer time.
    pub fn commit_header(
        &self,
        id: &gix::oid,
        buf: &mut Vec<u8>,
    ) -> Result<CommitHeader, GitError> {
        let data = self.find_kind(id, Kind::Commit, buf)?;
        let c = gix::objs::CommitRef::from_bytes(data, self.hash).map_err(|e| decode_err(id, e))?;
        let time = c.committer().map(|s| s.seconds()).unwrap_or(0);
        Ok(CommitHeader { tree: c.tree(), parents: c.parents().collect(), time })
    }

    /// Full metadata of a commit, for findings.
    pub fn commit_info(&self, id: &gix::oid, buf: &mut Vec<u8>) -> Result<CommitInfo, GitError> {
        let data = self.find_kind(id, Kind::Commit, buf)?;
        let c = gix::objs::CommitRef::from_bytes(data, self.hash).map_err(|e| decode_err(id, e))?;
        let author = c.author().map_err(|e| decode_err(id, e))?.trim();
        let date =
            author.time().ok().and_then(|t| rfc3339(t.seconds, t.offset)).unwrap_or_default();
        Ok(CommitInfo {
            sha: id.to_string(),
            author_name: author.name.to_string(),
            author_email: author.email.to_string(),
            date,
            message: c.message.to_string(),
        })
    }

    /// Peels a reference target (tags) to a commit id; `Ok(None)` for refs to trees or blobs.
    pub fn peel_to_commit(
        &self,
        id: ObjectId,
        buf: &mut Vec<u8>,
    ) -> Result<Option<ObjectId>, GitError> {
        let mut id = id;
        for _ in 0..32 {
            match self.find(&id, buf)? {
                None => return Err(GitError::Missing { id: id.to_string() }),
                Some((Kind::Commit, _)) => return Ok(Some(id)),
                Some((Kind::Tag, data)) => {
                    let tag = gix::objs::TagRef::from_bytes(data, self.hash)
                        .map_err(|e| decode_err(&id, e))?;
                    id = tag.target();
                }
                Some(_) => return Ok(None),
            }
        }
        Ok(None)
    }
}

/// What history enumeration needs from a commit.
#[derive(Clone, Debug)]
pub struct CommitHeader {
    /// Root tree.
    pub tree: ObjectId,
    /// Parent commits.
    pub parents: Vec<ObjectId>,
    /// Committer time (seconds since the epoch).
    pub time: i64,
}

fn decode_err(id: &gix::oid, e: impl std::fmt::Display) -> GitError {
    GitError::Decode { id: id.to_string(), message: e.to_string() }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Blob => "blob",
        Kind::Tree => "tree",
        Kind::Commit => "commit",
        Kind::Tag => "tag",
    }
}

/// RFC 3339 in the signature's own offset.
fn rfc3339(seconds: i64, offset: i32) -> Option<String> {
    let off = time::UtcOffset::from_whole_seconds(offset).ok()?;
    let t = time::OffsetDateTime::from_unix_timestamp(seconds).ok()?.to_offset(off);
    t.format(&time::format_description::well_known::Rfc3339).ok()
}

/// Whether an object id string is the null id (all zeros, 40 or 64 characters).
pub fn is_null_id(hex: &str) -> bool {
    !hex.is_empty() && hex.bytes().all(|b| b == b'0')
}

/// A cache of commit metadata, filled on demand (only commits with findings are decoded).
#[derive(Debug, Default)]
pub struct CommitInfoCache {
    map: std::collections::HashMap<ObjectId, Arc<CommitInfo>>,
}

impl CommitInfoCache {
    /// The metadata of `id`, decoded once. A commit that cannot be read yields an entry with
    /// only its sha (and the error is returned alongside, for a warning).
    pub fn get(
        &mut self,
        objects: &Objects,
        id: ObjectId,
        buf: &mut Vec<u8>,
    ) -> (Arc<CommitInfo>, Option<GitError>) {
        if let Some(c) = self.map.get(&id) {
            return (c.clone(), None);
        }
        let (info, err) = match objects.commit_info(&id, buf) {
            Ok(i) => (i, None),
            Err(e) => (CommitInfo { sha: id.to_string(), ..Default::default() }, Some(e)),
        };
        let info = Arc::new(info);
        self.map.insert(id, info.clone());
        (info, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_ids_of_both_hash_kinds() {
        assert!(is_null_id(&"0".repeat(40)));
        assert!(is_null_id(&"0".repeat(64)));
        assert!(!is_null_id(""));
        assert!(!is_null_id(&format!("{}1", "0".repeat(39))));
    }

    #[cfg(unix)]
    #[test]
    fn alternates_split_and_unquote() {
        assert_eq!(parse_alternates("/a/objects:/b/objects"), vec!["/a/objects", "/b/objects"]);
        assert_eq!(
            parse_alternates("\"/we:ird/objects\":/b"),
            vec!["/we:ird/objects".to_string(), "/b".to_string()]
        );
        assert_eq!(parse_alternates("\"/x\\\"y\""), vec!["/x\"y".to_string()]);
        assert!(parse_alternates("").is_empty());
    }

    #[test]
    fn dates_keep_their_offset() {
        assert_eq!(rfc3339(1_700_000_000, 3600).as_deref(), Some("2023-11-14T23:13:20+01:00"));
        assert_eq!(rfc3339(0, 0).as_deref(), Some("1970-01-01T00:00:00Z"));
    }
}
