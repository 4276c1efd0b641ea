//! Revision selection with user-supplied `git rev-list` arguments, by running `git`.
//!
//! Design decision: `--log-opts` / `SECRET_DETECTION_LOG_OPTIONS` accept anything `git log`
//! accepts (`main..feature`, `--since=2024-01-01`, `-n 50`, `--first-parent`, `--all`);
//! re-implementing that grammar would drift from git, so git parses it. The subprocess only
//! prints ids (streamed line by line, never buffered whole); objects are then read with gix.
//! Inside a hook the child inherits `GIT_DIR`, `GIT_OBJECT_DIRECTORY`,
//! `GIT_ALTERNATE_OBJECT_DIRECTORIES` and `GIT_QUARANTINE_PATH`, so it sees the pushed objects.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use gix::ObjectId;

use super::GitError;

/// Splits a `--log-opts` string into arguments: whitespace-separated, with `'…'` and `"…"`
/// quoting and `\` escapes, as a POSIX shell would for these simple cases.
///
/// ```
/// use leakguard::source::git::revlist::split_args;
/// assert_eq!(split_args("main..feature --author='A B'").unwrap(), ["main..feature", "--author=A B"]);
/// ```
pub fn split_args(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err(format!("unterminated quote in {s:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => cur.push(c),
                            None => return Err(format!("trailing backslash in {s:?}")),
                        },
                        Some(c) => cur.push(c),
                        None => return Err(format!("unterminated quote in {s:?}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => cur.push(c),
                    None => return Err(format!("trailing backslash in {s:?}")),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

fn git(git_dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    // No network: a partial clone would otherwise fetch missing objects from its promisor
    // remote (git 2.44+ honours this; `--missing=print` below also turns fetching off).
    cmd.arg("--git-dir").arg(git_dir).env("GIT_NO_LAZY_FETCH", "1").stdin(Stdio::null());
    cmd
}

/// `args`, plus `HEAD` when they name no revision (as `git log` defaults to `HEAD`).
fn with_default_rev(git_dir: &Path, args: &[String]) -> Result<Vec<String>, GitError> {
    let mut cmd = git(git_dir);
    cmd.args(["rev-parse", "--revs-only", "--no-flags"]).args(args);
    let out = cmd.output().map_err(|e| spawn_err(args, e))?;
    if !out.status.success() {
        return Err(GitError::Command {
            args: format!("rev-parse {}", args.join(" ")),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let mut args = args.to_vec();
    if out.stdout.iter().all(u8::is_ascii_whitespace) {
        // Revisions must precede a `--` path separator.
        match args.iter().position(|a| a == "--") {
            Some(i) => args.insert(i, "HEAD".into()),
            None => args.push("HEAD".into()),
        }
    }
    Ok(args)
}

fn spawn_err(args: &[String], e: std::io::Error) -> GitError {
    GitError::Command { args: format!("rev-list {}", args.join(" ")), message: e.to_string() }
}

/// Runs `git rev-list <pre> <args>` and calls `each` with every id printed.
fn rev_list(
    git_dir: &Path,
    pre: &[&str],
    args: &[String],
    mut each: impl FnMut(ObjectId),
) -> Result<(), GitError> {
    let args = with_default_rev(git_dir, args)?;
    let shown = format!("rev-list {} {}", pre.join(" "), args.join(" "));
    let mut child = git(git_dir)
        .arg("rev-list")
        .args(pre)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| GitError::Command { args: shown.clone(), message: e.to_string() })?;
    let mut stderr = child.stderr.take();
    // Drain stderr on a thread so a chatty child never blocks on a full pipe.
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = stderr.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line
                .map_err(|e| GitError::Command { args: shown.clone(), message: e.to_string() })?;
            // `--boundary` marks excluded commits with `-`; they are not part of the range.
            if line.starts_with('-') {
                continue;
            }
            // `--missing=print` marks objects that are not there with `?`: they are still part
            // of the selection, and reading them later fails loudly.
            let line = line.strip_prefix('?').unwrap_or(&line);
            let hex = line.split_whitespace().next().unwrap_or("");
            if let Ok(id) = ObjectId::from_hex(hex.as_bytes()) {
                each(id);
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| GitError::Command { args: shown.clone(), message: e.to_string() })?;
    let err = err_thread.join().unwrap_or_default();
    if !status.success() {
        return Err(GitError::Command { args: shown, message: err.trim().to_string() });
    }
    Ok(())
}

/// The commits `git rev-list <args>` selects.
pub fn commits(git_dir: &Path, args: &[String]) -> Result<Vec<ObjectId>, GitError> {
    let mut out = Vec::new();
    rev_list(git_dir, &[], args, |id| out.push(id))?;
    Ok(out)
}

/// Every object `git rev-list --objects <args>` lists: what the range adds, i.e. not
/// reachable from its excluded side. Missing objects are listed too (`--missing=print`)
/// instead of ending git with "fatal: missing blob": the scan reports each as a failure.
pub fn objects(git_dir: &Path, args: &[String]) -> Result<HashSet<ObjectId>, GitError> {
    let mut out = HashSet::new();
    rev_list(git_dir, &["--objects", "--no-object-names", "--missing=print"], args, |id| {
        out.insert(id);
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::split_args;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(split_args("main..feature").unwrap(), vec!["main..feature"]);
        assert_eq!(
            split_args("  -n 50  --since=2024-01-01 ").unwrap(),
            vec!["-n", "50", "--since=2024-01-01"]
        );
        assert_eq!(split_args("--author='A B' \"x y\"").unwrap(), vec!["--author=A B", "x y"]);
        assert_eq!(split_args("a\\ b").unwrap(), vec!["a b"]);
        assert!(split_args("'open").is_err());
        assert!(split_args("").unwrap().is_empty());
    }
}
