//! Confining paths that come from scanned content to the scan root.
//!
//! Design decision: a repository is untrusted input, and so is its configuration. Any path
//! that a file *in the repository* names (a GitLab ruleset `file` passthrough, `[extend]
//! path` in a configuration found there), and any configuration or ignore file that the
//! scanner picks up from the repository by its conventional name, must resolve inside the
//! scan root. The check is done on the canonical path (symlinks resolved, `..` folded), so a
//! symlink inside the repository that points at `/etc/passwd`, `../outside/secret.env` or
//! `/proc/self/environ` is refused like the plain `..` spelling; absolute values are refused
//! before any lookup. Only regular files are accepted (no FIFOs or devices that would block
//! or never end). The canonical path is what gets read, so a later read does not follow the
//! link again. Paths the *user* gives (command-line flags, environment variables) are
//! trusted and never pass through here. Refusals describe the problem without quoting the
//! value or any file content.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// Why a path from repository content was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum Refusal {
    /// The value is an absolute path.
    Absolute,
    /// The path resolves (after `..` and symlinks) outside the scan root.
    Escapes,
    /// The path does not exist or cannot be resolved.
    Unresolvable(std::io::Error),
    /// The path resolves to something other than a regular file.
    NotAFile,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Absolute => f.write_str(
                "absolute paths are not allowed in repository configuration (use a path \
                 relative to the scan root)",
            ),
            Refusal::Escapes => f.write_str(
                "the path resolves outside the scan root (through `..` or a symlink); \
                 repository configuration may only name files inside the scan root",
            ),
            Refusal::Unresolvable(e) => write!(f, "the path cannot be resolved: {e}"),
            Refusal::NotAFile => f.write_str("the path is not a regular file"),
        }
    }
}

impl std::error::Error for Refusal {}

/// A scan root that repository-supplied paths must stay inside.
///
/// ```
/// use leakguard::rules::confine::ConfinedRoot;
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("extra.toml"), "").unwrap();
/// let root = ConfinedRoot::new(dir.path()).unwrap();
/// assert!(root.resolve_value(dir.path(), "extra.toml").is_ok());
/// assert!(root.resolve_value(dir.path(), "../extra.toml").is_err());
/// assert!(root.resolve_value(dir.path(), "/etc/passwd").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct ConfinedRoot {
    canonical: PathBuf,
}

impl ConfinedRoot {
    /// The root, canonicalized.
    pub fn new(root: &Path) -> std::io::Result<ConfinedRoot> {
        Ok(ConfinedRoot { canonical: std::fs::canonicalize(root)? })
    }

    /// The canonical root.
    pub fn path(&self) -> &Path {
        &self.canonical
    }

    /// Resolves `value`, a path written in a repository file, relative to `base` (the
    /// directory it is relative to: the scan root or the directory of the file naming it).
    /// Returns the canonical path of a regular file inside the root.
    pub fn resolve_value(&self, base: &Path, value: &str) -> Result<PathBuf, Refusal> {
        let rel = Path::new(value);
        if rel.is_absolute()
            || rel.components().any(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
        {
            return Err(Refusal::Absolute);
        }
        // Lexically first (so an escape is refused the same way whether or not its target
        // exists), then on the canonical path (symlinks).
        let base = std::fs::canonicalize(base).map_err(Refusal::Unresolvable)?;
        let mut lexical = PathBuf::new();
        for c in base.join(rel).components() {
            match c {
                Component::ParentDir => {
                    if !lexical.pop() {
                        return Err(Refusal::Escapes);
                    }
                }
                Component::CurDir => {}
                c => lexical.push(c),
            }
        }
        if !lexical.starts_with(&self.canonical) {
            return Err(Refusal::Escapes);
        }
        self.check(&base.join(rel))
    }

    /// Checks a path under the root that the scanner built itself (`<root>/.gitleaks.toml`),
    /// which may still be a symlink placed by the repository. Returns its canonical path.
    pub fn check(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let canonical = std::fs::canonicalize(path).map_err(Refusal::Unresolvable)?;
        if !canonical.starts_with(&self.canonical) {
            return Err(Refusal::Escapes);
        }
        let meta = std::fs::metadata(&canonical).map_err(Refusal::Unresolvable)?;
        if !meta.is_file() {
            return Err(Refusal::NotAFile);
        }
        Ok(canonical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escapes_absolute_symlinks_and_non_files() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("repo");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(outer.path().join("secret.env"), "X=1").unwrap();
        std::fs::write(root.join("ok.toml"), "").unwrap();
        let r = ConfinedRoot::new(&root).unwrap();
        assert!(r.resolve_value(&root, "ok.toml").is_ok());
        assert!(r.resolve_value(&root, "sub/../ok.toml").is_ok(), "`..` that stays inside");
        assert!(matches!(r.resolve_value(&root, "../secret.env"), Err(Refusal::Escapes)));
        assert!(matches!(r.resolve_value(&root, "/etc/passwd"), Err(Refusal::Absolute)));
        assert!(matches!(r.resolve_value(&root, "sub"), Err(Refusal::NotAFile)));
        assert!(matches!(r.resolve_value(&root, "missing"), Err(Refusal::Unresolvable(_))));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outer.path().join("secret.env"), root.join("link")).unwrap();
            std::os::unix::fs::symlink("../../secret.env", root.join("sub/rel")).unwrap();
            std::os::unix::fs::symlink("ok.toml", root.join("inside")).unwrap();
            assert!(matches!(r.resolve_value(&root, "link"), Err(Refusal::Escapes)));
            assert!(matches!(r.resolve_value(&root, "sub/rel"), Err(Refusal::Escapes)));
            assert!(matches!(r.check(&root.join("link")), Err(Refusal::Escapes)));
            assert_eq!(r.check(&root.join("inside")).unwrap(), r.path().join("ok.toml"));
        }
    }
}
