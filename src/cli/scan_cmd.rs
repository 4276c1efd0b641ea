//! `leakguard scan`: directory trees and files.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use leakguard::finding::Finding;
use leakguard::finding::coverage::Coverage;
use leakguard::finding::ignore::IgnoreSet;
use leakguard::report::{self, Format, ReportMeta};
use leakguard::scan::{
    DirScanOptions, ScanOptions, ScanStats, Scanner, Sink, SkipReason, StatsSnapshot,
};
use leakguard::source::exclude::ExcludeSet;
use leakguard::source::walk::WalkOptions;

use super::RuleArgs;
use super::config::{confined_repo_file, load_rules};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum FormatArg {
    Text,
    Json,
    Gitlab,
    Sarif,
    /// gitleaks' JSON report: RuleID, File, Secret, Fingerprint, ... (gitleaks rule ids).
    Gitleaks,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum FiltersArg {
    /// Drop placeholders, documentation example keys, tokens whose checksum fails and weaker
    /// overlapping matches.
    Leakguard,
    /// Only what the configuration says, as gitleaks does (plus gitleaks' generic-rule
    /// dedupe): a gitleaks config finds what gitleaks finds.
    Gitleaks,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub(crate) enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Output options shared by every scanning subcommand.
#[derive(Args, Debug, Clone)]
pub(crate) struct OutputArgs {
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Remove secrets from every output.
    #[arg(long)]
    pub redact: bool,
    /// Exit code when findings are reported (1-255; use --no-fail for 0).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(i32).range(1..=255))]
    pub exit_code: i32,
    /// Exit 0/1 even when some content could not be scanned (unreadable files, corrupt
    /// archives or objects, exhausted budgets). By default such a run exits 2.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// List every skipped path in the summary on stderr (default: the first 10 per reason).
    #[arg(long)]
    pub list_skipped: bool,
    /// Exit 0 even when findings are reported.
    #[arg(long)]
    pub no_fail: bool,
    /// No progress bar and no summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Report findings on lines marked `gitleaks:allow` / `leakguard:allow`.
    #[arg(long)]
    pub ignore_gitleaks_allow: bool,
    /// Print the number of findings per rule (and confidence) on stderr, to help triage.
    #[arg(long)]
    pub rule_stats: bool,
    /// Decode base64 and percent-encoded text this many levels deep (0 disables).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub max_decode_depth: usize,
    /// Let every rule report its own matches, even where a more confident or more specific
    /// rule claims the same secret (default: one finding per secret).
    #[arg(long)]
    pub report_overlaps: bool,
    /// Filters beyond the rules: `leakguard` drops placeholders, env references, documentation
    /// example keys, tokens whose checksum fails and weaker overlapping matches; `gitleaks`
    /// applies only what the configuration says, so a gitleaks config reproduces gitleaks'
    /// findings.
    #[arg(long, value_enum, default_value_t = FiltersArg::Leakguard)]
    pub filters: FiltersArg,
    /// Show N lines around each finding in text output, the secret masked.
    #[arg(long, short = 'C', value_name = "N", default_value_t = 0)]
    pub context: usize,
    /// Ask each secret's provider whether it is active (read-only requests to the provider's
    /// fixed API host; off by default, never in `hook pre-receive`).
    #[cfg(feature = "validate")]
    #[arg(long)]
    pub validate: bool,
    /// With --validate: send RULE_OR_HOST's requests to URL instead (GitHub Enterprise,
    /// self-managed GitLab, a proxy, tests), e.g. `api.github.com=https://ghe.example/api/v3`.
    #[cfg(feature = "validate")]
    #[arg(long, value_name = "KEY=URL", requires = "validate", value_parser = parse_endpoint)]
    pub validate_endpoint: Vec<(String, String)>,
    /// With --validate: the GitLab instance GitLab tokens are checked against (default
    /// $CI_SERVER_URL inside GitLab CI, else https://gitlab.com).
    #[cfg(feature = "validate")]
    #[arg(long, value_name = "URL", requires = "validate")]
    pub gitlab_url: Option<String>,
    /// With --validate: the most requests one run sends; further findings are `unknown`.
    #[cfg(feature = "validate")]
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub validate_max_requests: usize,
    /// With --validate: per-request timeout.
    #[cfg(feature = "validate")]
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = super::parse_duration)]
    pub validate_timeout: std::time::Duration,
    /// With --validate: where answers are kept between runs (keyed by a hash of rule and
    /// secret; no secret is stored). Default: `$XDG_STATE_HOME/leakguard/validation-cache.json`
    /// (`~/.local/state/...`). `none` keeps nothing.
    #[cfg(feature = "validate")]
    #[arg(long, value_name = "PATH")]
    pub validate_cache: Option<PathBuf>,
    /// With --validate: how long a cached active or inactive answer is trusted.
    #[cfg(feature = "validate")]
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = super::parse_duration)]
    pub validate_cache_ttl: std::time::Duration,
    /// With --validate: report only findings with these statuses (comma-separated: active,
    /// inactive, unknown, unverifiable; default all).
    #[cfg(feature = "validate")]
    #[arg(long, value_name = "LIST", requires = "validate", value_delimiter = ',',
          value_parser = parse_status)]
    pub results: Vec<leakguard::finding::ValidationStatus>,
}

impl OutputArgs {
    /// The scanner options these flags ask for.
    pub(crate) fn scan_options(&self) -> ScanOptions {
        ScanOptions {
            ignore_inline_allow: self.ignore_gitleaks_allow,
            decode: leakguard::scan::decode::DecodeLimits {
                max_depth: self.max_decode_depth,
                ..Default::default()
            },
            report_overlaps: self.report_overlaps,
            filters: match self.filters {
                FiltersArg::Leakguard => leakguard::scan::Filters::Leakguard,
                FiltersArg::Gitleaks => leakguard::scan::Filters::Gitleaks,
            },
            // Kept only where it is shown.
            context_lines: if self.format == FormatArg::Text { self.context.min(100) } else { 0 },
        }
    }
}

/// Known-finding filters shared by every scanning subcommand.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct FilterArgs {
    /// Skip findings present in an earlier report (leakguard JSON/GitLab/SARIF, a baseline
    /// from --write-baseline, or a gitleaks JSON report). Matched by secret, not position.
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,
    /// Write the findings as a baseline (sorted, content-keyed, no line numbers) to FILE.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// A `.gitleaksignore` file or a folder holding one (default: the scan root's).
    #[arg(long, value_name = "PATH")]
    pub gitleaks_ignore_path: Option<PathBuf>,
    /// A `.leakguardignore` file (default: the scan root's). One content fingerprint per
    /// line, optionally followed by a path it is limited to.
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// List ignore-file entries that matched no finding (stderr and report messages).
    #[arg(long)]
    pub report_unused_ignores: bool,
}

impl FilterArgs {
    /// Loads every ignore source; `root` is where default files are looked up. Files named
    /// on the command line are trusted; the defaults found in `root` come from the scanned
    /// content and must resolve inside it (`config::confined_repo_file`).
    pub(crate) fn load(&self, root: &Path) -> Result<IgnoreSet> {
        let mut set = IgnoreSet::new();
        let gl = match &self.gitleaks_ignore_path {
            Some(p) if p.is_dir() => Some(p.join(".gitleaksignore")),
            Some(p) => Some(p.clone()),
            None => confined_repo_file(root, ".gitleaksignore")?,
        };
        if let Some(p) = gl {
            set.load_gitleaksignore(&p)?;
        }
        let lg = match &self.ignore_file {
            Some(p) => Some(p.clone()),
            None => confined_repo_file(root, ".leakguardignore")?,
        };
        if let Some(p) = lg {
            set.load_leakguardignore(&p)?;
        }
        if let Some(p) = &self.baseline {
            set.load_baseline(p)?;
        }
        Ok(set)
    }

    /// Drops ignored findings, writes the baseline if asked, and reports unused entries.
    pub(crate) fn apply(
        &self,
        set: &IgnoreSet,
        findings: Vec<Finding>,
        meta: &mut ReportMeta,
        quiet: bool,
    ) -> Result<Vec<Finding>> {
        let kept: Vec<Finding> = if set.is_empty() {
            findings
        } else {
            findings.into_iter().filter(|f| !set.is_ignored(f)).collect()
        };
        if let Some(p) = &self.write_baseline {
            report::write_atomic(p, |w| leakguard::finding::ignore::write_baseline(&kept, w))
                .with_context(|| format!("{}: cannot write baseline", p.display()))?;
        }
        if self.report_unused_ignores {
            for u in set.unused() {
                if !quiet {
                    eprintln!("leakguard: unused ignore entry: {u}");
                }
                meta.messages.push(("info".into(), format!("unused ignore entry: {u}")));
            }
        }
        Ok(kept)
    }
}

#[derive(Args, Debug)]
pub(crate) struct ScanArgs {
    /// Files or directories to scan.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    filter: FilterArgs,
    /// Scan files that .gitignore and other ignore files exclude.
    #[arg(long)]
    no_ignore: bool,
    /// Exclude paths matching GLOB (repeatable; a match on a parent directory excludes its
    /// contents). Also read from $SECRET_DETECTION_EXCLUDED_PATHS (comma-separated).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Skip files larger than this (bytes, or with K/M/G suffix).
    #[arg(long, value_name = "SIZE", default_value = "100M", value_parser = parse_size)]
    max_file_size: u64,
    /// Scan binary files too (by default a NUL byte in the first 8 KiB skips a file).
    #[arg(long)]
    scan_binary: bool,
    /// Scan inside zip, tar, tar.gz and gz files (entries are reported as `a.zip!inner/path`).
    #[arg(long)]
    archives: bool,
    /// How deep to open archives inside archives (1-16; deeper ones are listed as skipped).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = parse_archive_depth)]
    max_archive_depth: usize,
    /// Stop expanding one archive (all levels) past this many decompressed bytes: a zip-bomb
    /// guard; what is left is reported as a failure.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    max_archive_total: u64,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
    /// The path reported for findings in standard input (`-`), e.g. the file an editor is
    /// showing. Default: `-`.
    #[arg(long, value_name = "NAME")]
    stdin_name: Option<String>,
    /// GitLab and SARIF reports give paths relative to DIR, so merge-request and
    /// code-scanning links work (default: the git work tree holding the first path, else the
    /// first directory scanned, else the current directory). Text and JSON keep the paths as
    /// given on the command line.
    #[arg(long, value_name = "DIR")]
    base_path: Option<PathBuf>,
}

fn parse_archive_depth(s: &str) -> Result<usize, String> {
    let ceiling = leakguard::source::archive::MAX_DEPTH_CEILING;
    let n: usize = s.trim().parse().map_err(|_| format!("\"{s}\" is not a number"))?;
    if !(1..=ceiling).contains(&n) {
        return Err(format!(
            "must be between 1 and {ceiling} (the hard ceiling; archives nested deeper are \
             listed as skipped)"
        ));
    }
    Ok(n)
}

pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let unit = s[i..].to_ascii_lowercase();
            let mult = match unit.as_str() {
                "b" => 1,
                "k" | "kb" | "kib" => 1 << 10,
                "m" | "mb" | "mib" => 1 << 20,
                "g" | "gb" | "gib" => 1 << 30,
                _ => return Err(format!("unknown size unit \"{}\"", &s[i..])),
            };
            (&s[..i], mult)
        }
        None => (s, 1),
    };
    let n: u64 = num.trim().parse().map_err(|_| format!("\"{s}\" is not a size"))?;
    n.checked_mul(mult).ok_or_else(|| format!("\"{s}\" is too large"))
}

pub(crate) fn run(args: ScanArgs) -> Result<i32> {
    for p in &args.paths {
        if !is_stdin_arg(p) && std::fs::symlink_metadata(p).is_err() {
            bail!("{}: no such file or directory", p.display());
        }
    }
    let root = args.paths.first().filter(|p| p.is_dir()).map(PathBuf::as_path);
    let loaded = load_rules(&args.rules, root)?;
    let ignores = args.filter.load(root.unwrap_or(Path::new(".")))?;
    let scanner = Scanner::new(loaded.rules.clone(), args.out.scan_options())?;
    let excludes = excludes(&args.exclude)?;
    check_output_writable(args.out.output.as_deref())?;
    let threads = super::threads(args.threads, super::MAX_THREADS);
    let (streams, roots): (Vec<PathBuf>, Vec<PathBuf>) =
        args.paths.iter().cloned().partition(|p| is_stream_arg(p));
    let opts = DirScanOptions {
        roots,
        walk: WalkOptions { no_ignore: args.no_ignore, threads },
        excludes,
        max_file_size: args.max_file_size,
        scan_binary: args.scan_binary,
        archives: args.archives.then(|| leakguard::source::archive::ArchiveLimits {
            max_depth: args.max_archive_depth,
            max_entry_bytes: args.max_file_size,
            max_total_bytes: args.max_archive_total,
            ..Default::default()
        }),
    };
    let mut meta = ReportMeta::now();
    meta.set_rules(&loaded.rules);
    let stats = Arc::new(ScanStats::default());
    let progress = Progress::start(&stats, "files", args.out.quiet);
    let mut sink = CollectSink::default();
    let started = Instant::now();
    scan_streams(&scanner, &streams, args.stdin_name.as_deref(), &opts, &stats, &mut sink)?;
    let snap = leakguard::scan::scan_dirs(&scanner, &opts, &stats, &mut sink)?;
    progress.finish();
    meta.end = time::OffsetDateTime::now_utc();
    meta.coverage = std::mem::take(&mut sink.coverage);
    meta.coverage.normalize();
    let findings = args.filter.apply(&ignores, sink.findings, &mut meta, args.out.quiet)?;
    let mut findings = findings;
    validate(&mut findings, &loaded.rules, &args.out);
    let mut findings = finalize(findings, args.out.redact);
    if matches!(args.out.format, FormatArg::Gitlab | FormatArg::Sarif) {
        let base = report_base(args.base_path.as_deref(), &args.paths)?;
        for f in &mut findings {
            f.location.path = rebase(&f.location.path, &base);
        }
        meta.coverage.rebase_paths(|p| rebase(p, &base));
    }
    emit(&findings, &meta, &args.out)?;
    print_coverage(&meta.coverage, args.out.quiet, args.out.list_skipped);
    if !args.out.quiet {
        eprintln!("{}", summary(&snap, "files", findings.len(), started.elapsed()));
    }
    if args.out.rule_stats {
        eprint!("{}", rule_stats(&findings));
    }
    Ok(exit_code(&findings, &meta.coverage, &args.out))
}

/// The directory GitLab and SARIF paths are relative to (see `--base-path`), absolute.
fn report_base(flag: Option<&Path>, paths: &[PathBuf]) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return std::path::absolute(dir)
            .map(|d| normalize(&d))
            .with_context(|| format!("{}: bad --base-path", dir.display()));
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let Some(first) = paths.iter().find(|p| !is_stream_arg(p)) else { return Ok(cwd) };
    let first = normalize(&cwd.join(first));
    let start = if first.is_dir() { first.as_path() } else { first.parent().unwrap_or(&cwd) };
    // The nearest enclosing git work tree (a `.git` directory, or a `.git` file in a linked
    // worktree or submodule), found by looking, never by running git.
    let work_tree = start.ancestors().find(|d| d.join(".git").exists());
    Ok(work_tree
        .map(Path::to_path_buf)
        .unwrap_or_else(|| if first.is_dir() { first.clone() } else { cwd.clone() }))
}

/// `path` (as reported, i.e. as reached from the current directory) relative to `base`,
/// lexically: from a work tree's `src/`, `scan .` reports `app.py` and the GitLab report
/// `src/app.py`; absolute and `../` paths become relative too. Paths outside `base` stay.
fn rebase(path: &str, base: &Path) -> String {
    if path == "-" || path.is_empty() {
        return path.to_string();
    }
    let Ok(abs) = std::path::absolute(path) else { return path.to_string() };
    let abs = normalize(&abs);
    match abs.strip_prefix(base) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            let rel = rel.to_string_lossy().replace('\\', "/");
            // Skipped directories are listed as `dir/`.
            if path.ends_with('/') { format!("{rel}/") } else { rel }
        }
        _ => path.to_string(),
    }
}

/// Removes `.` and resolves `..` components lexically (`std::path::absolute` keeps them).
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `-`: standard input.
fn is_stdin_arg(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Whether an explicit argument is read as a stream rather than walked: `-`, and anything
/// that is neither a regular file nor a directory once symlinks are followed (FIFOs,
/// `/dev/stdin` on a pipe, process substitutions `<(...)` as `/dev/fd/N`, character devices).
/// A directory walk never opens such files; given by name, they were asked for.
fn is_stream_arg(p: &Path) -> bool {
    is_stdin_arg(p) || std::fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Reads each stream argument to its end (at most `--max-file-size` bytes) and scans it, in
/// the order given, before the walk. A stream has no size upfront: one longer than the cap
/// is scanned up to it and reported as a failure, since its tail was not scanned. Findings
/// from stdin have the path `-`, or `--stdin-name`.
fn scan_streams<S: Sink>(
    scanner: &Scanner,
    streams: &[PathBuf],
    stdin_name: Option<&str>,
    opts: &DirScanOptions,
    stats: &ScanStats,
    sink: &mut S,
) -> Result<(), S::Error> {
    use leakguard::source::Provenance;
    use leakguard::source::read::FileReader;
    if streams.is_empty() {
        return Ok(());
    }
    let mut reader = FileReader::new(opts.max_file_size);
    let mut scratch = scanner.new_scratch();
    let mut found = Vec::new();
    for p in streams {
        let stdin = is_stdin_arg(p);
        let display = if stdin {
            stdin_name.unwrap_or("-").to_string()
        } else {
            leakguard::source::walk::reached_path(p)
        };
        let read = if stdin {
            reader.read_stream(io::stdin().lock())
        } else {
            std::fs::File::open(p).and_then(|f| reader.read_stream(f))
        };
        let contents = match read {
            Ok(c) => c,
            Err(e) => {
                stats.errors.fetch_add(1, Ordering::Relaxed);
                sink.error(&display, &format!("cannot read: {e}"))?;
                continue;
            }
        };
        if contents.truncated {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            let cap = opts.max_file_size;
            sink.error(
                &display,
                &format!(
                    "stream longer than --max-file-size ({cap} bytes); only the first {cap} \
                     bytes were scanned"
                ),
            )?;
        }
        if !opts.scan_binary && leakguard::source::looks_binary(contents.bytes) {
            stats.skipped.fetch_add(1, Ordering::Relaxed);
            sink.skipped(&display, &SkipReason::Binary)?;
            continue;
        }
        // A named stream is scanned as that file (path rules such as `.env` apply).
        let prov = if stdin && stdin_name.is_none() {
            Provenance::Stdin
        } else {
            Provenance::File { path: p.clone(), display: display.clone() }
        };
        found.clear();
        scanner.scan_path(&prov, &mut found);
        if let Some(hit) = scanner.scan_bytes(contents.bytes, &prov, &mut scratch, &mut found) {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            sink.error(&display, &hit.to_string())?;
        }
        stats.files.fetch_add(1, Ordering::Relaxed);
        stats.bytes.fetch_add(contents.bytes.len() as u64, Ordering::Relaxed);
        stats.findings.fetch_add(found.len() as u64, Ordering::Relaxed);
        for f in &mut found {
            if f.location.path.is_empty() {
                f.location.path.clone_from(&display);
            }
            if !sink.matched(f)? {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Skipped paths shown per kind on stderr before the list is cut short (`--list-skipped`
/// shows all; the JSON, GitLab and SARIF reports always list every one).
const SKIPS_SHOWN: usize = 10;

/// Lists policy skips (unless quiet) and failures (always) on stderr, after the report.
pub(crate) fn print_coverage(c: &Coverage, quiet: bool, list_all: bool) {
    if !quiet {
        for (label, paths) in c.skip_groups() {
            eprintln!("leakguard: skipped {} {label}:", paths.len());
            let shown = if list_all { paths.len() } else { SKIPS_SHOWN };
            for p in paths.iter().take(shown) {
                eprintln!("  {p}");
            }
            if paths.len() > shown {
                eprintln!(
                    "  ... and {} more (--list-skipped lists all; so do the json, gitlab and \
                     sarif reports)",
                    paths.len() - shown
                );
            }
        }
    }
    for f in &c.failures {
        eprintln!("leakguard: not scanned: {f}");
    }
    if !c.is_complete() {
        eprintln!(
            "leakguard: scan incomplete: {} item(s) could not be scanned (exit 2; \
             --allow-incomplete accepts this)",
            c.failures.len()
        );
    }
}

/// `--exclude` patterns plus `$SECRET_DETECTION_EXCLUDED_PATHS` (comma-separated).
pub(crate) fn excludes(flag: &[String]) -> Result<ExcludeSet> {
    let mut patterns = flag.to_vec();
    if let Ok(env) = std::env::var("SECRET_DETECTION_EXCLUDED_PATHS") {
        patterns.extend(env.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from));
    }
    Ok(ExcludeSet::new(&patterns)?)
}

/// Sorts findings by location for stable output and applies redaction.
#[cfg(feature = "validate")]
pub(crate) fn parse_endpoint(s: &str) -> Result<(String, String), String> {
    let (k, url) = s.split_once('=').ok_or("expected KEY=URL")?;
    if k.is_empty() || !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err("expected KEY=URL with an http(s) URL".into());
    }
    Ok((k.to_string(), url.to_string()))
}

#[cfg(feature = "validate")]
fn parse_status(s: &str) -> Result<leakguard::finding::ValidationStatus, String> {
    leakguard::finding::ValidationStatus::parse(s.trim())
        .ok_or_else(|| format!("{s:?}: one of active, inactive, unknown, unverifiable"))
}

/// `--validate`: asks the providers (before redaction, which removes the secrets), prints the
/// summary, and keeps the findings `--results` asks for.
#[cfg(feature = "validate")]
pub(crate) fn validate(
    findings: &mut Vec<Finding>,
    rules: &leakguard::rules::RuleSet,
    out: &OutputArgs,
) {
    use leakguard::validate::{Cache, Options, Validator};
    // Nothing found, nothing to ask: no client, no cache file.
    if !out.validate || findings.is_empty() {
        return;
    }
    let mut endpoints = out.validate_endpoint.clone();
    // GitLab tokens go to --gitlab-url, else (in GitLab CI) the instance running the job,
    // unless an explicit --validate-endpoint gitlab.com=... says otherwise.
    let gitlab = out.gitlab_url.clone().or_else(|| std::env::var("CI_SERVER_URL").ok());
    if let Some(url) = gitlab.filter(|u| !u.is_empty()) {
        if !endpoints.iter().any(|(k, _)| k == "gitlab.com") {
            endpoints.push(("gitlab.com".into(), url));
        }
    }
    let mut v = Validator::new(Options {
        endpoints,
        max_requests: out.validate_max_requests,
        timeout: out.validate_timeout,
        ..Default::default()
    });
    let cache_path = match &out.validate_cache {
        Some(p) if p.as_os_str() == "none" => None,
        Some(p) => Some(p.clone()),
        None => leakguard::state::default_file("validation-cache.json"),
    };
    if let Some(p) = &cache_path {
        v = v.with_cache(Cache::open(p, out.validate_cache_ttl));
    }
    v.validate_all(findings, rules);
    if let Err(e) = v.save_cache() {
        eprintln!("leakguard: warning: validation cache not saved: {e}");
    }
    if !out.quiet {
        let mut by: std::collections::BTreeMap<&str, usize> = Default::default();
        for f in findings.iter() {
            if let Some(s) = &f.validation {
                *by.entry(s.status.as_str()).or_default() += 1;
            }
        }
        let counts: Vec<String> = by.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let hosts: Vec<String> = v
            .stats()
            .iter()
            .map(|(h, s)| {
                format!(
                    "{h} {} ({} active, {} inactive, {} unknown)",
                    s.requests, s.active, s.inactive, s.unknown
                )
            })
            .collect();
        eprintln!(
            "leakguard: validation: {} request(s), {} cached answer(s){}{}; findings: {}",
            v.requests(),
            v.cache_hits(),
            if hosts.is_empty() { "" } else { ": " },
            hosts.join(", "),
            if counts.is_empty() { "none".to_string() } else { counts.join(", ") }
        );
    }
    if !out.results.is_empty() {
        findings.retain(|f| f.validation.as_ref().is_some_and(|v| out.results.contains(&v.status)));
    }
}

/// Without the `validate` feature there is nothing to ask.
#[cfg(not(feature = "validate"))]
pub(crate) fn validate(_: &mut Vec<Finding>, _: &leakguard::rules::RuleSet, _: &OutputArgs) {}

pub(crate) fn finalize(mut findings: Vec<Finding>, redact: bool) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        (&a.location.path, a.location.start_line, a.location.start_column, &a.rule_id).cmp(&(
            &b.location.path,
            b.location.start_line,
            b.location.start_column,
            &b.rule_id,
        ))
    });
    if redact {
        findings.iter_mut().for_each(Finding::redact);
    }
    findings
}

/// The exit-code contract: 2 when anything requested could not be scanned (unless
/// `--allow-incomplete`), else the findings code (unless `--no-fail`), else 0.
pub(crate) fn exit_code(findings: &[Finding], coverage: &Coverage, out: &OutputArgs) -> i32 {
    if !coverage.is_complete() && !out.allow_incomplete {
        super::EXIT_ERROR
    } else if findings.is_empty() || out.no_fail {
        0
    } else {
        out.exit_code
    }
}

/// Fails early (before a long scan) when the report cannot be written.
pub(crate) fn check_output_writable(path: Option<&Path>) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.is_dir() {
        bail!("{}: output is a directory", path.display());
    }
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        // A device or FIFO (`-o /dev/null`) is written in place; it must be writable.
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("{}: cannot write report", path.display()))?;
        return Ok(());
    }
    tempfile::Builder::new()
        .prefix(".leakguard-probe-")
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot write report", path.display()))?;
    Ok(())
}

/// Writes the report to `--output` (atomically) or stdout.
pub(crate) fn emit(findings: &[Finding], meta: &ReportMeta, out: &OutputArgs) -> Result<()> {
    let format = match out.format {
        FormatArg::Text => Format::Text,
        FormatArg::Json => Format::Json,
        FormatArg::Gitlab => Format::Gitlab,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Gitleaks => Format::Gitleaks,
    };
    let write = |w: &mut dyn Write, color: bool| -> io::Result<()> {
        if format == Format::Text {
            report::text::write(
                findings,
                &report::text::TextOptions { color, redact: out.redact, context: out.context > 0 },
                w,
            )
        } else {
            report::write(format, findings, meta, w)
        }
    };
    match &out.output {
        Some(path) => report::write_atomic(path, |w| write(w, false))
            .with_context(|| format!("{}: cannot write report", path.display()))?,
        None => {
            let stdout = io::stdout();
            let color = match out.color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            let mut lock = io::BufWriter::new(stdout.lock());
            write(&mut lock, color)?;
            lock.flush()?;
        }
    }
    Ok(())
}

/// Findings per rule, most frequent first: `count  rule  (high/medium/low)`.
pub(crate) fn rule_stats(findings: &[Finding]) -> String {
    let mut by_rule: std::collections::BTreeMap<&str, [usize; 3]> = Default::default();
    for f in findings {
        let slot = by_rule.entry(&f.rule_id).or_default();
        slot[match f.confidence {
            leakguard::rules::Confidence::High => 0,
            leakguard::rules::Confidence::Medium => 1,
            leakguard::rules::Confidence::Low => 2,
        }] += 1;
    }
    let mut rows: Vec<_> = by_rule.into_iter().collect();
    rows.sort_by_key(|(id, c)| (std::cmp::Reverse(c.iter().sum::<usize>()), *id));
    let mut out = String::from("findings by rule (high/medium/low confidence):\n");
    for (id, c) in rows {
        out.push_str(&format!(
            "{:>7}  {id}  ({}/{}/{})\n",
            c.iter().sum::<usize>(),
            c[0],
            c[1],
            c[2]
        ));
    }
    out
}

/// The one-line summary on stderr; `what` names the unit scanned ("files", "blobs").
pub(crate) fn summary(s: &StatsSnapshot, what: &str, findings: usize, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-6);
    let mb = s.bytes as f64 / 1e6;
    let mut line = format!(
        "leakguard: scanned {} {what} ({:.1} MB) in {:.2}s ({:.0} MB/s): {} finding{}",
        s.files,
        mb,
        secs,
        mb / secs,
        findings,
        if findings == 1 { "" } else { "s" }
    );
    if s.skipped > 0 {
        line.push_str(&format!(", {} skipped", s.skipped));
    }
    if s.excluded > 0 {
        line.push_str(&format!(", {} excluded", s.excluded));
    }
    if s.errors > 0 {
        line.push_str(&format!(", {} unreadable", s.errors));
    }
    line
}

/// Collects findings, policy skips and failures (the library's ready-made sink).
pub(crate) use leakguard::scan::sinks::Collect as CollectSink;

/// A progress bar on stderr, shown only on a terminal and only once a scan takes a moment.
pub(crate) struct Progress {
    done: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// A spinner on stderr after half a second: `N <what>, bytes, findings`, where `what`
    /// names the unit scanned (`files`, `blobs`).
    pub(crate) fn start(stats: &Arc<ScanStats>, what: &'static str, quiet: bool) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        if quiet || !io::stderr().is_terminal() {
            return Progress { done, handle: None };
        }
        let (stats, flag) = (stats.clone(), done.clone());
        let handle = std::thread::spawn(move || {
            let t0 = Instant::now();
            while t0.elapsed() < Duration::from_millis(500) {
                if flag.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            while !flag.load(Ordering::Relaxed) {
                let s = stats.snapshot(t0.elapsed());
                bar.set_message(format!(
                    "{} {what}, {}, {} findings",
                    s.files,
                    indicatif::HumanBytes(s.bytes),
                    s.findings
                ));
                bar.tick();
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        Progress { done, handle: Some(handle) }
    }

    pub(crate) fn finish(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
