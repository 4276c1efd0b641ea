//! Parallel directory walk over one or more roots, honouring ignore files.
//!
//! Design decision: the walk is `ignore::WalkParallel` (ripgrep's walker) with the policy
//! a secret scanner needs: dotfiles are scanned (`.env` is where secrets live), `.gitignore`
//! applies even outside a git checkout, `.git` directories are never entered, directory
//! symlinks are not followed (no cycles) while file symlinks are scanned, and broken links
//! or unreadable directories become [`WalkItem::Error`] values for the caller to report.
//!
//! Nothing is dropped silently. The walker's own ignore filtering would discard entries
//! before we see them, so the walker runs with ignore files off and the same ignore rules
//! are applied here per entry (see `IgnoreMatchers`): an ignored path becomes a
//! [`WalkItem::Excluded`] (an ignored directory is one item, not descended into). FIFOs,
//! sockets and devices in the tree are listed and never opened.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{IncrementalIgnore, WalkBuilder, WalkState};

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
        /// The path as reported (like [`WalkItem::File::display`]); empty when unknown.
        display: String,
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
    /// Not a regular file: a FIFO, socket or device inside the tree (a symlink to one
    /// included). Never opened: reading a FIFO could block the walk forever.
    NotRegular,
}

/// The path as reported: relative to `root` when `root` is a directory, `/`-separated.
pub fn display_path(root: &Path, path: &Path, root_is_dir: bool) -> String {
    let rel = if root_is_dir { path.strip_prefix(root).unwrap_or(path) } else { path };
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s).to_string();
    if s.is_empty() { path.to_string_lossy().into_owned() } else { s }
}

/// The path by which the user reached an entry (ripgrep's manners): the root as given joined
/// with the entry's path below it, `/`-separated, without a leading `./`. `scan src` reports
/// `src/app.py`, `scan .` reports `app.py`, an absolute root gives absolute paths.
pub fn reached_path(path: &Path) -> String {
    display_path(Path::new(""), path, false)
}

/// An entry's path relative to the root it was found under (`depth` levels up), what
/// `--exclude` globs are matched against; a root itself is matched by its reached path.
fn root_relative(path: &Path, depth: usize) -> String {
    match path.ancestors().nth(depth) {
        Some(root) if depth > 0 => display_path(root, path, true),
        _ => reached_path(path),
    }
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
    let builder = |ignore_files: bool| {
        let mut b = WalkBuilder::new(first);
        for r in rest {
            b.add(r);
        }
        b.hidden(false)
            .ignore(ignore_files)
            .git_ignore(ignore_files)
            .git_global(ignore_files)
            .git_exclude(ignore_files)
            .parents(ignore_files)
            .require_git(false)
            .follow_links(false);
        b
    };
    // The walker itself applies no ignore file (so it hands us every entry); the matchers,
    // built from the same settings with ignore files on, decide what it would have dropped.
    let matchers = if opts.no_ignore { None } else { Some(IgnoreMatchers::new(&builder(true))) };
    let mut walker = builder(false);
    walker.threads(opts.threads).filter_entry(|e| e.file_name() != ".git");
    // Each thread has its own matchers (no lock on the hot path), so each meets a bad line
    // of an ignore file on its own: it is reported once.
    let ignore_errors = Arc::new(Mutex::new(HashSet::new()));
    walker.build_parallel().run(|| {
        let mut visit = make_visitor();
        let excludes = excludes.clone();
        let mut matchers = matchers.clone();
        let ignore_errors = ignore_errors.clone();
        let show = reached_path;
        Box::new(move |entry| {
            let item = match entry {
                Err(err) => WalkItem::Error {
                    display: error_path(&err).map(|p| show(&p)).unwrap_or_default(),
                    message: error_message(&err),
                },
                Ok(entry) => {
                    let Some(ft) = entry.file_type() else { return WalkState::Continue };
                    let path = entry.path();
                    let display = show(path);
                    let is_dir = ft.is_dir();
                    if let Some(m) = matchers.as_mut() {
                        let (ignored, err) = m.ignored(path, entry.depth(), is_dir);
                        if let Some(err) = err {
                            // A bad line in an ignore file; its other lines still apply.
                            let display = error_path(&err).map(|p| show(&p)).unwrap_or_default();
                            let message = error_message(&err);
                            let first = ignore_errors.lock().map_or(true, |mut seen| {
                                seen.insert((display.clone(), message.clone()))
                            });
                            if first && !visit(WalkItem::Error { display, message }) {
                                return WalkState::Quit;
                            }
                        }
                        if ignored {
                            let display = if is_dir { format!("{display}/") } else { display };
                            let item = WalkItem::Excluded { display, by: ExcludedBy::IgnoreFile };
                            return if visit(item) { WalkState::Skip } else { WalkState::Quit };
                        }
                    }
                    let excluded = || {
                        !excludes.is_empty()
                            && excludes.is_excluded(&root_relative(path, entry.depth()))
                    };
                    if is_dir {
                        if entry.depth() > 0 && excluded() {
                            let item = WalkItem::Excluded {
                                display: format!("{display}/"),
                                by: ExcludedBy::Pattern,
                            };
                            return if visit(item) { WalkState::Skip } else { WalkState::Quit };
                        }
                        return WalkState::Continue;
                    }
                    if excluded() {
                        WalkItem::Excluded { display, by: ExcludedBy::Pattern }
                    } else if ft.is_symlink() {
                        match std::fs::metadata(path) {
                            Err(e) => WalkItem::Error {
                                display: display.clone(),
                                message: format!("broken symlink: {e}"),
                            },
                            Ok(m) if m.is_file() => {
                                WalkItem::File { path: path.to_path_buf(), display }
                            }
                            // Directory links are not followed (no cycles), as before.
                            Ok(m) if m.is_dir() => return WalkState::Continue,
                            Ok(_) => WalkItem::Excluded { display, by: ExcludedBy::NotRegular },
                        }
                    } else if ft.is_file() {
                        WalkItem::File { path: path.to_path_buf(), display }
                    } else {
                        // A FIFO, socket or device: opening a FIFO would block forever.
                        WalkItem::Excluded { display, by: ExcludedBy::NotRegular }
                    }
                }
            };
            if visit(item) { WalkState::Continue } else { WalkState::Quit }
        })
    });
}

/// The ignore-file matchers of every directory root, one per root, cloned per walker thread.
///
/// `ignore::gitignore` gives single-file matchers; the crate's own per-directory stack
/// (`.ignore`, `.gitignore`, `.git/info/exclude`, git's global excludes, parent directories,
/// their precedence) is exposed as [`IncrementalIgnore`], built from the same `WalkBuilder`
/// settings as the walk used to use, so what is scanned is unchanged by construction. Each
/// matcher caches compiled directories; an entry costs a hash lookup of its parent plus the
/// glob match the walker would have done anyway.
#[derive(Clone, Debug)]
struct IgnoreMatchers {
    /// Directory roots (files given as roots are never ignored: they were asked for).
    dirs: Vec<IncrementalIgnore>,
}

impl IgnoreMatchers {
    fn new(builder: &WalkBuilder) -> IgnoreMatchers {
        IgnoreMatchers {
            dirs: builder.build_matchers().into_iter().filter(|m| m.root().is_dir()).collect(),
        }
    }

    /// Whether the entry at `path`, `depth` levels below its root, is excluded by an ignore
    /// file (roots themselves, depth 0, never are), and any error met loading ignore files.
    fn ignored(
        &mut self,
        path: &Path,
        depth: usize,
        is_dir: bool,
    ) -> (bool, Option<ignore::Error>) {
        if depth == 0 {
            return (false, None);
        }
        // The walker builds entry paths as root.join(name)...: the root is `depth` levels up.
        // With one directory root (the usual case) there is nothing to look up.
        let m = if let [only] = self.dirs.as_mut_slice() {
            only
        } else {
            let Some(root) = path.ancestors().nth(depth) else { return (false, None) };
            let Some(m) = self.dirs.iter_mut().find(|m| m.root() == root) else {
                return (false, None);
            };
            m
        };
        let Ok(rel) = path.strip_prefix(m.root()) else { return (false, None) };
        let (mat, err) = m.matched_with_errors(rel, is_dir);
        (mat.is_ignore(), err)
    }
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

/// The error without its path (shown apart) and without the glob text of a bad ignore-file
/// line: the file belongs to the scanned repository, and its content is not echoed.
fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_message(err)
        }
        ignore::Error::WithLineNumber { line, err } => {
            format!("line {line}: {}", error_message(err))
        }
        ignore::Error::Glob { err, .. } => format!("invalid glob ({err})"),
        other => other.to_string(),
    }
}
