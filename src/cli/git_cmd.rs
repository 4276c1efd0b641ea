//! `leakguard git`: history (all refs, a range, incremental with a blob cache) and staged
//! changes.
//!
//! Design decision: the command only resolves *what* to scan (flags > `SECRET_DETECTION_*`
//! environment) and how to report it; enumeration lives in `leakguard::source::git` and the
//! parallel scan in `leakguard::scan::git`, shared with the hooks.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Args;
use leakguard::report::ReportMeta;
use leakguard::scan::cache::BlobCache;
use leakguard::scan::git::{GitScanOptions, GitScanSummary, scan_blobs};
use leakguard::scan::{ScanStats, Scanner};
use leakguard::source::git::history::{self, PlanOptions, Selection};
use leakguard::source::git::{Repo, revlist, staged};

use super::RuleArgs;
use super::config::{LoadedRules, load_rules};
use super::scan_cmd::{
    CollectSink, FilterArgs, OutputArgs, Progress, check_output_writable, emit, excludes,
    exit_code, finalize, parse_size, print_coverage, summary,
};

#[derive(Args, Debug)]
pub(crate) struct GitArgs {
    /// Repository: a work tree (or any directory inside one), a `.git` directory or a bare
    /// repository.
    #[arg(default_value = ".")]
    repo: PathBuf,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    filter: FilterArgs,
    /// Select commits with `git log`/`git rev-list` arguments, e.g. "main..feature",
    /// "--since=2024-01-01", "-n 50". Only blobs new in the range are scanned. Only
    /// revision-selection options are accepted (no --output or other options that write).
    /// Default: $SECRET_DETECTION_LOG_OPTIONS, else every commit reachable from any ref.
    #[arg(long, value_name = "ARGS", allow_hyphen_values = true)]
    log_opts: Option<String>,
    /// Scan only commits after SHA (the range SHA..HEAD).
    #[arg(long, value_name = "SHA", conflicts_with = "log_opts")]
    since_commit: Option<String>,
    /// Scan what the index adds relative to HEAD (what `git commit` would record).
    #[arg(long, conflicts_with_all = ["log_opts", "since_commit", "cache"])]
    staged: bool,
    /// Remember clean blobs in FILE (per rule set) so later runs scan only new blobs.
    #[arg(long, value_name = "FILE")]
    cache: Option<PathBuf>,
    /// Exclude paths matching GLOB (repeatable); also $SECRET_DETECTION_EXCLUDED_PATHS.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Skip blobs larger than this (bytes, or with K/M/G suffix).
    #[arg(long, alias = "max-file-size", value_name = "SIZE", default_value = "100M", value_parser = parse_size)]
    max_blob_size: u64,
    /// Scan binary blobs too.
    #[arg(long)]
    scan_binary: bool,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
}

/// Options of `leakguard hook pre-commit` (and `git --staged`).
#[derive(Args, Debug)]
pub(crate) struct StagedArgs {
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub out: OutputArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Exclude paths matching GLOB (repeatable); also $SECRET_DETECTION_EXCLUDED_PATHS.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip files larger than this.
    #[arg(long, value_name = "SIZE", default_value = "100M", value_parser = parse_size)]
    pub max_blob_size: u64,
}

fn env_nonempty(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

fn env_true(k: &str) -> bool {
    env_nonempty(k)
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

/// Flags > `SECRET_DETECTION_HISTORIC_SCAN` (whole history) > `SECRET_DETECTION_LOG_OPTIONS`.
fn selection(args: &GitArgs) -> Result<(Selection, String)> {
    // Only revision-selection options reach git: `--output=FILE` and the like are refused.
    let split = |opts: &str, from: &str| -> Result<Vec<String>> {
        let v = revlist::split_args(opts).map_err(anyhow::Error::msg)?;
        revlist::check_selection_args(&v).map_err(|e| anyhow::anyhow!("{from}: {e}"))?;
        Ok(v)
    };
    if let Some(opts) = &args.log_opts {
        let v = split(opts, "--log-opts")?;
        return Ok((Selection::RevList(v), format!("commits selected by --log-opts \"{opts}\"")));
    }
    if let Some(sha) = &args.since_commit {
        let range = format!("{}..HEAD", sha.trim());
        revlist::check_selection_args(std::slice::from_ref(&range))
            .map_err(|e| anyhow::anyhow!("--since-commit: {e}"))?;
        return Ok((Selection::RevList(vec![range.clone()]), format!("commits in {range}")));
    }
    if env_true("SECRET_DETECTION_HISTORIC_SCAN") {
        return Ok((Selection::AllRefs, "full history (SECRET_DETECTION_HISTORIC_SCAN)".into()));
    }
    if let Some(opts) = env_nonempty("SECRET_DETECTION_LOG_OPTIONS") {
        let v = split(&opts, "SECRET_DETECTION_LOG_OPTIONS")?;
        return Ok((
            Selection::RevList(v),
            format!("commits selected by SECRET_DETECTION_LOG_OPTIONS \"{opts}\""),
        ));
    }
    Ok((Selection::AllRefs, "every commit reachable from any ref".into()))
}

fn scanner_for(loaded: &LoadedRules, out: &OutputArgs) -> Result<Scanner> {
    Ok(Scanner::new(loaded.rules.clone(), out.scan_options())?)
}

fn meta_for(loaded: &LoadedRules) -> ReportMeta {
    let mut meta = ReportMeta::now();
    meta.set_rules(&loaded.rules);
    meta
}

fn open_repo(path: &Path) -> Result<Repo> {
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    Ok(Repo::discover(path)?)
}

pub(crate) fn run(args: GitArgs) -> Result<i32> {
    if args.staged {
        let staged = StagedArgs {
            rules: args.rules,
            out: args.out,
            filter: args.filter,
            exclude: args.exclude,
            max_blob_size: args.max_blob_size,
        };
        return run_staged(&args.repo, staged);
    }
    let started = Instant::now();
    let repo = open_repo(&args.repo)?;
    let work_dir = repo.work_dir();
    let loaded = load_rules(&args.rules, Some(work_dir.as_deref().unwrap_or(repo.git_dir())))?;
    let scanner = scanner_for(&loaded, &args.out)?;
    check_output_writable(args.out.output.as_deref())?;
    let threads = super::threads(args.threads, super::MAX_THREADS);
    let (selection, described) = selection(&args)?;
    let mut meta = meta_for(&loaded);
    let plan = history::plan(
        &repo,
        &PlanOptions { selection, threads, excludes: excludes(&args.exclude)?, deadline: None },
    )?;
    tracing::debug!(
        commits = plan.commits.len(),
        blobs = plan.blobs.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "history planned"
    );
    let quiet = args.out.quiet;
    for w in &plan.warnings {
        if !quiet {
            eprintln!("leakguard: warning: {w}");
        }
        meta.messages.push(("warn".into(), w.clone()));
    }
    let commits = plan.commits.len();
    let commits_not_examined = plan.commits_not_examined;
    let mut info =
        format!("git: {described}: {commits} commit(s), {} distinct blob(s)", plan.blobs.len());
    if !plan.excluded_paths.is_empty() {
        info.push_str(&format!(", {} path(s) excluded", plan.excluded_paths.len()));
    }
    meta.messages.push(("info".into(), info));
    let mut cache = match &args.cache {
        Some(p) => Some(
            BlobCache::open(p, scanner.rules().digest())
                .with_context(|| format!("{}: cannot open blob cache", p.display()))?,
        ),
        None => None,
    };
    let stats = Arc::new(ScanStats::default());
    let progress = Progress::start(&stats, "blobs", quiet);
    let mut sink = CollectSink::default();
    let opts = GitScanOptions {
        threads,
        max_blob_size: args.max_blob_size,
        scan_binary: args.scan_binary,
        deadline: None,
        blob_timeout: None,
    };
    let result =
        scan_blobs(&scanner, &repo, Arc::new(plan), cache.as_mut(), &opts, &stats, &mut sink)?;
    progress.finish();
    drop(cache);
    meta.end = time::OffsetDateTime::now_utc();
    if commits_not_examined > 0 {
        sink.coverage.fail(
            "",
            format!("{commits_not_examined} commit(s) not examined: their content is not scanned"),
        );
    }
    add_notes(&result, &mut sink, &mut meta);
    let ignores = args.filter.load(work_dir.as_deref().unwrap_or(repo.git_dir()))?;
    let findings = args.filter.apply(&ignores, sink.findings, &mut meta, args.out.quiet)?;
    let mut findings = findings;
    super::scan_cmd::validate(&mut findings, &loaded.rules, &args.out);
    let findings = finalize(findings, args.out.redact);
    emit(&findings, &meta, &args.out)?;
    print_coverage(&meta.coverage, quiet, args.out.list_skipped);
    if !quiet {
        let mut line = summary(&result.stats, "blobs", findings.len(), started.elapsed());
        line.push_str(&format!(" ({commits} commits, {} distinct blobs", result.blobs));
        if args.cache.is_some() {
            line.push_str(&format!(", {} known clean from the cache", result.cached));
        }
        line.push(')');
        eprintln!("{line}");
    }
    Ok(exit_code(&findings, &meta.coverage, &args.out))
}

/// Moves the sink's skips and failures into the report, with the scan's warnings. Blobs the
/// scan did not reach (no budget is set here, so only when its workers died) are failures.
fn add_notes(result: &GitScanSummary, sink: &mut CollectSink, meta: &mut ReportMeta) {
    meta.coverage = std::mem::take(&mut sink.coverage);
    for n in &result.not_scanned {
        meta.coverage.fail(n.path.clone(), format!("blob {} not scanned: {}", n.blob_id, n.reason));
    }
    meta.coverage.normalize();
    for w in &result.warnings {
        meta.messages.push(("warn".into(), w.clone()));
    }
}

/// `git --staged` and `hook pre-commit`.
pub(crate) fn run_staged(repo_path: &Path, args: StagedArgs) -> Result<i32> {
    let started = Instant::now();
    let repo = open_repo(repo_path)?;
    let work_dir = repo.work_dir();
    let loaded = load_rules(&args.rules, Some(work_dir.as_deref().unwrap_or(repo.git_dir())))?;
    let scanner = scanner_for(&loaded, &args.out)?;
    check_output_writable(args.out.output.as_deref())?;
    // `git commit -a` / `git commit <paths>` run the hook against a temporary index.
    let index_file =
        std::env::var_os("GIT_INDEX_FILE").filter(|v| !v.is_empty()).map(PathBuf::from);
    let staged = staged::staged(&repo, index_file.as_deref(), &excludes(&args.exclude)?)
        .context("cannot list staged changes")?;
    let mut meta = meta_for(&loaded);
    if staged.conflicted > 0 {
        let msg = format!("{} unmerged index entr(ies) not scanned", staged.conflicted);
        eprintln!("leakguard: warning: {msg}");
        meta.messages.push(("warn".into(), msg));
    }
    let files = staged.blobs.len();
    let stats = Arc::new(ScanStats::default());
    let mut sink = CollectSink::default();
    let opts = GitScanOptions {
        threads: super::threads(None, 4),
        max_blob_size: args.max_blob_size,
        ..Default::default()
    };
    let result = scan_blobs(&scanner, &repo, Arc::new(staged), None, &opts, &stats, &mut sink)?;
    meta.end = time::OffsetDateTime::now_utc();
    add_notes(&result, &mut sink, &mut meta);
    for w in &result.warnings {
        eprintln!("leakguard: warning: {w}");
    }
    let ignores = args.filter.load(work_dir.as_deref().unwrap_or(repo.git_dir()))?;
    let findings = args.filter.apply(&ignores, sink.findings, &mut meta, args.out.quiet)?;
    let mut findings = findings;
    super::scan_cmd::validate(&mut findings, &loaded.rules, &args.out);
    let findings = finalize(findings, args.out.redact);
    emit(&findings, &meta, &args.out)?;
    print_coverage(&meta.coverage, args.out.quiet, args.out.list_skipped);
    // Always said, even with --quiet: a pre-commit check must never pass silently.
    let s = &result.stats;
    let mut line = format!(
        "leakguard: scanned {} staged file(s), {} bytes, in {:.0} ms: {} finding(s)",
        s.files,
        s.bytes,
        started.elapsed().as_secs_f64() * 1000.0,
        findings.len()
    );
    if s.skipped > 0 {
        line.push_str(&format!(", {} skipped (binary or too large)", s.skipped));
    }
    if files == 0 && meta.coverage.is_complete() {
        line.push_str(" (nothing staged)");
    }
    eprintln!("{line}");
    let code = exit_code(&findings, &meta.coverage, &args.out);
    if code != 0 && !findings.is_empty() {
        eprint!("{}", commit_blocked_help(&findings));
    }
    Ok(code)
}

/// What a developer whose commit was blocked can do, with the exact `.leakguardignore` lines:
/// each finding's content fingerprint scoped to its path (unless the path has blanks), the
/// line and rule as a comment, one per distinct (fingerprint, path).
fn commit_blocked_help(findings: &[leakguard::finding::Finding]) -> String {
    let mut m = String::from(
        "leakguard: commit blocked. To proceed, either\n  \
         * remove the secret from the staged file (and revoke it if it was ever pushed), or\n  \
         * if it is not a secret, add `leakguard:allow` in a comment on its line, or add\n    \
         these lines to .leakguardignore (one content fingerprint per finding):\n",
    );
    let mut seen = std::collections::BTreeSet::new();
    for f in findings.iter().filter(|f| seen.insert((&f.fingerprint, &f.location.path))) {
        let path = &f.location.path;
        let scope = if path.is_empty() || path.contains(char::is_whitespace) {
            String::new()
        } else {
            format!(" {path}")
        };
        m.push_str(&format!(
            "      {}{scope}  # line {} {}\n",
            f.fingerprint, f.location.start_line, f.rule_id
        ));
    }
    m.push_str(
        "  * or skip the check for this one commit: `git commit --no-verify` (with the\n    \
         pre-commit framework: `SKIP=leakguard git commit`).\n",
    );
    m
}
