//! Argument parsing, configuration resolution and exit codes.
//!
//! Design decision: configuration precedence is flags > environment (`LEAKGUARD_*`, GitLab's
//! `SECRET_DETECTION_*`, gitleaks' `GITLEAKS_CONFIG`) > files found in the scan root, and
//! every subcommand returns an [`ExitCode`]-like integer so `main` has exactly one exit
//! point: 0 clean, 1 findings (configurable), 2 usage or fatal errors. A closed stdout
//! (`leakguard scan | head`) is not an error.

mod config;
#[cfg(feature = "git")]
mod git_cmd;
#[cfg(feature = "git")]
mod hook_cmd;
#[cfg(feature = "revoke")]
mod revoke_cmd;
mod rules_cmd;
mod scan_cmd;

use clap::{Args, Parser, Subcommand};

/// Exit code for usage and fatal errors, and for incomplete scans.
pub(crate) const EXIT_ERROR: i32 = 2;

/// Most worker threads any subcommand starts: more only adds memory (each worker keeps its
/// own regex caches and buffers) on any machine this runs on.
pub(crate) const MAX_THREADS: usize = 256;

/// `--threads`: default all cores but at most `default_max`, clamped to 1..=[`MAX_THREADS`].
pub(crate) fn threads(flag: Option<usize>, default_max: usize) -> usize {
    flag.unwrap_or_else(|| num_cpus::get().min(default_max)).clamp(1, MAX_THREADS)
}

#[derive(Parser, Debug)]
#[command(
    name = "leakguard",
    version,
    about = "Find leaked credentials fast, report them, and get them revoked."
)]
#[command(propagate_version = true, max_term_width = 100)]
struct Cli {
    /// Log verbosity (-v debug, -vv trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan files and directory trees.
    Scan(Box<scan_cmd::ScanArgs>),
    /// Scan git history (all refs, a range, or incrementally with a cache) or staged changes.
    #[cfg(feature = "git")]
    Git(Box<git_cmd::GitArgs>),
    /// Git hooks: pre-commit (staged changes) and pre-receive (pushed objects).
    #[cfg(feature = "git")]
    #[command(subcommand)]
    Hook(hook_cmd::HookCommand),
    /// List or check rules.
    #[command(subcommand)]
    Rules(rules_cmd::RulesCommand),
    /// Classify a report's findings for revocation (type, revocable, likely test fixture).
    #[cfg(feature = "revoke")]
    Classify(revoke_cmd::ClassifyArgs),
    /// Send a report's revocable tokens to a Token Revocation API, through a durable outbox.
    #[cfg(feature = "revoke")]
    Revoke(revoke_cmd::RevokeArgs),
    /// Run the Token Revocation API service (`serve status` shows its outbox).
    #[cfg(feature = "revoke")]
    Serve(revoke_cmd::ServeArgs),
    /// Manage the service's Partner API signing keys.
    #[cfg(feature = "revoke")]
    #[command(subcommand)]
    Keys(revoke_cmd::KeysCommand),
    /// Partner-side tools: verify signed requests, run an example receiver.
    #[cfg(feature = "revoke")]
    #[command(subcommand)]
    Partner(revoke_cmd::PartnerCommand),
    /// Print a shell completion script (e.g. `leakguard completions bash >
    /// /usr/share/bash-completion/completions/leakguard`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): `leakguard man > leakguard.1`, `leakguard man scan >
    /// leakguard-scan.1`.
    Man {
        /// A subcommand's page instead of the top-level one.
        subcommand: Option<String>,
    },
}

/// Options that choose the rule set, shared by subcommands.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct RuleArgs {
    /// Rule configuration (gitleaks format, may `[extend] useDefault = true`). Defaults to
    /// $LEAKGUARD_CONFIG, $GITLEAKS_CONFIG, $GITLEAKS_CONFIG_TOML, then `.gitleaks.toml` in
    /// the (first) scan root, then the built-in rules.
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Custom GitLab personal access token prefix of your instance (besides `glpat-`).
    #[arg(long, value_name = "PREFIX", env = "LEAKGUARD_GITLAB_PAT_PREFIX")]
    pub gitlab_pat_prefix: Option<String>,
}

/// Parses `60s`, `500ms`, `2m`, `1h` or a plain number of seconds.
#[cfg(any(feature = "git", feature = "validate"))]
pub(crate) fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("\"{s}\" is not a duration"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        u => return Err(format!("unknown duration unit \"{u}\" (use ms, s, m, h)")),
    };
    std::time::Duration::try_from_secs_f64(secs).map_err(|e| format!("\"{s}\": {e}"))
}

/// Parses arguments, runs the command, and returns the process exit code.
pub(crate) fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    init_logging(cli.verbose);
    let result = match cli.command {
        Command::Scan(args) => scan_cmd::run(*args),
        #[cfg(feature = "git")]
        Command::Git(args) => git_cmd::run(*args),
        #[cfg(feature = "git")]
        Command::Hook(cmd) => hook_cmd::run(cmd),
        Command::Rules(cmd) => rules_cmd::run(cmd),
        #[cfg(feature = "revoke")]
        Command::Classify(args) => revoke_cmd::classify(args),
        #[cfg(feature = "revoke")]
        Command::Revoke(args) => revoke_cmd::revoke(args),
        #[cfg(feature = "revoke")]
        Command::Serve(args) => revoke_cmd::serve(args),
        #[cfg(feature = "revoke")]
        Command::Keys(cmd) => revoke_cmd::keys(cmd),
        #[cfg(feature = "revoke")]
        Command::Partner(cmd) => revoke_cmd::partner(cmd),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "leakguard", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man { subcommand } => man(subcommand.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return 0;
            }
            eprintln!("leakguard: error: {err:#}");
            EXIT_ERROR
        }
    }
}

/// Man pages from the same clap definitions as `--help`, so they cannot drift: `leakguard.1`,
/// or with a subcommand name `leakguard-<name>.1` (git's layout).
fn man(subcommand: Option<&str>) -> anyhow::Result<i32> {
    use std::io::Write;
    let cmd = <Cli as clap::CommandFactory>::command();
    let page = match subcommand {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let names: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                anyhow::bail!("no subcommand \"{name}\" (one of: {})", names.join(", "));
            };
            let full = format!("leakguard-{name}");
            sub.clone().name(full.clone()).display_name(full).version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    clap_mangen::Man::new(page).render(&mut out)?;
    out.flush()?;
    Ok(0)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "leakguard=debug",
        _ => "leakguard=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
