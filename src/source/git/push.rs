//! The pre-receive hook's input: ref updates on stdin, push options, skip requests.
//!
//! Design decision: a push is turned into a `git rev-list` selection,
//! `<new-oid>… --not --all` (refs are not updated yet inside pre-receive, so `--all` is
//! exactly what the repository already had), so the history planner scans only what the push
//! adds and attributes it to the pushed commits. Deletions carry nothing to scan. Zero ids are
//! recognised by being all `0`s, whatever the hash length (SHA-1 and SHA-256).

use super::is_null_id;

/// The push option that skips secret push protection (GitLab's name).
pub const SKIP_OPTION: &str = "secret_push_protection.skip_all";
/// The older name some integrations still send.
pub const SKIP_OPTION_OLD: &str = "secret_detection.skip_all";
/// The commit-message marker that skips secret push protection (case-insensitive).
pub const SKIP_MARKER: &str = "[skip secret push protection]";
/// The older marker.
pub const SKIP_MARKER_OLD: &str = "[skip secret detection]";

/// One `<old> <new> <ref>` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefUpdate {
    /// Old id (all zeros on creation).
    pub old: String,
    /// New id (all zeros on deletion).
    pub new: String,
    /// Full ref name.
    pub name: String,
}

impl RefUpdate {
    /// Whether the update deletes the ref.
    pub fn is_delete(&self) -> bool {
        is_null_id(&self.new)
    }
    /// Whether the update creates the ref.
    pub fn is_create(&self) -> bool {
        is_null_id(&self.old)
    }
}

/// Parses pre-receive stdin. Blank lines are ignored; a malformed line is an error.
///
/// ```
/// use leakguard::source::git::push::{parse_updates, rev_list_args};
/// let zero = "0".repeat(40);
/// let new = "1".repeat(40);
/// let u = parse_updates(&format!("{zero} {new} refs/heads/topic\n")).unwrap();
/// assert!(u[0].is_create());
/// assert_eq!(rev_list_args(&u).unwrap(), [new.as_str(), "--not", "--all"]);
/// ```
pub fn parse_updates(input: &str) -> Result<Vec<RefUpdate>, String> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (Some(old), Some(new), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("line {}: expected \"<old> <new> <ref>\", got {line:?}", n + 1));
        };
        let hex = |s: &str| matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(old) || !hex(new) {
            return Err(format!("line {}: bad object id in {line:?}", n + 1));
        }
        out.push(RefUpdate { old: old.into(), new: new.into(), name: name.into() });
    }
    Ok(out)
}

/// Push options from `GIT_PUSH_OPTION_COUNT` / `GIT_PUSH_OPTION_<i>` (empty when the client
/// sent none or did not negotiate them).
pub fn push_options_from_env() -> Vec<String> {
    let n: usize = std::env::var("GIT_PUSH_OPTION_COUNT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (0..n).filter_map(|i| std::env::var(format!("GIT_PUSH_OPTION_{i}")).ok()).collect()
}

/// The skip option among push options, if present.
pub fn skip_option(options: &[String]) -> Option<&str> {
    options.iter().map(|o| o.trim()).find(|o| *o == SKIP_OPTION || *o == SKIP_OPTION_OLD)
}

/// Whether a commit message asks to skip secret push protection.
pub fn message_requests_skip(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains(SKIP_MARKER) || lower.contains(SKIP_MARKER_OLD)
}

/// `git rev-list` arguments selecting what the non-deleting updates add: `<new>… --not --all`.
/// `None` when every update is a deletion.
pub fn rev_list_args(updates: &[RefUpdate]) -> Option<Vec<String>> {
    let mut args: Vec<String> =
        updates.iter().filter(|u| !u.is_delete()).map(|u| u.new.clone()).collect();
    if args.is_empty() {
        return None;
    }
    args.sort();
    args.dedup();
    args.push("--not".into());
    args.push("--all".into());
    Some(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sha1_and_sha256_lines() {
        let z40 = "0".repeat(40);
        let z64 = "0".repeat(64);
        let a40 = "a".repeat(40);
        let b64 = "b".repeat(64);
        let input = format!("{z40} {a40} refs/heads/main\n\n{b64} {z64} refs/heads/old\n");
        let u = parse_updates(&input).unwrap();
        assert_eq!(u.len(), 2);
        assert!(u[0].is_create() && !u[0].is_delete());
        assert!(u[1].is_delete());
        assert_eq!(rev_list_args(&u).unwrap(), vec![a40.clone(), "--not".into(), "--all".into()]);
        assert!(rev_list_args(&u[1..]).is_none());
        assert!(parse_updates("abc def refs/heads/x").is_err());
        assert!(parse_updates(&format!("{z40} {a40}")).is_err());
    }

    #[test]
    fn skip_markers_and_options() {
        assert!(message_requests_skip("fix\n\n[Skip Secret Push Protection]"));
        assert!(message_requests_skip("[skip secret detection] old"));
        assert!(!message_requests_skip("skip secret push protection"));
        let opts = vec!["ci.skip".to_string(), SKIP_OPTION.to_string()];
        assert_eq!(skip_option(&opts), Some(SKIP_OPTION));
        assert_eq!(skip_option(&opts[..1]), None);
    }
}
