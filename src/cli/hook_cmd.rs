//! `leakguard hook pre-commit` and `leakguard hook pre-receive`.
//!
//! Design decision: the pre-receive hook follows GitLab's secret push protection
//! in what it scans (blobs the push adds, binaries and blobs over 1 MiB skipped), how it can
//! be skipped (push option or commit-message marker, always said out loud), and what the
//! pusher sees (per commit, `path:line | description`; `GL-HOOK-ERR: ` prefixes under GitLab).
//! Unlike GitLab it keeps a hard time budget with an explicit policy: `--on-timeout allow`
//! (fail open, the default, like GitLab) or `reject` (fail closed), and it always lists what
//! was not scanned. Only a finding, or a timeout under `reject`, rejects the push; an internal
//! error rejects too (exit 2), since git treats any non-zero exit as a rejection.
//!
//! Objects that cannot be read (missing from the quarantine, corrupt pack data, an unreadable
//! tree) are not fatal: each is listed under "could not read; NOT scanned" and makes the scan
//! incomplete, which the same `--on-timeout` policy decides (allow by default, like GitLab's
//! fail-open push protection; `reject` fails closed). Fatal, and so a rejection with exit 2:
//! the repository cannot be opened, the ref updates cannot be parsed, or `git rev-list`
//! cannot list the pushed *commits* (a pushed commit itself is missing). The hook makes no
//! network calls: gix reads local object stores only and the `git rev-list` child runs with
//! `GIT_NO_LAZY_FETCH=1`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use leakguard::finding::Finding;
use leakguard::scan::git::{GitScanOptions, NotScannedReason, scan_blobs};
use leakguard::scan::{ScanOptions, ScanStats, Scanner, SkipReason};
use leakguard::source::git::history::{self, PlanOptions, Selection};
use leakguard::source::git::{Repo, push, revlist};

use super::RuleArgs;
use super::config::load_rules;
use super::git_cmd::{StagedArgs, run_staged};
use super::parse_duration;
use super::scan_cmd::{CollectSink, parse_size};

#[derive(Subcommand, Debug)]
pub(crate) enum HookCommand {
    /// Scan staged changes (install as .git/hooks/pre-commit or via pre-commit).
    PreCommit(Box<StagedArgs>),
    /// Server-side: scan what a push adds; reject it when secrets are found.
    PreReceive(PreReceiveArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum OnTimeout {
    /// Accept the push (fail open), listing what was not scanned.
    Allow,
    /// Reject the push (fail closed), listing what was not scanned.
    Reject,
}

#[derive(Args, Debug)]
pub(crate) struct PreReceiveArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// Time budget for the whole hook (e.g. 60s, 500ms, 2m).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    timeout: Duration,
    /// Time budget for one blob.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    blob_timeout: Duration,
    /// What to do when the scan is incomplete (the budget ran out, or pushed objects could
    /// not be read); what was not scanned is always listed.
    #[arg(long, value_enum, default_value_t = OnTimeout::Allow)]
    on_timeout: OnTimeout,
    /// Skip blobs larger than this.
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size)]
    max_blob_size: u64,
    /// Worker threads (default: all cores, at most 4).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
}

pub(crate) fn run(cmd: HookCommand) -> Result<i32> {
    match cmd {
        HookCommand::PreCommit(args) => run_staged(std::path::Path::new("."), *args),
        HookCommand::PreReceive(args) => pre_receive(args),
    }
}

/// Writes hook output: stderr (relayed to the pusher as `remote:` lines), each line prefixed
/// with `GL-HOOK-ERR: ` when running under GitLab (`GL_ID` set) so its UI shows it too.
struct Out {
    gitlab: bool,
}

impl Out {
    fn line(&self, text: &str) {
        for l in text.split('\n') {
            if self.gitlab { eprintln!("GL-HOOK-ERR: {l}") } else { eprintln!("{l}") }
        }
    }
}

fn pre_receive(args: PreReceiveArgs) -> Result<i32> {
    let started = Instant::now();
    let deadline = started + args.timeout;
    let out = Out { gitlab: std::env::var_os("GL_ID").is_some_and(|v| !v.is_empty()) };
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).context("reading ref updates from stdin")?;
    let updates = push::parse_updates(&input).map_err(anyhow::Error::msg)?;
    let options = push::push_options_from_env();
    if let Some(opt) = push::skip_option(&options) {
        out.line(&format!(
            "leakguard: secret push protection skipped for this push (push option {opt})"
        ));
        return Ok(0);
    }
    let Some(rev_args) = push::rev_list_args(&updates) else {
        out.line("leakguard: nothing to scan (ref deletion)");
        return Ok(0);
    };
    let git_dir = std::env::var_os("GIT_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let repo = Repo::discover(&git_dir)?.with_hook_object_dirs()?;
    let objects = repo.objects();
    let commits = revlist::commits(repo.git_dir(), &rev_args)?;
    let mut buf = Vec::new();
    for c in &commits {
        // An unreadable commit cannot ask for a skip; the plan below lists it as a failure.
        if let Ok(info) = objects.commit_info(c, &mut buf) {
            if push::message_requests_skip(&info.message) {
                out.line(&format!(
                    "leakguard: secret push protection skipped for this push: commit {} asks \
                     for it with \"{}\"",
                    info.sha,
                    push::SKIP_MARKER
                ));
                return Ok(0);
            }
        }
    }
    let loaded = load_rules(&args.rules, None)?;
    let scanner = Scanner::new(loaded.rules.clone(), ScanOptions::default())?;
    let threads = super::threads(args.threads, 4);
    let plan = history::plan(
        &repo,
        &PlanOptions {
            selection: Selection::RevList(rev_args),
            threads,
            excludes: Default::default(),
            deadline: Some(deadline),
        },
    )?;
    for w in &plan.warnings {
        out.line(&format!("leakguard: warning: {w}"));
    }
    let commits_not_examined = plan.commits_not_examined;
    let n_commits = plan.commits.len();
    let stats = Arc::new(ScanStats::default());
    let mut sink = CollectSink::default();
    let opts = GitScanOptions {
        threads,
        max_blob_size: args.max_blob_size,
        scan_binary: false,
        deadline: Some(deadline),
        blob_timeout: Some(args.blob_timeout),
    };
    let result = scan_blobs(&scanner, &repo, Arc::new(plan), None, &opts, &stats, &mut sink)?;
    let (mut binary, mut large) = (0, 0);
    for (_, r) in &sink.coverage.skipped {
        match r {
            SkipReason::TooLarge { .. } => large += 1,
            SkipReason::Binary => binary += 1,
            _ => {}
        }
    }
    let failures = &sink.coverage.failures;
    let s = &result.stats;
    let mut line = format!(
        "leakguard: scanned {} new blob(s) ({} bytes) from {} new commit(s) in {:.0} ms",
        s.files,
        s.bytes,
        n_commits,
        started.elapsed().as_secs_f64() * 1000.0
    );
    if binary + large > 0 {
        line.push_str(&format!(
            "; skipped {binary} binary blob(s) and {large} blob(s) over {} bytes",
            args.max_blob_size
        ));
    }
    out.line(&line);
    // Blobs lost with the workers are not a time-budget matter: they get their own heading.
    let (lost, timed_out): (Vec<_>, Vec<_>) =
        result.not_scanned.iter().partition(|n| n.reason == NotScannedReason::WorkerLost);
    let over_time = !timed_out.is_empty() || commits_not_examined > 0;
    let incomplete = over_time || !lost.is_empty() || !failures.is_empty();
    if !failures.is_empty() {
        out.line("leakguard: could not read; NOT scanned:");
        for f in failures {
            out.line(&format!("  - {f}"));
        }
    }
    if over_time {
        out.line("leakguard: time budget exceeded; NOT scanned:");
        if commits_not_examined > 0 {
            out.line(&format!("  - {commits_not_examined} commit(s) not examined"));
        }
        for n in &timed_out {
            out.line(&format!("  - blob {} ({}): {}", n.blob_id, n.path, n.reason));
        }
    }
    if !lost.is_empty() {
        out.line("leakguard: the scan's worker threads ended; NOT scanned:");
        for n in &lost {
            out.line(&format!("  - blob {} ({}): {}", n.blob_id, n.path, n.reason));
        }
    }
    if !sink.findings.is_empty() {
        out.line(&blocked_message(&sink.findings));
        return Ok(1);
    }
    if incomplete {
        return Ok(match args.on_timeout {
            OnTimeout::Allow => {
                out.line("leakguard: push accepted without a complete scan (--on-timeout allow)");
                0
            }
            OnTimeout::Reject => {
                out.line("leakguard: push rejected: scan incomplete (--on-timeout reject)");
                1
            }
        });
    }
    Ok(0)
}

/// GitLab's secret push protection message, grouped by commit.
fn blocked_message(findings: &[Finding]) -> String {
    let mut by_commit: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_commit
            .entry(f.commit.as_ref().map(|c| c.sha.clone()).unwrap_or_default())
            .or_default()
            .push(f);
    }
    let mut m = String::from("PUSH BLOCKED: Secrets detected in code changes\n");
    for (sha, fs) in &by_commit {
        if sha.is_empty() {
            for f in fs {
                m.push_str(&format!(
                    "\nSecret leaked in blob: {}\n  -- line:{} | {} ({})\n",
                    f.blob_id.as_deref().unwrap_or(""),
                    f.location.start_line,
                    f.description,
                    f.rule_id
                ));
            }
            continue;
        }
        m.push_str(&format!(
            "\nSecret push protection found the following secrets in commit: {sha}\n\n"
        ));
        for f in fs {
            m.push_str(&format!(
                "-- {}:{} | {} ({})\n",
                f.location.path, f.location.start_line, f.description, f.rule_id
            ));
        }
    }
    m.push_str("\nTo push your changes you must remove the identified secrets.\n");
    m.push_str(
        "If a finding is not a secret, add `leakguard:allow` in a comment on its line (amend \
         the commit), then push again.\n",
    );
    m.push_str(&format!(
        "To skip secret push protection, add the following Git push option to your push \
         command: `-o {}`\n(or put \"{}\" in a commit message; skips are visible to reviewers)",
        push::SKIP_OPTION,
        push::SKIP_MARKER
    ));
    m
}

#[cfg(test)]
mod tests {
    use crate::cli::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60s").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("60").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("3d").is_err());
    }
}
