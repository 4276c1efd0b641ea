//! SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
//!
//! `partialFingerprints` carries our content fingerprint (rule + secret hash) plus the path,
//! which is what deduplicates alerts across runs: it does not change when lines move.

use std::io::{self, Write};

use serde_json::json;

use super::ReportMeta;
use crate::finding::Finding;

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
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *w, &log)?;
    w.write_all(b"\n")
}
