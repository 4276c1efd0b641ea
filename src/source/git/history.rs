//! Which blobs a set of commits introduces, and where: the *plan* of a history scan.
//!
//! Design decision: a commit *introduces* the blob at a path when no parent has that same
//! blob at that path (a root commit, or a commit whose parents are missing in a shallow
//! clone, introduces its whole tree). For a merge this is git's combined-diff rule: content
//! taken unchanged from any parent is not new, content that differs from *every* parent
//! (a conflict resolution, an evil merge) is. Trees are compared level by level and a
//! subtree equal to the same subtree of any parent is skipped without being read, so the
//! cost is proportional to what changed, like `git log --raw`.
//!
//! Commits are diffed in parallel (a chunk at a time, one object reader per thread, so
//! memory stays bounded by the chunk), then merged in commit-date order, oldest first (ties
//! broken by generation, so a parent precedes its child). The first commit that introduces
//! a blob at a path is the one every finding in that blob at that path is attributed to; a
//! blob is listed once however many commits and paths carry it, so the scan driver reads
//! and scans each distinct blob once. Only ids, interned paths and small integers are kept
//! per blob: commit metadata is decoded later, for commits that have findings.
//!
//! Nothing that cannot be read is dropped: an unreadable reference target, commit, parent or
//! tree becomes a [`Failure`] in [`Plan::failures`] (once per object) and enumeration goes
//! on with the rest; an unreadable parent or parent tree makes the child's content count as
//! new (scanning more, never less). Commits a `.git/shallow` file marks as boundaries are
//! treated as roots, as git does, so only their absent parents are expected and silent.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use bstr::ByteSlice;
use gix::ObjectId;
use gix::object::Kind;
use gix::objs::tree::EntryKind;

use super::{Failure, GitError, Objects, Repo, revlist};
use crate::source::exclude::ExcludeSet;

/// Which commits to take.
#[derive(Clone, Debug)]
pub enum Selection {
    /// Every commit reachable from any reference or `HEAD` (gix only, no subprocess).
    AllRefs,
    /// `git rev-list` arguments (`main..feature`, `--since=…`, `-n 50`, `<new> --not --all`):
    /// the listed commits, and only blobs that `git rev-list --objects` with the same
    /// arguments lists, i.e. not reachable from the excluded side.
    RevList(Vec<String>),
}

/// Options for [`plan`].
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// Which commits.
    pub selection: Selection,
    /// Threads for tree diffs.
    pub threads: usize,
    /// Paths to leave out.
    pub excludes: ExcludeSet,
    /// Stop enumerating at this instant (commits not diffed are counted in the plan).
    pub deadline: Option<Instant>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            selection: Selection::AllRefs,
            threads: 1,
            excludes: ExcludeSet::default(),
            deadline: None,
        }
    }
}

/// A commit in the plan.
#[derive(Clone, Copy, Debug)]
pub struct PlannedCommit {
    /// Commit id.
    pub id: ObjectId,
    /// Committer time (seconds since the epoch).
    pub time: i64,
}

/// One place a blob was introduced: an index into [`Plan::paths`] and [`Plan::commits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Site {
    /// Path index.
    pub path: u32,
    /// Commit index (commits are oldest first, so a lower index is older).
    pub commit: u32,
}

/// A distinct blob and every path it was introduced at, each with its oldest commit.
#[derive(Clone, Debug)]
pub struct PlannedBlob {
    /// Blob id.
    pub id: ObjectId,
    /// Introduction sites, one per distinct path, in the order they were introduced.
    pub sites: Vec<Site>,
}

/// What a history scan will read.
#[derive(Debug, Default)]
pub struct Plan {
    /// Selected commits, oldest first.
    pub commits: Vec<PlannedCommit>,
    /// Interned paths (`/`-separated).
    pub paths: Vec<String>,
    /// Distinct blobs, in order of first introduction.
    pub blobs: Vec<PlannedBlob>,
    /// Whether the repository is a shallow clone.
    pub shallow: bool,
    /// Notes that do not make the scan incomplete (the shallow boundary).
    pub warnings: Vec<String>,
    /// Objects, references and packs that should have been read and could not be, one entry
    /// per object: the scan is incomplete.
    pub failures: Vec<Failure>,
    /// The distinct paths left out by exclusions (a directory with a trailing `/`), sorted.
    pub excluded_paths: Vec<String>,
    /// Commits not examined because the deadline passed.
    pub commits_not_examined: u64,
    /// For range selections: the blobs at the same path in the introducing commit's parents,
    /// keyed by (blob index, path index). Empty for whole-history scans, where the older
    /// version is itself part of the plan.
    pub parent_blobs: HashMap<(u32, u32), Vec<ObjectId>>,
}

impl Plan {
    /// The path of a site.
    pub fn path(&self, site: Site) -> &str {
        &self.paths[site.path as usize]
    }

    /// The commit of a site.
    pub fn commit(&self, site: Site) -> &PlannedCommit {
        &self.commits[site.commit as usize]
    }
}

/// Object cache per diff thread (trees are read as a commit's and again as its child's parent).
const TREE_CACHE_BYTES: usize = 16 << 20;

/// Commits per parallel diff round: bounds memory held by not-yet-merged diff results.
const CHUNK: usize = 2048;

/// Enumerates the selected commits and the blobs they introduce.
pub fn plan(repo: &Repo, opts: &PlanOptions) -> Result<Plan, GitError> {
    let objects = repo.objects();
    let mut plan = Plan { shallow: repo.is_shallow(), ..Default::default() };
    let mut warnings = Warnings::default();
    let mut failures = Failures::default();
    for f in repo.check_packs() {
        failures.add(f.path.clone(), f);
    }
    let boundary = shallow_boundary(repo, &mut failures);
    let (headers, allowed) = match &opts.selection {
        Selection::AllRefs => {
            (walk_all_refs(repo, &objects, &boundary, &mut failures, &mut warnings)?, None)
        }
        Selection::RevList(args) => {
            let ids = revlist::commits(repo.git_dir(), args)?;
            let headers = read_headers(&objects, ids, &boundary, &mut failures);
            let allowed: HashSet<ObjectId> = revlist::objects(repo.git_dir(), args)?;
            (headers, Some(allowed))
        }
    };
    if repo.git_dir().join("info/grafts").is_file() {
        warnings.push(
            "info/grafts is not honoured: commits were enumerated with their recorded parents"
                .to_string(),
        );
    }
    let order = oldest_first(&headers);
    // Parents in the selection need not be read again to find their trees.
    let tree_of: HashMap<ObjectId, ObjectId> = headers.iter().map(|h| (h.id, h.tree)).collect();
    plan.commits =
        order.iter().map(|&i| PlannedCommit { id: headers[i].id, time: headers[i].time }).collect();

    // Merge the per-commit diffs oldest first, so the first site recorded for a (blob, path)
    // is its oldest introduction. Parents outside the selection are still diffed against: a
    // range's first commit is compared with the commit before it.
    let mut blob_index: HashMap<ObjectId, u32> = HashMap::new();
    let mut path_index: HashMap<String, u32> = HashMap::new();
    let mut sites_seen: HashSet<(u32, u32)> = HashSet::new();
    let mut excluded_paths: HashSet<String> = HashSet::new();
    let threads = opts.threads.max(1);
    for (chunk_no, chunk) in order.chunks(CHUNK).enumerate() {
        if opts.deadline.is_some_and(|d| Instant::now() >= d) {
            plan.commits_not_examined += (order.len() - chunk_no * CHUNK) as u64;
            break;
        }
        let results = diff_chunk(repo, &headers, &tree_of, chunk, threads, opts);
        for (pos_in_chunk, result) in results.into_iter().enumerate() {
            let commit_pos = (chunk_no * CHUNK + pos_in_chunk) as u32;
            let Some(result) = result else {
                plan.commits_not_examined += 1;
                continue;
            };
            for (key, f) in result.failures {
                failures.add(key, f);
            }
            excluded_paths.extend(result.excluded_paths);
            for (path, blob, parents) in result.introduced {
                if let Some(allowed) = &allowed {
                    if !allowed.contains(&blob) {
                        continue;
                    }
                }
                let next = plan.paths.len() as u32;
                let path_id = *path_index.entry(path).or_insert_with_key(|p| {
                    plan.paths.push(p.clone());
                    next
                });
                let next = plan.blobs.len() as u32;
                let blob_id = *blob_index.entry(blob).or_insert_with(|| {
                    plan.blobs.push(PlannedBlob { id: blob, sites: Vec::new() });
                    next
                });
                if sites_seen.insert((blob_id, path_id)) {
                    plan.blobs[blob_id as usize]
                        .sites
                        .push(Site { path: path_id, commit: commit_pos });
                    // In a range the previous version may lie outside it: keep it so a secret
                    // that was already there is not reported as introduced by the range.
                    if allowed.is_some() && !parents.is_empty() {
                        plan.parent_blobs.insert((blob_id, path_id), parents);
                    }
                }
            }
        }
    }
    if plan.shallow {
        warnings.push(
            "shallow clone: commits before the shallow boundary are not present; their \
             content was scanned as part of the oldest present commit"
                .to_string(),
        );
    }
    plan.warnings = warnings.finish();
    plan.failures = failures.list;
    plan.excluded_paths = excluded_paths.into_iter().collect();
    plan.excluded_paths.sort();
    Ok(plan)
}

/// Read failures, once per key (an object id, a reference name, a pack).
#[derive(Default)]
struct Failures {
    seen: HashSet<String>,
    list: Vec<Failure>,
}

impl Failures {
    fn add(&mut self, key: String, f: Failure) {
        if self.seen.insert(key) {
            self.list.push(f);
        }
    }
}

/// The commits `.git/shallow` lists: git treats them as having no parents.
fn shallow_boundary(repo: &Repo, failures: &mut Failures) -> HashSet<ObjectId> {
    match repo.gix().shallow_commits() {
        Ok(Some(c)) => c.iter().copied().collect(),
        Ok(None) => HashSet::new(),
        Err(e) => {
            failures.add(
                "shallow".into(),
                Failure::new(
                    "shallow",
                    format!(
                        "cannot read the shallow file, commits behind the boundary are \
                         reported as missing: {}",
                        super::error_chain(&e)
                    ),
                ),
            );
            HashSet::new()
        }
    }
}

/// A commit's header, with no parents when it is a shallow boundary commit.
fn header(
    objects: &Objects,
    id: ObjectId,
    boundary: &HashSet<ObjectId>,
    buf: &mut Vec<u8>,
) -> Result<Header, GitError> {
    let h = objects.commit_header(&id, buf)?;
    let parents = if boundary.contains(&id) { Vec::new() } else { h.parents };
    Ok(Header { id, tree: h.tree, parents, time: h.time })
}

fn commit_failure(id: ObjectId, e: &GitError, what: &str) -> (String, Failure) {
    (id.to_string(), Failure::new(id.to_string(), format!("commit {id} {what}: {e}")))
}

/// Collects warnings, keeping the first few of each kind verbatim and counting the rest.
#[derive(Default)]
struct Warnings {
    list: Vec<String>,
    dropped: usize,
}

impl Warnings {
    const KEEP: usize = 20;
    fn push(&mut self, w: String) {
        if self.list.len() < Self::KEEP {
            self.list.push(w);
        } else {
            self.dropped += 1;
        }
    }
    fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list.push(format!("… and {} more problem(s) of this kind", self.dropped));
        }
        self.list
    }
}

#[derive(Clone, Debug)]
struct Header {
    id: ObjectId,
    tree: ObjectId,
    parents: Vec<ObjectId>,
    time: i64,
}

/// Every commit reachable from any ref or HEAD, parents before children not guaranteed.
fn walk_all_refs(
    repo: &Repo,
    objects: &Objects,
    boundary: &HashSet<ObjectId>,
    failures: &mut Failures,
    warnings: &mut Warnings,
) -> Result<Vec<Header>, GitError> {
    let gix = repo.gix();
    let mut tips: Vec<ObjectId> = Vec::new();
    let mut buf = Vec::new();
    // An unborn HEAD (no commit yet) has no id and is no failure.
    match gix.head() {
        Ok(head) => tips.extend(head.id().map(|id| id.detach())),
        Err(e) => failures.add(
            "HEAD".into(),
            Failure::new("HEAD", format!("cannot resolve HEAD: {}", super::error_chain(&e))),
        ),
    }
    let platform = gix.references().map_err(|e| GitError::Refs(e.to_string()))?;
    let all = platform.all().map_err(|e| GitError::Refs(e.to_string()))?;
    for r in all {
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                let msg = format!("unreadable reference: {}", super::error_chain(e.as_ref()));
                failures.add(msg.clone(), Failure::new("", msg));
                continue;
            }
        };
        // Symbolic references name another reference, which is listed itself.
        let Some(id) = r.target().try_id().map(|id| id.to_owned()) else { continue };
        let name = r.name().as_bstr().to_string();
        match objects.peel_to_commit(id, &mut buf) {
            Ok(Some(c)) => tips.push(c),
            // History scans walk commits; a tag of a tree or blob carries no commit.
            Ok(None) => warnings.push(format!(
                "reference {name} points at a tree or blob, not a commit: its content is \
                 scanned only where a commit also has it"
            )),
            Err(e) => failures.add(
                format!("ref:{name}"),
                Failure::new(
                    name,
                    format!(
                        "points at object {id}, which cannot be read: {e}; the history \
                             only it reaches is not scanned"
                    ),
                ),
            ),
        }
    }
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack = tips;
    let mut headers = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        match header(objects, id, boundary, &mut buf) {
            Ok(h) => {
                for p in &h.parents {
                    if !seen.contains(p) {
                        stack.push(*p);
                    }
                }
                headers.push(h);
            }
            Err(e) => {
                let (key, f) = commit_failure(
                    id,
                    &e,
                    "cannot be read; its content and the history only it reaches are not scanned",
                );
                failures.add(key, f);
            }
        }
    }
    Ok(headers)
}

fn read_headers(
    objects: &Objects,
    ids: Vec<ObjectId>,
    boundary: &HashSet<ObjectId>,
    failures: &mut Failures,
) -> Vec<Header> {
    let mut buf = Vec::new();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for id in ids {
        if !seen.insert(id) {
            continue;
        }
        match header(objects, id, boundary, &mut buf) {
            Ok(h) => out.push(h),
            Err(e) => {
                let (key, f) = commit_failure(id, &e, "cannot be read; its content is not scanned");
                failures.add(key, f);
            }
        }
    }
    out
}

/// Indices of `headers` sorted by committer time, ties by generation (parents first).
fn oldest_first(headers: &[Header]) -> Vec<usize> {
    let index: HashMap<ObjectId, usize> =
        headers.iter().enumerate().map(|(i, h)| (h.id, i)).collect();
    // Generation numbers by iterative post-order DFS over in-set parents.
    let mut gen_of = vec![0u32; headers.len()];
    let mut state = vec![0u8; headers.len()]; // 0 new, 1 on stack, 2 done
    for start in 0..headers.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let parents = &headers[node].parents;
            if *next < parents.len() {
                let p = parents[*next];
                *next += 1;
                if let Some(&pi) = index.get(&p) {
                    if state[pi] == 0 {
                        state[pi] = 1;
                        stack.push((pi, 0));
                    }
                }
                continue;
            }
            let g = parents
                .iter()
                .filter_map(|p| index.get(p))
                .map(|&pi| gen_of[pi])
                .max()
                .map_or(1, |m| m + 1);
            gen_of[node] = g;
            state[node] = 2;
            stack.pop();
        }
    }
    let mut order: Vec<usize> = (0..headers.len()).collect();
    order.sort_by_key(|&i| (headers[i].time, gen_of[i], headers[i].id));
    order
}

/// The result of diffing one commit against its parents.
#[derive(Default)]
struct CommitDiff {
    /// (path, blob, blobs at the same path in the parents).
    introduced: Vec<(String, ObjectId, Vec<ObjectId>)>,
    /// (dedup key: the object id, failure).
    failures: Vec<(String, Failure)>,
    /// Paths left out by exclusions (directories with a trailing `/`).
    excluded_paths: Vec<String>,
}

impl CommitDiff {
    fn fail(&mut self, id: ObjectId, path: String, message: String) {
        let path = if path.is_empty() { id.to_string() } else { path };
        self.failures.push((id.to_string(), Failure::new(path, message)));
    }
}

fn diff_chunk(
    repo: &Repo,
    headers: &[Header],
    tree_of: &HashMap<ObjectId, ObjectId>,
    chunk: &[usize],
    threads: usize,
    opts: &PlanOptions,
) -> Vec<Option<CommitDiff>> {
    let next = AtomicUsize::new(0);
    let threads = threads.min(chunk.len()).max(1);
    let mut results: Vec<Option<CommitDiff>> = Vec::new();
    results.resize_with(chunk.len(), || None);
    let parts: Vec<Vec<(usize, CommitDiff)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let repo = repo.clone();
                let next = &next;
                s.spawn(move || {
                    let objects = repo.objects_with_cache(TREE_CACHE_BYTES);
                    let mut out = Vec::new();
                    let mut bufs = Bufs::default();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= chunk.len() {
                            break;
                        }
                        if opts.deadline.is_some_and(|d| Instant::now() >= d) {
                            break;
                        }
                        let h = &headers[chunk[i]];
                        // A panic in one commit's diff costs that commit only, and is listed.
                        let d = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            diff_commit(&objects, h, tree_of, &opts.excludes, &mut bufs)
                        }))
                        .unwrap_or_else(|_| {
                            bufs = Bufs::default();
                            let mut d = CommitDiff::default();
                            d.fail(
                                h.id,
                                String::new(),
                                format!(
                                    "commit {}: tree diff panicked; its content is not scanned",
                                    h.id
                                ),
                            );
                            d
                        });
                        out.push((i, d));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    for part in parts {
        for (i, d) in part {
            results[i] = Some(d);
        }
    }
    results
}

#[derive(Default)]
struct Bufs {
    commit: Vec<u8>,
    pool: Vec<Vec<u8>>,
}

fn diff_commit(
    objects: &Objects,
    h: &Header,
    tree_of: &HashMap<ObjectId, ObjectId>,
    excludes: &ExcludeSet,
    bufs: &mut Bufs,
) -> CommitDiff {
    let mut d = CommitDiff::default();
    let mut parent_trees = Vec::with_capacity(h.parents.len());
    for p in &h.parents {
        if let Some(t) = tree_of.get(p) {
            parent_trees.push(*t);
            continue;
        }
        match objects.commit_header(p, &mut bufs.commit) {
            Ok(ph) => parent_trees.push(ph.tree),
            // The child is still scanned in full (its content counts as new).
            Err(e) => d.fail(
                *p,
                String::new(),
                format!("commit {p} (parent of {}) cannot be read: {e}", h.id),
            ),
        }
    }
    let mut prefix = String::new();
    if let Err(e) = diff_tree(objects, h.tree, &parent_trees, &mut prefix, excludes, bufs, &mut d) {
        d.fail(
            h.tree,
            h.id.to_string(),
            format!(
                "root tree {} of commit {} cannot be read, nothing in it is scanned: {e}",
                h.tree, h.id
            ),
        );
    }
    d
}

/// An owned tree entry.
struct Entry {
    kind: EntryKind,
    name: Vec<u8>,
    id: ObjectId,
}

fn read_tree(objects: &Objects, id: ObjectId, buf: &mut Vec<u8>) -> Result<Vec<Entry>, GitError> {
    let data = objects.find_kind(&id, Kind::Tree, buf)?;
    let tree = gix::objs::TreeRef::from_bytes(data, objects.hash_kind())
        .map_err(|e| GitError::Decode { id: id.to_string(), message: e.to_string() })?;
    let mut entries: Vec<Entry> = tree
        .entries
        .iter()
        .map(|e| Entry { kind: e.mode.kind(), name: e.filename.to_vec(), id: e.oid.to_owned() })
        .collect();
    // Sorting makes lookups correct even for trees written out of order by buggy tools.
    entries.sort_by(|a, b| {
        entry_cmp(&a.name, a.kind == EntryKind::Tree, &b.name, b.kind == EntryKind::Tree)
    });
    Ok(entries)
}

/// Git's tree order: names compared bytewise as if directories ended in `/`.
fn entry_cmp(a: &[u8], a_dir: bool, b: &[u8], b_dir: bool) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        std::cmp::Ordering::Equal => {}
        o => return o,
    }
    let end = |s: &[u8], dir: bool| s.get(n).copied().unwrap_or(if dir { b'/' } else { 0 });
    end(a, a_dir).cmp(&end(b, b_dir)).then(a.len().cmp(&b.len())).then(a_dir.cmp(&b_dir))
}

fn lookup<'a>(entries: &'a [Entry], name: &[u8], dir: bool) -> Option<&'a Entry> {
    entries
        .binary_search_by(|e| entry_cmp(&e.name, e.kind == EntryKind::Tree, name, dir))
        .ok()
        .map(|i| &entries[i])
}

fn is_blob(kind: EntryKind) -> bool {
    matches!(kind, EntryKind::Blob | EntryKind::BlobExecutable)
}

fn diff_tree(
    objects: &Objects,
    tree: ObjectId,
    parents: &[ObjectId],
    prefix: &mut String,
    excludes: &ExcludeSet,
    bufs: &mut Bufs,
    d: &mut CommitDiff,
) -> Result<(), GitError> {
    let mut buf = bufs.pool.pop().unwrap_or_default();
    let entries = read_tree(objects, tree, &mut buf);
    let mut parent_entries = Vec::with_capacity(parents.len());
    for &p in parents {
        match read_tree(objects, p, &mut buf) {
            Ok(e) => parent_entries.push(e),
            // An unreadable parent subtree makes everything here count as new: safe side.
            Err(e) => d.fail(
                p,
                prefix.clone(),
                format!("tree {p} (a parent's version of this directory) cannot be read: {e}"),
            ),
        }
    }
    bufs.pool.push(buf);
    let entries = entries?;
    let base_len = prefix.len();
    for e in &entries {
        let dir = e.kind == EntryKind::Tree;
        if !dir && !is_blob(e.kind) {
            continue; // symlinks and submodules carry no file content
        }
        let in_parents: Vec<&Entry> =
            parent_entries.iter().filter_map(|pe| lookup(pe, &e.name, dir)).collect();
        if in_parents.iter().any(|pe| pe.id == e.id) {
            continue; // unchanged relative to at least one parent
        }
        prefix.truncate(base_len);
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(&e.name.to_str_lossy());
        if !excludes.is_empty() && excludes.is_excluded(prefix) {
            d.excluded_paths.push(if dir { format!("{prefix}/") } else { prefix.clone() });
            continue;
        }
        if dir {
            let sub_parents: Vec<ObjectId> = in_parents.iter().map(|pe| pe.id).collect();
            if let Err(err) = diff_tree(objects, e.id, &sub_parents, prefix, excludes, bufs, d) {
                d.fail(
                    e.id,
                    format!("{prefix}/"),
                    format!("tree {} cannot be read, nothing under it is scanned: {err}", e.id),
                );
            }
        } else {
            let parents = in_parents.iter().map(|pe| pe.id).collect();
            d.introduced.push((prefix.clone(), e.id, parents));
        }
    }
    prefix.truncate(base_len);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    #[test]
    fn git_tree_order() {
        // "a.b" < "a/" (tree "a") because '.' < '/'; "a" file < "a.b"
        assert_eq!(entry_cmp(b"a.b", false, b"a", true), Less);
        assert_eq!(entry_cmp(b"a", false, b"a.b", false), Less);
        assert_eq!(entry_cmp(b"a", true, b"a0", false), Less); // '/' < '0'
        assert_eq!(entry_cmp(b"a", false, b"a", true), Less);
        assert_eq!(entry_cmp(b"x", true, b"x", true), Equal);
    }
}
