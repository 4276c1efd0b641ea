//! Where bytes come from: files in a directory tree (and, in other modules, git objects,
//! pushed objects, the staged index, stdin, archives), each with its provenance.
//!
//! Design decision: sources know nothing about rules or findings. They hand out `&[u8]`
//! plus a [`Provenance`] that says where the bytes came from, and they own the I/O behind a
//! single entry point ([`read::FileReader::read`], a reused read buffer; files are never
//! memory-mapped, so a file truncated under the scan cannot fault the process) so
//! everything downstream sees one slice. Per-file problems (permissions, vanished files,
//! broken links, files that change while read) are values, never panics: the driver reports
//! them.

pub mod archive;
pub mod exclude;
#[cfg(feature = "git")]
pub mod git;
pub mod read;
pub mod walk;

use std::path::PathBuf;
use std::sync::Arc;

/// Commit metadata attached to content found in git history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full commit id (hex).
    pub sha: String,
    /// Author name.
    pub author_name: String,
    /// Author email.
    pub author_email: String,
    /// Author date, RFC 3339.
    pub date: String,
    /// Full commit message.
    pub message: String,
}

/// Where a blob's bytes came from.
#[derive(Clone, Debug)]
pub enum Provenance {
    /// A file in a directory tree.
    File {
        /// Path on disk.
        path: PathBuf,
        /// Path as reported: relative to the scan root when under it, `/`-separated.
        display: String,
    },
    /// A blob in git history, at a path in a commit.
    Git {
        /// The commit that introduced this blob at this path (when known).
        commit: Option<Arc<CommitInfo>>,
        /// Path inside the repository, `/`-separated.
        path: String,
        /// Blob id (hex).
        blob_id: String,
    },
    /// Standard input.
    Stdin,
}

impl Provenance {
    /// The reported path, if the source has one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Provenance::File { display, .. } => Some(display),
            Provenance::Git { path, .. } => Some(path),
            Provenance::Stdin => None,
        }
    }

    /// Commit metadata, for git sources.
    pub fn commit(&self) -> Option<&Arc<CommitInfo>> {
        match self {
            Provenance::Git { commit, .. } => commit.as_ref(),
            _ => None,
        }
    }

    /// Blob id, for git sources.
    pub fn blob_id(&self) -> Option<&str> {
        match self {
            Provenance::Git { blob_id, .. } => Some(blob_id),
            _ => None,
        }
    }
}

/// Whether the first 8 KiB contain a NUL byte, the usual binary test (git, ripgrep).
pub fn looks_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(8192)]).is_some()
}
