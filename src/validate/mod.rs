//! Live validation: ask a secret's provider whether it is active, safely and only when asked.
//!
//! Design decision: a validator is data, declared on its rule (`verify = 'GET URL bearer'`,
//! see [`Spec`]), not code per provider, and the request it may make is constrained by
//! construction:
//!
//! * **read-only**: only `GET` and `HEAD`; nothing is ever posted (a webhook URL is never
//!   called);
//! * **fixed host**: the host is part of the rule's URL template and can only be replaced by
//!   an explicit `--validate-endpoint KEY=URL` (rule id or the template's host as the key),
//!   never by anything taken from the scanned content; the secret goes only into the path,
//!   the query or a header, percent-encoded in the URL;
//! * **no redirects** are followed (a 3xx is `unknown`); TLS is verified against the webpki
//!   roots; `HTTPS_PROXY` is honoured;
//! * **bounded**: each distinct (rule, secret) is asked once per run, a per-run request cap
//!   and a per-request timeout apply, and requests run on a small thread pool;
//! * **honest**: `unknown` (429, 5xx, timeout, no network, redirect) is never counted as
//!   inactive, and a rule without a validator is `unverifiable`, not a guess;
//! * **quiet**: the secret never appears in logs, errors or the summary.
//!
//! The client is `ureq` (blocking, rustls): a scan that validates nothing never starts it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};

pub mod sigv4;

use crate::finding::{Finding, Validation, ValidationStatus};
use crate::rules::RuleSet;

/// How a validator presents the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Auth {
    /// Only in the URL (`{secret}` in the path or query).
    None,
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// `Authorization: token <secret>` (GitHub's classic form).
    Token,
    /// HTTP Basic with the secret as the user name and an empty password.
    Basic,
    /// The secret as the value of this header.
    Header(String),
}

/// A parsed `verify` declaration:
/// `METHOD URL [bearer|token|basic|header=NAME] [active=CODES] [inactive=CODES]
/// [identity=/json/pointer] [ok=/json/pointer]`.
///
/// `URL` is `https://host/path?query` with `{secret}` where the key goes (path or query
/// only). `CODES` are comma-separated status codes; by default 2xx is active and 401 and 403
/// are inactive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    method: &'static str,
    /// `scheme://host[:port]` of the template.
    origin: String,
    /// Path and query of the template (starts with `/`).
    path: String,
    auth: Auth,
    active: Vec<u16>,
    inactive: Vec<u16>,
    identity: Option<String>,
    /// A JSON pointer that must be `true` in a 2xx answer for the secret to be active
    /// (Slack answers 200 with `{"ok": false}` for a revoked token).
    ok: Option<String>,
}

impl Spec {
    /// Parses a declaration; the error says what is wrong without quoting any secret (a
    /// declaration holds none).
    pub fn parse(text: &str) -> Result<Spec, String> {
        let mut words = text.split_whitespace();
        let method = match words.next() {
            Some("GET") => "GET",
            Some("HEAD") => "HEAD",
            Some(other) => {
                return Err(format!("method {other}: only GET and HEAD (validation is read-only)"));
            }
            None => return Err("empty".into()),
        };
        let url = words.next().ok_or("no URL")?;
        let rest = url.strip_prefix("https://").ok_or("the URL must be https://")?;
        let (host, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty() || host.contains(['{', '}', '@']) {
            return Err("the host must be fixed (no `{...}`, no user info)".into());
        }
        let path = if path.starts_with('?') { format!("/{path}") } else { path.to_string() };
        let mut spec = Spec {
            method,
            origin: format!("https://{host}"),
            path,
            auth: Auth::None,
            active: Vec::new(),
            inactive: vec![401, 403],
            identity: None,
            ok: None,
        };
        let codes = |v: &str| -> Result<Vec<u16>, String> {
            v.split(',')
                .map(|c| c.trim().parse::<u16>().map_err(|_| format!("bad status code {c:?}")))
                .collect()
        };
        for w in words {
            match w.split_once('=') {
                None if w == "bearer" => spec.auth = Auth::Bearer,
                None if w == "token" => spec.auth = Auth::Token,
                None if w == "basic" => spec.auth = Auth::Basic,
                Some(("header", name)) if !name.is_empty() => spec.auth = Auth::Header(name.into()),
                Some(("active", v)) => spec.active = codes(v)?,
                Some(("inactive", v)) => spec.inactive = codes(v)?,
                Some(("identity", v)) if v.starts_with('/') => spec.identity = Some(v.into()),
                Some(("ok", v)) if v.starts_with('/') => spec.ok = Some(v.into()),
                _ => return Err(format!("unknown option {w:?}")),
            }
        }
        if spec.auth == Auth::None && !spec.path.contains("{secret}") {
            return Err("the secret goes nowhere: add {secret} to the URL or an auth option".into());
        }
        Ok(spec)
    }

    /// The template's host (a `--validate-endpoint` key).
    pub fn host(&self) -> &str {
        self.origin.trim_start_matches("https://")
    }

    fn status(&self, code: u16) -> ValidationStatus {
        let active = if self.active.is_empty() {
            (200..300).contains(&code)
        } else {
            self.active.contains(&code)
        };
        if active {
            ValidationStatus::Active
        } else if self.inactive.contains(&code) {
            ValidationStatus::Inactive
        } else {
            ValidationStatus::Unknown
        }
    }
}

/// A rule's check: a declarative HTTP request, or one of the built-in checks that need code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// See [`Spec`].
    Http(Spec),
    /// `aws-sts`: the AWS key id and secret access key found in the same file, together,
    /// through STS `GetCallerIdentity` signed with SigV4 (read-only; needs no permission).
    AwsSts,
}

impl Check {
    /// Parses a rule's `verify` declaration.
    pub fn parse(text: &str) -> Result<Check, String> {
        match text.trim() {
            "aws-sts" => Ok(Check::AwsSts),
            other => Spec::parse(other).map(Check::Http),
        }
    }
}

/// The STS endpoint; a `--validate-endpoint` key.
const STS_HOST: &str = "sts.amazonaws.com";

/// Whether `s` looks like an AWS access key id (20 upper-case letters and digits).
fn is_aws_key_id(s: &str) -> bool {
    s.len() == 20 && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Percent-encodes everything but unreserved characters (RFC 3986): secrets in URLs, and
/// SigV4's canonical query.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Validation settings (`--validate-*`).
#[derive(Clone, Debug)]
pub struct Options {
    /// `KEY=URL` overrides: KEY is a rule id or a template host; URL replaces the template's
    /// origin (and is prepended to its path), e.g. `api.github.com=https://ghe.example/api/v3`.
    pub endpoints: Vec<(String, String)>,
    /// Most requests sent in one run; past it, findings are `unknown`.
    pub max_requests: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// The longest a provider's `Retry-After` is waited for (once per request); longer, and
    /// the secret is `unknown`.
    pub max_retry_wait: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            endpoints: Vec::new(),
            max_requests: 1000,
            timeout: Duration::from_secs(10),
            concurrency: 32,
            max_retry_wait: Duration::from_secs(5),
        }
    }
}

/// One finding to validate, by reference.
#[derive(Clone, Copy, Debug)]
pub struct Item<'a> {
    /// The rule that found it (its `verify` is the check).
    pub rule_id: &'a str,
    /// The secret.
    pub secret: &'a str,
    /// Where it was found: findings of one path and commit pair up (AWS key pairs).
    pub path: &'a str,
    /// The commit, or empty.
    pub commit: &'a str,
}

/// Requests and answers per provider host, for the run's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostStats {
    /// Requests sent.
    pub requests: usize,
    /// Answers by status.
    pub active: usize,
    /// See `active`.
    pub inactive: usize,
    /// See `active`.
    pub unknown: usize,
}

/// The validating client for one run.
pub struct Validator {
    agent: ureq::Agent,
    opts: Options,
    sent: AtomicUsize,
    /// sha256(rule, secret) → result: each distinct secret is asked once per run.
    /// One cell per key, filled by the first thread that asks; the others wait for it.
    memo: Mutex<HashMap<[u8; 32], std::sync::Arc<std::sync::OnceLock<Validation>>>>,
    stats: Mutex<BTreeMap<String, HostStats>>,
    /// Per host: no request before this instant (set by a 429's `Retry-After`).
    not_before: Mutex<HashMap<String, std::time::Instant>>,
    /// Answers from earlier runs still within their time to live, and this run's new ones.
    cache: Option<Mutex<Cache>>,
    cache_hits: AtomicUsize,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator").field("sent", &self.sent.load(Ordering::Relaxed)).finish()
    }
}

impl Validator {
    /// A client with these options: no redirects, verified TLS, proxy from the environment.
    pub fn new(opts: Options) -> Validator {
        let config = ureq::Agent::config_builder()
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .timeout_global(Some(opts.timeout))
            .proxy(ureq::Proxy::try_from_env())
            .user_agent(concat!("leakguard/", env!("CARGO_PKG_VERSION"), " (secret validation)"))
            .build();
        Validator {
            agent: config.into(),
            opts,
            sent: AtomicUsize::new(0),
            memo: Mutex::new(HashMap::new()),
            stats: Mutex::new(BTreeMap::new()),
            not_before: Mutex::new(HashMap::new()),
            cache: None,
            cache_hits: AtomicUsize::new(0),
        }
    }

    /// Uses (and at [`Validator::save_cache`], updates) a persistent cache: answers younger
    /// than its time to live are not asked again.
    pub fn with_cache(mut self, cache: Cache) -> Validator {
        self.cache = Some(Mutex::new(cache));
        self
    }

    /// Writes the cache back, atomically; a no-op without one.
    pub fn save_cache(&self) -> std::io::Result<()> {
        match &self.cache {
            Some(c) => c.lock().map_or(Ok(()), |c| c.save()),
            None => Ok(()),
        }
    }

    /// Findings answered from the persistent cache in this run.
    pub fn cache_hits(&self) -> usize {
        self.cache_hits.load(Ordering::Relaxed)
    }

    /// Validates every finding (in place), `concurrency` requests at a time. Each distinct
    /// (rule, secret) is asked once, however many findings share it. A check that needs a
    /// second part (an AWS key id and its secret key) pairs findings of the same file.
    pub fn validate_all(&self, findings: &mut [Finding], rules: &RuleSet) {
        let items: Vec<Item<'_>> = findings
            .iter()
            .map(|f| Item {
                rule_id: &f.rule_id,
                secret: &f.secret,
                path: &f.location.path,
                commit: f.commit.as_ref().map_or("", |c| c.sha.as_str()),
            })
            .collect();
        let results = self.validate_items(&items, rules);
        for (f, v) in findings.iter_mut().zip(results) {
            f.validation = Some(v);
        }
    }

    /// [`Validator::validate_all`] for findings read back from a report: one result per item.
    pub fn validate_items(&self, items: &[Item<'_>], rules: &RuleSet) -> Vec<Validation> {
        // Each rule's check, parsed once per run (`None`: the rule has none).
        let checks: HashMap<&str, Option<Result<Check, String>>> = rules
            .rules()
            .iter()
            .map(|r| (r.id.as_str(), r.verify.as_deref().map(Check::parse)))
            .collect();
        let check_of = |rule: &str| checks.get(rule).and_then(Option::as_ref);
        // The other halves of AWS key pairs, per (path, commit).
        let mut aws: HashMap<(&str, &str), Vec<String>> = HashMap::new();
        for f in items {
            if matches!(check_of(f.rule_id), Some(Ok(Check::AwsSts))) {
                aws.entry((f.path, f.commit)).or_default().push(f.secret.to_string());
            }
        }
        let partners = |f: &Item<'_>| -> Vec<String> {
            let want_key_id = !is_aws_key_id(f.secret);
            let mut v: Vec<String> = aws
                .get(&(f.path, f.commit))
                .into_iter()
                .flatten()
                .filter(|s| is_aws_key_id(s) == want_key_id)
                .cloned()
                .collect();
            v.sort();
            v.dedup();
            v.truncate(3);
            v
        };
        // What each finding asks; the same key id next to two different secrets asks twice.
        let jobs: Vec<(String, String, Vec<String>)> = items
            .iter()
            .map(|f| (f.rule_id.to_string(), f.secret.to_string(), partners(f)))
            .collect();
        let mut distinct = jobs.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let chunk = distinct.len().div_ceil(self.opts.concurrency.max(1)).max(1);
        let results: Vec<Validation> = std::thread::scope(|s| {
            let handles: Vec<_> = distinct
                .chunks(chunk)
                .map(|part| {
                    let check_of = &check_of;
                    s.spawn(move || {
                        part.iter()
                            .map(|(rule, secret, partners)| {
                                self.validate_with(rule, check_of(rule), secret, partners)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join().unwrap_or_else(|_| {
                        vec![Validation::new(ValidationStatus::Unknown, "validator failed")]
                    })
                })
                .collect()
        });
        let by_job: HashMap<(String, String, Vec<String>), Validation> =
            distinct.into_iter().zip(results).collect();
        jobs.iter()
            .map(|job| {
                by_job.get(job).cloned().unwrap_or_else(|| {
                    Validation::new(ValidationStatus::Unknown, "validator failed")
                })
            })
            .collect()
    }

    /// [`Validator::validate`] for a check that pairs the secret with `partners` (the other
    /// halves found next to it): the first pair the provider accepts decides; otherwise an
    /// `unknown` answer wins over `inactive` (it is never a reason to call a pair dead).
    fn validate_with(
        &self,
        rule_id: &str,
        check: Option<&Result<Check, String>>,
        secret: &str,
        partners: &[String],
    ) -> Validation {
        let spec = match check {
            None => {
                return Validation::new(
                    ValidationStatus::Unverifiable,
                    "no read-only check for this rule",
                );
            }
            Some(Err(e)) => {
                return Validation::new(ValidationStatus::Unverifiable, format!("bad verify: {e}"));
            }
            Some(Ok(Check::Http(spec))) => spec,
            Some(Ok(Check::AwsSts)) => return self.validate_aws(secret, partners),
        };
        if secret.is_empty() {
            return Validation::new(
                ValidationStatus::Unverifiable,
                "no secret (redacted or path-only)",
            );
        }
        self.memoized(rule_id, secret, || self.ask(rule_id, spec, secret))
    }

    /// `aws-sts`: `secret` (a key id or a secret key) with each of `partners`, the other
    /// halves found next to it.
    fn validate_aws(&self, secret: &str, partners: &[String]) -> Validation {
        if partners.is_empty() {
            return Validation::new(
                ValidationStatus::Unverifiable,
                "no AWS key id and secret key pair in the same file",
            );
        }
        let mut best: Option<Validation> = None;
        for p in partners {
            let (key_id, secret_key) =
                if is_aws_key_id(secret) { (secret, p.as_str()) } else { (p.as_str(), secret) };
            let pair = format!("{key_id}:{secret_key}");
            let v = self.memoized("aws-sts", &pair, || self.ask_aws(key_id, secret_key));
            if v.status == ValidationStatus::Active {
                return v;
            }
            let rank = |v: &Validation| match v.status {
                ValidationStatus::Unknown => 2,
                ValidationStatus::Inactive => 1,
                _ => 0,
            };
            if best.as_ref().is_none_or(|b| rank(&v) > rank(b)) {
                best = Some(v);
            }
        }
        best.unwrap_or_else(|| Validation::new(ValidationStatus::Unknown, "no answer"))
    }

    /// The answer for (`rule_id`, `secret`): from this run's memo, else the persistent cache,
    /// else `ask` (whose answer both then keep). Concurrent askers of one key wait for one
    /// request.
    fn memoized(
        &self,
        rule_id: &str,
        secret: &str,
        ask: impl FnOnce() -> Validation,
    ) -> Validation {
        let key: [u8; 32] = {
            let mut h = Sha256::new();
            h.update(rule_id.as_bytes());
            h.update([0]);
            h.update(secret.as_bytes());
            h.finalize().into()
        };
        let cell = match self.memo.lock() {
            Ok(mut m) => m.entry(key).or_default().clone(),
            Err(_) => Default::default(),
        };
        cell.get_or_init(|| {
            let cached = self.cache.as_ref().and_then(|c| c.lock().ok()?.get(&key));
            if let Some(v) = cached {
                self.cache_hits.fetch_add(1, Ordering::Relaxed);
                return v;
            }
            let v = ask();
            if let Some(c) = &self.cache {
                if let Ok(mut c) = c.lock() {
                    c.put(key, &v);
                }
            }
            v
        })
        .clone()
    }

    /// Sends `spec`'s request for `secret`.
    fn ask(&self, rule_id: &str, spec: &Spec, secret: &str) -> Validation {
        let (origin, host) = self.origin(&[rule_id, spec.host()], &spec.origin);
        let url = format!("{origin}{}", spec.path.replace("{secret}", &encode(secret)));
        let request = || {
            let req = match spec.method {
                "HEAD" => self.agent.head(&url),
                _ => self.agent.get(&url),
            };
            let req = match &spec.auth {
                Auth::None => req,
                Auth::Bearer => req.header("Authorization", format!("Bearer {secret}")),
                Auth::Token => req.header("Authorization", format!("token {secret}")),
                Auth::Basic => {
                    use base64::Engine as _;
                    let b = base64::engine::general_purpose::STANDARD.encode(format!("{secret}:"));
                    req.header("Authorization", format!("Basic {b}"))
                }
                Auth::Header(name) => req.header(name.as_str(), secret),
            };
            req.header("Accept", "application/json").call()
        };
        self.exchange(&host, request, |resp| read_answer(spec, resp, secret))
    }

    /// The origin requests go to (the first `--validate-endpoint` whose key is one of `keys`,
    /// else `default`) and its host part, the key of the per-host statistics and rate limits.
    fn origin(&self, keys: &[&str], default: &str) -> (String, String) {
        let origin = self
            .opts
            .endpoints
            .iter()
            .find(|(k, _)| keys.contains(&k.as_str()))
            .map_or(default, |(_, url)| url.as_str())
            .trim_end_matches('/')
            .to_string();
        let host = origin.trim_start_matches("https://").trim_start_matches("http://").to_string();
        (origin, host)
    }

    /// STS `GetCallerIdentity` for a key pair, signed with SigV4 (us-east-1, the global
    /// endpoint). 200 is active (the ARN is the identity), 403 inactive.
    fn ask_aws(&self, key_id: &str, secret_key: &str) -> Validation {
        let (origin, host) = self.origin(&[STS_HOST], &format!("https://{STS_HOST}"));
        // Only the authority is signed as `host`; a path in an override is a prefix.
        let (authority, prefix) = match host.find('/') {
            Some(i) => (&host[..i], &host[i..]),
            None => (host.as_str(), ""),
        };
        let query = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")];
        let request = || {
            let amz_date = time::OffsetDateTime::now_utc()
                .format(time::macros::format_description!(
                    "[year][month][day]T[hour][minute][second]Z"
                ))
                .unwrap_or_default();
            let path = if prefix.is_empty() { "/".to_string() } else { format!("{prefix}/") };
            let signed = sigv4::Request {
                method: "GET",
                host: authority,
                path: &path,
                query: &query,
                amz_date: &amz_date,
                region: "us-east-1",
                service: "sts",
                body: b"",
            };
            let auth = sigv4::authorization(&signed, key_id, secret_key);
            let url = format!("{origin}/?{}", sigv4::canonical_query(&query));
            self.agent
                .get(&url)
                .header("X-Amz-Date", &amz_date)
                .header("Authorization", &auth)
                .call()
        };
        self.exchange(&host, request, |mut resp| {
            let code = resp.status().as_u16();
            let status = match code {
                200 => ValidationStatus::Active,
                403 => ValidationStatus::Inactive,
                _ => ValidationStatus::Unknown,
            };
            let mut v = Validation::new(status, format!("HTTP {code}"));
            if status == ValidationStatus::Active {
                let body = resp.body_mut().with_config().limit(64 << 10).read_to_string();
                v.identity = body.ok().and_then(|b| {
                    let start = b.find("<Arn>")? + 5;
                    let end = b[start..].find("</Arn>")? + start;
                    Some(b[start..end].to_string())
                });
            }
            v
        })
    }

    /// Sends `request` to `host`, honouring the request cap and 429 `Retry-After` (one retry
    /// up to `max_retry_wait`), and reads the answer with `read`.
    fn exchange(
        &self,
        host: &str,
        request: impl Fn() -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        read: impl FnOnce(ureq::http::Response<ureq::Body>) -> Validation,
    ) -> Validation {
        let host = host.to_string();
        let mut retried = false;
        let result = loop {
            // A provider that asked us to wait (429 `Retry-After`) is not asked again before
            // then; a wait longer than `max_retry_wait` makes the answer `unknown`.
            let wait = self
                .not_before
                .lock()
                .ok()
                .and_then(|m| m.get(&host).copied())
                .map(|t| t.saturating_duration_since(std::time::Instant::now()))
                .unwrap_or_default();
            if wait > self.opts.max_retry_wait {
                break Validation::new(
                    ValidationStatus::Unknown,
                    format!("rate limited by the provider for {}s more", wait.as_secs()),
                );
            }
            std::thread::sleep(wait);
            if self.sent.fetch_add(1, Ordering::SeqCst) >= self.opts.max_requests {
                break Validation::new(
                    ValidationStatus::Unknown,
                    "request cap reached (--validate-max-requests)",
                );
            }
            self.count(&host, None);
            match request() {
                Ok(resp) if resp.status().as_u16() == 429 => {
                    let after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map_or(Duration::from_secs(1), Duration::from_secs);
                    if let Ok(mut m) = self.not_before.lock() {
                        m.insert(host.clone(), std::time::Instant::now() + after);
                    }
                    if retried || after > self.opts.max_retry_wait {
                        break Validation::new(
                            ValidationStatus::Unknown,
                            format!("HTTP 429 (rate limited, retry after {}s)", after.as_secs()),
                        );
                    }
                    retried = true;
                }
                Ok(resp) => break read(resp),
                // The error text of a transport failure names the URL, which may hold the
                // secret: only its kind is kept.
                Err(e) => break Validation::new(ValidationStatus::Unknown, transport_kind(&e)),
            }
        };
        self.count(&host, Some(result.status));
        result
    }

    /// Counts a request sent (`None`) or the final answer for a secret.
    fn count(&self, host: &str, answer: Option<ValidationStatus>) {
        let Ok(mut stats) = self.stats.lock() else { return };
        let s = stats.entry(host.to_string()).or_default();
        match answer {
            None => s.requests += 1,
            Some(ValidationStatus::Active) => s.active += 1,
            Some(ValidationStatus::Inactive) => s.inactive += 1,
            Some(_) => s.unknown += 1,
        }
    }

    /// Requests sent and answers per provider host.
    pub fn stats(&self) -> BTreeMap<String, HostStats> {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Requests sent in this run (including those refused by the cap).
    pub fn requests(&self) -> usize {
        self.sent.load(Ordering::Relaxed).min(self.opts.max_requests)
    }
}

/// The persistent answer cache (`--validate-cache`): a JSON object from
/// `sha256(rule id, secret)` (hex) to the answer and when it was given. It holds no secret.
/// An answer older than this run's time to live is neither used nor kept.
/// Only `active` and `inactive` answers are kept: `unknown` is asked again next run.
#[derive(Debug)]
pub struct Cache {
    path: std::path::PathBuf,
    ttl: Duration,
    entries: BTreeMap<String, CacheEntry>,
    dirty: bool,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct CacheEntry {
    status: String,
    checked_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// When the provider answered, Unix seconds.
    answered: u64,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Cache {
    /// Loads the cache at `path` (missing or unreadable: empty, and rewritten on save).
    pub fn open(path: &std::path::Path, ttl: Duration) -> Cache {
        let now = unix_now();
        let entries: BTreeMap<String, CacheEntry> = std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let fresh = |e: &CacheEntry| e.answered.saturating_add(ttl.as_secs()) > now;
        let before = entries.len();
        let entries: BTreeMap<_, _> = entries.into_iter().filter(|(_, e)| fresh(e)).collect();
        let dirty = entries.len() != before;
        Cache { path: path.to_path_buf(), ttl, entries, dirty }
    }

    fn get(&self, key: &[u8; 32]) -> Option<Validation> {
        let e = self
            .entries
            .get(&hex::encode(key))
            .filter(|e| e.answered.saturating_add(self.ttl.as_secs()) > unix_now())?;
        let status = ValidationStatus::parse(&e.status)?;
        Some(Validation {
            status,
            checked_at: e.checked_at.clone(),
            identity: e.identity.clone(),
            detail: Some(format!("{} (cached)", e.detail.as_deref().unwrap_or("answer"))),
        })
    }

    fn put(&mut self, key: [u8; 32], v: &Validation) {
        if !matches!(v.status, ValidationStatus::Active | ValidationStatus::Inactive) {
            return;
        }
        self.entries.insert(
            hex::encode(key),
            CacheEntry {
                status: v.status.as_str().into(),
                checked_at: v.checked_at.clone(),
                identity: v.identity.clone(),
                detail: v.detail.clone(),
                answered: unix_now(),
            },
        );
        self.dirty = true;
    }

    /// Writes the cache (a private temp file in the same directory, then an atomic rename).
    fn save(&self) -> std::io::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        crate::state::create_private_dir(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer(&mut tmp, &self.entries)?;
        tmp.as_file().sync_all()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Reads a provider's (non-429) answer.
fn read_answer(
    spec: &Spec,
    mut resp: ureq::http::Response<ureq::Body>,
    secret: &str,
) -> Validation {
    let code = resp.status().as_u16();
    let status = spec.status(code);
    let mut v = Validation::new(status, format!("HTTP {code}"));
    if (300..400).contains(&code) {
        v.detail = Some(format!("HTTP {code}: redirect not followed"));
    }
    if status != ValidationStatus::Active || (spec.identity.is_none() && spec.ok.is_none()) {
        return v;
    }
    let body = resp.body_mut().with_config().limit(256 << 10).read_to_string();
    let json = body.ok().and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok());
    if let Some(ptr) = &spec.ok {
        if json.as_ref().and_then(|j| j.pointer(ptr)) != Some(&serde_json::Value::Bool(true)) {
            v.status = ValidationStatus::Inactive;
            v.detail = Some(format!("HTTP {code}, {ptr} is not true"));
            return v;
        }
    }
    if let Some(ptr) = &spec.identity {
        v.identity = json
            .as_ref()
            .and_then(|j| j.pointer(ptr))
            .map(|x| match x {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .filter(|s| !s.contains(secret));
    }
    v
}

fn transport_kind(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timeout".into(),
        ureq::Error::Io(io) => format!("network error ({:?})", io.kind()),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "TLS error".into(),
        _ => "request failed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_refuse_what_is_unsafe() {
        let s = Spec::parse("GET https://api.example.com/v1/me bearer identity=/login").unwrap();
        assert_eq!(
            (s.host(), s.path.as_str(), &s.auth),
            ("api.example.com", "/v1/me", &Auth::Bearer)
        );
        assert_eq!(s.status(200), ValidationStatus::Active);
        assert_eq!(s.status(401), ValidationStatus::Inactive);
        assert_eq!(s.status(429), ValidationStatus::Unknown);
        assert_eq!(s.status(503), ValidationStatus::Unknown);
        let q = Spec::parse("GET https://x.example/check?key={secret} active=204 inactive=400")
            .unwrap();
        assert_eq!(
            (q.status(200), q.status(204), q.status(400)),
            (ValidationStatus::Unknown, ValidationStatus::Active, ValidationStatus::Inactive)
        );
        for bad in [
            "POST https://x.example/ bearer",
            "GET http://x.example/ bearer",
            "GET https://{secret}.example/ bearer",
            "GET https://user@x.example/ bearer",
            "GET https://x.example/",
            "GET https://x.example/ frobnicate",
            "",
        ] {
            assert!(Spec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_builtin_verify_parses() {
        let set = crate::rules::RuleSet::builtin().unwrap();
        let bad: Vec<String> = set
            .rules()
            .iter()
            .filter_map(|r| Some((r.id.clone(), Check::parse(r.verify.as_deref()?).err()?)))
            .map(|(id, e)| format!("{id}: {e}"))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
    }

    #[test]
    fn secrets_are_percent_encoded_in_urls() {
        assert_eq!(encode("a/b?c=d&e f"), "a%2Fb%3Fc%3Dd%26e%20f");
    }
}
