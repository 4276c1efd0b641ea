//! Report writers: GitLab `gl-secret-detection-report.json` (schema 15.2.1), SARIF 2.1.0,
//! JSON Lines, gitleaks' JSON report and human text; plus atomic file output.
//!
//! Design decision: each format has its own serialization-only *wire* types, separate from
//! [`Finding`] (as ripgrep's printer keeps `jsont` apart from its domain types), so a format
//! can follow its schema to the letter without bending the domain model. Reports that go
//! to a file are written to a temporary file in the same directory, synced, then renamed
//! ([`write_atomic`]): a killed scan leaves the previous report or none, never half of one.

mod atomic;
pub mod gitlab;
pub mod gitleaks;
pub mod jsonl;
pub mod sarif;
pub mod text;

use std::io::{self, Write};
use std::path::Path;

use time::OffsetDateTime;

use crate::finding::Finding;
use crate::finding::coverage::Coverage;
use crate::rules::{Confidence, Rule, RuleSet, Severity};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// JSON Lines, one finding per line.
    Json,
    /// GitLab secret-detection report 15.2.1.
    Gitlab,
    /// SARIF 2.1.0.
    Sarif,
    /// gitleaks' JSON report (an array of `RuleID`, `File`, `Secret`, ... objects).
    Gitleaks,
}

/// What a report says about one active rule (SARIF's rule table).
#[derive(Clone, Debug)]
pub struct RuleMeta {
    /// Rule id.
    pub id: String,
    /// Description.
    pub description: String,
    /// Severity.
    pub severity: Severity,
    /// Base confidence (before checks).
    pub confidence: Confidence,
    /// Rule tags.
    pub tags: Vec<String>,
    /// The built-in rule file the rule comes from (`github` for `rules/github.toml`), which
    /// names its section of `docs/RULES.md`; `None` for rules from a configuration.
    pub family: Option<String>,
}

impl RuleMeta {
    /// The report's view of `rule`.
    pub fn of(rule: &Rule) -> RuleMeta {
        let builtin = crate::rules::builtin_files().iter().any(|(name, _)| *name == rule.origin);
        let family = builtin.then(|| crate::rules::family(&rule.origin).to_string());
        RuleMeta {
            id: rule.id.clone(),
            description: rule.description.clone(),
            severity: rule.severity,
            confidence: rule.confidence,
            tags: rule.tags.clone(),
            family,
        }
    }
}

/// Scan-level facts every report may carry.
#[derive(Clone, Debug)]
pub struct ReportMeta {
    /// leakguard version.
    pub version: String,
    /// Scan start (UTC).
    pub start: OffsetDateTime,
    /// Scan end (UTC).
    pub end: OffsetDateTime,
    /// Whether the scan completed.
    pub success: bool,
    /// Notes for the report (`info`/`warn`/`fatal`, text).
    pub messages: Vec<(String, String)>,
    /// Rules that were active, for SARIF's rule table.
    pub rules: Vec<RuleMeta>,
    /// What the scan skipped by policy and what it failed to scan; every format lists both.
    pub coverage: Coverage,
}

impl ReportMeta {
    /// The free-form messages followed by the coverage messages (skips, then failures).
    pub fn all_messages(&self) -> Vec<(String, String)> {
        let mut out = self.messages.clone();
        out.extend(self.coverage.messages());
        out
    }

    /// Lists every reportable rule of `rules` as active.
    pub fn set_rules(&mut self, rules: &RuleSet) {
        self.rules = rules.rules().iter().filter(|r| !r.skip_report).map(RuleMeta::of).collect();
    }

    /// Meta with the crate version and both timestamps now.
    pub fn now() -> ReportMeta {
        let now = OffsetDateTime::now_utc();
        ReportMeta {
            version: env!("CARGO_PKG_VERSION").to_string(),
            start: now,
            end: now,
            success: true,
            messages: Vec::new(),
            rules: Vec::new(),
            coverage: Coverage::default(),
        }
    }
}

/// Writes `findings` in `format` to `w`. Text output needs [`text::TextOptions`]; this
/// entry point uses plain text without colour.
pub fn write(
    format: Format,
    findings: &[Finding],
    meta: &ReportMeta,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(findings, &text::TextOptions::default(), w),
        Format::Json => jsonl::write(findings, meta, w),
        Format::Gitlab => gitlab::write(findings, meta, w),
        Format::Sarif => sarif::write(findings, meta, w),
        Format::Gitleaks => gitleaks::write(findings, w),
    }
}

/// Writes a file atomically: an unnamed (`O_TMPFILE`) or private temporary file in the same
/// directory, fsync, then link or rename into place; a killed run leaves no readable temporary
/// file (see `atomic`). The report is created 0600.
///
/// A destination that exists and is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO)
/// is written in place: renaming over it would replace a device node with a file.
pub fn write_atomic<F>(path: &Path, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut w = io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        fill(&mut w)?;
        return w.flush();
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    atomic::write(path, dir, atomic::Strategy::Auto, fill)
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the only timestamp shape the GitLab schema accepts.
pub fn gitlab_timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_shape() {
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(gitlab_timestamp(t), "2023-11-14T22:13:20");
    }

    #[test]
    fn device_destinations_are_written_in_place() {
        write_atomic(Path::new("/dev/null"), |w| w.write_all(b"report")).unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null must stay a device");
    }

    #[test]
    fn atomic_write_replaces_whole_file_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        write_atomic(&p, |w| w.write_all(b"first")).unwrap();
        let err = write_atomic(&p, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("killed"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temp file left behind");
    }
}
