//! Real git repositories for tests: built with the `git` CLI in temp dirs, hermetic
//! (no global or system config, fixed identities, increasing commit dates).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::Dir;

/// Runs `git` hermetically in `dir`; panics with its stderr on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// An empty global git config shared by all tests (not `/dev/null`: a process that replaces
/// `/dev/null` with a regular file would otherwise break every test at once).
fn empty_global_config() -> &'static Path {
    static CONFIG: std::sync::OnceLock<tempfile::TempPath> = std::sync::OnceLock::new();
    CONFIG.get_or_init(|| tempfile::NamedTempFile::new().unwrap().into_temp_path())
}

/// A hermetic `git` command (caller adds arguments).
pub fn git_cmd(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", empty_global_config())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Cy Committer")
        .env("GIT_COMMITTER_EMAIL", "cy@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "user.name=Ada Author",
            "-c",
            "user.email=ada@example.com",
            "-c",
            "advice.detachedHead=false",
        ]);
    c
}

/// A work-tree repository with a commit clock.
pub struct Repo {
    pub dir: Dir,
    clock: u64,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = Dir::new();
        git(dir.path(), &["init", "-q", "."]);
        Repo { dir, clock: 1_700_000_000 }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(self.path(), args)
    }

    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        self.dir.create(rel, contents)
    }

    /// `git add -A` and commit with the next date (1 hour later each); returns the sha.
    pub fn commit(&mut self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.commit_staged(msg)
    }

    /// Commits what is staged, with the next date.
    pub fn commit_staged(&mut self, msg: &str) -> String {
        self.clock += 3600;
        let date = format!("@{} +0000", self.clock);
        let out = git_cmd(self.path())
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .args(["commit", "-q", "--allow-empty", "-m", msg])
            .output()
            .unwrap();
        assert!(out.status.success(), "commit failed: {}", String::from_utf8_lossy(&out.stderr));
        self.git(&["rev-parse", "HEAD"])
    }

    /// Runs a git command with the next commit date (merges).
    pub fn git_dated(&mut self, args: &[&str]) -> std::process::Output {
        self.clock += 3600;
        let date = format!("@{} +0000", self.clock);
        git_cmd(self.path())
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .args(args)
            .output()
            .unwrap()
    }
}

/// Findings of JSON output as (path, commit sha, start line, secret).
pub fn sites(stdout: &str) -> Vec<(String, String, u64, String)> {
    let mut v: Vec<_> = crate::util::json_lines(stdout)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["commit"]["sha"].as_str().unwrap_or("").to_string(),
                f["start_line"].as_u64().unwrap(),
                f["secret"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The number `N` in "scanned N <what>" of a summary line.
pub fn scanned_count(stderr: &str, what: &str) -> u64 {
    let marker = "scanned ";
    for line in stderr.lines() {
        if let Some(i) = line.find(marker) {
            let rest = &line[i + marker.len()..];
            let mut parts = rest.split_whitespace();
            if let (Some(n), Some(w)) = (parts.next(), parts.next()) {
                if w.starts_with(what) {
                    return n.parse().unwrap();
                }
            }
        }
    }
    panic!("no \"scanned N {what}\" in stderr:\n{stderr}");
}
