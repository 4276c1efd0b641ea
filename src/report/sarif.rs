//! SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
//!
//! Design decision: the log must validate against the OASIS SARIF 2.1.0 schema whatever the
//! findings are (`tests/schemas/sarif-schema-2.1.0.json` checks it), so everything taken from
//! scanned content is normalised here: tag lists are deduplicated (the schema wants unique
//! tags; nested decodes and `[extend]`ed rules repeat them) and paths are percent-encoded into
//! URI references. What GitHub code scanning reads is derived from the rule, not invented per
//! result:
//!
//! * each rule carries `properties.security-severity` (a numeric string: Critical 9.5, High
//!   8.0, Medium 5.5, Unknown 5.5, Low 3.0, Info 1.0, one step lower for a low-confidence
//!   rule), the tags `security`, `secret` and `external/cwe/cwe-798`, `help` (text and
//!   Markdown: what the rule finds and what to do about a finding) and, for built-in rules,
//!   `helpUri`: the rule's family section of `docs/RULES.md` in the leakguard repository
//!   (`https://github.com/leakguard/leakguard/blob/main/docs/RULES.md#<family>`, the same
//!   host as `informationUri`). Rules from a configuration have no `helpUri`.
//! * a result's `level` comes from the finding's confidence and severity: `error` for a high
//!   confidence (a checksum or structure check passed, or a distinctive format) Critical or
//!   High finding, `warning` for medium confidence or Medium severity, `note` for low
//!   confidence (generic assignments) and for Low or Info severity. A rule's
//!   `defaultConfiguration.level` is the same function of its base confidence.
//!
//! The rule table lists only the rules that have results (with all 1,208 rules and their help
//! text a log was 1.8 MB whatever it reported).
//!
//! `partialFingerprints` carries our content fingerprint (rule + secret hash) plus the path,
//! which is what deduplicates alerts across runs: it does not change when lines move. The
//! other parts of a composite finding (a key id next to its secret) are `relatedLocations`.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::json;

use super::{ReportMeta, RuleMeta};
use crate::finding::Finding;
use crate::rules::{Confidence, Severity};

/// The repository's rule catalogue; a built-in rule's `helpUri` is its family's section.
const RULES_DOC: &str = "https://github.com/leakguard/leakguard/blob/main/docs/RULES.md";

/// `security-severity` scale, lowest first: Info, Low, Medium, High, Critical.
const SECURITY_SEVERITY: [&str; 5] = ["1.0", "3.0", "5.5", "8.0", "9.5"];

/// The `security-severity` of a rule: its severity on GitHub's scale (`>= 9.0` critical,
/// `7.0–8.9` high, `4.0–6.9` medium, below that low), one step lower when only a generic
/// pattern (low confidence) backs it.
pub(crate) fn security_severity(severity: Severity, confidence: Confidence) -> &'static str {
    let step: usize = match severity {
        Severity::Info => 0,
        Severity::Low => 1,
        Severity::Medium | Severity::Unknown => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    };
    let step = if confidence == Confidence::Low { step.saturating_sub(1) } else { step };
    SECURITY_SEVERITY[step]
}

/// The SARIF `level` of a finding (or rule) with this confidence and severity.
pub(crate) fn level(severity: Severity, confidence: Confidence) -> &'static str {
    match (confidence, severity) {
        (_, Severity::Info | Severity::Low) | (Confidence::Low, _) => "note",
        (Confidence::High, Severity::Critical | Severity::High) => "error",
        _ => "warning",
    }
}

/// `tags` without repeats, first occurrence kept.
fn unique<'a>(tags: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for t in tags {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// A reported path as a URI reference: bytes outside RFC 3986's unreserved characters,
/// sub-delimiters, `/` and `@` are percent-encoded (`:` too, so that a first segment never
/// reads as a scheme), so spaces, `%`, `#`, `?` and non-ASCII names stay valid and relative.
pub(crate) fn path_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The rule table entry.
fn rule_entry(r: &RuleMeta) -> serde_json::Value {
    let tags = unique(
        ["security", "secret", "external/cwe/cwe-798"]
            .into_iter()
            .chain(r.tags.iter().map(String::as_str)),
    );
    let doc = r.family.as_ref().map(|f| format!("{RULES_DOC}#{f}"));
    let desc = r.description.trim_end_matches('.');
    let text = format!(
        "{desc} (severity {sev}, base confidence {conf}). Treat a match as leaked: revoke or \
         rotate it at its provider, remove it from the code and history, load it from a \
         secret store. Not a secret: mark the line `leakguard:allow` or add the fingerprint \
         to `.leakguardignore`.",
        sev = r.severity,
        conf = r.confidence,
    );
    let mut markdown = format!(
        "**{desc}** (`{id}`, severity {sev}, base confidence {conf}).\n\nTreat a match as \
         leaked: revoke or rotate it at its provider, remove it from the code and history, \
         load it from a secret store. Not a secret: mark the line `leakguard:allow` or add \
         the fingerprint to `.leakguardignore`.",
        id = r.id,
        sev = r.severity,
        conf = r.confidence,
    );
    if let Some(d) = &doc {
        markdown.push_str(&format!(" [Rule catalogue]({d})."));
    }
    let mut entry = json!({
        "id": r.id,
        "shortDescription": {"text": r.description},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": level(r.severity, r.confidence)},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(r.severity, r.confidence),
            "precision": match r.confidence {
                Confidence::High => "very-high",
                Confidence::Medium => "high",
                Confidence::Low => "medium",
            },
        },
    });
    if let Some(d) = doc {
        entry["helpUri"] = d.into();
    }
    entry
}

/// The run's invocation: `executionSuccessful` is false when anything could not be scanned;
/// every policy skip (level `note`), failure (level `error`) and scan message is a
/// `toolExecutionNotification`, skips and failures with the path they concern.
fn invocation(meta: &ReportMeta) -> serde_json::Value {
    let at = |path: &str| {
        if path.is_empty() {
            json!([])
        } else {
            json!([{"physicalLocation": {"artifactLocation": {"uri": path_uri(path)}}}])
        }
    };
    let mut notes = Vec::new();
    for (level, text) in &meta.messages {
        let level = match level.as_str() {
            "fatal" => "error",
            "warn" => "warning",
            _ => "note",
        };
        notes.push(json!({"level": level, "message": {"text": text}}));
    }
    for (path, reason) in &meta.coverage.skipped {
        notes.push(json!({
            "level": "note",
            "descriptor": {"id": format!("skipped/{}", reason.code())},
            "message": {"text": format!("skipped: {reason}")},
            "locations": at(path),
        }));
    }
    for f in &meta.coverage.failures {
        notes.push(json!({
            "level": "error",
            "descriptor": {"id": "not-scanned"},
            "message": {"text": format!("not scanned: {}", f.message)},
            "locations": at(&f.path),
        }));
    }
    json!({
        "executionSuccessful": meta.success && meta.coverage.is_complete(),
        "toolExecutionNotifications": notes,
    })
}

/// One result.
fn result(f: &Finding, index: Option<usize>) -> serde_json::Value {
    let mut msg = format!("{} has detected secret for file {}", f.rule_id, f.location.path);
    let tags = unique(f.tags.iter().map(String::as_str));
    let mut props = json!({
        "tags": tags,
        "confidence": f.confidence.as_str(),
        "severity": f.severity.as_str(),
    });
    if let Some(v) = &f.validation {
        props["validation"] = serde_json::to_value(v).unwrap_or_default();
    }
    if let Some(c) = &f.commit {
        msg.push_str(&format!(" at commit {}", c.sha));
        props["commit"] =
            json!({"sha": c.sha, "author": c.author_name, "email": c.author_email, "date": c.date});
    }
    msg.push('.');
    let uri = path_uri(&f.location.path);
    let mut out = json!({
        "ruleId": f.rule_id,
        "level": level(f.severity, f.confidence),
        "message": {"text": msg},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": {
                    "startLine": f.location.start_line.max(1),
                    "startColumn": f.location.start_column.max(1),
                    "endLine": f.location.end_line.max(f.location.start_line).max(1),
                    "endColumn": f.location.end_column + 1,
                    "snippet": {"text": f.secret},
                }
            }
        }],
        "partialFingerprints": {
            "leakguardFingerprint/v1": f.fingerprint,
            "leakguardLocation/v1": crate::finding::fingerprint(&f.fingerprint, f.location.path.as_bytes()),
        },
        "properties": props,
    });
    if let Some(i) = index {
        out["ruleIndex"] = i.into();
    }
    if !f.companions.is_empty() {
        let related: Vec<_> = f
            .companions
            .iter()
            .enumerate()
            .map(|(k, c)| {
                json!({
                    "id": k,
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": c.line.max(1), "startColumn": c.column.max(1)},
                    },
                    "message": {"text": format!("the other part of this credential ({})", c.rule_id)},
                })
            })
            .collect();
        out["relatedLocations"] = related.into();
    }
    out
}

/// Writes the SARIF log.
pub fn write(findings: &[Finding], meta: &ReportMeta, w: &mut dyn Write) -> io::Result<()> {
    // Only the rules that have results: with every rule and its help text, a log of a clean
    // scan was 1.8 MB, and SARIF consumers need only the rules results point at.
    let used: std::collections::HashSet<&str> =
        findings.iter().map(|f| f.rule_id.as_str()).collect();
    let listed: Vec<_> = meta.rules.iter().filter(|r| used.contains(r.id.as_str())).collect();
    let rules: Vec<_> = listed.iter().map(|r| rule_entry(r)).collect();
    let index: HashMap<&str, usize> =
        listed.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let results: Vec<_> =
        findings.iter().map(|f| result(f, index.get(f.rule_id.as_str()).copied())).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "leakguard",
                "semanticVersion": meta.version,
                "informationUri": "https://github.com/leakguard/leakguard",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [invocation(meta)],
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *w, &log)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_security_severity() {
        use Confidence as C;
        use Severity as S;
        assert_eq!(level(S::Critical, C::High), "error");
        assert_eq!(level(S::High, C::High), "error");
        assert_eq!(level(S::Critical, C::Medium), "warning");
        assert_eq!(level(S::Medium, C::High), "warning");
        assert_eq!(level(S::Critical, C::Low), "note");
        assert_eq!(level(S::Low, C::High), "note");
        assert_eq!(security_severity(S::Critical, C::High), "9.5");
        assert_eq!(security_severity(S::Critical, C::Low), "8.0");
        assert_eq!(security_severity(S::High, C::Medium), "8.0");
        assert_eq!(security_severity(S::Medium, C::Low), "3.0");
        assert_eq!(security_severity(S::Info, C::Low), "1.0");
        for s in SECURITY_SEVERITY {
            assert!(s.parse::<f64>().is_ok_and(|v| (0.1..=10.0).contains(&v)), "{s}");
        }
    }

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(path_uri("src/app.py"), "src/app.py");
        assert_eq!(path_uri("a b/c%d#e?.txt"), "a%20b/c%25d%23e%3F.txt");
        assert_eq!(path_uri("x.zip!inner/é"), "x.zip!inner/%C3%A9");
        assert_eq!(path_uri("c:/x"), "c%3A/x");
    }

    #[test]
    fn tags_are_unique_in_order() {
        assert_eq!(unique(["decoded:base64", "a", "decoded:base64"]), ["decoded:base64", "a"]);
    }
}
