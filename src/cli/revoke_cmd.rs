//! `leakguard classify`, `revoke`, `serve`, `keys` and `partner`: command-line glue over
//! `leakguard::revoke`. Everything that talks to the network or the outbox is in the library;
//! this file parses arguments, resolves secrets from files and environment, prints, and picks
//! exit codes (0 all done, 1 something rejected or left pending, 2 error).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use leakguard::revoke::backoff::Backoff;
use leakguard::revoke::classify::{Classification, Classifier, read_report, write_flags};
use leakguard::revoke::client::{Client, ClientOptions};
use leakguard::revoke::config::{ServiceConfig, read_secret};
use leakguard::revoke::keys::KeyStore;
use leakguard::revoke::outbox::{NewItem, Outbox, default_path};
use leakguard::revoke::{Error as RevokeError, partner, redact, service};

use super::RuleArgs;
use super::config::load_rules;

/// Environment variable holding the Token Revocation API token (client side).
const CLIENT_TOKEN_ENV: &str = "LEAKGUARD_REVOCATION_TOKEN";
/// Test-only hook: sleep this many milliseconds between writing the outbox and sending, so an
/// integration test can `kill -9` the client at exactly that point. Not for production use.
const TEST_PAUSE_ENV: &str = "LEAKGUARD_TEST_PAUSE_AFTER_ENQUEUE_MS";

/// Options shared by `classify` and `revoke`.
#[derive(Args, Debug)]
pub(crate) struct ClassifyOptions {
    #[command(flatten)]
    rules: RuleArgs,
    /// Project URL (e.g. https://gitlab.example.com/group/repo): locations become raw-file
    /// URLs `<url>/-/raw/<sha>/<path>`. Defaults to $CI_PROJECT_URL.
    #[arg(long, value_name = "URL", env = "CI_PROJECT_URL")]
    project_url: Option<String>,
    /// Do not revoke tokens found only in likely test fixtures and examples.
    #[arg(long)]
    skip_likely_test: bool,
    /// Only tokens the report's live validation found active (`scan --validate`); a report
    /// without validation results is refused rather than taken as "none are active".
    #[arg(long)]
    only_active: bool,
    /// Validate the report's tokens now (read-only requests to each provider, as
    /// `scan --validate`; no persistent cache) before classifying; with --only-active, keep
    /// those found active.
    #[cfg(feature = "validate")]
    #[arg(long)]
    validate: bool,
    /// With --validate: send RULE_OR_HOST's requests to URL instead (as on `scan`).
    #[cfg(feature = "validate")]
    #[arg(long, value_name = "KEY=URL", requires = "validate",
          value_parser = super::scan_cmd::parse_endpoint)]
    validate_endpoint: Vec<(String, String)>,
}

#[derive(Args, Debug)]
pub(crate) struct ClassifyArgs {
    /// Report written by leakguard (GitLab, JSON Lines or SARIF; detected).
    report: PathBuf,
    #[command(flatten)]
    opts: ClassifyOptions,
    /// Ask this Token Revocation API which types it revokes (needs a token).
    #[arg(long, value_name = "URL")]
    api: Option<String>,
    /// File holding the API token (else $LEAKGUARD_REVOCATION_TOKEN).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Write the GitLab report to OUT with `flagged-as-likely-false-positive` flags on
    /// likely test fixtures.
    #[arg(long, value_name = "OUT")]
    write_flags: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub(crate) struct RevokeArgs {
    /// Report to revoke the findings of (GitLab, JSON Lines or SARIF).
    #[arg(long, value_name = "FILE", required_unless_present = "resume")]
    report: Option<PathBuf>,
    /// Token Revocation API base URL (without /v1/...).
    #[arg(long, value_name = "URL")]
    api: String,
    /// File holding the API token (else $LEAKGUARD_REVOCATION_TOKEN).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Outbox database (default: $XDG_STATE_HOME/leakguard/outbox.sqlite).
    #[arg(long, value_name = "PATH")]
    outbox: Option<PathBuf>,
    /// Send what an earlier, interrupted run left pending (no --report needed).
    #[arg(long)]
    resume: bool,
    /// Show what would be sent (tokens redacted); send and record nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    opts: ClassifyOptions,
    /// Attempts per batch before leaving it pending.
    #[arg(long, value_name = "N", default_value_t = 6)]
    max_attempts: u32,
    /// First retry delay in milliseconds (doubles per attempt, with jitter).
    #[arg(long, value_name = "MS", default_value_t = 500)]
    backoff_base_ms: u64,
    /// Largest retry delay in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    backoff_max_ms: u64,
    /// Per-request timeout in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    timeout: u64,
    /// Tokens per request (at most 100).
    #[arg(long, value_name = "N", default_value_t = 100)]
    batch_size: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ServeArgs {
    #[command(subcommand)]
    command: Option<ServeCommand>,
    /// Service configuration (TOML).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum ServeCommand {
    /// Show the outbox: counts per state, dead letters, permanent failures.
    Status {
        /// Service configuration (TOML).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum KeysCommand {
    /// Make a new current signing key; old keys stay published.
    Rotate {
        /// Service configuration (TOML).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// List the published public keys.
    List {
        /// Service configuration (TOML).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum PartnerCommand {
    /// Verify one signed Partner API request body.
    Verify {
        /// The service's public keys URL (…/v1/public_keys).
        #[arg(long, value_name = "URL")]
        public_keys: String,
        /// File with the exact request body bytes.
        #[arg(long, value_name = "FILE")]
        body: PathBuf,
        /// Value of Gitlab-Public-Key-Identifier.
        #[arg(long, value_name = "ID")]
        key_id: String,
        /// Value of Gitlab-Public-Key-Signature.
        #[arg(long, value_name = "SIG")]
        signature: String,
    },
    /// Run a minimal example partner receiver that verifies and records requests.
    Serve {
        /// The service's public keys URL (…/v1/public_keys).
        #[arg(long, value_name = "URL")]
        public_keys: String,
        /// Address to listen on (port 0 picks one; the address is printed).
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
        listen: String,
        /// JSON Lines file recording every request (token hashes, never tokens).
        #[arg(long, value_name = "FILE")]
        record: PathBuf,
    },
}

/// `println!` that returns the I/O error instead of panicking (a closed pipe exits 0).
macro_rules! outln {
    ($($arg:tt)*) => {
        writeln!(std::io::stdout(), $($arg)*)?
    };
}

fn runtime(multi: bool) -> Result<tokio::runtime::Runtime> {
    let mut b = if multi {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    b.enable_all().build().context("starting the async runtime")
}

fn client_token(file: Option<&Path>) -> Result<Option<String>> {
    if let Some(f) = file {
        return Ok(Some(read_secret(f)?));
    }
    Ok(std::env::var(CLIENT_TOKEN_ENV).ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
}

fn classify_report(
    path: &Path,
    opts: &ClassifyOptions,
    api_types: Option<Vec<String>>,
) -> Result<(Classification, Vec<u8>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let (format, mut findings) = read_report(&bytes, path)?;
    #[cfg(feature = "validate")]
    if opts.validate {
        validate_report(&mut findings, opts)?;
    }
    if opts.only_active {
        if !findings.is_empty() && findings.iter().all(|f| f.validation.is_none()) {
            bail!(
                "{}: --only-active needs a report with validation results (scan with --validate)",
                path.display()
            );
        }
        let before = findings.len();
        findings.retain(|f| f.validation.as_deref() == Some("active"));
        eprintln!("--only-active: {} of {before} finding(s) were validated active", findings.len());
    }
    let rules = load_rules(&opts.rules, None)?;
    let mut c = Classifier::new();
    c.rules(rules.rules)
        .project_url(opts.project_url.clone())
        .skip_likely_test(opts.skip_likely_test);
    if let Some(t) = api_types {
        c.api_types(t);
    }
    Ok((c.classify(format, findings), bytes))
}

/// `classify --validate`: asks each token's provider now and records the status on the
/// findings, as if the report had been written by `scan --validate`.
#[cfg(feature = "validate")]
fn validate_report(
    findings: &mut [leakguard::revoke::classify::ReportFinding],
    opts: &ClassifyOptions,
) -> Result<()> {
    use leakguard::validate::{Item, Options, Validator};
    let rules = load_rules(&opts.rules, None)?;
    let v =
        Validator::new(Options { endpoints: opts.validate_endpoint.clone(), ..Default::default() });
    let items: Vec<Item<'_>> = findings
        .iter()
        .map(|f| Item {
            rule_id: &f.identifier_value,
            secret: &f.token,
            path: &f.path,
            commit: f.commit.as_deref().unwrap_or(""),
        })
        .collect();
    let results = v.validate_items(&items, &rules.rules);
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for (f, r) in findings.iter_mut().zip(&results) {
        *counts.entry(r.status.as_str()).or_default() += 1;
        f.validation = Some(r.status.as_str().to_string());
    }
    let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    eprintln!("validation: {} request(s); findings: {}", v.requests(), counts.join(", "));
    Ok(())
}

fn print_classification(c: &Classification, json: bool) -> Result<()> {
    let mut out = String::new();
    if json {
        let targets: Vec<_> = c
            .targets
            .iter()
            .map(|t| {
                serde_json::json!({
                    "type": t.revocation_type, "key": t.key, "location": t.location,
                    "findings": t.findings, "likely_test": t.likely_test,
                    "token_redacted": redact(&t.token),
                })
            })
            .collect();
        out = serde_json::json!({"format": c.format, "findings": c.findings, "targets": targets})
            .to_string();
        out.push('\n');
    } else {
        let revocable = c.findings.iter().filter(|f| f.revocable).count();
        out.push_str(&format!(
            "{} finding(s), {revocable} revocable, {} revocation target(s) after dedup\n",
            c.findings.len(),
            c.targets.len()
        ));
        for f in &c.findings {
            out.push_str(&format!(
                "{:<13} {:<55} {}:{}  {}  {}{}\n",
                if f.revocable { "revocable" } else { "not-revocable" },
                f.revocation_type,
                f.path,
                f.start_line,
                f.confidence,
                f.token_redacted,
                f.likely_test
                    .as_deref()
                    .map(|r| format!("  [likely test: {r}]"))
                    .unwrap_or_default()
            ));
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}

pub(crate) fn classify(args: ClassifyArgs) -> Result<i32> {
    let api_types = match &args.api {
        None => None,
        Some(api) => {
            let token = client_token(args.token_file.as_deref())?
                .with_context(|| format!("--api needs --token-file or ${CLIENT_TOKEN_ENV}"))?;
            let client = Client::new(ClientOptions {
                api: api.clone(),
                token,
                backoff: Backoff::default(),
                batch_size: 100,
                timeout: Duration::from_secs(30),
            })?;
            Some(runtime(false)?.block_on(client.revocable_types())?)
        }
    };
    let (c, bytes) = classify_report(&args.report, &args.opts, api_types)?;
    if let Some(out) = &args.write_flags {
        if c.format != leakguard::revoke::classify::ReportFormat::Gitlab {
            bail!("--write-flags needs a GitLab report; {} is not one", args.report.display());
        }
        let mut v: serde_json::Value = serde_json::from_slice(&bytes)?;
        let n = write_flags(&mut v, &c, out)?;
        eprintln!("wrote {} ({n} finding(s) flagged as likely false positives)", out.display());
    }
    print_classification(&c, args.json)?;
    Ok(0)
}

pub(crate) fn revoke(args: RevokeArgs) -> Result<i32> {
    let token = client_token(args.token_file.as_deref())?;
    let make_client = |token: String| {
        Client::new(ClientOptions {
            api: args.api.clone(),
            token,
            backoff: Backoff {
                base: Duration::from_millis(args.backoff_base_ms),
                max: Duration::from_millis(args.backoff_max_ms.max(args.backoff_base_ms)),
                max_attempts: args.max_attempts.max(1),
                max_retry_after: Duration::from_secs(300),
            },
            batch_size: args.batch_size,
            timeout: Duration::from_secs(args.timeout.max(1)),
        })
    };
    let rt = runtime(false)?;
    if args.dry_run {
        let Some(report) = &args.report else { bail!("--dry-run needs --report") };
        let types = match token {
            Some(t) => Some(rt.block_on(make_client(t)?.revocable_types())?),
            None => None,
        };
        let (c, _) = classify_report(report, &args.opts, types)?;
        let mut out = format!("dry run: would send {} token(s) to {}\n", c.targets.len(), args.api);
        for t in &c.targets {
            out.push_str(&format!(
                "  {}  {}  {}\n",
                t.revocation_type,
                t.location,
                redact(&t.token)
            ));
        }
        std::io::stdout().write_all(out.as_bytes())?;
        return Ok(0);
    }
    let token = token.with_context(|| format!("needs --token-file or ${CLIENT_TOKEN_ENV}"))?;
    let client = make_client(token)?;
    let outbox_path = args.outbox.clone().unwrap_or_else(default_path);
    let mut outbox = Outbox::open(&outbox_path)?;
    if let Some(report) = &args.report {
        let types = rt.block_on(client.revocable_types())?;
        let (c, _) = classify_report(report, &args.opts, Some(types))?;
        let items: Vec<NewItem> = c
            .targets
            .iter()
            .map(|t| NewItem::new(client.destination(), &t.revocation_type, &t.token, &t.location))
            .collect();
        let new = outbox.enqueue(&items)?;
        eprintln!(
            "queued {new} new revocation(s) of {} target(s) in {}",
            items.len(),
            outbox_path.display()
        );
        if let Some(ms) = std::env::var(TEST_PAUSE_ENV).ok().and_then(|v| v.parse::<u64>().ok()) {
            eprintln!("test hook: pausing {ms} ms after enqueue");
            std::thread::sleep(Duration::from_millis(ms));
        }
    }
    let summary = match rt.block_on(client.drain(&mut outbox)) {
        Ok(s) => s,
        Err(RevokeError::Unauthorized(msg)) => {
            bail!("{msg}; nothing was marked sent, `leakguard revoke --resume` retries")
        }
        Err(e) => return Err(e.into()),
    };
    let line = if args.json {
        serde_json::to_string(&summary)?
    } else {
        format!(
            "revoke: sent {}, accepted {}, rejected {}, pending {}{}",
            summary.sent,
            summary.accepted,
            summary.rejected,
            summary.pending,
            summary.stopped.as_deref().map(|s| format!(" (stopped: {s})")).unwrap_or_default()
        )
    };
    outln!("{line}");
    Ok(if summary.rejected > 0 || summary.pending > 0 { 1 } else { 0 })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

pub(crate) fn serve(args: ServeArgs) -> Result<i32> {
    match args.command {
        Some(ServeCommand::Status { config, json }) => {
            let cfg = ServiceConfig::load(&config)?;
            let st = service::status(&cfg)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&st)?);
            } else {
                let o = st.outbox;
                outln!(
                    "outbox {}: pending {}, done {}, failed {}, dead {}",
                    cfg.outbox_path().display(),
                    o.pending,
                    o.done,
                    o.failed,
                    o.dead
                );
                for (label, rows) in [("dead letter", &st.dead_letters), ("failed", &st.failed)] {
                    for r in rows {
                        outln!(
                            "{label}: {} key {} -> {} after {} attempt(s): {}",
                            r.revocation_type,
                            r.key.get(..16).unwrap_or(&r.key),
                            r.destination,
                            r.attempts,
                            r.last_error.as_deref().unwrap_or("")
                        );
                    }
                }
                for r in &st.recent {
                    outln!(
                        "done: {} key {} -> {}: {}",
                        r.revocation_type,
                        r.key.get(..16).unwrap_or(&r.key),
                        r.destination,
                        r.outcome.as_deref().unwrap_or("")
                    );
                }
            }
            Ok(0)
        }
        None => {
            let Some(config) = args.config else { bail!("serve needs --config FILE") };
            let cfg = ServiceConfig::load(&config)?;
            let rt = runtime(true)?;
            rt.block_on(async {
                let listener = tokio::net::TcpListener::bind(&cfg.listen)
                    .await
                    .with_context(|| format!("binding {}", cfg.listen))?;
                let addr = listener.local_addr()?;
                let (types, state) = (cfg.revocable_types().len(), cfg.state_dir.clone());
                // keys, token, outbox and routes must all be valid before we say "listening"
                let svc = service::Service::start(cfg)
                    .with_context(|| format!("starting the service from {}", config.display()))?;
                eprintln!(
                    "leakguard serve: listening on http://{addr} ({types} revocable type(s), state in {})",
                    state.display()
                );
                svc.run(listener, shutdown_signal()).await?;
                eprintln!("leakguard serve: stopped");
                Ok::<_, anyhow::Error>(0)
            })
        }
    }
}

pub(crate) fn keys(cmd: KeysCommand) -> Result<i32> {
    let (KeysCommand::Rotate { config } | KeysCommand::List { config }) = &cmd;
    let cfg = ServiceConfig::load(config)?;
    let store = KeyStore::open(&cfg.state_dir)?;
    if let KeysCommand::Rotate { .. } = cmd {
        let id = store.rotate()?;
        outln!("new current key {id}");
    }
    for k in store.public_keys()? {
        outln!("{}{}", k.key_identifier, if k.is_current { "  (current)" } else { "" });
    }
    Ok(0)
}

pub(crate) fn partner(cmd: PartnerCommand) -> Result<i32> {
    match cmd {
        PartnerCommand::Verify { public_keys, body, key_id, signature } => {
            let bytes =
                std::fs::read(&body).with_context(|| format!("reading {}", body.display()))?;
            let http = reqwest::Client::new();
            let keys = runtime(false)?.block_on(partner::fetch_public_keys(&http, &public_keys))?;
            match partner::verify(&keys, &key_id, &signature, &bytes) {
                Ok(()) => {
                    outln!("signature OK (key {key_id})");
                    Ok(0)
                }
                Err(e) => {
                    outln!("signature INVALID: {e}");
                    Ok(1)
                }
            }
        }
        PartnerCommand::Serve { public_keys, listen, record } => runtime(true)?.block_on(async {
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("binding {listen}"))?;
            eprintln!("leakguard partner: listening on http://{}", listener.local_addr()?);
            let opts = partner::ReceiverOptions {
                public_keys_url: public_keys,
                record,
                max_body_bytes: 4 << 20,
            };
            partner::serve_receiver(listener, opts, shutdown_signal()).await?;
            Ok(0)
        }),
    }
}
