//! Findings: the owned result of a confirmed, checked match, with its location and a
//! content-based fingerprint.
//!
//! Design decision: a finding's identity is its *content*, not its position:
//! [`fingerprint`] is `sha256(rule id, NUL, secret)`, so moving a secret to another line or
//! file keeps its fingerprint (ignore files and baselines survive edits), and the same token
//! in a thousand places is recognisably one token. Positions (path, line, column, commit)
//! are metadata on the finding. Everything here is owned (`String`s), so findings outlive
//! the buffers they were found in and cross threads freely.

pub mod coverage;
pub mod ignore;
pub mod lines;

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::rules::{Confidence, Severity};
use crate::source::CommitInfo;

/// Where a finding is, 1-based, columns counted in characters.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Reported path (`/`-separated); empty for stdin.
    pub path: String,
    /// First line of the match.
    pub start_line: usize,
    /// Column of the secret's first character.
    pub start_column: usize,
    /// Last line of the secret.
    pub end_line: usize,
    /// Column of the secret's last character.
    pub end_column: usize,
}

/// A secret found in some input.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Rule text id.
    pub rule_id: String,
    /// Rule description (context-free).
    pub description: String,
    /// Severity.
    pub severity: Severity,
    /// Confidence after offline checks.
    pub confidence: Confidence,
    /// Rule tags.
    pub tags: Vec<String>,
    /// The secret (the rule's capture group).
    pub secret: String,
    /// The whole regex match.
    pub matched: String,
    /// Shannon entropy of the secret.
    pub entropy: f64,
    /// Name of the offline check that passed, if any.
    pub check: Option<String>,
    /// Revocation type override from the rule.
    pub revocation_type: Option<String>,
    /// Report description override (GitLab ruleset), used instead of the generated one.
    pub report_description: Option<String>,
    /// Location.
    pub location: Location,
    /// Commit metadata (git sources).
    pub commit: Option<Arc<CommitInfo>>,
    /// Blob id (git sources).
    pub blob_id: Option<String>,
    /// Content fingerprint, see [`fingerprint`].
    pub fingerprint: String,
    /// The other parts of a composite secret (`[[rules.required]]`), e.g. the key id that
    /// goes with a secret key: one finding carries both.
    pub companions: Vec<Companion>,
    /// The lines around the finding with its secret redacted, when the scan was asked for
    /// them ([`crate::scan::ScanOptions::context_lines`]); `None` otherwise.
    pub context: Option<Context>,
    /// What the provider said about the secret, when validation was asked for (`--validate`).
    pub validation: Option<Validation>,
}

/// What live validation concluded about a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValidationStatus {
    /// The provider accepted the secret.
    Active,
    /// The provider rejected it (revoked, expired, never valid).
    Inactive,
    /// The provider could not answer (429, 5xx, timeout, no network, a redirect, the request
    /// cap): never counted as inactive.
    Unknown,
    /// No read-only check exists for this kind of secret.
    Unverifiable,
}

impl ValidationStatus {
    /// The lowercase name used in every output and in `--results`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValidationStatus::Active => "active",
            ValidationStatus::Inactive => "inactive",
            ValidationStatus::Unknown => "unknown",
            ValidationStatus::Unverifiable => "unverifiable",
        }
    }

    /// Parses a `--results` word.
    pub fn parse(s: &str) -> Option<ValidationStatus> {
        Some(match s {
            "active" => ValidationStatus::Active,
            "inactive" => ValidationStatus::Inactive,
            "unknown" => ValidationStatus::Unknown,
            "unverifiable" => ValidationStatus::Unverifiable,
            _ => return None,
        })
    }
}

/// The result of validating one finding. Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Validation {
    /// The verdict.
    pub status: ValidationStatus,
    /// When it was asked (UTC, RFC 3339).
    pub checked_at: String,
    /// Who the secret belongs to, as the provider said (account, user), when it said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// How the verdict was reached (`HTTP 401`, `timeout`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Validation {
    /// A result checked now.
    pub fn new(status: ValidationStatus, detail: impl Into<String>) -> Validation {
        let now = time::OffsetDateTime::now_utc();
        let checked_at =
            now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
        Validation { status, checked_at, identity: None, detail: Some(detail.into()) }
    }
}

/// Lines around a finding, secret redacted (`--context N` in text output).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Number of the first line shown (1-based).
    pub first_line: usize,
    /// The lines, without line endings, each cut to [`CONTEXT_LINE_MAX`] characters.
    pub lines: Vec<String>,
}

/// Longest context line shown, in characters: a minified file's one line is not printed whole.
pub const CONTEXT_LINE_MAX: usize = 240;

/// What replaces the secret in context lines.
const CONTEXT_MASK: &str = "*****";

impl Context {
    /// `n` lines either side of `f` in `data` (the blob `f` was found in), with `f`'s span
    /// and every occurrence of `secrets` (all secrets found in the blob, the companions'
    /// included) masked. The span of a finding in encoded text is the whole encoded segment,
    /// so no encoded form of the secret is shown either.
    pub fn around(data: &[u8], f: &Finding, n: usize, secrets: &[&str]) -> Context {
        let (start, end) = (f.location.start_line.max(1), f.location.end_line.max(1));
        let first_line = start.saturating_sub(n).max(1);
        let last_line = end.saturating_add(n);
        let mut secrets: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= 4).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let data = data.strip_suffix(b"\n").unwrap_or(data);
        let mut lines = Vec::new();
        for (i, raw) in data.split(|&b| b == b'\n').enumerate().skip(first_line - 1) {
            let no = i + 1;
            if no > last_line {
                break;
            }
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let mut chars: Vec<char> = String::from_utf8_lossy(raw).chars().collect();
            if (start..=end).contains(&no) {
                let from = if no == start { f.location.start_column.saturating_sub(1) } else { 0 };
                let to = if no == end { f.location.end_column } else { chars.len() };
                let (from, to) = (from.min(chars.len()), to.min(chars.len()));
                if from < to {
                    chars.splice(from..to, CONTEXT_MASK.chars());
                }
            }
            let mut line: String = chars.into_iter().collect();
            for s in &secrets {
                line = line.replace(s, CONTEXT_MASK);
            }
            if line.chars().count() > CONTEXT_LINE_MAX {
                line = line.chars().take(CONTEXT_LINE_MAX).chain("…".chars()).collect();
            }
            lines.push(line);
        }
        Context { first_line, lines }
    }
}

/// One other part of a composite finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Companion {
    /// Rule that matched this part.
    pub rule_id: String,
    /// The part's secret.
    pub secret: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Finding {
    /// The position key `file:rule:line` (gitleaks' fingerprint outside git, and the
    /// global form of a `.gitleaksignore` entry).
    pub fn position_key(&self) -> String {
        self.position_key_as(&self.rule_id)
    }

    /// [`position_key`](Self::position_key) with the rule named `rule` (a gitleaks id).
    pub fn position_key_as(&self, rule: &str) -> String {
        format!("{}:{}:{}", self.location.path, rule, self.location.start_line)
    }

    /// The gitleaks-style position fingerprint `--format gitleaks` reports:
    /// `commit:file:rule:line` in git history, else `file:rule:line`, with the rule named by
    /// its gitleaks id when it has one (`rules/gitleaks-ids.toml`), so a `.gitleaksignore`
    /// written from either tool's report matches.
    pub fn gitleaks_fingerprint(&self) -> String {
        let key = self.position_key_as(crate::rules::gitleaks_ids::report_id(&self.rule_id));
        match &self.commit {
            Some(c) => format!("{}:{key}", c.sha),
            None => key,
        }
    }

    /// Replaces the secret everywhere it appears in this finding (for `--redact`).
    pub fn redact(&mut self) {
        if !self.secret.is_empty() {
            self.matched = self.matched.replace(&self.secret, REDACTED);
        }
        self.secret = REDACTED.to_string();
        for c in &mut self.companions {
            self.matched = self.matched.replace(&c.secret, REDACTED);
            c.secret = REDACTED.to_string();
        }
    }
}

/// What redacted secrets are replaced with.
pub const REDACTED: &str = "REDACTED";

/// Content fingerprint: hex `sha256(rule_id || 0x00 || secret)`.
///
/// ```
/// let a = leakguard::finding::fingerprint("rule", b"s3cr3t");
/// assert_eq!(a.len(), 64);
/// assert_ne!(a, leakguard::finding::fingerprint("other", b"s3cr3t"));
/// ```
pub fn fingerprint(rule_id: &str, secret: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(secret);
    hex::encode(h.finalize())
}

/// A short masked form for human output: a recognisable prefix, never the secret.
///
/// ```
/// let m = leakguard::finding::mask("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");
/// assert_eq!(m, "ghp_****…(40 chars)");
/// ```
pub fn mask(secret: &str) -> String {
    let n = secret.chars().count();
    if n < 16 {
        return format!("****…({n} chars)");
    }
    // Keep a provider prefix such as `ghp_`, `glpat-`, `sk_live_` (up to 4 visible chars).
    let shown: String = secret.chars().take(4).collect();
    format!("{shown}****…({n} chars)")
}

/// Whether a line carries an inline allow marker (`gitleaks:allow` or `leakguard:allow`).
pub fn has_allow_marker(line: &[u8]) -> bool {
    memchr::memmem::find(line, b"gitleaks:allow").is_some()
        || memchr::memmem::find(line, b"leakguard:allow").is_some()
}

/// The revocation type string: `lower(type + "_" + value.replace(' ', '_'))`
/// of a finding's primary identifier (for built-in and gitleaks rules, `gitleaks_rule_id`
/// and the rule id). Also `leakguard::revoke::revocation_type`.
///
/// ```
/// assert_eq!(
///     leakguard::finding::revocation_type("gitleaks_rule_id", "aws"),
///     "gitleaks_rule_id_aws"
/// );
/// ```
pub fn revocation_type(identifier_type: &str, identifier_value: &str) -> String {
    format!("{identifier_type}_{}", identifier_value.replace(' ', "_")).to_lowercase()
}
