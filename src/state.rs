//! Where leakguard keeps state between runs (the revocation outbox, the validation cache):
//! the user's state directory, created readable by its owner only.
//!
//! Design decision: one place for the XDG lookup and the private-directory creation, so every
//! file that may hold tokens, or hashes of them, gets the same location rules and the same
//! `0700` directory.

use std::path::PathBuf;

/// `$XDG_STATE_HOME/leakguard/<name>`, else `~/.local/state/leakguard/<name>`; `None` when
/// neither variable is set.
pub fn default_file(name: &str) -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("XDG_STATE_HOME")
        .or_else(|| env("HOME").map(|h| h.join(".local/state")))
        .map(|d| d.join("leakguard").join(name))
}

/// Creates `dir` (and parents) readable only by the owner.
#[cfg(any(feature = "revoke", feature = "validate"))]
pub(crate) fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}
