//! What the index would commit: staged blobs that differ from `HEAD`.
//!
//! Design decision: read the index file directly with gix (honouring `GIT_INDEX_FILE`, which
//! `git commit -a` / `git commit <paths>` point at a temporary index while the pre-commit
//! hook runs) and compare each entry with the blob at the same path in `HEAD`'s tree. The
//! staged blob is already in the object database after `git add`, so its *whole* content is
//! scanned and line numbers are those of the staged file. An index that exists but cannot be
//! read is an error, never "nothing staged": a hook that silently scans nothing is the failure
//! this module exists to avoid. Before the first commit there is no `HEAD` and every entry
//! counts as staged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bstr::ByteSlice;
use gix::ObjectId;
use gix::object::Kind;
use gix::objs::tree::EntryKind;

use super::{GitError, Objects, Repo};
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
    pub excluded: u64,
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
    if !index_path.exists() {
        return Ok(out);
    }
    out.index_exists = true;
    let index = gix::index::File::at(&index_path, gix.object_hash(), false, Default::default())
        .map_err(|e| GitError::Index { path: index_path.clone(), message: e.to_string() })?;
    let objects = repo.objects();
    let head = gix.head().map_err(|e| GitError::Refs(format!("HEAD: {e}")))?;
    let head_files = match head.id() {
        Some(id) => {
            out.has_head = true;
            let mut buf = Vec::new();
            let tree = objects.commit_header(&id.detach(), &mut buf)?.tree;
            let mut files = HashMap::new();
            collect_tree(&objects, tree, &mut String::new(), &mut files)?;
            files
        }
        None => HashMap::new(),
    };
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
            out.excluded += 1;
            continue;
        }
        out.blobs.push(StagedBlob { path, id: entry.id, head: head_id });
    }
    Ok(out)
}

/// Every regular file of a tree, recursively: path → blob id.
fn collect_tree(
    objects: &Objects,
    tree: ObjectId,
    prefix: &mut String,
    out: &mut HashMap<String, ObjectId>,
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
            EntryKind::Tree => collect_tree(objects, id, prefix, out)?,
            EntryKind::Blob | EntryKind::BlobExecutable => {
                out.insert(prefix.clone(), id);
            }
            _ => {}
        }
    }
    prefix.truncate(base);
    Ok(())
}
