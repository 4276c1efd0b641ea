//! What the index would commit: staged blobs that differ from `HEAD`.
//!
//! Design decision: read the index file directly with gix (honouring `GIT_INDEX_FILE`, which
//! `git commit -a` / `git commit <paths>` point at a temporary index while the pre-commit
//! hook runs) and compare each entry with the blob at the same path in `HEAD`'s tree. The
//! staged blob is already in the object database after `git add`, so its *whole* content is
//! scanned and line numbers are those of the staged file. An index that exists but cannot be
//! read (corrupt, truncated, unreadable) is a [`Failure`], never "nothing staged": a hook
//! that silently scans nothing is the failure this module exists to avoid. So is a `HEAD`
//! commit or tree that cannot be read; then every index entry counts as staged (more is
//! scanned, never less). Before the first commit there is no `HEAD` and every entry counts
//! as staged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bstr::ByteSlice;
use gix::ObjectId;
use gix::object::Kind;
use gix::objs::tree::EntryKind;

use super::{Failure, GitError, Objects, Repo};
use crate::source::exclude::ExcludeSet;

/// A staged file.
#[derive(Clone, Debug)]
pub struct StagedBlob {
    /// Path in the repository (`/`-separated).
    pub path: String,
    /// The staged blob.
    pub id: ObjectId,
    /// The blob at the same path in `HEAD`, if any (to tell new secrets from old ones).
    pub head: Option<ObjectId>,
}

/// The staged changes.
#[derive(Clone, Debug, Default)]
pub struct Staged {
    /// Added or modified regular files.
    pub blobs: Vec<StagedBlob>,
    /// The index file read.
    pub index_path: PathBuf,
    /// Whether the index file exists (a fresh repository has none until the first `git add`).
    pub index_exists: bool,
    /// Whether `HEAD` points to a commit.
    pub has_head: bool,
    /// Staged files left out by path exclusions.
    pub excluded_paths: Vec<String>,
    /// What could not be read (the index, `HEAD`'s commit or trees): the scan is incomplete.
    pub failures: Vec<Failure>,
    /// Entries in conflict (unmerged), which cannot be committed as they are.
    pub conflicted: u64,
}

/// Lists what the index adds relative to `HEAD`. `index_file` overrides the repository's
/// index (pass `GIT_INDEX_FILE` when running as a hook).
pub fn staged(
    repo: &Repo,
    index_file: Option<&Path>,
    excludes: &ExcludeSet,
) -> Result<Staged, GitError> {
    let gix = repo.gix();
    let index_path = index_file.map_or_else(|| gix.index_path(), Path::to_owned);
    let mut out = Staged { index_path: index_path.clone(), ..Default::default() };
    let shown = index_path.display().to_string();
    match index_path.try_exists() {
        Ok(true) => {}
        Ok(false) => return Ok(out),
        Err(e) => {
            out.failures.push(Failure::new(shown, format!("cannot read the index: {e}")));
            return Ok(out);
        }
    }
    out.index_exists = true;
    // Checksum verified (`skip_hash` false): a truncated or corrupted index is caught here.
    let index =
        match gix::index::File::at(&index_path, gix.object_hash(), false, Default::default()) {
            Ok(i) => i,
            Err(e) => {
                out.failures.push(Failure::new(
                    shown,
                    format!(
                        "cannot read the index, nothing staged was scanned: {}",
                        without_hashes(&super::error_chain(&e))
                    ),
                ));
                return Ok(out);
            }
        };
    let objects = repo.objects();
    let mut head_files = HashMap::new();
    match gix.head() {
        Ok(head) => {
            if let Some(id) = head.id() {
                out.has_head = true;
                let id = id.detach();
                let mut buf = Vec::new();
                match objects.commit_header(&id, &mut buf) {
                    Ok(h) => collect_tree(
                        &objects,
                        h.tree,
                        &mut String::new(),
                        &mut head_files,
                        &mut out.failures,
                    ),
                    Err(e) => out.failures.push(Failure::new(
                        "HEAD",
                        format!(
                            "commit {id} cannot be read, every index entry counts as staged: {e}"
                        ),
                    )),
                }
            }
        }
        Err(e) => out.failures.push(Failure::new(
            "HEAD",
            format!(
                "cannot resolve HEAD, every index entry counts as staged: {}",
                super::error_chain(&e)
            ),
        )),
    }
    for entry in index.entries() {
        if entry.stage_raw() != 0 {
            out.conflicted += 1;
            continue;
        }
        let m = entry.mode;
        if !(m == gix::index::entry::Mode::FILE || m == gix::index::entry::Mode::FILE_EXECUTABLE) {
            continue; // symlinks, submodules, sparse directories
        }
        if entry.flags.contains(gix::index::entry::Flags::INTENT_TO_ADD) {
            continue; // `git add -N`: nothing staged yet
        }
        let path = entry.path(&index).to_str_lossy().into_owned();
        let head_id = head_files.get(&path).copied();
        if head_id == Some(entry.id) {
            continue;
        }
        if !excludes.is_empty() && excludes.is_excluded(&path) {
            out.excluded_paths.push(path);
            continue;
        }
        out.blobs.push(StagedBlob { path, id: entry.id, head: head_id });
    }
    Ok(out)
}

/// `message` with hex runs of 40 or more digits replaced by `…`: a checksum error quotes the
/// checksum the file claims, which for a truncated index is whatever bytes ended up last
/// (file names), and messages never carry content.
fn without_hashes(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut run = String::new();
    for c in message.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.len() >= 40 {
            out.push('…');
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// Every regular file of a tree, recursively: path → blob id. A tree that cannot be read is
/// a failure; the files under it then count as staged.
fn collect_tree(
    objects: &Objects,
    tree: ObjectId,
    prefix: &mut String,
    out: &mut HashMap<String, ObjectId>,
    failures: &mut Vec<Failure>,
) {
    if let Err(e) = collect_tree_inner(objects, tree, prefix, out, failures) {
        let at = if prefix.is_empty() { "HEAD".to_string() } else { format!("{prefix}/") };
        failures.push(Failure::new(
            at,
            format!("tree {tree} in HEAD cannot be read, files under it count as staged: {e}"),
        ));
    }
}

fn collect_tree_inner(
    objects: &Objects,
    tree: ObjectId,
    prefix: &mut String,
    out: &mut HashMap<String, ObjectId>,
    failures: &mut Vec<Failure>,
) -> Result<(), GitError> {
    let mut buf = Vec::new();
    let data = objects.find_kind(&tree, Kind::Tree, &mut buf)?;
    let parsed = gix::objs::TreeRef::from_bytes(data, objects.hash_kind())
        .map_err(|e| GitError::Decode { id: tree.to_string(), message: e.to_string() })?;
    let entries: Vec<(EntryKind, String, ObjectId)> = parsed
        .entries
        .iter()
        .map(|e| (e.mode.kind(), e.filename.to_str_lossy().into_owned(), e.oid.to_owned()))
        .collect();
    let base = prefix.len();
    for (kind, name, id) in entries {
        prefix.truncate(base);
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(&name);
        match kind {
            EntryKind::Tree => collect_tree(objects, id, prefix, out, failures),
            EntryKind::Blob | EntryKind::BlobExecutable => {
                out.insert(prefix.clone(), id);
            }
            _ => {}
        }
    }
    prefix.truncate(base);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn checksums_are_not_quoted() {
        let m = format!(
            "mismatch: Hash was {}, but should have been {}",
            "a1".repeat(20),
            "6".repeat(64)
        );
        assert_eq!(super::without_hashes(&m), "mismatch: Hash was …, but should have been …");
        assert_eq!(super::without_hashes("short abc1 ok"), "short abc1 ok");
    }
}
