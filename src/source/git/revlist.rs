//! Revision selection with user-supplied `git rev-list` arguments, by running `git`.
//!
//! Design decision: `--log-opts` / `SECRET_DETECTION_LOG_OPTIONS` accept the *revision
//! selection* part of what `git log` accepts (`main..feature`, `--since=2024-01-01`, `-n 50`,
//! `--first-parent`, `--all`, paths after `--`); re-implementing that grammar would drift
//! from git, so git parses it. But git's option parser also takes options that write files
//! (`--output=FILE`) or run programs (`--ext-diff`, `--textconv`), and the variable may be
//! set by whoever controls a CI configuration, so every option is checked against an
//! allow-list first ([`check_selection_args`]) and anything else is refused by name. The
//! subprocess only prints ids (streamed line by line, never buffered whole); objects are then
//! read with gix.
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

/// Options that select revisions and take no value (`--branches` etc. also take `=PATTERN`).
const FLAG_OPTIONS: &[&str] = &[
    "--all",
    "--branches",
    "--tags",
    "--remotes",
    "--not",
    "--no-merges",
    "--merges",
    "--first-parent",
    "--exclude-first-parent-only",
    "--ancestry-path",
    "--no-min-parents",
    "--no-max-parents",
    "--topo-order",
    "--date-order",
    "--author-date-order",
    "--reverse",
    "--full-history",
    "--simplify-merges",
    "--dense",
    "--sparse",
    "--simplify-by-decoration",
    "--remove-empty",
    "--left-only",
    "--right-only",
    "--cherry-pick",
    "--cherry-mark",
    "--cherry",
    "--boundary",
    "--reflog",
    "--single-worktree",
    "--all-match",
    "--invert-grep",
    "--regexp-ignore-case",
    "-i",
    "--basic-regexp",
    "--extended-regexp",
    "-E",
    "--fixed-strings",
    "-F",
    "--perl-regexp",
    "-P",
    "--no-walk",
    "--do-walk",
];

/// Options that select revisions and take a value, as `--opt=VALUE` or `--opt VALUE`.
const VALUE_OPTIONS: &[&str] = &[
    "--since",
    "--after",
    "--until",
    "--before",
    "--since-as-filter",
    "--max-age",
    "--min-age",
    "--author",
    "--committer",
    "--grep",
    "--grep-reflog",
    "--max-count",
    "--skip",
    "--min-parents",
    "--max-parents",
    "--glob",
    "--exclude",
];

/// Options that take a value only in the `--opt=VALUE` form.
const EQUALS_ONLY_OPTIONS: &[&str] =
    &["--branches", "--tags", "--remotes", "--ancestry-path", "--no-walk"];

/// Refuses every argument that is not a revision-selection option, a revision, or a path
/// after `--`. `--log-opts` is passed to `git rev-list`, whose option parser also accepts
/// options that write files or run programs (`--output=FILE`, `--ext-diff`, `--textconv`);
/// only the allow-list above reaches git. A value given as a separate argument (`--author
/// NAME`, `-n 50`) may not start with `-`, so it can never smuggle an option past the check.
///
/// ```
/// use leakguard::source::git::revlist::check_selection_args;
/// let ok = |s: &[&str]| check_selection_args(&s.iter().map(|a| a.to_string()).collect::<Vec<_>>());
/// assert!(ok(&["main..feature", "--since=2024-01-01", "-n", "50", "--", "src"]).is_ok());
/// assert!(ok(&["--output=/tmp/x"]).unwrap_err().contains("--output=/tmp/x"));
/// ```
pub fn check_selection_args(args: &[String]) -> Result<(), String> {
    let refuse = |a: &str| {
        Err(format!(
            "`{a}` is not a revision-selection option; refused, nothing was passed to git \
             (allowed: revisions and ranges, paths after `--`, and selection options such as \
             --all, --branches, --since, --until, --author, --grep, -n, --skip, --first-parent, \
             --no-merges, --not)"
        ))
    };
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        if a == "--" {
            // Everything after `--` is a path.
            return Ok(());
        }
        if !a.starts_with('-') || a == "-" {
            // A revision, a range or a path (git tells them apart).
            if a == "-" {
                return refuse(a);
            }
            continue;
        }
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (a, None),
        };
        // `-50` and `-n50` (max count), `-n 50`.
        if let Some(digits) = a.strip_prefix("-n").or_else(|| a.strip_prefix('-')) {
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
        }
        if a == "-n" {
            match args.get(i) {
                Some(v) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                    i += 1;
                    continue;
                }
                _ => return refuse(a),
            }
        }
        if inline.is_none() && FLAG_OPTIONS.contains(&name) {
            continue;
        }
        if inline.is_some() && EQUALS_ONLY_OPTIONS.contains(&name) {
            continue;
        }
        if VALUE_OPTIONS.contains(&name) {
            if inline.is_some() {
                continue;
            }
            match args.get(i) {
                Some(v) if !v.starts_with('-') => {
                    i += 1;
                    continue;
                }
                _ => return refuse(a),
            }
        }
        return refuse(a);
    }
    Ok(())
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
    check_selection_args(args)
        .map_err(|message| GitError::Command { args: "rev-list".into(), message })?;
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
    use super::{check_selection_args, split_args};

    #[test]
    fn only_revision_selection_options_pass() {
        let check = |s: &str| check_selection_args(&split_args(s).unwrap());
        for ok in [
            "main..feature",
            "a...b ^c HEAD~3",
            "--all",
            "--branches --tags=v* --remotes=origin/*",
            "--since=2024-01-01 --until 2024-02-01",
            "--author='A B' --committer=x --grep=fix -i",
            "-n 50",
            "-n50",
            "-50",
            "--max-count=5 --skip 2",
            "--no-merges --first-parent --ancestry-path",
            "main --not feature",
            "HEAD -- src/ --output=looks-like-a-path",
            "",
        ] {
            assert!(check(ok).is_ok(), "{ok}: {:?}", check(ok));
        }
        for (bad, named) in [
            ("--output=/tmp/x", "--output=/tmp/x"),
            ("--output /tmp/x", "--output"),
            ("-o /tmp/x", "-o"),
            ("main --ext-diff", "--ext-diff"),
            ("--textconv", "--textconv"),
            ("--author --output=/tmp/x", "--author"),
            ("-n --output=/tmp/x", "-n"),
            ("--stdin", "--stdin"),
            ("--all=x", "--all=x"),
            ("-", "-"),
        ] {
            let e = check(bad).unwrap_err();
            assert!(e.contains(&format!("`{named}`")), "{bad}: {e}");
        }
    }

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
