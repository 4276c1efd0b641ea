//! Parallel directory walk over one or more roots, honouring ignore files.
//!
//! Design decision: the walk is `ignore::WalkParallel` (ripgrep's walker) with the policy
//! a secret scanner needs: dotfiles are scanned (`.env` is where secrets live), `.gitignore`
//! applies even outside a git checkout, `.git` directories are never entered, directory
//! symlinks are not followed (no cycles) while file symlinks are scanned, and broken links
//! or unreadable directories become [`WalkItem::Error`] values for the caller to report.

use std::path::{Path, PathBuf};

use ignore::{WalkBuilder, WalkState};

use super::exclude::ExcludeSet;

/// Options for [`walk_parallel`].
#[derive(Clone, Debug, Default)]
pub struct WalkOptions {
    /// Include files that ignore files would skip.
    pub no_ignore: bool,
    /// Walker threads (0 = let the walker choose).
    pub threads: usize,
}

/// One thing the walk found.
#[derive(Debug)]
pub enum WalkItem {
    /// A regular file (or a symlink to one) to scan.
    File {
        /// Path on disk.
        path: PathBuf,
        /// Path as reported (see [`display_path`]).
        display: String,
    },
    /// Something that could not be walked; reported and skipped.
    Error {
        /// The path, when known.
        path: Option<PathBuf>,
        /// What went wrong.
        message: String,
    },
    /// A path excluded by policy (counted and listed, not scanned). An excluded directory is
    /// one item, its display path ending in `/`.
    Excluded {
        /// Path as reported.
        display: String,
        /// Why.
        by: ExcludedBy,
    },
}

/// What excluded a path from the walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExcludedBy {
    /// An `--exclude` pattern.
    Pattern,
    /// An ignore file (`.gitignore`, `.ignore`, git's excludes).
    IgnoreFile,
}

/// The path as reported: relative to `root` when `root` is a directory, `/`-separated.
pub fn display_path(root: &Path, path: &Path, root_is_dir: bool) -> String {
    let rel = if root_is_dir { path.strip_prefix(root).unwrap_or(path) } else { path };
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    if s.is_empty() { path.to_string_lossy().into_owned() } else { s }
}

/// Walks `roots` in parallel. `make_visitor` is called once per walker thread; the visitor
/// returns `false` to stop the whole walk.
pub fn walk_parallel<M, V>(
    roots: &[PathBuf],
    opts: &WalkOptions,
    excludes: &ExcludeSet,
    mut make_visitor: M,
) where
    M: FnMut() -> V,
    V: FnMut(WalkItem) -> bool + Send + 'static,
{
    let Some((first, rest)) = roots.split_first() else { return };
    let mut builder = WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    let single_dir_root = roots.len() == 1 && first.is_dir();
    builder
        .hidden(false)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .require_git(false)
        .follow_links(false)
        .threads(opts.threads)
        .filter_entry(|e| e.file_name() != ".git");
    let root = first.clone();
    builder.build_parallel().run(|| {
        let mut visit = make_visitor();
        let excludes = excludes.clone();
        let root = root.clone();
        Box::new(move |entry| {
            let item = match entry {
                Err(err) => {
                    WalkItem::Error { path: error_path(&err), message: error_message(&err) }
                }
                Ok(entry) => {
                    let Some(ft) = entry.file_type() else { return WalkState::Continue };
                    let path = entry.path();
                    let display = if single_dir_root {
                        display_path(&root, path, true)
                    } else {
                        display_path(Path::new(""), path, false)
                    };
                    if ft.is_dir() {
                        if entry.depth() > 0
                            && !excludes.is_empty()
                            && excludes.is_excluded(&display)
                        {
                            let item = WalkItem::Excluded {
                                display: format!("{display}/"),
                                by: ExcludedBy::Pattern,
                            };
                            return if visit(item) { WalkState::Skip } else { WalkState::Quit };
                        }
                        return WalkState::Continue;
                    }
                    if !excludes.is_empty() && excludes.is_excluded(&display) {
                        WalkItem::Excluded { display, by: ExcludedBy::Pattern }
                    } else if ft.is_symlink() {
                        match std::fs::metadata(path) {
                            Err(e) => WalkItem::Error {
                                path: Some(path.to_path_buf()),
                                message: format!("broken symlink: {e}"),
                            },
                            Ok(m) if m.is_file() => {
                                WalkItem::File { path: path.to_path_buf(), display }
                            }
                            Ok(_) => return WalkState::Continue,
                        }
                    } else if ft.is_file() {
                        WalkItem::File { path: path.to_path_buf(), display }
                    } else {
                        return WalkState::Continue;
                    }
                }
            };
            if visit(item) { WalkState::Continue } else { WalkState::Quit }
        })
    });
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_message(err)
        }
        other => other.to_string(),
    }
}
