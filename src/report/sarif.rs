//! SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
//!
//! `partialFingerprints` carries our content fingerprint (rule + secret hash) plus the path,
//! which is what deduplicates alerts across runs: it does not change when lines move.

use std::io::{self, Write};

use serde_json::json;

use super::ReportMeta;
use crate::finding::Finding;

/// The run's invocation: `executionSuccessful` is false when anything could not be scanned;
/// every policy skip (level `note`), failure (level `error`) and scan message is a
/// `toolExecutionNotification`, skips and failures with the path they concern.
fn invocation(meta: &ReportMeta) -> serde_json::Value {
    let at = |path: &str| {
        if path.is_empty() {
            json!([])
        } else {
            json!([{"physicalLocation": {"artifactLocation": {"uri": path}}}])
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

/// Writes the SARIF log.
pub fn write(findings: &[Finding], meta: &ReportMeta, w: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<_> = meta
        .rules
        .iter()
        .map(|(id, desc)| json!({"id": id, "shortDescription": {"text": desc}}))
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let mut msg = format!("{} has detected secret for file {}", f.rule_id, f.location.path);
            let mut props = json!({"tags": f.tags, "confidence": f.confidence.as_str(), "severity": f.severity.as_str()});
            if let Some(c) = &f.commit {
                msg.push_str(&format!(" at commit {}", c.sha));
                props["commit"] = json!({"sha": c.sha, "author": c.author_name, "email": c.author_email, "date": c.date});
            }
            msg.push('.');
            json!({
                "ruleId": f.rule_id,
                "level": match f.severity {
                    crate::rules::Severity::Critical | crate::rules::Severity::High => "error",
                    crate::rules::Severity::Medium => "warning",
                    _ => "note",
                },
                "message": {"text": msg},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.location.path},
                        "region": {
                            "startLine": f.location.start_line,
                            "startColumn": f.location.start_column,
                            "endLine": f.location.end_line,
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
            })
        })
        .collect();
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
