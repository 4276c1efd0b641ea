//! Configuration of `leakguard serve` (TOML).
//!
//! Design decision: every knob has a safe production default, and relative paths are resolved
//! against the configuration file's directory (not the working directory), so a service unit
//! and a shell give the same result. Secrets are never inline in the file: the service token
//! comes from `auth_token_file` or `$LEAKGUARD_SERVICE_TOKEN`, the GitLab admin token from
//! `admin_token_file`. Unknown keys are errors, so a typo cannot silently disable a setting.
//!
//! ```
//! use leakguard::revoke::config::ServiceConfig;
//! let cfg = ServiceConfig::parse(r#"
//!     listen = "127.0.0.1:0"
//!     state_dir = "state"
//!     [[partners]]
//!     types = ["gitleaks_rule_id_aws"]
//!     url = "http://127.0.0.1:9/revoke"
//! "#, "/etc/leakguard/serve.toml".as_ref()).unwrap();
//! assert_eq!(cfg.state_dir, std::path::Path::new("/etc/leakguard/state"));
//! assert_eq!(cfg.revocable_types(), vec!["gitleaks_rule_id_aws".to_string()]);
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::Error;
use super::backoff::Backoff;

/// Environment variable that overrides `auth_token_file`.
pub const SERVICE_TOKEN_ENV: &str = "LEAKGUARD_SERVICE_TOKEN";

/// GitLab token types the built-in handler revokes without an admin token (a personal access
/// token can revoke itself).
pub const GITLAB_SELF_REVOCABLE: &[&str] = &[
    "gitleaks_rule_id_gitlab_personal_access_token",
    "gitleaks_rule_id_gitlab_personal_access_token_routable",
    "gitleaks_rule_id_gitlab_personal_access_token_routable_versioned",
];

/// Further GitLab token types the admin API (`DELETE /api/v4/admin/token`) revokes.
pub const GITLAB_ADMIN_REVOCABLE: &[&str] = &[
    "gitleaks_rule_id_gitlab_deploy_token",
    "gitleaks_rule_id_gitlab_runner_auth_token",
    "gitleaks_rule_id_gitlab_runner_auth_token_routable",
    "gitleaks_rule_id_gitlab_ci_build_token",
    "gitleaks_rule_id_gitlab_pipeline_trigger_token",
    "gitleaks_rule_id_gitlab_feed_token",
    "gitleaks_rule_id_gitlab_feed_token_v2",
    "gitleaks_rule_id_gitlab_oauth_app_secret",
    "gitleaks_rule_id_gitlab_incoming_email_token",
    "gitleaks_rule_id_gitlab_kubernetes_agent_token",
    "gitleaks_rule_id_gitlab_scim_oauth_token",
    "gitleaks_rule_id_gitlab_feature_flags_client_token",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    listen: Option<String>,
    auth_token_file: Option<PathBuf>,
    state_dir: Option<PathBuf>,
    max_body_bytes: Option<usize>,
    max_tokens_per_request: Option<usize>,
    #[serde(default)]
    rate_limit: RawRateLimit,
    #[serde(default)]
    dispatch: RawDispatch,
    #[serde(default)]
    outbox: RawOutbox,
    #[serde(default)]
    http: RawHttp,
    #[serde(default)]
    partners: Vec<RawPartner>,
    gitlab: Option<RawGitLab>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRateLimit {
    requests_per_second: Option<f64>,
    burst: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDispatch {
    batch_size: Option<usize>,
    max_attempts: Option<u32>,
    backoff_base_ms: Option<u64>,
    backoff_max_ms: Option<u64>,
    timeout_ms: Option<u64>,
    poll_interval_ms: Option<u64>,
    concurrency: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawOutbox {
    synchronous: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    header_read_timeout_ms: Option<u64>,
    body_read_timeout_ms: Option<u64>,
    shutdown_grace_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPartner {
    name: Option<String>,
    types: Vec<String>,
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGitLab {
    url: String,
    admin_token_file: Option<PathBuf>,
    types: Option<Vec<String>>,
}

/// Per-client rate limit (token bucket keyed by peer IP address).
#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    /// Sustained requests per second per client.
    pub requests_per_second: f64,
    /// Bucket size (requests allowed in a burst).
    pub burst: f64,
}

/// Partner dispatch settings.
#[derive(Clone, Copy, Debug)]
pub struct Dispatch {
    /// Tokens per partner request (≤ 100).
    pub batch_size: usize,
    /// Retry policy; `max_attempts` tries then dead letter.
    pub backoff: Backoff,
    /// Per-request timeout.
    pub timeout: Duration,
    /// How often the dispatcher looks for due rows when nothing wakes it.
    pub poll_interval: Duration,
    /// Partner requests in flight at once.
    pub concurrency: usize,
}

/// Connection limits of the HTTP server (`[http]`).
#[derive(Clone, Copy, Debug)]
pub struct Http {
    /// A request's headers must arrive within this long after the server starts reading them
    /// (this also closes idle keep-alive connections). Default 10 s.
    pub header_read_timeout: Duration,
    /// A request's body must arrive within this long after its headers; else `408` and the
    /// connection is closed. Default 30 s.
    pub body_read_timeout: Duration,
    /// On SIGTERM/ctrl-c, how long in-flight requests (and the dispatcher's current batch)
    /// may take before they are dropped and the process exits. Default 10 s.
    pub shutdown_grace: Duration,
}

impl Default for Http {
    fn default() -> Http {
        Http {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// One partner endpoint.
#[derive(Clone, Debug)]
pub struct Partner {
    /// Display name (defaults to the URL).
    pub name: String,
    /// Revocation type strings it handles.
    pub types: Vec<String>,
    /// Partner API URL.
    pub url: String,
}

/// The built-in GitLab handler.
#[derive(Clone, Debug)]
pub struct GitLab {
    /// Instance URL.
    pub url: String,
    /// Admin token file (enables `DELETE /api/v4/admin/token` for every GitLab token type).
    pub admin_token_file: Option<PathBuf>,
    /// Types routed to GitLab.
    pub types: Vec<String>,
}

/// A validated service configuration.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// The configuration file.
    pub path: PathBuf,
    /// Address to listen on.
    pub listen: String,
    /// File holding the service token (clients send it in `Authorization`).
    pub auth_token_file: Option<PathBuf>,
    /// Outbox database and signing keys.
    pub state_dir: PathBuf,
    /// Outbox durability (`[outbox] synchronous`).
    pub sync: super::outbox::Sync,
    /// Largest `POST /v1/revoke_tokens` body.
    pub max_body_bytes: usize,
    /// Most elements in one `POST /v1/revoke_tokens`.
    pub max_tokens_per_request: usize,
    /// Per-client rate limit.
    pub rate_limit: RateLimit,
    /// Dispatch settings.
    pub dispatch: Dispatch,
    /// HTTP server timeouts.
    pub http: Http,
    /// Partners.
    pub partners: Vec<Partner>,
    /// GitLab handler.
    pub gitlab: Option<GitLab>,
}

impl ServiceConfig {
    /// Reads and validates the file.
    pub fn load(path: &Path) -> Result<ServiceConfig, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        ServiceConfig::parse(&text, path)
    }

    /// Parses and validates `text`, resolving paths against `path`'s directory.
    pub fn parse(text: &str, path: &Path) -> Result<ServiceConfig, Error> {
        let bad = |msg: String| Error::Config { path: path.to_path_buf(), msg };
        let raw: Raw = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let d = raw.dispatch;
        let batch_size = d.batch_size.unwrap_or(100);
        if !(1..=100).contains(&batch_size) {
            return Err(bad("dispatch.batch_size must be 1..=100".into()));
        }
        let max_attempts = d.max_attempts.unwrap_or(10);
        if max_attempts == 0 {
            return Err(bad("dispatch.max_attempts must be at least 1".into()));
        }
        let rps = raw.rate_limit.requests_per_second.unwrap_or(50.0);
        let burst = raw.rate_limit.burst.unwrap_or(100.0);
        if !(rps > 0.0 && burst >= 1.0) {
            return Err(bad("rate_limit needs requests_per_second > 0 and burst >= 1".into()));
        }
        let sync = match raw.outbox.synchronous.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("full") => super::outbox::Sync::Full,
            Some("normal") => super::outbox::Sync::Normal,
            Some(other) => {
                return Err(bad(format!(
                    "outbox.synchronous must be \"full\" or \"normal\", not {other:?}"
                )));
            }
        };
        let ms = |v: Option<u64>, default: Duration, name: &str| match v {
            None => Ok(default),
            Some(0) => Err(bad(format!("http.{name} must be at least 1"))),
            Some(n) => Ok(Duration::from_millis(n)),
        };
        let dh = Http::default();
        let http = Http {
            header_read_timeout: ms(
                raw.http.header_read_timeout_ms,
                dh.header_read_timeout,
                "header_read_timeout_ms",
            )?,
            body_read_timeout: ms(
                raw.http.body_read_timeout_ms,
                dh.body_read_timeout,
                "body_read_timeout_ms",
            )?,
            shutdown_grace: ms(raw.http.shutdown_grace_ms, dh.shutdown_grace, "shutdown_grace_ms")?,
        };
        let mut partners = Vec::new();
        for p in raw.partners {
            if !(p.url.starts_with("http://") || p.url.starts_with("https://")) {
                return Err(bad(format!("partner url {:?} is not http(s)", p.url)));
            }
            if p.types.is_empty() {
                return Err(bad(format!("partner {:?} has no types", p.url)));
            }
            partners.push(Partner {
                name: p.name.unwrap_or_else(|| p.url.clone()),
                types: p.types,
                url: p.url,
            });
        }
        let gitlab = match raw.gitlab {
            None => None,
            Some(g) => {
                if !(g.url.starts_with("http://") || g.url.starts_with("https://")) {
                    return Err(bad(format!("gitlab url {:?} is not http(s)", g.url)));
                }
                let admin = g.admin_token_file.map(resolve);
                let types = g.types.unwrap_or_else(|| {
                    let mut t: Vec<String> =
                        GITLAB_SELF_REVOCABLE.iter().map(|s| s.to_string()).collect();
                    if admin.is_some() {
                        t.extend(GITLAB_ADMIN_REVOCABLE.iter().map(|s| s.to_string()));
                    }
                    t
                });
                Some(GitLab {
                    url: g.url.trim_end_matches('/').into(),
                    admin_token_file: admin,
                    types,
                })
            }
        };
        Ok(ServiceConfig {
            path: path.to_path_buf(),
            listen: raw.listen.unwrap_or_else(|| "127.0.0.1:8080".into()),
            auth_token_file: raw.auth_token_file.map(resolve),
            state_dir: resolve(raw.state_dir.unwrap_or_else(|| PathBuf::from("state"))),
            sync,
            max_body_bytes: raw.max_body_bytes.unwrap_or(1 << 20),
            max_tokens_per_request: raw.max_tokens_per_request.unwrap_or(1000),
            rate_limit: RateLimit { requests_per_second: rps, burst },
            dispatch: Dispatch {
                batch_size,
                backoff: Backoff {
                    base: Duration::from_millis(d.backoff_base_ms.unwrap_or(1000)),
                    max: Duration::from_millis(d.backoff_max_ms.unwrap_or(600_000)),
                    max_attempts,
                    max_retry_after: Duration::from_secs(3600),
                },
                timeout: Duration::from_millis(d.timeout_ms.unwrap_or(10_000)),
                poll_interval: Duration::from_millis(d.poll_interval_ms.unwrap_or(1000).max(10)),
                concurrency: d.concurrency.unwrap_or(8).max(1),
            },
            http,
            partners,
            gitlab,
        })
    }

    /// Every type the service accepts, sorted.
    pub fn revocable_types(&self) -> Vec<String> {
        let mut set = BTreeSet::new();
        for p in &self.partners {
            set.extend(p.types.iter().cloned());
        }
        if let Some(g) = &self.gitlab {
            set.extend(g.types.iter().cloned());
        }
        set.into_iter().collect()
    }

    /// The outbox database file.
    pub fn outbox_path(&self) -> PathBuf {
        self.state_dir.join("outbox.sqlite")
    }

    /// The service token: `$LEAKGUARD_SERVICE_TOKEN`, else `auth_token_file` (trimmed).
    pub fn service_token(&self) -> Result<String, Error> {
        if let Ok(t) = std::env::var(SERVICE_TOKEN_ENV) {
            if !t.trim().is_empty() {
                return Ok(t.trim().to_string());
            }
        }
        let Some(p) = &self.auth_token_file else {
            return Err(Error::Config {
                path: self.path.clone(),
                msg: format!("no auth_token_file and ${SERVICE_TOKEN_ENV} is not set"),
            });
        };
        read_secret(p)
    }
}

/// Reads a secret from a file, trimming surrounding whitespace; empty files are errors.
pub fn read_secret(path: &Path) -> Result<String, Error> {
    let t = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let t = t.trim();
    if t.is_empty() {
        return Err(Error::Config { path: path.to_path_buf(), msg: "secret file is empty".into() });
    }
    Ok(t.to_string())
}
